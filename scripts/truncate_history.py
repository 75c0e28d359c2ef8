#!/usr/bin/env python3
"""Keeps only the last N training periods of every series of a competition
set (train.csv, test.csv, meta.csv in the layout of ../shared/datasets/m3),
so that calibration can be checked on short histories (36 months: one
backtest origin of the plan year, 48: two) on real data.

usage: python3 scripts/truncate_history.py SRC_DIR OUT_DIR N
e.g.   python3 scripts/truncate_history.py ../shared/datasets/m3 /tmp/m3short36 36
       python3 ../shared/tools/calibration_check.py target/release/salesplan /tmp/m3short36 /tmp/calib
"""
import collections
import csv
import os
import shutil
import sys

src, out, keep = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
rows = collections.defaultdict(list)
with open(os.path.join(src, "train.csv"), newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    for row in reader:
        rows[row[0]].append(row)
with open(os.path.join(out, "train.csv"), "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(header)
    for values in rows.values():
        writer.writerows(values[-keep:])
for name in ("test.csv", "meta.csv"):
    shutil.copy(os.path.join(src, name), out)
