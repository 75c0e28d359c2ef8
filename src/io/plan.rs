//! Plans in and out: `plan.csv` (`node_id,period,target`), the per-node
//! plan summary, and reading a plan back for tracking.
//!
//! ```
//! use salesplan::io::read_plan_from;
//! use salesplan::plan::org::OrgTree;
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\n".as_bytes(), "org.csv".as_ref())?;
//! // annual for the company, monthly for the rep: after 2 months the rep
//! // expected its January and February targets
//! let mut text = String::from("node_id,period,target\nco,2026,1200\n");
//! for m in 1..=12 { text.push_str(&format!("a,2026-{m:02},100\n")); }
//! let plan = read_plan_from(text.as_bytes(), "plan.csv".as_ref(), &tree, 2026, 2, false)?;
//! assert_eq!(plan.annual, [Some(1200.0), Some(1200.0)]);
//! assert_eq!(plan.expected_to_date, [200.0, 200.0]);
//! assert_eq!(plan.monthly, [None, Some([100.0; 12])]);
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::format::{cell_error, csv_file_error, csv_with_headers, decimals_of, format_amount};
use crate::io::table::{Column, Table};
use crate::plan::allocate::Allocation;
use crate::plan::commitments::Commitments;
use crate::plan::org::OrgTree;
use crate::track::PlanTargets;

/// Writes `plan.csv` atomically: [`plan_table`] as CSV, amounts with the
/// decimals of the rounding `unit`.
pub fn write_plan(
    path: &Path,
    tree: &OrgTree,
    periods: &[String],
    table: &[Vec<f64>],
    unit: Option<f64>,
) -> Result<()> {
    write_with_unit(path, plan_table(tree, periods, table, unit), "target", unit)
}

/// Writes the per-node plan summary atomically: [`plan_summary_table`] as
/// CSV, targets with the decimals of the rounding `unit`; with
/// `commitments`, each node's against its target
/// ([`commitment_columns`]).
pub fn write_plan_summary(
    path: &Path,
    tree: &OrgTree,
    plan: &Allocation,
    unit: Option<f64>,
    commitments: Option<&Commitments>,
) -> Result<()> {
    let mut table = plan_summary_table(tree, plan, unit);
    if let Some(c) = commitments {
        table
            .columns
            .extend(commitment_columns(tree, plan, unit, c));
    }
    write_with_unit(path, table, "target", unit)
}

/// Top-down against bottom-up: each node's `commitment` (its own, or its
/// children's sum: [`Commitments::resolved`]), where it came from
/// (`commitment_source`: own, children, or empty for none) and
/// `target_minus_commitment` (positive: the plan asks more than was
/// committed).
///
/// ```
/// use salesplan::io::{commitment_columns, Column};
/// use salesplan::plan::allocate::{allocate, AllocationInput, AllocationOptions, Method};
/// use salesplan::plan::commitments::Commitments;
/// use salesplan::plan::org::OrgTree;
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref())?;
/// let options = AllocationOptions { method: Method::Proportional, unit: None, year: 2026 };
/// let plan = allocate(&tree, &AllocationInput::from_basis(vec![0.0, 1.0, 2.0]), 300.0, &options)?;
/// let (a, b) = (tree.index_of("a").unwrap(), tree.index_of("b").unwrap());
/// let mut own = vec![None; 3];
/// own[a] = Some(120.0);
/// own[b] = Some(150.0);
/// let columns = commitment_columns(&tree, &plan, None, &Commitments::new(&tree, own, 2026)?);
/// let Column::Number(gap) = &columns[2].1 else { unreachable!() };
/// // a: 100 − 120, b: 200 − 150, the company: 300 − 270
/// assert_eq!(gap[a], Some(-20.0));
/// assert_eq!(gap[b], Some(50.0));
/// assert_eq!(gap[tree.root()], Some(30.0));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn commitment_columns(
    tree: &OrgTree,
    plan: &Allocation,
    unit: Option<f64>,
    commitments: &Commitments,
) -> Vec<(String, Column)> {
    let n = tree.len();
    let resolved: Vec<_> = (0..n).map(|i| commitments.resolved(i)).collect();
    vec![
        (
            "commitment".into(),
            Column::Number(resolved.iter().map(|r| r.map(|r| r.0)).collect()),
        ),
        (
            "commitment_source".into(),
            Column::Text(
                resolved
                    .iter()
                    .map(|r| r.map_or("", |r| r.1.name()).to_string())
                    .collect(),
            ),
        ),
        (
            "target_minus_commitment".into(),
            Column::Number(
                (0..n)
                    .map(|i| resolved[i].map(|r| amount_as_written(plan.targets[i], unit) - r.0))
                    .collect(),
            ),
        ),
    ]
}

/// The plan's table: `node_id, period, target`, one row per node and
/// period, in tree order (what [`write_plan`] writes). `table[i]` holds
/// node `i`'s targets for `periods`; with a rounding `unit`, each target
/// is the number the file shows in the unit's decimals ([`amount_as_written`]).
///
/// ```
/// use salesplan::io::{plan_table, Column};
/// use salesplan::plan::org::OrgTree;
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\n".as_bytes(), "org.csv".as_ref())?;
/// let table = plan_table(&tree, &["2026".to_string()], &[vec![10.0], vec![10.0]], None);
/// assert_eq!(table.columns[0].1, Column::Text(vec!["co".into(), "a".into()]));
/// assert_eq!(table.columns[2].1, Column::Number(vec![Some(10.0), Some(10.0)]));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn plan_table(
    tree: &OrgTree,
    periods: &[String],
    table: &[Vec<f64>],
    unit: Option<f64>,
) -> Table {
    let (mut ids, mut labels, mut targets) = (Vec::new(), Vec::new(), Vec::new());
    for (i, row) in table.iter().enumerate() {
        for (label, value) in periods.iter().zip(row) {
            ids.push(tree.id(i).to_string());
            labels.push(label.clone());
            targets.push(Some(amount_as_written(*value, unit)));
        }
    }
    Table {
        columns: vec![
            ("node_id".into(), Column::Text(ids)),
            ("period".into(), Column::Text(labels)),
            ("target".into(), Column::Number(targets)),
        ],
    }
}

/// The per-node plan summary: `node_id, name, parent_id, target,
/// basis_share, last_year, growth_vs_last_year, binding` (what
/// [`write_plan_summary`] writes): growth undefined where last year was
/// not positive, `parent_id` and `binding` empty for none; targets as
/// [`plan_table`] gives them for the rounding `unit`.
pub fn plan_summary_table(tree: &OrgTree, plan: &Allocation, unit: Option<f64>) -> Table {
    let n = tree.len();
    let text = |f: &dyn Fn(usize) -> String| Column::Text((0..n).map(f).collect());
    let number = |f: &dyn Fn(usize) -> Option<f64>| Column::Number((0..n).map(f).collect());
    let growth = |i: usize| {
        let ly = plan.last_year[i];
        (ly > 0.0).then(|| plan.targets[i] / ly - 1.0)
    };
    Table {
        columns: vec![
            ("node_id".into(), text(&|i| tree.id(i).into())),
            ("name".into(), text(&|i| tree.name(i).into())),
            (
                "parent_id".into(),
                text(&|i| tree.parent(i).map_or("", |p| tree.id(p)).into()),
            ),
            (
                "target".into(),
                number(&|i| Some(amount_as_written(plan.targets[i], unit))),
            ),
            ("basis_share".into(), number(&|i| Some(plan.basis_share[i]))),
            ("last_year".into(), number(&|i| Some(plan.last_year[i]))),
            ("growth_vs_last_year".into(), number(&growth)),
            (
                "binding".into(),
                text(&|i| plan.binding[i].map_or("", |b| b.name()).into()),
            ),
        ],
    }
}

/// An amount rounded to a multiple of `unit` as the plan shows it: the
/// number its text in the unit's decimals reads back as (1250.37 for a
/// sum of cents that is 1250.3699999999999 in binary), or `v` itself
/// without a unit.
///
/// ```
/// use salesplan::io::amount_as_written;
/// assert_eq!(amount_as_written(125037.0 * 0.01, Some(0.01)), 1250.37);
/// assert_eq!(amount_as_written(0.1 + 0.2, None), 0.1 + 0.2);
/// ```
pub fn amount_as_written(v: f64, unit: Option<f64>) -> f64 {
    match unit {
        Some(unit) => format_amount(v, Some(decimals_of(unit)))
            .parse()
            .unwrap_or(v),
        None => v,
    }
}

/// Writes `table` with its column `rounded` in the decimals of the
/// rounding `unit` (the other numbers in the shortest exact form).
pub(super) fn write_with_unit(
    path: &Path,
    mut table: Table,
    rounded: &str,
    unit: Option<f64>,
) -> Result<()> {
    super::atomic::refuse_parquet(path)?;
    let decimals = unit.map(decimals_of);
    for (name, column) in &mut table.columns {
        if let (true, Column::Number(values)) = (name == rounded, &*column) {
            let text = values
                .iter()
                .map(|v| v.map_or_else(String::new, |v| format_amount(v, decimals)))
                .collect();
            *column = Column::Text(text);
        }
    }
    table.write(path, "period")
}

/// Reads a plan (`node_id,period,target`, period `YYYY` or `YYYY-MM` of
/// `year`) for the nodes of `tree`, with `elapsed` months closed. A node
/// has either one annual target or all twelve monthly ones. With
/// `nodes_from_actuals` the tree was built from the actuals' series, and an
/// unknown node is reported as such.
pub fn read_plan(
    path: &Path,
    tree: &OrgTree,
    year: i32,
    elapsed: usize,
    nodes_from_actuals: bool,
) -> Result<PlanTargets> {
    let (file, name) = super::open_input(path)?;
    read_plan_from(file, &name, tree, year, elapsed, nodes_from_actuals)
}

/// As [`read_plan`], from any reader (`path` names it in errors).
pub fn read_plan_from<R: Read>(
    reader: R,
    path: &Path,
    tree: &OrgTree,
    year: i32,
    elapsed: usize,
    nodes_from_actuals: bool,
) -> Result<PlanTargets> {
    let (mut reader, headers) = csv_with_headers(reader, path)?;
    let find = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id_col), Some(period_col), Some(target_col)) =
        (find("node_id"), find("period"), find("target"))
    else {
        return Err(Error::File {
            path: path.to_path_buf(),
            reason: "needs the columns node_id, period, target".into(),
        });
    };
    let n = tree.len();
    let mut annual: Vec<Option<f64>> = vec![None; n];
    let mut monthly: Vec<Option<[Option<f64>; 12]>> = vec![None; n];
    for record in reader.records() {
        let record = record.map_err(|e| csv_file_error(e, path))?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = cell_error(path, line);
        let id = record.get(id_col).unwrap_or_default();
        let period = record.get(period_col).unwrap_or_default();
        let text = record.get(target_col).unwrap_or_default();
        let Some(node) = tree.index_of(id) else {
            let reason = if nodes_from_actuals {
                "not a series of the actuals (give --org to track teams and regions)"
            } else {
                "not a node of the org tree"
            };
            return Err(bad("node_id", id, reason.into()));
        };
        let target: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| bad("target", text, "not a non-negative number".into()))?;
        let (y, month) = match period.split_once('-') {
            None => (period.parse::<i32>().ok(), None),
            Some((y, m)) => (
                y.parse::<i32>().ok(),
                m.parse::<usize>().ok().filter(|m| (1..=12).contains(m)),
            ),
        };
        if y != Some(year) || (period.contains('-') && month.is_none()) {
            return Err(bad(
                "period",
                period,
                format!("expected {year} or {year}-MM (the --as-of year)"),
            ));
        }
        let clash = || {
            bad(
                "period",
                period,
                "the node has both annual and monthly targets, or a period twice".into(),
            )
        };
        match month {
            None => {
                if annual[node].is_some() || monthly[node].is_some() {
                    return Err(clash());
                }
                annual[node] = Some(target);
            }
            Some(m) => {
                if annual[node].is_some() && monthly[node].is_none() {
                    return Err(clash());
                }
                let months = monthly[node].get_or_insert([None; 12]);
                if months[m - 1].is_some() {
                    return Err(clash());
                }
                months[m - 1] = Some(target);
            }
        }
    }
    let mut expected = vec![0.0; n];
    let mut by_month: Vec<Option<[f64; 12]>> = vec![None; n];
    for i in 0..n {
        if let Some(months) = monthly[i] {
            let Some(months) = months.iter().copied().collect::<Option<Vec<f64>>>() else {
                return Err(Error::File {
                    path: path.to_path_buf(),
                    reason: format!(
                        "node '{}' has monthly targets for some months of {year} only",
                        tree.id(i)
                    ),
                });
            };
            annual[i] = Some(months.iter().sum());
            expected[i] = months[..elapsed].iter().sum();
            by_month[i] = Some(std::array::from_fn(|m| months[m]));
        } else if let Some(a) = annual[i] {
            expected[i] = a * elapsed as f64 / 12.0;
        }
    }
    let over_assigned = check_coherence(path, tree, year, &annual, &monthly)?;
    Ok(PlanTargets {
        annual,
        monthly: by_month,
        expected_to_date: expected,
        over_assigned,
    })
}

/// A plan must add up: where a parent and all its children have targets,
/// the children's year must not fall short of the parent's (that part of
/// the target would belong to no one), and where they match, each month
/// must match too. Children summing to more is over-assignment: returned
/// as (node, children's sum / the node's target).
fn check_coherence(
    path: &Path,
    tree: &OrgTree,
    year: i32,
    annual: &[Option<f64>],
    monthly: &[Option<[Option<f64>; 12]>],
) -> Result<Vec<(usize, f64)>> {
    let incoherent = |reason: String| Error::File {
        path: path.to_path_buf(),
        reason,
    };
    let mut over = Vec::new();
    for parent in (0..tree.len()).filter(|&p| !tree.is_leaf(p)) {
        let Some(target) = annual[parent] else {
            continue;
        };
        let Some(children) = tree
            .children(parent)
            .map(|c| annual[c])
            .collect::<Option<Vec<f64>>>()
        else {
            continue;
        };
        let sum: f64 = children.iter().sum();
        let tolerance = 1e-6 * target.abs().max(1.0);
        if sum < target - tolerance {
            return Err(incoherent(format!(
                "node '{}': its children's targets for {year} sum to {}, less than its own {} ({} assigned to no one; give it to a node or correct the plan)",
                tree.id(parent),
                format_amount(sum, None),
                format_amount(target, None),
                format_amount(target - sum, None)
            )));
        }
        if sum > target + tolerance {
            over.push((parent, sum / target));
            continue;
        }
        let month = |node: usize, m: usize| monthly[node].and_then(|months| months[m]);
        for m in 0..12 {
            let Some(own) = month(parent, m) else {
                break;
            };
            let Some(sum) = tree
                .children(parent)
                .map(|c| month(c, m))
                .sum::<Option<f64>>()
            else {
                break;
            };
            if (sum - own).abs() > tolerance {
                return Err(incoherent(format!(
                    "node '{}': its children's targets for {year}-{:02} sum to {}, not its own {} (the year adds up; the months do not)",
                    tree.id(parent),
                    m + 1,
                    format_amount(sum, None),
                    format_amount(own, None)
                )));
            }
        }
    }
    Ok(over)
}
