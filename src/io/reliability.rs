//! Writing the reliability report of `salesplan calibrate`.

use std::path::Path;

use crate::error::Result;
use crate::io::atomic::write_atomically;
use crate::io::format::{csv_file_error, flush_csv};
use crate::scenario::reliability::ReliabilityReport;

/// Writes the report (atomically): one row per level and probability bin,
/// `depth, nodes, bin_low, bin_high, mean_predicted, share_reached, count,
/// mid_ece, noise_floor, brier` (the level's measures on every row; empty
/// cells for an empty bin).
pub fn write_reliability(path: &Path, report: &ReliabilityReport) -> Result<()> {
    write_atomically(path, |w| write_reliability_into(w, path, report))
}

/// [`write_reliability`]'s table into `w` (`path` names it in errors).
pub fn write_reliability_into<W: std::io::Write>(
    w: W,
    path: &Path,
    report: &ReliabilityReport,
) -> Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let io = |e: csv::Error| csv_file_error(e, path);
    out.write_record([
        "depth",
        "nodes",
        "bin_low",
        "bin_high",
        "mean_predicted",
        "share_reached",
        "count",
        "mid_ece",
        "noise_floor",
        "brier",
    ])
    .map_err(io)?;
    for level in &report.levels {
        for (k, bin) in level.bins.iter().enumerate() {
            let (mean, share) = if bin.count > 0 {
                let c = bin.count as f64;
                (
                    format!("{:.4}", bin.predicted / c),
                    format!("{:.4}", bin.reached as f64 / c),
                )
            } else {
                (String::new(), String::new())
            };
            out.write_record([
                level.depth.to_string(),
                level.nodes.to_string(),
                format!("{:.1}", k as f64 / 10.0),
                format!("{:.1}", (k + 1) as f64 / 10.0),
                mean,
                share,
                bin.count.to_string(),
                format!("{:.4}", level.mid_ece),
                format!("{:.4}", level.noise_floor),
                format!("{:.4}", level.brier),
            ])
            .map_err(io)?;
        }
    }
    flush_csv(&mut out, path)
}
