//! Long tables as Parquet files, chosen by the `.parquet` extension: read
//! with the checks and messages of the CSV reader ([`LongRows`]; a
//! position is the row number, from 1), and forecasts written with the CSV
//! layout's columns.
//!
//! Ids may be text (also dictionary-encoded, as pandas' categoricals),
//! or integers; periods dates, timestamps at midnight, integers or labels
//! (`2024-01`, `2024Q1`); values any float or integer type. A null is a
//! missing value and an error, never a zero.
//!
//! ```
//! use salesplan::io::{read_long_csv, read_long_csv_from, write_forecasts, Columns};
//! use salesplan::forecast::batch::{forecast_batch, ForecastJob, ModelChoice};
//! let text = "unique_id,ds,y\na,2024-01-01,3\na,2024-02-01,4\na,2024-03-01,5\n";
//! let series = read_long_csv_from(text.as_bytes(), "s.csv".as_ref(), &Columns::default())?;
//! let job = ForecastJob::new(ModelChoice::Naive, 2, vec![80.0], None)?;
//! let outcomes = forecast_batch(&series, &job, &|| {});
//! let dir = tempfile::tempdir().unwrap();
//! let out = dir.path().join("forecasts.parquet");
//! write_forecasts(&out, &[80.0], outcomes.iter().flatten())?;
//! // a forecast file reads back as a long table (its `mean` as the values)
//! let columns = Columns { value: "mean".into(), ..Columns::default() };
//! let back = read_long_csv(&out, &columns)?;
//! assert_eq!(back[0].values(), [5.0, 5.0]);
//! assert_eq!(back[0].label(0), "2024-04-01");
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use chrono::{DateTime, NaiveDate};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};

use crate::error::{Error, Result};
use crate::forecast::frequency::Period;
use crate::forecast::series::Series;

use super::atomic::AtomicFile;
use super::read::{Cell, Columns, LongRows, RowSink};
use super::table::{Column, PeriodType, Table};

fn file_error(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::File {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Reads a long Parquet table into series sorted by id, as
/// [`read_long_csv`](super::read_long_csv) reads a CSV file.
pub fn read_long_parquet(path: &Path, columns: &Columns) -> Result<Vec<Series>> {
    let mut rows = LongRows::new(path, columns);
    parquet_rows(path, columns, &mut rows)?;
    rows.into_series()
}

/// Reads a long Parquet table's rows into `sink` (only the three columns
/// are read); a table without rows is an error.
pub(super) fn parquet_rows(path: &Path, columns: &Columns, sink: &mut dyn RowSink) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| file_error(path, format!("not a readable Parquet file: {e}")))?;
    let schema = builder.schema().clone();
    let wanted = [&columns.id, &columns.date, &columns.value];
    let mut roots = Vec::with_capacity(3);
    for name in wanted {
        let k = schema.index_of(name).map_err(|_| {
            let found: Vec<String> = schema
                .fields()
                .iter()
                .map(|f| format!("'{}'", f.name()))
                .collect();
            Error::Input {
                path: path.to_path_buf(),
                line: 0,
                column: name.to_string(),
                value: None,
                reason: format!("missing column; the table has {}", found.join(", ")),
            }
        })?;
        roots.push(k);
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(64 * 1024)
        .build()
        .map_err(|e| file_error(path, e))?;
    let mut line = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| file_error(path, e))?;
        let column = |name: &str| {
            batch.column_by_name(name).ok_or_else(|| {
                file_error(path, format!("column '{name}' missing from a row group"))
            })
        };
        let ids = Cells::of(column(&columns.id)?, &columns.id, path)?;
        let dates = Cells::of(column(&columns.date)?, &columns.date, path)?;
        let values = Values::of(column(&columns.value)?, &columns.value, path)?;
        for k in 0..batch.num_rows() {
            line += 1;
            let missing = |name: &str| Error::Input {
                path: path.to_path_buf(),
                line,
                column: name.to_string(),
                value: None,
                reason: "missing value (missing values are not supported)".into(),
            };
            let id = ids
                .get(k)
                .map_err(|e| e(line))?
                .ok_or_else(|| missing(&columns.id))?;
            let date = dates
                .get(k)
                .map_err(|e| e(line))?
                .ok_or_else(|| missing(&columns.date))?;
            let value = values.get(k).ok_or_else(|| missing(&columns.value))?;
            if !sink.row(line, &id, &date, Cell::Number(value))? {
                return Ok(());
            }
        }
    }
    if line == 0 {
        return Err(file_error(path, "no data rows"));
    }
    Ok(())
}

/// A column read as text: ids and period labels.
struct Cells<'a> {
    array: &'a ArrayRef,
    name: &'a str,
    path: &'a Path,
    /// A dictionary column's keys as indices into its values, worked out
    /// once per batch.
    keys: Vec<usize>,
}

impl<'a> Cells<'a> {
    fn of(array: &'a ArrayRef, name: &'a str, path: &'a Path) -> Result<Cells<'a>> {
        let supported = matches!(
            array.data_type(),
            DataType::Utf8
                | DataType::LargeUtf8
                | DataType::Utf8View
                | DataType::Date32
                | DataType::Timestamp(..)
                | DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64
        ) || matches!(array.data_type(), DataType::Dictionary(_, v) if matches!(**v, DataType::Utf8 | DataType::LargeUtf8));
        if !supported {
            return Err(file_error(
                path,
                format!(
                    "column '{name}' is of type {}: expected text, dates or integers",
                    array.data_type()
                ),
            ));
        }
        let keys = match array.data_type() {
            DataType::Dictionary(..) => array.as_any_dictionary().normalized_keys(),
            _ => Vec::new(),
        };
        Ok(Cells {
            array,
            name,
            path,
            keys,
        })
    }

    /// Row `k` as text (`None`: null), or the error for a timestamp that
    /// is not a whole day, given the row's line.
    #[allow(clippy::type_complexity)]
    fn get(
        &self,
        k: usize,
    ) -> std::result::Result<Option<Cow<'a, str>>, Box<dyn Fn(u64) -> Error + 'a>> {
        let a = self.array;
        if a.is_null(k) {
            return Ok(None);
        }
        let int = |v: i64| Ok(Some(Cow::Owned(v.to_string())));
        Ok(Some(match a.data_type() {
            DataType::Utf8 => Cow::Borrowed(a.as_string::<i32>().value(k)),
            DataType::LargeUtf8 => Cow::Borrowed(a.as_string::<i64>().value(k)),
            DataType::Utf8View => Cow::Borrowed(a.as_string_view().value(k)),
            DataType::Dictionary(..) => {
                let values = a.as_any_dictionary().values();
                return Cells {
                    array: values,
                    name: self.name,
                    path: self.path,
                    keys: Vec::new(),
                }
                .get(self.keys[k])
                .map(|v| v.map(|c| Cow::Owned(c.into_owned())));
            }
            DataType::Date32 => {
                let days = a.as_primitive::<Date32Type>().value(k);
                Cow::Owned(date_of_days(i64::from(days)).to_string())
            }
            DataType::Timestamp(unit, _) => {
                let raw = timestamp_value(a, k);
                let per_day: i64 = match unit {
                    TimeUnit::Second => 86_400,
                    TimeUnit::Millisecond => 86_400_000,
                    TimeUnit::Microsecond => 86_400_000_000,
                    TimeUnit::Nanosecond => 86_400_000_000_000,
                };
                if raw.rem_euclid(per_day) != 0 {
                    let (name, path) = (self.name.to_string(), self.path.to_path_buf());
                    return Err(Box::new(move |line| Error::Input {
                        path: path.clone(),
                        line,
                        column: name.clone(),
                        value: Some(raw.to_string()),
                        reason: "a time of day: periods are days, weeks, months, quarters or years"
                            .into(),
                    }));
                }
                Cow::Owned(date_of_days(raw.div_euclid(per_day)).to_string())
            }
            DataType::Int8 => return int(a.as_primitive::<Int8Type>().value(k).into()),
            DataType::Int16 => return int(a.as_primitive::<Int16Type>().value(k).into()),
            DataType::Int32 => return int(a.as_primitive::<Int32Type>().value(k).into()),
            DataType::Int64 => return int(a.as_primitive::<Int64Type>().value(k)),
            DataType::UInt8 => return int(a.as_primitive::<UInt8Type>().value(k).into()),
            DataType::UInt16 => return int(a.as_primitive::<UInt16Type>().value(k).into()),
            DataType::UInt32 => return int(a.as_primitive::<UInt32Type>().value(k).into()),
            DataType::UInt64 => {
                return Ok(Some(Cow::Owned(
                    a.as_primitive::<UInt64Type>().value(k).to_string(),
                )))
            }
            _ => return Ok(None),
        }))
    }
}

/// The raw value of row `k` of a timestamp column, in its unit.
fn timestamp_value(a: &ArrayRef, k: usize) -> i64 {
    use arrow_array::types::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    match a.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            a.as_primitive::<TimestampSecondType>().value(k)
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            a.as_primitive::<TimestampMillisecondType>().value(k)
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            a.as_primitive::<TimestampMicrosecondType>().value(k)
        }
        _ => a.as_primitive::<TimestampNanosecondType>().value(k),
    }
}

fn date_of_days(days: i64) -> NaiveDate {
    DateTime::from_timestamp(days * 86_400, 0)
        .map(|t| t.date_naive())
        .unwrap_or(NaiveDate::MIN)
}

/// A column read as numbers: the values.
enum Values<'a> {
    F64(&'a arrow_array::PrimitiveArray<Float64Type>),
    F32(&'a arrow_array::PrimitiveArray<Float32Type>),
    Int(&'a ArrayRef),
}

impl<'a> Values<'a> {
    fn of(array: &'a ArrayRef, name: &str, path: &Path) -> Result<Values<'a>> {
        Ok(match array.data_type() {
            DataType::Float64 => Values::F64(array.as_primitive()),
            DataType::Float32 => Values::F32(array.as_primitive()),
            t if t.is_integer() => Values::Int(array),
            t => {
                return Err(file_error(
                    path,
                    format!("column '{name}' is of type {t}: expected numbers"),
                ))
            }
        })
    }

    fn get(&self, k: usize) -> Option<f64> {
        match self {
            Values::F64(a) => (!a.is_null(k)).then(|| a.value(k)),
            Values::F32(a) => (!a.is_null(k)).then(|| f64::from(a.value(k))),
            Values::Int(a) => {
                if a.is_null(k) {
                    return None;
                }
                Some(match a.data_type() {
                    DataType::Int8 => a.as_primitive::<Int8Type>().value(k).into(),
                    DataType::Int16 => a.as_primitive::<Int16Type>().value(k).into(),
                    DataType::Int32 => a.as_primitive::<Int32Type>().value(k).into(),
                    DataType::Int64 => a.as_primitive::<Int64Type>().value(k) as f64,
                    DataType::UInt8 => a.as_primitive::<UInt8Type>().value(k).into(),
                    DataType::UInt16 => a.as_primitive::<UInt16Type>().value(k).into(),
                    DataType::UInt32 => a.as_primitive::<UInt32Type>().value(k).into(),
                    _ => a.as_primitive::<UInt64Type>().value(k) as f64,
                })
            }
        }
    }
}

/// A period column of `period_type`; a label that is not one (the input
/// changed under a chunked run) is an error, never a made-up period.
fn periods_column(path: &Path, labels: &[String], period_type: PeriodType) -> Result<ArrayRef> {
    let not = |label: &str| {
        file_error(
            path,
            format!("period '{label}' is not a {period_type:?} like the others; the input changed while it was read?"),
        )
    };
    Ok(match period_type {
        PeriodType::Date => {
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
            let days = labels
                .iter()
                .map(|l| match Period::parse(l) {
                    Ok(Period::Date(d, _)) if PeriodType::of_label(l) == PeriodType::Date => {
                        Ok((d - epoch).num_days() as i32)
                    }
                    _ => Err(not(l)),
                })
                .collect::<Result<Vec<i32>>>()?;
            Arc::new(Date32Array::from(days))
        }
        PeriodType::Integer => {
            let ints = labels
                .iter()
                .map(|l| match Period::parse(l) {
                    Ok(Period::Index(i)) => Ok(i),
                    _ => Err(not(l)),
                })
                .collect::<Result<Vec<i64>>>()?;
            Arc::new(Int64Array::from(ints))
        }
        PeriodType::Text => Arc::new(StringArray::from(labels.to_vec())),
    })
}

/// Rows per record batch handed to the Parquet writer, however the tables
/// come: the file's bytes depend only on its rows, not on how a run cut
/// them into tables.
const BATCH_ROWS: usize = 64 * 1024;

/// Tables written one after another into one Parquet file (zstd), put in
/// place by [`finish`](ParquetTables::finish). The schema is fixed by the
/// first table's columns: text columns (the period column typed as
/// given) never null, number columns nullable (undefined cells are nulls).
pub(crate) struct ParquetTables {
    path: std::path::PathBuf,
    period: (String, PeriodType),
    schema: Arc<Schema>,
    writer: ArrowWriter<AtomicFile>,
    /// Rows not yet handed to the writer (fewer than [`BATCH_ROWS`]).
    pending: Table,
}

impl ParquetTables {
    /// Starts the file at `path` with the columns of `like` (its cells are
    /// not written).
    pub(crate) fn create(
        path: &Path,
        like: &Table,
        period: (&str, PeriodType),
    ) -> Result<ParquetTables> {
        let fields: Vec<Field> = like
            .columns
            .iter()
            .map(|(name, column)| match column {
                Column::Text(_) if name == period.0 => {
                    let t = match period.1 {
                        PeriodType::Date => DataType::Date32,
                        PeriodType::Integer => DataType::Int64,
                        PeriodType::Text => DataType::Utf8,
                    };
                    Field::new(name, t, false)
                }
                Column::Text(_) => Field::new(name, DataType::Utf8, false),
                Column::Number(_) => Field::new(name, DataType::Float64, true),
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
            .build();
        let writer = ArrowWriter::try_new(AtomicFile::create(path)?, schema.clone(), Some(props))
            .map_err(|e| file_error(path, e))?;
        Ok(ParquetTables {
            path: path.to_path_buf(),
            period: (period.0.to_string(), period.1),
            schema,
            writer,
            pending: Table {
                columns: like
                    .columns
                    .iter()
                    .map(|(name, column)| {
                        let empty = match column {
                            Column::Text(_) => Column::Text(Vec::new()),
                            Column::Number(_) => Column::Number(Vec::new()),
                        };
                        (name.clone(), empty)
                    })
                    .collect(),
            },
        })
    }

    /// Appends `table`'s rows (its columns those of the first table).
    pub(crate) fn write(&mut self, table: &Table) -> Result<()> {
        for ((_, into), (name, from)) in self.pending.columns.iter_mut().zip(&table.columns) {
            match (into, from) {
                (Column::Text(a), Column::Text(b)) => a.extend(b.iter().cloned()),
                (Column::Number(a), Column::Number(b)) => a.extend(b.iter().copied()),
                _ => {
                    return Err(file_error(
                        &self.path,
                        format!("column '{name}' changed type"),
                    ))
                }
            }
        }
        while self.pending.rows() >= BATCH_ROWS {
            let rest = Table {
                columns: self
                    .pending
                    .columns
                    .iter_mut()
                    .map(|(name, column)| {
                        let tail = match column {
                            Column::Text(v) => Column::Text(v.split_off(BATCH_ROWS)),
                            Column::Number(v) => Column::Number(v.split_off(BATCH_ROWS)),
                        };
                        (name.clone(), tail)
                    })
                    .collect(),
            };
            let head = std::mem::replace(&mut self.pending, rest);
            self.write_batch(&head)?;
        }
        Ok(())
    }

    fn write_batch(&mut self, table: &Table) -> Result<()> {
        let arrays = table
            .columns
            .iter()
            .map(|(name, column)| -> Result<ArrayRef> {
                Ok(match column {
                    Column::Text(values) if *name == self.period.0 => {
                        periods_column(&self.path, values, self.period.1)?
                    }
                    Column::Text(values) => Arc::new(StringArray::from(values.clone())),
                    Column::Number(values) => Arc::new(Float64Array::from(values.clone())),
                })
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| file_error(&self.path, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| file_error(&self.path, e))
    }

    /// Writes the rows held and the footer, and puts the file in place.
    pub(crate) fn finish(mut self) -> Result<()> {
        if self.pending.rows() > 0 {
            let last = std::mem::take(&mut self.pending);
            self.write_batch(&last)?;
        }
        let file = self
            .writer
            .into_inner()
            .map_err(|e| file_error(&self.path, e))?;
        file.commit()
    }
}
