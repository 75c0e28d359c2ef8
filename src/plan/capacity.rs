//! Capacity planning: what each team can sell in each month of the plan
//! year with the reps it has, the hires it plans and the reps it can expect
//! to lose, at each rep's own productivity, against its target; and how
//! many hires, starting by when, would close the gap.
//!
//! The model, per rep and calendar month `m` of the plan year:
//!
//! capacity = rate × season\[m\] × ramp(tenure in m) × survival(m)
//!
//! - `season` is the team's seasonal profile (shares of a year, summing to
//!   1; [`crate::plan::sales::history_profiles`]).
//! - `rate` is the rep's productivity, the year a fully ramped rep sells:
//!   last year's sales over the share of last year's selling the rep was
//!   there for, `Σ season[m] × ramp(tenure in m)` over the months of last
//!   year the rep has sales for (a missing month is not a month worked; an
//!   explicit 0 is). Reps with less than [`MIN_EXPOSURE`] of a year behind
//!   them, and hires, take the mean rate of their team's reps (the
//!   company's mean when the team has none), as the allocation gives new
//!   hires their peers' mean basis ([`crate::plan::allocate::peers_basis`]).
//! - `ramp` is 0 before the start month and after the end date's month
//!   (from the org's `start_date`, `end_date`), the ramp factor of the
//!   tenure month in between ([`Ramp::monthly_factors`]).
//! - `survival(m) = (1 − attrition)^((m − start + ½) / 12)`: the chance
//!   the rep is still on the team at mid-month under an annual attrition
//!   rate, counted from the start of the year (or the hire's start).
//!
//! A full-year rep with no attrition has a capacity equal to last year's
//! sales: capacity is "last year's productivity, with this year's people".
//!
//! ```
//! use salesplan::plan::allocate::Ramp;
//! use salesplan::plan::capacity::{hire_capacity, hires_needed, rep_capacity};
//! let season = [1.0 / 12.0; 12];
//! let ramp = Ramp::new(vec![0.5]).unwrap();
//! // a rep who sells 1,200 a year, no attrition: 100 a month
//! let c = rep_capacity(1200.0, &season, &ramp, None, None, 2026, 0.0);
//! assert!(c.iter().all(|m| (m - 100.0).abs() < 1e-9));
//! // a hire from October: half in October, then full
//! let h = hire_capacity(1200.0, &season, &ramp, 10, 0.0);
//! assert!((h.iter().sum::<f64>() - 250.0).abs() < 1e-9);
//! // a gap of 950: starting in January a hire brings 1,150, so one hire
//! // closes it if they start by March (50 + 9 × 100 = 950 exactly)
//! let need = hires_needed(950.0, 1200.0, &season, &ramp, 0.0, 1).unwrap();
//! assert_eq!((need.count, need.start_by), (1, 3));
//! ```

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::plan::allocate::Ramp;
use crate::plan::org::OrgTree;

/// The least share of a year's selling (season-weighted, ramp-adjusted) a
/// rep must have behind them for their own productivity to count; below
/// it they take their peers' (a quarter: three average months).
pub const MIN_EXPOSURE: f64 = 0.25;

/// Planned hires into a team: `count` reps starting on the first of
/// `start_month` (1–12) of the plan year, each on `ramp`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hire {
    /// The team (a node whose children are reps).
    pub team: usize,
    /// How many reps.
    pub count: u32,
    /// The calendar month of the plan year they start in (1–12).
    pub start_month: u32,
    /// Their ramp (the run's default when the hiring plan names none).
    pub ramp: Ramp,
}

/// Where a rep's productivity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateSource {
    /// The rep's own sales last year.
    Own,
    /// The mean of the team's reps (too little history of their own).
    Team,
    /// The mean of the company's reps (the team had none to go by).
    Company,
}

/// What [`capacity_plan`] needs besides the tree.
#[derive(Debug, Clone)]
pub struct CapacityInputs<'a> {
    /// The plan year.
    pub year: i32,
    /// Each node's sales by calendar month of the year before the plan
    /// year: `None` for a month without a value (not a month worked).
    /// Only leaves are read.
    pub last_year: &'a [[Option<f64>; 12]],
    /// Each node's seasonal profile (shares summing to 1); teams' are used.
    pub season: &'a [[f64; 12]],
    /// The ramp of reps who start in the org file, and of hires without one.
    pub ramp: &'a Ramp,
    /// The annual attrition rate, in `[0, 1)`.
    pub attrition: f64,
    /// Productivity growth applied to every rate (0.05 = reps sell 5% more
    /// than last year's productivity).
    pub productivity_growth: f64,
    /// The hiring plan.
    pub hires: &'a [Hire],
}

/// One rep's productivity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepRate {
    /// The year a fully ramped rep sells (after productivity growth).
    pub rate: f64,
    /// Where it came from.
    pub source: RateSource,
}

/// A team's capacity month by month.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamCapacity {
    /// The team's node.
    pub team: usize,
    /// Expected reps on the team at mid-month (the org's and the hires,
    /// after attrition).
    pub headcount: [f64; 12],
    /// Productive rep-months: each rep's ramp factor × survival, summed.
    pub productive: [f64; 12],
    /// What the team can sell in the month.
    pub capacity: [f64; 12],
    /// The mean rate of the team's reps with their own: a hire's productivity.
    pub hire_rate: f64,
    /// Reps in the org file (any month of the plan year) and planned hires.
    pub reps: usize,
    /// Planned hires.
    pub hires: u32,
}

/// Capacity of every team, and every rep's productivity.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityPlan {
    /// One entry per team, in tree order.
    pub teams: Vec<TeamCapacity>,
    /// Each leaf's productivity (`None` for inner nodes).
    pub rates: Vec<Option<RepRate>>,
}

/// Hires that close a gap: `count` reps starting no later than
/// `start_by` (1–12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HiresNeeded {
    /// How many.
    pub count: u32,
    /// The latest start month at which `count` still close the gap.
    pub start_by: u32,
}

/// The teams of `tree`: nodes with at least one leaf child.
pub fn teams(tree: &OrgTree) -> Vec<usize> {
    (0..tree.len())
        .filter(|&n| !tree.is_leaf(n) && tree.children(n).any(|c| tree.is_leaf(c)))
        .collect()
}

fn survival(attrition: f64, months_in: f64) -> f64 {
    (1.0 - attrition).powf((months_in + 0.5) / 12.0)
}

/// A rep's capacity in each month of `year`: `rate` × `season` × ramp ×
/// survival, active from `start` to `end` (module docs).
pub fn rep_capacity(
    rate: f64,
    season: &[f64; 12],
    ramp: &Ramp,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    year: i32,
    attrition: f64,
) -> [f64; 12] {
    let factors = ramp.monthly_factors(start, end, year);
    let first = start.filter(|s| s.year() == year).map_or(0, |s| s.month0());
    std::array::from_fn(|m| {
        let months_in = m as f64 - first as f64;
        rate * season[m] * factors[m] * survival(attrition, months_in.max(0.0))
    })
}

/// One hire's capacity in each month, starting in `start_month` (1–12).
pub fn hire_capacity(
    rate: f64,
    season: &[f64; 12],
    ramp: &Ramp,
    start_month: u32,
    attrition: f64,
) -> [f64; 12] {
    std::array::from_fn(|m| {
        let tenure = m as i64 - (start_month as i64 - 1);
        if tenure < 0 {
            return 0.0;
        }
        let factor = ramp.steps().get(tenure as usize).copied().unwrap_or(1.0);
        rate * season[m] * factor * survival(attrition, tenure as f64)
    })
}

/// The fewest hires at `rate` that close `gap` over the plan year when they
/// start in `earliest` (1–12), and the latest month up to which every
/// start month still closes it; `None` when a hire would sell nothing (no rate, or no
/// selling months left).
pub fn hires_needed(
    gap: f64,
    rate: f64,
    season: &[f64; 12],
    ramp: &Ramp,
    attrition: f64,
    earliest: u32,
) -> Option<HiresNeeded> {
    if gap <= 0.0 {
        return Some(HiresNeeded {
            count: 0,
            start_by: 12,
        });
    }
    let brings = |start: u32| {
        hire_capacity(rate, season, ramp, start, attrition)
            .iter()
            .sum::<f64>()
    };
    let first = brings(earliest);
    let hires = gap / first;
    if first.is_nan() || first <= 0.0 || !hires.is_finite() || hires > u32::MAX as f64 {
        return None;
    }
    // a relative tolerance, so that a gap a whole number of hires closes
    // exactly is not rounded up by the sums' last bit
    let count = (gap / first * (1.0 - 1e-12)).ceil().max(1.0) as u32;
    let closes = |start: u32| count as f64 * brings(start) >= gap * (1.0 - 1e-12);
    // the last month of the run of start months from `earliest` that all
    // still close it
    let start_by = (earliest..=12)
        .take_while(|&s| closes(s))
        .last()
        .unwrap_or(earliest);
    Some(HiresNeeded { count, start_by })
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Each leaf's productivity (module docs): its own where it sold for at
/// least [`MIN_EXPOSURE`] of last year, else its team's mean, else the
/// company's. A rep's season is its team's.
pub fn rep_rates(tree: &OrgTree, inputs: &CapacityInputs) -> Vec<Option<RepRate>> {
    let n = tree.len();
    let grow = 1.0 + inputs.productivity_growth;
    let mut own: Vec<Option<f64>> = vec![None; n];
    for (node, own) in own.iter_mut().enumerate() {
        if !tree.is_leaf(node) {
            continue;
        }
        let Some(team) = tree.parent(node) else {
            continue;
        };
        let season = &inputs.season[team];
        let factors = inputs.ramp.monthly_factors(
            tree.start_date(node),
            tree.end_date(node),
            inputs.year - 1,
        );
        let (mut sold, mut exposure) = (0.0, 0.0);
        for (m, value) in inputs.last_year[node].iter().enumerate() {
            if let Some(v) = value {
                sold += v;
                exposure += season[m] * factors[m];
            }
        }
        if exposure >= MIN_EXPOSURE {
            *own = Some(sold.max(0.0) / exposure * grow);
        }
    }
    let company = mean(&own.iter().flatten().copied().collect::<Vec<_>>());
    let mut rates: Vec<Option<RepRate>> = vec![None; n];
    for team in teams(tree) {
        let team_mean = mean(
            &tree
                .children(team)
                .filter_map(|c| own[c])
                .collect::<Vec<_>>(),
        );
        for c in tree.children(team).filter(|&c| tree.is_leaf(c)) {
            rates[c] = Some(match (own[c], team_mean) {
                (Some(rate), _) => RepRate {
                    rate,
                    source: RateSource::Own,
                },
                (None, Some(rate)) => RepRate {
                    rate,
                    source: RateSource::Team,
                },
                (None, None) => RepRate {
                    rate: company.unwrap_or(0.0),
                    source: RateSource::Company,
                },
            });
        }
    }
    rates
}

/// The capacity of every team of `tree` ([`teams`]) in each month of the
/// plan year, from its reps in the org file and its planned hires.
///
/// Fails when a hire names a node that is not a team, or a start month
/// outside 1–12, or when the inputs do not cover every node.
pub fn capacity_plan(tree: &OrgTree, inputs: &CapacityInputs) -> Result<CapacityPlan> {
    let n = tree.len();
    if inputs.last_year.len() != n || inputs.season.len() != n {
        return Err(Error::InvalidParameter {
            name: "capacity inputs",
            reason: format!("need one entry per node ({n})"),
        });
    }
    if !(0.0..1.0).contains(&inputs.attrition) {
        return Err(Error::InvalidParameter {
            name: "attrition",
            reason: format!("{} is not a rate in [0, 1)", inputs.attrition),
        });
    }
    if !(inputs.productivity_growth > -1.0 && inputs.productivity_growth.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "productivity growth",
            reason: format!("{} is not above -1", inputs.productivity_growth),
        });
    }
    let team_list = teams(tree);
    let mut is_team = vec![false; n];
    for &t in &team_list {
        is_team[t] = true;
    }
    for hire in inputs.hires {
        if hire.team >= n || !is_team[hire.team] {
            return Err(Error::InvalidParameter {
                name: "hires",
                reason: format!(
                    "'{}' is not a team (a node whose children are reps)",
                    tree.id(hire.team.min(n - 1))
                ),
            });
        }
        if !(1..=12).contains(&hire.start_month) {
            return Err(Error::InvalidParameter {
                name: "hires",
                reason: format!("start month {} is not 1 to 12", hire.start_month),
            });
        }
    }
    let rates = rep_rates(tree, inputs);
    let year_start = NaiveDate::from_ymd_opt(inputs.year, 1, 1);
    let year_end = NaiveDate::from_ymd_opt(inputs.year, 12, 31);
    let teams = team_list
        .into_iter()
        .map(|team| {
            let season = &inputs.season[team];
            let mut out = TeamCapacity {
                team,
                headcount: [0.0; 12],
                productive: [0.0; 12],
                capacity: [0.0; 12],
                hire_rate: 0.0,
                reps: 0,
                hires: 0,
            };
            let mut peer_rates = Vec::new();
            for rep in tree.children(team).filter(|&c| tree.is_leaf(c)) {
                let (start, end) = (tree.start_date(rep), tree.end_date(rep));
                let active = start.is_none_or(|s| Some(s) <= year_end)
                    && end.is_none_or(|e| Some(e) >= year_start);
                let rate = rates[rep].map_or(0.0, |r| r.rate);
                if rates[rep].is_some_and(|r| r.source == RateSource::Own) {
                    peer_rates.push(rate);
                }
                if !active {
                    continue;
                }
                out.reps += 1;
                let one = rep_capacity(
                    1.0,
                    &[1.0; 12],
                    &Ramp::none(),
                    start,
                    end,
                    inputs.year,
                    inputs.attrition,
                );
                let worked = rep_capacity(
                    1.0,
                    &[1.0; 12],
                    inputs.ramp,
                    start,
                    end,
                    inputs.year,
                    inputs.attrition,
                );
                let sells = rep_capacity(
                    rate,
                    season,
                    inputs.ramp,
                    start,
                    end,
                    inputs.year,
                    inputs.attrition,
                );
                for m in 0..12 {
                    out.headcount[m] += one[m];
                    out.productive[m] += worked[m];
                    out.capacity[m] += sells[m];
                }
            }
            out.hire_rate = mean(&peer_rates)
                .or_else(|| tree.children(team).find_map(|c| rates[c].map(|r| r.rate)))
                .unwrap_or_else(|| company_rate(&rates));
            for hire in inputs.hires.iter().filter(|h| h.team == team) {
                out.reps += hire.count as usize;
                out.hires += hire.count;
                let k = hire.count as f64;
                let one = hire_capacity(
                    1.0,
                    &[1.0; 12],
                    &Ramp::none(),
                    hire.start_month,
                    inputs.attrition,
                );
                let worked = hire_capacity(
                    1.0,
                    &[1.0; 12],
                    &hire.ramp,
                    hire.start_month,
                    inputs.attrition,
                );
                let sells = hire_capacity(
                    out.hire_rate,
                    season,
                    &hire.ramp,
                    hire.start_month,
                    inputs.attrition,
                );
                for m in 0..12 {
                    out.headcount[m] += k * one[m];
                    out.productive[m] += k * worked[m];
                    out.capacity[m] += k * sells[m];
                }
            }
            out
        })
        .collect();
    Ok(CapacityPlan { teams, rates })
}

fn company_rate(rates: &[Option<RepRate>]) -> f64 {
    mean(
        &rates
            .iter()
            .flatten()
            .filter(|r| r.source == RateSource::Own)
            .map(|r| r.rate)
            .collect::<Vec<_>>(),
    )
    .unwrap_or(0.0)
}

/// A team's or a larger unit's capacity against its target, by month.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeCapacity {
    /// The node: a team, or a node above teams (the sum of its teams).
    pub node: usize,
    /// Expected reps at mid-month.
    pub headcount: [f64; 12],
    /// Productive rep-months.
    pub productive: [f64; 12],
    /// What it can sell.
    pub capacity: [f64; 12],
    /// Its target.
    pub target: [f64; 12],
    /// Reps in the org during the year and planned hires.
    pub reps: usize,
    /// Planned hires.
    pub hires: u32,
    /// A hire's productivity (teams only).
    pub hire_rate: Option<f64>,
    /// The hires that close the year's gap, starting in the earliest month
    /// (teams: [`hires_needed`]; nodes above: their teams' sum, with the
    /// earliest `start_by`); `None` when a hire would sell nothing.
    pub hires_needed: Option<HiresNeeded>,
}

impl NodeCapacity {
    /// The year's target − capacity (positive: short of capacity).
    pub fn gap(&self) -> f64 {
        self.target.iter().sum::<f64>() - self.capacity.iter().sum::<f64>()
    }
}

/// How [`against_targets`] counts the hires that close a gap.
#[derive(Debug, Clone)]
pub struct HiringRule<'a> {
    /// The hires' ramp.
    pub ramp: &'a Ramp,
    /// The annual attrition rate.
    pub attrition: f64,
    /// The earliest month hires can start in (1–12).
    pub earliest: u32,
}

/// Every team's capacity (from [`capacity_plan`]) against its monthly
/// `target` (indexed by node), and every node above teams summed from its
/// teams, in tree order. A team's gap is closed by hires at its
/// [`TeamCapacity::hire_rate`] on its `season`; a node whose children are
/// not all reps counts its child units' hires.
///
/// ```
/// use salesplan::plan::allocate::Ramp;
/// use salesplan::plan::capacity::*;
/// use salesplan::plan::org::OrgTree;
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\nt,co\na,t\nb,t\n".as_bytes(), "org.csv".as_ref())?;
/// // a and b each sold 100 a month last year
/// let last_year = vec![[None; 12], [None; 12], [Some(100.0); 12], [Some(100.0); 12]];
/// let season = vec![[1.0 / 12.0; 12]; 4];
/// let ramp = Ramp::none();
/// let inputs = CapacityInputs { year: 2026, last_year: &last_year, season: &season, ramp: &ramp,
///     attrition: 0.0, productivity_growth: 0.0, hires: &[] };
/// let plan = capacity_plan(&tree, &inputs)?;
/// // the team must sell 3,000: 600 short; one hire closes it if they start by July
/// let targets = vec![Some([250.0; 12]); 4];
/// let rule = HiringRule { ramp: &ramp, attrition: 0.0, earliest: 1 };
/// let rows = against_targets(&tree, &plan, &targets, &season, &rule);
/// let team = rows.iter().find(|r| r.node == tree.index_of("t").unwrap()).unwrap();
/// assert_eq!(team.capacity.iter().sum::<f64>(), 2400.0);
/// assert_eq!(team.gap(), 600.0);
/// assert_eq!(team.hires_needed, Some(HiresNeeded { count: 1, start_by: 7 }));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn against_targets(
    tree: &OrgTree,
    plan: &CapacityPlan,
    targets: &[Option<[f64; 12]>],
    season: &[[f64; 12]],
    rule: &HiringRule,
) -> Vec<NodeCapacity> {
    let n = tree.len();
    let mut rows: Vec<Option<NodeCapacity>> = vec![None; n];
    for team in &plan.teams {
        rows[team.team] = Some(NodeCapacity {
            node: team.team,
            headcount: team.headcount,
            productive: team.productive,
            capacity: team.capacity,
            target: [0.0; 12],
            reps: team.reps,
            hires: team.hires,
            hire_rate: Some(team.hire_rate),
            hires_needed: None,
        });
    }
    // bottom-up: a node's teams are summed into it (level order reversed)
    let mut own_team = vec![false; n];
    for team in &plan.teams {
        own_team[team.team] = true;
    }
    for node in (0..n).rev() {
        if tree.is_leaf(node) {
            continue;
        }
        let mut sum: Option<NodeCapacity> = rows[node].take();
        let all_reps = tree.children(node).all(|c| tree.is_leaf(c));
        for child in tree.children(node) {
            let Some(c) = rows[child].as_ref() else {
                continue;
            };
            let s = sum.get_or_insert(NodeCapacity {
                node,
                headcount: [0.0; 12],
                productive: [0.0; 12],
                capacity: [0.0; 12],
                target: [0.0; 12],
                reps: 0,
                hires: 0,
                hire_rate: None,
                hires_needed: None,
            });
            for m in 0..12 {
                s.headcount[m] += c.headcount[m];
                s.productive[m] += c.productive[m];
                s.capacity[m] += c.capacity[m];
            }
            s.reps += c.reps;
            s.hires += c.hires;
        }
        if let Some(s) = sum.as_mut() {
            s.target = targets[node].unwrap_or([0.0; 12]);
            s.hires_needed = if own_team[node] && all_reps {
                hires_needed(
                    s.gap(),
                    s.hire_rate.unwrap_or(0.0),
                    &season[node],
                    rule.ramp,
                    rule.attrition,
                    rule.earliest,
                )
            } else {
                // the child units' hires: a unit without a way to close
                // its gap leaves the sum unknown
                tree.children(node)
                    .filter_map(|c| rows[c].as_ref())
                    .map(|c| c.hires_needed)
                    .try_fold(
                        HiresNeeded {
                            count: 0,
                            start_by: 12,
                        },
                        |acc, h| {
                            h.map(|h| HiresNeeded {
                                count: acc.count + h.count,
                                start_by: if h.count > 0 {
                                    acc.start_by.min(h.start_by)
                                } else {
                                    acc.start_by
                                },
                            })
                        },
                    )
            };
        }
        rows[node] = sum;
    }
    rows.into_iter().flatten().collect()
}
