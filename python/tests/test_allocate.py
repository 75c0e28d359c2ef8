"""salesplan.allocate from Python: the plan and summary `salesplan
allocate` writes, cell for cell, with the org tree, history and
constraints as paths or tables of every kind."""

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
CONSTRAINTS = "node_id,min,max,growth_min,growth_max,lock,over_assignment,potential\nR1,,,0.05,0.1,,,\nT02,,,,,3000000.5,,\nE0005,100000,,,,,,\nR7,,,,,,0.02,\n"


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def cli_allocate(tmp_path, *args):
    """Runs the binary's allocate; returns the plan's and summary's rows."""
    plan, summary = tmp_path / "plan.csv", tmp_path / "summary.csv"
    subprocess.run([str(BINARY), "allocate", "-q", *args, "--output", str(plan), "--summary", str(summary)], check=True)
    return rows_of(plan), rows_of(summary)


def kind_of(df, kind):
    return {"pandas": df, "polars": pl.from_pandas(df), "pyarrow": pa.Table.from_pandas(df, preserve_index=False)}[kind]


SUMMARY_NUMBERS = ["target", "basis_share", "last_year", "growth_vs_last_year"]


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_monthly_plan_as_the_command_line(tmp_path, kind, same_cells):
    plan_rows, summary_rows = cli_allocate(tmp_path, "--org", str(ORG), "--history", str(SALES), "--year", "2026", "--growth", "0.12", "--calendar", "monthly", "--round", "100")
    org = kind_of(pd.read_csv(ORG, keep_default_na=False, dtype=str), kind)
    sales = kind_of(pd.read_csv(SALES), kind)
    plan, summary = salesplan.allocate(org, sales, year=2026, growth=0.12, calendar="monthly", round=100, summary=True)
    assert type(plan).__module__.split(".")[0] == type(sales).__module__.split(".")[0]
    same_cells(plan_rows, plan, ["target"])
    same_cells(summary_rows, summary, SUMMARY_NUMBERS)


def test_constraints_blends_and_retail_periods_as_the_command_line(tmp_path, same_cells):
    (tmp_path / "constraints.csv").write_text(CONSTRAINTS)
    args = ["--year", "2026", "--target", "600000000", "--basis", "forecast:0.6,history:0.4", "--calendar", "445", "--round", "0.01", "--ramp", "0.3,0.6"]
    plan_rows, summary_rows = cli_allocate(tmp_path, "--org", str(ORG), "--history", str(SALES), "--constraints", str(tmp_path / "constraints.csv"), *args)
    options = dict(year=2026, target=600000000, basis="forecast:0.6,history:0.4", calendar="445", round=0.01, ramp=[0.3, 0.6], summary=True)
    # every input a path: pyarrow tables back
    plan, summary = salesplan.allocate(ORG, SALES, constraints=tmp_path / "constraints.csv", **options)
    assert isinstance(plan, pa.Table)
    same_cells(plan_rows, plan, ["target"])
    same_cells(summary_rows, summary, SUMMARY_NUMBERS)
    assert "growth_max" in summary.column("binding").to_pylist()
    # the org tree and constraints as tables, dates parsed
    org = pd.read_csv(ORG, parse_dates=["start_date", "end_date"])
    constraints = pd.read_csv(tmp_path / "constraints.csv")
    plan, summary = salesplan.allocate(org, pd.read_csv(SALES, parse_dates=["ds"]), constraints=constraints, **options)
    same_cells(plan_rows, plan, ["target"])
    same_cells(summary_rows, summary, SUMMARY_NUMBERS)


def test_least_squares_on_a_trailing_basis_as_the_command_line(tmp_path, same_cells):
    plan_rows, summary_rows = cli_allocate(tmp_path, "--org", str(ORG), "--history", str(SALES), "--year", "2026", "--growth", "0.05", "--method", "least-squares", "--basis", "trailing", "--trailing-months", "6")
    plan, summary = salesplan.allocate(ORG, pd.read_csv(SALES), year=2026, growth=0.05, method="least-squares", basis="trailing", trailing_months=6, summary=True, n_jobs=1)
    same_cells(plan_rows, plan, ["target"])
    same_cells(summary_rows, summary, SUMMARY_NUMBERS)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "give target or growth"),
        ({"target": 1, "growth": 0.1}, "not both"),
        ({"growth": 0.1, "basis": "hunch"}, "hunch"),
        ({"growth": 0.1, "method": "magic"}, "magic"),
        ({"growth": 0.1, "ramp": [0.5, 2]}, "ramp"),
        ({"growth": 0.1, "ramp": "a,b"}, "ramp"),
        ({"growth": 0.1, "calendar": "lunar"}, "lunar"),
        ({"growth": 0.1, "year": 0}, "year"),
        ({"growth": 0.1, "constraints": pd.DataFrame({"node_id": ["E0001", "NOPE"], "min": [1.0, 2.0]})}, "<constraints>:3: column 'node_id': not a node of the org tree (value 'NOPE')"),
    ],
)
def test_bad_arguments_and_tables_raise(kwargs, message):
    sales = pd.read_csv(SALES)
    with pytest.raises(salesplan.SalesplanError) as caught:
        salesplan.allocate(ORG, sales, **{"year": 2026, **kwargs})
    assert message in str(caught.value)


def test_a_bad_org_tree_names_its_line():
    org = pd.read_csv(ORG, keep_default_na=False, dtype=str)
    org.loc[5, "parent_id"] = "NOBODY"
    with pytest.raises(salesplan.SalesplanError, match="<org>:7"):
        salesplan.allocate(org, SALES, year=2026, growth=0.1)
