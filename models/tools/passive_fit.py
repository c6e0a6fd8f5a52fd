"""Fits the non-linear passive moment–angle law of one joint side to published in vitro data.

Law (sim/model/model.h): M(θ) = −sign(θ) (c1 |θ| + ce (exp(be |θ|) − 1)).
Data per level, axis and direction: the range of motion θ_R reached at the test moment M_t, and
the neutral-zone half-width θ_N (the lax region around neutral).

Fit (two conditions, closed form in ce for a given be, bisection in be):
  M(θ_R) = M_t                  — the published load–displacement end point;
  M(θ_N) = NEUTRAL_ZONE_FRACTION · M_t — the neutral zone is where the segment is nearly lax.
c1 is zero: all the stiffness is in the exponential, which is soft near neutral and stiffens
toward the end of range, as pure-moment tests show (Panjabi 1994, Yamamoto 1989).
NEUTRAL_ZONE_FRACTION = 0.05 is an assumption: NZ is defined by the near-zero-load laxity, and 5 %
of the test moment marks its edge on published curves (e.g. Panjabi et al. 2001, Fig. 2, read
qualitatively); stated as such in every model that uses it.
"""
import math

NEUTRAL_ZONE_FRACTION = 0.05


def fit_side(rom_deg, nz_half_deg, test_moment):
    """Returns (ce [N·m], be [1/deg]) with M(rom) = test_moment, M(nz_half) = 5 % of it."""
    if not (0 < nz_half_deg < rom_deg):
        raise ValueError("need 0 < neutral-zone half-width < ROM, got %r, %r" % (nz_half_deg, rom_deg))
    target = 1.0 / NEUTRAL_ZONE_FRACTION
    # g(be) = (e^{be R} − 1)/(e^{be N} − 1) rises from R/N (be → 0) to ∞; solvable iff R/N < target.
    if rom_deg / nz_half_deg >= target:
        raise ValueError("ROM/NZ ratio %.1f too large for a pure exponential law" % (rom_deg / nz_half_deg))
    be = _exponent_for_ratio(nz_half_deg, rom_deg, target)
    ce = test_moment / math.expm1(be * rom_deg)
    return ce, be


def _exponent_for_ratio(theta1_deg, theta2_deg, target):
    """be with (e^{be θ2} − 1)/(e^{be θ1} − 1) = target, by bisection (the ratio rises with be
    from θ2/θ1 to ∞; the callers have checked θ2/θ1 < target)."""
    g = lambda b: math.expm1(b * theta2_deg) / math.expm1(b * theta1_deg)  # noqa: E731
    lo, hi = 1e-9, 1.0
    while g(hi) < target:
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if g(mid) < target else (lo, mid)
    return 0.5 * (lo + hi)


def fit_two_points(theta1_deg, moment1, theta2_deg, moment2):
    """Returns (ce [N·m], be [1/deg]) of the law through two measured points of one curve,
    M(θ1) = M1 and M(θ2) = M2 (no neutral-zone condition; docs/sources/cervical_laws.md §0).

    Solvable iff the points stiffen: 0 < θ1 < θ2, 0 < M1 < M2 and M2/M1 > θ2/θ1 (the law's
    g(be) = (e^{be θ2} − 1)/(e^{be θ1} − 1) rises from θ2/θ1 at be → 0 to ∞).
    """
    if not (0 < theta1_deg < theta2_deg and 0 < moment1 < moment2):
        raise ValueError("need 0 < θ1 < θ2 and 0 < M1 < M2, got (%r, %r), (%r, %r)"
                         % (theta1_deg, moment1, theta2_deg, moment2))
    target = moment2 / moment1
    if theta2_deg / theta1_deg >= target:
        raise ValueError("points do not stiffen (θ2/θ1 = %.3f ≥ M2/M1 = %.3f): no exponential law"
                         % (theta2_deg / theta1_deg, target))
    be = _exponent_for_ratio(theta1_deg, theta2_deg, target)
    return moment1 / math.expm1(be * theta1_deg), be


def moment(ce, be, theta_deg):
    return ce * math.expm1(be * abs(theta_deg))


if __name__ == "__main__":
    # Self-check on Yamamoto 1989 L4-L5 flexion: ROM 8.9° at 10 N·m, NZ 1.8° (half 0.9°).
    ce, be = fit_side(8.9, 0.9, 10.0)
    assert abs(moment(ce, be, 8.9) - 10.0) < 1e-9 and abs(moment(ce, be, 0.9) - 0.5) < 1e-9
    ce2, be2 = fit_two_points(4.9, 1.5, 6.5, 3.0)
    assert abs(moment(ce2, be2, 4.9) - 1.5) < 1e-9 and abs(moment(ce2, be2, 6.5) - 3.0) < 1e-9
    print("L4-L5 flexion: ce = %.4f N·m, be = %.4f /deg; M(5°) = %.2f N·m" % (ce, be, moment(ce, be, 5)))
