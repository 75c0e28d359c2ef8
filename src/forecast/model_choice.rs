//! Which model to forecast with ([`ModelChoice`], parsed from `--model`
//! names) and the one dispatch that fits it to a series
//! ([`fit_and_predict`]). Batch forecasting and backtesting
//! ([`crate::forecast::batch`]) fit through it; the families themselves are
//! fitted by [`crate::forecast::fit`], which the automatic rule
//! ([`crate::forecast::select`]) uses too.
//!
//! ```
//! use salesplan::forecast::model_choice::{fit_and_predict, ModelChoice};
//! let y: Vec<f64> = (0..24).map(|t| 10.0 + t as f64).collect();
//! let model: ModelChoice = "drift".parse()?;
//! let out = fit_and_predict(model, &y, 1, 3, &[80.0])?;
//! assert!((out.forecast.mean[2] - 36.0).abs() < 1e-9);
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::str::FromStr;

use crate::error::{Error, Result};
pub use crate::forecast::fit::ModelOutput;
use crate::forecast::fit::{self, Fit, FittedModel};
use crate::forecast::models::arima::ArimaSpec;
use crate::forecast::models::ensemble::Combiner;
use crate::forecast::models::ets::EtsSpec;
use crate::forecast::models::intermittent::Intermittent;
use crate::forecast::models::mstl::AdjustedModel;
use crate::forecast::models::naive::Baseline;
use crate::forecast::models::nonnegative::{self, NonNegativePoint};
use crate::forecast::models::theta::ThetaMethod;
use crate::forecast::models::Forecast;
use crate::forecast::select::auto_fit;

/// Which model to forecast every series with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// ETS with the form chosen per series by AICc ([`AutoEts`](crate::forecast::models::ets::AutoEts)).
    AutoEts,
    /// One fixed ETS form for every series.
    Ets(EtsSpec),
    /// The last value.
    Naive,
    /// The value one season earlier.
    SeasonalNaive,
    /// Random walk with drift.
    Drift,
    /// The mean of all observations.
    Mean,
    /// The mean of the last `n` observations (`window:N`).
    WindowAverage(usize),
    /// Naive on classically seasonally adjusted data (M-competition benchmark).
    Naive2,
    /// A Theta method: `theta` (standard, as R's thetaf), `otm`, `dstm`, `dotm`.
    Theta(ThetaMethod),
    /// Theta variant chosen per series on a holdout of the horizon's length.
    AutoTheta,
    /// Croston's method, α = 0.1.
    Croston,
    /// Croston with α optimised in [0.1, 0.3].
    CrostonOptimised,
    /// Syntetos–Boylan approximation.
    Sba,
    /// Teunter–Syntetos–Babai with α_d = α_p = 0.1.
    Tsb,
    /// Aggregate–disaggregate intermittent demand approach.
    Adida,
    /// Intermittent multiple aggregation prediction algorithm.
    Imapa,
    /// The M4 benchmark "Comb": mean of SES, Holt and damped Holt on the
    /// seasonally adjusted series ([`M4Comb`](crate::forecast::models::ensemble::M4Comb)); `m4-comb` (or `comb`).
    M4Comb,
    /// Mean or median of several models' forecasts and interval bounds
    /// ([`crate::forecast::models::ensemble`]): `comb:ets,theta`, `comb-median:ets,theta,naive2`
    /// (members separated by `,` or `+`; not nested, not `auto`). Fails on a
    /// series when any member fails on it (`auto` instead leaves it out).
    Combination {
        combiner: Combiner,
        members: Vec<ModelChoice>,
    },
    /// Automatic choice across families per series ([`crate::forecast::select`]).
    Auto,
    /// MSTL decomposition with the seasonally adjusted series forecast by
    /// the given model: `mstl` (AutoETS), `mstl:theta`, `mstl:drift`. The
    /// periods come from the job ([`ForecastJob::seasonal_periods_for`](crate::forecast::batch::ForecastJob::seasonal_periods_for)).
    Mstl(AdjustedModel),
    /// Seasonal ARIMA of fixed orders ([`crate::forecast::models::arima`]):
    /// `arima:1,1,1`, `arima:0,1,1(0,1,1)`, `arima:1,1,0+drift`.
    Arima(ArimaSpec),
    /// Seasonal ARIMA with the orders chosen per series as R's `auto.arima`
    /// ([`AutoArima`](crate::forecast::models::arima::auto::AutoArima)): `auto-arima`.
    AutoArima,
}

/// Plain method names accepted by `FromStr`, with their choice.
const SIMPLE_MODELS: [(&str, ModelChoice); 19] = [
    ("naive", ModelChoice::Naive),
    ("snaive", ModelChoice::SeasonalNaive),
    ("drift", ModelChoice::Drift),
    ("mean", ModelChoice::Mean),
    ("naive2", ModelChoice::Naive2),
    ("theta", ModelChoice::Theta(ThetaMethod::Standard)),
    ("otm", ModelChoice::Theta(ThetaMethod::Optimised)),
    ("dstm", ModelChoice::Theta(ThetaMethod::DynamicStandard)),
    ("dotm", ModelChoice::Theta(ThetaMethod::DynamicOptimised)),
    ("auto-theta", ModelChoice::AutoTheta),
    ("croston", ModelChoice::Croston),
    ("croston-opt", ModelChoice::CrostonOptimised),
    ("sba", ModelChoice::Sba),
    ("tsb", ModelChoice::Tsb),
    ("adida", ModelChoice::Adida),
    ("imapa", ModelChoice::Imapa),
    ("m4-comb", ModelChoice::M4Comb),
    ("auto", ModelChoice::Auto),
    ("auto-arima", ModelChoice::AutoArima),
];

/// statsforecast's model names, accepted as aliases (case-insensitive)
/// so that its users' scripts carry over: (statsforecast, salesplan).
/// `Naive`, `Theta`, `AutoETS`, `ADIDA`, `IMAPA`, `TSB` and `MSTL` need
/// none: they are salesplan's names in another case.
///
/// ```
/// use salesplan::forecast::model_choice::ModelChoice;
/// let m: ModelChoice = "DynamicOptimizedTheta".parse()?;
/// assert_eq!(m, "dotm".parse()?);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub const STATSFORECAST_ALIASES: [(&str, &str); 11] = [
    ("SeasonalNaive", "snaive"),
    ("RandomWalkWithDrift", "drift"),
    ("HistoricAverage", "mean"),
    ("OptimizedTheta", "otm"),
    ("DynamicTheta", "dstm"),
    ("DynamicOptimizedTheta", "dotm"),
    ("AutoTheta", "auto-theta"),
    ("CrostonClassic", "croston"),
    ("CrostonOptimized", "croston-opt"),
    ("CrostonSBA", "sba"),
    ("AutoARIMA", "auto-arima"),
];

impl ModelChoice {
    /// The model's name as statsforecast spells it where statsforecast has
    /// the model (`SeasonalNaive`, `DynamicOptimizedTheta`), else [`name`](Self::name):
    /// the column names of the wide layout.
    ///
    /// ```
    /// use salesplan::forecast::model_choice::ModelChoice;
    /// assert_eq!("snaive".parse::<ModelChoice>()?.statsforecast_name(), "SeasonalNaive");
    /// assert_eq!("auto-ets".parse::<ModelChoice>()?.statsforecast_name(), "AutoETS");
    /// assert_eq!("naive2".parse::<ModelChoice>()?.statsforecast_name(), "Naive2");
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn statsforecast_name(&self) -> String {
        STATSFORECAST_ALIASES
            .iter()
            .find(|(_, ours)| ours.parse::<ModelChoice>().ok().as_ref() == Some(self))
            .map_or_else(|| self.name(), |(theirs, _)| theirs.to_string())
    }

    /// The model's name in forecast output: `AutoETS` or `ETS(MAdM)`.
    pub fn name(&self) -> String {
        match self {
            ModelChoice::AutoEts => "AutoETS".to_string(),
            ModelChoice::Ets(spec) => format!("ETS({spec})"),
            ModelChoice::Naive => "Naive".into(),
            ModelChoice::SeasonalNaive => "SNaive".into(),
            ModelChoice::Drift => "Drift".into(),
            ModelChoice::Mean => "Mean".into(),
            ModelChoice::WindowAverage(n) => format!("WindowAverage({n})"),
            ModelChoice::Naive2 => "Naive2".into(),
            ModelChoice::Theta(method) => method.name().into(),
            ModelChoice::AutoTheta => "AutoTheta".into(),
            ModelChoice::Croston => "CrostonClassic".into(),
            ModelChoice::CrostonOptimised => "CrostonOptimized".into(),
            ModelChoice::Sba => "CrostonSBA".into(),
            ModelChoice::Tsb => "TSB".into(),
            ModelChoice::Adida => "ADIDA".into(),
            ModelChoice::Imapa => "IMAPA".into(),
            ModelChoice::M4Comb => "Comb".into(),
            ModelChoice::Combination { combiner, members } => {
                let names: Vec<String> = members.iter().map(|m| m.name()).collect();
                match combiner {
                    Combiner::Mean => format!("Comb({})", names.join("+")),
                    Combiner::Median => format!("CombMedian({})", names.join("+")),
                }
            }
            ModelChoice::Auto => "Auto".into(),
            ModelChoice::Mstl(adjusted) => format!("MSTL({})", adjusted.name()),
            ModelChoice::Arima(spec) => spec.to_string(),
            ModelChoice::AutoArima => "AutoARIMA".into(),
        }
    }
}

impl FromStr for ModelChoice {
    type Err = Error;

    /// `auto-ets`, or `ets:` followed by an ETS code such as `MAdM`.
    ///
    /// ```
    /// use salesplan::forecast::batch::ModelChoice;
    /// assert_eq!("auto-ets".parse::<ModelChoice>().unwrap(), ModelChoice::AutoEts);
    /// let m: ModelChoice = "ets:MAdM".parse().unwrap();
    /// assert_eq!(m.name(), "ETS(MAdM)");
    /// assert_eq!(m.to_string(), "ets:MAdM");
    /// assert!("ets:XYZ".parse::<ModelChoice>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<ModelChoice> {
        let t = s.trim();
        let t = STATSFORECAST_ALIASES
            .iter()
            .find(|(alias, _)| t.eq_ignore_ascii_case(alias))
            .map_or(t, |(_, name)| name);
        if ["auto-ets", "autoets", "ets"]
            .iter()
            .any(|a| t.eq_ignore_ascii_case(a))
        {
            return Ok(ModelChoice::AutoEts);
        }
        if t.eq_ignore_ascii_case("comb") {
            return Ok(ModelChoice::M4Comb);
        }
        if t.eq_ignore_ascii_case("mstl") {
            return Ok(ModelChoice::Mstl(AdjustedModel::AutoEts));
        }
        if let Some((_, choice)) = SIMPLE_MODELS
            .iter()
            .find(|(name, _)| t.eq_ignore_ascii_case(name))
        {
            return Ok(choice.clone());
        }
        match t.split_once(':') {
            Some((family, code)) if family.eq_ignore_ascii_case("ets") => {
                Ok(ModelChoice::Ets(code.parse()?))
            }
            Some((family, orders)) if family.eq_ignore_ascii_case("arima") => {
                Ok(ModelChoice::Arima(orders.parse()?))
            }
            Some((family, list))
                if family.eq_ignore_ascii_case("comb")
                    || family.eq_ignore_ascii_case("comb-median") =>
            {
                let combiner = if family.eq_ignore_ascii_case("comb") {
                    Combiner::Mean
                } else {
                    Combiner::Median
                };
                let members = list
                    .split([',', '+'])
                    .map(|m| {
                        let choice: ModelChoice = m.parse()?;
                        match choice {
                            ModelChoice::Combination { .. } | ModelChoice::Auto => {
                                Err(Error::InvalidParameter {
                                    name: "model",
                                    reason: format!(
                                        "'{s}': a combination's members cannot be combinations or auto"
                                    ),
                                })
                            }
                            other => Ok(other),
                        }
                    })
                    .collect::<Result<Vec<_>>>()?;
                if members.is_empty() {
                    return Err(Error::InvalidParameter {
                        name: "model",
                        reason: format!("'{s}': a combination needs at least one member"),
                    });
                }
                Ok(ModelChoice::Combination { combiner, members })
            }
            Some((family, adjusted)) if family.eq_ignore_ascii_case("mstl") => {
                match adjusted.trim().to_ascii_lowercase().as_str() {
                    "ets" | "auto-ets" | "autoets" => Ok(ModelChoice::Mstl(AdjustedModel::AutoEts)),
                    "theta" => Ok(ModelChoice::Mstl(AdjustedModel::Theta)),
                    "drift" => Ok(ModelChoice::Mstl(AdjustedModel::Drift)),
                    "arima" | "auto-arima" | "autoarima" => {
                        Ok(ModelChoice::Mstl(AdjustedModel::AutoArima))
                    }
                    _ => Err(Error::InvalidParameter {
                        name: "model",
                        reason: format!("'{s}': MSTL takes ets, theta, drift or auto-arima (mstl:theta)"),
                    }),
                }
            }
            Some((family, n)) if family.eq_ignore_ascii_case("window") => {
                match n.trim().parse::<usize>() {
                    Ok(n) if n > 0 => Ok(ModelChoice::WindowAverage(n)),
                    _ => Err(Error::InvalidParameter {
                        name: "model",
                        reason: format!("'{s}': the window must be a whole number ≥ 1"),
                    }),
                }
            }
            _ => Err(Error::InvalidParameter {
                name: "model",
                reason: format!(
                    "'{s}' is not a model (expected auto-ets, ets:<code> (e.g. ets:MAdM), \
                     window:<n>, arima:<p,d,q>(<P,D,Q>), comb:<m1>,<m2>,..., comb-median:<m1>,<m2>,..., mstl, mstl:theta, mstl:drift, or one of: {})",
                    SIMPLE_MODELS.map(|(name, _)| name).join(", ")
                ),
            }),
        }
    }
}

impl std::fmt::Display for ModelChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelChoice::AutoEts => f.write_str("auto-ets"),
            ModelChoice::Ets(spec) => write!(f, "ets:{spec}"),
            ModelChoice::WindowAverage(n) => write!(f, "window:{n}"),
            ModelChoice::Combination { combiner, members } => {
                let names: Vec<String> = members.iter().map(|m| m.to_string()).collect();
                match combiner {
                    Combiner::Mean => write!(f, "comb:{}", names.join("+")),
                    Combiner::Median => write!(f, "comb-median:{}", names.join("+")),
                }
            }
            ModelChoice::Mstl(AdjustedModel::AutoEts) => f.write_str("mstl"),
            ModelChoice::Mstl(AdjustedModel::Theta) => f.write_str("mstl:theta"),
            ModelChoice::Mstl(AdjustedModel::Drift) => f.write_str("mstl:drift"),
            ModelChoice::Mstl(AdjustedModel::AutoArima) => f.write_str("mstl:auto-arima"),
            ModelChoice::Arima(spec) => {
                write!(f, "arima:{},{},{}", spec.p, spec.d, spec.q)?;
                if spec.seasonal_p + spec.seasonal_d + spec.seasonal_q > 0 {
                    write!(
                        f,
                        "({},{},{})",
                        spec.seasonal_p, spec.seasonal_d, spec.seasonal_q
                    )?;
                }
                if spec.drift {
                    f.write_str("+drift")?;
                }
                if !spec.mean {
                    f.write_str("-mean")?;
                }
                Ok(())
            }
            other => match SIMPLE_MODELS.iter().find(|(_, c)| c == other) {
                Some((name, _)) => f.write_str(name),
                None => f.write_str(&other.name()),
            },
        }
    }
}

/// [`fit_and_predict_with_periods`] (the periods are for MSTL), then, with
/// `nonnegative`, the forecast censored at
/// zero ([`crate::forecast::models::nonnegative`]: bounds `max(q, 0)`, point the
/// censored mean or median).
pub fn fit_and_predict_with(
    model: ModelChoice,
    y: &[f64],
    m: usize,
    periods: &[f64],
    h: usize,
    levels: &[f64],
    nonnegative: Option<NonNegativePoint>,
) -> Result<ModelOutput> {
    let (fit, forecast) = fit_and_forecast(&model, y, m, periods, h, levels, nonnegative)?;
    Ok(fit.with_forecast(forecast))
}

/// What [`fit_and_predict_with`] reports, as the fit (which forecasts
/// again, at any horizon, with [`predict_fit`]) and its forecast.
pub fn fit_and_forecast(
    model: &ModelChoice,
    y: &[f64],
    m: usize,
    periods: &[f64],
    h: usize,
    levels: &[f64],
    nonnegative: Option<NonNegativePoint>,
) -> Result<(Fit, Forecast)> {
    let fit_at = |levels: &[f64]| -> Result<(Fit, Forecast)> {
        if *model == ModelChoice::Auto {
            // auto leaves out members that cannot forecast: it predicts as it fits
            return auto_fit(y, m, h, levels);
        }
        let fit = fit_model(model, y, m, periods, h)?;
        let forecast = fit.predict(h, levels)?;
        Ok((fit, forecast))
    };
    let Some(point) = nonnegative else {
        return fit_at(levels);
    };
    let mut fitted = None;
    let forecast = nonnegative::predict_censored(levels, point, |all| {
        let (fit, forecast) = fit_at(all)?;
        fitted = Some(fit);
        Ok(forecast)
    })?;
    let fit = fitted.ok_or_else(|| Error::Internal {
        series: String::new(),
        reason: "a non-negative forecast without its fit".into(),
    })?;
    Ok((fit, forecast))
}

/// A fitted model's forecast of `h` steps at `levels`, censored at zero
/// with `nonnegative` as [`fit_and_predict_with`] censors it.
pub fn predict_fit(
    fit: &Fit,
    h: usize,
    levels: &[f64],
    nonnegative: Option<NonNegativePoint>,
) -> Result<Forecast> {
    match nonnegative {
        None => fit.predict(h, levels),
        Some(point) => nonnegative::predict_censored(levels, point, |all| fit.predict(h, all)),
    }
}

/// Fits `model` to `y` (season length `m`) and forecasts `h` steps with
/// intervals at `levels` (intermittent-demand methods give none).
pub fn fit_and_predict(
    model: ModelChoice,
    y: &[f64],
    m: usize,
    h: usize,
    levels: &[f64],
) -> Result<ModelOutput> {
    fit_and_predict_with_periods(model, y, m, &[], h, levels)
}

/// As [`fit_and_predict`], with the seasonal periods MSTL uses (when empty,
/// MSTL uses the season length `m`).
pub fn fit_and_predict_with_periods(
    model: ModelChoice,
    y: &[f64],
    m: usize,
    periods: &[f64],
    h: usize,
    levels: &[f64],
) -> Result<ModelOutput> {
    fit_and_predict_with(model, y, m, periods, h, levels, None)
}

/// Fits `model` to `y` (season length `m`, MSTL's `periods`) for
/// forecasts of `h` steps (AutoTheta's holdout and `auto`'s check that each
/// member forecasts are that long; the fit forecasts any horizon).
pub fn fit_model(
    model: &ModelChoice,
    y: &[f64],
    m: usize,
    periods: &[f64],
    h: usize,
) -> Result<Fit> {
    let baseline =
        |method: Baseline, season_length| fit::baseline(method, model.name(), season_length, y);
    let intermittent = |method: Intermittent| fit::intermittent(method, model.name(), y);
    match model {
        ModelChoice::AutoEts => fit::ets(y, m, None),
        ModelChoice::Ets(spec) => fit::ets(y, m, Some(*spec)),
        ModelChoice::Naive => baseline(Baseline::Naive, 1),
        ModelChoice::SeasonalNaive => baseline(Baseline::SeasonalNaive { season_length: m }, m),
        ModelChoice::Drift => baseline(Baseline::Drift, 1),
        ModelChoice::Mean => baseline(Baseline::Mean, 1),
        ModelChoice::WindowAverage(window) => {
            baseline(Baseline::WindowAverage { window: *window }, 1)
        }
        ModelChoice::Naive2 => baseline(Baseline::Naive2 { season_length: m }, m),
        ModelChoice::Theta(method) => fit::theta(y, m, Some(*method), h),
        ModelChoice::AutoTheta => fit::theta(y, m, None, h),
        ModelChoice::Croston => intermittent(Intermittent::CrostonClassic),
        ModelChoice::CrostonOptimised => intermittent(Intermittent::CrostonOptimised),
        ModelChoice::Sba => intermittent(Intermittent::CrostonSba),
        ModelChoice::Tsb => intermittent(Intermittent::tsb(0.1, 0.1)?),
        ModelChoice::Adida => intermittent(Intermittent::Adida),
        ModelChoice::Imapa => intermittent(Intermittent::Imapa),
        ModelChoice::M4Comb => fit::m4_comb(y, m),
        ModelChoice::Arima(spec) => fit::arima(y, m, Some(*spec)),
        ModelChoice::AutoArima => fit::arima(y, m, None),
        ModelChoice::Combination { combiner, members } => {
            let mut fitted = Vec::with_capacity(members.len());
            let mut forms = Vec::with_capacity(members.len());
            let mut season_length = 1;
            for member in members {
                let fit = fit_model(member, y, m, &[], h)?;
                forms.push(fit.form);
                season_length = season_length.max(fit.season_length);
                fitted.push(fit.model);
            }
            let prefix = match combiner {
                Combiner::Mean => "Comb",
                Combiner::Median => "CombMedian",
            };
            Ok(Fit {
                model: FittedModel::Combination {
                    combiner: *combiner,
                    members: fitted,
                },
                form: format!("{prefix}({})", forms.join("+")),
                season_length,
                aicc: None,
                reason: None,
            })
        }
        ModelChoice::Auto => Ok(auto_fit(y, m, h, &[])?.0),
        ModelChoice::Mstl(adjusted) => fit::mstl(y, m, periods, *adjusted),
    }
}
