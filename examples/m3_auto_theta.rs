//! AutoTheta's selection rule on M3: forecasts of every series for several
//! margins (0 = plain minimum holdout error), and of each Theta method alone,
//! in the long format `../shared/peers/evaluate.py` scores; prints how often
//! each method is chosen.
//!
//! `cargo run --release --example m3_auto_theta -- datasets/m3 /tmp/auto_theta.csv`
//! then `python3 ../shared/peers/evaluate.py datasets/m3 /tmp/auto_theta.csv --md`

use std::collections::BTreeMap;
use std::io::Write;

use salesplan::forecast::models::theta::{AutoTheta, Theta, ThetaMethod};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).map_or("datasets/m3", |s| s.as_str());
    let out_path = args.get(2).map_or("/tmp/auto_theta.csv", |s| s.as_str());
    let mut meta = BTreeMap::new();
    for r in csv::Reader::from_path(format!("{dir}/meta.csv"))?.records() {
        let r = r?;
        meta.insert(
            r[0].to_string(),
            (r[2].parse::<usize>()?, r[3].parse::<usize>()?),
        );
    }
    let mut series: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
    for r in csv::Reader::from_path(format!("{dir}/train.csv"))?.records() {
        let r = r?;
        series
            .entry(r[0].to_string())
            .or_default()
            .push((r[1].parse()?, r[2].parse()?));
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(out_path)?);
    writeln!(out, "unique_id,ds,model,yhat")?;
    let margins = [0.0, 0.05, 0.1, 0.2, 0.3];
    let mut chosen: BTreeMap<(String, &str), usize> = BTreeMap::new();
    let methods = [
        ThetaMethod::Standard,
        ThetaMethod::Optimised,
        ThetaMethod::DynamicStandard,
        ThetaMethod::DynamicOptimised,
    ];
    for (id, rows) in &series {
        let (m, h) = meta[id];
        let y: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let last = rows.last().map_or(0, |r| r.0);
        let mut write = |name: String, mean: &[f64]| -> std::io::Result<()> {
            for (j, v) in mean.iter().enumerate() {
                writeln!(out, "{id},{},{name},{v}", last + 1 + j as i64)?;
            }
            Ok(())
        };
        for method in methods {
            let fc = Theta::new(method, m).fit(&y)?.predict(h, &[])?;
            write(method.name().to_string(), &fc.mean)?;
        }
        for margin in margins {
            let auto = AutoTheta::new(m).with_holdout(h).with_margin(margin)?;
            let method = auto.choose(&y)?;
            *chosen
                .entry((format!("margin {margin}"), method.name()))
                .or_default() += 1;
            let fc = Theta::new(method, m).fit(&y)?.predict(h, &[])?;
            write(format!("AutoTheta-margin-{margin}"), &fc.mean)?;
        }
    }
    for ((rule, method), count) in chosen {
        println!("{rule}: {method} chosen {count} times");
    }
    Ok(())
}
