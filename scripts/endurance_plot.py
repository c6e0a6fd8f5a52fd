#!/usr/bin/env python3
"""Predicted vs published trunk endurance times (docs/fatigue.md).

Runs the engine's literature test (FatigueLiterature.SustainedTrunkExtension..., a trunk-extension
hold against a pad at T8 on the full model, coupled fatigue and load sharing) under two criteria,
reads the endurance it prints, and plots it over the Frey Law & Avin 2010 trunk power curve
ET = 22.69 f^-2.27 s (coefficients [R], docs/sources/endurance_curve.md) with the ±30 % band the
test asserts, and the published 3CC's own curve for one fascicle from rest (Frey-Law 2012 trunk
F, R). At 20 % it also marks the two diagnostic holds of
FatigueLiterature.SustainedTrunkExtension20PercentShortfallBySource (same pad force, gravity switched
off; and gravity off with its L5-S1 moment on the pad instead; docs/sources/endurance_hold_protocol.md).
Usage, after `make build`:

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
SHORTFALL = re.compile(r"whole model, gravity off (\d+) s .*?on the pad \(\+[\d.]+ N\) (\d+) s")
# Frey-Law, Looft & Heitsman 2012 (J Biomech 45:1803) Table 1, trunk [V]: the model's defaults.
TRUNK_F, TRUNK_R = 0.00755, 0.00075


def three_compartment_endurance(f, F=TRUNK_F, R=TRUNK_R):
    """Sustained-load endurance (s) of the 2012 Appendix model with M_A held at f: M_F grows as
    F f/R (1 - exp(-R t)) and the hold fails when M_R + M_A < f, i.e. M_F = 1 - f
    (docs/sources/endurance_curve.md §2: within 1 s of integrating the published equations)."""
    return -np.log(1 - R * (1 - f) / (F * f)) / R


def run_tests(build, criterion, pattern):
    env = dict(os.environ, PARASPINE_TEST_CRITERION=criterion)
    return subprocess.run([os.path.join(build, "tests", "paraspine_tests"), "--gtest_filter=" + pattern],
                          capture_output=True, text=True, env=env, cwd=ROOT).stdout


def predicted(build, criterion):
    out = run_tests(build, criterion, "FatigueLiterature.SustainedTrunkExtensionEnduranceFollowsFreyLawAvin2010")
    return [(int(m.group(1)) / 100, float(m.group(2))) for m in LINE.finditer(out)]


def shortfall(build):
    """The 20 % diagnostic holds (default criterion): (gravity off, gravity's L5-S1 moment on the pad)."""
    m = SHORTFALL.search(run_tests(build, "activation2", "FatigueLiterature.SustainedTrunkExtension20Percent*"))
    if not m:
        raise SystemExit("no 20 % shortfall line from the test binary under " + build)
    return float(m.group(1)), float(m.group(2))


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
    ax.plot(100 * f, three_compartment_endurance(f), "k--", lw=1,
            label="3CC, Frey-Law 2012 trunk F, R: one fascicle from rest")
    for crit, mark in (("activation2", "o"), ("minmax", "s")):
        pts = predicted(a.build, crit)
        if not pts:
            raise SystemExit("no endurance lines from the test binary under " + a.build)
        ax.plot([100 * p for p, _ in pts], [t for _, t in pts], mark, label="paraspine, " + crit)
        print(crit, ", ".join("%.0f %%: %.0f s" % (100 * p, t) for p, t in pts))
    no_gravity, on_pad = shortfall(a.build)
    ax.plot([20], [no_gravity], "^", mfc="none", color="C2", label="20 %, same pad force, gravity off")
    ax.plot([20], [on_pad], "v", mfc="none", color="C3", label="20 %, gravity off, its L5-S1 moment on the pad")
    print("20 %% diagnostics: gravity off %.0f s, gravity's L5-S1 moment on the pad %.0f s" % (no_gravity, on_pad))
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
