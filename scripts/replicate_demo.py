#!/usr/bin/env python3
"""Copies the demo company (datasets/demo) N times under one group root, for
scale runs: `python3 scripts/replicate_demo.py 26 /tmp/big10k` writes
/tmp/big10k/org.csv (26 divisions, 10,036 reps), /tmp/big10k/sales.csv and
/tmp/big10k/actuals.csv (the first half of 2026, for `track`).

Copy k's node ids get the prefix `k{k:02}_`; its root hangs under `TOP`.
Sales are copied unchanged (fitting cost does not depend on the values
being distinct). benches/sweep.rs builds the same org in memory.
Standard library only.
"""
import csv
import os
import sys


def main():
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 26
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/big10k"
    os.makedirs(out, exist_ok=True)
    with open("datasets/demo/org.csv", newline="", encoding="utf-8") as fh:
        org = list(csv.DictReader(fh))
    with open("datasets/demo/sales_monthly.csv", newline="", encoding="utf-8") as fh:
        sales = list(csv.DictReader(fh))
    with open(os.path.join(out, "org.csv"), "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["node_id", "parent_id", "name", "start_date", "end_date"])
        w.writerow(["TOP", "", "集团", "", ""])
        for k in range(copies):
            p = f"k{k:02}_"
            for r in org:
                parent = p + r["parent_id"] if r["parent_id"] else "TOP"
                w.writerow([p + r["node_id"], parent, r["name"], r["start_date"], r["end_date"]])
    with open("datasets/demo/actuals_2026h1.csv", newline="", encoding="utf-8") as fh:
        actuals = list(csv.DictReader(fh))
    for name, rows in [("sales.csv", sales), ("actuals.csv", actuals)]:
        with open(os.path.join(out, name), "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["unique_id", "ds", "y"])
            for k in range(copies):
                p = f"k{k:02}_"
                for r in rows:
                    w.writerow([p + r["unique_id"], r["ds"], r["y"]])
    reps = copies * sum(1 for r in org if not any(o["parent_id"] == r["node_id"] for o in org))
    print(f"{copies} copies: {1 + copies * len(org)} nodes, {reps} reps -> {out}")


if __name__ == "__main__":
    main()
