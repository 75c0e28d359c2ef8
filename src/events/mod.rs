//! Events: the moving holidays, festivals and promotions that shift sales
//! between periods, and the regressors that tell a model where they fall.
//!
//! An [`EventCalendar`] holds dated [`Event`]s — from the built-in sets
//! `china` ([`china`]: the official holiday periods with the Spring
//! Festival's run-up and after-days, Lantern) and `shopping`
//! ([`shopping`]: 520, 618, Double 11, Double 12), and from users' files
//! (`event,start,end[,unique_id]`, read by `io::read_events`) — for a range
//! of years. [`EventCalendar::regressors`] turns it into one column per
//! event name for any list of periods (months, weeks, days): the share of
//! the event's windows that falls in each period, and, with `china`, the
//! period's official working days. [`effects`] estimates how much each event
//! moves a series and takes it out of (and puts it back into) the history.
//!
//! ```
//! use chrono::NaiveDate;
//! use salesplan::events::EventCalendar;
//! let cal = EventCalendar::builtin(&["china"], 2023, 2026)?;
//! let month = |y, m| {
//!     let start = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
//!     (start, start + chrono::Months::new(1) - chrono::Days::new(1))
//! };
//! let x = cal.regressors("any rep", &[month(2026, 1), month(2026, 2)])?;
//! let k = x.column("spring_festival").unwrap();
//! // the 2026 holiday (15–23 February) lies wholly in February
//! assert_eq!((x.value(0, k), x.value(1, k)), (0.0, 1.0));
//! # Ok::<(), salesplan::Error>(())
//! ```

pub mod china;
pub mod effects;
pub mod shopping;

use chrono::{Datelike, Days, NaiveDate};

use crate::error::{Error, Result};
use china::Festival;
use shopping::{ShoppingFestival, ShoppingWindows};

/// Days before the Spring Festival holiday counted as its run-up (stocking
/// up before the holiday).
pub const SPRING_FESTIVAL_BEFORE: u64 = 21;
/// Days after the Spring Festival holiday counted as its after-days (the
/// slow restart).
pub const SPRING_FESTIVAL_AFTER: u64 = 7;

/// The name of the working-days column.
pub const WORKING_DAYS: &str = "working_days";

/// One occurrence of an event: its name, first and last day (inclusive),
/// and the series it applies to (`None`: every series).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Event name (any UTF-8); occurrences sharing a name share an effect.
    pub name: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day (on or after `start`).
    pub end: NaiveDate,
    /// The only series it applies to, if any.
    pub series: Option<String>,
}

/// The built-in event sets.
pub const BUILTIN_SETS: [&str; 2] = ["china", "shopping"];

/// Events over a range of years, and whether the Chinese working calendar
/// applies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventCalendar {
    events: Vec<Event>,
    names: Vec<String>,
    working_days: bool,
    fallback_years: Vec<i32>,
}

impl EventCalendar {
    /// The built-in `sets` (`china`, `shopping`) for the years
    /// `first..=last` (within 1900–2100), with the default shopping
    /// windows.
    pub fn builtin(sets: &[&str], first: i32, last: i32) -> Result<EventCalendar> {
        EventCalendar::builtin_with(sets, first, last, &ShoppingWindows::default())
    }

    /// As [`EventCalendar::builtin`] with chosen shopping run-up windows.
    pub fn builtin_with(
        sets: &[&str],
        first: i32,
        last: i32,
        windows: &ShoppingWindows,
    ) -> Result<EventCalendar> {
        if first > last || first < china::YEARS.0 || last > china::YEARS.1 {
            return Err(Error::InvalidParameter {
                name: "events years",
                reason: format!(
                    "{first}–{last} is not a range of years within {}–{}",
                    china::YEARS.0,
                    china::YEARS.1
                ),
            });
        }
        let mut cal = EventCalendar::default();
        for set in sets {
            match *set {
                "china" => cal.add_china(first, last)?,
                "shopping" => cal.add_shopping(first, last, windows)?,
                other => return Err(Error::InvalidParameter {
                    name: "events",
                    reason: format!(
                        "unknown event set '{other}' (expected {}, or a file with --events-file)",
                        BUILTIN_SETS.join(", ")
                    ),
                }),
            }
        }
        Ok(cal)
    }

    fn add_china(&mut self, first: i32, last: i32) -> Result<()> {
        if self.working_days {
            return Ok(());
        }
        self.working_days = true;
        for year in first..=last {
            if !china::has_official_schedule(year) {
                self.fallback_years.push(year);
            }
            for f in Festival::ALL {
                let (start, end) = f.period(year)?;
                if f == Festival::SpringFestival {
                    self.push(
                        "spring_festival_before",
                        start - Days::new(SPRING_FESTIVAL_BEFORE),
                        start - Days::new(1),
                    );
                    self.push(f.name(), start, end);
                    self.push(
                        "spring_festival_after",
                        end + Days::new(1),
                        end + Days::new(SPRING_FESTIVAL_AFTER),
                    );
                } else {
                    self.push(f.name(), start, end);
                }
            }
        }
        Ok(())
    }

    fn add_shopping(&mut self, first: i32, last: i32, windows: &ShoppingWindows) -> Result<()> {
        for year in first..=last {
            for f in ShoppingFestival::ALL {
                let (start, end) = f.window(year, windows)?;
                self.push(f.name(), start, end);
            }
        }
        Ok(())
    }

    fn push(&mut self, name: &str, start: NaiveDate, end: NaiveDate) {
        self.add(Event {
            name: name.to_string(),
            start,
            end,
            series: None,
        });
    }

    /// Adds one event (a user's, e.g. a promotion).
    pub fn add(&mut self, event: Event) {
        if !self.names.contains(&event.name) {
            self.names.push(event.name.clone());
        }
        self.events.push(event);
    }

    /// Whether no event is defined.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Years in range without a published official schedule, where the
    /// `china` set fell back to its rule (a run should say so).
    pub fn fallback_years(&self) -> &[i32] {
        &self.fallback_years
    }

    /// Whether the Chinese working calendar (the `china` set) is in use.
    pub fn has_working_days(&self) -> bool {
        self.working_days
    }

    /// The regressors of `series` over `periods` (first and last day of
    /// each, inclusive): a column per event name, in the order first
    /// added, holding the share of that name's windows (each occurrence
    /// weighing 1, spread evenly over its days) that falls in each period;
    /// and, with `china`, a last column [`WORKING_DAYS`], the number of
    /// official working days in the period. Events for other series are
    /// left out; a name with no occurrence for this series gets a zero
    /// column.
    pub fn regressors(
        &self,
        series: &str,
        periods: &[(NaiveDate, NaiveDate)],
    ) -> Result<Regressors> {
        let mut names = self.names.clone();
        if self.working_days {
            names.push(WORKING_DAYS.to_string());
        }
        let k = names.len();
        let mut values = vec![0.0; periods.len() * k];
        let order = sorted_periods(periods)?;
        for e in &self.events {
            if e.series.as_deref().is_some_and(|s| s != series) {
                continue;
            }
            let col = self.names.iter().position(|n| *n == e.name).unwrap_or(0);
            let length = (e.end - e.start).num_days() as f64 + 1.0;
            // periods overlapping the event (binary search on sorted starts)
            let from = order.partition_point(|&p| periods[p].1 < e.start);
            for &p in &order[from..] {
                let (a, b) = periods[p];
                if a > e.end {
                    break;
                }
                let overlap = (b.min(e.end) - a.max(e.start)).num_days() + 1;
                if overlap > 0 {
                    values[p * k + col] += overlap as f64 / length;
                }
            }
        }
        if self.working_days {
            for (p, &(a, b)) in periods.iter().enumerate() {
                let mut count = 0.0;
                for day in a.iter_days().take_while(|d| *d <= b) {
                    if china::day_kind(day)?.is_working() {
                        count += 1.0;
                    }
                }
                values[p * k + k - 1] = count;
            }
        }
        Ok(Regressors {
            names,
            values,
            rows: periods.len(),
        })
    }
}

/// Period indices sorted by start; fails on overlapping periods or a
/// period ending before it starts.
fn sorted_periods(periods: &[(NaiveDate, NaiveDate)]) -> Result<Vec<usize>> {
    let mut order: Vec<usize> = (0..periods.len()).collect();
    order.sort_by_key(|&p| periods[p].0);
    for w in order.windows(2) {
        if periods[w[1]].0 <= periods[w[0]].1 {
            return Err(Error::InvalidParameter {
                name: "periods",
                reason: format!("{} and {} overlap", periods[w[0]].0, periods[w[1]].0),
            });
        }
    }
    if let Some(&p) = order.iter().find(|&&p| periods[p].1 < periods[p].0) {
        return Err(Error::InvalidParameter {
            name: "periods",
            reason: format!("{} ends before it starts", periods[p].0),
        });
    }
    Ok(order)
}

/// Event regressors: one row per period, one column per name.
#[derive(Debug, Clone, PartialEq)]
pub struct Regressors {
    names: Vec<String>,
    values: Vec<f64>,
    rows: usize,
}

impl Regressors {
    /// Column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column of `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Number of periods.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.names.len()
    }

    /// The value for period `row`, column `col`.
    pub fn value(&self, row: usize, col: usize) -> f64 {
        self.values[row * self.names.len() + col]
    }

    /// Row `row`.
    pub fn row(&self, row: usize) -> &[f64] {
        let k = self.names.len();
        &self.values[row * k..(row + 1) * k]
    }
}

/// The calendar months `(first, last day)` of `count` months from
/// `year`-`month`.
pub fn month_periods(year: i32, month: u32, count: usize) -> Result<Vec<(NaiveDate, NaiveDate)>> {
    let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| Error::InvalidParameter {
        name: "month",
        reason: format!("{year}-{month} is not a month"),
    })?;
    (0..count as u32)
        .map(|k| {
            let a = start
                .checked_add_months(chrono::Months::new(k))
                .ok_or_else(|| Error::InvalidParameter {
                    name: "month",
                    reason: format!("{k} months after {start} is out of range"),
                })?;
            let b = a
                .checked_add_months(chrono::Months::new(1))
                .and_then(|d| d.pred_opt())
                .ok_or_else(|| Error::InvalidParameter {
                    name: "month",
                    reason: format!("the month of {a} has no end"),
                })?;
            debug_assert_eq!(a.day(), 1);
            Ok((a, b))
        })
        .collect()
}
