//! Tracking actuals against plan during the year.
//!
//! After `elapsed` months of the plan year, for every node with a target:
//! the actual to date and the attainment to date, what the plan expected by
//! now, a run-rate projection (actual / elapsed × 12), a model-based
//! projection of the year end with an interval and the probability of
//! reaching the target, and the remaining gap spread over the remaining
//! months.
//!
//! With [`track_with_outlook`] the simulated remaining months come back
//! too, and [`reallocate`](reallocate::reallocate) re-splits what is left of
//! the root's target down the tree by the model's projection of them.
//!
//! The model projection refits AutoETS to each leaf's history up to date
//! and simulates the remaining months ([`simulate_plan_year`], seeded, the same
//! for any thread count); a node's year end is its actual to date plus the
//! sum of its leaves' remaining paths, path by path.
//!
//! ```
//! use salesplan::scenario::attainment::{LeafHistory, SimulationOptions};
//! use salesplan::plan::org::OrgTree;
//! use salesplan::track::{track, TrackInput};
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref()).unwrap();
//! let (a, b) = (tree.index_of("a").unwrap(), tree.index_of("b").unwrap());
//! // three years and a half of flat sales around 100 a month
//! let y: Vec<f64> = (0..42).map(|t| 100.0 + [3.0, -2.0, 1.0, -4.0, 2.0][t % 5]).collect();
//! let leaves = [
//!     LeafHistory { node: a, id: "a", values: &y, gap: 0, active: None, factors: None },
//!     LeafHistory { node: b, id: "b", values: &y, gap: 0, active: None, factors: None },
//! ];
//! let mut actual = vec![0.0; 3];
//! actual[a] = y[36..].iter().sum();
//! actual[b] = actual[a];
//! let mut targets = vec![None; 3];
//! targets[tree.root()] = Some(2400.0); // on track
//! targets[a] = Some(1500.0);          // out of reach
//! let input = TrackInput { tree: &tree, elapsed: 6, leaves: &leaves, newcomers: &[], actual_to_date: &actual, node_actuals: None, targets: &targets, expected_to_date: None };
//! let status = track(&input, &SimulationOptions { paths: 500, ..Default::default() }, 80.0).unwrap();
//! let co = status[tree.root()].as_ref().unwrap();
//! assert!((co.run_rate.unwrap() - 2.0 * co.actual_to_date).abs() < 1e-9);
//! assert!(co.probability > 0.2 && co.lower < co.projection && co.projection < co.upper);
//! let rep = status[a].as_ref().unwrap();
//! assert_eq!(rep.probability, 0.0);
//! assert_eq!(rep.gap_by_month.len(), 6);
//! assert!((rep.gap_by_month.iter().sum::<f64>() - rep.gap).abs() < 1e-9);
//! assert!(status[b].is_none()); // no target, no status
//! ```

pub mod actuals;
pub mod reallocate;
pub mod scorecard;

pub use actuals::{
    track_actuals, track_revised, PlanTargets, RevisedTracking, TrackRequest, TrackRun,
};

use crate::error::{Error, Result};
use crate::numeric::stats::quantile_type8;
use crate::plan::org::OrgTree;
use crate::scenario::attainment::{
    simulate_plan_year, LeafHistory, Newcomer, SimulationOptions, YearOutlook,
};

/// What tracking needs: vectors are indexed by node.
#[derive(Debug, Clone, Copy)]
pub struct TrackInput<'a> {
    pub tree: &'a OrgTree,
    /// Months of the plan year already closed (0..=12).
    pub elapsed: usize,
    /// Each leaf's history up to the last closed month (`gap`: months
    /// between its last observation and the first remaining month;
    /// `active`: which remaining months it sells in).
    pub leaves: &'a [LeafHistory<'a>],
    /// Leaves with too little history to fit (new hires), projected as
    /// their peers sell ([`simulate_plan_year`]); productivity over the
    /// remaining months.
    pub newcomers: &'a [Newcomer<'a>],
    /// Actual sales of the plan year to date, per leaf (summed up here).
    pub actual_to_date: &'a [f64],
    /// Each node's actual to date when it is not the sum of its leaves'
    /// (a node that held leaves for part of the year:
    /// [`Revision::share_under`](crate::plan::changes::Revision::share_under));
    /// `None`: summed up the tree.
    pub node_actuals: Option<&'a [f64]>,
    /// Annual target per node (`None`: not tracked).
    pub targets: &'a [Option<f64>],
    /// What the plan expected by now, per node (e.g. its monthly targets to
    /// date); `None`: the target × elapsed / 12.
    pub expected_to_date: Option<&'a [f64]>,
}

/// Where a node stands.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeStatus {
    pub target: f64,
    pub actual_to_date: f64,
    /// What the plan expected by now.
    pub expected_to_date: f64,
    /// Actual to date / target.
    pub attainment_to_date: Option<f64>,
    /// Actual to date / elapsed months × 12 (`None` before the first month closes).
    pub run_rate: Option<f64>,
    /// Model-based mean year end: actual to date + simulated remaining months.
    pub projection: f64,
    /// Central interval of the year end at the requested level.
    pub lower: f64,
    pub upper: f64,
    /// Probability of reaching the target by the year end.
    pub probability: f64,
    /// Target − actual to date, at least 0.
    pub gap: f64,
    /// The gap over the remaining months, by the model's monthly forecast
    /// (equal months when the forecast is zero).
    pub gap_by_month: Vec<f64>,
}

/// Statuses and the simulated remaining months behind them.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracking {
    /// Each tracked node's status (`None`: no target).
    pub status: Vec<Option<NodeStatus>>,
    /// The simulated remaining months of every node (`None` when the year
    /// is closed).
    pub outlook: Option<YearOutlook>,
    /// Which remaining months each leaf sells in (`None`: all).
    active: Vec<Option<Vec<bool>>>,
    remaining: usize,
}

impl Tracking {
    /// The mean simulated sales of every node's remaining months (0 for all
    /// when the year is closed): the basis of
    /// [`reallocate`](reallocate::reallocate).
    pub fn projected_remaining(&self) -> Vec<f64> {
        let n = self.status.len();
        match &self.outlook {
            Some(o) => (0..n).map(|i| o.mean(i)).collect(),
            None => vec![0.0; n],
        }
    }

    /// Spreads `amount` over the node's remaining months as the gap is
    /// spread: by the model's monthly forecast, or equally over the months
    /// it sells in when the forecast is zero (empty when the year is
    /// closed; `None` for a node not in the tree).
    pub fn phase(&self, node: usize, amount: f64) -> Option<Vec<f64>> {
        let active = self.active.get(node)?.as_deref();
        Some(match &self.outlook {
            Some(o) => spread(amount, o.point(node), active, self.remaining),
            None => Vec::new(),
        })
    }
}

/// `amount` over the remaining months in proportion to `profile`; equal
/// months over the selling ones when the profile is zero.
fn spread(amount: f64, profile: &[f64], active: Option<&[bool]>, remaining: usize) -> Vec<f64> {
    let total: f64 = profile.iter().sum();
    let selling = |k: usize| active.is_none_or(|a| a.get(k).copied().unwrap_or(true));
    let months = (0..remaining).filter(|&k| selling(k)).count();
    profile
        .iter()
        .enumerate()
        .map(|(k, p)| {
            if total > 0.0 {
                amount * p / total
            } else if months == 0 {
                amount / remaining as f64
            } else if selling(k) {
                amount / months as f64
            } else {
                0.0
            }
        })
        .collect()
}

/// Computes every tracked node's status; `level` is the interval's level in
/// percent (e.g. 80).
pub fn track(
    input: &TrackInput,
    options: &SimulationOptions,
    level: f64,
) -> Result<Vec<Option<NodeStatus>>> {
    Ok(track_with_outlook(input, options, level)?.status)
}

/// As [`track`], keeping the simulated remaining months (for
/// [`reallocate`](reallocate::reallocate) and for phasing amounts over them).
pub fn track_with_outlook(
    input: &TrackInput,
    options: &SimulationOptions,
    level: f64,
) -> Result<Tracking> {
    let tree = input.tree;
    let n = tree.len();
    if input.elapsed > 12 {
        return Err(Error::InvalidParameter {
            name: "elapsed months",
            reason: format!("{} is more than 12", input.elapsed),
        });
    }
    crate::numeric::stats::check_levels(&[level])?;
    for (name, len) in [
        ("actual_to_date", input.actual_to_date.len()),
        ("targets", input.targets.len()),
        (
            "expected_to_date",
            input.expected_to_date.map_or(n, <[f64]>::len),
        ),
    ] {
        if len != n {
            return Err(Error::InvalidParameter {
                name: "track input",
                reason: format!("{name} has {len} entries for {n} nodes"),
            });
        }
    }
    let mut actual = match input.node_actuals {
        Some(a) if a.len() == n => a.to_vec(),
        Some(a) => {
            return Err(Error::InvalidParameter {
                name: "track input",
                reason: format!("node_actuals has {} entries for {n} nodes", a.len()),
            })
        }
        None => tree.aggregate(input.actual_to_date)?,
    };
    actual.iter_mut().for_each(|a| *a += 0.0); // no "-0" from empty sums
    let mut active: Vec<Option<Vec<bool>>> = vec![None; n];
    for leaf in input.leaves {
        if leaf.node < n {
            active[leaf.node] = leaf.active.map(<[bool]>::to_vec);
        }
    }
    let remaining = 12 - input.elapsed;
    let outlook = if remaining > 0 {
        let options = SimulationOptions {
            periods: remaining,
            ..*options
        };
        Some(simulate_plan_year(
            tree,
            input.leaves,
            input.newcomers,
            &options,
        )?)
    } else {
        None
    };
    let alpha = (100.0 - level) / 200.0;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let Some(target) = input.targets[i] else {
            out.push(None);
            continue;
        };
        let done = actual[i];
        let expected_to_date = match input.expected_to_date {
            Some(e) => e[i],
            None => target * input.elapsed as f64 / 12.0,
        };
        let gap = (target - done).max(0.0);
        let (projection, lower, upper, probability, gap_by_month) = match &outlook {
            Some(o) => {
                let paths = o.annual(i);
                // no forecast: equal months, over the months the node sells in
                let spread = spread(gap, o.point(i), active[i].as_deref(), remaining);
                (
                    done + o.mean(i),
                    done + quantile_type8(paths, alpha),
                    done + quantile_type8(paths, 1.0 - alpha),
                    o.probability(i, target - done),
                    spread,
                )
            }
            None => (
                done,
                done,
                done,
                if done >= target { 1.0 } else { 0.0 },
                Vec::new(),
            ),
        };
        out.push(Some(NodeStatus {
            target,
            actual_to_date: done,
            expected_to_date,
            attainment_to_date: (target > 0.0).then(|| done / target),
            run_rate: (input.elapsed > 0).then(|| done / input.elapsed as f64 * 12.0),
            projection,
            lower,
            upper,
            probability,
            gap,
            gap_by_month,
        }));
    }
    Ok(Tracking {
        status: out,
        outlook,
        active,
        remaining,
    })
}
