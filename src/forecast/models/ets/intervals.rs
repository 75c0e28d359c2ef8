//! Prediction intervals for ETS (Hyndman et al. 2008, ch. 6; R's
//! `forecast.ets`): analytic variances for classes 1–3, seeded simulation
//! of sample paths for classes 4–5.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::filter::damped_sum;
use super::spec::Component;
use super::{FittedEts, IntervalDistribution, IntervalOptions};
use crate::error::{Error, Result};
use crate::forecast::models::Interval;
use crate::numeric::stats::{normal_quantile, quantile_type8, student_t_quantile};

pub(crate) fn intervals(
    fit: &FittedEts,
    mean: &[f64],
    levels: &[f64],
    options: IntervalOptions,
) -> Result<Vec<Interval>> {
    if levels.is_empty() {
        return Ok(Vec::new());
    }
    let h = mean.len();
    let sigma2 = fit.sigma2.max(0.0);
    let variance = match fit.spec.interval_class() {
        1 => Some(class1(fit, h, sigma2)),
        2 => Some(class2(fit, mean, sigma2)),
        3 => Some(class3(fit, h, sigma2)),
        _ => None,
    };
    match variance {
        Some(v) => levels
            .iter()
            .map(|&level| {
                let p = 0.5 + level / 200.0;
                let z = match options.distribution {
                    IntervalDistribution::Normal => normal_quantile(p)?,
                    IntervalDistribution::StudentT => {
                        let df = fit.n_obs.saturating_sub(fit.n_parameters).max(1);
                        student_t_quantile(p, df as f64)?
                    }
                };
                let half: Vec<f64> = v.iter().map(|v| z * v.max(0.0).sqrt()).collect();
                Ok(Interval {
                    level,
                    lower: mean.iter().zip(&half).map(|(m, d)| m - d).collect(),
                    upper: mean.iter().zip(&half).map(|(m, d)| m + d).collect(),
                })
            })
            .collect(),
        None => simulated(fit, h, levels, options),
    }
}

/// c_j = wᵀF^{j−1}g for the linear forms, j = 1..h−1.
fn c_coefficients(fit: &FittedEts, h: usize) -> Vec<f64> {
    let sm = fit.smoothing();
    let m = fit.season_length;
    (1..h)
        .map(|j| {
            let mut c = sm.alpha;
            if fit.spec.has_trend() {
                c += sm.beta
                    * if fit.spec.damped {
                        damped_sum(sm.phi, j)
                    } else {
                        j as f64
                    };
            }
            if fit.spec.has_season() && j % m == 0 {
                c += sm.gamma;
            }
            c
        })
        .collect()
}

/// Class 1 (additive error, linear components): v(h) = σ²(1 + Σ c_j²).
fn class1(fit: &FittedEts, h: usize, sigma2: f64) -> Vec<f64> {
    let c = c_coefficients(fit, h);
    let mut acc = 0.0;
    (0..h)
        .map(|i| {
            if i > 0 {
                acc += c[i - 1] * c[i - 1];
            }
            sigma2 * (1.0 + acc)
        })
        .collect()
}

/// Class 2 (multiplicative error, linear components):
/// θ_1 = μ_1², θ_h = μ_h² + σ² Σ_{j<h} c_j² θ_{h−j}, v(h) = (1 + σ²)θ_h − μ_h².
fn class2(fit: &FittedEts, mean: &[f64], sigma2: f64) -> Vec<f64> {
    let h = mean.len();
    let c = c_coefficients(fit, h);
    let mut theta = Vec::with_capacity(h);
    for i in 0..h {
        let mut t = mean[i] * mean[i];
        for j in 1..=i {
            t += sigma2 * c[j - 1] * c[j - 1] * theta[i - j];
        }
        theta.push(t);
    }
    theta
        .iter()
        .zip(mean)
        .map(|(t, mu)| (1.0 + sigma2) * t - mu * mu)
        .collect()
}

/// Small dense row-major matrix helpers for the class-3 recursion.
struct Mat {
    r: usize,
    c: usize,
    v: Vec<f64>,
}

impl Mat {
    fn zeros(r: usize, c: usize) -> Mat {
        Mat {
            r,
            c,
            v: vec![0.0; r * c],
        }
    }
    fn at(&self, i: usize, j: usize) -> f64 {
        self.v[i * self.c + j]
    }
    fn set(&mut self, i: usize, j: usize, x: f64) {
        self.v[i * self.c + j] = x;
    }
    fn mul(&self, o: &Mat) -> Mat {
        let mut out = Mat::zeros(self.r, o.c);
        for i in 0..self.r {
            for k in 0..self.c {
                let a = self.at(i, k);
                if a != 0.0 {
                    for j in 0..o.c {
                        out.v[i * o.c + j] += a * o.at(k, j);
                    }
                }
            }
        }
        out
    }
    fn t(&self) -> Mat {
        let mut out = Mat::zeros(self.c, self.r);
        for i in 0..self.r {
            for j in 0..self.c {
                out.set(j, i, self.at(i, j));
            }
        }
        out
    }
    fn kron(&self, o: &Mat) -> Mat {
        let mut out = Mat::zeros(self.r * o.r, self.c * o.c);
        for i in 0..self.r {
            for j in 0..self.c {
                for k in 0..o.r {
                    for l in 0..o.c {
                        out.set(i * o.r + k, j * o.c + l, self.at(i, j) * o.at(k, l));
                    }
                }
            }
        }
        out
    }
    fn add(&self, o: &Mat, s: f64) -> Mat {
        Mat {
            r: self.r,
            c: self.c,
            v: self.v.iter().zip(&o.v).map(|(a, b)| a + s * b).collect(),
        }
    }
}

/// Class 3 (multiplicative error and season; N, A or Ad trend): the
/// second-order approximation of HKOS ch. 6 (the recursion R codes in
/// `forecast:::class3`), with the damped matrices carrying φ.
fn class3(fit: &FittedEts, h: usize, sigma2: f64) -> Vec<f64> {
    let sm = fit.smoothing();
    let m = fit.season_length;
    let trend = fit.spec.has_trend();
    let p = if trend { 2 } else { 1 };
    let phi = sm.phi;
    let mut a = Mat::zeros(p, 1);
    a.set(0, 0, fit.last.level);
    let mut h1 = Mat::zeros(1, p);
    let mut f1 = Mat::zeros(p, p);
    let mut g1 = Mat::zeros(p, p);
    h1.set(0, 0, 1.0);
    f1.set(0, 0, 1.0);
    g1.set(0, 0, sm.alpha);
    if trend {
        a.set(1, 0, fit.last.slope.unwrap_or(0.0));
        h1.set(0, 1, phi);
        f1.set(0, 1, phi);
        f1.set(1, 1, phi);
        g1.set(0, 1, sm.alpha * phi);
        g1.set(1, 0, sm.beta);
        g1.set(1, 1, sm.beta * phi);
    }
    let mut h2 = Mat::zeros(1, m);
    h2.set(0, m - 1, 1.0);
    let mut f2 = Mat::zeros(m, m);
    f2.set(0, m - 1, 1.0);
    for i in 1..m {
        f2.set(i, i - 1, 1.0);
    }
    let mut g2 = Mat::zeros(m, m);
    g2.set(0, m - 1, sm.gamma);
    let mut s = Mat::zeros(1, m);
    for (j, v) in fit.last.seasonal.iter().enumerate() {
        s.set(0, j, *v);
    }
    let mut mm = a.mul(&s); // p × m
    let f21 = f2.kron(&f1);
    let g21 = g2.kron(&g1);
    let k = g2.kron(&f1).add(&f2.kron(&g1), 1.0);
    let h21 = h2.kron(&h1);
    let (f21t, g21t, kt, h21t) = (f21.t(), g21.t(), k.t(), h21.t());
    let d = p * m;
    let mut v = Mat::zeros(d, d);
    let mut out = Vec::with_capacity(h);
    for _ in 0..h {
        let mu = h1.mul(&mm).mul(&h2.t()).at(0, 0);
        let var = (1.0 + sigma2) * h21.mul(&v).mul(&h21t).at(0, 0) + sigma2 * mu * mu;
        out.push(var);
        // vec M (column-major)
        let mut vec_m = Mat::zeros(d, 1);
        for j in 0..m {
            for i in 0..p {
                vec_m.set(j * p + i, 0, mm.at(i, j));
            }
        }
        let mmt = vec_m.mul(&vec_m.t());
        let term = f21
            .mul(&v)
            .mul(&g21t)
            .add(&g21.mul(&v).mul(&f21t), 1.0)
            .add(&k.mul(&v.add(&mmt, 1.0)).mul(&kt), 1.0)
            .add(
                &g21.mul(&Mat {
                    r: d,
                    c: d,
                    v: v.v
                        .iter()
                        .zip(&mmt.v)
                        .map(|(a, b)| 3.0 * a + 2.0 * b)
                        .collect(),
                })
                .mul(&g21t),
                sigma2,
            );
        v = f21.mul(&v).mul(&f21t).add(&term, sigma2);
        mm = f1
            .mul(&mm)
            .mul(&f2.t())
            .add(&g1.mul(&mm).mul(&g2.t()), sigma2);
    }
    out
}

/// Seeded sample paths from the fitted model's last state, `paths × h`
/// values path-major (path `k` is `out[k * h..(k + 1) * h]`), with
/// N(0, σ²) errors (multiplicative errors truncated at −1, so paths stay
/// positive). A path that breaks down (a multiplicative slope turning
/// negative) is NaN from there on; callers decide what to do with it.
/// One ChaCha8 stream seeded with `seed`, drawn path by path, step by step.
/// A factor shared by many series' simulations (one-factor Gaussian model):
/// step `s` of path `p` uses the standardised error
/// `√ρ · draws[p · len + offset + s] + √(1 − ρ) · z`, `z` the series' own
/// standard normal draw, so any two series' errors correlate by ρ.
#[derive(Debug, Clone, Copy)]
pub struct CommonShocks<'a> {
    /// Standard normal draws, `paths × len`, path-major.
    pub draws: &'a [f64],
    pub len: usize,
    /// Where this series' first step sits in each path's draws.
    pub offset: usize,
    /// Correlation of the errors of any two series, in [0, 1).
    pub rho: f64,
}

pub(crate) fn sample_paths(
    fit: &FittedEts,
    h: usize,
    paths: usize,
    seed: u64,
    common: Option<&CommonShocks>,
) -> Result<Vec<f64>> {
    if let Some(c) = common {
        if !(0.0..1.0).contains(&c.rho) || c.offset + h > c.len || c.draws.len() < paths * c.len {
            return Err(Error::InvalidParameter {
                name: "common shocks",
                reason: format!(
                    "rho {} (must be in [0, 1)), offset {} + {h} steps within {} per path, {} draws for {paths} paths",
                    c.rho,
                    c.offset,
                    c.len,
                    c.draws.len()
                ),
            });
        }
    }
    let (own_weight, common_weight) =
        common.map_or((1.0, 0.0), |c| ((1.0 - c.rho).sqrt(), c.rho.sqrt()));
    let st = fit.structure();
    let sm = fit.smoothing();
    let sigma = fit.sigma2.max(0.0).sqrt();
    let normal =
        Normal::new(0.0, sigma.max(f64::MIN_POSITIVE)).map_err(|e| Error::InvalidParameter {
            name: "sigma",
            reason: e.to_string(),
        })?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mult_err = fit.spec.error == Component::Multiplicative;
    let m = fit.season_length.max(1);
    let seasonal = fit.spec.has_season();
    let base_ring: Vec<f64> = if seasonal {
        fit.last.seasonal.iter().rev().copied().collect()
    } else {
        vec![if fit.spec.season == Component::Multiplicative {
            1.0
        } else {
            0.0
        }]
    };
    if seasonal && base_ring.len() != m {
        return Err(Error::ModelNotApplicable {
            model: fit.spec.to_string(),
            reason: format!("{} seasonal states for season length {m}", base_ring.len()),
        });
    }
    let mut out = vec![0.0; h * paths];
    let mut ring = base_ring.clone();
    for (p, path) in out.chunks_exact_mut(h.max(1)).enumerate() {
        ring.copy_from_slice(&base_ring);
        let (mut l, mut b) = (fit.last.level, fit.last.slope.unwrap_or(0.0));
        let mut k = 0;
        for (step, value) in path.iter_mut().enumerate() {
            let s = ring[k];
            let e = if sigma > 0.0 {
                let own = normal.sample(&mut rng);
                match common {
                    // own ~ N(0, σ²): rescale the mixture to keep variance σ²
                    Some(c) => {
                        own_weight * own
                            + common_weight * sigma * c.draws[p * c.len + c.offset + step]
                    }
                    None => own,
                }
            } else {
                0.0
            };
            *value = match st.one_step(l, b, s, sm.phi) {
                Some((yhat, q, tau)) => {
                    let y = if mult_err {
                        yhat * (1.0 + e.max(-1.0))
                    } else {
                        yhat + e
                    };
                    let (nl, nb, ns) = st.update(&sm, l, b, s, q, tau, y);
                    l = nl;
                    b = nb;
                    if seasonal {
                        ring[k] = ns;
                        k = (k + 1) % m;
                    }
                    y
                }
                None => f64::NAN,
            };
        }
    }
    Ok(out)
}

/// Classes 4–5: quantiles (type 8) of seeded simulated sample paths
/// ([`sample_paths`]).
fn simulated(
    fit: &FittedEts,
    h: usize,
    levels: &[f64],
    sim: IntervalOptions,
) -> Result<Vec<Interval>> {
    if sim.paths < 2 {
        return Err(Error::InvalidParameter {
            name: "simulation paths",
            reason: format!("need at least 2, got {}", sim.paths),
        });
    }
    let flat = sample_paths(fit, h, sim.paths, sim.seed, None)?;
    // draws[step][path]
    let mut draws: Vec<Vec<f64>> = (0..h)
        .map(|step| flat[step..].iter().step_by(h).copied().collect())
        .collect();
    let mut out: Vec<Interval> = levels
        .iter()
        .map(|&level| Interval {
            level,
            lower: Vec::with_capacity(h),
            upper: Vec::with_capacity(h),
        })
        .collect();
    for step in draws.iter_mut() {
        step.retain(|v| v.is_finite());
        step.sort_by(f64::total_cmp);
        for iv in out.iter_mut() {
            let a = (100.0 - iv.level) / 200.0;
            iv.lower.push(quantile_type8(step, a));
            iv.upper.push(quantile_type8(step, 1.0 - a));
        }
    }
    if out
        .iter()
        .any(|iv| iv.lower.iter().chain(&iv.upper).any(|v| !v.is_finite()))
    {
        return Err(Error::ModelNotApplicable {
            model: fit.spec.to_string(),
            reason: "simulated paths broke down (negative multiplicative slope)".into(),
        });
    }
    Ok(out)
}
