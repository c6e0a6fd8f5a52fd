#!/usr/bin/env python3
"""Predicted vs published trunk endurance times (docs/fatigue.md).

Runs the engine's literature test (FatigueLiterature.SustainedTrunkExtension..., a trunk-extension
hold against a pad at T8 on the full model, coupled fatigue and load sharing) under two criteria,
reads the endurance it prints, and plots it over the Frey Law & Avin 2010 trunk power curve
ET = 22.69 f^-2.27 s with the ±30 % band the test asserts. Usage, after `make build`:

    /usr/bin/python3 scripts/endurance_plot.py [--build build] [--out docs/images/endurance.svg]
"""
import argparse
import os
import re
import subprocess

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
LINE = re.compile(r"hold at (\d+) % of .*?: (\d+) s \(Frey Law & Avin 2010: (\d+) s")


def predicted(build, criterion):
    env = dict(os.environ, PARASPINE_TEST_CRITERION=criterion)
    out = subprocess.run([os.path.join(build, "tests", "paraspine_tests"),
                          "--gtest_filter=FatigueLiterature.SustainedTrunkExtension*"],
                         capture_output=True, text=True, env=env, cwd=ROOT).stdout
    return [(int(m.group(1)) / 100, float(m.group(2))) for m in LINE.finditer(out)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "images", "endurance.svg"))
    a = ap.parse_args()
    f = np.linspace(0.15, 0.9, 200)
    curve = 22.69 * f ** -2.27
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.fill_between(100 * f, 0.7 * curve, 1.3 * curve, color="0.88", label="±30 %")
    ax.plot(100 * f, curve, "k-", label="Frey Law & Avin 2010, trunk power model")
    for crit, mark in (("activation2", "o"), ("minmax", "s")):
        pts = predicted(a.build, crit)
        if not pts:
            raise SystemExit("no endurance lines from the test binary under " + a.build)
        ax.plot([100 * p for p, _ in pts], [t for _, t in pts], mark, label="paraspine, " + crit)
        print(crit, ", ".join("%.0f %%: %.0f s" % (100 * p, t) for p, t in pts))
    ax.set_yscale("log")
    ax.set_xlabel("held force, % of the model's maximal pad force")
    ax.set_ylabel("endurance time, s")
    ax.set_title("Sustained trunk extension: predicted vs published")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    fig.savefig(a.out)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
