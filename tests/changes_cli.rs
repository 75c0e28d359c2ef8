//! `salesplan changes` and `track --changes`: a small org whose revised
//! targets are recomputed here by hand (a transfer cut mid-April, a rep
//! moving teams mid-July, a leaver whose territory goes to the one fellow
//! rep left, a hire given a share), the demo company (a team moving between
//! regions on 1 July and ten account transfers: every parent sums exactly
//! in every month, the company's months are the plan's), tracking against
//! the revised targets, and bad input refused naming file, line, column and
//! value with nothing written.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::cli::{clear_outputs, finish, fresh_dir, read_output, salesplan, write_file};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");

/// (node, parent, month) → target, from the revised plan's text.
fn holdings(text: &str) -> BTreeMap<(String, String, u32), f64> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("node_id,parent_id,period,target"));
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let month = c[2].split('-').nth(1).unwrap().parse().unwrap();
            ((c[0].into(), c[1].into(), month), c[3].parse().unwrap())
        })
        .collect()
}

/// A node's target in `month` under any parent.
fn month_total(h: &BTreeMap<(String, String, u32), f64>, node: &str, month: u32) -> f64 {
    h.iter()
        .filter(|((n, _, m), _)| n == node && *m == month)
        .map(|(_, v)| v)
        .sum()
}

/// Every parent's target in every month is the sum of its children's rows.
fn assert_parents_sum(h: &BTreeMap<(String, String, u32), f64>) {
    let mut children: BTreeMap<(String, u32), f64> = BTreeMap::new();
    for ((_, parent, m), v) in h {
        if !parent.is_empty() {
            *children.entry((parent.clone(), *m)).or_default() += v;
        }
    }
    for ((parent, m), sum) in &children {
        assert!(
            (sum - month_total(h, parent, *m)).abs() < 1e-6,
            "{parent} in month {m}: children {sum}, own {}",
            month_total(h, parent, *m)
        );
    }
}

/// co → north (a, b), south (c); every rep 3,000 a month; a plan by month.
fn small(dir: &Path) -> (PathBuf, PathBuf) {
    let org = write_file(
        dir,
        "org.csv",
        "node_id,parent_id,name\nco,,公司\nnorth,co,北区\nsouth,co,南区\na,north,张伟\nb,north,李娜\nc,south,王芳\n",
    );
    let mut plan = String::from("node_id,period,target\n");
    for (node, amount) in [
        ("co", 9000),
        ("north", 6000),
        ("south", 3000),
        ("a", 3000),
        ("b", 3000),
        ("c", 3000),
    ] {
        for m in 1..=12 {
            plan.push_str(&format!("{node},2026-{m:02},{amount}\n"));
        }
    }
    (org, write_file(dir, "plan.csv", &plan))
}

fn changes(dir: &Path, org: &Path, plan: &Path, changes: &Path) -> (i32, String, PathBuf, PathBuf) {
    let (out, summary) = (dir.join("revised.csv"), dir.join("summary.csv"));
    clear_outputs(&[&out, &summary]);
    let (code, stderr) = finish(
        salesplan()
            .args(["changes", "--year", "2026", "--round", "1"])
            .args([
                "--org".as_ref(),
                org.as_os_str(),
                "--plan".as_ref(),
                plan.as_os_str(),
                "--changes".as_ref(),
                changes.as_os_str(),
                "--output".as_ref(),
                out.as_os_str(),
                "--summary".as_ref(),
                summary.as_os_str(),
            ]),
    );
    (code, stderr, out, summary)
}

#[test]
fn prorated_targets_recomputed_by_hand() {
    let dir = fresh_dir("changes_cli", "small");
    let (org, plan) = small(&dir);
    let file = write_file(
        &dir,
        "changes.csv",
        "date,node,from,to,share\n\
         2026-04-16,客户7,c,a,0.25\n\
         2026-07-16,b,north,south,\n\
         2026-11-01,c,south,,\n\
         2026-12-01,新人,,south,\n\
         2026-12-01,客户9,b,新人,0.5\n",
    );
    let (code, stderr, out, summary) = changes(&dir, &org, &plan, &file);
    assert_eq!(code, 0, "{stderr}");
    let h = holdings(&read_output(&out).unwrap());
    assert_parents_sum(&h);
    let at = |n: &str, p: &str, m: u32| {
        h.get(&(n.to_string(), p.to_string(), m))
            .copied()
            .unwrap_or(0.0)
    };
    // April: a quarter of c's 3,000 for 15 of April's 30 days
    assert_eq!(at("a", "north", 4), 3000.0 + 0.25 * 3000.0 * 15.0 / 30.0);
    assert_eq!(at("c", "south", 4), 3000.0 - 375.0);
    // from May: the whole quarter
    assert_eq!((at("a", "north", 5), at("c", "south", 5)), (3750.0, 2250.0));
    // b keeps its 3,000 in July, 15 of 31 days under north: 1451.6 -> 1452 or 1451
    assert_eq!(month_total(&h, "b", 7), 3000.0);
    let north_b = at("b", "north", 7);
    assert!((north_b - 3000.0 * 15.0 / 31.0).abs() < 1.0, "{north_b}");
    assert_eq!(north_b + at("b", "south", 7), 3000.0);
    assert_eq!(at("north", "co", 7), 3750.0 + north_b);
    assert_eq!(at("b", "north", 8), 0.0);
    // c leaves on 1 November: b, its one fellow under south, takes its 2,250
    assert_eq!((at("c", "south", 11), at("b", "south", 11)), (0.0, 5250.0));
    // the hire gets half of b's December
    assert_eq!(
        (at("新人", "south", 12), at("b", "south", 12)),
        (2625.0, 2625.0)
    );
    for m in 1..=12 {
        assert_eq!(at("co", "", m), 9000.0, "month {m}");
    }
    let s = read_output(&summary).unwrap();
    assert!(s.contains("\nc,王芳,south,36000,"), "{s}");
    assert!(s.contains("\n新人,,south,0,2625,2625\n"), "{s}");
}

#[test]
fn bad_changes_are_refused_with_their_place_and_nothing_written() {
    let dir = fresh_dir("changes_cli", "bad");
    let (org, plan) = small(&dir);
    for (rows, expect) in [
        ("2026-07-01,T99,north,south,", "changes.csv:2: column 'node': not a node of the org tree"),
        ("2027-01-01,b,north,south,", "changes.csv:2: column 'date': outside the plan year 2026 (value '2027-01-01')"),
        ("2026-02-30,b,north,south,", "changes.csv:2: column 'date': not a date (YYYY-MM-DD) (value '2026-02-30')"),
        ("2026-07-01,b,south,north,", "changes.csv:2: column 'from': not the parent of 'b' on 2026-07-01 (value 'south')"),
        ("2026-07-01,acct,a,b,1.5", "changes.csv:2: column 'share': not in (0, 1] (value '1.5')"),
        ("2026-07-01,acct,a,b,-0.2", "changes.csv:2: column 'share': not in (0, 1] (value '-0.2')"),
        ("2026-07-01,acct,a,b,", "changes.csv:2: column 'share': empty"),
        ("2026-07-01,a,north,,\n2026-07-01,x,a,b,0.4\n2026-07-01,y,a,c,0.2", "a leaver's transfers must sum to 1"),
        ("2026-07-01,c,south,,", "no fellow rep holds any target"),
        ("2026-07-01,north,co,a,", "changes.csv:2: column 'to': a rep: 'north' moves to a node with reps under it (value 'a')"),
        ("2026-07-01,north,co,north,", "column 'to': under 'north' itself"),
    ] {
        let file = write_file(&dir, "changes.csv", &format!("date,node,from,to,share\n{rows}\n"));
        let (code, stderr, out, summary) = changes(&dir, &org, &plan, &file);
        assert_eq!(code, 2, "{rows}: {stderr}");
        assert!(stderr.contains(expect), "{rows}: {stderr}");
        assert!(read_output(&out).is_none() && read_output(&summary).is_none(), "{rows}");
    }
}

/// The README's main job's plan of the demo company.
fn demo_plan(dir: &Path) -> PathBuf {
    let plan = dir.join("plan.csv");
    let (code, stderr) = finish(
        salesplan()
            .args([
                "allocate",
                "--org",
                &format!("{DEMO}/org.csv"),
                "--history",
                &format!("{DEMO}/sales_monthly.csv"),
            ])
            .args([
                "--growth",
                "0.15",
                "--year",
                "2026",
                "--basis",
                "forecast:0.6,history:0.4",
                "--calendar",
                "monthly",
                "--round",
                "100",
            ])
            .arg("--output")
            .arg(&plan),
    );
    assert_eq!(code, 0, "{stderr}");
    plan
}

#[test]
fn the_demo_moves_a_team_and_ten_accounts_with_every_total_exact_and_tracks_them() {
    let dir = fresh_dir("changes_cli", "demo");
    let plan = demo_plan(&dir);
    let org = PathBuf::from(format!("{DEMO}/org.csv"));
    let file = PathBuf::from(format!("{DEMO}/changes.csv"));
    let (out, summary) = (dir.join("revised.csv"), dir.join("summary.csv"));
    let (code, stderr) = finish(
        salesplan()
            .args(["changes", "--year", "2026"])
            .arg("--org")
            .arg(&org)
            .arg("--plan")
            .arg(&plan)
            .arg("--changes")
            .arg(&file)
            .arg("--output")
            .arg(&out)
            .arg("--summary")
            .arg(&summary),
    );
    assert_eq!(code, 0, "{stderr}");
    let h = holdings(&read_output(&out).unwrap());
    assert_parents_sum(&h);
    // the plan's own months, read independently
    let mut planned: BTreeMap<(String, u32), f64> = BTreeMap::new();
    for l in read_output(&plan).unwrap().lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        planned.insert(
            (c[0].into(), c[1][5..].parse().unwrap()),
            c[2].parse().unwrap(),
        );
    }
    for m in 1..=12 {
        assert_eq!(
            month_total(&h, "HQ", m),
            planned[&("HQ".to_string(), m)],
            "month {m}"
        );
        // 济南销售部 keeps its months; 华东 holds them to June, 华北 from July
        assert_eq!(month_total(&h, "T09", m), planned[&("T09".to_string(), m)]);
        let parent = if m <= 6 { "R1" } else { "R3" };
        assert_eq!(
            h[&("T09".to_string(), parent.to_string(), m)],
            planned[&("T09".to_string(), m)]
        );
    }
    // every target a multiple of the plan's unit (100)
    assert!(h.values().all(|v| v % 100.0 == 0.0 && *v >= 0.0));
    // a rep no change touches keeps its plan
    for m in 1..=12 {
        assert_eq!(
            month_total(&h, "E0004", m),
            planned
                .get(&("E0004".to_string(), m))
                .copied()
                .unwrap_or(0.0)
        );
    }
    // E0001 gives 8% + 5% from 16 April
    let (e1, e13) = (
        |m| planned[&("E0001".to_string(), m)],
        |m| planned[&("E0013".to_string(), m)],
    );
    assert!((month_total(&h, "E0001", 4) - e1(4) * (1.0 - 0.13 * 15.0 / 30.0)).abs() <= 100.0);
    assert!((month_total(&h, "E0001", 5) - e1(5) * 0.87).abs() <= 100.0);
    // E0013 (上海销售二部) gets 5% of E0007's from 1 May (E0007's fellows
    // in 一部 take the rest of it when it leaves on 1 June)
    let e7 = |m| planned[&("E0007".to_string(), m)];
    assert!((month_total(&h, "E0013", 5) - (e13(5) + 0.05 * e7(5))).abs() <= 100.0);
    assert_eq!(month_total(&h, "E0007", 6), 0.0);
    // track against the revised targets: R1's is the summary's
    let status = dir.join("status.csv");
    let track = |changes: Option<&Path>| {
        clear_outputs(&[&status]);
        let mut command = salesplan();
        command
            .args(["track", "--as-of", "2026-06-30", "--paths", "200"])
            .arg("--plan")
            .arg(&plan)
            .arg("--org")
            .arg(&org)
            .args([
                "--history",
                &format!("{DEMO}/sales_monthly.csv"),
                "--actuals",
                &format!("{DEMO}/actuals_2026h1.csv"),
            ])
            .arg("--output")
            .arg(&status);
        if let Some(path) = changes {
            command.arg("--changes").arg(path);
        }
        finish(&mut command)
    };
    let (code, stderr) = track(Some(&file));
    assert_eq!(code, 0, "{stderr}");
    let s = read_output(&status).unwrap();
    let r1_target = (1..=12).map(|m| month_total(&h, "R1", m)).sum::<f64>();
    let line = s.lines().find(|l| l.starts_with("R1,")).unwrap();
    assert_eq!(
        line.split(',').nth(2).unwrap().parse::<f64>().unwrap(),
        r1_target
    );
    assert!(
        s.lines().any(|l| l.starts_with("E9001,")),
        "the hire is tracked"
    );
    // the move takes effect on 1 July: the first half's actuals of 济南销售部
    // still count towards 华东, as without the changes
    let column = |text: &str, node: &str, k: usize| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{node},")))
            .unwrap();
        line.split(',').nth(k).unwrap().parse().unwrap()
    };
    let (r1_actual, r3_actual) = (column(&s, "R1", 3), column(&s, "R3", 3));
    let (code, stderr) = track(None);
    assert_eq!(code, 0, "{stderr}");
    let unchanged = read_output(&status).unwrap();
    assert_eq!(
        (r1_actual, r3_actual),
        (column(&unchanged, "R1", 3), column(&unchanged, "R3", 3))
    );
    // a change after the first open day is refused, naming its date
    let later = write_file(
        &dir,
        "later.csv",
        "date,node,from,to,share\n2026-09-01,T09,R1,R3,\n",
    );
    let (code, stderr) = track(Some(&later));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("a change takes effect on 2026-09-01, after 2026-07-01"),
        "{stderr}"
    );
    assert!(read_output(&status).is_none());
}

#[test]
fn track_counts_a_rep_moved_mid_month_towards_each_team_by_its_days() {
    let dir = fresh_dir("changes_cli", "track_small");
    let (org, plan) = small(&dir);
    let mut sales = String::from("unique_id,ds,y\n");
    for (rep, base) in [("a", 2900.0), ("b", 3100.0), ("c", 3000.0)] {
        for year in 2023..=2026 {
            for m in 1..=12 {
                if year == 2026 && m > 7 {
                    break;
                }
                let y = base + [40.0, -25.0, 10.0, -30.0, 15.0][(m + year as usize) % 5];
                sales.push_str(&format!("{rep},{year}-{m:02}-01,{y}\n"));
            }
        }
    }
    let actuals = write_file(&dir, "actuals.csv", &sales);
    let file = write_file(
        &dir,
        "changes.csv",
        "date,node,from,to,share\n2026-07-16,b,north,south,\n",
    );
    let status = dir.join("status.csv");
    let (code, stderr) = finish(
        salesplan()
            .args(["track", "--as-of", "2026-07-31", "--paths", "200"])
            .arg("--plan")
            .arg(&plan)
            .arg("--org")
            .arg(&org)
            .arg("--actuals")
            .arg(&actuals)
            .arg("--changes")
            .arg(&file)
            .arg("--output")
            .arg(&status),
    );
    assert_eq!(code, 0, "{stderr}");
    let s = read_output(&status).unwrap();
    let get = |node: &str, k: usize| -> f64 {
        let line = s
            .lines()
            .find(|l| l.starts_with(&format!("{node},")))
            .unwrap();
        line.split(',').nth(k).unwrap().parse().unwrap()
    };
    // each rep's 2026 sales to date, recomputed from the file's text
    let sold = |rep: &str, months: std::ops::RangeInclusive<u32>| -> f64 {
        sales
            .lines()
            .filter(|l| l.starts_with(&format!("{rep},2026-")))
            .filter(|l| {
                months.contains(
                    &l[l.find("2026-").unwrap() + 5..][..2]
                        .parse::<u32>()
                        .unwrap(),
                )
            })
            .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
            .sum()
    };
    let july_b = sold("b", 7..=7);
    let north = sold("a", 1..=7) + sold("b", 1..=6) + july_b * 15.0 / 31.0;
    let south = sold("c", 1..=7) + july_b * 16.0 / 31.0;
    assert!(
        (get("north", 3) - north).abs() < 1e-6,
        "{} vs {north}",
        get("north", 3)
    );
    assert!(
        (get("south", 3) - south).abs() < 1e-6,
        "{} vs {south}",
        get("south", 3)
    );
    assert!((get("co", 3) - (north + south)).abs() < 1e-6);
    // b's own actual and target are whole; the teams' targets prorated
    assert_eq!(get("b", 2), 36000.0);
    assert_eq!(get("north", 2) + get("south", 2), 108000.0);
}
