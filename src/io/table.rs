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

use super::format::push_number;

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
    /// (the column named `period` typed as dates or integers where every
    /// label is one), else CSV (numbers in the shortest form that reads
    /// back exactly).
    pub fn write(&self, path: &Path, period: &str) -> Result<()> {
        if super::is_parquet(path) {
            return write_parquet(self, path, period);
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
fn write_parquet(table: &Table, path: &Path, period: &str) -> Result<()> {
    super::parquet::write_parquet(path, period, table)
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(_table: &Table, path: &Path, _period: &str) -> Result<()> {
    Err(crate::Error::File {
        path: path.to_path_buf(),
        reason: "this salesplan was built without Parquet support (feature parquet)".into(),
    })
}
