//! Allocation hot paths: one constrained split (water-filling against the
//! Clarabel QP solver on the same instance) and a whole 1,000,000-node,
//! 5-level tree (build + validate, allocate, allocate with rounding).
//!
//! `cargo bench --bench allocate -- --warm-up-time 1 --measurement-time 3`
//!
//! Recorded 2026-11-26 20:10 on the shared 2-core box (load average 3.5-4.5
//! from other engineers' builds, so absolute times are pessimistic;
//! criterion medians):
//!
//! | bench | time |
//! |---|---|
//! | split_100_children/water_filling | 2.6 µs |
//! | split_100_children/clarabel | 439 µs (169× slower, same instance) |
//! | tree_1m_nodes_5_levels/build_and_validate | 258 ms (3.9 M nodes/s) |
//! | tree_1m_nodes_5_levels/allocate | 125 ms (8.0 M nodes/s) |
//! | tree_1m_nodes_5_levels/allocate_round_100 | 148 ms (6.8 M nodes/s) |

#[path = "../tests/common/qp.rs"]
mod qp;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use salesplan::plan::allocate::{
    allocate, water_fill_into, AllocationInput, AllocationOptions, Method, NodeConstraints,
    Workspace,
};
use salesplan::plan::org::{random_tree_rows, OrgTree};

/// A split of `n` children with bounds around the basis (many bind).
fn split_instance(n: usize, seed: u64) -> (f64, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let raw: Vec<f64> = (0..n).map(|_| rng.random_range(1.0..100.0)).collect();
    let total: f64 = raw.iter().sum();
    let s: Vec<f64> = raw.iter().map(|r| 1000.0 * r / total).collect();
    let w: Vec<f64> = (0..n).map(|_| rng.random_range(0.1..10.0)).collect();
    let l: Vec<f64> = s.iter().map(|s| s * rng.random_range(0.3..1.0)).collect();
    let u: Vec<f64> = s.iter().map(|s| s * rng.random_range(1.0..1.6)).collect();
    let (lo, hi): (f64, f64) = (l.iter().sum(), u.iter().sum());
    (lo + 0.7 * (hi - lo), s, w, l, u)
}

fn split(c: &mut Criterion) {
    let mut g = c.benchmark_group("split_100_children");
    let (t, s, w, l, u) = split_instance(100, 1);
    let mut ws = Workspace::default();
    let mut x = vec![0.0; s.len()];
    g.bench_function("water_filling", |b| {
        b.iter(|| water_fill_into(t, &s, &w, &l, &u, &mut x, &mut ws))
    });
    g.bench_function("clarabel", |b| {
        b.iter(|| qp::clarabel_split(t, &s, &w, &l, &u))
    });
    g.finish();
}

/// A 1M-node, 5-level tree with a random basis on the leaves, growth caps
/// (-10%..+40%) on 10% of the nodes, a max on 1% and over-assignment 10% on
/// the second level.
fn big_input(tree: &OrgTree) -> AllocationInput {
    let n = tree.len();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let basis: Vec<f64> = (0..n)
        .map(|_| rng.random_range(1000.0..100_000.0))
        .collect();
    let last_year = basis.clone();
    let mut input = AllocationInput::from_basis(basis);
    input.last_year = last_year;
    let totals = tree.aggregate(&input.last_year).expect("sizes match");
    for (c, total) in input.constraints.iter_mut().zip(&totals) {
        if rng.random_bool(0.1) {
            c.growth_min = Some(-0.10);
            c.growth_max = Some(0.40);
        }
        if rng.random_bool(0.01) {
            c.max = Some(total * 1.2);
        }
    }
    for i in tree.level(1) {
        input.constraints[i] = NodeConstraints {
            over_assignment: Some(0.1),
            ..input.constraints[i]
        };
    }
    input
}

fn tree(c: &mut Criterion) {
    let rows = random_tree_rows(1_000_000, 4, 42);
    let n = rows.len() as u64;
    let mut g = c.benchmark_group("tree_1m_nodes_5_levels");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    g.bench_function("build_and_validate", |b| {
        b.iter_batched(
            || rows.clone(),
            |rows| OrgTree::from_rows(rows, "bench".as_ref()),
            BatchSize::LargeInput,
        )
    });
    let tree = OrgTree::from_rows(rows, "bench".as_ref()).expect("valid tree");
    let input = big_input(&tree);
    let root_last_year = tree.aggregate(&input.last_year).expect("sizes")[0];
    let target = root_last_year * 1.15;
    for (name, unit) in [("allocate", None), ("allocate_round_100", Some(100.0))] {
        let options = AllocationOptions {
            method: Method::Proportional,
            unit,
            year: 2027,
        };
        // fail loudly, before timing, if the instance is infeasible
        if let Err(e) = allocate(&tree, &input, target, &options) {
            panic!("{name}: {e}");
        }
        g.bench_function(name, |b| {
            b.iter(|| allocate(&tree, &input, target, &options))
        });
    }
    g.finish();
}

criterion_group!(benches, split, tree);
criterion_main!(benches);
