#!/usr/bin/env python3
"""Scaling of the scenario sweep (fits excluded) with org size and threads:
runs examples/sweep_scale for 1k, 10k and 100k reps on 1 and 2 threads and
writes a table and a plot.

Usage (from the repository root):
  cargo build --release --example sweep_scale
  /opt/anchors-venv/bin/python scripts/sweep_scaling.py [--scenarios 200] [--out docs/sweep_scaling.png]

Needs matplotlib for the plot (the table is printed without it).
"""
import argparse
import re
import subprocess


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenarios", type=int, default=200)
    ap.add_argument("--paths", type=int, default=500)
    ap.add_argument("--out", default="docs/sweep_scaling.png")
    a = ap.parse_args()
    results = {}
    print("| reps | nodes | threads | scenarios/s (balanced phasing) |")
    print("|---|---|---|---|")
    for reps in (1000, 10000, 100000):
        count = a.scenarios if reps < 100000 else max(20, a.scenarios // 10)
        for threads in (1, 2):
            out = subprocess.run(["target/release/examples/sweep_scale", str(reps), str(count), str(threads),
                                  str(a.paths), "1"], check=True, capture_output=True, text=True).stdout
            rate = float(re.search(r"= (\d+) scenarios/s", out).group(1))
            nodes = int(re.search(r"\((\d+) nodes\)", out).group(1))
            results[(reps, threads)] = rate
            print(f"| {reps} | {nodes} | {threads} | {rate:.0f} |", flush=True)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for threads, style in ((1, "o-"), (2, "s-")):
        xs = [1000, 10000, 100000]
        ax.plot(xs, [results[(r, threads)] for r in xs], style, label=f"{threads} thread{'s' if threads > 1 else ''}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("reps in the org")
    ax.set_ylabel("scenarios per second")
    ax.set_title("salesplan sweep: allocate, phase (balanced), round, score")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out, dpi=120)
    print(f"plot: {a.out}")


if __name__ == "__main__":
    main()
