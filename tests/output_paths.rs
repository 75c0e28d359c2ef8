//! No command writes over one of its own files (issue 10, item 1): an
//! output that is an input, through the same path, another spelling, a
//! symbolic link or a hard link, or that is another output of the same
//! run, is refused with exit 2 before any work, and every file is left
//! byte for byte as it was.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{finish, salesplan, write_file};
use tempfile::TempDir;

const SALES: &str = "unique_id,ds,y\na,2024-01,10\na,2024-02,12\na,2024-03,11\na,2024-04,13\n";
const ORG: &str = "node_id,parent_id\nco,\nr1,co\n";

/// Every file in `dir` with its bytes, sorted by name.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Runs salesplan in `dir` with `args`; asserts exit 2, a message naming
/// both options, and that no file in `dir` changed or appeared.
fn refused(dir: &Path, args: &[&str], output_option: &str, other_option: &str) {
    let before = snapshot(dir);
    let (code, stderr) = finish(salesplan().current_dir(dir).args(args));
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert!(
        stderr.contains(&format!("{output_option} is the same file as"))
            && stderr.contains(other_option),
        "{args:?}: {stderr}"
    );
    assert_eq!(snapshot(dir), before, "{args:?} changed a file");
}

#[test]
fn forecast_refuses_to_overwrite_its_input() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    write_file(dir, "sales.csv", SALES);
    let forecast = |output: &str| {
        let args = [
            "forecast",
            "--input",
            "sales.csv",
            "--horizon",
            "2",
            "--model",
            "naive",
        ];
        refused(
            dir,
            &[&args[..], &["--output", output]].concat(),
            "--output",
            "--input",
        );
    };
    // the same path, another spelling of it, and through the parent folder
    let parent_spelling = format!(
        "../{}/sales.csv",
        dir.file_name().unwrap().to_str().unwrap()
    );
    for output in ["sales.csv", "./sales.csv", parent_spelling.as_str()] {
        forecast(output);
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("sales.csv"), dir.join("link.csv")).unwrap();
        std::fs::hard_link(dir.join("sales.csv"), dir.join("hard.csv")).unwrap();
        forecast("link.csv");
        forecast("hard.csv");
    }
    // --report on --output, and an events file as the output
    write_file(
        dir,
        "events.csv",
        "event,start,end\npromo,2024-05-01,2024-05-10\n",
    );
    let base = [
        "forecast",
        "--input",
        "sales.csv",
        "--horizon",
        "2",
        "--model",
        "naive",
    ];
    let mut args = base.to_vec();
    args.extend(["--output", "out.csv", "--report", "out.csv"]);
    refused(dir, &args, "--report", "--output");
    let mut args = base.to_vec();
    args.extend(["--events-file", "events.csv", "--output", "events.csv"]);
    refused(dir, &args, "--output", "--events-file");
    // distinct paths still run
    let mut args = base.to_vec();
    args.extend(["--output", "out.csv", "--report", "report.csv"]);
    let (code, stderr) = finish(salesplan().current_dir(dir).args(&args));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn planning_commands_refuse_to_overwrite_their_files() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    write_file(dir, "org.csv", ORG);
    write_file(dir, "history.csv", "unique_id,ds,y\nr1,2024-01,10\n");
    write_file(dir, "plan.csv", "node_id,target\nco,10\n");
    write_file(dir, "scenarios.toml", "[[scenario]]\nname = \"a\"\n");
    let allocate = [
        "allocate",
        "--org",
        "org.csv",
        "--history",
        "history.csv",
        "--year",
        "2025",
        "--target",
        "100",
    ];
    let mut args = allocate.to_vec();
    args.extend(["--output", "history.csv"]);
    refused(dir, &args, "--output", "--history");
    let mut args = allocate.to_vec();
    args.extend(["--output", "plan2.csv", "--summary", "plan2.csv"]);
    refused(dir, &args, "--summary", "--output");
    let mut args = allocate.to_vec();
    args.extend(["--output", "org.csv"]);
    refused(dir, &args, "--output", "--org");

    let track = [
        "track",
        "--plan",
        "plan.csv",
        "--actuals",
        "history.csv",
        "--as-of",
        "2025-06-30",
    ];
    let mut args = track.to_vec();
    args.extend(["--output", "plan.csv"]);
    refused(dir, &args, "--output", "--plan");
    let mut args = track.to_vec();
    args.extend(["--output", "history.csv"]);
    refused(dir, &args, "--output", "--actuals");

    let sweep = [
        "sweep",
        "--org",
        "org.csv",
        "--history",
        "history.csv",
        "--year",
        "2025",
        "--scenarios",
        "scenarios.toml",
    ];
    let mut args = sweep.to_vec();
    args.extend(["--output", "s.csv", "--summary", "s.csv"]);
    refused(dir, &args, "--summary", "--output");
    let mut args = sweep.to_vec();
    args.extend(["--output", "scenarios.toml"]);
    refused(dir, &args, "--output", "--scenarios");

    let calibrate = [
        "calibrate",
        "--org",
        "org.csv",
        "--history",
        "history.csv",
        "--years",
        "2024",
        "--output",
        "history.csv",
    ];
    refused(dir, &calibrate, "--output", "--history");

    let reconcile = [
        "reconcile",
        "--hierarchy",
        "org.csv",
        "--forecasts",
        "history.csv",
        "--method",
        "bottom-up",
        "--output",
        "org.csv",
    ];
    refused(dir, &reconcile, "--output", "--hierarchy");

    let backtest = [
        "backtest",
        "--input",
        "history.csv",
        "--horizon",
        "1",
        "--windows",
        "1",
        "--output",
        "history.csv",
    ];
    refused(dir, &backtest, "--output", "--input");
}
