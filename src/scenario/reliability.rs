//! How reliable the attainment probabilities are on an org's own history:
//! each past plan year is planned from the years before it, over a grid of
//! company targets, and every node's probability of reaching its target is
//! compared with whether it did (what `salesplan calibrate` reports).
//!
//! Per org level: the reliability table (predicted-probability bins of
//! width 0.1: mean predicted, share reached, count), the mid-ECE (the mean
//! gap between predicted and reached over the bins 0.1–0.9, weighted by
//! count), the Brier score, and the mid-ECE's noise floor: what perfectly
//! calibrated probabilities would still show with this many nodes
//! (outcomes drawn from the predictions themselves, one uniform per node
//! and year so that a node's scenarios stay consistent; 20 draws, seeded).
//! These are the measures of `../shared/tools/calibration_check.py`.
//! The same for each plan year alone, with what its calibration had to
//! go on (backtest origins, level, correlation): a year planned from
//! too short a history shows here.
//!
//! ```
//! use salesplan::scenario::reliability::{reliability, ReliabilityOptions};
//! use salesplan::plan::org::OrgTree;
//! use salesplan::io::{read_long_csv_from, Columns};
//! let mut org = String::from("node_id,parent_id\nco,\n");
//! let mut csv = String::from("unique_id,ds,y\n");
//! for r in 0..8 {
//!     org.push_str(&format!("r{r},co\n"));
//!     for t in 0..48 {
//!         let y = 100.0 + 10.0 * r as f64 + ((t * 7 + r * 3) % 11) as f64;
//!         csv.push_str(&format!("r{r},{}-{:02},{y}\n", 2022 + t / 12, t % 12 + 1));
//!     }
//! }
//! let tree = OrgTree::read_from(org.as_bytes(), "org.csv".as_ref())?;
//! let history = read_long_csv_from(csv.as_bytes(), "sales.csv".as_ref(), &Columns::default())?;
//! let options = ReliabilityOptions { years: vec![2024, 2025], ..ReliabilityOptions::default() };
//! let report = reliability(&tree, &history, &options)?;
//! let reps = &report.levels[1];
//! assert_eq!(reps.nodes, 8);
//! assert!(reps.brier < 0.25);
//! // each year alone: its targets add up to the pooled table's
//! assert_eq!(report.by_year.len(), 2);
//! let count = |l: &salesplan::scenario::reliability::LevelReliability| {
//!     l.bins.iter().map(|b| b.count).sum::<usize>()
//! };
//! let per_year: usize = report.by_year.iter().map(|y| count(&y.levels[1])).sum();
//! assert_eq!(per_year, count(reps));
//! # Ok::<(), salesplan::Error>(())
//! ```

use rand::{Rng, SeedableRng};

use crate::error::{Error, Result};
use crate::forecast::series::Series;
use crate::plan::allocate::Basis;
use crate::plan::org::OrgTree;
use crate::scenario::attainment::SimulationOptions;
use crate::scenario::sweep::{sweep, Outcome, PlanningData, ProfilePhasing};
use crate::scenario::{CompanyTarget, Scenario};

/// What to backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliabilityOptions {
    /// The past plan years, each planned from the years before it.
    pub years: Vec<i32>,
    /// Company growth rates over last year (the targets' grid).
    pub growth: Vec<f64>,
    /// Allocation bases, crossed with the growth rates.
    pub bases: Vec<Basis>,
    /// The simulation, as `sweep` runs it.
    pub simulation: SimulationOptions,
    /// Months of the `trailing` basis.
    pub trailing_months: usize,
    /// Seed of the noise floor's draws.
    pub seed: u64,
}

impl Default for ReliabilityOptions {
    /// The grid of `calibration_check.py`: 16 growth rates from −30% to
    /// +45% × the history, forecast and half-and-half bases.
    fn default() -> ReliabilityOptions {
        let basis = |text: &str| text.parse::<Basis>().unwrap_or_default();
        ReliabilityOptions {
            years: Vec::new(),
            growth: vec![
                -0.3, -0.2, -0.15, -0.1, -0.075, -0.05, -0.025, 0.0, 0.025, 0.05, 0.075, 0.1, 0.15,
                0.2, 0.3, 0.45,
            ],
            bases: vec![
                basis("history"),
                basis("forecast"),
                basis("forecast:0.5,history:0.5"),
            ],
            simulation: SimulationOptions::default(),
            trailing_months: 12,
            seed: 12345,
        }
    }
}

impl ReliabilityOptions {
    /// The default options with `years` scored over `growth` × `bases`
    /// (either empty: the default grid's) and `simulation`.
    pub fn grid(
        years: Vec<i32>,
        growth: Vec<f64>,
        bases: Vec<Basis>,
        simulation: SimulationOptions,
    ) -> ReliabilityOptions {
        let defaults = ReliabilityOptions::default();
        ReliabilityOptions {
            years,
            growth: if growth.is_empty() {
                defaults.growth
            } else {
                growth
            },
            bases: if bases.is_empty() {
                defaults.bases
            } else {
                bases
            },
            simulation,
            ..defaults
        }
    }
}

/// One probability bin of a level.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bin {
    /// Sum of the predicted probabilities in the bin.
    pub predicted: f64,
    /// Targets reached.
    pub reached: usize,
    /// Targets in the bin.
    pub count: usize,
}

/// The reliability of one org level (depth in the tree).
#[derive(Debug, Clone, PartialEq)]
pub struct LevelReliability {
    /// Depth (0: the company).
    pub depth: usize,
    /// Distinct nodes scored.
    pub nodes: usize,
    /// Bins of predicted probability [0, 0.1), [0.1, 0.2), ... [0.9, 1].
    pub bins: [Bin; 10],
    pub mid_ece: f64,
    pub noise_floor: f64,
    pub brier: f64,
}

/// The reliability of every level, and the plan years that could be scored.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliabilityReport {
    pub years: Vec<i32>,
    /// Every level over all the years together.
    pub levels: Vec<LevelReliability>,
    /// The same, each plan year alone, with what its calibration found.
    pub by_year: Vec<YearReliability>,
}

/// One plan year's reliability, and how its simulation was calibrated.
#[derive(Debug, Clone, PartialEq)]
pub struct YearReliability {
    pub year: i32,
    /// Backtest origins the year's calibration had (0: not calibrated, too
    /// few windows before it).
    pub origins: usize,
    /// The level correction applied (1: none) and the weight the origins'
    /// agreement gave the leaves' shift (0 with fewer than two origins).
    pub level: f64,
    pub level_weight: f64,
    /// The reps' error correlation the simulation used.
    pub correlation: f64,
    pub levels: Vec<LevelReliability>,
}

/// Plans each of `options.years` from the history before it (as `sweep`
/// does, calibration included), over the target grid, and scores every
/// node's probability against its actual sales that year. A year needs
/// actual sales for it in `history` (a leaf without any counts as having
/// sold nothing: it left).
pub fn reliability(
    tree: &OrgTree,
    history: &[Series],
    options: &ReliabilityOptions,
) -> Result<ReliabilityReport> {
    if options.years.is_empty() || options.growth.is_empty() || options.bases.is_empty() {
        return Err(Error::InvalidParameter {
            name: "reliability",
            reason: "needs at least one year, one growth rate and one basis".into(),
        });
    }
    let depth = tree.depth();
    let mut depth_of = vec![0; tree.len()];
    for d in 0..depth {
        for v in tree.level(d) {
            depth_of[v] = d;
        }
    }
    let mut scenarios = Vec::new();
    for basis in &options.bases {
        for g in &options.growth {
            let mut s = Scenario::new(&format!("g{g}"), CompanyTarget::Growth(*g));
            s.basis = basis.clone();
            scenarios.push(s);
        }
    }
    let mut scored: Vec<Scored> = Vec::new();
    let mut by_year = Vec::new();
    let mut spans = Vec::new();
    for &year in &options.years {
        let data = PlanningData::from_history(
            tree.clone(),
            history,
            year,
            options.trailing_months,
            &options.simulation,
        )?;
        let mut leaf_actual = vec![0.0; tree.len()];
        for s in history {
            if let Some(v) = tree.index_of(s.id()) {
                leaf_actual[v] = s.year_total(year);
            }
        }
        let actual = tree.aggregate(&leaf_actual)?;
        let before = scored.len();
        let mut infeasible = None;
        sweep(&data, &scenarios, &ProfilePhasing, &|_| {}, |_, outcome| {
            match outcome {
                Outcome::Planned(plan) => {
                    for (v, &target) in plan.allocation.targets.iter().enumerate() {
                        if target > 0.0 {
                            let p = plan.attainment.probability[v];
                            scored.push((depth_of[v], v, year, p, actual[v] >= target));
                        }
                    }
                }
                Outcome::Infeasible { reason } => {
                    infeasible.get_or_insert(reason);
                }
            }
            Ok(())
        })?;
        if scored.len() == before {
            // every target of the grid was infeasible: say why, not that
            // the history is short, when a scenario said so
            let (name, reason) = match infeasible {
                Some(why) if data.last_year.iter().any(|v| *v > 0.0) => (
                    "target grid",
                    format!("{year}: no target of the grid could be planned ({why})"),
                ),
                _ => (
                    "years",
                    format!(
                        "{year}: no target could be set from the history before it (no rep has a year of sales before {year})"
                    ),
                ),
            };
            return Err(Error::InvalidParameter { name, reason });
        }
        spans.push(before..scored.len());
        let calibration = data.outlook.calibration();
        by_year.push(YearReliability {
            year,
            origins: calibration.map_or(0, |c| c.origins),
            level: calibration.map_or(1.0, |c| c.level),
            level_weight: calibration.map_or(0.0, |c| c.level_weight),
            correlation: data.outlook.correlation(),
            levels: Vec::new(),
        });
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(options.seed);
    let levels = levels_of(&scored, depth, &mut rng);
    for (y, span) in by_year.iter_mut().zip(spans) {
        y.levels = levels_of(&scored[span], depth, &mut rng);
    }
    Ok(ReliabilityReport {
        years: options.years.clone(),
        levels,
        by_year,
    })
}

/// (depth, node, year, probability, reached).
type Scored = (usize, usize, i32, f64, bool);

/// Each level's bins, mid-ECE, Brier and noise floor (its draws from `rng`).
fn levels_of(
    scored: &[Scored],
    depth: usize,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> Vec<LevelReliability> {
    (0..depth)
        .map(|d| {
            let at: Vec<&Scored> = scored.iter().filter(|x| x.0 == d).collect();
            let mut nodes: Vec<usize> = at.iter().map(|x| x.1).collect();
            nodes.sort_unstable();
            nodes.dedup();
            let outcomes: Vec<(f64, bool)> = at.iter().map(|x| (x.3, x.4)).collect();
            let bins = binned(&outcomes);
            let brier = outcomes
                .iter()
                .map(|(p, hit)| (p - f64::from(u8::from(*hit))).powi(2))
                .sum::<f64>()
                / outcomes.len().max(1) as f64;
            // the noise floor: outcomes drawn from the predictions
            const DRAWS: usize = 20;
            let mut floor = 0.0;
            for _ in 0..DRAWS {
                let mut u = std::collections::HashMap::new();
                let drawn: Vec<(f64, bool)> = at
                    .iter()
                    .map(|x| {
                        let u = *u.entry((x.1, x.2)).or_insert_with(|| rng.random::<f64>());
                        (x.3, x.3 >= u)
                    })
                    .collect();
                floor += mid_ece(&binned(&drawn));
            }
            LevelReliability {
                depth: d,
                nodes: nodes.len(),
                mid_ece: mid_ece(&bins),
                noise_floor: floor / DRAWS as f64,
                brier,
                bins,
            }
        })
        .collect()
}

/// Up to `count` plan years before `year` that [`reliability`] can score:
/// each has a whole year of sales before it for at least one series, and
/// sales in it. The most recent last.
///
/// ```
/// use salesplan::io::{read_long_csv_from, Columns};
/// use salesplan::scenario::reliability::scorable_years;
/// let mut csv = String::from("unique_id,ds,y\n");
/// for t in 0..48 {
///     csv.push_str(&format!("a,{}-{:02},10\n", 2022 + t / 12, t % 12 + 1));
/// }
/// let history = read_long_csv_from(csv.as_bytes(), "s.csv".as_ref(), &Columns::default())?;
/// assert_eq!(scorable_years(&history, 2026, 3), [2023, 2024, 2025]);
/// assert_eq!(scorable_years(&history, 2024, 3), [2023]);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn scorable_years(history: &[Series], year: i32, count: usize) -> Vec<i32> {
    use chrono::Datelike;
    let (mut first, mut last) = (i32::MAX, i32::MIN);
    for s in history {
        if let (Some(a), Some(b)) = (s.dates().first(), s.dates().last()) {
            // a whole year before a plan year: a series starting in
            // January of year y can plan y + 1
            let plannable = if a.month() == 1 {
                a.year() + 1
            } else {
                a.year() + 2
            };
            first = first.min(plannable);
            last = last.max(b.year());
        }
    }
    let end = (year - 1).min(last);
    let start = first.max(end - count as i32 + 1);
    (start..=end).collect()
}

fn binned(outcomes: &[(f64, bool)]) -> [Bin; 10] {
    let mut bins = [Bin::default(); 10];
    for &(p, hit) in outcomes {
        let b = &mut bins[((p * 10.0) as usize).min(9)];
        b.predicted += p;
        b.reached += usize::from(hit);
        b.count += 1;
    }
    bins
}

/// The count-weighted mean |predicted − reached| over the bins 0.1–0.9.
pub fn mid_ece(bins: &[Bin; 10]) -> f64 {
    let (mut gap, mut count) = (0.0, 0);
    for b in &bins[1..9] {
        if b.count > 0 {
            gap += (b.predicted - b.reached as f64).abs();
            count += b.count;
        }
    }
    if count > 0 {
        gap / count as f64
    } else {
        0.0
    }
}
