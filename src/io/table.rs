//! A table of named columns, text or numbers, written as CSV or (by the
//! `.parquet` extension) Parquet: what the writers build once and every
//! output form (files, the Python package) takes.
//!
//! ```
//! use salesplan::io::{Column, Table};
//! let table = Table {
//!     columns: vec![
//!         ("unique_id".into(), Column::Text(vec!["a".into(), "b".into()])),
//!         ("mean".into(), Column::Number(vec![Some(1.5), None])),
//!     ],
//! };
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("t.csv");
//! table.write(&path, "ds")?;
//! assert_eq!(std::fs::read_to_string(&path).unwrap(), "unique_id,mean\na,1.5\nb,\n");
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::path::Path;

use crate::error::Result;
use crate::forecast::frequency::{DateStyle, Period};

use super::format::push_number;

/// How a Parquet file types a table's period column: dates when every
/// label is a `YYYY-MM-DD` date, integers when every one is an integer,
/// else text (`2024-01`, `2024Q1`, or a mix).
///
/// ```
/// use salesplan::io::PeriodType;
/// assert_eq!(PeriodType::of_labels(["2024-01-01", "2024-02-01"]), PeriodType::Date);
/// assert_eq!(PeriodType::of_labels(["1", "2"]), PeriodType::Integer);
/// assert_eq!(PeriodType::of_labels(["2024-01", "2"]), PeriodType::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodType {
    Date,
    Integer,
    Text,
}

impl PeriodType {
    /// The type of one label.
    pub fn of_label(label: &str) -> PeriodType {
        match Period::parse(label) {
            Ok(Period::Date(_, DateStyle::Day)) => PeriodType::Date,
            Ok(Period::Index(_)) => PeriodType::Integer,
            _ => PeriodType::Text,
        }
    }

    /// The type of a column of `self` labels and `other` labels.
    pub fn and(self, other: PeriodType) -> PeriodType {
        if self == other {
            self
        } else {
            PeriodType::Text
        }
    }

    /// The type of the period column of forecasts of `series`: their
    /// labels' kind (text when there are none).
    pub fn of_series(series: &[crate::forecast::series::Series]) -> PeriodType {
        series
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| PeriodType::of_label(&s.label(0)))
            .reduce(PeriodType::and)
            .unwrap_or(PeriodType::Text)
    }

    /// The type of a column of these labels (text when there are none).
    pub fn of_labels<'a>(labels: impl IntoIterator<Item = &'a str>) -> PeriodType {
        labels
            .into_iter()
            .map(PeriodType::of_label)
            .reduce(PeriodType::and)
            .unwrap_or(PeriodType::Text)
    }
}

/// One column's cells.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Text(Vec<String>),
    /// `None`: undefined (an empty CSV cell, a Parquet null; never a zero).
    Number(Vec<Option<f64>>),
}

impl Column {
    /// The number of cells.
    pub fn len(&self) -> usize {
        match self {
            Column::Text(v) => v.len(),
            Column::Number(v) => v.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<(String, Column)>,
}

impl Table {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    /// Writes the table atomically: Parquet when `path` ends in `.parquet`
    /// (the column named `period` typed by [`PeriodType::of_labels`]), else
    /// CSV (numbers in the shortest form that reads back exactly).
    pub fn write(&self, path: &Path, period: &str) -> Result<()> {
        if super::is_parquet(path) {
            let labels = self.columns.iter().find(|(name, _)| name == period);
            let period_type = match labels {
                Some((_, Column::Text(labels))) => {
                    PeriodType::of_labels(labels.iter().map(String::as_str))
                }
                _ => PeriodType::Text,
            };
            return write_parquet(self, path, (period, period_type));
        }
        super::write::write_csv(path, |csv| {
            csv.write_record(self.columns.iter().map(|(name, _)| name.as_str()))?;
            let mut number = Vec::with_capacity(24);
            for r in 0..self.rows() {
                for (_, column) in &self.columns {
                    match column {
                        Column::Text(v) => csv.write_field(&v[r])?,
                        Column::Number(v) => {
                            number.clear();
                            if let Some(x) = v[r] {
                                push_number(&mut number, x, None);
                            }
                            csv.write_field(&number)?;
                        }
                    }
                }
                csv.write_record(None::<&[u8]>)?;
            }
            Ok(())
        })
    }
}

#[cfg(feature = "parquet")]
fn write_parquet(table: &Table, path: &Path, period: (&str, PeriodType)) -> Result<()> {
    let mut file = super::parquet::ParquetTables::create(path, table, period)?;
    file.write(table)?;
    file.finish()
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(_table: &Table, path: &Path, _period: (&str, PeriodType)) -> Result<()> {
    Err(crate::Error::File {
        path: path.to_path_buf(),
        reason: "this salesplan was built without Parquet support (feature parquet)".into(),
    })
}
