//! Every `--model` name parses, prints back to itself and names its output.

use salesplan::forecast::batch::{fit_and_predict, ModelChoice};

#[test]
fn names_round_trip_and_fit() {
    let y: Vec<f64> = (0..40)
        .map(|t| (50.0 + t as f64) * [1.2, 0.8, 1.0, 1.0][t % 4])
        .collect();
    for name in [
        "auto-ets",
        "ets:MAdM",
        "naive",
        "snaive",
        "drift",
        "mean",
        "window:6",
        "naive2",
        "theta",
        "otm",
        "dstm",
        "dotm",
        "auto-theta",
        "croston",
        "croston-opt",
        "sba",
        "tsb",
        "adida",
        "imapa",
    ] {
        let choice: ModelChoice = name.parse().unwrap();
        assert_eq!(choice.to_string(), name);
        if !name.starts_with("ets:") {
            // names are case-insensitive (ETS codes are not: Ad vs AD)
            assert_eq!(name.to_uppercase().parse::<ModelChoice>().unwrap(), choice);
        }
        let out = fit_and_predict(choice, &y, 4, 5, &[80.0]).unwrap();
        assert_eq!(out.forecast.mean.len(), 5, "{name}");
        assert!(out.forecast.mean.iter().all(|v| v.is_finite()), "{name}");
    }
    let err = "thet".parse::<ModelChoice>().unwrap_err().to_string();
    assert!(err.contains("auto-theta") && err.contains("imapa"), "{err}");
}

#[test]
fn combinations_and_auto_parse_and_fit() {
    use salesplan::forecast::batch::fit_and_predict_with;
    use salesplan::forecast::models::ensemble::Combiner;
    use salesplan::forecast::models::nonnegative::NonNegativePoint;

    let y: Vec<f64> = (0..40)
        .map(|t| (50.0 + t as f64) * [1.2, 0.8, 1.0, 1.0][t % 4])
        .collect();
    for name in [
        "m4-comb",
        "auto",
        "comb:auto-ets+theta",
        "comb-median:naive2+dotm+snaive",
    ] {
        let choice: ModelChoice = name.parse().unwrap();
        assert_eq!(choice.to_string(), name);
        assert_eq!(name.to_uppercase().parse::<ModelChoice>().unwrap(), choice);
        let out = fit_and_predict(choice, &y, 4, 5, &[80.0, 95.0]).unwrap();
        assert_eq!(out.forecast.mean.len(), 5, "{name}");
        assert_eq!(out.forecast.intervals.len(), 2, "{name}");
    }
    let ets_theta: ModelChoice = "comb:ets,theta".parse().unwrap();
    assert_eq!(
        ets_theta,
        ModelChoice::Combination {
            combiner: Combiner::Mean,
            members: vec![ModelChoice::AutoEts, "theta".parse().unwrap()],
        }
    );
    assert_eq!(ets_theta.name(), "Comb(AutoETS+Theta)");
    assert_eq!("comb".parse::<ModelChoice>().unwrap(), ModelChoice::M4Comb);
    for bad in [
        "comb:",
        "comb:ets,auto",
        "comb:ets,comb:theta",
        "comb-median:thet",
    ] {
        assert!(bad.parse::<ModelChoice>().is_err(), "{bad}");
    }
    // a combination is the mean of its members' forecasts and bounds
    let comb = fit_and_predict(ets_theta, &y, 4, 5, &[80.0]).unwrap();
    let e = fit_and_predict(ModelChoice::AutoEts, &y, 4, 5, &[80.0]).unwrap();
    let t = fit_and_predict("theta".parse().unwrap(), &y, 4, 5, &[80.0]).unwrap();
    for j in 0..5 {
        let want = 0.5 * (e.forecast.mean[j] + t.forecast.mean[j]);
        assert!((comb.forecast.mean[j] - want).abs() <= 1e-9 * want.abs());
        let lo = 0.5 * (e.forecast.intervals[0].lower[j] + t.forecast.intervals[0].lower[j]);
        assert!((comb.forecast.intervals[0].lower[j] - lo).abs() <= 1e-9 * lo.abs());
    }
    assert_eq!(comb.form, format!("Comb({}+Theta)", e.form));

    // non-negative: every family, on a series that falls through zero
    let falling: Vec<f64> = (0..40)
        .map(|t| 50.0 - 1.6 * t as f64 + [3.0, -2.0, 1.0, 0.0][t % 4])
        .collect();
    for name in [
        "auto-ets",
        "theta",
        "dotm",
        "auto-theta",
        "naive",
        "snaive",
        "drift",
        "naive2",
        "m4-comb",
        "comb:ets+theta",
        "comb-median:ets+theta+drift",
        "auto",
    ] {
        for point in [NonNegativePoint::Mean, NonNegativePoint::Median] {
            let choice: ModelChoice = name.parse().unwrap();
            let out =
                fit_and_predict_with(choice, &falling, 4, &[], 12, &[80.0, 95.0], Some(point))
                    .unwrap();
            let fc = &out.forecast;
            assert!(
                fc.mean.iter().all(|v| *v >= 0.0 && v.is_finite()),
                "{name} {fc:?}"
            );
            for i in &fc.intervals {
                assert!(i.lower.iter().chain(&i.upper).all(|v| *v >= 0.0), "{name}");
            }
            if fc.intervals.len() == 2 {
                for j in 0..12 {
                    let (a, b) = (&fc.intervals[0], &fc.intervals[1]);
                    assert!(b.lower[j] <= a.lower[j] && a.lower[j] <= a.upper[j]);
                    assert!(a.upper[j] <= b.upper[j], "{name}");
                }
            }
        }
    }
}

/// statsforecast's model names are aliases of salesplan's (issue 10,
/// item 10): each parses to the same choice as its salesplan name, in any
/// case; the CLI takes them too, and `--level 80,95` as a comma list.
#[test]
fn statsforecast_names_are_aliases() {
    use salesplan::forecast::model_choice::STATSFORECAST_ALIASES;
    for (alias, name) in STATSFORECAST_ALIASES {
        let ours: ModelChoice = name.parse().unwrap();
        assert_eq!(alias.parse::<ModelChoice>().unwrap(), ours, "{alias}");
        assert_eq!(
            alias.to_lowercase().parse::<ModelChoice>().unwrap(),
            ours,
            "{alias}"
        );
    }
    for same in ["Naive", "Theta", "AutoETS", "ADIDA", "IMAPA", "TSB", "MSTL"] {
        assert!(same.parse::<ModelChoice>().is_ok(), "{same}");
    }
    let dir = tempfile::TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    let mut text = String::from("unique_id,ds,y\n");
    for t in 0..24 {
        text.push_str(&format!("a,{},{}\n", t + 1, 10.0 + (t % 4) as f64));
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("out.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_salesplan"))
        .args([
            "forecast",
            "--model",
            "SeasonalNaive",
            "--season-length",
            "4",
            "--horizon",
            "2",
            "--level",
            "50,80,95",
        ])
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let header = std::fs::read_to_string(&out).unwrap();
    let header = header.lines().next().unwrap();
    assert_eq!(
        header,
        "unique_id,ds,model,mean,lo-50,hi-50,lo-80,hi-80,lo-95,hi-95"
    );
}
