//! The organisation tree and aggregation of leaf sales to every node.
//!
//! [`OrgTree`] reads and validates `node_id,parent_id[,name][,start_date][,end_date]`
//! files and stores the tree sparse, in level order; [`OrgTree::aggregate`]
//! sums leaf values bottom-up.

mod tree;

pub use tree::{random_tree_rows, NodeRow, OrgTree};
