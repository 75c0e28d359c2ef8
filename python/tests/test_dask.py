"""The README's Dask recipe: whole series per partition after a shuffle by
unique_id, salesplan.forecast per partition; the numbers are a local call's."""

from pathlib import Path

import pandas as pd
import pytest

import salesplan

dd = pytest.importorskip("dask.dataframe")

ROOT = Path(__file__).resolve().parents[2]


def test_forecast_per_dask_partition_as_locally():
    pdf = pd.read_csv(ROOT / "datasets" / "m3_monthly.csv")
    pdf = pdf[pdf["unique_id"].isin(pdf["unique_id"].unique()[:120])]
    local = salesplan.forecast(pdf, h=6, season_length=12)
    ddf = dd.from_pandas(pdf, npartitions=4).shuffle("unique_id")
    meta = local.iloc[:0]
    fc = ddf.map_partitions(lambda p: salesplan.forecast(p, h=6, season_length=12, n_jobs=1), meta=meta)
    got = fc.compute(scheduler="threads").sort_values(["unique_id", "ds"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, local, check_exact=True, check_dtype=False)
    assert got["unique_id"].nunique() == 120
