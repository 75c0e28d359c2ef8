//! The basis of each child's share: named columns blended with weights.

use crate::error::{Error, Result};

/// A weighted blend of named basis columns (`history`, `forecast`,
/// `potential`, `equal` ...).
///
/// Each column is first normalised to shares of its own total, so columns in
/// different units blend sensibly; the blend is the weighted mean of the
/// shares (weights normalised to sum to 1).
///
/// ```
/// use salesplan::plan::allocate::Basis;
/// let basis: Basis = "forecast:0.6,history:0.4".parse().unwrap();
/// let history = [30.0, 10.0];
/// let forecast = [100.0, 100.0];
/// let blend = basis.blend(&[("history", &history), ("forecast", &forecast)]).unwrap();
/// assert!((blend[0] - (0.6 * 0.5 + 0.4 * 0.75)).abs() < 1e-15);
/// assert!("history:-1".parse::<Basis>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    parts: Vec<(String, f64)>,
}

impl Default for Basis {
    /// Last year's actual alone (`history:1`).
    fn default() -> Basis {
        Basis {
            parts: vec![("history".into(), 1.0)],
        }
    }
}

impl Basis {
    /// An empty blend; add columns with [`Basis::with`].
    pub fn new() -> Basis {
        Basis { parts: Vec::new() }
    }

    /// Adds a column with a weight (non-negative, finite).
    pub fn with(mut self, column: &str, weight: f64) -> Result<Basis> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "basis",
                reason: format!("weight {weight} of '{column}' is not a non-negative number"),
            });
        }
        if self.parts.iter().any(|(c, _)| c == column) {
            return Err(Error::InvalidParameter {
                name: "basis",
                reason: format!("'{column}' is given twice"),
            });
        }
        self.parts.push((column.to_string(), weight));
        Ok(self)
    }

    /// The columns and their weights.
    pub fn parts(&self) -> &[(String, f64)] {
        &self.parts
    }

    /// Whether the blend uses this column.
    pub fn uses(&self, column: &str) -> bool {
        self.parts.iter().any(|(c, w)| c == column && *w > 0.0)
    }

    /// Blends the named columns (all the same length; `equal` needs no
    /// column). Negative values count as zero. A used column summing to zero
    /// is an error.
    pub fn blend(&self, columns: &[(&str, &[f64])]) -> Result<Vec<f64>> {
        let total_weight: f64 = self.parts.iter().map(|p| p.1).sum();
        if total_weight.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(Error::InvalidParameter {
                name: "basis",
                reason: "no column with a positive weight".into(),
            });
        }
        let n = columns.first().map_or(0, |c| c.1.len());
        let mut out = vec![0.0; n];
        for (name, weight) in &self.parts {
            if *weight == 0.0 {
                continue;
            }
            let share = weight / total_weight;
            if name == "equal" {
                out.iter_mut().for_each(|o| *o += share / n as f64);
                continue;
            }
            let Some((_, values)) = columns.iter().find(|(c, _)| c == name) else {
                return Err(Error::InvalidParameter {
                    name: "basis",
                    reason: format!("no basis column '{name}'"),
                });
            };
            if values.len() != n {
                return Err(Error::InvalidParameter {
                    name: "basis",
                    reason: format!("column '{name}' has {} values, not {n}", values.len()),
                });
            }
            let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
            if !(total > 0.0 && total.is_finite()) {
                return Err(Error::InvalidParameter {
                    name: "basis",
                    reason: match name.as_str() {
                        "history" => "no one sold anything in the year before the plan year, so last year's sales (the `history` basis) cannot split the target: give that year's sales, or choose another basis (trailing, forecast, equal)".into(),
                        "trailing" => "no one sold anything in the trailing months before the plan year, so the `trailing` basis cannot split the target: choose another basis".into(),
                        "forecast" => "every forecast of the plan year is zero, so the `forecast` basis cannot split the target: choose another basis".into(),
                        "potential" => "the potential column of the constraints is zero (or missing) for every node, so the `potential` basis cannot split the target".into(),
                        _ => format!("column '{name}' sums to {total}"),
                    },
                });
            }
            for (o, v) in out.iter_mut().zip(values.iter()) {
                *o += share * v.max(0.0) / total;
            }
        }
        Ok(out)
    }
}

impl std::str::FromStr for Basis {
    type Err = Error;

    /// `column:weight[,column:weight...]`; a bare column has weight 1.
    fn from_str(s: &str) -> Result<Basis> {
        let mut basis = Basis::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (column, weight) = match part.split_once(':') {
                Some((c, w)) => (
                    c.trim(),
                    w.trim()
                        .parse::<f64>()
                        .map_err(|_| Error::InvalidParameter {
                            name: "basis",
                            reason: format!("'{w}' is not a weight in '{part}'"),
                        })?,
                ),
                None => (part, 1.0),
            };
            basis = basis.with(column, weight)?;
        }
        if basis.parts.is_empty() {
            return Err(Error::InvalidParameter {
                name: "basis",
                reason: format!("'{s}' names no column"),
            });
        }
        Ok(basis)
    }
}
