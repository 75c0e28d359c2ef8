//! Arguments that would need more memory than the machine has are refused
//! before anything is allocated (issue 10, item 8): exit 2, a message with
//! the estimate and the limit, and no output written.

mod common;

use common::cli::{finish, salesplan};
use tempfile::TempDir;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");

fn refused(args: &[&str], what: &str, dir: &TempDir) {
    let (code, stderr) = finish(salesplan().args(args));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(what) && stderr.contains("of memory, more than the limit of"),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("out") || n.starts_with(".salesplan"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_huge_horizon_or_path_count_is_refused_before_it_allocates() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "unique_id,ds,y\na,1,5\na,2,6\na,3,7\nb,1,1\nb,2,2\n",
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    let (input, out) = (input.to_str().unwrap(), out.to_str().unwrap());
    let forecast = ["forecast", "--input", input, "--output", out];
    refused(
        &[&forecast[..], &["--horizon", "1000000000000"]].concat(),
        "--horizon 1000000000000 on 2 series needs about 145.5 TB",
        &dir,
    );
    // the limit can be set, either way
    refused(
        &[
            &forecast[..],
            &["--horizon", "100000", "--max-memory", "1M"],
        ]
        .concat(),
        "limit of 1.0 MB (--max-memory)",
        &dir,
    );
    let (code, stderr) = finish(
        salesplan().args(
            [
                &forecast[..],
                &["--horizon", "100000", "--max-memory", "1G"],
            ]
            .concat(),
        ),
    );
    assert_eq!(code, 0, "{stderr}");
    std::fs::remove_file(out).unwrap();
    let (code, stderr) = finish(
        salesplan().args([&forecast[..], &["--horizon", "3", "--max-memory", "lots"]].concat()),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("'lots' is not a size"), "{stderr}");

    let org = format!("{DEMO}/org.csv");
    let history = format!("{DEMO}/sales_monthly.csv");
    let scenarios = dir.path().join("s.toml");
    std::fs::write(&scenarios, "[[scenario]]\nname = \"base\"\ngrowth = 0.1\n").unwrap();
    refused(
        &[
            "sweep",
            "--org",
            &org,
            "--history",
            &history,
            "--year",
            "2026",
            "--scenarios",
            scenarios.to_str().unwrap(),
            "--output",
            out,
            "--paths",
            "1000000000",
        ],
        "--paths 1000000000 over 434 nodes needs about",
        &dir,
    );
    refused(
        &[
            "calibrate",
            "--org",
            &org,
            "--history",
            &history,
            "--years",
            "2025",
            "--output",
            out,
            "--paths",
            "1000000000",
        ],
        "--paths 1000000000 over 434 nodes needs about",
        &dir,
    );
    let plan = dir.path().join("plan.csv");
    std::fs::write(&plan, "node_id,period,target\n").unwrap();
    refused(
        &[
            "track",
            "--plan",
            plan.to_str().unwrap(),
            "--actuals",
            &history,
            "--org",
            &org,
            "--as-of",
            "2025-06-30",
            "--output",
            out,
            "--paths",
            "1000000000",
        ],
        "--paths 1000000000 over 434 nodes needs about",
        &dir,
    );
}
