//! From monthly actuals and an as-of date to what tracking needs: the
//! closed months, each leaf's actual to date and history, the new hires,
//! and the plan read back ([`PlanTargets`]); [`track_actuals`] runs the
//! whole tracking of `salesplan track` on them.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::events::EventCalendar;
use crate::forecast::series::Series;
use crate::forecast::series::TimeIndex;
use crate::plan::allocate::NodeConstraints;
use crate::plan::changes::Revision;
use crate::plan::org::{NodeRow, OrgTree};
use crate::plan::phasing::round::round_vector;
use crate::plan::sales::leaf_nodes;
use crate::scenario::attainment::{
    active_months, newcomers, take_out_events, with_events, LeafHistory, SimulationOptions,
};
use crate::track::reallocate::{reallocate, Reallocation, ReallocationInput, ReallocationOptions};
use crate::track::{track_with_outlook, TrackInput, Tracking};

/// The root of the tree [`flat_tree`] builds.
pub const FLAT_ROOT: &str = "(total)";

/// A plan read back for tracking (see [`read_plan`](crate::io::read_plan)).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTargets {
    /// Each node's annual target (`None`: the plan has none for it).
    pub annual: Vec<Option<f64>>,
    /// Each node's twelve monthly targets, where the plan gives them by
    /// month (`None`: annual only, or no target).
    pub monthly: Vec<Option<[f64; 12]>>,
    /// What the plan expected by the end of the closed months: the sum of
    /// the monthly targets to date, or the annual target × elapsed / 12.
    pub expected_to_date: Vec<f64>,
    /// Parents whose children's targets sum to more than their own
    /// (over-assignment), with the ratio.
    pub over_assigned: Vec<(usize, f64)>,
}

/// The plan year of `as_of` and how many of its months are closed: those
/// ending on or before `as_of`.
///
/// ```
/// use chrono::NaiveDate;
/// use salesplan::track::actuals::closed_months;
/// assert_eq!(closed_months(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()), (2026, 6));
/// assert_eq!(closed_months(NaiveDate::from_ymd_opt(2026, 6, 29).unwrap()), (2026, 5));
/// ```
pub fn closed_months(as_of: NaiveDate) -> (i32, usize) {
    let month_end = as_of
        .checked_add_days(chrono::Days::new(1))
        .is_some_and(|next| next.month() != as_of.month());
    (
        as_of.year(),
        as_of.month() as usize - usize::from(!month_end),
    )
}

/// A tree of one total, [`FLAT_ROOT`], over every series of `actuals` (for
/// tracking without an org file); `path` names the actuals in errors.
pub fn flat_tree(actuals: &[Series], path: &std::path::Path) -> Result<OrgTree> {
    let mut rows = vec![NodeRow {
        id: FLAT_ROOT.into(),
        line: 0,
        ..NodeRow::default()
    }];
    for s in actuals {
        rows.push(NodeRow {
            id: s.id().to_string(),
            parent: Some(FLAT_ROOT.into()),
            ..NodeRow::default()
        });
    }
    OrgTree::from_rows(rows, path)
}

/// What a closed month without actuals means, for a leaf active in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingMonths {
    /// Fail, naming the leaves and months: missing is not zero.
    #[default]
    Error,
    /// Count them as zero sales (the user says they are), and report how
    /// many there were ([`TrackRun::missing`]).
    Zero,
}

impl std::str::FromStr for MissingMonths {
    type Err = crate::Error;

    /// The command line's names: `error`, `zero`.
    fn from_str(text: &str) -> crate::Result<MissingMonths> {
        match text {
            "error" => Ok(MissingMonths::Error),
            "zero" => Ok(MissingMonths::Zero),
            _ => Err(crate::Error::InvalidParameter {
                name: "missing",
                reason: format!("'{text}': one of error, zero"),
            }),
        }
    }
}

/// How to track.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRequest {
    /// Last day of the data; months ending on or before it are closed.
    pub as_of: NaiveDate,
    /// The simulation of the remaining months (season length and periods
    /// are set to 12).
    pub simulation: SimulationOptions,
    /// Level of the projection interval, in percent.
    pub level: f64,
    /// Holidays and events the projection follows (`None`: none): each
    /// leaf's model is fitted on its history with the events taken out and
    /// the remaining months get theirs back
    /// ([`take_out_events`]).
    pub events: Option<EventCalendar>,
    /// Closed months in which an active leaf has no actuals: after its
    /// series ends, or all of them for a leaf with no series.
    pub missing: MissingMonths,
}

/// What tracking found.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRun {
    /// The plan year.
    pub year: i32,
    /// Its closed months.
    pub elapsed: usize,
    /// Actual sales of the plan year to date per leaf.
    pub actual_to_date: Vec<f64>,
    /// Last year's sales per leaf.
    pub last_year: Vec<f64>,
    /// Every tracked node's status and the simulated rest of the year.
    pub tracking: Tracking,
    /// Leaf-months counted as zero sales under [`MissingMonths::Zero`]:
    /// (leaf, months 1..=12 of the plan year).
    pub missing: Vec<(usize, Vec<usize>)>,
}

/// Each leaf's `history` (before the plan year, say) followed by its
/// `actuals` ([`Series::join`]): the actuals' series in their order, then
/// the series only the history has. A period in both must hold the same
/// value; errors name the series and the period.
///
/// ```
/// use salesplan::Series;
/// use salesplan::track::actuals::join_history;
/// let history = [Series::new("a", vec![1.0, 2.0])?, Series::new("b", vec![5.0])?];
/// let joined = join_history(&history, &[Series::new("a", vec![1.0, 2.0])?])?;
/// assert_eq!(joined.len(), 2);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn join_history(history: &[Series], actuals: &[Series]) -> Result<Vec<Series>> {
    let earlier: std::collections::HashMap<&str, &Series> =
        history.iter().map(|s| (s.id(), s)).collect();
    let mut joined = Vec::with_capacity(history.len().max(actuals.len()));
    for s in actuals {
        joined.push(match earlier.get(s.id()) {
            Some(h) => h.join(s)?,
            None => s.clone(),
        });
    }
    let later: std::collections::HashSet<&str> = actuals.iter().map(|s| s.id()).collect();
    joined.extend(history.iter().filter(|s| !later.contains(s.id())).cloned());
    Ok(joined)
}

/// Tracks `plan` on `tree` with monthly `actuals` (one series per leaf,
/// `unique_id` = its node id): actual to date, run rate, model projection
/// and probability per node. Leaves with at least a year of history are
/// refitted up to the last closed month; the others are projected as their
/// peers sell, ramped ([`newcomers`]). Runs on the current rayon pool; the
/// same for any number of threads.
pub fn track_actuals(
    tree: &OrgTree,
    actuals: &[Series],
    plan: &PlanTargets,
    request: &TrackRequest,
) -> Result<TrackRun> {
    track_inner(tree, actuals, plan, request, None)
}

/// A plan revised by effective-dated changes, made ready for tracking
/// ([`track_revised`]).
#[derive(Debug, Clone)]
pub struct RevisedTracking {
    /// The org on the first open day of the year (after the changes).
    pub tree: OrgTree,
    /// Every node's revised targets, numbered as `tree`.
    pub plan: PlanTargets,
}

/// Tracks a plan revised by changes ([`revise`](crate::plan::changes::revise))
/// as [`track_actuals`] does, with each holder's actual to date counted
/// for the days it held each rep: a team that moved to another region in
/// July counts towards the first region's actual to date until June and
/// the second's after. The projection of the remaining months follows the
/// org of the first open day, so every change must have taken effect by
/// then; a later one is refused (its date named).
pub fn track_revised(
    revision: &Revision,
    actuals: &[Series],
    request: &TrackRequest,
) -> Result<(RevisedTracking, TrackRun)> {
    let revised = RevisedTracking::new(revision, request.as_of)?;
    let revision_node: Vec<usize> = (0..revised.tree.len())
        .map(|i| revision.index_of(revised.tree.id(i)).unwrap_or(usize::MAX))
        .collect();
    let run = track_inner(
        &revised.tree,
        actuals,
        &revised.plan,
        request,
        Some((revision, &revision_node)),
    )?;
    Ok((revised, run))
}

impl RevisedTracking {
    /// The org and targets to track `revision` with as of `as_of`
    /// ([`track_revised`]).
    pub fn new(revision: &Revision, as_of: NaiveDate) -> Result<RevisedTracking> {
        let (year, elapsed) = closed_months(as_of);
        if year != revision.year() {
            return Err(Error::InvalidParameter {
                name: "as-of",
                reason: format!(
                    "{} is in {year}, the changed plan is for {}",
                    as_of,
                    revision.year()
                ),
            });
        }
        let open = if elapsed == 12 {
            NaiveDate::from_ymd_opt(year, 12, 31)
        } else {
            NaiveDate::from_ymd_opt(year, elapsed as u32 + 1, 1)
        }
        .ok_or_else(|| Error::InvalidParameter {
            name: "as-of",
            reason: format!("{}: year out of range", as_of),
        })?;
        if let Some(later) = revision
            .change_dates()
            .into_iter()
            .find(|d| *d > open && elapsed < 12)
        {
            return Err(Error::InvalidParameter {
                name: "changes",
                reason: format!(
                    "a change takes effect on {later}, after {open}, the first day not yet closed as of {}: the projection of the remaining months follows the org as it is when they start, so track with the changes in effect by {open} (and revise the plan with the later ones when they happen)",
                    as_of
                ),
            });
        }
        let tree = OrgTree::from_rows(revision.org_on(open), "changes".as_ref())?;
        let revision_node: Vec<usize> = (0..tree.len())
            .map(|i| revision.index_of(tree.id(i)).unwrap_or(usize::MAX))
            .collect();
        let expected_to_date = revision_node
            .iter()
            .map(|&r| revision.monthly(r)[..elapsed].iter().sum())
            .collect();
        let plan = PlanTargets {
            annual: revision_node
                .iter()
                .map(|&r| Some(revision.annual(r)))
                .collect(),
            monthly: revision_node
                .iter()
                .map(|&r| Some(revision.monthly(r)))
                .collect(),
            expected_to_date,
            over_assigned: Vec::new(),
        };
        Ok(RevisedTracking { tree, plan })
    }
}

fn track_inner(
    tree: &OrgTree,
    actuals: &[Series],
    plan: &PlanTargets,
    request: &TrackRequest,
    revision: Option<(&Revision, &[usize])>,
) -> Result<TrackRun> {
    let (year, elapsed) = closed_months(request.as_of);
    let n = tree.len();
    // history up to the last closed month; the plan year's part of it
    let first = NaiveDate::from_ymd_opt(year, 1, 1);
    let cutoff = if elapsed == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, elapsed as u32 + 1, 1)
    };
    let (Some(first), Some(cutoff)) = (first, cutoff) else {
        return Err(Error::InvalidParameter {
            name: "as-of",
            reason: format!("{}: year out of range", request.as_of),
        });
    };
    let mut actual = vec![0.0; n];
    let mut node_actual = vec![0.0; n];
    let mut last_year = vec![0.0; n];
    let mut cut = Vec::with_capacity(actuals.len());
    let mut missing: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut has_series = vec![false; n];
    for (s, node) in actuals.iter().zip(leaf_nodes(tree, actuals)?) {
        last_year[node] = s.year_total(year - 1);
        let d = s.dates();
        let keep = d.iter().take_while(|d| **d < cutoff).count();
        actual[node] = d[..keep]
            .iter()
            .zip(s.values())
            .filter(|(d, _)| **d >= first)
            .fold(0.0, |sum, (_, v)| sum + v);
        if let Some((r, of)) = revision {
            // what the leaf sold counts towards each node for the days it held it
            let mut up = vec![0.0; r.len()];
            for (date, v) in d[..keep]
                .iter()
                .zip(s.values())
                .filter(|(d, _)| **d >= first)
            {
                r.spread_up(of[node], date.month0() as usize, *v, &mut up);
            }
            for (i, &ri) in of.iter().enumerate() {
                if ri < up.len() && i != node {
                    node_actual[i] += up[ri];
                }
            }
        }
        let index = |d: NaiveDate| d.year() as i64 * 12 + d.month0() as i64;
        let gap = keep
            .checked_sub(1)
            .map_or(0, |k| (index(cutoff) - index(d[k]) - 1).max(0) as usize);
        let months = active_months(tree.start_date(node), tree.end_date(node), year);
        // closed months after the series' last one in which the leaf is active
        let last = keep.checked_sub(1).map(|k| index(d[k]) - index(first));
        let after: Vec<usize> = (0..elapsed)
            .filter(|&m| months[m] && last.is_none_or(|l| m as i64 > l))
            .map(|m| m + 1)
            .collect();
        if !after.is_empty() {
            missing.push((node, after));
        }
        has_series[node] = true;
        cut.push((node, keep, gap, months));
    }
    for leaf in (0..n).filter(|&i| tree.is_leaf(i)) {
        node_actual[leaf] += actual[leaf];
    }
    for leaf in (0..n).filter(|&i| tree.is_leaf(i) && !has_series[i]) {
        let months = active_months(tree.start_date(leaf), tree.end_date(leaf), year);
        let closed: Vec<usize> = (0..elapsed).filter(|&m| months[m]).map(|m| m + 1).collect();
        if !closed.is_empty() {
            missing.push((leaf, closed));
        }
    }
    missing.sort_unstable();
    if request.missing == MissingMonths::Error && !missing.is_empty() {
        return Err(missing_error(tree, year, elapsed, request.as_of, &missing));
    }
    // less than a year of history (or none): projected as peers sell, with
    // the default ramp over the remaining months
    let mut fitted = vec![false; n];
    let leaves: Vec<LeafHistory> = actuals
        .iter()
        .zip(&cut)
        .filter(|(_, (_, keep, _, _))| *keep >= 12)
        .map(|(s, (node, keep, gap, months))| {
            fitted[*node] = true;
            LeafHistory {
                node: *node,
                id: s.id(),
                values: &s.values()[..*keep],
                gap: *gap,
                active: Some(&months[elapsed..]),
                factors: None,
            }
        })
        .collect();
    if leaves.is_empty() && !actuals.is_empty() {
        let longest = cut.iter().map(|(_, keep, _, _)| *keep).max().unwrap_or(0);
        return Err(Error::InvalidParameter {
            name: "actuals",
            reason: format!(
                "no leaf has a year of monthly sales up to {} (the longest has {longest} months): the projection of the remaining months is fitted on each leaf's history, so the actuals must include the years before {year} (or give them with --history)",
                request.as_of
            ),
        });
    }
    let newcomers = newcomers(tree, &fitted, year, elapsed);
    // with events: the leaves' histories with the events taken out, and
    // the remaining months' multipliers
    let adjusted = match request.events.as_ref().filter(|e| !e.is_empty()) {
        Some(calendar) if !leaves.is_empty() => {
            let indices: Vec<&TimeIndex> = actuals
                .iter()
                .zip(&cut)
                .filter(|(_, (_, keep, _, _))| *keep >= 12)
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
    let input = TrackInput {
        tree,
        elapsed,
        leaves: &leaves,
        newcomers: &newcomers,
        actual_to_date: &actual,
        node_actuals: revision.is_some().then_some(node_actual.as_slice()),
        targets: &plan.annual,
        expected_to_date: Some(&plan.expected_to_date),
    };
    let options = SimulationOptions {
        season_length: 12,
        periods: 12,
        form: None,
        ..request.simulation
    };
    let tracking = track_with_outlook(&input, &options, request.level)?;
    Ok(TrackRun {
        year,
        elapsed,
        actual_to_date: actual,
        last_year,
        tracking,
        missing,
    })
}

/// The refusal to read closed months without actuals as zero sales.
fn missing_error(
    tree: &OrgTree,
    year: i32,
    elapsed: usize,
    as_of: NaiveDate,
    missing: &[(usize, Vec<usize>)],
) -> Error {
    let span = |months: &[usize]| match (months.first(), months.last()) {
        (Some(a), Some(b)) if a == b => format!("{year}-{a:02}"),
        (Some(a), Some(b)) => format!("{year}-{a:02}..{year}-{b:02}"),
        _ => String::new(),
    };
    let shown: Vec<String> = missing
        .iter()
        .take(5)
        .map(|(leaf, months)| format!("'{}' {}", tree.id(*leaf), span(months)))
        .collect();
    let more = missing.len().saturating_sub(shown.len());
    let months: usize = missing.iter().map(|(_, m)| m.len()).sum();
    Error::InvalidParameter {
        name: "actuals",
        reason: format!(
            "as of {as_of} the plan year {year} has {elapsed} closed months, but {} active leaves have no actuals for {months} of them: {}{}; a missing month is not zero sales. Track as of the last month with actuals, or pass --missing zero if those sales were truly zero",
            missing.len(),
            shown.join(", "),
            if more > 0 { format!(" (and {more} more)") } else { String::new() }
        ),
    }
}

impl TrackRun {
    /// Re-splits the root's remaining target down `tree` by the model's
    /// projection of the remaining months ([`reallocate`]), under the
    /// planning `constraints` (bounds on the annual targets).
    pub fn reallocate(
        &self,
        tree: &OrgTree,
        plan: &PlanTargets,
        constraints: Option<&[NodeConstraints]>,
        options: &ReallocationOptions,
    ) -> Result<Reallocation> {
        let projected = self.tracking.projected_remaining();
        let input = ReallocationInput {
            tree,
            year: self.year,
            elapsed: self.elapsed,
            targets: &plan.annual,
            actual_to_date: &self.actual_to_date,
            projected_remaining: &projected,
            constraints,
            last_year: Some(&self.last_year),
        };
        reallocate(&input, options)
    }

    /// A node's re-allocated remaining target over the remaining months,
    /// phased like its gap; with `unit`, in whole units summing exactly to
    /// it (left unrounded when it cannot be rounded).
    pub fn reallocated_months(&self, node: usize, remaining: f64, unit: Option<f64>) -> Vec<f64> {
        let months = self.tracking.phase(node, remaining).unwrap_or_default();
        match unit.map(|u| round_vector(&months, u)) {
            Some(Ok(whole)) => whole,
            _ => months,
        }
    }
}
