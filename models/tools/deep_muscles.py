"""The short and deep muscles MF-TL and Mortensen 2018 lack (docs/sources/coverage_gaps.md §0):
semispinalis thoracis, rotatores thoracis, levatores costarum, multifidus cervicis inserting on
C2-C4, interspinales and intertransversarii cervicis, rectus capitis anterior and lateralis, and
the longus capitis / longus colli slips Mortensen lumps into one line each.

Attachment points come from this model's own vertebra geometry: the transverse-process,
spinous-process, tubercle and rib-angle points of the MF-TL and Mortensen muscles already in the
model (each named in the fascicle's source), combined as the published descriptions say (Gray's
Anatomy 1918; the AMMR fascicle lists). No AMMR, VIVA+ or Barrett coordinate is copied (the licence
note of coverage_gaps.md). Strength: PCSA from the AMMR4 volumes / optimal fibre lengths
(coverage_gaps.md §1.4, §1.8, §2.2-2.4, [D] from [V]) or the VIVA+ section areas (§1.2, §1.3, §1.5,
§1.6, [V]); every choice without a direct source is marked "assumption:".

Used by models/tools/build_full_spine.py (the point mapper `mp` and the muscle constructor `mk`
are passed in).
"""
import numpy as np

from spine_sources import SPECIFIC_TENSION, source_ratio

CG = "docs/sources/coverage_gaps.md"
GRAY = "Gray's Anatomy 1918 (bartleby.com/107, p. 401 [V]: interspinales, intertransversarii)"
GRAY_LC = ("Gray's Anatomy 1918 p. 404 [V] (levatores costarum longi to the second rib below) and "
           "daviddarling.info 'levatores costarum' [V]: from the tips of the transverse processes of C7 and T1-T11 to "
           "the posterior part of the shaft of the rib below")

# --- AMMR4-Beta (TrunkData1.1/TrunkModelMuscleParameters.any @00b2d97d), coverage_gaps.md §2.2-2.4 [V];
# PCSA = group volume × fraction / L_opt [D] (cm²); L_opt in m [V]; every rotator has
# TotalTendonLength 0.01 m [V] -------------------------------------------------------------------
AMMR4_TENDON = 0.01
ROT_BREVIS = {  # lower vertebra n (origin, transverse process) → n-1 (insertion): L_opt m, fraction
    2: (0.027088, 0.087324), 3: (0.029634, 0.095532), 4: (0.029374, 0.094694), 5: (0.026452, 0.085275),
    6: (0.028152, 0.090754), 7: (0.027561, 0.088851), 8: (0.029455, 0.094954), 9: (0.023493, 0.075734),
    10: (0.018229, 0.058764), 11: (0.018453, 0.059487), 12: (0.018699, 0.060282)}
ROT_BREVIS_VOL = 4.65  # ml
ROT_LONGUS = {  # n → n-2
    3: (0.041532, 0.085279), 4: (0.04287, 0.088028), 5: (0.041455, 0.085123), 6: (0.044169, 0.090694),
    7: (0.046553, 0.09559), 8: (0.049423, 0.10148), 9: (0.03932, 0.080738), 10: (0.042038, 0.08632),
    11: (0.051675, 0.10611), 12: (0.049024, 0.10067)}
ROT_LONGUS_VOL = 7.31
LEV_COST = {  # (vertebra n, rib) : (L_opt m, fraction)
    (1, 2): (0.031236, 0.036232), (2, 3): (0.028588, 0.03316), (3, 4): (0.031243, 0.03624),
    (4, 5): (0.037701, 0.043731), (5, 6): (0.038203, 0.044312), (6, 7): (0.032251, 0.037409),
    (7, 8): (0.037713, 0.043745), (8, 9): (0.040524, 0.047005), (9, 10): (0.042869, 0.049725),
    (10, 11): (0.041013, 0.047572), (11, 12): (0.038334, 0.044465),
    (5, 7): (0.062673, 0.072697), (6, 8): (0.068192, 0.079098), (7, 9): (0.073445, 0.085191),
    (8, 10): (0.06635, 0.076961), (9, 11): (0.077702, 0.090129), (10, 12): (0.078369, 0.090903)}
LEV_COST_VOL = 22.42
SEMI_THOR = {  # origin T n → insertion: (L_opt m, fraction)
    (12, "T4"): (0.20868, 0.1787), (11, "T3"): (0.20549, 0.17597), (10, "T2"): (0.19225, 0.16462),
    (9, "T1"): (0.1801, 0.15422), (8, "C7"): (0.18944, 0.16222), (7, "C6"): (0.19184, 0.16428)}
SEMI_THOR_VOL = 12.85

# --- AMMR (MuscleParametersCervicalSpineSimpleRight.any @236457f9), coverage_gaps.md §1.8 [V]: 0.15 cm²
# each; AMMR4 OptimalFiberlength [V] -----------------------------------------------------------------
MF_CERV = {("C5", "C2"): 0.054953, ("C6", "C2"): 0.064587, ("C6", "C3"): 0.056042, ("C7", "C3"): 0.050014,
           ("C7", "C4"): 0.043499, ("T1", "C4"): 0.060808}
MF_CERV_PCSA = 0.15  # cm²

# --- VIVA+ 50F (jobindjohn/vivaplus_v0.2 @e823c67a, Common/vivaplus-22-Neck-Muscles.key), beam section
# areas A in mm², coverage_gaps.md §1.2, §1.3, §1.5, §1.6 [V] ----------------------------------------
# Rectus capitis anterior: the two model values disagree 11× (coverage_gaps.md §1.2): Barrett's cspinemodel
# 0.88 cm² and VIVA+ 8 mm². Taken: Barrett's. Why: Gray's describes RCA and RCL alike as "short, flat"
# muscles (p. 395), and VIVA+ gives its own RCL 78.3 mm², close to Barrett's RCA; VIVA+'s 8 mm² is the
# outlier (smaller than every VIVA+ interspinalis and intertransversarius); even in the cat the rectus capitis
# groupings have "cross-sectional areas of 0.5 cm² or more" (Selbie, Thomson & Richmond 1993, J Morphol 216:47,
# abstract [V]). Barrett states no origin for the value (it equals his obliquus capitis superior), so it is an
# assumption. (Measured after the choice, and reported in docs/model.md: with 8 mm² three of the 300 everyday
# postures need up to 0.15 N·m of C0-C1 flexion reserve, with 0.88 cm² none.)
RCA_PCSA = 0.88
RCA_PCSA_SRC = ("assumption: Barrett 2016 cspinemodel final_muscle_coordinates.csv 'rectus capitis anterior' 0.88 "
                "(cm², unit inferred; coverage_gaps.md §1.2 [V]); VIVA+ A = 8 mm² rejected as an outlier: Gray's "
                "describes RCA and RCL alike as short flat muscles and VIVA+'s own RCL is 78.3 mm²; cat rectus capitis "
                "groupings ≥ 0.5 cm² (Selbie, Thomson & Richmond 1993 J Morphol 216:47 [V abstract]); no human "
                "cadaveric value reached (Kamibayashi & Richmond 1998, Borst 2011 not found)")
VIVA_RCL = 78.3
VIVA_ITA = {"C1-C2": 8.1, "C2-C3": 22.2, "C3-C4": 22.0, "C4-C5": 21.5, "C5-C6": 16.4, "C6-C7": 15.1}
VIVA_ITP = {"C1-C2": 16.1, "C2-C3": 17.1, "C3-C4": 15.2, "C4-C5": 15.5, "C5-C6": 19.0, "C6-C7": 23.5}
VIVA_ISP = {"C2-C3": 9.8, "C3-C4": 17.1, "C4-C5": 16.2, "C5-C6": 25.6, "C6-C7": 12.2}
VIVA_SRC = "VIVA+ 50F (jobindjohn/vivaplus_v0.2 @e823c67a, vivaplus-22-Neck-Muscles.key) section area"
VIVA_PCSA = ("assumption: VIVA+ beam area taken as the PCSA (the FE model's force is area × its 0.5 MPa; here "
             "area × the model's one specific tension); a 50th-percentile female model; no cadaveric PCSA was reached "
             "(Kamibayashi & Richmond 1998, Borst 2011 not found, %s §1.9)" % CG)


def _pt(mp, seg, p):
    return (seg, np.asarray(p, float))


class Landmarks:
    """Named bony points of this model, each taken from a muscle attachment already in it."""

    def __init__(self, lum, MT, MO, mp, angle, sp_point):
        self.lum, self.MT, self.MO, self.mp, self.angle = lum, MT, MO, mp, angle
        self.sp_point = sp_point

    def mort(self, muscle, k):
        _, _, body, p = self.MO[muscle]["points"][k]
        return self.mp.mort_point(body, p, "landmark")

    def mftl(self, muscle, k):
        mu = self.lum.get(muscle) or self.MT[muscle]
        _, _, body, p = mu["points"][k]
        return self.mp.mftl_point(body, p, "landmark")

    # thoracic
    def tp(self, n):
        """Tip of the transverse process of Tn: the MF-TL longissimus pars thoracis insertion."""
        seg, p = self.mftl("LTpT_T%d_r" % n, -1)
        assert seg == "T%d" % n
        return seg, p, "T%d transverse process (MF-TL LTpT_T%d insertion)" % (n, n)

    def spinous(self, n):
        if n <= 2:
            name = "multifidus_T%d_T%d" % (n + 2, n)
            seg, p = self.mftl(name, 1)
            return seg, p, "T%d spinous process (MF-TL %s insertion)" % (n, name)
        seg, p = self.sp_point("T%d" % n)
        return seg, p, "T%d spinous process (spinalis point: MF-TL multifidus insertion)" % n

    def lamina(self, n):
        """Lower border of the lamina of Tn, at the root of the spinous process (where rotatores insert,
        Gray's): assumption — the transverse-process tip's depth, midway in height between the
        transverse-process and spinous-tip points, at the spinous point's distance from the midline."""
        s1, tp, _ = self.tp(n)
        s2, sp, _ = self.spinous(n)
        assert s1 == s2
        return s1, np.array([tp[0], 0.5 * (tp[1] + sp[1]), sp[2]]), (
            "T%d lamina (assumption: depth of the T%d transverse-process point, height midway to the spinous tip, "
            "spinous point's midline offset)" % (n, n))

    def groove(self, n):
        """Via point in the groove between spinous and transverse processes of Tn (semispinalis lies on
        multifidus there): assumption — midpoint of the two points."""
        s1, tp, _ = self.tp(n)
        s2, sp, _ = self.spinous(n)
        return s1, 0.5 * (tp + sp), "T%d vertebral groove (assumption: midpoint of its transverse and spinous points)" % n

    def rib_insertion(self, rib):
        """Rib between tubercle and angle (levatores costarum): the tubercle sits on the tip of the
        transverse process of its own vertebra; the angle is the iliocostalis rib-angle point.
        assumption: midpoint of the two, on the rib's vertebra (ribs rigid)."""
        seg_t, tp, _ = self.tp(rib)
        body, p, what = self.angle[rib]
        seg_a, pa = self.mp.rib_T(body, p)
        assert seg_a == seg_t
        return seg_t, 0.5 * (tp + pa), "rib %d between tubercle (T%d transverse-process point) and angle (%s), midpoint " \
                                        "(assumption)" % (rib, rib, what)

    # cervical
    def cerv_spinous(self, level):
        ref = {"C2": ("rectcap_post_maj", 0, "Mortensen"), "C3": ("semi_cerv_c3thx", 1, "Mortensen"),
               "C4": ("supmult-T1-C4", 0, "MF-TL"), "C5": ("supmult-T1-C5", 0, "MF-TL"),
               "C6": ("supmult-T2-C6", 0, "MF-TL"), "C7": ("trap_acr", 1, "Mortensen")}[level]
        seg, p = self.mort(ref[0], ref[1]) if ref[2] == "Mortensen" else self.mftl(ref[0], ref[1])
        assert seg == level, (level, seg)
        return seg, p, "%s spinous process (%s %s point %d)" % (level, ref[2], ref[0], ref[1] + 1)

    def cerv_tubercle(self, level, which):
        """Anterior / posterior tubercle of a cervical transverse process, from the Mortensen muscle
        attached there (scalenes, longus, longissimus, levator scapulae, splenius cervicis)."""
        ant = {"C1": ("obl_cap_sup", 0, "C1 transverse process"),
               "C2": ("levator_scap", 1, "C2 transverse process"),
               "C3": ("long_cap_sklc4", 1, "longus capitis line at the C3 anterior tubercle (via point)"),
               "C4": ("long_cap_sklc4", 0, "C4 anterior tubercle (longus capitis origin)"),
               "C5": ("long_col_c1c5", 0, "C5 anterior tubercle (longus colli superior oblique origin)"),
               "C6": ("long_col_c5thx", 6, "C6 anterior tubercle (longus colli inferior oblique point)"),
               "C7": ("long_col_c5thx", 5, "C7 anterior tubercle (longus colli inferior oblique point)")}
        post = {"C1": ("obl_cap_sup", 0, "C1 transverse process"),
                "C2": ("levator_scap", 1, "C2 transverse process (levator scapulae origin)"),
                "C3": ("scalenus_med", 1, "C3 posterior tubercle (scalenus medius origin)"),
                "C4": ("longissi_cerv_c4thx", 4, "C4 posterior tubercle (longissimus cervicis insertion)"),
                "C5": ("scalenus_post", 1, "C5 posterior tubercle (scalenus posterior origin)"),
                "C6": ("longissi_cap_sklc6", 0, "C6 posterior tubercle (longissimus capitis origin)")}
        m, k, what = (ant if which == "anterior" else post)[level]
        seg, p = self.mort(m, k)
        assert seg == level, (level, seg, m)
        return seg, p, "%s (Mortensen %s point %d)" % (what, m, k + 1)

    def cerv_articular(self, level):
        """Articular pillar (cervical multifidus origin, Gray's 'articular processes of the lower four
        cervical'): the semispinalis / longissimus capitis origins there (Mortensen)."""
        if level == "C5":
            seg, p = self.mort("semi_cap_sklc5", 0)
            return seg, p, "C5 articular process (Mortensen semi_cap_sklc5 origin)"
        if level == "C6":
            seg, p = self.mort("longissi_cap_sklc6", 0)
            return seg, p, "C6 articular process (Mortensen longissi_cap_sklc6 origin)"
        if level == "C7":
            seg, p = self.mort("longissi_cap_sklc6", 0)
            return "C7", p, ("C7 articular process (assumption: the C6 point's offset from its own inferior joint "
                             "centre, Mortensen longissi_cap_sklc6 origin, placed on C7; no C7 pillar point in either source)")
        if level == "T1":
            seg, p, what = self.tp(1)
            return seg, p, what
        raise KeyError(level)


def _ammr4_pcsa(vol, frac, lopt):
    return vol * frac / (lopt * 100.0)  # ml / cm → cm²


def build(lum, MT, MO, mp, angle, sp_point, mk, clean_path, neck):
    """Returns the new fascicles (right side) and edits the Mortensen longus capitis / colli lines in
    `neck` (a {name: muscle} dict of the already built neck muscles) into their slips."""
    L = Landmarks(lum, MT, MO, mp, angle, sp_point)
    out = []

    def add(name, group, sub, pts, pcsa_cm2, r, penn, src):
        path = clean_path([(s, np.asarray(p, float)) for s, p, _ in pts])
        src = dict(src)
        named = [w for _, _, w in pts if w]
        if named:
            src["path"] = src["path"] + "; points: " + "; ".join(named)
        out.append(mk(name, group, sub, path, pcsa_cm2 * 1e-4, None, None, penn, src, r=r))

    ratio_src = "r = AMMR4 L_opt / (L_opt + TotalTendonLength 0.01 m) (%s §2.2 [V])" % CG

    # ---- semispinalis thoracis (AMMR4 SSTT12T4 … SSTT7C6; Gray's 'semispinalis dorsi': transverse processes of
    # the lower thoracic vertebrae → spinous processes of the upper thoracic and lower two cervical)
    for (n, top), (lopt, frac) in SEMI_THOR.items():
        pts = [L.tp(n)]
        k_top = int(top[1:]) if top[0] == "T" else 0
        for k in range(n - 1, k_top, -1):
            pts.append(L.groove(k))
        pts.append(L.spinous(k_top) if top[0] == "T" else L.cerv_spinous(top))
        pcsa = _ammr4_pcsa(SEMI_THOR_VOL, frac, lopt)
        add("SST_T%d_%s" % (n, top), "semispinalis", "thoracis", pts, pcsa,
            source_ratio(lopt, AMMR4_TENDON, 0.0), 0.0, {
                "path": "[D] AMMR4 fascicle SSTT%d%s (%s §2.4 [V]: transverse process of T%d → spinous process of %s, via "
                        "points on the vertebrae between); daviddarling.info 'sacrospinalis and semispinalis' [V]: slips from "
                        "the thoracic transverse processes into the upper thoracic spines" % (n, top, CG, n, top),
                "pcsa": "[D] AMMR4 SemispinalisThoracis volume 12.85 ml × fraction %g / L_opt %g m = %.3f cm² (%s §2.4 [V])"
                        % (frac, lopt, pcsa, CG),
                "pennation_deg": "assumption: 0° (no data)",
                "src": ratio_src})

    # ---- rotatores thoracis brevis (T n TP → T n-1 lamina) and longus (→ T n-2)
    for sub, table, vol, span in (("brevis", ROT_BREVIS, ROT_BREVIS_VOL, 1), ("longus", ROT_LONGUS, ROT_LONGUS_VOL, 2)):
        for n, (lopt, frac) in table.items():
            pcsa = _ammr4_pcsa(vol, frac, lopt)
            add("ROT%s_T%d_T%d" % (sub[0].upper(), n, n - span), "rotatores", "thoracis_" + sub,
                [L.tp(n), L.lamina(n - span)], pcsa, source_ratio(lopt, AMMR4_TENDON, 0.0), 0.0, {
                    "path": "[D] AMMR4 RotatoresBrevis/Longus T%dT%d (%s §2.2 [V]): transverse process of T%d → lamina of "
                            "T%d (ditki.com 'intrinsic back muscles, deep and minor layers' [V]: from the transverse "
                            "processes to the vertebra immediately above, longus and brevis)" % (n, n - span, CG, n, n - span),
                    "pcsa": "[D] AMMR4 Rotatores%s volume %g ml × fraction %g / L_opt %g m = %.3f cm² (%s §2.2 [V])"
                            % (sub.capitalize(), vol, frac, lopt, pcsa, CG),
                    "pennation_deg": "assumption: 0° (no data)",
                    "src": ratio_src})
    # (RotatoresBrevisT1C7 / LongusT2C7 are not built: their C7 node was not read, coverage_gaps §2.2.)

    # ---- levatores costarum (T n TP → rib n+1 brevis, rib n+2 longus; ribs rigid on their own vertebra, so
    # each acts between T n and T n+1 / T n+2 — coverage_gaps §0)
    for (n, rib), (lopt, frac) in LEV_COST.items():
        sub = "brevis" if rib == n + 1 else "longus"
        pcsa = _ammr4_pcsa(LEV_COST_VOL, frac, lopt)
        add("LC%s_T%d_R%d" % (sub[0].upper(), n, rib), "levatores_costarum", sub, [L.tp(n), L.rib_insertion(rib)],
            pcsa, source_ratio(lopt, AMMR4_TENDON, 0.0), 0.0, {
                "path": "[D] AMMR4 LevatorCostarumT%dR%d (%s §2.3 [V]); %s" % (n, rib, CG, GRAY_LC),
                "pcsa": "[D] AMMR4 LevatorCostarum volume 22.42 ml × fraction %g / L_opt %g m = %.3f cm² (%s §2.3 [V])"
                        % (frac, lopt, pcsa, CG),
                "pennation_deg": "assumption: 0° (no data)",
                "src": "assumption: tendon 0.01 m as AMMR4's rotatores (the levatores' tendon value was not read); " + ratio_src})
    # (C7→R1 is not built: no C7 transverse-process point in either source model.)

    # ---- multifidus cervicis inserting on C2-C4 (AMMR; MF-TL's cervical multifidus reach only C4-C7)
    mf_r = [source_ratio(MT[n]["lopt"], MT[n]["lts"], MT[n]["penn"]) for n in MT if n.startswith("deepmult-")]
    r_mf = sum(mf_r) / len(mf_r)
    for (lo, hi), lopt in MF_CERV.items():
        add("MFC_%s_%s" % (lo, hi), "multifidus", "cervical", [L.cerv_articular(lo), L.cerv_spinous(hi)],
            MF_CERV_PCSA, r_mf, 0.0, {
                "path": "[D] AMMR MultifidusCervicis%s%s (%s §1.8 [V]): articular process of %s → spinous process of %s "
                        "(Gray's: cervical multifidus from the articular processes of the lower four cervical vertebrae "
                        "to the spinous processes above)" % (lo, hi, CG, lo, hi),
                "pcsa": "AMMR MultifidusCervicis%s%sPar PCSA 0.15 cm² (%s §1.8 [V]); part of the AMMR cervical "
                        "multifidus total (the MF-TL cervical fascicles take the rest)" % (lo, hi, CG),
                "pennation_deg": "assumption: 0° (as MF-TL deepmult)",
                "src": "r = mean of MF-TL deepmult-* ratios (assumption: same architecture)"})

    # ---- interspinales cervicis (Gray's p. 401 [V]: six pairs C2-C3 … C7-T1, apex to apex of the spinous processes,
    # one either side of the interspinal ligament); VIVA+ areas C2-C3 … C6-C7 (no C7-T1 part: not built)
    r_short = source_ratio(MO["rectcap_post_min"]["lopt"], MO["rectcap_post_min"]["lts"], MO["rectcap_post_min"]["penn"])
    short_src = ("r = %.3f of Mortensen rectcap_post_min (assumption: the nearest short neck muscle with "
                 "architecture data; no fibre length published for this muscle)" % r_short)
    for lvl, area in VIVA_ISP.items():
        up, lo = lvl.split("-")
        add("ISP_%s_%s" % (lo, up), "interspinales", "cervicis", [L.cerv_spinous(lo), L.cerv_spinous(up)], area / 100.0,
            r_short, 0.0, {
                "path": "[D] %s: spinous process of %s → %s" % (GRAY, lo, up),
                "pcsa": "%s %s A = %g mm² [V] (%s §1.6); %s" % (VIVA_SRC, lvl, area, CG, VIVA_PCSA),
                "pennation_deg": "assumption: 0° (no data)", "src": short_src})

    # ---- intertransversarii cervicis anteriores / posteriores (Gray's p. 401 [V]: between the anterior and the
    # posterior tubercles of contiguous transverse processes); C1-C2: one transverse process each side on C1 and
    # C2, so both parts run between the same points
    for part, table in (("anterior", VIVA_ITA), ("posterior", VIVA_ITP)):
        for lvl, area in table.items():
            up, lo = lvl.split("-")
            if part == "posterior" and lo == "C7":
                continue  # no C7 posterior-tubercle point in either source model: not built
            add("ITT%s_%s_%s" % (part[0].upper(), lo, up), "intertransversarii", "cervicis_" + part,
                [L.cerv_tubercle(lo, part), L.cerv_tubercle(up, part)], area / 100.0, r_short, 0.0, {
                    "path": "[D] %s: %s tubercle of %s → %s" % (GRAY, part, lo, up),
                    "pcsa": "%s %s %s A = %g mm² [V] (%s §1.5); %s" % (VIVA_SRC, part, lvl, area, CG, VIVA_PCSA),
                    "pennation_deg": "assumption: 0° (no data)", "src": short_src})

    # ---- rectus capitis anterior (atlas lateral mass → basilar occiput, in front of the foramen magnum) and
    # lateralis (atlas transverse process → jugular process), coverage_gaps.md §1.2-1.3 [V-sec]
    c1_ant = L.mort("long_col_c1thx", 7)
    c1_tp = L.mort("obl_cap_sup", 0)
    assert c1_ant[0] == "C1" and c1_tp[0] == "C1"
    lat_mass = ("C1", 0.5 * (c1_ant[1] + c1_tp[1]), "C1 lateral mass (assumption: midway between the anterior tubercle, "
                "Mortensen long_col_c1thx insertion, and the transverse process, obl_cap_sup origin)")
    sk = L.mort("long_cap_sklc4", 4)
    assert sk[0] == "head"
    w_tp = mp.world("C1", c1_tp[1])
    # Gray's p. 395 (1918, via its public-domain reproductions [V]): RCA "a short, flat muscle, situated immediately
    # behind the upper part of the Longus capitis … arises from the anterior surface of the lateral mass of the atlas
    # … passing obliquely upward and medialward, is inserted into the … basilar part of the occipital bone
    # immediately in front of the foramen magnum" — assumption: at the longus capitis skull point (Mortensen), the
    # two insertions being adjacent on the basilar part.
    add("RCA", "rectus_capitis", "anterior", [lat_mass, ("head", sk[1], (
        "basilar occiput in front of the foramen magnum (assumption: Mortensen long_cap_sklc4 skull insertion)"))],
        RCA_PCSA, r_short, 0.0, {
            "path": "[D] Gray's Anatomy 1918 p. 395 [V, public-domain reproduction]: lateral mass of the atlas → basilar "
                    "occiput in front of the foramen magnum, obliquely upward and medialward; anatomy table (%s §1.2 "
                    "[V-sec]): bends the head forward and to its side" % CG,
            "pcsa": RCA_PCSA_SRC,
            "pennation_deg": "assumption: 0° (no data)", "src": short_src})
    # RCL: from the C1 transverse process straight up to the jugular process (lateral to the condyle, in front of
    # the mastoid): assumption — the point above the C1 transverse-process point at the height of the mastoid
    # insertion of sternocleidomastoid (Mortensen stern_mast skull point)
    mast = L.mort("stern_mast", 1)
    assert mast[0] == "head"
    w_ins = np.array([w_tp[0], mp.world("head", mast[1])[1], w_tp[2]])
    add("RCL", "rectus_capitis", "lateralis", [("C1", c1_tp[1], "C1 transverse process (Mortensen obl_cap_sup origin)"),
                                               ("head", mp.local("head", w_ins),
                                                "jugular process (assumption: above the C1 transverse-process point at "
                                                "the height of the mastoid, Mortensen stern_mast skull point)")],
        VIVA_RCL / 100.0, r_short, 0.0, {
            "path": "[D] anatomy table (%s §1.3 [V-sec]): 'Processus transversus atlantis' → 'Pars lateralis ossis "
                    "occipitalis'" % CG,
            "pcsa": "%s 'Rectus-Capitis-Lat' A = 78.3 mm² [V] (%s §1.3); %s" % (VIVA_SRC, CG, VIVA_PCSA),
            "pennation_deg": "assumption: 0° (no data)", "src": short_src})

    # ---- longus capitis: Mortensen's one line from C4 stands for the muscle; Gray's / AMMR: slips from the
    # anterior tubercles of C3, C4, C5 and C6, equal PCSA (AMMR 0.3425 cm² each, coverage_gaps §1.4 [V]).
    # Mortensen's strength-calibrated force is split equally over the four slips; the C3, C5, C6 slips join the
    # C4 line at its own points (assumption: the slips converge on one belly).
    lc = neck["long_cap_sklc4"]
    lc_pts = lc["path"]  # C4, C3 via, C2 via, C1 via, skull
    f_lc = lc["pcsa"] * SPECIFIC_TENSION  # N: Mortensen's force (PCSA = F_max / the model's stress)
    share = lc["pcsa"] / 4
    lc["pcsa"] = share
    lc["sources"]["pcsa"] += "; [D] ÷ 4: one of four equal slips C3-C6 (AMMR equal slip PCSA, %s §1.4 [V])" % CG
    extra = {"C3": [L.cerv_tubercle("C3", "anterior")] + [(s, p, "") for s, p in lc_pts[2:]],
             "C5": [L.cerv_tubercle("C5", "anterior")] + [(s, p, "") for s, p in lc_pts],
             "C6": [L.cerv_tubercle("C6", "anterior"), L.cerv_tubercle("C5", "anterior")] + [(s, p, "") for s, p in lc_pts]}
    for lvl, pts in extra.items():
        add("long_cap_%s" % lvl.lower(), "longus_capitis", "longus_capitis", pts, share * 1e4, lc["r"], lc["penn"], {
            "path": "[D] Gray's / AMMR LongusCapitis%sC0 (%s §1.4 [V]): anterior tubercle of %s, then the line of Mortensen "
                    "long_cap_sklc4 (its %s points) to the basilar occiput" % (lvl, CG, lvl, "C2, C1, skull" if lvl == "C3"
                                                                           else "C4, C3, C2, C1, skull"),
            "pcsa": "[D] Mortensen long_cap_sklc4 F_max %.2f N / the model's specific tension ÷ 4 (four equal slips, AMMR %s §1.4 [V])"
                    % (f_lc, CG),
            "pennation_deg": "Mortensen long_cap_sklc4 (assumption: same for every slip)",
            "src": "r of Mortensen long_cap_sklc4 (assumption: same for every slip)"})
    # ---- longus colli superior oblique: Gray's — from the anterior tubercles of C3, C4, C5 to the anterior arch of
    # the atlas; Mortensen's long_col_c1c5 (from C5) stands for it: its force split over three slips.
    co = neck["long_col_c1c5"]
    co_pts = co["path"]  # C5, C4 via, C2 via, C1
    share = co["pcsa"] / 3
    co["pcsa"] = share
    co["sources"]["pcsa"] += "; [D] ÷ 3: one of three equal slips from C3, C4, C5 (assumption: equal, as AMMR4's slips %s §1.4)" % CG
    for lvl, pts in (("C4", [(s, p, "C4 anterior tubercle (Mortensen long_col_c1c5 C4 point)" if s == "C4" else "")
                             for s, p in co_pts[1:]]),
                     ("C3", [L.cerv_tubercle("C3", "anterior")] + [(s, p, "") for s, p in co_pts[2:]])):
        add("long_col_c1%s" % lvl.lower(), "longus_colli", "superior_oblique", pts, share * 1e4, co["r"], co["penn"], {
            "path": "[D] Gray's (superior oblique part: anterior tubercles of C3-C5 → anterior arch of the atlas) and AMMR4 "
                    "LongusColli%sC1 (%s §1.4 [V]); the line of Mortensen long_col_c1c5 above %s" % (lvl, CG, lvl),
            "pcsa": "[D] Mortensen long_col_c1c5 F_max / the model's specific tension ÷ 3 (assumption: equal slips)",
            "pennation_deg": "Mortensen long_col_c1c5 (assumption: same for every slip)",
            "src": "r of Mortensen long_col_c1c5 (assumption: same for every slip)"})
    return out


# ---- Prevertebral flexors on the front of the bodies (docs/sources/neck_flexor_paths.md §3, §6). Mortensen's
# longus lines run tubercle to tubercle; in the lordotic mid-neck the straight segment between two tubercle via
# points passes behind the joint centre between them, an extension moment arm for a muscle that lies on the
# anterior aspect of the column (Gray's 1918 p. 394-395; a 1921 dissection manual: longus capitis "ascends upon
# the anterior aspect of the vertebral column" [V]). The front of each body C2…C7 here is the point of
# Mortensen's vertical longus colli (long_col_c1thx, "anterior surfaces of the bodies") on that vertebra.
PREVERTEBRAL = ("longus_capitis", "longus_colli")
FRONT_OF_BODY = "long_col_c1thx"


# The parts whose described course lies on the anterior aspect of the bodies (session 18,
# docs/sources/neck_flexor_paths.md §6): longus capitis ("ascends upon the anterior aspect of the vertebral
# column", the most superficial layer), the inferior oblique ("arises from the front of the bodies" T1-T3) and
# the vertical part (unchanged: its points define the front). The superior oblique runs from the tubercles
# "obliquely with a medial inclination … by a narrow tendon" to the atlas (Gray's 1918 [V]), lateral to the
# vertical part: it keeps the source's path.
ON_BODIES_SUBDIVISIONS = ("longus_capitis", "inferior_oblique", "vertical")


def prevertebral_on_bodies(muscles, MO, mp, parts="all"):
    """Every via point (not the first or last point) of a longus capitis / colli fascicle on C2…C7 is moved
    forward to the front of that body: x = max(own x, x of the long_col_c1thx point on that vertebra);
    height and lateral offset kept (assumption). parts 'all': every fascicle (session-9 what-if); 'bodies':
    only the subdivisions in ON_BODIES_SUBDIVISIONS (session-18 rule). Returns [(fascicle, vertebra, old x,
    new x)]."""
    assert parts in ("all", "bodies"), parts
    front = {}
    for k in range(len(MO[FRONT_OF_BODY]["points"])):
        _, _, body, p = MO[FRONT_OF_BODY]["points"][k]
        seg, pl = mp.mort_point(body, p, "front of body")
        if seg in ("C2", "C3", "C4", "C5", "C6", "C7"):
            front[seg] = (float(pl[0]), k)
    moved = []
    for m in muscles:
        if m["group"] not in PREVERTEBRAL:
            continue
        if parts == "bodies" and m["subdivision"] not in ON_BODIES_SUBDIVISIONS:
            continue
        notes = []
        for i in range(1, len(m["path"]) - 1):
            seg, p = m["path"][i]
            if seg in front and p[0] < front[seg][0] - 1e-12:
                x0 = float(p[0])
                q = np.array(p, float)
                q[0] = front[seg][0]
                m["path"][i] = (seg, q)
                moved.append((m["name"], seg, x0, front[seg][0]))
                notes.append("%s x %.4f → %.4f" % (seg, x0, front[seg][0]))
        if notes:
            m["vias_on_bodies"] = True
            m["sources"]["path"] += (
                "; [D] via points moved forward onto the front of the bodies they pass (%s; the front of a body = "
                "Mortensen %s point on it; height and lateral offset kept, assumption; rule and sources: "
                "docs/sources/neck_flexor_paths.md §3%s)" % (", ".join(notes), FRONT_OF_BODY, "" if parts == "all" else
                "; applied to the parts Gray's 1918 places on the bodies, longus capitis and the inferior oblique, "
                "not the superior oblique: §6 [V]"))
    return moved
