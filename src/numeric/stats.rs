//! Checked statistical helpers: quantiles and level validation.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::error::{Error, Result};

/// The standard normal quantile at probability `p` in (0, 1).
///
/// ```
/// let z = salesplan::numeric::stats::normal_quantile(0.975).unwrap();
/// assert!((z - 1.959964).abs() < 1e-6);
/// assert!(salesplan::numeric::stats::normal_quantile(1.0).is_err());
/// ```
pub fn normal_quantile(p: f64) -> Result<f64> {
    if !(p > 0.0 && p < 1.0) {
        return Err(Error::InvalidParameter {
            name: "probability",
            reason: format!("must be strictly between 0 and 1, got {p}"),
        });
    }
    let normal = Normal::standard();
    Ok(normal.inverse_cdf(p))
}

/// The quantile of Student's t with `df` degrees of freedom at `p` in (0, 1).
///
/// ```
/// let t = salesplan::numeric::stats::student_t_quantile(0.975, 10.0).unwrap();
/// assert!((t - 2.228139).abs() < 1e-6);
/// ```
pub fn student_t_quantile(p: f64, df: f64) -> Result<f64> {
    normal_quantile(p)?; // validates p
    if !(df > 0.0 && df.is_finite()) {
        return Err(Error::InvalidParameter {
            name: "degrees of freedom",
            reason: format!("must be positive and finite, got {df}"),
        });
    }
    let t = StudentsT::new(0.0, 1.0, df).map_err(|e| Error::InvalidParameter {
        name: "degrees of freedom",
        reason: e.to_string(),
    })?;
    Ok(t.inverse_cdf(p))
}

/// Checks prediction-interval levels, in percent: each in (0, 100).
pub fn check_levels(levels: &[f64]) -> Result<()> {
    match levels.iter().find(|l| !(**l > 0.0 && **l < 100.0)) {
        Some(l) => Err(Error::InvalidParameter {
            name: "level",
            reason: format!("interval levels are percentages strictly between 0 and 100, got {l}"),
        }),
        None => Ok(()),
    }
}

/// Quantile of sorted data by Hyndman & Fan's type 8 (median-unbiased; R's
/// choice for simulated forecast intervals).
pub fn quantile_type8(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let h = (nf + 1.0 / 3.0) * p + 1.0 / 3.0; // 1-based position
    if h <= 1.0 {
        return sorted[0];
    }
    if h >= nf {
        return sorted[n - 1];
    }
    let j = h.floor();
    let g = h - j;
    let j = j as usize;
    sorted[j - 1] + g * (sorted[j] - sorted[j - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type8_matches_r() {
        // R: quantile(1:10, c(0.1, 0.5, 0.975), type = 8) = 1.366667 5.5 10
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile_type8(&x, 0.1) - 1.366_666_666_666_667).abs() < 1e-12);
        assert!((quantile_type8(&x, 0.5) - 5.5).abs() < 1e-12);
        assert_eq!(quantile_type8(&x, 0.975), 10.0);
    }
}
