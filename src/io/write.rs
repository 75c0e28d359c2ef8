//! Writing forecasts and per-series reports as long CSV.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::forecast::batch::{SeriesForecast, SeriesOutcome};
use crate::forecast::models::Forecast;

use super::atomic::{write_atomically, AtomicFile};
use super::format::format_amount;
use super::table::{Column, PeriodType, Table};

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
/// A `.parquet` path is written as Parquet, with the same columns.
pub fn write_forecasts<'a>(
    path: &Path,
    levels: &[f64],
    forecasts: impl IntoIterator<Item = &'a SeriesForecast>,
) -> Result<()> {
    write_all(path, levels, None, forecasts)
}

/// A [`ForecastWriter`] given every forecast at once.
fn write_all<'a>(
    path: &Path,
    levels: &[f64],
    wide: Option<&str>,
    forecasts: impl IntoIterator<Item = &'a SeriesForecast>,
) -> Result<()> {
    let sorted = checked_and_sorted(levels, forecasts)?;
    let labels = sorted
        .iter()
        .flat_map(|f| f.labels.iter().map(String::as_str));
    let mut writer = ForecastWriter::create(path, levels, wide, PeriodType::of_labels(labels))?;
    writer.write_sorted(&sorted)?;
    writer.finish()
}

/// Forecasts written to one file a batch at a time, as [`write_forecasts`]
/// (`wide` `None`) or [`write_forecasts_wide`] (`wide`: the model's name)
/// write them all at once, and put in place by
/// [`finish`](ForecastWriter::finish): how a run too large to hold in memory
/// writes its output. Each batch's ids must come after the last batch's.
///
/// ```
/// use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
/// use salesplan::io::{read_long_csv_from, Columns, ForecastWriter, PeriodType};
/// let text = "unique_id,ds,y\na,1,3\na,2,4\nb,1,5\nb,2,6\n";
/// let series = read_long_csv_from(text.as_bytes(), "s.csv".as_ref(), &Columns::default())?;
/// let job = ForecastJob::new(ModelChoice::Naive, 1, vec![], None)?;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("f.csv");
/// let mut writer = ForecastWriter::create(&path, &[], None, PeriodType::Integer)?;
/// for chunk in series.chunks(1) {
///     let outcomes = forecast_batch(chunk, &job, &|| {});
///     writer.write(outcomes.iter().flatten())?;
/// }
/// writer.finish()?;
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "unique_id,ds,model,mean\na,3,Naive,4\nb,3,Naive,6\n");
/// # Ok::<(), salesplan::Error>(())
/// ```
pub struct ForecastWriter {
    path: PathBuf,
    levels: Vec<f64>,
    wide: Option<(String, WideColumns)>,
    out: TableOut,
    last: Option<String>,
}

/// Where a writer of tables writes: CSV (the header written) or Parquet.
enum TableOut {
    Csv(csv::Writer<AtomicFile>),
    #[cfg(feature = "parquet")]
    Parquet(super::parquet::ParquetTables),
}

impl TableOut {
    /// Starts `path` with the columns of `like`; Parquet by the extension
    /// (with `period`: the period column's name and type).
    fn create(path: &Path, like: &Table, period: (&str, PeriodType)) -> Result<TableOut> {
        if super::is_parquet(path) {
            #[cfg(feature = "parquet")]
            return Ok(TableOut::Parquet(super::parquet::ParquetTables::create(
                path, like, period,
            )?));
            #[cfg(not(feature = "parquet"))]
            return Err(Error::File {
                path: path.to_path_buf(),
                reason: "this salesplan was built without Parquet support (feature parquet)".into(),
            });
        }
        let _ = period;
        let mut csv = csv::Writer::from_writer(AtomicFile::create(path)?);
        csv.write_record(like.columns.iter().map(|(name, _)| name.as_str()))
            .map_err(|e| csv_error(path, e))?;
        Ok(TableOut::Csv(csv))
    }

    fn finish(self, path: &Path) -> Result<()> {
        match self {
            TableOut::Csv(csv) => csv
                .into_inner()
                .map_err(|e| csv_error(path, e.into_error().into()))?
                .commit(),
            #[cfg(feature = "parquet")]
            TableOut::Parquet(file) => file.finish(),
        }
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

impl ForecastWriter {
    /// Starts writing `path`; `periods`: the type of the period labels
    /// (for Parquet).
    pub fn create(
        path: &Path,
        levels: &[f64],
        wide: Option<&str>,
        periods: PeriodType,
    ) -> Result<ForecastWriter> {
        let like = forecasts_table(levels, &[], wide);
        Ok(ForecastWriter {
            path: path.to_path_buf(),
            levels: levels.to_vec(),
            wide: wide.map(|model| (model.to_string(), WideColumns::new(levels))),
            out: TableOut::create(path, &like, ("ds", periods))?,
            last: None,
        })
    }

    /// Writes a batch of forecasts (sorted by id here; every id after the
    /// previous batch's).
    pub fn write<'a>(
        &mut self,
        forecasts: impl IntoIterator<Item = &'a SeriesForecast>,
    ) -> Result<()> {
        let sorted = checked_and_sorted(&self.levels, forecasts)?;
        self.write_sorted(&sorted)
    }

    fn write_sorted(&mut self, sorted: &[&SeriesForecast]) -> Result<()> {
        let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
            return Ok(());
        };
        if let Some(before) = &self.last {
            if first.id.as_bytes() <= before.as_bytes() {
                return Err(Error::InvalidParameter {
                    name: "forecasts",
                    reason: format!(
                        "series '{}' written after '{before}': batches must come in id order",
                        first.id
                    ),
                });
            }
        }
        self.last = Some(last.id.clone());
        match &mut self.out {
            TableOut::Csv(csv) => {
                let written = match &self.wide {
                    Some((_, columns)) => wide_rows(csv, columns, sorted),
                    None => long_rows(csv, self.levels.len(), sorted),
                };
                written.map_err(|e| csv_error(&self.path, e))
            }
            #[cfg(feature = "parquet")]
            TableOut::Parquet(file) => {
                let wide = self.wide.as_ref().map(|(model, _)| model.as_str());
                file.write(&forecasts_table(&self.levels, sorted, wide))
            }
        }
    }

    /// Puts the file in place.
    pub fn finish(self) -> Result<()> {
        self.out.finish(&self.path)
    }
}

/// The long layout's rows of `sorted`.
fn long_rows<W: Write>(
    csv: &mut csv::Writer<W>,
    levels: usize,
    sorted: &[&SeriesForecast],
) -> csv::Result<()> {
    let mut row: Vec<String> = Vec::with_capacity(4 + 2 * levels);
    for f in sorted {
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
                row.resize(row.len() + 2 * levels, String::new());
            }
            csv.write_record(&row)?;
        }
    }
    Ok(())
}

/// The wide layout's rows of `sorted`.
fn wide_rows<W: Write>(
    csv: &mut csv::Writer<W>,
    columns: &WideColumns,
    sorted: &[&SeriesForecast],
) -> csv::Result<()> {
    let mut row: Vec<String> = Vec::new();
    for f in sorted {
        for (t, label) in f.labels.iter().enumerate() {
            row.clear();
            row.push(f.id.clone());
            row.push(label.clone());
            columns.push_cells(Some(&f.forecast), t, &mut row);
            csv.write_record(&row)?;
        }
    }
    Ok(())
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
    write_all(path, levels, Some(model), forecasts)
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
    let mut report = ReportWriter::create(path)?;
    report.write(outcomes)?;
    report.finish()
}

/// The report of [`write_report`] written a batch of series at a time,
/// put in place by [`finish`](ReportWriter::finish); each batch's ids come
/// after the last batch's.
pub struct ReportWriter {
    path: PathBuf,
    csv: csv::Writer<AtomicFile>,
    last: Option<String>,
}

impl ReportWriter {
    /// Starts writing `path` (CSV).
    pub fn create(path: &Path) -> Result<ReportWriter> {
        super::atomic::refuse_parquet(path)?;
        let mut csv = csv::Writer::from_writer(AtomicFile::create(path)?);
        csv.write_record([
            "unique_id",
            "status",
            "model",
            "n_obs",
            "aicc",
            "reason",
            "chosen",
            "warning",
        ])
        .map_err(|e| csv_error(path, e))?;
        Ok(ReportWriter {
            path: path.to_path_buf(),
            csv,
            last: None,
        })
    }

    /// Writes a batch's rows, sorted by id.
    pub fn write(&mut self, outcomes: &[SeriesOutcome]) -> Result<()> {
        let mut sorted: Vec<&SeriesOutcome> = outcomes.iter().collect();
        sorted.sort_by(|a, b| id_of(a).cmp(id_of(b)));
        let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
            return Ok(());
        };
        if let Some(before) = &self.last {
            if id_of(first).as_bytes() <= before.as_bytes() {
                return Err(Error::InvalidParameter {
                    name: "report",
                    reason: format!(
                        "series '{}' written after '{before}': batches must come in id order",
                        id_of(first)
                    ),
                });
            }
        }
        self.last = Some(id_of(last).to_string());
        let csv = &mut self.csv;
        let rows = || -> csv::Result<()> {
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
        };
        rows().map_err(|e| csv_error(&self.path, e))
    }

    /// Puts the file in place.
    pub fn finish(self) -> Result<()> {
        TableOut::Csv(self.csv).finish(&self.path)
    }
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
    write_atomically(path, |out| {
        let mut csv = csv::Writer::from_writer(out);
        fill(&mut csv).map_err(|e| csv_error(path, e))?;
        super::format::flush_csv(&mut csv, path)
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

    #[test]
    fn batches_out_of_id_order_are_refused_and_nothing_is_put_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let mut writer = ForecastWriter::create(&path, &[97.5], None, PeriodType::Text).unwrap();
        writer.write([&forecast("b")]).unwrap();
        let err = writer.write([&forecast("a")]).unwrap_err().to_string();
        assert!(err.contains("series 'a' written after 'b'"), "{err}");
        drop(writer);
        let mut report = ReportWriter::create(&path).unwrap();
        report.write(&[Ok(forecast("b"))]).unwrap();
        assert!(report.write(&[Ok(forecast("b"))]).is_err());
        drop(report);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
