#!/usr/bin/env bash
# The sales plan report for the replicated demo (26 copies: 10,036 reps,
# 11,285 nodes): runs the main job's cycle on it (plan, forecast, a
# 25-scenario sweep, a mid-year track), then times `salesplan report` over
# all of it three times and prints the page's and the table's sizes.
# Usage: scripts/report_scale.sh [BIN] [DIR]   (after cargo build --release)
set -euo pipefail
bin="${1:-target/release/salesplan}"
dir="${2:-/tmp/report10k}"
python3 scripts/replicate_demo.py 26 "$dir"
scenarios="$PWD/datasets/demo/scenarios_25.toml"
bin="$(realpath "$bin")"
cd "$dir"
"$bin" -q allocate --org org.csv --history sales.csv --growth 0.15 --year 2026 \
    --basis forecast:0.6,history:0.4 --calendar monthly --round 100 --output plan.csv --summary plan_summary.csv
"$bin" -q forecast --input sales.csv --horizon 12 --season-length 12 --output forecasts.csv
"$bin" -q sweep --org org.csv --history sales.csv --scenarios "$scenarios" --year 2026 \
    --output sweep.csv --summary sweep_summary.csv
"$bin" -q track --plan plan.csv --org org.csv --history sales.csv --actuals actuals.csv \
    --as-of 2026-06-30 --output status.csv
for run in 1 2 3; do
  /usr/bin/time -f "report: %e s wall, %U s user, %S s sys, %M KB peak" "$bin" -q report \
      --org org.csv --history sales.csv --forecasts forecasts.csv --plan plan.csv \
      --summary plan_summary.csv --sweep sweep.csv --sweep-summary sweep_summary.csv \
      --status status.csv --actuals actuals.csv --currency ¥ --output report.html
done
echo "inputs: $(du -ch ./*.csv | tail -1 | cut -f1)"
ls -l report.html report.table.csv | awk '{print $5, $9}'
