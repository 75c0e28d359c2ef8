//! Allocation across time: phasing annual targets into periods, balancing
//! an org × period table to both of its margins, and rounding it to a
//! currency unit with every row and column total kept exact.
//!
//! The three steps, for one parent and its children:
//!
//! 1. [`phase`]: each child's annual target is spread over the plan year's
//!    periods by its seasonal profile (its own history, or its parent's
//!    profile when it has too little) — the *seed* table.
//! 2. [`balance`]: the seed is scaled (bi-proportional fitting) so that
//!    each row sums to the child's annual target and each column to the
//!    parent's target for that period.
//! 3. [`round`]: the balanced table is rounded to whole currency units
//!    keeping every row and column total exact (controlled rounding).
//!
//! ```
//! use salesplan::allocate_time::{balance, round, Table};
//! // two reps (annual 600 and 400) over three months whose parent targets
//! // are 300, 300, 400; the seed is each rep's phased target
//! let seed = Table::new(2, 3, vec![150.0, 200.0, 250.0, 150.0, 100.0, 150.0])?;
//! let balanced = balance::balance(&seed, &[600.0, 400.0], &[300.0, 300.0, 400.0],
//!     None, &balance::BalanceOptions::default())?;
//! let rounded = round::round_table(&balanced.table, 1.0)?;
//! assert_eq!(rounded.row_sums(), vec![600.0, 400.0]);
//! assert_eq!(rounded.column_sums(), vec![300.0, 300.0, 400.0]);
//! # Ok::<(), salesplan::Error>(())
//! ```

pub mod balance;
pub mod phase;
pub mod round;

use crate::error::{Error, Result};

/// A dense row-major table of `rows × columns` finite values (rows: org
/// nodes, columns: periods).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    rows: usize,
    columns: usize,
    values: Vec<f64>,
}

impl Table {
    /// A table from row-major values; fails unless `values.len() == rows *
    /// columns` and every value is finite.
    pub fn new(rows: usize, columns: usize, values: Vec<f64>) -> Result<Table> {
        if rows.checked_mul(columns) != Some(values.len()) {
            return Err(Error::InvalidParameter {
                name: "table",
                reason: format!(
                    "{} values do not fill {rows} rows × {columns} columns",
                    values.len()
                ),
            });
        }
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "table",
                reason: format!(
                    "value at row {}, column {} is not finite ({})",
                    index / columns.max(1),
                    index % columns.max(1),
                    values[index]
                ),
            });
        }
        Ok(Table {
            rows,
            columns,
            values,
        })
    }

    /// A table of zeros.
    pub fn zeros(rows: usize, columns: usize) -> Table {
        Table {
            rows,
            columns,
            values: vec![0.0; rows * columns],
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// All values, row-major.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The value at `(row, column)`; panics when out of range, like slice
    /// indexing.
    pub fn get(&self, row: usize, column: usize) -> f64 {
        self.values[row * self.columns + column]
    }

    /// One row.
    pub fn row(&self, row: usize) -> &[f64] {
        &self.values[row * self.columns..(row + 1) * self.columns]
    }

    /// Row sums (sequential, left to right).
    pub fn row_sums(&self) -> Vec<f64> {
        (0..self.rows).map(|i| self.row(i).iter().sum()).collect()
    }

    /// Column sums (sequential, top to bottom).
    pub fn column_sums(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.columns];
        for i in 0..self.rows {
            for (o, v) in out.iter_mut().zip(self.row(i)) {
                *o += v;
            }
        }
        out
    }

    /// Consumes the table, returning its row-major values.
    pub fn into_values(self) -> Vec<f64> {
        self.values
    }
}
