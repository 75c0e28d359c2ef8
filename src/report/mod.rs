//! Charts of what the pipeline computed, as self-contained SVG text: a
//! face over the stages, as `io` is (no stage uses it).
//!
//! * [`fan`]: forecast fan charts, a grid of series, like R's
//!   `autoplot(forecast(...))`.

pub mod fan;
