//! Effective-dated changes to a plan during its year: nodes moving between
//! parents, territory (accounts) moving between reps, leavers and hires,
//! with each holder's targets prorated by the days it holds the territory.
//!
//! A change is one row of `changes.csv` (`date,node,from,to,share`); what
//! it means follows from which of its fields name what:
//!
//! | row | kind |
//! |---|---|
//! | `node` a node, `from` its parent, `to` another node with children | **move**: `node` and everything under it belongs to `to` from `date` on (a rep changing teams, a team changing regions) |
//! | `from` and `to` reps (leaves), `node` any label, `share` in (0, 1] | **transfer**: `share` of what `from` holds on `date` (its targets from then on) goes to `to` (accounts, a territory) |
//! | `node` a rep, `to` empty | **leave**: `node` holds nothing from `date` on; its territory goes to the reps named by that day's transfers from it (shares summing to 1), or else to its fellow reps in proportion to what they hold for the rest of the year |
//! | `node` not in the org, `from` empty, `to` a node with children | **join**: a new rep under `to` from `date` on, holding nothing until a transfer gives it territory |
//!
//! Changes take effect at the start of their day, in date order (rows of
//! one day in file order, all of a day's transfers from one rep taken from
//! what it held before that day). A month a change cuts is split by days:
//! a territory moved on 16 April takes 15/30 of April's target with it.
//!
//! The result ([`Revision`]) holds every node's target per month *under
//! each parent it had in that month*, rounded to the plan's unit so that
//! every parent's target in every month is exactly the sum of its
//! children's rows, each month's company total is the plan's (no target
//! lost or created), and a node untouched by the changes keeps its
//! targets. Only the leaves' targets are taken from the plan: the plan's
//! parents must be their children's sums (no over-assignment).
//!
//! ```
//! use chrono::NaiveDate;
//! use salesplan::plan::changes::{revise, Change};
//! use salesplan::plan::org::OrgTree;
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\nnorth,co\nsouth,co\na,north\nb,north\nc,south\n".as_bytes(), "org.csv".as_ref())?;
//! // every rep 1,200 a month, every unit its reps' sum
//! let per_rep = [3.0, 2.0, 1.0, 1.0, 1.0, 1.0]; // co, north, south, a, b, c
//! let monthly: Vec<Option<[f64; 12]>> = (0..tree.len())
//!     .map(|i| Some([1200.0 * per_rep[["co", "north", "south", "a", "b", "c"].iter().position(|x| *x == tree.id(i)).unwrap()]; 12]))
//!     .collect();
//! let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
//! let changes = [
//!     // rep b moves to the south team on 1 July
//!     Change::new(day(7, 1), "b", Some("north"), Some("south"), None, 2),
//!     // a quarter of c's accounts go to a on 16 April
//!     Change::new(day(4, 16), "acct-17", Some("c"), Some("a"), Some(0.25), 3),
//! ];
//! let r = revise(&tree, &monthly, 2026, 1.0, &changes, "changes.csv".as_ref())?;
//! let (north, south, a) = (r.index_of("north").unwrap(), r.index_of("south").unwrap(), r.index_of("a").unwrap());
//! // b's target stays b's; north holds it for six months, south for six
//! assert_eq!(r.annual(north), 12.0 * 2400.0 - 6.0 * 1200.0 + 300.0 * 15.0 / 30.0 + 300.0 * 8.0);
//! assert_eq!(r.annual(r.index_of("co").unwrap()), 12.0 * 3600.0);
//! // April: a has its own 1,200 and c's quarter for 15 of 30 days
//! assert_eq!(r.monthly(a)[3], 1200.0 + 150.0);
//! assert_eq!(r.target(north, None, 7), 0.0);
//! assert_eq!(r.target(r.index_of("b").unwrap(), Some(south), 7), 1200.0);
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::plan::allocate::{round_split_into, Workspace};
use crate::plan::org::{NodeRow, OrgTree};

/// The unit a plan was rounded to: the largest power of ten from 10⁻⁶ to
/// 10⁶ that every rep's monthly target is a multiple of.
///
/// ```
/// use salesplan::plan::changes::plan_unit;
/// use salesplan::plan::org::OrgTree;
/// let tree = OrgTree::read_from("node_id,parent_id\nco,\na,co\n".as_bytes(), "org.csv".as_ref())?;
/// assert_eq!(plan_unit(&tree, &[None, Some([1200.0; 12])]), 100.0);
/// assert_eq!(plan_unit(&tree, &[None, Some([12.5; 12])]), 0.1);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn plan_unit(tree: &OrgTree, monthly: &[Option<[f64; 12]>]) -> f64 {
    let values: Vec<f64> = (0..tree.len().min(monthly.len()))
        .filter(|&i| tree.is_leaf(i))
        .filter_map(|i| monthly[i])
        .flatten()
        .collect();
    (-6..=6)
        .rev()
        .map(|k| 10f64.powi(k))
        .find(|&u| {
            values.iter().all(|v| {
                let x = v / u;
                (x - x.round()).abs() <= 1e-6 * x.abs().max(1.0)
            })
        })
        .unwrap_or(1e-6)
}

/// One row of `changes.csv` (module docs), as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The day the change takes effect (from its start).
    pub date: NaiveDate,
    /// The node that moves, leaves or joins, or a label for the
    /// territory a transfer moves.
    pub node: String,
    /// Its parent before a move; the rep giving a transfer; empty for a join.
    pub from: Option<String>,
    /// The new parent of a move or join; the rep receiving a transfer;
    /// empty for a leave.
    pub to: Option<String>,
    /// The share of `from`'s territory a transfer moves.
    pub share: Option<f64>,
    /// The file line the row came from (for messages).
    pub line: u64,
}

impl Change {
    /// A change from its fields (`line`: where it came from, for messages).
    pub fn new(
        date: NaiveDate,
        node: &str,
        from: Option<&str>,
        to: Option<&str>,
        share: Option<f64>,
        line: u64,
    ) -> Change {
        Change {
            date,
            node: node.to_string(),
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            share,
            line,
        }
    }
}

/// One node's target in one month under one parent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holding {
    pub node: usize,
    /// `None` for the root.
    pub parent: Option<usize>,
    /// 1..=12.
    pub month: u32,
    pub target: f64,
}

/// A stretch of the year with one structure.
#[derive(Debug, Clone)]
struct Segment {
    start: NaiveDate,
    /// First day after it.
    end: NaiveDate,
    parent: Vec<Option<usize>>,
}

/// The plan after the changes (module docs). Nodes are the org's, in its
/// numbering, then the reps that joined, in order of their rows.
#[derive(Debug, Clone)]
pub struct Revision {
    year: i32,
    ids: Vec<String>,
    /// Joined reps' start and leavers' end (last day), over the org's dates.
    dates: Vec<(Option<NaiveDate>, Option<NaiveDate>)>,
    names: Vec<String>,
    holdings: Vec<Holding>,
    segments: Vec<Segment>,
    /// Each node's target per month, over all its parents.
    monthly: Vec<[f64; 12]>,
}

/// What one change does, resolved against the structure of its day.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Move { node: usize, to: usize },
    Transfer { from: usize, to: usize, share: f64 },
    Leave { node: usize },
    Join { node: usize, to: usize },
}

/// Applies `changes` to the plan of `tree` for `year` (`monthly`: each
/// node's twelve monthly targets, every leaf needs them) with amounts in
/// multiples of `unit`; `path` names the changes' file in errors.
pub fn revise(
    tree: &OrgTree,
    monthly: &[Option<[f64; 12]>],
    year: i32,
    unit: f64,
    changes: &[Change],
    path: &Path,
) -> Result<Revision> {
    let n = tree.len();
    if !(unit.is_finite() && unit > 0.0) {
        return Err(Error::InvalidParameter {
            name: "unit",
            reason: format!("{unit} is not a positive number"),
        });
    }
    if monthly.len() != n {
        return Err(Error::InvalidParameter {
            name: "plan",
            reason: format!("{} nodes' targets for {n} nodes", monthly.len()),
        });
    }
    // the leaves' targets in whole units; the parents must be their sums
    let mut units = vec![[0i64; 12]; n];
    for leaf in (0..n).filter(|&i| tree.is_leaf(i)) {
        let Some(m) = monthly[leaf] else {
            return Err(Error::InvalidParameter {
                name: "plan",
                reason: format!(
                    "rep '{}' has no monthly targets: changes are prorated by month, so the plan must give every rep's twelve months",
                    tree.id(leaf)
                ),
            });
        };
        for (k, v) in m.iter().enumerate() {
            let u = v / unit;
            if !u.is_finite() || (u - u.round()).abs() > 1e-6 * u.abs().max(1.0) {
                return Err(Error::NotMultipleOfUnit {
                    what: format!("the target of '{}' in {year}-{:02}", tree.id(leaf), k + 1),
                    value: *v,
                    unit,
                });
            }
            units[leaf][k] = u.round() as i64;
        }
    }
    let mut sums = units.clone();
    for i in (1..n).rev() {
        if let Some(p) = tree.parent(i) {
            let child = sums[i];
            for (sum, c) in sums[p].iter_mut().zip(child) {
                *sum += c;
            }
        }
    }
    for i in (0..n).filter(|&i| !tree.is_leaf(i)) {
        if let Some(m) = monthly[i] {
            if let Some(k) = (0..12).find(|&k| (m[k] / unit - sums[i][k] as f64).abs() > 0.5) {
                return Err(Error::InvalidParameter {
                    name: "plan",
                    reason: format!(
                        "'{}' has {} in {year}-{:02} but its children sum to {}: changes need a plan whose parents are their children's sums (no over-assignment)",
                        tree.id(i),
                        m[k],
                        k + 1,
                        sums[i][k] as f64 * unit
                    ),
                });
            }
        }
    }
    let (Some(first), Some(after)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    ) else {
        return Err(Error::InvalidParameter {
            name: "year",
            reason: format!("{year} is out of range"),
        });
    };
    let mut order: Vec<usize> = (0..changes.len()).collect();
    order.sort_by_key(|&k| (changes[k].date, changes[k].line));
    let bad = |c: &Change, column: &str, value: &str, reason: String| Error::Input {
        path: path.to_path_buf(),
        line: c.line,
        column: column.to_string(),
        value: Some(value.to_string()),
        reason,
    };
    for c in changes {
        if c.date < first || c.date >= after {
            return Err(bad(
                c,
                "date",
                &c.date.to_string(),
                format!("outside the plan year {year}"),
            ));
        }
    }

    let mut ids: Vec<String> = (0..n).map(|i| tree.id(i).to_string()).collect();
    let mut names: Vec<String> = (0..n).map(|i| tree.name(i).to_string()).collect();
    let mut dates: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = (0..n)
        .map(|i| (tree.start_date(i), tree.end_date(i)))
        .collect();
    let mut parent: Vec<Option<usize>> = (0..n).map(|i| tree.parent(i)).collect();
    let mut is_rep: Vec<bool> = (0..n).map(|i| tree.is_leaf(i)).collect();
    let mut gone = vec![false; n];
    let mut joined: std::collections::HashMap<String, usize> = Default::default();
    let find = |ids_len: usize, joined: &std::collections::HashMap<String, usize>, id: &str| {
        tree.index_of(id)
            .or_else(|| joined.get(id).copied())
            .filter(|&i| i < ids_len)
    };
    // territory: what share of each original rep's targets each holder has
    let mut own: Vec<Vec<(usize, f64)>> = (0..n)
        .map(|i| {
            if tree.is_leaf(i) {
                vec![(i, 1.0)]
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut segments: Vec<Segment> = Vec::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut start = first;
    let mut next = 0;
    while start < after {
        // the day's changes
        let day: Vec<usize> = order[next..]
            .iter()
            .take_while(|&&k| changes[k].date == start)
            .copied()
            .collect();
        next += day.len();
        if !day.is_empty() {
            let mut kinds = Vec::with_capacity(day.len());
            for &k in &day {
                let c = &changes[k];
                let node = find(ids.len(), &joined, &c.node);
                let from = c.from.as_deref().filter(|s| !s.is_empty());
                let to = c.to.as_deref().filter(|s| !s.is_empty());
                let look = |column: &str, id: &str| {
                    find(ids.len(), &joined, id).ok_or_else(|| {
                        bad(
                            c,
                            column,
                            id,
                            "not a node of the org tree (nor a rep that joined before)".into(),
                        )
                    })
                };
                let kind = match (node, from, to) {
                    (None, None, Some(to)) => {
                        let to = look("to", to)?;
                        if is_rep[to] {
                            return Err(bad(c, "to", &ids[to], "a rep: a new rep joins a node with reps under it".into()));
                        }
                        let node = ids.len();
                        ids.push(c.node.clone());
                        names.push(String::new());
                        dates.push((Some(start), None));
                        parent.push(None);
                        is_rep.push(true);
                        gone.push(false);
                        own.push(Vec::new());
                        joined.insert(c.node.clone(), node);
                        Kind::Join { node, to }
                    }
                    (Some(node), from, None) => {
                        if !is_rep[node] {
                            return Err(bad(c, "to", "", format!("empty, so '{}' leaves, but it is not a rep (move it to another parent instead)", c.node)));
                        }
                        if let Some(from) = from {
                            let f = look("from", from)?;
                            if parent[node] != Some(f) {
                                return Err(bad(c, "from", from, format!("not the parent of '{}' on {start}", c.node)));
                            }
                        }
                        Kind::Leave { node }
                    }
                    (_, Some(from), Some(to)) => {
                        let (f, t) = (look("from", from)?, look("to", to)?);
                        if is_rep[f] && is_rep[t] {
                            let share = c.share.ok_or_else(|| bad(c, "share", "", "empty: a transfer between reps moves a share of the first one's territory".into()))?;
                            if !(share > 0.0 && share <= 1.0) {
                                return Err(bad(c, "share", &share.to_string(), "not in (0, 1]".into()));
                            }
                            if f == t {
                                return Err(bad(c, "to", to, "the same rep as 'from'".into()));
                            }
                            Kind::Transfer { from: f, to: t, share }
                        } else {
                            let Some(node) = node else {
                                return Err(bad(c, "node", &c.node, "not a node of the org tree; a transfer of accounts is between two reps".into()));
                            };
                            if parent[node] != Some(f) {
                                return Err(bad(c, "from", from, format!("not the parent of '{}' on {start}", c.node)));
                            }
                            if is_rep[t] {
                                return Err(bad(c, "to", to, format!("a rep: '{}' moves to a node with reps under it", c.node)));
                            }
                            if c.share.is_some_and(|s| s != 1.0) {
                                return Err(bad(c, "share", &c.share.unwrap_or(1.0).to_string(), "a move takes the whole node (share empty or 1); to move part of a rep's territory, transfer it between reps".into()));
                            }
                            // no cycle: `to` must not be under `node`
                            let mut up = Some(t);
                            while let Some(u) = up {
                                if u == node {
                                    return Err(bad(c, "to", to, format!("under '{}' itself", c.node)));
                                }
                                up = parent[u];
                            }
                            Kind::Move { node, to: t }
                        }
                    }
                    (None, _, _) => {
                        return Err(bad(c, "node", &c.node, "not a node of the org tree: a new rep joins with 'from' empty and 'to' its parent".into()))
                    }
                    (Some(_), None, Some(to)) => {
                        return Err(bad(c, "from", "", format!("empty: '{}' is in the org already (to move it to '{to}', give its parent)", c.node)))
                    }
                };
                if let Kind::Transfer { from, to, .. } = kind {
                    for (who, column) in [(from, "from"), (to, "to")] {
                        if gone[who] {
                            return Err(bad(
                                c,
                                column,
                                &ids[who],
                                format!("has left before {start}"),
                            ));
                        }
                    }
                } else if let Kind::Move { node, .. } | Kind::Leave { node } = kind {
                    if gone[node] {
                        return Err(bad(c, "node", &c.node, format!("has left before {start}")));
                    }
                }
                kinds.push((k, kind));
            }
            apply_day(
                start,
                after,
                &kinds,
                changes,
                &mut parent,
                &mut own,
                &mut gone,
                &mut dates,
                &units,
                &ids,
                &is_rep,
                path,
            )?;
        }
        let end = order
            .get(next)
            .map_or(after, |&k| changes[k].date)
            .min(after);
        segments.push(Segment {
            start,
            end,
            parent: parent.clone(),
        });
        collect_pieces(&segments, &own, &gone, &is_rep, &units, year, &mut pieces);
        start = end;
    }
    let holdings = round_pieces(&pieces, &units, ids.len(), unit)?;
    let mut monthly_out = vec![[0.0; 12]; ids.len()];
    for h in &holdings {
        monthly_out[h.node][h.month as usize - 1] += h.target;
    }
    Ok(Revision {
        year,
        ids,
        dates,
        names,
        holdings,
        segments,
        monthly: monthly_out,
    })
}

/// One holder's share of one month under one chain of ancestors.
#[derive(Debug, Clone)]
struct Piece {
    leaf: usize,
    month: usize,
    /// The leaf's ancestors, parent first, root last.
    chain: Vec<usize>,
    /// In units, not rounded.
    amount: f64,
}

/// Applies one day's changes: moves, joins, then transfers (from what the
/// givers held before the day), then leavers' territory to their fellows.
#[allow(clippy::too_many_arguments)]
fn apply_day(
    day: NaiveDate,
    after: NaiveDate,
    kinds: &[(usize, Kind)],
    changes: &[Change],
    parent: &mut [Option<usize>],
    own: &mut [Vec<(usize, f64)>],
    gone: &mut [bool],
    dates: &mut [(Option<NaiveDate>, Option<NaiveDate>)],
    units: &[[i64; 12]],
    ids: &[String],
    is_rep: &[bool],
    path: &Path,
) -> Result<()> {
    let err = |k: usize, column: &str, value: String, reason: String| Error::Input {
        path: PathBuf::from(path),
        line: changes[k].line,
        column: column.to_string(),
        value: Some(value),
        reason,
    };
    for &(_, kind) in kinds {
        match kind {
            Kind::Move { node, to } | Kind::Join { node, to } => parent[node] = Some(to),
            _ => {}
        }
    }
    let before: Vec<Vec<(usize, f64)>> = own.to_vec();
    let mut given = vec![0.0; own.len()];
    let leavers: Vec<usize> = kinds
        .iter()
        .filter_map(|(_, k)| match k {
            Kind::Leave { node } => Some(*node),
            _ => None,
        })
        .collect();
    for &(k, kind) in kinds {
        if let Kind::Transfer { from, to, share } = kind {
            if leavers.contains(&to) {
                return Err(err(k, "to", ids[to].clone(), format!("leaves on {day}")));
            }
            given[from] += share;
            if given[from] > 1.0 + 1e-9 {
                return Err(err(
                    k,
                    "share",
                    share.to_string(),
                    format!(
                        "the shares '{}' gives on {day} sum to {}, more than 1",
                        ids[from], given[from]
                    ),
                ));
            }
            let moved: Vec<(usize, f64)> =
                before[from].iter().map(|&(o, w)| (o, w * share)).collect();
            add(&mut own[to], &moved);
        }
    }
    for (i, g) in given.iter().enumerate() {
        if *g > 0.0 {
            let keep = (1.0 - g).max(0.0);
            let mut kept: Vec<(usize, f64)> =
                before[i].iter().map(|&(o, w)| (o, w * keep)).collect();
            // what it received today stays
            let received: Vec<(usize, f64)> = own[i]
                .iter()
                .map(|&(o, w)| {
                    (
                        o,
                        w - before[i].iter().find(|x| x.0 == o).map_or(0.0, |x| x.1),
                    )
                })
                .filter(|x| x.1 > 0.0)
                .collect();
            kept.retain(|x| x.1 > 0.0);
            own[i] = kept;
            add(&mut own[i], &received);
        }
    }
    for &leaver in &leavers {
        let k = kinds
            .iter()
            .find(|(_, kind)| *kind == Kind::Leave { node: leaver })
            .map_or(0, |x| x.0);
        if given[leaver] > 0.0 && (given[leaver] - 1.0).abs() > 1e-9 {
            return Err(err(
                k,
                "share",
                format!("{}", given[leaver]),
                format!(
                    "'{}' leaves on {day} and hands over shares summing to {}: a leaver's transfers must sum to 1 (or give none, and its fellow reps take it over)",
                    ids[leaver], given[leaver]
                ),
            ));
        }
        if given[leaver] == 0.0 && !own[leaver].is_empty() {
            // to the fellow reps, by what they hold for the rest of the year
            let p = parent[leaver];
            let fellows: Vec<usize> = (0..own.len())
                .filter(|&j| j != leaver && is_rep[j] && parent[j] == p && !gone[j])
                .filter(|&j| !leavers.contains(&j))
                .collect();
            let rest = |j: usize| -> f64 {
                own[j]
                    .iter()
                    .map(|&(o, w)| w * remaining_units(&units[o], day, after))
                    .sum()
            };
            let weights: Vec<f64> = fellows.iter().map(|&j| rest(j)).collect();
            let total: f64 = weights.iter().sum();
            if fellows.is_empty() || total <= 0.0 {
                return Err(err(
                    k,
                    "to",
                    String::new(),
                    format!(
                        "empty, so '{}' leaves on {day}, but no fellow rep holds any target for the rest of the year to take its territory in proportion to: name who takes it over with transfers from '{}' that day",
                        ids[leaver], ids[leaver]
                    ),
                ));
            }
            let territory = std::mem::take(&mut own[leaver]);
            for (&j, w) in fellows.iter().zip(&weights) {
                let part: Vec<(usize, f64)> =
                    territory.iter().map(|&(o, x)| (o, x * w / total)).collect();
                add(&mut own[j], &part);
            }
        }
        own[leaver].clear();
        gone[leaver] = true;
        dates[leaver].1 = day.pred_opt();
    }
    Ok(())
}

/// Adds `part` to the territory `to`.
fn add(to: &mut Vec<(usize, f64)>, part: &[(usize, f64)]) {
    for &(o, w) in part {
        match to.iter_mut().find(|x| x.0 == o) {
            Some(x) => x.1 += w,
            None => to.push((o, w)),
        }
    }
}

/// The days of `month` (0-based) of `year` within `[start, end)`, and the
/// month's length.
fn days_in(year: i32, month: usize, start: NaiveDate, end: NaiveDate) -> (i64, i64) {
    let first = NaiveDate::from_ymd_opt(year, month as u32 + 1, 1).expect("a month of the year");
    let next = if month == 11 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month as u32 + 2, 1)
    }
    .expect("a month of the year");
    let a = start.max(first);
    let b = end.min(next);
    ((b - a).num_days().max(0), (next - first).num_days())
}

/// What a rep's monthly targets (in units) leave from `day` to the year end.
fn remaining_units(units: &[i64; 12], day: NaiveDate, after: NaiveDate) -> f64 {
    (0..12)
        .map(|m| {
            let (d, len) = days_in(day.year(), m, day, after);
            units[m] as f64 * d as f64 / len as f64
        })
        .sum()
}

/// The last segment's pieces: every holder's territory × the days of each
/// month it covers.
fn collect_pieces(
    segments: &[Segment],
    own: &[Vec<(usize, f64)>],
    gone: &[bool],
    is_rep: &[bool],
    units: &[[i64; 12]],
    year: i32,
    pieces: &mut Vec<Piece>,
) {
    let Some(s) = segments.last() else { return };
    for (leaf, territory) in own.iter().enumerate() {
        if !is_rep[leaf] || gone[leaf] {
            continue;
        }
        let mut chain = Vec::new();
        let mut up = s.parent[leaf];
        while let Some(u) = up {
            chain.push(u);
            up = s.parent[u];
        }
        // the month indexes every territory's targets, not one array
        #[allow(clippy::needless_range_loop)]
        for m in 0..12 {
            let (d, len) = days_in(year, m, s.start, s.end);
            if d == 0 {
                continue;
            }
            let amount: f64 = territory
                .iter()
                .map(|&(o, w)| w * units[o][m] as f64 * d as f64 / len as f64)
                .sum();
            pieces.push(Piece {
                leaf,
                month: m,
                chain: chain.clone(),
                amount,
            });
        }
    }
}

/// Rounds the pieces to whole units: each month's leaf totals keep the
/// month's company total, each leaf-month's pieces keep the leaf's; the
/// parents' rows are the sums of their children's.
fn round_pieces(
    pieces: &[Piece],
    units: &[[i64; 12]],
    n: usize,
    unit: f64,
) -> Result<Vec<Holding>> {
    let mut ws = Workspace::default();
    // leaf-month totals
    let mut total = vec![[0.0f64; 12]; n];
    let mut is_holder = vec![false; n];
    for p in pieces {
        total[p.leaf][p.month] += p.amount;
        is_holder[p.leaf] = true;
    }
    let holders: Vec<usize> = (0..n).filter(|&i| is_holder[i]).collect();
    let mut rounded = vec![[0i64; 12]; n];
    for m in 0..12 {
        let company: i64 = units.iter().map(|u| u[m]).sum();
        let x: Vec<f64> = holders.iter().map(|&h| total[h][m]).collect();
        let mut out = vec![0i64; x.len()];
        let lower = vec![0i64; x.len()];
        let upper = vec![i64::MAX; x.len()];
        let x = snapped(&x);
        round_split_into(&x, company, &lower, &upper, &mut out, &mut ws)?;
        for (&h, v) in holders.iter().zip(out) {
            rounded[h][m] = v;
        }
    }
    // each leaf-month's pieces
    let mut by_leaf_month: std::collections::BTreeMap<(usize, usize), Vec<usize>> =
        Default::default();
    for (k, p) in pieces.iter().enumerate() {
        by_leaf_month.entry((p.leaf, p.month)).or_default().push(k);
    }
    let mut rows: std::collections::BTreeMap<(usize, Option<usize>, usize), i64> =
        Default::default();
    for ((leaf, m), ks) in &by_leaf_month {
        let want = rounded[*leaf][*m];
        let sum: f64 = ks.iter().map(|&k| pieces[k].amount).sum();
        let x: Vec<f64> = if sum > 0.0 {
            ks.iter()
                .map(|&k| pieces[k].amount * want as f64 / sum)
                .collect()
        } else {
            let mut x = vec![0.0; ks.len()];
            if let Some(last) = x.last_mut() {
                *last = want as f64;
            }
            x
        };
        let x = snapped(&x);
        let mut out = vec![0i64; ks.len()];
        round_split_into(
            &x,
            want,
            &vec![0; ks.len()],
            &vec![i64::MAX; ks.len()],
            &mut out,
            &mut ws,
        )?;
        for (&k, v) in ks.iter().zip(out) {
            let p = &pieces[k];
            *rows
                .entry((p.leaf, p.chain.first().copied(), *m))
                .or_insert(0) += v;
            for (i, &a) in p.chain.iter().enumerate() {
                *rows
                    .entry((a, p.chain.get(i + 1).copied(), *m))
                    .or_insert(0) += v;
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|((node, parent, m), v)| Holding {
            node,
            parent,
            month: m as u32 + 1,
            target: v as f64 * unit,
        })
        .collect())
}

/// Values within 1e-9 of a whole number made whole (so that floating
/// error does not push an exact amount below its floor).
fn snapped(x: &[f64]) -> Vec<f64> {
    x.iter()
        .map(|&v| {
            if (v - v.round()).abs() < 1e-9 * v.abs().max(1.0) {
                v.round()
            } else {
                v
            }
        })
        .collect()
}

impl Revision {
    /// The plan year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// Number of nodes (the org's and the reps that joined).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// A node's id.
    pub fn id(&self, node: usize) -> &str {
        &self.ids[node]
    }

    /// The node of an id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|x| x == id)
    }

    /// Every node's target per month under each parent, ordered by node,
    /// parent and month.
    pub fn holdings(&self) -> &[Holding] {
        &self.holdings
    }

    /// A node's target in `month` (1..=12) under `parent`.
    pub fn target(&self, node: usize, parent: Option<usize>, month: u32) -> f64 {
        self.holdings
            .iter()
            .filter(|h| h.node == node && h.parent == parent && h.month == month)
            .map(|h| h.target)
            .sum()
    }

    /// A node's twelve monthly targets (under all its parents).
    pub fn monthly(&self, node: usize) -> [f64; 12] {
        self.monthly[node]
    }

    /// A node's annual target.
    pub fn annual(&self, node: usize) -> f64 {
        self.monthly[node].iter().sum()
    }

    /// The org on `day`: every node (the reps that joined with their
    /// start, the leavers with their last day) under its parent of that day.
    pub fn org_on(&self, day: NaiveDate) -> Vec<NodeRow> {
        let s = self
            .segments
            .iter()
            .find(|s| s.start <= day && day < s.end)
            .or(self.segments.last());
        (0..self.ids.len())
            .map(|i| NodeRow {
                id: self.ids[i].clone(),
                parent: s
                    .and_then(|s| s.parent.get(i).copied().flatten())
                    .map(|p| self.ids[p].clone()),
                name: self.names[i].clone(),
                start: self.dates[i].0,
                end: self.dates[i].1,
                line: 0,
            })
            .collect()
    }

    /// The days on which changes took effect, in order.
    pub fn change_dates(&self) -> Vec<NaiveDate> {
        self.segments.iter().skip(1).map(|s| s.start).collect()
    }

    /// Adds `amount`, what `leaf` sold in `month` (0-based), to each of its
    /// ancestors in `out` by the share of the month it was under them.
    pub fn spread_up(&self, leaf: usize, month: usize, amount: f64, out: &mut [f64]) {
        for s in &self.segments {
            let (d, len) = days_in(self.year, month, s.start, s.end);
            if d == 0 || len == 0 {
                continue;
            }
            let part = amount * d as f64 / len as f64;
            let mut up = s.parent.get(leaf).copied().flatten();
            while let Some(u) = up {
                if let Some(o) = out.get_mut(u) {
                    *o += part;
                }
                up = s.parent.get(u).copied().flatten();
            }
        }
    }

    /// The share of `month` (0-based) in which `node` is `leaf` or above it
    /// (`leaf`'s sales in that month count towards `node` by this share).
    pub fn share_under(&self, leaf: usize, node: usize, month: usize) -> f64 {
        let mut days = 0;
        let mut len = 0;
        for s in &self.segments {
            let (d, l) = days_in(self.year, month, s.start, s.end);
            len = l;
            if d == 0 {
                continue;
            }
            let mut up = Some(leaf);
            while let Some(u) = up {
                if u == node {
                    days += d;
                    break;
                }
                up = s.parent.get(u).copied().flatten();
            }
        }
        if len == 0 {
            0.0
        } else {
            days as f64 / len as f64
        }
    }
}
