//! The `salesplan track` command as a real binary: statuses of every node
//! with a target, consistent numbers, the same bytes for 1 and 2 threads,
//! monthly plans, bad plans rejected.

mod common;

use std::path::Path;

use common::cli::{clear_outputs, finish, read_output, salesplan};
use tempfile::TempDir;

const ORG: &str = "node_id,parent_id,name,start_date,end_date
co,,公司,,
east,co,华东,,
west,co,华西,,
zhang,east,张伟,,
li,east,李娜,,
wang,west,王芳,,
qian,west,钱敏,,2026-09-30
";

/// 2022 to June 2026, monthly.
fn actuals() -> String {
    let mut text = String::from("unique_id,ds,y\n");
    for (k, id) in ["zhang", "li", "wang", "qian"].iter().enumerate() {
        for t in 0..54 {
            let season = [0.8, 0.7, 1.0, 1.0, 1.0, 1.3, 1.0, 0.9, 1.0, 1.0, 1.4, 1.2][t % 12];
            let wiggle = 1.0 + 0.04 * (((t * 5 + k) % 7) as f64 - 3.0) / 3.0;
            let y = (1000.0 + 200.0 * k as f64 + 8.0 * t as f64) * season * wiggle;
            text.push_str(&format!(
                "{id},{}-{:02},{y:.2}\n",
                2022 + t / 12,
                t % 12 + 1
            ));
        }
    }
    text
}

fn run(dir: &Path, plan: &str, extra: &[&str]) -> (i32, String, Option<String>) {
    run_with(dir, ORG, &actuals(), plan, extra)
}

/// [`run`] on another org and other actuals.
fn run_with(
    dir: &Path,
    org: &str,
    actuals: &str,
    plan: &str,
    extra: &[&str],
) -> (i32, String, Option<String>) {
    run_as_of(dir, org, actuals, plan, "2026-06-30", extra)
}

/// [`run_with`] as of another date.
fn run_as_of(
    dir: &Path,
    org: &str,
    actuals: &str,
    plan: &str,
    as_of: &str,
    extra: &[&str],
) -> (i32, String, Option<String>) {
    std::fs::write(dir.join("org.csv"), org).unwrap();
    std::fs::write(dir.join("actuals.csv"), actuals).unwrap();
    std::fs::write(dir.join("plan.csv"), plan).unwrap();
    clear_outputs(&[dir.join("status.csv")]);
    let (code, stderr) = finish(
        salesplan()
            .current_dir(dir)
            .args([
                "track",
                "--plan",
                "plan.csv",
                "--actuals",
                "actuals.csv",
                "--org",
                "org.csv",
                "--as-of",
                as_of,
                "--paths",
                "400",
                "--output",
                "status.csv",
            ])
            .args(extra),
    );
    (code, stderr, read_output(dir.join("status.csv")))
}

const PLAN: &str = "node_id,period,target
co,2026,80000
east,2026,32000
west,2026,48000
zhang,2026,15000
li,2026,17000
wang,2026,30000
qian,2026,18000
";

#[test]
fn statuses_are_consistent_and_deterministic() {
    let dir = TempDir::new().unwrap();
    let (code, stderr, one) = run(dir.path(), PLAN, &["--threads", "1"]);
    assert_eq!(code, 0, "{stderr}");
    let (_, _, two) = run(dir.path(), PLAN, &["--threads", "2"]);
    assert_eq!(one, two);
    let text = one.unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[8..10], ["lo-80", "hi-80"]);
    assert_eq!(header.last(), Some(&"gap:2026-12"));
    assert_eq!(header.len(), 12 + 6);
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').skip(2).map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 7);
    for r in &rows {
        let (target, actual, expected, attainment, run_rate) = (r[0], r[1], r[2], r[3], r[4]);
        let (projection, lo, hi, probability, gap) = (r[5], r[6], r[7], r[8], r[9]);
        assert_eq!(expected, target / 2.0);
        assert!((attainment - actual / target).abs() < 1e-12);
        assert!((run_rate - actual * 2.0).abs() < 1e-9);
        assert!(lo <= projection && projection <= hi && lo >= actual);
        assert!((0.0..=1.0).contains(&probability));
        assert_eq!(gap, (target - actual).max(0.0));
        let spread: f64 = r[10..].iter().sum();
        assert!((spread - gap).abs() < 1e-6 * gap.max(1.0));
    }
    // the company's actual is its reps'
    let reps: f64 = rows[3..].iter().map(|r| r[1]).sum();
    assert!((rows[0][1] - reps).abs() < 1e-6);
    // the leaver sells nothing after September: no gap is phased there
    let qian = text.lines().find(|l| l.starts_with("qian,")).unwrap();
    assert!(qian.ends_with(",0,0,0"), "{qian}");
}

#[test]
fn monthly_plans_and_bad_plans() {
    let dir = TempDir::new().unwrap();
    let mut monthly = String::from("node_id,period,target\n");
    for m in 1..=12 {
        monthly.push_str(&format!("zhang,2026-{m:02},{}\n", 1000 + 10 * m));
    }
    let (code, stderr, status) = run(dir.path(), &monthly, &[]);
    assert_eq!(code, 0, "{stderr}");
    let status = status.unwrap();
    let zhang: Vec<&str> = status.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(zhang[2], "12780");
    assert_eq!(zhang[4], (1010..=1060).step_by(10).sum::<i32>().to_string());
    for (plan, message) in [
        (
            "node_id,period,target\nzhang,2025,100\n",
            "expected 2026 or 2026-MM",
        ),
        (
            "node_id,period,target\nnobody,2026,100\n",
            "not a node of the org tree",
        ),
        (
            "node_id,period,target\nzhang,2026,-5\n",
            "not a non-negative number",
        ),
        (
            "node_id,period,target\nzhang,2026-01,5\n",
            "some months of 2026 only",
        ),
        (
            "node_id,period,target\nzhang,2026,5\nzhang,2026-01,5\n",
            "both annual and monthly",
        ),
    ] {
        let (code, stderr, status) = run(dir.path(), plan, &[]);
        assert_eq!(code, 2, "{plan}");
        assert!(stderr.contains(message), "{plan}: {stderr}");
        assert!(status.is_none());
    }
}

/// The columns of a status file by header name, rows keyed by node id.
fn table(text: &str) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| {
            let cells: Vec<String> = l.split(',').map(String::from).collect();
            (cells[0].clone(), cells)
        })
        .collect();
    (header, rows)
}

#[test]
fn reallocation_splits_the_remaining_target_exactly_within_bounds() {
    let dir = TempDir::new().unwrap();
    // wang may sell at most 20000 this year, zhang at least 21000
    std::fs::write(
        dir.path().join("constraints.csv"),
        "node_id,min,max,lock\nwang,,20000,\nzhang,21000,,\n",
    )
    .unwrap();
    let extra = [
        "--reallocate",
        "--constraints",
        "constraints.csv",
        "--round",
        "10",
    ];
    let (code, stderr, one) = run(
        dir.path(),
        PLAN,
        &[&extra[..], &["--threads", "1"]].concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    let (_, _, two) = run(
        dir.path(),
        PLAN,
        &[&extra[..], &["--threads", "2"]].concat(),
    );
    assert_eq!(one, two);
    let text = one.unwrap();
    let (header, rows) = table(&text);
    assert_eq!(header.len(), 12 + 6 + 2 + 6);
    assert_eq!(
        header[18..20],
        ["reallocated_target", "reallocated_remaining"]
    );
    assert_eq!(header[20], "reallocated:2026-07");
    assert_eq!(header.last().unwrap(), "reallocated:2026-12");
    let get = |id: &str, column: &str| -> f64 {
        let k = header.iter().position(|h| h == column).unwrap();
        let row = &rows.iter().find(|(i, _)| i == id).unwrap().1;
        row[k].parse().unwrap()
    };
    let remaining = |id: &str| get(id, "reallocated_remaining");
    // whole tens, each parent exactly its children's sum
    for id in ["co", "east", "west", "zhang", "li", "wang", "qian"] {
        let r = remaining(id);
        assert!(r >= 0.0 && r % 10.0 == 0.0, "{id}: {r}");
        let new_target = get(id, "reallocated_target");
        assert!(
            (new_target - get(id, "actual_to_date") - r).abs() < 1e-6,
            "{id}"
        );
        let months: Vec<f64> = (7..=12)
            .map(|m| get(id, &format!("reallocated:2026-{m:02}")))
            .collect();
        // whole tens too, summing exactly to the remaining target
        assert!(months.iter().all(|v| v % 10.0 == 0.0), "{id}: {months:?}");
        assert_eq!(months.iter().sum::<f64>(), r, "{id}: {months:?}");
    }
    assert_eq!(remaining("east"), remaining("zhang") + remaining("li"));
    assert_eq!(remaining("west"), remaining("wang") + remaining("qian"));
    assert_eq!(remaining("co"), remaining("east") + remaining("west"));
    let gap = 80000.0 - get("co", "actual_to_date");
    assert!((remaining("co") - gap).abs() <= 5.0, "{gap}");
    // the bounds hold, on the annual targets
    assert!(get("wang", "reallocated_target") <= 20000.0 + 1e-6);
    assert!(get("zhang", "reallocated_target") >= 21000.0 - 1e-6);
    // without constraints, wang (ahead of zhang in sales) would get more than his cap allows
    let (code, stderr, free) = run(dir.path(), PLAN, &["--reallocate"]);
    assert_eq!(code, 0, "{stderr}");
    let (fh, frows) = table(&free.unwrap());
    let k = fh.iter().position(|h| h == "reallocated_target").unwrap();
    let wang_free: f64 = frows.iter().find(|(i, _)| i == "wang").unwrap().1[k]
        .parse()
        .unwrap();
    assert!(wang_free > 20000.0, "{wang_free}");
    // the leaver sells nothing after September: nothing is phased there
    let qian = text.lines().find(|l| l.starts_with("qian,")).unwrap();
    assert!(qian.ends_with(",0,0,0"), "{qian}");
}

#[test]
fn bad_constraints_for_reallocation_are_rejected() {
    let dir = TempDir::new().unwrap();
    for (constraints, messages) in [
        (
            "node_id,min\nzhang,abc\n",
            &[
                "constraints.csv:2: column 'min'",
                "not a number",
                "(value 'abc')",
            ][..],
        ),
        (
            "node_id,max\nli,5\nnobody,5\n",
            &["constraints.csv:3: column 'node_id'", "(value 'nobody')"][..],
        ),
        (
            "node_id,minimum\nzhang,5\n",
            &["unknown column 'minimum'"][..],
        ),
        // every rep capped at what it has sold already: the gap cannot go anywhere
        (
            "node_id,max\nzhang,1000\nli,1000\nwang,1000\nqian,1000\n",
            &["--reallocate: node 'co'", "cannot be met"][..],
        ),
    ] {
        std::fs::write(dir.path().join("constraints.csv"), constraints).unwrap();
        let (code, stderr, status) = run(
            dir.path(),
            PLAN,
            &["--reallocate", "--constraints", "constraints.csv"],
        );
        assert_eq!(code, 2, "{constraints}: {stderr}");
        for m in messages {
            assert!(stderr.contains(m), "{constraints}: {m}: {stderr}");
        }
        assert!(status.is_none(), "{constraints}");
    }
    // constraints and rounding belong to --reallocate
    let (code, stderr, status) = run(dir.path(), PLAN, &["--constraints", "constraints.csv"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--reallocate"), "{stderr}");
    assert!(status.is_none());
}

#[test]
fn a_new_hire_is_projected_as_peers_sell() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    // zhao joined east in March 2026: four months of sales, too few to fit
    let org = format!("{ORG}zhao,east,赵磊,2026-03-01,\n");
    let mut actuals = actuals();
    for (m, y) in [(3, 300.0), (4, 600.0), (5, 900.0), (6, 1200.0)] {
        actuals.push_str(&format!("zhao,2026-{m:02},{y}\n"));
    }
    let plan = format!("{PLAN}zhao,2026,13500\n");
    let (code, stderr, status) = run_with(d, &org, &actuals, &plan, &[]);
    assert_eq!(code, 0, "{stderr}");
    let text = status.unwrap();
    let row: Vec<f64> = text
        .lines()
        .find(|l| l.starts_with("zhao,"))
        .unwrap()
        .split(',')
        .skip(2)
        .map(|v| v.parse().unwrap())
        .collect();
    let (actual, projection, probability) = (row[1], row[5], row[8]);
    assert_eq!(actual, 3000.0);
    // six more months at about a peer's pace (zhang and li sell ~1,000 to
    // 1,600 a month): clearly more than the actual to date
    assert!(projection > actual + 4000.0, "{projection}");
    assert!(probability > 0.0 && probability < 1.0, "{probability}");
}

#[test]
fn calibration_can_be_switched_and_a_small_org_is_told_it_has_too_little_history() {
    let dir = TempDir::new().unwrap();
    let (code, stderr, checked) = run(dir.path(), PLAN, &[]);
    assert_eq!(code, 0, "{stderr}");
    // five reps with a few years each: fewer than 30 backtest windows
    assert!(stderr.contains("too few backtest windows"), "{stderr}");
    let (code, stderr, plain) = run(dir.path(), PLAN, &["--recalibrate", "none"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("backtest"), "{stderr}");
    // no calibration either way: the same projection
    assert_eq!(checked, plain);
    let (code, stderr, out) = run(dir.path(), PLAN, &["--recalibrate", "maybe"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("reselect"), "{stderr}");
    assert!(out.is_none());
}

/// Closed months without actuals are missing, not zero sales (issue 10,
/// item 2): an as-of date past the actuals, and an active rep with no
/// actuals at all, are refused naming the leaves and months, unless
/// `--missing zero` says they are zeros (and the run says how many).
#[test]
fn closed_months_without_actuals_are_not_read_as_zero() {
    let dir = TempDir::new().unwrap();
    let track = |org: &str, as_of: &str, extra: &[&str]| {
        run_as_of(dir.path(), org, &actuals(), PLAN, as_of, extra)
    };
    // the actuals end in June 2026
    let (code, stderr, out) = track(ORG, "2026-12-31", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(out.is_none(), "nothing written");
    for part in [
        "actuals.csv",
        "12 closed months",
        "'zhang' 2026-07..2026-12",
        "'qian' 2026-07..2026-09",
        "--missing zero",
    ] {
        assert!(stderr.contains(part), "{part}: {stderr}");
    }
    let (code, stderr, out) = track(ORG, "2026-12-31", &["--missing", "zero"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.is_some());
    // 3 leaves × 6 months, and qian (active to September) × 3
    assert!(
        stderr.contains("21 closed leaf-months without actuals (4 leaves) counted as zero sales"),
        "{stderr}"
    );
    // an active rep with no actuals at all
    let org = format!("{ORG}zhao,east,赵磊,,\n");
    let (code, stderr, _) = track(&org, "2026-06-30", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("'zhao' 2026-01..2026-06"), "{stderr}");
    // as of the last month with actuals, nothing is missing
    let (code, stderr, _) = track(ORG, "2026-06-30", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("without actuals"), "{stderr}");
}

#[test]
fn a_plan_that_does_not_add_up_is_refused_and_over_assignment_is_reported() {
    let dir = TempDir::new().unwrap();
    // the regions' 82,000 fall short of the company's 90,000
    let short = PLAN.replace("co,2026,80000", "co,2026,90000");
    let (code, stderr, status) = run(dir.path(), &short, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("plan.csv")
            && stderr.contains("node 'co': its children's targets for 2026 sum to 80000, less than its own 90000 (10000 assigned to no one"),
        "{stderr}"
    );
    assert!(status.is_none());
    // months that do not add up although the year does
    let mut monthly = String::from("node_id,period,target\n");
    for (id, base) in [("east", 2000), ("zhang", 1000), ("li", 1000)] {
        for m in 1..=12 {
            let shift = if id == "zhang" && m <= 2 {
                100 * (3 - 2 * m)
            } else {
                0
            };
            monthly.push_str(&format!("{id},2026-{m:02},{}\n", base + shift));
        }
    }
    let (code, stderr, _) = run(dir.path(), &monthly, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "node 'east': its children's targets for 2026-01 sum to 2100, not its own 2000"
        ),
        "{stderr}"
    );
    // children summing to more: over-assignment, tracked and reported
    let over = PLAN.replace("co,2026,80000", "co,2026,72727.27");
    let (code, stderr, status) = run(dir.path(), &over, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "over-assigned at 1 node (their children's targets sum to up to 110.0% of their own)"
        ),
        "{stderr}"
    );
    assert!(status.unwrap().lines().any(|l| l.starts_with("co,")));
}

#[test]
fn this_years_actuals_join_the_history_and_alone_they_are_refused() {
    let dir = TempDir::new().unwrap();
    let all = actuals();
    let (header, rows) = all.split_once('\n').unwrap();
    let (this_year, before): (Vec<&str>, Vec<&str>) =
        rows.lines().partition(|l| l.contains(",2026-"));
    let file = |rows: &[&str]| format!("{header}\n{}\n", rows.join("\n"));
    std::fs::write(dir.path().join("history.csv"), file(&before)).unwrap();
    let (code, err, whole) = run(dir.path(), PLAN, &[]);
    assert_eq!(code, 0, "{err}");

    // history and this year's months in two files: the same statuses
    let (code, err, joined) = run_with(
        dir.path(),
        ORG,
        &file(&this_year),
        PLAN,
        &["--history", "history.csv"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(joined, whole);

    // this year's months alone: nothing to fit the projection on
    let (code, err, status) = run_with(dir.path(), ORG, &file(&this_year), PLAN, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("actuals.csv")
            && err.contains(
                "no leaf has a year of monthly sales up to 2026-06-30 (the longest has 6 months)"
            ),
        "{err}"
    );
    assert_eq!(status, None);

    // a month in both files that does not agree
    let mut clash = before.clone();
    clash.push("li,2026-01,1.5");
    std::fs::write(dir.path().join("history.csv"), file(&clash)).unwrap();
    let (code, err, status) = run_with(
        dir.path(),
        ORG,
        &file(&this_year),
        PLAN,
        &["--history", "history.csv"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("history.csv (--history) and actuals.csv (--actuals)"),
        "{err}"
    );
    assert!(
        err.contains("'li'") && err.contains("period 2026-01: 1.5 in the earlier data"),
        "{err}"
    );
    assert_eq!(status, None);
}

/// The README's tracking command on the bundled demo: the plan of the main
/// job, the years before from `sales_monthly.csv`, 2026's first half from
/// `actuals_2026h1.csv`.
#[test]
fn the_bundled_actuals_track_the_demo_plan() {
    let dir = TempDir::new().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let (code, err) = finish(
        salesplan()
            .current_dir(dir.path())
            .args([
                "allocate",
                "--growth",
                "0.15",
                "--year",
                "2026",
                "--calendar",
                "monthly",
            ])
            .args([
                "--basis",
                "forecast:0.6,history:0.4",
                "--round",
                "100",
                "--output",
                "plan.csv",
            ])
            .arg("--org")
            .arg(demo.join("org.csv"))
            .arg("--history")
            .arg(demo.join("sales_monthly.csv")),
    );
    assert_eq!(code, 0, "{err}");
    let (code, err) = finish(
        salesplan()
            .current_dir(dir.path())
            .args([
                "track",
                "--plan",
                "plan.csv",
                "--as-of",
                "2026-06-30",
                "--output",
                "status.csv",
            ])
            .arg("--org")
            .arg(demo.join("org.csv"))
            .arg("--history")
            .arg(demo.join("sales_monthly.csv"))
            .arg("--actuals")
            .arg(demo.join("actuals_2026h1.csv")),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("434 nodes tracked after 6 closed months of 2026"),
        "{err}"
    );
    let actuals = std::fs::read_to_string(demo.join("actuals_2026h1.csv")).unwrap();
    let total: f64 = actuals
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(actuals.lines().skip(1).all(|l| l.contains(",2026-0")));
    let (header, rows) = table(&read_output(dir.path().join("status.csv")).unwrap());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let hq = &rows.iter().find(|(id, _)| id == "HQ").unwrap().1;
    assert_eq!(hq[col("actual_to_date")].parse::<f64>().unwrap(), total);
    // the year-end projection: the actual to date plus six more months of sales
    let projection: f64 = hq[col("model_projection")].parse().unwrap();
    assert!(
        projection > 1.8 * total && projection < 2.4 * total,
        "{projection} vs {total}"
    );
    let p: f64 = hq[col("probability")].parse().unwrap();
    assert!(p > 0.0 && p < 1.0, "{p}");
}
