//! The Nelder–Mead simplex method, with the coefficients and stopping rule of
//! R's `optim(method = "Nelder-Mead")` (reflection 1, contraction 0.5,
//! expansion 2; stop when the spread of the simplex values falls below a
//! relative tolerance of the starting value, or at an evaluation budget).
//!
//! Non-finite objective values are treated as `1e35`, so an objective can
//! reject infeasible points by returning `f64::INFINITY`.
//!
//! ```
//! use salesplan::numeric::optim::NelderMead;
//! let rosen = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
//! let r = NelderMead::new(5000).with_tolerance(1e-12).minimize(rosen, &[-1.2, 1.0], &[0.1, 0.1]);
//! assert!((r.x[0] - 1.0).abs() < 1e-3 && (r.x[1] - 1.0).abs() < 1e-3);
//! ```

/// Why a run stopped: data, not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The simplex values agree within the tolerance.
    Converged,
    /// The evaluation budget was spent.
    MaxEvaluations,
    /// A shrink step did not make the simplex smaller.
    Degenerate,
}

/// Settings of a Nelder–Mead run.
#[derive(Debug, Clone, Copy)]
pub struct NelderMead {
    max_evaluations: usize,
    rel_tol: f64,
}

/// The best point found, its value, and how the run went.
#[derive(Debug, Clone)]
pub struct NelderMeadResult {
    pub x: Vec<f64>,
    pub value: f64,
    pub evaluations: usize,
    pub stop: Stop,
}

const BIG: f64 = 1e35;

impl NelderMead {
    /// A solver that stops after `max_evaluations` objective calls, with R's
    /// default relative tolerance (√machine epsilon ≈ 1.49e-8).
    pub fn new(max_evaluations: usize) -> NelderMead {
        NelderMead {
            max_evaluations,
            rel_tol: 1.490_116_119_384_765_6e-8,
        }
    }

    /// Sets the relative tolerance on the spread of simplex values.
    pub fn with_tolerance(mut self, rel_tol: f64) -> NelderMead {
        self.rel_tol = rel_tol;
        self
    }

    /// Minimises `f` from `start`; the first simplex moves coordinate `i` by `step[i]`.
    pub fn minimize<F: FnMut(&[f64]) -> f64>(
        &self,
        mut f: F,
        start: &[f64],
        step: &[f64],
    ) -> NelderMeadResult {
        let n = start.len();
        let mut eval = |x: &[f64], count: &mut usize| {
            *count += 1;
            let v = f(x);
            if v.is_finite() {
                v
            } else {
                BIG
            }
        };
        let mut count = 0;
        if n == 0 {
            let v = eval(start, &mut count);
            return NelderMeadResult {
                x: vec![],
                value: v,
                evaluations: count,
                stop: Stop::Converged,
            };
        }
        // simplex: n + 1 vertices, row-major
        let mut p = vec![0.0; (n + 1) * n];
        let mut fv = vec![0.0; n + 1];
        for j in 0..=n {
            let v = &mut p[j * n..(j + 1) * n];
            v.copy_from_slice(start);
            if j > 0 {
                v[j - 1] += step[j - 1];
            }
        }
        for j in 0..=n {
            fv[j] = eval(&p[j * n..(j + 1) * n], &mut count);
        }
        let tol = self.rel_tol * (fv[0].abs() + self.rel_tol);
        let mut centroid = vec![0.0; n];
        // running sum of all vertices: the centroid without the worst is
        // (sum − worst)/n, O(n) per iteration instead of O(n²)
        let mut sum = vec![0.0; n];
        let resum = |p: &[f64], sum: &mut [f64]| {
            sum.iter_mut().for_each(|s| *s = 0.0);
            for v in p.chunks_exact(n) {
                for (s, x) in sum.iter_mut().zip(v) {
                    *s += x;
                }
            }
        };
        resum(&p, &mut sum);
        let mut trial = vec![0.0; n];
        let mut trial2 = vec![0.0; n];
        let mut stop = Stop::MaxEvaluations;
        let mut old_size = f64::INFINITY;
        while count < self.max_evaluations {
            let (mut lo, mut hi) = (0, 0);
            for j in 1..=n {
                if fv[j] < fv[lo] {
                    lo = j;
                }
                if fv[j] > fv[hi] {
                    hi = j;
                }
            }
            if fv[hi] <= fv[lo] + tol {
                stop = Stop::Converged;
                break;
            }
            for i in 0..n {
                centroid[i] = (sum[i] - p[hi * n + i]) / n as f64;
            }
            // reflection
            for i in 0..n {
                trial[i] = 2.0 * centroid[i] - p[hi * n + i];
            }
            let fr = eval(&trial, &mut count);
            if fr < fv[lo] {
                // expansion
                for i in 0..n {
                    trial2[i] = 2.0 * trial[i] - centroid[i];
                }
                let fe = eval(&trial2, &mut count);
                let (x, v) = if fe < fr { (&trial2, fe) } else { (&trial, fr) };
                replace(&mut p, &mut sum, hi, x);
                fv[hi] = v;
                continue;
            }
            let vh = fv[hi];
            if fr < vh {
                replace(&mut p, &mut sum, hi, &trial);
                fv[hi] = fr;
            }
            // contraction towards the centroid from the (possibly new) worst
            for i in 0..n {
                trial2[i] = 0.5 * (p[hi * n + i] + centroid[i]);
            }
            let fc = eval(&trial2, &mut count);
            if fc < fv[hi] {
                replace(&mut p, &mut sum, hi, &trial2);
                fv[hi] = fc;
            } else if fr >= vh {
                // shrink towards the best vertex
                let mut size = 0.0;
                for j in (0..=n).filter(|&j| j != lo) {
                    for i in 0..n {
                        let x = 0.5 * (p[j * n + i] + p[lo * n + i]);
                        size += (x - p[lo * n + i]).abs();
                        p[j * n + i] = x;
                    }
                }
                for j in (0..=n).filter(|&j| j != lo) {
                    fv[j] = eval(&p[j * n..(j + 1) * n], &mut count);
                }
                resum(&p, &mut sum);
                if size >= old_size {
                    stop = Stop::Degenerate;
                    break;
                }
                old_size = size;
            }
        }
        let best = (0..=n)
            .min_by(|&a, &b| fv[a].total_cmp(&fv[b]))
            .unwrap_or(0);
        NelderMeadResult {
            x: p[best * n..(best + 1) * n].to_vec(),
            value: fv[best],
            evaluations: count,
            stop,
        }
    }
}

/// Puts `x` in place of vertex `j`, keeping the running sum of vertices.
fn replace(p: &mut [f64], sum: &mut [f64], j: usize, x: &[f64]) {
    let n = x.len();
    for i in 0..n {
        sum[i] += x[i] - p[j * n + i];
        p[j * n + i] = x[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadratic_minimum() {
        let r = NelderMead::new(2000).minimize(
            |x| (x[0] - 3.0).powi(2) + 2.0 * (x[1] + 1.0).powi(2) + 5.0,
            &[0.0, 0.0],
            &[1.0, 1.0],
        );
        assert_eq!(r.stop, Stop::Converged);
        assert!((r.value - 5.0).abs() < 1e-6);
    }

    #[test]
    fn infeasible_points_are_avoided() {
        let r = NelderMead::new(2000).minimize(
            |x| {
                if x[0] < 1.0 {
                    f64::INFINITY
                } else {
                    x[0] * x[0]
                }
            },
            &[2.0],
            &[0.5],
        );
        assert!(r.x[0] >= 1.0 && r.x[0] < 1.01, "{:?}", r.x);
    }

    #[test]
    fn respects_budget() {
        let r = NelderMead::new(50).minimize(
            |x| x.iter().map(|v| (v - 1.0).powi(4)).sum(),
            &[0.0; 6],
            &[0.1; 6],
        );
        assert!(r.evaluations <= 50 + 7);
        assert_eq!(r.stop, Stop::MaxEvaluations);
    }
}
