#!/usr/bin/env bash
# Runs the README's main job, the M3 forecast (AutoETS and auto), a small sweep, an allocate +
# track --reallocate and a backtest with two salesplan binaries and checks
# that every output file is byte-identical (for changes that must not change
# behaviour: moves, renames, refactors, features that are off by default).
#
#   scripts/same_outputs.sh OLD_BINARY NEW_BINARY [WORK_DIR]
#
# Exit 0 when every file is identical, 1 otherwise (the differing files are
# named). Uses only the bundled data in datasets/.
set -euo pipefail
old=$(realpath "$1")
new=$(realpath "$2")
work=${3:-$(mktemp -d)}
mkdir -p "$work"
work=$(realpath "$work")
repo=$(cd "$(dirname "$0")/.." && pwd)
d="$repo/datasets"

cat >"$work/scenarios.toml" <<'TOML'
[defaults]
basis = "forecast:0.6,history:0.4"
round = 100

[[scenario]]
name = "base"
growth = 0.15
growth_max = 0.4

[[grid]]
name = "what-if"
growth = [0.08, 0.18]
basis = ["forecast", "history"]
calendar = ["monthly", "445"]
TOML

run() { # run BINARY OUT_DIR
  local b=$1 o=$2
  mkdir -p "$o"
  cd "$o"
  "$b" allocate --org "$d/demo/org.csv" --history "$d/demo/sales_monthly.csv" --growth 0.15 \
    --year 2026 --basis forecast:0.6,history:0.4 --calendar monthly --round 100 \
    --output plan.csv --summary plan_summary.csv >allocate.out 2>&1
  "$b" forecast --input "$d/m3_monthly.csv" --season-length 12 --horizon 18 \
    --output forecasts.csv --report report.csv >forecast.out 2>&1
  "$b" forecast --input "$d/m3_monthly.csv" --season-length 12 --horizon 18 --model auto \
    --output forecasts_auto.csv --report report_auto.csv >forecast_auto.out 2>&1
  "$b" sweep --org "$d/demo/org.csv" --history "$d/demo/sales_monthly.csv" \
    --scenarios "$work/scenarios.toml" --year 2026 --periods --output sweep.csv \
    --summary sweep_summary.csv >sweep.out 2>&1
  "$b" allocate --org "$d/demo/org.csv" --history "$d/demo/sales_monthly.csv" --growth 0.1 \
    --year 2025 --round 100 --output plan2025.csv >allocate2025.out 2>&1
  "$b" track --plan plan2025.csv --actuals "$d/demo/sales_monthly.csv" --as-of 2025-06-30 \
    --org "$d/demo/org.csv" --reallocate --round 10 --output status.csv >track.out 2>&1
  "$b" backtest --input "$d/classic/AirPassengers.csv" --horizon 6 --windows 4 \
    --models auto-ets,theta,auto-theta,croston --output metrics.csv >backtest.out 2>&1
  # timings in the printed summaries differ run to run: drop them
  sed -i -E 's/[0-9.]+ ?(s|ms)\b/T/g; s/[0-9.]+ [a-z]+\/s/R/g' ./*.out
  cd - >/dev/null
}

run "$old" "$work/old"
run "$new" "$work/new"
status=0
for f in "$work"/old/*; do
  name=$(basename "$f")
  if cmp -s "$f" "$work/new/$name"; then
    echo "same      $name ($(wc -c <"$f") bytes)"
  else
    echo "DIFFERENT $name"
    status=1
  fi
done
exit $status
