#!/usr/bin/env python3
"""Scaling of the whole sweep job with org size and threads, through the CLI:
the demo company copied 3, 26 and 260 times (1,158 / 10,036 / 100,360 reps,
scripts/replicate_demo.py), every rep fitted and simulated once, then the
scenarios planned, phased (balanced months), rounded, checked, scored and
written (the full long table), on 1 and 2 threads. 1,000 scenarios
(datasets/demo/scenarios_1000.toml) up to 10k reps, the first 100 of them
at 100k reps.

Usage (from the repository root):
  cargo build --release
  /opt/anchors-venv/bin/python scripts/sweep_scaling.py [--out docs/sweep_scaling.png] [--work /tmp/sweep_scaling]

Prints a markdown table; needs matplotlib for the plot (the table is
printed without it). Takes about ten minutes on 2 cores.
"""
import argparse
import os
import re
import shutil
import subprocess
import time

SIZES = ((3, 1000), (26, 1000), (260, 100))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="docs/sweep_scaling.png")
    ap.add_argument("--work", default="/tmp/sweep_scaling")
    ap.add_argument("--binary", default="target/release/salesplan")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    with open("datasets/demo/scenarios_1000.toml", encoding="utf-8") as fh:
        grid = fh.read()
    hundred = os.path.join(a.work, "scenarios_100.toml")
    with open(hundred, "w", encoding="utf-8") as fh:
        # the first 100 of the grid: every growth rate × every basis
        fh.write(re.sub(r"growth_max = \[[^\]]*\]", "growth_max = [0.3]",
                        re.sub(r"over_assignment = \[\[.*\]\]", "over_assignment = [[0.0, 0.03, 0.05]]", grid)))
    results = {}
    print("| reps | nodes | scenarios | threads | fit + simulation (s) | sweep + writing (s) | scenarios/s | total wall (s) | table |")
    print("|---|---|---|---|---|---|---|---|---|")
    for copies, count in SIZES:
        data = os.path.join(a.work, f"x{copies}")
        made = subprocess.run(["python3", "scripts/replicate_demo.py", str(copies), data],
                              check=True, capture_output=True, text=True).stdout
        reps = int(re.search(r"(\d+) reps", made).group(1))
        scenarios = "datasets/demo/scenarios_1000.toml" if count == 1000 else hundred
        for threads in (1, 2):
            out = os.path.join(data, "sweep.csv")
            started = time.time()
            run = subprocess.run([a.binary, "sweep", "--org", os.path.join(data, "org.csv"), "--history",
                                  os.path.join(data, "sales.csv"), "--scenarios", scenarios, "--year", "2026",
                                  "--threads", str(threads), "--output", out],
                                 check=True, capture_output=True, text=True)
            wall = time.time() - started
            m = re.search(r"over (\d+) nodes.*fit and simulation ([\d.]+) s, sweep ([\d.]+) s \((\d+) scenarios/s\)",
                          run.stderr)
            nodes, fit, sweep, rate = int(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4))
            size = os.path.getsize(out) / 1e9
            os.remove(out)
            results[(reps, threads)] = (fit, sweep, rate, wall)
            print(f"| {reps:,} | {nodes:,} | {count} | {threads} | {fit:.2f} | {sweep:.2f} | {rate:.0f} | {wall:.2f} | {size:.2f} GB |",
                  flush=True)
        shutil.rmtree(data)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    reps = sorted({r for r, _ in results})
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for threads, style in ((1, "o-"), (2, "s-")):
        label = f"{threads} thread{'s' if threads > 1 else ''}"
        left.plot(reps, [results[(r, threads)][0] for r in reps], style, label=label)
        right.plot(reps, [results[(r, threads)][2] for r in reps], style, label=label)
    left.set_ylabel("fit + simulation, seconds")
    left.set_title("fit every rep once (AutoETS, 1,000 paths)")
    right.set_ylabel("scenarios per second")
    right.set_title("plan, phase, round, score, write")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("reps in the org")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle("salesplan sweep end to end (demo company copied 3, 26, 260 times)")
    fig.tight_layout()
    fig.savefig(a.out, dpi=120)
    print(f"plot: {a.out}")


if __name__ == "__main__":
    main()
