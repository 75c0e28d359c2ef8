#!/usr/bin/env python3
"""Writes datasets/demo/commits.csv: made-up commitments for the demo
company's plan year 2026, submitted at three levels as they often are — every
active rep of 华东 (R1) for themselves, the team heads of 华南 (R2) for their
teams, the heads of the other regions for their regions. Each is last year's
sales × (1 + g), g ~ Normal(4%, 8%) (seeded; reps commit a little over last
year, some sandbag), rounded to thousands; a rep who joined after the start
of last year commits their team's mean rep instead.

Usage: python3 scripts/demo_commits.py [datasets/demo]
"""
import csv
import random
import sys
from collections import defaultdict

demo = sys.argv[1] if len(sys.argv) > 1 else "datasets/demo"
rng = random.Random(20261203)
org = list(csv.DictReader(open(f"{demo}/org.csv", encoding="utf-8")))
parent = {r["node_id"]: r["parent_id"] for r in org}
last_year = defaultdict(float)
for r in csv.DictReader(open(f"{demo}/sales_monthly.csv", encoding="utf-8")):
    if r["ds"].startswith("2025"):
        node = r["unique_id"]
        while node:
            last_year[node] += float(r["y"])
            node = parent[node]


def active(r):
    return not r["end_date"] or r["end_date"] >= "2026-01-01"


def region_of(node):
    while parent[node] and parent[parent[node]]:
        node = parent[node]
    return node


start = {r["node_id"]: r["start_date"] for r in org}
reps_of = defaultdict(list)
for r in org:
    if r["node_id"].startswith("E") and active(r) and (start[r["node_id"]] or "") < "2025-01-01":
        reps_of[r["parent_id"]].append(r["node_id"])
team_mean = {t: sum(last_year[e] for e in es) / len(es) for t, es in reps_of.items()}

rows = []
for r in org:
    node, level_parent = r["node_id"], r["parent_id"]
    if not level_parent:
        continue
    is_rep = node.startswith("E")
    is_team = node.startswith("T")
    is_region = node.startswith("R")
    region = region_of(node)
    if is_rep and (start[node] or "") >= "2025-01-01":
        last_year[node] = team_mean.get(level_parent, last_year[node])
    if (is_rep and region == "R1" and active(r) and last_year[node] > 0) or \
       (is_team and region == "R2") or (is_region and node not in ("R1", "R2")):
        g = rng.gauss(0.04, 0.08)
        rows.append((node, round(last_year[node] * (1 + g), -3)))
with open(f"{demo}/commits.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["node_id", "amount"])
    for node, amount in rows:
        w.writerow([node, f"{amount:.0f}"])
print(f"{len(rows)} commitments")
