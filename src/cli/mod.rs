//! Command-line parsing, dispatch and exit codes.

/// Prints a summary line or a note to standard error, unless `--quiet`.
macro_rules! say {
    ($($arg:tt)*) => {
        if !$crate::cli::quiet() {
            eprintln!($($arg)*);
        }
    };
}

mod allocate;
mod backtest;
mod calibrate;
mod capacity;
mod changes;
mod forecast;
mod memory;
mod plot;
mod reconcile;
mod report;
mod scorecard;
mod sweep;
mod target;
mod track;

use std::path::Path;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use clap::{Args, Parser, Subcommand};

/// Sales forecasting and planning.
#[derive(Debug, Parser)]
#[command(
    name = "salesplan",
    version,
    about,
    after_help = "Any input or output file may be given as '-': standard input, or standard output (one output per run). Summaries and notes go to standard error."
)]
struct Cli {
    /// Print nothing but errors: no summary, notes or progress bars.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// Whether `--quiet` was given.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(crate) fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// A progress bar over `len` `items` on a terminal (not with `--quiet`,
/// nor when standard error is a file or a pipe).
pub(super) fn progress_bar(len: usize, items: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    (!quiet() && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(len as u64);
        let template = format!("{{bar:40}} {{pos}}/{{len}} {items} [{{elapsed}} < {{eta}}]");
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar
    })
}

/// A spinner with `message` and the time elapsed, for work that cannot
/// count its steps (on a terminal, not with `--quiet`); it stops when
/// dropped.
pub(super) fn spinner(message: &str) -> Option<Spinner> {
    use std::io::IsTerminal;
    (!quiet() && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Spinner(bar)
    })
}

/// A running [`spinner`], cleared when dropped.
pub(super) struct Spinner(indicatif::ProgressBar);

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Forecast every series of a long CSV file (unique_id,ds,y).
    Forecast(forecast::ForecastArgs),
    /// Candidate company targets (growth, market share, profit goal), each with its probability.
    Target(target::TargetArgs),
    /// Split an annual target down the org tree (node_id,period,target).
    Allocate(allocate::AllocateArgs),
    /// Each team's capacity by month (reps, hires, ramp, attrition) against its target, and the hires that close the gap.
    Capacity(capacity::CapacityArgs),
    /// The plan after effective-dated changes (moves, account transfers, leavers, hires), prorated by days held.
    Changes(changes::ChangesArgs),
    /// Make forecasts of every node of a hierarchy add up (bottom-up, top-down, MinT).
    Reconcile(reconcile::ReconcileArgs),
    /// Plan and score many scenarios (targets, bases, bounds, ramps) from one forecast.
    Sweep(sweep::SweepArgs),
    /// Where every node stands against plan: to date, run rate, model projection, probability, gap.
    Track(track::TrackArgs),
    /// The year-end evaluation: attainment by month, quarter and year, a weighted scorecard, ranks.
    Scorecard(scorecard::ScorecardArgs),
    /// Rolling-origin evaluation of models on every series (metrics CSV).
    Backtest(backtest::BacktestArgs),
    /// How reliable the attainment probabilities are on the org's own past years.
    Calibrate(calibrate::CalibrateArgs),
    /// Fan charts of forecasts (history, mean, a band per level) as SVG.
    Plot(plot::PlotArgs),
    /// The sales plan report: one HTML page of charts and tables from the
    /// files the other commands wrote.
    Report(report::ReportArgs),
}

/// How a command that ran to the end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Every item succeeded.
    Success,
    /// Some items failed; they were reported and the rest was written.
    SomeFailed,
}

/// Parses the arguments, runs the command and maps the result to an exit
/// code: 0 success, 1 some series failed, 2 fatal (clap also exits with 2 on
/// bad arguments).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    // Ctrl-C, SIGTERM or SIGHUP during a write: remove the partial output
    // (the target keeps what it had) and stop
    let _ = ctrlc::set_handler(|| {
        let removed = salesplan::io::remove_pending_temporaries();
        eprintln!(
            "salesplan: interrupted; {removed} unfinished output{} removed",
            if removed == 1 { "" } else { "s" }
        );
        std::process::exit(130);
    });
    let result = match cli.command {
        Command::Forecast(args) => forecast::run(args),
        Command::Target(args) => target::run(args),
        Command::Capacity(args) => capacity::run(args),
        Command::Changes(args) => changes::run(args),
        Command::Scorecard(args) => scorecard::run(args),
        Command::Allocate(args) => allocate::run(args),
        Command::Reconcile(args) => reconcile::run(args),
        Command::Backtest(args) => backtest::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Track(args) => track::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Plot(args) => plot::run(args),
        Command::Report(args) => report::run(args),
    };
    match result {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::SomeFailed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("salesplan: error: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, skipping a cause whose text the
/// message already contains (library errors often include their source).
fn message(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
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

/// Before any work: each output's folder exists, and no output is one of
/// the run's inputs or another of its outputs
/// ([`salesplan::io::check_distinct`]). Options not given are `None`.
pub(super) fn check_files(
    inputs: &[(&str, Option<&Path>)],
    outputs: &[(&str, Option<&Path>)],
) -> anyhow::Result<()> {
    check_files_parquet(inputs, outputs, &[])
}

/// [`check_files`] for a command whose outputs named in `parquet` may be
/// Parquet files; any other output named `.parquet` is refused before the
/// run (it would be written as CSV).
pub(super) fn check_files_parquet(
    inputs: &[(&str, Option<&Path>)],
    outputs: &[(&str, Option<&Path>)],
    parquet: &[&str],
) -> anyhow::Result<()> {
    let (inputs, outputs) = (given(inputs), given(outputs));
    for (option, path) in &outputs {
        if salesplan::io::is_parquet(path) && !parquet.contains(option) {
            bail!(
                "{option} {}: this output is written as CSV; Parquet is written for {} and read for every long-table input: name the file .csv",
                path.display(),
                if parquet.is_empty() { "forecast --output and backtest --forecasts".to_string() } else { parquet.join(", ") }
            );
        }
    }
    for (_, path) in &outputs {
        check_folder(path)?;
    }
    salesplan::io::check_distinct(&inputs, &outputs)?;
    Ok(())
}

/// Prints the files a run wrote, after its summary:
/// `wrote plan.csv (--output), summary.csv (--summary)`; standard output
/// shows as such.
pub(super) fn note_written(outputs: &[(&str, Option<&Path>)]) {
    let files: Vec<String> = given(outputs)
        .into_iter()
        .map(|(option, path)| {
            if salesplan::io::is_standard_stream(path) {
                format!("standard output ({option})")
            } else {
                format!("{} ({option})", path.display())
            }
        })
        .collect();
    if !files.is_empty() {
        say!("wrote {}", files.join(", "));
    }
}

/// The options that were given, with their paths.
fn given<'a>(list: &[(&'a str, Option<&'a Path>)]) -> Vec<(&'a str, &'a Path)> {
    list.iter()
        .filter_map(|(option, path)| path.map(|p| (*option, p)))
        .collect()
}

/// Runs `f` on a pool of `threads` workers (the library never sets the
/// global pool), or on rayon's default pool (one worker per core).
/// More workers than this many per core are refused: they only add
/// scheduling and memory (results are the same for any count).
pub(super) const MAX_THREADS_PER_CORE: usize = 4;

/// The machine's cores (1 when it cannot tell).
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub(super) fn in_pool<T: Send>(
    threads: Option<u16>,
    f: impl FnOnce() -> T + Send,
) -> anyhow::Result<T> {
    let cores = cores();
    if let Some(k) = threads.map(usize::from) {
        if k > MAX_THREADS_PER_CORE * cores {
            bail!(
                "--threads {k}: this machine has {cores} cores; use at most {} ({MAX_THREADS_PER_CORE} per core); results do not depend on the count",
                MAX_THREADS_PER_CORE * cores
            );
        }
    }
    Ok(match threads {
        Some(k) => rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(k))
            .build()
            .context("cannot start the worker threads")?
            .install(f),
        None => f(),
    })
}

/// The column names of a long input CSV, shared by the commands that read one.
#[derive(Debug, Clone, Args)]
pub(super) struct ColumnArgs {
    /// Name of the series-id column.
    #[arg(long, value_name = "NAME", default_value = "unique_id")]
    pub id_col: String,
    /// Name of the date (period) column.
    #[arg(long, value_name = "NAME", default_value = "ds")]
    pub date_col: String,
    /// Name of the value column.
    #[arg(long, value_name = "NAME", default_value = "y")]
    pub value_col: String,
    /// The dates' frequency: daily, weekly, monthly, quarterly, yearly (or
    /// pandas' D, W, MS, QS, YS) [default: read off the dates; a series of
    /// one YYYY-MM-DD date takes the file's other series' frequency].
    #[arg(long, value_name = "FREQ")]
    pub freq: Option<salesplan::forecast::frequency::Frequency>,
}

impl ColumnArgs {
    pub fn into_columns(self) -> salesplan::io::Columns {
        salesplan::io::Columns {
            id: self.id_col,
            date: self.date_col,
            value: self.value_col,
            frequency: self.freq,
        }
    }
}

/// What the planning commands (`allocate`, `sweep`) read: the org, the
/// leaves' history, the plan year and per-node constraints.
#[derive(Debug, Args)]
pub(super) struct PlanInputArgs {
    /// Org tree: node_id,parent_id[,name][,start_date][,end_date].
    #[arg(long, value_name = "FILE")]
    pub org: PathBuf,
    /// Monthly sales per leaf: unique_id,ds,y (unique_id = a leaf's node_id).
    #[arg(long, value_name = "FILE")]
    pub history: PathBuf,
    /// The plan year: last year's actual is the year before's sum; history
    /// from the plan year on is ignored.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1..=9998))]
    pub year: i32,
    /// Per-node constraints: node_id,min,max,growth_min,growth_max,lock,over_assignment[,potential].
    #[arg(long, value_name = "FILE")]
    pub constraints: Option<PathBuf>,
    /// Months summed by the `trailing` basis (scaled to 12 months).
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..))]
    pub trailing_months: u16,
}

impl PlanInputArgs {
    /// The files read, with their options, and the events file of `events`
    /// (for [`check_files`]).
    pub fn files<'a>(&'a self, events: &'a EventArgs) -> [(&'static str, Option<&'a Path>); 4] {
        [
            ("--org", Some(&self.org)),
            ("--history", Some(&self.history)),
            ("--constraints", self.constraints.as_deref()),
            ("--events-file", events.events_file.as_deref()),
        ]
    }
}

/// The holidays and events a command follows.
#[derive(Debug, Args)]
pub(super) struct EventArgs {
    /// Built-in event sets, comma-separated: china (official holidays with
    /// their adjusted working days, the Spring Festival's run-up and its
    /// season to Lantern, Lantern), shopping (520, 618, Double 11, Double 12)
    /// [default: none].
    #[arg(long, value_name = "SETS", value_delimiter = ',')]
    pub events: Vec<String>,
    /// Events of your own: event,start,end[,unique_id] (one row per
    /// occurrence; unique_id empty: every series).
    #[arg(long, value_name = "FILE")]
    pub events_file: Option<PathBuf>,
    /// Run-up days before the shopping festivals, e.g. 618=17,double11=22
    /// (keys 520, 618, double11, double12) [default: 0, 17, 22, 0].
    #[arg(long, value_name = "LIST", requires = "events")]
    pub shopping_runup: Option<String>,
}

impl EventArgs {
    /// Whether any event set or file is given.
    pub fn any(&self) -> bool {
        !self.events.is_empty() || self.events_file.is_some()
    }

    /// The calendar of the given sets and file (`None` when neither is
    /// given); events naming a series for which `known` is false fail.
    pub fn calendar(
        &self,
        known: impl Fn(&str) -> bool,
    ) -> anyhow::Result<Option<salesplan::events::EventCalendar>> {
        let sets: Vec<&str> = self.events.iter().map(String::as_str).collect();
        let (reader, name) = match &self.events_file {
            Some(path) => {
                let (reader, name) = salesplan::io::open_input(path)?;
                (Some(reader), Some(name))
            }
            None => (None, None),
        };
        let calendar = salesplan::io::event_calendar(
            &sets,
            self.shopping_runup.as_deref(),
            reader.zip(name.as_deref()),
            known,
        )
        .map_err(|e| match e {
            salesplan::Error::InvalidParameter {
                name: "shopping run-up",
                reason,
            } => anyhow::anyhow!("--shopping-runup: {reason}"),
            other => other.into(),
        })?;
        Ok(calendar)
    }

    /// Says which years of `first..=last` follow the fallback rule.
    pub fn note_fallback(calendar: &salesplan::events::EventCalendar, first: i32, last: i32) {
        let years = calendar.fallback_years(first, last);
        if let (Some(a), Some(b)) = (years.first(), years.last()) {
            say!(
                "note: no official holiday schedule for {}: the china set uses its rule there (weekends off, festivals on their dates, no adjusted working days)",
                if a == b { a.to_string() } else { format!("{a}–{b}") }
            );
        }
    }
}

/// Printed when `--recalibrate` asked for a calibration the history could
/// not support.
pub(super) const UNCALIBRATED: &str = "note: too few backtest windows to calibrate (at least 30 rep-years of history before the last year are needed): the probabilities use the models' own spread, which is too narrow on real data";

/// How a company target is split down the org (`allocate`, `target`).
#[derive(Debug, Args)]
pub(super) struct SplitArgs {
    /// Basis blend: history (last year), trailing (the last
    /// --trailing-months before the plan year, scaled to 12 months),
    /// forecast (AutoETS), potential (constraints.csv column), equal;
    /// with weights, e.g. forecast:0.6,history:0.4.
    #[arg(long, value_name = "BLEND", default_value = "history:1")]
    pub basis: salesplan::plan::allocate::Basis,
    /// proportional (capped pro-rata) or least-squares.
    #[arg(long, value_name = "METHOD", default_value = "proportional")]
    pub method: salesplan::plan::allocate::Method,
    /// New hires' monthly ramp factors before full productivity.
    #[arg(long, value_name = "FACTORS", default_value = "0.25,0.5,0.75")]
    pub ramp: salesplan::plan::allocate::Ramp,
}

/// The simulated plan year's size, seed and calibration (`sweep`,
/// `calibrate`, `target`).
#[derive(Debug, Args)]
pub(super) struct SimulationArgs {
    /// Simulated sample paths per rep.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub paths: u32,
    /// Seed of the simulation.
    #[arg(long, value_name = "SEED", default_value_t = 20_260_101)]
    pub seed: u64,
    /// Calibration of the simulated year on rolling-origin backtests of the
    /// reps' history (up to 1,500 rep-years): reselect refits the whole
    /// automatic choice before each origin, same-form only each rep's
    /// chosen form (cheaper, optimistic), none skips it.
    #[arg(long, value_enum, default_value = "reselect")]
    pub recalibrate: RecalibrateArg,
}

impl SimulationArgs {
    /// Refuses a simulation of `tree` that would not fit in memory.
    fn check_memory(
        &self,
        memory: &memory::MemoryArgs,
        tree: &salesplan::plan::org::OrgTree,
        threads: Option<u16>,
    ) -> anyhow::Result<()> {
        memory.check(
            &format!("--paths {} over {} nodes", self.paths, tree.len()),
            memory::simulation_bytes(self.paths as usize, tree, threads),
        )
    }

    /// The simulation options these arguments set (the rest default).
    pub fn options(&self) -> salesplan::scenario::attainment::SimulationOptions {
        salesplan::scenario::attainment::SimulationOptions {
            paths: self.paths as usize,
            seed: self.seed,
            recalibration: self.recalibrate.into(),
            ..Default::default()
        }
    }
}

/// `--recalibrate` values (see [`Recalibration`](salesplan::scenario::attainment::Recalibration)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum RecalibrateArg {
    None,
    SameForm,
    Reselect,
}

impl From<RecalibrateArg> for salesplan::scenario::attainment::Recalibration {
    fn from(arg: RecalibrateArg) -> Self {
        match arg {
            RecalibrateArg::None => Self::None,
            RecalibrateArg::SameForm => Self::SameForm,
            RecalibrateArg::Reselect => Self::Reselect,
        }
    }
}

/// Season length and MSTL periods, shared by the commands that fit models.
#[derive(Debug, Args)]
pub(super) struct SeasonArgs {
    /// Season length for every series [default: from the dates' frequency
    /// (12 monthly, 4 quarterly, 52 weekly, 7 daily), 1 for integer periods].
    #[arg(long, value_name = "M")]
    pub season_length: Option<usize>,
    /// Seasonal periods for `mstl` models, comma-separated, fractional
    /// allowed (e.g. `7,365.25`) [default: the season length if given, else
    /// daily 7,365.25, weekly 52.18, others their season length].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub seasonal_periods: Vec<f64>,
}
