//! Starting values: R's `initstate` (heuristic initial states from a
//! classical decomposition) and `initparam` (starting smoothing parameters),
//! as described in `../shared/research/ets.md` §2.

use super::admissible::{Bounds, ParameterBox};
use super::spec::{Component, EtsSpec};

/// Initial states (l, [b], [s_0 … s_{m−2}]) in R's order; the last seasonal
/// is implied. Needs n ≥ 4 for seasonal forms.
pub(crate) fn initial_states(y: &[f64], spec: &EtsSpec, m: usize) -> Option<Vec<f64>> {
    let n = y.len();
    let mut out = Vec::with_capacity(2 + m);
    let (y_sa, seas): (Vec<f64>, Vec<f64>) = if spec.has_season() {
        if n < 4 {
            return None;
        }
        let seasonal = if n < 3 * m {
            fourier_detrended(y, m, spec.season)?
        } else {
            decompose(y, m, spec.season)
        };
        // s_0 … s_{m−2}: seasonal values of observations m, m−1, …, 2
        let mut init: Vec<f64> = (1..m).rev().map(|i| seasonal[i]).collect();
        let y_sa: Vec<f64> = if spec.season == Component::Additive {
            y.iter().zip(&seasonal).map(|(v, s)| v - s).collect()
        } else {
            init.iter_mut().for_each(|s| *s = s.max(1e-2));
            let sum: f64 = init.iter().sum();
            if sum > m as f64 {
                let denom: f64 = init.iter().map(|s| s + 1e-2).sum();
                init.iter_mut().for_each(|s| *s /= denom);
            }
            y.iter()
                .zip(&seasonal)
                .map(|(v, s)| v / s.max(1e-2))
                .collect()
        };
        (y_sa, init)
    } else {
        (y.to_vec(), Vec::new())
    };
    let m_eff = if spec.has_season() { m } else { 1 };
    let maxn = (2 * m_eff).max(10).min(n);
    let head = &y_sa[..maxn];
    match spec.trend {
        Component::None => out.push(head.iter().sum::<f64>() / maxn as f64),
        Component::Additive => {
            let (a, c) = line_fit(head);
            let (mut l0, mut b0) = (a, c);
            if (l0 + b0).abs() < 1e-8 {
                l0 *= 1.0 + 1e-3;
                b0 *= 1.0 - 1e-3;
            }
            out.push(l0);
            out.push(b0);
        }
        Component::Multiplicative => {
            let (a, c) = line_fit(head);
            let mut l0 = a + c;
            if l0.abs() < 1e-8 {
                l0 = 1e-7;
            }
            let mut b0 = (a + 2.0 * c) / l0;
            l0 /= b0;
            if b0.abs() > 1e10 {
                b0 = b0.signum() * 1e10;
            }
            if l0 < 1e-8 || b0 < 1e-8 {
                l0 = y_sa[0].max(1e-3);
                b0 = if y_sa.len() > 1 {
                    (y_sa[1] / y_sa[0]).max(1e-3)
                } else {
                    1.0
                };
            }
            out.push(l0);
            out.push(b0);
        }
    }
    out.extend(seas);
    if out.iter().all(|v| v.is_finite()) {
        Some(out)
    } else {
        None
    }
}

/// Completes R-order states (with m − 1 free seasonals) with the implied last one.
pub(crate) fn complete_states(free: &[f64], spec: &EtsSpec, m: usize, out: &mut Vec<f64>) {
    out.clear();
    out.extend_from_slice(free);
    if spec.has_season() {
        let s_off = 1 + usize::from(spec.has_trend());
        let sum: f64 = free[s_off..].iter().sum();
        out.push(match spec.season {
            Component::Multiplicative => m as f64 - sum,
            _ => -sum,
        });
        debug_assert_eq!(out.len(), s_off + m);
    }
}

/// Least-squares line through (1, y_1), (2, y_2), …: (intercept, slope).
pub(crate) fn line_fit(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    if y.len() < 2 {
        return (y.first().copied().unwrap_or(0.0), 0.0);
    }
    let tbar = (n + 1.0) / 2.0;
    let ybar = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dt = (i + 1) as f64 - tbar;
        sxy += dt * (v - ybar);
        sxx += dt * dt;
    }
    let slope = sxy / sxx;
    (ybar - slope * tbar, slope)
}

/// `stats::decompose`'s seasonal figure, repeated over the series: centred
/// moving average of order m (2×m for even m), detrend, average each season
/// position, normalise to sum 0 (additive) or mean 1 (multiplicative).
fn decompose(y: &[f64], m: usize, season: Component) -> Vec<f64> {
    let n = y.len();
    let mult = season == Component::Multiplicative;
    let half = m / 2;
    let mut detrended = vec![f64::NAN; n];
    for t in half..n.saturating_sub(half) {
        let trend = if m % 2 == 0 {
            let mut s = 0.5 * (y[t - half] + y[t + half]);
            for v in &y[t + 1 - half..t + half] {
                s += v;
            }
            s / m as f64
        } else {
            y[t - half..=t + half].iter().sum::<f64>() / m as f64
        };
        detrended[t] = if mult { y[t] / trend } else { y[t] - trend };
    }
    let mut figure = vec![0.0; m];
    for (i, f) in figure.iter_mut().enumerate() {
        let vals: Vec<f64> = detrended
            .iter()
            .skip(i)
            .step_by(m)
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        *f = vals.iter().sum::<f64>() / vals.len().max(1) as f64;
    }
    let mean = figure.iter().sum::<f64>() / m as f64;
    for f in figure.iter_mut() {
        if mult {
            *f /= mean;
        } else {
            *f -= mean;
        }
    }
    (0..n).map(|t| figure[t % m]).collect()
}

/// For short seasonal series (n < 3m): y ~ 1 + t + sin(2πt/m) + cos(2πt/m);
/// the "seasonal" part is y minus (or over) the fitted line a + c·t.
fn fourier_detrended(y: &[f64], m: usize, season: Component) -> Option<Vec<f64>> {
    let n = y.len();
    let w = 2.0 * std::f64::consts::PI / m as f64;
    let with_sin = m != 2; // sin(πt) vanishes at integers: R's fourier() drops it
    let cols = if with_sin { 4 } else { 3 };
    let row = |t: f64| -> [f64; 4] {
        if with_sin {
            [1.0, t, (w * t).sin(), (w * t).cos()]
        } else {
            [1.0, t, (w * t).cos(), 0.0]
        }
    };
    let mut ata = [[0.0; 4]; 4];
    let mut aty = [0.0; 4];
    for (i, v) in y.iter().enumerate() {
        let r = row((i + 1) as f64);
        for a in 0..cols {
            aty[a] += r[a] * v;
            for b in 0..cols {
                ata[a][b] += r[a] * r[b];
            }
        }
    }
    let coef = solve_small(&mut ata, &mut aty, cols)?;
    let (a, c) = (coef[0], coef[1]);
    Some(
        (0..n)
            .map(|t| {
                let line = a + c * (t + 1) as f64;
                if season == Component::Multiplicative {
                    y[t] / line
                } else {
                    y[t] - line
                }
            })
            .collect(),
    )
}

/// Solves a small dense system by Gaussian elimination with partial pivoting.
fn solve_small(a: &mut [[f64; 4]; 4], b: &mut [f64; 4], n: usize) -> Option<[f64; 4]> {
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for r in col + 1..n {
            let f = a[r][col] / a[col][col];
            let pivot_row = a[col];
            for (x, p) in a[r][col..n].iter_mut().zip(&pivot_row[col..n]) {
                *x -= f * p;
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = [0.0; 4];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// R's `initparam`: starting (α, β, γ, φ) for the estimated ones, given the
/// fixed values. `m` is the season length for seasonal forms, else 1.
pub(crate) fn initial_parameters(
    spec: &EtsSpec,
    m: usize,
    fixed: [Option<f64>; 4],
    bounds: Bounds,
    pbox: &ParameterBox,
) -> [f64; 4] {
    let (mut lo, mut up) = (pbox.lower, pbox.upper);
    if bounds == Bounds::Admissible {
        for i in 0..3 {
            lo[i] = 0.0;
            up[i] = 1e-3;
        }
    }
    let mf = m as f64;
    let alpha = fixed[0].unwrap_or_else(|| {
        let a = lo[0] + 0.2 * (up[0] - lo[0]) / mf;
        if !(0.0..=1.0).contains(&a) {
            lo[0] + 2e-3
        } else {
            a
        }
    });
    let beta = fixed[1].unwrap_or_else(|| {
        if !spec.has_trend() {
            return 0.0;
        }
        let u = up[1].min(alpha);
        let b = lo[1] + 0.1 * (u - lo[1]);
        if b < 0.0 || b > alpha {
            alpha - 1e-3
        } else {
            b
        }
    });
    let gamma = fixed[2].unwrap_or_else(|| {
        if !spec.has_season() {
            return 0.0;
        }
        let u = up[2].min(1.0 - alpha);
        let g = lo[2] + 0.05 * (u - lo[2]);
        if g < 0.0 || g > 1.0 - alpha {
            1.0 - alpha - 1e-3
        } else {
            g
        }
    });
    let phi = fixed[3].unwrap_or_else(|| {
        if !spec.damped {
            return 1.0;
        }
        let p = lo[3] + 0.99 * (up[3] - lo[3]);
        if !(0.0..=1.0).contains(&p) {
            up[3] - 1e-3
        } else {
            p
        }
    });
    [alpha, beta, gamma, phi]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decompose_recovers_additive_pattern() {
        let pattern = [3.0, -1.0, -2.0, 0.0];
        let y: Vec<f64> = (0..24)
            .map(|t| 10.0 + 0.5 * t as f64 + pattern[t % 4])
            .collect();
        let s = decompose(&y, 4, Component::Additive);
        for t in 0..4 {
            assert!((s[t] - pattern[t]).abs() < 1e-9, "{s:?}");
        }
    }

    #[test]
    fn line_fit_is_exact_on_a_line() {
        let (a, c) = line_fit(&[3.0, 5.0, 7.0, 9.0]);
        assert!((a - 1.0).abs() < 1e-12 && (c - 2.0).abs() < 1e-12);
    }
}
