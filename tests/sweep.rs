//! Scenario sweeps: every plan meets every constraint (checked here, on
//! its own, not by the library's checker), the same results for any thread
//! count, probabilities in [0, 1] and non-increasing in the target.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use salesplan::plan::allocate::{is_new, Basis, Method, Ramp};
use salesplan::scenario::attainment::active_months;
use salesplan::scenario::sweep::{sweep, synthetic, Outcome, PlanningData, ProfilePhasing};
use salesplan::scenario::{CompanyTarget, Scenario};

fn random_scenario(k: usize, rng: &mut ChaCha8Rng) -> Scenario {
    let mut s = Scenario::new(
        &format!("s{k}"),
        if rng.random_bool(0.8) {
            CompanyTarget::Growth(rng.random_range(-0.1..0.35))
        } else {
            CompanyTarget::Absolute(rng.random_range(1.0e7..4.0e7))
        },
    );
    let mut basis = Basis::new();
    for column in ["history", "trailing", "forecast", "equal"] {
        if rng.random_bool(0.5) {
            basis = basis.with(column, rng.random_range(0.0..1.0)).unwrap();
        }
    }
    if basis.parts().is_empty() {
        basis = basis.with("forecast", 1.0).unwrap();
    }
    s.basis = basis;
    s.method = if rng.random_bool(0.5) {
        Method::Proportional
    } else {
        Method::LeastSquares
    };
    if rng.random_bool(0.3) {
        s.rep_min = Some(rng.random_range(0.0..60_000.0));
    }
    if rng.random_bool(0.3) {
        s.rep_max = Some(rng.random_range(150_000.0..400_000.0));
    }
    if rng.random_bool(0.5) {
        s.growth_min = Some(rng.random_range(-0.3..0.05));
    }
    if rng.random_bool(0.5) {
        s.growth_max = Some(rng.random_range(0.1..0.6));
    }
    if rng.random_bool(0.4) {
        s.over_assignment = (0..rng.random_range(1..=3))
            .map(|_| rng.random_range(0.0..0.15))
            .collect();
    }
    if rng.random_bool(0.3) {
        s.ramp = Ramp::new(vec![rng.random_range(0.0..1.0), 1.0]).unwrap();
    }
    s.unit = [None, Some(1.0), Some(100.0), Some(0.01)][rng.random_range(0..4)];
    s
}

fn run(data: &PlanningData, scenarios: &[Scenario], threads: usize) -> Vec<Outcome> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut out = Vec::new();
    pool.install(|| {
        sweep(data, scenarios, &ProfilePhasing, &|_| {}, |k, o| {
            assert_eq!(k, out.len());
            out.push(o);
            Ok(())
        })
    })
    .unwrap();
    out
}

/// Verifies a plan against its scenario directly from the definitions.
#[allow(clippy::needless_range_loop)]
fn verify(data: &PlanningData, s: &Scenario, plan: &salesplan::scenario::sweep::Plan) {
    let tree = &data.tree;
    let t = &plan.allocation.targets;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-7 * a.abs().max(b.abs()).max(1.0);
    let units = |x: f64| s.unit.map_or(x, |u| (x / u).round());
    let amount = s.target.amount(data.last_year_total());
    let root = t[tree.root()];
    match s.unit {
        Some(u) => assert_eq!((root / u).round(), (amount / u).round(), "{}", s.name),
        None => assert!(close(root, amount), "{}: root {root} for {amount}", s.name),
    }
    for i in 0..tree.len() {
        let x = t[i];
        assert!(x >= 0.0 || close(x, 0.0), "{}: negative", s.name);
        if let Some(u) = s.unit {
            assert!(
                close((x / u).round() * u, x),
                "{}: {x} not a multiple of {u}",
                s.name
            );
        }
        let kids = tree.children(i);
        if !kids.is_empty() {
            let depth = (0..tree.depth())
                .find(|&d| tree.level(d).contains(&i))
                .unwrap();
            let over = 1.0 + s.over_assignment.get(depth).copied().unwrap_or(0.0);
            let sum: f64 = t[kids.clone()].iter().map(|&v| units(v)).sum();
            let want = units(x) * over;
            if s.unit.is_some() {
                assert_eq!(sum, want.round(), "{}: children of {}", s.name, tree.id(i));
            } else {
                assert!(
                    (sum - want).abs() <= 1e-9 * want.max(1.0) * kids.len() as f64,
                    "{}: children of {}",
                    s.name,
                    tree.id(i)
                );
            }
            continue;
        }
        let active = active_months(tree.start_date(i), tree.end_date(i), data.year)
            .iter()
            .any(|a| *a);
        if !active {
            assert!(close(x, 0.0));
            continue;
        }
        let slack = 1e-7 * x.max(1.0);
        if let Some(m) = s.rep_min {
            assert!(x >= m - slack, "{}: {} below rep_min", s.name, tree.id(i));
        }
        if let Some(m) = s.rep_max {
            assert!(x <= m + slack, "{}: {} above rep_max", s.name, tree.id(i));
        }
        let ly = data.last_year[i];
        if ly > 0.0 && !is_new(tree, i, data.year) {
            if let Some(g) = s.growth_min {
                assert!(x >= ly * (1.0 + g) - slack, "{}: growth_min", s.name);
            }
            if let Some(g) = s.growth_max {
                assert!(x <= ly * (1.0 + g) + slack, "{}: growth_max", s.name);
            }
        }
    }
    // each node's months add up to its annual target and stay non-negative
    let p = 12;
    for i in 0..tree.len() {
        let row = &plan.periods[i * p..(i + 1) * p];
        assert!(row.iter().all(|v| *v >= 0.0));
        let sum: f64 = row.iter().map(|&v| units(v)).sum();
        assert!(
            close(sum, units(t[i])),
            "{}: months of {}",
            s.name,
            tree.id(i)
        );
    }
    for (i, prob) in plan.attainment.probability.iter().enumerate() {
        assert!(
            (0.0..=1.0).contains(prob),
            "{}: probability of {}",
            s.name,
            tree.id(i)
        );
    }
}

#[test]
fn every_plan_meets_every_constraint_and_threads_do_not_matter() {
    let data = synthetic(300, 200, 11);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let scenarios: Vec<Scenario> = (0..400).map(|k| random_scenario(k, &mut rng)).collect();
    let one = run(&data, &scenarios, 1);
    let mut planned = 0;
    let mut infeasible = 0;
    for (s, outcome) in scenarios.iter().zip(&one) {
        match outcome {
            Outcome::Planned(plan) => {
                planned += 1;
                verify(&data, s, plan);
            }
            Outcome::Infeasible { reason } => {
                infeasible += 1;
                assert!(
                    reason.contains("node '") || reason.contains("field '"),
                    "{reason}"
                );
            }
        }
    }
    assert!(
        planned > 100 && infeasible > 10,
        "{planned} planned, {infeasible} infeasible"
    );
    assert_eq!(one, run(&data, &scenarios, 2));
    assert_eq!(one, run(&data, &scenarios, 4));
}

#[test]
fn probabilities_fall_as_targets_rise() {
    let data = synthetic(200, 300, 3);
    let scenarios: Vec<Scenario> = (0..30)
        .map(|k| {
            let mut s = Scenario::new(
                &format!("g{k}"),
                CompanyTarget::Growth(-0.2 + 0.02 * k as f64),
            );
            s.basis = "forecast:0.5,history:0.5".parse().unwrap();
            s
        })
        .collect();
    let outcomes = run(&data, &scenarios, 2);
    let plans: Vec<_> = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Planned(p) => p,
            Outcome::Infeasible { reason } => panic!("{reason}"),
        })
        .collect();
    for w in plans.windows(2) {
        for i in 0..data.tree.len() {
            assert!(w[1].allocation.targets[i] >= w[0].allocation.targets[i]);
            let (a, b) = (
                w[0].attainment.probability[i],
                w[1].attainment.probability[i],
            );
            assert!((0.0..=1.0).contains(&a) && b <= a, "node {i}: {a} then {b}");
        }
        assert!(
            w[1].attainment.summary.company_probability
                <= w[0].attainment.summary.company_probability
        );
    }
    // the range covers sure and hopeless company targets
    assert_eq!(plans[0].attainment.summary.company_probability, 1.0);
    assert_eq!(plans[29].attainment.summary.company_probability, 0.0);
}

/// The sweep's default phasing: every parent's month is its children's sum
/// for that month, every node's months sum to its annual target, whole units.
#[test]
fn balanced_phasing_is_coherent_both_ways() {
    use salesplan::scenario::sweep::BalancedPhasing;
    let data = synthetic(200, 100, 3);
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let scenarios: Vec<Scenario> = (0..60)
        .map(|k| {
            let mut s = random_scenario(k, &mut rng);
            s.unit = Some(100.0);
            // with over-assignment children sum to more than their parent
            s.over_assignment.clear();
            // every kind of calendar, retail and fiscal years included
            s.calendar = ["monthly", "quarterly", "weekly", "445", "fiscal-monthly:4"][k % 5]
                .parse()
                .unwrap();
            s
        })
        .collect();
    let phasing = BalancedPhasing::new(&data, &scenarios).unwrap();
    let mut checked = 0;
    sweep(&data, &scenarios, &phasing, &|_| {}, |k, outcome| {
        if let Outcome::Planned(plan) = outcome {
            let tree = &data.tree;
            let p = plan.periods.len() / tree.len();
            let periods = scenarios[k].calendar.covering_year(data.year).unwrap();
            assert_eq!(p, periods.len(), "{}", scenarios[k].calendar);
            for v in 0..tree.len() {
                let row = &plan.periods[v * p..(v + 1) * p];
                assert_eq!(row.iter().sum::<f64>(), plan.allocation.targets[v]);
                assert!(row.iter().all(|x| *x >= 0.0 && (x / 100.0).fract() == 0.0));
                if !tree.is_leaf(v) {
                    for (m, value) in row.iter().enumerate() {
                        let kids: f64 = tree.children(v).map(|c| plan.periods[c * p + m]).sum();
                        assert_eq!(*value, kids, "node {v} month {m}");
                    }
                }
            }
            checked += 1;
        }
        Ok(())
    })
    .unwrap();
    assert!(checked > 20, "{checked} plans checked");
    // a phasing prepared without a calendar refuses it, naming it
    let monthly_only = BalancedPhasing::new(&data, &scenarios[..1]).unwrap();
    let mut quarterly = scenarios[1].clone();
    quarterly.over_assignment.clear();
    let e =
        salesplan::scenario::sweep::plan_scenario(&data, &quarterly, &monthly_only).unwrap_err();
    assert!(
        e.to_string()
            .contains("calendar quarterly was not prepared"),
        "{e}"
    );
}

#[test]
fn history_given_twice_for_a_leaf_is_rejected() {
    use salesplan::forecast::frequency::Period;
    use salesplan::plan::org::OrgTree;
    use salesplan::scenario::attainment::SimulationOptions;
    use salesplan::Series;
    let tree = OrgTree::read_from(
        "node_id,parent_id\nco,\na,co\n".as_bytes(),
        "org.csv".as_ref(),
    )
    .unwrap();
    let series = |from: i32| {
        let rows = (0..24)
            .map(|m| {
                let label = format!("{}-{:02}", from + m / 12, m % 12 + 1);
                (Period::parse(&label).unwrap(), 100.0 + m as f64)
            })
            .collect();
        Series::from_periods("a", rows).unwrap()
    };
    let options = SimulationOptions {
        paths: 10,
        ..SimulationOptions::default()
    };
    let once = PlanningData::from_history(tree.clone(), &[series(2024)], 2026, 12, &options);
    assert!(once.is_ok());
    let e = PlanningData::from_history(tree, &[series(2022), series(2024)], 2026, 12, &options)
        .unwrap_err();
    assert!(e.to_string().contains("series 'a': appears twice"), "{e}");
}
