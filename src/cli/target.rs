//! `salesplan target`: candidate company targets (growth over last year,
//! the market's forecast size × a target share, the revenue a profit goal
//! needs), each with the probability of reaching it and the share of reps
//! it would put below even odds.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use salesplan::io::{read_long_csv, read_margins, read_share_path, Column, Columns, Table};
use salesplan::plan::target::{
    forecast_market, percent, Margin, MarketForecast, TargetCandidate, TargetSource,
};
use salesplan::scenario::attainment::SimulationOptions;
use salesplan::scenario::targets::{score_targets, ScoredTarget};
use salesplan::scenario::{CompanyTarget, Scenario};

use super::{check_files, in_pool, EventArgs, PlanInputArgs, SimulationArgs, Status};

/// Growth rates tried when no candidate is asked for.
const DEFAULT_GROWTH: [f64; 5] = [0.0, 0.05, 0.10, 0.15, 0.20];

#[derive(Debug, Args)]
pub struct TargetArgs {
    #[command(flatten)]
    inputs: PlanInputArgs,
    #[command(flatten)]
    events: EventArgs,
    /// Candidates as growth over last year's total, e.g. 0.05,0.1,0.15
    /// [default: 0,0.05,0.1,0.15,0.2 when no other candidate is asked for].
    #[arg(
        long,
        value_name = "RATES",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    growth: Vec<f64>,
    /// Candidates as amounts, e.g. 1.2e9,1.3e9.
    #[arg(
        long,
        value_name = "AMOUNTS",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    amount: Vec<f64>,
    /// The market's size (unique_id,ds,y; monthly, quarterly or yearly),
    /// forecast by AutoETS over the plan year.
    #[arg(long, value_name = "FILE", requires = "share_given")]
    market: Option<PathBuf>,
    /// The market series to use when --market holds several.
    #[arg(long, value_name = "ID", requires = "market")]
    market_id: Option<String>,
    /// The target market share for the whole plan year (0.085 = 8.5%).
    #[arg(
        long,
        value_name = "SHARE",
        group = "share_given",
        requires = "market",
        allow_negative_numbers = true
    )]
    share: Option<f64>,
    /// The target share by year or month: period,share (2026 or 2026-03).
    #[arg(
        long,
        value_name = "FILE",
        group = "share_given",
        requires = "market",
        conflicts_with = "share"
    )]
    share_path: Option<PathBuf>,
    /// Profit goal for the plan year: the candidate is the revenue that
    /// earns it, (profit + fixed costs) / contribution margin.
    #[arg(
        long,
        value_name = "AMOUNT",
        requires = "margin_given",
        allow_negative_numbers = true
    )]
    profit: Option<f64>,
    /// Fixed costs of the plan year (with --profit).
    #[arg(
        long,
        value_name = "AMOUNT",
        default_value_t = 0.0,
        requires = "profit",
        allow_negative_numbers = true
    )]
    fixed_costs: f64,
    /// Contribution margin of revenue (0.3 = 30%).
    #[arg(
        long,
        value_name = "RATE",
        group = "margin_given",
        requires = "profit",
        allow_negative_numbers = true
    )]
    margin: Option<f64>,
    /// Margins by product line or org node: unit,margin[,mix] (mix: the
    /// unit's share of revenue; empty for an org node: its share of last
    /// year's sales).
    #[arg(
        long,
        value_name = "FILE",
        group = "margin_given",
        requires = "profit",
        conflicts_with = "margin"
    )]
    margins: Option<PathBuf>,
    /// How each candidate is split to score the reps and teams.
    #[command(flatten)]
    split: super::SplitArgs,
    #[command(flatten)]
    simulation: SimulationArgs,
    #[command(flatten)]
    memory: super::memory::MemoryArgs,
    /// One ETS form for every rep (e.g. ets:MAM) [default: chosen per rep].
    #[arg(long, value_name = "MODEL", default_value = "auto-ets")]
    model: String,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// The candidates: candidate,source,target,growth,probability,
    /// expected_attainment,reps_below_even,teams_below_even,detail.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
}

pub fn run(args: TargetArgs) -> anyhow::Result<Status> {
    check_files(
        &[
            &args.inputs.files(&args.events)[..],
            &[
                ("--market", args.market.as_deref()),
                ("--share-path", args.share_path.as_deref()),
                ("--margins", args.margins.as_deref()),
            ],
        ]
        .concat(),
        &[("--output", Some(&args.output))],
    )?;
    let tree = salesplan::io::read_org(&args.inputs.org)?;
    let series = read_long_csv(&args.inputs.history, &Columns::default())?;
    args.simulation
        .check_memory(&args.memory, &tree, args.threads)?;
    let options = SimulationOptions {
        form: salesplan::scenario::attainment::parse_form(&args.model)?,
        ..args.simulation.options()
    };
    // the market and margins files are checked before the simulation
    let market = market_months(&args)?;
    let data = super::sweep::planning_data(
        &args.inputs,
        &args.events,
        tree,
        &series,
        &options,
        args.threads,
    )?;
    let last_year = data.last_year_total();
    let mut candidates = Vec::new();
    let growth: &[f64] = if args.growth.is_empty()
        && args.amount.is_empty()
        && args.market.is_none()
        && args.profit.is_none()
    {
        &DEFAULT_GROWTH
    } else {
        &args.growth
    };
    for &g in growth {
        candidates.push(TargetCandidate::growth(last_year, g).context("--growth")?);
    }
    if let Some((forecast, shares)) = market {
        candidates.push(TargetCandidate::market(&forecast, &shares).context("--market")?);
    }
    if let Some(profit) = args.profit {
        let margin = match (&args.margins, args.margin) {
            (Some(path), _) => Margin::weighted(&read_margins(path, &data.tree, &data.last_year)?)
                .with_context(|| path.display().to_string())?,
            (None, Some(m)) => m,
            (None, None) => anyhow::bail!("--profit needs --margin or --margins"),
        };
        candidates
            .push(TargetCandidate::profit(profit, args.fixed_costs, margin).context("--profit")?);
    }
    for &a in &args.amount {
        candidates.push(TargetCandidate::amount(a).context("--amount")?);
    }
    let split = Scenario {
        basis: args.split.basis.clone(),
        method: args.split.method,
        ramp: args.split.ramp.clone(),
        ..Scenario::new("split", CompanyTarget::Growth(0.0))
    };
    let scored = in_pool(args.threads, || score_targets(&data, &candidates, &split))??;
    target_table(&scored, last_year).write(&args.output, "candidate")?;
    say!(
        "last year {}: {} candidate targets, {} paths (the company's probability of reaching each; reps and teams below even odds once split by {})",
        salesplan::io::format_amount(last_year, Some(0)),
        scored.len(),
        args.simulation.paths,
        split.basis_text()
    );
    for s in &scored {
        let share = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.0}%", 100.0 * v));
        match &s.outcome {
            Ok(summary) => say!(
                "  {:<28} {:>16}  growth {:>7}  probability {:>5.1}%  reps below even {:>4}  teams {:>4}",
                s.candidate.name,
                salesplan::io::format_amount(s.candidate.amount, Some(0)),
                s.growth.map_or("-".into(), percent),
                100.0 * summary.company_probability,
                share(s.reps_below_even()),
                share(s.teams_below_even()),
            ),
            Err(reason) => say!("  {:<28} infeasible: {reason}", s.candidate.name),
        }
    }
    super::note_written(&[("--output", Some(&args.output))]);
    Ok(if scored.iter().all(|s| s.outcome.is_ok()) {
        Status::Success
    } else {
        Status::SomeFailed
    })
}

/// The market's forecast over the plan year and the target shares, from
/// --market and --share(-path).
fn market_months(args: &TargetArgs) -> anyhow::Result<Option<(MarketForecast, [f64; 12])>> {
    let Some(path) = &args.market else {
        return Ok(None);
    };
    let series = read_long_csv(path, &Columns::default())?;
    let market = match &args.market_id {
        Some(id) => series
            .iter()
            .find(|s| s.id() == id)
            .ok_or_else(|| anyhow::anyhow!("{}: no series '{id}' (--market-id)", path.display()))?,
        None if series.len() == 1 => &series[0],
        None => anyhow::bail!(
            "{}: {} series; name the market's with --market-id",
            path.display(),
            series.len()
        ),
    };
    let shares = match (&args.share_path, args.share) {
        (Some(p), _) => read_share_path(p, args.inputs.year)?,
        (None, Some(s)) => [s; 12],
        (None, None) => anyhow::bail!("--market needs --share or --share-path"),
    };
    let forecast =
        forecast_market(market, args.inputs.year).with_context(|| path.display().to_string())?;
    Ok(Some((forecast, shares)))
}

/// The candidates as a table.
pub fn target_table(scored: &[ScoredTarget], last_year: f64) -> Table {
    let text = |f: &dyn Fn(&ScoredTarget) -> String| Column::Text(scored.iter().map(f).collect());
    let number =
        |f: &dyn Fn(&ScoredTarget) -> Option<f64>| Column::Number(scored.iter().map(f).collect());
    let summary = |s: &ScoredTarget| s.outcome.as_ref().ok().copied();
    Table {
        columns: vec![
            ("candidate".into(), text(&|s| s.candidate.name.clone())),
            ("source".into(), text(&|s| s.candidate.source.kind().into())),
            (
                "target".into(),
                number(&|s| Some(round(s.candidate.amount, 2))),
            ),
            ("growth".into(), number(&|s| s.growth.map(|g| round(g, 6)))),
            (
                "probability".into(),
                number(&|s| summary(s).map(|v| round(v.company_probability, 6))),
            ),
            (
                "expected_attainment".into(),
                number(&|s| {
                    summary(s)
                        .and_then(|v| v.company_expected_attainment)
                        .map(|v| round(v, 6))
                }),
            ),
            (
                "reps_below_even".into(),
                number(&|s| s.reps_below_even().map(|v| round(v, 6))),
            ),
            (
                "teams_below_even".into(),
                number(&|s| s.teams_below_even().map(|v| round(v, 6))),
            ),
            ("detail".into(), text(&|s| detail(s, last_year))),
        ],
    }
}

/// `v` to `decimals` decimals (the table's numbers without float noise).
pub(super) fn round(v: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (v * scale).round() / scale
}

/// How the candidate's amount was reached, or why it cannot be planned.
fn detail(s: &ScoredTarget, last_year: f64) -> String {
    let amount = |v: f64| salesplan::io::format_amount(v, Some(0));
    let how = match &s.candidate.source {
        TargetSource::Growth { rate } => {
            format!("last year {} × (1 {})", amount(last_year), percent(*rate))
        }
        TargetSource::Market {
            market,
            share,
            model,
        } => format!(
            "market forecast {} ({model}) × share {}",
            amount(*market),
            percent(*share).trim_start_matches('+')
        ),
        TargetSource::Profit {
            profit,
            fixed_costs,
            margin,
        } => format!(
            "(profit {} + fixed costs {}) / margin {}",
            amount(*profit),
            amount(*fixed_costs),
            percent(*margin).trim_start_matches('+')
        ),
        TargetSource::Amount => "given".into(),
    };
    match &s.outcome {
        Ok(_) => how,
        Err(reason) => format!("{how}; infeasible: {reason}"),
    }
}
