//! Writing backtest metrics as CSV.

use std::path::Path;

use crate::error::Result;
use crate::forecast::backtest::{summarise, Summary};
use crate::forecast::batch::{ModelChoice, SeriesBacktest};
use crate::forecast::metrics::owa;

use super::format::format_amount;
use super::format_level;
use super::write::write_csv;

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
