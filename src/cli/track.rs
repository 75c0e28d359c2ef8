//! `salesplan track`: where every node stands against plan, and where it is heading.

use std::path::{Path, PathBuf};

use anyhow::bail;
use chrono::{Datelike, NaiveDate};
use clap::Args;
use salesplan::io::{read_long_csv, write_atomically, Columns};
use salesplan::plan::org::{NodeRow, OrgTree};
use salesplan::plan::phasing::round::round_vector;
use salesplan::scenario::attainment::{active_months, newcomers, LeafHistory, SimulationOptions};
use salesplan::track::reallocate::{
    reallocate, ReallocationBasis, ReallocationInput, ReallocationOptions,
};
use salesplan::track::{track_with_outlook, TrackInput};
use salesplan::Error;

use super::allocate::{csv_write_error, decimals_of, leaf_of, read_constraints};
use super::Status;
use super::{check_folder, in_pool, RecalibrateArg};

/// The root of the flat tree used without --org.
const TOTAL: &str = "(total)";

#[derive(Debug, Args)]
pub struct TrackArgs {
    /// The plan: node_id,period,target with period YYYY (annual) or YYYY-MM (monthly).
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// Monthly sales per leaf up to date (and before): unique_id,ds,y.
    #[arg(long, value_name = "FILE")]
    actuals: PathBuf,
    /// Last day of the data; months ending on or before it are closed.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: NaiveDate,
    /// Org tree (node_id,parent_id,...); without it every actuals series is
    /// a node under one total, "(total)".
    #[arg(long, value_name = "FILE")]
    org: Option<PathBuf>,
    /// Simulated sample paths per leaf.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(2..))]
    paths: u32,
    /// Seed of the simulation.
    #[arg(long, value_name = "SEED", default_value_t = 20_260_101)]
    seed: u64,
    /// Bias check of the reps' projections on the months before the
    /// as-of date, as many as remain (reselect: the whole automatic choice
    /// refitted without them; same-form: each rep's form only; none).
    #[arg(long, value_enum, default_value = "reselect")]
    recalibrate: RecalibrateArg,
    /// Level of the projection interval (percent).
    #[arg(long, value_name = "PERCENT", default_value_t = 80.0)]
    level: f64,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Also re-allocate the root's remaining target (target − actual to
    /// date) down the tree, by the model's projection of the remaining
    /// months: adds the columns reallocated_target (actual + re-allocated
    /// remaining), reallocated_remaining and reallocated:YYYY-MM (the
    /// remaining target phased like the gap).
    #[arg(long)]
    reallocate: bool,
    /// Per-node constraints for --reallocate, as for `allocate`
    /// (node_id,min,max,growth_min,growth_max,lock,...): bounds on the
    /// annual target; over_assignment is not applied.
    #[arg(long, value_name = "FILE", requires = "reallocate")]
    constraints: Option<PathBuf>,
    /// Round re-allocated remaining targets to multiples of this unit, totals exact.
    #[arg(long, value_name = "UNIT", requires = "reallocate")]
    round: Option<f64>,
    /// Where to write one line per node with a target.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
}

pub fn run(args: TrackArgs) -> anyhow::Result<Status> {
    check_folder(&args.output)?;
    let year = args.as_of.year();
    let month_end = args
        .as_of
        .checked_add_days(chrono::Days::new(1))
        .is_some_and(|next| next.month() != args.as_of.month());
    let elapsed = args.as_of.month() as usize - usize::from(!month_end);
    let series = read_long_csv(&args.actuals, &Columns::default())?;
    let (tree, org_path) = match &args.org {
        Some(path) => (OrgTree::read(path)?, path.clone()),
        None => {
            let mut rows = vec![NodeRow {
                id: TOTAL.into(),
                line: 0,
                ..NodeRow::default()
            }];
            for s in &series {
                rows.push(NodeRow {
                    id: s.id().to_string(),
                    parent: Some(TOTAL.into()),
                    ..NodeRow::default()
                });
            }
            (
                OrgTree::from_rows(rows, &args.actuals)?,
                args.actuals.clone(),
            )
        }
    };
    let n = tree.len();
    let (targets, expected) = read_plan(&args.plan, &tree, year, elapsed, args.org.is_none())?;
    let constraints = match &args.constraints {
        Some(path) => {
            let (constraints, _) = read_constraints(path, &tree)?;
            if constraints.iter().any(|c| c.over_assignment.is_some()) {
                eprintln!(
                    "note: {}: over_assignment is not applied when re-allocating",
                    path.display()
                );
            }
            Some(constraints)
        }
        None => None,
    };
    // History up to the last closed month; the plan year's part of it.
    let first = NaiveDate::from_ymd_opt(year, 1, 1);
    let cutoff = if elapsed == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, elapsed as u32 + 1, 1)
    };
    let (Some(first), Some(cutoff)) = (first, cutoff) else {
        bail!("--as-of {}: year out of range", args.as_of);
    };
    let mut actual = vec![0.0; n];
    let mut last_year = vec![0.0; n];
    let mut cut = Vec::with_capacity(series.len());
    for s in &series {
        let node = leaf_of(&tree, s, &args.actuals, &org_path)?;
        last_year[node] = s.year_total(year - 1);
        let d = s.dates();
        let keep = d.iter().take_while(|d| **d < cutoff).count();
        actual[node] = d[..keep]
            .iter()
            .zip(s.values())
            .filter(|(d, _)| **d >= first)
            .fold(0.0, |sum, (_, v)| sum + v);
        let index = |d: NaiveDate| d.year() as i64 * 12 + d.month0() as i64;
        let gap = keep
            .checked_sub(1)
            .map_or(0, |k| (index(cutoff) - index(d[k]) - 1).max(0) as usize);
        let months = active_months(tree.start_date(node), tree.end_date(node), year);
        cut.push((node, keep, gap, months));
    }
    // less than a year of history (or none): projected as peers sell, with
    // the default ramp over the remaining months
    let mut fitted = vec![false; n];
    let leaves: Vec<LeafHistory> = series
        .iter()
        .zip(&cut)
        .filter(|(_, (_, keep, _, _))| *keep >= 12)
        .map(|(s, (node, keep, gap, months))| {
            fitted[*node] = true;
            LeafHistory {
                node: *node,
                id: s.id(),
                values: &s.values()[..*keep],
                gap: *gap,
                active: Some(&months[elapsed..]),
            }
        })
        .collect();
    let newcomers = newcomers(&tree, &fitted, year, elapsed);
    let input = TrackInput {
        tree: &tree,
        elapsed,
        leaves: &leaves,
        newcomers: &newcomers,
        actual_to_date: &actual,
        targets: &targets,
        expected_to_date: Some(&expected),
    };
    let options = SimulationOptions {
        paths: args.paths as usize,
        seed: args.seed,
        season_length: 12,
        periods: 12,
        form: None,
        recalibration: args.recalibrate.into(),
        ..SimulationOptions::default()
    };
    let tracking = in_pool(args.threads, || {
        track_with_outlook(&input, &options, args.level)
    })??;
    let reallocation = if args.reallocate {
        let projected = tracking.projected_remaining();
        let realloc_input = ReallocationInput {
            tree: &tree,
            year,
            elapsed,
            targets: &targets,
            actual_to_date: &actual,
            projected_remaining: &projected,
            constraints: constraints.as_deref(),
            last_year: Some(&last_year),
        };
        let realloc_options = ReallocationOptions {
            unit: args.round,
            ..ReallocationOptions::default()
        };
        let r = in_pool(args.threads, || {
            reallocate(&realloc_input, &realloc_options)
        })?
        .map_err(|e| anyhow::anyhow!("--reallocate: {e}"))?;
        if r.basis == ReallocationBasis::RemainingPlan {
            eprintln!("note: the model projects no sales for the rest of the year; the remaining plan is the basis of the re-allocation");
        }
        Some(r)
    } else {
        None
    };
    let status = &tracking.status;
    let level = salesplan::io::format_level(args.level);
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
    let decimals = args.round.map(decimals_of);
    let amount = |v: f64| match decimals {
        Some(d) => format!("{v:.d$}"),
        None => v.to_string(),
    };
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    write_atomically(&args.output, |w| {
        let mut out = csv::Writer::from_writer(w);
        let io = |e: csv::Error| csv_write_error(e, &args.output);
        out.write_record(&header).map_err(io)?;
        for (i, s) in status.iter().enumerate() {
            let Some(s) = s else { continue };
            let mut row = vec![
                tree.id(i).to_string(),
                tree.name(i).to_string(),
                s.target.to_string(),
                s.actual_to_date.to_string(),
                s.expected_to_date.to_string(),
                opt(s.attainment_to_date),
                opt(s.run_rate),
                s.projection.to_string(),
                s.lower.to_string(),
                s.upper.to_string(),
                s.probability.to_string(),
                s.gap.to_string(),
            ];
            row.extend(s.gap_by_month.iter().map(f64::to_string));
            if let Some(r) = &reallocation {
                // actual + remaining: no float noise past a millionth
                let clean = |v: f64| ((v * 1e6).round() / 1e6).to_string();
                row.push(clean(r.targets[i]));
                row.push(amount(r.remaining[i]));
                let mut months = tracking.phase(i, r.remaining[i]).unwrap_or_default();
                // whole units with --round, the remaining target kept exact
                if let Some(unit) = args.round {
                    if let Ok(whole) = round_vector(&months, unit) {
                        months = whole;
                    }
                }
                row.extend(months.iter().map(|v| clean(*v)));
            }
            out.write_record(&row).map_err(io)?;
        }
        out.flush().map_err(|source| Error::Io {
            path: args.output.clone(),
            source,
        })
    })?;
    let tracked = status.iter().filter(|s| s.is_some()).count();
    eprintln!("{tracked} nodes tracked after {elapsed} closed months of {year}");
    Ok(Status::Success)
}

/// Annual targets per node and what they expected by the end of `elapsed`:
/// the monthly targets to date, or the annual target × elapsed / 12.
fn read_plan(
    path: &Path,
    tree: &OrgTree,
    year: i32,
    elapsed: usize,
    flat: bool,
) -> anyhow::Result<(Vec<Option<f64>>, Vec<f64>)> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| csv_write_error(e, path))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    let (Some(id_col), Some(period_col), Some(target_col)) =
        (find("node_id"), find("period"), find("target"))
    else {
        bail!(
            "{}: needs the columns node_id, period, target",
            path.display()
        );
    };
    let n = tree.len();
    let mut annual: Vec<Option<f64>> = vec![None; n];
    let mut monthly: Vec<Option<[Option<f64>; 12]>> = vec![None; n];
    for record in reader.records() {
        let record = record.map_err(|e| csv_write_error(e, path))?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = |column: &str, value: &str, reason: String| Error::Input {
            path: path.to_path_buf(),
            line,
            column: column.into(),
            value: Some(value.into()),
            reason,
        };
        let id = record.get(id_col).unwrap_or_default();
        let period = record.get(period_col).unwrap_or_default();
        let text = record.get(target_col).unwrap_or_default();
        let Some(node) = tree.index_of(id) else {
            let reason = if flat {
                "not a series of the actuals (give --org to track teams and regions)"
            } else {
                "not a node of the org tree"
            };
            return Err(bad("node_id", id, reason.into()).into());
        };
        let target: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| bad("target", text, "not a non-negative number".into()))?;
        let (y, month) = match period.split_once('-') {
            None => (period.parse::<i32>().ok(), None),
            Some((y, m)) => (
                y.parse::<i32>().ok(),
                m.parse::<usize>().ok().filter(|m| (1..=12).contains(m)),
            ),
        };
        if y != Some(year) || (period.contains('-') && month.is_none()) {
            return Err(bad(
                "period",
                period,
                format!("expected {year} or {year}-MM (the --as-of year)"),
            )
            .into());
        }
        let clash = || {
            bad(
                "period",
                period,
                "the node has both annual and monthly targets, or a period twice".into(),
            )
        };
        match month {
            None => {
                if annual[node].is_some() || monthly[node].is_some() {
                    return Err(clash().into());
                }
                annual[node] = Some(target);
            }
            Some(m) => {
                if annual[node].is_some() && monthly[node].is_none() {
                    return Err(clash().into());
                }
                let months = monthly[node].get_or_insert([None; 12]);
                if months[m - 1].is_some() {
                    return Err(clash().into());
                }
                months[m - 1] = Some(target);
            }
        }
    }
    let mut expected = vec![0.0; n];
    for i in 0..n {
        if let Some(months) = monthly[i] {
            let Some(months) = months.iter().copied().collect::<Option<Vec<f64>>>() else {
                bail!(
                    "{}: node '{}' has monthly targets for some months of {year} only",
                    path.display(),
                    tree.id(i)
                );
            };
            annual[i] = Some(months.iter().sum());
            expected[i] = months[..elapsed].iter().sum();
        } else if let Some(a) = annual[i] {
            expected[i] = a * elapsed as f64 / 12.0;
        }
    }
    Ok((annual, expected))
}
