//! The files behind candidate company targets: contribution margins
//! (`margins.csv`) and a target market share path (`shares.csv`).
//!
//! `margins.csv`: `unit,margin[,mix]`. A unit is a product line (with its
//! share of revenue in `mix`, the mixes summing to 1) or a node of the org
//! (its `mix` may be left empty: its share of last year's sales is taken;
//! such nodes must not overlap and must cover all of last year's sales).
//!
//! `shares.csv`: `period,share`, a period being a year (`2026`: every month
//! of it) or a month (`2026-03`, which overrides its year's row); rows for
//! other years are ignored, so one file can hold the path for several years.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("shares.csv");
//! std::fs::write(&path, "period,share\n2025,0.08\n2026,0.09\n2026-12,0.12\n").unwrap();
//! let shares = salesplan::io::read_share_path(&path, 2026)?;
//! assert_eq!(shares[0], 0.09);
//! assert_eq!(shares[11], 0.12);
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::path::Path;

use crate::error::Result;
use crate::plan::org::OrgTree;
use crate::plan::target::Margin;

use super::read_table;

/// Reads `margins.csv`. `last_year` holds each leaf's sales of the year
/// before the plan year (indexed by node), for the units that are nodes
/// with an empty `mix`.
pub fn read_margins(path: &Path, tree: &OrgTree, last_year: &[f64]) -> Result<Vec<Margin>> {
    let t = read_table(path, &["unit", "margin"], &["unit"])?;
    let units = t.text("unit").unwrap_or_default();
    let margins = t.numbers("margin").unwrap_or_default();
    let mixes = t.numbers("mix");
    if units.is_empty() {
        return Err(t.file_error("no margins (the file has a header only)".into()));
    }
    let totals = tree.aggregate(last_year)?;
    let company = totals[tree.root()];
    let mut out: Vec<Margin> = Vec::with_capacity(units.len());
    let mut nodes: Vec<usize> = Vec::new();
    for (k, unit) in units.iter().enumerate() {
        if unit.trim().is_empty() {
            return Err(t.error_at(k, "unit", unit, "empty".into()));
        }
        if let Some(first) = out.iter().position(|m| &m.unit == unit) {
            return Err(t.error_at(
                k,
                "unit",
                unit,
                format!("repeated (first on line {})", t.lines[first]),
            ));
        }
        let margin = margins[k].ok_or_else(|| t.error_at(k, "margin", "", "empty".into()))?;
        if !(margin > 0.0 && margin <= 1.0) {
            return Err(t.error_at(
                k,
                "margin",
                &margin.to_string(),
                "a contribution margin is a share of revenue above 0 and at most 1".into(),
            ));
        }
        let mix = match mixes.and_then(|m| m[k]) {
            Some(mix) if (0.0..=1.0).contains(&mix) => mix,
            Some(mix) => {
                return Err(t.error_at(
                    k,
                    "mix",
                    &mix.to_string(),
                    "a share of revenue is 0 to 1".into(),
                ))
            }
            None => {
                let Some(node) = tree.index_of(unit) else {
                    return Err(t.error_at(
                        k,
                        "mix",
                        "",
                        format!("empty, and '{unit}' is not a node of the org whose share of last year's sales could be taken"),
                    ));
                };
                if company.is_nan() || company <= 0.0 {
                    return Err(t.error_at(
                        k,
                        "mix",
                        "",
                        "empty, and last year's sales are 0, so no share can be taken".into(),
                    ));
                }
                if let Some(&other) = nodes
                    .iter()
                    .find(|&&o| is_ancestor(tree, o, node) || is_ancestor(tree, node, o))
                {
                    return Err(t.error_at(
                        k,
                        "unit",
                        unit,
                        format!("overlaps '{}' (one is inside the other)", tree.id(other)),
                    ));
                }
                nodes.push(node);
                totals[node] / company
            }
        };
        out.push(Margin {
            unit: unit.clone(),
            margin,
            mix,
        });
    }
    let sum: f64 = out.iter().map(|m| m.mix).sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(t.file_error(format!(
            "the units' shares of revenue sum to {sum:.6}, not 1{}",
            if nodes.is_empty() {
                String::new()
            } else {
                " (units that are org nodes must cover all of last year's sales)".to_string()
            }
        )));
    }
    Ok(out)
}

/// Whether `a` is `b` or an ancestor of it.
fn is_ancestor(tree: &OrgTree, a: usize, b: usize) -> bool {
    let mut v = Some(b);
    while let Some(x) = v {
        if x == a {
            return true;
        }
        v = tree.parent(x);
    }
    false
}

/// Reads `shares.csv`: the target market share of each month of `year`
/// (12 values, January first).
pub fn read_share_path(path: &Path, year: i32) -> Result<[f64; 12]> {
    let t = read_table(path, &["period", "share"], &["period"])?;
    let periods = t.text("period").unwrap_or_default();
    let shares = t.numbers("share").unwrap_or_default();
    let mut yearly: Option<(f64, u64)> = None;
    let mut monthly: [Option<(f64, u64)>; 12] = [None; 12];
    let mut years_seen: Vec<i32> = Vec::new();
    for (k, period) in periods.iter().enumerate() {
        let bad = |reason: &str| t.error_at(k, "period", period, reason.to_string());
        let (y, month) =
            parse_period(period).ok_or_else(|| bad("not a year (2026) or a month (2026-03)"))?;
        let share = shares[k].ok_or_else(|| t.error_at(k, "share", "", "empty".into()))?;
        if !(share > 0.0 && share <= 1.0) {
            return Err(t.error_at(
                k,
                "share",
                &share.to_string(),
                "a market share is above 0 and at most 1".into(),
            ));
        }
        if !years_seen.contains(&y) {
            years_seen.push(y);
        }
        if y != year {
            continue;
        }
        let slot = match month {
            None => &mut yearly,
            Some(m) => &mut monthly[m as usize - 1],
        };
        if let Some((_, first)) = slot {
            return Err(bad(&format!("repeated (first on line {first})")));
        }
        *slot = Some((share, t.lines[k]));
    }
    let mut out = [0.0; 12];
    let mut missing = Vec::new();
    for (m, slot) in monthly.iter().enumerate() {
        match slot.or(yearly) {
            Some((s, _)) => out[m] = s,
            None => missing.push(format!("{year}-{:02}", m + 1)),
        }
    }
    if missing.len() == 12 {
        years_seen.sort_unstable();
        let seen: Vec<String> = years_seen.iter().map(|y| y.to_string()).collect();
        return Err(t.file_error(format!(
            "no share for {year} (the file has {})",
            if seen.is_empty() {
                "no rows".to_string()
            } else {
                seen.join(", ")
            }
        )));
    }
    if !missing.is_empty() {
        return Err(t.file_error(format!(
            "no share for {} (give a row for the year {year}, or one per month)",
            missing.join(", ")
        )));
    }
    Ok(out)
}

/// `2026` → (2026, None); `2026-03` → (2026, Some(3)).
fn parse_period(text: &str) -> Option<(i32, Option<u32>)> {
    let text = text.trim();
    match text.split_once('-') {
        None => Some((text.parse().ok()?, None)),
        Some((y, m)) => {
            let m: u32 = m.parse().ok()?;
            (1..=12).contains(&m).then_some(())?;
            Some((y.parse().ok()?, Some(m)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> OrgTree {
        OrgTree::read_from(
            "node_id,parent_id\nHQ,\n华东,HQ\n华南,HQ\na,华东\nb,华东\nc,华南\n".as_bytes(),
            "org.csv".as_ref(),
        )
        .unwrap()
    }

    fn last_year(tree: &OrgTree) -> Vec<f64> {
        let mut v = vec![0.0; tree.len()];
        v[tree.index_of("a").unwrap()] = 30.0;
        v[tree.index_of("b").unwrap()] = 30.0;
        v[tree.index_of("c").unwrap()] = 40.0;
        v
    }

    fn margins(text: &str) -> Result<Vec<Margin>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("margins.csv");
        std::fs::write(&path, text).unwrap();
        let t = tree();
        read_margins(&path, &t, &last_year(&t))
    }

    #[test]
    fn regions_take_their_share_of_last_years_sales() {
        let m = margins("unit,margin\n华东,0.3\n华南,0.2\n").unwrap();
        assert_eq!(m[0].mix, 0.6);
        assert_eq!(m[1].mix, 0.4);
        let w = Margin::weighted(&m).unwrap();
        assert!((w - 0.26).abs() < 1e-12);
    }

    #[test]
    fn product_lines_give_their_mix() {
        let m = margins("unit,margin,mix\n冰箱,0.3,0.25\n空调,0.2,0.75\n").unwrap();
        assert_eq!(m[1].mix, 0.75);
    }

    #[test]
    fn bad_margins_name_line_column_and_value() {
        let e = |t: &str| margins(t).unwrap_err().to_string();
        assert!(e("unit,margin\n华东,0\n华南,0.2\n").contains("margins.csv:2: column 'margin'"));
        assert!(e("unit,margin\n华东,-0.1\n").contains("(value '-0.1')"));
        assert!(e("unit,margin\n华东,0.3\n").contains("sum to 0.600000, not 1"));
        assert!(e("unit,margin\n华东,0.3\na,0.2\n华南,0.1\n").contains("overlaps '华东'"));
        assert!(e("unit,margin\nx,0.3\n").contains("'x' is not a node"));
        assert!(e("unit,margin,mix\np,0.3,0.5\nq,0.3,0.4\n").contains("sum to 0.900000"));
        assert!(e("unit,margin\n华东,0.3\n华东,0.2\n").contains("repeated (first on line 2)"));
        assert!(e("unit,margin\n").contains("header only"));
    }

    fn shares(text: &str) -> Result<[f64; 12]> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shares.csv");
        std::fs::write(&path, text).unwrap();
        read_share_path(&path, 2026)
    }

    #[test]
    fn share_paths_by_month_and_their_errors() {
        let months: String = (1..=12)
            .map(|m| format!("2026-{m:02},0.{m:02}\n"))
            .collect();
        let s = shares(&format!("period,share\n{months}")).unwrap();
        assert_eq!(s[2], 0.03);
        let e = |t: &str| shares(t).unwrap_err().to_string();
        assert!(e("period,share\n2025,0.1\n").contains("no share for 2026 (the file has 2025)"));
        assert!(e("period,share\n2026-01,0.1\n").contains("no share for 2026-02, 2026-03"));
        assert!(e("period,share\n2026,1.2\n").contains("shares.csv:2: column 'share'"));
        assert!(e("period,share\n2026-13,0.1\n").contains("column 'period'"));
        assert!(e("period,share\n2026,0.1\n2026,0.2\n").contains("repeated (first on line 2)"));
    }
}
