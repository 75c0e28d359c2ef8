//! Writing backtest metrics as CSV.

use std::path::Path;

use crate::error::Result;
use crate::forecast::backtest::WindowScore;
use crate::forecast::backtest::{summarise, Summary};
use crate::forecast::batch::{ModelChoice, SeriesBacktest};
use crate::forecast::metrics::owa;
use crate::forecast::models::Forecast;
use crate::forecast::series::Series;

use super::format_level;
use super::table::{Column, Table};
use super::write::{push_interval_header, WideColumns};

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

/// The models `salesplan backtest` scores: those asked for, then Naive2
/// (the reference of OWA) unless among them, each once.
///
/// ```
/// use salesplan::io::scored_models;
/// use salesplan::forecast::batch::ModelChoice;
/// let models = scored_models(&[ModelChoice::Naive, ModelChoice::Naive]);
/// assert_eq!(models, [ModelChoice::Naive, ModelChoice::Naive2]);
/// ```
pub fn scored_models(models: &[ModelChoice]) -> Vec<ModelChoice> {
    let mut scored = Vec::with_capacity(models.len() + 1);
    for m in models.iter().chain([&ModelChoice::Naive2]) {
        if !scored.contains(m) {
            scored.push(m.clone());
        }
    }
    scored
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

/// A [`Summary`]'s metrics as cells: `mae, rmse, mape, smape, mase, rmsse,
/// wape, bias`, then `coverage-<l>, pinball-<l>` per level; every cell
/// undefined when nothing was scored (never a 0).
fn summary_cells(s: &Summary, levels: &[f64]) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    if s.windows == 0 {
        return (vec![None; 8], vec![None; 2 * levels.len()]);
    }
    let metrics = vec![
        Some(s.mae),
        Some(s.rmse),
        s.mape,
        Some(s.smape),
        s.mase,
        s.rmsse,
        s.wape,
        Some(s.bias),
    ];
    let intervals = levels
        .iter()
        .flat_map(|l| match s.intervals.iter().find(|i| i.0 == *l) {
            Some(i) => [Some(i.1), Some(i.2)],
            None => [None, None],
        })
        .collect();
    (metrics, intervals)
}

/// The rows of [`backtest_table`], column by column.
struct BacktestColumns {
    text: [Vec<String>; 3],
    numbers: Vec<Vec<Option<f64>>>,
}

impl BacktestColumns {
    /// One row: `scope, unique_id, model`, then `window, origin, windows`,
    /// the summary's metrics, `owa` and its interval scores.
    fn push(
        &mut self,
        text: [&str; 3],
        counts: [Option<usize>; 3],
        summary: Option<&Summary>,
        owa: Option<f64>,
        levels: &[f64],
    ) {
        for (column, value) in self.text.iter_mut().zip(text) {
            column.push(value.to_string());
        }
        let (metrics, intervals) = match summary {
            Some(s) => summary_cells(s, levels),
            None => (vec![None; 8], vec![None; 2 * levels.len()]),
        };
        let cells = counts
            .iter()
            .map(|c| c.map(|c| c as f64))
            .chain(metrics)
            .chain([owa])
            .chain(intervals);
        for (column, cell) in self.numbers.iter_mut().zip(cells) {
            column.push(cell);
        }
    }
}

/// The metrics' columns after `scope, unique_id, model`.
const METRIC_COLUMNS: [&str; 12] = [
    "window", "origin", "windows", "mae", "rmse", "mape", "smape", "mase", "rmsse", "wape", "bias",
    "owa",
];

/// Writes backtest metrics atomically: [`backtest_table`] as CSV.
pub fn write_backtest(
    path: &Path,
    levels: &[f64],
    results: &[Vec<SeriesBacktest>],
    overall: &[OverallScore],
) -> Result<()> {
    backtest_table(levels, results, overall).write(path, "ds")
}

/// Backtest metrics, one row per
/// * `window`: series × model × window (`origin` = training length);
/// * `series`: series × model, averaged over its windows;
/// * `overall`: model, pooled over all windows of all series, with OWA.
///
/// Columns: `scope,unique_id,model,window,origin,windows,mae,rmse,mape,smape,
/// mase,rmsse,wape,bias,owa,coverage-<l>,pinball-<l>...`; undefined metrics
/// and failed series leave cells undefined (failures get one `series` row
/// with `windows` 0). `results` are per series, per model, as
/// [`backtest_batch`](crate::forecast::batch::backtest_batch) returns them.
///
/// ```
/// use salesplan::forecast::backtest::Backtest;
/// use salesplan::forecast::batch::{backtest_batch, ModelChoice};
/// use salesplan::io::{backtest_overall, backtest_table, Column};
/// use salesplan::Series;
/// let series = [Series::new("a", (0..12).map(|t| t as f64).collect())?];
/// let models = [ModelChoice::Naive];
/// let results = backtest_batch(&series, &models, &Backtest::new(2, 2)?, &[], None, &|| {});
/// let table = backtest_table(&[], &results, &backtest_overall(&models, &results));
/// assert_eq!(table.rows(), 4); // two windows, the series, overall
/// assert_eq!(table.columns[6], ("mae".to_string(), Column::Number(vec![Some(1.5); 4])));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn backtest_table(
    levels: &[f64],
    results: &[Vec<SeriesBacktest>],
    overall: &[OverallScore],
) -> Table {
    let mut names: Vec<String> = METRIC_COLUMNS.iter().map(|s| s.to_string()).collect();
    for l in levels {
        names.push(format!("coverage-{}", format_level(*l)));
        names.push(format!("pinball-{}", format_level(*l)));
    }
    let mut rows = BacktestColumns {
        text: Default::default(),
        numbers: vec![Vec::new(); names.len()],
    };
    for run in results.iter().flatten() {
        let model = run.model.name();
        let lead = ["series", run.id.as_str(), model.as_str()];
        match &run.outcome {
            Ok(windows) => {
                for w in windows {
                    let s = summarise([&w.accuracy]);
                    let counts = [Some(w.window), Some(w.origin), Some(1)];
                    let window = ["window", lead[1], lead[2]];
                    rows.push(window, counts, Some(&s), None, levels);
                }
                let s = summarise(windows.iter().map(|w| &w.accuracy));
                rows.push(lead, [None, None, Some(s.windows)], Some(&s), None, levels);
            }
            Err(_) => rows.push(lead, [None, None, Some(0)], None, None, levels),
        }
    }
    for o in overall {
        let lead = ["overall", "", &o.model.name()];
        let counts = [None, None, Some(o.summary.windows)];
        rows.push(lead, counts, Some(&o.summary), o.owa, levels);
    }
    let text = ["scope", "unique_id", "model"]
        .into_iter()
        .zip(rows.text)
        .map(|(name, column)| (name.to_string(), Column::Text(column)));
    let numbers = names
        .into_iter()
        .zip(rows.numbers)
        .map(|(name, column)| (name, Column::Number(column)));
    Table {
        columns: text.chain(numbers).collect(),
    }
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
