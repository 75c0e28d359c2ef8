//! How much each event moves a series, estimated from its history, and
//! the history with the events taken out (or a forecast with them put in).
//!
//! The model is multiplicative, on logs, with a level per block (year) and
//! an effect per season (calendar month):
//!
//! `ln y[t] = level[block t] + season[season t] + Σ_k beta[k] · x[t, k] + e[t]`
//!
//! where `x` are the [`Regressors`]. The two sets of
//! fixed effects are swept out by alternating projections (the within
//! transform of a two-way panel; it handles missing periods and zero
//! sales, which are left out), then `beta` is the least-squares solution.
//! A column that does not vary within its seasons (a fixed-date event in
//! monthly data) carries no information and is left at the prior.
//!
//! One series rarely has enough occurrences of an event to pin its effect
//! down (five Chinese New Years in five years of history), so effects are
//! pooled: [`EventEffects::posterior`] shrinks a series' estimate towards
//! a prior — its parent's effects in an org tree, or the pool of all series
//! — with the prior's spread estimated from the siblings
//! ([`prior_spread`], the method of moments of empirical Bayes: the
//! variance of the siblings' estimates less their mean sampling variance).
//!
//! ```
//! use salesplan::events::effects::{estimate, EventEffects};
//! use salesplan::events::{month_periods, EventCalendar};
//! let cal = EventCalendar::new(&["china"])?;
//! let periods = month_periods(2019, 1, 84)?;
//! let x = cal.regressors("rep", &periods)?;
//! let k = x.column("spring_festival").unwrap();
//! // a series that sells 40% less in the months holding the holiday
//! let y: Vec<f64> = (0..84).map(|t| 100.0 * (-0.5 * x.value(t, k)).exp()).collect();
//! let season: Vec<usize> = (0..84).map(|t| t % 12).collect();
//! let block: Vec<usize> = (0..84).map(|t| t / 12).collect();
//! let e = estimate(&y, &season, &block, &x);
//! assert!((e.beta()[k] + 0.5).abs() < 1e-6);
//! # Ok::<(), salesplan::Error>(())
//! ```

use nalgebra::{DMatrix, DVector};

use crate::numeric::stats::quantile_type8;

use super::Regressors;

/// Estimated event effects of one series (log scale, per unit of each
/// regressor) and their precision.
#[derive(Debug, Clone, PartialEq)]
pub struct EventEffects {
    beta: Vec<f64>,
    /// `X'X / sigma²` of the within-transformed regressors, row-major.
    precision: Vec<f64>,
    observations: usize,
}

/// Most sweeps of the alternating projections (each removes the block
/// means, then the season means).
const SWEEPS: usize = 200;

/// Least relative drop of the holdout error for [`select_columns`] to add
/// a group (a smaller drop is within what chance gives a column with no
/// effect).
pub const MIN_GAIN: f64 = 0.02;

/// Least movement of a regressor, relative to its range, for its effect
/// to be estimated.
pub const MIN_MOVE: f64 = 0.1;

impl EventEffects {
    /// No information: zero effects with zero precision (`columns` wide).
    pub fn none(columns: usize) -> EventEffects {
        EventEffects {
            beta: vec![0.0; columns],
            precision: vec![0.0; columns * columns],
            observations: 0,
        }
    }

    /// The effects (log scale).
    pub fn beta(&self) -> &[f64] {
        &self.beta
    }

    /// Number of observations used.
    pub fn observations(&self) -> usize {
        self.observations
    }

    /// The sampling variance of each effect (infinite where the data say
    /// nothing about it).
    pub fn variances(&self) -> Vec<f64> {
        let k = self.beta.len();
        let p = DMatrix::from_row_slice(k, k, &self.precision);
        let active: Vec<usize> = (0..k).filter(|&i| p[(i, i)] > 0.0).collect();
        let mut out = vec![f64::INFINITY; k];
        if active.is_empty() {
            return out;
        }
        let sub = DMatrix::from_fn(active.len(), active.len(), |a, b| p[(active[a], active[b])]);
        if let Some(inv) = sub.try_inverse() {
            for (a, &i) in active.iter().enumerate() {
                if inv[(a, a)] > 0.0 {
                    out[i] = inv[(a, a)];
                }
            }
        }
        out
    }

    /// The estimate shrunk towards `prior` (a prior mean per effect, with
    /// spread `spread[k]`, a standard deviation; 0 pins the effect at the
    /// prior): `(P + D)⁻¹ (P beta + D prior)` with `D = diag(1/spread²)`.
    pub fn posterior(&self, prior: &[f64], spread: &[f64]) -> Vec<f64> {
        let k = self.beta.len();
        let p = DMatrix::from_row_slice(k, k, &self.precision);
        let d: Vec<f64> = spread
            .iter()
            .map(|s| if *s > 0.0 { 1.0 / (s * s) } else { 1e12 })
            .collect();
        let a = &p + DMatrix::from_diagonal(&DVector::from_vec(d.clone()));
        let rhs = &p * DVector::from_column_slice(&self.beta)
            + DVector::from_iterator(k, (0..k).map(|i| d[i] * prior[i]));
        match a.cholesky() {
            Some(c) => c.solve(&rhs).iter().copied().collect(),
            None => prior.to_vec(),
        }
    }
}

/// The spread of the true effects across `siblings` around `mean`, per
/// effect, over the siblings that carry information on it (`fallback`
/// when fewer than three do; at least `floor`): the `tau` at which the
/// median of the standardised squared deviations
/// `(beta_i - mean)² / (v_i + tau²)` is that of a χ²₁ variable (0.4549),
/// `v_i` being each estimate's sampling variance. It is the Paule–Mandel
/// estimator of a random-effects meta-analysis (Paule & Mandel 1982;
/// DerSimonian & Kacker 2007) with the median in place of the mean, so a
/// few siblings whose estimate is far off and whose variance is
/// understated (a rep with a year of sales, an account with one large
/// order) do not widen the spread for all the others; the plain moment
/// estimate (variance of the estimates less their mean variance) gave the
/// demo's reps a spread of 0.68 in one year and 0.02 in the next.
pub fn prior_spread(
    siblings: &[&EventEffects],
    mean: &[f64],
    floor: f64,
    fallback: f64,
) -> Vec<f64> {
    // the median of χ²₁
    const CHI2_MEDIAN: f64 = 0.454_936_423_119_572_8;
    let k = mean.len();
    let variances: Vec<Vec<f64>> = siblings.iter().map(|s| s.variances()).collect();
    (0..k)
        .map(|j| {
            let pairs: Vec<(f64, f64)> = siblings
                .iter()
                .zip(&variances)
                .filter(|(_, v)| v[j].is_finite())
                .map(|(s, v)| ((s.beta[j] - mean[j]).powi(2), v[j]))
                .collect();
            if pairs.len() < 3 {
                return fallback;
            }
            let median_at = |tau: f64| {
                let mut z: Vec<f64> = pairs.iter().map(|(d, v)| d / (v + tau * tau)).collect();
                z.sort_unstable_by(f64::total_cmp);
                quantile_type8(&z, 0.5)
            };
            if median_at(floor) <= CHI2_MEDIAN {
                return floor;
            }
            // the median falls as tau grows: bisect on a bracket
            let (mut lo, mut hi) = (floor, floor.max(1e-3));
            while median_at(hi) > CHI2_MEDIAN && hi < 1e3 {
                lo = hi;
                hi *= 2.0;
            }
            for _ in 0..60 {
                let mid = 0.5 * (lo + hi);
                if median_at(mid) > CHI2_MEDIAN {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            hi
        })
        .collect()
}

/// Least-squares event effects of `values` (season and block index of
/// each period given; values that are not positive and finite are left
/// out) on the regressors `x` (one row per value). Columns without
/// variation inside their seasons and blocks get zero effect and zero
/// precision.
pub fn estimate(values: &[f64], season: &[usize], block: &[usize], x: &Regressors) -> EventEffects {
    estimate_columns(values, season, block, x, &vec![true; x.columns()])
}

/// As [`estimate`] with only the columns where `mask` is true.
pub fn estimate_columns(
    values: &[f64],
    season: &[usize],
    block: &[usize],
    x: &Regressors,
    mask: &[bool],
) -> EventEffects {
    let k = x.columns();
    let keep: Vec<usize> = (0..values.len().min(x.rows()))
        .filter(|&t| values[t].is_finite() && values[t] > 0.0)
        .collect();
    let n = keep.len();
    let seasons = season.iter().copied().max().map_or(0, |m| m + 1);
    let blocks = block.iter().copied().max().map_or(0, |m| m + 1);
    if n == 0 || k == 0 {
        return EventEffects::none(k);
    }
    let s: Vec<usize> = keep.iter().map(|&t| season[t]).collect();
    let b: Vec<usize> = keep.iter().map(|&t| block[t]).collect();
    let mut z: Vec<f64> = keep.iter().map(|&t| values[t].ln()).collect();
    sweep_out(&mut z, &s, seasons, &b, blocks);
    let mut columns: Vec<Vec<f64>> = (0..k)
        .map(|j| keep.iter().map(|&t| x.value(t, j)).collect())
        .collect();
    for c in &mut columns {
        sweep_out(c, &s, seasons, &b, blocks);
    }
    // columns that carry information: some period's value moves by at
    // least a tenth of the column's range once seasons and blocks are
    // swept out (a holiday that slips a day across a month's end in one
    // year is noise, not a signal to estimate from)
    let active: Vec<usize> = (0..k)
        .filter(|&j| {
            let scale = keep
                .iter()
                .map(|&t| x.value(t, j).abs())
                .fold(0.0, f64::max);
            let moved = columns[j].iter().map(|v| v.abs()).fold(0.0, f64::max);
            mask[j] && scale > 0.0 && moved >= MIN_MOVE * scale
        })
        .collect();
    let fixed_effects = distinct(&s) + distinct(&b) - 1;
    let dof = n as isize - fixed_effects as isize - active.len() as isize;
    if active.is_empty() || dof < 2 {
        return EventEffects::none(k);
    }
    let m = active.len();
    let xm = DMatrix::from_fn(n, m, |t, a| columns[active[a]][t]);
    let zv = DVector::from_column_slice(&z);
    let xtx = xm.transpose() * &xm;
    let xtz = xm.transpose() * &zv;
    // a whisper of ridge keeps collinear columns (the Spring Festival and
    // the working days) solvable; it is scaled to each column
    let ridge = DMatrix::from_fn(m, m, |a, c| if a == c { 1e-9 * xtx[(a, a)] } else { 0.0 });
    let Some(chol) = (&xtx + ridge).cholesky() else {
        return EventEffects::none(k);
    };
    let coef = chol.solve(&xtz);
    let resid = &zv - &xm * &coef;
    let sigma2 = resid.dot(&resid) / dof as f64;
    let sigma2 = sigma2.max(1e-12);
    let mut beta = vec![0.0; k];
    let mut precision = vec![0.0; k * k];
    for (a, &i) in active.iter().enumerate() {
        beta[i] = coef[a];
        for (c, &j) in active.iter().enumerate() {
            precision[i * k + j] = xtx[(a, c)] / sigma2;
        }
    }
    EventEffects {
        beta,
        precision,
        observations: n,
    }
}

/// The columns worth estimating on this series, chosen on holdouts inside
/// its history: forward selection over `groups` of columns (a festival's
/// windows go together), each step adding the group that most lowers the
/// leave-one-block-out error, and lowers it in most of the held-out years (each year in turn held out, the effects and
/// season fitted on the others, the held-out year's log sales predicted up
/// to its level), stopping when none lowers it by [`MIN_GAIN`].
/// With fewer than three years there is nothing to hold out: the columns
/// `short` are used (the caller's prior choice; none for no events). Needs three blocks with
pub fn select_columns(
    values: &[f64],
    season: &[usize],
    block: &[usize],
    x: &Regressors,
    groups: &[Vec<usize>],
    short: &[usize],
) -> Vec<bool> {
    let k = x.columns();
    let mut mask = vec![false; k];
    let Some(mut best) = holdout_errors(values, season, block, x, &mask) else {
        for &c in short {
            mask[c] = true;
        }
        return mask;
    };
    let total = |e: &[f64]| e.iter().sum::<f64>();
    loop {
        let mut step: Option<(usize, Vec<f64>)> = None;
        for (g, cols) in groups.iter().enumerate() {
            if cols.iter().all(|&c| mask[c]) {
                continue;
            }
            let mut trial = mask.clone();
            for &c in cols {
                trial[c] = true;
            }
            let Some(e) = holdout_errors(values, season, block, x, &trial) else {
                continue;
            };
            // better overall, and in most of the held-out years
            let wins = e.iter().zip(&best).filter(|(a, b)| a < b).count();
            if total(&e) < (1.0 - MIN_GAIN) * total(&best)
                && 2 * wins > e.len()
                && step.as_ref().is_none_or(|(_, s)| total(&e) < total(s))
            {
                step = Some((g, e));
            }
        }
        let Some((g, e)) = step else { break };
        for &c in &groups[g] {
            mask[c] = true;
        }
        best = e;
    }
    mask
}

/// Squared leave-one-block-out errors of the log values, summed per held
/// out block (its errors centred on their mean: its level is not
/// predicted); `None` with fewer than three blocks holding at least six
/// values.
fn holdout_errors(
    values: &[f64],
    season: &[usize],
    block: &[usize],
    x: &Regressors,
    mask: &[bool],
) -> Option<Vec<f64>> {
    let usable = |v: f64| v.is_finite() && v > 0.0;
    let blocks = block.iter().copied().max().map_or(0, |m| m + 1);
    let seasons = season.iter().copied().max().map_or(0, |m| m + 1);
    let mut count = vec![0usize; blocks];
    for (t, &b) in block.iter().enumerate() {
        if usable(values[t]) {
            count[b] += 1;
        }
    }
    let held: Vec<usize> = (0..blocks).filter(|&b| count[b] >= 6).collect();
    if held.len() < 3 {
        return None;
    }
    let mut out_errors = Vec::with_capacity(held.len());
    for &out in &held {
        let train: Vec<f64> = values
            .iter()
            .zip(block)
            .map(|(v, &b)| if b == out { f64::NAN } else { *v })
            .collect();
        let fit = estimate_columns(&train, season, block, x, mask);
        // season effects of the training years, from the event-free logs
        let mut sum = vec![0.0; seasons];
        let mut n = vec![0usize; seasons];
        let mut level = vec![(0.0, 0usize); blocks];
        let free = |t: usize| {
            let e: f64 = x.row(t).iter().zip(fit.beta()).map(|(a, b)| a * b).sum();
            values[t].ln() - e
        };
        for t in (0..values.len()).filter(|&t| block[t] != out && usable(values[t])) {
            level[block[t]].0 += free(t);
            level[block[t]].1 += 1;
        }
        for t in (0..values.len()).filter(|&t| block[t] != out && usable(values[t])) {
            let (s, c) = level[block[t]];
            sum[season[t]] += free(t) - s / c as f64;
            n[season[t]] += 1;
        }
        let errors: Vec<f64> = (0..values.len())
            .filter(|&t| block[t] == out && usable(values[t]) && n[season[t]] > 0)
            .map(|t| free(t) - sum[season[t]] / n[season[t]] as f64)
            .collect();
        let mean = errors.iter().sum::<f64>() / errors.len().max(1) as f64;
        out_errors.push(errors.iter().map(|e| (e - mean).powi(2)).sum::<f64>());
    }
    Some(out_errors)
}

/// Removes block means and season means from `v` until both are zero.
fn sweep_out(v: &mut [f64], season: &[usize], seasons: usize, block: &[usize], blocks: usize) {
    let mut sum = vec![0.0; seasons.max(blocks)];
    let mut count = vec![0usize; seasons.max(blocks)];
    for _ in 0..SWEEPS {
        let mut moved = 0.0f64;
        for (index, groups) in [(block, blocks), (season, seasons)] {
            sum[..groups].fill(0.0);
            count[..groups].fill(0);
            for (x, &g) in v.iter().zip(index) {
                sum[g] += x;
                count[g] += 1;
            }
            for (x, &g) in v.iter_mut().zip(index) {
                let mean = sum[g] / count[g] as f64;
                moved = moved.max(mean.abs());
                *x -= mean;
            }
        }
        if moved < 1e-13 {
            break;
        }
    }
}

fn distinct(v: &[usize]) -> usize {
    let mut seen: Vec<usize> = v.to_vec();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// The columns of `x` that go together in [`select_columns`]: a
/// festival's windows (`spring_festival_before` and `spring_festival`:
/// a name and the same name with `_before`), every other column alone.
pub fn column_groups(x: &Regressors) -> Vec<Vec<usize>> {
    let stem = |n: &str| n.strip_suffix("_before").unwrap_or(n).to_string();
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (j, n) in x.names().iter().enumerate() {
        let s = stem(n);
        match groups.iter_mut().find(|(g, _)| *g == s) {
            Some((_, cols)) => cols.push(j),
            None => groups.push((s, vec![j])),
        }
    }
    groups.into_iter().map(|(_, c)| c).collect()
}

/// The columns used when the history is too short to choose on holdout
/// years ([`select_columns`]'s `short`): the Spring Festival season's
/// group, the one event that moves sales between months everywhere in
/// China; none without the `china` set.
pub fn short_history_columns(x: &Regressors, groups: &[Vec<usize>]) -> Vec<usize> {
    groups
        .iter()
        .find(|g| g.iter().any(|&c| x.names()[c] == "spring_festival"))
        .cloned()
        .unwrap_or_default()
}

/// `values[t] · exp(sign · x[t] · beta)`: `sign = -1` takes the events out
/// of a history, `+1` puts them into a forecast. Non-finite values pass
/// through.
pub fn apply(values: &[f64], x: &Regressors, beta: &[f64], sign: f64) -> Vec<f64> {
    values
        .iter()
        .enumerate()
        .map(|(t, v)| {
            let e: f64 = x.row(t).iter().zip(beta).map(|(a, b)| a * b).sum();
            v * (sign * e).exp()
        })
        .collect()
}
