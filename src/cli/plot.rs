//! `salesplan plot`: fan charts of forecasts (history, mean, one band per
//! level) as one SVG, a grid of the chosen series.

use std::path::PathBuf;

use clap::Args;
use salesplan::io::{read_forecasts, read_long_csv, write_atomically};
use salesplan::report::fan::{fan_chart_svg, FanChart};

use super::{check_files, ColumnArgs, Status};

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Forecasts in the long layout `forecast` writes
    /// (`unique_id,ds,model,mean,lo-<level>,hi-<level>,...`).
    #[arg(long, value_name = "FILE")]
    forecasts: PathBuf,
    /// The series' history (long CSV or Parquet, as `forecast --input`),
    /// drawn before each forecast.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    #[command(flatten)]
    columns: ColumnArgs,
    /// The series to draw, in this order (a comma list) [default: the
    /// first --first of the forecast file].
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    series: Vec<String>,
    /// How many series to draw when --series is not given.
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..))]
    first: u32,
    /// Panels per row.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    per_row: u32,
    /// History periods drawn before the forecast, at most [default: all].
    #[arg(long, value_name = "N")]
    history_periods: Option<usize>,
    /// Where to write the chart (SVG).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
}

pub fn run(args: PlotArgs) -> anyhow::Result<Status> {
    check_files(
        &[
            ("--forecasts", Some(&args.forecasts)),
            ("--history", args.history.as_deref()),
        ],
        &[("--output", Some(&args.output))],
    )?;
    let is_svg = args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if !is_svg && !salesplan::io::is_standard_stream(&args.output) {
        anyhow::bail!(
            "--output {}: plot writes SVG; name the file .svg (a browser or `rsvg-convert -f png` turns it into a picture)",
            args.output.display()
        );
    }
    let forecasts = read_forecasts(&args.forecasts)?;
    let chosen: Vec<_> = if args.series.is_empty() {
        forecasts.iter().take(args.first as usize).collect()
    } else {
        args.series
            .iter()
            .map(|id| {
                forecasts.iter().find(|f| &f.id == id).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--series '{id}': not in {} ({} series there)",
                        args.forecasts.display(),
                        forecasts.len()
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?
    };
    let history = match &args.history {
        Some(path) => read_long_csv(path, &args.columns.clone().into_columns())?,
        None => Vec::new(),
    };
    let mut missing = Vec::new();
    let charts: Vec<FanChart> = chosen
        .iter()
        .map(|f| {
            let past = match history.binary_search_by(|s| s.id().cmp(&f.id)) {
                Ok(k) => {
                    let s = &history[k];
                    let from = args
                        .history_periods
                        .map_or(0, |n| s.len().saturating_sub(n));
                    (from..s.len())
                        .map(|t| (s.label(t), s.values()[t]))
                        .collect()
                }
                Err(_) => {
                    if args.history.is_some() {
                        missing.push(f.id.clone());
                    }
                    Vec::new()
                }
            };
            let levels: Vec<String> = f
                .forecast
                .intervals
                .iter()
                .map(|i| format!("{}%", salesplan::io::format_level(i.level)))
                .collect();
            let title = match (f.model.is_empty(), levels.is_empty()) {
                (true, true) => f.id.clone(),
                (false, true) => format!("{} · {}", f.id, f.model),
                (true, false) => format!("{} · {}", f.id, levels.join(", ")),
                (false, false) => format!("{} · {} · {}", f.id, f.model, levels.join(", ")),
            };
            FanChart {
                title,
                history: past,
                labels: f.labels.clone(),
                forecast: f.forecast.clone(),
            }
        })
        .collect();
    let svg = fan_chart_svg(&charts, args.per_row as usize)?;
    write_atomically(&args.output, |w| {
        std::io::Write::write_all(w, svg.as_bytes()).map_err(|source| salesplan::Error::Io {
            path: args.output.clone(),
            source,
        })
    })?;
    say!("{} series drawn", charts.len());
    if !missing.is_empty() {
        say!(
            "note: {} series have no history in {} ({}): their forecasts are drawn alone",
            missing.len(),
            args.history
                .as_deref()
                .map_or(String::new(), |p| p.display().to_string()),
            missing
                .iter()
                .take(5)
                .map(|m| format!("'{m}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    super::note_written(&[("--output", Some(&args.output))]);
    Ok(Status::Success)
}
