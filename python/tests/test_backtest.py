"""salesplan.backtest from Python: the metrics `salesplan backtest` writes,
cell for cell, for pandas, polars and pyarrow inputs."""

import csv
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import salesplan

ROOT = Path(__file__).resolve().parents[2]
M3 = ROOT / "datasets" / "m3_monthly.csv"
AIR = ROOT / "datasets" / "classic" / "AirPassengers.csv"
BINARY = Path(os.environ.get("SALESPLAN_BIN", ROOT / "target" / "release" / "salesplan"))
TEXT = ["scope", "unique_id", "model"]


def numbers(rows):
    return [name for name in rows[0] if name not in TEXT]


def cli_backtest(tmp_path, data, *args):
    """Runs the binary's backtest on `data` (a DataFrame) and returns its rows."""
    source, out = tmp_path / "in.csv", tmp_path / "metrics.csv"
    data.to_csv(source, index=False)
    run = subprocess.run([str(BINARY), "backtest", "-q", "--input", str(source), *args, "--output", str(out)])
    assert run.returncode in (0, 1)  # 1: some series failed, as here on purpose
    with open(out, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def m3_part():
    df = pd.read_csv(M3)
    part = df[df["unique_id"].isin(df["unique_id"].unique()[:40])]
    # a series too short for six windows fails alone, with a `series` row
    short = pd.DataFrame({"unique_id": "short", "ds": np.arange(1, 9), "y": np.arange(8.0) + 1})
    return pd.concat([part, short], ignore_index=True)


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_metrics_as_the_command_line(tmp_path, m3_part, kind, same_cells):
    rows = cli_backtest(tmp_path, m3_part, "--horizon", "6", "--windows", "3", "--models", "auto-ets,theta,naive", "--level", "90", "--season-length", "12")
    df = {"pandas": m3_part, "polars": pl.from_pandas(m3_part), "pyarrow": pa.Table.from_pandas(m3_part, preserve_index=False)}[kind]
    metrics = salesplan.backtest(df, h=6, n_windows=3, models=["auto-ets", "theta", "naive"], level=[90], season_length=12)
    assert type(metrics).__module__.split(".")[0] == type(df).__module__.split(".")[0]
    same_cells(rows, metrics, numbers(rows))
    failed = [r for r in rows if r["unique_id"] == "short"]
    assert failed and all(r["windows"] == "0" for r in failed)


def test_steps_sliding_windows_and_dates(tmp_path, same_cells):
    df = pd.read_csv(AIR, parse_dates=["ds"])
    rows = cli_backtest(tmp_path, df, "--horizon", "3", "--windows", "4", "--step", "2", "--sliding", "60", "--models", "auto-ets,snaive", "--nonnegative")
    metrics = salesplan.backtest(df, h=3, n_windows=4, step_size=2, sliding=60, models=["auto-ets", "SeasonalNaive"], nonnegative="mean")
    same_cells(rows, metrics, numbers(rows))
    assert metrics["window"].dtype == "Int64"
    overall = metrics[metrics["scope"] == "overall"]
    assert overall["model"].tolist() == ["AutoETS", "SNaive", "Naive2"]
    assert overall["owa"].iloc[2] == 1.0


def test_calibrated_intervals_as_the_command_line(tmp_path, m3_part, same_cells):
    args = ("--horizon", "6", "--windows", "2", "--models", "theta", "--level", "80,95", "--season-length", "12")
    rows = cli_backtest(tmp_path, m3_part, *args, "--intervals", "calibrated")
    metrics = salesplan.backtest(m3_part, h=6, n_windows=2, models=["theta"], level=[80, 95], season_length=12, intervals="calibrated")
    same_cells(rows, metrics, numbers(rows))
    plain = salesplan.backtest(m3_part, h=6, n_windows=2, models=["theta"], level=[80, 95], season_length=12)
    overall = lambda m: m[(m["scope"] == "overall") & (m["model"] == "Theta")]["coverage-95"].iloc[0]
    assert overall(metrics) != overall(plain)
    with pytest.raises(salesplan.SalesplanError, match="wide"):
        salesplan.backtest(m3_part, h=6, models=["theta"], intervals="wide")


def test_threads_do_not_change_the_metrics(m3_part):
    one = salesplan.backtest(m3_part, h=6, n_windows=2, season_length=12, n_jobs=1)
    two = salesplan.backtest(m3_part, h=6, n_windows=2, season_length=12, n_jobs=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"h": 0}, "horizon"),
        ({"n_windows": 0}, "window"),
        ({"models": []}, "at least one"),
        ({"models": ["prophet"]}, "prophet"),
        ({"step_size": 0}, "step"),
        ({"level": [100]}, "level"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    df = pd.DataFrame({"unique_id": ["a"] * 12, "ds": range(1, 13), "y": [float(t) for t in range(12)]})
    with pytest.raises(salesplan.SalesplanError, match=message):
        salesplan.backtest(df, **{"h": 2, **kwargs})


def test_bad_input_raises_naming_the_row():
    df = pd.DataFrame({"unique_id": ["a"] * 12, "ds": range(1, 13), "y": [float(t) for t in range(12)]})
    with pytest.raises(salesplan.SalesplanError, match="<DataFrame>:7: column 'y': missing value"):
        salesplan.backtest(df.assign(y=df["y"].where(df.index != 6)), h=2)
