//! Allocation across time: phasing annual targets into periods, balancing
//! an org × period table to both of its margins, and rounding it to a
//! currency unit with every row and column total kept exact.
//!
//! The three steps, for one parent and its children:
//!
//! 1. [`profile`]: each child's annual target is spread over the plan year's
//!    periods by its seasonal profile (its own history, or its parent's
//!    profile when it has too little) — the *seed* table.
//! 2. [`balance`]: the seed is scaled (bi-proportional fitting) so that
//!    each row sums to the child's annual target and each column to the
//!    parent's target for that period.
//! 3. [`round`]: the balanced table is rounded to whole currency units
//!    keeping every row and column total exact (controlled rounding).
//!
//! ```
//! use salesplan::plan::phasing::{balance, round, Table};
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
pub mod profile;
pub mod round;
mod tree;

pub use tree::{phase_tree, TreePhasing};

use chrono::NaiveDate;

use crate::error::{Error, Result};
use balance::{BalanceOptions, Bounds};
use profile::{MonthProfile, Phaser};

/// One child of a parent block: its annual target, seasonal profile and
/// active days (start and end inclusive; `None`: unbounded).
#[derive(Debug, Clone, PartialEq)]
pub struct ChildTarget {
    /// The child's target for the plan year.
    pub annual: f64,
    /// Its seasonal profile (its own or its parent's).
    pub profile: MonthProfile,
    /// First active day, for a new hire.
    pub start: Option<NaiveDate>,
    /// Last active day, for a leaver.
    pub end: Option<NaiveDate>,
}

/// Settings of [`plan_block`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlanOptions {
    /// Balancing tolerance and iteration cap.
    pub balance: BalanceOptions,
    /// Currency unit to round to (`None`: no rounding).
    pub unit: Option<f64>,
}

/// One parent's children × periods table: each child's annual target
/// phased over its active days by its profile ([`Phaser::phase_active`]),
/// balanced so that rows sum to the annual targets and columns to
/// `parent_periods` with cells outside each child's active days fixed at
/// zero ([`balance::balance`]), then rounded to exactly these totals
/// ([`round::round_table_to`]) when a unit is given (the annual and parent
/// targets must then be multiples of it). Blocks of different parents are independent: run them
/// in parallel.
///
/// ```
/// use chrono::NaiveDate;
/// use salesplan::plan::phasing::{plan_block, ChildTarget, PlanOptions};
/// use salesplan::plan::phasing::profile::{MonthProfile, Phaser};
/// use salesplan::plan::calendar::PlanningCalendar;
/// let phaser = Phaser::new(&PlanningCalendar::monthly().periods(2027)?);
/// let flat = MonthProfile::flat();
/// let children = [
///     ChildTarget { annual: 12_000.0, profile: flat, start: None, end: None },
///     // leaves on June 30th
///     ChildTarget { annual: 6_000.0, profile: flat, start: None, end: NaiveDate::from_ymd_opt(2027, 6, 30) },
/// ];
/// let parent = [1_500.0; 12];
/// let t = plan_block(&phaser, &children, &parent, &PlanOptions { unit: Some(100.0), ..Default::default() })?;
/// assert_eq!(t.row_sums(), vec![12_000.0, 6_000.0]);
/// assert_eq!(t.column_sums(), vec![1_500.0; 12]);
/// assert_eq!(t.get(1, 6), 0.0); // nothing for the leaver in July
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn plan_block(
    phaser: &Phaser,
    children: &[ChildTarget],
    parent_periods: &[f64],
    options: &PlanOptions,
) -> Result<Table> {
    let (n, m) = (children.len(), phaser.len());
    if parent_periods.len() != m {
        return Err(Error::InvalidParameter {
            name: "parent_periods",
            reason: format!("{} parent targets for {m} periods", parent_periods.len()),
        });
    }
    let mut seed = Vec::with_capacity(n * m);
    let mut bounds = Bounds::new(n, m);
    let mut bounded = false;
    for (i, c) in children.iter().enumerate() {
        if !c.annual.is_finite() {
            return Err(Error::InvalidParameter {
                name: "annual",
                reason: format!("child {i}: annual target is {}", c.annual),
            });
        }
        if c.start.is_some() || c.end.is_some() {
            seed.extend(phaser.phase_active(c.annual, &c.profile, c.start, c.end));
            bounds.zero_outside(i, phaser.periods(), c.start, c.end)?;
            bounded = true;
        } else {
            let at = seed.len();
            seed.resize(at + m, 0.0);
            phaser.phase_into(c.annual, &c.profile, &mut seed[at..]);
        }
    }
    let rows: Vec<f64> = children.iter().map(|c| c.annual).collect();
    balance_block(
        Table::new(n, m, seed)?,
        &rows,
        parent_periods,
        bounded.then_some(&bounds),
        options,
    )
}

/// The second half of [`plan_block`], from a phased seed table: balanced to
/// `rows` and `columns` within `bounds`, then rounded when a unit is given.
fn balance_block(
    seed: Table,
    rows: &[f64],
    columns: &[f64],
    bounds: Option<&Bounds>,
    options: &PlanOptions,
) -> Result<Table> {
    let balanced = balance::balance(&seed, rows, columns, bounds, &options.balance)?;
    match options.unit {
        Some(unit) => round::round_table_to(&balanced.table, rows, columns, unit),
        None => Ok(balanced.table),
    }
}

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
