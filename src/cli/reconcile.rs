//! `salesplan reconcile`: make forecasts of every node of a hierarchy add up.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use salesplan::io::{read_long_csv, reconciled_table, Columns};
use salesplan::plan::reconcile::Hierarchy;
use salesplan::plan::reconcile_series::{align_to_tree, parse_method, reconcile_periods};

use super::{check_files, Status};

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Hierarchy CSV: node_id,parent_id[,name,...] (the org-tree format of
    /// `salesplan allocate`; the root's parent empty).
    #[arg(long, value_name = "FILE")]
    hierarchy: PathBuf,
    /// Base forecasts for every node: long CSV unique_id,ds,<value column>
    /// (the output of `salesplan forecast` works as it is).
    #[arg(long, value_name = "FILE")]
    forecasts: PathBuf,
    /// Column of the forecasts file holding the values.
    #[arg(long, value_name = "NAME", default_value = "mean")]
    value_col: String,
    /// bottom-up, top-down-fp, top-down-ahp, top-down-pha,
    /// middle-out:<depth>[:fp|ahp|pha], mint-ols, mint-wls-struct,
    /// mint-wls-var, mint-shrink.
    #[arg(long, value_name = "METHOD")]
    method: String,
    /// In-sample residuals of every node (long CSV unique_id,ds,y), for
    /// mint-wls-var and mint-shrink.
    #[arg(long, value_name = "FILE")]
    residuals: Option<PathBuf>,
    /// History of every node (long CSV unique_id,ds,y), for the historical
    /// top-down splits.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Keep reconciled leaf forecasts non-negative.
    #[arg(long)]
    nonnegative: bool,
    /// Where to write the reconciled forecasts (unique_id,ds,mean).
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
}

pub fn run(args: ReconcileArgs) -> anyhow::Result<Status> {
    let started = Instant::now();
    check_files(
        &[
            ("--hierarchy", Some(&args.hierarchy)),
            ("--forecasts", Some(&args.forecasts)),
            ("--residuals", args.residuals.as_deref()),
            ("--history", args.history.as_deref()),
        ],
        &[("--output", Some(&args.output))],
    )?;
    let tree = salesplan::io::read_org(&args.hierarchy)?;
    let h = Hierarchy::from_tree(&tree);
    let columns = Columns {
        value: args.value_col.clone(),
        ..Columns::default()
    };
    let forecasts = align_to_tree(
        read_long_csv(&args.forecasts, &columns)?,
        &tree,
        "forecasts",
        &args.forecasts,
    )?;
    let read_aligned = |path: &Option<PathBuf>, what: &str| -> salesplan::Result<Vec<Vec<f64>>> {
        let path = path
            .as_ref()
            .ok_or_else(|| salesplan::Error::InvalidParameter {
                name: "method",
                reason: format!("--method {} needs --{what}", args.method),
            })?;
        let series = align_to_tree(read_long_csv(path, &Columns::default())?, &tree, what, path)?;
        Ok(series.into_iter().map(|s| s.values().to_vec()).collect())
    };
    let (method, history) = parse_method(
        &args.method,
        || read_aligned(&args.history, "history"),
        || read_aligned(&args.residuals, "residuals"),
    )?;
    let (n, steps) = (tree.len(), forecasts[0].len());
    let compute_started = Instant::now();
    let reconciled = reconcile_periods(
        &h,
        &forecasts,
        &method,
        history.as_deref(),
        args.nonnegative,
        &args.forecasts,
    )?;
    let compute_seconds = compute_started.elapsed().as_secs_f64();
    reconciled_table(&tree, &forecasts, &reconciled).write(&args.output, "ds")?;
    say!(
        "{n} nodes ({} leaves), {steps} periods reconciled by {} in {:.3} s (reconciliation {:.6} s, the rest reading and writing)",
        h.leaves().len(),
        args.method,
        started.elapsed().as_secs_f64(),
        compute_seconds
    );
    super::note_written(&[("--output", Some(&args.output))]);
    Ok(Status::Success)
}
