#!/usr/bin/env python3
"""Writes a seeded test hierarchy for `salesplan reconcile`: tree.csv,
forecasts.csv (base forecasts that do not add up) and residuals.csv (in-sample
residuals with a shared component), standard library only.

usage: python3 scripts/reconcile_tree.py OUT_DIR BRANCHING [--steps 3] [--residuals 36]
(BRANCHING: children per level, e.g. 10,99 for 1 + 10 + 990 = 1,001 nodes)
e.g.   python3 scripts/reconcile_tree.py /tmp/mint1001 10,99
       salesplan reconcile --hierarchy /tmp/mint1001/tree.csv --forecasts /tmp/mint1001/forecasts.csv \\
           --residuals /tmp/mint1001/residuals.csv --method mint-shrink --output /tmp/mint1001/out.csv
"""
import argparse
import csv
import os
import random

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("branching")
ap.add_argument("--steps", type=int, default=3)
ap.add_argument("--residuals", type=int, default=36)
a = ap.parse_args()
rng = random.Random(20261201)
parents, level = [None], [0]
for b in (int(x) for x in a.branching.split(",")):
    nxt = []
    for p in level:
        for _ in range(b):
            parents.append(p)
            nxt.append(len(parents) - 1)
    level = nxt
n = len(parents)
children = [[] for _ in range(n)]
for v, p in enumerate(parents):
    if p is not None:
        children[p].append(v)
truth = [[0.0] * a.steps for _ in range(n)]
for v in reversed(range(n)):  # children come after their parent
    for k in range(a.steps):
        truth[v][k] = sum(truth[c][k] for c in children[v]) if children[v] else rng.gammavariate(5.0, 20.0)
os.makedirs(a.out, exist_ok=True)
ids = [f"n{v}" for v in range(n)]
with open(f"{a.out}/tree.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["node_id", "parent_id"])
    for v, p in enumerate(parents):
        w.writerow([ids[v], "" if p is None else ids[p]])
with open(f"{a.out}/forecasts.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["unique_id", "ds", "mean"])
    for v in range(n):
        for k in range(a.steps):
            w.writerow([ids[v], k + 1, repr(truth[v][k] * rng.gauss(1.0, 0.08))])
common = [rng.gauss(0, 1) for _ in range(a.residuals)]
with open(f"{a.out}/residuals.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["unique_id", "ds", "y"])
    for v in range(n):
        scale = 1 + truth[v][0] ** 0.5
        for t in range(a.residuals):
            w.writerow([ids[v], t + 1, repr(scale * (0.5 * common[t] + rng.gauss(0, 1)))])
print(f"{a.out}: {n} nodes, {sum(1 for c in children if not c)} leaves")
