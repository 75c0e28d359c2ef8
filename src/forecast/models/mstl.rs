//! MSTL: decomposition and forecasting of series with several seasonal
//! cycles (Bandara, Hyndman & Bergmeir 2021, *MSTL: a seasonal-trend
//! decomposition algorithm for time series with multiple seasonal
//! patterns*), as R's `forecast::mstl()` and `forecast.mstl()` do it.
//!
//! **Decomposition.** Periods are sorted ascending; periods below 2 and
//! periods of at least half the series' length are dropped (R drops the
//! latter with a warning). Each remaining period gets an STL seasonal window
//! of `7 + 4·i` (11, 15, ...; R's `s.window = 7 + 4 * seq(6)`). Then, twice
//! (R's `iterate = 2`), for each period in turn: add its current seasonal
//! back to the deseasonalised series, run [`Stl`] for that period, and
//! subtract the new seasonal. The trend is the last STL's trend; the
//! remainder is what is left. No Box–Cox transformation (R's `lambda =
//! NULL`). With no period left, the seasonally adjusted series is the series
//! itself and the trend is set to it (R fits a `supsmu` trend there; the
//! forecast, which only uses the adjusted series, is the same).
//!
//! **Fractional periods** (365.25 days, 52.18 weeks) are used as R uses
//! them: each STL smooths with the period truncated (R's
//! `as.integer(frequency)`: 365.25 → 365), takes its low-pass window from
//! the rounded period and its trend window from the fractional one, and the
//! forecast repeats the last `trunc(period)` values of each seasonal.
//!
//! **Forecast** (R's `forecast.mstl`): the seasonally adjusted series
//! (data minus all seasonals) is forecast by a non-seasonal model —
//! [`AutoEts`] with season length 1 (R: `ets(model = "ZZN")`; our AutoETS
//! defaults apply, `AutoEts::r_compatible(1)` reproduces R), standard
//! [`Theta`] (R: `thetaf`), or a random walk with drift (R: `rwf(drift =
//! TRUE)`) —, and the last cycle of every seasonal component is added to the
//! mean and to the interval bounds. Intervals are therefore those of the
//! adjusted-series model, shifted.
//!
//! ```
//! use salesplan::forecast::models::mstl::{AdjustedModel, Mstl};
//! // three weeks of hourly data: a daily and a weekly cycle on a level
//! let y: Vec<f64> = (0..24 * 7 * 3)
//!     .map(|t| {
//!         let day = (2.0 * std::f64::consts::PI * t as f64 / 24.0).sin();
//!         let week = if (t / 24) % 7 >= 5 { -3.0 } else { 1.0 };
//!         50.0 + 10.0 * day + week
//!     })
//!     .collect();
//! let mstl = Mstl::new(&[24.0, 168.0])?.with_model(AdjustedModel::Drift);
//! let parts = mstl.decompose(&y)?;
//! assert_eq!(parts.seasonals.len(), 2);
//! let fit = mstl.fit(&y)?;
//! let forecast = fit.predict(48, &[95.0])?;
//! assert_eq!(forecast.mean.len(), 48);
//! // the daily cycle carries on
//! assert!((forecast.mean[6] - 60.0).abs() < 2.0);
//! # Ok::<(), salesplan::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use super::arima::auto::AutoArima;
use super::arima::FittedArima;
use super::ets::{AutoEts, FittedEts};
use super::naive::{Baseline, FittedBaseline};
use super::stl::{SeasonalWindow, Stl};
use super::theta::{FittedTheta, Theta};
use super::Forecast;
use crate::error::{Error, Result};

/// The model for the seasonally adjusted series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AdjustedModel {
    /// Non-seasonal ETS, form chosen by AICc ([`AutoEts`] with season length 1).
    #[default]
    AutoEts,
    /// Standard Theta (R's `thetaf`), non-seasonal.
    Theta,
    /// Random walk with drift.
    Drift,
    /// Non-seasonal ARIMA, orders chosen as R's `auto.arima`
    /// ([`AutoArima`] with season length 1).
    AutoArima,
}

impl AdjustedModel {
    /// `AutoETS`, `Theta` or `Drift`.
    pub fn name(&self) -> &'static str {
        match self {
            AdjustedModel::AutoEts => "AutoETS",
            AdjustedModel::Theta => "Theta",
            AdjustedModel::Drift => "Drift",
            AdjustedModel::AutoArima => "AutoARIMA",
        }
    }
}

/// An MSTL spec: seasonal periods, STL windows, iterations, and the model
/// for the seasonally adjusted series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mstl {
    periods: Vec<f64>,
    seasonal_windows: Option<Vec<usize>>,
    iterations: usize,
    robust: bool,
    model: AdjustedModel,
}

/// One seasonal component of an MSTL decomposition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonalComponent {
    /// The period as given (possibly fractional).
    pub period: f64,
    pub values: Vec<f64>,
}

/// `data = trend + Σ seasonals + remainder`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MstlDecomposition {
    pub trend: Vec<f64>,
    /// One component per period used, shortest period first.
    pub seasonals: Vec<SeasonalComponent>,
    pub remainder: Vec<f64>,
    /// The data minus all seasonal components.
    pub seasonally_adjusted: Vec<f64>,
}

/// The fitted adjusted-series model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FittedAdjusted {
    Ets(Box<FittedEts>),
    Theta(Box<FittedTheta>),
    Drift(FittedBaseline),
    Arima(Box<FittedArima>),
}

impl FittedAdjusted {
    fn predict(&self, h: usize, levels: &[f64]) -> Result<Forecast> {
        match self {
            FittedAdjusted::Ets(f) => f.predict(h, levels),
            FittedAdjusted::Theta(f) => f.predict(h, levels),
            FittedAdjusted::Drift(f) => f.predict(h, levels),
            FittedAdjusted::Arima(f) => f.predict(h, levels),
        }
    }

    /// The fitted form: `ETS(AAdN)`, `Theta`, `Drift` or `ARIMA(1,1,0)`.
    pub fn form(&self) -> String {
        match self {
            FittedAdjusted::Ets(f) => format!("ETS({})", f.spec),
            FittedAdjusted::Theta(_) => "Theta".into(),
            FittedAdjusted::Drift(_) => "Drift".into(),
            FittedAdjusted::Arima(f) => f.name(),
        }
    }
}

/// A fitted MSTL model: the decomposition and the adjusted-series model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedMstl {
    pub decomposition: MstlDecomposition,
    pub model: FittedAdjusted,
}

impl Mstl {
    /// MSTL with seasonal periods `periods` (any order; each finite and
    /// positive, fractional allowed), R's default windows and 2 iterations,
    /// the adjusted series forecast by [`AdjustedModel::AutoEts`].
    pub fn new(periods: &[f64]) -> Result<Mstl> {
        if let Some(p) = periods.iter().find(|p| !(p.is_finite() && **p > 0.0)) {
            return Err(Error::InvalidParameter {
                name: "seasonal period",
                reason: format!("must be a positive number, got {p}"),
            });
        }
        Ok(Mstl {
            periods: periods.to_vec(),
            seasonal_windows: None,
            iterations: 2,
            robust: false,
            model: AdjustedModel::default(),
        })
    }

    /// STL seasonal windows, one per period used, shortest period first
    /// (default `7 + 4·i`: 11, 15, 19, ...). Each at least 1.
    pub fn with_seasonal_windows(mut self, windows: Vec<usize>) -> Result<Mstl> {
        if windows.contains(&0) {
            return Err(Error::InvalidParameter {
                name: "seasonal window",
                reason: "must be at least 1".into(),
            });
        }
        self.seasonal_windows = Some(windows);
        Ok(self)
    }

    /// Passes over all periods (R's `iterate`, default 2; at least 1).
    pub fn with_iterations(mut self, iterations: usize) -> Result<Mstl> {
        if iterations == 0 {
            return Err(Error::InvalidParameter {
                name: "MSTL iterations",
                reason: "must be at least 1".into(),
            });
        }
        self.iterations = iterations;
        Ok(self)
    }

    /// Robust STL fits (R's `mstl(x, robust = TRUE)`, passed on to `stl`;
    /// see [`Stl::robust`]). Default false.
    pub fn robust(mut self, robust: bool) -> Mstl {
        self.robust = robust;
        self
    }

    /// The model for the seasonally adjusted series.
    pub fn with_model(mut self, model: AdjustedModel) -> Mstl {
        self.model = model;
        self
    }

    /// The periods used for a series of `n` observations: those ≥ 2 and
    /// below n/2, ascending.
    ///
    /// ```
    /// use salesplan::forecast::models::mstl::Mstl;
    /// let mstl = Mstl::new(&[365.25, 7.0, 1.0])?;
    /// assert_eq!(mstl.periods_used(1000), vec![7.0, 365.25]);
    /// assert_eq!(mstl.periods_used(700), vec![7.0]);
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn periods_used(&self, n: usize) -> Vec<f64> {
        let mut used: Vec<f64> = self
            .periods
            .iter()
            .copied()
            .filter(|&p| p >= 2.0 && p < n as f64 / 2.0)
            .collect();
        used.sort_by(f64::total_cmp);
        used
    }

    /// Decomposes `y` (finite values, oldest first, at least one point).
    pub fn decompose(&self, y: &[f64]) -> Result<MstlDecomposition> {
        super::check_values(y, 1)?;
        let n = y.len();
        let periods = self.periods_used(n);
        if periods.is_empty() {
            return Ok(MstlDecomposition {
                trend: y.to_vec(),
                seasonals: Vec::new(),
                remainder: vec![0.0; n],
                seasonally_adjusted: y.to_vec(),
            });
        }
        let stls = periods
            .iter()
            .enumerate()
            .map(|(i, &period)| {
                let window = match &self.seasonal_windows {
                    Some(w) => w.get(i).copied().ok_or_else(|| Error::InvalidParameter {
                        name: "seasonal window",
                        reason: format!(
                            "{} windows given for {} seasonal periods",
                            w.len(),
                            periods.len()
                        ),
                    })?,
                    None => 7 + 4 * (i + 1),
                };
                Ok(Stl::new(period, SeasonalWindow::Span(window))?.robust(self.robust))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut seasonals = vec![vec![0.0; n]; periods.len()];
        let mut deseasonalised = y.to_vec();
        let mut trend = Vec::new();
        for _ in 0..self.iterations {
            for (stl, seasonal) in stls.iter().zip(seasonals.iter_mut()) {
                for (d, s) in deseasonalised.iter_mut().zip(seasonal.iter()) {
                    *d += s;
                }
                let fit = stl.fit(&deseasonalised)?;
                for (d, s) in deseasonalised.iter_mut().zip(&fit.seasonal) {
                    *d -= s;
                }
                *seasonal = fit.seasonal;
                trend = fit.trend;
            }
        }
        let remainder = deseasonalised
            .iter()
            .zip(&trend)
            .map(|(d, t)| d - t)
            .collect();
        Ok(MstlDecomposition {
            trend,
            seasonals: periods
                .iter()
                .zip(seasonals)
                .map(|(&period, values)| SeasonalComponent { period, values })
                .collect(),
            remainder,
            seasonally_adjusted: deseasonalised,
        })
    }

    /// Decomposes `y` and fits the adjusted-series model.
    pub fn fit(&self, y: &[f64]) -> Result<FittedMstl> {
        let decomposition = self.decompose(y)?;
        let adjusted = &decomposition.seasonally_adjusted;
        let model = match self.model {
            AdjustedModel::AutoEts => FittedAdjusted::Ets(Box::new(AutoEts::new(1).fit(adjusted)?)),
            AdjustedModel::Theta => {
                FittedAdjusted::Theta(Box::new(Theta::standard(1).fit(adjusted)?))
            }
            AdjustedModel::Drift => FittedAdjusted::Drift(Baseline::Drift.fit(adjusted)?),
            AdjustedModel::AutoArima => {
                FittedAdjusted::Arima(Box::new(AutoArima::default().fit(adjusted, 1)?))
            }
        };
        Ok(FittedMstl {
            decomposition,
            model,
        })
    }
}

impl FittedMstl {
    /// The sum of the seasonal naive forecasts of every seasonal component
    /// (its last `trunc(period)` values repeated), steps 1..=h.
    pub fn seasonal_forecast(&self, h: usize) -> Vec<f64> {
        let mut total = vec![0.0; h];
        for component in &self.decomposition.seasonals {
            let values = &component.values;
            let cycle = (component.period.trunc() as usize).clamp(1, values.len());
            let last = &values[values.len() - cycle..];
            for (k, t) in total.iter_mut().enumerate() {
                *t += last[k % cycle];
            }
        }
        total
    }

    /// Forecasts `h` steps with intervals at `levels` (percent): the
    /// adjusted-series forecast plus [`FittedMstl::seasonal_forecast`].
    pub fn predict(&self, h: usize, levels: &[f64]) -> Result<Forecast> {
        let mut forecast = self.model.predict(h, levels)?;
        let seasonal = self.seasonal_forecast(h);
        for (m, s) in forecast.mean.iter_mut().zip(&seasonal) {
            *m += s;
        }
        for interval in &mut forecast.intervals {
            for (v, s) in interval.lower.iter_mut().zip(&seasonal) {
                *v += s;
            }
            for (v, s) in interval.upper.iter_mut().zip(&seasonal) {
                *v += s;
            }
        }
        Ok(forecast)
    }

    /// A description of the fit: `MSTL(7,365.25)+ETS(AAdN)`.
    pub fn form(&self) -> String {
        let periods: Vec<String> = self
            .decomposition
            .seasonals
            .iter()
            .map(|s| s.period.to_string())
            .collect();
        format!("MSTL({})+{}", periods.join(","), self.model.form())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input() {
        assert!(Mstl::new(&[7.0, f64::NAN]).is_err());
        assert!(Mstl::new(&[0.0]).is_err());
        let mstl = Mstl::new(&[4.0]).unwrap();
        assert!(mstl.clone().with_iterations(0).is_err());
        assert!(mstl.clone().with_seasonal_windows(vec![0]).is_err());
        assert!(matches!(mstl.decompose(&[]), Err(Error::TooShort { .. })));
        assert!(matches!(
            mstl.decompose(&[1.0, f64::INFINITY]),
            Err(Error::NonFinite { index: 1, .. })
        ));
        let y: Vec<f64> = (0..20).map(|t| t as f64).collect();
        let two = Mstl::new(&[2.0, 4.0])
            .unwrap()
            .with_seasonal_windows(vec![7])
            .unwrap();
        assert!(matches!(
            two.decompose(&y),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn short_series_fall_back_to_the_adjusted_model() {
        let y = [3.0, 4.0, 5.0, 6.0, 7.0];
        let fit = Mstl::new(&[7.0])
            .unwrap()
            .with_model(AdjustedModel::Drift)
            .fit(&y)
            .unwrap();
        assert!(fit.decomposition.seasonals.is_empty());
        assert_eq!(fit.predict(2, &[]).unwrap().mean, vec![8.0, 9.0]);
        assert_eq!(fit.form(), "MSTL()+Drift");
    }

    #[test]
    fn constant_series() {
        let y = vec![5.0; 60];
        for model in [
            AdjustedModel::AutoEts,
            AdjustedModel::Theta,
            AdjustedModel::Drift,
            AdjustedModel::AutoArima,
        ] {
            let fit = Mstl::new(&[4.0, 12.0])
                .unwrap()
                .with_model(model)
                .fit(&y)
                .unwrap();
            let fc = fit.predict(5, &[95.0]).unwrap();
            for m in &fc.mean {
                assert!((m - 5.0).abs() < 1e-9, "{model:?}: {m}");
            }
        }
    }

    #[test]
    fn edge_cases() {
        for model in [
            AdjustedModel::AutoEts,
            AdjustedModel::Theta,
            AdjustedModel::Drift,
            AdjustedModel::AutoArima,
        ] {
            let mstl = Mstl::new(&[7.0, 365.25]).unwrap().with_model(model);
            // one point: no seasonality can be estimated; the model decides
            match mstl.fit(&[3.0]) {
                Ok(fit) => {
                    assert!(matches!(
                        model,
                        AdjustedModel::AutoEts | AdjustedModel::AutoArima
                    ));
                    let fc = fit.predict(3, &[95.0]).unwrap();
                    assert!(fc.mean.iter().all(|m| (m - 3.0).abs() < 1e-9));
                }
                Err(e) => assert!(matches!(e, Error::TooShort { got: 1, .. }), "{e}"),
            }
            // all zeros, and huge values with a weekly pattern
            let fc = mstl.fit(&[0.0; 40]).unwrap().predict(7, &[80.0]).unwrap();
            assert!(fc.mean.iter().all(|m| m.abs() < 1e-9), "{model:?}");
            let y: Vec<f64> = (0..70)
                .map(|t| 1e12 * (10.0 + [1.0, 2.0, 0.0, -1.0, -2.0, 0.5, -0.5][t % 7]))
                .collect();
            let fc = mstl.fit(&y).unwrap().predict(7, &[80.0]).unwrap();
            for (k, m) in fc.mean.iter().enumerate() {
                assert!((m - y[63 + k]).abs() < 1e-6 * 1e13, "{model:?}: {m}");
            }
        }
    }

    #[test]
    fn components_add_up() {
        let y: Vec<f64> = (0..200)
            .map(|t| {
                let t = t as f64;
                100.0 + 0.3 * t + 5.0 * (t * 0.9).sin() + 8.0 * (t / 7.0).cos()
            })
            .collect();
        let parts = Mstl::new(&[7.0, 30.44]).unwrap().decompose(&y).unwrap();
        for (t, v) in y.iter().enumerate() {
            let s: f64 = parts.seasonals.iter().map(|c| c.values[t]).sum();
            let total = parts.trend[t] + s + parts.remainder[t];
            assert!((total - v).abs() < 1e-9);
            assert!((parts.seasonally_adjusted[t] + s - v).abs() < 1e-9);
        }
    }
}
