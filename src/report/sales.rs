//! The sales plan report (销售计划报表): one self-contained HTML page from
//! what the other commands wrote — forecasts, the plan and its summary, a
//! sweep and its summary, a track status (any of them) — with the org tree
//! and the history. Sections:
//!
//! * **forecast**: the company and the level below (or a chosen node and
//!   its children): history, forecast with its 80/95% fan, last year and
//!   the target, month by month;
//! * **plan**: the targets by period stacked by the level below, and the
//!   phasing profile against last year's;
//! * **table**: every node of a chosen level — last year, forecast,
//!   target, growth, share, binding constraint, attainment probability —
//!   sortable, a bar per row (the first rows only for a large org; the
//!   whole table is [`SalesReport::table`]);
//! * **sweep**: the probability of reaching the target against the growth
//!   rate across scenarios, and the scenarios side by side;
//! * **track**: cumulative actuals against the plan and the projection's
//!   band, with the remaining gap.
//!
//! A section whose inputs were not given is left out with a note. Files
//! from different runs (ids not in the org, another plan year, targets
//! that differ between the plan and its summary or the status) are refused
//! naming the file and the value.

use crate::error::{Error, Result};
use crate::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
use crate::forecast::frequency::Period;
use crate::forecast::models::Forecast;
use crate::forecast::series::Series;
use crate::io::{Column, Table};
use crate::plan::org::OrgTree;

pub use super::inputs::ReportFiles;
use super::inputs::{
    file_name, label_month, month_index, per_node, read_inputs, Inputs, ScenarioRead, StatusRead,
};

use super::charts::{Band, Line, LineChart, Scale, StackedBars, Stroke, BLUE, GREY, RED};
use super::html::{self, Cell, HtmlTable, Money};

/// What the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// The page's title [default: the root's name and the plan year].
    pub title: Option<String>,
    /// The depth of the table's nodes [default: the leaves' level].
    pub level: Option<usize>,
    /// The node whose children the forecast, plan, sweep and track
    /// sections break down [default: the root].
    pub node: Option<String>,
    /// The sweep scenario whose probabilities the table shows [default:
    /// the one whose company target is the plan's, else the first planned].
    pub scenario: Option<String>,
    /// Written before amounts, e.g. `¥`.
    pub currency: String,
    /// The table's rows at most (the whole table is in
    /// [`SalesReport::table`]).
    pub table_rows: usize,
    /// Where the whole table is written, linked from the page when rows
    /// were left out.
    pub table_link: Option<String>,
    /// Months of history drawn before the plan year.
    pub history_months: usize,
    /// The sections to draw, of [`SECTIONS`] (empty: every one its inputs
    /// allow).
    pub sections: Vec<String>,
}

/// The report's sections, in the page's order.
pub const SECTIONS: [&str; 6] = ["forecast", "plan", "table", "sweep", "track", "scorecard"];

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            title: None,
            level: None,
            node: None,
            scenario: None,
            currency: String::new(),
            table_rows: 500,
            table_link: None,
            history_months: 36,
            sections: Vec::new(),
        }
    }
}

/// A built report.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesReport {
    /// The page.
    pub html: String,
    /// The sections drawn, in order (`forecast`, `plan`, `table`,
    /// `sweep`, `track`).
    pub sections: Vec<&'static str>,
    /// The table section's rows, all of them, as a table to write as CSV.
    pub table: Table,
    /// Whether the page shows fewer rows than [`SalesReport::table`] has.
    pub truncated: bool,
    /// What was left out, and why (also on the page).
    pub notes: Vec<String>,
}

/// A node's monthly forecast over the plan year: `(month 1..=12, mean,
/// bands (level, lower, upper))`.
struct NodeForecast {
    months: Vec<u32>,
    forecast: Forecast,
    source: String,
}

fn node_forecasts(
    inputs: &Inputs,
    nodes: &[usize],
    notes: &mut Vec<String>,
) -> Vec<Option<NodeForecast>> {
    let year = inputs.year;
    let keep = |labels: &[String], forecast: &Forecast| -> NodeForecast {
        let rows: Vec<usize> = (0..labels.len())
            .filter(|&k| label_month(&labels[k]).is_some_and(|(y, _)| y == year))
            .collect();
        let pick = |v: &[f64]| rows.iter().map(|&k| v[k]).collect::<Vec<f64>>();
        NodeForecast {
            months: rows
                .iter()
                .filter_map(|&k| label_month(&labels[k]).map(|m| m.1))
                .collect(),
            forecast: Forecast {
                mean: pick(&forecast.mean),
                intervals: forecast
                    .intervals
                    .iter()
                    .map(|i| crate::forecast::models::Interval {
                        level: i.level,
                        lower: pick(&i.lower),
                        upper: pick(&i.upper),
                    })
                    .collect(),
            },
            source: String::new(),
        }
    };
    let mut out: Vec<Option<NodeForecast>> = nodes
        .iter()
        .map(|&node| {
            inputs.forecasts[node].as_ref().map(|f| {
                let mut nf = keep(&f.labels, &f.forecast);
                nf.source = if f.model.is_empty() {
                    "the forecasts file".into()
                } else {
                    f.model.clone()
                };
                nf
            })
        })
        .collect();
    // the others: AutoETS on the node's summed history before the plan year
    let missing: Vec<usize> = (0..nodes.len()).filter(|&k| out[k].is_none()).collect();
    if missing.is_empty() {
        return out;
    }
    let first_plan_month = month_index(year, 1);
    let mut series = Vec::new();
    let mut owners = Vec::new();
    let mut horizon = 0;
    for &k in &missing {
        let node = nodes[k];
        let rows: Vec<(Period, f64)> = (inputs.months.start..first_plan_month)
            .filter_map(|m| {
                let v = inputs.months.at(node, m);
                let label = &inputs.months.labels[(m - inputs.months.start) as usize];
                (v.is_finite()).then(|| Period::parse(label).ok().map(|p| (p, v)))?
            })
            .collect();
        let Some(last) = rows.last().map(|_| {
            (inputs.months.start..first_plan_month)
                .rev()
                .find(|&m| inputs.months.at(node, m).is_finite())
                .unwrap_or(first_plan_month - 1)
        }) else {
            notes.push(format!(
                "'{}': no history before {year}, no forecast drawn",
                inputs.tree.id(node)
            ));
            continue;
        };
        match Series::from_periods(inputs.tree.id(node), rows) {
            Ok(s) => {
                let h = (month_index(year, 12) - last) as usize;
                horizon = horizon.max(h);
                series.push(s);
                owners.push(k);
            }
            Err(e) => notes.push(format!(
                "'{}': no forecast drawn: {e}",
                inputs.tree.id(node)
            )),
        }
    }
    if series.is_empty() {
        return out;
    }
    let job = match ForecastJob::new(ModelChoice::AutoEts, horizon, vec![80.0, 95.0], Some(12)) {
        Ok(job) => job,
        Err(e) => {
            notes.push(format!("no forecast drawn: {e}"));
            return out;
        }
    };
    for (outcome, &k) in forecast_batch(&series, &job, &|| {})
        .into_iter()
        .zip(&owners)
    {
        match outcome {
            Ok(f) => {
                let mut nf = keep(&f.labels, &f.forecast);
                nf.source = format!("AutoETS on the summed history ({})", f.form);
                out[k] = Some(nf);
            }
            Err(e) => notes.push(format!("'{}': no forecast drawn: {}", e.id, e.reason())),
        }
    }
    out
}

/// Months of the plan year as labels: the plan's, else `YYYY-MM`.
fn month_labels(inputs: &Inputs) -> Vec<String> {
    match &inputs.plan {
        Some(p) if p.months.as_ref().is_some_and(|m| m.len() == 12) => p.periods.clone(),
        _ => (1..=12)
            .map(|m| format!("{}-{m:02}", inputs.year))
            .collect(),
    }
}

/// The plan's monthly targets of a node (`None` without a monthly plan).
fn monthly_targets(inputs: &Inputs, node: usize) -> Option<Vec<f64>> {
    let plan = inputs.plan.as_ref()?;
    let months = plan.months.as_ref()?;
    let mut out = vec![f64::NAN; 12];
    for (k, &m) in months.iter().enumerate() {
        out[m as usize - 1] = plan.targets[node][k];
    }
    out.iter().any(|v| v.is_finite()).then_some(out)
}

fn money(inputs: &Inputs, options: &ReportOptions) -> Money {
    let whole = inputs
        .plan
        .as_ref()
        .map(|p| p.annual.iter().flatten().all(|v| v.fract() == 0.0))
        .unwrap_or(false);
    Money {
        currency: options.currency.clone(),
        decimals: if whole { 0 } else { 2 },
    }
}

/// The forecast section: a panel per node.
fn forecast_section(
    inputs: &Inputs,
    options: &ReportOptions,
    focus: usize,
    notes: &mut Vec<String>,
) -> Result<String> {
    let tree = &inputs.tree;
    let mut panels = vec![focus];
    panels.extend(tree.children(focus).take(12));
    let forecasts = node_forecasts(inputs, &panels, notes);
    let year = inputs.year;
    let from = month_index(year, 1) - options.history_months as i64;
    let to = month_index(year, 12);
    let x = |m: i64| (m - from) as f64;
    let labels: Vec<String> = (from..=to)
        .map(|m| {
            let k = m - inputs.months.start;
            if k >= 0
                && (k as usize) < inputs.months.labels.len()
                && !inputs.months.labels[k as usize].is_empty()
            {
                inputs.months.labels[k as usize].clone()
            } else {
                format!("{}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
            }
        })
        .collect();
    let mut svgs = Vec::new();
    let mut sources = Vec::new();
    for (&node, forecast) in panels.iter().zip(&forecasts) {
        let history: Vec<(f64, f64)> = (from..month_index(year, 1))
            .map(|m| (x(m), inputs.months.at(node, m)))
            .collect();
        let mut lines = vec![Line {
            name: "history".into(),
            color: BLACK_LINE,
            stroke: Stroke::Solid,
            width: 1,
            points: history,
        }];
        let mut bands = Vec::new();
        if let Some(f) = forecast {
            let at = |k: usize| x(month_index(year, f.months[k]));
            let mut levels: Vec<_> = f.forecast.intervals.iter().collect();
            levels.sort_by(|a, b| b.level.total_cmp(&a.level));
            for (k, i) in levels.iter().enumerate() {
                bands.push(Band {
                    name: format!("{}%", crate::io::format_level(i.level)),
                    color: BLUE,
                    opacity: if k == 0 { 0.18 } else { 0.35 },
                    points: (0..f.months.len())
                        .map(|t| (at(t), i.lower[t], i.upper[t]))
                        .collect(),
                });
            }
            lines.push(Line {
                name: "forecast".into(),
                color: BLUE,
                stroke: Stroke::Solid,
                width: 2,
                points: (0..f.months.len())
                    .map(|t| (at(t), f.forecast.mean[t]))
                    .collect(),
            });
            sources.push(format!("{}: {}", tree.name_or_id(node), f.source));
        }
        lines.push(Line {
            name: format!("{}", year - 1),
            color: GREY,
            stroke: Stroke::Dashed,
            width: 1,
            points: (1..=12)
                .map(|m| {
                    (
                        x(month_index(year, m)),
                        inputs.months.at(node, month_index(year - 1, m)),
                    )
                })
                .collect(),
        });
        if let Some(targets) = monthly_targets(inputs, node) {
            lines.push(Line {
                name: "target".into(),
                color: RED,
                stroke: Stroke::Solid,
                width: 2,
                points: (1..=12)
                    .map(|m| (x(month_index(year, m)), targets[m as usize - 1]))
                    .collect(),
            });
        }
        let actual: Vec<(f64, f64)> = (1..=12)
            .map(|m| {
                (
                    x(month_index(year, m)),
                    inputs.months.at(node, month_index(year, m)),
                )
            })
            .collect();
        if actual.iter().any(|p| p.1.is_finite()) {
            lines.push(Line {
                name: format!("{year} actual"),
                color: BLACK_LINE,
                stroke: Stroke::Solid,
                width: 2,
                points: actual,
            });
        }
        let chart = LineChart {
            title: tree.name_or_id(node).to_string(),
            size: if node == focus {
                (980, 340)
            } else {
                (480, 280)
            },
            x_labels: labels.clone(),
            x: Scale::Amount,
            y: Scale::Amount,
            y_from_zero: false,
            bands,
            lines,
            legend: node == focus,
        };
        svgs.push(chart.svg()?);
    }
    let m = money(inputs, options);
    let mut kpis = Vec::new();
    if let Some(ly) = inputs.months.year_total(focus, year - 1) {
        kpis.push((m.show(ly), format!("{} sales", year - 1)));
    }
    // the forecast drawn (a full year of it), else the leaves' sum
    let drawn = forecasts[0]
        .as_ref()
        .filter(|f| f.months.len() == 12)
        .map(|f| (f.forecast.mean.iter().sum(), "forecast (as drawn)"));
    let leaves = inputs.forecast_year[focus].map(|v| (v, "forecast (its reps' sum)"));
    if let Some((f, what)) = drawn.or(leaves) {
        kpis.push((m.show(f), format!("{year} {what}")));
    }
    if let (Some((_, _)), Some(v)) = (drawn, inputs.forecast_year[focus]) {
        kpis.push((m.show(v), format!("{year} forecast (its reps' sum)")));
    }
    if let Some(t) = inputs.plan.as_ref().and_then(|p| p.annual[focus]) {
        kpis.push((m.show(t), format!("{year} target")));
        if let Some(ly) = inputs
            .months
            .year_total(focus, year - 1)
            .filter(|v| *v > 0.0)
        {
            kpis.push((html::percent(t / ly - 1.0), "target growth".into()));
        }
    }
    let mut body = html::kpis(&kpis);
    body.push_str(&html::charts(&svgs));
    if !sources.is_empty() {
        body.push_str(&format!(
            "<p class=\"meta\">Forecasts: {}. Bands: 80% (darker) and 95%.</p>\n",
            html::escape(&sources.join("; "))
        ));
    }
    Ok(body)
}

/// Black for history and actuals.
const BLACK_LINE: plotters::style::RGBColor = plotters::style::RGBColor(0x22, 0x22, 0x22);

trait NameOrId {
    fn name_or_id(&self, node: usize) -> &str;
}

impl NameOrId for OrgTree {
    fn name_or_id(&self, node: usize) -> &str {
        let name = self.name(node);
        if name.is_empty() {
            self.id(node)
        } else {
            name
        }
    }
}

/// The plan section: stacked targets and the phasing profile.
fn plan_section(inputs: &Inputs, focus: usize) -> Result<String> {
    let tree = &inputs.tree;
    let plan = inputs.plan.as_ref().expect("plan section needs a plan");
    let mut stacks: Vec<(String, Vec<f64>)> = tree
        .children(focus)
        .map(|c| {
            let values = plan.targets[c]
                .iter()
                .map(|v| if v.is_finite() { *v } else { 0.0 })
                .collect();
            (tree.name_or_id(c).to_string(), values)
        })
        .collect();
    if stacks.is_empty() {
        stacks.push((
            tree.name_or_id(focus).to_string(),
            plan.targets[focus].clone(),
        ));
    }
    let year = inputs.year;
    let last_year = plan.months.as_ref().map(|months| Line {
        name: format!("{} sales", year - 1),
        color: BLACK_LINE,
        stroke: Stroke::Dashed,
        width: 2,
        points: months
            .iter()
            .enumerate()
            .map(|(k, &m)| (k as f64, inputs.months.at(focus, month_index(year - 1, m))))
            .collect(),
    });
    let bars = StackedBars {
        title: format!("{} — {year} targets by period", tree.name_or_id(focus)),
        size: (980, 360),
        labels: plan.periods.clone(),
        stacks,
        line: last_year,
    };
    let mut svgs = vec![bars.svg()?];
    let mut body = String::new();
    match (&plan.months, plan.annual[focus]) {
        (Some(months), Some(total)) if total > 0.0 => {
            let mut lines = vec![Line {
                name: format!("{year} plan"),
                color: RED,
                stroke: Stroke::Solid,
                width: 2,
                points: months
                    .iter()
                    .enumerate()
                    .map(|(k, _)| (k as f64, plan.targets[focus][k] / total))
                    .collect(),
            }];
            for (back, color) in [(1, BLACK_LINE), (2, GREY)] {
                let y = year - back;
                if let Some(sum) = inputs.months.year_total(focus, y).filter(|v| *v > 0.0) {
                    lines.push(Line {
                        name: format!("{y} sales"),
                        color,
                        stroke: if back == 1 {
                            Stroke::Solid
                        } else {
                            Stroke::Dashed
                        },
                        width: 1,
                        points: months
                            .iter()
                            .enumerate()
                            .map(|(k, &m)| {
                                (k as f64, inputs.months.at(focus, month_index(y, m)) / sum)
                            })
                            .collect(),
                    });
                }
            }
            let profile = LineChart {
                title: format!("{} — share of the year by month", tree.name_or_id(focus)),
                size: (980, 300),
                x_labels: plan.periods.clone(),
                x: Scale::Amount,
                y: Scale::Percent,
                y_from_zero: true,
                bands: Vec::new(),
                lines,
                legend: true,
            };
            svgs.push(profile.svg()?);
        }
        _ => body.push_str(&html::note(
            "the plan is not monthly: no phasing profile against last year's months",
        )),
    }
    body.insert_str(0, &html::charts(&svgs));
    Ok(body)
}

/// The table section's rows, all of them.
struct NodeTable {
    rows: Vec<usize>,
    last_year: Vec<Option<f64>>,
    forecast: Vec<Option<f64>>,
    target: Vec<Option<f64>>,
    growth: Vec<Option<f64>>,
    share: Vec<Option<f64>>,
    binding: Vec<String>,
    probability: Vec<Option<f64>>,
}

fn node_table(inputs: &Inputs, level: usize, probabilities: &[Option<f64>]) -> NodeTable {
    let tree = &inputs.tree;
    let n = tree.len();
    let year = inputs.year;
    let (summary_ly, summary_target, summary_growth, binding) = match &inputs.summary {
        Some((t, nodes)) => {
            let mut binding = vec![String::new(); n];
            if let Some(b) = t.text("binding") {
                for (&node, b) in nodes.iter().zip(b) {
                    binding[node] = b.clone();
                }
            }
            (
                per_node(t, nodes, "last_year", n),
                per_node(t, nodes, "target", n),
                per_node(t, nodes, "growth_vs_last_year", n),
                binding,
            )
        }
        None => (
            vec![None; n],
            vec![None; n],
            vec![None; n],
            vec![String::new(); n],
        ),
    };
    let target: Vec<Option<f64>> = (0..n)
        .map(|i| {
            inputs
                .plan
                .as_ref()
                .and_then(|p| p.annual[i])
                .or(summary_target[i])
        })
        .collect();
    let last_year: Vec<Option<f64>> = (0..n)
        .map(|i| summary_ly[i].or_else(|| inputs.months.year_total(i, year - 1)))
        .collect();
    let rows: Vec<usize> = tree.level(level).collect();
    let pick = |v: &dyn Fn(usize) -> Option<f64>| rows.iter().map(|&i| v(i)).collect::<Vec<_>>();
    NodeTable {
        last_year: pick(&|i| last_year[i]),
        forecast: pick(&|i| inputs.forecast_year[i]),
        target: pick(&|i| target[i]),
        growth: pick(&|i| {
            summary_growth[i].or_else(|| match (target[i], last_year[i]) {
                (Some(t), Some(ly)) if ly > 0.0 => Some(t / ly - 1.0),
                _ => None,
            })
        }),
        share: pick(&|i| {
            let parent = tree.parent(i)?;
            match (target[i], target[parent]) {
                (Some(t), Some(p)) if p > 0.0 => Some(t / p),
                _ => None,
            }
        }),
        binding: rows.iter().map(|&i| binding[i].clone()).collect(),
        probability: pick(&|i| probabilities[i]),
        rows,
    }
}

impl NodeTable {
    fn as_table(&self, tree: &OrgTree) -> Table {
        let parent = |i: usize| {
            tree.parent(i)
                .map_or(String::new(), |p| tree.id(p).to_string())
        };
        Table {
            columns: vec![
                (
                    "node_id".into(),
                    Column::Text(self.rows.iter().map(|&i| tree.id(i).to_string()).collect()),
                ),
                (
                    "name".into(),
                    Column::Text(
                        self.rows
                            .iter()
                            .map(|&i| tree.name(i).to_string())
                            .collect(),
                    ),
                ),
                (
                    "parent_id".into(),
                    Column::Text(self.rows.iter().map(|&i| parent(i)).collect()),
                ),
                ("last_year".into(), Column::Number(self.last_year.clone())),
                ("forecast".into(), Column::Number(self.forecast.clone())),
                ("target".into(), Column::Number(self.target.clone())),
                ("growth".into(), Column::Number(self.growth.clone())),
                ("share_of_parent".into(), Column::Number(self.share.clone())),
                ("binding".into(), Column::Text(self.binding.clone())),
                (
                    "probability".into(),
                    Column::Number(self.probability.clone()),
                ),
            ],
        }
    }
}

/// The probabilities the table shows: the chosen (or matching) sweep
/// scenario's, else the track status's; and where they come from.
fn table_probabilities(
    inputs: &Inputs,
    options: &ReportOptions,
) -> Result<(Vec<Option<f64>>, Option<String>)> {
    let n = inputs.tree.len();
    let root = inputs.tree.root();
    let scenarios = &inputs.sweep.by_scenario;
    if let Some(name) = &options.scenario {
        let found =
            scenarios
                .iter()
                .find(|s| &s.name == name)
                .ok_or_else(|| Error::InvalidParameter {
                    name: "scenario",
                    reason: format!(
                        "'{name}': not a scenario of the sweep ({})",
                        if scenarios.is_empty() {
                            "no sweep given".to_string()
                        } else {
                            format!(
                                "{} scenarios, e.g. '{}'",
                                scenarios.len(),
                                scenarios[0].name
                            )
                        }
                    ),
                })?;
        return Ok((found.probability.clone(), Some(format!("scenario {name}"))));
    }
    let plan_target = inputs.plan.as_ref().and_then(|p| p.annual[root]);
    let matching = plan_target.and_then(|t| {
        scenarios
            .iter()
            .filter(|s| s.target[root].is_some())
            .min_by(|a, b| {
                let d = |s: &ScenarioRead| (s.target[root].unwrap_or(0.0) - t).abs();
                d(a).total_cmp(&d(b))
            })
    });
    if let Some(s) = matching {
        let t = s.target[root].unwrap_or(0.0);
        let close = plan_target.is_some_and(|p| (t - p).abs() <= 0.005 * p.abs());
        let how = if close {
            format!("sweep scenario {} (the plan's company target)", s.name)
        } else {
            format!(
                "sweep scenario {} (the closest to the plan's company target)",
                s.name
            )
        };
        return Ok((s.probability.clone(), Some(how)));
    }
    if let Some(s) = scenarios.first() {
        return Ok((
            s.probability.clone(),
            Some(format!("sweep scenario {}", s.name)),
        ));
    }
    if let Some(status) = &inputs.status {
        return Ok((
            per_node(&status.table, &status.nodes, "probability", n),
            Some("the track status (the year's projection)".into()),
        ));
    }
    Ok((vec![None; n], None))
}

fn table_section(
    inputs: &Inputs,
    options: &ReportOptions,
    level: usize,
    table: &NodeTable,
    source: Option<&str>,
) -> String {
    let tree = &inputs.tree;
    let m = money(inputs, options);
    let shown = table.rows.len().min(options.table_rows.max(1));
    let amount = |v: Option<f64>| Cell::Number(v.map_or(String::new(), |v| m.show(v)), v);
    let ratio = |v: Option<f64>| Cell::Number(v.map_or(String::new(), html::percent), v);
    let max_target = table
        .target
        .iter()
        .flatten()
        .fold(0.0_f64, |a, b| a.max(*b));
    let mut headers: Vec<String> = [
        "node",
        "name",
        "parent",
        "last year",
        "forecast",
        "target",
        "growth",
        "share of parent",
        "binding",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let with_probability = table.probability.iter().any(Option::is_some);
    headers.push(if with_probability {
        "probability of target".into()
    } else {
        "target (bar: of the largest)".into()
    });
    let rows = (0..shown)
        .map(|k| {
            let i = table.rows[k];
            let bar = if with_probability {
                // a target of zero is reached by definition: nothing to show
                let p = table.probability[k].filter(|_| table.target[k] != Some(0.0));
                Cell::Bar(p.map_or(String::new(), html::percent), p.unwrap_or(0.0))
            } else {
                let t = table.target[k].unwrap_or(0.0);
                Cell::Bar(
                    m.show(t),
                    if max_target > 0.0 {
                        t / max_target
                    } else {
                        0.0
                    },
                )
            };
            vec![
                Cell::Text(tree.id(i).to_string()),
                Cell::Text(tree.name(i).to_string()),
                Cell::Text(
                    tree.parent(i)
                        .map_or(String::new(), |p| tree.name_or_id(p).to_string()),
                ),
                amount(table.last_year[k]),
                amount(table.forecast[k]),
                amount(table.target[k]),
                ratio(table.growth[k]),
                ratio(table.share[k]),
                Cell::Text(table.binding[k].clone()),
                bar,
            ]
        })
        .collect();
    let mut body = format!(
        "<p class=\"meta\">Level {level}: {} nodes. Click a heading to sort.{}</p>\n",
        table.rows.len(),
        source.map_or(String::new(), |s| format!(
            " Probabilities from {}.",
            html::escape(s)
        ))
    );
    if shown < table.rows.len() {
        let link = match &options.table_link {
            Some(l) => format!(
                " The whole table: <a href=\"{0}\">{0}</a>.",
                html::escape(l)
            ),
            None => String::new(),
        };
        body.push_str(&format!(
            "<p class=\"note\">the first {shown} of {} rows are shown.{link}</p>\n",
            table.rows.len()
        ));
    }
    body.push_str(&HtmlTable { headers, rows }.html());
    body
}

/// The sweep section: probability against growth, and the scenarios.
fn sweep_section(inputs: &Inputs, options: &ReportOptions, focus: usize) -> Result<String> {
    let tree = &inputs.tree;
    let root = tree.root();
    let m = money(inputs, options);
    let mut body = String::new();
    let summary = inputs.sweep.summary.as_ref();
    // x: each scenario's growth (else its company target), from the summary
    let mut points: Vec<(String, f64, f64)> = Vec::new(); // scenario, x, company probability
    let x_is_growth;
    if let Some(s) = summary {
        let names = s.text("scenario").unwrap_or_default();
        let status = s.text("status").unwrap_or_default();
        let growth = s.numbers("growth").unwrap_or_default();
        let target = s.numbers("company_target").unwrap_or_default();
        let p = s.numbers("company_probability").unwrap_or_default();
        x_is_growth = growth
            .iter()
            .zip(status)
            .all(|(g, st)| g.is_some() || st != "planned");
        for r in 0..names.len() {
            let x = if x_is_growth { growth[r] } else { target[r] };
            if let (Some(x), Some(p), "planned") = (x, p[r], status[r].as_str()) {
                points.push((names[r].clone(), x, p));
            }
        }
    } else {
        x_is_growth = false;
        for sc in &inputs.sweep.by_scenario {
            if let (Some(x), Some(p)) = (sc.target[root], sc.probability[root]) {
                points.push((sc.name.clone(), x, p));
            }
        }
    }
    points.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut lines = vec![Line {
        name: tree.name_or_id(root).to_string(),
        color: BLUE,
        stroke: Stroke::Solid,
        width: 2,
        points: points.iter().map(|p| (p.1, p.2)).collect(),
    }];
    let mut nodes = vec![focus];
    if focus == root {
        nodes = tree.children(root).take(6).collect();
    }
    for (k, &node) in nodes.iter().enumerate() {
        let series: Vec<(f64, f64)> = points
            .iter()
            .filter_map(|(name, x, _)| {
                let s = inputs.sweep.by_scenario.iter().find(|s| &s.name == name)?;
                Some((*x, s.probability[node]?))
            })
            .collect();
        if !series.is_empty() {
            lines.push(Line {
                name: tree.name_or_id(node).to_string(),
                color: super::charts::PALETTE[(k + 1) % super::charts::PALETTE.len()],
                stroke: Stroke::Dashed,
                width: 1,
                points: series,
            });
        }
    }
    if !points.is_empty() {
        let chart = LineChart {
            title: format!(
                "probability of reaching the target against the {}",
                if x_is_growth {
                    "company target's growth"
                } else {
                    "company target"
                }
            ),
            size: (980, 340),
            x_labels: Vec::new(),
            x: if x_is_growth {
                Scale::Percent
            } else {
                Scale::Amount
            },
            y: Scale::Percent,
            y_from_zero: true,
            bands: Vec::new(),
            lines,
            legend: true,
        };
        body.push_str(&html::charts(&[chart.svg()?]));
    } else {
        body.push_str(&html::note(
            "no planned scenario with a company probability: no curve drawn",
        ));
    }
    if let Some(s) = summary {
        let columns: [(&str, &str); 10] = [
            ("scenario", "scenario"),
            ("status", "status"),
            ("growth", "growth"),
            ("basis", "basis"),
            ("company_target", "company target"),
            ("company_probability", "probability"),
            ("company_expected_attainment", "expected attainment"),
            ("reps_p50_share", "reps ≥ 50% likely"),
            ("teams_p50_share", "teams ≥ 50% likely"),
            ("reason", "reason"),
        ];
        let present: Vec<(&str, &str)> = columns
            .iter()
            .copied()
            .filter(|(c, _)| s.names().any(|n| n == *c))
            .collect();
        let rows = (0..s.lines.len())
            .map(|r| {
                present
                    .iter()
                    .map(|(c, _)| {
                        if let Some(text) = s.text(c) {
                            return Cell::Text(text[r].clone());
                        }
                        let v = s.numbers(c).and_then(|v| v[r]);
                        let shown = match *c {
                            "company_target" => v.map(|v| m.show(v)),
                            "growth"
                            | "company_probability"
                            | "company_expected_attainment"
                            | "reps_p50_share"
                            | "teams_p50_share" => v.map(html::percent),
                            _ => v.map(|v| v.to_string()),
                        };
                        Cell::Number(shown.unwrap_or_default(), v)
                    })
                    .collect()
            })
            .collect();
        body.push_str(
            &HtmlTable {
                headers: present.iter().map(|(_, h)| h.to_string()).collect(),
                rows,
            }
            .html(),
        );
    } else {
        body.push_str(&html::note(
            "no sweep summary given (--sweep-summary): the scenarios' table is left out",
        ));
    }
    Ok(body)
}

/// The track status's numbers per node.
struct StatusColumns {
    target: Vec<Option<f64>>,
    actual_to_date: Vec<Option<f64>>,
    projection: Vec<Option<f64>>,
    lower: Vec<Option<f64>>,
    upper: Vec<Option<f64>>,
    probability: Vec<Option<f64>>,
    gap: Vec<Option<f64>>,
}

impl StatusColumns {
    fn new(status: &StatusRead, n: usize) -> StatusColumns {
        let column = |name: &str| per_node(&status.table, &status.nodes, name, n);
        let bound = |side: &str| match &status.level {
            Some(l) => column(&format!("{side}-{l}")),
            None => vec![None; n],
        };
        StatusColumns {
            target: column("target"),
            actual_to_date: column("actual_to_date"),
            projection: column("model_projection"),
            lower: bound("lo"),
            upper: bound("hi"),
            probability: column("probability"),
            gap: column("remaining_gap"),
        }
    }
}

/// The track section: for the company and a chosen node (by default the
/// unit below the company least likely to reach its target), cumulative
/// actuals against the cumulative plan, and the same as a lead (+) or lag
/// (−) on the plan with the projection's band to the year end.
fn track_section(inputs: &Inputs, options: &ReportOptions, focus: usize) -> Result<String> {
    let tree = &inputs.tree;
    let status = inputs
        .status
        .as_ref()
        .expect("track section needs a status");
    let (year, elapsed) = (inputs.year, status.elapsed);
    let m = money(inputs, options);
    let c = StatusColumns::new(status, tree.len());
    let root = tree.root();
    let second = if focus != root {
        Some(focus)
    } else {
        tree.children(root)
            .filter(|&i| c.probability[i].is_some())
            .min_by(|&a, &b| {
                c.probability[a]
                    .unwrap_or(1.0)
                    .total_cmp(&c.probability[b].unwrap_or(1.0))
            })
    };
    let labels = month_labels(inputs);
    let level = status.level.clone().unwrap_or_default();
    let mut svgs = Vec::new();
    let mut kpis = Vec::new();
    for node in std::iter::once(root).chain(second) {
        let plan: Vec<f64> = match (monthly_targets(inputs, node), c.target[node]) {
            (Some(t), _) => t,
            (None, Some(t)) => vec![t / 12.0; 12],
            (None, None) => continue,
        };
        let cumulative_plan: Vec<f64> = plan
            .iter()
            .scan(0.0, |sum, v| {
                *sum += v;
                Some(*sum)
            })
            .collect();
        // cumulative actuals by month where the inputs hold every closed
        // month, else the status's actual to date at the last closed month
        let monthly: Vec<f64> = (1..=elapsed as u32)
            .map(|mo| inputs.months.at(node, month_index(year, mo)))
            .collect();
        let actual: Vec<(f64, f64)> = if elapsed > 0 && monthly.iter().all(|v| v.is_finite()) {
            monthly
                .iter()
                .scan(0.0, |sum, v| {
                    *sum += v;
                    Some(*sum)
                })
                .enumerate()
                .map(|(k, v)| (k as f64, v))
                .collect()
        } else {
            c.actual_to_date[node]
                .filter(|_| elapsed > 0)
                .map(|a| vec![((elapsed - 1) as f64, a)])
                .unwrap_or_default()
        };
        let name = tree.name_or_id(node);
        for against_plan in [false, true] {
            let base = |k: usize| {
                if against_plan {
                    cumulative_plan[k]
                } else {
                    0.0
                }
            };
            let mut lines = vec![Line {
                name: if against_plan {
                    "plan".into()
                } else {
                    "plan (cumulative)".into()
                },
                color: RED,
                stroke: Stroke::Dashed,
                width: 2,
                points: (0..12)
                    .map(|k| (k as f64, cumulative_plan[k] - base(k)))
                    .collect(),
            }];
            let mut bands = Vec::new();
            if let (Some(&(x0, a0)), Some(p)) = (actual.last(), c.projection[node]) {
                let k0 = x0 as usize;
                let a0 = a0 - base(k0);
                let w = |k: usize| {
                    if k0 < 11 {
                        (k - k0) as f64 / (11 - k0) as f64
                    } else {
                        1.0
                    }
                };
                if let (Some(lo), Some(hi)) = (c.lower[node], c.upper[node]) {
                    bands.push(Band {
                        name: format!("projection {level}%"),
                        color: BLUE,
                        opacity: 0.25,
                        points: (k0..12)
                            .map(|k| {
                                let end = base(11);
                                (
                                    k as f64,
                                    a0 + w(k) * (lo - end - a0),
                                    a0 + w(k) * (hi - end - a0),
                                )
                            })
                            .collect(),
                    });
                }
                lines.push(Line {
                    name: "projection".into(),
                    color: BLUE,
                    stroke: Stroke::Dashed,
                    width: 2,
                    points: vec![(x0, a0), (11.0, p - base(11))],
                });
            }
            lines.push(Line {
                name: if against_plan {
                    "actual".into()
                } else {
                    "actual (cumulative)".into()
                },
                color: BLACK_LINE,
                stroke: Stroke::Solid,
                width: 2,
                points: actual
                    .iter()
                    .map(|&(x, v)| (x, v - base(x as usize)))
                    .collect(),
            });
            svgs.push(
                LineChart {
                    title: if against_plan {
                        format!("{name} — ahead (+) or behind (−) the plan, cumulative")
                    } else {
                        format!("{name} — {year} cumulative, {elapsed} months closed")
                    },
                    size: (640, 320),
                    x_labels: labels.clone(),
                    x: Scale::Amount,
                    y: Scale::Amount,
                    y_from_zero: !against_plan,
                    bands,
                    lines,
                    legend: true,
                }
                .svg()?,
            );
        }
        for (value, what) in [
            (c.actual_to_date[node].map(|v| m.show(v)), "actual to date"),
            (c.projection[node].map(|v| m.show(v)), "projected year"),
            (
                c.probability[node].map(html::percent),
                "probability of target",
            ),
            (c.gap[node].map(|v| m.show(v)), "remaining gap"),
        ] {
            if let Some(v) = value {
                kpis.push((v, format!("{name}: {what}")));
            }
        }
    }
    let mut body = html::kpis(&kpis);
    body.push_str(&html::charts(&svgs));
    Ok(body)
}

/// Builds the report from `files`.
///
/// ```no_run
/// use salesplan::report::sales::{build, ReportFiles, ReportOptions};
/// let files = ReportFiles {
///     org: "datasets/demo/org.csv".into(),
///     history: "datasets/demo/sales_monthly.csv".into(),
///     plan: Some("plan.csv".into()),
///     summary: Some("plan_summary.csv".into()),
///     ..Default::default()
/// };
/// let report = build(&files, &ReportOptions::default())?;
/// std::fs::write("report.html", report.html).unwrap();
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn build(files: &ReportFiles, options: &ReportOptions) -> Result<SalesReport> {
    let inputs = read_inputs(files)?;
    let tree = &inputs.tree;
    let focus = match &options.node {
        Some(id) => tree.index_of(id).ok_or_else(|| Error::InvalidParameter {
            name: "node",
            reason: format!("'{id}': not a node of {}", file_name(&files.org)),
        })?,
        None => tree.root(),
    };
    let level = options.level.unwrap_or(tree.depth() - 1);
    if level >= tree.depth() {
        return Err(Error::InvalidParameter {
            name: "level",
            reason: format!(
                "{level} does not exist: {} has levels 0 (the company) to {}",
                file_name(&files.org),
                tree.depth() - 1
            ),
        });
    }
    if let Some(bad) = options
        .sections
        .iter()
        .find(|s| !SECTIONS.contains(&s.as_str()))
    {
        return Err(Error::InvalidParameter {
            name: "sections",
            reason: format!(
                "'{bad}': not a section; the sections are {}",
                SECTIONS.join(", ")
            ),
        });
    }
    let wanted =
        |name: &str| options.sections.is_empty() || options.sections.iter().any(|s| s == name);
    let mut notes = inputs.notes.clone();
    let mut sections = Vec::new();
    let mut body = String::new();
    let year = inputs.year;
    let title = options.title.clone().unwrap_or_else(|| {
        format!(
            "{} — {year} 销售计划报表 (sales plan report)",
            tree.name_or_id(tree.root())
        )
    });
    let given: Vec<String> = [
        ("org", Some(&files.org)),
        ("history", Some(&files.history)),
        ("forecasts", files.forecasts.as_ref()),
        ("plan", files.plan.as_ref()),
        ("plan summary", files.summary.as_ref()),
        ("sweep", files.sweep.as_ref()),
        ("sweep summary", files.sweep_summary.as_ref()),
        ("track status", files.status.as_ref()),
        ("actuals", files.actuals.as_ref()),
        ("scorecard", files.scorecard.as_ref()),
    ]
    .iter()
    .filter_map(|(what, p)| p.map(|p| format!("{what}: {}", file_name(p))))
    .collect();
    body.push_str(&format!(
        "<header><h1>{}</h1>\n<p class=\"meta\">Plan year {year}; {} nodes in {} levels. Inputs — {}.</p></header>\n",
        html::escape(&title),
        tree.len(),
        tree.depth(),
        html::escape(&given.join("; "))
    ));
    let mut page_notes = Vec::new();

    if wanted("forecast") {
        let forecast = forecast_section(&inputs, options, focus, &mut notes)?;
        body.push_str(&html::section(
            "forecast",
            "Forecast: history, forecast with 80/95% bands, last year and target",
            &forecast,
        ));
        sections.push("forecast");
    }

    if !wanted("plan") {
    } else if inputs.plan.is_some() {
        body.push_str(&html::section(
            "plan",
            "The plan by period",
            &plan_section(&inputs, focus)?,
        ));
        sections.push("plan");
    } else {
        page_notes.push("no plan given (--plan): the plan section is left out".to_string());
    }

    let (probabilities, source) = table_probabilities(&inputs, options)?;
    let table = node_table(&inputs, level, &probabilities);
    let has_values =
        table.target.iter().any(Option::is_some) || table.forecast.iter().any(Option::is_some);
    let truncated = wanted("table") && table.rows.len() > options.table_rows.max(1);
    if !wanted("table") {
    } else if has_values {
        let body_table = table_section(&inputs, options, level, &table, source.as_deref());
        body.push_str(&format!(
            "<section id=\"table\" class=\"long\">\n<h2>{}</h2>\n{body_table}\n</section>\n",
            html::escape(&format!("Targets by node, level {level}"))
        ));
        sections.push("table");
    } else {
        page_notes.push(
            "no plan, summary or forecasts given: the table of targets is left out".to_string(),
        );
    }

    if !wanted("sweep") {
    } else if inputs.sweep.summary.is_some() || !inputs.sweep.by_scenario.is_empty() {
        body.push_str(&html::section(
            "sweep",
            "Scenarios: probability of reaching the target",
            &sweep_section(&inputs, options, focus)?,
        ));
        sections.push("sweep");
    } else {
        page_notes.push(
            "no sweep given (--sweep, --sweep-summary): the scenarios section is left out"
                .to_string(),
        );
    }

    if !wanted("track") {
    } else if inputs.status.is_some() {
        body.push_str(&html::section(
            "track",
            "Tracking: actuals against plan",
            &track_section(&inputs, options, focus)?,
        ));
        sections.push("track");
    } else {
        page_notes
            .push("no track status given (--status): the tracking section is left out".to_string());
    }

    if let (true, Some(path)) = (wanted("scorecard"), &files.scorecard) {
        body.push_str(&html::section(
            "scorecard",
            "Year-end scorecard (销售业绩评估)",
            &scorecard_section(tree, path, options)?,
        ));
        sections.push("scorecard");
    }

    notes.extend(page_notes);
    if !notes.is_empty() {
        let list: String = notes.iter().map(|n| html::note(n)).collect();
        body.push_str(&html::section("notes", "Notes", &list));
    }
    Ok(SalesReport {
        html: html::page(&title, &body),
        sections,
        table: table.as_table(tree),
        truncated,
        notes,
    })
}

/// The scorecard section: per level below the company, its nodes by rank
/// (attainment, each KPI's, the score as a bar against the level's best).
fn scorecard_section(
    tree: &OrgTree,
    path: &std::path::Path,
    options: &ReportOptions,
) -> Result<String> {
    let t = crate::io::read_table(
        path,
        &["node_id", "level", "attainment", "score", "rank"],
        &["node_id", "name", "parent_id"],
    )?;
    let ids = t.text("node_id").unwrap_or_default();
    let nodes: Vec<usize> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| {
            tree.index_of(id).ok_or_else(|| {
                t.error_at(
                    k,
                    "node_id",
                    id,
                    "not a node of the org tree (a scorecard of another org?)".into(),
                )
            })
        })
        .collect::<Result<_>>()?;
    let column = |name: &str| t.numbers(name).unwrap_or_default();
    let (levels, attainment, score, rank) = (
        column("level"),
        column("attainment"),
        column("score"),
        column("rank"),
    );
    let measures: Vec<String> = t
        .names()
        .filter(|n| !crate::track::scorecard::OWN_COLUMNS.contains(n))
        .map(String::from)
        .collect();
    let ratio = |v: Option<f64>| Cell::Number(v.map_or(String::new(), html::percent), v);
    let mut body = String::from(
        "<p class=\"meta\">Attainment of the year's plan and of each KPI; the score weighs them as the scorecard's config says. Click a heading to sort.</p>\n",
    );
    let deepest = levels.iter().flatten().fold(0.0_f64, |a, b| a.max(*b)) as usize;
    for level in 1..=deepest {
        let mut rows: Vec<usize> = (0..nodes.len())
            .filter(|&k| levels[k] == Some(level as f64))
            .collect();
        if rows.is_empty() {
            continue;
        }
        rows.sort_by(|&a, &b| {
            rank[a]
                .unwrap_or(f64::INFINITY)
                .total_cmp(&rank[b].unwrap_or(f64::INFINITY))
                .then(ids[a].cmp(&ids[b]))
        });
        let best = rows
            .iter()
            .filter_map(|&k| score[k])
            .fold(0.0_f64, f64::max);
        let shown = rows.len().min(options.table_rows.max(1));
        let mut headers: Vec<String> = ["rank", "node", "name", "parent", "revenue attainment"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        headers.extend(measures.iter().cloned());
        headers.push("score (bar: of the level's best)".into());
        let table_rows = rows[..shown]
            .iter()
            .map(|&k| {
                let i = nodes[k];
                let mut row = vec![
                    Cell::Number(
                        rank[k].map_or(String::new(), |r| format!("{r:.0}")),
                        rank[k],
                    ),
                    Cell::Text(tree.id(i).to_string()),
                    Cell::Text(tree.name(i).to_string()),
                    Cell::Text(
                        tree.parent(i)
                            .map_or(String::new(), |p| tree.name_or_id(p).to_string()),
                    ),
                    ratio(attainment[k]),
                ];
                for m in &measures {
                    row.push(ratio(column(m)[k]));
                }
                row.push(Cell::Bar(
                    score[k].map_or(String::new(), |s| format!("{s:.3}")),
                    match score[k] {
                        Some(s) if best > 0.0 => s / best,
                        _ => 0.0,
                    },
                ));
                row
            })
            .collect();
        body.push_str(&format!(
            "<h3>Level {level}: {} nodes{}</h3>\n",
            rows.len(),
            if shown < rows.len() {
                format!(", the first {shown} by rank")
            } else {
                String::new()
            }
        ));
        body.push_str(
            &HtmlTable {
                headers,
                rows: table_rows,
            }
            .html(),
        );
    }
    Ok(body)
}
