//! Bi-proportional balancing (RAS / iterative proportional fitting) of an
//! org × period table to its row and column totals, with cell bounds.
//!
//! The result has the form `x_ij = clamp(a_i · b_j · s_ij, l_ij, u_ij)` for
//! the seed `s`: each row and each column of the seed is scaled by one
//! factor, which keeps the seed's pattern (the phasing) as far as the
//! margins allow. Without bounds this is the classic RAS solution, the
//! table of the given margins closest to the seed in Kullback–Leibler
//! divergence. The factors are found by alternately fitting rows and
//! columns; a row (column) fit with bounds solves `Σ_j clamp(a·s_j, l_j,
//! u_j) = r` exactly by a walk over the sorted breakpoints. Bounds that bind
//! can make the fitting crawl; if it has not converged at the iteration
//! cap and the problem is feasible, the remaining row and column errors are
//! carried through the table by a flow of small adjustments within the
//! bounds (found by proptest: a feasible 3 × 8 table still 6e-6 off after
//! 10,000 sweeps).
//!
//! Zero seeds: a seed cell of zero stays at its lower bound (a structural
//! zero). A row with a positive target whose seed is zero everywhere it is
//! allowed to be positive takes the column totals as its seed (it follows
//! its parent's phasing); likewise a column takes the row totals.
//! Rows and columns with a zero total become zero.

use chrono::NaiveDate;

use super::Table;
use crate::error::{Error, Result};
use crate::plan::calendar::PlanningPeriod;

/// Stopping rule for [`balance`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BalanceOptions {
    /// Stop when the largest row or column error, relative to the grand
    /// total, is at most this (default 1e-12).
    pub tolerance: f64,
    /// Give up after this many row-and-column sweeps (default 10,000); a
    /// table then within [`ACCEPTABLE`] of the margins is still returned.
    pub max_iterations: usize,
}

impl Default for BalanceOptions {
    fn default() -> Self {
        BalanceOptions {
            tolerance: 1e-12,
            max_iterations: 10_000,
        }
    }
}

/// The largest relative margin error accepted when the sweeps reach
/// [`BalanceOptions::max_iterations`] without meeting the tolerance.
pub const ACCEPTABLE: f64 = 1e-9;

/// Lower and upper bounds for each cell (row-major). Unbounded cells have
/// `0` and `f64::INFINITY`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    rows: usize,
    columns: usize,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Bounds {
    /// Bounds `[0, ∞)` for every cell.
    pub fn new(rows: usize, columns: usize) -> Bounds {
        Bounds {
            rows,
            columns,
            lower: vec![0.0; rows * columns],
            upper: vec![f64::INFINITY; rows * columns],
        }
    }

    /// Sets the bounds of one cell; fails unless `0 <= lower <= upper` and
    /// the cell exists.
    pub fn set(&mut self, row: usize, column: usize, lower: f64, upper: f64) -> Result<()> {
        if row >= self.rows || column >= self.columns {
            return Err(Error::InvalidParameter {
                name: "bounds",
                reason: format!(
                    "cell ({row}, {column}) is outside the {} × {} table",
                    self.rows, self.columns
                ),
            });
        }
        if !(lower.is_finite() && lower >= 0.0 && upper >= lower) {
            return Err(Error::InvalidParameter {
                name: "bounds",
                reason: format!(
                    "cell ({row}, {column}): need 0 <= lower <= upper, got [{lower}, {upper}]"
                ),
            });
        }
        let k = row * self.columns + column;
        self.lower[k] = lower;
        self.upper[k] = upper;
        Ok(())
    }

    /// Fixes to zero the cells of `row` whose period has no day from
    /// `start` to `end` (both inclusive; `None`: unbounded): a new hire's
    /// periods before the start date, a leaver's after the last day.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use salesplan::plan::phasing::balance::Bounds;
    /// use salesplan::plan::calendar::PlanningCalendar;
    /// let months = PlanningCalendar::monthly().periods(2027)?;
    /// let mut b = Bounds::new(1, 12);
    /// b.zero_outside(0, &months, None, NaiveDate::from_ymd_opt(2027, 3, 1))?;
    /// assert_eq!(b.upper(0, 2), f64::INFINITY); // works March 1st
    /// assert_eq!(b.upper(0, 3), 0.0);
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn zero_outside(
        &mut self,
        row: usize,
        periods: &[PlanningPeriod],
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<()> {
        if periods.len() != self.columns {
            return Err(Error::InvalidParameter {
                name: "periods",
                reason: format!("{} periods for {} columns", periods.len(), self.columns),
            });
        }
        for (j, p) in periods.iter().enumerate() {
            let before = start.is_some_and(|s| s >= p.end);
            let after = end.is_some_and(|e| e < p.start);
            if before || after {
                self.set_zero(row, j)?;
            }
        }
        Ok(())
    }

    /// Lower bound of a cell (panics when out of range).
    pub fn lower(&self, row: usize, column: usize) -> f64 {
        self.lower[row * self.columns + column]
    }

    /// Upper bound of a cell (panics when out of range).
    pub fn upper(&self, row: usize, column: usize) -> f64 {
        self.upper[row * self.columns + column]
    }

    /// Fixes one cell to zero (for instance a leaver after the end date).
    pub fn set_zero(&mut self, row: usize, column: usize) -> Result<()> {
        self.set(row, column, 0.0, 0.0)
    }
}

/// A balanced table and how it was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Balanced {
    /// The balanced table: columns exact, rows within the tolerance.
    pub table: Table,
    /// Row-and-column sweeps used.
    pub iterations: usize,
    /// Largest row or column error relative to the grand total.
    pub max_error: f64,
}

/// Scales `seed` to the row totals `rows` and column totals `columns`
/// within optional cell `bounds` (see the [module docs](self)).
///
/// Errors: [`Error::MarginsDisagree`] when the totals of rows and columns
/// differ by more than 1e-9 relative; [`Error::BalanceInfeasible`] naming
/// the row or column whose total its bounds and structural zeros cannot
/// reach; [`Error::BalanceNotConverged`] at the iteration cap (typically
/// structural zeros that make the margins unreachable jointly);
/// [`Error::InvalidParameter`] for negative or non-finite inputs and
/// shape mismatches.
///
/// ```
/// use salesplan::plan::phasing::{balance::{balance, BalanceOptions, Bounds}, Table};
/// let seed = Table::new(2, 2, vec![1.0, 1.0, 1.0, 1.0])?;
/// let mut bounds = Bounds::new(2, 2);
/// bounds.set_zero(1, 1)?; // row 1 has left by period 1
/// let b = balance(&seed, &[5.0, 3.0], &[6.0, 2.0], Some(&bounds), &BalanceOptions::default())?;
/// let want = [3.0, 2.0, 3.0, 0.0];
/// assert!(b.table.values().iter().zip(want).all(|(x, y)| (x - y).abs() < 1e-9));
/// # Ok::<(), salesplan::Error>(())
/// ```
// index loops read best for the two-dimensional sweeps
#[allow(clippy::needless_range_loop)]
pub fn balance(
    seed: &Table,
    rows: &[f64],
    columns: &[f64],
    bounds: Option<&Bounds>,
    options: &BalanceOptions,
) -> Result<Balanced> {
    let (n, m) = (seed.rows(), seed.columns());
    check_inputs(seed, rows, columns, bounds, options)?;
    let default_bounds;
    let bounds = match bounds {
        Some(b) => b,
        None => {
            default_bounds = Bounds::new(n, m);
            &default_bounds
        }
    };
    // cells fixed at zero are structural zeros of the seed (below), so
    // they need no bounded fit
    let bounded = bounds.lower.iter().any(|&l| l > 0.0)
        || bounds.upper.iter().any(|&u| u.is_finite() && u > 0.0);
    let row_total: f64 = rows.iter().sum();
    let column_total: f64 = columns.iter().sum();
    let total = row_total.max(column_total);
    if (row_total - column_total).abs() > 1e-9 * total.max(f64::MIN_POSITIVE) {
        return Err(Error::MarginsDisagree {
            row_total,
            column_total,
        });
    }

    // working seed: structural zeros from bounds, fallbacks for zero rows
    let mut s: Vec<f64> = seed
        .values()
        .iter()
        .zip(&bounds.upper)
        .map(|(&v, &u)| if u > 0.0 { v } else { 0.0 })
        .collect();
    for i in 0..n {
        let row = &mut s[i * m..(i + 1) * m];
        if rows[i] > 0.0 && row.iter().all(|&v| v == 0.0) {
            for j in 0..m {
                if bounds.upper[i * m + j] > 0.0 {
                    row[j] = columns[j];
                }
            }
        }
    }
    for j in 0..m {
        if columns[j] > 0.0 && (0..n).all(|i| s[i * m + j] == 0.0) {
            for i in 0..n {
                if bounds.upper[i * m + j] > 0.0 {
                    s[i * m + j] = rows[i];
                }
            }
        }
    }

    // each margin reachable on its own
    let reach = |k: usize| -> (f64, f64) {
        let lo = bounds.lower[k];
        let hi = if s[k] > 0.0 { bounds.upper[k] } else { lo };
        (lo, hi)
    };
    for i in 0..n {
        let (lo, hi) = (0..m)
            .map(|j| reach(i * m + j))
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        check_reach("row", i, rows[i], lo, hi)?;
    }
    for j in 0..m {
        let (lo, hi) = (0..n)
            .map(|i| reach(i * m + j))
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        check_reach("column", j, columns[j], lo, hi)?;
    }

    let mut a = vec![1.0; n];
    let mut b = vec![1.0; m];
    let mut work: Vec<(f64, f64, f64)> = Vec::with_capacity(n.max(m));
    let mut events: Vec<(f64, f64, f64)> = Vec::with_capacity(2 * n.max(m));
    let scale = total.max(f64::MIN_POSITIVE);
    let mut max_error = f64::INFINITY;
    let mut iterations = 0;
    if !bounded {
        // plain RAS: two passes over the cells per sweep
        let values = |a: &[f64], b: &[f64]| -> Vec<f64> {
            let mut v = Vec::with_capacity(n * m);
            for i in 0..n {
                v.extend((0..m).map(|j| a[i] * b[j] * s[i * m + j]));
            }
            v
        };
        let mut checked = false;
        loop {
            let cap = if checked {
                options.max_iterations
            } else {
                options.max_iterations.min(SLOW)
            };
            let (converged, error) = ras_plain(
                &s,
                (n, m),
                (rows, columns),
                (&mut a, &mut b),
                (cap, options.tolerance, scale),
                &mut iterations,
            );
            max_error = error;
            let acceptable = iterations >= options.max_iterations
                && error.is_finite()
                && error <= ACCEPTABLE.max(options.tolerance);
            if converged || acceptable {
                return Ok(Balanced {
                    table: Table {
                        rows: n,
                        columns: m,
                        values: values(&a, &b),
                    },
                    iterations,
                    max_error,
                });
            }
            if checked || iterations >= options.max_iterations || !error.is_finite() {
                break;
            }
            checked = true;
            if let Some(reason) = infeasibility_of(n, m, &reach, rows, columns) {
                return Err(Error::BalanceInfeasible { reason });
            }
        }
        if let Some(reason) = infeasibility_of(n, m, &reach, rows, columns) {
            return Err(Error::BalanceInfeasible { reason });
        }
        return Err(Error::BalanceNotConverged {
            iterations,
            max_error,
        });
    }
    while iterations < options.max_iterations {
        iterations += 1;
        for i in 0..n {
            work.clear();
            for j in 0..m {
                let k = i * m + j;
                work.push((s[k] * b[j], bounds.lower[k], bounds.upper[k]));
            }
            a[i] = fit_factor(&work, rows[i], bounded, &mut events);
        }
        for j in 0..m {
            work.clear();
            for i in 0..n {
                let k = i * m + j;
                work.push((s[k] * a[i], bounds.lower[k], bounds.upper[k]));
            }
            b[j] = fit_factor(&work, columns[j], bounded, &mut events);
        }
        // columns are now fitted; measure both
        max_error = 0.0f64;
        let mut col_sums = vec![0.0; m];
        for i in 0..n {
            let mut row_sum = 0.0;
            for j in 0..m {
                let k = i * m + j;
                let x = cell(s[k], a[i], b[j], bounds.lower[k], bounds.upper[k]);
                row_sum += x;
                col_sums[j] += x;
            }
            max_error = worse(max_error, (row_sum - rows[i]).abs() / scale);
        }
        for j in 0..m {
            max_error = worse(max_error, (col_sums[j] - columns[j]).abs() / scale);
        }
        if !max_error.is_finite() {
            // factors diverged (an infeasible problem): stop sweeping
            break;
        }
        if iterations == SLOW && max_error > options.tolerance {
            // slow convergence is the usual sign of an infeasible problem:
            // check once rather than sweep to the cap
            if let Some(reason) = infeasibility_of(n, m, &reach, rows, columns) {
                return Err(Error::BalanceInfeasible { reason });
            }
        }
        if max_error <= options.tolerance {
            return Ok(assemble(n, m, &s, &a, &b, bounds, iterations, max_error));
        }
    }
    // at the cap, a table within ACCEPTABLE of both margins is kept: some
    // supports make the fitting converge very slowly near machine
    // precision, and a relative error of 1e-9 is far below any currency unit
    if max_error.is_finite() && max_error <= ACCEPTABLE.max(options.tolerance) {
        return Ok(assemble(n, m, &s, &a, &b, bounds, iterations, max_error));
    }
    // not converged: tell an infeasible problem from a slow one
    if iterations != SLOW || !max_error.is_finite() {
        if let Some(reason) = infeasibility_of(n, m, &reach, rows, columns) {
            return Err(Error::BalanceInfeasible { reason });
        }
    }
    // feasible but slow (bounds that bind make the fitting crawl): close
    // the remaining margin errors by the smallest flow of adjustments
    // within the bounds, on top of the fitted table
    if max_error.is_finite() {
        let mut fitted = assemble(n, m, &s, &a, &b, bounds, iterations, max_error);
        if close_margins(&mut fitted.table.values, n, m, &reach, rows, columns) {
            fitted.max_error = margin_error(&fitted.table, rows, columns, scale);
            if fitted.max_error <= ACCEPTABLE.max(options.tolerance) {
                return Ok(fitted);
            }
            max_error = fitted.max_error;
        }
    }
    Err(Error::BalanceNotConverged {
        iterations,
        max_error,
    })
}

/// The largest row or column error of `table`, relative to `scale`.
fn margin_error(table: &Table, rows: &[f64], columns: &[f64], scale: f64) -> f64 {
    let row_error = table
        .row_sums()
        .iter()
        .zip(rows)
        .fold(0.0f64, |e, (x, r)| e.max((x - r).abs()));
    let column_error = table
        .column_sums()
        .iter()
        .zip(columns)
        .fold(0.0f64, |e, (x, c)| e.max((x - c).abs()));
    row_error.max(column_error) / scale
}

/// Moves the cells of a nearly balanced `values` (`n × m`, within their
/// reach `[lo, hi]`) so that rows and columns meet their totals (see
/// [`route_errors`]). `false` when the moves cannot carry them all (the
/// caller then reports the table as not converged).
fn close_margins(
    values: &mut [f64],
    n: usize,
    m: usize,
    reach: &impl Fn(usize) -> (f64, f64),
    rows: &[f64],
    columns: &[f64],
) -> bool {
    let total: f64 = rows.iter().sum::<f64>().abs().max(f64::MIN_POSITIVE);
    let routed = route_errors(
        values,
        (n, m),
        reach,
        (rows, columns),
        1e-15 * total,
        1e-12 * total,
    );
    for (k, v) in values.iter_mut().enumerate() {
        let (lo, hi) = reach(k);
        *v = v.clamp(lo, hi);
    }
    routed.is_ok()
}

/// Whether some table with cells in `[lower, upper]` has the margins.
/// `None` when feasible, else the reason read off the minimum cut.
fn infeasibility(
    n: usize,
    m: usize,
    lower: &[f64],
    upper: &[f64],
    rows: &[f64],
    columns: &[f64],
) -> Option<String> {
    let total = rows.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let mut values = lower.to_vec();
    let reach = |k: usize| (lower[k], upper[k]);
    let cut = route_errors(
        &mut values,
        (n, m),
        &reach,
        (rows, columns),
        1e-12 * total,
        1e-9 * total,
    )
    .err()?;
    Some(format!(
        "rows {} cannot place {:.6e} of their totals: outside their lower bounds they can only go to columns {} (zero seeds and upper bounds block the others), which are already full",
        list(&cut.rows),
        cut.short,
        list(&cut.columns)
    ))
}

/// The rows and columns the margin errors could still reach when
/// [`route_errors`] stopped short, and the amount it could not place.
struct Cut {
    rows: Vec<usize>,
    columns: Vec<usize>,
    short: f64,
}

/// Carries the margin errors of `values` through the table by a maximum
/// flow (Edmonds–Karp, shortest augmenting paths): a row or column below
/// its total is a supply, one above it a demand, and a cell can rise to
/// its `hi` (flow row → column) or fall to its `lo` (column → row). The
/// graph stays implicit (the cells' room is read off `values` and
/// `reach`), so memory is that of the table, whatever its shape.
/// `values` ends moved by the flow found; residuals at most `eps` count
/// as closed, and a flow short of the need by at most `slack` as complete.
#[allow(clippy::needless_range_loop)]
fn route_errors(
    values: &mut [f64],
    (n, m): (usize, usize),
    reach: &impl Fn(usize) -> (f64, f64),
    (rows, columns): (&[f64], &[f64]),
    eps: f64,
    slack: f64,
) -> std::result::Result<(), Cut> {
    // node v < n is row v, n + j is column j; error > 0: the node must gain
    // (a row short of its total, a column over it supply the flow)
    let mut excess = vec![0.0; n + m];
    for i in 0..n {
        excess[i] = rows[i] - values[i * m..(i + 1) * m].iter().sum::<f64>();
    }
    for j in 0..m {
        excess[n + j] = (0..n).map(|i| values[i * m + j]).sum::<f64>() - columns[j];
    }
    // a row with excess > 0 sends by raising a cell; a column with
    // excess > 0 sends by lowering one; the opposite signs receive
    let need: f64 = excess.iter().filter(|e| **e > 0.0).sum();
    let room_up = |k: usize, v: f64| reach(k).1 - v;
    let room_down = |k: usize, v: f64| v - reach(k).0;
    const NONE: usize = usize::MAX;
    let mut from = vec![NONE; n + m];
    let mut moved = 0.0;
    loop {
        from.iter_mut().for_each(|f| *f = NONE);
        let mut queue: Vec<usize> = (0..n + m).filter(|&v| excess[v] > eps).collect();
        for &v in &queue {
            from[v] = v; // a start
        }
        let mut end = None;
        let mut head = 0;
        'bfs: while head < queue.len() {
            let v = queue[head];
            head += 1;
            let (first, count) = if v < n { (n, m) } else { (0, n) };
            for w in first..first + count {
                if from[w] != NONE {
                    continue;
                }
                let open = if v < n {
                    let k = v * m + (w - n);
                    room_up(k, values[k])
                } else {
                    let k = w * m + (v - n);
                    room_down(k, values[k])
                };
                if open > eps {
                    from[w] = v;
                    if excess[w] < -eps {
                        end = Some(w);
                        break 'bfs;
                    }
                    queue.push(w);
                }
            }
        }
        let Some(end) = end else {
            if moved >= need - slack {
                return Ok(());
            }
            return Err(Cut {
                rows: (0..n).filter(|&i| from[i] != NONE).collect(),
                columns: (0..m).filter(|&j| from[n + j] != NONE).collect(),
                short: need - moved,
            });
        };
        // the bottleneck along the path, then the moves
        let mut push = -excess[end];
        let mut w = end;
        while from[w] != w {
            let v = from[w];
            push = push.min(if v < n {
                let k = v * m + (w - n);
                room_up(k, values[k])
            } else {
                let k = w * m + (v - n);
                room_down(k, values[k])
            });
            w = v;
        }
        push = push.min(excess[w]);
        let start = w;
        let mut w = end;
        while from[w] != w {
            let v = from[w];
            if v < n {
                values[v * m + (w - n)] += push;
            } else {
                values[w * m + (v - n)] -= push;
            }
            w = v;
        }
        excess[start] -= push;
        excess[end] += push;
        moved += push;
    }
}

fn list(indices: &[usize]) -> String {
    let mut s: Vec<String> = indices.iter().take(10).map(|i| i.to_string()).collect();
    if indices.len() > 10 {
        s.push(format!("... ({} in all)", indices.len()));
    }
    format!("[{}]", s.join(", "))
}

/// Plain RAS sweeps (no bounds) until the largest margin error relative
/// to `scale` is at most `tolerance` or `iterations` reaches `cap`.
/// Returns whether it converged and the largest error.
fn ras_plain(
    s: &[f64],
    (n, m): (usize, usize),
    (rows, columns): (&[f64], &[f64]),
    (a, b): (&mut [f64], &mut [f64]),
    (cap, tolerance, scale): (usize, f64, f64),
    iterations: &mut usize,
) -> (bool, f64) {
    let mut acc = vec![0.0; m];
    let mut t = vec![0.0; n];
    let column_pass = |a: &[f64], acc: &mut [f64]| {
        acc.iter_mut().for_each(|x| *x = 0.0);
        for i in 0..n {
            let ai = a[i];
            for (x, sij) in acc.iter_mut().zip(&s[i * m..(i + 1) * m]) {
                *x += sij * ai;
            }
        }
    };
    // errors of the columns under the current factors
    let mut column_error = f64::INFINITY;
    if *iterations > 0 {
        column_pass(a, &mut acc);
        column_error = 0.0;
        for j in 0..m {
            column_error = worse(column_error, (b[j] * acc[j] - columns[j]).abs() / scale);
        }
    }
    loop {
        let mut row_error = 0.0f64;
        for i in 0..n {
            let row = &s[i * m..(i + 1) * m];
            t[i] = row.iter().zip(b.iter()).map(|(x, y)| x * y).sum();
            row_error = worse(row_error, (a[i] * t[i] - rows[i]).abs() / scale);
        }
        if *iterations > 0 {
            let error = worse(row_error, column_error);
            if !error.is_finite() || error <= tolerance || *iterations >= cap {
                return (error <= tolerance, error);
            }
        }
        *iterations += 1;
        for i in 0..n {
            a[i] = if t[i] > 0.0 { rows[i] / t[i] } else { 0.0 };
        }
        column_pass(a, &mut acc);
        column_error = 0.0;
        for j in 0..m {
            b[j] = if acc[j] > 0.0 {
                columns[j] / acc[j]
            } else {
                0.0
            };
            column_error = worse(column_error, (b[j] * acc[j] - columns[j]).abs() / scale);
        }
    }
}

/// Sweeps after which a problem not yet converged is checked for
/// feasibility.
const SLOW: usize = 50;

fn infeasibility_of(
    n: usize,
    m: usize,
    reach: &impl Fn(usize) -> (f64, f64),
    rows: &[f64],
    columns: &[f64],
) -> Option<String> {
    let (lower, upper): (Vec<f64>, Vec<f64>) = (0..n * m).map(reach).unzip();
    infeasibility(n, m, &lower, &upper, rows, columns)
}

/// The larger error, NaN counting as infinite.
fn worse(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::INFINITY
    } else {
        a.max(b)
    }
}

#[inline]
fn cell(s: f64, a: f64, b: f64, lower: f64, upper: f64) -> f64 {
    (a * b * s).clamp(lower, upper)
}

fn check_reach(what: &str, index: usize, target: f64, lo: f64, hi: f64) -> Result<()> {
    let slack = 1e-12 * target.abs().max(hi.min(f64::MAX)).max(1.0);
    if target < lo - slack {
        return Err(Error::BalanceInfeasible {
            reason: format!(
                "{what} {index} total {target} is below the sum of its lower bounds {lo}"
            ),
        });
    }
    if target > hi + slack {
        return Err(Error::BalanceInfeasible {
            reason: format!(
                "{what} {index} total {target} is above what its cells can hold ({hi}: upper bounds, and zero seeds held at their lower bounds)"
            ),
        });
    }
    Ok(())
}

/// The factor `f` with `Σ clamp(f·s, l, u) = target` for cells `(s, l, u)`.
fn fit_factor(
    cells: &[(f64, f64, f64)],
    target: f64,
    bounded: bool,
    events: &mut Vec<(f64, f64, f64)>,
) -> f64 {
    if !bounded {
        let sum: f64 = cells.iter().map(|c| c.0).sum();
        return if sum > 0.0 { target / sum } else { 0.0 };
    }
    // fast path: no bound binds at the plain proportional factor
    let sum: f64 = cells.iter().map(|c| c.0).sum();
    if sum > 0.0 {
        let f = target / sum;
        if cells
            .iter()
            .all(|&(s, l, u)| s > 0.0 && l <= f * s && f * s <= u)
        {
            return f;
        }
    }
    // events: (factor, Δconstant, Δslope); g(f) = constant + slope·f
    let mut constant: f64 = cells.iter().map(|c| c.1).sum();
    let mut slope = 0.0;
    if target <= constant {
        return 0.0;
    }
    events.clear();
    for &(s, l, u) in cells {
        if s > 0.0 {
            events.push((l / s, -l, s));
            if u.is_finite() {
                events.push((u / s, u, -s));
            }
        }
    }
    events.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
    for &(f, dc, ds) in events.iter() {
        let g = constant + slope * f;
        if g >= target && slope > 0.0 {
            return (target - constant) / slope;
        }
        constant += dc;
        slope += ds;
    }
    if slope > 0.0 {
        (target - constant) / slope
    } else {
        // every cell at its upper bound: the largest breakpoint
        events.last().map_or(0.0, |e| e.0)
    }
}

fn check_inputs(
    seed: &Table,
    rows: &[f64],
    columns: &[f64],
    bounds: Option<&Bounds>,
    options: &BalanceOptions,
) -> Result<()> {
    let bad = |name: &'static str, reason: String| Err(Error::InvalidParameter { name, reason });
    if rows.len() != seed.rows() || columns.len() != seed.columns() {
        return bad(
            "margins",
            format!(
                "{} row and {} column totals for a {} × {} table",
                rows.len(),
                columns.len(),
                seed.rows(),
                seed.columns()
            ),
        );
    }
    if let Some(b) = bounds {
        if b.rows != seed.rows() || b.columns != seed.columns() {
            return bad(
                "bounds",
                format!(
                    "bounds are {} × {}, table {} × {}",
                    b.rows,
                    b.columns,
                    seed.rows(),
                    seed.columns()
                ),
            );
        }
    }
    if let Some(k) = seed.values().iter().position(|&v| v < 0.0) {
        return bad(
            "seed",
            format!(
                "cell ({}, {}) is negative",
                k / seed.columns(),
                k % seed.columns()
            ),
        );
    }
    for (what, v) in [("row totals", rows), ("column totals", columns)] {
        if let Some(i) = v.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
            return bad(
                "margins",
                format!("{what}: entry {i} is {} (need finite, >= 0)", v[i]),
            );
        }
    }
    if !(options.tolerance.is_finite() && options.tolerance > 0.0) || options.max_iterations == 0 {
        return bad(
            "options",
            "tolerance must be positive and max_iterations at least 1".to_string(),
        );
    }
    Ok(())
}

/// The table of fitted factors `a` (rows) and `b` (columns).
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
fn assemble(
    n: usize,
    m: usize,
    s: &[f64],
    a: &[f64],
    b: &[f64],
    bounds: &Bounds,
    iterations: usize,
    max_error: f64,
) -> Balanced {
    let mut values = Vec::with_capacity(n * m);
    for i in 0..n {
        for j in 0..m {
            let k = i * m + j;
            values.push(cell(s[k], a[i], b[j], bounds.lower[k], bounds.upper[k]));
        }
    }
    Balanced {
        table: Table {
            rows: n,
            columns: m,
            values,
        },
        iterations,
        max_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_margins_carries_the_errors_within_bounds() {
        // a 2 × 3 table off its margins by a little; cell (1, 2) is fixed
        let rows = [60.0, 40.0];
        let columns = [30.0, 30.0, 40.0];
        let mut values = vec![10.0, 20.0, 30.5, 20.0, 9.5, 10.0];
        let lower = [0.0, 0.0, 0.0, 0.0, 0.0, 10.0];
        let upper = [15.0, 30.0, 31.0, 25.0, 30.0, 10.0];
        let reach = |k: usize| (lower[k], upper[k]);
        assert!(close_margins(&mut values, 2, 3, &reach, &rows, &columns));
        let t = Table::new(2, 3, values.clone()).unwrap();
        for (x, r) in t.row_sums().iter().zip(rows) {
            assert!((x - r).abs() < 1e-12, "{values:?}");
        }
        for (x, c) in t.column_sums().iter().zip(columns) {
            assert!((x - c).abs() < 1e-12, "{values:?}");
        }
        for k in 0..6 {
            assert!(values[k] >= lower[k] && values[k] <= upper[k]);
        }
        assert_eq!(values[5], 10.0);
        // errors no move within the bounds can carry
        let fixed = [15.0, 20.0, 25.0, 20.0, 10.0, 10.0];
        let mut stuck = fixed.to_vec();
        let tight = |k: usize| (fixed[k], fixed[k]);
        assert!(!close_margins(&mut stuck, 2, 3, &tight, &rows, &columns));
    }

    #[test]
    fn close_margins_on_a_manager_with_5000_reports() {
        // 5,000 rows × 12 months, each row and column off its total by a
        // little: the flow works on the table itself (a dense graph of
        // the rows and columns would take 2 × 5,014² × 8 bytes = 400 MB)
        let (n, m) = (5000, 12);
        let mut values = vec![10.0; n * m];
        let mut rows = vec![120.0; n];
        let mut columns = vec![50_000.0; m];
        for i in 0..n {
            values[i * m + i % m] += if i % 2 == 0 { 0.25 } else { -0.25 };
        }
        rows[0] += 1.0;
        columns[3] += 1.0;
        let reach = |_: usize| (0.0, 20.0);
        assert!(close_margins(&mut values, n, m, &reach, &rows, &columns));
        let t = Table::new(n, m, values).unwrap();
        for (x, r) in t.row_sums().iter().zip(&rows) {
            assert!((x - r).abs() < 1e-9);
        }
        for (x, c) in t.column_sums().iter().zip(&columns) {
            assert!((x - c).abs() < 1e-9);
        }
    }

    fn opts() -> BalanceOptions {
        BalanceOptions::default()
    }

    #[test]
    fn classic_ras() {
        let seed = Table::new(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        let b = balance(&seed, &[10.0, 20.0], &[8.0, 10.0, 12.0], None, &opts()).unwrap();
        for (x, y) in b.table.row_sums().iter().zip([10.0, 20.0]) {
            assert!((x - y).abs() < 1e-10);
        }
        for (x, y) in b.table.column_sums().iter().zip([8.0, 10.0, 12.0]) {
            assert!((x - y).abs() < 1e-10);
        }
        // cross-ratios of the seed are kept
        let t = &b.table;
        let r = (t.get(0, 0) * t.get(1, 1)) / (t.get(0, 1) * t.get(1, 0));
        assert!((r - (1.0 * 5.0) / (2.0 * 4.0)).abs() < 1e-9);
    }

    #[test]
    fn margins_disagree() {
        let seed = Table::new(1, 2, vec![1.0, 1.0]).unwrap();
        let e = balance(&seed, &[3.0], &[1.0, 1.0], None, &opts());
        assert!(matches!(e, Err(Error::MarginsDisagree { .. })));
    }

    #[test]
    fn zero_rows_and_seed_fallback() {
        // row 0 target 0; row 1 has an all-zero seed and follows the columns
        let seed = Table::new(3, 2, vec![1.0, 1.0, 0.0, 0.0, 1.0, 3.0]).unwrap();
        let b = balance(&seed, &[0.0, 4.0, 4.0], &[2.0, 6.0], None, &opts()).unwrap();
        assert_eq!(b.table.row(0), &[0.0, 0.0]);
        assert!((b.table.row_sums()[1] - 4.0).abs() < 1e-10);
    }

    #[test]
    fn bounds_infeasible_named() {
        let seed = Table::new(2, 2, vec![1.0; 4]).unwrap();
        let mut bounds = Bounds::new(2, 2);
        bounds.set(0, 0, 0.0, 1.0).unwrap();
        bounds.set(0, 1, 0.0, 1.0).unwrap();
        let e = balance(&seed, &[3.0, 1.0], &[2.0, 2.0], Some(&bounds), &opts());
        match e {
            Err(Error::BalanceInfeasible { reason }) => assert!(reason.contains("row 0")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bounds_held() {
        let seed = Table::new(2, 3, vec![5.0, 1.0, 1.0, 1.0, 1.0, 1.0]).unwrap();
        let mut bounds = Bounds::new(2, 3);
        bounds.set(0, 0, 0.0, 4.0).unwrap();
        bounds.set(1, 2, 2.5, 10.0).unwrap();
        let b = balance(&seed, &[9.0, 6.0], &[5.0, 5.0, 5.0], Some(&bounds), &opts()).unwrap();
        assert!(b.table.get(0, 0) <= 4.0 + 1e-12);
        assert!(b.table.get(1, 2) >= 2.5 - 1e-12);
        for (x, y) in b.table.row_sums().iter().zip([9.0, 6.0]) {
            assert!((x - y).abs() < 1e-9);
        }
    }

    #[test]
    fn slow_but_feasible_is_not_called_infeasible() {
        // feasible only with cell (0, 1) -> 0: RAS converges slowly
        let seed = Table::new(2, 2, vec![1.0, 1.0, 0.0, 1.0]).unwrap();
        let e = balance(
            &seed,
            &[1.0, 1.0],
            &[1.0, 1.0],
            None,
            &BalanceOptions {
                tolerance: 1e-12,
                max_iterations: 50,
            },
        );
        assert!(matches!(e, Err(Error::BalanceNotConverged { .. })), "{e:?}");
    }

    #[test]
    fn joint_infeasibility_does_not_converge() {
        // each margin reachable alone, not together: row 0 only in column 0
        // (total 1) but row 0 needs 2
        let seed = Table::new(2, 2, vec![1.0, 0.0, 1.0, 1.0]).unwrap();
        let e = balance(
            &seed,
            &[2.0, 2.0],
            &[1.0, 3.0],
            None,
            &BalanceOptions {
                tolerance: 1e-12,
                max_iterations: 200,
            },
        );
        assert!(e.is_err());
    }
}
