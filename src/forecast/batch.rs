//! Forecasting many series at once: the one place that fans work out with rayon.
//!
//! Series run in parallel on the current rayon pool (the caller chooses it,
//! e.g. with `ThreadPool::install`; the library never sets the global pool).
//! Each series is fitted and forecast on its own, with no floating-point
//! reduction across threads, so the results are bit-identical for any number
//! of threads. Results come back in input order, one outcome per series: a
//! series that cannot be forecast is reported and does not stop the others.
//!
//! ```
//! use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
//! use salesplan::Series;
//! let series = vec![
//!     Series::new("rep-1", vec![10.0, 12.0, 11.0, 13.0, 12.5, 14.0]).unwrap(),
//!     Series::new("rep-2", vec![5.0, 0.0, 4.0, 6.0, 5.5, 6.5]).unwrap(),
//! ];
//! let job = ForecastJob::new("ets:MNN".parse().unwrap(), 3, vec![80.0, 95.0], None).unwrap();
//! let outcomes = forecast_batch(&series, &job, &|| {});
//! let ok = outcomes[0].as_ref().unwrap();
//! assert_eq!(ok.labels, ["7", "8", "9"]);
//! assert_eq!(ok.model_name, "ETS(MNN)");
//! // A multiplicative model cannot be fitted to a series with a zero.
//! assert!(outcomes[1].as_ref().unwrap_err().reason().contains("MNN"));
//! ```

use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::forecast::backtest::{Backtest, WindowScore};
use crate::forecast::fit::Fit;
use crate::forecast::frequency::Frequency;
use crate::forecast::intervals::{conformal, IntervalMethod, Widening};
use crate::forecast::model_choice::fit_and_forecast;
use crate::forecast::models::nonnegative::NonNegativePoint;
use crate::forecast::models::Forecast;
use crate::forecast::series::{Series, TimeIndex};

// The model choice lives in its own module; re-exported here, where batch
// users have always found it.
pub use crate::forecast::model_choice::{
    fit_and_predict, fit_and_predict_with, fit_and_predict_with_periods, ModelChoice, ModelOutput,
};

/// A validated batch job: model, horizon, interval levels, season length.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastJob {
    model: ModelChoice,
    horizon: usize,
    levels: Vec<f64>,
    season_length: Option<usize>,
    nonnegative: Option<NonNegativePoint>,
    seasonal_periods: Vec<f64>,
    intervals: IntervalMethod,
    keep_fits: bool,
}

impl ForecastJob {
    /// Checks the job: horizon at least 1, levels strictly between 0 and 100
    /// and distinct, season length (when given) at least 1. Without a season
    /// length, each series uses its frequency's usual one (12 for monthly
    /// dates, 4 for quarterly, ...) and 1 for integer periods.
    pub fn new(
        model: ModelChoice,
        horizon: usize,
        levels: Vec<f64>,
        season_length: Option<usize>,
    ) -> Result<ForecastJob> {
        if horizon == 0 {
            return Err(Error::InvalidParameter {
                name: "horizon",
                reason: "must be at least 1".into(),
            });
        }
        crate::numeric::stats::check_levels(&levels)?;
        for (i, l) in levels.iter().enumerate() {
            if levels[..i].contains(l) {
                return Err(Error::InvalidParameter {
                    name: "level",
                    reason: format!("{l} is given twice"),
                });
            }
        }
        if season_length == Some(0) {
            return Err(Error::InvalidParameter {
                name: "season length",
                reason: "must be at least 1".into(),
            });
        }
        Ok(ForecastJob {
            horizon,
            levels,
            season_length,
            nonnegative: None,
            seasonal_periods: Vec::new(),
            intervals: default_intervals(&model),
            keep_fits: false,
            model,
        })
    }

    /// Keeps each series' fitted model in its [`SeriesForecast::fit`] (to
    /// save it and forecast again later: [`crate::forecast::saved`]).
    pub fn with_kept_fits(mut self) -> ForecastJob {
        self.keep_fits = true;
        self
    }

    /// How the intervals are made (default: [`default_intervals`]).
    pub fn with_intervals(mut self, intervals: IntervalMethod) -> ForecastJob {
        self.intervals = intervals;
        self
    }

    /// How the intervals are made.
    pub fn intervals(&self) -> IntervalMethod {
        self.intervals
    }

    /// Seasonal periods for MSTL (each finite and at least 1; fractional
    /// allowed, such as 365.25), used instead of the season length.
    ///
    /// ```
    /// use salesplan::forecast::batch::{ForecastJob, ModelChoice};
    /// let job = ForecastJob::new(ModelChoice::Mstl(Default::default()), 14, vec![95.0], None)?
    ///     .with_seasonal_periods(vec![7.0, 365.25])?;
    /// assert_eq!(job.seasonal_periods(), [7.0, 365.25]);
    /// assert!(job.clone().with_seasonal_periods(vec![0.5]).is_err());
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn with_seasonal_periods(mut self, periods: Vec<f64>) -> Result<ForecastJob> {
        check_seasonal_periods(&periods)?;
        self.seasonal_periods = periods;
        Ok(self)
    }

    /// The seasonal periods set for MSTL (empty: see
    /// [`seasonal_periods_for`](Self::seasonal_periods_for)).
    pub fn seasonal_periods(&self) -> &[f64] {
        &self.seasonal_periods
    }

    /// The MSTL periods for `series`: see [`mstl_periods`].
    pub fn seasonal_periods_for(&self, series: &Series) -> Vec<f64> {
        mstl_periods(
            &self.seasonal_periods,
            self.season_length,
            series.frequency(),
        )
    }

    /// Keeps forecasts and interval bounds non-negative by censoring each
    /// forecast distribution at zero, with the censored mean or median as
    /// the point ([`crate::forecast::models::nonnegative`]).
    pub fn with_nonnegative(mut self, point: NonNegativePoint) -> ForecastJob {
        self.nonnegative = Some(point);
        self
    }

    /// The non-negativity option, if set.
    pub fn nonnegative(&self) -> Option<NonNegativePoint> {
        self.nonnegative
    }

    pub fn model(&self) -> ModelChoice {
        self.model.clone()
    }

    pub fn horizon(&self) -> usize {
        self.horizon
    }

    /// Interval levels in percent, in the order requested.
    pub fn levels(&self) -> &[f64] {
        &self.levels
    }

    /// The season length set for every series, if any.
    pub fn season_length(&self) -> Option<usize> {
        self.season_length
    }

    /// The season length used for `series`: the job's, else the series
    /// frequency's usual one, else 1.
    pub fn season_length_for(&self, series: &Series) -> usize {
        self.season_length
            .or_else(|| series.frequency().map(|f| f.season_length()))
            .unwrap_or(1)
    }
}

/// The intervals a model gets by default: `auto`'s are calibrated on the
/// batch's backtests ([`IntervalMethod::Calibrated`]; chosen on holdouts
/// inside the M3 training data, see BENCHMARKS.md, "Calibrated
/// intervals"); every named model keeps its own, as R and statsforecast
/// compute them.
pub fn default_intervals(model: &ModelChoice) -> IntervalMethod {
    match model {
        ModelChoice::Auto => IntervalMethod::Calibrated,
        _ => IntervalMethod::Model,
    }
}

/// Checks MSTL periods: each finite and at least 1.
pub fn check_seasonal_periods(periods: &[f64]) -> Result<()> {
    match periods.iter().find(|p| !(p.is_finite() && **p >= 1.0)) {
        Some(p) => Err(Error::InvalidParameter {
            name: "seasonal period",
            reason: format!("must be a number ≥ 1, got {p}"),
        }),
        None => Ok(()),
    }
}

/// The seasonal periods MSTL uses for a series: `explicit` when given, else
/// the season length when given, else by the dates' frequency — daily 7 and
/// 365.25 (week and year), weekly 52.18 (the year), others their usual
/// season length —, else none (integer periods).
///
/// ```
/// use salesplan::forecast::batch::mstl_periods;
/// use salesplan::forecast::frequency::Frequency;
/// assert_eq!(mstl_periods(&[], None, Some(Frequency::Daily)), [7.0, 365.25]);
/// assert_eq!(mstl_periods(&[], None, Some(Frequency::Weekly)), [52.18]);
/// assert_eq!(mstl_periods(&[], Some(12), Some(Frequency::Daily)), [12.0]);
/// assert_eq!(mstl_periods(&[24.0, 168.0], Some(12), None), [24.0, 168.0]);
/// assert!(mstl_periods(&[], None, None).is_empty());
/// ```
pub fn mstl_periods(
    explicit: &[f64],
    season_length: Option<usize>,
    frequency: Option<Frequency>,
) -> Vec<f64> {
    if !explicit.is_empty() {
        return explicit.to_vec();
    }
    if let Some(m) = season_length {
        return vec![m as f64];
    }
    match frequency {
        Some(Frequency::Daily) => vec![7.0, 365.25],
        Some(Frequency::Weekly) => vec![52.18],
        Some(f) => vec![f.season_length() as f64],
        None => Vec::new(),
    }
}

/// The forecast of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesForecast {
    pub id: String,
    /// Labels of the forecast periods, continuing the series' calendar.
    pub labels: Vec<String>,
    /// `AutoETS` or `ETS(MAdM)`: the model asked for.
    pub model_name: String,
    /// The ETS form fitted, e.g. `MAdM` (the one chosen, for AutoETS).
    pub form: String,
    pub season_length: usize,
    pub n_obs: usize,
    pub aicc: Option<f64>,
    pub forecast: Forecast,
    /// Why this model was used (set by `auto`).
    pub reason: Option<String>,
    /// Something the user should know about a forecast that was made: a
    /// series whose history is all above zero forecast below it
    /// ([`negative_forecast_warning`]).
    pub warning: Option<String>,
    /// The fitted model, when the job keeps it ([`ForecastJob::with_kept_fits`]).
    pub fit: Option<Box<Fit>>,
}

/// The warning for a forecast whose mean goes below zero although every
/// value of the history is above it (a multiplicative model after an
/// outlier can do this): the first step and the lowest value.
///
/// ```
/// use salesplan::forecast::batch::negative_forecast_warning;
/// assert_eq!(negative_forecast_warning(&[3.0, 4.0], &[2.0, 1.0]), None);
/// let w = negative_forecast_warning(&[3.0, 4.0], &[1.0, -2.5, -1.0]).unwrap();
/// assert!(w.starts_with("forecast below zero from step 2 (lowest -2.50)"), "{w}");
/// assert_eq!(negative_forecast_warning(&[0.0, 4.0], &[-1.0]), None); // history not all positive
/// ```
pub fn negative_forecast_warning(history: &[f64], mean: &[f64]) -> Option<String> {
    below_zero_warning(all_above_zero(history), mean)
}

/// Whether `history` has values and every one is above zero.
pub(crate) fn all_above_zero(history: &[f64]) -> bool {
    !history.is_empty() && history.iter().all(|y| *y > 0.0)
}

/// [`negative_forecast_warning`] for a history known to be all above zero
/// or not.
fn below_zero_warning(history_above_zero: bool, mean: &[f64]) -> Option<String> {
    if !history_above_zero {
        return None;
    }
    let first = mean.iter().position(|m| *m < 0.0)?;
    let lowest = mean.iter().copied().fold(f64::INFINITY, f64::min);
    let lowest = if lowest.abs() >= 1e5 {
        format!("{lowest:.3e}")
    } else {
        format!("{lowest:.2}")
    };
    Some(format!(
        "forecast below zero from step {} (lowest {lowest}) though every value of the history is above zero; check the history for outliers, or use --nonnegative",
        first + 1
    ))
}

/// Why one series could not be forecast.
#[derive(Debug)]
pub struct SeriesFailure {
    pub id: String,
    pub n_obs: usize,
    /// Boxed to keep [`SeriesOutcome`] small.
    pub error: Box<Error>,
}

impl SeriesFailure {
    /// The reason as text.
    pub fn reason(&self) -> String {
        self.error.to_string()
    }
}

/// One series' result.
pub type SeriesOutcome = std::result::Result<SeriesForecast, SeriesFailure>;

/// Forecasts every series with `job` on the current rayon pool, calling
/// `progress` once after each series. Outcomes are in the order of `series`.
pub fn forecast_batch(
    series: &[Series],
    job: &ForecastJob,
    progress: &(dyn Fn() + Sync),
) -> Vec<SeriesOutcome> {
    forecast_batch_with_intervals(series, job, progress).0
}

/// As [`forecast_batch`], with what the intervals were calibrated on:
/// with [`IntervalMethod::Calibrated`], the widening learnt from the
/// batch's backtests (`None`: too few usable windows, the model's
/// intervals kept).
pub fn forecast_batch_with_intervals(
    series: &[Series],
    job: &ForecastJob,
    progress: &(dyn Fn() + Sync),
) -> (Vec<SeriesOutcome>, Option<Widening>) {
    let widening = match job.intervals {
        IntervalMethod::Calibrated if !job.levels.is_empty() => {
            let pairs = calibration_windows(series.len());
            learn_widening(
                pairs.into_iter().map(|(k, w)| (&series[k], w)).collect(),
                job,
            )
        }
        _ => None,
    };
    let outcomes = forecast_batch_widened(series, job, widening.as_ref(), progress);
    (outcomes, widening)
}

/// As [`forecast_batch`], with calibrated intervals widened by `widening`
/// (learnt beforehand, e.g. by [`learn_widening`] on a sample of a batch
/// too large to hold; `None`: the models' own intervals).
pub fn forecast_batch_widened(
    series: &[Series],
    job: &ForecastJob,
    widening: Option<&Widening>,
    progress: &(dyn Fn() + Sync),
) -> Vec<SeriesOutcome> {
    let mut outcomes: Vec<SeriesOutcome> = series
        .par_iter()
        .map(|s| {
            let outcome = forecast_series(s, job);
            progress();
            outcome
        })
        .collect();
    let nonnegative = job.nonnegative.is_some();
    if job.levels.is_empty() {
        return outcomes;
    }
    match job.intervals {
        IntervalMethod::Model => {}
        IntervalMethod::Calibrated => {
            if let Some(w) = widening {
                for f in outcomes.iter_mut().flatten() {
                    w.apply(&mut f.forecast, nonnegative);
                }
            }
        }
        IntervalMethod::Conformal { windows } => {
            outcomes = outcomes
                .into_par_iter()
                .zip(series.par_iter())
                .map(|(outcome, s)| {
                    let mut f = outcome?;
                    let errors = conformal_errors(s, job, windows);
                    if errors.len() < 2 {
                        return Err(SeriesFailure {
                            id: s.id().to_string(),
                            n_obs: s.len(),
                            error: Box::new(Error::ModelNotApplicable {
                                model: f.form,
                                reason: format!(
                                    "conformal intervals need at least 2 backtest windows of {} periods with the model fitted before each; {} could be made from {} observations",
                                    job.horizon,
                                    errors.len(),
                                    s.len()
                                ),
                            }),
                        });
                    }
                    f.forecast.intervals =
                        conformal(&f.forecast.mean, &errors, &job.levels, nonnegative);
                    Ok(f)
                })
                .collect();
        }
    }
    outcomes
}

/// Backtest windows for calibrating a batch's intervals: at most this many
/// (one refit each), spread over the series.
pub const CALIBRATION_WINDOWS: usize = 600;

/// Windows per series at most, when the batch is small.
const CALIBRATION_WINDOWS_PER_SERIES: usize = 3;

/// The backtest windows calibrated intervals learn from in a batch of `n`
/// series: (series index, window) pairs, window 1 ending `horizon` periods
/// before the series' end, 2 ending `2 × horizon` before, ...: the most
/// recent origin of as many series as [`CALIBRATION_WINDOWS`] allows,
/// evenly spread over the batch, then (in small batches) the one before.
///
/// ```
/// use salesplan::forecast::batch::calibration_windows;
/// assert_eq!(calibration_windows(2), [(0, 1), (1, 1), (0, 2), (1, 2), (0, 3), (1, 3)]);
/// assert_eq!(calibration_windows(1_000_000).len(), 600);
/// ```
pub fn calibration_windows(n: usize) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut left = CALIBRATION_WINDOWS;
    for window in 1..=CALIBRATION_WINDOWS_PER_SERIES {
        let take = n.min(left);
        if take == 0 {
            break;
        }
        pairs.extend((0..take).map(|k| (k * n / take, window)));
        left -= take;
    }
    pairs
}

/// The widening of the intervals learnt from backtests of `job`: each
/// (series, window) refitted on its history up to `window × horizon`
/// periods before its end ([`calibration_windows`] says which); `None`
/// when too few windows could be made.
pub fn learn_widening(windows: Vec<(&Series, usize)>, job: &ForecastJob) -> Option<Widening> {
    let windows: Vec<(Forecast, Vec<f64>)> = windows
        .into_par_iter()
        .filter_map(|(s, window)| backtest_window(s, job, window))
        .collect();
    Widening::learn(&windows, &job.levels)
}

/// The absolute errors per step of the job's forecasts of `s` from
/// origins `horizon`, `2 × horizon`, ... before its end (`windows` at most):
/// what [`conformal`] intervals are made of.
fn conformal_errors(s: &Series, job: &ForecastJob, windows: usize) -> Vec<Vec<f64>> {
    backtest_windows(s, job, windows)
        .into_iter()
        .map(|(w, actual)| {
            w.mean
                .iter()
                .zip(&actual)
                .map(|(m, y)| (y - m).abs())
                .collect()
        })
        .collect()
}

/// The job's forecasts of `s` from origins `horizon`, `2 × horizon`, ...
/// (`windows` of them at most) periods before its end, each with the
/// actual values that followed; windows whose fit fails are left out.
fn backtest_windows(s: &Series, job: &ForecastJob, windows: usize) -> Vec<(Forecast, Vec<f64>)> {
    (1..=windows)
        .filter_map(|w| backtest_window(s, job, w))
        .collect()
}

/// The job's forecast of `s` from `window × horizon` periods before its
/// end, with the actual values that followed; `None` when the series is
/// too short or the fit fails.
fn backtest_window(s: &Series, job: &ForecastJob, window: usize) -> Option<(Forecast, Vec<f64>)> {
    let h = job.horizon;
    let y = s.values();
    let cut = y.len().checked_sub(window * h).filter(|c| *c > 0)?;
    let (_, f) = catch_unwind(AssertUnwindSafe(|| fit_job(s, job, &y[..cut])))
        .ok()?
        .ok()?;
    f.mean
        .iter()
        .all(|v| v.is_finite())
        .then(|| (f, y[cut..cut + h].to_vec()))
}

/// The job's model fitted to `y` (all or the start of `series`' values)
/// and its forecast, with the series' season length and MSTL periods.
fn fit_job(series: &Series, job: &ForecastJob, y: &[f64]) -> Result<(Fit, Forecast)> {
    let periods = match job.model {
        ModelChoice::Mstl(_) => job.seasonal_periods_for(series),
        _ => Vec::new(),
    };
    fit_and_forecast(
        &job.model,
        y,
        job.season_length_for(series),
        &periods,
        job.horizon,
        &job.levels,
        job.nonnegative,
    )
}

/// Forecasts one series with `job` (what [`forecast_batch`] does per series).
/// A panic inside a model is caught and reported as this series' failure.
pub fn forecast_series(series: &Series, job: &ForecastJob) -> SeriesOutcome {
    let result =
        catch_unwind(AssertUnwindSafe(|| forecast_one(series, job))).unwrap_or_else(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(Error::Internal {
                series: series.id().to_string(),
                reason: format!("panic: {message}"),
            })
        });
    result.map_err(|error| SeriesFailure {
        id: series.id().to_string(),
        n_obs: series.len(),
        error: Box::new(name_series(error, series.id())),
    })
}

fn forecast_one(series: &Series, job: &ForecastJob) -> Result<SeriesForecast> {
    let labels = forecast_labels(series.index(), series.len(), job.horizon)?;
    let (fit, forecast) = fit_job(series, job, series.values())?;
    let history_above_zero = all_above_zero(series.values());
    let fitted = FittedSeries {
        id: series.id(),
        n_obs: series.len(),
        history_above_zero,
        model_name: job.model.name(),
    };
    fitted.forecast(labels, &fit, forecast, job.keep_fits)
}

/// The labels of the `h` periods after the first `n` of `index`, or the
/// error naming the last period when they run past [`LAST_YEAR`](crate::forecast::series::LAST_YEAR).
pub(crate) fn forecast_labels(index: &TimeIndex, n: usize, h: usize) -> Result<Vec<String>> {
    index
        .labels_after(n, h)
        .ok_or_else(|| Error::InvalidParameter {
            name: "horizon",
            reason: format!(
                "{h} periods after {} run past the year {}",
                index.label(n.saturating_sub(1)),
                crate::forecast::series::LAST_YEAR
            ),
        })
}

/// What a series' forecast is reported with besides its fit.
pub(crate) struct FittedSeries<'a> {
    pub id: &'a str,
    pub n_obs: usize,
    pub history_above_zero: bool,
    /// The model asked for (`AutoETS`).
    pub model_name: String,
}

impl FittedSeries<'_> {
    /// The series' forecast from `fit`, refused when not finite, warned
    /// about when it goes below zero after a history above zero; the fit
    /// kept with `keep_fit`.
    pub(crate) fn forecast(
        self,
        labels: Vec<String>,
        fit: &Fit,
        forecast: Forecast,
        keep_fit: bool,
    ) -> Result<SeriesForecast> {
        let all_finite = forecast
            .mean
            .iter()
            .chain(
                forecast
                    .intervals
                    .iter()
                    .flat_map(|i| i.lower.iter().chain(&i.upper)),
            )
            .all(|v| v.is_finite());
        if !all_finite {
            return Err(Error::ModelNotApplicable {
                model: fit.form.clone(),
                reason: "the forecast is not finite".into(),
            });
        }
        let warning = below_zero_warning(self.history_above_zero, &forecast.mean);
        let kept = keep_fit.then(|| Box::new(fit.clone()));
        Ok(SeriesForecast {
            id: self.id.to_string(),
            labels,
            model_name: self.model_name,
            form: fit.form.clone(),
            season_length: fit.season_length,
            n_obs: self.n_obs,
            aicc: fit.aicc,
            warning,
            forecast,
            reason: fit.reason.clone(),
            fit: kept,
        })
    }
}

/// One model's backtest of one series.
#[derive(Debug)]
pub struct SeriesBacktest {
    pub id: String,
    pub model: ModelChoice,
    pub season_length: usize,
    /// The window scores, or why the model failed on this series.
    pub outcome: std::result::Result<Vec<WindowScore>, Box<Error>>,
}

/// Backtests every model on every series ([`Backtest::run`] with
/// [`fit_and_predict`]) on the current rayon pool, calling `progress` once
/// per series. Results: per series (input order), per model (order given).
/// The season length is `season_length`, else the series frequency's usual
/// one, else 1.
pub fn backtest_batch(
    series: &[Series],
    models: &[ModelChoice],
    backtest: &Backtest,
    levels: &[f64],
    season_length: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Vec<Vec<SeriesBacktest>> {
    backtest_batch_with(
        series,
        models,
        backtest,
        levels,
        season_length,
        &[],
        None,
        progress,
    )
}

/// As [`backtest_batch`], with explicit MSTL seasonal periods (empty: the
/// defaults of [`mstl_periods`]) and forecasts made non-negative
/// ([`fit_and_predict_with`]) when `nonnegative` is set.
#[allow(clippy::too_many_arguments)]
pub fn backtest_batch_with(
    series: &[Series],
    models: &[ModelChoice],
    backtest: &Backtest,
    levels: &[f64],
    season_length: Option<usize>,
    seasonal_periods: &[f64],
    nonnegative: Option<NonNegativePoint>,
    progress: &(dyn Fn() + Sync),
) -> Vec<Vec<SeriesBacktest>> {
    let own = WindowIntervals::models_own(vec![IntervalMethod::Model; models.len()]);
    let setup = BacktestSetup {
        backtest,
        levels,
        season_length,
        seasonal_periods,
        nonnegative,
    };
    run_backtests(series, models, &setup, &own, progress)
}

/// As [`backtest_batch_with`], with each window's intervals made by
/// `intervals` from what precedes the window's origin only (`None`: each
/// model's default, as `forecast` makes them: [`default_intervals`]):
/// - [`IntervalMethod::Model`]: the models' own, as [`backtest_batch_with`];
/// - [`IntervalMethod::Calibrated`]: widened by the [`Widening`] learnt, as
///   [`forecast_batch_with_intervals`] learns it, from backtests of the whole
///   batch cut at that window's origin (each series' window k is its k-th
///   origin, the oldest first); too few usable backtests keep the model's;
/// - [`IntervalMethod::Conformal`]: from the series' own errors at
///   `windows` origins before the window's; fewer than two fail the series.
///
/// ```
/// use salesplan::forecast::backtest::Backtest;
/// use salesplan::forecast::batch::{backtest_batch_intervals, ModelChoice};
/// use salesplan::forecast::intervals::IntervalMethod;
/// use salesplan::Series;
/// let series: Vec<Series> = (0..40)
///     .map(|k| {
///         let y = (0..60).map(|t| 100.0 + ((t * 7 + k * 3) % 11) as f64 * (1.0 + k as f64 / 10.0)).collect();
///         Series::new(format!("s{k}"), y)
///     })
///     .collect::<Result<_, _>>()?;
/// let backtest = Backtest::new(6, 2)?;
/// let models = [ModelChoice::Naive];
/// let run = |intervals| {
///     backtest_batch_intervals(&series, &models, &backtest, &[80.0], Some(1), &[], None, Some(intervals), &|| {})
/// };
/// let width = |out: Vec<Vec<salesplan::forecast::batch::SeriesBacktest>>| -> f64 {
///     let w = out[0][0].outcome.as_ref().unwrap();
///     w.iter().map(|s| s.forecast.intervals[0].upper[0] - s.forecast.intervals[0].lower[0]).sum()
/// };
/// let model = width(run(IntervalMethod::Model)?);
/// let calibrated = width(run(IntervalMethod::Calibrated)?);
/// assert!(model > 0.0 && calibrated > 0.0 && calibrated != model);
/// # Ok::<(), salesplan::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn backtest_batch_intervals(
    series: &[Series],
    models: &[ModelChoice],
    backtest: &Backtest,
    levels: &[f64],
    season_length: Option<usize>,
    seasonal_periods: &[f64],
    nonnegative: Option<NonNegativePoint>,
    intervals: Option<IntervalMethod>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Vec<SeriesBacktest>>> {
    let methods: Vec<IntervalMethod> = models
        .iter()
        .map(|m| match intervals {
            _ if levels.is_empty() => IntervalMethod::Model,
            Some(method) => method,
            None => default_intervals(m),
        })
        .collect();
    let setup = BacktestSetup {
        backtest,
        levels,
        season_length,
        seasonal_periods,
        nonnegative,
    };
    if methods.iter().all(|m| *m == IntervalMethod::Model) {
        let own = WindowIntervals::models_own(methods);
        return Ok(run_backtests(series, models, &setup, &own, progress));
    }
    let mut jobs = Vec::with_capacity(models.len());
    for (model, method) in models.iter().zip(&methods) {
        let mut job = ForecastJob::new(
            model.clone(),
            backtest.horizon(),
            levels.to_vec(),
            season_length,
        )?
        .with_intervals(*method);
        if !seasonal_periods.is_empty() {
            job = job.with_seasonal_periods(seasonal_periods.to_vec())?;
        }
        if let Some(point) = nonnegative {
            job = job.with_nonnegative(point);
        }
        jobs.push(job);
    }
    // each calibrated model's widening per window, from the batch cut at
    // that window's origins
    let mut widenings: Vec<Vec<Option<Widening>>> = vec![Vec::new(); models.len()];
    for (k, job) in jobs.iter().enumerate() {
        if methods[k] != IntervalMethod::Calibrated {
            continue;
        }
        for window in 0..backtest.windows() {
            let cut: Vec<Series> = series
                .iter()
                .filter_map(|s| {
                    let o = backtest.origins(s.len()).ok()?.into_iter().nth(window)?;
                    Series::with_index(
                        s.id(),
                        s.values()[o.train_start..o.origin].to_vec(),
                        s.index().clone(),
                    )
                    .ok()
                })
                .collect();
            let pairs = calibration_windows(cut.len());
            widenings[k].push(learn_widening(
                pairs.into_iter().map(|(i, w)| (&cut[i], w)).collect(),
                job,
            ));
        }
    }
    let intervals = WindowIntervals {
        methods,
        jobs,
        widenings,
    };
    Ok(run_backtests(series, models, &setup, &intervals, progress))
}

/// What every backtest of a batch shares.
struct BacktestSetup<'a> {
    backtest: &'a Backtest,
    levels: &'a [f64],
    season_length: Option<usize>,
    seasonal_periods: &'a [f64],
    nonnegative: Option<NonNegativePoint>,
}

/// How each model's windows get their intervals: its method, its job (for
/// conformal errors) and, calibrated, its widening per window.
struct WindowIntervals {
    methods: Vec<IntervalMethod>,
    jobs: Vec<ForecastJob>,
    widenings: Vec<Vec<Option<Widening>>>,
}

impl WindowIntervals {
    /// Every model's own intervals (`methods` all [`IntervalMethod::Model`]).
    fn models_own(methods: Vec<IntervalMethod>) -> WindowIntervals {
        WindowIntervals {
            methods,
            jobs: Vec::new(),
            widenings: Vec::new(),
        }
    }
}

/// Backtests every model on every series on the current rayon pool,
/// making each window's intervals as `intervals` says.
fn run_backtests(
    series: &[Series],
    models: &[ModelChoice],
    setup: &BacktestSetup,
    intervals: &WindowIntervals,
    progress: &(dyn Fn() + Sync),
) -> Vec<Vec<SeriesBacktest>> {
    let BacktestSetup {
        backtest,
        levels,
        season_length,
        seasonal_periods,
        nonnegative,
    } = *setup;
    let WindowIntervals {
        methods,
        jobs,
        widenings,
    } = intervals;
    let keep_nonnegative = nonnegative.is_some();
    series
        .par_iter()
        .map(|s| {
            let m = season_length
                .or_else(|| s.frequency().map(|f| f.season_length()))
                .unwrap_or(1);
            let periods = mstl_periods(seasonal_periods, season_length, s.frequency());
            let out = models
                .iter()
                .enumerate()
                .map(|(k, model)| {
                    let run = || {
                        let mut window = 0;
                        backtest.run(s.values(), m, |train| {
                            let periods = match model {
                                ModelChoice::Mstl(_) => periods.as_slice(),
                                _ => &[],
                            };
                            let mut forecast = fit_and_predict_with(
                                model.clone(),
                                train,
                                m,
                                periods,
                                backtest.horizon(),
                                levels,
                                nonnegative,
                            )?
                            .forecast;
                            match methods[k] {
                                IntervalMethod::Model => {}
                                IntervalMethod::Calibrated => {
                                    if let Some(w) = widenings[k].get(window).and_then(Option::as_ref)
                                    {
                                        w.apply(&mut forecast, keep_nonnegative);
                                    }
                                }
                                IntervalMethod::Conformal { windows } => {
                                    let cut =
                                        Series::with_index(s.id(), train.to_vec(), s.index().clone())?;
                                    let errors = conformal_errors(&cut, &jobs[k], windows);
                                    if errors.len() < 2 {
                                        return Err(Error::ModelNotApplicable {
                                            model: model.name(),
                                            reason: format!(
                                                "conformal intervals need at least 2 backtest windows of {} periods before each origin; {} could be made from {} observations",
                                                backtest.horizon(),
                                                errors.len(),
                                                train.len()
                                            ),
                                        });
                                    }
                                    forecast.intervals = conformal(
                                        &forecast.mean,
                                        &errors,
                                        levels,
                                        keep_nonnegative,
                                    );
                                }
                            }
                            window += 1;
                            Ok(forecast)
                        })
                    };
                    backtest_outcome(s, model, m, run)
                })
                .collect();
            progress();
            out
        })
        .collect()
}

/// One model's backtest of one series from `run` (the windows' scores):
/// a panic inside it is caught and reported as this series' failure, and
/// errors name the series.
pub(crate) fn backtest_outcome(
    series: &Series,
    model: &ModelChoice,
    season_length: usize,
    run: impl FnOnce() -> Result<Vec<WindowScore>>,
) -> SeriesBacktest {
    let outcome = catch_unwind(AssertUnwindSafe(run))
        .unwrap_or_else(|_| {
            Err(Error::Internal {
                series: series.id().to_string(),
                reason: format!("panic in {}", model.name()),
            })
        })
        .map_err(|e| Box::new(name_series(e, series.id())));
    SeriesBacktest {
        id: series.id().to_string(),
        model: model.clone(),
        season_length,
        outcome,
    }
}

/// Fills in the series name that model code leaves empty.
fn name_series(error: Error, id: &str) -> Error {
    let fill = |s: String| if s.is_empty() { id.to_string() } else { s };
    match error {
        Error::TooShort {
            series,
            needed,
            got,
        } => Error::TooShort {
            series: fill(series),
            needed,
            got,
        },
        Error::NonFinite {
            series,
            index,
            value,
        } => Error::NonFinite {
            series: fill(series),
            index,
            value,
        },
        Error::NoModel { series, reason } => Error::NoModel {
            series: fill(series),
            reason,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::frequency::Period;

    fn monthly(id: &str, n: usize, scale: f64) -> Series {
        let rows = (0..n)
            .map(|t| {
                let label = format!("{}-{:02}", 2020 + t / 12, t % 12 + 1);
                let v = scale * (100.0 + t as f64) * [1.2, 0.9, 1.0, 1.1][t % 4];
                (Period::parse(&label).unwrap(), v)
            })
            .collect();
        Series::from_periods(id, rows).unwrap()
    }

    #[test]
    fn job_validation() {
        let m = ModelChoice::AutoEts;
        assert!(ForecastJob::new(m.clone(), 0, vec![80.0], None).is_err());
        assert!(ForecastJob::new(m.clone(), 1, vec![100.0], None).is_err());
        assert!(ForecastJob::new(m.clone(), 1, vec![80.0, 80.0], None).is_err());
        assert!(ForecastJob::new(m.clone(), 1, vec![], Some(0)).is_err());
        assert!(ForecastJob::new(m, 1, vec![], None).is_ok());
    }

    #[test]
    fn failures_are_per_series_and_named() {
        let series = vec![
            monthly("a", 30, 1.0),
            Series::new("short", vec![1.0, 2.0]).unwrap(),
        ];
        let job = ForecastJob::new(
            ModelChoice::Ets("AAdA".parse().unwrap()),
            6,
            vec![90.0],
            None,
        )
        .unwrap();
        let out = forecast_batch(&series, &job, &|| {});
        let a = out[0].as_ref().unwrap();
        assert_eq!(a.season_length, 12);
        assert_eq!(a.labels[0], "2022-07");
        let e = out[1].as_ref().unwrap_err();
        assert_eq!(e.id, "short");
        assert!(!e.reason().contains("''"), "{}", e.reason());
    }

    #[test]
    fn same_results_on_one_or_two_threads() {
        let series: Vec<Series> = (0..6)
            .map(|k| monthly(&format!("s{k}"), 36, 1.0 + k as f64))
            .collect();
        let job = ForecastJob::new(ModelChoice::AutoEts, 12, vec![80.0, 95.0], None).unwrap();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let count = std::sync::atomic::AtomicUsize::new(0);
            let out = pool.install(|| {
                forecast_batch(&series, &job, &|| {
                    count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                })
            });
            assert_eq!(count.into_inner(), series.len());
            out.into_iter().map(|o| o.unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(2));
    }
}
