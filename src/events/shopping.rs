//! The fixed-date shopping festivals of the `shopping` set: 520, 618,
//! Double 11 and Double 12, each ending on its day and starting its
//! run-up window before it (presales and the run-up of the platforms'
//! campaigns: JD's 618 runs from 1 June, Tmall's Double 11 presales from
//! about 20 October).
//!
//! ```
//! use salesplan::events::shopping::{ShoppingFestival, ShoppingWindows};
//! let w = ShoppingWindows::default();
//! let (start, end) = ShoppingFestival::Eleven.window(2026, &w)?;
//! assert_eq!((start.to_string(), end.to_string()), ("2026-10-20".into(), "2026-11-11".into()));
//! # Ok::<(), salesplan::Error>(())
//! ```

use chrono::{Days, NaiveDate};

use crate::error::{Error, Result};

/// One of the shopping festivals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShoppingFestival {
    /// 520 (20 May).
    FiveTwenty,
    /// 618 (18 June).
    SixEighteen,
    /// Double 11 (11 November).
    Eleven,
    /// Double 12 (12 December).
    Twelve,
}

/// Days of run-up before each festival's day (the window is the run-up
/// plus the day itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShoppingWindows {
    /// Before 520 (default 0).
    pub five_twenty: u32,
    /// Before 618 (default 17: from 1 June).
    pub six_eighteen: u32,
    /// Before Double 11 (default 22: from 20 October).
    pub eleven: u32,
    /// Before Double 12 (default 0).
    pub twelve: u32,
}

impl Default for ShoppingWindows {
    fn default() -> Self {
        ShoppingWindows {
            five_twenty: 0,
            six_eighteen: 17,
            eleven: 22,
            twelve: 0,
        }
    }
}

impl ShoppingWindows {
    /// The default windows with the run-ups of `list` changed:
    /// `618=17,double11=22` (keys `520`, `618`, `double11`, `double12`).
    ///
    /// ```
    /// use salesplan::events::shopping::ShoppingWindows;
    /// let w = ShoppingWindows::with_runups("618=10, double12=3")?;
    /// assert_eq!((w.six_eighteen, w.twelve, w.eleven), (10, 3, 22));
    /// assert!(ShoppingWindows::with_runups("black-friday=3").is_err());
    /// # Ok::<(), salesplan::Error>(())
    /// ```
    pub fn with_runups(list: &str) -> crate::Result<ShoppingWindows> {
        let bad = |reason: String| crate::Error::InvalidParameter {
            name: "shopping run-up",
            reason,
        };
        let mut windows = ShoppingWindows::default();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, days) = item
                .split_once('=')
                .ok_or_else(|| bad(format!("'{item}' is not festival=days")))?;
            let days: u32 = days
                .trim()
                .parse()
                .map_err(|_| bad(format!("'{}' is not a number of days", days.trim())))?;
            match key.trim() {
                "520" => windows.five_twenty = days,
                "618" => windows.six_eighteen = days,
                "double11" => windows.eleven = days,
                "double12" => windows.twelve = days,
                other => {
                    return Err(bad(format!(
                        "unknown festival '{other}' (expected 520, 618, double11, double12)"
                    )))
                }
            }
        }
        Ok(windows)
    }
}

impl ShoppingFestival {
    /// All four, in calendar order.
    pub const ALL: [ShoppingFestival; 4] = [
        ShoppingFestival::FiveTwenty,
        ShoppingFestival::SixEighteen,
        ShoppingFestival::Eleven,
        ShoppingFestival::Twelve,
    ];

    /// The event name.
    pub fn name(self) -> &'static str {
        match self {
            ShoppingFestival::FiveTwenty => "520",
            ShoppingFestival::SixEighteen => "618",
            ShoppingFestival::Eleven => "double11",
            ShoppingFestival::Twelve => "double12",
        }
    }

    /// First and last day of the window in `year`.
    pub fn window(self, year: i32, windows: &ShoppingWindows) -> Result<(NaiveDate, NaiveDate)> {
        let (month, day, runup) = match self {
            ShoppingFestival::FiveTwenty => (5, 20, windows.five_twenty),
            ShoppingFestival::SixEighteen => (6, 18, windows.six_eighteen),
            ShoppingFestival::Eleven => (11, 11, windows.eleven),
            ShoppingFestival::Twelve => (12, 12, windows.twelve),
        };
        let end = NaiveDate::from_ymd_opt(year, month, day).ok_or(Error::InvalidParameter {
            name: "events year",
            reason: format!("{year} has no {month}-{day}"),
        })?;
        if runup > 180 {
            return Err(Error::InvalidParameter {
                name: "shopping run-up",
                reason: format!("{}: {runup} days is more than 180", self.name()),
            });
        }
        Ok((end - Days::new(runup as u64), end))
    }
}
