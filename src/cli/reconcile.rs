//! `salesplan reconcile`: make forecasts of every node of a hierarchy add up.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use salesplan::io::{read_long_csv, write_atomically, Columns};
use salesplan::plan::reconcile::{
    reconcile, Hierarchy, Method, MinTWeights, ShrinkProjection, TopDown,
};
use salesplan::Series;

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

fn split(name: &str) -> anyhow::Result<TopDown> {
    Ok(match name {
        "fp" => TopDown::ForecastProportions,
        "ahp" => TopDown::AverageHistoricalProportions,
        "pha" => TopDown::ProportionsOfHistoricalAverages,
        _ => bail!("unknown top-down split '{name}' (fp, ahp or pha)"),
    })
}

/// Values of a node-aligned file: one series per hierarchy node, in node order.
fn by_node(
    series: Vec<Series>,
    ids: &[String],
    what: &str,
    file: &std::path::Path,
) -> anyhow::Result<Vec<Series>> {
    let mut map: HashMap<String, Series> = series
        .into_iter()
        .map(|s| (s.id().to_string(), s))
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    let mut missing = Vec::new();
    for id in ids {
        match map.remove(id) {
            Some(s) => out.push(s),
            None => missing.push(id.as_str()),
        }
    }
    if !missing.is_empty() {
        bail!(
            "{}: no {what} for {} node(s) of the hierarchy: {}",
            file.display(),
            missing.len(),
            missing
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(extra) = map.keys().min() {
        bail!(
            "{}: series '{extra}' is not a node of the hierarchy",
            file.display()
        );
    }
    Ok(out)
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
    let ids: Vec<String> = (0..tree.len()).map(|v| tree.id(v).to_string()).collect();
    let columns = Columns {
        value: args.value_col.clone(),
        ..Columns::default()
    };
    let forecasts = by_node(
        read_long_csv(&args.forecasts, &columns)?,
        &ids,
        "forecasts",
        &args.forecasts,
    )?;
    let steps = forecasts[0].len();
    if let Some(s) = forecasts
        .iter()
        .find(|s| s.len() != steps || s.label(0) != forecasts[0].label(0))
    {
        bail!(
            "{}: every node needs forecasts for the same periods ('{}' has {} from {}, '{}' {} from {})",
            args.forecasts.display(),
            s.id(),
            s.len(),
            s.label(0),
            forecasts[0].id(),
            steps,
            forecasts[0].label(0)
        );
    }
    let read_aligned = |path: &Option<PathBuf>, what: &str| -> anyhow::Result<Vec<Vec<f64>>> {
        let path = path
            .as_ref()
            .with_context(|| format!("--method {} needs --{what}", args.method))?;
        let series = by_node(read_long_csv(path, &Columns::default())?, &ids, what, path)?;
        Ok(series.into_iter().map(|s| s.values().to_vec()).collect())
    };
    let parts: Vec<&str> = args.method.split(':').collect();
    let mut history = None;
    let method = match parts.as_slice() {
        ["bottom-up"] => Method::BottomUp,
        ["top-down-fp"] => Method::TopDown(TopDown::ForecastProportions),
        [m @ ("top-down-ahp" | "top-down-pha")] => {
            history = Some(read_aligned(&args.history, "history")?);
            Method::TopDown(split(&m["top-down-".len()..])?)
        }
        ["middle-out", level, rest @ ..] => {
            let level: usize = level
                .parse()
                .with_context(|| format!("middle-out depth '{level}' is not a whole number"))?;
            let s = split(rest.first().copied().unwrap_or("fp"))?;
            if s != TopDown::ForecastProportions {
                history = Some(read_aligned(&args.history, "history")?);
            }
            Method::MiddleOut { level, split: s }
        }
        ["mint-ols"] => Method::MinT(MinTWeights::Ols),
        ["mint-wls-struct"] => Method::MinT(MinTWeights::WlsStructural),
        ["mint-wls-var"] => {
            // mean squared residual per node, as hierarchicalforecast's wls_var
            let res = read_aligned(&args.residuals, "residuals")?;
            let var = res
                .iter()
                .map(|r| r.iter().map(|x| x * x).sum::<f64>() / r.len() as f64 + 2e-8)
                .collect();
            Method::MinT(MinTWeights::WlsVariance(var))
        }
        ["mint-shrink"] => Method::MinT(MinTWeights::Shrink(read_aligned(
            &args.residuals,
            "residuals",
        )?)),
        _ => bail!("unknown --method '{}' (see --help)", args.method),
    };
    let n = ids.len();
    let compute_started = Instant::now();
    // reconciled[k][v]: one coherent vector per period
    let mut reconciled = Vec::with_capacity(steps);
    let mut base = vec![0.0; n];
    // MinT-shrink: the covariance estimated and factored once for every period
    let shrink = match &method {
        Method::MinT(MinTWeights::Shrink(residuals)) => Some(ShrinkProjection::new(&h, residuals)?),
        _ => None,
    };
    for k in 0..steps {
        for (v, s) in forecasts.iter().enumerate() {
            base[v] = s.values()[k];
        }
        let r = match &shrink {
            Some(projection) => projection.reconcile(&h, &base, args.nonnegative),
            None => reconcile(&h, &base, &method, history.as_deref(), args.nonnegative),
        }
        .with_context(|| format!("reconciling period {}", forecasts[0].label(k)))?;
        reconciled.push(r);
    }
    let compute_seconds = compute_started.elapsed().as_secs_f64();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| ids[a].as_bytes().cmp(ids[b].as_bytes()));
    write_atomically(&args.output, |out| {
        let mut w = csv::Writer::from_writer(out);
        let csv_error = |e: csv::Error| salesplan::Error::File {
            path: args.output.clone(),
            reason: e.to_string(),
        };
        w.write_record(["unique_id", "ds", "mean"])
            .map_err(csv_error)?;
        for &v in &order {
            for (k, r) in reconciled.iter().enumerate() {
                w.write_record([
                    ids[v].as_str(),
                    &forecasts[v].label(k),
                    &salesplan::io::format_amount(r[v], None),
                ])
                .map_err(csv_error)?;
            }
        }
        w.flush().map_err(|e| salesplan::Error::Io {
            path: args.output.clone(),
            source: e,
        })
    })?;
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
