#![allow(clippy::needless_range_loop)]
//! Properties of the allocation (proptest): exact sums after rounding,
//! bounds and locks held, determinism for any thread count, independence of
//! input row order, monotonicity in the target, exact infeasibility.
//!
//! 1200 single splits + 800 whole trees per run.

use chrono::NaiveDate;
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use salesplan::plan::allocate::{
    allocate, round_split_into, split_into, Allocation, AllocationInput, AllocationOptions, Method,
    NodeConstraints, Ramp, Workspace,
};
use salesplan::plan::org::{NodeRow, OrgTree};
use salesplan::Error;

const YEAR: i32 = 2027;

/// One child of a single split: basis, lower bound, width (None: no upper
/// bound), locked.
type Child = (u32, u32, Option<u32>, bool);

fn bounds(children: &[Child]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let basis = children.iter().map(|c| c.0 as f64).collect();
    let lower: Vec<f64> = children.iter().map(|c| c.1 as f64 / 4.0).collect();
    let upper = children
        .iter()
        .zip(&lower)
        .map(|(c, l)| match (c.3, c.2) {
            (true, _) => *l,
            (false, Some(w)) => l + w as f64 / 4.0,
            (false, None) => f64::INFINITY,
        })
        .collect();
    (basis, lower, upper)
}

fn method(ls: bool) -> Method {
    if ls {
        Method::LeastSquares
    } else {
        Method::Proportional
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1200))]

    #[test]
    fn single_split(
        children in prop::collection::vec(
            (0u32..100, 0u32..200, prop::option::weighted(0.8, 0u32..400), prop::bool::weighted(0.1)),
            1..30,
        ),
        target in 0u32..20_000,
        step in 0u32..2_000,
        ls in any::<bool>(),
        rotate in 0usize..30,
    ) {
        let (basis, lower, upper) = bounds(&children);
        let n = basis.len();
        let t = target as f64 / 4.0;
        let min_sum: f64 = lower.iter().sum();
        let max_sum: f64 = upper.iter().sum();
        let mut x = vec![0.0; n];
        let mut ws = Workspace::default();
        let result = split_into(method(ls), t, &basis, &lower, &upper, &mut x, &mut ws);
        // infeasible exactly when Σmin > T or Σmax < T
        prop_assert_eq!(result.is_ok(), min_sum <= t && t <= max_sum);
        if result.is_err() {
            return Ok(());
        }
        let scale = t.max(1.0);
        let sum: f64 = x.iter().sum();
        prop_assert!((sum - t).abs() <= 1e-9 * scale, "sum {} target {}", sum, t);
        for i in 0..n {
            prop_assert!(lower[i] <= x[i] && x[i] <= upper[i]);
        }
        // whole units: the exact total, within bounds, within one unit
        if t.fract() == 0.0 {
            let lo: Vec<i64> = lower.iter().map(|l| l.ceil() as i64).collect();
            let hi: Vec<i64> = upper.iter().map(|u| if u.is_finite() { u.floor() as i64 } else { i64::MAX }).collect();
            let mut units = vec![0i64; n];
            let within = round_split_into(&x, t as i64, &lo, &hi, &mut units, &mut ws).unwrap();
            prop_assert_eq!(units.iter().sum::<i64>(), t as i64);
            for i in 0..n {
                prop_assert!((units[i] as f64 - x[i]).abs() < 1.0);
                if within {
                    prop_assert!(lo[i] <= units[i] && units[i] <= hi[i]);
                }
            }
        }
        // monotone in the target
        let t2 = t + step as f64 / 4.0;
        let mut x2 = vec![0.0; n];
        if split_into(method(ls), t2, &basis, &lower, &upper, &mut x2, &mut ws).is_ok() {
            for i in 0..n {
                prop_assert!(x2[i] >= x[i] - 1e-9 * scale, "child {} fell from {} to {}", i, x[i], x2[i]);
            }
        }
        // children's order does not matter
        let k = rotate % n;
        let rot = |v: &[f64]| { let mut v = v.to_vec(); v.rotate_left(k); v };
        let mut y = vec![0.0; n];
        split_into(method(ls), t, &rot(&basis), &rot(&lower), &rot(&upper), &mut y, &mut ws).unwrap();
        let xr = rot(&x);
        for i in 0..n {
            prop_assert!((y[i] - xr[i]).abs() <= 1e-9 * scale);
        }
    }
}

/// A random tree with data: per node (parent pick, basis, last year,
/// constraint kind, a, b).
type NodeSpec = (prop::sample::Index, u32, u32, u8, u32, u32);

struct Case {
    rows: Vec<NodeRow>,
    basis: Vec<(String, f64)>,
    last_year: Vec<(String, f64)>,
    constraints: Vec<(String, NodeConstraints)>,
}

fn case(specs: &[NodeSpec]) -> Case {
    let mut rows = Vec::new();
    let mut basis = Vec::new();
    let mut last_year = Vec::new();
    let mut constraints = Vec::new();
    for (i, (pick, b, ly, kind, a, w)) in specs.iter().enumerate() {
        let id = format!("节点{i}");
        let parent = (i > 0).then(|| format!("节点{}", pick.index(i)));
        let mut row = NodeRow {
            id: id.clone(),
            parent,
            line: i as u64 + 2,
            ..NodeRow::default()
        };
        let mut c = NodeConstraints::default();
        let (a, w) = (*a as f64, *w as f64);
        match kind {
            3 => c.min = Some(a),
            4 => c.max = Some(a + w),
            5 => {
                c.growth_min = Some(-(w % 30.0) / 100.0);
                c.growth_max = Some((a % 50.0) / 100.0);
            }
            6 => c.lock = Some((a % 10.0) * 100.0),
            7 => c.over_assignment = Some((w % 20.0) / 100.0),
            8 => row.end = NaiveDate::from_ymd_opt(2026, 5, 31),
            9 => row.start = NaiveDate::from_ymd_opt(2027, 4, 1),
            _ => {}
        }
        rows.push(row);
        basis.push((id.clone(), *b as f64));
        last_year.push((id.clone(), *ly as f64));
        constraints.push((id, c));
    }
    Case {
        rows,
        basis,
        last_year,
        constraints,
    }
}

fn run(
    case: &Case,
    rows: Vec<NodeRow>,
    target: f64,
    unit: Option<f64>,
    threads: usize,
    ls: bool,
) -> (OrgTree, Result<Allocation, Error>) {
    let tree = OrgTree::from_rows(rows, "random".as_ref()).unwrap();
    let n = tree.len();
    let place = |pairs: &[(String, f64)]| {
        let mut v = vec![0.0; n];
        for (id, x) in pairs {
            v[tree.index_of(id).unwrap()] = *x;
        }
        v
    };
    let mut constraints = vec![NodeConstraints::default(); n];
    for (id, c) in &case.constraints {
        constraints[tree.index_of(id).unwrap()] = *c;
    }
    let input = AllocationInput {
        basis: place(&case.basis),
        last_year: place(&case.last_year),
        constraints,
        activity: Ramp::default().factors(&tree, YEAR),
    };
    let options = AllocationOptions {
        method: method(ls),
        unit,
        year: YEAR,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let result = pool.install(|| allocate(&tree, &input, target, &options));
    (tree, result)
}

/// Independent feasibility check (no rounding): the interval of targets
/// each node can take, from its own constraints and its children's.
fn feasible(tree: &OrgTree, case: &Case, target: f64) -> bool {
    let n = tree.len();
    let ly_leaf: Vec<f64> = {
        let mut v = vec![0.0; n];
        for (id, x) in &case.last_year {
            v[tree.index_of(id).unwrap()] = *x;
        }
        tree.aggregate(&v).unwrap()
    };
    let activity = Ramp::default().factors(tree, YEAR);
    let mut c = vec![NodeConstraints::default(); n];
    for (id, k) in &case.constraints {
        c[tree.index_of(id).unwrap()] = *k;
    }
    fn range(
        v: usize,
        tree: &OrgTree,
        c: &[NodeConstraints],
        ly: &[f64],
        act: &[f64],
    ) -> Option<(f64, f64)> {
        let k = &c[v];
        let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
        let caps = ly[v] > 0.0 && !salesplan::plan::allocate::is_new(tree, v, YEAR);
        if let Some(m) = k.min {
            lo = lo.max(m);
        }
        if let (Some(g), true) = (k.growth_min, caps) {
            lo = lo.max(ly[v] * (1.0 + g));
        }
        if let Some(m) = k.max {
            hi = hi.min(m);
        }
        if let (Some(g), true) = (k.growth_max, caps) {
            hi = hi.min(ly[v] * (1.0 + g));
        }
        if let Some(l) = k.lock {
            lo = l;
            hi = l;
        }
        if act[v] == 0.0 {
            hi = hi.min(0.0);
            if k.lock.is_none() {
                lo = lo.min(0.0);
            }
        }
        if lo > hi {
            return None;
        }
        let kids = tree.children(v);
        if kids.is_empty() {
            return Some((lo, hi));
        }
        let o = 1.0 + k.over_assignment.unwrap_or(0.0);
        let (mut cl, mut ch) = (0.0, 0.0);
        for child in kids {
            let (a, b) = range(child, tree, c, ly, act)?;
            cl += a;
            ch += b;
        }
        let (lo, hi) = (lo.max(cl / o), hi.min(ch / o));
        (lo <= hi).then_some((lo, hi))
    }
    range(tree.root(), tree, &c, &ly_leaf, &activity)
        .is_some_and(|(lo, hi)| lo <= target && target <= hi)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(800))]

    #[test]
    fn whole_tree(
        specs in prop::collection::vec(
            (any::<prop::sample::Index>(), 0u32..100, 0u32..100, 0u8..24, 0u32..200, 0u32..100),
            2..40,
        ),
        target in 0u32..30_000,
        unit_pick in 0usize..3,
        step in 1u32..3_000,
        seed in any::<u64>(),
        ls in any::<bool>(),
    ) {
        let unit = [1.0, 10.0, 100.0][unit_pick];
        let case = case(&specs);
        let target = target as f64;

        // without rounding: exact infeasibility and monotonicity
        let (tree, exact) = run(&case, case.rows.clone(), target, None, 1, ls);
        prop_assert_eq!(exact.is_ok(), feasible(&tree, &case, target), "{:?}", exact.as_ref().err().map(|e| e.to_string()));
        if let Err(e) = &exact {
            prop_assert!(matches!(e, Error::Infeasible { .. } | Error::ConflictingBounds { .. }), "{}", e);
        }
        if let Ok(plan) = &exact {
            let (_, higher) = run(&case, case.rows.clone(), target + step as f64, None, 1, ls);
            if let Ok(higher) = higher {
                for i in 0..tree.len() {
                    prop_assert!(higher.targets[i] >= plan.targets[i] - 1e-9 * target.max(1.0));
                }
            }
        }

        // rounded: sums exact in whole units, bounds held
        let (tree, rounded) = run(&case, case.rows.clone(), target, Some(unit), 1, ls);
        let Ok(plan) = rounded else { return Ok(()) };
        let units = plan.units.clone().unwrap();
        for p in 0..tree.len() {
            let kids = tree.children(p);
            if kids.is_empty() { continue; }
            let c = case.constraints.iter().find(|(id, _)| id == tree.id(p)).unwrap().1;
            let expected = (units[p] as f64 * (1.0 + c.over_assignment.unwrap_or(0.0))).round() as i64;
            prop_assert_eq!(units[kids].iter().sum::<i64>(), expected);
        }
        let ly = &plan.last_year;
        for i in 0..tree.len() {
            let t = plan.targets[i];
            prop_assert_eq!(t, units[i] as f64 * unit);
            let c = case.constraints.iter().find(|(id, _)| id == tree.id(i)).unwrap().1;
            if let Some(l) = c.lock {
                prop_assert_eq!(t, l);
                continue;
            }
            prop_assert!(t >= 0.0);
            if let Some(m) = c.min { prop_assert!(t >= m); }
            if let Some(m) = c.max { prop_assert!(t <= m); }
            if ly[i] > 0.0 && !salesplan::plan::allocate::is_new(&tree, i, YEAR) {
                if let Some(g) = c.growth_min { prop_assert!(t >= ly[i] * (1.0 + g)); }
                if let Some(g) = c.growth_max { prop_assert!(t <= ly[i] * (1.0 + g)); }
            }
            if tree.end_date(i).is_some() { prop_assert_eq!(t, 0.0); }
        }

        // the same for 3 threads and for shuffled input rows
        let (_, threaded) = run(&case, case.rows.clone(), target, Some(unit), 3, ls);
        prop_assert_eq!(&threaded.unwrap().targets, &plan.targets);
        let mut rows = case.rows.clone();
        rows.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let (shuffled_tree, shuffled) = run(&case, rows, target, Some(unit), 2, ls);
        let shuffled = shuffled.unwrap();
        for i in 0..tree.len() {
            let j = shuffled_tree.index_of(tree.id(i)).unwrap();
            prop_assert_eq!(shuffled.targets[j], plan.targets[i]);
        }
    }
}
