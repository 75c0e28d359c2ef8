//! The organisation tree and aggregation of leaf sales to every node.
//!
//! [`OrgTree`] reads and validates `node_id,parent_id[,name][,start_date][,end_date]`
//! files and stores the tree sparse, in level order; [`OrgTree::aggregate`]
//! sums leaf values bottom-up.

use std::hash::Hasher;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use csv::ByteRecord;

use crate::error::{Error, Result};

/// Marks the root's parent in [`OrgTree::parent`].
const NO_PARENT: u32 = u32::MAX;

/// One row of an org-tree file, before validation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeRow {
    /// The node's id (a leaf's id is the `unique_id` of its sales history).
    pub id: String,
    /// The parent's id; `None` for the root.
    pub parent: Option<String>,
    /// A display name (any UTF-8), possibly empty.
    pub name: String,
    /// First day the node is active (a new hire's start date).
    pub start: Option<NaiveDate>,
    /// Last day the node is active (a leaver's end date).
    pub end: Option<NaiveDate>,
    /// The file line the row came from (for messages; 0 if none).
    pub line: u64,
}

/// A validated organisation tree: one root, no cycles, no orphans, no
/// duplicate ids.
///
/// Nodes are numbered `0..len()` in breadth-first (level) order, the root
/// first and the children of each node in byte order of their ids, so the
/// numbering depends only on the tree, never on the order of the input rows.
/// In this order the children of a node are consecutive and each level is a
/// consecutive range, so the structure is three flat arrays (parent index,
/// first-child offsets, level offsets): no dense summing matrix, about
/// 12 bytes per node besides the ids and names.
///
/// ```
/// use salesplan::plan::org::OrgTree;
/// let csv = "node_id,parent_id,name\nco,,公司\neast,co,华东\nwest,co,华西\nzhang,east,张伟\nli,east,李娜\n";
/// let tree = OrgTree::read_from(csv.as_bytes(), "org.csv".as_ref()).unwrap();
/// assert_eq!(tree.len(), 5);
/// let east = tree.index_of("east").unwrap();
/// let kids: Vec<&str> = tree.children(east).map(|c| tree.id(c)).collect();
/// assert_eq!(kids, ["li", "zhang"]);
/// assert_eq!(tree.name(tree.index_of("zhang").unwrap()), "张伟");
/// // leaf sales summed to every node
/// let mut sales = vec![0.0; tree.len()];
/// sales[tree.index_of("zhang").unwrap()] = 3.0;
/// sales[tree.index_of("li").unwrap()] = 4.0;
/// sales[tree.index_of("west").unwrap()] = 5.0;
/// let total = tree.aggregate(&sales).unwrap();
/// assert_eq!(total[tree.root()], 12.0);
/// assert_eq!(total[east], 7.0);
///
/// let cycle = "node_id,parent_id\nco,\na,b\nb,a\n";
/// let err = OrgTree::read_from(cycle.as_bytes(), "org.csv".as_ref()).unwrap_err();
/// assert!(err.to_string().contains("cycle"));
/// ```
#[derive(Debug, Clone)]
pub struct OrgTree {
    /// Ids, names, dates and lines stay in input order (no shuffling of a
    /// million strings); `order[node]` is the node's input row,
    /// `position[row]` the node a row became.
    ids: Vec<String>,
    names: Vec<String>,
    dates: Vec<(Option<NaiveDate>, Option<NaiveDate>)>,
    lines: Vec<u64>,
    order: Vec<u32>,
    position: Vec<u32>,
    parent: Vec<u32>,
    /// Children of `i` are `child_start[i]..child_start[i + 1]`.
    child_start: Vec<u32>,
    /// Nodes at depth `d` are `level_start[d]..level_start[d + 1]`.
    level_start: Vec<u32>,
    index: IdIndex,
}

impl OrgTree {
    /// Reads an org tree from a CSV file with the columns `node_id`,
    /// `parent_id` and optionally `name`, `start_date`, `end_date`
    /// (`YYYY-MM-DD`), in any order; other columns are ignored.
    pub fn read(path: &Path) -> Result<OrgTree> {
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        OrgTree::read_from(file, path)
    }

    /// As [`OrgTree::read`], from any reader; `path` names the source in errors.
    pub fn read_from<R: Read>(reader: R, path: &Path) -> Result<OrgTree> {
        let rows = read_rows(reader, path)?;
        OrgTree::from_rows(rows, path)
    }

    /// Validates rows and builds the tree. `path` names the source in errors.
    pub fn from_rows(rows: Vec<NodeRow>, path: &Path) -> Result<OrgTree> {
        let n = rows.len();
        if n == 0 {
            return Err(Error::File {
                path: path.to_path_buf(),
                reason: "no nodes".into(),
            });
        }
        if n >= NO_PARENT as usize {
            return Err(Error::File {
                path: path.to_path_buf(),
                reason: format!("too many nodes ({n})"),
            });
        }
        let mut index = IdIndex::with_capacity(n);
        for (i, row) in rows.iter().enumerate() {
            if let Err(first) = index.insert(i as u32, |k| rows[k as usize].id.as_str()) {
                return Err(Error::DuplicateNode {
                    path: path.to_path_buf(),
                    id: row.id.clone(),
                    first_line: rows[first as usize].line,
                    line: row.line,
                });
            }
        }
        // Parents, in input numbering.
        let mut parent = vec![NO_PARENT; n];
        let mut roots = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            match &row.parent {
                None => roots.push(i),
                Some(p) => match index.get(p, |k| rows[k as usize].id.as_str()) {
                    Some(j) => parent[i] = j,
                    None => {
                        return Err(Error::OrphanNode {
                            path: path.to_path_buf(),
                            id: row.id.clone(),
                            parent: p.clone(),
                            line: row.line,
                        })
                    }
                },
            }
        }
        let root = match roots.as_slice() {
            [] => {
                return Err(Error::NoRoot {
                    path: path.to_path_buf(),
                })
            }
            [r] => *r,
            _ => {
                return Err(Error::MultipleRoots {
                    path: path.to_path_buf(),
                    roots: roots
                        .iter()
                        .map(|&r| (rows[r].id.clone(), rows[r].line))
                        .collect(),
                })
            }
        };
        // Children in input numbering (CSR), each list sorted by id.
        let mut start = vec![0u32; n + 1];
        for &p in &parent {
            if p != NO_PARENT {
                start[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut kids = vec![0u32; n - 1];
        for (i, &p) in parent.iter().enumerate() {
            if p != NO_PARENT {
                kids[fill[p as usize] as usize] = i as u32;
                fill[p as usize] += 1;
            }
        }
        for i in 0..n {
            let list = &mut kids[start[i] as usize..start[i + 1] as usize];
            if list.len() > 1 {
                list.sort_unstable_by(|&a, &b| rows[a as usize].id.cmp(&rows[b as usize].id));
            }
        }
        // Breadth-first order from the root.
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut level_start = vec![0u32];
        order.push(root as u32);
        let mut head = 0;
        while head < order.len() {
            let level_end = order.len();
            level_start.push(level_end as u32);
            while head < level_end {
                let v = order[head] as usize;
                order.extend_from_slice(&kids[start[v] as usize..start[v + 1] as usize]);
                head += 1;
            }
        }
        if order.len() < n {
            return Err(cycle_error(&rows, &parent, &order, path));
        }
        debug_assert_eq!(*level_start.last().unwrap_or(&0) as usize, n);
        // Renumber into breadth-first order.
        let mut position = vec![0u32; n];
        for (k, &v) in order.iter().enumerate() {
            position[v as usize] = k as u32;
        }
        let mut ids = Vec::with_capacity(n);
        let mut names = Vec::with_capacity(n);
        let mut dates = Vec::with_capacity(n);
        let mut lines = Vec::with_capacity(n);
        for row in rows {
            ids.push(row.id);
            names.push(row.name);
            dates.push((row.start, row.end));
            lines.push(row.line);
        }
        let mut new_parent = Vec::with_capacity(n);
        let mut child_start = Vec::with_capacity(n + 1);
        let mut next_child = 1u32;
        for &v in &order {
            let v = v as usize;
            let p = parent[v];
            new_parent.push(if p == NO_PARENT {
                NO_PARENT
            } else {
                position[p as usize]
            });
            child_start.push(next_child);
            next_child += start[v + 1] - start[v];
        }
        child_start.push(next_child.min(n as u32));
        Ok(OrgTree {
            ids,
            names,
            dates,
            lines,
            order,
            position,
            parent: new_parent,
            child_start,
            level_start,
            index,
        })
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Always false: a tree has a root.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The root's index (always 0).
    pub fn root(&self) -> usize {
        0
    }

    /// The node's id.
    pub fn id(&self, node: usize) -> &str {
        &self.ids[self.order[node] as usize]
    }

    /// The node's name (empty if the file had none).
    pub fn name(&self, node: usize) -> &str {
        &self.names[self.order[node] as usize]
    }

    /// The node's start date, if any.
    pub fn start_date(&self, node: usize) -> Option<NaiveDate> {
        self.dates[self.order[node] as usize].0
    }

    /// The node's end date, if any.
    pub fn end_date(&self, node: usize) -> Option<NaiveDate> {
        self.dates[self.order[node] as usize].1
    }

    /// The file line the node was read from (0 if built in code without one).
    pub fn line(&self, node: usize) -> u64 {
        self.lines[self.order[node] as usize]
    }

    /// The index of the node with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index
            .get(id, |k| self.ids[k as usize].as_str())
            .map(|row| self.position[row as usize] as usize)
    }

    /// The parent's index (`None` for the root).
    pub fn parent(&self, node: usize) -> Option<usize> {
        let p = self.parent[node];
        (p != NO_PARENT).then_some(p as usize)
    }

    /// The children's indices: a consecutive range.
    pub fn children(&self, node: usize) -> std::ops::Range<usize> {
        self.child_start[node] as usize..self.child_start[node + 1] as usize
    }

    /// Whether the node has no children.
    pub fn is_leaf(&self, node: usize) -> bool {
        self.children(node).is_empty()
    }

    /// Number of levels (1 for a lone root).
    pub fn depth(&self) -> usize {
        self.level_start.len() - 1
    }

    /// The nodes at depth `level` (0 is the root): a consecutive range.
    pub fn level(&self, level: usize) -> std::ops::Range<usize> {
        self.level_start[level] as usize..self.level_start[level + 1] as usize
    }

    /// Sums leaf values to every node, bottom-up: entry `i` of the result is
    /// the sum over the leaves under node `i` (a leaf keeps its own value;
    /// values given for inner nodes are ignored). Children are added in their
    /// order, so the result is deterministic.
    pub fn aggregate(&self, values: &[f64]) -> Result<Vec<f64>> {
        let mut out = values.to_vec();
        self.aggregate_in_place(&mut out)?;
        Ok(out)
    }

    /// As [`OrgTree::aggregate`], overwriting the inner nodes' entries.
    pub fn aggregate_in_place(&self, values: &mut [f64]) -> Result<()> {
        if values.len() != self.len() {
            return Err(Error::InvalidParameter {
                name: "values",
                reason: format!("{} values for {} nodes", values.len(), self.len()),
            });
        }
        for i in (0..self.len()).rev() {
            let kids = self.children(i);
            if !kids.is_empty() {
                let mut sum = 0.0;
                for &v in &values[kids] {
                    sum += v;
                }
                values[i] = sum;
            }
        }
        Ok(())
    }
}

/// An open-addressing hash table of node numbers keyed by their ids, which
/// stay in the tree's own vector (no second copy of a million strings).
#[derive(Debug, Clone)]
struct IdIndex {
    slots: Vec<u32>,
    mask: usize,
}

const EMPTY: u32 = u32::MAX;

fn hash_id(id: &str) -> usize {
    let mut h = IdHasher::default();
    h.write(id.as_bytes());
    h.finish() as usize
}

impl IdIndex {
    fn with_capacity(n: usize) -> IdIndex {
        let size = (2 * n).next_power_of_two().max(8);
        IdIndex {
            slots: vec![EMPTY; size],
            mask: size - 1,
        }
    }

    /// Inserts `k`; `Err(first)` if an entry with the same id exists.
    fn insert<'a>(
        &mut self,
        k: u32,
        id_of: impl Fn(u32) -> &'a str,
    ) -> std::result::Result<(), u32> {
        let id = id_of(k);
        let mut slot = hash_id(id) & self.mask;
        loop {
            let there = self.slots[slot];
            if there == EMPTY {
                self.slots[slot] = k;
                return Ok(());
            }
            if id_of(there) == id {
                return Err(there);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    fn get<'a>(&self, id: &str, id_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        let mut slot = hash_id(id) & self.mask;
        loop {
            let there = self.slots[slot];
            if there == EMPTY {
                return None;
            }
            if id_of(there) == id {
                return Some(there);
            }
            slot = (slot + 1) & self.mask;
        }
    }
}

/// FxHash (as in rustc): fast, good enough for ids read from a file.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = (self.0.rotate_left(5) ^ bytes.len() as u64).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        // spread the high bits down: the table uses the low bits
        self.0 ^ (self.0 >> 29)
    }
}

/// Finds one cycle among the nodes the breadth-first walk did not reach.
fn cycle_error(rows: &[NodeRow], parent: &[u32], reached: &[u32], path: &Path) -> Error {
    let n = rows.len();
    let mut seen = vec![false; n];
    for &v in reached {
        seen[v as usize] = true;
    }
    let start = (0..n).find(|&i| !seen[i]).unwrap_or(0);
    // Walk up n steps: we are then on the cycle.
    let mut v = start;
    for _ in 0..n {
        v = parent[v] as usize;
    }
    let mut cycle = vec![(rows[v].id.clone(), rows[v].line)];
    let mut w = parent[v] as usize;
    while w != v && cycle.len() <= n {
        cycle.push((rows[w].id.clone(), rows[w].line));
        w = parent[w] as usize;
    }
    Error::Cycle {
        path: path.to_path_buf(),
        nodes: cycle,
    }
}

fn read_rows<R: Read>(reader: R, path: &Path) -> Result<Vec<NodeRow>> {
    let file_error = |reason: String| Error::File {
        path: path.to_path_buf(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(reader);
    let headers = reader
        .byte_headers()
        .map_err(|e| csv_error(e, path))?
        .clone();
    let find = |name: &str| {
        headers.iter().position(|h| {
            let h = h.strip_prefix(b"\xef\xbb\xbf").unwrap_or(h);
            h == name.as_bytes()
        })
    };
    let id_col = find("node_id").ok_or_else(|| file_error("no 'node_id' column".into()))?;
    let parent_col = find("parent_id").ok_or_else(|| file_error("no 'parent_id' column".into()))?;
    let name_col = find("name");
    let start_col = find("start_date");
    let end_col = find("end_date");
    let mut rows = Vec::new();
    let mut record = ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(e, path))?
    {
        let line = record.position().map_or(0, |p| p.line());
        let input = |column: &str, value: &[u8], reason: &str| Error::Input {
            path: path.to_path_buf(),
            line,
            column: column.to_string(),
            value: Some(String::from_utf8_lossy(value).into_owned()),
            reason: reason.to_string(),
        };
        let text = |k: usize, column: &str| -> Result<String> {
            let bytes = record.get(k).unwrap_or_default();
            std::str::from_utf8(bytes)
                .map(str::to_string)
                .map_err(|_| input(column, bytes, "not valid UTF-8"))
        };
        let date = |k: Option<usize>, column: &str| -> Result<Option<NaiveDate>> {
            let Some(k) = k else { return Ok(None) };
            let t = text(k, column)?;
            if t.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| input(column, t.as_bytes(), "not a date (expected YYYY-MM-DD)"))
        };
        let id = text(id_col, "node_id")?;
        if id.is_empty() {
            return Err(input("node_id", b"", "empty node id"));
        }
        let parent = text(parent_col, "parent_id")?;
        let name = match name_col {
            Some(k) => text(k, "name")?,
            None => String::new(),
        };
        let start = date(start_col, "start_date")?;
        let end = date(end_col, "end_date")?;
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                return Err(input(
                    "end_date",
                    e.to_string().as_bytes(),
                    &format!("end date before start date {s}"),
                ));
            }
        }
        rows.push(NodeRow {
            id,
            parent: (!parent.is_empty()).then_some(parent),
            name,
            start,
            end,
            line,
        });
    }
    Ok(rows)
}

fn csv_error(e: csv::Error, path: &Path) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io {
            path: path.to_path_buf(),
            source,
        },
        kind => Error::Input {
            path: PathBuf::from(path),
            line,
            column: String::new(),
            value: None,
            reason: format!("{kind:?}"),
        },
    }
}

/// A random tree for tests and benchmarks: `levels` levels below the root,
/// about `n` nodes in all, level sizes growing geometrically, each node's
/// parent drawn uniformly from the level above (every inner node keeps at
/// least one child). Seeded: the same arguments give the same tree.
///
/// ```
/// let rows = salesplan::plan::org::random_tree_rows(1000, 4, 7);
/// let tree = salesplan::plan::org::OrgTree::from_rows(rows, "random".as_ref()).unwrap();
/// assert_eq!(tree.depth(), 5);
/// ```
pub fn random_tree_rows(n: usize, levels: usize, seed: u64) -> Vec<NodeRow> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let levels = levels.max(1);
    // sizes s_d = r^d with sum ≈ n
    let mut r = 2.0f64;
    for _ in 0..100 {
        let total: f64 = (0..=levels).map(|d| r.powi(d as i32)).sum();
        r *= (n.max(levels + 1) as f64 / total).powf(1.0 / levels as f64);
    }
    let mut sizes: Vec<usize> = (0..=levels)
        .map(|d| (r.powi(d as i32).round() as usize).max(1))
        .collect();
    sizes[0] = 1;
    for d in 1..=levels {
        sizes[d] = sizes[d].max(sizes[d - 1]);
    }
    let mut rows = vec![NodeRow {
        id: "n0".into(),
        ..NodeRow::default()
    }];
    let mut above = 0..1;
    for &size in &sizes[1..] {
        let first = rows.len();
        let parents = above.len();
        for k in 0..size {
            let p = if k < parents {
                above.start + k
            } else {
                above.start + rng.random_range(0..parents)
            };
            let i = rows.len();
            rows.push(NodeRow {
                id: format!("n{i}"),
                parent: Some(format!("n{p}")),
                line: i as u64 + 2,
                ..NodeRow::default()
            });
        }
        above = first..rows.len();
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<OrgTree> {
        OrgTree::read_from(text.as_bytes(), "org.csv".as_ref())
    }

    #[test]
    fn errors_name_ids_and_lines() {
        let e = read("node_id,parent_id\nco,\na,co\na,co\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "org.csv:4: duplicate node id 'a' (first defined on line 3)"
        );
        let e = read("node_id,parent_id\nco,\na,zz\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "org.csv:3: node 'a' has parent 'zz', which is not in the file"
        );
        let e = read("node_id,parent_id\nco,\nx,\n").unwrap_err();
        assert!(matches!(e, Error::MultipleRoots { ref roots, .. } if roots.len() == 2));
        assert!(e.to_string().contains("'x' (line 3)"));
        let e = read("node_id,parent_id\na,b\nb,a\n").unwrap_err();
        assert!(matches!(e, Error::NoRoot { .. }));
        let e = read("node_id,parent_id\nco,\na,c\nb,a\nc,b\nd,d\n").unwrap_err();
        match e {
            Error::Cycle { nodes, .. } => {
                let mut ids: Vec<_> = nodes.iter().map(|n| n.0.as_str()).collect();
                ids.sort();
                assert_eq!(ids, ["a", "b", "c"]);
            }
            other => panic!("{other}"),
        }
        let e = read("node_id,parent_id,start_date\nco,,2024-13-01\n").unwrap_err();
        assert!(e.to_string().starts_with("org.csv:2: column 'start_date'"));
        let e =
            read("node_id,parent_id,start_date,end_date\nco,,2024-03-01,2024-02-01\n").unwrap_err();
        assert!(e.to_string().contains("before start date"));
    }

    #[test]
    fn order_independent_of_rows() {
        let a = read("node_id,parent_id,name\nco,,公司\nb,co,乙\na,co,甲\nc,a,丙\n").unwrap();
        let b = read("node_id,parent_id,name\nc,a,丙\na,co,甲\nb,co,乙\nco,,公司\n").unwrap();
        let ids = |t: &OrgTree| {
            (0..t.len())
                .map(|i| t.id(i).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(ids(&a), ["co", "a", "b", "c"]);
        assert_eq!(a.parent, b.parent);
        assert_eq!(a.depth(), 3);
        assert_eq!(a.level(1), 1..3);
        assert_eq!(a.children(1), 3..4);
        assert!(a.is_leaf(2));
        assert_eq!(a.name(3), "丙");
    }

    #[test]
    fn million_nodes() {
        let rows = random_tree_rows(1_000_000, 4, 1);
        let n = rows.len();
        let mut csv = String::from("node_id,parent_id,name\n");
        for r in &rows {
            csv.push_str(&format!(
                "{},{},销售{}\n",
                r.id,
                r.parent.as_deref().unwrap_or(""),
                r.line
            ));
        }
        let t0 = std::time::Instant::now();
        let from_csv = OrgTree::read_from(csv.as_bytes(), "big.csv".as_ref()).unwrap();
        eprintln!("1M-row CSV read and validated in {:?}", t0.elapsed());
        assert_eq!(from_csv.len(), n);
        let t0 = std::time::Instant::now();
        let tree = OrgTree::from_rows(rows, "random".as_ref()).unwrap();
        let built = t0.elapsed();
        assert_eq!(tree.len(), n);
        assert_eq!(tree.depth(), 5);
        let ones = vec![1.0; n];
        let leaves = (0..n).filter(|&i| tree.is_leaf(i)).count();
        let total = tree.aggregate(&ones).unwrap();
        assert_eq!(total[0], leaves as f64);
        eprintln!("1M-node tree validated in {built:?}");
    }
}
