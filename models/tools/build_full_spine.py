#!/usr/bin/python3
"""Build models/full_spine.yaml and models/paraspinal_only.yaml (pelvis to head) from the source
transcriptions and a table of sourced constants.

    /usr/bin/python3 models/tools/build_full_spine.py               # writes both into models/
    /usr/bin/python3 models/tools/build_full_spine.py --out DIR     # writes both into DIR
    /usr/bin/python3 models/tools/build_full_spine.py --check       # also prints the derived numbers

Inputs (parsed, never edited here)
  docs/sources/mftl_lumbar_geometry.md     MF-TL bodies, IVD and rib joints, IL/LT/lumbar MF
  docs/sources/mftl_trunk_muscles.md       MF-TL thoracic/cervical MF, QL, psoas, RA, EO, IO, LD,
                                           ribs 1-2, Abdomen joint
  docs/sources/mortensen2018_neck_geometry.md  Mortensen 2018 cervical bodies, skull, joints,
                                           couplers (cervical rhythm) and neck muscles
  models/tools/build_lumbar.py             lumbar constants (Yamamoto, Pearcy, Christophy, de Leva,
                                           arm, reference subject) — reused, not repeated
  the CONSTANTS section below              every other number, each with its citation.

Decisions and assumptions: docs/model.md. Standard library + numpy only.
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import abdominal_pressure  # noqa: E402
import build_lumbar as BL  # noqa: E402
import deep_muscles  # noqa: E402
import disc_sources  # noqa: E402
import ligament_compression  # noqa: E402
import hyoid_muscles  # noqa: E402
import intercostals  # noqa: E402
import passive_fit  # noqa: E402
import passive_in_vivo  # noqa: E402
from spine_sources import (CHRISTOPHY_PELVIS_IN_SACRUM, FIBRE_RULE_SRC, LTS_MIN, ROOT, Chain, apply, check_inertia,  # noqa: E402
                           Blend, MultiBlend, blend_on_chord, fibre_rule, g, inertia_strings, joint_child_in_parent,
                           parse_mftl_lumbar, parse_mftl_trunk, parse_mortensen, path_length, q, range_postures, rot_xyz,
                           sarcomere_length, sarcomere_src, shoulder_chain_pose, source_ratio, tf, vlist)
from spine_sources import SPECIFIC_TENSION, SPECIFIC_TENSION_SOURCE  # noqa: E402
from spine_sources import SARCOMERE_LENGTH, SL_OPT  # noqa: E402

OUT_DIR = os.path.join(ROOT, "models")
MFT = BL.MFT
MORT = "Mortensen 2018 (mjhmilla/kinematicPassengerModel @5df844c, Mortensen2014_rigidTorso.osim)"
MORTS = "Mortensen 2018 @5df844c"

# =================================================================================================
# CONSTANTS — numbers not in the transcriptions, each with its source.
# =================================================================================================

# --- Yamamoto et al. 1989 neutral zones (model-data §3.1, [V]), full width, degrees: FE, AR, LB --
YAMAMOTO_NZ = {"L1-L2": (1.6, 0.9, 1.4), "L2-L3": (1.0, 0.8, 2.0), "L3-L4": (1.4, 0.7, 1.4),
               "L4-L5": (1.8, 0.4, 1.6), "L5-S1": (3.0, 0.4, 1.8)}

# --- Wilke, Herkommer, Werner & Liebsch 2017 PLoS ONE 12:e0177823 (model-data §3.3 [V]) ---------
# Full ROM (−7.5 → +7.5 N·m, spine_literature.md §6.1 [V]) per level from the abstract's bands
# (per-level means are only in figures): FE T1-T2 14°, all other levels 6–8° → 7°; LB T1–T7 10–12°
# → 11°, T7–T12 8–9° → 8.5°; AR T1–T10 10–12° → 11°, T10–T12 7–8° → 7.5° (band midpoints [D]).
# ROM and NZ symmetric (abstract), so each side = half.
WILKE_MOMENT = 7.5
WILKE_FULL = {}
for _n in range(1, 12):  # T{n}-T{n+1}
    _fe = 14.0 if _n == 1 else 7.0
    _lb = 11.0 if _n <= 6 else 8.5
    _ar = 11.0 if _n <= 9 else 7.5
    WILKE_FULL["T%d-T%d" % (_n, _n + 1)] = (_fe, _lb, _ar)
# Removing the anterior rib cage raised whole-thoracic ROM by 52.2 % (FE), 42.0 % (LB), 94.4 % (AR)
# (PLoS ONE 2017;12(6):e0178733, model-data §3.3 [V]): intact = FSU ROM / (1 + increase).
RIB_CAGE = (1.522, 1.420, 1.944)

# --- Panjabi et al. 2001 Spine 26:2692 per-level cervical ROM (spine_literature.md §6.3 [V-sec]) ---
# FE = flexion + extension; LB, AR read as left + right (see docs/model.md §3.3).
PANJABI = {"C0-C1": (27.4, 9.1, 9.9), "C1-C2": (24.4, 6.5, 56.7), "C2-C3": (6.8, 9.6, 3.3),
           "C3-C4": (8.2, 9.0, 5.1), "C4-C5": (9.8, 9.3, 6.8), "C5-C6": (10.4, 6.5, 5.0),
           "C6-C7": (8.0, 5.4, 2.9)}
# Abstract [V]: greatest flexion C1–C2 12.3°, greatest extension C0–C1 20.2° → the other side [D].
PANJABI_FLEX = {"C0-C1": 27.4 - 20.2, "C1-C2": 12.3}
# Test moment: not in the stored abstract; Panjabi's laboratory used physiological moments up to
# 1.5 N·m in the same protocol (Oda, Panjabi et al. 1992 Clin Biomech 7:201, [V]) — assumption.
PANJABI_MOMENT = 1.5

# --- The sub-axial laws above 1.5 N·m (session 10; docs/sources/cervical_laws.md, criteria §0) -----
# Nightingale et al. 2007 (J Biomech 40:535), male C3-C4 … C7-T1 segments, quasi-static pure-moment
# flexibility tests (NHTSA biomechanics database), per-specimen rotation (deg) at 1.5 and 3.0 N·m read
# [V] in the stored re-extraction of Duraisamy, Jebaseelan & John 2025 (IRCOBI; github
# pranavduraisamy/cervical-segmental-stiffness-ircobi, data/Nightingale2007/clean-data/master.csv,
# columns "1.5" and "3.0"; the 3.0 values equal its studies/processed-data/master.csv "r3"). Only tests
# whose 1.5 N·m value lies past the curve's initial straight line from the unloaded start (criterion
# Q3) are listed: extension 6356e (C3-C4), 6358e (C5-C6) and 6360e (C7-T1) are not. (test, level,
# θ at 1.5 N·m, θ at 3.0 N·m).
NIGHTINGALE_HIGH_MOMENT = 3.0
NIGHTINGALE_MALE = {
    "flexion": [("6356f", "C3-C4", 10.4741, 13.1182), ("6358f", "C5-C6", 5.6991, 7.7329),
                ("6360f", "C7-T1", 3.3460, 4.6760), ("7400f", "C4-C5", 5.4806, 7.6542),
                ("7406f", "C4-C5", 4.7277, 7.1281), ("7415f", "C4-C5", 5.0670, 6.6324),
                ("7424f", "C4-C5", 4.3257, 5.7975), ("7445f", "C4-C5", 8.6901, 10.3410),
                ("7476f", "C4-C5", 7.2114, 8.7959), ("7409f", "C6-C7", 3.4524, 5.1032),
                ("7436f", "C6-C7", 4.7143, 7.0815), ("7497f", "C6-C7", 4.7463, 6.0722),
                ("7506f", "C6-C7", 6.9421, 9.2878)],
    "extension": [("7398e", "C4-C5", 7.3954, 9.9566), ("7404e", "C4-C5", 4.6786, 9.9886),
                  ("7413e", "C4-C5", 6.0520, 8.2503), ("7422e", "C4-C5", 2.5036, 4.2540),
                  ("7431e", "C4-C5", 9.4469, 12.0759), ("7452e", "C4-C5", 3.5469, 4.1291),
                  ("7461e", "C4-C5", 6.5251, 9.0662), ("7465e", "C4-C5", 3.8121, 4.8250),
                  ("7474e", "C4-C5", 5.4979, 7.1451), ("7483e", "C4-C5", 6.9918, 9.2154),
                  ("7492e", "C4-C5", 4.7903, 7.2392), ("7407e", "C6-C7", 4.7561, 6.2681),
                  ("7477e", "C6-C7", 1.4990, 3.0608), ("7486e", "C6-C7", 1.8576, 3.2881),
                  ("7495e", "C6-C7", 8.3459, 10.2544)]}
NIGHTINGALE_SRC = ("Nightingale et al. 2007 J Biomech 40:535, male segments (NHTSA tests, re-extracted by "
                   "Duraisamy et al. 2025)")
# A level uses its own shape factor with at least this many qualifying specimens, else the pooled one (§0).
OWN_SHAPE_MIN_SPECIMENS = 5
SUBAXIAL = ("C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7")


def cervical_shape_factor(side, level):
    """ρ = mean θ(3.0 N·m)/θ(1.5 N·m) of Nightingale's male specimens (docs/sources/cervical_laws.md §0):
    the level's own if it has ≥ OWN_SHAPE_MIN_SPECIMENS, else pooled over every sub-axial level.
    Returns (ρ, n, 'own'|'pooled')."""
    rows = NIGHTINGALE_MALE[side]
    own = [b / a for _, lv, a, b in rows if lv == level]
    if len(own) >= OWN_SHAPE_MIN_SPECIMENS:
        return sum(own) / len(own), len(own), "own"
    pooled = [b / a for _, _, a, b in rows]
    return sum(pooled) / len(pooled), len(pooled), "pooled"


def cervical_two_point_side(side, level, theta_p):
    """(ce, be) through Panjabi's (θ_P, 1.5 N·m) and (ρ θ_P, 3.0 N·m); also returns ρ, n, kind."""
    rho, n, kind = cervical_shape_factor(side, level)
    if not 1.0 < rho < NIGHTINGALE_HIGH_MOMENT / PANJABI_MOMENT:
        raise ValueError("shape factor %.3f of %s %s outside (1, %.1f)" % (
            rho, level, side, NIGHTINGALE_HIGH_MOMENT / PANJABI_MOMENT))
    ce, be = passive_fit.fit_two_points(theta_p, PANJABI_MOMENT, rho * theta_p, NIGHTINGALE_HIGH_MOMENT)
    return (ce, be), rho, n, kind

# --- Specific tension and PCSA -------------------------------------------------------------------
SIGMA = SPECIFIC_TENSION  # N/m², the model's one value (source and the value chosen in spine_sources.py)
# MF-TL's own stress (Bruno/Anderson-lab default, Burkhart et al. 2018: 100 N/cm²): its F_max = PCSA ×
# 100 N/cm², so PCSA = F_max / 100 N/cm² recovers the source PCSA.
SIGMA_MFTL = 1.0e6
# Mortensen 2018 / Vasavada 1998 specific tension: not found (searched: pages "Mortensen Vasavada
# Merryweather 2018 ... specific tension", "Vasavada Li Delp 1998 ... specific tension", code).
# Their abstract [V] says "The flexor and extensor muscle strengths were scaled to match static
# experimental results", i.e. their F_max are strength-calibrated rather than PCSA × a constant:
# kept unchanged, PCSA = F_max / the model's specific tension (assumption).
SIGMA_MORT = SIGMA
AMMR_SPINALIS_PCSA = 0.5e-4  # m², AMMR SPL1T3/T4/T5 0.5 cm² each (model-data §1.2 [M])
AMMR_ILPT_PCSA = [0.23, 0.32, 0.39, 0.34, 0.50, 1.00, 1.23, 1.47]  # cm², AMMR ILptC5…C12 [M]
# Delp et al. 2001 whole erector spinae fibre/musculotendon ratio 0.127/(0.127+0.325) = 0.281
# (Lambrecht et al. 2009 Table 1 [V], muscle_architecture.md §1.2): used as r for spinalis
# thoracis and cervicis (mainly aponeurotic, Bogduk 1980 [V]).
DELP_ES_RATIO = 0.127 / (0.127 + 0.325)

# --- type-I fibre fractions ----------------------------------------------------------------------
TYPE1 = {"iliocostalis": 0.57, "longissimus": 0.57, "multifidus": 0.62, "spinalis": 0.57}
TYPE1_DEFAULT = 0.5

# --- Mortensen 2018 ↔ paraspine muscle table (right side) -----------------------------------------
NECK = [  # Mortensen name, group, subdivision
    ("stern_mast", "sternocleidomastoid", "sternal"),
    ("cleid_mast", "sternocleidomastoid", "cleidomastoid"),
    ("cleid_occ", "sternocleidomastoid", "cleido_occipital"),
    ("scalenus_ant", "scalenes", "anterior"),
    ("scalenus_med", "scalenes", "medius"),
    ("scalenus_post", "scalenes", "posterior"),
    ("long_cap_sklc4", "longus_capitis", "longus_capitis"),
    ("long_col_c1thx", "longus_colli", "vertical"),
    ("long_col_c1c5", "longus_colli", "superior_oblique"),
    ("long_col_c5thx", "longus_colli", "inferior_oblique"),
    ("trap_cl", "trapezius", "clavicular"),
    ("trap_acr", "trapezius", "acromial"),
    ("splen_cap_sklc6", "splenius", "capitis"),
    ("splen_cap_sklthx", "splenius", "capitis"),
    ("splen_cerv_c3thx", "splenius", "cervicis"),
    ("semi_cap_sklc5", "semispinalis", "capitis"),
    ("semi_cap_sklthx", "semispinalis", "capitis"),
    ("semi_cerv_c3thx", "semispinalis", "cervicis"),
    ("levator_scap", "levator_scapulae", "levator_scapulae"),
    ("rectcap_post_maj", "suboccipital", "rectus_capitis_posterior_major"),
    ("rectcap_post_min", "suboccipital", "rectus_capitis_posterior_minor"),
    ("obl_cap_sup", "suboccipital", "obliquus_capitis_superior"),
    ("obl_cap_inf", "suboccipital", "obliquus_capitis_inferior"),
]

# Spinous-process points for the spinalis paths: MF-TL multifidus insertions (they lie within 8 mm
# of the midline); (muscle, point number) in the transcriptions.
SP_POINT = {"L1": ("MF_m1t_1_r", 2), "T12": ("multifidus_L4_T12", 2), "T11": ("multifidus_L3_T11", 2),
            "T10": ("multifidus_T12_T10", 2), "T9": ("multifidus_T11_T9", 2),
            "T8": ("multifidus_T10_T8", 2), "T7": ("multifidus_T9_T7", 2), "T6": ("multifidus_T8_T6", 2),
            "T5": ("multifidus_T7_T5", 2), "T4": ("multifidus_T6_T4", 2), "T3": ("multifidus_T5_T3", 2)}

THORACIC = ["T%d" % n for n in range(12, 0, -1)]
CERVICAL = ["C%d" % n for n in range(7, 0, -1)]
LUMBAR = ["L5", "L4", "L3", "L2", "L1"]
REGIONS = [("lumbar", ["L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"]),
           ("thoracic", ["T12-L1"] + ["T%d-T%d" % (n, n + 1) for n in range(11, 0, -1)]),
           ("cervical", ["C7-T1", "C6-C7", "C5-C6", "C4-C5", "C3-C4", "C2-C3"]),
           ("head", ["C1-C2", "C0-C1"])]
AXES = ("flexion", "lateral_bending", "axial_rotation")
PARASPINAL = ("iliocostalis", "longissimus", "spinalis")

DE_LEVA_SRC = ("assumption (as models/lumbar.yaml): de Leva 1996 regions split at surface landmarks — "
               "omphalion at about the L3-L4 disc, xiphion at about T9; pelvis, L5, L4 lower trunk; L3-L1 and "
               "T12-T10 middle trunk; T9-T1 upper trunk; C7-C1 and head: head (de Leva's head segment, "
               "VERT-CERV/MIDG, carries the neck)")


# =================================================================================================
# Skeleton
# =================================================================================================


def build_skeleton(mftl, trunk, mort, lum):
    B, M = mftl["bodies"], mort["bodies"]
    shift = np.array(mftl["sacrum_in_pelvis"], float)
    segs = []
    # pelvis and L5…L1: exactly as models/lumbar.yaml
    for s in lum["segments"][:6]:
        d = dict(s)
        d["de_leva"] = s["de_leva"]
        segs.append(d)
    # thoracic12…thoracic1
    m_l1c, I_l1c = BL.CHRISTOPHY["lumbar1"]
    prev = "L1"
    for n in range(12, 0, -1):
        body = "thoracic%d" % n
        jname = "T12_L1_IVDjnt" if n == 12 else "T%d_T%d_IVDjnt" % (n, n + 1)
        d = mftl["ivd"][jname]
        assert d["child"] == body
        mass = B[body]["mass"]
        I = np.diag(I_l1c) / m_l1c * mass
        region = "middle_trunk" if n >= 10 else "upper_trunk"
        segs.append({
            "name": "T%d" % n, "parent": prev, "mass": mass, "com": B[body]["com"],
            "inertia": inertia_strings(I), "de_leva": {region: 1.0},
            "joint": {"name": "T12-L1" if n == 12 else "T%d-T%d" % (n, n + 1), "position": np.array(d["t"], float),
                      "rotation_deg": [math.degrees(a) for a in d["o"]], "mftl_joint": jname},
            "source": {"mass": MFT + ": %s mass (%.2f %% of the 79.58 kg body; Pearsall 1996: 1.1 %% BM at T1 "
                               "rising to 2.6 %% at L5)" % (body, 100 * mass / 79.5835),
                       "com": MFT + ": %s mass_center" % body,
                       "inertia": "[D] assumption: Christophy 2012 L1 inertia per kg (model-data §2.3) × %.4f kg "
                                  "(the only published per-vertebra trunk-slice inertia at hand)" % mass}})
        prev = "T%d" % n
    # cervical bodies and skull (Mortensen), masses scaled to MF-TL head_neck
    m_hn = B["head_neck"]["mass"]
    mort_bodies = ["cerv%d" % n for n in range(7, 0, -1)] + ["skull"]
    m_sum = sum(M[b]["mass"] for b in mort_bodies)
    jmap = {"cerv7": "auxt1jnt", "cerv6": "aux7jnt", "cerv5": "aux6jnt", "cerv4": "aux5jnt",
            "cerv3": "aux4jnt", "cerv2": "aux3jnt", "cerv1": "aux2jnt", "skull": "aux1jnt"}
    jnames = {"cerv7": "C7-T1", "cerv6": "C6-C7", "cerv5": "C5-C6", "cerv4": "C4-C5", "cerv3": "C3-C4",
              "cerv2": "C2-C3", "cerv1": "C1-C2", "skull": "C0-C1"}
    hn = mftl["ivd"]["T1_head_neck"]
    rs, rt, rl = BL.DELEVA_HEAD_RG
    L = BL.DELEVA_LENGTH["head"]
    for b in mort_bodies:
        name = "head" if b == "skull" else "C" + b[-1]
        mass = m_hn * M[b]["mass"] / m_sum
        mj = mort["joints"][jmap[b]]
        assert mj["child"] == b
        if b == "skull":
            I = mass * np.diag([(rs * L) ** 2, (rl * L) ** 2, (rt * L) ** 2])
            isrc = ("[D] de Leva 1996 male head radii of gyration 36.2/37.6/31.2 %% of the head length 0.2033 m "
                    "(Tables 1, 4; sagittal r about x, transverse about z, longitudinal about y) × %.4f kg; "
                    "Mortensen's cervical inertias are placeholders" % mass)
        else:
            rad = (3 * mass / (4 * math.pi * 1000.0)) ** (1 / 3)
            I = np.eye(3) * 0.4 * mass * rad * rad
            isrc = ("[D] assumption: uniform sphere of %.4f kg at 1000 kg/m³ (r = %.1f mm); Mortensen's "
                    "cervical inertias are placeholders (0.085 kg·m² for a 0.5 kg vertebra)" % (mass, 1000 * rad))
        j = {"name": jnames[b], "mort_joint": jmap[b], "bc": np.array(mj["ct"], float)}
        if b == "cerv7":
            # registration: Mortensen's spine frame ≡ MF-TL head_neck frame shifted so that the two
            # C7-T1 joint centres coincide; the C7-T1 joint frame is the T1_head_neck parent frame
            # composed with Mortensen's auxt1jnt parent orientation (0 0 0 in the file)
            j["position"] = np.array(hn["t"], float)
            j["rotation_deg"] = [math.degrees(a) for a in hn["o"]]
        else:
            j["position"] = np.array(mj["pt"], float)
            j["rotation_deg"] = [0.0, 0.0, 0.0]
        segs.append({
            "name": name, "parent": prev, "mass": mass, "com": M[b]["com"], "inertia": inertia_strings(I),
            "de_leva": {"head": 1.0}, "joint": j,
            "source": {"mass": "[D] MF-TL head_neck 5.4132 kg (C1-C7 + skull) × %s share %.4f/%.4f "
                               "(model-data §2.3)" % (MORTS, M[b]["mass"], m_sum),
                       "com": MORTS + ": %s mass_center" % b, "inertia": isrc}})
        prev = name
    for s in segs:
        check_inertia(s["inertia"])
    return segs


def chain_of(segs):
    out = []
    for s in segs:
        d = {"name": s["name"], "parent": s.get("parent")}
        if "joint" in s:
            j = s["joint"]
            d.update(joint=j["name"], bp=np.asarray(j["position"], float),
                     Ap=rot_xyz([math.radians(a) for a in j["rotation_deg"]]),
                     bc=np.asarray(j.get("bc", np.zeros(3)), float), Ac=np.eye(3))
        out.append(d)
    return Chain(out)


# =================================================================================================
# Ranges, passive laws, rhythm
# =================================================================================================


def joint_ranges(lum):
    """{joint: {"range": [(min,max)]*3, "passive": [{side: (ce, be) }]*3, "src": {...}}}."""
    out = {}
    for jn, ex in lum["joints_extra"].items():  # lumbar + T12-L1: exactly as models/lumbar.yaml
        lvl = ex["level"]
        fl, ext, ar, lb = BL.YAMAMOTO[lvl]
        nz_fe, nz_ar, nz_lb = YAMAMOTO_NZ[lvl]
        fit = lambda rom, nz: passive_fit.fit_side(rom, nz / 2.0, BL.YAMAMOTO_MOMENT)  # noqa: E731
        tl = "assumption (as models/lumbar.yaml): L1-L2 values for T12-L1; " if jn == "T12-L1" else ""
        out[jn] = {
            "range": [ex["range"][a] for a in AXES],
            "passive": [{"positive": fit(fl, nz_fe), "negative": fit(ext, nz_fe)},
                        {"both": fit(lb, nz_lb)}, {"both": fit(ar, nz_ar)}],
            "range_src": tl + "as models/lumbar.yaml: flexion %s %s flexion/extension; lateral_bending %s %s "
                              "≈%g° total, split evenly; axial_rotation %s %s one side" % (
                                  BL.YAMAMOTO_SRC, lvl, BL.PEARCY_SRC, lvl, BL.PEARCY_LB_TOTAL[lvl],
                                  BL.YAMAMOTO_SRC, lvl),
            "passive_src": tl + "[D] exponential law fitted by models/tools/passive_fit.py through %s %s ROM at "
                                "10 N·m (flexion %g°, extension %g°, LB %g°, AR %g° one side) and the neutral zone "
                                "(FE %g°, LB %g°, AR %g° full width; half-width used, 5 %% of the test moment)" % (
                                    BL.YAMAMOTO_SRC, lvl, fl, ext, lb, ar, nz_fe, nz_lb, nz_ar),
            "rom_share": (fl + ext, 2 * lb, 2 * ar)}
    # T12-L1's shares use its range (L1-L2: Yamamoto FE, Pearcy LB, Yamamoto AR), as the region uses
    r = out["T12-L1"]["range"]
    out["T12-L1"]["rom_share"] = tuple(rr[1] - rr[0] for rr in r)
    for jn, (fe, lb, ar) in WILKE_FULL.items():
        jname = "T%s-T%s" % tuple(x[1:] for x in jn.split("-"))
        one = [fe / RIB_CAGE[0] / 2, lb / RIB_CAGE[1] / 2, ar / RIB_CAGE[2] / 2]
        fits = [passive_fit.fit_side(v, v / 5.0, WILKE_MOMENT) for v in one]
        out[jname] = {
            "range": [(-v, v) for v in one],
            "passive": [{"both": f} for f in fits],
            "range_src": "[D] Wilke et al. 2017 full ROM at ±7.5 N·m (abstract bands, midpoints: FE %g°, LB %g°, "
                         "AR %g°) ÷ (1 + rib-cage ROM increase 0.522/0.420/0.944, PLoS ONE 2017;12:e0178733) ÷ 2 per "
                         "side (ROM symmetric)" % (fe, lb, ar),
            "passive_src": "[D] exponential law (models/tools/passive_fit.py) through that ROM at 7.5 N·m; "
                           "assumption: neutral-zone half-width = ROM/5 (not published per level); lumps disc, "
                           "ligaments and the rib cage",
            "rom_share": tuple(2 * v for v in one)}
    for jn in ["C7-T1", "C6-C7", "C5-C6", "C4-C5", "C3-C4", "C2-C3", "C1-C2", "C0-C1"]:
        lvl = "C6-C7" if jn == "C7-T1" else jn
        fe, lb, ar = PANJABI[lvl]
        flex = PANJABI_FLEX.get(lvl, fe / 2)
        ext = fe - flex
        sides = [(ext, flex), (lb / 2, lb / 2), (ar / 2, ar / 2)]
        if lvl in SUBAXIAL:  # flexion and extension through Panjabi's range and Nightingale's 3 N·m shape
            f_law, f_rho, f_n, f_kind = cervical_two_point_side("flexion", lvl, flex)
            e_law, e_rho, e_n, e_kind = cervical_two_point_side("extension", lvl, ext)
            pa = [{"positive": f_law, "negative": e_law}]
            fe_src = ("flexion and extension: [D] exponential law (models/tools/passive_fit.py fit_two_points) through "
                      "that ROM at 1.5 N·m (assumption: Panjabi's laboratory protocol, Oda et al. 1992 Clin Biomech "
                      "7:201) and through ρ × ROM at %g N·m, ρ = mean θ(3 N·m)/θ(1.5 N·m) of %s: flexion ρ %.4f (%s, "
                      "n = %d), extension ρ %.4f (%s, n = %d); no neutral-zone condition (Camacho et al. 1997: "
                      "cervical segments stiffen without a no-load neutral zone; docs/sources/cervical_laws.md)" % (
                          NIGHTINGALE_HIGH_MOMENT, NIGHTINGALE_SRC, f_rho, f_kind, f_n, e_rho, e_kind, e_n))
        else:
            pa = [{"positive": passive_fit.fit_side(flex, flex / 5, PANJABI_MOMENT),
                   "negative": passive_fit.fit_side(ext, ext / 5, PANJABI_MOMENT)}]
            fe_src = ("flexion and extension: [D] exponential law (models/tools/passive_fit.py) through that ROM at "
                      "1.5 N·m (assumption: Panjabi's laboratory protocol, Oda et al. 1992 Clin Biomech 7:201); "
                      "assumption: neutral-zone half-width = ROM/5 (not published); no per-level data above "
                      "1.5 N·m reached for the head joints (docs/sources/cervical_laws.md)")
        pa += [{"both": passive_fit.fit_side(lb / 2, lb / 10, PANJABI_MOMENT)},
               {"both": passive_fit.fit_side(ar / 2, ar / 10, PANJABI_MOMENT)}]
        split = ("flexion %.1f° / extension %.1f° (abstract: %s)" % (flex, ext, "greatest extension C0-C1 20.2°"
                 if lvl == "C0-C1" else "greatest flexion C1-C2 12.3°") if lvl in PANJABI_FLEX else
                 "FE %g° split evenly" % fe)
        tl = "assumption: C6-C7 values for C7-T1 (Panjabi 2001 tested C0-C7); " if jn == "C7-T1" else ""
        out[jn] = {
            "range": [(-ext, flex), (-lb / 2, lb / 2), (-ar / 2, ar / 2)],
            "passive": pa,
            "range_src": tl + "Panjabi et al. 2001 Spine 26:2692 per-level ROM (spine_literature.md §6.3 [V-sec]) "
                              "%s: %s; LB %g° and AR %g° read as left + right, split evenly" % (lvl, split, lb, ar),
            "passive_src": tl + fe_src + "; lateral bending and axial rotation: [D] exponential law "
                                "(models/tools/passive_fit.py) through that ROM at 1.5 N·m; assumption: neutral-zone "
                                "half-width = ROM/5 (not published)",
            "rom_share": (fe, lb, ar)}
    return out


def fix_last(v, nd=6):
    v = [round(x, nd) for x in v]
    old = v[-1]
    v[-1] = round(1.0 - sum(v[:-1]), nd)
    return v, old


# -------------------------------------------------------------------------------------------------
# Lumbar flexion rhythm consistent with the passive laws (issue 8, validation helper).
# Christophy's flexion shares give the upper levels the most (L1-L2 0.255, L5-S1 0.125) while the
# passive laws come from Yamamoto's ranges, which are smallest at L1-L2 (5.8°) and largest at L5-S1
# (10.0°). Near full flexion the two disagree: at 44° of lumbar flexion the rhythm drives L1-L2 to
# 11.2° (1.9 × its range), where its exponential law returns 73 N·m of passive extension — more than
# the trunk's weight asks there — so the solver pulls the trunk down with the obliques at full
# activation and a flexion reserve, and the erectors then fight both (L4-L5 3066 N in Wilke's
# maximal seated flexion, 0.83 MPa measured; docs/validation.md). A serial chain of passive joints
# under (nearly) the same moment shares its flexion in proportion to each joint's compliance, i.e.
# to its range at the common test moment: the rule the thoracic region already uses. In vivo the
# lower lumbar levels flex slightly more than the upper ones (Pearcy 1984, Spine 9:294, biplanar
# X-ray: "lower levels slightly more", model-data §3.5 [V]), the direction of this rule and the
# opposite of Christophy's. Lateral bending and axial rotation keep Christophy's and Fujii's shares.
def lumbar_flexion_shares_from_ranges(ranges):
    js = REGIONS[0][1]
    flex = [ranges[j]["range"][0][1] for j in js]
    v, _ = fix_last([f / sum(flex) for f in flex])
    return v, flex


# -------------------------------------------------------------------------------------------------
# Axial rotation at the two junctions, from in vivo imaging (session 9, docs/sources/scenario_kinematics.md
# §10.1). The range-proportional rule gives T12-L1 0.0727 of the thoracic region's rotation and
# Mortensen's yaw1 coupler gives C0-C1 0.111 of the head region's; in vivo both turn much less.
#  - T12-L1: Fujii et al. 2007 (Eur Spine J 16:1867, 3D MRI, 10 volunteers) measured every segment
#    T12/L1…L5/S1 at 45° of trunk (thorax-on-pelvis) rotation: 1.2–1.7° each (abstract [V]); L5-S1…L1-L2
#    1.6/1.7/1.7/1.4/1.3° (via the MF-CHR README, model-data §3.5 [M]), so T12/L1 is the 1.2° end [D].
#    At that rotation the thoracic region (T12-L1…T1-T2) carries 45 − 7.7 = 37.3° [D; assumption: the
#    shoulders' rotation is T1's], so T12-L1's share is 1.2 / 37.3; even the range's top, 1.7°, gives
#    0.046, not 0.073. The other levels keep shares ∝ their ranges, scaled to fill the rest.
#  - C0-C1 vs C1-C2: maximal head rotation, in vivo: C0-C1 1.7 ± 1.5° and C1-C2 36.2 ± 4.5° (Ishii et
#    al. 2004, Spine 29:E139, 3D MRI, 15 volunteers [V abstract]); 2.5 ± 1.0° and 37.5 ± 6.0° (Salem
#    et al. 2013, Man Ther 18:339, CT, 20 volunteers [V abstract]); pooled by subjects [D]: C0-C1
#    0.0552 of the upper-neck rotation (Mortensen: 0.111).
FUJII_T12L1_AT45_DEG = 1.2
FUJII_LUMBAR_AT45_DEG = (1.6, 1.7, 1.7, 1.4, 1.3)  # L5-S1 … L1-L2
FUJII_TRUNK_DEG = 45.0
UPPER_NECK_AR = {"Ishii 2004": (15, 1.7, 36.2), "Salem 2013": (20, 2.5, 37.5)}  # n, C0-C1°, C1-C2°


def thoracic_axial_shares(ranges, js):
    rest = FUJII_TRUNK_DEG - sum(FUJII_LUMBAR_AT45_DEG)
    first = FUJII_T12L1_AT45_DEG / rest
    assert js[0] == "T12-L1"
    tot = sum(ranges[j]["rom_share"][2] for j in js[1:])
    v, _ = fix_last([first] + [(1 - first) * ranges[j]["rom_share"][2] / tot for j in js[1:]])
    return v, first, rest


def upper_neck_axial_shares():
    n = sum(x[0] for x in UPPER_NECK_AR.values())
    c01 = sum(x[0] * x[1] for x in UPPER_NECK_AR.values()) / n
    c12 = sum(x[0] * x[2] for x in UPPER_NECK_AR.values()) / n
    v, _ = fix_last([c12 / (c01 + c12), c01 / (c01 + c12)], 4)
    return v, c01, c12


def region_shares(lum, ranges, mort):
    out = []
    sh = lum["shares"]
    flex, flex_ranges = lumbar_flexion_shares_from_ranges(ranges)
    out.append({"name": "lumbar", "joints": REGIONS[0][1], "shares": [flex, sh["lateral_bending"], sh["axial_rotation"]],
                "source": "flexion: [D] shares ∝ each level's flexion range (Yamamoto 1989, %s° L5-S1…L1-L2, the "
                          "ranges the passive laws are fitted to), as the thoracic region, so that no level is driven "
                          "past its range while the others are short of theirs; lower levels more, as in vivo (Pearcy "
                          "1984, model-data §3.5 [V]); replaces Christophy 2012's flexion shares (0.125…0.255, upper "
                          "levels more), which drove L1-L2 to 1.9 × its range at 44° of lumbar flexion "
                          "(docs/validation.md); rounded to 6 decimals, last (L1-L2) share set so that the axis sums "
                          "to 1. Lateral bending: Christophy et al. 2012 lumbar rhythm (model-data §3.5), order "
                          "L5-S1…L1-L2, sums to 1.0001 in the source: last (L1-L2) share 0.188 → 0.1879; axial "
                          "rotation = Fujii 2007 per-level twist normalised (as models/lumbar.yaml)"
                          % "/".join("%g" % f for f in flex_ranges)})
    js = REGIONS[1][1]
    shares, notes = [], []
    for a in range(2):
        tot = sum(ranges[j]["rom_share"][a] for j in js)
        v, old = fix_last([ranges[j]["rom_share"][a] / tot for j in js])
        shares.append(v)
    v, first, rest = thoracic_axial_shares(ranges, js)
    shares.append(v)
    out.append({"name": "thoracic", "joints": js, "shares": shares,
                "source": "[D] flexion and lateral bending: shares ∝ each level's range per axis (T12-L1: its "
                          "lumbar.yaml range; T11-T12…T1-T2: Wilke 2017 ÷ rib-cage factor); axial rotation: T12-L1 "
                          "%.4f = %g° / %g°, its in vivo rotation at %g° of trunk rotation over the thoracic region's "
                          "share of it (Fujii et al. 2007, 3D MRI: every segment T12/L1…L5/S1 1.2–1.7°, L5-S1…L1-L2 "
                          "%s° = %g°, so T12/L1 the 1.2° end [D]; assumption: the shoulders turn with T1), the other "
                          "levels ∝ their ranges filling the rest (the range rule gave T12-L1 0.0727, 2.7° at that "
                          "rotation; docs/sources/scenario_kinematics.md §10.1); rounded to 6 decimals, last (T1-T2) "
                          "share set so that each axis sums to 1"
                          % (first, FUJII_T12L1_AT45_DEG, rest, FUJII_TRUNK_DEG,
                             "/".join("%g" % x for x in FUJII_LUMBAR_AT45_DEG), sum(FUJII_LUMBAR_AT45_DEG))})
    for name, coords, mjoints in (("cervical", ("pitch2", "roll2", "yaw2"),
                                   ["auxt1jnt", "aux7jnt", "aux6jnt", "aux5jnt", "aux4jnt", "aux3jnt"]),
                                  ("head", ("pitch1", "roll1", "yaw1"), ["aux2jnt", "aux1jnt"])):
        js = dict(REGIONS)[name]
        shares, note = [], []
        for a, axis in enumerate("zxy"):  # flexion ↔ pitch (z), LB ↔ roll (x), AR ↔ yaw (y)
            raw = []
            for mj in mjoints:
                coord, y, x = mort["slopes"][(mj, axis)]
                assert coord == coords[a], (mj, axis, coord)
                raw.append(y / x)
            tot = sum(raw)
            v, old = fix_last(raw, 4)
            note.append("%s sums to %.4f" % (coords[a], tot))
            if name == "head" and axis == "y":  # axial rotation of the upper neck: in vivo, not the coupler
                v, c01, c12 = upper_neck_axial_shares()
                note.append("axial rotation not %s's yaw1 (%s) but in vivo at maximal head rotation: C1-C2 / C0-C1 "
                            "%.2f° / %.2f° (Ishii et al. 2004, 3D MRI, n = 15: 36.2 / 1.7°; Salem et al. 2013, CT, "
                            "n = 20: 37.5 / 2.5°; means pooled by subjects [D]; docs/sources/scenario_kinematics.md "
                            "§10.1)" % (MORTS, "/".join("%g" % x for x in fix_last(raw, 4)[0]), c12, c01))
            shares.append(v)
        mort_flex = shares[0]
        shares[0], flex_ranges = neck_flexion_shares_from_ranges(ranges, js)
        out.append({"name": name, "joints": js, "shares": shares,
                    "source": "flexion: [D] shares ∝ each level's flexion range (Panjabi 2001, %s°, the ranges the "
                              "passive laws are fitted to), the rule of the lumbar and thoracic regions, so that no "
                              "level is driven past its range while the others are short of theirs; C2-C3 least and "
                              "C4-C5/C5-C6 most as in vivo (Anderst 2015, Wu 2007, Lind 1989), C0-C1 less than C1-C2 "
                              "as in vivo (Sato 2012, Kaneko 2018; docs/sources/scenario_kinematics.md §4.1); replaces "
                              "Mortensen's pitch shares %s, which drove C0-C1 and C4-C5…C6-C7 to 1.5–1.9 × their "
                              "ranges in the phone-reading neck; rounded to 6 decimals, last (%s) share set so that the "
                              "axis sums to 1. Lateral bending and axial rotation: [D] %s coupler slopes (spline/"
                              "constraint y / x, transcription §3.4-3.5) of %s; positive slopes, so Mortensen's signs "
                              "(+roll = right bending, +yaw = face left) map to ours with the same shares; %s; rounded "
                              "to 4 decimals, last (%s) share set so that each axis sums to 1"
                              % ("/".join("%g" % f for f in flex_ranges), "/".join("%g" % f for f in mort_flex),
                                 js[-1], MORTS, "/".join(coords[1:]), ", ".join(note[1:]), js[-1])})
    return out


# Cervical and head flexion rhythm consistent with the passive laws (session 9, phone-reading neck).
# Mortensen's pitch couplers give C0-C1 0.556 of the head's flexion (range 7.2°) and C1-C2 0.444 (range
# 12.3°), and C4-C5…C6-C7 0.22/0.22/0.187 of the cervical flexion against C7-T1's 0.099 with the same
# range as C6-C7: at 60° of neck flexion C0-C1 reached 11.1° and C6-C7 7.5° (1.5 and 1.9 × their ranges),
# where the exponential laws returned 7–18 N·m of extension against 2–5 N·m of gravity, and the neck
# flexors had to pull the head down. The same serial-chain rule as the lumbar and thoracic regions
# (shares ∝ each level's range at the common test moment) orders the levels as in vivo: C2-C3 least,
# C4-C5/C5-C6 most (Anderst 2015 J Biomech 48:1286; Wu 2007 Eur Spine J 16:1435; Lind 1989), C0-C1 less
# than C1-C2 (Sato 2012 J Phys Ther Sci 24:1141; Kaneko 2018 Eur Spine J 27:1303). Flexion axis only.
def neck_flexion_shares_from_ranges(ranges, js):
    flex = [ranges[j]["range"][0][1] for j in js]
    v, _ = fix_last([f / sum(flex) for f in flex])
    return v, flex


# =================================================================================================
# Point mapping: every source body → a segment of this model
# =================================================================================================


# The thoracic segment that carries the upper end of the linea alba: the xiphoid joins the sternum and
# the 7th costal cartilage (a demifacet each side), and this model gives rib 7 to T7 (docs/model.md §4;
# docs/sources/abdominal_wall.md §1.3).
XIPHOID_SEGMENT = "T7"


class Mapper:
    def __init__(self, mftl, trunk, mort, segs, abdominal_wall="vertebrae", latissimus_humeral="t1"):
        self.mftl, self.trunk, self.mort = mftl, trunk, mort
        self.abdominal_wall = abdominal_wall  # "vertebrae" (default) or "blended" (what-if, abdominal_wall.md)
        self.latissimus_humeral = latissimus_humeral  # "t1" (default) or "rib_cage" (what-if, latissimus_path.md)
        self.chain = chain_of(segs)
        self.P = self.chain.poses()
        self.jc = self.chain.joint_centres(self.P)
        self.shift = np.array(mftl["sacrum_in_pelvis"], float)
        self.ribs = dict(mftl["ribs"])
        self.ribs.update(trunk["ribs"])
        hn = mftl["ivd"]["T1_head_neck"]
        self.X_T1_hn = tf(hn["t"], hn["o"])
        self.cM = np.array(mort["joints"]["auxt1jnt"]["pt"], float)  # Mortensen C7-T1 centre, spine frame
        pt, po, ct, co = trunk["abdjnt"]
        self.X_pel_abd = tf(self.shift, (0, 0, 0)) @ joint_child_in_parent(pt, po, ct, co)
        self.linea_alba = None  # (y pubic end, y xiphoid end) at neutral, set below once the poses exist
        # height span of every segment at neutral: inferior joint centre … superior joint centre
        sup = {}
        for s in self.chain.segs:
            if s.get("parent"):
                sup.setdefault(s["parent"], self.jc[s["joint"]])
        self.mid = {}
        for s in self.chain.segs:
            if s.get("parent") is None:
                continue
            lo = self.jc[s["joint"]][1]
            hi = sup[s["name"]][1] if s["name"] in sup else None
            self.mid[s["name"]] = (lo, hi)
        self.log = []
        # The linea alba's two ends at neutral (docs/sources/abdominal_wall.md §2): MF-TL's rectus
        # abdominis origin (pubic crest, on the pelvis) and insertion (costal cartilage by the xiphoid).
        ra = trunk["muscles"]["rect_abd_r"]["points"]
        if ra[0][2] != "pelvis" or not ra[-1][2].startswith("rib"):
            raise SystemExit("rect_abd_r: expected a pelvis origin and a rib insertion, got %s … %s" % (ra[0][2], ra[-1][2]))
        pub = self.world(*self.mftl_point(ra[0][2], ra[0][3], "linea alba, pubic end"))
        xi = self.world(*self.mftl_point(ra[-1][2], ra[-1][3], "linea alba, xiphoid end"))
        self.linea_alba = (pub[1], xi[1])
        # The band's two ends as anchors (docs/model-format.md): the pubic end on the pelvis, the
        # xiphoid end on the segment that carries it.
        self.linea_alba_ends = (pub, xi)  # world, at neutral

    def world(self, seg, p):
        R, o = self.P[seg]
        return R @ np.asarray(p, float) + o

    def local(self, seg, w):
        R, o = self.P[seg]
        return R.T @ (np.asarray(w, float) - o)

    def nearest_in_height(self, w, candidates):
        best, bd = None, 1e9
        for c in candidates:
            lo, hi = self.mid[c]
            if hi is None:  # the head: from C0-C1 up
                d = 0.0 if w[1] >= lo else lo - w[1]
            else:
                d = abs(w[1] - 0.5 * (lo + hi))
            if d < bd:
                best, bd = c, d
        return best

    def rib_T(self, rib, p):
        d = self.ribs[rib]
        seg = "T%d" % d["level"]
        return seg, apply(joint_child_in_parent(d["pt"], d["po"], d["ct"], d["co"]), p)

    def mftl_point(self, body, p, who):
        p = np.asarray(p, float)
        if body == "pelvis":  # ilium points, registered to the sacrum as in Christophy 2012 (spine_sources)
            return "pelvis", p + np.asarray(CHRISTOPHY_PELVIS_IN_SACRUM) + self.shift
        if body == "sacrum":
            return "pelvis", p + self.shift
        if body.startswith("lumbar"):
            return "L" + body[6:], p
        if body.startswith("thoracic"):
            return "T" + body[8:], p
        if body.startswith("rib") and body.endswith("_R"):
            return self.rib_T(body, p)
        if body == "head_neck":
            w = self.world("T1", apply(self.X_T1_hn, p))
            seg = self.nearest_in_height(w, CERVICAL + ["head"])
            self.log.append(("head_neck", who, seg, w))
            return seg, self.local(seg, w)
        if body == "Abdomen" and self.abdominal_wall == "vertebrae":
            w = self.world("pelvis", apply(self.X_pel_abd, p))
            seg = self.nearest_in_height(w, LUMBAR + THORACIC)
            self.log.append(("Abdomen", who, seg, w))
            return seg, self.local(seg, w)
        if body == "Abdomen":  # the abdominal wall: a band from the pubis to the xiphoid (abdominal_wall.md §2)
            w = self.world("pelvis", apply(self.X_pel_abd, p))
            y_pub, y_xi = self.linea_alba
            share = round(min(max((w[1] - y_pub) / (y_xi - y_pub), 0.0), 1.0), 4)
            # The band's ends at this point's own lateral distance (z): a midline point's band is the
            # midline, so the right and left copies of it stay one point (review 17b).
            pub, xi = (np.array([e[0], e[1], w[2]]) for e in self.linea_alba_ends)
            seg, pl = blend_on_chord("pelvis", XIPHOID_SEGMENT, share, self.local("pelvis", w),
                                     self.local("pelvis", pub), self.local(XIPHOID_SEGMENT, xi), self.P)
            self.log.append(("Abdomen", who, seg, w))
            return seg, pl
        if body == "humerus_r":  # humerus frame = shoulder_R parent frame (coordinates 0): assumption
            at = apply(shoulder_chain_pose(), p)
            if self.latissimus_humeral == "rib_cage":
                # What-if (docs/sources/latissimus_path.md, rule 2): the humeral end's force goes to the
                # rib cage, shared equally by the ten vertebrae that hold ribs 1-10, as the arms' loads
                # (20 costovertebral joints, 2 per vertebra); the point at neutral is where it was.
                w = self.world("T1", at)
                segs = ["T%d" % n for n in range(1, 11)]
                self.log.append(("humerus_r", who, "T1..T10", w))
                return MultiBlend(segs, [0.1] * 10, [self.local(k, w) for k in segs]), at
            return "T1", at
        raise KeyError("no segment for MF-TL body %s (%s)" % (body, who))

    def mort_point(self, body, p, who):
        p = np.asarray(p, float)
        if body.startswith("cerv"):
            return "C" + body[4:], p
        if body == "skull":
            return "head", p
        if body in ("spine", "ribcage"):
            ps = p
        elif body in ("rscapula", "rclavicle"):
            wj = self.mort["welds"][body + "jnt"]
            ps = apply(tf(wj["t"], wj["o"]), p)
        else:
            raise KeyError("no segment for Mortensen body %s (%s)" % (body, who))
        w = self.world("T1", apply(self.X_T1_hn, ps - self.cM))
        seg = self.nearest_in_height(w, ["T%d" % n for n in range(1, 7)])
        self.log.append(("Mortensen " + body, who, seg, w))
        return seg, self.local(seg, w)


# =================================================================================================
# Muscles
# =================================================================================================


# --- Group PCSA from dissection --------------------------------------------------------------------
# One uniform rule: a group's total PCSA per side is the dissection-based (Bogduk lineage) value of the
# AnyBody lumbar/cervical model (AMMR MuscleParametersSpineSimpleRight.any and
# MuscleParametersCervicalSpineSimpleLeft.any, model-data §1.2 [M]; anatomical sources listed there:
# Bogduk, Macintosh & Pearcy 1992; Macintosh & Bogduk 1986/1987/1991; Bogduk, Pearcy & Hadfield 1992),
# distributed over our fascicles in proportion to their source forces (MF-TL / Mortensen). Why: the
# MF-TL forces were scaled to CT group areas (Bruno et al. 2015) and put 3× more PCSA in the erector
# spinae and obliques than measured in vivo (McGill, Patt & Norman 1988: erector spinae 15.9 ± 2.5 cm²,
# EO 9.4, IO 8.1 per side at L4/L5 — MF-TL 51.6, 25.6, 21.1), while the AMMR totals sit near those
# measurements (RA 7.9 vs 7.9, psoas 14.6 vs 17.6). Not for the obliques: AMMR's 6.24 / 6.24 cm² are below
# McGill's EO 9.4 / IO 8.1, themselves a lower bound on the whole muscles (a slice at L4/L5); McGill's values
# close the axial-strength known failure but, with the linea-alba points riding on lumbar vertebrae, also
# push Biering-Sørensen out of its band, so they are a what-if for now (--oblique-pcsa mcgill1988,
# docs/sources/oblique_size.md). Groups AMMR does not list keep their source PCSA.
# Neck muscles from Mortensen 2018 keep Mortensen's forces: their abstract [V] says "the flexor and
# extensor muscle strengths were scaled to match static experimental results", so they are already
# calibrated to in vivo strength. (Evaluated: with the AMMR cervical totals instead, the model's neck
# extension strength at C7-T1 came out 119 N·m against 51 ± 11 N·m measured; with Mortensen's forces
# 63 N·m. MF-TL's cervical multifidus is not calibrated and takes the AMMR total.)
AMMR_GROUP_PCSA_CM2 = {  # (group, subdivision or None) → cm² per side, with the AMMR fascicles summed
    ("iliocostalis", "lumborum_pars_lumborum"): (6.33, "ILplL1CI…L4CI 1.08+1.54+1.82+1.89"),
    ("iliocostalis", "lumborum_pars_thoracis"): (5.48, "ILptC5SIPS…C12CI 0.23+0.32+0.39+0.34+0.50+1.00+1.23+1.47"),
    ("longissimus", "thoracis_pars_lumborum"): (4.99, "LTplL1SIPS…L5Ilium 0.79+0.91+1.03+1.10+1.16"),
    ("longissimus", "thoracis_pars_thoracis"): (11.09, "LTptT1L1…T12Sacrum (12 fascicles)", "LTpT_T"),
    ("multifidus", "lumbar"): (14.07, "MFd/MFm/MFts/MFtst lumbar fascicles (19)"),
    ("multifidus", "thoracic"): (4.8, "MFL1T8…MFL5T12 12 × 0.4", "multifidus_L"),
    ("multifidus", "cervical"): (3.6, "multifidus cervicis C5C2…T4C7 6 × 0.15 + 0.20 + 0.20 + 0.40 + 0.40 + 1.10 + 1.30 "
                                      "= 4.5, less the six 0.15 cm² fascicles C5C2…T1C4 built from AMMR as MFC_*",
                                 ("supmult-", "deepmult-")),
    ("quadratus_lumborum", None): (4.41, "QLC12_CI…QLL4_CI 1.28+0.88+0.80+0.75+0.70"),
    ("psoas_major", None): (14.63, "PMT12I…PML5T (11 fascicles)"),
    ("rectus_abdominis", None): (7.9, "RA_Par1…4, 7.9 each in series (one cross-section)"),
    ("external_oblique", None): (6.24, "OEC6…OEC12, 2.6 × 2.4 cm² over 8 fascicles"),
    ("internal_oblique", None): (6.24, "OICI_C11…OICI_RS5, 2.6 × 2.4 cm² over 10 fascicles"),
}


def spread_pcsa(members, total_cm2, describe):
    """Gives `members` the total PCSA `total_cm2` in proportion to the PCSA they have now; each
    fascicle's source becomes describe(its share, its previous source)."""
    have = sum(m["pcsa"] for m in members)
    for m in members:
        share = m["pcsa"] / have
        m["pcsa"] = total_cm2 * 1e-4 * share
        m["sources"]["pcsa"] = describe(share, m["sources"]["pcsa"])


# WHAT-IF only (--oblique-pcsa mcgill1988; docs/sources/oblique_size.md): the obliques at McGill, Patt &
# Norman 1988's CT values instead of AMMR's totals (the AMMR totals sit near McGill's for rectus abdominis
# and psoas, not for the obliques), spread over the same fascicles in the same proportions.
OBLIQUE_PCSA_CM2 = {
    "mcgill1988": {
        "external_oblique": 9.4, "internal_oblique": 8.1,
        "source": ("McGill, Patt & Norman 1988, J Biomech 21:329 (13 active men, CT at the L4/L5 disc, PCSA "
                   "corrected for fibre angle; per side, mean: external oblique 9.4 ± 2.7, internal oblique "
                   "8.1 ± 2.3 cm²) [V] abstract (PMID 3384829); a slice cuts only the fibres passing L4/L5, so a "
                   "lower bound on the whole muscle [D] (docs/sources/oblique_size.md)"),
    },
}


def apply_oblique_pcsa(muscles, oblique_pcsa):
    """What-if: the EO / IO group totals from OBLIQUE_PCSA_CM2[oblique_pcsa], the AMMR split kept."""
    spec = OBLIQUE_PCSA_CM2[oblique_pcsa]
    for group in ("external_oblique", "internal_oblique"):
        members = [m for m in muscles if m["group"] == group]
        total = spec[group]
        spread_pcsa(members, total, lambda share, was: (
            "WHAT-IF (--oblique-pcsa %s): group total %s cm² per side from %s × this fascicle's share %.4f of "
            "the group. Before: %s" % (oblique_pcsa, g(total, 4), spec["source"], share, was)))


def apply_group_pcsa(muscles):
    """Scales each listed group's fascicle PCSAs to the AMMR total, keeping their proportions.

    A total applies only to the fascicles that correspond to the AMMR fascicles it sums: AMMR's
    thoracic multifidus are its 12 lumbar-to-thoracic fascicles (MF-TL multifidus_L*), and its
    longissimus pars thoracis the 12 T1…T12 fascicles (MF-TL LTpT_T*). MF-TL's thoracic-to-thoracic
    multifidus and rib-inserting longissimus fascicles have no AMMR counterpart and keep their own
    PCSA. (Scaling all 23 and 21 fascicles to those totals had left the mid-thoracic spine with
    too little extensor in it.)"""
    for (group, sub), spec in AMMR_GROUP_PCSA_CM2.items():
        total, detail = spec[0], spec[1]
        prefix = spec[2] if len(spec) > 2 else None
        members = [m for m in muscles if m["group"] == group and (sub is None or m["subdivision"] == sub)
                   and (prefix is None or m["name"].startswith(prefix))]
        if not members:
            raise SystemExit("AMMR group %s/%s has no fascicles in the model" % (group, sub))
        spread_pcsa(members, total, lambda share, was: (
            "[D] group total %s cm² per side from AMMR (Bogduk lineage; %s; model-data §1.2 [M]) × this "
            "fascicle's share %.4f of the group's source PCSA (%s)" % (g(total, 5), detail, share, was)))


# --- Fascicle PCSA from dissection, where the dissection data set has the same fascicles ----------
# The group rule above spreads AMMR's total over our fascicles in MF-TL's proportions. Those proportions
# are not dissection data: Bruno et al. 2015 rescaled the MF-TL forces to CT areas, and they contradict the
# per-fascicle values of the same AMMR table (Bogduk lineage) wherever AMMR has the same fascicles —
# IL_L4 3.68 cm² against ILplL4CI 1.89, LTpL_L4 1.54 against LTplL4SIPS 1.10, the five L5 multifidus
# fascicles 1.87 against AMMR's L5 fascicles 2.18 (docs/sources/lumbosacral_extensors.md §2). So where
# the fascicles correspond one for one (iliocostalis and longissimus pars lumborum, by the vertebra of the
# upper attachment), each takes its own AMMR value; the lumbar multifidus, whose
# fascicle sets differ (AMMR 3-5 per spinous process, MF-TL 5), takes AMMR's total per spinous process of
# origin (Macintosh et al. 1986's grouping: each spinous process gives one group of fascicles), split
# within the level in MF-TL's proportions. Group totals are unchanged (they are the sums of these values).
# Not applied (yet) to the pars thoracis (AMMR ILptC5…C12 / LTptT1…T12 also correspond one for one): that
# moves PCSA from the upper to the lower longissimus pars thoracis (LTpT_T1 1.15 → 0.29 cm²) and belongs to
# the thoracic question (docs/sources/lumbosacral_extensors.md §5 has the measured sensitivity).
# AMMR `Body/AAUHuman/Trunk/Default_MuscleParametersSpineSimpleRight.any` @ 444d97c6 [M]; model-data §1.2.
AMMR_FASCICLE_PCSA_CM2 = {  # our fascicle → (cm² per side, AMMR fascicle(s))
    "IL_L1": (1.08, "ILplL1CI"), "IL_L2": (1.54, "ILplL2CI"), "IL_L3": (1.82, "ILplL3CI"),
    "IL_L4": (1.89, "ILplL4CI"),
    "LTpL_L1": (0.79, "LTplL1SIPS"), "LTpL_L2": (0.91, "LTplL2SIPS"), "LTpL_L3": (1.03, "LTplL3SIPS"),
    "LTpL_L4": (1.10, "LTplL4SIPS"), "LTpL_L5": (1.16, "LTplL5Ilium"),
}
AMMR_MULTIFIDUS_LEVEL_PCSA_CM2 = {  # spinous process of origin → (cm² per side, AMMR fascicles summed)
    1: (2.16, "MFdL1L3 0.38 + MFmL1L4 0.40 + MFtsL1L5 0.42 + MFtsL1S1 0.36 + MFtstL1SIPS 0.60"),
    2: (3.14, "MFdL2L4 0.38 + MFmL2L5 0.39 + MFtsL2L5 0.39 + MFtsL2S1 0.99 + MFtstL2SIPS 0.99"),
    3: (2.49, "MFdL3L5 0.38 + MFmL3S1 0.54 + MFtsL3Ligament 1.57"),
    4: (4.10, "MFdL4S1 0.38 + MFmL4Sacrum 1.86 + MFtsL4Sacrum 1.86"),
    5: (2.18, "MFdL5S1 0.38 + MFmL5Sacrum 0.90 + MFtsL5Sacrum 0.90"),
}
AMMR_FILE = "AMMR Default_MuscleParametersSpineSimpleRight.any @ 444d97c6 [M] (model-data §1.2)"

# WHAT-IF only (--lumbar-multifidus-total ward2009; docs/sources/lumbosacral_capacity.md): the whole lumbar
# multifidus at a published whole-muscle PCSA, AMMR's per-level split and MF-TL's within-level split kept
# (every level scaled by the same factor; never the L5 set alone, lumbosacral_extensors.md §2).
LUMBAR_MULTIFIDUS_TOTALS_CM2 = {
    "ward2009": (23.9, "Ward, Kim, Eng, Gottschalk, Tomiya, Garfin & Lieber 2009, J Bone Joint Surg Am 91:176: "
                       "lumbar multifidus PCSA 23.9 ± 3.0 cm² (mean ± SE, 8 cadavers) [V] abstract "
                       "(docs/sources/muscle_architecture.md §3.1); per side [D] (mass 146 g / (1.056 g/cm³ × "
                       "5.66 cm) = 24.4 cm²); taken as the L1–L5 fascicles [A] (docs/sources/lumbosacral_capacity.md)"),
}


def apply_fascicle_pcsa(muscles, lumbar_multifidus_total="ammr"):
    """Overrides the group rule with AMMR's own fascicle (or, for the lumbar multifidus, per-level) PCSA.
    lumbar_multifidus_total: "ammr" (default) or a key of LUMBAR_MULTIFIDUS_TOTALS_CM2 (what-if: every level
    scaled by published total / AMMR total)."""
    by_name = {m["name"]: m for m in muscles}
    for name, (cm2, ammr) in AMMR_FASCICLE_PCSA_CM2.items():
        m = by_name[name]
        m["pcsa"] = cm2 * 1e-4
        m["sources"]["pcsa"] = ("AMMR %s %s cm² per side (Bogduk lineage; %s; the fascicle corresponds one for one, "
                                "docs/sources/lumbosacral_extensors.md §2)" % (ammr, g(cm2, 4), AMMR_FILE))
    for level, (cm2, detail) in AMMR_MULTIFIDUS_LEVEL_PCSA_CM2.items():
        members = [m for m in muscles if m["group"] == "multifidus" and m["subdivision"] == "lumbar"
                   and m["name"].startswith("MF_m%d" % level)]
        if len(members) != 5:
            raise SystemExit("lumbar multifidus level L%d: expected 5 MF-TL fascicles, found %d" % (level, len(members)))
        spread_pcsa(members, cm2, lambda share, was: (
            "[D] AMMR total of the fascicles from the L%d spinous process %s cm² per side (%s; %s) × this "
            "fascicle's share %.4f of MF-TL's L%d fascicles (MF-TL F_max; docs/sources/lumbosacral_extensors.md §2)"
            % (level, g(cm2, 4), detail, AMMR_FILE, share, level)))
    if lumbar_multifidus_total != "ammr":
        total, src = LUMBAR_MULTIFIDUS_TOTALS_CM2[lumbar_multifidus_total]
        ammr_total = sum(cm2 for cm2, _ in AMMR_MULTIFIDUS_LEVEL_PCSA_CM2.values())
        factor = total / ammr_total
        for m in muscles:
            if m["group"] == "multifidus" and m["subdivision"] == "lumbar":
                m["pcsa"] *= factor
                m["sources"]["pcsa"] = ("WHAT-IF (--lumbar-multifidus-total %s): × %.4f = %s cm² / AMMR's lumbar "
                                        "multifidus total %s cm², every level alike; %s. Before: %s" % (
                                            lumbar_multifidus_total, factor, g(total, 4), g(ammr_total, 4), src,
                                            m["sources"]["pcsa"]))


def mk(name, group, sub, path, pcsa, src_lopt, src_lts, penn, sources, r=None, mftl_bodies=None):
    return {"name": name, "group": group, "subdivision": sub, "path": path, "pcsa": pcsa,
            "src_lopt": src_lopt, "src_lts": src_lts, "penn": penn, "sources": sources,
            "r": r if r is not None else source_ratio(src_lopt, src_lts, penn), "mftl_bodies": mftl_bodies}


# The MF-TL fascicles whose straight paths here do not reproduce MF-TL's: psoas wraps over the pelvic
# brim (PS_at_brim) and the internal oblique over the Abdomen cylinders (docs/sources/christophy_registration.md §3).
SOURCE_FIT_EXEMPT = ("psoas_major", "internal_oblique")
SOURCE_FIT_TOL = 0.012  # m: the largest misfit of the sacral and vertebral fascicles is 9.9 mm


def source_parameter_fit(muscles, segs):
    """Neutral musculotendon length minus the length the source's own l_opt and l_ts imply with the
    fibres at SL/2.8 of optimal (Christophy's rule, docs/sources/muscle_architecture.md §2.4), for every
    MF-TL fascicle with a pelvis or sacrum point: {name: (pelvic body, offset m)}. A registration error
    between the ilium and the spine shows up here as a common offset (docs/sources/christophy_registration.md)."""
    P0 = chain_of(segs).poses()
    out = {}
    for m in muscles:
        bodies = m.get("mftl_bodies") or []
        pelvic = [b for b in bodies if b in ("pelvis", "sacrum")]
        if not pelvic:
            continue
        f = sarcomere_length(m["group"]) / 2.8
        lo, a = m["src_lopt"], m["penn"]
        implied = m["src_lts"] + math.sqrt(max((f * lo) ** 2 - (lo * math.sin(a)) ** 2, 0.0))
        out[m["name"]] = ("pelvis" if "pelvis" in pelvic else "sacrum", path_length(m["path"], P0) - implied)
    bad = {n: v for n, v in out.items() if abs(v[1]) > SOURCE_FIT_TOL
           and next(m["group"] for m in muscles if m["name"] == n) not in SOURCE_FIT_EXEMPT}
    if bad:
        raise SystemExit("fascicles that do not fit their source parameters (registration error?): %s" % (
            ", ".join("%s %+.1f mm" % (n, 1e3 * v[1]) for n, v in sorted(bad.items()))))
    return out


# ---- The neck source file's own neutral operating point (docs/sources/muscle_architecture.md §5.2).
# No measured neutral sarcomere length of a neck muscle was reachable (§5.1-5.2), so the neck groups
# keep SL = 2.8 µm (fibres optimal in neutral, an assumption). The Mortensen file itself, with its own
# l_opt and l_ts in its default pose, holds its Vasavada-lineage muscles at 0.87-1.16 of optimal. That
# number is computed here from the transcription (Mortensen's own frames, independently of this
# model's registration), checked against this model's neutral L0, written into each fascicle's source
# text, and used as the anchor only with --neck-anchor source (a what-if; never the default).
NECK_ANCHOR_REG_TOL = 1e-6  # m: this model's neutral L0 must equal the file's default-pose length


def mortensen_neutral_fibre(mort):
    """{Mortensen muscle: (musculotendon length m, l̃)} in the Mortensen file's default pose: cervical
    coordinates 0, joint offset frames unrotated (transcription §3.6), torso and girdle bodies welded
    (their offset orientations applied); tendon at slack (no force, as its Millard2012EquilibriumMuscle
    at rest): l̃ = √((L − l_ts)² + (l_opt sin α)²) / l_opt [D]."""
    pose = {"spine": (np.eye(3), np.zeros(3))}
    for j in mort["joints"].values():  # the transcription lists each parent before its child
        Rp, op = pose[j["parent"]]
        pose[j["child"]] = (Rp, op + Rp @ np.array(j["pt"], float) - Rp @ np.array(j["ct"], float))
    for w_ in mort["welds"].values():
        Rp, op = pose[w_["parent"]]
        Rc = Rp @ rot_xyz(w_["o"]) @ rot_xyz(w_["co"]).T
        pose[w_["child"]] = (Rc, op + Rp @ np.array(w_["t"], float) - Rc @ np.array(w_["ct"], float))
    out = {}
    for name, mu in mort["muscles"].items():
        pts = [pose[b][1] + pose[b][0] @ np.array(p, float) for _, _, b, p in mu["points"]]
        L = sum(float(np.linalg.norm(b - a)) for a, b in zip(pts, pts[1:]))
        along = max(L - mu["lts"], 0.0)
        out[name] = (L, math.hypot(along, mu["lopt"] * math.sin(mu["penn"])) / mu["lopt"])
    return out


def mark_neck_source_anchor(muscles, segs, mort):
    """Stores m["src_neutral"] (the Mortensen file's own neutral l̃) on every fascicle taken from it,
    after checking that its neutral length here is the file's default-pose length (the neck skeleton
    and the welded torso are copied rigidly); returns {fascicle: l̃}."""
    table = mortensen_neutral_fibre(mort)
    P0 = chain_of(segs).poses()
    out, bad = {}, []
    for m in muscles:
        src = m["sources"].get("src", "")
        if not src.startswith(MORTS + " "):
            continue
        name = src[len(MORTS) + 1:]
        if name not in table:
            continue
        L_file, lt = table[name]
        d = path_length(m["path"], P0) - L_file
        if abs(d) > NECK_ANCHOR_REG_TOL:
            bad.append("%s %+.3f mm" % (m["name"], 1e3 * d))
        m["src_neutral"] = lt
        out[m["name"]] = lt
    if bad:
        raise SystemExit("neck fascicles whose neutral length differs from the Mortensen file's default pose "
                         "(registration error?): %s" % ", ".join(bad))
    return out


def clean_path(path):
    out = []
    for seg, p in path:
        if out and out[-1][0] == seg and np.linalg.norm(out[-1][1] - p) < 1e-9:
            continue
        out.append((seg, np.asarray(p, float)))
    return out


def build_muscles(mftl, trunk, mort, mp):
    muscles = []
    MT = trunk["muscles"]
    MO = mort["muscles"]
    lum = {mu["name"]: mu for mu in mftl["muscles"]}

    def from_mftl(mu, name, group, sub, note=""):
        path = clean_path([mp.mftl_point(b, p, name) for _, _, b, p in mu["points"]])
        kinds = {k for _, k, _, _ in mu["points"]}
        how = []
        if any(b == "sacrum" for _, _, b, _ in mu["points"]):
            how.append("sacrum → pelvis +(-0.02, 0, 0)")
        if any(b == "pelvis" for _, _, b, _ in mu["points"]):
            how.append("MF-TL pelvis (ilium) points registered to the sacrum as in Christophy 2012: +(0, 0.049, 0) "
                       "into the sacrum frame, then +(-0.02, 0, 0) (spine_sources.CHRISTOPHY_PELVIS_IN_SACRUM)")
        if any(b.startswith("rib") for _, _, b, _ in mu["points"]):
            how.append("rib points on the T segment of their rib (rib joints at 0)")
        if any(b == "head_neck" for _, _, b, _ in mu["points"]):
            how.append("head_neck points → cervical segment nearest in height at neutral")
        if any(b == "Abdomen" for _, _, b, _ in mu["points"]) and mp.abdominal_wall == "vertebrae":
            how.append("Abdomen points → lumbar/thoracic segment nearest in height at neutral (the abdominal "
                       "wall rides on the spine)")
        elif any(b == "Abdomen" for _, _, b, _ in mu["points"]):
            shares = ", ".join("%.4f" % seg.share for seg, _ in path if isinstance(seg, Blend))
            how.append("Abdomen points (linea alba / rectus sheath) → blended points on the pelvis and %s, the "
                       "bones the band joins (pubic crest … xiphoid and 7th costal cartilage), at their neutral "
                       "position; share on %s = the point's height fraction along the band at neutral from the "
                       "pubic end, the band's ends MF-TL's rect_abd origin and insertion, which, moved to the point's own "
                       "lateral distance, are also its anchors (the point follows the chord between them; %s; assumption: the "
                       "lever rule of a taut band; docs/sources/abdominal_wall.md §2)"
                       % (XIPHOID_SEGMENT, XIPHOID_SEGMENT, shares))
        if any(b == "humerus_r" for _, _, b, _ in mu["points"]) and mp.latissimus_humeral == "rib_cage":
            how.append("humerus point → a point on T1…T10, shares 0.1 each, at its place on T1 at neutral (the arm's "
                       "neutral hanging pose; its force reaches the spine through the rib cage like the arms' loads: "
                       "what-if, docs/sources/latissimus_path.md)")
        elif any(b == "humerus_r" for _, _, b, _ in mu["points"]):
            how.append("humerus point → T1 (arm carried by T1 at its neutral hanging pose: only LD's action "
                       "on the spine is kept)")
        if "C" in kinds:
            how.append("ConditionalPathPoints always active → fixed via points")
        psrc = MFT + ": " + mu["name"] + (" path; [D] " + "; ".join(how) if how else " path") + note
        return mk(name, group, sub, path, mu["F"] / SIGMA_MFTL, mu["lopt"], mu["lts"], mu["penn"], {
            "path": psrc,
            "pcsa": "[D] %s F_max %s N / 100 N/cm² (the MF-TL family's own stress, Burkhart 2018)" % (mu["name"], g(mu["F"], 6)),
            "pennation_deg": MFT + ": " + mu["name"] + ", rad → deg",
            "src": "%s %s" % (MFT, mu["name"])}, mftl_bodies=sorted({b for _, _, b, _ in mu["points"]}))

    def from_mort(name, group, sub):
        mu = MO[name]
        path = clean_path([mp.mort_point(b, p, name) for _, _, b, p in mu["points"]])
        bodies = {b for _, _, b, _ in mu["points"]}
        how = []
        if bodies & {"spine", "ribcage", "rscapula", "rclavicle"}:
            how.append("torso/shoulder-girdle points registered to MF-TL (Mortensen spine frame ≡ head_neck frame, "
                       "C7-T1 centres coincident) → thoracic segment T1…T6 nearest in height at neutral (fixed "
                       "shoulder girdle)")
        psrc = MORTS + ": " + name + " path" + ("; [D] " + "; ".join(how) if how else " (cervical/skull frames verbatim)")
        return mk(name, group, sub, path, mu["F"] / SIGMA_MORT, mu["lopt"], mu["lts"], mu["penn"], {
            "path": psrc,
            "pcsa": "[D] %s F_max %s N / %s N/cm², the model's specific tension (assumption: Mortensen's "
                    "specific tension not found; their forces are strength-calibrated, kept unchanged)"
                    % (name, g(mu["F"], 6), g(SIGMA_MORT / 1e4)),
            "pennation_deg": MORTS + ": " + name + ", rad → deg",
            "src": "%s %s" % (MORTS, name)})

    # ---- iliocostalis
    for mu in mftl["muscles"]:
        n = mu["name"][:-2]
        if n.startswith("IL_L"):
            muscles.append(from_mftl(mu, n, "iliocostalis", "lumborum_pars_lumborum"))
    for mu in mftl["muscles"]:
        n = mu["name"][:-2]
        if n.startswith("IL_R"):
            muscles.append(from_mftl(mu, n, "iliocostalis", "lumborum_pars_thoracis"))
    # iliocostalis thoracis (Gray's: upper borders of the angles of ribs 7-12 → angles of ribs 1-6)
    angle = {}
    for k in range(5, 13):
        last = lum["IL_R%d_r" % k]["points"][-1]
        assert last[2] == "rib%d_R" % k
        angle[k] = ("rib%d_R" % k, last[3], "IL_R%d insertion" % k)
    last = lum["LTpT_R4_r"]["points"][-1]
    assert last[2] == "rib4_R"
    angle[4] = ("rib4_R", last[3], "LTpT_R4 insertion")
    ic = MT["iliocost_cerv_c5rib"]["points"][0]
    assert ic[2] == "rib3_R"
    angle[3] = ("rib3_R", ic[3], "MF-TL iliocost_cerv_c5rib origin")
    for k in (2, 1):
        angle[k] = ("rib%d_R" % k, ic[3], "rib-3 angle coordinates in the rib%d_R frame (assumption)" % k)
    il_r = [source_ratio(lum["IL_R%d_r" % k]["lopt"], lum["IL_R%d_r" % k]["lts"], lum["IL_R%d_r" % k]["penn"])
            for k in range(5, 13)]
    r_ilt = sum(il_r) / len(il_r)
    pcsa_ilt = sum(AMMR_ILPT_PCSA) / len(AMMR_ILPT_PCSA) * 1e-4
    penn_il = lum["IL_R5_r"]["penn"]
    for k in range(7, 13):
        pts = [mp.rib_T(angle[i][0], angle[i][1]) for i in range(k, k - 7, -1)]
        desc = "; ".join("rib %d: %s" % (i, angle[i][2]) for i in range(k, k - 7, -1))
        muscles.append(mk("ILT_R%d_R%d" % (k, k - 6), "iliocostalis", "thoracis", clean_path(pts), pcsa_ilt,
                          None, None, penn_il, {
                              "path": "[D] Gray's (spine_literature.md §7.1 [V-sec]): rib %d → rib %d angle, via the "
                                      "angles of the ribs between (as MF-TL's IL pars thoracis); rib-angle points: %s; on "
                                      "the T segment of each rib" % (k, k - 6, desc),
                              "pcsa": "[D] assumption: mean AMMR IL pars thoracis fascicle PCSA (ILptC5…C12, "
                                      "model-data §1.2 [M]) %.3f cm²; no iliocostalis thoracis PCSA published" % (1e4 * pcsa_ilt),
                              "pennation_deg": MFT + ": IL pennation 0.24086 rad (assumption: as IL lumborum)",
                              "src": "r = mean of MF-TL IL_R5…R12 ratios (assumption)"}, r=r_ilt))
    muscles.append(from_mort("iliocost_cerv_c5rib", "iliocostalis", "cervicis"))
    # ---- longissimus
    for mu in mftl["muscles"]:
        n = mu["name"][:-2]
        if n.startswith("LTpL_"):
            muscles.append(from_mftl(mu, n, "longissimus", "thoracis_pars_lumborum"))
    for mu in mftl["muscles"]:
        n = mu["name"][:-2]
        if n.startswith("LTpT_"):
            muscles.append(from_mftl(mu, n, "longissimus", "thoracis_pars_thoracis"))
    muscles.append(from_mort("longissi_cerv_c4thx", "longissimus", "cervicis"))
    muscles.append(from_mort("longissi_cap_sklc6", "longissimus", "capitis"))
    # ---- spinalis
    def sp(level):
        mname, k = SP_POINT[level]
        mu = lum.get(mname) or MT[mname]
        _, _, body, p = mu["points"][k - 1]
        return mp.mftl_point(body, p, "SP " + level)
    for top in (3, 4, 5):
        levels = ["L1"] + ["T%d" % n for n in range(12, top - 1, -1)]
        muscles.append(mk("SP_thoracis_L1_T%d" % top, "spinalis", "thoracis", clean_path([sp(l) for l in levels]),
                          AMMR_SPINALIS_PCSA, None, None, 0.0, {
                              "path": "[D] AMMR SPL1T%d (model-data §1.2 [M]) and Gray's (§7.1): L1 spinous process → "
                                      "T%d spinous process over the spinous processes between (MF-TL multifidus "
                                      "insertions: %s)" % (top, top, ", ".join("%s %s" % (l, SP_POINT[l][0]) for l in levels)),
                              "pcsa": "AMMR SPL1T%d 0.5 cm² (model-data §1.2 [M])" % top,
                              "pennation_deg": "assumption: 0° (no data)",
                              "src": "r = Delp 2001 whole erector spinae fibre/MT ratio 0.281 (Lambrecht 2009 Table 1 [V]; "
                                     "assumption for the mainly aponeurotic spinalis)"}, r=DELP_ES_RATIO))
    c7 = MO["trap_acr"]["points"][1]
    c2 = MO["rectcap_post_maj"]["points"][0]
    assert c7[2] == "cerv7" and c2[2] == "cerv2"
    muscles.append(mk("SP_cervicis_C7_C2", "spinalis", "cervicis",
                      [mp.mort_point(c7[2], c7[3], "SPc"), mp.mort_point(c2[2], c2[3], "SPc")],
                      AMMR_SPINALIS_PCSA, None, None, 0.0, {
                          "path": "[D] Gray's (§7.1, inconstant): C7 spinous process (%s trap_acr insertion) → C2 spinous "
                                  "process (%s rectcap_post_maj origin)" % (MORTS, MORTS),
                          "pcsa": "assumption: 0.5 cm², as AMMR spinalis thoracis fascicles (no data)",
                          "pennation_deg": "assumption: 0° (no data)",
                          "src": "r = Delp 2001 whole-ES ratio 0.281 (assumption)"}, r=DELP_ES_RATIO))
    sc = from_mort("semi_cap_sklthx", "spinalis", "capitis")
    sc["name"] = "SP_capitis"
    sc["pcsa"] = AMMR_SPINALIS_PCSA
    sc["sources"]["path"] = ("[D] Gray's (§7.1): spinalis capitis is the medial part of semispinalis capitis; placed "
                             "on %s semi_cap_sklthx, the medial semispinalis capitis line (same points)" % MORTS)
    sc["sources"]["pcsa"] = "assumption: 0.5 cm², as AMMR spinalis thoracis fascicles (no data)"
    muscles.append(sc)
    # ---- multifidus
    for mu in mftl["muscles"]:
        n = mu["name"][:-2]
        if n.startswith("MF_"):
            muscles.append(from_mftl(mu, n, "multifidus", "lumbar"))
    for n, mu in MT.items():
        if n.startswith("multifidus_"):
            muscles.append(from_mftl(mu, n, "multifidus", "thoracic"))
    for n, mu in MT.items():
        if n.startswith("supmult-") or n.startswith("deepmult-"):
            muscles.append(from_mftl(mu, n, "multifidus", "cervical"))
    # ---- trunk muscles
    for n, mu in MT.items():
        if n.startswith("QL_"):
            sub = {"post": "posterior", "mid": "middle", "ant": "anterior"}[n.split("_")[1]]
            muscles.append(from_mftl(mu, n[:-2], "quadratus_lumborum", sub))
    for n, mu in MT.items():
        if n.startswith("Ps_"):
            muscles.append(from_mftl(mu, n[:-2], "psoas_major", "transverse_process" if "_TP_" in n else "vertebral_body"))
    muscles.append(from_mftl(MT["rect_abd_r"], "rect_abd", "rectus_abdominis", "rectus_abdominis"))
    for n, mu in MT.items():
        if n.startswith("E0_"):
            k = int(n[4:-2])
            muscles.append(from_mftl(mu, n[:-2], "external_oblique", "abdominal" if k <= 9 else "iliac"))
    for n, mu in MT.items():
        if n.startswith("IO"):
            k = int(n[2])
            muscles.append(from_mftl(mu, n[:-2], "internal_oblique", "abdominal" if k <= 3 else "costal"))
    for n, mu in MT.items():
        if n.startswith("LD_"):
            sub = "iliac" if n == "LD_Il_r" else "costal" if n.startswith("LD_R") else "vertebral"
            muscles.append(from_mftl(mu, n[:-2], "latissimus_dorsi", sub))
    # ---- neck (Mortensen)
    for n, grp, sub in NECK:
        muscles.append(from_mort(n, grp, sub))
    # ---- the hyoid muscles of Mortensen 2018 as suprahyoid-infrahyoid chains through a hyoid carried
    # by C3 (models/tools/hyoid_muscles.py, docs/sources/hyoid.md)
    muscles.extend(hyoid_muscles.build(MO, mp, mk, clean_path))
    # ---- the short and deep muscles the two source models lack (models/tools/deep_muscles.py)
    neck = {m["name"]: m for m in muscles}
    muscles.extend(deep_muscles.build(lum, MT, MO, mp, angle, sp, mk, clean_path, neck))
    # ---- the external and internal intercostals as active thoracic rotators, on rib lines drawn from
    # MF-TL landmarks (models/tools/intercostals.py, docs/sources/intercostals.md)
    ic, geo = intercostals.build(mp, mk, clean_path)
    muscles.extend(ic)
    mp.intercostal_check = intercostals.check_report(geo, dict(lum, **MT), mp)
    return muscles


def apply_rule(muscles, segs, ranges, neck_anchor="assumption"):
    """neck_anchor "assumption": every group's SL (the neck groups 2.8 µm); "source" (what-if only):
    the neck groups without a measured SL anchored at the Mortensen file's own neutral l̃ instead."""
    chain = chain_of(segs)
    rng = {j: ranges[j]["range"] for j in ranges}
    postures = [(name, chain.poses(qq)) for name, qq in range_postures(chain, REGIONS, rng)]
    for m in muscles:
        lengths = [path_length(m["path"], p) for _, p in postures]
        sl = sarcomere_length(m["group"])
        from_source = (neck_anchor == "source" and m["group"] not in SARCOMERE_LENGTH and "src_neutral" in m)
        if from_source:
            sl = SL_OPT * m["src_neutral"]
        res = fibre_rule(lengths[0], lengths, m["r"], sl, m["penn"])
        m.update(lopt=res["lopt"], lts=res["lts"], fibre=dict(res, sl=sl, L0=lengths[0], from_source=from_source))
        m["extreme"] = (postures[int(np.argmin(lengths))][0], postures[int(np.argmax(lengths))][0])


# =================================================================================================
# YAML output
# =================================================================================================

HEADER = """\
# generated by models/tools/build_full_spine.py — edit the script, not this file.
#
# paraspine %s model: pelvis (with sacrum), L5…L1, T12…T1 (each with its own ribs, rigid), C7…C1 and the
# head; 25 three-rotation joints L5-S1 … C0-C1; arms as point masses hanging from T1, their load carried by the rib cage to T1…T10; %s.
# Decisions, assumptions and limitations: docs/model.md.
#
# Citations
#   MF-TL      ross-wilkinson/opensim-model-fullBodyMuscleActuated @ 535c7af89576fc21d8530709ec2cfbcd2bd03c67,
#              cyclistFullBodyMuscle.osim: Rajagopal et al. 2016 (pelvis), torso of Allaire et al. 2020
#              (Christophy et al. 2012 lumbar + Bruno, Bouxsein & Anderson 2015 J Biomech Eng 137:081003).
#              Transcribed verbatim in docs/sources/mftl_lumbar_geometry.md and mftl_trunk_muscles.md.
#   Mortensen  Mortensen JD, Vasavada AN, Merryweather AS 2018, PLoS ONE 13:e0199912 (Vasavada, Li & Delp 1998
#              lineage): mjhmilla/kinematicPassengerModel @ 5df844cb9af6fd85bd8063872f7ce880ccf3306c,
#              models/Mortensen2014_rigidTorso.osim; docs/sources/mortensen2018_neck_geometry.md.
#   AMMR       AnyBody/ammr @ ef387217, MuscleParametersSpineSimpleRight.any (spinalis, IL pars thoracis PCSA).
#   Christophy Christophy M et al. 2012, Biomech Model Mechanobiol 11:19–34 (inertias, lumbar rhythm, fibre rule).
#   de Leva    de Leva P 1996, J Biomech 29:1223–1230 (head inertia, arm, body regions).
#   Yamamoto   Yamamoto I et al. 1989, Spine 14:1256–1260.    Pearcy  Pearcy MJ, Tibrewal SB 1984, Spine 9:582.
#   Wilke      Wilke HJ et al. 2017, PLoS ONE 12:e0177823; rib cage: PLoS ONE 2017;12:e0178733.
#   Panjabi    Panjabi MM et al. 2001, Spine 26:2692–2700.    Gray's  Gray's Anatomy 1918 (spinalis, IL thoracis).
#   Burkhart   Burkhart KA et al. 2018, J Orthop Res 36:498–505 (MF-TL default 100 N/cm²; in vivo 75.5 N/cm²).
#   Thorstensson  Thorstensson A, Carlson H 1987, Acta Physiol Scand 131:195 (type I); Mannion AF et al. 1997.
#   [D] marks numbers derived here by the stated arithmetic; "assumption:" marks choices without a
#   direct source. Compiled values: shared/data/model-data.md (§ numbers cited).
"""


# ---- arms: the load path through the rib cage (docs/model.md §4)
# The shoulder girdle hangs from the closed rib cage (clavicle → manubrium; scapula held on ribs 1-9 by
# serratus anterior), which is attached to T1…T10: ribs 1-7 reach the sternum by their own cartilages,
# 8-10 through the cartilage of the rib above, 11-12 float (Gray's Anatomy 1918, Osteology 4b "The Ribs").
# Multibody peers treat the thorax as one rigid body carrying the arms (AnyBody AMMR's standard
# trunk, the Christophy/OpenSim lumbar models, 3DSSPP). Here the rib cage is that rigid body, held on
# the articulated thoracic spine at the costovertebral joints of ribs 1-10, both sides, each an
# isotropic spring of the same stiffness; with the vertebrae posed by the kinematics the arm's wrench
# then splits by the elastic bolt-group rule (sim/dynamics/external_loads.h, share_over_springs).
RIB_CAGE_LEVELS = range(1, 11)
RIB_CAGE_SRC = (
    "MF-TL @535c7af: T<k>_r<k>R_CVjnt parent-frame translations (the right costovertebral joint of rib k on "
    "thoracic k), k = 1…10, mirrored by the loader; ribs 1-10 because ribs 1-7 join the sternum by their "
    "cartilages and 8-10 through the cartilage above, 11-12 float (Gray's Anatomy 1918, Osteology 4b, The Ribs); the rib "
    "cage a rigid body carrying the shoulder girdle, as the thorax of AnyBody AMMR / OpenSim lumbar "
    "models / 3DSSPP (Multibody Syst Dyn 2021, doi 10.1007/s11044-021-09787-9, introduction: "
    "multibody spine models treat the thorax as one rigid body); assumption: every costovertebral "
    "joint an isotropic spring of the same stiffness (Lebschy et al. 2024 J Biomech 163:111923: "
    "almost uniform tensile stiffness in the three directions at four rib levels, 1.1-1.6 mm at 28 N; "
    "Liebsch & Wilke 2020 Front Bioeng Biotechnol 8:46 report the rib cage's stabilisation largest in "
    "the upper half, so equal springs may under-load T1-T5 somewhat)")


def rib_cage_joints(mp):
    """Right costovertebral joint centres of ribs 1-10 on their vertebrae (MF-TL CV joint parent frames)."""
    out = []
    for k in RIB_CAGE_LEVELS:
        d = mp.ribs["rib%d_R" % k]
        assert d["level"] == k and d["ct"] == [0.0, 0.0, 0.0], d
        out.append(("T%d" % k, d["pt"]))
    return out


def write_yaml(path, name, desc, segs, ranges, regions, arm, ref, muscles, type1_groups):
    o = []
    w = o.append
    w(HEADER % (name, desc))
    w("paraspine_model: 1\n")
    w("name: %s\n" % name)
    w("description: %s\n" % q("Pelvis to head, 25 joints; " + desc + "; from MF-TL (thoracolumbar) and Mortensen "
                              "2018 (neck), every number sourced (docs/model.md)"))
    w("reference_subject:\n")
    w("  body_mass: %s\n" % g(ref["body_mass"], 6))
    w("  height: %s\n" % g(round(ref["height"], 3), 4))
    w("  sex: male\n")
    w("  source:\n")
    w("    body_mass: %s\n" % q("[D] as models/lumbar.yaml: sum of all " + MFT + " bodies (model-data §2.3: 79.58 kg)"))
    w("    height: %s\n" % q("[D] as models/lumbar.yaml (assumption): MF-TL pelvis_ty %s m + pelvis→T1_head_neck "
                             "%.4f m + de Leva 1996 male VERT-CERV 0.2429 m" % (g(ref["pelvis_ty"], 6), ref["hn_y"])))
    w("\nmuscle_defaults:\n")
    w("  all: {specific_tension: %s, type1_fraction: %s, source: {specific_tension: %s, type1_fraction: %s}}\n" % (
        g(SIGMA), g(TYPE1_DEFAULT), q(SPECIFIC_TENSION_SOURCE),
        q("assumption: 0.5 where no verified per-muscle value was found (searched Johnson et al. 1973); the usual "
          "default of OpenSim fatigue/metabolic code when data are missing")))
    t1src = {"iliocostalis": "assumption: lumbar longissimus value (Thorstensson & Carlson 1987); Mannion et al. 1997 "
                             "found no regional difference in % type I within the erector spinae",
             "longissimus": "Thorstensson & Carlson 1987 Acta Physiol Scand 131:195: lumbar longissimus 57 % type I "
                            "(model-data §1.5)",
             "multifidus": "Thorstensson & Carlson 1987: lumbar multifidus 62 % type I (model-data §1.5); thoracic and "
                           "cervical MF: assumption, same value",
             "spinalis": "assumption: erector spinae value (longissimus 57 %, Thorstensson & Carlson 1987; Mannion 1997)"}
    for grp in type1_groups:
        w("  %s: {type1_fraction: %s, source: %s}\n" % (grp, g(TYPE1[grp]), q(t1src[grp])))
    passive_in_vivo.write_muscle_defaults(w, q, g, muscles)
    BL.write_fatigue_and_creep(w, q, g, sum(BL.YAMAMOTO[lv][0] for lv in BL.YAMAMOTO))
    # Intra-abdominal pressure is raised by the abdominal wall and the diaphragm: a model without
    # them (paraspinal_only, "what the paraspinals can do alone") must not get its support for free.
    if any(m["group"] == "external_oblique" for m in muscles):
        abdominal_pressure.write_abdominal_pressure(w, q, g)
    disc_sources.write_disc_pressure(w, q, g)

    w("\nsegments:\n")
    for s in segs:
        w("  - name: %s\n" % s["name"])
        if s.get("parent"):
            w("    parent: %s\n" % s["parent"])
        w("    mass: %s\n" % g(s["mass"], 7))
        w("    com: %s\n" % vlist(s["com"]))
        w("    inertia: [%s]\n" % ", ".join(s["inertia"]))
        w("    de_leva_regions: {%s}\n" % ", ".join("%s: %s" % (k, g(v, 6)) for k, v in s["de_leva"].items()))
        jsrc = {}
        if "joint" in s:
            j = s["joint"]
            ex = ranges[j["name"]]
            w("    joint:\n")
            w("      name: %s\n" % j["name"])
            w("      in_parent: {position: %s, rotation_xyz_deg: %s}\n" % (vlist(j["position"]), vlist(j["rotation_deg"])))
            if "bc" in j and np.linalg.norm(j["bc"]) > 0:
                w("      in_child: {position: %s}\n" % vlist(j["bc"]))
            r = ex["range"]
            w("      range_deg: {flexion: %s, lateral_bending: %s, axial_rotation: %s}\n" % tuple(
                vlist(r[a], 4) for a in range(3)))
            w("      passive:\n")
            w("        units: per_degree\n")
            for a, an in enumerate(AXES):
                sides = ex["passive"][a]
                w("        %s: {%s}\n" % (an, ", ".join("%s: {ce: %s, be: %s}" % (k, g(v[0], 6), g(v[1], 6))
                                                     for k, v in sides.items())))
            ligament_compression.write_off_disc(w, q, g, j["name"])
            disc_sources.write_disc(w, q, g, j["name"], ref["body_mass"], round(ref["height"], 3))
            if "mftl_joint" in j:
                pos = (MFT + ": %s parent frame translation" % j["mftl_joint"]) + (
                    " + sacrum→pelvis (-0.02, 0, 0) [D]" if j["name"] == "L5-S1" else "")
                jsrc = {"in_parent.position": pos,
                        "in_parent.rotation_xyz_deg": MFT + ": %s parent frame orientation, rad → deg" % j["mftl_joint"]}
            elif j["name"] == "C7-T1":
                jsrc = {"in_parent.position": MFT + ": T1_head_neck parent frame translation (registration: the C7-T1 "
                                                    "joint centre; docs/model.md §2)",
                        "in_parent.rotation_xyz_deg": MFT + ": T1_head_neck parent orientation (30°) composed with "
                                                            "%s auxt1jnt parent orientation (0 0 0)" % MORTS,
                        "in_child.position": MORTS + ": auxt1jnt child frame (cerv7_offset) translation"}
            else:
                jsrc = {"in_parent.position": MORTS + ": %s parent frame translation (orientation 0 0 0)" % j["mort_joint"],
                        "in_parent.rotation_xyz_deg": MORTS + ": %s parent frame orientation 0 0 0" % j["mort_joint"]}
                if np.linalg.norm(j["bc"]) > 0:
                    jsrc["in_child.position"] = MORTS + ": %s child frame translation" % j["mort_joint"]
            jsrc["range_deg"] = ex["range_src"]
            jsrc["passive"] = ex["passive_src"]
            w("      source:\n")
            for k, v in jsrc.items():
                w("        %s: %s\n" % (k, q(v)))
        src = s["source"]
        if isinstance(src, str):
            src = {"mass": src, "com": src, "inertia": src}
        w("    source:\n")
        for kk in ("mass", "com", "inertia"):
            w("      %s: %s\n" % (kk, q(src[kk])))
        w("      de_leva_regions: %s\n" % q(DE_LEVA_SRC))

    w("\nregions:\n")
    for rg in regions:
        w("  - name: %s\n" % rg["name"])
        w("    joints: [%s]\n" % ", ".join(rg["joints"]))
        w("    shares:\n")
        for a, an in enumerate(AXES):
            w("      %s: %s\n" % (an, vlist(rg["shares"][a], 6)))
        w("    source: %s\n" % q(rg["source"]))

    w("\narms:\n")
    w("  - side: both\n")
    w("    segment: T1\n")
    w("    shoulder: %s\n" % vlist(arm["shoulder"]))
    w("    mass: %s\n" % g(arm["mass"], 6))
    w("    com_fraction: %s\n" % g(arm["com_fraction"], 4))
    w("    length: %s\n" % g(arm["length"], 4))
    w("    source:\n")
    w("      shoulder: %s\n" % q("[D] " + MFT + ": shoulder_R parent frame on scapula_R → (welds) clavicle_R → sternum → "
                                "rib1_R → thoracic1 (coordinates 0), in the T1 frame"))
    w("      mass: %s\n" % q("as models/lumbar.yaml: " + MFT + " humerus + ulna + radius + hand"))
    w("      length: %s\n" % q("as models/lumbar.yaml: [D] de Leva 1996 male upper arm + forearm + 79 % of hand"))
    w("      com_fraction: %s\n" % q("as models/lumbar.yaml: [D] MF-TL masses at de Leva 1996 CoM positions"))
    w("      rib_cage: %s\n" % q(RIB_CAGE_SRC))
    w("    rib_cage:\n")
    for seg, p in arm["rib_cage"]:
        w("      - [%s, %s]\n" % (seg, ", ".join(g(float(x), 7) for x in p)))

    w("\nmuscles:\n")
    for m in muscles:
        fb = m["fibre"]
        w("  - name: %s\n" % m["name"])
        w("    group: %s\n" % m["group"])
        if m["subdivision"]:
            w("    subdivision: %s\n" % m["subdivision"])
        w("    side: both\n")
        w("    path:\n")
        for seg, p in m["path"]:
            if isinstance(seg, MultiBlend):
                w("      - {between: [%s], shares: [%s], at: [%s]}\n"
                  % (", ".join(seg.segments), ", ".join(g(x, 6) for x in seg.shares), ", ".join(g(float(x), 7) for x in p)))
            elif isinstance(seg, Blend):
                vec = lambda v: ", ".join(g(float(x), 7) for x in v)  # noqa: E731
                if seg.anchors is None:
                    w("      - {between: [%s, %s], share: %s, at: [%s]}\n" % (seg.first, seg.second, g(seg.share, 6), vec(p)))
                else:
                    w("      - {between: [%s, %s], share: %s, at: [%s], anchors: [[%s], [%s]]}\n"
                      % (seg.first, seg.second, g(seg.share, 6), vec(seg.at), vec(seg.anchors[0]), vec(seg.anchors[1])))
            else:
                w("      - [%s, %s]\n" % (seg, ", ".join(g(float(x), 7) for x in p)))
        w("    pcsa: %s\n" % g(m["pcsa"], 9))
        w("    optimal_fiber_length: %s\n" % g(m["lopt"], 9))
        w("    tendon_slack_length: %s\n" % g(m["lts"], 9))
        w("    pennation_deg: %s\n" % g(math.degrees(m["penn"]), 7))
        if "passive_strain" in m:
            w("    passive_strain: %s\n" % g(m["passive_strain"][0]))
        if m["src_lopt"] is not None:
            rsrc = "r = %.4f from %s l_opt %s, l_ts %s" % (m["r"], m["sources"]["src"], g(m["src_lopt"], 4),
                                                          g(m["src_lts"], 4))
        else:
            rsrc = "%s = %.4f" % (m["sources"]["src"], m["r"])
        how = {"rule": "", "rule, l_ts raised to 1 mm": "; l_ts raised to the 1 mm minimum",
               "fallback": "; FALLBACK l_opt = ΔL/(0.9 cos α), neutral anchor kept",
               "fallback 2": "; FALLBACK 2: smallest l_opt keeping the neutral anchor, l_ts ≥ 1 mm and the 0.5-1.5 window",
               "fallback 3": "; FALLBACK 3: neutral anchor released, smallest l_opt with the excursion centred in 0.52-1.48 and l_ts ≥ 1 mm"}[fb["how"]]
        if fb.get("from_source"):
            slsrc = ("WHAT-IF --neck-anchor source: 2.8 µm × the Mortensen file's own neutral fibre length %.3f "
                     "l_opt [D], not a measured sarcomere length (docs/sources/muscle_architecture.md §5.2)"
                     % m["src_neutral"])
        else:
            slsrc = sarcomere_src(m["group"])
            if "src_neutral" in m and m["group"] not in SARCOMERE_LENGTH:
                slsrc += "; the Mortensen file's own l_opt, l_ts hold it at %.3f l_opt in %s [D]" % (
                    m["src_neutral"], "its own default pose (its verbatim path, before the via points moved onto "
                    "the bodies)" if m.get("vias_on_bodies") else "this neutral")
        rule = "%s; %s; SL %.4g µm (%s); L0 %.4f m (neutral, this model); fibre %.2f-%.2f l_opt over the range%s" % (
            FIBRE_RULE_SRC, rsrc, fb["sl"], slsrc, fb["L0"], fb["lmin"], fb["lmax"], how)
        w("    source:\n")
        w("      path: %s\n" % q(m["sources"]["path"]))
        w("      pcsa: %s\n" % q(m["sources"]["pcsa"]))
        w("      optimal_fiber_length: %s\n" % q(rule))
        w("      tendon_slack_length: %s\n" % q(rule))
        w("      pennation_deg: %s\n" % q(m["sources"]["pennation_deg"]))
        if "passive_strain" in m:
            w("      passive_strain: %s\n" % q(m["passive_strain"][1]))
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(o))


# =================================================================================================
# Assembly, checks
# =================================================================================================


def build(neck_anchor="assumption", prevertebral_vias="bodies", abdominal_wall="vertebrae", lumbar_multifidus_total="ammr",
          oblique_pcsa="ammr", latissimus_humeral="t1"):
    mftl = parse_mftl_lumbar()
    trunk = parse_mftl_trunk()
    mort = parse_mortensen()
    lum = BL.build(mftl)
    segs = build_skeleton(mftl, trunk, mort, lum)
    ranges = joint_ranges(lum)
    regions = region_shares(lum, ranges, mort)
    mp = Mapper(mftl, trunk, mort, segs, abdominal_wall, latissimus_humeral)
    muscles = build_muscles(mftl, trunk, mort, mp)
    fit = source_parameter_fit(muscles, segs)
    neck_src = mark_neck_source_anchor(muscles, segs, mort)
    # The prevertebral flexors' via points onto the front of the bodies, after the check above (which compares
    # the source's verbatim lines with the Mortensen file). Default 'bodies': only the parts described on the
    # bodies, longus capitis and the inferior oblique (session 18, docs/sources/neck_flexor_paths.md §6: its
    # criteria C1-C7 held). What-ifs: 'all' (every longus fascicle, session 9; failed its criterion C1, §5),
    # 'none' (the source's paths, the model before session 18).
    if prevertebral_vias and prevertebral_vias != "none":
        deep_muscles.prevertebral_on_bodies(muscles, mort["muscles"], mp, prevertebral_vias)
    apply_group_pcsa(muscles)
    apply_fascicle_pcsa(muscles, lumbar_multifidus_total)
    if oblique_pcsa != "ammr":
        apply_oblique_pcsa(muscles, oblique_pcsa)
    apply_rule(muscles, segs, ranges, neck_anchor)
    # The lumbar extensors' passive strain from in vivo passive trunk data (models/tools/passive_in_vivo.py).
    passive_in_vivo.apply(chain_of(segs), path_length, muscles, ranges, regions[0]["shares"][0], regions[0]["joints"])
    a = lum["arm"]
    arm = {"shoulder": shoulder_chain_pose()[:3, 3], "mass": a["mass"], "length": a["length"],
           "com_fraction": a["com_fraction"], "rib_cage": rib_cage_joints(mp)}
    return {"mftl": mftl, "trunk": trunk, "mort": mort, "lum": lum, "segs": segs, "ranges": ranges,
            "regions": regions, "mapper": mp, "muscles": muscles, "arm": arm, "ref": lum["reference"], "fit": fit,
            "neck_src": neck_src}


def neck_passive_report(M, holds=((30, 20, 10), (45, 30, 15), (60, 40, 20))):
    """The in vivo passive check of docs/sources/muscle_architecture.md §5.2: the passive extension moment
    (joint law + every muscle's passive fibre force × moment arm, passive_in_vivo.passive_extension_moment)
    at the forward_head_posture holds (neck°, cervical°, head° flexion spread by the regions' flexion
    shares, everything else neutral), against Bishop et al. 1994: relaxed end-range moments < 10 N·m."""
    chain = chain_of(M["segs"])
    reg = {r["name"]: r for r in M["regions"]}
    print("passive neck extension moment at the phone-neck holds (joint law + passive muscles, N·m):")
    for neck, cerv, head in holds:
        q = {}
        for name, deg in (("cervical", cerv), ("head", head)):
            for j, sh in zip(reg[name]["joints"], reg[name]["shares"][0]):
                q[j] = (math.radians(deg * sh), 0.0, 0.0)
        cells = []
        for joint in ("C0-C1", "C1-C2", "C4-C5", "C7-T1"):
            law, mus = passive_in_vivo.passive_extension_moment(
                chain, path_length, M["muscles"], M["ranges"], q, joint,
                lambda m: m["passive_strain"][0] if "passive_strain" in m else 0.6)
            cells.append("%s %.2f + %.2f = %.2f" % (joint, law, mus, law + mus))
        print("   neck %2d°: %s" % (neck, "; ".join(cells)))


def report(M):
    segs, mp, mort, mftl = M["segs"], M["mapper"], M["mort"], M["mftl"]
    P = mp.P
    print("segments %d, joints %d" % (len(segs), len(segs) - 1))
    tot = sum(s["mass"] for s in segs)
    print("segment mass %.4f kg + arms 2 × %.4f = %.4f kg" % (tot, M["arm"]["mass"], tot + 2 * M["arm"]["mass"]))
    for s in segs:
        print("   %-6s %.4f kg (%.2f %% BM)" % (s["name"], s["mass"], 100 * s["mass"] / M["ref"]["body_mass"]))
    # registration checks
    R, o = P["T1"]
    Rj = R @ rot_xyz([math.radians(a) for a in segs[[s["name"] for s in segs].index("C7")]["joint"]["rotation_deg"]])
    print("C7-T1 joint frame (= head_neck / Mortensen spine frame) tilt from vertical at neutral: %.4f°" % math.degrees(
        math.atan2(Rj[0, 1], Rj[1, 1])))
    cM = mp.cM
    mb = mort["bodies"]
    names = ["cerv7", "cerv6", "cerv5", "cerv4", "cerv3", "cerv2", "cerv1", "skull"]
    # Mortensen body origins relative to the C7-T1 centre, spine frame
    org = {}
    for s in segs[18:]:
        Rs, os_ = P[s["name"]]
        org[s["name"]] = Rj.T @ (os_ - mp.jc["C7-T1"])
    m_tot = sum(mb[n]["mass"] for n in names)
    com = sum(mb[n]["mass"] * (org["head" if n == "skull" else "C" + n[-1]] + np.array(mb[n]["com"])) for n in names) / m_tot
    print("Mortensen head+neck CoM from the C7-T1 centre (head_neck axes): %s m; MF-TL head_neck CoM %s m" % (
        np.round(com, 4), mftl["bodies"]["head_neck"]["com"]))
    mesh = {"C6": (0.0038, 0.0164), "C5": (0.008, 0.0343), "C4": (0.0114, 0.0535), "C3": (0.014, 0.0689),
            "C2": (0.0139, 0.0852), "C1": (-0.0217, 0.103), "head": (0.0216, 0.1179)}
    print("MF-TL head_neck mesh frames vs Mortensen body origins (both relative to cerv7 origin):")
    for k, v in mesh.items():
        d = org[k] - org["C7"]
        print("   %-4s MF-TL (%.4f, %.4f)  Mortensen (%.4f, %.4f)  ratio %.3f  angle diff %.1f°" % (
            k, v[0], v[1], d[0], d[1], math.hypot(*v) / math.hypot(d[0], d[1]),
            math.degrees(math.atan2(v[0], v[1]) - math.atan2(d[0], d[1]))))
    print("point mapping log (body, muscle, segment, world y):")
    seen = set()
    for b, who, seg, w in mp.log:
        key = (b, who, seg)
        if key in seen:
            continue
        seen.add(key)
        print("   %-18s %-22s → %-4s y %.4f" % (b, who, str(seg), w[1]))
    print("mid-heights:", {k: (round(v[0], 4), None if v[1] is None else round(v[1], 4)) for k, v in mp.mid.items()})
    for rg in M["regions"]:
        print("region", rg["name"], rg["shares"])
    for j, ex in M["ranges"].items():
        print("   %-8s range %s" % (j, [tuple(round(x, 2) for x in r) for r in ex["range"]]))
    print("source-parameter fit (neutral MT length − length implied by the MF-TL l_opt, l_ts; mm):")
    for n, (b, v) in M["fit"].items():
        print("   %-22s %-6s %+6.1f" % (n, b, 1e3 * v))
    print("Mortensen file's own neutral fibre length (l_opt, l_ts of the file at its default pose = this neutral):")
    for n, lt in M["neck_src"].items():
        print("   %-22s %.3f" % (n, lt))
    neck_passive_report(M)
    for line in getattr(mp, "intercostal_check", []):
        print(line)
    print("fibre rule:")
    for m in M["muscles"]:
        fb = m["fibre"]
        print("   %-22s %-12s r %.3f L0 %6.1f l_opt %6.1f l_ts %6.1f fibre %.2f-%.2f %s" % (
            m["name"], m["group"][:12], m["r"], 1e3 * fb["L0"], 1e3 * m["lopt"], 1e3 * m["lts"], fb["lmin"], fb["lmax"],
            fb["how"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=OUT_DIR, help="directory for full_spine.yaml and paraspinal_only.yaml")
    ap.add_argument("--check", action="store_true", help="print derived numbers")
    ap.add_argument("--neck-anchor", choices=("assumption", "source"), default="assumption",
                    help="neck groups' neutral fibre length: 'assumption' (default: SL 2.8 µm, fibres optimal in "
                         "neutral) or 'source' (WHAT-IF: the Mortensen file's own neutral operating point, "
                         "docs/sources/muscle_architecture.md §5.2; needs --out elsewhere than models/)")
    ap.add_argument("--prevertebral-vias", nargs="?", const="all", choices=("bodies", "none", "all"), default="bodies",
                    help="longus via points moved onto the front of the vertebral bodies (docs/sources/neck_flexor_paths.md): "
                         "'bodies' (default: only the parts described on the bodies, longus capitis and the longus colli "
                         "inferior oblique; the superior oblique keeps the source's path; session 18, §6), 'none' (WHAT-IF: "
                         "the source's paths, the model before session 18) or 'all' (WHAT-IF, also the bare flag: every "
                         "longus capitis / colli fascicle; session 9, failed its criterion C1, §5); a what-if needs --out "
                         "elsewhere than models/")
    ap.add_argument("--abdominal-wall", choices=("vertebrae", "blended"), default="vertebrae",
                    help="MF-TL's Abdomen points (rectus via points, oblique linea-alba points): 'vertebrae' (default: "
                         "the vertebra nearest in height) or 'blended' (WHAT-IF: points riding on the pelvis and T7 "
                         "by their height along the linea alba; docs/sources/abdominal_wall.md: not adopted in session "
                         "17, it unmasks the L5-S1 extension deficit; needs --out elsewhere than models/)")
    ap.add_argument("--lumbar-multifidus-total", choices=("ammr",) + tuple(LUMBAR_MULTIFIDUS_TOTALS_CM2), default="ammr",
                    help="lumbar multifidus PCSA: 'ammr' (default: AMMR's per-level dissection values, 14.07 cm² per "
                         "side) or 'ward2009' (WHAT-IF: every level scaled to Ward et al. 2009's 23.9 cm²; "
                         "docs/sources/lumbosacral_capacity.md; needs --out elsewhere than models/)")
    ap.add_argument("--oblique-pcsa", choices=("ammr",) + tuple(OBLIQUE_PCSA_CM2), default="ammr",
                    help="external / internal oblique PCSA: 'ammr' (default: AMMR's totals, 6.24 / 6.24 cm² per side) "
                         "or 'mcgill1988' (WHAT-IF: McGill, Patt & Norman 1988's CT values at L4/L5, 9.4 / 8.1 cm², "
                         "in the same proportions; docs/sources/oblique_size.md; needs --out elsewhere than models/)")
    ap.add_argument("--latissimus-humeral", choices=("t1", "rib_cage"), default="t1",
                    help="latissimus dorsi's humeral end: 't1' (default: a point on T1, where the arms hang) or "
                         "'rib_cage' (WHAT-IF: a point on T1…T10, shares 0.1 each, so that its force reaches the spine "
                         "through the rib cage like the arms' loads; docs/sources/latissimus_path.md; needs --out "
                         "elsewhere than models/)")
    args = ap.parse_args()
    # Every option but --out and --check away from its default is a what-if: it must not overwrite the bundled models.
    for dest, value in vars(args).items():
        if dest not in ("out", "check") and value != ap.get_default(dest) and os.path.realpath(args.out) == os.path.realpath(OUT_DIR):
            ap.error("--%s %s is a what-if: give --out a directory other than %s"
                     % (dest.replace("_", "-"), value, os.path.relpath(OUT_DIR, ROOT)))
    M = build(args.neck_anchor, args.prevertebral_vias, args.abdominal_wall, args.lumbar_multifidus_total,
              args.oblique_pcsa, args.latissimus_humeral)
    os.makedirs(args.out, exist_ok=True)
    groups_full = [g_ for g_ in TYPE1]
    n_par = sum(1 for m in M["muscles"] if m["group"] in PARASPINAL)
    write_yaml(os.path.join(args.out, "full_spine.yaml"), "full_spine",
               "iliocostalis, longissimus, spinalis, multifidus, QL, psoas, abdominals, latissimus dorsi and neck "
               "muscles (%d fascicles per side)" % len(M["muscles"]),
               M["segs"], M["ranges"], M["regions"], M["arm"], M["ref"], M["muscles"], groups_full)
    write_yaml(os.path.join(args.out, "paraspinal_only.yaml"), "paraspinal_only",
               "iliocostalis, longissimus and spinalis only (%d fascicles per side)" % n_par,
               M["segs"], M["ranges"], M["regions"], M["arm"], M["ref"],
               [m for m in M["muscles"] if m["group"] in PARASPINAL], ["iliocostalis", "longissimus", "spinalis"])
    print("wrote full_spine.yaml (%d muscles per side, %d paraspinal) and paraspinal_only.yaml into %s" % (
        len(M["muscles"]), n_par, os.path.relpath(args.out, ROOT)))
    if args.check:
        report(M)
        passive_in_vivo.report(chain_of(M["segs"]), path_length, M["muscles"], M["ranges"], M["regions"][0]["shares"][0],
                               M["regions"][0]["joints"],
                               next(m["passive_in_vivo"][0] for m in M["muscles"] if "passive_in_vivo" in m))


if __name__ == "__main__":
    sys.exit(main())
