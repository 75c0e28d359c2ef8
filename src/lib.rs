#![doc = include_str!("../README.md")]

pub mod allocate_time;
pub mod batch;
pub mod calendar;
pub mod error;
pub mod io;
pub mod models;
pub mod optim;
pub mod planning_calendar;
pub mod series;
pub mod stats;

pub use error::{Error, Result};
pub use series::Series;
