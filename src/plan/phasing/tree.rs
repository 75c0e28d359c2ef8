//! Phasing a whole annual plan: every node's target spread over the plan
//! year's periods, consistent both ways and rounded.

use rayon::prelude::*;

use super::balance::Bounds;
use super::profile::{MonthProfile, Phaser};
use super::round::round_vector;
use super::{balance_block, PlanOptions, Table};
use crate::error::{Error, Result};
use crate::plan::org::OrgTree;

/// Node × period targets for an annual plan on `tree`.
///
/// The root's annual target is phased by its profile (and rounded, keeping
/// its total); then, level by level, each parent's children are phased,
/// balanced to the children's annual targets and the parent's period
/// targets, and rounded ([`plan_block`](super::plan_block)), with leavers and new hires at
/// zero outside their active days. Parents of one level run in parallel;
/// the result does not depend on the thread count. With a `unit`, every
/// annual target must already be a multiple of it (as `allocate` rounds).
/// Where children are over-assigned (their targets sum to more than their
/// parent's), the parent's period pattern is scaled up to their total.
///
/// Returns one row per node (in tree order), one column per period; every
/// node's periods sum to its annual target and every parent's period equals
/// its children's sum for that period.
///
/// ```
/// use salesplan::plan::phasing::profile::{MonthProfile, Phaser};
/// use salesplan::plan::phasing::phase_tree;
/// use salesplan::plan::org::OrgTree;
/// use salesplan::plan::calendar::PlanningCalendar;
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref())?;
/// let phaser = Phaser::new(&PlanningCalendar::monthly().periods(2027)?);
/// let annual = [1200.0, 700.0, 500.0]; // co, a, b in tree order
/// let plan = phase_tree(&tree, &annual, &[MonthProfile::flat(); 3], &phaser, Some(1.0))?;
/// assert_eq!(plan[0].iter().sum::<f64>(), 1200.0);
/// for m in 0..12 {
///     assert_eq!(plan[0][m], plan[1][m] + plan[2][m]);
/// }
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn phase_tree(
    tree: &OrgTree,
    annual: &[f64],
    profiles: &[MonthProfile],
    phaser: &Phaser,
    unit: Option<f64>,
) -> Result<Vec<Vec<f64>>> {
    let phasing = TreePhasing::new(tree, profiles, phaser)?;
    let m = phaser.len();
    let mut flat = vec![0.0; tree.len() * m];
    phasing.phase_into(tree, annual, unit, &mut flat)?;
    Ok(flat.chunks_exact(m.max(1)).map(<[f64]>::to_vec).collect())
}

/// [`phase_tree`] prepared once for a tree, its profiles and a calendar,
/// then run for any number of annual plans (a sweep's scenarios): each
/// node's profile over its active days as period weights summing to one,
/// and each parent's block bounds (children at zero outside their active
/// days), so that no date arithmetic is left for [`phase_into`](Self::phase_into).
///
/// ```
/// use salesplan::plan::phasing::profile::{MonthProfile, Phaser};
/// use salesplan::plan::phasing::TreePhasing;
/// use salesplan::plan::org::OrgTree;
/// use salesplan::plan::calendar::PlanningCalendar;
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref())?;
/// let phaser = Phaser::new(&PlanningCalendar::monthly().periods(2027)?);
/// let phasing = TreePhasing::new(&tree, &[MonthProfile::flat(); 3], &phaser)?;
/// let mut plan = vec![0.0; 3 * 12];
/// for annual in [[1200.0, 700.0, 500.0], [2400.0, 1200.0, 1200.0]] {
///     phasing.phase_into(&tree, &annual, Some(1.0), &mut plan)?;
///     assert_eq!(plan[..12].iter().sum::<f64>(), annual[0]);
///     assert_eq!(plan[0], plan[12] + plan[24]);
/// }
/// # Ok::<(), salesplan::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TreePhasing {
    phaser: Phaser,
    profiles: Vec<MonthProfile>,
    /// `nodes × periods`: each node's weights, summing to one (all zero
    /// when it has no active day in the periods)
    weights: Vec<f64>,
    /// per parent: its children's block bounds, when any child has dates
    bounds: Vec<Option<Bounds>>,
}

impl TreePhasing {
    /// Prepares phasing on `tree` with one profile per node.
    pub fn new(tree: &OrgTree, profiles: &[MonthProfile], phaser: &Phaser) -> Result<TreePhasing> {
        let n = tree.len();
        if profiles.len() != n {
            return Err(Error::InvalidParameter {
                name: "phasing input",
                reason: format!("{} profiles for {n} nodes", profiles.len()),
            });
        }
        let m = phaser.len();
        let mut weights = vec![0.0; n * m];
        for (v, row) in weights.chunks_exact_mut(m.max(1)).enumerate().take(n) {
            let (start, end) = (tree.start_date(v), tree.end_date(v));
            if start.is_some() || end.is_some() {
                row.copy_from_slice(&phaser.phase_active(1.0, &profiles[v], start, end));
            } else {
                phaser.weights_into(&profiles[v], row);
            }
        }
        let mut bounds = vec![None; n];
        for (p, slot) in bounds.iter_mut().enumerate() {
            let kids = tree.children(p);
            if !kids
                .clone()
                .any(|c| tree.start_date(c).is_some() || tree.end_date(c).is_some())
            {
                continue;
            }
            let mut block = Bounds::new(kids.len(), m);
            for (row, c) in kids.enumerate() {
                block
                    .zero_outside(row, phaser.periods(), tree.start_date(c), tree.end_date(c))
                    .map_err(|e| at_node(tree, p, e))?;
            }
            *slot = Some(block);
        }
        Ok(TreePhasing {
            phaser: phaser.clone(),
            profiles: profiles.to_vec(),
            weights,
            bounds,
        })
    }

    /// The calendar's periods.
    pub fn phaser(&self) -> &Phaser {
        &self.phaser
    }

    /// Phases `annual` (one target per node, tree order) into `out`
    /// (`nodes × periods`, node-major), as [`phase_tree`] does.
    pub fn phase_into(
        &self,
        tree: &OrgTree,
        annual: &[f64],
        unit: Option<f64>,
        out: &mut [f64],
    ) -> Result<()> {
        let n = tree.len();
        let m = self.phaser.len();
        if annual.len() != n || self.profiles.len() != n || out.len() != n * m {
            return Err(Error::InvalidParameter {
                name: "phasing input",
                reason: format!(
                    "{} annual targets, {} output cells and {} prepared nodes for {n} nodes × {m} periods",
                    annual.len(),
                    out.len(),
                    self.profiles.len()
                ),
            });
        }
        if let Some(i) = annual.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "annual",
                reason: format!("node '{}': annual target is {}", tree.id(i), annual[i]),
            });
        }
        let root = tree.root();
        let mut top = self.phaser.phase(annual[root], &self.profiles[root]);
        if let Some(u) = unit {
            top = round_vector(&top, u).map_err(|e| at_node(tree, root, e))?;
        }
        out[root * m..(root + 1) * m].copy_from_slice(&top);
        let options = PlanOptions {
            unit,
            ..PlanOptions::default()
        };
        for level in 0..tree.depth().saturating_sub(1) {
            let done: &[f64] = out;
            let blocks: Vec<(usize, Vec<f64>)> = tree
                .level(level)
                .into_par_iter()
                .filter(|&p| !tree.is_leaf(p))
                .map(|p| {
                    let kids = tree.children(p);
                    let rows = &annual[kids.clone()];
                    let mut seed = Vec::with_capacity(kids.len() * m);
                    for c in kids.clone() {
                        let w = &self.weights[c * m..(c + 1) * m];
                        seed.extend(w.iter().map(|w| w * annual[c]));
                    }
                    // with over-assignment the children sum to more than
                    // the parent: the block's column targets are the
                    // parent's periods scaled to the children's total
                    let columns = scaled_columns(
                        &self.phaser,
                        &done[p * m..(p + 1) * m],
                        annual[p],
                        rows.iter().sum(),
                        &self.profiles[p],
                        unit,
                    )
                    .map_err(|e| at_node(tree, p, e))?;
                    Table::new(kids.len(), m, seed)
                        .and_then(|seed| {
                            balance_block(seed, rows, &columns, self.bounds[p].as_ref(), &options)
                        })
                        .map(|t| (p, t.into_values()))
                        .map_err(|e| at_node(tree, p, e))
                })
                .collect::<Result<_>>()?;
            for (p, values) in blocks {
                let first = tree.children(p).start;
                out[first * m..first * m + values.len()].copy_from_slice(&values);
            }
        }
        Ok(())
    }
}

/// The parent's period targets rescaled to `children_total` (rounded to
/// the unit with the total kept); unchanged when the totals agree.
fn scaled_columns(
    phaser: &Phaser,
    parent_periods: &[f64],
    parent_annual: f64,
    children_total: f64,
    parent_profile: &MonthProfile,
    unit: Option<f64>,
) -> Result<Vec<f64>> {
    let tolerance = 1e-9 * children_total.abs().max(1.0);
    if (children_total - parent_annual).abs() <= tolerance {
        return Ok(parent_periods.to_vec());
    }
    let scaled = if parent_annual != 0.0 {
        let ratio = children_total / parent_annual;
        parent_periods.iter().map(|v| v * ratio).collect()
    } else {
        phaser.phase(children_total, parent_profile)
    };
    match unit {
        Some(u) => round_vector(&scaled, u),
        None => Ok(scaled),
    }
}

fn at_node(tree: &OrgTree, node: usize, e: Error) -> Error {
    Error::Phasing {
        node: tree.id(node).to_string(),
        source: Box::new(e),
    }
}
