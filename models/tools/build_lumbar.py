#!/usr/bin/python3
"""Build models/lumbar.yaml from the MF-TL transcription and a small table of sourced constants.

    /usr/bin/python3 models/tools/build_lumbar.py            # writes models/lumbar.yaml
    /usr/bin/python3 models/tools/build_lumbar.py --check    # also prints derived numbers and
                                                             # neutral-posture moment arms

Inputs
  docs/sources/mftl_lumbar_geometry.md  verbatim transcription of the MF-TL OpenSim model
                                        (bodies, joints, right-side IL / LTpL / LTpT / MF paths);
                                        parsed here, never edited by this script.
  the CONSTANTS section below           every other number, each with its citation.

Everything the YAML says is either copied from one of those two places or derived here by the
arithmetic in this file ([D] in the YAML sources). Decisions and assumptions are explained in
docs/models/lumbar.md. Standard library + numpy only.
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disc_sources  # noqa: E402
import ligament_compression  # noqa: E402
from spine_sources import (CHRISTOPHY_PELVIS_IN_SACRUM, SHOULDER_CHAIN, Chain, check_inertia, fibre_rule, g, g_down,  # noqa: E402
                           inertia_strings, joint_child_in_parent, parse_mftl_lumbar, path_length, q,
                           range_postures, rot_xyz, source_ratio, tf, vlist, SARCOMERE_LENGTH,
                           SARCOMERE_SRC, FIBRE_RULE_SRC)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SOURCE_MD = os.path.join(ROOT, "docs", "sources", "mftl_lumbar_geometry.md")
OUT_YAML = os.path.join(ROOT, "models", "lumbar.yaml")

# =================================================================================================
# CONSTANTS — numbers not in the transcription, each with its source.
# =================================================================================================

MFTL = "MF-TL (Bruno/Allaire thoracolumbar OpenSim model @535c7af, cyclistFullBodyMuscle.osim)"
MFT = "MF-TL @535c7af"  # short tag; the header comment of the YAML gives the full citation
MFTL_OSIM = ("ross-wilkinson/opensim-model-fullBodyMuscleActuated @ "
             "535c7af89576fc21d8530709ec2cfbcd2bd03c67, cyclistFullBodyMuscle.osim")

# --- Shoulder (glenohumeral) centre chain: spine_sources.SHOULDER_CHAIN (read from the MF-TL osim)

# --- MF-TL body masses not in the transcription (read from the osim BodySet) ---------------------
# Right side read; the left side is the mirror (ulna_l/radius_l/clavicle_L/scapula_L read equal).
MFTL_ARM_MASS = {"humerus": 2.0325000000000002, "ulna": 0.60750000000000004,
                 "radius": 0.60750000000000004, "hand": 0.45750000000000002}
MFTL_OTHER_MASS = {  # kg per body, count
    "femur": (9.3013999999999992, 2), "tibia": (3.7075, 2), "patella": (0.086199999999999999, 2),
    "talus": (0.10000000000000001, 2), "calcn": (1.25, 2), "toes": (0.21659999999999999, 2),
    "humerus": (2.0325000000000002, 2), "ulna": (0.60750000000000004, 2),
    "radius": (0.60750000000000004, 2), "hand": (0.45750000000000002, 2),
    "clavicle": (0.0001, 2), "scapula": (0.0001, 2),
    "rib": (0.0001, 24), "sternum": (0.0001, 1), "Abdomen": (0.0001, 1), "Abd_*": (0.01, 10),
}

# --- Christophy et al. 2012 lumbar vertebrae (model-data §2.3, [M]) -------------------------------
# mass kg; inertia Ixx, Iyy, Izz kg·m² (includes surrounding soft tissue). Note Iyy = Ixx + Izz
# exactly for L5, L4, L2, L1 (thin slabs in the x–z plane).
CHRISTOPHY = {
    "lumbar5": (1.824, (0.01219, 0.01765, 0.00546)),
    "lumbar4": (1.799, (0.01123, 0.01643, 0.00520)),
    "lumbar3": (1.670, (0.01066, 0.01608, 0.00551)),
    "lumbar2": (1.689, (0.01091, 0.01682, 0.00591)),
    "lumbar1": (1.677, (0.01113, 0.01753, 0.00640)),
}
CHRISTOPHY_SRC = "Christophy 2012 (model-data §2.3)"

# --- de Leva 1996, J Biomech 29:1223 -------------------------------------------------------------
# Table 1 male mean segment lengths (m) and the sample's stature, as encoded in public code
# transcriptions of the table (pyomeca/biobuddy characteristics/de_leva.py and two others found
# with the code search: ratios 0.2033/1.741 head, 0.2817/1.741 upper arm, ...).
DELEVA_LENGTH = {"head": 0.2033,         # VERT -> MIDG
                 "upper_arm": 0.2817,    # SJC -> EJC
                 "forearm": 0.2689,      # EJC -> WJC
                 "hand": 0.0862}         # WJC -> MET3
DELEVA_STATURE = 1.741
# Table 4 male (model-data §2.1, [V]): CoM from the first landmark, % of length; head radii of
# gyration % of head length (sagittal, transverse, longitudinal).
DELEVA_COM = {"upper_arm": 0.5772, "forearm": 0.4574, "hand": 0.7900}
DELEVA_HEAD_RG = (0.362, 0.376, 0.312)
DELEVA_SRC = "de Leva 1996 J Biomech 29:1223, Table 1 (lengths, male) and Table 4 (male)"

# --- Yamamoto et al. 1989 Spine 14:1256 (model-data §3.1, [V]) -----------------------------------
# In vitro ROM at 10 N·m, one direction, degrees: flexion, extension, axial rotation (one side),
# lateral bending (one side).
YAMAMOTO = {
    "L1-L2": (5.8, 4.3, 2.3, 4.9),
    "L2-L3": (6.5, 4.3, 2.6, 7.0),
    "L3-L4": (7.5, 3.7, 2.6, 5.7),
    "L4-L5": (8.9, 5.8, 2.2, 5.7),
    "L5-S1": (10.0, 7.8, 1.4, 5.5),
}
YAMAMOTO_MOMENT = 10.0  # N·m
YAMAMOTO_SRC = "Yamamoto 1989 (in vitro, 10 N·m, model-data §3.1)"

# --- Muscle fatigue (three-compartment model) and passive-tissue creep -----------------------------
# 3CC trunk set: Frey-Law, Looft & Heitsman 2012 J Biomech 45:1803, Table 1 (verified in the full
# text, docs/sources/spine_literature.md §8.1); rest multiplier r: Looft, Herkert & Frey-Law 2018
# J Biomech 77:16 (no trunk value; 15 is the paper's general recommendation, §8.2).
FATIGUE_TRUNK = {"F": 0.00755, "R": 0.00075, "r": 15}
FATIGUE_SRC = {"F": "Frey-Law, Looft & Heitsman 2012 J Biomech 45:1803, Table 1, trunk (full text, "
                    "docs/sources/spine_literature.md §8.1)",
               "R": "Frey-Law, Looft & Heitsman 2012, Table 1, trunk (as F)",
               "r": "Looft, Herkert & Frey-Law 2018 J Biomech 77:16: no trunk value; 15, the paper's general "
                    "recommendation (spine_literature.md §8.2)"}
# McGill & Brown 1992 Clin Biomech 7:43 (abstract, [V]): 47 subjects in full lumbar flexion for
# 20 min; peak flexion +5.5°, first-order step response with time constant 9.4 min; ~50 % of the
# resting stiffness back within 2 min of relaxed lordosis; full recovery took longer than the creep.
CREEP_MCGILL_DEG, CREEP_MCGILL_MIN, CREEP_TAU_MIN = 5.5, 20.0, 9.4
CREEP_FAST_FRACTION = 0.5


def write_fatigue_and_creep(w, q, g, lumbar_flexion_range_deg):
    """The fatigue: and passive_creep: blocks both generators write. lumbar_flexion_range_deg: the
    model's summed L5-S1…L1-L2 flexion limits (its 'full lumbar flexion')."""
    w("\nfatigue:\n")
    w("  all: {F: %s, R: %s, r: %s, source: {F: %s, R: %s, r: %s}}\n" % (
        g(FATIGUE_TRUNK["F"]), g(FATIGUE_TRUNK["R"]), g(FATIGUE_TRUNK["r"]),
        q(FATIGUE_SRC["F"] + "; applied to every group: no per-muscle values exist (neck and abdominal "
          "muscles: assumption, the trunk set)"), q(FATIGUE_SRC["R"]), q(FATIGUE_SRC["r"])))
    steady_deg = CREEP_MCGILL_DEG / (1 - math.exp(-CREEP_MCGILL_MIN / CREEP_TAU_MIN))
    steady = steady_deg / lumbar_flexion_range_deg
    w("\npassive_creep:\n")
    w("  tau_creep_s: %s\n" % g(CREEP_TAU_MIN * 60))
    w("  steady_fraction: %s\n" % g(round(steady, 4)))
    w("  recovery_fast_fraction: %s\n" % g(CREEP_FAST_FRACTION))
    w("  tau_recovery_fast_s: 40\n")
    w("  tau_recovery_slow_s: %s\n" % g(2 * CREEP_TAU_MIN * 60))
    w("  source:\n")
    w("    tau_creep_s: %s\n" % q("McGill & Brown 1992 Clin Biomech 7:43: first-order fit of 20 min of full-flexion "
                                  "creep, time constant 9.4 min"))
    w("    steady_fraction: %s\n" % q(
        "[D] McGill & Brown 1992: +5.5° in 20 min with τ 9.4 min → %.2f° at steady state, for the whole lumbar "
        "spine; divided by this model's full lumbar flexion (sum of the L5-S1…L1-L2 flexion limits, %.1f°, "
        "Yamamoto 1989) and applied to every level in proportion to its range. Assumption: thoracic and "
        "cervical levels creep like the lumbar ones (no in vivo data found)" % (steady_deg, lumbar_flexion_range_deg)))
    w("    recovery_fast_fraction: %s\n" % q("McGill & Brown 1992: about 50 % of the resting stiffness back within "
                                             "2 min of relaxed lordosis"))
    w("    tau_recovery_fast_s: %s\n" % q("assumption: the fast half essentially complete (95 %) within McGill & "
                                          "Brown's 2 min, τ = 120 s / 3"))
    w("    tau_recovery_slow_s: %s\n" % q(
        "assumption: McGill & Brown 1992 report only that full recovery took longer than the creep; twice its "
        "time constant (18.8 min) — the model then keeps 10 % of the creep after their 30-min recovery and "
        "predicts Kang & Mirka 2024 (J Electromyogr Kinesiol 78:102916) work–rest ordering (3:12 > 1:4 min), "
        "see docs/fatigue.md"))


# --- Pearcy & Tibrewal 1984 Spine 9:582 (abstract, read via the search tool) ---------------------
# In vivo active lateral bending (biplanar radiography, normal males): "approximately 10° at the
# upper three levels ... 6° and 3° at L4–5 and L5–S1". Read as the left+right range, split evenly.
PEARCY_LB_TOTAL = {"L1-L2": 10.0, "L2-L3": 10.0, "L3-L4": 10.0, "L4-L5": 6.0, "L5-S1": 3.0}
PEARCY_SRC = "Pearcy & Tibrewal 1984 (in vivo)"

# --- Christophy 2012 lumbar rhythm shares (model-data §3.5, [M]); order L5-S1 ... L1-L2 ----------
SHARES = {
    "flexion": (0.125, 0.185, 0.204, 0.231, 0.255),
    "lateral_bending": (0.1356, 0.1811, 0.2453, 0.2501, 0.1880),
    # normalised Fujii 2007 per-level twist (1.6, 1.7, 1.7, 1.4, 1.3° at 45°), MF-CHR README
    "axial_rotation": (0.2078, 0.2208, 0.2208, 0.1818, 0.1688),
}

# --- Muscle defaults ----------------------------------------------------------------------------
SPECIFIC_TENSION = 1.0e6  # N/m² = 100 N/cm², Burkhart et al. 2018 (model-data §1.6)
TYPE1 = {"longissimus": 0.57, "multifidus": 0.62, "iliocostalis": 0.57}

# --- Reference height derivation (see docs/models/lumbar.md) -------------------------------------
# MF-TL default pelvis_ty (standing pelvis-origin height) is parsed from the transcription; the
# vertex is put de Leva's VERT->CERV head length (242.9 mm, male; same code transcriptions as
# above) above the T1_head_neck joint centre, whose frame is vertical at the neutral posture.
DELEVA_VERT_CERV = 0.2429

LUMBAR_JOINTS = ["L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"]  # inferior first
SEG_OF_BODY = {"lumbar5": "L5", "lumbar4": "L4", "lumbar3": "L3", "lumbar2": "L2", "lumbar1": "L1"}

# =================================================================================================
# Parsing the transcription
# =================================================================================================



# Which de Leva (1996) trunk region each segment's mass belongs to (used to scale to the other sex).
DE_LEVA_REGIONS_SRC = (
    "assumption: de Leva 1996 regions split at surface landmarks — omphalion (umbilicus) at about "
    "the L3-L4 disc, xiphion at about T9 (standard surface anatomy); pelvis, L5, L4 lower trunk; L3-L1 "
    "and T10-T12 middle trunk; T1-T9 upper trunk; head_neck head; thorax shares by lumped MF-TL masses")

parse_source = parse_mftl_lumbar  # the transcription parser lives in spine_sources.py


# =================================================================================================
# Geometry
# =================================================================================================


def thoracic_frames(src):
    """Pose (4x4) of every MF-TL thoracic/rib/head body in the thoracic12 frame, at neutral."""
    frames = {"thoracic12": np.eye(4)}
    chain = ["T11_T12_IVDjnt", "T10_T11_IVDjnt", "T9_T10_IVDjnt", "T8_T9_IVDjnt", "T7_T8_IVDjnt",
             "T6_T7_IVDjnt", "T5_T6_IVDjnt", "T4_T5_IVDjnt", "T3_T4_IVDjnt", "T2_T3_IVDjnt",
             "T1_T2_IVDjnt", "T1_head_neck"]
    for j in chain:
        d = src["ivd"][j]
        frames[d["child"]] = frames[d["parent"]] @ joint_child_in_parent(d["t"], d["o"])
    for rib, d in src["ribs"].items():
        frames[rib] = frames["thoracic%d" % d["level"]] @ joint_child_in_parent(
            d["pt"], d["po"], d["ct"], d["co"])
    return frames


def shoulder_in_t12(frames):
    c = SHOULDER_CHAIN
    x = frames["thoracic1"]
    x = x @ joint_child_in_parent(*c["T1_r1R_parent"], *c["T1_r1R_child"])         # rib1_R
    x = x @ joint_child_in_parent(*c["r1R_sterR_parent"], *c["r1R_sterR_child"])   # sternum
    x = x @ joint_child_in_parent(*c["sterR_clavR_parent"], *c["sterR_clavR_child"])  # clavicle_R
    x = x @ joint_child_in_parent(*c["clavR_scapR_parent"], *c["clavR_scapR_child"])  # scapula_R
    gh = x @ np.append(c["shoulder_R_parent"][0], 1.0)
    return gh[:3]


def to_segment(body, p, frames, sacrum_shift):
    """(segment, point in segment frame) for a point given in an MF-TL body frame."""
    p = np.asarray(p, float)
    if body == "pelvis":  # ilium points, registered to the sacrum as in Christophy 2012 (spine_sources)
        return "pelvis", p + np.asarray(CHRISTOPHY_PELVIS_IN_SACRUM) + sacrum_shift
    if body == "sacrum":
        return "pelvis", p + sacrum_shift
    if body in SEG_OF_BODY:
        return SEG_OF_BODY[body], p
    if body in frames:
        x = frames[body]
        return "thorax", x[:3, :3] @ p + x[:3, 3]
    raise KeyError("no segment for MF-TL body '%s'" % body)


# =================================================================================================
# Model assembly
# =================================================================================================


def build(src):
    B = src["bodies"]
    frames = thoracic_frames(src)
    sacrum_shift = np.array(src["sacrum_in_pelvis"], float)
    assert src["sacrum_rot"] == [0.0, 0.0, 0.0]
    model = {"derived": {}}
    D = model["derived"]

    # ---- segments
    segs = []
    pel = B["pelvis"]
    segs.append({"name": "pelvis", "mass": pel["mass"], "com": pel["com"],
                 "de_leva": {"lower_trunk": 1.0},
                 "inertia": inertia_strings(np.diag(pel["inertia"][:3])),
                 "source": MFT + ": pelvis mass, mass_center, inertia (Rajagopal 2016 lineage); "
                           "sacrum merged, its 0.001 kg neglected"})
    lumbar_chain = [("L5", "lumbar5", "pelvis", "L5_S1_IVDjnt", "L5-S1"),
                    ("L4", "lumbar4", "L5", "L4_L5_IVDjnt", "L4-L5"),
                    ("L3", "lumbar3", "L4", "L3_L4_IVDjnt", "L3-L4"),
                    ("L2", "lumbar2", "L3", "L2_L3_IVDjnt", "L2-L3"),
                    ("L1", "lumbar1", "L2", "L1_L2_IVDjnt", "L1-L2"),
                    ("thorax", "thoracic12", "L1", "T12_L1_IVDjnt", "T12-L1")]

    # thorax lump: T12..T1 + head_neck, at neutral, in the thoracic12 frame
    lumped = ["thoracic%d" % n for n in range(12, 0, -1)] + ["head_neck"]
    m_tot = sum(B[b]["mass"] for b in lumped)
    com = sum(B[b]["mass"] * (frames[b][:3, :3] @ np.array(B[b]["com"]) + frames[b][:3, 3])
              for b in lumped) / m_tot
    m_l1c, I_l1c = CHRISTOPHY["lumbar1"]
    own_per_kg = np.diag(I_l1c) / m_l1c
    L = DELEVA_LENGTH["head"]
    rs, rt, rl = DELEVA_HEAD_RG
    I_thorax = np.zeros((3, 3))
    for b in lumped:
        R = frames[b][:3, :3]
        r = R @ np.array(B[b]["com"]) + frames[b][:3, 3] - com
        m = B[b]["mass"]
        if b == "head_neck":
            own = m * np.diag([(rs * L) ** 2, (rl * L) ** 2, (rt * L) ** 2])  # x: AP, y: long, z: ML
        else:
            own = m * own_per_kg
        I_thorax += R @ own @ R.T + m * (r @ r * np.eye(3) - np.outer(r, r))
    D["thorax_mass"] = m_tot
    D["thorax_com"] = com
    D["thorax_inertia"] = I_thorax

    for seg, body, parent, jname, pname in lumbar_chain:
        d = src["ivd"][jname]
        expected_parent = "sacrum" if parent == "pelvis" else \
            {v: k for k, v in SEG_OF_BODY.items()}[parent]
        assert d["parent"] == expected_parent and d["child"] == body, jname
        pos = np.array(d["t"], float) + (sacrum_shift if parent == "pelvis" else 0.0)
        rot_deg = [math.degrees(a) for a in d["o"]]
        joint = {"name": pname, "position": pos, "rotation_deg": rot_deg,
                 "pos_src": d["t"], "rot_src": d["o"], "mftl_joint": jname}
        if seg == "thorax":
            upper = sum(B["thoracic%d" % n]["mass"] for n in range(1, 10))
            middle = sum(B["thoracic%d" % n]["mass"] for n in range(10, 13))
            de_leva = {"head": B["head_neck"]["mass"] / m_tot, "upper_trunk": upper / m_tot,
                       "middle_trunk": middle / m_tot}
            de_leva["middle_trunk"] = 1.0 - de_leva["head"] - de_leva["upper_trunk"]
            s = {"name": "thorax", "parent": parent, "mass": m_tot, "com": com, "de_leva": de_leva,
                 "inertia": inertia_strings(I_thorax),
                 "source": {
                     "mass": "[D] " + MFT + ": thoracic12…thoracic1 + head_neck masses summed "
                             "(ribs, sternum, clavicles, scapulae 0.0001 kg each neglected)",
                     "com": "[D] " + MFT + ": mass-weighted CoM of those bodies at neutral, in "
                            "the thoracic12 frame",
                     "inertia": "[D] parallel-axis sum; own inertias: thoracic bodies Christophy "
                                "2012 L1 per kg (assumption), head_neck de Leva 1996 male head "
                                "radii 36.2/37.6/31.2 % × 0.2033 m (Tables 1, 4)"}}
        else:
            mc, Ic = CHRISTOPHY[body]
            ratio = B[body]["mass"] / mc
            I = np.diag(Ic) * ratio
            region = "lower_trunk" if seg in ("L5", "L4") else "middle_trunk"
            s = {"name": seg, "parent": parent, "mass": B[body]["mass"], "com": B[body]["com"],
                 "de_leva": {region: 1.0},
                 "inertia": inertia_strings(I),
                 "source": {"mass": MFT + ": %s mass" % body,
                            "com": MFT + ": %s mass_center" % body,
                            "inertia": "[D] %s %s inertia × mass ratio %.4f/%.3f (MF-TL/Christophy)"
                                       % (CHRISTOPHY_SRC, seg, B[body]["mass"], mc)}}
            D["inertia_" + seg] = (ratio, I)
        s["joint"] = joint
        segs.append(s)
    for s in segs:
        check_inertia(s["inertia"])
    model["segments"] = segs

    # ---- ranges and passive laws
    def rom_row(level):
        fl, ex, ar, lb = YAMAMOTO[level]
        return fl, ex, ar, lb, PEARCY_LB_TOTAL[level] / 2.0

    joints_extra = {}
    for pname in LUMBAR_JOINTS + ["T12-L1"]:
        level = "L1-L2" if pname == "T12-L1" else pname
        fl, ex, ar, lb, lb_vivo = rom_row(level)
        k = {"flex": YAMAMOTO_MOMENT / fl, "ext": YAMAMOTO_MOMENT / ex,
             "ar": YAMAMOTO_MOMENT / ar, "lb": YAMAMOTO_MOMENT / lb}
        joints_extra[pname] = {"range": {"flexion": (-ex, fl), "lateral_bending": (-lb_vivo, lb_vivo),
                                         "axial_rotation": (-ar, ar)},
                               "k": k, "level": level}
    model["joints_extra"] = joints_extra

    # ---- regions
    sh = {a: list(v) for a, v in SHARES.items()}
    fixes = []
    for a, v in sh.items():
        total = sum(v)
        if abs(total - 1.0) > 1e-9:
            old = v[-1]
            v[-1] = round(1.0 - sum(v[:-1]), 10)
            fixes.append((a, old, v[-1], total))
        assert abs(sum(v) - 1.0) < 1e-9
    model["shares"] = sh
    model["share_fixes"] = fixes

    # ---- arm
    gh = shoulder_in_t12(frames)
    la, lf, lh = DELEVA_LENGTH["upper_arm"], DELEVA_LENGTH["forearm"], DELEVA_LENGTH["hand"]
    m_ua = MFTL_ARM_MASS["humerus"]
    m_fa = MFTL_ARM_MASS["ulna"] + MFTL_ARM_MASS["radius"]
    m_h = MFTL_ARM_MASS["hand"]
    d_ua = DELEVA_COM["upper_arm"] * la
    d_fa = la + DELEVA_COM["forearm"] * lf
    d_h = la + lf + DELEVA_COM["hand"] * lh
    arm_mass = m_ua + m_fa + m_h
    arm_len = d_h  # grip at the hand CoM
    arm_com = (m_ua * d_ua + m_fa * d_fa + m_h * d_h) / arm_mass
    model["arm"] = {"shoulder": gh, "mass": arm_mass, "length": arm_len,
                    "com_fraction": arm_com / arm_len, "com_dist": arm_com,
                    "parts": (m_ua, m_fa, m_h, d_ua, d_fa, d_h)}

    # ---- reference subject
    body_mass = (sum(B[b]["mass"] for b in B if not b.startswith("rib"))  # transcription bodies
                 + sum(m * n for m, n in MFTL_OTHER_MASS.values()))
    # pelvis -> head_neck origin height at neutral (y of the pelvis frame, pelvis upright)
    x = np.eye(4)
    x = x @ tf(sacrum_shift, (0, 0, 0))
    for _, body, parent, jname, _p in lumbar_chain:
        d = src["ivd"][jname]
        x = x @ joint_child_in_parent(d["t"], d["o"])
    hn = x @ frames["head_neck"]
    height = src["pelvis_ty"] + hn[1, 3] + DELEVA_VERT_CERV
    model["reference"] = {"body_mass": body_mass, "height": height, "pelvis_ty": src["pelvis_ty"],
                          "hn_y": hn[1, 3], "hn_tilt_deg": math.degrees(math.atan2(hn[1, 0], hn[0, 0])),
                          "gh_in_pelvis": (x @ np.append(gh, 1.0))[:3]}
    model["t12_in_pelvis"] = x

    # ---- muscles
    muscles = []
    notes = []
    for mu in src["muscles"]:
        name = mu["name"][:-2]
        if name.startswith("IL_L"):
            grp, sub = "iliocostalis", "lumborum_pars_lumborum"
        elif name.startswith("IL_R"):
            grp, sub = "iliocostalis", "lumborum_pars_thoracis"
        elif name.startswith("LTpL_"):
            grp, sub = "longissimus", "thoracis_pars_lumborum"
        elif name.startswith("LTpT_"):
            grp, sub = "longissimus", "thoracis_pars_thoracis"
        elif name.startswith("MF_"):
            grp, sub = "multifidus", "lumbar"
        else:
            raise ValueError(name)
        path = []
        for _, kind, body, p in mu["points"]:
            seg, pp = to_segment(body, p, frames, sacrum_shift)
            if path and path[-1][0] == seg and np.linalg.norm(path[-1][1] - pp) < 1e-9:
                notes.append("%s: dropped a point coinciding with the previous one on %s" % (name, seg))
                continue
            path.append((seg, pp))
        assert len({s for s, _ in path}) > 1, name
        for s, pp in path:
            assert np.linalg.norm(pp) <= 0.5, (name, s, pp)
        kinds = {k for _, k, _, _ in mu["points"]}
        bodies = [b for _, _, b, _ in mu["points"]]
        how = []
        if "sacrum" in bodies:
            how.append("sacrum points +(-0.02, 0, 0) into pelvis")
        if "pelvis" in bodies:
            how.append("pelvis (ilium) points registered to the sacrum as in Christophy 2012: +(0, 0.049, 0) into "
                       "the sacrum frame, then +(-0.02, 0, 0) (spine_sources.CHRISTOPHY_PELVIS_IN_SACRUM)")
        if any(b in frames for b in bodies):
            how.append("thoracic/rib points re-expressed in the thorax (thoracic12) frame at "
                       "neutral")
        if "C" in kinds:
            how.append("ConditionalPathPoints kept as fixed via points")
        src_s = MFTL + ": " + mu["name"]
        if how:
            src_s += "; [D] " + "; ".join(how)
        muscles.append({"name": name, "group": grp, "subdivision": sub, "path": path,
                        "F": mu["F"], "lopt": mu["lopt"], "lts": mu["lts"],
                        "penn_deg": math.degrees(mu["penn"]), "source": src_s,
                        "mftl": mu["name"]})
    model["muscles"] = muscles
    apply_fibre_rule(model, segs, joints_extra)
    model["notes"] = notes
    model["frames"] = frames
    return model


def lumbar_chain(segs):
    out = []
    for s in segs:
        d = {"name": s["name"], "parent": s.get("parent")}
        if "joint" in s:
            j = s["joint"]
            d.update(joint=j["name"], bp=np.asarray(j["position"], float),
                     Ap=rot_xyz([math.radians(a) for a in j["rotation_deg"]]), bc=np.zeros(3), Ac=np.eye(3))
        out.append(d)
    return Chain(out)


def apply_fibre_rule(model, segs, joints_extra):
    """One rule for every fascicle (docs/sources/muscle_architecture.md §7): lengths measured in this
    model's neutral posture and over its documented range (each region at its range limits)."""
    chain = lumbar_chain(segs)
    ranges = {j: [ex["range"][a] for a in ("flexion", "lateral_bending", "axial_rotation")]
              for j, ex in joints_extra.items()}
    regions = [("lumbar", LUMBAR_JOINTS), ("thoracic", ["T12-L1"])]
    postures = [chain.poses(qq) for _, qq in range_postures(chain, regions, ranges)]
    fallbacks = []
    for m in model["muscles"]:
        lengths = [path_length(m["path"], p) for p in postures]
        penn = math.radians(m["penn_deg"])
        r = source_ratio(m["lopt"], m["lts"], penn)
        sl = SARCOMERE_LENGTH[m["group"]]
        res = fibre_rule(lengths[0], lengths, r, sl, penn)
        m["src_lopt"], m["src_lts"] = m["lopt"], m["lts"]
        m["lopt"], m["lts"] = res["lopt"], res["lts"]
        m["fibre"] = dict(res, r=r, sl=sl, L0=lengths[0])
        if res["how"] != "rule":
            fallbacks.append((m["name"], res["how"]))
    model["fibre_fallbacks"] = fallbacks


# =================================================================================================
# YAML output
# =================================================================================================

HEADER = """\
# generated by models/tools/build_lumbar.py — edit the script, not this file.
#
# paraspine lumbar model: pelvis (with sacrum), L5…L1, and a rigid thorax (T12…T1, ribs, head and
# neck lumped in the MF-TL thoracic12 frame); six 3-DOF joints L5-S1 … T12-L1; arms as point
# masses on the thorax; right/left iliocostalis, longissimus and lumbar multifidus fascicles.
# Decisions, assumptions and limitations: docs/models/lumbar.md.
#
# Citations
#   MF-TL      ross-wilkinson/opensim-model-fullBodyMuscleActuated @ 535c7af89576fc21d8530709ec2cfbcd2bd03c67,
#              cyclistFullBodyMuscle.osim (OpenSim 4): Rajagopal et al. 2016 IEEE TBME 63:2068 (pelvis,
#              legs), torso of Allaire et al. 2020 (Anderson-lab thoracolumbar family: Christophy et al.
#              2012 lumbar + Bruno, Bouxsein & Anderson 2015 J Biomech Eng 137:081003), arms Saul et al.
#              2015 / McFarland et al. 2019. Transcribed verbatim in docs/sources/mftl_lumbar_geometry.md;
#              shoulder-girdle frames and leg/arm masses read from the same file.
#   Christophy Christophy M, Faruk Senan NA, Lotz JC, O'Reilly OM 2012, Biomech Model Mechanobiol 11:19–34
#              (vertebral masses and inertias, lumbar rhythm); axial-rotation shares normalised as in
#              mjhmilla/kinematicPassengerModel README (Fujii et al. 2007 Eur Spine J 16:1867).
#   de Leva    de Leva P 1996, J Biomech 29:1223–1230, Tables 1 and 4 (male).
#   Yamamoto   Yamamoto I, Panjabi MM, Crisco T, Oxland T 1989, Spine 14:1256–1260.
#   Pearcy     Pearcy MJ, Tibrewal SB 1984, Spine 9:582–587.
#   Wilke      Wilke HJ, Herkommer A, Werner K, Liebsch C 2017, PLoS ONE 12:e0177823 (comparison only).
#   Burkhart   Burkhart KA, Bruno AG, Bouxsein ML, Bean JF, Anderson DE 2018, J Orthop Res 36:498–505.
#   Thorstensson  Thorstensson A, Carlson H 1987, Acta Physiol Scand 131:195–202.
#   Mannion    Mannion AF et al. 1997, J Anat 190:505–513.
#   [D] marks numbers derived here by the stated arithmetic; "assumption:" marks choices without a
#   direct source. Compiled values: shared/data/model-data.md (§ numbers cited).
"""


def write_yaml(model, path):
    o = [HEADER]
    w = o.append
    ref = model["reference"]
    w("paraspine_model: 1\n")
    w("name: lumbar\n")
    w("description: %s\n" % q(
        "Lumbar spine (pelvis, L5-L1, rigid thorax) with iliocostalis, longissimus and lumbar "
        "multifidus, built from the MF-TL thoracolumbar OpenSim model (Bruno/Allaire family)"))
    w("reference_subject:\n")
    w("  body_mass: %s\n" % g(ref["body_mass"], 6))
    w("  height: %s\n" % g(round(ref["height"], 3), 4))
    w("  sex: male\n")
    w("  source:\n")
    w("    body_mass: %s\n" % q("[D] sum of all " + MFT + " bodies (spine from the transcription, "
                                "legs/arms read from the osim, left = right; model-data §2.3: 79.58 kg)"))
    w("    height: %s\n" % q("[D] assumption: not stated by MF-TL/Rajagopal; default pelvis_ty "
                             "%s m + pelvis-origin→T1_head_neck joint %.4f m (MF-TL neutral chain) + "
                             "de Leva 1996 male VERT-CERV head length %.4f m = %.4f m"
                             % (g(ref["pelvis_ty"], 6), ref["hn_y"], DELEVA_VERT_CERV,
                                ref["height"])))
    w("\nmuscle_defaults:\n")
    w("  all: {specific_tension: %s, source: %s}\n" % (
        "1.0e6", q("Burkhart et al. 2018 J Orthop Res 36:498: 100 N/cm², the default maximum "
                   "muscle stress of the Anderson-lab thoracolumbar models (model-data §1.6)")))
    w("  longissimus: {type1_fraction: %s, source: %s}\n" % (
        g(TYPE1["longissimus"]), q("Thorstensson & Carlson 1987 Acta Physiol Scand 131:195: lumbar "
                                   "longissimus 57 % type I (model-data §1.5)")))
    w("  multifidus: {type1_fraction: %s, source: %s}\n" % (
        g(TYPE1["multifidus"]), q("Thorstensson & Carlson 1987 Acta Physiol Scand 131:195: lumbar "
                                  "multifidus 62 % type I (model-data §1.5)")))
    w("  iliocostalis: {type1_fraction: %s, source: %s}\n" % (
        g(TYPE1["iliocostalis"]), q("assumption: lumbar longissimus value (Thorstensson & Carlson "
                                    "1987); Mannion et al. 1997 J Anat 190:505 found no regional "
                                    "difference in % type I within the erector spinae")))
    write_fatigue_and_creep(w, q, g, sum(YAMAMOTO[lv][0] for lv in YAMAMOTO))
    # No abdominal_pressure: block (full_spine.yaml's, models/tools/abdominal_pressure.py). Tried in
    # session 13 against criteria written first (docs/sources/iap.md §4) and not adopted: its extension
    # moment at L3-L4…L5-S1 must be balanced by flexors wherever the long extensors that L2-L3 needs
    # also cross those cuts, and this model has none (all its fascicles extend), so the bundled lifts
    # needed L2-L3 extension reserves in most frames (docs/model.md, "lumbar.yaml vs full_spine.yaml").
    disc_sources.write_disc_pressure(w, q, g)

    w("\nsegments:\n")
    for s in model["segments"]:
        w("  - name: %s\n" % s["name"])
        if s.get("parent"):
            w("    parent: %s\n" % s["parent"])
        w("    mass: %s\n" % g(s["mass"], 7))
        w("    com: %s\n" % vlist(s["com"]))
        w("    inertia: [%s]\n" % ", ".join(s["inertia"]))
        w("    de_leva_regions: {%s}\n" % ", ".join("%s: %s" % (k, g(v, 6)) for k, v in s["de_leva"].items()))
        if "joint" in s:
            j = s["joint"]
            ex = model["joints_extra"][j["name"]]
            w("    joint:\n")
            w("      name: %s\n" % j["name"])
            w("      in_parent: {position: %s, rotation_xyz_deg: %s}\n"
              % (vlist(j["position"]), vlist(j["rotation_deg"])))
            r = ex["range"]
            w("      range_deg: {flexion: %s, lateral_bending: %s, axial_rotation: %s}\n"
              % (vlist(r["flexion"], 4), vlist(r["lateral_bending"], 4), vlist(r["axial_rotation"], 4)))
            k = ex["k"]
            w("      passive:\n")
            w("        units: per_degree\n")
            w("        flexion: {positive: {c1: %s}, negative: {c1: %s}}\n" % (g(k["flex"], 4), g(k["ext"], 4)))
            w("        lateral_bending: {both: {c1: %s}}\n" % g(k["lb"], 4))
            w("        axial_rotation: {both: {c1: %s}}\n" % g(k["ar"], 4))
            ligament_compression.write_off_disc(w, q, g, j["name"])
            disc_sources.write_disc(w, q, g, j["name"], ref["body_mass"], round(ref["height"], 3))
            lvl = ex["level"]
            tl = "" if j["name"] != "T12-L1" else "assumption: L1-L2 values for T12-L1 (no " \
                 "T12-L1 data found; see docs/models/lumbar.md); "
            pos_note = (MFT + ": %s parent frame translation + sacrum→pelvis (-0.02, 0, 0) [D]"
                        % j["mftl_joint"]) if j["name"] == "L5-S1" else \
                (MFT + ": %s parent frame translation" % j["mftl_joint"])
            w("      source:\n")
            w("        in_parent.position: %s\n" % q(pos_note))
            w("        in_parent.rotation_xyz_deg: %s\n" % q(
                MFT + ": %s parent frame orientation, rad → deg" % j["mftl_joint"]))
            w("        range_deg: %s\n" % q(
                tl + "flexion: %s %s flexion/extension; lateral_bending: %s %s ≈%g° total, "
                "split evenly; axial_rotation: %s %s one side" % (
                    YAMAMOTO_SRC, lvl, PEARCY_SRC, lvl, PEARCY_LB_TOTAL[lvl], YAMAMOTO_SRC, lvl)))
            w("        passive: %s\n" % q(
                tl + "[D] c1 = secant stiffness 10 N·m / ROM, %s %s (flexion + side: flexion, "
                "− side: extension; LB, AR symmetric)" % (YAMAMOTO_SRC, lvl)))
        src = s["source"]
        if isinstance(src, str):
            src = {"mass": src, "com": src, "inertia": src}
        w("    source:\n")
        for kk in ("mass", "com", "inertia"):
            w("      %s: %s\n" % (kk, q(src[kk])))
        w("      de_leva_regions: %s\n" % q(DE_LEVA_REGIONS_SRC))

    w("\nregions:\n")
    sh = model["shares"]
    fix_note = ""
    for a, old, new, total in model["share_fixes"]:
        fix_note += "; %s shares summed to %.4f: last (L1-L2) share %g → %g" % (a, total, old, new)
    w("  - name: lumbar\n")
    w("    joints: [%s]\n" % ", ".join(LUMBAR_JOINTS))
    w("    shares:\n")
    for a in ("flexion", "lateral_bending", "axial_rotation"):
        w("      %s: %s\n" % (a, vlist(sh[a], 6)))
    w("    source: %s\n" % q(
        "Christophy et al. 2012 lumbar rhythm (model-data §3.5), order L5-S1…L1-L2; axial rotation "
        "= Fujii 2007 per-level twist normalised to sum 1 (mjhmilla/kinematicPassengerModel README)"
        + fix_note))
    w("  - name: thoracic\n")
    w("    joints: [T12-L1]\n")
    w("    shares: {flexion: [1], lateral_bending: [1], axial_rotation: [1]}\n")
    w("    source: %s\n" % q("assumption: the thorax is one rigid body, so T12-L1 is the only "
                             "thoracic joint that moves"))

    a = model["arm"]
    w("\narms:\n")
    w("  - side: both\n")
    w("    segment: thorax\n")
    w("    shoulder: %s\n" % vlist(a["shoulder"]))
    w("    mass: %s\n" % g(a["mass"], 6))
    w("    com_fraction: %s\n" % g(a["com_fraction"], 4))
    w("    length: %s\n" % g(a["length"], 4))
    m_ua, m_fa, m_h, d_ua, d_fa, d_h = a["parts"]
    w("    source:\n")
    w("      shoulder: %s\n" % q(
        "[D] " + MFT + ": shoulder_R parent frame on scapula_R → (welds) clavicle_R → sternum → "
        "rib1_R → thoracic1 (coordinates 0) → thoracic12"))
    w("      mass: %s\n" % q(MFT + ": humerus %s + ulna %s + radius %s + hand %s kg"
                             % (g(MFTL_ARM_MASS["humerus"]), g(MFTL_ARM_MASS["ulna"]),
                                g(MFTL_ARM_MASS["radius"]), g(MFTL_ARM_MASS["hand"]))))
    w("      length: %s\n" % q(
        "[D] straight hanging arm, grip at the hand CoM: de Leva 1996 Table 1 male upper arm %g + "
        "forearm %g + %.0f %% of hand (WJC-MET3) %g m (Table 4 CoM)"
        % (DELEVA_LENGTH["upper_arm"], DELEVA_LENGTH["forearm"], 100 * DELEVA_COM["hand"],
           DELEVA_LENGTH["hand"])))
    w("      com_fraction: %s\n" % q(
        "[D] MF-TL segment masses at de Leva 1996 CoM positions (upper arm 57.72 %%, forearm 45.74 %%, "
        "hand 79.0 %%): %.1f mm from the shoulder / length" % (1000 * a["com_dist"])))

    w("\nmuscles:\n")
    for m in model["muscles"]:
        w("  - name: %s\n" % m["name"])
        w("    group: %s\n" % m["group"])
        w("    subdivision: %s\n" % m["subdivision"])
        w("    side: both\n")
        w("    path:\n")
        for seg, p in m["path"]:
            w("      - [%s, %s]\n" % (seg, ", ".join(g(float(x), 7) for x in p)))
        w("    max_isometric_force: %s\n" % g(m["F"], 9))
        w("    optimal_fiber_length: %s\n" % g(m["lopt"], 9))
        w("    tendon_slack_length: %s\n" % g(m["lts"], 9))
        w("    pennation_deg: %s\n" % g(m["penn_deg"], 7))
        fb = m["fibre"]
        rule = "%s; r = %.4f from %s l_opt %s, l_ts %s; SL %g µm (%s); L0 %.4f m; %s; fibre %.2f-%.2f l_opt over the range" % (
            FIBRE_RULE_SRC, fb["r"], m["mftl"], g(m["src_lopt"], 4), g(m["src_lts"], 4), fb["sl"],
            SARCOMERE_SRC[m["group"]], fb["L0"], fb["how"], fb["lmin"], fb["lmax"])
        w("    source:\n")
        w("      path: %s\n" % q(m["source"]))
        w("      max_isometric_force: %s\n" % q(MFTL + ": " + m["mftl"]))
        w("      optimal_fiber_length: %s\n" % q(rule))
        w("      tendon_slack_length: %s\n" % q(rule))
        w("      pennation_deg: %s\n" % q(MFTL + ": " + m["mftl"] + ", rad → deg"))
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(o))


# =================================================================================================
# Checks (neutral posture) — reproduce the frame chain of docs/model-format.md
# =================================================================================================


def neutral_world(model):
    """World pose (4x4) of every segment with the pelvis at the origin, upright, q = 0."""
    poses = {"pelvis": np.eye(4)}
    for s in model["segments"][1:]:
        j = s["joint"]
        poses[s["name"]] = poses[s["parent"]] @ tf(j["position"], [math.radians(a) for a in j["rotation_deg"]])
    return poses


def moment_arms(model, joint_name, axis=0, h=1e-6):
    """−∂L/∂q by central differences for every muscle about one joint axis, neutral posture."""
    poses = neutral_world(model)
    segs = [s["name"] for s in model["segments"]]
    jidx = [s.get("joint", {}).get("name") for s in model["segments"]].index(joint_name)
    child = segs[jidx]
    distal = set(segs[jidx:])  # chain: every later segment is distal
    jf = poses[child]  # child origin = joint centre, child axes = joint frame at q = 0
    ax_local = {0: np.array([0, 0, -1.0]), 1: np.array([1.0, 0, 0]), 2: np.array([0, -1.0, 0])}[axis]
    ax = jf[:3, :3] @ ax_local
    c = jf[:3, 3]

    def rot(v, t):
        v = np.asarray(v)
        return (v * math.cos(t) + np.cross(ax, v) * math.sin(t) + ax * (ax @ v) * (1 - math.cos(t)))

    out = {}
    for m in model["muscles"]:
        def length(t):
            pts = []
            for seg, p in m["path"]:
                w_ = poses[seg][:3, :3] @ p + poses[seg][:3, 3]
                if seg in distal:
                    w_ = c + rot(w_ - c, t)
                pts.append(w_)
            return sum(np.linalg.norm(pts[i + 1] - pts[i]) for i in range(len(pts) - 1))
        out[m["name"]] = -(length(h) - length(-h)) / (2 * h)
    return out


def report(model):
    D = model["derived"]
    print("thorax mass %.4f kg, CoM %s m" % (D["thorax_mass"], np.round(D["thorax_com"], 5)))
    print("thorax inertia (kg·m²):\n", np.round(D["thorax_inertia"], 5))
    for k, v in D.items():
        if k.startswith("inertia_"):
            print("%s: mass ratio %.4f, inertia diag %s" % (k, v[0], np.round(np.diag(v[1]), 6)))
    a = model["arm"]
    print("shoulder (thorax frame) %s m; arm mass %.4f kg, length %.4f m, com_fraction %.4f"
          % (np.round(a["shoulder"], 5), a["mass"], a["length"], a["com_fraction"]))
    r = model["reference"]
    print("reference: body mass %.4f kg, height %.4f m (head_neck joint y %.4f m, tilt %.4f°), "
          "GH in pelvis frame %s" % (r["body_mass"], r["height"], r["hn_y"], r["hn_tilt_deg"],
                                     np.round(r["gh_in_pelvis"], 4)))
    print("share fixes:", model["share_fixes"])
    print("notes:", model["notes"] or "none")
    print("fibre rule fallbacks:", model["fibre_fallbacks"] or "none")
    for m in model["muscles"]:
        fb = m["fibre"]
        print("   %-16s r %.3f L0 %.1f  l_opt %.1f (src %.1f) l_ts %.1f (src %.1f)  fibre %.2f-%.2f  %s" % (
            m["name"], fb["r"], 1e3 * fb["L0"], 1e3 * m["lopt"], 1e3 * m["src_lopt"], 1e3 * m["lts"],
            1e3 * m["src_lts"], fb["lmin"], fb["lmax"], fb["how"]))
    segs_mass = sum(s["mass"] for s in model["segments"]) + 2 * a["mass"]
    print("model mass (segments + 2 arms): %.3f kg" % segs_mass)
    counts = {}
    for m in model["muscles"]:
        counts[m["group"]] = counts.get(m["group"], 0) + 1
    print("fascicles per side:", counts, "total per side", len(model["muscles"]))
    ma = moment_arms(model, "L4-L5")
    print("flexion moment arms about L4-L5 at neutral (m; negative = extensor):")
    for n in ("IL_L3", "IL_L2", "IL_L1", "LTpL_L3", "LTpL_L2", "LTpL_L1", "LTpT_T12", "IL_R12", "MF_m3s"):
        print("   %-10s %7.4f" % (n, ma[n]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="print derived numbers and moment arms")
    ap.add_argument("--out", default=OUT_YAML)
    args = ap.parse_args()
    src = parse_source(SOURCE_MD)
    model = build(src)
    write_yaml(model, args.out)
    print("wrote %s: %d segments, %d muscle entries (per side)" % (
        os.path.relpath(args.out, ROOT), len(model["segments"]), len(model["muscles"])))
    if args.check:
        report(model)


if __name__ == "__main__":
    sys.exit(main())
