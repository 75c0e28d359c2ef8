//! Reading a hierarchy (`node_id,parent_id`) from CSV.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::reconcile::Hierarchy;

/// Reads `node_id,parent_id` rows (other columns ignored; the root has an
/// empty `parent_id`) into node ids and a [`Hierarchy`] whose node `i` is
/// `ids[i]`. Errors name the file, line and id: missing columns, empty or
/// duplicate ids, unknown parents, several or no roots, cycles.
///
/// ```
/// use salesplan::io::read_hierarchy_from;
/// let text = "node_id,parent_id\n公司,\n华东,公司\n张伟,华东\n";
/// let (ids, h) = read_hierarchy_from(text.as_bytes(), "org.csv".as_ref()).unwrap();
/// assert_eq!(h.leaves().iter().map(|&l| ids[l].as_str()).collect::<Vec<_>>(), ["张伟"]);
/// let bad = "node_id,parent_id\na,\nb,c\n";
/// let err = read_hierarchy_from(bad.as_bytes(), "org.csv".as_ref()).unwrap_err();
/// assert_eq!(err.to_string(), "org.csv:3: column 'parent_id': no node has this id (value 'c')");
/// ```
pub fn read_hierarchy(path: &Path) -> Result<(Vec<String>, Hierarchy)> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_hierarchy_from(file, path)
}

/// As [`read_hierarchy`], from any reader; `path` names the source in errors.
pub fn read_hierarchy_from<R: std::io::Read>(
    reader: R,
    path: &Path,
) -> Result<(Vec<String>, Hierarchy)> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let file_error = |reason: String| Error::File {
        path: path.to_path_buf(),
        reason,
    };
    let headers = rdr
        .headers()
        .map_err(|e| file_error(format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| {
                file_error(format!(
                    "no column '{name}' (found: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ))
            })
    };
    let (id_col, parent_col) = (col("node_id")?, col("parent_id")?);
    let input_error = |line: u64, column: &str, value: &str, reason: &str| Error::Input {
        path: path.to_path_buf(),
        line,
        column: column.to_string(),
        value: Some(value.to_string()),
        reason: reason.to_string(),
    };
    let mut ids = Vec::new();
    let mut parents_text = Vec::new();
    let mut lines = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for record in rdr.records() {
        let record = record.map_err(|e| file_error(e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let id = record.get(id_col).unwrap_or("").to_string();
        if id.is_empty() {
            return Err(input_error(line, "node_id", "", "empty node id"));
        }
        if let Some(&first) = index.get(&id) {
            return Err(input_error(
                line,
                "node_id",
                &id,
                &format!("duplicate node id (first on line {})", lines[first]),
            ));
        }
        index.insert(id.clone(), ids.len());
        ids.push(id);
        parents_text.push(record.get(parent_col).unwrap_or("").to_string());
        lines.push(line);
    }
    if ids.is_empty() {
        return Err(file_error("no nodes".into()));
    }
    let mut parents = Vec::with_capacity(ids.len());
    for (i, p) in parents_text.iter().enumerate() {
        if p.is_empty() {
            parents.push(None);
        } else {
            match index.get(p) {
                Some(&j) if j == i => {
                    return Err(input_error(
                        lines[i],
                        "parent_id",
                        p,
                        "a node cannot be its own parent",
                    ))
                }
                Some(&j) => parents.push(Some(j)),
                None => return Err(input_error(lines[i], "parent_id", p, "no node has this id")),
            }
        }
    }
    let roots: Vec<usize> = (0..ids.len()).filter(|&i| parents[i].is_none()).collect();
    match roots.len() {
        1 => {}
        0 => {
            return Err(file_error(
                "no root: every node has a parent, so the tree has a cycle".into(),
            ))
        }
        _ => {
            let names: Vec<String> = roots
                .iter()
                .take(5)
                .map(|&r| format!("'{}' (line {})", ids[r], lines[r]))
                .collect();
            return Err(file_error(format!(
                "{} roots (nodes without parent): {}",
                roots.len(),
                names.join(", ")
            )));
        }
    }
    // a node that never reaches the root is on (or below) a cycle
    let mut state = vec![0u8; ids.len()]; // 0 unknown, 1 in progress, 2 reaches root
    state[roots[0]] = 2;
    for start in 0..ids.len() {
        let mut path = Vec::new();
        let mut v = start;
        while state[v] == 0 {
            state[v] = 1;
            path.push(v);
            v = parents[v].unwrap_or(roots[0]);
        }
        if state[v] == 1 {
            let cycle_start = path.iter().position(|&x| x == v).unwrap_or(0);
            let cycle: Vec<String> = path[cycle_start..]
                .iter()
                .map(|&x| format!("'{}' (line {})", ids[x], lines[x]))
                .collect();
            return Err(file_error(format!(
                "cycle in the hierarchy: {}",
                cycle.join(" → ")
            )));
        }
        path.iter().for_each(|&x| state[x] = 2);
    }
    let h = Hierarchy::from_parents(&parents)?;
    Ok((ids, h))
}
