//! Every `--model` name parses, prints back to itself and names its output.

use salesplan::batch::{fit_and_predict, ModelChoice};

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
