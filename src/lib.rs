#![doc = include_str!("../README.md")]

pub mod allocate;
pub mod allocate_time;
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
pub mod planning_calendar;
pub mod reconcile;
pub mod scenario;
pub mod select;
pub mod series;
pub mod stats;
pub mod sweep;
pub mod track;

pub use error::{Error, Result};
pub use series::Series;
