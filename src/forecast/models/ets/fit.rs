//! Estimating one ETS form: maximum likelihood (or MSE, AMSE, …) over the
//! smoothing parameters, damping and initial states jointly, as R's `ets()`
//! does (`../shared/research/ets.md` §2).

use serde::{Deserialize, Serialize};

use super::admissible::{self, Bounds, Estimated, ParameterBox};
use super::filter::{PassOutput, Smoothing, Structure, Workspace};
use super::init::{complete_states, initial_parameters, initial_states};
use super::spec::{Component, EtsSpec};
use super::EtsState;
use super::FittedEts;
use crate::error::{Error, Result};
use crate::numeric::optim::NelderMead;

/// What the estimator minimises (R's `opt.crit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Criterion {
    /// −2 log-likelihood (R's "lik").
    #[default]
    Likelihood,
    /// Mean squared one-step error.
    Mse,
    /// Mean of the in-sample 1..=nmse-step mean squared errors.
    Amse,
    /// Mean squared residual (relative for multiplicative error).
    Sigma,
    /// Mean absolute residual.
    Mae,
}

/// An unfitted ETS model: a form, a season length and estimation settings.
///
/// ```
/// use salesplan::forecast::models::ets::Ets;
/// let y: Vec<f64> = (0..40).map(|t| 100.0 + t as f64 + [5.0, -3.0, -4.0, 2.0][t % 4]).collect();
/// let fit = Ets::new("AAA".parse().unwrap(), 4).unwrap().fit(&y).unwrap();
/// let fc = fit.predict(4, &[95.0]).unwrap();
/// assert!((fc.mean[0] - 145.0).abs() < 2.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ets {
    spec: EtsSpec,
    season_length: usize,
    criterion: Criterion,
    bounds: Bounds,
    parameter_box: ParameterBox,
    nmse: usize,
    fixed: [Option<f64>; 4],
    max_evaluations: usize,
}

impl Ets {
    /// An ETS form with season length `season_length` (ignored by
    /// non-seasonal forms; a seasonal form needs at least 2).
    pub fn new(spec: EtsSpec, season_length: usize) -> Result<Ets> {
        if spec.has_season() && season_length < 2 {
            return Err(Error::ModelNotApplicable {
                model: spec.to_string(),
                reason: format!(
                    "a seasonal model needs a season length of at least 2, got {season_length}"
                ),
            });
        }
        Ok(Ets {
            spec,
            season_length: if spec.has_season() { season_length } else { 1 },
            criterion: Criterion::Likelihood,
            bounds: Bounds::Both,
            parameter_box: ParameterBox::default(),
            nmse: 3,
            fixed: [None; 4],
            max_evaluations: 2000,
        })
    }

    pub fn spec(&self) -> EtsSpec {
        self.spec
    }

    /// The estimation criterion (default: likelihood).
    pub fn with_criterion(mut self, criterion: Criterion) -> Ets {
        self.criterion = criterion;
        self
    }

    /// Steps used by the AMSE criterion (1..=30, default 3).
    pub fn with_nmse(mut self, nmse: usize) -> Result<Ets> {
        if !(1..=30).contains(&nmse) {
            return Err(Error::InvalidParameter {
                name: "nmse",
                reason: format!("must be 1..=30, got {nmse}"),
            });
        }
        self.nmse = nmse;
        Ok(self)
    }

    /// The parameter region (default: both usual and admissible).
    pub fn with_bounds(mut self, bounds: Bounds, parameter_box: ParameterBox) -> Result<Ets> {
        if (0..4).any(|i| {
            parameter_box.lower[i] > parameter_box.upper[i]
                || !parameter_box.lower[i].is_finite()
                || !parameter_box.upper[i].is_finite()
        }) {
            return Err(Error::InvalidParameter {
                name: "parameter bounds",
                reason: format!(
                    "inconsistent lower {:?} / upper {:?}",
                    parameter_box.lower, parameter_box.upper
                ),
            });
        }
        self.bounds = bounds;
        self.parameter_box = parameter_box;
        Ok(self)
    }

    /// Fixes α, β, γ or φ instead of estimating it.
    pub fn with_fixed(
        mut self,
        alpha: Option<f64>,
        beta: Option<f64>,
        gamma: Option<f64>,
        phi: Option<f64>,
    ) -> Result<Ets> {
        let check = |name: &'static str, v: Option<f64>, applies: bool| -> Result<()> {
            match v {
                Some(x) if !applies => Err(Error::InvalidParameter {
                    name,
                    reason: format!("model {} has no such parameter (got {x})", self.spec),
                }),
                Some(x) if !(0.0..=1.0).contains(&x) => Err(Error::InvalidParameter {
                    name,
                    reason: format!("must be in [0, 1], got {x}"),
                }),
                _ => Ok(()),
            }
        };
        check("alpha", alpha, true)?;
        check("beta", beta, self.spec.has_trend())?;
        check("gamma", gamma, self.spec.has_season())?;
        check("phi", phi, self.spec.damped)?;
        self.fixed = [alpha, beta, gamma, phi];
        Ok(self)
    }

    /// Evaluation budget of the optimiser (default 2000, as R).
    pub fn with_max_evaluations(mut self, n: usize) -> Ets {
        self.max_evaluations = n.max(1);
        self
    }

    fn structure(&self) -> Structure {
        Structure {
            spec: self.spec,
            m: self.season_length,
        }
    }

    /// Number of free parameters: estimated smoothing parameters plus
    /// initial states (m − 1 free seasonals).
    pub fn n_free_parameters(&self) -> usize {
        let est = self.estimated();
        [est.alpha, est.beta, est.gamma, est.phi]
            .iter()
            .filter(|b| **b)
            .count()
            + 1
            + usize::from(self.spec.has_trend())
            + if self.spec.has_season() {
                self.season_length - 1
            } else {
                0
            }
    }

    fn estimated(&self) -> Estimated {
        Estimated {
            alpha: self.fixed[0].is_none(),
            beta: self.spec.has_trend() && self.fixed[1].is_none(),
            gamma: self.spec.has_season() && self.fixed[2].is_none(),
            phi: self.spec.damped && self.fixed[3].is_none(),
        }
    }

    /// Checks that the form suits the data.
    pub(crate) fn check_data(&self, y: &[f64]) -> Result<()> {
        if y.is_empty() {
            return Err(Error::TooShort {
                series: String::new(),
                needed: 1,
                got: 0,
            });
        }
        if self.spec.is_multiplicative() && y.iter().any(|v| *v <= 0.0) {
            return Err(Error::ModelNotApplicable {
                model: self.spec.to_string(),
                reason: "multiplicative components need strictly positive data".into(),
            });
        }
        let k = self.n_free_parameters();
        if k + 1 >= y.len() {
            return Err(Error::TooShort {
                series: String::new(),
                needed: k + 2,
                got: y.len(),
            });
        }
        Ok(())
    }

    /// Fits the model to `y` (finite values, oldest first).
    pub fn fit(&self, y: &[f64]) -> Result<FittedEts> {
        crate::forecast::models::check_values(y, 1)?;
        self.check_data(y)?;
        let mut ws = Workspace::default();
        self.fit_with(y, &mut ws)
    }

    pub(crate) fn fit_with(&self, y: &[f64], ws: &mut Workspace) -> Result<FittedEts> {
        let st = self.structure();
        let m = self.season_length;
        let not_applicable = |reason: &str| Error::ModelNotApplicable {
            model: self.spec.to_string(),
            reason: reason.to_string(),
        };
        let states0 = initial_states(y, &self.spec, m)
            .ok_or_else(|| not_applicable("initial states cannot be computed"))?;
        let est = self.estimated();
        let start_par =
            initial_parameters(&self.spec, m, self.fixed, self.bounds, &self.parameter_box);
        let mut theta: Vec<f64> = Vec::with_capacity(4 + states0.len());
        for (i, on) in [est.alpha, est.beta, est.gamma, est.phi].iter().enumerate() {
            if *on {
                theta.push(start_par[i]);
            }
        }
        let n_smooth = theta.len();
        theta.extend_from_slice(&states0);

        let objective = Objective {
            st,
            est,
            fixed: start_par,
            bounds: self.bounds,
            pbox: self.parameter_box,
            criterion: self.criterion,
            nmse: self.nmse,
            n_smooth,
        };
        let mut full = Vec::with_capacity(st.n_states());
        let mut scratch = PassOutput::default();
        if !objective
            .value(&theta, y, ws, &mut full, &mut scratch)
            .is_finite()
        {
            return Err(not_applicable(
                "the likelihood cannot be evaluated at the starting values",
            ));
        }
        let max_abs = theta.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let step = if max_abs > 0.0 { 0.1 * max_abs } else { 0.1 };
        let steps = vec![step; theta.len()];
        let result = NelderMead::new(self.max_evaluations).minimize(
            |th| objective.value(th, y, ws, &mut full, &mut scratch),
            &theta,
            &steps,
        );
        self.finish(&objective, &result.x, y, ws, result.evaluations)
    }

    /// The final pass at the optimum: residuals, states, σ² and criteria.
    fn finish(
        &self,
        obj: &Objective,
        theta: &[f64],
        y: &[f64],
        ws: &mut Workspace,
        evaluations: usize,
    ) -> Result<FittedEts> {
        let sm = obj.smoothing(theta);
        let mut states = Vec::new();
        complete_states(
            &theta[obj.n_smooth..],
            &self.spec,
            self.season_length,
            &mut states,
        );
        let mut fit = self.evaluate_with(&sm, &states, y, ws, theta.len())?;
        fit.evaluations = evaluations;
        Ok(fit)
    }

    /// Applies the model with given parameters and initial states to `y`
    /// without estimating anything: fitted values, residuals, likelihood and
    /// the forecast origin. `initial.seasonal` holds all m seasonals, newest
    /// first (as R's `initstate`). Fixed parameters set with
    /// [`with_fixed`](Self::with_fixed) are ignored here.
    pub fn evaluate(
        &self,
        y: &[f64],
        alpha: f64,
        beta: Option<f64>,
        gamma: Option<f64>,
        phi: Option<f64>,
        initial: &EtsState,
    ) -> Result<FittedEts> {
        let spec = self.spec;
        let want = 1
            + usize::from(spec.has_trend())
            + if spec.has_season() {
                self.season_length
            } else {
                0
            };
        let mut states = vec![initial.level];
        if spec.has_trend() {
            states.push(initial.slope.unwrap_or(0.0));
        }
        if spec.has_season() {
            states.extend_from_slice(&initial.seasonal);
        }
        if states.len() != want || !states.iter().all(|v| v.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "initial states",
                reason: format!(
                    "model {spec} needs {want} finite initial states, got {}",
                    states.len()
                ),
            });
        }
        let sm = Smoothing {
            alpha,
            beta: beta.unwrap_or(0.0),
            gamma: gamma.unwrap_or(0.0),
            phi: phi.unwrap_or(1.0),
        };
        let k = self.n_free_parameters();
        self.evaluate_with(&sm, &states, y, &mut Workspace::default(), k)
    }

    /// One full pass with known parameters; `k` counts the estimated parameters.
    pub(crate) fn evaluate_with(
        &self,
        sm: &Smoothing,
        states: &[f64],
        y: &[f64],
        ws: &mut Workspace,
        k: usize,
    ) -> Result<FittedEts> {
        let st = self.structure();
        let mut out = PassOutput::default();
        let sums = st
            .pass(sm, states, y, ws, Some(&mut out), self.nmse)
            .filter(|s| s.sse.is_finite())
            .ok_or_else(|| Error::ModelNotApplicable {
                model: self.spec.to_string(),
                reason: "the model breaks down on this data".into(),
            })?;
        let lik = sums.lik(&self.spec);
        let np = (k + 1) as f64;
        let n = y.len() as f64;
        let aic = lik + 2.0 * np;
        let aicc = (n - np - 1.0 > 0.0).then(|| aic + 2.0 * np * (np + 1.0) / (n - np - 1.0));
        let bic = lik + np * n.ln();
        let sigma2 = if n > k as f64 {
            sums.sse / (n - k as f64)
        } else {
            sums.sse / n.max(1.0)
        };
        let s_off = 1 + usize::from(self.spec.has_trend());
        Ok(FittedEts {
            spec: self.spec,
            season_length: self.season_length,
            alpha: sm.alpha,
            beta: self.spec.has_trend().then_some(sm.beta),
            gamma: self.spec.has_season().then_some(sm.gamma),
            phi: self.spec.damped.then_some(sm.phi),
            initial: EtsState {
                level: states[0],
                slope: self.spec.has_trend().then(|| states[1]),
                seasonal: states[s_off..].to_vec(),
            },
            last: EtsState {
                level: out.level,
                slope: self.spec.has_trend().then_some(out.slope),
                seasonal: out.seasonal,
            },
            sigma2,
            loglik: -0.5 * lik,
            aic,
            aicc,
            bic,
            mse: sums.sse_raw / n,
            amse: out.amse,
            n_obs: y.len(),
            n_parameters: k,
            fitted: out.fitted,
            residuals: out.residuals,
            evaluations: 0,
        })
    }
}

/// The function the optimiser sees: parameter vector → criterion value.
pub(crate) struct Objective {
    pub st: Structure,
    pub est: Estimated,
    /// Values of (α, β, γ, φ) for those not estimated.
    pub fixed: [f64; 4],
    pub bounds: Bounds,
    pub pbox: ParameterBox,
    pub criterion: Criterion,
    pub nmse: usize,
    pub n_smooth: usize,
}

impl Objective {
    pub fn smoothing(&self, theta: &[f64]) -> Smoothing {
        let mut i = 0;
        let mut take = |on: bool, fixed: f64| {
            if on {
                i += 1;
                theta[i - 1]
            } else {
                fixed
            }
        };
        Smoothing {
            alpha: take(self.est.alpha, self.fixed[0]),
            beta: take(self.est.beta, self.fixed[1]),
            gamma: take(self.est.gamma, self.fixed[2]),
            phi: take(self.est.phi, self.fixed[3]),
        }
    }

    /// The criterion at `theta`, +∞ where infeasible.
    pub fn value(
        &self,
        theta: &[f64],
        y: &[f64],
        ws: &mut Workspace,
        full: &mut Vec<f64>,
        scratch: &mut PassOutput,
    ) -> f64 {
        let sm = self.smoothing(theta);
        let spec = &self.st.spec;
        let seasonal_m = spec.has_season().then_some(self.st.m);
        if !admissible::check(
            &sm,
            &self.est,
            spec.has_trend(),
            seasonal_m,
            self.bounds,
            &self.pbox,
        ) {
            return f64::INFINITY;
        }
        complete_states(&theta[self.n_smooth..], spec, self.st.m, full);
        if spec.season == Component::Multiplicative {
            let s_off = 1 + usize::from(spec.has_trend());
            if full[s_off..].iter().any(|s| *s < 0.0) {
                return f64::INFINITY;
            }
        }
        let want_amse = self.criterion == Criterion::Amse;
        let out = if want_amse { Some(&mut *scratch) } else { None };
        let Some(sums) = self.st.pass(&sm, full, y, ws, out, self.nmse) else {
            return f64::INFINITY;
        };
        let n = sums.n as f64;
        let v = match self.criterion {
            Criterion::Likelihood => sums.lik(spec),
            Criterion::Mse => sums.sse_raw / n,
            Criterion::Amse => scratch.amse.iter().sum::<f64>() / scratch.amse.len().max(1) as f64,
            Criterion::Sigma => sums.sse / n,
            Criterion::Mae => sums.sum_abs / n,
        };
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    }
}
