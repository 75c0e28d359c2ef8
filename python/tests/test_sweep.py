"""salesplan.sweep from Python: the long table and summary `salesplan
sweep` writes, cell for cell, with the org, history, scenarios and
constraints as paths or tables (scenarios as a dict or list); bad input
raising."""

import csv
import os
import subprocess
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import salesplan

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo"
ORG, SALES = DEMO / "org.csv", DEMO / "sales_monthly.csv"
BINARY = Path(os.environ.get("SALESPLAN_BIN", ROOT / "target" / "release" / "salesplan"))
SCENARIOS = """[defaults]
basis = "forecast:0.6,history:0.4"
round = 100

[[scenario]]
name = "base"
growth = 0.15
growth_max = 0.4

[[scenario]]
name = "too-much"
growth = 0.5
rep_max = 1000

[[grid]]
name = "what-if"
growth = [0.08, 0.18]
calendar = ["monthly", "445"]
"""
SPEC = {
    "defaults": {"basis": "forecast:0.6,history:0.4", "round": 100},
    "scenario": [{"name": "base", "growth": 0.15, "growth_max": 0.4}, {"name": "too-much", "growth": 0.5, "rep_max": 1000}],
    "grid": [{"name": "what-if", "growth": [0.08, 0.18], "calendar": ["monthly", "445"]}],
}
LONG_TEXT = ["scenario", "node_id", "measure"]
SUMMARY_TEXT = ["scenario", "status", "reason", "basis", "method", "ramp", "calendar"]


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def kind_of(df, kind):
    return {"pandas": df, "polars": pl.from_pandas(df), "pyarrow": pa.Table.from_pandas(df, preserve_index=False)}[kind]


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sweep")
    (tmp / "s.toml").write_text(SCENARIOS)
    out, summary = tmp / "sweep.csv", tmp / "summary.csv"
    done = subprocess.run([str(BINARY), "sweep", "-q", "--org", str(ORG), "--history", str(SALES), "--scenarios", str(tmp / "s.toml"), "--year", "2026", "--paths", "300", "--periods", "--output", str(out), "--summary", str(summary)])
    assert done.returncode == 1  # a scenario infeasible
    return tmp / "s.toml", rows_of(out), rows_of(summary)


def numbers(rows, text):
    return [c for c in rows[0] if c not in text]


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_sweep_as_the_command_line(cli, kind, same_cells):
    _, long_rows, summary_rows = cli
    org = kind_of(pd.read_csv(ORG, keep_default_na=False, dtype=str), kind)
    sales = kind_of(pd.read_csv(SALES), kind)
    long, summary = salesplan.sweep(org, sales, SPEC, year=2026, paths=300, periods=True)
    assert type(summary).__module__.split(".")[0] == type(sales).__module__.split(".")[0]
    same_cells(long_rows, long, numbers(long_rows, LONG_TEXT))
    same_cells(summary_rows, summary, numbers(summary_rows, SUMMARY_TEXT))
    assert [r["status"] for r in summary_rows] == ["planned", "infeasible", "planned", "planned", "planned", "planned"]


def test_paths_and_the_summary_alone(cli, same_cells):
    toml, _, summary_rows = cli
    summary = salesplan.sweep(ORG, SALES, toml, year=2026, paths=300, periods=True, table=False)
    assert isinstance(summary, pa.Table)
    same_cells(summary_rows, summary, numbers(summary_rows, SUMMARY_TEXT))


def test_bad_input_raises_with_the_command_lines_message():
    sales = pd.read_csv(SALES)
    with pytest.raises(salesplan.SalesplanError, match="scenarios: 1 of 1 scenarios do not fit this org and data; scenario 'p': field 'basis'"):
        salesplan.sweep(ORG, sales, [{"name": "p", "growth": 0.1, "basis": "potential"}], year=2026, paths=50)
    with pytest.raises(salesplan.SalesplanError, match="expected auto-ets or ets:<form>"):
        salesplan.sweep(ORG, sales, [{"name": "p", "growth": 0.1}], year=2026, model="theta")
    with pytest.raises(salesplan.SalesplanError, match="'lots': one of target, probability, expected_attainment"):
        salesplan.sweep(ORG, sales, [{"name": "p", "growth": 0.1}], year=2026, measures=["lots"])


def test_calibrate_as_the_command_line(tmp_path, same_cells):
    out = tmp_path / "rel.csv"
    args = ["--years", "2024,2025", "--growth", "-0.1,0,0.1", "--paths", "200"]
    done = subprocess.run([str(BINARY), "calibrate", "-q", "--org", str(ORG), "--history", str(SALES), *args, "--output", str(out)])
    assert done.returncode == 0
    rows = rows_of(out)
    sales = pd.read_csv(SALES)
    table = salesplan.calibrate(ORG, sales, years=[2024, 2025], growth=[-0.1, 0, 0.1], paths=200)
    assert isinstance(table, pd.DataFrame)
    same_cells(rows, table, list(rows[0]))
    # every level of the demo's tree, ten bins each
    assert sorted(set(table["depth"])) == [0, 1, 2, 3] and len(table) == 40
    # a basis the data lacks: every target infeasible, and the reason said
    with pytest.raises(salesplan.SalesplanError, match="no basis column 'sometimes'"):
        salesplan.calibrate(ORG, sales, years=[2025], bases=["sometimes"])
