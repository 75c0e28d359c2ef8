//! Properties of re-allocating the remaining target during the year,
//! checked here from first principles (not by the library's plan checker):
//! the root keeps its remaining target, every parent's children sum exactly
//! to it (whole units when rounded), every remaining target is non-negative
//! and within the bounds its annual constraints imply, locks hold, and the
//! new annual target is the actual plus the remaining one. The constraints
//! are built around a feasible witness, so the re-allocation must succeed;
//! a minimum no split can meet must fail naming a node.

use proptest::prelude::*;
use salesplan::plan::allocate::{Method, NodeConstraints};
use salesplan::plan::org::{random_tree_rows, OrgTree};
use salesplan::track::reallocate::{
    reallocate, ReallocationBasis, ReallocationInput, ReallocationOptions,
};

/// One case: per node (leaf values drive the rest) an actual to date, a
/// projection, a witness remaining target, a target or none, and a kind of
/// constraint with its slack.
#[derive(Debug, Clone)]
struct Case {
    nodes: usize,
    levels: usize,
    seed: u64,
    unit: Option<f64>,
    method: Method,
    zero_projection: bool,
    leaf: Vec<(u32, u32, u32)>,
    kinds: Vec<(u8, u32, u32, bool)>,
}

fn case() -> impl Strategy<Value = Case> {
    (3usize..60, 1usize..4, any::<u64>()).prop_flat_map(|(nodes, levels, seed)| {
        // random_tree_rows makes about `nodes` nodes; draw enough for any tree
        let room = nodes * 2 + 8;
        (
            prop_oneof![Just(None), Just(Some(1.0)), Just(Some(10.0))],
            prop_oneof![Just(Method::Proportional), Just(Method::LeastSquares)],
            proptest::bool::weighted(0.15),
            proptest::collection::vec((0u32..4000, 0u32..3000, 0u32..300), room),
            proptest::collection::vec((0u8..6, 0u32..40, 0u32..40, any::<bool>()), room),
        )
            .prop_map(move |(unit, method, zero_projection, leaf, kinds)| Case {
                nodes,
                levels,
                seed,
                unit,
                method,
                zero_projection,
                leaf,
                kinds,
            })
    })
}

/// Sums leaf values to every node by walking each leaf's ancestors.
fn sum_up(tree: &OrgTree, leaf_values: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; tree.len()];
    for (i, &v) in leaf_values.iter().enumerate() {
        if tree.is_leaf(i) {
            let mut node = Some(i);
            while let Some(k) = node {
                out[k] += v;
                node = tree.parent(k);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn remaining_targets_add_up_and_respect_every_bound(c in case()) {
        let tree = OrgTree::from_rows(random_tree_rows(c.nodes, c.levels, c.seed), "random".as_ref()).unwrap();
        let n = tree.len();
        prop_assume!(n <= c.leaf.len());
        let step = c.unit.unwrap_or(1.0);
        // quarters: exact in binary, so a + w − a is w again
        let mut actual = vec![0.0; n];
        let mut projected = vec![0.0; n];
        let mut witness = vec![0.0; n];
        for i in 0..n {
            if tree.is_leaf(i) {
                let (a, p, w) = c.leaf[i];
                actual[i] = f64::from(a) / 4.0;
                projected[i] = if c.zero_projection { 0.0 } else { f64::from(p) };
                witness[i] = f64::from(w) * step;
            }
        }
        let actual_node = sum_up(&tree, &actual);
        let witness_node = sum_up(&tree, &witness);
        let root = tree.root();
        let mut targets = vec![None; n];
        targets[root] = Some(actual_node[root] + witness_node[root]);
        let mut constraints = vec![NodeConstraints::default(); n];
        for i in 0..n {
            let (kind, below, above, has_target) = c.kinds[i];
            if i != root && has_target {
                targets[i] = Some(actual_node[i] + f64::from(above) * step);
            }
            let at = actual_node[i] + witness_node[i];
            let (lo, hi) = (at - f64::from(below) * step, at + f64::from(above) * step);
            let k = &mut constraints[i];
            match kind {
                1 => k.min = Some(lo),
                2 => k.max = Some(hi),
                3 => (k.min, k.max) = (Some(lo), Some(hi)),
                4 => k.lock = Some(at),
                _ => {}
            }
        }
        let input = ReallocationInput {
            tree: &tree,
            year: 2026,
            elapsed: 5,
            targets: &targets,
            actual_to_date: &actual,
            projected_remaining: &projected,
            constraints: Some(&constraints),
            last_year: None,
        };
        let options = ReallocationOptions { method: c.method, unit: c.unit };
        let r = reallocate(&input, &options);
        prop_assert!(r.is_ok(), "{:?}", r.err().map(|e| e.to_string()));
        let r = r.unwrap();
        let x = &r.remaining;
        prop_assert_eq!(x.len(), n);
        let tol = |v: f64| 1e-9 * v.abs().max(1.0);
        prop_assert_eq!(r.basis == ReallocationBasis::RemainingPlan, c.zero_projection || projected.iter().all(|p| *p == 0.0));
        // the root keeps its remaining target
        prop_assert!((x[root] - witness_node[root]).abs() <= tol(witness_node[root]), "{} vs {}", x[root], witness_node[root]);
        for i in 0..n {
            prop_assert!(x[i] >= 0.0, "node {i}: {}", x[i]);
            if let Some(u) = c.unit {
                let k = x[i] / u;
                prop_assert!((k - k.round()).abs() < 1e-9, "node {i}: {} not in units of {u}", x[i]);
            }
            let kids = tree.children(i);
            if !kids.is_empty() {
                let sum: f64 = x[kids.clone()].iter().sum();
                match c.unit {
                    // whole units: exact
                    Some(u) => {
                        let units: i64 = x[kids].iter().map(|v| (v / u).round() as i64).sum();
                        prop_assert_eq!(units, (x[i] / u).round() as i64, "node {}", i);
                    }
                    None => prop_assert!((sum - x[i]).abs() <= tol(x[i]) * kids.len() as f64, "node {i}: {sum} vs {}", x[i]),
                }
            }
            let a = actual_node[i];
            let k = &constraints[i];
            if let Some(l) = k.lock {
                prop_assert!((x[i] - (l - a).max(0.0)).abs() <= tol(l), "node {i}: lock");
            }
            if let Some(m) = k.min {
                prop_assert!(x[i] >= (m - a).max(0.0) - tol(m), "node {i}: {} below min {m} − {a}", x[i]);
            }
            if let Some(m) = k.max {
                prop_assert!(x[i] <= (m - a).max(0.0) + tol(m), "node {i}: {} above max {m} − {a}", x[i]);
            }
            prop_assert!((r.targets[i] - (a + x[i])).abs() <= tol(a + x[i]));
            prop_assert!((r.actual_to_date[i] - a).abs() <= tol(a));
        }

        // a leaf whose minimum needs more than the whole remaining target
        let leaf = (0..n).rev().find(|&i| tree.is_leaf(i)).unwrap();
        let mut impossible = constraints.clone();
        impossible[leaf] = NodeConstraints {
            min: Some(actual_node[leaf] + witness_node[root] + 2.0 * step),
            ..NodeConstraints::default()
        };
        let input = ReallocationInput { constraints: Some(&impossible), ..input };
        let e = reallocate(&input, &options);
        prop_assert!(e.is_err());
        let message = e.unwrap_err().to_string();
        prop_assert!(message.contains("node '"), "{}", message);
    }
}
