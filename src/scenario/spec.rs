//! Planning scenarios: what a sweep varies, read from TOML and validated.
//!
//! A [`Scenario`] fixes everything a plan depends on besides the data: the
//! company target (absolute or growth over last year), the allocation basis
//! and its weights, the split method, bounds and growth caps on reps,
//! over-assignment per level, the new-hire ramp, the calendar of the
//! phasing and the rounding unit.
//!
//! A scenario file lists scenarios, grids of scenarios (the cartesian
//! product of value lists), or both, with optional defaults:
//!
//! ```toml
//! [defaults]
//! basis = "forecast:0.6,history:0.4"   # or { forecast = 0.6, history = 0.4 }
//! round = 100
//!
//! [[scenario]]
//! name = "base"
//! growth = 0.15
//!
//! [[scenario]]
//! name = "stretch"
//! target = 125_000_000
//! growth_max = 0.5
//! over_assignment = [0.0, 0.05, 0.10]   # root's children, then the next level ...
//!
//! [[grid]]
//! name = "what-if"
//! growth = [0.08, 0.12, 0.18]
//! basis = ["forecast", "history", "forecast:0.5,history:0.5"]
//! ramp = [[0.25, 0.5, 0.75], [0.5, 1.0]]
//! ```
//!
//! Keys: `name`, `target`, `growth` (exactly one of these two), `basis`
//! (columns `history`, `trailing`, `forecast`, `potential`, `equal`),
//! `method` (`proportional`, `least-squares`), `rep_min`, `rep_max`,
//! `growth_min`, `growth_max` (bounds on every rep, i.e. leaf, tightening
//! any per-node constraints), `over_assignment` (one rate per level, from
//! the root down), `ramp` (monthly factors of a new hire), `round` (the
//! rounding unit), `calendar` (the periods targets are phased into:
//! `monthly`, `quarterly`, `weekly`, `fiscal-monthly:<start month>`, `445`,
//! ... as [`PlanningCalendar`] reads them). In a grid every key but `name` takes a list; the grid's
//! scenarios are named `name-1`, `name-2` ... with the keys taken in
//! alphabetical order, the last one varying fastest.
//!
//! Unknown keys, values of the wrong type, impossible values and
//! contradictory combinations are rejected with an [`Error::Scenario`]
//! naming the file, the scenario and the field.
//!
//! ```
//! use salesplan::scenario::{read_scenarios_from, CompanyTarget};
//! let text = "[[scenario]]\nname = \"base\"\ngrowth = 0.1\n\n[[grid]]\nname = \"g\"\ngrowth = [0.1, 0.2]\nround = [1, 100]\n";
//! let scenarios = read_scenarios_from(text, "s.toml".as_ref()).unwrap();
//! assert_eq!(scenarios.len(), 5);
//! assert_eq!(scenarios[4].name, "g-4");
//! assert_eq!(scenarios[4].target, CompanyTarget::Growth(0.2));
//! assert_eq!(scenarios[4].unit, Some(100.0));
//!
//! let e = read_scenarios_from("[[scenario]]\nname = \"x\"\ngrowht = 0.1\n", "s.toml".as_ref()).unwrap_err();
//! assert!(e.to_string().contains("scenario 'x': field 'growht'"));
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::plan::allocate::{Basis, Method, Ramp};
use crate::plan::calendar::PlanningCalendar;

/// Most scenarios one file may expand to (a guard against a mistyped grid).
pub const MAX_SCENARIOS: usize = 1_000_000;

pub use crate::plan::year::{CompanyTarget, BASIS_COLUMNS};

/// One validated planning scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Unique within its file.
    pub name: String,
    pub target: CompanyTarget,
    /// The basis blend (columns among [`BASIS_COLUMNS`]).
    pub basis: Basis,
    pub method: Method,
    /// Smallest target of every active rep (leaf).
    pub rep_min: Option<f64>,
    /// Largest target of every rep.
    pub rep_max: Option<f64>,
    /// Lowest growth over last year of every established rep.
    pub growth_min: Option<f64>,
    /// Highest growth over last year of every established rep.
    pub growth_max: Option<f64>,
    /// Over-assignment by the level of the parent: entry `d` makes the
    /// children of every node at depth `d` sum to `(1 + u_d) ×` its target.
    /// Missing levels have none.
    pub over_assignment: Vec<f64>,
    /// New hires' monthly ramp for their targets. (Their simulated sales,
    /// shared by all scenarios, use the default ramp.)
    pub ramp: Ramp,
    /// Rounding unit (`None`: unrounded).
    pub unit: Option<f64>,
    /// The periods the annual targets are phased into (default: calendar
    /// months): those of the calendar's year that covers most of the plan
    /// year ([`PlanningCalendar::covering_year`]; a fiscal year
    /// from April 2026 for plan year 2026). The simulated year, hence the
    /// probabilities, is always the plan year's 12 calendar months.
    pub calendar: PlanningCalendar,
}

impl Scenario {
    /// A scenario with only a target: history basis, proportional, no
    /// bounds, the default ramp, unrounded.
    pub fn new(name: &str, target: CompanyTarget) -> Scenario {
        Scenario {
            name: name.to_string(),
            target,
            basis: Basis::default(),
            method: Method::Proportional,
            rep_min: None,
            rep_max: None,
            growth_min: None,
            growth_max: None,
            over_assignment: Vec::new(),
            ramp: Ramp::default(),
            unit: None,
            calendar: PlanningCalendar::monthly(),
        }
    }

    /// The basis as `column:weight,...`.
    pub fn basis_text(&self) -> String {
        self.basis
            .parts()
            .iter()
            .map(|(c, w)| format!("{c}:{w}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A basis written as `"forecast:0.6,history:0.4"` or as a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum BasisSpec {
    Text(String),
    Table(BTreeMap<String, f64>),
}

/// One scenario as written (every key optional, merged over `[defaults]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioSpec {
    name: Option<String>,
    target: Option<f64>,
    growth: Option<f64>,
    basis: Option<BasisSpec>,
    method: Option<String>,
    rep_min: Option<f64>,
    rep_max: Option<f64>,
    growth_min: Option<f64>,
    growth_max: Option<f64>,
    over_assignment: Option<Vec<f64>>,
    ramp: Option<Vec<f64>>,
    round: Option<f64>,
    calendar: Option<String>,
}

const KEYS: [&str; 13] = [
    "name",
    "target",
    "growth",
    "basis",
    "method",
    "rep_min",
    "rep_max",
    "growth_min",
    "growth_max",
    "over_assignment",
    "ramp",
    "round",
    "calendar",
];

impl ScenarioSpec {
    /// `self` over `base`: keys set here win.
    fn over(self, base: &ScenarioSpec) -> ScenarioSpec {
        let b = base.clone();
        // a target given here replaces the defaults' growth, and vice versa
        let (target, growth) = if self.target.is_some() || self.growth.is_some() {
            (self.target, self.growth)
        } else {
            (b.target, b.growth)
        };
        ScenarioSpec {
            name: self.name.or(b.name),
            target,
            growth,
            basis: self.basis.or(b.basis),
            method: self.method.or(b.method),
            rep_min: self.rep_min.or(b.rep_min),
            rep_max: self.rep_max.or(b.rep_max),
            growth_min: self.growth_min.or(b.growth_min),
            growth_max: self.growth_max.or(b.growth_max),
            over_assignment: self.over_assignment.or(b.over_assignment),
            ramp: self.ramp.or(b.ramp),
            round: self.round.or(b.round),
            calendar: self.calendar.or(b.calendar),
        }
    }
}

/// Reads and validates a scenario file: TOML, or by its extension JSON
/// (`.json`: the same structure as the TOML file, e.g. `{"scenario":
/// [{"name": "base", "growth": 0.1}]}`) or CSV (`.csv`: one scenario per
/// row, the keys as columns; see [`read_scenarios_csv`]).
pub fn read_scenarios(path: &Path) -> Result<Vec<Scenario>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("json") => read_scenarios_json(&text, path),
        Some("csv") => read_scenarios_csv(&text, path),
        _ => read_scenarios_from(&text, path),
    }
}

/// As [`read_scenarios`], from TOML text; `path` names the source in errors.
pub fn read_scenarios_from(text: &str, path: &Path) -> Result<Vec<Scenario>> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        scenario_error(path)(
            "",
            "",
            format!("not valid TOML: {}", e.message().trim_end()) + &span_line(text, e.span()),
        )
    })?;
    scenarios_of(&table, path)
}

/// As [`read_scenarios`], from JSON text with the TOML file's structure.
///
/// ```
/// use salesplan::scenario::read_scenarios_json;
/// let text = r#"{"defaults": {"round": 100}, "scenario": [{"name": "base", "growth": 0.1}],
///                "grid": [{"name": "g", "growth": [0.1, 0.2], "calendar": ["monthly", "445"]}]}"#;
/// let s = read_scenarios_json(text, "s.json".as_ref())?;
/// assert_eq!(s.len(), 5);
/// assert_eq!(s[0].unit, Some(100.0));
/// // grid keys in alphabetical order, the last varying fastest
/// assert_eq!((s[3].name.as_str(), s[3].calendar.to_string()), ("g-3", "445".to_string()));
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn read_scenarios_json(text: &str, path: &Path) -> Result<Vec<Scenario>> {
    let table: toml::Table = serde_json::from_str(text).map_err(|e| {
        scenario_error(path)(
            "",
            "",
            format!(
                "not valid JSON for a scenario file: {e} (an object with \"defaults\", \"scenario\" and \"grid\"; no nulls)"
            ),
        )
    })?;
    scenarios_of(&table, path)
}

/// As [`read_scenarios`], from CSV text: a header of scenario keys (`name`
/// first or anywhere, then any of `target`, `growth`, `basis`, `method`,
/// `rep_min`, `rep_max`, `growth_min`, `growth_max`, `over_assignment`,
/// `ramp`, `round`, `calendar`), one scenario per row; an empty cell leaves
/// the key unset; `over_assignment` and `ramp` are lists separated by `;`.
/// A cell that is not a number where one is expected is rejected with its
/// line, column and value.
///
/// ```
/// use salesplan::scenario::read_scenarios_csv;
/// let text = "name,growth,basis,over_assignment,round,calendar\n\
///             base,0.1,\"forecast:0.6,history:0.4\",0;0.05,100,quarterly\n\
///             flat,0,,,,\n";
/// let s = read_scenarios_csv(text, "s.csv".as_ref())?;
/// assert_eq!(s[0].over_assignment, [0.0, 0.05]);
/// assert_eq!(s[0].calendar.to_string(), "quarterly");
/// assert_eq!(s[1].unit, None);
/// let e = read_scenarios_csv("name,growth\nbase,ten\n", "s.csv".as_ref()).unwrap_err();
/// assert_eq!(e.to_string(), "s.csv:2: column 'growth': not a number (value 'ten')");
/// # Ok::<(), salesplan::Error>(())
/// ```
pub fn read_scenarios_csv(text: &str, path: &Path) -> Result<Vec<Scenario>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let file_error = |reason: String| Error::File {
        path: path.to_path_buf(),
        reason,
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| file_error(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    for (k, key) in header.iter().enumerate() {
        if header[..k].contains(key) {
            return Err(scenario_error(path)("", key, "column given twice".into()));
        }
        if !KEYS.contains(&key.as_str()) {
            return Err(scenario_error(path)(
                "",
                key,
                format!("unknown column (expected some of {})", KEYS.join(", ")),
            ));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| file_error(e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let mut table = toml::Table::new();
        if header
            .iter()
            .zip(record.iter())
            .all(|(k, c)| k != "name" || c.is_empty())
        {
            return Err(Error::Input {
                path: path.to_path_buf(),
                line,
                column: "name".into(),
                value: None,
                reason: "every scenario needs a name".into(),
            });
        }
        for (key, cell) in header.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            let bad = |reason: &str, value: &str| Error::Input {
                path: path.to_path_buf(),
                line,
                column: key.clone(),
                value: Some(value.to_string()),
                reason: reason.to_string(),
            };
            let number = |text: &str| -> Result<toml::Value> {
                text.trim()
                    .parse::<f64>()
                    .map(toml::Value::Float)
                    .map_err(|_| bad("not a number", text))
            };
            let value = match key.as_str() {
                "name" | "basis" | "method" | "calendar" => toml::Value::String(cell.to_string()),
                "over_assignment" | "ramp" => toml::Value::Array(
                    cell.split(';')
                        .map(number)
                        .collect::<Result<_>>()
                        .map_err(|_| bad("not a list of numbers separated by ';'", cell))?,
                ),
                _ => number(cell)?,
            };
            table.insert(key.clone(), value);
        }
        rows.push(toml::Value::Table(table));
    }
    let mut table = toml::Table::new();
    table.insert("scenario".into(), toml::Value::Array(rows));
    scenarios_of(&table, path)
}

fn scenario_error(path: &Path) -> impl Fn(&str, &str, String) -> Error + '_ {
    move |scenario: &str, field: &str, reason: String| Error::Scenario {
        path: path.to_path_buf(),
        scenario: scenario.to_string(),
        field: field.to_string(),
        reason,
    }
}

/// The scenarios of a parsed file (`[defaults]`, `[[scenario]]`, `[[grid]]`).
fn scenarios_of(table: &toml::Table, path: &Path) -> Result<Vec<Scenario>> {
    let error = scenario_error(path);
    for key in table.keys() {
        if !["defaults", "scenario", "grid"].contains(&key.as_str()) {
            return Err(error(
                "",
                key,
                "unknown section (expected [defaults], [[scenario]] or [[grid]])".into(),
            ));
        }
    }
    let defaults = match table.get("defaults") {
        None => ScenarioSpec::default(),
        Some(toml::Value::Table(t)) => {
            let spec = parse_spec(t, "defaults", &error)?;
            if spec.name.is_some() {
                return Err(error(
                    "defaults",
                    "name",
                    "defaults cannot have a name".into(),
                ));
            }
            spec
        }
        Some(_) => return Err(error("defaults", "", "must be a table [defaults]".into())),
    };
    let mut out: Vec<Scenario> = Vec::new();
    for (k, t) in tables(table, "scenario", &error)?.into_iter().enumerate() {
        let label = match t.get("name") {
            Some(toml::Value::String(s)) => s.clone(),
            _ => format!("#{}", k + 1),
        };
        let spec = parse_spec(t, &label, &error)?.over(&defaults);
        let Some(name) = spec.name.clone() else {
            return Err(error(
                &label,
                "name",
                "missing (every scenario needs a name)".into(),
            ));
        };
        out.push(validate(&name, spec, &error)?);
    }
    for (k, t) in tables(table, "grid", &error)?.into_iter().enumerate() {
        let label = match t.get("name") {
            Some(toml::Value::String(s)) => s.clone(),
            _ => format!("grid{}", k + 1),
        };
        expand_grid(t, &label, &defaults, &error, &mut out)?;
    }
    if out.is_empty() {
        return Err(error(
            "",
            "",
            "no scenarios (add [[scenario]] or [[grid]] tables)".into(),
        ));
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, s) in out.iter().enumerate() {
        if let Some(first) = seen.insert(&s.name, k) {
            return Err(error(
                &s.name,
                "name",
                format!(
                    "given to scenarios {} and {} (names must be unique)",
                    first + 1,
                    k + 1
                ),
            ));
        }
    }
    Ok(out)
}

type ErrorFn<'a> = dyn Fn(&str, &str, String) -> Error + 'a;

fn span_line(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(s) => {
            let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
            format!(" (line {line})")
        }
        None => String::new(),
    }
}

fn tables<'t>(table: &'t toml::Table, key: &str, error: &ErrorFn) -> Result<Vec<&'t toml::Table>> {
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(toml::Value::Table(t)) => Ok(vec![t]),
        Some(toml::Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(k, v)| match v {
                toml::Value::Table(t) => Ok(t),
                _ => Err(error(
                    &format!("#{}", k + 1),
                    "",
                    format!("[[{key}]] entries must be tables"),
                )),
            })
            .collect(),
        Some(_) => Err(error("", key, format!("must be [[{key}]] tables"))),
    }
}

/// Deserialises one table, naming the field at fault: unknown keys are
/// caught first, then each key is deserialised alone, so a type error
/// names its key.
fn parse_spec(t: &toml::Table, label: &str, error: &ErrorFn) -> Result<ScenarioSpec> {
    for (key, value) in t {
        if !KEYS.contains(&key.as_str()) {
            return Err(error(
                label,
                key,
                format!("unknown key (expected one of {})", KEYS.join(", ")),
            ));
        }
        let mut single = toml::Table::new();
        single.insert(key.clone(), value.clone());
        if let Err(e) = ScenarioSpec::deserialize(toml::Value::Table(single)) {
            return Err(error(label, key, type_message(key, value, &e.to_string())));
        }
    }
    ScenarioSpec::deserialize(toml::Value::Table(t.clone()))
        .map_err(|e| error(label, "", e.to_string().trim_end().to_string()))
}

fn type_message(key: &str, value: &toml::Value, detail: &str) -> String {
    let expected = match key {
        "name" | "method" | "calendar" => "a string",
        "basis" => "a string like \"forecast:0.6,history:0.4\" or a table of weights",
        "over_assignment" | "ramp" => "a list of numbers",
        _ => "a number",
    };
    let detail = detail.lines().next().unwrap_or_default();
    format!("expected {expected}, found {} ({detail})", value.type_str())
}

fn expand_grid(
    t: &toml::Table,
    label: &str,
    defaults: &ScenarioSpec,
    error: &ErrorFn,
    out: &mut Vec<Scenario>,
) -> Result<()> {
    // Each key but `name` holds a list; each combination is one table.
    let mut axes: Vec<(&String, &Vec<toml::Value>)> = Vec::new();
    for (key, value) in t {
        if key == "name" {
            if !value.is_str() {
                return Err(error(label, key, "expected a string".into()));
            }
            continue;
        }
        if !KEYS.contains(&key.as_str()) {
            return Err(error(
                label,
                key,
                format!("unknown key (expected one of {})", KEYS.join(", ")),
            ));
        }
        match value {
            toml::Value::Array(items) if !items.is_empty() => axes.push((key, items)),
            toml::Value::Array(_) => {
                return Err(error(
                    label,
                    key,
                    "empty list (give at least one value)".into(),
                ))
            }
            _ => {
                return Err(error(
                    label,
                    key,
                    "a grid takes a list of values (write [x] for one)".into(),
                ))
            }
        }
    }
    let count = axes
        .iter()
        .try_fold(1usize, |acc, (_, items)| acc.checked_mul(items.len()))
        .filter(|&c| out.len().saturating_add(c) <= MAX_SCENARIOS)
        .ok_or_else(|| {
            error(
                label,
                "",
                format!("expands to more than {MAX_SCENARIOS} scenarios"),
            )
        })?;
    let digits = count.to_string().len();
    for k in 0..count {
        // the last key varies fastest
        let mut rest = k;
        let mut combo = toml::Table::new();
        for (key, items) in axes.iter().rev() {
            combo.insert((*key).clone(), items[rest % items.len()].clone());
            rest /= items.len();
        }
        let name = format!("{label}-{:0digits$}", k + 1);
        let spec = parse_spec(&combo, &name, error)?.over(defaults);
        let spec = ScenarioSpec {
            name: Some(name.clone()),
            ..spec
        };
        out.push(validate(&name, spec, error)?);
    }
    Ok(())
}

fn validate(name: &str, spec: ScenarioSpec, error: &ErrorFn) -> Result<Scenario> {
    let fail = |field: &str, reason: String| Err(error(name, field, reason));
    let finite = |field: &str, v: Option<f64>| -> Result<Option<f64>> {
        match v {
            Some(x) if !x.is_finite() => Err(error(name, field, format!("{x} is not finite"))),
            v => Ok(v),
        }
    };
    if name.trim().is_empty() {
        return fail("name", "empty".into());
    }
    let target = match (
        finite("target", spec.target)?,
        finite("growth", spec.growth)?,
    ) {
        (Some(_), Some(_)) => {
            return fail("target", "give either target or growth, not both".into())
        }
        (None, None) => return fail("target", "missing (give target or growth)".into()),
        (Some(t), None) if t <= 0.0 => return fail("target", format!("{t} is not positive")),
        (Some(t), None) => CompanyTarget::Absolute(t),
        (None, Some(g)) if g <= -1.0 => {
            return fail(
                "growth",
                format!("{g} would make the target zero or negative"),
            )
        }
        (None, Some(g)) => CompanyTarget::Growth(g),
    };
    let basis = match spec.basis {
        None => Basis::default(),
        Some(BasisSpec::Text(text)) => text
            .parse::<Basis>()
            .map_err(|e| error(name, "basis", reason_of(e)))?,
        Some(BasisSpec::Table(table)) => {
            let mut b = Basis::new();
            for (column, weight) in table {
                b = b
                    .with(&column, weight)
                    .map_err(|e| error(name, "basis", reason_of(e)))?;
            }
            b
        }
    };
    for (column, _) in basis.parts() {
        if !BASIS_COLUMNS.contains(&column.as_str()) {
            return fail(
                "basis",
                format!(
                    "unknown column '{column}' (expected {})",
                    BASIS_COLUMNS.join(", ")
                ),
            );
        }
    }
    let total: f64 = basis.parts().iter().map(|p| p.1).sum();
    if !(total > 0.0 && total.is_finite()) {
        return fail(
            "basis",
            format!("weights sum to {total}; they must sum to a positive number"),
        );
    }
    let method = match spec.method {
        None => Method::Proportional,
        Some(m) => m
            .parse::<Method>()
            .map_err(|e| error(name, "method", reason_of(e)))?,
    };
    let rep_min = finite("rep_min", spec.rep_min)?;
    let rep_max = finite("rep_max", spec.rep_max)?;
    if let Some(m) = rep_min.filter(|m| *m < 0.0) {
        return fail("rep_min", format!("{m} is negative"));
    }
    if let Some(m) = rep_max.filter(|m| *m < 0.0) {
        return fail("rep_max", format!("{m} is negative"));
    }
    if let (Some(lo), Some(hi)) = (rep_min, rep_max) {
        if lo > hi {
            return fail("rep_min", format!("{lo} is above rep_max {hi}"));
        }
    }
    let growth_min = finite("growth_min", spec.growth_min)?;
    let growth_max = finite("growth_max", spec.growth_max)?;
    for (field, g) in [("growth_min", growth_min), ("growth_max", growth_max)] {
        if let Some(g) = g.filter(|g| *g < -1.0) {
            return fail(field, format!("{g} is below -1 (a negative target)"));
        }
    }
    if let (Some(lo), Some(hi)) = (growth_min, growth_max) {
        if lo > hi {
            return fail("growth_min", format!("{lo} is above growth_max {hi}"));
        }
    }
    let over_assignment = spec.over_assignment.unwrap_or_default();
    for (level, &u) in over_assignment.iter().enumerate() {
        if !(u.is_finite() && u > -1.0) {
            return fail(
                "over_assignment",
                format!("{u} at level {level} is not a rate above -1"),
            );
        }
    }
    let ramp = match spec.ramp {
        None => Ramp::default(),
        Some(steps) => Ramp::new(steps).map_err(|e| error(name, "ramp", reason_of(e)))?,
    };
    let calendar = match spec.calendar {
        None => PlanningCalendar::monthly(),
        Some(c) => c
            .parse::<PlanningCalendar>()
            .map_err(|e| error(name, "calendar", reason_of(e)))?,
    };
    let unit = finite("round", spec.round)?;
    if let Some(u) = unit.filter(|u| *u <= 0.0) {
        return fail("round", format!("unit {u} is not positive"));
    }
    // Combinations that no data can satisfy.
    if let (Some(u), Some(lo), Some(hi)) = (unit, rep_min, rep_max) {
        if (lo / u).ceil() > (hi / u).floor() {
            return fail(
                "round",
                format!("no multiple of {u} lies between rep_min {lo} and rep_max {hi}"),
            );
        }
    }
    if let (CompanyTarget::Absolute(t), Some(u)) = (target, unit) {
        if (t / u).round() <= 0.0 {
            return fail("round", format!("target {t} rounds to 0 units of {u}"));
        }
    }
    Ok(Scenario {
        name: name.to_string(),
        target,
        basis,
        method,
        rep_min,
        rep_max,
        growth_min,
        growth_max,
        over_assignment,
        ramp,
        unit,
        calendar,
    })
}

fn reason_of(e: Error) -> String {
    match e {
        Error::InvalidParameter { reason, .. } => reason,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Scenario>> {
        read_scenarios_from(text, "s.toml".as_ref())
    }

    #[test]
    fn defaults_list_and_grid() {
        let s = read(
            "[defaults]\nbasis = { forecast = 0.6, history = 0.4 }\nround = 100\n\
             [[scenario]]\nname = \"a\"\ntarget = 1e6\n\
             [[scenario]]\nname = \"b\"\ngrowth = 0.1\nround = 1\nover_assignment = [0.0, 0.1]\n\
             [grid]\nname = \"g\"\ngrowth = [0.1, 0.2]\nbasis = [\"equal\", \"history:1\", \"trailing\"]\n",
        )
        .unwrap();
        assert_eq!(s.len(), 8);
        assert_eq!(s[0].unit, Some(100.0));
        assert_eq!(s[0].basis_text(), "forecast:0.6,history:0.4");
        assert_eq!(s[1].unit, Some(1.0));
        assert_eq!(s[1].over_assignment, [0.0, 0.1]);
        let names: Vec<&str> = s[2..].iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["g-1", "g-2", "g-3", "g-4", "g-5", "g-6"]);
        assert_eq!(s[2].basis_text(), "equal:1");
        // keys in alphabetical order, the last varying fastest
        assert_eq!(s[4].basis_text(), "history:1");
        assert_eq!(s[6].basis_text(), "trailing:1");
        assert_eq!(s[5].target, CompanyTarget::Growth(0.2));
        assert_eq!(s[7].unit, Some(100.0));
        assert!(s.iter().all(|x| x.calendar == PlanningCalendar::monthly()));
        let c = read(
            "[grid]\nname = \"c\"\ngrowth = [0.1]\ncalendar = [\"quarterly\", \"445:weeks\"]\n",
        )
        .unwrap();
        assert_eq!(c[0].calendar.to_string(), "quarterly");
        assert_eq!(c[1].calendar.periods(2026).unwrap().len(), 52);
    }

    #[test]
    fn bad_files_name_scenario_and_field() {
        let cases = [
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nfoo = 1\n", "scenario 'a': field 'foo'", "unknown key"),
            ("[[scenario]]\nname = \"a\"\ntarget = -5\n", "scenario 'a': field 'target'", "not positive"),
            ("[[scenario]]\nname = \"a\"\ngrowth = \"x\"\n", "scenario 'a': field 'growth'", "expected a number"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\ntarget = 5\n", "scenario 'a': field 'target'", "not both"),
            ("[[scenario]]\nname = \"a\"\n", "scenario 'a': field 'target'", "missing"),
            ("[[scenario]]\ngrowth = 0.1\n", "scenario '#1': field 'name'", "missing"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nbasis = \"history:0,forecast:0\"\n", "scenario 'a': field 'basis'", "positive"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nbasis = { history = -1 }\n", "scenario 'a': field 'basis'", "non-negative"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nbasis = \"sales:1\"\n", "scenario 'a': field 'basis'", "unknown column"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\ngrowth_min = 0.2\ngrowth_max = 0.1\n", "scenario 'a': field 'growth_min'", "above growth_max"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nrep_min = 10\nrep_max = 5\n", "scenario 'a': field 'rep_min'", "above rep_max"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nround = 0\n", "scenario 'a': field 'round'", "not positive"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nround = 100\nrep_min = 10\nrep_max = 50\n", "scenario 'a': field 'round'", "no multiple"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nramp = [0.5, 2]\n", "scenario 'a': field 'ramp'", "between 0 and 1"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\ncalendar = \"fortnightly\"\n", "scenario 'a': field 'calendar'", "'fortnightly' is not a calendar"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\ncalendar = 445\n", "scenario 'a': field 'calendar'", "expected a string"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nover_assignment = [0, -1]\n", "scenario 'a': field 'over_assignment'", "level 1"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\nmethod = \"magic\"\n", "scenario 'a': field 'method'", "not a method"),
            ("[[scenario]]\nname = \"a\"\ngrowth = 0.1\n[[scenario]]\nname = \"a\"\ngrowth = 0.2\n", "scenario 'a': field 'name'", "unique"),
            ("[grid]\nname = \"g\"\ngrowth = 0.1\n", "scenario 'g': field 'growth'", "list"),
            ("[grid]\nname = \"g\"\ngrowth = [0.1, 0.2]\ngrowth_max = [0.5, 0.15]\ngrowth_min = [0.2]\n", "scenario 'g-2': field 'growth_min'", "above growth_max"),
            ("[defaults]\ngrowth = 0.1\nrond = 5\n[[scenario]]\nname = \"a\"\n", "scenario 'defaults': field 'rond'", "unknown key"),
            ("[scenarios]\nname = \"a\"\n", "field 'scenarios'", "unknown section"),
            ("[[scenario]]\nname = \"a\"\ngrowth = \n", "s.toml", "line 3"),
        ];
        for (text, place, reason) in cases {
            let e = read(text).unwrap_err().to_string();
            assert!(e.contains(place) && e.contains(reason), "{text:?} gave {e}");
            assert!(e.starts_with("s.toml"), "{e}");
        }
    }
}
