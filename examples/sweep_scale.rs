//! Times a scenario sweep end to end in the library (allocate, round, check,
//! phase into months, score), on synthetic data, fits excluded:
//!
//! `cargo run --release --example sweep_scale -- [reps] [scenarios] [threads] [paths] [balanced]`
//!
//! defaults: 10000 reps, 1000 scenarios, 2 threads, 1000 paths; a fifth
//! argument 1 phases with `BalancedPhasing` (two-way balanced months, the
//! CLI's default) instead of `ProfilePhasing` (each node on its own).

use std::time::Instant;

use salesplan::scenario::{CompanyTarget, Scenario};
use salesplan::sweep::{sweep, synthetic, BalancedPhasing, Outcome, Phasing, ProfilePhasing};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let get = |k: usize, default: usize| args.get(k).copied().unwrap_or(default);
    let (reps, count, threads, paths) = (get(0, 10_000), get(1, 1000), get(2, 2), get(3, 1000));
    let balanced = get(4, 0) == 1;
    let started = Instant::now();
    let data = synthetic(reps, paths, 1);
    let built = started.elapsed();
    let bases = [
        "forecast",
        "history",
        "forecast:0.6,history:0.4",
        "trailing:0.5,forecast:0.5",
    ];
    let scenarios: Vec<Scenario> = (0..count)
        .map(|k| {
            let mut s = Scenario::new(
                &format!("s{k}"),
                CompanyTarget::Growth(0.02 * (k % 13) as f64),
            );
            s.basis = bases[k % 4].parse().unwrap_or_default();
            s.growth_max = Some([0.3, 0.6][k / 4 % 2]);
            s.over_assignment = vec![0.0, 0.03, 0.05];
            s.unit = Some(if k % 2 == 0 { 1.0 } else { 100.0 });
            if k % 2 == 1 {
                s.growth_min = Some(-0.2);
            }
            s
        })
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let balanced_phasing = BalancedPhasing::new(&data, &scenarios)?;
    let phasing: &dyn Phasing = if balanced {
        &balanced_phasing
    } else {
        &ProfilePhasing
    };
    let started = Instant::now();
    let mut planned = 0;
    pool.install(|| {
        sweep(&data, &scenarios, phasing, &|_| {}, |_, o| {
            planned += usize::from(matches!(o, Outcome::Planned(_)));
            Ok(())
        })
    })?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "{} phasing, {reps} reps ({} nodes), {paths} paths, {threads} threads: {count} scenarios ({planned} planned) in {took:.2} s = {:.0} scenarios/s (data built in {:.2} s)",
        if balanced { "balanced" } else { "profile" },
        data.tree.len(),
        count as f64 / took,
        built.as_secs_f64()
    );
    Ok(())
}
