"""salesplan.reconcile from Python: the forecasts `salesplan reconcile`
writes, to the bit, for every method and every kind of table."""

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
DEMO = ROOT / "datasets" / "demo"
BINARY = Path(os.environ.get("SALESPLAN_BIN", ROOT / "target" / "release" / "salesplan"))
METHODS = ["bottom-up", "top-down-fp", "top-down-ahp", "top-down-pha", "middle-out:2", "middle-out:1:ahp", "mint-ols", "mint-wls-struct", "mint-wls-var", "mint-shrink"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The demo org's R1 region (a tree of its own), every node's monthly
    history (leaves' sums), base forecasts and residuals, as files too."""
    org = pd.read_csv(DEMO / "org.csv", keep_default_na=False, dtype=str)
    parent = dict(zip(org["node_id"], org["parent_id"]))

    def in_r1(node):
        while node and node != "R1":
            node = parent[node]
        return node == "R1"

    tree = org[org["node_id"].map(in_r1)].assign(parent_id=lambda d: d["parent_id"].where(d["node_id"] != "R1", ""))
    sales = pd.read_csv(DEMO / "sales_monthly.csv")
    sales = sales[sales["unique_id"].isin(tree["node_id"])]
    rows = []
    for uid, g in sales.groupby("unique_id"):
        node = uid
        while node:
            rows.append(g.assign(unique_id=node))
            node = parent[node] if node != "R1" else ""
    grid = pd.MultiIndex.from_product([tree["node_id"], sorted(sales["ds"].unique())], names=["unique_id", "ds"])
    history = pd.concat(rows).groupby(["unique_id", "ds"])["y"].sum().reindex(grid, fill_value=0.0).reset_index()
    base = salesplan.forecast(history, h=6, model="snaive", level=[])
    residuals = history.assign(y=history.groupby("unique_id")["y"].diff(12).fillna(0.0) * 0.1 + np.sin(np.arange(len(history))))
    folder = tmp_path_factory.mktemp("reconcile")
    files = {}
    for name, table in [("tree", tree), ("history", history), ("base", base), ("residuals", residuals)]:
        files[name] = folder / f"{name}.csv"
        table.to_csv(files[name], index=False)
    return dict(tree=tree, history=history, base=base, residuals=residuals, files=files)


def cli_reconcile(inputs, method, *extra):
    f = inputs["files"]
    out = f["base"].parent / "out.csv"
    subprocess.run(
        [str(BINARY), "reconcile", "-q", "--hierarchy", str(f["tree"]), "--forecasts", str(f["base"]), "--method", method,
         "--history", str(f["history"]), "--residuals", str(f["residuals"]), *extra, "--output", str(out)],
        check=True,
    )
    with open(out, newline="") as file:
        return list(csv.DictReader(file))


@pytest.mark.parametrize("method", METHODS)
def test_every_method_as_the_command_line(inputs, method, same_cells):
    rows = cli_reconcile(inputs, method, "--nonnegative")
    out = salesplan.reconcile(inputs["base"], inputs["files"]["tree"], method, history=inputs["history"], residuals=inputs["residuals"], nonnegative=True)
    same_cells(rows, out.astype({"ds": str}), ["mean"])


@pytest.mark.parametrize("kind", ["polars", "pyarrow"])
def test_tables_of_every_kind(inputs, kind, same_cells):
    rows = cli_reconcile(inputs, "mint-wls-var")
    convert = (lambda d: pl.from_pandas(d)) if kind == "polars" else (lambda d: pa.Table.from_pandas(d, preserve_index=False))
    base = convert(inputs["base"].assign(ds=pd.to_datetime(inputs["base"]["ds"])))
    out = salesplan.reconcile(base, convert(inputs["tree"].replace("", None)), "mint-wls-var", residuals=convert(inputs["residuals"]))
    assert type(out).__module__.split(".")[0] == type(base).__module__.split(".")[0]
    table = out if kind == "pyarrow" else out.to_arrow()
    assert pa.types.is_timestamp(table.schema.field("ds").type)
    same_cells(rows, table.set_column(1, "ds", pa.compute.strftime(table.column("ds"), "%Y-%m-%d")), ["mean"])


def test_bad_input_raises(inputs):
    base, tree = inputs["base"], inputs["files"]["tree"]
    for args, kwargs, message in [
        ((base, tree, "mint-magic"), {}, "unknown 'mint-magic'"),
        ((base, tree, "top-down-ahp"), {}, "method 'top-down-ahp' needs history="),
        ((base, tree, "middle-out:x"), {}, "middle-out depth"),
        ((base[base["unique_id"] != "T01"], tree, "bottom-up"), {}, "no forecasts for 1 node(s) of the hierarchy: T01"),
        ((base, tree, "mint-shrink"), {"residuals": inputs["residuals"].assign(y=inputs["residuals"]["y"].where(inputs["residuals"].index != 3))}, "<DataFrame>:4: column 'y': missing value"),
        ((base.assign(unique_id=base["unique_id"].replace("T01", "T99")), tree, "bottom-up"), {}, "T01"),
    ]:
        with pytest.raises(salesplan.SalesplanError) as caught:
            salesplan.reconcile(*args, **kwargs)
        assert message in str(caught.value)
