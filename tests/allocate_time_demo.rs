//! End to end on the demo dataset: each team's 2026 target phased into
//! the 53 ISO weeks of 2026 by its reps' own seasonal profiles (the team's
//! for reps with under a year of history), balanced and rounded to 100.
//!
//! `cargo test --release --test allocate_time_demo`

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use salesplan::plan::calendar::PlanningCalendar;
use salesplan::plan::phasing::profile::{resolve_profiles, MonthProfile, Phaser};
use salesplan::plan::phasing::round::round_vector;
use salesplan::plan::phasing::{plan_block, ChildTarget, PlanOptions};

struct Node {
    parent: String,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

fn demo(file: &str) -> csv::Reader<std::fs::File> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/demo")
        .join(file);
    csv::Reader::from_path(path).expect("demo file")
}

#[test]
fn demo_teams_plan_into_weeks() {
    let mut org: BTreeMap<String, Node> = BTreeMap::new();
    for row in demo("org.csv").records() {
        let row = row.unwrap();
        let date = |k: usize| {
            row.get(k)
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
        };
        org.insert(
            row[0].to_string(),
            Node {
                parent: row[1].to_string(),
                start: date(3),
                end: date(4),
            },
        );
    }
    // monthly sales per rep: (index of the first month since 2021-01, values)
    let mut sales: BTreeMap<String, (usize, Vec<f64>)> = BTreeMap::new();
    for row in demo("sales_monthly.csv").records() {
        let row = row.unwrap();
        let d: NaiveDate = row[1].parse().unwrap();
        let month = (d.format("%Y").to_string().parse::<usize>().unwrap() - 2021) * 12
            + d.format("%m").to_string().parse::<usize>().unwrap()
            - 1;
        let e = sales
            .entry(row[0].to_string())
            .or_insert((month, Vec::new()));
        assert_eq!(e.0 + e.1.len(), month, "months in order without gaps");
        e.1.push(row[2].parse().unwrap());
    }

    let weeks = PlanningCalendar::iso_weekly().periods(2026).unwrap();
    assert_eq!(weeks.len(), 53);
    let phaser = Phaser::new(&weeks);
    let year_start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut teams: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, n) in &org {
        if id.starts_with('E') && n.end.is_none_or(|e| e >= year_start) {
            teams
                .entry(n.parent.as_str())
                .or_default()
                .push(id.as_str());
        }
    }
    assert_eq!(teams.len(), 40);

    let options = PlanOptions {
        unit: Some(100.0),
        ..Default::default()
    };
    let mut company = vec![0.0; weeks.len()];
    let mut fallbacks = 0;
    for reps in teams.values() {
        // the team's history: its reps' months summed (on 2021-01..2025-12)
        let mut team = vec![0.0; 60];
        for r in reps {
            if let Some((first, v)) = sales.get(*r) {
                for (k, y) in v.iter().enumerate() {
                    team[first + k] += y;
                }
            }
        }
        let mut own = vec![MonthProfile::from_history(1, &team, 3)];
        let mut parents = vec![None];
        let mut basis = Vec::new();
        for r in reps {
            let (first, v) = sales.get(*r).cloned().unwrap_or((0, Vec::new()));
            own.push(MonthProfile::from_history(first as u32 % 12 + 1, &v, 3));
            fallbacks += usize::from(own.last().unwrap().is_none());
            parents.push(Some(0));
            // basis: the last 12 months (annualised when shorter), +10%
            let last: Vec<f64> = v.iter().rev().take(12).copied().collect();
            let annual = if last.is_empty() {
                0.0
            } else {
                last.iter().sum::<f64>() * 12.0 / last.len() as f64
            };
            basis.push(1.1 * annual);
        }
        let profiles = resolve_profiles(&parents, &own).unwrap();
        let total = (basis.iter().sum::<f64>() / 100.0).round() * 100.0;
        let scale = total / basis.iter().sum::<f64>();
        let annuals =
            round_vector(&basis.iter().map(|b| b * scale).collect::<Vec<_>>(), 100.0).unwrap();
        let team_weeks = round_vector(&phaser.phase(total, &profiles[0]), 100.0).unwrap();
        let children: Vec<ChildTarget> = reps
            .iter()
            .zip(&annuals)
            .zip(&profiles[1..])
            .map(|((r, a), p)| ChildTarget {
                annual: *a,
                profile: *p,
                start: org[*r].start.filter(|s| *s >= year_start),
                end: org[*r].end,
            })
            .collect();
        let t = plan_block(&phaser, &children, &team_weeks, &options).unwrap();
        assert_eq!(t.row_sums(), annuals);
        assert_eq!(t.column_sums(), team_weeks);
        assert!(t.values().iter().all(|&v| v >= 0.0 && v % 100.0 == 0.0));
        for (c, w) in company.iter_mut().zip(&team_weeks) {
            *c += w;
        }
    }
    // new hires of late 2025 have under 12 months: they follow their team
    assert!(fallbacks > 0);
    // Double 11: the weeks of November outsell those of July
    let month_total = |m: u32| -> f64 {
        weeks
            .iter()
            .zip(&company)
            .filter(|(p, _)| p.start.format("%m").to_string() == format!("{m:02}"))
            .map(|(_, v)| v)
            .sum()
    };
    assert!(month_total(11) > 1.2 * month_total(7));
}
