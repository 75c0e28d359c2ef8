"""salesplan.plot from Python: the SVG `salesplan plot` draws, to the byte
for the same files, and from tables of every kind."""

import os
import subprocess
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import salesplan

ROOT = Path(__file__).resolve().parents[2]
M3 = ROOT / "datasets" / "m3_monthly.csv"
BINARY = Path(os.environ.get("SALESPLAN_BIN", ROOT / "target" / "release" / "salesplan"))


@pytest.fixture(scope="module")
def m3_forecasts(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plot")
    f = tmp / "f.csv"
    subprocess.run([str(BINARY), "forecast", "-q", "--input", str(M3), "--horizon", "18", "--season-length", "12", "--output", str(f)], check=True)
    return tmp, f


def test_the_command_lines_svg_for_the_same_files(m3_forecasts):
    tmp, f = m3_forecasts
    out = tmp / "fan.svg"
    subprocess.run([str(BINARY), "plot", "-q", "--forecasts", str(f), "--history", str(M3), "--series", "N1405,N1402", "--history-periods", "36", "--per-row", "2", "--output", str(out)], check=True)
    svg = salesplan.plot(f, history=M3, series=["N1405", "N1402"], history_periods=36, per_row=2)
    assert svg == out.read_text()


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_tables_of_every_kind(m3_forecasts, kind):
    _, f = m3_forecasts
    convert = {"pandas": lambda d: d, "polars": pl.from_pandas, "pyarrow": lambda d: pa.Table.from_pandas(d, preserve_index=False)}[kind]
    forecasts, history = convert(pd.read_csv(f)), convert(pd.read_csv(M3))
    svg = salesplan.plot(forecasts, history=history, first=4)
    assert svg.count("<polygon") == 4 * 2
    assert svg.count('stroke="#1F5FA8" stroke-width="2"') == 4
    assert "N1402 · AutoETS · 80%, 95%" in svg
    with pytest.raises(salesplan.SalesplanError, match="'nobody': not among the 1428 series forecast"):
        salesplan.plot(forecasts, series=["nobody"])
