#!/usr/bin/env python3
"""Equal-weight combinations of forecast CSVs written by `salesplan forecast`
(or any long CSV unique_id,ds,model,mean,lo-..,hi-..), for choosing the
members of `--model auto` on a holdout: the combined point is the mean of the
members' points, each bound the mean of the members' bounds (quantile
averaging, as `auto` combines). Series missing from a member are left out of
the combination (and reported), never filled in.

usage: python3 scripts/combine_forecasts.py OUT.csv A.csv B.csv [C.csv ...] [--median | --trim]
(--trim: the mean without the lowest and the highest member, per value)
e.g.   for m in auto-ets auto-theta m4-comb auto-arima; do
         python3 scripts/m3_benchmark.py --data /tmp/m3holdh --model $m \
             --intervals model --out-dir /tmp/hold_$m; done
       python3 scripts/combine_forecasts.py /tmp/c.csv /tmp/hold_auto-ets/salesplan_all.csv \
           /tmp/hold_auto-arima/salesplan_all.csv
       python3 ../shared/peers/evaluate.py /tmp/m3holdh /tmp/c.csv --md
Only the Python standard library is needed.
"""
import csv
import statistics
import sys


def read(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    return header, {(r[0], r[1]): r for r in body}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    median = "--median" in sys.argv
    trim = "--trim" in sys.argv
    if len(args) < 3:
        sys.exit(__doc__)
    out, paths = args[0], args[1:]
    members = [read(p) for p in paths]
    header = members[0][0]
    value_cols = [c for c in header if c == "mean" or c.startswith("lo-") or c.startswith("hi-")]
    for h, _ in members[1:]:
        missing = [c for c in value_cols if c not in h]
        if missing:
            sys.exit(f"{paths[members.index((h, _))]}: no column {missing[0]}")
    keys = [k for k in members[0][1] if all(k in m for _, m in members)]
    dropped = len(members[0][1]) - len(keys)
    def trimmed(vals):
        return statistics.fmean(sorted(vals)[1:-1])

    combine = statistics.median if median else trimmed if trim else statistics.fmean
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unique_id", "ds", "model"] + value_cols)
        for k in keys:
            row = [k[0], k[1], "Comb"]
            for c in value_cols:
                vals = [float(m[k][h.index(c)]) for h, m in members]
                row.append(repr(combine(vals)))
            w.writerow(row)
    print(f"{out}: {len(keys)} rows combined from {len(paths)} members"
          + (f"; {dropped} rows left out (missing from a member)" if dropped else ""))


if __name__ == "__main__":
    main()
