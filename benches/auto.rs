//! Combinations, `auto` and the non-negative wrapper on real data: 102 of
//! the M3 monthly series in `datasets/m3_monthly.csv` (throughput in series
//! per second, single-threaded), 18 steps with 80% and 95% intervals.
//!
//! `cargo bench --bench auto`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use salesplan::forecast::batch::{fit_and_predict, fit_and_predict_with, ModelChoice};
use salesplan::forecast::models::ensemble::{combine, Combiner};
use salesplan::forecast::models::nonnegative::NonNegativePoint;
use salesplan::io::{read_long_csv, Columns};

fn monthly() -> Vec<Vec<f64>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/m3_monthly.csv");
    read_long_csv(&path, &Columns::default())
        .expect("bundled data")
        .iter()
        .step_by(14) // 102 series
        .map(|s| s.values().to_vec())
        .collect()
}

fn benches(c: &mut Criterion) {
    let all = monthly();
    let n = all.len() as u64;
    let levels = [80.0, 95.0];

    let mut g = c.benchmark_group("auto");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    for name in [
        "m4-comb",
        "comb:ets+theta",
        "comb-median:ets+auto-theta+m4-comb",
        "auto",
    ] {
        let model: ModelChoice = name.parse().expect("model name");
        g.bench_function(name, |bench| {
            bench.iter(|| {
                for y in &all {
                    fit_and_predict(model.clone(), y, 12, 18, &levels).unwrap();
                }
            })
        });
    }
    let theta: ModelChoice = "theta".parse().expect("model name");
    g.bench_function("theta_nonnegative", |bench| {
        bench.iter(|| {
            for y in &all {
                fit_and_predict_with(
                    theta.clone(),
                    y,
                    12,
                    &[],
                    18,
                    &levels,
                    Some(NonNegativePoint::Mean),
                )
                .unwrap();
            }
        })
    });
    g.finish();

    // the combination arithmetic alone: three members' forecasts per series
    let members: Vec<_> = all
        .iter()
        .map(|y| {
            ["naive2", "theta", "drift"].map(|m| {
                fit_and_predict(m.parse().unwrap(), y, 12, 18, &levels)
                    .unwrap()
                    .forecast
            })
        })
        .collect();
    let mut g = c.benchmark_group("combine");
    g.throughput(Throughput::Elements(n));
    for combiner in [Combiner::Mean, Combiner::Median] {
        g.bench_function(format!("{combiner:?}"), |bench| {
            bench.iter(|| {
                for m in &members {
                    combine(m, combiner).unwrap();
                }
            })
        });
    }
    g.finish();
}

criterion_group!(auto, benches);
criterion_main!(auto);
