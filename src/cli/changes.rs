//! `salesplan changes`: the plan after effective-dated changes during the
//! year (moves, account transfers, leavers, hires), each holder's targets
//! prorated by the days it holds the territory.

use std::path::PathBuf;

use clap::Args;
use salesplan::io::{read_changes, read_plan, Column, Table};
use salesplan::plan::changes::{plan_unit, revise};

use super::target::round;
use super::{check_files, Status};

#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// Org tree the plan was made for: node_id,parent_id[,name][,start_date][,end_date].
    #[arg(long, value_name = "FILE")]
    org: PathBuf,
    /// The plan (node_id,period,target, as `allocate` writes it), every
    /// rep by month.
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// The plan year.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1..=9998))]
    year: i32,
    /// The changes: date,node,from,to,share (a move: node, its parent, the
    /// new one; a transfer: a label, two reps, the share; a leaver: to
    /// empty; a hire: from empty).
    #[arg(long, value_name = "FILE")]
    changes: PathBuf,
    /// Round targets to multiples of this unit [default: the plan's, the
    /// largest power of ten its reps' targets are multiples of].
    #[arg(long, value_name = "UNIT")]
    round: Option<f64>,
    /// Every node's target by month under each parent it had:
    /// node_id,parent_id,period,target.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// One row per node: node_id,name,parent_id (at the year end),
    /// planned (its annual target before the changes),target,change.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
}

pub fn run(args: ChangesArgs) -> anyhow::Result<Status> {
    check_files(
        &[
            ("--org", Some(&args.org)),
            ("--plan", Some(&args.plan)),
            ("--changes", Some(&args.changes)),
        ],
        &[
            ("--output", Some(&args.output)),
            ("--summary", args.summary.as_deref()),
        ],
    )?;
    let tree = salesplan::io::read_org(&args.org)?;
    let plan = read_plan(&args.plan, &tree, args.year, 0, false)?;
    let changes = read_changes(&args.changes)?;
    let unit = match args.round {
        Some(u) => u,
        None => plan_unit(&tree, &plan.monthly),
    };
    let revision = revise(
        &tree,
        &plan.monthly,
        args.year,
        unit,
        &changes,
        &args.changes,
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", args.plan.display()))?;
    let decimals = salesplan::io::decimals_of(unit) as i32;
    let (mut id, mut parent, mut period, mut target) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for h in revision.holdings() {
        id.push(revision.id(h.node).to_string());
        parent.push(
            h.parent
                .map_or(String::new(), |p| revision.id(p).to_string()),
        );
        period.push(format!("{}-{:02}", args.year, h.month));
        target.push(Some(round(h.target, decimals)));
    }
    Table {
        columns: vec![
            ("node_id".into(), Column::Text(id)),
            ("parent_id".into(), Column::Text(parent)),
            ("period".into(), Column::Text(period)),
            ("target".into(), Column::Number(target)),
        ],
    }
    .write(&args.output, "period")?;
    let year_end =
        revision.org_on(chrono::NaiveDate::from_ymd_opt(args.year, 12, 31).unwrap_or_default());
    let planned = |i: usize| {
        (i < tree.len())
            .then(|| plan.annual[i])
            .flatten()
            .unwrap_or(0.0)
    };
    if let Some(path) = &args.summary {
        let n = revision.len();
        Table {
            columns: vec![
                (
                    "node_id".into(),
                    Column::Text((0..n).map(|i| revision.id(i).to_string()).collect()),
                ),
                (
                    "name".into(),
                    Column::Text(year_end.iter().map(|r| r.name.clone()).collect()),
                ),
                (
                    "parent_id".into(),
                    Column::Text(
                        year_end
                            .iter()
                            .map(|r| r.parent.clone().unwrap_or_default())
                            .collect(),
                    ),
                ),
                (
                    "planned".into(),
                    Column::Number((0..n).map(|i| Some(round(planned(i), decimals))).collect()),
                ),
                (
                    "target".into(),
                    Column::Number(
                        (0..n)
                            .map(|i| Some(round(revision.annual(i), decimals)))
                            .collect(),
                    ),
                ),
                (
                    "change".into(),
                    Column::Number(
                        (0..n)
                            .map(|i| Some(round(revision.annual(i) - planned(i), decimals)))
                            .collect(),
                    ),
                ),
            ],
        }
        .write(path, "period")?;
    }
    let moved = (0..revision.len())
        .filter(|&i| (revision.annual(i) - planned(i)).abs() > unit / 2.0)
        .count();
    say!(
        "{} changes applied to the {} plan (unit {}): {} nodes' annual targets changed, the company's unchanged at {}",
        changes.len(),
        args.year,
        salesplan::io::format_amount(unit, Some(decimals.max(0) as usize)),
        moved,
        salesplan::io::format_amount(revision.annual(tree.root()), Some(decimals.max(0) as usize))
    );
    super::note_written(&[
        ("--output", Some(&args.output)),
        ("--summary", args.summary.as_deref()),
    ]);
    Ok(Status::Success)
}
