#!/usr/bin/env bash
# Regenerates the README's pictures in docs/images/ from full-rate runs of the bundled scenarios
# (about a minute: the two sitting runs last 2 h of simulated time each).
set -euo pipefail
cd "$(dirname "$0")/.."
P=./build/paraspine
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in rounded_back_lift squat_lift slouched_sitting upright_sitting; do
  "$P" run "$s" -o "$tmp/$s.h5" >/dev/null
done
size=(--width 800 --height 500)
"$P" render "$tmp/rounded_back_lift.h5" "${size[@]}" -o docs/images/stoop_lift_peak.png
"$P" render "$tmp/squat_lift.h5" "${size[@]}" -o docs/images/squat_lift_peak.png
"$P" render "$tmp/slouched_sitting.h5" --time 7200 --color fatigue --color-max 1 "${size[@]}" -o docs/images/slouched_sitting_2h_fatigue.png
"$P" render "$tmp/upright_sitting.h5" --time 7200 --color fatigue --color-max 1 "${size[@]}" -o docs/images/upright_sitting_2h_fatigue.png
