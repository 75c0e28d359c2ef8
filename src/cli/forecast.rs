//! `salesplan forecast`: read a long CSV, forecast each series, write the
//! forecasts (and optionally a per-series report).

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Datelike;
use clap::Args;
use salesplan::forecast::batch::{
    forecast_batch_with_intervals, ForecastJob, ModelChoice, SeriesOutcome,
};
use salesplan::forecast::events::forecast_batch_with_events;
use salesplan::forecast::intervals::{IntervalMethod, Widening};
use salesplan::forecast::models::nonnegative::NonNegativePoint;
use salesplan::forecast::saved::SavedModels;
use salesplan::io::{
    read_long_csv, read_models, write_forecasts, write_forecasts_wide, write_models, write_report,
};

use super::{check_files_parquet, in_pool, ColumnArgs, EventArgs, SeasonArgs, Status};

/// How many failure reasons the summary lists.
const REASONS_SHOWN: usize = 5;

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Long CSV with one row per series and period, in any order (or a
    /// Parquet file, by its `.parquet` extension).
    #[arg(long, value_name = "FILE", required_unless_present = "load_models")]
    input: Option<PathBuf>,
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
    /// Where to write the forecasts (long CSV, or Parquet when the name ends
    /// in `.parquet`).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Write `--output` in statsforecast's wide layout:
    /// `unique_id,ds,AutoETS,AutoETS-lo-80,AutoETS-lo-95,AutoETS-hi-80,AutoETS-hi-95`
    /// (statsforecast's model names; the fitted form of each series is in
    /// `--report`). Other commands read the long layout.
    #[arg(long)]
    wide: bool,
    /// Where to write a per-series status report (CSV).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Also save every series' fitted model (JSON) to forecast again later
    /// with `--load-models`, without the data and without refitting.
    #[arg(long, value_name = "FILE", conflicts_with = "load_models")]
    save_models: Option<PathBuf>,
    /// Forecast from models saved by `--save-models` instead of fitting:
    /// any `--horizon` and `--level` (calibrated intervals: the levels
    /// calibrated), continuing each series from where it ended.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["input", "model", "season_length", "seasonal_periods", "events", "events_file", "shopping_runup"]
    )]
    load_models: Option<PathBuf>,
    /// Keep forecasts and bounds non-negative: censor each forecast
    /// distribution at zero (bounds below 0 become 0); the point is the
    /// censored distribution's `mean` (default) or `median` (max(μ, 0)).
    #[arg(long, value_name = "POINT", num_args = 0..=1, default_missing_value = "mean")]
    nonnegative: Option<NonNegativePoint>,
}

pub fn run(args: ForecastArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    if let Some(path) = args.load_models.clone() {
        return run_loaded(args, &path, started);
    }
    let Some(input) = args.input.clone() else {
        anyhow::bail!("--input is required (or --load-models)");
    };
    let mut job = ForecastJob::new(
        args.model.clone(),
        args.horizon,
        args.levels.clone(),
        args.season.season_length,
    )?
    .with_seasonal_periods(args.season.seasonal_periods.clone())?;
    if let Some(point) = args.nonnegative {
        job = job.with_nonnegative(point);
    }
    if let Some(intervals) = args.intervals {
        job = job.with_intervals(intervals);
    }
    if args.save_models.is_some() {
        if args.events.any() {
            anyhow::bail!("--save-models does not save event effects: forecast with --events from the data instead");
        }
        if let IntervalMethod::Conformal { .. } = job.intervals() {
            anyhow::bail!("--save-models with conformal intervals: they come from backtests of each series' own history, which saved models do not keep; use --intervals model or calibrated");
        }
        job = job.with_kept_fits();
    }
    check_files_parquet(
        &[
            ("--input", Some(&input)),
            ("--events-file", args.events.events_file.as_deref()),
        ],
        &outputs(&args),
        &["--output"],
    )?;
    let columns = args.columns.clone().into_columns();
    let series = read_long_csv(&input, &columns)?;
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

    write_outputs(&args, &job.model(), job.levels(), &outcomes)?;
    if let Some(path) = &args.save_models {
        let saved = SavedModels::from_batch(&job, &series, &outcomes, widening.as_ref())?;
        write_models(path, &saved)?;
    }
    if job.intervals() == IntervalMethod::Calibrated && events.is_none() {
        note_widening(widening.as_ref());
    }
    let status = summarise(&outcomes, started.elapsed().as_secs_f64());
    super::note_written(&outputs(&args));
    Ok(status)
}

/// `forecast --load-models`: forecasts from saved fits.
fn run_loaded(args: ForecastArgs, path: &Path, started: Instant) -> anyhow::Result<Status> {
    check_files_parquet(
        &[("--load-models", Some(path))],
        &outputs(&args),
        &["--output"],
    )?;
    let mut saved = read_models(path)?;
    match args.intervals {
        None => {}
        Some(IntervalMethod::Model) => saved.widening = None,
        Some(asked) if asked.to_string() == saved.intervals => {}
        Some(asked) => anyhow::bail!(
            "--intervals {asked}: the models in {} were saved with {} intervals; loaded models give those or the models' own (--intervals model)",
            path.display(),
            saved.intervals
        ),
    }
    args.memory.check(
        &format!(
            "--horizon {} on {} series",
            args.horizon,
            saved.series.len()
        ),
        super::memory::forecast_bytes(saved.series.len(), args.horizon, args.levels.len()),
    )?;
    let bar = super::progress_bar(saved.series.len(), "series");
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let outcomes = in_pool(args.threads, || {
        saved.forecast(args.horizon, &args.levels, args.nonnegative, &tick)
    })??;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    write_outputs(&args, &saved.model_choice()?, &args.levels, &outcomes)?;
    say!(
        "forecast from {} saved {} models (fitted by salesplan {} for {} steps)",
        saved.series.len(),
        saved.model,
        saved.salesplan,
        saved.horizon
    );
    if let Some(w) = &saved.widening {
        if args.horizon > saved.horizon {
            say!(
                "note: the intervals were calibrated for {} steps; steps {}..{} take step {}'s widening",
                saved.horizon,
                saved.horizon + 1,
                args.horizon,
                saved.horizon
            );
        }
        note_widening(Some(w));
    }
    let status = summarise(&outcomes, started.elapsed().as_secs_f64());
    super::note_written(&outputs(&args));
    Ok(status)
}

/// The files a forecast run writes, by option.
fn outputs(args: &ForecastArgs) -> [(&'static str, Option<&Path>); 3] {
    [
        ("--output", Some(args.output.as_path())),
        ("--report", args.report.as_deref()),
        ("--save-models", args.save_models.as_deref()),
    ]
}

/// Writes the forecasts (long, or wide with `--wide`) and the report.
fn write_outputs(
    args: &ForecastArgs,
    model: &ModelChoice,
    levels: &[f64],
    outcomes: &[SeriesOutcome],
) -> anyhow::Result<()> {
    let written = outcomes.iter().filter_map(|o| o.as_ref().ok());
    if args.wide {
        write_forecasts_wide(&args.output, levels, &model.statsforecast_name(), written)?;
    } else {
        write_forecasts(&args.output, levels, written)?;
    }
    if let Some(report) = &args.report {
        write_report(report, outcomes)?;
    }
    Ok(())
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
