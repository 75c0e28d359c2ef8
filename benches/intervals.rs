//! What calibrated and conformal intervals cost: `forecast_batch` with
//! AutoETS on 143 of the M3 monthly series in `datasets/m3_monthly.csv`, 18
//! steps, 80% and 95%, one thread — the model's own intervals, the batch's
//! widening (`calibrated`: up to 600 backtest refits, here 3 per series)
//! and each series' own 2 windows (`conformal`).
//!
//! `cargo bench --bench intervals`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
use salesplan::forecast::intervals::IntervalMethod;
use salesplan::io::{read_long_csv, Columns};
use salesplan::Series;

fn monthly() -> Vec<Series> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/m3_monthly.csv");
    read_long_csv(&path, &Columns::default())
        .expect("bundled data")
        .into_iter()
        .step_by(10) // 143 series
        .collect()
}

fn benches(c: &mut Criterion) {
    let series = monthly();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one thread");
    let mut g = c.benchmark_group("intervals_auto_ets_143_monthly");
    g.sample_size(10);
    g.throughput(Throughput::Elements(series.len() as u64));
    for method in ["model", "calibrated", "conformal"] {
        let intervals: IntervalMethod = method.parse().expect("method");
        let job = ForecastJob::new(ModelChoice::AutoEts, 18, vec![80.0, 95.0], Some(12))
            .expect("job")
            .with_intervals(intervals);
        g.bench_function(method, |bench| {
            bench.iter(|| pool.install(|| forecast_batch(&series, &job, &|| {})))
        });
    }
    g.finish();
}

criterion_group!(intervals, benches);
criterion_main!(intervals);
