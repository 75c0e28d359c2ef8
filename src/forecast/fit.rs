//! One model family fitted to one series, in one shape whatever the family
//! ([`ModelOutput`]: the forecast, the form fitted, its season length and
//! AICc). The model choice ([`crate::forecast::model_choice`]) and the
//! automatic rule ([`crate::forecast::select`]) both fit through these
//! functions, so neither depends on the other's dispatch.
//!
//! ```
//! use salesplan::forecast::fit;
//! let y: Vec<f64> = (0..36).map(|t| 50.0 + t as f64 + [3.0, -3.0, 1.0, -1.0][t % 4]).collect();
//! let out = fit::ets(&y, 4, None, 8, &[80.0])?;
//! assert!(out.aicc.is_some());
//! assert_eq!(out.forecast.mean.len(), 8);
//! # Ok::<(), salesplan::Error>(())
//! ```

use crate::error::Result;
use crate::forecast::models::arima::auto::AutoArima;
use crate::forecast::models::arima::{Arima, ArimaSpec};
use crate::forecast::models::ensemble::M4Comb;
use crate::forecast::models::ets::{AutoEts, Ets, EtsSpec};
use crate::forecast::models::intermittent::Intermittent;
use crate::forecast::models::mstl::{AdjustedModel, FittedAdjusted, Mstl};
use crate::forecast::models::naive::Baseline;
use crate::forecast::models::theta::{AutoTheta, Theta, ThetaMethod};
use crate::forecast::models::Forecast;

/// What one model produced for one series.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelOutput {
    pub forecast: Forecast,
    /// The form or variant fitted (`MAdM`, `DOTM`, ...).
    pub form: String,
    /// The season length the model used (1 when non-seasonal).
    pub season_length: usize,
    /// AICc, for models that have one.
    pub aicc: Option<f64>,
    /// Why this model was used, for automatic choices (`auto`).
    pub reason: Option<String>,
}

impl ModelOutput {
    /// An output without criterion or reason.
    fn plain(forecast: Forecast, form: String, season_length: usize) -> ModelOutput {
        ModelOutput {
            forecast,
            form,
            season_length,
            aicc: None,
            reason: None,
        }
    }
}

/// ETS of the given form, or with `spec` `None` the form chosen by AICc
/// ([`AutoEts`]); the form is the ETS code (`MAdM`).
pub fn ets(
    y: &[f64],
    m: usize,
    spec: Option<EtsSpec>,
    h: usize,
    levels: &[f64],
) -> Result<ModelOutput> {
    let fit = match spec {
        Some(spec) => Ets::new(spec, m)?.fit(y)?,
        None => AutoEts::new(m).fit(y)?,
    };
    Ok(ModelOutput {
        forecast: fit.predict(h, levels)?,
        form: fit.spec.to_string(),
        season_length: fit.season_length,
        aicc: fit.aicc,
        reason: None,
    })
}

/// A seasonal ARIMA of the given orders at season length `m`, or with
/// `spec` `None` the orders chosen per series ([`AutoArima`]); the form is
/// R's name of the fit (`ARIMA(0,1,1)(0,1,1)[12]`).
pub fn arima(
    y: &[f64],
    m: usize,
    spec: Option<ArimaSpec>,
    h: usize,
    levels: &[f64],
) -> Result<ModelOutput> {
    let fit = match spec {
        Some(spec) => Arima::new(spec, m)?.fit(y)?,
        None => AutoArima::default().fit(y, m)?,
    };
    Ok(ModelOutput {
        forecast: fit.predict(h, levels)?,
        form: fit.name(),
        season_length: fit.period,
        aicc: fit.aicc.is_finite().then_some(fit.aicc),
        reason: None,
    })
}

/// A Theta method, or with `method` `None` the variant chosen on a holdout
/// of the horizon's length ([`AutoTheta`]); the form is the variant's name.
pub fn theta(
    y: &[f64],
    m: usize,
    method: Option<ThetaMethod>,
    h: usize,
    levels: &[f64],
) -> Result<ModelOutput> {
    let fit = match method {
        Some(method) => Theta::new(method, m).fit(y)?,
        None => AutoTheta::new(m).with_holdout(h).fit(y)?,
    };
    Ok(ModelOutput::plain(
        fit.predict(h, levels)?,
        fit.method.name().to_string(),
        m,
    ))
}

/// The M4 benchmark Comb ([`M4Comb`]); the form lists its members.
pub fn m4_comb(y: &[f64], m: usize, h: usize, levels: &[f64]) -> Result<ModelOutput> {
    let fit = M4Comb::new(m).fit(y)?;
    Ok(ModelOutput::plain(
        fit.predict(h, levels)?,
        format!("Comb({})", fit.members().join("+")),
        if fit.adjustment.is_seasonal() { m } else { 1 },
    ))
}

/// A baseline method, reported as `form` with `season_length`.
pub fn baseline(
    method: Baseline,
    form: String,
    season_length: usize,
    y: &[f64],
    h: usize,
    levels: &[f64],
) -> Result<ModelOutput> {
    Ok(ModelOutput::plain(
        method.fit(y)?.predict(h, levels)?,
        form,
        season_length,
    ))
}

/// An intermittent-demand method (flat forecast, no intervals), reported as
/// `form`.
pub fn intermittent(
    method: Intermittent,
    form: String,
    y: &[f64],
    h: usize,
    levels: &[f64],
) -> Result<ModelOutput> {
    Ok(ModelOutput::plain(
        method.fit(y)?.predict(h, levels)?,
        form,
        1,
    ))
}

/// MSTL with `periods` (when empty, the season length `m`) and the
/// seasonally adjusted series forecast by `adjusted`.
pub fn mstl(
    y: &[f64],
    m: usize,
    periods: &[f64],
    adjusted: AdjustedModel,
    h: usize,
    levels: &[f64],
) -> Result<ModelOutput> {
    let periods = if periods.is_empty() {
        vec![m as f64]
    } else {
        periods.to_vec()
    };
    let fit = Mstl::new(&periods)?.with_model(adjusted).fit(y)?;
    let season_length = fit
        .decomposition
        .seasonals
        .last()
        .map_or(1, |s| s.period.trunc() as usize);
    Ok(ModelOutput {
        forecast: fit.predict(h, levels)?,
        form: fit.form(),
        season_length,
        aicc: match &fit.model {
            FittedAdjusted::Ets(ets) => ets.aicc,
            _ => None,
        },
        reason: None,
    })
}
