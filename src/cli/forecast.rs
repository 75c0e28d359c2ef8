//! `salesplan forecast`: read a long CSV, forecast each series, write the
//! forecasts (and optionally a per-series report).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use salesplan::batch::{forecast_batch, ForecastJob, ModelChoice, SeriesOutcome};
use salesplan::io::{read_long_csv, write_forecasts, write_report, Columns};

use super::Status;

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
    /// `adida` or `imapa`.
    #[arg(long, value_name = "MODEL", default_value = "auto-ets")]
    model: ModelChoice,
    /// Season length for every series [default: from the dates' frequency
    /// (12 monthly, 4 quarterly, 52 weekly, 7 daily), 1 for integer periods].
    #[arg(long, value_name = "M")]
    season_length: Option<usize>,
    /// Prediction-interval level in percent; repeat for several.
    #[arg(long = "level", value_name = "PERCENT", default_values_t = [80.0, 95.0])]
    levels: Vec<f64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Name of the series-id column.
    #[arg(long, value_name = "NAME", default_value = "unique_id")]
    id_col: String,
    /// Name of the date (period) column.
    #[arg(long, value_name = "NAME", default_value = "ds")]
    date_col: String,
    /// Name of the value column.
    #[arg(long, value_name = "NAME", default_value = "y")]
    value_col: String,
    /// Where to write the forecasts (long CSV).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Where to write a per-series status report (CSV).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

pub fn run(args: ForecastArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    let job = ForecastJob::new(args.model, args.horizon, args.levels, args.season_length)?;
    check_folder(&args.output)?;
    if let Some(report) = &args.report {
        check_folder(report)?;
    }
    let columns = Columns {
        id: args.id_col,
        date: args.date_col,
        value: args.value_col,
    };
    let series = read_long_csv(&args.input, &columns)?;

    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(series.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} series [{elapsed} < {eta}]")
        {
            bar.set_style(style);
        }
        bar
    });
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let outcomes = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build()
            .context("cannot start the worker threads")?
            .install(|| forecast_batch(&series, &job, &tick)),
        None => forecast_batch(&series, &job, &tick),
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
    Ok(summarise(&outcomes, started.elapsed().as_secs_f64()))
}

/// Fails early, before any work, when the folder of an output file is missing.
pub(super) fn check_folder(path: &Path) -> anyhow::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            bail!(
                "{}: folder {} does not exist",
                path.display(),
                dir.display()
            )
        }
        _ => Ok(()),
    }
}

/// Prints the summary to stderr and says whether everything succeeded.
fn summarise(outcomes: &[SeriesOutcome], seconds: f64) -> Status {
    let failures: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    eprintln!(
        "{} series, {} ok, {} failed, {seconds:.2} s",
        outcomes.len(),
        outcomes.len() - failures.len(),
        failures.len()
    );
    for f in failures.iter().take(REASONS_SHOWN) {
        eprintln!("  failed {}: {}", f.id, f.reason());
    }
    if failures.len() > REASONS_SHOWN {
        eprintln!(
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
