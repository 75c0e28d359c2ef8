//! The README's main command: the whole planning cycle on the bundled demo
//! company (forecast, allocate, phase, round), checked cell by cell.

use std::collections::HashMap;

use assert_cmd::Command;
use tempfile::TempDir;

const ORG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo/org.csv");
const SALES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/demo/sales_monthly.csv"
);

/// The plan file and each node's annual target from the summary.
fn plan(dir: &TempDir, calendar: &str, threads: &str) -> (String, HashMap<String, f64>) {
    let out = dir.path().join(format!("plan-{calendar}-{threads}.csv"));
    let summary = dir.path().join(format!("summary-{calendar}-{threads}.csv"));
    let o = Command::new(env!("CARGO_BIN_EXE_salesplan"))
        .args([
            "allocate",
            "--org",
            ORG,
            "--history",
            SALES,
            "--growth",
            "0.15",
            "--year",
            "2026",
        ])
        .args([
            "--basis",
            "forecast:0.6,history:0.4",
            "--round",
            "100",
            "--calendar",
            calendar,
        ])
        .args(["--threads", threads, "--output"])
        .arg(&out)
        .arg("--summary")
        .arg(&summary)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rdr = csv::Reader::from_path(summary).unwrap();
    let annual = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[3].parse().unwrap())
        })
        .collect();
    (std::fs::read_to_string(out).unwrap(), annual)
}

/// node_id → (parent_id, end_date)
fn org() -> HashMap<String, (String, String)> {
    let mut rdr = csv::Reader::from_path(ORG).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), (r[1].to_string(), r[4].to_string()))
        })
        .collect()
}

#[test]
fn demo_plan_is_coherent_both_ways_rounded_and_respects_leavers() {
    let dir = TempDir::new().unwrap();
    let org = org();
    for calendar in ["monthly", "weekly", "445"] {
        let (text, annual) = plan(&dir, calendar, "2");
        assert_eq!(
            text,
            plan(&dir, calendar, "1").0,
            "{calendar}: thread count changed the plan"
        );
        let mut cells: HashMap<(String, String), f64> = HashMap::new();
        let mut periods = Vec::new();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let v: f64 = f[2].parse().unwrap();
            assert!(v >= 0.0 && (v / 100.0).fract() == 0.0, "{calendar}: {line}");
            if !periods.contains(&f[1].to_string()) {
                periods.push(f[1].to_string());
            }
            cells.insert((f[0].to_string(), f[1].to_string()), v);
        }
        let expected = match calendar {
            "monthly" | "445" => 12,
            _ => 53, // ISO 2026 has 53 weeks
        };
        assert_eq!(periods.len(), expected, "{calendar}");
        for (id, target) in &annual {
            let sum: f64 = periods
                .iter()
                .map(|p| cells[&(id.clone(), p.clone())])
                .sum();
            assert_eq!(
                sum, *target,
                "{calendar}: {id}'s periods vs its annual target"
            );
        }
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for (id, (parent, _)) in &org {
            if !parent.is_empty() {
                children.entry(parent.as_str()).or_default().push(id);
            }
        }
        for (parent, kids) in &children {
            for p in &periods {
                let sum: f64 = kids
                    .iter()
                    .map(|k| cells[&(k.to_string(), p.clone())])
                    .sum();
                assert_eq!(
                    cells[&(parent.to_string(), p.clone())],
                    sum,
                    "{calendar} {parent} {p}"
                );
            }
        }
        if calendar == "monthly" {
            for (id, (_, end)) in &org {
                if end.is_empty() || children.contains_key(id.as_str()) {
                    continue;
                }
                for p in periods.iter().filter(|p| p.as_str() > &end[..7]) {
                    assert_eq!(cells[&(id.clone(), p.clone())], 0.0, "leaver {id} in {p}");
                }
            }
        }
    }
}
