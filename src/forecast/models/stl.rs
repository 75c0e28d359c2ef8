//! STL: seasonal-trend decomposition by loess (Cleveland, Cleveland, McRae &
//! Terpenning 1990, *Journal of Official Statistics* 6(1)), as R's
//! `stats::stl` computes it.
//!
//! The series is split into seasonal + trend + remainder by two nested loops:
//!
//! * the **inner loop** (`inner` passes) detrends the series, smooths each
//!   cycle-subseries (all Januaries, all Februaries, ...) by loess — extended
//!   by one period at both ends —, removes the low-frequency part of that
//!   seasonal by a low-pass filter (moving averages of lengths m, m and 3,
//!   then a loess), and smooths the deseasonalised series by loess to get
//!   the trend;
//! * the **outer loop** (`outer` passes, robust fits only) computes bisquare
//!   robustness weights from the remainder (6 × its median absolute value)
//!   and repeats the inner loop with every loess weighted by them.
//!
//! Loess fits are local constants (degree 0) or lines (degree 1) with tricube
//! weights; with a jump `j > 1` they are computed at every j-th point only and
//! interpolated linearly in between. R's defaults are used: `s.degree = 0`,
//! `t.window = nextodd(ceiling(1.5 m / (1 − 1.5 / s.window)))`,
//! `l.window = nextodd(m)`, `t.degree = l.degree = 1`, jumps
//! `ceiling(window / 10)`, and 2 inner / 0 outer passes (1 and 15 when
//! robust). A periodic seasonal (`SeasonalWindow::Periodic`) is a very long
//! seasonal window followed by averaging each cycle position, as in R.
//!
//! The components match R's to about 1e-13 relative on the reference series
//! (`tests/mstl_reference.rs`), with one documented exception: the robustness
//! scale. We use 6 × the median absolute remainder, as the paper defines it.
//! R's Fortran asks its partial sort for the two middle ranks in descending
//! order, which for an even length can return a smaller order statistic as
//! the lower middle one, so robust fits of even-length series can drift from
//! R's (about 1e-3 relative on AirPassengers and nottem); on odd lengths they
//! agree to rounding.
//!
//! ```
//! use salesplan::forecast::models::stl::{SeasonalWindow, Stl};
//! // four years of a monthly pattern on a rising line
//! let y: Vec<f64> = (0..48)
//!     .map(|t| 100.0 + t as f64 + [5.0, -3.0, 0.0, -2.0][t % 4] * 3.0)
//!     .collect();
//! let fit = Stl::new(12.0, SeasonalWindow::Periodic)?.fit(&y)?;
//! // the components add up to the data
//! for t in 0..48 {
//!     let sum = fit.seasonal[t] + fit.trend[t] + fit.remainder[t];
//!     assert!((sum - y[t]).abs() < 1e-9);
//! }
//! // a periodic seasonal repeats exactly
//! assert_eq!(fit.seasonal[0], fit.seasonal[12]);
//! # Ok::<(), salesplan::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How the seasonal component may change over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeasonalWindow {
    /// The same seasonal pattern in every cycle (R's `s.window = "periodic"`).
    Periodic,
    /// The loess span, in cycles, of each cycle-subseries smoother (odd, ≥ 3;
    /// an even span is increased by one, as R does). Smaller spans let the
    /// seasonal pattern change faster.
    Span(usize),
}

/// An STL decomposition spec: the period and the smoothing parameters.
///
/// Built with [`Stl::new`] (R's defaults) and refined with the `with_*`
/// methods, which validate their arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stl {
    period: f64,
    seasonal_window: SeasonalWindow,
    seasonal_degree: usize,
    trend_window: Option<usize>,
    trend_degree: usize,
    lowpass_window: Option<usize>,
    lowpass_degree: Option<usize>,
    seasonal_jump: Option<usize>,
    trend_jump: Option<usize>,
    lowpass_jump: Option<usize>,
    robust: bool,
    inner: Option<usize>,
    outer: Option<usize>,
}

/// The result of [`Stl::fit`]: `data = seasonal + trend + remainder`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StlDecomposition {
    pub seasonal: Vec<f64>,
    pub trend: Vec<f64>,
    pub remainder: Vec<f64>,
    /// Final robustness weights (all 1 without robustness passes).
    pub weights: Vec<f64>,
    /// The integer period used by the smoothers (the period truncated).
    pub period: usize,
}

/// The cut-offs 0.999 and 0.001 of the loess and robustness weights, in
/// single precision as in the original STL code (R's results depend on it
/// where a residual falls between the two roundings).
const NEAR_ONE: f64 = 0.999_f32 as f64;
const NEAR_ZERO: f64 = 0.001_f32 as f64;

/// R's `nextodd`: round half to even, then up to the next odd number.
fn next_odd(x: f64) -> usize {
    let r = x.round_ties_even().max(0.0) as usize;
    if r % 2 == 0 {
        r + 1
    } else {
        r
    }
}

fn check_degree(name: &'static str, degree: usize) -> Result<usize> {
    if degree > 1 {
        return Err(Error::InvalidParameter {
            name,
            reason: format!("must be 0 or 1, got {degree}"),
        });
    }
    Ok(degree)
}

fn check_positive(name: &'static str, value: usize) -> Result<usize> {
    if value == 0 {
        return Err(Error::InvalidParameter {
            name,
            reason: "must be at least 1".into(),
        });
    }
    Ok(value)
}

/// The fully resolved parameters of one run (R's values after defaults).
#[derive(Debug, Clone, Copy)]
struct Resolved {
    period: usize,
    seasonal_window: usize,
    seasonal_degree: usize,
    trend_window: usize,
    trend_degree: usize,
    lowpass_window: usize,
    lowpass_degree: usize,
    seasonal_jump: usize,
    trend_jump: usize,
    lowpass_jump: usize,
    inner: usize,
    outer: usize,
    periodic: bool,
}

impl Stl {
    /// STL with period `period` (at least 2; may be fractional, such as
    /// 365.25 or 52.18) and seasonal window `seasonal_window`, other
    /// parameters at R's defaults.
    ///
    /// A fractional period is used as R uses it: the smoothers work on the
    /// truncated period (R's `as.integer(frequency)`: 365.25 → 365, 52.18 →
    /// 52), the low-pass window is `nextodd(period)` (rounded) and the
    /// default trend window is computed from the fractional period.
    pub fn new(period: f64, seasonal_window: SeasonalWindow) -> Result<Stl> {
        if !(period.is_finite() && period >= 2.0) {
            return Err(Error::InvalidParameter {
                name: "period",
                reason: format!("must be a finite number ≥ 2, got {period}"),
            });
        }
        if let SeasonalWindow::Span(w) = seasonal_window {
            check_positive("seasonal window", w)?;
        }
        Ok(Stl {
            period,
            seasonal_window,
            seasonal_degree: 0,
            trend_window: None,
            trend_degree: 1,
            lowpass_window: None,
            lowpass_degree: None,
            seasonal_jump: None,
            trend_jump: None,
            lowpass_jump: None,
            robust: false,
            inner: None,
            outer: None,
        })
    }

    /// Degree (0 or 1) of the cycle-subseries loess (R's `s.degree`, default
    /// 0; ignored for a periodic seasonal, which always uses 0).
    pub fn with_seasonal_degree(mut self, degree: usize) -> Result<Stl> {
        self.seasonal_degree = check_degree("seasonal degree", degree)?;
        Ok(self)
    }

    /// Span of the trend loess in observations (R's `t.window`).
    pub fn with_trend_window(mut self, window: usize) -> Result<Stl> {
        self.trend_window = Some(check_positive("trend window", window)?);
        Ok(self)
    }

    /// Degree (0 or 1) of the trend loess (R's `t.degree`, default 1); also
    /// the low-pass degree unless that is set.
    pub fn with_trend_degree(mut self, degree: usize) -> Result<Stl> {
        self.trend_degree = check_degree("trend degree", degree)?;
        Ok(self)
    }

    /// Span of the low-pass loess (R's `l.window`, default `nextodd(period)`).
    pub fn with_lowpass_window(mut self, window: usize) -> Result<Stl> {
        self.lowpass_window = Some(check_positive("low-pass window", window)?);
        Ok(self)
    }

    /// Degree (0 or 1) of the low-pass loess (R's `l.degree`).
    pub fn with_lowpass_degree(mut self, degree: usize) -> Result<Stl> {
        self.lowpass_degree = Some(check_degree("low-pass degree", degree)?);
        Ok(self)
    }

    /// Jumps of the seasonal, trend and low-pass smoothers (R's `s.jump`,
    /// `t.jump`, `l.jump`; each defaults to `ceiling(window / 10)`). A jump of
    /// 1 computes every loess at every point.
    pub fn with_jumps(mut self, seasonal: usize, trend: usize, lowpass: usize) -> Result<Stl> {
        self.seasonal_jump = Some(check_positive("seasonal jump", seasonal)?);
        self.trend_jump = Some(check_positive("trend jump", trend)?);
        self.lowpass_jump = Some(check_positive("low-pass jump", lowpass)?);
        Ok(self)
    }

    /// Robust fitting (R's `robust = TRUE`): bisquare weights from the
    /// remainder, default 1 inner and 15 outer passes.
    pub fn robust(mut self, robust: bool) -> Stl {
        self.robust = robust;
        self
    }

    /// Numbers of inner (at least 1) and outer passes, instead of R's
    /// defaults (2 and 0, or 1 and 15 when robust).
    pub fn with_iterations(mut self, inner: usize, outer: usize) -> Result<Stl> {
        self.inner = Some(check_positive("inner iterations", inner)?);
        self.outer = Some(outer);
        Ok(self)
    }

    /// The period as given.
    pub fn period(&self) -> f64 {
        self.period
    }

    fn resolve(&self, n: usize) -> Resolved {
        let (periodic, s_window, s_degree) = match self.seasonal_window {
            SeasonalWindow::Periodic => (true, 10 * n + 1, 0),
            SeasonalWindow::Span(w) => (false, w, self.seasonal_degree),
        };
        let t_window = self.trend_window.unwrap_or_else(|| {
            next_odd((1.5 * self.period / (1.0 - 1.5 / s_window as f64)).ceil())
        });
        let l_window = self.lowpass_window.unwrap_or_else(|| next_odd(self.period));
        let jump = |w: usize| w.div_ceil(10);
        // The smoothers need odd spans of at least 3 and a period of at
        // least 2; the jumps are computed from the spans as given.
        let odd3 = |w: usize| {
            let w = w.max(3);
            if w % 2 == 0 {
                w + 1
            } else {
                w
            }
        };
        Resolved {
            period: (self.period.trunc() as usize).max(2),
            seasonal_window: odd3(s_window),
            seasonal_degree: s_degree,
            trend_window: odd3(t_window),
            trend_degree: self.trend_degree,
            lowpass_window: odd3(l_window),
            lowpass_degree: self.lowpass_degree.unwrap_or(self.trend_degree),
            seasonal_jump: self.seasonal_jump.unwrap_or(jump(s_window)),
            trend_jump: self.trend_jump.unwrap_or(jump(t_window)),
            lowpass_jump: self.lowpass_jump.unwrap_or(jump(l_window)),
            inner: self.inner.unwrap_or(if self.robust { 1 } else { 2 }),
            outer: self.outer.unwrap_or(if self.robust { 15 } else { 0 }),
            periodic,
        }
    }

    /// Decomposes `y` (finite values, oldest first, more than two periods).
    pub fn fit(&self, y: &[f64]) -> Result<StlDecomposition> {
        let n = y.len();
        super::check_values(y, 0)?;
        if (n as f64) <= 2.0 * self.period {
            return Err(Error::TooShort {
                series: String::new(),
                needed: (2.0 * self.period).floor() as usize + 1,
                got: n,
            });
        }
        let p = self.resolve(n);
        let mut work = Workspace::new(n, p.period);
        let mut seasonal = vec![0.0; n];
        let mut trend = vec![0.0; n];
        let mut weights = vec![1.0; n];
        let mut use_weights = false;
        let mut pass = 0;
        loop {
            inner_loop(
                y,
                &p,
                use_weights.then_some(weights.as_slice()),
                &mut seasonal,
                &mut trend,
                &mut work,
            );
            pass += 1;
            if pass > p.outer {
                break;
            }
            robustness_weights(y, &seasonal, &trend, &mut weights, &mut work.a);
            use_weights = true;
        }
        if p.periodic {
            // Average each cycle position, as R does with `tapply(.., cycle(x), mean)`.
            for j in 0..p.period.min(n) {
                let (sum, count) = (j..n)
                    .step_by(p.period)
                    .fold((0.0, 0usize), |(s, c), t| (s + seasonal[t], c + 1));
                let mean = sum / count as f64;
                for t in (j..n).step_by(p.period) {
                    seasonal[t] = mean;
                }
            }
        }
        let remainder = (0..n).map(|t| y[t] - seasonal[t] - trend[t]).collect();
        Ok(StlDecomposition {
            seasonal,
            trend,
            remainder,
            weights,
            period: p.period,
        })
    }
}

/// Buffers reused across passes.
struct Workspace {
    /// Length n + 2·period.
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
    /// Loess weights (length n + 2·period).
    w: Vec<f64>,
    sub: SubseriesWork,
}

/// Buffers for one cycle-subseries: values, robustness weights, smooth (+2
/// extension points), loess weights.
struct SubseriesWork {
    values: Vec<f64>,
    weights: Vec<f64>,
    smooth: Vec<f64>,
    w: Vec<f64>,
}

impl Workspace {
    fn new(n: usize, period: usize) -> Workspace {
        let long = n + 2 * period;
        let k = n / period + 3;
        Workspace {
            a: vec![0.0; long],
            b: vec![0.0; long],
            c: vec![0.0; long],
            w: vec![0.0; long],
            sub: SubseriesWork {
                values: vec![0.0; k],
                weights: vec![0.0; k],
                smooth: vec![0.0; k],
                w: vec![0.0; k],
            },
        }
    }
}

/// `inner` passes of seasonal and trend smoothing, updating both in place.
fn inner_loop(
    y: &[f64],
    p: &Resolved,
    robustness: Option<&[f64]>,
    seasonal: &mut [f64],
    trend: &mut [f64],
    work: &mut Workspace,
) {
    let n = y.len();
    let np = p.period;
    for _ in 0..p.inner {
        // 1. detrend
        for t in 0..n {
            work.a[t] = y[t] - trend[t];
        }
        // 2. cycle-subseries smoothing into b (length n + 2·np)
        cycle_subseries(&work.a[..n], p, robustness, &mut work.b, &mut work.sub);
        // 3. low-pass filter of b: moving averages np, np, 3 (into c), loess (into a)
        moving_average(&work.b[..n + 2 * np], np, &mut work.c);
        moving_average(&work.c[..n + np + 1], np, &mut work.a);
        moving_average(&work.a[..n + 2], 3, &mut work.c);
        loess_smooth(
            &work.c[..n],
            p.lowpass_window,
            p.lowpass_degree,
            p.lowpass_jump,
            None,
            &mut work.a[..n],
            &mut work.w,
        );
        // 4. seasonal = smoothed subseries minus low-pass, 5. deseasonalise
        for t in 0..n {
            seasonal[t] = work.b[np + t] - work.a[t];
            work.c[t] = y[t] - seasonal[t];
        }
        // 6. trend smoothing
        loess_smooth(
            &work.c[..n],
            p.trend_window,
            p.trend_degree,
            p.trend_jump,
            robustness,
            trend,
            &mut work.w,
        );
    }
}

/// Smooths each cycle-subseries of `x` by loess, extended one cycle at each
/// end, writing position `k` of subseries `j` (k = 0 is the extension
/// before the start) to `out[k·np + j]`.
fn cycle_subseries(
    x: &[f64],
    p: &Resolved,
    robustness: Option<&[f64]>,
    out: &mut [f64],
    work: &mut SubseriesWork,
) {
    let n = x.len();
    let np = p.period;
    let (window, degree) = (p.seasonal_window, p.seasonal_degree);
    for j in 0..np.min(n) {
        let k = (n - 1 - j) / np + 1;
        for i in 0..k {
            work.values[i] = x[i * np + j];
        }
        let rw = robustness.map(|r| {
            for i in 0..k {
                work.weights[i] = r[i * np + j];
            }
            &work.weights[..k]
        });
        let sub = &work.values[..k];
        loess_smooth(
            sub,
            window,
            degree,
            p.seasonal_jump,
            rw,
            &mut work.smooth[1..k + 1],
            &mut work.w,
        );
        // Extrapolate one cycle before and after.
        let right = window.min(k);
        work.smooth[0] = loess_estimate(sub, window, degree, -1.0, 0, right - 1, &mut work.w, rw)
            .unwrap_or(work.smooth[1]);
        let left = k.saturating_sub(window);
        work.smooth[k + 1] =
            loess_estimate(sub, window, degree, k as f64, left, k - 1, &mut work.w, rw)
                .unwrap_or(work.smooth[k]);
        for m in 0..k + 2 {
            out[m * np + j] = work.smooth[m];
        }
    }
}

/// Moving average of length `len`: `out[i] = mean(x[i..i + len])`.
fn moving_average(x: &[f64], len: usize, out: &mut [f64]) {
    let count = x.len() + 1 - len;
    let flen = len as f64;
    let mut sum: f64 = x[..len].iter().sum();
    out[0] = sum / flen;
    for i in 1..count {
        sum += x[i + len - 1] - x[i - 1];
        out[i] = sum / flen;
    }
}

/// Loess smooth of `y` at positions 0..n with span `len`: computed at every
/// `jump`-th point (and the last), linearly interpolated in between. Points
/// where the fit has no weight keep their data value.
fn loess_smooth(
    y: &[f64],
    len: usize,
    degree: usize,
    jump: usize,
    robustness: Option<&[f64]>,
    out: &mut [f64],
    w: &mut [f64],
) {
    let n = y.len();
    if n < 2 {
        out[0] = y[0];
        return;
    }
    let step = jump.min(n - 1);
    let half = len.div_ceil(2);
    let mut fit = |i: usize, left: usize, right: usize, out: &mut [f64]| {
        out[i] =
            loess_estimate(y, len, degree, i as f64, left, right, w, robustness).unwrap_or(y[i]);
    };
    // The neighbourhood of the last computed point; the final point, when
    // not on the grid, is fitted on the same neighbourhood (as R does).
    let (mut left, mut right) = (0, n - 1);
    if len >= n {
        for i in (0..n).step_by(step) {
            fit(i, left, right, out);
        }
    } else if step == 1 {
        right = len - 1;
        for i in 0..n {
            if i + 1 > half && right != n - 1 {
                left += 1;
                right += 1;
            }
            fit(i, left, right, out);
        }
    } else {
        for i in (0..n).step_by(step) {
            (left, right) = if i + 1 < half {
                (0, len - 1)
            } else if i + half >= n {
                (n - len, n - 1)
            } else {
                (i + 1 - half, i + len - half)
            };
            fit(i, left, right, out);
        }
    }
    if step > 1 {
        let mut i = 0;
        while i + step < n {
            let delta = (out[i + step] - out[i]) / step as f64;
            for j in i + 1..i + step {
                out[j] = out[i] + delta * (j - i) as f64;
            }
            i += step;
        }
        let last = ((n - 1) / step) * step;
        if last != n - 1 {
            fit(n - 1, left, right, out);
            if last != n - 2 {
                let delta = (out[n - 1] - out[last]) / (n - 1 - last) as f64;
                for j in last + 1..n - 1 {
                    out[j] = out[last] + delta * (j - last) as f64;
                }
            }
        }
    }
}

/// The loess fit at `x` (a position, possibly outside 0..n) from the points
/// `left..=right`, with tricube weights over the half-width of that
/// neighbourhood (widened when the span exceeds the series), times the
/// robustness weights; a local line when `degree` is 1. `None` when every
/// weight is zero.
#[allow(clippy::too_many_arguments)]
fn loess_estimate(
    y: &[f64],
    len: usize,
    degree: usize,
    x: f64,
    left: usize,
    right: usize,
    w: &mut [f64],
    robustness: Option<&[f64]>,
) -> Option<f64> {
    let n = y.len();
    let range = (n - 1) as f64;
    let mut h = (x - left as f64).max(right as f64 - x);
    if len > n {
        h += ((len - n) / 2) as f64;
    }
    let (h9, h1) = (NEAR_ONE * h, NEAR_ZERO * h);
    let mut total = 0.0;
    for j in left..=right {
        let r = (j as f64 - x).abs();
        w[j] = if r <= h9 {
            let base = if r <= h1 {
                1.0
            } else {
                let u = r / h;
                let v = 1.0 - u * u * u;
                v * v * v
            };
            let wj = match robustness {
                Some(rw) => rw[j] * base,
                None => base,
            };
            total += wj;
            wj
        } else {
            0.0
        };
    }
    if total <= 0.0 {
        return None;
    }
    for wj in &mut w[left..=right] {
        *wj /= total;
    }
    if h > 0.0 && degree > 0 {
        let centre: f64 = (left..=right).map(|j| w[j] * j as f64).sum();
        let spread: f64 = (left..=right)
            .map(|j| w[j] * (j as f64 - centre).powi(2))
            .sum();
        if spread.sqrt() > NEAR_ZERO * range {
            let slope = (x - centre) / spread;
            for (j, wj) in w[left..=right].iter_mut().enumerate() {
                *wj *= slope * ((left + j) as f64 - centre) + 1.0;
            }
        }
    }
    Some((left..=right).map(|j| w[j] * y[j]).sum())
}

/// Bisquare robustness weights from the residuals `y − seasonal − trend`,
/// scaled by six times their median absolute value.
fn robustness_weights(
    y: &[f64],
    seasonal: &[f64],
    trend: &[f64],
    weights: &mut [f64],
    scratch: &mut [f64],
) {
    let n = y.len();
    let r = &mut scratch[..n];
    for t in 0..n {
        r[t] = (y[t] - seasonal[t] - trend[t]).abs();
    }
    // The two middle order statistics (equal when n is odd).
    let upper = n / 2;
    let lower = n - upper - 1;
    r.select_nth_unstable_by(upper, f64::total_cmp);
    let high = r[upper];
    let low = if lower == upper {
        high
    } else {
        r[..upper]
            .iter()
            .copied()
            .max_by(f64::total_cmp)
            .unwrap_or(high)
    };
    let cmad = 3.0 * (low + high);
    let (c9, c1) = (NEAR_ONE * cmad, NEAR_ZERO * cmad);
    for t in 0..n {
        let r = (y[t] - seasonal[t] - trend[t]).abs();
        weights[t] = if r <= c1 {
            1.0
        } else if r <= c9 {
            let u = r / cmad;
            let v = 1.0 - u * u;
            v * v
        } else {
            0.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_odd_as_r() {
        assert_eq!(next_odd(12.0), 13);
        assert_eq!(next_odd(7.0), 7);
        assert_eq!(next_odd(365.25), 365);
        assert_eq!(next_odd(52.18), 53);
        assert_eq!(next_odd(2.5), 3); // round(2.5) = 2 in R
    }

    #[test]
    fn defaults_as_r() {
        let p = Stl::new(12.0, SeasonalWindow::Span(7))
            .unwrap()
            .resolve(144);
        // nextodd(ceiling(1.5 * 12 / (1 - 1.5 / 7))) = nextodd(23) = 23
        assert_eq!(p.trend_window, 23);
        assert_eq!(p.lowpass_window, 13);
        assert_eq!((p.seasonal_jump, p.trend_jump, p.lowpass_jump), (1, 3, 2));
        assert_eq!((p.inner, p.outer), (2, 0));
        let p = Stl::new(12.0, SeasonalWindow::Periodic)
            .unwrap()
            .resolve(144);
        assert_eq!(p.seasonal_window, 1441);
        assert_eq!(p.seasonal_jump, 145);
        assert_eq!(p.trend_window, 19);
    }

    #[test]
    fn bad_input() {
        assert!(Stl::new(1.0, SeasonalWindow::Periodic).is_err());
        assert!(Stl::new(f64::NAN, SeasonalWindow::Periodic).is_err());
        assert!(Stl::new(4.0, SeasonalWindow::Span(0)).is_err());
        let stl = Stl::new(4.0, SeasonalWindow::Span(7)).unwrap();
        assert!(stl.clone().with_seasonal_degree(2).is_err());
        assert!(stl.clone().with_jumps(0, 1, 1).is_err());
        assert!(matches!(
            stl.fit(&[1.0; 8]),
            Err(Error::TooShort {
                needed: 9,
                got: 8,
                ..
            })
        ));
        let mut y = vec![1.0; 20];
        y[3] = f64::INFINITY;
        assert!(matches!(
            stl.fit(&y),
            Err(Error::NonFinite { index: 3, .. })
        ));
    }

    #[test]
    fn constant_and_pure_seasonal() {
        let stl = Stl::new(4.0, SeasonalWindow::Span(7)).unwrap();
        let fit = stl.fit(&[5.0; 20]).unwrap();
        for t in 0..20 {
            assert!((fit.trend[t] - 5.0).abs() < 1e-12);
            assert!(fit.seasonal[t].abs() < 1e-12);
        }
        let y: Vec<f64> = (0..40)
            .map(|t| 10.0 + [1.0, -2.0, 3.0, -2.0][t % 4])
            .collect();
        let fit = Stl::new(4.0, SeasonalWindow::Periodic)
            .unwrap()
            .robust(true)
            .fit(&y)
            .unwrap();
        for t in 0..40 {
            assert!((fit.seasonal[t] - [1.0, -2.0, 3.0, -2.0][t % 4]).abs() < 1e-9);
            assert!((fit.trend[t] - 10.0).abs() < 1e-9);
        }
    }
}
