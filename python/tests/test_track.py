"""salesplan.track from Python: the status `salesplan track` writes, cell
for cell, with the plan, actuals, history and org as paths or tables of
every kind, re-allocation included; bad input raising."""

import csv
import datetime
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
ORG, SALES, ACTUALS_2026 = DEMO / "org.csv", DEMO / "sales_monthly.csv", DEMO / "actuals_2026h1.csv"
BINARY = Path(os.environ.get("SALESPLAN_BIN", ROOT / "target" / "release" / "salesplan"))


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def cli(tmp_path, *args):
    out = tmp_path / "out.csv"
    subprocess.run([str(BINARY), *args, "-q", "--output", str(out)], check=True)
    return rows_of(out)


def kind_of(df, kind):
    return {"pandas": df, "polars": pl.from_pandas(df), "pyarrow": pa.Table.from_pandas(df, preserve_index=False)}[kind]


def numbers(rows):
    return [c for c in rows[0] if c not in ("node_id", "name")]


@pytest.fixture(scope="module")
def plan_2025(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "plan2025.csv"
    subprocess.run([str(BINARY), "allocate", "-q", "--org", str(ORG), "--history", str(SALES), "--growth", "0.1", "--year", "2025", "--round", "100", "--output", str(path)], check=True)
    return path


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_mid_year_status_with_reallocation_as_the_command_line(tmp_path, plan_2025, kind, same_cells):
    rows = cli(tmp_path, "track", "--plan", str(plan_2025), "--actuals", str(SALES), "--as-of", "2025-06-30", "--org", str(ORG), "--reallocate", "--round", "10", "--paths", "300")
    plan = kind_of(pd.read_csv(plan_2025, dtype={"period": str}), kind)
    org = kind_of(pd.read_csv(ORG, keep_default_na=False, dtype=str), kind)
    sales = kind_of(pd.read_csv(SALES), kind)
    status = salesplan.track(plan, sales, datetime.date(2025, 6, 30), org=org, reallocate=True, round=10, paths=300)
    assert type(status).__module__.split(".")[0] == type(sales).__module__.split(".")[0]
    same_cells(rows, status, numbers(rows))


def test_paths_history_and_a_flat_tree_as_the_command_line(tmp_path, same_cells):
    # the 2026 plan of the bundled actuals, tracked with the years before as history
    plan = tmp_path / "plan2026.csv"
    subprocess.run([str(BINARY), "allocate", "-q", "--org", str(ORG), "--history", str(SALES), "--growth", "0.15", "--year", "2026", "--calendar", "monthly", "--output", str(plan)], check=True)
    rows = cli(tmp_path, "track", "--plan", str(plan), "--actuals", str(ACTUALS_2026), "--history", str(SALES), "--as-of", "2026-06-30", "--org", str(ORG), "--paths", "200", "--level", "90")
    status = salesplan.track(plan, ACTUALS_2026, "2026-06-30", history=SALES, org=ORG, paths=200, level=90)
    assert isinstance(status, pa.Table)
    same_cells(rows, status, numbers(rows))
    # no org: the leaves are the actuals' series
    leaves = pd.read_csv(plan)
    leaves = leaves[leaves["node_id"].str.startswith("E")]
    leaves.to_csv(tmp_path / "leaves.csv", index=False)
    rows = cli(tmp_path, "track", "--plan", str(tmp_path / "leaves.csv"), "--actuals", str(ACTUALS_2026), "--history", str(SALES), "--as-of", "2026-03-31", "--paths", "200", "--recalibrate", "none", "--missing", "zero")
    status = salesplan.track(leaves, pd.read_csv(ACTUALS_2026), "2026-03-31", history=pd.read_csv(SALES), paths=200, recalibrate="none", missing="zero")
    same_cells(rows, status, numbers(rows))


def test_bad_input_raises_with_the_command_lines_message(tmp_path, plan_2025):
    plan = pd.read_csv(plan_2025, dtype={"period": str})
    with pytest.raises(salesplan.SalesplanError, match="as_of '2025-13-01': not a YYYY-MM-DD date"):
        salesplan.track(plan, SALES, "2025-13-01", org=ORG)
    with pytest.raises(salesplan.SalesplanError, match=r"<plan>:2: column 'target'.*value 'x'"):
        salesplan.track(plan.astype({"target": str}).assign(target=["x"] + [str(t) for t in plan["target"][1:]]), SALES, "2025-06-30", org=ORG)
    with pytest.raises(salesplan.SalesplanError, match="give reallocate=True"):
        salesplan.track(plan, SALES, "2025-06-30", org=ORG, round=10)
    with pytest.raises(salesplan.SalesplanError, match="recalibrate"):
        salesplan.track(plan, SALES, "2025-06-30", org=ORG, recalibrate="sometimes")
