//! Top-down against bottom-up in `salesplan allocate --commits`: the
//! summary's commitment and gap at every node recomputed by hand, the
//! `commit` basis and the commitment floor on a small org, the floor on the
//! demo company with every total still exact, and bad input refused naming
//! file, line, column and value with nothing written.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::cli::{clear_outputs, finish, fresh_dir, read_output, salesplan, write_file};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");

fn out_dir(name: &str) -> PathBuf {
    fresh_dir("commitments_cli", name)
}

/// The summary's rows by node id.
fn summary(path: &Path) -> HashMap<String, HashMap<String, String>> {
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

/// co → t1 (a, b), t2 (c, d); last year a 1,200, b 1,200, c 600, d 1,800.
fn small_org(dir: &Path) -> (PathBuf, PathBuf) {
    let org = write_file(
        dir,
        "org.csv",
        "node_id,parent_id,name\nco,,公司\nt1,co,一部\nt2,co,二部\na,t1,张伟\nb,t1,李娜\nc,t2,王芳\nd,t2,刘洋\n",
    );
    let mut sales = String::from("unique_id,ds,y\n");
    for m in 1..=12 {
        for (rep, y) in [("a", 100), ("b", 100), ("c", 50), ("d", 150)] {
            sales.push_str(&format!("{rep},2025-{m:02},{y}\n"));
        }
    }
    (org, write_file(dir, "sales.csv", &sales))
}

fn allocate(dir: &Path, commits: &str, extra: &[&str]) -> (i32, String, PathBuf, PathBuf) {
    let (org, history) = small_org(dir);
    let commits = write_file(dir, "commits.csv", commits);
    let (plan, summary) = (dir.join("plan.csv"), dir.join("summary.csv"));
    clear_outputs(&[&plan, &summary]);
    let mut command = salesplan();
    command.args([
        "allocate".as_ref(),
        "--org".as_ref(),
        org.as_os_str(),
        "--history".as_ref(),
        history.as_os_str(),
        "--year".as_ref(),
        "2026".as_ref(),
        "--target".as_ref(),
        "1000".as_ref(),
        "--commits".as_ref(),
        commits.as_os_str(),
        "--output".as_ref(),
        plan.as_os_str(),
        "--summary".as_ref(),
        summary.as_os_str(),
    ]);
    command.args(extra);
    let (code, stderr) = finish(&mut command);
    (code, stderr, plan, summary)
}

const COMMITS: &str = "node_id,amount\na,100\nb,300\nt2,500\n";

#[test]
fn the_commit_basis_splits_by_the_commitments_and_the_summary_shows_each_gap() {
    let dir = out_dir("basis");
    let (code, stderr, _, path) = allocate(&dir, COMMITS, &["--basis", "commit:1"]);
    assert_eq!(code, 0, "{stderr}");
    let s = summary(&path);
    // t1 committed 400 by its reps, t2 500 itself: the company 900 bottom
    // up; 1,000 split 400 : 500, t1's by its reps' 100 : 300, t2's by its
    // reps' last year (600 : 1,800) as no rep of t2 committed
    let expected = [
        ("co", 1000.0, Some((900.0, "children"))),
        ("t1", 4000.0 / 9.0, Some((400.0, "children"))),
        ("t2", 5000.0 / 9.0, Some((500.0, "own"))),
        ("a", 1000.0 / 9.0, Some((100.0, "own"))),
        ("b", 3000.0 / 9.0, Some((300.0, "own"))),
        ("c", 5000.0 / 9.0 / 4.0, None),
        ("d", 5000.0 / 9.0 * 0.75, None),
    ];
    for (node, target, commitment) in expected {
        let row = &s[node];
        assert!((num(row, "target") - target).abs() < 1e-6, "{node} {row:?}");
        match commitment {
            Some((c, source)) => {
                assert_eq!(num(row, "commitment"), c, "{node}");
                assert_eq!(row["commitment_source"], source, "{node}");
                assert!((num(row, "target_minus_commitment") - (target - c)).abs() < 1e-6);
            }
            None => {
                assert_eq!(row["commitment"], "", "{node}");
                assert_eq!(row["commitment_source"], "", "{node}");
                assert_eq!(row["target_minus_commitment"], "", "{node}");
            }
        }
    }
    assert!(
        stderr.contains("commitments: 2 of 4 reps committed; the company's commitment 900 against its target 1000; 0 reps' targets below their own commitment"),
        "{stderr}"
    );
}

#[test]
fn the_commitment_floor_keeps_every_node_at_its_share_of_its_own() {
    let dir = out_dir("floor");
    // on last year's sales a and b get 250 each, below b's 90% of 300
    let (code, stderr, _, path) = allocate(&dir, COMMITS, &["--commit-floor", "0.9"]);
    assert_eq!(code, 0, "{stderr}");
    let s = summary(&path);
    assert!(
        (num(&s["b"], "target") - 270.0).abs() < 1e-6,
        "{:?}",
        s["b"]
    );
    assert_eq!(s["b"]["binding"], "min");
    assert!((num(&s["a"], "target") - 230.0).abs() < 1e-6);
    assert!((num(&s["t1"], "target") - 500.0).abs() < 1e-6);
    // without the floor b stays at 250, 50 short of its commitment
    let (code, stderr, _, path) = allocate(&dir, COMMITS, &[]);
    assert_eq!(code, 0, "{stderr}");
    let s = summary(&path);
    assert!((num(&s["b"], "target_minus_commitment") + 50.0).abs() < 1e-6);
    assert!(
        stderr.contains("1 reps' targets below their own commitment"),
        "{stderr}"
    );
}

#[test]
fn on_the_demo_company_no_committed_node_falls_below_the_floor_and_totals_stay_exact() {
    let dir = out_dir("demo");
    let (plan, path) = (dir.join("plan.csv"), dir.join("summary.csv"));
    let (code, stderr) = finish(salesplan().args([
        "allocate".as_ref(),
        "--org".as_ref(),
        format!("{DEMO}/org.csv").as_ref(),
        "--history".as_ref(),
        format!("{DEMO}/sales_monthly.csv").as_ref(),
        "--growth".as_ref(),
        "0.15".as_ref(),
        "--year".as_ref(),
        "2026".as_ref(),
        "--basis".as_ref(),
        "forecast:0.6,history:0.4".as_ref(),
        "--round".as_ref(),
        "100".as_ref(),
        "--commits".as_ref(),
        format!("{DEMO}/commits.csv").as_ref(),
        "--commit-floor".as_ref(),
        "0.9".as_ref(),
        "--output".as_ref(),
        plan.as_os_str(),
        "--summary".as_ref(),
        path.as_os_str(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    let s = summary(&path);
    let commits = std::fs::read_to_string(format!("{DEMO}/commits.csv")).unwrap();
    let mut own = 0;
    for line in commits.lines().skip(1) {
        let (node, amount) = line.split_once(',').unwrap();
        let amount: f64 = amount.parse().unwrap();
        let row = &s[node];
        assert_eq!(num(row, "commitment"), amount);
        assert!(num(row, "target") >= 0.9 * amount - 100.0, "{node} {row:?}");
        assert!((num(row, "target_minus_commitment") - (num(row, "target") - amount)).abs() < 1e-6);
        own += 1;
    }
    assert!(own > 50);
    // every parent's children sum exactly to it
    let mut sums: HashMap<String, f64> = HashMap::new();
    for row in s.values() {
        if !row["parent_id"].is_empty() {
            *sums.entry(row["parent_id"].clone()).or_default() += num(row, "target");
        }
    }
    for (parent, sum) in sums {
        assert_eq!(sum, num(&s[&parent], "target"), "{parent}");
    }
    // the company's commitment is bottom-up: its regions' sum
    assert_eq!(s["HQ"]["commitment_source"], "children");
}

#[test]
fn bad_commitments_are_refused_with_their_place_and_nothing_written() {
    let dir = out_dir("bad");
    let cases: [(&str, &[&str], &str); 7] = [
        (
            "node_id,amount\nzz,100\n",
            &[],
            "commits.csv:2: column 'node_id': not a node of the org tree (value 'zz')",
        ),
        (
            "node_id,amount\na,100\na,200\n",
            &[],
            "commits.csv:3: column 'node_id': committed twice (first on line 2) (value 'a')",
        ),
        (
            "node_id,amount\na,-1\n",
            &[],
            "commits.csv:2: column 'amount': a commitment is an amount of 0 or more (value '-1')",
        ),
        (
            "node_id,amount\na,\n",
            &[],
            "commits.csv:2: column 'amount': empty",
        ),
        (
            "node_id,amount\n",
            &[],
            "no commitments (the file has a header only)",
        ),
        (
            "node_id,amount\na,100\nb,300\n",
            &["--basis", "commit:1"],
            "'c' has no commitment, nor any node above it",
        ),
        (
            COMMITS,
            &["--commit-floor", "-0.5"],
            "-0.5 is not a non-negative share",
        ),
    ];
    for (commits, extra, expected) in cases {
        let (code, stderr, plan, summary) = allocate(&dir, commits, extra);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
        assert!(read_output(&plan).is_none() && read_output(&summary).is_none());
    }
    // the commit basis without commitments
    let (org, history) = small_org(&dir);
    let (code, stderr) = finish(salesplan().args([
        "allocate".as_ref(),
        "--org".as_ref(),
        org.as_os_str(),
        "--history".as_ref(),
        history.as_os_str(),
        "--year".as_ref(),
        "2026".as_ref(),
        "--target".as_ref(),
        "1000".as_ref(),
        "--basis".as_ref(),
        "commit:1".as_ref(),
        "--output".as_ref(),
        dir.join("p.csv").as_os_str(),
    ]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the 'commit' column needs commitments (allocate --commits)"),
        "{stderr}"
    );
}
