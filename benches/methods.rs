//! Baselines, Theta, intermittent demand, metrics and backtesting on real
//! data: the 1428 M3 monthly series from `datasets/m3_monthly.csv`
//! (throughput in series per second, single-threaded), and a sparse series
//! made from one of them for the intermittent methods.
//!
//! `cargo bench --bench methods`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use salesplan::forecast::backtest::Backtest;
use salesplan::forecast::batch::fit_and_predict;
use salesplan::forecast::batch::ModelChoice;
use salesplan::forecast::metrics::Accuracy;
use salesplan::forecast::models::intermittent::Intermittent;
use salesplan::forecast::models::naive::Baseline;
use salesplan::forecast::models::theta::{AutoTheta, Theta, ThetaMethod};
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

    let mut g = c.benchmark_group("baselines");
    g.throughput(Throughput::Elements(n));
    for b in [
        Baseline::Naive,
        Baseline::SeasonalNaive { season_length: 12 },
        Baseline::Drift,
        Baseline::Naive2 { season_length: 12 },
    ] {
        g.bench_function(b.name(), |bench| {
            bench.iter(|| {
                for y in &all {
                    b.fit(y).unwrap().predict(18, &[80.0, 95.0]).unwrap();
                }
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("theta");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    for method in [
        ThetaMethod::Standard,
        ThetaMethod::Optimised,
        ThetaMethod::DynamicOptimised,
    ] {
        g.bench_function(method.name(), |bench| {
            bench.iter(|| {
                for y in &all {
                    Theta::new(method, 12)
                        .fit(y)
                        .unwrap()
                        .predict(18, &[95.0])
                        .unwrap();
                }
            })
        });
    }
    g.bench_function("AutoTheta", |bench| {
        bench.iter(|| {
            for y in &all {
                AutoTheta::new(12).with_holdout(18).fit(y).unwrap();
            }
        })
    });
    g.finish();

    // sparse demand: keep every value above the series' 70th percentile, zero the rest
    let sparse: Vec<Vec<f64>> = all
        .iter()
        .map(|y| {
            let mut sorted = y.clone();
            sorted.sort_by(f64::total_cmp);
            let cut = sorted[sorted.len() * 7 / 10];
            y.iter()
                .map(|v| if *v > cut { v - cut } else { 0.0 })
                .collect()
        })
        .collect();
    let mut g = c.benchmark_group("intermittent");
    g.throughput(Throughput::Elements(n));
    for m in [
        Intermittent::CrostonClassic,
        Intermittent::CrostonOptimised,
        Intermittent::tsb(0.1, 0.1).unwrap(),
        Intermittent::Adida,
        Intermittent::Imapa,
    ] {
        g.bench_function(m.name(), |bench| {
            bench.iter(|| {
                for y in &sparse {
                    m.fit(y).unwrap();
                }
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("evaluation");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    let forecasts: Vec<_> = all
        .iter()
        .map(|y| {
            Baseline::Naive
                .fit(&y[..y.len() - 18])
                .unwrap()
                .predict(18, &[80.0, 95.0])
                .unwrap()
        })
        .collect();
    g.bench_function("accuracy_all_metrics", |bench| {
        bench.iter(|| {
            for (y, f) in all.iter().zip(&forecasts) {
                let (train, test) = y.split_at(y.len() - 18);
                Accuracy::compute(test, f, train, 12).unwrap();
            }
        })
    });
    let bt = Backtest::new(6, 4).unwrap();
    g.bench_function("backtest_theta_4_windows", |bench| {
        bench.iter(|| {
            for y in &all {
                bt.run(y, 12, |train| {
                    fit_and_predict(
                        ModelChoice::Theta(ThetaMethod::Standard),
                        train,
                        12,
                        6,
                        &[95.0],
                    )
                    .map(|o| o.forecast)
                })
                .unwrap();
            }
        })
    });
    g.finish();
}

criterion_group!(methods, benches);
criterion_main!(methods);
