//! Small, allocation-light solvers for the hot loops of model fitting,
//! each following R's `optim` where agreement with R is tested: the
//! Nelder–Mead simplex (ETS, Theta) and the variable-metric BFGS of Nash
//! (ARIMA's likelihoods; [`variable_metric`] says why not `argmin`'s).

pub mod nelder_mead;
pub mod variable_metric;

pub use nelder_mead::{NelderMead, NelderMeadResult, Stop};
pub use variable_metric::{CentralDifferences, Objective, VariableMetric, VariableMetricResult};
