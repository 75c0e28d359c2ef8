//! `salesplan._salesplan`: the native module of the Python package. The
//! Python side (`python/salesplan/__init__.py`) turns a pandas, polars or
//! pyarrow table into columns — the series ids and the period labels
//! dictionary-encoded (codes and the distinct values), the values as a
//! float64 array read without a copy — and this module runs the library on
//! them with the GIL released, reading them as `salesplan forecast` reads a
//! CSV file (the same checks and messages, through
//! [`salesplan::io::LongRows`]), so the numbers are the CLI's to the bit.

use std::path::Path;

use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use chrono::NaiveDate;
use salesplan::forecast::backtest::Backtest;
use salesplan::forecast::batch::{
    backtest_batch_intervals, forecast_batch_with_intervals, ForecastJob, ModelChoice,
    SeriesBacktest, SeriesOutcome,
};
use salesplan::forecast::events::forecast_batch_with_events;
use salesplan::forecast::frequency::Frequency;
use salesplan::forecast::intervals::IntervalMethod;
use salesplan::forecast::models::nonnegative::NonNegativePoint;
use salesplan::forecast::saved::SavedModels;
use salesplan::io::{
    backtest_overall, backtest_table, cross_validation_table, forecast_table, plan_summary_table,
    plan_table, read_constraints, read_constraints_from, read_long_csv, read_org, reconciled_table,
    scored_models, Column, Columns, LongRows, Table,
};
use salesplan::io::{event_calendar, read_forecasts, read_forecasts_from};
use salesplan::io::{read_plan, read_plan_from, track_status_table, write_reliability_into};
use salesplan::io::{sweep_into, sweep_summary_into, SweepMeasure, SweepTable, SweepTableOptions};
use salesplan::plan::calendar::PlanningCalendar;
use salesplan::plan::org::OrgTree;
use salesplan::plan::reconcile::Hierarchy;
use salesplan::plan::reconcile_series::{align_to_tree, parse_method, reconcile_periods};
use salesplan::plan::year::{plan_year, CompanyTarget, PlanRequest, YearInputs};
use salesplan::report::fan::{fan_chart_svg, fan_charts, FanChoice};
use salesplan::report::sales::{build as build_report, ReportFiles, ReportOptions};
use salesplan::scenario::attainment::{parse_form, SimulationOptions};
use salesplan::scenario::reliability::{reliability, ReliabilityOptions};
use salesplan::scenario::sweep::{misfit_scenarios, BalancedPhasing, PlanningData};
use salesplan::scenario::{read_scenarios, read_scenarios_json};
use salesplan::track::actuals::{closed_months, flat_tree, join_history, MissingMonths};
use salesplan::track::reallocate::ReallocationOptions;
use salesplan::track::{track_actuals, TrackRequest};

create_exception!(
    salesplan,
    SalesplanError,
    PyValueError,
    "Bad input or arguments: the message names the row, column and value where there is one."
);

/// The table's name in error messages: `<DataFrame>:5: column 'y': ...`,
/// 5 being the row's position from 1.
const SOURCE: &str = "<DataFrame>";

fn error(e: salesplan::Error) -> PyErr {
    SalesplanError::new_err(e.to_string())
}

fn parse<T: std::str::FromStr<Err = salesplan::Error>>(text: &str) -> PyResult<T> {
    text.parse().map_err(error)
}

/// A long table's columns as [`series_of`] takes them: the distinct ids,
/// each row's code into them, the distinct period labels, each row's code
/// into them, the values.
type LongColumns<'a> = (&'a [String], &'a [i64], &'a [String], &'a [i64], &'a [f64]);

/// [`LongColumns`] as they come from Python.
type PyLongColumns<'py> = (
    Vec<String>,
    PyReadonlyArray1<'py, i64>,
    Vec<String>,
    PyReadonlyArray1<'py, i64>,
    PyReadonlyArray1<'py, f64>,
);

/// The columns' contents, read in place.
fn slices<'a>(columns: &'a PyLongColumns<'_>) -> PyResult<LongColumns<'a>> {
    let (ids, id_codes, labels, label_codes, y) = columns;
    Ok((
        ids,
        id_codes.as_slice()?,
        labels,
        label_codes.as_slice()?,
        y.as_slice()?,
    ))
}

/// Reads the columns into series, as `read_long_csv` reads a file.
fn series_of(
    columns: &Columns,
    ids: &[String],
    id_codes: &[i64],
    labels: &[String],
    label_codes: &[i64],
    y: &[f64],
) -> PyResult<Vec<salesplan::Series>> {
    if id_codes.len() != y.len() || label_codes.len() != y.len() {
        return Err(SalesplanError::new_err(format!(
            "columns of different lengths: {} ids, {} periods, {} values",
            id_codes.len(),
            label_codes.len(),
            y.len()
        )));
    }
    let mut rows = LongRows::new(Path::new(SOURCE), columns);
    fn code<'a>(codes: &[i64], values: &'a [String], k: usize) -> PyResult<&'a str> {
        usize::try_from(codes[k])
            .ok()
            .and_then(|c| values.get(c))
            .map(String::as_str)
            .ok_or_else(|| SalesplanError::new_err(format!("row {}: bad dictionary code", k + 1)))
    }
    for (k, value) in y.iter().enumerate() {
        let (id, label) = (code(id_codes, ids, k)?, code(label_codes, labels, k)?);
        rows.push(k as u64 + 1, id, label, *value).map_err(error)?;
    }
    if rows.is_empty() {
        return Err(SalesplanError::new_err("the table has no rows"));
    }
    rows.into_series().map_err(error)
}

/// Runs `f` on a pool of `n_jobs` threads (all cores when `None`).
fn in_pool<T: Send>(n_jobs: Option<usize>, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = n_jobs {
        if n == 0 {
            return Err(SalesplanError::new_err("n_jobs must be at least 1"));
        }
        builder = builder.num_threads(n);
    }
    let pool = builder
        .build()
        .map_err(|e| SalesplanError::new_err(format!("cannot start {n_jobs:?} threads: {e}")))?;
    Ok(pool.install(f))
}

/// The job and the columns' names from the Python arguments.
#[allow(clippy::too_many_arguments)]
fn job_of(
    model: &str,
    h: usize,
    levels: Vec<f64>,
    season_length: Option<usize>,
    intervals: Option<&str>,
    nonnegative: Option<&str>,
    freq: Option<&str>,
    names: (&str, &str, &str),
) -> PyResult<(ForecastJob, Columns)> {
    let choice: ModelChoice = parse(model)?;
    let mut job = ForecastJob::new(choice, h, levels, season_length).map_err(error)?;
    if let Some(method) = intervals {
        job = job.with_intervals(parse::<IntervalMethod>(method)?);
    }
    if let Some(point) = nonnegative {
        job = job.with_nonnegative(parse::<NonNegativePoint>(point)?);
    }
    let columns = Columns {
        id: names.0.to_string(),
        date: names.1.to_string(),
        value: names.2.to_string(),
        frequency: freq
            .map(|f| f.parse::<Frequency>().map_err(SalesplanError::new_err))
            .transpose()?,
    };
    Ok((job, columns))
}

/// The long table's columns (`unique_id, ds, model, mean, lo-<l>,
/// hi-<l>...`, rows sorted by id then period) and the report's
/// (`unique_id, status, model, n_obs, aicc, reason, warning`), as dicts of
/// lists and float64 arrays.
fn tables<'py>(
    py: Python<'py>,
    outcomes: &[SeriesOutcome],
    levels: &[f64],
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let forecasts = outcomes.iter().filter_map(|o| o.as_ref().ok());
    let table = dict_of(py, forecast_table(levels, forecasts, None).map_err(error)?)?;

    let report = PyDict::new(py);
    let mut sorted: Vec<&SeriesOutcome> = outcomes.iter().collect();
    let id_of = |o: &&SeriesOutcome| match o {
        Ok(f) => f.id.clone(),
        Err(e) => e.id.clone(),
    };
    sorted.sort_by_key(id_of);
    let column = |f: &dyn Fn(&SeriesOutcome) -> Option<String>| {
        sorted.iter().map(|o| f(o)).collect::<Vec<Option<String>>>()
    };
    report.set_item("unique_id", column(&|o| Some(id_of(&o))))?;
    report.set_item(
        "status",
        column(&|o| Some(if o.is_ok() { "ok" } else { "failed" }.to_string())),
    )?;
    report.set_item(
        "model",
        column(&|o| o.as_ref().ok().map(|f| f.form.clone())),
    )?;
    report.set_item(
        "n_obs",
        sorted
            .iter()
            .map(|o| match o {
                Ok(f) => f.n_obs,
                Err(e) => e.n_obs,
            })
            .collect::<Vec<usize>>(),
    )?;
    report.set_item(
        "aicc",
        sorted
            .iter()
            .map(|o| o.as_ref().ok().and_then(|f| f.aicc).unwrap_or(f64::NAN))
            .collect::<Vec<f64>>()
            .into_pyarray(py),
    )?;
    report.set_item(
        "reason",
        column(&|o| match o {
            Ok(f) => f.reason.clone(),
            Err(e) => Some(e.reason()),
        }),
    )?;
    report.set_item(
        "warning",
        column(&|o| o.as_ref().ok().and_then(|f| f.warning.clone())),
    )?;
    Ok((table, report))
}

/// Calls a Python `callback(done, total)` as series are done, from the
/// worker threads (taking the GIL only then): about every 1% and at the end.
struct Ticker {
    callback: Option<Py<PyAny>>,
    total: usize,
    step: usize,
    done: std::sync::atomic::AtomicUsize,
}

impl Ticker {
    fn new(callback: Option<Py<PyAny>>, total: usize) -> Ticker {
        Ticker {
            callback,
            total,
            step: (total / 100).max(1),
            done: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn tick(&self) {
        let Some(callback) = &self.callback else {
            return;
        };
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if done.is_multiple_of(self.step) || done == self.total {
            // a failing progress display must not fail the forecast
            Python::attach(|py| {
                let _ = callback.call1(py, (done, self.total));
            });
        }
    }
}

/// Forecasts the series in the columns ([`tables`] gives what is returned);
/// with `keep`, also the fitted models, to forecast again ([`Models`]).
#[pyfunction]
#[pyo3(signature = (ids, id_codes, labels, label_codes, y, h, model, levels, season_length=None, intervals=None, nonnegative=None, freq=None, n_jobs=None, id_col="unique_id", time_col="ds", target_col="y", keep=false, progress=None, event_sets=Vec::new(), events_path=None, events_text=None, shopping_runup=None))]
#[allow(clippy::too_many_arguments)]
#[allow(clippy::type_complexity)]
fn forecast<'py>(
    py: Python<'py>,
    ids: Vec<String>,
    id_codes: PyReadonlyArray1<'py, i64>,
    labels: Vec<String>,
    label_codes: PyReadonlyArray1<'py, i64>,
    y: PyReadonlyArray1<'py, f64>,
    h: usize,
    model: &str,
    levels: Vec<f64>,
    season_length: Option<usize>,
    intervals: Option<&str>,
    nonnegative: Option<&str>,
    freq: Option<&str>,
    n_jobs: Option<usize>,
    id_col: &str,
    time_col: &str,
    target_col: &str,
    keep: bool,
    progress: Option<Py<PyAny>>,
    event_sets: Vec<String>,
    events_path: Option<&str>,
    events_text: Option<&str>,
    shopping_runup: Option<&str>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>, Option<Models>)> {
    let (mut job, columns) = job_of(
        model,
        h,
        levels,
        season_length,
        intervals,
        nonnegative,
        freq,
        (id_col, time_col, target_col),
    )?;
    if keep {
        if let IntervalMethod::Conformal { .. } = job.intervals() {
            return Err(SalesplanError::new_err(
                "conformal intervals come from backtests of each series' own history, which fitted models do not keep: fit with intervals='model' or 'calibrated'",
            ));
        }
        job = job.with_kept_fits();
    }
    let with_events = !event_sets.is_empty() || events_path.is_some() || events_text.is_some();
    if keep && with_events {
        return Err(SalesplanError::new_err(
            "fitted models do not keep event effects: forecast with events from the data instead",
        ));
    }
    let (id_codes, label_codes, y) = (id_codes.as_slice()?, label_codes.as_slice()?, y.as_slice()?);
    // the GIL is released while the series are read and forecast
    let (outcomes, models) = py.detach(|| -> PyResult<_> {
        let series = series_of(&columns, &ids, id_codes, &labels, label_codes, y)?;
        let known: std::collections::HashSet<&str> = series.iter().map(|s| s.id()).collect();
        let sets: Vec<&str> = event_sets.iter().map(String::as_str).collect();
        let calendar = match (events_path, events_text) {
            (Some(path), _) => {
                let (reader, name) = salesplan::io::open_input(Path::new(path)).map_err(error)?;
                event_calendar(
                    &sets,
                    shopping_runup,
                    Some((reader, name.as_path())),
                    |id| known.contains(id),
                )
            }
            (None, Some(text)) => event_calendar(
                &sets,
                shopping_runup,
                Some((text.as_bytes(), Path::new("<events>"))),
                |id| known.contains(id),
            ),
            (None, None) => event_calendar(&sets, shopping_runup, None::<(&[u8], &Path)>, |_| true),
        }
        .map_err(error)?;
        let ticker = Ticker::new(progress, series.len());
        let (outcomes, widening) = match &calendar {
            Some(calendar) => (
                in_pool(n_jobs, || {
                    forecast_batch_with_events(&series, &job, calendar, &|| ticker.tick())
                })?
                .map_err(error)?,
                None,
            ),
            None => in_pool(n_jobs, || {
                forecast_batch_with_intervals(&series, &job, &|| ticker.tick())
            })?,
        };
        let models = keep
            .then(|| SavedModels::from_batch(&job, &series, &outcomes, widening.as_ref()))
            .transpose()
            .map_err(error)?;
        Ok((outcomes, models))
    })?;
    let (table, report) = tables(py, &outcomes, job.levels())?;
    Ok((table, report, models.map(|saved| Models { saved })))
}

/// Fitted models of a batch: forecast again at any horizon and levels
/// without the data; they pickle (as the JSON of `forecast --save-models`).
#[pyclass(module = "salesplan._salesplan", frozen)]
struct Models {
    saved: SavedModels,
}

#[pymethods]
impl Models {
    /// Forecasts every fitted series `h` steps at `levels` (as
    /// `forecast --load-models`); returns what [`forecast`] returns.
    #[pyo3(signature = (h, levels, nonnegative=None, n_jobs=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        h: usize,
        levels: Vec<f64>,
        nonnegative: Option<&str>,
        n_jobs: Option<usize>,
    ) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
        let point = nonnegative.map(parse::<NonNegativePoint>).transpose()?;
        let outcomes = py.detach(|| -> PyResult<_> {
            in_pool(n_jobs, || self.saved.forecast(h, &levels, point, &|| {}))?.map_err(error)
        })?;
        tables(py, &outcomes, &levels)
    }

    /// The model the series were fitted with, as `model=` takes it.
    #[getter]
    fn model(&self) -> String {
        self.saved.model.clone()
    }

    /// The fitted series' ids, in order.
    #[getter]
    fn ids(&self) -> Vec<String> {
        self.saved.series.iter().map(|s| s.id.clone()).collect()
    }

    /// The models as JSON (the file `forecast --save-models` writes).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.saved).map_err(|e| SalesplanError::new_err(e.to_string()))
    }

    /// Models from their JSON (a `forecast --save-models` file's text).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Models> {
        let saved: SavedModels = serde_json::from_str(text).map_err(|e| {
            SalesplanError::new_err(format!(
                "not salesplan models (written by forecast --save-models): {e}"
            ))
        })?;
        saved.check().map_err(error)?;
        Ok(Models { saved })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let from_json = py.get_type::<Models>().getattr("from_json")?;
        Ok((from_json, (self.to_json()?,)))
    }

    fn __len__(&self) -> usize {
        self.saved.series.len()
    }
}

/// A table's columns as a dict: text as lists, numbers as float64 arrays
/// (undefined: NaN).
fn dict_of<'py>(py: Python<'py>, table: Table) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (name, column) in table.columns {
        match column {
            Column::Text(values) => out.set_item(name, values)?,
            Column::Number(values) => out.set_item(
                name,
                values
                    .into_iter()
                    .map(|v| v.unwrap_or(f64::NAN))
                    .collect::<Vec<f64>>()
                    .into_pyarray(py),
            )?,
        }
    }
    Ok(out)
}

/// What the backtests of [`cross_validation`] and [`backtest`] run: the
/// models, the windows and the columns' names, checked.
struct Backtests {
    choices: Vec<ModelChoice>,
    backtest: Backtest,
    levels: Vec<f64>,
    season_length: Option<usize>,
    point: Option<NonNegativePoint>,
    /// How each window's intervals are made (`None`: each model's default).
    intervals: Option<IntervalMethod>,
    columns: Columns,
}

impl Backtests {
    /// `step_size` `None`: the horizon (the CLI's default); `sliding`:
    /// training windows of that many points.
    #[allow(clippy::too_many_arguments)]
    fn new(
        h: usize,
        n_windows: usize,
        step_size: Option<usize>,
        sliding: Option<usize>,
        models: &[String],
        levels: Vec<f64>,
        season_length: Option<usize>,
        nonnegative: Option<&str>,
        intervals: Option<&str>,
        freq: Option<&str>,
        names: (&str, &str, &str),
    ) -> PyResult<Backtests> {
        let choices = models
            .iter()
            .map(|m| parse::<ModelChoice>(m))
            .collect::<PyResult<Vec<_>>>()?;
        let Some(first) = models.first() else {
            return Err(SalesplanError::new_err("models: give at least one"));
        };
        // the checks of a job: levels, season length
        let (_, columns) = job_of(
            first,
            h,
            levels.clone(),
            season_length,
            None,
            nonnegative,
            freq,
            names,
        )?;
        let mut backtest = Backtest::new(h, n_windows).map_err(error)?;
        if let Some(step) = step_size {
            backtest = backtest.with_step(step).map_err(error)?;
        }
        if let Some(length) = sliding {
            backtest = backtest.sliding(length).map_err(error)?;
        }
        let point = nonnegative.map(parse::<NonNegativePoint>).transpose()?;
        let intervals = intervals.map(parse::<IntervalMethod>).transpose()?;
        Ok(Backtests {
            choices,
            backtest,
            levels,
            season_length,
            point,
            intervals,
            columns,
        })
    }

    /// Reads the series and backtests them on `n_jobs` threads (call it
    /// with the GIL released); `table` makes the result of them.
    fn run(
        &self,
        inputs: LongColumns,
        n_jobs: Option<usize>,
        table: impl FnOnce(&[salesplan::Series], &[Vec<SeriesBacktest>]) -> Table,
    ) -> PyResult<Table> {
        let (ids, id_codes, labels, label_codes, y) = inputs;
        let series = series_of(&self.columns, ids, id_codes, labels, label_codes, y)?;
        let results = in_pool(n_jobs, || {
            backtest_batch_intervals(
                &series,
                &self.choices,
                &self.backtest,
                &self.levels,
                self.season_length,
                &[],
                self.point,
                self.intervals,
                &|| {},
            )
        })?
        .map_err(error)?;
        Ok(table(&series, &results))
    }
}

/// Backtests `models` on the series in the columns from `n_windows`
/// origins `step_size` apart (the last test period ending with each
/// series) and returns every window's forecasts as `backtest --forecasts`
/// writes them (statsforecast's `cross_validation` shape).
#[pyfunction]
#[pyo3(signature = (ids, id_codes, labels, label_codes, y, h, n_windows, step_size, models, levels, season_length=None, nonnegative=None, freq=None, n_jobs=None, id_col="unique_id", time_col="ds", target_col="y", wide=false, intervals=None))]
#[allow(clippy::too_many_arguments)]
fn cross_validation<'py>(
    py: Python<'py>,
    ids: Vec<String>,
    id_codes: PyReadonlyArray1<'py, i64>,
    labels: Vec<String>,
    label_codes: PyReadonlyArray1<'py, i64>,
    y: PyReadonlyArray1<'py, f64>,
    h: usize,
    n_windows: usize,
    step_size: usize,
    models: Vec<String>,
    levels: Vec<f64>,
    season_length: Option<usize>,
    nonnegative: Option<&str>,
    freq: Option<&str>,
    n_jobs: Option<usize>,
    id_col: &str,
    time_col: &str,
    target_col: &str,
    wide: bool,
    intervals: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let run = Backtests::new(
        h,
        n_windows,
        Some(step_size),
        None,
        &models,
        levels,
        season_length,
        nonnegative,
        intervals,
        freq,
        (id_col, time_col, target_col),
    )?;
    let (id_codes, label_codes, y) = (id_codes.as_slice()?, label_codes.as_slice()?, y.as_slice()?);
    let table = py.detach(|| {
        run.run(
            (&ids, id_codes, &labels, label_codes, y),
            n_jobs,
            |series, results| {
                cross_validation_table(&run.levels, &run.choices, series, results, wide)
            },
        )
    })?;
    dict_of(py, table)
}

/// Backtests `models` and Naive2 (the reference of OWA) as `salesplan
/// backtest` does and returns its metrics table: per window, per series
/// and overall ([`backtest_table`]).
#[pyfunction]
#[pyo3(signature = (ids, id_codes, labels, label_codes, y, h, n_windows, models, levels, step_size=None, sliding=None, season_length=None, nonnegative=None, freq=None, n_jobs=None, id_col="unique_id", time_col="ds", target_col="y", intervals=None))]
#[allow(clippy::too_many_arguments)]
fn backtest<'py>(
    py: Python<'py>,
    ids: Vec<String>,
    id_codes: PyReadonlyArray1<'py, i64>,
    labels: Vec<String>,
    label_codes: PyReadonlyArray1<'py, i64>,
    y: PyReadonlyArray1<'py, f64>,
    h: usize,
    n_windows: usize,
    models: Vec<String>,
    levels: Vec<f64>,
    step_size: Option<usize>,
    sliding: Option<usize>,
    season_length: Option<usize>,
    nonnegative: Option<&str>,
    freq: Option<&str>,
    n_jobs: Option<usize>,
    id_col: &str,
    time_col: &str,
    target_col: &str,
    intervals: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut run = Backtests::new(
        h,
        n_windows,
        step_size,
        sliding,
        &models,
        levels,
        season_length,
        nonnegative,
        intervals,
        freq,
        (id_col, time_col, target_col),
    )?;
    run.choices = scored_models(&run.choices);
    let (id_codes, label_codes, y) = (id_codes.as_slice()?, label_codes.as_slice()?, y.as_slice()?);
    let table = py.detach(|| {
        run.run(
            (&ids, id_codes, &labels, label_codes, y),
            n_jobs,
            |_, results| {
                let overall = backtest_overall(&run.choices, results);
                backtest_table(&run.levels, results, &overall)
            },
        )
    })?;
    dict_of(py, table)
}

/// A table given as a file's path or as CSV text (a data frame written by
/// the Python side), read by `from_path` or `from_text` (`name` naming the
/// text in errors).
fn read_table<T>(
    path: Option<&str>,
    text: Option<&str>,
    name: &str,
    from_path: impl FnOnce(&Path) -> salesplan::Result<T>,
    from_text: impl FnOnce(&[u8], &Path) -> salesplan::Result<T>,
) -> PyResult<Option<T>> {
    match (path, text) {
        (Some(path), _) => from_path(Path::new(path)).map(Some).map_err(error),
        (None, Some(text)) => from_text(text.as_bytes(), Path::new(name))
            .map(Some)
            .map_err(error),
        (None, None) => Ok(None),
    }
}

/// Plans the year as `salesplan allocate` does: the org tree and the
/// constraints from a path or CSV text, the history from a path or the
/// columns; returns the plan's table ([`plan_table`]) and the per-node
/// summary ([`plan_summary_table`]).
#[pyfunction]
#[pyo3(signature = (org_path, org_text, history_path, history, year, target=None, growth=None, basis="history:1", method="proportional", ramp="0.25,0.5,0.75", calendar=None, unit=None, constraints_path=None, constraints_text=None, trailing_months=12, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
#[allow(clippy::type_complexity)]
fn allocate<'py>(
    py: Python<'py>,
    org_path: Option<&str>,
    org_text: Option<&str>,
    history_path: Option<&str>,
    history: Option<PyLongColumns<'py>>,
    year: i32,
    target: Option<f64>,
    growth: Option<f64>,
    basis: &str,
    method: &str,
    ramp: &str,
    calendar: Option<&str>,
    unit: Option<f64>,
    constraints_path: Option<&str>,
    constraints_text: Option<&str>,
    trailing_months: usize,
    n_jobs: Option<usize>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let target = match (target, growth) {
        (Some(_), Some(_)) => {
            return Err(SalesplanError::new_err("give target or growth, not both"))
        }
        (Some(t), None) => CompanyTarget::Absolute(t),
        (None, Some(g)) => CompanyTarget::Growth(g),
        (None, None) => return Err(SalesplanError::new_err("give target or growth")),
    };
    if trailing_months == 0 {
        return Err(SalesplanError::new_err(
            "trailing_months must be at least 1",
        ));
    }
    let request = PlanRequest {
        target,
        basis: parse(basis)?,
        method: parse(method)?,
        ramp: parse(ramp)?,
        calendar: calendar.map(parse::<PlanningCalendar>).transpose()?,
        unit,
        events: None,
    };
    let history = history.as_ref().map(slices).transpose()?;
    let (plan, summary) = py.detach(|| -> PyResult<_> {
        let tree = read_table(org_path, org_text, "<org>", read_org, |text, name| {
            OrgTree::read_from(text, name)
        })?
        .ok_or_else(|| SalesplanError::new_err("org: give a path or a table"))?;
        let (series, name) = long_series(history_path, history)?
            .ok_or_else(|| SalesplanError::new_err("history: give a path or a table"))?;
        // named as the CLI names the history file
        let mut inputs = YearInputs::new(&tree, &series, year)
            .map_err(|e| SalesplanError::new_err(format!("{name}: {e}")))?;
        inputs.trailing_months = trailing_months;
        let constraints = read_table(
            constraints_path,
            constraints_text,
            "<constraints>",
            |path| read_constraints(path, &tree),
            |text, name| read_constraints_from(text, name, &tree),
        )?;
        if let Some(constraints) = constraints {
            inputs.constraints = constraints;
        }
        let plan = in_pool(n_jobs, || plan_year(&inputs, &request))?.map_err(error)?;
        Ok((
            plan_table(&tree, &plan.periods, &plan.table, unit),
            plan_summary_table(&tree, &plan.allocation, unit),
        ))
    })?;
    Ok((dict_of(py, plan)?, dict_of(py, summary)?))
}

/// A long table from a path or from the columns (`None`: neither given);
/// the name errors give it.
fn long_series<'a>(
    path: Option<&'a str>,
    columns: Option<LongColumns<'_>>,
) -> PyResult<Option<(Vec<salesplan::Series>, &'a str)>> {
    Ok(match (path, columns) {
        (Some(path), _) => Some((
            read_long_csv(Path::new(path), &Columns::default()).map_err(error)?,
            path,
        )),
        (None, Some((ids, id_codes, labels, label_codes, y))) => Some((
            series_of(&Columns::default(), ids, id_codes, labels, label_codes, y)?,
            SOURCE,
        )),
        (None, None) => None,
    })
}

/// Tracks a plan against actuals as `salesplan track` does: the plan, org
/// and constraints from a path or CSV text, the actuals and history from a
/// path or the columns; returns the status table ([`track_status_table`]).
#[pyfunction]
#[pyo3(signature = (plan_path, plan_text, actuals_path, actuals, as_of, history_path=None, history=None, org_path=None, org_text=None, paths=1000, seed=20_260_101, level=80.0, recalibrate="reselect", missing="error", reallocate=false, constraints_path=None, constraints_text=None, unit=None, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
fn track<'py>(
    py: Python<'py>,
    plan_path: Option<&str>,
    plan_text: Option<&str>,
    actuals_path: Option<&str>,
    actuals: Option<PyLongColumns<'py>>,
    as_of: &str,
    history_path: Option<&str>,
    history: Option<PyLongColumns<'py>>,
    org_path: Option<&str>,
    org_text: Option<&str>,
    paths: usize,
    seed: u64,
    level: f64,
    recalibrate: &str,
    missing: &str,
    reallocate: bool,
    constraints_path: Option<&str>,
    constraints_text: Option<&str>,
    unit: Option<f64>,
    n_jobs: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let as_of = NaiveDate::parse_from_str(as_of, "%Y-%m-%d")
        .map_err(|_| SalesplanError::new_err(format!("as_of '{as_of}': not a YYYY-MM-DD date")))?;
    if paths < 2 {
        return Err(SalesplanError::new_err("paths must be at least 2"));
    }
    if !reallocate && (constraints_path.is_some() || constraints_text.is_some() || unit.is_some()) {
        return Err(SalesplanError::new_err(
            "constraints and round apply to the re-allocation: give reallocate=True",
        ));
    }
    let simulation = SimulationOptions {
        paths,
        seed,
        recalibration: parse(recalibrate)?,
        ..SimulationOptions::default()
    };
    let missing: MissingMonths = parse(missing)?;
    let actuals = actuals.as_ref().map(slices).transpose()?;
    let history = history.as_ref().map(slices).transpose()?;
    let table = py.detach(|| -> PyResult<Table> {
        let (year, elapsed) = closed_months(as_of);
        let (mut series, actuals_name) = long_series(actuals_path, actuals)?
            .ok_or_else(|| SalesplanError::new_err("actuals: give a path or a table"))?;
        if let Some((past, name)) = long_series(history_path, history)? {
            series = join_history(&past, &series).map_err(|e| {
                SalesplanError::new_err(format!(
                    "{name} (history) and {actuals_name} (actuals): {e}"
                ))
            })?;
        }
        let org = read_table(org_path, org_text, "<org>", read_org, |text, name| {
            OrgTree::read_from(text, name)
        })?;
        let from_actuals = org.is_none();
        let tree = match org {
            Some(tree) => tree,
            None => flat_tree(&series, Path::new(actuals_name)).map_err(error)?,
        };
        let plan = read_table(
            plan_path,
            plan_text,
            "<plan>",
            |path| read_plan(path, &tree, year, elapsed, from_actuals),
            |text, name| read_plan_from(text, name, &tree, year, elapsed, from_actuals),
        )?
        .ok_or_else(|| SalesplanError::new_err("plan: give a path or a table"))?;
        let constraints = read_table(
            constraints_path,
            constraints_text,
            "<constraints>",
            |path| read_constraints(path, &tree),
            |text, name| read_constraints_from(text, name, &tree),
        )?
        .map(|c| c.nodes);
        let request = TrackRequest {
            as_of,
            simulation,
            level,
            events: None,
            missing,
        };
        in_pool(n_jobs, || -> PyResult<Table> {
            let run = track_actuals(&tree, &series, &plan, &request)
                .map_err(|e| SalesplanError::new_err(format!("{actuals_name}: {e}")))?;
            let reallocation = if reallocate {
                let options = ReallocationOptions {
                    unit,
                    ..ReallocationOptions::default()
                };
                Some(
                    run.reallocate(&tree, &plan, constraints.as_deref(), &options)
                        .map_err(|e| SalesplanError::new_err(format!("reallocate: {e}")))?,
                )
            } else {
                None
            };
            Ok(track_status_table(
                &tree,
                &run,
                level,
                reallocation.as_ref(),
                unit,
            ))
        })?
    })?;
    dict_of(py, table)
}

/// Sweeps the scenarios as `salesplan sweep` does: the org tree and the
/// constraints from a path or CSV text, the history from a path or the
/// columns, the scenarios from a path (TOML or JSON) or JSON text. Returns
/// the long table's and the summary's CSV text, as the command writes them
/// (the long table empty with `table=false`).
#[pyfunction]
#[pyo3(signature = (org_path, org_text, history_path, history, scenarios_path, scenarios_json, year, paths=1000, seed=20_260_101, model="auto-ets", recalibrate="reselect", periods=false, levels=Vec::new(), measures=Vec::new(), constraints_path=None, constraints_text=None, trailing_months=12, table=true, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
fn sweep<'py>(
    py: Python<'py>,
    org_path: Option<&str>,
    org_text: Option<&str>,
    history_path: Option<&str>,
    history: Option<PyLongColumns<'py>>,
    scenarios_path: Option<&str>,
    scenarios_json: Option<&str>,
    year: i32,
    paths: usize,
    seed: u64,
    model: &str,
    recalibrate: &str,
    periods: bool,
    levels: Vec<usize>,
    measures: Vec<String>,
    constraints_path: Option<&str>,
    constraints_text: Option<&str>,
    trailing_months: usize,
    table: bool,
    n_jobs: Option<usize>,
) -> PyResult<(Vec<u8>, Vec<u8>)> {
    if paths == 0 || trailing_months == 0 {
        return Err(SalesplanError::new_err(
            "paths and trailing_months must be at least 1",
        ));
    }
    let options = SimulationOptions {
        paths,
        seed,
        form: parse_form(model).map_err(error)?,
        recalibration: parse(recalibrate)?,
        ..SimulationOptions::default()
    };
    let measures: Vec<SweepMeasure> = if measures.is_empty() {
        SweepTableOptions::default().measures
    } else {
        measures.iter().map(|m| parse(m)).collect::<PyResult<_>>()?
    };
    let history = history.as_ref().map(slices).transpose()?;
    py.detach(|| -> PyResult<(Vec<u8>, Vec<u8>)> {
        let scenarios = match (scenarios_path, scenarios_json) {
            (Some(path), _) => read_scenarios(Path::new(path)).map_err(error)?,
            (None, Some(text)) => {
                read_scenarios_json(text, Path::new("<scenarios>")).map_err(error)?
            }
            (None, None) => {
                return Err(SalesplanError::new_err("scenarios: give a path or a list"))
            }
        };
        let tree = read_table(org_path, org_text, "<org>", read_org, |text, name| {
            OrgTree::read_from(text, name)
        })?
        .ok_or_else(|| SalesplanError::new_err("org: give a path or a table"))?;
        let (series, name) = long_series(history_path, history)?
            .ok_or_else(|| SalesplanError::new_err("history: give a path or a table"))?;
        let constraints = read_table(
            constraints_path,
            constraints_text,
            "<constraints>",
            |path| read_constraints(path, &tree),
            |text, name| read_constraints_from(text, name, &tree),
        )?;
        in_pool(n_jobs, || -> PyResult<(Vec<u8>, Vec<u8>)> {
            let mut data = PlanningData::from_history_with_events(
                tree,
                &series,
                year,
                trailing_months,
                &options,
                None,
            )
            .map_err(|e| SalesplanError::new_err(format!("{name}: {e}")))?;
            if let Some(c) = constraints {
                data.apply_constraints(c);
            }
            if let Some(why) = misfit_scenarios(&data, &scenarios) {
                return Err(SalesplanError::new_err(format!("scenarios: {why}")));
            }
            let mut long = SweepTable::new(
                &data,
                &scenarios,
                SweepTableOptions {
                    levels,
                    measures,
                    periods,
                },
            )
            .map_err(error)?;
            let phasing = BalancedPhasing::new(&data, &scenarios).map_err(error)?;
            let mut text = Vec::new();
            let rows = if table {
                sweep_into(
                    &mut text,
                    Path::new("<sweep>"),
                    &data,
                    &scenarios,
                    &phasing,
                    &mut long,
                    &|_| {},
                )
            } else {
                sweep_into(
                    &mut std::io::sink(),
                    Path::new("<sweep>"),
                    &data,
                    &scenarios,
                    &phasing,
                    &mut long,
                    &|_| {},
                )
            }
            .map_err(error)?;
            let mut summary = Vec::new();
            sweep_summary_into(&mut summary, Path::new("<summary>"), &rows).map_err(error)?;
            Ok((text, summary))
        })?
    })
}

/// Fan charts of forecasts as `salesplan plot` draws them: the forecasts
/// in the long layout from a path or CSV text, the history from a path or
/// the columns; returns the SVG document.
#[pyfunction]
#[pyo3(signature = (forecasts_path, forecasts_text, history_path=None, history=None, series=Vec::new(), first=12, per_row=3, history_periods=None))]
#[allow(clippy::too_many_arguments)]
fn plot<'py>(
    py: Python<'py>,
    forecasts_path: Option<&str>,
    forecasts_text: Option<&str>,
    history_path: Option<&str>,
    history: Option<PyLongColumns<'py>>,
    series: Vec<String>,
    first: usize,
    per_row: usize,
    history_periods: Option<usize>,
) -> PyResult<String> {
    let history = history.as_ref().map(slices).transpose()?;
    py.detach(|| -> PyResult<String> {
        let forecasts = read_table(
            forecasts_path,
            forecasts_text,
            "<forecasts>",
            read_forecasts,
            |text, name| read_forecasts_from(text, name),
        )?
        .ok_or_else(|| SalesplanError::new_err("forecasts: give a path or a table"))?;
        let history = long_series(history_path, history)?.map_or_else(Vec::new, |(s, _)| s);
        if first == 0 || per_row == 0 {
            return Err(SalesplanError::new_err(
                "first and per_row must be at least 1",
            ));
        }
        let choice = FanChoice {
            series,
            first,
            history_periods,
        };
        let (charts, _) = fan_charts(&forecasts, &history, &choice).map_err(error)?;
        fan_chart_svg(&charts, per_row).map_err(error)
    })
}

/// The sales plan report as `salesplan report` draws it, from the files
/// the other commands wrote (paths); returns the HTML page and the whole
/// table of targets (columns).
#[pyfunction]
#[pyo3(signature = (org, history, forecasts=None, plan=None, summary=None, sweep=None, sweep_summary=None, status=None, actuals=None, level=None, node=None, scenario=None, currency=String::new(), table_rows=500, history_months=36, sections=Vec::new(), title=None))]
#[allow(clippy::too_many_arguments)]
fn report(
    py: Python<'_>,
    org: String,
    history: String,
    forecasts: Option<String>,
    plan: Option<String>,
    summary: Option<String>,
    sweep: Option<String>,
    sweep_summary: Option<String>,
    status: Option<String>,
    actuals: Option<String>,
    level: Option<usize>,
    node: Option<String>,
    scenario: Option<String>,
    currency: String,
    table_rows: usize,
    history_months: usize,
    sections: Vec<String>,
    title: Option<String>,
) -> PyResult<(String, Bound<'_, PyDict>)> {
    if table_rows == 0 {
        return Err(SalesplanError::new_err("table_rows must be at least 1"));
    }
    let files = ReportFiles {
        org: org.into(),
        history: history.into(),
        columns: Columns::default(),
        forecasts: forecasts.map(Into::into),
        plan: plan.map(Into::into),
        summary: summary.map(Into::into),
        sweep: sweep.map(Into::into),
        sweep_summary: sweep_summary.map(Into::into),
        status: status.map(Into::into),
        actuals: actuals.map(Into::into),
        scorecard: None,
    };
    let options = ReportOptions {
        title,
        level,
        node,
        scenario,
        currency,
        table_rows,
        table_link: None,
        history_months,
        sections,
    };
    let report = py
        .detach(|| build_report(&files, &options))
        .map_err(error)?;
    Ok((report.html, dict_of(py, report.table)?))
}

/// Reconciles the base forecasts in the columns (one series per node of
/// the hierarchy, the values in `value_col`) as `salesplan reconcile`
/// does: `method` by its name, `history` and `residuals` (long tables
/// `unique_id, ds, y` of every node) for the methods that need them.
/// Returns `unique_id, ds, mean` ([`reconciled_table`]).
#[pyfunction]
#[pyo3(signature = (forecasts, hierarchy_path, hierarchy_text, method, history=None, residuals=None, nonnegative=false, value_col="mean"))]
#[allow(clippy::too_many_arguments)]
#[allow(clippy::type_complexity)]
fn reconcile<'py>(
    py: Python<'py>,
    forecasts: PyLongColumns<'py>,
    hierarchy_path: Option<&str>,
    hierarchy_text: Option<&str>,
    method: &str,
    history: Option<PyLongColumns<'py>>,
    residuals: Option<PyLongColumns<'py>>,
    nonnegative: bool,
    value_col: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let forecasts = slices(&forecasts)?;
    let history = history.as_ref().map(slices).transpose()?;
    let residuals = residuals.as_ref().map(slices).transpose()?;
    let table = py.detach(|| -> PyResult<_> {
        let tree = read_table(
            hierarchy_path,
            hierarchy_text,
            "<hierarchy>",
            read_org,
            |text, name| OrgTree::read_from(text, name),
        )?
        .ok_or_else(|| SalesplanError::new_err("hierarchy: give a path or a table"))?;
        let source = Path::new(SOURCE);
        let aligned = |columns: &Columns,
                       long: LongColumns,
                       what: &str|
         -> PyResult<Vec<salesplan::Series>> {
            let (ids, id_codes, labels, label_codes, y) = long;
            let series = series_of(columns, ids, id_codes, labels, label_codes, y)?;
            align_to_tree(series, &tree, what, source).map_err(error)
        };
        let value_columns = Columns {
            value: value_col.to_string(),
            ..Columns::default()
        };
        let base = aligned(&value_columns, forecasts, "forecasts")?;
        // a table's own error (a bad row) is given as it is
        let failure = std::cell::RefCell::new(None);
        let values = |long: Option<LongColumns>, what: &str| -> salesplan::Result<Vec<Vec<f64>>> {
            let long = long.ok_or_else(|| salesplan::Error::InvalidParameter {
                name: "method",
                reason: format!("method '{method}' needs {what}="),
            })?;
            match aligned(&Columns::default(), long, what) {
                Ok(series) => Ok(series.into_iter().map(|s| s.values().to_vec()).collect()),
                Err(e) => {
                    let reason = e.to_string();
                    failure.replace(Some(e));
                    Err(salesplan::Error::File {
                        path: source.to_path_buf(),
                        reason,
                    })
                }
            }
        };
        let (method, history) = parse_method(
            method,
            || values(history, "history"),
            || values(residuals, "residuals"),
        )
        .map_err(|e| failure.take().unwrap_or_else(|| error(e)))?;
        let h = Hierarchy::from_tree(&tree);
        let reconciled =
            reconcile_periods(&h, &base, &method, history.as_deref(), nonnegative, source)
                .map_err(error)?;
        Ok(reconciled_table(&tree, &base, &reconciled))
    })?;
    dict_of(py, table)
}

/// The model's name in the output (`AutoETS`, `SNaive`) and as
/// statsforecast spells it (`SeasonalNaive`), the wide layout's columns.
#[pyfunction]
fn model_names(model: &str) -> PyResult<(String, String)> {
    let choice: ModelChoice = parse(model)?;
    Ok((choice.name(), choice.statsforecast_name()))
}

/// How reliable the attainment probabilities are on the org's own past
/// years, as `salesplan calibrate` computes it: the reliability table's CSV
/// text (one row per org level and probability bin).
#[pyfunction]
#[pyo3(signature = (org_path, org_text, history_path, history, years, growth=Vec::new(), bases=Vec::new(), paths=1000, seed=20_260_101, model="auto-ets", recalibrate="reselect", n_jobs=None))]
#[allow(clippy::too_many_arguments)]
fn calibrate<'py>(
    py: Python<'py>,
    org_path: Option<&str>,
    org_text: Option<&str>,
    history_path: Option<&str>,
    history: Option<PyLongColumns<'py>>,
    years: Vec<i32>,
    growth: Vec<f64>,
    bases: Vec<String>,
    paths: usize,
    seed: u64,
    model: &str,
    recalibrate: &str,
    n_jobs: Option<usize>,
) -> PyResult<Vec<u8>> {
    if paths == 0 {
        return Err(SalesplanError::new_err("paths must be at least 1"));
    }
    let options = ReliabilityOptions::grid(
        years,
        growth,
        bases.iter().map(|b| parse(b)).collect::<PyResult<_>>()?,
        SimulationOptions {
            paths,
            seed,
            form: parse_form(model).map_err(error)?,
            recalibration: parse(recalibrate)?,
            ..SimulationOptions::default()
        },
    );
    let history = history.as_ref().map(slices).transpose()?;
    py.detach(|| -> PyResult<Vec<u8>> {
        let tree = read_table(org_path, org_text, "<org>", read_org, |text, name| {
            OrgTree::read_from(text, name)
        })?
        .ok_or_else(|| SalesplanError::new_err("org: give a path or a table"))?;
        let (series, name) = long_series(history_path, history)?
            .ok_or_else(|| SalesplanError::new_err("history: give a path or a table"))?;
        let report = in_pool(n_jobs, || reliability(&tree, &series, &options))?
            .map_err(|e| SalesplanError::new_err(format!("{name}: {e}")))?;
        let mut text = Vec::new();
        write_reliability_into(&mut text, Path::new("<calibrate>"), &report).map_err(error)?;
        Ok(text)
    })
}

#[pymodule]
fn _salesplan(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("SalesplanError", m.py().get_type::<SalesplanError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(forecast, m)?)?;
    m.add_function(wrap_pyfunction!(model_names, m)?)?;
    m.add_function(wrap_pyfunction!(cross_validation, m)?)?;
    m.add_function(wrap_pyfunction!(backtest, m)?)?;
    m.add_function(wrap_pyfunction!(allocate, m)?)?;
    m.add_function(wrap_pyfunction!(reconcile, m)?)?;
    m.add_function(wrap_pyfunction!(track, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(plot, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_class::<Models>()?;
    Ok(())
}
