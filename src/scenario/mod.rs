//! Stage 3, scenarios: many plans from one forecast, and how attainable
//! each target is.
//!
//! * [`spec`]: what a scenario fixes, and scenario files (TOML, JSON, CSV,
//!   grids); its items are re-exported here.
//! * [`attainment`]: the simulated plan year and the probability of each
//!   node reaching its target.
//! * [`calibration`]: the simulated plan year calibrated on rolling-origin
//!   backtests of the leaves' own history.
//! * [`sweep`]: planning and scoring many scenarios in parallel.
//! * [`targets`]: candidate company targets scored (probability, growth,
//!   reps below even odds).
//! * [`reliability`]: how reliable the probabilities are on the org's own
//!   past years (`salesplan calibrate`).

pub mod attainment;
pub mod calibration;
pub mod reliability;
pub mod spec;
pub mod sweep;
pub mod targets;

pub use spec::*;
