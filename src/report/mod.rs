//! Charts and reports of what the pipeline computed, as self-contained
//! SVG and HTML text: a face over the stages, as `io` is (no stage uses
//! it).
//!
//! * [`fan`]: forecast fan charts, a grid of series, like R's
//!   `autoplot(forecast(...))`.
//! * [`charts`]: the report's line charts with bands and stacked bars.
//! * [`raster`]: charts as PNG pictures (feature `png`).
//! * [`html`]: the page: escaping, numbers, sortable tables, print layout.
//! * [`sales`]: the sales plan report (销售计划报表) from the files the
//!   other commands write.

pub mod charts;
pub mod fan;
pub mod html;
mod inputs;
#[cfg(feature = "png")]
pub mod raster;
pub mod sales;
