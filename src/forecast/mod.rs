//! Stage 1, forecasting: from validated series to forecasts with intervals.
//!
//! * [`series`] and [`frequency`]: a validated series, its frequency and
//!   period labels (the calendar a series follows).
//! * [`models`]: one module per model family (ETS, Theta, baselines,
//!   intermittent demand, STL/MSTL, combinations).
//! * [`select`]: `--model auto`, the choice across families.
//! * [`batch`]: the model choice and its dispatch, and the one place that
//!   fans series out with rayon.
//! * [`backtest`] and [`metrics`]: rolling-origin evaluation and accuracy.

pub mod backtest;
pub mod batch;
pub mod frequency;
pub mod metrics;
pub mod models;
pub mod select;
pub mod series;
