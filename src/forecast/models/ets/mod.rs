//! ETS: the exponential-smoothing state-space family of Hyndman, Koehler,
//! Ord & Snyder (*Forecasting with Exponential Smoothing*, 2008), as R's
//! `forecast::ets()` implements it: all 30 forms, maximum-likelihood
//! estimation, analytic or simulated prediction intervals, and automatic
//! selection by AICc ([`AutoEts`]).
//!
//! ```
//! use salesplan::forecast::models::ets::AutoEts;
//! let y: Vec<f64> = (0..48)
//!     .map(|t| (200.0 + 2.0 * t as f64) * [1.1, 0.9, 0.95, 1.05][t % 4])
//!     .collect();
//! let fit = AutoEts::new(4).fit(&y).unwrap();
//! let fc = fit.predict(8, &[80.0, 95.0]).unwrap();
//! assert_eq!(fc.mean.len(), 8);
//! assert!(fc.intervals[1].lower[0] < fc.mean[0] && fc.mean[0] < fc.intervals[1].upper[0]);
//! ```

mod admissible;
mod auto;
mod filter;
mod fit;
mod init;
mod intervals;
mod spec;

pub use admissible::{Bounds, ParameterBox};
pub use auto::{AutoEts, Candidate, InformationCriterion, Search};
pub use fit::{Criterion, Ets};
pub use intervals::CommonShocks;

pub use spec::{Component, EtsSpec};

/// A seed for one item of a batch: `seed` mixed with a hash of `id`
/// (FNV-1a, then SplitMix64), so every series gets its own random stream,
/// independent of the order or the thread it runs on.
///
/// ```
/// use salesplan::forecast::models::ets::stream_seed;
/// assert_eq!(stream_seed(1, "a"), stream_seed(1, "a"));
/// assert_ne!(stream_seed(1, "a"), stream_seed(1, "b"));
/// assert_ne!(stream_seed(1, "a"), stream_seed(2, "a"));
/// ```
pub fn stream_seed(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in id.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    let mut z = seed ^ h.rotate_left(32);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::models::Forecast;
use filter::{Smoothing, Structure};

/// Level, slope and seasonal states at one time (seasonals newest first, as R).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EtsState {
    pub level: f64,
    pub slope: Option<f64>,
    pub seasonal: Vec<f64>,
}

/// A fitted ETS model: parameters, states, fit statistics and in-sample
/// fitted values. Serialises with serde and forecasts identically after loading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedEts {
    pub spec: EtsSpec,
    /// Season length (1 for non-seasonal forms).
    pub season_length: usize,
    pub alpha: f64,
    pub beta: Option<f64>,
    pub gamma: Option<f64>,
    pub phi: Option<f64>,
    /// States before the first observation.
    pub initial: EtsState,
    /// States after the last observation: the forecast origin.
    pub last: EtsState,
    /// Residual variance Σe²/(n − k), e relative for multiplicative error.
    pub sigma2: f64,
    /// R's log-likelihood: −½ (n log Σe² + 2 Σ log|ŷ| for M error), constants dropped.
    pub loglik: f64,
    pub aic: f64,
    /// AICc; `None` when the series is too short for its correction term.
    pub aicc: Option<f64>,
    pub bic: f64,
    /// Mean squared one-step error.
    pub mse: f64,
    /// In-sample mean squared errors at steps 1..=nmse.
    pub amse: Vec<f64>,
    pub n_obs: usize,
    /// Estimated parameters (smoothing + free initial states), without σ.
    pub n_parameters: usize,
    pub fitted: Vec<f64>,
    /// Residuals: y − ŷ (additive error) or (y − ŷ)/ŷ (multiplicative).
    pub residuals: Vec<f64>,
    /// Objective evaluations spent by the optimiser.
    pub evaluations: usize,
}

/// Which distribution turns analytic variances into interval bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum IntervalDistribution {
    /// Gaussian quantiles, as R's `forecast.ets` and the textbook.
    Normal,
    /// Student-t quantiles with n − k degrees of freedom: σ² is estimated
    /// from n − k residuals, the classical small-sample correction (as for
    /// regression prediction intervals). Wider for short series, nearly
    /// normal for long ones; better calibrated on M3 (see BENCHMARKS.md).
    #[default]
    StudentT,
}

/// How prediction intervals are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntervalOptions {
    /// Quantiles for the analytic classes 1–3.
    pub distribution: IntervalDistribution,
    /// Sample paths for the simulated classes 4–5.
    pub paths: usize,
    /// Seed of the simulation (the same seed gives the same intervals).
    pub seed: u64,
}

impl Default for IntervalOptions {
    fn default() -> Self {
        IntervalOptions {
            distribution: IntervalDistribution::default(),
            paths: 5000,
            seed: 20_081_001,
        }
    }
}

impl IntervalOptions {
    /// R's choices: normal quantiles, 5000 paths.
    pub fn r_compatible() -> IntervalOptions {
        IntervalOptions {
            distribution: IntervalDistribution::Normal,
            ..IntervalOptions::default()
        }
    }
}

impl FittedEts {
    pub(crate) fn smoothing(&self) -> Smoothing {
        Smoothing {
            alpha: self.alpha,
            beta: self.beta.unwrap_or(0.0),
            gamma: self.gamma.unwrap_or(0.0),
            phi: self.phi.unwrap_or(1.0),
        }
    }

    pub(crate) fn structure(&self) -> Structure {
        Structure {
            spec: self.spec,
            m: self.season_length,
        }
    }

    /// Point forecasts for steps 1..=h (the plain recursion from the last state).
    pub fn point_forecast(&self, h: usize) -> Vec<f64> {
        self.structure().forecast(
            &self.smoothing(),
            self.last.level,
            self.last.slope.unwrap_or(0.0),
            &self.last.seasonal,
            h,
        )
    }

    /// Forecasts `h` steps with central prediction intervals at `levels`
    /// (percent), with the default [`IntervalOptions`].
    pub fn predict(&self, h: usize, levels: &[f64]) -> Result<Forecast> {
        self.predict_with(h, levels, IntervalOptions::default())
    }

    /// As [`predict`](Self::predict), with explicit interval settings.
    pub fn predict_with(
        &self,
        h: usize,
        levels: &[f64],
        options: IntervalOptions,
    ) -> Result<Forecast> {
        if h == 0 {
            return Err(Error::InvalidParameter {
                name: "horizon",
                reason: "must be at least 1".into(),
            });
        }
        crate::numeric::stats::check_levels(levels)?;
        let mean = self.point_forecast(h);
        let intervals = intervals::intervals(self, &mean, levels, options)?;
        Ok(Forecast { mean, intervals })
    }

    /// `paths` seeded sample paths of the next `h` periods, for every form
    /// (the same simulation that gives classes 4–5 their intervals): path
    /// `k` is `out[k]`, `h` values. Errors are N(0, σ²), relative for a
    /// multiplicative error (truncated at −1 so such paths stay positive).
    ///
    /// The same `seed` gives the same paths on any machine and thread; to
    /// give each series of a batch its own stream, mix the series id into
    /// the seed with [`stream_seed`].
    ///
    /// Fails with [`Error::ModelNotApplicable`] when a path breaks down (a
    /// multiplicative slope turning negative), rather than returning NaN.
    ///
    /// ```
    /// use salesplan::forecast::models::ets::{stream_seed, AutoEts};
    /// let y: Vec<f64> = (0..48).map(|t| 100.0 + [5.0, -5.0, 10.0, -10.0][t % 4] + t as f64).collect();
    /// let fit = AutoEts::new(4).fit(&y).unwrap();
    /// let seed = stream_seed(42, "rep-1");
    /// let paths = fit.simulate(12, 500, seed).unwrap();
    /// assert_eq!((paths.len(), paths[0].len()), (500, 12));
    /// assert_eq!(paths, fit.simulate(12, 500, seed).unwrap());
    /// // the mean of the paths is close to the point forecast
    /// let mean = paths.iter().map(|p| p[0]).sum::<f64>() / 500.0;
    /// assert!((mean - fit.point_forecast(1)[0]).abs() < 0.1 * mean.abs());
    /// ```
    pub fn simulate(&self, h: usize, paths: usize, seed: u64) -> Result<Vec<Vec<f64>>> {
        let flat = intervals::sample_paths(self, h, paths, seed, None)?;
        if flat.iter().any(|v| !v.is_finite()) {
            return Err(Error::ModelNotApplicable {
                model: self.spec.to_string(),
                reason: "simulated paths broke down (negative multiplicative slope)".into(),
            });
        }
        if h == 0 {
            return Ok(vec![Vec::new(); paths]);
        }
        Ok(flat.chunks_exact(h).map(<[f64]>::to_vec).collect())
    }

    /// As [`simulate`](Self::simulate), writing each path's weighted total
    /// `Σ_t weights[t] · max(y_t, floor)` over the `weights.len()` steps
    /// into `out` (one entry per path) without keeping the paths: annual
    /// totals of many series at little memory. Weights pick a window (0
    /// outside it) or scale months (a leaver's zero after the end date).
    ///
    /// ```
    /// use salesplan::forecast::models::ets::AutoEts;
    /// let y: Vec<f64> = (0..36).map(|t| 100.0 + (t % 12) as f64).collect();
    /// let fit = AutoEts::new(12).fit(&y).unwrap();
    /// let mut second_year = vec![0.0; 24];
    /// second_year[12..].iter_mut().for_each(|w| *w = 1.0);
    /// let mut totals = vec![0.0; 100];
    /// fit.simulate_sums_into(&second_year, Some(0.0), 7, &mut totals).unwrap();
    /// let paths = fit.simulate(24, 100, 7).unwrap();
    /// let direct: f64 = paths[3][12..].iter().map(|v| v.max(0.0)).sum();
    /// assert!((totals[3] - direct).abs() < 1e-9 * direct);
    /// ```
    pub fn simulate_sums_into(
        &self,
        weights: &[f64],
        floor: Option<f64>,
        seed: u64,
        out: &mut [f64],
    ) -> Result<()> {
        self.simulate_sums_with(weights, floor, seed, None, out)
    }

    /// As [`simulate_sums_into`](Self::simulate_sums_into), with errors
    /// correlated across series through a shared factor ([`CommonShocks`]).
    pub fn simulate_sums_with(
        &self,
        weights: &[f64],
        floor: Option<f64>,
        seed: u64,
        common: Option<&CommonShocks>,
        out: &mut [f64],
    ) -> Result<()> {
        let h = weights.len();
        let flat = intervals::sample_paths(self, h, out.len(), seed, common)?;
        for (sum, path) in out.iter_mut().zip(flat.chunks_exact(h.max(1))) {
            let mut total = 0.0;
            for (&v, &w) in path.iter().zip(weights) {
                if !v.is_finite() {
                    return Err(Error::ModelNotApplicable {
                        model: self.spec.to_string(),
                        reason: "simulated paths broke down (negative multiplicative slope)".into(),
                    });
                }
                if w != 0.0 {
                    total += w * floor.map_or(v, |f| v.max(f));
                }
            }
            *sum = total;
        }
        if h == 0 {
            out.iter_mut().for_each(|v| *v = 0.0);
        }
        Ok(())
    }

    /// Serialises the fitted model to JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Serde(e.to_string()))
    }

    /// Loads a fitted model saved by [`to_json`](Self::to_json).
    pub fn from_json(text: &str) -> Result<FittedEts> {
        serde_json::from_str(text).map_err(|e| Error::Serde(e.to_string()))
    }
}
