//! The parameter maps R's `arima` uses to keep an AR part stationary while
//! the optimiser moves freely, and the MA part invertible at the start.
//!
//! An AR polynomial 1 − φ₁B − … − φ_pB^p is stationary exactly when its
//! partial autocorrelations all lie in (−1, 1) (Barndorff-Nielsen &
//! Schou 1973; Jones 1980). [`ar_from_raw`] maps any real vector through
//! tanh to partial autocorrelations and, by the Durbin–Levinson
//! recursion, to the AR coefficients; [`raw_from_ar`] runs the recursion
//! backwards (R: `partrans` and `invpartrans` in `arima.c`).
//!
//! ```
//! use salesplan::forecast::models::arima::transform::{ar_from_raw, raw_from_ar, is_stationary};
//! let ar = ar_from_raw(&[0.4, -0.3]);
//! assert!(is_stationary(&ar));
//! let back = raw_from_ar(&ar).unwrap();
//! assert!((back[0] - 0.4).abs() < 1e-12 && (back[1] + 0.3).abs() < 1e-12);
//! assert!(!is_stationary(&[1.2]));
//! ```

use nalgebra::DMatrix;

/// AR coefficients from unconstrained values: tanh to partial
/// autocorrelations, then the Durbin–Levinson recursion.
pub fn ar_from_raw(raw: &[f64]) -> Vec<f64> {
    let (mut new, mut work) = (Vec::new(), Vec::new());
    ar_from_raw_into(raw, &mut new, &mut work);
    new
}

/// [`ar_from_raw`] into `out`, with `work` as scratch (no allocation once
/// they are long enough).
pub fn ar_from_raw_into(raw: &[f64], out: &mut Vec<f64>, work: &mut Vec<f64>) {
    out.clear();
    out.extend(raw.iter().map(|v| v.tanh()));
    work.clear();
    work.extend_from_slice(out);
    let new = out;
    for j in 1..new.len() {
        let a = new[j];
        for k in 0..j {
            work[k] -= a * new[j - k - 1];
        }
        new[..j].copy_from_slice(&work[..j]);
    }
}

/// The partial autocorrelations of AR coefficients (the Durbin–Levinson
/// recursion run backwards) into `new`; false when one is not inside
/// (−1, 1), i.e. the AR part is not stationary.
fn partial_autocorrelations_into(ar: &[f64], new: &mut Vec<f64>, work: &mut Vec<f64>) -> bool {
    new.clear();
    new.extend_from_slice(ar);
    work.clear();
    work.extend_from_slice(ar);
    for j in (1..new.len()).rev() {
        let a = new[j];
        if a.abs() >= 1.0 {
            return false;
        }
        for k in 0..j {
            work[k] = (new[k] + a * new[j - k - 1]) / (1.0 - a * a);
        }
        new[..j].copy_from_slice(&work[..j]);
    }
    new.iter().all(|v| v.abs() < 1.0)
}

/// The partial autocorrelations of AR coefficients; `None` when the AR
/// part is not stationary.
fn partial_autocorrelations(ar: &[f64]) -> Option<Vec<f64>> {
    let (mut new, mut work) = (Vec::new(), Vec::new());
    partial_autocorrelations_into(ar, &mut new, &mut work).then_some(new)
}

/// Whether 1 − φ₁B − … − φ_pB^p has every root outside the unit circle.
pub fn is_stationary(ar: &[f64]) -> bool {
    partial_autocorrelations(ar).is_some()
}

/// [`is_stationary`] with the caller's scratch buffers.
pub fn is_stationary_with(ar: &[f64], scratch: &mut Vec<f64>, work: &mut Vec<f64>) -> bool {
    partial_autocorrelations_into(ar, scratch, work)
}

/// The unconstrained values of stationary AR coefficients (inverse of
/// [`ar_from_raw`]); `None` when they are not stationary.
pub fn raw_from_ar(ar: &[f64]) -> Option<Vec<f64>> {
    partial_autocorrelations(ar).map(|p| p.iter().map(|v| v.atanh()).collect())
}

/// The roots of 1 + c₁z + … + c_q z^q (trailing zero coefficients
/// dropped), as (re, im) pairs: eigenvalues of the companion matrix;
/// empty when the eigenvalue iteration does not converge.
pub(crate) fn roots(c: &[f64]) -> Vec<(f64, f64)> {
    let q = c.iter().rposition(|v| *v != 0.0).map_or(0, |i| i + 1);
    if q == 0 {
        return Vec::new();
    }
    // monic in z: z^q + (c_{q-1}/c_q) z^{q-1} + ... + 1/c_q
    let lead = c[q - 1];
    let mut m = DMatrix::<f64>::zeros(q, q);
    for i in 1..q {
        m[(i, i - 1)] = 1.0;
    }
    for i in 0..q {
        let coef = if i == 0 { 1.0 } else { c[i - 1] };
        m[(i, q - 1)] = -coef / lead;
    }
    // a bounded Schur iteration (nalgebra's default is unbounded)
    match nalgebra::linalg::Schur::try_new(m, 1e-14, 10_000) {
        Some(schur) => schur
            .complex_eigenvalues()
            .iter()
            .map(|z| (z.re, z.im))
            .collect(),
        None => Vec::new(),
    }
}

/// An MA polynomial 1 + θ₁B + … + θ_qB^q made invertible: roots inside
/// the unit circle replaced by their reciprocals, which keeps the
/// autocorrelations (R: `maInvert` in `arima.R`).
///
/// ```
/// use salesplan::forecast::models::arima::transform::ma_invert;
/// assert_eq!(ma_invert(&[2.0]), vec![0.5]);
/// let kept = ma_invert(&[0.5, 0.2]);
/// assert!((kept[0] - 0.5).abs() < 1e-12 && (kept[1] - 0.2).abs() < 1e-12);
/// ```
pub fn ma_invert(ma: &[f64]) -> Vec<f64> {
    let q0 = ma.iter().rposition(|v| *v != 0.0).map_or(0, |i| i + 1);
    if q0 == 0 {
        return ma.to_vec();
    }
    let mut rs = roots(&ma[..q0]);
    let inside = |(re, im): (f64, f64)| re.hypot(im) < 1.0;
    if !rs.iter().any(|r| inside(*r)) {
        return ma.to_vec();
    }
    let mut out = vec![0.0; ma.len()];
    if q0 == 1 {
        out[0] = 1.0 / ma[0];
        return out;
    }
    for r in rs.iter_mut() {
        if inside(*r) {
            let d = r.0 * r.0 + r.1 * r.1;
            *r = (r.0 / d, -r.1 / d);
        }
    }
    // the polynomial with these roots and constant 1: Π (1 − z/r)
    let mut x: Vec<(f64, f64)> = vec![(1.0, 0.0)];
    for (re, im) in rs {
        let d = re * re + im * im;
        let inv = (re / d, -im / d); // 1/r
        let mut next = x.clone();
        next.push((0.0, 0.0));
        for k in 0..x.len() {
            // next[k+1] -= x[k] / r
            let (a, b) = x[k];
            next[k + 1].0 -= a * inv.0 - b * inv.1;
            next[k + 1].1 -= a * inv.1 + b * inv.0;
        }
        x = next;
    }
    for (o, v) in out.iter_mut().zip(x.iter().skip(1)) {
        *o = v.0;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_map_always_gives_a_stationary_part() {
        for raw in [[3.0, -2.0, 0.5], [-2.5, 2.5, 1.5], [0.1, 0.0, -0.1]] {
            let ar = ar_from_raw(&raw);
            assert!(is_stationary(&ar), "{ar:?}");
            let back = raw_from_ar(&ar).unwrap();
            for (a, b) in back.iter().zip(raw) {
                assert!((a - b).abs() < 1e-6, "{back:?} {raw:?}");
            }
        }
    }

    #[test]
    fn known_stationarity() {
        // AR(2) with φ = (0.5, 0.3): stationary; (0.5, 0.6): not (sum > 1)
        assert!(is_stationary(&[0.5, 0.3]));
        assert!(!is_stationary(&[0.5, 0.6]));
        assert!(is_stationary(&[]));
    }

    #[test]
    fn inverting_an_ma2_keeps_its_autocorrelations() {
        // 1 + 2.5B + B^2 = (1 + 2B)(1 + 0.5B): the root -0.5 is inside
        let ma = ma_invert(&[2.5, 1.0]);
        // (1 + 0.5B)(1 + 0.5B) = 1 + B + 0.25B^2
        assert!(
            (ma[0] - 1.0).abs() < 1e-9 && (ma[1] - 0.25).abs() < 1e-9,
            "{ma:?}"
        );
        let rho1 = |t: &[f64]| (t[0] + t[0] * t[1]) / (1.0 + t[0] * t[0] + t[1] * t[1]);
        assert!((rho1(&ma) - rho1(&[2.5, 1.0])).abs() < 1e-9);
    }
}
