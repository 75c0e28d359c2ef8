//! `forecast` on a file sorted by series id, read, forecast and written a
//! chunk of `--chunk` series at a time: the same bytes as a whole read (the
//! whole-read path is taken from standard input), the same first error,
//! and inputs that cannot be chunked read whole.

mod common;

use std::path::Path;

use common::cli::{finish, read_output, salesplan, write_file};
use tempfile::TempDir;

/// The first `n` of the bundled M3 monthly series (sorted by id), as CSV.
fn m3_monthly(n: usize) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/m3_monthly.csv"),
    )
    .unwrap();
    let mut out = String::new();
    let mut ids = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let id = line.split(',').next().unwrap().to_string();
        if k > 0 && ids.last() != Some(&id) {
            if ids.len() == n {
                break;
            }
            ids.push(id);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A forecast run's outputs (`--output`, `--report`) as text, with its exit
/// code and stderr; `input` `None` reads `text` from standard input (the
/// whole-read path).
fn run(dir: &TempDir, name: &str, input: Option<&Path>, text: &str, extra: &[&str]) -> Outputs {
    let output = dir.path().join(format!("{name}.csv"));
    let report = dir.path().join(format!("{name}_report.csv"));
    let mut command = salesplan();
    command.args([
        "forecast",
        "--horizon",
        "6",
        "--season-length",
        "12",
        "--input",
    ]);
    match input {
        Some(path) => command.arg(path),
        None => command.arg("-").write_stdin(text.as_bytes()),
    };
    command
        .arg("--output")
        .arg(&output)
        .arg("--report")
        .arg(&report)
        .args(extra);
    let (code, stderr) = finish(&mut command);
    Outputs {
        code,
        stderr,
        forecasts: read_output(&output),
        report: read_output(&report),
    }
}

#[derive(Debug)]
struct Outputs {
    code: i32,
    stderr: String,
    forecasts: Option<String>,
    report: Option<String>,
}

#[test]
fn chunks_of_any_size_write_the_whole_reads_bytes() {
    let dir = TempDir::new().unwrap();
    let text = m3_monthly(23);
    let input = write_file(dir.path(), "in.csv", &text);
    for model in [
        &["--model", "auto-ets"][..],
        // calibrated intervals: learnt from the whole batch's sample
        &["--model", "auto"][..],
        &["--model", "theta", "--intervals", "conformal"][..],
        &["--model", "auto-ets", "--wide"][..],
    ] {
        let whole = run(&dir, "whole", None, &text, model);
        assert_eq!(whole.code, 0, "{}", whole.stderr);
        assert!(whole.forecasts.as_deref().unwrap().lines().count() > 23 * 6);
        for chunk in ["0", "1", "5", "23", "10000"] {
            let args = [model, &["--chunk", chunk][..]].concat();
            let chunked = run(&dir, "chunked", Some(&input), &text, &args);
            assert_eq!(chunked.code, 0, "{}", chunked.stderr);
            assert_eq!(
                chunked.forecasts, whole.forecasts,
                "{model:?} --chunk {chunk}"
            );
            assert_eq!(chunked.report, whole.report, "{model:?} --chunk {chunk}");
            assert!(
                chunked.stderr.contains("23 series, 23 ok"),
                "{}",
                chunked.stderr
            );
        }
    }
}

#[test]
fn parquet_out_in_chunks_holds_the_csv_values() {
    let dir = TempDir::new().unwrap();
    let text = m3_monthly(9);
    let input = write_file(dir.path(), "in.csv", &text);
    let csv = run(&dir, "whole", None, &text, &[]);
    let parquet = dir.path().join("f.parquet");
    let (code, stderr) = finish(
        salesplan()
            .args([
                "forecast",
                "--horizon",
                "6",
                "--season-length",
                "12",
                "--chunk",
                "2",
                "--input",
            ])
            .arg(&input)
            .arg("--output")
            .arg(&parquet),
    );
    assert_eq!(code, 0, "{stderr}");
    // the Parquet forecasts, read back as a long table of their means, then
    // forecast again by naive: the last mean of each series, as in the CSV
    let back = dir.path().join("back.csv");
    let (code, stderr) = finish(
        salesplan()
            .args([
                "forecast",
                "--horizon",
                "1",
                "--model",
                "naive",
                "--value-col",
                "mean",
                "--input",
            ])
            .arg(&parquet)
            .arg("--output")
            .arg(&back),
    );
    assert_eq!(code, 0, "{stderr}");
    let back = read_output(&back).unwrap();
    let forecasts = csv.forecasts.unwrap();
    let lines: Vec<&str> = forecasts.lines().collect();
    for (k, row) in back.lines().skip(1).enumerate() {
        let last = lines[6 * (k + 1)].split(',').collect::<Vec<_>>();
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[0], last[0]);
        assert_eq!(cells[3], last[3], "series {}", last[0]);
    }
    assert_eq!(back.lines().count(), 10);
}

#[test]
fn the_first_error_is_the_whole_reads_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    let mut text = m3_monthly(12);
    // a gap in the second series, and a bad value on the last row
    let second = text.lines().nth(1 + 144).unwrap().to_string();
    text = text.replacen(&format!("{second}\n"), "", 1);
    let bad = text.lines().last().unwrap().to_string();
    let (head, _) = bad.rsplit_once(',').unwrap();
    text = text.replace(&bad, &format!("{head},lots"));
    let input = write_file(dir.path(), "in.csv", &text);
    let whole = run(&dir, "whole", None, &text, &[]);
    let chunked = run(&dir, "chunked", Some(&input), &text, &["--chunk", "1"]);
    assert_eq!((whole.code, chunked.code), (2, 2));
    let reason = |s: &str| s.split_once(": ").unwrap().1.to_string();
    assert!(
        chunked.stderr.contains("not a number (value 'lots')"),
        "{}",
        chunked.stderr
    );
    assert_eq!(
        reason(&chunked.stderr),
        reason(&whole.stderr).replace("<stdin>", &input.display().to_string())
    );
    assert_eq!((chunked.forecasts, chunked.report), (None, None));
    // without the bad value, the gap is the error
    let text = text.replace(&format!("{head},lots"), &bad);
    let input = write_file(dir.path(), "in.csv", &text);
    let chunked = run(&dir, "chunked", Some(&input), &text, &["--chunk", "1"]);
    assert_eq!(chunked.code, 2);
    assert!(chunked.stderr.contains("gap"), "{}", chunked.stderr);
    assert_eq!(chunked.forecasts, None);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")),
        "{names:?}"
    );
}

#[test]
fn unsorted_inputs_are_read_whole_with_a_note_when_larger_than_a_chunk() {
    let dir = TempDir::new().unwrap();
    let text = m3_monthly(6);
    let sorted = run(&dir, "sorted", None, &text, &[]);
    // the last series' rows first
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let last_id = lines.last().unwrap().split(',').next().unwrap().to_string();
    let (last, rest): (Vec<&str>, Vec<&str>) = lines
        .into_iter()
        .partition(|l| l.starts_with(&format!("{last_id},")));
    let shuffled = [vec![header], last, rest].concat().join("\n") + "\n";
    let input = write_file(dir.path(), "in.csv", &shuffled);
    let small = run(&dir, "small", Some(&input), &shuffled, &[]);
    assert_eq!(small.forecasts, sorted.forecasts);
    assert!(!small.stderr.contains("note:"), "{}", small.stderr);
    let chunked = run(&dir, "chunked", Some(&input), &shuffled, &["--chunk", "2"]);
    assert_eq!(chunked.forecasts, sorted.forecasts);
    assert!(
        chunked.stderr.contains(&format!("the rows are not sorted by unique_id ('N1402' after '{last_id}'): the 6 series were read whole (sorted by unique_id, they are forecast 2 at a time")),
        "{}",
        chunked.stderr
    );
}

/// A run on the whole bundled M3 monthly file with `extra`; the output's bytes.
fn m3_run(dir: &TempDir, name: &str, extra: &[&str]) -> Vec<u8> {
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/m3_monthly.csv");
    let out = dir.path().join(name);
    let (code, stderr) = finish(
        salesplan()
            .args(["forecast", "-q", "--season-length", "12", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&out)
            .args(extra),
    );
    assert_eq!(code, 0, "{stderr}");
    std::fs::read(&out).unwrap()
}

#[test]
fn calibrated_intervals_learn_from_the_whole_files_sample_over_many_chunks() {
    // 1,428 series: the 600 sampled windows are spread over the whole file
    let dir = TempDir::new().unwrap();
    let args = ["--horizon", "18", "--intervals", "calibrated"];
    let whole = m3_run(&dir, "whole.csv", &[&args[..], &["--chunk", "0"]].concat());
    let chunked = m3_run(
        &dir,
        "chunked.csv",
        &[&args[..], &["--chunk", "97"]].concat(),
    );
    assert!(
        whole == chunked,
        "calibrated intervals differ between chunks and a whole read"
    );
    let plain = m3_run(&dir, "plain.csv", &["--horizon", "18", "--chunk", "97"]);
    assert!(plain != chunked, "the calibration changed nothing");
}

#[test]
fn parquet_bytes_do_not_depend_on_the_chunks() {
    // 1,428 series × 150 steps = 214,200 rows: several record batches and pages
    let dir = TempDir::new().unwrap();
    let whole = m3_run(&dir, "whole.parquet", &["--horizon", "150", "--chunk", "0"]);
    let chunked = m3_run(
        &dir,
        "chunked.parquet",
        &["--horizon", "150", "--chunk", "100"],
    );
    assert!(whole.len() > 1_000_000);
    assert!(
        whole == chunked,
        "Parquet bytes differ between chunks and a whole read"
    );
}

#[test]
fn a_pipe_is_read_once_whole() {
    let dir = TempDir::new().unwrap();
    let text = m3_monthly(5);
    let whole = run(&dir, "whole", None, &text, &[]);
    let out = dir.path().join("pipe.csv");
    let (code, stderr) = finish(
        salesplan()
            .args([
                "forecast",
                "--horizon",
                "6",
                "--season-length",
                "12",
                "--chunk",
                "2",
                "--input",
                "/dev/stdin",
                "--output",
            ])
            .arg(&out)
            .write_stdin(text.as_bytes()),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(read_output(&out), whole.forecasts);
}
