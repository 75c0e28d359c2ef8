//! Phasing with events on the demo company: the 2026 plan follows a
//! mid-February New Year, and a plan for 2024 made from 2021–2023 matches
//! the January and February shares the company sold better than one
//! without events. (The full backtest over 2023–2025, and by team:
//! `scripts/events_backtest.py`, figures in BENCHMARKS.md.)

use std::path::Path;

use salesplan::events::{china, EventCalendar};
use salesplan::io::{read_long_csv, Columns};
use salesplan::plan::calendar::PlanningCalendar;
use salesplan::plan::org::OrgTree;
use salesplan::plan::year::{plan_year, CompanyTarget, PlanRequest, YearInputs};

fn shares(row: &[f64]) -> Vec<f64> {
    let total: f64 = row.iter().sum();
    row.iter().map(|v| v / total).collect()
}

#[test]
fn demo_plans_follow_the_new_year() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let tree = OrgTree::read(&dir.join("org.csv")).unwrap();
    let history = read_long_csv(&dir.join("sales_monthly.csv"), &Columns::default()).unwrap();
    let root = tree.root();
    let plan = |year: i32, events: Option<EventCalendar>| {
        let inputs = YearInputs::new(&tree, &history, year).unwrap();
        let request = PlanRequest {
            calendar: Some(PlanningCalendar::monthly()),
            unit: Some(100.0),
            events,
            ..PlanRequest::new(CompanyTarget::Growth(0.1))
        };
        plan_year(&inputs, &request).unwrap()
    };
    let china = || Some(EventCalendar::new(&["china", "shopping"]).unwrap());
    // 2026: New Year on 17 February; January gains, February loses
    let (without, with) = (plan(2026, None), plan(2026, china()));
    let (a, b) = (shares(&without.table[root]), shares(&with.table[root]));
    assert!(b[0] > a[0] + 0.005 && b[1] < a[1] - 0.002, "{a:?} {b:?}");
    // and February against January comes near what the demo sold in 2026
    // (actuals_2026h1.csv, the same simulation, never seen by the plan)
    let actuals = read_long_csv(&dir.join("actuals_2026h1.csv"), &Columns::default()).unwrap();
    let mut sold_2026 = [0.0; 2];
    for s in &actuals {
        for (d, v) in s.dates().iter().zip(s.values()) {
            if chrono::Datelike::month0(d) < 2 {
                sold_2026[chrono::Datelike::month0(d) as usize] += v;
            }
        }
    }
    let sold_ratio = sold_2026[1] / sold_2026[0];
    let (gap_without, gap_with) = (
        (a[1] / a[0] - sold_ratio).abs(),
        (b[1] / b[0] - sold_ratio).abs(),
    );
    assert!(
        gap_with < 0.5 * gap_without,
        "February/January {} sold, {} with events, {} without",
        sold_ratio,
        b[1] / b[0],
        a[1] / a[0]
    );
    // the plan stays coherent: children sum to their parent in every month
    for p in 0..tree.len() {
        let children: Vec<usize> = tree.children(p).collect();
        if children.is_empty() {
            continue;
        }
        for m in 0..12 {
            let sum: f64 = children.iter().map(|&c| with.table[c][m]).sum();
            assert!((sum - with.table[p][m]).abs() < 1e-6);
        }
    }
    assert_eq!(without.allocation.targets, with.allocation.targets);
    // 2024 (New Year 10 February) from 2021–2023 against what was sold
    let mut sold = [0.0; 12];
    for s in &history {
        for (d, v) in s.dates().iter().zip(s.values()) {
            if chrono::Datelike::year(d) == 2024 {
                sold[chrono::Datelike::month0(d) as usize] += v;
            }
        }
    }
    let actual = shares(&sold);
    let error = |p: &[f64]| (p[0] - actual[0]).abs() + (p[1] - actual[1]).abs();
    let (a, b) = (
        shares(&plan(2024, None).table[root]),
        shares(&plan(2024, china()).table[root]),
    );
    assert!(
        error(&b) < 0.5 * error(&a),
        "January–February error {} with events, {} without",
        error(&b),
        error(&a)
    );
}

/// Three reps whose daily sales follow the official working calendar
/// (non-working days at 30% of a working day), summed to months 2020–2025
/// with 2% noise.
fn working_calendar_company() -> (OrgTree, Vec<salesplan::Series>) {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    let tree = OrgTree::read_from(
        "node_id,parent_id\n公司,\n张伟,公司\n李娜,公司\n王芳,公司\n".as_bytes(),
        "org.csv".as_ref(),
    )
    .unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let noise: Normal<f64> = Normal::new(0.0, 0.02).unwrap();
    let mut csv = String::from("unique_id,ds,y\n");
    for (r, rep) in ["张伟", "李娜", "王芳"].iter().enumerate() {
        for year in 2020..=2025 {
            for month in 1..=12u32 {
                let first = chrono::NaiveDate::from_ymd_opt(year, month, 1).unwrap();
                let total: f64 = first
                    .iter_days()
                    .take_while(|d| chrono::Datelike::month(d) == month)
                    .map(|d| {
                        let working = china::day_kind(d).unwrap().is_working();
                        if working {
                            1000.0
                        } else {
                            300.0
                        }
                    })
                    .sum();
                let y = total * (1.0 + 0.2 * r as f64) * noise.sample(&mut rng).exp();
                csv.push_str(&format!("{rep},{year}-{month:02},{y:.2}\n"));
            }
        }
    }
    let history = salesplan::io::read_long_csv_from(
        csv.as_bytes(),
        "sales.csv".as_ref(),
        &Columns::default(),
    )
    .unwrap();
    (tree, history)
}

#[test]
fn daily_targets_honour_working_days_and_holidays() {
    let (tree, history) = working_calendar_company();
    let inputs = YearInputs::new(&tree, &history, 2026).unwrap();
    let plan = |calendar: PlanningCalendar| {
        let request = PlanRequest {
            calendar: Some(calendar),
            events: Some(EventCalendar::new(&["china", "shopping"]).unwrap()),
            ..PlanRequest::new(CompanyTarget::Growth(0.1))
        };
        plan_year(&inputs, &request).unwrap()
    };
    let daily = plan(PlanningCalendar::daily());
    let monthly = plan(PlanningCalendar::monthly());
    assert_eq!(daily.periods.len(), 365);
    let root = tree.root();
    let day = |label: &str| {
        let k = daily.periods.iter().position(|p| p == label).unwrap();
        daily.table[root][k]
    };
    // the months' totals are the monthly plan's
    for (m, label) in monthly.periods.iter().enumerate() {
        let sum: f64 = daily
            .periods
            .iter()
            .zip(&daily.table[root])
            .filter(|(p, _)| p.starts_with(label.as_str()))
            .map(|(_, v)| v)
            .sum();
        assert!((sum - monthly.table[root][m]).abs() < 1e-6 * sum, "{label}");
    }
    // a weekend day at about the rate the history shows (0.3 of a working day)
    let rate = day("2026-09-13") / day("2026-09-14");
    assert!((0.15..0.5).contains(&rate), "weekend rate {rate}");
    // Sunday 20 September 2026 is worked (调休 for National Day): a weekday's target
    assert!((day("2026-09-20") / day("2026-09-14") - 1.0).abs() < 1e-9);
    // Monday 5 October is a National Day holiday: Sunday 4 October's rate, not a Monday's
    assert!((day("2026-10-05") / day("2026-10-04") - 1.0).abs() < 1e-9);
    assert!(day("2026-10-05") < 0.6 * day("2026-10-12"));
    // ISO weeks from the same shape: the week of 28 September (three days
    // worked, four off) against a normal one (five and two): 4.2 / 5.6 = 0.75
    let weekly = plan(PlanningCalendar::iso_weekly());
    let w =
        |label: &str| weekly.table[root][weekly.periods.iter().position(|p| p == label).unwrap()];
    let ratio = w("2026-W40") / w("2026-W42");
    assert!((0.68..0.82).contains(&ratio), "{ratio}");
}

#[test]
fn sweep_outlook_follows_the_new_year() {
    use salesplan::scenario::attainment::SimulationOptions;
    use salesplan::scenario::sweep::PlanningData;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let tree = OrgTree::read(&dir.join("org.csv")).unwrap();
    let history = read_long_csv(&dir.join("sales_monthly.csv"), &Columns::default()).unwrap();
    let options = SimulationOptions {
        paths: 200,
        ..SimulationOptions::default()
    };
    let events = EventCalendar::new(&["china", "shopping"]).unwrap();
    let data = |events: Option<&EventCalendar>| {
        PlanningData::from_history_with_events(tree.clone(), &history, 2026, 12, &options, events)
            .unwrap()
    };
    let (plain, with) = (data(None), data(Some(&events)));
    let root = tree.root();
    let (a, b) = (
        shares(plain.outlook.point(root)),
        shares(with.outlook.point(root)),
    );
    // New Year on 17 February 2026: January's share of the forecast rises, February's falls
    assert!(b[0] > a[0] && b[1] < a[1], "{a:?} {b:?}");
    // and the same again gives the same outlook (seeded)
    let again = data(Some(&events));
    assert_eq!(again.outlook.point(root), with.outlook.point(root));
}
