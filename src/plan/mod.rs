//! Stage 2, planning: from a company target to a coherent plan per node
//! and period.
//!
//! * [`org`]: the organisation tree (reading, validation, aggregation).
//! * [`reconcile`]: forecasts of every node made to add up;
//!   [`reconcile_series`]: the same for forecasts given as series, every
//!   period, the method by its name.
//! * [`allocate`]: annual targets split down the tree under constraints.
//! * [`calendar`]: the plan year's periods (months, quarters, ISO weeks,
//!   fiscal and retail years).
//! * [`phasing`]: annual targets spread across those periods, balanced and
//!   rounded with every total exact.
//! * [`sales`]: the leaves' history matched to the tree; seasonal profiles
//!   and the forecast basis derived from it.
//! * [`year`]: a year's plan in one call (target, basis, split, phasing).
//! * [`target`]: candidate company targets (growth, market share, profit goal).
//! * [`commitments`]: bottom-up commitments against the top-down targets,
//!   as a basis or as floors.
//! * [`changes`]: effective-dated moves, transfers, leavers and hires
//!   during the year, with targets prorated by the days held.
//! * [`capacity`]: what each team can sell by month with its reps, hires
//!   and attrition, against its target, and the hires that close a gap.

pub mod allocate;
pub mod calendar;
pub mod capacity;
pub mod changes;
pub mod commitments;
pub mod org;
pub mod phasing;
pub mod reconcile;
pub mod reconcile_series;
pub mod sales;
pub mod target;
pub mod year;
