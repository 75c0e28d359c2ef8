//! Rounding to a currency unit with totals kept exact.
//!
//! [`round_table`] is *controlled rounding*: every cell of a table goes to
//! the multiple of the unit just below or just above its value, so that
//! every row total and every column total stays exactly what it was (the
//! totals must themselves be multiples of the unit). It rounds every cell
//! down, then chooses which cells go up one unit as an integer flow
//! problem: row `i` needs `R_i` cells raised, column `j` needs `C_j`, and
//! only cells with a fractional part may rise. The fractional parts
//! themselves are a fractional solution of this transportation problem, so
//! an integer one always exists (integrality of network flows); it is found
//! by a greedy pass (largest fractional parts first) completed with
//! augmenting paths. The greedy start makes large fractional parts likely
//! to round up; it is not a minimum-distance optimum.
//!
//! Since every cell lands on the multiple of the unit just below or just
//! above its value, any cell bound that is itself a multiple of the unit
//! (zero for a leaver, a locked value, a cap in whole units) still holds
//! after rounding.
//!
//! [`round_vector`] is the one-dimensional case: largest remainders.

use super::Table;
use crate::error::{Error, Result};

fn check_unit(unit: f64) -> Result<()> {
    if !(unit.is_finite() && unit > 0.0) {
        return Err(Error::InvalidParameter {
            name: "unit",
            reason: format!("rounding unit must be positive and finite, got {unit}"),
        });
    }
    Ok(())
}

/// Splits `x` (in units) into its integer floor and whether it may round
/// up; values within 1e-9 units (plus a few ulps of `x`) of an integer are
/// that integer.
fn split(x: f64) -> (f64, bool) {
    let r = x.round();
    if (x - r).abs() <= 1e-9 + 1e-15 * x.abs() {
        (r, false)
    } else {
        (x.floor(), true)
    }
}

/// The whole number of units in `sum`, or an error naming `what`.
fn whole_units(what: impl FnOnce() -> String, sum: f64, scale: f64, unit: f64) -> Result<i64> {
    let r = sum.round();
    if (sum - r).abs() > 1e-6 + 1e-9 * scale {
        return Err(Error::NotMultipleOfUnit {
            what: what(),
            value: sum * unit,
            unit,
        });
    }
    Ok(r as i64)
}

/// Rounds `values` to multiples of `unit` keeping their sum exact, each
/// within one unit of its value (largest remainders; ties go to the
/// earlier value). The sum must be a multiple of the unit.
///
/// ```
/// use salesplan::plan::phasing::round::round_vector;
/// assert_eq!(round_vector(&[33.3, 33.3, 33.4], 1.0)?, vec![33.0, 33.0, 34.0]);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn round_vector(values: &[f64], unit: f64) -> Result<Vec<f64>> {
    check_unit(unit)?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "values",
            reason: format!("value {i} is not finite ({})", values[i]),
        });
    }
    let x: Vec<f64> = values.iter().map(|v| v / unit).collect();
    let scale: f64 = x.iter().map(|v| v.abs()).sum();
    let total = whole_units(|| "total".to_string(), x.iter().sum(), scale, unit)?;
    let mut out = Vec::with_capacity(x.len());
    let mut up: Vec<(f64, usize)> = Vec::new();
    let mut floor_sum = 0i64;
    for (i, &v) in x.iter().enumerate() {
        let (f, can_rise) = split(v);
        floor_sum += f as i64;
        out.push(f);
        if can_rise {
            up.push((v - f, i));
        }
    }
    let need = total - floor_sum;
    if need < 0 || need as usize > up.len() {
        return Err(Error::Internal {
            series: String::new(),
            reason: format!(
                "largest remainder needs {need} raises, {} possible",
                up.len()
            ),
        });
    }
    up.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in &up[..need as usize] {
        out[i] += 1.0;
    }
    Ok(out.into_iter().map(|v| v * unit).collect())
}

/// Rounds every cell of `table` to a multiple of `unit`, keeping every row
/// total and every column total exact and each cell strictly within one
/// unit of its value (cells already a multiple of the unit stay).
///
/// Fails with [`Error::NotMultipleOfUnit`] when a row or column total is
/// not a whole number of units (to 1e-6 units plus 1e-9 of the sum of
/// its absolute values).
/// Deterministic: the result depends only on the table.
///
/// ```
/// use salesplan::plan::phasing::{round::round_table, Table};
/// let t = Table::new(2, 2, vec![150.4, 249.6, 349.6, 50.4])?;
/// let r = round_table(&t, 100.0)?;
/// assert_eq!(r.row_sums(), vec![400.0, 400.0]);
/// assert_eq!(r.column_sums(), vec![500.0, 300.0]);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn round_table(table: &Table, unit: f64) -> Result<Table> {
    round_core(table, unit, None)
}

/// Like [`round_table`], but the row and column totals of the result are
/// the given `rows` and `columns` (multiples of the unit), which the
/// table's own sums must match to 1e-6 relative: for a table balanced to
/// these margins up to floating-point error, whatever its size.
///
/// ```
/// use salesplan::plan::phasing::{round::round_table_to, Table};
/// // sums off by 1e-9 from the targets, as after balancing
/// let t = Table::new(1, 2, vec![0.4, 0.6 - 1e-9])?;
/// let r = round_table_to(&t, &[1.0], &[0.4, 0.6], 0.2)?;
/// assert_eq!(r.row_sums(), vec![1.0]);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn round_table_to(table: &Table, rows: &[f64], columns: &[f64], unit: f64) -> Result<Table> {
    if rows.len() != table.rows() || columns.len() != table.columns() {
        return Err(Error::InvalidParameter {
            name: "totals",
            reason: format!(
                "{} row and {} column totals for a {} × {} table",
                rows.len(),
                columns.len(),
                table.rows(),
                table.columns()
            ),
        });
    }
    round_core(table, unit, Some((rows, columns)))
}

/// Whole units of a given total that the table's `sum` (in units) must
/// match.
fn given_units(
    what: &str,
    index: usize,
    target: f64,
    sum: f64,
    scale: f64,
    unit: f64,
) -> Result<i64> {
    let t = target / unit;
    let r = t.round();
    if !t.is_finite() || (t - r).abs() > 1e-9 * t.abs().max(1.0) {
        return Err(Error::NotMultipleOfUnit {
            what: format!("{what} {index} target"),
            value: target,
            unit,
        });
    }
    if (sum - t).abs() > 1e-6 * (1.0 + scale.max(t.abs())) {
        return Err(Error::InvalidParameter {
            name: "totals",
            reason: format!(
                "{what} {index} of the table sums to {}, its target is {target}",
                sum * unit
            ),
        });
    }
    Ok(r as i64)
}

fn round_core(table: &Table, unit: f64, totals: Option<(&[f64], &[f64])>) -> Result<Table> {
    check_unit(unit)?;
    let (n, m) = (table.rows(), table.columns());
    let x: Vec<f64> = table.values().iter().map(|v| v / unit).collect();
    let mut floor = vec![0.0; n * m];
    let mut frac = vec![-1.0; n * m]; // < 0: may not rise
    let mut row_need = vec![0i64; n];
    let mut col_need = vec![0i64; m];
    let mut row_scale = vec![0.0; n];
    let mut col_scale = vec![0.0; m];
    let mut row_sum = vec![0.0; n];
    let mut col_sum = vec![0.0; m];
    for i in 0..n {
        for j in 0..m {
            let k = i * m + j;
            let v = x[k];
            let (f, can_rise) = split(v);
            floor[k] = f;
            if can_rise {
                frac[k] = v - f;
            }
            row_need[i] -= f as i64;
            col_need[j] -= f as i64;
            row_scale[i] += v.abs();
            col_scale[j] += v.abs();
            row_sum[i] += v;
            col_sum[j] += v;
        }
    }
    for i in 0..n {
        row_need[i] += match totals {
            Some((rows, _)) => given_units("row", i, rows[i], row_sum[i], row_scale[i], unit)?,
            None => whole_units(|| format!("row {i} total"), row_sum[i], row_scale[i], unit)?,
        };
    }
    for j in 0..m {
        col_need[j] += match totals {
            Some((_, cols)) => given_units("column", j, cols[j], col_sum[j], col_scale[j], unit)?,
            None => whole_units(
                || format!("column {j} total"),
                col_sum[j],
                col_scale[j],
                unit,
            )?,
        };
    }
    let (rt, ct): (i64, i64) = (row_need.iter().sum(), col_need.iter().sum());
    if rt != ct {
        let floors: f64 = floor.iter().sum();
        return Err(Error::MarginsDisagree {
            row_total: (rt as f64 + floors) * unit,
            column_total: (ct as f64 + floors) * unit,
        });
    }
    let raised = controlled(&frac, n, m, &mut row_need, &mut col_need)?;
    let values = floor
        .iter()
        .zip(&raised)
        .map(|(f, &r)| (f + if r { 1.0 } else { 0.0 }) * unit)
        .collect();
    Ok(Table {
        rows: n,
        columns: m,
        values,
    })
}

/// Chooses the cells to raise: a 0/1 matrix over cells with `frac >= 0`
/// whose row sums are `row_need` and column sums `col_need`.
fn controlled(
    frac: &[f64],
    n: usize,
    m: usize,
    row_need: &mut [i64],
    col_need: &mut [i64],
) -> Result<Vec<bool>> {
    let infeasible = |what: String| Error::Internal {
        series: String::new(),
        reason: format!("controlled rounding found no integer solution ({what})"),
    };
    if let Some(i) = row_need.iter().position(|&r| r < 0) {
        return Err(infeasible(format!("row {i} needs {}", row_need[i])));
    }
    if let Some(j) = col_need.iter().position(|&c| c < 0) {
        return Err(infeasible(format!("column {j} needs {}", col_need[j])));
    }
    let mut raised = vec![false; n * m];
    // greedy: largest fractional parts first
    // keys: fractional parts (non-negative, so their bits sort like the
    // values) descending, then cell index; all distinct, so an unstable
    // sort is deterministic
    let mut order: Vec<(u64, usize)> = (0..n * m)
        .filter(|&k| frac[k] >= 0.0)
        .map(|k| (!frac[k].to_bits(), k))
        .collect();
    order.sort_unstable();
    for (_, k) in order {
        let (i, j) = (k / m, k % m);
        if row_need[i] > 0 && col_need[j] > 0 {
            raised[k] = true;
            row_need[i] -= 1;
            col_need[j] -= 1;
        }
    }
    // augmenting paths from rows still short to columns still short
    let mut row_parent: Vec<usize> = vec![usize::MAX; n];
    let mut col_parent: Vec<usize> = vec![usize::MAX; m];
    let mut seen_row = vec![false; n];
    let mut queue: Vec<usize> = Vec::with_capacity(n);
    while row_need.iter().any(|&r| r > 0) {
        seen_row.iter_mut().for_each(|s| *s = false);
        col_parent.iter_mut().for_each(|p| *p = usize::MAX);
        queue.clear();
        for i in 0..n {
            if row_need[i] > 0 {
                seen_row[i] = true;
                row_parent[i] = usize::MAX;
                queue.push(i);
            }
        }
        let mut end = None;
        let mut head = 0;
        'bfs: while head < queue.len() {
            let i = queue[head];
            head += 1;
            for j in 0..m {
                let k = i * m + j;
                if frac[k] < 0.0 || raised[k] || col_parent[j] != usize::MAX {
                    continue;
                }
                col_parent[j] = i;
                if col_need[j] > 0 {
                    end = Some(j);
                    break 'bfs;
                }
                for r in 0..n {
                    if !seen_row[r] && raised[r * m + j] {
                        seen_row[r] = true;
                        row_parent[r] = j;
                        queue.push(r);
                    }
                }
            }
        }
        let Some(end) = end else {
            let i = row_need.iter().position(|&r| r > 0).unwrap_or(0);
            return Err(infeasible(format!("no augmenting path from row {i}")));
        };
        col_need[end] -= 1;
        let mut j = end;
        loop {
            let i = col_parent[j];
            raised[i * m + j] = true;
            if row_parent[i] == usize::MAX {
                row_need[i] -= 1;
                break;
            }
            let previous = row_parent[i];
            raised[i * m + previous] = false;
            j = previous;
        }
    }
    debug_assert!(col_need.iter().all(|&c| c == 0));
    Ok(raised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_both_margins() {
        // every cell 0.5: each row and column needs exactly half raised
        let t = Table::new(4, 4, vec![0.5; 16]).unwrap();
        let r = round_table(&t, 1.0).unwrap();
        assert_eq!(r.row_sums(), vec![2.0; 4]);
        assert_eq!(r.column_sums(), vec![2.0; 4]);
    }

    #[test]
    fn small_tables() {
        // greedy raises (0,0) first (largest part), leaving row 1 and
        // column 1 to be fixed by an augmenting path
        let t = Table::new(2, 2, vec![0.9, 0.1, 0.1, 0.9]).unwrap();
        let r = round_table(&t, 1.0).unwrap();
        assert_eq!(r.values(), &[1.0, 0.0, 0.0, 1.0]);
        let t = Table::new(2, 3, vec![0.6, 0.6, 0.8, 0.4, 0.4, 0.2]).unwrap();
        let r = round_table(&t, 1.0).unwrap();
        assert_eq!(r.row_sums(), vec![2.0, 1.0]);
        assert_eq!(r.column_sums(), vec![1.0, 1.0, 1.0]);
    }

    #[test]
    fn augmenting_path_after_greedy_dead_end() {
        // found by search: the largest-part-first pass leaves a row short
        #[rustfmt::skip]
        let v = vec![
            1.0, 0.2, -0.4, -0.8,
            -0.4, 0.0, -0.3, 0.7,
            -0.9, 0.2, 0.7, 0.0,
            0.3, -0.4, 0.0, 0.1,
        ];
        let t = Table::new(4, 4, v.clone()).unwrap();
        let r = round_table(&t, 1.0).unwrap();
        assert_eq!(r.row_sums(), vec![0.0; 4]);
        assert_eq!(r.column_sums(), vec![0.0; 4]);
        for (x, y) in r.values().iter().zip(&v) {
            assert!((x - y).abs() < 1.0);
        }
    }

    #[test]
    fn huge_values_keep_their_fractions() {
        // 1e11 yuan cells with half-yuan parts: none may be snapped
        let x = 1e11 + 0.5;
        let t = Table::new(2, 2, vec![x; 4]).unwrap();
        let r = round_table(&t, 1.0).unwrap();
        assert_eq!(r.row_sums(), vec![2e11 + 1.0; 2]);
        assert_eq!(r.column_sums(), vec![2e11 + 1.0; 2]);
        assert_eq!(round_vector(&[x, x], 1.0).unwrap(), vec![1e11 + 1.0, 1e11]);
    }

    #[test]
    fn rejects_fractional_totals_and_bad_units() {
        let t = Table::new(1, 2, vec![0.5, 0.6]).unwrap();
        assert!(matches!(
            round_table(&t, 1.0),
            Err(Error::NotMultipleOfUnit { .. })
        ));
        assert!(round_table(&t, 0.0).is_err());
        assert!(round_vector(&[0.5, 0.6], 1.0).is_err());
    }

    #[test]
    fn negative_values_and_empty() {
        let t = Table::new(1, 2, vec![-0.5, 1.5]).unwrap();
        let r = round_table(&t, 1.0);
        // column totals -0.5 and 1.5 are not whole units
        assert!(r.is_err());
        let t = Table::new(2, 2, vec![-0.5, 0.5, 0.5, -0.5]).unwrap();
        let r = round_table(&t, 1.0).unwrap();
        assert_eq!(r.row_sums(), vec![0.0, 0.0]);
        assert_eq!(r.column_sums(), vec![0.0, 0.0]);
        let e = Table::zeros(0, 0);
        assert_eq!(round_table(&e, 1.0).unwrap().values().len(), 0);
    }
}
