//! Event regressors and effects on series with known effects, the events
//! file's errors, and the phasing of a plan with events.

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use salesplan::events::effects::{column_groups, estimate, select_columns};
use salesplan::events::{month_periods, EventCalendar, WORKING_DAYS};
use salesplan::io::read_events_from;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn regressors_hold_window_shares_and_working_days() {
    let cal = EventCalendar::new(&["china", "shopping"]).unwrap();
    let periods = month_periods(2026, 1, 12).unwrap();
    let x = cal.regressors("E0001", &periods).unwrap();
    // every window's shares sum to one over the months that hold it
    for name in [
        "spring_festival",
        "spring_festival_before",
        "dragon_boat",
        "double11",
    ] {
        let k = x.column(name).unwrap();
        let total: f64 = (0..12).map(|t| x.value(t, k)).sum();
        assert!((total - 1.0).abs() < 1e-12, "{name}: {total}");
    }
    // New Year 17 February 2026: the run-up (20 Jan – 9 Feb) is 12/21 in January
    let k = x.column("spring_festival_before").unwrap();
    assert!((x.value(0, k) - 12.0 / 21.0).abs() < 1e-12);
    // Double 11's run-up from 20 October: 12 of its 23 days in October
    let k = x.column("double11").unwrap();
    assert!((x.value(9, k) - 12.0 / 23.0).abs() < 1e-12);
    // February 2026: 20 weekdays, 6 of them holidays (16–20, 23 Feb), and
    // two Saturdays worked (14 and 28 Feb): 16 working days
    let w = x.column(WORKING_DAYS).unwrap();
    assert_eq!(x.value(1, w), 16.0);
    // weeks work as well as months: the ISO week of 16 February 2026
    let week = [(d("2026-02-16"), d("2026-02-22"))];
    let xw = cal.regressors("E0001", &week).unwrap();
    assert_eq!(xw.value(0, xw.column(WORKING_DAYS).unwrap()), 0.0);
    assert!(EventCalendar::new(&["chian"])
        .unwrap_err()
        .to_string()
        .contains("unknown event set 'chian'"));
}

/// Monthly sales over `years` from 2016 with a true Spring Festival effect
/// (run-up +0.3, holiday -0.6 on the log scale per unit share) and noise.
fn series(
    cal: &EventCalendar,
    years: usize,
    noise: f64,
    seed: u64,
) -> (Vec<f64>, salesplan::events::Regressors) {
    let x = cal
        .regressors("s", &month_periods(2016, 1, 12 * years).unwrap())
        .unwrap();
    let (b, h) = (
        x.column("spring_festival_before").unwrap(),
        x.column("spring_festival").unwrap(),
    );
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let e = Normal::new(0.0, noise).unwrap();
    let y = (0..12 * years)
        .map(|t| {
            let season = [
                0.0, -0.1, 0.1, 0.0, 0.05, 0.3, -0.1, -0.1, 0.1, 0.1, 0.4, 0.3,
            ][t % 12];
            let trend = 0.005 * t as f64;
            (10.0 + season + trend + 0.3 * x.value(t, b) - 0.6 * x.value(t, h) + e.sample(&mut rng))
                .exp()
        })
        .collect();
    (y, x)
}

#[test]
fn effects_are_recovered_within_their_standard_errors() {
    let cal = EventCalendar::new(&["china"]).unwrap();
    let season: Vec<usize> = (0..96).map(|t| t % 12).collect();
    let block: Vec<usize> = (0..96).map(|t| t / 12).collect();
    let mut hits = 0;
    for seed in 0..40 {
        let (y, x) = series(&cal, 8, 0.03, seed);
        let mut mask = vec![false; x.columns()];
        let (b, h) = (
            x.column("spring_festival_before").unwrap(),
            x.column("spring_festival").unwrap(),
        );
        mask[b] = true;
        mask[h] = true;
        let e = salesplan::events::effects::estimate_columns(&y, &season, &block, &x, &mask);
        let v = e.variances();
        let z = (e.beta()[h] + 0.6) / v[h].sqrt();
        if z.abs() < 1.96 {
            hits += 1;
        }
        assert!(
            (e.beta()[b] - 0.3).abs() < 0.15,
            "seed {seed}: {}",
            e.beta()[b]
        );
    }
    // a 95% interval covers the true effect in about 38 of 40 series
    assert!((33..=40).contains(&hits), "{hits} of 40");
}

#[test]
fn selection_keeps_the_festival_that_moves_sales_and_drops_the_rest() {
    let cal = EventCalendar::new(&["china"]).unwrap();
    let season: Vec<usize> = (0..96).map(|t| t % 12).collect();
    let block: Vec<usize> = (0..96).map(|t| t / 12).collect();
    let mut kept_spring = 0;
    let mut kept_other = 0;
    for seed in 0..20 {
        let (y, x) = series(&cal, 8, 0.03, 100 + seed);
        let groups = column_groups(&x);
        let mask = select_columns(&y, &season, &block, &x, &groups, &[]);
        let h = x.column("spring_festival").unwrap();
        kept_spring += usize::from(mask[h]);
        for name in ["dragon_boat", "mid_autumn", "qingming"] {
            kept_other += usize::from(mask[x.column(name).unwrap()]);
        }
    }
    assert_eq!(kept_spring, 20);
    assert!(
        kept_other <= 6,
        "null festivals kept {kept_other} times of 60"
    );
    // no effect at all: nothing much is kept, and the estimate is near zero
    let x = cal
        .regressors("s", &month_periods(2016, 1, 96).unwrap())
        .unwrap();
    let flat: Vec<f64> = (0..96).map(|t| 100.0 + (t % 12) as f64).collect();
    let e = estimate(&flat, &season, &block, &x);
    assert!(e.beta().iter().all(|b| b.abs() < 0.05), "{:?}", e.beta());
}

#[test]
fn events_file_errors_name_line_column_and_value() {
    let read = |text: &str| read_events_from(text.as_bytes(), "promos.csv".as_ref());
    let ok = read("event,start,end,unique_id\n年货节,2026-01-05,2026-01-25,\n大促,2026-03-01,2026-03-03,王芳\n").unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[1].1.series.as_deref(), Some("王芳"));
    let unknown = salesplan::io::check_event_series(&ok, "promos.csv".as_ref(), |s| s != "王芳")
        .unwrap_err()
        .to_string();
    assert!(
        unknown.contains("promos.csv:3: column 'unique_id'") && unknown.contains("王芳"),
        "{unknown}"
    );
    let cases = [
        (
            "event,start,end\n大促,2026-02-30,2026-03-01\n",
            "promos.csv:2: column 'start'",
            "2026-02-30",
        ),
        (
            "event,start,end\n大促,2026-03-03,2026-03-01\n",
            "promos.csv:2: column 'end'",
            "before the start",
        ),
        (
            "event,start,end\n大促,1899-03-01,1899-03-02\n",
            "column 'start'",
            "1900",
        ),
        (
            "event,start,end\n,2026-03-01,2026-03-02\n",
            "column 'event'",
            "needs a name",
        ),
        (
            "event,start,end\nA,2026-03-01,2026-03-05\nA,2026-03-04,2026-03-06\n",
            "promos.csv:3: column 'start'",
            "line 2",
        ),
        (
            "event,start,finish\n",
            "promos.csv",
            "unknown column 'finish'",
        ),
    ];
    for (text, place, what) in cases {
        let e = read(text).unwrap_err().to_string();
        assert!(e.contains(place) && e.contains(what), "{e}");
    }
    // the same dates for two different series are two events, not a duplicate
    assert!(read(
        "event,start,end,unique_id\nA,2026-03-01,2026-03-05,a\nA,2026-03-01,2026-03-05,b\n"
    )
    .is_ok());
}
