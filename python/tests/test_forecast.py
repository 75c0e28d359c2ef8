"""salesplan.forecast from Python: the command line's numbers to the bit,
for pandas, polars and pyarrow inputs; bad input raises SalesplanError."""

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


def cli(tmp_path, *args):
    """Runs the binary's forecast and returns its output's rows."""
    out = tmp_path / "cli.csv"
    subprocess.run(
        [str(BINARY), "forecast", "-q", *args, "--output", str(out)], check=True
    )
    with open(out, newline="") as f:
        return list(csv.DictReader(f))


def same_numbers(rows, table, columns):
    """Every cell of `columns` in the CLI's rows (read back as floats, which
    the shortest round-trip text gives exactly) equals the table's."""
    assert len(rows) == table.num_rows
    for name in columns:
        ours = table.column(name).to_numpy(zero_copy_only=False)
        theirs = np.array([float(r[name]) if r[name] else np.nan for r in rows])
        assert np.array_equal(ours, theirs, equal_nan=True), name


@pytest.fixture(scope="module")
def m3():
    return pd.read_csv(M3)


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_m3_monthly_as_the_command_line(tmp_path, m3, kind):
    rows = cli(tmp_path, "--input", str(M3), "--season-length", "12", "--horizon", "18")
    df = {"pandas": m3, "polars": pl.from_pandas(m3), "pyarrow": pa.Table.from_pandas(m3)}[kind]
    fc = salesplan.forecast(df, h=18, season_length=12)
    assert type(fc).__module__.split(".")[0] == type(df).__module__.split(".")[0]
    table = fc if kind == "pyarrow" else pa.Table.from_pandas(fc) if kind == "pandas" else fc.to_arrow()
    assert table.column_names == ["unique_id", "ds", "model", "mean", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert table.column("unique_id").to_pylist() == [r["unique_id"] for r in rows]
    assert [str(v) for v in table.column("ds").to_pylist()] == [r["ds"] for r in rows]
    assert set(table.column("model").to_pylist()) == {"AutoETS"}
    same_numbers(rows, table, ["mean", "lo-80", "hi-80", "lo-95", "hi-95"])


def test_dates_come_back_as_dates_and_wide_is_statsforecasts(tmp_path):
    df = pd.read_csv(AIR, parse_dates=["ds"])
    fc = salesplan.forecast(df, h=12, model="DynamicOptimizedTheta", level=[95, 80], wide=True)
    assert fc.columns.tolist() == [
        "unique_id",
        "ds",
        "DynamicOptimizedTheta",
        "DynamicOptimizedTheta-lo-80",
        "DynamicOptimizedTheta-lo-95",
        "DynamicOptimizedTheta-hi-80",
        "DynamicOptimizedTheta-hi-95",
    ]
    assert str(fc["ds"].dtype).startswith("datetime64")
    assert fc["ds"].iloc[0] == pd.Timestamp("1961-01-01")
    rows = cli(tmp_path, "--input", str(AIR), "--horizon", "12", "--model", "dotm", "--level", "95,80", "--wide")
    assert list(rows[0].keys()) == fc.columns.tolist()
    same_numbers(rows, pa.Table.from_pandas(fc), fc.columns[2:].tolist())


def test_the_report_and_a_series_that_fails(tmp_path):
    df = pd.DataFrame(
        {"unique_id": ["a"] * 12 + ["b"] * 2, "ds": list(range(1, 13)) + [1, 2], "y": [float(10 + t % 3) for t in range(12)] + [1.0, 2.0]}
    )
    fc, report = salesplan.forecast(df, h=2, model="theta", report=True)
    assert fc["unique_id"].unique().tolist() == ["a"]
    assert fc["ds"].tolist() == [13, 14]
    assert report["status"].tolist() == ["ok", "failed"]
    assert "too short" in report["reason"].iloc[1]


def test_threads_do_not_change_the_numbers(m3):
    part = m3[m3["unique_id"].isin(m3["unique_id"].unique()[:60])]
    one = salesplan.forecast(part, h=6, model="auto", season_length=12, n_jobs=1)
    two = salesplan.forecast(part, h=6, model="auto", season_length=12, n_jobs=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.assign(y=d["y"].where(d.index != 4)), "<DataFrame>:5: column 'y': missing value"),
        (lambda d: pd.concat([d, d.iloc[[3]]]), "duplicate (unique_id, ds) = ('门店-一', '4'): also on line 4"),
        (lambda d: d.drop(index=5), "gap: period 5 is followed by 7"),
        (lambda d: d.assign(y=[float("inf")] + d["y"].tolist()[1:]), "<DataFrame>:1: column 'y': missing or not a finite number (value 'inf')"),
        (lambda d: d.rename(columns={"y": "sales"}), "no value column 'y'"),
        (lambda d: d.assign(y=["x"] * len(d)), "values must be numbers"),
    ],
)
def test_bad_input_raises_naming_the_row(change, message):
    good = pd.DataFrame({"unique_id": ["门店-一"] * 10, "ds": range(1, 11), "y": [float(t) for t in range(10)]})
    with pytest.raises(salesplan.SalesplanError) as caught:
        salesplan.forecast(change(good), h=2, model="naive")
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_bad_arguments_raise():
    df = pd.DataFrame({"unique_id": ["a"] * 5, "ds": range(1, 6), "y": [1.0, 2, 3, 4, 5]})
    for kwargs, message in [
        ({"model": "prophet"}, "prophet"),
        ({"h": 0}, "horizon"),
        ({"level": [120]}, "level"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"freq": "fortnightly"}, "fortnightly"),
    ]:
        args = {"h": 2, **kwargs}
        with pytest.raises(salesplan.SalesplanError, match=message):
            salesplan.forecast(df, **args)
    with pytest.raises(TypeError):
        salesplan.forecast([1, 2, 3], h=2)


def test_cross_validation_as_backtest_forecasts(tmp_path):
    df = pd.read_csv(AIR, parse_dates=["ds"])
    out = tmp_path / "cv.csv"
    subprocess.run(
        [str(BINARY), "backtest", "-q", "--input", str(AIR), "--horizon", "3", "--windows", "4", "--step", "2",
         "--models", "auto-ets,snaive", "--output", str(tmp_path / "m.csv"), "--forecasts", str(out), "--wide"],
        check=True,
    )
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    cv = salesplan.cross_validation(df, h=3, n_windows=4, step_size=2, models=["auto-ets", "SeasonalNaive"], wide=True)
    # the CLI adds Naive2, the reference of OWA; the models asked for match
    names = [c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y")]
    assert names[0] == "AutoETS" and names[5] == "SeasonalNaive" and len(names) == 10
    assert cv["cutoff"].dt.strftime("%Y-%m-%d").tolist() == [r["cutoff"] for r in rows]
    same_numbers(rows, pa.Table.from_pandas(cv), ["y"] + names)
    long = salesplan.cross_validation(df, h=3, n_windows=4, step_size=2, models=["auto-ets", "snaive"])
    assert long.columns.tolist() == ["unique_id", "ds", "cutoff", "y", "model", "mean", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert len(long) == 2 * len(cv)
    assert long["model"].unique().tolist() == ["AutoETS", "SNaive"]


def test_progress_is_reported_and_can_be_turned_off(m3, capsys):
    part = m3[m3["unique_id"].isin(m3["unique_id"].unique()[:250])]
    calls = []
    quiet = salesplan.forecast(part, h=6, season_length=12, progress=False)
    seen = salesplan.forecast(part, h=6, season_length=12, progress=lambda done, total: calls.append((done, total)))
    pd.testing.assert_frame_equal(quiet, seen, check_exact=True)
    assert calls[-1] == (250, 250)
    assert len(calls) == 125 and all(t == 250 for _, t in calls)  # every 2 series (1% of 250)
    salesplan.forecast(part, h=6, season_length=12, progress=True)
    assert capsys.readouterr().err != ""


def test_events_as_the_command_line(tmp_path):
    """forecast(..., events=, own_events=, shopping_runup=) gives the CLI's
    --events/--events-file/--shopping-runup forecasts to the bit."""
    demo = ROOT / "datasets" / "demo" / "sales_monthly.csv"
    own = "event,start,end,unique_id\n促销,2024-03-01,2024-03-10,E0001\n促销,2025-03-01,2025-03-10,E0001\n促销,2026-03-01,2026-03-10,E0001\n"
    (tmp_path / "events.csv").write_text(own)
    out = tmp_path / "f.csv"
    subprocess.run([str(BINARY), "forecast", "-q", "--input", str(demo), "--horizon", "12", "--events", "china,shopping", "--shopping-runup", "618=10", "--events-file", str(tmp_path / "events.csv"), "--output", str(out)], check=True)
    cli = pd.read_csv(out)
    sales = pd.read_csv(demo)
    got = salesplan.forecast(sales, h=12, events=["china", "shopping"], shopping_runup={"618": 10}, own_events=pd.read_csv(tmp_path / "events.csv"))
    assert got["unique_id"].tolist() == cli["unique_id"].tolist()
    for column in ["mean", "lo-80", "hi-80", "lo-95", "hi-95"]:
        assert np.array_equal(got[column].to_numpy(), cli[column].to_numpy()), column
    # the events change the forecasts
    plain = salesplan.forecast(sales, h=12)
    assert not np.array_equal(plain["mean"].to_numpy(), got["mean"].to_numpy())
    with pytest.raises(salesplan.SalesplanError, match="unknown event set"):
        salesplan.forecast(sales, h=12, events="easter")
    with pytest.raises(salesplan.SalesplanError, match="needs the shopping set"):
        salesplan.forecast(sales, h=12, events="china", shopping_runup="618=3")
    with pytest.raises(salesplan.SalesplanError, match="<events>:2"):
        salesplan.forecast(sales, h=12, own_events=pd.DataFrame({"event": ["x"], "start": ["2025-03-01"], "end": ["2025-03-10"], "unique_id": ["nobody"]}))
