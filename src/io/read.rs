//! Reading long-format CSV (`unique_id,ds,y`) into series.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use crate::error::{Error, Result};
use crate::forecast::frequency::{Calendar, DateStyle, Frequency, Period};
use crate::forecast::series::{Series, TimeIndex};

/// The names of the id, date and value columns, and the frequency of the
/// dates when the user states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub id: String,
    pub date: String,
    pub value: String,
    /// The dates' frequency (`--freq`); `None`: read off each series'
    /// dates, and for a series of one `YYYY-MM-DD` date, off the file's
    /// other series of that style when they agree.
    pub frequency: Option<Frequency>,
}

impl Default for Columns {
    /// `unique_id`, `ds`, `y` (the statsforecast convention).
    fn default() -> Self {
        Columns {
            id: "unique_id".into(),
            date: "ds".into(),
            value: "y".into(),
            frequency: None,
        }
    }
}

/// Reads a long CSV file (one row per series and period, rows in any order)
/// into series sorted by id (byte order); a `.parquet` file is read as a
/// Parquet table, with the same checks.
///
/// Fields are trimmed; other columns are ignored; a UTF-8 byte-order mark is
/// skipped. Dates are integers or `YYYY-MM-DD`, `YYYY-MM`, `YYYYQn` labels
/// (see [`Period::parse`]); each series must use one kind, be regular and
/// have no gaps or duplicate periods. Any problem is an error naming the file
/// and, where there is one, the line, column and value.
pub fn read_long_csv(path: &Path, columns: &Columns) -> Result<Vec<Series>> {
    if super::is_parquet(path) {
        #[cfg(feature = "parquet")]
        return super::parquet::read_long_parquet(path, columns);
        #[cfg(not(feature = "parquet"))]
        return Err(Error::File {
            path: path.to_path_buf(),
            reason: "this salesplan was built without Parquet support (feature parquet)".into(),
        });
    }
    let (file, name) = super::open_input(path)?;
    read_long_csv_from(file, &name, columns)
}

/// As [`read_long_csv`], from any reader; `path` names the source in errors.
///
/// ```
/// use salesplan::io::{read_long_csv_from, Columns};
/// let text = "unique_id,ds,y\nb,2024-02,5\na,2024-01,1\nb,2024-01,4\na,2024-02,2\n";
/// let series = read_long_csv_from(text.as_bytes(), "sales.csv".as_ref(), &Columns::default()).unwrap();
/// assert_eq!(series[0].id(), "a");
/// assert_eq!(series[1].values(), &[4.0, 5.0]);
///
/// let bad = "unique_id,ds,y\na,2024-01,1\na,2024-02,lots\n";
/// let err = read_long_csv_from(bad.as_bytes(), "sales.csv".as_ref(), &Columns::default()).unwrap_err();
/// assert_eq!(err.to_string(), "sales.csv:3: column 'y': not a number (value 'lots')");
/// ```
pub fn read_long_csv_from<R: Read>(
    reader: R,
    path: &Path,
    columns: &Columns,
) -> Result<Vec<Series>> {
    let mut rows = LongRows::new(path, columns);
    csv_rows(reader, path, columns, &mut rows)?;
    rows.into_series()
}

/// A row's value as its source has it.
pub(super) enum Cell<'a> {
    /// CSV text, parsed as the reader parses values.
    Text(&'a str),
    /// A number from a typed column (Parquet's).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Number(f64),
}

/// Where a reader puts the rows it reads.
pub(super) trait RowSink {
    /// Takes one row (`line`: the file line, or the row number from 1);
    /// `Ok(false)` stops the reading there.
    fn row(&mut self, line: u64, id: &str, date: &str, value: Cell) -> Result<bool>;
}

impl RowSink for LongRows<'_> {
    fn row(&mut self, line: u64, id: &str, date: &str, value: Cell) -> Result<bool> {
        match value {
            Cell::Text(text) => self.push_text(line, id, date, text)?,
            Cell::Number(v) => self.push(line, id, date, v)?,
        }
        Ok(true)
    }
}

/// Reads the rows of the long table at `path` (CSV, or Parquet by the
/// extension; `-`: standard input) into `sink`, with the checks of
/// [`read_long_csv`] that concern single rows.
pub(super) fn long_rows(path: &Path, columns: &Columns, sink: &mut dyn RowSink) -> Result<()> {
    if super::is_parquet(path) {
        #[cfg(feature = "parquet")]
        return super::parquet::parquet_rows(path, columns, sink);
        #[cfg(not(feature = "parquet"))]
        return Err(Error::File {
            path: path.to_path_buf(),
            reason: "this salesplan was built without Parquet support (feature parquet)".into(),
        });
    }
    let (file, name) = super::open_input(path)?;
    csv_rows(file, &name, columns, sink)
}

/// Reads a long CSV's rows into `sink` (the header's columns found, each
/// field checked to be UTF-8); a file without data rows is an error.
fn csv_rows<R: Read>(
    reader: R,
    path: &Path,
    columns: &Columns,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let mut input = Input::new(reader, path)?;
    let positions = input.find_columns(columns)?;
    let mut record = ByteRecord::new();
    let mut any = false;
    while input.next(&mut record)? {
        any = true;
        let line = record.position().map_or(0, |p| p.line());
        let field = |k: usize| {
            let bytes = record.get(positions[k]).unwrap_or_default();
            std::str::from_utf8(bytes).map_err(|_| Error::Input {
                path: path.to_path_buf(),
                line,
                column: name(columns, k).to_string(),
                value: Some(String::from_utf8_lossy(bytes).into_owned()),
                reason: "not valid UTF-8".into(),
            })
        };
        let (id, date, raw) = (field(0)?, field(1)?, field(2)?);
        if !sink.row(line, id, date, Cell::Text(raw))? {
            return Ok(());
        }
    }
    if !any {
        return Err(Error::File {
            path: path.to_path_buf(),
            reason: format!(
                "no data rows (only the header on line {})",
                input.header_line
            ),
        });
    }
    Ok(())
}

/// A long table's rows, one at a time, into series with the checks and
/// messages of [`read_long_csv`]: how tables that are not CSV files (a
/// data frame, Parquet) are read. `line` is what errors name as the row's
/// position (the file line, or the row number from 1).
///
/// ```
/// use salesplan::io::{Columns, LongRows};
/// let columns = Columns::default();
/// let mut rows = LongRows::new("<DataFrame>".as_ref(), &columns);
/// rows.push(1, "a", "2024-01", 3.0)?;
/// rows.push(2, "a", "2024-02", 4.0)?;
/// let err = rows.push(3, "a", "2024-03", f64::NAN).unwrap_err();
/// assert_eq!(err.to_string(), "<DataFrame>:3: column 'y': missing or not a finite number (value 'NaN')");
/// assert_eq!(rows.into_series()?[0].values(), [3.0, 4.0]);
/// # Ok::<(), salesplan::Error>(())
/// ```
pub struct LongRows<'a> {
    path: &'a Path,
    columns: &'a Columns,
    groups: Vec<Group>,
    by_id: HashMap<String, usize>,
}

impl<'a> LongRows<'a> {
    /// No rows yet; `path` names the source in errors.
    pub fn new(path: &'a Path, columns: &'a Columns) -> LongRows<'a> {
        LongRows {
            path,
            columns,
            groups: Vec::new(),
            by_id: HashMap::new(),
        }
    }

    /// Whether no row was pushed.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Whether a series has a single `YYYY-MM-DD` date (its frequency is
    /// then the one the table's other daily-dated series agree on).
    pub(super) fn has_one_day(&self) -> bool {
        self.groups.iter().any(Group::is_one_day)
    }

    fn at(&self, line: u64, k: usize, value: &str, reason: &str) -> Error {
        Error::Input {
            path: self.path.to_path_buf(),
            line,
            column: name(self.columns, k).to_string(),
            value: Some(value.to_string()),
            reason: reason.to_string(),
        }
    }

    /// A row whose value is text, as in a CSV file.
    pub fn push_text(&mut self, line: u64, id: &str, date: &str, value: &str) -> Result<()> {
        let period = self.period(line, id, date)?;
        let v = parse_value(value).map_err(|reason| self.at(line, 2, value, reason))?;
        self.add(line, id, date, period, v);
        Ok(())
    }

    /// A row: series `id`, period label `date` ([`Period::parse`]), value
    /// `value` (finite: a missing value is an error, never a zero).
    pub fn push(&mut self, line: u64, id: &str, date: &str, value: f64) -> Result<()> {
        let period = self.period(line, id, date)?;
        if !value.is_finite() {
            return Err(self.at(
                line,
                2,
                &value.to_string(),
                "missing or not a finite number",
            ));
        }
        self.add(line, id, date, period, value);
        Ok(())
    }

    /// The row's period, after checking its id and date are there.
    fn period(&self, line: u64, id: &str, date: &str) -> Result<Period> {
        if id.is_empty() {
            return Err(self.at(line, 0, id, "empty series id"));
        }
        if date.is_empty() {
            return Err(self.at(line, 1, date, "empty date"));
        }
        Period::parse(date).map_err(|e| self.at(line, 1, date, &e.to_string()))
    }

    fn add(&mut self, line: u64, id: &str, date: &str, period: Period, value: f64) {
        let g = match self.by_id.get(id) {
            Some(&g) => g,
            None => {
                self.by_id.insert(id.to_string(), self.groups.len());
                self.groups.push(Group {
                    id: id.to_string(),
                    rows: Vec::new(),
                });
                self.groups.len() - 1
            }
        };
        self.groups[g].rows.push(Row {
            period,
            value,
            line,
            date: date.to_string(),
        });
    }

    /// The series, sorted by id (byte order); an error names the row that
    /// makes a series invalid (a duplicate period, a gap, mixed formats).
    pub fn into_series(self) -> Result<Vec<Series>> {
        let (path, columns) = (self.path, self.columns);
        // a series of one YYYY-MM-DD date cannot show its frequency: it takes
        // the stated one, else the one the file's other such series agree on
        let (single, many): (Vec<Group>, Vec<Group>) =
            self.groups.into_iter().partition(Group::is_one_day);
        let mut series = Vec::with_capacity(single.len() + many.len());
        for group in many {
            series.push(group.into_series(path, columns, columns.frequency)?);
        }
        let mut seen = series.iter().filter_map(|s| match s.index() {
            TimeIndex::Dated(c) if c.style == DateStyle::Day => Some(c.frequency),
            _ => None,
        });
        let file_frequency = match seen.next() {
            Some(f) if seen.all(|g| g == f) => Some(f),
            _ => None,
        };
        for group in single {
            series.push(group.into_series(path, columns, columns.frequency.or(file_frequency))?);
        }
        series.sort_by(|a, b| a.id().cmp(b.id()));
        Ok(series)
    }
}

fn name(columns: &Columns, k: usize) -> &str {
    match k {
        0 => &columns.id,
        1 => &columns.date,
        _ => &columns.value,
    }
}

fn parse_value(text: &str) -> std::result::Result<f64, &'static str> {
    if text.is_empty() {
        return Err("empty value (missing values are not supported)");
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err("not a finite number"),
        Err(_) => Err("not a number"),
    }
}

/// The CSV reader with its file name and header position.
struct Input<R: Read> {
    csv: csv::Reader<BufReader<R>>,
    path: PathBuf,
    header: ByteRecord,
    header_line: u64,
}

impl<R: Read> Input<R> {
    fn new(reader: R, path: &Path) -> Result<Input<R>> {
        let mut buffered = BufReader::new(reader);
        let io_error = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        if buffered
            .fill_buf()
            .map_err(io_error)?
            .starts_with(b"\xEF\xBB\xBF")
        {
            buffered.consume(3);
        }
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(buffered);
        let header = csv
            .byte_headers()
            .map_err(|e| csv_error(path, e, &ByteRecord::new()))?
            .clone();
        if header.iter().all(|h| h.is_empty()) {
            return Err(Error::File {
                path: path.to_path_buf(),
                reason: "empty file (no header row)".into(),
            });
        }
        let header_line = header.position().map_or(1, |p| p.line());
        Ok(Input {
            csv,
            path: path.to_path_buf(),
            header,
            header_line,
        })
    }

    /// Positions of the id, date and value columns.
    fn find_columns(&self, columns: &Columns) -> Result<[usize; 3]> {
        let mut out = [0; 3];
        for (k, slot) in out.iter_mut().enumerate() {
            let wanted = name(columns, k);
            *slot = self
                .header
                .iter()
                .position(|h| h == wanted.as_bytes())
                .ok_or_else(|| {
                    let found: Vec<String> = self
                        .header
                        .iter()
                        .map(|h| format!("'{}'", String::from_utf8_lossy(h)))
                        .collect();
                    Error::Input {
                        path: self.path.clone(),
                        line: self.header_line,
                        column: wanted.to_string(),
                        value: None,
                        reason: format!("missing column; the header has {}", found.join(", ")),
                    }
                })?;
        }
        Ok(out)
    }

    fn next(&mut self, record: &mut ByteRecord) -> Result<bool> {
        self.csv
            .read_byte_record(record)
            .map_err(|e| csv_error(&self.path, e, &self.header))
    }
}

fn csv_error(path: &Path, e: csv::Error, header: &ByteRecord) -> Error {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io {
            path: path.to_path_buf(),
            source,
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::Input {
            path: path.to_path_buf(),
            line: line.unwrap_or(0),
            column: format!("#{}", expected_len.min(len) + 1),
            value: None,
            reason: format!(
                "row has {len} fields but the header has {} (check quoting and separators)",
                header.len().max(expected_len as usize)
            ),
        },
        other => Error::File {
            path: path.to_path_buf(),
            reason: format!(
                "malformed CSV{}: {other:?}",
                line.map(|l| format!(" at line {l}")).unwrap_or_default()
            ),
        },
    }
}

/// One parsed row, kept with its line for error messages.
struct Row {
    period: Period,
    value: f64,
    line: u64,
    date: String,
}

/// The rows of one series, in file order.
struct Group {
    id: String,
    rows: Vec<Row>,
}

/// What kind of period label a row has: integer, or a date style.
fn kind(p: &Period) -> Option<DateStyle> {
    match p {
        Period::Index(_) => None,
        Period::Date(_, s) => Some(*s),
    }
}

fn describe_kind(k: Option<DateStyle>) -> &'static str {
    match k {
        None => "an integer period",
        Some(DateStyle::Day) => "a YYYY-MM-DD date",
        Some(DateStyle::Month) => "a YYYY-MM month",
        Some(DateStyle::Quarter) => "a YYYYQn quarter",
    }
}

impl Group {
    /// Builds the series; [`Series::from_periods`] decides what is valid, and
    /// on failure the offending row is located for the error message.
    fn into_series(
        self,
        path: &Path,
        columns: &Columns,
        frequency: Option<Frequency>,
    ) -> Result<Series> {
        let pairs: Vec<(Period, f64)> = self.rows.iter().map(|r| (r.period, r.value)).collect();
        match Series::from_periods_as(self.id.clone(), pairs, frequency) {
            Ok(s) => Ok(s),
            Err(e) => Err(self.locate(path, columns, e, frequency)),
        }
    }

    /// A single row with a `YYYY-MM-DD` date.
    fn is_one_day(&self) -> bool {
        matches!(
            self.rows[..],
            [Row {
                period: Period::Date(_, DateStyle::Day),
                ..
            }]
        )
    }

    /// Finds the first row that makes the series invalid and turns `error`
    /// into an [`Error::Input`] pointing at it.
    fn locate(
        &self,
        path: &Path,
        columns: &Columns,
        error: Error,
        frequency: Option<Frequency>,
    ) -> Error {
        let at = |row: &Row, reason: String| Error::Input {
            path: path.to_path_buf(),
            line: row.line,
            column: columns.date.clone(),
            value: Some(row.date.clone()),
            reason: format!("series '{}': {reason}", self.id),
        };
        // Mixed kinds of label, judged in file order.
        let first = &self.rows[0];
        if let Some(row) = self
            .rows
            .iter()
            .find(|r| kind(&r.period) != kind(&first.period))
        {
            return at(
                row,
                format!(
                    "mixed date formats: {} here, but {} on line {}",
                    describe_kind(kind(&row.period)),
                    describe_kind(kind(&first.period)),
                    first.line
                ),
            );
        }
        let mut sorted: Vec<&Row> = self.rows.iter().collect();
        sorted.sort_by(|a, b| a.period.cmp(&b.period).then(a.line.cmp(&b.line)));
        if let Some(w) = sorted.windows(2).find(|w| w[0].period == w[1].period) {
            return at(
                w[1],
                format!(
                    "duplicate ({}, {}) = ('{}', '{}'): also on line {}",
                    columns.id, columns.date, self.id, w[1].date, w[0].line
                ),
            );
        }
        match first.period {
            Period::Index(_) => {
                let gap = sorted
                    .windows(2)
                    .find(|w| match (w[0].period, w[1].period) {
                        (Period::Index(a), Period::Index(b)) => b != a + 1,
                        _ => false,
                    });
                if let Some(w) = gap {
                    return at(
                        w[1],
                        format!("gap: period {} is followed by {}", w[0].date, w[1].date),
                    );
                }
            }
            Period::Date(..) => {
                let dates: Vec<_> = sorted
                    .iter()
                    .filter_map(|r| match r.period {
                        Period::Date(d, s) => Some((d, s)),
                        Period::Index(_) => None,
                    })
                    .collect();
                // The shortest failing prefix ends at the offending row.
                let fails = |n: usize| Calendar::infer_as(&self.id, &dates[..n], frequency).err();
                if fails(dates.len()).is_some() {
                    // a prefix of one date fails only for want of a frequency
                    let (mut ok, mut bad) = (usize::from(dates.len() > 1), dates.len());
                    while bad - ok > 1 {
                        let mid = ok + (bad - ok) / 2;
                        if fails(mid).is_some() {
                            bad = mid;
                        } else {
                            ok = mid;
                        }
                    }
                    let reason = match fails(bad) {
                        Some(Error::Calendar { reason, .. }) => reason,
                        Some(other) => other.to_string(),
                        None => error.to_string(),
                    };
                    return at(sorted[bad - 1], reason);
                }
            }
        }
        // Not located (should not happen): point at the series' first row.
        Error::Input {
            path: path.to_path_buf(),
            line: first.line,
            column: columns.id.clone(),
            value: Some(self.id.clone()),
            reason: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Series>> {
        read_long_csv_from(text.as_bytes(), Path::new("in.csv"), &Columns::default())
    }

    fn input_error(text: &str) -> (u64, String, Option<String>, String) {
        match read(text) {
            Err(Error::Input {
                line,
                column,
                value,
                reason,
                ..
            }) => (line, column, value, reason),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn reads_any_order_and_sorts_by_id() {
        let s = read("unique_id,ds,y\nb,2,20\n华东-张伟,1,1\nb,1,10\na,1,5\n").unwrap();
        let ids: Vec<_> = s.iter().map(|s| s.id()).collect();
        assert_eq!(ids, ["a", "b", "华东-张伟"]);
        assert_eq!(s[1].values(), &[10.0, 20.0]);
    }

    #[test]
    fn bom_and_custom_columns() {
        let cols = Columns {
            id: "store".into(),
            date: "date".into(),
            value: "sales".into(),
            frequency: None,
        };
        let text = "\u{feff}date,sales,store,extra\n2024Q1,1.5,s1,x\n2024Q2,2.5,s1,y\n";
        let s = read_long_csv_from(text.as_bytes(), Path::new("in.csv"), &cols).unwrap();
        assert_eq!(s[0].future_labels(1).unwrap(), ["2024Q3"]);
    }

    #[test]
    fn value_errors_name_line_column_and_value() {
        let e = input_error("unique_id,ds,y\na,1,1\na,2,NaN\n");
        assert_eq!(
            e,
            (
                3,
                "y".into(),
                Some("NaN".into()),
                "not a finite number".into()
            )
        );
        let e = input_error("unique_id,ds,y\na,1,1\n\"a\nb\",2,\n");
        assert_eq!(e.0, 3, "line where the record starts");
        assert_eq!(e.2.as_deref(), Some(""));
        let e = input_error("unique_id,ds,y\na,2024-13,1\n");
        assert_eq!((e.0, e.1.as_str()), (2, "ds"));
    }

    #[test]
    fn duplicates_name_both_lines() {
        let (line, column, value, reason) =
            input_error("unique_id,ds,y\na,2024Q1,1\nb,2024Q1,1\na,2024-Q1,2\n");
        assert_eq!((line, column.as_str()), (4, "ds"));
        assert_eq!(value.as_deref(), Some("2024-Q1"));
        assert!(reason.contains("also on line 2"), "{reason}");
    }

    #[test]
    fn gaps_and_mixtures_point_at_the_offending_row() {
        let text = "unique_id,ds,y\na,2024-04,1\na,2024-01,1\na,2024-02,1\na,2024-05,1\n";
        let (line, _, value, reason) = input_error(text);
        assert_eq!((line, value.as_deref()), (2, Some("2024-04")));
        assert!(reason.contains("gap"), "{reason}");
        let text = "unique_id,ds,y\na,2024-01-01,1\na,2024-02-01,1\na,2024-02-08,1\n";
        let (line, _, _, reason) = input_error(text);
        assert_eq!(line, 4);
        assert!(reason.contains("mixed frequencies"), "{reason}");
        let (line, _, _, reason) = input_error("unique_id,ds,y\na,2024-01,1\na,2024-02-01,1\n");
        assert_eq!(line, 3);
        assert!(reason.contains("mixed date formats"), "{reason}");
        let (line, _, _, _) = input_error("unique_id,ds,y\na,1,1\na,2,1\na,4,1\n");
        assert_eq!(line, 4);
    }

    #[test]
    fn header_problems() {
        let (line, column, _, reason) = input_error("id,ds,y\na,1,1\n");
        assert_eq!((line, column.as_str()), (1, "unique_id"));
        assert!(reason.contains("'id', 'ds', 'y'"), "{reason}");
        assert!(matches!(read(""), Err(Error::File { .. })));
        assert!(matches!(read("unique_id,ds,y\n"), Err(Error::File { .. })));
        let (line, ..) = input_error("unique_id,ds,y\na,1,1\na,2\n");
        assert_eq!(line, 3);
    }
}
