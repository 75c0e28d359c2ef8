//! The leaves' monthly sales, matched to the org tree, and what planning
//! derives from them: each node's seasonal profile over the plan year and
//! the forecast basis (each leaf's forecast of the plan year).
//!
//! ```
//! use salesplan::plan::org::OrgTree;
//! use salesplan::plan::sales::{history_profiles, leaf_nodes};
//! use salesplan::io::{read_long_csv_from, Columns};
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\n王芳,co\n".as_bytes(), "org.csv".as_ref())?;
//! // three years of monthly sales; December sells twice what the other months do
//! let mut csv = String::from("unique_id,ds,y\n");
//! for k in 0..36 {
//!     let y = if k % 12 == 11 { 200 } else { 100 };
//!     csv.push_str(&format!("王芳,{}-{:02},{y}\n", 2023 + k / 12, k % 12 + 1));
//! }
//! let history = read_long_csv_from(csv.as_bytes(), "sales.csv".as_ref(), &Columns::default())?;
//! let nodes = leaf_nodes(&tree, &history)?;
//! let profiles = history_profiles(&tree, &history, &nodes, 2026)?;
//! let shares = profiles[nodes[0]].shares();
//! assert!((shares[11] / shares[0] - 2.0).abs() < 1e-9);
//! # Ok::<(), salesplan::Error>(())
//! ```

use chrono::{Datelike, NaiveDate};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::events::effects::{
    apply, column_groups, estimate_columns, prior_spread, select_columns, short_history_columns,
    EventEffects,
};
use crate::events::{china, month_periods, EventCalendar, Regressors, WORKING_DAYS};
use crate::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
use crate::forecast::events::forecast_batch_with_events;
use crate::forecast::frequency::Frequency;
use crate::forecast::series::{Series, TimeIndex};
use crate::plan::org::OrgTree;
use crate::plan::phasing::profile::{resolve_profiles, DayShape, MonthProfile};

/// The leaf each history series belongs to (`unique_id` = the leaf's node
/// id), in the order of `history`. Fails, naming the series, on a series
/// that is not a node, not a leaf (history belongs to leaves; inner nodes
/// are summed), not monthly, or appears twice.
pub fn leaf_nodes(tree: &OrgTree, history: &[Series]) -> Result<Vec<usize>> {
    let mut seen = vec![false; tree.len()];
    history
        .iter()
        .map(|s| {
            let problem = |reason: &str| Error::Calendar {
                series: s.id().to_string(),
                reason: reason.to_string(),
            };
            let node = tree
                .index_of(s.id())
                .ok_or_else(|| problem("not a node of the org tree"))?;
            if !tree.is_leaf(node) {
                return Err(problem(
                    "not a leaf of the org tree (history belongs to leaves; inner nodes are summed)",
                ));
            }
            if s.frequency() != Some(Frequency::Monthly) {
                return Err(problem(
                    "not monthly (dates YYYY-MM or YYYY-MM-DD, one a month)",
                ));
            }
            if std::mem::replace(&mut seen[node], true) {
                return Err(problem("appears twice in the history"));
            }
            Ok(node)
        })
        .collect()
}

/// Each node's seasonal profile from the three years before `year` (its
/// leaves' monthly sales summed), shrunk 10% towards its parent's; nodes
/// with less than a year of sales take their parent's profile, the root a
/// flat one. `nodes[k]` is the leaf of `series[k]` ([`leaf_nodes`]).
pub fn history_profiles(
    tree: &OrgTree,
    series: &[Series],
    nodes: &[usize],
    year: i32,
) -> Result<Vec<MonthProfile>> {
    history_profiles_with_events(tree, series, nodes, year, None)
}

/// Years of history the event effects are estimated from (at most).
pub const EFFECT_YEARS: usize = 8;

/// As [`history_profiles`], and with `events` the profiles follow the plan
/// year's calendar. Which events matter is chosen on the company's history
/// by holdout years ([`select_columns`]); each node's effects of those are
/// estimated from up to [`EFFECT_YEARS`] years of its monthly sales
/// ([`estimate_columns`]) and pooled down the tree (the company's own
/// estimate; each child's shrunk towards its parent's, with the spread of
/// the siblings' effects estimated from them, [`prior_spread`]); the
/// profile is built
/// from the history with the events taken out, and the plan year's events
/// are put back. In a year whose New Year falls in mid-February,
/// February's share falls and January's rises.
pub fn history_profiles_with_events(
    tree: &OrgTree,
    series: &[Series],
    nodes: &[usize],
    year: i32,
    events: Option<&EventCalendar>,
) -> Result<Vec<MonthProfile>> {
    Ok(profiles_and_shape(tree, series, nodes, year, events, None)?.0)
}

/// [`history_profiles_with_events`] with `events`, and how each month's
/// share spreads over its days from `first` to `last` (inclusive) in the
/// company's history: working days at 1, the other days at the rate the
/// working-days effect implies (`rate = (1 - b·W) / (1 + b·N)` for an
/// effect `b` per working day and `W`, `N` the months' mean working and
/// other days; 1 when the working days were not chosen), and each chosen
/// event's days scaled by its effect spread over its window
/// (`exp(beta · 30.44 / window days)`, within ×0.1–×10). Month totals
/// are the profiles'; the shape only places them inside the month (weekly
/// and daily targets).
pub fn event_phasing(
    tree: &OrgTree,
    series: &[Series],
    nodes: &[usize],
    year: i32,
    events: &EventCalendar,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<(Vec<MonthProfile>, DayShape)> {
    let (profiles, shape) =
        profiles_and_shape(tree, series, nodes, year, Some(events), Some((first, last)))?;
    match shape {
        Some(shape) => Ok((profiles, shape)),
        None => Err(Error::Internal {
            series: String::new(),
            reason: "no day shape for an events plan".into(),
        }),
    }
}

fn profiles_and_shape(
    tree: &OrgTree,
    series: &[Series],
    nodes: &[usize],
    year: i32,
    events: Option<&EventCalendar>,
    days: Option<(NaiveDate, NaiveDate)>,
) -> Result<(Vec<MonthProfile>, Option<DayShape>)> {
    const YEARS: usize = 3;
    let span = if events.is_some() {
        EFFECT_YEARS
    } else {
        YEARS
    };
    let n = tree.len();
    let months = node_months(tree, series, nodes, year, span);
    let effects = match events {
        Some(calendar) => Some(NodeEffects::estimate(tree, &months, year, span, calendar)?),
        None => None,
    };
    let tail = 12 * (span - YEARS);
    // a node's own profile needs a year of sales counted from its first
    // sale (a rep hired in October has none yet); the months before it are
    // not "no sales", they are before the node existed
    let own: Vec<Option<MonthProfile>> = (0..n)
        .map(|i| -> Result<Option<MonthProfile>> {
            let values = &months[i][tail..];
            let Some(first) = values.iter().position(|v| *v != 0.0) else {
                return Ok(None);
            };
            let adjusted;
            let values = match &effects {
                Some(e) => {
                    adjusted = e.take_out(tree, i, tail, values)?;
                    &adjusted[..]
                }
                None => values,
            };
            Ok(MonthProfile::from_history(
                (first % 12) as u32 + 1,
                &values[first..],
                YEARS,
            ))
        })
        .collect::<Result<_>>()?;
    let parents: Vec<Option<usize>> = (0..n).map(|i| tree.parent(i)).collect();
    let resolved = resolve_profiles(&parents, &own)?;
    // shrink own profiles a little towards the parent's, so that a month in
    // which a small account happened never to sell is not a structural zero
    // of the plan (tree order: parents are final before their children)
    const OWN_WEIGHT: f64 = 0.9;
    let mut out = resolved.clone();
    for i in 0..n {
        if let (Some(p), Some(mine)) = (parents[i], own[i]) {
            let parent = out[p];
            let mut w = [0.0; 12];
            for (m, x) in w.iter_mut().enumerate() {
                *x = OWN_WEIGHT * mine.shares()[m] + (1.0 - OWN_WEIGHT) * parent.shares()[m];
            }
            out[i] = MonthProfile::new(w)?;
        }
    }
    if let Some(e) = &effects {
        for (i, profile) in out.iter_mut().enumerate() {
            *profile = e.put_in(tree, i, profile)?;
        }
    }
    let shape = match (&effects, days) {
        (Some(e), Some(range)) => Some(e.day_shape(tree.root(), range)?),
        _ => None,
    };
    Ok((out, shape))
}

/// Each node's monthly sales over the `span` years before `year` (its
/// leaves' summed), January of the first year first.
fn node_months(
    tree: &OrgTree,
    series: &[Series],
    nodes: &[usize],
    year: i32,
    span: usize,
) -> Vec<Vec<f64>> {
    let first_year = year - span as i32;
    let mut months = vec![vec![0.0; 12 * span]; tree.len()];
    for (s, &node) in series.iter().zip(nodes) {
        for (d, v) in s.dates().iter().zip(s.values()) {
            let k = (d.year() - first_year) * 12 + d.month0() as i32;
            if (0..(12 * span) as i32).contains(&k) {
                months[node][k as usize] += v;
            }
        }
    }
    // inner nodes: sums of their children, deepest level first
    for level in (0..tree.depth()).rev() {
        for p in tree.level(level) {
            for c in tree.children(p) {
                let (head, tail) = months.split_at_mut(c);
                for (a, b) in head[p].iter_mut().zip(&tail[0]) {
                    *a += b;
                }
            }
        }
    }
    months
}

/// Every node's event effects, and the regressors of the history months
/// and of the plan year.
struct NodeEffects<'a> {
    calendar: &'a EventCalendar,
    first_year: i32,
    span: usize,
    history: Regressors,
    plan: Regressors,
    beta: Vec<Vec<f64>>,
}

/// Prior spread of the company's effects (log scale): wide, the data decide.
const ROOT_SPREAD: f64 = 1.0;
/// Least spread of a child's effects around its parent's, and the spread
/// used when fewer than three siblings carry information.
const CHILD_SPREAD: (f64, f64) = (0.02, 0.1);

impl<'a> NodeEffects<'a> {
    fn estimate(
        tree: &OrgTree,
        months: &[Vec<f64>],
        year: i32,
        span: usize,
        calendar: &'a EventCalendar,
    ) -> Result<NodeEffects<'a>> {
        let first_year = year - span as i32;
        let history = calendar.regressors("", &month_periods(first_year, 1, 12 * span)?)?;
        let plan = calendar.regressors("", &month_periods(year, 1, 12)?)?;
        let season: Vec<usize> = (0..12 * span).map(|t| t % 12).collect();
        let block: Vec<usize> = (0..12 * span).map(|t| t / 12).collect();
        let lived = |i: usize| {
            // months before the first sale are before the node existed
            let first = months[i]
                .iter()
                .position(|v| *v != 0.0)
                .unwrap_or(months[i].len());
            let mut values = months[i].clone();
            values[..first].fill(f64::NAN);
            values
        };
        // which events matter is decided on the company's own history
        let root = tree.root();
        let groups = column_groups(&history);
        let short = short_history_columns(&history, &groups);
        let mask = select_columns(&lived(root), &season, &block, &history, &groups, &short);
        let own: Vec<EventEffects> = (0..tree.len())
            .into_par_iter()
            .map(|i| -> Result<EventEffects> {
                let id = tree.id(i);
                let x;
                let x = if calendar.has_events_for(id) {
                    x = calendar.regressors(id, &month_periods(first_year, 1, 12 * span)?)?;
                    &x
                } else {
                    &history
                };
                Ok(estimate_columns(&lived(i), &season, &block, x, &mask))
            })
            .collect::<Result<_>>()?;
        let k = history.columns();
        let mut beta = vec![vec![0.0; k]; tree.len()];
        beta[root] = own[root].posterior(&vec![0.0; k], &vec![ROOT_SPREAD; k]);
        for level in 0..tree.depth() {
            for p in tree.level(level) {
                let children: Vec<usize> = tree.children(p).collect();
                let siblings: Vec<&EventEffects> = children.iter().map(|&c| &own[c]).collect();
                let spread = prior_spread(&siblings, &beta[p], CHILD_SPREAD.0, CHILD_SPREAD.1);
                for &c in &children {
                    beta[c] = own[c].posterior(&beta[p], &spread);
                }
            }
        }
        Ok(NodeEffects {
            calendar,
            first_year,
            span,
            history,
            plan,
            beta,
        })
    }

    /// The node's history months from month `from` on, events taken out.
    fn take_out(
        &self,
        tree: &OrgTree,
        node: usize,
        from: usize,
        values: &[f64],
    ) -> Result<Vec<f64>> {
        let id = tree.id(node);
        let x = if self.calendar.has_events_for(id) {
            let periods = month_periods(self.first_year, 1, 12 * self.span)?;
            self.calendar.regressors(id, &periods[from..])?
        } else {
            self.history.slice(from, from + values.len())
        };
        Ok(apply(values, &x, &self.beta[node], -1.0))
    }

    /// The node's profile with the plan year's events put back.
    fn put_in(&self, tree: &OrgTree, node: usize, profile: &MonthProfile) -> Result<MonthProfile> {
        let id = tree.id(node);
        let own;
        let x = if self.calendar.has_events_for(id) {
            own = self
                .calendar
                .regressors(id, &month_periods(self.plan_year(), 1, 12)?)?;
            &own
        } else {
            &self.plan
        };
        let shares = apply(profile.shares(), x, &self.beta[node], 1.0);
        let mut w = [0.0; 12];
        w.copy_from_slice(&shares);
        MonthProfile::new(w)
    }

    /// The day shape of `node`'s effects over `first..=last`.
    fn day_shape(&self, node: usize, (first, last): (NaiveDate, NaiveDate)) -> Result<DayShape> {
        const MEAN_MONTH_DAYS: f64 = 365.2425 / 12.0;
        let names = self.history.names();
        let beta = &self.beta[node];
        let rate = match names.iter().position(|n| n == WORKING_DAYS) {
            Some(k) if beta[k] != 0.0 => {
                let rows = self.history.rows().max(1) as f64;
                let w = (0..self.history.rows())
                    .map(|t| self.history.value(t, k))
                    .sum::<f64>()
                    / rows;
                let n = MEAN_MONTH_DAYS - w;
                ((1.0 - beta[k] * w) / (1.0 + beta[k] * n)).clamp(0.0, 5.0)
            }
            _ => 1.0,
        };
        let count = (last - first).num_days() + 1;
        let mut weights = vec![1.0; count.max(0) as usize];
        if self.calendar.has_working_days() {
            for (k, w) in weights.iter_mut().enumerate() {
                let day = first + chrono::Days::new(k as u64);
                if !china::day_kind(day)?.is_working() {
                    *w = rate;
                }
            }
        }
        let events = self.calendar.events(first.year(), last.year())?;
        for e in events.iter().filter(|e| e.series.is_none()) {
            let Some(k) = names.iter().position(|n| *n == e.name) else {
                continue;
            };
            if beta[k] == 0.0 {
                continue;
            }
            let length = (e.end - e.start).num_days() as f64 + 1.0;
            let factor = (beta[k] * MEAN_MONTH_DAYS / length).exp().clamp(0.1, 10.0);
            for day in e.start.iter_days().take_while(|d| *d <= e.end) {
                let k = (day - first).num_days();
                if (0..count).contains(&k) {
                    weights[k as usize] *= factor;
                }
            }
        }
        DayShape::new(first, weights)
    }

    fn plan_year(&self) -> i32 {
        self.first_year + self.span as i32
    }
}

/// The forecast basis: AutoETS (season 12) fitted to each leaf's history
/// before `year` (series in parallel on the current rayon pool), summed
/// over the 12 months of `year` (negative months count as 0); 0 for nodes
/// without history. With `events`, the forecasts follow them
/// ([`forecast_batch_with_events`]). `nodes[k]` is the leaf of
/// `series[k]`; the result has `n` entries. Fails, naming the series, when
/// one cannot be forecast.
pub fn forecast_year(
    series: &[Series],
    nodes: &[usize],
    n: usize,
    year: i32,
    events: Option<&EventCalendar>,
) -> Result<Vec<f64>> {
    let mut cut = Vec::new();
    let mut offsets = Vec::new();
    let mut owners = Vec::new();
    for (s, &node) in series.iter().zip(nodes) {
        let d = s.dates();
        let keep = d.iter().take_while(|d| d.year() < year).count();
        let (Some(last), TimeIndex::Dated(_)) = (keep.checked_sub(1).map(|k| d[k]), s.index())
        else {
            continue;
        };
        // months from the last kept observation to January of `year`
        let gap = (year as i64 * 12) - (last.year() as i64 * 12 + last.month() as i64 - 1) - 1;
        let values = s.values()[..keep].to_vec();
        cut.push(Series::with_index(s.id(), values, s.index().clone())?);
        offsets.push(gap as usize);
        owners.push(node);
    }
    let horizon = offsets.iter().max().copied().unwrap_or(0) + 12;
    let job = ForecastJob::new(ModelChoice::AutoEts, horizon, Vec::new(), Some(12))?;
    let outcomes = match events {
        Some(calendar) => forecast_batch_with_events(&cut, &job, calendar, &|| {})?,
        None => forecast_batch(&cut, &job, &|| {}),
    };
    let mut out = vec![0.0; n];
    for ((outcome, &gap), &node) in outcomes.iter().zip(&offsets).zip(&owners) {
        match outcome {
            Ok(f) => {
                out[node] = f.forecast.mean[gap..gap + 12]
                    .iter()
                    .map(|v| v.max(0.0))
                    .sum()
            }
            Err(e) => {
                return Err(Error::NoModel {
                    series: e.id.clone(),
                    reason: format!("cannot forecast it for the forecast basis: {}", e.reason()),
                })
            }
        }
    }
    Ok(out)
}
