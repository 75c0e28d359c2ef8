//! A mutation fuzzer for the readers users feed files to (issue 10): the
//! long CSV, the org tree, constraints, scenarios (TOML, JSON, CSV), events
//! and plans. Valid seed files are mutated at random (bytes flipped,
//! inserted, deleted; lines duplicated, swapped, dropped; hostile tokens
//! such as `NaN`, `-0`, `1e400`, quotes, a byte-order mark, Chinese names,
//! subnormals, huge years spliced in) and each reader must return a value
//! or an error, never panic or hang. Errors about a cell must name the
//! file and line.
//!
//! `FUZZ_CASES` sets the number of mutated files per reader (default 300,
//! enough for CI); BENCHMARKS.md records a long run.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use salesplan::io::{
    read_constraints_from, read_events_from, read_long_csv_from, read_plan_from, Columns,
};
use salesplan::plan::org::OrgTree;
use salesplan::scenario::spec::{read_scenarios_csv, read_scenarios_from, read_scenarios_json};

const LONG: &str = "unique_id,ds,y\n张伟,2024-01,1520.5\n张伟,2024-02,1610\nb,2024-01,3\nb,2024-02,4\nb,2024-03,5\n";
const ORG: &str = "node_id,parent_id,name,start_date,end_date\nHQ,,公司,,\nR1,HQ,华东,,\n张伟,R1,张伟,2020-01-01,\nli,R1,李娜,,2026-06-30\n";
const CONSTRAINTS: &str = "node_id,min,max,growth_min,growth_max,lock,over_assignment,potential\nR1,,,-0.1,0.3,,1.05,\n张伟,100,5000,,,,,2000\nli,,,,,1200,,\n";
const TOML: &str = "[defaults]\nbasis = \"forecast:0.6,history:0.4\"\nround = 100\n\n[[scenario]]\nname = \"base\"\ngrowth = 0.15\ngrowth_max = 0.4\n\n[[grid]]\nname = \"g\"\ngrowth = [0.05, 0.1]\nbasis = [\"history\", \"forecast\"]\n";
const JSON: &str = "{\"scenario\": [{\"name\": \"base\", \"growth\": 0.1, \"rep_min\": 10}]}";
const SCENARIO_CSV: &str =
    "name,growth,target,basis,rep_min\nbase,0.1,,history,\nfixed,,1000000,forecast,5\n";
const EVENTS: &str =
    "event,start,end,unique_id\n促销,2024-03-01,2024-03-07,张伟\nsale,2024-11-11,2024-11-11,\n";
const PLAN: &str = "node_id,period,target\nHQ,2026,3000\nR1,2026,3000\n张伟,2026,1800\nli,2026,1200\n张伟,2026-01,150\n";

const TOKENS: &[&str] = &[
    "",
    ",",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\u{feff}",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "-0",
    "1e400",
    "1e-320",
    "-1",
    "0",
    "99999999999999999999",
    "2024-02-30",
    "2024-13",
    "262144-01-01",
    "1899-12-31",
    "2101-01-01",
    "张伟",
    "华东",
    "\u{0}",
    "\u{fffd}",
    "HQ",
    "R1",
    "2024Q5",
    "[[scenario]]",
    "{",
    "}",
    "=",
    "name = \"x\"",
];

/// One mutation of `text`, driven by `ops` (kind, position, argument).
fn mutate(text: &str, ops: &[(u8, usize, usize)]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for &(kind, at, arg) in ops {
        let n = bytes.len().max(1);
        let at = at % n;
        match kind % 8 {
            0 if !bytes.is_empty() => {
                let k = at.min(bytes.len() - 1);
                bytes[k] ^= 1 << (arg % 8);
            }
            1 => bytes.insert(at.min(bytes.len()), (arg % 256) as u8),
            2 if !bytes.is_empty() => {
                let end = (at + arg % 8 + 1).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            3 => {
                let token = TOKENS[arg % TOKENS.len()].as_bytes();
                let at = at.min(bytes.len());
                bytes.splice(at..at, token.iter().copied());
            }
            4..=6 => {
                // line-level: duplicate, swap with the next, drop
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
                let k = at % lines.len();
                match kind % 8 {
                    4 => {
                        let line = lines[k].clone();
                        lines.insert(k, line);
                    }
                    5 if k + 1 < lines.len() => lines.swap(k, k + 1),
                    _ => {
                        lines.remove(k);
                    }
                }
                bytes = lines.join(&b'\n');
            }
            _ => {
                // replace a field: everything between two separators
                let token = TOKENS[arg % TOKENS.len()].as_bytes();
                let at = at.min(bytes.len());
                let end = bytes[at..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'\n'))
                    .map_or(bytes.len(), |p| at + p);
                bytes.splice(at..end, token.iter().copied());
            }
        }
    }
    bytes
}

/// An error about a place in a file names the file (and a line when it
/// has one): the message is never empty.
fn check_error(e: &salesplan::Error, file: &str) {
    let text = e.to_string();
    assert!(!text.trim().is_empty());
    if let salesplan::Error::Input { path, line, .. } = e {
        assert_eq!(path, Path::new(file));
        assert!(*line >= 1);
        assert!(text.starts_with(&format!("{file}:{line}")), "{text}");
    }
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// Runs `read` on `cases()` mutations of `seed`.
fn fuzz(seed: &'static str, read: impl Fn(&[u8])) {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let ops = proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..6);
    runner
        .run(&ops, |ops| {
            read(&mutate(seed, &ops));
            Ok(())
        })
        .unwrap();
}

fn org() -> OrgTree {
    OrgTree::read_from(ORG.as_bytes(), "org.csv".as_ref()).unwrap()
}

#[test]
fn the_long_csv_reader_survives_mutations() {
    fuzz(LONG, |bytes| {
        if let Err(e) = read_long_csv_from(bytes, "in.csv".as_ref(), &Columns::default()) {
            check_error(&e, "in.csv");
        }
    });
}

#[test]
fn the_org_reader_survives_mutations() {
    fuzz(ORG, |bytes| {
        if let Err(e) = OrgTree::read_from(bytes, "org.csv".as_ref()) {
            check_error(&e, "org.csv");
        }
    });
}

#[test]
fn the_constraints_reader_survives_mutations() {
    let tree = org();
    fuzz(CONSTRAINTS, |bytes| {
        if let Err(e) = read_constraints_from(bytes, "c.csv".as_ref(), &tree) {
            check_error(&e, "c.csv");
        }
    });
}

#[test]
fn the_scenario_readers_survive_mutations() {
    for (seed, kind) in [(TOML, 0), (JSON, 1), (SCENARIO_CSV, 2)] {
        fuzz(seed, |bytes| {
            let text = String::from_utf8_lossy(bytes);
            let r = match kind {
                0 => read_scenarios_from(&text, "s.toml".as_ref()),
                1 => read_scenarios_json(&text, "s.json".as_ref()),
                _ => read_scenarios_csv(&text, "s.csv".as_ref()),
            };
            if let Err(e) = r {
                assert!(!e.to_string().trim().is_empty());
            }
        });
    }
}

#[test]
fn the_events_and_plan_readers_survive_mutations() {
    fuzz(EVENTS, |bytes| {
        if let Err(e) = read_events_from(bytes, "e.csv".as_ref()) {
            check_error(&e, "e.csv");
        }
    });
    let tree = org();
    fuzz(PLAN, |bytes| {
        if let Err(e) = read_plan_from(bytes, "p.csv".as_ref(), &tree, 2026, 6, false) {
            check_error(&e, "p.csv");
        }
    });
}
