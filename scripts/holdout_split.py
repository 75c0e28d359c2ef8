#!/usr/bin/env python3
"""Moves the last H training periods of every series of a competition set
(train.csv, test.csv, meta.csv in the layout of ../shared/datasets/m3) into
the test part of a copy, so that settings are chosen on a holdout inside the
training data, never on the competition's test periods.

usage: python3 scripts/holdout_split.py SRC_DIR OUT_DIR [H=12 | meta]
(`meta`: each series' own horizon from meta.csv, as the competition's test)
e.g.   python3 scripts/holdout_split.py ../shared/datasets/m3 /tmp/m3hold
       python3 ../shared/tools/calibration_check.py target/release/salesplan /tmp/m3hold /tmp/calib
"""
import csv
import os
import shutil
import sys
from collections import defaultdict

src, out = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else "12"
horizon = {r["unique_id"]: int(r["horizon"]) for r in csv.DictReader(open(os.path.join(src, "meta.csv")))}
os.makedirs(out, exist_ok=True)
rows = defaultdict(list)
for r in csv.DictReader(open(os.path.join(src, "train.csv"))):
    rows[r["unique_id"]].append((int(r["ds"]), r["y"]))
with open(os.path.join(out, "train.csv"), "w", newline="") as ft, \
        open(os.path.join(out, "test.csv"), "w", newline="") as fs:
    wt, ws = csv.writer(ft), csv.writer(fs)
    for w in (wt, ws):
        w.writerow(["unique_id", "ds", "y"])
    for uid, values in rows.items():
        values.sort()
        h = horizon[uid] if arg == "meta" else int(arg)
        for d, y in values[:-h]:
            wt.writerow([uid, d, y])
        for d, y in values[-h:]:
            ws.writerow([uid, d, y])
shutil.copy(os.path.join(src, "meta.csv"), os.path.join(out, "meta.csv"))
print(f"{out}: {len(rows)} series, last {arg} training periods held out")
