//! Reading a long table sorted by series id a chunk of series at a time,
//! so that a run's memory does not grow with the number of series.
//!
//! The chunks are what [`read_long_csv`](super::read_long_csv) would give,
//! in the same order, with the same checks and the same first error: a
//! problem with a series' periods (a gap, a duplicate) found in one chunk is
//! reported only after every later row has been read, as the whole-file
//! reader reports it, so that a bad row further on is named first. An input
//! that cannot be read this way (rows not sorted by id, a series of a single
//! `YYYY-MM-DD` date, whose frequency comes from the other series) says so,
//! and is then read whole.

use std::path::Path;

use crate::error::{Error, Result};
use crate::forecast::series::Series;

use super::read::{long_rows, Cell, Columns, LongRows, RowSink};

/// How a chunked read ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunked {
    /// Every row was read; this many series were passed on.
    Done { series: usize },
    /// The rows are not sorted by id (where, as a message); the input has
    /// to be read whole, or sorted first (some chunks may have been passed
    /// on before it was found).
    Unsorted(String),
    /// The input has to be read whole, for this reason: it is not a
    /// regular file (standard input, a pipe), or a series has a single
    /// `YYYY-MM-DD` date.
    Whole(String),
}

/// Reads the long table at `path` (CSV, or Parquet by the extension) and
/// passes its series to `chunk` at most `size` at a time, in id order, as
/// long as its rows are sorted by id (byte order, each series' rows
/// together, as `LC_ALL=C sort` or a data frame's `sort_values` leave them).
///
/// ```
/// use salesplan::io::{read_long_chunks, Chunked, Columns};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("sales.csv");
/// std::fs::write(&path, "unique_id,ds,y\na,1,3\na,2,4\nb,1,5\nb,2,6\nc,1,7\nc,2,8\n").unwrap();
/// let mut sizes = Vec::new();
/// let read = read_long_chunks(&path, &Columns::default(), 2, &mut |series| {
///     sizes.push(series.len());
///     Ok(())
/// })?;
/// assert_eq!(read, Chunked::Done { series: 3 });
/// assert_eq!(sizes, [2, 1]);
///
/// std::fs::write(&path, "unique_id,ds,y\nb,1,5\na,1,3\n").unwrap();
/// let read = read_long_chunks(&path, &Columns::default(), 2, &mut |_| Ok(()))?;
/// assert!(matches!(read, Chunked::Unsorted(why) if why.contains("not sorted")));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn read_long_chunks(
    path: &Path,
    columns: &Columns,
    size: usize,
    chunk: &mut dyn FnMut(Vec<Series>) -> Result<()>,
) -> Result<Chunked> {
    if super::is_standard_stream(path) {
        return Ok(Chunked::Whole("standard input is read once".into()));
    }
    // a pipe or a process substitution cannot be read again
    let metadata = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if !metadata.is_file() {
        return Ok(Chunked::Whole(format!(
            "{} is not a regular file and is read once",
            path.display()
        )));
    }
    let mut chunker = Chunker {
        rows: LongRows::new(path, columns),
        path,
        columns,
        size: size.max(1),
        chunk,
        current: None,
        in_rows: 0,
        series: 0,
        failed: None,
        whole: None,
        unsorted: None,
    };
    long_rows(path, columns, &mut chunker)?;
    chunker.finish()
}

/// The [`RowSink`] that cuts the rows into chunks at series boundaries.
struct Chunker<'a, 'c> {
    rows: LongRows<'a>,
    path: &'a Path,
    columns: &'a Columns,
    size: usize,
    chunk: &'c mut dyn FnMut(Vec<Series>) -> Result<()>,
    /// The id of the series being read.
    current: Option<String>,
    /// How many series `rows` holds.
    in_rows: usize,
    /// How many series were passed on.
    series: usize,
    /// The first problem with a series' periods, kept until every row is read.
    failed: Option<Error>,
    /// Why the input must be read whole.
    whole: Option<String>,
    /// Where the rows are not sorted.
    unsorted: Option<String>,
}

impl Chunker<'_, '_> {
    /// Turns the rows held into series and passes them on; `Ok(false)` when
    /// the input turns out to need reading whole.
    fn flush(&mut self) -> Result<bool> {
        let rows = std::mem::replace(&mut self.rows, LongRows::new(self.path, self.columns));
        self.in_rows = 0;
        if rows.is_empty() || self.failed.is_some() {
            return Ok(true);
        }
        // a one-date series takes the other series' frequency, and is
        // checked after them: both need the whole table
        if rows.has_one_day() {
            self.whole = Some(
                "a series has a single YYYY-MM-DD date, whose frequency is read off the other series"
                    .into(),
            );
            return Ok(false);
        }
        match rows.into_series() {
            Ok(series) => {
                self.series += series.len();
                (self.chunk)(series)?;
            }
            Err(e) => self.failed = Some(e),
        }
        Ok(true)
    }

    fn finish(mut self) -> Result<Chunked> {
        if let Some(why) = self.unsorted {
            return Ok(Chunked::Unsorted(why));
        }
        if self.whole.is_none() {
            self.flush()?;
        }
        if let Some(why) = self.whole {
            return Ok(Chunked::Whole(why));
        }
        match self.failed {
            Some(e) => Err(e),
            None => Ok(Chunked::Done {
                series: self.series,
            }),
        }
    }
}

impl RowSink for Chunker<'_, '_> {
    fn row(&mut self, line: u64, id: &str, date: &str, value: Cell) -> Result<bool> {
        if self.current.as_deref() != Some(id) {
            if let Some(current) = &self.current {
                if id.as_bytes() < current.as_bytes() {
                    self.unsorted = Some(format!(
                        "{}:{line}: the rows are not sorted by {} ('{id}' after '{current}')",
                        self.path.display(),
                        self.columns.id
                    ));
                    return Ok(false);
                }
            }
            if self.in_rows == self.size && !self.flush()? {
                return Ok(false);
            }
            self.current = Some(id.to_string());
            self.in_rows += 1;
        }
        self.rows.row(line, id, date, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read_long_csv;

    /// The file `in.csv` of `text`, in a folder of its own.
    fn file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    /// The chunked read of `text` and its chunks, then the whole read.
    fn both(text: &str, size: usize) -> (Result<Chunked>, Vec<Vec<Series>>, Result<Vec<Series>>) {
        let (_dir, path) = file(text);
        let mut got = Vec::new();
        let read = read_long_chunks(&path, &Columns::default(), size, &mut |s| {
            got.push(s);
            Ok(())
        });
        (read, got, read_long_csv(&path, &Columns::default()))
    }

    fn chunks(text: &str, size: usize) -> (Result<Chunked>, Vec<Vec<Series>>) {
        let (_dir, path) = file(text);
        let mut got = Vec::new();
        let read = read_long_chunks(&path, &Columns::default(), size, &mut |s| {
            got.push(s);
            Ok(())
        });
        (read, got)
    }

    #[test]
    fn chunks_are_the_whole_reads_series_in_order() {
        let mut text = String::from("unique_id,ds,y\n");
        for id in ["a", "b", "b2", "c", "中文"] {
            for t in [3, 1, 2] {
                text.push_str(&format!("{id},2024-0{t},{t}\n"));
            }
        }
        for size in 1..=6 {
            let (read, got, whole) = both(&text, size);
            assert_eq!(read.unwrap(), Chunked::Done { series: 5 });
            assert!(got.iter().all(|c| c.len() <= size && !c.is_empty()));
            let all: Vec<Series> = got.into_iter().flatten().collect();
            assert_eq!(all, whole.unwrap());
        }
    }

    #[test]
    fn a_later_bad_row_is_named_before_an_earlier_gap_as_whole_reads_do() {
        let text = "unique_id,ds,y\na,1,1\na,3,1\nb,1,1\nc,1,1\nc,2,x\n";
        let (read, _, whole) = both(text, 1);
        let expected = whole.unwrap_err().to_string();
        assert!(
            expected.ends_with("in.csv:6: column 'y': not a number (value 'x')"),
            "{expected}"
        );
        assert_eq!(read.unwrap_err().to_string(), expected);
        // without the bad row, the gap is the error, in both
        let text = "unique_id,ds,y\na,1,1\na,3,1\nb,1,1\n";
        let (read, got, whole) = both(text, 1);
        let expected = whole.unwrap_err().to_string();
        assert!(
            expected.contains("in.csv:3: column 'ds': series 'a': gap"),
            "{expected}"
        );
        assert_eq!(read.unwrap_err().to_string(), expected);
        assert!(got.is_empty(), "nothing passed on after a failed series");
    }

    #[test]
    fn unsorted_or_one_day_inputs_are_read_whole() {
        let (read, _) = chunks("unique_id,ds,y\nb,1,1\nb,2,1\na,1,1\n", 5);
        match read.unwrap() {
            Chunked::Unsorted(why) => assert!(
                why.ends_with(":4: the rows are not sorted by unique_id ('a' after 'b')"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
        // ids together but out of order are not sorted either
        let (read, _) = chunks("unique_id,ds,y\nb,1,1\na,1,1\na,2,1\n", 5);
        assert!(matches!(read.unwrap(), Chunked::Unsorted(_)));
        let (read, _) = chunks(
            "unique_id,ds,y\na,2024-01-01,1\na,2024-01-08,1\nb,2024-03-04,1\n",
            5,
        );
        assert!(matches!(read.unwrap(), Chunked::Whole(why) if why.contains("single YYYY-MM-DD")));
    }

    #[test]
    fn empty_inputs_fail_as_whole_reads_do() {
        let (read, _, whole) = both("unique_id,ds,y\n", 5);
        let expected = whole.unwrap_err().to_string();
        assert!(expected.ends_with("no data rows (only the header on line 1)"));
        assert_eq!(read.unwrap_err().to_string(), expected);
    }
}
