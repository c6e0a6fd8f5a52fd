"""The external and internal intercostal muscles as ACTIVE thoracic rotators (docs/sources/intercostals.md).

Why. In vivo the intercostals of the lateral chest wall are recruited to turn and hold the thorax:
holding a rotation "induces steady tonic activity in either internal or external intercostal muscles,
depending on the direction of the rotation" (Rimmer, Ford & Whitelaw 1995, J Appl Physiol 79:1556,
abstract [V]); in dogs the two layers "systematically changed in length in opposing directions" in
passive trunk rotation and behave "as antagonistic muscles during rotation of the trunk" (Decramer,
Kelly & De Troyer 1986, J Appl Physiol 60:1686, abstract [V]). With each rib rigid on its own vertebra
(docs/model.md §1), a fascicle between rib n and rib n+1 acts between Tn and Tn+1.

Geometry — only landmarks of the model's own source (MF-TL, the cyclist osim of docs/sources/mftl_*.md),
no coordinates of any other model. Each right rib n is drawn as a line in the world frame at neutral:
  * its head: the MF-TL costovertebral joint centre (T<n>_r<n>R_CVjnt, already the rib's frame origin);
  * every MF-TL muscle attachment on rib n (the first or last point of a path whose body is rib<n>_R:
    longissimus thoracis LTpT_R<n> between the tubercle and the angle, iliocostalis IL_R<n> at the angle,
    iliocostalis cervicis on rib 3, the scalenes on ribs 1-2, quadratus lumborum and latissimus on ribs
    11-12, the external oblique slips E0_R5…R12, the internal oblique IO4-IO6 on ribs 9-11, rectus
    abdominis on the 6th cartilage) and the serratus anterior origin on ribs 1-9 (SerrAnt<n>_1_R,
    read from the osim for this purpose: SERRATUS below);
  * the sternal end of the true ribs 1-7: the sternum joint on rib 1 (r1R_sterR_jnt) and rectus
    abdominis on the 6th cartilage, linearly inter-/extrapolated for ribs 2-5 and 7 [A];
  * points of the chest-wall surface that MF-TL's wrapping paths lie on (latissimus dorsi and serratus
    anterior conditional path points, always active) within WALL_BAND of the rib's plane — they carry
    the rib's lateral curve where no muscle attaches.
All points are projected onto the rib's least-squares plane, ordered by their angle around a centre in
that plane, merged within BIN_DEG, and joined by a polyline.

Layer extents (Gray's Anatomy 1918, p. 403 [V], bartleby.com/107/pages/page403.html): the external
intercostals "extend from the tubercles of the ribs behind, to the cartilages of the ribs in front";
the internal ones "commence anteriorly at the sternum, in the interspaces between the cartilages of the
true ribs, and at the anterior extremities of the cartilages of the false ribs, and extend backward as
far as the angles of the ribs". Here: external from the longissimus insertion (between tubercle and angle)
to the most anterior attachment on the bony rib (the costochondral junction is not a landmark of the
model [A]); internal from the iliocostalis insertion (the angle) to the sternal end (ribs 1-7) or to the
most anterior attachment (false ribs 8-12). Where a rib lacks a landmark, its position as a fraction of
the rib line's length is interpolated over the rib number from the ribs that have it [A] (MISSING).

Fibres: each layer of each space is three fascicles, at the middle of the posterior, middle and
anterior thirds of the layer's extent on rib n, each a straight line to rib n+1 inclined 45° [A] to the
shortest rib-to-rib line: external down and forward, internal down and back (Gray's 1918 p. 403 [V]:
external "downward and lateralward on the back of the thorax, and downward, forward, and medialward on
the front"). AMMR's per-space fibre angles (40-55° external, 40-45° internal, scalar parameters,
coverage_gaps.md §2.5) bracket the assumption.

Strength. PCSA = AMMR4 group volume × space fraction / L_opt (coverage_gaps.md §2.5 [V], [D]) ÷ 3 per
fascicle — AMMR scalar parameters with their citation, as elsewhere in the model. Internal intercostal
fractions past R3R4 were not reached: assumption stated per fascicle.

Passive force. The thoracic joints' passive laws already contain the rib cage, intercostals included
(the rib-cage correction, docs/model.md §2; Liebsch et al. 2017: the ROM grew after dissecting the
intercostals). So these fascicles must add no passive fibre force: their passive strain at F0 is set
to PASSIVE_STRAIN_OFF, which keeps the De Groote passive curve below 4e-8 F0 over the whole window
(l/l_opt ≤ 1.5). Respiration is not modelled.

Used by models/tools/build_full_spine.py (the point mapper `mp` and the muscle constructor `mk` are
passed in).
"""
import math

import numpy as np

from spine_sources import SHOULDER_CHAIN

CG = "docs/sources/coverage_gaps.md"
DOC = "docs/sources/intercostals.md"
MFTL = "MF-TL cyclistFullBodyMuscle.osim (ross-wilkinson/opensim-model-fullBodyMuscleActuated @535c7af8)"
PARAMS = "AMMR4-Beta TrunkData1.1/TrunkModelMuscleParameters.any @00b2d97d"
GRAY = "Gray's Anatomy 1918 p. 403 [V] (bartleby.com/107/pages/page403.html)"

GROUP = "intercostales"
PASSIVE_STRAIN_OFF = 1.0e6  # De Groote f_PE(1.5) = (e^(4·0.5/1e6) − 1)/(e^4 − 1) = 3.7e-8 F0
PASSIVE_SRC = ("assumption: passive fibre force switched off (strain at F0 %g: below 4e-8 F0 for l ≤ 1.5 l_opt) — "
               "the intercostals' passive stiffness is part of the thoracic joints' passive laws through the rib-cage "
               "correction (Wilke 2017 with the rib-cage ROM increase of PLoS ONE 2017;12:e0178733, which found the ROM "
               "larger after dissecting the intercostals, %s §2.5), so a passive curve here would count it twice; %s"
               % (PASSIVE_STRAIN_OFF, CG, DOC))

FASCICLES_PER_SPACE = 3
FIBRE_ANGLE_DEG = 45.0  # [A] from the rib-to-rib line; AMMR4's per-space angles 40-55° / 40-45° bracket it
AMMR4_TENDON = 0.01     # m, AMMR4 TotalTendonLength of the trunk muscles [V] (coverage_gaps.md §2.2)
WALL_BAND = 8e-3        # m [A]: chest-wall points this close to a rib's plane are taken as on that rib (a rib is 1-2 cm high)
BIN_DEG = 6.0           # [A] points of one rib closer than this in angle around the rib's centre are merged
RIB_DEPTH_MIN = 0.06    # m [A]: the centre lies at least this far in front of the head (ribs 11-12 barely reach forward)

# --- AMMR4 volumes and per-space fractions / L_opt (m) [V], coverage_gaps.md §2.5 -----------------
EXT_VOL, INT_VOL = 130.63, 71.10  # ml
EXT = {1: (0.074539, 0.038186), 2: (0.087989, 0.0317), 3: (0.090901, 0.027629), 4: (0.078742, 0.022843),
       5: (0.092157, 0.026257), 6: (0.069198, 0.018743), 7: (0.10238, 0.0271), 8: (0.14002, 0.038314),
       9: (0.1024, 0.029043), 10: (0.081438, 0.0255), 11: (0.080239, 0.045475)}  # space n = rib n → n+1
INT_READ = {1: (0.082311, 0.0459), 2: (0.084978, 0.033325), 3: (0.090261, 0.029863)}

# --- MF-TL serratus anterior, right side, rib frames (m) [V]: cyclistFullBodyMuscle.osim @535c7af8,
# ForceSet, Thelen2003Muscle SerrAnt<n>_1_R (file offsets ~2,709,000-2,780,000): PathPoint_rib<n>_R
# (the origin on rib n, first) then ConditionalPathPoint_rib<n>_R_1…7 (range ±99999.9 on L5_S1_FE, i.e.
# always active: the slip's path over the chest wall towards the scapula). Rounded to 0.1 µm.
SERRATUS = {
    1: [(0.0321008, -0.0397453, 0.0541799), (0.0214077, -0.0332194, 0.0579584), (0.0064078, -0.0272196, 0.0635251),
        (-0.0115923, -0.0242197, 0.0667108), (-0.0285919, -0.0252199, 0.0625753)],
    2: [(0.0627096, -0.0568981, 0.0723727), (0.0479397, -0.0471458, 0.0802024), (0.0259417, -0.0351476, 0.0882784),
        (-0.0270576, -0.0351481, 0.0896288), (-0.0530577, -0.0411472, 0.0700055)],
    3: [(0.083857, -0.0742244, 0.0910903), (0.0760815, -0.0698791, 0.0966527), (0.0640802, -0.0638788, 0.103963),
        (0.0450792, -0.0618789, 0.11552), (-0.0069166, -0.06888, 0.117676), (-0.033919, -0.0748791, 0.104447),
        (-0.0529184, -0.0798794, 0.0884957), (-0.0639187, -0.0828776, 0.0735343)],
    4: [(0.100646, -0.0896388, 0.103201), (0.0914997, -0.0862627, 0.11036), (0.0785002, -0.0852632, 0.119668),
        (0.0515002, -0.0852628, 0.130795), (0.0124961, -0.0902616, 0.127604), (-0.0115031, -0.0942616, 0.116709),
        (-0.0285007, -0.0962629, 0.104961), (-0.0425013, -0.0982639, 0.0924245)],
    5: [(0.114086, -0.102913, 0.111994), (0.103571, -0.097449, 0.119056), (0.0855704, -0.0934495, 0.128348),
        (0.0545683, -0.0904489, 0.134261), (0.0215705, -0.0894487, 0.127257), (-0.00143056, -0.0864486, 0.115379),
        (-0.0194312, -0.0834487, 0.10253), (-0.0344309, -0.0794482, 0.0879411)],
    6: [(0.118397, -0.114109, 0.119618), (0.106949, -0.105563, 0.126325), (0.0899459, -0.096563, 0.133263),
        (0.0589477, -0.0895628, 0.136354), (0.0319471, -0.0825629, 0.129023), (0.00994497, -0.0755629, 0.118152),
        (-0.00805265, -0.0675631, 0.105959), (-0.0230526, -0.060563, 0.0925106)],
    7: [(0.119304, -0.122892, 0.12838), (0.108734, -0.110444, 0.133636), (0.0897332, -0.0974468, 0.138939),
        (0.0627332, -0.0854462, 0.138325), (0.0387329, -0.0744462, 0.131036), (0.0177305, -0.0634464, 0.120524),
        (0.000731495, -0.0524468, 0.109103), (-0.0152686, -0.0414469, 0.0953288)],
    8: [(0.105314, -0.12402, 0.135383), (0.0939847, -0.110507, 0.141062), (0.0739856, -0.0945065, 0.143647),
        (0.0519858, -0.0775069, 0.138947), (0.0329852, -0.0635065, 0.130835), (0.0149835, -0.0485066, 0.120207),
        (-1.4e-05, -0.0345065, 0.10908), (-0.0140142, -0.0205066, 0.0962654)],
    9: [(0.0902269, -0.12159, 0.137843), (0.0782536, -0.104845, 0.143552), (0.0572517, -0.0848462, 0.142346)],
}
SERRATUS_SRC = ("%s, SerrAnt<n>_1_R PathPoint_rib<n>_R (origin) and ConditionalPathPoint_rib<n>_R_1… [V], "
                "%s §2" % (MFTL, DOC))

# The rib (first point of the path on rib n, or last) → which landmark it is: the posterior starts of the
# layers. Everything else attached to the rib is a point of the rib line only.
TUBERCLE = {n: "LTpT_R%d_r" % n for n in range(4, 13)}  # longissimus: "between their tubercles and angles" (Gray's)
ANGLE = {3: "iliocost_cerv_c5rib", **{n: "IL_R%d_r" % n for n in range(5, 13)}}  # iliocostalis: the angles
STERNAL_RIBS = range(1, 8)   # true ribs: the internal layer reaches the sternum (Gray's)


def _attachments(mp, n):
    """(name, world point) of every MF-TL path end on rib n, the serratus origin, and the sternal end."""
    body = "rib%d_R" % n
    out = []
    muscles = list(mp.mftl["muscles"]) + list(mp.trunk["muscles"].values())
    for mu in muscles:
        pts = mu["points"]
        for end in (pts[0], pts[-1]):
            if end[2] == body and end[1] == "P":
                out.append((mu["name"], mp.world(*mp.rib_T(body, np.asarray(end[3], float)))))
    if n in SERRATUS:
        out.append(("SerrAnt%d_1_R" % n, mp.world(*mp.rib_T(body, np.asarray(SERRATUS[n][0], float)))))
    return out


def _wall_points(mp):
    """Chest-wall points (world, neutral) from MF-TL's wrapping paths: conditional path points on the ribs."""
    out = []
    muscles = list(mp.mftl["muscles"]) + list(mp.trunk["muscles"].values())
    for mu in muscles:
        if not mu["name"].startswith("LD_"):
            continue
        for _, kind, body, p in mu["points"]:
            if kind == "C" and body.startswith("rib") and body.endswith("_R"):
                out.append(("%s %s" % (mu["name"], body), mp.world(*mp.rib_T(body, np.asarray(p, float)))))
    for n, pts in SERRATUS.items():
        for p in pts[1:]:
            out.append(("SerrAnt%d_1_R" % n, mp.world(*mp.rib_T("rib%d_R" % n, np.asarray(p, float)))))
    return out


def _sternal_ends(mp):
    """Sternal ends of ribs 1-7 [A]: rib 1 at the sternum joint (MF-TL r1R_sterR_jnt on rib1_R), rib 6 at
    rectus abdominis' insertion on the 6th cartilage (MF-TL rect_abd_r, last point, rib6_R); ribs 2-5
    interpolated and rib 7 extrapolated linearly over the rib number."""
    s1 = mp.world(*mp.rib_T("rib1_R", np.asarray(SHOULDER_CHAIN["r1R_sterR_parent"][0], float)))
    ra = mp.trunk["muscles"]["rect_abd_r"]["points"][-1]
    assert ra[2] == "rib6_R", ra
    s6 = mp.world(*mp.rib_T("rib6_R", np.asarray(ra[3], float)))
    return {n: s1 + (s6 - s1) * (n - 1) / 5.0 for n in STERNAL_RIBS}


def _arc(poly):
    seg = np.linalg.norm(np.diff(poly, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def _project(poly, p):
    """(arc length of the point of polyline `poly` nearest to p, its distance)."""
    s = _arc(poly)
    best, bs = 1e9, 0.0
    for k in range(len(poly) - 1):
        a, b = poly[k], poly[k + 1]
        u = np.clip(np.dot(p - a, b - a) / np.dot(b - a, b - a), 0.0, 1.0)
        dist = np.linalg.norm(a + u * (b - a) - p)
        if dist < best:
            best, bs = dist, s[k] + u * (s[k + 1] - s[k])
    return bs, best


def _at(poly, s):
    arc = _arc(poly)
    s = min(max(s, 0.0), arc[-1])
    k = min(int(np.searchsorted(arc, s, side="right")) - 1, len(poly) - 2)
    u = (s - arc[k]) / (arc[k + 1] - arc[k])
    return poly[k] + u * (poly[k + 1] - poly[k])


class Rib:
    """One right rib as a planar polyline, head → front, with the layer landmarks as arc lengths."""

    def __init__(self, mp, n, wall, sternal):
        self.n = n
        self.head = mp.world("T%d" % n, mp.ribs["rib%d_R" % n]["pt"])
        d = mp.ribs["rib%d_R" % n]
        assert d["level"] == n and np.allclose(d["ct"], 0.0), d
        self.att = _attachments(mp, n)
        if n in sternal:
            self.att.append(("sternal end [A]", sternal[n]))
        P = np.array([self.head] + [w for _, w in self.att])
        c = P.mean(0)
        _, _, Vt = np.linalg.svd(P - c)
        normal = Vt[2]
        self.plane_rms = float(np.sqrt(np.mean(np.dot(P - c, normal) ** 2)))
        self.wall = [(nm, w) for nm, w in wall if abs(np.dot(w - c, normal)) < WALL_BAND]
        # in-plane axes: e1 = anterior (+x) projected, e2 = normal × e1 (lateral, to the right)
        e1 = np.array([1.0, 0.0, 0.0]) - normal * normal[0]
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(normal, e1)
        if e2[2] < 0:
            e2 = -e2
        proj = lambda w: w - np.dot(w - c, normal) * normal  # noqa: E731
        uv = lambda w: np.array([np.dot(w - self.head, e1), np.dot(w - self.head, e2)])  # noqa: E731
        depth = max(uv(w)[0] for _, w in self.att)
        centre = np.array([max(0.5 * depth, RIB_DEPTH_MIN), 0.0])
        phi = lambda w: math.degrees(math.atan2(uv(w)[1] - centre[1], centre[0] - uv(w)[0]))  # noqa: E731
        self.phi = phi
        pts = [("head", self.head)] + self.att + self.wall
        pts.sort(key=lambda t: phi(t[1]))
        # merge points within BIN_DEG of angle; the head stays the first point
        merged, group = [], []
        for nm, w in pts:
            if group and (phi(w) - phi(group[0][1]) > BIN_DEG or group[0][0] == "head"):
                merged.append(np.mean([proj(g) for _, g in group], axis=0))
                group = []
            group.append((nm, w))
        merged.append(np.mean([proj(g) for _, g in group], axis=0))
        self.poly = np.array(merged)
        self.length = float(_arc(self.poly)[-1])
        self.points = pts

    def arc_of(self, w):
        return _project(self.poly, w)


def _landmark_arcs(ribs):
    """Per rib: (tubercle, angle, external end, internal end) as arc lengths along the rib line, and how
    each was found. Missing tubercles/angles: the fraction of the rib line interpolated over the rib
    number from the ribs that have one (nearest rib's fraction beyond the ends) [A]."""
    frac = {"tubercle": {}, "angle": {}}
    found = {}
    for n, rib in ribs.items():
        att = dict(rib.att)
        for key, table in (("tubercle", TUBERCLE), ("angle", ANGLE)):
            name = table.get(n)
            if name in att:
                frac[key][n] = rib.arc_of(att[name])[0] / rib.length
                found[(n, key)] = "%s (MF-TL)" % name
    out = {}
    for n, rib in ribs.items():
        row = {}
        for key in ("tubercle", "angle"):
            if n in frac[key]:
                row[key] = frac[key][n] * rib.length
                continue
            have = sorted(frac[key])
            lo = [k for k in have if k < n]
            hi = [k for k in have if k > n]
            if lo and hi:
                a, b = lo[-1], hi[0]
                f = frac[key][a] + (frac[key][b] - frac[key][a]) * (n - a) / (b - a)
                found[(n, key)] = "[A] fraction %.3f of the rib line, interpolated between ribs %d and %d" % (f, a, b)
            else:
                k = (lo or hi)[-1 if lo else 0]
                f = frac[key][k]
                found[(n, key)] = "[A] fraction %.3f of the rib line, as rib %d" % (f, k)
            row[key] = f * rib.length
        # anterior ends: the most anterior MF-TL attachment on the bony rib (external: costochondral junction
        # not a landmark [A]); the sternal end of ribs 1-7 for the internal layer (Gray's)
        bony = [(nm, w) for nm, w in rib.att if not nm.startswith("sternal") and nm != "rect_abd_r"]
        nm, w = max(bony, key=lambda t: rib.arc_of(t[1])[0])
        row["ext_end"] = rib.arc_of(w)[0]
        found[(n, "ext_end")] = "%s (MF-TL), the most anterior attachment on the bony rib" % nm
        if n in STERNAL_RIBS:
            row["int_end"] = rib.length
            found[(n, "int_end")] = "the sternal end [A]"
        else:
            row["int_end"] = row["ext_end"]
            found[(n, "int_end")] = found[(n, "ext_end")] + " (the cartilage's end of a false rib)"
        out[n] = row
    return out, found


class Layer:
    """One layer's extent along one rib line, parametrised 0…1 by arc length between its ends."""

    def __init__(self, rib, s0, s1):
        assert s1 > s0 + 5e-3, (rib.n, s0, s1)
        self.poly, self.s0, self.s1 = rib.poly, s0, s1

    def __call__(self, u):
        return _at(self.poly, self.s0 + u * (self.s1 - self.s0))

    def facing(self, lower):
        """The part of this (upper) layer that faces the lower rib's layer: between the points of this rib
        nearest to the lower layer's two ends, so that every fascicle's rib-to-rib line lands on the lower
        layer (otherwise a fascicle past the lower layer's end would be turned back against its layer)."""
        a = _project(self.poly, lower(0.0))[0]
        b = _project(self.poly, lower(1.0))[0]
        out = Layer.__new__(Layer)
        out.poly, out.s0, out.s1 = self.poly, max(self.s0, a), min(self.s1, b)
        assert out.s1 > out.s0 + 5e-3, (self.s0, self.s1, a, b)
        return out

    def at_arc(self, s):
        return _at(self.poly, min(max(s, self.s0), self.s1))


def _fibre(upper, lower, u, sign, angle):
    """Origin at fraction u of the layer on the upper rib; the rib-to-rib line from it is the shortest
    one to the lower rib (foot F); the insertion lies along the lower rib from F — forward (sign +1,
    external) or back (−1, internal) — where the fibre makes `angle` with that line (or at the layer's
    end if the layer ends first). Returns (origin, insertion, angle reached °)."""
    o = upper(u)
    sF, _ = _project(lower.poly, o)
    sF = min(max(sF, lower.s0), lower.s1)
    across = _at(lower.poly, sF) - o

    def inclination(d):
        v = lower.at_arc(sF + sign * d) - o
        return math.degrees(math.acos(np.clip(np.dot(v, across) / (np.linalg.norm(v) * np.linalg.norm(across)), -1, 1)))

    end = max((lower.s1 - sF) if sign > 0 else (sF - lower.s0), 0.0)
    # the first crossing going along the rib (the rib curves, so the angle need not grow monotonically)
    lo, hi, step = 0.0, None, 5e-4
    while lo + step <= end:
        if inclination(lo + step) >= angle:
            hi = lo + step
            break
        lo += step
    if hi is None:
        d = end
    else:
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if inclination(mid) < angle else (lo, mid)
        d = 0.5 * (lo + hi)
    return o, lower.at_arc(sF + sign * d), inclination(d)


class Geometry:
    def __init__(self, mp):
        wall = _wall_points(mp)
        sternal = _sternal_ends(mp)
        self.ribs = {n: Rib(mp, n, wall, sternal) for n in range(1, 13)}
        self.arcs, self.found = _landmark_arcs(self.ribs)
        self.angles = []

    def layer(self, n, layer):
        a = self.arcs[n]
        if layer == "ext":
            return Layer(self.ribs[n], a["tubercle"], a["ext_end"])
        return Layer(self.ribs[n], a["angle"], a["int_end"])

    def describe(self, n, layer):
        f = self.found
        if layer == "ext":
            return "from the tubercle: %s, to %s" % (f[(n, "tubercle")], f[(n, "ext_end")])
        return "from the angle: %s, to %s" % (f[(n, "angle")], f[(n, "int_end")])


def space_pcsa_cm2(layer, n):
    """(PCSA of the whole space in cm², how) — AMMR4 volume × fraction / L_opt."""
    if layer == "ext":
        frac, lopt = EXT[n]
        return EXT_VOL * frac / (lopt * 100.0), lopt, (
            "[D] AMMR4 IntercostalisExternus volume %g ml × fraction %g / L_opt %g m (%s; %s §2.5 [V])"
            % (EXT_VOL, frac, lopt, PARAMS, CG))
    if n in INT_READ:
        frac, lopt = INT_READ[n]
        return INT_VOL * frac / (lopt * 100.0), lopt, (
            "[D] AMMR4 IntercostalisInternus volume %g ml × fraction %g / L_opt %g m (%s; %s §2.5 [V])"
            % (INT_VOL, frac, lopt, PARAMS, CG))
    # Spaces R4R5…R11R12: the internal fractions were not reached. Assumption: the rest of the group
    # volume shared in the external layer's proportions over the same spaces, the external L_opt.
    rest = 1.0 - sum(f for f, _ in INT_READ.values())
    ext_rest = sum(EXT[k][0] for k in EXT if k not in INT_READ)
    frac = rest * EXT[n][0] / ext_rest
    lopt = EXT[n][1]
    return INT_VOL * frac / (lopt * 100.0), lopt, (
        "[D] AMMR4 IntercostalisInternus volume %g ml × fraction %.5f / L_opt %g m; assumption (%s §2): the R4R5…R11R12 "
        "fractions and L_opt were not reached — the group's remaining fraction %.6f (1 − the R1R2…R3R4 fractions "
        "0.082311, 0.084978, 0.090261 [V]) shared over these spaces as the external layer's fractions, and the external "
        "L_opt of the space (AMMR4's internal/external L_opt ratio is 1.20, 1.05, 1.08 where both were read)"
        % (INT_VOL, frac, lopt, DOC, rest))

RIB_LINE_SRC = ("rib lines from MF-TL only (%s §3): costovertebral joint centres, the MF-TL muscle attachments on "
                "each rib, the serratus anterior origins, the sternal ends of ribs 1-7 [A] and MF-TL's chest-wall "
                "wrapping points within %g mm of the rib's plane" % (DOC, 1e3 * WALL_BAND))


def build(mp, mk, clean_path):
    """Returns the right-side intercostal fascicles (the loader mirrors them) and the geometry."""
    geo = Geometry(mp)
    out = []
    for layer, sign, sub in (("ext", +1, "externi"), ("int", -1, "interni")):
        for n in range(1, 12):
            upper, lower = geo.layer(n, layer), geo.layer(n + 1, layer)
            upper = upper.facing(lower)
            pcsa_space, lopt_ammr, how = space_pcsa_cm2(layer, n)
            pcsa = pcsa_space / FASCICLES_PER_SPACE
            for k, part in enumerate(("posterior", "middle", "anterior")):
                u = (k + 0.5) / FASCICLES_PER_SPACE
                a, b, reached = _fibre(upper, lower, u, sign, FIBRE_ANGLE_DEG)
                name = "IC%s_R%dR%d_%s" % ("E" if layer == "ext" else "I", n, n + 1, part[:3])
                path = clean_path([("T%d" % n, mp.local("T%d" % n, a)), ("T%d" % (n + 1), mp.local("T%d" % (n + 1), b))])
                geo.angles.append((name, reached))
                r = lopt_ammr / (lopt_ammr + AMMR4_TENDON)
                out.append(mk(name, GROUP, sub, path, pcsa * 1e-4, None, None, 0.0, {
                    "path": ("[D] %s intercostal, space rib %d → rib %d, %s third of the layer; %s; layer on rib %d %s; "
                             "on rib %d %s (%s); straight line from %.2f of the layer's length along rib %d to rib %d, "
                             "inclined %.1f° to the shortest rib-to-rib line, %s (%s; 45° [A]); rib n rigid on T n "
                             "(docs/model.md §1)"
                             % ("external" if layer == "ext" else "internal", n, n + 1, part, RIB_LINE_SRC,
                                n, geo.describe(n, layer), n + 1, geo.describe(n + 1, layer), GRAY, u, n, n + 1,
                                reached, "down and forward" if layer == "ext" else "down and back", GRAY)),
                    "pcsa": "%s = %.3f cm² for the space, ÷ %d fascicles = %.3f cm²" % (how, pcsa_space, FASCICLES_PER_SPACE, pcsa),
                    "pennation_deg": "assumption: 0° (the fascicle line is the fibre direction)",
                    "src": ("r = AMMR4 L_opt %g m / (L_opt + TotalTendonLength 0.01 m) (%s §2.2, §2.5 [V])"
                            % (lopt_ammr, CG))}, r=r))
                out[-1]["passive_strain"] = (PASSIVE_STRAIN_OFF, PASSIVE_SRC)
    return out, geo


def check_report(geo, MT, mp):
    """The rib lines: their points, plane fit, lateral reach, layer landmarks and the fibre angles reached."""
    lines = ["intercostals: rib lines from MF-TL landmarks (world frame at neutral, mm; +x anterior, +y up, +z right)"]
    for n, rib in geo.ribs.items():
        zmax = max(p[2] for p in rib.poly)
        a = geo.arcs[n]
        lines.append("  rib %2d: %d attachments, %d chest-wall points, plane rms %.1f mm, line %.0f mm, widest z %.0f mm; "
                     "arc (mm) tubercle %.0f, angle %.0f, external end %.0f, internal end %.0f"
                     % (n, len(rib.att), len(rib.wall), 1e3 * rib.plane_rms, 1e3 * rib.length, 1e3 * zmax,
                        1e3 * a["tubercle"], 1e3 * a["angle"], 1e3 * a["ext_end"], 1e3 * a["int_end"]))
        lines.append("      polyline: " + " ".join("(%.0f %.0f %.0f)" % tuple(1e3 * p) for p in rib.poly))
        lines.append("      attachments: " + ", ".join(nm for nm, _ in rib.att))
        for key in ("tubercle", "angle"):
            lines.append("      %s: %s" % (key, geo.found[(n, key)]))
    short = [(nm, x) for nm, x in geo.angles if x < FIBRE_ANGLE_DEG - 0.5]
    lines.append("  fibre inclination: %d of %d fascicles at %.0f°; the layer ends first for %s"
                 % (len(geo.angles) - len(short), len(geo.angles), FIBRE_ANGLE_DEG,
                    ", ".join("%s %.1f°" % x for x in short) or "none"))
    return lines
