"""The Python package's overhead against the command line, paired in one
run on the same data (best of 5 each, wall time): `salesplan.forecast` on a
pandas DataFrame of the 1,428 M3 monthly series (read beforehand) against
`salesplan forecast` on the CSV file (process start, parsing, writing).

    python scripts/python_overhead.py [BINARY]   # with the wheel installed
"""
import sys
import time
import subprocess
from pathlib import Path

import pandas as pd

import salesplan

ROOT = Path(__file__).resolve().parents[1]
BINARY = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "salesplan")
DATA = str(ROOT / "datasets" / "m3_monthly.csv")
df = pd.read_csv(DATA)
best_py = best_cli = float("inf")
for _ in range(5):
    t = time.perf_counter()
    salesplan.forecast(df, h=18, season_length=12)
    best_py = min(best_py, time.perf_counter() - t)
    t = time.perf_counter()
    subprocess.run([BINARY, "forecast", "-q", "--input", DATA, "--horizon", "18", "--season-length", "12", "--output", "/tmp/python_overhead_cli.csv"], check=True)
    best_cli = min(best_cli, time.perf_counter() - t)
print(f"python {best_py:.3f} s, cli {best_cli:.3f} s, ratio {best_py / best_cli:.3f}")
