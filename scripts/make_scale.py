"""Generated monthly sales series for the scale runs (issue 11, item 4):
N series of M months each, seeded, sorted by unique_id, as Parquet (and
optionally CSV), written a batch of series at a time so that the generator
itself stays small.

    python scripts/make_scale.py N M OUT.parquet [OUT.csv]

Each series: a level drawn log-normally (median 1,000), a linear trend of
-1% to +2% a month, a multiplicative season of 12 months with an amplitude
of 0 to 40%, and log-normal noise of 3% to 15%; ids `s0000000`,
`s0000001`, ... (their byte order is their numeric order); periods
`2016-01-01`, `2016-02-01`, ... as dates. Needs numpy and pyarrow.
"""

import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

BATCH = 10_000
SEED = 20261202


def batch(rng, first, n, months, dates):
    t = np.arange(months)
    level = np.exp(rng.normal(np.log(1000.0), 1.0, n))[:, None]
    trend = rng.uniform(-0.01, 0.02, n)[:, None]
    amplitude = rng.uniform(0.0, 0.4, n)[:, None]
    phase = rng.uniform(0, 2 * np.pi, n)[:, None]
    noise = rng.uniform(0.03, 0.15, n)[:, None]
    season = 1 + amplitude * np.sin(2 * np.pi * t[None, :] / 12 + phase)
    growth = np.maximum(1 + trend * t[None, :], 0.05)
    y = level * growth * season * np.exp(noise * rng.standard_normal((n, months)))
    ids = np.repeat([f"s{k:07d}" for k in range(first, first + n)], months)
    return pa.table(
        {
            "unique_id": pa.array(ids, pa.string()),
            "ds": pa.array(np.tile(dates, n), pa.date32()),
            "y": pa.array(np.round(y.ravel(), 2), pa.float64()),
        }
    )


def main():
    n, months, parquet_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    csv_path = sys.argv[4] if len(sys.argv) > 4 else None
    dates = np.array(
        [np.datetime64(f"{2016 + k // 12}-{k % 12 + 1:02d}-01") for k in range(months)],
        dtype="datetime64[D]",
    )
    rng = np.random.default_rng(SEED)
    schema = pa.schema([("unique_id", pa.string()), ("ds", pa.date32()), ("y", pa.float64())])
    parquet = pq.ParquetWriter(parquet_path, schema, compression="zstd")
    options = pacsv.WriteOptions(quoting_style="none")
    csv = pacsv.CSVWriter(csv_path, schema, write_options=options) if csv_path else None
    for first in range(0, n, BATCH):
        table = batch(rng, first, min(BATCH, n - first), months, dates)
        parquet.write_table(table)
        if csv:
            csv.write_table(table)
    parquet.close()
    if csv:
        csv.close()
    print(f"{n} series of {months} months, {n * months} rows: {parquet_path}"
          + (f", {csv_path}" if csv_path else ""))


if __name__ == "__main__":
    main()
