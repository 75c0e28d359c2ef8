//! Reconciliation on a 100,000-leaf, 4-level tree (1 + 20 + 500 + 100,000
//! nodes): bottom-up and MinT with structural and variance weights; and
//! MinT-shrink on a 1,001-node tree (1 + 10 + 990), 3 steps, 36 residuals:
//! the covariance estimated and factored once, then each step projected.
//!
//! `cargo bench --bench reconcile`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use salesplan::plan::org::{NodeRow, OrgTree};
use salesplan::plan::reconcile::{reconcile, Hierarchy, Method, MinTWeights, ShrinkProjection};

fn tree(branching: &[usize]) -> Hierarchy {
    let mut rows = vec![NodeRow {
        id: "n0".into(),
        ..NodeRow::default()
    }];
    let mut level = vec![0usize];
    for &b in branching {
        let mut next = Vec::new();
        for &p in &level {
            for _ in 0..b {
                next.push(rows.len());
                rows.push(NodeRow {
                    id: format!("n{}", rows.len()),
                    parent: Some(format!("n{p}")),
                    ..NodeRow::default()
                });
            }
        }
        level = next;
    }
    let tree = OrgTree::from_rows(rows, "bench".as_ref()).expect("valid tree");
    Hierarchy::from_tree(&tree)
}

fn benches(c: &mut Criterion) {
    let h = tree(&[20, 25, 200]);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let leaves: Vec<f64> = (0..h.leaves().len())
        .map(|_| rng.random_range(10.0..100.0))
        .collect();
    let base: Vec<f64> = h
        .aggregate(&leaves)
        .iter()
        .map(|x| x * rng.random_range(0.9..1.1))
        .collect();
    let variances: Vec<f64> = base.iter().map(|x| 0.01 * x * x + 1.0).collect();
    let mut g = c.benchmark_group("reconcile_100k_leaves");
    g.throughput(Throughput::Elements(h.len() as u64));
    for (name, method) in [
        ("bottom_up", Method::BottomUp),
        ("mint_wls_struct", Method::MinT(MinTWeights::WlsStructural)),
        (
            "mint_wls_var",
            Method::MinT(MinTWeights::WlsVariance(variances)),
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| reconcile(&h, &base, &method, None, false).unwrap())
        });
    }
    g.bench_function("hierarchy_build", |b| b.iter(|| tree(&[20, 25, 200])));
    g.finish();

    let h = tree(&[10, 99]);
    let common: Vec<f64> = (0..36).map(|_| rng.random_range(-1.0..1.0)).collect();
    let residuals: Vec<Vec<f64>> = (0..h.len())
        .map(|_| {
            common
                .iter()
                .map(|c| c + rng.random_range(-1.0..1.0))
                .collect()
        })
        .collect();
    let steps: Vec<Vec<f64>> = (0..3)
        .map(|_| {
            (0..h.len())
                .map(|_| rng.random_range(10.0..100.0))
                .collect()
        })
        .collect();
    let mut g = c.benchmark_group("mint_shrink_1001_nodes");
    g.sample_size(20);
    g.bench_function("estimate_factor_and_3_steps", |b| {
        b.iter(|| {
            let projection = ShrinkProjection::new(&h, &residuals).unwrap();
            steps
                .iter()
                .map(|base| projection.reconcile(&h, base, false).unwrap())
                .collect::<Vec<_>>()
        })
    });
    g.finish();
}

criterion_group!(reconcile_benches, benches);
criterion_main!(reconcile_benches);
