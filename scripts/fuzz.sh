#!/usr/bin/env bash
# Coverage-guided fuzzing of the input files: scenario text (parse, subject, bind, sample) and model
# text (parse, scale, one frame), with libFuzzer + AddressSanitizer + UBSan (docs/fuzzing.md).
#   scripts/fuzz.sh [SECONDS per target, default 300] [fuzz_scenario|fuzz_model|fuzz_overrides ...]
# Findings (inputs that crash, hang or end in anything but an InputError) land in
# build-fuzz/findings/TARGET/; the growing corpus in build-fuzz/corpus/TARGET/. Needs clang,
# libclang-rt-14-dev and libomp-dev (Debian; scripts/setup.sh --fuzz installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_scenario fuzz_model fuzz_overrides)

bash scripts/setup.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]}"

seeds=build-fuzz/seeds
rm -rf "$seeds" && mkdir -p "$seeds/scenario" "$seeds/model" "$seeds/overrides"
cp scenarios/*.yaml tests/validation/scenarios/*.yaml tests/data/*.yaml "$seeds/scenario/"
cp models/lumbar.yaml "$seeds/model/"
# The unit tests' three-segment model (tests/cpp/fixtures.h): small, so mutations reach every branch.
sed -n '/kMiniModel = R"(/,/)";/p' tests/cpp/fixtures.h | sed '1s/.*R"(//; $d' > "$seeds/model/mini.yaml"
# Overrides: a first line PATH=VALUE (the README's and docs/scenarios.md's examples) over each scenario.
k=0
for f in scenarios/*.yaml; do
  for o in "repetitions=2" "subject.body_mass=70" "keyframes[2].hands.both.load_kg=12.5" \
           "keyframes[1].regions_deg.lumbar.flexion=30" "output_rate_hz=50" "keyframes[2,3].hands.both.load_kg=5"; do
    k=$((k + 1))
    { echo "$o"; cat "$f"; } > "$seeds/overrides/$k.txt"
  done
done
# Dictionaries: every key the seed files use, so mutations produce well-formed keys.
for kind in scenario model; do
  grep -ohE '\b[a-z_0-9]+:' "$seeds/$kind"/*.yaml | sort -u | sed 's/.*/"&"/' > "$seeds/$kind.dict"
done
cp "$seeds/scenario.dict" "$seeds/overrides.dict"

status=0
for t in "${targets[@]}"; do
  case $t in
    fuzz_scenario) kind=scenario; maxlen=16384 ;;
    fuzz_model) kind=model; maxlen=262144 ;;
    fuzz_overrides) kind=overrides; maxlen=16384 ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/findings/$t"
  echo "== $t: ${secs} s"
  ./build-fuzz/fuzz/$t -max_total_time="$secs" -max_len=$maxlen -timeout=20 -rss_limit_mb=4096 \
    -dict="$seeds/$kind.dict" -artifact_prefix="build-fuzz/findings/$t/" -print_final_stats=1 \
    "build-fuzz/corpus/$t" "$seeds/$kind" || status=$?
done
exit $status
