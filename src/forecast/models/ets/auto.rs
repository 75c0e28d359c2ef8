//! Automatic ETS: fit every admissible candidate form and keep the best by
//! an information criterion, following R's `ets()` rules
//! (`../shared/research/ets.md` §3).

use serde::{Deserialize, Serialize};

use super::admissible::{Bounds, ParameterBox};
use super::filter::{Smoothing, Workspace};
use super::fit::{Criterion, Ets};
use super::spec::{Component, EtsSpec};
use super::FittedEts;
use crate::error::{Error, Result};

/// Criterion for choosing among fitted candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InformationCriterion {
    Aic,
    #[default]
    Aicc,
    Bic,
}

/// One candidate's outcome: its criterion value, or why it was skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub spec: EtsSpec,
    pub ic: Option<f64>,
    pub skipped: Option<String>,
}

/// Automatic ETS selection.
///
/// The candidates and rules follow R's `ets()`: additive and multiplicative
/// errors and seasons, additive trends damped or not (multiplicative trends
/// only when allowed), "restricted" forms dropped (A error with M trend or
/// season, and M,M,A), multiplicative forms only for strictly positive data,
/// AICc, R's estimator for each candidate.
///
/// Three defaults differ from R, each measured on the 3003 M3 series
/// (BENCHMARKS.md): the search is [`Search::Pruned`] (about half the fits),
/// the optimiser stops after 300 evaluations instead of 2000, and the trend
/// smoothing parameter β is capped at 0.2 ([`ParameterBox::trend_capped`]):
/// without the cap, near-1 β values fitted to short yearly series project
/// the last few years' slope too far (R's default scores sMAPE 17.0 on M3
/// yearly, the cap 16.3). [`AutoEts::r_compatible`] restores R's choices.
///
/// Degenerate data get a defined answer instead of an error: a constant
/// series (all zeros included) is forecast flat by simple exponential
/// smoothing with α = 0.99999, as R does; a series too short for any
/// candidate (1–3 points, or too short for every seasonal form) falls back to
/// simple exponential smoothing with α chosen on a grid by squared error.
///
/// ```
/// use salesplan::forecast::models::ets::AutoEts;
/// let fit = AutoEts::new(12).fit(&[5.0, 5.0, 5.0]).unwrap();
/// assert_eq!(fit.point_forecast(2), vec![5.0, 5.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoEts {
    season_length: usize,
    damped: Option<bool>,
    allow_multiplicative_trend: bool,
    additive_only: bool,
    restrict: bool,
    ic: InformationCriterion,
    criterion: Criterion,
    bounds: Bounds,
    parameter_box: ParameterBox,
    candidates: Option<Vec<EtsSpec>>,
    search: Search,
    max_evaluations: usize,
}

/// Which candidates [`AutoEts`] fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Search {
    /// Every candidate form, as R does.
    Exhaustive,
    /// Season type first, then damped trends only where trends help: about
    /// half the fits, nearly always the same choice (see `SearchState::pruned`).
    #[default]
    Pruned,
}

impl AutoEts {
    /// Automatic ETS for data with season length `season_length` (1: none).
    pub fn new(season_length: usize) -> AutoEts {
        AutoEts {
            season_length: season_length.max(1),
            damped: None,
            allow_multiplicative_trend: false,
            additive_only: false,
            restrict: true,
            ic: InformationCriterion::Aicc,
            criterion: Criterion::Likelihood,
            bounds: Bounds::Both,
            parameter_box: ParameterBox::trend_capped(),
            candidates: None,
            search: Search::default(),
            max_evaluations: 300,
        }
    }

    /// Optimiser budget per candidate (default 300, as accurate on M3 as
    /// 1000 at a third of the time; R uses 2000).
    pub fn max_evaluations(mut self, n: usize) -> AutoEts {
        self.max_evaluations = n.max(1);
        self
    }

    /// Which candidates to fit (default: [`Search::Pruned`]).
    pub fn search(mut self, search: Search) -> AutoEts {
        self.search = search;
        self
    }

    /// R's `ets()` exactly: exhaustive search, 2000 evaluations, R's bounds.
    pub fn r_compatible(season_length: usize) -> AutoEts {
        AutoEts {
            search: Search::Exhaustive,
            max_evaluations: 2000,
            parameter_box: ParameterBox::default(),
            ..AutoEts::new(season_length)
        }
    }

    /// Only damped (`Some(true)`) or only undamped (`Some(false)`) trends.
    pub fn damped(mut self, damped: Option<bool>) -> AutoEts {
        self.damped = damped;
        self
    }

    pub fn allow_multiplicative_trend(mut self, allow: bool) -> AutoEts {
        self.allow_multiplicative_trend = allow;
        self
    }

    pub fn additive_only(mut self, additive_only: bool) -> AutoEts {
        self.additive_only = additive_only;
        self
    }

    /// Whether to drop the numerically unstable forms (default true).
    pub fn restrict(mut self, restrict: bool) -> AutoEts {
        self.restrict = restrict;
        self
    }

    pub fn information_criterion(mut self, ic: InformationCriterion) -> AutoEts {
        self.ic = ic;
        self
    }

    pub fn criterion(mut self, criterion: Criterion) -> AutoEts {
        self.criterion = criterion;
        self
    }

    pub fn bounds(mut self, bounds: Bounds, parameter_box: ParameterBox) -> AutoEts {
        self.bounds = bounds;
        self.parameter_box = parameter_box;
        self
    }

    /// Chooses among these forms only (still subject to the data rules).
    pub fn candidates(mut self, specs: Vec<EtsSpec>) -> AutoEts {
        self.candidates = Some(specs);
        self
    }

    /// The season length actually used for `n` observations: R ignores
    /// seasonality when m = 1, m > 24, or n ≤ m.
    pub fn effective_season_length(&self, n: usize) -> usize {
        let m = self.season_length;
        if m <= 1 || m > 24 || n <= m {
            1
        } else {
            m
        }
    }

    /// The candidate forms for `y`, in R's loop order.
    pub fn candidate_specs(&self, y: &[f64]) -> Vec<EtsSpec> {
        let m = self.effective_season_length(y.len());
        let positive = y.iter().all(|v| *v > 0.0);
        let all = self.candidates.clone().unwrap_or_else(|| {
            // R's loop order: error A, M; trend N, A, M; season N, A, M; damped TRUE, FALSE
            let mut v = Vec::new();
            for error in [Component::Additive, Component::Multiplicative] {
                for trend in [
                    Component::None,
                    Component::Additive,
                    Component::Multiplicative,
                ] {
                    for season in [
                        Component::None,
                        Component::Additive,
                        Component::Multiplicative,
                    ] {
                        for damped in [true, false] {
                            v.push(EtsSpec {
                                error,
                                trend,
                                damped,
                                season,
                            });
                        }
                    }
                }
            }
            v
        });
        all.into_iter()
            .filter(|s| {
                use Component::*;
                if s.damped && s.trend == None {
                    return false;
                }
                if let Some(d) = self.damped {
                    if s.has_trend() && s.damped != d {
                        return false;
                    }
                }
                if s.has_season() && m == 1 {
                    return false;
                }
                if s.trend == Multiplicative
                    && !self.allow_multiplicative_trend
                    && self.candidates.is_none()
                {
                    return false;
                }
                if s.is_multiplicative() && (!positive || self.additive_only) {
                    return false;
                }
                if self.restrict
                    && ((s.error == Additive
                        && (s.trend == Multiplicative || s.season == Multiplicative))
                        || (s.error == Multiplicative
                            && s.trend == Multiplicative
                            && s.season == Additive))
                {
                    return false;
                }
                true
            })
            .collect()
    }

    /// Fits the best candidate.
    pub fn fit(&self, y: &[f64]) -> Result<FittedEts> {
        self.fit_detailed(y).map(|(f, _)| f)
    }

    /// Fits every candidate; returns the best and the whole table.
    pub fn fit_detailed(&self, y: &[f64]) -> Result<(FittedEts, Vec<Candidate>)> {
        crate::forecast::models::check_values(y, 1)?;
        if y.iter().all(|v| *v == y[0]) {
            return Ok((constant_fit(y)?, Vec::new()));
        }
        let m = self.effective_season_length(y.len());
        let specs = self.candidate_specs(y);
        let mut search = SearchState {
            auto: self,
            y,
            m,
            ws: Workspace::default(),
            specs: &specs,
            fits: vec![None; specs.len()],
            table: Vec::new(),
        };
        match self.search {
            Search::Exhaustive => (0..specs.len()).for_each(|i| {
                search.ic(i);
            }),
            Search::Pruned => search.pruned(),
        }
        // smallest criterion; ties go to the earlier form in R's loop order
        let best = search
            .fits
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.as_ref().and_then(|(ic, _)| ic.map(|v| (v, i))))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, i)| i);
        let table = std::mem::take(&mut search.table);
        match best.and_then(|i| search.fits[i].take()) {
            Some((_, fit)) => Ok((fit, table)),
            None => Ok((short_series_fit(y)?, table)),
        }
    }

    fn fit_one(&self, spec: EtsSpec, m: usize, y: &[f64], ws: &mut Workspace) -> Result<FittedEts> {
        let ets = Ets::new(spec, m)?
            .with_criterion(self.criterion)
            .with_max_evaluations(self.max_evaluations)
            .with_bounds(self.bounds, self.parameter_box)?;
        ets.check_data(y)?;
        ets.fit_with(y, ws)
    }
}

/// The candidate search in progress: fits made so far, by position in R's order.
struct SearchState<'a> {
    auto: &'a AutoEts,
    y: &'a [f64],
    m: usize,
    ws: Workspace,
    specs: &'a [EtsSpec],
    fits: Vec<Option<(Option<f64>, FittedEts)>>,
    table: Vec<Candidate>,
}

impl SearchState<'_> {
    /// Fits candidate `i` once and returns its criterion (None if it failed).
    fn ic(&mut self, i: usize) -> Option<f64> {
        if let Some((ic, _)) = &self.fits[i] {
            return *ic;
        }
        if self.table.iter().any(|c| c.spec == self.specs[i]) {
            return None; // tried and failed before
        }
        let spec = self.specs[i];
        match self.auto.fit_one(spec, self.m, self.y, &mut self.ws) {
            Ok(fit) => {
                let ic = match self.auto.ic {
                    InformationCriterion::Aic => Some(fit.aic),
                    InformationCriterion::Aicc => fit.aicc,
                    InformationCriterion::Bic => Some(fit.bic),
                }
                .filter(|v| v.is_finite());
                self.table.push(Candidate {
                    spec,
                    ic,
                    skipped: ic.is_none().then(|| "criterion undefined".to_string()),
                });
                self.fits[i] = Some((ic, fit));
                ic
            }
            Err(e) => {
                self.table.push(Candidate {
                    spec,
                    ic: None,
                    skipped: Some(e.to_string()),
                });
                None
            }
        }
    }

    fn find(&self, f: impl Fn(&EtsSpec) -> bool) -> Vec<usize> {
        (0..self.specs.len())
            .filter(|&i| f(&self.specs[i]))
            .collect()
    }

    /// The pruned search (`../shared/research/ets.md` §6, "Prune the search"):
    /// 1. with several season types, fit the level-only forms (ANN, MNN,
    ///    ANA, MNA, MNM) and keep only the season type of the best;
    /// 2. within each (error, season), fit a damped trend only when the
    ///    undamped version of that trend beats no trend.
    fn pruned(&mut self) {
        let mut seasons: Vec<Component> = self.specs.iter().map(|s| s.season).collect();
        seasons.dedup();
        seasons.sort_by_key(|c| *c as u8);
        seasons.dedup();
        let season = if seasons.len() > 1 {
            let level_only = self.find(|s| s.trend == Component::None);
            let best = level_only
                .iter()
                .filter_map(|&i| self.ic(i).map(|v| (v, i)))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map(|(_, i)| self.specs[i].season);
            best
        } else {
            None
        };
        let keep: Vec<usize> = self.find(|s| season.is_none_or(|c| s.season == c));
        for &i in &keep {
            let spec = self.specs[i];
            if !spec.damped {
                self.ic(i);
                continue;
            }
            let twin = |trend: Component| {
                self.specs.iter().position(|s| {
                    s.error == spec.error
                        && s.season == spec.season
                        && s.trend == trend
                        && !s.damped
                })
            };
            let (undamped, flat) = (twin(spec.trend), twin(Component::None));
            let worth_it = match (undamped, flat) {
                (Some(u), Some(f)) => match (self.ic(u), self.ic(f)) {
                    (Some(a), Some(b)) => a < b,
                    _ => true,
                },
                _ => true,
            };
            if worth_it {
                self.ic(i);
            }
        }
    }
}

/// R's answer for a constant series: SES with α = 0.99999 and l0 = y1.
fn constant_fit(y: &[f64]) -> Result<FittedEts> {
    fixed_ses(y, 0.99999)
}

/// Simple exponential smoothing with a fixed α and l0 = y1.
fn fixed_ses(y: &[f64], alpha: f64) -> Result<FittedEts> {
    let spec: EtsSpec = "ANN".parse()?;
    let ets = Ets::new(spec, 1)?;
    let sm = Smoothing {
        alpha,
        beta: 0.0,
        gamma: 0.0,
        phi: 1.0,
    };
    // one estimated quantity (the level); α is fixed
    ets.evaluate_with(&sm, &[y[0]], y, &mut Workspace::default(), 1)
}

/// For series too short for every candidate: SES with l0 = y1 and α from a
/// grid (0.05 … 0.95, and 0.9999) by the smallest squared one-step error.
fn short_series_fit(y: &[f64]) -> Result<FittedEts> {
    let mut best: Option<(f64, FittedEts)> = None;
    for alpha in (1..=19).map(|i| i as f64 * 0.05).chain([0.9999]) {
        let fit = fixed_ses(y, alpha)?;
        if best.as_ref().is_none_or(|(b, _)| fit.mse < *b) {
            best = Some((fit.mse, fit));
        }
    }
    best.map(|(_, f)| f).ok_or_else(|| Error::NoModel {
        series: String::new(),
        reason: "no fallback model".into(),
    })
}
