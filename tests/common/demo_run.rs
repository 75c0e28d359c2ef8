//! The README's main job on the demo company, run once into a folder:
//! forecast, plan and summary, a 25-scenario sweep and a mid-year track,
//! the files `salesplan report` draws from.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::cli::{finish, salesplan};

pub const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/demo");

/// The files of one run.
pub struct DemoRun {
    pub org: PathBuf,
    pub history: PathBuf,
    pub actuals: PathBuf,
    pub forecasts: PathBuf,
    pub plan: PathBuf,
    pub summary: PathBuf,
    pub sweep: PathBuf,
    pub sweep_summary: PathBuf,
    pub status: PathBuf,
}

/// Runs `salesplan -q ARGS` and asserts it succeeded.
fn ok(args: Vec<OsString>) {
    let (code, stderr) = finish(salesplan().arg("-q").args(&args));
    assert_eq!(code, 0, "{args:?}: {stderr}");
}

fn args(items: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    items.iter().map(|a| a.as_ref().to_os_string()).collect()
}

/// Runs the demo's cycle into `dir`.
pub fn demo_run(dir: &Path) -> DemoRun {
    let demo = Path::new(DEMO);
    let r = DemoRun {
        org: demo.join("org.csv"),
        history: demo.join("sales_monthly.csv"),
        actuals: demo.join("actuals_2026h1.csv"),
        forecasts: dir.join("forecasts.csv"),
        plan: dir.join("plan.csv"),
        summary: dir.join("plan_summary.csv"),
        sweep: dir.join("sweep.csv"),
        sweep_summary: dir.join("sweep_summary.csv"),
        status: dir.join("status.csv"),
    };
    let scenarios = demo.join("scenarios_25.toml");
    ok(args(&[
        &"allocate",
        &"--org",
        &r.org,
        &"--history",
        &r.history,
        &"--growth",
        &"0.15",
        &"--year",
        &"2026",
        &"--basis",
        &"forecast:0.6,history:0.4",
        &"--calendar",
        &"monthly",
        &"--round",
        &"100",
        &"--output",
        &r.plan,
        &"--summary",
        &r.summary,
    ]));
    ok(args(&[
        &"forecast",
        &"--input",
        &r.history,
        &"--horizon",
        &"12",
        &"--season-length",
        &"12",
        &"--output",
        &r.forecasts,
    ]));
    ok(args(&[
        &"sweep",
        &"--org",
        &r.org,
        &"--history",
        &r.history,
        &"--scenarios",
        &scenarios,
        &"--year",
        &"2026",
        &"--output",
        &r.sweep,
        &"--summary",
        &r.sweep_summary,
    ]));
    ok(args(&[
        &"track",
        &"--plan",
        &r.plan,
        &"--org",
        &r.org,
        &"--history",
        &r.history,
        &"--actuals",
        &r.actuals,
        &"--as-of",
        &"2026-06-30",
        &"--output",
        &r.status,
    ]));
    r
}

impl DemoRun {
    /// `report` over every file of the run, with `extra` options, to `out`.
    pub fn report_args(&self, out: &Path) -> Vec<OsString> {
        args(&[
            &"report",
            &"--org",
            &self.org,
            &"--history",
            &self.history,
            &"--forecasts",
            &self.forecasts,
            &"--plan",
            &self.plan,
            &"--summary",
            &self.summary,
            &"--sweep",
            &self.sweep,
            &"--sweep-summary",
            &self.sweep_summary,
            &"--status",
            &self.status,
            &"--actuals",
            &self.actuals,
            &"--currency",
            &"¥",
            &"--output",
            &out,
        ])
    }
}
