//! Seasonal ARIMA(p,d,q)(P,D,Q)m with a mean or drift and regressors
//! (regression with ARIMA errors), estimated as R's `forecast::Arima` and
//! `stats::arima` do with `method = "CSS-ML"`.
//!
//! The model: y_t = x_t′β + u_t, (1 − B)^d (1 − B^m)^D u_t = w_t, and
//! φ(B) Φ(B^m) w_t = θ(B) Θ(B^m) a_t with a_t ~ N(0, σ²) — in R's sign
//! convention, φ(B) = 1 − φ₁B − …, θ(B) = 1 + θ₁B + …. The regressors x
//! hold a mean (when d + D = 0, as R includes by default), a drift t (when
//! asked for and d + D ≤ 1) and the user's columns.
//!
//! Estimation, step by step as R's `arima`:
//! 1. y and x are differenced; β starts at least squares on the
//!    differenced data, scaled in the optimiser by 10 × its standard
//!    error (R's `parscale`).
//! 2. The conditional sum of squares (CSS) is minimised from zero ARMA
//!    coefficients; an AR part it leaves non-stationary is an error, as
//!    in R.
//! 3. From there, the exact Gaussian likelihood (Kalman filter on the
//!    differenced series, [`kalman`]) is maximised with the AR parts
//!    mapped to stationary ones ([`transform`]) and the MA parts started
//!    invertible (and inverted again after the fit, as R does). Both
//!    optimisations are R's `optim(method = "BFGS")` with its defaults:
//!    Nash's variable metric ([`VariableMetric`], which says why not
//!    `argmin`'s BFGS), central-difference gradients (step 10⁻³), at most
//!    100 gradients. One departure: the exact likelihood starts from the
//!    CSS estimates even when CSS spent its 100 gradients, where R starts
//!    again from the initial values (on M3, R's rule reproduced R's
//!    AutoARIMA figures but was worse on monthly and nowhere better;
//!    BENCHMARKS.md, 2026-12-03).
//!
//! σ² is forecast::Arima's: the standardised squared innovations over
//! n − d − D·m − k (the likelihood uses their mean); AIC = −2 log L + 2(k + 1) with k the
//! coefficients estimated, AICc and BIC as `forecast::Arima`. Forecasts
//! continue the filtered state, undo the differencing and add x′β;
//! their variance is σ² Σ ψ_j² with ψ the weights of
//! θ(B)Θ(B^m) / (φ(B)Φ(B^m)(1 − B)^d(1 − B^m)^D) (the filter's final state
//! uncertainty, which vanishes as the series grows, is left out), and the
//! intervals are normal, as R's.
//!
//! ```
//! use salesplan::forecast::models::arima::{Arima, ArimaSpec};
//! // an AR(1) around 10
//! let mut y = vec![10.0];
//! for t in 1..120 {
//!     let shock = ((t * 7919) % 13) as f64 / 6.0 - 1.0;
//!     y.push(10.0 + 0.6 * (y[t - 1] - 10.0) + shock);
//! }
//! let fit = Arima::new("1,0,0".parse()?, 1)?.fit(&y)?;
//! assert!((fit.coefficients.ar[0] - 0.6).abs() < 0.15);
//! assert!((fit.coefficients.mean.unwrap() - 10.0).abs() < 0.3);
//! let f = fit.predict(6, &[95.0])?;
//! assert!(f.intervals[0].lower[0] < f.mean[0] && f.mean[0] < f.intervals[0].upper[0]);
//! # Ok::<(), salesplan::Error>(())
//! ```

pub mod auto;
pub mod kalman;
pub mod transform;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::models::{check_values, Forecast, Interval};
use crate::numeric::optim::variable_metric::{CentralDifferences, Stop, VariableMetric};
use crate::numeric::stats::{check_levels, normal_quantile};

/// The orders of a seasonal ARIMA and its deterministic terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArimaSpec {
    pub p: usize,
    pub d: usize,
    pub q: usize,
    /// Seasonal orders (P, D, Q), at the season length given to [`Arima::new`].
    pub seasonal_p: usize,
    pub seasonal_d: usize,
    pub seasonal_q: usize,
    /// A mean when d + D = 0 (R's `include.mean`, on by default).
    pub mean: bool,
    /// A drift (a linear trend in y) when d + D ≤ 1 (R's `include.drift`).
    pub drift: bool,
}

impl ArimaSpec {
    /// ARIMA(p,d,q) with R's defaults: a mean when undifferenced, no drift.
    pub fn new(p: usize, d: usize, q: usize) -> ArimaSpec {
        ArimaSpec {
            p,
            d,
            q,
            seasonal_p: 0,
            seasonal_d: 0,
            seasonal_q: 0,
            mean: true,
            drift: false,
        }
    }

    /// With the seasonal part (P, D, Q).
    pub fn seasonal(mut self, p: usize, d: usize, q: usize) -> ArimaSpec {
        (self.seasonal_p, self.seasonal_d, self.seasonal_q) = (p, d, q);
        self
    }

    /// With or without a drift.
    pub fn with_drift(mut self, drift: bool) -> ArimaSpec {
        self.drift = drift;
        self
    }

    fn has_seasonal(&self) -> bool {
        self.seasonal_p + self.seasonal_d + self.seasonal_q > 0
    }
}

impl FromStr for ArimaSpec {
    type Err = Error;

    /// `p,d,q`, `p,d,q(P,D,Q)`, each optionally followed by `+drift` or
    /// `-mean`.
    ///
    /// ```
    /// use salesplan::forecast::models::arima::ArimaSpec;
    /// let s: ArimaSpec = "0,1,1(0,1,1)".parse()?;
    /// assert_eq!((s.q, s.seasonal_d, s.seasonal_q), (1, 1, 1));
    /// assert!("1,1,0+drift".parse::<ArimaSpec>()?.drift);
    /// assert!("1,1".parse::<ArimaSpec>().is_err());
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    fn from_str(text: &str) -> Result<ArimaSpec> {
        let bad = || {
            Error::InvalidParameter {
            name: "arima",
            reason: format!(
                "'{text}': expected p,d,q or p,d,q(P,D,Q), optionally with +drift or -mean, e.g. 1,1,1(0,1,1)"
            ),
        }
        };
        let mut rest = text.trim();
        let (mut drift, mut mean) = (false, true);
        loop {
            if let Some(r) = rest.strip_suffix("+drift") {
                (drift, rest) = (true, r.trim_end());
            } else if let Some(r) = rest.strip_suffix("-mean") {
                (mean, rest) = (false, r.trim_end());
            } else {
                break;
            }
        }
        let orders = |s: &str| -> Option<[usize; 3]> {
            let v: Vec<usize> = s
                .split(',')
                .map(|x| x.trim().parse().ok())
                .collect::<Option<_>>()?;
            (v.len() == 3).then(|| [v[0], v[1], v[2]])
        };
        let (plain, seasonal) = match rest.split_once('(') {
            Some((a, b)) => (a, Some(b.strip_suffix(')').ok_or_else(bad)?)),
            None => (rest, None),
        };
        let [p, d, q] = orders(plain).ok_or_else(bad)?;
        let mut spec = ArimaSpec::new(p, d, q);
        if let Some(s) = seasonal {
            let [sp, sd, sq] = orders(s).ok_or_else(bad)?;
            spec = spec.seasonal(sp, sd, sq);
        }
        spec.mean = mean;
        spec.drift = drift;
        Ok(spec)
    }
}

impl fmt::Display for ArimaSpec {
    /// As R prints it: `ARIMA(0,1,1)(0,1,1)` (the season length is the
    /// fit's).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ARIMA({},{},{})", self.p, self.d, self.q)?;
        if self.has_seasonal() {
            write!(
                f,
                "({},{},{})",
                self.seasonal_p, self.seasonal_d, self.seasonal_q
            )?;
        }
        if self.drift {
            write!(f, " with drift")?;
        }
        Ok(())
    }
}

/// An ARIMA of a given order at a season length, ready to fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arima {
    spec: ArimaSpec,
    period: usize,
}

/// The estimated coefficients, in R's sign convention.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArimaCoefficients {
    pub ar: Vec<f64>,
    pub ma: Vec<f64>,
    pub seasonal_ar: Vec<f64>,
    pub seasonal_ma: Vec<f64>,
    /// The mean (R's `intercept`), when fitted.
    pub mean: Option<f64>,
    /// The drift per period, when fitted.
    pub drift: Option<f64>,
    /// The user's regressors' coefficients, in the order given.
    pub regressors: Vec<f64>,
}

/// A fitted ARIMA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedArima {
    pub spec: ArimaSpec,
    pub period: usize,
    pub coefficients: ArimaCoefficients,
    /// The innovation variance σ².
    pub sigma2: f64,
    pub loglik: f64,
    pub aic: f64,
    pub aicc: f64,
    pub bic: f64,
    /// Observations in the likelihood (n − d − D·m).
    pub n_used: usize,
    /// Length of the series fitted.
    pub n: usize,
    /// The filtered ARMA state after the last observation.
    state: Vec<f64>,
    /// The last d + D·m values of y − x′β, for undoing the differencing.
    tail: Vec<f64>,
}

/// The coefficients of (1 − B)^d (1 − B^m)^D as 1 + δ₁B + … (δ₀ = 1).
fn differencing_polynomial(d: usize, seasonal_d: usize, m: usize) -> Vec<f64> {
    let mut poly = vec![1.0];
    let mut times = |lag: usize| {
        let mut next = poly.clone();
        next.resize(poly.len() + lag, 0.0);
        for (k, c) in poly.iter().enumerate() {
            next[k + lag] -= c;
        }
        poly = next;
    };
    for _ in 0..d {
        times(1);
    }
    for _ in 0..seasonal_d {
        times(m);
    }
    poly
}

/// Applies the differencing polynomial: w_t = Σ δ_k v_{t−k}, t from its
/// degree on.
fn difference(v: &[f64], delta: &[f64]) -> Vec<f64> {
    let l = delta.len() - 1;
    (l..v.len())
        .map(|t| delta.iter().enumerate().map(|(k, c)| c * v[t - k]).sum())
        .collect()
}

/// (1 − Σ aᵢBⁱ)(1 − Σ Aⱼ B^{mj}) as the coefficients of −B, −B², …
/// (R's AR sign); with `plus`, (1 + Σ)(1 + Σ) as the coefficients of B, …
fn expand(regular: &[f64], seasonal: &[f64], m: usize, plus: bool) -> Vec<f64> {
    let mut out = Vec::new();
    expand_into(
        regular,
        seasonal,
        m,
        plus,
        &mut Default::default(),
        &mut out,
    );
    out
}

/// [`expand`] into `out`, with `scratch` for the factors and the product.
fn expand_into(
    regular: &[f64],
    seasonal: &[f64],
    m: usize,
    plus: bool,
    scratch: &mut [Vec<f64>; 3],
    out: &mut Vec<f64>,
) {
    let sign = if plus { 1.0 } else { -1.0 };
    let len = regular.len() + m * seasonal.len();
    let [a, b, product] = scratch;
    for v in [&mut *a, &mut *b, &mut *product] {
        v.clear();
        v.resize(len + 1, 0.0);
    }
    a[0] = 1.0;
    for (i, c) in regular.iter().enumerate() {
        a[i + 1] = sign * c;
    }
    b[0] = 1.0;
    for (j, c) in seasonal.iter().enumerate() {
        b[m * (j + 1)] = sign * c;
    }
    for (i, x) in a.iter().enumerate() {
        if *x == 0.0 {
            continue;
        }
        for (j, y) in b.iter().enumerate() {
            if i + j <= len {
                product[i + j] += x * y;
            }
        }
    }
    out.clear();
    out.extend(product[1..].iter().map(|c| sign * c));
}

/// Least squares of `y` on the columns `x`: coefficients and standard
/// errors; `None` when the columns are collinear.
fn least_squares(y: &[f64], x: &[Vec<f64>]) -> Option<(Vec<f64>, Vec<f64>)> {
    let k = x.len();
    let n = y.len();
    if n <= k {
        return None;
    }
    let xtx = nalgebra::DMatrix::from_fn(k, k, |i, j| {
        x[i].iter().zip(&x[j]).map(|(a, b)| a * b).sum::<f64>()
    });
    let xty = nalgebra::DVector::from_fn(k, |i, _| {
        x[i].iter().zip(y).map(|(a, b)| a * b).sum::<f64>()
    });
    let chol = xtx.cholesky()?;
    let beta = chol.solve(&xty);
    let rss: f64 = (0..n)
        .map(|t| y[t] - (0..k).map(|i| x[i][t] * beta[i]).sum::<f64>())
        .map(|e| e * e)
        .sum();
    let s2 = rss / (n - k) as f64;
    let inv = chol.inverse();
    let se = (0..k).map(|i| (s2 * inv[(i, i)]).sqrt()).collect();
    Some((beta.iter().copied().collect(), se))
}

/// The orders' counts, for slicing a parameter vector.
#[derive(Debug, Clone, Copy)]
struct Layout {
    p: usize,
    q: usize,
    sp: usize,
    sq: usize,
    m: usize,
}

impl Layout {
    fn arma(&self) -> usize {
        self.p + self.q + self.sp + self.sq
    }

    /// (φ, θ, Φ, Θ, β) of a parameter vector, the AR parts mapped to
    /// stationary ones when `transformed`, β = scale × the scaled values.
    fn split(&self, x: &[f64], scale: &[f64], transformed: bool) -> Parts {
        let (p, q, sp, sq) = (self.p, self.q, self.sp, self.sq);
        let ar = &x[..p];
        let sar = &x[p + q..p + q + sp];
        let (ar, sar) = if transformed {
            (transform::ar_from_raw(ar), transform::ar_from_raw(sar))
        } else {
            (ar.to_vec(), sar.to_vec())
        };
        Parts {
            ar,
            ma: x[p..p + q].to_vec(),
            sar,
            sma: x[p + q + sp..p + q + sp + sq].to_vec(),
            beta: x[self.arma()..]
                .iter()
                .zip(scale)
                .map(|(v, s)| v * s)
                .collect(),
        }
    }
}

/// A series and its regressors, differenced.
struct Prepared {
    layout: Layout,
    lag: usize,
    mean: bool,
    columns: Vec<Vec<f64>>,
    w: Vec<f64>,
    wx: Vec<Vec<f64>>,
}

/// The data of a fit and its CSS estimates ([`Arima::css_stage`]).
struct CssStage {
    prepared: Prepared,
    scale: Vec<f64>,
    css: Vec<f64>,
}

/// A candidate fitted by CSS alone ([`Arima::fit_css`]).
pub(crate) struct CssFit {
    /// The expanded AR polynomial's coefficients (seasonal part multiplied in).
    pub phi: Vec<f64>,
    /// The expanded MA polynomial's coefficients.
    pub theta: Vec<f64>,
    /// The mean squared conditional residual.
    pub sigma2: f64,
    /// Estimated parameters, σ² included.
    pub npar: usize,
}

struct Parts {
    ar: Vec<f64>,
    ma: Vec<f64>,
    sar: Vec<f64>,
    sma: Vec<f64>,
    beta: Vec<f64>,
}

impl Parts {
    fn phi(&self, m: usize) -> Vec<f64> {
        expand(&self.ar, &self.sar, m, false)
    }

    fn theta(&self, m: usize) -> Vec<f64> {
        expand(&self.ma, &self.sma, m, true)
    }
}

/// `w` minus the regressor columns `wx` times `beta`.
fn subtract(w: &[f64], wx: &[Vec<f64>], beta: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    subtract_into(w, wx, beta, &mut out);
    out
}

/// [`subtract`] into `out`.
fn subtract_into(w: &[f64], wx: &[Vec<f64>], beta: &[f64], out: &mut Vec<f64>) {
    out.clear();
    out.extend_from_slice(w);
    for (col, b) in wx.iter().zip(beta) {
        for (v, x) in out.iter_mut().zip(col) {
            *v -= b * x;
        }
    }
}

/// The buffers of one fit's objective evaluations, kept across the
/// optimiser's calls (CSS and exact likelihood alike) so that the
/// likelihood loop does not allocate: the parameter parts, the expanded
/// polynomials, the series after the regressors and the filter's own.
#[derive(Debug, Default)]
struct Workspace {
    ar: Vec<f64>,
    ma: Vec<f64>,
    sar: Vec<f64>,
    sma: Vec<f64>,
    beta: Vec<f64>,
    phi: Vec<f64>,
    theta: Vec<f64>,
    poly: [Vec<f64>; 3],
    work: Vec<f64>,
    resid: Vec<f64>,
    kalman: kalman::Workspace,
}

impl Workspace {
    /// [`Layout::split`] into the workspace's part buffers.
    fn split(&mut self, layout: Layout, x: &[f64], scale: &[f64], transformed: bool) {
        let (p, q, sp, sq) = (layout.p, layout.q, layout.sp, layout.sq);
        let ar = &x[..p];
        let sar = &x[p + q..p + q + sp];
        if transformed {
            transform::ar_from_raw_into(ar, &mut self.ar, &mut self.work);
            transform::ar_from_raw_into(sar, &mut self.sar, &mut self.work);
        } else {
            self.ar.clear();
            self.ar.extend_from_slice(ar);
            self.sar.clear();
            self.sar.extend_from_slice(sar);
        }
        self.ma.clear();
        self.ma.extend_from_slice(&x[p..p + q]);
        self.sma.clear();
        self.sma.extend_from_slice(&x[p + q + sp..p + q + sp + sq]);
        self.beta.clear();
        self.beta
            .extend(x[layout.arma()..].iter().zip(scale).map(|(v, s)| v * s));
    }
}

/// The objective the optimiser sees: the CSS or the exact likelihood of
/// the differenced series after the regressors.
#[derive(Clone, Copy)]
struct Objective<'a> {
    w: &'a [f64],
    wx: &'a [Vec<f64>],
    layout: Layout,
    scale: &'a [f64],
    exact: bool,
}

impl Objective<'_> {
    fn residual_series(&self, beta: &[f64]) -> Vec<f64> {
        subtract(self.w, self.wx, beta)
    }

    fn value(&self, x: &[f64], ws: &mut Workspace) -> f64 {
        let m = self.layout.m;
        ws.split(self.layout, x, self.scale, self.exact);
        expand_into(&ws.ar, &ws.sar, m, false, &mut ws.poly, &mut ws.phi);
        expand_into(&ws.ma, &ws.sma, m, true, &mut ws.poly, &mut ws.theta);
        subtract_into(self.w, self.wx, &ws.beta, &mut ws.resid);
        let (phi, theta, w) = (&ws.phi, &ws.theta, &ws.resid);
        let v = if self.exact {
            match kalman::filter_into(&mut ws.kalman, w, phi, theta) {
                Some(f) if f.used > 0 && f.ssq > 0.0 => f.concentrated(),
                _ => f64::INFINITY,
            }
        } else {
            let (ssq, used) =
                kalman::conditional_sum_of_squares_into(&mut ws.kalman, w, phi, theta, phi.len());
            if used > 0 && ssq > 0.0 {
                0.5 * (ssq / used as f64).ln()
            } else {
                f64::INFINITY
            }
        };
        if v.is_finite() {
            v
        } else {
            1e10
        }
    }
}

/// The central-difference step of R's `optim` (`ndeps`).
const STEP: f64 = 1e-3;

/// The gradients R's `optim` allows by default (`maxit`).
const MAX_ITERATIONS: usize = 100;

/// Minimises `objective` from `start` as R's `optim(method = "BFGS")` with
/// its default controls: Nash's variable metric with central-difference
/// gradients ([`VariableMetric`]). The best point found, and whether the
/// run converged (R's convergence code 0) rather than spend its gradients.
fn minimise(objective: Objective, start: &[f64], workspace: &mut Workspace) -> (Vec<f64>, bool) {
    let mut function = CentralDifferences::new(|x: &[f64]| objective.value(x, workspace), STEP);
    let run = VariableMetric::new(MAX_ITERATIONS).minimize(&mut function, start);
    (run.x, run.stop == Stop::Converged)
}

impl Arima {
    /// Checks the orders: a seasonal part needs a season length of at least
    /// 2; at most 100 AR or MA coefficients after expansion.
    pub fn new(spec: ArimaSpec, period: usize) -> Result<Arima> {
        let m = if spec.has_seasonal() { period } else { 1 };
        if spec.has_seasonal() && period < 2 {
            return Err(Error::ModelNotApplicable {
                model: spec.to_string(),
                reason: format!(
                    "a seasonal part needs a season length of at least 2, got {period}"
                ),
            });
        }
        if spec.p + m * spec.seasonal_p > 100 || spec.q + m * spec.seasonal_q > 100 {
            return Err(Error::ModelNotApplicable {
                model: spec.to_string(),
                reason: "more than 100 AR or MA coefficients".into(),
            });
        }
        Ok(Arima { spec, period: m })
    }

    /// The differenced series and regressor columns (mean, drift, the
    /// user's), checked.
    fn prepare(&self, y: &[f64], regressors: &[Vec<f64>]) -> Result<Prepared> {
        let spec = self.spec;
        let m = self.period;
        let nd = spec.d + spec.seasonal_d;
        if spec.drift && nd > 1 {
            return Err(Error::ModelNotApplicable {
                model: spec.to_string(),
                reason: "a drift needs at most one difference (d + D ≤ 1)".into(),
            });
        }
        let delta = differencing_polynomial(spec.d, spec.seasonal_d, m);
        let lag = delta.len() - 1;
        let layout = Layout {
            p: spec.p,
            q: spec.q,
            sp: spec.seasonal_p,
            sq: spec.seasonal_q,
            m,
        };
        let mean = spec.mean && nd == 0;
        let mut columns: Vec<Vec<f64>> = Vec::new();
        if mean {
            columns.push(vec![1.0; y.len()]);
        }
        if spec.drift {
            columns.push((1..=y.len()).map(|t| t as f64).collect());
        }
        for (j, c) in regressors.iter().enumerate() {
            if c.len() != y.len() {
                return Err(Error::InvalidParameter {
                    name: "regressors",
                    reason: format!(
                        "regressor {} has {} values for a series of {}",
                        j + 1,
                        c.len(),
                        y.len()
                    ),
                });
            }
            check_values(c, 0)?;
        }
        columns.extend(regressors.iter().cloned());
        let ar_len = spec.p + m * spec.seasonal_p;
        let needed = lag + ar_len + layout.arma() + columns.len() + 2;
        check_values(y, needed.max(3))?;
        let w = difference(y, &delta);
        let wx: Vec<Vec<f64>> = columns.iter().map(|c| difference(c, &delta)).collect();
        Ok(Prepared {
            layout,
            lag,
            mean,
            columns,
            w,
            wx,
        })
    }

    /// The exact log-likelihood of `y` (with the user's `regressors`) at
    /// given coefficients, as R's `arima` reports it: for checking a fit
    /// against another implementation's estimates.
    ///
    /// ```
    /// use salesplan::forecast::models::arima::{Arima, ArimaSpec};
    /// let y: Vec<f64> = (0..40).map(|t| ((t * 13) % 7) as f64).collect();
    /// let arima = Arima::new("1,0,0".parse()?, 1)?;
    /// let fit = arima.fit(&y)?;
    /// let again = arima.log_likelihood(&y, &[], &fit.coefficients)?;
    /// assert!((again - fit.loglik).abs() < 1e-9);
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn log_likelihood(
        &self,
        y: &[f64],
        regressors: &[Vec<f64>],
        coefficients: &ArimaCoefficients,
    ) -> Result<f64> {
        let prepared = self.prepare(y, regressors)?;
        let c = coefficients;
        let beta: Vec<f64> = c
            .mean
            .filter(|_| prepared.mean)
            .into_iter()
            .chain(c.drift.filter(|_| self.spec.drift))
            .chain(c.regressors.iter().copied())
            .collect();
        let counts = [
            (c.ar.len(), self.spec.p),
            (c.ma.len(), self.spec.q),
            (c.seasonal_ar.len(), self.spec.seasonal_p),
            (c.seasonal_ma.len(), self.spec.seasonal_q),
            (beta.len(), prepared.columns.len()),
        ];
        if counts.iter().any(|(a, b)| a != b) {
            return Err(Error::InvalidParameter {
                name: "coefficients",
                reason: format!("they do not match the model {}", self.spec),
            });
        }
        let m = self.period;
        let phi = expand(&c.ar, &c.seasonal_ar, m, false);
        let theta = expand(&c.ma, &c.seasonal_ma, m, true);
        let w = subtract(&prepared.w, &prepared.wx, &beta);
        let f = kalman::filter(&w, &phi, &theta).ok_or_else(|| Error::ModelNotApplicable {
            model: self.spec.to_string(),
            reason: "the AR part is not stationary".into(),
        })?;
        Ok(-0.5 * f.minus_two_log_likelihood())
    }

    /// Fits the model to `y` (no regressors of the user's).
    pub fn fit(&self, y: &[f64]) -> Result<FittedArima> {
        self.fit_with_regressors(y, &[])
    }

    /// The conditional-sum-of-squares stage of a fit: the differenced data,
    /// the regressors' scaling and the CSS estimates (R's `arima` with
    /// `method = "CSS"`, the start of its default `"CSS-ML"`).
    fn css_stage(
        &self,
        y: &[f64],
        regressors: &[Vec<f64>],
        workspace: &mut Workspace,
    ) -> Result<CssStage> {
        let name = self.spec.to_string();
        let not_applicable = |reason: String| Error::ModelNotApplicable {
            model: name.clone(),
            reason,
        };
        let prepared = self.prepare(y, regressors)?;
        let (w, wx, layout) = (&prepared.w, &prepared.wx, prepared.layout);
        let k = prepared.columns.len();
        let size = y.iter().fold(0.0_f64, |a, v| a.max(v.abs())).max(1.0);
        if k == 0 && w.iter().all(|v| v.abs() <= 1e-12 * size) {
            return Err(not_applicable(format!(
                "after differencing the series is exactly 0: a deterministic pattern the differencing removes, with no innovation variance to estimate (its last {} values continue it)",
                prepared.lag
            )));
        }
        // β from least squares on the differenced data
        let (beta0, ses) = if k > 0 {
            least_squares(w, wx).ok_or_else(|| {
                not_applicable("the regressors are collinear after differencing".into())
            })?
        } else {
            (Vec::new(), Vec::new())
        };
        let scale: Vec<f64> = ses
            .iter()
            .zip(&beta0)
            .map(|(s, b)| {
                let s = 10.0 * s;
                if s.is_finite() && s > 0.0 {
                    s
                } else {
                    b.abs().max(1.0)
                }
            })
            .collect();
        let mut start = vec![0.0; layout.arma()];
        start.extend(beta0.iter().zip(&scale).map(|(b, s)| b / s));
        let objective = Objective {
            w,
            wx,
            layout,
            scale: &scale,
            exact: false,
        };
        let (css, _) = minimise(objective, &start, workspace);
        Ok(CssStage {
            prepared,
            scale,
            css,
        })
    }

    /// The fit by conditional sum of squares alone, for ranking candidates
    /// as AutoARIMA's approximation does: the AR and MA polynomials and
    /// σ² = the mean squared conditional residual (R: `arima(method =
    /// "CSS")$sigma2`).
    pub(crate) fn fit_css(&self, y: &[f64]) -> Result<CssFit> {
        let stage = self.css_stage(y, &[], &mut Workspace::default())?;
        let layout = stage.prepared.layout;
        let parts = layout.split(&stage.css, &stage.scale, false);
        let (phi, theta) = (parts.phi(self.period), parts.theta(self.period));
        let w = subtract(&stage.prepared.w, &stage.prepared.wx, &parts.beta);
        let (ssq, used) = kalman::conditional_sum_of_squares(&w, &phi, &theta, phi.len());
        let sigma2 = ssq / used as f64;
        if used == 0 || !(sigma2.is_finite() && sigma2 > 0.0) {
            return Err(Error::ModelNotApplicable {
                model: self.spec.to_string(),
                reason: "the conditional sum of squares is not positive and finite".into(),
            });
        }
        Ok(CssFit {
            phi,
            theta,
            sigma2,
            npar: layout.arma() + stage.prepared.columns.len() + 1,
        })
    }

    /// Fits y = x′β + u with ARIMA errors u; `regressors` are the user's
    /// columns, each as long as `y` (the mean or drift of the spec come on
    /// top).
    pub fn fit_with_regressors(&self, y: &[f64], regressors: &[Vec<f64>]) -> Result<FittedArima> {
        let spec = self.spec;
        let m = self.period;
        let name = spec.to_string();
        let not_applicable = |reason: String| Error::ModelNotApplicable {
            model: name.clone(),
            reason,
        };
        // 1. conditional sum of squares
        let mut workspace = Workspace::default();
        let CssStage {
            prepared,
            scale,
            css,
        } = self.css_stage(y, regressors, &mut workspace)?;
        let Prepared {
            layout,
            lag,
            mean,
            columns,
            w,
            wx,
        } = prepared;
        let k = columns.len();
        let css_objective = Objective {
            w: &w,
            wx: &wx,
            layout,
            scale: &scale,
            exact: false,
        };
        let parts = layout.split(&css, &scale, false);
        if !transform::is_stationary(&parts.ar) || !transform::is_stationary(&parts.sar) {
            return Err(not_applicable("non-stationary AR part from CSS".into()));
        }
        // 2. exact likelihood from the CSS estimates, AR parts mapped
        let mut init = Vec::with_capacity(css.len());
        init.extend(transform::raw_from_ar(&parts.ar).unwrap_or_default());
        init.extend(transform::ma_invert(&parts.ma));
        init.extend(transform::raw_from_ar(&parts.sar).unwrap_or_default());
        init.extend(transform::ma_invert(&parts.sma));
        init.extend_from_slice(&css[layout.arma()..]);
        let objective = Objective {
            exact: true,
            ..css_objective
        };
        let (best, _) = minimise(objective, &init, &mut workspace);
        let mut parts = layout.split(&best, &scale, true);
        // an MA part the optimiser left non-invertible is inverted, which
        // keeps the likelihood (as R's arima does after its fit)
        parts.ma = transform::ma_invert(&parts.ma);
        parts.sma = transform::ma_invert(&parts.sma);
        let (phi, theta) = (parts.phi(m), parts.theta(m));
        let resid = objective.residual_series(&parts.beta);
        let filtered = kalman::filter(&resid, &phi, &theta)
            .filter(|f| f.used > 0 && f.ssq.is_finite())
            .ok_or_else(|| not_applicable("the likelihood could not be evaluated".into()))?;
        let n_used = filtered.used;
        let minus2loglik = filtered.minus_two_log_likelihood();
        let npar = (layout.arma() + k + 1) as f64;
        let aic = minus2loglik + 2.0 * npar;
        let nstar = (y.len() - lag) as f64;
        let aicc = aic + 2.0 * npar * (npar + 1.0) / (nstar - npar - 1.0);
        let bic = aic + npar * (nstar.ln() - 2.0);
        // as forecast::Arima: the squared standardised residuals over the
        // degrees of freedom left by the coefficients
        let sigma2 = filtered.ssq / (nstar - npar + 1.0);
        if !(sigma2.is_finite() && sigma2 >= 0.0 && aic.is_finite()) {
            return Err(not_applicable(
                "the fit did not converge to a finite likelihood".into(),
            ));
        }
        // y − x′β at the end of the series, for undoing the differencing
        let n = y.len();
        let tail: Vec<f64> = (n - lag..n)
            .map(|t| {
                y[t] - columns
                    .iter()
                    .zip(&parts.beta)
                    .map(|(c, b)| c[t] * b)
                    .sum::<f64>()
            })
            .collect();
        let mut beta = parts.beta.iter().copied();
        let coefficients = ArimaCoefficients {
            ar: parts.ar.clone(),
            ma: parts.ma.clone(),
            seasonal_ar: parts.sar.clone(),
            seasonal_ma: parts.sma.clone(),
            mean: if mean { beta.next() } else { None },
            drift: if spec.drift { beta.next() } else { None },
            regressors: beta.collect(),
        };
        Ok(FittedArima {
            spec,
            period: m,
            coefficients,
            sigma2,
            loglik: -0.5 * minus2loglik,
            aic,
            aicc,
            bic,
            n_used,
            n,
            state: filtered.state,
            tail,
        })
    }
}

impl FittedArima {
    /// The fit of a series the differencing makes constant (`level` after
    /// differencing: the mean when d + D = 0, the drift when d + D = 1, 0
    /// otherwise): no ARMA part, zero innovation variance, forecasts that
    /// continue the pattern with zero-width intervals. Its criteria are
    /// undefined (NaN).
    pub(crate) fn exact(spec: ArimaSpec, period: usize, y: &[f64], level: f64) -> FittedArima {
        let nd = spec.d + spec.seasonal_d;
        let delta = differencing_polynomial(spec.d, spec.seasonal_d, period);
        let lag = delta.len() - 1;
        let coefficients = ArimaCoefficients {
            mean: (nd == 0).then_some(level),
            drift: (nd == 1).then_some(level),
            ..ArimaCoefficients::default()
        };
        let n = y.len();
        let beta = |t: usize| match nd {
            0 => level,
            1 => level * (t + 1) as f64,
            _ => 0.0,
        };
        FittedArima {
            spec: ArimaSpec {
                mean: nd == 0,
                drift: nd == 1,
                ..spec
            },
            period,
            coefficients,
            sigma2: 0.0,
            loglik: f64::NAN,
            aic: f64::NAN,
            aicc: f64::NAN,
            bic: f64::NAN,
            n_used: n - lag.min(n),
            n,
            state: vec![0.0],
            tail: (n - lag.min(n)..n).map(|t| y[t] - beta(t)).collect(),
        }
    }

    /// The model as R prints it, with the season length: `ARIMA(0,1,1)(0,1,1)[12]`.
    pub fn name(&self) -> String {
        let s = self.spec;
        let mut out = format!("ARIMA({},{},{})", s.p, s.d, s.q);
        if s.has_seasonal() {
            out += &format!(
                "({},{},{})[{}]",
                s.seasonal_p, s.seasonal_d, s.seasonal_q, self.period
            );
        }
        if self.coefficients.drift.is_some() {
            out += " with drift";
        } else if self.coefficients.mean.is_some() {
            out += " with non-zero mean";
        }
        out
    }

    /// Forecasts `h` steps with intervals at `levels`; a model with the
    /// user's regressors needs [`predict_with_regressors`](Self::predict_with_regressors).
    pub fn predict(&self, h: usize, levels: &[f64]) -> Result<Forecast> {
        self.predict_with_regressors(h, levels, &[])
    }

    /// Forecasts with the user's regressors' future values (one column per
    /// regressor, `h` values each).
    pub fn predict_with_regressors(
        &self,
        h: usize,
        levels: &[f64],
        future: &[Vec<f64>],
    ) -> Result<Forecast> {
        check_levels(levels)?;
        let c = &self.coefficients;
        if future.len() != c.regressors.len() || future.iter().any(|f| f.len() != h) {
            return Err(Error::InvalidParameter {
                name: "future regressors",
                reason: format!(
                    "the model has {} regressors: give each {h} future values",
                    c.regressors.len()
                ),
            });
        }
        let m = self.period;
        let phi = expand(&c.ar, &c.seasonal_ar, m, false);
        let theta = expand(&c.ma, &c.seasonal_ma, m, true);
        let w = kalman::forecast_from(&self.state, &phi, &theta, h);
        let delta = differencing_polynomial(self.spec.d, self.spec.seasonal_d, m);
        let mut u = self.tail.clone();
        let lag = u.len();
        for wh in &w {
            let t = u.len();
            let past: f64 = (1..=lag).map(|k| delta[k] * u[t - k]).sum();
            u.push(wh - past);
        }
        let mean: Vec<f64> = (0..h)
            .map(|j| {
                let t = (self.n + j + 1) as f64;
                let mut v = u[lag + j] + c.mean.unwrap_or(0.0) + c.drift.map_or(0.0, |d| d * t);
                for (col, b) in future.iter().zip(&c.regressors) {
                    v += b * col[j];
                }
                v
            })
            .collect();
        // ψ weights of θ(B)Θ(B^m) / (φ(B)Φ(B^m)Δ(B))
        let mut ar_side = vec![1.0];
        ar_side.extend(phi.iter().map(|v| -v));
        let full: Vec<f64> = {
            let mut out = vec![0.0; ar_side.len() + delta.len() - 1];
            for (i, a) in ar_side.iter().enumerate() {
                for (j, d) in delta.iter().enumerate() {
                    out[i + j] += a * d;
                }
            }
            out
        };
        let mut psi = vec![0.0; h];
        psi[0] = 1.0;
        for j in 1..h {
            let mut v = theta.get(j - 1).copied().unwrap_or(0.0);
            for i in 1..=j.min(full.len() - 1) {
                v -= full[i] * psi[j - i];
            }
            psi[j] = v;
        }
        let mut var = Vec::with_capacity(h);
        let mut acc = 0.0;
        for p in &psi {
            acc += p * p;
            var.push(self.sigma2 * acc);
        }
        let intervals = levels
            .iter()
            .map(|level| {
                let z = normal_quantile(0.5 + level / 200.0)?;
                Ok(Interval {
                    level: *level,
                    lower: mean
                        .iter()
                        .zip(&var)
                        .map(|(m, v)| m - z * v.sqrt())
                        .collect(),
                    upper: mean
                        .iter()
                        .zip(&var)
                        .map(|(m, v)| m + z * v.sqrt())
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Forecast { mean, intervals })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polynomials_expand_as_r_does() {
        // (1 − 0.5B)(1 − 0.3B^4): φ = 0.5 at 1, 0.3 at 4, −0.15 at 5
        let phi = expand(&[0.5], &[0.3], 4, false);
        assert_eq!(phi.len(), 5);
        assert!((phi[0] - 0.5).abs() < 1e-12 && (phi[3] - 0.3).abs() < 1e-12);
        assert!((phi[4] + 0.15).abs() < 1e-12);
        // (1 + 0.4B)(1 + 0.6B^4): θ at 5 = 0.24
        let theta = expand(&[0.4], &[0.6], 4, true);
        assert!((theta[4] - 0.24).abs() < 1e-12);
        assert_eq!(
            differencing_polynomial(1, 1, 4),
            [1.0, -1.0, 0.0, 0.0, -1.0, 1.0]
        );
    }

    #[test]
    fn a_random_walk_forecasts_flat_with_growing_variance() {
        let y: Vec<f64> = (0..60)
            .map(|t| 50.0 + ((t * 37) % 11) as f64 - 5.0 + t as f64 * 0.0)
            .collect();
        let fit = Arima::new(ArimaSpec::new(0, 1, 0), 1)
            .unwrap()
            .fit(&y)
            .unwrap();
        let f = fit.predict(3, &[95.0]).unwrap();
        for v in &f.mean {
            assert!((v - y[59]).abs() < 1e-9);
        }
        let w = |j: usize| f.intervals[0].upper[j] - f.mean[j];
        assert!((w(1) / w(0) - 2f64.sqrt()).abs() < 1e-9);
        // σ² = mean squared difference
        let d: Vec<f64> = y.windows(2).map(|p| p[1] - p[0]).collect();
        let s2 = d.iter().map(|v| v * v).sum::<f64>() / d.len() as f64;
        assert!((fit.sigma2 - s2).abs() < 1e-9);
    }

    #[test]
    fn too_short_and_bad_orders_are_errors() {
        let arima = Arima::new(ArimaSpec::new(2, 1, 2), 1).unwrap();
        assert!(matches!(
            arima.fit(&[1.0, 2.0, 3.0]),
            Err(Error::TooShort { .. })
        ));
        assert!(Arima::new(ArimaSpec::new(0, 0, 0).seasonal(1, 0, 0), 1).is_err());
        let drift = Arima::new(ArimaSpec::new(0, 2, 1).with_drift(true), 1).unwrap();
        let y: Vec<f64> = (0..30).map(|t| (t * t) as f64).collect();
        assert!(drift.fit(&y).is_err());
        // a pure trend and season: differencing leaves zeros
        let exact: Vec<f64> = (0..40).map(|t| t as f64 + [3.0, -3.0][t % 2]).collect();
        let airline = Arima::new(ArimaSpec::new(0, 1, 1).seasonal(0, 1, 1), 2).unwrap();
        let e = airline.fit(&exact).unwrap_err().to_string();
        assert!(e.contains("exactly 0"), "{e}");
    }
}
