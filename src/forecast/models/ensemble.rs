//! Forecast combinations: mean and median of several models' forecasts, and
//! the M4 benchmark "Comb" (the mean of SES, Holt and damped Holt on the
//! seasonally adjusted series).
//!
//! **Intervals.** A combination's interval bounds are combined the same way
//! as its point forecasts, quantile by quantile: the mean combination
//! averages the members' lower bounds and their upper bounds at each level
//! ("quantile averaging", Lichtendahl, Grushka-Cockayne & Winkler,
//! *Management Science* 59, 2013), the median combination takes the median
//! of the members' bounds. Each bound is a quantile of its member's forecast
//! distribution, so the result is the quantile of the averaged (or median)
//! quantile function: it is a proper quantile function again, intervals stay
//! nested across levels and contain the combined point forecast whenever
//! every member's do. Quantile averaging gives intervals no wider than the
//! widest member's (unlike averaging the distributions, which also adds the
//! members' disagreement); that is the documented weakness of the method when
//! members disagree strongly. A combination has intervals only when every
//! member has them (intermittent-demand methods give none).
//!
//! ```
//! use salesplan::forecast::models::ensemble::{combine, Combiner};
//! use salesplan::forecast::models::{Forecast, Interval};
//! let a = Forecast { mean: vec![10.0], intervals: vec![Interval { level: 80.0, lower: vec![8.0], upper: vec![12.0] }] };
//! let b = Forecast { mean: vec![14.0], intervals: vec![Interval { level: 80.0, lower: vec![10.0], upper: vec![20.0] }] };
//! let mean = combine(&[a.clone(), b.clone()], Combiner::Mean).unwrap();
//! assert_eq!(mean.mean, [12.0]);
//! assert_eq!((mean.intervals[0].lower[0], mean.intervals[0].upper[0]), (9.0, 16.0));
//! let median = combine(&[a, b], Combiner::Median).unwrap();
//! assert_eq!(median.mean, [12.0]); // two members: the median is their mean
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::models::ets::{Ets, FittedEts};
use crate::forecast::models::seasonal::SeasonalAdjustment;
use crate::forecast::models::{Forecast, Interval};
use crate::numeric::stats::check_levels;

/// How member forecasts are combined, point by point and quantile by quantile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Combiner {
    /// Arithmetic mean (equal weights).
    Mean,
    /// Median (the mean of the two middle values for an even count).
    Median,
}

impl Combiner {
    /// Combines `values` (at least one, finite).
    fn apply(self, values: &mut [f64]) -> f64 {
        debug_assert!(!values.is_empty());
        match self {
            Combiner::Mean => values.iter().sum::<f64>() / values.len() as f64,
            Combiner::Median => {
                values.sort_by(f64::total_cmp);
                let k = values.len();
                if k % 2 == 1 {
                    values[k / 2]
                } else {
                    0.5 * (values[k / 2 - 1] + values[k / 2])
                }
            }
        }
    }
}

/// Combines member forecasts step by step with `combiner` (see the module
/// docs for the intervals). All members must have the same horizon; the
/// result has intervals at the first member's levels when every member has
/// intervals at those levels, else none.
pub fn combine(members: &[Forecast], combiner: Combiner) -> Result<Forecast> {
    let first = members.first().ok_or(Error::InvalidParameter {
        name: "combination",
        reason: "needs at least one member forecast".into(),
    })?;
    let h = first.mean.len();
    if members.iter().any(|f| f.mean.len() != h) {
        return Err(Error::InvalidParameter {
            name: "combination",
            reason: "member forecasts have different horizons".into(),
        });
    }
    let mut buffer = Vec::with_capacity(members.len());
    let mut column = |pick: &dyn Fn(&Forecast) -> f64| {
        buffer.clear();
        buffer.extend(members.iter().map(pick));
        combiner.apply(&mut buffer)
    };
    let mean: Vec<f64> = (0..h).map(|t| column(&|f| f.mean[t])).collect();
    let levels: Vec<f64> = first.intervals.iter().map(|i| i.level).collect();
    let all_have = members.iter().all(|f| {
        f.intervals.len() == levels.len()
            && f.intervals
                .iter()
                .zip(&levels)
                .all(|(i, l)| i.level == *l && i.lower.len() == h && i.upper.len() == h)
    });
    let intervals = if all_have {
        levels
            .iter()
            .enumerate()
            .map(|(k, &level)| Interval {
                level,
                lower: (0..h)
                    .map(|t| column(&|f| f.intervals[k].lower[t]))
                    .collect(),
                upper: (0..h)
                    .map(|t| column(&|f| f.intervals[k].upper[t]))
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Forecast { mean, intervals })
}

/// The M4 competition's "Comb" benchmark: the mean of simple exponential
/// smoothing, Holt's linear trend and damped Holt, each fitted (as our ETS
/// with the fixed forms ANN, AAN and AAdN, maximum likelihood) to the
/// series seasonally adjusted by classical multiplicative decomposition when
/// the M4 90% autocorrelation test finds seasonality at lag `m` (as for
/// Naive2); forecasts and interval bounds are re-seasonalised.
///
/// A member that cannot be fitted (a series too short for a trend) is left
/// out and the fitted ones are averaged; [`FittedComb::members`] says which.
///
/// ```
/// use salesplan::forecast::models::ensemble::M4Comb;
/// let y: Vec<f64> = (0..48)
///     .map(|t| (100.0 + t as f64) * [1.2, 0.8, 1.0, 1.0][t % 4])
///     .collect();
/// let fit = M4Comb::new(4).fit(&y)?;
/// assert_eq!(fit.members(), ["ANN", "AAN", "AAdN"]);
/// let fc = fit.predict(8, &[95.0])?;
/// assert!(fc.mean[0] > 100.0 && fc.intervals[0].lower[0] < fc.mean[0]);
/// # Ok::<(), salesplan::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct M4Comb {
    pub season_length: usize,
}

/// A fitted [`M4Comb`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedComb {
    pub adjustment: SeasonalAdjustment,
    /// The fitted members (a subset of ANN, AAN, AAdN, in that order).
    pub fits: Vec<FittedEts>,
    pub n_obs: usize,
}

impl M4Comb {
    pub fn new(season_length: usize) -> M4Comb {
        M4Comb { season_length }
    }

    /// Fits the three members to the seasonally adjusted `y`.
    pub fn fit(&self, y: &[f64]) -> Result<FittedComb> {
        if self.season_length == 0 {
            return Err(Error::InvalidParameter {
                name: "season length",
                reason: "must be at least 1".into(),
            });
        }
        if y.is_empty() {
            return Err(Error::TooShort {
                series: String::new(),
                needed: 1,
                got: 0,
            });
        }
        let adjustment = SeasonalAdjustment::test_and_fit(y, self.season_length);
        let adjusted = adjustment.adjust(y);
        let mut fits = Vec::with_capacity(3);
        let mut first_error = None;
        for code in ["ANN", "AAN", "AAdN"] {
            match Ets::new(code.parse()?, 1).and_then(|e| e.fit(&adjusted)) {
                Ok(fit) => fits.push(fit),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match (fits.is_empty(), first_error) {
            (true, Some(e)) => Err(e),
            _ => Ok(FittedComb {
                adjustment,
                fits,
                n_obs: y.len(),
            }),
        }
    }
}

impl FittedComb {
    /// The ETS forms that were fitted and are averaged.
    pub fn members(&self) -> Vec<String> {
        self.fits.iter().map(|f| f.spec.to_string()).collect()
    }

    /// Forecasts `h` steps: the mean of the members' forecasts and, at each
    /// level, the mean of their bounds, all re-seasonalised.
    pub fn predict(&self, h: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let members = self
            .fits
            .iter()
            .map(|f| {
                let mut fc = f.predict(h, levels)?;
                reseasonalise(&self.adjustment, self.n_obs, &mut fc);
                Ok(fc)
            })
            .collect::<Result<Vec<_>>>()?;
        combine(&members, Combiner::Mean)
    }
}

/// Multiplies a forecast made on the adjusted scale by the seasonal indices
/// of times `start..`, keeping each interval's bounds ordered.
pub(crate) fn reseasonalise(adjustment: &SeasonalAdjustment, start: usize, fc: &mut Forecast) {
    if !adjustment.is_seasonal() {
        return;
    }
    adjustment.reseasonalise(start, &mut fc.mean);
    for i in &mut fc.intervals {
        adjustment.reseasonalise(start, &mut i.lower);
        adjustment.reseasonalise(start, &mut i.upper);
        for (lo, hi) in i.lower.iter_mut().zip(i.upper.iter_mut()) {
            if *lo > *hi {
                std::mem::swap(lo, hi);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fc(mean: &[f64], lo: &[f64], hi: &[f64]) -> Forecast {
        Forecast {
            mean: mean.to_vec(),
            intervals: vec![Interval {
                level: 90.0,
                lower: lo.to_vec(),
                upper: hi.to_vec(),
            }],
        }
    }

    #[test]
    fn mean_and_median_arithmetic() {
        let members = [
            fc(&[1.0, 2.0], &[0.0, 1.0], &[2.0, 3.0]),
            fc(&[4.0, 8.0], &[3.0, 5.0], &[9.0, 9.0]),
            fc(&[10.0, 5.0], &[9.0, 4.0], &[11.0, 6.0]),
        ];
        let m = combine(&members, Combiner::Mean).unwrap();
        assert_eq!(m.mean, [5.0, 5.0]);
        assert_eq!(m.intervals[0].lower, [4.0, 10.0 / 3.0]);
        assert_eq!(m.intervals[0].upper, [22.0 / 3.0, 6.0]);
        let d = combine(&members, Combiner::Median).unwrap();
        assert_eq!(d.mean, [4.0, 5.0]);
        assert_eq!(d.intervals[0].lower, [3.0, 4.0]);
        assert_eq!(d.intervals[0].upper, [9.0, 6.0]);
        // one member: itself
        assert_eq!(
            combine(&members[..1], Combiner::Median).unwrap(),
            members[0]
        );
    }

    #[test]
    fn intervals_only_when_every_member_has_them() {
        let without = Forecast {
            mean: vec![3.0, 3.0],
            intervals: vec![],
        };
        let with = fc(&[1.0, 1.0], &[0.0, 0.0], &[2.0, 2.0]);
        let c = combine(&[with, without], Combiner::Mean).unwrap();
        assert_eq!(c.mean, [2.0, 2.0]);
        assert!(c.intervals.is_empty());
    }

    #[test]
    fn bad_inputs() {
        assert!(combine(&[], Combiner::Mean).is_err());
        let a = fc(&[1.0], &[0.0], &[2.0]);
        let b = fc(&[1.0, 2.0], &[0.0, 1.0], &[2.0, 3.0]);
        assert!(combine(&[a, b], Combiner::Mean).is_err());
        assert!(M4Comb::new(0).fit(&[1.0, 2.0]).is_err());
        assert!(M4Comb::new(1).fit(&[]).is_err());
    }

    #[test]
    fn comb_is_the_mean_of_its_members_and_nested() {
        let y: Vec<f64> = (0..60)
            .map(|t| (100.0 + 1.5 * t as f64) * [1.2, 0.8, 1.1, 0.9][t % 4] + (t % 7) as f64)
            .collect();
        let fit = M4Comb::new(4).fit(&y).unwrap();
        assert!(fit.adjustment.is_seasonal());
        let fc = fit.predict(8, &[80.0, 95.0]).unwrap();
        let by_hand: Vec<f64> = (0..8)
            .map(|j| {
                let s: f64 = fit.fits.iter().map(|f| f.point_forecast(8)[j]).sum();
                s / 3.0 * fit.adjustment.index(60 + j)
            })
            .collect();
        for (a, b) in fc.mean.iter().zip(&by_hand) {
            assert!((a - b).abs() < 1e-9 * b.abs());
        }
        for t in 0..8 {
            let (i80, i95) = (&fc.intervals[0], &fc.intervals[1]);
            assert!(i95.lower[t] <= i80.lower[t] && i80.lower[t] <= fc.mean[t]);
            assert!(fc.mean[t] <= i80.upper[t] && i80.upper[t] <= i95.upper[t]);
        }
        // too short for a damped trend: the members that fit
        let short = M4Comb::new(1).fit(&[5.0, 6.0, 5.5, 6.5, 6.0]).unwrap();
        assert_eq!(short.members()[0], "ANN");
        assert!(short.predict(3, &[80.0]).is_ok());
        // too short for any member: the first member's error
        assert!(M4Comb::new(1).fit(&[5.0, 6.0]).is_err());
    }
}
