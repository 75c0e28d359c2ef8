//! Classical seasonal adjustment as the M-competitions and R's `thetaf()` do
//! it: a 90% autocorrelation test for seasonality, then a classical
//! multiplicative decomposition (R's `decompose(type = "multiplicative")`)
//! whose seasonal indices divide the data before a non-seasonal method is
//! applied and multiply its forecasts afterwards.
//!
//! ```
//! use salesplan::forecast::models::seasonal::SeasonalAdjustment;
//! let y: Vec<f64> = (0..48).map(|t| (100.0 + t as f64) * [1.2, 0.8, 1.0, 1.0][t % 4]).collect();
//! let adj = SeasonalAdjustment::test_and_fit(&y, 4);
//! assert!(adj.is_seasonal());
//! let flat = adj.adjust(&y);
//! assert!((flat[1] / flat[0] - 1.0).abs() < 0.05);
//! ```

use serde::{Deserialize, Serialize};

/// Sample autocorrelations at lags 1..=max_lag (demeaned, denominator n, as
/// R's `acf`). A constant series has no defined autocorrelation: `None`.
pub fn autocorrelations(y: &[f64], max_lag: usize) -> Option<Vec<f64>> {
    let n = y.len();
    if n == 0 {
        return None;
    }
    let mean = y.iter().sum::<f64>() / n as f64;
    let c0: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    if c0 <= 0.0 || !c0.is_finite() {
        return None;
    }
    Some(
        (1..=max_lag)
            .map(|k| {
                if k >= n {
                    return 0.0;
                }
                let ck: f64 = (0..n - k).map(|t| (y[t] - mean) * (y[t + k] - mean)).sum();
                ck / c0
            })
            .collect(),
    )
}

/// The M-competition seasonality test at 90%: seasonal when
/// |r_m| > 1.645 · sqrt((1 + 2 Σ_{k<m} r_k²) / n), with r_k the lag-k
/// autocorrelation. As R's `thetaf()`, it is only applied when m > 1, the
/// series is not constant and n > 2m; otherwise the series is non-seasonal.
pub fn is_seasonal(y: &[f64], m: usize) -> bool {
    let n = y.len();
    if m < 2 || n <= 2 * m {
        return false;
    }
    let Some(r) = autocorrelations(y, m) else {
        return false;
    };
    let sum_sq: f64 = r[..m - 1].iter().map(|v| v * v).sum();
    let limit = ((1.0 + 2.0 * sum_sq) / n as f64).sqrt();
    // qnorm(0.95), as R's thetaf (the M4 code rounds it to 1.645)
    r[m - 1].abs() / limit > 1.644_853_626_951_472_2
}

/// Seasonal indices of a classical multiplicative decomposition (R's
/// `decompose(x, "multiplicative")$figure`): a centred moving average of
/// order m (2×m for even m) as trend, the ratio data/trend averaged per
/// position in the cycle (counted from the first observation), normalised
/// to mean 1. `None` when n < 2m or the trend is zero somewhere.
pub fn multiplicative_indices(y: &[f64], m: usize) -> Option<Vec<f64>> {
    let n = y.len();
    if m < 2 || n < 2 * m {
        return None;
    }
    let half = m / 2;
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for t in half..n - half {
        let trend = if m % 2 == 0 {
            let inner: f64 = y[t + 1 - half..t + half].iter().sum();
            (0.5 * y[t - half] + inner + 0.5 * y[t + half]) / m as f64
        } else {
            y[t - half..=t + half].iter().sum::<f64>() / m as f64
        };
        if trend == 0.0 || !trend.is_finite() {
            return None;
        }
        sums[t % m] += y[t] / trend;
        counts[t % m] += 1;
    }
    if counts.contains(&0) {
        return None;
    }
    let figure: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, c)| s / *c as f64)
        .collect();
    let mean = figure.iter().sum::<f64>() / m as f64;
    if mean == 0.0 || !mean.is_finite() {
        return None;
    }
    Some(figure.into_iter().map(|f| f / mean).collect())
}

/// Multiplicative seasonal indices per position in the cycle, or none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonalAdjustment {
    /// `indices[t % m]` is the index of observation `t` (0-based from the
    /// start of the series); empty when the series is treated as non-seasonal.
    pub indices: Vec<f64>,
}

impl SeasonalAdjustment {
    /// No adjustment.
    pub fn none() -> SeasonalAdjustment {
        SeasonalAdjustment {
            indices: Vec::new(),
        }
    }

    /// Tests `y` for seasonality at lag `m` ([`is_seasonal`]) and, when
    /// seasonal, estimates multiplicative indices. As R's `thetaf()`, a
    /// decomposition with an index below 1e-4 in absolute value is dropped
    /// (no adjustment), as is one that cannot be computed (zero trend).
    pub fn test_and_fit(y: &[f64], m: usize) -> SeasonalAdjustment {
        if !is_seasonal(y, m) {
            return SeasonalAdjustment::none();
        }
        match multiplicative_indices(y, m) {
            Some(ix) if ix.iter().all(|v| v.abs() >= 1e-4 && v.is_finite()) => {
                SeasonalAdjustment { indices: ix }
            }
            _ => SeasonalAdjustment::none(),
        }
    }

    /// Whether indices were estimated.
    pub fn is_seasonal(&self) -> bool {
        !self.indices.is_empty()
    }

    /// The index of time `t` (0-based; t ≥ n for forecasts). 1 when non-seasonal.
    pub fn index(&self, t: usize) -> f64 {
        if self.indices.is_empty() {
            1.0
        } else {
            self.indices[t % self.indices.len()]
        }
    }

    /// `y` divided by its indices.
    pub fn adjust(&self, y: &[f64]) -> Vec<f64> {
        y.iter()
            .enumerate()
            .map(|(t, v)| v / self.index(t))
            .collect()
    }

    /// Multiplies values for times `start, start+1, ...` by their indices, in place.
    pub fn reseasonalise(&self, start: usize, values: &mut [f64]) {
        for (j, v) in values.iter_mut().enumerate() {
            *v *= self.index(start + j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decompose_matches_r() {
        // R: decompose(ts(c(5,9,3,7,6,11,4,8,7,12,5,9), frequency = 4), "multiplicative")$figure
        let y = [5., 9., 3., 7., 6., 11., 4., 8., 7., 12., 5., 9.];
        let f = multiplicative_indices(&y, 4).unwrap();
        let r = [
            0.887_389_058_8,
            1.521_676_287,
            0.519_940_336_4,
            1.070_994_317_8,
        ];
        for (a, b) in f.iter().zip(r) {
            assert!((a - b).abs() < 1e-9, "{f:?}");
        }
    }

    #[test]
    fn decompose_odd_period_matches_r() {
        // R: decompose(ts(c(5,9,3,7,6,11,4,8,7,12,5,9,6,10,4), frequency = 5), "multiplicative")$figure
        let y = [
            5., 9., 3., 7., 6., 11., 4., 8., 7., 12., 5., 9., 6., 10., 4.,
        ];
        let f = multiplicative_indices(&y, 5).unwrap();
        let r = [
            1.114_736_152_343,
            0.836_248_232_510,
            0.800_014_808_376,
            0.999_418_619_342,
            1.249_582_187_429,
        ];
        for (a, b) in f.iter().zip(r) {
            assert!((a - b).abs() < 1e-11, "{f:?}");
        }
    }

    #[test]
    fn acf_matches_r() {
        // R: acf(c(1,3,2,5,4,6,5,8), lag.max = 2, plot = FALSE)$acf[2:3]
        let r = autocorrelations(&[1., 3., 2., 5., 4., 6., 5., 8.], 2).unwrap();
        assert!((r[0] - 0.244_718_309_9).abs() < 1e-9, "{r:?}");
        assert!((r[1] - 0.411_971_831).abs() < 1e-9, "{r:?}");
        assert!(autocorrelations(&[2.0; 5], 2).is_none());
        assert!(!is_seasonal(&[2.0; 50], 12));
    }
}
