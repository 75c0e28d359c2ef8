//! Phasing with events on the demo company: the 2026 plan follows a
//! mid-February New Year, and a plan for 2024 made from 2021–2023 matches
//! the January and February shares the company sold better than one
//! without events. (The full backtest over 2023–2025, and by team:
//! `scripts/events_backtest.py`, figures in BENCHMARKS.md.)

use std::path::Path;

use salesplan::events::EventCalendar;
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
    assert!(b[0] > a[0] + 0.005 && b[1] < a[1] - 0.003, "{a:?} {b:?}");
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
