//! Properties of phasing, balancing and controlled rounding across time.
//!
//! `cargo test --release --test allocate_time_props`

use proptest::prelude::*;
use salesplan::plan::calendar::PlanningCalendar;
use salesplan::plan::phasing::balance::{balance, BalanceOptions, Bounds};
use salesplan::plan::phasing::profile::{MonthProfile, Phaser};
use salesplan::plan::phasing::round::{round_table, round_vector};
use salesplan::plan::phasing::Table;

/// A table whose row and column totals are whole units: an integer table
/// plus margin-preserving moves (+δ at (i,j),(k,l), −δ at (i,l),(k,j)).
fn integer_margin_table() -> impl Strategy<Value = (Table, f64)> {
    (
        1usize..8,
        1usize..14,
        prop_oneof![Just(1.0), Just(100.0), Just(1000.0)],
        // large cells (up to 1e11 units) keep their fractional parts too
        prop_oneof![Just(0.0), Just(1e6), Just(1e11)],
    )
        .prop_flat_map(|(n, m, unit, base)| {
            (
                prop::collection::vec(0u32..60, n * m),
                prop::collection::vec((0..n, 0..n, 0..m, 0..m, 0.0f64..4.0), 0..30),
            )
                .prop_map(move |(ints, moves)| {
                    let mut v: Vec<f64> = ints.iter().map(|&x| base + x as f64).collect();
                    for (i, k, j, l, d) in moves {
                        if i != k && j != l {
                            v[i * m + j] += d;
                            v[k * m + l] += d;
                            v[i * m + l] -= d;
                            v[k * m + j] -= d;
                        }
                    }
                    let v = v.into_iter().map(|x| x * unit).collect();
                    (Table::new(n, m, v).unwrap(), unit)
                })
        })
}

fn seed_and_margins() -> impl Strategy<Value = (Table, Vec<f64>, Vec<f64>)> {
    (1usize..8, 1usize..14).prop_flat_map(|(n, m)| {
        (
            prop::collection::vec(0.01f64..100.0, n * m),
            prop::collection::vec(prop_oneof![1 => Just(0.0), 6 => 1.0f64..1e6], n),
            prop::collection::vec(0.01f64..10.0, m),
        )
            .prop_map(move |(s, rows, cw)| {
                let total: f64 = rows.iter().sum();
                let wsum: f64 = cw.iter().sum();
                let cols: Vec<f64> = cw.iter().map(|w| w / wsum * total).collect();
                (Table::new(n, m, s).unwrap(), rows, cols)
            })
    })
}

fn close(a: &[f64], b: &[f64], scale: f64, tol: f64) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (x - y).abs() <= tol * scale.max(1e-300))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn rounding_keeps_every_total((t, unit) in integer_margin_table()) {
        let r = round_table(&t, unit).unwrap();
        let want_rows: Vec<f64> = t.row_sums().iter().map(|s| (s / unit).round() * unit).collect();
        let want_cols: Vec<f64> = t.column_sums().iter().map(|s| (s / unit).round() * unit).collect();
        prop_assert_eq!(r.row_sums(), want_rows);
        prop_assert_eq!(r.column_sums(), want_cols);
        for (x, v) in r.values().iter().zip(t.values()) {
            prop_assert!((x - v).abs() < unit * (1.0 + 1e-9), "{} vs {}", x, v);
            prop_assert_eq!((x / unit).round() * unit, *x);
        }
        prop_assert_eq!(round_table(&t, unit).unwrap(), r);
    }

    #[test]
    fn vector_rounding_keeps_the_sum(v in prop::collection::vec(0.0f64..1e4, 1..60)) {
        let total: f64 = v.iter().sum();
        let mut v = v;
        // make the sum whole
        v[0] += total.ceil() - total;
        let r = round_vector(&v, 1.0).unwrap();
        prop_assert_eq!(r.iter().sum::<f64>(), v.iter().sum::<f64>().round());
        for (x, y) in r.iter().zip(&v) {
            prop_assert!((x - y).abs() < 1.0 + 1e-9);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn balancing_reproduces_margins((seed, rows, cols) in seed_and_margins()) {
        let total: f64 = rows.iter().sum();
        let b = balance(&seed, &rows, &cols, None, &BalanceOptions::default()).unwrap();
        prop_assert!(close(&b.table.row_sums(), &rows, total, 1e-9));
        prop_assert!(close(&b.table.column_sums(), &cols, total, 1e-9));
        prop_assert!(b.table.values().iter().all(|&x| x >= 0.0));
        let again = balance(&seed, &rows, &cols, None, &BalanceOptions::default()).unwrap();
        prop_assert_eq!(again, b);
    }

    #[test]
    fn structural_zeros_feasible_by_construction_converge(
        (n, m, x, keep) in (1usize..7, 1usize..12).prop_flat_map(|(n, m)| (
            Just(n), Just(m),
            prop::collection::vec(0.1f64..100.0, n * m),
            prop::collection::vec(prop::bool::weighted(0.7), n * m),
        ))
    ) {
        // seed zero where `keep` is false; margins of a table on the same
        // support, so a strictly positive solution exists
        let x: Vec<f64> = x.iter().zip(&keep).map(|(v, k)| if *k { *v } else { 0.0 }).collect();
        let xt = Table::new(n, m, x.clone()).unwrap();
        let (rows, cols) = (xt.row_sums(), xt.column_sums());
        let total: f64 = rows.iter().sum::<f64>().max(1e-300);
        let seed = Table::new(n, m, keep.iter().map(|k| if *k { 1.0 } else { 0.0 }).collect()).unwrap();
        let b = balance(&seed, &rows, &cols, None, &BalanceOptions::default()).unwrap();
        prop_assert!(close(&b.table.row_sums(), &rows, total, 1e-9));
        prop_assert!(close(&b.table.column_sums(), &cols, total, 1e-9));
        for (k, v) in keep.iter().zip(b.table.values()) {
            prop_assert!(*k || *v == 0.0);
        }
    }

    #[test]
    fn infeasible_margins_are_reported(
        (n, m, keep, rows, cw) in (2usize..6, 2usize..8).prop_flat_map(|(n, m)| (
            Just(n), Just(m),
            prop::collection::vec(prop::bool::weighted(0.5), n * m),
            prop::collection::vec(1.0f64..100.0, n),
            prop::collection::vec(1.0f64..100.0, m),
        ))
    ) {
        let total: f64 = rows.iter().sum();
        let ws: f64 = cw.iter().sum();
        let cols: Vec<f64> = cw.iter().map(|w| w / ws * total).collect();
        let seed = Table::new(n, m, keep.iter().map(|k| if *k { 1.0 } else { 0.0 }).collect()).unwrap();
        let opts = BalanceOptions { tolerance: 1e-10, max_iterations: 3_000 };
        match balance(&seed, &rows, &cols, None, &opts) {
            Ok(b) => {
                prop_assert!(close(&b.table.row_sums(), &rows, total, 1e-9));
                prop_assert!(close(&b.table.column_sums(), &cols, total, 1e-9));
            }
            Err(salesplan::Error::BalanceInfeasible { .. }) => {
                // a certificate: some set of rows needs more than the
                // columns it can reach hold (brute force); a row with no
                // seed at all falls back to the column totals (reaches all)
                let empty_row = |i: usize| (0..m).all(|j| !keep[i * m + j]);
                let by_row = |i: usize, j: usize| keep[i * m + j] || empty_row(i);
                // likewise a column nobody reaches falls back to the row totals
                let empty_col = |j: usize| (0..n).all(|i| !by_row(i, j));
                let reaches = |i: usize, j: usize| by_row(i, j) || empty_col(j);
                let mut found = false;
                for mask in 1u32..(1 << n) {
                    let need: f64 = (0..n).filter(|i| mask >> i & 1 == 1).map(|i| rows[i]).sum();
                    let reach: f64 = (0..m)
                        .filter(|&j| (0..n).any(|i| mask >> i & 1 == 1 && reaches(i, j)))
                        .map(|j| cols[j])
                        .sum();
                    if need > reach * (1.0 + 1e-9) {
                        found = true;
                    }
                }
                prop_assert!(found);
            }
            Err(salesplan::Error::BalanceNotConverged { .. }) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    #[test]
    fn bounded_balancing_holds_bounds(
        (n, m, x, seed, lo, hi) in (1usize..6, 1usize..10).prop_flat_map(|(n, m)| (
            Just(n), Just(m),
            prop::collection::vec(0.0f64..100.0, n * m),
            prop::collection::vec(0.1f64..100.0, n * m),
            prop::collection::vec(0.0f64..1.0, n * m),
            prop::collection::vec(1.0f64..2.0, n * m),
        ))
    ) {
        // x is a solution, so the problem is feasible
        let xt = Table::new(n, m, x.clone()).unwrap();
        let (rows, cols) = (xt.row_sums(), xt.column_sums());
        let total: f64 = rows.iter().sum();
        let mut bounds = Bounds::new(n, m);
        for i in 0..n {
            for j in 0..m {
                let k = i * m + j;
                bounds.set(i, j, x[k] * lo[k], x[k] * hi[k]).unwrap();
            }
        }
        let seed = Table::new(n, m, seed).unwrap();
        let b = balance(&seed, &rows, &cols, Some(&bounds), &BalanceOptions::default()).unwrap();
        prop_assert!(close(&b.table.row_sums(), &rows, total, 1e-9));
        prop_assert!(close(&b.table.column_sums(), &cols, total, 1e-9));
        for k in 0..n * m {
            let v = b.table.values()[k];
            prop_assert!(v >= x[k] * lo[k] && v <= x[k] * hi[k]);
        }
    }

    #[test]
    fn phase_balance_round_pipeline(
        annual in prop::collection::vec(0u32..200_000, 1..12),
        weights in prop::collection::vec(prop::array::uniform12(0.0f64..5.0), 1..12),
        parent_weights in prop::array::uniform12(0.1f64..5.0),
    ) {
        let weeks = PlanningCalendar::iso_weekly().periods(2027).unwrap();
        let phaser = Phaser::new(&weeks);
        let n = annual.len();
        let annuals: Vec<f64> = annual.iter().map(|&a| a as f64 * 100.0).collect();
        let total: f64 = annuals.iter().sum();
        let parent = MonthProfile::new(parent_weights).unwrap();
        let profiles: Vec<MonthProfile> = (0..n)
            .map(|i| MonthProfile::new(weights[i % weights.len()]).unwrap_or(parent))
            .collect();
        let columns = round_vector(&phaser.phase(total, &parent), 100.0).unwrap();
        let seed = phaser.phase_table(&annuals, &profiles).unwrap();
        let run = || -> Table {
            let b = balance(&seed, &annuals, &columns, None, &BalanceOptions::default()).unwrap();
            round_table(&b.table, 100.0).unwrap()
        };
        let r = run();
        prop_assert_eq!(r.row_sums(), annuals.clone());
        prop_assert_eq!(r.column_sums(), columns.clone());
        prop_assert_eq!(run(), r);
    }
}

mod blocks {
    use super::*;
    use chrono::{Duration, NaiveDate};
    use salesplan::plan::phasing::{plan_block, ChildTarget, PlanOptions};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// New hires and leavers: nothing outside their active weeks, every
        /// total exact after rounding to 100.
        #[test]
        fn plan_block_with_hires_and_leavers(
            children in prop::collection::vec(
                (1u32..500, prop::array::uniform12(0.1f64..3.0), prop::option::of(0i64..300), prop::option::of(60i64..365)),
                1..20,
            ),
            veteran in prop::array::uniform12(0.1f64..3.0),
        ) {
            let weeks = PlanningCalendar::iso_weekly().periods(2027).unwrap();
            let phaser = Phaser::new(&weeks);
            let day0 = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
            let mut list = vec![ChildTarget {
                annual: 5_000_000.0,
                profile: MonthProfile::new(veteran).unwrap(),
                start: None,
                end: None,
            }];
            for (a, w, s, e) in &children {
                let start = s.map(|d| day0 + Duration::days(d));
                let end = e.map(|d| day0 + Duration::days(d)).filter(|e| start.is_none_or(|s| s <= *e));
                list.push(ChildTarget {
                    annual: *a as f64 * 100.0,
                    profile: MonthProfile::new(*w).unwrap(),
                    start,
                    end,
                });
            }
            // a feasible parent: the children's own phasing with the
            // veteran on the parent's profile
            let mut parent = vec![0.0; weeks.len()];
            for (i, c) in list.iter().enumerate() {
                let p = if i == 0 { MonthProfile::flat() } else { c.profile };
                for (x, v) in parent.iter_mut().zip(phaser.phase_active(c.annual, &p, c.start, c.end)) {
                    *x += v;
                }
            }
            let parent = round_vector(&parent, 100.0).unwrap();
            let opts = PlanOptions { unit: Some(100.0), ..Default::default() };
            let t = plan_block(&phaser, &list, &parent, &opts).unwrap();
            prop_assert_eq!(t.row_sums(), list.iter().map(|c| c.annual).collect::<Vec<_>>());
            prop_assert_eq!(t.column_sums(), parent.clone());
            for (i, c) in list.iter().enumerate() {
                for (j, p) in weeks.iter().enumerate() {
                    let inactive = c.start.is_some_and(|s| s >= p.end) || c.end.is_some_and(|e| e < p.start);
                    prop_assert!(!inactive || t.get(i, j) == 0.0);
                }
            }
            prop_assert_eq!(plan_block(&phaser, &list, &parent, &opts).unwrap(), t);
        }
    }
}
