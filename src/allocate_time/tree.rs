//! Phasing a whole annual plan: every node's target spread over the plan
//! year's periods, consistent both ways and rounded.

use rayon::prelude::*;

use super::phase::{MonthProfile, Phaser};
use super::round::round_vector;
use super::{plan_block, ChildTarget, PlanOptions};
use crate::error::{Error, Result};
use crate::hierarchy::OrgTree;

/// Node × period targets for an annual plan on `tree`.
///
/// The root's annual target is phased by its profile (and rounded, keeping
/// its total); then, level by level, each parent's children are phased,
/// balanced to the children's annual targets and the parent's period
/// targets, and rounded ([`plan_block`]), with leavers and new hires at
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
/// use salesplan::allocate_time::phase::{MonthProfile, Phaser};
/// use salesplan::allocate_time::phase_tree;
/// use salesplan::hierarchy::OrgTree;
/// use salesplan::planning_calendar::PlanningCalendar;
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
    let n = tree.len();
    if annual.len() != n || profiles.len() != n {
        return Err(Error::InvalidParameter {
            name: "phasing input",
            reason: format!(
                "{} annual targets and {} profiles for {n} nodes",
                annual.len(),
                profiles.len()
            ),
        });
    }
    let mut periods: Vec<Vec<f64>> = vec![Vec::new(); n];
    let root = tree.root();
    let mut top = phaser.phase(annual[root], &profiles[root]);
    if let Some(u) = unit {
        top = round_vector(&top, u).map_err(|e| at_node(tree, root, e))?;
    }
    periods[root] = top;
    let options = PlanOptions {
        unit,
        ..PlanOptions::default()
    };
    for level in 0..tree.depth().saturating_sub(1) {
        let blocks: Vec<(usize, Vec<f64>)> = tree
            .level(level)
            .into_par_iter()
            .filter(|&p| !tree.is_leaf(p))
            .map(|p| {
                let children: Vec<ChildTarget> = tree
                    .children(p)
                    .map(|c| ChildTarget {
                        annual: annual[c],
                        profile: profiles[c],
                        start: tree.start_date(c),
                        end: tree.end_date(c),
                    })
                    .collect();
                // with over-assignment the children sum to more than the
                // parent: the block's column targets are the parent's
                // periods scaled to the children's total
                let children_total: f64 = children.iter().map(|c| c.annual).sum();
                let columns = scaled_columns(
                    phaser,
                    &periods[p],
                    annual[p],
                    children_total,
                    &profiles[p],
                    unit,
                )
                .map_err(|e| at_node(tree, p, e))?;
                plan_block(phaser, &children, &columns, &options)
                    .map(|t| (p, t.into_values()))
                    .map_err(|e| at_node(tree, p, e))
            })
            .collect::<Result<_>>()?;
        let k = phaser.len();
        for (p, values) in blocks {
            for (row, c) in tree.children(p).enumerate() {
                periods[c] = values[row * k..(row + 1) * k].to_vec();
            }
        }
    }
    Ok(periods)
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
