//! Calibrated and conformal prediction intervals (`forecast::intervals`),
//! through the library and the binary.

mod common;

use common::cli::{finish, salesplan, write_file};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use salesplan::forecast::backtest::Backtest;
use salesplan::forecast::batch::{
    backtest_batch_intervals, forecast_batch, forecast_batch_with_intervals, ForecastJob,
    ModelChoice,
};
use salesplan::forecast::intervals::IntervalMethod;
use salesplan::Series;

const H: usize = 6;

/// Random walks whose steps triple their spread for the last 40 periods,
/// and the `H` periods that follow them (at the higher spread): a naive
/// model fitted on the whole history thinks the spread is lower than it is.
fn volatile_walks(count: usize) -> Vec<(Series, Vec<f64>)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261201);
    let unit = Normal::new(0.0, 1.0).unwrap();
    (0..count)
        .map(|k| {
            let mut level = 100.0;
            let mut all = Vec::new();
            for t in 0..120 + H {
                let sd = if t < 80 { 1.0 } else { 3.0 };
                level += sd * unit.sample(&mut rng);
                all.push(level);
            }
            let future = all.split_off(120);
            (Series::new(format!("s{k}"), all).unwrap(), future)
        })
        .collect()
}

fn coverage(job: &ForecastJob, data: &[(Series, Vec<f64>)]) -> f64 {
    let series: Vec<Series> = data.iter().map(|(s, _)| s.clone()).collect();
    let outcomes = forecast_batch(&series, job, &|| {});
    let (mut inside, mut total) = (0usize, 0usize);
    for (outcome, (_, future)) in outcomes.iter().zip(data) {
        let f = outcome.as_ref().unwrap();
        let iv = &f.forecast.intervals[0];
        for (j, y) in future.iter().enumerate() {
            inside += usize::from(iv.lower[j] <= *y && *y <= iv.upper[j]);
            total += 1;
        }
    }
    inside as f64 / total as f64
}

#[test]
fn calibrated_intervals_cover_what_the_model_misses() {
    let data = volatile_walks(300);
    let job = ForecastJob::new(ModelChoice::Naive, H, vec![95.0], None).unwrap();
    assert_eq!(job.intervals(), IntervalMethod::Model);
    let model = coverage(&job, &data);
    let calibrated = coverage(
        &job.clone().with_intervals(IntervalMethod::Calibrated),
        &data,
    );
    eprintln!("95% coverage: model {model:.3}, calibrated {calibrated:.3}");
    // the model's 95% intervals assume the average spread of the history
    assert!(model < 0.88, "model {model}");
    assert!(
        (0.92..=0.98).contains(&calibrated),
        "calibrated {calibrated}"
    );
}

#[test]
fn calibrated_intervals_keep_the_points_and_widen_both_sides() {
    let data = volatile_walks(60);
    let series: Vec<Series> = data.iter().map(|(s, _)| s.clone()).collect();
    let job = ForecastJob::new(ModelChoice::Naive, H, vec![80.0, 95.0], None).unwrap();
    let plain = forecast_batch(&series, &job, &|| {});
    let (calibrated, widening) = forecast_batch_with_intervals(
        &series,
        &job.clone().with_intervals(IntervalMethod::Calibrated),
        &|| {},
    );
    let widening = widening.expect("60 series × 3 windows are enough");
    assert_eq!(widening.windows, 180);
    for (a, b) in plain.iter().zip(&calibrated) {
        let (a, b) = (a.as_ref().unwrap(), b.as_ref().unwrap());
        assert_eq!(a.forecast.mean, b.forecast.mean);
        for (ia, ib) in a.forecast.intervals.iter().zip(&b.forecast.intervals) {
            for j in 0..H {
                assert!(ib.lower[j] < ia.lower[j] && ib.upper[j] > ia.upper[j]);
            }
        }
        // nested
        let (i80, i95) = (&b.forecast.intervals[0], &b.forecast.intervals[1]);
        for j in 0..H {
            assert!(i95.lower[j] <= i80.lower[j] && i95.upper[j] >= i80.upper[j]);
        }
    }
}

#[test]
fn the_same_intervals_for_any_number_of_threads() {
    let data = volatile_walks(50);
    let series: Vec<Series> = data.iter().map(|(s, _)| s.clone()).collect();
    let job = ForecastJob::new(ModelChoice::AutoEts, H, vec![80.0, 95.0], None)
        .unwrap()
        .with_intervals(IntervalMethod::Calibrated);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let outcomes = pool.install(|| forecast_batch(&series, &job, &|| {}));
        outcomes
            .into_iter()
            .map(|o| o.unwrap().forecast)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn auto_calibrates_by_default_and_named_models_do_not() {
    let auto = ForecastJob::new(ModelChoice::Auto, 3, vec![95.0], None).unwrap();
    assert_eq!(auto.intervals(), IntervalMethod::Calibrated);
    let ets = ForecastJob::new(ModelChoice::AutoEts, 3, vec![95.0], None).unwrap();
    assert_eq!(ets.intervals(), IntervalMethod::Model);
}

#[test]
fn conformal_intervals_come_from_each_series_own_errors() {
    let data = volatile_walks(40);
    let series: Vec<Series> = data.iter().map(|(s, _)| s.clone()).collect();
    let job = ForecastJob::new(ModelChoice::Naive, H, vec![95.0], None)
        .unwrap()
        .with_intervals(IntervalMethod::Conformal { windows: 5 });
    let outcomes = forecast_batch(&series, &job, &|| {});
    for (o, s) in outcomes.iter().zip(&series) {
        let f = o.as_ref().unwrap();
        let y = s.values();
        // step 1's half-width is the 95% quantile (type 8, near the
        // largest) of the five one-step errors of naive: |y[c] - y[c-1]|
        let mut errors: Vec<f64> = (1..=5)
            .map(|w| {
                let cut = y.len() - w * H;
                (y[cut] - y[cut - 1]).abs()
            })
            .collect();
        errors.sort_by(f64::total_cmp);
        let half = f.forecast.intervals[0].upper[0] - f.forecast.mean[0];
        assert!(half <= errors[4] + 1e-9 && half >= errors[3] - 1e-9);
    }
    // too short for two windows: that series fails alone, with its reason
    let short = vec![
        Series::new("short", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]).unwrap(),
        series[0].clone(),
    ];
    let outcomes = forecast_batch(&short, &job, &|| {});
    let reason = outcomes[0].as_ref().unwrap_err().reason();
    assert!(reason.contains("conformal"), "{reason}");
    assert!(outcomes[1].is_ok());
}

#[test]
fn the_cli_takes_intervals_and_refuses_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("unique_id,ds,y\n");
    for (s, _) in volatile_walks(40) {
        for (t, y) in s.values().iter().enumerate() {
            text.push_str(&format!("{},{},{y}\n", s.id(), t + 1));
        }
    }
    let input = write_file(dir.path(), "in.csv", &text);
    let out = dir.path().join("out.csv");
    let run = |intervals: &str| {
        finish(salesplan().args([
            "forecast",
            "--input",
            input.to_str().unwrap(),
            "--horizon",
            "6",
            "--model",
            "naive",
            "--intervals",
            intervals,
            "--output",
            out.to_str().unwrap(),
        ]))
    };
    let (code, stderr) = run("calibrated");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("intervals calibrated on 120 backtest windows"),
        "{stderr}"
    );
    std::fs::remove_file(&out).unwrap();
    for bad in ["conformal:1", "conformal:x", "wide"] {
        let (code, stderr) = run(bad);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains(bad), "{bad}: {stderr}");
        assert!(!out.exists());
    }
}

/// The coverage of every window's intervals in a backtest of `series`.
fn backtest_coverage(series: &[Series], intervals: IntervalMethod) -> f64 {
    let backtest = Backtest::new(H, 2).unwrap();
    let out = backtest_batch_intervals(
        series,
        &[ModelChoice::Naive],
        &backtest,
        &[95.0],
        None,
        &[],
        None,
        Some(intervals),
        &|| {},
    )
    .unwrap();
    let (mut inside, mut total) = (0usize, 0usize);
    for (s, models) in series.iter().zip(&out) {
        for w in models[0].outcome.as_ref().unwrap() {
            let iv = &w.forecast.intervals[0];
            for j in 0..H {
                let y = s.values()[w.origin + j];
                inside += usize::from(iv.lower[j] <= y && y <= iv.upper[j]);
                total += 1;
            }
        }
    }
    inside as f64 / total as f64
}

#[test]
fn backtests_score_intervals_calibrated_before_each_origin() {
    let series: Vec<Series> = volatile_walks(300).into_iter().map(|(s, _)| s).collect();
    let model = backtest_coverage(&series, IntervalMethod::Model);
    let calibrated = backtest_coverage(&series, IntervalMethod::Calibrated);
    eprintln!("backtest 95% coverage: model {model:.3}, calibrated {calibrated:.3}");
    // both windows lie in the volatile stretch, and so do the backtests
    // before their origins that the widening learns from
    assert!(model < 0.88, "model {model}");
    assert!(
        (0.90..=0.99).contains(&calibrated),
        "calibrated {calibrated}"
    );
}

#[test]
fn a_backtest_window_never_sees_what_follows_its_origin() {
    let series: Vec<Series> = volatile_walks(80).into_iter().map(|(s, _)| s).collect();
    let backtest = Backtest::new(H, 2).unwrap();
    // the first window's origin: everything from it on is changed
    let first = backtest.origins(series[0].len()).unwrap()[0].origin;
    let changed: Vec<Series> = series
        .iter()
        .map(|s| {
            let mut y = s.values().to_vec();
            for (t, v) in y.iter_mut().enumerate().skip(first) {
                *v = 3.0 * *v + (t % 5) as f64 * 40.0;
            }
            Series::new(s.id(), y).unwrap()
        })
        .collect();
    for method in [
        IntervalMethod::Calibrated,
        IntervalMethod::Conformal { windows: 3 },
    ] {
        let run = |data: &[Series]| {
            backtest_batch_intervals(
                data,
                &[ModelChoice::Naive],
                &backtest,
                &[80.0, 95.0],
                None,
                &[],
                None,
                Some(method),
                &|| {},
            )
            .unwrap()
        };
        let (before, after) = (run(&series), run(&changed));
        for (a, b) in before.iter().zip(&after) {
            let (a, b) = (
                a[0].outcome.as_ref().unwrap(),
                b[0].outcome.as_ref().unwrap(),
            );
            assert_eq!(a[0].forecast, b[0].forecast, "{method:?}");
            // the second window's origin is after the change: it differs
            assert_ne!(a[1].forecast, b[1].forecast, "{method:?}");
        }
    }
}

#[test]
fn the_backtest_cli_takes_intervals_and_scores_auto_as_forecast_makes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("unique_id,ds,y\n");
    for (s, _) in volatile_walks(60) {
        for (t, y) in s.values().iter().enumerate() {
            text.push_str(&format!("{},{},{y}\n", s.id(), t + 1));
        }
    }
    let input = write_file(dir.path(), "in.csv", &text);
    let out = dir.path().join("bt.csv");
    let run = |extra: &[&str]| {
        let _ = std::fs::remove_file(&out);
        let (code, stderr) = finish(
            salesplan()
                .args(["backtest", "--input", input.to_str().unwrap()])
                .args(["--horizon", "6", "--windows", "2", "--level", "95"])
                .args(["--output", out.to_str().unwrap()])
                .args(extra),
        );
        let overall = std::fs::read_to_string(&out).ok().map(|t| {
            t.lines()
                .filter(|l| l.starts_with("overall,"))
                .map(|l| {
                    let f: Vec<&str> = l.split(',').collect();
                    (f[2].to_string(), f[15].parse::<f64>().unwrap())
                })
                .collect::<Vec<_>>()
        });
        (code, stderr, overall)
    };
    let (code, stderr, model) = run(&["--models", "naive", "--intervals", "model"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr, calibrated) = run(&["--models", "naive", "--intervals", "calibrated"]);
    assert_eq!(code, 0, "{stderr}");
    let (model, calibrated) = (model.unwrap(), calibrated.unwrap());
    assert_eq!(model[0].0, "Naive");
    assert!(
        (calibrated[0].1 - 95.0).abs() < (model[0].1 - 95.0).abs(),
        "{model:?} {calibrated:?}"
    );
    // without --intervals, `auto` is scored with its calibrated intervals
    // and a named model with its own, as `forecast` makes them
    let (_, _, default) = run(&["--models", "naive"]);
    assert_eq!(default.unwrap(), model);
    for bad in ["conformal:1", "wide"] {
        let (code, stderr, table) = run(&["--models", "naive", "--intervals", bad]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains(bad), "{bad}: {stderr}");
        assert!(table.is_none());
    }
}
