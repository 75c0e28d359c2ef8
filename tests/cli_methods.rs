//! `salesplan forecast --model <method>` for the baseline, Theta and
//! intermittent families, and `salesplan backtest`, run as the real binary.

mod common;

use common::cli::{finish, salesplan};
use tempfile::TempDir;

fn monthly_csv() -> String {
    let mut text = String::from("unique_id,ds,y\n");
    for (k, id) in ["a", "b"].iter().enumerate() {
        for t in 0..48 {
            let season = [1.2, 0.8, 1.0, 1.1, 0.9, 1.3, 1.0, 0.7, 1.1, 1.0, 0.95, 1.05][t % 12];
            let y = (100.0 + 10.0 * k as f64 + 1.5 * t as f64) * season + ((t * 7) % 5) as f64;
            text.push_str(&format!("{id},{}-{:02},{y}\n", 2021 + t / 12, t % 12 + 1));
        }
    }
    // a sparse series with zeros
    for t in 0..48 {
        let y = if t % 5 == 2 { 3.0 } else { 0.0 };
        text.push_str(&format!("sparse,{}-{:02},{y}\n", 2021 + t / 12, t % 12 + 1));
    }
    text
}

#[test]
fn every_method_forecasts() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, monthly_csv()).unwrap();
    for model in [
        "naive",
        "snaive",
        "drift",
        "mean",
        "window:6",
        "naive2",
        "theta",
        "otm",
        "dstm",
        "dotm",
        "auto-theta",
        "croston",
        "croston-opt",
        "sba",
        "tsb",
        "adida",
        "imapa",
        "auto-ets",
    ] {
        let out = dir.path().join(format!("{model}.csv").replace(':', "_"));
        let (code, stderr) = finish(
            salesplan()
                .args(["forecast", "--horizon", "6", "--model", model, "--input"])
                .arg(&input)
                .arg("--output")
                .arg(&out),
        );
        assert_eq!(code, 0, "{model}: {stderr}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count(), 1 + 3 * 6, "{model}");
        assert!(text.starts_with("unique_id,ds,model,mean,lo-80,hi-80,lo-95,hi-95\n"));
        for line in text.lines().skip(1) {
            let mean: f64 = line.split(',').nth(3).unwrap().parse().unwrap();
            assert!(mean.is_finite(), "{model}: {line}");
            if line.starts_with("sparse")
                && ["croston", "sba", "tsb", "adida", "imapa"].contains(&model)
            {
                assert!(mean >= 0.0 && line.ends_with(",,,,"), "{model}: {line}");
            }
        }
    }
}

#[test]
fn bad_model_names_are_rejected() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, monthly_csv()).unwrap();
    for model in ["thetaa", "window:0", "window:x", "ets:XYZ"] {
        let assert = salesplan()
            .args(["forecast", "--horizon", "6", "--model", model, "--input"])
            .arg(&input)
            .arg("--output")
            .arg(dir.path().join("out.csv"))
            .assert();
        assert_eq!(assert.get_output().status.code(), Some(2), "{model}");
    }
}

#[test]
fn backtest_writes_metrics() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, monthly_csv()).unwrap();
    let out = dir.path().join("metrics.csv");
    let (code, stderr) = finish(
        salesplan()
            .args([
                "backtest",
                "--horizon",
                "6",
                "--windows",
                "3",
                "--step",
                "2",
            ])
            .args([
                "--models",
                "theta,naive,croston",
                "--threads",
                "1",
                "--input",
            ])
            .arg(&input)
            .arg("--output")
            .arg(&out),
    );
    // the sparse series has zeros: MAPE undefined there, but no failure
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with("scope,unique_id,model,window,origin,windows,mae,"));
    // 3 series × 4 models (Naive2 added) × (3 windows + 1 summary) + 4 overall
    assert_eq!(rows.len(), 1 + 3 * 4 * 4 + 4);
    let naive2 = rows
        .iter()
        .find(|r| r.starts_with("overall,,Naive2,"))
        .unwrap();
    assert_eq!(naive2.split(',').nth(14), Some("1"));
    let windows: Vec<&&str> = rows
        .iter()
        .filter(|r| r.starts_with("window,a,Theta,"))
        .collect();
    let origins: Vec<&str> = windows
        .iter()
        .map(|r| r.split(',').nth(4).unwrap())
        .collect();
    assert_eq!(origins, ["38", "40", "42"]);
    // same output with 2 threads
    let out2 = dir.path().join("metrics2.csv");
    salesplan()
        .args([
            "backtest",
            "--horizon",
            "6",
            "--windows",
            "3",
            "--step",
            "2",
        ])
        .args([
            "--models",
            "theta,naive,croston",
            "--threads",
            "2",
            "--input",
        ])
        .arg(&input)
        .arg("--output")
        .arg(&out2)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&out2).unwrap(), text);
    // an invalid design is fatal (exit 2)
    let assert = salesplan()
        .args(["backtest", "--horizon", "6", "--windows", "0", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(dir.path().join("x.csv"))
        .assert();
    assert_eq!(assert.get_output().status.code(), Some(2));
}

#[test]
fn a_model_that_scored_nothing_shows_no_metric() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "unique_id,ds,y\nA,1,10\nA,2,11\nA,3,12\nA,4,13\nA,5,12\nA,6,14\n",
    )
    .unwrap();
    let out = dir.path().join("metrics.csv");
    let (code, stderr) = finish(
        salesplan()
            .args(["backtest", "--horizon", "2", "--windows", "2"])
            .args([
                "--models",
                "naive,ets:AAA",
                "--season-length",
                "4",
                "--input",
            ])
            .arg(&input)
            .arg("--output")
            .arg(&out),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("ETS(AAA)         scored no window (failed on all 1 series)"),
        "{stderr}"
    );
    assert!(!stderr.contains("sMAPE    0.000"), "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    let ets = text
        .lines()
        .find(|r| r.starts_with("overall,,ETS(AAA),"))
        .unwrap();
    // no window: the count 0, every metric empty
    assert_eq!(ets, format!("overall,,ETS(AAA),,,0{}", ",".repeat(13)));
}
