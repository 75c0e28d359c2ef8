//! Scenario sweeps: many plans from one set of forecasts, each allocated,
//! phased, rounded, checked and scored.
//!
//! [`PlanningData`] holds what every scenario shares: the tree, last year's
//! and trailing sales, optional potential and per-node constraints, and the
//! simulated plan year ([`YearOutlook`], fitted once). [`plan_scenario`]
//! turns one [`Scenario`] into a plan: company target, basis blend, rep
//! bounds tightening the per-node constraints, over-assignment per level,
//! ramp; [`allocate`] splits it down the tree, [`check_plan`] verifies
//! every constraint on the result, a [`Phasing`] spreads each node's annual
//! target over the periods, and the outlook scores its attainability.
//! [`sweep`] runs scenarios in parallel (rayon) and hands results to a sink
//! in scenario order; each scenario is computed on its own, so the results
//! are identical for any number of threads.
//!
//! ```
//! use salesplan::scenario::attainment::YearOutlook;
//! use salesplan::plan::org::OrgTree;
//! use salesplan::scenario::{CompanyTarget, Scenario};
//! use salesplan::scenario::sweep::{sweep, Outcome, PlanningData, ProfilePhasing};
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref()).unwrap();
//! // two reps, four simulated paths of their annual sales, flat monthly profiles
//! let sums = vec![0.0, 0.0, 0.0, 0.0, 90.0, 100.0, 110.0, 120.0, 190.0, 200.0, 210.0, 220.0];
//! let outlook = YearOutlook::from_leaf_sums(&tree, 4, 12, sums, vec![10.0; 36]);
//! let mut data = PlanningData::new(tree, 2026, outlook).unwrap();
//! data.last_year = vec![0.0, 100.0, 200.0];
//! let scenarios = vec![
//!     Scenario::new("flat", CompanyTarget::Growth(0.0)),
//!     Scenario::new("stretch", CompanyTarget::Absolute(400.0)),
//! ];
//! let mut lines = Vec::new();
//! sweep(&data, &scenarios, &ProfilePhasing, &|_| {}, |k, outcome| {
//!     if let Outcome::Planned(plan) = outcome {
//!         lines.push((k, plan.allocation.targets.clone(), plan.attainment.probability.clone()));
//!     }
//!     Ok(())
//! }).unwrap();
//! assert_eq!(lines[0].1, [300.0, 100.0, 200.0]);
//! assert_eq!(lines[0].2[1], 0.75); // three of four paths reach 100
//! assert!(lines[1].2[0] < lines[0].2[0]);
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::events::EventCalendar;
use crate::forecast::series::{Series, TimeIndex};
use crate::plan::allocate::PlanConstraints;
use crate::plan::allocate::{
    allocate, check_plan, is_new, peers_basis, round_split_into, Allocation, AllocationInput,
    AllocationOptions, BoundSource, NodeConstraints, Workspace,
};
use crate::plan::calendar::PlanningCalendar;
use crate::plan::org::OrgTree;
use crate::plan::phasing::profile::{resolve_profiles, MonthProfile, Phaser};
use crate::plan::phasing::TreePhasing;
use crate::plan::sales::leaf_nodes;
use crate::plan::year::check_plan_year;
use crate::scenario::attainment::{
    active_months, newcomers, simulate_plan_year, take_out_events, with_events, Attainment,
    LeafHistory, SimulationOptions, YearOutlook,
};
use crate::scenario::Scenario;
use chrono::Datelike;

/// What every scenario of a sweep shares. Vectors are indexed by node;
/// sales are read at the leaves.
#[derive(Debug, Clone)]
pub struct PlanningData {
    pub tree: OrgTree,
    /// The plan year.
    pub year: i32,
    /// Last year's sales per leaf.
    pub last_year: Vec<f64>,
    /// Trailing sales per leaf (the `trailing` basis), scaled to a year.
    pub trailing: Vec<f64>,
    /// Potential per leaf (the `potential` basis), if given.
    pub potential: Option<Vec<f64>>,
    /// Per-node constraints every scenario starts from.
    pub constraints: Vec<NodeConstraints>,
    /// The simulated plan year; its point forecast is the `forecast` basis.
    pub outlook: YearOutlook,
    /// Leaves that are not new hires but have no sales history before the
    /// plan year: a scenario gives those still at zero basis and active
    /// the peers' mean basis, as it gives new hires (and as `allocate`
    /// does), instead of a target of 0.
    pub without_history: Vec<usize>,
}

impl PlanningData {
    /// Takes a constraints file's bounds, and its potentials when any is
    /// set (all zero: none given, and a `potential` basis stays refused).
    pub fn apply_constraints(&mut self, constraints: PlanConstraints) {
        self.constraints = constraints.nodes;
        self.potential = Some(constraints.potential).filter(|p| p.iter().any(|v| *v != 0.0));
    }

    /// Data with no sales, constraints or potential yet (fill the fields).
    pub fn new(tree: OrgTree, year: i32, outlook: YearOutlook) -> Result<PlanningData> {
        let n = tree.len();
        if outlook.len() != n {
            return Err(Error::InvalidParameter {
                name: "outlook",
                reason: format!("{} nodes simulated for a tree of {n}", outlook.len()),
            });
        }
        Ok(PlanningData {
            tree,
            year,
            last_year: vec![0.0; n],
            trailing: vec![0.0; n],
            potential: None,
            constraints: vec![NodeConstraints::default(); n],
            outlook,
            without_history: Vec::new(),
        })
    }

    /// Planning data from the leaves' monthly history (`unique_id` = a
    /// leaf's node id): last year's sales, trailing sales over
    /// `trailing_months` scaled to a year, and the plan year simulated from
    /// each leaf's model fitted on its history before the plan year
    /// ([`simulate_plan_year`], leaves in parallel, seeded; 12 monthly periods
    /// whatever `options` says). History from the plan year on is ignored.
    /// Leaves that started after January 1st of the year before the plan
    /// year (as the allocation's [`is_new`] counts them) or have less than
    /// twelve months of history are
    /// simulated as their peers sell, scaled by the default [`Ramp`](crate::plan::allocate::Ramp) over
    /// their months in the plan year ([`simulate_plan_year`]).
    ///
    /// Fails on a series that is not a leaf of `tree`, is not monthly, or
    /// appears twice.
    pub fn from_history(
        tree: OrgTree,
        history: &[Series],
        year: i32,
        trailing_months: usize,
        options: &SimulationOptions,
    ) -> Result<PlanningData> {
        PlanningData::from_history_with_events(tree, history, year, trailing_months, options, None)
    }

    /// As [`from_history`](Self::from_history), with `events`: each leaf's
    /// model is fitted on its history with the events taken out, and its
    /// simulated plan year gets each month's events back
    /// ([`take_out_events`]; the events chosen on the company's history,
    /// each leaf's effects pooled towards the company's). The phasing of
    /// the sweep follows, as its profiles are the leaves' forecasts.
    pub fn from_history_with_events(
        tree: OrgTree,
        history: &[Series],
        year: i32,
        trailing_months: usize,
        options: &SimulationOptions,
        events: Option<&EventCalendar>,
    ) -> Result<PlanningData> {
        check_plan_year(year)?;
        let n = tree.len();
        let mut last_year = vec![0.0; n];
        let mut trailing = vec![0.0; n];
        let mut cut = Vec::with_capacity(history.len());
        for (s, node) in history.iter().zip(leaf_nodes(&tree, history)?) {
            let dates = s.dates();
            let keep = dates.iter().take_while(|d| d.year() < year).count();
            last_year[node] = s.year_total(year - 1);
            trailing[node] = s.trailing_year(year, trailing_months);
            // months from the last kept observation to January of the plan year
            let gap = keep.checked_sub(1).map_or(0, |k| {
                let last = dates[k];
                ((year - last.year()) * 12 - last.month() as i32) as usize
            });
            cut.push((node, keep, gap));
        }
        let active: Vec<[bool; 12]> = cut
            .iter()
            .map(|&(node, _, _)| active_months(tree.start_date(node), tree.end_date(node), year))
            .collect();
        // newcomers: leaves that started after January 1st of last year or
        // have less than a year of history sell like their peers (with the
        // default ramp)
        let mut has_history = vec![false; n];
        let leaves: Vec<LeafHistory> = history
            .iter()
            .zip(&cut)
            .zip(&active)
            .filter(|((_, &(node, keep, _)), _)| keep >= 12 && !is_new(&tree, node, year))
            .map(|((s, &(node, keep, gap)), active)| {
                has_history[node] = true;
                LeafHistory {
                    node,
                    id: s.id(),
                    values: &s.values()[..keep],
                    gap,
                    active: Some(active),
                    factors: None,
                }
            })
            .collect();
        let newcomers = newcomers(&tree, &has_history, year, 0);
        // with events: the leaves' histories with the events taken out, and
        // the plan year's multipliers
        let adjusted = match events {
            Some(calendar) if !calendar.is_empty() && !leaves.is_empty() => {
                let indices: Vec<&TimeIndex> = history
                    .iter()
                    .zip(&cut)
                    .filter(|(_, &(node, _, _))| has_history[node])
                    .map(|(s, _)| s.index())
                    .collect();
                Some(take_out_events(&leaves, &indices, calendar, 12)?)
            }
            _ => None,
        };
        let leaves = match &adjusted {
            Some(free) => with_events(leaves, free),
            None => leaves,
        };
        let options = SimulationOptions {
            season_length: 12,
            periods: 12,
            ..*options
        };
        let outlook = simulate_plan_year(&tree, &leaves, &newcomers, &options)?;
        let mut seen = vec![false; n];
        for &(node, keep, _) in &cut {
            seen[node] = keep > 0;
        }
        let without_history: Vec<usize> = (0..n)
            .filter(|&i| tree.is_leaf(i) && !seen[i] && !is_new(&tree, i, year))
            .collect();
        let mut data = PlanningData::new(tree, year, outlook)?;
        data.last_year = last_year;
        data.trailing = trailing;
        data.without_history = without_history;
        Ok(data)
    }

    /// Last year's company total.
    pub fn last_year_total(&self) -> f64 {
        (0..self.tree.len())
            .filter(|&i| self.tree.is_leaf(i))
            .map(|i| self.last_year[i])
            .sum()
    }
}

/// Spreads annual node targets over the periods of the plan year.
///
/// The sweep calls it once per scenario with the allocated (and, with the
/// scenario's unit, rounded) annual targets; `out` is `nodes × periods`,
/// node-major, `periods` being what [`periods`](Phasing::periods) says for
/// that scenario (its calendar). Implementations must keep each node's
/// periods summing to its annual target (exactly in whole units when the
/// scenario has a unit); the sweep checks that.
pub trait Phasing: Sync {
    /// Periods in the plan year under `scenario`'s calendar; an error when
    /// this phasing cannot use that calendar.
    fn periods(&self, data: &PlanningData, scenario: &Scenario) -> Result<usize>;
    /// Fills `out` with the node × period targets.
    fn phase(
        &self,
        data: &PlanningData,
        scenario: &Scenario,
        annual: &[f64],
        out: &mut [f64],
    ) -> Result<()>;
}

/// The periods of each scenario's calendar (months, quarters, ISO or
/// retail weeks, fiscal years), consistent both ways: each node's annual
/// target phased by its forecast profile (its monthly point forecast; its
/// nearest ancestor's when it has none), then, parent by parent, the
/// children × periods table balanced so that every parent's period equals
/// its children's sum for that period and rounded with every row and column
/// total exact ([`phase_tree`]); leavers and new hires are at zero outside
/// their active days. Built once per [`PlanningData`] for the calendars of
/// the scenarios ([`BalancedPhasing::new`]) and shared by all of them.
///
/// [`phase_tree`]: crate::plan::phasing::phase_tree
#[derive(Debug, Clone)]
pub struct BalancedPhasing {
    /// One prepared phasing per calendar the scenarios use.
    calendars: Vec<(PlanningCalendar, TreePhasing)>,
}

impl BalancedPhasing {
    /// Prepares the calendars `scenarios` use (calendar months when there
    /// are none) for `data`'s tree, forecast profiles and plan year.
    pub fn new(data: &PlanningData, scenarios: &[Scenario]) -> Result<BalancedPhasing> {
        let tree = &data.tree;
        let own: Vec<Option<MonthProfile>> = (0..tree.len())
            .map(|v| MonthProfile::from_forecast(1, data.outlook.point(v)))
            .collect();
        let parents: Vec<Option<usize>> = (0..tree.len()).map(|v| tree.parent(v)).collect();
        let profiles = resolve_profiles(&parents, &own)?;
        let mut wanted: Vec<PlanningCalendar> = Vec::new();
        for c in scenarios.iter().map(|s| s.calendar) {
            if !wanted.contains(&c) {
                wanted.push(c);
            }
        }
        if wanted.is_empty() {
            wanted.push(PlanningCalendar::monthly());
        }
        let calendars = wanted
            .into_iter()
            .map(|c| {
                let phaser = Phaser::new(&c.covering_year(data.year)?);
                Ok((c, TreePhasing::new(tree, &profiles, &phaser)?))
            })
            .collect::<Result<_>>()?;
        Ok(BalancedPhasing { calendars })
    }

    fn prepared(&self, scenario: &Scenario) -> Result<&TreePhasing> {
        self.calendars
            .iter()
            .find(|(c, _)| *c == scenario.calendar)
            .map(|(_, p)| p)
            .ok_or_else(|| Error::InvalidParameter {
                name: "calendar",
                reason: format!(
                    "scenario '{}': calendar {} was not prepared (build BalancedPhasing with this scenario)",
                    scenario.name, scenario.calendar
                ),
            })
    }
}

impl Phasing for BalancedPhasing {
    fn periods(&self, _data: &PlanningData, scenario: &Scenario) -> Result<usize> {
        Ok(self.prepared(scenario)?.phaser().len())
    }

    fn phase(
        &self,
        data: &PlanningData,
        scenario: &Scenario,
        annual: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        self.prepared(scenario)?
            .phase_into(&data.tree, annual, scenario.unit, out)
    }
}

/// Calendar months of the plan year by each node's forecast profile (its
/// point forecast per month, summed over its leaves); a node without
/// forecast takes its nearest ancestor's profile, and equal months when no
/// ancestor has one. With a unit, each node's months are rounded by largest
/// remainder to whole units summing exactly to its annual target. Each node
/// is phased on its own: a parent's month is not forced to equal its
/// children's sum for that month (that is two-way balancing).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfilePhasing;

impl Phasing for ProfilePhasing {
    fn periods(&self, data: &PlanningData, scenario: &Scenario) -> Result<usize> {
        if scenario.calendar != PlanningCalendar::monthly() {
            return Err(Error::InvalidParameter {
                name: "calendar",
                reason: format!(
                    "scenario '{}': ProfilePhasing spreads over calendar months only, not {} (use BalancedPhasing)",
                    scenario.name, scenario.calendar
                ),
            });
        }
        Ok(data.outlook.periods())
    }

    fn phase(
        &self,
        data: &PlanningData,
        scenario: &Scenario,
        annual: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        let unit = scenario.unit;
        let tree = &data.tree;
        let p = data.outlook.periods();
        let mut ws = Workspace::default();
        let mut exact = vec![0.0; p];
        let mut whole = vec![0i64; p];
        let lower = vec![0i64; p];
        let upper = vec![i64::MAX; p];
        for i in 0..tree.len() {
            let mut node = Some(i);
            let mut profile = None;
            while let Some(v) = node {
                let candidate = data.outlook.point(v);
                let total: f64 = candidate.iter().sum();
                if total > 0.0 {
                    profile = Some((candidate, total));
                    break;
                }
                node = tree.parent(v);
            }
            let row = &mut out[i * p..(i + 1) * p];
            for (k, e) in exact.iter_mut().enumerate() {
                *e = match profile {
                    Some((shape, total)) => annual[i] * shape[k] / total,
                    None => annual[i] / p as f64,
                };
            }
            match unit {
                Some(u) => {
                    for e in exact.iter_mut() {
                        *e /= u;
                    }
                    let total = (annual[i] / u).round() as i64;
                    if !largest_remainder(&exact, total, &mut whole) {
                        round_split_into(&exact, total, &lower, &upper, &mut whole, &mut ws)?;
                    }
                    for (r, &w) in row.iter_mut().zip(&whole) {
                        *r = w as f64 * u;
                    }
                }
                None => row.copy_from_slice(&exact),
            }
        }
        Ok(())
    }
}

/// Largest-remainder rounding of non-negative `exact` values to whole
/// numbers summing to `total` (ties to the earlier period), without sorting:
/// the quick path for a dozen periods. `false` when the floors leave more
/// (or less) than one unit per period to hand out; then the caller falls
/// back to the general [`round_split_into`].
fn largest_remainder(exact: &[f64], total: i64, out: &mut [i64]) -> bool {
    const MAX: usize = 64;
    if exact.len() > MAX {
        return false;
    }
    let mut fraction = [0.0f64; MAX];
    let mut floors = 0i64;
    for ((o, &e), f) in out.iter_mut().zip(exact).zip(fraction.iter_mut()) {
        let e = e.max(0.0);
        // truncation is the floor of a non-negative number (and no libm call)
        *o = e as i64;
        *f = e - *o as f64;
        floors += *o;
    }
    let missing = total - floors;
    if missing < 0 || missing as usize > exact.len() {
        return false;
    }
    let fraction = &mut fraction[..exact.len()];
    for _ in 0..missing {
        let mut best = 0;
        for k in 1..fraction.len() {
            if fraction[k] > fraction[best] {
                best = k;
            }
        }
        if fraction[best] < 0.0 {
            return false;
        }
        fraction[best] = -1.0;
        out[best] += 1;
    }
    true
}

/// A scenario's plan and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The company target.
    pub target: f64,
    pub allocation: Allocation,
    /// Node × period targets (`nodes × periods`).
    pub periods: Vec<f64>,
    pub attainment: Attainment,
    /// Nodes sitting on a bound (min, max, growth cap, or their children's
    /// capacity), locks and inactive nodes not counted.
    pub binding_bounds: usize,
}

/// What became of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Planned(Box<Plan>),
    /// No plan meets the scenario's constraints on this data; the reason
    /// names the node, field or constraint.
    Infeasible {
        reason: String,
    },
}

/// Why some of `scenarios` do not fit `data` (a bad scenario file, not an
/// infeasible target): how many, and the first one's field and reason
/// ([`configuration_problem`]); `None` when every one fits.
pub fn misfit_scenarios(data: &PlanningData, scenarios: &[Scenario]) -> Option<String> {
    let misfits: Vec<String> = scenarios
        .iter()
        .filter_map(|s| {
            configuration_problem(data, s)
                .map(|(field, reason)| format!("scenario '{}': field '{field}': {reason}", s.name))
        })
        .collect();
    let first = misfits.first()?;
    Some(format!(
        "{} of {} scenarios do not fit this org and data; {first}{}",
        misfits.len(),
        scenarios.len(),
        if misfits.len() > 1 {
            format!(" (and {} more)", misfits.len() - 1)
        } else {
            String::new()
        }
    ))
}

/// Plans and scores one scenario.
///
/// What makes `scenario` not apply to `data` at all, whatever the
/// numbers: a basis using a potential the data lacks, or over-assignment
/// rates for more levels than the tree has. `None` when it applies. The
/// CLI refuses such a scenario file as bad input before sweeping;
/// [`plan_scenario`] reports the scenario as infeasible.
pub fn configuration_problem(
    data: &PlanningData,
    scenario: &Scenario,
) -> Option<(&'static str, String)> {
    if data.potential.is_none() && scenario.basis.uses("potential") {
        return Some((
            "basis",
            "uses 'potential' but no potential was given".into(),
        ));
    }
    let inner_levels = data.tree.depth().saturating_sub(1);
    if scenario.over_assignment.len() > inner_levels {
        return Some((
            "over_assignment",
            format!(
                "{} levels given; the tree has {inner_levels} levels with children",
                scenario.over_assignment.len()
            ),
        ));
    }
    None
}

/// Infeasibility (an [`Error::Infeasible`] or [`Error::ConflictingBounds`]
/// from the allocation, a basis column that is missing or sums to zero, more
/// over-assignment levels than the tree has) is an [`Outcome`]; an error is
/// a bug or bad data shared by every scenario (including a plan that fails
/// [`check_plan`]).
pub fn plan_scenario(
    data: &PlanningData,
    scenario: &Scenario,
    phasing: &dyn Phasing,
) -> Result<Outcome> {
    let tree = &data.tree;
    let n = tree.len();
    let infeasible = |field: &str, reason: String| {
        Ok(Outcome::Infeasible {
            reason: format!("field '{field}': {reason}"),
        })
    };
    // Basis.
    let forecast: Vec<f64> = (0..n)
        .map(|i| {
            if tree.is_leaf(i) {
                data.outlook.point_annual(i)
            } else {
                0.0
            }
        })
        .collect();
    let mut columns: Vec<(&str, &[f64])> = vec![
        ("history", &data.last_year),
        ("trailing", &data.trailing),
        ("forecast", &forecast),
    ];
    if let Some((field, reason)) = configuration_problem(data, scenario) {
        return infeasible(field, reason);
    }
    if let Some(p) = &data.potential {
        columns.push(("potential", p));
    }
    let leaf_only: Vec<Vec<f64>> = columns
        .iter()
        .map(|(_, v)| {
            (0..n)
                .map(|i| if tree.is_leaf(i) { v[i] } else { 0.0 })
                .collect()
        })
        .collect();
    let columns: Vec<(&str, &[f64])> = columns
        .iter()
        .zip(&leaf_only)
        .map(|((name, _), v)| (*name, v.as_slice()))
        .collect();
    let mut basis = match scenario.basis.blend(&columns) {
        Ok(b) => b,
        Err(Error::InvalidParameter { reason, .. }) => return infeasible("basis", reason),
        Err(e) => return Err(e),
    };
    for (i, b) in basis.iter_mut().enumerate() {
        if !tree.is_leaf(i) {
            *b = 0.0;
        }
    }
    // new hires, and active reps without history still at zero, take their
    // peers' mean basis
    let activity = scenario.ramp.factors(tree, data.year);
    let mut marked: Vec<bool> = (0..tree.len())
        .map(|i| tree.is_leaf(i) && is_new(tree, i, data.year))
        .collect();
    for &i in &data.without_history {
        marked[i] |= activity[i] > 0.0 && basis[i] == 0.0;
    }
    peers_basis(tree, &mut basis, &marked);
    // Constraints: the scenario's rep bounds tighten the per-node ones.
    let mut constraints = data.constraints.clone();
    let tighter = |a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64| match (a, b) {
        (Some(x), Some(y)) => Some(pick(x, y)),
        (x, y) => x.or(y),
    };
    for (i, c) in constraints.iter_mut().enumerate() {
        if tree.is_leaf(i) {
            c.min = tighter(c.min, scenario.rep_min, f64::max);
            c.max = tighter(c.max, scenario.rep_max, f64::min);
            c.growth_min = tighter(c.growth_min, scenario.growth_min, f64::max);
            c.growth_max = tighter(c.growth_max, scenario.growth_max, f64::min);
        }
    }
    for (level, &u) in scenario.over_assignment.iter().enumerate() {
        for i in tree.level(level) {
            constraints[i].over_assignment = Some(u);
        }
    }
    let input = AllocationInput {
        basis,
        last_year: data.last_year.clone(),
        constraints,
        activity,
    };
    let options = AllocationOptions {
        method: scenario.method,
        unit: scenario.unit,
        year: data.year,
    };
    let target = scenario.target.amount(data.last_year_total());
    let allocation = match allocate(tree, &input, target, &options) {
        Ok(a) => a,
        Err(e @ (Error::Infeasible { .. } | Error::ConflictingBounds { .. })) => {
            return Ok(Outcome::Infeasible {
                reason: e.to_string(),
            })
        }
        Err(Error::InvalidParameter { name, reason }) => return infeasible(name, reason),
        Err(e) => return Err(e),
    };
    check_plan(tree, &input, target, &options, &allocation)?;
    // Phasing, checked too.
    let p = phasing.periods(data, scenario)?;
    let mut periods = vec![0.0; n * p];
    // e.g. a leaver's target with no active day in the calendar's periods
    match phasing.phase(data, scenario, &allocation.targets, &mut periods) {
        Ok(()) => {}
        Err(e @ (Error::Phasing { .. } | Error::BalanceInfeasible { .. })) => {
            return Ok(Outcome::Infeasible {
                reason: format!("phasing into {}: {e}", scenario.calendar),
            })
        }
        Err(e) => return Err(e),
    }
    for i in 0..n {
        let row = &periods[i * p..(i + 1) * p];
        let (sum, want) = match scenario.unit {
            Some(u) => (
                row.iter().map(|v| (v / u).round()).sum::<f64>(),
                (allocation.targets[i] / u).round(),
            ),
            None => (row.iter().sum::<f64>(), allocation.targets[i]),
        };
        let tol = if scenario.unit.is_some() {
            0.0
        } else {
            1e-9 * want.abs().max(1.0) * p as f64
        };
        if (sum - want).abs() > tol || row.iter().any(|v| *v < 0.0) {
            return Err(Error::PlanCheck {
                node: tree.id(i).to_string(),
                reason: format!("periods sum to {sum}, not the annual {want}, or go negative"),
            });
        }
    }
    let attainment = data.outlook.score(tree, &allocation.targets)?;
    let binding_bounds = allocation
        .binding
        .iter()
        .filter(|b| {
            !matches!(
                b,
                None | Some(BoundSource::Lock | BoundSource::Inactive | BoundSource::Default)
            )
        })
        .count();
    Ok(Outcome::Planned(Box::new(Plan {
        target,
        allocation,
        periods,
        attainment,
        binding_bounds,
    })))
}

/// Plans every scenario in parallel on the current rayon pool and calls
/// `sink(k, outcome)` for scenario `k` in order (in batches, so memory stays
/// bounded). `progress(done)` is called as scenarios finish. Stops at the
/// first error (from planning or from the sink).
pub fn sweep(
    data: &PlanningData,
    scenarios: &[Scenario],
    phasing: &dyn Phasing,
    progress: &(dyn Fn(usize) + Sync),
    mut sink: impl FnMut(usize, Outcome) -> Result<()>,
) -> Result<()> {
    let batch = (8 * rayon::current_num_threads()).max(32);
    let done = AtomicUsize::new(0);
    let plan = |chunk: &[Scenario]| -> Vec<Result<Outcome>> {
        chunk
            .par_iter()
            .map(|s| {
                let outcome = plan_scenario(data, s, phasing).map_err(|e| match e {
                    Error::PlanCheck { node, reason } => Error::PlanCheck {
                        node,
                        reason: format!("{reason} (scenario '{}')", s.name),
                    },
                    other => Error::InScenario {
                        scenario: s.name.clone(),
                        source: Box::new(other),
                    },
                });
                progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                outcome
            })
            .collect()
    };
    // the sink (typically writing a large table) takes batch b while the
    // pool plans batch b + 1
    let mut ready: Vec<Result<Outcome>> = Vec::new();
    let mut first = 0;
    for chunk in scenarios.chunks(batch) {
        let mut next = Vec::new();
        let count = ready.len();
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| next = plan(chunk));
            ready
                .drain(..)
                .enumerate()
                .try_for_each(|(k, outcome)| sink(first + k, outcome?))
        })?;
        first += count;
        ready = next;
    }
    for (k, outcome) in ready.into_iter().enumerate() {
        sink(first + k, outcome?)?;
    }
    Ok(())
}

/// Synthetic planning data for tests, examples and benchmarks: a company
/// with about `reps / 1000` regions (at least 2), teams of about ten reps,
/// `reps` reps with lognormal sales (last year, trailing year, a seasonal
/// monthly forecast 5% above last year and `paths` lognormal annual totals
/// around it), one rep in 50 a new hire of last October, one in 70 leaving
/// at the end of June of the plan year (2026). Seeded: the same arguments
/// give the same data.
///
/// ```
/// let data = salesplan::scenario::sweep::synthetic(1000, 100, 1);
/// assert_eq!(data.tree.depth(), 4);
/// assert_eq!((0..data.tree.len()).filter(|&i| data.tree.is_leaf(i)).count(), 1000);
/// ```
pub fn synthetic(reps: usize, paths: usize, seed: u64) -> PlanningData {
    use crate::plan::org::NodeRow;
    use chrono::NaiveDate;
    use rand::SeedableRng;
    use rand_distr::{Distribution, LogNormal};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let reps = reps.max(2);
    let paths = paths.max(1);
    let year = 2026;
    let teams = reps.div_ceil(10);
    let regions = (reps / 1000).clamp(2, teams.max(2));
    let mut rows = vec![NodeRow {
        id: "company".into(),
        line: 2,
        ..NodeRow::default()
    }];
    let push = |rows: &mut Vec<NodeRow>, id: String, parent: String| {
        let line = rows.len() as u64 + 2;
        rows.push(NodeRow {
            id,
            parent: Some(parent),
            line,
            ..NodeRow::default()
        });
    };
    for r in 0..regions {
        push(&mut rows, format!("region{r:03}"), "company".into());
    }
    for t in 0..teams {
        push(
            &mut rows,
            format!("team{t:05}"),
            format!("region{:03}", t % regions),
        );
    }
    for p in 0..reps {
        push(
            &mut rows,
            format!("rep{p:06}"),
            format!("team{:05}", p % teams),
        );
        let last = rows.len() - 1;
        if p % 50 == 7 {
            rows[last].start = NaiveDate::from_ymd_opt(year - 1, 10, 1);
        }
        if p % 70 == 3 {
            rows[last].end = NaiveDate::from_ymd_opt(year, 6, 30);
        }
    }
    let tree = match OrgTree::from_rows(rows, "synthetic".as_ref()) {
        Ok(t) => t,
        Err(e) => unreachable!("synthetic tree: {e}"),
    };
    let n = tree.len();
    let size = LogNormal::new(11.5, 0.5).unwrap_or_else(|_| unreachable!());
    let noise = LogNormal::new(0.0, 0.1).unwrap_or_else(|_| unreachable!());
    let spread = LogNormal::new(-0.5 * 0.15f64.powi(2), 0.15).unwrap_or_else(|_| unreachable!());
    let season = [0.7, 0.8, 1.0, 1.0, 1.0, 1.2, 0.9, 0.9, 1.0, 1.0, 1.3, 1.2];
    let mut last_year = vec![0.0; n];
    let mut trailing = vec![0.0; n];
    let mut sums = vec![0.0; n * paths];
    let mut point = vec![0.0; n * 12];
    for i in 0..n {
        if !tree.is_leaf(i) {
            continue;
        }
        let base: f64 = size.sample(&mut rng);
        let new = tree.start_date(i).is_some();
        last_year[i] = if new {
            base * 0.1
        } else {
            base * noise.sample(&mut rng)
        };
        trailing[i] = if new {
            base * 0.4
        } else {
            last_year[i] * noise.sample(&mut rng)
        };
        let active =
            crate::scenario::attainment::active_months(tree.start_date(i), tree.end_date(i), year);
        let mut annual = 0.0;
        for m in 0..12 {
            if active[m] {
                point[i * 12 + m] = base * 1.05 / 12.0 * season[m];
                annual += point[i * 12 + m];
            }
        }
        for s in &mut sums[i * paths..(i + 1) * paths] {
            *s = annual * spread.sample(&mut rng);
        }
    }
    let outlook = YearOutlook::from_leaf_sums(&tree, paths, 12, sums, point);
    PlanningData {
        tree,
        year,
        last_year,
        trailing,
        potential: None,
        constraints: vec![NodeConstraints::default(); n],
        outlook,
        without_history: Vec::new(),
    }
}
