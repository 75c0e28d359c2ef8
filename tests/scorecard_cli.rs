//! `salesplan scorecard`: a small org's attainment by month, quarter and
//! year, its KPI measures (a target column, one target for everyone, a
//! team without rows of its own), capped weighted scores and ranks, all
//! recomputed here by hand; the demo company's 2025 evaluation; bad input
//! refused naming file, line, column and value with nothing written.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::cli::{clear_outputs, finish, fresh_dir, read_output, salesplan, write_file};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");

fn out_dir(name: &str) -> PathBuf {
    fresh_dir("scorecard_cli", name)
}

fn rows(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let text = read_output(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            let row: HashMap<String, String> = header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect();
            (row["node_id"].clone(), row)
        })
        .collect()
}

fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column}: {:?}", row[column]))
}

const CONFIG: &str = "[[measure]]\nname = \"revenue\"\nweight = 0.6\ncap = 1.2\n\n\
    [[measure]]\nname = \"new_customers\"\nweight = 0.25\nactual = \"won\"\ntarget = \"won_target\"\n\n\
    [[measure]]\nname = \"collection\"\nweight = 0.15\nactual = \"collected\"\ntarget = 0.9\n";

/// co → t (a, b); a's targets 100 a month, b's 50; a sells 130 a month,
/// b 40 in the first half and 60 in the second.
fn small(dir: &Path) -> [PathBuf; 5] {
    let org = write_file(
        dir,
        "org.csv",
        "node_id,parent_id,name\nco,,公司\nt,co,一部\na,t,张伟\nb,t,李娜\n",
    );
    let mut plan = String::from("node_id,period,target\nco,2025,1800\nt,2025,1800\n");
    let mut actuals = String::from("unique_id,ds,y\n");
    for m in 1..=12 {
        plan.push_str(&format!("a,2025-{m:02},100\nb,2025-{m:02},50\n"));
        actuals.push_str(&format!(
            "a,2025-{m:02},130\nb,2025-{m:02},{}\n",
            if m <= 6 { 40 } else { 60 }
        ));
        // a year before, ignored
        actuals.push_str(&format!("a,2024-{m:02},1\nb,2024-{m:02},1\n"));
    }
    [
        org,
        write_file(dir, "plan.csv", &plan),
        write_file(dir, "actuals.csv", &actuals),
        write_file(dir, "scorecard.toml", CONFIG),
        write_file(
            dir,
            "kpis.csv",
            "node_id,won,won_target,collected\na,3,4,0.99\nb,6,4,0.81\n",
        ),
    ]
}

fn run(files: &[PathBuf; 5], out: &Path, extra: &[&str]) -> (i32, String) {
    let [org, plan, actuals, config, kpis] = files;
    clear_outputs(&[out]);
    let mut command = salesplan();
    command.args([
        "scorecard".as_ref(),
        "--org".as_ref(),
        org.as_os_str(),
        "--plan".as_ref(),
        plan.as_os_str(),
        "--actuals".as_ref(),
        actuals.as_os_str(),
        "--year".as_ref(),
        "2025".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
        "--kpis".as_ref(),
        kpis.as_os_str(),
        "--output".as_ref(),
        out.as_os_str(),
    ]);
    command.args(extra);
    finish(&mut command)
}

#[test]
fn a_small_orgs_scores_and_ranks_are_those_computed_by_hand() {
    let dir = out_dir("small");
    let files = small(&dir);
    let out = dir.join("scorecard.csv");
    let (code, stderr) = run(&files, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let s = rows(&out);
    let close = |row: &HashMap<String, String>, column: &str, v: f64| {
        assert!(
            (num(row, column) - v).abs() < 1e-6,
            "{column}: {} vs {v}",
            row[column]
        );
    };
    // revenue: a 1,560 / 1,200; b 600 / 600, its first quarter 120 / 150
    close(&s["a"], "attainment", 1.3);
    close(&s["b"], "attainment", 1.0);
    close(&s["b"], "q1", 0.8);
    close(&s["b"], "q4", 1.2);
    close(&s["b"], "m07", 1.2);
    // the team: 2,160 / 1,800; new customers (3 + 6) / (4 + 4); collection
    // the reps' rates averaged by their revenue targets, (0.99·1200 + 0.81·600) / 1800
    close(&s["t"], "attainment", 1.2);
    close(&s["t"], "new_customers", 9.0 / 8.0);
    let rate = (0.99 * 1200.0 + 0.81 * 600.0) / 1800.0;
    close(&s["t"], "collection", rate / 0.9);
    // scores: 0.6 × min(att, 1.2) + 0.25 × won/target + 0.15 × rate/0.9
    let a = 0.6 * 1.2 + 0.25 * 0.75 + 0.15 * 0.99 / 0.9;
    let b = 0.6 * 1.0 + 0.25 * 1.5 + 0.15 * 0.81 / 0.9;
    close(&s["a"], "score", a);
    close(&s["b"], "score", b);
    let (first, second) = if a > b { ("a", "b") } else { ("b", "a") };
    assert_eq!(s[first]["rank"], "1");
    assert_eq!(s[second]["rank"], "2");
    assert_eq!(s["co"]["rank"], "1");
    assert_eq!(s["a"]["level"], "2");
    assert!(stderr.contains("4 nodes scored on 3 measures"), "{stderr}");
}

#[test]
fn a_missing_month_or_kpi_leaves_no_score_rather_than_a_zero() {
    let dir = out_dir("missing");
    let files = small(&dir);
    // b's December is not reported, a has no KPI row
    let text = std::fs::read_to_string(&files[2])
        .unwrap()
        .replace("b,2025-12,60\n", "");
    std::fs::write(&files[2], text).unwrap();
    std::fs::write(&files[4], "node_id,won,won_target,collected\nb,6,4,0.81\n").unwrap();
    let out = dir.join("scorecard.csv");
    let (code, stderr) = run(&files, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let s = rows(&out);
    assert_eq!(s["b"]["m12"], "");
    assert_eq!(s["b"]["attainment"], "");
    assert_eq!(s["b"]["score"], "");
    assert_eq!(
        s["t"]["attainment"], "",
        "the team's year lacks b's December"
    );
    assert_eq!(s["a"]["new_customers"], "");
    assert_eq!(s["a"]["score"], "");
    assert!((num(&s["b"], "q1") - 0.8).abs() < 1e-9);
    assert!(stderr.contains("without a score"), "{stderr}");
}

#[test]
fn the_demo_companys_2025_scorecard_ranks_every_level() {
    let dir = out_dir("demo");
    let plan = dir.join("plan2025.csv");
    let (code, stderr) = finish(salesplan().args([
        "-q".as_ref(),
        "allocate".as_ref(),
        "--org".as_ref(),
        format!("{DEMO}/org.csv").as_ref(),
        "--history".as_ref(),
        format!("{DEMO}/sales_monthly.csv").as_ref(),
        "--growth".as_ref(),
        "0.10".as_ref(),
        "--year".as_ref(),
        "2025".as_ref(),
        "--calendar".as_ref(),
        "monthly".as_ref(),
        "--round".as_ref(),
        "100".as_ref(),
        "--output".as_ref(),
        plan.as_os_str(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    let out = dir.join("scorecard.csv");
    let files = [
        PathBuf::from(format!("{DEMO}/org.csv")),
        plan,
        PathBuf::from(format!("{DEMO}/sales_monthly.csv")),
        PathBuf::from(format!("{DEMO}/scorecard.toml")),
        PathBuf::from(format!("{DEMO}/kpis_2025.csv")),
    ];
    let (code, stderr) = run(&files, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let s = rows(&out);
    // the company's attainment is 2025's sales over the plan's total
    let sold: f64 = std::fs::read_to_string(&files[2])
        .unwrap()
        .lines()
        .filter(|l| l.contains(",2025-"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    let co = &s["HQ"];
    assert!((num(co, "actual") - sold).abs() < 0.01);
    assert!((num(co, "attainment") - sold / num(co, "target")).abs() < 1e-6);
    // ranks within each level are 1..k by score, best first
    for level in ["1", "2", "3"] {
        let mut scored: Vec<(f64, usize)> = s
            .values()
            .filter(|r| r["level"] == level && !r["score"].is_empty())
            .map(|r| (num(r, "score"), num(r, "rank") as usize))
            .collect();
        scored.sort_by(|x, y| y.0.total_cmp(&x.0));
        assert!(scored.len() >= 7);
        for (k, (_, rank)) in scored.iter().enumerate() {
            assert!(*rank <= k + 1 && (k == 0 || *rank >= scored[k - 1].1));
        }
        assert_eq!(scored[0].1, 1);
    }
}

#[test]
fn bad_input_is_refused_with_its_place_and_nothing_written() {
    let dir = out_dir("bad");
    let out = dir.join("scorecard.csv");
    let cases: [(usize, &str, &str); 6] = [
        (
            4,
            "node_id,won,won_target,collected\nzz,1,1,0.9\n",
            "kpis.csv:2: column 'node_id': not a node of the org tree (value 'zz')",
        ),
        (
            4,
            "node_id,won,won_target,collected\na,1,1,0.9\na,1,1,0.9\n",
            "kpis.csv:3: column 'node_id': repeated (first on line 2) (value 'a')",
        ),
        (
            4,
            "node_id,won,won_target,collected\na,-1,1,0.9\n",
            "kpis.csv:2: column 'won': a KPI is 0 or more (value '-1')",
        ),
        (
            4,
            "node_id,won,collected\na,1,0.9\n",
            "no number column 'won_target'",
        ),
        (
            3,
            "[[measure]]\nname = \"revenue\"\nweight = 0.5\n",
            "the weights sum to 0.5, not 1",
        ),
        (
            3,
            "[[measure]]\nname = \"score\"\nweight = 1\nactual = \"won\"\ntarget = 1\n",
            "measure name 'score' is one of the output's own columns",
        ),
    ];
    for (file, text, expected) in cases {
        let files = small(&dir);
        std::fs::write(&files[file], text).unwrap();
        let (code, stderr) = run(&files, &out, &[]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
        assert!(read_output(&out).is_none());
    }
    // a plan for another year
    let files = small(&dir);
    std::fs::write(&files[1], "node_id,period,target\nco,2026,1800\n").unwrap();
    let (code, stderr) = run(&files, &out, &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("plan.csv:2: column 'period': expected 2025 or 2025-MM"),
        "{stderr}"
    );
}

#[test]
fn the_report_shows_the_scorecard_by_level_and_refuses_one_of_another_org() {
    let dir = out_dir("report");
    let files = small(&dir);
    let out = dir.join("scorecard.csv");
    let (code, stderr) = run(&files, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let sales = write_file(
        &dir,
        "sales.csv",
        "unique_id,ds,y\na,2024-01,10\nb,2024-01,10\n",
    );
    let page = dir.join("report.html");
    let report = |scorecard: &Path| {
        clear_outputs(&[&page]);
        finish(salesplan().args([
            "report".as_ref(),
            "--org".as_ref(),
            files[0].as_os_str(),
            "--history".as_ref(),
            sales.as_os_str(),
            "--plan".as_ref(),
            files[1].as_os_str(),
            "--scorecard".as_ref(),
            scorecard.as_os_str(),
            "--sections".as_ref(),
            "scorecard".as_ref(),
            "--output".as_ref(),
            page.as_os_str(),
        ]))
    };
    let (code, stderr) = report(&out);
    assert_eq!(code, 0, "{stderr}");
    let html = read_output(&page).unwrap();
    assert!(html.contains("<section id=\"scorecard\""), "{html}");
    assert!(
        html.contains("<h3>Level 1: 1 nodes</h3>") && html.contains("<h3>Level 2: 2 nodes</h3>")
    );
    // the reps in rank order, their names as text, the KPIs' columns
    let s = rows(&out);
    let (first, second) = if s["a"]["rank"] == "1" {
        ("张伟", "李娜")
    } else {
        ("李娜", "张伟")
    };
    let (p1, p2) = (html.find(first).unwrap(), html.find(second).unwrap());
    assert!(p1 < p2);
    assert!(html.contains(">new_customers<") && html.contains(">collection<"));
    // a scorecard of another org
    let other = write_file(
        &dir,
        "other.csv",
        &read_output(&out).unwrap().replace("\nb,", "\nzz,"),
    );
    let (code, stderr) = report(&other);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("other.csv:")
            && stderr.contains("column 'node_id': not a node of the org tree"),
        "{stderr}"
    );
    assert!(read_output(&page).is_none());
}
