//! Writing tracking results: one row per node with a target.

use std::path::Path;

use crate::error::Result;
use crate::io::plan::write_with_unit;
use crate::io::table::{Column, Table};
use crate::io::write::format_level;
use crate::plan::org::OrgTree;
use crate::track::reallocate::Reallocation;
use crate::track::TrackRun;

/// Writes `status.csv` (atomically), the columns of [`track_status_table`],
/// `reallocated_remaining` with the decimals of `unit`.
pub fn write_track_status(
    path: &Path,
    tree: &OrgTree,
    run: &TrackRun,
    level: f64,
    reallocation: Option<&Reallocation>,
    unit: Option<f64>,
) -> Result<()> {
    let table = track_status_table(tree, run, level, reallocation, unit);
    write_with_unit(path, table, "reallocated_remaining", unit)
}

/// The tracking results, one row per node with a target: `node_id, name,
/// target, actual_to_date, expected_to_date, attainment_to_date,
/// run_rate_projection, model_projection, lo-L, hi-L, probability,
/// remaining_gap` and `gap:YYYY-MM` for each remaining month; with a
/// `reallocation`, also `reallocated_target`, `reallocated_remaining` and
/// `reallocated:YYYY-MM` (remaining amounts as written for `unit`, months
/// in whole units of it). Undefined cells (attainment without expected
/// sales, a run rate before any month closed) are `None`.
pub fn track_status_table(
    tree: &OrgTree,
    run: &TrackRun,
    level: f64,
    reallocation: Option<&Reallocation>,
    unit: Option<f64>,
) -> Table {
    let (year, elapsed) = (run.year, run.elapsed);
    let level = format_level(level);
    let mut names: Vec<String> = [
        "target",
        "actual_to_date",
        "expected_to_date",
        "attainment_to_date",
        "run_rate_projection",
        "model_projection",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    names.push(format!("lo-{level}"));
    names.push(format!("hi-{level}"));
    names.extend(["probability".into(), "remaining_gap".into()]);
    names.extend((elapsed + 1..=12).map(|m| format!("gap:{year}-{m:02}")));
    if reallocation.is_some() {
        names.extend(["reallocated_target".into(), "reallocated_remaining".into()]);
        names.extend((elapsed + 1..=12).map(|m| format!("reallocated:{year}-{m:02}")));
    }
    // actual + remaining: no float noise past a millionth
    let clean = |v: f64| (v * 1e6).round() / 1e6;
    let (mut ids, mut labels) = (Vec::new(), Vec::new());
    let mut columns: Vec<Vec<Option<f64>>> = vec![Vec::new(); names.len()];
    for (i, s) in run.tracking.status.iter().enumerate() {
        let Some(s) = s else { continue };
        ids.push(tree.id(i).to_string());
        labels.push(tree.name(i).to_string());
        let mut row = vec![
            Some(s.target),
            Some(s.actual_to_date),
            Some(s.expected_to_date),
            s.attainment_to_date,
            s.run_rate,
            Some(s.projection),
            Some(s.lower),
            Some(s.upper),
            Some(s.probability),
            Some(s.gap),
        ];
        row.extend(s.gap_by_month.iter().map(|v| Some(*v)));
        if let Some(r) = reallocation {
            row.push(Some(clean(r.targets[i])));
            row.push(Some(super::amount_as_written(r.remaining[i], unit)));
            let months = run.reallocated_months(i, r.remaining[i], unit);
            row.extend(months.iter().map(|v| Some(clean(*v))));
        }
        for (column, cell) in columns.iter_mut().zip(row) {
            column.push(cell);
        }
    }
    let mut table = Table {
        columns: vec![
            ("node_id".into(), Column::Text(ids)),
            ("name".into(), Column::Text(labels)),
        ],
    };
    table.columns.extend(
        names
            .into_iter()
            .zip(columns)
            .map(|(name, cells)| (name, Column::Number(cells))),
    );
    table
}
