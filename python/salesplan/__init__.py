"""salesplan: forecasting for sales planning, from Python.

The tables are statsforecast's long format, ``unique_id, ds, y``, as a
pandas or polars DataFrame or a pyarrow Table; results come back as the
same kind of table, with the columns of the ``salesplan`` command line.
The numbers are the command line's to the last bit: the same library reads
the rows with the same checks, and bad input raises :class:`SalesplanError`
(a ``ValueError``) naming the row, column and value.

>>> import pandas as pd
>>> import salesplan
>>> df = pd.DataFrame({
...     "unique_id": ["华东-张伟"] * 24,
...     "ds": pd.date_range("2024-01-01", periods=24, freq="MS"),
...     "y": [100.0 + 10 * (t % 12) + t for t in range(24)],
... })
>>> fc = salesplan.forecast(df, h=3, model="snaive")
>>> list(fc.columns)
['unique_id', 'ds', 'model', 'mean', 'lo-80', 'hi-80', 'lo-95', 'hi-95']
>>> fc["ds"].dt.strftime("%Y-%m").tolist(), fc["mean"].tolist()
(['2026-01', '2026-02', '2026-03'], [112.0, 123.0, 134.0])
>>> salesplan.forecast(df, h=3, model="SeasonalNaive", wide=True).columns[2:4].tolist()
['SeasonalNaive', 'SeasonalNaive-lo-80']
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._salesplan import SalesplanError, __version__
from ._salesplan import Models as _Models
from ._salesplan import allocate as _allocate
from ._salesplan import backtest as _backtest
from ._salesplan import calibrate as _calibrate
from ._salesplan import cross_validation as _cross_validation
from ._salesplan import forecast as _forecast
from ._salesplan import model_names as _model_names
from ._salesplan import plot as _plot
from ._salesplan import reconcile as _reconcile
from ._salesplan import report as _report
from ._salesplan import sweep as _sweep
from ._salesplan import track as _track

__all__ = ["forecast", "fit", "cross_validation", "backtest", "allocate", "reconcile", "sweep", "track", "plot", "report", "Fitted", "SalesplanError", "__version__"]

def _kind(df: Any) -> str:
    module = type(df).__module__.split(".")[0]
    if module == "pandas":
        return "pandas"
    if module == "polars":
        return "polars"
    if isinstance(df, pa.Table):
        return "pyarrow"
    raise TypeError(
        f"expected a pandas or polars DataFrame or a pyarrow Table, got {type(df).__name__}"
    )


def _to_arrow(df: Any, kind: str) -> pa.Table:
    if kind == "pandas":
        return pa.Table.from_pandas(df, preserve_index=False)
    if kind == "polars":
        return df.to_arrow()
    return df


def _column(table: pa.Table, name: str, role: str) -> pa.Array:
    if name not in table.column_names:
        raise SalesplanError(
            f"<DataFrame>: no {role} column '{name}' (columns: {', '.join(table.column_names)})"
        )
    column = table.column(name).combine_chunks()
    if column.null_count:
        row = pc.index(column.is_null(), True).as_py()
        raise SalesplanError(
            f"<DataFrame>:{row + 1}: column '{name}': missing value (missing values are not supported)"
        )
    return column


def _encoded(column: pa.Array) -> tuple[list[str], np.ndarray]:
    """The distinct values as text and each row's code into them."""
    encoded = pc.dictionary_encode(column)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return [str(v) for v in encoded.dictionary.to_pylist()], codes


def _period_labels(column: pa.Array, name: str) -> tuple[list[str], np.ndarray, Any]:
    """Period labels as the command line reads them, and the type to give
    the output's ``ds`` back."""
    t = column.type
    if pa.types.is_timestamp(t):
        days = pc.cast(column, pa.date32())
        if not pc.all(pc.equal(pc.cast(days, t), column)).as_py():
            raise SalesplanError(
                f"<DataFrame>: column '{name}': times of day are not supported (periods are days, weeks, months, quarters or years)"
            )
        labels, codes = _encoded(pc.cast(days, pa.string()))
        return labels, codes, t
    if pa.types.is_date(t):
        labels, codes = _encoded(pc.cast(column, pa.string()))
        return labels, codes, t
    if pa.types.is_integer(t):
        labels, codes = _encoded(column)
        return labels, codes, pa.int64()
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        labels, codes = _encoded(column)
        return labels, codes, pa.string()
    raise SalesplanError(
        f"<DataFrame>: column '{name}': periods must be dates, integers or labels such as 2024-01 or 2024Q1, not {t}"
    )


def _back(table: pa.Table, kind: str, nullable: bool = False) -> Any:
    """The table as ``kind``; with ``nullable``, pandas' integer columns
    with missing values are ``Int64`` (not floats)."""
    if kind == "pandas":
        if nullable:
            import pandas as pd

            return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        return table.to_pandas()
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table


def _wide(table: pa.Table, model: str, levels: Sequence[float]) -> pa.Table:
    """statsforecast's layout: the model's name (statsforecast's spelling)
    as the column names, lower bounds then upper bounds by increasing level."""
    name = _model_names(model)[1]
    columns = {"unique_id": table.column("unique_id"), "ds": table.column("ds")}
    columns[name] = table.column("mean")
    for side in ("lo", "hi"):
        for level in sorted(levels):
            key = f"{side}-{_level(level)}"
            columns[f"{name}-{key}"] = table.column(key)
    return pa.table(columns)


def _level(level: float) -> str:
    return str(int(level)) if float(level).is_integer() else str(level)


def forecast(
    df: Any,
    h: int,
    model: str = "auto-ets",
    level: Sequence[float] = (80, 95),
    season_length: Optional[int] = None,
    intervals: Optional[str] = None,
    nonnegative: Optional[str] = None,
    freq: Optional[str] = None,
    n_jobs: Optional[int] = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    wide: bool = False,
    report: bool = False,
    progress: Optional[bool] = None,
    events: Any = None,
    own_events: Any = None,
    shopping_runup: Any = None,
) -> Any:
    """Forecasts every series of ``df`` ``h`` periods ahead.

    As ``salesplan forecast``: ``model`` takes the command line's names
    (``auto-ets``, ``ets:MAdM``, ``theta``, ``auto-arima``, ``auto``, ...)
    and statsforecast's (``AutoETS``, ``SeasonalNaive``, ...);
    ``season_length`` defaults to the dates' frequency; ``intervals`` is
    ``model``, ``calibrated`` or ``conformal``; ``nonnegative`` is ``mean``
    or ``median``; ``freq`` states the frequency (``MS``, ``monthly``...).
    ``n_jobs`` threads (default: one per core) give identical results.

    Returns a table of the input's kind: ``unique_id, ds, model, mean,
    lo-<level>, hi-<level>...`` sorted by id then period (``wide=True``:
    statsforecast's columns), and with ``report=True`` also the per-series
    report (status, model fitted, AICc, reason, warning). A series that
    fails is left out of the forecasts and named in the report.
    ``progress`` shows a bar (tqdm's when installed) as series are done:
    ``None`` when standard error is a terminal, ``False`` never, ``True``
    always, or a callable ``progress(done, total)`` of your own.

    ``events`` are built-in event sets, as ``--events``: ``"china"``
    (official holidays with their adjusted working days, the Spring
    Festival's run-up and its season to Lantern, Lantern), ``"shopping"`` (520, 618,
    Double 11, Double 12; ``shopping_runup`` changes their run-ups, e.g.
    ``{"618": 10}`` or ``"618=10"``), a list or a comma list of them;
    ``own_events`` are yours, a path or a table ``event, start, end[,
    unique_id]`` as ``--events-file``. Their effects are estimated on the
    history, taken out before the model is fitted and put back into the
    forecasts, as the command line does.

    >>> import pyarrow as pa, salesplan
    >>> t = pa.table({"unique_id": ["a"] * 8, "ds": list(range(1, 9)), "y": [3.0, 4, 5, 4, 6, 5, 7, 6]})
    >>> salesplan.forecast(t, h=2, model="naive", level=[90]).column("mean").to_pylist()
    [6.0, 6.0]
    >>> salesplan.forecast(t.set_column(2, "y", pa.array([3.0, None, 5, 4, 6, 5, 7, 6])), h=2)
    Traceback (most recent call last):
    salesplan.SalesplanError: <DataFrame>:2: column 'y': missing value (missing values are not supported)
    """
    return _run(df, h, model, level, season_length, intervals, nonnegative, freq, n_jobs, id_col, time_col, target_col, wide, report, keep=False, progress=progress, events=_events(events, own_events, shopping_runup))


def _events(events: Any, own_events: Any, shopping_runup: Any) -> dict:
    """The native module's event arguments from forecast's."""
    sets = [events] if isinstance(events, str) else list(events or [])
    sets = [s.strip() for item in sets for s in item.split(",") if s.strip()]
    if isinstance(shopping_runup, dict):
        shopping_runup = ",".join(f"{k}={v}" for k, v in shopping_runup.items())
    path, text = _csv_source(own_events)
    return dict(event_sets=sets, events_path=path, events_text=text, shopping_runup=shopping_runup)


class _Bar:
    """A progress display for `progress(done, total)` calls: tqdm's bar when
    tqdm is installed, else a line on standard error."""

    def __init__(self):
        self._bar = None
        self._tqdm = None
        try:
            from tqdm.auto import tqdm

            self._tqdm = tqdm
        except ImportError:
            pass

    def __call__(self, done: int, total: int) -> None:
        if self._tqdm is not None:
            if self._bar is None:
                self._bar = self._tqdm(total=total, unit="series")
            self._bar.update(done - self._bar.n)
        else:
            sys.stderr.write(f"\r{done}/{total} series")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _progress(progress):
    """The callback for `progress`, or None."""
    if callable(progress) and not isinstance(progress, bool):
        return progress
    if progress is None:
        progress = sys.stderr is not None and sys.stderr.isatty()
    return _Bar() if progress else None


def _inputs(df, id_col, time_col, target_col):
    """The table's kind, its columns as the native module takes them, and
    the type of its periods."""
    kind = _kind(df)
    table = _to_arrow(df, kind)
    ids, id_codes = _encoded(pc.cast(_column(table, id_col, "id"), pa.string()))
    labels, label_codes, ds_type = _period_labels(_column(table, time_col, "date"), time_col)
    y = _column(table, target_col, "value")
    if not (pa.types.is_floating(y.type) or pa.types.is_integer(y.type)):
        raise SalesplanError(f"<DataFrame>: column '{target_col}': values must be numbers, not {y.type}")
    y = pc.cast(y, pa.float64()).to_numpy(zero_copy_only=False)
    return kind, (ids, id_codes, labels, label_codes, y), ds_type


def _run(df, h, model, level, season_length, intervals, nonnegative, freq, n_jobs, id_col, time_col, target_col, wide, report, keep, progress=None, events=None):
    """forecast, and with `keep` also the fitted models (for fit)."""
    kind, (ids, id_codes, labels, label_codes, y), ds_type = _inputs(df, id_col, time_col, target_col)
    bar = _progress(progress)
    try:
        columns, status, models = _forecast(
            ids,
            id_codes,
            labels,
            label_codes,
            y,
            int(h),
            model,
            [float(v) for v in level],
            season_length=season_length,
            intervals=intervals,
            nonnegative=nonnegative,
            freq=freq,
            n_jobs=n_jobs,
            id_col=id_col,
            time_col=time_col,
            target_col=target_col,
            keep=keep,
            progress=bar,
            **(events or {}),
        )
    finally:
        if isinstance(bar, _Bar):
            bar.close()
    shape = _Shape(kind, ds_type, id_col, time_col)
    out = shape.tables(columns, status, model, level, wide, report)
    return (out, Fitted(models, shape)) if keep else out


class _Shape:
    """How results are given back: the input's kind, its periods' type and
    its id and period columns' names."""

    def __init__(self, kind: str, ds_type: Any, id_col: str, time_col: str):
        self.kind, self.ds_type, self.id_col, self.time_col = kind, ds_type, id_col, time_col

    def periods(self, labels):
        """Period labels as the input typed its periods."""
        ds = pa.array(labels, pa.string())
        if pa.types.is_integer(self.ds_type):
            return pc.cast(ds, pa.int64())
        if not pa.types.is_string(self.ds_type):
            return pc.cast(pc.cast(ds, pa.date32()), self.ds_type)
        return ds

    def tables(self, columns, status, model, level, wide, report):
        columns["ds"] = self.periods(columns["ds"])
        out = pa.table(columns)
        if wide:
            out = _wide(out, model, level)
        out = out.rename_columns([self.id_col, self.time_col] + out.column_names[2:])
        if report:
            return _back(out, self.kind), _back(pa.table(status), self.kind)
        return _back(out, self.kind)


class Fitted:
    """Fitted models of every series, from :func:`fit`: forecast again at
    any horizon and levels without the data (:meth:`predict`); they pickle,
    and :meth:`save` writes the file ``salesplan forecast --load-models``
    reads (and :meth:`load` reads one it saved).

    >>> import pickle, pandas as pd, salesplan
    >>> df = pd.DataFrame({"unique_id": ["a"] * 24, "ds": range(1, 25), "y": [10.0 + (t % 4) + t for t in range(24)]})
    >>> fc, fitted = salesplan.fit(df, h=4, model="ets:AAN")
    >>> again = pickle.loads(pickle.dumps(fitted)).predict(4)
    >>> again.equals(fc)
    True
    >>> fitted.predict(8, level=[50])["ds"].tolist()[-1]
    32
    """

    def __init__(self, models: Any, shape: _Shape):
        self._models, self._shape = models, shape

    @property
    def model(self) -> str:
        """The model the series were fitted with (as ``model=`` takes it)."""
        return self._models.model

    @property
    def ids(self) -> list:
        """The fitted series' ids."""
        return self._models.ids

    def __len__(self) -> int:
        return len(self._models)

    def predict(
        self,
        h: int,
        level: Sequence[float] = (80, 95),
        nonnegative: Optional[str] = None,
        n_jobs: Optional[int] = None,
        wide: bool = False,
        report: bool = False,
    ) -> Any:
        """Forecasts ``h`` periods after each series' end, as :func:`forecast`
        returns them (the same numbers as the fitting call at its horizon
        and levels). Calibrated intervals are given at the levels they were
        calibrated at only."""
        level = [float(v) for v in level]
        columns, status = self._models.predict(int(h), level, nonnegative=nonnegative, n_jobs=n_jobs)
        return self._shape.tables(columns, status, self.model, level, wide, report)

    def save(self, path: Any) -> None:
        """Writes the models as ``forecast --save-models`` does."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self._models.to_json())
            f.write("\n")

    @classmethod
    def load(cls, path: Any, like: Any = None) -> "Fitted":
        """Reads models that :meth:`save` or ``forecast --save-models``
        wrote; results come as pyarrow tables with the periods as text,
        or shaped as the table ``like`` (its kind and period type)."""
        with open(path, encoding="utf-8") as f:
            models = _Models.from_json(f.read())
        shape = _Shape("pyarrow", pa.string(), "unique_id", "ds")
        if like is not None:
            kind = _kind(like)
            table = _to_arrow(like, kind)
            shape = _Shape(kind, table.schema.field("ds").type if "ds" in table.column_names else pa.string(), "unique_id", "ds")
        return cls(models, shape)


def fit(
    df: Any,
    h: int,
    model: str = "auto-ets",
    level: Sequence[float] = (80, 95),
    season_length: Optional[int] = None,
    intervals: Optional[str] = None,
    nonnegative: Optional[str] = None,
    freq: Optional[str] = None,
    n_jobs: Optional[int] = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    wide: bool = False,
    report: bool = False,
    progress: Optional[bool] = None,
) -> Any:
    """:func:`forecast`, keeping every series' fitted model: returns the
    forecast (and the report with ``report=True``) and a :class:`Fitted`.
    ``h`` is the horizon the models are fitted for (AutoTheta's holdout,
    the calibration of intervals); they forecast any horizon afterwards.
    Conformal intervals cannot be kept."""
    return _run(df, h, model, level, season_length, intervals, nonnegative, freq, n_jobs, id_col, time_col, target_col, wide, report, keep=True, progress=progress)


def cross_validation(
    df: Any,
    h: int,
    n_windows: int = 1,
    step_size: int = 1,
    models: Sequence[str] = ("auto-ets",),
    level: Sequence[float] = (80, 95),
    season_length: Optional[int] = None,
    nonnegative: Optional[str] = None,
    freq: Optional[str] = None,
    n_jobs: Optional[int] = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    wide: bool = False,
    intervals: Optional[str] = None,
) -> Any:
    """Every model's forecasts from ``n_windows`` origins ``step_size``
    periods apart, the last test period ending with each series, in the
    shape of statsforecast's ``cross_validation`` (and its defaults: one
    window, origins one period apart): ``unique_id, ds, cutoff, y, model,
    mean, lo-<level>, hi-<level>...`` (``cutoff`` the last period each
    window trained on), or with ``wide=True`` one column set per model under
    statsforecast's names. The numbers are ``salesplan backtest
    --forecasts``'s; a model that fails on a series has no rows there
    (empty cells in the wide layout). ``intervals`` (``model``,
    ``calibrated``, ``conformal[:N]``; default: each model's as
    ``forecast`` makes them) makes each window's intervals from what
    precedes its origin only.

    >>> import pandas as pd, salesplan
    >>> df = pd.DataFrame({"unique_id": ["a"] * 12, "ds": range(1, 13), "y": [float(t) for t in range(12)]})
    >>> cv = salesplan.cross_validation(df, h=2, n_windows=2, models=["naive", "drift"], level=[])
    >>> cv[["ds", "cutoff", "model", "mean"]].values.tolist()[:2]
    [[10, 9, 'Naive', 8.0], [10, 9, 'Drift', 9.0]]
    """
    kind, inputs, ds_type = _inputs(df, id_col, time_col, target_col)
    columns = _cross_validation(
        *inputs,
        int(h),
        int(n_windows),
        int(step_size),
        [str(m) for m in models],
        [float(v) for v in level],
        season_length=season_length,
        nonnegative=nonnegative,
        freq=freq,
        n_jobs=n_jobs,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        wide=wide,
        intervals=intervals,
    )
    shape = _Shape(kind, ds_type, id_col, time_col)
    columns["ds"] = shape.periods(columns["ds"])
    columns["cutoff"] = shape.periods(columns["cutoff"])
    out = pa.table(columns).rename_columns([id_col, time_col, "cutoff", target_col] + list(columns)[4:])
    return _back(out, kind)


def _counts(table: pa.Table, names: Sequence[str]) -> pa.Table:
    """Columns of whole numbers (NaN where undefined) as nullable int64."""
    for name in names:
        k = table.column_names.index(name)
        values = table.column(k)
        table = table.set_column(k, name, pc.cast(pc.if_else(pc.is_nan(values), None, values), pa.int64()))
    return table


def backtest(
    df: Any,
    h: int,
    n_windows: int = 1,
    step_size: Optional[int] = None,
    models: Sequence[str] = ("auto-ets", "theta"),
    level: Sequence[float] = (80, 95),
    season_length: Optional[int] = None,
    sliding: Optional[int] = None,
    nonnegative: Optional[str] = None,
    freq: Optional[str] = None,
    n_jobs: Optional[int] = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    intervals: Optional[str] = None,
) -> Any:
    """Scores ``models`` (and Naive2, the reference of OWA) on ``n_windows``
    origins ``step_size`` periods apart (default: ``h``), the last test
    period ending with each series, as ``salesplan backtest`` does, and
    returns its metrics table: ``scope, unique_id, model, window, origin,
    windows, mae, rmse, mape, smape, mase, rmsse, wape, bias, owa,
    coverage-<level>, pinball-<level>...``, one row per ``window`` (series
    × model × window; ``origin`` the training length), per ``series``
    (its windows pooled; a model that failed on it has ``windows`` 0 and
    no metrics) and ``overall`` (every window of every series, with OWA).
    Undefined metrics are NaN (null in ``window``, ``origin``); ``sliding``
    trains on that many points instead of all before the origin.
    ``intervals`` (``model``, ``calibrated``, ``conformal[:N]``; default:
    each model's as ``forecast`` makes them, calibrated for ``auto``) makes
    each window's intervals from what precedes its origin only.

    >>> import pandas as pd, salesplan
    >>> df = pd.DataFrame({"unique_id": ["a"] * 12, "ds": range(1, 13), "y": [float(t % 4) + t for t in range(12)]})
    >>> m = salesplan.backtest(df, h=2, n_windows=2, models=["naive"], level=[])
    >>> m[["scope", "model", "window", "windows", "mae"]].values.tolist()[:3]
    [['window', 'Naive', 0, 1, 1.0], ['window', 'Naive', 1, 1, 3.0], ['series', 'Naive', <NA>, 2, 2.0]]
    >>> m[m["scope"] == "overall"][["model", "owa"]].values.tolist()
    [['Naive', 1.0], ['Naive2', 1.0]]
    >>> salesplan.backtest(df.assign(ds=[1, 2] + list(range(4, 14))), h=2)
    Traceback (most recent call last):
    salesplan.SalesplanError: <DataFrame>:3: column 'ds': series 'a': gap: period 2 is followed by 4 (value '4')
    """
    kind, inputs, _ = _inputs(df, id_col, time_col, target_col)
    columns = _backtest(
        *inputs,
        int(h),
        int(n_windows),
        [str(m) for m in models],
        [float(v) for v in level],
        step_size=step_size,
        sliding=sliding,
        season_length=season_length,
        nonnegative=nonnegative,
        freq=freq,
        n_jobs=n_jobs,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        intervals=intervals,
    )
    out = _counts(pa.table(columns), ["window", "origin", "windows"])
    return _back(out.rename_columns(["scope", id_col] + out.column_names[2:]), kind, nullable=True)


def _is_path(table: Any) -> bool:
    return isinstance(table, (str, bytes)) or hasattr(table, "__fspath__")


def _csv_source(table: Any) -> tuple:
    """A small input (org tree, constraints) as ``(path, None)`` for a path
    or ``(None, CSV text)`` for a table, read by the command line's reader:
    dates as ``YYYY-MM-DD``, missing cells empty. Errors name a table's
    lines as a file's (``<org>:3`` is its second row: the header is line 1)."""
    if table is None:
        return None, None
    if _is_path(table):
        return os.fsdecode(table), None
    import pyarrow.csv as pacsv

    arrow = _to_arrow(table, _kind(table))
    for k, field in enumerate(arrow.schema):
        if pa.types.is_timestamp(field.type):
            arrow = arrow.set_column(k, field.name, pc.cast(arrow.column(k), pa.date32()))
        elif pa.types.is_floating(field.type):
            # the shortest text that reads back to the same number
            text = [None if v is None else repr(v) for v in arrow.column(k).to_pylist()]
            arrow = arrow.set_column(k, field.name, pa.array(text, pa.string()))
    sink = pa.BufferOutputStream()
    pacsv.write_csv(arrow, sink, pacsv.WriteOptions(quoting_style="needed"))
    return None, sink.getvalue().to_pybytes().decode("utf-8")


def _ramp(ramp: Any) -> str:
    if isinstance(ramp, str):
        return ramp
    return ",".join(repr(float(v)) for v in ramp)


def allocate(
    org: Any,
    history: Any,
    year: int,
    target: Optional[float] = None,
    growth: Optional[float] = None,
    basis: str = "history:1",
    method: str = "proportional",
    ramp: Any = (0.25, 0.5, 0.75),
    calendar: Optional[str] = None,
    round: Optional[float] = None,
    constraints: Any = None,
    trailing_months: int = 12,
    n_jobs: Optional[int] = None,
    summary: bool = False,
) -> Any:
    """Splits the company's ``target`` for ``year`` (or last year's total
    times ``1 + growth``) down the org tree, as ``salesplan allocate``
    does, and returns the plan: ``node_id, period, target``, one row per
    node (in tree order) and period (the year, or ``calendar``'s periods:
    ``monthly``, ``quarterly``, ``weekly``, ``fiscal-monthly:4``, ``445``
    ...), and with ``summary=True`` also the per-node summary ``node_id,
    name, parent_id, target, basis_share, last_year, growth_vs_last_year,
    binding``.

    ``org`` (``node_id, parent_id[, name, start_date, end_date]``) and
    ``constraints`` (``node_id, min, max, growth_min, growth_max, lock,
    over_assignment, potential``) are paths or tables; ``history`` is the
    leaves' monthly sales in the long format (``unique_id, ds, y``), a
    table or a path. ``basis``, ``method``, ``calendar`` take the command
    line's values; ``ramp`` is new hires' monthly factors; ``round`` the
    unit targets are rounded to, totals exact (each target the number the
    plan file shows: ``round=0.01`` gives 1250.37, not 1250.3699999999999).
    Lines in errors count a table's header as line 1 (``<org>:4`` is its
    third row), as in the file it stands for. Tables come back of the kind
    of ``history`` (else of ``org``; pyarrow when every input is a path).

    >>> import pandas as pd, salesplan
    >>> org = pd.DataFrame({"node_id": ["co", "a", "b"], "parent_id": [None, "co", "co"]})
    >>> sales = pd.DataFrame({"unique_id": ["a"] * 12 + ["b"] * 12, "ds": [f"2025-{m:02}" for m in range(1, 13)] * 2, "y": [30.0] * 12 + [10.0] * 12})
    >>> salesplan.allocate(org, sales, year=2026, growth=0.5, round=1)["target"].tolist()
    [720.0, 540.0, 180.0]
    >>> plan, by_node = salesplan.allocate(org, sales, year=2026, target=1000, calendar="quarterly", summary=True)
    >>> plan[plan["node_id"] == "a"][["period", "target"]].values.tolist()
    [['2026Q1', 187.5], ['2026Q2', 187.5], ['2026Q3', 187.5], ['2026Q4', 187.5]]
    >>> by_node["basis_share"].tolist()
    [1.0, 0.75, 0.25]
    >>> salesplan.allocate(org.assign(parent_id=[None, "co", "x"]), sales, year=2026, growth=0.1)
    Traceback (most recent call last):
    salesplan.SalesplanError: <org>:4: node 'b' has parent 'x', which is not in the file
    """
    history_path, history_columns, kind = None, None, None
    if _is_path(history):
        history_path = os.fsdecode(history)
    else:
        kind, history_columns, _ = _inputs(history, "unique_id", "ds", "y")
    for table in (org, constraints):
        if kind is None and table is not None and not _is_path(table):
            kind = _kind(table)
    org_path, org_text = _csv_source(org)
    constraints_path, constraints_text = _csv_source(constraints)
    plan, nodes = _allocate(
        org_path,
        org_text,
        history_path,
        history_columns,
        int(year),
        target=None if target is None else float(target),
        growth=None if growth is None else float(growth),
        basis=basis,
        method=method,
        ramp=_ramp(ramp),
        calendar=calendar,
        unit=None if round is None else float(round),
        constraints_path=constraints_path,
        constraints_text=constraints_text,
        trailing_months=int(trailing_months),
        n_jobs=n_jobs,
    )
    kind = kind or "pyarrow"
    for name in ("parent_id", "binding"):
        nodes[name] = [v or None for v in nodes[name]]
    out = _back(pa.table(plan), kind)
    return (out, _back(pa.table(nodes), kind)) if summary else out


def reconcile(
    forecasts: Any,
    hierarchy: Any,
    method: str,
    history: Any = None,
    residuals: Any = None,
    nonnegative: bool = False,
    value_col: str = "mean",
) -> Any:
    """Makes base forecasts of every node of ``hierarchy`` add up, as
    ``salesplan reconcile`` does, and returns ``unique_id, ds, mean``
    (nodes sorted by id) as a table of the forecasts' kind.

    ``forecasts`` is a long table with one series per node (the output of
    :func:`forecast` works as it is; ``value_col`` names its values);
    ``hierarchy`` the org tree (``node_id, parent_id[, name...]``), a path
    or a table. ``method`` is ``bottom-up``, ``top-down-fp``,
    ``top-down-ahp``, ``top-down-pha`` (these two need ``history``),
    ``middle-out:<depth>[:fp|ahp|pha]``, ``mint-ols``, ``mint-wls-struct``,
    ``mint-wls-var`` or ``mint-shrink`` (these two need ``residuals``);
    ``history`` and ``residuals`` are long tables ``unique_id, ds, y`` of
    every node. ``nonnegative`` keeps the leaves' forecasts non-negative.

    >>> import pandas as pd, salesplan
    >>> tree = pd.DataFrame({"node_id": ["all", "a", "b"], "parent_id": [None, "all", "all"]})
    >>> base = pd.DataFrame({"unique_id": ["all", "a", "b"], "ds": [2026] * 3, "mean": [100.0, 40.0, 50.0]})
    >>> salesplan.reconcile(base, tree, "bottom-up")["mean"].tolist()
    [40.0, 90.0, 50.0]
    >>> salesplan.reconcile(base, tree, "mint-ols")["mean"].round(6).tolist()
    [43.333333, 96.666667, 53.333333]
    >>> salesplan.reconcile(base[base["unique_id"] != "b"], tree, "bottom-up")
    Traceback (most recent call last):
    salesplan.SalesplanError: <DataFrame>: no forecasts for 1 node(s) of the hierarchy: b
    """
    kind, columns, ds_type = _inputs(forecasts, "unique_id", "ds", value_col)
    others = [None if t is None else _inputs(t, "unique_id", "ds", "y")[1] for t in (history, residuals)]
    path, text = _csv_source(hierarchy)
    out = _reconcile(columns, path, text, method, history=others[0], residuals=others[1], nonnegative=bool(nonnegative), value_col=value_col)
    out["ds"] = _Shape(kind, ds_type, "unique_id", "ds").periods(out["ds"])
    return _back(pa.table(out), kind)


def _long_source(table: Any) -> tuple:
    """A long table (``unique_id, ds, y``) as ``(path, None, None)`` for a
    path or ``(None, columns, kind)`` for a table; ``(None, None, None)``
    for none."""
    if table is None:
        return None, None, None
    if _is_path(table):
        return os.fsdecode(table), None, None
    kind, columns, _ = _inputs(table, "unique_id", "ds", "y")
    return None, columns, kind


def track(
    plan: Any,
    actuals: Any,
    as_of: Any,
    history: Any = None,
    org: Any = None,
    paths: int = 1000,
    seed: int = 20260101,
    level: float = 80.0,
    recalibrate: str = "reselect",
    missing: str = "error",
    reallocate: bool = False,
    constraints: Any = None,
    round: Optional[float] = None,
    n_jobs: Optional[int] = None,
) -> Any:
    """Where every node stands against ``plan`` on ``as_of`` (a
    ``YYYY-MM-DD`` date or a date), as ``salesplan track`` does: to date,
    run rate, the model's projection of the year with its ``level``%
    interval, the probability of reaching the target, the gap by remaining
    month, and with ``reallocate=True`` the remaining target re-allocated
    (under ``constraints``, rounded to ``round``).

    ``plan`` (``node_id, period, target``, as ``allocate`` returns it),
    ``org`` and ``constraints`` are paths or tables; ``actuals`` (and
    ``history``, the years before them) are monthly sales in the long
    format, tables or paths. Without ``org`` the nodes are the actuals'
    series. ``recalibrate`` (``none``, ``same-form``, ``reselect``) and
    ``missing`` (``error``, ``zero``) take the command line's values.
    Returns one row per node with a target, the columns of the command's
    file, as a table of the kind of ``actuals`` (else of ``plan``; pyarrow
    when every input is a path).

    >>> import pandas as pd, salesplan
    >>> sales = pd.DataFrame({"unique_id": ["a"] * 30, "ds": [f"{2024 + k // 12}-{k % 12 + 1:02}" for k in range(30)], "y": [100.0 + k % 12 + k * 7919 % 13 for k in range(30)]})
    >>> plan = pd.DataFrame({"node_id": ["a"], "period": ["2026"], "target": [1300.0]})
    >>> status = salesplan.track(plan, sales, "2026-06-30", paths=200)
    >>> status[["node_id", "target", "actual_to_date", "run_rate_projection", "probability"]].values.tolist()
    [['a', 1300.0, 647.0, 1294.0, 0.56]]
    >>> salesplan.track(plan.assign(node_id=["b"]), sales, "2026-06-30")
    Traceback (most recent call last):
    salesplan.SalesplanError: <plan>:2: column 'node_id': not a series of the actuals (give --org to track teams and regions) (value 'b')
    """
    if hasattr(as_of, "strftime"):
        as_of = as_of.strftime("%Y-%m-%d")
    actuals_path, actuals_columns, kind = _long_source(actuals)
    history_path, history_columns, history_kind = _long_source(history)
    kind = kind or history_kind
    for table in (plan, org, constraints):
        if kind is None and table is not None and not _is_path(table):
            kind = _kind(table)
    plan_path, plan_text = _csv_source(plan)
    org_path, org_text = _csv_source(org)
    constraints_path, constraints_text = _csv_source(constraints)
    status = _track(
        plan_path,
        plan_text,
        actuals_path,
        actuals_columns,
        str(as_of),
        history_path=history_path,
        history=history_columns,
        org_path=org_path,
        org_text=org_text,
        paths=int(paths),
        seed=int(seed),
        level=float(level),
        recalibrate=recalibrate,
        missing=missing,
        reallocate=bool(reallocate),
        constraints_path=constraints_path,
        constraints_text=constraints_text,
        unit=None if round is None else float(round),
        n_jobs=n_jobs,
    )
    return _back(pa.table(status), kind or "pyarrow")


#: The sweep summary's text columns (the others are numbers).
_SUMMARY_TEXT = ("scenario", "status", "reason", "basis", "method", "ramp", "calendar")


def _csv_table(text: bytes, text_columns: Sequence[str]) -> pa.Table:
    """The command line's CSV text as a table: ``text_columns`` as
    strings (empty: ""), the others as float64 (empty: null), read by
    pyarrow's exact float parser."""
    import pyarrow.csv as pacsv

    header = text.split(b"\n", 1)[0].decode().split(",")
    types = {c: (pa.string() if c in text_columns else pa.float64()) for c in header}
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False)
    return pacsv.read_csv(pa.py_buffer(text), convert_options=convert)


def sweep(
    org: Any,
    history: Any,
    scenarios: Any,
    year: int,
    paths: int = 1000,
    seed: int = 20260101,
    model: str = "auto-ets",
    recalibrate: str = "reselect",
    periods: bool = False,
    levels: Optional[Sequence[int]] = None,
    measures: Sequence[str] = ("target", "probability", "expected_attainment"),
    constraints: Any = None,
    trailing_months: int = 12,
    table: bool = True,
    n_jobs: Optional[int] = None,
) -> Any:
    """Plans and scores every scenario as ``salesplan sweep`` does, from one
    fit and one simulation of the org's plan year: returns the long table
    ``scenario, node_id, measure, value`` (each node's target, probability
    of reaching it and expected attainment, by default; ``periods=True``
    adds the targets by period, ``levels`` keeps those org depths) and the
    one-row-per-scenario summary, or the summary alone with
    ``table=False`` (the long table of 1,000 scenarios over 10,000 reps is
    30 million rows).

    ``scenarios`` is a path (TOML or JSON, as ``--scenarios``) or the
    same structure as a dict (``{"scenario": [...], "grid": [...],
    "defaults": {...}}``) or a list of scenarios. ``org`` and
    ``constraints`` are paths or tables; ``history`` the leaves' monthly
    sales in the long format, a table or a path. Tables come back of the
    kind of ``history`` (else of ``org``; pyarrow when every input is a path).

    >>> import pandas as pd, salesplan
    >>> org = pd.DataFrame({"node_id": ["co", "a", "b"], "parent_id": [None, "co", "co"]})
    >>> sales = pd.DataFrame({"unique_id": ["a"] * 36 + ["b"] * 36, "ds": [f"{2023 + k // 12}-{k % 12 + 1:02}" for k in range(36)] * 2, "y": [30.0] * 36 + [10.0] * 36})
    >>> long, summary = salesplan.sweep(org, sales, [{"name": "flat", "growth": 0.0, "round": 1}, {"name": "up", "growth": 0.2, "round": 1}], year=2026, paths=200)
    >>> summary[["scenario", "status", "company_target"]].values.tolist()
    [['flat', 'planned', 480.0], ['up', 'planned', 576.0]]
    >>> long[(long["node_id"] == "a") & (long["measure"] == "target")]["value"].tolist()
    [360.0, 432.0]
    >>> salesplan.sweep(org, sales, [{"name": "x", "growth": "lots"}], year=2026)
    Traceback (most recent call last):
    salesplan.SalesplanError: <scenarios>: scenario 'x': field 'growth': expected a number, found string (invalid type: string "lots", expected f64)
    """
    import json

    history_path, history_columns, kind = _long_source(history)
    for t in (org, constraints):
        if kind is None and t is not None and not _is_path(t):
            kind = _kind(t)
    org_path, org_text = _csv_source(org)
    constraints_path, constraints_text = _csv_source(constraints)
    if _is_path(scenarios):
        scenarios_path, scenarios_json = os.fsdecode(scenarios), None
    else:
        spec = {"scenario": list(scenarios)} if isinstance(scenarios, (list, tuple)) else scenarios
        scenarios_path, scenarios_json = None, json.dumps(spec)
    long, summary = _sweep(
        org_path,
        org_text,
        history_path,
        history_columns,
        scenarios_path,
        scenarios_json,
        int(year),
        paths=int(paths),
        seed=int(seed),
        model=model,
        recalibrate=recalibrate,
        periods=bool(periods),
        levels=[int(k) for k in (levels or [])],
        measures=list(measures),
        constraints_path=constraints_path,
        constraints_text=constraints_text,
        trailing_months=int(trailing_months),
        table=bool(table),
        n_jobs=n_jobs,
    )
    kind = kind or "pyarrow"
    out = _back(_csv_table(bytes(summary), _SUMMARY_TEXT), kind)
    if not table:
        return out
    return _back(_csv_table(bytes(long), ("scenario", "node_id", "measure")), kind), out


def calibrate(
    org: Any,
    history: Any,
    years: Sequence[int],
    growth: Optional[Sequence[float]] = None,
    bases: Optional[Sequence[str]] = None,
    paths: int = 1000,
    seed: int = 20260101,
    model: str = "auto-ets",
    recalibrate: str = "reselect",
    n_jobs: Optional[int] = None,
) -> Any:
    """How reliable the attainment probabilities are on the org's own past
    years, as ``salesplan calibrate`` computes it: each of ``years`` is
    planned from the years before it over a grid of company targets
    (``growth`` rates, default −30% to +45% in 16 steps, × ``bases``,
    default history, forecast and half-and-half), and every node's
    probability of reaching its target is compared with whether it did.
    Returns the reliability table, one row per org level (``depth``, 0 the
    company) and probability bin: ``depth, nodes, bin_low, bin_high,
    mean_predicted, share_reached, count, mid_ece, noise_floor, brier``
    (the level's measures on every row; an empty bin's mean and share are
    null), as a table of the kind of ``history`` (else of ``org``; pyarrow
    when both are paths).

    >>> import pandas as pd, salesplan
    >>> org = pd.DataFrame({"node_id": ["co"] + [f"r{k}" for k in range(6)], "parent_id": [None] + ["co"] * 6})
    >>> sales = pd.DataFrame({"unique_id": [f"r{k}" for k in range(6) for _ in range(48)], "ds": [f"{2022 + t // 12}-{t % 12 + 1:02}" for _ in range(6) for t in range(48)], "y": [100.0 + 10 * k + (t * 7 + k * 3) % 11 for k in range(6) for t in range(48)]})
    >>> table = salesplan.calibrate(org, sales, years=[2025], growth=[-0.1, 0.0, 0.1], paths=200)
    >>> table.groupby("depth")["count"].sum().tolist()
    [9, 54]
    >>> salesplan.calibrate(org, sales, years=[1990])
    Traceback (most recent call last):
    salesplan.SalesplanError: <DataFrame>: invalid years: 1990: no target could be set from the history before it (no rep has a year of sales before 1990)
    """
    history_path, history_columns, kind = _long_source(history)
    if kind is None and org is not None and not _is_path(org):
        kind = _kind(org)
    org_path, org_text = _csv_source(org)
    text = _calibrate(
        org_path,
        org_text,
        history_path,
        history_columns,
        [int(y) for y in years],
        growth=[float(g) for g in (growth or [])],
        bases=[str(b) for b in (bases or [])],
        paths=int(paths),
        seed=int(seed),
        model=model,
        recalibrate=recalibrate,
        n_jobs=n_jobs,
    )
    table = _counts(_csv_table(bytes(text), ()), ["depth", "nodes", "count"])
    return _back(table, kind or "pyarrow", nullable=True)


def plot(
    forecasts: Any,
    history: Any = None,
    series: Optional[Sequence[str]] = None,
    first: int = 12,
    per_row: int = 3,
    history_periods: Optional[int] = None,
) -> str:
    """Fan charts of ``forecasts`` as ``salesplan plot`` draws them, as SVG
    text: each series' ``history`` (a long table or path, optional), its
    forecast mean and one band per interval level, ``per_row`` panels a
    row, for the ``series`` named or the first ``first``; at most
    ``history_periods`` of history each. ``forecasts`` is ``forecast``'s
    table (the long layout) or a path to one. Save it as ``.svg``, or show
    it in a notebook with ``IPython.display.SVG``.

    >>> import pandas as pd, salesplan
    >>> sales = pd.DataFrame({"unique_id": ["华东-张伟"] * 24, "ds": [f"{2024 + k // 12}-{k % 12 + 1:02}" for k in range(24)], "y": [100.0 + k % 12 + k * 7919 % 13 for k in range(24)]})
    >>> svg = salesplan.plot(salesplan.forecast(sales, h=6), history=sales)
    >>> svg.startswith("<svg") and "华东-张伟" in svg, svg.count("<polygon")
    (True, 2)
    """
    forecasts_path, forecasts_text = _csv_source(forecasts)
    history_path, history_columns, _ = _long_source(history)
    return _plot(
        forecasts_path,
        forecasts_text,
        history_path=history_path,
        history=history_columns,
        series=list(series or []),
        first=int(first),
        per_row=int(per_row),
        history_periods=None if history_periods is None else int(history_periods),
    )


def report(
    org: Any,
    history: Any,
    forecasts: Any = None,
    plan: Any = None,
    summary: Any = None,
    sweep: Any = None,
    sweep_summary: Any = None,
    status: Any = None,
    actuals: Any = None,
    level: Optional[int] = None,
    node: Optional[str] = None,
    scenario: Optional[str] = None,
    currency: str = "",
    table_rows: int = 500,
    history_months: int = 36,
    sections: Optional[Sequence[str]] = None,
    title: Optional[str] = None,
    table: bool = False,
) -> Any:
    """The sales plan report as ``salesplan report`` draws it: one
    self-contained HTML page (the same text the command writes for the
    same inputs) of the forecast, the plan, the table of targets of
    ``level``, the sweep and the tracking, each as far as its inputs are
    given. Every input is a path or a table as the other functions return
    it (``forecast``'s long forecasts, ``allocate``'s plan and summary,
    ``sweep``'s long table and summary, ``track``'s status); ``org`` and
    ``history`` are needed. With ``table=True``, returns the page and the
    whole table of targets (in the kind of ``history`` when it is a table,
    else pyarrow). Save the page as ``.html`` or show it in a notebook with
    ``IPython.display.HTML``.

    >>> import pandas as pd, salesplan
    >>> org = pd.DataFrame({"node_id": ["co", "east", "south"], "parent_id": [None, "co", "co"], "name": ["星河", "华东大区", "华南大区"]})
    >>> months = [f"{2023 + k // 12}-{k % 12 + 1:02}" for k in range(36)]
    >>> sales = pd.DataFrame({"unique_id": ["east"] * 36 + ["south"] * 36, "ds": months * 2, "y": [100.0 + (k % 12) * 5 + k for k in range(72)]})
    >>> page = salesplan.report(org, sales)
    >>> page.startswith("<!DOCTYPE html>"), "华东大区" in page, page.count("<svg")
    (True, True, 3)
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="salesplan-report-") as folder:

        def path_of(name: str, value: Any) -> Optional[str]:
            if value is None:
                return None
            if _is_path(value):
                return os.fsdecode(value)
            _, text = _csv_source(value)
            path = os.path.join(folder, name + ".csv")
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            return path

        html, whole = _report(
            path_of("org", org),
            path_of("history", history),
            forecasts=path_of("forecasts", forecasts),
            plan=path_of("plan", plan),
            summary=path_of("summary", summary),
            sweep=path_of("sweep", sweep),
            sweep_summary=path_of("sweep_summary", sweep_summary),
            status=path_of("status", status),
            actuals=path_of("actuals", actuals),
            level=None if level is None else int(level),
            node=node,
            scenario=scenario,
            currency=str(currency),
            table_rows=int(table_rows),
            history_months=int(history_months),
            sections=list(sections or []),
            title=title,
        )
    if not table:
        return html
    kind = "pyarrow" if _is_path(history) else _kind(history)
    return html, _back(pa.table(whole), kind)
