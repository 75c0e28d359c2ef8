//! The ETS recursions, written in terms of y as R's `etscalc` does: one
//! update serves all 30 forms, the error type only changes the residual and
//! the likelihood (Hyndman et al. 2008, ch. 2; see `../shared/research/ets.md` §1).
//!
//! Seasonal states live in a ring buffer, so a step costs O(1) whatever the
//! season length.

use super::spec::{Component, EtsSpec};

/// Guard used by R for divisions by (near) zero.
const TOL: f64 = 1e-10;
const HUGE: f64 = 1e10;

/// Smoothing parameters with defaults filled in: β = 0 without trend,
/// γ = 0 without season, φ = 1 without damping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Smoothing {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

/// A model form and its season length: everything the recursions need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Structure {
    pub spec: EtsSpec,
    /// Season length (1 for non-seasonal forms).
    pub m: usize,
}

/// Reusable buffers for the filter.
#[derive(Debug, Default, Clone)]
pub(crate) struct Workspace {
    ring: Vec<f64>,
}

/// What a full pass yields besides the objective.
#[derive(Debug, Clone, Default)]
pub(crate) struct PassOutput {
    pub fitted: Vec<f64>,
    pub residuals: Vec<f64>,
    /// Final level, slope and seasonals (newest first).
    pub level: f64,
    pub slope: f64,
    pub seasonal: Vec<f64>,
    /// In-sample k-step mean squared raw errors, k = 1..=nmse.
    pub amse: Vec<f64>,
}

/// Sums accumulated along a pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PassSums {
    /// Σ e² (e relative for multiplicative error).
    pub sse: f64,
    /// Σ log|ŷ|.
    pub sum_log_fitted: f64,
    /// Σ (y − ŷ)².
    pub sse_raw: f64,
    /// Σ |e|.
    pub sum_abs: f64,
    pub n: usize,
}

impl PassSums {
    /// R's −2·loglik without constants: n·log Σe² (+ 2 Σ log|ŷ| for M error).
    pub fn lik(&self, spec: &EtsSpec) -> f64 {
        let mut lik = self.n as f64 * self.sse.ln();
        if spec.error == Component::Multiplicative {
            lik += 2.0 * self.sum_log_fitted;
        }
        if lik.is_nan() {
            f64::INFINITY
        } else {
            lik.max(-1e10)
        }
    }
}

/// Component codes for the monomorphised loops.
const N: u8 = 0;
const A: u8 = 1;
const M: u8 = 2;

fn code(c: Component) -> u8 {
    match c {
        Component::None => N,
        Component::Additive => A,
        Component::Multiplicative => M,
    }
}

/// Smoothing coefficients as the update uses them.
#[derive(Clone, Copy)]
struct Coefficients {
    alpha: f64,
    beta_over_alpha: f64,
    gamma: f64,
}

impl Coefficients {
    #[inline(always)]
    fn new(sm: &Smoothing) -> Coefficients {
        Coefficients {
            alpha: sm.alpha,
            beta_over_alpha: sm.beta / sm.alpha,
            gamma: sm.gamma,
        }
    }
}

/// ŷ, the trend part q and the carried trend τ (R's `forecast` for one step).
#[inline(always)]
fn one_step<const T: u8, const S: u8>(l: f64, b: f64, s: f64, phi: f64) -> Option<(f64, f64, f64)> {
    let (q, tau) = match T {
        N => (l, 0.0),
        A => {
            let tau = phi * b;
            (l + tau, tau)
        }
        _ => {
            if b < 0.0 {
                return None;
            }
            let tau = if phi == 1.0 { b } else { b.powf(phi) };
            (l * tau, tau)
        }
    };
    let yhat = match S {
        N => q,
        A => q + s,
        _ => q * s,
    };
    Some((yhat, q, tau))
}

/// R's `update`: new level, slope and seasonal after observing y.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn update<const T: u8, const S: u8>(
    k: &Coefficients,
    l: f64,
    b: f64,
    s: f64,
    q: f64,
    tau: f64,
    y: f64,
) -> (f64, f64, f64) {
    let p = match S {
        N => y,
        A => y - s,
        _ => {
            if s.abs() < TOL {
                HUGE
            } else {
                y / s
            }
        }
    };
    let l_new = q + k.alpha * (p - q);
    let b_new = match T {
        N => b,
        A => tau + k.beta_over_alpha * (l_new - l - tau),
        _ => {
            let r = if l.abs() < TOL { HUGE } else { l_new / l };
            tau + k.beta_over_alpha * (r - tau)
        }
    };
    let s_new = match S {
        N => s,
        A => s + k.gamma * (y - q - s),
        _ => {
            let u = if q.abs() < TOL { HUGE } else { y / q };
            s + k.gamma * (u - s)
        }
    };
    (l_new, b_new, s_new)
}

/// The filter loop for one model form; see [`Structure::pass`].
#[inline(never)]
fn pass<const E: u8, const T: u8, const S: u8>(
    st: &Structure,
    sm: &Smoothing,
    x0: &[f64],
    y: &[f64],
    ws: &mut Workspace,
    mut out: Option<&mut PassOutput>,
    nmse: usize,
) -> Option<PassSums> {
    let seasonal = S != N;
    let m = if seasonal { st.m } else { 1 };
    let mut l = x0[0];
    let mut b = if T != N { x0[1] } else { 0.0 };
    let s_off = 1 + usize::from(T != N);
    ws.ring.clear();
    if seasonal {
        // ring[j] serves observation j (0-based): s_{m-1-j}
        ws.ring.extend((0..m).map(|j| x0[s_off + m - 1 - j]));
    } else {
        ws.ring.push(if S == M { 1.0 } else { 0.0 });
    }
    let phi = sm.phi;
    let coef = Coefficients::new(sm);
    let (mut sse, mut sse_raw, mut sum_abs, mut log_acc, mut prod) = (0.0, 0.0, 0.0, 0.0, 1.0);
    let mut k = 0usize;
    let record = out.is_some();
    let mut amse_sum = vec![0.0; if record { nmse } else { 0 }];
    let mut amse_cnt = vec![0usize; amse_sum.len()];
    if let Some(o) = out.as_deref_mut() {
        o.fitted.clear();
        o.residuals.clear();
    }
    for (t, &yt) in y.iter().enumerate() {
        let s = ws.ring[k];
        let (yhat, q, tau) = one_step::<T, S>(l, b, s, phi)?;
        let raw = yt - yhat;
        let e = if E == M { raw / yhat } else { raw };
        sse += e * e;
        sse_raw += raw * raw;
        sum_abs += e.abs();
        if E == M {
            prod *= yhat.abs();
            if !(1e-100..=1e100).contains(&prod) {
                log_acc += prod.ln();
                prod = 1.0;
            }
        }
        if let Some(o) = out.as_deref_mut() {
            o.fitted.push(yhat);
            o.residuals.push(e);
            // multi-step forecasts from the state before observation t
            for (j, (acc, cnt)) in amse_sum.iter_mut().zip(&mut amse_cnt).enumerate() {
                if t + j < y.len() {
                    let d = y[t + j] - st.forecast_one(l, b, phi, &ws.ring, k, j + 1);
                    *acc += d * d;
                    *cnt += 1;
                }
            }
        }
        let (l_new, b_new, s_new) = update::<T, S>(&coef, l, b, s, q, tau, yt);
        if seasonal {
            ws.ring[k] = s_new;
            k += 1;
            if k == m {
                k = 0;
            }
        }
        l = l_new;
        b = b_new;
    }
    if E == M {
        log_acc += prod.ln();
    }
    if let Some(o) = out {
        o.level = l;
        o.slope = b;
        o.seasonal.clear();
        if seasonal {
            // newest first: the one written last sits just before k
            o.seasonal
                .extend((0..m).map(|j| ws.ring[(k + 2 * m - 1 - j) % m]));
        }
        o.amse = amse_sum
            .iter()
            .zip(&amse_cnt)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
            .collect();
    }
    Some(PassSums {
        sse,
        sum_log_fitted: log_acc,
        sse_raw,
        sum_abs,
        n: y.len(),
    })
}

impl Structure {
    pub fn n_states(&self) -> usize {
        1 + usize::from(self.spec.has_trend()) + if self.spec.has_season() { self.m } else { 0 }
    }

    /// The one-step forecast ŷ from level l, slope b and the seasonal s that
    /// serves this observation; also the trend part q and carried trend τ.
    /// `None` when a multiplicative slope turns negative.
    #[inline]
    pub fn one_step(&self, l: f64, b: f64, s: f64, phi: f64) -> Option<(f64, f64, f64)> {
        match (code(self.spec.trend), code(self.spec.season)) {
            (N, N) => one_step::<N, N>(l, b, s, phi),
            (N, A) => one_step::<N, A>(l, b, s, phi),
            (N, _) => one_step::<N, M>(l, b, s, phi),
            (A, N) => one_step::<A, N>(l, b, s, phi),
            (A, A) => one_step::<A, A>(l, b, s, phi),
            (A, _) => one_step::<A, M>(l, b, s, phi),
            (_, N) => one_step::<M, N>(l, b, s, phi),
            (_, A) => one_step::<M, A>(l, b, s, phi),
            (_, _) => one_step::<M, M>(l, b, s, phi),
        }
    }

    /// The state update after observing y: new level, slope and seasonal.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &self,
        sm: &Smoothing,
        l: f64,
        b: f64,
        s: f64,
        q: f64,
        tau: f64,
        y: f64,
    ) -> (f64, f64, f64) {
        let k = Coefficients::new(sm);
        match (code(self.spec.trend), code(self.spec.season)) {
            (N, N) => update::<N, N>(&k, l, b, s, q, tau, y),
            (N, A) => update::<N, A>(&k, l, b, s, q, tau, y),
            (N, _) => update::<N, M>(&k, l, b, s, q, tau, y),
            (A, N) => update::<A, N>(&k, l, b, s, q, tau, y),
            (A, A) => update::<A, A>(&k, l, b, s, q, tau, y),
            (A, _) => update::<A, M>(&k, l, b, s, q, tau, y),
            (_, N) => update::<M, N>(&k, l, b, s, q, tau, y),
            (_, A) => update::<M, A>(&k, l, b, s, q, tau, y),
            (_, _) => update::<M, M>(&k, l, b, s, q, tau, y),
        }
    }

    /// Runs the filter from initial states `x0` = (l, [b], [s_0 … s_{m−1}],
    /// seasonals newest first). Returns `None` when the recursion breaks
    /// down (negative multiplicative slope), which the likelihood treats as
    /// infeasible. With `out`, fitted values, residuals, final states and
    /// multi-step errors are recorded.
    ///
    /// Each (error, trend, season) combination runs its own monomorphised
    /// loop, free of branches on the model form.
    pub fn pass(
        &self,
        sm: &Smoothing,
        x0: &[f64],
        y: &[f64],
        ws: &mut Workspace,
        out: Option<&mut PassOutput>,
        nmse: usize,
    ) -> Option<PassSums> {
        macro_rules! dispatch {
            ($(($e:ident, $t:ident, $s:ident)),*) => {
                match (code(self.spec.error), code(self.spec.trend), code(self.spec.season)) {
                    $(($e, $t, $s) => pass::<$e, $t, $s>(self, sm, x0, y, ws, out, nmse),)*
                    _ => None,
                }
            };
        }
        dispatch!(
            (A, N, N),
            (A, N, A),
            (A, N, M),
            (A, A, N),
            (A, A, A),
            (A, A, M),
            (A, M, N),
            (A, M, A),
            (A, M, M),
            (M, N, N),
            (M, N, A),
            (M, N, M),
            (M, A, N),
            (M, A, A),
            (M, A, M),
            (M, M, N),
            (M, M, A),
            (M, M, M)
        )
    }

    /// The h-step point forecast from level l, slope b, and the seasonal
    /// ring positioned so that `ring[k]` serves the next observation.
    #[inline]
    pub fn forecast_one(&self, l: f64, b: f64, phi: f64, ring: &[f64], k: usize, h: usize) -> f64 {
        let phi_h = damped_sum(phi, h);
        let trend = match self.spec.trend {
            Component::None => l,
            Component::Additive => l + phi_h * b,
            Component::Multiplicative => {
                if b < 0.0 {
                    f64::NAN
                } else {
                    l * b.powf(phi_h)
                }
            }
        };
        match self.spec.season {
            Component::None => trend,
            Component::Additive => trend + ring[(k + h - 1) % ring.len()],
            Component::Multiplicative => trend * ring[(k + h - 1) % ring.len()],
        }
    }

    /// Point forecasts for h = 1..=horizon from a final state (seasonals newest first).
    pub fn forecast(
        &self,
        sm: &Smoothing,
        level: f64,
        slope: f64,
        seasonal: &[f64],
        horizon: usize,
    ) -> Vec<f64> {
        // ring positioned so that index 0 serves the next observation: the
        // oldest seasonal, s_{m-1}
        let ring: Vec<f64> = if seasonal.is_empty() {
            vec![0.0]
        } else {
            seasonal.iter().rev().copied().collect()
        };
        (1..=horizon)
            .map(|h| self.forecast_one(level, slope, sm.phi, &ring, 0, h))
            .collect()
    }
}

/// φ + φ² + … + φ^h (h when φ = 1).
#[inline]
pub(crate) fn damped_sum(phi: f64, h: usize) -> f64 {
    if phi == 1.0 {
        h as f64
    } else {
        let mut s = 0.0;
        let mut p = 1.0;
        for _ in 0..h {
            p *= phi;
            s += p;
        }
        s
    }
}
