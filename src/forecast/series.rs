//! A validated time series: an id, finite values, and the periods they belong to.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::frequency::{Calendar, DateStyle, Frequency, Period};

/// Where a series' observations sit in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TimeIndex {
    /// Consecutive integer periods starting at `start`.
    Integer { start: i64 },
    /// Consecutive periods of a regular calendar.
    Dated(Calendar),
}

/// The last year a forecast date may fall in.
pub const LAST_YEAR: i32 = 9999;

/// A validated series: at least one observation, all finite, regularly spaced.
///
/// ```
/// use salesplan::Series;
/// let s = Series::new("rep-1", vec![10.0, 12.0, 11.5]).unwrap();
/// assert_eq!(s.len(), 3);
/// assert_eq!(s.future_labels(2).unwrap(), vec!["4", "5"]);
/// assert!(Series::new("bad", vec![1.0, f64::NAN]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    id: String,
    values: Vec<f64>,
    index: TimeIndex,
}

impl Series {
    /// A series on integer periods 1, 2, ...
    pub fn new(id: impl Into<String>, values: Vec<f64>) -> Result<Series> {
        Series::with_index(id, values, TimeIndex::Integer { start: 1 })
    }

    /// A series with an explicit time index.
    pub fn with_index(id: impl Into<String>, values: Vec<f64>, index: TimeIndex) -> Result<Series> {
        let id = id.into();
        if values.is_empty() {
            return Err(Error::EmptySeries { series: id });
        }
        if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite {
                series: id,
                index: i,
                value: *v,
            });
        }
        Ok(Series { id, values, index })
    }

    /// Builds a series from (period, value) pairs in any order. Checks that
    /// periods are all integers or all dates, distinct, and without gaps.
    pub fn from_periods(id: impl Into<String>, rows: Vec<(Period, f64)>) -> Result<Series> {
        Series::from_periods_as(id, rows, None)
    }

    /// As [`Series::from_periods`], with the frequency of dated periods
    /// `stated` rather than inferred ([`Calendar::infer_as`]); integer
    /// periods ignore it.
    pub fn from_periods_as(
        id: impl Into<String>,
        mut rows: Vec<(Period, f64)>,
        stated: Option<Frequency>,
    ) -> Result<Series> {
        let id = id.into();
        rows.sort_by_key(|r| r.0);
        let err = |reason: String| Error::Calendar {
            series: id.clone(),
            reason,
        };
        if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(err(format!("duplicate period {}", describe(&w[0].0))));
        }
        let ints: Vec<i64> = rows
            .iter()
            .filter_map(|(p, _)| match p {
                Period::Index(i) => Some(*i),
                Period::Date(..) => None,
            })
            .collect();
        let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let index = if ints.len() == rows.len() {
            if let Some(w) = ints.windows(2).find(|w| w[1] != w[0] + 1) {
                return Err(err(format!("gap: period {} is followed by {}", w[0], w[1])));
            }
            TimeIndex::Integer {
                start: *ints.first().unwrap_or(&1),
            }
        } else if ints.is_empty() {
            let dates: Vec<_> = rows
                .iter()
                .filter_map(|(p, _)| match p {
                    Period::Date(d, s) => Some((*d, *s)),
                    Period::Index(_) => None,
                })
                .collect();
            TimeIndex::Dated(Calendar::infer_as(&id, &dates, stated)?)
        } else {
            return Err(err("mixes integer periods and dates".into()));
        };
        Series::with_index(id, values, index)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn values(&self) -> &[f64] {
        &self.values
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: a series has at least one value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn index(&self) -> &TimeIndex {
        &self.index
    }

    /// The frequency of a dated series (`None` for integer periods).
    pub fn frequency(&self) -> Option<Frequency> {
        match &self.index {
            TimeIndex::Dated(c) => Some(c.frequency),
            TimeIndex::Integer { .. } => None,
        }
    }

    /// The first day of each observation's period (empty on integer periods).
    pub fn dates(&self) -> Vec<NaiveDate> {
        match &self.index {
            TimeIndex::Dated(cal) => (0..self.len()).filter_map(|k| cal.date(k)).collect(),
            TimeIndex::Integer { .. } => Vec::new(),
        }
    }

    /// How many observations fall before January 1st of `year` (the
    /// history a plan for `year` may use); 0 on integer periods.
    ///
    /// ```
    /// use salesplan::forecast::frequency::Period;
    /// use salesplan::Series;
    /// let rows = ["2025-11", "2025-12", "2026-01"].iter().zip([1.0, 2.0, 3.0]);
    /// let rows = rows.map(|(d, y)| Ok((Period::parse(d)?, y))).collect::<salesplan::Result<_>>()?;
    /// let s = Series::from_periods("a", rows)?;
    /// assert_eq!(s.before_year(2026), 2);
    /// assert_eq!(s.year_total(2025), 3.0);
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn before_year(&self, year: i32) -> usize {
        self.dates().iter().take_while(|d| d.year() < year).count()
    }

    /// The last `months` observations before `year`, summed and scaled to
    /// twelve months (fewer when the history is shorter; 0 without any).
    ///
    /// ```
    /// use salesplan::forecast::frequency::Period;
    /// use salesplan::Series;
    /// let rows = ["2025-10", "2025-11", "2025-12", "2026-01"].iter().zip([1.0, 2.0, 3.0, 9.0]);
    /// let rows = rows.map(|(d, y)| Ok((Period::parse(d)?, y))).collect::<salesplan::Result<_>>()?;
    /// let s = Series::from_periods("a", rows)?;
    /// assert_eq!(s.trailing_year(2026, 2), (2.0 + 3.0) * 6.0);
    /// assert_eq!(s.trailing_year(2026, 12), 6.0 * 4.0); // three months, scaled
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn trailing_year(&self, year: i32, months: usize) -> f64 {
        let keep = self.before_year(year);
        let from = keep.saturating_sub(months);
        if keep == from {
            return 0.0;
        }
        self.values[from..keep].iter().sum::<f64>() * 12.0 / (keep - from) as f64
    }

    /// The sum of the observations dated in `year`.
    pub fn year_total(&self, year: i32) -> f64 {
        self.dates()
            .iter()
            .zip(&self.values)
            .filter(|(d, _)| d.year() == year)
            .map(|(_, v)| v)
            .sum()
    }

    /// Labels of the `h` periods after the last observation, on the series'
    /// calendar; `None` when one falls after the year [`LAST_YEAR`]
    /// (four-digit ISO dates, which other tools read back).
    pub fn future_labels(&self, h: usize) -> Option<Vec<String>> {
        self.index.labels_after(self.len(), h)
    }

    /// The label of observation `k`.
    pub fn label(&self, k: usize) -> String {
        self.index.label(k)
    }

    /// This series followed by `later` (the same id's newer data, e.g.
    /// this year's actuals after the history): periods in both must hold
    /// the same value, and together they must leave no gap.
    ///
    /// ```
    /// use salesplan::forecast::frequency::Period;
    /// use salesplan::Series;
    /// let rows = |from: i64, values: &[f64]| -> Vec<(Period, f64)> {
    ///     values.iter().enumerate().map(|(k, v)| (Period::Index(from + k as i64), *v)).collect()
    /// };
    /// let history = Series::from_periods("a", rows(1, &[1.0, 2.0, 3.0]))?;
    /// let joined = history.join(&Series::from_periods("a", rows(3, &[3.0, 4.0]))?)?;
    /// assert_eq!(joined.values(), [1.0, 2.0, 3.0, 4.0]);
    /// assert!(history.join(&Series::from_periods("a", rows(3, &[5.0]))?).is_err()); // 3 ≠ 5
    /// assert!(history.join(&Series::from_periods("a", rows(5, &[5.0]))?).is_err()); // gap at 4
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn join(&self, later: &Series) -> Result<Series> {
        let mut rows: Vec<(Period, f64)> = self
            .periods()
            .into_iter()
            .zip(self.values.iter().copied())
            .collect();
        let known: std::collections::HashMap<Period, f64> = rows.iter().copied().collect();
        for (k, (p, v)) in later
            .periods()
            .into_iter()
            .zip(later.values.iter().copied())
            .enumerate()
        {
            match known.get(&p) {
                Some(&was) if was == v => {}
                Some(&was) => {
                    return Err(Error::Calendar {
                        series: self.id.clone(),
                        reason: format!(
                            "period {}: {was} in the earlier data, {v} in the later",
                            later.label(k)
                        ),
                    })
                }
                None => rows.push((p, v)),
            }
        }
        let frequency = match &self.index {
            TimeIndex::Dated(cal) => Some(cal.frequency),
            TimeIndex::Integer { .. } => None,
        };
        Series::from_periods_as(self.id.clone(), rows, frequency)
    }

    /// The period of every observation.
    fn periods(&self) -> Vec<Period> {
        (0..self.len())
            .map(|k| match &self.index {
                TimeIndex::Integer { start } => Period::Index(start + k as i64),
                TimeIndex::Dated(cal) => Period::Date(cal.date(k).unwrap_or(cal.start), cal.style),
            })
            .collect()
    }
}

impl TimeIndex {
    /// Labels of the `h` periods after the first `n`; `None` when one falls
    /// after the year [`LAST_YEAR`].
    pub fn labels_after(&self, n: usize, h: usize) -> Option<Vec<String>> {
        match self {
            TimeIndex::Integer { start } => (0..h)
                .map(|k| {
                    i64::try_from(n + k)
                        .ok()
                        .and_then(|k| start.checked_add(k))
                        .map(|v| v.to_string())
                })
                .collect(),
            TimeIndex::Dated(cal) => (0..h)
                .map(|k| {
                    cal.date(n + k)
                        .filter(|d| d.year() <= LAST_YEAR)
                        .map(|d| cal.label(d))
                })
                .collect(),
        }
    }

    /// The label of period `k` (0 the first).
    pub fn label(&self, k: usize) -> String {
        match self {
            TimeIndex::Integer { start } => (start + k as i64).to_string(),
            TimeIndex::Dated(cal) => cal
                .date(k)
                .map(|d| cal.label(d))
                .unwrap_or_else(|| "out-of-range".to_string()),
        }
    }
}

fn describe(p: &Period) -> String {
    match p {
        Period::Index(i) => i.to_string(),
        Period::Date(d, DateStyle::Quarter) => {
            use chrono::Datelike;
            format!("{}Q{}", d.year(), (d.month() - 1) / 3 + 1)
        }
        Period::Date(d, DateStyle::Month) => d.format("%Y-%m").to_string(),
        Period::Date(d, DateStyle::Day) => d.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_series_continues_its_calendar() {
        let rows = ["2024-03", "2024-01", "2024-02"]
            .iter()
            .map(|s| (Period::parse(s).unwrap(), 1.0))
            .collect();
        let s = Series::from_periods("a", rows).unwrap();
        assert_eq!(s.frequency(), Some(Frequency::Monthly));
        assert_eq!(s.future_labels(2).unwrap(), vec!["2024-04", "2024-05"]);
        assert_eq!(s.label(0), "2024-01");
    }

    #[test]
    fn duplicates_and_mixtures_are_rejected() {
        let dup = vec![(Period::Index(1), 1.0), (Period::Index(1), 2.0)];
        assert!(Series::from_periods("a", dup)
            .unwrap_err()
            .to_string()
            .contains("duplicate"));
        let mixed = vec![
            (Period::Index(1), 1.0),
            (Period::parse("2024-01").unwrap(), 2.0),
        ];
        assert!(Series::from_periods("a", mixed).is_err());
    }
}
