//! Parameter regions: the "usual" box and the "admissible" (forecastable)
//! region of Hyndman et al. (2008, ch. 10), with the checks R's `ets()`
//! applies (`check.param` and `admissible` in forecast 8.20).

use serde::{Deserialize, Serialize};

use super::filter::Smoothing;

/// Which parameter region restricts the estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Bounds {
    /// 0 < β ≤ α < 1, 0 < γ ≤ 1 − α, 0.8 ≤ φ ≤ 0.98 (within the box below).
    Usual,
    /// The region where forecasts stay bounded (no box).
    Admissible,
    /// Both (R's default).
    #[default]
    Both,
}

/// Lower and upper limits of (α, β, γ, φ) for the usual region.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParameterBox {
    pub lower: [f64; 4],
    pub upper: [f64; 4],
}

impl Default for ParameterBox {
    /// R's defaults: (1e-4, 1e-4, 1e-4, 0.8) to (0.9999, 0.9999, 0.9999, 0.98).
    fn default() -> Self {
        ParameterBox {
            lower: [1e-4, 1e-4, 1e-4, 0.8],
            upper: [0.9999, 0.9999, 0.9999, 0.98],
        }
    }
}

impl ParameterBox {
    /// R's box with the trend smoothing parameter β capped at 0.2: the
    /// default of [`AutoEts`](super::AutoEts). statsforecast's `AutoETS`
    /// ends up with this cap by a side effect of its start values; here it
    /// is deliberate and measured (see BENCHMARKS.md).
    ///
    /// ```
    /// use salesplan::forecast::models::ets::ParameterBox;
    /// assert_eq!(ParameterBox::trend_capped().upper[1], 0.2);
    /// ```
    pub fn trend_capped() -> ParameterBox {
        let mut b = ParameterBox::default();
        b.upper[1] = 0.2;
        b
    }
}

/// Which parameters are being estimated (the usual box applies only to those).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Estimated {
    pub alpha: bool,
    pub beta: bool,
    pub gamma: bool,
    pub phi: bool,
}

/// R's `check.param`: the usual box for estimated parameters, then admissibility.
pub(crate) fn check(
    sm: &Smoothing,
    est: &Estimated,
    has_trend: bool,
    seasonal_m: Option<usize>,
    bounds: Bounds,
    pbox: &ParameterBox,
) -> bool {
    let (lo, up) = (&pbox.lower, &pbox.upper);
    if bounds != Bounds::Admissible {
        if est.alpha && (sm.alpha < lo[0] || sm.alpha > up[0]) {
            return false;
        }
        if est.beta && (sm.beta < lo[1] || sm.beta > sm.alpha || sm.beta > up[1]) {
            return false;
        }
        if est.phi && (sm.phi < lo[3] || sm.phi > up[3]) {
            return false;
        }
        if est.gamma && (sm.gamma < lo[2] || sm.gamma > 1.0 - sm.alpha || sm.gamma > up[2]) {
            return false;
        }
    }
    if bounds != Bounds::Usual {
        return admissible(sm, has_trend, seasonal_m);
    }
    true
}

/// The admissible region (HKOS ch. 10) as R tests it: easy inequalities
/// first, then all roots of the characteristic polynomial within
/// 1 + 1e-10 of the unit circle, decided here by the Schur–Cohn test
/// instead of computing the roots.
pub(crate) fn admissible(sm: &Smoothing, has_trend: bool, seasonal_m: Option<usize>) -> bool {
    let Smoothing {
        alpha, gamma, phi, ..
    } = *sm;
    let beta = if has_trend { sm.beta } else { 0.0 };
    if !(0.0..=1.0 + 1e-8).contains(&phi) {
        return false;
    }
    match seasonal_m {
        None => {
            if alpha < 1.0 - 1.0 / phi || alpha > 1.0 + 1.0 / phi {
                return false;
            }
            if has_trend && (beta < alpha * (phi - 1.0) || beta > (1.0 + phi) * (2.0 - alpha)) {
                return false;
            }
            true
        }
        Some(m) => {
            let mf = m as f64;
            if gamma < (1.0 - 1.0 / phi - alpha).max(0.0) || gamma > 1.0 + 1.0 / phi - alpha {
                return false;
            }
            if alpha < 1.0 - 1.0 / phi - gamma * (1.0 - mf + phi + phi * mf) / (2.0 * phi * mf) {
                return false;
            }
            if beta < -(1.0 - phi) * (gamma / mf + alpha) {
                return false;
            }
            // P(z) = φ(1−α−γ) + (α+β−αφ+γ−1) z + (α+β−αφ)(z² … z^{m−1}) + (α+β−φ) z^m + z^{m+1}
            let mut stack = [0.0; 32];
            let mut heap = Vec::new();
            let coef: &mut [f64] = if m + 2 <= stack.len() {
                &mut stack[..m + 2]
            } else {
                heap.resize(m + 2, 0.0);
                &mut heap
            };
            coef.fill(alpha + beta - alpha * phi);
            coef[0] = phi * (1.0 - alpha - gamma);
            coef[1] = alpha + beta - alpha * phi + gamma - 1.0;
            coef[m] = alpha + beta - phi;
            coef[m + 1] = 1.0;
            roots_within(coef, 1.0 + 1e-10)
        }
    }
}

/// Whether every root of Σ c_k z^k (c in increasing powers) has modulus
/// ≤ `radius`, by the Schur–Cohn recursion on the polynomial rescaled to the
/// unit circle (a root exactly on the rescaled circle counts as outside).
/// `coef` is overwritten.
pub(crate) fn roots_within(coef: &mut [f64], radius: f64) -> bool {
    let mut len = coef.len();
    // drop vanishing leading coefficients
    while len > 1 && coef[len - 1] == 0.0 {
        len -= 1;
    }
    // rescale: Q(z) = P(radius·z)
    let mut r = 1.0;
    for c in coef[..len].iter_mut() {
        *c *= r;
        r *= radius;
    }
    let mut stack = [0.0; 32];
    let mut heap = Vec::new();
    let other: &mut [f64] = if len <= stack.len() {
        &mut stack[..len]
    } else {
        heap.resize(len, 0.0);
        &mut heap
    };
    let mut cur: &mut [f64] = &mut coef[..len];
    let mut next: &mut [f64] = other;
    let mut deg = len - 1;
    while deg > 0 {
        let a0 = cur[0];
        let an = cur[deg];
        if a0.abs() >= an.abs() {
            // a root on or outside the rescaled circle: beyond the original radius
            return false;
        }
        // q(z) = (an·p(z) − a0·p*(z)) / z, degree deg − 1:
        // new[k] = an·old[k + 1] − a0·old[deg − 1 − k]
        let src = &cur[..=deg];
        for (k, v) in next[..deg].iter_mut().enumerate() {
            *v = an * src[k + 1] - a0 * src[deg - 1 - k];
        }
        // the new leading coefficient an² − a0² is positive; rescale by it
        // only when magnitudes drift out of range (rare)
        let lead = next[deg - 1];
        if !lead.is_finite() {
            return false;
        }
        if !(1e-150..=1e150).contains(&lead.abs()) {
            let inv = 1.0 / lead.abs();
            for v in next[..deg].iter_mut() {
                *v *= inv;
            }
        }
        std::mem::swap(&mut cur, &mut next);
        deg -= 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Largest root modulus by Durand–Kerner, for checking the Schur–Cohn verdict.
    fn max_root_modulus(c: &[f64]) -> f64 {
        let n = c.len() - 1;
        let lead = c[n];
        let mut z: Vec<(f64, f64)> = (0..n)
            .map(|k| {
                let a = 0.4 + 0.9 * k as f64;
                (0.9 * a.cos(), 0.9 * a.sin())
            })
            .collect();
        let mul = |a: (f64, f64), b: (f64, f64)| (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0);
        for _ in 0..2000 {
            for i in 0..n {
                let mut p = (c[n] / lead, 0.0);
                for k in (0..n).rev() {
                    p = mul(p, z[i]);
                    p.0 += c[k] / lead;
                }
                let mut d = (1.0, 0.0);
                for j in 0..n {
                    if j != i {
                        d = mul(d, (z[i].0 - z[j].0, z[i].1 - z[j].1));
                    }
                }
                let den = d.0 * d.0 + d.1 * d.1;
                let q = ((p.0 * d.0 + p.1 * d.1) / den, (p.1 * d.0 - p.0 * d.1) / den);
                z[i] = (z[i].0 - q.0, z[i].1 - q.1);
            }
        }
        z.iter().map(|v| v.0.hypot(v.1)).fold(0.0, f64::max)
    }

    #[test]
    fn schur_cohn_agrees_with_roots() {
        let mut checked = 0;
        let mut seed = 7u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for m in [4usize, 12] {
            for _ in 0..300 {
                let alpha = rnd();
                let beta = rnd() * alpha;
                let gamma = rnd() * 1.5;
                let phi = 0.7 + 0.3 * rnd();
                let mut coef = vec![alpha + beta - alpha * phi; m + 2];
                coef[0] = phi * (1.0 - alpha - gamma);
                coef[1] = alpha + beta - alpha * phi + gamma - 1.0;
                coef[m] = alpha + beta - phi;
                coef[m + 1] = 1.0;
                let modulus = max_root_modulus(&coef);
                if (modulus - 1.0).abs() < 1e-6 {
                    continue; // too close to call numerically
                }
                let verdict = roots_within(&mut coef.clone(), 1.0 + 1e-10);
                assert_eq!(
                    verdict,
                    modulus < 1.0,
                    "m={m} a={alpha} b={beta} g={gamma} p={phi} |z|={modulus}"
                );
                checked += 1;
            }
        }
        assert!(checked > 500);
    }

    #[test]
    fn usual_box_limits_beta_by_alpha() {
        let est = Estimated {
            alpha: true,
            beta: true,
            gamma: false,
            phi: false,
        };
        let ok = Smoothing {
            alpha: 0.3,
            beta: 0.2,
            gamma: 0.0,
            phi: 1.0,
        };
        let bad = Smoothing { beta: 0.4, ..ok };
        let pbox = ParameterBox::default();
        assert!(check(&ok, &est, true, None, Bounds::Both, &pbox));
        assert!(!check(&bad, &est, true, None, Bounds::Both, &pbox));
    }
}
