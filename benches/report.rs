//! The sales plan report: reading the demo company's org, history and a
//! plan of every node by month, summing the history up the tree,
//! forecasting the company and its regions, drawing the charts and the
//! table, on the bundled demo (386 reps) and on the demo copied 26 times
//! (10,036 reps, as `scripts/replicate_demo.py` writes it).
//!
//! `cargo bench --bench report -- --warm-up-time 1 --measurement-time 5`
//!
//! `scripts/report_scale.sh` times the whole command on the copied demo
//! with every input (forecasts, sweep, track) as BENCHMARKS.md reports it.

use std::fmt::Write as _;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use salesplan::io::{read_long_csv, Columns};
use salesplan::plan::org::OrgTree;
use salesplan::report::sales::{build, ReportFiles, ReportOptions};

/// The demo copied `copies` times under one root, with a plan of last
/// year's monthly sales + 10% for every node, written into `dir`.
fn company(dir: &Path, copies: usize) -> ReportFiles {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let org = std::fs::read_to_string(demo.join("org.csv")).unwrap();
    let sales = std::fs::read_to_string(demo.join("sales_monthly.csv")).unwrap();
    let (mut org_out, mut sales_out) = (String::new(), String::new());
    org_out.push_str("node_id,parent_id,name,start_date,end_date\nTOP,,集团,,\n");
    sales_out.push_str("unique_id,ds,y\n");
    for k in 0..copies {
        for line in org.lines().skip(1) {
            let (id, rest) = line.split_once(',').unwrap();
            let (parent, rest) = rest.split_once(',').unwrap();
            let parent = if parent.is_empty() {
                "TOP".to_string()
            } else {
                format!("k{k:02}_{parent}")
            };
            writeln!(org_out, "k{k:02}_{id},{parent},{rest}").unwrap();
        }
        for line in sales.lines().skip(1) {
            writeln!(sales_out, "k{k:02}_{line}").unwrap();
        }
    }
    let (org_path, sales_path) = (dir.join("org.csv"), dir.join("sales.csv"));
    std::fs::write(&org_path, org_out).unwrap();
    std::fs::write(&sales_path, sales_out).unwrap();
    let tree = OrgTree::read(&org_path).unwrap();
    let history = read_long_csv(&sales_path, &Columns::default()).unwrap();
    // each node's 2025 by month, summed up the tree, + 10%
    let mut months = vec![vec![0.0; tree.len()]; 12];
    for s in &history {
        let node = tree.index_of(s.id()).unwrap();
        for (k, d) in s.dates().iter().enumerate() {
            if chrono::Datelike::year(d) == 2025 {
                months[chrono::Datelike::month0(d) as usize][node] = s.values()[k] * 1.1;
            }
        }
    }
    let mut plan = String::from("node_id,period,target\n");
    let totals: Vec<Vec<f64>> = months.iter().map(|m| tree.aggregate(m).unwrap()).collect();
    for i in 0..tree.len() {
        for (m, total) in totals.iter().enumerate() {
            writeln!(
                plan,
                "{},2026-{:02},{}",
                tree.id(i),
                m + 1,
                total[i].round()
            )
            .unwrap();
        }
    }
    let plan_path = dir.join("plan.csv");
    std::fs::write(&plan_path, plan).unwrap();
    ReportFiles {
        org: org_path,
        history: sales_path,
        plan: Some(plan_path),
        ..Default::default()
    }
}

fn report(c: &mut Criterion) {
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    for copies in [1, 26] {
        let dir = tempfile::tempdir().unwrap();
        let files = company(dir.path(), copies);
        let options = ReportOptions::default();
        group.bench_function(format!("demo_x{copies}"), |b| {
            b.iter(|| build(&files, &options).unwrap().html.len())
        });
    }
    group.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
