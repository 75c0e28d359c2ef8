//! Baseline methods, the yardsticks every accuracy metric is relative to:
//! naive, seasonal naive, drift, mean, window average and Naive2 (naive on
//! classically seasonally adjusted data, the M-competitions' benchmark).
//!
//! Prediction intervals follow R's forecast package (`naive`, `snaive`,
//! `rwf(drift = TRUE)`, `meanf`): normal quantiles with the random-walk
//! variances, Student-t for the mean.
//!
//! ```
//! use salesplan::forecast::models::naive::Baseline;
//! let y = [10.0, 12.0, 11.0, 13.0, 14.0];
//! let fc = Baseline::Drift.fit(&y)?.predict(2, &[95.0])?;
//! assert_eq!(fc.mean, vec![15.0, 16.0]);
//! let fc = Baseline::SeasonalNaive { season_length: 2 }.fit(&y)?.predict(3, &[])?;
//! assert_eq!(fc.mean, vec![13.0, 14.0, 13.0]);
//! # Ok::<(), salesplan::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use super::seasonal::SeasonalAdjustment;
use super::{Forecast, Interval};
use crate::error::{Error, Result};
use crate::numeric::stats::{check_levels, normal_quantile, student_t_quantile};

/// An unfitted baseline method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Baseline {
    /// The last value, repeated.
    Naive,
    /// The value one season earlier.
    SeasonalNaive { season_length: usize },
    /// The last value plus the average change per period (random walk with drift).
    Drift,
    /// The mean of all observations.
    Mean,
    /// The mean of the last `window` observations.
    WindowAverage { window: usize },
    /// Naive on data divided by classical multiplicative seasonal indices
    /// when the 90% seasonality test says seasonal
    /// ([`SeasonalAdjustment::test_and_fit`]), re-seasonalised.
    Naive2 { season_length: usize },
}

/// How the interval variances grow with the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Spread {
    /// σ² · k(h), k the number of random-walk steps (h, or ⌈h/m⌉).
    RandomWalk { sigma: f64, lag: usize },
    /// σ² · h + (h · se(b))².
    Drift { sigma: f64, slope_se: f64 },
    /// s · sqrt(1 + 1/n), Student-t with n − 1 degrees of freedom.
    Mean { sd: f64, n: usize },
}

/// A fitted baseline: what it forecasts from and how uncertain it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedBaseline {
    pub method: Baseline,
    pub n_obs: usize,
    /// The values repeated by the forecast (one, or the last season).
    pub last: Vec<f64>,
    /// The change per period added at each step (drift only; else 0).
    pub slope: f64,
    /// Seasonal indices (Naive2 only).
    pub adjustment: SeasonalAdjustment,
    spread: Option<Spread>,
}

/// RMS of y_t − y_{t−lag}; `None` without any pair.
fn lag_sigma(y: &[f64], lag: usize) -> Option<f64> {
    if y.len() <= lag {
        return None;
    }
    let ss: f64 = (lag..y.len()).map(|t| (y[t] - y[t - lag]).powi(2)).sum();
    Some((ss / (y.len() - lag) as f64).sqrt())
}

fn mean_spread(y: &[f64]) -> (f64, Option<Spread>) {
    let n = y.len();
    let mean = y.iter().sum::<f64>() / n as f64;
    let spread = (n >= 2).then(|| {
        let ss: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
        Spread::Mean {
            sd: (ss / (n - 1) as f64).sqrt(),
            n,
        }
    });
    (mean, spread)
}

impl Baseline {
    /// A short name: `Naive`, `SNaive`, `Drift`, `Mean`, `WindowAverage(6)`, `Naive2`.
    pub fn name(&self) -> String {
        match self {
            Baseline::Naive => "Naive".into(),
            Baseline::SeasonalNaive { .. } => "SNaive".into(),
            Baseline::Drift => "Drift".into(),
            Baseline::Mean => "Mean".into(),
            Baseline::WindowAverage { window } => format!("WindowAverage({window})"),
            Baseline::Naive2 { .. } => "Naive2".into(),
        }
    }

    /// Fits the method to `y` (finite values, oldest first). Seasonal naive
    /// needs a full season, drift two points, the others one; intervals need
    /// one more (see [`FittedBaseline::predict`]).
    pub fn fit(&self, y: &[f64]) -> Result<FittedBaseline> {
        let n = y.len();
        let base = |last: Vec<f64>, spread: Option<Spread>| FittedBaseline {
            method: *self,
            n_obs: n,
            last,
            slope: 0.0,
            adjustment: SeasonalAdjustment::none(),
            spread,
        };
        match *self {
            Baseline::Naive => {
                super::check_values(y, 1)?;
                let spread = lag_sigma(y, 1).map(|sigma| Spread::RandomWalk { sigma, lag: 1 });
                Ok(base(vec![y[n - 1]], spread))
            }
            Baseline::SeasonalNaive { season_length: m } => {
                if m == 0 {
                    return Err(Error::InvalidParameter {
                        name: "season length",
                        reason: "must be at least 1".into(),
                    });
                }
                super::check_values(y, m)?;
                let spread = lag_sigma(y, m).map(|sigma| Spread::RandomWalk { sigma, lag: m });
                Ok(base(y[n - m..].to_vec(), spread))
            }
            Baseline::Drift => {
                super::check_values(y, 2)?;
                let slope = (y[n - 1] - y[0]) / (n - 1) as f64;
                let spread = (n >= 3).then(|| {
                    let ss: f64 = (1..n).map(|t| (y[t] - y[t - 1] - slope).powi(2)).sum();
                    let sigma = (ss / (n - 2) as f64).sqrt();
                    Spread::Drift {
                        sigma,
                        slope_se: sigma / ((n - 1) as f64).sqrt(),
                    }
                });
                Ok(FittedBaseline {
                    slope,
                    ..base(vec![y[n - 1]], spread)
                })
            }
            Baseline::Mean => {
                super::check_values(y, 1)?;
                let (mean, spread) = mean_spread(y);
                Ok(base(vec![mean], spread))
            }
            Baseline::WindowAverage { window } => {
                if window == 0 {
                    return Err(Error::InvalidParameter {
                        name: "window",
                        reason: "must be at least 1".into(),
                    });
                }
                super::check_values(y, window)?;
                let (mean, spread) = mean_spread(&y[n - window..]);
                Ok(base(vec![mean], spread))
            }
            Baseline::Naive2 { season_length: m } => {
                super::check_values(y, 1)?;
                let adjustment = SeasonalAdjustment::test_and_fit(y, m);
                let adjusted = adjustment.adjust(y);
                let spread =
                    lag_sigma(&adjusted, 1).map(|sigma| Spread::RandomWalk { sigma, lag: 1 });
                Ok(FittedBaseline {
                    adjustment,
                    ..base(vec![adjusted[n - 1]], spread)
                })
            }
        }
    }
}

impl FittedBaseline {
    /// Forecasts `h` steps with intervals at `levels` (percent). Intervals
    /// need a residual spread: two points for naive and mean, m + 1 for
    /// seasonal naive, three for drift; with fewer, asking for levels is a
    /// [`Error::TooShort`] (an empty `levels` always works).
    pub fn predict(&self, h: usize, levels: &[f64]) -> Result<Forecast> {
        if h == 0 {
            return Err(Error::InvalidParameter {
                name: "horizon",
                reason: "must be at least 1".into(),
            });
        }
        check_levels(levels)?;
        let k = self.last.len().max(1);
        let mut mean: Vec<f64> = (0..h)
            .map(|j| self.last[j % k] + self.slope * (j + 1) as f64)
            .collect();
        let mut intervals = Vec::with_capacity(levels.len());
        if !levels.is_empty() {
            let spread = self.spread.ok_or(Error::TooShort {
                series: String::new(),
                needed: match self.method {
                    Baseline::SeasonalNaive { season_length } => season_length + 1,
                    Baseline::Drift => 3,
                    Baseline::WindowAverage { window } => window.max(2),
                    _ => 2,
                },
                got: self.n_obs,
            })?;
            for &level in levels {
                let p = 0.5 + level / 200.0;
                let (lower, upper): (Vec<f64>, Vec<f64>) = (0..h)
                    .map(|j| {
                        let steps = (j + 1) as f64;
                        let half = match spread {
                            Spread::RandomWalk { sigma, lag } => {
                                normal_quantile(p)? * sigma * ((j / lag + 1) as f64).sqrt()
                            }
                            Spread::Drift { sigma, slope_se } => {
                                normal_quantile(p)?
                                    * (sigma * sigma * steps + (steps * slope_se).powi(2)).sqrt()
                            }
                            Spread::Mean { sd, n } => {
                                student_t_quantile(p, (n - 1) as f64)?
                                    * sd
                                    * (1.0 + 1.0 / n as f64).sqrt()
                            }
                        };
                        let index = self.adjustment.index(self.n_obs + j);
                        Ok(((mean[j] - half) * index, (mean[j] + half) * index))
                    })
                    .collect::<Result<Vec<_>>>()?
                    .into_iter()
                    .unzip();
                intervals.push(Interval {
                    level,
                    lower,
                    upper,
                });
            }
        }
        self.adjustment.reseasonalise(self.n_obs, &mut mean);
        Ok(Forecast { mean, intervals })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Y: [f64; 10] = [
        112.0, 118.0, 132.0, 129.0, 121.0, 135.0, 148.0, 148.0, 136.0, 119.0,
    ];

    fn close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < tol, "{a:?} vs {b:?}");
        }
    }

    // Reference values: R 4.2.2, forecast 8.20, on y = AirPassengers[1:10]:
    //   naive(y, 3, level = 95); rwf(y, 3, drift = TRUE, level = 95);
    //   meanf(y, 3, level = 95); snaive(ts(y, frequency = 4), 5, level = 95)
    #[test]
    fn naive_matches_r() {
        let fc = Baseline::Naive
            .fit(&Y)
            .unwrap()
            .predict(3, &[95.0])
            .unwrap();
        close(&fc.mean, &[119.0; 3], 1e-12);
        close(
            &fc.intervals[0].lower,
            &[97.302_255_42, 88.314_755_34, 81.418_403_98],
            1e-6,
        );
    }

    #[test]
    fn drift_matches_r() {
        let fc = Baseline::Drift
            .fit(&Y)
            .unwrap()
            .predict(3, &[95.0])
            .unwrap();
        close(
            &fc.mean,
            &[119.777_777_8, 120.555_555_6, 121.333_333_3],
            1e-6,
        );
        close(
            &fc.intervals[0].lower,
            &[95.578_907_08, 84.662_829_90, 75.419_204_41],
            1e-6,
        );
    }

    #[test]
    fn mean_matches_r() {
        let fc = Baseline::Mean.fit(&Y).unwrap().predict(2, &[95.0]).unwrap();
        close(&fc.mean, &[129.8; 2], 1e-12);
        close(&fc.intervals[0].lower, &[100.382_677_7; 2], 1e-6);
    }

    #[test]
    fn snaive_matches_r() {
        let b = Baseline::SeasonalNaive { season_length: 4 };
        let fc = b.fit(&Y).unwrap().predict(5, &[95.0]).unwrap();
        close(&fc.mean, &[148.0, 148.0, 136.0, 119.0, 148.0], 1e-12);
        close(
            &fc.intervals[0].lower,
            &[
                117.342_587_77,
                117.342_587_77,
                105.342_587_77,
                88.342_587_77,
                104.643_871_83,
            ],
            1e-6,
        );
    }

    #[test]
    fn naive2_without_seasonality_is_naive() {
        let fc = Baseline::Naive2 { season_length: 4 }
            .fit(&Y)
            .unwrap()
            .predict(3, &[80.0])
            .unwrap();
        let naive = Baseline::Naive
            .fit(&Y)
            .unwrap()
            .predict(3, &[80.0])
            .unwrap();
        assert_eq!(fc, naive);
    }

    #[test]
    fn naive2_reseasonalises() {
        let y: Vec<f64> = (0..40)
            .map(|t| 100.0 * [1.3, 0.7, 1.0, 1.0][t % 4])
            .collect();
        let fc = Baseline::Naive2 { season_length: 4 }
            .fit(&y)
            .unwrap()
            .predict(4, &[])
            .unwrap();
        close(&fc.mean, &[130.0, 70.0, 100.0, 100.0], 1e-9);
    }

    #[test]
    fn edge_cases() {
        assert!(Baseline::Naive.fit(&[]).is_err());
        assert!(Baseline::Naive.fit(&[1.0, f64::NAN]).is_err());
        let one = Baseline::Naive.fit(&[5.0]).unwrap();
        assert_eq!(one.predict(2, &[]).unwrap().mean, vec![5.0, 5.0]);
        assert!(matches!(
            one.predict(2, &[95.0]),
            Err(Error::TooShort { .. })
        ));
        let c = Baseline::Drift
            .fit(&[3.0; 6])
            .unwrap()
            .predict(2, &[95.0])
            .unwrap();
        assert_eq!(c.intervals[0].lower, vec![3.0, 3.0]);
        assert!(Baseline::SeasonalNaive { season_length: 12 }
            .fit(&Y)
            .is_err());
        let w = Baseline::WindowAverage { window: 3 }.fit(&Y).unwrap();
        assert!((w.predict(1, &[]).unwrap().mean[0] - 134.333_333_333_333_3).abs() < 1e-9);
        let big = Baseline::Mean
            .fit(&[1e300, 1e300])
            .unwrap()
            .predict(1, &[])
            .unwrap();
        assert!(big.mean[0].is_finite());
    }
}
