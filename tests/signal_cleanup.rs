//! A run stopped by SIGTERM or SIGINT (Ctrl-C) while it writes leaves no
//! hidden temporary file and no partial output, keeps an existing output
//! as it was, and exits with 130 (issue 10, item 7).
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".salesplan-"))
        .collect()
}

fn stop_during_write(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("sweep.csv");
    std::fs::write(&output, "earlier output\n").unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    // 1,000 scenarios over the demo org: a 40 MB table, written while the
    // scenarios are computed
    let mut child = Command::new(env!("CARGO_BIN_EXE_salesplan"))
        .args(["sweep", "--org"])
        .arg(data.join("org.csv"))
        .arg("--history")
        .arg(data.join("sales_monthly.csv"))
        .arg("--scenarios")
        .arg(data.join("scenarios_1000.toml"))
        .args(["--year", "2026", "--threads", "1", "--output"])
        .arg(&output)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while temporaries(dir.path()).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its write began"
        );
        assert!(start.elapsed() < Duration::from_secs(120), "no write began");
        std::thread::sleep(Duration::from_millis(1));
    }
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted; 1 unfinished output removed"),
        "{stderr}"
    );
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "earlier output\n"
    );
}

#[test]
fn sigterm_during_a_write_removes_the_temporary_file() {
    stop_during_write("-TERM");
}

#[test]
fn sigint_during_a_write_removes_the_temporary_file() {
    stop_during_write("-INT");
}
