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

impl Structure {
    pub fn n_states(&self) -> usize {
        1 + usize::from(self.spec.has_trend()) + if self.spec.has_season() { self.m } else { 0 }
    }

    /// One-step trend part q and the carried trend τ.
    #[inline(always)]
    fn trend_parts(&self, l: f64, b: f64, phi: f64) -> Option<(f64, f64)> {
        match self.spec.trend {
            Component::None => Some((l, 0.0)),
            Component::Additive => {
                let tau = phi * b;
                Some((l + tau, tau))
            }
            Component::Multiplicative => {
                if b < 0.0 {
                    return None;
                }
                let tau = if phi == 1.0 { b } else { b.powf(phi) };
                Some((l * tau, tau))
            }
        }
    }

    /// The one-step forecast ŷ from level l, slope b and the seasonal s that
    /// serves this observation; also the trend part q and carried trend τ.
    #[inline(always)]
    pub fn one_step(&self, l: f64, b: f64, s: f64, phi: f64) -> Option<(f64, f64, f64)> {
        let (q, tau) = self.trend_parts(l, b, phi)?;
        let yhat = match self.spec.season {
            Component::None => q,
            Component::Additive => q + s,
            Component::Multiplicative => q * s,
        };
        Some((yhat, q, tau))
    }

    /// The state update after observing y: new level, slope and seasonal.
    #[inline(always)]
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
        let p = match self.spec.season {
            Component::None => y,
            Component::Additive => y - s,
            Component::Multiplicative => {
                if s.abs() < TOL {
                    HUGE
                } else {
                    y / s
                }
            }
        };
        let l_new = q + sm.alpha * (p - q);
        let b_new = match self.spec.trend {
            Component::None => b,
            Component::Additive => tau + sm.beta / sm.alpha * (l_new - l - tau),
            Component::Multiplicative => {
                let r = if l.abs() < TOL { HUGE } else { l_new / l };
                tau + sm.beta / sm.alpha * (r - tau)
            }
        };
        let s_new = match self.spec.season {
            Component::None => s,
            Component::Additive => s + sm.gamma * (y - q - s),
            Component::Multiplicative => {
                let u = if q.abs() < TOL { HUGE } else { y / q };
                s + sm.gamma * (u - s)
            }
        };
        (l_new, b_new, s_new)
    }

    /// Runs the filter from initial states `x0` = (l, [b], [s_0 … s_{m−1}],
    /// seasonals newest first). Returns `None` when the recursion breaks
    /// down (negative multiplicative slope), which the likelihood treats as
    /// infeasible. With `out`, fitted values, residuals, final states and
    /// multi-step errors are recorded.
    pub fn pass(
        &self,
        sm: &Smoothing,
        x0: &[f64],
        y: &[f64],
        ws: &mut Workspace,
        mut out: Option<&mut PassOutput>,
        nmse: usize,
    ) -> Option<PassSums> {
        let spec = self.spec;
        let seasonal = spec.has_season();
        let m = if seasonal { self.m } else { 1 };
        let mut l = x0[0];
        let mut b = if spec.has_trend() { x0[1] } else { 0.0 };
        let s_off = 1 + usize::from(spec.has_trend());
        ws.ring.clear();
        if seasonal {
            // ring[j] is the seasonal used for observation j (0-based): s_{m-1-j}
            ws.ring.extend((0..m).map(|j| x0[s_off + m - 1 - j]));
        } else {
            ws.ring.push(match spec.season {
                Component::Multiplicative => 1.0,
                _ => 0.0,
            });
        }
        let phi = sm.phi;
        let mult_err = spec.error == Component::Multiplicative;
        let mut sse = 0.0;
        let mut sse_raw = 0.0;
        let mut sum_abs = 0.0;
        let mut log_acc = 0.0;
        let mut prod = 1.0;
        let mut k = 0usize;
        let mut amse_sum = vec![0.0; if out.is_some() { nmse } else { 0 }];
        let mut amse_cnt = vec![0usize; amse_sum.len()];
        if let Some(o) = out.as_deref_mut() {
            o.fitted.clear();
            o.residuals.clear();
        }
        for (t, &yt) in y.iter().enumerate() {
            let s = ws.ring[k];
            let (yhat, q, tau) = self.one_step(l, b, s, phi)?;
            let raw = yt - yhat;
            let e = if mult_err { raw / yhat } else { raw };
            sse += e * e;
            sse_raw += raw * raw;
            sum_abs += e.abs();
            if mult_err {
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
                        let d = y[t + j] - self.forecast_one(l, b, phi, &ws.ring, k, j + 1);
                        *acc += d * d;
                        *cnt += 1;
                    }
                }
            }
            let (l_new, b_new, s_new) = self.update(sm, l, b, s, q, tau, yt);
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
        if mult_err {
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
