//! Planning periods of a plan year: months, quarters and weeks of calendar,
//! fiscal and retail (4-4-5 / 4-5-4 / 5-4-4) years.
//!
//! A [`PlanningPeriod`] is a half-open range of days `[start, end)` with a
//! label. [`PlanningCalendar::periods`] lists the periods of one plan year,
//! and [`month_fractions`] tells, for any period (a week straddling two
//! months, say), which share of its days falls in each calendar month.
//!
//! # Conventions
//!
//! * **Fiscal years** are named by the calendar year in which they *end*:
//!   with a fiscal year starting in April, `FY2027` runs from 2026-04-01 to
//!   2027-03-31. A fiscal year starting in January is the calendar year and
//!   keeps calendar labels (`2027-01`, `2027Q1`); other fiscal years use
//!   `FY2027-P01` (first fiscal month) and `FY2027-Q1`.
//! * **ISO weeks** (Monday to Sunday) of ISO year 2027 are labelled
//!   `2027-W01` .. `2027-W52` (or `W53`); week 1 contains the year's first
//!   Thursday.
//! * **Retail years** end on the given weekday *nearest* the end of a
//!   given month (the NRF rule: the Saturday nearest January 31 for US
//!   retail) or on the *last* such weekday in the month
//!   ([`YearEndRule`]), so they have 52 weeks (364 days) or, every five or
//!   six years, 53. They are named by the calendar year containing their last month,
//!   like fiscal years (the NRF's "fiscal 2024", ending 2025-02-01, is our
//!   `FY2025`). Quarters have 13 weeks split 4-4-5, 4-5-4 or 5-4-4 into
//!   periods `FY2025-P01`..`P12`; in a 53-week year the extra week is added
//!   to the last period (P12) and so to Q4. Weeks are `FY2025-W01`..`W53`.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::error::{Error, Result};

/// A half-open range of days `[start, end)` with its label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlanningPeriod {
    /// The label, e.g. `2027-01`, `2027Q1`, `2027-W05`, `FY2027-P01`.
    pub label: String,
    /// First day of the period.
    pub start: NaiveDate,
    /// First day after the period.
    pub end: NaiveDate,
}

impl PlanningPeriod {
    /// Number of days in the period.
    pub fn days(&self) -> u32 {
        (self.end - self.start).num_days().max(0) as u32
    }
}

/// The size of a planning period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Granularity {
    /// Months (retail calendars: the 12 periods of 4 or 5 weeks).
    Month,
    /// Quarters.
    Quarter,
    /// Weeks (Gregorian calendars: ISO weeks).
    Week,
    /// Days of the (calendar, fiscal or retail) year, labelled `YYYY-MM-DD`.
    Day,
}

/// How a retail quarter of 13 weeks splits into three periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetailPattern {
    /// 4, 4 and 5 weeks.
    P445,
    /// 4, 5 and 4 weeks.
    P454,
    /// 5, 4 and 4 weeks.
    P544,
}

impl RetailPattern {
    fn weeks(self) -> [u32; 3] {
        match self {
            RetailPattern::P445 => [4, 4, 5],
            RetailPattern::P454 => [4, 5, 4],
            RetailPattern::P544 => [5, 4, 4],
        }
    }
}

/// Which `end_weekday` ends a retail year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum YearEndRule {
    /// The one nearest the last day of the end month (NRF; may fall in the
    /// first three days of the next month).
    #[default]
    Nearest,
    /// The last one in the end month (e.g. Apple: the last Saturday of
    /// September).
    Last,
}

/// A retail week calendar: years end on an `end_weekday` near the last
/// day of `end_month`, chosen by `rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetailCalendar {
    /// Split of each quarter into periods.
    pub pattern: RetailPattern,
    /// Month (1..=12) whose last day the year end is near.
    pub end_month: u32,
    /// Weekday on which every retail year ends.
    pub end_weekday: Weekday,
    /// Nearest to, or last in, the end month.
    pub rule: YearEndRule,
}

impl RetailCalendar {
    /// The US retail (NRF) calendar: 4-5-4, years ending on the Saturday
    /// nearest January 31.
    pub fn nrf() -> RetailCalendar {
        RetailCalendar {
            pattern: RetailPattern::P454,
            end_month: 1,
            end_weekday: Weekday::Sat,
            rule: YearEndRule::Nearest,
        }
    }

    /// Last day of retail year `year`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use salesplan::plan::calendar::RetailCalendar;
    /// // NRF fiscal 2024 (our FY2025) ended on Saturday 2025-02-01
    /// let end = RetailCalendar::nrf().year_end(2025).unwrap();
    /// assert_eq!(end, NaiveDate::from_ymd_opt(2025, 2, 1).unwrap());
    /// ```
    pub fn year_end(&self, year: i32) -> Result<NaiveDate> {
        let last = last_day_of_month(year, self.end_month).ok_or_else(|| bad_year(year))?;
        // the end weekday within three days of the month's last day
        let back = (7 + last.weekday().num_days_from_monday() as i64
            - self.end_weekday.num_days_from_monday() as i64)
            % 7;
        let end = if back <= 3 || self.rule == YearEndRule::Last {
            last - chrono::Duration::days(back)
        } else {
            last + chrono::Duration::days(7 - back)
        };
        Ok(end)
    }

    /// First day of retail year `year`.
    pub fn year_start(&self, year: i32) -> Result<NaiveDate> {
        let prev = self.year_end(year - 1)?;
        prev.checked_add_days(Days::new(1))
            .ok_or_else(|| bad_year(year))
    }

    /// Number of weeks (52 or 53) in retail year `year`.
    pub fn weeks_in_year(&self, year: i32) -> Result<u32> {
        let days = (self.year_end(year)? - self.year_start(year)?).num_days() + 1;
        Ok((days / 7) as u32)
    }
}

/// A planning calendar: which periods make up a plan year.
///
/// ```
/// use salesplan::plan::calendar::{Granularity, PlanningCalendar};
/// let months = PlanningCalendar::Gregorian { fiscal_start_month: 1, granularity: Granularity::Month };
/// let p = months.periods(2027).unwrap();
/// assert_eq!(p.len(), 12);
/// assert_eq!(p[0].label, "2027-01");
///
/// let fiscal = PlanningCalendar::Gregorian { fiscal_start_month: 4, granularity: Granularity::Quarter };
/// let q = fiscal.periods(2027).unwrap();
/// assert_eq!(q[0].label, "FY2027-Q1");
/// assert_eq!(q[0].start.to_string(), "2026-04-01");
///
/// let weeks = PlanningCalendar::Gregorian { fiscal_start_month: 1, granularity: Granularity::Week };
/// let w = weeks.periods(2026).unwrap();
/// assert_eq!(w.len(), 53); // ISO 2026 has 53 weeks
/// assert_eq!(w[4].label, "2026-W05");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanningCalendar {
    /// Calendar or fiscal months and quarters; weeks are ISO weeks (for a
    /// fiscal year: the weeks whose Thursday falls in it).
    Gregorian {
        /// First month (1..=12) of the fiscal year; 1 for calendar years.
        fiscal_start_month: u32,
        /// Size of the periods.
        granularity: Granularity,
    },
    /// Retail 4-4-5 style weeks, periods and quarters.
    Retail {
        /// The retail calendar.
        calendar: RetailCalendar,
        /// Size of the periods.
        granularity: Granularity,
    },
}

impl PlanningCalendar {
    /// The periods of this calendar's year that covers most of calendar year
    /// `year` (the simulated plan year): for calendar months the year itself,
    /// for a fiscal year starting in April or a retail year ending near January
    /// 31st the one that starts in `year` (which such calendars name `year + 1`).
    ///
    /// ```
    /// use salesplan::plan::calendar::PlanningCalendar;
    /// let fy: PlanningCalendar = "fiscal-monthly:4".parse()?;
    /// assert_eq!(fy.covering_year(2026)?[0].label, "FY2027-P01"); // April 2026
    /// let retail: PlanningCalendar = "445".parse()?;
    /// assert!(retail.covering_year(2026)?[0].start.to_string().starts_with("2026-02"));
    /// assert_eq!(PlanningCalendar::monthly().covering_year(2026)?[0].label, "2026-01");
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn covering_year(&self, year: i32) -> Result<Vec<PlanningPeriod>> {
        let next = year.checked_add(1);
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            next.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)),
        ) else {
            return self.periods(year); // the error for a year out of range
        };
        let overlap = |periods: &[PlanningPeriod]| -> i64 {
            periods
                .iter()
                .map(|p| (p.end.min(last) - p.start.max(first)).num_days().max(0))
                .sum()
        };
        let mut best: Option<(i64, Vec<PlanningPeriod>)> = None;
        for named in [Some(year), next, year.checked_sub(1)]
            .into_iter()
            .flatten()
        {
            let Ok(periods) = self.periods(named) else {
                continue;
            };
            let days = overlap(&periods);
            if best.as_ref().is_none_or(|(d, _)| days > *d) {
                best = Some((days, periods));
            }
        }
        match best {
            Some((_, periods)) => Ok(periods),
            None => self.periods(year),
        }
    }

    /// Calendar months of the calendar year.
    pub fn monthly() -> PlanningCalendar {
        PlanningCalendar::Gregorian {
            fiscal_start_month: 1,
            granularity: Granularity::Month,
        }
    }

    /// Days of the calendar year.
    pub fn daily() -> PlanningCalendar {
        PlanningCalendar::Gregorian {
            fiscal_start_month: 1,
            granularity: Granularity::Day,
        }
    }

    /// ISO weeks of the ISO year.
    pub fn iso_weekly() -> PlanningCalendar {
        PlanningCalendar::Gregorian {
            fiscal_start_month: 1,
            granularity: Granularity::Week,
        }
    }

    /// First day of plan year `year` and first day after it.
    pub fn year_range(&self, year: i32) -> Result<(NaiveDate, NaiveDate)> {
        let p = self.periods(year)?;
        match (p.first(), p.last()) {
            (Some(a), Some(b)) => Ok((a.start, b.end)),
            _ => Err(bad_year(year)),
        }
    }

    /// The periods of plan year `year`, in order, covering the year's days
    /// without gaps or overlaps.
    pub fn periods(&self, year: i32) -> Result<Vec<PlanningPeriod>> {
        if !(1..=9998).contains(&year) {
            return Err(bad_year(year));
        }
        match *self {
            PlanningCalendar::Gregorian {
                fiscal_start_month,
                granularity,
            } => {
                if !(1..=12).contains(&fiscal_start_month) {
                    return Err(Error::InvalidParameter {
                        name: "fiscal_start_month",
                        reason: format!("{fiscal_start_month} is not a month (1..=12)"),
                    });
                }
                match granularity {
                    Granularity::Day => {
                        let months = gregorian_months(year, fiscal_start_month, 12)?;
                        Ok(days_of(months[0].start, months[0].end))
                    }
                    Granularity::Week if fiscal_start_month == 1 => iso_weeks(year),
                    Granularity::Week => fiscal_weeks(year, fiscal_start_month),
                    Granularity::Month => gregorian_months(year, fiscal_start_month, 1),
                    Granularity::Quarter => gregorian_months(year, fiscal_start_month, 3),
                }
            }
            PlanningCalendar::Retail {
                calendar,
                granularity,
            } => retail_periods(&calendar, year, granularity),
        }
    }
}

impl std::fmt::Display for PlanningCalendar {
    /// The spec [`FromStr`](std::str::FromStr) reads back (a retail
    /// calendar whose year does not end as NRF's is marked `(custom year end)`).
    ///
    /// ```
    /// use salesplan::plan::calendar::PlanningCalendar;
    /// for spec in ["monthly", "quarterly", "weekly", "daily", "fiscal-monthly:4", "fiscal-weekly:7", "445", "544:weeks", "454:quarters", "445:days"] {
    ///     assert_eq!(spec.parse::<PlanningCalendar>()?.to_string(), spec);
    /// }
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            PlanningCalendar::Gregorian {
                fiscal_start_month,
                granularity,
            } => {
                let word = match granularity {
                    Granularity::Month => "monthly",
                    Granularity::Quarter => "quarterly",
                    Granularity::Week => "weekly",
                    Granularity::Day => "daily",
                };
                if fiscal_start_month == 1 {
                    write!(f, "{word}")
                } else {
                    write!(f, "fiscal-{word}:{fiscal_start_month}")
                }
            }
            PlanningCalendar::Retail {
                calendar,
                granularity,
            } => {
                let pattern = match calendar.pattern {
                    RetailPattern::P445 => "445",
                    RetailPattern::P454 => "454",
                    RetailPattern::P544 => "544",
                };
                write!(f, "{pattern}")?;
                match granularity {
                    Granularity::Month => {}
                    Granularity::Week => write!(f, ":weeks")?,
                    Granularity::Day => write!(f, ":days")?,
                    Granularity::Quarter => write!(f, ":quarters")?,
                }
                let nrf = RetailCalendar {
                    pattern: calendar.pattern,
                    ..RetailCalendar::nrf()
                };
                if calendar != nrf {
                    write!(f, " (custom year end)")?;
                }
                Ok(())
            }
        }
    }
}

impl std::str::FromStr for PlanningCalendar {
    type Err = Error;

    /// Parses a calendar spec: `monthly`, `quarterly`, `weekly` (ISO weeks),
    /// `fiscal-monthly:<start month>`, `fiscal-quarterly:<start month>`,
    /// `fiscal-weekly:<start month>`, or a retail pattern `445`, `454`,
    /// `544` (periods; NRF year end, the Saturday nearest January 31),
    /// optionally `:weeks` or `:quarters`, e.g. `445:weeks`.
    ///
    /// ```
    /// use salesplan::plan::calendar::PlanningCalendar;
    /// let c: PlanningCalendar = "fiscal-quarterly:4".parse().unwrap();
    /// assert_eq!(c.periods(2027).unwrap()[0].label, "FY2027-Q1");
    /// let r: PlanningCalendar = "445".parse().unwrap();
    /// assert_eq!(r.periods(2027).unwrap().len(), 12);
    /// assert!("fortnightly".parse::<PlanningCalendar>().is_err());
    /// ```
    fn from_str(spec: &str) -> Result<PlanningCalendar> {
        let bad = || {
            Error::InvalidParameter {
            name: "calendar",
            reason: format!(
                "'{spec}' is not a calendar (monthly, quarterly, weekly, fiscal-monthly:<start month>, fiscal-quarterly:<m>, fiscal-weekly:<m>, 445, 454, 544, optionally 445:weeks or 445:quarters)"
            ),
        }
        };
        let (head, arg) = match spec.trim().split_once(':') {
            Some((h, a)) => (h, Some(a)),
            None => (spec.trim(), None),
        };
        let gregorian =
            |granularity: Granularity, start: Option<&str>| -> Result<PlanningCalendar> {
                let fiscal_start_month = match start {
                    None => 1,
                    Some(m) => m
                        .parse::<u32>()
                        .ok()
                        .filter(|m| (1..=12).contains(m))
                        .ok_or_else(bad)?,
                };
                Ok(PlanningCalendar::Gregorian {
                    fiscal_start_month,
                    granularity,
                })
            };
        match (head, arg) {
            ("monthly", None) => gregorian(Granularity::Month, None),
            ("quarterly", None) => gregorian(Granularity::Quarter, None),
            ("weekly", None) => gregorian(Granularity::Week, None),
            ("daily", None) => gregorian(Granularity::Day, None),
            ("fiscal-daily", Some(m)) => gregorian(Granularity::Day, Some(m)),
            ("fiscal-monthly", Some(m)) => gregorian(Granularity::Month, Some(m)),
            ("fiscal-quarterly", Some(m)) => gregorian(Granularity::Quarter, Some(m)),
            ("fiscal-weekly", Some(m)) => gregorian(Granularity::Week, Some(m)),
            ("445" | "454" | "544", _) => {
                let pattern = match head {
                    "445" => RetailPattern::P445,
                    "454" => RetailPattern::P454,
                    _ => RetailPattern::P544,
                };
                let granularity = match arg {
                    None | Some("periods") => Granularity::Month,
                    Some("weeks") => Granularity::Week,
                    Some("days") => Granularity::Day,
                    Some("quarters") => Granularity::Quarter,
                    Some(_) => return Err(bad()),
                };
                Ok(PlanningCalendar::Retail {
                    calendar: RetailCalendar {
                        pattern,
                        ..RetailCalendar::nrf()
                    },
                    granularity,
                })
            }
            _ => Err(bad()),
        }
    }
}

fn bad_year(year: i32) -> Error {
    Error::InvalidParameter {
        name: "year",
        reason: format!("{year} is outside the supported range 1..=9998"),
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| bad_year(y))
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

/// Number of days in a calendar month.
///
/// ```
/// assert_eq!(salesplan::plan::calendar::days_in_month(2028, 2), 29);
/// ```
pub fn days_in_month(year: i32, month: u32) -> u32 {
    last_day_of_month(year, month).map_or(0, |d| d.day())
}

fn gregorian_months(year: i32, start_month: u32, step: u32) -> Result<Vec<PlanningPeriod>> {
    // FY `year` ends in the calendar year `year`
    let first_year = if start_month == 1 { year } else { year - 1 };
    let mut out = Vec::with_capacity((12 / step) as usize);
    let (mut y, mut m) = (first_year, start_month);
    for k in 0..(12 / step) {
        let start = ymd(y, m, 1)?;
        for _ in 0..step {
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
        let end = ymd(y, m, 1)?;
        let label = match (start_month, step) {
            (1, 1) => format!("{year}-{:02}", k + 1),
            (1, _) => format!("{year}Q{}", k + 1),
            (_, 1) => format!("FY{year}-P{:02}", k + 1),
            _ => format!("FY{year}-Q{}", k + 1),
        };
        out.push(PlanningPeriod { label, start, end });
    }
    Ok(out)
}

/// One period per day from `start` up to (not including) `end`.
fn days_of(start: NaiveDate, end: NaiveDate) -> Vec<PlanningPeriod> {
    start
        .iter_days()
        .take_while(|d| *d < end)
        .filter_map(|d| {
            Some(PlanningPeriod {
                label: d.format("%Y-%m-%d").to_string(),
                start: d,
                end: d.succ_opt()?,
            })
        })
        .collect()
}

fn iso_weeks(year: i32) -> Result<Vec<PlanningPeriod>> {
    let first = NaiveDate::from_isoywd_opt(year, 1, Weekday::Mon).ok_or_else(|| bad_year(year))?;
    let next =
        NaiveDate::from_isoywd_opt(year + 1, 1, Weekday::Mon).ok_or_else(|| bad_year(year))?;
    let n = (next - first).num_days() / 7;
    let mut out = Vec::with_capacity(n as usize);
    for k in 0..n {
        let start = first + chrono::Duration::days(7 * k);
        out.push(PlanningPeriod {
            label: format!("{year}-W{:02}", k + 1),
            start,
            end: start + chrono::Duration::days(7),
        });
    }
    Ok(out)
}

/// Weeks (Monday to Sunday) of the fiscal year starting in `start_month`
/// by the ISO rule: a week belongs to the fiscal year containing its
/// Thursday.
fn fiscal_weeks(year: i32, start_month: u32) -> Result<Vec<PlanningPeriod>> {
    let first_monday = |fy: i32| -> Result<NaiveDate> {
        // FY `fy` ends in calendar year `fy`
        let start = ymd(if start_month == 1 { fy } else { fy - 1 }, start_month, 1)?;
        let d = start - chrono::Duration::days(3);
        let ahead = (7 - d.weekday().num_days_from_monday() as i64) % 7;
        Ok(d + chrono::Duration::days(ahead))
    };
    let first = first_monday(year)?;
    let next = first_monday(year + 1)?;
    let n = (next - first).num_days() / 7;
    Ok((0..n)
        .map(|k| {
            let start = first + chrono::Duration::days(7 * k);
            PlanningPeriod {
                label: format!("FY{year}-W{:02}", k + 1),
                start,
                end: start + chrono::Duration::days(7),
            }
        })
        .collect())
}

fn retail_periods(
    cal: &RetailCalendar,
    year: i32,
    granularity: Granularity,
) -> Result<Vec<PlanningPeriod>> {
    if !(1..=12).contains(&cal.end_month) {
        return Err(Error::InvalidParameter {
            name: "end_month",
            reason: format!("{} is not a month (1..=12)", cal.end_month),
        });
    }
    let start = cal.year_start(year)?;
    let weeks = cal.weeks_in_year(year)?;
    let mut period_weeks: Vec<u32> = (0..4).flat_map(|_| cal.pattern.weeks()).collect();
    if weeks == 53 {
        period_weeks[11] += 1;
    }
    let (sizes, tag): (Vec<u32>, &str) = match granularity {
        Granularity::Day => {
            let end = start + chrono::Duration::days(7 * weeks as i64);
            return Ok(days_of(start, end));
        }
        Granularity::Week => (vec![1; weeks as usize], "W"),
        Granularity::Month => (period_weeks, "P"),
        Granularity::Quarter => (
            period_weeks.chunks(3).map(|c| c.iter().sum()).collect(),
            "Q",
        ),
    };
    let mut out = Vec::with_capacity(sizes.len());
    let mut at = start;
    for (k, w) in sizes.iter().enumerate() {
        let end = at + chrono::Duration::days(7 * *w as i64);
        let label = if tag == "Q" {
            format!("FY{year}-Q{}", k + 1)
        } else {
            format!("FY{year}-{tag}{:02}", k + 1)
        };
        out.push(PlanningPeriod {
            label,
            start: at,
            end,
        });
        at = end;
    }
    Ok(out)
}

/// The part of a period falling in one calendar month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthFraction {
    /// Calendar year of the month.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Days of the period in this month.
    pub days: u32,
    /// `days` divided by the period's days.
    pub fraction: f64,
}

/// For a period (typically a week), the fraction of its days in each
/// calendar month, in date order; fractions sum to 1.
///
/// ```
/// use salesplan::plan::calendar::{month_fractions, PlanningCalendar};
/// // ISO 2027-W05 runs Monday 2027-02-01 to Sunday 2027-02-07: all February
/// let weeks = PlanningCalendar::iso_weekly().periods(2027).unwrap();
/// let f = month_fractions(&weeks[4]);
/// assert_eq!((f.len(), f[0].month), (1, 2));
/// // 2027-W13 runs 2027-03-29 to 2027-04-04: 3 days in March, 4 in April
/// let f = month_fractions(&weeks[12]);
/// assert_eq!((f[0].days, f[1].days), (3, 4));
/// ```
pub fn month_fractions(period: &PlanningPeriod) -> Vec<MonthFraction> {
    let total = period.days();
    let mut out = Vec::new();
    if total == 0 {
        return out;
    }
    let mut at = period.start;
    while at < period.end {
        let month_end = last_day_of_month(at.year(), at.month())
            .and_then(|d| d.succ_opt())
            .unwrap_or(period.end);
        let stop = month_end.min(period.end);
        let days = (stop - at).num_days() as u32;
        out.push(MonthFraction {
            year: at.year(),
            month: at.month(),
            days,
            fraction: days as f64 / total as f64,
        });
        at = stop;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_tile_the_year() {
        let cals = [
            PlanningCalendar::monthly(),
            PlanningCalendar::iso_weekly(),
            PlanningCalendar::Gregorian {
                fiscal_start_month: 7,
                granularity: Granularity::Week,
            },
            PlanningCalendar::Gregorian {
                fiscal_start_month: 7,
                granularity: Granularity::Month,
            },
            PlanningCalendar::Gregorian {
                fiscal_start_month: 10,
                granularity: Granularity::Quarter,
            },
            PlanningCalendar::Retail {
                calendar: RetailCalendar::nrf(),
                granularity: Granularity::Week,
            },
            PlanningCalendar::Retail {
                calendar: RetailCalendar {
                    pattern: RetailPattern::P445,
                    end_month: 12,
                    end_weekday: Weekday::Sun,
                    rule: YearEndRule::Nearest,
                },
                granularity: Granularity::Month,
            },
        ];
        for cal in cals {
            for year in 2015..2035 {
                let p = cal.periods(year).unwrap();
                for w in p.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                }
                let (_, end) = cal.year_range(year).unwrap();
                let (next, _) = cal.year_range(year + 1).unwrap();
                assert_eq!(end, next, "{cal:?} {year}");
            }
        }
    }

    #[test]
    fn retail_53_week_years() {
        let nrf = RetailCalendar::nrf();
        // NRF 53-week years: fiscal 2017 (ended 2018-02-03) and fiscal 2023
        // (ended 2024-02-03)
        assert_eq!(nrf.year_end(2018).unwrap(), d("2018-02-03"));
        assert_eq!(nrf.weeks_in_year(2018).unwrap(), 53);
        assert_eq!(nrf.weeks_in_year(2024).unwrap(), 53);
        assert_eq!(nrf.weeks_in_year(2025).unwrap(), 52);
        let cal = PlanningCalendar::Retail {
            calendar: nrf,
            granularity: Granularity::Month,
        };
        let p = cal.periods(2024).unwrap();
        let weeks: Vec<u32> = p.iter().map(|p| p.days() / 7).collect();
        assert_eq!(weeks, [4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 5]);
        assert_eq!(p[0].label, "FY2024-P01");
        assert_eq!(p[0].start, d("2023-01-29"));
        let q = PlanningCalendar::Retail {
            calendar: nrf,
            granularity: Granularity::Quarter,
        }
        .periods(2024)
        .unwrap();
        assert_eq!(
            q.iter().map(|p| p.days() / 7).collect::<Vec<_>>(),
            [13, 13, 13, 14]
        );
    }

    #[test]
    fn fiscal_weeks_follow_the_iso_rule() {
        // with a January start the rule gives the ISO weeks
        for y in 2015..2035 {
            let f = fiscal_weeks(y, 1).unwrap();
            let i = iso_weeks(y).unwrap();
            assert_eq!(f.len(), i.len());
            assert_eq!(
                (f[0].start, f[f.len() - 1].end),
                (i[0].start, i[i.len() - 1].end)
            );
        }
        // FY2027 from April: 2026-04-01 is a Wednesday, so week 1 starts
        // Monday 2026-03-30; 2027-04-01 is a Thursday: its week is FY2028's
        let w = PlanningCalendar::Gregorian {
            fiscal_start_month: 4,
            granularity: Granularity::Week,
        }
        .periods(2027)
        .unwrap();
        assert_eq!(w[0].start, d("2026-03-30"));
        assert_eq!(w[0].label, "FY2027-W01");
        assert_eq!(w.last().unwrap().end, d("2027-03-29"));
        assert_eq!(w.len(), 52);
    }

    #[test]
    fn last_weekday_rule() {
        // Apple: years end on the last Saturday of September; fiscal 2023
        // had 53 weeks (2022-09-25 .. 2023-09-30)
        let apple = RetailCalendar {
            pattern: RetailPattern::P445,
            end_month: 9,
            end_weekday: Weekday::Sat,
            rule: YearEndRule::Last,
        };
        assert_eq!(apple.year_end(2022).unwrap(), d("2022-09-24"));
        assert_eq!(apple.year_end(2023).unwrap(), d("2023-09-30"));
        assert_eq!(apple.year_end(2024).unwrap(), d("2024-09-28"));
        assert_eq!(apple.weeks_in_year(2023).unwrap(), 53);
        assert_eq!(apple.weeks_in_year(2024).unwrap(), 52);
    }

    #[test]
    fn iso_week_years() {
        assert_eq!(iso_weeks(2020).unwrap().len(), 53);
        assert_eq!(iso_weeks(2021).unwrap().len(), 52);
        assert_eq!(iso_weeks(2021).unwrap()[0].start, d("2021-01-04"));
    }

    #[test]
    fn fractions_of_straddling_week() {
        let p = PlanningPeriod {
            label: "x".into(),
            start: d("2026-12-28"),
            end: d("2027-01-04"),
        };
        let f = month_fractions(&p);
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].year, f[0].month, f[0].days), (2026, 12, 4));
        assert_eq!((f[1].year, f[1].month, f[1].days), (2027, 1, 3));
        assert!((f[0].fraction + f[1].fraction - 1.0).abs() < 1e-15);
    }

    #[test]
    fn bad_inputs() {
        let cal = PlanningCalendar::Gregorian {
            fiscal_start_month: 13,
            granularity: Granularity::Month,
        };
        assert!(cal.periods(2027).is_err());
        assert!(PlanningCalendar::monthly().periods(0).is_err());
    }
}
