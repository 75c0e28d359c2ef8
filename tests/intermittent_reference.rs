//! Intermittent-demand methods against statsforecast 2.1.1 on 13 series
//! (data and generating script in `tests/data/intermittent_reference/`).
//!
//! Tolerance: 1e-9 relative (statsforecast computes in f64 with the same
//! recursions; the optimised variants use the same golden-section search).

use std::collections::BTreeMap;
use std::path::Path;

use salesplan::forecast::models::intermittent::Intermittent;

fn read(name: &str) -> Vec<csv::StringRecord> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/intermittent_reference")
        .join(name);
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader.records().map(|r| r.unwrap()).collect()
}

#[test]
fn forecasts_match_statsforecast() {
    let mut series: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in read("series.csv") {
        series
            .entry(r[0].to_string())
            .or_default()
            .push(r[2].parse().unwrap());
    }
    let mut checked = 0;
    for r in read("forecasts.csv") {
        let y = &series[&r[0]];
        let method = match &r[1] {
            "CrostonClassic" => Intermittent::CrostonClassic,
            "CrostonOptimized" => Intermittent::CrostonOptimised,
            "CrostonSBA" => Intermittent::CrostonSba,
            "TSB" => Intermittent::tsb(0.2, 0.1).unwrap(),
            "ADIDA" => Intermittent::Adida,
            "IMAPA" => Intermittent::Imapa,
            other => panic!("unknown model {other}"),
        };
        let expected: f64 = r[2].parse().unwrap();
        let fc = method.fit(y).unwrap().predict(3, &[]).unwrap();
        assert!(fc.mean.iter().all(|v| *v == fc.mean[0] && *v >= 0.0));
        let tol = 1e-9 * expected.abs().max(1.0);
        assert!(
            (fc.mean[0] - expected).abs() <= tol,
            "{} {}: ours {} statsforecast {expected}",
            &r[0],
            &r[1],
            fc.mean[0]
        );
        checked += 1;
    }
    assert_eq!(checked, 13 * 6);
}
