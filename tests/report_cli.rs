//! `salesplan report`: the sales plan report of the README's main job on
//! the demo company (forecast, plan, a 25-scenario sweep, a mid-year
//! track), checked by structure: every section with its charts, Chinese
//! names as text, amounts with thousands separators and the currency, the
//! per-rep table; a large table cut with the whole of it as CSV beside
//! it; empty sections left out with a note; files from different runs
//! and bad options refused naming the file and value, nothing written.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::cli::{finish, read_output, salesplan, write_file};
use common::demo_run::{demo_run, DemoRun};

/// The demo's cycle, run once for this file's tests.
fn demo() -> &'static DemoRun {
    static RUN: OnceLock<DemoRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_cli");
        std::fs::create_dir_all(&dir).unwrap();
        demo_run(&dir)
    })
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("report_cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The HTML of the section `id` (empty when it is not there).
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = format!("<section id=\"{id}\"");
    match html.find(&start) {
        Some(k) => {
            let rest = &html[k..];
            &rest[..rest.find("</section>").unwrap()]
        }
        None => "",
    }
}

#[test]
fn the_demo_report_has_every_section_with_its_charts_and_chinese_names_as_text() {
    let run = demo();
    let dir = out_dir("full");
    let out = dir.join("report.html");
    let (code, stderr) = finish(salesplan().args(run.report_args(&out)));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("report of 5 sections (forecast, plan, table, sweep, track)"),
        "{stderr}"
    );
    let html = read_output(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // self-contained: no external scripts, styles, fonts or images
    for external in ["src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    assert!(
        html.contains("<title>星河商贸有限公司 — 2026 销售计划报表 (sales plan report)</title>")
    );

    // forecast: the company and its 7 regions, each a chart with its
    // history, a band per level (95% and 80%) and the target
    let forecast = section(&html, "forecast");
    assert_eq!(forecast.matches("<svg").count(), 8);
    assert_eq!(
        forecast.matches("<polygon").count(),
        16,
        "two bands per chart"
    );
    for region in [
        "华东大区",
        "华南大区",
        "华北大区",
        "华中大区",
        "西南大区",
        "西北大区",
        "东北大区",
    ] {
        assert!(
            forecast.contains(&format!(">\n{region}\n</text>")),
            "{region}"
        );
    }
    // the company's 2025 sales and 2026 target, with separators and ¥
    assert!(forecast.contains("¥527,003,164"), "last year");
    assert!(forecast.contains("¥606,053,600"), "target");

    // plan: stacked by region (12 months × 7 regions), and the profile
    let plan = section(&html, "plan");
    assert_eq!(plan.matches("<svg").count(), 2);
    assert!(
        plan.matches("<rect").count() >= 84,
        "a bar per month and region"
    );
    assert!(plan.contains(">\n2026 plan\n</text>") && plan.contains(">\n2025 sales\n</text>"));

    // table: every rep, names in Chinese, sortable
    let table = section(&html, "table");
    assert_eq!(table.matches("<tr>").count(), 386 + 1);
    assert!(table.contains("<table class=\"sortable\">"));
    assert!(table.contains("<td>宋国庆</td>"), "a rep's name as text");
    assert!(
        table.contains("Probabilities from sweep scenario g-16 (the plan&#39;s company target)")
    );

    // sweep: the curve (company and regions) and the 25 scenarios
    let sweep = section(&html, "sweep");
    assert_eq!(sweep.matches("<svg").count(), 1);
    assert_eq!(sweep.matches("<tr>").count(), 25 + 1);
    assert!(sweep.contains("¥606,053,600"));

    // track: the company and the region least likely to make it
    let track = section(&html, "track");
    assert_eq!(track.matches("<svg").count(), 4);
    assert!(track.contains("6 months closed"));
    assert!(
        track.contains("¥287,289,102"),
        "the company's actual to date"
    );
    assert!(track.contains("<polygon"), "the projection's band");

    // the table beside it only when rows are cut
    assert!(!dir.join("report.table.csv").exists());
}

#[test]
fn a_large_table_is_cut_and_written_whole_beside_the_page() {
    let run = demo();
    let dir = out_dir("cut");
    let out = dir.join("report.html");
    let mut args = run.report_args(&out);
    args.extend([
        "--table-rows".into(),
        "20".into(),
        "--sections".into(),
        "table".into(),
    ]);
    let (code, stderr) = finish(salesplan().args(&args));
    assert_eq!(code, 0, "{stderr}");
    let html = read_output(&out).unwrap();
    let table = section(&html, "table");
    assert_eq!(table.matches("<tr>").count(), 20 + 1);
    assert!(table.contains("the first 20 of 386 rows are shown"));
    assert!(table.contains("<a href=\"report.table.csv\">"));
    let csv = read_output(dir.join("report.table.csv")).unwrap();
    assert_eq!(csv.lines().count(), 387);
    assert!(csv.starts_with(
        "node_id,name,parent_id,last_year,forecast,target,growth,share_of_parent,binding,probability\n"
    ));
    // the targets are the plan's: they sum to the company's
    let targets: f64 = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(targets, 606053600.0);
    assert_eq!(
        section(&html, "forecast"),
        "",
        "only the sections asked for"
    );
}

#[test]
fn sections_without_their_inputs_are_left_out_with_a_note() {
    let run = demo();
    let dir = out_dir("partial");
    let out = dir.join("report.html");
    let (code, stderr) = finish(
        salesplan()
            .args(["report", "--org"])
            .arg(&run.org)
            .arg("--history")
            .arg(&run.history)
            .arg("--plan")
            .arg(&run.plan)
            .arg("--output")
            .arg(&out),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("report of 3 sections (forecast, plan, table)"),
        "{stderr}"
    );
    assert!(stderr.contains("no sweep given"), "{stderr}");
    let html = read_output(&out).unwrap();
    assert_eq!(section(&html, "sweep"), "");
    assert_eq!(section(&html, "track"), "");
    assert!(html.contains("no track status given (--status): the tracking section is left out"));
    // without forecasts of the nodes, the report forecasts the company
    // and the regions from their summed history
    assert!(section(&html, "forecast").contains("AutoETS on the summed history"));
    // without probabilities, the bar is the target's
    assert!(section(&html, "table").contains("target (bar: of the largest)"));
}

/// Runs `report` with `args`, expecting exit 2 and nothing written; the
/// error text.
fn refused(args: Vec<std::ffi::OsString>, out: &Path) -> String {
    let (code, stderr) = finish(salesplan().args(&args));
    assert_eq!(code, 2, "{stderr}");
    assert!(!out.exists(), "nothing written");
    let dir = out.parent().unwrap();
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
    assert!(left.is_empty(), "no temporary file left: {left:?}");
    stderr
}

/// `args` with the value after `option` replaced.
fn with(mut args: Vec<std::ffi::OsString>, option: &str, value: &Path) -> Vec<std::ffi::OsString> {
    let k = args.iter().position(|a| a == option).unwrap();
    args[k + 1] = value.into();
    args
}

#[test]
fn files_from_different_runs_and_bad_options_are_refused_naming_file_and_value() {
    let run = demo();
    let inputs = out_dir("bad-inputs");
    let dir = out_dir("bad");
    let out = dir.join("report.html");
    let base = run.report_args(&out);

    // a plan of another org
    let plan = std::fs::read_to_string(&run.plan).unwrap();
    let other = write_file(&inputs, "plan.csv", &plan.replacen("E0001,", "Z9999,", 1));
    let e = refused(with(base.clone(), "--plan", &other), &out);
    assert!(
        e.contains("plan.csv:") && e.contains("column 'node_id'") && e.contains("(value 'Z9999')"),
        "{e}"
    );

    // a plan of another year than the status
    let other = write_file(&inputs, "plan2025.csv", &plan.replace(",2026-", ",2025-"));
    let e = refused(with(base.clone(), "--plan", &other), &out);
    assert!(
        e.contains("status.csv: tracks 2026, but") && e.contains("plans 2025"),
        "{e}"
    );

    // a summary of another plan
    let summary = std::fs::read_to_string(&run.summary).unwrap();
    let other = write_file(
        &inputs,
        "summary.csv",
        &summary.replacen(",606053600,", ",600000000,", 1),
    );
    let e = refused(with(base.clone(), "--summary", &other), &out);
    assert!(
        e.contains("summary.csv:2: column 'target'") && e.contains("(value '600000000')"),
        "{e}"
    );

    // forecasts of another year
    let forecasts = std::fs::read_to_string(&run.forecasts).unwrap();
    let other = write_file(&inputs, "f.csv", &forecasts.replace(",2026-", ",2024-"));
    let e = refused(with(base.clone(), "--forecasts", &other), &out);
    assert!(
        e.contains("f.csv: no forecast reaches the plan year 2026"),
        "{e}"
    );

    // a sweep row of a scenario its summary does not have
    let sweep = std::fs::read_to_string(&run.sweep).unwrap();
    let other = write_file(
        &inputs,
        "sweep.csv",
        &sweep.replacen("g-01,HQ", "g-99,HQ", 1),
    );
    let e = refused(with(base.clone(), "--sweep", &other), &out);
    assert!(
        e.contains("sweep.csv:2: column 'scenario'") && e.contains("(value 'g-99')"),
        "{e}"
    );

    // a status with a bad number
    // (the first row's probability, whatever the simulation gives)
    let status = std::fs::read_to_string(&run.status).unwrap();
    let mut lines: Vec<String> = status.lines().map(str::to_string).collect();
    let column = lines[0]
        .split(',')
        .position(|c| c == "probability")
        .unwrap();
    let mut fields: Vec<&str> = lines[1].split(',').collect();
    fields[column] = "lots";
    lines[1] = fields.join(",");
    let other = write_file(&inputs, "status.csv", &(lines.join("\n") + "\n"));
    let e = refused(with(base.clone(), "--status", &other), &out);
    assert!(
        e.contains("status.csv:2: column 'probability': not a number (value 'lots')"),
        "{e}"
    );

    // options
    let mut args = base.clone();
    args.extend(["--level".into(), "9".into()]);
    let e = refused(args, &out);
    assert!(
        e.contains("level")
            && e.contains("9 does not exist")
            && e.contains("levels 0 (the company) to 3"),
        "{e}"
    );
    let mut args = base.clone();
    args.extend(["--node".into(), "R99".into()]);
    let e = refused(args, &out);
    assert!(e.contains("'R99': not a node of"), "{e}");
    let mut args = base.clone();
    args.extend(["--scenario".into(), "nope".into()]);
    let e = refused(args, &out);
    assert!(
        e.contains("'nope': not a scenario of the sweep (25 scenarios, e.g. 'g-01')"),
        "{e}"
    );
    let mut args = base.clone();
    args.extend(["--sections".into(), "plan,charts".into()]);
    let e = refused(args, &out);
    assert!(e.contains("'charts': not a section"), "{e}");
    let svg = dir.join("report.svg");
    let e = refused(with(base.clone(), "--output", &svg), &svg);
    assert!(e.contains("name the file .html"), "{e}");
    // an output that is an input
    let (code, stderr) = finish(salesplan().args(with(base, "--output", &run.plan)));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&run.plan).unwrap(),
        plan,
        "the input untouched"
    );
}

#[test]
fn a_chosen_node_and_level_break_down_that_unit() {
    let run = demo();
    let dir = out_dir("node");
    let out = dir.join("report.html");
    let mut args = run.report_args(&out);
    args.extend(["--node".into(), "R2".into(), "--level".into(), "2".into()]);
    let (code, stderr) = finish(salesplan().args(&args));
    assert_eq!(code, 0, "{stderr}");
    let html = read_output(&out).unwrap();
    let org = std::fs::read_to_string(&run.org).unwrap();
    let teams_of_r2 = org
        .lines()
        .filter(|l| l.split(',').nth(1) == Some("R2"))
        .count();
    let teams = org
        .lines()
        .filter(|l| l.split(',').nth(1).is_some_and(|p| p.starts_with('R')))
        .count();
    assert_eq!(
        section(&html, "forecast").matches("<svg").count(),
        1 + teams_of_r2
    );
    assert_eq!(section(&html, "table").matches("<tr>").count(), teams + 1);
    assert!(section(&html, "track").contains("华南大区"));
}

#[test]
fn the_page_is_the_same_on_one_thread_and_on_two() {
    let run = demo();
    let pages: Vec<String> = ["1", "2"]
        .iter()
        .map(|threads| {
            let dir = out_dir(&format!("threads{threads}"));
            let out = dir.join("report.html");
            let (code, stderr) = finish(
                salesplan()
                    .env("RAYON_NUM_THREADS", threads)
                    .args(run.report_args(&out)),
            );
            assert_eq!(code, 0, "{stderr}");
            read_output(&out).unwrap()
        })
        .collect();
    assert!(
        pages[0] == pages[1],
        "the same bytes whatever the thread count"
    );
}
