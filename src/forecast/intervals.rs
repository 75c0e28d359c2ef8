//! Prediction intervals that cover what they claim.
//!
//! A model's own intervals assume the model is right: its form, its
//! parameters and a constant error variance. On real series they are too
//! narrow — on M3, the 95% intervals of AutoETS and of `auto` cover 85% of
//! the yearly and 89% of the quarterly test points. Two corrections, both
//! learnt from rolling-origin backtests inside the history, never from
//! the periods being forecast:
//!
//! - **Calibrated** ([`Widening`]): the batch's model intervals widened by
//!   a factor per level and horizon step. At a backtest origin, a point's
//!   ratio is how far the actual lies from the point forecast in units of
//!   the interval's half-width on that side, r = (y − ŷ)/(U − ŷ) above and
//!   (ŷ − y)/(ŷ − L) below; the point is inside iff r ≤ 1. The factor k is
//!   the level's quantile of r, pooled over the series of the batch (and
//!   neighbouring steps), and the interval becomes
//!   [ŷ − k(ŷ − L), ŷ + k(U − ŷ)]: each series keeps its own width and
//!   asymmetry, the batch sets how far to trust them. This is split
//!   conformal prediction with the model's interval as the score's scale
//!   (Romano, Patterson & Candès 2019, "Conformalized quantile
//!   regression", with ratios for differences).
//! - **Conformal** ([`conformal`]): statsforecast's `ConformalIntervals`:
//!   each series on its own, the half-width at step j the level's quantile
//!   of the absolute errors at step j over its last `windows` backtest
//!   windows. It needs no model interval, but with few windows the
//!   quantiles are rough (with 2 windows the 95% half-width is the larger
//!   of two errors).
//!
//! ```
//! use salesplan::forecast::intervals::Widening;
//! use salesplan::forecast::models::{Forecast, Interval};
//! // backtests whose actuals land at 1.5 half-widths from the point
//! let window = |y: f64| {
//!     let f = Forecast {
//!         mean: vec![10.0],
//!         intervals: vec![Interval { level: 95.0, lower: vec![8.0], upper: vec![12.0] }],
//!     };
//!     (f, vec![y])
//! };
//! let windows: Vec<_> = (0..100).map(|k| window(if k % 2 == 0 { 13.0 } else { 7.0 })).collect();
//! let widening = Widening::learn(&windows, &[95.0]).unwrap();
//! let mut f = windows[0].0.clone();
//! widening.apply(&mut f, false);
//! assert!((f.intervals[0].upper[0] - 13.0).abs() < 1e-9);
//! assert!((f.intervals[0].lower[0] - 7.0).abs() < 1e-9);
//! ```

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::forecast::models::{Forecast, Interval};
use crate::numeric::stats::quantile_type8;

/// How the intervals of a forecast are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalMethod {
    /// The model's own intervals.
    Model,
    /// The model's intervals widened by the batch's backtests ([`Widening`]).
    Calibrated,
    /// Each series' own backtest errors ([`conformal`]) over `windows`
    /// windows.
    Conformal { windows: usize },
}

/// Windows of a conformal interval when `conformal` names none (as
/// statsforecast's `ConformalIntervals(n_windows=2)`).
pub const CONFORMAL_WINDOWS: usize = 2;

/// The most windows a conformal interval takes (each is a refit).
pub const MAX_CONFORMAL_WINDOWS: usize = 20;

impl FromStr for IntervalMethod {
    type Err = Error;

    /// `model`, `calibrated`, `conformal` or `conformal:N` (N windows,
    /// 2–20).
    ///
    /// ```
    /// use salesplan::forecast::intervals::IntervalMethod;
    /// assert_eq!("conformal:5".parse::<IntervalMethod>()?, IntervalMethod::Conformal { windows: 5 });
    /// assert!("conformal:1".parse::<IntervalMethod>().is_err());
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<IntervalMethod> {
        let bad = |reason: String| Error::InvalidParameter {
            name: "intervals",
            reason,
        };
        match s.trim() {
            "model" => Ok(IntervalMethod::Model),
            "calibrated" => Ok(IntervalMethod::Calibrated),
            "conformal" => Ok(IntervalMethod::Conformal {
                windows: CONFORMAL_WINDOWS,
            }),
            other => match other.strip_prefix("conformal:") {
                Some(n) => match n.parse::<usize>() {
                    Ok(w) if (2..=MAX_CONFORMAL_WINDOWS).contains(&w) => {
                        Ok(IntervalMethod::Conformal { windows: w })
                    }
                    _ => Err(bad(format!(
                        "'{other}': the windows of a conformal interval must be a whole number from 2 to {MAX_CONFORMAL_WINDOWS}"
                    ))),
                },
                None => Err(bad(format!(
                    "'{other}' is not one of model, calibrated, conformal, conformal:N"
                ))),
            },
        }
    }
}

impl fmt::Display for IntervalMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntervalMethod::Model => write!(f, "model"),
            IntervalMethod::Calibrated => write!(f, "calibrated"),
            IntervalMethod::Conformal { windows } => write!(f, "conformal:{windows}"),
        }
    }
}

/// Fewer ratios than this for a level: no widening learnt.
pub const MIN_RATIOS: usize = 30;

/// Neighbouring steps are pooled until a step has this many ratios.
const STEP_POOL: usize = 200;

/// Widening factors per level and horizon step, learnt from backtests.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Widening {
    /// The levels, in the order of the forecasts' intervals.
    pub levels: Vec<f64>,
    /// `factors[l][j]`: the factor of level `l` at step `j + 1`.
    pub factors: Vec<Vec<f64>>,
    /// Backtest windows the factors were learnt from.
    pub windows: usize,
}

/// How far `y` lies from the point `mean` in units of the interval's
/// half-width on its side; `None` when that half-width is zero and `y` is
/// not on the point.
fn ratio(mean: f64, lower: f64, upper: f64, y: f64) -> Option<f64> {
    let (gap, half) = if y >= mean {
        (y - mean, upper - mean)
    } else {
        (mean - y, mean - lower)
    };
    if half > 0.0 {
        Some(gap / half)
    } else {
        (gap == 0.0).then_some(0.0)
    }
}

impl Widening {
    /// Learns the factors from backtest windows: each a forecast (with one
    /// interval per level, in the order of `levels`) and the actual values
    /// of its steps. `None` when a level has fewer than [`MIN_RATIOS`]
    /// usable points.
    pub fn learn(windows: &[(Forecast, Vec<f64>)], levels: &[f64]) -> Option<Widening> {
        let steps = windows.iter().map(|(_, y)| y.len()).max().unwrap_or(0);
        let mut factors = Vec::with_capacity(levels.len());
        for (l, level) in levels.iter().enumerate() {
            // ratios per step
            let mut by_step: Vec<Vec<f64>> = vec![Vec::new(); steps];
            for (forecast, actual) in windows {
                let Some(interval) = forecast.intervals.get(l) else {
                    continue;
                };
                for (j, y) in actual.iter().enumerate() {
                    let (Some(m), Some(lo), Some(up)) = (
                        forecast.mean.get(j),
                        interval.lower.get(j),
                        interval.upper.get(j),
                    ) else {
                        continue;
                    };
                    if let Some(r) = ratio(*m, *lo, *up, *y).filter(|r| r.is_finite()) {
                        by_step[j].push(r);
                    }
                }
            }
            if by_step.iter().map(Vec::len).sum::<usize>() < MIN_RATIOS {
                return None;
            }
            let p = level / 100.0;
            let per_step = (0..steps)
                .map(|j| {
                    // widen the band of steps around j until it holds enough
                    let mut reach = 0;
                    loop {
                        let band = j.saturating_sub(reach)..(j + reach + 1).min(steps);
                        let count: usize = by_step[band.clone()].iter().map(Vec::len).sum();
                        if count >= STEP_POOL || band.len() == steps {
                            let mut pooled: Vec<f64> =
                                by_step[band].iter().flatten().copied().collect();
                            pooled.sort_unstable_by(f64::total_cmp);
                            break quantile_type8(&pooled, p);
                        }
                        reach += 1;
                    }
                })
                .collect();
            factors.push(per_step);
        }
        Some(Widening {
            levels: levels.to_vec(),
            factors,
            windows: windows.len(),
        })
    }

    /// The factor of level `l` at step `j` (0-based; past the learnt steps,
    /// the last one's).
    fn factor(&self, l: usize, j: usize) -> f64 {
        let f = &self.factors[l];
        f.get(j).or(f.last()).copied().unwrap_or(1.0)
    }

    /// Widens (or narrows) `forecast`'s intervals in place; with
    /// `nonnegative`, bounds below zero become zero. Intervals stay nested:
    /// a higher level's never lies inside a lower level's.
    pub fn apply(&self, forecast: &mut Forecast, nonnegative: bool) {
        for interval in forecast.intervals.iter_mut() {
            let Some(l) = self.levels.iter().position(|v| *v == interval.level) else {
                continue;
            };
            for j in 0..interval.lower.len() {
                let (Some(m), k) = (forecast.mean.get(j).copied(), self.factor(l, j)) else {
                    continue;
                };
                interval.lower[j] = m - k * (m - interval.lower[j]);
                interval.upper[j] = m + k * (interval.upper[j] - m);
                if nonnegative {
                    interval.lower[j] = interval.lower[j].max(0.0);
                    interval.upper[j] = interval.upper[j].max(0.0);
                }
            }
        }
        nest(&mut forecast.intervals);
    }
}

/// Makes intervals nested: by increasing level, each bound at least as
/// wide as the previous level's.
fn nest(intervals: &mut [Interval]) {
    let mut order: Vec<usize> = (0..intervals.len()).collect();
    order.sort_by(|&a, &b| intervals[a].level.total_cmp(&intervals[b].level));
    for pair in order.windows(2) {
        let (inner, outer) = (pair[0], pair[1]);
        for j in 0..intervals[outer]
            .lower
            .len()
            .min(intervals[inner].lower.len())
        {
            let (lo, up) = (intervals[inner].lower[j], intervals[inner].upper[j]);
            let o = &mut intervals[outer];
            o.lower[j] = o.lower[j].min(lo);
            o.upper[j] = o.upper[j].max(up);
        }
    }
}

/// Conformal intervals around `mean` from a series' own backtests:
/// `errors[w][j]` the absolute error at step `j` of window `w`. The
/// half-width at step j is the level's quantile of the windows' errors at
/// that step (type 8; with few windows, near the largest); with
/// `nonnegative`, bounds below zero become zero.
///
/// ```
/// use salesplan::forecast::intervals::conformal;
/// let errors = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
/// let iv = conformal(&[10.0, 10.0], &errors, &[95.0], false);
/// assert_eq!(iv[0].upper, [13.0, 14.0]);
/// assert_eq!(iv[0].lower, [7.0, 6.0]);
/// ```
pub fn conformal(
    mean: &[f64],
    errors: &[Vec<f64>],
    levels: &[f64],
    nonnegative: bool,
) -> Vec<Interval> {
    let widths: Vec<Vec<f64>> = (0..mean.len())
        .map(|j| {
            let mut e: Vec<f64> = errors.iter().filter_map(|w| w.get(j).copied()).collect();
            e.sort_unstable_by(f64::total_cmp);
            e
        })
        .collect();
    let mut intervals: Vec<Interval> = levels
        .iter()
        .map(|level| {
            let half: Vec<f64> = widths
                .iter()
                .map(|e| {
                    if e.is_empty() {
                        f64::NAN
                    } else {
                        quantile_type8(e, level / 100.0)
                    }
                })
                .collect();
            let clamp = |v: f64| if nonnegative { v.max(0.0) } else { v };
            Interval {
                level: *level,
                lower: mean.iter().zip(&half).map(|(m, h)| clamp(m - h)).collect(),
                upper: mean.iter().zip(&half).map(|(m, h)| clamp(m + h)).collect(),
            }
        })
        .collect();
    nest(&mut intervals);
    intervals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forecast(mean: f64, lo: f64, up: f64, level: f64) -> Forecast {
        Forecast {
            mean: vec![mean; 3],
            intervals: vec![Interval {
                level,
                lower: vec![lo; 3],
                upper: vec![up; 3],
            }],
        }
    }

    #[test]
    fn ratios_measure_each_side_in_its_own_half_width() {
        assert_eq!(ratio(10.0, 8.0, 14.0, 12.0), Some(0.5));
        assert_eq!(ratio(10.0, 8.0, 14.0, 6.0), Some(2.0));
        assert_eq!(ratio(10.0, 10.0, 10.0, 10.0), Some(0.0));
        assert_eq!(ratio(10.0, 10.0, 10.0, 11.0), None);
    }

    #[test]
    fn well_calibrated_backtests_leave_the_intervals_alone() {
        // actuals spread evenly over ratios 0..2 on each side: the 50%
        // quantile of r is 1, so a 50% interval keeps its width
        let windows: Vec<(Forecast, Vec<f64>)> = (0..400)
            .map(|k| {
                let r = 2.0 * (k / 2) as f64 / 200.0;
                let y = if k % 2 == 0 {
                    10.0 + 2.0 * r
                } else {
                    10.0 - 2.0 * r
                };
                (forecast(10.0, 8.0, 12.0, 50.0), vec![y; 3])
            })
            .collect();
        let w = Widening::learn(&windows, &[50.0]).unwrap();
        for k in &w.factors[0] {
            assert!((k - 1.0).abs() < 0.02, "{k}");
        }
    }

    #[test]
    fn widening_is_per_step_and_keeps_nesting_and_sign() {
        // step 3 errors twice those of steps 1-2
        let windows: Vec<(Forecast, Vec<f64>)> = (0..300)
            .map(|k| {
                let e = 4.0 * (k as f64 + 0.5) / 300.0; // uniform 0..4
                let mut f = forecast(10.0, 8.0, 12.0, 80.0);
                f.intervals.push(Interval {
                    level: 95.0,
                    lower: vec![7.0; 3],
                    upper: vec![13.0; 3],
                });
                (f, vec![10.0 + e, 10.0 - e, 10.0 + 2.0 * e])
            })
            .collect();
        let w = Widening::learn(&windows, &[80.0, 95.0]).unwrap();
        assert!(w.factors[0][2] > w.factors[0][0]);
        let mut f = windows[0].0.clone();
        w.apply(&mut f, true);
        let (i80, i95) = (&f.intervals[0], &f.intervals[1]);
        for j in 0..3 {
            assert!(i95.lower[j] <= i80.lower[j] && i95.upper[j] >= i80.upper[j]);
            assert!(i95.lower[j] >= 0.0);
        }
        // 80% of the step-1 errors below 3.2 = 1.6 half-widths
        assert!((w.factors[0][0] - 1.6).abs() < 0.1, "{:?}", w.factors[0]);
    }

    #[test]
    fn too_few_points_learn_nothing() {
        let windows = vec![(forecast(10.0, 8.0, 12.0, 95.0), vec![11.0; 3]); 5];
        assert!(Widening::learn(&windows, &[95.0]).is_none());
    }

    #[test]
    fn conformal_bounds_are_nested_and_nonnegative() {
        let errors = vec![vec![1.0, 5.0], vec![2.0, 20.0], vec![4.0, 8.0]];
        let iv = conformal(&[3.0, 3.0], &errors, &[80.0, 50.0], true);
        assert!(iv[0].lower.iter().all(|v| *v >= 0.0));
        for j in 0..2 {
            assert!(iv[0].upper[j] >= iv[1].upper[j]);
            assert!(iv[0].lower[j] <= iv[1].lower[j]);
        }
    }
}
