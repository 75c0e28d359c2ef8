#!/usr/bin/env python3
"""`salesplan reconcile` against Nixtla's hierarchicalforecast on the same
hierarchy and base forecasts: agreement and speed, measured in one run.

Usage (from the repository root, after `cargo build --release`):
  /opt/anchors-venv/bin/python scripts/reconcile_compare.py [--out-dir /tmp/recon]
      [--big-leaves 100000] [--skip-big]

Needs numpy, scipy and hierarchicalforecast (`pip install hierarchicalforecast`).

1. Agreement: a seeded 4-level tree (1 + 4 + 12 + 60 nodes), 3-step base
   forecasts that do not add up, 24 in-sample residuals per node. Each of
   bottom-up, MinT ols / wls_struct / wls_var / mint_shrink is run by both;
   prints the largest relative difference.
2. Speed: a 4-level tree with --big-leaves leaves (default 100,000),
   MinT wls_struct: hierarchicalforecast's MinTraceSparse.fit_predict on a
   sparse S (its fastest path; no I/O) against salesplan's reconciliation
   step as the CLI reports it (no I/O), and the whole `salesplan reconcile`
   process (CSV read and write included).
"""
import argparse
import csv
import os
import subprocess
import time

import numpy as np
from scipy import sparse
from hierarchicalforecast.methods import BottomUp, MinTrace, MinTraceSparse

BIN = "target/release/salesplan"


def make_tree(branching, rng):
    """Parent list of a tree given children per level; nodes in BFS order."""
    parents = [None]
    level = [0]
    for b in branching:
        nxt = []
        for p in level:
            for _ in range(b):
                parents.append(p)
                nxt.append(len(parents) - 1)
        level = nxt
    return parents


def summing_matrix(parents):
    n = len(parents)
    children = [[] for _ in range(n)]
    for v, p in enumerate(parents):
        if p is not None:
            children[p].append(v)
    leaves = [v for v in range(n) if not children[v]]
    internal = [v for v in range(n) if children[v]]
    col = {l: j for j, l in enumerate(leaves)}
    rows, cols = [], []
    order = internal + leaves  # hierarchicalforecast: aggregates first, bottom last
    for i, v in enumerate(order):
        stack = [v]
        while stack:
            u = stack.pop()
            if children[u]:
                stack.extend(children[u])
            else:
                rows.append(i)
                cols.append(col[u])
    S = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(leaves)))
    return S, order


def write_inputs(d, parents, base, residuals):
    os.makedirs(d, exist_ok=True)
    ids = [f"n{v}" for v in range(len(parents))]
    with open(f"{d}/tree.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["node_id", "parent_id"])
        for v, p in enumerate(parents):
            w.writerow([ids[v], "" if p is None else ids[p]])
    with open(f"{d}/forecasts.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unique_id", "ds", "mean"])
        for v in range(len(parents)):
            for k in range(base.shape[1]):
                w.writerow([ids[v], k + 1, repr(float(base[v, k]))])
    if residuals is not None:
        with open(f"{d}/residuals.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["unique_id", "ds", "y"])
            for v in range(len(parents)):
                for t in range(residuals.shape[1]):
                    w.writerow([ids[v], t + 1, repr(float(residuals[v, t]))])
    return ids


def run_salesplan(d, method, steps, n):
    out = f"{d}/out_{method}.csv"
    t0 = time.perf_counter()
    args = [BIN, "reconcile", "--hierarchy", f"{d}/tree.csv", "--forecasts", f"{d}/forecasts.csv",
            "--method", method, "--output", out]
    if method in ("mint-wls-var", "mint-shrink"):
        args += ["--residuals", f"{d}/residuals.csv"]
    done = subprocess.run(args, check=True, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    compute = float(done.stderr.split("(reconciliation ")[1].split(" s")[0])
    res = np.zeros((n, steps))
    with open(out, newline="") as fh:
        for r in csv.DictReader(fh):
            res[int(r["unique_id"][1:]), int(r["ds"]) - 1] = float(r["mean"])
    return res, wall, compute


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default="/tmp/recon")
    ap.add_argument("--big-leaves", type=int, default=100_000)
    ap.add_argument("--skip-big", action="store_true")
    a = ap.parse_args()
    rng = np.random.default_rng(20261126)

    # 1. agreement on a small tree
    parents = make_tree([4, 3, 5], rng)
    n = len(parents)
    S, order = summing_matrix(parents)
    steps, t_in = 3, 24
    leaves_truth = rng.gamma(5.0, 20.0, size=(S.shape[1], steps))
    truth = np.zeros((n, steps))
    truth[order] = S @ leaves_truth
    base = truth * rng.normal(1.0, 0.08, size=truth.shape)
    residuals = rng.normal(0, 1, size=(n, t_in)) * (1 + truth[:, :1])
    d = f"{a.out_dir}/small"
    write_inputs(d, parents, base, residuals)
    y_hat = base[order]
    res_o = residuals[order]
    pairs = [("bottom-up", BottomUp()), ("mint-ols", MinTrace("ols")), ("mint-wls-struct", MinTrace("wls_struct")),
             ("mint-wls-var", MinTrace("wls_var")), ("mint-shrink", MinTrace("mint_shrink"))]
    print("agreement (4-level tree, 77 nodes, 60 leaves, 3 steps):")
    worst_all = 0.0
    for ours_name, rec in pairs:
        theirs = rec.fit_predict(S=S.toarray(), y_hat=y_hat, y_insample=res_o,
                                 y_hat_insample=np.zeros_like(res_o))["mean"]
        ours, _, _ = run_salesplan(d, ours_name, steps, n)
        ours_o = ours[order]
        rel = np.max(np.abs(ours_o - theirs) / np.maximum(np.abs(theirs), 1e-12))
        worst_all = max(worst_all, rel)
        print(f"  {ours_name:16s} max relative difference {rel:.2e}")
    print(f"  worst {worst_all:.2e}")

    if a.skip_big:
        return
    # 2. speed on a large tree
    b = a.big_leaves
    branching = [20, 25, max(1, b // 500)]
    parents = make_tree(branching, rng)
    n = len(parents)
    S, order = summing_matrix(parents)
    steps = 1
    leaves_truth = rng.gamma(5.0, 20.0, size=(S.shape[1], steps))
    truth = np.zeros((n, steps))
    truth[order] = S @ leaves_truth
    base = truth * rng.normal(1.0, 0.08, size=truth.shape)
    d = f"{a.out_dir}/big"
    write_inputs(d, parents, base, None)
    y_hat = base[order]
    t0 = time.perf_counter()
    theirs = MinTraceSparse("wls_struct").fit_predict(S=S, y_hat=y_hat)["mean"]
    t_theirs = time.perf_counter() - t0
    ours, t_ours, t_compute = run_salesplan(d, "mint-wls-struct", steps, n)
    rel = np.max(np.abs(ours[order] - theirs) / np.maximum(np.abs(theirs), 1e-12))
    print(f"speed (MinT wls_struct, {n} nodes, {S.shape[1]} leaves, max relative difference {rel:.2e}):")
    print(f"  reconciliation alone: salesplan {t_compute:.4f} s, hierarchicalforecast MinTraceSparse.fit_predict "
          f"{t_theirs:.3f} s, ratio {t_theirs / t_compute:.0f}x")
    print(f"  whole salesplan process (CSV read, reconcile, CSV write): {t_ours:.3f} s")


if __name__ == "__main__":
    main()
