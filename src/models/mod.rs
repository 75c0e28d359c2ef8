//! Forecasting models, one module per family, and the forecast they produce.

pub mod ets;
pub mod intermittent;
pub mod naive;
pub mod seasonal;
pub mod theta;

use serde::{Deserialize, Serialize};

/// Point forecasts with prediction intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Point forecasts for steps 1..=h.
    pub mean: Vec<f64>,
    /// One interval per requested level, in the order requested.
    pub intervals: Vec<Interval>,
}

/// A central prediction interval at `level` percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub level: f64,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}
