//! Checking a plan against its constraints after the fact.

use super::ramp::is_new;
use super::tree::{Allocation, AllocationInput, AllocationOptions};
use crate::error::{Error, Result};
use crate::plan::org::OrgTree;

/// Checks, independently of how it was made, that `plan` meets every
/// constraint of `input` for the company target `target`: the root's
/// target is the company's (rounded to the unit), every parent's children
/// sum to `(1 + over-assignment) ×` its target (exactly, in whole units,
/// when rounded), every target is non-negative, within its min and max,
/// within its growth caps (established nodes with sales last year), equal
/// to its lock, zero when inactive all year, and a whole number of units.
///
/// Unrounded sums and bounds are compared with a relative tolerance of
/// 1e-9. Fails with [`Error::PlanCheck`] at the first node that breaks one.
///
/// ```
/// use salesplan::plan::allocate::{allocate, check_plan, AllocationInput, AllocationOptions, Method};
/// use salesplan::plan::org::OrgTree;
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref()).unwrap();
/// let mut input = AllocationInput::from_basis(vec![0.0, 1.0, 2.0]);
/// input.constraints[1].min = Some(40.0);
/// let options = AllocationOptions { method: Method::Proportional, unit: Some(1.0), year: 2027 };
/// let mut plan = allocate(&tree, &input, 100.0, &options).unwrap();
/// check_plan(&tree, &input, 100.0, &options, &plan).unwrap();
/// plan.targets[1] = 39.0; // breaks the minimum (and the sum)
/// assert!(check_plan(&tree, &input, 100.0, &options, &plan).is_err());
/// ```
pub fn check_plan(
    tree: &OrgTree,
    input: &AllocationInput,
    target: f64,
    options: &AllocationOptions,
    plan: &Allocation,
) -> Result<()> {
    let n = tree.len();
    let t = &plan.targets;
    let fail = |node: usize, reason: String| {
        Err(Error::PlanCheck {
            node: tree.id(node).to_string(),
            reason,
        })
    };
    if t.len() != n || plan.last_year.len() != n {
        return fail(tree.root(), format!("{} targets for {n} nodes", t.len()));
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    let unit = options.unit;
    let root = tree.root();
    let units: Option<Vec<i64>> = match unit {
        Some(u) => {
            let mut whole = Vec::with_capacity(n);
            for (i, &x) in t.iter().enumerate() {
                let k = (x / u).round();
                if !close(k * u, x) {
                    return fail(i, format!("target {x} is not a multiple of {u}"));
                }
                whole.push(k as i64);
            }
            if whole[root] != (target / u).round() as i64 {
                return fail(
                    root,
                    format!("target {} is not the company's {target}", t[root]),
                );
            }
            Some(whole)
        }
        None => {
            if !close(t[root], target) {
                return fail(
                    root,
                    format!("target {} is not the company's {target}", t[root]),
                );
            }
            None
        }
    };
    for i in 0..n {
        let c = &input.constraints[i];
        let over = 1.0 + c.over_assignment.unwrap_or(0.0);
        let kids = tree.children(i);
        if !kids.is_empty() {
            match &units {
                Some(w) => {
                    let sum: i64 = w[kids.clone()].iter().sum();
                    let want = (w[i] as f64 * over).round() as i64;
                    if sum != want {
                        return fail(i, format!("children sum to {sum} units, not {want}"));
                    }
                }
                None => {
                    let sum: f64 = t[kids.clone()].iter().sum();
                    let want = t[i] * over;
                    let tol = 1e-9 * want.abs().max(1.0) * kids.len() as f64;
                    if (sum - want).abs() > tol {
                        return fail(i, format!("children sum to {sum}, not {want}"));
                    }
                }
            }
        }
        let x = t[i];
        let below = |bound: f64| x < bound && !close(x, bound);
        let above = |bound: f64| x > bound && !close(x, bound);
        if let Some(l) = c.lock {
            if !close(x, l) {
                return fail(i, format!("target {x} is not its lock {l}"));
            }
            continue;
        }
        if below(0.0) {
            return fail(i, format!("target {x} is negative"));
        }
        if input.activity[i] == 0.0 && x != 0.0 && !close(x, 0.0) {
            return fail(i, format!("target {x} for a node inactive all year"));
        }
        if let Some(m) = c.min.filter(|&m| input.activity[i] > 0.0 && below(m)) {
            return fail(i, format!("target {x} is below its min {m}"));
        }
        if let Some(m) = c.max.filter(|&m| above(m)) {
            return fail(i, format!("target {x} is above its max {m}"));
        }
        let ly = plan.last_year[i];
        if ly > 0.0 && !is_new(tree, i, options.year) {
            if let Some(g) = c
                .growth_min
                .filter(|&g| input.activity[i] > 0.0 && below(ly * (1.0 + g)))
            {
                return fail(i, format!("target {x} is below growth_min {g} on {ly}"));
            }
            if let Some(g) = c.growth_max.filter(|&g| above(ly * (1.0 + g))) {
                return fail(i, format!("target {x} is above growth_max {g} on {ly}"));
            }
        }
    }
    Ok(())
}
