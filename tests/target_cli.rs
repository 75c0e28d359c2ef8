//! `salesplan target` on the demo company: candidate targets from growth,
//! the market and the profit goal, each amount recomputed here from the
//! input files (last year's sales summed from the CSV, the regions' shares
//! of them, the profit formula), the probabilities falling as the target
//! rises, the same bytes for any thread count, and bad input refused
//! naming file, line, column and value with nothing written.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::cli::{finish, read_output, salesplan, write_file};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");

fn demo(name: &str) -> String {
    format!("{DEMO}/{name}")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("target_cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn base_args(out: &Path) -> Vec<String> {
    [
        "target",
        "--org",
        &demo("org.csv"),
        "--history",
        &demo("sales_monthly.csv"),
        "--year",
        "2026",
        "--paths",
        "300",
        "--output",
        out.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Each leaf's 2025 sales, summed from the demo's CSV.
fn sales_2025() -> HashMap<String, f64> {
    let text = std::fs::read_to_string(demo("sales_monthly.csv")).unwrap();
    let mut out = HashMap::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[1].starts_with("2025-") {
            *out.entry(cells[0].to_string()).or_insert(0.0) += cells[2].parse::<f64>().unwrap();
        }
    }
    out
}

/// node → parent, from the demo's org.
fn parents() -> HashMap<String, String> {
    let text = std::fs::read_to_string(demo("org.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].to_string(), c[1].to_string())
        })
        .collect()
}

fn region_of(node: &str, parents: &HashMap<String, String>) -> String {
    let mut v = node.to_string();
    loop {
        let p = &parents[&v];
        if p == "HQ" {
            return v;
        }
        v = p.clone();
    }
}

/// The rows of the output, by candidate name.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn number(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap()
}

#[test]
fn the_three_kinds_of_target_recomputed_from_the_files() {
    let dir = out_dir("kinds");
    let out = dir.join("targets.csv");
    let mut args = base_args(&out);
    args.extend(
        [
            "--growth",
            "0.05,0.10,0.15,0.20",
            "--market",
            &demo("market_monthly.csv"),
            "--share-path",
            &demo("market_share.csv"),
            "--profit",
            "40000000",
            "--fixed-costs",
            "140000000",
            "--margins",
            &demo("margins.csv"),
        ]
        .map(String::from),
    );
    let (code, stderr) = finish(salesplan().args(&args));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("6 candidate targets"), "{stderr}");
    let rows = rows(&out);
    assert_eq!(rows.len(), 6);
    let sales = sales_2025();
    let last_year: f64 = sales.values().sum();
    // growth: last year × (1 + g)
    for (row, g) in rows.iter().zip([0.05, 0.10, 0.15, 0.20]) {
        assert_eq!(row["source"], "growth");
        let want = last_year * (1.0 + g);
        assert!(
            (number(row, "target") - want).abs() < 0.01,
            "{row:?} against {want}"
        );
    }
    // the company's probability falls as the target rises, and so does the
    // share of reps at even odds or better
    for pair in rows[..4].windows(2) {
        assert!(number(&pair[0], "probability") >= number(&pair[1], "probability"));
        assert!(number(&pair[0], "reps_below_even") <= number(&pair[1], "reps_below_even"));
    }
    assert!(number(&rows[0], "probability") > 0.9);
    assert!(number(&rows[3], "probability") < 0.3);
    // market: the forecast's size × 8% (the 2026 row of the share path)
    let market = &rows[4];
    assert_eq!(market["source"], "market");
    let size: f64 = market["detail"]
        .strip_prefix("market forecast ")
        .and_then(|d| d.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!((number(market, "target") - 0.08 * size).abs() < 0.01 * size * 1e-6 + 0.01);
    // the market forecast grows on 2025's market (summed from its file)
    let market_2025: f64 = std::fs::read_to_string(demo("market_monthly.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(",2025-"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(
        size > market_2025 && size < 1.5 * market_2025,
        "{size} {market_2025}"
    );
    // profit: (40M + 140M) / Σ region share × margin, the shares summed here
    let parents = parents();
    let mut region_sales: HashMap<String, f64> = HashMap::new();
    for (rep, v) in &sales {
        *region_sales.entry(region_of(rep, &parents)).or_default() += v;
    }
    let margins: HashMap<&str, f64> = [
        ("R1", 0.34),
        ("R2", 0.31),
        ("R3", 0.29),
        ("R4", 0.27),
        ("R5", 0.30),
        ("R6", 0.25),
        ("R7", 0.26),
    ]
    .into();
    let margin: f64 = region_sales
        .iter()
        .map(|(r, v)| v / last_year * margins[r.as_str()])
        .sum();
    let profit = &rows[5];
    assert_eq!(profit["source"], "profit");
    let want = 180_000_000.0 / margin;
    assert!(
        (number(profit, "target") - want).abs() < 0.01,
        "{profit:?} against {want}"
    );
    // what that revenue earns, region by region, is the goal
    let earned: f64 = region_sales
        .iter()
        .map(|(r, v)| number(profit, "target") * v / last_year * margins[r.as_str()])
        .sum::<f64>()
        - 140_000_000.0;
    assert!((earned - 40_000_000.0).abs() < 1.0, "{earned}");
}

#[test]
fn growth_candidates_by_default_and_the_same_bytes_for_any_thread_count() {
    let dir = out_dir("threads");
    let outputs: Vec<String> = ["1", "3"]
        .iter()
        .map(|t| {
            let out = dir.join(format!("targets_{t}.csv"));
            let mut args = base_args(&out);
            args.extend(["--threads", t].map(String::from));
            let (code, stderr) = finish(salesplan().args(&args));
            assert_eq!(code, 0, "{stderr}");
            read_output(&out).unwrap()
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    let names: Vec<&str> = outputs[0]
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "growth 0%",
            "growth +5%",
            "growth +10%",
            "growth +15%",
            "growth +20%"
        ]
    );
}

#[test]
fn bad_input_is_refused_naming_file_line_column_and_value() {
    let dir = out_dir("bad");
    let out = dir.join("targets.csv");
    let margins = write_file(&dir, "margins.csv", "unit,margin\nR1,0.3\nR2,0\n");
    let overlap = write_file(&dir, "overlap.csv", "unit,margin\nR1,0.3\nT01,0.2\n");
    let partial = write_file(&dir, "partial.csv", "unit,margin\nR1,0.3\nR2,0.2\n");
    let shares = write_file(&dir, "shares.csv", "period,share\n2025,0.08\n");
    let two = write_file(
        &dir,
        "two.csv",
        "unique_id,ds,y\na,2024-01-01,1\na,2024-02-01,2\nb,2024-01-01,1\n",
    );
    let m = margins.to_str().unwrap();
    let market = demo("market_monthly.csv");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--profit", "1e7", "--margins", m],
            "margins.csv:3: column 'margin': a contribution margin is a share of revenue above 0 and at most 1 (value '0')",
        ),
        (
            vec!["--profit", "1e7", "--margins", overlap.to_str().unwrap()],
            "overlap.csv:3: column 'unit': overlaps 'R1'",
        ),
        (
            vec!["--profit", "1e7", "--margins", partial.to_str().unwrap()],
            "units that are org nodes must cover all of last year's sales",
        ),
        (
            vec!["--profit", "1e7", "--margin", "-0.2"],
            "-0.2 is not a contribution margin",
        ),
        (
            vec!["--profit", "1e7", "--margin", "0.3", "--fixed-costs", "-5"],
            "-5 is not a cost",
        ),
        (
            vec!["--profit", "-1e7", "--margin", "0.3"],
            "needs no revenue",
        ),
        (vec!["--growth", "-1.5"], "above -1"),
        (vec!["--amount", "-3"], "-3 is not a target"),
        (
            vec!["--market", &market, "--share-path", shares.to_str().unwrap()],
            "shares.csv: no share for 2026 (the file has 2025)",
        ),
        (
            vec!["--market", two.to_str().unwrap(), "--share", "0.1"],
            "2 series; name the market's with --market-id",
        ),
        (
            vec!["--market", &market, "--share", "1.5"],
            "1.5 is not a market share",
        ),
    ];
    for (extra, want) in cases {
        let mut args = base_args(&out);
        args.extend(extra.iter().map(|s| s.to_string()));
        let (code, stderr) = finish(salesplan().args(&args));
        assert_eq!(code, 2, "{extra:?}: {stderr}");
        assert!(stderr.contains(want), "{extra:?}: {stderr}");
        assert!(!out.exists(), "{extra:?} wrote an output");
    }
    // options that need each other
    for extra in [
        vec!["--profit", "1e7"],
        vec!["--market", "x.csv"],
        vec!["--share", "0.1"],
    ] {
        let mut args = base_args(&out);
        args.extend(extra.iter().map(|s| s.to_string()));
        let (code, _) = finish(salesplan().args(&args));
        assert_eq!(code, 2, "{extra:?}");
    }
}
