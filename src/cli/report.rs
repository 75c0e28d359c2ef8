//! `salesplan report`: the sales plan report, one self-contained HTML page
//! from the files the other commands wrote.

use std::path::{Path, PathBuf};

use clap::Args;
use salesplan::io::write_atomically;
use salesplan::report::sales::{build, ReportFiles, ReportOptions};

use super::{check_files, ColumnArgs, Status};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The org tree (`node_id,parent_id,name,...`), as `allocate --org`.
    #[arg(long, value_name = "FILE")]
    org: PathBuf,
    /// The leaves' monthly sales (long CSV or Parquet), as `allocate --history`.
    #[arg(long, value_name = "FILE")]
    history: PathBuf,
    #[command(flatten)]
    columns: ColumnArgs,
    /// Forecasts in `forecast`'s long layout (of the reps, or of any node).
    #[arg(long, value_name = "FILE")]
    forecasts: Option<PathBuf>,
    /// The plan, `allocate --output` (`node_id,period,target`).
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// The plan's summary, `allocate --summary`.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// A sweep's long table, `sweep --output`.
    #[arg(long, value_name = "FILE")]
    sweep: Option<PathBuf>,
    /// A sweep's summary, `sweep --summary`.
    #[arg(long, value_name = "FILE")]
    sweep_summary: Option<PathBuf>,
    /// A track status, `track --output`.
    #[arg(long, value_name = "FILE")]
    status: Option<PathBuf>,
    /// This year's actuals (long CSV or Parquet), as `track --actuals`.
    #[arg(long, value_name = "FILE")]
    actuals: Option<PathBuf>,
    /// A year-end evaluation, `scorecard --output`.
    #[arg(long, value_name = "FILE")]
    scorecard: Option<PathBuf>,
    /// The org level of the table of targets (0: the company) [default:
    /// the reps, the deepest level].
    #[arg(long, value_name = "N")]
    level: Option<usize>,
    /// The node whose children the charts break down [default: the company].
    #[arg(long, value_name = "ID")]
    node: Option<String>,
    /// The sweep scenario whose probabilities the table shows [default: the
    /// one with the plan's company target].
    #[arg(long, value_name = "NAME")]
    scenario: Option<String>,
    /// Written before every amount, e.g. ¥ or "CNY ".
    #[arg(long, value_name = "TEXT", default_value = "")]
    currency: String,
    /// Rows of the table of targets on the page, at most; the whole table
    /// goes to --table-csv.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    table_rows: u32,
    /// Where the whole table of targets is written as CSV [default: beside
    /// --output, named <output>.table.csv, when the page shows only part].
    #[arg(long, value_name = "FILE")]
    table_csv: Option<PathBuf>,
    /// Months of history drawn before the plan year.
    #[arg(long, value_name = "N", default_value_t = 36)]
    history_months: usize,
    /// The sections to draw (a comma list of forecast, plan, table, sweep,
    /// track) [default: every one the inputs allow].
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    sections: Vec<String>,
    /// The page's title [default: the company's name and the plan year].
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// Where to write the report (HTML).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
}

/// `report.html` → `report.table.csv`, beside it.
fn table_path(output: &Path) -> PathBuf {
    output.with_extension("table.csv")
}

pub fn run(args: ReportArgs) -> anyhow::Result<Status> {
    let default_table = table_path(&args.output);
    let table_csv = args.table_csv.clone().unwrap_or(default_table.clone());
    check_files(
        &[
            ("--org", Some(&args.org)),
            ("--history", Some(&args.history)),
            ("--forecasts", args.forecasts.as_deref()),
            ("--plan", args.plan.as_deref()),
            ("--summary", args.summary.as_deref()),
            ("--sweep", args.sweep.as_deref()),
            ("--sweep-summary", args.sweep_summary.as_deref()),
            ("--status", args.status.as_deref()),
            ("--actuals", args.actuals.as_deref()),
        ],
        &[
            ("--output", Some(&args.output)),
            ("--table-csv", Some(&table_csv)),
        ],
    )?;
    let is_html = args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if !is_html && !salesplan::io::is_standard_stream(&args.output) {
        anyhow::bail!(
            "--output {}: report writes one HTML page; name the file .html",
            args.output.display()
        );
    }
    let files = ReportFiles {
        org: args.org,
        history: args.history,
        columns: args.columns.into_columns(),
        forecasts: args.forecasts,
        plan: args.plan,
        summary: args.summary,
        sweep: args.sweep,
        sweep_summary: args.sweep_summary,
        status: args.status,
        actuals: args.actuals,
        scorecard: args.scorecard,
    };
    let link = table_csv
        .file_name()
        .map(|f| f.to_string_lossy().into_owned());
    let options = ReportOptions {
        title: args.title,
        level: args.level,
        node: args.node,
        scenario: args.scenario,
        currency: args.currency,
        table_rows: args.table_rows as usize,
        table_link: link,
        history_months: args.history_months,
        sections: args.sections,
    };
    let report = build(&files, &options)?;
    let write_table = args.table_csv.is_some() || report.truncated;
    if write_table {
        report.table.write(&table_csv, "period")?;
    }
    write_atomically(&args.output, |w| {
        std::io::Write::write_all(w, report.html.as_bytes()).map_err(|source| {
            salesplan::Error::Io {
                path: args.output.clone(),
                source,
            }
        })
    })?;
    say!(
        "report of {} sections ({}), {} KB",
        report.sections.len(),
        report.sections.join(", "),
        report.html.len().div_ceil(1024)
    );
    for note in &report.notes {
        say!("note: {note}");
    }
    super::note_written(&[
        ("--output", Some(&args.output)),
        ("--table-csv", write_table.then_some(table_csv.as_path())),
    ]);
    Ok(Status::Success)
}
