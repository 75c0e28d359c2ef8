#!/usr/bin/env python3
"""Writes datasets/demo/kpis_2025.csv: made-up year-end KPIs of the demo
company's reps for 2025 — new customers won against a target (about one per
¥250k of last year's sales, at least 2) and the collection rate (cash
collected / invoiced, around 93%) — for `salesplan scorecard --kpis`.
Seeded; reps who were not there in 2025 get no row.

Usage: python3 scripts/demo_kpis.py [datasets/demo]
"""
import csv
import random
import sys
from collections import defaultdict

demo = sys.argv[1] if len(sys.argv) > 1 else "datasets/demo"
rng = random.Random(2025)
org = list(csv.DictReader(open(f"{demo}/org.csv", encoding="utf-8")))
sold = defaultdict(float)
for r in csv.DictReader(open(f"{demo}/sales_monthly.csv", encoding="utf-8")):
    if r["ds"].startswith("2024"):
        sold[r["unique_id"]] += float(r["y"])
rows = []
for r in org:
    node = r["node_id"]
    if not node.startswith("E"):
        continue
    if (r["end_date"] and r["end_date"] < "2025-01-01") or (r["start_date"] and r["start_date"] > "2025-12-31"):
        continue
    target = max(2, round(sold[node] / 250_000))
    won = max(0, round(target * rng.lognormvariate(0.0, 0.35)))
    rate = min(1.0, max(0.6, rng.gauss(0.93, 0.04)))
    rows.append((node, won, target, f"{rate:.3f}"))
with open(f"{demo}/kpis_2025.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["node_id", "new_customers", "new_customers_target", "collection_rate"])
    w.writerows(rows)
print(f"{len(rows)} reps")
