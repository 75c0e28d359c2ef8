//! Commitments, `commits.csv`: `node_id,amount` — what a rep or a manager
//! commits their unit will sell in the plan year (bottom-up), any node of
//! the org, each at most once.
//!
//! ```
//! use salesplan::plan::org::OrgTree;
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\n张伟,co\n".as_bytes(), "org.csv".as_ref())?;
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("commits.csv");
//! std::fs::write(&path, "node_id,amount\n张伟,1200\n").unwrap();
//! let commits = salesplan::io::read_commitments(&path, &tree, 2026)?;
//! assert_eq!(commits.own(tree.index_of("张伟").unwrap()), Some(1200.0));
//!
//! std::fs::write(&path, "node_id,amount\n张伟,-5\n").unwrap();
//! let err = salesplan::io::read_commitments(&path, &tree, 2026).unwrap_err();
//! assert!(err.to_string().ends_with("commits.csv:2: column 'amount': a commitment is an amount of 0 or more (value '-5')"));
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::path::Path;

use crate::error::Result;
use crate::plan::commitments::Commitments;
use crate::plan::org::OrgTree;

use super::read_table;

/// Reads `commits.csv` (module docs) for the nodes of `tree` and the plan
/// `year`.
pub fn read_commitments(path: &Path, tree: &OrgTree, year: i32) -> Result<Commitments> {
    let t = read_table(path, &["node_id", "amount"], &["node_id"])?;
    let ids = t.text("node_id").unwrap_or_default();
    let amounts = t.numbers("amount").unwrap_or_default();
    if ids.is_empty() {
        return Err(t.file_error("no commitments (the file has a header only)".into()));
    }
    let mut own: Vec<Option<f64>> = vec![None; tree.len()];
    let mut line_of = vec![0u64; tree.len()];
    for (k, id) in ids.iter().enumerate() {
        let node = tree
            .index_of(id)
            .ok_or_else(|| t.error_at(k, "node_id", id, "not a node of the org tree".into()))?;
        if own[node].is_some() {
            return Err(t.error_at(
                k,
                "node_id",
                id,
                format!("committed twice (first on line {})", line_of[node]),
            ));
        }
        let amount = amounts[k].ok_or_else(|| t.error_at(k, "amount", "", "empty".into()))?;
        if amount < 0.0 {
            return Err(t.error_at(
                k,
                "amount",
                &amount.to_string(),
                "a commitment is an amount of 0 or more".into(),
            ));
        }
        own[node] = Some(amount);
        line_of[node] = t.lines[k];
    }
    Commitments::new(tree, own, year)
}
