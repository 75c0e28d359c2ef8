//! Phasing + balancing + rounding across time: 10,000 reps in about 400
//! teams (15 to 35 reps each) over the 52 ISO weeks of 2027, rounded to
//! 100, through `plan_block`; one rep in 15 is a new hire of 2027 and one
//! in 20 leaves during 2027 (zero cells outside their employment). Teams
//! are independent blocks, run in parallel with rayon and collected in
//! input order.
//!
//! `cargo bench --bench phase -- --warm-up-time 1 --measurement-time 3`
//!
//! Measured 2026-11-26 on the shared 2-core machine (load average 5-9 from
//! other builds): `phase_balance_round_10000x52` 29-100 ms wall depending
//! on the load (about 25 ms of CPU time per run, both threads together,
//! read from /proc/self/stat over 40 runs); `balance_bounded_10000x52`
//! about 34 ms (382 of 400 blocks feasible, 5.3 sweeps on average; the
//! other 18 are reported infeasible).

use chrono::{Duration, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use salesplan::plan::calendar::PlanningCalendar;
use salesplan::plan::phasing::balance::{balance, BalanceOptions, Bounds};
use salesplan::plan::phasing::profile::{MonthProfile, Phaser};
use salesplan::plan::phasing::round::round_vector;
use salesplan::plan::phasing::{plan_block, ChildTarget, PlanOptions, Table};

struct Team {
    children: Vec<ChildTarget>,
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
        let shares: Vec<f64> = (0..size).map(|_| rng.random_range(0.2..2.0)).collect();
        let s: f64 = shares.iter().sum();
        let annuals = round_vector(
            &shares.iter().map(|x| x / s * total).collect::<Vec<_>>(),
            100.0,
        )
        .expect("whole total");
        let day0 = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
        let children: Vec<ChildTarget> = annuals
            .iter()
            .map(|&annual| {
                let profile = profile(&mut rng, &base);
                let k = rng.random_range(0..60);
                let (start, end) = match k {
                    0..=3 => (Some(day0 + Duration::days(rng.random_range(30..300))), None),
                    4..=6 => (None, Some(day0 + Duration::days(rng.random_range(60..330)))),
                    _ => (None, None),
                };
                ChildTarget {
                    annual,
                    profile,
                    start,
                    end,
                }
            })
            .collect();
        // the team's weekly targets: its profile for the full-year reps,
        // their own phasing for hires and leavers, so the block is feasible
        let mut weeks = vec![0.0; phaser.len()];
        for c in &children {
            let p = if c.start.is_none() && c.end.is_none() {
                team_profile
            } else {
                c.profile
            };
            for (w, v) in weeks
                .iter_mut()
                .zip(phaser.phase_active(c.annual, &p, c.start, c.end))
            {
                *w += v;
            }
        }
        let weeks = round_vector(&weeks, 100.0).expect("whole total");
        out.push(Team { children, weeks });
    }
    out
}

fn plan(phaser: &Phaser, teams: &[Team]) -> Vec<Table> {
    let options = PlanOptions {
        unit: Some(100.0),
        ..Default::default()
    };
    teams
        .par_iter()
        .map(|t| plan_block(phaser, &t.children, &t.weeks, &options).expect("feasible block"))
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
    // the balancing step alone with cell bounds on every cell (each cell
    // between 0.5× and 1.5× its phased seed): the bounded row/column fits
    let bounded: Vec<(Table, Bounds, &Team)> = teams
        .iter()
        .map(|t| {
            let annuals: Vec<f64> = t.children.iter().map(|c| c.annual).collect();
            let profiles: Vec<MonthProfile> = t.children.iter().map(|c| c.profile).collect();
            let seed = phaser.phase_table(&annuals, &profiles).expect("seed");
            let mut b = Bounds::new(seed.rows(), seed.columns());
            for i in 0..seed.rows() {
                for j in 0..seed.columns() {
                    let v = seed.get(i, j);
                    b.set(i, j, 0.5 * v, 1.5 * v).expect("valid bounds");
                }
            }
            (seed, b, t)
        })
        .collect();
    let run_bounded = || {
        bounded
            .par_iter()
            .map(|(seed, bounds, t)| {
                let rows: Vec<f64> = t.children.iter().map(|c| c.annual).collect();
                balance(
                    seed,
                    &rows,
                    &t.weeks,
                    Some(bounds),
                    &BalanceOptions::default(),
                )
                .map(|b| b.iterations)
            })
            .collect::<Vec<_>>()
    };
    let outcomes = run_bounded();
    let ok: Vec<usize> = outcomes
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    eprintln!(
        "bounded blocks: {} of {} feasible, {:.1} sweeps on average",
        ok.len(),
        outcomes.len(),
        ok.iter().sum::<usize>() as f64 / ok.len().max(1) as f64
    );
    g.bench_function("balance_bounded_10000x52", |b| b.iter(run_bounded));
    g.finish();
}

criterion_group!(benches, across_time);
criterion_main!(benches);
