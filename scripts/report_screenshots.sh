#!/usr/bin/env bash
# Screenshots of each section of the demo's sales plan report for docs/:
# runs the README's main job (plan), a forecast, the 25-scenario sweep and
# a mid-year track on datasets/demo, draws the report one section at a
# time and renders each in headless Chromium (Debian's chromium, with
# fonts-wqy-microhei for the Chinese names) to docs/report_<section>.png.
# Usage: scripts/report_screenshots.sh [BIN] [DIR]   (after cargo build --release)
set -euo pipefail
bin="$(realpath "${1:-target/release/salesplan}")"
dir="${2:-/tmp/report_demo}"
demo="$PWD/datasets/demo"
docs="$PWD/docs"
mkdir -p "$dir"
cd "$dir"
"$bin" -q allocate --org "$demo/org.csv" --history "$demo/sales_monthly.csv" --growth 0.15 --year 2026 \
    --basis forecast:0.6,history:0.4 --calendar monthly --round 100 --output plan.csv --summary plan_summary.csv
"$bin" -q forecast --input "$demo/sales_monthly.csv" --horizon 12 --season-length 12 --output forecasts.csv
"$bin" -q sweep --org "$demo/org.csv" --history "$demo/sales_monthly.csv" --scenarios "$demo/scenarios_25.toml" \
    --year 2026 --output sweep.csv --summary sweep_summary.csv
"$bin" -q track --plan plan.csv --org "$demo/org.csv" --history "$demo/sales_monthly.csv" \
    --actuals "$demo/actuals_2026h1.csv" --as-of 2026-06-30 --output status.csv
inputs=(--org "$demo/org.csv" --history "$demo/sales_monthly.csv" --forecasts forecasts.csv --plan plan.csv
    --summary plan_summary.csv --sweep sweep.csv --sweep-summary sweep_summary.csv --status status.csv
    --actuals "$demo/actuals_2026h1.csv" --currency ¥)
"$bin" -q report "${inputs[@]}" --output report.html
for section in forecast:1900 plan:1050 table:900 sweep:1250 track:1100; do
  name="${section%%:*}" height="${section##*:}"
  "$bin" -q report "${inputs[@]}" --sections "$name" --table-rows 25 --output "$name.html"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="1400,$height" \
      --screenshot="$docs/report_$name.png" "file://$dir/$name.html" 2>/dev/null
done
ls -l "$docs"/report_*.png
