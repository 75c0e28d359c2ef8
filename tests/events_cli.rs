//! `salesplan forecast --events` as a real binary: the demo's reps with
//! the Chinese calendar; weekly or integer-period data, an unknown set and
//! a promotion for a series that is not in the data each exit 2 with a
//! clear message and write nothing.

mod common;

use std::path::Path;

use common::cli::{clear_outputs, finish, read_output, salesplan, write_file};
use tempfile::TempDir;

fn forecast(input: &Path, out: &Path, args: &[&str]) -> (i32, String, Option<String>) {
    clear_outputs(&[out]);
    let mut cmd = salesplan();
    cmd.arg("forecast")
        .arg("--input")
        .arg(input)
        .args(["--model", "auto-ets", "--horizon", "12", "--output"])
        .arg(out)
        .args(args);
    let (code, stderr) = finish(&mut cmd);
    (code, stderr, read_output(out))
}

#[test]
fn demo_forecasts_with_the_chinese_calendar() {
    let dir = TempDir::new().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo/sales_monthly.csv");
    let out = dir.path().join("f.csv");
    let (code, stderr, plain) = forecast(&demo, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr, with) = forecast(&demo, &out, &["--events", "china,shopping"]);
    assert_eq!(code, 0, "{stderr}");
    let (plain, with) = (plain.unwrap(), with.unwrap());
    assert_eq!(plain.lines().count(), with.lines().count());
    assert_ne!(plain, with, "the demo's New Year moves its forecasts");
}

#[test]
fn events_on_data_they_cannot_apply_to_exit_2() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("f.csv");
    let weekly = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo/sales_weekly.csv");
    let (code, stderr, written) = forecast(&weekly, &out, &["--events", "china"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("events need monthly dates"), "{stderr}");
    assert!(written.is_none());
    let monthly = write_file(
        dir.path(),
        "m.csv",
        "unique_id,ds,y\n王芳,2025-01,1\n王芳,2025-02,2\n王芳,2025-03,3\n",
    );
    let (code, stderr, _) = forecast(&monthly, &out, &["--events", "china,shoping"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown event set 'shoping'"), "{stderr}");
    let promos = write_file(
        dir.path(),
        "p.csv",
        "event,start,end,unique_id\n大促,2025-03-01,2025-03-05,李娜\n",
    );
    let (code, stderr, written) =
        forecast(&monthly, &out, &["--events-file", promos.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("p.csv:2: column 'unique_id'") && stderr.contains("'李娜'"),
        "{stderr}"
    );
    assert!(written.is_none());
}

#[test]
fn track_projects_the_rest_of_the_year_with_events() {
    let dir = TempDir::new().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let plan = dir.path().join("plan.csv");
    let mut cmd = salesplan();
    cmd.arg("allocate")
        .arg("--org")
        .arg(demo.join("org.csv"))
        .arg("--history")
        .arg(demo.join("sales_monthly.csv"))
        .args([
            "--growth",
            "0.1",
            "--year",
            "2025",
            "--calendar",
            "monthly",
            "--round",
            "10",
            "--output",
        ])
        .arg(&plan);
    assert_eq!(finish(&mut cmd).0, 0);
    let projection = |events: &[&str]| -> f64 {
        let out = dir.path().join("status.csv");
        clear_outputs(&[&out]);
        let mut cmd = salesplan();
        cmd.arg("track")
            .arg("--plan")
            .arg(&plan)
            .arg("--actuals")
            .arg(demo.join("sales_monthly.csv"))
            .args(["--as-of", "2025-01-31", "--paths", "200", "--org"])
            .arg(demo.join("org.csv"))
            .arg("--output")
            .arg(&out)
            .args(events);
        let (code, stderr) = finish(&mut cmd);
        assert_eq!(code, 0, "{stderr}");
        let text = read_output(&out).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let k = header
            .iter()
            .position(|h| *h == "model_projection")
            .unwrap();
        let hq = text.lines().find(|l| l.starts_with("HQ,")).unwrap();
        hq.split(',').nth(k).unwrap().parse().unwrap()
    };
    let (plain, with) = (projection(&[]), projection(&["--events", "china,shopping"]));
    // what the company sold in 2025
    let sold: f64 = std::fs::read_to_string(demo.join("sales_monthly.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(1).unwrap().starts_with("2025"))
        .map(|l| l.split(',').nth(2).unwrap().parse::<f64>().unwrap())
        .sum();
    assert_ne!(plain, with);
    // after January (New Year on 29 January), the events bring the projection nearer
    assert!(
        (with - sold).abs() < (plain - sold).abs(),
        "{plain} {with} {sold}"
    );
}

#[test]
fn shopping_runup_windows_are_checked() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("f.csv");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo/sales_monthly.csv");
    let ok = forecast(
        &demo,
        &out,
        &[
            "--events",
            "china,shopping",
            "--shopping-runup",
            "618=30,double11=25",
        ],
    );
    assert_eq!(ok.0, 0, "{}", ok.1);
    for (args, message) in [
        (
            &["--events", "china", "--shopping-runup", "618=30"][..],
            "needs the shopping set",
        ),
        (
            &["--events", "shopping", "--shopping-runup", "777=3"][..],
            "unknown festival '777'",
        ),
        (
            &["--events", "shopping", "--shopping-runup", "618=x"][..],
            "'x' is not a number of days",
        ),
        (
            &["--events", "shopping", "--shopping-runup", "618=400"][..],
            "more than 180",
        ),
    ] {
        let (code, stderr, written) = forecast(&demo, &out, args);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
        assert!(written.is_none());
    }
}
