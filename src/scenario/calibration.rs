//! Calibration of the simulated plan year from rolling-origin backtests of
//! the leaves' own history.
//!
//! A leaf's simulated annual totals come from its fitted ETS model: paths
//! from the last state with the fitted parameters and Gaussian errors of
//! the in-sample variance. On real series that distribution is roughly
//! right in the middle and too thin in the tails (parameter and form
//! uncertainty are ignored), and a year's sales can share a shift across
//! leaves. So before the plan year is simulated, the whole fitting
//! procedure is backtested: at origins one, two, ... years back (as many
//! as the history allows, at most [`MAX_ORIGINS`]), each sampled leaf is
//! refitted on the history before the origin, its next `periods` are
//! simulated, and the actual total is placed in that distribution. Four
//! things are learnt, pooled over the leaves:
//!
//! 1. **Shape.** The standardised errors z = (ln A − m)/σ(s) — m the log
//!    median of the simulated totals, s their log half-spread (q84 − q16)/2,
//!    σ(s) = √(σ₀(s)² + τ²), σ₀(s) = s up to a hinge s_h and
//!    s_h·(s/s_h)^b above it — the hinge (a quartile of the windows' s),
//!    the power b and the floor τ by maximum likelihood, b = 1 unless it
//!    gains χ²₂'s 95% point: the model's spread of a volatile leaf's year
//!    often grows faster than its errors do, while the smooth leaves'
//!    spreads are about right — form an empirical quantile
//!    function Q (centred on its median, winsorised at 0.5%/99.5%).
//!    Each leaf's plan-year totals are then mapped monotonically,
//!    T′ = exp(m + σ(s)·Q(u)) with u the path's rank, so ranks (and the shared
//!    factor) are kept and the spread and tails follow the backtests:
//!    conformal-style calibration of the annual total, the probability
//!    integral transform of the backtested totals made uniform.
//! 2. **Level.** Per origin r = the median over the leaves of ln A − m
//!    (every leaf counts once, whatever its size). The mean r̄ over the
//!    origins is applied only as far as the origins agree on it:
//!    c = exp(w·r̄), w = t²/(1 + t²), t = r̄ / se(r̄) — a bias that flips sign
//!    from year to year is not corrected, a persistent one is.
//! 3. **Level of totals.** A parent's probability is about a sum, which
//!    big leaves dominate; leaves that are right at the median can still
//!    sum high (on M3 big series are forecast high, small ones low). So the
//!    backtested leaves of each origin are summed in groups of a typical
//!    parent's size (in leaf order), path by path on their calibrated
//!    paths, and per origin r_g = the mean over groups of ln(actual total)
//!    − ln(median of the summed paths). Its mean over the origins, shrunk
//!    the same way, multiplies the level: c = exp(w·r̄ + w_g·r̄_g).
//! 4. **Dependence.** The normal scores of the calibrated backtest PITs,
//!    origin by origin (one origin's errors of every leaf together), give
//!    each origin's one-factor correlation ρ_o = (S_o² − Q_o) / (c_o² − c_o)
//!    of the leaves' annual errors (after the level correction: what is
//!    left is the year-to-year shock that totals feel), and their mean is
//!    shrunk as far as the origins disagree, as the level is: three draws
//!    of a year's shock are little evidence. Independent leaves give
//!    ρ ≈ 0; leaves that share shocks give ρ > 0.
//!
//! A window whose actual total is not positive (a rep who sold nothing
//! that year, or returns) or whose simulated lower spread is zero is left
//! out; a leaf whose simulated totals are often zero is only scaled by the
//! level. With fewer than [`MIN_WINDOWS`] usable windows nothing is
//! calibrated (and the CLI says so).
//!
//! Everything is done once per run, on at most [`BACKTEST_WINDOWS`]
//! windows spread evenly over the eligible (leaf, origin) pairs; each
//! window's simulation has its own seeded stream, so the result is the
//! same for any number of threads.
//!
//! How the design was settled (BENCHMARKS.md, "Calibrated attainment
//! probabilities"): on a holdout inside the M3 training data (the last 12
//! training months as the plan year, `scripts/holdout_split.py`), never on
//! the test periods; then checked on M3's test year and on the monthly
//! series of M1 and of the Tourism competition. The ETS spread carries each
//! rep's sharpness (a fully empirical spread lost Brier score); actual
//! totals fall outside the simulated 90% range 20–24% of the time; one
//! holdout year is one draw of the shared yearly shock, too little for a
//! level correction; of the level corrections tried (size-weighted ratio,
//! regression on size, median), the median log error shrunk by the
//! origins' agreement held best on the holdout (reps mid-ECE 0.037, teams
//! 0.050, against 0.093 and 0.146 for the one-year check). The level of
//! totals and the three origins (five before) were settled on three
//! pseudo plan years inside the training data of M3 and of M1's monthly
//! series, pooled (one year is one draw of the shared shock): M3 teams
//! mid-ECE 0.067 → 0.038 against a floor of 0.021, M1 reps 0.020 → 0.016.
//! Size classes for the shape (each quartile of leaf size its own Q) were
//! tried twice and made reps worse. The spread power and the shrunk
//! correlation (BENCHMARKS.md, "Team spread in the calibration") came from
//! teams that were too wide: weighted by their spread in sales, as sums
//! weigh them, the reps' backtest PITs had variance 0.33 on M3 and 0.36 on
//! M1 (volatile reps given too wide a year), and independent groups of ten
//! were too wide even with ρ = 0; on the pseudo plan years M3 teams went
//! from +0.016 above the noise floor to −0.005, reps from +0.016 to
//! +0.018. A power about the median on both sides also widened the smooth
//! reps, whose spread was about right; applied only above a hinge
//! (BENCHMARKS.md, "The spread power above a hinge"), reps went to +0.013
//! and teams stayed at −0.003. Tried on the same pseudo plan years and
//! not kept: the hinge fixed at the median (reps +0.016), two powers, one
//! each side of the median (reps +0.015, M1 teams −0.004).
//!
//! Next steps (not built): a per-leaf scale κ, each leaf's own backtest
//! error spread shrunk towards the pool (κ = exp(w·ln rms), w = n/(n + 8)
//! with n its effective windows), for leaves whose model misjudges its own
//! sharpness; a level of totals per tree level (regions are bigger groups
//! than teams); more
//! origins at monthly steps by filtering each leaf's plan-year fit instead
//! of refitting (cheap, but optimistic: it needs an honest-refit sample to
//! correct it).

use rayon::prelude::*;

use crate::forecast::models::ets::{stream_seed, FittedEts};
use crate::numeric::stats::{normal_quantile, quantile_type8};

/// One leaf's history, for the backtests.
#[derive(Debug, Clone, Copy)]
pub struct BacktestSeries<'a> {
    /// Its id (mixed into each window's seed).
    pub id: &'a str,
    /// Its observations up to the plan year.
    pub values: &'a [f64],
}

/// How the backtests run: the window length and season, the seed, and
/// how a leaf is refitted on the history before an origin (`refit(k,
/// train)` for `series[k]`; `None`: it cannot be).
pub struct Backtests<'a> {
    pub periods: usize,
    /// How many leaves a typical parent has: the backtested leaves are
    /// summed in groups of this size to check the level of totals (1: no
    /// group check).
    pub group: usize,
    pub season_length: usize,
    pub seed: u64,
    pub refit: &'a (dyn Fn(usize, &[f64]) -> Option<FittedEts> + Sync),
}

/// At most this many backtest windows (one refit and simulation each),
/// spread evenly over the eligible (leaf, origin) pairs.
pub const BACKTEST_WINDOWS: usize = 1500;

/// Origins at most this many years back. Older origins forecast from
/// shorter histories than the plan year's and err more (on M3 the summed
/// errors at five years back were about twice those at one); three kept the
/// backtests closest to the plan year (BENCHMARKS.md).
pub const MAX_ORIGINS: usize = 3;

/// Fewer groups than this at an origin: no group check there.
const MIN_GROUPS: usize = 5;

/// Simulated paths per backtest window.
const WINDOW_PATHS: usize = 200;

/// Fewer usable windows than this: no calibration.
pub const MIN_WINDOWS: usize = 30;

/// The largest level correction either way.
const MAX_LEVEL: f64 = 1.25;

/// What the backtests taught, and how the plan year is mapped by it.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Usable backtest windows (a positive actual and a non-degenerate
    /// simulated spread).
    pub windows: usize,
    /// Distinct leaves among them.
    pub leaves: usize,
    /// Distinct origins among them.
    pub origins: usize,
    /// The sorted, centred, winsorised standardised errors: the shape Q.
    shape: Vec<f64>,
    /// τ: the log-scale spread added to every leaf's own, √(σ₀(s)² + τ²).
    pub spread_floor: f64,
    /// b: the power of a volatile leaf's own spread above the hinge,
    /// σ₀(s) = s_h·(s/s_h)^b for s > s_h (1: proportional; below 1: the
    /// model's spread of volatile leaves grows faster than their errors).
    pub spread_power: f64,
    /// s_h: the hinge, a quantile of the windows' simulated log
    /// half-spreads; at and below it a leaf's spread is its model's own.
    pub spread_hinge: f64,
    /// Each origin's median log error of the leaves (actual against the
    /// model's median), the most recent first.
    pub origin_shifts: Vec<f64>,
    /// The level factor applied to every leaf: the leaves' own correction
    /// times the groups' (exp(w·r̄ + w_g·r̄_g)).
    pub level: f64,
    /// The shrinkage weight w of the leaves' level (0: the origins disagree).
    pub level_weight: f64,
    /// Each origin's mean log error of the groups' totals (actual against
    /// the median of the summed calibrated paths), after the leaves' level.
    pub group_shifts: Vec<f64>,
    /// The shrinkage weight w_g of the groups' level.
    pub group_weight: f64,
    /// The leaves' annual-error correlation from the backtests, shrunk by
    /// the origins' agreement (`None`: too few leaves per origin).
    pub correlation: Option<f64>,
    /// Each origin's one-factor correlation, the most recent first.
    pub origin_correlations: Vec<f64>,
    /// The shrinkage weight of the correlation (0: the origins disagree).
    pub correlation_weight: f64,
    /// Share of backtest totals outside the simulated central 90% before
    /// calibration (0.10 when the model's tails are right).
    pub outside_90: f64,
}

/// One backtest window's result.
#[derive(Debug, Clone)]
struct Window {
    leaf: usize,
    origin: usize,
    actual: f64,
    /// Log median and log half-spread of the simulated totals.
    m: f64,
    s: f64,
    /// The simulated central 90%.
    q05: f64,
    q95: f64,
    /// The simulated totals in path order (independent of every other
    /// window's).
    sims: Vec<f64>,
}

impl Calibration {
    /// Backtests the leaves (`series`) and learns the calibration; `None`
    /// when fewer than 30 windows are usable.
    pub fn from_backtests(series: &[BacktestSeries], how: &Backtests) -> Option<Calibration> {
        let h = how.periods;
        let m = how.season_length.max(1);
        // (leaf, origin): the window is the h periods ending `step ×
        // (origin − 1)` periods before the end of the history, fitted on
        // what came before
        let step = m.max(h);
        let mut eligible = Vec::new();
        for origin in 1..=MAX_ORIGINS {
            for (k, leaf) in series.iter().enumerate() {
                let back = h + step * (origin - 1);
                if leaf.values.len() >= back + 2 * m {
                    eligible.push((k, origin));
                }
            }
        }
        let take = eligible.len().min(BACKTEST_WINDOWS);
        if take < MIN_WINDOWS {
            return None;
        }
        let windows: Vec<Window> = (0..take)
            .into_par_iter()
            .filter_map(|j| {
                let (k, origin) = eligible[j * eligible.len() / take];
                backtest_window(&series[k], k, origin, step, how)
            })
            .collect();
        Self::from_windows(windows, how.group)
    }

    fn from_windows(windows: Vec<Window>, group: usize) -> Option<Calibration> {
        if windows.len() < MIN_WINDOWS {
            return None;
        }
        let outside_90 = windows
            .iter()
            .filter(|w| w.actual < w.q05 || w.actual > w.q95)
            .count() as f64
            / windows.len() as f64;
        // the spread the model misses (parameter and form uncertainty): a
        // log-scale floor τ added to every window's spread, by maximum
        // likelihood of the centred log errors under N(0, k²(s² + τ²))
        let model = spread_fit(&windows);
        let spread = |s: f64| own_spread(s, model.power, model.hinge).hypot(model.tau);
        let mut z: Vec<f64> = windows
            .iter()
            .map(|w| (w.actual.ln() - w.m) / spread(w.s))
            .collect();
        z.sort_unstable_by(f64::total_cmp);
        // centred on the median: a shift is the level's to correct, and
        // only as far as the origins agree on it
        let median = quantile_type8(&z, 0.5);
        let (lo, hi) = (quantile_type8(&z, 0.005), quantile_type8(&z, 0.995));
        for v in &mut z {
            *v = v.clamp(lo, hi) - median;
        }
        let mut calibration = Calibration {
            windows: windows.len(),
            leaves: count_distinct(windows.iter().map(|w| w.leaf)),
            origins: count_distinct(windows.iter().map(|w| w.origin)),
            shape: z,
            spread_floor: model.tau,
            spread_power: model.power,
            spread_hinge: model.hinge,
            origin_shifts: Vec::new(),
            level: 1.0,
            level_weight: 0.0,
            group_shifts: Vec::new(),
            group_weight: 0.0,
            correlation: None,
            origin_correlations: Vec::new(),
            correlation_weight: 0.0,
            outside_90,
        };
        // level: per origin, the typical leaf's log error against the
        // model's median (every leaf counting once, whatever its size)
        let max_origin = windows.iter().map(|w| w.origin).max().unwrap_or(0);
        let mut shifts = Vec::new();
        for origin in 1..=max_origin {
            let mut e: Vec<f64> = windows
                .iter()
                .filter(|w| w.origin == origin)
                .map(|w| w.actual.ln() - w.m)
                .collect();
            if e.len() >= MIN_WINDOWS / 3 {
                e.sort_unstable_by(f64::total_cmp);
                shifts.push(quantile_type8(&e, 0.5));
            }
        }
        let (shift, weight) = agreed(&shifts);
        calibration.level_weight = weight;
        calibration.level = shift.exp().clamp(1.0 / MAX_LEVEL, MAX_LEVEL);
        let shift = calibration.level.ln();
        calibration.origin_shifts = shifts;
        // the level of totals: leaves right at the median can still sum
        // high (big leaves forecast high, small ones low), and a parent's
        // probability is about the sum
        let group_shifts = calibration.group_shifts(&windows, group, max_origin);
        let (group_shift, group_weight) = agreed(&group_shifts);
        calibration.group_shifts = group_shifts;
        calibration.group_weight = group_weight;
        calibration.level = (shift + group_shift)
            .exp()
            .clamp(1.0 / MAX_LEVEL, MAX_LEVEL);
        // dependence: normal scores of the calibrated PITs, centred on
        // their overall mean, origin by origin: what the leaves share
        // beyond the level is the year's shock
        let log_level = calibration.level.ln();
        let scores: Vec<(usize, f64)> = windows
            .iter()
            .filter_map(|w| {
                let s = calibration.spread(w.s);
                let u = calibration.pit((w.actual.ln() - w.m - log_level) / s);
                normal_quantile(u).ok().map(|g| (w.origin, g))
            })
            .collect();
        let centre = scores.iter().map(|(_, g)| g).sum::<f64>() / scores.len().max(1) as f64;
        // each origin is one draw of the year's shock: its own estimate
        // (S² − Q) / (c² − c), and their mean shrunk as far as they
        // disagree, as the level is (three draws of a variance are rough:
        // a shift that one or two origins happen to share is not taken for
        // a shock every year brings)
        let mut per_origin = Vec::new();
        for origin in 1..=max_origin {
            let (mut sum, mut squares, mut count) = (0.0, 0.0, 0.0);
            for (_, g) in scores.iter().filter(|(o, _)| *o == origin) {
                let g = g - centre;
                sum += g;
                squares += g * g;
                count += 1.0;
            }
            if count >= 2.0 {
                per_origin.push((sum * sum - squares) / (count * count - count));
            }
        }
        if !per_origin.is_empty() && calibration.leaves >= 10 {
            let (rho, weight) = agreed(&per_origin);
            calibration.correlation = Some(rho.clamp(0.0, 0.95));
            calibration.correlation_weight = weight;
        }
        calibration.origin_correlations = per_origin;
        Some(calibration)
    }

    /// Per origin (with at least [`MIN_GROUPS`] groups), the mean over
    /// groups of `size` windows (in leaf order) of ln(actual total) − ln(the
    /// median of their calibrated paths summed path by path).
    fn group_shifts(&self, windows: &[Window], size: usize, max_origin: usize) -> Vec<f64> {
        if size < 2 {
            return Vec::new();
        }
        let mut shifts = Vec::new();
        for origin in 1..=max_origin {
            let at: Vec<&Window> = windows
                .iter()
                .filter(|w| w.origin == origin && w.sims.len() == WINDOW_PATHS)
                .collect();
            let errors: Vec<f64> = at
                .chunks_exact(size)
                .map(|group| {
                    let mut sum = vec![0.0; WINDOW_PATHS];
                    for w in group {
                        let mut paths = w.sims.clone();
                        self.apply(&mut paths);
                        sum.iter_mut().zip(&paths).for_each(|(t, v)| *t += v);
                    }
                    sum.sort_unstable_by(f64::total_cmp);
                    let actual: f64 = group.iter().map(|w| w.actual).sum();
                    actual.ln() - quantile_type8(&sum, 0.5).ln()
                })
                .collect();
            if errors.len() >= MIN_GROUPS {
                shifts.push(errors.iter().sum::<f64>() / errors.len() as f64);
            }
        }
        shifts
    }

    /// The calibrated log-scale spread of a leaf whose simulated log
    /// half-spread is `s`: √(σ₀(s)² + τ²), σ₀(s) = s up to the hinge s_h
    /// and s_h·(s/s_h)^b above it.
    pub fn spread(&self, s: f64) -> f64 {
        own_spread(s, self.spread_power, self.spread_hinge).hypot(self.spread_floor)
    }

    /// Q(u): the shape's quantile at `u` in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        quantile_type8(&self.shape, u)
    }

    /// The share of the shape at or below `z`, kept inside (0, 1).
    fn pit(&self, z: f64) -> f64 {
        let n = self.shape.len() as f64;
        let below = self.shape.partition_point(|v| *v <= z) as f64;
        ((below + 0.5) / (n + 1.0)).clamp(0.5 / n, 1.0 - 0.5 / n)
    }

    /// Maps one leaf's simulated totals in place (path order kept): by rank
    /// onto exp(m + s·Q(u)) and scaled by the level. Totals whose lower
    /// spread is zero (a leaf that often sells nothing) are only scaled.
    pub fn apply(&self, totals: &mut [f64]) {
        let p = totals.len();
        if p == 0 {
            return;
        }
        let mut order: Vec<usize> = (0..p).collect();
        order.sort_by(|&a, &b| totals[a].total_cmp(&totals[b]).then(a.cmp(&b)));
        let sorted: Vec<f64> = order.iter().map(|&k| totals[k]).collect();
        match log_spread(&sorted) {
            Some((m, s)) => {
                let s = self.spread(s);
                for (rank, &k) in order.iter().enumerate() {
                    let u = (rank as f64 + 0.5) / p as f64;
                    totals[k] = self.level * (m + s * self.quantile(u)).exp();
                }
            }
            None => totals.iter_mut().for_each(|v| *v *= self.level),
        }
    }
}

impl std::fmt::Display for Calibration {
    /// One line: what was backtested, how far off the model's tails were,
    /// the level correction and the correlation found.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "calibrated on {} backtest windows of {} reps at {} origins: {:.0}% of actual totals outside the model's 90% range (10% expected), spread floor {:.3}, spread power {:.2} above {:.3}, level ×{:.3} (weights: reps {:.2}, groups {:.2})",
            self.windows,
            self.leaves,
            self.origins,
            100.0 * self.outside_90,
            self.spread_floor,
            self.spread_power,
            self.spread_hinge,
            self.level,
            self.level_weight,
            self.group_weight
        )?;
        if let Some(rho) = self.correlation {
            write!(
                f,
                ", annual-error correlation {rho:.3} (weight {:.2})",
                self.correlation_weight
            )?;
        }
        Ok(())
    }
}

/// The mean of `values` (one per origin) shrunk as far as they disagree:
/// w·mean with w = t²/(1 + t²), t = mean / se; and w.
fn agreed(values: &[f64]) -> (f64, f64) {
    if values.len() < 2 {
        return (0.0, 0.0);
    }
    let k = values.len() as f64;
    let mean = values.iter().sum::<f64>() / k;
    let var = values.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (k - 1.0);
    let se = (var / k).sqrt();
    let w = if se > 0.0 {
        let t2 = (mean / se).powi(2);
        t2 / (1.0 + t2)
    } else {
        1.0 // every origin the same
    };
    (w * mean, w)
}

/// A leaf's own log-scale spread σ₀(s) under the power `b` above the
/// hinge: `s` at or below it, s_h·(s/s_h)^b above.
fn own_spread(s: f64, power: f64, hinge: f64) -> f64 {
    if s <= hinge || power == 1.0 {
        s
    } else {
        hinge * (s / hinge).powf(power)
    }
}

/// Smallest likelihood gain (in −2 ln L) for a spread power other than 1:
/// the 95% point of χ² with two degrees of freedom (the power and the
/// hinge).
const POWER_GAIN: f64 = 5.991;

/// Where the hinge may sit: these quantiles of the windows' s.
const HINGE_QUANTILES: [f64; 3] = [0.25, 0.5, 0.75];

/// The fitted spread model: σ(s) = √(σ₀(s)² + τ²).
#[derive(Debug, Clone, Copy)]
struct SpreadModel {
    power: f64,
    hinge: f64,
    tau: f64,
}

/// The spread model of the windows' log errors (centred on their median,
/// winsorised at 1%/99%): variance k²(σ₀(s)² + τ²), k profiled out; τ ≥ 0
/// searched on a grid from 0 to 1 in log steps, the power b from 0.25 to
/// 1.25 in steps of 0.05 and the hinge among [`HINGE_QUANTILES`] of the
/// windows' s, all by maximum likelihood, and b = 1 kept unless the power
/// gains [`POWER_GAIN`].
fn spread_fit(windows: &[Window]) -> SpreadModel {
    let mut e: Vec<f64> = windows.iter().map(|w| w.actual.ln() - w.m).collect();
    let mut sorted = e.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let (median, lo, hi) = (
        quantile_type8(&sorted, 0.5),
        quantile_type8(&sorted, 0.01),
        quantile_type8(&sorted, 0.99),
    );
    for v in e.iter_mut() {
        *v = v.clamp(lo, hi) - median;
    }
    let mut spreads: Vec<f64> = windows.iter().map(|w| w.s).collect();
    spreads.sort_unstable_by(f64::total_cmp);
    let n = e.len() as f64;
    // the best τ for power b above the hinge, and its cost (−2 ln L up to
    // a constant)
    let floor = |power: f64, hinge: f64| {
        let own: Vec<f64> = windows
            .iter()
            .map(|w| own_spread(w.s, power, hinge))
            .collect();
        let cost = |tau: f64| {
            let (mut scaled, mut logs) = (0.0, 0.0);
            for (d, s) in e.iter().zip(&own) {
                let v = s * s + tau * tau;
                scaled += d * d / v;
                logs += v.ln();
            }
            logs + n * (scaled / n).ln()
        };
        let mut best = (cost(0.0), 0.0);
        let mut tau = 0.002;
        while tau <= 1.0 {
            let c = cost(tau);
            if c < best.0 {
                best = (c, tau);
            }
            tau *= 1.1;
        }
        best
    };
    let median_spread = quantile_type8(&spreads, 0.5);
    let (proportional, tau) = floor(1.0, median_spread);
    let plain = SpreadModel {
        power: 1.0,
        hinge: median_spread,
        tau,
    };
    let mut best = (proportional, plain);
    for q in HINGE_QUANTILES {
        let hinge = quantile_type8(&spreads, q);
        for k in 5..=25 {
            let power = k as f64 / 20.0;
            if power == 1.0 {
                continue;
            }
            let (cost, tau) = floor(power, hinge);
            if cost < best.0 {
                best = (cost, SpreadModel { power, hinge, tau });
            }
        }
    }
    if proportional - best.0 < POWER_GAIN {
        plain
    } else {
        best.1
    }
}

/// Log median and log half-spread (q84 − q16)/2 of sorted positive totals.
fn log_spread(sorted: &[f64]) -> Option<(f64, f64)> {
    let (q16, q50, q84) = (
        quantile_type8(sorted, 0.158_655_253_931_457_05),
        quantile_type8(sorted, 0.5),
        quantile_type8(sorted, 0.841_344_746_068_542_9),
    );
    let s = (q84.ln() - q16.ln()) / 2.0;
    (q16 > 0.0 && s.is_finite() && s > 1e-9).then(|| (q50.ln(), s))
}

/// Refits `leaf` on its history before the window, simulates the window's
/// total and places the actual in it.
fn backtest_window(
    leaf: &BacktestSeries,
    index: usize,
    origin: usize,
    step: usize,
    how: &Backtests,
) -> Option<Window> {
    let h = how.periods;
    let end = leaf.values.len() - step * (origin - 1);
    let (train, test) = leaf.values[..end].split_at(end - h);
    let refit = (how.refit)(index, train)?;
    let actual: f64 = test.iter().sum();
    let mut sims = vec![0.0; WINDOW_PATHS];
    let seed = stream_seed(how.seed, &format!("{}/backtest/{origin}", leaf.id));
    refit
        .simulate_sums_with(&vec![1.0; h], Some(0.0), seed, None, &mut sims)
        .ok()?;
    let in_order = sims.clone();
    sims.sort_unstable_by(f64::total_cmp);
    let (m, s) = log_spread(&sims)?;
    (actual > 0.0 && actual.is_finite()).then(|| Window {
        leaf: index,
        origin,
        actual,
        m,
        s,
        q05: quantile_type8(&sims, 0.05),
        q95: quantile_type8(&sims, 0.95),
        sims: in_order,
    })
}

fn count_distinct(values: impl Iterator<Item = usize>) -> usize {
    let mut v: Vec<usize> = values.collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(leaf: usize, origin: usize, z: f64) -> Window {
        Window {
            leaf,
            origin,
            actual: (5.0 + 0.1 * z).exp(),
            m: 5.0,
            s: 0.1,
            q05: (5.0 - 0.1645_f64).exp(),
            q95: (5.0 + 0.1645_f64).exp(),
            sims: Vec::new(),
        }
    }

    #[test]
    fn well_calibrated_backtests_leave_the_paths_alone() {
        // standard normal z's at three origins: shape ≈ identity, no level
        let mut windows = Vec::new();
        for origin in 1..=3 {
            for k in 0..400 {
                let u = (k as f64 + 0.5) / 400.0;
                windows.push(window(k, origin, normal_quantile(u).unwrap()));
            }
        }
        let c = Calibration::from_windows(windows, 1).unwrap();
        // (winsorising the tails moves the mean a little)
        assert!((c.level - 1.0).abs() < 1e-3, "{}", c.level);
        assert!(c.quantile(0.5).abs() < 0.01);
        assert!((c.quantile(0.841_344_746) - 1.0).abs() < 0.02);
        // each origin's errors spread over all of Q: no shared shock
        assert!(c.correlation.unwrap() < 0.05);
        let mut totals: Vec<f64> = (0..1000)
            .map(|k| (5.0 + 0.1 * normal_quantile((k as f64 + 0.5) / 1000.0).unwrap()).exp())
            .collect();
        let before = totals.clone();
        c.apply(&mut totals);
        // the central 98% unchanged; the outermost paths are pulled in to
        // the winsorised tails of the backtests
        for (a, b) in totals.iter().zip(&before).skip(10).take(980) {
            assert!((a / b - 1.0).abs() < 0.01, "{a} {b}");
        }
        assert!(totals[0] > before[0] && totals[999] < before[999]);
    }

    #[test]
    fn heavy_tails_widen_and_a_shared_persistent_shift_is_corrected() {
        // z twice as wide as the model thinks, and every origin 5% above
        let mut windows = Vec::new();
        for origin in 1..=3 {
            for k in 0..300 {
                let u = (k as f64 + 0.5) / 300.0;
                let z = 2.0 * normal_quantile(u).unwrap() + 0.05_f64.ln_1p() / 0.1;
                windows.push(window(k, origin, z));
            }
        }
        let c = Calibration::from_windows(windows, 1).unwrap();
        assert!((c.quantile(0.841_344_746) - 2.0).abs() < 0.05);
        assert!(c.quantile(0.5).abs() < 1e-9);
        assert!(c.outside_90 > 0.35, "{}", c.outside_90);
        // the origins agree exactly: the whole shift is corrected
        assert_eq!(c.level_weight, 1.0);
        assert!((c.level - 1.05).abs() < 1e-3, "{}", c.level);
    }

    /// A window with simulated paths: lognormal totals around `m` with
    /// log-sd 0.1 (path order random, seeded by the window), the actual at
    /// standardised error `z`.
    fn window_with_paths(leaf: usize, origin: usize, m: f64, z: f64) -> Window {
        use rand::SeedableRng;
        use rand_distr::Distribution;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64((leaf * 10 + origin) as u64);
        let sims: Vec<f64> = (0..WINDOW_PATHS)
            .map(|_| {
                let e: f64 = rand_distr::StandardNormal.sample(&mut rng);
                (m + 0.1 * e).exp()
            })
            .collect();
        Window {
            actual: (m + 0.1 * z).exp(),
            m,
            ..window(leaf, origin, z)
        }
        .with_sims(sims)
    }

    impl Window {
        fn with_sims(mut self, sims: Vec<f64>) -> Window {
            self.sims = sims;
            self
        }
    }

    #[test]
    fn totals_that_run_high_are_corrected_though_the_typical_leaf_is_right() {
        // big leaves (e^7) come in 3% below their median, small ones (e^3)
        // 3% above: the typical leaf is right, but groups of ten, which the
        // big leaves dominate, sum 3% high
        let make = |bias: f64| {
            let mut windows = Vec::new();
            for origin in 1..=3 {
                for k in 0..400 {
                    let u = ((k / 2) as f64 + 0.5) / 200.0;
                    let (m, shift) = if k % 2 == 0 {
                        (7.0, -bias)
                    } else {
                        (3.0, bias)
                    };
                    let z = normal_quantile(u).unwrap() + shift;
                    windows.push(window_with_paths(k, origin, m, z));
                }
            }
            Calibration::from_windows(windows, 10).unwrap()
        };
        let biased = make(0.3);
        assert!((biased.level_weight * biased.origin_shifts[0]).abs() < 0.005);
        assert_eq!(biased.group_shifts.len(), 3);
        assert!(biased.group_weight > 0.9, "{biased:?}");
        assert!((biased.level - 0.97).abs() < 0.01, "{}", biased.level);
        // the same leaves without the size pattern: left alone
        let fair = make(0.0);
        assert!((fair.level - 1.0).abs() < 0.005, "{}", fair.level);
    }

    #[test]
    fn a_shift_that_flips_sign_is_not_corrected() {
        let mut windows = Vec::new();
        for (origin, shift) in [(1, 2.0), (2, -2.0), (3, 0.0)] {
            for k in 0..200 {
                let u = (k as f64 + 0.5) / 200.0;
                windows.push(window(k, origin, normal_quantile(u).unwrap() + shift));
            }
        }
        let c = Calibration::from_windows(windows, 1).unwrap();
        assert!(c.level_weight < 0.5, "{}", c.level_weight);
        // one shock per origin shared by every leaf: strong dependence
        assert!(c.correlation.unwrap() > 0.3, "{:?}", c.correlation);
    }

    #[test]
    fn a_spread_that_grows_slower_than_the_models_above_the_hinge_is_learnt() {
        // the models' spreads s run from 0.02 to 0.5 (median 0.1); the
        // errors' follow s up to 0.1 and only 0.1·(s/0.1)^b above it
        // (volatile leaves' models too wide, smooth ones' right)
        let make = |power: f64| {
            let mut windows = Vec::new();
            for origin in 1..=3 {
                for k in 0..600 {
                    let s = 0.02 * 25_f64.powf(((k * 7) % 600) as f64 / 599.0);
                    let sd = if s <= 0.1 {
                        s
                    } else {
                        0.1 * (s / 0.1).powf(power)
                    };
                    let z = normal_quantile((k as f64 + 0.5) / 600.0).unwrap();
                    windows.push(Window {
                        actual: (5.0 + sd * z).exp(),
                        s,
                        ..window(k, origin, z)
                    });
                }
            }
            Calibration::from_windows(windows, 1).unwrap()
        };
        let slow = make(0.5);
        assert!(slow.spread_power < 0.85, "{slow}");
        // the most volatile leaf's spread about √5 times the median's, as
        // the errors', not 5 times, as the models'
        let ratio = slow.spread(0.5) / slow.spread(0.1);
        assert!((1.6..3.2).contains(&ratio), "{ratio} {slow}");
        // the smooth leaves keep their models' proportions (5 times)
        let ratio = slow.spread(0.1) / slow.spread(0.02);
        assert!((3.5..6.5).contains(&ratio), "{ratio} {slow}");
        // errors proportional to the model's spread: about 25 times
        let proportional = make(1.0);
        let ratio = proportional.spread(0.5) / proportional.spread(0.02);
        assert!((15.0..35.0).contains(&ratio), "{ratio} {proportional}");
    }

    #[test]
    fn independent_leaves_give_no_correlation_and_a_shared_shock_does() {
        // 500 leaves at each of six origins, errors z = √ρ·F_o + √(1−ρ)·e
        use rand::SeedableRng;
        use rand_distr::Distribution;
        let make = |rho: f64| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
            let mut windows = Vec::new();
            for origin in 1..=6 {
                let shock = if origin % 2 == 0 { 1.0 } else { -1.0 };
                for k in 0..500 {
                    let e: f64 = rand_distr::StandardNormal.sample(&mut rng);
                    let z = rho.sqrt() * shock + (1.0 - rho).sqrt() * e;
                    windows.push(window(k, origin, z));
                }
            }
            Calibration::from_windows(windows, 1).unwrap()
        };
        let independent = make(0.0);
        assert!(independent.correlation.unwrap() < 0.01, "{independent}");
        let shared = make(0.3);
        let rho = shared.correlation.unwrap();
        assert!((rho - 0.3).abs() < 0.1, "{shared}");
        assert!(shared.correlation_weight > 0.9, "{shared}");
    }

    #[test]
    fn apply_keeps_the_order_of_paths() {
        let c = Calibration::from_windows(
            (0..90)
                .map(|k| {
                    window(
                        k,
                        1 + k % 3,
                        3.0 * normal_quantile((k as f64 + 0.5) / 90.0).unwrap(),
                    )
                })
                .collect(),
            1,
        )
        .unwrap();
        let mut totals = vec![120.0, 80.0, 100.0, 150.0, 95.0, 101.0, 99.0];
        let before = totals.clone();
        c.apply(&mut totals);
        for i in 0..totals.len() {
            for j in 0..totals.len() {
                if before[i] < before[j] {
                    assert!(totals[i] < totals[j]);
                }
            }
        }
    }
}
