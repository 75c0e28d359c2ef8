//! CSV in and out.
//!
//! * [`read_long_csv`]: long-format sales data (`unique_id,ds,y`, any row
//!   order, column names configurable) into validated [`Series`](crate::Series).
//!   Every problem is an [`Error::Input`](crate::Error::Input) naming the file,
//!   line, column and value, or an [`Error::File`](crate::Error::File) /
//!   [`Error::Io`](crate::Error::Io) for problems with the file as a whole.
//! * [`write_forecasts`] and [`write_report`]: long-format forecasts and a
//!   per-series status report, written atomically (a temporary file in the
//!   target's folder, renamed into place only when complete).
//! * [`write_backtest`]: backtest metrics per window, per series and overall.

mod atomic;
mod backtest;
mod hierarchy;
mod read;
mod write;

pub use atomic::write_atomically;
pub use backtest::{backtest_overall, write_backtest, OverallScore};
pub use hierarchy::{read_hierarchy, read_hierarchy_from};
pub use read::{read_long_csv, read_long_csv_from, Columns};
pub use write::{format_level, write_forecasts, write_report};
