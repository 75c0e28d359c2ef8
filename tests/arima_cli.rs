//! `--model arima:...` through the binary: forecasts, a series too short for
//! the order failing alone, and bad orders refused.

mod common;

use common::cli::{finish, salesplan, write_file};

fn input() -> String {
    let mut text = String::from("unique_id,ds,y\n");
    // a seasonal monthly series over six years, and one of five months
    for t in 0..72 {
        let season = [1.2, 0.8, 1.0, 1.1, 0.9, 1.3, 1.0, 0.7, 1.1, 1.0, 0.95, 1.05][t % 12];
        let y = (200.0 + 2.0 * t as f64) * season + ((t * 7919) % 11) as f64;
        text.push_str(&format!("long,{}-{:02},{y}\n", 2020 + t / 12, t % 12 + 1));
    }
    for t in 0..5 {
        text.push_str(&format!("short,2025-{:02},{}\n", t + 1, 10 + t));
    }
    text
}

#[test]
fn arima_forecasts_and_a_short_series_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_file(dir.path(), "in.csv", &input());
    let out = dir.path().join("out.csv");
    let report = dir.path().join("report.csv");
    let (code, stderr) = finish(salesplan().args([
        "forecast",
        "--input",
        input.to_str().unwrap(),
        "--horizon",
        "12",
        "--model",
        "arima:0,1,1(0,1,1)",
        "--output",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("failed short"), "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("long,")).collect();
    assert_eq!(rows.len(), 12);
    assert!(rows[0].contains("ARIMA(0,1,1)(0,1,1)"), "{}", rows[0]);
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(report.contains("ARIMA(0,1,1)(0,1,1)[12]"), "{report}");
}

#[test]
fn bad_orders_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_file(dir.path(), "in.csv", &input());
    let out = dir.path().join("out.csv");
    for bad in [
        "arima:1,1",
        "arima:1,x,1",
        "arima:1,1,1(0,1)",
        "arima:0,2,1+drift",
    ] {
        let (code, stderr) = finish(salesplan().args([
            "forecast",
            "--input",
            input.to_str().unwrap(),
            "--horizon",
            "6",
            "--model",
            bad,
            "--output",
            out.to_str().unwrap(),
        ]));
        if bad.ends_with("+drift") {
            // a valid order the series cannot take: every series fails
            assert_eq!(code, 1, "{bad}: {stderr}");
            assert!(
                stderr.contains("drift needs at most one difference"),
                "{stderr}"
            );
            std::fs::remove_file(&out).ok();
        } else {
            assert_eq!(code, 2, "{bad}: {stderr}");
            assert!(stderr.contains("p,d,q"), "{bad}: {stderr}");
            assert!(!out.exists());
        }
    }
}
