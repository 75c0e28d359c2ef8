//! A sweep's outputs: the long table `scenario,node_id,measure,value` and
//! the one-line-per-scenario summary.
//!
//! [`write_sweep`] runs [`sweep`] and streams every planned scenario's
//! rows into the table as it comes (in scenario order), then returns the
//! summary rows, which [`write_sweep_summary`] writes.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::atomic::write_atomically;
use crate::io::format::{
    csv_field, csv_file_error, decimals_of, flush_csv, format_amount, push_number,
};
use crate::plan::calendar::PlanningCalendar;
use crate::scenario::sweep::{sweep, Outcome, Phasing, Plan, PlanningData};
use crate::scenario::{CompanyTarget, Scenario};

/// A measure of the long table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepMeasure {
    /// The node's target (in the scenario's rounding unit).
    Target,
    /// The probability of reaching it.
    Probability,
    /// The expected attainment (simulated sales / target), to 1e-6.
    ExpectedAttainment,
}

impl std::str::FromStr for SweepMeasure {
    type Err = Error;

    /// The command line's names: `target`, `probability`,
    /// `expected_attainment`.
    fn from_str(text: &str) -> Result<SweepMeasure> {
        match text {
            "target" => Ok(SweepMeasure::Target),
            "probability" => Ok(SweepMeasure::Probability),
            "expected_attainment" => Ok(SweepMeasure::ExpectedAttainment),
            _ => Err(Error::InvalidParameter {
                name: "measures",
                reason: format!("'{text}': one of target, probability, expected_attainment"),
            }),
        }
    }
}

/// Which rows of the long table to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepTableOptions {
    /// Org depths to write (0: the company); empty: all.
    pub levels: Vec<usize>,
    /// Measures to write.
    pub measures: Vec<SweepMeasure>,
    /// Also each period's target of the scenario's calendar
    /// (`target:2026-03`, `target:2026Q1`, ...).
    pub periods: bool,
}

impl Default for SweepTableOptions {
    fn default() -> Self {
        SweepTableOptions {
            levels: Vec::new(),
            measures: vec![
                SweepMeasure::Target,
                SweepMeasure::Probability,
                SweepMeasure::ExpectedAttainment,
            ],
            periods: false,
        }
    }
}

/// The header of the long table.
pub const SWEEP_TABLE_HEADER: &str = "scenario,node_id,measure,value\n";

/// Formats the long table's rows, one planned scenario at a time.
#[derive(Debug, Clone)]
pub struct SweepTable {
    /// Nodes written, in level order.
    written: Vec<usize>,
    /// Every node's id as a CSV field.
    ids: Vec<String>,
    /// Measure names of each calendar's periods, e.g. `target:2026-03`.
    period_measures: Vec<(PlanningCalendar, Vec<String>)>,
    options: SweepTableOptions,
    buf: Vec<u8>,
}

impl SweepTable {
    /// Prepares the table for `scenarios` on `data`; fails on a level the
    /// org does not have or a calendar that cannot cover the plan year.
    pub fn new(
        data: &PlanningData,
        scenarios: &[Scenario],
        options: SweepTableOptions,
    ) -> Result<SweepTable> {
        let tree = &data.tree;
        let depth = tree.depth();
        if let Some(bad) = options.levels.iter().find(|&&l| l >= depth) {
            return Err(Error::InvalidParameter {
                name: "levels",
                reason: format!(
                    "level {bad} does not exist: the org has levels 0 (the company) to {}",
                    depth - 1
                ),
            });
        }
        let mut period_measures: Vec<(PlanningCalendar, Vec<String>)> = Vec::new();
        for s in scenarios {
            if period_measures.iter().all(|(c, _)| *c != s.calendar) {
                let labels = s
                    .calendar
                    .covering_year(data.year)?
                    .into_iter()
                    .map(|p| format!("target:{}", p.label))
                    .collect();
                period_measures.push((s.calendar, labels));
            }
        }
        let written = (0..depth)
            .filter(|l| options.levels.is_empty() || options.levels.contains(l))
            .flat_map(|l| tree.level(l))
            .collect();
        let ids = (0..tree.len()).map(|i| csv_field(tree.id(i))).collect();
        Ok(SweepTable {
            written,
            ids,
            period_measures,
            options,
            buf: Vec::new(),
        })
    }

    /// The rows of one planned scenario, ready to write.
    pub fn rows(&mut self, scenario: &Scenario, plan: &Plan) -> &[u8] {
        let decimals = scenario.unit.map(decimals_of);
        let wants = |m: SweepMeasure| self.options.measures.contains(&m);
        let measures_of: &[String] = self
            .period_measures
            .iter()
            .find(|(c, _)| *c == scenario.calendar)
            .map_or(&[], |(_, m)| m);
        let name = csv_field(&scenario.name);
        let buf = &mut self.buf;
        buf.clear();
        let mut row = |id: &str, measure: &str, value: f64, decimals| {
            for field in [name.as_str(), id, measure] {
                buf.extend_from_slice(field.as_bytes());
                buf.push(b',');
            }
            push_number(buf, value, decimals);
            buf.push(b'\n');
        };
        for &i in &self.written {
            let id = &self.ids[i];
            if wants(SweepMeasure::Target) {
                row(id, "target", plan.allocation.targets[i], decimals);
            }
            if wants(SweepMeasure::Probability) {
                row(id, "probability", plan.attainment.probability[i], None);
            }
            if let (true, Some(e)) = (
                wants(SweepMeasure::ExpectedAttainment),
                plan.attainment.expected[i],
            ) {
                // a Monte Carlo mean: six decimals are plenty
                let e = (e * 1e6).round() / 1e6;
                row(id, "expected_attainment", e, None);
            }
            if self.options.periods {
                let p = measures_of.len();
                for (m, v) in measures_of.iter().zip(&plan.periods[i * p..(i + 1) * p]) {
                    row(id, m, *v, decimals);
                }
            }
        }
        &self.buf
    }
}

/// Runs [`sweep`] and writes the long table to `path` (atomically) as the
/// scenarios are planned; returns one summary row per scenario
/// ([`sweep_summary_row`]) in scenario order.
pub fn write_sweep(
    path: &Path,
    data: &PlanningData,
    scenarios: &[Scenario],
    phasing: &dyn Phasing,
    table: &mut SweepTable,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Vec<String>>> {
    let mut summary = Vec::new();
    write_atomically(path, |w| {
        summary = sweep_into(w, path, data, scenarios, phasing, table, progress)?;
        Ok(())
    })?;
    Ok(summary)
}

/// [`write_sweep`] into any writer (the long table's CSV text, header
/// first); `path` names it in errors.
pub fn sweep_into(
    w: &mut dyn Write,
    path: &Path,
    data: &PlanningData,
    scenarios: &[Scenario],
    phasing: &dyn Phasing,
    table: &mut SweepTable,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Vec<String>>> {
    let io = |source: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut summary = Vec::with_capacity(scenarios.len());
    w.write_all(SWEEP_TABLE_HEADER.as_bytes()).map_err(io)?;
    sweep(data, scenarios, phasing, progress, |k, outcome| {
        let s = &scenarios[k];
        if let Outcome::Planned(plan) = &outcome {
            w.write_all(table.rows(s, plan)).map_err(io)?;
        }
        summary.push(sweep_summary_row(s, &outcome));
        Ok(())
    })?;
    Ok(summary)
}

/// The columns of the sweep summary.
pub const SWEEP_SUMMARY_COLUMNS: [&str; 25] = [
    "scenario",
    "status",
    "reason",
    "target",
    "growth",
    "basis",
    "method",
    "rep_min",
    "rep_max",
    "growth_min",
    "growth_max",
    "over_assignment",
    "round",
    "company_target",
    "company_probability",
    "company_expected_attainment",
    "mean_rep_expected_attainment",
    "reps",
    "reps_p50_share",
    "teams",
    "teams_p50_share",
    "gini_target_over_forecast",
    "binding_bounds",
    "ramp",
    "calendar",
];

/// One scenario's summary row, in the order of [`SWEEP_SUMMARY_COLUMNS`]:
/// the scenario's settings, `planned` and its scores, or `infeasible` and
/// the reason.
pub fn sweep_summary_row(s: &Scenario, outcome: &Outcome) -> Vec<String> {
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format_amount(v, None));
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format_amount(*x, None))
            .collect::<Vec<_>>()
            .join(";")
    };
    let (target, growth) = match s.target {
        CompanyTarget::Absolute(t) => (format_amount(t, None), String::new()),
        CompanyTarget::Growth(g) => (String::new(), format_amount(g, None)),
    };
    let method = format!("{:?}", s.method).to_lowercase();
    let mut row = vec![
        s.name.clone(),
        String::new(),
        String::new(),
        target,
        growth,
        s.basis_text(),
        method,
        opt(s.rep_min),
        opt(s.rep_max),
        opt(s.growth_min),
        opt(s.growth_max),
        list(&s.over_assignment),
        opt(s.unit),
    ];
    match outcome {
        Outcome::Planned(plan) => {
            let a = &plan.attainment.summary;
            row[1] = "planned".into();
            row.extend([
                format_amount(plan.allocation.targets[0], s.unit.map(decimals_of)),
                format_amount(a.company_probability, None),
                opt(a.company_expected_attainment),
                opt(a.mean_rep_expected_attainment),
                a.reps.to_string(),
                opt(a.reps_likely_share),
                a.teams.to_string(),
                opt(a.teams_likely_share),
                opt(a.gini_target_over_forecast),
                plan.binding_bounds.to_string(),
            ]);
        }
        Outcome::Infeasible { reason } => {
            row[1] = "infeasible".into();
            row[2] = reason.clone();
            row.extend(std::iter::repeat_n(String::new(), 10));
        }
    }
    row.push(list(s.ramp.steps()));
    row.push(s.calendar.to_string());
    row
}

/// Writes the sweep summary (atomically): a header and `rows`.
pub fn write_sweep_summary(path: &Path, rows: &[Vec<String>]) -> Result<()> {
    write_atomically(path, |w| sweep_summary_into(w, path, rows))
}

/// [`write_sweep_summary`] into any writer; `path` names it in errors.
pub fn sweep_summary_into(w: &mut dyn Write, path: &Path, rows: &[Vec<String>]) -> Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let io = |e: csv::Error| csv_file_error(e, path);
    out.write_record(SWEEP_SUMMARY_COLUMNS).map_err(io)?;
    for row in rows {
        out.write_record(row).map_err(io)?;
    }
    flush_csv(&mut out, path)
}
