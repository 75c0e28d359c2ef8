//! `salesplan sweep`: plan and score many scenarios from one set of forecasts.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use salesplan::io::{
    read_constraints, read_long_csv, write_sweep, write_sweep_summary, Columns, SweepMeasure,
    SweepTable, SweepTableOptions,
};
use salesplan::scenario::attainment::SimulationOptions;
use salesplan::scenario::read_scenarios;
use salesplan::scenario::sweep::{misfit_scenarios, BalancedPhasing, PlanningData};

use super::{
    check_files, in_pool, EventArgs, PlanInputArgs, RecalibrateArg, SimulationArgs, Status,
};

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    inputs: PlanInputArgs,
    #[command(flatten)]
    events: EventArgs,
    /// Scenarios: TOML ([defaults], [[scenario]] and [[grid]] tables), the
    /// same as .json, or a .csv list (one scenario per row).
    #[arg(long, value_name = "FILE")]
    scenarios: PathBuf,
    #[command(flatten)]
    simulation: SimulationArgs,
    #[command(flatten)]
    memory: super::memory::MemoryArgs,
    /// One ETS form for every rep (e.g. ets:MAM, about ten times faster
    /// than choosing per rep; reps it cannot fit fall back to auto-ets).
    #[arg(long, value_name = "MODEL", default_value = "auto-ets")]
    model: String,
    /// Also write each node's targets per period of its scenario's calendar
    /// (measure target:<period>, e.g. target:2026-03, target:2026Q1).
    #[arg(long)]
    periods: bool,
    /// Org levels written to the long table, by depth (0 = the company,
    /// 1 = its children, ...) [default: all].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    levels: Vec<usize>,
    /// Measures written to the long table.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "target,probability,expected_attainment"
    )]
    measures: Vec<Measure>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Long table: scenario,node_id,measure,value.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// One line per scenario.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Also score the probabilities on up to three plan years before this
    /// one (as `salesplan calibrate` does) and write the reliability table
    /// here; one line is printed. Costs a plan run per year scored.
    #[arg(long, value_name = "FILE")]
    calibration_report: Option<PathBuf>,
}

/// A per-node measure of the long table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
enum Measure {
    Target,
    Probability,
    ExpectedAttainment,
}

impl From<Measure> for SweepMeasure {
    fn from(m: Measure) -> SweepMeasure {
        match m {
            Measure::Target => SweepMeasure::Target,
            Measure::Probability => SweepMeasure::Probability,
            Measure::ExpectedAttainment => SweepMeasure::ExpectedAttainment,
        }
    }
}

pub fn run(args: SweepArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    check_files(
        &[
            &args.inputs.files(&args.events)[..],
            &[("--scenarios", Some(&args.scenarios))],
        ]
        .concat(),
        &[
            ("--output", Some(&args.output)),
            ("--summary", args.summary.as_deref()),
            ("--calibration-report", args.calibration_report.as_deref()),
        ],
    )?;
    let scenarios = read_scenarios(&args.scenarios)?;
    let tree = salesplan::io::read_org(&args.inputs.org)?;
    let n = tree.len();
    let series = read_long_csv(&args.inputs.history, &Columns::default())?;
    args.simulation
        .check_memory(&args.memory, &tree, args.threads)?;
    let options = SimulationOptions {
        form: salesplan::scenario::attainment::parse_form(&args.model)?,
        ..args.simulation.options()
    };
    let fit_started = Instant::now();
    let data = planning_data(
        &args.inputs,
        &args.events,
        tree,
        &series,
        &options,
        args.threads,
    )?;
    let fit_time = fit_started.elapsed();
    // a scenario that does not fit this org and data is a bad input, not
    // an infeasible target
    if let Some(why) = misfit_scenarios(&data, &scenarios) {
        anyhow::bail!("{}: {why}", args.scenarios.display());
    }
    let mut table = SweepTable::new(
        &data,
        &scenarios,
        SweepTableOptions {
            levels: args.levels.clone(),
            measures: args.measures.iter().map(|&m| m.into()).collect(),
            periods: args.periods,
        },
    )?;
    let bar = super::progress_bar(scenarios.len(), "scenarios");
    let progress = |done: usize| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    };
    let sweep_started = Instant::now();
    let phasing = BalancedPhasing::new(&data, &scenarios)?;
    let summary = in_pool(args.threads, || {
        write_sweep(
            &args.output,
            &data,
            &scenarios,
            &phasing,
            &mut table,
            &progress,
        )
    })??;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let sweep_time = sweep_started.elapsed();
    if let Some(path) = &args.summary {
        write_sweep_summary(path, &summary).context("cannot write the summary")?;
    }
    let infeasible: Vec<&Vec<String>> = summary.iter().filter(|r| r[1] == "infeasible").collect();
    say!(
        "{} scenarios ({} infeasible) over {n} nodes, {} paths (reps' error correlation {:.3}{}): fit and simulation {:.2} s, sweep {:.2} s ({:.0} scenarios/s), total {:.2} s",
        scenarios.len(),
        infeasible.len(),
        args.simulation.paths,
        data.outlook.correlation(),
        data.outlook
            .calibration()
            .map_or(String::new(), |c| format!("; {c}")),
        fit_time.as_secs_f64(),
        sweep_time.as_secs_f64(),
        scenarios.len() as f64 / sweep_time.as_secs_f64().max(1e-9),
        started.elapsed().as_secs_f64()
    );
    if data.outlook.calibration().is_none() && args.simulation.recalibrate != RecalibrateArg::None {
        say!("{}", super::UNCALIBRATED);
    }
    if let Some(path) = &args.calibration_report {
        in_pool(args.threads, || {
            super::calibrate::report_before(&data.tree, &series, args.inputs.year, options, path)
        })??;
    }
    for row in &infeasible {
        say!("scenario '{}' is infeasible: {}", row[0], row[2]);
    }
    super::note_written(&[
        ("--output", Some(&args.output)),
        ("--summary", args.summary.as_deref()),
        ("--calibration-report", args.calibration_report.as_deref()),
    ]);
    Ok(if infeasible.is_empty() {
        Status::Success
    } else {
        Status::SomeFailed
    })
}

/// The planning data a sweep (or `target`) scores its scenarios on: the
/// reps' plan year simulated from `series` (with the events asked for), a
/// note naming active reps without history, and the constraints file.
pub(super) fn planning_data(
    inputs: &PlanInputArgs,
    events: &EventArgs,
    tree: salesplan::plan::org::OrgTree,
    series: &[salesplan::Series],
    options: &SimulationOptions,
    threads: Option<u16>,
) -> anyhow::Result<PlanningData> {
    let events = events.calendar(|id| tree.index_of(id).is_some())?;
    let year = inputs.year;
    if let Some(e) = &events {
        EventArgs::note_fallback(e, year - salesplan::plan::sales::EFFECT_YEARS as i32, year);
    }
    let mut data = in_pool(threads, || {
        PlanningData::from_history_with_events(
            tree,
            series,
            year,
            usize::from(inputs.trailing_months),
            options,
            events.as_ref(),
        )
    })?
    .with_context(|| format!("{}", inputs.history.display()))?;
    let year_start = chrono::NaiveDate::from_ymd_opt(year, 1, 1);
    let quiet_reps: Vec<&str> = data
        .without_history
        .iter()
        .filter(|&&i| data.tree.end_date(i).is_none_or(|d| Some(d) >= year_start))
        .map(|&i| data.tree.id(i))
        .collect();
    if !quiet_reps.is_empty() {
        let more = quiet_reps.len().saturating_sub(5);
        say!(
            "note: {} active rep{} without sales history before {year} ({}{}): scenarios give them their peers' mean basis, and they are simulated like their peers",
            quiet_reps.len(),
            if quiet_reps.len() == 1 { "" } else { "s" },
            quiet_reps[..quiet_reps.len().min(5)].join(", "),
            if more > 0 { format!(", and {more} more") } else { String::new() }
        );
    }
    if let Some(path) = &inputs.constraints {
        let constraints = read_constraints(path, &data.tree)?;
        data.apply_constraints(constraints);
    }
    Ok(data)
}
