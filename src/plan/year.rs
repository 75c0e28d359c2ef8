//! A year's plan from the data, in one call: the company target, the basis
//! blend, the split down the org tree and (optionally) the phasing into
//! the periods of a planning calendar — what `salesplan allocate` does.
//!
//! ```
//! use salesplan::io::{read_long_csv_from, Columns};
//! use salesplan::plan::calendar::PlanningCalendar;
//! use salesplan::plan::org::OrgTree;
//! use salesplan::plan::year::{plan_year, CompanyTarget, PlanRequest, YearInputs};
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref())?;
//! let mut csv = String::from("unique_id,ds,y\n");
//! for m in 1..=12 {
//!     csv.push_str(&format!("a,2025-{m:02},100\nb,2025-{m:02},300\n"));
//! }
//! let history = read_long_csv_from(csv.as_bytes(), "sales.csv".as_ref(), &Columns::default())?;
//! let inputs = YearInputs::new(&tree, &history, 2026)?;
//! let request = PlanRequest {
//!     calendar: Some(PlanningCalendar::monthly()),
//!     unit: Some(1.0),
//!     ..PlanRequest::new(CompanyTarget::Growth(0.1))
//! };
//! let plan = plan_year(&inputs, &request)?;
//! assert_eq!(plan.target, 5280.0); // 4800 last year, +10%
//! let b = tree.index_of("b").unwrap();
//! assert_eq!(plan.allocation.targets[b], 3960.0); // its 75% share of last year
//! assert_eq!(plan.periods.len(), 12);
//! assert_eq!(plan.table[b].iter().sum::<f64>(), 3960.0);
//! # Ok::<(), salesplan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::events::EventCalendar;
use crate::forecast::series::Series;
use crate::plan::allocate::{
    allocate, is_new, peers_basis, Allocation, AllocationInput, AllocationOptions, Basis, Method,
    PlanConstraints, Ramp,
};
use crate::plan::calendar::PlanningCalendar;
use crate::plan::commitments::{Commitments, COMMIT_COLUMN};
use crate::plan::org::OrgTree;
use crate::plan::phasing::phase_tree;
use crate::plan::phasing::profile::Phaser;
use crate::plan::sales::{event_phasing, forecast_year, history_profiles, leaf_nodes};

/// The company's target for the plan year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CompanyTarget {
    /// An amount.
    Absolute(f64),
    /// Growth over last year's total (0.15 = +15%).
    Growth(f64),
}

impl CompanyTarget {
    /// The amount, given last year's total.
    pub fn amount(self, last_year_total: f64) -> f64 {
        match self {
            CompanyTarget::Absolute(t) => t,
            CompanyTarget::Growth(g) => last_year_total * (1.0 + g),
        }
    }
}

impl std::fmt::Display for CompanyTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompanyTarget::Absolute(t) => write!(f, "{t}"),
            CompanyTarget::Growth(g) => write!(f, "growth {g}"),
        }
    }
}

/// The columns a basis blend may use.
pub const BASIS_COLUMNS: [&str; 5] = ["history", "trailing", "forecast", "potential", "equal"];

/// Checks a plan year: 1 to 9998 (its year before and after must be dates).
pub fn check_plan_year(year: i32) -> Result<()> {
    if (1..=9998).contains(&year) {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "year",
            reason: format!("{year} is out of range (1 to 9998)"),
        })
    }
}

/// The data a year is planned from: the org, the leaves' monthly history
/// (matched to the leaves by [`leaf_nodes`]) and per-node constraints.
#[derive(Debug, Clone)]
pub struct YearInputs<'a> {
    pub tree: &'a OrgTree,
    pub history: &'a [Series],
    /// The leaf of each history series.
    pub nodes: Vec<usize>,
    /// The plan year: last year is the year before; history from the plan
    /// year on is ignored.
    pub year: i32,
    /// Months summed by the `trailing` basis (scaled to 12 months).
    pub trailing_months: usize,
    /// Per-node constraints and the `potential` column (none by default).
    pub constraints: PlanConstraints,
    /// Commitments submitted bottom-up: the `commit` basis column
    /// ([`Commitments::leaf_basis`]; none by default).
    pub commitments: Option<Commitments>,
}

impl<'a> YearInputs<'a> {
    /// Inputs without constraints and with a 12-month trailing basis; fails
    /// on a history series that is not a monthly leaf ([`leaf_nodes`]) or a
    /// year outside 1..=9998.
    pub fn new(tree: &'a OrgTree, history: &'a [Series], year: i32) -> Result<YearInputs<'a>> {
        check_plan_year(year)?;
        Ok(YearInputs {
            tree,
            history,
            nodes: leaf_nodes(tree, history)?,
            year,
            trailing_months: 12,
            constraints: PlanConstraints::none(tree.len()),
            commitments: None,
        })
    }
}

/// What to plan: the target, how it is split and phased.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    pub target: CompanyTarget,
    /// The basis blend over [`BASIS_COLUMNS`] (default: history).
    pub basis: Basis,
    pub method: Method,
    /// New hires' ramp.
    pub ramp: Ramp,
    /// Phase the annual targets into this calendar's periods (`None`: the
    /// year only). Each node's profile comes from its last three years of
    /// sales ([`history_profiles`]).
    pub calendar: Option<PlanningCalendar>,
    /// Round every target to a multiple of this unit, totals exact.
    pub unit: Option<f64>,
    /// Holidays and events the phasing and the forecast basis follow
    /// (`None`: last years' profiles as they are;
    /// [`event_phasing`], [`forecast_year`]).
    pub events: Option<EventCalendar>,
}

impl PlanRequest {
    /// `target` split on last year's sales, proportionally, with the
    /// default ramp, unphased and unrounded.
    pub fn new(target: CompanyTarget) -> PlanRequest {
        PlanRequest {
            target,
            basis: Basis::default(),
            method: Method::default(),
            ramp: Ramp::default(),
            calendar: None,
            unit: None,
            events: None,
        }
    }
}

/// A planned year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearPlan {
    /// The company target.
    pub target: f64,
    /// Last year's company total.
    pub last_year_total: f64,
    /// Every node's annual target, basis share, binding constraint.
    pub allocation: Allocation,
    /// The periods' labels: the year alone, or the calendar's periods.
    pub periods: Vec<String>,
    /// Each node's target per period (`table[node][period]`), rows summing
    /// to the annual target and children to their parent per period.
    pub table: Vec<Vec<f64>>,
    /// Active leaves with no sales history (and no start date in the last
    /// two years) that were given their peers' basis, as new hires are.
    pub without_history: Vec<usize>,
}

/// Plans the year: the basis blend on the leaves (new hires ramped), the
/// split down the tree under the constraints, and the phasing. Leaves run
/// in parallel on the current rayon pool; the result is the same for any
/// number of threads.
pub fn plan_year(inputs: &YearInputs, request: &PlanRequest) -> Result<YearPlan> {
    let tree = inputs.tree;
    let (n, year) = (tree.len(), inputs.year);
    for (column, _) in request.basis.parts() {
        if column == COMMIT_COLUMN && inputs.commitments.is_none() {
            return Err(Error::InvalidParameter {
                name: "basis",
                reason: "the 'commit' column needs commitments (allocate --commits)".into(),
            });
        }
        if !BASIS_COLUMNS.contains(&column.as_str()) && column != COMMIT_COLUMN {
            return Err(Error::InvalidParameter {
                name: "basis",
                reason: format!(
                    "unknown column '{column}' (expected {}, or {COMMIT_COLUMN} with commitments)",
                    BASIS_COLUMNS.join(", ")
                ),
            });
        }
    }
    let mut last_year = vec![0.0; n];
    let mut trailing = vec![0.0; n];
    for (s, &node) in inputs.history.iter().zip(&inputs.nodes) {
        last_year[node] = s.year_total(year - 1);
        trailing[node] = s.trailing_year(year, inputs.trailing_months);
    }
    let forecast = if request.basis.uses("forecast") {
        let events = request.events.as_ref().filter(|e| !e.is_empty());
        Some(forecast_year(
            inputs.history,
            &inputs.nodes,
            n,
            year,
            events,
        )?)
    } else {
        None
    };
    // a basis lives on the leaves; inner nodes get their leaves' sums
    let mut potential = inputs.constraints.potential.clone();
    for (i, p) in potential.iter_mut().enumerate() {
        if !tree.is_leaf(i) {
            *p = 0.0;
        }
    }
    let mut columns: Vec<(&str, &[f64])> = vec![
        ("history", &last_year),
        ("trailing", &trailing),
        ("potential", &potential),
    ];
    if let Some(f) = &forecast {
        columns.push(("forecast", f));
    }
    let commit = match &inputs.commitments {
        Some(c) if request.basis.uses(COMMIT_COLUMN) => Some(c.leaf_basis(tree, &last_year)?),
        _ => None,
    };
    if let Some(c) = &commit {
        columns.push((COMMIT_COLUMN, c));
    }
    let mut basis = request.basis.blend(&columns)?;
    for (i, b) in basis.iter_mut().enumerate() {
        if !tree.is_leaf(i) {
            *b = 0.0;
        }
    }
    // new hires, and active reps with no history and no basis of their
    // own, get their peers' basis (their ramp applies in the allocation)
    let activity = request.ramp.factors(tree, year);
    let mut has_history = vec![false; n];
    for &node in &inputs.nodes {
        has_history[node] = true;
    }
    let new: Vec<bool> = (0..n)
        .map(|i| tree.is_leaf(i) && is_new(tree, i, year))
        .collect();
    let without_history: Vec<usize> = (0..n)
        .filter(|&i| {
            tree.is_leaf(i) && !has_history[i] && !new[i] && activity[i] > 0.0 && basis[i] == 0.0
        })
        .collect();
    let mut marked = new;
    for &i in &without_history {
        marked[i] = true;
    }
    // a new rep who committed for themselves keeps that basis
    if let (Some(c), true) = (&inputs.commitments, commit.is_some()) {
        for (i, m) in marked.iter_mut().enumerate() {
            *m &= c.own(i).is_none();
        }
    }
    peers_basis(tree, &mut basis, &marked);
    let last_year_total = tree.aggregate(&last_year)?[tree.root()];
    let target = request.target.amount(last_year_total);
    let input = AllocationInput {
        basis,
        last_year,
        constraints: inputs.constraints.nodes.clone(),
        activity,
    };
    let options = AllocationOptions {
        method: request.method,
        unit: request.unit,
        year,
    };
    let allocation = allocate(tree, &input, target, &options)?;
    let (periods, table) = match &request.calendar {
        None => (
            vec![year.to_string()],
            allocation.targets.iter().map(|t| vec![*t]).collect(),
        ),
        Some(calendar) => {
            let periods = calendar.periods(year)?;
            let events = request.events.as_ref().filter(|e| !e.is_empty());
            let range = match (
                periods.first(),
                periods.last().and_then(|p| p.end.pred_opt()),
            ) {
                (Some(a), Some(b)) => Some((a.start, b)),
                _ => None,
            };
            let (profiles, phaser) = match (events, range) {
                (Some(events), Some(range)) => {
                    let (profiles, shape) =
                        event_phasing(tree, inputs.history, &inputs.nodes, year, events, range)?;
                    (profiles, Phaser::with_day_shape(&periods, shape))
                }
                _ => (
                    history_profiles(tree, inputs.history, &inputs.nodes, year)?,
                    Phaser::new(&periods),
                ),
            };
            let table = phase_tree(tree, &allocation.targets, &profiles, &phaser, request.unit)?;
            (periods.into_iter().map(|p| p.label).collect(), table)
        }
    };
    Ok(YearPlan {
        target,
        last_year_total,
        allocation,
        periods,
        table,
        without_history,
    })
}
