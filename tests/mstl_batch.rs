//! MSTL through `batch` and the real binary: model names, default periods
//! for daily and weekly dates, `--seasonal-periods`, and an end-to-end
//! check of `salesplan forecast --model mstl:drift` on taylor against R.

use std::path::Path;

use assert_cmd::Command;
use chrono::{Duration, NaiveDate};
use salesplan::forecast::backtest::Backtest;
use salesplan::forecast::batch::{
    backtest_batch_with, fit_and_predict, forecast_batch, ForecastJob, ModelChoice,
};
use salesplan::forecast::frequency::Period;
use salesplan::Series;
use tempfile::TempDir;

fn dated(id: &str, start: NaiveDate, step_days: i64, n: usize) -> Series {
    let rows = (0..n)
        .map(|t| {
            let date = start + Duration::days(step_days * t as i64);
            let x = t as f64;
            let y = 100.0
                + 0.05 * x
                + 8.0 * (2.0 * std::f64::consts::PI * x / 7.0).sin()
                + 20.0 * (2.0 * std::f64::consts::PI * x / 365.25).cos()
                + ((t * 37) % 11) as f64 * 0.3;
            (
                Period::parse(&date.format("%Y-%m-%d").to_string()).unwrap(),
                y,
            )
        })
        .collect();
    Series::from_periods(id, rows).unwrap()
}

#[test]
fn names_round_trip_and_fit() {
    let y: Vec<f64> = (0..60)
        .map(|t| (50.0 + t as f64) * [1.2, 0.8, 1.0, 1.0][t % 4])
        .collect();
    for (name, shown) in [
        ("mstl", "MSTL(AutoETS)"),
        ("mstl:theta", "MSTL(Theta)"),
        ("mstl:drift", "MSTL(Drift)"),
        ("mstl:auto-arima", "MSTL(AutoARIMA)"),
    ] {
        let choice: ModelChoice = name.parse().unwrap();
        assert_eq!(choice.to_string(), name);
        assert_eq!(choice.name(), shown);
        assert_eq!(name.to_uppercase().parse::<ModelChoice>().unwrap(), choice);
        let out = fit_and_predict(choice, &y, 4, 5, &[80.0]).unwrap();
        assert_eq!(out.forecast.mean.len(), 5);
        assert!(out.form.starts_with("MSTL(4)+"), "{}", out.form);
    }
    assert_eq!(
        "mstl:ets".parse::<ModelChoice>().unwrap(),
        "mstl".parse().unwrap()
    );
    assert!("mstl:naive".parse::<ModelChoice>().is_err());
    assert_eq!(
        "mstl:arima".parse::<ModelChoice>().unwrap(),
        "mstl:auto-arima".parse().unwrap()
    );
    let err = "xyz".parse::<ModelChoice>().unwrap_err().to_string();
    assert!(err.contains("mstl:theta"), "{err}");
}

#[test]
fn daily_and_weekly_dates_get_default_periods() {
    let start = NaiveDate::from_ymd_opt(2022, 1, 3).unwrap();
    let series = vec![
        dated("daily", start, 1, 800),
        dated("daily-short", start, 1, 100), // the year is dropped
        dated("weekly", start, 7, 160),
    ];
    let job =
        ForecastJob::new(ModelChoice::Mstl(Default::default()), 14, vec![95.0], None).unwrap();
    let out = forecast_batch(&series, &job, &|| {});
    let forms: Vec<&str> = out
        .iter()
        .map(|o| o.as_ref().unwrap().form.as_str())
        .collect();
    assert!(forms[0].starts_with("MSTL(7,365.25)+ETS("), "{}", forms[0]);
    assert!(forms[1].starts_with("MSTL(7)+ETS("), "{}", forms[1]);
    assert!(forms[2].starts_with("MSTL(52.18)+ETS("), "{}", forms[2]);
    let daily = out[0].as_ref().unwrap();
    assert_eq!(daily.labels[0], "2024-03-13");
    // explicit periods win over the defaults
    let job = job.with_seasonal_periods(vec![7.0]).unwrap();
    let out = forecast_batch(&series[..1], &job, &|| {});
    assert!(out[0].as_ref().unwrap().form.starts_with("MSTL(7)+"));
    // and reach the backtest
    let scores = backtest_batch_with(
        &series[..1],
        &[ModelChoice::Mstl(Default::default())],
        &Backtest::new(14, 2).unwrap(),
        &[95.0],
        None,
        &[7.0, 365.25],
        None,
        &|| {},
    );
    assert_eq!(scores[0][0].outcome.as_ref().unwrap().len(), 2);
}

#[test]
fn cli_mstl_drift_on_taylor_matches_r() {
    let dir = TempDir::new().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mstl_reference");
    let mut reader = csv::Reader::from_path(data.join("taylor.csv")).unwrap();
    let mut text = String::from("unique_id,ds,y\n");
    for (t, r) in reader.records().enumerate() {
        text.push_str(&format!("taylor,{},{}\n", t + 1, &r.unwrap()[2]));
    }
    let input = dir.path().join("taylor.csv");
    let output = dir.path().join("out.csv");
    std::fs::write(&input, text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_salesplan"))
        .args(["forecast", "--model", "mstl:drift", "--horizon", "96"])
        .args([
            "--seasonal-periods",
            "336,48",
            "--level",
            "80",
            "--level",
            "95",
        ])
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .assert()
        .success();
    let ours: Vec<csv::StringRecord> = csv::Reader::from_path(&output)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect();
    let r: Vec<csv::StringRecord> = csv::Reader::from_path(data.join("forecasts.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[0] == "taylor" && &r[1] == "drift")
        .collect();
    assert_eq!(ours.len(), 96);
    for (o, e) in ours.iter().zip(&r) {
        assert_eq!(&o[2], "MSTL(Drift)");
        for (col, rcol) in [(3, 3), (4, 4), (5, 5), (6, 6), (7, 7)] {
            let a: f64 = o[col].parse().unwrap();
            let b: f64 = e[rcol].parse().unwrap();
            assert!((a - b).abs() <= 1e-6 * b.abs(), "{a} vs R {b}");
        }
    }
    // the backtest takes the same option
    let metrics = dir.path().join("metrics.csv");
    Command::new(env!("CARGO_BIN_EXE_salesplan"))
        .args(["backtest", "--models", "mstl,mstl:theta", "--horizon", "48"])
        .args(["--windows", "2", "--seasonal-periods", "48,336"])
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&metrics)
        .assert()
        .success();
    let text = std::fs::read_to_string(&metrics).unwrap();
    assert!(text.contains("MSTL(AutoETS)") && text.contains("MSTL(Theta)"));
    Command::new(env!("CARGO_BIN_EXE_salesplan"))
        .args([
            "backtest",
            "--models",
            "mstl",
            "--horizon",
            "4",
            "--windows",
            "1",
        ])
        .args(["--seasonal-periods", "0.5"])
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&metrics)
        .assert()
        .code(2);
    // bad periods are rejected before any work
    Command::new(env!("CARGO_BIN_EXE_salesplan"))
        .args(["forecast", "--model", "mstl", "--horizon", "4"])
        .args(["--seasonal-periods", "7,abc"])
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .assert()
        .code(2);
}
