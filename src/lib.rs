#![doc = include_str!("../README.md")]

// The pipeline, one folder a stage: forecast → plan → scenario → track.
// Each stage uses only the stages before it and the foundations
// (`error`, `numeric`, `events`: the calendar of holidays and promotions); `io`, `report` (charts) and the binary's `cli` are faces over them.
pub mod error;
pub mod events;
pub mod forecast;
pub mod io;
pub mod numeric;
pub mod plan;
pub mod report;
pub mod scenario;
pub mod track;

pub use error::{Error, Result};
pub use forecast::series::Series;

// Paths of release 0.1, kept for one release. Each re-exports its new home.

/// Moved to [`forecast::series`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::forecast::series`")]
pub mod series {
    pub use crate::forecast::series::*;
}
/// Moved to [`forecast::frequency`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::forecast::frequency`")]
pub mod calendar {
    pub use crate::forecast::frequency::*;
}
/// Moved to [`forecast::models`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::forecast::models`")]
pub mod models {
    pub use crate::forecast::models::*;
}
/// Moved to [`forecast::select`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::forecast::select`")]
pub mod select {
    pub use crate::forecast::select::*;
}
/// Moved to [`forecast::batch`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::forecast::batch`")]
pub mod batch {
    pub use crate::forecast::batch::*;
}
/// Moved to [`forecast::backtest`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::forecast::backtest`")]
pub mod backtest {
    pub use crate::forecast::backtest::*;
}
/// Moved to [`forecast::metrics`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::forecast::metrics`")]
pub mod metrics {
    pub use crate::forecast::metrics::*;
}
/// Moved to [`numeric::stats`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::numeric::stats`")]
pub mod stats {
    pub use crate::numeric::stats::*;
}
/// Moved to [`numeric::optim`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::numeric::optim`")]
pub mod optim {
    pub use crate::numeric::optim::*;
}
/// Moved to [`plan::org`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::plan::org`")]
pub mod hierarchy {
    pub use crate::plan::org::*;
}
/// Moved to [`plan::reconcile`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::plan::reconcile`")]
pub mod reconcile {
    pub use crate::plan::reconcile::*;
}
/// Moved to [`plan::allocate`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::plan::allocate`")]
pub mod allocate {
    pub use crate::plan::allocate::*;
}
/// Moved to [`plan::phasing`] (`phase` is now [`plan::phasing::profile`]).
#[deprecated(since = "0.2.0", note = "moved to `salesplan::plan::phasing`")]
pub mod allocate_time {
    pub use crate::plan::phasing::*;
    /// Moved to [`plan::phasing::profile`](crate::plan::phasing::profile).
    pub mod phase {
        pub use crate::plan::phasing::profile::*;
    }
}
/// Moved to [`plan::calendar`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::plan::calendar`")]
pub mod planning_calendar {
    pub use crate::plan::calendar::*;
}
/// Moved to [`scenario::attainment`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::scenario::attainment`")]
pub mod attainment {
    pub use crate::scenario::attainment::*;
}
/// Moved to [`scenario::sweep`].
#[deprecated(since = "0.2.0", note = "moved to `salesplan::scenario::sweep`")]
pub mod sweep {
    pub use crate::scenario::sweep::*;
}
