//! Reconciliation on a 100,000-leaf, 4-level tree (1 + 20 + 500 + 100,000
//! nodes): bottom-up and MinT with structural and variance weights.
//!
//! `cargo bench --bench reconcile`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use salesplan::plan::org::{NodeRow, OrgTree};
use salesplan::plan::reconcile::{reconcile, Hierarchy, Method, MinTWeights};

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
}

criterion_group!(reconcile_benches, benches);
criterion_main!(reconcile_benches);
