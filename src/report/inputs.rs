//! The report's inputs: the files the other commands wrote, read back
//! and checked against the org tree and against each other (ids of
//! another org, another plan year, targets that differ between the plan,
//! its summary and the status are refused naming the file and value), and
//! every node's monthly sales summed up the tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::Datelike;

use crate::error::{Error, Result};
use crate::forecast::series::Series;
use crate::io::{for_each_row, read_forecasts, read_long_csv, read_org, read_table, Columns};
use crate::io::{ForecastRead, TableRead};
use crate::plan::org::OrgTree;
use crate::plan::sales::leaf_nodes;
use crate::track::actuals::join_history;

/// The files a report is drawn from: the org and the history always, the
/// rest as far as they were written.
#[derive(Debug, Clone, Default)]
pub struct ReportFiles {
    pub org: PathBuf,
    /// The leaves' monthly sales (long table), as `allocate --history`.
    pub history: PathBuf,
    /// Column names of the history and the actuals.
    pub columns: Columns,
    /// Forecasts in `forecast`'s long layout, of leaves or of any node.
    pub forecasts: Option<PathBuf>,
    /// `allocate --output` (`node_id,period,target`).
    pub plan: Option<PathBuf>,
    /// `allocate --summary`.
    pub summary: Option<PathBuf>,
    /// `sweep --output` (`scenario,node_id,measure,value`).
    pub sweep: Option<PathBuf>,
    /// `sweep --summary`.
    pub sweep_summary: Option<PathBuf>,
    /// `track --output`.
    pub status: Option<PathBuf>,
    /// This year's actuals (long table), as `track --actuals`.
    pub actuals: Option<PathBuf>,
    /// A year-end evaluation, `scorecard --output`.
    pub scorecard: Option<PathBuf>,
}

/// A year-month as a count of months (`year * 12 + month - 1`).
pub(super) fn month_index(year: i32, month: u32) -> i64 {
    year as i64 * 12 + month as i64 - 1
}

/// The year and month of a period label `YYYY-MM` or `YYYY-MM-DD`.
pub(super) fn label_month(label: &str) -> Option<(i32, u32)> {
    let year: i32 = label.get(0..4)?.parse().ok()?;
    let rest = label.get(4..)?;
    let month: u32 = rest.strip_prefix('-')?.get(0..2)?.parse().ok()?;
    (rest.len() == 3 || rest.len() == 6).then_some(())?;
    (1..=12).contains(&month).then_some((year, month))
}

/// Every node's monthly sales: the leaves' history (and actuals) summed up
/// the tree; `NaN` where no leaf under a node has that month.
pub(super) struct NodeMonths {
    /// Month index of column 0.
    pub(super) start: i64,
    /// `values[m][node]`.
    pub(super) values: Vec<Vec<f64>>,
    /// A label of each month as the input wrote it.
    pub(super) labels: Vec<String>,
}

impl NodeMonths {
    pub(super) fn new(tree: &OrgTree, series: &[Series], nodes: &[usize]) -> NodeMonths {
        let dated: Vec<Vec<i64>> = series
            .iter()
            .map(|s| {
                s.dates()
                    .iter()
                    .map(|d| month_index(d.year(), d.month()))
                    .collect()
            })
            .collect();
        let start = dated.iter().filter_map(|d| d.first()).min().copied();
        let end = dated.iter().filter_map(|d| d.last()).max().copied();
        let (Some(start), Some(end)) = (start, end) else {
            return NodeMonths {
                start: 0,
                values: Vec::new(),
                labels: Vec::new(),
            };
        };
        let months = (end - start + 1) as usize;
        let n = tree.len();
        let mut values = vec![vec![0.0; n]; months];
        let mut seen = vec![vec![0.0; n]; months];
        let mut labels = vec![String::new(); months];
        for ((s, d), &node) in series.iter().zip(&dated).zip(nodes) {
            for (k, m) in d.iter().enumerate() {
                let m = (m - start) as usize;
                values[m][node] = s.values()[k];
                seen[m][node] = 1.0;
                if labels[m].is_empty() {
                    labels[m] = s.label(k);
                }
            }
        }
        for (row, seen) in values.iter_mut().zip(&mut seen) {
            // the aggregates' lengths match the tree's, so these cannot fail
            let _ = tree.aggregate_in_place(row);
            let _ = tree.aggregate_in_place(seen);
            for (v, s) in row.iter_mut().zip(seen.iter()) {
                if *s == 0.0 {
                    *v = f64::NAN;
                }
            }
        }
        NodeMonths {
            start,
            values,
            labels,
        }
    }

    /// The node's value in month `m` (`NaN`: none).
    pub(super) fn at(&self, node: usize, m: i64) -> f64 {
        let k = m - self.start;
        if k < 0 || k as usize >= self.values.len() {
            f64::NAN
        } else {
            self.values[k as usize][node]
        }
    }

    /// The node's total over the 12 months of `year` (`None` without any
    /// month of it).
    pub(super) fn year_total(&self, node: usize, year: i32) -> Option<f64> {
        let values: Vec<f64> = (1..=12)
            .map(|m| self.at(node, month_index(year, m)))
            .filter(|v| v.is_finite())
            .collect();
        (!values.is_empty()).then(|| values.iter().sum())
    }
}

/// The plan read back: periods in order and each node's target in each.
pub(super) struct PlanRead {
    pub(super) periods: Vec<String>,
    /// The month of each period when every one is `YYYY-MM`.
    pub(super) months: Option<Vec<u32>>,
    /// `targets[node][period]` (`NaN`: none).
    pub(super) targets: Vec<Vec<f64>>,
    /// The sum over the periods (`None`: no target).
    pub(super) annual: Vec<Option<f64>>,
}

pub(super) fn read_plan_periods(path: &Path, tree: &OrgTree) -> Result<(PlanRead, i32)> {
    let mut order: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut year = None;
    // (node, period, target) of each row, and the row's line
    let mut cells: Vec<(usize, usize, f64, u64)> = Vec::new();
    let mut columns = None;
    for_each_row(path, &["node_id", "period", "target"], |header, row| {
        let &mut (n, p, t) = columns.get_or_insert_with(|| {
            let find = |c: &str| header.iter().position(|h| h == c).unwrap_or(0);
            (find("node_id"), find("period"), find("target"))
        });
        let bad = |column: &str, value: &str, reason: String| row.error(column, value, reason);
        let (id, period, text) = (row.get(n), row.get(p), row.get(t));
        let Some(y) = period.get(0..4).and_then(|y| y.parse::<i32>().ok()) else {
            return Err(bad(
                "period",
                period,
                "not a period of a plan year (YYYY, YYYY-MM, YYYYQn, ...)".into(),
            ));
        };
        match year {
            None => year = Some(y),
            Some(first) if first != y => {
                return Err(bad(
                    "period",
                    period,
                    format!("the plan is for {first} on its first line; a plan holds one year"),
                ))
            }
            _ => {}
        }
        let node = tree.index_of(id).ok_or_else(|| {
            bad(
                "node_id",
                id,
                "not a node of the org tree (a plan of another org?)".into(),
            )
        })?;
        let target = match text.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => return Err(bad("target", text, "not a number".into())),
        };
        let k = match index.get(period) {
            Some(&k) => k,
            None => {
                index.insert(period.to_string(), order.len());
                order.push(period.to_string());
                order.len() - 1
            }
        };
        cells.push((node, k, target, row.line));
        Ok(())
    })?;
    let Some(year) = year else {
        return Err(Error::File {
            path: path.to_path_buf(),
            reason: "no rows: the plan is empty".into(),
        });
    };
    let mut by_node = vec![vec![f64::NAN; order.len()]; tree.len()];
    for &(node, k, v, line) in &cells {
        if by_node[node][k].is_finite() {
            return Err(Error::Input {
                path: path.to_path_buf(),
                line,
                column: "period".into(),
                value: Some(order[k].clone()),
                reason: format!("a second target for '{}' in this period", tree.id(node)),
            });
        }
        by_node[node][k] = v;
    }
    let months: Option<Vec<u32>> = order
        .iter()
        .map(|p| label_month(p).filter(|_| p.len() == 7).map(|(_, m)| m))
        .collect();
    let annual = by_node
        .iter()
        .map(|row| {
            let set: Vec<f64> = row.iter().copied().filter(|v| v.is_finite()).collect();
            (!set.is_empty()).then(|| set.iter().sum())
        })
        .collect();
    Ok((
        PlanRead {
            periods: order,
            months,
            targets: by_node,
            annual,
        },
        year,
    ))
}

/// Each row's node, checking the ids against the tree.
pub(super) fn nodes_of(t: &TableRead, tree: &OrgTree) -> Result<Vec<usize>> {
    let ids = t.text("node_id").unwrap_or_default();
    ids.iter()
        .enumerate()
        .map(|(r, id)| {
            tree.index_of(id).ok_or_else(|| {
                t.error_at(
                    r,
                    "node_id",
                    id,
                    "not a node of the org tree (a file of another org?)".into(),
                )
            })
        })
        .collect()
}

/// A node's number from a per-node table, `None` where the table has no
/// row or an empty cell for it.
pub(super) fn per_node(t: &TableRead, nodes: &[usize], column: &str, n: usize) -> Vec<Option<f64>> {
    let mut out = vec![None; n];
    if let Some(values) = t.numbers(column) {
        for (&node, v) in nodes.iter().zip(values) {
            out[node] = *v;
        }
    }
    out
}

/// Two runs' targets for the same node agree (to a unit of rounding).
pub(super) fn same_target(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.5_f64.max(1e-9 * a.abs())
}

/// One scenario of a sweep's long table: each node's probability and
/// target (`None`: not in the table).
pub(super) struct ScenarioRead {
    pub(super) name: String,
    pub(super) probability: Vec<Option<f64>>,
    pub(super) target: Vec<Option<f64>>,
}

/// A sweep read back: its summary rows and each scenario's probability
/// and target per node.
pub(super) struct SweepRead {
    pub(super) summary: Option<TableRead>,
    /// scenario → (probability, target) per node.
    pub(super) by_scenario: Vec<ScenarioRead>,
}

pub(super) fn read_sweep(
    long: Option<&Path>,
    summary: Option<&Path>,
    tree: &OrgTree,
) -> Result<SweepRead> {
    let summary = match summary {
        Some(path) => Some(read_table(
            path,
            &[
                "scenario",
                "status",
                "growth",
                "company_target",
                "company_probability",
            ],
            &[
                "scenario",
                "status",
                "reason",
                "basis",
                "method",
                "over_assignment",
                "binding_bounds",
                "ramp",
                "calendar",
            ],
        )?),
        None => None,
    };
    let mut by_scenario: Vec<ScenarioRead> = Vec::new();
    if let Some(path) = long {
        // the long table can hold millions of rows: read without keeping it
        let known: Option<Vec<&str>> = summary.as_ref().map(|s| {
            s.text("scenario")
                .unwrap_or_default()
                .iter()
                .map(String::as_str)
                .collect()
        });
        let mut index: HashMap<String, usize> = HashMap::new();
        let (mut last_id, mut last_node) = (String::new(), 0usize);
        let mut columns = None;
        for_each_row(
            path,
            &["scenario", "node_id", "measure", "value"],
            |header, row| {
                let &mut (s, n, m, v) = columns.get_or_insert_with(|| {
                    let find = |c: &str| header.iter().position(|h| h == c).unwrap_or(0);
                    (
                        find("scenario"),
                        find("node_id"),
                        find("measure"),
                        find("value"),
                    )
                });
                let measure = row.get(m);
                let probability = match measure {
                    "probability" => true,
                    "target" => false,
                    _ => return Ok(()),
                };
                let bad =
                    |column: &str, value: &str, reason: String| row.error(column, value, reason);
                let id = row.get(n);
                if id != last_id {
                    last_node = tree.index_of(id).ok_or_else(|| {
                        bad(
                            "node_id",
                            id,
                            "not a node of the org tree (a file of another org?)".into(),
                        )
                    })?;
                    last_id = id.to_string();
                }
                let name = row.get(s);
                let k = match index.get(name) {
                    Some(&k) => k,
                    None => {
                        if known.as_ref().is_some_and(|known| !known.contains(&name)) {
                            return Err(bad(
                                "scenario",
                                name,
                                "not a scenario of the sweep summary (files of different sweeps?)"
                                    .into(),
                            ));
                        }
                        index.insert(name.to_string(), by_scenario.len());
                        by_scenario.push(ScenarioRead {
                            name: name.to_string(),
                            probability: vec![None; tree.len()],
                            target: vec![None; tree.len()],
                        });
                        by_scenario.len() - 1
                    }
                };
                let text = row.get(v);
                let value = match text.parse::<f64>() {
                    Ok(x) if x.is_finite() => Some(x),
                    _ if text.is_empty() => None,
                    _ => return Err(bad("value", text, "not a number".into())),
                };
                let cell = if probability {
                    &mut by_scenario[k].probability[last_node]
                } else {
                    &mut by_scenario[k].target[last_node]
                };
                *cell = value;
                Ok(())
            },
        )?;
    }
    Ok(SweepRead {
        summary,
        by_scenario,
    })
}

/// The track status read back, per node.
pub(super) struct StatusRead {
    pub(super) table: TableRead,
    pub(super) nodes: Vec<usize>,
    pub(super) year: Option<i32>,
    /// Months closed.
    pub(super) elapsed: usize,
    /// The level of its interval, e.g. `80`.
    pub(super) level: Option<String>,
}

pub(super) fn read_status(path: &Path, tree: &OrgTree) -> Result<StatusRead> {
    let t = read_table(
        path,
        &[
            "node_id",
            "target",
            "actual_to_date",
            "model_projection",
            "probability",
            "remaining_gap",
        ],
        &["node_id", "name"],
    )?;
    let nodes = nodes_of(&t, tree)?;
    let gaps: Vec<(i32, u32)> = t
        .names()
        .filter_map(|n| n.strip_prefix("gap:"))
        .filter_map(label_month)
        .collect();
    let year = gaps.first().map(|g| g.0);
    let elapsed = gaps.first().map_or(12, |g| g.1 as usize - 1);
    let level = t
        .names()
        .find_map(|n| n.strip_prefix("lo-"))
        .map(str::to_string);
    Ok(StatusRead {
        table: t,
        nodes,
        year,
        elapsed,
        level,
    })
}

/// Everything read and checked.
pub(super) struct Inputs {
    pub(super) tree: OrgTree,
    pub(super) year: i32,
    pub(super) months: NodeMonths,
    /// Forecasts per node as the file holds them (plan-year months kept).
    pub(super) forecasts: Vec<Option<ForecastRead>>,
    /// Each node's forecast of the plan year: its own, else its leaves'.
    pub(super) forecast_year: Vec<Option<f64>>,
    pub(super) plan: Option<PlanRead>,
    pub(super) summary: Option<(TableRead, Vec<usize>)>,
    pub(super) sweep: SweepRead,
    pub(super) status: Option<StatusRead>,
    pub(super) notes: Vec<String>,
}

pub(super) fn file_name(path: &Path) -> String {
    path.display().to_string()
}

pub(super) fn read_inputs(files: &ReportFiles) -> Result<Inputs> {
    let tree = read_org(&files.org)?;
    let in_file = |path: &Path| {
        let name = file_name(path);
        move |e: Error| match e {
            Error::Calendar { series, reason } => Error::File {
                path: PathBuf::from(&name),
                reason: format!("series '{series}': {reason}"),
            },
            other => other,
        }
    };
    // the files are read side by side (two cores read two files), their
    // errors reported in the order a one-by-one read would meet them
    let history = || -> Result<(Vec<Series>, Vec<usize>)> {
        let mut series = read_long_csv(&files.history, &files.columns)?;
        leaf_nodes(&tree, &series).map_err(in_file(&files.history))?;
        if let Some(path) = &files.actuals {
            let actuals = read_long_csv(path, &files.columns)?;
            leaf_nodes(&tree, &actuals).map_err(in_file(path))?;
            series = join_history(&series, &actuals).map_err(|e| Error::File {
                path: path.clone(),
                reason: format!("does not continue {}: {e}", file_name(&files.history)),
            })?;
        }
        let nodes = leaf_nodes(&tree, &series).map_err(in_file(&files.history))?;
        Ok((series, nodes))
    };
    let plan = || {
        files
            .plan
            .as_deref()
            .map(|p| read_plan_periods(p, &tree))
            .transpose()
    };
    let status = || {
        files
            .status
            .as_deref()
            .map(|p| read_status(p, &tree))
            .transpose()
    };
    let forecasts = || files.forecasts.as_deref().map(read_forecasts).transpose();
    let sweep = || {
        read_sweep(
            files.sweep.as_deref(),
            files.sweep_summary.as_deref(),
            &tree,
        )
    };
    let summary = || {
        files
            .summary
            .as_deref()
            .map(|p| {
                read_table(
                    p,
                    &["node_id", "target"],
                    &["node_id", "name", "parent_id", "binding"],
                )
            })
            .transpose()
    };
    let ((history, plan), ((status, forecasts_read), (sweep, summary_read))) = rayon::join(
        || rayon::join(history, plan),
        || {
            rayon::join(
                || rayon::join(status, forecasts),
                || rayon::join(sweep, summary),
            )
        },
    );
    let (series, nodes) = history?;
    let months = NodeMonths::new(&tree, &series, &nodes);
    let mut notes = Vec::new();

    // the plan year, which every file must agree on
    let plan = plan?;
    let status = status?;
    let mut year = plan.as_ref().map(|p| p.1);
    if let (Some(s), Some(path)) = (&status, &files.status) {
        match (year, s.year) {
            (Some(y), Some(sy)) if y != sy => {
                return Err(Error::File {
                    path: path.clone(),
                    reason: format!(
                        "tracks {sy}, but {} plans {y} (files from different runs?)",
                        files.plan.as_deref().map(file_name).unwrap_or_default()
                    ),
                })
            }
            (None, sy) => year = sy,
            _ => {}
        }
    }
    let last_history = months.start + months.values.len() as i64 - 1;
    let year = year.unwrap_or_else(|| {
        let history_end_year = (last_history.div_euclid(12)) as i32;
        history_end_year + 1
    });
    let plan = plan.map(|p| p.0);

    // the plan's summary and the status hold the plan's targets
    let summary = match summary_read? {
        Some(t) => {
            let rows = nodes_of(&t, &tree)?;
            if let Some(parents) = t.text("parent_id") {
                for (r, (&node, parent)) in rows.iter().zip(parents).enumerate() {
                    let in_tree = tree.parent(node).map_or("", |p| tree.id(p));
                    if parent != in_tree {
                        return Err(t.error_at(
                            r,
                            "parent_id",
                            parent,
                            format!(
                                "the org puts '{}' under '{in_tree}' (a summary of another org?)",
                                tree.id(node)
                            ),
                        ));
                    }
                }
            }
            if let Some(plan) = &plan {
                let targets = t.numbers("target").unwrap_or_default();
                for (r, (&node, v)) in rows.iter().zip(targets).enumerate() {
                    if let (Some(v), Some(a)) = (v, plan.annual[node]) {
                        if !same_target(*v, a) {
                            return Err(t.error_at(
                                r,
                                "target",
                                &v.to_string(),
                                format!(
                                    "{} sums to {a} for '{}' (files from different runs?)",
                                    files.plan.as_deref().map(file_name).unwrap_or_default(),
                                    tree.id(node)
                                ),
                            ));
                        }
                    }
                }
            }
            Some((t, rows))
        }
        None => None,
    };
    if let (Some(s), Some(plan)) = (&status, &plan) {
        let targets = s.table.numbers("target").unwrap_or_default();
        for (r, (&node, v)) in s.nodes.iter().zip(targets).enumerate() {
            if let (Some(v), Some(a)) = (v, plan.annual[node]) {
                if !same_target(*v, a) {
                    return Err(s.table.error_at(
                        r,
                        "target",
                        &v.to_string(),
                        format!(
                            "{} has {a} for '{}' (a status of another plan?)",
                            files.plan.as_deref().map(file_name).unwrap_or_default(),
                            tree.id(node)
                        ),
                    ));
                }
            }
        }
    }

    // forecasts: nodes of the tree, reaching the plan year
    let mut forecasts: Vec<Option<ForecastRead>> = vec![None; tree.len()];
    if let Some(path) = &files.forecasts {
        let read = forecasts_read?.unwrap_or_default();
        let mut before = Vec::new();
        for f in &read {
            let node = tree.index_of(&f.id).ok_or_else(|| Error::File {
                path: path.clone(),
                reason: format!(
                    "series '{}': not a node of {} (forecasts of another org?)",
                    f.id,
                    file_name(&files.org)
                ),
            })?;
            if f.labels
                .iter()
                .any(|l| label_month(l).is_some_and(|(y, _)| y == year))
            {
                forecasts[node] = Some(f.clone());
            } else {
                before.push(f);
            }
        }
        if let (Some(f), true) = (before.first(), before.len() == read.len()) {
            return Err(Error::File {
                path: path.clone(),
                reason: format!(
                    "no forecast reaches the plan year {year}: e.g. series '{}' has {} … {} (forecasts of another year?)",
                    f.id,
                    f.labels.first().map_or("", String::as_str),
                    f.labels.last().map_or("", String::as_str)
                ),
            });
        }
        if !before.is_empty() {
            notes.push(format!(
                "{} series of {} end before {year} (e.g. '{}', a leaver's): left out of the forecasts",
                before.len(),
                file_name(path),
                before[0].id
            ));
        }
    }
    let mut leaf_sum = vec![0.0; tree.len()];
    let mut has_leaf = vec![0.0; tree.len()];
    for (node, f) in forecasts.iter().enumerate() {
        if let (Some(f), true) = (f, tree.is_leaf(node)) {
            leaf_sum[node] = plan_year_sum(f, year);
            has_leaf[node] = 1.0;
        }
    }
    // lengths match the tree's
    let _ = tree.aggregate_in_place(&mut leaf_sum);
    let _ = tree.aggregate_in_place(&mut has_leaf);
    let forecast_year = (0..tree.len())
        .map(|i| match &forecasts[i] {
            Some(f) => Some(plan_year_sum(f, year)),
            None => (has_leaf[i] > 0.0).then_some(leaf_sum[i]),
        })
        .collect();

    let sweep = sweep?;
    if let (Some(plan), Some(first)) = (&plan, sweep.by_scenario.first()) {
        let root = tree.root();
        if let (Some(a), Some(b)) = (plan.annual[root], first.target[root]) {
            // a sweep of another year has targets far from the plan's; only
            // a note, since scenarios differ from the plan by design
            if b > 3.0 * a || a > 3.0 * b {
                notes.push(format!(
                    "the sweep's first scenario targets {b} for the company against the plan's {a}"
                ));
            }
        }
    }
    Ok(Inputs {
        tree,
        year,
        months,
        forecasts,
        forecast_year,
        plan,
        summary,
        sweep,
        status,
        notes,
    })
}

/// The sum of a forecast's means over the months of `year`.
pub(super) fn plan_year_sum(f: &ForecastRead, year: i32) -> f64 {
    f.labels
        .iter()
        .zip(&f.forecast.mean)
        .filter(|(l, _)| label_month(l).is_some_and(|(y, _)| y == year))
        .map(|(_, v)| v)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_of_labels() {
        assert_eq!(label_month("2026-02"), Some((2026, 2)));
        assert_eq!(label_month("2026-02-01"), Some((2026, 2)));
        assert_eq!(label_month("2026Q1"), None);
        assert_eq!(label_month("2026-13"), None);
        assert_eq!(label_month("2026"), None);
    }
}
