//! Top-down against bottom-up: the commitments reps and managers submit
//! (what each says their unit will sell), compared with the targets the
//! top-down allocation gives them, and used by it as a basis (the `commit`
//! column) or as floors (no node below a share of its own commitment).
//!
//! A node's commitment is its own where it submitted one; a node without
//! one is committed bottom-up, as the sum of its children's, when every
//! child is committed (itself or bottom-up); otherwise it has none. A rep
//! who is not in the org during the plan year (left before it, starts
//! after it) commits nothing without saying so.
//!
//! ```
//! use salesplan::plan::commitments::{Commitments, CommitmentSource};
//! use salesplan::plan::org::OrgTree;
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\nt,co\na,t\nb,t\nu,co\nc,u\n".as_bytes(), "org.csv".as_ref())?;
//! let mut own = vec![None; tree.len()];
//! own[tree.index_of("a").unwrap()] = Some(60.0);
//! own[tree.index_of("b").unwrap()] = Some(50.0);
//! own[tree.index_of("u").unwrap()] = Some(100.0);
//! let commits = Commitments::new(&tree, own, 2026)?;
//! let t = tree.index_of("t").unwrap();
//! // t is committed by its reps, the company by t and u
//! assert_eq!(commits.resolved(t), Some((110.0, CommitmentSource::Children)));
//! assert_eq!(commits.resolved(tree.root()), Some((210.0, CommitmentSource::Children)));
//! // c has no commitment of its own: it takes u's
//! let basis = commits.leaf_basis(&tree, &vec![0.0; tree.len()])?;
//! assert_eq!(basis[tree.index_of("c").unwrap()], 100.0);
//! # Ok::<(), salesplan::Error>(())
//! ```

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::plan::allocate::PlanConstraints;
use crate::plan::org::OrgTree;

/// The basis column of the commitments ([`Commitments::leaf_basis`]).
pub const COMMIT_COLUMN: &str = "commit";

/// Where a node's commitment comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentSource {
    /// The node submitted it.
    Own,
    /// The sum of its children's.
    Children,
}

impl CommitmentSource {
    /// `own` or `children`.
    pub fn name(self) -> &'static str {
        match self {
            CommitmentSource::Own => "own",
            CommitmentSource::Children => "children",
        }
    }
}

/// The commitments of an org's nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Commitments {
    own: Vec<Option<f64>>,
    resolved: Vec<Option<(f64, CommitmentSource)>>,
}

impl Commitments {
    /// Commitments from each node's own (indexed by node; `None`: none
    /// submitted) for the plan `year`. Fails on a negative or non-finite
    /// amount, or when no node has one.
    pub fn new(tree: &OrgTree, own: Vec<Option<f64>>, year: i32) -> Result<Commitments> {
        if own.len() != tree.len() {
            return Err(Error::InvalidParameter {
                name: "commitments",
                reason: format!("{} values for {} nodes", own.len(), tree.len()),
            });
        }
        if let Some((node, v)) = own
            .iter()
            .enumerate()
            .find_map(|(i, v)| v.filter(|v| !(v.is_finite() && *v >= 0.0)).map(|v| (i, v)))
        {
            return Err(Error::InvalidParameter {
                name: "commitments",
                reason: format!("'{}' commits {v}, not a non-negative amount", tree.id(node)),
            });
        }
        if own.iter().all(Option::is_none) {
            return Err(Error::InvalidParameter {
                name: "commitments",
                reason: "no node has one".into(),
            });
        }
        let first = NaiveDate::from_ymd_opt(year, 1, 1);
        let last = NaiveDate::from_ymd_opt(year, 12, 31);
        let away = |i: usize| {
            tree.is_leaf(i)
                && (tree.end_date(i).is_some_and(|e| Some(e) < first)
                    || tree.start_date(i).is_some_and(|s| Some(s) > last))
        };
        let mut resolved: Vec<Option<(f64, CommitmentSource)>> = own
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Some(v) => Some((*v, CommitmentSource::Own)),
                None if away(i) => Some((0.0, CommitmentSource::Own)),
                None => None,
            })
            .collect();
        // level order reversed: children before parents
        for node in (0..tree.len()).rev() {
            if resolved[node].is_some() || tree.is_leaf(node) {
                continue;
            }
            let sum: Option<f64> = tree.children(node).map(|c| resolved[c].map(|r| r.0)).sum();
            resolved[node] = sum.map(|s| (s, CommitmentSource::Children));
        }
        Ok(Commitments { own, resolved })
    }

    /// The node's own commitment.
    pub fn own(&self, node: usize) -> Option<f64> {
        self.own[node]
    }

    /// The node's commitment, own or bottom-up (module docs).
    pub fn resolved(&self, node: usize) -> Option<(f64, CommitmentSource)> {
        self.resolved[node]
    }

    /// The `commit` basis column on the leaves: a leaf's own commitment;
    /// a leaf without one takes a part of its nearest committed ancestor's:
    /// what the ancestor committed beyond its committed parts (never below
    /// 0), shared among its uncommitted children by `last_year` (equally
    /// when those sold nothing), and so on down. Fails, naming it, when a
    /// leaf has no committed ancestor: its basis would be invented.
    pub fn leaf_basis(&self, tree: &OrgTree, last_year: &[f64]) -> Result<Vec<f64>> {
        let n = tree.len();
        let totals = tree.aggregate(last_year)?;
        // leaves away all year are committed at 0
        let mut value: Vec<Option<f64>> = (0..n)
            .map(|i| match tree.is_leaf(i) {
                true => self.resolved[i].map(|r| r.0),
                false => self.own[i],
            })
            .collect();
        // level order: parents before children
        for node in 0..n {
            let Some(v) = value[node] else {
                continue;
            };
            let kids = tree.children(node);
            let committed: f64 = kids
                .clone()
                .filter_map(|c| self.resolved[c].map(|r| r.0))
                .sum();
            let open: Vec<usize> = kids.filter(|&c| self.resolved[c].is_none()).collect();
            if open.is_empty() {
                continue;
            }
            let rest = (v - committed).max(0.0);
            let sold: f64 = open.iter().map(|&c| totals[c].max(0.0)).sum();
            for &c in &open {
                value[c] = Some(if sold > 0.0 {
                    rest * totals[c].max(0.0) / sold
                } else {
                    rest / open.len() as f64
                });
            }
        }
        (0..n)
            .map(|i| {
                if !tree.is_leaf(i) {
                    return Ok(0.0);
                }
                value[i].ok_or_else(|| Error::InvalidParameter {
                    name: "commitments",
                    reason: format!(
                        "'{}' has no commitment, nor any node above it, so the 'commit' basis has nothing to give it",
                        tree.id(i)
                    ),
                })
            })
            .collect()
    }

    /// Sets, on every node with its own commitment, the smallest target
    /// `floor` × the commitment (raising a constraints file's `min`, never
    /// lowering it).
    pub fn apply_floor(&self, constraints: &mut PlanConstraints, floor: f64) -> Result<()> {
        if !(floor.is_finite() && floor >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "commitment floor",
                reason: format!("{floor} is not a non-negative share"),
            });
        }
        for (c, own) in constraints.nodes.iter_mut().zip(&self.own) {
            if let Some(v) = own {
                let bound = floor * v;
                c.min = Some(c.min.map_or(bound, |m| m.max(bound)));
            }
        }
        Ok(())
    }
}
