"""Helpers shared by the tests."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest


def _as_arrow(table):
    """A pandas, polars or pyarrow table as a pyarrow Table."""
    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pd.DataFrame):
        return pa.Table.from_pandas(table, preserve_index=False)
    return table.to_arrow()


def _same_cells(rows, table, numbers):
    """The table (any kind) has the columns and cells of a CLI file's rows
    (from csv.DictReader): the `numbers` columns to the bit (an empty cell:
    NaN or null), the others as text (an empty cell: "" or None)."""
    table = _as_arrow(table)
    assert table.column_names == list(rows[0].keys())
    assert table.num_rows == len(rows)
    for name in table.column_names:
        values = table.column(name).to_pylist()
        if name in numbers:
            ours = np.array([np.nan if v is None else v for v in values], dtype=float)
            theirs = np.array([float(r[name]) if r[name] else np.nan for r in rows])
            assert np.array_equal(ours, theirs, equal_nan=True), name
        else:
            assert [v or "" for v in values] == [r[name] for r in rows], name


@pytest.fixture(scope="session")
def same_cells():
    return _same_cells
