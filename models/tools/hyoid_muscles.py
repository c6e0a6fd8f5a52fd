"""The hyoid muscles of Mortensen, Vasavada & Merryweather 2018 (PLoS ONE 13:e0199912) as
suprahyoid–infrahyoid chains through a hyoid carried by C3 (docs/sources/hyoid.md).

Why chains. The hyoid articulates with no bone (Zheng, Jahn & Vasavada 2012, J Biomech 45:531,
abstract [V]): a suprahyoid muscle can pull the mandible (and with it the head, the jaw being held
shut) towards the hyoid only while the infrahyoid muscles hold the hyoid down. Mortensen's model has
no hyoid body: its suprahyoid muscles end on fixed points of C1 and its infrahyoid muscles on fixed
points of C3 (docs/sources/mortensen2018_neck_geometry.md §7.4, §11 [V]), so there a suprahyoid
could flex the head with C1, not the infrahyoids, holding the hyoid. The engine's paths are straight
lines through points fixed on segments (docs/model-format.md) and it has no floating body. The
nearest it can express: each mandible-to-hyoid muscle in series with each infrahyoid muscle, one
path from the mandible through the hyoid to the sternum with one tension along it (the two muscles
then pull equally on the hyoid along their lines), the hyoid carried by C3.

Why C3. The hyoid lies at the level of C3-C4 and is located from C3 in cephalometry (the H-C3
distance); Zheng et al. found its position linearly correlated with the head, jaw and C1-C4; and
Mortensen put the hyoid and thyroid ends of the infrahyoid muscles and the hyoid end of the
posterior digastric on C3 (docs/sources/hyoid.md §2). The suprahyoid hyoid points of Mortensen (on
C1) are moved to C3 at their neutral world positions; at neutral nothing moves.

What is left out: the posterior digastric and the two stylohyoid lines (skull base to hyoid; they
hold the hyoid up and back and insert within 12 mm of the C0-C1 centre, docs/sources/hyoid.md §3),
thyrohyoid (not in Mortensen: the hyoid-thyroid piece of the sternothyroid chain is taken rigid) and
the hyoid's own force balance beyond the equal tension (what is left of it is carried by C3).

Used by models/tools/build_full_spine.py (the point mapper `mp`, the muscle constructor `mk` and
`clean_path` are passed in).
"""
import numpy as np

from spine_sources import SPECIFIC_TENSION, source_ratio

MORTS = "Mortensen 2018 @5df844c"
HY = "docs/sources/hyoid.md"

# The mandible-to-hyoid muscles (Mortensen name → our name), each [V] in
# docs/sources/mortensen2018_neck_geometry.md §7.2/§7.4: point 1/2 on skull (mandible; the jaw is
# welded to the skull in Mortensen) and on cerv1 (hyoid). Right side = unsuffixed (§4).
SUPRA = [("digastric_ant", "digastric_ant"), ("Geniohyoid", "geniohyoid"),
         ("Mylohyoid_Post", "mylohyoid_post"), ("Mylohyoid_Ant", "mylohyoid_ant")]
# The infrahyoid muscles: point 1 on cerv3 (hyoid; thyroid cartilage for SternoThyroid), point 2 on
# ribcage (sternum/clavicle; Mortensen ends the omohyoid on the ribcage too, §11).
INFRA = [("Sterno_hyoid", "sternohyoid"), ("SternoThyroid", "sternothyroid"), ("Omo_hyoid", "omohyoid")]
# Not built (docs/sources/hyoid.md §3): digastric_post, Stylohyoid_Lat, Stylohyoid_Med.
LEFT_OUT = ("digastric_post", "Stylohyoid_Lat", "Stylohyoid_Med")


def _ends(mu, hyoid_body):
    """(skull-or-ribcage point, hyoid point) of a Mortensen hyoid muscle, each (body, p)."""
    pts = [(b, np.asarray(p, float)) for _, _, b, p in mu["points"]]
    assert len(pts) == 2, mu
    hy = [x for x in pts if x[0] == hyoid_body]
    other = [x for x in pts if x[0] != hyoid_body]
    assert len(hy) == 1 and len(other) == 1, (hyoid_body, pts)
    return other[0], hy[0]


def chain_force(f_supra, f_infra, total_supra, total_infra):
    """F_max of one supra–infra chain: each muscle's force shared over the chains it is in, in
    proportion to the partners' forces, so no muscle's chains exceed it (the larger total is the
    divisor: the weaker side limits)."""
    return f_supra * f_infra / max(total_supra, total_infra)


def build(MO, mp, mk, clean_path):
    """Returns the 12 right-side chains (the loader mirrors them)."""
    for name, _ in SUPRA + INFRA:
        if name not in MO:
            raise SystemExit("Mortensen transcription has no muscle %s" % name)
    f_supra = sum(MO[n]["F"] for n, _ in SUPRA)
    f_infra = sum(MO[n]["F"] for n, _ in INFRA)
    out = []
    for sname, sshort in SUPRA:
        su = MO[sname]
        (mb, mand), (hb, hy_c1) = _ends(su, "cerv1")
        assert mb == "skull" and hb == "cerv1"
        seg_m, p_m = mp.mort_point(mb, mand, sname)
        seg_h1, p_h1 = mp.mort_point(hb, hy_c1, sname)
        hy_world = mp.world(seg_h1, p_h1)
        p_hyoid_supra = mp.local("C3", hy_world)  # the same point at neutral, now carried by C3
        for iname, ishort in INFRA:
            iu = MO[iname]
            (tb, thor), (hb3, hy_c3) = _ends(iu, "cerv3")
            assert tb == "ribcage" and hb3 == "cerv3"
            seg_i, p_i = mp.mort_point(hb3, hy_c3, iname)
            assert seg_i == "C3"
            seg_t, p_t = mp.mort_point(tb, thor, iname)
            path = clean_path([(seg_m, p_m), ("C3", p_hyoid_supra), ("C3", p_i), (seg_t, p_t)])
            F = chain_force(su["F"], iu["F"], f_supra, f_infra)
            gap = float(np.linalg.norm(p_i - p_hyoid_supra))
            # Fibres of both bellies in series; the hyoid (thyroid) piece between their ends on C3 is
            # rigid and counted with the tendons.
            lo = su["lopt"] * np.cos(su["penn"]) + iu["lopt"] * np.cos(iu["penn"])
            lt = su["lts"] + iu["lts"] + gap
            assert su["penn"] == 0 and iu["penn"] == 0, "chains assume unpennated bellies (Mortensen: 0 for all seven)"
            thy = (" — the piece between the hyoid and the thyroid cartilage (thyrohyoid muscle and membrane, not in "
                   "Mortensen) taken rigid" if iname == "SternoThyroid" else "")
            out.append(mk("hy_%s_%s" % (sshort, ishort), "hyoid", sshort, path, F / SPECIFIC_TENSION,
                          lo, lt, 0.0, {
                              "path": ("[D] %s %s (mandible → hyoid) in series with %s %s (hyoid → %s): mandible point "
                                       "(skull frame, verbatim), %s's hyoid point moved from cerv1 to C3 at its neutral "
                                       "world position, %s's C3 point (verbatim), its ribcage point → thoracic segment "
                                       "nearest in height (as every Mortensen torso point)%s; the hyoid carried by C3 "
                                       "(%s §2: Zheng 2012 abstract [V], cephalometric H-C3, Mortensen's own C3 points)"
                                       % (MORTS, sname, MORTS, iname, "sternum" if iname != "Omo_hyoid" else
                                          "ribcage (Mortensen; the omohyoid ends on the scapula anatomically)",
                                          sname, iname, thy, HY)),
                              "pcsa": ("[D] chain F_max %.3f N = %s F_max %s N × %s F_max %s N / %.3f N (the mandible-to-hyoid "
                                       "total %.3f N, larger than the infrahyoid total %.3f N: each infrahyoid muscle's "
                                       "force shared over the four suprahyoid muscles in proportion to their forces, %s §4) "
                                       "/ the model's specific tension (Mortensen's forces are strength-calibrated, kept as "
                                       "for every Mortensen muscle)"
                                       % (F, sname, su["F"], iname, iu["F"], max(f_supra, f_infra), f_supra, f_infra, HY)),
                              "pennation_deg": "%s %s and %s: 0 rad" % (MORTS, sname, iname),
                              "src": "%s %s + %s (fibres in series; hyoid gap %.1f mm rigid)" % (MORTS, sname, iname, 1e3 * gap)},
                          r=source_ratio(lo, lt, 0.0)))
    return out
