//! ETS: the exponential-smoothing state-space family of Hyndman, Koehler,
//! Ord & Snyder (*Forecasting with Exponential Smoothing*, 2008), as R's
//! `forecast::ets()` implements it: all 30 forms, maximum-likelihood
//! estimation, analytic or simulated prediction intervals, and automatic
//! selection by AICc ([`AutoEts`]).
//!
//! ```
//! use salesplan::models::ets::AutoEts;
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

pub use spec::{Component, EtsSpec};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::models::Forecast;
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
        crate::stats::check_levels(levels)?;
        let mean = self.point_forecast(h);
        let intervals = intervals::intervals(self, &mean, levels, options)?;
        Ok(Forecast { mean, intervals })
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
