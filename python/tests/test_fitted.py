"""salesplan.fit: fitted models that forecast again, pickle, and share their
file with `salesplan forecast --save-models / --load-models`."""

import csv
import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import salesplan

ROOT = Path(__file__).resolve().parents[2]
M3 = ROOT / "datasets" / "m3_monthly.csv"
BINARY = Path(os.environ.get("SALESPLAN_BIN", ROOT / "target" / "release" / "salesplan"))


@pytest.fixture(scope="module")
def part():
    df = pd.read_csv(M3)
    return df[df["unique_id"].isin(df["unique_id"].unique()[:80])]


@pytest.mark.parametrize("model", ["auto-ets", "auto", "auto-arima", "theta", "mstl"])
def test_fitted_models_forecast_the_fitting_calls_numbers(part, model):
    fc, fitted = salesplan.fit(part, h=12, model=model, season_length=12)
    assert len(fitted) == 80 and fitted.model == model
    pd.testing.assert_frame_equal(fitted.predict(12), fc, check_exact=True)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(fitted)).predict(12), fc, check_exact=True)
    longer = fitted.predict(24, level=[80, 95])
    first = longer.groupby("unique_id").head(12).reset_index(drop=True)
    pd.testing.assert_frame_equal(first, fc, check_exact=True)


def test_models_saved_in_python_load_in_the_cli_and_back(tmp_path, part):
    fc, fitted = salesplan.fit(part, h=6, model="auto-ets", season_length=12)
    fitted.save(tmp_path / "models.json")
    out = tmp_path / "cli.csv"
    subprocess.run(
        [str(BINARY), "forecast", "-q", "--load-models", str(tmp_path / "models.json"), "--horizon", "6", "--output", str(out)],
        check=True,
    )
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["unique_id"] for r in rows] == fc["unique_id"].tolist()
    for name in ["mean", "lo-80", "hi-80", "lo-95", "hi-95"]:
        assert np.array_equal(np.array([float(r[name]) for r in rows]), fc[name].to_numpy()), name
    # the CLI's file, read back in Python, shaped like the input table
    cli_models = tmp_path / "cli_models.json"
    subprocess.run(
        [str(BINARY), "forecast", "-q", "--input", str(M3), "--horizon", "6", "--season-length", "12", "--output", str(tmp_path / "x.csv"), "--save-models", str(cli_models)],
        check=True,
    )
    loaded = salesplan.Fitted.load(cli_models, like=part)
    assert len(loaded) == 1428
    again = loaded.predict(6)
    mine = again[again["unique_id"].isin(fc["unique_id"].unique())].reset_index(drop=True)
    assert mine["ds"].dtype == fc["ds"].dtype
    assert np.array_equal(mine["mean"].to_numpy(), pd.read_csv(tmp_path / "x.csv").set_index(["unique_id", "ds"]).loc[list(zip(mine["unique_id"], mine["ds"])), "mean"].to_numpy())
    assert isinstance(salesplan.Fitted.load(cli_models).predict(2), pa.Table)


def test_what_cannot_be_kept_or_loaded_raises(tmp_path, part):
    with pytest.raises(salesplan.SalesplanError, match="conformal"):
        salesplan.fit(part, h=6, intervals="conformal", season_length=12)
    _, fitted = salesplan.fit(part, h=6, model="naive", intervals="calibrated", season_length=12)
    with pytest.raises(salesplan.SalesplanError, match="calibrated at"):
        fitted.predict(6, level=[90])
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(salesplan.SalesplanError, match="not salesplan models"):
        salesplan.Fitted.load(tmp_path / "bad.json")
