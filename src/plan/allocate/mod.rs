//! Constrained splitting of targets down the org tree, and rounding.
//!
//! * [`split_into`] / [`water_fill_into`]: one parent's target among its
//!   children, the exact weighted-least-squares (or capped proportional)
//!   split under bounds and locks, by water-filling over sorted breakpoints.
//! * [`round_split_into`]: whole units, total kept, largest remainder.
//! * [`allocate`]: a whole tree, level by level, subtrees in parallel.
//! * [`check_plan`]: checks a plan against every constraint, after the fact.
//! * [`Basis`] blends basis columns; [`Ramp`] turns start and end dates into
//!   an activity factor for the plan year.

mod basis;
mod check;
mod ramp;
mod split;
mod tree;

pub use basis::Basis;
pub use check::check_plan;
pub use ramp::{is_new, new_hire_basis, peers_basis, Ramp};
pub use split::{
    objective, round_split_into, split_into, water_fill_into, Infeasibility, Method, Workspace,
};
pub use tree::{
    allocate, Allocation, AllocationInput, AllocationOptions, BoundSource, NodeConstraints,
    PlanConstraints,
};
