//! The `salesplan allocate` command, run as a real binary on small generated
//! files: a full run with Chinese names, determinism across threads, and
//! each bad input (cycle, orphan, duplicate, several roots, infeasible,
//! unknown node, bad numbers) exiting 2 with a clear message and no output.

mod common;

use std::path::PathBuf;

use common::cli::{clear_outputs, finish, read_output, salesplan, write_file};
use tempfile::TempDir;

struct Run {
    code: i32,
    stderr: String,
    plan: Option<String>,
    summary: Option<String>,
}

const ORG: &str = "node_id,parent_id,name,start_date,end_date
公司,,总公司,,
east,公司,华东区,,
west,公司,华西区,,
zhang,east,张伟,,
li,east,李娜,,
wang,west,王芳,,
zhao,west,赵磊,2026-10-01,
qian,west,钱敏,,2026-06-30
";

/// Three years of monthly sales (2024-2026) for the leaves with history.
fn history() -> String {
    let mut text = String::from("unique_id,ds,y\n");
    for (k, id) in ["zhang", "li", "wang", "qian"].iter().enumerate() {
        for t in 0..36 {
            let season = [0.8, 0.7, 1.0, 1.0, 1.0, 1.3, 1.0, 0.9, 1.0, 1.0, 1.4, 1.2][t % 12];
            let y = (1000.0 + 200.0 * k as f64 + 10.0 * t as f64) * season;
            text.push_str(&format!("{id},{}-{:02},{y}\n", 2024 + t / 12, t % 12 + 1));
        }
    }
    for t in 0..3 {
        text.push_str(&format!("zhao,2026-{:02},{}\n", 10 + t, 300 + 100 * t));
    }
    text
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    write_file(dir.path(), name, text)
}

fn allocate(dir: &TempDir, org: &str, constraints: Option<&str>, args: &[&str]) -> Run {
    let org = write(dir, "org.csv", org);
    let history = write(dir, "sales.csv", &history());
    let plan = dir.path().join("plan.csv");
    let summary = dir.path().join("summary.csv");
    clear_outputs(&[&plan, &summary]);
    let mut cmd = salesplan();
    cmd.arg("allocate")
        .arg("--org")
        .arg(&org)
        .arg("--history")
        .arg(&history)
        .arg("--year")
        .arg("2027")
        .arg("--output")
        .arg(&plan)
        .arg("--summary")
        .arg(&summary)
        .args(args);
    if let Some(c) = constraints {
        cmd.arg("--constraints")
            .arg(write(dir, "constraints.csv", c));
    }
    let (code, stderr) = finish(&mut cmd);
    Run {
        code,
        stderr,
        plan: read_output(&plan),
        summary: read_output(&summary),
    }
}

fn targets(plan: &str) -> Vec<(String, f64)> {
    plan.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[2].parse().unwrap())
        })
        .collect()
}

fn target(plan: &str, id: &str) -> f64 {
    targets(plan).into_iter().find(|(i, _)| i == id).unwrap().1
}

#[test]
fn full_run_with_constraints_and_rounding() {
    let dir = TempDir::new().unwrap();
    let constraints = "node_id,min,max,growth_min,growth_max,lock,over_assignment\n\
                       west,,,,,,0.1\nzhang,,,-0.1,0.2,,\nli,,,,,9000,\n";
    let run = allocate(
        &dir,
        ORG,
        Some(constraints),
        &[
            "--target",
            "120000",
            "--round",
            "100",
            "--basis",
            "forecast:0.6,history:0.4",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = run.plan.unwrap();
    assert!(plan.starts_with("node_id,period,target\n公司,2027,120000\n"));
    let t = |id| target(&plan, id);
    assert_eq!(t("east") + t("west"), 120000.0);
    assert_eq!(t("zhang") + t("li"), t("east"));
    // over-assignment: west's reps sum to 110% of west
    assert_eq!(
        t("wang") + t("zhao") + t("qian"),
        (t("west") / 100.0 * 1.1).round() * 100.0
    );
    assert_eq!(t("li"), 9000.0);
    assert_eq!(t("qian"), 0.0, "a leaver is at zero");
    assert!(t("zhao") > 0.0, "a new hire gets a ramped target");
    for (_, v) in targets(&plan) {
        assert_eq!(v % 100.0, 0.0);
    }
    let summary = run.summary.unwrap();
    assert!(summary.starts_with(
        "node_id,name,parent_id,target,basis_share,last_year,growth_vs_last_year,binding\n"
    ));
    assert!(summary.contains("li,李娜,east,9000,"));
    assert!(summary
        .lines()
        .any(|l| l.starts_with("li,") && l.ends_with(",lock")));
    assert!(summary
        .lines()
        .any(|l| l.starts_with("qian,") && l.ends_with(",inactive")));
}

#[test]
fn same_output_for_any_thread_count_and_growth_target() {
    let dir = TempDir::new().unwrap();
    let one = allocate(&dir, ORG, None, &["--growth", "0.15", "--threads", "1"]);
    let two = allocate(&dir, ORG, None, &["--growth", "0.15", "--threads", "2"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(one.plan, two.plan);
    assert_eq!(one.summary, two.summary);
}

fn fails(org: &str, constraints: Option<&str>, args: &[&str], message: &str) {
    let dir = TempDir::new().unwrap();
    let run = allocate(&dir, org, constraints, args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(message),
        "expected '{message}' in: {}",
        run.stderr
    );
    assert!(run.plan.is_none() && run.summary.is_none());
}

#[test]
fn bad_trees_exit_2_naming_ids_and_lines() {
    let t = ["--target", "100"];
    fails(
        &format!("{ORG}a,b,,,\nb,c,,,\nc,a,,,\n"),
        None,
        &t,
        "cycle in parent links",
    );
    fails(
        &format!("{ORG}孤儿,不存在,,,\n"),
        None,
        &t,
        "org.csv:10: node '孤儿' has parent '不存在', which is not in the file",
    );
    fails(
        &format!("{ORG}li,east,重复,,\n"),
        None,
        &t,
        "duplicate node id 'li' (first defined on line 6)",
    );
    fails(&format!("{ORG}另一个,,,,\n"), None, &t, "2 roots");
    fails(
        &ORG.replace("2026-06-30", "2026-06-31"),
        None,
        &t,
        "column 'end_date'",
    );
}

#[test]
fn infeasible_and_bad_constraints_exit_2() {
    let t = ["--target", "100000"];
    fails(
        ORG,
        Some("node_id,max\neast,10000\nwest,20000\n"),
        &t,
        "node '公司': target 100000 cannot be met: its children's minimums sum to 0 and maximums to 30000; binding: max on 2 nodes ('east', 'west') totalling 30000",
    );
    fails(
        ORG,
        Some("node_id,lock\nzhang,90000\nli,20000\n"),
        &["--target", "50000"],
        "node '公司': target 50000 cannot be met: its children's minimums sum to 110000 and maximums to unbounded; binding: lock on 2 nodes ('li', 'zhang') totalling 110000",
    );
    fails(
        ORG,
        Some("node_id,max\nnobody,5\n"),
        &t,
        "column 'node_id': not a node of the org tree (value 'nobody')",
    );
    fails(
        ORG,
        Some("node_id,max\nli,lots\n"),
        &t,
        "column 'max': not a number (value 'lots')",
    );
    fails(
        ORG,
        None,
        &["--target", "1", "--basis", "magic:1"],
        "unknown column 'magic'",
    );
    fails(
        &ORG.replace("wang,west,王芳,,\n", ""),
        None,
        &t,
        "sales.csv: series 'wang': not a node of the org tree",
    );
}

#[test]
fn cents_and_trailing_basis() {
    let dir = TempDir::new().unwrap();
    let run = allocate(
        &dir,
        ORG,
        None,
        &[
            "--target",
            "12345.67",
            "--round",
            "0.01",
            "--basis",
            "trailing:0.5,equal:0.5",
            "--trailing-months",
            "6",
            "--method",
            "least-squares",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = run.plan.unwrap();
    // exact in integer cents
    let cents = |id: &str| -> i64 {
        let line = plan
            .lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .unwrap();
        let value = line.rsplit(',').next().unwrap();
        assert_eq!(value.split('.').nth(1).map(str::len), Some(2), "{value}");
        value.replace('.', "").parse().unwrap()
    };
    assert_eq!(cents("公司"), 1_234_567);
    assert_eq!(cents("east") + cents("west"), 1_234_567);
    assert_eq!(cents("zhang") + cents("li"), cents("east"));
    assert_eq!(cents("wang") + cents("zhao") + cents("qian"), cents("west"));
}

#[test]
fn events_bad_sets_and_files_exit_2_with_nothing_written() {
    let t = ["--target", "100000", "--calendar", "monthly"];
    fails(
        ORG,
        None,
        &[&t[..], &["--events", "china,chian"]].concat(),
        "unknown event set 'chian'",
    );
    let dir = TempDir::new().unwrap();
    let promos = write(
        &dir,
        "promos.csv",
        "event,start,end,unique_id\n大促,2026-03-01,2026-03-05,nobody\n",
    );
    let p = promos.to_str().unwrap();
    fails(
        ORG,
        None,
        &[&t[..], &["--events-file", p]].concat(),
        "column 'unique_id': not a series of the data (value 'nobody')",
    );
    let bad = write(
        &dir,
        "bad.csv",
        "event,start,end\n大促,2026-03-05,2026-03-01\n",
    );
    let b = bad.to_str().unwrap();
    fails(
        ORG,
        None,
        &[&t[..], &["--events-file", b]].concat(),
        "bad.csv:2: column 'end'",
    );
}

#[test]
fn events_keep_every_total_and_leave_plans_without_them_alone() {
    let dir = TempDir::new().unwrap();
    let t = [
        "--target",
        "100000",
        "--calendar",
        "monthly",
        "--round",
        "1",
    ];
    let plain = allocate(&dir, ORG, None, &t);
    let promos = write(
        &dir,
        "promos.csv",
        "event,start,end,unique_id\n大促,2026-03-01,2026-03-05,wang\n",
    );
    let with = allocate(
        &dir,
        ORG,
        None,
        &[
            &t[..],
            &[
                "--events",
                "china,shopping",
                "--events-file",
                promos.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert_eq!(with.code, 0, "{}", with.stderr);
    // 2027 has no official schedule yet: the run says so
    assert!(
        with.stderr
            .contains("no official holiday schedule for 2027"),
        "{}",
        with.stderr
    );
    let (a, b) = (plain.plan.unwrap(), with.plan.unwrap());
    // annual targets are the same; only the phasing may move
    let annual = |plan: &str, id: &str| -> f64 {
        targets(plan)
            .into_iter()
            .filter(|(i, _)| i == id)
            .map(|(_, v)| v)
            .sum()
    };
    for id in ["公司", "east", "west", "zhang", "li", "wang", "qian"] {
        assert_eq!(annual(&a, id), annual(&b, id), "{id}");
    }
    // this history has no holiday in it (the same seasonal shape every
    // year): no event earns its place on the holdout years, so the phasing
    // is the same as without events
    assert_eq!(a, b);
}

/// A rounding unit larger than the target would plan zeros: refused with
/// exit 2, naming both numbers, and nothing written (issue 10, item 4).
#[test]
fn a_unit_that_cannot_represent_the_target_is_refused() {
    let dir = TempDir::new().unwrap();
    let run = allocate(&dir, ORG, None, &["--target", "1000", "--round", "5000"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("5000")
            && run.stderr.contains("1000")
            && run.stderr.contains("rounds to 0"),
        "{}",
        run.stderr
    );
    assert!(run.plan.is_none() && run.summary.is_none());
    // a unit the target rounds to (2,500 → 1 unit of 5,000 is not zero) still plans
    let run = allocate(&dir, ORG, None, &["--target", "2500", "--round", "5000"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Negative numbers are values (issue 10, item 12): `--growth -0.1` plans
/// a 10% decline; a negative target, given or from a growth below −100%,
/// is refused as negative, not reported as "cannot be met".
#[test]
fn negative_numbers_are_values_and_negative_targets_are_refused() {
    let dir = TempDir::new().unwrap();
    let run = allocate(&dir, ORG, None, &["--growth", "-0.1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let declined = target(&run.plan.unwrap(), "公司");
    let run = allocate(&dir, ORG, None, &["--growth", "0"]);
    let flat = target(&run.plan.unwrap(), "公司");
    assert!((declined - 0.9 * flat).abs() < 1.0, "{declined} vs {flat}");
    for args in [["--target", "-1000"], ["--growth", "-1.5"]] {
        let run = allocate(&dir, ORG, None, &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("is negative"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("cannot be met"), "{}", run.stderr);
        assert!(run.plan.is_none());
    }
}

/// An active rep with no sales history gets its peers' basis, as a new
/// hire does, and the run names it (issue 10, item 5); it used to get a
/// target of 0 silently.
#[test]
fn an_active_rep_without_history_gets_the_peers_basis() {
    let dir = TempDir::new().unwrap();
    let org = format!("{ORG}sun,east,孙明,,\n");
    let run = allocate(
        &dir,
        &org,
        None,
        &["--target", "100000", "--basis", "history"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 active reps have no sales history ('sun')"),
        "{}",
        run.stderr
    );
    let plan = run.plan.unwrap();
    let (sun, zhang, li) = (
        target(&plan, "sun"),
        target(&plan, "zhang"),
        target(&plan, "li"),
    );
    assert!(sun > 0.0, "{plan}");
    // the mean of its established siblings' shares
    assert!(
        (sun - (zhang + li) / 2.0).abs() <= 0.01 * sun,
        "{sun} vs {zhang}, {li}"
    );
}

#[test]
fn a_plan_year_with_no_sales_the_year_before_says_so() {
    let dir = TempDir::new().unwrap();
    let org = write(&dir, "org.csv", "node_id,parent_id\nco,\nr1,co\nr2,co\n");
    let history = write(
        &dir,
        "sales.csv",
        "unique_id,ds,y\nr1,2020-01,10\nr1,2020-02,12\n",
    );
    let plan = dir.path().join("plan.csv");
    let (code, stderr) = finish(
        salesplan()
            .args(["allocate", "--target", "1000", "--year", "2026", "--org"])
            .arg(&org)
            .arg("--history")
            .arg(&history)
            .arg("--output")
            .arg(&plan),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no one sold anything in the year before the plan year, so last year's sales (the `history` basis) cannot split the target"),
        "{stderr}"
    );
    assert!(!stderr.contains("sums to 0"), "{stderr}");
    assert!(read_output(&plan).is_none());
}

/// Growth bounds that conflict or cannot be met are told as rates on last
/// year, and their amounts without float noise (issue 10, item 12).
#[test]
fn growth_bounds_are_told_in_the_users_terms() {
    // zhang's last year (2026) is 12 × 1,000 + Σ 10·t × season … : whatever
    // it is, 0.1 over it cannot be under 0.05 over it
    fails(
        ORG,
        Some("node_id,growth_min,growth_max\nzhang,0.1,0.05\n"),
        &["--growth", "0"],
        "node 'zhang': its constraints conflict: growth_min 0.1 on last year's ",
    );
    fails(
        ORG,
        Some("node_id,growth_min,growth_max\nzhang,0.1,0.05\n"),
        &["--growth", "0"],
        "allows at most ",
    );
    // every active leaf 50% up on a flat target: the children's minimums,
    // summed, are written as an amount (no 579703480.4000001), and no
    // maximum as "unbounded"
    let c = "node_id,growth_min\nzhang,0.5\nli,0.5\nwang,0.5\n";
    let dir = TempDir::new().unwrap();
    let run = allocate(&dir, ORG, Some(c), &["--growth", "0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.plan.is_none());
    assert!(
        run.stderr.contains("maximums to unbounded"),
        "{}",
        run.stderr
    );
    let sums: Vec<&str> = run
        .stderr
        .split(|ch: char| !(ch.is_ascii_digit() || ch == '.'))
        .filter(|t| t.contains('.'))
        .collect();
    assert!(
        sums.iter()
            .all(|t| t.split('.').nth(1).is_some_and(|d| d.len() <= 6)),
        "{}",
        run.stderr
    );
}
