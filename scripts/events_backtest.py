#!/usr/bin/env python3
"""Backtest of phasing (and forecasting) with events on an org's history.

For each plan year Y, runs `salesplan allocate --year Y --calendar monthly`
(which plans from the history before Y only) with and without the given
events, and compares each node's planned monthly shares of its year with
the shares it actually sold. Prints, per level (company, teams), the mean
absolute share error in percentage points over all months and over
January-February, and the worst change of any calendar month.

Also forecasts every leaf's plan year (`salesplan forecast --model auto-ets
--horizon 12` on the history before Y) with and without the events, and
prints the MAPE of January and February (leaves whose actual is positive).

Usage: python3 scripts/events_backtest.py target/release/salesplan \
           datasets/demo [--years 2023,2024,2025] [--events china,shopping]
"""
import argparse
import csv
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path


def read_org(path):
    parent, children = {}, defaultdict(list)
    for r in csv.DictReader(open(path, encoding="utf-8")):
        parent[r["node_id"]] = r["parent_id"]
        if r["parent_id"]:
            children[r["parent_id"]].append(r["node_id"])
    return parent, children


def actual_months(history, parent):
    """node -> (year, month) -> sales, leaves summed up the tree."""
    out = defaultdict(lambda: defaultdict(float))
    for r in csv.DictReader(open(history, encoding="utf-8")):
        y, m = int(r["ds"][:4]), int(r["ds"][5:7])
        node = r["unique_id"]
        while node:
            out[node][(y, m)] += float(r["y"])
            node = parent.get(node, "")
    return out


def planned(bin_, data, year, events, out):
    cmd = [bin_, "allocate", "--org", str(data / "org.csv"), "--history",
           str(data / "sales_monthly.csv"), "--growth", "0.1", "--year", str(year),
           "--calendar", "monthly", "--output", str(out)]
    if events:
        cmd += ["--events", events]
    subprocess.run(cmd, check=True, capture_output=True)
    plan = defaultdict(dict)
    for r in csv.DictReader(open(out, encoding="utf-8")):
        plan[r["node_id"]][int(r["period"][5:7])] = float(r["target"])
    return plan


def rep_forecasts(bin_, history, year, events, tmp):
    """leaf -> month -> forecast of `year`, from the history before it."""
    cut = Path(tmp) / "cut.csv"
    with open(history, encoding="utf-8") as f, open(cut, "w", encoding="utf-8") as out:
        for i, line in enumerate(f):
            if i == 0 or int(line.split(",")[1][:4]) < year:
                out.write(line)
    fc = Path(tmp) / "fc.csv"
    cmd = [bin_, "forecast", "--input", str(cut), "--model", "auto-ets", "--horizon", "12",
           "--output", str(fc)]
    if events:
        cmd += ["--events", events]
    subprocess.run(cmd, check=True, capture_output=True)
    out = defaultdict(dict)
    for r in csv.DictReader(open(fc, encoding="utf-8")):
        if r["ds"].startswith(str(year)):
            out[r["unique_id"]][int(r["ds"][5:7])] = float(r["mean"])
    return out


def shares(by_month):
    total = sum(by_month.values())
    return {m: v / total for m, v in by_month.items()} if total > 0 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("data", type=Path)
    ap.add_argument("--years", default="2023,2024,2025")
    ap.add_argument("--events", default="china,shopping")
    a = ap.parse_args()
    parent, children = read_org(a.data / "org.csv")
    root = next(n for n, p in parent.items() if not p)
    teams = [c for r in children[root] for c in children[r]]
    actual = actual_months(a.data / "sales_monthly.csv", parent)
    errors = {}  # (variant, level) -> month -> [abs errors]
    with tempfile.TemporaryDirectory() as tmp:
        for variant, events in (("without", ""), ("with", a.events)):
            for year in map(int, a.years.split(",")):
                plan = planned(a.bin, a.data, year, events, Path(tmp) / "plan.csv")
                for level, nodes in (("company", [root]), ("teams", teams)):
                    for node in nodes:
                        act = shares({m: actual[node].get((year, m), 0.0) for m in range(1, 13)})
                        pl = shares(plan.get(node, {}))
                        if act is None or pl is None:
                            continue
                        for m in range(1, 13):
                            errors.setdefault((variant, level), defaultdict(list))[m].append(
                                abs(pl[m] - act[m]) * 100)
    # the teams' floor: each team given the company's actual shares of the
    # plan year (what a perfect company profile would still miss per team)
    floor = []
    for year in map(int, a.years.split(",")):
        company = shares({m: actual[root].get((year, m), 0.0) for m in range(1, 13)})
        for node in teams:
            act = shares({m: actual[node].get((year, m), 0.0) for m in range(1, 13)})
            if act is not None and company is not None:
                floor += [abs(company[m] - act[m]) * 100 for m in (1, 2)]
    mape = {}
    leaves = [n for n in parent if n not in children]
    with tempfile.TemporaryDirectory() as tmp:
        for variant, events in (("without", ""), ("with", a.events)):
            for year in map(int, a.years.split(",")):
                fc = rep_forecasts(a.bin, a.data / "sales_monthly.csv", year, events, tmp)
                for leaf in leaves:
                    for m in (1, 2):
                        act = actual[leaf].get((year, m), 0.0)
                        if act > 0 and m in fc.get(leaf, {}):
                            mape.setdefault((variant, m), []).append(abs(fc[leaf][m] - act) / act * 100)
    mean = lambda v: sum(v) / len(v)
    print(f"years {a.years}, events {a.events}; mean absolute share error, percentage points")
    print("level    variant  all months  Jan-Feb  Jan    Feb")
    for level in ("company", "teams"):
        for variant in ("without", "with"):
            e = errors[(variant, level)]
            allm = mean([x for m in e for x in e[m]])
            jf = mean(e[1] + e[2])
            print(f"{level:8} {variant:8} {allm:10.3f} {jf:8.3f} {mean(e[1]):6.3f} {mean(e[2]):6.3f}")
        worst = max(mean(errors[("with", level)][m]) - mean(errors[("without", level)][m]) for m in range(1, 13))
        jf_cut = 1 - mean(errors[("with", level)][1] + errors[("with", level)][2]) / mean(
            errors[("without", level)][1] + errors[("without", level)][2])
        print(f"{level:8} Jan-Feb error {100 * jf_cut:.0f}% lower; worst month change {worst:+.3f} points")
    base = mean(errors[("without", "teams")][1] + errors[("without", "teams")][2])
    print(f"teams' floor (each team given the company's actual shares): Jan-Feb {mean(floor):.3f}"
          f" ({100 * (1 - mean(floor) / base):.0f}% lower)")
    print("reps' forecasts (auto-ets), MAPE %: variant  January  February  Jan-Feb")
    for variant in ("without", "with"):
        j, f = mape[(variant, 1)], mape[(variant, 2)]
        print(f"  {variant:8} {mean(j):8.2f} {mean(f):9.2f} {mean(j + f):8.2f}")
    cut = 1 - mean(mape[("with", 1)] + mape[("with", 2)]) / mean(mape[("without", 1)] + mape[("without", 2)])
    print(f"  Jan-Feb MAPE {100 * cut:.0f}% lower")


if __name__ == "__main__":
    main()
