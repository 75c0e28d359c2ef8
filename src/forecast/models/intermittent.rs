//! Intermittent-demand methods for sparse sales (many periods without a
//! sale), defined as statsforecast 2.1.1 defines them (`CrostonClassic`,
//! `CrostonOptimized`, `CrostonSBA`, `TSB`, `ADIDA`, `IMAPA` in
//! `statsforecast/models.py`):
//!
//! - **Croston** (1972): SES of the non-zero demand sizes and of the
//!   intervals between them (α = 0.1), forecast = size / interval.
//! - **Croston optimised**: each α chosen in [0.1, 0.3] by golden-section
//!   search on the in-sample squared error.
//! - **SBA** (Syntetos & Boylan 2005): classic Croston × 0.95.
//! - **TSB** (Teunter, Syntetos & Babai 2011): SES of the demand
//!   probability (0/1 per period, α_p) times SES of the sizes (α_d).
//! - **ADIDA** (Nikolopoulos et al. 2011): sums over non-overlapping blocks
//!   of the mean inter-demand interval (rounded), optimised SES on the block
//!   sums, divided back by the block length.
//! - **IMAPA** (Petropoulos & Kourentzes 2015): ADIDA's per-period forecast
//!   averaged over every block length from 1 to the mean interval.
//!
//! SES here is statsforecast's: the first fitted value is the first
//! observation. All forecasts are flat, and non-negative for non-negative
//! data; a series of zeros is forecast zero. These methods have no
//! model-based prediction intervals: `predict` returns none.
//!
//! ```
//! use salesplan::forecast::models::intermittent::Intermittent;
//! let y = [0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 2.0, 0.0, 4.0, 0.0];
//! let fc = Intermittent::CrostonClassic.fit(&y)?.predict(3, &[])?;
//! assert!(fc.mean[0] > 0.0 && fc.mean[0] < 3.0);
//! assert!(fc.intervals.is_empty());
//! # Ok::<(), salesplan::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use super::Forecast;
use crate::error::{Error, Result};

/// An intermittent-demand method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Intermittent {
    CrostonClassic,
    CrostonOptimised,
    CrostonSba,
    Tsb {
        alpha_demand: f64,
        alpha_probability: f64,
    },
    Adida,
    Imapa,
}

/// A fitted intermittent-demand method: its flat forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedIntermittent {
    pub method: Intermittent,
    pub n_obs: usize,
    /// The per-period forecast.
    pub forecast: f64,
}

/// One-step SES forecast with the first fitted value equal to x[0]
/// (statsforecast's `_ses_forecast`); x must be non-empty.
fn ses_forecast(x: &[f64], alpha: f64) -> f64 {
    let mut f = x[0];
    for v in x {
        f = alpha * v + (1.0 - alpha) * f;
    }
    f
}

/// Σ (x_i − f_i)² for i ≥ 1 of the same SES.
fn ses_sse(x: &[f64], alpha: f64) -> f64 {
    let mut f = x[0];
    let mut sse = 0.0;
    for i in 1..x.len() {
        f = alpha * x[i - 1] + (1.0 - alpha) * f;
        sse += (x[i] - f) * (x[i] - f);
    }
    sse
}

/// α in [lower, upper] by golden-section search on [`ses_sse`] (tolerance
/// 1e-12, stopping early on ties), as statsforecast's `golden_section_ses`.
fn golden_section_alpha(x: &[f64], lower: f64, upper: f64) -> f64 {
    let gr = (5.0_f64.sqrt() + 1.0) / 2.0;
    let (mut a, mut b) = (lower, upper);
    let mut c = b - (b - a) / gr;
    let mut d = a + (b - a) / gr;
    let mut fc = ses_sse(x, c);
    let mut fd = ses_sse(x, d);
    while (b - a).abs() >= 1e-12 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - (b - a) / gr;
            fc = ses_sse(x, c);
        } else if fd < fc {
            a = c;
            c = d;
            fc = fd;
            d = a + (b - a) / gr;
            fd = ses_sse(x, d);
        } else {
            break;
        }
    }
    (a + b) / 2.0
}

fn optimised_ses_forecast(x: &[f64]) -> f64 {
    ses_forecast(x, golden_section_alpha(x, 0.1, 0.3))
}

/// Non-zero sizes (positive values, as statsforecast's `_demand`) and the
/// intervals between non-zero values (the first counted from before the start).
fn sizes_and_intervals(y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let sizes = y.iter().copied().filter(|v| *v > 0.0).collect();
    let mut intervals = Vec::new();
    let mut previous = 0usize;
    for (t, v) in y.iter().enumerate() {
        if *v != 0.0 {
            intervals.push((t + 1 - previous) as f64);
            previous = t + 1;
        }
    }
    (sizes, intervals)
}

/// Optimised-SES forecast of block sums of length k (leading remainder dropped).
fn block_forecast(y: &[f64], k: usize) -> f64 {
    let n = y.len();
    let lost = n % k;
    if n - lost < k {
        return y[n - 1];
    }
    let sums: Vec<f64> = y[lost..].chunks_exact(k).map(|c| c.iter().sum()).collect();
    if sums.len() == 1 {
        return sums[0];
    }
    optimised_ses_forecast(&sums)
}

fn mean_interval_rounded(intervals: &[f64]) -> usize {
    let mean = intervals.iter().sum::<f64>() / intervals.len() as f64;
    // numpy's round: half to even
    let r = mean.round();
    let r = if (mean - mean.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - mean.signum()
    } else {
        r
    };
    (r as usize).max(1)
}

impl Intermittent {
    /// TSB with statsforecast-style smoothing parameters, each in (0, 1].
    pub fn tsb(alpha_demand: f64, alpha_probability: f64) -> Result<Intermittent> {
        for (name, a) in [
            ("alpha_demand", alpha_demand),
            ("alpha_probability", alpha_probability),
        ] {
            if !(a > 0.0 && a <= 1.0) {
                return Err(Error::InvalidParameter {
                    name: "TSB smoothing parameter",
                    reason: format!("{name} must be in (0, 1], got {a}"),
                });
            }
        }
        Ok(Intermittent::Tsb {
            alpha_demand,
            alpha_probability,
        })
    }

    /// `CrostonClassic`, `CrostonOptimized`, `CrostonSBA`, `TSB`, `ADIDA`, `IMAPA`.
    pub fn name(&self) -> &'static str {
        match self {
            Intermittent::CrostonClassic => "CrostonClassic",
            Intermittent::CrostonOptimised => "CrostonOptimized",
            Intermittent::CrostonSba => "CrostonSBA",
            Intermittent::Tsb { .. } => "TSB",
            Intermittent::Adida => "ADIDA",
            Intermittent::Imapa => "IMAPA",
        }
    }

    /// Fits to `y` (finite, non-negative values; at least one).
    pub fn fit(&self, y: &[f64]) -> Result<FittedIntermittent> {
        super::check_values(y, 1)?;
        if let Some((index, value)) = y.iter().enumerate().find(|(_, v)| **v < 0.0) {
            return Err(Error::ModelNotApplicable {
                model: self.name().into(),
                reason: format!(
                    "demand must be non-negative; value at position {index} is {value}"
                ),
            });
        }
        let all_zero = y.iter().all(|v| *v == 0.0);
        let (sizes, intervals) = sizes_and_intervals(y);
        let croston = |size: f64, interval: f64| {
            if interval != 0.0 {
                size / interval
            } else {
                size
            }
        };
        let forecast = if all_zero {
            0.0
        } else {
            match *self {
                Intermittent::CrostonClassic | Intermittent::CrostonSba => {
                    let f = croston(ses_forecast(&sizes, 0.1), ses_forecast(&intervals, 0.1));
                    if *self == Intermittent::CrostonSba {
                        0.95 * f
                    } else {
                        f
                    }
                }
                Intermittent::CrostonOptimised => croston(
                    optimised_ses_forecast(&sizes),
                    optimised_ses_forecast(&intervals),
                ),
                Intermittent::Tsb {
                    alpha_demand,
                    alpha_probability,
                } => {
                    let p: Vec<f64> = y.iter().map(|v| f64::from(u8::from(*v != 0.0))).collect();
                    ses_forecast(&p, alpha_probability) * ses_forecast(&sizes, alpha_demand)
                }
                Intermittent::Adida => {
                    let k = mean_interval_rounded(&intervals);
                    block_forecast(y, k) / k as f64
                }
                Intermittent::Imapa => {
                    let max_k = mean_interval_rounded(&intervals);
                    (1..=max_k)
                        .map(|k| block_forecast(y, k) / k as f64)
                        .sum::<f64>()
                        / max_k as f64
                }
            }
        };
        Ok(FittedIntermittent {
            method: *self,
            n_obs: y.len(),
            forecast: forecast.max(0.0),
        })
    }
}

impl FittedIntermittent {
    /// The flat forecast for `h` steps. These methods have no prediction
    /// intervals: the result carries none, whatever `levels` asks (levels
    /// are still validated).
    pub fn predict(&self, h: usize, levels: &[f64]) -> Result<Forecast> {
        if h == 0 {
            return Err(Error::InvalidParameter {
                name: "horizon",
                reason: "must be at least 1".into(),
            });
        }
        crate::numeric::stats::check_levels(levels)?;
        Ok(Forecast {
            mean: vec![self.forecast; h],
            intervals: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        // sizes [4, 2], intervals [3, 2]: SES(0.1) of [4, 2] = 4 then 0.1·2 + 0.9·4 = 3.8
        let y = [0.0, 0.0, 4.0, 0.0, 2.0];
        let f = Intermittent::CrostonClassic.fit(&y).unwrap().forecast;
        assert!((f - 3.8 / 2.9).abs() < 1e-12);
        let sba = Intermittent::CrostonSba.fit(&y).unwrap().forecast;
        assert!((sba - 0.95 * f).abs() < 1e-12);
        assert_eq!(sizes_and_intervals(&y).1, vec![3.0, 2.0]);
        assert_eq!(mean_interval_rounded(&[2.0, 3.0]), 2); // 2.5 rounds to even
    }

    #[test]
    fn edge_cases() {
        for m in [
            Intermittent::CrostonClassic,
            Intermittent::CrostonOptimised,
            Intermittent::CrostonSba,
            Intermittent::tsb(0.2, 0.1).unwrap(),
            Intermittent::Adida,
            Intermittent::Imapa,
        ] {
            assert_eq!(m.fit(&[0.0; 6]).unwrap().forecast, 0.0);
            assert!(m.fit(&[]).is_err());
            assert!(m.fit(&[1.0, -1.0]).is_err());
            assert!(m.fit(&[1.0, f64::NAN]).is_err());
            assert!(m.fit(&[7.0]).unwrap().forecast >= 0.0);
            let fc = m
                .fit(&[0.0, 1e300, 0.0, 1e300])
                .unwrap()
                .predict(2, &[95.0])
                .unwrap();
            assert!(fc.mean.iter().all(|v| v.is_finite() && *v >= 0.0));
        }
        assert!(Intermittent::tsb(0.0, 0.5).is_err());
    }
}
