//! The company target before any split: candidates from growth over last
//! year, from the market (a forecast of its size × the share the company
//! aims for) and from the profit goal (the revenue that earns it).
//!
//! Each candidate is an amount with where it came from;
//! [`crate::scenario::targets`] scores them (the probability of reaching
//! each, and how many reps it would put below even odds).
//!
//! ```
//! use salesplan::plan::target::{Margin, TargetCandidate};
//! let last_year = 1_000_000.0;
//! let growth = TargetCandidate::growth(last_year, 0.15)?;
//! assert!((growth.amount - 1_150_000.0).abs() < 1e-6);
//!
//! // profit 200k over fixed costs of 100k at a 25% contribution margin
//! let margin = Margin::weighted(&[Margin::new("all", 0.25, 1.0)?])?;
//! let profit = TargetCandidate::profit(200_000.0, 100_000.0, margin)?;
//! assert!((profit.amount - 1_200_000.0).abs() < 1e-6);
//! # Ok::<(), salesplan::Error>(())
//! ```

use chrono::Datelike;

use crate::error::{Error, Result};
use crate::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
use crate::forecast::frequency::Frequency;
use crate::forecast::series::Series;

/// Where a candidate target came from.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetSource {
    /// Growth over last year's total (0.15 = +15%).
    Growth { rate: f64 },
    /// The market's forecast size over the plan year times the target
    /// share (`share` is the effective share: target / market); `model`
    /// says how the market was forecast.
    Market {
        market: f64,
        share: f64,
        model: String,
    },
    /// The revenue that earns `profit` over `fixed_costs` at the
    /// (weighted) contribution `margin`.
    Profit {
        profit: f64,
        fixed_costs: f64,
        margin: f64,
    },
    /// An amount the user named.
    Amount,
}

impl TargetSource {
    /// `growth`, `market`, `profit` or `amount`.
    pub fn kind(&self) -> &'static str {
        match self {
            TargetSource::Growth { .. } => "growth",
            TargetSource::Market { .. } => "market",
            TargetSource::Profit { .. } => "profit",
            TargetSource::Amount => "amount",
        }
    }
}

/// One candidate for the company target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCandidate {
    /// A short name, unique among the candidates of a run (e.g. `growth +15%`).
    pub name: String,
    pub source: TargetSource,
    pub amount: f64,
}

/// A rate as a signed percentage, to two decimals at most (`+15%`, `-2.5%`).
pub fn percent(rate: f64) -> String {
    let p = (rate * 100.0 * 100.0).round() / 100.0;
    let p = if p == 0.0 { 0.0 } else { p };
    format!("{}{p}%", if p > 0.0 { "+" } else { "" })
}

impl TargetCandidate {
    /// Last year's total grown by `rate` (above −1).
    pub fn growth(last_year_total: f64, rate: f64) -> Result<TargetCandidate> {
        if !rate.is_finite() || rate <= -1.0 {
            return Err(Error::InvalidParameter {
                name: "growth",
                reason: format!("{rate} would leave no target (it must be above -1)"),
            });
        }
        positive_last_year(last_year_total, "growth")?;
        Ok(TargetCandidate {
            name: format!("growth {}", percent(rate)),
            source: TargetSource::Growth { rate },
            amount: last_year_total * (1.0 + rate),
        })
    }

    /// The market's forecast months of the plan year times the target share
    /// of each month (both 12 long): Σ market × share.
    pub fn market(market: &MarketForecast, shares: &[f64]) -> Result<TargetCandidate> {
        let market_months = &market.months[..];
        if market_months.len() != shares.len() || market_months.is_empty() {
            return Err(Error::InvalidParameter {
                name: "market",
                reason: format!(
                    "{} months of market forecast against {} shares",
                    market_months.len(),
                    shares.len()
                ),
            });
        }
        if let Some(s) = shares.iter().find(|s| !(**s > 0.0 && **s <= 1.0)) {
            return Err(Error::InvalidParameter {
                name: "share",
                reason: format!("{s} is not a market share (it must be above 0 and at most 1)"),
            });
        }
        let size: f64 = market_months.iter().sum();
        if size.is_nan() || size <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "market",
                reason: format!("the market's forecast over the plan year is {size}, not a size"),
            });
        }
        let amount: f64 = market_months.iter().zip(shares).map(|(m, s)| m * s).sum();
        let share = amount / size;
        Ok(TargetCandidate {
            name: format!("market share {}", percent(share).trim_start_matches('+')),
            source: TargetSource::Market {
                market: size,
                share,
                model: format!("{} from {}", market.model, market.last_period),
            },
            amount,
        })
    }

    /// The revenue that earns `profit` after `fixed_costs` at contribution
    /// `margin` (a share of revenue, above 0 and at most 1):
    /// (profit + fixed costs) / margin.
    pub fn profit(profit: f64, fixed_costs: f64, margin: f64) -> Result<TargetCandidate> {
        if !profit.is_finite() {
            return Err(Error::InvalidParameter {
                name: "profit",
                reason: format!("{profit} is not an amount"),
            });
        }
        if !(fixed_costs.is_finite() && fixed_costs >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "fixed-costs",
                reason: format!("{fixed_costs} is not a cost (it must be 0 or more)"),
            });
        }
        check_margin(margin)?;
        let needed = profit + fixed_costs;
        if needed <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "profit",
                reason: format!(
                    "a profit of {profit} over fixed costs of {fixed_costs} needs no revenue"
                ),
            });
        }
        Ok(TargetCandidate {
            name: format!("profit {profit:.0}"),
            source: TargetSource::Profit {
                profit,
                fixed_costs,
                margin,
            },
            amount: needed / margin,
        })
    }

    /// An amount given as it is (positive).
    pub fn amount(amount: f64) -> Result<TargetCandidate> {
        if !(amount.is_finite() && amount > 0.0) {
            return Err(Error::InvalidParameter {
                name: "target",
                reason: format!("{amount} is not a target (it must be above 0)"),
            });
        }
        Ok(TargetCandidate {
            name: format!("target {amount:.0}"),
            source: TargetSource::Amount,
            amount,
        })
    }

    /// Growth of the candidate over last year's total (`None` without one).
    pub fn growth_over(&self, last_year_total: f64) -> Option<f64> {
        (last_year_total > 0.0).then(|| self.amount / last_year_total - 1.0)
    }
}

fn positive_last_year(total: f64, name: &'static str) -> Result<()> {
    if total > 0.0 && total.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name,
            reason: format!("last year's total is {total}, so growth over it gives no target"),
        })
    }
}

fn check_margin(margin: f64) -> Result<()> {
    if margin > 0.0 && margin <= 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "margin",
            reason: format!(
                "{margin} is not a contribution margin (a share of revenue above 0 and at most 1)"
            ),
        })
    }
}

/// The contribution margin of one part of the business (a product line, a
/// region) and its share of revenue.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    pub unit: String,
    pub margin: f64,
    /// Share of revenue (of the parts given, they sum to 1).
    pub mix: f64,
}

impl Margin {
    /// A part's margin (above 0, at most 1) and its share of revenue (0 to 1).
    pub fn new(unit: &str, margin: f64, mix: f64) -> Result<Margin> {
        check_margin(margin)?;
        if !(0.0..=1.0).contains(&mix) {
            return Err(Error::InvalidParameter {
                name: "mix",
                reason: format!("{unit}: {mix} is not a share of revenue (0 to 1)"),
            });
        }
        Ok(Margin {
            unit: unit.to_string(),
            margin,
            mix,
        })
    }

    /// The company's margin: Σ mix × margin, the mixes summing to 1 (within
    /// 1e-6). Revenue R then earns R × Σ mix × margin.
    pub fn weighted(parts: &[Margin]) -> Result<f64> {
        let mix: f64 = parts.iter().map(|p| p.mix).sum();
        if parts.is_empty() || (mix - 1.0).abs() > 1e-6 {
            return Err(Error::InvalidParameter {
                name: "mix",
                reason: format!(
                    "the shares of revenue sum to {mix}, not 1 ({} parts)",
                    parts.len()
                ),
            });
        }
        Ok(parts.iter().map(|p| p.mix * p.margin).sum())
    }
}

/// The market's size forecast for each month of the plan year.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketForecast {
    /// Twelve months, January first (a quarter's or year's forecast spread
    /// evenly over its months).
    pub months: Vec<f64>,
    /// The model fitted, e.g. `ETS(MAM)`.
    pub model: String,
    /// The last period of history the forecast starts from.
    pub last_period: String,
}

/// Forecasts the market series `market` (monthly, quarterly or yearly
/// dates) over `year` with AutoETS on its history before that year (later
/// values are ignored, as for the reps' sales). Fails, naming the series,
/// when it has no dated history before `year` or cannot be forecast.
pub fn forecast_market(market: &Series, year: i32) -> Result<MarketForecast> {
    let problem = |reason: String| Error::Calendar {
        series: market.id().to_string(),
        reason,
    };
    let per_year = match market.frequency() {
        Some(Frequency::Monthly) => 12,
        Some(Frequency::Quarterly) => 4,
        Some(Frequency::Yearly) => 1,
        other => {
            return Err(problem(format!(
                "the market's size must be monthly, quarterly or yearly, not {}",
                other.map_or("integer periods".to_string(), |f| format!("{f:?}")
                    .to_lowercase())
            )))
        }
    };
    let dates = market.dates();
    let keep = dates.iter().take_while(|d| d.year() < year).count();
    let Some(last) = keep.checked_sub(1).map(|k| dates[k]) else {
        return Err(problem(format!("no market history before {year}")));
    };
    let months_per = 12 / per_year;
    let index = |y: i32, month0: u32| y as i64 * per_year as i64 + (month0 / months_per) as i64;
    // periods from the last kept one to the plan year's first
    let gap = (index(year, 0) - index(last.year(), last.month0()) - 1) as usize;
    let before = Series::with_index(
        market.id(),
        market.values()[..keep].to_vec(),
        market.index().clone(),
    )?;
    let job = ForecastJob::new(
        ModelChoice::AutoEts,
        gap + per_year as usize,
        Vec::new(),
        Some(per_year as usize),
    )?;
    let forecast = forecast_batch(std::slice::from_ref(&before), &job, &|| {})
        .pop()
        .ok_or_else(|| problem("no forecast".into()))?
        .map_err(|e| problem(format!("cannot forecast the market: {}", e.reason())))?;
    let periods = &forecast.forecast.mean[gap..];
    let months = (0..12)
        .map(|m| periods[m / months_per as usize].max(0.0) / months_per as f64)
        .collect();
    Ok(MarketForecast {
        months,
        model: format!("ETS({})", forecast.form),
        last_period: market.label(keep - 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profit_formula_recomputed_by_hand() {
        // two lines: 60% of revenue at 30%, 40% at 20% → 26% on the whole
        let m = Margin::weighted(&[
            Margin::new("家电", 0.30, 0.6).unwrap(),
            Margin::new("厨具", 0.20, 0.4).unwrap(),
        ])
        .unwrap();
        assert!((m - 0.26).abs() < 1e-12);
        let c = TargetCandidate::profit(1_300_000.0, 1_300_000.0, m).unwrap();
        assert!((c.amount - 10_000_000.0).abs() < 1e-6);
        // what that revenue earns, line by line
        let earned = c.amount * 0.6 * 0.30 + c.amount * 0.4 * 0.20 - 1_300_000.0;
        assert!((earned - 1_300_000.0).abs() < 1e-6);
    }

    fn flat(v: f64) -> MarketForecast {
        MarketForecast {
            months: vec![v; 12],
            model: "ETS(ANN)".into(),
            last_period: "2025-12-01".into(),
        }
    }

    #[test]
    fn the_market_target_is_the_sum_of_months_times_shares() {
        let mut shares = [0.1; 12];
        shares[11] = 0.2;
        let c = TargetCandidate::market(&flat(100.0), &shares).unwrap();
        assert!((c.amount - 130.0).abs() < 1e-9);
        let TargetSource::Market { market, share, .. } = c.source else {
            panic!()
        };
        assert_eq!(market, 1200.0);
        assert!((share - 130.0 / 1200.0).abs() < 1e-12);
    }

    #[test]
    fn bad_numbers_are_refused_with_their_value() {
        let e = |r: Result<TargetCandidate>| r.unwrap_err().to_string();
        assert!(
            e(TargetCandidate::profit(1.0, 0.0, 0.0)).contains("0 is not a contribution margin")
        );
        assert!(e(TargetCandidate::profit(1.0, 0.0, -0.2)).contains("-0.2"));
        assert!(e(TargetCandidate::profit(-5.0, 2.0, 0.3)).contains("needs no revenue"));
        assert!(e(TargetCandidate::profit(5.0, -2.0, 0.3)).contains("-2 is not a cost"));
        assert!(e(TargetCandidate::growth(100.0, -1.0)).contains("above -1"));
        assert!(e(TargetCandidate::growth(0.0, 0.1)).contains("last year's total is 0"));
        assert!(e(TargetCandidate::market(&flat(1.0), &[1.5; 12]))
            .contains("1.5 is not a market share"));
        assert!(e(TargetCandidate::market(&flat(0.0), &[0.1; 12])).contains("not a size"));
        assert!(Margin::weighted(&[Margin::new("a", 0.3, 0.5).unwrap()])
            .unwrap_err()
            .to_string()
            .contains("sum to 0.5, not 1"));
    }

    #[test]
    fn names_say_what_each_candidate_is() {
        assert_eq!(
            TargetCandidate::growth(10.0, 0.15).unwrap().name,
            "growth +15%"
        );
        assert_eq!(
            TargetCandidate::growth(10.0, -0.025).unwrap().name,
            "growth -2.5%"
        );
        assert_eq!(
            TargetCandidate::growth(10.0, 0.0).unwrap().name,
            "growth 0%"
        );
        assert_eq!(
            TargetCandidate::market(&flat(10.0), &[0.085; 12])
                .unwrap()
                .name,
            "market share 8.5%"
        );
    }
}
