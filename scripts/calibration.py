#!/usr/bin/env python3
"""Reliability of `salesplan sweep`'s attainment probabilities on the demo
company: plan a past year from the years before it, then compare each
node's probability of reaching its target with whether it did.

Usage (from the repository root, after `cargo build --release`):
  python3 scripts/calibration.py [--year 2025] [--out-dir /tmp/calibration]

Runs `salesplan sweep` on datasets/demo with a grid of company growth
rates (so that targets, hence probabilities, spread out), history after the
plan year's start ignored by the sweep itself; then reads the plan year's
actual sales from the same file and prints, per probability bin and per
level (reps, teams, regions), the mean predicted probability, the share of
targets actually reached, and the count. Standard library only.
"""
import argparse
import csv
import os
import subprocess
from collections import defaultdict

GROWTH = [-0.10, -0.05, 0.0, 0.05, 0.10, 0.15, 0.20, 0.30]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--out-dir", default="/tmp/calibration")
    ap.add_argument("--binary", default="target/release/salesplan")
    ap.add_argument("--recalibrate", default="reselect", choices=["none", "same-form", "reselect"])
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    scen = os.path.join(a.out_dir, "scenarios.toml")
    with open(scen, "w") as fh:
        fh.write('[defaults]\nbasis = "forecast:0.6,history:0.4"\nround = 100\n\n[[grid]]\nname = "g"\n')
        fh.write("growth = [" + ", ".join(str(g) for g in GROWTH) + "]\n")
    out = os.path.join(a.out_dir, "sweep.csv")
    subprocess.run([a.binary, "sweep", "--org", "datasets/demo/org.csv", "--history",
                    "datasets/demo/sales_monthly.csv", "--scenarios", scen, "--year", str(a.year),
                    "--recalibrate", a.recalibrate, "--output", out], check=True, stderr=subprocess.DEVNULL)

    parent, depth = {}, {}
    for r in csv.DictReader(open("datasets/demo/org.csv", newline="")):
        parent[r["node_id"]] = r["parent_id"]
    def level(n):
        d = 0
        while parent[n]:
            n = parent[n]
            d += 1
        return d
    depth = {n: level(n) for n in parent}
    actual = defaultdict(float)
    for r in csv.DictReader(open("datasets/demo/sales_monthly.csv", newline="")):
        if r["ds"].startswith(str(a.year)):
            n, v = r["unique_id"], float(r["y"])
            while n:
                actual[n] += v
                n = parent[n]
    rows = defaultdict(dict)
    for r in csv.DictReader(open(out, newline="")):
        if r["measure"] in ("target", "probability"):
            rows[(r["scenario"], r["node_id"])][r["measure"]] = float(r["value"])
    names = {1: "regions", 2: "teams", 3: "reps"}
    bins = [(0.0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0001)]
    print(f"plan year {a.year}, --recalibrate {a.recalibrate}, growth grid {GROWTH}; probability bin: mean predicted / share reached (count)")
    print("| level | " + " | ".join(f"{lo:.1f}–{min(hi, 1):.1f}" for lo, hi in bins) + " | all |")
    print("|---" * (len(bins) + 2) + "|")
    for d in (3, 2, 1):
        cells = []
        total = [0.0, 0, 0]
        for lo, hi in bins:
            ps = [(v["probability"], actual[n] >= v["target"]) for (s, n), v in rows.items()
                  if depth.get(n) == d and v.get("target", 0) > 0 and lo <= v["probability"] < hi]
            if ps:
                mp = sum(p for p, _ in ps) / len(ps)
                hit = sum(1 for _, h in ps if h) / len(ps)
                cells.append(f"{mp:.2f} / {hit:.2f} ({len(ps)})")
                total[0] += sum(p for p, _ in ps)
                total[1] += sum(1 for _, h in ps if h)
                total[2] += len(ps)
            else:
                cells.append("–")
        allc = f"{total[0] / total[2]:.2f} / {total[1] / total[2]:.2f} ({total[2]})" if total[2] else "–"
        print(f"| {names[d]} | " + " | ".join(cells) + f" | {allc} |")


if __name__ == "__main__":
    main()
