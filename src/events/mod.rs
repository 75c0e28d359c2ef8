//! Events: the moving holidays, festivals and promotions that shift sales
//! between periods, and the regressors that tell a model where they fall.
//!
//! An [`EventCalendar`] holds dated [`Event`]s — from the built-in sets
//! `china` ([`china`]: the official holiday periods, the Spring
//! Festival's run-up and its season up to Lantern) and `shopping`
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
//! let cal = EventCalendar::new(&["china"])?;
//! let month = |y, m| {
//!     let start = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
//!     (start, start + chrono::Months::new(1) - chrono::Days::new(1))
//! };
//! let x = cal.regressors("any rep", &[month(2026, 1), month(2026, 2)])?;
//! let k = x.column("spring_festival").unwrap();
//! // the 2026 season (10 February, a week before New Year, to 3 March,
//! // Lantern) lies 19 of its 22 days in February, none in January
//! assert_eq!(x.value(0, k), 0.0);
//! assert!((x.value(1, k) - 19.0 / 22.0).abs() < 1e-12);
//! # Ok::<(), salesplan::Error>(())
//! ```

pub mod china;
pub mod effects;
pub mod shopping;

use chrono::{Datelike, Days, NaiveDate};

use crate::error::{Error, Result};
use china::Festival;
use shopping::{ShoppingFestival, ShoppingWindows};

/// The Spring Festival season around the official holiday, in days from
/// lunar New Year (正月初一), as two windows: the run-up of stocking up
/// (年货) from 28 to 8 days before (`spring_festival_before`), and the
/// holiday season (`spring_festival`) from 7 days before — when logistics
/// stop and people travel home (春运) — through the official holiday to
/// the Lantern (正月十五, 14 days after New Year), or the holiday's end if
/// later. (The usual pattern of Chinese distribution and retail; each
/// window's effect is estimated from the data, and kept only where it
/// helps on holdout years, [`effects::select_columns`].)
///
/// Why two windows and not more: with monthly data the season only shows
/// in how January's and February's shares move between years, so two years
/// of history give two contrasts and pin down two effects. Splitting the
/// holiday season further (the week before, the holiday, the days after)
/// was tried on day-level simulations of seven plausible shapes (the dip
/// longer or shorter, earlier or later, deeper or shallower, with and
/// without a run-up; `scripts/events_shapes.py`): planning 2023 from
/// 2021–2022, the mean January–February share error was 0.83 points with
/// two windows against 1.18 with four; from three to five years the two
/// layouts are within 0.01 point of each other (0.21/0.22, 0.18/0.17,
/// 0.34/0.33).
pub const SPRING_FESTIVAL_SEASON: (u64, u64, u64) = (28, 7, 14);

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

/// The event sets in use (built in, generated for whatever years are
/// asked for) and users' events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventCalendar {
    china: bool,
    shopping: Option<ShoppingWindows>,
    user: Vec<Event>,
    user_names: Vec<String>,
}

impl EventCalendar {
    /// The built-in `sets` (`china`, `shopping`; empty: none), with the
    /// default shopping windows.
    pub fn new(sets: &[&str]) -> Result<EventCalendar> {
        let mut cal = EventCalendar::default();
        for set in sets {
            match set.trim() {
                "china" => cal.china = true,
                "shopping" => cal.shopping = Some(ShoppingWindows::default()),
                other => {
                    return Err(Error::InvalidParameter {
                        name: "events",
                        reason: format!(
                            "unknown event set '{other}' (expected {}; a file of your own goes in --events-file)",
                            BUILTIN_SETS.join(", ")
                        ),
                    })
                }
            }
        }
        Ok(cal)
    }

    /// Sets the shopping festivals' run-up windows (and turns the set on).
    pub fn with_shopping_windows(mut self, windows: ShoppingWindows) -> EventCalendar {
        self.shopping = Some(windows);
        self
    }

    /// Adds one event of a user's (e.g. a promotion).
    pub fn add(&mut self, event: Event) {
        if !self.user_names.contains(&event.name) {
            self.user_names.push(event.name.clone());
        }
        self.user.push(event);
    }

    /// Whether no event is defined.
    pub fn is_empty(&self) -> bool {
        !self.china && self.shopping.is_none() && self.user.is_empty()
    }

    /// Whether some event applies to `series` alone.
    pub fn has_events_for(&self, series: &str) -> bool {
        self.user
            .iter()
            .any(|e| e.series.as_deref() == Some(series))
    }

    /// Whether the Chinese working calendar (the `china` set) is in use.
    pub fn has_working_days(&self) -> bool {
        self.china
    }

    /// The event names, in column order: the built-in sets' (in calendar
    /// order), then users' in the order first added.
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if self.china {
            for f in Festival::ALL {
                if f == Festival::SpringFestival {
                    names.push("spring_festival_before".to_string());
                    names.push(f.name().to_string());
                } else {
                    names.push(f.name().to_string());
                }
            }
        }
        if self.shopping.is_some() {
            names.extend(ShoppingFestival::ALL.iter().map(|f| f.name().to_string()));
        }
        for n in &self.user_names {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        names
    }

    /// Every event occurring in the years `first..=last`: the built-in
    /// sets' for those years (within 1900–2100) and the users'.
    pub fn events(&self, first: i32, last: i32) -> Result<Vec<Event>> {
        if first > last || first < china::YEARS.0 || last > china::YEARS.1 {
            return Err(Error::InvalidParameter {
                name: "events years",
                reason: format!(
                    "{first}–{last} is not a range of years within {}–{} (the Chinese calendar's)",
                    china::YEARS.0,
                    china::YEARS.1
                ),
            });
        }
        let mut out = Vec::new();
        let mut push = |name: &str, start: NaiveDate, end: NaiveDate| {
            out.push(Event {
                name: name.to_string(),
                start,
                end,
                series: None,
            })
        };
        for year in first..=last {
            if self.china {
                for f in Festival::ALL {
                    let (start, end) = f.period(year)?;
                    if f == Festival::SpringFestival {
                        let new_year = f.date(year)?;
                        let (before, eve, after) = SPRING_FESTIVAL_SEASON;
                        push(
                            "spring_festival_before",
                            new_year - Days::new(before),
                            new_year - Days::new(eve + 1),
                        );
                        push(
                            f.name(),
                            start.min(new_year - Days::new(eve)),
                            end.max(new_year + Days::new(after)),
                        );
                    } else {
                        push(f.name(), start, end);
                    }
                }
            }
            if let Some(windows) = &self.shopping {
                for f in ShoppingFestival::ALL {
                    let (start, end) = f.window(year, windows)?;
                    push(f.name(), start, end);
                }
            }
        }
        out.extend(self.user.iter().cloned());
        Ok(out)
    }

    /// Years in `first..=last` without a published official schedule,
    /// where the `china` set falls back to its rule (a run should say so).
    pub fn fallback_years(&self, first: i32, last: i32) -> Vec<i32> {
        if !self.china {
            return Vec::new();
        }
        (first..=last)
            .filter(|y| !china::has_official_schedule(*y))
            .collect()
    }

    /// The regressors of `series` over `periods` (first and last day of
    /// each, inclusive): a column per event name ([`EventCalendar::names`])
    /// holding the share of that name's windows (each occurrence weighing
    /// 1, spread evenly over its days) that falls in each period; and, with
    /// `china`, a last column [`WORKING_DAYS`], the number of official
    /// working days in the period. Events for other series are left out.
    /// Fails on overlapping periods or periods outside 1900–2100.
    pub fn regressors(
        &self,
        series: &str,
        periods: &[(NaiveDate, NaiveDate)],
    ) -> Result<Regressors> {
        let names = self.names();
        let mut columns = names.clone();
        if self.china {
            columns.push(WORKING_DAYS.to_string());
        }
        let k = columns.len();
        let mut values = vec![0.0; periods.len() * k];
        let order = sorted_periods(periods)?;
        if let (Some(&a), Some(&b)) = (order.first(), order.last()) {
            // a window of next year's festival can start in this year
            let (first, last) = (periods[a].0.year(), periods[b].1.year());
            let events = self.events(first, (last + 1).min(china::YEARS.1))?;
            for e in &events {
                if e.series.as_deref().is_some_and(|s| s != series) {
                    continue;
                }
                let col = names.iter().position(|n| *n == e.name).unwrap_or(0);
                let length = (e.end - e.start).num_days() as f64 + 1.0;
                // periods overlapping the event (binary search on sorted ends)
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
        }
        if self.china {
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
            names: columns,
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

    /// `rows` rows of zeros under `names`.
    pub fn zeros(names: &[String], rows: usize) -> Regressors {
        Regressors {
            names: names.to_vec(),
            values: vec![0.0; rows * names.len()],
            rows,
        }
    }

    /// Rows `from..to` as regressors of their own.
    pub fn slice(&self, from: usize, to: usize) -> Regressors {
        let k = self.names.len();
        Regressors {
            names: self.names.clone(),
            values: self.values[from * k..to * k].to_vec(),
            rows: to - from,
        }
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
