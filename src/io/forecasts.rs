//! Reading back a forecast file in the long layout `forecast` writes
//! (`unique_id,ds,model,mean,lo-<level>,hi-<level>,...`): for charts and
//! reports drawn from what earlier runs wrote.

use std::path::Path;

use crate::error::{Error, Result};
use crate::forecast::models::{Forecast, Interval};

/// One series' forecast as a file holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRead {
    pub id: String,
    /// The model column (empty when the file has none).
    pub model: String,
    /// The forecast periods' labels, in the file's order.
    pub labels: Vec<String>,
    /// The means and, per level in the header's order, the bounds (a level
    /// whose cells are empty for this series is left out).
    pub forecast: Forecast,
}

/// Reads a long forecast CSV (`-`: standard input): rows grouped by
/// `unique_id` in the order each id first appears, each level's bounds
/// from its `lo-<level>`/`hi-<level>` columns. Any problem is an error
/// naming the file, line, column and value.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("f.csv");
/// std::fs::write(&path, "unique_id,ds,model,mean,lo-80,hi-80\na,4,Naive,5,4,6\na,5,Naive,5,3,7\n").unwrap();
/// let read = salesplan::io::read_forecasts(&path)?;
/// assert_eq!(read[0].labels, ["4", "5"]);
/// assert_eq!(read[0].forecast.intervals[0].upper, [6.0, 7.0]);
///
/// std::fs::write(&path, "unique_id,ds,mean\na,4,lots\n").unwrap();
/// let err = salesplan::io::read_forecasts(&path).unwrap_err().to_string();
/// assert!(err.ends_with("f.csv:2: column 'mean': not a number (value 'lots')"), "{err}");
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn read_forecasts(path: &Path) -> Result<Vec<ForecastRead>> {
    if super::is_parquet(path) {
        return Err(Error::File {
            path: path.to_path_buf(),
            reason:
                "forecasts are read back from CSV (the long layout); write them with --output f.csv"
                    .into(),
        });
    }
    let (reader, name) = super::open_input(path)?;
    read_forecasts_from(reader, &name)
}

/// As [`read_forecasts`], from any reader (`path` names it in errors).
pub fn read_forecasts_from<R: std::io::Read>(reader: R, path: &Path) -> Result<Vec<ForecastRead>> {
    let name = path.to_path_buf();
    // the header's byte-order mark dropped, as every reader drops it
    let (mut csv, header) = super::format::csv_with_headers(reader, path)?;
    let io_error = |e: csv::Error| Error::File {
        path: name.clone(),
        reason: format!("malformed CSV: {e}"),
    };
    let at = |line: u64, column: &str, value: Option<&str>, reason: String| Error::Input {
        path: name.clone(),
        line,
        column: column.to_string(),
        value: value.map(str::to_string),
        reason,
    };
    let find = |column: &str| header.iter().position(|h| h == column);
    let missing = |column: &str| {
        at(
            1,
            column,
            None,
            format!(
                "missing column; the header has {} (a forecast file in the long layout has unique_id,ds,model,mean,lo-<level>,hi-<level>,...)",
                header.iter().map(|h| format!("'{h}'")).collect::<Vec<_>>().join(", ")
            ),
        )
    };
    let (id, ds, mean) = (
        find("unique_id").ok_or_else(|| missing("unique_id"))?,
        find("ds").ok_or_else(|| missing("ds"))?,
        find("mean").ok_or_else(|| missing("mean"))?,
    );
    let model = find("model");
    // (level, lower column, upper column), in the header's order
    let mut levels = Vec::new();
    for (k, h) in header.iter().enumerate() {
        let Some(level) = h.strip_prefix("lo-") else {
            continue;
        };
        let upper = format!("hi-{level}");
        let value: f64 = level
            .parse()
            .map_err(|_| at(1, h, Some(level), "not a level in percent".into()))?;
        let hi = find(&upper).ok_or_else(|| missing(&upper))?;
        levels.push((value, k, hi));
    }
    let mut out: Vec<ForecastRead> = Vec::new();
    let mut by_id = std::collections::HashMap::new();
    let mut record = csv::StringRecord::new();
    while csv.read_record(&mut record).map_err(io_error)? {
        let line = record.position().map_or(0, |p| p.line());
        let cell = |k: usize| record.get(k).unwrap_or_default();
        let number = |k: usize| -> Result<Option<f64>> {
            let text = cell(k);
            if text.is_empty() {
                return Ok(None);
            }
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(at(line, &header[k], Some(text), "not a number".into())),
            }
        };
        let series_id = cell(id);
        if series_id.is_empty() {
            return Err(at(line, "unique_id", Some(""), "empty series id".into()));
        }
        let point =
            number(mean)?.ok_or_else(|| at(line, "mean", Some(""), "empty value".into()))?;
        let g = *by_id.entry(series_id.to_string()).or_insert_with(|| {
            out.push(ForecastRead {
                id: series_id.to_string(),
                model: model.map(|m| cell(m).to_string()).unwrap_or_default(),
                labels: Vec::new(),
                forecast: Forecast {
                    mean: Vec::new(),
                    intervals: levels
                        .iter()
                        .map(|(level, _, _)| Interval {
                            level: *level,
                            lower: Vec::new(),
                            upper: Vec::new(),
                        })
                        .collect(),
                },
            });
            out.len() - 1
        });
        let f = &mut out[g];
        if f.labels.iter().any(|l| l == cell(ds)) {
            return Err(at(
                line,
                "ds",
                Some(cell(ds)),
                format!("series '{series_id}' has this period twice (a cross-validation file, or several models? plot one forecast per series)"),
            ));
        }
        f.labels.push(cell(ds).to_string());
        f.forecast.mean.push(point);
        for ((_, lo, hi), interval) in levels.iter().zip(&mut f.forecast.intervals) {
            // an empty bound (a method without intervals) becomes NaN and
            // drops the level below
            interval.lower.push(number(*lo)?.unwrap_or(f64::NAN));
            interval.upper.push(number(*hi)?.unwrap_or(f64::NAN));
        }
    }
    if out.is_empty() {
        return Err(Error::File {
            path: name,
            reason: "no data rows".into(),
        });
    }
    for f in &mut out {
        f.forecast
            .intervals
            .retain(|i| i.lower.iter().chain(&i.upper).all(|v| v.is_finite()));
    }
    Ok(out)
}
