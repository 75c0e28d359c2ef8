//! How attainable targets are: the probability of each node reaching its
//! annual target, from the forecast distribution.
//!
//! Every leaf's history is fitted once (AutoETS) and `paths` sample paths of
//! the plan year are simulated from it ([`FittedEts::simulate`], a seeded
//! ChaCha8 stream per leaf, see [`stream_seed`]). Paths are summed up the
//! tree *path by path*, so a team's distribution is that of the sum of its
//! reps' paths, not a combination of marginals. Each node keeps its annual
//! totals sorted; the probability of reaching a target is then a binary
//! search, so one simulation serves any number of scenarios.
//!
//! Before simulating, the whole procedure is backtested on the leaves' own
//! history ([`Recalibration`], [`Calibration`]): the shape of a year's
//! error relative to the model's spread, a level correction as far as the
//! backtest origins agree on it, and the leaves' annual-error correlation.
//! Leaves' errors share one common factor of that weight ρ ([`Correlation`];
//! from the in-sample residuals when there are too few backtests): a
//! team's or the company's total is then more uncertain than a sum of
//! independent reps. Each leaf's simulated totals are mapped, rank by rank,
//! onto the calibrated distribution.
//!
//! ```
//! use salesplan::scenario::attainment::{simulate_year, LeafHistory, SimulationOptions};
//! use salesplan::plan::org::OrgTree;
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nb,co\n".as_bytes(), "org.csv".as_ref()).unwrap();
//! let y: Vec<f64> = (0..48).map(|t| 100.0 + 10.0 * ((t % 12) as f64 - 5.5).abs() + (t * 7 % 5) as f64).collect();
//! let leaves = [
//!     LeafHistory { node: tree.index_of("a").unwrap(), id: "a", values: &y, gap: 0, active: None, factors: None },
//!     LeafHistory { node: tree.index_of("b").unwrap(), id: "b", values: &y, gap: 0, active: None, factors: None },
//! ];
//! let outlook = simulate_year(&tree, &leaves, &SimulationOptions::default()).unwrap();
//! let co = tree.root();
//! let expected = outlook.mean(co);
//! // a target at the expected total is reached about half the time
//! let p = outlook.probability(co, expected);
//! assert!(p > 0.3 && p < 0.7);
//! assert!(outlook.probability(co, 1.2 * expected) <= p);
//! assert_eq!(outlook.probability(co, 0.0), 1.0);
//! ```

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::events::EventCalendar;
use crate::forecast::events::event_adjustments;
use crate::forecast::series::{Series, TimeIndex};
use crate::plan::allocate::Ramp;
use crate::plan::org::OrgTree;
use rand::SeedableRng;
use rand_distr::Distribution;

use crate::forecast::models::ets::{stream_seed, AutoEts, CommonShocks, Ets, EtsSpec, FittedEts};
use crate::scenario::calibration::{BacktestSeries, Backtests, Calibration};

/// How the leaves' simulated errors relate to each other.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Correlation {
    /// Every leaf simulated on its own.
    Independent,
    /// One shared factor: any two leaves' errors correlate by ρ (0 ≤ ρ < 1).
    Fixed(f64),
    /// One shared factor with ρ estimated from the leaves' backtests
    /// ([`Calibration::correlation`]), or from their in-sample residuals
    /// ([`estimate_correlation`]) when there are too few backtests.
    #[default]
    Estimated,
}

/// Whether to calibrate the simulated plan year on rolling-origin
/// backtests of the leaves' history ([`Calibration`]): the shape of the
/// annual errors, a level correction as far as the origins agree on it,
/// and the leaves' error correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Recalibration {
    /// Use the fitted models as they are.
    None,
    /// Backtest by refitting the form chosen on the whole history (one fit
    /// per window instead of a search): cheaper, but the form already saw
    /// the windows, so the errors it finds are on the small side.
    SameForm,
    /// Backtest the whole automatic choice on the history before each
    /// origin: the procedure's own errors.
    #[default]
    Reselect,
}

impl std::str::FromStr for Recalibration {
    type Err = crate::Error;

    /// The command line's names: `none`, `same-form`, `reselect`.
    ///
    /// ```
    /// use salesplan::scenario::attainment::Recalibration;
    /// assert_eq!("same-form".parse::<Recalibration>()?, Recalibration::SameForm);
    /// assert!("sometimes".parse::<Recalibration>().is_err());
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    fn from_str(text: &str) -> crate::Result<Recalibration> {
        match text {
            "none" => Ok(Recalibration::None),
            "same-form" => Ok(Recalibration::SameForm),
            "reselect" => Ok(Recalibration::Reselect),
            _ => Err(crate::Error::InvalidParameter {
                name: "recalibrate",
                reason: format!("'{text}': one of none, same-form, reselect"),
            }),
        }
    }
}

/// The leaves' model for the simulation from its command-line name:
/// `auto-ets` (the form chosen per leaf, `None`) or `ets:<form>` (one form
/// for every leaf).
///
/// ```
/// use salesplan::scenario::attainment::parse_form;
/// assert_eq!(parse_form("auto-ets")?, None);
/// assert_eq!(parse_form("ets:MAM")?.map(|f| f.to_string()).as_deref(), Some("MAM"));
/// assert!(parse_form("theta").is_err());
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn parse_form(model: &str) -> crate::Result<Option<EtsSpec>> {
    match model.trim() {
        "auto-ets" => Ok(None),
        other => match other.strip_prefix("ets:") {
            Some(form) => Ok(Some(form.parse()?)),
            None => Err(crate::Error::InvalidParameter {
                name: "model",
                reason: format!("'{other}': expected auto-ets or ets:<form> (e.g. ets:MAM)"),
            }),
        },
    }
}

/// How to simulate the plan year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulationOptions {
    /// Sample paths per leaf.
    pub paths: usize,
    /// The base seed; each leaf's stream mixes in its id.
    pub seed: u64,
    /// Season length of the leaves' histories (12 for months).
    pub season_length: usize,
    /// Periods in the plan year (12 for months).
    pub periods: usize,
    /// One ETS form for every leaf instead of choosing by AICc (about ten
    /// times fewer fits); a leaf the form cannot fit (say a multiplicative
    /// form on a series with zeros) falls back to the automatic choice.
    pub form: Option<EtsSpec>,
    /// Whether leaves move together (a team's or the company's total is
    /// far more uncertain when they do).
    pub correlation: Correlation,
    /// Optimiser budget per candidate fit. The default 300 ([`AutoEts`]'s
    /// too) fits in a third of the time of 1000 at the same accuracy:
    /// on the 3003 M3 series sMAPE / MASE / 95% coverage 13.227 / 1.383 /
    /// 91.2% against 13.234 / 1.382 / 91.0% with 500 and 13.238 / 1.382 /
    /// 91.0% with 1000; 200 is worse (13.287 / 1.391) (BENCHMARKS.md).
    pub max_evaluations: usize,
    /// Calibration on rolling-origin backtests ([`Calibration`]).
    pub recalibration: Recalibration,
}

impl Default for SimulationOptions {
    fn default() -> SimulationOptions {
        SimulationOptions {
            paths: 1000,
            seed: 20_260_101,
            season_length: 12,
            periods: 12,
            form: None,
            correlation: Correlation::default(),
            max_evaluations: 300,
            recalibration: Recalibration::default(),
        }
    }
}

/// One leaf's history before the plan year.
#[derive(Debug, Clone, Copy)]
pub struct LeafHistory<'a> {
    /// The leaf's node index.
    pub node: usize,
    /// Its id (mixed into the seed).
    pub id: &'a str,
    /// Observations up to the last period before the plan year.
    pub values: &'a [f64],
    /// Periods between the last observation and the plan year's first
    /// (0 when the history ends right before the plan year).
    pub gap: usize,
    /// Which periods of the plan year the leaf sells in (`None`: all);
    /// inactive periods count zero in every path and in the point forecast.
    pub active: Option<&'a [bool]>,
    /// Multipliers of the plan year's periods (`None`: all 1): the events
    /// of each period put back into a model fitted on the history with the
    /// events taken out ([`EventAdjustment`](crate::forecast::events::EventAdjustment)).
    pub factors: Option<&'a [f64]>,
}

/// Per leaf: its history with the events taken out, and its plan periods'
/// multipliers ([`take_out_events`]).
pub type EventFree = (Vec<Vec<f64>>, Vec<Vec<f64>>);

/// The leaves' histories with `calendar`'s events taken out, and the
/// multipliers of their `periods` plan periods (after each leaf's gap):
/// what [`LeafHistory::values`] and [`LeafHistory::factors`] take for a
/// simulation with events ([`event_adjustments`]: the events chosen on the
/// leaves' total, each leaf's effects pooled towards it). `indices[k]` is
/// the time index of leaf k's history.
pub fn take_out_events(
    leaves: &[LeafHistory],
    indices: &[&TimeIndex],
    calendar: &EventCalendar,
    periods: usize,
) -> Result<EventFree> {
    let horizon = leaves.iter().map(|l| l.gap).max().unwrap_or(0) + periods;
    let cut: Vec<Series> = leaves
        .iter()
        .zip(indices)
        .map(|(l, index)| Series::with_index(l.id, l.values.to_vec(), (*index).clone()))
        .collect::<Result<_>>()?;
    let adjustments = event_adjustments(&cut, calendar, horizon)?;
    let values = leaves
        .iter()
        .zip(&adjustments)
        .map(|(l, a)| a.take_out(l.values))
        .collect();
    let factors = leaves
        .iter()
        .zip(&adjustments)
        .map(|(l, a)| a.future_factors()[l.gap..l.gap + periods].to_vec())
        .collect();
    Ok((values, factors))
}

/// `leaves` with the histories and plan periods' multipliers of `free`
/// (from [`take_out_events`] on the same leaves, in the same order).
pub fn with_events<'a>(leaves: Vec<LeafHistory<'a>>, free: &'a EventFree) -> Vec<LeafHistory<'a>> {
    let (values, factors) = free;
    leaves
        .into_iter()
        .zip(values.iter().zip(factors))
        .map(|(l, (v, f))| LeafHistory {
            values: v,
            factors: Some(f),
            ..l
        })
        .collect()
}

/// The calendar months of `year` in which a node sells: from its start
/// date's month to its end date's month (as [`Ramp`]
/// counts them).
///
/// ```
/// use chrono::NaiveDate;
/// use salesplan::scenario::attainment::active_months;
/// let end = NaiveDate::from_ymd_opt(2026, 3, 31);
/// let months = active_months(None, end, 2026);
/// assert_eq!(months.iter().filter(|m| **m).count(), 3);
/// ```
pub fn active_months(
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
    year: i32,
) -> [bool; 12] {
    use chrono::Datelike;
    let index = |d: chrono::NaiveDate| d.year() as i64 * 12 + d.month0() as i64;
    let mut out = [true; 12];
    for (m, active) in out.iter_mut().enumerate() {
        let k = year as i64 * 12 + m as i64;
        *active = start.is_none_or(|s| index(s) <= k) && end.is_none_or(|e| k <= index(e));
    }
    out
}

/// The simulated plan year of every node of a tree.
#[derive(Debug, Clone, PartialEq)]
pub struct YearOutlook {
    paths: usize,
    periods: usize,
    /// `n × paths` annual totals, each node's block sorted ascending.
    sorted: Vec<f64>,
    /// Mean annual total per node.
    mean: Vec<f64>,
    /// Point forecast per node and period (`n × periods`), negative
    /// months counted as 0, summed up the tree.
    point: Vec<f64>,
    /// The correlation of the leaves' errors used in the simulation.
    correlation: f64,
    /// The calibration from the leaves' backtests, when one was made.
    calibration: Option<Calibration>,
}

/// Fits AutoETS to every leaf's history and simulates the plan year
/// (leaves in parallel, each with its own seeded stream: the result is the
/// same for any number of threads). Leaves without history sell nothing in
/// every path. Simulated months below zero count as zero.
pub fn simulate_year(
    tree: &OrgTree,
    leaves: &[LeafHistory],
    options: &SimulationOptions,
) -> Result<YearOutlook> {
    simulate_plan_year(tree, leaves, &[], options)
}

/// A leaf with too little history of its own to fit (a new hire): it is
/// simulated as its established peers sell, scaled by its productivity.
#[derive(Debug, Clone, PartialEq)]
pub struct Newcomer<'a> {
    /// The leaf's node index.
    pub node: usize,
    /// Its id (mixed into the seed).
    pub id: &'a str,
    /// Its productivity in each period of the plan year, from 0 (not yet
    /// or no longer there) to 1 (a full peer), e.g. a ramp's monthly
    /// factors ([`Ramp::monthly_factors`](crate::plan::allocate::Ramp::monthly_factors)).
    pub productivity: Vec<f64>,
}

/// The newcomers of `tree` for plan year `year`: its leaves without a model
/// (`modelled[v]` false), at the default [`Ramp`]'s productivity over the
/// calendar months of `year` from month `from` (0-based: 0 for the whole
/// year, the months already closed when tracking); leaves with no
/// productivity left (gone before those months) are not newcomers.
///
/// ```
/// use salesplan::scenario::attainment::newcomers;
/// use salesplan::plan::org::OrgTree;
/// let tree = OrgTree::read_from("node_id,parent_id,name,start_date\nco,,,\na,co,,\nnew,co,,2026-11-01\n".as_bytes(), "org.csv".as_ref())?;
/// let modelled = [false, true, false];
/// let c = newcomers(&tree, &modelled, 2026, 0);
/// assert_eq!((c.len(), c[0].id), (1, "new"));
/// assert_eq!(c[0].productivity[10..], [0.25, 0.5]);
/// assert_eq!(newcomers(&tree, &modelled, 2026, 10)[0].productivity, [0.25, 0.5]);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn newcomers<'a>(
    tree: &'a OrgTree,
    modelled: &[bool],
    year: i32,
    from: usize,
) -> Vec<Newcomer<'a>> {
    let ramp = Ramp::default();
    (0..tree.len())
        .filter(|&v| tree.is_leaf(v) && !modelled.get(v).copied().unwrap_or(false))
        .map(|v| Newcomer {
            node: v,
            id: tree.id(v),
            productivity: ramp
                .monthly_factors(tree.start_date(v), tree.end_date(v), year)
                .get(from..)
                .unwrap_or_default()
                .to_vec(),
        })
        .filter(|c| c.productivity.iter().any(|&p| p > 0.0))
        .collect()
}

/// [`simulate_year`], with newcomers: each path of a newcomer is the same
/// path of one of its peers (the leaves with a model selling all year under
/// its parent, or under the nearest ancestor that has some — part-year
/// sellers only when there are no others; a seeded rotation picks which
/// peer for which path) times its productivity share, the peers' point
/// forecast weighted by month. A newcomer thus carries a peer's whole
/// uncertainty, and the common factor of that path. No peers: zero.
///
/// ```
/// use salesplan::scenario::attainment::{simulate_plan_year, LeafHistory, Newcomer, SimulationOptions};
/// use salesplan::plan::org::OrgTree;
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\nnew,co\n".as_bytes(), "org.csv".as_ref()).unwrap();
/// let y: Vec<f64> = (0..48).map(|t| 100.0 + 10.0 * ((t % 12) as f64 - 5.5).abs() + (t * 7 % 5) as f64).collect();
/// let a = tree.index_of("a").unwrap();
/// let leaves = [LeafHistory { node: a, id: "a", values: &y, gap: 0, active: None, factors: None }];
/// // joins in July at full productivity
/// let productivity = (0..12).map(|m| if m >= 6 { 1.0 } else { 0.0 }).collect();
/// let new = Newcomer { node: tree.index_of("new").unwrap(), id: "new", productivity };
/// let outlook = simulate_plan_year(&tree, &leaves, &[new], &SimulationOptions::default()).unwrap();
/// let n = tree.index_of("new").unwrap();
/// assert_eq!(outlook.point(n)[..6], [0.0; 6]);
/// let share = outlook.point_annual(n) / outlook.point_annual(a);
/// assert!(share > 0.4 && share < 0.6);
/// assert!(outlook.probability(n, 0.2 * outlook.mean(a)) > 0.99);
/// ```
pub fn simulate_plan_year(
    tree: &OrgTree,
    leaves: &[LeafHistory],
    newcomers: &[Newcomer],
    options: &SimulationOptions,
) -> Result<YearOutlook> {
    let (paths, periods) = (options.paths, options.periods);
    if paths == 0 || periods == 0 {
        return Err(Error::InvalidParameter {
            name: "simulation",
            reason: format!("{paths} paths of {periods} periods"),
        });
    }
    let n = tree.len();
    let mut owner = vec![usize::MAX; n];
    for (k, leaf) in leaves.iter().enumerate() {
        if leaf.node >= n || !tree.is_leaf(leaf.node) {
            return Err(Error::InvalidParameter {
                name: "leaf history",
                reason: format!("'{}' is not a leaf of the tree", leaf.id),
            });
        }
        if owner[leaf.node] != usize::MAX {
            return Err(Error::InvalidParameter {
                name: "leaf history",
                reason: format!("'{}' is given twice", leaf.id),
            });
        }
        owner[leaf.node] = k;
    }
    for c in newcomers {
        if c.node >= n || !tree.is_leaf(c.node) || owner[c.node] != usize::MAX {
            return Err(Error::InvalidParameter {
                name: "newcomer",
                reason: format!(
                    "'{}' is not a leaf of the tree, or it also has a history",
                    c.id
                ),
            });
        }
        if c.productivity.len() != periods
            || c.productivity.iter().any(|p| !(0.0..=1.0).contains(p))
        {
            return Err(Error::InvalidParameter {
                name: "newcomer",
                reason: format!(
                    "'{}': productivity must be {periods} values between 0 and 1",
                    c.id
                ),
            });
        }
    }
    let fits: Vec<Option<FittedEts>> = leaves
        .par_iter()
        .map(|leaf| fit_leaf(leaf, options))
        .collect::<Result<_>>()?;
    // rolling-origin backtests of the whole procedure: the shape, level
    // and dependence of the leaves' annual errors
    let calibration = calibrate(tree, leaves, &fits, options);
    let rho = match options.correlation {
        Correlation::Independent => 0.0,
        Correlation::Fixed(r) => {
            if !(0.0..1.0).contains(&r) {
                return Err(Error::InvalidParameter {
                    name: "correlation",
                    reason: format!("must be in [0, 1), got {r}"),
                });
            }
            r
        }
        Correlation::Estimated => calibration
            .as_ref()
            .and_then(|c| c.correlation)
            .unwrap_or_else(|| estimate_correlation(leaves, &fits)),
    };
    // the shared factor, aligned on the calendar: step s of a leaf whose
    // history ends `gap` periods before the plan year is draw
    // `max_gap - gap + s` of every path
    let max_gap = leaves.iter().map(|l| l.gap).max().unwrap_or(0);
    let len = max_gap + periods;
    let draws: Vec<f64> = if rho > 0.0 {
        let mut rng =
            rand_chacha::ChaCha8Rng::seed_from_u64(stream_seed(options.seed, "common factor"));
        (0..paths * len)
            .map(|_| rand_distr::StandardNormal.sample(&mut rng))
            .collect()
    } else {
        Vec::new()
    };
    let sims: Vec<Result<(Vec<f64>, Vec<f64>)>> = leaves
        .par_iter()
        .zip(&fits)
        .map(|(leaf, fit)| {
            let common = (rho > 0.0).then_some(CommonShocks {
                draws: &draws,
                len,
                offset: max_gap - leaf.gap,
                rho,
            });
            let (mut annual, mut monthly) =
                simulate_leaf(leaf, fit.as_ref(), options, common.as_ref())?;
            if let Some(c) = &calibration {
                c.apply(&mut annual);
                monthly.iter_mut().for_each(|v| *v *= c.level);
            }
            Ok((annual, monthly))
        })
        .collect();
    let mut sums = vec![0.0; n * paths];
    let mut point = vec![0.0; n * periods];
    for (leaf, draw) in leaves.iter().zip(sims) {
        let (annual, monthly) = draw?;
        sums[leaf.node * paths..(leaf.node + 1) * paths].copy_from_slice(&annual);
        point[leaf.node * periods..(leaf.node + 1) * periods].copy_from_slice(&monthly);
    }
    // peers: leaves with a model, preferably selling in every period (a
    // leaver's masked months would make a newcomer who replaces them sell
    // nothing)
    let mut peer = vec![Peer::No; n];
    for (leaf, fit) in leaves.iter().zip(&fits) {
        if fit.is_some() {
            let all_year = leaf
                .active
                .is_none_or(|a| (0..periods).all(|k| a.get(k).copied().unwrap_or(true)));
            peer[leaf.node] = if all_year {
                Peer::AllYear
            } else {
                Peer::PartYear
            };
        }
    }
    for c in newcomers {
        simulate_newcomer(tree, c, &peer, options, &mut sums, &mut point);
    }
    let mut outlook = YearOutlook::from_leaf_sums(tree, paths, periods, sums, point);
    outlook.correlation = rho;
    outlook.calibration = calibration;
    Ok(outlook)
}

/// Fills a newcomer's paths and point forecast from its peers' (leaf rows
/// of `sums` and `point`, before they are summed up the tree).
/// Whether a node can serve as a newcomer's peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peer {
    No,
    /// Modelled, selling in every period.
    AllYear,
    /// Modelled, selling in some periods only.
    PartYear,
}

fn simulate_newcomer(
    tree: &OrgTree,
    newcomer: &Newcomer,
    peer: &[Peer],
    options: &SimulationOptions,
    sums: &mut [f64],
    point: &mut [f64],
) {
    let (paths, periods) = (options.paths, options.periods);
    // the nearest ancestor with whole-year sellers under it; failing that,
    // the nearest with any modelled leaf
    let under = |a: usize, accept: &dyn Fn(Peer) -> bool| {
        let mut found = Vec::new();
        let mut stack = vec![a];
        while let Some(v) = stack.pop() {
            if accept(peer[v]) {
                found.push(v);
            }
            stack.extend(tree.children(v).rev());
        }
        found
    };
    let nearest = |accept: &dyn Fn(Peer) -> bool| {
        let mut ancestor = tree.parent(newcomer.node);
        while let Some(a) = ancestor {
            let found = under(a, accept);
            if !found.is_empty() {
                return found;
            }
            ancestor = tree.parent(a);
        }
        Vec::new()
    };
    let mut peers = nearest(&|p| p == Peer::AllYear);
    if peers.is_empty() {
        peers = nearest(&|p| p != Peer::No);
    }
    if peers.is_empty() {
        return;
    }
    peers.sort_unstable();
    let mut profile = vec![0.0; periods];
    for &p in &peers {
        for (o, v) in profile
            .iter_mut()
            .zip(&point[p * periods..(p + 1) * periods])
        {
            *o += v / peers.len() as f64;
        }
    }
    let full: f64 = profile.iter().sum();
    let own: Vec<f64> = profile
        .iter()
        .zip(&newcomer.productivity)
        .map(|(v, f)| v * f)
        .collect();
    let share = if full > 0.0 {
        own.iter().sum::<f64>() / full
    } else {
        newcomer.productivity.iter().sum::<f64>() / periods as f64
    };
    point[newcomer.node * periods..(newcomer.node + 1) * periods].copy_from_slice(&own);
    let offset = (stream_seed(options.seed, newcomer.id) % peers.len() as u64) as usize;
    for k in 0..paths {
        let peer = peers[(k + offset) % peers.len()];
        sums[newcomer.node * paths + k] = sums[peer * paths + k] * share;
    }
}

/// The model of one leaf (`None` without history).
fn fit_leaf(leaf: &LeafHistory, options: &SimulationOptions) -> Result<Option<FittedEts>> {
    if leaf.values.is_empty() {
        return Ok(None);
    }
    let fixed = options.form.and_then(|form| {
        Ets::new(form, options.season_length)
            .and_then(|model| {
                model
                    .with_max_evaluations(options.max_evaluations)
                    .fit(leaf.values)
            })
            .ok()
    });
    match fixed {
        Some(fit) => Ok(fit),
        None => AutoEts::new(options.season_length)
            .max_evaluations(options.max_evaluations)
            .fit(leaf.values),
    }
    .map(Some)
    .map_err(|e| match e {
        Error::NoModel { reason, .. } => Error::NoModel {
            series: leaf.id.to_string(),
            reason,
        },
        other => Error::NoModel {
            series: leaf.id.to_string(),
            reason: other.to_string(),
        },
    })
}

/// The calibration of the leaves' simulated year from rolling-origin
/// backtests of the fitted ones ([`Calibration`]), refitting as
/// `options.recalibration` says; `None` with [`Recalibration::None`] or too
/// little history.
fn calibrate(
    tree: &OrgTree,
    leaves: &[LeafHistory],
    fits: &[Option<FittedEts>],
    options: &SimulationOptions,
) -> Option<Calibration> {
    if options.recalibration == Recalibration::None {
        return None;
    }
    let fitted: Vec<(&LeafHistory, &FittedEts)> = leaves
        .iter()
        .zip(fits)
        .filter_map(|(leaf, fit)| Some((leaf, fit.as_ref()?)))
        .collect();
    let series: Vec<BacktestSeries> = fitted
        .iter()
        .map(|(leaf, _)| BacktestSeries {
            id: leaf.id,
            values: leaf.values,
        })
        .collect();
    let refit = |k: usize, train: &[f64]| -> Option<FittedEts> {
        let (leaf, fit) = fitted[k];
        match options.recalibration {
            // the same procedure as the plan year's fit
            Recalibration::Reselect => fit_leaf(
                &LeafHistory {
                    values: train,
                    ..*leaf
                },
                options,
            )
            .ok()
            .flatten(),
            _ => Ets::new(fit.spec, options.season_length)
                .and_then(|e| e.with_max_evaluations(options.max_evaluations).fit(train))
                .ok(),
        }
    };
    Calibration::from_backtests(
        &series,
        &Backtests {
            periods: options.periods,
            group: typical_team(tree, leaves),
            season_length: options.season_length,
            seed: options.seed,
            refit: &refit,
        },
    )
}

/// How many leaves a parent of leaves has, rounded (1 when the leaves
/// hang from no parent).
fn typical_team(tree: &OrgTree, leaves: &[LeafHistory]) -> usize {
    let mut parents: Vec<usize> = leaves.iter().filter_map(|l| tree.parent(l.node)).collect();
    parents.sort_unstable();
    parents.dedup();
    if parents.is_empty() {
        1
    } else {
        (leaves.len() as f64 / parents.len() as f64).round() as usize
    }
}

/// The average correlation of the leaves' standardised one-step residuals
/// in the same calendar period (the last 36 periods before the plan year):
/// ρ = Σ_t (S_t² − Q_t) / Σ_t (c_t² − c_t), with S_t the sum, Q_t the sum of
/// squares and c_t the number of the standardised residuals of period t —
/// the mean of the pairwise products, i.e. the one-factor model's ρ.
/// Clamped to [0, 0.95]; 0 with fewer than two leaves.
pub fn estimate_correlation(leaves: &[LeafHistory], fits: &[Option<FittedEts>]) -> f64 {
    const WINDOW: usize = 36;
    let mut sum = [0.0; WINDOW];
    let mut squares = [0.0; WINDOW];
    let mut count = [0.0; WINDOW];
    for (leaf, fit) in leaves.iter().zip(fits) {
        let Some(fit) = fit else { continue };
        let r = &fit.residuals;
        let sd = (r.iter().map(|e| e * e).sum::<f64>() / r.len().max(1) as f64).sqrt();
        if !(sd > 0.0 && sd.is_finite()) {
            continue;
        }
        for (back, e) in r.iter().rev().enumerate() {
            let age = leaf.gap + back; // periods before the plan year, minus one
            if age >= WINDOW {
                break;
            }
            let z = e / sd;
            sum[age] += z;
            squares[age] += z * z;
            count[age] += 1.0;
        }
    }
    let (mut num, mut den) = (0.0, 0.0);
    for t in 0..WINDOW {
        num += sum[t] * sum[t] - squares[t];
        den += count[t] * count[t] - count[t];
    }
    if den > 0.0 {
        (num / den).clamp(0.0, 0.95)
    } else {
        0.0
    }
}

/// One leaf: annual totals of each path, point forecast of each period.
fn simulate_leaf(
    leaf: &LeafHistory,
    fit: Option<&FittedEts>,
    options: &SimulationOptions,
    common: Option<&CommonShocks>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let (paths, periods) = (options.paths, options.periods);
    let Some(fit) = fit else {
        return Ok((vec![0.0; paths], vec![0.0; periods]));
    };
    let h = leaf.gap + periods;
    let active = |k: usize| {
        leaf.active
            .is_none_or(|a| a.get(k).copied().unwrap_or(true))
    };
    let factor = |k: usize| leaf.factors.and_then(|f| f.get(k).copied()).unwrap_or(1.0);
    let mut weights = vec![0.0; h];
    for (k, w) in weights[leaf.gap..].iter_mut().enumerate() {
        *w = if active(k) { factor(k) } else { 0.0 };
    }
    let mut annual = vec![0.0; paths];
    fit.simulate_sums_with(
        &weights,
        Some(0.0),
        stream_seed(options.seed, leaf.id),
        common,
        &mut annual,
    )
    .map_err(|e| Error::NoModel {
        series: leaf.id.to_string(),
        reason: e.to_string(),
    })?;
    let monthly = fit.point_forecast(h)[leaf.gap..]
        .iter()
        .enumerate()
        .map(|(k, v)| {
            if active(k) {
                v.max(0.0) * factor(k)
            } else {
                0.0
            }
        })
        .collect();
    Ok((annual, monthly))
}

impl YearOutlook {
    /// From the leaves' simulated annual totals (`n × paths`, node-major;
    /// inner nodes' entries are overwritten) and point forecasts per period
    /// (`n × periods`): sums both up the tree, path by path, then sorts
    /// each node's totals.
    pub fn from_leaf_sums(
        tree: &OrgTree,
        paths: usize,
        periods: usize,
        mut sums: Vec<f64>,
        mut point: Vec<f64>,
    ) -> YearOutlook {
        let n = tree.len();
        debug_assert_eq!(sums.len(), n * paths);
        debug_assert_eq!(point.len(), n * periods);
        for (values, width) in [(&mut sums, paths), (&mut point, periods)] {
            for i in (0..n).rev() {
                let kids = tree.children(i);
                if kids.is_empty() {
                    continue;
                }
                let (head, tail) = values.split_at_mut(kids.start * width);
                let own = &mut head[i * width..(i + 1) * width];
                own.iter_mut().for_each(|v| *v = 0.0);
                for child in tail[..kids.len() * width].chunks_exact(width) {
                    for (o, c) in own.iter_mut().zip(child) {
                        *o += c;
                    }
                }
            }
        }
        let mean = sums
            .chunks_exact(paths)
            .map(|block| block.iter().sum::<f64>() / paths as f64)
            .collect();
        sums.par_chunks_mut(paths)
            // values equal under total_cmp are the same bits: unstable is exact
            .for_each(|block| block.sort_unstable_by(f64::total_cmp));
        YearOutlook {
            paths,
            periods,
            sorted: sums,
            mean,
            point,
            correlation: 0.0,
            calibration: None,
        }
    }

    /// The correlation of the leaves' errors the simulation used (0: independent).
    pub fn correlation(&self) -> f64 {
        self.correlation
    }

    /// The calibration learnt from the leaves' rolling-origin backtests
    /// (`None`: not made, or too few leaves had enough history), which
    /// mapped every leaf's paths ([`Calibration`]).
    pub fn calibration(&self) -> Option<&Calibration> {
        self.calibration.as_ref()
    }

    /// Sample paths per node.
    pub fn paths(&self) -> usize {
        self.paths
    }

    /// Periods in the year.
    pub fn periods(&self) -> usize {
        self.periods
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }

    /// The node's simulated annual totals, ascending.
    pub fn annual(&self, node: usize) -> &[f64] {
        &self.sorted[node * self.paths..(node + 1) * self.paths]
    }

    /// The node's mean simulated annual total.
    pub fn mean(&self, node: usize) -> f64 {
        self.mean[node]
    }

    /// The node's point forecast per period.
    pub fn point(&self, node: usize) -> &[f64] {
        &self.point[node * self.periods..(node + 1) * self.periods]
    }

    /// The node's point forecast for the year.
    pub fn point_annual(&self, node: usize) -> f64 {
        self.point(node).iter().sum()
    }

    /// The share of paths whose annual total reaches `target` (`≥`): in
    /// `[0, 1]`, non-increasing in `target`.
    pub fn probability(&self, node: usize, target: f64) -> f64 {
        let block = self.annual(node);
        let below = block.partition_point(|&v| v < target);
        (block.len() - below) as f64 / block.len() as f64
    }

    /// [`probability`](Self::probability) of every node at once (`targets`
    /// and `out` one entry per node): the same numbers, computed by
    /// interleaved branch-free binary searches over groups of nodes, so the
    /// memory loads of different nodes overlap instead of waiting on each
    /// other (several times faster on trees whose paths exceed the cache).
    pub fn probabilities_into(&self, targets: &[f64], out: &mut [f64]) {
        const GROUP: usize = 16;
        let p = self.paths;
        let nodes = targets.len().min(out.len()).min(self.len());
        let mut start = 0;
        while start < nodes {
            let count = GROUP.min(nodes - start);
            let mut base = [0usize; GROUP];
            let mut len = p;
            while len > 1 {
                let half = len / 2;
                for (g, b) in base[..count].iter_mut().enumerate() {
                    let node = start + g;
                    let v = self.sorted[node * p + *b + half];
                    *b += usize::from(v < targets[node]) * half;
                }
                len -= half;
            }
            for (g, &b) in base[..count].iter().enumerate() {
                let node = start + g;
                let below = b + usize::from(self.sorted[node * p + b] < targets[node]);
                out[node] = (p - below) as f64 / p as f64;
            }
            start += count;
        }
    }

    /// Scores a plan (one annual target per node).
    pub fn score(&self, tree: &OrgTree, targets: &[f64]) -> Result<Attainment> {
        let n = tree.len();
        if targets.len() != n || self.len() != n {
            return Err(Error::InvalidParameter {
                name: "targets",
                reason: format!(
                    "{} targets, {} simulated nodes, {n} nodes",
                    targets.len(),
                    self.len()
                ),
            });
        }
        let mut probability = vec![0.0; n];
        self.probabilities_into(targets, &mut probability);
        let expected: Vec<Option<f64>> = (0..n)
            .map(|i| (targets[i] > 0.0).then(|| self.mean[i] / targets[i]))
            .collect();
        let root = tree.root();
        let mut reps = (0usize, 0usize, 0.0);
        let mut teams = (0usize, 0usize);
        let mut ratios = Vec::new();
        for i in 0..n {
            if tree.is_leaf(i) {
                if targets[i] > 0.0 {
                    reps.0 += 1;
                    reps.1 += usize::from(probability[i] >= 0.5);
                    reps.2 += self.mean[i] / targets[i];
                    if self.mean[i] > 0.0 {
                        ratios.push(targets[i] / self.mean[i]);
                    }
                }
            } else if i != root && targets[i] > 0.0 && tree.children(i).any(|c| tree.is_leaf(c)) {
                teams.0 += 1;
                teams.1 += usize::from(probability[i] >= 0.5);
            }
        }
        let share =
            |(count, likely): (usize, usize)| (count > 0).then(|| likely as f64 / count as f64);
        let summary = AttainmentSummary {
            company_probability: probability[root],
            company_expected_attainment: expected[root],
            mean_rep_expected_attainment: (reps.0 > 0).then(|| reps.2 / reps.0 as f64),
            reps: reps.0,
            reps_likely_share: share((reps.0, reps.1)),
            teams: teams.0,
            teams_likely_share: share(teams),
            gini_target_over_forecast: gini(&mut ratios),
        };
        Ok(Attainment {
            probability,
            expected,
            summary,
        })
    }
}

/// A plan's attainability, node by node and in summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Attainment {
    /// Probability of reaching the target, per node.
    pub probability: Vec<f64>,
    /// Expected attainment (mean simulated total / target) per node with a
    /// positive target.
    pub expected: Vec<Option<f64>>,
    pub summary: AttainmentSummary,
}

/// One line per plan.
///
/// Reps are leaves with a positive target; teams are the other non-root
/// nodes with a positive target and at least one rep among their children.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttainmentSummary {
    pub company_probability: f64,
    pub company_expected_attainment: Option<f64>,
    /// Mean over reps of their expected attainment.
    pub mean_rep_expected_attainment: Option<f64>,
    pub reps: usize,
    /// Share of reps whose probability is at least 50%.
    pub reps_likely_share: Option<f64>,
    pub teams: usize,
    /// Share of teams whose probability is at least 50%.
    pub teams_likely_share: Option<f64>,
    /// Gini coefficient of target / mean forecast across reps with a
    /// positive forecast: 0 when every rep is asked the same stretch.
    pub gini_target_over_forecast: Option<f64>,
}

/// The Gini coefficient of non-negative values (sorted in place); `None`
/// for no values or a zero total.
///
/// ```
/// use salesplan::scenario::attainment::gini;
/// assert_eq!(gini(&mut [2.0, 2.0, 2.0]), Some(0.0));
/// assert_eq!(gini(&mut [0.0, 0.0, 0.0, 4.0]), Some(0.75));
/// assert_eq!(gini(&mut []), None);
/// ```
pub fn gini(values: &mut [f64]) -> Option<f64> {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len() as f64;
    let total: f64 = values.iter().sum();
    if values.is_empty() || total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let weighted: f64 = values
        .iter()
        .enumerate()
        .map(|(i, v)| (2.0 * (i as f64 + 1.0) - n - 1.0) * v)
        .sum();
    Some(weighted / (n * total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::org::random_tree_rows;

    /// Leaf histories (gap 0, always active) for `(node, id, values)` triples.
    fn leaves_of(histories: &[(usize, String, Vec<f64>)]) -> Vec<LeafHistory<'_>> {
        histories
            .iter()
            .map(|(i, id, y)| LeafHistory {
                node: *i,
                id,
                values: y,
                gap: 0,
                active: None,
                factors: None,
            })
            .collect()
    }

    #[test]
    fn a_shared_factor_widens_totals_not_leaves() {
        let tree = OrgTree::from_rows(random_tree_rows(40, 2, 3), "t".as_ref()).unwrap();
        let mut seed = 11u64;
        let mut noise = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let histories: Vec<(usize, String, Vec<f64>)> = (0..tree.len())
            .filter(|&i| tree.is_leaf(i))
            .map(|i| {
                let y = (0..36)
                    .map(|t| 100.0 + (t % 12) as f64 + 10.0 * noise())
                    .collect();
                (i, tree.id(i).to_string(), y)
            })
            .collect();
        let leaves = leaves_of(&histories);
        let run = |correlation| {
            let options = SimulationOptions {
                paths: 400,
                correlation,
                ..SimulationOptions::default()
            };
            simulate_year(&tree, &leaves, &options).unwrap()
        };
        let spread = |o: &YearOutlook, node: usize| {
            let v = o.annual(node);
            v[v.len() * 9 / 10] - v[v.len() / 10]
        };
        let independent = run(Correlation::Independent);
        let shared = run(Correlation::Fixed(0.6));
        let root = tree.root();
        assert!(spread(&shared, root) > 1.5 * spread(&independent, root));
        let leaf = leaves[0].node;
        let ratio = spread(&shared, leaf) / spread(&independent, leaf);
        assert!(
            (0.8..1.25).contains(&ratio),
            "a leaf's own spread changed by {ratio}"
        );
        // independent noise: the estimate is small (not zero: every leaf
        // shares the same seasonal pattern, and the fits' common misfit of
        // it is shared error; 0.17 with a 500-evaluation budget,
        // 0.14 with 1000)
        let estimated = run(Correlation::Estimated);
        assert!(estimated.correlation() < 0.2, "{}", estimated.correlation());
    }

    #[test]
    fn probabilities_in_range_and_monotone() {
        let tree = OrgTree::from_rows(random_tree_rows(60, 2, 5), "t".as_ref()).unwrap();
        let histories: Vec<(usize, String, Vec<f64>)> = (0..tree.len())
            .filter(|&i| tree.is_leaf(i))
            .map(|i| {
                let y = (0..36)
                    .map(|t| {
                        50.0 + i as f64 + 8.0 * ((t % 12) as f64 / 3.0).sin() + (t * i % 7) as f64
                    })
                    .collect();
                (i, tree.id(i).to_string(), y)
            })
            .collect();
        let leaves = leaves_of(&histories);
        let options = SimulationOptions {
            paths: 300,
            ..SimulationOptions::default()
        };
        let outlook = simulate_year(&tree, &leaves, &options).unwrap();
        // the same outlook on one and on four threads
        let four = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap()
            .install(|| simulate_year(&tree, &leaves, &options).unwrap());
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| simulate_year(&tree, &leaves, &options).unwrap());
        assert_eq!(outlook, four);
        assert_eq!(outlook, one);
        // sums hold path by path: the root's mean is the leaves' means' sum
        let leaf_mean: f64 = leaves.iter().map(|l| outlook.mean(l.node)).sum();
        assert!((outlook.mean(tree.root()) - leaf_mean).abs() < 1e-6 * leaf_mean);
        for node in 0..tree.len() {
            let m = outlook.mean(node);
            let mut last = 1.0;
            for k in 0..=40 {
                let p = outlook.probability(node, m * k as f64 / 20.0);
                assert!((0.0..=1.0).contains(&p));
                assert!(p <= last, "node {node}: not monotone");
                last = p;
            }
            assert_eq!(outlook.probability(node, f64::INFINITY), 0.0);
        }
        let targets: Vec<f64> = (0..tree.len())
            .map(|i| outlook.mean(i) * (0.8 + 0.01 * (i % 40) as f64))
            .collect();
        let mut fast = vec![0.0; tree.len()];
        outlook.probabilities_into(&targets, &mut fast);
        for (i, f) in fast.iter().enumerate() {
            assert_eq!(*f, outlook.probability(i, targets[i]));
        }
        let targets: Vec<f64> = (0..tree.len()).map(|i| outlook.mean(i)).collect();
        let a = outlook.score(&tree, &targets).unwrap();
        assert!(a.summary.gini_target_over_forecast.unwrap() < 1e-12);
        assert!(a.summary.reps > 0 && a.summary.teams > 0);
    }

    /// 60 reps, seven years of monthly sales around 100 with 5% monthly
    /// noise and a 6% shock per calendar year, shared by every rep or drawn
    /// for each rep on its own.
    fn shocked_histories(tree: &OrgTree, shared: bool) -> Vec<(usize, String, Vec<f64>)> {
        use rand_distr::Distribution;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(if shared { 11 } else { 12 });
        let normal = rand_distr::StandardNormal;
        let common: Vec<f64> = (0..7)
            .map(|_| 0.06 * Distribution::<f64>::sample(&normal, &mut rng))
            .collect();
        (0..tree.len())
            .filter(|&i| tree.is_leaf(i))
            .map(|i| {
                let own: Vec<f64> = (0..7)
                    .map(|_| 0.06 * Distribution::<f64>::sample(&normal, &mut rng))
                    .collect();
                let y = (0..84)
                    .map(|t| {
                        let shock = if shared { common[t / 12] } else { own[t / 12] };
                        let e: f64 = normal.sample(&mut rng);
                        100.0 * (shock + 0.05 * e).exp()
                    })
                    .collect();
                (i, tree.id(i).to_string(), y)
            })
            .collect()
    }

    #[test]
    fn backtests_tell_shared_shocks_from_independent_reps() {
        let tree = OrgTree::from_rows(random_tree_rows(60, 3, 5), "t".as_ref()).unwrap();
        let options = SimulationOptions {
            paths: 400,
            form: Some("MNN".parse().unwrap()),
            recalibration: Recalibration::SameForm,
            ..SimulationOptions::default()
        };
        let mut rho = Vec::new();
        for shared in [false, true] {
            let histories = shocked_histories(&tree, shared);
            let leaves = leaves_of(&histories);
            let outlook = simulate_year(&tree, &leaves, &options).unwrap();
            let c = outlook.calibration().unwrap().clone();
            assert_eq!(c.leaves, leaves.len(), "{c:?}");
            // the yearly shocks make a year's total vary far more than the
            // monthly noise the model sees: the calibration widens
            assert!(c.outside_90 > 0.2, "{c:?}");
            rho.push(c.correlation.unwrap());
            // the company's spread follows: with shared shocks it is about
            // a shock's 6% of the total, with independent ones far less
            let root = tree.root();
            let totals = outlook.annual(root);
            let q = |p: f64| crate::numeric::stats::quantile_type8(totals, p);
            let spread = (q(0.84) / q(0.16)).ln() / 2.0;
            if shared {
                assert!(spread > 0.03, "shared: {spread}");
            } else {
                assert!(spread < 0.02, "independent: {spread}");
            }
        }
        assert!(rho[0] < 0.1, "independent reps: ρ {}", rho[0]);
        assert!(rho[1] > 0.3, "shared shocks: ρ {}", rho[1]);
    }

    #[test]
    fn calibrated_probabilities_hold_on_independent_reps_with_yearly_shocks() {
        // 200 independent reps, seven years of history and the eighth as
        // what happened; a yearly shock the monthly model does not see.
        // At targets of 0.85 to 1.15 × each rep's point forecast, the mean
        // predicted probability must match the share of reps that reached
        // their target (within sampling error), and beat the uncalibrated
        let tree = OrgTree::from_rows(random_tree_rows(200, 10, 9), "t".as_ref()).unwrap();
        let full: Vec<(usize, String, Vec<f64>)> = {
            use rand_distr::Distribution;
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
            let normal = rand_distr::StandardNormal;
            (0..tree.len())
                .filter(|&i| tree.is_leaf(i))
                .map(|i| {
                    let shocks: Vec<f64> = (0..8)
                        .map(|_| 0.06 * Distribution::<f64>::sample(&normal, &mut rng))
                        .collect();
                    let y = (0..96)
                        .map(|t| {
                            let e: f64 = normal.sample(&mut rng);
                            100.0 * (shocks[t / 12] + 0.05 * e).exp()
                        })
                        .collect();
                    (i, tree.id(i).to_string(), y)
                })
                .collect()
        };
        let history: Vec<(usize, String, Vec<f64>)> = full
            .iter()
            .map(|(i, id, y)| (*i, id.clone(), y[..84].to_vec()))
            .collect();
        let leaves = leaves_of(&history);
        let actual: Vec<f64> = full.iter().map(|(_, _, y)| y[84..].iter().sum()).collect();
        let gaps = |recalibration| {
            let options = SimulationOptions {
                paths: 1000,
                form: Some("MNN".parse().unwrap()),
                recalibration,
                ..SimulationOptions::default()
            };
            let outlook = simulate_year(&tree, &leaves, &options).unwrap();
            [0.85, 0.95, 1.0, 1.05, 1.15].map(|k| {
                let (mut predicted, mut reached) = (0.0, 0.0);
                for (leaf, a) in leaves.iter().zip(&actual) {
                    let target = k * outlook.point_annual(leaf.node);
                    predicted += outlook.probability(leaf.node, target);
                    reached += f64::from(u8::from(*a >= target));
                }
                (predicted - reached).abs() / leaves.len() as f64
            })
        };
        let calibrated = gaps(Recalibration::SameForm);
        let plain = gaps(Recalibration::None);
        // two standard errors of a share of 200 at p = 0.5: 0.07
        assert!(calibrated.iter().all(|g| *g < 0.1), "{calibrated:?}");
        assert!(
            calibrated.iter().sum::<f64>() < plain.iter().sum::<f64>(),
            "{calibrated:?} vs {plain:?}"
        );
    }

    #[test]
    fn backtests_find_a_persistent_under_forecast_and_correct_it() {
        // growing 2% a month, seasonal: a level-only form (ANA) forecasts
        // every backtest year low, so the calibration finds actual above
        // the calibrated mean at every origin and corrects the level
        let tree = OrgTree::from_rows(random_tree_rows(40, 3, 7), "t".as_ref()).unwrap();
        let histories: Vec<(usize, String, Vec<f64>)> = (0..tree.len())
            .filter(|&i| tree.is_leaf(i))
            .map(|i| {
                let y = (0..72)
                    .map(|t| {
                        (100.0 + i as f64)
                            * 1.02f64.powi(t as i32)
                            * (1.0 + 0.2 * ((t % 12) as f64 / 2.0).sin())
                            * (1.0 + 0.01 * ((t * 7 + i) % 5) as f64)
                    })
                    .collect();
                (i, tree.id(i).to_string(), y)
            })
            .collect();
        let leaves = leaves_of(&histories);
        let run = |recalibration| {
            let options = SimulationOptions {
                paths: 200,
                form: Some("ANA".parse().unwrap()),
                recalibration,
                ..SimulationOptions::default()
            };
            simulate_year(&tree, &leaves, &options).unwrap()
        };
        let plain = run(Recalibration::None);
        let checked = run(Recalibration::SameForm);
        assert!(plain.calibration().is_none());
        let c = checked.calibration().unwrap();
        assert!(c.origins >= 3 && c.leaves == leaves.len(), "{c:?}");
        assert!(c.origin_shifts.iter().all(|r| *r > 0.05), "{c:?}");
        assert!(c.level > 1.05 && c.level_weight > 0.9, "{c:?}");
        let root = tree.root();
        assert!(checked.mean(root) > 1.05 * plain.mean(root));
        // the point forecast is scaled by the level
        let leaf = leaves[0].node;
        assert!((checked.point_annual(leaf) / plain.point_annual(leaf) - c.level).abs() < 1e-12);
        // too short to backtest: no calibration
        let short: Vec<LeafHistory> = leaves
            .iter()
            .map(|l| LeafHistory {
                values: &l.values[..30],
                ..*l
            })
            .collect();
        let options = SimulationOptions {
            paths: 50,
            ..SimulationOptions::default()
        };
        assert!(simulate_year(&tree, &short, &options)
            .unwrap()
            .calibration()
            .is_none());
    }

    #[test]
    fn newcomers_sell_like_peers_or_not_at_all() {
        let tree = OrgTree::read_from(
            "node_id,parent_id\nco,\nt1,co\nt2,co\na,t1\nb,t1\nnew1,t1\nnew2,t2\n".as_bytes(),
            "org.csv".as_ref(),
        )
        .unwrap();
        let y: Vec<f64> = (0..36).map(|t| 100.0 + ((t * 5) % 7) as f64).collect();
        let z: Vec<f64> = y.iter().map(|v| 3.0 * v).collect();
        let at = |id: &str| tree.index_of(id).unwrap();
        let leaves = [
            LeafHistory {
                node: at("a"),
                id: "a",
                values: &y,
                gap: 0,
                active: None,
                factors: None,
            },
            LeafHistory {
                node: at("b"),
                id: "b",
                values: &z,
                gap: 0,
                active: None,
                factors: None,
            },
        ];
        let full = Newcomer {
            node: at("new1"),
            id: "new1",
            productivity: vec![1.0; 12],
        };
        // t2 has no modelled leaf: new2's peers are the company's (a and b)
        let half = Newcomer {
            node: at("new2"),
            id: "new2",
            productivity: vec![0.5; 12],
        };
        let options = SimulationOptions {
            paths: 400,
            ..SimulationOptions::default()
        };
        let o =
            simulate_plan_year(&tree, &leaves, &[full.clone(), half.clone()], &options).unwrap();
        let peers_mean = (o.mean(at("a")) + o.mean(at("b"))) / 2.0;
        assert!(
            (o.mean(at("new1")) / peers_mean - 1.0).abs() < 0.1,
            "{}",
            o.mean(at("new1"))
        );
        assert!((o.mean(at("new2")) / peers_mean - 0.5).abs() < 0.05);
        assert!((o.point_annual(at("new2")) / o.point_annual(at("new1")) - 0.5).abs() < 1e-12);
        // sums hold: t1 = a + b + new1 on average
        let t1 = o.mean(at("a")) + o.mean(at("b")) + o.mean(at("new1"));
        assert!((o.mean(at("t1")) - t1).abs() < 1e-9 * t1);
        // a newcomer replacing a leaver sells like the whole-year sellers
        let leaver_active = [
            true, true, true, false, false, false, false, false, false, false, false, false,
        ];
        let with_leaver = [
            LeafHistory {
                active: Some(&leaver_active),
                factors: None,
                ..leaves[0]
            },
            leaves[1],
        ];
        let o2 =
            simulate_plan_year(&tree, &with_leaver, std::slice::from_ref(&full), &options).unwrap();
        assert!(o2.point(at("new1"))[6] > 0.0);
        assert!((o2.mean(at("new1")) / o.mean(at("b")) - 1.0).abs() < 0.1);
        // no modelled leaf anywhere: zero
        let alone = simulate_plan_year(&tree, &[], std::slice::from_ref(&full), &options).unwrap();
        assert_eq!(alone.mean(at("new1")), 0.0);
        // rejected: a newcomer with a history, a bad productivity
        let twice = Newcomer {
            node: at("a"),
            id: "a",
            productivity: vec![1.0; 12],
        };
        assert!(simulate_plan_year(&tree, &leaves, &[twice], &options).is_err());
        let bad = Newcomer {
            productivity: vec![1.5; 12],
            ..full
        };
        assert!(simulate_plan_year(&tree, &leaves, &[bad], &options).is_err());
    }
}
