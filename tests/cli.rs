//! The `salesplan forecast` command, run as a real binary on files in
//! temporary folders: bad inputs, per-series failures, determinism across
//! thread counts, calendars, non-ASCII ids, row order.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{clear_outputs, finish, read_output, salesplan};
use tempfile::TempDir;

/// The result of one run.
struct Run {
    code: i32,
    stderr: String,
    /// The forecast file, if one was written.
    output: Option<String>,
}

/// Writes `input` to `in.csv` in `dir` and runs `forecast` on it with `args`,
/// writing to `out.csv`.
fn forecast(dir: &TempDir, input: &str, args: &[&str]) -> Run {
    let path = dir.path().join("in.csv");
    std::fs::write(&path, input).unwrap();
    forecast_file(dir, &path, args)
}

fn forecast_file(dir: &TempDir, input: &Path, args: &[&str]) -> Run {
    let out = dir.path().join("out.csv");
    clear_outputs(&[&out]);
    let (code, stderr) = finish(
        salesplan()
            .arg("forecast")
            .arg("--input")
            .arg(input)
            .arg("--output")
            .arg(&out)
            .args(args),
    );
    Run {
        code,
        stderr,
        output: read_output(&out),
    }
}

/// A long CSV of monthly series `ids`, `n` months from 2021-01, with the
/// date written by `label` (year, month 1-12, index).
fn monthly_csv(ids: &[&str], n: usize, label: impl Fn(usize, usize, usize) -> String) -> String {
    let mut text = String::from("unique_id,ds,y\n");
    for (k, id) in ids.iter().enumerate() {
        for t in 0..n {
            let season = [1.2, 0.8, 1.0, 1.1, 0.9, 1.3, 1.0, 0.7, 1.1, 1.0, 0.95, 1.05][t % 12];
            let wiggle = ((t * 7 + k * 3) % 5) as f64;
            let y = (100.0 + 10.0 * k as f64 + 1.5 * t as f64) * season + wiggle;
            text.push_str(&format!(
                "{id},{},{y}\n",
                label(2021 + t / 12, t % 12 + 1, t)
            ));
        }
    }
    text
}

/// Writes a date label from (year, month 1-12, index).
type Label = fn(usize, usize, usize) -> String;

fn iso_day(y: usize, m: usize, _: usize) -> String {
    format!("{y}-{m:02}-01")
}

fn data_lines(output: &str) -> Vec<&str> {
    output.lines().skip(1).collect()
}

#[test]
fn bad_inputs_exit_2_name_the_position_and_write_nothing() {
    let head = "unique_id,ds,y\n";
    // (what, input, expected pieces of the message)
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "non-numeric",
            format!("{head}a,1,1\na,2,lots\n"),
            vec![":3:", "column 'y'", "value 'lots'", "not a number"],
        ),
        (
            "NaN",
            format!("{head}a,1,1\na,2,NaN\n"),
            vec![":3:", "column 'y'", "value 'NaN'", "not a finite"],
        ),
        (
            "infinite",
            format!("{head}a,1,-inf\na,2,1\n"),
            vec![":2:", "column 'y'", "value '-inf'", "not a finite"],
        ),
        (
            "empty value",
            format!("{head}a,1,1\na,2,\n"),
            vec![":3:", "column 'y'", "value ''", "empty value"],
        ),
        (
            "duplicate",
            format!("{head}a,2024-01,1\nb,2024-01,1\na,2024-02,1\na,2024-01,2\n"),
            vec![
                ":5:",
                "column 'ds'",
                "value '2024-01'",
                "duplicate",
                "line 2",
            ],
        ),
        (
            "gap",
            format!("{head}a,2024-01,1\na,2024-02,1\na,2024-03,1\na,2024-05,1\n"),
            vec![":5:", "column 'ds'", "value '2024-05'", "gap"],
        ),
        (
            "integer gap",
            format!("{head}a,1,1\na,2,1\na,4,1\n"),
            vec![":4:", "column 'ds'", "value '4'", "gap"],
        ),
        (
            "mixed frequencies",
            format!("{head}a,2024-01-01,1\na,2024-02-01,1\na,2024-02-08,1\n"),
            vec![
                ":4:",
                "column 'ds'",
                "value '2024-02-08'",
                "mixed frequencies",
            ],
        ),
        (
            "mixed date formats",
            format!("{head}a,2024-01,1\na,2024Q1,1\n"),
            vec![":3:", "column 'ds'", "value '2024Q1'", "mixed date formats"],
        ),
        (
            "unparseable date",
            format!("{head}a,2024-01,1\na,2024-13,1\n"),
            vec![":3:", "column 'ds'", "value '2024-13'", "cannot parse"],
        ),
        (
            "missing column",
            "unique_id,date,y\na,1,1\n".to_string(),
            vec![":1:", "column 'ds'", "'unique_id', 'date', 'y'"],
        ),
        ("empty file", String::new(), vec!["empty file"]),
        ("header only", head.to_string(), vec!["no data rows"]),
    ];
    let dir = TempDir::new().unwrap();
    for (what, input, pieces) in cases {
        let run = forecast(&dir, &input, &["--horizon", "2"]);
        assert_eq!(run.code, 2, "{what}: {}", run.stderr);
        assert!(run.output.is_none(), "{what}: output written");
        assert!(run.stderr.contains("in.csv"), "{what}: {}", run.stderr);
        for piece in pieces {
            assert!(
                run.stderr.contains(piece),
                "{what}: no {piece:?} in {}",
                run.stderr
            );
        }
    }
    let missing = dir.path().join("missing.csv");
    let run = forecast_file(&dir, &missing, &["--horizon", "2"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.csv"), "{}", run.stderr);
    assert!(run.output.is_none());
}

#[test]
fn fatal_errors_leave_an_existing_output_untouched() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "unique_id,ds,y\na,1,1\na,2,oops\n").unwrap();
    let out = dir.path().join("keep.csv");
    std::fs::write(&out, "previous run\n").unwrap();
    salesplan()
        .args(["forecast", "--horizon", "2", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous run\n");
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(leftovers.len(), 2, "temporary files left: {leftovers:?}");
}

#[test]
fn bad_arguments_exit_2() {
    let dir = TempDir::new().unwrap();
    let input = monthly_csv(&["a"], 24, iso_day);
    for args in [
        &["--horizon", "0"][..],
        &["--horizon", "3", "--level", "100"],
        &["--horizon", "3", "--model", "ets:XYZ"],
        &["--horizon", "3", "--threads", "0"],
        &["--horizon", "3", "--season-length", "0"],
    ] {
        let run = forecast(&dir, &input, args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.output.is_none(), "{args:?}");
    }
    let run = forecast(&dir, &input, &["--horizon", "0"]);
    assert!(run.stderr.contains("horizon"), "{}", run.stderr);
    // thousands of threads for a few series: refused, not spawned (issue
    // 10, item 8)
    let run = forecast(&dir, &input, &["--horizon", "3", "--threads", "10000"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--threads 10000") && run.stderr.contains("cores"),
        "{}",
        run.stderr
    );
    assert!(run.output.is_none());
}

#[test]
fn a_failing_series_is_reported_and_the_others_written() {
    let dir = TempDir::new().unwrap();
    let mut input = monthly_csv(&["good-1", "good-2"], 24, iso_day);
    for t in 0..24 {
        input.push_str(&format!(
            "zeros,{},{}\n",
            iso_day(2021 + t / 12, t % 12 + 1, t),
            t % 2
        ));
    }
    let report = dir.path().join("report.csv");
    let run = forecast(
        &dir,
        &input,
        &[
            "--horizon",
            "3",
            "--model",
            "ets:MNN",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("3 series, 2 ok, 1 failed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("zeros"), "{}", run.stderr);
    let output = run.output.unwrap();
    let ids: Vec<&str> = data_lines(&output)
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["good-1", "good-1", "good-1", "good-2", "good-2", "good-2"]
    );
    assert!(data_lines(&output)
        .iter()
        .all(|l| l.split(',').nth(2) == Some("ETS(MNN)")));
    let report = std::fs::read_to_string(report).unwrap();
    let rows: Vec<&str> = report.lines().collect();
    assert_eq!(
        rows[0],
        "unique_id,status,model,n_obs,aicc,reason,chosen,warning"
    );
    assert!(rows[1].starts_with("good-1,ok,MNN,24,"), "{}", rows[1]);
    assert!(rows[3].starts_with("zeros,failed,,24,,"), "{}", rows[3]);
    assert!(rows[3].contains("positive"), "{}", rows[3]);
}

#[test]
fn identical_bytes_with_one_and_two_threads() {
    let dir = TempDir::new().unwrap();
    let ids = ["r1", "r2", "r3", "r4", "r5", "r6"];
    let input = monthly_csv(&ids, 36, iso_day);
    let one = forecast(&dir, &input, &["--horizon", "12", "--threads", "1"]);
    let two = forecast(&dir, &input, &["--horizon", "12", "--threads", "2"]);
    assert_eq!((one.code, two.code), (0, 0), "{}", one.stderr);
    let one = one.output.unwrap();
    assert_eq!(data_lines(&one).len(), 6 * 12);
    assert_eq!(one, two.output.unwrap());
}

#[test]
fn forecast_labels_continue_the_calendar() {
    let dir = TempDir::new().unwrap();
    let cases: [(&str, Label, [&str; 2]); 4] = [
        ("YYYY-MM-DD", iso_day, ["2023-01-01", "2023-02-01"]),
        (
            "YYYY-MM",
            |y, m, _| format!("{y}-{m:02}"),
            ["2023-01", "2023-02"],
        ),
        (
            "YYYYQn",
            |_, _, t| format!("{}Q{}", 2018 + t / 4, t % 4 + 1),
            ["2024Q1", "2024Q2"],
        ),
        (
            "month ends",
            |y, m, _| {
                let last = [
                    31,
                    if y % 4 == 0 { 29 } else { 28 },
                    31,
                    30,
                    31,
                    30,
                    31,
                    31,
                    30,
                    31,
                    30,
                    31,
                ];
                format!("{y}-{m:02}-{}", last[m - 1])
            },
            ["2023-01-31", "2023-02-28"],
        ),
    ];
    for (what, label, expected) in cases {
        let input = monthly_csv(&["s"], 24, label);
        let run = forecast(&dir, &input, &["--horizon", "2"]);
        assert_eq!(run.code, 0, "{what}: {}", run.stderr);
        let output = run.output.unwrap();
        let labels: Vec<&str> = data_lines(&output)
            .iter()
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        assert_eq!(labels, expected, "{what}");
    }
}

#[test]
fn chinese_ids_round_trip() {
    let dir = TempDir::new().unwrap();
    let ids = ["华东-张伟", "华南-李娜", "east-bob"];
    let input = monthly_csv(&ids, 24, iso_day);
    let run = forecast(&dir, &input, &["--horizon", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let output = run.output.unwrap();
    let seen: Vec<&str> = data_lines(&output)
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    // Byte order: ASCII before CJK; 华东 (U+534E U+4E1C) before 华南 (U+534E U+5357).
    assert_eq!(
        seen,
        [
            "east-bob",
            "east-bob",
            "华东-张伟",
            "华东-张伟",
            "华南-李娜",
            "华南-李娜"
        ]
    );
}

#[test]
fn row_order_does_not_matter() {
    let dir = TempDir::new().unwrap();
    let sorted = monthly_csv(&["a", "b", "c"], 30, iso_day);
    let mut rows: Vec<&str> = sorted.lines().skip(1).collect();
    // A fixed shuffle: reverse, then interleave halves.
    rows.reverse();
    let (x, y) = rows.split_at(rows.len() / 2);
    let mut shuffled = String::from("unique_id,ds,y\n");
    for (p, q) in x.iter().zip(y) {
        shuffled.push_str(&format!("{p}\n{q}\n"));
    }
    let a = forecast(&dir, &sorted, &["--horizon", "4"]);
    let b = forecast(&dir, &shuffled, &["--horizon", "4"]);
    assert_eq!((a.code, b.code), (0, 0));
    assert_eq!(a.output.unwrap(), b.output.unwrap());
}

#[test]
fn custom_columns_levels_and_forced_model() {
    let dir = TempDir::new().unwrap();
    let input = monthly_csv(&["s1"], 24, iso_day).replacen("unique_id,ds,y", "store,date,sales", 1);
    let run = forecast(
        &dir,
        &input,
        &[
            "--horizon",
            "3",
            "--model",
            "ets:AAN",
            "--level",
            "97.5",
            "--level",
            "50",
            "--id-col",
            "store",
            "--date-col",
            "date",
            "--value-col",
            "sales",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let output = run.output.unwrap();
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(
        lines[0],
        "unique_id,ds,model,mean,lo-97.5,hi-97.5,lo-50,hi-50"
    );
    assert_eq!(lines.len(), 4);
    let fields: Vec<f64> = lines[1]
        .split(',')
        .skip(3)
        .map(|v| v.parse().unwrap())
        .collect();
    // lo-97.5 < lo-50 < mean < hi-50 < hi-97.5
    assert!(fields[1] < fields[3] && fields[3] < fields[0]);
    assert!(fields[0] < fields[4] && fields[4] < fields[2]);
    assert!(lines[1].starts_with("s1,2023-01-01,ETS(AAN),"));
}

/// Numbers are written in a bounded form (issue 10, item 6): subnormal and
/// huge values in exponent form, never hundreds of digits, and they read
/// back as the values forecast.
#[test]
fn extreme_values_are_written_in_a_bounded_form() {
    let dir = TempDir::new().unwrap();
    let mut text = String::from("unique_id,ds,y\n");
    for t in 1..=6 {
        text.push_str(&format!("tiny,{t},{}e-310\n", t));
        text.push_str(&format!("huge,{t},{}e150\n", t));
    }
    std::fs::write(dir.path().join("in.csv"), text).unwrap();
    let (code, stderr) = finish(salesplan().current_dir(dir.path()).args([
        "forecast",
        "--input",
        "in.csv",
        "--horizon",
        "2",
        "--model",
        "naive",
        "--output",
        "out.csv",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    for line in out.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        for v in &fields[3..] {
            assert!(v.len() <= 24, "{line}");
            let x: f64 = v.parse().unwrap();
            assert!(x.is_finite() && x > 0.0, "{line}");
        }
        let mean: f64 = fields[3].parse().unwrap();
        let want = if fields[0] == "tiny" { 6e-310 } else { 6e150 };
        assert_eq!(mean, want, "{line}");
    }
}

#[test]
fn a_horizon_past_the_last_representable_date_fails_the_series() {
    let dir = TempDir::new().unwrap();
    let input =
        "unique_id,ds,y\nA,2020-01-01,10\nA,2021-01-01,11\nA,2022-01-01,12\nA,2023-01-01,13\n";
    // yearly from 2024: dates are written with four-digit years
    let run = forecast(&dir, input, &["--horizon", "8000", "--model", "naive"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "failed A: invalid horizon: 8000 periods after 2023-01-01 run past the year 9999"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.output.unwrap().contains("out-of-range"));
    // the longest horizon that fits is written to its last year
    let run = forecast(&dir, input, &["--horizon", "7976", "--model", "naive"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let output = run.output.unwrap();
    assert!(
        output.lines().last().unwrap().starts_with("A,9999-01-01,"),
        "{}",
        output.lines().last().unwrap()
    );
}

/// `-` reads standard input and writes standard output; the summary stays
/// on standard error; standard input cannot be read twice, and two outputs
/// cannot both go to standard output.
#[test]
fn a_dash_is_standard_input_and_output() {
    let input = monthly_csv(&["a", "b"], 36, |y, m, _| format!("{y}-{m:02}"));
    let out = salesplan()
        .args([
            "forecast",
            "--input",
            "-",
            "--output",
            "-",
            "--horizon",
            "3",
        ])
        .write_stdin(input.as_bytes())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    // the same bytes as a run on files
    let dir = TempDir::new().unwrap();
    let run = forecast(&dir, &input, &["--horizon", "3"]);
    assert_eq!(run.output.as_deref(), Some(stdout.as_str()));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("2 series, 2 ok"), "{stderr}");
    // the summary names what was written
    assert!(
        stderr.contains("wrote standard output (--output)"),
        "{stderr}"
    );
    assert!(
        run.stderr.contains("out.csv (--output)\n"),
        "{}",
        run.stderr
    );
    // errors name standard input
    let out = salesplan()
        .args([
            "forecast",
            "--input",
            "-",
            "--output",
            "-",
            "--horizon",
            "3",
        ])
        .write_stdin(&b"unique_id,ds,y\na,2024-01,lots\n"[..])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("<stdin>:2: column 'y': not a number (value 'lots')"),
        "{stderr}"
    );
    // two outputs on standard output
    let run = forecast(&dir, &input, &["--horizon", "3", "--report", "-"]);
    let (code, stderr) = finish(salesplan().args([
        "forecast",
        "--input",
        "-",
        "--output",
        "-",
        "--report",
        "-",
        "--horizon",
        "3",
    ]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("only one output can go to standard output"),
        "{stderr}"
    );
    assert_eq!(run.code, 0); // `--output` a file and `--report -` is fine
}

/// One `YYYY-MM-DD` date cannot show a frequency: the run asks for
/// `--freq`, unless the file's other series agree on one; `--freq` also
/// takes pandas' aliases and is checked against the dates.
#[test]
fn one_dated_point_asks_for_the_frequency() {
    let dir = TempDir::new().unwrap();
    let one = "unique_id,ds,y\na,2024-03-04,5\n";
    let run = forecast(&dir, one, &["--horizon", "2"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.output.is_none());
    assert!(
        run.stderr.contains("in.csv:2: column 'ds': series 'a': one date (2024-03-04) cannot show the series' frequency: state it with --freq"),
        "{}",
        run.stderr
    );
    let run = forecast(&dir, one, &["--horizon", "2", "--freq", "W"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.output.unwrap();
    let dates: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(dates, ["2024-03-11", "2024-03-18"]);
    // the file's weekly series tell a's frequency
    let mixed = "unique_id,ds,y\na,2024-03-04,5\nb,2024-03-04,5\nb,2024-03-11,6\nb,2024-03-18,7\n";
    let run = forecast(&dir, mixed, &["--horizon", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.output.unwrap().contains("a,2024-03-11,"));
    // a stated frequency the dates do not follow
    let run = forecast(&dir, mixed, &["--horizon", "1", "--freq", "daily"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("in.csv:4: column 'ds': series 'b': gap in a daily series"),
        "{}",
        run.stderr
    );
    let run = forecast(&dir, mixed, &["--horizon", "1", "--freq", "fortnightly"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown frequency 'fortnightly'"),
        "{}",
        run.stderr
    );
}

/// A series above zero throughout, with one huge outlier, forecast below
/// zero by a multiplicative-season model: the forecast is written, the
/// summary and the report's `warning` column say so.
#[test]
fn a_positive_series_forecast_below_zero_is_flagged() {
    let dir = TempDir::new().unwrap();
    let mut input = String::from("unique_id,ds,y\n");
    for t in 1..=60 {
        let mut v = 100.0 + 20.0 * (2.0 * std::f64::consts::PI * t as f64 / 12.0).sin();
        if t == 55 {
            v = 1e10;
        }
        input.push_str(&format!("a,{t},{v}\n"));
    }
    let report = dir.path().join("report.csv");
    let model = [
        "--horizon",
        "12",
        "--season-length",
        "12",
        "--model",
        "ets:MAM",
    ];
    let run = forecast(
        &dir,
        &input,
        &[&model[..], &["--report", report.to_str().unwrap()]].concat(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning a: forecast below zero from step"),
        "{}",
        run.stderr
    );
    let report = std::fs::read_to_string(report).unwrap();
    let header: Vec<&str> = report.lines().next().unwrap().split(',').collect();
    assert_eq!(header.last(), Some(&"warning"));
    assert!(report
        .lines()
        .nth(1)
        .unwrap()
        .contains("though every value of the history is above zero"));
    // with --nonnegative nothing goes below zero, and nothing is flagged
    let run = forecast(&dir, &input, &[&model[..], &["--nonnegative"]].concat());
    assert_eq!(run.code, 0);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

/// `--quiet` (or `-q`, before or after the command) prints nothing but
/// errors; errors still show.
#[test]
fn quiet_prints_only_errors() {
    let dir = TempDir::new().unwrap();
    let input = monthly_csv(&["a"], 36, |y, m, _| format!("{y}-{m:02}"));
    for flag in ["--quiet", "-q"] {
        let run = forecast(&dir, &input, &["--horizon", "3", flag]);
        assert_eq!(run.code, 0);
        assert_eq!(run.stderr, "", "{flag}");
        assert!(run.output.is_some());
    }
    let run = forecast(&dir, "unique_id,ds,y\na,1,x\n", &["--horizon", "3", "-q"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("in.csv:2: column 'y'"),
        "{}",
        run.stderr
    );
}
