//! Small, allocation-light solvers for the hot loops of model fitting.

pub mod nelder_mead;

pub use nelder_mead::{NelderMead, NelderMeadResult, Stop};
