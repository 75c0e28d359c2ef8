//! Effective-dated changes, `changes.csv`: `date,node,from,to,share`, one
//! row per change (what each kind means: [`crate::plan::changes`]); ids
//! are UTF-8 text, `date` a day (`2026-07-01`), `share` empty or a number.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("changes.csv");
//! std::fs::write(&path, "date,node,from,to,share\n2026-07-01,上海一部,华东,华北,\n2026-04-16,客户17,张伟,李娜,0.25\n").unwrap();
//! let changes = salesplan::io::read_changes(&path)?;
//! assert_eq!((changes[0].node.as_str(), changes[0].to.as_deref()), ("上海一部", Some("华北")));
//! assert_eq!((changes[1].share, changes[1].line), (Some(0.25), 3));
//!
//! std::fs::write(&path, "date,node,from,to,share\n2026-13-01,a,b,c,\n").unwrap();
//! let err = salesplan::io::read_changes(&path).unwrap_err();
//! assert!(err.to_string().contains("changes.csv:2: column 'date'"));
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::path::Path;

use chrono::NaiveDate;

use crate::error::Result;
use crate::plan::changes::Change;

use super::read_table;

/// Reads `changes.csv` (module docs); the rows' meaning is checked against
/// the org and the plan by [`revise`](crate::plan::changes::revise).
pub fn read_changes(path: &Path) -> Result<Vec<Change>> {
    let t = read_table(
        path,
        &["date", "node", "from", "to"],
        &["date", "node", "from", "to"],
    )?;
    let dates = t.text("date").unwrap_or_default();
    let nodes = t.text("node").unwrap_or_default();
    let from = t.text("from").unwrap_or_default();
    let to = t.text("to").unwrap_or_default();
    let shares = t.numbers("share");
    if dates.is_empty() {
        return Err(t.file_error("no changes (the file has a header only)".into()));
    }
    let mut out = Vec::with_capacity(dates.len());
    for k in 0..dates.len() {
        let date = NaiveDate::parse_from_str(dates[k].trim(), "%Y-%m-%d")
            .map_err(|_| t.error_at(k, "date", &dates[k], "not a date (YYYY-MM-DD)".into()))?;
        let node = nodes[k].trim();
        if node.is_empty() {
            return Err(t.error_at(k, "node", "", "empty".into()));
        }
        let text = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
        let (from, to) = (text(&from[k]), text(&to[k]));
        if from.is_none() && to.is_none() {
            return Err(t.error_at(k, "to", "", "'from' and 'to' both empty: say where the node goes (or, for a leaver, which parent it leaves)".into()));
        }
        out.push(Change {
            date,
            node: node.to_string(),
            from,
            to,
            share: shares.and_then(|s| s[k]),
            line: t.lines.get(k).copied().unwrap_or(0),
        });
    }
    Ok(out)
}
