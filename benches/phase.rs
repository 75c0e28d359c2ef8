//! Phasing + balancing + rounding across time: 10,000 reps in 400 teams
//! (15 to 35 reps each) over the 52 ISO weeks of 2027, rounded to 100.
//! Teams are independent blocks, run in parallel with rayon and collected
//! in input order.
//!
//! `cargo bench --bench phase -- --warm-up-time 1 --measurement-time 3`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use salesplan::allocate_time::balance::{balance, BalanceOptions};
use salesplan::allocate_time::phase::{MonthProfile, Phaser};
use salesplan::allocate_time::round::{round_table, round_vector};
use salesplan::allocate_time::Table;
use salesplan::planning_calendar::PlanningCalendar;

struct Team {
    annuals: Vec<f64>,
    profiles: Vec<MonthProfile>,
    weeks: Vec<f64>,
}

fn profile(rng: &mut ChaCha8Rng, base: &[f64; 12]) -> MonthProfile {
    let w = base.map(|b| b * rng.random_range(0.7..1.3));
    MonthProfile::new(w).expect("positive weights")
}

fn teams(phaser: &Phaser, reps: usize) -> Vec<Team> {
    let mut rng = ChaCha8Rng::seed_from_u64(2027);
    let base = [0.6, 0.7, 1.0, 0.9, 1.0, 1.4, 0.9, 0.9, 1.0, 1.0, 1.6, 1.2];
    let mut out = Vec::new();
    let mut left = reps;
    while left > 0 {
        let size = rng.random_range(15..=35).min(left);
        left -= size;
        let team_profile = profile(&mut rng, &base);
        let total = 100.0 * rng.random_range(10_000..100_000) as f64 * size as f64;
        let weeks = round_vector(&phaser.phase(total, &team_profile), 100.0).expect("whole total");
        let shares: Vec<f64> = (0..size).map(|_| rng.random_range(0.2..2.0)).collect();
        let s: f64 = shares.iter().sum();
        let annuals = round_vector(
            &shares.iter().map(|x| x / s * total).collect::<Vec<_>>(),
            100.0,
        )
        .expect("whole total");
        let profiles = (0..size).map(|_| profile(&mut rng, &base)).collect();
        out.push(Team {
            annuals,
            profiles,
            weeks,
        });
    }
    out
}

fn plan(phaser: &Phaser, teams: &[Team]) -> Vec<Table> {
    teams
        .par_iter()
        .map(|t| {
            let seed = phaser.phase_table(&t.annuals, &t.profiles).expect("seed");
            let b = balance(
                &seed,
                &t.annuals,
                &t.weeks,
                None,
                &BalanceOptions::default(),
            )
            .expect("balanced");
            round_table(&b.table, 100.0).expect("rounded")
        })
        .collect()
}

fn across_time(c: &mut Criterion) {
    let periods = PlanningCalendar::iso_weekly()
        .periods(2027)
        .expect("calendar");
    let phaser = Phaser::new(&periods);
    let reps = 10_000;
    let teams = teams(&phaser, reps);
    // the result is the same on every run
    assert_eq!(plan(&phaser, &teams), plan(&phaser, &teams));
    let mut g = c.benchmark_group("across_time");
    g.throughput(Throughput::Elements((reps * periods.len()) as u64));
    g.bench_function("phase_balance_round_10000x52", |b| {
        b.iter(|| plan(&phaser, &teams))
    });
    g.finish();
}

criterion_group!(benches, across_time);
criterion_main!(benches);
