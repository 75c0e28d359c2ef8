//! Standard Theta against R's `thetaf()` (forecast 8.20) on eight named M3
//! series — yearly, quarterly, monthly (seasonal and not) and other — with
//! the data and R script in `tests/data/theta_reference/`.
//!
//! Tolerance: 1e-6 relative on the mean and the 95% bounds (the SES fit is
//! a Nelder–Mead optimum; ours is R's optimiser, so the parameters agree to
//! about that precision).

use std::collections::BTreeMap;
use std::path::Path;

use salesplan::forecast::models::theta::Theta;

fn read(name: &str) -> Vec<csv::StringRecord> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/theta_reference")
        .join(name);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .unwrap();
    reader.records().map(|r| r.unwrap()).collect()
}

#[test]
fn standard_theta_matches_thetaf() {
    let mut series: BTreeMap<String, (usize, Vec<f64>)> = BTreeMap::new();
    for r in read("series.csv") {
        let e = series
            .entry(r[0].to_string())
            .or_insert((r[1].parse().unwrap(), Vec::new()));
        e.1.push(r[3].parse().unwrap());
    }
    let mut expected: BTreeMap<String, Vec<[f64; 3]>> = BTreeMap::new();
    for r in read("forecasts.csv") {
        let v = |i: usize| r[i].parse::<f64>().unwrap();
        expected
            .entry(r[0].to_string())
            .or_default()
            .push([v(2), v(3), v(4)]);
    }
    assert_eq!(expected.len(), 8);
    for (id, rows) in &expected {
        let (m, y) = &series[id];
        let fc = Theta::standard(*m)
            .fit(y)
            .unwrap()
            .predict(rows.len(), &[95.0])
            .unwrap();
        for (j, [mean, lo, hi]) in rows.iter().enumerate() {
            let ours = [
                fc.mean[j],
                fc.intervals[0].lower[j],
                fc.intervals[0].upper[j],
            ];
            for (a, b) in ours.iter().zip([mean, lo, hi]) {
                assert!(
                    (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                    "{id} h={}: ours {ours:?}, R {mean} {lo} {hi}",
                    j + 1
                );
            }
        }
    }
}
