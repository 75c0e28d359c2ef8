//! The hiring plan, `hires.csv`: `team,count,start[,ramp]`.
//!
//! `team` is a node of the org whose children are reps; `count` a whole
//! number of reps (at least 1); `start` the month they start in, `2026-04`
//! or a date in it (`2026-04-15`: they are counted from the month's
//! first day, as the org's start dates are), inside the plan year; `ramp`
//! their monthly productivity factors separated by spaces or `;`
//! (`0.2;0.5;0.8`; empty: the run's `--ramp`).
//!
//! ```
//! use salesplan::plan::allocate::Ramp;
//! use salesplan::plan::org::OrgTree;
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\n上海一部,co\na,上海一部\n".as_bytes(), "org.csv".as_ref())?;
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("hires.csv");
//! std::fs::write(&path, "team,count,start,ramp\n上海一部,2,2026-04,0.5;0.8\n上海一部,1,2026-09-15,\n").unwrap();
//! let hires = salesplan::io::read_hires(&path, &tree, 2026, &Ramp::default())?;
//! assert_eq!((hires[0].count, hires[0].start_month), (2, 4));
//! assert_eq!(hires[0].ramp.steps(), [0.5, 0.8]);
//! assert_eq!((hires[1].start_month, hires[1].ramp.steps()), (9, Ramp::default().steps()));
//!
//! std::fs::write(&path, "team,count,start\na,1,2026-04\n").unwrap();
//! let err = salesplan::io::read_hires(&path, &tree, 2026, &Ramp::default()).unwrap_err();
//! assert!(err.to_string().contains("hires.csv:2: column 'team'"));
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::path::Path;

use chrono::{Datelike, NaiveDate};

use crate::error::Result;
use crate::plan::allocate::Ramp;
use crate::plan::capacity::{teams, Hire};
use crate::plan::org::OrgTree;

use super::read_table;

/// Reads `hires.csv` (module docs) for the plan `year`; hires without a
/// ramp get `default_ramp`.
pub fn read_hires(
    path: &Path,
    tree: &OrgTree,
    year: i32,
    default_ramp: &Ramp,
) -> Result<Vec<Hire>> {
    let t = read_table(
        path,
        &["team", "count", "start"],
        &["team", "start", "ramp"],
    )?;
    let names = t.text("team").unwrap_or_default();
    let counts = t.numbers("count").unwrap_or_default();
    let starts = t.text("start").unwrap_or_default();
    let ramps = t.text("ramp");
    let mut is_team = vec![false; tree.len()];
    for team in teams(tree) {
        is_team[team] = true;
    }
    let mut out = Vec::with_capacity(names.len());
    for (k, name) in names.iter().enumerate() {
        let team = match tree.index_of(name) {
            Some(team) if is_team[team] => team,
            Some(_) => {
                return Err(t.error_at(
                    k,
                    "team",
                    name,
                    "not a team (a node whose children are reps)".into(),
                ))
            }
            None => return Err(t.error_at(k, "team", name, "not a node of the org tree".into())),
        };
        let count = counts[k].ok_or_else(|| t.error_at(k, "count", "", "empty".into()))?;
        if !(count >= 1.0 && count.fract() == 0.0 && count <= u32::MAX as f64) {
            return Err(t.error_at(
                k,
                "count",
                &count.to_string(),
                "not a whole number of reps, at least 1".into(),
            ));
        }
        let start = &starts[k];
        let month = parse_month(start).ok_or_else(|| {
            t.error_at(
                k,
                "start",
                start,
                "not a month (2026-04) or a date (2026-04-15)".into(),
            )
        })?;
        if month.0 != year {
            return Err(t.error_at(k, "start", start, format!("outside the plan year {year}")));
        }
        let text = ramps.map_or("", |r| r[k].as_str());
        let ramp = if text.trim().is_empty() {
            default_ramp.clone()
        } else {
            text.replace(';', ",")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(",")
                .parse::<Ramp>()
                .map_err(|e| t.error_at(k, "ramp", text, e.to_string()))?
        };
        out.push(Hire {
            team,
            count: count as u32,
            start_month: month.1,
            ramp,
        });
    }
    Ok(out)
}

/// `2026-04` or `2026-04-15` → (2026, 4).
fn parse_month(text: &str) -> Option<(i32, u32)> {
    let text = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some((d.year(), d.month()));
    }
    let (y, m) = text.split_once('-')?;
    let m: u32 = m.parse().ok()?;
    (1..=12).contains(&m).then_some((y.parse().ok()?, m))
}
