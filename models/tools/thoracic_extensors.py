#!/usr/bin/python3
"""The thoracic extension demand of quiet standing and who carries it (docs/sources/thoracic_extensors.md §1).

Neutral standing (every joint at 0), reference subject, default criterion (activation², no reserves
expected). Three tables:

1. Per joint T1-T2 … T12-L1 (and the lumbar joints for comparison): the extension demand; the
   extension capacity (PCSA × 100 N/cm² × extension moment arm, both sides, full activation) of all
   fascicles crossing it, and of those crossing it but no lumbar joint (L1-L2 … L5-S1; the
   "thoracic-only" set); the extension moment the solution takes from the thoracic-only set, from the
   extensors that also cross a lumbar joint, and the flexion moment of the abdominal wall.
2. The busiest fascicles (right side) with what kind they are.
3. Why a fascicle is active (`--why NAME`, default E0_R9_r and LTpT_T1_r): with Σa² and no bound
   active, the optimality condition is 2 aᵢ = F^actᵢ Σ_k R_ki λ_k, λ the multipliers of the equilibrium
   rows. λ is recovered by least squares from the free fascicles (fit residual printed), and aᵢ is
   split over the rows k: the rows whose terms add up to the activation are the rows that call for it.

    PYTHONPATH=build/python /usr/bin/python3 models/tools/thoracic_extensors.py [models/full_spine.yaml]
"""
import argparse
import os

import numpy as np
import yaml

SIGMA = 1.0e6  # N/m², muscle_defaults.all (spine_sources.py); only used for the capacity columns
LUMBAR = ["L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"]
ABDOMINAL = ("rectus_abdominis", "external_oblique", "internal_oblique")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", nargs="?", default=os.path.join(here, "..", "full_spine.yaml"))
    ap.add_argument("--why", nargs="*", default=["E0_R9_r", "LTpT_T1_r"], help="fascicles to explain (table 3)")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--detail", nargs="*", default=["T9-T10", "L4-L5"],
                    help="joints whose largest extension/flexion contributions are listed (table 1b)")
    args = ap.parse_args()
    import paraspine._core as core  # needs build/python on PYTHONPATH

    model = core.Model.load(args.model)
    f = core.static_frame(model)
    R, a, F, tau = (np.asarray(f[k]) for k in ("moment_arm", "activation", "muscle_force", "tau"))
    names, groups = list(model.muscle_names), list(model.muscle_groups)
    src = yaml.safe_load(open(args.model))
    pcsa = {m["name"]: m["pcsa"] for m in src["muscles"]}
    cap_f = np.array([SIGMA * pcsa[n[:-2]] for n in names])  # N at full activation (no force-length)
    jn = list(model.joint_names)
    ext = -R[0::3, :]  # extension moment arm per joint (rows 3j are flexion), m
    crosses = np.abs(R.reshape(len(jn), 3, -1)).max(axis=1) > 1e-6
    lumbar = crosses[[jn.index(j) for j in LUMBAR]].any(axis=0)
    abdominal = np.array([g in ABDOMINAL for g in groups])
    thoracic_only = ~lumbar
    print("reserve max %.3g N·m, equilibrium residual %.2g N·m" % (np.abs(f["reserve"]).max(), f["equilibrium_residual"]))
    print("\n| joint | demand N·m | capacity all extensors N·m | thoracic-only capacity N·m | solution: thoracic-only "
          "| extensors also crossing lumbar | abdominal wall | other |")
    print("|---|---|---|---|---|---|---|---|")
    order = ["T1-T2", "T2-T3", "T3-T4", "T4-T5", "T5-T6", "T6-T7", "T7-T8", "T8-T9", "T9-T10", "T10-T11",
             "T11-T12", "T12-L1"] + LUMBAR[:2] + LUMBAR[2:]
    for j in order:
        k = jn.index(j)
        e = ext[k]
        pos = e > 0
        cap_all = (cap_f * e)[pos].sum()
        cap_t = (cap_f * e)[pos & thoracic_only].sum()
        m = F * e
        sol_t = m[thoracic_only & ~abdominal].sum()
        sol_l = m[lumbar & ~abdominal].sum()
        sol_ab = m[abdominal].sum()
        other = -tau[3 * k] - sol_t - sol_l - sol_ab
        print("| %s | %.2f | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f |"
              % (j, -tau[3 * k], cap_all, cap_t, sol_t, sol_l, sol_ab, other))
    print("\n(solution columns: extension moment, N·m; 'other' = passive laws, IAP and reserves)")
    for j in args.detail:
        k = jn.index(j)
        m = F * ext[k]
        print("\n%s: largest contributions (both sides summed, N·m; + extension)" % j)
        base = {}
        for i, n in enumerate(names):
            base[n[:-2]] = base.get(n[:-2], 0.0) + m[i]
        for n, v in sorted(base.items(), key=lambda t: -abs(t[1]))[:12]:
            i = names.index(n + "_r")
            print("  %-24s %+6.2f  (%s%s)" % (n, v, groups[i], ", crosses lumbar" if lumbar[i] else ""))

    print("\n| fascicle (right) | group | PCSA cm² | activation | crosses a lumbar joint | extension arm at T7-T8 / T12-L1 / L5-S1 cm |")
    print("|---|---|---|---|---|---|")
    right = [i for i, n in enumerate(names) if n.endswith("_r")]
    for i in sorted(right, key=lambda i: -a[i])[: args.top]:
        arms = "/".join("%.1f" % (100 * ext[jn.index(j), i]) if crosses[jn.index(j), i] else "—"
                        for j in ("T7-T8", "T12-L1", "L5-S1"))
        print("| %s | %s | %.2f | %.1f %% | %s | %s |" % (names[i], groups[i], 1e4 * pcsa[names[i][:-2]],
                                                          100 * a[i], "yes" if lumbar[i] else "no", arms))

    # λ from the free fascicles: 2 a_i = Fact_i R_i·λ  (Fact_i = F_i / a_i; passive force is ~0 in standing)
    free = (a > 1e-3) & (a < 0.99)
    fact = np.where(a > 0, F / np.maximum(a, 1e-12), 0.0)
    A = (R[:, free] * fact[free]).T
    lam, *_ = np.linalg.lstsq(A, 2 * a[free], rcond=None)
    fit = A @ lam / 2
    print("\nλ fit over %d free fascicles: max |a − a_fit| = %.2g (largest a %.3f)"
          % (free.sum(), np.abs(fit - a[free]).max(), a[free].max()))
    axes = ["flexion", "lateral bending", "axial rotation"]
    for name in args.why:
        if name not in names:
            continue
        i = names.index(name)
        terms = fact[i] * R[:, i] * lam / 2
        print("\n%s: activation %.1f %% = Σ_k F_act R_k λ_k / 2 over the rows below (|term| ≥ 0.3 %%):" % (name, 100 * a[i]))
        print("| row | moment arm cm | λ_k | share of activation |")
        print("|---|---|---|---|")
        for k in np.argsort(-np.abs(terms)):
            if abs(terms[k]) < 0.003:
                break
            print("| %s %s | %+.2f | %+.3g | %+.1f %% |" % (jn[k // 3], axes[k % 3], 100 * R[k, i], lam[k], 100 * terms[k]))
        print("sum of all rows: %.1f %%" % (100 * terms.sum()))


if __name__ == "__main__":
    main()
