//! `salesplan backtest`: rolling-origin evaluation of one or more models on
//! every series of a long CSV, written as a metrics CSV.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use salesplan::forecast::backtest::Backtest;
use salesplan::forecast::batch::{
    backtest_batch_intervals, check_seasonal_periods, default_intervals, ModelChoice,
};
use salesplan::forecast::events::backtest_batch_with_events;
use salesplan::forecast::intervals::IntervalMethod;
use salesplan::forecast::models::nonnegative::NonNegativePoint;
use salesplan::io::{
    backtest_overall, read_long_csv, scored_models, write_backtest, write_cross_validation,
};

use super::{check_files_parquet, in_pool, ColumnArgs, EventArgs, SeasonArgs, Status};

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Long CSV with one row per series and period, in any order.
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    #[command(flatten)]
    events: EventArgs,
    /// Steps forecast from each origin (at least 1).
    #[arg(long, value_name = "H")]
    horizon: usize,
    /// Number of forecast origins per series (at least 1).
    #[arg(long, value_name = "W")]
    windows: usize,
    /// Periods between origins [default: the horizon].
    #[arg(long, value_name = "S")]
    step: Option<usize>,
    /// Sliding training windows of this many points [default: expanding].
    #[arg(long, value_name = "N")]
    sliding: Option<usize>,
    /// Comma-separated models, as for `forecast --model`; Naive2 is always
    /// added as the reference of OWA. Separate a combination's members with
    /// `+` here (`comb:ets+theta`).
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "auto-ets,theta"
    )]
    models: Vec<ModelChoice>,
    #[command(flatten)]
    season: SeasonArgs,
    /// Prediction-interval level in percent; repeat for several or give a
    /// comma list (`--level 80,95`).
    #[arg(long = "level", value_name = "PERCENT", value_delimiter = ',', default_values_t = [80.0, 95.0])]
    levels: Vec<f64>,
    /// How each window's intervals are made, from what precedes its origin
    /// only, as `forecast --intervals` makes them: `model`, `calibrated`
    /// (widened by backtests of the batch cut at the window's origin),
    /// `conformal` or `conformal:N` [default: calibrated for `auto`, model
    /// for every named model, as `forecast`].
    #[arg(long, value_name = "METHOD")]
    intervals: Option<IntervalMethod>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    #[command(flatten)]
    columns: ColumnArgs,
    /// Where to write the metrics (CSV).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Where to write every window's forecasts with its `cutoff` and the
    /// actual `y`, in the shape of statsforecast's `cross_validation`:
    /// `unique_id,ds,cutoff,y,model,mean,lo-80,hi-80,...` (CSV, or Parquet by
    /// the `.parquet` extension). statsforecast's
    /// `cross_validation` moves the origin one period by default: `--step 1`.
    #[arg(long, value_name = "FILE")]
    forecasts: Option<PathBuf>,
    /// Write `--forecasts` in statsforecast's wide layout, one column set
    /// per model: `unique_id,ds,cutoff,y,AutoETS,AutoETS-lo-80,...,Theta,...`.
    #[arg(long, requires = "forecasts")]
    wide: bool,
    /// Keep forecasts and bounds non-negative: censor each forecast
    /// distribution at zero; the point is its `mean` (default) or `median`.
    #[arg(long, value_name = "POINT", num_args = 0..=1, default_missing_value = "mean")]
    nonnegative: Option<NonNegativePoint>,
}

pub fn run(args: BacktestArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    let mut backtest = Backtest::new(args.horizon, args.windows)?;
    if let Some(step) = args.step {
        backtest = backtest.with_step(step)?;
    }
    if let Some(length) = args.sliding {
        backtest = backtest.sliding(length)?;
    }
    salesplan::numeric::stats::check_levels(&args.levels)?;
    check_seasonal_periods(&args.season.seasonal_periods)?;
    if args.season.season_length == Some(0) {
        anyhow::bail!("invalid season length: must be at least 1");
    }
    let models = scored_models(&args.models);
    check_files_parquet(
        &[
            ("--input", Some(&args.input)),
            ("--events-file", args.events.events_file.as_deref()),
        ],
        &[
            ("--output", Some(&args.output)),
            ("--forecasts", args.forecasts.as_deref()),
        ],
        &["--forecasts"],
    )?;
    let columns = args.columns.into_columns();
    let series = read_long_csv(&args.input, &columns)?;
    let bar = super::progress_bar(series.len(), "series");
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let known: std::collections::HashSet<&str> = series.iter().map(|s| s.id()).collect();
    let events = args.events.calendar(|id| known.contains(id))?;
    let run = || match events.as_ref() {
        Some(calendar) => {
            if args.intervals.is_some_and(|m| m != IntervalMethod::Model) {
                anyhow::bail!("--events: the backtest scores the models' own intervals only (give --intervals model or leave it out)");
            }
            if models
                .iter()
                .any(|m| default_intervals(m) != IntervalMethod::Model)
            {
                say!("note: with --events every model's own intervals are scored, `auto`'s too (not calibrated as `forecast` calibrates them)");
            }
            Ok(backtest_batch_with_events(
                &series,
                &models,
                &backtest,
                &args.levels,
                args.season.season_length,
                &args.season.seasonal_periods,
                args.nonnegative,
                Some(calendar),
                &tick,
            )?)
        }
        None => Ok(backtest_batch_intervals(
            &series,
            &models,
            &backtest,
            &args.levels,
            args.season.season_length,
            &args.season.seasonal_periods,
            args.nonnegative,
            args.intervals,
            &tick,
        )?),
    };
    let results = in_pool(args.threads, run)??;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let overall = backtest_overall(&models, &results);
    write_backtest(&args.output, &args.levels, &results, &overall)?;
    if let Some(path) = &args.forecasts {
        write_cross_validation(path, &args.levels, &models, &series, &results, args.wide)?;
    }

    let failures: Vec<_> = results
        .iter()
        .flatten()
        .filter_map(|r| r.outcome.as_ref().err().map(|e| (r, e)))
        .collect();
    say!(
        "{} series × {} models, {} windows each, {} failed, {:.2} s",
        series.len(),
        models.len(),
        backtest.windows(),
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    for o in &overall {
        if o.summary.windows == 0 {
            let failed = if o.failed_series > 0 {
                format!(" (failed on all {} series)", o.failed_series)
            } else {
                String::new()
            };
            say!("  {:<16} scored no window{failed}", o.model.name());
            continue;
        }
        say!(
            "  {:<16} sMAPE {:8.3}  MASE {}  OWA {}",
            o.model.name(),
            o.summary.smape,
            o.summary.mase.map_or("-".into(), |v| format!("{v:.3}")),
            o.owa.map_or("-".into(), |v| format!("{v:.3}")),
        );
    }
    for (r, e) in failures.iter().take(5) {
        say!("  failed {} with {}: {e}", r.id, r.model.name());
    }
    super::note_written(&[
        ("--output", Some(&args.output)),
        ("--forecasts", args.forecasts.as_deref()),
    ]);
    Ok(if failures.is_empty() {
        Status::Success
    } else {
        Status::SomeFailed
    })
}
