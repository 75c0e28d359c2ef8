//! The exact Gaussian likelihood of a stationary ARMA series by the Kalman
//! filter, and the conditional sum of squares that starts it.
//!
//! The state-space form is Harvey's (1989, §3.3), as R's `makeARIMA`
//! builds it: a state of r = max(p, q + 1) elements, the transition T with
//! the AR coefficients in its first column and ones above the diagonal,
//! the disturbance R = (1, θ₁, …, θ_{r−1})′ and the observation the first
//! element. The filter starts from the stationary state covariance P₀,
//! the solution of P₀ = T P₀ T′ + R R′, all in units of the innovation
//! variance, which is concentrated out:
//! −2 log L = n log(2π σ̂²) + Σ log F_t + n, σ̂² = Σ v_t²/F_t / n
//! (Gardner, Harvey & Phillips 1980; R: `ARIMA_Like`).
//!
//! R runs the Riccati recursion for the whole r × r covariance, O(r²) a
//! step, after an O(r⁴) solve for P₀. From a stationary start the
//! covariance changes by a matrix of rank one each step,
//! P_{t+1} − P_t = m_t w_t w_t′, so the Chandrasekhar recursions
//! (Morf, Sidhu & Kailath 1974; Herbst 2015 for their use in
//! likelihoods) carry only the vector w_t, the scalar m_t and P_t's first
//! column: O(r) a step, and only P₀'s first column is needed, which the
//! ARMA autocovariances give in closed form. The same likelihood, far
//! less work for seasonal models (r = 14 for an airline model, 27 for
//! (2,0,2)(2,0,2)₁₂ with its seasonal AR).
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

/// Buffers for [`filter_into`] and [`conditional_sum_of_squares_into`],
/// kept across the optimiser's evaluations of a fit so that the likelihood
/// loop does not allocate (the LU solve of the autocovariances, p + 1
/// equations, is nalgebra's and still allocates when p > 0).
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// φ padded to the state dimension r.
    phi: Vec<f64>,
    /// The disturbance loading (1, θ₁, …) padded to r.
    load: Vec<f64>,
    /// The non-zero AR and MA coefficients with their lags.
    ar: Vec<(usize, f64)>,
    ma: Vec<(usize, f64)>,
    psi: Vec<f64>,
    gamma: Vec<f64>,
    /// P's first column, g_t.
    column: Vec<f64>,
    /// The predicted state, the filtered state after the last
    /// observation and the Chandrasekhar vector w_t.
    a: Vec<f64>,
    filtered: Vec<f64>,
    wv: Vec<f64>,
    /// The CSS residuals.
    resid: Vec<f64>,
    /// Durbin–Levinson scratch for the stationarity check.
    pacf: Vec<f64>,
    pacf_work: Vec<f64>,
}

/// The filter's sums without its state ([`filter_into`]; the state is in
/// the workspace, [`Workspace::state`]).
#[derive(Debug, Clone, Copy)]
pub struct Sums {
    /// Σ v_t² / F_t.
    pub ssq: f64,
    /// Σ log F_t.
    pub sumlog: f64,
    /// Observations used.
    pub used: usize,
}

impl Sums {
    /// As [`Filtered::concentrated`].
    pub fn concentrated(&self) -> f64 {
        let n = self.used as f64;
        0.5 * ((self.ssq / n).ln() + self.sumlog / n)
    }
}

impl Workspace {
    /// The state after the last observation of the last [`filter_into`]
    /// run (r elements).
    pub fn state(&self) -> &[f64] {
        &self.filtered
    }
}

/// Fills `out` with `c` padded with zeros to `r` elements.
fn pad_into(c: &[f64], r: usize, out: &mut Vec<f64>) {
    out.clear();
    out.extend_from_slice(c);
    out.resize(r, 0.0);
}

/// The state dimension and the coefficients padded to it.
fn padded(phi: &[f64], theta: &[f64]) -> (usize, Vec<f64>, Vec<f64>) {
    let r = phi.len().max(theta.len() + 1);
    let mut p = Vec::new();
    pad_into(phi, r, &mut p);
    let mut load = Vec::new();
    load_into(theta, r, &mut load);
    (r, p, load)
}

/// R = (1, θ₁, …) padded to `r`: element i of the disturbance loading.
fn load_into(theta: &[f64], r: usize, out: &mut Vec<f64>) {
    out.clear();
    out.push(1.0);
    out.extend_from_slice(theta);
    out.resize(r, 0.0);
}

/// T·x for the companion transition (first column φ, ones above the
/// diagonal): (T x)ᵢ = φᵢ x₀ + xᵢ₊₁.
fn t_times(phi: &[f64], x: &[f64], out: &mut [f64]) {
    let r = x.len();
    for i in 0..r {
        let below = if i + 1 < r { x[i + 1] } else { 0.0 };
        out[i] = phi[i] * x[0] + below;
    }
}

/// The first column of the stationary state covariance P₀ (in units of
/// the innovation variance): the covariance of each state element with
/// the observation. `None` when the AR part is not stationary.
///
/// State element i is Σ_{j≥0} φ_{i+j+1} w_{t−1−j} + θ_{i+j} a_{t−j}
/// (θ₀ = 1), so its covariance with w_t is
/// Σ_j φ_{i+j+1} γ(j+1) + θ_{i+j} ψ_j, with γ the autocovariances
/// (from the p + 1 linear equations γ(k) − Σ φᵢ γ(|k−i|) = Σ_{j≥k} θⱼ ψ_{j−k};
/// Brockwell & Davis 1991, §3.3) and ψ the MA(∞) weights.
///
/// ```
/// use salesplan::forecast::models::arima::kalman::stationary_first_column;
/// // AR(1): var w = 1 / (1 − φ²)
/// let c = stationary_first_column(&[0.8], &[]).unwrap();
/// assert!((c[0] - 1.0 / (1.0 - 0.64)).abs() < 1e-12);
/// assert!(stationary_first_column(&[1.0], &[]).is_none());
/// ```
pub fn stationary_first_column(phi: &[f64], theta: &[f64]) -> Option<Vec<f64>> {
    let mut ws = Workspace::default();
    stationary_first_column_into(&mut ws, phi, theta).then(|| ws.column.clone())
}

/// [`stationary_first_column`] into `ws.column` (and `ws.load`); false
/// when the AR part is not stationary or the variance is not positive.
fn stationary_first_column_into(ws: &mut Workspace, phi: &[f64], theta: &[f64]) -> bool {
    if !super::transform::is_stationary_with(phi, &mut ws.pacf, &mut ws.pacf_work) {
        return false;
    }
    let r = phi.len().max(theta.len() + 1);
    load_into(theta, r, &mut ws.load);
    let load: &[f64] = &ws.load;
    let p = phi.len();
    // the non-zero coefficients (seasonal polynomials are sparse):
    // (i, φ_i) for i ≥ 1 and (j, θ_j) for j ≥ 0
    ws.ar.clear();
    ws.ar
        .extend((1..=p).map(|i| (i, phi[i - 1])).filter(|c| c.1 != 0.0));
    ws.ma.clear();
    ws.ma
        .extend((0..r).map(|j| (j, load[j])).filter(|c| c.1 != 0.0));
    let (ar, ma) = (ws.ar.as_slice(), ws.ma.as_slice());
    // ψ_0..ψ_r: ψ_j = θ_j + Σ φ_i ψ_{j−i}
    ws.psi.clear();
    ws.psi.resize(r + 1, 0.0);
    let psi: &mut [f64] = &mut ws.psi;
    for j in 0..=r {
        let own = if j < r { load[j] } else { 0.0 };
        psi[j] = own
            + ar.iter()
                .filter(|(i, _)| *i <= j)
                .map(|(i, f)| f * psi[j - i])
                .sum::<f64>();
    }
    let psi: &[f64] = &ws.psi;
    // Σ_{j≥k} θ_j ψ_{j−k}, θ₀ = 1
    let ma_side = |k: usize| -> f64 {
        ma.iter()
            .filter(|(j, _)| *j >= k)
            .map(|(j, t)| t * psi[j - k])
            .sum()
    };
    ws.gamma.clear();
    ws.gamma.resize(r + 1, 0.0);
    let gamma: &mut [f64] = &mut ws.gamma;
    if p == 0 {
        for (k, g) in gamma.iter_mut().enumerate() {
            *g = ma_side(k);
        }
    } else {
        let mut a = nalgebra::DMatrix::<f64>::identity(p + 1, p + 1);
        for k in 0..=p {
            for (i, f) in ar {
                a[(k, k.abs_diff(*i))] -= f;
            }
        }
        let mut b = nalgebra::DVector::from_fn(p + 1, |k, _| ma_side(k));
        if !a.lu().solve_mut(&mut b) {
            return false;
        }
        gamma[..=p].copy_from_slice(b.as_slice());
        for k in p + 1..=r {
            gamma[k] = ar.iter().map(|(i, f)| f * gamma[k - i]).sum::<f64>() + ma_side(k);
        }
    }
    let gamma: &[f64] = &ws.gamma;
    // element i: Σ_j φ_{i+j+1} γ(j+1) + θ_{i+j} ψ_j, by coefficient
    ws.column.clear();
    ws.column.resize(r, 0.0);
    let column: &mut [f64] = &mut ws.column;
    for (k, f) in ar {
        for (i, c) in column.iter_mut().enumerate().take(*k) {
            *c += f * gamma[k - i];
        }
    }
    for (k, t) in ma {
        for (i, c) in column.iter_mut().enumerate().take(k + 1) {
            *c += t * psi[k - i];
        }
    }
    column[0].is_finite() && column[0] > 0.0
}

/// Runs the filter over the stationary series `w` with AR coefficients
/// `phi` and MA coefficients `theta` (each in R's sign convention:
/// w_t = Σ φᵢ w_{t−i} + a_t + Σ θⱼ a_{t−j}); `None` when the AR part is
/// not stationary.
///
/// The Chandrasekhar form of the recursion: with g_t = P_t's first column
/// (F_t = g_t,₀) and P_{t+1} − P_t = m_t w_t w_t′,
/// g_{t+1} = g_t + m_t c_t w_t (c_t = w_t,₀),
/// w_{t+1} = T (w_t − (c_t/F_t) g_t), m_{t+1} = m_t F_t / F_{t+1},
/// from g₁ = P₀'s first column, w₁ = T g₁ and m₁ = −1/F₁ (as
/// P₂ = P₀ − T g₁ g₁′ T′ / F₁ when P₁ is stationary).
pub fn filter(w: &[f64], phi: &[f64], theta: &[f64]) -> Option<Filtered> {
    let mut ws = Workspace::default();
    let sums = filter_into(&mut ws, w, phi, theta)?;
    Some(Filtered {
        ssq: sums.ssq,
        sumlog: sums.sumlog,
        used: sums.used,
        state: ws.filtered,
    })
}

/// [`filter`] with the caller's buffers: the same sums, bit for bit, and
/// the final state in [`Workspace::state`].
pub fn filter_into(ws: &mut Workspace, w: &[f64], phi: &[f64], theta: &[f64]) -> Option<Sums> {
    if !stationary_first_column_into(ws, phi, theta) {
        return None;
    }
    let r = phi.len().max(theta.len() + 1);
    pad_into(phi, r, &mut ws.phi);
    for v in [&mut ws.a, &mut ws.filtered, &mut ws.wv] {
        v.clear();
        v.resize(r, 0.0);
    }
    // plain slices from here: the loop below indexes them directly
    let phi: &[f64] = &ws.phi;
    let g: &mut [f64] = &mut ws.column;
    let a: &mut [f64] = &mut ws.a;
    let filtered: &mut [f64] = &mut ws.filtered;
    let wv: &mut [f64] = &mut ws.wv;
    t_times(phi, g, wv);
    let mut m = -1.0 / g[0];
    let (mut ssq, mut sumlog, mut used) = (0.0, 0.0, 0usize);
    // Σ log F_t as the log of running products (F_t ≥ 1 in these units),
    // one logarithm per ~1e100 of product instead of one per step
    let mut product = 1.0;
    for (t, y) in w.iter().enumerate() {
        let gain = g[0];
        if !(gain.is_finite() && gain > 0.0) {
            return None;
        }
        let resid = y - a[0];
        if gain < 1e4 {
            used += 1;
            ssq += resid * resid / gain;
            product *= gain;
            if product > 1e100 {
                sumlog += product.ln();
                product = 1.0;
            }
        }
        let k = resid / gain;
        if t + 1 == w.len() {
            for i in 0..r {
                filtered[i] = a[i] + g[i] * k;
            }
        }
        // the prediction T (a + g k), in place (element i reads i + 1)
        let first = a[0] + g[0] * k;
        for i in 0..r - 1 {
            a[i] = phi[i] * first + a[i + 1] + g[i + 1] * k;
        }
        a[r - 1] = phi[r - 1] * first;
        // the covariance's rank-one change: w ← T (w − (c/F) g) and
        // g ← g + m c w, in place (element i reads the old i + 1)
        let c = wv[0];
        let (cf, mc) = (c / gain, m * c);
        let head = wv[0] - cf * g[0];
        for i in 0..r - 1 {
            let old = wv[i];
            wv[i] = phi[i] * head + wv[i + 1] - cf * g[i + 1];
            g[i] += mc * old;
        }
        let old = wv[r - 1];
        wv[r - 1] = phi[r - 1] * head;
        g[r - 1] += mc * old;
        m *= gain / g[0];
    }
    sumlog += product.ln();
    Some(Sums { ssq, sumlog, used })
}

/// The conditional sum of squares: residuals from observation `ncond` on,
/// earlier ones taken as zero (R: `ARIMA_CSS`). Returns (Σ e², count).
pub fn conditional_sum_of_squares(
    w: &[f64],
    phi: &[f64],
    theta: &[f64],
    ncond: usize,
) -> (f64, usize) {
    conditional_sum_of_squares_into(&mut Workspace::default(), w, phi, theta, ncond)
}

/// [`conditional_sum_of_squares`] with the caller's buffers.
pub fn conditional_sum_of_squares_into(
    ws: &mut Workspace,
    w: &[f64],
    phi: &[f64],
    theta: &[f64],
    ncond: usize,
) -> (f64, usize) {
    // only the non-zero coefficients (seasonal polynomials are sparse)
    let nonzero = |c: &[f64], out: &mut Vec<(usize, f64)>| {
        out.clear();
        out.extend(
            c.iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(j, v)| (j + 1, *v)),
        );
    };
    nonzero(phi, &mut ws.ar);
    nonzero(theta, &mut ws.ma);
    let (ar, ma) = (ws.ar.as_slice(), ws.ma.as_slice());
    ws.resid.clear();
    ws.resid.resize(w.len(), 0.0);
    let resid: &mut [f64] = &mut ws.resid;
    let (mut ssq, mut used) = (0.0, 0usize);
    for l in ncond..w.len() {
        let mut e = w[l];
        for (j, f) in ar {
            e -= f * w[l - j];
        }
        // residuals before the conditioning point are zero
        for (j, t) in ma.iter().take_while(|(j, _)| *j <= l - ncond) {
            e -= t * resid[l - j];
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

    /// R's form of the filter, for reference: the full r × r Riccati
    /// recursion from P₀ = Σ_j T^j R R′ T′^j (summed by doubling).
    fn riccati(w: &[f64], phi: &[f64], theta: &[f64]) -> (f64, f64, Vec<f64>) {
        let (r, phi, load) = padded(phi, theta);
        let rr: Vec<f64> = (0..r * r).map(|k| load[k / r] * load[k % r]).collect();
        let dense_t = |m: &[f64]| -> Vec<f64> {
            // T M T′
            let mut tm = vec![0.0; r * r];
            for i in 0..r {
                for j in 0..r {
                    let below = if i + 1 < r { m[(i + 1) * r + j] } else { 0.0 };
                    tm[i * r + j] = phi[i] * m[j] + below;
                }
            }
            let mut out = vec![0.0; r * r];
            for i in 0..r {
                for j in 0..r {
                    let right = if j + 1 < r { tm[i * r + j + 1] } else { 0.0 };
                    out[i * r + j] = tm[i * r] * phi[j] + right;
                }
            }
            out
        };
        let mut p0 = rr.clone();
        for _ in 0..2000 {
            let next: Vec<f64> = dense_t(&p0).iter().zip(&rr).map(|(a, b)| a + b).collect();
            let change = next
                .iter()
                .zip(&p0)
                .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
            p0 = next;
            if change < 1e-15 {
                break;
            }
        }
        let (mut a, mut p) = (vec![0.0; r], p0);
        let (mut ssq, mut sumlog, mut last) = (0.0, 0.0, Vec::new());
        for y in w {
            let f = p[0];
            let v = y - a[0];
            ssq += v * v / f;
            sumlog += f.ln();
            let filtered: Vec<f64> = (0..r).map(|i| a[i] + p[i * r] * v / f).collect();
            let updated: Vec<f64> = (0..r * r)
                .map(|k| p[k] - p[(k / r) * r] * p[k % r] / f)
                .collect();
            a = (0..r)
                .map(|i| phi[i] * filtered[0] + if i + 1 < r { filtered[i + 1] } else { 0.0 })
                .collect();
            p = dense_t(&updated)
                .iter()
                .zip(&rr)
                .map(|(a, b)| a + b)
                .collect();
            last = filtered;
        }
        (ssq, sumlog, last)
    }

    #[test]
    fn first_column_of_simple_models() {
        let c = stationary_first_column(&[0.8], &[]).unwrap();
        assert!((c[0] - 1.0 / (1.0 - 0.64)).abs() < 1e-12, "{c:?}");
        assert!(stationary_first_column(&[1.0], &[]).is_none());
        assert!(stationary_first_column(&[0.5, 0.6], &[]).is_none());
        // MA(1): state (w_t, θ a_t): var w = 1 + θ², cov = θ
        let c = stationary_first_column(&[], &[0.5]).unwrap();
        assert!((c[0] - 1.25).abs() < 1e-12 && (c[1] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn chandrasekhar_matches_the_full_riccati_recursion() {
        let w: Vec<f64> = (0..80)
            .map(|t| ((t * 37 % 23) as f64 - 11.0) / 5.0 + (t as f64 * 0.7).sin())
            .collect();
        let airline = {
            let mut th = vec![0.0; 13];
            th[0] = -0.4;
            th[11] = -0.6;
            th[12] = 0.24;
            th
        };
        let seasonal_ar = {
            let mut ph = vec![0.0; 12];
            ph[0] = 0.3;
            ph[3] = 0.5;
            ph
        };
        let cases: Vec<(Vec<f64>, Vec<f64>)> = vec![
            (vec![], vec![]),
            (vec![0.6], vec![]),
            (vec![], vec![0.5]),
            (vec![1.2, -0.5], vec![0.3, 0.2]),
            (vec![-0.9], vec![-0.95]),
            (vec![], airline.clone()),
            (seasonal_ar.clone(), airline),
            (seasonal_ar, vec![0.4]),
        ];
        for (phi, theta) in cases {
            let f = filter(&w, &phi, &theta).unwrap();
            let (ssq, sumlog, state) = riccati(&w, &phi, &theta);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
            assert!(close(f.ssq, ssq), "{phi:?} {theta:?}: {} vs {ssq}", f.ssq);
            assert!(
                close(f.sumlog, sumlog),
                "{phi:?} {theta:?}: {} vs {sumlog}",
                f.sumlog
            );
            for (a, b) in f.state.iter().zip(&state) {
                assert!(close(*a, *b), "{phi:?} {theta:?}: state {a} vs {b}");
            }
            assert_eq!(f.used, w.len());
        }
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
