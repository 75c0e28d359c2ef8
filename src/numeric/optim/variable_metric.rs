//! The variable-metric (BFGS) minimiser of Nash, *Compact Numerical
//! Methods for Computers* (2nd ed., 1990), Algorithm 21, with the
//! constants and stopping rule R's `optim(method = "BFGS")` (its `vmmin`)
//! runs it with.
//!
//! An iteration moves from x along d = −H g, with g the gradient at x and
//! H the current approximation of the inverse Hessian (the identity after
//! a reset). The line search backtracks: the step λ starts at 1 and is
//! multiplied by 0.2 until f(x + λd) is finite and at most
//! f(x) + 10⁻⁴·λ·gᵀd, or until x + λd no longer differs from x in any
//! coordinate by the test 10 + xᵢ = 10 + (x + λd)ᵢ. An accepted point that
//! lowers f by more than the relative tolerance (R's `reltol`,
//! √machine ε ≈ 1.49·10⁻⁸: |Δf| > tol·(|f| + tol)) becomes x; its gradient
//! is taken and H is updated by the BFGS formula in its inverse form —
//! unless the change of gradient y is not along the step s (sᵀy ≤ 0), which
//! resets H instead. H is also reset every 2n + 1 gradients, and when an
//! iteration makes no progress: d not downhill (gᵀd ≥ 0), no acceptable
//! point, or a change of f within the tolerance (that point is kept, its
//! gradient is not taken). No progress right after a reset ends the run
//! (steepest descent cannot do better); so do `max_iterations` gradients
//! (R's `maxit`, 100 by default), which R reports as convergence code 1
//! even when the last iteration also converged, and so does
//! [`Stop::MaxIterations`] here.
//!
//! Non-finite values are never accepted by the line search, so an
//! objective may return `f64::INFINITY` or NaN where it is undefined. A
//! non-finite gradient makes the direction's slope undefined, which counts
//! as "not downhill": the run resets, then stops at the best point found.
//! R stops with an error in both cases ("non-finite finite-difference
//! value").
//!
//! Two departures from R, both below what the coordinate test can see:
//! when the line search ends without an acceptable point, x goes back to
//! the iteration's start (R leaves it at the last point tried, which
//! differs from the start by less than the test 10 + xᵢ resolves, and may
//! take that point's rejected value as its minimum); and R's `abstol`
//! (stop once f falls below it, −∞ by default) is not offered.
//!
//! Why ARIMA uses this and not `argmin`'s BFGS: ARIMA estimates are
//! compared with R's, and on M3 the corner cases (flat likelihoods,
//! stationarity boundaries, the 100-gradient budget) depend on the
//! optimiser's path. With `argmin`'s BFGS and More–Thuente line search,
//! AutoARIMA scored 17.122 sMAPE / 2.971 MASE on M3 yearly and 10.015 /
//! 1.189 on quarterly, behind R's `auto.arima()` (17.104 / 2.959 and
//! 10.006 / 1.189); with this minimiser it scores 17.097 / 2.955 and
//! 10.001 / 1.189, and exactly R's figures when R's rule for an
//! unconverged CSS is added too (BENCHMARKS.md, 2026-12-03). ARIMA was
//! `argmin`'s only user, so the crate no longer depends on it (the house
//! guide names `argmin` for smooth likelihoods; matching R's path, as
//! measured, comes first here). The same reason keeps the R-exact
//! Nelder–Mead ([`super::nelder_mead`]) for ETS and Theta.
//!
//! ```
//! use salesplan::numeric::optim::{CentralDifferences, VariableMetric};
//! // a quadratic with its minimum 5 at (1, −2)
//! let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 3.0 * (x[1] + 2.0).powi(2) + 5.0;
//! let mut objective = CentralDifferences::new(f, 1e-3);
//! let r = VariableMetric::new(100).minimize(&mut objective, &[0.0, 0.0]);
//! // R's tolerance is on the relative change of f (here ≈ 10⁻⁷)
//! assert!((r.x[0] - 1.0).abs() < 1e-3 && (r.x[1] + 2.0).abs() < 1e-3);
//! assert!((r.value - 5.0).abs() < 1e-6);
//! ```

/// A function to minimise and its gradient.
pub trait Objective {
    /// f(x). A non-finite value marks x as outside the function's domain.
    fn value(&mut self, x: &[f64]) -> f64;
    /// ∇f(x) into `gradient`, which is as long as `x`.
    fn gradient(&mut self, x: &[f64], gradient: &mut [f64]);
}

/// A function whose gradient is taken by central differences,
/// (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h, as R's `optim` does when it is given
/// no gradient (its `ndeps`, 10⁻³ by default, on the optimiser's scale).
pub struct CentralDifferences<F> {
    function: F,
    step: f64,
    probe: Vec<f64>,
}

impl<F: FnMut(&[f64]) -> f64> CentralDifferences<F> {
    /// `function` with the difference step `step`.
    pub fn new(function: F, step: f64) -> CentralDifferences<F> {
        CentralDifferences {
            function,
            step,
            probe: Vec::new(),
        }
    }
}

impl<F: FnMut(&[f64]) -> f64> Objective for CentralDifferences<F> {
    fn value(&mut self, x: &[f64]) -> f64 {
        (self.function)(x)
    }

    fn gradient(&mut self, x: &[f64], gradient: &mut [f64]) {
        debug_assert_eq!(x.len(), gradient.len());
        self.probe.clear();
        self.probe.extend_from_slice(x);
        let h = self.step;
        for (i, g) in gradient.iter_mut().enumerate() {
            self.probe[i] = x[i] + h;
            let up = (self.function)(&self.probe);
            self.probe[i] = x[i] - h;
            let down = (self.function)(&self.probe);
            self.probe[i] = x[i];
            *g = (up - down) / (2.0 * h);
        }
    }
}

/// Why a run stopped: data, not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// An iteration right after a reset of H made no progress (R's
    /// convergence code 0).
    Converged,
    /// `max_iterations` gradients were taken (R's code 1).
    MaxIterations,
    /// f is not finite at the start (R stops with an error).
    NotFinite,
}

/// Settings of a variable-metric run.
#[derive(Debug, Clone, Copy)]
pub struct VariableMetric {
    max_iterations: usize,
    rel_tol: f64,
}

/// The best point found, its value, and how the run went.
#[derive(Debug, Clone)]
pub struct VariableMetricResult {
    pub x: Vec<f64>,
    pub value: f64,
    /// Evaluations of f by the run itself (R's `counts["function"]`; those
    /// inside [`CentralDifferences`]' gradients are not counted, as in R).
    pub evaluations: usize,
    /// Gradients taken (R's `counts["gradient"]`).
    pub gradients: usize,
    pub stop: Stop,
}

/// The line search's step reduction factor (R's `stepredn`).
const STEP_REDUCTION: f64 = 0.2;
/// The sufficient-decrease constant of the acceptance test (`acctol`).
const ACCEPTANCE: f64 = 1e-4;
/// A coordinate has not moved when 10 + x = 10 + x′ (`reltest`).
const NO_CHANGE: f64 = 10.0;

impl VariableMetric {
    /// A minimiser that takes at most `max_iterations` gradients, with R's
    /// default relative tolerance (√machine ε ≈ 1.49·10⁻⁸).
    pub fn new(max_iterations: usize) -> VariableMetric {
        VariableMetric {
            max_iterations,
            rel_tol: 1.490_116_119_384_765_6e-8,
        }
    }

    /// Sets the relative tolerance on the change of f (R's `reltol`).
    pub fn with_tolerance(mut self, rel_tol: f64) -> VariableMetric {
        self.rel_tol = rel_tol;
        self
    }

    /// Minimises `objective` from `start`.
    pub fn minimize<O: Objective + ?Sized>(
        &self,
        objective: &mut O,
        start: &[f64],
    ) -> VariableMetricResult {
        let n = start.len();
        let mut x = start.to_vec();
        let mut value = objective.value(&x);
        let mut evaluations = 1;
        let mut gradients = 0;
        let result = |x, value, evaluations, gradients, stop| VariableMetricResult {
            x,
            value,
            evaluations,
            gradients,
            stop,
        };
        if !value.is_finite() {
            return result(x, value, evaluations, gradients, Stop::NotFinite);
        }
        if self.max_iterations == 0 {
            return result(x, value, evaluations, gradients, Stop::MaxIterations);
        }
        if n == 0 {
            return result(x, value, evaluations, gradients, Stop::Converged);
        }
        let mut gradient = vec![0.0; n];
        objective.gradient(&x, &mut gradient);
        gradients += 1;
        // H, symmetric, stored in full, row-major
        let mut h = vec![0.0; n * n];
        // the iteration's start and its gradient; the direction, then the
        // step taken; H times the change of gradient
        let mut origin = vec![0.0; n];
        let mut old_gradient = vec![0.0; n];
        let mut direction = vec![0.0; n];
        let mut hy = vec![0.0; n];
        // the gradient count at the last reset of H (R's `ilast`)
        let mut reset_at = gradients;
        loop {
            if reset_at == gradients {
                h.iter_mut().for_each(|v| *v = 0.0);
                for i in 0..n {
                    h[i * n + i] = 1.0;
                }
            }
            origin.copy_from_slice(&x);
            old_gradient.copy_from_slice(&gradient);
            let mut slope = 0.0;
            for i in 0..n {
                let row = &h[i * n..(i + 1) * n];
                let mut d = 0.0;
                for (a, g) in row.iter().zip(&gradient) {
                    d -= a * g;
                }
                direction[i] = d;
                slope += d * gradient[i];
            }
            // no progress this iteration, with H fresh from a reset: the end
            let mut stalled = false;
            if slope < 0.0 {
                let mut step = 1.0;
                let accepted = loop {
                    let mut unchanged = 0;
                    for i in 0..n {
                        x[i] = origin[i] + step * direction[i];
                        if NO_CHANGE + origin[i] == NO_CHANGE + x[i] {
                            unchanged += 1;
                        }
                    }
                    if unchanged == n {
                        break None;
                    }
                    let trial = objective.value(&x);
                    evaluations += 1;
                    if trial.is_finite() && trial <= value + slope * step * ACCEPTANCE {
                        break Some(trial);
                    }
                    step *= STEP_REDUCTION;
                };
                let progress = match accepted {
                    Some(trial) => {
                        let enough =
                            (trial - value).abs() > self.rel_tol * (value.abs() + self.rel_tol);
                        value = trial;
                        enough
                    }
                    None => {
                        x.copy_from_slice(&origin);
                        false
                    }
                };
                if progress {
                    objective.gradient(&x, &mut gradient);
                    gradients += 1;
                    let updated = update(
                        &mut h,
                        step,
                        &mut direction,
                        &gradient,
                        &mut old_gradient,
                        &mut hy,
                    );
                    if !updated {
                        reset_at = gradients;
                    }
                } else if reset_at < gradients {
                    reset_at = gradients;
                } else {
                    stalled = true;
                }
            } else if reset_at < gradients {
                reset_at = gradients;
            } else {
                stalled = true;
            }
            if gradients >= self.max_iterations {
                return result(x, value, evaluations, gradients, Stop::MaxIterations);
            }
            if stalled {
                return result(x, value, evaluations, gradients, Stop::Converged);
            }
            if gradients - reset_at > 2 * n {
                reset_at = gradients;
            }
        }
    }
}

/// The BFGS update of the inverse Hessian `h` after the step
/// s = `step`·`direction` and the change of gradient y = `gradient` −
/// `old_gradient` (both overwritten with s and y):
/// H ← H + ((1 + yᵀHy/sᵀy)·ssᵀ − Hy·sᵀ − s·(Hy)ᵀ) / sᵀy. False, with H
/// unchanged, when sᵀy ≤ 0 (or is not a number).
fn update(
    h: &mut [f64],
    step: f64,
    direction: &mut [f64],
    gradient: &[f64],
    old_gradient: &mut [f64],
    hy: &mut [f64],
) -> bool {
    let n = direction.len();
    let mut sy = 0.0;
    for i in 0..n {
        direction[i] *= step;
        old_gradient[i] = gradient[i] - old_gradient[i];
        sy += direction[i] * old_gradient[i];
    }
    // NaN fails too
    if sy.is_nan() || sy <= 0.0 {
        return false;
    }
    let (s, y) = (&*direction, &*old_gradient);
    let mut yhy = 0.0;
    for i in 0..n {
        let mut v = 0.0;
        for (a, b) in h[i * n..(i + 1) * n].iter().zip(y) {
            v += a * b;
        }
        hy[i] = v;
        yhy += v * y[i];
    }
    let factor = 1.0 + yhy / sy;
    // the lower triangle, mirrored: H stays exactly symmetric
    for i in 0..n {
        for j in 0..=i {
            let v = h[i * n + j] + (factor * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]) / sy;
            h[i * n + j] = v;
            h[j * n + i] = v;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &[f64]) -> f64 {
        100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
    }

    /// Rosenbrock's function with its analytic gradient, `fr` and `grr`
    /// of R's `?optim`.
    struct Rosenbrock;

    impl Objective for Rosenbrock {
        fn value(&mut self, x: &[f64]) -> f64 {
            rosenbrock(x)
        }

        fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
            g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
            g[1] = 200.0 * (x[1] - x[0] * x[0]);
        }
    }

    #[test]
    fn rosenbrock_with_its_gradient() {
        let r = VariableMetric::new(100).minimize(&mut Rosenbrock, &[-1.2, 1.0]);
        assert_eq!(r.stop, Stop::Converged);
        assert!(
            (r.x[0] - 1.0).abs() < 1e-4 && (r.x[1] - 1.0).abs() < 1e-4,
            "{r:?}"
        );
        assert!(r.value < 1e-8, "{r:?}");
        // R 4.x: optim(c(-1.2, 1), fr, grr, method = "BFGS")$counts
        assert_eq!((r.evaluations, r.gradients), (110, 43), "{r:?}");
    }

    #[test]
    fn rosenbrock_by_central_differences() {
        let mut objective = CentralDifferences::new(rosenbrock, 1e-3);
        let r = VariableMetric::new(100).minimize(&mut objective, &[-1.2, 1.0]);
        assert_eq!(r.stop, Stop::Converged);
        // R: optim(c(-1.2, 1), fr, method = "BFGS")$par prints 0.9998044
        // 0.9996084 (here after 38 gradients and 117 evaluations)
        assert!(
            (r.x[0] - 0.9998044).abs() < 1e-7 && (r.x[1] - 0.9996084).abs() < 1e-7,
            "{r:?}"
        );
        assert_eq!(r.gradients, 38, "{r:?}");
    }

    /// ½ (x − c)ᵀ A (x − c) + 5 with A positive definite.
    struct Quadratic {
        a: [[f64; 3]; 3],
        c: [f64; 3],
    }

    impl Objective for Quadratic {
        fn value(&mut self, x: &[f64]) -> f64 {
            let mut v = 0.0;
            for i in 0..3 {
                for j in 0..3 {
                    v += 0.5 * (x[i] - self.c[i]) * self.a[i][j] * (x[j] - self.c[j]);
                }
            }
            v + 5.0
        }

        fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
            for (i, g) in g.iter_mut().enumerate() {
                *g = (0..3).map(|j| self.a[i][j] * (x[j] - self.c[j])).sum();
            }
        }
    }

    #[test]
    fn a_quadratic_with_a_known_minimum() {
        let mut quadratic = Quadratic {
            a: [[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]],
            c: [1.0, -2.0, 0.5],
        };
        // R's tolerance is on the change of f: near 5 it stops within
        // about 10⁻⁶ of the minimum value
        let r = VariableMetric::new(100).minimize(&mut quadratic, &[0.0, 0.0, 0.0]);
        assert_eq!(r.stop, Stop::Converged);
        for (x, c) in r.x.iter().zip(quadratic.c) {
            assert!((x - c).abs() < 2e-3, "{r:?}");
        }
        assert!(r.value >= 5.0 && r.value - 5.0 < 1e-5, "{r:?}");
        // the BFGS update learns a quadratic's curvature in a few steps
        assert!(r.gradients <= 10, "{r:?}");
        // a tighter tolerance goes on to the minimum
        let r = VariableMetric::new(100)
            .with_tolerance(1e-15)
            .minimize(&mut quadratic, &[0.0, 0.0, 0.0]);
        for (x, c) in r.x.iter().zip(quadratic.c) {
            assert!((x - c).abs() < 1e-6, "{r:?}");
        }
        assert!((r.value - 5.0).abs() < 1e-12, "{r:?}");
    }

    #[test]
    fn a_minimum_next_to_a_region_where_f_is_not_finite() {
        // (x − 2)² + y², undefined (NaN) beyond x = 2.5: the first full
        // steps land there and are shortened
        let f = |x: &[f64]| {
            if x[0] > 2.5 {
                f64::NAN
            } else {
                (x[0] - 2.0).powi(2) + x[1] * x[1]
            }
        };
        let mut objective = CentralDifferences::new(f, 1e-3);
        let r = VariableMetric::new(100).minimize(&mut objective, &[-3.0, 1.0]);
        assert_eq!(r.stop, Stop::Converged);
        assert!((r.x[0] - 2.0).abs() < 1e-4 && r.x[1].abs() < 1e-4, "{r:?}");
        // infinite beyond: the same
        let g = |x: &[f64]| {
            if x[0] > 2.5 {
                f64::INFINITY
            } else {
                (x[0] - 2.0).powi(2) + x[1] * x[1]
            }
        };
        let r =
            VariableMetric::new(100).minimize(&mut CentralDifferences::new(g, 1e-3), &[-3.0, 1.0]);
        assert!((r.x[0] - 2.0).abs() < 1e-4 && r.x[1].abs() < 1e-4, "{r:?}");
    }

    #[test]
    fn a_minimum_on_the_edge_of_the_domain_stops_at_a_finite_point() {
        // f = −x, NaN beyond x = 1: the minimum is the edge, where the
        // central difference reaches outside and the gradient is NaN
        let f = |x: &[f64]| if x[0] > 1.0 { f64::NAN } else { -x[0] };
        let r = VariableMetric::new(100).minimize(&mut CentralDifferences::new(f, 1e-3), &[0.0]);
        assert_eq!(r.stop, Stop::Converged);
        assert!(
            r.value.is_finite() && r.x[0] <= 1.0 && r.x[0] > 0.99,
            "{r:?}"
        );
        assert_eq!(r.value, -r.x[0]);
    }

    #[test]
    fn edge_cases() {
        let mut flat = CentralDifferences::new(|_: &[f64]| 1.0, 1e-3);
        let r = VariableMetric::new(100).minimize(&mut flat, &[0.5]);
        assert_eq!(
            (r.stop, r.x.clone(), r.gradients),
            (Stop::Converged, vec![0.5], 1)
        );
        let mut undefined = CentralDifferences::new(|_: &[f64]| f64::NAN, 1e-3);
        let r = VariableMetric::new(100).minimize(&mut undefined, &[0.0]);
        assert_eq!((r.stop, r.gradients), (Stop::NotFinite, 0));
        let mut constant = CentralDifferences::new(|_: &[f64]| 2.0, 1e-3);
        let r = VariableMetric::new(100).minimize(&mut constant, &[]);
        assert_eq!((r.stop, r.value), (Stop::Converged, 2.0));
        let r = VariableMetric::new(3).minimize(&mut Rosenbrock, &[-1.2, 1.0]);
        assert_eq!((r.stop, r.gradients), (Stop::MaxIterations, 3));
        let r = VariableMetric::new(0).minimize(&mut Rosenbrock, &[-1.2, 1.0]);
        assert_eq!(
            (r.stop, r.x, r.gradients),
            (Stop::MaxIterations, vec![-1.2, 1.0], 0)
        );
        assert!((r.value - 24.2).abs() < 1e-12);
    }
}
