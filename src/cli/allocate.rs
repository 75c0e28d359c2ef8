//! `salesplan allocate`: split an annual target down the org tree.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::Datelike;
use clap::Args;
use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
use salesplan::forecast::frequency::Frequency;
use salesplan::forecast::series::TimeIndex;
use salesplan::io::{read_long_csv, write_atomically, Columns};
use salesplan::plan::allocate::{
    allocate, new_hire_basis, AllocationInput, AllocationOptions, Basis, Method, NodeConstraints,
    Ramp,
};
use salesplan::plan::calendar::PlanningCalendar;
use salesplan::plan::org::OrgTree;
use salesplan::plan::phasing::phase_tree;
use salesplan::plan::phasing::profile::{resolve_profiles, MonthProfile, Phaser};
use salesplan::{Error, Series};

use super::{check_folder, in_pool, PlanInputArgs, Status};

#[derive(Debug, Args)]
pub struct AllocateArgs {
    #[command(flatten)]
    inputs: PlanInputArgs,
    /// The company's target for the plan year.
    #[arg(
        long,
        value_name = "AMOUNT",
        required_unless_present = "growth",
        conflicts_with = "growth"
    )]
    target: Option<f64>,
    /// Target as growth over last year's total (0.15 = +15%).
    #[arg(long, value_name = "RATE")]
    growth: Option<f64>,
    /// Basis blend: history (last year), trailing (the last
    /// --trailing-months before the plan year, scaled to 12 months),
    /// forecast (AutoETS), potential (constraints.csv column), equal;
    /// with weights, e.g. forecast:0.6,history:0.4.
    #[arg(long, value_name = "BLEND", default_value = "history:1")]
    basis: Basis,
    /// proportional (capped pro-rata) or least-squares.
    #[arg(long, value_name = "METHOD", default_value = "proportional")]
    method: Method,
    /// New hires' monthly ramp factors before full productivity.
    #[arg(long, value_name = "FACTORS", default_value = "0.25,0.5,0.75")]
    ramp: String,
    /// Phase the annual plan into periods: monthly, quarterly, weekly (ISO),
    /// fiscal-monthly:<start month>, fiscal-quarterly:<m>, fiscal-weekly:<m>,
    /// 445, 454, 544 (retail periods; add :weeks or :quarters) [default: the
    /// year only]. Each node's profile comes from its last three years of
    /// sales (its parent's when it has less than a year).
    #[arg(long, value_name = "CALENDAR")]
    calendar: Option<PlanningCalendar>,
    /// Round targets to multiples of this unit, totals exact.
    #[arg(long, value_name = "UNIT")]
    round: Option<f64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Where to write the plan (node_id,period,target).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Where to write a per-node summary.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
}

pub fn run(args: AllocateArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    for path in std::iter::once(&args.output).chain(args.summary.as_ref()) {
        check_folder(path)?;
    }
    let steps: Vec<f64> = args
        .ramp
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<f64>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("--ramp '{}' is not a list of numbers", args.ramp))?;
    let ramp = Ramp::new(steps)?;
    for part in args.basis.parts() {
        if !["history", "trailing", "forecast", "potential", "equal"].contains(&part.0.as_str()) {
            bail!(
                "--basis: unknown column '{}' (expected history, trailing, forecast, potential or equal)",
                part.0
            );
        }
    }
    let tree = OrgTree::read(&args.inputs.org)?;
    let n = tree.len();
    let series = read_long_csv(&args.inputs.history, &Columns::default())?;
    let mut last_year = vec![0.0; n];
    let mut trailing = vec![0.0; n];
    let mut nodes = Vec::with_capacity(series.len());
    for s in &series {
        let node = leaf_of(&tree, s, &args.inputs.history, &args.inputs.org)?;
        last_year[node] = s.year_total(args.inputs.year - 1);
        trailing[node] =
            s.trailing_year(args.inputs.year, usize::from(args.inputs.trailing_months));
        nodes.push(node);
    }
    let forecast = if args.basis.uses("forecast") {
        Some(forecast_year(
            &series,
            &nodes,
            n,
            args.inputs.year,
            &args.threads,
        )?)
    } else {
        None
    };
    let (constraints, mut potential) = match &args.inputs.constraints {
        Some(path) => read_constraints(path, &tree)?,
        None => (vec![NodeConstraints::default(); n], vec![0.0; n]),
    };
    // a basis lives on the leaves; inner nodes get their leaves' sums
    for (i, p) in potential.iter_mut().enumerate() {
        if !tree.is_leaf(i) {
            *p = 0.0;
        }
    }
    let mut columns: Vec<(&str, &[f64])> = vec![
        ("history", &last_year),
        ("trailing", &trailing),
        ("potential", &potential),
    ];
    if let Some(f) = &forecast {
        columns.push(("forecast", f));
    }
    let mut basis = args.basis.blend(&columns)?;
    for (i, b) in basis.iter_mut().enumerate() {
        if !tree.is_leaf(i) {
            *b = 0.0;
        }
    }
    new_hire_basis(&tree, &mut basis, args.inputs.year);
    let total_last_year: f64 = tree.aggregate(&last_year)?[tree.root()];
    let target = match (args.target, args.growth) {
        (Some(t), _) => t,
        (None, Some(g)) => total_last_year * (1.0 + g),
        (None, None) => bail!("give --target or --growth"),
    };
    let input = AllocationInput {
        basis,
        last_year,
        constraints,
        activity: ramp.factors(&tree, args.inputs.year),
    };
    let options = AllocationOptions {
        method: args.method,
        unit: args.round,
        year: args.inputs.year,
    };
    let plan = in_pool(args.threads, || allocate(&tree, &input, target, &options))??;

    // node × period targets: the year alone, or phased over the calendar
    let (labels, table): (Vec<String>, Vec<Vec<f64>>) = match &args.calendar {
        None => (
            vec![args.inputs.year.to_string()],
            plan.targets.iter().map(|t| vec![*t]).collect(),
        ),
        Some(calendar) => {
            let periods = calendar.periods(args.inputs.year)?;
            let phaser = Phaser::new(&periods);
            let profiles = history_profiles(&tree, &series, &nodes, args.inputs.year)?;
            let table = in_pool(args.threads, || {
                phase_tree(&tree, &plan.targets, &profiles, &phaser, args.round)
            })??;
            (periods.into_iter().map(|p| p.label).collect(), table)
        }
    };
    let decimals = args.round.map(decimals_of);
    let number = |v: f64| match decimals {
        Some(d) => format!("{v:.d$}"),
        None => v.to_string(),
    };
    write_atomically(&args.output, |w| {
        let mut out = csv::Writer::from_writer(w);
        let io = |e: csv::Error| csv_write_error(e, &args.output);
        out.write_record(["node_id", "period", "target"])
            .map_err(io)?;
        for (i, row) in table.iter().enumerate() {
            for (label, value) in labels.iter().zip(row) {
                out.write_record([tree.id(i), label, &number(*value)])
                    .map_err(io)?;
            }
        }
        out.flush().map_err(|source| Error::Io {
            path: args.output.clone(),
            source,
        })
    })?;
    if let Some(path) = &args.summary {
        write_atomically(path, |w| {
            let mut out = csv::Writer::from_writer(w);
            let io = |e: csv::Error| csv_write_error(e, path);
            out.write_record([
                "node_id",
                "name",
                "parent_id",
                "target",
                "basis_share",
                "last_year",
                "growth_vs_last_year",
                "binding",
            ])
            .map_err(io)?;
            for i in 0..n {
                let ly = plan.last_year[i];
                let growth = if ly > 0.0 {
                    (plan.targets[i] / ly - 1.0).to_string()
                } else {
                    String::new()
                };
                out.write_record([
                    tree.id(i),
                    tree.name(i),
                    tree.parent(i).map_or("", |p| tree.id(p)),
                    &number(plan.targets[i]),
                    &plan.basis_share[i].to_string(),
                    &ly.to_string(),
                    &growth,
                    plan.binding[i].map_or("", |b| b.name()),
                ])
                .map_err(io)?;
            }
            out.flush().map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })
        })?;
    }
    eprintln!(
        "{n} nodes, target {} for {}, last year {total_last_year}, {:.2} s",
        plan.targets[tree.root()],
        args.inputs.year,
        started.elapsed().as_secs_f64()
    );
    Ok(Status::Success)
}

pub(super) fn csv_write_error(e: csv::Error, path: &Path) -> Error {
    Error::File {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The leaf a history series belongs to; monthly dates required.
pub(super) fn leaf_of(
    tree: &OrgTree,
    s: &Series,
    history: &Path,
    org: &Path,
) -> anyhow::Result<usize> {
    let Some(node) = tree.index_of(s.id()) else {
        bail!(
            "{}: series '{}' is not a node of {}",
            history.display(),
            s.id(),
            org.display()
        );
    };
    if !tree.is_leaf(node) {
        bail!(
            "{}: series '{}' is not a leaf of {} (history belongs to leaves; inner nodes are summed)",
            history.display(),
            s.id(),
            org.display()
        );
    }
    if s.frequency() != Some(Frequency::Monthly) {
        bail!(
            "{}: series '{}' is not monthly (dates YYYY-MM or YYYY-MM-DD, one a month)",
            history.display(),
            s.id()
        );
    }
    Ok(node)
}

/// Each node's seasonal profile from the three years before `year` (its
/// leaves' monthly sales summed), shrunk 10% towards its parent's; nodes
/// with less than a year of sales take their parent's profile, the root a
/// flat one.
fn history_profiles(
    tree: &OrgTree,
    series: &[Series],
    nodes: &[usize],
    year: i32,
) -> anyhow::Result<Vec<MonthProfile>> {
    const YEARS: usize = 3;
    let n = tree.len();
    let first_year = year - YEARS as i32;
    let mut months = vec![vec![0.0; 12 * YEARS]; n];
    for (s, &node) in series.iter().zip(nodes) {
        for (d, v) in s.dates().iter().zip(s.values()) {
            let k = (d.year() - first_year) * 12 + d.month0() as i32;
            if (0..(12 * YEARS) as i32).contains(&k) {
                months[node][k as usize] += v;
            }
        }
    }
    // inner nodes: sums of their children, deepest level first
    for level in (0..tree.depth()).rev() {
        for p in tree.level(level) {
            for c in tree.children(p) {
                let (head, tail) = months.split_at_mut(c);
                for (a, b) in head[p].iter_mut().zip(&tail[0]) {
                    *a += b;
                }
            }
        }
    }
    // a node's own profile needs a year of sales counted from its first
    // sale (a rep hired in October has none yet); the months before it are
    // not "no sales", they are before the node existed
    let own: Vec<Option<MonthProfile>> = (0..n)
        .map(|i| {
            let first = months[i].iter().position(|v| *v != 0.0)?;
            MonthProfile::from_history((first % 12) as u32 + 1, &months[i][first..], YEARS)
        })
        .collect();
    let parents: Vec<Option<usize>> = (0..n).map(|i| tree.parent(i)).collect();
    let resolved = resolve_profiles(&parents, &own)?;
    // shrink own profiles a little towards the parent's, so that a month in
    // which a small account happened never to sell is not a structural zero
    // of the plan (tree order: parents are final before their children)
    const OWN_WEIGHT: f64 = 0.9;
    let mut out = resolved.clone();
    for i in 0..n {
        if let (Some(p), Some(mine)) = (parents[i], own[i]) {
            let parent = out[p];
            let mut w = [0.0; 12];
            for (m, x) in w.iter_mut().enumerate() {
                *x = OWN_WEIGHT * mine.shares()[m] + (1.0 - OWN_WEIGHT) * parent.shares()[m];
            }
            out[i] = MonthProfile::new(w)?;
        }
    }
    Ok(out)
}

/// AutoETS (season 12) on each leaf's history before `year`; the sum of the
/// forecasts for the 12 months of `year` (negative months count as 0).
fn forecast_year(
    series: &[Series],
    nodes: &[usize],
    n: usize,
    year: i32,
    threads: &Option<u16>,
) -> anyhow::Result<Vec<f64>> {
    let mut cut = Vec::new();
    let mut offsets = Vec::new();
    let mut owners = Vec::new();
    for (s, &node) in series.iter().zip(nodes) {
        let d = s.dates();
        let keep = d.iter().take_while(|d| d.year() < year).count();
        let (Some(last), TimeIndex::Dated(_)) = (keep.checked_sub(1).map(|k| d[k]), s.index())
        else {
            continue;
        };
        // months from the last kept observation to January of `year`
        let gap = (year as i64 * 12) - (last.year() as i64 * 12 + last.month() as i64 - 1) - 1;
        let values = s.values()[..keep].to_vec();
        cut.push(Series::with_index(s.id(), values, s.index().clone())?);
        offsets.push(gap as usize);
        owners.push(node);
    }
    let horizon = offsets.iter().max().copied().unwrap_or(0) + 12;
    let job = ForecastJob::new(ModelChoice::AutoEts, horizon, Vec::new(), Some(12))?;
    let outcomes = in_pool(*threads, || forecast_batch(&cut, &job, &|| {}))?;
    let mut out = vec![0.0; n];
    for ((outcome, &gap), &node) in outcomes.iter().zip(&offsets).zip(&owners) {
        match outcome {
            Ok(f) => {
                out[node] = f.forecast.mean[gap..gap + 12]
                    .iter()
                    .map(|v| v.max(0.0))
                    .sum()
            }
            Err(e) => bail!(
                "cannot forecast '{}' for the forecast basis: {}",
                e.id,
                e.reason()
            ),
        }
    }
    Ok(out)
}

/// Reads constraints.csv: node_id plus any of min, max, growth_min,
/// growth_max, lock, over_assignment, potential (empty = not set).
pub(super) fn read_constraints(
    path: &Path,
    tree: &OrgTree,
) -> anyhow::Result<(Vec<NodeConstraints>, Vec<f64>)> {
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
    let known = [
        "node_id",
        "min",
        "max",
        "growth_min",
        "growth_max",
        "lock",
        "over_assignment",
        "potential",
    ];
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    let Some(id_col) = find("node_id") else {
        bail!("{}: no 'node_id' column", path.display());
    };
    if let Some(h) = headers
        .iter()
        .find(|h| !known.contains(&h.trim_start_matches('\u{feff}')))
    {
        bail!(
            "{}: unknown column '{h}' (expected {})",
            path.display(),
            known.join(", ")
        );
    }
    let columns: Vec<Option<usize>> = known[1..].iter().map(|k| find(k)).collect();
    let mut constraints = vec![NodeConstraints::default(); tree.len()];
    let mut potential = vec![0.0; tree.len()];
    let mut seen = vec![0u64; tree.len()];
    for record in reader.records() {
        let record = record.map_err(|e| csv_write_error(e, path))?;
        let line = record.position().map_or(0, |p| p.line());
        let id = record.get(id_col).unwrap_or_default();
        let Some(node) = tree.index_of(id) else {
            return Err(Error::Input {
                path: path.to_path_buf(),
                line,
                column: "node_id".into(),
                value: Some(id.to_string()),
                reason: "not a node of the org tree".into(),
            }
            .into());
        };
        if seen[node] > 0 {
            return Err(Error::Input {
                path: path.to_path_buf(),
                line,
                column: "node_id".into(),
                value: Some(id.to_string()),
                reason: format!("constraints given twice (first on line {})", seen[node]),
            }
            .into());
        }
        seen[node] = line;
        let mut values = [None; 7];
        for (k, col) in columns.iter().enumerate() {
            let Some(col) = col else { continue };
            let text = record.get(*col).unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            let v: f64 = text
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| Error::Input {
                    path: path.to_path_buf(),
                    line,
                    column: known[k + 1].into(),
                    value: Some(text.to_string()),
                    reason: "not a number".into(),
                })?;
            values[k] = Some(v);
        }
        constraints[node] = NodeConstraints {
            min: values[0],
            max: values[1],
            growth_min: values[2],
            growth_max: values[3],
            lock: values[4],
            over_assignment: values[5],
        };
        potential[node] = values[6].unwrap_or(0.0);
    }
    Ok((constraints, potential))
}

/// Decimal places that show a multiple of `unit` exactly (0 for 1, 100 ...;
/// 2 for 0.01).
pub(super) fn decimals_of(unit: f64) -> usize {
    (0..10)
        .find(|&d| {
            let scaled = unit * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-9 * scaled.max(1.0)
        })
        .unwrap_or(10)
}
