//! Helpers shared by the integration tests (each test crate uses a part,
//! hence `dead_code` is allowed).
#![allow(dead_code)]

pub mod cli;
pub mod demo_run;
pub mod qp;
