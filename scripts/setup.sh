#!/usr/bin/env bash
# Installs every Debian package paraspine needs. Idempotent: when everything is present it only
# checks (about a second) and never touches the network; `apt-get update` runs only when something
# must be installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  xz-utils  # make test unpacks the fuzz corpora (fuzz/corpus/*.tar.xz)
  libeigen3-dev libyaml-cpp-dev nlohmann-json3-dev libhdf5-dev libcli11-dev libfmt-dev
  libdeflate-dev  # compresses results chunks on the writer thread, ~2x faster than zlib (issue 9)
  # --compression lz4 (issue 9): liblz4 writes the chunks; hdf5-filter-plugin lets h5py (and any
  # HDF5 reader) decode HDF5 filter 32004, installed into Debian HDF5's default plugin directory
  liblz4-dev hdf5-filter-plugin
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  coinor-libipopt-dev
  pybind11-dev python3-dev python3-pybind11 python3-numpy python3-pytest python3-h5py
  # The Python package and its notebooks (issue 7), the validation report's plots (issue 8)
  python3-xarray python3-pandas python3-matplotlib python3-tqdm
  python3-yaml  # scripts/validation_report.py reads the validation scenarios
  python3-nbclient python3-nbformat python3-ipykernel
  # Pictures, animations and HTML reports (issue 10): Cairo draws, ffmpeg encodes MP4/GIF
  libcairo2-dev ffmpeg
  # xarray's h5netcdf engine: results files open with labelled axes (tests/python/test_run.py)
  python3-h5netcdf
  # scripts/stability_check.py: the largest reachable stability margin is an LP (scipy's HiGHS)
  python3-scipy
)
# scripts/fuzz.sh (docs/fuzzing.md): libFuzzer comes with clang; OpenMP for clang is libomp.
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-14-dev libomp-dev)
fi
# Wanted but not required: the tests open the HTML report in headless Chromium, and skip that test
# with a message where no browser can be installed.
optional=(chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

missing_optional=()
for p in "${optional[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_optional+=("$p")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_optional[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]} ${missing_optional[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
for p in "${missing_optional[@]}"; do
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$p" ||
    echo "setup: could not install $p (optional); the tests that need it will be skipped"
done
