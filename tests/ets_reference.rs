//! ETS checked against R's forecast 8.20 on named M3 series.
//!
//! Reference values: `tests/data/ets_reference/` (produced by
//! `make_reference.R` there; see its README for versions and R's quirks).
//! Two kinds of check:
//! 1. the filter at R's estimated parameters and initial states reproduces
//!    R's log-likelihood, information criteria, σ², MSE, AMSE, fitted values
//!    and forecasts (analytic intervals included) to tight tolerances;
//! 2. our own estimation reaches a likelihood at least as good as R's,
//!    model form by model form (R's optimiser often stops at its budget).

use std::collections::HashMap;

use salesplan::forecast::models::ets::{AutoEts, Ets, EtsSpec, EtsState, IntervalOptions, Search};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ets_reference");

fn read(name: &str) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(format!("{DIR}/{name}")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, key: &str) -> Option<f64> {
    row.get(key)
        .filter(|v| !v.is_empty() && v.as_str() != "NA")
        .map(|v| v.parse().unwrap())
}

fn series() -> HashMap<String, (Vec<f64>, usize, usize)> {
    let mut out: HashMap<String, Vec<(i64, f64, usize, usize)>> = HashMap::new();
    for r in read("series.csv") {
        out.entry(r["unique_id"].clone()).or_default().push((
            r["ds"].parse().unwrap(),
            r["y"].parse().unwrap(),
            r["season_length"].parse().unwrap(),
            r["horizon"].parse().unwrap(),
        ));
    }
    out.into_iter()
        .map(|(k, mut v)| {
            v.sort_by_key(|x| x.0);
            let (m, h) = (v[0].2, v[0].3);
            (k, (v.into_iter().map(|x| x.1).collect(), m, h))
        })
        .collect()
}

fn close(a: f64, b: f64, rel: f64, what: &str) {
    let tol = rel * b.abs().max(1e-8);
    assert!(
        (a - b).abs() <= tol,
        "{what}: ours {a} vs R {b} (tolerance {tol})"
    );
}

/// Our model evaluated at R's parameters and initial states.
fn at_r_parameters(
    row: &HashMap<String, String>,
    y: &[f64],
) -> salesplan::forecast::models::ets::FittedEts {
    let spec: EtsSpec = row["model"].parse().unwrap();
    let m: usize = row["m"].parse().unwrap();
    let init: Vec<f64> = row["initstate"]
        .split(';')
        .map(|v| v.parse().unwrap())
        .collect();
    let s_off = 1 + usize::from(spec.has_trend());
    let state = EtsState {
        level: init[0],
        slope: spec.has_trend().then(|| init[1]),
        seasonal: init[s_off..].to_vec(),
    };
    Ets::new(spec, m)
        .unwrap()
        .evaluate(
            y,
            num(row, "alpha").unwrap(),
            num(row, "beta"),
            num(row, "gamma"),
            num(row, "phi"),
            &state,
        )
        .unwrap()
}

#[test]
fn filter_reproduces_r_statistics_at_r_parameters() {
    let data = series();
    let rows = read("fits.csv");
    assert_eq!(rows.len(), 170);
    for row in &rows {
        let (y, _, _) = &data[&row["unique_id"]];
        let fit = at_r_parameters(row, y);
        let what = format!("{} {}", row["unique_id"], row["model"]);
        close(
            fit.loglik,
            num(row, "loglik").unwrap(),
            1e-9,
            &format!("{what} loglik"),
        );
        close(
            fit.aicc.unwrap(),
            num(row, "aicc").unwrap(),
            1e-9,
            &format!("{what} aicc"),
        );
        close(
            fit.bic,
            num(row, "bic").unwrap(),
            1e-9,
            &format!("{what} bic"),
        );
        close(
            fit.sigma2,
            num(row, "sigma2").unwrap(),
            1e-8,
            &format!("{what} sigma2"),
        );
        close(
            fit.mse,
            num(row, "mse").unwrap(),
            1e-8,
            &format!("{what} mse"),
        );
        if !fit.spec.damped {
            // R's multi-step damping sum has a quirk (see the README); undamped forms agree
            let amse = fit.amse.iter().sum::<f64>() / fit.amse.len() as f64;
            close(
                amse,
                num(row, "amse").unwrap(),
                1e-8,
                &format!("{what} amse"),
            );
        }
    }
}

#[test]
fn fitted_values_and_residuals_match_r() {
    let data = series();
    let fits: HashMap<(String, String), HashMap<String, String>> = read("fits.csv")
        .into_iter()
        .map(|r| ((r["unique_id"].clone(), r["model"].clone()), r))
        .collect();
    let mut checked = 0;
    for row in read("fitted.csv") {
        let key = (row["unique_id"].clone(), row["model"].clone());
        let (y, _, _) = &data[&key.0];
        let fit = at_r_parameters(&fits[&key], y);
        let t: usize = row["t"].parse().unwrap();
        close(
            fit.fitted[t - 1],
            num(&row, "fitted").unwrap(),
            1e-9,
            &format!("{key:?} fitted t={t}"),
        );
        let r = num(&row, "residual").unwrap();
        assert!(
            (fit.residuals[t - 1] - r).abs() <= 1e-9 * r.abs().max(1e-3),
            "{key:?} residual t={t}"
        );
        checked += 1;
    }
    assert!(checked > 1000);
}

#[test]
fn forecasts_and_analytic_intervals_match_r() {
    let data = series();
    let fits: HashMap<(String, String), HashMap<String, String>> = read("fits.csv")
        .into_iter()
        .map(|r| ((r["unique_id"].clone(), r["model"].clone()), r))
        .collect();
    let mut means = 0;
    let mut intervals = 0;
    let mut cache: HashMap<(String, String), salesplan::forecast::models::Forecast> =
        HashMap::new();
    for row in read("forecasts.csv") {
        let key = (row["unique_id"].clone(), row["model"].clone());
        let spec: EtsSpec = key.1.parse().unwrap();
        let (y, m, horizon) = &data[&key.0];
        let fc = cache.entry(key.clone()).or_insert_with(|| {
            at_r_parameters(&fits[&key], y)
                .predict_with(*horizon, &[80.0, 95.0], IntervalOptions::r_compatible())
                .unwrap()
        });
        let h: usize = row["h"].parse().unwrap();
        let class = spec.interval_class();
        // R reports the class-3 approximation mean (different for h > m, and
        // for damped forms at every h) and a quirky damped sum for simulated
        // classes; elsewhere the point forecast is the plain recursion.
        let comparable_mean = match class {
            1 | 2 => true,
            3 => !spec.damped && h <= *m,
            _ => !spec.damped,
        };
        if comparable_mean {
            close(
                fc.mean[h - 1],
                num(&row, "mean").unwrap(),
                1e-9,
                &format!("{key:?} mean h={h}"),
            );
            means += 1;
        }
        // R's class1() hard-codes γ into the third state (G[3, 1]), right only
        // when a trend is present: for ANA and MNA it puts γ on the wrong
        // seasonal, so their variances differ from HKOS Table 6.1 from h = m on.
        let r_gamma_quirk = spec.has_season() && !spec.has_trend() && h >= *m;
        if !r_gamma_quirk && (class <= 2 || (class == 3 && !spec.damped && h <= *m)) {
            for (i, lv) in ["80", "95"].iter().enumerate() {
                let lo = num(&row, &format!("lo{lv}")).unwrap();
                let hi = num(&row, &format!("hi{lv}")).unwrap();
                let what = format!("{key:?} {lv}% h={h}");
                close(fc.intervals[i].lower[h - 1], lo, 1e-7, &what);
                close(fc.intervals[i].upper[h - 1], hi, 1e-7, &what);
            }
            intervals += 1;
        }
    }
    assert!(
        means > 1000 && intervals > 600,
        "means {means}, intervals {intervals}"
    );
}

/// Our estimates reach at least R's likelihood for (almost) every form; where
/// R's own optimiser ran out of budget we are usually well above it.
#[test]
fn estimation_is_at_least_as_good_as_r() {
    let data = series();
    let mut worse = Vec::new();
    let rows = read("fits.csv");
    for row in &rows {
        let (y, m, _) = &data[&row["unique_id"]];
        let spec: EtsSpec = row["model"].parse().unwrap();
        let ours = Ets::new(spec, *m).unwrap().fit(y).unwrap();
        let r = num(row, "loglik").unwrap();
        if ours.loglik < r - 0.05 {
            worse.push(format!(
                "{} {}: {:.3} < R {:.3}",
                row["unique_id"], row["model"], ours.loglik, r
            ));
        }
    }
    eprintln!(
        "{} of {} fits below R's likelihood:\n{}",
        worse.len(),
        rows.len(),
        worse.join("\n")
    );
    assert!(
        worse.len() <= rows.len() / 20,
        "{} of {} worse:\n{}",
        worse.len(),
        rows.len(),
        worse.join("\n")
    );
}

#[test]
fn auto_selection_is_competitive_with_r() {
    let data = series();
    let mut seen = std::collections::HashSet::new();
    for row in read("auto.csv") {
        let id = row["unique_id"].clone();
        if !seen.insert(id.clone()) {
            continue;
        }
        let (y, m, _) = &data[&id];
        // the exhaustive search is R's: same candidates, same estimator
        let fit = AutoEts::r_compatible(*m).fit(y).unwrap();
        let r_aicc = num(&row, "aicc").unwrap();
        let ours = fit.aicc.unwrap();
        assert_eq!(fit.spec.to_string(), row["model"], "{id}: chosen form");
        assert!(
            (ours - r_aicc).abs() <= 1e-6 * r_aicc.abs(),
            "{id}: our AICc {ours} vs R {r_aicc}"
        );
        // the pruned search may skip R's choice, never for a much worse one
        let pruned = AutoEts::r_compatible(*m)
            .search(Search::Pruned)
            .fit(y)
            .unwrap();
        assert!(
            pruned.aicc.unwrap() <= r_aicc + 0.01 * r_aicc.abs(),
            "{id}: pruned {}",
            pruned.spec
        );
    }
}

/// Where R's optimiser converged (it stopped before its budget), our port of
/// its search lands on the same estimates: smoothing parameters within 1e-6,
/// log-likelihood within 1e-8 relative, point forecasts within 1e-6
/// relative (classes 1–2, where R's point forecast is the plain recursion).
#[test]
fn converged_r_fits_are_reproduced() {
    let data = series();
    let forecasts = read("forecasts.csv");
    let (mut same, mut total) = (0, 0);
    let mut different = Vec::new();
    for row in read("fits.csv") {
        if row["nm_fail"] != "0" {
            continue;
        }
        let (y, m, horizon) = &data[&row["unique_id"]];
        let spec: EtsSpec = row["model"].parse().unwrap();
        let ours = Ets::new(spec, *m).unwrap().fit(y).unwrap();
        let r_params = [
            num(&row, "alpha"),
            num(&row, "beta"),
            num(&row, "gamma"),
            num(&row, "phi"),
        ];
        let our_params = [Some(ours.alpha), ours.beta, ours.gamma, ours.phi];
        let params_ok = r_params.iter().zip(&our_params).all(|(r, o)| match (r, o) {
            (Some(r), Some(o)) => (r - o).abs() <= 1e-6,
            (None, None) => true,
            _ => false,
        });
        let r_loglik = num(&row, "loglik").unwrap();
        let lik_ok = (ours.loglik - r_loglik).abs() <= 1e-8 * r_loglik.abs();
        let fc = ours.point_forecast(*horizon);
        let fc_ok = forecasts
            .iter()
            .filter(|f| f["unique_id"] == row["unique_id"] && f["model"] == row["model"])
            .filter(|_| spec.interval_class() <= 2)
            .all(|f| {
                let h: usize = f["h"].parse().unwrap();
                let r = num(f, "mean").unwrap();
                (fc[h - 1] - r).abs() <= 1e-6 * r.abs()
            });
        total += 1;
        if params_ok && lik_ok && fc_ok {
            same += 1;
        } else {
            different.push(format!(
                "{} {} (ours {:.4} vs R {:.4})",
                row["unique_id"], row["model"], ours.loglik, r_loglik
            ));
        }
    }
    eprintln!("{same} of {total} converged R fits reproduced; differing: {different:?}");
    assert!(total >= 130);
    assert_eq!(same, total, "differing: {different:?}");
}
