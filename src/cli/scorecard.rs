//! `salesplan scorecard`: the year-end evaluation — every node's attainment
//! by month, quarter and year against the plan, a weighted scorecard over
//! revenue and KPIs with their own actuals, and its rank in its level.

use std::path::PathBuf;

use anyhow::Context;
use chrono::Datelike;
use clap::Args;
use salesplan::io::{read_long_csv, read_plan, read_table, Column, Columns, Table};
use salesplan::plan::org::OrgTree;
use salesplan::plan::sales::leaf_nodes;
use salesplan::track::scorecard::{evaluate, KpiTarget, KpiValues, NodeScore, ScorecardConfig};

use super::target::round;
use super::{check_files, Status};

#[derive(Debug, Args)]
pub struct ScorecardArgs {
    /// Org tree: node_id,parent_id[,name][,start_date][,end_date].
    #[arg(long, value_name = "FILE")]
    org: PathBuf,
    /// The year's plan (node_id,period,target, as `allocate` writes it).
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// The reps' monthly actuals: unique_id,ds,y (months of other years
    /// are ignored).
    #[arg(long, value_name = "FILE")]
    actuals: PathBuf,
    /// The plan year evaluated.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1..=9998))]
    year: i32,
    /// The measures and their weights (TOML `[[measure]]` tables: name,
    /// weight, cap, and for a KPI actual and target) [default: revenue
    /// attainment alone].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The KPIs' actuals and targets: node_id and the columns the config
    /// names (rows for reps; teams without one take their reps').
    #[arg(long, value_name = "FILE")]
    kpis: Option<PathBuf>,
    /// node_id,name,parent_id,level,target,actual,attainment,q1..q4,
    /// m01..m12, one column per measure, score, rank.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
}

pub fn run(args: ScorecardArgs) -> anyhow::Result<Status> {
    check_files(
        &[
            ("--org", Some(&args.org)),
            ("--plan", Some(&args.plan)),
            ("--actuals", Some(&args.actuals)),
            ("--config", args.config.as_deref()),
            ("--kpis", args.kpis.as_deref()),
        ],
        &[("--output", Some(&args.output))],
    )?;
    let config = match &args.config {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| path.display().to_string())?
            .parse::<ScorecardConfig>()
            .with_context(|| path.display().to_string())?,
        None => ScorecardConfig::default(),
    };
    if let Some(m) = config.measures.iter().find(|m| {
        !m.is_revenue() && salesplan::track::scorecard::OWN_COLUMNS.contains(&m.name.as_str())
    }) {
        anyhow::bail!(
            "{}: measure name '{}' is one of the output's own columns",
            args.config
                .as_deref()
                .unwrap_or("--config".as_ref())
                .display(),
            m.name
        );
    }
    let tree = salesplan::io::read_org(&args.org)?;
    let plan = read_plan(&args.plan, &tree, args.year, 0, false)?;
    let targets: Vec<Option<[f64; 12]>> = (0..tree.len())
        .map(|i| plan.monthly[i].or_else(|| plan.annual[i].map(|a| [a / 12.0; 12])))
        .collect();
    let series = read_long_csv(&args.actuals, &Columns::default())?;
    let nodes = leaf_nodes(&tree, &series).with_context(|| args.actuals.display().to_string())?;
    let mut actuals = vec![[None; 12]; tree.len()];
    let mut seen = 0;
    for (s, &node) in series.iter().zip(&nodes) {
        for (date, &y) in s.dates().iter().zip(s.values()) {
            if date.year() == args.year && y.is_finite() {
                actuals[node][date.month0() as usize] = Some(y);
                seen += 1;
            }
        }
    }
    if seen == 0 {
        anyhow::bail!("{}: no actuals dated {}", args.actuals.display(), args.year);
    }
    let kpis = read_kpis(&args, &config, &tree)?;
    let scores = evaluate(&tree, &targets, &actuals, &kpis, &config)?;
    table(&tree, &config, &scores).write(&args.output, "period")?;
    let missing: Vec<&str> = (0..tree.len())
        .filter(|&i| scores[i].as_ref().is_some_and(|s| s.score.is_none()))
        .map(|i| tree.id(i))
        .collect();
    let scored = scores
        .iter()
        .flatten()
        .filter(|s| s.score.is_some())
        .count();
    say!(
        "{} nodes scored on {} measure{} ({}); company attainment {}",
        scored,
        config.measures.len(),
        if config.measures.len() == 1 { "" } else { "s" },
        config
            .measures
            .iter()
            .map(|m| format!("{} {:.0}%", m.name, 100.0 * m.weight))
            .collect::<Vec<_>>()
            .join(", "),
        scores[tree.root()].as_ref().and_then(|s| s.year).map_or(
            "unknown (a month's actual missing)".into(),
            |a| format!("{:.1}%", 100.0 * a)
        )
    );
    if !missing.is_empty() {
        say!(
            "note: {} nodes without a score (a month's actual or a KPI missing), e.g. {}",
            missing.len(),
            missing[..missing.len().min(5)].join(", ")
        );
    }
    super::note_written(&[("--output", Some(&args.output))]);
    Ok(Status::Success)
}

/// Each measure's KPI values from --kpis (empty for revenue).
fn read_kpis(
    args: &ScorecardArgs,
    config: &ScorecardConfig,
    tree: &OrgTree,
) -> anyhow::Result<Vec<KpiValues>> {
    let needed = config.measures.iter().any(|m| !m.is_revenue());
    let Some(path) = &args.kpis else {
        if needed {
            anyhow::bail!("the scorecard has KPI measures: give their actuals with --kpis");
        }
        return Ok(vec![KpiValues::default(); config.measures.len()]);
    };
    let t = read_table(path, &["node_id"], &["node_id"])?;
    let ids = t.text("node_id").unwrap_or_default();
    let mut row_of: Vec<Option<usize>> = vec![None; tree.len()];
    for (k, id) in ids.iter().enumerate() {
        let node = tree
            .index_of(id)
            .ok_or_else(|| t.error_at(k, "node_id", id, "not a node of the org tree".into()))?;
        if let Some(first) = row_of[node] {
            return Err(t
                .error_at(
                    k,
                    "node_id",
                    id,
                    format!("repeated (first on line {})", t.lines[first]),
                )
                .into());
        }
        row_of[node] = Some(k);
    }
    let column = |name: &str| -> anyhow::Result<Vec<Option<f64>>> {
        let values = t.numbers(name).ok_or_else(|| {
            t.file_error(format!(
                "no number column '{name}' (named in the scorecard config)"
            ))
        })?;
        for (k, v) in values.iter().enumerate() {
            if let Some(v) = v.filter(|v| *v < 0.0) {
                return Err(t
                    .error_at(k, name, &v.to_string(), "a KPI is 0 or more".into())
                    .into());
            }
        }
        Ok(row_of.iter().map(|r| r.and_then(|k| values[k])).collect())
    };
    config
        .measures
        .iter()
        .map(|m| match (&m.actual, &m.target) {
            (Some(actual), Some(KpiTarget::Column(target))) => Ok(KpiValues {
                actual: column(actual)?,
                target: column(target)?,
            }),
            (Some(actual), _) => Ok(KpiValues {
                actual: column(actual)?,
                target: Vec::new(),
            }),
            (None, _) => Ok(KpiValues::default()),
        })
        .collect()
}

fn table(tree: &OrgTree, config: &ScorecardConfig, scores: &[Option<NodeScore>]) -> Table {
    let rows: Vec<(usize, &NodeScore)> = scores
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.as_ref()?)))
        .collect();
    let text = |f: &dyn Fn(usize) -> String| Column::Text(rows.iter().map(|r| f(r.0)).collect());
    let number = |f: &dyn Fn(&NodeScore) -> Option<f64>| {
        Column::Number(rows.iter().map(|r| f(r.1)).collect())
    };
    let level = |i: usize| {
        let mut depth = 0;
        let mut v = i;
        while let Some(p) = tree.parent(v) {
            depth += 1;
            v = p;
        }
        depth
    };
    let mut columns = vec![
        ("node_id".to_string(), text(&|i| tree.id(i).into())),
        ("name".into(), text(&|i| tree.name(i).into())),
        (
            "parent_id".into(),
            text(&|i| tree.parent(i).map_or("", |p| tree.id(p)).into()),
        ),
        ("level".into(), text(&|i| level(i).to_string())),
        ("target".into(), number(&|s| Some(round(s.target, 2)))),
        ("actual".into(), number(&|s| s.actual.map(|v| round(v, 2)))),
        (
            "attainment".into(),
            number(&|s| s.year.map(|v| round(v, 6))),
        ),
    ];
    for q in 0..4 {
        columns.push((
            format!("q{}", q + 1),
            number(&|s| s.quarters[q].map(|v| round(v, 6))),
        ));
    }
    for m in 0..12 {
        columns.push((
            format!("m{:02}", m + 1),
            number(&|s| s.months[m].map(|v| round(v, 6))),
        ));
    }
    for (k, measure) in config.measures.iter().enumerate() {
        if !measure.is_revenue() {
            columns.push((
                measure.name.clone(),
                number(&|s| s.measures[k].map(|v| round(v, 6))),
            ));
        }
    }
    columns.push(("score".into(), number(&|s| s.score.map(|v| round(v, 6)))));
    columns.push(("rank".into(), number(&|s| s.rank.map(|r| r as f64))));
    Table { columns }
}
