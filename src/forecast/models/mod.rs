//! Forecasting models, one module per family, and the forecast they produce.

pub mod arima;
pub mod ensemble;
pub mod ets;
pub mod intermittent;
pub mod mstl;
pub mod naive;
pub mod nonnegative;
pub mod seasonal;
pub mod stl;
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

/// Checks a model's input: every value finite (else [`NonFinite`] naming
/// the position) and at least `needed` of them (else [`TooShort`]). The
/// series id is filled in by the batch layer.
///
/// [`NonFinite`]: crate::Error::NonFinite
/// [`TooShort`]: crate::Error::TooShort
pub(crate) fn check_values(y: &[f64], needed: usize) -> crate::Result<()> {
    if let Some((index, value)) = y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(crate::Error::NonFinite {
            series: String::new(),
            index,
            value: *value,
        });
    }
    if y.len() < needed {
        return Err(crate::Error::TooShort {
            series: String::new(),
            needed,
            got: y.len(),
        });
    }
    Ok(())
}
