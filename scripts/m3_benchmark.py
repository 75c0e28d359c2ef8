#!/usr/bin/env python3
"""Accuracy and speed of `salesplan forecast` on the M3 competition data,
optionally against statsforecast's AutoETS measured in the same run.

Usage (from the repository root, after `cargo build --release`):
  python3 scripts/m3_benchmark.py [--data datasets/m3] [--groups all|monthly,...]
        [--model auto-ets] [--intervals calibrated] [--out-dir /tmp/m3bench]
        [--evaluate ../shared/peers/evaluate.py --python /opt/anchors-venv/bin/python]
        [--statsforecast /opt/anchors-venv/bin/python]

For each frequency group the group's training series are written to a long
CSV and forecast by the real binary, single-threaded (`--threads 1`), with
the group's season length and horizon from meta.csv. CPU seconds are the
user+sys time of the salesplan process (process start and CSV I/O included).
With --statsforecast PYTHON, statsforecast's AutoETS (n_jobs=1) runs on the
same groups in the same session (scripts/statsforecast_m3.py; its CPU time
covers the forecast call only, imports and I/O excluded), and the CPU ratio is
printed. With --evaluate, forecasts are scored by that script
(`../shared/peers/evaluate.py`: sMAPE, MASE, 80/95% coverage).
Only the Python standard library is needed here.
"""
import argparse
import csv
import os
import resource
import subprocess
import sys

GROUPS = ["yearly", "quarterly", "monthly", "other"]


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="datasets/m3")
    ap.add_argument("--groups", default="all")
    ap.add_argument("--model", default="auto-ets")
    ap.add_argument("--intervals", help="model, calibrated, conformal[:N] (default: the binary's)")
    ap.add_argument("--binary", default="target/release/salesplan")
    ap.add_argument("--out-dir", default="/tmp/m3bench")
    ap.add_argument("--evaluate", help="path to evaluate.py")
    ap.add_argument("--python", default=sys.executable, help="python with numpy for --evaluate")
    ap.add_argument("--statsforecast", metavar="PYTHON", help="python with statsforecast installed")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)

    meta = list(csv.DictReader(open(os.path.join(a.data, "meta.csv"), newline="")))
    groups = GROUPS if a.groups == "all" else a.groups.split(",")
    by_group = {g: {r["unique_id"]: r for r in meta if r["frequency"] == g} for g in groups}
    rows = {g: [] for g in groups}
    group_of = {uid: g for g in groups for uid in by_group[g]}
    with open(os.path.join(a.data, "train.csv"), newline="") as fh:
        for r in csv.DictReader(fh):
            g = group_of.get(r["unique_id"])
            if g:
                rows[g].append((r["unique_id"], r["ds"], r["y"]))

    outputs, ours, theirs = [], {}, {}
    for g in groups:
        first = next(iter(by_group[g].values()))
        m, h = first["season_length"], first["horizon"]
        inp = os.path.join(a.out_dir, f"train_{g}.csv")
        with open(inp, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["unique_id", "ds", "y"])
            w.writerows(rows[g])
        out = os.path.join(a.out_dir, f"salesplan_{g}.csv")
        c0 = child_cpu()
        res = subprocess.run([a.binary, "forecast", "--input", inp, "--horizon", h, "--season-length", m,
                        "--model", a.model, "--threads", "1", "--output", out]
                       + (["--intervals", a.intervals] if a.intervals else []),
                       stderr=subprocess.DEVNULL)
        # exit 1: some series could not be forecast (e.g. too short); the
        # others are written and scored, the missing ones counted by evaluate.py
        if res.returncode not in (0, 1):
            sys.exit(f"salesplan failed on {inp} (exit {res.returncode})")
        ours[g] = child_cpu() - c0
        outputs.append(out)
        line = f"{g:10s} series={len(by_group[g]):5d} salesplan cpu={ours[g]:7.2f}s ({1000 * ours[g] / len(by_group[g]):6.2f} ms/series)"
        if a.statsforecast:
            sf_out = os.path.join(a.out_dir, f"statsforecast_{g}.csv")
            res = subprocess.run([a.statsforecast, os.path.join(os.path.dirname(__file__), "statsforecast_m3.py"),
                                  a.data, "--freq", g, "--out", sf_out], check=True, capture_output=True, text=True)
            cpu = next(float(t.split("=")[1]) for t in res.stdout.split() if t.startswith("cpu_seconds="))
            theirs[g] = cpu
            line += f" | statsforecast AutoETS cpu={cpu:7.2f}s | ratio {cpu / ours[g]:5.1f}x"
        print(line, flush=True)

    merged = os.path.join(a.out_dir, "salesplan_all.csv")
    with open(merged, "w", newline="") as fo:
        for i, p in enumerate(outputs):
            with open(p, newline="") as fi:
                lines = fi.readlines()
                fo.writelines(lines if i == 0 else lines[1:])
    print(f"forecasts: {merged}")
    if theirs:
        t_ours, t_theirs = sum(ours.values()), sum(theirs.values())
        print(f"total      salesplan cpu={t_ours:.2f}s statsforecast cpu={t_theirs:.2f}s ratio {t_theirs / t_ours:.1f}x")
    if a.evaluate:
        subprocess.run([a.python, a.evaluate, a.data, merged, "--md"], check=True)


if __name__ == "__main__":
    main()
