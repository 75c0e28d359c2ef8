//! Rolling-origin evaluation (time-series cross-validation).
//!
//! A [`Backtest`] places `windows` forecast origins `step` periods apart so
//! that the last test period ends with the series. For each origin the model
//! is fitted on the training part only — a slice that ends at the origin, so
//! no window can see its own test period — forecasts `horizon` steps and is
//! scored against the next `horizon` actual values with every metric of
//! [`crate::forecast::metrics`] (MASE and RMSSE scaled by the window's own training
//! data). Training windows expand from the start of the series, or slide
//! with a fixed length.
//!
//! ```
//! use salesplan::forecast::backtest::Backtest;
//! use salesplan::forecast::models::naive::Baseline;
//! let y: Vec<f64> = (0..30).map(|t| 10.0 + t as f64).collect();
//! let bt = Backtest::new(3, 4)?.with_step(2)?;
//! let scores = bt.run(&y, 1, |train| Baseline::Drift.fit(train)?.predict(3, &[80.0]))?;
//! assert_eq!(scores.len(), 4);
//! assert_eq!(scores[3].origin, 27); // the last window tests on y[27..30]
//! assert!(scores.iter().all(|s| s.accuracy.mae < 1e-9)); // drift is exact on a line
//! # Ok::<(), salesplan::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::metrics::Accuracy;
use crate::forecast::models::Forecast;

/// How the training window moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrainingWindow {
    /// From the start of the series to the origin.
    Expanding,
    /// The last `length` points before the origin.
    Sliding { length: usize },
}

/// A validated rolling-origin design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backtest {
    horizon: usize,
    windows: usize,
    step: usize,
    training: TrainingWindow,
}

/// One window: training data `y[train_start..origin]`, test data
/// `y[origin..origin + horizon]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// 0-based window number, oldest first.
    pub window: usize,
    pub train_start: usize,
    pub origin: usize,
}

/// The forecast of one window and its accuracy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowScore {
    pub window: usize,
    /// Length of the data before the forecast origin (the test period starts here).
    pub origin: usize,
    /// Number of training points the model saw.
    pub train_length: usize,
    pub accuracy: Accuracy,
    /// The window's forecast, `test.len()` steps (what `cross_validation`
    /// returns in statsforecast).
    pub forecast: Forecast,
}

impl WindowScore {
    /// Scores `forecast` (at least `test.len()` steps; cut to that) of window
    /// `origin` against `test`, with MASE/RMSSE scaled on `train` at lag `m`.
    pub fn score(
        origin: &Origin,
        train: &[f64],
        test: &[f64],
        mut forecast: Forecast,
        m: usize,
    ) -> Result<WindowScore> {
        let accuracy = Accuracy::compute(test, &forecast, train, m)?;
        forecast.mean.truncate(test.len());
        for i in &mut forecast.intervals {
            i.lower.truncate(test.len());
            i.upper.truncate(test.len());
        }
        Ok(WindowScore {
            window: origin.window,
            origin: origin.origin,
            train_length: train.len(),
            accuracy,
            forecast,
        })
    }
}

fn at_least_one(name: &'static str, v: usize) -> Result<()> {
    if v == 0 {
        return Err(Error::InvalidParameter {
            name,
            reason: "must be at least 1".into(),
        });
    }
    Ok(())
}

impl Backtest {
    /// `windows` origins for `horizon`-step forecasts, one `horizon` apart
    /// (non-overlapping test periods), expanding training windows.
    pub fn new(horizon: usize, windows: usize) -> Result<Backtest> {
        at_least_one("horizon", horizon)?;
        at_least_one("windows", windows)?;
        Ok(Backtest {
            horizon,
            windows,
            step: horizon,
            training: TrainingWindow::Expanding,
        })
    }

    /// Periods between consecutive origins (at least 1).
    pub fn with_step(mut self, step: usize) -> Result<Backtest> {
        at_least_one("step", step)?;
        self.step = step;
        Ok(self)
    }

    /// Sliding training windows of `length` points (at least 1).
    pub fn sliding(mut self, length: usize) -> Result<Backtest> {
        at_least_one("training window length", length)?;
        self.training = TrainingWindow::Sliding { length };
        Ok(self)
    }

    pub fn horizon(&self) -> usize {
        self.horizon
    }

    pub fn windows(&self) -> usize {
        self.windows
    }

    pub fn step(&self) -> usize {
        self.step
    }

    pub fn training(&self) -> TrainingWindow {
        self.training
    }

    /// The windows for a series of `n` points, oldest first; too short a
    /// series (no room for the first training window) is an error.
    pub fn origins(&self, n: usize) -> Result<Vec<Origin>> {
        let min_train = match self.training {
            TrainingWindow::Expanding => 1,
            TrainingWindow::Sliding { length } => length,
        };
        let needed = min_train + self.horizon + self.step * (self.windows - 1);
        if n < needed {
            return Err(Error::TooShort {
                series: String::new(),
                needed,
                got: n,
            });
        }
        Ok((0..self.windows)
            .map(|k| {
                let origin = n - self.horizon - self.step * (self.windows - 1 - k);
                let train_start = match self.training {
                    TrainingWindow::Expanding => 0,
                    TrainingWindow::Sliding { length } => origin - length,
                };
                Origin {
                    window: k,
                    train_start,
                    origin,
                }
            })
            .collect())
    }

    /// Runs `forecaster` on each window's training slice (it must forecast
    /// at least `horizon` steps) and scores its forecast; `m` is the seasonal
    /// lag of MASE/RMSSE. The first failing window stops the run.
    pub fn run<F>(&self, y: &[f64], m: usize, mut forecaster: F) -> Result<Vec<WindowScore>>
    where
        F: FnMut(&[f64]) -> Result<Forecast>,
    {
        self.origins(y.len())?
            .into_iter()
            .map(|o| {
                let train = &y[o.train_start..o.origin];
                let test = &y[o.origin..o.origin + self.horizon];
                WindowScore::score(&o, train, test, forecaster(train)?, m)
            })
            .collect()
    }
}

/// Metrics averaged over windows (and series): each metric's mean over the
/// windows where it is defined, with how many those were.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub windows: usize,
    pub mae: f64,
    pub rmse: f64,
    pub mape: Option<f64>,
    pub smape: f64,
    pub mase: Option<f64>,
    pub rmsse: Option<f64>,
    pub wape: Option<f64>,
    pub bias: f64,
    /// (level, mean coverage %, mean pinball loss).
    pub intervals: Vec<(f64, f64, f64)>,
}

fn mean_of(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let (sum, count) = values
        .flatten()
        .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    (count > 0).then(|| sum / count as f64)
}

/// Averages window scores (in the order given, sequentially). With equal
/// horizons the means of MAE, sMAPE, MAPE and bias are the pooled means over
/// all forecast points, the M3/M4 convention.
pub fn summarise<'a>(scores: impl IntoIterator<Item = &'a Accuracy>) -> Summary {
    let all: Vec<&Accuracy> = scores.into_iter().collect();
    if all.is_empty() {
        return Summary::default();
    }
    let avg = |f: &dyn Fn(&Accuracy) -> Option<f64>| mean_of(all.iter().map(|a| f(a)));
    let levels: Vec<f64> = all[0].intervals.iter().map(|i| i.0).collect();
    let intervals = levels
        .iter()
        .enumerate()
        .filter_map(|(k, level)| {
            let cov = avg(&|a| a.intervals.get(k).map(|i| i.1))?;
            let pin = avg(&|a| a.intervals.get(k).map(|i| i.2))?;
            Some((*level, cov, pin))
        })
        .collect();
    Summary {
        windows: all.len(),
        mae: avg(&|a| Some(a.mae)).unwrap_or(f64::NAN),
        rmse: avg(&|a| Some(a.rmse)).unwrap_or(f64::NAN),
        mape: avg(&|a| a.mape),
        smape: avg(&|a| Some(a.smape)).unwrap_or(f64::NAN),
        mase: avg(&|a| a.mase),
        rmsse: avg(&|a| a.rmsse),
        wape: avg(&|a| a.wape),
        bias: avg(&|a| Some(a.bias)).unwrap_or(f64::NAN),
        intervals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::models::naive::Baseline;
    use std::cell::RefCell;

    #[test]
    fn origins_expanding_and_sliding() {
        let bt = Backtest::new(2, 3).unwrap();
        let o = bt.origins(10).unwrap();
        assert_eq!(
            o.iter()
                .map(|o| (o.train_start, o.origin))
                .collect::<Vec<_>>(),
            vec![(0, 4), (0, 6), (0, 8)]
        );
        let s = bt.with_step(1).unwrap().sliding(5).unwrap();
        let o = s.origins(10).unwrap();
        assert_eq!(
            o.iter()
                .map(|o| (o.train_start, o.origin))
                .collect::<Vec<_>>(),
            vec![(1, 6), (2, 7), (3, 8)]
        );
        assert!(matches!(
            s.origins(8),
            Err(Error::TooShort {
                needed: 9,
                got: 8,
                ..
            })
        ));
        assert!(Backtest::new(0, 1).is_err());
        assert!(Backtest::new(1, 0).is_err());
        assert!(Backtest::new(1, 1).unwrap().with_step(0).is_err());
    }

    /// A model that records every training slice it is given. Test-period
    /// values are marked (negative) so any leak is visible.
    #[test]
    fn no_window_sees_its_test_period() {
        let n = 40;
        for bt in [
            Backtest::new(4, 5).unwrap(),
            Backtest::new(3, 6).unwrap().with_step(2).unwrap(),
            Backtest::new(5, 4)
                .unwrap()
                .with_step(1)
                .unwrap()
                .sliding(12)
                .unwrap(),
        ] {
            let y: Vec<f64> = (0..n).map(|t| t as f64 + 1.0).collect();
            let seen = RefCell::new(Vec::<Vec<f64>>::new());
            let scores = bt
                .run(&y, 1, |train| {
                    seen.borrow_mut().push(train.to_vec());
                    Baseline::Naive.fit(train)?.predict(bt.horizon(), &[])
                })
                .unwrap();
            let seen = seen.into_inner();
            assert_eq!(seen.len(), bt.windows());
            for (score, train) in scores.iter().zip(&seen) {
                // y[t] = t + 1: the largest value seen tells the last index seen
                let last_seen = train.iter().copied().fold(f64::MIN, f64::max) as usize;
                assert!(
                    last_seen <= score.origin,
                    "window {} saw {last_seen}",
                    score.window
                );
                assert_eq!(train.len(), score.train_length);
                assert_eq!(*train.last().unwrap(), y[score.origin - 1]);
                // naive on y[t] = t + 1 errs by 1..=h: MAE (h + 1)/2
                let h = bt.horizon() as f64;
                assert!((score.accuracy.mae - (h + 1.0) / 2.0).abs() < 1e-12);
            }
            assert_eq!(scores.last().unwrap().origin + bt.horizon(), n);
        }
    }

    #[test]
    fn summary_is_pooled_mean() {
        let y: Vec<f64> = (0..20).map(|t| ((t * 7) % 5) as f64 + 1.0).collect();
        let bt = Backtest::new(2, 3).unwrap();
        let scores = bt
            .run(&y, 1, |train| {
                Baseline::Mean.fit(train)?.predict(2, &[90.0])
            })
            .unwrap();
        let s = summarise(scores.iter().map(|s| &s.accuracy));
        assert_eq!(s.windows, 3);
        let mae = scores.iter().map(|s| s.accuracy.mae).sum::<f64>() / 3.0;
        assert!((s.mae - mae).abs() < 1e-12);
        assert_eq!(s.intervals.len(), 1);
    }
}
