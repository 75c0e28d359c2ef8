//! Runs AutoETS on an M3-layout folder (train.csv, meta.csv) group by group
//! and writes forecasts in the long format `../shared/peers/evaluate.py` scores.
//!
//! `cargo run --release --example m3_autoets -- DATA_DIR OUT.csv [GROUP] [THREADS]`

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use rayon::prelude::*;
use salesplan::forecast::models::ets::{AutoEts, Bounds, IntervalOptions, ParameterBox, Search};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = &args[1];
    let out_path = &args[2];
    let only = args.get(3).filter(|g| g.as_str() != "all").cloned();
    let threads: usize = args.get(4).map(|t| t.parse()).transpose()?.unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut meta = Vec::new();
    for r in csv::Reader::from_path(format!("{dir}/meta.csv"))?.records() {
        let r = r?;
        meta.push((
            r[0].to_string(),
            r[1].to_string(),
            r[2].parse::<usize>()?,
            r[3].parse::<usize>()?,
        ));
    }
    let mut train: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
    for r in csv::Reader::from_path(format!("{dir}/train.csv"))?.records() {
        let r = r?;
        train
            .entry(r[0].to_string())
            .or_default()
            .push((r[1].parse()?, r[2].parse()?));
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(out_path)?);
    writeln!(out, "unique_id,ds,model,mean,lo-80,hi-80,lo-95,hi-95")?;
    for group in ["yearly", "quarterly", "monthly", "other"] {
        if only.as_deref().is_some_and(|g| g != group) {
            continue;
        }
        let jobs: Vec<_> = meta.iter().filter(|m| m.1 == group).collect();
        let t0 = cpu_seconds();
        let w0 = Instant::now();
        let results: Vec<_> = pool.install(|| {
            jobs.par_iter()
                .map(|(id, _, m, h)| {
                    let mut rows = train[id].clone();
                    rows.sort_by_key(|r| r.0);
                    let y: Vec<f64> = rows.iter().map(|r| r.1).collect();
                    let last = rows.last().map(|r| r.0).unwrap_or(0);
                    let mut auto = AutoEts::new(*m);
                    if let Ok(b) = std::env::var("SP_BETA") {
                        let mut pbox = ParameterBox::default();
                        pbox.upper[1] = b.parse().unwrap();
                        auto = auto.bounds(Bounds::Both, pbox);
                    }
                    if let Ok(v) = std::env::var("SP_MAXEV") {
                        auto = auto.max_evaluations(v.parse().unwrap());
                    }
                    if std::env::var("SP_SEARCH").as_deref() == Ok("all") {
                        auto = auto.search(Search::Exhaustive);
                    }
                    let fit = auto.fit(&y);
                    (
                        id.clone(),
                        last,
                        *h,
                        fit.and_then(|f| {
                            Ok((
                                f.spec.to_string(),
                                f.predict_with(
                                    *h,
                                    &[80.0, 95.0],
                                    if std::env::var("SP_NORMAL").is_ok() {
                                        IntervalOptions::r_compatible()
                                    } else {
                                        IntervalOptions::default()
                                    },
                                )?,
                            ))
                        }),
                    )
                })
                .collect()
        });
        let cpu = cpu_seconds() - t0;
        let mut failed = 0;
        let mut forms: BTreeMap<String, usize> = BTreeMap::new();
        for (id, last, h, res) in results {
            match res {
                Ok((form, fc)) => {
                    *forms.entry(form).or_default() += 1;
                    for k in 0..h {
                        writeln!(
                            out,
                            "{id},{},salesplan_autoets,{},{},{},{},{}",
                            last + 1 + k as i64,
                            fc.mean[k],
                            fc.intervals[0].lower[k],
                            fc.intervals[0].upper[k],
                            fc.intervals[1].lower[k],
                            fc.intervals[1].upper[k]
                        )?;
                    }
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("{id}: {e}");
                }
            }
        }
        eprintln!(
            "{group:10} n={:4} failed={failed} cpu={cpu:.2}s wall={:.2}s ({:.2} ms/series) forms={forms:?}",
            jobs.len(),
            w0.elapsed().as_secs_f64(),
            1000.0 * cpu / jobs.len() as f64
        );
    }
    Ok(())
}

/// CPU seconds (user + system) of this process.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
