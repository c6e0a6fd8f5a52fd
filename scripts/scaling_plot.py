#!/usr/bin/env python3
"""Cost per frame against the number of muscles (docs/performance.md, issue 9).

Runs the Google Benchmark cases that copy the full model's fascicles 1, 2 and 4 times
(BM_Pipeline/N: kinematics to reactions; BM_LoadSharingScaling/N/1: the warm activation2 solve),
fits the exponent of time ~ muscles^k, and plots both on log-log axes with a line of slope 1
(linear cost) through the 1x point. Usage, after `make build`, on a quiet machine:

    /usr/bin/python3 scripts/scaling_plot.py [--build build] [--out docs/images/scaling.svg]
"""
import argparse
import json
import os
import subprocess

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def measure(build):
    out = subprocess.run([os.path.join(build, "benchmarks", "paraspine_bench"),
                          "--benchmark_filter=BM_Pipeline/.$|BM_LoadSharingScaling/./1$",
                          "--benchmark_min_time=0.5", "--benchmark_repetitions=3",
                          "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    series = {"whole pipeline": [], "load sharing (warm)": []}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"]
        scale = int(name.split("/")[1])
        us = b["cpu_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]]
        key = "whole pipeline" if name.startswith("BM_Pipeline") else "load sharing (warm)"
        series[key].append((scale, us))
    return {k: sorted(v) for k, v in series.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "images", "scaling.svg"))
    ap.add_argument("--muscles", type=int, default=678, help="fascicles of the 1x model")
    args = ap.parse_args()
    series = measure(args.build)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for (label, pts), colour in zip(series.items(), ("tab:blue", "tab:orange")):
        n = np.array([s * args.muscles for s, _ in pts], float)
        t = np.array([u for _, u in pts])
        k = np.polyfit(np.log(n), np.log(t), 1)[0]
        ax.loglog(n, t, "o-", color=colour, label=f"{label}: exponent {k:.2f}")
        ax.loglog(n, t[0] * n / n[0], ":", color=colour, lw=1)
        print(f"{label}: " + ", ".join(f"{int(a)} muscles {b:.1f} us" for a, b in zip(n, t)) + f"; exponent {k:.2f}")
    ax.set_xlabel("fascicles (the full model copied 1, 2, 4 times)")
    ax.set_ylabel("time per frame, one core (µs)")
    ax.set_title("Cost per frame vs muscle count (dotted: linear)")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
