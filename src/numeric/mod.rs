//! Numerical foundations shared by the stages: checked quantiles and
//! levels ([`stats`]), small solvers for hot loops ([`optim`]).

pub mod optim;
pub mod stats;
