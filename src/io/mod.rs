//! CSV in and out.
//!
//! * [`read_long_csv`]: long-format sales data (`unique_id,ds,y`, any row
//!   order, column names configurable) into validated [`Series`](crate::Series).
//!   Every problem is an [`Error::Input`](crate::Error::Input) naming the file,
//!   line, column and value, or an [`Error::File`](crate::Error::File) /
//!   [`Error::Io`](crate::Error::Io) for problems with the file as a whole.
//! * [`read_long_chunks`]: the same, a chunk of series at a time, for a
//!   table sorted by id (bounded memory).
//! * [`write_forecasts`] and [`write_report`]: long-format forecasts and a
//!   per-series status report, written atomically (a temporary file in the
//!   target's folder, renamed into place only when complete).
//! * [`write_forecasts_wide`]: forecasts in statsforecast's wide layout;
//!   [`ForecastWriter`], [`ReportWriter`]: either, a batch at a time.
//! * [`write_backtest`]: backtest metrics per window, per series and overall;
//!   [`write_cross_validation`]: each window's forecasts, as statsforecast's
//!   `cross_validation`.
//! * [`read_forecasts`]: a forecast file read back (for charts);
//!   [`read_table`]: any other table a run wrote, by its header.
//! * [`write_models`], [`read_models`]: fitted models saved and loaded (JSON).
//! * [`read_constraints`]: per-node planning constraints.
//! * [`read_margins`], [`read_share_path`]: contribution margins and a
//!   market share path, for candidate company targets.
//! * [`read_events`]: users' events (promotions, festivals of their own).
//! * [`write_plan`], [`write_plan_summary`], [`read_plan`]: plans out and back in.
//! * [`write_sweep`], [`write_sweep_summary`]: a sweep's long table and summary.
//! * [`write_track_status`]: tracking results.
//! * [`write_reliability`]: the reliability report of `salesplan calibrate`.
//! * [`check_distinct`]: refuses an output that is an input or another output.
//! * [`open_input`], [`read_org`]: `-` reads standard input; every writer
//!   writes standard output for `-` ([`write_atomically`]).
//! * [`decimals_of`], [`format_amount`], [`csv_field`], [`push_number`]: how
//!   numbers and fields are written.

mod atomic;
mod backtest;
mod changes;
mod chunks;
mod commitments;
mod constraints;
mod events;
mod forecasts;
mod format;
mod hires;
mod models;
#[cfg(feature = "parquet")]
mod parquet;
mod paths;
mod plan;
mod read;
mod reconcile;
mod reliability;
mod stdio;
mod sweep;
mod table;
mod table_read;
mod target_inputs;
mod track;
mod write;

pub use atomic::{remove_pending_temporaries, write_atomically, AtomicFile};
pub use backtest::{
    backtest_overall, cross_validation_table, write_backtest, write_cross_validation, OverallScore,
};
pub use changes::read_changes;
pub use commitments::read_commitments;
pub use constraints::{read_constraints, read_constraints_from};
pub use events::{check_event_series, event_calendar, read_events, read_events_from};
pub use forecasts::{read_forecasts, read_forecasts_from, ForecastRead};
pub use format::{csv_field, decimals_of, format_amount, push_number};
pub use hires::read_hires;
pub use models::{read_models, write_models};
#[cfg(feature = "parquet")]
pub use parquet::read_long_parquet;
pub use paths::check_distinct;

/// Whether `path` names a Parquet file (its extension is `.parquet`).
///
/// ```
/// assert!(salesplan::io::is_parquet("sales.PARQUET".as_ref()));
/// assert!(!salesplan::io::is_parquet("sales.csv".as_ref()));
/// ```
pub fn is_parquet(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}
pub use backtest::{backtest_table, scored_models};
pub use chunks::{read_long_chunks, Chunked};
pub use plan::{amount_as_written, commitment_columns, plan_summary_table, plan_table};
pub use plan::{read_plan, read_plan_from, write_plan, write_plan_summary};
pub use read::{read_long_csv, read_long_csv_from, Columns, LongRows};
pub use reconcile::reconciled_table;
pub use reliability::{write_reliability, write_reliability_into};
pub use stdio::{is_standard_stream, open_input, read_org, STANDARD_STREAM};
pub use sweep::{
    sweep_into, sweep_summary_into, sweep_summary_row, write_sweep, write_sweep_summary,
    SweepMeasure, SweepTable, SweepTableOptions, SWEEP_SUMMARY_COLUMNS, SWEEP_TABLE_HEADER,
};
pub use table::{Column, PeriodType, Table};
pub use table_read::{for_each_row, read_table, Row, TableRead};
pub use target_inputs::{read_margins, read_share_path};
pub use track::{track_status_table, write_track_status};
pub use write::{
    forecast_table, format_level, write_forecasts, write_forecasts_wide, write_report,
    ForecastWriter, ReportWriter,
};
