//! The `salesplan sweep` command as a real binary on generated files: the
//! same bytes for 1 and 2 threads, infeasible scenarios flagged with their
//! reason (exit 1), bad scenario files rejected naming scenario and field
//! (exit 2, nothing written).

mod common;

use std::path::{Path, PathBuf};

use common::cli::{clear_outputs, finish, read_output, salesplan};
use tempfile::TempDir;

/// Company, 2 regions, 4 teams, 16 reps (a new hire, a leaver), four years
/// of noisy seasonal monthly sales (2022-2025).
fn write_data(dir: &Path) {
    let mut org = String::from("node_id,parent_id,name,start_date,end_date\nco,,公司,,\n");
    let mut sales = String::from("unique_id,ds,y\n");
    for r in 0..2 {
        org.push_str(&format!("r{r},co,区域{r},,\n"));
        for t in 0..2 {
            let team = format!("r{r}t{t}");
            org.push_str(&format!("{team},r{r},团队,,\n"));
            for k in 0..4 {
                let rep = format!("{team}p{k}");
                let (start, end, first) = match (r, t, k) {
                    (0, 0, 3) => ("2025-08-01", "", 43),
                    (1, 1, 2) => ("", "2026-04-30", 0),
                    _ => ("", "", 0),
                };
                org.push_str(&format!("{rep},{team},销售{k},{start},{end}\n"));
                let base = 80.0 + 13.0 * (4 * (2 * r + t) + k) as f64;
                for m in first..48 {
                    let season =
                        [0.8, 0.7, 1.0, 1.0, 1.0, 1.3, 1.0, 0.9, 1.0, 1.0, 1.4, 1.2][m % 12];
                    let wiggle = 1.0 + 0.05 * (((m * 7 + k * 3) % 11) as f64 - 5.0) / 5.0;
                    let y = base * (1.0 + 0.01 * m as f64) * season * wiggle;
                    sales.push_str(&format!(
                        "{rep},{}-{:02},{y:.2}\n",
                        2022 + m / 12,
                        m % 12 + 1
                    ));
                }
            }
        }
    }
    std::fs::write(dir.join("org.csv"), org).unwrap();
    std::fs::write(dir.join("sales.csv"), sales).unwrap();
}

const SCENARIOS: &str = r#"
[defaults]
basis = { forecast = 0.6, history = 0.4 }
round = 1

[[scenario]]
name = "base"
growth = 0.1
growth_min = -0.1
growth_max = 0.4

[[scenario]]
name = "too-small"
growth = 0.1
rep_max = 50

[[grid]]
name = "g"
growth = [0.05, 0.15]
basis = ["forecast", "equal"]
round = [1, 100]
"#;

struct Run {
    code: i32,
    stderr: String,
    output: Option<String>,
    summary: Option<String>,
}

fn sweep(dir: &Path, scenarios: &str, extra: &[&str]) -> Run {
    sweep_file(dir, "s.toml", scenarios, extra)
}

/// Writes `scenarios` to `file` (its extension says the format) and sweeps.
fn sweep_file(dir: &Path, file: &str, scenarios: &str, extra: &[&str]) -> Run {
    std::fs::write(dir.join(file), scenarios).unwrap();
    let out: PathBuf = dir.join("sweep.csv");
    let summary: PathBuf = dir.join("summary.csv");
    clear_outputs(&[&out, &summary]);
    let (code, stderr) = finish(
        salesplan()
            .current_dir(dir)
            .args([
                "sweep",
                "--org",
                "org.csv",
                "--history",
                "sales.csv",
                "--scenarios",
                file,
                "--year",
                "2026",
                "--paths",
                "300",
                "--output",
                "sweep.csv",
                "--summary",
                "summary.csv",
            ])
            .args(extra),
    );
    Run {
        code,
        stderr,
        output: read_output(out),
        summary: read_output(summary),
    }
}

/// The value of `measure` for `node` in `scenario` of a sweep's long table.
fn value_of(run: &Run, scenario: &str, node: &str, measure: &str) -> f64 {
    let out = run.output.as_ref().unwrap();
    out.lines()
        .find(|l| l.starts_with(&format!("{scenario},{node},{measure},")))
        .and_then(|l| l.rsplit(',').next())
        .unwrap()
        .parse()
        .unwrap()
}

/// Rewrites a data file of `dir` through `change`.
fn edit(dir: &Path, file: &str, change: impl FnOnce(String) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, change(text)).unwrap();
}

#[test]
fn same_bytes_for_any_thread_count_and_infeasible_flagged() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let one = sweep(dir.path(), SCENARIOS, &["--threads", "1", "--periods"]);
    let two = sweep(dir.path(), SCENARIOS, &["--threads", "2", "--periods"]);
    assert_eq!(one.code, 1, "{}", one.stderr);
    assert_eq!(one.output, two.output);
    assert_eq!(one.summary, two.summary);
    let summary = one.summary.unwrap();
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(lines.len(), 1 + 2 + 8);
    assert!(lines[1].starts_with("base,planned,"));
    assert!(
        lines[2].starts_with("too-small,infeasible,\"node 'co'"),
        "{}",
        lines[2]
    );
    assert!(one.stderr.contains("scenario 'too-small' is infeasible"));
    let output = one.output.unwrap();
    assert!(output.starts_with("scenario,node_id,measure,value\n"));
    assert!(output.contains("base,co,probability,"));
    assert!(output.contains("g-8,r1t1p3,target:2026-12,"));
    // the leaver sells nothing after April, and has no target then
    assert!(output.contains("base,r1t1p2,target:2026-05,0\n"));
    assert!(!output.contains("too-small,"));
    // every plan's rep targets add up to the company's
    for scenario in ["base", "g-1", "g-8"] {
        let rows: Vec<(String, f64)> = output
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0] == scenario && f[2] == "target")
                    .then(|| (f[1].to_string(), f[3].parse().unwrap()))
            })
            .collect();
        let company = rows.iter().find(|r| r.0 == "co").unwrap().1;
        let reps: f64 = rows.iter().filter(|r| r.0.contains('p')).map(|r| r.1).sum();
        assert_eq!(company, reps, "{scenario}");
    }
}

/// A scenario that does not fit the org (over-assignment for more levels
/// than it has, a potential basis without potentials) is a bad input: exit
/// 2 before sweeping, naming the file, scenario and field, nothing written
/// (issue 10, item 11) — not an "infeasible" target.
#[test]
fn scenarios_that_do_not_fit_the_org_are_bad_input() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let text = format!(
        "{SCENARIOS}\n[[scenario]]\nname = \"too-deep\"\ngrowth = 0.1\nover_assignment = [0, 0, 0, 0.1]\n\n[[scenario]]\nname = \"no-potential\"\ngrowth = 0.1\nbasis = \"potential\"\n"
    );
    let run = sweep(dir.path(), &text, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for part in [
        "s.toml",
        "2 of 12 scenarios do not fit",
        "scenario 'too-deep': field 'over_assignment': 4 levels given",
        "(and 1 more)",
    ] {
        assert!(run.stderr.contains(part), "{part}: {}", run.stderr);
    }
    assert!(run.output.is_none() && run.summary.is_none());
}

#[test]
fn bad_scenario_files_name_scenario_and_field() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let cases = [
        (
            "[[scenario]]\nname = \"a\"\ngrowth = 0.1\ngrowht_max = 1\n",
            "scenario 'a': field 'growht_max': unknown key",
        ),
        (
            "[[scenario]]\nname = \"neg\"\ntarget = -100\n",
            "scenario 'neg': field 'target': -100 is not positive",
        ),
        (
            "[[scenario]]\nname = \"w\"\ngrowth = 0.1\nbasis = { history = 0, forecast = 0 }\n",
            "scenario 'w': field 'basis': weights sum to 0",
        ),
        (
            "[[scenario]]\nname = \"caps\"\ngrowth = 0.1\ngrowth_min = 0.3\ngrowth_max = 0.2\n",
            "scenario 'caps': field 'growth_min': 0.3 is above growth_max 0.2",
        ),
        (
            "[[scenario]]\nname = \"u\"\ngrowth = 0.1\nround = -5\n",
            "scenario 'u': field 'round': unit -5 is not positive",
        ),
        (
            "[grid]\nname = \"g\"\ngrowth = [0.1, 0.2]\nrep_min = [10, 200]\nrep_max = [100]\n",
            "scenario 'g-2': field 'rep_min': 200 is above rep_max 100",
        ),
    ];
    for (text, message) in cases {
        let run = sweep(dir.path(), text, &[]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{text}: {}", run.stderr);
        assert!(run.stderr.contains("s.toml"), "{}", run.stderr);
        assert!(run.output.is_none() && run.summary.is_none());
    }
}

#[test]
fn one_model_for_every_rep() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let text = "[[scenario]]\nname = \"a\"\ngrowth = 0.1\nbasis = \"forecast\"\n";
    let auto = sweep(dir.path(), text, &[]);
    let fixed = sweep(dir.path(), text, &["--model", "ets:ANA"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    assert_ne!(auto.output, fixed.output);
    let bad = sweep(dir.path(), text, &["--model", "prophet"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("expected auto-ets or ets:<form>"),
        "{}",
        bad.stderr
    );
}

#[test]
fn levels_and_measures_filter_the_long_table() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let text = "[[scenario]]\nname = \"a\"\ngrowth = 0.1\nround = 1\n";
    let all = sweep(dir.path(), text, &[]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let all = all.output.unwrap();
    // 23 nodes × 3 measures, plus the header
    assert_eq!(all.lines().count(), 1 + 23 * 3);
    let top = sweep(
        dir.path(),
        text,
        &["--levels", "0,1", "--measures", "probability"],
    );
    assert_eq!(top.code, 0, "{}", top.stderr);
    let top = top.output.unwrap();
    let rows: Vec<&str> = top.lines().skip(1).collect();
    let nodes: Vec<&str> = rows.iter().map(|r| r.split(',').nth(1).unwrap()).collect();
    assert_eq!(nodes, ["co", "r0", "r1"]);
    // the same rows as in the full table, byte for byte
    for row in &rows {
        assert!(row.contains(",probability,") && all.contains(row), "{row}");
    }
    let bad = sweep(dir.path(), text, &["--levels", "4"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains(
            "invalid levels: level 4 does not exist: the org has levels 0 (the company) to 3"
        ),
        "{}",
        bad.stderr
    );
    assert!(bad.output.is_none());
    let bad = sweep(dir.path(), text, &["--measures", "probabilty"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("probabilty"), "{}", bad.stderr);
}

#[test]
fn history_of_an_inner_node_is_rejected() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    edit(dir.path(), "sales.csv", |sales| {
        format!("{sales}r0t0,2022-01,5\n")
    });
    let run = sweep(
        dir.path(),
        "[[scenario]]\nname = \"a\"\ngrowth = 0.1\n",
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("sales.csv") && run.stderr.contains("series 'r0t0': not a leaf"),
        "{}",
        run.stderr
    );
    assert!(run.output.is_none() && run.summary.is_none());
}

#[test]
fn new_hires_get_a_chance_and_recalibration_is_chosen() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let text = "[[scenario]]\nname = \"a\"\ngrowth = 0.1\n";
    let value = |run: &Run, node: &str, measure: &str| value_of(run, "a", node, measure);
    let checked = sweep(dir.path(), text, &[]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert!(
        checked.stderr.contains("backtest windows"),
        "{}",
        checked.stderr
    );
    // r0t0p3 joined in August 2025 (five months of history): it sells like
    // its team mates, so its target is neither sure nor hopeless
    let p = value(&checked, "r0t0p3", "probability");
    assert!(p > 0.05 && p < 0.95, "{p}");
    let plain = sweep(dir.path(), text, &["--recalibrate", "none"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(!plain.stderr.contains("backtest windows"));
    assert_ne!(
        value(&checked, "co", "expected_attainment"),
        value(&plain, "co", "expected_attainment")
    );
    let bad = sweep(dir.path(), text, &["--recalibrate", "yes"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("same-form"), "{}", bad.stderr);
}

#[test]
fn each_scenario_phases_into_its_own_calendar() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let text = "[[grid]]\nname = \"c\"\ngrowth = [0.1]\nround = [10]\ncalendar = [\"monthly\", \"quarterly\", \"445:weeks\"]\n";
    let run = sweep(dir.path(), text, &["--periods"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.output.unwrap();
    for (scenario, periods, example) in [
        ("c-1", 12, "target:2026-03"),
        ("c-2", 4, "target:2026Q1"),
        ("c-3", 52, "target:"),
    ] {
        let rows: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with(&format!("{scenario},co,target:")))
            .collect();
        assert_eq!(rows.len(), periods, "{scenario}");
        assert!(
            rows.iter().any(|r| r.contains(example)),
            "{scenario}: {rows:?}"
        );
        let sum: f64 = rows
            .iter()
            .map(|r| r.rsplit(',').next().unwrap().parse::<f64>().unwrap())
            .sum();
        let annual: f64 = out
            .lines()
            .find(|l| l.starts_with(&format!("{scenario},co,target,")))
            .and_then(|l| l.rsplit(',').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(sum, annual, "{scenario}");
    }
    let summary = run.summary.unwrap();
    assert!(summary.lines().next().unwrap().ends_with(",calendar"));
    assert!(
        summary.lines().nth(3).unwrap().ends_with(",445:weeks"),
        "{summary}"
    );
}

#[test]
fn scenarios_from_json_and_csv() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let d = dir.path();
    let toml = "[defaults]\nround = 10\n\n[[scenario]]\nname = \"base\"\ngrowth = 0.1\nover_assignment = [0.0, 0.05]\n";
    let json = r#"{"defaults": {"round": 10}, "scenario": [{"name": "base", "growth": 0.1, "over_assignment": [0.0, 0.05]}]}"#;
    let csv = "name,growth,round,over_assignment\nbase,0.1,10,0;0.05\n";
    let run = |file: &str, text: &str| {
        let r = sweep_file(d, file, text, &[]);
        (r.code, r.stderr, r.output)
    };
    let (code, stderr, from_toml) = run("s.toml", toml);
    assert_eq!(code, 0, "{stderr}");
    for (file, text) in [("s.json", json), ("s.csv", csv)] {
        let (code, stderr, out) = run(file, text);
        assert_eq!(code, 0, "{file}: {stderr}");
        assert_eq!(out, from_toml, "{file}");
    }
    // bad cells name the line, the column and the value; bad JSON says so
    let (code, stderr, out) = run("bad.csv", "name,growth,ramp\nbase,0.1,0.5;x\n");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.csv:2: column 'ramp'") && stderr.contains("'0.5;x'"),
        "{stderr}"
    );
    assert!(out.is_none());
    let (code, stderr, _) = run(
        "bad.json",
        r#"{"scenario": [{"name": "a", "growth": null}]}"#,
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.json") && stderr.contains("not valid JSON"),
        "{stderr}"
    );
    let (code, stderr, _) = run("bad2.csv", "name,growht\nbase,0.1\n");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("field 'growht': unknown column"),
        "{stderr}"
    );
}

#[test]
fn a_scenario_that_cannot_be_phased_is_flagged_not_fatal() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    // the leaver now leaves on January 20th: the retail year (from early
    // February) has no day for their January target
    edit(dir.path(), "org.csv", |org| {
        org.replace("2026-04-30", "2026-01-20")
    });
    let text = "[[grid]]\nname = \"c\"\ngrowth = [0.1]\ncalendar = [\"monthly\", \"445\"]\n";
    let run = sweep(dir.path(), text, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let summary = run.summary.unwrap();
    assert!(
        summary.lines().nth(1).unwrap().starts_with("c-1,planned,"),
        "{summary}"
    );
    let second = summary.lines().nth(2).unwrap();
    assert!(
        second.starts_with("c-2,infeasible,") && second.contains("phasing into 445"),
        "{second}"
    );
    assert!(run.output.unwrap().contains("c-1,co,target,"));
}

#[test]
fn bad_csv_scenarios_are_rejected() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let d = dir.path();
    for (text, message) in [
        (
            "name,growth,growth\na,0.1,0.2\n",
            "field 'growth': column given twice",
        ),
        (
            "name,growth\n,0.1\n",
            "s.csv:2: column 'name': every scenario needs a name",
        ),
    ] {
        let Run { code, stderr, .. } = sweep_file(d, "s.csv", text, &[]);
        assert_eq!(code, 2);
        assert!(stderr.contains(message), "{stderr}");
    }
}

#[test]
fn calibrate_scores_past_years_per_level() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let out = dir.path().join("reliability.csv");
    let run = |years: &str, extra: &[&str]| {
        clear_outputs(&[&out]);
        let mut cmd = salesplan();
        cmd.args(["calibrate", "--org"])
            .arg(dir.path().join("org.csv"))
            .arg("--history")
            .arg(dir.path().join("sales.csv"))
            .args(["--years", years, "--paths", "200", "--output"])
            .arg(&out)
            .args(extra);
        let (code, stderr) = finish(&mut cmd);
        (code, stderr, read_output(&out))
    };
    let (code, stderr, table) = run("2024,2025", &["--growth", "-0.1,0,0.1"]);
    assert_eq!(code, 0, "{stderr}");
    let table = table.unwrap();
    // 4 levels (company, regions, teams, reps) × 10 bins, and a header
    assert_eq!(table.lines().count(), 41, "{table}");
    let counts: usize = table
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("3,"))
        .map(|l| l.split(',').nth(6).unwrap().parse::<usize>().unwrap())
        .sum();
    // 16 reps (one a new hire, one a leaver) × 3 growth rates × 3 bases × 2 years,
    // less the targets of 0
    assert!(counts > 200 && counts <= 16 * 18, "{counts}");
    assert!(stderr.contains("level 3 (16 nodes): mid-ECE"), "{stderr}");
    // and each year alone, with what its calibration had
    for year in ["2024", "2025"] {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&format!("  {year}, ")))
            .unwrap_or_else(|| panic!("no line for {year}: {stderr}"));
        assert!(
            line.contains("; mid-ECE (noise floor) by level: 0 "),
            "{line}"
        );
        assert!(line.contains(", 3 0."), "{line}");
    }
    // a year without history before it cannot be planned
    let (code, stderr, table) = run("1990", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(table.is_none());
    let (code, _, _) = run("", &[]);
    assert_eq!(code, 2);
    // a basis the data lacks: every target of the grid is infeasible, and
    // the run says why (not that the history is short)
    let (code, stderr, table) = run("2025", &["--bases", "sometimes"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("invalid target grid: 2025: no target of the grid could be planned (field 'basis': no basis column 'sometimes')"),
        "{stderr}"
    );
    assert!(table.is_none());
}

#[test]
fn sweep_writes_a_calibration_report_on_the_years_before_when_asked() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    let report = dir.path().join("report.csv");
    let text = "[[scenario]]\nname = \"a\"\ngrowth = 0.1\n";
    let run = sweep(dir.path(), text, &["--calibration-report", "report.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // four years of history (2022-2025): 2023, 2024 and 2025 can be planned
    assert!(
        run.stderr.contains(
            "calibration report for 2023, 2024, 2025 (written to report.csv): level 0 mid-ECE"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(read_output(&report).unwrap().lines().count(), 41);
    // without the flag nothing is scored or written
    std::fs::remove_file(&report).unwrap();
    let run = sweep(dir.path(), text, &[]);
    assert!(!run.stderr.contains("calibration report"));
    assert!(read_output(&report).is_none());
}

/// An active rep with no sales history at all (not a new hire) gets its
/// peers' mean basis and is simulated like them, and the run names it:
/// it used to get a target of 0, reached for sure (issue 10, item 5).
#[test]
fn an_active_rep_without_history_plans_like_its_peers() {
    let dir = TempDir::new().unwrap();
    write_data(dir.path());
    edit(dir.path(), "sales.csv", |text| {
        text.lines()
            .filter(|l| !l.starts_with("r1t0p1,"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let text = "[[scenario]]\nname = \"a\"\ngrowth = 0.1\nbasis = \"history\"\n";
    let run = sweep(dir.path(), text, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("note: 1 active rep without sales history before 2026 (r1t0p1)"),
        "{}",
        run.stderr
    );
    let value = |node: &str, measure: &str| value_of(&run, "a", node, measure);
    // the mean of its three team mates' last year, grown as they are
    let peers: f64 = ["r1t0p0", "r1t0p2", "r1t0p3"]
        .iter()
        .map(|p| value(p, "target"))
        .sum::<f64>()
        / 3.0;
    let own = value("r1t0p1", "target");
    assert!((own - peers).abs() < 1e-6 * peers, "{own} vs {peers}");
    let p = value("r1t0p1", "probability");
    assert!(p > 0.05 && p < 0.95, "{p}");
}
