//! Scenario sweeps: plan (allocate, round, check), phase into months and
//! score the attainability of every node, for many scenarios over a
//! synthetic org of 1,000 and 10,000 reps × 12 months (forecast
//! distributions of 1,000 paths per rep, simulated once outside the timing),
//! on 1 and 2 threads; plus fitting and simulating the reps' histories once.
//!
//! `cargo bench --bench sweep -- --warm-up-time 1 --measurement-time 3`
//!
//! Throughput is in scenarios (elements) per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use salesplan::attainment::{simulate_year, LeafHistory, SimulationOptions};
use salesplan::scenario::{read_scenarios_from, Scenario};
use salesplan::sweep::{sweep, synthetic, Outcome, PlanningData, ProfilePhasing};

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
    let mut planned = 0;
    sweep(data, scenarios, &ProfilePhasing, &|_| {}, |_, o| {
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

criterion_group!(benches, sweeps, fit_once);
criterion_main!(benches);
