#!/usr/bin/python3
"""The model's passive neck extension moment in flexion, against the in vivo checks of
docs/sources/passive_neck.md (§0: C1 Bishop et al. 1994 ceiling, C2 cervical flexion-relaxation).

    /usr/bin/python3 models/tools/passive_neck.py            # table (the numbers of passive_neck.md §3)
    /usr/bin/python3 models/tools/passive_neck.py --svg      # also docs/images/passive_neck.svg

The posture is the one scenarios/forward_head_posture.yaml holds: a tilt θ of the head relative to
the thorax-and-below spread as that scenario spreads it — T1-T2 … T4-T5 Fiebert's per-level values ×
θ / 80.87°, the rest 1/3 to the head region (C0-C1, C1-C2) and 2/3 to the cervical region (C2-C3 …
C7-T1), each region by the model's own flexion rhythm; trunk below T5 neutral. θ = 80.87° is full
flexion (head on thorax 66.5°, scenario_kinematics.md §4.1), so θ / 80.87° is the fraction of full
flexion that the flexion–relaxation data are given in.

At every level it prints, in N·m of extension: the joint's passive law, the passive fibre force ×
moment arm of every muscle (the sum models/tools/passive_in_vivo.py uses for the lumbar fit), their
sum, and the gravity flexion moment of everything above the joint (−∂V/∂q of the segments the joint
carries; the arms hang from T1 and are not above any neck level). Nothing here changes the model.
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_full_spine as B  # noqa: E402
import passive_in_vivo  # noqa: E402
from spine_sources import ROOT, path_length  # noqa: E402

G = 9.81
# scenarios/forward_head_posture.yaml (Fiebert 1993 × θ / 80.87°, scenario_kinematics.md §4.1)
FULL_TILT_DEG = 80.87
FIEBERT_DEG = {"T1-T2": 2.88, "T2-T3": 4.42, "T3-T4": 4.19, "T4-T5": 2.88}
HEAD_SHARE = 1.0 / 3.0          # of what the thorax does not take: head region 1/3, cervical 2/3
NECK_LEVELS = ("C0-C1", "C1-C2", "C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7", "C7-T1")
THORACIC_LEVELS = tuple(FIEBERT_DEG)
BISHOP_CEILING_NM = 10.0        # Bishop et al. 1994, abstract [V]: tolerable moments < 10 N·m on average
FRP_ONSET_FRACTION = (0.726, 0.763)   # Pialasse et al. 2010, abstract [V]: silence from 72.6–76.3 % of max


def posture(M, tilt_deg):
    """{joint: (flexion rad, 0, 0)} of forward_head_posture at head-on-trunk tilt θ."""
    reg = {r["name"]: r for r in M["regions"]}
    q = {j: (math.radians(v * tilt_deg / FULL_TILT_DEG), 0.0, 0.0) for j, v in FIEBERT_DEG.items()}
    rest = tilt_deg - sum(v * tilt_deg / FULL_TILT_DEG for v in FIEBERT_DEG.values())
    for name, deg in (("head", rest * HEAD_SHARE), ("cervical", rest * (1.0 - HEAD_SHARE))):
        for j, sh in zip(reg[name]["joints"], reg[name]["shares"][0]):
            q[j] = (math.radians(deg * sh), 0.0, 0.0)
    return q


def gravity_flexion_moment(chain, segs, q, joint, h=1e-6):
    """−∂V/∂q_flexion (N·m) of the segments distal to `joint` (y is up in the chain's frame)."""
    child = chain.joint_of[joint]
    distal, names = set(), [child]
    kids = {}
    for s in chain.segs:
        kids.setdefault(s.get("parent"), []).append(s["name"])
    while names:
        n = names.pop()
        distal.add(n)
        names.extend(kids.get(n, []))
    by_name = {s["name"]: s for s in segs}

    def V(dq):
        qq = dict(q)
        f = qq.get(joint, (0.0, 0.0, 0.0))
        qq[joint] = (f[0] + dq, f[1], f[2])
        P = chain.poses(qq)
        return sum(by_name[n]["mass"] * G * (P[n][1] + P[n][0] @ np.asarray(by_name[n]["com"], float))[1]
                   for n in distal)
    return -(V(h) - V(-h)) / (2 * h)


def strain_of(m):
    return m["passive_strain"][0] if "passive_strain" in m else passive_in_vivo.DEFAULT_PASSIVE_STRAIN


def flexion_laws(ranges):
    """The ranges with each joint's flexion-side law under "positive" (the thoracic laws are written
    "both": one law for both directions), as passive_in_vivo.passive_extension_moment reads them."""
    out = {}
    for j, ex in ranges.items():
        p = ex["passive"][0]
        out[j] = {"passive": [{"positive": p["positive"] if "positive" in p else p["both"]}]}
    return out


NECK_SEGMENTS = {"C1", "C2", "C3", "C4", "C5", "C6", "C7", "head"}


def crosses_neck(m):
    return any(seg in NECK_SEGMENTS for seg, _ in m["path"])


def table(M, tilts, levels=NECK_LEVELS + THORACIC_LEVELS, strain=strain_of):
    """{tilt: {joint: (law, muscles, gravity)}} in N·m."""
    chain = B.chain_of(M["segs"])
    laws = flexion_laws(M["ranges"])
    out = {}
    for t in tilts:
        q = posture(M, t)
        row = {}
        for j in levels:
            law, mus = passive_in_vivo.passive_extension_moment(chain, path_length, M["muscles"], laws, q, j,
                                                                strain)
            row[j] = (law, mus, gravity_flexion_moment(chain, M["segs"], q, j))
        out[t] = row
    return out


def muscle_shares(M, tilt, joint, top=8):
    """The muscles' passive extension moments at `joint` (N·m, both sides), largest first."""
    chain = B.chain_of(M["segs"])
    q = posture(M, tilt)
    no_law = {j: {"passive": [{"positive": (0.0, 0.0)}]} for j in M["ranges"]}
    shares = []
    for m in M["muscles"]:
        _, mus = passive_in_vivo.passive_extension_moment(chain, path_length, [m], no_law, q, joint, strain_of)
        if abs(mus) > 1e-3:
            shares.append((mus, m["name"], m["group"]))
    shares.sort(reverse=True)
    return shares[:top]


def checks(M, strain=strain_of):
    """(C1: largest neck passive moment at full flexion, N·m and level; C2: largest passive / gravity
    ratio up to the silence onset, with its level and tilt)."""
    onset = FRP_ONSET_FRACTION[0] * FULL_TILT_DEG
    T = table(M, (15.0, 30.0, 45.0, onset, FULL_TILT_DEG), levels=NECK_LEVELS, strain=strain)
    c1 = max((law + mus, j) for j, (law, mus, _) in T[FULL_TILT_DEG].items())
    c2 = max(((law + mus) / grav, j, t) for t in (15.0, 30.0, 45.0, onset) for j, (law, mus, grav) in T[t].items())
    return c1, c2


def what_if():
    """Printed only, never written into the model: how far the two candidate parameters move C1 and C2
    (docs/sources/passive_neck.md §4). No value here is adopted: no source meets criterion F."""
    print("WHAT-IF (not adopted): C1 = largest passive moment at full flexion (in vivo < 10 N·m); "
          "C2 = largest passive/gravity up to 72.6 % of full flexion (in vivo ≤ 1)")
    M = B.build()
    for e0 in (0.6, 1.0, 1.5, 2.0, 3.0, 5.0):
        (c1, j1), (c2, j2, t2) = checks(M, lambda m: e0 if crosses_neck(m) else strain_of(m))
        print("   e0 %.1f for every muscle crossing a neck level: C1 %.2f N·m (%s)  C2 %.2f (%s, %.1f°)" % (
            e0, c1, j1, c2, j2, t2))
    M = B.build("source")
    (c1, j1), (c2, j2, t2) = checks(M)
    print("   neck fibres at the source file's neutral operating point (--neck-anchor source), e0 0.6: "
          "C1 %.2f N·m (%s)  C2 %.2f (%s, %.1f°)" % (c1, j1, c2, j2, t2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--svg", action="store_true", help="also write docs/images/passive_neck.svg")
    ap.add_argument("--what-if", action="store_true",
                    help="also print C1/C2 for softer neck passive strains and for the source neck operating point "
                         "(diagnostic only: nothing is written)")
    args = ap.parse_args()
    if args.what_if:
        what_if()
    M = B.build()
    tilts = (15.0, 30.0, 45.0, 60.0, round(FRP_ONSET_FRACTION[0] * FULL_TILT_DEG, 2), FULL_TILT_DEG)
    T = table(M, tilts)
    print("passive extension moment, N·m: law + passive muscles = total | gravity flexion moment of the parts above")
    for t in tilts:
        print("tilt %.2f° (%.1f %% of full flexion):" % (t, 100 * t / FULL_TILT_DEG))
        for j, (law, mus, grav) in T[t].items():
            flag = []
            if j in NECK_LEVELS and law + mus > grav and t <= FRP_ONSET_FRACTION[0] * FULL_TILT_DEG + 1e-9:
                flag.append("C2 fails (passive > gravity before the silence)")
            if j in NECK_LEVELS and law + mus > BISHOP_CEILING_NM:
                flag.append("C1 fails (> %.0f N·m)" % BISHOP_CEILING_NM)
            print("   %-6s %6.2f + %6.2f = %6.2f | %5.2f  ratio %5.1f  %s" % (
                j, law, mus, law + mus, grav, (law + mus) / grav if grav > 1e-9 else float("nan"), "; ".join(flag)))
    for t, j in ((45.0, "C0-C1"), (60.0, "C0-C1"), (60.0, "C4-C5")):
        print("largest passive muscle moments at %s, tilt %.0f° (N·m, both sides):" % (j, t))
        for mus, name, grp in muscle_shares(M, t, j):
            print("   %-26s %-22s %6.2f" % (name, grp, mus))
    if args.svg:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        degs = [float(d) for d in range(0, 81, 4)] + [FULL_TILT_DEG]
        C = table(M, degs, levels=("C0-C1", "C4-C5", "C7-T1"))
        plt.rcParams["svg.hashsalt"] = "paraspine"
        fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharey=True)
        for ax, j in zip(axes, ("C0-C1", "C4-C5", "C7-T1")):
            law = [C[d][j][0] for d in degs]
            tot = [C[d][j][0] + C[d][j][1] for d in degs]
            grav = [C[d][j][2] for d in degs]
            ax.plot(degs, law, ":", color="0.4", label="joint law (in vitro)")
            ax.plot(degs, tot, "-", color="tab:red", label="law + passive muscle fibres")
            ax.plot(degs, grav, "--", color="tab:blue", label="gravity flexion moment of the parts above")
            ax.axhline(BISHOP_CEILING_NM, color="k", lw=0.8)
            ax.text(1, BISHOP_CEILING_NM + 0.5, "relaxed tolerable moment < 10 N·m on average (Bishop 1994)",
                    fontsize=6)
            ax.axvspan(FRP_ONSET_FRACTION[0] * FULL_TILT_DEG, FRP_ONSET_FRACTION[1] * FULL_TILT_DEG, color="0.85")
            ax.text(FRP_ONSET_FRACTION[0] * FULL_TILT_DEG - 1, 30, "extensors fall silent\n(Pialasse 2010)",
                    ha="right", fontsize=6, color="0.3")
            for hold in (15, 30, 45, 60):
                ax.axvline(hold, color="0.8", lw=0.5)
            ax.set_title("%s, forward_head_posture spread" % j, fontsize=9)
            ax.set_xlabel("head tilt on the trunk θ (°; full flexion %.2f°)" % FULL_TILT_DEG)
            ax.grid(alpha=0.3)
        axes[0].set_ylabel("extension moment (N·m)")
        axes[0].legend(fontsize=7, loc="upper left")
        fig.tight_layout()
        out = os.path.join(ROOT, "docs", "images", "passive_neck.svg")
        fig.savefig(out, metadata={"Date": None})
        print("wrote", os.path.relpath(out, ROOT))


if __name__ == "__main__":
    main()
