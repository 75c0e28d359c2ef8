//! The leaves' monthly sales, matched to the org tree, and what planning
//! derives from them: each node's seasonal profile over the plan year and
//! the forecast basis (each leaf's forecast of the plan year).
//!
//! ```
//! use salesplan::plan::org::OrgTree;
//! use salesplan::plan::sales::{history_profiles, leaf_nodes};
//! use salesplan::io::{read_long_csv_from, Columns};
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\n王芳,co\n".as_bytes(), "org.csv".as_ref())?;
//! // three years of monthly sales; December sells twice what the other months do
//! let mut csv = String::from("unique_id,ds,y\n");
//! for k in 0..36 {
//!     let y = if k % 12 == 11 { 200 } else { 100 };
//!     csv.push_str(&format!("王芳,{}-{:02},{y}\n", 2023 + k / 12, k % 12 + 1));
//! }
//! let history = read_long_csv_from(csv.as_bytes(), "sales.csv".as_ref(), &Columns::default())?;
//! let nodes = leaf_nodes(&tree, &history)?;
//! let profiles = history_profiles(&tree, &history, &nodes, 2026)?;
//! let shares = profiles[nodes[0]].shares();
//! assert!((shares[11] / shares[0] - 2.0).abs() < 1e-9);
//! # Ok::<(), salesplan::Error>(())
//! ```

use chrono::Datelike;

use crate::error::{Error, Result};
use crate::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
use crate::forecast::frequency::Frequency;
use crate::forecast::series::{Series, TimeIndex};
use crate::plan::org::OrgTree;
use crate::plan::phasing::profile::{resolve_profiles, MonthProfile};

/// The leaf each history series belongs to (`unique_id` = the leaf's node
/// id), in the order of `history`. Fails, naming the series, on a series
/// that is not a node, not a leaf (history belongs to leaves; inner nodes
/// are summed), not monthly, or appears twice.
pub fn leaf_nodes(tree: &OrgTree, history: &[Series]) -> Result<Vec<usize>> {
    let mut seen = vec![false; tree.len()];
    history
        .iter()
        .map(|s| {
            let problem = |reason: &str| Error::Calendar {
                series: s.id().to_string(),
                reason: reason.to_string(),
            };
            let node = tree
                .index_of(s.id())
                .ok_or_else(|| problem("not a node of the org tree"))?;
            if !tree.is_leaf(node) {
                return Err(problem(
                    "not a leaf of the org tree (history belongs to leaves; inner nodes are summed)",
                ));
            }
            if s.frequency() != Some(Frequency::Monthly) {
                return Err(problem(
                    "not monthly (dates YYYY-MM or YYYY-MM-DD, one a month)",
                ));
            }
            if std::mem::replace(&mut seen[node], true) {
                return Err(problem("appears twice in the history"));
            }
            Ok(node)
        })
        .collect()
}

/// Each node's seasonal profile from the three years before `year` (its
/// leaves' monthly sales summed), shrunk 10% towards its parent's; nodes
/// with less than a year of sales take their parent's profile, the root a
/// flat one. `nodes[k]` is the leaf of `series[k]` ([`leaf_nodes`]).
pub fn history_profiles(
    tree: &OrgTree,
    series: &[Series],
    nodes: &[usize],
    year: i32,
) -> Result<Vec<MonthProfile>> {
    const YEARS: usize = 3;
    let n = tree.len();
    let first_year = year - YEARS as i32;
    let mut months = vec![vec![0.0; 12 * YEARS]; n];
    for (s, &node) in series.iter().zip(nodes) {
        for (d, v) in s.dates().iter().zip(s.values()) {
            let k = (d.year() - first_year) * 12 + d.month0() as i32;
            if (0..(12 * YEARS) as i32).contains(&k) {
                months[node][k as usize] += v;
            }
        }
    }
    // inner nodes: sums of their children, deepest level first
    for level in (0..tree.depth()).rev() {
        for p in tree.level(level) {
            for c in tree.children(p) {
                let (head, tail) = months.split_at_mut(c);
                for (a, b) in head[p].iter_mut().zip(&tail[0]) {
                    *a += b;
                }
            }
        }
    }
    // a node's own profile needs a year of sales counted from its first
    // sale (a rep hired in October has none yet); the months before it are
    // not "no sales", they are before the node existed
    let own: Vec<Option<MonthProfile>> = (0..n)
        .map(|i| {
            let first = months[i].iter().position(|v| *v != 0.0)?;
            MonthProfile::from_history((first % 12) as u32 + 1, &months[i][first..], YEARS)
        })
        .collect();
    let parents: Vec<Option<usize>> = (0..n).map(|i| tree.parent(i)).collect();
    let resolved = resolve_profiles(&parents, &own)?;
    // shrink own profiles a little towards the parent's, so that a month in
    // which a small account happened never to sell is not a structural zero
    // of the plan (tree order: parents are final before their children)
    const OWN_WEIGHT: f64 = 0.9;
    let mut out = resolved.clone();
    for i in 0..n {
        if let (Some(p), Some(mine)) = (parents[i], own[i]) {
            let parent = out[p];
            let mut w = [0.0; 12];
            for (m, x) in w.iter_mut().enumerate() {
                *x = OWN_WEIGHT * mine.shares()[m] + (1.0 - OWN_WEIGHT) * parent.shares()[m];
            }
            out[i] = MonthProfile::new(w)?;
        }
    }
    Ok(out)
}

/// The forecast basis: AutoETS (season 12) fitted to each leaf's history
/// before `year` (series in parallel on the current rayon pool), summed
/// over the 12 months of `year` (negative months count as 0); 0 for nodes
/// without history. `nodes[k]` is the leaf of `series[k]`; the result has
/// `n` entries. Fails, naming the series, when one cannot be forecast.
pub fn forecast_year(series: &[Series], nodes: &[usize], n: usize, year: i32) -> Result<Vec<f64>> {
    let mut cut = Vec::new();
    let mut offsets = Vec::new();
    let mut owners = Vec::new();
    for (s, &node) in series.iter().zip(nodes) {
        let d = s.dates();
        let keep = d.iter().take_while(|d| d.year() < year).count();
        let (Some(last), TimeIndex::Dated(_)) = (keep.checked_sub(1).map(|k| d[k]), s.index())
        else {
            continue;
        };
        // months from the last kept observation to January of `year`
        let gap = (year as i64 * 12) - (last.year() as i64 * 12 + last.month() as i64 - 1) - 1;
        let values = s.values()[..keep].to_vec();
        cut.push(Series::with_index(s.id(), values, s.index().clone())?);
        offsets.push(gap as usize);
        owners.push(node);
    }
    let horizon = offsets.iter().max().copied().unwrap_or(0) + 12;
    let job = ForecastJob::new(ModelChoice::AutoEts, horizon, Vec::new(), Some(12))?;
    let outcomes = forecast_batch(&cut, &job, &|| {});
    let mut out = vec![0.0; n];
    for ((outcome, &gap), &node) in outcomes.iter().zip(&offsets).zip(&owners) {
        match outcome {
            Ok(f) => {
                out[node] = f.forecast.mean[gap..gap + 12]
                    .iter()
                    .map(|v| v.max(0.0))
                    .sum()
            }
            Err(e) => {
                return Err(Error::NoModel {
                    series: e.id.clone(),
                    reason: format!("cannot forecast it for the forecast basis: {}", e.reason()),
                })
            }
        }
    }
    Ok(out)
}
