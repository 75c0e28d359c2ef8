"""Type stubs of the native module (the Python API is in __init__.py)."""

from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

__version__: str

class SalesplanError(ValueError):
    """Bad input or arguments; the message names the row, column and value."""

def forecast(
    ids: List[str],
    id_codes: npt.NDArray[np.int64],
    labels: List[str],
    label_codes: npt.NDArray[np.int64],
    y: npt.NDArray[np.float64],
    h: int,
    model: str,
    levels: List[float],
    season_length: Optional[int] = None,
    intervals: Optional[str] = None,
    nonnegative: Optional[str] = None,
    freq: Optional[str] = None,
    n_jobs: Optional[int] = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    keep: bool = False,
    progress: Optional[Callable[[int, int], None]] = None,
    event_sets: List[str] = [],
    events_path: Optional[str] = None,
    events_text: Optional[str] = None,
    shopping_runup: Optional[str] = None,
) -> Tuple[Dict[str, object], Dict[str, object], Optional["Models"]]:
    """The forecast table's and the report's columns, from dictionary-encoded
    ids and period labels and the values, and with `keep` the fitted models."""

class Models:
    """Fitted models of a batch (they pickle)."""
    model: str
    ids: List[str]
    def predict(
        self, h: int, levels: List[float], nonnegative: Optional[str] = None, n_jobs: Optional[int] = None
    ) -> Tuple[Dict[str, object], Dict[str, object]]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> "Models": ...
    def __len__(self) -> int: ...

def model_names(model: str) -> Tuple[str, str]:
    """The model's name in the output and as statsforecast spells it."""

def cross_validation(
    ids: List[str],
    id_codes: npt.NDArray[np.int64],
    labels: List[str],
    label_codes: npt.NDArray[np.int64],
    y: npt.NDArray[np.float64],
    h: int,
    n_windows: int,
    step_size: int,
    models: List[str],
    levels: List[float],
    season_length: Optional[int] = None,
    nonnegative: Optional[str] = None,
    freq: Optional[str] = None,
    n_jobs: Optional[int] = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    wide: bool = False,
    intervals: Optional[str] = None,
) -> Dict[str, object]:
    """Every window's forecasts, as `backtest --forecasts` writes them."""

def backtest(
    ids: List[str],
    id_codes: npt.NDArray[np.int64],
    labels: List[str],
    label_codes: npt.NDArray[np.int64],
    y: npt.NDArray[np.float64],
    h: int,
    n_windows: int,
    models: List[str],
    levels: List[float],
    step_size: Optional[int] = None,
    sliding: Optional[int] = None,
    season_length: Optional[int] = None,
    nonnegative: Optional[str] = None,
    freq: Optional[str] = None,
    n_jobs: Optional[int] = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    intervals: Optional[str] = None,
) -> Dict[str, object]:
    """The metrics table of `salesplan backtest` (Naive2 added, the reference of OWA)."""

def calibrate(
    org_path: Optional[str],
    org_text: Optional[str],
    history_path: Optional[str],
    history: Optional[_LongColumns],
    years: List[int],
    growth: List[float] = ...,
    bases: List[str] = ...,
    paths: int = 1000,
    seed: int = 20260101,
    model: str = "auto-ets",
    recalibrate: str = "reselect",
    n_jobs: Optional[int] = None,
) -> bytes:
    """The reliability table of `salesplan calibrate`, as CSV text."""

def allocate(
    org_path: Optional[str],
    org_text: Optional[str],
    history_path: Optional[str],
    history: Optional[
        Tuple[List[str], npt.NDArray[np.int64], List[str], npt.NDArray[np.int64], npt.NDArray[np.float64]]
    ],
    year: int,
    target: Optional[float] = None,
    growth: Optional[float] = None,
    basis: str = "history:1",
    method: str = "proportional",
    ramp: str = "0.25,0.5,0.75",
    calendar: Optional[str] = None,
    unit: Optional[float] = None,
    constraints_path: Optional[str] = None,
    constraints_text: Optional[str] = None,
    trailing_months: int = 12,
    n_jobs: Optional[int] = None,
) -> Tuple[Dict[str, object], Dict[str, object]]:
    """The plan's and the per-node summary's columns, as `salesplan allocate`
    writes them; the org tree and constraints from a path or CSV text."""

_LongColumns = Tuple[List[str], npt.NDArray[np.int64], List[str], npt.NDArray[np.int64], npt.NDArray[np.float64]]

def reconcile(
    forecasts: _LongColumns,
    hierarchy_path: Optional[str],
    hierarchy_text: Optional[str],
    method: str,
    history: Optional[_LongColumns] = None,
    residuals: Optional[_LongColumns] = None,
    nonnegative: bool = False,
    value_col: str = "mean",
) -> Dict[str, object]:
    """The reconciled forecasts' columns (`unique_id, ds, mean`), as
    `salesplan reconcile` writes them."""

def track(
    plan_path: Optional[str],
    plan_text: Optional[str],
    actuals_path: Optional[str],
    actuals: Optional[_LongColumns],
    as_of: str,
    history_path: Optional[str] = None,
    history: Optional[_LongColumns] = None,
    org_path: Optional[str] = None,
    org_text: Optional[str] = None,
    paths: int = 1000,
    seed: int = 20260101,
    level: float = 80.0,
    recalibrate: str = "reselect",
    missing: str = "error",
    reallocate: bool = False,
    constraints_path: Optional[str] = None,
    constraints_text: Optional[str] = None,
    unit: Optional[float] = None,
    n_jobs: Optional[int] = None,
) -> Dict[str, object]:
    """The status table's columns, as `salesplan track` writes them; the
    plan, org tree and constraints from a path or CSV text."""

def sweep(
    org_path: Optional[str],
    org_text: Optional[str],
    history_path: Optional[str],
    history: Optional[_LongColumns],
    scenarios_path: Optional[str],
    scenarios_json: Optional[str],
    year: int,
    paths: int = 1000,
    seed: int = 20260101,
    model: str = "auto-ets",
    recalibrate: str = "reselect",
    periods: bool = False,
    levels: List[int] = [],
    measures: List[str] = [],
    constraints_path: Optional[str] = None,
    constraints_text: Optional[str] = None,
    trailing_months: int = 12,
    table: bool = True,
    n_jobs: Optional[int] = None,
) -> Tuple[bytes, bytes]:
    """The long table's and the summary's CSV text, as `salesplan sweep`
    writes them (the long table empty with `table=False`)."""

def plot(
    forecasts_path: Optional[str],
    forecasts_text: Optional[str],
    history_path: Optional[str] = None,
    history: Optional[_LongColumns] = None,
    series: List[str] = [],
    first: int = 12,
    per_row: int = 3,
    history_periods: Optional[int] = None,
) -> str:
    """The fan charts' SVG document, as `salesplan plot` draws it."""

def report(
    org: str,
    history: str,
    forecasts: Optional[str] = None,
    plan: Optional[str] = None,
    summary: Optional[str] = None,
    sweep: Optional[str] = None,
    sweep_summary: Optional[str] = None,
    status: Optional[str] = None,
    actuals: Optional[str] = None,
    level: Optional[int] = None,
    node: Optional[str] = None,
    scenario: Optional[str] = None,
    currency: str = "",
    table_rows: int = 500,
    history_months: int = 36,
    sections: List[str] = [],
    title: Optional[str] = None,
) -> Tuple[str, Dict[str, object]]:
    """The report's HTML page, as `salesplan report` writes it, and the
    whole table of targets (columns)."""
