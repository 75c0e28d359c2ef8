//! Non-negative forecasts for quantities that cannot go below zero (sales).
//!
//! A model's forecast distribution at each step is replaced by the same
//! distribution **censored at zero**: the quantity sold is `max(Y, 0)`, all
//! probability mass below zero is moved onto zero. For a censored
//! distribution the quantiles are exactly `max(q, 0)` for any distribution,
//! so every interval bound below zero becomes 0 and bounds above zero are
//! unchanged. The point forecast is one of:
//!
//! - [`NonNegativePoint::Mean`] (the default): the mean of the censored
//!   distribution. For a normal forecast `N(μ, σ²)`,
//!   `E[max(Y, 0)] = μ Φ(μ/σ) + σ φ(μ/σ)`, which is ≥ `max(μ, 0)` and
//!   equals μ to rounding when μ is several σ above zero. μ is the model's
//!   point forecast and σ is read off the model's own 68.27% interval
//!   (`σ = (hi − lo) / 2`, requested internally): exact when the model's
//!   forecast is normal (standard Theta, the baselines, additive-error ETS
//!   with normal intervals), the normal matched at ±1σ otherwise
//!   (Student-t or simulated intervals). Models without intervals
//!   (intermittent-demand methods) get `max(μ, 0)`.
//! - [`NonNegativePoint::Median`]: the median of the censored distribution,
//!   `max(μ, 0)` for a symmetric forecast.
//!
//! When μ is far below zero the censored mean is a small positive number
//! that can exceed an upper bound of 0: most of the mass is at zero, a
//! little above. That is the mean of the distribution, not an error; choose
//! the median if the point forecast must lie inside the intervals.
//!
//! ```
//! use salesplan::forecast::models::nonnegative::{censor, NonNegativePoint, SIGMA_LEVEL};
//! use salesplan::forecast::models::{Forecast, Interval};
//! // N(-1, 1) at one step: the 68.27% interval is [-2, 0]
//! let fc = Forecast {
//!     mean: vec![-1.0],
//!     intervals: vec![
//!         Interval { level: 95.0, lower: vec![-2.96], upper: vec![0.96] },
//!         Interval { level: SIGMA_LEVEL, lower: vec![-2.0], upper: vec![0.0] },
//!     ],
//! };
//! let out = censor(&fc, NonNegativePoint::Mean, Some(1)).unwrap();
//! // E[max(Y,0)] = -Φ(-1) + φ(-1) = 0.0833155
//! assert!((out.mean[0] - 0.083_315_5).abs() < 1e-6);
//! assert_eq!(out.intervals.len(), 1); // the internal 68.27% interval is dropped
//! assert_eq!((out.intervals[0].lower[0], out.intervals[0].upper[0]), (0.0, 0.96));
//! ```

use serde::{Deserialize, Serialize};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use crate::error::{Error, Result};
use crate::forecast::models::Forecast;

/// The level (percent) of the central interval `μ ± σ` of a normal
/// distribution: `100 (2Φ(1) − 1)`.
pub const SIGMA_LEVEL: f64 = 68.268_949_213_708_58;

/// Which point forecast a non-negative forecast reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum NonNegativePoint {
    /// The mean of the distribution censored at zero.
    #[default]
    Mean,
    /// The median of the distribution censored at zero: `max(μ, 0)`.
    Median,
}

impl std::str::FromStr for NonNegativePoint {
    type Err = Error;
    fn from_str(s: &str) -> Result<NonNegativePoint> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mean" => Ok(NonNegativePoint::Mean),
            "median" => Ok(NonNegativePoint::Median),
            _ => Err(Error::InvalidParameter {
                name: "nonnegative",
                reason: format!("'{s}': expected mean or median"),
            }),
        }
    }
}

impl std::fmt::Display for NonNegativePoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NonNegativePoint::Mean => "mean",
            NonNegativePoint::Median => "median",
        })
    }
}

/// The forecast `predict` makes at `levels` (and σ's level, which it is
/// asked for too), censored at zero with `point` ([`censor`]): how
/// `--nonnegative` forecasts are made from any model.
pub fn predict_censored(
    levels: &[f64],
    point: NonNegativePoint,
    predict: impl FnOnce(&[f64]) -> Result<Forecast>,
) -> Result<Forecast> {
    crate::numeric::stats::check_levels(levels)?;
    let (all, k) = levels_with_sigma(levels);
    let forecast = predict(&all)?;
    let has_sigma = forecast.intervals.len() == all.len();
    let mut censored = censor(&forecast, point, has_sigma.then_some(k))?;
    if has_sigma && all.len() == levels.len() {
        // the caller asked for the 68.27% level itself: put it back, censored
        let mut interval = forecast.intervals[k].clone();
        for v in interval.lower.iter_mut().chain(interval.upper.iter_mut()) {
            *v = v.max(0.0);
        }
        censored.intervals.insert(k, interval);
    }
    Ok(censored)
}

/// The levels to ask a model for so that [`censor`] can read σ: `levels`
/// plus [`SIGMA_LEVEL`] when absent, and the position of that interval.
pub fn levels_with_sigma(levels: &[f64]) -> (Vec<f64>, usize) {
    match levels.iter().position(|l| *l == SIGMA_LEVEL) {
        Some(k) => (levels.to_vec(), k),
        None => {
            let mut all = levels.to_vec();
            all.push(SIGMA_LEVEL);
            (all, levels.len())
        }
    }
}

/// Censors `forecast` at zero (see the module docs). `sigma_interval` is
/// the index of the [`SIGMA_LEVEL`] interval in `forecast.intervals`; it is
/// removed from the result unless it is the only way the caller asked for
/// that level (pass `None` when the forecast has no such interval: the
/// point is then `max(μ, 0)` whatever `point` says).
pub fn censor(
    forecast: &Forecast,
    point: NonNegativePoint,
    sigma_interval: Option<usize>,
) -> Result<Forecast> {
    let h = forecast.mean.len();
    let sigma: Option<Vec<f64>> = match sigma_interval {
        Some(k) => {
            let i = forecast.intervals.get(k).ok_or(Error::InvalidParameter {
                name: "nonnegative",
                reason: format!("no interval at position {k}"),
            })?;
            if i.level != SIGMA_LEVEL || i.lower.len() != h || i.upper.len() != h {
                return Err(Error::InvalidParameter {
                    name: "nonnegative",
                    reason: format!("interval {k} is not the {SIGMA_LEVEL}% interval"),
                });
            }
            Some(
                i.lower
                    .iter()
                    .zip(&i.upper)
                    .map(|(lo, hi)| ((hi - lo) / 2.0).max(0.0))
                    .collect(),
            )
        }
        None => None,
    };
    let normal = Normal::standard();
    let mean = forecast
        .mean
        .iter()
        .enumerate()
        .map(|(t, &mu)| match (point, &sigma) {
            (NonNegativePoint::Mean, Some(s)) if s[t] > 0.0 && s[t].is_finite() => {
                let a = mu / s[t];
                (mu * normal.cdf(a) + s[t] * normal.pdf(a)).max(0.0)
            }
            _ => mu.max(0.0),
        })
        .collect();
    let intervals = forecast
        .intervals
        .iter()
        .enumerate()
        .filter(|(k, _)| Some(*k) != sigma_interval)
        .map(|(_, i)| {
            let mut i = i.clone();
            for v in i.lower.iter_mut().chain(i.upper.iter_mut()) {
                *v = v.max(0.0);
            }
            i
        })
        .collect();
    Ok(Forecast { mean, intervals })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::models::Interval;

    fn normal_forecast(mu: &[f64], sigma: f64, levels: &[f64]) -> Forecast {
        let intervals = levels
            .iter()
            .map(|&level| {
                let z = crate::numeric::stats::normal_quantile(0.5 + level / 200.0).unwrap();
                Interval {
                    level,
                    lower: mu.iter().map(|m| m - z * sigma).collect(),
                    upper: mu.iter().map(|m| m + z * sigma).collect(),
                }
            })
            .collect();
        Forecast {
            mean: mu.to_vec(),
            intervals,
        }
    }

    #[test]
    fn sigma_level_is_one_sigma() {
        let z = crate::numeric::stats::normal_quantile(0.5 + SIGMA_LEVEL / 200.0).unwrap();
        assert!((z - 1.0).abs() < 1e-12);
    }

    #[test]
    fn censored_mean_and_bounds() {
        let mu = [-30.0, -1.0, 0.0, 2.0, 50.0];
        let (levels, k) = levels_with_sigma(&[80.0, 95.0]);
        let fc = normal_forecast(&mu, 2.0, &levels);
        let mean = censor(&fc, NonNegativePoint::Mean, Some(k)).unwrap();
        let median = censor(&fc, NonNegativePoint::Median, Some(k)).unwrap();
        assert_eq!(mean.intervals.len(), 2);
        // at μ = 0: σ φ(0) = 2 / sqrt(2π)
        assert!((mean.mean[2] - 2.0 / (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-9);
        assert!((mean.mean[4] - 50.0).abs() < 1e-9);
        assert_eq!(median.mean, [0.0, 0.0, 0.0, 2.0, 50.0]);
        for out in [&mean, &median] {
            for (t, m) in mu.iter().enumerate() {
                assert!(out.mean[t] >= 0.0 && out.mean[t] >= m.max(0.0) - 1e-12);
                let (i80, i95) = (&out.intervals[0], &out.intervals[1]);
                assert!(0.0 <= i95.lower[t] && i95.lower[t] <= i80.lower[t]);
                assert!(i80.lower[t] <= i80.upper[t] && i80.upper[t] <= i95.upper[t]);
            }
        }
        // bounds above zero are untouched
        assert_eq!(mean.intervals[1].upper[4], fc.intervals[1].upper[4]);
        // without σ: max(μ, 0)
        let plain = Forecast {
            mean: vec![-1.0, 3.0],
            intervals: vec![],
        };
        assert_eq!(
            censor(&plain, NonNegativePoint::Mean, None).unwrap().mean,
            [0.0, 3.0]
        );
        assert!(censor(&plain, NonNegativePoint::Mean, Some(0)).is_err());
    }

    #[test]
    fn parse_point() {
        assert_eq!(
            "Median".parse::<NonNegativePoint>().unwrap(),
            NonNegativePoint::Median
        );
        assert!("mode".parse::<NonNegativePoint>().is_err());
        assert_eq!(NonNegativePoint::default().to_string(), "mean");
    }
}
