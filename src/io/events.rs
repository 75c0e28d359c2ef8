//! Reading users' events (`events.csv`): `event,start,end[,unique_id]`.
//!
//! One row per occurrence: the event's name (any UTF-8: `春节促销`,
//! `KA promo`), its first and last day (`YYYY-MM-DD`, inclusive, years
//! 1900–2100), and optionally the one series it applies to (empty: every
//! series). A bad date, an end before the start, a year out of range, an
//! unknown column, or an occurrence overlapping another of the same event
//! and series is an error naming the file, line, column and value;
//! [`check_event_series`] rejects a `unique_id` that is not in the data.
//!
//! ```
//! use salesplan::io::read_events_from;
//! let text = "event,start,end,unique_id\n年货节,2026-01-05,2026-01-25,\n大促,2026-03-01,2026-03-03,E0001\n";
//! let events = read_events_from(text.as_bytes(), "events.csv".as_ref())?;
//! assert_eq!(events[1].1.series.as_deref(), Some("E0001"));
//! assert_eq!(events[1].0, 3); // its line
//! let bad = "event,start,end\n大促,2026-03-03,2026-03-01\n";
//! let e = read_events_from(bad.as_bytes(), "events.csv".as_ref()).unwrap_err();
//! assert!(e.to_string().contains("events.csv:2: column 'end'"));
//! # Ok::<(), salesplan::Error>(())
//! ```

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::events::china::YEARS;
use crate::events::shopping::ShoppingWindows;
use crate::events::Event;
use crate::events::EventCalendar;
use crate::io::format::{cell_error, csv_file_error, csv_with_headers};

/// An occurrence read so far: first and last day, and its line.
type Occurrence = (NaiveDate, NaiveDate, u64);

const COLUMNS: [&str; 4] = ["event", "start", "end", "unique_id"];

/// Reads an events file: each event with the line it is on.
pub fn read_events(path: &Path) -> Result<Vec<(u64, Event)>> {
    let (file, name) = super::open_input(path)?;
    read_events_from(file, &name)
}

/// As [`read_events`], from any reader (`path` names it in errors).
pub fn read_events_from<R: Read>(reader: R, path: &Path) -> Result<Vec<(u64, Event)>> {
    let (mut reader, headers) = csv_with_headers(reader, path)?;
    let file_error = |reason: String| Error::File {
        path: path.to_path_buf(),
        reason,
    };
    if let Some(h) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(file_error(format!(
            "unknown column '{h}' (expected {})",
            COLUMNS.join(", ")
        )));
    }
    let find = |name: &str| headers.iter().position(|h| h == name);
    let (Some(name_col), Some(start_col), Some(end_col)) =
        (find("event"), find("start"), find("end"))
    else {
        return Err(file_error(
            "needs the columns event,start,end (and optionally unique_id)".into(),
        ));
    };
    let series_col = find("unique_id");
    let mut out: Vec<(u64, Event)> = Vec::new();
    let mut seen: HashMap<(String, Option<String>), Vec<Occurrence>> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_file_error(e, path))?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = cell_error(path, line);
        let name = record.get(name_col).unwrap_or_default().trim();
        if name.is_empty() {
            return Err(bad("event", name, "an event needs a name".into()));
        }
        let date = |column: &str, col: usize| -> Result<NaiveDate> {
            let text = record.get(col).unwrap_or_default().trim();
            let d = NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| bad(column, text, "not a date (expected YYYY-MM-DD)".into()))?;
            if !(YEARS.0..=YEARS.1).contains(&d.year()) {
                return Err(bad(
                    column,
                    text,
                    format!("outside the calendar's years {}–{}", YEARS.0, YEARS.1),
                ));
            }
            Ok(d)
        };
        let start = date("start", start_col)?;
        let end = date("end", end_col)?;
        if end < start {
            return Err(bad(
                "end",
                record.get(end_col).unwrap_or_default(),
                format!("before the start {start}"),
            ));
        }
        let series = series_col
            .and_then(|c| record.get(c))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let earlier = seen.entry((name.to_string(), series.clone())).or_default();
        if let Some((a, b, first)) = earlier.iter().find(|(a, b, _)| start <= *b && *a <= end) {
            return Err(bad(
                "start",
                record.get(start_col).unwrap_or_default(),
                format!("overlaps the same event's occurrence {a}..{b} on line {first}"),
            ));
        }
        earlier.push((start, end, line));
        out.push((
            line,
            Event {
                name: name.to_string(),
                start,
                end,
                series,
            },
        ));
    }
    Ok(out)
}

/// Fails, naming `path`, the line, the column and the series, when an
/// event names a `unique_id` for which `known` is false.
pub fn check_event_series(
    events: &[(u64, Event)],
    path: &Path,
    known: impl Fn(&str) -> bool,
) -> Result<()> {
    for (line, e) in events {
        if let Some(s) = e.series.as_deref().filter(|s| !known(s)) {
            return Err(cell_error(path, *line)(
                "unique_id",
                s,
                "not a series of the data".into(),
            ));
        }
    }
    Ok(())
}

/// The events calendar of built-in `sets` (`china`, `shopping`; `shopping`
/// with the run-ups of `shopping_runup`, as
/// [`ShoppingWindows::with_runups`](crate::events::shopping::ShoppingWindows::with_runups)
/// reads them) and the users' events read from `own` (a reader and the
/// name errors give it); events naming a series for which `known` is false
/// fail. `None` when neither sets nor events are given.
///
/// ```
/// let own = "event,start,end,unique_id\n促销,2025-03-01,2025-03-07,a\n";
/// let calendar = salesplan::io::event_calendar(&["china"], None, Some((own.as_bytes(), "events.csv".as_ref())), |id| id == "a")?;
/// assert!(calendar.is_some());
/// let err = salesplan::io::event_calendar(&[], Some("618=3"), None::<(&[u8], _)>, |_| true).unwrap_err();
/// assert!(err.to_string().contains("needs the shopping set"));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn event_calendar<R: Read>(
    sets: &[&str],
    shopping_runup: Option<&str>,
    own: Option<(R, &Path)>,
    known: impl Fn(&str) -> bool,
) -> Result<Option<EventCalendar>> {
    if sets.is_empty() && own.is_none() {
        if shopping_runup.is_some() {
            return Err(runup_without_shopping());
        }
        return Ok(None);
    }
    let mut calendar = EventCalendar::new(sets)?;
    if let Some(list) = shopping_runup {
        if !sets.iter().any(|s| s.trim() == "shopping") {
            return Err(runup_without_shopping());
        }
        calendar = calendar.with_shopping_windows(ShoppingWindows::with_runups(list)?);
    }
    if let Some((reader, path)) = own {
        let events = read_events_from(reader, path)?;
        check_event_series(&events, path, known)?;
        for (_, e) in events {
            calendar.add(e);
        }
    }
    Ok(Some(calendar))
}

fn runup_without_shopping() -> Error {
    Error::InvalidParameter {
        name: "shopping run-up",
        reason: "needs the shopping set in the events".into(),
    }
}
