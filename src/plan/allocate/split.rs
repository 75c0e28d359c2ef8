//! Splitting one parent's target among its children, exactly.
//!
//! Both methods solve, for a parent target `T` and child bounds `l ≤ x ≤ u`,
//! the problem
//!
//! ```text
//! minimise Σ (x_i − s_i)² / w_i   subject to   Σ x_i = T,  l_i ≤ x_i ≤ u_i
//! ```
//!
//! whose solution is `x_i = clamp(s_i + λ w_i, l_i, u_i)` for the one `λ`
//! that makes the sum `T` (the KKT conditions). The sum is a non-decreasing,
//! piecewise-linear function of `λ` with breakpoints `(l_i − s_i)/w_i` and
//! `(u_i − s_i)/w_i`; [`water_fill_into`] sorts the breakpoints, walks them
//! to the segment that contains `T` and solves that segment's linear
//! equation: exact up to floating-point rounding, `O(n log n)`, no
//! iteration. Children with `l_i = u_i` (locks) are fixed.
//!
//! * [`Method::Proportional`] — "proportional scaling with caps":
//!   `x_i = clamp(α b_i, l_i, u_i)` (`s = 0`, `w = b`); the capped children's
//!   excess or shortfall is spread over the others in proportion to their
//!   basis. It is also the weighted least-squares split with `s_i` the basis
//!   share of `T` and `w_i = s_i` (relative deviations).
//! * [`Method::LeastSquares`] — `s_i` the basis share of `T`, `w_i = 1`:
//!   the closest split in absolute terms; excess is spread evenly.
//!
//! The split is feasible exactly when `Σ l ≤ T ≤ Σ u`; otherwise the error
//! gives both sums. Each child's value is non-decreasing in `T` (`λ` grows
//! with `T`).

use crate::error::{Error, Result};

/// How a parent's target follows the basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// `x_i = clamp(α b_i, l_i, u_i)`: shares kept as far as the bounds allow.
    #[default]
    Proportional,
    /// Least squares to the basis split, equal weights.
    LeastSquares,
}

impl std::str::FromStr for Method {
    type Err = Error;

    /// `proportional` or `least-squares`.
    fn from_str(s: &str) -> Result<Method> {
        match s.trim().to_ascii_lowercase().as_str() {
            "proportional" => Ok(Method::Proportional),
            "least-squares" | "wls" | "ls" => Ok(Method::LeastSquares),
            _ => Err(Error::InvalidParameter {
                name: "method",
                reason: format!("'{s}' is not a method (expected proportional or least-squares)"),
            }),
        }
    }
}

/// Why a split has no solution: the target is outside `[min_sum, max_sum]`
/// (or a child's lower bound exceeds its upper bound, `child`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Infeasibility {
    /// Sum of the children's lower bounds.
    pub min_sum: f64,
    /// Sum of the children's upper bounds.
    pub max_sum: f64,
    /// A child whose lower bound exceeds its upper bound.
    pub child: Option<usize>,
}

/// Reusable buffers for [`water_fill_into`] and [`split_into`], so repeated
/// splits do not allocate.
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    events: Vec<(f64, u32)>,
    s: Vec<f64>,
    w: Vec<f64>,
    order: Vec<u32>,
}

/// Splits `target` among children with basis `basis` (non-negative) and
/// bounds `lower ≤ x ≤ upper` (`upper` may be infinite), writing `out`.
///
/// When every basis is zero, all children count as equal.
///
/// ```
/// use salesplan::plan::allocate::{split_into, Method, Workspace};
/// let basis = [50.0, 30.0, 20.0];
/// let lower = [0.0, 0.0, 0.0];
/// let upper = [f64::INFINITY, 33.0, f64::INFINITY]; // second child capped
/// let mut x = [0.0; 3];
/// split_into(Method::Proportional, 200.0, &basis, &lower, &upper, &mut x, &mut Workspace::default()).unwrap();
/// // 33 to the capped child, the other 167 split 50:20
/// assert_eq!(x[1], 33.0);
/// assert!((x[0] - 167.0 * 50.0 / 70.0).abs() < 1e-9);
/// assert!((x.iter().sum::<f64>() - 200.0).abs() < 1e-9);
/// // infeasible: maximums sum to less than the target
/// let upper = [60.0, 33.0, 40.0];
/// let e = split_into(Method::Proportional, 200.0, &basis, &lower, &upper, &mut x, &mut Workspace::default()).unwrap_err();
/// assert_eq!(e.max_sum, 133.0);
/// ```
pub fn split_into(
    method: Method,
    target: f64,
    basis: &[f64],
    lower: &[f64],
    upper: &[f64],
    out: &mut [f64],
    ws: &mut Workspace,
) -> std::result::Result<(), Infeasibility> {
    let n = basis.len();
    let mut s = std::mem::take(&mut ws.s);
    let mut w = std::mem::take(&mut ws.w);
    s.clear();
    w.clear();
    let total: f64 = basis.iter().sum();
    let equal = total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater);
    match method {
        Method::Proportional => {
            s.resize(n, 0.0);
            if equal {
                w.resize(n, 1.0);
            } else {
                w.extend(basis.iter().map(|&b| b.max(0.0)));
            }
        }
        Method::LeastSquares => {
            if equal {
                s.resize(n, target / n.max(1) as f64);
            } else {
                s.extend(basis.iter().map(|&b| target * (b.max(0.0) / total)));
            }
            w.resize(n, 1.0);
        }
    }
    let result = water_fill_into(target, &s, &w, lower, upper, out, ws);
    ws.s = s;
    ws.w = w;
    result
}

/// The general solver: `x_i = clamp(s_i + λ w_i, l_i, u_i)` with `Σ x = target`,
/// the exact minimiser of `Σ (x_i − s_i)²/w_i` under the bounds.
///
/// Weights must be non-negative. A zero weight is the limit `w_i → 0`:
/// such a child stays at `clamp(s_i, l_i, u_i)` unless the others all reach
/// a bound, and then the zero-weight children share the rest with equal
/// weights.
pub fn water_fill_into(
    target: f64,
    s: &[f64],
    w: &[f64],
    lower: &[f64],
    upper: &[f64],
    out: &mut [f64],
    ws: &mut Workspace,
) -> std::result::Result<(), Infeasibility> {
    let n = s.len();
    debug_assert!(w.len() == n && lower.len() == n && upper.len() == n && out.len() == n);
    let mut min_sum = 0.0;
    let mut max_sum = 0.0;
    let mut bad = None;
    for i in 0..n {
        min_sum += lower[i];
        max_sum += upper[i];
        if bad.is_none() && lower[i] > upper[i] {
            bad = Some(i);
        }
    }
    if bad.is_some() || !(min_sum <= target && target <= max_sum) {
        return Err(Infeasibility {
            min_sum,
            max_sum,
            child: bad,
        });
    }
    // Tier 1: zero-weight children fixed at clamp(s, l, u).
    let mut fixed = 0.0;
    let mut positive_lower = 0.0;
    let mut positive_upper = 0.0;
    let mut any_zero = false;
    for i in 0..n {
        if w[i] > 0.0 {
            positive_lower += lower[i];
            positive_upper += upper[i];
        } else {
            any_zero = true;
            fixed += s[i].clamp(lower[i], upper[i]);
        }
    }
    if !any_zero {
        core(target, s, |i| w[i], |_| true, lower, upper, out, ws);
    } else if target < positive_lower + fixed || target > positive_upper + fixed {
        // the weighted children sit at the bound on the target's side; the
        // zero-weight ones take up the rest
        let (bound, taken) = if target < positive_lower + fixed {
            (lower, positive_lower)
        } else {
            (upper, positive_upper)
        };
        for i in (0..n).filter(|&i| w[i] > 0.0) {
            out[i] = bound[i];
        }
        core(
            target - taken,
            s,
            |_| 1.0,
            |i| w[i] <= 0.0,
            lower,
            upper,
            out,
            ws,
        );
    } else {
        for i in (0..n).filter(|&i| w[i] <= 0.0) {
            out[i] = s[i].clamp(lower[i], upper[i]);
        }
        core(
            target - fixed,
            s,
            |i| w[i],
            |i| w[i] > 0.0,
            lower,
            upper,
            out,
            ws,
        );
    }
    Ok(())
}

/// Water-filling over the children selected by `keep`, all with positive
/// weight; the caller has checked feasibility.
#[allow(clippy::too_many_arguments)]
fn core(
    target: f64,
    s: &[f64],
    weight: impl Fn(usize) -> f64,
    keep: impl Fn(usize) -> bool,
    lower: &[f64],
    upper: &[f64],
    out: &mut [f64],
    ws: &mut Workspace,
) {
    let n = s.len();
    let events = &mut ws.events;
    events.clear();
    let mut rest = target;
    let mut at_lower = 0.0;
    for i in (0..n).filter(|&i| keep(i)) {
        if lower[i] == upper[i] {
            out[i] = lower[i];
            rest -= lower[i];
            continue;
        }
        let wi = weight(i);
        events.push(((lower[i] - s[i]) / wi, 2 * i as u32));
        let b = (upper[i] - s[i]) / wi;
        if b.is_finite() {
            events.push((b, 2 * i as u32 + 1));
        }
        at_lower += lower[i];
    }
    if events.is_empty() {
        return;
    }
    events.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    // Sweep: the sum is at_lower + at_upper + S + λ W on each segment.
    let (mut at_upper, mut free_s, mut free_w) = (0.0, 0.0, 0.0);
    let mut previous = f64::NEG_INFINITY;
    let mut next = f64::INFINITY;
    for &(lambda, code) in events.iter() {
        let value = at_lower + at_upper + free_s + lambda * free_w;
        if value >= rest {
            next = lambda;
            break;
        }
        let i = (code / 2) as usize;
        let wi = weight(i);
        if code % 2 == 0 {
            at_lower -= lower[i];
            free_s += s[i];
            free_w += wi;
        } else {
            free_s -= s[i];
            free_w -= wi;
            at_upper += upper[i];
        }
        previous = lambda;
    }
    // Recompute the segment's sums afresh (no accumulated cancellation).
    let (mut fixed, mut sum_s, mut sum_w) = (0.0, 0.0, 0.0);
    for &(lambda, code) in events.iter() {
        let i = (code / 2) as usize;
        if code % 2 == 0 {
            if lambda >= next {
                fixed += lower[i];
            } else {
                let b = (upper[i] - s[i]) / weight(i);
                if b <= previous {
                    fixed += upper[i];
                } else {
                    sum_s += s[i];
                    sum_w += weight(i);
                }
            }
        }
    }
    let lambda = if sum_w > 0.0 {
        ((rest - fixed - sum_s) / sum_w).clamp(previous, next)
    } else if previous.is_finite() {
        previous
    } else {
        next
    };
    for i in (0..n).filter(|&i| keep(i) && lower[i] != upper[i]) {
        out[i] = (s[i] + lambda * weight(i)).clamp(lower[i], upper[i]);
    }
}

/// The objective `Σ (x_i − s_i)² / w_i` (terms with `w_i = 0` skipped), for
/// checks against other solvers.
pub fn objective(x: &[f64], s: &[f64], w: &[f64]) -> f64 {
    x.iter()
        .zip(s)
        .zip(w)
        .filter(|(_, &w)| w > 0.0)
        .map(|((x, s), w)| (x - s) * (x - s) / w)
        .sum()
}

/// Rounds one split to whole units keeping the total: `x` (in units) sums
/// to the integer `total` up to floating-point rounding; the result `out`
/// sums to `total` exactly, each value is `floor(x_i)` or `ceil(x_i)` and
/// within the integer bounds `lower ≤ out ≤ upper`. Among such roundings,
/// the units left after rounding down go to the largest remainders (ties to
/// the earlier child): Hamilton's largest-remainder method.
///
/// Largest remainder is not monotone in the total (the Alabama paradox:
/// one more unit for the parent can cost a child a unit); the exact split
/// before rounding is monotone.
///
/// When no rounding within one unit respects the bounds (possible only when
/// `x` itself breaks them or a bound interval holds no integer near `x_i`),
/// the bounds are dropped and `Ok(false)` is returned; `Ok(true)` means the
/// bounds held. An error means `x` does not sum to `total` within one unit.
///
/// ```
/// use salesplan::plan::allocate::round_split_into;
/// let x = [33.4, 33.3, 33.3];
/// let mut out = [0; 3];
/// let within = round_split_into(&x, 100, &[0, 0, 0], &[i64::MAX; 3], &mut out, &mut Default::default()).unwrap();
/// assert!(within);
/// assert_eq!(out, [34, 33, 33]);
/// ```
pub fn round_split_into(
    x: &[f64],
    total: i64,
    lower: &[i64],
    upper: &[i64],
    out: &mut [i64],
    ws: &mut Workspace,
) -> Result<bool> {
    let n = x.len();
    let mut base = 0i64;
    let mut room = 0i64;
    for i in 0..n {
        let lo = (x[i].floor() as i64).max(lower[i]);
        let hi = (x[i].ceil() as i64).min(upper[i]);
        out[i] = lo;
        base += lo;
        room += (hi - lo).max(0);
        if lo > hi {
            room = -1;
            break;
        }
    }
    let within = room >= 0 && base <= total && total <= base + room;
    if !within {
        base = 0;
        for i in 0..n {
            out[i] = x[i].floor() as i64;
            base += out[i];
        }
    }
    let extra = total - base;
    let order = &mut ws.order;
    order.clear();
    order.extend((0..n as u32).filter(|&i| {
        let i = i as usize;
        let hi = if within {
            (x[i].ceil() as i64).min(upper[i])
        } else {
            x[i].ceil() as i64
        };
        hi > out[i]
    }));
    if extra < 0 || extra as usize > order.len() {
        return Err(Error::InvalidParameter {
            name: "rounding",
            reason: format!("values do not sum to {total} within one unit"),
        });
    }
    let remainder = |i: u32| x[i as usize] - out[i as usize] as f64;
    order.sort_unstable_by(|&a, &b| remainder(b).total_cmp(&remainder(a)).then(a.cmp(&b)));
    for &i in order.iter().take(extra as usize) {
        out[i as usize] += 1;
    }
    Ok(within)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(method: Method, t: f64, b: &[f64], l: &[f64], u: &[f64]) -> Vec<f64> {
        let mut x = vec![0.0; b.len()];
        split_into(method, t, b, l, u, &mut x, &mut Workspace::default()).unwrap();
        x
    }

    #[test]
    fn proportional_without_caps_keeps_shares() {
        let x = split(
            Method::Proportional,
            120.0,
            &[1.0, 2.0, 3.0],
            &[0.0; 3],
            &[f64::INFINITY; 3],
        );
        assert_eq!(x, [20.0, 40.0, 60.0]);
    }

    #[test]
    fn least_squares_spreads_evenly() {
        // basis split 60/40 of 100; child 0 capped at 50 → 10 more to child 1
        let x = split(
            Method::LeastSquares,
            100.0,
            &[60.0, 40.0],
            &[0.0; 2],
            &[50.0, f64::INFINITY],
        );
        assert_eq!(x, [50.0, 50.0]);
        // three children, one capped: the rest of the excess evenly
        let x = split(
            Method::LeastSquares,
            90.0,
            &[40.0, 30.0, 20.0],
            &[0.0; 3],
            &[30.0, f64::INFINITY, f64::INFINITY],
        );
        assert!((x[1] - 35.0).abs() < 1e-12 && (x[2] - 25.0).abs() < 1e-12);
    }

    #[test]
    fn locks_and_lower_bounds() {
        let x = split(
            Method::Proportional,
            100.0,
            &[1.0, 1.0, 1.0],
            &[10.0, 40.0, 0.0],
            &[10.0, f64::INFINITY, f64::INFINITY],
        );
        assert_eq!(x, [10.0, 45.0, 45.0]);
        let x = split(
            Method::Proportional,
            100.0,
            &[1.0, 1.0, 1.0],
            &[10.0, 60.0, 0.0],
            &[10.0, f64::INFINITY, f64::INFINITY],
        );
        assert_eq!(x, [10.0, 60.0, 30.0]);
    }

    #[test]
    fn zero_basis_children_take_what_others_cannot() {
        let x = split(
            Method::Proportional,
            50.0,
            &[10.0, 0.0],
            &[0.0; 2],
            &[10.0, 100.0],
        );
        assert_eq!(x, [10.0, 40.0]);
        let x = split(
            Method::Proportional,
            9.0,
            &[0.0, 0.0, 0.0],
            &[0.0; 3],
            &[f64::INFINITY; 3],
        );
        assert_eq!(x, [3.0, 3.0, 3.0]);
    }

    #[test]
    fn infeasible_reports_sums() {
        let mut x = [0.0; 2];
        let e = split_into(
            Method::Proportional,
            5.0,
            &[1.0, 1.0],
            &[3.0, 3.0],
            &[9.0, 9.0],
            &mut x,
            &mut Workspace::default(),
        )
        .unwrap_err();
        assert_eq!((e.min_sum, e.max_sum), (6.0, 18.0));
    }

    #[test]
    fn rounding_respects_bounds() {
        let mut out = [0; 3];
        let x = [10.5, 10.5, 9.0];
        let ok = round_split_into(
            &x,
            30,
            &[0, 0, 0],
            &[10, 11, 9],
            &mut out,
            &mut Workspace::default(),
        )
        .unwrap();
        assert!(ok);
        assert_eq!(out, [10, 11, 9]);
    }
}
