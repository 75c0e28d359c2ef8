//! `salesplan sweep`: plan and score many scenarios from one set of forecasts.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use salesplan::io::{read_long_csv, write_atomically, Columns};
use salesplan::plan::calendar::PlanningCalendar;
use salesplan::plan::org::OrgTree;
use salesplan::scenario::attainment::SimulationOptions;
use salesplan::scenario::sweep::{sweep, BalancedPhasing, Outcome, PlanningData};
use salesplan::scenario::{read_scenarios, CompanyTarget, Scenario};
use salesplan::Error;

use super::allocate::{csv_write_error, decimals_of, read_constraints};
use super::{check_folder, in_pool, PlanInputArgs, RecalibrateArg, Status};

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    inputs: PlanInputArgs,
    /// Scenarios: TOML ([defaults], [[scenario]] and [[grid]] tables), the
    /// same as .json, or a .csv list (one scenario per row).
    #[arg(long, value_name = "FILE")]
    scenarios: PathBuf,
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
    /// Bias check of the reps' forecasts on the year before the plan year
    /// (on up to 1,000 reps): reselect repeats the whole automatic choice
    /// without those 12 months, same-form only refits each rep's chosen
    /// form (cheaper, finds less of the bias), none skips it.
    #[arg(long, value_enum, default_value = "reselect")]
    recalibrate: RecalibrateArg,
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
}

/// A per-node measure of the long table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
enum Measure {
    Target,
    Probability,
    ExpectedAttainment,
}

pub fn run(args: SweepArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    for path in std::iter::once(&args.output).chain(args.summary.as_ref()) {
        check_folder(path)?;
    }
    let scenarios = read_scenarios(&args.scenarios)?;
    let tree = OrgTree::read(&args.inputs.org)?;
    let n = tree.len();
    let series = read_long_csv(&args.inputs.history, &Columns::default())?;
    let options = SimulationOptions {
        paths: args.paths as usize,
        seed: args.seed,
        form: parse_form(&args.model)?,
        recalibration: args.recalibrate.into(),
        ..SimulationOptions::default()
    };
    let fit_started = Instant::now();
    let mut data = in_pool(args.threads, || {
        PlanningData::from_history(
            tree,
            &series,
            args.inputs.year,
            usize::from(args.inputs.trailing_months),
            &options,
        )
    })?
    .with_context(|| format!("{}", args.inputs.history.display()))?;
    let fit_time = fit_started.elapsed();
    let (constraints, potential) = match &args.inputs.constraints {
        Some(path) => {
            let (c, p) = read_constraints(path, &data.tree)?;
            (c, Some(p))
        }
        None => (vec![Default::default(); n], None),
    };
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
    // measure names of each calendar's periods, e.g. target:2026-03
    let mut period_measures: Vec<(PlanningCalendar, Vec<String>)> = Vec::new();
    for s in &scenarios {
        if period_measures.iter().all(|(c, _)| *c != s.calendar) {
            let labels = s
                .calendar
                .covering_year(args.inputs.year)?
                .into_iter()
                .map(|p| format!("target:{}", p.label))
                .collect();
            period_measures.push((s.calendar, labels));
        }
    }
    let depth = data.tree.depth();
    if let Some(bad) = args.levels.iter().find(|&&l| l >= depth) {
        anyhow::bail!(
            "--levels {bad}: the org has levels 0 (the company) to {}",
            depth - 1
        );
    }
    let written: Vec<usize> = (0..depth)
        .filter(|l| args.levels.is_empty() || args.levels.contains(l))
        .flat_map(|l| data.tree.level(l))
        .collect();
    let ids: Vec<String> = (0..data.tree.len())
        .map(|i| csv_field(data.tree.id(i)))
        .collect();
    let wants = |m: Measure| args.measures.contains(&m);
    let mut summary_rows: Vec<Vec<String>> = Vec::with_capacity(scenarios.len());
    let mut infeasible = 0usize;
    let sweep_started = Instant::now();
    let output = &args.output;
    let phasing = BalancedPhasing::new(&data, &scenarios)?;
    let io = |source: std::io::Error| Error::Io {
        path: output.clone(),
        source,
    };
    in_pool(args.threads, || {
        write_atomically(output, |w| {
            w.write_all(b"scenario,node_id,measure,value\n")
                .map_err(io)?;
            let mut buf = Vec::new();
            sweep(&data, &scenarios, &phasing, &progress, |k, outcome| {
                let s = &scenarios[k];
                let decimals = s.unit.map(decimals_of);
                match &outcome {
                    Outcome::Planned(plan) => {
                        buf.clear();
                        let measures_of: &[String] = period_measures
                            .iter()
                            .find(|(c, _)| *c == s.calendar)
                            .map_or(&[], |(_, m)| m);
                        let name = csv_field(&s.name);
                        let mut row = |id: &str, measure: &str, value: f64, decimals| {
                            for field in [name.as_str(), id, measure] {
                                buf.extend_from_slice(field.as_bytes());
                                buf.push(b',');
                            }
                            push_number(&mut buf, value, decimals);
                            buf.push(b'\n');
                        };
                        for &i in &written {
                            if wants(Measure::Target) {
                                row(&ids[i], "target", plan.allocation.targets[i], decimals);
                            }
                            if wants(Measure::Probability) {
                                row(&ids[i], "probability", plan.attainment.probability[i], None);
                            }
                            if let (true, Some(e)) = (
                                wants(Measure::ExpectedAttainment),
                                plan.attainment.expected[i],
                            ) {
                                // a Monte Carlo mean: six decimals are plenty
                                let e = (e * 1e6).round() / 1e6;
                                row(&ids[i], "expected_attainment", e, None);
                            }
                            if args.periods {
                                let p = measures_of.len();
                                for (m, v) in
                                    measures_of.iter().zip(&plan.periods[i * p..(i + 1) * p])
                                {
                                    row(&ids[i], m, *v, decimals);
                                }
                            }
                        }
                        w.write_all(&buf).map_err(io)?;
                    }
                    Outcome::Infeasible { .. } => infeasible += 1,
                }
                summary_rows.push(summary_row(s, &outcome));
                Ok(())
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
        "{} scenarios ({infeasible} infeasible) over {n} nodes, {} paths (reps' error correlation {:.3}{}): fit and simulation {:.2} s, sweep {:.2} s ({:.0} scenarios/s), total {:.2} s",
        scenarios.len(),
        args.paths,
        data.outlook.correlation(),
        data.outlook.bias().map_or(String::new(), |b| format!(
            "; on {} reps last year's sales were {:+.1}% off their forecasts, paths scaled by ×{:.3}",
            b.leaves,
            100.0 * (b.actual / b.forecast - 1.0),
            b.factor
        )),
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
fn parse_form(model: &str) -> anyhow::Result<Option<salesplan::forecast::models::ets::EtsSpec>> {
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

const SUMMARY_COLUMNS: [&str; 25] = [
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
    "calendar",
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
    row.push(s.calendar.to_string());
    row
}

/// A CSV field as written: quoted (quotes doubled) when it holds a comma, a
/// quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Appends `v`: with `decimals`, fixed-point; otherwise whole numbers below
/// 1e15 as integers and the rest in the shortest form that reads back
/// exactly (ryu's: `1e16`, `1e-7` in exponent form).
fn push_number(buf: &mut Vec<u8>, v: f64, decimals: Option<usize>) {
    match decimals {
        Some(d) if d > 0 => buf.extend_from_slice(format!("{v:.d$}").as_bytes()),
        _ if v.fract() == 0.0 && v.abs() < 1e15 => {
            buf.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes())
        }
        Some(_) => buf.extend_from_slice(format!("{v:.0}").as_bytes()),
        None => buf.extend_from_slice(ryu::Buffer::new().format(v).as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_fields_as_csv() {
        let text = |v: f64, d: Option<usize>| {
            let mut buf = Vec::new();
            push_number(&mut buf, v, d);
            String::from_utf8(buf).unwrap()
        };
        assert_eq!(text(13_702_082_300.0, Some(0)), "13702082300");
        assert_eq!(text(1250.5, Some(2)), "1250.50");
        assert_eq!(text(1.0, None), "1");
        assert_eq!(text(0.967, None), "0.967");
        assert_eq!(text(-0.0, None), "0");
        assert_eq!(text(1.097312, None), "1.097312");
        assert_eq!(csv_field("销售"), "销售");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
