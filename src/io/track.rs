//! Writing tracking results: one row per node with a target.

use std::path::Path;

use crate::error::Result;
use crate::io::atomic::write_atomically;
use crate::io::format::{csv_file_error, decimals_of, flush_csv, format_amount};
use crate::io::write::format_level;
use crate::plan::org::OrgTree;
use crate::track::reallocate::Reallocation;
use crate::track::TrackRun;

/// Writes `status.csv` (atomically): `node_id, name, target,
/// actual_to_date, expected_to_date, attainment_to_date,
/// run_rate_projection, model_projection, lo-L, hi-L, probability,
/// remaining_gap` and `gap:YYYY-MM` for each remaining month; with a
/// `reallocation`, also `reallocated_target`, `reallocated_remaining` and
/// `reallocated:YYYY-MM` (remaining amounts with the decimals of `unit`,
/// months in whole units of it).
pub fn write_track_status(
    path: &Path,
    tree: &OrgTree,
    run: &TrackRun,
    level: f64,
    reallocation: Option<&Reallocation>,
    unit: Option<f64>,
) -> Result<()> {
    let (year, elapsed) = (run.year, run.elapsed);
    let level = format_level(level);
    let mut header: Vec<String> = [
        "node_id",
        "name",
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
    header.push(format!("lo-{level}"));
    header.push(format!("hi-{level}"));
    header.extend(["probability".into(), "remaining_gap".into()]);
    header.extend((elapsed + 1..=12).map(|m| format!("gap:{year}-{m:02}")));
    if reallocation.is_some() {
        header.extend(["reallocated_target".into(), "reallocated_remaining".into()]);
        header.extend((elapsed + 1..=12).map(|m| format!("reallocated:{year}-{m:02}")));
    }
    let decimals = unit.map(decimals_of);
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format_amount(v, None));
    // actual + remaining: no float noise past a millionth
    let clean = |v: f64| format_amount((v * 1e6).round() / 1e6, None);
    write_atomically(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        let io = |e: csv::Error| csv_file_error(e, path);
        out.write_record(&header).map_err(io)?;
        for (i, s) in run.tracking.status.iter().enumerate() {
            let Some(s) = s else { continue };
            let mut row = vec![
                tree.id(i).to_string(),
                tree.name(i).to_string(),
                format_amount(s.target, None),
                format_amount(s.actual_to_date, None),
                format_amount(s.expected_to_date, None),
                opt(s.attainment_to_date),
                opt(s.run_rate),
                format_amount(s.projection, None),
                format_amount(s.lower, None),
                format_amount(s.upper, None),
                format_amount(s.probability, None),
                format_amount(s.gap, None),
            ];
            row.extend(s.gap_by_month.iter().map(|v| format_amount(*v, None)));
            if let Some(r) = reallocation {
                row.push(clean(r.targets[i]));
                row.push(format_amount(r.remaining[i], decimals));
                let months = run.reallocated_months(i, r.remaining[i], unit);
                row.extend(months.iter().map(|v| clean(*v)));
            }
            out.write_record(&row).map_err(io)?;
        }
        flush_csv(&mut out, path)
    })
}
