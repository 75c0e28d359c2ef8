//! `salesplan capacity`: on a small org whose numbers are recomputed here
//! by hand (each rep's productivity from last year's sales and the months
//! worked, ramps, a leaver's end date, attrition, a planned hire, the hires
//! that close a gap and by when), on the demo company (every team, totals
//! that add up), and bad input refused naming file, line, column and value
//! with nothing written.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::cli::{clear_outputs, finish, fresh_dir, read_output, salesplan, write_file};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");

fn out_dir(name: &str) -> PathBuf {
    fresh_dir("capacity_cli", name)
}

/// Rows of a CSV keyed by their first `key` columns joined with '|'.
fn rows(text: &str, key: usize) -> HashMap<String, HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let k = cells[..key].join("|");
            let map = header
                .iter()
                .zip(&cells)
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect();
            (k, map)
        })
        .collect()
}

fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column}: {:?}", row[column]))
}

/// co → t1 (a, b who leaves mid-June 2026, f who started in October 2025),
/// t2 (e, c who starts in April 2026, no history). Every team's monthly
/// sales are flat, so every season is 1/12 a month.
fn small_org(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let org = write_file(
        dir,
        "org.csv",
        "node_id,parent_id,name,start_date,end_date\nco,,公司,,\nt1,co,一部,,\nt2,co,二部,,\n\
         a,t1,张伟,2015-01-01,\nb,t1,李娜,2016-01-01,2026-06-15\nf,t1,王芳,2025-10-01,\n\
         e,t2,刘洋,2014-01-01,\nc,t2,陈静,2026-04-01,\n",
    );
    let mut sales = String::from("unique_id,ds,y\n");
    for year in 2023..=2025 {
        for m in 1..=12 {
            // f's first three months come out of a's, so t1 stays flat
            let f = if year == 2025 && m >= 10 {
                100.0 * (m - 9) as f64
            } else {
                0.0
            };
            sales.push_str(&format!("a,{year}-{m:02},{}\n", 1000.0 - f));
            sales.push_str(&format!("b,{year}-{m:02},500\n"));
            sales.push_str(&format!("e,{year}-{m:02},2000\n"));
            if f > 0.0 {
                sales.push_str(&format!("f,{year}-{m:02},{f}\n"));
            }
        }
    }
    let history = write_file(dir, "sales.csv", &sales);
    let mut plan = String::from("node_id,period,target\nco,2026,60000\nt2,2026,36000\n");
    for m in 1..=12 {
        plan.push_str(&format!("t1,2026-{m:02},2000\n"));
    }
    let plan = write_file(dir, "plan.csv", &plan);
    (org, history, plan)
}

/// `salesplan capacity` on the small org's files with `hires`, writing `out`.
fn capacity(files: &(PathBuf, PathBuf, PathBuf), hires: &Path, out: &Path) -> assert_cmd::Command {
    let (org, history, plan) = files;
    let mut command = salesplan();
    command.args([
        "capacity".as_ref(),
        "--org".as_ref(),
        org.as_os_str(),
        "--history".as_ref(),
        history.as_os_str(),
        "--plan".as_ref(),
        plan.as_os_str(),
        "--year".as_ref(),
        "2026".as_ref(),
        "--hires".as_ref(),
        hires.as_os_str(),
        "--output".as_ref(),
        out.as_os_str(),
    ]);
    command
}

const RAMP: [f64; 3] = [0.25, 0.5, 0.75];
const ATTRITION: f64 = 0.1;

fn survival(months_in: usize) -> f64 {
    (1.0 - ATTRITION).powf((months_in as f64 + 0.5) / 12.0)
}

fn ramp(tenure: usize) -> f64 {
    RAMP.get(tenure).copied().unwrap_or(1.0)
}

/// A rep who sells `rate` a year when ramped, starting in month `start`
/// (0-based) of 2026 or before it (`None`), leaving after month `last`.
fn by_hand(rate: f64, start: Option<usize>, last: usize) -> [f64; 12] {
    std::array::from_fn(|m| match start {
        _ if m > last => 0.0,
        None => rate / 12.0 * survival(m),
        Some(s) if m < s => 0.0,
        Some(s) => rate / 12.0 * ramp(m - s) * survival(m - s),
    })
}

#[test]
fn a_small_orgs_capacity_and_hires_are_those_computed_by_hand() {
    let dir = out_dir("small");
    let files = small_org(&dir);
    let hires = write_file(&dir, "hires.csv", "team,count,start\nt1,1,2026-09\n");
    let (out, summary) = (dir.join("capacity.csv"), dir.join("summary.csv"));
    let (code, stderr) = finish(capacity(&files, &hires, &out).args([
        "--attrition".as_ref(),
        "0.1".as_ref(),
        "--summary".as_ref(),
        summary.as_os_str(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    // productivity: a sold 11,400 over a full year; b 6,000; f's three
    // months (ramped 25/50/75%) are too little of a year, so f takes t1's
    // mean, (11,400 + 6,000) / 2 = 8,700, as does t1's hire; e 24,000, and
    // c (no history) takes e's
    let a = by_hand(11_400.0, None, 11);
    let b = by_hand(6_000.0, None, 5);
    // f started in October 2025: tenure 4 in January, fully ramped, and
    // survival counted from the year's start
    let f = by_hand(8_700.0, None, 11);
    let hire = by_hand(8_700.0, Some(8), 11);
    let e = by_hand(24_000.0, None, 11);
    let c = by_hand(24_000.0, Some(3), 11);
    let t1: Vec<f64> = (0..12).map(|m| a[m] + b[m] + f[m] + hire[m]).collect();
    let t2: Vec<f64> = (0..12).map(|m| e[m] + c[m]).collect();
    let monthly = rows(&read_output(&out).unwrap(), 3);
    for m in 0..12 {
        let period = format!("2026-{:02}", m + 1);
        let row = &monthly[&format!("t1|一部|{period}")];
        assert!(
            (num(row, "capacity") - t1[m].round()).abs() <= 0.5,
            "{period} {row:?} {}",
            t1[m]
        );
        assert_eq!(num(row, "target"), 2000.0);
        let row = &monthly[&format!("t2|二部|{period}")];
        assert!(
            (num(row, "capacity") - t2[m].round()).abs() <= 0.5,
            "{period} {row:?}"
        );
        // t2 has an annual target only, phased by its (flat) season
        assert!((num(row, "target") - 3000.0).abs() < 1e-6);
        let heads = [
            survival(m) * if m <= 5 { 3.0 } else { 2.0 },
            if m >= 8 { survival(m - 8) } else { 0.0 },
        ];
        let row = &monthly[&format!("t1|一部|{period}")];
        assert!((num(row, "headcount") - heads.iter().sum::<f64>()).abs() <= 0.005);
        let co = &monthly[&format!("co|公司|{period}")];
        assert!((num(co, "capacity") - (t1[m] + t2[m]).round()).abs() <= 1.0);
    }
    // the year: t1 short by 24,000 − Σ capacity; one hire starting in
    // month s brings Σ_{m ≥ s} 8,700/12 × ramp × survival
    let summary = rows(&read_output(&summary).unwrap(), 1);
    let gap = 24_000.0 - t1.iter().sum::<f64>();
    let brings = |s: usize| by_hand(8_700.0, Some(s), 11).iter().sum::<f64>();
    let count = (gap / brings(0)).ceil();
    let mut start_by = 0;
    while start_by + 1 < 12 && count * brings(start_by + 1) >= gap {
        start_by += 1;
    }
    let row = &summary["t1"];
    assert!(gap > 0.0);
    assert_eq!(num(row, "reps"), 4.0, "a, b, f and the hire");
    assert_eq!(num(row, "hires_planned"), 1.0);
    assert_eq!(num(row, "rate_per_rep"), 8_700.0);
    assert!((num(row, "gap") - gap.round()).abs() <= 1.0);
    assert_eq!(num(row, "hires_needed"), count, "{row:?}");
    assert_eq!(
        row["start_by"],
        format!("2026-{:02}", start_by + 1),
        "{row:?}"
    );
    // t2 is short too; the company's hires are its teams'
    let t2_gap = 36_000.0 - t2.iter().sum::<f64>();
    let t2_count = (t2_gap / by_hand(24_000.0, Some(0), 11).iter().sum::<f64>()).ceil();
    assert_eq!(num(&summary["t2"], "hires_needed"), t2_count);
    assert_eq!(num(&summary["co"], "hires_needed"), count + t2_count);
    assert!((num(&summary["co"], "target") - 60_000.0).abs() < 1e-6);
    assert!(
        stderr.contains("2 teams, 5 reps in the org during 2026 and 1 planned hires"),
        "{stderr}"
    );
}

#[test]
fn on_the_demo_company_every_team_has_a_row_and_the_units_add_up() {
    let dir = out_dir("demo");
    let plan = dir.join("plan.csv");
    let (code, stderr) = finish(salesplan().args([
        "-q".as_ref(),
        "allocate".as_ref(),
        "--org".as_ref(),
        format!("{DEMO}/org.csv").as_ref(),
        "--history".as_ref(),
        format!("{DEMO}/sales_monthly.csv").as_ref(),
        "--growth".as_ref(),
        "0.15".as_ref(),
        "--year".as_ref(),
        "2026".as_ref(),
        "--calendar".as_ref(),
        "monthly".as_ref(),
        "--round".as_ref(),
        "100".as_ref(),
        "--output".as_ref(),
        plan.as_os_str(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    let (out, summary) = (dir.join("capacity.csv"), dir.join("summary.csv"));
    let (code, stderr) = finish(salesplan().args([
        "capacity".as_ref(),
        "--org".as_ref(),
        format!("{DEMO}/org.csv").as_ref(),
        "--history".as_ref(),
        format!("{DEMO}/sales_monthly.csv").as_ref(),
        "--plan".as_ref(),
        plan.as_os_str(),
        "--year".as_ref(),
        "2026".as_ref(),
        "--hires".as_ref(),
        format!("{DEMO}/hires.csv").as_ref(),
        "--attrition".as_ref(),
        "0.12".as_ref(),
        "--output".as_ref(),
        out.as_os_str(),
        "--summary".as_ref(),
        summary.as_os_str(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    let org = std::fs::read_to_string(format!("{DEMO}/org.csv")).unwrap();
    let parents: HashMap<String, String> = org
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].to_string(), c[1].to_string())
        })
        .collect();
    let summary = rows(&read_output(&summary).unwrap(), 1);
    let teams: Vec<&String> = summary.keys().filter(|k| k.starts_with('T')).collect();
    assert_eq!(teams.len(), 40);
    assert_eq!(summary.len(), 40 + 7 + 1, "teams, regions and the company");
    // each region's capacity, target and hires are its teams' sums
    for region in summary.keys().filter(|k| k.starts_with('R')) {
        let kids: Vec<&&String> = teams.iter().filter(|t| &parents[**t] == region).collect();
        for column in [
            "capacity",
            "target",
            "reps",
            "hires_planned",
            "hires_needed",
        ] {
            let sum: f64 = kids.iter().map(|t| num(&summary[**t], column)).sum();
            assert!(
                (num(&summary[region], column) - sum).abs() <= kids.len() as f64,
                "{region} {column}"
            );
        }
    }
    // the planned hires are counted where the file puts them
    assert_eq!(num(&summary["T12"], "hires_planned"), 3.0);
    assert_eq!(num(&summary["HQ"], "hires_planned"), 9.0);
    // a team short of capacity needs at least one hire, one with room none
    for t in &teams {
        let row = &summary[*t];
        let needed = num(row, "hires_needed");
        assert_eq!(needed > 0.0, num(row, "gap") > 0.0, "{t} {row:?}");
    }
    // monthly rows sum to the year's row
    let monthly = rows(&read_output(&out).unwrap(), 3);
    let name = summary["T01"]["name"].clone();
    let year = num(&monthly[&format!("T01|{name}|2026")], "capacity");
    let months: f64 = (1..=12)
        .map(|m| num(&monthly[&format!("T01|{name}|2026-{m:02}")], "capacity"))
        .sum();
    assert!((year - months).abs() <= 12.0);
}

#[test]
fn bad_input_is_refused_with_its_place_and_nothing_written() {
    let dir = out_dir("bad");
    let files = small_org(&dir);
    let out = dir.join("capacity.csv");
    let run = |hires: &str, extra: &[&str]| {
        let hires = write_file(&dir, "hires.csv", hires);
        clear_outputs(&[&out]);
        let mut command = capacity(&files, &hires, &out);
        command.args(extra);
        let (code, stderr) = finish(&mut command);
        assert!(read_output(&out).is_none(), "{stderr}");
        (code, stderr)
    };
    let cases: [(&str, &[&str], &str); 7] = [
        (
            "team,count,start\na,1,2026-03\n",
            &[],
            "hires.csv:2: column 'team': not a team (a node whose children are reps) (value 'a')",
        ),
        (
            "team,count,start\nt9,1,2026-03\n",
            &[],
            "hires.csv:2: column 'team': not a node of the org tree (value 't9')",
        ),
        (
            "team,count,start\nt1,0,2026-03\n",
            &[],
            "hires.csv:2: column 'count': not a whole number of reps, at least 1 (value '0')",
        ),
        (
            "team,count,start\nt1,1.5,2026-03\n",
            &[],
            "column 'count': not a whole number of reps, at least 1 (value '1.5')",
        ),
        (
            "team,count,start\nt1,1,2027-01\n",
            &[],
            "hires.csv:2: column 'start': outside the plan year 2026 (value '2027-01')",
        ),
        (
            "team,count,start,ramp\nt1,1,2026-03,0.5;2\n",
            &[],
            "column 'ramp'",
        ),
        (
            "team,count,start\n",
            &["--attrition", "1"],
            "--attrition 1: not a rate",
        ),
    ];
    for (hires, extra, expected) in cases {
        let (code, stderr) = run(hires, extra);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    // a plan without a team's target
    std::fs::write(
        &files.2,
        "node_id,period,target\nco,2026,60000\nt1,2026,24000\n",
    )
    .unwrap();
    let (code, stderr) = run("team,count,start\n", &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("plan.csv: no target for 't2'"), "{stderr}");
}
