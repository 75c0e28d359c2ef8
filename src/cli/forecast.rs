//! `salesplan forecast`: read a long CSV, forecast each series, write the
//! forecasts (and optionally a per-series report).

use std::path::PathBuf;
use std::time::Instant;

use chrono::Datelike;
use clap::Args;
use salesplan::forecast::batch::{
    forecast_batch_with_intervals, ForecastJob, ModelChoice, SeriesOutcome,
};
use salesplan::forecast::events::forecast_batch_with_events;
use salesplan::forecast::intervals::{IntervalMethod, Widening};
use salesplan::forecast::models::nonnegative::NonNegativePoint;
use salesplan::io::{read_long_csv, write_forecasts, write_report};

use super::{check_files, in_pool, ColumnArgs, EventArgs, SeasonArgs, Status};

/// How many failure reasons the summary lists.
const REASONS_SHOWN: usize = 5;

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Long CSV with one row per series and period, in any order.
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// Number of periods to forecast (at least 1).
    #[arg(long, value_name = "H")]
    horizon: usize,
    /// `auto-ets` (form chosen per series by AICc), `ets:<code>` (e.g. `ets:MAdM`),
    /// `theta`, `otm`, `dstm`, `dotm`, `auto-theta`, `naive`, `snaive`, `drift`,
    /// `mean`, `window:<n>`, `naive2`, `croston`, `croston-opt`, `sba`, `tsb`,
    /// `adida`, `imapa`, `m4-comb` (the M4 benchmark Comb), `comb:<m1>,<m2>,...`
    /// (mean combination, e.g. `comb:ets,theta`), `comb-median:<m1>,<m2>,...`,
    /// `mstl` (MSTL with AutoETS on the seasonally adjusted series),
    /// `mstl:theta`, `mstl:drift`, `mstl:auto-arima`, `arima:<p,d,q>` or `arima:<p,d,q>(<P,D,Q>)`
    /// (seasonal ARIMA as R's `Arima`, e.g. `arima:0,1,1(0,1,1)`, `+drift`
    /// for a drift), `auto-arima` (orders chosen per series as R's
    /// `auto.arima`), or `auto` (chosen per series across
    /// families; the report says what and why).
    #[arg(long, value_name = "MODEL", default_value = "auto-ets")]
    model: ModelChoice,
    #[command(flatten)]
    season: SeasonArgs,
    /// Prediction-interval level in percent; repeat for several or give a
    /// comma list (`--level 80,95`).
    #[arg(long = "level", value_name = "PERCENT", value_delimiter = ',', default_values_t = [80.0, 95.0])]
    levels: Vec<f64>,
    /// How the intervals are made: `model` (the model's own), `calibrated`
    /// (the model's widened by backtests of the batch, per level and step),
    /// `conformal` or `conformal:N` (each series' own errors over its last N
    /// backtest windows, default 2) [default: calibrated for `auto`, model
    /// for every named model].
    #[arg(long, value_name = "METHOD")]
    intervals: Option<IntervalMethod>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    #[command(flatten)]
    columns: ColumnArgs,
    #[command(flatten)]
    events: EventArgs,
    #[command(flatten)]
    memory: super::memory::MemoryArgs,
    /// Where to write the forecasts (long CSV).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Where to write a per-series status report (CSV).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Keep forecasts and bounds non-negative: censor each forecast
    /// distribution at zero (bounds below 0 become 0); the point is the
    /// censored distribution's `mean` (default) or `median` (max(μ, 0)).
    #[arg(long, value_name = "POINT", num_args = 0..=1, default_missing_value = "mean")]
    nonnegative: Option<NonNegativePoint>,
}

pub fn run(args: ForecastArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    let mut job = ForecastJob::new(
        args.model,
        args.horizon,
        args.levels,
        args.season.season_length,
    )?
    .with_seasonal_periods(args.season.seasonal_periods)?;
    if let Some(point) = args.nonnegative {
        job = job.with_nonnegative(point);
    }
    if let Some(intervals) = args.intervals {
        job = job.with_intervals(intervals);
    }
    check_files(
        &[
            ("--input", Some(&args.input)),
            ("--events-file", args.events.events_file.as_deref()),
        ],
        &[
            ("--output", Some(&args.output)),
            ("--report", args.report.as_deref()),
        ],
    )?;
    let columns = args.columns.into_columns();
    let series = read_long_csv(&args.input, &columns)?;
    args.memory.check(
        &format!("--horizon {} on {} series", args.horizon, series.len()),
        super::memory::forecast_bytes(series.len(), args.horizon, job.levels().len()),
    )?;

    let bar = super::progress_bar(series.len(), "series");
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let known: std::collections::HashSet<&str> = series.iter().map(|s| s.id()).collect();
    let events = args.events.calendar(|id| known.contains(id))?;
    let mut widening = None;
    let outcomes = match &events {
        None => {
            let (outcomes, learnt) = in_pool(args.threads, || {
                forecast_batch_with_intervals(&series, &job, &tick)
            })?;
            widening = learnt;
            outcomes
        }
        Some(calendar) => {
            let years = series.iter().flat_map(|s| {
                let d = s.dates();
                [d.first().map(|d| d.year()), d.last().map(|d| d.year())]
            });
            let years: Vec<i32> = years.flatten().collect();
            if let (Some(a), Some(b)) = (years.iter().min(), years.iter().max()) {
                EventArgs::note_fallback(calendar, *a, b + (args.horizon as i32 + 11) / 12);
            }
            in_pool(args.threads, || {
                forecast_batch_with_events(&series, &job, calendar, &tick)
            })??
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    write_forecasts(
        &args.output,
        job.levels(),
        outcomes.iter().filter_map(|o| o.as_ref().ok()),
    )?;
    if let Some(report) = &args.report {
        write_report(report, &outcomes)?;
    }
    if job.intervals() == IntervalMethod::Calibrated && events.is_none() {
        note_widening(widening.as_ref());
    }
    let status = summarise(&outcomes, started.elapsed().as_secs_f64());
    super::note_written(&[
        ("--output", Some(&args.output)),
        ("--report", args.report.as_deref()),
    ]);
    Ok(status)
}

/// Says what the calibrated intervals were widened by.
fn note_widening(widening: Option<&Widening>) {
    let Some(w) = widening else {
        say!(
            "note: too few backtest windows to calibrate the intervals; the models' own are written"
        );
        return;
    };
    let levels: Vec<String> = w
        .levels
        .iter()
        .zip(&w.factors)
        .map(|(level, f)| {
            let (first, last) = (
                f.first().copied().unwrap_or(1.0),
                f.last().copied().unwrap_or(1.0),
            );
            format!(
                "{level}% ×{first:.2} (step 1) to ×{last:.2} (step {})",
                f.len()
            )
        })
        .collect();
    say!(
        "intervals calibrated on {} backtest windows: {}",
        w.windows,
        levels.join(", ")
    );
}

/// Prints the summary to stderr and says whether everything succeeded.
fn summarise(outcomes: &[SeriesOutcome], seconds: f64) -> Status {
    let failures: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    say!(
        "{} series, {} ok, {} failed, {seconds:.2} s",
        outcomes.len(),
        outcomes.len() - failures.len(),
        failures.len()
    );
    for f in failures.iter().take(REASONS_SHOWN) {
        say!("  failed {}: {}", f.id, f.reason());
    }
    let warned: Vec<_> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .filter_map(|f| f.warning.as_ref().map(|w| (&f.id, w)))
        .collect();
    for (id, warning) in warned.iter().take(REASONS_SHOWN) {
        say!("  warning {id}: {warning}");
    }
    if warned.len() > REASONS_SHOWN {
        say!(
            "  ... and {} more warnings (--report's warning column lists them all)",
            warned.len() - REASONS_SHOWN
        );
    }
    if failures.len() > REASONS_SHOWN {
        say!(
            "  ... and {} more (--report lists them all)",
            failures.len() - REASONS_SHOWN
        );
    }
    if failures.is_empty() {
        Status::Success
    } else {
        Status::SomeFailed
    }
}
