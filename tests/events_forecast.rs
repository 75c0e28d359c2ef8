//! Forecasting with events: series with a known Spring Festival effect are
//! forecast better with events than without; a batch with no event effect
//! is forecast exactly as without events; series events cannot apply to
//! fail with their reason.

use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use salesplan::events::{month_periods, EventCalendar};
use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
use salesplan::forecast::events::forecast_batch_with_events;
use salesplan::io::{read_long_csv_from, Columns};
use salesplan::Series;

/// `n` monthly series 2016-01 .. 2024-12 with month effects, growth, noise
/// and (when `effect`) the Spring Festival run-up +0.3 and holiday -0.6 on
/// the log scale per unit of window share.
fn batch(n: usize, effect: bool) -> (Vec<Series>, Vec<Vec<f64>>) {
    let cal = EventCalendar::new(&["china"]).unwrap();
    let x = cal
        .regressors("", &month_periods(2016, 1, 108).unwrap())
        .unwrap();
    let (b, h) = (
        x.column("spring_festival_before").unwrap(),
        x.column("spring_festival").unwrap(),
    );
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let noise = Normal::new(0.0, 0.04).unwrap();
    let mut csv = String::from("unique_id,ds,y\n");
    let mut all = Vec::new();
    for i in 0..n {
        let level = 8.0 + (i % 5) as f64 * 0.5;
        let y: Vec<f64> = (0..108)
            .map(|t| {
                let season = [
                    0.0, -0.1, 0.1, 0.0, 0.05, 0.3, -0.1, -0.1, 0.1, 0.1, 0.4, 0.3,
                ][t % 12];
                let e = if effect {
                    0.3 * x.value(t, b) - 0.6 * x.value(t, h)
                } else {
                    0.0
                };
                (level + season + 0.004 * t as f64 + e + noise.sample(&mut rng)).exp()
            })
            .collect();
        for (t, v) in y.iter().enumerate().take(96) {
            csv.push_str(&format!("s{i},{}-{:02},{v}\n", 2016 + t / 12, t % 12 + 1));
        }
        all.push(y);
    }
    let series = read_long_csv_from(csv.as_bytes(), "s.csv".as_ref(), &Columns::default()).unwrap();
    (series, all)
}

#[test]
fn known_effects_make_january_and_february_forecasts_better() {
    let (series, truth) = batch(24, true);
    let job = ForecastJob::new(ModelChoice::AutoEts, 12, vec![80.0, 95.0], Some(12)).unwrap();
    let cal = EventCalendar::new(&["china", "shopping"]).unwrap();
    let plain = forecast_batch(&series, &job, &|| {});
    let with = forecast_batch_with_events(&series, &job, &cal, &|| {}).unwrap();
    let mape = |outcomes: &[salesplan::forecast::batch::SeriesOutcome]| {
        let mut e = Vec::new();
        for o in outcomes {
            let o = o.as_ref().unwrap();
            let y = &truth[o.id[1..].parse::<usize>().unwrap()];
            let f = &o.forecast;
            for m in 0..2 {
                e.push((f.mean[m] - y[96 + m]).abs() / y[96 + m]);
            }
            for i in &f.intervals {
                for t in 0..12 {
                    assert!(i.lower[t] <= f.mean[t] && f.mean[t] <= i.upper[t]);
                }
            }
        }
        e.iter().sum::<f64>() / e.len() as f64
    };
    let (a, b) = (mape(&plain), mape(&with));
    eprintln!("Jan-Feb MAPE {b:.4} with events, {a:.4} without");
    // 2024: New Year on 10 February, the run-up mostly in January
    assert!(
        b < 0.7 * a,
        "Jan-Feb MAPE {b:.3} with events, {a:.3} without"
    );
}

#[test]
fn a_batch_without_event_effects_is_forecast_as_without_events() {
    let (series, _) = batch(12, false);
    let job = ForecastJob::new(ModelChoice::AutoEts, 12, vec![95.0], Some(12)).unwrap();
    let cal = EventCalendar::new(&["china", "shopping"]).unwrap();
    let plain = forecast_batch(&series, &job, &|| {});
    let with = forecast_batch_with_events(&series, &job, &cal, &|| {}).unwrap();
    for (a, b) in plain.iter().zip(&with) {
        assert_eq!(a.as_ref().unwrap().forecast, b.as_ref().unwrap().forecast);
    }
}

#[test]
fn series_events_cannot_apply_to_fail_naming_them() {
    let csv = "unique_id,ds,y\nw,2026-01-05,1\nw,2026-01-12,2\nw,2026-01-19,3\n";
    let series = read_long_csv_from(csv.as_bytes(), "w.csv".as_ref(), &Columns::default()).unwrap();
    let job = ForecastJob::new(ModelChoice::Naive, 2, vec![], None).unwrap();
    let cal = EventCalendar::new(&["china"]).unwrap();
    let e = forecast_batch_with_events(&series, &job, &cal, &|| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("series 'w'") && e.contains("monthly"), "{e}");
    let csv = "unique_id,ds,y\nn,1,1\nn,2,2\n";
    let series = read_long_csv_from(csv.as_bytes(), "n.csv".as_ref(), &Columns::default()).unwrap();
    assert!(forecast_batch_with_events(&series, &job, &cal, &|| {}).is_err());
}

#[test]
fn backtests_with_events_do_not_look_ahead_and_score_better() {
    use salesplan::forecast::backtest::Backtest;
    use salesplan::forecast::batch::backtest_batch_with;
    use salesplan::forecast::events::backtest_batch_with_events;
    let (series, _) = batch(12, true);
    let cal = EventCalendar::new(&["china"]).unwrap();
    let bt = Backtest::new(12, 3).unwrap();
    let models = [ModelChoice::AutoEts];
    let run = |s: &[Series]| {
        backtest_batch_with_events(
            s,
            &models,
            &bt,
            &[95.0],
            Some(12),
            &[],
            None,
            Some(&cal),
            &|| {},
        )
        .unwrap()
    };
    let with = run(&series);
    let plain = backtest_batch_with(&series, &models, &bt, &[95.0], Some(12), &[], None, &|| {});
    let mae = |r: &[Vec<salesplan::forecast::batch::SeriesBacktest>]| {
        let scores: Vec<f64> = r
            .iter()
            .flat_map(|m| {
                m[0].outcome
                    .as_ref()
                    .unwrap()
                    .iter()
                    .map(|w| w.accuracy.mae)
            })
            .collect();
        scores.iter().sum::<f64>() / scores.len() as f64
    };
    assert!(
        mae(&with) < 0.8 * mae(&plain),
        "{} vs {}",
        mae(&with),
        mae(&plain)
    );
    // the first window (origin 60 of 96) scores the same whatever comes after its test year
    let changed: Vec<Series> = series
        .iter()
        .map(|s| {
            let mut v = s.values().to_vec();
            for x in &mut v[72..] {
                *x *= 3.0;
            }
            Series::with_index(s.id(), v, s.index().clone()).unwrap()
        })
        .collect();
    let again = run(&changed);
    for (a, b) in with.iter().zip(&again) {
        let (a, b) = (
            a[0].outcome.as_ref().unwrap(),
            b[0].outcome.as_ref().unwrap(),
        );
        assert_eq!(a[0].origin, 60);
        assert_eq!(a[0].accuracy, b[0].accuracy);
    }
}
