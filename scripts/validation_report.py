#!/usr/bin/python3
"""Regenerates docs/validation.md and its predicted-vs-measured plot from `paraspine validate --json`.

    /usr/bin/python3 scripts/validation_report.py                  # runs build/paraspine validate --json
    /usr/bin/python3 scripts/validation_report.py --json v.json    # from a saved run

Writes docs/validation.md, docs/validation_scatter.svg and docs/validation_scatter.png. Everything
in the report comes from the JSON (numbers) and from tests/validation/ (case and scenario texts), so
the report never disagrees with what `paraspine validate` prints.
"""
import argparse
import json
import math
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import yaml  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_validate(cli):
    r = subprocess.run([cli, "validate", "--json"], capture_output=True, text=True, cwd=ROOT)
    if r.returncode not in (0, 3):  # 3: cases outside tolerance, which the report shows
        sys.exit(f"validation_report: {cli} validate failed ({r.returncode}):\n{r.stderr}")
    return json.loads(r.stdout)


def fmt(v, unit=None):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    a = abs(v)
    return f"{v:.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}"


def rel(path):
    return os.path.relpath(os.path.join(ROOT, path), ROOT) if not os.path.isabs(path) else os.path.relpath(path, ROOT)


def measured_text(c):
    """The measured column: a value, or a published bound as '< 300' / '> 300'."""
    return {"upper": "< ", "lower": "> "}.get(c.get("bound"), "") + fmt(c["measured"])


def tolerance_text(c):
    return {"upper": "+", "lower": "−"}.get(c.get("bound"), "±") + f"{c['tolerance_pct']:g}"


def scatter(cases, svg, png):
    """One panel per unit (MPa, ratio, N, other), identity line, known failures hollow. A bound case
    (measured is a published '< x') is drawn at x with a bar along the side it allows."""
    panels = [("MPa", "intradiscal pressure, MPa"), ("ratio", "ratio"), ("N", "force, N"), ("other", "degrees / seconds")]
    fig, axes = plt.subplots(2, 2, figsize=(12, 12))
    axes = axes.ravel()
    markers = "osD^v<>ph*"
    datasets = list(dict.fromkeys(c["dataset"] for c in cases))
    for ax, (unit, label) in zip(axes, panels):
        sel = [c for c in cases if (c["unit"] == unit if unit != "other" else c["unit"] not in ("MPa", "ratio", "N"))]
        hi = 0.0
        for c in sel:
            if c["predicted"] is None:
                continue
            k = datasets.index(c["dataset"])
            filled = c["pass"]
            ax.plot(c["measured"], c["predicted"], markers[k % len(markers)], ms=8, color=f"C{k}",
                    markerfacecolor=f"C{k}" if filled else "none", label=c["dataset"])
            if c.get("bound") == "upper":  # the measured side: anything below the bound
                ax.plot([0, c["measured"]], [c["predicted"]] * 2, "-", lw=1, color=f"C{k}", alpha=0.6)
            elif c.get("bound") == "lower":
                ax.plot([c["measured"], 1.1 * max(c["measured"], c["predicted"])], [c["predicted"]] * 2, "-",
                        lw=1, color=f"C{k}", alpha=0.6)
            ax.annotate(c["name"].replace("wilke_", "").replace("_mpa", "").replace("_ratio", ""),
                        (c["measured"], c["predicted"]), fontsize=7, xytext=(5, -3), textcoords="offset points")
            hi = max(hi, c["measured"], c["predicted"])
        hi = 1.1 * hi if hi > 0 else 1
        ax.plot([0, hi], [0, hi], "k-", lw=0.8, label="identity")
        ax.set_xlim(0, hi), ax.set_ylim(0, hi)
        ax.set_aspect("equal")
        ax.set_xlabel(f"measured ({label})"), ax.set_ylabel("predicted")
        ax.grid(alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        uniq = dict(zip(labels, handles))
        ax.legend(uniq.values(), uniq.keys(), fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    for c in cases:
        if c["predicted"] is None:
            axes[3].text(0.03, 0.03, f"{c['name']}: no prediction\n(measured {fmt(c['measured'])} {c['unit']})",
                         transform=axes[3].transAxes, fontsize=7, color="C3")
    fig.suptitle("paraspine: predicted vs measured (filled: within tolerance; hollow: outside; black: identity)", fontsize=11)
    fig.tight_layout()
    # No dates in the files, so regenerating an unchanged report changes nothing.
    plt.rcParams["svg.hashsalt"] = "paraspine"
    fig.savefig(svg, metadata={"Date": None})
    fig.savefig(png, dpi=110, metadata={"Software": None})
    plt.close(fig)



# Predictions before the third pass over the cases (docs/validation.md as of main cc80797), kept so the
# page shows what each change did. Cases added in that pass have no earlier value.
BEFORE = {  # case: (predicted, error %)
    "wilke_standing_relaxed_mpa": (0.44, -11.1), "wilke_standing_flexed_mpa": (1.10, 0.4),
    "wilke_sitting_relaxed_mpa": (0.35, -24.2), "wilke_sitting_max_flexion_mpa": (2.54, 205.5),
    "wilke_lift_round_back_mpa": (2.92, 26.8), "wilke_lift_knees_bent_mpa": (2.57, 51.4),
    "wilke_hold_close_mpa": (1.82, 65.0), "wilke_standing_flexed_ratio": (2.48, 12.9),
    "wilke_sitting_relaxed_ratio": (0.78, -14.8), "wilke_sitting_max_flexion_ratio": (5.70, 243.4),
    "wilke_lift_round_back_ratio": (6.56, 42.6), "wilke_lift_knees_bent_ratio": (5.79, 70.2),
    "wilke_hold_close_ratio": (4.08, 85.5), "callaghan_standing_compression": (607, -43.6),
    "callaghan_sitting_compression": (464, -72.6), "callaghan_sitting_over_standing": (0.77, -51.5),
    "kingma_squat_over_stoop_compression": (0.98, -16.1), "kingma_squat_over_stoop_shear": (0.93, -6.9),
    "kingma_stoop_shear": (1109, -11.3), "kippers_flexion_relaxation_angle": (None, None),
    "biering_sorensen_endurance": (70.2, -37.9),
}
# Cases whose published reference changed since that pass: the measured value the "before" error was
# taken against (session 6: the default man against healthy men, not 561 adults of both sexes).
BEFORE_MEASURED = {"biering_sorensen_endurance": 113}

CHANGES_TEXT = """## What changed in the third pass, and why

Each change is a modelling correction with its source, made before looking at its effect on the
agreement; none adjusts a posture or a constant toward a measured value.

1. **Lumbar flexion rhythm consistent with the passive laws** (`models/tools/build_full_spine.py`,
   `lumbar_flexion_shares_from_ranges`). The lumbar region spread its flexion with Christophy 2012's
   shares (L5-S1 0.125 … L1-L2 0.255, upper levels most), while each level's passive law is fitted to
   Yamamoto 1989's in vitro range (L5-S1 10.0° … L1-L2 5.8°, upper levels least). In Wilke's maximal
   seated flexion (lumbar 44°) the rhythm drove L1-L2 to 11.2°, 1.9 times its range, where its
   exponential law gives 73 N·m of passive extension, more than the 47 N·m the trunk's weight asks
   there: to hold the prescribed posture the solver pulled the trunk down with the obliques at full
   activation plus a 29 N·m flexion reserve, and the erectors fought both (3066 N at L4-L5, 2.54 MPa
   against 0.83). A serial chain of passive joints under nearly the same moment shares its flexion in
   proportion to each joint's compliance, i.e. to its range at the common test moment: the rule the
   thoracic region already used. The shares are now ∝ Yamamoto's flexion ranges (L5-S1 0.258 … L1-L2
   0.150); lower levels flexing more is also what biplanar radiography shows in vivo (Pearcy 1984, Spine
   9:294). At 44° every level now sits at 1.14 times its range, L1-L2 at 6.6°, no reserve, no oblique
   pulling, 1437 N. The lumbar region can now reach 77° (twice the sum of the ranges) instead of 45°, so
   the flexion–relaxation case goes to the in vivo maximum, lumbar 54° (Kippers & Parker 1984: 48° at
   silence = 89 % of maximum). Lateral bending and axial rotation keep their shares. Side effects
   measured: standing flexed 1325 → 1175 N, sitting relaxed 419 → 398 N (now just outside ±25 %), the
   stoop lift peak 3510 → 3375 N (now inside ±25 %); `models/lumbar.yaml` (the lumbar-only model) keeps
   Christophy's shares.
2. **The three Wilke postures that needed supports are modelled** with the issue-6 scenario features:
   lying prone and lying on the side (every segment `resting` on the couch) and nonchalant sitting
   slouched against a 21° backrest (AMMR's reading of Wilke 2001 Fig. 6b; a backrest force on T7 that
   takes the upper body's moment at L4-L5). All three miss, for reasons the scenario headers and the
   list above give: the model has no disc swelling pressure (lying), and the thoracic co-contraction
   of the open finding in docs/model.md loads L4-L5 even when the backrest holds the trunk.
3. **Checked and left alone**: the stoop lift's peak is not an inertial spike (the static grasp with
   the box gives 95 % of it); the 20 kg hold has the load where AMMR's model of Wilke 2001 Fig. 3d puts
   it (box 0.32 m in front of the ankles, 1.2 m high; ours 0.25 m in front of the anterior iliac
   spines, 1.18 m high), 0.34 m in front of L4-L5, which alone adds 66 N·m there (a misreading,
   corrected in the sixth pass below: that is the crate's load-time position); the AMMR model of
   the knees-bent lift (Fig. 3b) flexes the trunk further than ours (pelvis 32°, thorax on pelvis 38°,
   knees 85°), so its posture would not lower our prediction; AMMR keeps the pelvis at its standing
   orientation in every seated model, so its 44° of seated flexion is the thorax's inclination, which
   our pelvis 0° / lumbar 44° reproduces (from our seated pelvis, −18°, it would need lumbar 62°, past
   the in vivo maximum; the sixth pass found that AMMR's seated pelvis is not held there, below).
   Callaghan & McGill's 1076 N (standing)
   and 1698 N (sitting) are EMG-driven model estimates, not measurements: the comparison is model
   against model, and their EMG carries co-contraction that static optimization does not produce.

**Fourth pass (session 3).** Two model changes, neither aimed at a case: (1) the short deep muscles
the source models lack (semispinalis and rotatores thoracis, levatores costarum, the small neck
muscles; docs/model.md) — the slouched-against-a-backrest case fell from 0.42 to 0.31 MPa and now
passes, absolute and normalized, because the thoracic co-contraction it carried is gone; (2) in vivo
passive stiffness of the lumbar extensors (their passive fibre strain e0 = 0.341 instead of De
Groote's 0.6, solved so that the whole passive extension moment at the in vivo full lumbar flexion
equals the 120 N·m Dolan, Mannion & Adams 1994 measured in men; docs/sources/passive_in_vivo.md) —
the erectors now fall silent at lumbar 53.1° (Kippers & Parker: 48 ± 6°) and the flexion–relaxation
case passes. (The third pass's "a fifth of the moment is passive" counted only the joint laws: the
stretched fibres already carried 39 N·m at L4-L5 at 54°, hidden in the muscle column.) The same
stiffness made seated maximal flexion worse (1.20 → 1.30 MPa): a passive fibre pulls along the same
line as an active one, so carrying the moment passively does not unload the disc in this model.

**Fifth pass (session 3): intra-abdominal pressure.** The loaded tasks (lifts, the 20 kg hold)
were over-predicted by 22–65 % in absolute pressure while relaxed standing was 11 % low. The model
now has intra-abdominal pressure (docs/mechanics.md, sources docs/sources/iap.md): on the cuts
L3-L4, L4-L5 and L5-S1 (below the diaphragm's crura) the pressurized abdomen distracts the disc by
p·A and carries an extension moment p·A·d, with p prescribed from the net L4-L5 extension moment by
the in vivo relation of Mairiaux et al. 1984 (0.079 M − 1.127 kPa, bounded by 26.6 kPa), A = 465 cm²,
d = 7 cm — constants chosen from their sources before the cases were run, none changed after (the
list of levels was narrowed once, after a reserve test failed, which made the agreement worse;
docs/mechanics.md "Levels" gives both results). Below 14.3 N·m there is no pressure, so standing,
sitting and lying are unchanged. The knees-bent lift (9.9 kPa) falls from 2.57 to 2.02 MPa (+19 %,
now within ±25 %), the round-back lift from 2.82 to 1.96 MPa (−15 %) and its ratio to standing now
passes (−4 %), the 20 kg hold (4.9 kPa) from 1.82 to 1.62 MPa (+48 %, still out; 1.30 with the
pressure also on L1-L2 and L2-L3), Kingma's squat/stoop compression ratio from 1.00 to 1.08 (passes).
Standing flexed went from −10 % to −24 % (still within), seated maximal flexion from +57 % to +32 %.
One case got worse: Kingma's stoop L5-S1 shear, 1113 → 1022 N (−18 %, now outside ±12 %), because
the extensors pull less. The relations for IAP disagree by a factor of two to three (Chaffin's gives
2.3 kPa at 100 N·m where Mairiaux's gives 6.8), so the size of this relief is uncertain.

**Sixth pass (session 4): where the hands are, what the seated pelvis does, and the disc's own
pressure.** Readings of the sources checked again; nothing was changed toward a measured value.

1. **The 20 kg hold grips where AMMR's arm posture holds the crate** (`wilke_hold_close.yaml`).
   AMMR hangs the crate on the hands (box↔glove revolute joints; the crate's own position driver is
   commented out) and drives the arms from its mannequin: glenohumeral flexion −10° on a thorax
   leaning back 5°, elbows 120°. The third pass took the crate's load-time position (r0 0.32 m in
   front of the ankles) instead. With this model's shoulder (carried by T1) and de Leva's arm
   segments the grip is 0.253 m in front of and 0.185 m below the shoulder: 0.235 m in front of
   L4-L5 instead of 0.34 m. L4-L5 falls from 1947 to 1562 N, 1.62 → 1.30 MPa (+48 % → +18 %, within
   ±25 %); AMMR's sternoclavicular protraction, left out, moves the shoulder by about ±0.03 m
   (1.22–1.39 MPa). The ratio to standing (2.93, +33 %) still fails: the baseline is 11 % low, and the
   arms hang from T1, so the upper thoracic levels carry the crate's whole moment (T1-T2 65 N·m, 25
   N·m of it by reserves, the thoracic erectors at full activation) where in vivo the shoulder girdle
   passes arm loads into the rib cage over many levels. The load path does not change the L4-L5
   moment (the moment of every weight above the cut), only the recruitment of the long erectors.
2. **AMMR's seated maximal flexion rolls the pelvis forward** (`wilke_sitting_max_flexion.yaml`). Its
   pelvis 0.38° is the mannequin's load-time value; the model's drivers leave the pelvis free on the
   seat and couple it to the trunk (ThoraxThighRhythm, 0.5·(hip_r + hip_l) + 2.7·(thorax–pelvis) = 0):
   with 44° of thorax–pelvis flexion, hip flexion 119° against the mannequin's 85°, the pelvis about
   34° forward, the thorax about 78° from upright — and its arms, at 73° glenohumeral flexion, then
   hang plumb. Read this way, this model gives 1.31 MPa (+57 %) instead of 1.10 (+32 %): a deeper bend
   makes the miss larger, so the miss is not the trunk's inclination. The posture was left as it was
   (AnyBody's sign conventions were not checked by running it); the open question is a support the
   abstract does not mention (forearms on the thighs, which AMMR gives its upright seated model).
   The knees-bent lift was not re-read either: AMMR's mannequin for Fig. 3b differs between versions
   (pelvis −32°, thorax 38°, knees 85° at one; pelvis 20°, thorax 65°, knees 25° at another), and both
   are load-time values that its ground and balance constraints move.
3. **No disc swelling pressure yet.** The relation p = p0 + k·F/A needs an unloaded (osmotic)
   nucleus pressure p0 from a source independent of Wilke's lying measurement. Searched with the
   `search` tool: Nachemson's summary (abstract reached: relative in vivo loads only), McNally & Adams
   1992 stress profilometry and Adams, McNally & Dolan 1996 (abstracts reached: no unloaded value),
   Johnstone et al. 1992 on swelling-pressure profiles (abstract reached: no number), Urban & McMullin
   1988 (not reached), Wilke et al. 2020's in vitro pressures at 0 N·m (thoracic; the value lies past
   the part reached); Sato et al. 1999 measured lying in vivo, the same kind of measurement as Wilke's,
   so it would not be independent. None gave a number, so p0 stays 0. Note for
   whoever adds it: the model already puts 69 N (0.06 MPa) on L4-L5 lying down (passive psoas and
   the oblique balancing it), so a p0 as large as Wilke's own lying value would overshoot lying by
   about 60 %; p0 and the lying compression have to be settled together.
4. **The two lifts swap places in the rank order**, and the published data disagree on their
   order: Wilke's one subject had the knees-bent lift 26 % below the round-back lift (1.7 against
   2.3 MPa), Kingma et al.'s ten men had squat compression 17 % above stoop (floor-level box, feet
   behind it). The model gives knees-bent / round-back = 1.03 (2.02 / 1.96 MPa) — between the two —
   with the squat grip less far forward (0.25 against 0.38 m in front of the pelvis origin); which
   way it goes depends on the load's distance from L5-S1, which Wilke's abstract does not give.

**Seventh pass (session 5): the disc's area comes from the model.** The L1-L2 … L5-S1 joints now
carry their disc's cross-sectional area (docs/model.md §9: the L4-L5 disc of Wilke's own subject,
18.0 cm² at 70 kg and 1.68 m [secondary], carried between levels by Panjabi 1992's endplate widths
and between subjects by the model's cross-section scaling), and the conversion divides by the
scenario's scaled L4-L5 area instead of a stated 18 cm²: 17.62 cm² in every Wilke scenario (his
70 kg at the model's 1.716 m), so every absolute pressure rose by 2.2 % (table under "Compression →
intradiscal pressure"); no case changed status, the ratios did not move. The correction factor
(k = 1.5) and an unloaded swelling term were searched for again: k's primary source was still not
reached, and no relation with a sourced unloaded pressure was found (Urban & McMullin 1988's
0.10–0.23 MPa is the swelling pressure of discs at their post-mortem hydration, i.e. the load they
carried, not an offset), so the lying cases stay known failures.

**Eighth pass (session 6): the conversion searched again, nothing changed.** The primary source
of k = 1.5 and an unloaded (pre-stress, swelling) pressure p0 independent of Wilke's lying values
were searched for before any effect on the agreement was looked at (docs/sources/disc_pressure.md
lists every source with its tag). Nachemson's citations were confirmed but not the passage with k,
so k stays recalled; Adams, McNally & Dolan 1996 (abstract) show the nucleus pressure of a loaded
disc falls 30 % with degeneration, i.e. k is not a constant. No unloaded pressure of healthy lumbar
discs other than in vivo lying values, and no relation p = p0 + k·F/A with both constants from one
fit, was reached (Nachemson & Evans 1968 and Panjabi et al. 1988's "intrinsic disc pressure" only
as citations). Lisi et al. 2006 (abstract: one volunteer, prone 0.11, side-lying 0.15 MPa) confirm
the size of Wilke's lying values in a second subject, but they are lying values too — lying is not
unloaded (the model has 69 N on L4-L5 there) — so they were not used as p0. Recorded, not applied:
F is the whole joint's compression, the facets carry about 16 % of it upright and none flexed
(Adams & Hutton, quoted secondarily), and whether k was calibrated with the facets in place is in
the unreached primary text. The physics did not change: every prediction is identical before and
after.

**Criterion sensitivity (session 6, not adopted).** Whether the load-sharing criterion is what
separates these figures from AnyBody's (which uses the min/max criterion): every validation scenario
copied with `criterion: minmax` and with `criterion: activation3` (docs/loadsharing.md), the rest
unchanged, `paraspine validate --cases <copy>`. Mean absolute error, activation2 (in use) →
minmax → activation3: Wilke absolute 24.5 → 23.1 → 24.9 %, Wilke normalized 26.6 → 25.7 → 27.1 %,
Callaghan compression 57.8 → 51.6 → 56.2 %. Min/max raises relaxed standing to 0.50 MPa (Wilke's
value) and sitting to 0.45 MPa, but also the 20-kg hold (+33 %) and full seated flexion (+58 %), and
leaves the lying cases low, so the normalized error barely moves. Neither criterion is the missing
piece; the cases listed above are.

**What is left.** The ratios to standing still carry the low standing baseline (−11 %), which
static optimization leaves without the co-contraction EMG shows; at full flexion the model lacks
moment carriers that do not load the disc along its axis (or the seated subject was supported);
lying needs the unloaded pressure of intact lumbar segments and the slope k measured on the same
specimens (one fit, docs/sources/disc_pressure.md §5); arms carried by T1 overload the upper
thoracic levels whenever the hands hold something.
"""



def pearson(x, y):
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):  # ties share their mean rank
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


# The same statistics on the Wilke cases of the first comparison, before and after the third pass.
BEFORE_WILKE_STATS = {"normalized": {"mae": 78.2, "r": 0.756, "rho": 0.812},
                      "absolute": {"mae": 54.9, "r": 0.806, "rho": 0.883}}


def same_set_stats(w, cases):
    w("On the Wilke cases of the first comparison only (6 normalized, 7 absolute postures), so the "
      "figures compare like with like:\n")
    w("| set | mean absolute error % before → now | Pearson r before → now | Spearman ρ before → now |")
    w("|---|---:|---:|---:|")
    for label, unit in (("normalized", "ratio"), ("absolute", "MPa")):
        cs = [c for c in cases if c["name"] in BEFORE and c["dataset"].startswith("Wilke") and c["unit"] == unit
              and c["predicted"] is not None]
        m = [c["measured"] for c in cs]
        p = [c["predicted"] for c in cs]
        mae = sum(abs(c["error_pct"]) for c in cs) / len(cs)
        b = BEFORE_WILKE_STATS[label]
        w(f"| {label} ({len(cs)}) | {b['mae']:.1f} → {mae:.1f} | {b['r']:.3f} → {pearson(m, p):.3f} | "
          f"{b['rho']:.3f} → {pearson(ranks(m), ranks(p)):.3f} |")
    w("")


LUMBAR = ["L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"]

# Wilke's maximal seated flexion (lumbar 44°) under Christophy's flexion shares, before the third pass
# (measured with paraspine at main cc80797): level → (flexion °, net, passive, muscle, reserve N·m of
# extension, compression N).
BEFORE_SEATED_FLEXION = {
    "L5-S1": (5.50, 62.3, 3.0, 59.3, 0.0, 3182), "L4-L5": (8.14, 56.3, 8.5, 47.8, 0.0, 3066),
    "L3-L4": (8.98, 52.8, 13.9, 38.9, 0.0, 2735), "L2-L3": (10.16, 49.9, 20.9, 29.1, 0.0, 2794),
    "L1-L2": (11.22, 46.8, 72.8, 3.0, -29.0, 2060),
}


def level_rows(cli, scenario, frame):
    """Per lumbar level at one frame: flexion (°), moments of extension (N·m), compression (N)."""
    import tempfile

    import h5py
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.h5")
        r = subprocess.run([cli, "run", scenario, "--no-fatigue", "-o", out], capture_output=True, text=True,
                           cwd=ROOT)
        if r.returncode != 0:
            sys.exit(f"validation_report: {cli} run {scenario} failed ({r.returncode}):\n{r.stderr}")
        with h5py.File(out, "r") as f:
            names = [n.decode() if isinstance(n, bytes) else n for n in f["/joints/name"][:]]
            rows = {}
            for lv in LUMBAR:
                j = names.index(lv)
                rows[lv] = (math.degrees(f["/kinematics/joint_angles"][frame, j, 0]),
                            -f["/joints/net_moment"][frame, j, 0], -f["/joints/passive_moment"][frame, j, 0],
                            -f["/joints/muscle_moment"][frame, j, 0], -f["/joints/reserve_moment"][frame, j, 0],
                            f["/joints/compression"][frame, j])
            return rows


def flexion_ranges():
    model = yaml.safe_load(open(os.path.join(ROOT, "models", "full_spine.yaml")))
    ranges = {}
    for seg in model["segments"]:
        jt = seg.get("joint")
        if jt and jt["name"] in LUMBAR:
            ranges[jt["name"]] = jt["range_deg"]["flexion"][1]
    return ranges


def level_table(w, rows, ranges):
    w("| level | flexion ° | × in vitro range | extension needed N·m | passive laws N·m | muscles N·m | "
      "reserve N·m | compression N |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for lv in LUMBAR:
        q, net, pas, mus, res, comp = (round(v, 1) + 0.0 for v in rows[lv])  # no "-0.0"
        w(f"| {lv} | {q:.1f} | {q / ranges[lv]:.2f} | {net:.1f} | {pas:.1f} | {mus:.1f} | {res:.1f} | {comp:.0f} |")
    w("")


def per_level_section(w, cli):
    if not os.path.exists(cli):
        return
    ranges = flexion_ranges()
    w("### Per lumbar level near full flexion\n")
    w("In vitro range: Yamamoto 1989 flexion at 10 N·m, the point each passive law is fitted to. Moments "
      "are of extension (what the tissues must supply against the trunk's forward weight); a negative "
      "reserve is a flexion moment the solver had to add.\n")
    w("Wilke's maximal seated flexion (lumbar 44°), before the third pass (Christophy's flexion shares):\n")
    level_table(w, BEFORE_SEATED_FLEXION, ranges)
    w("The same posture now (flexion shares ∝ the ranges):\n")
    level_table(w, level_rows(cli, "tests/validation/scenarios/wilke_sitting_max_flexion.yaml", 0), ranges)
    w("Flexion–relaxation case at its end (lumbar 54°, the in vivo maximum; trunk 120°):\n")
    level_table(w, level_rows(cli, "tests/validation/scenarios/kippers_flexion_relaxation.yaml", -1), ranges)

def changes_section(w, cases, cli):
    w(CHANGES_TEXT)
    per_level_section(w, cli)
    w("Before and after, every case that existed before this pass (predicted values; error against the "
      "measurement):\n")
    w("| case | measured | before | now | error before % | error now % |")
    w("|---|---:|---:|---:|---:|---:|")
    for c in cases:
        if c["name"] not in BEFORE:
            continue
        b, e = BEFORE[c["name"]]
        eb = "—" if e is None else f"{e:+.1f}"
        en = "—" if c["error_pct"] is None else f"{c['error_pct']:+.1f}"
        m = fmt(c['measured'])
        if c["name"] in BEFORE_MEASURED:
            m += f" (then {fmt(BEFORE_MEASURED[c['name']])}, the error before is against it)"
        w(f"| `{c['name']}` | {m} | {fmt(b)} | {fmt(c['predicted'])} | {eb} | {en} |")
    w("")

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="a saved `paraspine validate --json` output (default: run it)")
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "paraspine"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "validation.md"))
    a = ap.parse_args()
    data = json.load(open(a.json)) if a.json else run_validate(a.cli)
    cases, datasets = data["cases"], data["datasets"]
    if data.get("model_override") and os.path.abspath(a.out) == os.path.abspath(os.path.join(ROOT, "docs", "validation.md")):
        sys.exit("validation_report.py: this output ran every case on %s (validate --model); docs/validation.md is the "
                 "bundled model's report: give --out elsewhere" % data["model_override"])
    docs = os.path.dirname(a.out)
    svg, png = os.path.join(docs, "validation_scatter.svg"), os.path.join(docs, "validation_scatter.png")
    scatter(cases, svg, png)
    cases_file = os.path.join(ROOT, "tests", "validation", "cases.yaml")
    suite = yaml.safe_load(open(cases_file))

    out = []
    w = out.append
    w("# Validation against published in vivo measurements\n")
    w("<!-- Generated by scripts/validation_report.py from `paraspine validate --json`; edit the script, "
      "tests/validation/cases.yaml or the scenarios, not this file. -->\n")
    if data.get("model_override"):
        w(f"**Every case here ran on `{data['model_override']}` (`paraspine validate --model`), not the model its "
          "scenario names.**\n")
    n_pass = sum(c["pass"] for c in cases)
    w(f"`paraspine validate` runs {len(cases)} cases against published measurements"
      + (f" ({len(data['not_modelled'])} more are listed but cannot be modelled yet). " if data["not_modelled"] else ". ") +
      f"**{n_pass} of {len(cases)} are within their tolerance; {len(cases) - n_pass} are not.** "
      + (f"{sum(1 for c in cases if not c['pass'] and not c['known_failure'])} of the failures are not yet marked "
         "or explained. " if any(not c["pass"] and not c["known_failure"] for c in cases) else "") +
      "The failures are kept as failures: the understood ones are marked `known_failure` in "
      "[tests/validation/cases.yaml](../tests/validation/cases.yaml) with the reason, `paraspine validate` "
      "exits with status 3 while any case fails, and `make test` runs each case as a ctest entry "
      "(`validation.<case>`) with `--allow-known-failures`, which passes a marked failure only while it "
      "still fails — a case that starts to pass fails its entry until the mark is removed.\n")
    w("```\n./build/paraspine validate                      # the table below, exit status 3 while a case fails\n"
      "./build/paraspine validate --case wilke_standing_flexed_ratio --json\n"
      "./build/paraspine validate --model variant.yaml  # every case on a model variant (JSON: model_override; a case "
      "whose scenario cannot run on it, e.g. resting on a segment the model lumps, has status 'not applicable' and says why)\n"
      "/usr/bin/python3 scripts/validation_report.py  # regenerates this page and the plot\n"
      "./build/paraspine validate --model variant.yaml --json > v.json && "
      "/usr/bin/python3 scripts/validation_report.py --json v.json --out elsewhere/validation.md\n```\n")
    w("`--json` prints one object: `cases` (each with `name`, `dataset`, `quantity`, `measured`, `predicted`, "
      "`error_pct`, `tolerance_pct`, `pass`, `source`, and also `unit`, `status`, `tolerance_reason`, `detail`, "
      "`known_failure`, `scenarios`, `bound`, and for pressure cases `disc_area_cm2` and `correction_factor`, the model's A "
      "and k the compression was converted with), `datasets` (each with `name`, `n`, `pearson_r`, `mean_abs_error_pct`, and "
      "`spearman_rho`, `passed`), `not_modelled`, `failures` and `unexpected`. `predicted` and `error_pct` are "
      "null when the model gives no value (erectors that never fall silent, a task that never fails). "
      "`bound` is null for a measured value and `\"upper\"` (or `\"lower\"`) where the source gives only a bound "
      "(Kingma's L4/L5 shear, \"small (< 300 N)\"): `measured` is then the bound, the case passes on its side of "
      "it, and `error_pct` is how far past the bound the prediction lies (0 inside); such cases count in a data "
      "set's mean absolute error with that error but not in its correlations.\n")
    w("Runtime: the whole suite runs in a few seconds (each scenario once, however many cases use it). The "
      "Biering-Sørensen case runs the bundled scenario's full 240 s, the protocol's cap (under a second): the "
      "published healthy-male range it is held to ends at 198 s, so a failure anywhere in it is seen. The "
      "trunk-extension holds share one search for the maximal effort, however many fractions use it.\n")
    w("How the cases are built: every case names the published value, its source, the spread the source "
      "reports and the tolerance taken from that spread (where a source reports no spread, the acceptance "
      "target of the validation issue is used, and the case says so). Each prediction comes from scenario "
      "files in [tests/validation/scenarios/](../tests/validation/scenarios/) whose header documents every "
      "angle, where it comes from and why, except the sustained trunk-extension holds (metric "
      "`extension_hold_endurance`, `scenarios` empty): they run the dynamometer protocol of "
      "[sim/simulate/extension_hold.h](../sim/simulate/extension_hold.h), the same code as the C++ fatigue test "
      "(docs/fatigue.md), and compare with a published fitted curve rather than a measurement. Postures were never adjusted toward the measured answer; two "
      "Wilke postures were changed once, from our own assumptions to the AnyBody model's reading of the "
      "paper's photographs (both results are recorded in the scenario files; both changes made the "
      "agreement slightly worse). In the sixth pass the 20 kg hold's grip was moved from the crate's "
      "load-time position in that model to where its arm posture holds the crate, a corrected reading of "
      "the same source; this one improved the agreement (+48 % → +18 %), and both results are recorded "
      "too.\n")

    pc = data["pressure_conversion"]
    w("## Compression → intradiscal pressure\n")
    pcases = [c for c in cases if c.get("disc_area_cm2") and c["unit"] == "MPa"]  # ratios: the area cancels
    factors = sorted({c["correction_factor"] for c in pcases})
    k = factors[0] if len(factors) == 1 else None
    areas = sorted({round(c["disc_area_cm2"], 2) for c in pcases})
    area_text = " and ".join(f"{x:.2f}" for x in areas) if areas else "—"
    w(f"p = k · F / A with F the compression normal to the {pc['joint']} disc, k the model's correction factor "
      f"(`disc_pressure:`; {' and '.join(f'{x:g}' for x in factors) or '—'} here) and A the model's "
      f"{pc['joint']} disc area scaled to each scenario's subject (joint `disc:`, docs/model.md §9): "
      f"{area_text} cm² in the pressure cases here. {pc['source']}\n")
    if len(areas) == 1 and k is not None:
        A = areas[0]
        w(f"With these constants 1 MPa corresponds to {1e6 * A * 1e-4 / k:.0f} N of compression. The "
          f"correction factor's range (k 1.3–1.5) moves every absolute pressure by {100 * (1.3 / k - 1):+.0f} % "
          f"to {100 * (1.5 / k - 1):+.0f} %; dividing by Wilke's subject's own area, 18.0 cm² at his 1.68 m, instead of the "
          f"scenarios' {A:.2f} cm² (his 70 kg at the model's height, 1.716 m) would change every absolute pressure by "
          f"{100 * (A / 18.0 - 1):+.1f} %. "
          "One common factor either way, which cannot repair errors of opposite sign (relaxed standing and "
          "sitting low, lifting high); the normalized cases do not depend on it (the area cancels, "
          "same subject).\n")
    if pcases:
        w("Before session 5 the area was a constant, 18 cm², stated in the cases file; now it is the model's. "
          "The compressions are unchanged (the disc geometry enters no equation of the simulation), so each "
          "earlier figure is this one × A / 18:\n")
        w("| case | predicted with A = 18 cm² | error % | predicted with the model's A | error % | A cm² |")
        w("|---|---:|---:|---:|---:|---:|")
        for c in pcases:
            old = c["predicted"] * c["disc_area_cm2"] / 18.0
            old_err = 100 * (old - c["measured"]) / abs(c["measured"])
            w(f"| `{c['name']}` | {old:.3f} | {old_err:+.1f} | {c['predicted']:.3f} | {c['error_pct']:+.1f} | "
              f"{c['disc_area_cm2']:.2f} |")
        w("")

    w("## Results\n")
    w("| case | quantity | measured | predicted | unit | error % | tolerance % | result |")
    w("|---|---|---:|---:|---|---:|---:|---|")
    for c in cases:
        err = "—" if c["error_pct"] is None else f"{c['error_pct']:+.1f}"
        res = "pass" if c["pass"] else ("**known failure**" if c["status"] == "known failure" else f"**{c['status']}**")
        w(f"| `{c['name']}` | {c['quantity']} | {measured_text(c)} | {fmt(c['predicted'])} | {c['unit']} | "
          f"{err} | {tolerance_text(c)} | {res} |")
    for c in data["not_modelled"]:
        w(f"| `{c['name']}` | {c['quantity']} | {fmt(c['measured'])} | not modelled | {c['unit']} | — | — | — |")
    w("")
    w("Per data set (Pearson r and Spearman ρ of predicted vs measured need at least three cases; a case "
      "the model gives no value for counts as 100 % in the mean absolute error):\n")
    w("| data set | n | Pearson r | Spearman ρ | mean absolute error % | within tolerance |")
    w("|---|---:|---:|---:|---:|---:|")
    for d in datasets:
        r = "—" if d["pearson_r"] is None else f"{d['pearson_r']:.3f}"
        rho = "—" if d.get("spearman_rho") is None else f"{d['spearman_rho']:.3f}"
        w(f"| {d['name']} | {d['n']} | {r} | {rho} | {d['mean_abs_error_pct']:.1f} | {d['passed']} of {d['n']} |")
    w("")
    w("![predicted vs measured](validation_scatter.svg)\n")
    w("*Predicted against measured, one panel per unit, identity line in black; filled markers are within "
      "tolerance, hollow ones outside; a thin bar to the left of a marker: the source gives only an upper bound, "
      "and the marker sits at it. PNG: [validation_scatter.png](validation_scatter.png).*\n")

    # The targets for the Wilke postures.
    norm = [c for c in cases if c["dataset"].startswith("Wilke") and c["unit"] == "ratio"]
    absol = [c for c in cases if c["dataset"].startswith("Wilke") and c["unit"] == "MPa"]
    if norm and absol:
        mae = sum(abs(c["error_pct"]) for c in norm) / len(norm)
        by_meas = [c["name"].replace("_mpa", "") for c in sorted(absol, key=lambda c: c["measured"])]
        by_pred = [c["name"].replace("_mpa", "") for c in sorted(absol, key=lambda c: c["predicted"])]
        w("## Targets for the Wilke postures\n")
        w("| target | reached |")
        w("|---|---|")
        w(f"| normalized to relaxed standing: mean absolute error ≤ 8 % (AnyBody's comparison: about 4 %) | "
          f"{'yes' if mae <= 8 else 'no'}: {mae:.1f} % over {len(norm)} postures |")
        w(f"| normalized: every posture within ±20 % | {sum(abs(c['error_pct']) <= 20 for c in norm)} of {len(norm)} |")
        w(f"| absolute: every posture within ±25 % | {sum(abs(c['error_pct']) <= 25 for c in absol)} of {len(absol)} |")
        # Pairs whose measured pressures differ but whose predictions are in the other order (or
        # equal); a measured tie orders nothing. Predictions equal to 1e-9 (relative) are a tie, not
        # an order: the two lying postures load nothing and differ by rounding (5.65e-2 MPa, 1.6e-16 apart).
        def tied(x, y):
            return abs(x - y) <= 1e-9 * max(abs(x), abs(y))
        swapped = [(a["name"].replace("_mpa", ""), b["name"].replace("_mpa", ""))
                   for i, a in enumerate(absol) for b in absol[i + 1:]
                   if a["measured"] != b["measured"] and a["predicted"] is not None and b["predicted"] is not None
                   and (tied(a["predicted"], b["predicted"])
                        or (a["measured"] - b["measured"]) * (a["predicted"] - b["predicted"]) < 0)]
        n_pairs = sum(1 for i, a in enumerate(absol) for b in absol[i + 1:] if a["measured"] != b["measured"])
        w(f"| correct rank order of all postures | {'yes' if not swapped else 'no'}: {n_pairs - len(swapped)} of "
          f"{n_pairs} pairs with different measured pressures in the measured order"
          + (f"; swapped or predicted equal: {'; '.join(f'{a} / {b}' for a, b in swapped)}" if swapped else "") + " |")
        w("")
        ties = [f"{a['name'].replace('_mpa', '')} = {b['name'].replace('_mpa', '')}"
                for i, a in enumerate(absol) for b in absol[i + 1:] if a["measured"] == b["measured"]]
        w(f"Measured order (lowest first{'; tied: ' + ', '.join(ties) if ties else ''}): {', '.join(by_meas)}.  ")
        w(f"Predicted order: {', '.join(by_pred)}.\n")
        same_set_stats(w, cases)
        missing = [c["name"] for c in data["not_modelled"] if c["dataset"].startswith("Wilke")]
        if missing:
            w(f"Not modelled, so outside these figures: {', '.join(missing)}.\n")

    w("## Where the model is off, and why\n")
    base = next((c for c in cases if c["name"] == "wilke_standing_relaxed_mpa"), None)
    if base and base["error_pct"] is not None:
        w(f"Across the normalized Wilke cases: the relaxed-standing baseline they are divided by is itself "
          f"{base['error_pct']:+.0f} % off ({fmt(base['predicted'])} vs {fmt(base['measured'])} MPa), so every "
          f"ratio carries a factor of {base['measured'] / base['predicted']:.2f} on top of the posture's own error. "
          "Static optimization finds the least muscle effort and no co-contraction, which keeps standing "
          "compression low (see the Callaghan & McGill standing case).\n")
    if any(c.get("correction_factor") for c in cases):
        w("Every absolute pressure also carries the conversion p = k·F/A (docs/sources/disc_pressure.md): k = 1.5 is "
          "Nachemson's factor as recalled (its primary text not reached; it falls with disc degeneration), and the "
          "relation has no unloaded term, because no unloaded pressure of healthy lumbar discs independent of in vivo "
          "lying measurements, and no p0 fitted together with k, was found. Where F is small that term dominates: it "
          "is why lying prone and on the side miss by about half. F is the whole joint's compression; the facets' "
          "share of it (about 16 % upright, none flexed, Adams & Hutton) is not separated, and whether Nachemson "
          "calibrated k with or without the facets is in the unreached primary text.\n")
    w("**How much rests on the abdominal wall (session 17, measured; docs/sources/abdominal_wall.md §4).** "
      "The bundled model puts the linea-alba and rectus via points on the lumbar vertebra nearest in height, "
      "so the external oblique's rib slips flex L4-L5 and the levels above without loading L5-S1, and the "
      "optimum co-contracts them against the long extensors. With those points riding anatomically between "
      "the pelvis and the rib cage (the what-if `models/tools/build_full_spine.py --abdominal-wall blended`, "
      "not adopted) 20 of 37 cases still pass, but 12 change side: in — `wilke_sitting_max_flexion_mpa` "
      "(+45.7 → +19.0 %), `wilke_lift_knees_bent_ratio` (+23.9 → +18.3 %), `callaghan_sitting_over_standing` "
      "(−45.3 → −30.3 %), `nachemson_sitting_over_standing` (−36.4 → −17.3 %), `rohlmann_sitting_inclined_ratio` "
      "(+47.6 → +13.2 %), `kingma_stoop_l4l5_shear` (410 → 297 N); out — `wilke_standing_relaxed_mpa` "
      "(−9.1 → −31.1 %), `wilke_standing_flexed_mpa` (−23.6 → −40.7 %), `wilke_lift_round_back_mpa` "
      "(−8.8 → −37.1 %), `wilke_sitting_relaxed_ratio` (−3.8 → +23.0 %), `wilke_sitting_slouched_backrest_ratio` "
      "(+7.5 → +21.8 %), `biering_sorensen_endurance` (197 → 65 s); with the points following the chord between the "
      "band's ends (`anchors`, review 17) the same 12 cases change side. So part of the sitting, inclined and stoop "
      "misses below is that artefact's co-contraction, and part of the standing and lifting agreement leans on "
      "it; what the anatomical wall exposes is the model's L5-S1 extension capacity (docs/model.md, "
      "\"Quiet-standing co-contraction\"; a larger multifidus, Ward et al. 2009, does not repair it: "
      "docs/sources/lumbosacral_capacity.md).\n")
    reasons = {}
    for c in cases:
        if c["known_failure"]:
            reasons.setdefault(c["known_failure"], []).append(c["name"])
    for i, (reason, names) in enumerate(reasons.items(), 1):
        w(f"{i}. **{', '.join('`' + n + '`' for n in names)}** — {reason}.")
    for c in cases:
        if not c["pass"] and not c["known_failure"]:
            w(f"- **`{c['name']}`** fails without an explanation yet ({c['status']}).")
    w("")
    w("**The neck is not in these cases.** No case here checks a cervical load, the neck muscles' activity or "
      "neck endurance; what is checked for the neck (its strength, against published maxima) and what is known "
      "to be wrong (from about 45° of neck flexion the neck flexors balance the stretched head extensors' passive "
      "force, so cervical compression rises far faster than the head's moment, and fatigued holds fail in the "
      "flexors) is in docs/model.md, \"The neck: what is and is not validated\".\n")
    if data["not_modelled"]:
        w("Not modelled yet:\n")
        for reason in dict.fromkeys(c["reason"] for c in data["not_modelled"]):
            names = [c["name"] for c in data["not_modelled"] if c["reason"] == reason]
            w(f"- {', '.join('`' + n + '`' for n in names)}: {reason}.")
        w("")
    if data.get("model_override"):
        # The history of the bundled model's changes, and its per-level tables, which run the bundled model.
        w("The bundled model's change history and per-level tables are left out of a `--model` report.\n")
    else:
        changes_section(w, cases, a.cli)

    w("## The cases and their scenarios\n")
    w("| case | tolerance from | source | model detail | scenarios |")
    w("|---|---|---|---|---|")
    for c in cases:
        scen = (", ".join(f"[{os.path.basename(p)}](../{rel(p)})" for p in c["scenarios"])
                or "the hold protocol ([extension_hold.h](../sim/simulate/extension_hold.h))")
        w(f"| `{c['name']}` | {c['tolerance_reason']} | {c['source']} | {c['detail']} | {scen} |")
    w("")
    w("Postures and loads of the scenarios (each file's header gives the source of every number):\n")
    w("| scenario | description |")
    w("|---|---|")
    seen = []
    for c in cases:
        for p in c["scenarios"]:
            if p not in seen:
                seen.append(p)
                sc = yaml.safe_load(open(os.path.join(ROOT, p) if not os.path.isabs(p) else p))
                w(f"| [{sc['name']}](../{rel(p)}) | {sc['description']} |")
    w("")
    es = suite.get("erector_silence", {})
    if es:
        w(f"Flexion–relaxation criterion: the erector spinae (iliocostalis and longissimus fascicles crossing "
          f"{pc['joint']}) count as silent once their active force stays below {100 * es['fraction_of_peak']:.0f} % "
          f"of its peak during the motion. {es['source']}\n")
    open(a.out, "w").write("\n".join(out))
    print(f"wrote {rel(a.out)}, {rel(svg)}, {rel(png)}")


if __name__ == "__main__":
    main()
