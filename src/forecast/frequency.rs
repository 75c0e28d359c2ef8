//! Frequencies, period labels and the calendar a series follows.
//!
//! A period label is either a plain integer index (as in the M3 data) or a
//! date written `YYYY-MM-DD`, `YYYY-MM` or `YYYYQn` (also `YYYY-Qn`).
//! A [`Calendar`] knows the date of the k-th period after the first, so that
//! forecasts continue a series on its own calendar.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How often a dated series is observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

impl Frequency {
    /// The usual season length: 7 (daily: the week), 52 (weekly), 12, 4, 1.
    ///
    /// ```
    /// use salesplan::forecast::frequency::Frequency;
    /// assert_eq!(Frequency::Monthly.season_length(), 12);
    /// ```
    pub fn season_length(self) -> usize {
        match self {
            Frequency::Daily => 7,
            Frequency::Weekly => 52,
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
            Frequency::Yearly => 1,
        }
    }

    /// Months between two periods (0 for daily and weekly).
    fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::Yearly => 12,
            Frequency::Daily | Frequency::Weekly => 0,
        }
    }

    fn days(self) -> u64 {
        match self {
            Frequency::Daily => 1,
            Frequency::Weekly => 7,
            _ => 0,
        }
    }
}

impl std::fmt::Display for Frequency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
        };
        f.write_str(s)
    }
}

impl std::str::FromStr for Frequency {
    type Err = String;

    /// `daily`, `weekly`, `monthly`, `quarterly`, `yearly`, or pandas'
    /// aliases as statsforecast's `freq` takes them (`D`, `W`, `M`/`MS`,
    /// `Q`/`QS`, `Y`/`YS`/`A`; anchors such as `W-SUN` or `QS-JAN` are
    /// accepted and read by their first part).
    ///
    /// ```
    /// use salesplan::forecast::frequency::Frequency;
    /// assert_eq!("MS".parse::<Frequency>(), Ok(Frequency::Monthly));
    /// assert_eq!("W-SUN".parse::<Frequency>(), Ok(Frequency::Weekly));
    /// assert!("fortnightly".parse::<Frequency>().is_err());
    /// ```
    fn from_str(text: &str) -> std::result::Result<Frequency, String> {
        let t = text.trim();
        let head = t.split('-').next().unwrap_or(t);
        match (t.to_ascii_lowercase().as_str(), head) {
            ("daily" | "day", _) | (_, "D" | "B") => Ok(Frequency::Daily),
            ("weekly" | "week", _) | (_, "W") => Ok(Frequency::Weekly),
            ("monthly" | "month", _) | (_, "M" | "MS" | "ME") => Ok(Frequency::Monthly),
            ("quarterly" | "quarter", _) | (_, "Q" | "QS" | "QE") => Ok(Frequency::Quarterly),
            ("yearly" | "year" | "annual", _) | (_, "Y" | "YS" | "YE" | "A" | "AS") => {
                Ok(Frequency::Yearly)
            }
            _ => Err(format!(
                "unknown frequency '{t}' (daily, weekly, monthly, quarterly, yearly, or pandas' D, W, MS, QS, YS)"
            )),
        }
    }
}

/// How a date label was written, so output labels look like input labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DateStyle {
    /// `2024-03-31`
    Day,
    /// `2024-03`
    Month,
    /// `2024Q1`
    Quarter,
}

/// One parsed period label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// A plain integer period index.
    Index(i64),
    /// A calendar date (month and quarter labels become their first day).
    Date(NaiveDate, DateStyle),
}

impl Period {
    /// Parses a label: an integer, `YYYY-MM-DD`, `YYYY-MM`, `YYYYQn` or `YYYY-Qn`.
    ///
    /// ```
    /// use salesplan::forecast::frequency::{Period, DateStyle};
    /// use chrono::NaiveDate;
    /// assert_eq!(Period::parse("17").unwrap(), Period::Index(17));
    /// let q3 = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    /// assert_eq!(Period::parse("2024Q3").unwrap(), Period::Date(q3, DateStyle::Quarter));
    /// assert!(Period::parse("2024-13").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Period> {
        let t = text.trim();
        let bad = || Error::BadDate {
            value: text.to_string(),
        };
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Period::Index(i));
        }
        let b = t.as_bytes();
        if b.len() >= 6 && b[..4].iter().all(u8::is_ascii_digit) {
            let year: i32 = t[..4].parse().map_err(|_| bad())?;
            let rest = t[4..].trim_start_matches('-');
            if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                let q: u32 = q.parse().map_err(|_| bad())?;
                if !(1..=4).contains(&q) {
                    return Err(bad());
                }
                let d = NaiveDate::from_ymd_opt(year, 3 * q - 2, 1).ok_or_else(bad)?;
                return Ok(Period::Date(d, DateStyle::Quarter));
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(Period::Date(d, DateStyle::Day));
        }
        if t.len() == 7 && t.as_bytes()[4] == b'-' {
            let year: i32 = t[..4].parse().map_err(|_| bad())?;
            let month: u32 = t[5..].parse().map_err(|_| bad())?;
            let d = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
            return Ok(Period::Date(d, DateStyle::Month));
        }
        Err(bad())
    }
}

/// The regular calendar of a dated series: its first date and frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub start: NaiveDate,
    pub frequency: Frequency,
    pub style: DateStyle,
    /// Monthly/quarterly/yearly dates pinned to the month's last day.
    pub month_end: bool,
}

fn is_month_end(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(|n| n.month() != d.month())
}

fn month_end_of(d: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

impl Calendar {
    /// The date of period `k` (0 is the first).
    pub fn date(&self, k: usize) -> Option<NaiveDate> {
        let k32 = u32::try_from(k).ok()?;
        match self.frequency {
            Frequency::Daily | Frequency::Weekly => self
                .start
                .checked_add_days(Days::new(self.frequency.days() * k as u64)),
            f => {
                let d = self
                    .start
                    .checked_add_months(Months::new(f.months().checked_mul(k32)?))?;
                Some(if self.month_end { month_end_of(d) } else { d })
            }
        }
    }

    /// Formats a date in the calendar's style.
    pub fn label(&self, d: NaiveDate) -> String {
        match self.style {
            DateStyle::Day => d.format("%Y-%m-%d").to_string(),
            DateStyle::Month => d.format("%Y-%m").to_string(),
            DateStyle::Quarter => format!("{}Q{}", d.year(), (d.month() - 1) / 3 + 1),
        }
    }

    /// Infers the calendar of sorted, distinct dates and checks that they
    /// have no gaps. `series` names the series in errors. One `YYYY-MM-DD`
    /// date cannot show its frequency: that is an error (see
    /// [`Calendar::infer_as`]).
    pub fn infer(series: &str, dates: &[(NaiveDate, DateStyle)]) -> Result<Calendar> {
        Calendar::infer_as(series, dates, None)
    }

    /// As [`Calendar::infer`], with the frequency `stated` (e.g. by
    /// `--freq`) instead of read off the first two dates; the dates must
    /// follow it.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use salesplan::forecast::frequency::{Calendar, DateStyle, Frequency};
    /// let one = [(NaiveDate::from_ymd_opt(2024, 3, 4).unwrap(), DateStyle::Day)];
    /// assert!(Calendar::infer("a", &one).is_err()); // daily? weekly? monthly?
    /// let weekly = Calendar::infer_as("a", &one, Some(Frequency::Weekly)).unwrap();
    /// assert_eq!(weekly.date(1), NaiveDate::from_ymd_opt(2024, 3, 11));
    /// ```
    pub fn infer_as(
        series: &str,
        dates: &[(NaiveDate, DateStyle)],
        stated: Option<Frequency>,
    ) -> Result<Calendar> {
        let err = |reason: String| Error::Calendar {
            series: series.to_string(),
            reason,
        };
        let (start, style) = *dates.first().ok_or_else(|| err("no dates".into()))?;
        if let Some(other) = dates.iter().find(|(_, s)| *s != style) {
            return Err(err(format!(
                "mixed date formats ({} and {})",
                Calendar::describe_style(style),
                Calendar::describe_style(other.1)
            )));
        }
        let frequency = match (style, stated) {
            (DateStyle::Quarter, None | Some(Frequency::Quarterly)) => Frequency::Quarterly,
            (DateStyle::Quarter | DateStyle::Month, Some(f @ (Frequency::Daily | Frequency::Weekly)))
            | (DateStyle::Quarter, Some(f)) => {
                return Err(err(format!(
                    "{} labels cannot be {f} (stated frequency)",
                    Calendar::describe_style(style)
                )))
            }
            (_, Some(f)) => f,
            (DateStyle::Month, None) if dates.len() == 1 => Frequency::Monthly,
            (_, None) if dates.len() == 1 => {
                return Err(err(format!(
                    "one date ({start}) cannot show the series' frequency: state it with --freq (daily, weekly, monthly, quarterly, yearly)"
                )))
            }
            _ => {
                let (a, b) = (dates[0].0, dates[1].0);
                let days = (b - a).num_days();
                let months = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
                match (days, months) {
                    (1, _) => Frequency::Daily,
                    (7, _) => Frequency::Weekly,
                    (_, 1) => Frequency::Monthly,
                    (_, 3) => Frequency::Quarterly,
                    (_, 12) => Frequency::Yearly,
                    _ => {
                        return Err(err(format!(
                            "cannot infer a frequency from {a} followed by {b} (daily, weekly, monthly, quarterly or yearly expected)"
                        )))
                    }
                }
            }
        };
        let month_end = frequency.months() > 0
            && style == DateStyle::Day
            && dates.iter().all(|(d, _)| is_month_end(*d))
            && dates.iter().any(|(d, _)| d.day() != 1);
        let cal = Calendar {
            start,
            frequency,
            style,
            month_end,
        };
        for (k, (d, _)) in dates.iter().enumerate() {
            let expected = cal.date(k);
            if expected != Some(*d) {
                let prev = dates[k - 1].0;
                return Err(err(match expected {
                    Some(e) if *d > e => format!(
                        "gap in a {frequency} series: {} is followed by {} (expected {})",
                        cal.label(prev),
                        cal.label(*d),
                        cal.label(e)
                    ),
                    _ => format!(
                        "mixed frequencies: {} follows {} in a series that started {frequency}",
                        cal.label(*d),
                        cal.label(prev)
                    ),
                }));
            }
        }
        Ok(cal)
    }

    fn describe_style(s: DateStyle) -> &'static str {
        match s {
            DateStyle::Day => "YYYY-MM-DD",
            DateStyle::Month => "YYYY-MM",
            DateStyle::Quarter => "YYYYQn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn infers_month_end_monthly() {
        let dates: Vec<_> = [
            d(2023, 11, 30),
            d(2023, 12, 31),
            d(2024, 1, 31),
            d(2024, 2, 29),
        ]
        .into_iter()
        .map(|x| (x, DateStyle::Day))
        .collect();
        let cal = Calendar::infer("s", &dates).unwrap();
        assert_eq!(cal.frequency, Frequency::Monthly);
        assert_eq!(cal.date(4), Some(d(2024, 3, 31)));
    }

    #[test]
    fn detects_gap_and_mixed_frequency() {
        let gap: Vec<_> = [d(2024, 1, 1), d(2024, 2, 1), d(2024, 4, 1)]
            .into_iter()
            .map(|x| (x, DateStyle::Day))
            .collect();
        let e = Calendar::infer("s", &gap).unwrap_err().to_string();
        assert!(e.contains("gap"), "{e}");
        let mixed: Vec<_> = [d(2024, 1, 1), d(2024, 1, 8), d(2024, 1, 9)]
            .into_iter()
            .map(|x| (x, DateStyle::Day))
            .collect();
        let e = Calendar::infer("s", &mixed).unwrap_err().to_string();
        assert!(e.contains("mixed frequencies"), "{e}");
    }

    #[test]
    fn quarter_labels_round_trip() {
        let p = Period::parse("2023Q4").unwrap();
        let Period::Date(date, style) = p else {
            panic!()
        };
        let cal = Calendar::infer("s", &[(date, style)]).unwrap();
        assert_eq!(cal.label(cal.date(1).unwrap()), "2024Q1");
    }
}
