//! Stage 1, forecasting: from validated series to forecasts with intervals.
//!
//! * [`series`] and [`frequency`]: a validated series, its frequency and
//!   period labels (the calendar a series follows).
//! * [`models`]: one module per model family (ETS, Theta, baselines,
//!   intermittent demand, STL/MSTL, combinations).
//! * [`fit`]: one family fitted to one series, in one output shape.
//! * [`select`]: `--model auto`, the choice across families.
//! * [`model_choice`]: the `--model` names and the one dispatch over them.
//! * [`batch`]: the one place that fans series out with rayon.
//! * [`events`]: forecasting with holidays and promotions, for every model.
//! * [`backtest`] and [`metrics`]: rolling-origin evaluation and accuracy.

pub mod backtest;
pub mod batch;
pub mod events;
pub mod fit;
pub mod frequency;
pub mod intervals;
pub mod metrics;
pub mod model_choice;
pub mod models;
pub mod saved;
pub mod select;
pub mod series;
