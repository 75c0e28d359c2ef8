//! How numbers and text are written in salesplan's output files.
//!
//! Amounts rounded to a currency unit are written with exactly the decimals
//! that unit needs ([`decimals_of`]); everything else in the shortest form
//! that reads back to the same `f64`.
//!
//! ```
//! use salesplan::io::{csv_field, decimals_of, format_amount};
//! assert_eq!(decimals_of(100.0), 0);
//! assert_eq!(decimals_of(0.05), 2);
//! assert_eq!(format_amount(1250.5, Some(2)), "1250.50");
//! assert_eq!(format_amount(0.1 + 0.2, None), "0.30000000000000004");
//! assert_eq!(format_amount(1e-310, None), "1e-310");
//! assert_eq!(format_amount(1e300, None), "1e300");
//! assert_eq!(format_amount(1250.0, None), "1250");
//! assert_eq!(csv_field("华东, 上海"), "\"华东, 上海\"");
//! ```

use std::path::Path;

use crate::error::Error;

/// Decimal places that show a multiple of `unit` exactly (0 for 1, 100 ...;
/// 2 for 0.01; at most 10).
pub fn decimals_of(unit: f64) -> usize {
    (0..10)
        .find(|&d| {
            let scaled = unit * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-9 * scaled.max(1.0)
        })
        .unwrap_or(10)
}

/// `v` with `decimals` fixed decimals, or (with `None`) as
/// [`push_number`] writes it: whole numbers below 1e15 as integers, the
/// rest in the shortest form that reads back exactly, in exponent form
/// when very large or small — never the hundreds of digits Rust's
/// `Display` writes for 1e300 or a subnormal 1e-310.
pub fn format_amount(v: f64, decimals: Option<usize>) -> String {
    match decimals {
        Some(d) => format!("{v:.d$}"),
        None => {
            let mut buf = Vec::with_capacity(24);
            push_number(&mut buf, v, None);
            String::from_utf8(buf).unwrap_or_default()
        }
    }
}

/// A CSV field as written: quoted (quotes doubled) when it holds a comma, a
/// quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Appends `v` to `buf`: with `decimals`, fixed-point; otherwise whole
/// numbers below 1e15 as integers and the rest in the shortest form that
/// reads back exactly (ryu's: `1e16`, `1e-7` in exponent form). The fast
/// path of the long tables.
pub fn push_number(buf: &mut Vec<u8>, v: f64, decimals: Option<usize>) {
    // a value that shows as zero is written without a sign (never `-0`)
    let start = buf.len();
    match decimals {
        Some(d) if d > 0 => buf.extend_from_slice(format!("{v:.d$}").as_bytes()),
        _ if v.fract() == 0.0 && v.abs() < 1e15 => {
            buf.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes())
        }
        Some(_) => buf.extend_from_slice(format!("{v:.0}").as_bytes()),
        None => buf.extend_from_slice(ryu::Buffer::new().format(v).as_bytes()),
    }
    let written = &buf[start..];
    if written.first() == Some(&b'-') && written[1..].iter().all(|b| matches!(b, b'0' | b'.')) {
        buf.remove(start);
    }
}

/// A CSV error while reading or writing `path`, as a file-level error.
pub(crate) fn csv_file_error(e: csv::Error, path: &Path) -> Error {
    Error::File {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// A CSV reader over `reader` that trims fields, and its header row with
/// a byte-order mark dropped from the first name.
pub(crate) fn csv_with_headers<R: std::io::Read>(
    reader: R,
    path: &Path,
) -> crate::Result<(csv::Reader<R>, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = reader
        .headers()
        .map_err(|e| csv_file_error(e, path))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    Ok((reader, headers))
}

/// The error for a cell on `line` of `path`: `(column, value, reason)`.
pub(crate) fn cell_error(path: &Path, line: u64) -> impl Fn(&str, &str, String) -> Error + '_ {
    move |column, value, reason| Error::Input {
        path: path.to_path_buf(),
        line,
        column: column.into(),
        value: Some(value.into()),
        reason,
    }
}

/// Flushes a CSV writer, naming `path` on failure.
pub(crate) fn flush_csv<W: std::io::Write>(
    out: &mut csv::Writer<W>,
    path: &Path,
) -> crate::Result<()> {
    out.flush().map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn zero_is_never_written_with_a_sign() {
        for (v, decimals, text) in [
            (-0.0, None, "0"),
            (-0.0, Some(2), "0.00"),
            (-0.001, Some(2), "0.00"),
            (-0.3, Some(0), "0"),
            (-0.5, Some(1), "-0.5"),
            (-1e-300, None, "-1e-300"),
        ] {
            let mut buf = Vec::new();
            super::push_number(&mut buf, v, decimals);
            assert_eq!(String::from_utf8(buf).unwrap(), text, "{v} {decimals:?}");
        }
    }

    use super::*;

    #[test]
    fn numbers_and_fields_as_csv() {
        let text = |v: f64, d: Option<usize>| {
            let mut buf = Vec::new();
            push_number(&mut buf, v, d);
            String::from_utf8(buf).unwrap()
        };
        assert_eq!(text(13_702_082_300.0, Some(0)), "13702082300");
        assert_eq!(text(1250.5, Some(2)), "1250.50");
        assert_eq!(text(1.0, None), "1");
        assert_eq!(text(0.967, None), "0.967");
        assert_eq!(text(-0.0, None), "0");
        assert_eq!(text(1.097312, None), "1.097312");
        assert_eq!(csv_field("销售"), "销售");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }

    #[test]
    fn decimals_of_units() {
        assert_eq!(decimals_of(1.0), 0);
        assert_eq!(decimals_of(5000.0), 0);
        assert_eq!(decimals_of(0.1), 1);
        assert_eq!(decimals_of(0.01), 2);
        assert_eq!(decimals_of(0.25), 2);
        assert_eq!(format_amount(3.0, Some(0)), "3");
        assert_eq!(format_amount(3.0, None), "3");
    }
}
