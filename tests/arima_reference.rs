//! ARIMA against R's `forecast::Arima` (CSS-ML) on M3 and classic series:
//! reference values in `tests/data/arima_reference/` (script and README
//! beside them).

use std::collections::HashMap;
use std::path::Path;

use salesplan::forecast::models::arima::{Arima, ArimaCoefficients, ArimaSpec};

fn data(name: &str) -> csv::Reader<std::fs::File> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/arima_reference")
        .join(name);
    csv::Reader::from_path(path).expect("reference file")
}

struct Case {
    id: String,
    spec: ArimaSpec,
    xreg: Option<String>,
    coef: Vec<(String, f64)>,
    sigma2: f64,
    loglik: f64,
    /// R's log-likelihood at its coefficients of the differenced series.
    loglik_differenced: f64,
    aicc: f64,
    bic: f64,
}

fn cases() -> Vec<(String, Case)> {
    data("fits.csv")
        .records()
        .map(|r| {
            let r = r.unwrap();
            let spec_text = r[2].to_string();
            let (spec, xreg) = match spec_text.split_once(" xreg=") {
                Some((s, x)) => (s.to_string(), Some(x.to_string())),
                None => (spec_text, None),
            };
            let coef = r[4]
                .split(';')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    (k.to_string(), v.parse().unwrap())
                })
                .collect();
            let case = Case {
                id: r[1].to_string(),
                spec: spec.parse().unwrap(),
                xreg,
                coef,
                sigma2: r[5].parse().unwrap(),
                loglik: r[6].parse().unwrap(),
                loglik_differenced: r[10].parse().unwrap(),
                aicc: r[8].parse().unwrap(),
                bic: r[9].parse().unwrap(),
            };
            (r[0].to_string(), case)
        })
        .collect()
}

fn series() -> HashMap<String, (Vec<f64>, usize)> {
    let mut out: HashMap<String, (Vec<f64>, usize)> = HashMap::new();
    for r in data("series.csv").records() {
        let r = r.unwrap();
        let e = out
            .entry(r[0].to_string())
            .or_insert((Vec::new(), r[3].parse().unwrap()));
        e.0.push(r[2].parse().unwrap());
    }
    out
}

fn forecasts() -> HashMap<String, Vec<[f64; 5]>> {
    let mut out: HashMap<String, Vec<[f64; 5]>> = HashMap::new();
    for r in data("forecasts.csv").records() {
        let r = r.unwrap();
        let v: Vec<f64> = (2..7).map(|k| r[k].parse().unwrap()).collect();
        out.entry(r[0].to_string())
            .or_default()
            .push([v[0], v[1], v[2], v[3], v[4]]);
    }
    out
}

fn regressor(kind: &str, n: usize, h: usize) -> (Vec<f64>, Vec<f64>) {
    let v: Vec<f64> = (1..=n + h)
        .map(|t| match kind {
            "step48" => f64::from(u8::from(t > 48)),
            "cos12" => (2.0 * std::f64::consts::PI * t as f64 / 12.0).cos(),
            other => panic!("unknown regressor {other}"),
        })
        .collect();
    (v[..n].to_vec(), v[n..].to_vec())
}

/// Log-likelihood within 0.01, AICc and BIC within 0.02, σ² within 0.2%,
/// coefficients within 0.02 absolute (2% of a regression coefficient) and
/// forecasts and interval bounds within 1% of the 95% interval's width. An
/// MA coefficient at the invertibility boundary (|θ| > 0.99) sits on a
/// flat ridge of the likelihood, where R's optimiser and ours stop at
/// different points of equal likelihood: there the coefficients are not
/// compared and the forecasts are within 10% of the width (today at most
/// 7.9%, on `m_airline`, where both MA coefficients are at −1).
#[test]
fn arima_matches_r_forecast() {
    let all = series();
    let fcs = forecasts();
    let mut report = Vec::new();
    let mut better = 0;
    for (name, case) in cases() {
        let (y, m) = &all[&case.id];
        let h = fcs[&name].len();
        let (xreg, future) = match &case.xreg {
            Some(kind) => {
                let (a, b) = regressor(kind, y.len(), h);
                (vec![a], vec![b])
            }
            None => (Vec::new(), Vec::new()),
        };
        let arima = Arima::new(case.spec, *m).unwrap();
        let fit = arima
            .fit_with_regressors(y, &xreg)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // the likelihood itself, at R's estimates: R's for the differenced
        // series to 1e-9, and within 0.002 of what R reports for the
        // undifferenced one (R keeps the differencing in the state, with a
        // diffuse prior of finite variance κ = 10⁶; we difference first)
        let at_r = arima
            .log_likelihood(y, &xreg, &coefficients_of(&case.coef))
            .unwrap();
        assert!(
            (at_r - case.loglik_differenced).abs() < 1e-9 * case.loglik.abs(),
            "{name}: our likelihood at R's coefficients {at_r} vs R {}",
            case.loglik_differenced
        );
        assert!(
            (at_r - case.loglik).abs() < 0.002,
            "{name}: {at_r} vs {}",
            case.loglik
        );
        let c = &fit.coefficients;
        let ours: HashMap<String, f64> =
            c.ar.iter()
                .enumerate()
                .map(|(i, v)| (format!("ar{}", i + 1), *v))
                .chain(
                    c.ma.iter()
                        .enumerate()
                        .map(|(i, v)| (format!("ma{}", i + 1), *v)),
                )
                .chain(
                    c.seasonal_ar
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (format!("sar{}", i + 1), *v)),
                )
                .chain(
                    c.seasonal_ma
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (format!("sma{}", i + 1), *v)),
                )
                .chain(c.mean.map(|v| ("intercept".to_string(), v)))
                .chain(c.drift.map(|v| ("drift".to_string(), v)))
                .chain(c.regressors.iter().map(|v| ("x1".to_string(), *v)))
                .collect();
        let boundary = case
            .coef
            .iter()
            .any(|(k, v)| k.contains("ma") && v.abs() > 0.99);
        let dl = fit.loglik - case.loglik;
        report.push(format!(
            "{name}: loglik {:.4} vs R {:.4}; aicc {:.4} vs {:.4}",
            fit.loglik, case.loglik, fit.aicc, case.aicc
        ));
        // never a worse optimum than R's by more than 0.01 log-likelihood;
        // a better one (R's BFGS stopped at a local optimum) is reported
        assert!(
            dl > -0.01,
            "{name}: loglik {} vs R {}",
            fit.loglik,
            case.loglik
        );
        if dl > 0.01 {
            report.push(format!("  {name}: a better optimum than R's"));
            better += 1;
            continue;
        }
        assert!(
            dl.abs() < 0.01,
            "{name}: loglik {} vs R {}",
            fit.loglik,
            case.loglik
        );
        assert!((fit.aicc - case.aicc).abs() < 0.02, "{name}: aicc");
        assert!((fit.bic - case.bic).abs() < 0.02, "{name}: bic");
        assert!(
            (fit.sigma2 / case.sigma2 - 1.0).abs() < 2e-3,
            "{name}: sigma2 {} vs {}",
            fit.sigma2,
            case.sigma2
        );
        for (k, v) in case.coef.iter().filter(|_| !boundary) {
            let got = ours.get(k).unwrap_or_else(|| panic!("{name}: no {k}"));
            let tol = if k.starts_with("ar") || k.contains("ma") || k.starts_with("sar") {
                0.02
            } else {
                0.02 * v.abs().max(1.0)
            };
            assert!((got - v).abs() < tol, "{name}: {k} {got} vs R {v}");
        }
        let f = fit
            .predict_with_regressors(h, &[80.0, 95.0], &future)
            .unwrap();
        for (j, row) in fcs[&name].iter().enumerate() {
            let scale = (row[4] - row[3]).abs().max(1e-9);
            let checks = [
                (f.mean[j], row[0]),
                (f.intervals[0].lower[j], row[1]),
                (f.intervals[0].upper[j], row[2]),
                (f.intervals[1].lower[j], row[3]),
                (f.intervals[1].upper[j], row[4]),
            ];
            for (a, b) in checks {
                // within 1% of the 95% interval's width (10% on the ridge)
                let tol = if boundary { 0.1 } else { 0.01 };
                assert!(
                    (a - b).abs() < tol * scale,
                    "{name} step {}: {a} vs R {b}",
                    j + 1
                );
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    // one case today (m_cos_mean); more would mean our optimiser changed
    assert!(better <= 1, "{better} cases with a better optimum than R's");
}

/// R's named coefficients as ours.
fn coefficients_of(named: &[(String, f64)]) -> ArimaCoefficients {
    let mut c = ArimaCoefficients::default();
    for (k, v) in named {
        match k.as_str() {
            "intercept" => c.mean = Some(*v),
            "drift" => c.drift = Some(*v),
            k if k.starts_with("sar") => c.seasonal_ar.push(*v),
            k if k.starts_with("sma") => c.seasonal_ma.push(*v),
            k if k.starts_with("ar") => c.ar.push(*v),
            k if k.starts_with("ma") => c.ma.push(*v),
            _ => c.regressors.push(*v),
        }
    }
    c
}

/// AutoARIMA against R's `auto.arima()` (defaults) on the same series:
/// the differencing tests choose what R's choose; the model found is at
/// least as good by AICc (within 0.05: the likelihoods differ by R's
/// diffuse prior); where the orders agree, the forecasts do too.
#[test]
fn auto_arima_matches_r_auto_arima() {
    use salesplan::forecast::models::arima::auto::{
        differences_needed, seasonal_strength, AutoArima,
    };
    let all = series();
    let mut same = 0;
    let mut report = Vec::new();
    for r in data("auto.csv").records() {
        let r = r.unwrap();
        let id = &r[0];
        let (y, m) = &all[id];
        let orders: Vec<usize> = (3..9).map(|k| r[k].parse().unwrap()).collect();
        let aicc: f64 = r[10].parse().unwrap();
        let (h1, h_last): (f64, f64) = (r[11].parse().unwrap(), r[12].parse().unwrap());
        let (nd, nsd): (usize, usize) = (r[13].parse().unwrap(), r[14].parse().unwrap());
        // the tests alone
        let big_d = usize::from(*m > 1 && seasonal_strength(y, *m).is_some_and(|s| s > 0.64));
        assert_eq!(big_d, nsd, "{id}: seasonal differences");
        let dx: Vec<f64> = if big_d > 0 {
            (*m..y.len()).map(|t| y[t] - y[t - m]).collect()
        } else {
            y.clone()
        };
        assert_eq!(differences_needed(&dx, 2), nd, "{id}: differences");
        let fit = AutoArima::default().fit(y, *m).unwrap();
        let s = fit.spec;
        let ours = [s.p, s.d, s.q, s.seasonal_p, s.seasonal_d, s.seasonal_q];
        report.push(format!(
            "{id}: ours {} AICc {:.3}, R {:?} AICc {aicc:.3}",
            fit.name(),
            fit.aicc,
            orders
        ));
        assert_eq!(ours[1], orders[1], "{id}: d");
        assert_eq!(ours[4], orders[4], "{id}: D");
        assert!(
            fit.aicc <= aicc + 0.05,
            "{id}: AICc {} vs R {aicc}",
            fit.aicc
        );
        if ours[..] == orders[..] {
            same += 1;
            let h = if *m > 1 { 2 * m } else { 8 };
            let f = fit.predict(h, &[95.0]).unwrap();
            let width = f.intervals[0].upper[h - 1] - f.intervals[0].lower[h - 1];
            assert!(
                (f.mean[0] - h1).abs() < 0.02 * width,
                "{id}: step 1 {} vs {h1}",
                f.mean[0]
            );
            assert!(
                (f.mean[h - 1] - h_last).abs() < 0.02 * width,
                "{id}: step {h}"
            );
        }
    }
    eprintln!("{}", report.join("\n"));
    // all fourteen today (nottem, wineind and co2, over 150 points, through
    // the approximation: CSS ranking, then the exact refit; N0003 and
    // N0106, where R's search keeps the constant after the null model
    // without it wins, and so stays at a random walk)
    assert!(same >= 13, "{same} of 14 with R's orders");
}
