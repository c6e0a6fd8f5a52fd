"""The abdominal_pressure: block of the model files (sim/dynamics/abdominal_pressure.h).

Intra-abdominal pressure (IAP) prescribed by a measured relation with the net extension moment at a
reference joint, acting on the abdominal cross-section of every lumbar cut (Daggfeldt &
Thorstensson 1997). Every constant was chosen from its source before the effect on the validation
cases was looked at; docs/sources/iap.md gives what was read and what was recalled.
Tags: [V] read (abstract or full text), [S] secondary (another work quoting it), [R] recalled,
[M] from a validated model's files, [D] derived here.
"""

# Levels whose cut passes through the abdominal cavity below the diaphragm's lumbar attachments:
# L3-L4, L4-L5, L5-S1. The crura of the diaphragm arise from the bodies of L1-L3 (right) and L1-L2
# (left) [R, standard anatomy]: the dome that the pressure pushes up pulls down on L1-L3 through them,
# so a cut at T12-L1, L1-L2 or L2-L3 is crossed by the crura and its net load is less than p*A by an
# unknown crural share; those levels get none (assumption: the conservative end). (The first version
# also loaded L1-L2 and L2-L3; see docs/sources/iap.md §2 for why and when this changed.)
IAP_JOINTS = ["L5-S1", "L4-L5", "L3-L4"]
IAP_REFERENCE_JOINT = "L4-L5"

# Mairiaux, Davis, Stubbs & Baty 1984, Ergonomics 27:883 (abstract [V], read via the search tool):
# 14 young men, 60 bimanual sagittal lifts in 12 hand positions, erect posture; IAP (kPa) against the
# moment at L4/5 (N·m): y = 0.079 x − 1.127, r = 0.75. (The abstract as stored prints "−1127"; read
# as −1.127 kPa: zero pressure at 14 N·m. Read as −1127 kPa the relation would give no pressure below
# 14 000 N·m, which no lift reaches.) A population fit on the absolute moment, taken for the model's
# reference subject: the engine reads it on the moment a scaled subject's posture would need of the
# reference body, M / (mass ratio × height ratio) (sim/model/subject.cpp; docs/mechanics.md,
# "Subject size"); the abstract gives no subject masses [A].
MAIRIAUX_SLOPE_KPA = 0.079
MAIRIAUX_INTERCEPT_KPA = -1.127

# Essendrop 2003, PhD thesis, National Institute of Occupational Health, Denmark: 26.6 kPa, maximal
# IAP of well-trained subjects; the bound of AnyBody's AMMR IAP model ([M] AMMR
# Docs/body/lumbar_spine_model.md; shared/data/model-data.md).
MAX_PRESSURE_KPA = 26.6

# Area on which the pressure acts: 465 cm², the diaphragm area of Morris, Lucas & Bresler 1961
# (J Bone Joint Surg 43A:327) [R], the value Chaffin's static strength model uses [S: a public
# implementation of the Bean–Chaffin–Schultz model, "Diaphragm area affected by the abdominal
# pressure ... 465 cm²", "from Morris 1961 and Chaffin's book"].
AREA_M2 = 465e-4

# Moment arm of the pressure force about the joint: 7 cm, the upright value of the same model's
# "abdominal pressure's force moment arm in the sagittal plane", D = (7 + 8 sin θ_H) cm [S]. Taken
# constant here (the conservative end: it grows to 15 cm with the trunk horizontal in Chaffin's model).
MOMENT_ARM_M = 0.07


def write_abdominal_pressure(w, q, g):
    w("\nabdominal_pressure:\n")
    w("  joints: [%s]\n" % ", ".join(IAP_JOINTS))
    w("  reference_joint: %s\n" % IAP_REFERENCE_JOINT)
    w("  area: %s\n" % g(AREA_M2))
    w("  moment_arm: %s\n" % g(MOMENT_ARM_M))
    w("  pressure_intercept_kpa: %s\n" % g(MAIRIAUX_INTERCEPT_KPA))
    w("  pressure_slope_kpa: %s\n" % g(MAIRIAUX_SLOPE_KPA))
    w("  pressure_exponent: 1\n")
    w("  max_pressure_kpa: %s\n" % g(MAX_PRESSURE_KPA))
    w("  source:\n")
    w("    area: %s\n" % q("[R] Morris, Lucas & Bresler 1961 J Bone Joint Surg 43A:327, diaphragm area 465 cm², the "
                           "area Chaffin's static strength model uses [S] (docs/sources/iap.md §2); taken for the "
                           "abdominal cross-section of every lumbar cut (assumption)"))
    w("    moment_arm: %s\n" % q("[S] Chaffin's static strength model: moment arm of the abdominal pressure force "
                                 "7 cm upright (7 + 8 sin(hip angle) cm); constant here (docs/sources/iap.md §2)"))
    w("    pressure_intercept_kpa: %s\n" % q(
        "[V abstract] Mairiaux, Davis, Stubbs & Baty 1984 Ergonomics 27:883: IAP = 0.079 M(L4/5) − 1.127 kPa, "
        "r = 0.75, 14 men lifting in the erect posture; taken for the reference subject, a scaled subject's M read as "
        "the reference body's, M / (mass ratio × height ratio) [A] (docs/mechanics.md, Subject size)"))
    w("    pressure_slope_kpa: %s\n" % q("[V abstract] Mairiaux et al. 1984 (as the intercept), kPa per N·m at L4/5"))
    w("    pressure_exponent: %s\n" % q("Mairiaux et al. 1984: a straight line"))
    w("    max_pressure_kpa: %s\n" % q("[M] Essendrop 2003 PhD thesis (well-trained subjects), the IAP bound of "
                                       "AnyBody's AMMR (Docs/body/lumbar_spine_model.md)"))
