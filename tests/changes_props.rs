//! Properties of revising a plan by effective-dated changes, checked from
//! the revised rows themselves (not by the library's own bookkeeping): over
//! random orgs, plans and change sets (moves of reps and teams, transfers
//! of shares of territory, leavers handing over or not, new reps), every
//! target is a non-negative whole number of units, every parent's target
//! in every month is exactly the sum of its children's rows for that
//! month, each month's company total is the plan's (no target lost or
//! created), and a rep no change touches keeps its planned months.

use chrono::NaiveDate;
use proptest::prelude::*;
use salesplan::plan::changes::{revise, Change};
use salesplan::plan::org::{random_tree_rows, OrgTree};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
struct Case {
    nodes: usize,
    levels: usize,
    seed: u64,
    unit: f64,
    targets: Vec<u32>,
    /// (kind, day of year, pick a, pick b, share in 1..=90 %)
    draws: Vec<(u8, u16, u32, u32, u8)>,
}

fn case() -> impl Strategy<Value = Case> {
    (4usize..50, 1usize..4, any::<u64>()).prop_flat_map(|(nodes, levels, seed)| {
        (
            prop_oneof![Just(1.0), Just(100.0), Just(0.01)],
            proptest::collection::vec(1u32..500, (nodes * 2 + 8) * 12),
            proptest::collection::vec(
                (0u8..5, 0u16..365, any::<u32>(), any::<u32>(), 1u8..=90),
                0..12,
            ),
        )
            .prop_map(move |(unit, targets, draws)| Case {
                nodes,
                levels,
                seed,
                unit,
                targets,
                draws,
            })
    })
}

/// The changes of a case, valid by construction: the generator keeps its
/// own copy of the structure as the changes take effect.
fn changes_of(tree: &OrgTree, case: &Case) -> (Vec<Change>, BTreeSet<String>) {
    let n = tree.len();
    let mut parent: Vec<Option<usize>> = (0..n).map(|i| tree.parent(i)).collect();
    let mut ids: Vec<String> = (0..n).map(|i| tree.id(i).to_string()).collect();
    let mut rep: Vec<bool> = (0..n).map(|i| tree.is_leaf(i)).collect();
    let mut original: Vec<bool> = rep.clone();
    let mut gone = vec![false; n];
    let depth = |parent: &[Option<usize>], mut i: usize| {
        let mut d = 0;
        while let Some(p) = parent[i] {
            i = p;
            d += 1;
        }
        d
    };
    let mut days: Vec<u16> = case.draws.iter().map(|d| d.1).collect();
    days.sort_unstable();
    days.dedup();
    let mut touched = BTreeSet::new();
    let mut out = Vec::new();
    let mut line = 2;
    for (k, day) in days.iter().enumerate() {
        let (kind, _, a, b, share) = case.draws[k % case.draws.len()];
        let date = NaiveDate::from_yo_opt(2026, *day as u32 + 1).unwrap();
        let active: Vec<usize> = (0..ids.len()).filter(|&i| rep[i] && !gone[i]).collect();
        let teams: Vec<usize> = (0..ids.len())
            .filter(|&i| !rep[i] && (0..ids.len()).any(|j| rep[j] && parent[j] == Some(i)))
            .collect();
        let pick = |v: &[usize], x: u32| v[x as usize % v.len()];
        let mut push = |node: &str, from: Option<&str>, to: Option<&str>, share: Option<f64>| {
            out.push(Change::new(date, node, from, to, share, line));
            line += 1;
        };
        match kind {
            0 if active.len() >= 2 => {
                // a share of one rep's territory to another
                let f = pick(&active, a);
                let others: Vec<usize> = active.iter().copied().filter(|&x| x != f).collect();
                let t = pick(&others, b);
                push(
                    &format!("账户{k}"),
                    Some(&ids[f]),
                    Some(&ids[t]),
                    Some(share as f64 / 100.0),
                );
                touched.extend([ids[f].clone(), ids[t].clone()]);
            }
            1 => {
                // a rep or a unit moves to another node at its parent's depth
                let movable: Vec<usize> = (0..ids.len())
                    .filter(|&i| parent[i].is_some() && !gone[i] && (!rep[i] || teams.len() > 1))
                    .filter(|&i| {
                        rep[i] || !(0..ids.len()).any(|j| rep[j] && gone[j] && parent[j] == Some(i))
                    })
                    .collect();
                if movable.is_empty() {
                    continue;
                }
                let node = pick(&movable, a);
                let p = parent[node].unwrap();
                let d = depth(&parent, p);
                let targets: Vec<usize> = (0..ids.len())
                    .filter(|&i| i != p && !rep[i] && depth(&parent, i) == d)
                    .filter(|&i| !rep[node] || teams.contains(&i))
                    .collect();
                if targets.is_empty() {
                    continue;
                }
                let to = pick(&targets, b);
                push(
                    &ids[node].clone(),
                    Some(&ids[p].clone()),
                    Some(&ids[to].clone()),
                    None,
                );
                parent[node] = Some(to);
            }
            2 if active.len() >= 2 => {
                // a leaver: handed over to one rep, or to its fellows
                let l = pick(&active, a);
                let fellows: Vec<usize> = active
                    .iter()
                    .copied()
                    .filter(|&x| x != l && parent[x] == parent[l] && original[x])
                    .collect();
                if fellows.is_empty() || share % 2 == 0 {
                    let others: Vec<usize> = active.iter().copied().filter(|&x| x != l).collect();
                    let t = pick(&others, b);
                    push(
                        &format!("交接{k}"),
                        Some(&ids[l].clone()),
                        Some(&ids[t].clone()),
                        Some(1.0),
                    );
                    touched.insert(ids[t].clone());
                } else {
                    touched.extend(fellows.iter().map(|&f| ids[f].clone()));
                }
                let from = ids[parent[l].unwrap()].clone();
                push(&ids[l].clone(), Some(&from), None, None);
                touched.insert(ids[l].clone());
                gone[l] = true;
            }
            3 if !teams.is_empty() => {
                // a new rep
                let t = pick(&teams, a);
                let id = format!("新人{k}");
                push(&id, None, Some(&ids[t].clone()), None);
                ids.push(id);
                parent.push(Some(t));
                rep.push(true);
                original.push(false);
                gone.push(false);
            }
            _ => {}
        }
    }
    (out, touched)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn parents_sum_exactly_and_no_target_is_lost_or_created(case in case()) {
        let tree = OrgTree::from_rows(random_tree_rows(case.nodes, case.levels, case.seed), "org".as_ref()).unwrap();
        let n = tree.len();
        let mut monthly: Vec<Option<[f64; 12]>> = vec![None; n];
        let mut units = vec![[0i64; 12]; n];
        for i in (0..n).rev() {
            if tree.is_leaf(i) {
                units[i] = std::array::from_fn(|m| case.targets[(i * 12 + m) % case.targets.len()] as i64);
            }
            if let Some(p) = tree.parent(i) {
                let child = units[i];
                for (sum, c) in units[p].iter_mut().zip(child) {
                    *sum += c;
                }
            }
        }
        for i in 0..n {
            monthly[i] = Some(std::array::from_fn(|m| units[i][m] as f64 * case.unit));
        }
        let (changes, touched) = changes_of(&tree, &case);
        let r = revise(&tree, &monthly, 2026, case.unit, &changes, "changes.csv".as_ref())
            .unwrap_or_else(|e| panic!("{e}\n{changes:#?}"));
        let mut total: BTreeMap<(usize, u32), f64> = BTreeMap::new();
        let mut children: BTreeMap<(usize, u32), f64> = BTreeMap::new();
        for h in r.holdings() {
            let x = h.target / case.unit;
            prop_assert!(h.target >= 0.0, "{h:?}");
            prop_assert!((x - x.round()).abs() < 1e-6, "not whole units: {h:?}");
            *total.entry((h.node, h.month)).or_default() += x.round();
            if let Some(p) = h.parent {
                *children.entry((p, h.month)).or_default() += x.round();
            }
        }
        for (&(p, m), &sum) in &children {
            prop_assert_eq!(sum, total[&(p, m)], "{} in month {}", r.id(p), m);
        }
        for m in 1..=12u32 {
            prop_assert_eq!(total.get(&(tree.root(), m)).copied().unwrap_or(0.0), units[tree.root()][m as usize - 1] as f64);
        }
        // reps no change touched keep their months
        for i in (0..n).filter(|&i| tree.is_leaf(i) && !touched.contains(tree.id(i))) {
            let got = r.monthly(r.index_of(tree.id(i)).unwrap());
            for m in 0..12 {
                prop_assert!((got[m] / case.unit - units[i][m] as f64).abs() < 1e-6, "{} month {}", tree.id(i), m + 1);
            }
        }
    }
}
