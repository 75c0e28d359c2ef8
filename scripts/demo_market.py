#!/usr/bin/env python3
"""Writes the demo company's market: datasets/demo/market_monthly.csv.

The market is synthetic, as the demo company is: each month's size is the
company's sales that month divided by a market share that drifts from 7.6%
(2021) to 8.1% (2025), times a seeded lognormal noise of 2%, so the
market has the company's seasonality (Chinese New Year included) and grows
a little more slowly than the company. Usage: python3 scripts/demo_market.py
"""
import csv
import math
import random
from collections import defaultdict
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sales = defaultdict(float)
with open(root / "datasets/demo/sales_monthly.csv", newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        sales[row["ds"]] += float(row["y"])
rng = random.Random(20261203)
months = sorted(sales)
first_year = int(months[0][:4])
out = root / "datasets/demo/market_monthly.csv"
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["unique_id", "ds", "y"])
    for k, ds in enumerate(months):
        share = 0.076 + 0.005 * k / max(len(months) - 1, 1)
        size = sales[ds] / share * math.exp(rng.gauss(0.0, 0.02))
        w.writerow(["家电市场", ds, round(size, -3)])
print(f"wrote {out} ({len(months)} months from {first_year})")
