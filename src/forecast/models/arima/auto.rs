//! AutoARIMA: the orders chosen per series as Hyndman & Khandakar (2008)
//! and R's `forecast::auto.arima()` (defaults, `stepwise = TRUE`) do.
//!
//! 1. **Seasonal differencing D** (0 or 1): 1 when the seasonal strength
//!    of an MSTL decomposition, max(0, 1 − Var(R)/Var(S + R)), exceeds
//!    0.64 (R's `nsdiffs(test = "seas")`), with at least two full seasons.
//! 2. **Differencing d** (0–2): differenced while the KPSS test rejects
//!    level stationarity at 5% (statistic above 0.463, lag
//!    ⌊3√n / 13⌋, as `urca::ur.kpss` in R's `ndiffs`).
//! 3. **Stepwise search** by AICc from (2,d,2)(1,D,1), (0,d,0)(0,D,0),
//!    (1,d,0)(1,D,0), (0,d,1)(0,D,1) — each with a constant (a mean when
//!    d + D = 0, a drift when d + D = 1) — and without: each round tries
//!    P ± 1, Q ± 1, both, p ± 1, q ± 1, both, and the constant toggled, in
//!    R's order, moving to the first that improves and starting the round
//!    again, until none does (at most 94 models). A model whose AR or MA
//!    polynomial has a root within 1.01 of the unit circle, or that cannot
//!    be fitted, is not taken. Orders are capped as R's: p, q ≤ 5 and
//!    ≤ n/3, P, Q ≤ 2 and ≤ n/(3m), and p, q < m when the seasonal part
//!    is searched.
//!
//! Every candidate is fitted by exact maximum likelihood, except with the
//! **approximation** (R's default for series over 150 points or seasons
//! over 12, [`AutoArima::approximation`]): then candidates are fitted by
//! conditional sum of squares and ranked by offset + n* log σ²_CSS +
//! 2·npar (the offset from the exact fit of (1,d,0)(0,D,0), as R), and
//! the best are refitted exactly, in that order, until one fits. A series
//! the differencing makes constant gets the exact fit of its pattern
//! ([`FittedArima`] with σ² = 0).
//!
//! ```
//! use salesplan::forecast::models::arima::auto::AutoArima;
//! let y: Vec<f64> = (0..60)
//!     .map(|t| 100.0 + 0.5 * t as f64 + 10.0 * [1.0, -1.0, 0.5, -0.5][t % 4] + ((t * 7919) % 13) as f64)
//!     .collect();
//! let fit = AutoArima::default().fit(&y, 4)?;
//! assert!(fit.name().starts_with("ARIMA("));
//! assert!(fit.predict(8, &[95.0])?.mean.len() == 8);
//! # Ok::<(), salesplan::Error>(())
//! ```

use super::transform::is_stationary;
use super::{difference, differencing_polynomial, Arima, ArimaSpec, FittedArima};
use crate::error::{Error, Result};
use crate::forecast::models::check_values;
use crate::forecast::models::mstl::Mstl;

/// The search's limits and starting orders (R's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoArima {
    pub max_p: usize,
    pub max_q: usize,
    pub max_seasonal_p: usize,
    pub max_seasonal_q: usize,
    pub max_d: usize,
    pub max_seasonal_d: usize,
    pub start_p: usize,
    pub start_q: usize,
    pub start_seasonal_p: usize,
    pub start_seasonal_q: usize,
    /// Models fitted at most.
    pub max_models: usize,
    /// Rank the candidates by an approximation of their criterion from
    /// conditional-sum-of-squares fits, then fit the best by exact
    /// likelihood (R's `approximation`); `None`: as R, for series over 150
    /// points or seasons over 12.
    pub approximation: Option<bool>,
}

impl Default for AutoArima {
    fn default() -> AutoArima {
        AutoArima {
            max_p: 5,
            max_q: 5,
            max_seasonal_p: 2,
            max_seasonal_q: 2,
            max_d: 2,
            max_seasonal_d: 1,
            start_p: 2,
            start_q: 2,
            start_seasonal_p: 1,
            start_seasonal_q: 1,
            max_models: 94,
            approximation: None,
        }
    }
}

/// The KPSS statistic for level stationarity (residuals from the mean,
/// Bartlett weights over `lag` autocovariances): Σ S_t² / (n² s²).
pub fn kpss_statistic(x: &[f64], lag: usize) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let e: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let mut s2 = e.iter().map(|v| v * v).sum::<f64>() / n;
    for l in 1..=lag.min(e.len().saturating_sub(1)) {
        let w = 1.0 - l as f64 / (lag as f64 + 1.0);
        let cov: f64 = e[l..].iter().zip(&e).map(|(a, b)| a * b).sum();
        s2 += 2.0 * w * cov / n;
    }
    let mut partial = 0.0;
    let mut sum_sq = 0.0;
    for v in &e {
        partial += v;
        sum_sq += partial * partial;
    }
    sum_sq / (n * n * s2)
}

/// KPSS critical value at 5% for level stationarity (Kwiatkowski et al.
/// 1992, Table 1).
const KPSS_5_PERCENT: f64 = 0.463;

/// Seasonal strength above which the series is seasonally differenced
/// (Wang, Smith & Hyndman 2006; R's `nsdiffs`).
const SEASONAL_STRENGTH: f64 = 0.64;

fn is_constant(x: &[f64]) -> bool {
    x.iter().all(|v| *v == x[0])
}

/// How many first differences make `x` level-stationary by KPSS, at most
/// `max_d` (R's `ndiffs(test = "kpss")`).
pub fn differences_needed(x: &[f64], max_d: usize) -> usize {
    let mut x = x.to_vec();
    let mut d = 0;
    while d < max_d && x.len() > 2 && !is_constant(&x) {
        let lag = (3.0 * (x.len() as f64).sqrt() / 13.0) as usize;
        if kpss_statistic(&x, lag) <= KPSS_5_PERCENT {
            break;
        }
        x = difference(&x, &differencing_polynomial(1, 0, 1));
        d += 1;
    }
    d
}

/// The seasonal strength of `x` at period `m` from an MSTL decomposition,
/// in [0, 1]; `None` with fewer than two full seasons.
pub fn seasonal_strength(x: &[f64], m: usize) -> Option<f64> {
    if m < 2 || x.len() < 2 * m + 1 {
        return None;
    }
    let d = Mstl::new(&[m as f64]).ok()?.decompose(x).ok()?;
    let seasonal = &d.seasonals.first()?.values;
    let var = |v: &[f64]| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1.0)
    };
    let with: Vec<f64> = d
        .remainder
        .iter()
        .zip(seasonal)
        .map(|(r, s)| r + s)
        .collect();
    let total = var(&with);
    Some(if total > 0.0 {
        (1.0 - var(&d.remainder) / total).clamp(0.0, 1.0)
    } else {
        0.0
    })
}

/// A candidate's orders and constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Orders {
    p: usize,
    q: usize,
    sp: usize,
    sq: usize,
    constant: bool,
}

/// Whether every root of 1 − Σ φᵢzⁱ (`ar`) or 1 + Σ θᵢzⁱ lies farther
/// than `radius` from 0: the polynomial in u = z / radius must be
/// stationary, which the partial autocorrelations decide exactly (no root
/// finding).
fn roots_outside(coefficients: &[f64], ar: bool, radius: f64) -> bool {
    let scaled: Vec<f64> = coefficients
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let v = if ar { *v } else { -v };
            v * radius.powi(i as i32 + 1)
        })
        .collect();
    is_stationary(&scaled)
}

impl AutoArima {
    /// Chooses the orders for `y` at season length `m` and fits them.
    pub fn fit(&self, y: &[f64], m: usize) -> Result<FittedArima> {
        check_values(y, 1)?;
        let n = y.len();
        if is_constant(y) {
            return Ok(FittedArima::exact(ArimaSpec::new(0, 0, 0), 1, y, y[0]));
        }
        let m = m.max(1);
        let third = n / 3;
        let mut limits = *self;
        limits.max_p = limits.max_p.min(third);
        limits.max_q = limits.max_q.min(third);
        limits.max_seasonal_p = limits.max_seasonal_p.min(third / m);
        limits.max_seasonal_q = limits.max_seasonal_q.min(third / m);
        let seasonal = m > 1 && n > m;
        if !seasonal {
            limits.max_seasonal_p = 0;
            limits.max_seasonal_q = 0;
        }
        let big_d = if seasonal && self.max_seasonal_d > 0 {
            usize::from(seasonal_strength(y, m).is_some_and(|s| s > SEASONAL_STRENGTH))
        } else {
            0
        };
        let dx = if big_d > 0 {
            difference(y, &differencing_polynomial(0, 1, m))
        } else {
            y.to_vec()
        };
        let d = differences_needed(&dx, self.max_d);
        let period = if seasonal { m } else { 1 };
        let spec_of = |o: Orders| {
            let mut s = ArimaSpec::new(o.p, d, o.q).seasonal(o.sp, big_d, o.sq);
            s.mean = o.constant && d + big_d == 0;
            s.drift = o.constant && d + big_d == 1;
            s
        };
        // the differenced series: constant means an exact pattern
        let w = difference(y, &differencing_polynomial(d, big_d, period));
        if w.is_empty() {
            return Err(Error::TooShort {
                series: String::new(),
                needed: d + big_d * period + 1,
                got: n,
            });
        }
        if is_constant(&w) {
            let level = if d + big_d <= 1 { w[0] } else { 0.0 };
            let spec = spec_of(Orders {
                p: 0,
                q: 0,
                sp: 0,
                sq: 0,
                constant: d + big_d <= 1,
            });
            return Ok(FittedArima::exact(spec, period, y, level));
        }
        if seasonal && limits.max_seasonal_p > 0 {
            limits.max_p = limits.max_p.min(m - 1);
        }
        if seasonal && limits.max_seasonal_q > 0 {
            limits.max_q = limits.max_q.min(m - 1);
        }
        let allow_constant = d + big_d <= 1;
        // AICc (AIC for n ≤ 3), infinite for a root within 1.01 of the
        // unit circle or too few observations for the parameters
        let criterion = |phi: &[f64], theta: &[f64], aic: f64, npar: usize, nstar: usize| -> f64 {
            let clear = roots_outside(phi, true, 1.01) && roots_outside(theta, false, 1.01);
            let (npar, nstar) = (npar as f64, nstar as f64);
            if !clear || !aic.is_finite() || nstar - npar - 1.0 <= 0.0 {
                return f64::INFINITY;
            }
            if n <= 3 {
                aic
            } else {
                aic + 2.0 * npar * (npar + 1.0) / (nstar - npar - 1.0)
            }
        };
        let ic_of = |fit: &FittedArima| -> f64 {
            let c = &fit.coefficients;
            let phi = super::expand(&c.ar, &c.seasonal_ar, period, false);
            let theta = super::expand(&c.ma, &c.seasonal_ma, period, true);
            let npar = c.ar.len()
                + c.ma.len()
                + c.seasonal_ar.len()
                + c.seasonal_ma.len()
                + usize::from(c.mean.is_some())
                + usize::from(c.drift.is_some())
                + 1;
            criterion(&phi, &theta, fit.aic, npar, fit.n_used)
        };
        let nstar = w.len();
        // the approximation's offset (R: −2 log L − n log σ̂² of the
        // (1,d,0)(0,D,0) fit by ML, σ̂² = Σ v²/F / n): CSS fits are then
        // ranked by offset + n* log σ²_CSS + 2 npar
        let approximate = self.approximation.unwrap_or(n > 150 || m > 12);
        let offset = approximate
            .then(|| {
                let o = Orders {
                    p: 1,
                    q: 0,
                    sp: 0,
                    sq: 0,
                    constant: d + big_d == 0,
                };
                let fit = Arima::new(spec_of(o), period).and_then(|a| a.fit(y)).ok()?;
                let npar = 1 + usize::from(d + big_d == 0) + 1;
                let ssq = fit.sigma2 * (nstar as f64 - npar as f64 + 1.0);
                let sigma2 = ssq / fit.n_used as f64;
                let offset = -2.0 * fit.loglik - n as f64 * sigma2.ln();
                offset.is_finite().then_some(offset)
            })
            .flatten();
        // one candidate's criterion, with its exact fit unless approximated
        let evaluate = |o: Orders| -> Option<(f64, Option<FittedArima>)> {
            let arima = Arima::new(spec_of(o), period).ok()?;
            match offset {
                Some(offset) => {
                    let css = arima.fit_css(y).ok()?;
                    let aic = offset + nstar as f64 * css.sigma2.ln() + 2.0 * css.npar as f64;
                    Some((criterion(&css.phi, &css.theta, aic, css.npar, nstar), None))
                }
                None => {
                    let fit = arima.fit(y).ok()?;
                    Some((ic_of(&fit), Some(fit)))
                }
            }
        };
        // every model tried, with its criterion (infinite when it failed)
        let mut tried: Vec<(f64, Orders)> = Vec::new();
        let mut best: Option<(f64, Option<FittedArima>, Orders)> = None;
        let mut try_model =
            |o: Orders, best: &mut Option<(f64, Option<FittedArima>, Orders)>| -> bool {
                if tried.iter().any(|t| t.1 == o) || tried.len() >= self.max_models {
                    return false;
                }
                let (ic, fit) = evaluate(o).unwrap_or((f64::INFINITY, None));
                tried.push((ic, o));
                let better = best.as_ref().is_none_or(|(b, _, _)| ic < *b) && ic.is_finite();
                if better {
                    *best = Some((ic, fit, o));
                }
                better
            };
        let sp0 = usize::from(seasonal && limits.max_seasonal_p > 0);
        let sq0 = usize::from(seasonal && limits.max_seasonal_q > 0);
        let small = n < 10;
        let start = Orders {
            p: self
                .start_p
                .min(limits.max_p)
                .min(if small { 1 } else { usize::MAX }),
            q: self
                .start_q
                .min(limits.max_q)
                .min(if small { 1 } else { usize::MAX }),
            sp: if small {
                0
            } else {
                self.start_seasonal_p.min(limits.max_seasonal_p)
            },
            sq: if small {
                0
            } else {
                self.start_seasonal_q.min(limits.max_seasonal_q)
            },
            constant: allow_constant,
        };
        let c = allow_constant;
        // where the stepwise search stands: the orders of the best model,
        // and the constant its neighbours get
        let mut current: Option<Orders> = None;
        for o in [
            start,
            Orders {
                p: 0,
                q: 0,
                sp: 0,
                sq: 0,
                constant: c,
            },
            Orders {
                p: usize::from(limits.max_p > 0),
                q: 0,
                sp: sp0,
                sq: 0,
                constant: c,
            },
            Orders {
                p: 0,
                q: usize::from(limits.max_q > 0),
                sp: 0,
                sq: sq0,
                constant: c,
            },
        ] {
            if try_model(o, &mut best) {
                current = Some(o);
            }
        }
        // the null model without the constant; when it wins, the search
        // goes on from (0,0)(0,0) *with* the constant, as R's does (its
        // `constant` is not reset there: neighbours keep the constant
        // until the toggle step takes it off)
        if allow_constant {
            let null = Orders {
                p: 0,
                q: 0,
                sp: 0,
                sq: 0,
                constant: false,
            };
            if try_model(null, &mut best) {
                current = Some(Orders {
                    constant: true,
                    ..null
                });
            }
        }
        // stepwise: the first neighbour that improves becomes the model,
        // and the round starts again
        'search: while let Some(o) = current {
            let l = &limits;
            let steps: [(i64, i64, i64, i64); 16] = [
                (0, 0, -1, 0),
                (0, 0, 0, -1),
                (0, 0, 1, 0),
                (0, 0, 0, 1),
                (0, 0, -1, -1),
                (0, 0, -1, 1),
                (0, 0, 1, -1),
                (0, 0, 1, 1),
                (-1, 0, 0, 0),
                (0, -1, 0, 0),
                (1, 0, 0, 0),
                (0, 1, 0, 0),
                (-1, -1, 0, 0),
                (-1, 1, 0, 0),
                (1, -1, 0, 0),
                (1, 1, 0, 0),
            ];
            for (dp, dq, dsp, dsq) in steps {
                let shift = |v: usize, by: i64, max: usize| -> Option<usize> {
                    let next = v as i64 + by;
                    (0..=max as i64).contains(&next).then_some(next as usize)
                };
                let (Some(p), Some(q), Some(sp), Some(sq)) = (
                    shift(o.p, dp, l.max_p),
                    shift(o.q, dq, l.max_q),
                    shift(o.sp, dsp, l.max_seasonal_p),
                    shift(o.sq, dsq, l.max_seasonal_q),
                ) else {
                    continue;
                };
                let next = Orders { p, q, sp, sq, ..o };
                if try_model(next, &mut best) {
                    current = Some(next);
                    continue 'search;
                }
            }
            let toggled = Orders {
                constant: !o.constant,
                ..o
            };
            if allow_constant && try_model(toggled, &mut best) {
                current = Some(toggled);
                continue 'search;
            }
            break;
        }
        let none_fitted = || {
            Error::ModelNotApplicable {
            model: "AutoARIMA".into(),
            reason: "no ARIMA model could be fitted (every candidate failed or had a root on the unit circle)".into(),
        }
        };
        if best.is_some() && offset.is_some() {
            // refit by exact likelihood, best approximate criterion first,
            // until one fits (R: "re-fitting the best model(s) without
            // approximations")
            tried.retain(|(ic, _)| ic.is_finite());
            tried.sort_by(|a, b| a.0.total_cmp(&b.0));
            return tried
                .iter()
                .find_map(|(_, o)| {
                    let fit = Arima::new(spec_of(*o), period)
                        .and_then(|a| a.fit(y))
                        .ok()?;
                    ic_of(&fit).is_finite().then_some(fit)
                })
                .ok_or_else(none_fitted);
        }
        best.and_then(|(_, fit, _)| fit).ok_or_else(none_fitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpss_rejects_a_random_walk_and_keeps_noise() {
        use rand::SeedableRng;
        use rand_distr::Distribution;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut walk = vec![0.0];
        let mut noise = Vec::new();
        for t in 1..200 {
            let e: f64 = rand_distr::StandardNormal.sample(&mut rng);
            walk.push(walk[t - 1] + e);
            noise.push(e);
        }
        assert_eq!(differences_needed(&noise, 2), 0);
        assert_eq!(differences_needed(&walk, 2), 1);
    }

    #[test]
    fn a_strong_season_is_differenced() {
        let y: Vec<f64> = (0..48)
            .map(|t| 100.0 + 20.0 * [1.0, -1.0, 0.5, -0.5][t % 4] + ((t * 31) % 7) as f64)
            .collect();
        assert!(seasonal_strength(&y, 4).unwrap() > 0.9);
        let flat: Vec<f64> = (0..48).map(|t| ((t * 7919) % 13) as f64).collect();
        assert!(seasonal_strength(&flat, 4).unwrap() < 0.64);
    }

    #[test]
    fn roots_near_the_unit_circle_are_found_without_root_finding() {
        // 1 − 0.5 z^12: every root has modulus 2^(1/12) ≈ 1.0595
        let mut phi = vec![0.0; 12];
        phi[11] = 0.5;
        assert!(roots_outside(&phi, true, 1.05));
        assert!(!roots_outside(&phi, true, 1.06));
        // 1 + 0.995 z: root at −1.005, inside the 1.01 margin
        assert!(!roots_outside(&[0.995], false, 1.01));
        assert!(roots_outside(&[0.9], false, 1.01));
    }

    #[test]
    fn a_constant_series_is_forecast_flat_and_exactly() {
        let fit = AutoArima::default().fit(&[5.0; 20], 4).unwrap();
        let f = fit.predict(3, &[95.0]).unwrap();
        assert_eq!(f.mean, [5.0; 3]);
        assert_eq!(f.intervals[0].lower, [5.0; 3]);
        // a line: drift, exactly
        let line: Vec<f64> = (0..20).map(|t| 2.0 * t as f64).collect();
        let f = AutoArima::default()
            .fit(&line, 1)
            .unwrap()
            .predict(2, &[80.0])
            .unwrap();
        assert!((f.mean[0] - 40.0).abs() < 1e-9 && (f.mean[1] - 42.0).abs() < 1e-9);
    }
}
