//! Writing forecasts and per-series reports as long CSV.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::forecast::batch::{SeriesForecast, SeriesOutcome};
use crate::forecast::models::Forecast;

use super::atomic::write_atomically;
use super::format::format_amount;
use super::table::{Column, Table};

/// A level as it appears in column names: `80`, `97.5` (no trailing `.0`).
///
/// ```
/// assert_eq!(salesplan::io::format_level(80.0), "80");
/// assert_eq!(salesplan::io::format_level(97.5), "97.5");
/// ```
pub fn format_level(level: f64) -> String {
    format!("{level}")
}

/// Writes forecasts as long CSV, atomically:
/// `unique_id,ds,model,mean,lo-<level>,hi-<level>,...` (one pair per level,
/// in the order given), rows sorted by id (byte order) then period.
/// Numbers are written with round-trip precision. Every forecast must carry
/// intervals at exactly `levels`, or none (its interval cells stay empty).
pub fn write_forecasts<'a>(
    path: &Path,
    levels: &[f64],
    forecasts: impl IntoIterator<Item = &'a SeriesForecast>,
) -> Result<()> {
    let sorted = checked_and_sorted(levels, forecasts)?;
    if super::is_parquet(path) {
        return forecasts_table(levels, &sorted, None).write(path, "ds");
    }
    write_csv(path, |csv| {
        let mut header = vec![
            "unique_id".to_string(),
            "ds".into(),
            "model".into(),
            "mean".into(),
        ];
        push_interval_header(levels, &mut header);
        csv.write_record(&header)?;
        let mut row: Vec<String> = Vec::with_capacity(header.len());
        for f in &sorted {
            for (t, label) in f.labels.iter().enumerate() {
                row.clear();
                row.push(f.id.clone());
                row.push(label.clone());
                row.push(f.model_name.clone());
                row.push(format_amount(f.forecast.mean[t], None));
                for i in &f.forecast.intervals {
                    row.push(format_amount(i.lower[t], None));
                    row.push(format_amount(i.upper[t], None));
                }
                if f.forecast.intervals.is_empty() {
                    row.resize(row.len() + 2 * levels.len(), String::new());
                }
                csv.write_record(&row)?;
            }
        }
        Ok(())
    })
}

/// The long layout's interval columns: `lo-<level>,hi-<level>` per level.
pub(super) fn push_interval_header(levels: &[f64], header: &mut Vec<String>) {
    for l in levels {
        header.push(format!("lo-{}", format_level(*l)));
        header.push(format!("hi-{}", format_level(*l)));
    }
}

/// Writes forecasts in statsforecast's wide layout, atomically:
/// `unique_id,ds,<model>,<model>-lo-<level>...,<model>-hi-<level>...`,
/// each by increasing level as statsforecast (2.1) writes them
/// (`AutoETS,AutoETS-lo-80,AutoETS-lo-95,AutoETS-hi-80,AutoETS-hi-95`), rows
/// sorted by id then period. `model` names the columns (the fitted form of
/// each series is in the report); otherwise as [`write_forecasts`].
pub fn write_forecasts_wide<'a>(
    path: &Path,
    levels: &[f64],
    model: &str,
    forecasts: impl IntoIterator<Item = &'a SeriesForecast>,
) -> Result<()> {
    let sorted = checked_and_sorted(levels, forecasts)?;
    if super::is_parquet(path) {
        return forecasts_table(levels, &sorted, Some(model)).write(path, "ds");
    }
    let columns = WideColumns::new(levels);
    write_csv(path, |csv| {
        let mut header = vec!["unique_id".to_string(), "ds".into()];
        columns.push_header(model, &mut header);
        csv.write_record(&header)?;
        let mut row: Vec<String> = Vec::with_capacity(header.len());
        for f in &sorted {
            for (t, label) in f.labels.iter().enumerate() {
                row.clear();
                row.push(f.id.clone());
                row.push(label.clone());
                columns.push_cells(Some(&f.forecast), t, &mut row);
                csv.write_record(&row)?;
            }
        }
        Ok(())
    })
}

/// The forecasts as [`write_forecasts`] (`wide` `None`) or
/// [`write_forecasts_wide`] (`wide`: the model's name) lay them out, as a
/// table (bounds a model lacks undefined), for outputs that are not files.
pub fn forecast_table<'a>(
    levels: &[f64],
    forecasts: impl IntoIterator<Item = &'a SeriesForecast>,
    wide: Option<&str>,
) -> Result<Table> {
    let sorted = checked_and_sorted(levels, forecasts)?;
    Ok(forecasts_table(levels, &sorted, wide))
}

/// The forecasts as a table: the long layout's columns, or with `wide`
/// (the model's name) statsforecast's; bounds a model lacks undefined.
fn forecasts_table(levels: &[f64], sorted: &[&SeriesForecast], wide: Option<&str>) -> Table {
    let rows: usize = sorted.iter().map(|f| f.labels.len()).sum();
    let mut ids = Vec::with_capacity(rows);
    let mut ds = Vec::with_capacity(rows);
    let mut models = Vec::with_capacity(rows);
    let mut mean = Vec::with_capacity(rows);
    // (name, level index, upper?) per bound column, in the layout's order
    let bounds: Vec<(String, usize, bool)> = match wide {
        Some(model) => WideColumns::new(levels)
            .bounds
            .iter()
            .zip(WideColumns::new(levels).names)
            .map(|(&(k, upper), suffix)| (format!("{model}{suffix}"), k, upper))
            .collect(),
        None => (0..levels.len())
            .flat_map(|k| {
                let l = format_level(levels[k]);
                [(format!("lo-{l}"), k, false), (format!("hi-{l}"), k, true)]
            })
            .collect(),
    };
    let mut values: Vec<Vec<Option<f64>>> = vec![Vec::with_capacity(rows); bounds.len()];
    for f in sorted {
        for (t, label) in f.labels.iter().enumerate() {
            ids.push(f.id.clone());
            ds.push(label.clone());
            models.push(f.model_name.clone());
            mean.push(Some(f.forecast.mean[t]));
            for ((_, k, upper), column) in bounds.iter().zip(values.iter_mut()) {
                column.push(f.forecast.intervals.get(*k).map(|i| {
                    if *upper {
                        i.upper[t]
                    } else {
                        i.lower[t]
                    }
                }));
            }
        }
    }
    let mut columns = vec![
        ("unique_id".to_string(), Column::Text(ids)),
        ("ds".to_string(), Column::Text(ds)),
    ];
    match wide {
        Some(model) => columns.push((model.to_string(), Column::Number(mean))),
        None => {
            columns.push(("model".to_string(), Column::Text(models)));
            columns.push(("mean".to_string(), Column::Number(mean)));
        }
    }
    for ((name, _, _), column) in bounds.into_iter().zip(values) {
        columns.push((name, Column::Number(column)));
    }
    Table { columns }
}

/// The forecasts sorted by id, after checking each carries intervals at
/// exactly `levels` (or none) and one value per label.
fn checked_and_sorted<'a>(
    levels: &[f64],
    forecasts: impl IntoIterator<Item = &'a SeriesForecast>,
) -> Result<Vec<&'a SeriesForecast>> {
    let mut sorted: Vec<&SeriesForecast> = forecasts.into_iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for f in &sorted {
        let got: Vec<f64> = f.forecast.intervals.iter().map(|i| i.level).collect();
        let steps_ok = f.labels.len() == f.forecast.mean.len()
            && f.forecast.intervals.iter().all(|i| {
                i.lower.len() == f.forecast.mean.len() && i.upper.len() == f.forecast.mean.len()
            });
        // methods without prediction intervals (intermittent demand) leave the cells empty
        if (got != levels && !got.is_empty()) || !steps_ok {
            return Err(Error::InvalidParameter {
                name: "forecast",
                reason: format!(
                    "series '{}': intervals at {got:?} for {} labels, expected levels {levels:?}",
                    f.id,
                    f.labels.len()
                ),
            });
        }
    }
    Ok(sorted)
}

/// One model's columns in statsforecast's wide layout: the point, then the
/// lower bounds, then the upper bounds, each by increasing level.
pub(super) struct WideColumns {
    /// (index into the requested levels, upper bound?) per bound column.
    bounds: Vec<(usize, bool)>,
    names: Vec<String>,
}

impl WideColumns {
    pub(super) fn new(levels: &[f64]) -> WideColumns {
        let mut order: Vec<usize> = (0..levels.len()).collect();
        order.sort_by(|&a, &b| levels[a].total_cmp(&levels[b]));
        let bounds: Vec<(usize, bool)> = order
            .iter()
            .map(|&k| (k, false))
            .chain(order.iter().map(|&k| (k, true)))
            .collect();
        let names = bounds
            .iter()
            .map(|&(k, upper)| {
                format!(
                    "-{}-{}",
                    if upper { "hi" } else { "lo" },
                    format_level(levels[k])
                )
            })
            .collect();
        WideColumns { bounds, names }
    }

    pub(super) fn push_header(&self, model: &str, header: &mut Vec<String>) {
        header.push(model.to_string());
        header.extend(self.names.iter().map(|suffix| format!("{model}{suffix}")));
    }

    /// Step `t` of `forecast`, or undefined values for a model with no
    /// forecast there; bounds stay undefined for a forecast without intervals.
    pub(super) fn push_values(
        &self,
        forecast: Option<&Forecast>,
        t: usize,
        out: &mut Vec<Option<f64>>,
    ) {
        let Some(f) = forecast else {
            out.resize(out.len() + 1 + self.bounds.len(), None);
            return;
        };
        out.push(Some(f.mean[t]));
        for &(k, upper) in &self.bounds {
            out.push(
                f.intervals
                    .get(k)
                    .map(|i| if upper { i.upper[t] } else { i.lower[t] }),
            );
        }
    }

    /// [`push_values`](Self::push_values) as CSV cells (undefined: empty).
    pub(super) fn push_cells(&self, forecast: Option<&Forecast>, t: usize, row: &mut Vec<String>) {
        let mut values = Vec::with_capacity(1 + self.bounds.len());
        self.push_values(forecast, t, &mut values);
        row.extend(
            values
                .into_iter()
                .map(|v| v.map(|x| format_amount(x, None)).unwrap_or_default()),
        );
    }
}

/// Writes one row per series, atomically, sorted by id:
/// `unique_id,status,model,n_obs,aicc,reason,chosen,warning` with status
/// `ok` or `failed`, the fitted form (e.g. `MAdM`), the reason of a failure
/// or, for `auto`, why the model was chosen, the model chosen (the fitted
/// form; for `auto` e.g. `Comb(ETS(MAdM)+DOTM+Comb(ANN+AAN+AAdN))`), and a
/// warning about a forecast that was made (e.g. a positive series forecast
/// below zero).
pub fn write_report(path: &Path, outcomes: &[SeriesOutcome]) -> Result<()> {
    let mut sorted: Vec<&SeriesOutcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| id_of(a).cmp(id_of(b)));
    write_csv(path, |csv| {
        csv.write_record([
            "unique_id",
            "status",
            "model",
            "n_obs",
            "aicc",
            "reason",
            "chosen",
            "warning",
        ])?;
        for o in sorted {
            match o {
                Ok(f) => csv.write_record([
                    f.id.as_str(),
                    "ok",
                    &f.form,
                    &f.n_obs.to_string(),
                    &f.aicc.map(|a| format_amount(a, None)).unwrap_or_default(),
                    f.reason.as_deref().unwrap_or_default(),
                    &f.form,
                    f.warning.as_deref().unwrap_or_default(),
                ])?,
                Err(e) => csv.write_record([
                    e.id.as_str(),
                    "failed",
                    "",
                    &e.n_obs.to_string(),
                    "",
                    &e.reason(),
                    "",
                    "",
                ])?,
            }
        }
        Ok(())
    })
}

fn id_of(o: &SeriesOutcome) -> &str {
    match o {
        Ok(f) => &f.id,
        Err(e) => &e.id,
    }
}

/// Runs `fill` on a CSV writer over an atomically written file.
pub(super) fn write_csv(
    path: &Path,
    fill: impl FnOnce(&mut csv::Writer<&mut dyn Write>) -> csv::Result<()>,
) -> Result<()> {
    let io_error = |e: csv::Error| Error::Io {
        path: path.to_path_buf(),
        source: e.into(),
    };
    write_atomically(path, |out| {
        let mut csv = csv::Writer::from_writer(out);
        fill(&mut csv).map_err(io_error)?;
        csv.flush().map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::models::{Forecast, Interval};

    fn forecast(id: &str) -> SeriesForecast {
        SeriesForecast {
            id: id.into(),
            labels: vec!["2024Q1".into(), "2024Q2".into()],
            model_name: "AutoETS".into(),
            form: "ANN".into(),
            season_length: 4,
            n_obs: 8,
            aicc: Some(12.5),
            reason: None,
            warning: None,
            fit: None,
            forecast: Forecast {
                mean: vec![0.1 + 0.2, 1e21],
                intervals: vec![Interval {
                    level: 97.5,
                    lower: vec![-1.0, 2.0],
                    upper: vec![1.0 / 3.0, 4.0],
                }],
            },
        }
    }

    #[test]
    fn sorted_round_trip_precision() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let (b, a) = (forecast("b"), forecast("a"));
        write_forecasts(&path, &[97.5], [&b, &a]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "unique_id,ds,model,mean,lo-97.5,hi-97.5");
        assert!(lines[1].starts_with("a,2024Q1,AutoETS,0.30000000000000004,-1,"));
        assert_eq!(lines[3].split(',').nth(1), Some("2024Q1"));
        let third: f64 = lines[1].split(',').nth(5).unwrap().parse().unwrap();
        assert_eq!(third, 1.0 / 3.0);
        assert!(write_forecasts(&dir.path().join("g.csv"), &[80.0], [&a]).is_err());
        assert!(!dir.path().join("g.csv").exists());
    }
}
