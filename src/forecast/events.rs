//! Forecasting with events, for every model family: the event effects are
//! estimated by regression on the history (with year and month effects,
//! [`effects`](crate::events::effects)), taken out of the history, the event-free series is
//! forecast by the model, and the effects of the forecast months are put
//! back into the point forecast and the intervals (the effects are
//! multiplicative, so the intervals stay ordered and non-negative ones stay
//! non-negative).
//!
//! Which events matter is chosen once for the batch, on holdout years of
//! the batch's total ([`select_columns`]: for an org's reps, the
//! company); each series' effects are shrunk towards the total's with the
//! spread of the series' estimates ([`prior_spread`]), so a rep
//! with five New Years in its history borrows from the others. A batch
//! whose total shows no event effect is forecast exactly as without
//! events. Monthly series only for now; others fail with their reason.
//!
//! ```
//! use salesplan::events::EventCalendar;
//! use salesplan::forecast::batch::{ForecastJob, ModelChoice};
//! use salesplan::forecast::events::forecast_batch_with_events;
//! use salesplan::io::{read_long_csv_from, Columns};
//! let mut csv = String::from("unique_id,ds,y\n");
//! for t in 0..36 {
//!     csv.push_str(&format!("a,{}-{:02},{}\n", 2023 + t / 12, t % 12 + 1, 100 + t));
//! }
//! let series = read_long_csv_from(csv.as_bytes(), "s.csv".as_ref(), &Columns::default())?;
//! let job = ForecastJob::new(ModelChoice::AutoEts, 12, vec![95.0], None)?;
//! let cal = EventCalendar::new(&["china"])?;
//! let out = forecast_batch_with_events(&series, &job, &cal, &|| {})?;
//! assert_eq!(out[0].as_ref().unwrap().forecast.mean.len(), 12);
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::collections::HashMap;

use chrono::Datelike;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::events::effects::{
    apply, column_groups, estimate_columns, prior_spread, select_columns, short_history_columns,
    EventEffects,
};
use crate::events::{month_periods, EventCalendar, Regressors};
use crate::forecast::backtest::{Backtest, WindowScore};
use crate::forecast::batch::{
    backtest_outcome, fit_and_predict_with, forecast_batch, mstl_periods, ForecastJob, ModelChoice,
    SeriesBacktest, SeriesOutcome,
};
use crate::forecast::frequency::Frequency;
use crate::forecast::models::nonnegative::NonNegativePoint;
use crate::forecast::models::Forecast;
use crate::forecast::series::Series;

/// Prior spread of the batch total's effects (log scale): wide.
const TOTAL_SPREAD: f64 = 1.0;
/// Least spread of a series' effects around the total's, and the spread
/// when fewer than three series carry information.
const SERIES_SPREAD: (f64, f64) = (0.02, 0.1);

/// One series' event effects and regressors over its history and horizon.
#[derive(Debug, Clone)]
pub struct EventAdjustment {
    beta: Vec<f64>,
    history: Regressors,
    future: Regressors,
}

impl EventAdjustment {
    /// The effects (log scale, one per regressor column).
    pub fn beta(&self) -> &[f64] {
        &self.beta
    }

    /// The history with the events taken out.
    pub fn take_out(&self, values: &[f64]) -> Vec<f64> {
        apply(values, &self.history, &self.beta, -1.0)
    }

    /// The multiplier of each horizon step (`exp(x · beta)`).
    pub fn future_factors(&self) -> Vec<f64> {
        apply(
            &vec![1.0; self.future.rows()],
            &self.future,
            &self.beta,
            1.0,
        )
    }

    /// Puts the horizon's events into a forecast (point and bounds).
    pub fn put_in(&self, forecast: &mut Forecast) {
        let scale = |v: &mut Vec<f64>| {
            let h = v.len().min(self.future.rows());
            let x = self.future.slice(0, h);
            let out = apply(&v[..h], &x, &self.beta, 1.0);
            v[..h].copy_from_slice(&out);
        };
        scale(&mut forecast.mean);
        for i in &mut forecast.intervals {
            scale(&mut i.lower);
            scale(&mut i.upper);
        }
    }
}

/// The first month of each series as a month number (year·12 + month0);
/// fails on a series that is not monthly.
fn first_months(series: &[Series]) -> Result<Vec<i64>> {
    series
        .iter()
        .map(|s| {
            // a one-point series has no frequency of its own: its date places it
            let monthly = s.frequency() == Some(Frequency::Monthly)
                || (s.len() == 1 && !s.dates().is_empty());
            let first = monthly.then(|| s.dates().first().copied()).flatten();
            first
                .map(|d| d.year() as i64 * 12 + d.month0() as i64)
                .ok_or_else(|| Error::Calendar {
                    series: s.id().to_string(),
                    reason: "events need monthly dates (weekly and daily are not supported yet)"
                        .into(),
                })
        })
        .collect()
}

/// Every series' adjustment for a forecast of `horizon` months.
pub fn event_adjustments(
    series: &[Series],
    calendar: &EventCalendar,
    horizon: usize,
) -> Result<Vec<EventAdjustment>> {
    let firsts = first_months(series)?;
    let (Some(&start), Some(end)) = (
        firsts.iter().min(),
        series
            .iter()
            .zip(&firsts)
            .map(|(s, f)| f + s.len() as i64)
            .max(),
    ) else {
        return Ok(Vec::new());
    };
    // one grid of months for the batch, January of the first year on
    let grid_start = start - start.rem_euclid(12);
    let months = (end + horizon as i64 - grid_start) as usize;
    let periods = month_periods((grid_start / 12) as i32, 1, months)?;
    let grid = calendar.regressors("", &periods)?;
    let history_months = (end - grid_start) as usize;
    let mut total = vec![0.0; history_months];
    let mut seen = vec![false; history_months];
    for (s, &f) in series.iter().zip(&firsts) {
        let at = (f - grid_start) as usize;
        for (k, v) in s.values().iter().enumerate() {
            if v.is_finite() {
                total[at + k] += v;
                seen[at + k] = true;
            }
        }
    }
    for (t, s) in total.iter_mut().zip(&seen) {
        if !s {
            *t = f64::NAN;
        }
    }
    let season: Vec<usize> = (0..months).map(|t| t % 12).collect();
    let block: Vec<usize> = (0..months).map(|t| t / 12).collect();
    let history_grid = grid.slice(0, history_months);
    let groups = column_groups(&history_grid);
    let mask = select_columns(
        &total,
        &season[..history_months],
        &block[..history_months],
        &history_grid,
        &groups,
        &short_history_columns(&history_grid, &groups),
    );
    let k = grid.columns();
    if !mask.contains(&true) {
        // no event moves the total: nothing to take out or put back
        return Ok(series
            .iter()
            .map(|s| EventAdjustment {
                beta: vec![0.0; k],
                history: Regressors::zeros(grid.names(), s.len()),
                future: Regressors::zeros(grid.names(), horizon),
            })
            .collect());
    }
    let overall = estimate_columns(
        &total,
        &season[..history_months],
        &block[..history_months],
        &history_grid,
        &mask,
    )
    .posterior(&vec![0.0; k], &vec![TOTAL_SPREAD; k]);
    let regressors = |s: &Series, at: usize| -> Result<Regressors> {
        if calendar.has_events_for(s.id()) {
            calendar.regressors(s.id(), &periods[at..at + s.len() + horizon])
        } else {
            Ok(grid.slice(at, at + s.len() + horizon))
        }
    };
    let own: Vec<(EventEffects, Regressors)> = series
        .par_iter()
        .zip(&firsts)
        .map(|(s, &f)| -> Result<(EventEffects, Regressors)> {
            let at = (f - grid_start) as usize;
            let x = regressors(s, at)?;
            let n = s.len();
            let e = estimate_columns(
                s.values(),
                &season[at..at + n],
                &block[at..at + n],
                &x.slice(0, n),
                &mask,
            );
            Ok((e, x))
        })
        .collect::<Result<_>>()?;
    let estimates: Vec<&EventEffects> = own.iter().map(|(e, _)| e).collect();
    let spread = prior_spread(&estimates, &overall, SERIES_SPREAD.0, SERIES_SPREAD.1);
    Ok(own
        .into_iter()
        .zip(series)
        .map(|((e, x), s)| {
            let mut beta = e.posterior(&overall, &spread);
            for (b, m) in beta.iter_mut().zip(&mask) {
                if !m {
                    *b = 0.0;
                }
            }
            EventAdjustment {
                beta,
                history: x.slice(0, s.len()),
                future: x.slice(s.len(), s.len() + horizon),
            }
        })
        .collect())
}

/// [`forecast_batch`] with events: the series' histories with the events
/// taken out are forecast, and the horizon's events put back. With no
/// event selected the result is that of [`forecast_batch`].
pub fn forecast_batch_with_events(
    series: &[Series],
    job: &ForecastJob,
    calendar: &EventCalendar,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<SeriesOutcome>> {
    let adjustments = event_adjustments(series, calendar, job.horizon())?;
    if adjustments.iter().all(|a| a.beta.iter().all(|b| *b == 0.0)) {
        return Ok(forecast_batch(series, job, progress));
    }
    let adjusted: Vec<Series> = series
        .iter()
        .zip(&adjustments)
        .map(|(s, a)| Series::with_index(s.id(), a.take_out(s.values()), s.index().clone()))
        .collect::<Result<_>>()?;
    let mut outcomes = forecast_batch(&adjusted, job, progress);
    for (o, a) in outcomes.iter_mut().zip(&adjustments) {
        if let Ok(f) = o {
            a.put_in(&mut f.forecast);
        }
    }
    Ok(outcomes)
}

/// [`backtest_batch_with`](crate::forecast::batch::backtest_batch_with)
/// with events, without looking ahead: at each forecast origin (a month)
/// the events are chosen and their effects estimated on the batch's
/// history before it only ([`event_adjustments`] on the cut batch); each
/// window's training data has them taken out, the model forecasts, and the
/// test months' events are put back before scoring. Results as
/// `backtest_batch_with`: per series (input order), per model. Without a
/// calendar, `backtest_batch_with` itself.
#[allow(clippy::too_many_arguments)]
pub fn backtest_batch_with_events(
    series: &[Series],
    models: &[ModelChoice],
    backtest: &Backtest,
    levels: &[f64],
    season_length: Option<usize>,
    seasonal_periods: &[f64],
    nonnegative: Option<NonNegativePoint>,
    calendar: Option<&EventCalendar>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Vec<SeriesBacktest>>> {
    let Some(calendar) = calendar else {
        return Ok(crate::forecast::batch::backtest_batch_with(
            series,
            models,
            backtest,
            levels,
            season_length,
            seasonal_periods,
            nonnegative,
            progress,
        ));
    };
    let firsts = first_months(series)?;
    let h = backtest.horizon();
    // every origin month any series has, and each series' adjustment there
    let mut months: Vec<i64> = series
        .iter()
        .zip(&firsts)
        .filter_map(|(s, f)| backtest.origins(s.len()).ok().map(|o| (o, f)))
        .flat_map(|(o, f)| o.into_iter().map(move |o| f + o.origin as i64))
        .collect();
    months.sort_unstable();
    months.dedup();
    let mut adjustment: HashMap<(usize, i64), EventAdjustment> = HashMap::new();
    for &month in &months {
        let members: Vec<usize> = (0..series.len()).filter(|&i| firsts[i] < month).collect();
        let cut: Vec<Series> = members
            .iter()
            .map(|&i| {
                let s = &series[i];
                let keep = ((month - firsts[i]) as usize).min(s.len());
                Series::with_index(s.id(), s.values()[..keep].to_vec(), s.index().clone())
            })
            .collect::<Result<_>>()?;
        for (i, a) in members
            .into_iter()
            .zip(event_adjustments(&cut, calendar, h)?)
        {
            adjustment.insert((i, month), a);
        }
    }
    Ok(series
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let m = season_length
                .or_else(|| s.frequency().map(|f| f.season_length()))
                .unwrap_or(1);
            let periods = mstl_periods(seasonal_periods, season_length, s.frequency());
            let y = s.values();
            let out = models
                .iter()
                .map(|model| {
                    let run = || -> Result<Vec<WindowScore>> {
                        let mut scores = Vec::new();
                        for o in backtest.origins(y.len())? {
                            let month = firsts[i] + o.origin as i64;
                            let a = adjustment.get(&(i, month)).ok_or_else(|| Error::Internal {
                                series: s.id().to_string(),
                                reason: "no event adjustment at a backtest origin".into(),
                            })?;
                            let free = a.take_out(&y[..o.origin]);
                            let periods = match model {
                                ModelChoice::Mstl(_) => periods.as_slice(),
                                _ => &[],
                            };
                            let mut forecast = fit_and_predict_with(
                                model.clone(),
                                &free[o.train_start..],
                                m,
                                periods,
                                h,
                                levels,
                                nonnegative,
                            )?
                            .forecast;
                            a.put_in(&mut forecast);
                            let train = &y[o.train_start..o.origin];
                            let test = &y[o.origin..o.origin + h];
                            scores.push(WindowScore::score(&o, train, test, forecast, m)?);
                        }
                        Ok(scores)
                    };
                    backtest_outcome(s, model, m, run)
                })
                .collect();
            progress();
            out
        })
        .collect())
}
