//! `salesplan forecast`: read a long CSV, forecast each series, write the
//! forecasts (and optionally a per-series report).

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Datelike;
use clap::Args;
use salesplan::forecast::batch::{
    calibration_windows, forecast_batch_widened, forecast_batch_with_intervals, learn_widening,
    ForecastJob, ModelChoice, SeriesOutcome,
};
use salesplan::forecast::events::forecast_batch_with_events;
use salesplan::forecast::intervals::{IntervalMethod, Widening};
use salesplan::forecast::models::nonnegative::NonNegativePoint;
use salesplan::forecast::saved::SavedModels;
use salesplan::io::{
    read_long_chunks, read_long_csv, read_models, write_forecasts, write_forecasts_wide,
    write_models, write_report, Chunked, Columns, ForecastWriter, PeriodType, ReportWriter,
};
use salesplan::Series;

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
    /// Series read, forecast and written at a time when the input is a
    /// regular file sorted by series id (byte order, as data frames'
    /// `sort_values` sort): memory then depends on this, not on the input's
    /// size. Other inputs, and runs with events or `--save-models`, are read
    /// whole, as are all with `--chunk 0`. The output is the same either way.
    #[arg(long, value_name = "SERIES", default_value_t = 10_000)]
    chunk: u32,
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
    let mut unsorted = None;
    if args.chunk > 0 && !args.events.any() && args.save_models.is_none() {
        match run_in_chunks(&args, &input, &columns, &job, started)? {
            Ok(status) => return Ok(status),
            Err(Chunked::Unsorted(why)) => unsorted = Some(why),
            Err(_) => {}
        }
    }
    let series = read_long_csv(&input, &columns)?;
    if let Some(why) = unsorted.filter(|_| series.len() > args.chunk as usize) {
        // a note only where sorting would have saved memory
        say!(
            "note: {why}: the {} series were read whole (sorted by {}, they are forecast {} at a time, in less memory)",
            series.len(),
            columns.id,
            args.chunk
        );
    }
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

    write_outputs(
        &args,
        &job.model(),
        job.levels(),
        &outcomes,
        Some(PeriodType::of_series(&series)),
    )?;
    if let Some(path) = &args.save_models {
        let saved = SavedModels::from_batch(&job, &series, &outcomes, widening.as_ref())?;
        write_models(path, &saved)?;
    }
    if job.intervals() == IntervalMethod::Calibrated && events.is_none() {
        note_widening(widening.as_ref());
    }
    let status = summarise(&Tally::of(&outcomes), started.elapsed().as_secs_f64());
    super::note_written(&outputs(&args));
    Ok(status)
}

/// `forecast` on a file sorted by series id, a chunk of `--chunk` series at
/// a time: a first pass checks every row (the errors of a whole read, before
/// any forecast) and counts the series; with calibrated intervals a second
/// pass takes the series they are learnt from (the whole batch's sample);
/// the last reads, forecasts and writes each chunk. An input of one chunk
/// is kept from the first pass. The outputs are those of a whole read.
/// `Err(why)`: the input has to be read whole.
fn run_in_chunks(
    args: &ForecastArgs,
    input: &Path,
    columns: &Columns,
    job: &ForecastJob,
    started: Instant,
) -> anyhow::Result<Result<Status, Chunked>> {
    let size = args.chunk as usize;
    let stamp = file_stamp(input);
    let mut types = Vec::new();
    let mut first: Option<Vec<Series>> = None;
    let mut chunks = 0;
    let n = match read_long_chunks(input, columns, size, &mut |chunk| {
        types.push(PeriodType::of_series(&chunk));
        chunks += 1;
        first = (chunks == 1).then_some(chunk);
        Ok(())
    })? {
        Chunked::Done { series } => series,
        other => return Ok(Err(other)),
    };
    let periods = types
        .into_iter()
        .reduce(PeriodType::and)
        .unwrap_or(PeriodType::Text);
    args.memory.check(
        &if n > size {
            format!("--horizon {} on chunks of {size} series", args.horizon)
        } else {
            format!("--horizon {} on {n} series", args.horizon)
        },
        super::memory::forecast_bytes(size.min(n), args.horizon, job.levels().len()),
    )?;
    let changed = || {
        anyhow::anyhow!(
            "{} changed while it was being read: run again",
            input.display()
        )
    };
    let mut widening = None;
    if job.intervals() == IntervalMethod::Calibrated && !job.levels().is_empty() {
        let windows = calibration_windows(n);
        let wanted: std::collections::BTreeSet<usize> = windows.iter().map(|w| w.0).collect();
        let mut sample = std::collections::HashMap::new();
        match &first {
            Some(all) => sample.extend(
                all.iter()
                    .enumerate()
                    .filter(|(k, _)| wanted.contains(k))
                    .map(|(k, s)| (k, s.clone())),
            ),
            None => {
                let mut k = 0;
                let read = read_long_chunks(input, columns, size, &mut |chunk| {
                    for s in chunk {
                        if wanted.contains(&k) {
                            sample.insert(k, s);
                        }
                        k += 1;
                    }
                    Ok(())
                })?;
                if read != (Chunked::Done { series: n }) {
                    return Err(changed());
                }
            }
        }
        let windows: Vec<(&Series, usize)> = windows
            .iter()
            .filter_map(|(k, w)| sample.get(k).map(|s| (s, *w)))
            .collect();
        widening = in_pool(args.threads, || learn_widening(windows, job))?;
    }

    let bar = super::progress_bar(n, "series");
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let wide = args.wide.then(|| job.model().statsforecast_name());
    let mut output = ForecastWriter::create(&args.output, job.levels(), wide.as_deref(), periods)?;
    let mut report = args
        .report
        .as_deref()
        .map(ReportWriter::create)
        .transpose()?;
    let mut tally = Tally::default();
    let mut forecast_chunk = |chunk: &[Series]| -> salesplan::Result<()> {
        let outcomes = forecast_batch_widened(chunk, job, widening.as_ref(), &tick);
        output.write(outcomes.iter().filter_map(|o| o.as_ref().ok()))?;
        if let Some(report) = &mut report {
            report.write(&outcomes)?;
        }
        tally.add(&outcomes);
        Ok(())
    };
    match &first {
        Some(all) => in_pool(args.threads, || forecast_chunk(all))??,
        None => {
            let read = in_pool(args.threads, || {
                read_long_chunks(input, columns, size, &mut |chunk| forecast_chunk(&chunk))
            })??;
            if read != (Chunked::Done { series: n }) {
                return Err(changed());
            }
        }
    }
    if file_stamp(input) != stamp {
        return Err(changed());
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    output.finish()?;
    if let Some(report) = report {
        report.finish()?;
    }
    if job.intervals() == IntervalMethod::Calibrated {
        note_widening(widening.as_ref());
    }
    let status = summarise(&tally, started.elapsed().as_secs_f64());
    super::note_written(&outputs(args));
    Ok(Ok(status))
}

/// A file's size and modification time: what tells that it changed
/// between the passes of a chunked run.
fn file_stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
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
    write_outputs(&args, &saved.model_choice()?, &args.levels, &outcomes, None)?;
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
    let status = summarise(&Tally::of(&outcomes), started.elapsed().as_secs_f64());
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
/// A Parquet output's period column is typed by `periods` (the input's
/// labels, as a chunked run types it) or, from saved models, by the
/// forecasts' labels.
fn write_outputs(
    args: &ForecastArgs,
    model: &ModelChoice,
    levels: &[f64],
    outcomes: &[SeriesOutcome],
    periods: Option<PeriodType>,
) -> anyhow::Result<()> {
    let written = outcomes.iter().filter_map(|o| o.as_ref().ok());
    let wide = args.wide.then(|| model.statsforecast_name());
    match periods {
        Some(periods) => {
            let mut output =
                ForecastWriter::create(&args.output, levels, wide.as_deref(), periods)?;
            output.write(written)?;
            output.finish()?;
        }
        None => match &wide {
            Some(name) => write_forecasts_wide(&args.output, levels, name, written)?,
            None => write_forecasts(&args.output, levels, written)?,
        },
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

/// What the summary says of a run's outcomes: counts, and the first
/// failures and warnings (by id).
#[derive(Default)]
struct Tally {
    series: usize,
    failed: usize,
    failures: Vec<(String, String)>,
    warned: usize,
    warnings: Vec<(String, String)>,
}

impl Tally {
    fn of(outcomes: &[SeriesOutcome]) -> Tally {
        let mut tally = Tally::default();
        tally.add(outcomes);
        tally
    }

    /// Counts `outcomes`, which come after those counted so far.
    fn add(&mut self, outcomes: &[SeriesOutcome]) {
        self.series += outcomes.len();
        for o in outcomes {
            match o {
                Err(f) => {
                    self.failed += 1;
                    if self.failures.len() < REASONS_SHOWN {
                        self.failures.push((f.id.clone(), f.reason()));
                    }
                }
                Ok(f) => {
                    if let Some(w) = &f.warning {
                        self.warned += 1;
                        if self.warnings.len() < REASONS_SHOWN {
                            self.warnings.push((f.id.clone(), w.clone()));
                        }
                    }
                }
            }
        }
    }
}

/// Prints the summary to stderr and says whether everything succeeded.
fn summarise(tally: &Tally, seconds: f64) -> Status {
    say!(
        "{} series, {} ok, {} failed, {seconds:.2} s",
        tally.series,
        tally.series - tally.failed,
        tally.failed
    );
    for (id, reason) in &tally.failures {
        say!("  failed {id}: {reason}");
    }
    for (id, warning) in &tally.warnings {
        say!("  warning {id}: {warning}");
    }
    if tally.warned > REASONS_SHOWN {
        say!(
            "  ... and {} more warnings (--report's warning column lists them all)",
            tally.warned - REASONS_SHOWN
        );
    }
    if tally.failed > REASONS_SHOWN {
        say!(
            "  ... and {} more (--report lists them all)",
            tally.failed - REASONS_SHOWN
        );
    }
    if tally.failed == 0 {
        Status::Success
    } else {
        Status::SomeFailed
    }
}
