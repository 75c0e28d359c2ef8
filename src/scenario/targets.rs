//! Candidate company targets scored: for each ([`TargetCandidate`]), the
//! probability that the company reaches it (from the simulated, calibrated
//! plan year of [`PlanningData`]), its growth over last year, and the share
//! of reps and teams it would put below even odds once split down the org
//! the way the rest of a scenario says.
//!
//! ```
//! use salesplan::plan::target::TargetCandidate;
//! use salesplan::scenario::targets::score_targets;
//! use salesplan::scenario::{CompanyTarget, Scenario};
//!
//! let data = salesplan::scenario::sweep::synthetic(200, 200, 7);
//! let last = data.last_year_total();
//! let candidates = vec![
//!     TargetCandidate::growth(last, 0.0)?,
//!     TargetCandidate::growth(last, 0.3)?,
//! ];
//! let split = Scenario::new("split", CompanyTarget::Growth(0.0));
//! let scored = score_targets(&data, &candidates, &split)?;
//! let p = |k: usize| scored[k].outcome.as_ref().unwrap().company_probability;
//! assert!(p(0) > p(1)); // the higher target is the less likely
//! # Ok::<(), salesplan::Error>(())
//! ```

use rayon::prelude::*;

use crate::error::Result;
use crate::plan::target::TargetCandidate;
use crate::scenario::attainment::AttainmentSummary;
use crate::scenario::sweep::{plan_scenario, Outcome, PlanningData, ProfilePhasing};
use crate::scenario::{CompanyTarget, Scenario};

/// One candidate and what it would mean.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredTarget {
    pub candidate: TargetCandidate,
    /// Growth over last year's total (`None` when last year sold nothing).
    pub growth: Option<f64>,
    /// The plan's scores, or why no plan meets the split's constraints at
    /// this target.
    pub outcome: std::result::Result<AttainmentSummary, String>,
}

impl ScoredTarget {
    /// Share of reps below a 50% probability of reaching their targets.
    pub fn reps_below_even(&self) -> Option<f64> {
        self.outcome
            .as_ref()
            .ok()
            .and_then(|s| s.reps_likely_share)
            .map(|v| 1.0 - v)
    }

    /// Share of teams below a 50% probability.
    pub fn teams_below_even(&self) -> Option<f64> {
        self.outcome
            .as_ref()
            .ok()
            .and_then(|s| s.teams_likely_share)
            .map(|v| 1.0 - v)
    }
}

/// Scores each candidate as the company target of `split` (its basis,
/// method, bounds and ramp; its own target is replaced), candidates in
/// parallel on the current rayon pool, in their order. The probabilities
/// are those of `sweep` for the same scenario: the same data give the
/// same numbers whatever the thread count.
pub fn score_targets(
    data: &PlanningData,
    candidates: &[TargetCandidate],
    split: &Scenario,
) -> Result<Vec<ScoredTarget>> {
    let last_year = data.last_year_total();
    candidates
        .par_iter()
        .map(|c| {
            let scenario = Scenario {
                name: c.name.clone(),
                target: CompanyTarget::Absolute(c.amount),
                // the probabilities are annual: the months need no balancing
                calendar: crate::plan::calendar::PlanningCalendar::monthly(),
                ..split.clone()
            };
            let outcome = match plan_scenario(data, &scenario, &ProfilePhasing)? {
                Outcome::Planned(plan) => Ok(plan.attainment.summary),
                Outcome::Infeasible { reason } => Err(reason),
            };
            Ok(ScoredTarget {
                candidate: c.clone(),
                growth: c.growth_over(last_year),
                outcome,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::sweep::synthetic;

    #[test]
    fn the_company_probability_is_the_share_of_paths_reaching_the_target() {
        let data = synthetic(300, 400, 3);
        let root = data.tree.root();
        let mut annual = data.outlook.annual(root).to_vec();
        annual.sort_by(f64::total_cmp);
        // a target just below the 30th percentile path: 70% of paths reach it
        let target = annual[120] - 1e-6 * annual[120].abs();
        let c = TargetCandidate::amount(target).unwrap();
        let split = Scenario::new("s", CompanyTarget::Growth(0.0));
        let s = &score_targets(&data, &[c], &split).unwrap()[0];
        let p = s.outcome.as_ref().unwrap().company_probability;
        let direct = data.outlook.probability(root, target);
        assert_eq!(p, direct);
        assert!((p - 0.7).abs() < 0.01, "{p}");
        let growth = s.growth.unwrap();
        assert!((growth - (target / data.last_year_total() - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn an_infeasible_target_says_why_and_the_others_still_score() {
        let mut data = synthetic(100, 100, 5);
        for v in 0..data.tree.len() {
            if data.tree.is_leaf(v) {
                data.constraints[v].max = Some(1.0);
            }
        }
        let last = data.last_year_total();
        let split = Scenario::new("s", CompanyTarget::Growth(0.0));
        let scored = score_targets(
            &data,
            &[
                TargetCandidate::growth(last, 0.1).unwrap(),
                TargetCandidate::amount(50.0).unwrap(),
            ],
            &split,
        )
        .unwrap();
        assert!(scored[0]
            .outcome
            .as_ref()
            .unwrap_err()
            .contains("cannot be met"));
        assert!(scored[1].outcome.is_ok());
    }

    #[test]
    fn scores_do_not_depend_on_the_thread_count() {
        let data = synthetic(400, 200, 11);
        let last = data.last_year_total();
        let candidates: Vec<TargetCandidate> = (0..8)
            .map(|k| TargetCandidate::growth(last, k as f64 * 0.04).unwrap())
            .collect();
        let split = Scenario::new("s", CompanyTarget::Growth(0.0));
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| score_targets(&data, &candidates, &split).unwrap())
        };
        assert_eq!(run(1), run(3));
    }
}
