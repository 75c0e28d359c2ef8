//! `salesplan track`: where every node stands against plan, and where it is heading.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use salesplan::io::{
    read_changes, read_constraints, read_long_csv, read_plan, write_track_status, Columns,
};
use salesplan::plan::changes::{plan_unit, revise};
use salesplan::scenario::attainment::SimulationOptions;
use salesplan::track::actuals::{closed_months, flat_tree, join_history, MissingMonths};
use salesplan::track::reallocate::{ReallocationBasis, ReallocationOptions};
use salesplan::track::{track_actuals, track_revised, RevisedTracking, TrackRequest};

use super::{check_files, in_pool, EventArgs, RecalibrateArg, Status};

/// `--missing` values (see [`MissingMonths`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MissingArg {
    Error,
    Zero,
}

impl From<MissingArg> for MissingMonths {
    fn from(arg: MissingArg) -> Self {
        match arg {
            MissingArg::Error => MissingMonths::Error,
            MissingArg::Zero => MissingMonths::Zero,
        }
    }
}

#[derive(Debug, Args)]
pub struct TrackArgs {
    /// The plan: node_id,period,target with period YYYY (annual) or YYYY-MM (monthly).
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// Monthly sales per leaf up to date (and before): unique_id,ds,y.
    #[arg(long, value_name = "FILE")]
    actuals: PathBuf,
    /// Monthly sales per leaf of the years before (as `allocate --history`):
    /// joined with `--actuals` rep by rep, which may then hold only this
    /// year's months; a month in both must agree.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Last day of the data; months ending on or before it are closed.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: NaiveDate,
    /// A closed month in which an active leaf has no actuals: `error`
    /// (refuse, naming leaves and months) or `zero` (count it as zero
    /// sales, and say how many).
    #[arg(long, value_enum, default_value = "error")]
    missing: MissingArg,
    /// Org tree (node_id,parent_id,...); without it every actuals series is
    /// a node under one total, "(total)".
    #[arg(long, value_name = "FILE")]
    org: Option<PathBuf>,
    /// Effective-dated changes since the plan was made (date,node,from,to,
    /// share, as `salesplan changes` reads them): each holder is tracked
    /// against its prorated target, its actual to date counted for the
    /// days it held each rep. Needs --org and a plan by month.
    #[arg(long, value_name = "FILE", requires = "org")]
    changes: Option<PathBuf>,
    /// Simulated sample paths per leaf.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(2..))]
    paths: u32,
    #[command(flatten)]
    events: EventArgs,
    /// Seed of the simulation.
    #[arg(long, value_name = "SEED", default_value_t = 20_260_101)]
    seed: u64,
    #[command(flatten)]
    memory: super::memory::MemoryArgs,
    /// Calibration of the projections on rolling-origin backtests of the
    /// reps' history, windows as long as the months that remain
    /// (reselect: the whole automatic choice refitted before each origin;
    /// same-form: each rep's form only; none).
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
    /// Also score the probabilities on up to three plan years before this
    /// one (as `salesplan calibrate` does) and write the reliability table
    /// here; one line is printed. Costs a plan run per year scored.
    #[arg(long, value_name = "FILE")]
    calibration_report: Option<PathBuf>,
}

pub fn run(args: TrackArgs) -> anyhow::Result<Status> {
    check_files(
        &[
            ("--plan", Some(&args.plan)),
            ("--actuals", Some(&args.actuals)),
            ("--history", args.history.as_deref()),
            ("--org", args.org.as_deref()),
            ("--changes", args.changes.as_deref()),
            ("--constraints", args.constraints.as_deref()),
            ("--events-file", args.events.events_file.as_deref()),
        ],
        &[
            ("--output", Some(&args.output)),
            ("--calibration-report", args.calibration_report.as_deref()),
        ],
    )?;
    let (year, elapsed) = closed_months(args.as_of);
    let mut series = read_long_csv(&args.actuals, &Columns::default())?;
    if let Some(path) = &args.history {
        let history = read_long_csv(path, &Columns::default())?;
        series = join_history(&history, &series).map_err(|e| {
            anyhow::anyhow!(
                "{} (--history) and {} (--actuals): {e}",
                path.display(),
                args.actuals.display()
            )
        })?;
    }
    let org = match &args.org {
        Some(path) => salesplan::io::read_org(path)?,
        None => flat_tree(&series, &args.actuals)?,
    };
    // with changes: the revised plan and the org of the first open day
    let revision = match &args.changes {
        Some(path) => {
            let planned = read_plan(&args.plan, &org, year, 0, false)?;
            let unit = plan_unit(&org, &planned.monthly);
            let changes = read_changes(path)?;
            Some(
                revise(&org, &planned.monthly, year, unit, &changes, path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", args.plan.display()))?,
            )
        }
        None => None,
    };
    let revised = match &revision {
        Some(r) => Some(RevisedTracking::new(r, args.as_of).map_err(|e| {
            anyhow::anyhow!(
                "{}: {e}",
                args.changes.as_deref().unwrap_or(&args.plan).display()
            )
        })?),
        None => None,
    };
    let tree = revised.as_ref().map_or(org.clone(), |r| r.tree.clone());
    args.memory.check(
        &format!("--paths {} over {} nodes", args.paths, tree.len()),
        super::memory::simulation_bytes(args.paths as usize, &tree, args.threads),
    )?;
    let plan = match &revised {
        Some(r) => r.plan.clone(),
        None => read_plan(&args.plan, &tree, year, elapsed, args.org.is_none())?,
    };
    if let Some(most) = plan.over_assigned.iter().map(|(_, r)| *r).reduce(f64::max) {
        say!(
            "note: {}: over-assigned at {} node{} (their children's targets sum to up to {:.1}% of their own)",
            args.plan.display(),
            plan.over_assigned.len(),
            if plan.over_assigned.len() == 1 { "" } else { "s" },
            100.0 * most
        );
    }
    let constraints = match &args.constraints {
        Some(path) => {
            let constraints = read_constraints(path, &tree)?.nodes;
            if constraints.iter().any(|c| c.over_assignment.is_some()) {
                say!(
                    "note: {}: over_assignment is not applied when re-allocating",
                    path.display()
                );
            }
            Some(constraints)
        }
        None => None,
    };
    let request = TrackRequest {
        as_of: args.as_of,
        simulation: SimulationOptions {
            paths: args.paths as usize,
            seed: args.seed,
            recalibration: args.recalibrate.into(),
            ..SimulationOptions::default()
        },
        level: args.level,
        events: args.events.calendar(|id| tree.index_of(id).is_some())?,
        missing: args.missing.into(),
    };
    let working = super::spinner(&format!("projecting {} nodes", tree.len()));
    let run = in_pool(args.threads, || match &revision {
        Some(r) => track_revised(r, &series, &request).map(|(_, run)| run),
        None => track_actuals(&tree, &series, &plan, &request),
    })?
    .map_err(|e| anyhow::anyhow!("{}: {e}", args.actuals.display()))?;
    drop(working);
    let reallocation = if args.reallocate {
        let options = ReallocationOptions {
            unit: args.round,
            ..ReallocationOptions::default()
        };
        let r = in_pool(args.threads, || {
            run.reallocate(&tree, &plan, constraints.as_deref(), &options)
        })?
        .map_err(|e| anyhow::anyhow!("--reallocate: {e}"))?;
        if r.basis == ReallocationBasis::RemainingPlan {
            say!("note: the model projects no sales for the rest of the year; the remaining plan is the basis of the re-allocation");
        }
        Some(r)
    } else {
        None
    };
    write_track_status(
        &args.output,
        &tree,
        &run,
        args.level,
        reallocation.as_ref(),
        args.round,
    )?;
    if !run.missing.is_empty() {
        let months: usize = run.missing.iter().map(|(_, m)| m.len()).sum();
        say!(
            "note: {months} closed leaf-months without actuals ({} leaves) counted as zero sales (--missing zero)",
            run.missing.len()
        );
    }
    let tracked = run.tracking.status.iter().filter(|s| s.is_some()).count();
    let calibration = run.tracking.outlook.as_ref().and_then(|o| o.calibration());
    say!(
        "{tracked} nodes tracked after {elapsed} closed months of {year}{}",
        calibration.map_or(String::new(), |c| format!("; projections {c}"))
    );
    if calibration.is_none() && args.recalibrate != RecalibrateArg::None && elapsed < 12 {
        say!("{}", super::UNCALIBRATED);
    }
    if let Some(path) = &args.calibration_report {
        let simulation = request.simulation;
        in_pool(args.threads, || {
            super::calibrate::report_before(&tree, &series, year, simulation, path)
        })??;
    }
    super::note_written(&[
        ("--output", Some(&args.output)),
        ("--calibration-report", args.calibration_report.as_deref()),
    ]);
    Ok(Status::Success)
}
