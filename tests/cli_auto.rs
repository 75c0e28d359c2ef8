//! `--model auto`, combinations and `--nonnegative`, run as the real binary.

mod common;

use common::cli::{finish, salesplan};
use tempfile::TempDir;

/// Two seasonal series, one sparse series, one series falling through zero.
fn input_csv() -> String {
    let mut text = String::from("unique_id,ds,y\n");
    for (k, id) in ["a", "b"].iter().enumerate() {
        for t in 0..48 {
            let season = [1.2, 0.8, 1.0, 1.1, 0.9, 1.3, 1.0, 0.7, 1.1, 1.0, 0.95, 1.05][t % 12];
            let y = (100.0 + 10.0 * k as f64 + 1.5 * t as f64) * season + ((t * 7) % 5) as f64;
            text.push_str(&format!("{id},{}-{:02},{y}\n", 2021 + t / 12, t % 12 + 1));
        }
    }
    for t in 0..48 {
        let y = if t % 5 == 2 { 3.0 } else { 0.0 };
        text.push_str(&format!("sparse,{}-{:02},{y}\n", 2021 + t / 12, t % 12 + 1));
    }
    for t in 0..48 {
        let y = 60.0 - 1.5 * t as f64 + ((t * 3) % 7) as f64;
        text.push_str(&format!(
            "falling,{}-{:02},{y}\n",
            2021 + t / 12,
            t % 12 + 1
        ));
    }
    text
}

fn run(dir: &TempDir, args: &[&str]) -> (i32, String, String) {
    let input = dir.path().join("in.csv");
    if !input.exists() {
        std::fs::write(&input, input_csv()).unwrap();
    }
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = dir.path().join(format!("out{k}.csv"));
    let (code, stderr) = finish(
        salesplan()
            .args(args)
            .arg("--input")
            .arg(&input)
            .arg("--output")
            .arg(&out),
    );
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    (code, text, stderr)
}

/// (id, mean, bounds) of each data row.
fn rows(text: &str) -> Vec<(String, f64, Vec<f64>)> {
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let bounds = f[4..]
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| v.parse().unwrap())
                .collect();
            (f[0].to_string(), f[3].parse().unwrap(), bounds)
        })
        .collect()
}

#[test]
fn auto_records_its_choice_and_is_deterministic() {
    let dir = TempDir::new().unwrap();
    let report = dir.path().join("report.csv");
    let report_arg = report.to_str().unwrap();
    let (code, one, err) = run(
        &dir,
        &[
            "forecast",
            "--horizon",
            "6",
            "--model",
            "auto",
            "--threads",
            "1",
            "--report",
            report_arg,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&report).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("unique_id,status,model,n_obs,aicc,reason,chosen,warning")
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let by_id = |id: &str| records.iter().find(|r| &r[0] == id).unwrap().clone();
    assert_eq!(&by_id("sparse")[6], "CrostonSBA");
    assert!(by_id("sparse")[5].contains("ADI"));
    assert!(by_id("a")[6].starts_with("Comb(ETS("), "{:?}", by_id("a"));
    assert!(by_id("a")[5].contains("AICc"));
    // same bytes with two threads
    let (code, two, _) = run(
        &dir,
        &[
            "forecast",
            "--horizon",
            "6",
            "--model",
            "auto",
            "--threads",
            "2",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(one, two);
}

#[test]
fn combinations_forecast() {
    let dir = TempDir::new().unwrap();
    for model in [
        "comb:ets,theta",
        "comb-median:ets,theta,naive2",
        "m4-comb",
        "comb",
    ] {
        let (code, text, err) = run(&dir, &["forecast", "--horizon", "6", "--model", model]);
        assert_eq!(code, 0, "{model}: {err}");
        for (id, mean, bounds) in rows(&text) {
            assert!(mean.is_finite(), "{model} {id}");
            if id != "sparse" || !model.contains("naive2") {
                assert_eq!(bounds.len(), 4, "{model} {id}");
                assert!(bounds[2] <= bounds[0] && bounds[0] <= mean, "{model} {id}");
                assert!(mean <= bounds[1] && bounds[1] <= bounds[3], "{model} {id}");
            }
        }
    }
    let (code, _, err) = run(
        &dir,
        &["forecast", "--horizon", "6", "--model", "comb:ets,auto"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("auto"), "{err}");
}

#[test]
fn nonnegative_forecasts_and_bounds() {
    let dir = TempDir::new().unwrap();
    let base = ["forecast", "--horizon", "12", "--model", "theta"];
    let (_, plain, _) = run(&dir, &base);
    let falling: Vec<_> = rows(&plain)
        .into_iter()
        .filter(|r| r.0 == "falling")
        .collect();
    assert!(
        falling.iter().any(|r| r.1 < 0.0),
        "the test series must go negative"
    );

    let (code, mean, err) = run(&dir, &[&base[..], &["--nonnegative"]].concat());
    assert_eq!(code, 0, "{err}");
    let (code, median, err) = run(&dir, &[&base[..], &["--nonnegative", "median"]].concat());
    assert_eq!(code, 0, "{err}");
    for ((p, m), d) in rows(&plain).iter().zip(rows(&mean)).zip(rows(&median)) {
        assert!(m.1 >= 0.0 && d.1 >= 0.0, "{m:?} {d:?}");
        assert!(m.2.iter().chain(&d.2).all(|b| *b >= 0.0), "{m:?} {d:?}");
        // the median is max(μ, 0); the censored mean is at least that
        assert_eq!(d.1, p.1.max(0.0));
        assert!(m.1 >= d.1 - 1e-12);
        // bounds are max(q, 0), nested
        for (b, q) in m.2.iter().zip(&p.2) {
            assert_eq!(*b, q.max(0.0));
        }
        assert!(m.2[2] <= m.2[0] && m.2[0] <= m.2[1] && m.2[1] <= m.2[3]);
    }
    let (code, _, err) = run(&dir, &[&base[..], &["--nonnegative", "mode"]].concat());
    assert_eq!(code, 2, "{err}");
}

#[test]
fn backtest_takes_the_new_models_and_flag() {
    let dir = TempDir::new().unwrap();
    let (code, text, err) = run(
        &dir,
        &[
            "backtest",
            "--horizon",
            "6",
            "--windows",
            "2",
            "--models",
            "auto,comb:ets+theta,m4-comb",
            "--nonnegative",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for name in ["Auto", "Comb(AutoETS+Theta)", "Comb", "Naive2"] {
        assert!(text.contains(&format!(",{name},")), "{name}");
    }
}
