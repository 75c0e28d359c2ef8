//! Events: the regressors of 10 years of months (`china` + `shopping`,
//! with working days), the effects of one series (two-way fixed effects
//! and the holdout choice), and AutoETS on 300 dated M3-length monthly
//! series without and with `--events china,shopping` (the batch total has
//! no Chinese event, so the second measures the events' overhead alone).
//!
//! `cargo bench --bench events -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion};
use salesplan::events::effects::{column_groups, estimate, select_columns};
use salesplan::events::{month_periods, EventCalendar};
use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
use salesplan::forecast::events::forecast_batch_with_events;
use salesplan::io::{read_long_csv_from, Columns};

/// The first 300 bundled M3 monthly series, dated from January 2000.
fn m3_dated() -> Vec<salesplan::Series> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/m3_monthly.csv");
    let text = std::fs::read_to_string(path).expect("datasets/m3_monthly.csv");
    let mut out = String::from("unique_id,ds,y\n");
    let mut ids = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if !ids.contains(&f[0]) {
            if ids.len() == 300 {
                continue;
            }
            ids.push(f[0]);
        }
        let t: i32 = f[1].parse::<i32>().expect("integer period") - 1;
        out.push_str(&format!(
            "{},{}-{:02}-01,{}\n",
            f[0],
            2000 + t / 12,
            t % 12 + 1,
            f[2]
        ));
    }
    read_long_csv_from(out.as_bytes(), "m3.csv".as_ref(), &Columns::default()).expect("m3")
}

fn bench(c: &mut Criterion) {
    let cal = EventCalendar::new(&["china", "shopping"]).expect("sets");
    let periods = month_periods(2016, 1, 120).expect("months");
    c.bench_function("regressors_120_months", |b| {
        b.iter(|| cal.regressors("", &periods).expect("regressors"))
    });
    let x = cal.regressors("", &periods).expect("regressors");
    let k = x.column("spring_festival").expect("column");
    let y: Vec<f64> = (0..120)
        .map(|t| 100.0 * (1.0 + 0.1 * (t % 12) as f64) * (-0.5 * x.value(t, k)).exp())
        .collect();
    let season: Vec<usize> = (0..120).map(|t| t % 12).collect();
    let block: Vec<usize> = (0..120).map(|t| t / 12).collect();
    c.bench_function("effects_estimate_120_months", |b| {
        b.iter(|| estimate(&y, &season, &block, &x))
    });
    let groups = column_groups(&x);
    c.bench_function("effects_select_120_months", |b| {
        b.iter(|| select_columns(&y, &season, &block, &x, &groups, &[]))
    });
    let series = m3_dated();
    let job = ForecastJob::new(ModelChoice::AutoEts, 18, vec![80.0, 95.0], Some(12)).expect("job");
    let mut group = c.benchmark_group("m3_300_auto_ets");
    group.sample_size(10);
    group.bench_function("without_events", |b| {
        b.iter(|| forecast_batch(&series, &job, &|| {}))
    });
    group.bench_function("with_events", |b| {
        b.iter(|| forecast_batch_with_events(&series, &job, &cal, &|| {}).expect("events"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
