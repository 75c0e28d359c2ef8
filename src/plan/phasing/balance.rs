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
/// reach `[lo, hi]`) so that rows and columns meet their totals: the row
/// and column errors become supplies and demands of a flow in which a cell
/// can rise up to `hi` (row → column) or fall to `lo` (column → row);
/// augmenting paths (Edmonds–Karp) carry the errors through the table.
/// `false` when the flow cannot carry them all (the caller then reports
/// the table as not converged).
#[allow(clippy::needless_range_loop)]
fn close_margins(
    values: &mut [f64],
    n: usize,
    m: usize,
    reach: &impl Fn(usize) -> (f64, f64),
    rows: &[f64],
    columns: &[f64],
) -> bool {
    // nodes: 0 source, 1..=n rows, n+1..=n+m columns, n+m+1 sink
    let size = n + m + 2;
    let (source, sink) = (0, n + m + 1);
    let mut cap = vec![0.0f64; size * size];
    let total: f64 = rows.iter().sum::<f64>().abs().max(f64::MIN_POSITIVE);
    for i in 0..n {
        let d = rows[i] - values[i * m..(i + 1) * m].iter().sum::<f64>();
        if d > 0.0 {
            cap[source * size + 1 + i] = d;
        } else {
            cap[(1 + i) * size + sink] = -d;
        }
    }
    for j in 0..m {
        let e = columns[j] - (0..n).map(|i| values[i * m + j]).sum::<f64>();
        if e > 0.0 {
            cap[(1 + n + j) * size + sink] = e;
        } else {
            cap[source * size + 1 + n + j] = -e;
        }
    }
    let need: f64 = (0..size).map(|v| cap[source * size + v]).sum();
    for i in 0..n {
        for j in 0..m {
            let k = i * m + j;
            let (lo, hi) = reach(k);
            cap[(1 + i) * size + 1 + n + j] = (hi - values[k]).max(0.0);
            cap[(1 + n + j) * size + 1 + i] = (values[k] - lo).max(0.0);
        }
    }
    let original = cap.clone();
    let eps = 1e-15 * total;
    let mut moved = 0.0;
    let mut from = vec![usize::MAX; size];
    loop {
        // shortest augmenting path by breadth-first search
        from.iter_mut().for_each(|f| *f = usize::MAX);
        from[source] = source;
        let mut queue = std::collections::VecDeque::from([source]);
        while let Some(v) = queue.pop_front() {
            if v == sink {
                break;
            }
            for w in 0..size {
                if from[w] == usize::MAX && cap[v * size + w] > eps {
                    from[w] = v;
                    queue.push_back(w);
                }
            }
        }
        if from[sink] == usize::MAX {
            break;
        }
        let mut push = f64::INFINITY;
        let mut w = sink;
        while w != source {
            let v = from[w];
            push = push.min(cap[v * size + w]);
            w = v;
        }
        let mut w = sink;
        while w != source {
            let v = from[w];
            cap[v * size + w] -= push;
            cap[w * size + v] += push;
            w = v;
        }
        moved += push;
    }
    if need - moved > 1e-12 * total {
        return false;
    }
    // the net flow row → column on each cell is its change (a push along
    // row → column lowers that capacity and raises the reverse one alike)
    for i in 0..n {
        for j in 0..m {
            let (r, c) = (1 + i, 1 + n + j);
            let change = original[r * size + c] - cap[r * size + c];
            let k = i * m + j;
            let (lo, hi) = reach(k);
            values[k] = (values[k] + change).clamp(lo, hi);
        }
    }
    true
}

/// Whether some table with cells in `[lower, upper]` has the margins: a
/// maximum flow from rows to columns (Edmonds–Karp on the bipartite
/// graph). `None` when feasible, else the reason read off the minimum cut.
#[allow(clippy::needless_range_loop)]
fn infeasibility(
    n: usize,
    m: usize,
    lower: &[f64],
    upper: &[f64],
    rows: &[f64],
    columns: &[f64],
) -> Option<String> {
    let total: f64 = rows.iter().sum();
    let eps = 1e-12 * total.max(f64::MIN_POSITIVE);
    let mut supply: Vec<f64> = (0..n)
        .map(|i| rows[i] - (0..m).map(|j| lower[i * m + j]).sum::<f64>())
        .collect();
    let mut demand: Vec<f64> = (0..m)
        .map(|j| columns[j] - (0..n).map(|i| lower[i * m + j]).sum::<f64>())
        .collect();
    let need: f64 = supply.iter().map(|s| s.max(0.0)).sum();
    let mut flow = vec![0.0; n * m];
    let mut moved = 0.0;
    const NONE: usize = usize::MAX;
    let mut row_from = vec![NONE; n]; // column it was reached from (NONE: source)
    let mut col_from = vec![NONE; m];
    let mut row_seen = vec![false; n];
    loop {
        row_seen.iter_mut().for_each(|x| *x = false);
        col_from.iter_mut().for_each(|x| *x = NONE);
        let mut queue: Vec<usize> = (0..n).filter(|&i| supply[i] > eps).collect();
        for &i in &queue {
            row_seen[i] = true;
            row_from[i] = NONE;
        }
        let mut end = None;
        let mut head = 0;
        'bfs: while head < queue.len() {
            let i = queue[head];
            head += 1;
            for j in 0..m {
                let k = i * m + j;
                if col_from[j] != NONE || upper[k] - lower[k] - flow[k] <= eps {
                    continue;
                }
                col_from[j] = i;
                if demand[j] > eps {
                    end = Some(j);
                    break 'bfs;
                }
                for r in 0..n {
                    if !row_seen[r] && flow[r * m + j] > eps {
                        row_seen[r] = true;
                        row_from[r] = j;
                        queue.push(r);
                    }
                }
            }
        }
        let Some(end) = end else {
            if moved >= need - 1e-9 * total.max(f64::MIN_POSITIVE) {
                return None;
            }
            let cut_rows: Vec<usize> = (0..n).filter(|&i| row_seen[i]).collect();
            let cut_cols: Vec<usize> = (0..m).filter(|&j| col_from[j] != NONE).collect();
            let short = need - moved;
            return Some(format!(
                "rows {} cannot place {short:.6e} of their totals: outside their lower bounds they can only go to columns {} (zero seeds and upper bounds block the others), which are already full",
                list(&cut_rows),
                list(&cut_cols)
            ));
        };
        // bottleneck
        let mut amount = demand[end];
        let mut j = end;
        let start_row;
        loop {
            let i = col_from[j];
            let k = i * m + j;
            amount = amount.min(upper[k] - lower[k] - flow[k]);
            if row_from[i] == NONE {
                start_row = i;
                break;
            }
            j = row_from[i];
            amount = amount.min(flow[i * m + j]);
        }
        amount = amount.min(supply[start_row]);
        let mut j = end;
        loop {
            let i = col_from[j];
            flow[i * m + j] += amount;
            if row_from[i] == NONE {
                break;
            }
            j = row_from[i];
            flow[i * m + j] -= amount;
        }
        supply[start_row] -= amount;
        demand[end] -= amount;
        moved += amount;
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
