//! ETS hot paths on real data (M3 monthly series from `datasets/m3_monthly.csv`):
//! fitting one model, AutoETS on one series, and a batch of series.
//!
//! `cargo bench --bench ets`

use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
use salesplan::forecast::models::ets::{AutoEts, Ets};
use salesplan::io::{read_long_csv, Columns};
use salesplan::Series;

fn monthly() -> Vec<Series> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/m3_monthly.csv");
    read_long_csv(&path, &Columns::default()).expect("bundled data")
}

fn by_id<'a>(all: &'a [Series], id: &str) -> &'a Series {
    all.iter().find(|s| s.id() == id).expect("series present")
}

fn benches(c: &mut Criterion) {
    let all = monthly();
    // N1698: 108 observations, R picks MAdM; N1489: 51 observations, AAA
    let long = by_id(&all, "N1698").values().to_vec();
    let short = by_id(&all, "N1489").values().to_vec();

    let mut g = c.benchmark_group("ets_fit");
    for code in ["ANN", "AAdN", "AAA", "MAdM"] {
        let ets = Ets::new(code.parse().unwrap(), 12).unwrap();
        g.bench_function(format!("{code}/N1698"), |b| {
            b.iter(|| ets.fit(&long).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("auto_ets");
    g.bench_function("N1698 (n=108)", |b| {
        b.iter(|| AutoEts::new(12).fit(&long).unwrap())
    });
    g.bench_function("N1489 (n=51)", |b| {
        b.iter(|| AutoEts::new(12).fit(&short).unwrap())
    });
    g.bench_function("N1698 r_compatible", |b| {
        b.iter(|| AutoEts::r_compatible(12).fit(&long).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    let batch: Vec<Series> = all.iter().step_by(14).cloned().collect(); // 102 series
    let job = ForecastJob::new(ModelChoice::AutoEts, 18, vec![80.0, 95.0], Some(12)).unwrap();
    g.throughput(Throughput::Elements(batch.len() as u64));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    g.bench_function(format!("auto_ets_{}_monthly_1_thread", batch.len()), |b| {
        b.iter_batched(
            || (),
            |_| pool.install(|| forecast_batch(&batch, &job, &|| {})),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(ets, benches);
criterion_main!(ets);
