//! One model family fitted to one series, in one shape whatever the family
//! ([`Fit`]: the fitted model, which forecasts any horizon, the form fitted,
//! its season length and AICc; [`ModelOutput`]: a fit's forecast). The model
//! choice ([`crate::forecast::model_choice`]) and the automatic rule
//! ([`crate::forecast::select`]) both fit through these functions, so
//! neither depends on the other's dispatch. A [`Fit`] serialises with serde
//! and forecasts identically after loading (`forecast --save-models`).
//!
//! ```
//! use salesplan::forecast::fit;
//! let y: Vec<f64> = (0..36).map(|t| 50.0 + t as f64 + [3.0, -3.0, 1.0, -1.0][t % 4]).collect();
//! let fit = fit::ets(&y, 4, None)?;
//! assert!(fit.aicc.is_some());
//! let out = fit.clone().output(8, &[80.0])?;
//! assert_eq!(out.forecast.mean.len(), 8);
//! let saved = serde_json::to_string(&fit).unwrap();
//! let loaded: fit::Fit = serde_json::from_str(&saved).unwrap();
//! assert_eq!(loaded.predict(8, &[80.0])?, out.forecast);
//! # Ok::<(), salesplan::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::forecast::models::arima::auto::AutoArima;
use crate::forecast::models::arima::{Arima, ArimaSpec, FittedArima};
use crate::forecast::models::ensemble::{combine, Combiner, FittedComb, M4Comb};
use crate::forecast::models::ets::{AutoEts, Ets, EtsSpec, FittedEts};
use crate::forecast::models::intermittent::{FittedIntermittent, Intermittent};
use crate::forecast::models::mstl::{AdjustedModel, FittedAdjusted, FittedMstl, Mstl};
use crate::forecast::models::naive::{Baseline, FittedBaseline};
use crate::forecast::models::theta::{AutoTheta, FittedTheta, Theta, ThetaMethod};
use crate::forecast::models::Forecast;

/// A fitted model of any family: what it needs to forecast from the end of
/// the series it was fitted to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FittedModel {
    Ets(FittedEts),
    Arima(FittedArima),
    Theta(FittedTheta),
    M4Comb(FittedComb),
    Baseline(FittedBaseline),
    Intermittent(FittedIntermittent),
    Mstl(FittedMstl),
    /// Members' forecasts combined point by point and bound by bound.
    Combination {
        combiner: Combiner,
        members: Vec<FittedModel>,
    },
}

impl FittedModel {
    /// Forecasts `h` steps with intervals at `levels` (intermittent-demand
    /// methods give none).
    pub fn predict(&self, h: usize, levels: &[f64]) -> Result<Forecast> {
        match self {
            FittedModel::Ets(f) => f.predict(h, levels),
            FittedModel::Arima(f) => f.predict(h, levels),
            FittedModel::Theta(f) => f.predict(h, levels),
            FittedModel::M4Comb(f) => f.predict(h, levels),
            FittedModel::Baseline(f) => f.predict(h, levels),
            FittedModel::Intermittent(f) => f.predict(h, levels),
            FittedModel::Mstl(f) => f.predict(h, levels),
            FittedModel::Combination { combiner, members } => {
                let forecasts = members
                    .iter()
                    .map(|m| m.predict(h, levels))
                    .collect::<Result<Vec<_>>>()?;
                combine(&forecasts, *combiner)
            }
        }
    }
}

/// One model fitted to one series, and how it is reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub model: FittedModel,
    /// The form or variant fitted (`MAdM`, `DOTM`, ...).
    pub form: String,
    /// The season length the model used (1 when non-seasonal).
    pub season_length: usize,
    /// AICc, for models that have one.
    pub aicc: Option<f64>,
    /// Why this model was used, for automatic choices (`auto`).
    pub reason: Option<String>,
}

impl Fit {
    /// A fit without criterion or reason.
    fn plain(model: FittedModel, form: String, season_length: usize) -> Fit {
        Fit {
            model,
            form,
            season_length,
            aicc: None,
            reason: None,
        }
    }

    /// The forecast of `h` steps with intervals at `levels`.
    pub fn predict(&self, h: usize, levels: &[f64]) -> Result<Forecast> {
        self.model.predict(h, levels)
    }

    /// The fit's forecast of `h` steps with intervals at `levels`, reported
    /// as the fit is.
    pub fn output(self, h: usize, levels: &[f64]) -> Result<ModelOutput> {
        let forecast = self.predict(h, levels)?;
        Ok(self.with_forecast(forecast))
    }

    /// The fit reported with a forecast already made from it.
    pub fn with_forecast(self, forecast: Forecast) -> ModelOutput {
        ModelOutput {
            forecast,
            form: self.form,
            season_length: self.season_length,
            aicc: self.aicc,
            reason: self.reason,
        }
    }
}

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

/// ETS of the given form, or with `spec` `None` the form chosen by AICc
/// ([`AutoEts`]); the form is the ETS code (`MAdM`).
pub fn ets(y: &[f64], m: usize, spec: Option<EtsSpec>) -> Result<Fit> {
    let fit = match spec {
        Some(spec) => Ets::new(spec, m)?.fit(y)?,
        None => AutoEts::new(m).fit(y)?,
    };
    Ok(Fit {
        form: fit.spec.to_string(),
        season_length: fit.season_length,
        aicc: fit.aicc,
        reason: None,
        model: FittedModel::Ets(fit),
    })
}

/// A seasonal ARIMA of the given orders at season length `m`, or with
/// `spec` `None` the orders chosen per series ([`AutoArima`]); the form is
/// R's name of the fit (`ARIMA(0,1,1)(0,1,1)[12]`).
pub fn arima(y: &[f64], m: usize, spec: Option<ArimaSpec>) -> Result<Fit> {
    let fit = match spec {
        Some(spec) => Arima::new(spec, m)?.fit(y)?,
        None => AutoArima::default().fit(y, m)?,
    };
    Ok(Fit {
        form: fit.name(),
        season_length: fit.period,
        aicc: fit.aicc.is_finite().then_some(fit.aicc),
        reason: None,
        model: FittedModel::Arima(fit),
    })
}

/// A Theta method, or with `method` `None` the variant chosen on a holdout
/// of `h` periods, the horizon to forecast ([`AutoTheta`]); the form is the
/// variant's name.
pub fn theta(y: &[f64], m: usize, method: Option<ThetaMethod>, h: usize) -> Result<Fit> {
    let fit = match method {
        Some(method) => Theta::new(method, m).fit(y)?,
        None => AutoTheta::new(m).with_holdout(h).fit(y)?,
    };
    let form = fit.method.name().to_string();
    Ok(Fit::plain(FittedModel::Theta(fit), form, m))
}

/// The M4 benchmark Comb ([`M4Comb`]); the form lists its members.
pub fn m4_comb(y: &[f64], m: usize) -> Result<Fit> {
    let fit = M4Comb::new(m).fit(y)?;
    let form = format!("Comb({})", fit.members().join("+"));
    let season_length = if fit.adjustment.is_seasonal() { m } else { 1 };
    Ok(Fit::plain(FittedModel::M4Comb(fit), form, season_length))
}

/// A baseline method, reported as `form` with `season_length`.
pub fn baseline(method: Baseline, form: String, season_length: usize, y: &[f64]) -> Result<Fit> {
    Ok(Fit::plain(
        FittedModel::Baseline(method.fit(y)?),
        form,
        season_length,
    ))
}

/// An intermittent-demand method (flat forecast, no intervals), reported as
/// `form`.
pub fn intermittent(method: Intermittent, form: String, y: &[f64]) -> Result<Fit> {
    Ok(Fit::plain(
        FittedModel::Intermittent(method.fit(y)?),
        form,
        1,
    ))
}

/// MSTL with `periods` (when empty, the season length `m`) and the
/// seasonally adjusted series forecast by `adjusted`.
pub fn mstl(y: &[f64], m: usize, periods: &[f64], adjusted: AdjustedModel) -> Result<Fit> {
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
    Ok(Fit {
        form: fit.form(),
        season_length,
        aicc: match &fit.model {
            FittedAdjusted::Ets(ets) => ets.aicc,
            _ => None,
        },
        reason: None,
        model: FittedModel::Mstl(fit),
    })
}
