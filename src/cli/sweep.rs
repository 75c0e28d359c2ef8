//! `salesplan sweep`: plan and score many scenarios from one set of forecasts.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use chrono::Datelike;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use salesplan::attainment::{active_months, simulate_year, LeafHistory, SimulationOptions};
use salesplan::hierarchy::OrgTree;
use salesplan::io::{read_long_csv, write_atomically, Columns};
use salesplan::scenario::{read_scenarios, CompanyTarget, Scenario};
use salesplan::sweep::{sweep, BalancedPhasing, Outcome, PlanningData};
use salesplan::Error;

use super::allocate::{
    csv_write_error, dates, decimals_of, leaf_of, read_constraints, trailing_sum, year_sum,
};
use super::{check_folder, in_pool, Status};

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Org tree: node_id,parent_id[,name][,start_date][,end_date].
    #[arg(long, value_name = "FILE")]
    org: PathBuf,
    /// Monthly sales per leaf: unique_id,ds,y (unique_id = a leaf's node_id).
    #[arg(long, value_name = "FILE")]
    history: PathBuf,
    /// Scenarios (TOML: [defaults], [[scenario]] and [[grid]] tables).
    #[arg(long, value_name = "FILE")]
    scenarios: PathBuf,
    /// The plan year; history after its start is ignored.
    #[arg(long, value_name = "YEAR")]
    year: i32,
    /// Per-node constraints every scenario starts from (as for allocate).
    #[arg(long, value_name = "FILE")]
    constraints: Option<PathBuf>,
    /// Simulated sample paths per rep.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    paths: u32,
    /// Seed of the simulation.
    #[arg(long, value_name = "SEED", default_value_t = 20_260_101)]
    seed: u64,
    /// One ETS form for every rep (e.g. ets:MAM, about ten times faster
    /// than choosing per rep; reps it cannot fit fall back to auto-ets).
    #[arg(long, value_name = "MODEL", default_value = "auto-ets")]
    model: String,
    /// Months summed by the `trailing` basis.
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..))]
    trailing_months: u16,
    /// Also write each node's monthly targets (measure target:YYYY-MM).
    #[arg(long)]
    periods: bool,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Long table: scenario,node_id,measure,value.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// One line per scenario.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
}

pub fn run(args: SweepArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    for path in std::iter::once(&args.output).chain(args.summary.as_ref()) {
        check_folder(path)?;
    }
    let scenarios = read_scenarios(&args.scenarios)?;
    let tree = OrgTree::read(&args.org)?;
    let n = tree.len();
    let series = read_long_csv(&args.history, &Columns::default())?;
    let mut last_year = vec![0.0; n];
    let mut trailing = vec![0.0; n];
    let mut cut = Vec::with_capacity(series.len());
    for s in &series {
        let node = leaf_of(&tree, s, &args.history, &args.org)?;
        last_year[node] = year_sum(s, args.year - 1);
        trailing[node] = trailing_sum(s, args.year, usize::from(args.trailing_months));
        let d = dates(s);
        let keep = d.iter().take_while(|d| d.year() < args.year).count();
        // months from the last kept observation to January of the plan year
        let gap = match keep.checked_sub(1).map(|k| d[k]) {
            Some(last) => {
                (args.year as i64 * 12) - (last.year() as i64 * 12 + last.month() as i64 - 1) - 1
            }
            None => 0,
        };
        cut.push((node, keep, gap as usize));
    }
    let active: Vec<[bool; 12]> = cut
        .iter()
        .map(|&(node, _, _)| active_months(tree.start_date(node), tree.end_date(node), args.year))
        .collect();
    let leaves: Vec<LeafHistory> = series
        .iter()
        .zip(&cut)
        .zip(&active)
        .map(|((s, &(node, keep, gap)), active)| LeafHistory {
            node,
            id: s.id(),
            values: &s.values()[..keep],
            gap,
            active: Some(active),
        })
        .collect();
    let options = SimulationOptions {
        paths: args.paths as usize,
        seed: args.seed,
        season_length: 12,
        periods: 12,
        form: parse_form(&args.model)?,
        ..SimulationOptions::default()
    };
    let fit_started = Instant::now();
    let outlook = in_pool(args.threads, || simulate_year(&tree, &leaves, &options))??;
    let fit_time = fit_started.elapsed();
    let (constraints, potential) = match &args.constraints {
        Some(path) => {
            let (c, p) = read_constraints(path, &tree)?;
            (c, Some(p))
        }
        None => (vec![Default::default(); n], None),
    };
    let mut data = PlanningData::new(tree, args.year, outlook)?;
    data.last_year = last_year;
    data.trailing = trailing;
    data.constraints = constraints;
    data.potential = potential.filter(|p| p.iter().any(|v| *v != 0.0));

    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(scenarios.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} scenarios [{elapsed} < {eta}]")
        {
            bar.set_style(style);
        }
        bar
    });
    let progress = |done: usize| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    };
    let months: Vec<String> = (1..=12)
        .map(|m| format!("target:{}-{m:02}", args.year))
        .collect();
    let mut summary_rows: Vec<Vec<String>> = Vec::with_capacity(scenarios.len());
    let mut infeasible = 0usize;
    let sweep_started = Instant::now();
    let output = &args.output;
    let phasing = BalancedPhasing::monthly(data.year)?;
    in_pool(args.threads, || {
        write_atomically(output, |w| {
            let mut out = csv::Writer::from_writer(w);
            let io = |e: csv::Error| csv_write_error(e, output);
            out.write_record(["scenario", "node_id", "measure", "value"])
                .map_err(io)?;
            sweep(&data, &scenarios, &phasing, &progress, |k, outcome| {
                let s = &scenarios[k];
                let number = number_format(s);
                match &outcome {
                    Outcome::Planned(plan) => {
                        for i in 0..data.tree.len() {
                            let id = data.tree.id(i);
                            out.write_record([
                                &s.name,
                                id,
                                "target",
                                &number(plan.allocation.targets[i]),
                            ])
                            .map_err(io)?;
                            out.write_record([
                                &s.name,
                                id,
                                "probability",
                                &plan.attainment.probability[i].to_string(),
                            ])
                            .map_err(io)?;
                            if let Some(e) = plan.attainment.expected[i] {
                                out.write_record([
                                    &s.name,
                                    id,
                                    "expected_attainment",
                                    &e.to_string(),
                                ])
                                .map_err(io)?;
                            }
                            if args.periods {
                                for (m, v) in months.iter().zip(&plan.periods[i * 12..(i + 1) * 12])
                                {
                                    out.write_record([&s.name, id, m, &number(*v)])
                                        .map_err(io)?;
                                }
                            }
                        }
                    }
                    Outcome::Infeasible { .. } => infeasible += 1,
                }
                summary_rows.push(summary_row(s, &outcome));
                Ok(())
            })?;
            out.flush().map_err(|source| Error::Io {
                path: output.clone(),
                source,
            })
        })
    })??;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let sweep_time = sweep_started.elapsed();
    if let Some(path) = &args.summary {
        write_atomically(path, |w| {
            let mut out = csv::Writer::from_writer(w);
            let io = |e: csv::Error| csv_write_error(e, path);
            out.write_record(SUMMARY_COLUMNS).map_err(io)?;
            for row in &summary_rows {
                out.write_record(row).map_err(io)?;
            }
            out.flush().map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })
        })
        .context("cannot write the summary")?;
    }
    eprintln!(
        "{} scenarios ({infeasible} infeasible) over {n} nodes, {} paths (reps' error correlation {:.3}): fit and simulation {:.2} s, sweep {:.2} s ({:.0} scenarios/s), total {:.2} s",
        scenarios.len(),
        args.paths,
        data.outlook.correlation(),
        fit_time.as_secs_f64(),
        sweep_time.as_secs_f64(),
        scenarios.len() as f64 / sweep_time.as_secs_f64().max(1e-9),
        started.elapsed().as_secs_f64()
    );
    for row in summary_rows.iter().filter(|r| r[1] == "infeasible") {
        eprintln!("scenario '{}' is infeasible: {}", row[0], row[2]);
    }
    Ok(if infeasible > 0 {
        Status::SomeFailed
    } else {
        Status::Success
    })
}

/// `auto-ets` or `ets:XYZ`.
fn parse_form(model: &str) -> anyhow::Result<Option<salesplan::models::ets::EtsSpec>> {
    match model.trim() {
        "auto-ets" => Ok(None),
        other => match other.strip_prefix("ets:") {
            Some(form) => Ok(Some(form.parse()?)),
            None => {
                anyhow::bail!("--model '{other}': expected auto-ets or ets:<form> (e.g. ets:MAM)")
            }
        },
    }
}

const SUMMARY_COLUMNS: [&str; 24] = [
    "scenario",
    "status",
    "reason",
    "target",
    "growth",
    "basis",
    "method",
    "rep_min",
    "rep_max",
    "growth_min",
    "growth_max",
    "over_assignment",
    "round",
    "company_target",
    "company_probability",
    "company_expected_attainment",
    "mean_rep_expected_attainment",
    "reps",
    "reps_p50_share",
    "teams",
    "teams_p50_share",
    "gini_target_over_forecast",
    "binding_bounds",
    "ramp",
];

fn number_format(s: &Scenario) -> impl Fn(f64) -> String {
    let decimals = s.unit.map(decimals_of);
    move |v: f64| match decimals {
        Some(d) => format!("{v:.d$}"),
        None => v.to_string(),
    }
}

fn summary_row(s: &Scenario, outcome: &Outcome) -> Vec<String> {
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let list = |v: &[f64]| v.iter().map(f64::to_string).collect::<Vec<_>>().join(";");
    let (target, growth) = match s.target {
        CompanyTarget::Absolute(t) => (t.to_string(), String::new()),
        CompanyTarget::Growth(g) => (String::new(), g.to_string()),
    };
    let method = format!("{:?}", s.method).to_lowercase();
    let mut row = vec![
        s.name.clone(),
        String::new(),
        String::new(),
        target,
        growth,
        s.basis_text(),
        method,
        opt(s.rep_min),
        opt(s.rep_max),
        opt(s.growth_min),
        opt(s.growth_max),
        list(&s.over_assignment),
        opt(s.unit),
    ];
    match outcome {
        Outcome::Planned(plan) => {
            let a = &plan.attainment.summary;
            row[1] = "planned".into();
            row.extend([
                number_format(s)(plan.allocation.targets[0]),
                a.company_probability.to_string(),
                opt(a.company_expected_attainment),
                opt(a.mean_rep_expected_attainment),
                a.reps.to_string(),
                opt(a.reps_likely_share),
                a.teams.to_string(),
                opt(a.teams_likely_share),
                opt(a.gini_target_over_forecast),
                plan.binding_bounds.to_string(),
            ]);
        }
        Outcome::Infeasible { reason } => {
            row[1] = "infeasible".into();
            row[2] = reason.clone();
            row.extend(std::iter::repeat_n(String::new(), 10));
        }
    }
    row.push(list(s.ramp.steps()));
    row
}
