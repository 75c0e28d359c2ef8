//! Writing backtest metrics as CSV.

use std::path::Path;

use crate::error::Result;
use crate::forecast::backtest::WindowScore;
use crate::forecast::backtest::{summarise, Summary};
use crate::forecast::batch::{ModelChoice, SeriesBacktest};
use crate::forecast::metrics::owa;
use crate::forecast::models::Forecast;
use crate::forecast::series::Series;

use super::format::format_amount;
use super::format_level;
use super::table::{Column, Table};
use super::write::{push_interval_header, write_csv, WideColumns};

/// One model's metrics pooled over every window of every series it could
/// forecast, with OWA relative to Naive2 when Naive2 was backtested too.
#[derive(Debug, Clone, PartialEq)]
pub struct OverallScore {
    pub model: ModelChoice,
    /// Series the model failed on (left out of the summary).
    pub failed_series: usize,
    pub summary: Summary,
    pub owa: Option<f64>,
}

/// Pools each model's window scores over all series (sequentially, in input
/// order) and computes OWA against the `naive2` model if present.
pub fn backtest_overall(
    models: &[ModelChoice],
    results: &[Vec<SeriesBacktest>],
) -> Vec<OverallScore> {
    let mut overall: Vec<OverallScore> = models
        .iter()
        .enumerate()
        .map(|(k, model)| {
            let runs = results.iter().filter_map(|per_model| per_model.get(k));
            let failed_series = runs.clone().filter(|r| r.outcome.is_err()).count();
            let summary = summarise(
                runs.filter_map(|r| r.outcome.as_ref().ok())
                    .flatten()
                    .map(|w| &w.accuracy),
            );
            OverallScore {
                model: model.clone(),
                failed_series,
                summary,
                owa: None,
            }
        })
        .collect();
    if let Some(reference) = overall
        .iter()
        .find(|o| o.model == ModelChoice::Naive2)
        .map(|o| o.summary.clone())
    {
        for o in &mut overall {
            o.owa = match (o.summary.mase, reference.mase) {
                (Some(mase), Some(ref_mase)) => {
                    owa(o.summary.smape, mase, reference.smape, ref_mase).ok()
                }
                _ => None,
            };
        }
    }
    overall
}

fn cell(v: Option<f64>) -> String {
    v.map(|x| format_amount(x, None)).unwrap_or_default()
}

fn summary_cells(s: &Summary, levels: &[f64], row: &mut Vec<String>) {
    if s.windows == 0 {
        // nothing scored: every metric undefined, never a 0
        row.extend(std::iter::repeat_n(String::new(), 8 + 2 * levels.len()));
        return;
    }
    row.extend([
        format_amount(s.mae, None),
        format_amount(s.rmse, None),
        cell(s.mape),
        format_amount(s.smape, None),
        cell(s.mase),
        cell(s.rmsse),
        cell(s.wape),
        format_amount(s.bias, None),
    ]);
    for l in levels {
        match s.intervals.iter().find(|i| i.0 == *l) {
            Some(i) => row.extend([format_amount(i.1, None), format_amount(i.2, None)]),
            None => row.extend([String::new(), String::new()]),
        }
    }
}

/// Writes backtest metrics atomically, one row per
/// * `window`: series × model × window (`origin` = training length);
/// * `series`: series × model, averaged over its windows;
/// * `overall`: model, pooled over all windows of all series, with OWA.
///
/// Columns: `scope,unique_id,model,window,origin,windows,mae,rmse,mape,smape,
/// mase,rmsse,wape,bias,owa,coverage-<l>,pinball-<l>...`; undefined metrics
/// and failed series leave cells empty (failures get one `series` row with
/// `windows` 0).
pub fn write_backtest(
    path: &Path,
    levels: &[f64],
    results: &[Vec<SeriesBacktest>],
    overall: &[OverallScore],
) -> Result<()> {
    write_csv(path, |csv| {
        let mut header: Vec<String> = [
            "scope",
            "unique_id",
            "model",
            "window",
            "origin",
            "windows",
            "mae",
            "rmse",
            "mape",
            "smape",
            "mase",
            "rmsse",
            "wape",
            "bias",
            "owa",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for l in levels {
            header.push(format!("coverage-{}", format_level(*l)));
            header.push(format!("pinball-{}", format_level(*l)));
        }
        csv.write_record(&header)?;
        let mut row: Vec<String> = Vec::with_capacity(header.len());
        for run in results.iter().flatten() {
            let model = run.model.name();
            match &run.outcome {
                Ok(windows) => {
                    for w in windows {
                        row.clear();
                        row.extend([
                            "window".into(),
                            run.id.clone(),
                            model.clone(),
                            w.window.to_string(),
                            w.origin.to_string(),
                            "1".into(),
                        ]);
                        let s = summarise([&w.accuracy]);
                        let mut rest = Vec::new();
                        summary_cells(&s, levels, &mut rest);
                        row.extend(rest[..8].iter().cloned());
                        row.push(String::new());
                        row.extend(rest[8..].iter().cloned());
                        csv.write_record(&row)?;
                    }
                    let s = summarise(windows.iter().map(|w| &w.accuracy));
                    row.clear();
                    row.extend([
                        "series".into(),
                        run.id.clone(),
                        model.clone(),
                        String::new(),
                        String::new(),
                        s.windows.to_string(),
                    ]);
                    let mut rest = Vec::new();
                    summary_cells(&s, levels, &mut rest);
                    row.extend(rest[..8].iter().cloned());
                    row.push(String::new());
                    row.extend(rest[8..].iter().cloned());
                    csv.write_record(&row)?;
                }
                Err(_) => {
                    row.clear();
                    row.extend([
                        "series".into(),
                        run.id.clone(),
                        model.clone(),
                        String::new(),
                        String::new(),
                        "0".into(),
                    ]);
                    row.resize(header.len(), String::new());
                    csv.write_record(&row)?;
                }
            }
        }
        for o in overall {
            row.clear();
            row.extend([
                "overall".into(),
                String::new(),
                o.model.name(),
                String::new(),
                String::new(),
                o.summary.windows.to_string(),
            ]);
            let mut rest = Vec::new();
            summary_cells(&o.summary, levels, &mut rest);
            row.extend(rest[..8].iter().cloned());
            row.push(cell(o.owa));
            row.extend(rest[8..].iter().cloned());
            csv.write_record(&row)?;
        }
        Ok(())
    })
}

/// Window `w`'s forecast in one model's run, if the model ran.
fn window_forecast(run: Option<&[WindowScore]>, w: usize) -> Option<&Forecast> {
    run.and_then(|r| r.get(w)).map(|r| &r.forecast)
}

/// Writes each backtest window's forecasts, atomically, in the shape of
/// statsforecast's `cross_validation`: per series (sorted by id), window
/// and step, the period `ds`, the window's `cutoff` (the last period it
/// trained on) and the actual `y`.
///
/// * long (`wide` false): `unique_id,ds,cutoff,y,model,mean,lo-<l>,hi-<l>...`,
///   one row per model, in the order of `models`, for the models that
///   forecast the series;
/// * wide: `unique_id,ds,cutoff,y` then each model's columns as
///   [`write_forecasts_wide`](super::write::write_forecasts_wide) names
///   them (statsforecast's names), empty where the model failed on the series.
///
/// `results` are per series in the order of `series`, per model in the
/// order of `models` (as [`backtest_batch`](crate::forecast::batch::backtest_batch) returns them).
pub fn write_cross_validation(
    path: &Path,
    levels: &[f64],
    models: &[ModelChoice],
    series: &[Series],
    results: &[Vec<SeriesBacktest>],
    wide: bool,
) -> Result<()> {
    cross_validation_table(levels, models, series, results, wide).write(path, "ds")
}

/// The table [`write_cross_validation`] writes.
pub fn cross_validation_table(
    levels: &[f64],
    models: &[ModelChoice],
    series: &[Series],
    results: &[Vec<SeriesBacktest>],
    wide: bool,
) -> Table {
    let mut order: Vec<usize> = (0..series.len().min(results.len())).collect();
    order.sort_by(|&a, &b| series[a].id().cmp(series[b].id()));
    let columns = WideColumns::new(levels);
    let mut header: Vec<String> = Vec::new();
    if wide {
        for m in models {
            columns.push_header(&m.statsforecast_name(), &mut header);
        }
    } else {
        header.extend(["model".to_string(), "mean".into()]);
        push_interval_header(levels, &mut header);
    }
    let (mut ids, mut ds, mut cutoffs, mut ys) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut names_column: Vec<String> = Vec::new();
    // the numeric columns after the four leading ones (and `model`)
    let numeric = if wide { header.len() } else { header.len() - 1 };
    let mut numbers: Vec<Vec<Option<f64>>> = vec![Vec::new(); numeric];
    let names: Vec<String> = models.iter().map(|m| m.name()).collect();
    let mut cells: Vec<Option<f64>> = Vec::with_capacity(numeric);
    for &i in &order {
        let s = &series[i];
        let runs: Vec<Option<&[WindowScore]>> = (0..models.len())
            .map(|k| {
                results[i]
                    .get(k)
                    .and_then(|r| r.outcome.as_ref().ok())
                    .map(|w| w.as_slice())
            })
            .collect();
        let Some(windows) = runs.iter().flatten().next() else {
            continue;
        };
        for (w, window) in windows.iter().enumerate() {
            let cutoff = s.label(window.origin.saturating_sub(1));
            for t in 0..window.forecast.mean.len() {
                let k = window.origin + t;
                let mut lead = |name: Option<&String>| {
                    ids.push(s.id().to_string());
                    ds.push(s.label(k));
                    cutoffs.push(cutoff.clone());
                    ys.push(s.values().get(k).copied());
                    if let Some(name) = name {
                        names_column.push(name.clone());
                    }
                };
                if wide {
                    lead(None);
                    cells.clear();
                    for run in &runs {
                        columns.push_values(window_forecast(*run, w), t, &mut cells);
                    }
                    for (column, cell) in numbers.iter_mut().zip(&cells) {
                        column.push(*cell);
                    }
                    continue;
                }
                for (run, name) in runs.iter().zip(&names) {
                    let Some(f) = window_forecast(*run, w) else {
                        continue;
                    };
                    lead(Some(name));
                    numbers[0].push(Some(f.mean[t]));
                    for (j, l) in levels.iter().enumerate() {
                        let interval = f.intervals.iter().find(|i| i.level == *l);
                        numbers[1 + 2 * j].push(interval.map(|i| i.lower[t]));
                        numbers[2 + 2 * j].push(interval.map(|i| i.upper[t]));
                    }
                }
            }
        }
    }
    let mut table = vec![
        ("unique_id".to_string(), Column::Text(ids)),
        ("ds".to_string(), Column::Text(ds)),
        ("cutoff".to_string(), Column::Text(cutoffs)),
        ("y".to_string(), Column::Number(ys)),
    ];
    let mut numbers = numbers.into_iter();
    for name in header {
        if name == "model" && !wide {
            table.push((name, Column::Text(std::mem::take(&mut names_column))));
        } else if let Some(column) = numbers.next() {
            table.push((name, Column::Number(column)));
        }
    }
    Table { columns: table }
}
