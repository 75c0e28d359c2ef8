//! `salesplan plot`: fan charts of forecasts (history, mean, one band per
//! level) as one SVG or PNG, a grid of the chosen series.

use std::path::PathBuf;

use clap::Args;
use salesplan::io::{read_forecasts, read_long_csv, write_atomically};
use salesplan::report::fan::{fan_chart_svg, fan_charts, FanChoice};

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
    /// Where to write the chart: SVG, or a PNG picture when it ends in .png
    /// (text in the system's fonts).
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
    let extension = |e: &str| {
        args.output
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case(e))
    };
    let png = extension("png");
    if !extension("svg") && !png && !salesplan::io::is_standard_stream(&args.output) {
        anyhow::bail!(
            "--output {}: plot writes SVG or PNG; name the file .svg or .png",
            args.output.display()
        );
    }
    let forecasts = read_forecasts(&args.forecasts)?;
    let history = match &args.history {
        Some(path) => read_long_csv(path, &args.columns.clone().into_columns())?,
        None => Vec::new(),
    };
    let choice = FanChoice {
        series: args.series.clone(),
        first: args.first as usize,
        history_periods: args.history_periods,
    };
    let (charts, missing) = fan_charts(&forecasts, &history, &choice).map_err(|e| match e {
        salesplan::Error::InvalidParameter { reason, .. } => {
            anyhow::anyhow!("--series {reason} in {}", args.forecasts.display())
        }
        other => other.into(),
    })?;
    let svg = fan_chart_svg(&charts, args.per_row as usize)?;
    let bytes = if png {
        salesplan::report::raster::png_of_svg(&svg)?
    } else {
        svg.into_bytes()
    };
    write_atomically(&args.output, |w| {
        std::io::Write::write_all(w, &bytes).map_err(|source| salesplan::Error::Io {
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
