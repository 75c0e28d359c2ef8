"""salesplan.spark.forecast on Spark in local mode (local[2]): the same
numbers as a local call, for every series."""

import os
import sys
from pathlib import Path

import pandas as pd
import pytest
from pyspark.sql import SparkSession

import salesplan
import salesplan.spark

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spark():
    # the workers run this interpreter, where the wheel is installed
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("salesplan-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    yield session
    session.stop()


def ordered(df):
    return df.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def test_m3_monthly_on_spark_as_locally(spark):
    pdf = pd.read_csv(ROOT / "datasets" / "m3_monthly.csv")
    local = salesplan.forecast(pdf, h=18, season_length=12)
    on_spark = salesplan.spark.forecast(spark.createDataFrame(pdf), h=18, season_length=12)
    got = ordered(on_spark.toPandas())
    assert got.columns.tolist() == local.columns.tolist()
    assert got["unique_id"].nunique() == 1428
    pd.testing.assert_frame_equal(got, ordered(local), check_exact=True)


def test_dates_and_the_wide_layout_on_spark(spark):
    pdf = pd.read_csv(ROOT / "datasets" / "classic" / "AirPassengers.csv", parse_dates=["ds"])
    pdf["ds"] = pdf["ds"].dt.date  # a Spark DateType column
    sdf = spark.createDataFrame(pdf)
    out = salesplan.spark.forecast(sdf, h=6, model="snaive", level=[95, 80], wide=True)
    assert [f.name for f in out.schema.fields] == [
        "unique_id",
        "ds",
        "SeasonalNaive",
        "SeasonalNaive-lo-80",
        "SeasonalNaive-lo-95",
        "SeasonalNaive-hi-80",
        "SeasonalNaive-hi-95",
    ]
    assert out.schema["ds"].dataType.typeName() == "date"
    got = out.toPandas()
    local = salesplan.forecast(pdf, h=6, model="snaive", level=[95, 80], wide=True)
    pd.testing.assert_frame_equal(got, local, check_exact=True)


def test_bad_input_on_spark_names_the_column(spark):
    sdf = spark.createDataFrame(pd.DataFrame({"id": ["a"], "ds": [1], "y": [1.0]}))
    with pytest.raises(salesplan.SalesplanError, match="no column 'unique_id'"):
        salesplan.spark.forecast(sdf, h=2)


@pytest.mark.parametrize("wide", [False, True])
def test_cross_validation_on_spark_as_locally(spark, wide):
    pdf = pd.read_csv(ROOT / "datasets" / "m3_monthly.csv")
    pdf = pdf[pdf["unique_id"].isin(pdf["unique_id"].unique()[:200])]
    options = dict(h=6, n_windows=3, step_size=2, models=["auto-ets", "theta", "naive"], level=[90], season_length=12, wide=wide)
    local = salesplan.cross_validation(pdf, **options)
    on_spark = salesplan.spark.cross_validation(spark.createDataFrame(pdf), **options)
    keys = ["unique_id", "cutoff", "ds"] + ([] if wide else ["model"])
    got = on_spark.toPandas().sort_values(keys, kind="stable").reset_index(drop=True)
    assert got.columns.tolist() == local.columns.tolist()
    assert got["unique_id"].nunique() == 200
    pd.testing.assert_frame_equal(got, local.sort_values(keys, kind="stable").reset_index(drop=True), check_exact=True)


def test_cross_validation_on_spark_keeps_dates(spark):
    pdf = pd.read_csv(ROOT / "datasets" / "classic" / "AirPassengers.csv", parse_dates=["ds"])
    pdf["ds"] = pdf["ds"].dt.date
    out = salesplan.spark.cross_validation(spark.createDataFrame(pdf), h=3, n_windows=2, models=["snaive"], level=[])
    assert [f.name for f in out.schema.fields] == ["unique_id", "ds", "cutoff", "y", "model", "mean"]
    assert out.schema["cutoff"].dataType.typeName() == "date"
    local = salesplan.cross_validation(pdf, h=3, n_windows=2, models=["snaive"], level=[])
    pd.testing.assert_frame_equal(out.toPandas().sort_values(["cutoff", "ds"]).reset_index(drop=True), local, check_exact=True)
