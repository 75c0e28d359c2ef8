//! The report's HTML: escaping, numbers with thousands separators and the
//! currency unit, sortable tables with a bar per row, sections, and the
//! page's own CSS (A4/Letter landscape when printed) and script (table
//! sorting). Everything inline: the file opens without a network.

use std::fmt::Write as _;

/// Text escaped for HTML (element content and attribute values).
///
/// ```
/// assert_eq!(salesplan::report::html::escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `v` with `decimals` decimals and a comma between thousands.
///
/// ```
/// use salesplan::report::html::thousands;
/// assert_eq!(thousands(606053600.0, 0), "606,053,600");
/// assert_eq!(thousands(-1234.5, 2), "-1,234.50");
/// assert_eq!(thousands(-0.001, 0), "0");
/// ```
pub fn thousands(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    let is_zero = text.bytes().all(|b| b == b'0' || b == b'.');
    if v < 0.0 && !is_zero {
        out.push('-');
    }
    for (k, c) in whole.chars().enumerate() {
        if k > 0 && (whole.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// How amounts are shown: the currency unit before them and the decimals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Money {
    /// E.g. `¥` or `CNY ` (empty: none).
    pub currency: String,
    pub decimals: usize,
}

impl Money {
    /// An amount as shown: `¥606,053,600`.
    ///
    /// ```
    /// use salesplan::report::html::Money;
    /// let money = Money { currency: "¥".into(), decimals: 0 };
    /// assert_eq!(money.show(606053600.0), "¥606,053,600");
    /// assert_eq!(money.show(-5.0), "-¥5");
    /// ```
    pub fn show(&self, v: f64) -> String {
        let text = thousands(v, self.decimals);
        match text.strip_prefix('-') {
            Some(rest) => format!("-{}{rest}", self.currency),
            None => format!("{}{text}", self.currency),
        }
    }
}

/// A share or probability as a percentage with one decimal: `54.0%`.
pub fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A table cell: its text and the value it sorts by.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// Shown text, sort value (`None`: undefined, shown as given, sorted last).
    Number(String, Option<f64>),
    /// A bar of `fraction` (0..1 of the cell) with `text` beside it.
    Bar(String, f64),
}

/// A sortable table (a click on a header sorts by that column).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HtmlTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl HtmlTable {
    /// The table's HTML.
    pub fn html(&self) -> String {
        let mut out = String::from("<table class=\"sortable\"><thead><tr>");
        for h in &self.headers {
            let _ = write!(out, "<th>{}</th>", escape(h));
        }
        out.push_str("</tr></thead><tbody>\n");
        for row in &self.rows {
            out.push_str("<tr>");
            for cell in row {
                match cell {
                    Cell::Text(t) => {
                        let _ = write!(out, "<td>{}</td>", escape(t));
                    }
                    Cell::Number(t, v) => {
                        let key = v.map_or(String::new(), |v| format!("{v}"));
                        let _ = write!(out, "<td class=\"n\" data-v=\"{key}\">{}</td>", escape(t));
                    }
                    Cell::Bar(t, f) => {
                        let w = (f.clamp(0.0, 1.0) * 100.0).round();
                        let _ = write!(
                            out,
                            "<td class=\"bar\" data-v=\"{f}\"><span style=\"width:{w}%\"></span><em>{}</em></td>",
                            escape(t)
                        );
                    }
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>");
        out
    }
}

/// The page's style: screen and print (landscape A4 or Letter, a section
/// never split across pages where it fits on one).
pub const CSS: &str = r#"
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; border-bottom: 2px solid #1f5fa8; padding-bottom: 3px; margin-top: 28px; }
p.meta, p.note { color: #555; font-size: 13px; margin: 4px 0; }
p.note::before { content: "note: "; font-weight: bold; }
section { break-inside: avoid-page; page-break-inside: avoid; }
section.long { break-inside: auto; page-break-inside: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 8px; }
.charts svg { border: 1px solid #eee; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.kpi { border: 1px solid #ddd; border-radius: 4px; padding: 6px 10px; min-width: 150px; }
.kpi b { display: block; font-size: 18px; }
.kpi span { color: #666; font-size: 12px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f3f6fa; cursor: pointer; position: sticky; top: 0; }
th.asc::after { content: " ▲"; } th.desc::after { content: " ▼"; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.bar { position: relative; min-width: 120px; }
td.bar span { position: absolute; left: 0; top: 3px; bottom: 3px; background: #9cc0e6; }
td.bar em { position: relative; font-style: normal; font-variant-numeric: tabular-nums; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; }
  th { position: static; }
  section { page-break-before: auto; }
  h2 { page-break-after: avoid; }
  .charts svg { max-width: 100%; height: auto; }
}
"#;

/// The page's script: sorts a `table.sortable` by the clicked column
/// (numbers by their value, text by the locale's order), and marks the
/// page as ready (`<body data-ready="1">`) once it has run.
pub const SCRIPT: &str = r#"
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var asc = !th.classList.contains("asc");
      table.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
      th.classList.add(asc ? "asc" : "desc");
      var key = function (row) {
        var cell = row.cells[col];
        var v = cell.getAttribute("data-v");
        if (v === null) return cell.textContent;
        return v === "" ? null : parseFloat(v);
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === null) return y === null ? 0 : 1;
        if (y === null) return -1;
        var c = typeof x === "number" ? x - y : String(x).localeCompare(String(y), "zh");
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
document.body.setAttribute("data-ready", "1");
"#;

/// A whole page: `title`, the sections' HTML in order, style and script.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        escape(title)
    )
}

/// A section: `<section id=...>` with its heading and body.
pub fn section(id: &str, title: &str, body: &str) -> String {
    format!(
        "<section id=\"{id}\">\n<h2>{}</h2>\n{body}\n</section>\n",
        escape(title)
    )
}

/// A note paragraph (what was left out, and why).
pub fn note(text: &str) -> String {
    format!("<p class=\"note\">{}</p>\n", escape(text))
}

/// A row of key figures: `(value, label)`.
pub fn kpis(items: &[(String, String)]) -> String {
    let mut out = String::from("<div class=\"kpis\">");
    for (value, label) in items {
        let _ = write!(
            out,
            "<div class=\"kpi\"><b>{}</b><span>{}</span></div>",
            escape(value),
            escape(label)
        );
    }
    out.push_str("</div>\n");
    out
}

/// Charts side by side (each an SVG document, its XML declaration, if
/// any, dropped for inlining).
pub fn charts(svgs: &[String]) -> String {
    let mut out = String::from("<div class=\"charts\">\n");
    for svg in svgs {
        let body = match svg.find("<svg") {
            Some(k) => &svg[k..],
            None => svg,
        };
        out.push_str(body);
        out.push('\n');
    }
    out.push_str("</div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups() {
        assert_eq!(thousands(0.0, 0), "0");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(1234567.891, 2), "1,234,567.89");
        assert_eq!(thousands(-999999.5, 0), "-1,000,000");
    }

    #[test]
    fn tables_escape_and_keep_sort_values() {
        let t = HtmlTable {
            headers: vec!["name".into(), "target".into(), "p".into()],
            rows: vec![vec![
                Cell::Text("<张伟>".into()),
                Cell::Number("1,200".into(), Some(1200.0)),
                Cell::Bar("54.0%".into(), 0.54),
            ]],
        };
        let html = t.html();
        assert!(html.contains("&lt;张伟&gt;"));
        assert!(html.contains("data-v=\"1200\""));
        assert!(html.contains("width:54%"));
    }
}
