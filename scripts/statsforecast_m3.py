#!/usr/bin/env python3
"""statsforecast AutoETS (or AutoARIMA) on one frequency group of an M3-layout data folder.

Usage:
  /opt/anchors-venv/bin/python scripts/statsforecast_m3.py DATA_DIR \
      [--freq monthly] [--model AutoETS|AutoARIMA] [--limit N] [--out FILE]

--limit N keeps the group's first N series in unique_id order (the same subset
`salesplan` gets from `train_<freq>.csv` cut the same way).

DATA_DIR holds train.csv (unique_id,ds,y; integer ds) and meta.csv
(unique_id,frequency,season_length,horizon,...). The group's season length and
horizon come from meta.csv (they must be constant within the group).

Prints the CPU seconds (user+sys of this process, via resource.getrusage) of
the StatsForecast.forecast() call alone, single-threaded (n_jobs=1), and
writes long CSV: unique_id,ds,model,mean,lo-80,hi-80,lo-95,hi-95.

Set-up: python3 -m venv /opt/anchors-venv &&
        /opt/anchors-venv/bin/pip install statsforecast pandas
"""
import argparse
import os
import sys

# single-threaded numerical libraries (before numpy is imported)
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
           "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import resource  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import pandas as pd  # noqa: E402
import statsforecast  # noqa: E402
from statsforecast import StatsForecast  # noqa: E402
from statsforecast.models import AutoARIMA, AutoETS  # noqa: E402

LEVELS = [80, 95]


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir")
    ap.add_argument("--freq", default="monthly",
                    help="frequency group in meta.csv (yearly, quarterly, monthly, other)")
    ap.add_argument("--out", default=None,
                    help="output CSV (default: sf_autoets_FREQ.csv in the current folder)")
    ap.add_argument("--model", default="AutoETS", choices=["AutoETS", "AutoARIMA"])
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    ALIAS = a.model
    out = a.out or f"sf_{a.model.lower()}_{a.freq}.csv"

    meta = pd.read_csv(os.path.join(a.data_dir, "meta.csv"), dtype={"unique_id": str})
    train = pd.read_csv(os.path.join(a.data_dir, "train.csv"), dtype={"unique_id": str})
    gm = meta[meta["frequency"] == a.freq]
    if gm.empty:
        sys.exit(f"no series with frequency {a.freq!r} in {a.data_dir}/meta.csv "
                 f"(have: {sorted(meta['frequency'].unique())})")
    ms, hs = gm["season_length"].unique(), gm["horizon"].unique()
    if len(ms) != 1 or len(hs) != 1:
        sys.exit(f"group {a.freq}: season_length/horizon not constant ({ms}, {hs})")
    m, h = int(ms[0]), int(hs[0])
    df = train[train["unique_id"].isin(set(gm["unique_id"]))]
    df = df.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    if a.limit:
        keep = sorted(df["unique_id"].unique())[: a.limit]
        df = df[df["unique_id"].isin(set(keep))].reset_index(drop=True)
    n_series = df["unique_id"].nunique()

    model = (AutoETS if a.model == "AutoETS" else AutoARIMA)(season_length=m, alias=ALIAS)
    sf = StatsForecast(models=[model], freq=1, n_jobs=1)
    with warnings.catch_warnings(record=True) as wl:
        warnings.simplefilter("always")
        c0, w0 = cpu_seconds(), time.perf_counter()
        fc = sf.forecast(df=df, h=h, level=LEVELS)
        c1, w1 = cpu_seconds(), time.perf_counter()
    cpu, wall = c1 - c0, w1 - w0

    res = pd.DataFrame({
        "unique_id": fc["unique_id"].astype(str),
        "ds": fc["ds"].astype(int),
        "model": f"sf_{a.model.lower()}",
        "mean": fc[ALIAS].to_numpy(),
    })
    for lv in LEVELS:
        res[f"lo-{lv}"] = fc[f"{ALIAS}-lo-{lv}"].to_numpy()
        res[f"hi-{lv}"] = fc[f"{ALIAS}-hi-{lv}"].to_numpy()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    res.to_csv(out, index=False, float_format="%.15g")

    print(f"freq={a.freq} m={m} h={h} series={n_series} "
          f"cpu_seconds={cpu:.3f} wall_seconds={wall:.3f} "
          f"ms_per_series={1000 * cpu / n_series:.2f} warnings={len(wl)} "
          f"nan_mean={int(res['mean'].isna().sum())}")
    print(f"wrote {out} ({len(res)} rows); statsforecast {statsforecast.__version__}, "
          f"pandas {pd.__version__}, python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
