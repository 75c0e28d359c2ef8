"""salesplan.report from Python: the page `salesplan report` writes, to the
byte for the same files, and the same sections from tables."""

import os
import re
import subprocess
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import salesplan

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo"
BINARY = Path(os.environ.get("SALESPLAN_BIN", ROOT / "target" / "release" / "salesplan"))


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    plan, summary = tmp / "plan.csv", tmp / "plan_summary.csv"
    subprocess.run(
        [str(BINARY), "allocate", "-q", "--org", str(DEMO / "org.csv"), "--history", str(DEMO / "sales_monthly.csv"),
         "--growth", "0.15", "--year", "2026", "--basis", "forecast:0.6,history:0.4", "--calendar", "monthly",
         "--round", "100", "--output", str(plan), "--summary", str(summary)],
        check=True,
    )
    return tmp, plan, summary


def section(html, name):
    match = re.search(f'<section id="{name}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_the_command_lines_page_for_the_same_files(demo_plan):
    tmp, plan, summary = demo_plan
    out = tmp / "report.html"
    subprocess.run(
        [str(BINARY), "report", "-q", "--org", str(DEMO / "org.csv"), "--history", str(DEMO / "sales_monthly.csv"),
         "--plan", str(plan), "--summary", str(summary), "--currency", "¥", "--level", "2", "--output", str(out)],
        check=True,
    )
    page, table = salesplan.report(DEMO / "org.csv", DEMO / "sales_monthly.csv", plan=plan, summary=summary,
                                   currency="¥", level=2, table=True)
    assert page == out.read_text(encoding="utf-8")
    assert table.num_rows == 40 and table.column_names[:3] == ["node_id", "name", "parent_id"]
    assert sum(table.column("target").to_pylist()) == pd.read_csv(summary).query("node_id == 'HQ'").target.iloc[0]


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_tables_of_every_kind_draw_the_same_sections(demo_plan, kind):
    _, plan, summary = demo_plan
    convert = {"pandas": lambda d: d, "polars": pl.from_pandas, "pyarrow": lambda d: pa.Table.from_pandas(d, preserve_index=False)}[kind]
    from_files = salesplan.report(DEMO / "org.csv", DEMO / "sales_monthly.csv", plan=plan, summary=summary)
    read = lambda p: convert(pd.read_csv(p, keep_default_na=False, dtype=str))
    history = convert(pd.read_csv(DEMO / "sales_monthly.csv"))
    from_tables, table = salesplan.report(read(DEMO / "org.csv"), history, plan=read(plan), summary=read(summary), table=True)
    for name in ["forecast", "plan", "table"]:
        assert section(from_tables, name) == section(from_files, name), name
    assert len(table) == 386


def test_bad_input_raises_with_the_commands_message(demo_plan, tmp_path):
    _, plan, _ = demo_plan
    with pytest.raises(salesplan.SalesplanError, match="level.*9 does not exist"):
        salesplan.report(DEMO / "org.csv", DEMO / "sales_monthly.csv", plan=plan, level=9)
    other = tmp_path / "plan.csv"
    other.write_text(plan.read_text(encoding="utf-8").replace("E0001,", "Z9,", 1), encoding="utf-8")
    with pytest.raises(salesplan.SalesplanError, match=r"plan.csv:\d+: column 'node_id'.*value 'Z9'"):
        salesplan.report(DEMO / "org.csv", DEMO / "sales_monthly.csv", plan=other)
    with pytest.raises(salesplan.SalesplanError, match="table_rows"):
        salesplan.report(DEMO / "org.csv", DEMO / "sales_monthly.csv", table_rows=0)
