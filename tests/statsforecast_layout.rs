//! The layouts statsforecast users bring with them: `forecast --wide`, and
//! `backtest --forecasts` in the shape of `cross_validation`, long and wide.
//!
//! Reference values: statsforecast 2.1.1 (PyPI), run on 2026-12-02 as
//! ```python
//! df = pd.read_csv("datasets/classic/AirPassengers.csv", parse_dates=["ds"])
//! sf = StatsForecast(models=[SeasonalNaive(season_length=12), Naive()], freq="MS")
//! sf.forecast(df=df, h=3, level=[80, 95])
//! sf.cross_validation(df=df, h=2, n_windows=2, level=[80, 95])
//! ```
//! (statsforecast writes float32, so the values agree to about 7 digits).

mod common;

use common::cli::{finish, read_output, salesplan};
use tempfile::TempDir;

const AIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/classic/AirPassengers.csv"
);

/// The CSV at `path` as a header and rows of cells.
fn table(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = read_output(path).expect("the run wrote the file");
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
    let header = lines.next().expect("a header");
    (header, lines.collect())
}

fn number(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("'{cell}' is a number"))
}

fn close(ours: &str, theirs: f64) -> bool {
    (number(ours) - theirs).abs() <= 2e-6 * theirs.abs().max(1.0)
}

#[test]
fn wide_forecasts_have_statsforecasts_columns_and_values() {
    let dir = TempDir::new().unwrap();
    let (long, wide) = (dir.path().join("long.csv"), dir.path().join("wide.csv"));
    for (out, extra) in [(&long, None), (&wide, Some("--wide"))] {
        let mut cmd = salesplan();
        cmd.args([
            "forecast",
            "--input",
            AIR,
            "--horizon",
            "3",
            "--model",
            "SeasonalNaive",
        ])
        .arg("--output")
        .arg(out)
        .args(extra);
        let (code, err) = finish(&mut cmd);
        assert_eq!(code, 0, "{err}");
    }
    let (header, rows) = table(&wide);
    assert_eq!(
        header,
        [
            "unique_id",
            "ds",
            "SeasonalNaive",
            "SeasonalNaive-lo-80",
            "SeasonalNaive-lo-95",
            "SeasonalNaive-hi-80",
            "SeasonalNaive-hi-95"
        ]
    );
    let expected = [
        (
            "1961-01-01",
            [417.0, 370.4595, 345.82245, 463.5405, 488.17755],
        ),
        (
            "1961-02-01",
            [391.0, 344.4595, 319.82245, 437.5405, 462.17755],
        ),
        (
            "1961-03-01",
            [419.0, 372.4595, 347.82245, 465.5405, 490.17755],
        ),
    ];
    assert_eq!(rows.len(), expected.len());
    for (row, (ds, values)) in rows.iter().zip(expected) {
        assert_eq!((row[0].as_str(), row[1].as_str()), ("AirPassengers", ds));
        for (cell, v) in row[2..].iter().zip(values) {
            assert!(close(cell, v), "{ds}: {cell} against statsforecast's {v}");
        }
    }
    // the same numbers as the long layout (mean,lo-80,hi-80,lo-95,hi-95)
    let (_, long_rows) = table(&long);
    for (l, w) in long_rows.iter().zip(&rows) {
        assert_eq!(l[1], w[1]);
        assert_eq!(
            [&l[3], &l[4], &l[6], &l[5], &l[7]],
            [&w[2], &w[3], &w[4], &w[5], &w[6]]
        );
    }
}

#[test]
fn backtest_forecasts_match_cross_validation() {
    let dir = TempDir::new().unwrap();
    let metrics = dir.path().join("metrics.csv");
    let (long, wide) = (dir.path().join("cv.csv"), dir.path().join("cv_wide.csv"));
    for (out, extra) in [(&long, None), (&wide, Some("--wide"))] {
        let mut cmd = salesplan();
        cmd.args([
            "backtest",
            "--input",
            AIR,
            "--horizon",
            "2",
            "--windows",
            "2",
        ])
        .args(["--step", "1", "--models", "snaive,naive", "--output"])
        .arg(&metrics)
        .arg("--forecasts")
        .arg(out)
        .args(extra);
        let (code, err) = finish(&mut cmd);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("(--forecasts)"),
            "the summary names the file: {err}"
        );
    }

    let (header, rows) = table(&wide);
    assert_eq!(&header[..4], ["unique_id", "ds", "cutoff", "y"]);
    assert_eq!(
        &header[4..14],
        [
            "SeasonalNaive",
            "SeasonalNaive-lo-80",
            "SeasonalNaive-lo-95",
            "SeasonalNaive-hi-80",
            "SeasonalNaive-hi-95",
            "Naive",
            "Naive-lo-80",
            "Naive-lo-95",
            "Naive-hi-80",
            "Naive-hi-95"
        ]
    );
    // Naive2, the reference of OWA, is always backtested and written too
    assert_eq!(header[14], "Naive2");
    let expected: [(&str, &str, f64, [f64; 10]); 4] = [
        (
            "1960-10-01",
            "1960-09-01",
            461.0,
            [
                407.0, 360.52417, 335.92136, 453.47583, 478.07864, 508.0, 465.5662, 443.10306,
                550.43384, 572.8969,
            ],
        ),
        (
            "1960-11-01",
            "1960-09-01",
            390.0,
            [
                362.0, 315.52417, 290.92136, 408.47583, 433.07864, 508.0, 447.9895, 416.2219,
                568.0105, 599.77814,
            ],
        ),
        (
            "1960-11-01",
            "1960-10-01",
            390.0,
            [
                362.0, 315.3071, 290.5894, 408.6929, 433.4106, 461.0, 418.41376, 395.86993,
                503.58624, 526.13007,
            ],
        ),
        (
            "1960-12-01",
            "1960-10-01",
            432.0,
            [
                405.0, 358.3071, 333.5894, 451.6929, 476.4106, 461.0, 400.77396, 368.8922,
                521.2261, 553.1078,
            ],
        ),
    ];
    assert_eq!(rows.len(), expected.len());
    for (row, (ds, cutoff, y, values)) in rows.iter().zip(expected) {
        assert_eq!((row[1].as_str(), row[2].as_str()), (ds, cutoff));
        assert_eq!(number(&row[3]), y);
        for (cell, v) in row[4..14].iter().zip(values) {
            assert!(
                close(cell, v),
                "{ds} cut {cutoff}: {cell} against statsforecast's {v}"
            );
        }
    }

    // long: one row per window, step and model, the same numbers
    let (header, long_rows) = table(&long);
    assert_eq!(
        header,
        [
            "unique_id",
            "ds",
            "cutoff",
            "y",
            "model",
            "mean",
            "lo-80",
            "hi-80",
            "lo-95",
            "hi-95"
        ]
    );
    assert_eq!(long_rows.len(), 4 * 3);
    for (w, chunk) in rows.iter().zip(long_rows.chunks(3)) {
        let models: Vec<&str> = chunk.iter().map(|r| r[4].as_str()).collect();
        assert_eq!(models, ["SNaive", "Naive", "Naive2"]);
        for (k, r) in chunk.iter().enumerate() {
            assert_eq!(r[..4], w[..4]);
            let c = 4 + 5 * k;
            assert_eq!(
                [&r[5], &r[6], &r[8], &r[7], &r[9]],
                [&w[c], &w[c + 1], &w[c + 2], &w[c + 3], &w[c + 4]]
            );
        }
    }
}

#[test]
fn a_model_that_fails_on_a_series_leaves_its_cells_empty() {
    let dir = TempDir::new().unwrap();
    // b's one window trains on 2 points: too few for Theta (4), enough for
    // AutoETS and Naive2
    let mut text = "unique_id,ds,y\n".to_string();
    for t in 1..=12 {
        text += &format!("a,{t},{}\n", 10 + t % 3);
    }
    for t in 1..=4 {
        text += &format!("b,{t},{}\n", 5 + t);
    }
    let input = common::cli::write_file(dir.path(), "in.csv", &text);
    let (metrics, cv) = (dir.path().join("m.csv"), dir.path().join("cv.csv"));
    let mut cmd = salesplan();
    cmd.args([
        "backtest",
        "--horizon",
        "2",
        "--windows",
        "1",
        "--models",
        "auto-ets,theta",
    ])
    .arg("--input")
    .arg(&input)
    .arg("--output")
    .arg(&metrics)
    .arg("--forecasts")
    .arg(&cv)
    .arg("--wide");
    let (code, err) = finish(&mut cmd);
    assert_eq!(code, 1, "one model failed on one series: {err}");
    assert!(err.contains("failed b with Theta"), "{err}");
    let (header, rows) = table(&cv);
    assert_eq!(
        (header[4].as_str(), header[9].as_str()),
        ("AutoETS", "Theta")
    );
    let cells = |id: &str, col: usize| -> Vec<String> {
        rows.iter()
            .filter(|r| r[0] == id)
            .map(|r| r[col].clone())
            .collect()
    };
    assert_eq!(cells("b", 1), ["3", "4"]);
    assert_eq!(
        cells("b", 2),
        ["2", "2"],
        "the cutoff is the last training period"
    );
    assert_eq!(cells("b", 3), ["8", "9"]);
    assert!(cells("b", 9).iter().all(String::is_empty), "{rows:?}");
    assert!(cells("b", 4)
        .iter()
        .chain(&cells("b", 14))
        .all(|c| !c.is_empty()));
    assert!(cells("a", 9).iter().all(|c| !c.is_empty()));
    assert_eq!(rows.len(), 4);
}
