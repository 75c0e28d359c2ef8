//! The allocation split as a general QP, solved by Clarabel (reference).

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus, ZeroConeT,
};

/// minimise Σ (x_i − s_i)²/w_i s.t. Σx = t, l ≤ x ≤ u (all finite, w > 0).
/// Returns the solution, or `None` if Clarabel did not solve it.
pub fn clarabel_split(t: f64, s: &[f64], w: &[f64], l: &[f64], u: &[f64]) -> Option<Vec<f64>> {
    let n = s.len();
    let p = CscMatrix::new(
        n,
        n,
        (0..=n).collect(),
        (0..n).collect(),
        w.iter().map(|w| 2.0 / w).collect(),
    );
    let q: Vec<f64> = s.iter().zip(w).map(|(s, w)| -2.0 * s / w).collect();
    let mut rowval = Vec::with_capacity(3 * n);
    let mut nzval = Vec::with_capacity(3 * n);
    for i in 0..n {
        rowval.extend([0, 1 + i, 1 + n + i]);
        nzval.extend([1.0, 1.0, -1.0]);
    }
    let a = CscMatrix::new(
        2 * n + 1,
        n,
        (0..=n).map(|i| 3 * i).collect(),
        rowval,
        nzval,
    );
    let mut b = vec![t];
    b.extend_from_slice(u);
    b.extend(l.iter().map(|l| -l));
    let cones = [ZeroConeT(1), NonnegativeConeT(2 * n)];
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .tol_gap_abs(1e-13)
        .tol_gap_rel(1e-13)
        .tol_feas(1e-13)
        .tol_ktratio(1e-10)
        .max_iter(500)
        .build()
        .ok()?;
    let mut solver = DefaultSolver::new(&p, &q, &a, &b, &cones, settings).ok()?;
    solver.solve();
    matches!(
        solver.solution.status,
        SolverStatus::Solved | SolverStatus::AlmostSolved
    )
    .then(|| solver.solution.x.clone())
}
