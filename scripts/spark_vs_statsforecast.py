"""salesplan.spark.forecast against statsforecast's AutoETS on Spark
(Fugue backend), paired in one run, both in local[2], on the same series:
the 1,428 M3 monthly series replicated 7 times with seeded noise (9,996
series), h = 18, levels 80 and 95.

    python scripts/spark_vs_statsforecast.py [COPIES]

Needs pyspark, statsforecast, fugue[spark] and the salesplan wheel in the
running interpreter. Prints wall and CPU seconds of each (CPU: the whole
machine's, from /proc/stat, so the JVM and the Python workers count; run
it on an idle machine), their ratio, and whether statsforecast's intervals
came out. Each output is counted once (`count()`), which runs the job.
"""

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
COPIES = int(sys.argv[1]) if len(sys.argv) > 1 else 7
os.environ["PYSPARK_PYTHON"] = sys.executable


def machine_cpu():
    """CPU seconds the whole machine has spent so far (user + system, all
    cores, from /proc/stat): the driver, the JVM and the Python workers.
    Run it on an otherwise idle machine."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    user, nice, system = (int(v) for v in fields[:3])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


def main():
    from pyspark.sql import SparkSession
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    import salesplan.spark

    base = pd.read_csv(ROOT / "datasets" / "m3_monthly.csv")
    rng = np.random.default_rng(20261202)
    frames = []
    for k in range(COPIES):
        f = base.copy()
        f["unique_id"] = f["unique_id"] + f"_{k}"
        f["y"] = f["y"] * (1 + 0.02 * rng.standard_normal(len(f))) if k else f["y"]
        frames.append(f)
    df = pd.concat(frames, ignore_index=True)
    print(f"{df['unique_id'].nunique()} series, {len(df)} rows")

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    sdf = spark.createDataFrame(df).cache()
    sdf.count()

    def timed(label, run):
        cpu0, t0 = machine_cpu(), time.perf_counter()
        out = run()
        rows = out.count()
        wall = time.perf_counter() - t0
        cpu = machine_cpu() - cpu0
        print(f"{label}: {rows} rows, wall {wall:.1f} s, CPU {cpu:.1f} s, columns {out.columns}")
        return wall, cpu, out

    ours = timed("salesplan", lambda: salesplan.spark.forecast(sdf, h=18, season_length=12, partitions=8))
    sdf_sf = sdf.withColumn("ds", sdf["ds"].cast("long"))
    sf = StatsForecast(models=[AutoETS(season_length=12)], freq=1, n_jobs=1)
    theirs = timed("statsforecast", lambda: sf.forecast(df=sdf_sf, h=18, level=[80, 95]))
    print(f"ratio (statsforecast / salesplan): wall {theirs[0] / ours[0]:.1f}×, CPU {theirs[1] / max(ours[1], 1e-9):.1f}×")
    print("statsforecast intervals present:", all(c in theirs[2].columns for c in ["AutoETS-lo-95", "AutoETS-hi-95"]))
    spark.stop()


if __name__ == "__main__":
    main()
