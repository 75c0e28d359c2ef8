//! Reconciling base forecasts given as series, one per node of the tree,
//! as `salesplan reconcile` and the Python package do: the method by its
//! name (reading the history or residuals it needs only then), the series
//! matched to the nodes, every period reconciled.
//!
//! ```
//! use salesplan::plan::org::OrgTree;
//! use salesplan::plan::reconcile::Hierarchy;
//! use salesplan::plan::reconcile_series::{align_to_tree, parse_method, reconcile_periods};
//! use salesplan::Series;
//! let tree = OrgTree::read_from("node_id,parent_id\nall,\na,all\nb,all\n".as_bytes(), "org.csv".as_ref())?;
//! let base = vec![
//!     Series::new("b", vec![50.0, 60.0])?,
//!     Series::new("all", vec![100.0, 100.0])?,
//!     Series::new("a", vec![40.0, 40.0])?,
//! ];
//! let base = align_to_tree(base, &tree, "forecasts", "fc.csv".as_ref())?;
//! let none = || unreachable!("bottom-up needs no history");
//! let (method, history) = parse_method("bottom-up", none, none)?;
//! let r = reconcile_periods(&Hierarchy::from_tree(&tree), &base, &method, history.as_deref(), false, "fc.csv".as_ref())?;
//! assert_eq!(r, [[90.0, 40.0, 50.0], [100.0, 40.0, 60.0]]);
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::forecast::series::Series;
use crate::plan::org::OrgTree;
use crate::plan::reconcile::{
    reconcile, Hierarchy, Method, MinTWeights, ShrinkProjection, TopDown,
};

/// The names `method` takes.
pub const METHODS: &str = "bottom-up, top-down-fp, top-down-ahp, top-down-pha, middle-out:<depth>[:fp|ahp|pha], mint-ols, mint-wls-struct, mint-wls-var, mint-shrink";

fn split(name: &str) -> Result<TopDown> {
    Ok(match name {
        "fp" => TopDown::ForecastProportions,
        "ahp" => TopDown::AverageHistoricalProportions,
        "pha" => TopDown::ProportionsOfHistoricalAverages,
        _ => {
            return Err(Error::InvalidParameter {
                name: "top-down split",
                reason: format!("unknown '{name}' (fp, ahp or pha)"),
            })
        }
    })
}

/// The method named `name` (one of [`METHODS`]) and, for the historical
/// top-down splits, the history: `history` and `residuals` give each
/// node's values (in node order) and are called only by the methods that
/// need them. MinT-WLS-variance weighs each node by its mean squared
/// residual (plus 2e-8), as hierarchicalforecast's `wls_var`.
pub fn parse_method(
    name: &str,
    history: impl FnOnce() -> Result<Vec<Vec<f64>>>,
    residuals: impl FnOnce() -> Result<Vec<Vec<f64>>>,
) -> Result<(Method, Option<Vec<Vec<f64>>>)> {
    let parts: Vec<&str> = name.split(':').collect();
    Ok(match parts.as_slice() {
        ["bottom-up"] => (Method::BottomUp, None),
        ["top-down-fp"] => (Method::TopDown(TopDown::ForecastProportions), None),
        [m @ ("top-down-ahp" | "top-down-pha")] => (
            Method::TopDown(split(&m["top-down-".len()..])?),
            Some(history()?),
        ),
        ["middle-out", level, rest @ ..] => {
            let level: usize = level.parse().map_err(|_| Error::InvalidParameter {
                name: "middle-out depth",
                reason: format!("'{level}' is not a whole number"),
            })?;
            let s = split(rest.first().copied().unwrap_or("fp"))?;
            let history = (s != TopDown::ForecastProportions)
                .then(history)
                .transpose()?;
            (Method::MiddleOut { level, split: s }, history)
        }
        ["mint-ols"] => (Method::MinT(MinTWeights::Ols), None),
        ["mint-wls-struct"] => (Method::MinT(MinTWeights::WlsStructural), None),
        ["mint-wls-var"] => {
            let var = residuals()?
                .iter()
                .map(|r| r.iter().map(|x| x * x).sum::<f64>() / r.len() as f64 + 2e-8)
                .collect();
            (Method::MinT(MinTWeights::WlsVariance(var)), None)
        }
        ["mint-shrink"] => (Method::MinT(MinTWeights::Shrink(residuals()?)), None),
        _ => {
            return Err(Error::InvalidParameter {
                name: "method",
                reason: format!("unknown '{name}' (one of {METHODS})"),
            })
        }
    })
}

/// The series of `what` (forecasts, history, residuals; read from
/// `source`) in node order, one per node of `tree`: a node without one, or
/// a series that is no node, is an error naming `source`.
pub fn align_to_tree(
    series: Vec<Series>,
    tree: &OrgTree,
    what: &str,
    source: &Path,
) -> Result<Vec<Series>> {
    let file_error = |reason: String| Error::File {
        path: source.to_path_buf(),
        reason,
    };
    let mut map: HashMap<String, Series> = series
        .into_iter()
        .map(|s| (s.id().to_string(), s))
        .collect();
    let mut out = Vec::with_capacity(tree.len());
    let mut missing = Vec::new();
    for v in 0..tree.len() {
        match map.remove(tree.id(v)) {
            Some(s) => out.push(s),
            None => missing.push(tree.id(v)),
        }
    }
    if !missing.is_empty() {
        return Err(file_error(format!(
            "no {what} for {} node(s) of the hierarchy: {}",
            missing.len(),
            missing[..missing.len().min(5)].join(", ")
        )));
    }
    if let Some(extra) = map.keys().min() {
        return Err(file_error(format!(
            "series '{extra}' is not a node of the hierarchy"
        )));
    }
    Ok(out)
}

/// Reconciles every period of the node-aligned base `forecasts` (read from
/// `source`, which errors name; they must cover the same periods):
/// `result[k][v]` is node `v`'s reconciled forecast for period `k`.
/// MinT-shrink's covariance is estimated and factored once for all periods.
pub fn reconcile_periods(
    h: &Hierarchy,
    forecasts: &[Series],
    method: &Method,
    history: Option<&[Vec<f64>]>,
    nonnegative: bool,
    source: &Path,
) -> Result<Vec<Vec<f64>>> {
    let file_error = |reason: String| Error::File {
        path: source.to_path_buf(),
        reason,
    };
    let Some(first) = forecasts.first() else {
        return Err(file_error("no forecasts".into()));
    };
    let steps = first.len();
    if let Some(s) = forecasts
        .iter()
        .find(|s| s.len() != steps || s.label(0) != first.label(0))
    {
        return Err(file_error(format!(
            "every node needs forecasts for the same periods ('{}' has {} from {}, '{}' {} from {})",
            s.id(),
            s.len(),
            s.label(0),
            first.id(),
            steps,
            first.label(0)
        )));
    }
    let shrink = match method {
        Method::MinT(MinTWeights::Shrink(residuals)) => Some(ShrinkProjection::new(h, residuals)?),
        _ => None,
    };
    let mut base = vec![0.0; forecasts.len()];
    let mut reconciled = Vec::with_capacity(steps);
    for k in 0..steps {
        for (v, s) in forecasts.iter().enumerate() {
            base[v] = s.values()[k];
        }
        let r = match &shrink {
            Some(projection) => projection.reconcile(h, &base, nonnegative),
            None => reconcile(h, &base, method, history, nonnegative),
        }
        .map_err(|e| file_error(format!("reconciling period {}: {e}", first.label(k))))?;
        reconciled.push(r);
    }
    Ok(reconciled)
}
