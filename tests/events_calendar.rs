//! The Chinese calendar against independent references: lunar New Year,
//! Dragon Boat and Mid-Autumn for 1900–2100 against the PyPI packages
//! `holidays` (1901–2100) and `LunarCalendar` (1900–2100); the official
//! holidays and adjusted working days of 2004–2026 against `chinese-calendar`
//! and `holidays`. The tables in `tests/data/calendar/` were written by
//! `scripts/calendar_references.py` (package versions in its docstring).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use salesplan::events::china::{self, DayKind, Festival};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn rows(file: &str) -> Vec<Vec<String>> {
    let path = format!("{}/tests/data/calendar/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// year -> [new year, dragon boat, mid-autumn] of one reference
fn lunar_reference(file: &str) -> BTreeMap<i32, [NaiveDate; 3]> {
    rows(file)
        .into_iter()
        .map(|r| {
            (
                r[0].parse().unwrap(),
                [date(&r[1]), date(&r[2]), date(&r[3])],
            )
        })
        .collect()
}

/// Where the two references disagree, ours follows the Hong Kong
/// Observatory's table (as LunarCalendar does): lunar New Year 1916 on 3
/// February (`holidays`: 4 February; the new moon fell just after midnight
/// Beijing time) and Mid-Autumn 2089 on 19 September (`holidays`: 18).
const DISAGREEMENTS: [(i32, usize, &str); 2] = [(1916, 0, "1916-02-03"), (2089, 2, "2089-09-19")];

#[test]
fn lunar_festivals_match_both_references_1900_to_2100() {
    let a = lunar_reference("lunar_holidays.csv");
    let b = lunar_reference("lunar_lunarcalendar.csv");
    assert_eq!(b.len(), 201, "LunarCalendar covers 1900-2100");
    assert_eq!(a.len(), 200, "holidays covers 1901-2100");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for year in 1900..=2100 {
        let ours = [
            Festival::SpringFestival.date(year).unwrap(),
            Festival::DragonBoat.date(year).unwrap(),
            Festival::MidAutumn.date(year).unwrap(),
        ];
        for k in 0..3 {
            let refs: Vec<NaiveDate> = [a.get(&year), b.get(&year)]
                .into_iter()
                .flatten()
                .map(|r| r[k])
                .collect();
            match DISAGREEMENTS.iter().find(|d| d.0 == year && d.1 == k) {
                Some(d) => {
                    assert_ne!(refs[0], refs[1], "{year}: the references now agree");
                    if ours[k] != date(d.2) {
                        wrong.push(format!("{year} festival {k}: {} not {}", ours[k], d.2));
                    }
                }
                None => {
                    for r in &refs {
                        if ours[k] != *r {
                            wrong.push(format!("{year} festival {k}: {} not {r}", ours[k]));
                        }
                    }
                }
            }
            checked += 1;
        }
    }
    assert_eq!(wrong, Vec::<String>::new());
    assert_eq!(checked, 603);
}

/// Days departing from the Monday–Friday week: date -> "off" | "workday".
fn official_reference(file: &str) -> BTreeMap<NaiveDate, String> {
    rows(file)
        .into_iter()
        .map(|r| (date(&r[0]), r[1].clone()))
        .collect()
}

fn ours(first: NaiveDate, last: NaiveDate) -> BTreeMap<NaiveDate, String> {
    let mut out = BTreeMap::new();
    for d in first.iter_days().take_while(|d| *d <= last) {
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        match china::day_kind(d).unwrap() {
            DayKind::Holiday if !weekend => {
                out.insert(d, "off".to_string());
            }
            DayKind::AdjustedWorkday => {
                assert!(
                    weekend,
                    "{d}: an adjusted working day that is not a weekend"
                );
                out.insert(d, "workday".to_string());
            }
            DayKind::Workday => assert!(!weekend, "{d}"),
            DayKind::Weekend => assert!(weekend, "{d}"),
            DayKind::Holiday => {}
        }
    }
    out
}

/// The dates on which two tables differ, as `date: ours / theirs`.
fn differences(a: &BTreeMap<NaiveDate, String>, b: &BTreeMap<NaiveDate, String>) -> Vec<String> {
    let mut out = Vec::new();
    for d in a
        .keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (x, y) = (a.get(d), b.get(d));
        if x != y {
            out.push(format!("{d}: {x:?} / {y:?}"));
        }
    }
    out
}

#[test]
fn official_holidays_and_adjusted_working_days_match_both_references_2004_to_2026() {
    // the crate's table ends on 25 December 2026 (the 2027 notice decides the rest)
    let (first, last) = (date("2004-01-01"), date("2026-12-25"));
    let mine = ours(first, last);
    let within = |m: BTreeMap<NaiveDate, String>| -> BTreeMap<NaiveDate, String> {
        m.into_iter()
            .filter(|(d, _)| *d >= first && *d <= last)
            .collect()
    };
    let cc = within(official_reference("days_chinese_calendar.csv"));
    let hol = within(official_reference("days_holidays.csv"));
    // `chinese-calendar` misses one worked Saturday: the 2006 New Year notice
    // (国办发明电〔2005〕37号) moved Saturday 31 December 2005 to 2 January
    let mut cc_fixed = cc.clone();
    cc_fixed.insert(date("2005-12-31"), "workday".to_string());
    assert!(!cc.contains_key(&date("2005-12-31")));
    assert_eq!(
        differences(&mine, &cc_fixed),
        Vec::<String>::new(),
        "against chinese-calendar"
    );
    assert_eq!(
        differences(&mine, &hol),
        Vec::<String>::new(),
        "against holidays"
    );
    assert!(mine.len() > 500);
}

#[test]
fn festival_periods_follow_the_official_schedule_and_the_rule_beyond_it() {
    // 2024 (国办发明电〔2023〕7号): Spring Festival 10–17 February, worked 4 and 18 February
    assert_eq!(
        Festival::SpringFestival.period(2024).unwrap(),
        (date("2024-02-10"), date("2024-02-17"))
    );
    assert_eq!(
        china::day_kind(date("2024-02-04")).unwrap(),
        DayKind::AdjustedWorkday
    );
    assert_eq!(
        china::day_kind(date("2024-02-18")).unwrap(),
        DayKind::AdjustedWorkday
    );
    // 2023: Mid-Autumn and National Day merged (29 September – 6 October)
    assert_eq!(
        Festival::NationalDay.period(2023).unwrap().1,
        date("2023-10-06")
    );
    // 2030 has no schedule yet: New Year's Eve to the 7th day, weekends only
    assert!(!china::has_official_schedule(2030));
    let cny = china::lunar_new_year(2030).unwrap();
    assert_eq!(cny, date("2030-02-03"));
    let (a, b) = Festival::SpringFestival.period(2030).unwrap();
    assert_eq!((a, b), (cny.pred_opt().unwrap(), date("2030-02-09")));
    assert_eq!(
        china::day_kind(date("2030-02-04")).unwrap(),
        DayKind::Holiday
    );
    // Qingming, a solar term: 4 April 2026, 5 April 2030
    assert_eq!(Festival::Qingming.date(2026).unwrap(), date("2026-04-05"));
    assert!(Festival::SpringFestival.date(1899).is_err());
    assert!(china::day_kind(date("2101-01-01")).is_err());
}
