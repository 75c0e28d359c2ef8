//! The year-end evaluation (销售业绩评估): every node's attainment by month,
//! quarter and year, a weighted scorecard over several measures, and its
//! rank among the nodes of its level.
//!
//! A measure is revenue attainment (the year's actual over the plan's
//! target) or a KPI with its own actuals (`actual / target`, the target a
//! column of the KPI file or one number for everyone, e.g. a collection
//! rate of 95%). The score is `Σ weight × min(attainment, cap)`, the
//! weights summing to 1; a node missing any measure has no score (nothing
//! is read as zero). Nodes without KPI rows of their own take their reps':
//! summed actuals over summed targets, or with one target for everyone the
//! reps' actuals averaged by their revenue targets.
//!
//! ```
//! use salesplan::track::scorecard::ScorecardConfig;
//! let config: ScorecardConfig = r#"
//! [[measure]]
//! name = "revenue"
//! weight = 0.6
//! cap = 1.5
//! [[measure]]
//! name = "collection_rate"
//! weight = 0.4
//! actual = "collection_rate"
//! target = 0.95
//! "#.parse()?;
//! assert_eq!(config.measures.len(), 2);
//! assert!("[[measure]]\nname = \"revenue\"\nweight = 0.5\n".parse::<ScorecardConfig>().is_err());
//! # Ok::<(), salesplan::Error>(())
//! ```

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::plan::org::OrgTree;

/// The columns of `salesplan scorecard`'s table besides one per KPI
/// measure (which go between `m12` and `score`): a KPI may not take one of
/// these names.
pub const OWN_COLUMNS: [&str; 25] = [
    "node_id",
    "name",
    "parent_id",
    "level",
    "target",
    "actual",
    "attainment",
    "q1",
    "q2",
    "q3",
    "q4",
    "m01",
    "m02",
    "m03",
    "m04",
    "m05",
    "m06",
    "m07",
    "m08",
    "m09",
    "m10",
    "m11",
    "m12",
    "score",
    "rank",
];

/// Where a measure's target comes from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum KpiTarget {
    /// A column of the KPI file.
    Column(String),
    /// One target for every node.
    Value(f64),
}

/// One measure of the scorecard.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Its name (the output's column).
    pub name: String,
    /// Its weight in the score (the weights sum to 1).
    pub weight: f64,
    /// Attainment counted up to this (1.5: 150%) [default: no cap].
    pub cap: Option<f64>,
    /// The KPI file's column of actuals; none: revenue against the plan.
    pub actual: Option<String>,
    /// The KPI's target (with `actual`).
    pub target: Option<KpiTarget>,
}

impl Measure {
    /// Whether this is revenue attainment against the plan.
    pub fn is_revenue(&self) -> bool {
        self.actual.is_none()
    }
}

/// The scorecard's measures (TOML: `[[measure]]` tables with `name`,
/// `weight`, optional `cap`, and for a KPI `actual` and `target`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardConfig {
    #[serde(rename = "measure")]
    pub measures: Vec<Measure>,
}

impl Default for ScorecardConfig {
    /// Revenue attainment alone, uncapped.
    fn default() -> ScorecardConfig {
        ScorecardConfig {
            measures: vec![Measure {
                name: "revenue".into(),
                weight: 1.0,
                cap: None,
                actual: None,
                target: None,
            }],
        }
    }
}

fn invalid(reason: String) -> Error {
    Error::InvalidParameter {
        name: "scorecard",
        reason,
    }
}

impl std::str::FromStr for ScorecardConfig {
    type Err = Error;

    fn from_str(text: &str) -> Result<ScorecardConfig> {
        let config: ScorecardConfig = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        config.check()?;
        Ok(config)
    }
}

impl ScorecardConfig {
    /// Checks names (unique, non-empty), weights (non-negative, summing to
    /// 1), caps (positive), targets (a KPI has one; a number is positive)
    /// and that revenue appears at most once.
    pub fn check(&self) -> Result<()> {
        if self.measures.is_empty() {
            return Err(invalid("no measure".into()));
        }
        let mut sum = 0.0;
        for (k, m) in self.measures.iter().enumerate() {
            let name = &m.name;
            if name.trim().is_empty() || self.measures[..k].iter().any(|o| &o.name == name) {
                return Err(invalid(format!(
                    "measure name '{name}' is empty or repeated"
                )));
            }
            if !(m.weight.is_finite() && m.weight >= 0.0) {
                return Err(invalid(format!(
                    "measure '{name}': weight {} is not 0 or more",
                    m.weight
                )));
            }
            if let Some(cap) = m.cap.filter(|c| !(c.is_finite() && *c > 0.0)) {
                return Err(invalid(format!(
                    "measure '{name}': cap {cap} is not above 0"
                )));
            }
            match (&m.actual, &m.target) {
                (None, Some(_)) => {
                    return Err(invalid(format!(
                        "measure '{name}': a target needs its `actual` column (revenue's target is the plan)"
                    )))
                }
                (Some(_), None) => {
                    return Err(invalid(format!("measure '{name}': no `target` (a column or a number)")))
                }
                (Some(_), Some(KpiTarget::Value(v))) if !(v.is_finite() && *v > 0.0) => {
                    return Err(invalid(format!("measure '{name}': target {v} is not above 0")))
                }
                _ => {}
            }
            sum += m.weight;
        }
        if self.measures.iter().filter(|m| m.is_revenue()).count() > 1 {
            return Err(invalid(
                "revenue (a measure without `actual`) appears twice".into(),
            ));
        }
        if (sum - 1.0).abs() > 1e-9 {
            return Err(invalid(format!("the weights sum to {sum}, not 1")));
        }
        Ok(())
    }
}

/// A KPI measure's values per node (`None`: no row or an empty cell).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KpiValues {
    pub actual: Vec<Option<f64>>,
    /// Per node, for a target column; empty for one target for everyone.
    pub target: Vec<Option<f64>>,
}

/// One node's evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeScore {
    /// The year's target and actual (`None`: a month's actual missing).
    pub target: f64,
    pub actual: Option<f64>,
    /// Actual / target by month, by quarter and for the year (`None`: no
    /// target, or an actual missing).
    pub months: [Option<f64>; 12],
    pub quarters: [Option<f64>; 4],
    pub year: Option<f64>,
    /// Each measure's attainment, uncapped, in the config's order.
    pub measures: Vec<Option<f64>>,
    /// The weighted score (`None`: a measure missing).
    pub score: Option<f64>,
    /// 1 = best among the scored nodes of its level (ties share a rank).
    pub rank: Option<usize>,
}

fn ratio(actual: Option<f64>, target: f64) -> Option<f64> {
    actual.filter(|_| target > 0.0).map(|a| a / target)
}

/// Every node's evaluation. `targets[node]` are its monthly targets
/// (`None`, or zero for the year: no evaluation); `actuals[leaf][m]` a leaf's actual of
/// month `m` (`None`: not reported); `kpis[k]` the values of the config's
/// `k`-th measure when it is a KPI (ignored for revenue). A parent's month
/// is missing when any leaf under it with a target that month lacks an
/// actual.
///
/// ```
/// use salesplan::plan::org::OrgTree;
/// use salesplan::track::scorecard::{evaluate, ScorecardConfig};
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref())?;
/// let (a, b) = (tree.index_of("a").unwrap(), tree.index_of("b").unwrap());
/// let targets = vec![Some([200.0; 12]), Some([100.0; 12]), Some([100.0; 12])];
/// let mut actuals = vec![[None; 12]; 3];
/// actuals[a] = [Some(120.0); 12];
/// actuals[b] = [Some(90.0); 12];
/// let scores = evaluate(&tree, &targets, &actuals, &[Default::default()], &ScorecardConfig::default())?;
/// let (sa, sb) = (scores[a].as_ref().unwrap(), scores[b].as_ref().unwrap());
/// assert_eq!((sa.year, sa.rank), (Some(1.2), Some(1)));
/// assert_eq!((sb.year, sb.rank), (Some(0.9), Some(2)));
/// assert_eq!(scores[tree.root()].as_ref().unwrap().year, Some(1.05));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn evaluate(
    tree: &OrgTree,
    targets: &[Option<[f64; 12]>],
    actuals: &[[Option<f64>; 12]],
    kpis: &[KpiValues],
    config: &ScorecardConfig,
) -> Result<Vec<Option<NodeScore>>> {
    config.check()?;
    let n = tree.len();
    if targets.len() != n || actuals.len() != n || kpis.len() != config.measures.len() {
        return Err(invalid(format!(
            "inputs for {} nodes and {} measures expected",
            n,
            config.measures.len()
        )));
    }
    // each node's monthly actuals: leaves' own, parents' summed, a month
    // missing when a leaf with a target that month lacks one
    let mut actual: Vec<[Option<f64>; 12]> = vec![[Some(0.0); 12]; n];
    for node in (0..n).rev() {
        if tree.is_leaf(node) {
            for m in 0..12 {
                let target = targets[node].map_or(0.0, |t| t[m]);
                actual[node][m] = match actuals[node][m] {
                    Some(v) => Some(v),
                    None if target > 0.0 => None,
                    None => Some(0.0),
                };
            }
        }
        if let Some(p) = tree.parent(node) {
            let child = actual[node];
            for (sum, v) in actual[p].iter_mut().zip(child) {
                *sum = match (*sum, v) {
                    (Some(s), Some(v)) => Some(s + v),
                    _ => None,
                };
            }
        }
    }
    let annual: Vec<f64> = targets
        .iter()
        .map(|t| t.map_or(0.0, |t| t.iter().sum()))
        .collect();
    // KPI values of nodes without their own: their leaves' (summed, or
    // averaged by revenue target for one target for everyone)
    let mut kpi_attainment: Vec<Vec<Option<f64>>> = Vec::with_capacity(config.measures.len());
    for (measure, values) in config.measures.iter().zip(kpis) {
        if measure.is_revenue() {
            kpi_attainment.push(Vec::new());
            continue;
        }
        if values.actual.len() != n
            || (matches!(measure.target, Some(KpiTarget::Column(_))) && values.target.len() != n)
        {
            return Err(invalid(format!(
                "measure '{}': values for {n} nodes expected",
                measure.name
            )));
        }
        let fixed = match measure.target {
            Some(KpiTarget::Value(v)) => Some(v),
            _ => None,
        };
        // (Σ actual, Σ target) or (Σ weight × actual, Σ weight) per node
        let mut own: Vec<Option<(f64, f64)>> = (0..n)
            .map(|i| {
                let a = values.actual[i]?;
                Some(match fixed {
                    Some(v) => (a, v),
                    None => (a, values.target[i]?),
                })
            })
            .collect();
        let mut acc: Vec<Option<(f64, f64)>> = vec![Some((0.0, 0.0)); n];
        for node in (0..n).rev() {
            let mine = if tree.is_leaf(node) {
                match (own[node], fixed) {
                    // a rep's rate weighs by their revenue target
                    (Some((a, _)), Some(_)) => Some((a * annual[node], annual[node])),
                    (Some(pair), None) => Some(pair),
                    (None, _) if annual[node] > 0.0 => None,
                    (None, _) => Some((0.0, 0.0)),
                }
            } else {
                acc[node]
            };
            acc[node] = mine;
            if let Some(p) = tree.parent(node) {
                acc[p] = match (acc[p], mine) {
                    (Some(s), Some(v)) => Some((s.0 + v.0, s.1 + v.1)),
                    _ => None,
                };
            }
        }
        for node in 0..n {
            if own[node].is_none() && !tree.is_leaf(node) {
                own[node] = acc[node].and_then(|(a, w)| {
                    (w > 0.0).then(|| match fixed {
                        Some(v) => (a / w, v),
                        None => (a, w),
                    })
                });
            }
        }
        kpi_attainment.push(
            own.iter()
                .map(|v| v.and_then(|(a, t)| (t > 0.0).then_some(a / t)))
                .collect(),
        );
    }
    let mut scores: Vec<Option<NodeScore>> = (0..n)
        .map(|i| {
            // a node with no target for the year (away all year) is not evaluated
            let t = targets[i].filter(|t| t.iter().sum::<f64>() > 0.0)?;
            let total = |ms: std::ops::Range<usize>| -> (Option<f64>, f64) {
                let a: Option<f64> = ms.clone().map(|m| actual[i][m]).sum();
                (a, ms.map(|m| t[m]).sum())
            };
            let (year_actual, year_target) = total(0..12);
            let year = ratio(year_actual, year_target);
            let measures: Vec<Option<f64>> = config
                .measures
                .iter()
                .zip(&kpi_attainment)
                .map(|(m, k)| if m.is_revenue() { year } else { k[i] })
                .collect();
            let score = config
                .measures
                .iter()
                .zip(&measures)
                .map(|(m, a)| a.map(|a| m.weight * m.cap.map_or(a, |c| a.min(c))))
                .sum();
            Some(NodeScore {
                target: year_target,
                actual: year_actual,
                months: std::array::from_fn(|m| ratio(actual[i][m], t[m])),
                quarters: std::array::from_fn(|q| {
                    let (a, t) = total(3 * q..3 * q + 3);
                    ratio(a, t)
                }),
                year,
                measures,
                score,
                rank: None,
            })
        })
        .collect();
    for level in 0..tree.depth() {
        let mut ranked: Vec<(f64, usize)> = tree
            .level(level)
            .filter_map(|i| Some((scores[i].as_ref()?.score?, i)))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(tree.id(a.1).cmp(tree.id(b.1))));
        let mut rank = 0;
        for k in 0..ranked.len() {
            if k == 0 || ranked[k].0 != ranked[k - 1].0 {
                rank = k + 1;
            }
            if let Some(s) = scores[ranked[k].1].as_mut() {
                s.rank = Some(rank);
            }
        }
    }
    Ok(scores)
}
