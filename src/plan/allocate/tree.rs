//! Allocating a target down a whole org tree, level by level.

use rayon::prelude::*;

use super::ramp::is_new;
use super::split::{round_split_into, split_into, Infeasibility, Method, Workspace};
use crate::error::{Error, Result};
use crate::plan::org::OrgTree;

/// Constraints a manager puts on one node (all optional).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NodeConstraints {
    /// Smallest target.
    pub min: Option<f64>,
    /// Largest target.
    pub max: Option<f64>,
    /// Lowest growth over last year (e.g. `-0.10`); applies when last year's
    /// actual is positive and the node is not new.
    pub growth_min: Option<f64>,
    /// Highest growth over last year (e.g. `0.40`).
    pub growth_max: Option<f64>,
    /// The exact target (overrides the node's own min, max and growth caps).
    pub lock: Option<f64>,
    /// The node's children sum to `(1 + over_assignment) ×` its target.
    pub over_assignment: Option<f64>,
}

/// Per-node constraints for a whole tree, and the `potential` basis column
/// a constraints file may carry (0 where not given), both indexed by node.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanConstraints {
    pub nodes: Vec<NodeConstraints>,
    pub potential: Vec<f64>,
}

impl PlanConstraints {
    /// No constraint and no potential on any of `n` nodes.
    pub fn none(n: usize) -> PlanConstraints {
        PlanConstraints {
            nodes: vec![NodeConstraints::default(); n],
            potential: vec![0.0; n],
        }
    }
}

/// Which constraint sets a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundSource {
    /// No constraint: 0 below, unbounded above.
    Default,
    Min,
    Max,
    GrowthMin,
    GrowthMax,
    Lock,
    /// Inactive the whole plan year (left before it or starts after it).
    Inactive,
    /// The children's minimums (or their locks).
    ChildrenMin,
    /// The children's maximums.
    ChildrenMax,
}

impl BoundSource {
    /// The name used in summaries and messages.
    pub fn name(self) -> &'static str {
        match self {
            BoundSource::Default => "",
            BoundSource::Min => "min",
            BoundSource::Max => "max",
            BoundSource::GrowthMin => "growth_min",
            BoundSource::GrowthMax => "growth_max",
            BoundSource::Lock => "lock",
            BoundSource::Inactive => "inactive",
            BoundSource::ChildrenMin => "children_min",
            BoundSource::ChildrenMax => "children_max",
        }
    }
}

/// Everything the allocation needs besides the tree and the target.
///
/// Vectors are indexed by node (the tree's numbering). `basis` and
/// `last_year` are read at the leaves only; inner nodes get the sums of
/// their leaves.
#[derive(Debug, Clone)]
pub struct AllocationInput {
    /// Non-negative basis per leaf (before the activity factor).
    pub basis: Vec<f64>,
    /// Last year's actual per leaf.
    pub last_year: Vec<f64>,
    /// Constraints per node.
    pub constraints: Vec<NodeConstraints>,
    /// Activity factor per node in `[0, 1]` (see [`Ramp`](super::Ramp)):
    /// scales a leaf's basis; 0 forces the node's target to 0.
    pub activity: Vec<f64>,
}

impl AllocationInput {
    /// Leaves' basis, everything else neutral: no last year, no
    /// constraints, fully active.
    pub fn from_basis(basis: Vec<f64>) -> AllocationInput {
        let n = basis.len();
        AllocationInput {
            basis,
            last_year: vec![0.0; n],
            constraints: vec![NodeConstraints::default(); n],
            activity: vec![1.0; n],
        }
    }
}

/// How to allocate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AllocationOptions {
    pub method: Method,
    /// Round every target to a multiple of this unit (1, 100, 1000 ...),
    /// every parent's children summing exactly to its rounded target.
    pub unit: Option<f64>,
    /// The plan year (for "new" nodes, which growth caps skip).
    pub year: i32,
}

/// The allocated plan: one target per node and what explains it.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Target per node.
    pub targets: Vec<f64>,
    /// With a rounding unit: the targets in whole units (`targets / unit`).
    pub units: Option<Vec<i64>>,
    /// The effective basis per node (after activity, summed to inner nodes).
    pub basis: Vec<f64>,
    /// The node's share of its siblings' basis (1 for the root).
    pub basis_share: Vec<f64>,
    /// Last year's actual per node (summed to inner nodes).
    pub last_year: Vec<f64>,
    /// The constraint the target sits on, if any.
    pub binding: Vec<Option<BoundSource>>,
}

/// Allocates `target` from the root down to every node.
///
/// Each node's own bounds (min, max, growth caps against last year, lock,
/// inactivity) are first tightened bottom-up by what its children can take
/// (`Σ children's bounds / (1 + over-assignment)`), so an impossible request
/// is found before any split, at the deepest node where it arises, and named
/// with its target, its children's minimum and maximum sums and the binding
/// constraints. Then every parent's target (times `1 + over_assignment`) is
/// split among its children by [`split_into`], level by level, the parents
/// of a level in parallel (rayon); no sum crosses threads, so the result is
/// the same for any number of threads.
///
/// With a rounding unit, the bounds become whole units (lower bounds rounded
/// up, upper bounds down), the root's target is rounded to the nearest unit,
/// each parent's children split its *rounded* target and are rounded by
/// largest remainder within their bounds, so every parent's children sum
/// exactly to it and every child is within one unit of its exact split.
/// Bounds are never broken to make rounding work: when they leave no
/// whole-unit plan (say growth caps narrower than one unit, or a target that
/// rounds outside the root's bounds), the allocation fails with
/// [`Error::ConflictingBounds`] or [`Error::Infeasible`] naming the node.
///
/// ```
/// use salesplan::plan::allocate::{allocate, AllocationInput, AllocationOptions, Method};
/// use salesplan::plan::org::OrgTree;
/// let csv = "node_id,parent_id\nco,\neast,co\nwest,co\na,east\nb,east\nc,west\n";
/// let tree = OrgTree::read_from(csv.as_bytes(), "org.csv".as_ref()).unwrap();
/// let mut basis = vec![0.0; tree.len()];
/// for (id, v) in [("a", 10.0), ("b", 20.0), ("c", 30.0)] {
///     basis[tree.index_of(id).unwrap()] = v;
/// }
/// let mut input = AllocationInput::from_basis(basis);
/// input.constraints[tree.index_of("c").unwrap()].max = Some(40.0);
/// let options = AllocationOptions { method: Method::Proportional, unit: Some(1.0), year: 2027 };
/// let plan = allocate(&tree, &input, 100.0, &options).unwrap();
/// let t = |id: &str| plan.targets[tree.index_of(id).unwrap()];
/// assert_eq!((t("a"), t("b"), t("c")), (20.0, 40.0, 40.0));
/// assert_eq!(t("east") + t("west"), 100.0);
/// // more than the tree can take
/// input.constraints[tree.index_of("east").unwrap()].max = Some(50.0);
/// let e = allocate(&tree, &input, 100.0, &options).unwrap_err();
/// assert!(e.to_string().contains("node 'co'"));
/// ```
pub fn allocate(
    tree: &OrgTree,
    input: &AllocationInput,
    target: f64,
    options: &AllocationOptions,
) -> Result<Allocation> {
    let n = tree.len();
    for (name, len) in [
        ("basis", input.basis.len()),
        ("last_year", input.last_year.len()),
        ("constraints", input.constraints.len()),
        ("activity", input.activity.len()),
    ] {
        if len != n {
            return Err(Error::InvalidParameter {
                name: "allocation input",
                reason: format!("{name} has {len} entries for {n} nodes"),
            });
        }
    }
    let unit = match options.unit {
        Some(u) if !(u.is_finite() && u > 0.0) => {
            return Err(Error::InvalidParameter {
                name: "rounding unit",
                reason: format!("{u} is not a positive number"),
            })
        }
        u => u,
    };
    if !target.is_finite() {
        return Err(Error::InvalidParameter {
            name: "target",
            reason: format!("{target} is not finite"),
        });
    }
    if target < 0.0 {
        return Err(Error::InvalidParameter {
            name: "target",
            reason: format!("{target} is negative: a sales target is zero or more"),
        });
    }
    let scale = unit.unwrap_or(1.0);
    // Effective basis and last year, summed bottom-up.
    let mut basis = vec![0.0; n];
    #[allow(clippy::needless_range_loop)]
    for i in 0..n {
        let (b, a) = (input.basis[i], input.activity[i]);
        if !(b.is_finite() && b >= 0.0) {
            return Err(node_error(tree, i, "basis", b));
        }
        if !(a.is_finite() && (0.0..=1.0).contains(&a)) {
            return Err(node_error(tree, i, "activity", a));
        }
        basis[i] = b * a;
    }
    tree.aggregate_in_place(&mut basis)?;
    let last_year = tree.aggregate(&input.last_year)?;
    // Own bounds, in units.
    let mut lower = vec![0.0; n];
    let mut upper = vec![f64::INFINITY; n];
    let mut lower_source = vec![BoundSource::Default; n];
    let mut upper_source = vec![BoundSource::Default; n];
    let mut over = vec![1.0; n];
    for i in 0..n {
        let c = &input.constraints[i];
        for (name, v) in [
            ("min", c.min),
            ("max", c.max),
            ("growth_min", c.growth_min),
            ("growth_max", c.growth_max),
            ("lock", c.lock),
            ("over_assignment", c.over_assignment),
        ] {
            if let Some(v) = v {
                if !v.is_finite() {
                    return Err(node_error(tree, i, name, v));
                }
            }
        }
        if let Some(o) = c.over_assignment {
            if o <= -1.0 {
                return Err(node_error(tree, i, "over_assignment", o));
            }
            over[i] = 1.0 + o;
        }
        let ly = last_year[i];
        let caps = ly > 0.0 && !is_new(tree, i, options.year);
        let mut raise = |v: f64, source| {
            if v > lower[i] {
                lower[i] = v;
                lower_source[i] = source;
            }
        };
        if let Some(m) = c.min {
            raise(m / scale, BoundSource::Min);
        }
        if let (Some(g), true) = (c.growth_min, caps) {
            raise(ly * (1.0 + g) / scale, BoundSource::GrowthMin);
        }
        let mut cut = |v: f64, source| {
            if v < upper[i] {
                upper[i] = v;
                upper_source[i] = source;
            }
        };
        if let Some(m) = c.max {
            cut(m / scale, BoundSource::Max);
        }
        if let (Some(g), true) = (c.growth_max, caps) {
            cut(ly * (1.0 + g) / scale, BoundSource::GrowthMax);
        }
        if let Some(l) = c.lock {
            lower[i] = l / scale;
            upper[i] = l / scale;
            lower_source[i] = BoundSource::Lock;
            upper_source[i] = BoundSource::Lock;
        }
        if input.activity[i] == 0.0 {
            upper[i] = upper[i].min(0.0);
            upper_source[i] = BoundSource::Inactive;
            if c.lock.is_none() {
                lower[i] = lower[i].min(0.0);
                lower_source[i] = BoundSource::Inactive;
            }
        }
        if unit.is_some() {
            lower[i] = lower[i].ceil();
            upper[i] = upper[i].floor();
        }
        if lower[i] > upper[i] {
            // a growth bound in the user's terms: the rate, on what
            let words = |source: BoundSource, rate: Option<f64>| match (source, rate) {
                (BoundSource::GrowthMin | BoundSource::GrowthMax, Some(g)) => format!(
                    "{} {} on last year's {}",
                    source.name(),
                    crate::error::amount(g),
                    crate::error::amount(ly)
                ),
                _ => source.name().to_string(),
            };
            return Err(Error::ConflictingBounds {
                node: tree.id(i).to_string(),
                lower: lower[i] * scale,
                lower_source: words(lower_source[i], c.growth_min),
                upper: upper[i] * scale,
                upper_source: words(upper_source[i], c.growth_max),
            });
        }
    }
    // Tighten bottom-up by the children's capacity.
    for i in (0..n).rev() {
        let kids = tree.children(i);
        if kids.is_empty() {
            continue;
        }
        let (mut cmin, mut cmax) = (0.0, 0.0);
        for c in kids.clone() {
            cmin += lower[c];
            cmax += upper[c];
        }
        let (mut from_min, mut from_max) = (cmin / over[i], cmax / over[i]);
        if unit.is_some() {
            from_min = from_min.ceil();
            while (from_min * over[i]).round() < cmin {
                from_min += 1.0;
            }
            from_max = from_max.floor();
            while from_max.is_finite() && (from_max * over[i]).round() > cmax {
                from_max -= 1.0;
            }
        }
        if from_min > upper[i] || from_max < lower[i] {
            let too_much = from_min > upper[i];
            let node_target = if too_much { upper[i] } else { lower[i] };
            return Err(Error::Infeasible {
                node: tree.id(i).to_string(),
                target: node_target * over[i] * scale,
                min_sum: cmin * scale,
                max_sum: cmax * scale,
                binding: describe(
                    tree,
                    i,
                    kids,
                    if too_much { &lower } else { &upper },
                    if too_much {
                        &lower_source
                    } else {
                        &upper_source
                    },
                    scale,
                    if too_much {
                        upper_source[i]
                    } else {
                        lower_source[i]
                    },
                ),
            });
        }
        if from_min > lower[i] {
            lower[i] = from_min;
            lower_source[i] = BoundSource::ChildrenMin;
        }
        if from_max < upper[i] {
            upper[i] = from_max;
            upper_source[i] = BoundSource::ChildrenMax;
        }
    }
    // The root's target.
    let root = tree.root();
    let mut root_target = target / scale;
    if unit.is_some() {
        root_target = root_target.round();
        if root_target == 0.0 && target != 0.0 {
            return Err(Error::InvalidParameter {
                name: "rounding unit",
                reason: format!(
                    "the unit {scale} cannot represent the target {target}: it rounds to 0 units, a plan of zeros; use a unit no larger than the target"
                ),
            });
        }
    }
    if !(lower[root] <= root_target && root_target <= upper[root]) {
        let too_little = root_target < lower[root];
        let kids = tree.children(root);
        let (cmin, cmax) = kids
            .clone()
            .fold((0.0, 0.0), |(a, b), c| (a + lower[c], b + upper[c]));
        let (bounds, sources) = if too_little {
            (&lower, &lower_source)
        } else {
            (&upper, &upper_source)
        };
        return Err(Error::Infeasible {
            node: tree.id(root).to_string(),
            target: root_target * scale,
            min_sum: cmin * scale,
            max_sum: cmax * scale,
            binding: describe(
                tree,
                root,
                kids,
                bounds,
                sources,
                scale,
                if too_little {
                    lower_source[root]
                } else {
                    upper_source[root]
                },
            ),
        });
    }
    // Top-down, level by level, parents of a level in parallel.
    let mut values = vec![0.0; n];
    let mut whole = unit.map(|_| vec![0i64; n]);
    values[root] = root_target;
    if let Some(w) = whole.as_mut() {
        w[root] = root_target as i64;
    }
    let context = Context {
        tree,
        basis: &basis,
        lower: &lower,
        upper: &upper,
        over: &over,
        method: options.method,
        scale,
    };
    for level in 0..tree.depth().saturating_sub(1) {
        let parents = tree.level(level);
        let next = tree.level(level + 1);
        let (done, rest) = values.split_at_mut(next.start);
        let parent_values = &done[parents.clone()];
        let mut chunks = Vec::with_capacity(parents.len());
        let mut tail = &mut rest[..next.len()];
        let mut whole_tail: Option<&mut [i64]> = None;
        let mut whole_parent: Option<&[i64]> = None;
        if let Some(w) = whole.as_mut() {
            let (d, r) = w.split_at_mut(next.start);
            whole_parent = Some(&d[parents.clone()]);
            whole_tail = Some(&mut r[..next.len()]);
        }
        for (k, p) in parents.clone().enumerate() {
            let count = tree.children(p).len();
            let (mine, others) = tail.split_at_mut(count);
            tail = others;
            let whole_mine = match whole_tail.take() {
                Some(t) => {
                    let (m, o) = t.split_at_mut(count);
                    whole_tail = Some(o);
                    Some(m)
                }
                None => None,
            };
            let parent_whole = whole_parent.map(|w| w[k]);
            if count > 0 {
                chunks.push((p, parent_values[k], parent_whole, mine, whole_mine));
            }
        }
        let outcomes: Vec<Result<()>> = chunks
            .into_par_iter()
            .with_min_len(64)
            .map_init(
                TreeWorkspace::default,
                |ws, (p, value, whole, out, out_whole)| {
                    context.split_node(p, value, whole, out, out_whole, ws)
                },
            )
            .collect();
        outcomes.into_iter().collect::<Result<()>>()?;
    }
    // Explanations.
    let mut basis_share = vec![1.0; n];
    for p in 0..n {
        let kids = tree.children(p);
        if kids.is_empty() {
            continue;
        }
        let total: f64 = basis[kids.clone()].iter().sum();
        let count = kids.len() as f64;
        for c in kids {
            basis_share[c] = if total > 0.0 {
                basis[c] / total
            } else {
                1.0 / count
            };
        }
    }
    let binding = (0..n)
        .map(|i| {
            let v = values[i];
            let tol = 1e-9 * v.abs().max(1.0);
            if upper_source[i] == BoundSource::Lock {
                Some(BoundSource::Lock)
            } else if (v - upper[i]).abs() <= tol && upper_source[i] != BoundSource::Default {
                Some(upper_source[i])
            } else if (v - lower[i]).abs() <= tol && lower_source[i] != BoundSource::Default {
                Some(lower_source[i])
            } else {
                None
            }
        })
        .collect();
    let targets = match &whole {
        Some(w) => w.iter().map(|&k| k as f64 * scale).collect(),
        None => values,
    };
    Ok(Allocation {
        targets,
        units: whole,
        basis,
        basis_share,
        last_year,
        binding,
    })
}

/// Per-thread buffers of the top-down pass.
#[derive(Default)]
struct TreeWorkspace {
    split: Workspace,
    lower: Vec<i64>,
    upper: Vec<i64>,
}

struct Context<'a> {
    tree: &'a OrgTree,
    basis: &'a [f64],
    lower: &'a [f64],
    upper: &'a [f64],
    over: &'a [f64],
    method: Method,
    scale: f64,
}

impl Context<'_> {
    fn split_node(
        &self,
        p: usize,
        value: f64,
        whole: Option<i64>,
        out: &mut [f64],
        out_whole: Option<&mut [i64]>,
        ws: &mut TreeWorkspace,
    ) -> Result<()> {
        let kids = self.tree.children(p);
        let (lower, upper) = (&self.lower[kids.clone()], &self.upper[kids.clone()]);
        let min_sum: f64 = lower.iter().sum();
        let max_sum: f64 = upper.iter().sum();
        let total = match whole {
            Some(w) => (w as f64 * self.over[p]).round(),
            // guaranteed feasible by the bottom-up pass up to rounding error
            None => (value * self.over[p]).clamp(min_sum, max_sum.max(min_sum)),
        };
        let result = split_into(
            self.method,
            total,
            &self.basis[kids.clone()],
            lower,
            upper,
            out,
            &mut ws.split,
        );
        if let Err(Infeasibility {
            min_sum, max_sum, ..
        }) = result
        {
            return Err(Error::Infeasible {
                node: self.tree.id(p).to_string(),
                target: total * self.scale,
                min_sum: min_sum * self.scale,
                max_sum: max_sum * self.scale,
                binding: "rounding (internal error, please report)".into(),
            });
        }
        if let Some(out_whole) = out_whole {
            ws.lower.clear();
            ws.lower.extend(lower.iter().map(|&l| l as i64));
            ws.upper.clear();
            ws.upper.extend(
                upper
                    .iter()
                    .map(|&u| if u.is_finite() { u as i64 } else { i64::MAX }),
            );
            round_split_into(
                out,
                total as i64,
                &ws.lower,
                &ws.upper,
                out_whole,
                &mut ws.split,
            )?;
            for (x, &k) in out.iter_mut().zip(out_whole.iter()) {
                *x = k as f64;
            }
        }
        Ok(())
    }
}

fn node_error(tree: &OrgTree, i: usize, name: &'static str, value: f64) -> Error {
    Error::InvalidParameter {
        name,
        reason: format!("node '{}': {value} is not allowed", tree.id(i)),
    }
}

/// The constraints that bind on one side, in words: counts, sums and up to
/// three node ids per kind of constraint.
#[allow(clippy::too_many_arguments)]
fn describe(
    tree: &OrgTree,
    parent: usize,
    kids: std::ops::Range<usize>,
    bounds: &[f64],
    sources: &[BoundSource],
    scale: f64,
    own: BoundSource,
) -> String {
    let kinds = [
        BoundSource::Lock,
        BoundSource::Min,
        BoundSource::Max,
        BoundSource::GrowthMin,
        BoundSource::GrowthMax,
        BoundSource::Inactive,
    ];
    let mut parts = Vec::new();
    if kinds.contains(&own) {
        parts.push(format!("the node's own {}", own.name()));
    }
    // The constraints behind the children's bounds: a bound that comes
    // from a child's own children is traced down to the nodes that set it.
    let mut found: Vec<(BoundSource, usize)> = Vec::new();
    let mut stack: Vec<usize> = kids.rev().collect();
    while let Some(c) = stack.pop() {
        match sources[c] {
            BoundSource::ChildrenMin | BoundSource::ChildrenMax => {
                stack.extend(tree.children(c).rev());
            }
            BoundSource::Default => {}
            kind => found.push((kind, c)),
        }
    }
    for kind in kinds {
        let ids: Vec<usize> = found
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|&(_, c)| c)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let sum: f64 = ids.iter().map(|&c| bounds[c]).sum();
        let mut names: Vec<String> = ids
            .iter()
            .take(3)
            .map(|&c| format!("'{}'", tree.id(c)))
            .collect();
        if ids.len() > 3 {
            names.push(format!("{} more", ids.len() - 3));
        }
        parts.push(format!(
            "{} on {} node{} ({}) totalling {}",
            kind.name(),
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            names.join(", "),
            crate::error::amount(sum * scale)
        ));
    }
    if parts.is_empty() {
        parts.push(format!(
            "no constraints on the children of '{}'",
            tree.id(parent)
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::org::random_tree_rows;

    #[test]
    fn same_plan_for_any_thread_count_on_a_large_tree() {
        let tree = OrgTree::from_rows(random_tree_rows(200_000, 4, 3), "t".as_ref()).unwrap();
        let n = tree.len();
        let basis: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64 + 1.0).collect();
        let mut input = AllocationInput::from_basis(basis.clone());
        input.last_year = basis;
        for i in (0..n).step_by(13) {
            input.constraints[i].growth_min = Some(-0.1);
            input.constraints[i].growth_max = Some(0.4);
        }
        let total = tree.aggregate(&input.last_year).unwrap()[0];
        for unit in [None, Some(1.0)] {
            let options = AllocationOptions {
                method: Method::LeastSquares,
                unit,
                year: 2027,
            };
            let run = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| allocate(&tree, &input, total * 1.15, &options).unwrap())
            };
            let one = run(1);
            assert_eq!(one, run(2));
            assert_eq!(one, run(4));
        }
    }

    #[test]
    fn conflicting_constraints_are_named() {
        let csv = "node_id,parent_id\nco,\na,co\n";
        let tree = OrgTree::read_from(csv.as_bytes(), "org.csv".as_ref()).unwrap();
        let mut input = AllocationInput::from_basis(vec![0.0, 1.0]);
        input.last_year = vec![0.0, 100.0];
        input.constraints[1].min = Some(150.0);
        input.constraints[1].growth_max = Some(0.4);
        let options = AllocationOptions {
            method: Method::Proportional,
            unit: None,
            year: 2027,
        };
        let e = allocate(&tree, &input, 100.0, &options).unwrap_err();
        assert_eq!(
            e.to_string(),
            "node 'a': its constraints conflict: min asks for at least 150, but growth_max 0.4 on last year's 100 allows at most 140"
        );
    }
}
