//! `salesplan capacity`: what each team can sell by month with its reps,
//! its planned hires and the attrition expected, at last year's
//! productivity, against the plan's targets; and the hires that would close
//! each team's gap, starting by when.

use std::path::PathBuf;

use anyhow::Context;
use chrono::Datelike;
use clap::Args;
use salesplan::io::{read_hires, read_long_csv, read_plan, Column, Columns, Table};
use salesplan::plan::allocate::Ramp;
use salesplan::plan::capacity::{
    against_targets, capacity_plan, CapacityInputs, HiringRule, NodeCapacity, RateSource,
};
use salesplan::plan::org::OrgTree;
use salesplan::plan::sales::{history_profiles_with_events, leaf_nodes};

use super::target::round;
use super::{check_files, EventArgs, Status};

#[derive(Debug, Args)]
pub struct CapacityArgs {
    /// Org tree: node_id,parent_id[,name][,start_date][,end_date] (reps'
    /// start and end dates count).
    #[arg(long, value_name = "FILE")]
    org: PathBuf,
    /// Monthly sales per rep: unique_id,ds,y; last year's give each rep's
    /// productivity, three years' each team's season.
    #[arg(long, value_name = "FILE")]
    history: PathBuf,
    /// The plan to check (node_id,period,target, as `allocate` writes it);
    /// a team with an annual target only is phased by its season.
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// The plan year.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1..=9998))]
    year: i32,
    /// The hiring plan: team,count,start[,ramp] (start 2026-04; ramp
    /// 0.2;0.5;0.8, empty: --ramp).
    #[arg(long, value_name = "FILE")]
    hires: Option<PathBuf>,
    /// Annual attrition: the share of reps expected to leave over a year
    /// (0.15 = 15%), spread evenly; reps with an end date leave then.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    attrition: f64,
    /// Monthly ramp factors of reps who start during the year and of hires.
    #[arg(long, value_name = "FACTORS", default_value = "0.25,0.5,0.75")]
    ramp: Ramp,
    /// Growth of every rep's productivity over last year's (0.05 = +5%).
    #[arg(
        long,
        value_name = "RATE",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    productivity_growth: f64,
    /// The earliest month new hires to close a gap could start (YYYY-MM in
    /// the plan year) [default: January].
    #[arg(long, value_name = "MONTH")]
    earliest_start: Option<String>,
    #[command(flatten)]
    events: EventArgs,
    /// By team and unit above and month: node_id,name,period,headcount,
    /// productive_rep_months,capacity,target,gap (the year as period YYYY).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// One row per team and unit above: node_id,name,reps,hires_planned,
    /// rate_per_rep,capacity,target,gap,coverage,hires_needed,start_by.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
}

pub fn run(args: CapacityArgs) -> anyhow::Result<Status> {
    check_files(
        &[
            ("--org", Some(&args.org)),
            ("--history", Some(&args.history)),
            ("--plan", Some(&args.plan)),
            ("--hires", args.hires.as_deref()),
            ("--events-file", args.events.events_file.as_deref()),
        ],
        &[
            ("--output", Some(&args.output)),
            ("--summary", args.summary.as_deref()),
        ],
    )?;
    if !(0.0..1.0).contains(&args.attrition) {
        anyhow::bail!(
            "--attrition {}: not a rate from 0 to below 1",
            args.attrition
        );
    }
    let earliest = match &args.earliest_start {
        None => 1,
        Some(text) => {
            parse_month(text, args.year).with_context(|| format!("--earliest-start {text}"))?
        }
    };
    let tree = salesplan::io::read_org(&args.org)?;
    let series = read_long_csv(&args.history, &Columns::default())?;
    let nodes = leaf_nodes(&tree, &series).with_context(|| args.history.display().to_string())?;
    let events = args.events.calendar(|id| tree.index_of(id).is_some())?;
    let profiles = history_profiles_with_events(&tree, &series, &nodes, args.year, events.as_ref())
        .with_context(|| args.history.display().to_string())?;
    let season: Vec<[f64; 12]> = profiles.iter().map(|p| *p.shares()).collect();
    let mut last_year = vec![[None; 12]; tree.len()];
    for (s, &node) in series.iter().zip(&nodes) {
        for (date, &y) in s.dates().iter().zip(s.values()) {
            if date.year() == args.year - 1 && y.is_finite() {
                last_year[node][date.month0() as usize] = Some(y);
            }
        }
    }
    let hires = match &args.hires {
        Some(path) => read_hires(path, &tree, args.year, &args.ramp)?,
        None => Vec::new(),
    };
    let inputs = CapacityInputs {
        year: args.year,
        last_year: &last_year,
        season: &season,
        ramp: &args.ramp,
        attrition: args.attrition,
        productivity_growth: args.productivity_growth,
        hires: &hires,
    };
    let plan = capacity_plan(&tree, &inputs)?;
    let targets = read_plan(&args.plan, &tree, args.year, 0, false)?;
    let mut monthly: Vec<Option<[f64; 12]>> = vec![None; tree.len()];
    for node in 0..tree.len() {
        monthly[node] = match (targets.monthly[node], targets.annual[node]) {
            (Some(m), _) => Some(m),
            (None, Some(a)) => Some(std::array::from_fn(|m| a * season[node][m])),
            (None, None) => None,
        };
    }
    let rule = HiringRule {
        ramp: &args.ramp,
        attrition: args.attrition,
        earliest,
    };
    let rows = against_targets(&tree, &plan, &monthly, &season, &rule);
    if let Some(row) = rows.iter().find(|r| monthly[r.node].is_none()) {
        anyhow::bail!(
            "{}: no target for '{}' (a team or a unit above teams); give the plan `allocate` wrote for {}",
            args.plan.display(),
            tree.id(row.node),
            args.year
        );
    }
    capacity_table(&tree, &rows, args.year).write(&args.output, "period")?;
    if let Some(path) = &args.summary {
        summary_table(&tree, &rows, args.year).write(path, "node_id")?;
    }
    let peers = plan
        .rates
        .iter()
        .flatten()
        .filter(|r| r.source != RateSource::Own)
        .count();
    let teams: Vec<&NodeCapacity> = rows.iter().filter(|r| r.hire_rate.is_some()).collect();
    let short: Vec<&&NodeCapacity> = teams.iter().filter(|r| r.gap() > 0.0).collect();
    let needed: u32 = short
        .iter()
        .filter_map(|r| r.hires_needed.map(|h| h.count))
        .sum();
    say!(
        "{} teams, {} reps in the org during {} and {} planned hires, attrition {:.1}%/year ({} reps at their peers' productivity): {} teams short of capacity, {} hires to close their gaps",
        teams.len(),
        teams.iter().map(|t| t.reps - t.hires as usize).sum::<usize>(),
        args.year,
        hires.iter().map(|h| h.count).sum::<u32>(),
        100.0 * args.attrition,
        peers,
        short.len(),
        needed
    );
    if let Some(root) = rows.iter().find(|r| r.node == tree.root()) {
        let total = |v: &[f64; 12]| v.iter().sum::<f64>();
        say!(
            "company: capacity {} against target {} ({:.1}%)",
            salesplan::io::format_amount(total(&root.capacity), Some(0)),
            salesplan::io::format_amount(total(&root.target), Some(0)),
            100.0 * total(&root.capacity) / total(&root.target)
        );
    }
    super::note_written(&[
        ("--output", Some(&args.output)),
        ("--summary", args.summary.as_deref()),
    ]);
    Ok(Status::Success)
}

/// `2026-04` → 4, when in `year`.
fn parse_month(text: &str, year: i32) -> anyhow::Result<u32> {
    let (y, m) = text
        .trim()
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .filter(|(_, m)| (1..=12).contains(m))
        .ok_or_else(|| anyhow::anyhow!("not a month (YYYY-MM)"))?;
    if y != year {
        anyhow::bail!("not in the plan year {year}");
    }
    Ok(m)
}

/// Monthly rows then the year's, per node.
fn capacity_table(tree: &OrgTree, rows: &[NodeCapacity], year: i32) -> Table {
    let (mut id, mut name, mut period) = (Vec::new(), Vec::new(), Vec::new());
    let (mut head, mut productive, mut capacity, mut target, mut gap) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        for m in 0..=12 {
            id.push(tree.id(r.node).to_string());
            name.push(tree.name(r.node).to_string());
            let (h, p, c, t) = if m < 12 {
                period.push(format!("{year}-{:02}", m + 1));
                (r.headcount[m], r.productive[m], r.capacity[m], r.target[m])
            } else {
                period.push(year.to_string());
                (
                    r.headcount.iter().sum::<f64>() / 12.0,
                    r.productive.iter().sum(),
                    r.capacity.iter().sum(),
                    r.target.iter().sum(),
                )
            };
            head.push(Some(round(h, 2)));
            productive.push(Some(round(p, 2)));
            capacity.push(Some(round(c, 0)));
            target.push(Some(round(t, 2)));
            gap.push(Some(round(t - c, 0)));
        }
    }
    Table {
        columns: vec![
            ("node_id".into(), Column::Text(id)),
            ("name".into(), Column::Text(name)),
            ("period".into(), Column::Text(period)),
            ("headcount".into(), Column::Number(head)),
            ("productive_rep_months".into(), Column::Number(productive)),
            ("capacity".into(), Column::Number(capacity)),
            ("target".into(), Column::Number(target)),
            ("gap".into(), Column::Number(gap)),
        ],
    }
}

fn summary_table(tree: &OrgTree, rows: &[NodeCapacity], year: i32) -> Table {
    let text = |f: &dyn Fn(&NodeCapacity) -> String| Column::Text(rows.iter().map(f).collect());
    let number =
        |f: &dyn Fn(&NodeCapacity) -> Option<f64>| Column::Number(rows.iter().map(f).collect());
    let total = |v: &[f64; 12]| v.iter().sum::<f64>();
    Table {
        columns: vec![
            ("node_id".into(), text(&|r| tree.id(r.node).to_string())),
            ("name".into(), text(&|r| tree.name(r.node).to_string())),
            ("reps".into(), number(&|r| Some(r.reps as f64))),
            ("hires_planned".into(), number(&|r| Some(r.hires as f64))),
            (
                "rate_per_rep".into(),
                number(&|r| r.hire_rate.map(|v| round(v, 0))),
            ),
            (
                "capacity".into(),
                number(&|r| Some(round(total(&r.capacity), 0))),
            ),
            (
                "target".into(),
                number(&|r| Some(round(total(&r.target), 2))),
            ),
            ("gap".into(), number(&|r| Some(round(r.gap(), 0)))),
            (
                "coverage".into(),
                number(&|r| {
                    let t = total(&r.target);
                    (t > 0.0).then(|| round(total(&r.capacity) / t, 4))
                }),
            ),
            (
                "hires_needed".into(),
                number(&|r| r.hires_needed.map(|h| h.count as f64)),
            ),
            (
                "start_by".into(),
                text(&|r| match r.hires_needed {
                    Some(h) if h.count > 0 => format!("{year}-{:02}", h.start_by),
                    _ => String::new(),
                }),
            ),
        ],
    }
}
