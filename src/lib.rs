#![doc = include_str!("../README.md")]

pub mod allocate;
pub mod attainment;
pub mod backtest;
pub mod batch;
pub mod calendar;
pub mod error;
pub mod hierarchy;
pub mod io;
pub mod metrics;
pub mod models;
pub mod optim;
pub mod reconcile;
pub mod scenario;
pub mod series;
pub mod stats;
pub mod sweep;
pub mod track;

pub use error::{Error, Result};
pub use series::Series;
