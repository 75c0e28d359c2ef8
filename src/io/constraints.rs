//! Reading per-node planning constraints (`constraints.csv`).
//!
//! Columns: `node_id` plus any of `min`, `max`, `growth_min`, `growth_max`,
//! `lock`, `over_assignment` and `potential` (a basis column); an empty
//! cell is "not set". Unknown columns, unknown or repeated nodes and cells
//! that are not finite numbers are errors naming the file, line, column and
//! value.
//!
//! ```
//! use salesplan::io::read_constraints_from;
//! use salesplan::plan::org::OrgTree;
//! let tree = OrgTree::read_from("node_id,parent_id\nco,\n张伟,co\n".as_bytes(), "org.csv".as_ref())?;
//! let text = "node_id,max,potential\n张伟,1200,900\n";
//! let c = read_constraints_from(text.as_bytes(), "constraints.csv".as_ref(), &tree)?;
//! let rep = tree.index_of("张伟").unwrap();
//! assert_eq!(c.nodes[rep].max, Some(1200.0));
//! assert_eq!(c.potential[rep], 900.0);
//! assert!(read_constraints_from("node_id,maxi\n".as_bytes(), "c.csv".as_ref(), &tree).is_err());
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::format::{cell_error, csv_file_error, csv_with_headers};
use crate::plan::allocate::{NodeConstraints, PlanConstraints};
use crate::plan::org::OrgTree;

/// The columns a constraints file may have, `node_id` first.
const COLUMNS: [&str; 8] = [
    "node_id",
    "min",
    "max",
    "growth_min",
    "growth_max",
    "lock",
    "over_assignment",
    "potential",
];

/// Reads a constraints file for the nodes of `tree`.
pub fn read_constraints(path: &Path, tree: &OrgTree) -> Result<PlanConstraints> {
    let (file, name) = super::open_input(path)?;
    read_constraints_from(file, &name, tree)
}

/// As [`read_constraints`], from any reader (`path` names it in errors).
pub fn read_constraints_from<R: Read>(
    reader: R,
    path: &Path,
    tree: &OrgTree,
) -> Result<PlanConstraints> {
    let (mut reader, headers) = csv_with_headers(reader, path)?;
    let find = |name: &str| headers.iter().position(|h| h == name);
    let file_error = |reason: String| Error::File {
        path: path.to_path_buf(),
        reason,
    };
    let Some(id_col) = find("node_id") else {
        return Err(file_error("no 'node_id' column".into()));
    };
    if let Some(h) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(file_error(format!(
            "unknown column '{h}' (expected {})",
            COLUMNS.join(", ")
        )));
    }
    let columns: Vec<Option<usize>> = COLUMNS[1..].iter().map(|k| find(k)).collect();
    let mut out = PlanConstraints::none(tree.len());
    let mut seen = vec![0u64; tree.len()];
    for record in reader.records() {
        let record = record.map_err(|e| csv_file_error(e, path))?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = cell_error(path, line);
        let id = record.get(id_col).unwrap_or_default();
        let Some(node) = tree.index_of(id) else {
            return Err(bad("node_id", id, "not a node of the org tree".into()));
        };
        if seen[node] > 0 {
            return Err(bad(
                "node_id",
                id,
                format!("constraints given twice (first on line {})", seen[node]),
            ));
        }
        seen[node] = line;
        let mut values = [None; 7];
        for (k, col) in columns.iter().enumerate() {
            let Some(col) = col else { continue };
            let text = record.get(*col).unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            let v: f64 = text
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| bad(COLUMNS[k + 1], text, "not a number".into()))?;
            values[k] = Some(v);
        }
        out.nodes[node] = NodeConstraints {
            min: values[0],
            max: values[1],
            growth_min: values[2],
            growth_max: values[3],
            lock: values[4],
            over_assignment: values[5],
        };
        out.potential[node] = values[6].unwrap_or(0.0);
    }
    Ok(out)
}
