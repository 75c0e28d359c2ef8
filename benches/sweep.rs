//! Scenario sweeps: plan (allocate, round, check), phase into months and
//! score the attainability of every node, for many scenarios over a
//! synthetic org of 1,000 and 10,000 reps × 12 months (forecast
//! distributions of 1,000 paths per rep, simulated once outside the timing),
//! on 1 and 2 threads; plus fitting and simulating the reps' histories once;
//! plus the whole job at scale: the demo company copied 26 times (10,036
//! reps, as `scripts/replicate_demo.py` writes it), every rep fitted and
//! simulated once, then the 1,000 scenarios of
//! `datasets/demo/scenarios_1000.toml` planned, phased by balanced months,
//! rounded, checked and scored, on 2 threads.
//!
//! `cargo bench --bench sweep -- --warm-up-time 1 --measurement-time 3`
//! (`-- end_to_end` for the whole job only)
//!
//! Throughput is in scenarios (elements) per second.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use salesplan::io::{read_long_csv_from, Columns};
use salesplan::plan::org::OrgTree;
use salesplan::scenario::attainment::{simulate_year, LeafHistory, SimulationOptions};
use salesplan::scenario::sweep::{
    sweep, synthetic, BalancedPhasing, Outcome, Phasing, PlanningData, ProfilePhasing,
};
use salesplan::scenario::{read_scenarios, read_scenarios_from, Scenario};
use salesplan::Series;

/// 100 scenarios: growth × basis × growth caps × rounding, with
/// over-assignment and a ramp, as a planning team would try them.
fn scenarios() -> Vec<Scenario> {
    let text = r#"
[defaults]
over_assignment = [0.0, 0.03, 0.05]
ramp = [0.3, 0.6, 0.9]

[[grid]]
name = "g"
growth = [0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.22, 0.24, 0.26]
basis = ["forecast", "history", "forecast:0.6,history:0.4", "trailing:0.5,forecast:0.5"]
growth_max = [0.3, 0.6]
round = [1]
"#;
    let mut s = read_scenarios_from(text, "bench.toml".as_ref()).unwrap();
    s.truncate(100);
    for (k, x) in s.iter_mut().enumerate() {
        if k % 2 == 1 {
            x.unit = Some(100.0);
            x.growth_min = Some(-0.2);
        }
    }
    s
}

fn run(data: &PlanningData, scenarios: &[Scenario]) -> usize {
    run_with(data, scenarios, &ProfilePhasing)
}

fn run_with(data: &PlanningData, scenarios: &[Scenario], phasing: &dyn Phasing) -> usize {
    let mut planned = 0;
    sweep(data, scenarios, phasing, &|_| {}, |_, o| {
        planned += usize::from(matches!(o, Outcome::Planned(_)));
        Ok(())
    })
    .unwrap();
    planned
}

fn sweeps(c: &mut Criterion) {
    let scenarios = scenarios();
    let mut g = c.benchmark_group("sweep_100_scenarios");
    g.sample_size(10);
    g.throughput(Throughput::Elements(scenarios.len() as u64));
    for reps in [1_000, 10_000] {
        let data = synthetic(reps, 1000, 1);
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let planned = pool.install(|| run(&data, &scenarios));
            eprintln!(
                "{reps} reps: {planned} of {} scenarios planned",
                scenarios.len()
            );
            g.bench_function(format!("{reps}_reps/{threads}_threads"), |b| {
                b.iter(|| pool.install(|| run(&data, &scenarios)))
            });
        }
    }
    g.finish();
}

/// Fitting AutoETS and simulating 1,000 paths of the plan year, per rep.
fn fit_once(c: &mut Criterion) {
    let reps = 100;
    let histories: Vec<(String, Vec<f64>)> = (0..reps)
        .map(|k| {
            let y = (0..48)
                .map(|t| {
                    let season = [0.8, 0.7, 1.0, 1.0, 1.0, 1.3, 1.0, 0.9, 1.0, 1.0, 1.4, 1.2];
                    let wiggle = 1.0 + 0.05 * (((t * 7 + k * 3) % 11) as f64 - 5.0) / 5.0;
                    (100.0 + k as f64) * (1.0 + 0.01 * t as f64) * season[t % 12] * wiggle
                })
                .collect();
            (format!("rep{k:06}"), y)
        })
        .collect();
    let data = synthetic(reps, 1, 1);
    let leaves: Vec<LeafHistory> = (0..data.tree.len())
        .filter(|&i| data.tree.is_leaf(i))
        .zip(&histories)
        .map(|(node, (id, y))| LeafHistory {
            node,
            id,
            values: y,
            gap: 0,
            active: None,
            factors: None,
        })
        .collect();
    let mut g = c.benchmark_group("fit_and_simulate_1000_paths");
    g.sample_size(10);
    g.throughput(Throughput::Elements(reps as u64));
    g.bench_function(format!("{reps}_reps"), |b| {
        b.iter(|| simulate_year(&data.tree, &leaves, &SimulationOptions::default()).unwrap())
    });
    g.finish();
}

/// The demo company copied `copies` times under a group root `TOP`, node
/// ids prefixed `k00_`, `k01_`, ... (as `scripts/replicate_demo.py`).
fn replicated_demo(copies: usize) -> (OrgTree, Vec<Series>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let org = std::fs::read_to_string(root.join("org.csv")).unwrap();
    let sales = std::fs::read_to_string(root.join("sales_monthly.csv")).unwrap();
    let mut big_org = String::from("node_id,parent_id,name,start_date,end_date\nTOP,,集团,,\n");
    let mut big_sales = String::from("unique_id,ds,y\n");
    for k in 0..copies {
        let prefix = format!("k{k:02}_");
        for line in org.lines().skip(1) {
            let (id, rest) = line.split_once(',').unwrap();
            let (parent, rest) = rest.split_once(',').unwrap();
            let parent = if parent.is_empty() {
                "TOP".to_string()
            } else {
                format!("{prefix}{parent}")
            };
            big_org.push_str(&format!("{prefix}{id},{parent},{rest}\n"));
        }
        for line in sales.lines().skip(1) {
            big_sales.push_str(&format!("{prefix}{line}\n"));
        }
    }
    let tree = OrgTree::read_from(big_org.as_bytes(), "org.csv".as_ref()).unwrap();
    let series = read_long_csv_from(
        big_sales.as_bytes(),
        "sales.csv".as_ref(),
        &Columns::default(),
    )
    .unwrap();
    (tree, series)
}

/// Fit once, then 1,000 scenarios: the workload of issue 5 (< 10 s on 2 cores).
fn end_to_end(c: &mut Criterion) {
    let (tree, series) = replicated_demo(26);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenarios = read_scenarios(&root.join("datasets/demo/scenarios_1000.toml")).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let job = || {
        pool.install(|| {
            let data = PlanningData::from_history(
                tree.clone(),
                &series,
                2026,
                12,
                &SimulationOptions::default(),
            )
            .unwrap();
            let phasing = BalancedPhasing::new(&data, &scenarios).unwrap();
            run_with(&data, &scenarios, &phasing)
        })
    };
    eprintln!(
        "{} reps: {} of {} scenarios planned",
        series.len(),
        job(),
        scenarios.len()
    );
    let mut g = c.benchmark_group("end_to_end");
    g.sample_size(10);
    g.throughput(Throughput::Elements(scenarios.len() as u64));
    g.bench_function("fit_10036_reps_then_1000_scenarios/2_threads", |b| {
        b.iter(job)
    });
    g.finish();
}

criterion_group!(benches, sweeps, fit_once, end_to_end);
criterion_main!(benches);
