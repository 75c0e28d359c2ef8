//! A table that an earlier run wrote (a plan summary, a sweep's tables, a
//! track status), read back by its header: named text columns as text,
//! every other column as numbers, each row with its line for errors.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::format::{cell_error, csv_file_error, csv_with_headers};
use super::table::{Column, Table};

/// A table read from a CSV file: its columns, the file and each row's line.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRead {
    pub path: PathBuf,
    pub table: Table,
    /// The line of each row (the header is line 1).
    pub lines: Vec<u64>,
}

impl TableRead {
    /// The text column `name`, if the file has it as text.
    pub fn text(&self, name: &str) -> Option<&[String]> {
        self.table.columns.iter().find_map(|(n, c)| match c {
            Column::Text(v) if n == name => Some(v.as_slice()),
            _ => None,
        })
    }

    /// The number column `name`, if the file has it.
    pub fn numbers(&self, name: &str) -> Option<&[Option<f64>]> {
        self.table.columns.iter().find_map(|(n, c)| match c {
            Column::Number(v) if n == name => Some(v.as_slice()),
            _ => None,
        })
    }

    /// The column names, in the file's order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.table.columns.iter().map(|(n, _)| n.as_str())
    }

    /// The error for row `row`'s cell in `column` holding `value`.
    pub fn error_at(&self, row: usize, column: &str, value: &str, reason: String) -> Error {
        cell_error(&self.path, self.lines.get(row).copied().unwrap_or(0))(column, value, reason)
    }

    /// A problem with the file as a whole.
    pub fn file_error(&self, reason: String) -> Error {
        Error::File {
            path: self.path.clone(),
            reason,
        }
    }
}

/// One row of a table being read: its line and its cells by column.
#[derive(Debug)]
pub struct Row<'a> {
    pub line: u64,
    record: &'a csv::StringRecord,
    path: &'a Path,
}

impl Row<'_> {
    /// The cell of column `k` of the header (empty when the row is short).
    pub fn get(&self, k: usize) -> &str {
        self.record.get(k).unwrap_or_default()
    }

    /// The error for this row's cell in `column` holding `value`.
    pub fn error(&self, column: &str, value: &str, reason: String) -> Error {
        cell_error(self.path, self.line)(column, value, reason)
    }
}

type CsvReader = csv::Reader<Box<dyn std::io::Read>>;

/// A CSV table opened: its reader, header and name for errors, the header
/// checked for the `required` columns.
fn open_table(path: &Path, required: &[&str]) -> Result<(CsvReader, Vec<String>, PathBuf)> {
    if super::is_parquet(path) {
        return Err(Error::File {
            path: path.to_path_buf(),
            reason: "read back from CSV only (the commands write these tables as CSV)".into(),
        });
    }
    let (reader, name) = super::open_input(path)?;
    let (csv, header) = csv_with_headers(reader, &name)?;
    if let Some(missing) = required.iter().find(|r| !header.iter().any(|h| h == *r)) {
        return Err(Error::File {
            path: name,
            reason: format!(
                "missing column '{missing}'; the header has {}",
                header
                    .iter()
                    .map(|h| format!("'{h}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok((csv, header, name))
}

/// Calls `row` on each row of `csv`, one record buffer for all.
fn each_row(
    csv: &mut CsvReader,
    name: &Path,
    mut row: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(csv_file_error(e, name)),
        }
        let line = record.position().map_or(0, |p| p.line());
        row(&Row {
            line,
            record: &record,
            path: name,
        })?;
    }
}

/// Reads the CSV table at `path` (`-`: standard input) row by row without
/// keeping it, for large tables of which a caller keeps a little: checks
/// that the header has the `required` columns (an error lists what it
/// holds), then calls `row` on each row with the header.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("t.csv");
/// std::fs::write(&path, "scenario,value\na,1\nb,2\n").unwrap();
/// let mut sum = 0.0;
/// salesplan::io::for_each_row(&path, &["value"], |header, row| {
///     let k = header.iter().position(|h| h == "value").unwrap();
///     sum += row.get(k).parse::<f64>().unwrap();
///     Ok(())
/// })?;
/// assert_eq!(sum, 3.0);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn for_each_row(
    path: &Path,
    required: &[&str],
    mut row: impl FnMut(&[String], &Row) -> Result<()>,
) -> Result<()> {
    let (mut csv, header, name) = open_table(path, required)?;
    each_row(&mut csv, &name, |r| row(&header, r))
}

/// Reads the CSV table at `path` (`-`: standard input). `required` names
/// the columns it must have (an error lists what the header holds);
/// `text` the columns kept as text; every other cell must be a finite
/// number or empty (`None`: undefined, never a zero), else the error names
/// the line, column and value.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("s.csv");
/// std::fs::write(&path, "node_id,target,growth\n华东,1200,0.1\nb,800,\n").unwrap();
/// let t = salesplan::io::read_table(&path, &["node_id", "target"], &["node_id"])?;
/// assert_eq!(t.text("node_id").unwrap(), ["华东", "b"]);
/// assert_eq!(t.numbers("growth").unwrap(), [Some(0.1), None]);
///
/// std::fs::write(&path, "node_id,target\nb,lots\n").unwrap();
/// let err = salesplan::io::read_table(&path, &["node_id"], &["node_id"]).unwrap_err();
/// assert!(err.to_string().ends_with("s.csv:2: column 'target': not a number (value 'lots')"));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn read_table(path: &Path, required: &[&str], text: &[&str]) -> Result<TableRead> {
    let (mut csv, header, name) = open_table(path, required)?;
    let mut columns: Vec<Column> = header
        .iter()
        .map(|h| {
            if text.contains(&h.as_str()) {
                Column::Text(Vec::new())
            } else {
                Column::Number(Vec::new())
            }
        })
        .collect();
    let mut lines = Vec::new();
    each_row(&mut csv, &name, |row| {
        for (k, column) in columns.iter_mut().enumerate() {
            let cell = row.get(k);
            match column {
                Column::Text(v) => v.push(cell.to_string()),
                Column::Number(v) if cell.is_empty() => v.push(None),
                Column::Number(v) => match cell.parse::<f64>() {
                    Ok(x) if x.is_finite() => v.push(Some(x)),
                    _ => return Err(row.error(&header[k], cell, "not a number".into())),
                },
            }
        }
        lines.push(row.line);
        Ok(())
    })?;
    Ok(TableRead {
        path: name,
        table: Table {
            columns: header.into_iter().zip(columns).collect(),
        },
        lines,
    })
}
