//! Stage 3, scenarios: many plans from one forecast, and how attainable
//! each target is.
//!
//! * [`spec`]: what a scenario fixes, and scenario files (TOML, JSON, CSV,
//!   grids); its items are re-exported here.
//! * [`attainment`]: the simulated plan year and the probability of each
//!   node reaching its target.
//! * [`sweep`]: planning and scoring many scenarios in parallel.

pub mod attainment;
pub mod spec;
pub mod sweep;

pub use spec::*;
