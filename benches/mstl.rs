//! STL and MSTL on taylor (4032 half-hourly electricity demands, periods 48
//! and 336; the reference series of `tests/data/mstl_reference/`), and MSTL
//! forecasts of the M3 monthly series (period 12) in series per second.
//!
//! `cargo bench --bench mstl -- --warm-up-time 1 --measurement-time 3`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use salesplan::forecast::models::mstl::{AdjustedModel, Mstl};
use salesplan::forecast::models::stl::{SeasonalWindow, Stl};
use salesplan::io::{read_long_csv, Columns};

fn taylor() -> Vec<f64> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mstl_reference/taylor.csv");
    csv::Reader::from_path(path)
        .expect("taylor data")
        .records()
        .map(|r| r.expect("record")[2].parse().expect("number"))
        .collect()
}

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
    let y = taylor();
    let mut g = c.benchmark_group("taylor");
    g.sample_size(20);
    g.throughput(Throughput::Elements(y.len() as u64));
    let stl = Stl::new(48.0, SeasonalWindow::Span(11)).unwrap();
    g.bench_function("stl-48", |b| b.iter(|| stl.fit(&y).unwrap()));
    let stl = Stl::new(336.0, SeasonalWindow::Periodic).unwrap();
    g.bench_function("stl-336-periodic", |b| b.iter(|| stl.fit(&y).unwrap()));
    let mstl = Mstl::new(&[48.0, 336.0]).unwrap();
    g.bench_function("mstl-decompose", |b| b.iter(|| mstl.decompose(&y).unwrap()));
    for model in [AdjustedModel::Drift, AdjustedModel::AutoEts] {
        let mstl = mstl.clone().with_model(model);
        g.bench_function(format!("mstl-{}-forecast", model.name()), |b| {
            b.iter(|| mstl.fit(&y).unwrap().predict(96, &[80.0, 95.0]).unwrap())
        });
    }
    g.finish();

    let all = monthly();
    let mut g = c.benchmark_group("m3-monthly");
    g.sample_size(10);
    g.throughput(Throughput::Elements(all.len() as u64));
    for model in [AdjustedModel::Drift, AdjustedModel::AutoEts] {
        let mstl = Mstl::new(&[12.0]).unwrap().with_model(model);
        g.bench_function(format!("mstl-{}", model.name()), |b| {
            b.iter(|| {
                for y in &all {
                    mstl.fit(y).unwrap().predict(18, &[80.0, 95.0]).unwrap();
                }
            })
        });
    }
    g.finish();
}

criterion_group!(mstl_benches, benches);
criterion_main!(mstl_benches);
