//! Forecast reconciliation on a tree: make forecasts of every node add up.
//!
//! Methods (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*,
//! 3rd ed., ch. 11; Wickramasuriya, Athanasopoulos & Hyndman, "Optimal
//! forecast reconciliation…", JASA 2019):
//! - bottom-up: leaves' forecasts summed upwards;
//! - top-down by average historical proportions, proportions of historical
//!   averages, or forecast proportions;
//! - middle-out from one level;
//! - MinT with a diagonal error covariance W: OLS (W = I), WLS structural
//!   (W = number of leaves below each node), WLS variance (W = in-sample
//!   residual variances), and MinT-shrink (the full shrunk covariance of
//!   Schäfer & Strimmer 2005: dense, for trees up to 2,000 nodes), solved
//!   in the projection form ŷ − WCᵀ(CWCᵀ)⁻¹Cŷ with one row of C per parent
//!   ([`ShrinkProjection`]: estimated and factored once, then O(n·parents)
//!   per step; 27 ms for 1,001 nodes and 3 steps where the inverse of W
//!   took 9.8 s).
//!
//! MinT with diagonal W is solved exactly in O(n) without a summing matrix:
//! it is the least-squares problem min Σ_v (ŷ_v − t_v)²/w_v over coherent
//! totals t, and on a tree the optimal cost of a subtree is a quadratic
//! a_v (t − m_v)² + c in its total. A bottom-up pass computes (a_v, m_v)
//! (children combine as 1/A = Σ 1/a_c, M = Σ m_c; then a_v = A + 1/w_v,
//! m_v = (A·M + ŷ_v/w_v)/a_v); a top-down pass splits each total among the
//! children in proportion to 1/a_c around their optima. This equals the
//! textbook S(SᵀW⁻¹S)⁻¹SᵀW⁻¹ŷ (checked against the dense formula in tests
//! and against Nixtla's hierarchicalforecast by `scripts/reconcile_compare.py`).

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::plan::org::OrgTree;

/// What reconciliation needs to know about an [`OrgTree`]: children lists,
/// a top-down order, leaves, leaf counts and depths, computed once.
///
/// ```
/// use salesplan::plan::org::OrgTree;
/// use salesplan::plan::reconcile::Hierarchy;
/// let csv = "node_id,parent_id\nco,\neast,co\nwest,co\nzhang,east\nli,east\nwang,west\n";
/// let tree = OrgTree::read_from(csv.as_bytes(), "org.csv".as_ref()).unwrap();
/// let h = Hierarchy::from_tree(&tree);
/// assert_eq!(h.leaves().len(), 3);
/// assert_eq!(h.leaf_count(tree.index_of("east").unwrap()), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hierarchy {
    parent: Vec<Option<usize>>,
    /// Children of node v: `child_list[child_start[v]..child_start[v + 1]]`.
    child_start: Vec<usize>,
    child_list: Vec<usize>,
    /// Parents before children (breadth-first from the root).
    order: Vec<usize>,
    depth: Vec<usize>,
    leaves: Vec<usize>,
    leaf_count: Vec<usize>,
    root: usize,
}

impl Hierarchy {
    /// The reconciliation view of a validated org tree (node `i` of the
    /// hierarchy is node `i` of the tree).
    pub fn from_tree(tree: &OrgTree) -> Hierarchy {
        let parents: Vec<Option<usize>> = (0..tree.len()).map(|v| tree.parent(v)).collect();
        // an OrgTree is already validated: one root, no cycles
        match Hierarchy::from_parents(&parents) {
            Ok(h) => h,
            Err(e) => unreachable!("a validated OrgTree is a tree: {e}"),
        }
    }

    /// Builds the view from parent indices (checked: one root, indices in
    /// range, no cycle).
    pub(crate) fn from_parents(parent: &[Option<usize>]) -> Result<Hierarchy> {
        let n = parent.len();
        let invalid = |reason: String| Error::InvalidParameter {
            name: "hierarchy",
            reason,
        };
        let roots: Vec<usize> = (0..n).filter(|&v| parent[v].is_none()).collect();
        if roots.len() != 1 {
            return Err(invalid(format!(
                "need exactly one root (a node without parent), found {}",
                roots.len()
            )));
        }
        if let Some(v) = (0..n).find(|&v| parent[v].is_some_and(|p| p >= n || p == v)) {
            return Err(invalid(format!(
                "node {v} has an invalid parent {:?}",
                parent[v]
            )));
        }
        let mut count = vec![0usize; n + 1];
        for p in parent.iter().flatten() {
            count[*p + 1] += 1;
        }
        for v in 0..n {
            count[v + 1] += count[v];
        }
        let child_start = count.clone();
        let mut fill = count;
        let mut child_list = vec![0; n.saturating_sub(1)];
        for (v, p) in parent.iter().enumerate() {
            if let Some(p) = p {
                child_list[fill[*p]] = v;
                fill[*p] += 1;
            }
        }
        let root = roots[0];
        let mut order = Vec::with_capacity(n);
        let mut depth = vec![0; n];
        order.push(root);
        let mut i = 0;
        while i < order.len() {
            let v = order[i];
            for &c in &child_list[child_start[v]..child_start[v + 1]] {
                depth[c] = depth[v] + 1;
                order.push(c);
            }
            i += 1;
        }
        if order.len() != n {
            let mut seen = vec![false; n];
            order.iter().for_each(|&v| seen[v] = true);
            let v = (0..n).find(|&v| !seen[v]).unwrap_or(0);
            return Err(invalid(format!(
                "node {v} is on a cycle (not reachable from the root)"
            )));
        }
        let mut leaf_count = vec![0usize; n];
        for &v in order.iter().rev() {
            if child_start[v] == child_start[v + 1] {
                leaf_count[v] = 1;
            }
            if let Some(p) = parent[v] {
                leaf_count[p] += leaf_count[v];
            }
        }
        let mut leaves: Vec<usize> = (0..n)
            .filter(|&v| child_start[v] == child_start[v + 1])
            .collect();
        leaves.sort_unstable();
        Ok(Hierarchy {
            parent: parent.to_vec(),
            child_start,
            child_list,
            order,
            depth,
            leaves,
            leaf_count,
            root,
        })
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    pub fn root(&self) -> usize {
        self.root
    }

    pub fn parent(&self, v: usize) -> Option<usize> {
        self.parent[v]
    }

    pub fn children(&self, v: usize) -> &[usize] {
        &self.child_list[self.child_start[v]..self.child_start[v + 1]]
    }

    /// Leaves in increasing index order.
    pub fn leaves(&self) -> &[usize] {
        &self.leaves
    }

    /// Number of leaves in the subtree of `v` (1 for a leaf).
    pub fn leaf_count(&self, v: usize) -> usize {
        self.leaf_count[v]
    }

    /// Distance from the root (root = 0).
    pub fn depth(&self, v: usize) -> usize {
        self.depth[v]
    }

    /// Nodes with parents before children.
    pub fn top_down_order(&self) -> &[usize] {
        &self.order
    }

    /// Sums leaf values up the tree: the coherent totals of every node.
    pub fn aggregate(&self, leaf_values: &[f64]) -> Vec<f64> {
        let mut t = vec![0.0; self.len()];
        for (&l, &x) in self.leaves.iter().zip(leaf_values) {
            t[l] = x;
        }
        self.sum_up(&mut t);
        t
    }

    /// Replaces each internal node's value by the sum of its children's, deepest first.
    fn sum_up(&self, t: &mut [f64]) {
        for &v in self.order.iter().rev() {
            let ch = self.children(v);
            if !ch.is_empty() {
                t[v] = ch.iter().map(|&c| t[c]).sum();
            }
        }
    }
}

/// How top-down methods split a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TopDown {
    /// Leaf share = mean over time of leaf / root (Gross & Sohl 1990, method A).
    AverageHistoricalProportions,
    /// Leaf share = mean of leaf / mean of root (method F).
    ProportionsOfHistoricalAverages,
    /// Each child's share of its parent from the base forecasts, level by level.
    ForecastProportions,
}

/// The error covariance MinT uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MinTWeights {
    /// W = I.
    Ols,
    /// W = diag(number of leaves below each node).
    WlsStructural,
    /// W = diag(in-sample residual variance of each node), given per node.
    WlsVariance(Vec<f64>),
    /// The shrunk sample covariance of in-sample residuals (one Vec per
    /// node, all the same length): dense, for trees of at most
    /// [`MINT_SHRINK_MAX_NODES`] nodes.
    Shrink(Vec<Vec<f64>>),
}

/// Largest tree MinT-shrink accepts (its covariance is dense: n² values).
pub const MINT_SHRINK_MAX_NODES: usize = 2000;

/// A reconciliation method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Method {
    BottomUp,
    /// Top-down; the historical variants need each leaf's and the root's
    /// history (`history[v]` per node, same length, aligned in time).
    TopDown(TopDown),
    /// Bottom-up above `level` (depth), top-down below it.
    MiddleOut {
        level: usize,
        split: TopDown,
    },
    MinT(MinTWeights),
}

/// Reconciles one horizon step: `base[v]` is node v's base forecast.
/// `history` (per node, aligned in time) is needed by the historical
/// top-down variants only. With `nonnegative`, MinT results are projected
/// onto non-negative leaves by an active-set loop (leaves that come out
/// negative are fixed at zero and the rest re-solved, until none is).
///
/// ```
/// use salesplan::plan::org::OrgTree;
/// use salesplan::plan::reconcile::{reconcile, Hierarchy, Method, MinTWeights};
/// let tree = OrgTree::read_from("node_id,parent_id\nall,\na,all\nb,all\n".as_bytes(), "org.csv".as_ref()).unwrap();
/// let h = Hierarchy::from_tree(&tree); // nodes: all = 0, a = 1, b = 2
/// // base forecasts: total 100, parts 40 and 50 (incoherent)
/// let r = reconcile(&h, &[100.0, 40.0, 50.0], &Method::MinT(MinTWeights::Ols), None, false).unwrap();
/// assert!((r[0] - (r[1] + r[2])).abs() < 1e-12);
/// assert!((r[1] - 43.333333333333336).abs() < 1e-9);
/// ```
pub fn reconcile(
    h: &Hierarchy,
    base: &[f64],
    method: &Method,
    history: Option<&[Vec<f64>]>,
    nonnegative: bool,
) -> Result<Vec<f64>> {
    check_base(h, base)?;
    let n = h.len();
    let mut out = match method {
        Method::BottomUp => bottom_up(h, base),
        Method::TopDown(split) => {
            let mut t = vec![0.0; n];
            t[h.root()] = base[h.root()];
            split_down(h, h.root(), base, split, history, &mut t)?;
            t
        }
        Method::MiddleOut { level, split } => middle_out(h, base, *level, split, history)?,
        Method::MinT(w) => {
            let weights = diagonal_weights(h, w)?;
            match weights {
                Some(w) => mint_diagonal(h, base, &w, nonnegative)?,
                None => {
                    let MinTWeights::Shrink(res) = w else {
                        unreachable!("only shrink has no diagonal form")
                    };
                    mint_shrink(h, base, res, nonnegative)?
                }
            }
        }
    };
    if nonnegative && !matches!(method, Method::MinT(_)) {
        for &l in h.leaves() {
            out[l] = out[l].max(0.0);
        }
        h.sum_up(&mut out);
    }
    Ok(out)
}

/// One value per node, all finite.
fn check_base(h: &Hierarchy, base: &[f64]) -> Result<()> {
    let n = h.len();
    if base.len() != n {
        return Err(Error::InvalidParameter {
            name: "base forecasts",
            reason: format!("{} values for {n} nodes", base.len()),
        });
    }
    if let Some(v) = base.iter().position(|x| !x.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "base forecasts",
            reason: format!("node {v} has a non-finite forecast {}", base[v]),
        });
    }
    Ok(())
}

fn bottom_up(h: &Hierarchy, base: &[f64]) -> Vec<f64> {
    let mut t = base.to_vec();
    h.sum_up(&mut t);
    t
}

/// Splits node `top`'s total (already in `t[top]`) down its subtree.
fn split_down(
    h: &Hierarchy,
    top: usize,
    base: &[f64],
    split: &TopDown,
    history: Option<&[Vec<f64>]>,
    t: &mut [f64],
) -> Result<()> {
    match split {
        TopDown::ForecastProportions => {
            // nodes of the subtree in top-down order
            let mut stack = vec![top];
            while let Some(v) = stack.pop() {
                let ch = h.children(v);
                if ch.is_empty() {
                    continue;
                }
                let total: f64 = ch.iter().map(|&c| base[c]).sum();
                for &c in ch {
                    t[c] = if total != 0.0 {
                        t[v] * base[c] / total
                    } else {
                        t[v] / ch.len() as f64
                    };
                    stack.push(c);
                }
            }
            Ok(())
        }
        TopDown::AverageHistoricalProportions | TopDown::ProportionsOfHistoricalAverages => {
            let hist = history.ok_or_else(|| Error::InvalidParameter {
                name: "history",
                reason: "historical top-down needs the nodes' history".into(),
            })?;
            let leaves = subtree_leaves(h, top);
            let top_hist = leaf_sum_history(h, &leaves, hist)?;
            let shares: Vec<f64> = leaves
                .iter()
                .map(|&l| share(&hist[l], &top_hist, split))
                .collect();
            for (&l, s) in leaves.iter().zip(&shares) {
                t[l] = t[top] * s;
            }
            // internal nodes of the subtree: sums of their leaves
            let mut stack = vec![top];
            let mut internal = Vec::new();
            while let Some(v) = stack.pop() {
                if !h.children(v).is_empty() && v != top {
                    internal.push(v);
                }
                stack.extend_from_slice(h.children(v));
            }
            for &v in internal.iter().rev() {
                t[v] = h.children(v).iter().map(|&c| t[c]).sum();
            }
            Ok(())
        }
    }
}

fn subtree_leaves(h: &Hierarchy, top: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack = vec![top];
    while let Some(v) = stack.pop() {
        let ch = h.children(v);
        if ch.is_empty() {
            out.push(v);
        }
        stack.extend(ch.iter().rev());
    }
    out
}

fn leaf_sum_history(h: &Hierarchy, leaves: &[usize], hist: &[Vec<f64>]) -> Result<Vec<f64>> {
    if hist.len() != h.len() {
        return Err(Error::InvalidParameter {
            name: "history",
            reason: format!("{} histories for {} nodes", hist.len(), h.len()),
        });
    }
    let len = hist[leaves[0]].len();
    if let Some(&l) = leaves.iter().find(|&&l| hist[l].len() != len) {
        return Err(Error::InvalidParameter {
            name: "history",
            reason: format!("node {l} has {} periods, others {len}", hist[l].len()),
        });
    }
    let mut total = vec![0.0; len];
    for &l in leaves {
        for (t, x) in total.iter_mut().zip(&hist[l]) {
            *t += x;
        }
    }
    Ok(total)
}

fn share(leaf: &[f64], top: &[f64], split: &TopDown) -> f64 {
    match split {
        TopDown::AverageHistoricalProportions => {
            let ratios: Vec<f64> = leaf
                .iter()
                .zip(top)
                .filter(|(_, t)| **t != 0.0)
                .map(|(l, t)| l / t)
                .collect();
            if ratios.is_empty() {
                0.0
            } else {
                ratios.iter().sum::<f64>() / ratios.len() as f64
            }
        }
        _ => {
            let total: f64 = top.iter().sum();
            if total == 0.0 {
                0.0
            } else {
                leaf.iter().sum::<f64>() / total
            }
        }
    }
}

fn middle_out(
    h: &Hierarchy,
    base: &[f64],
    level: usize,
    split: &TopDown,
    history: Option<&[Vec<f64>]>,
) -> Result<Vec<f64>> {
    let n = h.len();
    let mut t = vec![0.0; n];
    let middle: Vec<usize> = (0..n).filter(|&v| h.depth(v) == level).collect();
    if middle.is_empty() {
        return Err(Error::InvalidParameter {
            name: "middle-out level",
            reason: format!("no node at depth {level}"),
        });
    }
    if let Some(&l) = h.leaves().iter().find(|&&l| h.depth(l) < level) {
        return Err(Error::InvalidParameter {
            name: "middle-out level",
            reason: format!("leaf {l} is above depth {level}"),
        });
    }
    for &v in &middle {
        t[v] = base[v];
        split_down(h, v, base, split, history, &mut t)?;
    }
    // above the middle level: sums
    for &v in h.top_down_order().iter().rev() {
        if h.depth(v) < level {
            t[v] = h.children(v).iter().map(|&c| t[c]).sum();
        }
    }
    Ok(t)
}

fn diagonal_weights(h: &Hierarchy, w: &MinTWeights) -> Result<Option<Vec<f64>>> {
    let n = h.len();
    let v = match w {
        MinTWeights::Ols => vec![1.0; n],
        MinTWeights::WlsStructural => (0..n).map(|v| h.leaf_count(v) as f64).collect(),
        MinTWeights::WlsVariance(v) => {
            if v.len() != n {
                return Err(Error::InvalidParameter {
                    name: "MinT variances",
                    reason: format!("{} variances for {n} nodes", v.len()),
                });
            }
            if let Some(i) = v.iter().position(|x| !(x.is_finite() && *x > 0.0)) {
                return Err(Error::InvalidParameter {
                    name: "MinT variances",
                    reason: format!("node {i} has variance {} (must be positive)", v[i]),
                });
            }
            v.clone()
        }
        MinTWeights::Shrink(_) => return Ok(None),
    };
    Ok(Some(v))
}

/// Exact MinT for diagonal W by the two tree passes described in the module
/// docs. `fixed[l]` pins leaf l to zero (used by the non-negative loop).
fn mint_tree(h: &Hierarchy, base: &[f64], w: &[f64], fixed: &[bool]) -> Vec<f64> {
    let n = h.len();
    // a[v] > 0 curvature, m[v] optimum of the subtree's cost in its total;
    // a = ∞ (pinned) is represented by inv_a = 0
    let mut inv_a = vec![0.0; n];
    let mut m = vec![0.0; n];
    for &v in h.top_down_order().iter().rev() {
        let ch = h.children(v);
        if ch.is_empty() {
            if fixed[v] {
                inv_a[v] = 0.0;
                m[v] = 0.0;
            } else {
                inv_a[v] = w[v];
                m[v] = base[v];
            }
            continue;
        }
        let inv_big_a: f64 = ch.iter().map(|&c| inv_a[c]).sum();
        let big_m: f64 = ch.iter().map(|&c| m[c]).sum();
        if inv_big_a == 0.0 {
            // every leaf below is pinned: the total is fixed
            inv_a[v] = 0.0;
            m[v] = big_m;
        } else {
            let big_a = 1.0 / inv_big_a;
            let a = big_a + 1.0 / w[v];
            inv_a[v] = 1.0 / a;
            m[v] = (big_a * big_m + base[v] / w[v]) / a;
        }
    }
    let mut t = vec![0.0; n];
    let root = h.root();
    t[root] = m[root];
    for &v in h.top_down_order() {
        let ch = h.children(v);
        if ch.is_empty() {
            continue;
        }
        let inv_big_a: f64 = ch.iter().map(|&c| inv_a[c]).sum();
        let big_m: f64 = ch.iter().map(|&c| m[c]).sum();
        let gap = t[v] - big_m;
        for &c in ch {
            t[c] = if inv_big_a > 0.0 {
                m[c] + gap * inv_a[c] / inv_big_a
            } else {
                m[c]
            };
        }
    }
    // exact coherence: internal nodes as sums of their leaves
    h.sum_up(&mut t);
    t
}

fn mint_diagonal(h: &Hierarchy, base: &[f64], w: &[f64], nonnegative: bool) -> Result<Vec<f64>> {
    let mut fixed = vec![false; h.len()];
    let mut t = mint_tree(h, base, w, &fixed);
    if nonnegative {
        for _ in 0..h.leaves().len() {
            let negative: Vec<usize> = h.leaves().iter().copied().filter(|&l| t[l] < 0.0).collect();
            if negative.is_empty() {
                break;
            }
            negative.iter().for_each(|&l| fixed[l] = true);
            t = mint_tree(h, base, w, &fixed);
        }
    }
    Ok(t)
}

/// MinT with the shrunk sample covariance W of the residuals
/// (Schäfer–Strimmer shrinkage of the correlations towards zero), in the
/// projection form of Wickramasuriya, Athanasopoulos & Hyndman (2019,
/// eq. 9): ỹ = ŷ − WCᵀ(CWCᵀ)⁻¹Cŷ, with C the constraints "each parent
/// equals the sum of its children", one row per parent. It equals
/// S(SᵀW⁻¹S)⁻¹SᵀW⁻¹ŷ and needs no inverse of W: one Cholesky factor of the
/// small CWCᵀ (parents × parents), made once for every step.
pub struct ShrinkProjection {
    /// W (n × n).
    w: DMatrix<f64>,
    /// The nodes with children: the rows of C.
    parents: Vec<usize>,
    /// WCᵀ (n × parents).
    wct: DMatrix<f64>,
    /// Cholesky factor of CWCᵀ.
    factor: Cholesky<f64, Dyn>,
}

impl ShrinkProjection {
    /// Estimates W from `residuals` (one per node, aligned) and factors the
    /// constraints.
    pub fn new(h: &Hierarchy, residuals: &[Vec<f64>]) -> Result<ShrinkProjection> {
        let n = h.len();
        if n > MINT_SHRINK_MAX_NODES {
            return Err(Error::InvalidParameter {
                name: "MinT-shrink",
                reason: format!(
                    "the tree has {n} nodes; the dense covariance is limited to {MINT_SHRINK_MAX_NODES}: use WLS (structural or variance) for large trees"
                ),
            });
        }
        if residuals.len() != n {
            return Err(Error::InvalidParameter {
                name: "MinT residuals",
                reason: format!("{} residual series for {n} nodes", residuals.len()),
            });
        }
        let w = shrunk_covariance(residuals)?;
        let parents: Vec<usize> = (0..n).filter(|&v| !h.children(v).is_empty()).collect();
        // W is symmetric: WCᵀ = (CW)ᵀ
        let wct = constrain(h, &parents, &[], &w).transpose();
        let factor = constrain(h, &parents, &[], &wct)
            .cholesky()
            .ok_or_else(singular)?;
        Ok(ShrinkProjection {
            w,
            parents,
            wct,
            factor,
        })
    }

    /// Reconciles one step's base forecasts; with `nonnegative`, leaves
    /// that come out negative are fixed at zero and the rest re-solved
    /// (constraints y_l = 0 added), until none is.
    pub fn reconcile(&self, h: &Hierarchy, base: &[f64], nonnegative: bool) -> Result<Vec<f64>> {
        check_base(h, base)?;
        let y = DVector::from_column_slice(base);
        let y_matrix = DMatrix::from_column_slice(base.len(), 1, base);
        let violation = |fixed: &[usize]| {
            constrain(h, &self.parents, fixed, &y_matrix)
                .column(0)
                .into_owned()
        };
        let mut fixed: Vec<usize> = Vec::new();
        let mut t = &y - &self.wct * self.factor.solve(&violation(&fixed));
        // at most one round per leaf: each round fixes at least one more
        for _ in 0..h.leaves().len() * usize::from(nonnegative) {
            let negative: Vec<usize> = h
                .leaves()
                .iter()
                .copied()
                .filter(|&l| t[l] < 0.0 && fixed.binary_search(&l).is_err())
                .collect();
            if negative.is_empty() {
                break;
            }
            fixed.extend(negative);
            fixed.sort_unstable();
            // WC'ᵀ: the parents' columns, then W's columns of the fixed leaves
            let mut wct = self
                .wct
                .clone()
                .resize_horizontally(self.parents.len() + fixed.len(), 0.0);
            for (k, &l) in fixed.iter().enumerate() {
                wct.set_column(self.parents.len() + k, &self.w.column(l));
            }
            let factor = constrain(h, &self.parents, &fixed, &wct)
                .cholesky()
                .ok_or_else(singular)?;
            t = &y - &wct * factor.solve(&violation(&fixed));
        }
        // fixed leaves are zero up to rounding: exactly zero
        let leaves: Vec<f64> = h
            .leaves()
            .iter()
            .map(|&l| {
                if fixed.binary_search(&l).is_ok() {
                    0.0
                } else {
                    t[l]
                }
            })
            .collect();
        Ok(h.aggregate(&leaves))
    }
}

fn singular() -> Error {
    Error::InvalidParameter {
        name: "MinT-shrink",
        reason: "the constraints' covariance CWCᵀ is singular".into(),
    }
}

/// C'·M for the constraints C' (each parent minus its children, then each
/// fixed leaf) and an n × k matrix M.
fn constrain(h: &Hierarchy, parents: &[usize], fixed: &[usize], m: &DMatrix<f64>) -> DMatrix<f64> {
    let rows = parents.len() + fixed.len();
    DMatrix::from_fn(rows, m.ncols(), |r, j| match parents.get(r) {
        Some(&p) => m[(p, j)] - h.children(p).iter().map(|&c| m[(c, j)]).sum::<f64>(),
        None => m[(fixed[r - parents.len()], j)],
    })
}

fn mint_shrink(
    h: &Hierarchy,
    base: &[f64],
    residuals: &[Vec<f64>],
    nonnegative: bool,
) -> Result<Vec<f64>> {
    ShrinkProjection::new(h, residuals)?.reconcile(h, base, nonnegative)
}

/// Schäfer & Strimmer (2005) shrinkage as hierarchicalforecast's
/// `mint_shrink` does: correlations shrunk towards 0 with the estimated
/// intensity λ = Σ Var(r_ij) / Σ r_ij² over the pairs, variances kept.
/// With Z the standardised residuals (n × t), r = ZZᵀ/(t − 1) and
/// Var(r_ij) = t/(t − 1)³ · Σ_k (z_ik z_jk − w̄_ij)², whose sums come from
/// (Z∘Z)(Z∘Z)ᵀ: two matrix products, no per-pair work.
fn shrunk_covariance(res: &[Vec<f64>]) -> Result<DMatrix<f64>> {
    let n = res.len();
    let t = res[0].len();
    if t < 3 || res.iter().any(|r| r.len() != t) {
        return Err(Error::InvalidParameter {
            name: "MinT residuals",
            reason: "need at least 3 aligned residuals per node".into(),
        });
    }
    let tf = t as f64;
    let mut sd = vec![0.0; n];
    let mut z = DMatrix::zeros(n, t);
    for (i, r) in res.iter().enumerate() {
        let mean = r.iter().sum::<f64>() / tf;
        let s = (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (tf - 1.0)).sqrt();
        if s <= 0.0 || !s.is_finite() {
            return Err(Error::InvalidParameter {
                name: "MinT residuals",
                reason: format!("node {i} has zero residual variance"),
            });
        }
        sd[i] = s;
        for (k, x) in r.iter().enumerate() {
            z[(i, k)] = (x - mean) / s;
        }
    }
    let products = &z * z.transpose(); // Σ_k z_ik z_jk
    let z2 = z.component_mul(&z);
    let squares = &z2 * z2.transpose(); // Σ_k z_ik² z_jk²
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..i {
            let wbar = products[(i, j)] / tf;
            let r = products[(i, j)] / (tf - 1.0);
            num += tf / (tf - 1.0).powi(3) * (squares[(i, j)] - tf * wbar * wbar).max(0.0);
            den += r * r;
        }
    }
    let lambda = if den > 0.0 {
        (num / den).clamp(0.0, 1.0)
    } else {
        1.0
    };
    Ok(DMatrix::from_fn(n, n, |i, j| {
        let c = if i == j {
            1.0
        } else {
            (1.0 - lambda) * products[(i, j)] / (tf - 1.0)
        };
        c * sd[i] * sd[j]
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Hierarchy {
        // 0 → 1, 2; 1 → 3, 4, 5; 2 → 6, 7
        Hierarchy::from_parents(&[
            None,
            Some(0),
            Some(0),
            Some(1),
            Some(1),
            Some(1),
            Some(2),
            Some(2),
        ])
        .unwrap()
    }

    /// The textbook dense formula S (SᵀW⁻¹S)⁻¹ SᵀW⁻¹ ŷ for diagonal W.
    fn dense_mint(h: &Hierarchy, base: &[f64], w: &[f64]) -> Vec<f64> {
        dense_gls(
            h,
            base,
            &DMatrix::from_diagonal(&DVector::from_column_slice(w)),
        )
    }

    /// The textbook formula S(SᵀW⁻¹S)⁻¹SᵀW⁻¹ŷ, densely.
    fn dense_gls(h: &Hierarchy, base: &[f64], w: &DMatrix<f64>) -> Vec<f64> {
        let n = h.len();
        let leaves = h.leaves();
        let s = DMatrix::from_fn(n, leaves.len(), |v, j| {
            let mut u = leaves[j];
            loop {
                if u == v {
                    return 1.0;
                }
                match h.parent(u) {
                    Some(p) => u = p,
                    None => return 0.0,
                }
            }
        });
        let w_inv = w.clone().try_inverse().unwrap();
        let stw = s.transpose() * &w_inv;
        let b = (&stw * &s).try_inverse().unwrap() * stw * DVector::from_column_slice(base);
        (s * b).iter().copied().collect()
    }

    /// hierarchicalforecast's shrinkage pair by pair, as a reference for
    /// the matrix-product form.
    fn shrunk_covariance_pairwise(res: &[Vec<f64>]) -> DMatrix<f64> {
        let (n, tf) = (res.len(), res[0].len() as f64);
        let std: Vec<(f64, Vec<f64>)> = res
            .iter()
            .map(|r| {
                let m = r.iter().sum::<f64>() / tf;
                let sd = (r.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (tf - 1.0)).sqrt();
                (sd, r.iter().map(|x| (x - m) / sd).collect())
            })
            .collect();
        let (mut num, mut den) = (0.0, 0.0);
        let mut corr = DMatrix::identity(n, n);
        for i in 0..n {
            for j in 0..i {
                let w: Vec<f64> = std[i].1.iter().zip(&std[j].1).map(|(a, b)| a * b).collect();
                let wbar = w.iter().sum::<f64>() / tf;
                let r = wbar * tf / (tf - 1.0);
                num += tf / (tf - 1.0).powi(3) * w.iter().map(|x| (x - wbar).powi(2)).sum::<f64>();
                den += r * r;
                corr[(i, j)] = r;
                corr[(j, i)] = r;
            }
        }
        let lambda = (num / den).clamp(0.0, 1.0);
        DMatrix::from_fn(n, n, |i, j| {
            let c = if i == j {
                1.0
            } else {
                (1.0 - lambda) * corr[(i, j)]
            };
            c * std[i].0 * std[j].0
        })
    }

    #[test]
    fn shrink_projection_equals_the_dense_formula() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let h = tree();
        let n = h.len();
        // residuals with a shared component, so the correlations matter
        let common: Vec<f64> = (0..24).map(|_| rng.random_range(-1.0..1.0)).collect();
        let res: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                common
                    .iter()
                    .map(|c| c + rng.random_range(-1.0..1.0))
                    .collect()
            })
            .collect();
        let w = shrunk_covariance(&res).unwrap();
        let reference = shrunk_covariance_pairwise(&res);
        assert!(
            (&w - &reference).abs().max() < 1e-12,
            "{}",
            (&w - &reference).abs().max()
        );
        let base: Vec<f64> = (0..n).map(|_| rng.random_range(10.0..100.0)).collect();
        let fast = mint_shrink(&h, &base, &res, false).unwrap();
        let dense = dense_gls(&h, &base, &reference);
        for (a, b) in fast.iter().zip(&dense) {
            assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{a} {b}");
        }
        // non-negative: a leaf pushed below zero is fixed there, the rest
        // re-solved; coherent, and the same as without when nothing is negative
        let mut low = base.clone();
        low[h.leaves()[0]] = -500.0;
        let projection = ShrinkProjection::new(&h, &res).unwrap();
        let free = projection.reconcile(&h, &low, false).unwrap();
        assert!(free[h.leaves()[0]] < 0.0);
        let fixed = projection.reconcile(&h, &low, true).unwrap();
        assert!(h.leaves().iter().all(|&l| fixed[l] >= 0.0));
        assert_eq!(fixed[h.leaves()[0]], 0.0);
        assert_eq!(
            fixed,
            h.aggregate(&h.leaves().iter().map(|&l| fixed[l]).collect::<Vec<_>>())
        );
        let coherent = h.aggregate(&vec![5.0; h.leaves().len()]);
        let kept = projection.reconcile(&h, &coherent, true).unwrap();
        for (a, b) in kept.iter().zip(&coherent) {
            assert!((a - b).abs() < 1e-9, "{a} {b}");
        }
    }

    #[test]
    fn tree_mint_equals_dense_formula() {
        let h = tree();
        let base = [1000.0, 420.0, 610.0, 130.0, 150.0, 160.0, 290.0, 300.0];
        for w in [
            vec![1.0; 8],
            (0..8).map(|v| h.leaf_count(v) as f64).collect(),
            vec![9.0, 4.0, 5.0, 1.0, 2.0, 1.5, 3.0, 0.5],
        ] {
            let fast = mint_tree(&h, &base, &w, &[false; 8]);
            let dense = dense_mint(&h, &base, &w);
            for (a, b) in fast.iter().zip(&dense) {
                assert!(
                    (a - b).abs() < 1e-9 * b.abs().max(1.0),
                    "{fast:?} vs {dense:?}"
                );
            }
        }
    }

    #[test]
    fn coherent_base_forecasts_are_unchanged() {
        let h = tree();
        let leaves = [10.0, 20.0, 30.0, 40.0, 50.0];
        let base = h.aggregate(&leaves);
        for m in [
            Method::BottomUp,
            Method::MinT(MinTWeights::Ols),
            Method::MinT(MinTWeights::WlsStructural),
            Method::TopDown(TopDown::ForecastProportions),
        ] {
            let r = reconcile(&h, &base, &m, None, false).unwrap();
            for (a, b) in r.iter().zip(&base) {
                assert!((a - b).abs() < 1e-9, "{m:?}");
            }
        }
    }

    #[test]
    fn nonnegative_mint_has_no_negative_leaf_and_stays_coherent() {
        let h = tree();
        let base = [100.0, 90.0, 5.0, 60.0, 40.0, -30.0, -8.0, 20.0];
        let r = reconcile(&h, &base, &Method::MinT(MinTWeights::Ols), None, true).unwrap();
        assert!(h.leaves().iter().all(|&l| r[l] >= 0.0), "{r:?}");
        assert!((r[0] - r[1] - r[2]).abs() < 1e-9);
    }

    #[test]
    fn cycles_and_multiple_roots_are_rejected() {
        assert!(Hierarchy::from_parents(&[None, Some(2), Some(1)]).is_err());
        assert!(Hierarchy::from_parents(&[None, None]).is_err());
        assert!(Hierarchy::from_parents(&[None, Some(5)]).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// On random trees and weights the O(n) tree solution equals the
        /// dense projection, and reconciled forecasts are coherent.
        #[test]
        fn random_trees_match_the_dense_formula(
            links in proptest::collection::vec(0usize..1000, 1..40),
            seed in 0u64..1000,
        ) {
            // node i + 1 hangs below a random earlier node
            let mut parents = vec![None];
            for (i, l) in links.iter().enumerate() {
                parents.push(Some(l % (i + 1)));
            }
            let h = Hierarchy::from_parents(&parents).unwrap();
            let n = h.len();
            let mut x = seed.wrapping_mul(2862933555777941757).wrapping_add(3037000493);
            let mut rnd = || {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (x >> 11) as f64 / (1u64 << 53) as f64
            };
            let base: Vec<f64> = (0..n).map(|_| 100.0 * rnd() - 20.0).collect();
            let w: Vec<f64> = (0..n).map(|_| 0.1 + 5.0 * rnd()).collect();
            let fast = mint_tree(&h, &base, &w, &vec![false; n]);
            let dense = dense_mint(&h, &base, &w);
            for (a, b) in fast.iter().zip(&dense) {
                proptest::prop_assert!((a - b).abs() < 1e-8 * b.abs().max(1.0));
            }
            for v in 0..n {
                let ch = h.children(v);
                if !ch.is_empty() {
                    let sum: f64 = ch.iter().map(|&c| fast[c]).sum();
                    proptest::prop_assert!((fast[v] - sum).abs() < 1e-9 * sum.abs().max(1.0));
                }
            }
        }
    }

    #[test]
    fn historical_top_down_shares() {
        let h = Hierarchy::from_parents(&[None, Some(0), Some(0)]).unwrap();
        let hist = vec![vec![], vec![1.0, 3.0], vec![3.0, 1.0]];
        let ahp = reconcile(
            &h,
            &[100.0, 0.0, 0.0],
            &Method::TopDown(TopDown::AverageHistoricalProportions),
            Some(&hist),
            false,
        )
        .unwrap();
        assert!((ahp[1] - 50.0).abs() < 1e-12);
        let hist = vec![vec![], vec![1.0, 1.0], vec![3.0, 5.0]];
        let pha = reconcile(
            &h,
            &[100.0, 0.0, 0.0],
            &Method::TopDown(TopDown::ProportionsOfHistoricalAverages),
            Some(&hist),
            false,
        )
        .unwrap();
        assert!((pha[1] - 20.0).abs() < 1e-12);
    }
}
