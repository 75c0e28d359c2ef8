//! Fitted models kept to forecast again later: fit once (`forecast
//! --save-models models.json`), then forecast any horizon and levels from
//! the same fits without the data (`forecast --load-models models.json`),
//! as statsforecast's `fit` then `predict`.
//!
//! With the horizon and levels of the fitting run, the forecasts are the
//! same bytes as that run's. A saved model forecasts from the end of the
//! series it was fitted to; AutoTheta's variant was chosen on a holdout of
//! the fitting run's horizon, and calibrated intervals keep the widening
//! learnt then (steps past that horizon take its last step's factor).
//!
//! ```
//! use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
//! use salesplan::forecast::saved::SavedModels;
//! use salesplan::Series;
//! let y: Vec<f64> = (0..40).map(|t| 100.0 + t as f64 + [5.0, -5.0, 2.0, -2.0][t % 4]).collect();
//! let series = vec![Series::new("a", y)?];
//! let job = ForecastJob::new(ModelChoice::AutoEts, 6, vec![80.0], Some(4))?.with_kept_fits();
//! let outcomes = forecast_batch(&series, &job, &|| {});
//! let saved = SavedModels::from_batch(&job, &series, &outcomes, None)?;
//! let text = serde_json::to_string(&saved).unwrap();
//! let loaded: SavedModels = serde_json::from_str(&text).unwrap();
//! let again = loaded.forecast(6, &[80.0], None, &|| {})?;
//! assert_eq!(again[0].as_ref().unwrap().forecast, outcomes[0].as_ref().unwrap().forecast);
//! let longer = loaded.forecast(12, &[80.0, 95.0], None, &|| {})?;
//! assert_eq!(longer[0].as_ref().unwrap().labels[11], "52");
//! # Ok::<(), salesplan::Error>(())
//! ```

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::batch::{
    all_above_zero, forecast_labels, FittedSeries, ForecastJob, SeriesFailure, SeriesOutcome,
};
use crate::forecast::fit::Fit;
use crate::forecast::intervals::{IntervalMethod, Widening};
use crate::forecast::model_choice::{predict_fit, ModelChoice};
use crate::forecast::models::nonnegative::NonNegativePoint;
use crate::forecast::series::{Series, TimeIndex};

/// The `format` field of a saved-models file.
pub const FORMAT: &str = "salesplan-models";

/// The version of the file layout this build writes and reads.
pub const VERSION: u32 = 1;

/// A batch's fitted models, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModels {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written.
    pub version: u32,
    /// The salesplan version that fitted the models.
    pub salesplan: String,
    /// The model asked for, as `--model` takes it (`auto-ets`).
    pub model: String,
    /// The horizon the models were fitted for.
    pub horizon: usize,
    /// The levels the fitting run forecast.
    pub levels: Vec<f64>,
    /// `model` or `calibrated`.
    pub intervals: String,
    /// How forecasts are kept non-negative, if they are.
    pub nonnegative: Option<NonNegativePoint>,
    /// The widening of calibrated intervals learnt when fitting (`None`:
    /// the models' own intervals).
    pub widening: Option<Widening>,
    /// The series that were fitted (a series that failed is not saved).
    pub series: Vec<SavedSeries>,
}

/// One series' fit and what its forecasts need besides it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSeries {
    pub id: String,
    /// The series' periods: forecasts continue after the last one.
    pub index: TimeIndex,
    pub n_obs: usize,
    /// Whether every value of the history was above zero (for the warning
    /// about forecasts below zero).
    pub history_above_zero: bool,
    pub fit: Fit,
}

impl SavedModels {
    /// The fitted models of a batch forecast with `job` (which must keep
    /// its fits: [`ForecastJob::with_kept_fits`]) and, with calibrated
    /// intervals, the `widening` learnt. Conformal intervals cannot be
    /// saved: they come from backtests of each series' own history.
    pub fn from_batch(
        job: &ForecastJob,
        series: &[Series],
        outcomes: &[SeriesOutcome],
        widening: Option<&Widening>,
    ) -> Result<SavedModels> {
        if let IntervalMethod::Conformal { .. } = job.intervals() {
            return Err(Error::InvalidParameter {
                name: "intervals",
                reason: "conformal intervals come from backtests of each series' own history, which saved models do not keep: save with --intervals model or calibrated".into(),
            });
        }
        let series = series
            .iter()
            .zip(outcomes)
            .filter_map(|(s, o)| o.as_ref().ok().map(|f| (s, f)))
            .map(|(s, f)| {
                let fit = f.fit.as_deref().ok_or_else(|| Error::InvalidParameter {
                    name: "save models",
                    reason: format!("series '{}' was forecast without keeping its fit", f.id),
                })?;
                Ok(SavedSeries {
                    id: f.id.clone(),
                    index: s.index().clone(),
                    n_obs: s.len(),
                    history_above_zero: all_above_zero(s.values()),
                    fit: fit.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SavedModels {
            format: FORMAT.to_string(),
            version: VERSION,
            salesplan: env!("CARGO_PKG_VERSION").to_string(),
            model: job.model().to_string(),
            horizon: job.horizon(),
            levels: job.levels().to_vec(),
            intervals: job.intervals().to_string(),
            nonnegative: job.nonnegative(),
            widening: widening.cloned(),
            series,
        })
    }

    /// Refuses a file that is not saved models this build reads.
    pub fn check(&self) -> Result<()> {
        let bad = |reason: String| {
            Err(Error::InvalidParameter {
                name: "saved models",
                reason,
            })
        };
        if self.format != FORMAT {
            return bad(format!("format '{}', expected '{FORMAT}'", self.format));
        }
        if self.version != VERSION {
            return bad(format!(
                "layout version {} (written by salesplan {}); this salesplan reads version {VERSION}: fit again",
                self.version, self.salesplan
            ));
        }
        self.model.parse::<ModelChoice>()?;
        Ok(())
    }

    /// The model the series were fitted with.
    pub fn model_choice(&self) -> Result<ModelChoice> {
        self.model.parse()
    }

    /// Forecasts every saved series `h` steps at `levels` on the current
    /// rayon pool, in the saved order, calling `progress` once per series.
    /// The intervals are made as when fitting (calibrated ones with the
    /// saved widening, which must cover every level asked for);
    /// `nonnegative` overrides the saved setting when given.
    pub fn forecast(
        &self,
        h: usize,
        levels: &[f64],
        nonnegative: Option<NonNegativePoint>,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<SeriesOutcome>> {
        let model = self.model_choice()?;
        // the checks of a new job: horizon, levels
        ForecastJob::new(model.clone(), h, levels.to_vec(), None)?;
        let nonnegative = nonnegative.or(self.nonnegative);
        if let Some(w) = &self.widening {
            if let Some(l) = levels.iter().find(|l| !w.levels.contains(l)) {
                return Err(Error::InvalidParameter {
                    name: "level",
                    reason: format!(
                        "the saved intervals were calibrated at {:?}%, not at {l}%: ask for those levels, or fit again",
                        w.levels
                    ),
                });
            }
        }
        let model_name = model.name();
        Ok(self
            .series
            .par_iter()
            .map(|s| {
                let outcome = self.forecast_one(s, h, levels, nonnegative, &model_name);
                progress();
                outcome.map_err(|error| SeriesFailure {
                    id: s.id.clone(),
                    n_obs: s.n_obs,
                    error: Box::new(error),
                })
            })
            .collect())
    }

    fn forecast_one(
        &self,
        s: &SavedSeries,
        h: usize,
        levels: &[f64],
        nonnegative: Option<NonNegativePoint>,
        model_name: &str,
    ) -> Result<crate::forecast::batch::SeriesForecast> {
        let labels = forecast_labels(&s.index, s.n_obs, h)?;
        let mut forecast = predict_fit(&s.fit, h, levels, nonnegative)?;
        if let Some(w) = &self.widening {
            w.apply(&mut forecast, nonnegative.is_some());
        }
        let fitted = FittedSeries {
            id: &s.id,
            n_obs: s.n_obs,
            history_above_zero: s.history_above_zero,
            model_name: model_name.to_string(),
        };
        fitted.forecast(labels, &s.fit, forecast, false)
    }
}
