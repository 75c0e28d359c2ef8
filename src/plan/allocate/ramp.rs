//! New hires and leavers: how much of the plan year a node is active.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::plan::org::OrgTree;

/// A ramp curve: the fraction of full productivity in a rep's first,
/// second, ... month of tenure; after the curve ends, 100%.
///
/// ```
/// use salesplan::plan::allocate::Ramp;
/// use chrono::NaiveDate;
/// let ramp = Ramp::new(vec![0.25, 0.5, 0.75]).unwrap();
/// let start = NaiveDate::from_ymd_opt(2027, 10, 15);
/// // October 25%, November 50%, December 75%: (0.25+0.5+0.75)/12
/// assert!((ramp.annual_factor(start, None, 2027) - 0.125).abs() < 1e-15);
/// // a leaver whose last day is 2027-03-10 works January to March
/// let end = NaiveDate::from_ymd_opt(2027, 3, 10);
/// assert_eq!(ramp.annual_factor(None, end, 2027), 0.25);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ramp {
    steps: Vec<f64>,
}

impl Default for Ramp {
    /// 25%, 50%, 75%, then 100%.
    fn default() -> Ramp {
        Ramp {
            steps: vec![0.25, 0.5, 0.75],
        }
    }
}

impl std::str::FromStr for Ramp {
    type Err = Error;

    /// Comma-separated monthly factors in `[0, 1]`, as `allocate --ramp`
    /// takes them: `0.25,0.5,0.75` (empty: no ramp).
    ///
    /// ```
    /// use salesplan::plan::allocate::Ramp;
    /// assert_eq!("0.5, 0.8".parse::<Ramp>()?.steps(), [0.5, 0.8]);
    /// assert!("".parse::<Ramp>()?.steps().is_empty());
    /// assert!("0.5,1.5".parse::<Ramp>().is_err());
    /// assert!("half".parse::<Ramp>().is_err());
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Ramp> {
        let steps = s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<f64>())
            .collect::<std::result::Result<Vec<f64>, _>>()
            .map_err(|e| Error::InvalidParameter {
                name: "ramp",
                reason: format!("'{s}' is not a list of numbers ({e})"),
            })?;
        Ramp::new(steps)
    }
}

impl Ramp {
    /// A ramp from monthly factors in `[0, 1]` (empty: no ramp).
    pub fn new(steps: Vec<f64>) -> Result<Ramp> {
        if let Some(s) = steps.iter().find(|s| !(0.0..=1.0).contains(*s)) {
            return Err(Error::InvalidParameter {
                name: "ramp",
                reason: format!("factor {s} is not between 0 and 1"),
            });
        }
        Ok(Ramp { steps })
    }

    /// No ramp: full productivity from the first month.
    pub fn none() -> Ramp {
        Ramp { steps: Vec::new() }
    }

    /// The monthly factors.
    pub fn steps(&self) -> &[f64] {
        &self.steps
    }

    /// The mean over the 12 months of `year` of the monthly factor: 0 before
    /// the start month and after the end date's month, the ramp factor of
    /// the tenure month (the start month is month 1) in between.
    pub fn annual_factor(
        &self,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        year: i32,
    ) -> f64 {
        self.monthly_factors(start, end, year).iter().sum::<f64>() / 12.0
    }

    /// The factor of each calendar month of `year` (see
    /// [`annual_factor`](Self::annual_factor)).
    ///
    /// ```
    /// use salesplan::plan::allocate::Ramp;
    /// use chrono::NaiveDate;
    /// let f = Ramp::default().monthly_factors(NaiveDate::from_ymd_opt(2027, 10, 15), None, 2027);
    /// assert_eq!(f[8..], [0.0, 0.25, 0.5, 0.75]);
    /// ```
    pub fn monthly_factors(
        &self,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        year: i32,
    ) -> [f64; 12] {
        let mut out = [0.0; 12];
        for (m, out) in out.iter_mut().enumerate() {
            let index = year as i64 * 12 + m as i64;
            if end.is_some_and(|e| (e.year() as i64 * 12 + e.month0() as i64) < index) {
                continue;
            }
            *out = match start {
                None => 1.0,
                Some(s) => {
                    let tenure = index - (s.year() as i64 * 12 + s.month0() as i64);
                    if tenure < 0 {
                        0.0
                    } else {
                        self.steps.get(tenure as usize).copied().unwrap_or(1.0)
                    }
                }
            };
        }
        out
    }

    /// The factor of every node of `tree` for `year`.
    pub fn factors(&self, tree: &OrgTree, year: i32) -> Vec<f64> {
        (0..tree.len())
            .map(|i| self.annual_factor(tree.start_date(i), tree.end_date(i), year))
            .collect()
    }
}

/// Whether a node started after the first day of the year before `year`, so
/// that last year's actual does not show a full year of selling.
pub fn is_new(tree: &OrgTree, node: usize, year: i32) -> bool {
    let Some(first) = NaiveDate::from_ymd_opt(year - 1, 1, 1) else {
        return false;
    };
    tree.start_date(node).is_some_and(|s| s > first)
}

/// Gives new leaves (see [`is_new`]) a basis: the mean basis of their
/// established sibling leaves (or of all sibling leaves if none is
/// established). The ramp factor is applied later, by the allocation.
pub fn new_hire_basis(tree: &OrgTree, basis: &mut [f64], year: i32) {
    let new: Vec<bool> = (0..tree.len())
        .map(|i| tree.is_leaf(i) && is_new(tree, i, year))
        .collect();
    peers_basis(tree, basis, &new);
}

/// Gives every leaf marked in `marked` the mean basis of its unmarked
/// sibling leaves (or of all its sibling leaves when every one is
/// marked): the basis of a new hire, or of a rep with no history of its
/// own.
pub fn peers_basis(tree: &OrgTree, basis: &mut [f64], marked: &[bool]) {
    for p in 0..tree.len() {
        let kids = tree.children(p);
        if !kids.clone().any(|c| marked[c]) {
            continue;
        }
        let mean = |unmarked_only: bool| {
            let values: Vec<f64> = kids
                .clone()
                .filter(|&c| tree.is_leaf(c) && (!unmarked_only || !marked[c]))
                .map(|c| basis[c])
                .collect();
            (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
        };
        let value = mean(true).or_else(|| mean(false)).unwrap_or(0.0);
        for c in kids.clone() {
            if marked[c] {
                basis[c] = value;
            }
        }
    }
}
