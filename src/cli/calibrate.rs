//! `salesplan calibrate`: how reliable the attainment probabilities are on
//! the org's own past years.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use salesplan::io::{read_long_csv, write_reliability, Columns};
use salesplan::plan::allocate::Basis;
use salesplan::plan::org::OrgTree;
use salesplan::scenario::attainment::SimulationOptions;
use salesplan::scenario::reliability::{
    reliability, scorable_years, ReliabilityOptions, ReliabilityReport, YearReliability,
};
use salesplan::Series;

use super::{check_files, in_pool, SimulationArgs, Status};

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Org tree: node_id,parent_id[,name][,start_date][,end_date].
    #[arg(long, value_name = "FILE")]
    org: PathBuf,
    /// Monthly sales per leaf: unique_id,ds,y, including the years scored.
    #[arg(long, value_name = "FILE")]
    history: PathBuf,
    /// Past plan years to score, each planned from the years before it
    /// (e.g. 2023,2024,2025).
    #[arg(long, value_name = "LIST", value_delimiter = ',', required = true)]
    years: Vec<i32>,
    /// Company growth rates of the target grid [default: -0.3 to 0.45 in
    /// 16 steps].
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    growth: Vec<f64>,
    /// Allocation bases crossed with the growth rates, separated by ';'
    /// [default: history;forecast;forecast:0.5,history:0.5].
    #[arg(long, value_name = "LIST", value_delimiter = ';')]
    bases: Vec<Basis>,
    #[command(flatten)]
    simulation: SimulationArgs,
    #[command(flatten)]
    memory: super::memory::MemoryArgs,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Reliability table: one row per org level and probability bin.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
}

pub fn run(args: CalibrateArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    check_files(
        &[
            ("--org", Some(&args.org)),
            ("--history", Some(&args.history)),
        ],
        &[("--output", Some(&args.output))],
    )?;
    let tree = salesplan::io::read_org(&args.org)?;
    let history = read_long_csv(&args.history, &Columns::default())?;
    args.simulation
        .check_memory(&args.memory, &tree, args.threads)?;
    let options = ReliabilityOptions::grid(
        args.years.clone(),
        args.growth.clone(),
        args.bases.clone(),
        args.simulation.options(),
    );
    let working = super::spinner(&format!(
        "backtesting {} plan years over {} nodes",
        options.years.len(),
        tree.len()
    ));
    let report = in_pool(args.threads, || reliability(&tree, &history, &options))?
        .with_context(|| args.history.display().to_string())?;
    drop(working);
    write_reliability(&args.output, &report)?;
    for level in &report.levels {
        say!("{}", level_line(level));
    }
    if report.by_year.len() > 1 {
        for year in &report.by_year {
            say!("{}", year_line(year));
        }
    }
    say!(
        "{} plan years scored ({}), {:.1} s",
        report.years.len(),
        year_list(&report.years),
        started.elapsed().as_secs_f64()
    );
    super::note_written(&[("--output", Some(&args.output))]);
    Ok(Status::Success)
}

fn level_line(level: &salesplan::scenario::reliability::LevelReliability) -> String {
    format!(
        "level {} ({} nodes): mid-ECE {:.3} (noise floor {:.3}), Brier {:.4}",
        level.depth, level.nodes, level.mid_ece, level.noise_floor, level.brier
    )
}

/// One plan year alone: how its simulation was calibrated, and each
/// level's mid-ECE against its noise floor.
fn year_line(year: &YearReliability) -> String {
    let calibrated = match year.origins {
        0 => "not calibrated (too little history before it)".to_string(),
        1 => format!(
            "1 backtest origin, too few to correct the level, correlation {:.3}",
            year.correlation
        ),
        n => format!(
            "{n} backtest origins, level ×{:.3} at weight {:.2}, correlation {:.3}",
            year.level, year.level_weight, year.correlation
        ),
    };
    let levels: Vec<String> = year
        .levels
        .iter()
        .map(|l| format!("{} {:.3} ({:.3})", l.depth, l.mid_ece, l.noise_floor))
        .collect();
    format!(
        "  {}, {calibrated}; mid-ECE (noise floor) by level: {}",
        year.year,
        levels.join(", ")
    )
}

/// `--calibration-report` of `sweep` and `track`: scores up to the three
/// plan years before `year` that the history allows, as `calibrate` does
/// with its default grid, writes the report to `path` and prints one line.
pub(super) fn report_before(
    tree: &OrgTree,
    history: &[Series],
    year: i32,
    simulation: SimulationOptions,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let years = scorable_years(history, year, 3);
    if years.is_empty() {
        say!(
            "calibration report: no year before {year} has a year of history before it to be planned from; nothing written"
        );
        return Ok(());
    }
    let options = ReliabilityOptions {
        years,
        simulation,
        ..ReliabilityOptions::default()
    };
    let report: ReliabilityReport =
        reliability(tree, history, &options).context("calibration report")?;
    write_reliability(path, &report)?;
    let levels: Vec<String> = report
        .levels
        .iter()
        .map(|l| {
            format!(
                "level {} mid-ECE {:.3} (floor {:.3})",
                l.depth, l.mid_ece, l.noise_floor
            )
        })
        .collect();
    say!(
        "calibration report for {} (written to {}): {}",
        year_list(&report.years),
        path.display(),
        levels.join("; ")
    );
    Ok(())
}

/// `2023, 2024, 2025`.
fn year_list(years: &[i32]) -> String {
    years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
