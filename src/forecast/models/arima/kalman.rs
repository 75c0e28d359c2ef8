//! The exact Gaussian likelihood of a stationary ARMA series by the Kalman
//! filter, and the conditional sum of squares that starts it.
//!
//! The state-space form is Harvey's (1989, §3.3), as R's `makeARIMA`
//! builds it: a state of r = max(p, q + 1) elements, the transition T with
//! the AR coefficients in its first column and ones above the diagonal,
//! the disturbance R = (1, θ₁, …, θ_{r−1})′ and the observation the first
//! element. The filter starts from the stationary state covariance P₀,
//! the solution of P₀ = T P₀ T′ + R R′ (here by doubling:
//! P₀ = Σ_j T^j R R′ T′^j, two terms more each step), all in units of the
//! innovation variance, which is concentrated out:
//! −2 log L = n log(2π σ̂²) + Σ log F_t + n, σ̂² = Σ v_t²/F_t / n
//! (Gardner, Harvey & Phillips 1980; R: `ARIMA_Like`).
//!
//! ```
//! use salesplan::forecast::models::arima::kalman::filter;
//! // white noise: every prediction variance is 1, every innovation the value
//! let w = [0.5, -1.0, 2.0];
//! let f = filter(&w, &[], &[]).unwrap();
//! assert!((f.ssq - 5.25).abs() < 1e-12 && f.sumlog.abs() < 1e-12);
//! ```

/// The filter's sums and its final state.
#[derive(Debug, Clone)]
pub struct Filtered {
    /// Σ v_t² / F_t.
    pub ssq: f64,
    /// Σ log F_t.
    pub sumlog: f64,
    /// Observations used.
    pub used: usize,
    /// The state after the last observation (r elements).
    pub state: Vec<f64>,
}

impl Filtered {
    /// The objective R's `arima` minimises: ½(log σ̂² + Σ log F_t / n),
    /// σ̂² = Σ v_t²/F_t / n.
    pub fn concentrated(&self) -> f64 {
        let n = self.used as f64;
        0.5 * ((self.ssq / n).ln() + self.sumlog / n)
    }

    /// −2 log L = 2n·(the concentrated objective) + n + n log 2π.
    pub fn minus_two_log_likelihood(&self) -> f64 {
        let n = self.used as f64;
        2.0 * n * self.concentrated() + n + n * (2.0 * std::f64::consts::PI).ln()
    }
}

/// The state dimension and the coefficients padded to it.
fn padded(phi: &[f64], theta: &[f64]) -> (usize, Vec<f64>, Vec<f64>) {
    let r = phi.len().max(theta.len() + 1);
    let mut p = phi.to_vec();
    p.resize(r, 0.0);
    // R = (1, θ₁, …): element i of the disturbance loading
    let mut load = vec![1.0];
    load.extend_from_slice(theta);
    load.resize(r, 0.0);
    (r, p, load)
}

/// T·M for the companion transition (first column φ, ones above the
/// diagonal), M r × r row-major: (T M)ᵢⱼ = φᵢ M₀ⱼ + M₍ᵢ₊₁₎ⱼ.
fn t_times(phi: &[f64], m: &[f64], r: usize, out: &mut [f64]) {
    for i in 0..r {
        for j in 0..r {
            let below = if i + 1 < r { m[(i + 1) * r + j] } else { 0.0 };
            out[i * r + j] = phi[i] * m[j] + below;
        }
    }
}

/// M·T′: (M T′)ᵢⱼ = Mᵢ₀ φⱼ + Mᵢ₍ⱼ₊₁₎.
fn times_t_transposed(phi: &[f64], m: &[f64], r: usize, out: &mut [f64]) {
    for i in 0..r {
        for j in 0..r {
            let right = if j + 1 < r { m[i * r + j + 1] } else { 0.0 };
            out[i * r + j] = m[i * r] * phi[j] + right;
        }
    }
}

/// out = a · b for r × r row-major matrices, rows of `a` scanned for
/// non-zeros.
fn multiply(a: &[f64], b: &[f64], r: usize, out: &mut [f64]) {
    out.fill(0.0);
    for i in 0..r {
        let o = &mut out[i * r..(i + 1) * r];
        for k in 0..r {
            let x = a[i * r + k];
            if x != 0.0 {
                for (v, y) in o.iter_mut().zip(&b[k * r..(k + 1) * r]) {
                    *v += x * y;
                }
            }
        }
    }
}

fn transpose(a: &[f64], r: usize, out: &mut [f64]) {
    for i in 0..r {
        for j in 0..r {
            out[j * r + i] = a[i * r + j];
        }
    }
}

/// The stationary state covariance P₀ = Σ_j T^j R R′ T′^j by doubling
/// (A ← A², P ← P + A P A′); `None` when it does not settle (an AR part
/// on or outside the unit circle).
pub fn stationary_covariance(phi: &[f64], theta: &[f64]) -> Option<Vec<f64>> {
    let (r, phi, load) = padded(phi, theta);
    let mut p: Vec<f64> = (0..r * r).map(|k| load[k / r] * load[k % r]).collect();
    // A = T as a dense matrix
    let mut a = vec![0.0; r * r];
    for i in 0..r {
        a[i * r] = phi[i];
        if i + 1 < r {
            a[i * r + i + 1] = 1.0;
        }
    }
    let mut ap = vec![0.0; r * r];
    let mut apa = vec![0.0; r * r];
    let mut at = vec![0.0; r * r];
    let mut a2 = vec![0.0; r * r];
    for _ in 0..60 {
        // ap = A P, apa = ap A′, skipping the zeros of the sparse powers
        // of a companion matrix
        transpose(&a, r, &mut at);
        multiply(&a, &p, r, &mut ap);
        multiply(&ap, &at, r, &mut apa);
        let added = apa.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let size = p.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        for (v, d) in p.iter_mut().zip(&apa) {
            *v += d;
        }
        if !size.is_finite() || !added.is_finite() {
            return None;
        }
        if added <= 1e-13 * size {
            return Some(p);
        }
        // A ← A²
        multiply(&a, &a, r, &mut a2);
        std::mem::swap(&mut a, &mut a2);
    }
    None
}

/// Runs the filter over the stationary series `w` with AR coefficients
/// `phi` and MA coefficients `theta` (each in R's sign convention:
/// w_t = Σ φᵢ w_{t−i} + a_t + Σ θⱼ a_{t−j}); `None` when the AR part is
/// not stationary.
pub fn filter(w: &[f64], phi: &[f64], theta: &[f64]) -> Option<Filtered> {
    let p0 = stationary_covariance(phi, theta)?;
    let (r, phi, load) = padded(phi, theta);
    let v: Vec<f64> = (0..r * r).map(|k| load[k / r] * load[k % r]).collect();
    let mut a = vec![0.0; r];
    let mut anew = vec![0.0; r];
    let mut p = vec![0.0; r * r];
    let mut pnew = p0;
    let mut mm = vec![0.0; r * r];
    let (mut ssq, mut sumlog, mut used) = (0.0, 0.0, 0usize);
    for (t, y) in w.iter().enumerate() {
        // prediction (the first from the stationary start: a = 0, P = P₀)
        for i in 0..r {
            let next = if i + 1 < r { a[i + 1] } else { 0.0 };
            anew[i] = next + phi[i] * a[0];
        }
        if t > 0 {
            t_times(&phi, &p, r, &mut mm);
            times_t_transposed(&phi, &mm, r, &mut pnew);
            for (x, add) in pnew.iter_mut().zip(&v) {
                *x += add;
            }
        }
        // update
        let gain = pnew[0];
        let resid = y - anew[0];
        if !(gain.is_finite() && gain > 0.0) {
            return None;
        }
        if gain < 1e4 {
            used += 1;
            ssq += resid * resid / gain;
            sumlog += gain.ln();
        }
        for i in 0..r {
            a[i] = anew[i] + pnew[i * r] * resid / gain;
        }
        for i in 0..r {
            for j in 0..r {
                p[i * r + j] = pnew[i * r + j] - pnew[i * r] * pnew[j * r] / gain;
            }
        }
    }
    Some(Filtered {
        ssq,
        sumlog,
        used,
        state: a,
    })
}

/// The conditional sum of squares: residuals from observation `ncond` on,
/// earlier ones taken as zero (R: `ARIMA_CSS`). Returns (Σ e², count).
pub fn conditional_sum_of_squares(
    w: &[f64],
    phi: &[f64],
    theta: &[f64],
    ncond: usize,
) -> (f64, usize) {
    let mut resid = vec![0.0; w.len()];
    let (mut ssq, mut used) = (0.0, 0usize);
    for l in ncond..w.len() {
        let mut e = w[l];
        for (j, f) in phi.iter().enumerate() {
            e -= f * w[l - j - 1];
        }
        for (j, t) in theta.iter().enumerate().take((l - ncond).min(theta.len())) {
            e -= t * resid[l - j - 1];
        }
        resid[l] = e;
        ssq += e * e;
        used += 1;
    }
    (ssq, used)
}

/// The state `steps` periods on from `state` (no new observations), and
/// the first element at each step: the forecasts of the series.
pub fn forecast_from(state: &[f64], phi: &[f64], theta: &[f64], steps: usize) -> Vec<f64> {
    let (r, phi, _) = padded(phi, theta);
    let mut a = state.to_vec();
    a.resize(r, 0.0);
    let mut out = Vec::with_capacity(steps);
    let mut next = vec![0.0; r];
    for _ in 0..steps {
        for i in 0..r {
            let below = if i + 1 < r { a[i + 1] } else { 0.0 };
            next[i] = below + phi[i] * a[0];
        }
        std::mem::swap(&mut a, &mut next);
        out.push(a[0]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ar1_stationary_variance_is_one_over_one_minus_phi_squared() {
        let p = stationary_covariance(&[0.8], &[]).unwrap();
        assert!((p[0] - 1.0 / (1.0 - 0.64)).abs() < 1e-9, "{p:?}");
        assert!(stationary_covariance(&[1.0], &[]).is_none());
    }

    #[test]
    fn ma1_stationary_covariance() {
        // state (w_t, θ a_t): var w = 1 + θ², cov = θ, var of the second θ²
        let p = stationary_covariance(&[], &[0.5]).unwrap();
        assert!((p[0] - 1.25).abs() < 1e-12);
        assert!((p[1] - 0.5).abs() < 1e-12);
        assert!((p[3] - 0.25).abs() < 1e-12);
    }

    #[test]
    fn ar1_likelihood_in_closed_form() {
        // exact AR(1): F_1 = 1/(1-φ²), then F = 1 and v_t = w_t − φ w_{t−1}
        let (phi, w) = (0.6, [1.0, 0.5, -0.2, 0.3]);
        let f = filter(&w, &[phi], &[]).unwrap();
        let mut ssq = w[0] * w[0] * (1.0 - phi * phi);
        for t in 1..4 {
            ssq += (w[t] - phi * w[t - 1]).powi(2);
        }
        assert!((f.ssq - ssq).abs() < 1e-12);
        assert!((f.sumlog + (1.0 - phi * phi).ln()).abs() < 1e-12);
    }

    #[test]
    fn css_of_an_ar1() {
        let (ssq, n) = conditional_sum_of_squares(&[1.0, 2.0, 0.0], &[0.5], &[], 1);
        assert_eq!(n, 2);
        assert!((ssq - (1.5f64.powi(2) + 1.0)).abs() < 1e-12);
    }
}
