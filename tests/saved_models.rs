//! `forecast --save-models` then `--load-models`: fit once, forecast again
//! later from the saved fits, through the binary.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{finish, read_output, salesplan, write_file};
use tempfile::TempDir;

const AIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/classic/AirPassengers.csv"
);
const GAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/classic/UKgas.csv");

/// AirPassengers and UKgas in one file: monthly and quarterly dates.
fn two_series(dir: &Path) -> PathBuf {
    let air = std::fs::read_to_string(AIR).unwrap();
    let gas = std::fs::read_to_string(GAS).unwrap();
    let rows: String = gas.lines().skip(1).map(|l| format!("{l}\n")).collect();
    write_file(dir, "two.csv", &format!("{air}{rows}"))
}

/// Runs `forecast` with `args`, expecting exit 0; returns stderr.
fn forecast(args: &[&str], paths: &[(&str, &Path)]) -> String {
    let mut cmd = salesplan();
    cmd.arg("forecast").args(args);
    for (option, path) in paths {
        cmd.arg(option).arg(path);
    }
    let (code, err) = finish(&mut cmd);
    assert_eq!(code, 0, "{args:?}: {err}");
    err
}

#[test]
fn loaded_models_forecast_the_same_bytes_as_the_fitting_run() {
    let dir = TempDir::new().unwrap();
    let input = two_series(dir.path());
    let p = |name: &str| dir.path().join(name);
    for model in [
        "auto-ets",
        "auto",
        "auto-arima",
        "auto-theta",
        "mstl",
        "comb:ets,theta",
        "croston",
    ] {
        for extra in [
            &[][..],
            &["--nonnegative"][..],
            &["--level", "50,99", "--intervals", "model"][..],
        ] {
            let mut args = vec!["--horizon", "12", "--model", model];
            args.extend_from_slice(extra);
            let err = forecast(
                &args,
                &[
                    ("--input", &input),
                    ("--output", &p("direct.csv")),
                    ("--report", &p("direct_report.csv")),
                    ("--save-models", &p("models.json")),
                ],
            );
            assert!(err.contains("models.json (--save-models)"), "{err}");
            let mut again = vec!["--horizon", "12"];
            if let Some(k) = extra.iter().position(|a| *a == "--level") {
                again.extend_from_slice(&extra[k..k + 2]);
            }
            let err = forecast(
                &again,
                &[
                    ("--load-models", &p("models.json")),
                    ("--output", &p("loaded.csv")),
                    ("--report", &p("loaded_report.csv")),
                ],
            );
            assert!(err.contains("forecast from 2 saved"), "{err}");
            let what = format!("{model} {extra:?}");
            assert_eq!(
                read_output(p("loaded.csv")),
                read_output(p("direct.csv")),
                "{what}"
            );
            assert_eq!(
                read_output(p("loaded_report.csv")),
                read_output(p("direct_report.csv")),
                "{what}"
            );
        }
    }
}

#[test]
fn loaded_models_forecast_any_horizon_and_levels() {
    let dir = TempDir::new().unwrap();
    let input = two_series(dir.path());
    let p = |name: &str| dir.path().join(name);
    forecast(
        &["--horizon", "6", "--model", "ets:MAM"],
        &[
            ("--input", &input),
            ("--output", &p("six.csv")),
            ("--save-models", &p("models.json")),
        ],
    );
    // a longer horizon and other levels than the fitting run: the first six
    // steps' points are the fitting run's, the calendar continues
    forecast(
        &["--horizon", "24", "--level", "90"],
        &[
            ("--load-models", &p("models.json")),
            ("--output", &p("long.csv")),
        ],
    );
    let six = read_output(p("six.csv")).unwrap();
    let long = read_output(p("long.csv")).unwrap();
    let cells = |text: &str, id: &str| -> Vec<Vec<String>> {
        text.lines()
            .filter(|l| l.starts_with(id))
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect()
    };
    assert_eq!(
        long.lines().next().unwrap(),
        "unique_id,ds,model,mean,lo-90,hi-90"
    );
    for id in ["AirPassengers", "UKgas"] {
        let (short, long) = (cells(&six, id), cells(&long, id));
        assert_eq!(long.len(), 24);
        for (a, b) in short.iter().zip(&long) {
            assert_eq!(a[..4], b[..4], "{id}");
        }
    }
    let air = cells(&long, "AirPassengers");
    assert_eq!(
        (air[0][1].as_str(), air[23][1].as_str()),
        ("1961-01-01", "1962-12-01")
    );
    let gas = cells(&long, "UKgas");
    assert_eq!(gas[23][1], "1992-10-01");
}

#[test]
fn calibrated_intervals_load_at_their_levels_only() {
    let dir = TempDir::new().unwrap();
    let input = two_series(dir.path());
    let p = |name: &str| dir.path().join(name);
    forecast(
        &[
            "--horizon",
            "6",
            "--intervals",
            "calibrated",
            "--model",
            "naive",
        ],
        &[
            ("--input", &input),
            ("--output", &p("fit.csv")),
            ("--save-models", &p("models.json")),
        ],
    );
    let saved = read_output(p("models.json")).unwrap();
    assert!(
        saved.contains("\"widening\":{\"levels\":[80.0,95.0]"),
        "6 windows × 6 steps calibrate"
    );
    let mut cmd = salesplan();
    cmd.args([
        "forecast",
        "--horizon",
        "6",
        "--level",
        "90",
        "--load-models",
    ])
    .arg(p("models.json"))
    .arg("--output")
    .arg(p("out.csv"));
    let (code, err) = finish(&mut cmd);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("calibrated at [80.0, 95.0]%, not at 90%"),
        "{err}"
    );
    assert!(!p("out.csv").exists());
    // at the calibrated levels, past the calibrated horizon: a note
    let err = forecast(
        &["--horizon", "8", "--level", "95"],
        &[
            ("--load-models", &p("models.json")),
            ("--output", &p("out.csv")),
        ],
    );
    assert!(err.contains("steps 7..8 take step 6's widening"), "{err}");
    // the models' own intervals, at any level, on request: as a fit with them
    forecast(
        &["--horizon", "6", "--level", "90", "--intervals", "model"],
        &[
            ("--load-models", &p("models.json")),
            ("--output", &p("out.csv")),
        ],
    );
    forecast(
        &[
            "--horizon",
            "6",
            "--level",
            "90",
            "--intervals",
            "model",
            "--model",
            "naive",
        ],
        &[("--input", &input), ("--output", &p("own.csv"))],
    );
    assert_eq!(read_output(p("out.csv")), read_output(p("own.csv")));
}

#[test]
fn what_cannot_be_saved_or_loaded_is_refused_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    let input = two_series(dir.path());
    let p = |name: &str| dir.path().join(name);
    let before = write_file(dir.path(), "kept.json", "earlier output\n");
    let refused = |args: &[&str], paths: &[(&str, &Path)], says: &str| {
        let mut cmd = salesplan();
        cmd.arg("forecast").args(args);
        for (option, path) in paths {
            cmd.arg(option).arg(path);
        }
        let (code, err) = finish(&mut cmd);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: expected '{says}' in {err}");
        assert!(!p("out.csv").exists(), "{args:?} wrote its output");
        assert_eq!(read_output(&before).unwrap(), "earlier output\n");
    };
    refused(
        &["--horizon", "3", "--intervals", "conformal"],
        &[
            ("--input", &input),
            ("--output", &p("out.csv")),
            ("--save-models", &before),
        ],
        "conformal",
    );
    refused(
        &["--horizon", "3", "--events", "china"],
        &[
            ("--input", &input),
            ("--output", &p("out.csv")),
            ("--save-models", &before),
        ],
        "event",
    );
    refused(
        &["--horizon", "3"],
        &[
            ("--input", &input),
            ("--output", &p("out.csv")),
            ("--save-models", &input),
        ],
        "--save-models",
    );
    let broken = write_file(
        dir.path(),
        "broken.json",
        "{\"format\": \"salesplan-models\", \"version\": ",
    );
    refused(
        &["--horizon", "3"],
        &[("--load-models", &broken), ("--output", &p("out.csv"))],
        "broken.json: not a salesplan models file",
    );
    refused(
        &["--horizon", "3"],
        &[("--load-models", &input), ("--output", &p("out.csv"))],
        "line 1 column",
    );
    // a file from a later layout
    forecast(
        &["--horizon", "3", "--model", "naive"],
        &[
            ("--input", &input),
            ("--output", &p("fit.csv")),
            ("--save-models", &p("m.json")),
        ],
    );
    let text = read_output(p("m.json"))
        .unwrap()
        .replace("\"version\":1,", "\"version\":99,");
    let later = write_file(dir.path(), "later.json", &text);
    refused(
        &["--horizon", "3"],
        &[("--load-models", &later), ("--output", &p("out.csv"))],
        "layout version 99",
    );
    refused(
        &["--horizon", "0"],
        &[("--load-models", &p("m.json")), ("--output", &p("out.csv"))],
        "horizon",
    );
    // --load-models replaces the data and the model
    let mut cmd = salesplan();
    cmd.args([
        "forecast",
        "--horizon",
        "3",
        "--model",
        "theta",
        "--load-models",
    ])
    .arg(p("m.json"))
    .arg("--output")
    .arg(p("out.csv"));
    let (code, err) = finish(&mut cmd);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn models_load_from_standard_input() {
    let dir = TempDir::new().unwrap();
    let input = two_series(dir.path());
    let p = |name: &str| dir.path().join(name);
    forecast(
        &["--horizon", "3", "--model", "snaive"],
        &[
            ("--input", &input),
            ("--output", &p("fit.csv")),
            ("--save-models", &p("m.json")),
        ],
    );
    let mut cmd = salesplan();
    cmd.args([
        "forecast",
        "--horizon",
        "3",
        "--load-models",
        "-",
        "--output",
        "-",
    ])
    .write_stdin(read_output(p("m.json")).unwrap());
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        read_output(p("fit.csv")).unwrap()
    );
}
