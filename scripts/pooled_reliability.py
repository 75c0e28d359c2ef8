#!/usr/bin/env python3
"""Pools the reliability of several `calibration_check.py` runs (e.g. three
pseudo plan years inside the training data), so that a setting is judged on
more than one draw of a year's shared shock.

usage: python3 scripts/pooled_reliability.py OUT_DIR:DATA_DIR [OUT_DIR:DATA_DIR ...]
(OUT_DIR: a calibration_check output directory; DATA_DIR: the data it ran on)
e.g.   for h in 12 24 36; do
         python3 scripts/holdout_split.py ../shared/datasets/m3 /tmp/m3h$h $h
         python3 ../shared/tools/calibration_check.py target/release/salesplan /tmp/m3h$h /tmp/cal$h
       done
       python3 scripts/pooled_reliability.py /tmp/cal12:/tmp/m3h12 /tmp/cal24:/tmp/m3h24 /tmp/cal36:/tmp/m3h36

Prints per level (rep, team) the pooled mid-ECE (bins 0.1-0.9, as the check
computes it), its noise floor (outcomes drawn from the predictions, one
uniform per node, 20 draws, as the check does), the Brier score and the
bins (mean predicted / share reached). The actual of a node is the sum of
its reps' first 12 test periods, as in the check.
"""
import csv
import random
import sys
from collections import defaultdict

pairs, probs = defaultdict(list), defaultdict(list)
for arg in sys.argv[1:]:
    out, data = arg.rsplit(":", 1)
    parent = {r["node_id"]: r["parent_id"] for r in csv.DictReader(open(f"{out}/org.csv"))}
    test = defaultdict(list)
    for r in csv.DictReader(open(f"{data}/test.csv")):
        test["R_" + r["unique_id"]].append((int(r["ds"]), float(r["y"])))
    actual = {}
    for node in parent:
        if node.startswith("R_") and node in test:
            actual[node] = sum(v for _, v in sorted(test[node])[:12])
    for node in [n for n in actual]:
        p = parent[node]
        while p:
            actual[p] = actual.get(p, 0.0) + actual[node]
            p = parent[p]
    cells = defaultdict(dict)
    for r in csv.DictReader(open(f"{out}/sweep.csv")):
        cells[(r["scenario"], r["node_id"])][r["measure"]] = float(r["value"])
    for (_, node), m in cells.items():
        if "target" in m and "probability" in m and node in actual and m["target"] > 0:
            level = "rep" if node.startswith("R_") else ("company" if node == "CO" else "team")
            pairs[level].append((m["probability"], 1.0 if actual[node] >= m["target"] else 0.0))
            probs[level].append((out + "/" + node, m["probability"]))


def mid_ece(xs):
    bins = defaultdict(list)
    for p, hit in xs:
        k = min(int(p * 10), 9)
        if 1 <= k <= 8:
            bins[k].append((p, hit))
    n = sum(len(b) for b in bins.values())
    gap = sum(len(b) * abs(sum(p for p, _ in b) - sum(h for _, h in b)) / len(b) for b in bins.values())
    return gap / max(n, 1), bins


def floor(level, draws=20):
    rnd = random.Random(12345)
    nodes = sorted({n for n, _ in probs[level]})
    values = []
    for _ in range(draws):
        u = {n: rnd.random() for n in nodes}
        values.append(mid_ece([(p, 1.0 if p >= u[n] else 0.0) for n, p in probs[level]])[0])
    return sum(values) / len(values)


for level in ("rep", "team"):
    if not pairs[level]:
        continue
    m, bins = mid_ece(pairs[level])
    f = floor(level)
    brier = sum((p - h) ** 2 for p, h in pairs[level]) / len(pairs[level])
    cells = " ".join(f"{sum(p for p, _ in b) / len(b):.2f}/{sum(h for _, h in b) / len(b):.2f}" for _, b in sorted(bins.items()))
    print(f"{level:5s} pooled mid-ECE {m:.3f} (noise floor {f:.3f}, +{m - f:.3f}) Brier {brier:.4f}  [{cells}]")
