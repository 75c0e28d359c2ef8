//! Re-allocating what is left of the plan year down the org tree.
//!
//! Part way through the year, the root's remaining target (its annual
//! target − its actual to date, at least 0) is split again down the tree,
//! top-down, by the same machinery as planning ([`allocate`]: water-filling
//! under bounds and locks, optional rounding to a unit), with each leaf's
//! basis the model's projection of its remaining months. Every parent's
//! remaining target is then exactly the sum of its children's, and a
//! node's new annual target is its actual to date plus its remaining one.
//!
//! Planning constraints bound the *annual* target; here they bound the
//! remaining one, through the actual to date `a`:
//!
//! * `min` → `max(0, min − a)`, `max` → `max(0, max − a)`, `lock` →
//!   `max(0, lock − a)` (a node can be asked to sell nothing more, never
//!   less than nothing: one already past its maximum or lock keeps its
//!   actual as its target);
//! * growth caps become the annual bounds `last year × (1 + growth)` first
//!   (for established nodes with sales last year, as in planning), then
//!   translate like `min` and `max`;
//! * `over_assignment` is not applied: the remaining gap is re-split
//!   exactly, children summing to their parent.
//!
//! A leaf that sells in none of the remaining months (its end date has
//! passed) gets nothing more. When the projection is zero for every leaf,
//! the basis falls back to the leaves' remaining plan (target − actual).

use crate::error::{Error, Result};
use crate::plan::allocate::{
    allocate, is_new, AllocationInput, AllocationOptions, BoundSource, Method, NodeConstraints,
};
use crate::plan::org::OrgTree;
use crate::scenario::attainment::active_months;

/// What re-allocation needs: vectors are indexed by node.
#[derive(Debug, Clone, Copy)]
pub struct ReallocationInput<'a> {
    pub tree: &'a OrgTree,
    /// The plan year (start and end dates, "new" nodes).
    pub year: i32,
    /// Months of the plan year already closed (0..=11: a month must remain).
    pub elapsed: usize,
    /// Annual target per node (`None`: none given). The re-allocation
    /// starts from the root's target, or, if it has none, from the sum of
    /// its children's (recursively; every branch needs one).
    pub targets: &'a [Option<f64>],
    /// Actual sales of the plan year to date, per leaf (summed up here).
    pub actual_to_date: &'a [f64],
    /// The model's projection of each leaf's remaining months (e.g. the
    /// mean of its simulated remaining paths, [`Tracking::projected_remaining`](super::Tracking::projected_remaining)), per leaf.
    pub projected_remaining: &'a [f64],
    /// The planning constraints per node (`None`: none).
    pub constraints: Option<&'a [NodeConstraints]>,
    /// Last year's actual per leaf, for growth caps (needed when a
    /// constraint has one).
    pub last_year: Option<&'a [f64]>,
}

/// How to re-allocate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReallocationOptions {
    /// How a parent's remaining target follows its children's basis.
    pub method: Method,
    /// Round every remaining target to a multiple of this unit, every
    /// parent's children summing exactly to it (the root's remaining target
    /// is rounded to the nearest unit).
    pub unit: Option<f64>,
}

/// Which basis split the remaining targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReallocationBasis {
    /// The model's projection of the remaining months.
    Projection,
    /// The remaining plan (target − actual to date), used when the
    /// projection is zero for every leaf.
    RemainingPlan,
}

/// The re-allocated rest of the year.
#[derive(Debug, Clone, PartialEq)]
pub struct Reallocation {
    /// What each node must still sell: its parent's remaining target split
    /// among its siblings; at least 0.
    pub remaining: Vec<f64>,
    /// The new annual target per node: actual to date + remaining.
    pub targets: Vec<f64>,
    /// Actual to date per node (summed up the tree).
    pub actual_to_date: Vec<f64>,
    /// The constraint each remaining target sits on, if any.
    pub binding: Vec<Option<BoundSource>>,
    /// The basis used.
    pub basis: ReallocationBasis,
}

/// Re-splits the root's remaining target down the tree (see the
/// [module docs](self)).
///
/// Fails with [`Error::Infeasible`] or [`Error::ConflictingBounds`], naming
/// the node and the constraints that bind (in remaining-target terms),
/// when the constraints leave no way to split the remaining target.
///
/// Two reps each with a target of 1200; after six months one has sold 300,
/// the other 700, and the model expects them to go on at that pace. The
/// company's remaining 1400 moves toward the rep expected to sell more:
///
/// ```
/// use salesplan::plan::allocate::NodeConstraints;
/// use salesplan::plan::org::OrgTree;
/// use salesplan::track::reallocate::{reallocate, ReallocationInput, ReallocationOptions};
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref()).unwrap();
/// let (co, a, b) = (tree.root(), tree.index_of("a").unwrap(), tree.index_of("b").unwrap());
/// let mut targets = vec![None; 3];
/// targets[co] = Some(2400.0);
/// targets[a] = Some(1200.0);
/// targets[b] = Some(1200.0);
/// let (mut actual, mut projected) = (vec![0.0; 3], vec![0.0; 3]);
/// (actual[a], actual[b]) = (300.0, 700.0);
/// (projected[a], projected[b]) = (300.0, 700.0);
/// let mut constraints = vec![NodeConstraints::default(); 3];
/// let mut input = ReallocationInput {
///     tree: &tree, year: 2026, elapsed: 6, targets: &targets, actual_to_date: &actual,
///     projected_remaining: &projected, constraints: None, last_year: None,
/// };
/// let options = ReallocationOptions { unit: Some(1.0), ..Default::default() };
/// let r = reallocate(&input, &options).unwrap();
/// assert_eq!((r.remaining[co], r.remaining[a], r.remaining[b]), (1400.0, 420.0, 980.0));
/// assert_eq!((r.targets[a], r.targets[b]), (720.0, 1680.0));
/// // b may not be asked for more than 1600 this year: 900 more at most
/// constraints[b].max = Some(1600.0);
/// input.constraints = Some(&constraints);
/// let r = reallocate(&input, &options).unwrap();
/// assert_eq!((r.remaining[a], r.remaining[b]), (500.0, 900.0));
/// // nor a less than 2000: no split of 1400 can do both
/// let mut impossible = constraints.clone();
/// impossible[a].min = Some(2000.0);
/// input.constraints = Some(&impossible);
/// let e = reallocate(&input, &options).unwrap_err();
/// assert!(e.to_string().contains("node 'co'"), "{e}");
/// ```
pub fn reallocate(
    input: &ReallocationInput,
    options: &ReallocationOptions,
) -> Result<Reallocation> {
    let tree = input.tree;
    let n = tree.len();
    if input.elapsed >= 12 {
        return Err(Error::InvalidParameter {
            name: "elapsed months",
            reason: format!(
                "{} closed months leave nothing to re-allocate",
                input.elapsed
            ),
        });
    }
    for (name, len) in [
        ("targets", input.targets.len()),
        ("actual_to_date", input.actual_to_date.len()),
        ("projected_remaining", input.projected_remaining.len()),
        ("constraints", input.constraints.map_or(n, <[_]>::len)),
        ("last_year", input.last_year.map_or(n, <[_]>::len)),
    ] {
        if len != n {
            return Err(Error::InvalidParameter {
                name: "reallocation input",
                reason: format!("{name} has {len} entries for {n} nodes"),
            });
        }
    }
    let bad = |name: &'static str, i: usize, value: f64| Error::InvalidParameter {
        name,
        reason: format!("node '{}': {value} is not allowed", tree.id(i)),
    };
    for i in 0..n {
        if let Some(t) = input.targets[i].filter(|t| !(t.is_finite() && *t >= 0.0)) {
            return Err(bad("target", i, t));
        }
        if tree.is_leaf(i) {
            let (a, p) = (input.actual_to_date[i], input.projected_remaining[i]);
            if !a.is_finite() {
                return Err(bad("actual to date", i, a));
            }
            if !(p.is_finite() && p >= 0.0) {
                return Err(bad("projected remaining sales", i, p));
            }
        }
    }
    let mut actual = tree.aggregate(input.actual_to_date)?;
    actual.iter_mut().for_each(|a| *a += 0.0); // no "-0" from empty sums

    // The root's annual target: its own, or its branches' summed.
    let mut effective: Vec<Option<f64>> = input.targets.to_vec();
    for i in (0..n).rev() {
        let kids = tree.children(i);
        if effective[i].is_none() && !kids.is_empty() {
            effective[i] = kids.map(|c| effective[c]).sum();
        }
    }
    let root = tree.root();
    let Some(root_target) = effective[root] else {
        return Err(Error::InvalidParameter {
            name: "reallocation",
            reason: format!(
                "the root '{}' has no target, and not every branch below it has one",
                tree.id(root)
            ),
        });
    };

    // Basis: the projection at the leaves that still sell; the remaining
    // plan if the projection is zero everywhere.
    let activity: Vec<f64> = (0..n)
        .map(|i| {
            let months = active_months(tree.start_date(i), tree.end_date(i), input.year);
            let sells = !tree.is_leaf(i) || months[input.elapsed..].iter().any(|m| *m);
            if sells {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let leaf_basis = |values: &dyn Fn(usize) -> f64| -> Vec<f64> {
        (0..n)
            .map(|i| if tree.is_leaf(i) { values(i) } else { 0.0 })
            .collect()
    };
    let mut basis = leaf_basis(&|i| input.projected_remaining[i]);
    let mut used = ReallocationBasis::Projection;
    if basis.iter().zip(&activity).all(|(b, a)| b * a == 0.0) {
        basis = leaf_basis(&|i| (effective[i].unwrap_or(0.0) - actual[i]).max(0.0));
        used = ReallocationBasis::RemainingPlan;
    }

    // Annual bounds → bounds on the remaining target.
    let last_year = match input.last_year {
        Some(ly) => Some(tree.aggregate(ly)?),
        None => None,
    };
    let snap = |x: f64| match options.unit {
        Some(u) if u.is_finite() && u > 0.0 => {
            let k = (x / u).round();
            if (k * u - x).abs() <= 1e-9 * x.abs().max(u) {
                k * u
            } else {
                x
            }
        }
        _ => x,
    };
    let mut constraints = vec![NodeConstraints::default(); n];
    // which annual constraint a remaining min / max comes from
    let mut lower_source = vec![BoundSource::Min; n];
    let mut upper_source = vec![BoundSource::Max; n];
    if let Some(given) = input.constraints {
        for i in 0..n {
            let c = &given[i];
            let mut lower = c.min;
            let mut upper = c.max;
            if c.growth_min.is_some() || c.growth_max.is_some() {
                let Some(ly) = &last_year else {
                    return Err(Error::InvalidParameter {
                        name: "reallocation input",
                        reason: format!(
                            "node '{}' has a growth cap, but last year's actuals are missing",
                            tree.id(i)
                        ),
                    });
                };
                let ly = ly[i];
                if ly > 0.0 && !is_new(tree, i, input.year) {
                    if let Some(g) = c.growth_min {
                        let v = ly * (1.0 + g);
                        if lower.is_none_or(|l| v > l) {
                            lower = Some(v);
                            lower_source[i] = BoundSource::GrowthMin;
                        }
                    }
                    if let Some(g) = c.growth_max {
                        let v = ly * (1.0 + g);
                        if upper.is_none_or(|u| v < u) {
                            upper = Some(v);
                            upper_source[i] = BoundSource::GrowthMax;
                        }
                    }
                }
            }
            let rest = |bound: f64| snap((bound - actual[i]).max(0.0));
            constraints[i] = NodeConstraints {
                min: lower.map(rest),
                max: upper.map(rest),
                lock: c.lock.map(rest),
                ..NodeConstraints::default()
            };
        }
    }
    let allocation_input = AllocationInput {
        basis,
        last_year: vec![0.0; n],
        constraints,
        activity,
    };
    let allocation_options = AllocationOptions {
        method: options.method,
        unit: options.unit,
        year: input.year,
    };
    let root_remaining = snap((root_target - actual[root]).max(0.0));
    let plan = allocate(tree, &allocation_input, root_remaining, &allocation_options)?;
    let binding = plan
        .binding
        .iter()
        .enumerate()
        .map(|(i, b)| match b {
            Some(BoundSource::Min) => Some(lower_source[i]),
            Some(BoundSource::Max) => Some(upper_source[i]),
            other => *other,
        })
        .collect();
    let targets = plan
        .targets
        .iter()
        .zip(&actual)
        .map(|(r, a)| a + r)
        .collect();
    Ok(Reallocation {
        remaining: plan.targets,
        targets,
        actual_to_date: actual,
        binding,
        basis: used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_reps() -> OrgTree {
        OrgTree::read_from(
            "node_id,parent_id,name,start_date,end_date\nco,,,,\nbehind,co,,,\nahead,co,,,\n"
                .as_bytes(),
            "org.csv".as_ref(),
        )
        .unwrap()
    }

    /// One rep far behind, one ahead; the model expects the one ahead to
    /// sell more in the rest of the year, so the gap moves toward it.
    #[test]
    fn the_gap_moves_toward_the_rep_expected_to_sell_more() {
        let tree = two_reps();
        let (co, behind, ahead) = (
            tree.root(),
            tree.index_of("behind").unwrap(),
            tree.index_of("ahead").unwrap(),
        );
        let mut targets = vec![None; 3];
        targets[co] = Some(2000.0);
        targets[behind] = Some(1000.0);
        targets[ahead] = Some(1000.0);
        let mut actual = vec![0.0; 3];
        actual[behind] = 100.0; // 10% after half a year
        actual[ahead] = 600.0; // 60%
        let mut projected = vec![0.0; 3];
        projected[behind] = 150.0;
        projected[ahead] = 650.0;
        let input = ReallocationInput {
            tree: &tree,
            year: 2026,
            elapsed: 6,
            targets: &targets,
            actual_to_date: &actual,
            projected_remaining: &projected,
            constraints: None,
            last_year: None,
        };
        let options = ReallocationOptions::default();
        let r = reallocate(&input, &options).unwrap();
        // remaining 1300, split 150 : 650
        assert_eq!(r.basis, ReallocationBasis::Projection);
        assert_eq!(r.remaining[co], 1300.0);
        assert!((r.remaining[behind] - 1300.0 * 150.0 / 800.0).abs() < 1e-9);
        assert!((r.remaining[ahead] - 1300.0 * 650.0 / 800.0).abs() < 1e-9);
        // the original remaining plan was 900 behind, 400 ahead
        assert!(r.remaining[behind] < 900.0 && r.remaining[ahead] > 400.0);
        assert!((r.targets[ahead] - (600.0 + 1300.0 * 650.0 / 800.0)).abs() < 1e-9);
        assert_eq!(r.targets[co], 2000.0);

        // a cap of 1500 on the one ahead: 900 more at most; the rest stays behind
        let mut constraints = vec![NodeConstraints::default(); 3];
        constraints[ahead].max = Some(1500.0);
        // and the one behind keeps at least 300 more (annual minimum 400)
        constraints[behind].min = Some(400.0);
        let capped = ReallocationInput {
            constraints: Some(&constraints),
            ..input
        };
        let r = reallocate(&capped, &options).unwrap();
        assert_eq!(r.remaining[ahead], 900.0);
        assert_eq!(r.remaining[behind], 400.0);
        assert_eq!(r.binding[ahead], Some(BoundSource::Max));

        // a rep past the cap already is asked for nothing more
        constraints[ahead].max = Some(500.0);
        let past = ReallocationInput {
            constraints: Some(&constraints),
            ..input
        };
        let r = reallocate(&past, &options).unwrap();
        assert_eq!((r.remaining[ahead], r.remaining[behind]), (0.0, 1300.0));

        // a lock keeps its remaining plan
        let mut locked = vec![NodeConstraints::default(); 3];
        locked[behind].lock = Some(1000.0);
        let lock = ReallocationInput {
            constraints: Some(&locked),
            ..input
        };
        let r = reallocate(&lock, &options).unwrap();
        assert_eq!((r.remaining[behind], r.remaining[ahead]), (900.0, 400.0));
        assert_eq!(r.binding[behind], Some(BoundSource::Lock));
    }

    #[test]
    fn zero_projection_falls_back_to_the_remaining_plan() {
        let tree = two_reps();
        let (behind, ahead) = (
            tree.index_of("behind").unwrap(),
            tree.index_of("ahead").unwrap(),
        );
        // no root target: the reps' targets sum to it
        let mut targets = vec![None; 3];
        targets[behind] = Some(1000.0);
        targets[ahead] = Some(1000.0);
        let mut actual = vec![0.0; 3];
        actual[behind] = 100.0;
        actual[ahead] = 600.0;
        let projected = vec![0.0; 3];
        let input = ReallocationInput {
            tree: &tree,
            year: 2026,
            elapsed: 6,
            targets: &targets,
            actual_to_date: &actual,
            projected_remaining: &projected,
            constraints: None,
            last_year: None,
        };
        let r = reallocate(&input, &ReallocationOptions::default()).unwrap();
        assert_eq!(r.basis, ReallocationBasis::RemainingPlan);
        assert_eq!((r.remaining[behind], r.remaining[ahead]), (900.0, 400.0));
        // a branch without any target: nothing to start from
        let mut partial = targets.clone();
        partial[ahead] = None;
        let input = ReallocationInput {
            targets: &partial,
            ..input
        };
        let e = reallocate(&input, &ReallocationOptions::default()).unwrap_err();
        assert!(e.to_string().contains("root 'co' has no target"), "{e}");
    }

    #[test]
    fn growth_caps_bound_the_annual_target_and_leavers_get_nothing() {
        let tree = OrgTree::read_from(
            "node_id,parent_id,name,start_date,end_date\nco,,,,\na,co,,,\nb,co,,,\ngone,co,,,2026-05-31\n"
                .as_bytes(),
            "org.csv".as_ref(),
        )
        .unwrap();
        let id = |s: &str| tree.index_of(s).unwrap();
        let mut targets = vec![None; 4];
        targets[tree.root()] = Some(3000.0);
        let mut actual = vec![0.0; 4];
        actual[id("a")] = 500.0;
        actual[id("b")] = 500.0;
        actual[id("gone")] = 200.0;
        let mut projected = vec![0.0; 4];
        projected[id("a")] = 100.0;
        projected[id("b")] = 100.0;
        projected[id("gone")] = 100.0; // ignored: left in May
        let mut last_year = vec![0.0; 4];
        last_year[id("a")] = 1000.0;
        let mut constraints = vec![NodeConstraints::default(); 4];
        constraints[id("a")].growth_max = Some(0.2); // annual at most 1200
        let mut input = ReallocationInput {
            tree: &tree,
            year: 2026,
            elapsed: 6,
            targets: &targets,
            actual_to_date: &actual,
            projected_remaining: &projected,
            constraints: Some(&constraints),
            last_year: None,
        };
        let e = reallocate(&input, &ReallocationOptions::default()).unwrap_err();
        assert!(e.to_string().contains("last year"), "{e}");
        input.last_year = Some(&last_year);
        let r = reallocate(&input, &ReallocationOptions::default()).unwrap();
        assert_eq!(r.remaining[tree.root()], 1800.0);
        assert_eq!(r.remaining[id("gone")], 0.0);
        assert_eq!(r.remaining[id("a")], 700.0);
        assert_eq!(r.remaining[id("b")], 1100.0);
        assert_eq!(r.binding[id("a")], Some(BoundSource::GrowthMax));
        // the year is over: nothing to re-allocate
        input.elapsed = 12;
        assert!(reallocate(&input, &ReallocationOptions::default()).is_err());
    }
}
