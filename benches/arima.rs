//! ARIMA: one fit (the airline model ARIMA(0,1,1)(0,1,1)[12] and an
//! ARIMA(2,1,1)), AutoARIMA's whole search, and one exact-likelihood
//! evaluation by the Kalman filter,
//! on an M3 monthly series of `datasets/m3_monthly.csv` (126 points).
//!
//! `cargo bench --bench arima`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use salesplan::forecast::models::arima::auto::AutoArima;
use salesplan::forecast::models::arima::kalman::filter;
use salesplan::forecast::models::arima::{Arima, ArimaSpec};
use salesplan::io::{read_long_csv, Columns};

fn series() -> Vec<f64> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/m3_monthly.csv");
    let all = read_long_csv(&path, &Columns::default()).expect("bundled data");
    all.iter()
        .find(|s| s.len() >= 120)
        .expect("a long monthly series")
        .values()
        .to_vec()
}

fn benches(c: &mut Criterion) {
    let y = series();
    let mut g = c.benchmark_group("arima");
    g.sample_size(20);
    for (name, spec) in [
        (
            "fit_airline_0,1,1(0,1,1)",
            ArimaSpec::new(0, 1, 1).seasonal(0, 1, 1),
        ),
        ("fit_2,1,1", ArimaSpec::new(2, 1, 1)),
    ] {
        let arima = Arima::new(spec, 12).expect("orders");
        g.bench_function(name, |b| b.iter(|| arima.fit(&y).expect("fit")));
    }
    g.bench_function("auto_arima_monthly", |b| {
        b.iter(|| AutoArima::default().fit(&y, 12).expect("fit"))
    });
    // one likelihood of the differenced series at fixed coefficients
    let w: Vec<f64> = (13..y.len())
        .map(|t| y[t] - y[t - 1] - y[t - 12] + y[t - 13])
        .collect();
    let mut theta = vec![0.0; 13];
    theta[0] = -0.4;
    theta[11] = -0.6;
    theta[12] = 0.24;
    g.bench_function("kalman_likelihood_ma13", |b| {
        b.iter(|| filter(&w, &[], &theta).expect("stationary"))
    });
    g.finish();
}

criterion_group!(arima, benches);
criterion_main!(arima);
