//! Degenerate inputs get defined, finite forecasts; fitted models survive a
//! save/load round trip; intervals are nested and centred.

use proptest::prelude::*;
use salesplan::forecast::models::ets::{AutoEts, Ets, EtsSpec, FittedEts};

fn all_finite(fit: &FittedEts, h: usize) {
    let fc = fit.predict(h, &[80.0, 95.0]).unwrap();
    assert_eq!(fc.mean.len(), h);
    for v in fc.mean.iter().chain(
        fc.intervals
            .iter()
            .flat_map(|i| i.lower.iter().chain(&i.upper)),
    ) {
        assert!(v.is_finite(), "{} gave {v}", fit.spec);
    }
}

#[test]
fn constant_series_is_forecast_flat_with_zero_width() {
    for y in [vec![7.0; 30], vec![0.0; 30], vec![-3.5; 5]] {
        let fit = AutoEts::new(12).fit(&y).unwrap();
        let fc = fit.predict(6, &[95.0]).unwrap();
        assert!(fc.mean.iter().all(|v| *v == y[0]));
        assert_eq!(fc.intervals[0].lower, fc.mean);
        assert_eq!(fc.intervals[0].upper, fc.mean);
    }
}

#[test]
fn one_two_and_three_points() {
    for y in [vec![5.0], vec![5.0, 8.0], vec![5.0, 8.0, 6.0]] {
        let fit = AutoEts::new(12).fit(&y).unwrap();
        all_finite(&fit, 4);
        assert_eq!(fit.spec.to_string(), "ANN");
    }
    // one point: the forecast is that point
    let fit = AutoEts::new(1).fit(&[42.0]).unwrap();
    assert_eq!(fit.point_forecast(3), vec![42.0; 3]);
}

#[test]
fn series_with_zeros_use_additive_forms_only() {
    let y: Vec<f64> = (0..48)
        .map(|t| {
            if t % 5 == 0 {
                0.0
            } else {
                10.0 + (t % 12) as f64
            }
        })
        .collect();
    let fit = AutoEts::new(12).fit(&y).unwrap();
    assert!(!fit.spec.is_multiplicative());
    all_finite(&fit, 18);
}

#[test]
fn multiplicative_model_on_non_positive_data_is_an_error_not_a_panic() {
    let y = [3.0, 0.0, 4.0, 5.0, 6.0, 7.0, 5.0, 6.0];
    let err = Ets::new("MNN".parse().unwrap(), 1)
        .unwrap()
        .fit(&y)
        .unwrap_err();
    assert!(err.to_string().contains("strictly positive"), "{err}");
}

#[test]
fn too_short_for_a_forced_model_is_an_error() {
    let err = Ets::new("AAA".parse().unwrap(), 12)
        .unwrap()
        .fit(&[1.0; 10])
        .unwrap_err();
    assert!(err.to_string().contains("too short"), "{err}");
    assert!(Ets::new("ANA".parse().unwrap(), 1).is_err());
}

#[test]
fn non_finite_values_are_rejected() {
    assert!(AutoEts::new(1).fit(&[1.0, f64::NAN, 2.0]).is_err());
    assert!(Ets::new("ANN".parse().unwrap(), 1)
        .unwrap()
        .fit(&[1.0, f64::INFINITY, 2.0, 3.0, 4.0])
        .is_err());
}

#[test]
fn bad_horizon_and_levels_are_rejected() {
    let fit = AutoEts::new(1)
        .fit(&[1.0, 2.0, 3.0, 2.0, 4.0, 3.0])
        .unwrap();
    assert!(fit.predict(0, &[95.0]).is_err());
    assert!(fit.predict(3, &[100.0]).is_err());
    assert!(fit.predict(3, &[0.0]).is_err());
}

#[test]
fn huge_values_stay_finite() {
    let y: Vec<f64> = (0..40)
        .map(|t| 1e12 * (1.0 + 0.1 * ((t % 4) as f64)) + 1e10 * t as f64)
        .collect();
    let fit = AutoEts::new(4).fit(&y).unwrap();
    all_finite(&fit, 8);
}

#[test]
fn every_form_fits_and_forecasts_finite_on_positive_seasonal_data() {
    let y: Vec<f64> = (0..60)
        .map(|t| (100.0 + 1.5 * t as f64) * [1.2, 0.8, 0.9, 1.1][t % 4] + ((t * 7919) % 13) as f64)
        .collect();
    for spec in EtsSpec::all() {
        let fit = Ets::new(spec, 4).unwrap().fit(&y).unwrap();
        all_finite(&fit, 8);
        assert!(fit.loglik.is_finite() && fit.aicc.unwrap().is_finite());
    }
}

#[test]
fn saved_models_forecast_identically_after_loading() {
    let y: Vec<f64> = (0..72)
        .map(|t| (50.0 + t as f64) * [1.3, 0.7, 1.0, 1.0, 1.1, 0.9][t % 6] + ((t * 31) % 7) as f64)
        .collect();
    for code in ["AAdA", "MAM", "MMN", "ANN"] {
        let fit = Ets::new(code.parse().unwrap(), 6).unwrap().fit(&y).unwrap();
        let loaded = FittedEts::from_json(&fit.to_json().unwrap()).unwrap();
        assert_eq!(loaded, fit);
        assert_eq!(
            loaded.predict(12, &[80.0, 95.0]).unwrap(),
            fit.predict(12, &[80.0, 95.0]).unwrap()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any finite series gets finite forecasts with nested intervals around the mean.
    #[test]
    fn auto_ets_is_total_and_intervals_are_nested(
        y in proptest::collection::vec(-1e6f64..1e6, 1..60),
        m in 1usize..13,
    ) {
        let fit = AutoEts::new(m).fit(&y).unwrap();
        let fc = fit.predict(6, &[50.0, 80.0, 95.0]).unwrap();
        for k in 0..6 {
            prop_assert!(fc.mean[k].is_finite());
            let (i50, i80, i95) = (&fc.intervals[0], &fc.intervals[1], &fc.intervals[2]);
            prop_assert!(i95.lower[k] <= i80.lower[k] && i80.lower[k] <= i50.lower[k]);
            prop_assert!(i50.upper[k] <= i80.upper[k] && i80.upper[k] <= i95.upper[k]);
            prop_assert!(i95.lower[k].is_finite() && i95.upper[k].is_finite());
        }
    }
}
