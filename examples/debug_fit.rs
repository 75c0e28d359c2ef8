use salesplan::models::ets::Ets;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let id = &args[1];
    let spec = args[2].parse().unwrap();
    let mut rdr = csv::Reader::from_path("tests/data/ets_reference/series.csv").unwrap();
    let mut rows: Vec<(i64, f64, usize)> = rdr
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[0] == id)
        .map(|r| {
            (
                r[1].parse().unwrap(),
                r[2].parse().unwrap(),
                r[3].parse().unwrap(),
            )
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    let y: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let fit = Ets::new(spec, rows[0].2).unwrap().fit(&y).unwrap();
    println!(
        "{} a={} b={:?} g={:?} p={:?} init={:?} loglik={} evals={}",
        fit.spec, fit.alpha, fit.beta, fit.gamma, fit.phi, fit.initial, fit.loglik, fit.evaluations
    );
}
