//! Phasing annual targets into planning periods by seasonal profiles.
//!
//! A [`MonthProfile`] gives the share of each calendar month (January to
//! December) in a year's sales. It comes from a node's history
//! ([`MonthProfile::from_history`]: the average share of each month over
//! the last k 12-month blocks) or from its forecast
//! ([`MonthProfile::from_forecast`]); a node with too little history (fewer
//! than 12 months, or nothing sold) takes its parent's profile
//! ([`resolve_profiles`]).
//!
//! A [`Phaser`] turns a profile into weights for the periods of any
//! [`PlanningCalendar`](crate::plan::calendar::PlanningCalendar): each
//! day carries its month's share divided by the month's length, and a
//! period weighs the sum of its days. A week straddling two months is so
//! split by days; a fiscal month or quarter gets exactly its months'
//! shares. Weights are normalised over the plan year's periods.

use chrono::NaiveDate;

use super::Table;
use crate::error::{Error, Result};
use chrono::Datelike;

use crate::plan::calendar::{days_in_month, month_fractions, MonthFraction, PlanningPeriod};

/// Shares of January..December in a year's sales; non-negative, summing
/// to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthProfile {
    shares: [f64; 12],
}

impl MonthProfile {
    /// A profile from twelve non-negative weights (normalised to sum 1).
    ///
    /// ```
    /// use salesplan::plan::phasing::profile::MonthProfile;
    /// let p = MonthProfile::new([1.0, 1.0, 2.0, 1.0, 1.0, 2.0, 1.0, 1.0, 2.0, 1.0, 1.0, 2.0])?;
    /// assert_eq!(p.shares()[2], 2.0 / 16.0);
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn new(weights: [f64; 12]) -> Result<MonthProfile> {
        if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err(Error::InvalidParameter {
                name: "profile",
                reason: format!("weights must be finite and non-negative: {weights:?}"),
            });
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "profile",
                reason: "weights sum to zero".to_string(),
            });
        }
        Ok(MonthProfile {
            shares: weights.map(|w| w / total),
        })
    }

    /// Equal shares (1/12 per month).
    pub fn flat() -> MonthProfile {
        MonthProfile {
            shares: [1.0 / 12.0; 12],
        }
    }

    /// The shares of January..December.
    pub fn shares(&self) -> &[f64; 12] {
        &self.shares
    }

    /// The profile of monthly history `values`, the first in month
    /// `first_month` (1..=12): the average, over the last `years` complete
    /// 12-month blocks counted back from the last value (at least one), of
    /// each calendar month's share of its block. Negative months count as
    /// zero; blocks with nothing sold are skipped. `None` with fewer than
    /// 12 months or nothing sold: use the parent's profile.
    ///
    /// ```
    /// use salesplan::plan::phasing::profile::MonthProfile;
    /// // two years starting in July: December sells twice the other months
    /// let y: Vec<f64> = (0..24).map(|t| if (t + 6) % 12 == 11 { 2.0 } else { 1.0 }).collect();
    /// let p = MonthProfile::from_history(7, &y, 3).unwrap();
    /// assert!((p.shares()[11] - 2.0 / 13.0).abs() < 1e-15);
    /// assert!(MonthProfile::from_history(1, &y[..11], 3).is_none());
    /// ```
    pub fn from_history(first_month: u32, values: &[f64], years: usize) -> Option<MonthProfile> {
        if !(1..=12).contains(&first_month) || values.len() < 12 {
            return None;
        }
        let blocks = years.max(1).min(values.len() / 12);
        let mut acc = [0.0; 12];
        let mut used = 0usize;
        for b in 0..blocks {
            let end = values.len() - 12 * b;
            let start = end - 12;
            let block = &values[start..end];
            let total: f64 = block.iter().map(|v| clean(*v)).sum();
            if total <= 0.0 {
                continue;
            }
            for (t, v) in block.iter().enumerate() {
                let month = (first_month as usize - 1 + start + t) % 12;
                acc[month] += clean(*v) / total;
            }
            used += 1;
        }
        if used == 0 {
            return None;
        }
        MonthProfile::new(acc).ok()
    }

    /// The profile of a monthly forecast `values` (the first in month
    /// `first_month`, 1..=12): each calendar month's share of the total,
    /// negatives as zero. `None` when shorter than 12 months or summing
    /// to zero.
    pub fn from_forecast(first_month: u32, values: &[f64]) -> Option<MonthProfile> {
        if !(1..=12).contains(&first_month) || values.len() < 12 {
            return None;
        }
        let mut acc = [0.0; 12];
        for (t, v) in values.iter().enumerate() {
            acc[(first_month as usize - 1 + t) % 12] += clean(*v);
        }
        MonthProfile::new(acc).ok()
    }
}

/// The first day of `period` inside the month of `fraction`.
fn month_start(period: &PlanningPeriod, fraction: &MonthFraction) -> NaiveDate {
    NaiveDate::from_ymd_opt(fraction.year, fraction.month, 1)
        .map_or(period.start, |d| d.max(period.start))
}

fn clean(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v
    } else {
        0.0
    }
}

/// Each node's profile: its own when it has one, otherwise its nearest
/// ancestor's, otherwise [`MonthProfile::flat`]. `parents[i]` is the index
/// of node i's parent (`None` for a root).
///
/// ```
/// use salesplan::plan::phasing::profile::{resolve_profiles, MonthProfile};
/// let team = MonthProfile::new([2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])?;
/// let p = resolve_profiles(&[None, Some(0), Some(0)], &[Some(team), None, Some(MonthProfile::flat())])?;
/// assert_eq!(p[1], team); // a new rep follows the team
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn resolve_profiles(
    parents: &[Option<usize>],
    own: &[Option<MonthProfile>],
) -> Result<Vec<MonthProfile>> {
    let n = parents.len();
    if own.len() != n {
        return Err(Error::InvalidParameter {
            name: "profiles",
            reason: format!("{} profiles for {n} nodes", own.len()),
        });
    }
    let mut out: Vec<Option<MonthProfile>> = own.to_vec();
    let mut chain = Vec::new();
    for start in 0..n {
        if out[start].is_some() {
            continue;
        }
        chain.clear();
        let mut at = start;
        let found = loop {
            if let Some(p) = out[at] {
                break p;
            }
            chain.push(at);
            if chain.len() > n {
                return Err(Error::InvalidParameter {
                    name: "parents",
                    reason: format!("node {start} is on a cycle"),
                });
            }
            match parents[at] {
                Some(p) if p < n => at = p,
                Some(p) => {
                    return Err(Error::InvalidParameter {
                        name: "parents",
                        reason: format!("node {at} has parent index {p}, only {n} nodes"),
                    })
                }
                None => break MonthProfile::flat(),
            }
        };
        for &c in &chain {
            out[c] = Some(found);
        }
    }
    Ok(out
        .into_iter()
        .map(|p| p.unwrap_or_else(MonthProfile::flat))
        .collect())
}

/// Phases annual values into the periods of one plan year.
///
/// ```
/// use salesplan::plan::phasing::profile::{MonthProfile, Phaser};
/// use salesplan::plan::calendar::PlanningCalendar;
/// let weeks = PlanningCalendar::iso_weekly().periods(2027)?;
/// let phaser = Phaser::new(&weeks);
/// let w = phaser.phase(5200.0, &MonthProfile::flat());
/// assert_eq!(w.len(), 52);
/// assert!((w.iter().sum::<f64>() - 5200.0).abs() < 1e-9);
/// # Ok::<(), salesplan::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Phaser {
    /// per period, per calendar month: days of the period in that month
    /// divided by the month's length
    coefficients: Vec<[f64; 12]>,
    /// fallback weights: each period's share of the year's days
    days: Vec<f64>,
    periods: Vec<PlanningPeriod>,
    /// how a month's share spreads over its days (`None`: evenly)
    shape: Option<DayShape>,
}

/// How each calendar month's share spreads over its days: a weight per
/// day, scaled so that each month's days average 1 (even spreading is all
/// ones). Days outside the shape's range weigh 1.
///
/// ```
/// use chrono::NaiveDate;
/// use salesplan::plan::phasing::profile::{DayShape, MonthProfile, Phaser};
/// use salesplan::plan::calendar::PlanningCalendar;
/// let first = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
/// // weekends sell half a weekday
/// let raw: Vec<f64> = first.iter_days().take(365)
///     .map(|d| if chrono::Datelike::weekday(&d).number_from_monday() > 5 { 0.5 } else { 1.0 })
///     .collect();
/// let shape = DayShape::new(first, raw)?;
/// let days = PlanningCalendar::daily().periods(2027)?;
/// let v = Phaser::with_day_shape(&days, shape).phase(3650.0, &MonthProfile::flat());
/// assert!((v[0] - 2.0 * v[1]).abs() < 1e-9); // Friday 1 January, Saturday 2 January
/// assert!((v[..31].iter().sum::<f64>() - 3650.0 / 12.0).abs() < 1e-9);
/// # Ok::<(), salesplan::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DayShape {
    first: NaiveDate,
    weights: Vec<f64>,
}

impl DayShape {
    /// A shape from one non-negative weight per day from `first` on;
    /// each calendar month's weights are scaled to average 1 over the
    /// month's days in range (a month whose weights are all zero spreads
    /// evenly).
    pub fn new(first: NaiveDate, mut weights: Vec<f64>) -> Result<DayShape> {
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            return Err(Error::InvalidParameter {
                name: "day shape",
                reason: format!("weights must be finite and non-negative, not {w}"),
            });
        }
        let mut start = 0;
        while start < weights.len() {
            let d = first + chrono::Days::new(start as u64);
            let mut end = start;
            while end < weights.len() {
                let e = first + chrono::Days::new(end as u64);
                if (e.year(), e.month()) != (d.year(), d.month()) {
                    break;
                }
                end += 1;
            }
            let block = &mut weights[start..end];
            let mean = block.iter().sum::<f64>() / block.len() as f64;
            for w in block.iter_mut() {
                *w = if mean > 0.0 { *w / mean } else { 1.0 };
            }
            start = end;
        }
        Ok(DayShape { first, weights })
    }

    /// The weight of `day`.
    pub fn weight(&self, day: NaiveDate) -> f64 {
        let k = (day - self.first).num_days();
        if k < 0 {
            return 1.0;
        }
        self.weights.get(k as usize).copied().unwrap_or(1.0)
    }

    /// Sum of the weights of the `days` days from `start`.
    fn sum(&self, start: NaiveDate, days: u32) -> f64 {
        start
            .iter_days()
            .take(days as usize)
            .map(|d| self.weight(d))
            .sum()
    }
}

impl Phaser {
    /// A phaser for `periods` (typically one plan year's).
    pub fn new(periods: &[PlanningPeriod]) -> Phaser {
        let mut coefficients = Vec::with_capacity(periods.len());
        let total_days: f64 = periods.iter().map(|p| p.days() as f64).sum();
        let mut days = Vec::with_capacity(periods.len());
        for p in periods {
            let mut c = [0.0; 12];
            for f in month_fractions(p) {
                c[f.month as usize - 1] += f.days as f64 / days_in_month(f.year, f.month) as f64;
            }
            coefficients.push(c);
            days.push(if total_days > 0.0 {
                p.days() as f64 / total_days
            } else {
                0.0
            });
        }
        Phaser {
            coefficients,
            days,
            periods: periods.to_vec(),
            shape: None,
        }
    }

    /// A phaser for `periods` whose months spread over their days by
    /// `shape` (working days, holidays and events inside the month) rather
    /// than evenly. Month totals are unchanged; weeks and days follow the
    /// shape.
    pub fn with_day_shape(periods: &[PlanningPeriod], shape: DayShape) -> Phaser {
        let mut phaser = Phaser::new(periods);
        for (c, p) in phaser.coefficients.iter_mut().zip(periods) {
            *c = [0.0; 12];
            for f in month_fractions(p) {
                let from = month_start(p, &f);
                c[f.month as usize - 1] +=
                    shape.sum(from, f.days) / days_in_month(f.year, f.month) as f64;
            }
        }
        phaser.shape = Some(shape);
        phaser
    }

    /// Number of periods.
    pub fn len(&self) -> usize {
        self.coefficients.len()
    }

    /// True when there are no periods.
    pub fn is_empty(&self) -> bool {
        self.coefficients.is_empty()
    }

    /// The periods' weights under `profile`, summing to 1 (by days when the
    /// profile is zero on every month the periods touch).
    pub fn weights_into(&self, profile: &MonthProfile, out: &mut [f64]) {
        debug_assert_eq!(out.len(), self.len());
        let mut total = 0.0;
        for (o, c) in out.iter_mut().zip(&self.coefficients) {
            let w: f64 = c.iter().zip(&profile.shares).map(|(c, s)| c * s).sum();
            *o = w;
            total += w;
        }
        if total > 0.0 {
            out.iter_mut().for_each(|o| *o /= total);
        } else {
            out.copy_from_slice(&self.days);
        }
    }

    /// `annual` spread over the periods by `profile`, into `out`.
    pub fn phase_into(&self, annual: f64, profile: &MonthProfile, out: &mut [f64]) {
        self.weights_into(profile, out);
        out.iter_mut().for_each(|o| *o *= annual);
    }

    /// `annual` spread over the periods by `profile`.
    pub fn phase(&self, annual: f64, profile: &MonthProfile) -> Vec<f64> {
        let mut out = vec![0.0; self.len()];
        self.phase_into(annual, profile, &mut out);
        out
    }

    /// `annual` spread by `profile` over the days from `start` to `end`
    /// (both inclusive; `None`: unbounded) — a new hire from their start
    /// date, a leaver up to their last day. Periods without an active day
    /// get zero; all zero when no day of the periods is active. Weighted
    /// by calendar days (when the profile is zero on every active month).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use salesplan::plan::phasing::profile::{MonthProfile, Phaser};
    /// use salesplan::plan::calendar::PlanningCalendar;
    /// let months = PlanningCalendar::monthly().periods(2027)?;
    /// let phaser = Phaser::new(&months);
    /// // joins on 2027-11-16: half of November, then December
    /// let start = NaiveDate::from_ymd_opt(2027, 11, 16);
    /// let v = phaser.phase_active(1500.0, &MonthProfile::flat(), start, None);
    /// assert_eq!(v[9], 0.0);
    /// assert!((v[10] - 500.0).abs() < 1e-9 && (v[11] - 1000.0).abs() < 1e-9);
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn phase_active(
        &self,
        annual: f64,
        profile: &MonthProfile,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Vec<f64> {
        let end = end.and_then(|e| e.succ_opt());
        let mut out = vec![0.0; self.len()];
        let mut days = vec![0.0; self.len()];
        let mut total = 0.0;
        for (k, p) in self.periods.iter().enumerate() {
            let clipped = PlanningPeriod {
                label: String::new(),
                start: start.map_or(p.start, |s| s.max(p.start)),
                end: end.map_or(p.end, |e| e.min(p.end)),
            };
            if clipped.start >= clipped.end {
                continue;
            }
            days[k] = clipped.days() as f64;
            let mut w = 0.0;
            for f in month_fractions(&clipped) {
                let days = match &self.shape {
                    Some(shape) => shape.sum(month_start(&clipped, &f), f.days),
                    None => f.days as f64,
                };
                w += profile.shares[f.month as usize - 1] * days
                    / days_in_month(f.year, f.month) as f64;
            }
            out[k] = w;
            total += w;
        }
        if total <= 0.0 {
            out = days;
            total = out.iter().sum();
        }
        if total > 0.0 {
            out.iter_mut().for_each(|o| *o *= annual / total);
        }
        out
    }

    /// The periods this phaser spreads over.
    pub fn periods(&self) -> &[PlanningPeriod] {
        &self.periods
    }

    /// A table with one row per node: `annuals[i]` phased by
    /// `profiles[i]`.
    pub fn phase_table(&self, annuals: &[f64], profiles: &[MonthProfile]) -> Result<Table> {
        if annuals.len() != profiles.len() {
            return Err(Error::InvalidParameter {
                name: "profiles",
                reason: format!(
                    "{} annual values, {} profiles",
                    annuals.len(),
                    profiles.len()
                ),
            });
        }
        if let Some(i) = annuals.iter().position(|a| !a.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "annuals",
                reason: format!("annual value {i} is not finite ({})", annuals[i]),
            });
        }
        let m = self.len();
        let mut values = vec![0.0; annuals.len() * m];
        for (i, (a, p)) in annuals.iter().zip(profiles).enumerate() {
            self.phase_into(*a, p, &mut values[i * m..(i + 1) * m]);
        }
        Table::new(annuals.len(), m, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::calendar::{Granularity, PlanningCalendar};

    #[test]
    fn monthly_and_fiscal_quarters_get_month_shares() {
        let mut w = [0.0; 12];
        for (m, x) in w.iter_mut().enumerate() {
            *x = (m + 1) as f64;
        }
        let p = MonthProfile::new(w).unwrap();
        let months = PlanningCalendar::monthly().periods(2027).unwrap();
        let out = Phaser::new(&months).phase(78.0, &p);
        for (m, v) in out.iter().enumerate() {
            assert!((v - (m + 1) as f64).abs() < 1e-12);
        }
        let q = PlanningCalendar::Gregorian {
            fiscal_start_month: 4,
            granularity: Granularity::Quarter,
        }
        .periods(2027)
        .unwrap();
        let out = Phaser::new(&q).phase(78.0, &p);
        let want = [
            4.0 + 5.0 + 6.0,
            7.0 + 8.0 + 9.0,
            10.0 + 11.0 + 12.0,
            1.0 + 2.0 + 3.0,
        ];
        for (v, w) in out.iter().zip(want) {
            assert!((v - w).abs() < 1e-12);
        }
    }

    #[test]
    fn straddling_week_split_by_days() {
        // all sales in April: 2027-W13 (3 days March, 4 April) gets 4/30
        let mut w = [0.0; 12];
        w[3] = 1.0;
        let p = MonthProfile::new(w).unwrap();
        let weeks = PlanningCalendar::iso_weekly().periods(2027).unwrap();
        let out = Phaser::new(&weeks).phase(1.0, &p);
        assert!((out[12] - 4.0 / 30.0).abs() < 1e-12);
        assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn forecast_profiles_and_negative_months() {
        // 18 months of forecast from October: Oct-Mar counted twice
        let f: Vec<f64> = (0..18).map(|_| 1.0).collect();
        let p = MonthProfile::from_forecast(10, &f).unwrap();
        assert!((p.shares()[9] - 2.0 / 18.0).abs() < 1e-15);
        assert!((p.shares()[3] - 1.0 / 18.0).abs() < 1e-15);
        assert!(MonthProfile::from_forecast(1, &[1.0; 11]).is_none());
        assert!(MonthProfile::from_forecast(1, &[-1.0; 12]).is_none());
        // returns (negative months) count as zero
        let mut h = vec![1.0; 12];
        h[0] = -5.0;
        let p = MonthProfile::from_history(1, &h, 1).unwrap();
        assert_eq!(p.shares()[0], 0.0);
        assert!((p.shares()[1] - 1.0 / 11.0).abs() < 1e-15);
    }

    #[test]
    fn history_fallbacks() {
        assert!(MonthProfile::from_history(1, &[0.0; 24], 2).is_none());
        assert!(MonthProfile::from_history(13, &[1.0; 24], 2).is_none());
        let p = MonthProfile::from_history(1, &[1.0; 12], 5).unwrap();
        assert_eq!(p, MonthProfile::flat());
        let e = resolve_profiles(&[Some(1), Some(0)], &[None, None]);
        assert!(e.is_err());
        let e = resolve_profiles(&[Some(5)], &[None]);
        assert!(e.is_err());
    }
}
