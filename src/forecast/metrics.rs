//! Forecast accuracy metrics, as the M4 competition and Hyndman & Koehler
//! (2006) define them. Percentages (MAPE, sMAPE, WAPE, coverage) are in
//! percent. Every function checks that its inputs have equal, non-zero
//! lengths and returns [`Error::UndefinedMetric`] where the metric divides by
//! zero.
//!
//! ```
//! use salesplan::forecast::metrics;
//! let actual = [10.0, 20.0, 30.0];
//! let forecast = [12.0, 18.0, 33.0];
//! assert_eq!(metrics::mae(&actual, &forecast)?, 7.0 / 3.0);
//! assert_eq!(metrics::bias(&actual, &forecast)?, 1.0);
//! // MASE scales by the in-sample mean absolute (seasonal) naive error
//! let history = [8.0, 9.0, 11.0, 10.0];
//! assert_eq!(metrics::mase(&actual, &forecast, &history, 1)?, (7.0 / 3.0) / (4.0 / 3.0));
//! # Ok::<(), salesplan::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::models::{Forecast, Interval};

fn check(metric: &'static str, actual: &[f64], forecast: &[f64]) -> Result<()> {
    if actual.is_empty() || actual.len() != forecast.len() {
        return Err(Error::InvalidParameter {
            name: "metric input",
            reason: format!(
                "{metric}: {} actual values and {} forecasts (need equal, non-zero lengths)",
                actual.len(),
                forecast.len()
            ),
        });
    }
    Ok(())
}

fn undefined(metric: &'static str, reason: &str) -> Error {
    Error::UndefinedMetric {
        metric,
        reason: reason.to_string(),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    sum / count as f64
}

/// Mean absolute error.
pub fn mae(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    check("MAE", actual, forecast)?;
    Ok(mean(
        actual.iter().zip(forecast).map(|(a, f)| (a - f).abs()),
    ))
}

/// Root mean squared error.
pub fn rmse(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    check("RMSE", actual, forecast)?;
    Ok(mean(actual.iter().zip(forecast).map(|(a, f)| (a - f).powi(2))).sqrt())
}

/// Mean absolute percentage error, 100 · mean(|a − f| / |a|).
pub fn mape(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    check("MAPE", actual, forecast)?;
    if actual.contains(&0.0) {
        return Err(undefined("MAPE", "an actual value is zero"));
    }
    Ok(100.0
        * mean(
            actual
                .iter()
                .zip(forecast)
                .map(|(a, f)| ((a - f) / a).abs()),
        ))
}

/// Symmetric MAPE as in M3/M4, 100 · mean(2|a − f| / (|a| + |f|)); a point
/// where both are zero counts as 0.
pub fn smape(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    check("sMAPE", actual, forecast)?;
    Ok(100.0
        * mean(actual.iter().zip(forecast).map(|(a, f)| {
            let d = a.abs() + f.abs();
            if d == 0.0 {
                0.0
            } else {
                2.0 * (a - f).abs() / d
            }
        })))
}

/// Weighted absolute percentage error, 100 · Σ|a − f| / Σ|a|.
pub fn wape(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    check("WAPE", actual, forecast)?;
    let total: f64 = actual.iter().map(|a| a.abs()).sum();
    if total == 0.0 {
        return Err(undefined("WAPE", "all actual values are zero"));
    }
    let err: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(a, f)| (a - f).abs())
        .sum();
    Ok(100.0 * err / total)
}

/// Mean error f − a (positive: over-forecast).
pub fn bias(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    check("bias", actual, forecast)?;
    Ok(mean(actual.iter().zip(forecast).map(|(a, f)| f - a)))
}

/// Mean of |y_t − y_{t−m}|^p over the history, the naive scale.
fn naive_scale(metric: &'static str, history: &[f64], m: usize, power: i32) -> Result<f64> {
    let m = m.max(1);
    if history.len() <= m {
        return Err(undefined(
            metric,
            &format!(
                "the history has {} points, needs more than {m}",
                history.len()
            ),
        ));
    }
    let scale = mean((m..history.len()).map(|t| (history[t] - history[t - m]).abs().powi(power)));
    if scale == 0.0 || !scale.is_finite() {
        return Err(undefined(metric, "the in-sample naive error is zero"));
    }
    Ok(scale)
}

/// Mean absolute scaled error: MAE over the in-sample MAE of the seasonal
/// naive forecast with lag `m` (1: naive), as in M4.
pub fn mase(actual: &[f64], forecast: &[f64], history: &[f64], m: usize) -> Result<f64> {
    check("MASE", actual, forecast)?;
    Ok(mae(actual, forecast)? / naive_scale("MASE", history, m, 1)?)
}

/// Root mean squared scaled error (M5): sqrt(MSE / in-sample MSE of the
/// seasonal naive with lag `m`).
pub fn rmsse(actual: &[f64], forecast: &[f64], history: &[f64], m: usize) -> Result<f64> {
    check("RMSSE", actual, forecast)?;
    let mse = rmse(actual, forecast)?.powi(2);
    Ok((mse / naive_scale("RMSSE", history, m, 2)?).sqrt())
}

/// Percentage of actual values inside [lower, upper].
pub fn coverage(actual: &[f64], lower: &[f64], upper: &[f64]) -> Result<f64> {
    check("coverage", actual, lower)?;
    check("coverage", actual, upper)?;
    let inside = actual
        .iter()
        .zip(lower.iter().zip(upper))
        .filter(|(a, (l, u))| *l <= *a && *a <= *u)
        .count();
    Ok(100.0 * inside as f64 / actual.len() as f64)
}

/// Mean pinball (quantile) loss of forecasts of the `tau` quantile:
/// mean(max(τ(a − q), (τ − 1)(a − q))).
pub fn pinball(actual: &[f64], quantile: &[f64], tau: f64) -> Result<f64> {
    check("pinball loss", actual, quantile)?;
    if !(tau > 0.0 && tau < 1.0) {
        return Err(Error::InvalidParameter {
            name: "quantile",
            reason: format!("must be strictly between 0 and 1, got {tau}"),
        });
    }
    Ok(mean(actual.iter().zip(quantile).map(|(a, q)| {
        let d = a - q;
        (tau * d).max((tau - 1.0) * d)
    })))
}

/// Pinball loss of an interval's two bounds as the (1 − level)/2 and
/// (1 + level)/2 quantiles, averaged.
pub fn interval_pinball(actual: &[f64], interval: &Interval) -> Result<f64> {
    let tau = (1.0 - interval.level / 100.0) / 2.0;
    Ok(0.5
        * (pinball(actual, &interval.lower, tau)? + pinball(actual, &interval.upper, 1.0 - tau)?))
}

/// Overall weighted average (M4): the mean of sMAPE and MASE, each relative
/// to Naive2's.
pub fn owa(smape: f64, mase: f64, naive2_smape: f64, naive2_mase: f64) -> Result<f64> {
    if !(naive2_smape > 0.0 && naive2_mase > 0.0) {
        return Err(undefined("OWA", "Naive2's sMAPE or MASE is zero"));
    }
    Ok(0.5 * (smape / naive2_smape + mase / naive2_mase))
}

/// Every metric of one forecast against its actual values; `None` where a
/// metric is undefined (MAPE with zero actuals, MASE on a flat history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    pub mae: f64,
    pub rmse: f64,
    pub mape: Option<f64>,
    pub smape: f64,
    pub mase: Option<f64>,
    pub rmsse: Option<f64>,
    pub wape: Option<f64>,
    pub bias: f64,
    /// (level, coverage %, mean pinball loss of the bounds), per interval.
    pub intervals: Vec<(f64, f64, f64)>,
}

impl Accuracy {
    /// Scores `forecast` (its first `actual.len()` steps) against `actual`,
    /// scaling MASE and RMSSE by `history` with seasonal lag `m`.
    pub fn compute(
        actual: &[f64],
        forecast: &Forecast,
        history: &[f64],
        m: usize,
    ) -> Result<Accuracy> {
        let k = actual.len();
        if forecast.mean.len() < k {
            return Err(Error::InvalidParameter {
                name: "metric input",
                reason: format!(
                    "{k} actual values but only {} forecasts",
                    forecast.mean.len()
                ),
            });
        }
        let f = &forecast.mean[..k];
        let intervals = forecast
            .intervals
            .iter()
            .map(|i| {
                let cut = Interval {
                    level: i.level,
                    lower: i.lower[..k].to_vec(),
                    upper: i.upper[..k].to_vec(),
                };
                Ok((
                    i.level,
                    coverage(actual, &cut.lower, &cut.upper)?,
                    interval_pinball(actual, &cut)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Accuracy {
            mae: mae(actual, f)?,
            rmse: rmse(actual, f)?,
            mape: mape(actual, f).ok(),
            smape: smape(actual, f)?,
            mase: mase(actual, f, history, m).ok(),
            rmsse: rmsse(actual, f, history, m).ok(),
            wape: wape(actual, f).ok(),
            bias: bias(actual, f)?,
            intervals,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [f64; 4] = [100.0, 110.0, 90.0, 120.0];
    const F: [f64; 4] = [105.0, 100.0, 90.0, 130.0];

    #[test]
    fn hand_computed() {
        // errors f − a: 5, −10, 0, 10
        assert_eq!(mae(&A, &F).unwrap(), 25.0 / 4.0);
        assert_eq!(rmse(&A, &F).unwrap(), (225.0_f64 / 4.0).sqrt());
        assert_eq!(bias(&A, &F).unwrap(), 5.0 / 4.0);
        let mape_expected = 100.0 * (5.0 / 100.0 + 10.0 / 110.0 + 0.0 + 10.0 / 120.0) / 4.0;
        assert!((mape(&A, &F).unwrap() - mape_expected).abs() < 1e-12);
        let smape_expected = 100.0 * (10.0 / 205.0 + 20.0 / 210.0 + 0.0 + 20.0 / 250.0) / 4.0;
        assert!((smape(&A, &F).unwrap() - smape_expected).abs() < 1e-12);
        assert_eq!(wape(&A, &F).unwrap(), 100.0 * 25.0 / 420.0);
        // history 1, 3, 2, 6: naive |diffs| 2, 1, 4 → 7/3; squared 4, 1, 16 → 7
        let h = [1.0, 3.0, 2.0, 6.0];
        assert!((mase(&A, &F, &h, 1).unwrap() - 6.25 / (7.0 / 3.0)).abs() < 1e-12);
        assert!((rmsse(&A, &F, &h, 1).unwrap() - (56.25_f64 / 7.0).sqrt()).abs() < 1e-12);
        // seasonal lag 2: |2 − 1|, |6 − 3| → 2
        assert_eq!(mase(&A, &F, &h, 2).unwrap(), 6.25 / 2.0);
        // coverage: 100 in [95,105], 110 not in [111,112], 90 in, 120 in
        let lo = [95.0, 111.0, 80.0, 120.0];
        let hi = [105.0, 112.0, 100.0, 125.0];
        assert_eq!(coverage(&A, &lo, &hi).unwrap(), 75.0);
        // pinball τ = 0.9: a − q = −5, 10, 0, −10 → 0.5, 9, 0, 1 → 2.625
        assert!((pinball(&A, &F, 0.9).unwrap() - 2.625).abs() < 1e-12);
        assert_eq!(owa(10.0, 1.0, 20.0, 2.0).unwrap(), 0.5);
    }

    #[test]
    fn undefined_and_bad_input() {
        assert!(matches!(
            mape(&[0.0, 1.0], &[1.0, 1.0]),
            Err(Error::UndefinedMetric { .. })
        ));
        assert!(matches!(
            mase(&A, &F, &[5.0; 4], 1),
            Err(Error::UndefinedMetric { .. })
        ));
        assert!(mae(&A, &F[..2]).is_err());
        assert!(mae(&[], &[]).is_err());
        assert!(pinball(&A, &F, 1.0).is_err());
        assert_eq!(smape(&[0.0], &[0.0]).unwrap(), 0.0);
    }
}
