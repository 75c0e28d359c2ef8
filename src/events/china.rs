//! The Chinese calendar: lunar festival dates for 1900–2100 and the State
//! Council's official holidays with their adjusted working days (调休).
//!
//! Lunar dates for 1901–2100 come from the `chinese-lunisolar-calendar`
//! crate (the Hong Kong Observatory's table), 1900 and the Qingming solar
//! term from `tyme4rs` (an astronomical computation); the official
//! schedules, 2004 to 2026, from the `chinese_holiday` crate, which
//! transcribes each year's State Council notice
//! (国务院办公厅关于…部分节假日安排的通知), with two errata of 2016 fixed
//! ([`ERRATA`]). All are checked against the PyPI packages `holidays`,
//! `chinese-calendar` and `LunarCalendar` in `tests/events_calendar.rs`,
//! with the tables stored in `tests/data/calendar/` by
//! `scripts/calendar_references.py`.
//!
//! A year without a published schedule falls back to the rule stated in
//! [`Festival::fallback_period`]: weekends off, each festival on its lunar
//! or solar-term date (Spring Festival: New Year's Eve to the 6th day, to
//! the 7th from 2025; Labour Day 1–5 May; National Day 1–7 October), and
//! no adjusted working days. [`has_official_schedule`] tells which.
//!
//! ```
//! use chrono::NaiveDate;
//! use salesplan::events::china::{self, DayKind, Festival};
//! let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
//! assert_eq!(china::lunar_new_year(2026)?, d(2026, 2, 17));
//! // 2026's Spring Festival holiday: 15–23 February; Saturday 28 February is worked
//! assert_eq!(Festival::SpringFestival.period(2026)?, (d(2026, 2, 15), d(2026, 2, 23)));
//! assert_eq!(china::day_kind(d(2026, 2, 28))?, DayKind::AdjustedWorkday);
//! assert_eq!(china::day_kind(d(2026, 2, 16))?, DayKind::Holiday);
//! # Ok::<(), salesplan::Error>(())
//! ```

use chinese_holiday::{chinese_holiday as official_kind, DayKind as Official, Ymd};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::SolarTerm;

use crate::error::{Error, Result};

/// First and last year the calendar covers.
pub const YEARS: (i32, i32) = (1900, 2100);

/// First and last year with a published official schedule (the
/// `chinese_holiday` table ends on 25 December of the last).
pub const OFFICIAL_YEARS: (i32, i32) = (2004, 2026);

/// Days the `chinese_holiday` table has wrong, with what the State Council
/// published: the 2016 notice (国办发明电〔2015〕18号) made Sunday 9 October
/// a working day after National Day, and the 2017 notice
/// (国办发明电〔2016〕3号) gave 1–2 January 2017, not Friday 30 December
/// 2016, for New Year's Day. Both PyPI references agree with these.
pub const ERRATA: [(i32, u32, u32, DayKind); 2] = [
    (2016, 10, 9, DayKind::AdjustedWorkday),
    (2016, 12, 30, DayKind::Workday),
];

/// What a day is in China's working calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// Monday–Friday, worked.
    Workday,
    /// Saturday or Sunday, not worked.
    Weekend,
    /// An official holiday (on any day of the week).
    Holiday,
    /// A Saturday or Sunday made a working day (调休).
    AdjustedWorkday,
}

impl DayKind {
    /// Whether people work that day.
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday)
    }
}

/// The festivals and official holidays of the `china` set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Festival {
    /// 元旦, 1 January.
    NewYearsDay,
    /// 春节, lunar 1/1 (the holiday starts on New Year's Eve).
    SpringFestival,
    /// 元宵, lunar 1/15; not an official holiday.
    Lantern,
    /// 清明, the Qingming solar term (4–6 April).
    Qingming,
    /// 劳动节, 1 May.
    LabourDay,
    /// 端午, lunar 5/5.
    DragonBoat,
    /// 中秋, lunar 8/15.
    MidAutumn,
    /// 国庆, 1 October.
    NationalDay,
}

impl Festival {
    /// All of them, in calendar order.
    pub const ALL: [Festival; 8] = [
        Festival::NewYearsDay,
        Festival::SpringFestival,
        Festival::Lantern,
        Festival::Qingming,
        Festival::LabourDay,
        Festival::DragonBoat,
        Festival::MidAutumn,
        Festival::NationalDay,
    ];

    /// The event name used in regressors and files.
    pub fn name(self) -> &'static str {
        match self {
            Festival::NewYearsDay => "new_years_day",
            Festival::SpringFestival => "spring_festival",
            Festival::Lantern => "lantern",
            Festival::Qingming => "qingming",
            Festival::LabourDay => "labour_day",
            Festival::DragonBoat => "dragon_boat",
            Festival::MidAutumn => "mid_autumn",
            Festival::NationalDay => "national_day",
        }
    }

    /// The festival's own day in `year` (lunar, solar-term or fixed).
    pub fn date(self, year: i32) -> Result<NaiveDate> {
        check_year(year)?;
        match self {
            Festival::NewYearsDay => ymd(year, 1, 1),
            Festival::SpringFestival => lunar(year, 1, 1),
            Festival::Lantern => lunar(year, 1, 15),
            Festival::Qingming => qingming(year),
            Festival::LabourDay => ymd(year, 5, 1),
            Festival::DragonBoat => lunar(year, 5, 5),
            Festival::MidAutumn => lunar(year, 8, 15),
            Festival::NationalDay => ymd(year, 10, 1),
        }
    }

    fn official(self) -> Option<(Official, Official)> {
        Some(match self {
            Festival::NewYearsDay => (Official::NewYearsDayHoliday, Official::NewYearsDayWorkday),
            Festival::SpringFestival => (
                Official::SpringFestivalHoliday,
                Official::SpringFestivalWorkday,
            ),
            Festival::Lantern => return None,
            Festival::Qingming => (
                Official::ChingMingFestivalHoliday,
                Official::ChingMingFestivalWorkday,
            ),
            Festival::LabourDay => (
                Official::InternationalWorkersDayHoliday,
                Official::InternationalWorkersDayWorkday,
            ),
            Festival::DragonBoat => (
                Official::DragonBoatFestivalHoliday,
                Official::DragonBoatFestivalWorkday,
            ),
            Festival::MidAutumn => (
                Official::MidAutumnFestivalHoliday,
                Official::MidAutumnFestivalWorkday,
            ),
            Festival::NationalDay => (Official::NationalDayHoliday, Official::NationalDayWorkday),
        })
    }

    /// The rule used for a year without an official schedule: the first
    /// and last day off.
    pub fn fallback_period(self, year: i32) -> Result<(NaiveDate, NaiveDate)> {
        let day = self.date(year)?;
        Ok(match self {
            Festival::SpringFestival => {
                let last = if year >= 2025 { 7 } else { 6 };
                (day - Days::new(1), day + Days::new(last - 1))
            }
            Festival::LabourDay => (day, day + Days::new(4)),
            Festival::NationalDay => (day, day + Days::new(6)),
            _ => (day, day),
        })
    }

    /// The days off of this festival in `year`, first and last: from the
    /// official schedule where one is published (the run of days tagged
    /// with this festival within ten days of its date), otherwise
    /// [`Festival::fallback_period`]. Lantern is never a holiday: its
    /// period is its day.
    pub fn period(self, year: i32) -> Result<(NaiveDate, NaiveDate)> {
        let day = self.date(year)?;
        let Some((holiday, _)) = self.official() else {
            return Ok((day, day));
        };
        if !has_official_schedule(year) {
            return self.fallback_period(year);
        }
        let tagged = |d: NaiveDate| official(d) == Some(holiday);
        // the run of tagged days nearest the festival's date
        let near = (0..=10u64)
            .flat_map(|k| [day + Days::new(k), day - Days::new(k)])
            .find(|d| tagged(*d));
        let Some(mut first) = near else {
            // merged with another holiday (e.g. Mid-Autumn inside National Day)
            return Ok((day, day));
        };
        let mut last = first;
        while tagged(first - Days::new(1)) {
            first = first - Days::new(1);
        }
        while tagged(last + Days::new(1)) {
            last = last + Days::new(1);
        }
        Ok((first, last))
    }
}

/// Whether `year` has a published official schedule (adjusted working days
/// known) rather than the fallback rule.
pub fn has_official_schedule(year: i32) -> bool {
    (OFFICIAL_YEARS.0..=OFFICIAL_YEARS.1).contains(&year)
}

/// The Gregorian date of lunar New Year (正月初一) in `year`.
pub fn lunar_new_year(year: i32) -> Result<NaiveDate> {
    Festival::SpringFestival.date(year)
}

/// The kind of `date` in the working calendar: the official schedule for
/// 2004–2026, otherwise weekends and the fallback festival periods.
pub fn day_kind(date: NaiveDate) -> Result<DayKind> {
    check_year(date.year())?;
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    if let Some(e) = ERRATA
        .iter()
        .find(|e| (e.0, e.1, e.2) == (date.year(), date.month(), date.day()))
    {
        return Ok(e.3);
    }
    if let Some(kind) = official(date) {
        return Ok(match kind {
            Official::NormalWorkday => DayKind::Workday,
            Official::NormalHoliday => DayKind::Weekend,
            k if is_official_workday(k) => DayKind::AdjustedWorkday,
            _ => DayKind::Holiday,
        });
    }
    if !has_official_schedule(date.year()) {
        for f in Festival::ALL.into_iter().filter(|f| f.official().is_some()) {
            let (a, b) = f.fallback_period(date.year())?;
            if a <= date && date <= b {
                return Ok(DayKind::Holiday);
            }
        }
    }
    Ok(if weekend {
        DayKind::Weekend
    } else {
        DayKind::Workday
    })
}

fn is_official_workday(k: Official) -> bool {
    Festival::ALL
        .iter()
        .filter_map(|f| f.official())
        .any(|(_, w)| w == k)
        || k == Official::OtherWorkday
}

/// The official kind of `date` when its year's schedule is published and
/// the date is inside the table (it ends on 25 December 2026).
fn official(date: NaiveDate) -> Option<Official> {
    if !has_official_schedule(date.year()) || date > ymd(OFFICIAL_YEARS.1, 12, 25).ok()? {
        return None;
    }
    if ERRATA
        .iter()
        .any(|e| (e.0, e.1, e.2) == (date.year(), date.month(), date.day()))
    {
        return None;
    }
    let ymd = Ymd::new(date.year() as u16, date.month() as u8, date.day() as u8);
    Some(official_kind(ymd))
}

fn check_year(year: i32) -> Result<()> {
    if (YEARS.0..=YEARS.1).contains(&year) {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "events year",
            reason: format!(
                "{year} is outside the Chinese calendar's years {}–{}",
                YEARS.0, YEARS.1
            ),
        })
    }
}

fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| Error::InvalidParameter {
        name: "date",
        reason: format!("{year}-{month}-{day} does not exist"),
    })
}

fn lunar(year: i32, month: u8, day: u8) -> Result<NaiveDate> {
    if year >= 1901 {
        return hko_lunar(year, month, day);
    }
    let solar = LunarDay::new(year as isize, month as isize, day as usize)
        .map_err(|reason| Error::InvalidParameter {
            name: "lunar date",
            reason: format!("{year}/{month}/{day}: {reason}"),
        })?
        .get_solar_day();
    ymd(
        solar.get_year() as i32,
        solar.get_month() as u32,
        solar.get_day() as u32,
    )
}

/// Lunar `month`/`day` of lunar year `year` (1901–2100) from the table.
fn hko_lunar(year: i32, month: u8, day: u8) -> Result<NaiveDate> {
    use chinese_lunisolar_calendar as clc;
    let bad = |what: &str| Error::InvalidParameter {
        name: "lunar date",
        reason: format!("{year}/{month}/{day}: {what}"),
    };
    let solar_year = clc::SolarYear::from_u16(year as u16);
    let lunar_year =
        clc::LunisolarYear::from_solar_year(solar_year).map_err(|_| bad("year out of range"))?;
    let m = clc::LunarMonth::from_u8_with_leap(month, false).map_err(|_| bad("no such month"))?;
    let d = clc::LunarDay::from_u8(day).map_err(|_| bad("no such day"))?;
    let date = clc::LunisolarDate::from_lunisolar_year_lunar_month_day(lunar_year, m, d)
        .map_err(|_| bad("no such date"))?;
    Ok(date.to_naive_date())
}

fn qingming(year: i32) -> Result<NaiveDate> {
    let term = SolarTerm::new(year as isize, "清明").map_err(|reason| Error::InvalidParameter {
        name: "solar term",
        reason: format!("清明 {year}: {reason}"),
    })?;
    let solar = term.get_julian_day().get_solar_day();
    ymd(
        solar.get_year() as i32,
        solar.get_month() as u32,
        solar.get_day() as u32,
    )
}
