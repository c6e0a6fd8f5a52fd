"""The part of a lumbar joint law's flexion moment carried by ligaments off the disc centre, written as
the optional `passive.off_disc` block of a joint (docs/model-format.md; sim/loadsharing/reactions.h).

Why: the in vitro moment–angle laws lump disc, ligaments and facets; applied as free couples they add
no disc compression, but in flexion the posterior ligaments resist with tension a few centimetres
behind the disc and the disc carries that tension as extra compression. The search, the acceptance
criteria (written before any validation run), the decision and its sensitivity are in
docs/sources/ligament_compression.md. In short:

* Shares of the resistance at full flexion, Adams, Hutton & Stott 1980 (Spine 5:245): capsular
  ligaments 39 %, ligamentum flavum 13 % [V secondary: an unattributed web page quotes them without
  naming a source; their attribution to Adams 1980 is R];
  supraspinous + interspinous 19 % and disc 29 % [R], together exactly the remaining 48 %.
* Levers (sagittal distance of the line from the disc centre, line along the disc normal [A]):
  supraspinous + interspinous 52.2 mm [D] = Hindle, Pearcy & Cross 1990's 7 N·m / 134 N (J Biomed Eng
  12:340, abstract [V]); ligamentum flavum 34.45 mm [D] = half the L5 endplate length (37.1 mm) + the
  canal's sagittal length (15.9 mm), men, Int J Spine Surg L5 morphometry Table 6 [V]; capsules the
  same 34.45 mm [A]; one lever for every lumbar level [A].
* Lumbar joints only (and T12-L1, whose law is L1-L2's); extension, lateral bending, axial rotation,
  thoracic and cervical joints stay free couples (no qualifying source).
"""

SHEET = "docs/sources/ligament_compression.md"

# Adams, Hutton & Stott 1980 shares of the resistance at full flexion.
ADAMS_CAPSULAR = 0.39
ADAMS_FLAVUM = 0.13
ADAMS_SSL_ISL = 0.19
ADAMS_DISC = 0.29
assert abs(ADAMS_CAPSULAR + ADAMS_FLAVUM + ADAMS_SSL_ISL + ADAMS_DISC - 1.0) < 1e-12

# Hindle, Pearcy & Cross 1990: the supraspinous + interspinous ligaments' maximum force and moment.
HINDLE_FORCE_N = 134.0
HINDLE_MOMENT_NM = 7.0
SSL_ISL_LEVER_MM = 1000.0 * HINDLE_MOMENT_NM / HINDLE_FORCE_N  # 52.24

# L5 morphometry, men (Int J Spine Surg, Table 6): superior endplate length and canal sagittal length.
L5_ENDPLATE_LENGTH_MM = 37.1
L5_CANAL_LENGTH_MM = 15.9
FLAVUM_LEVER_MM = L5_ENDPLATE_LENGTH_MM / 2.0 + L5_CANAL_LENGTH_MM  # 34.45

LUMBAR_JOINTS = ("T12-L1", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")

ADAMS = ("Adams, Hutton & Stott 1980, Spine 5:245 (shares of the resistance at full flexion; capsular 39 % "
         "and flavum 13 % [V secondary: unattributed web page; attribution to Adams 1980 R], supraspinous + "
         "interspinous 19 % and disc 29 % [R], their complement)")
HINDLE = ("[D] %.1f mm = 7 N·m / 134 N, Hindle, Pearcy & Cross 1990, J Biomed Eng 12:340 (abstract [V])"
          % SSL_ISL_LEVER_MM)
MORPH = ("[D] %.2f mm = L5 endplate length 37.1 / 2 + canal sagittal length 15.9 mm (men), Int J Spine Surg "
         "lumbar morphometry Table 6 [V]" % FLAVUM_LEVER_MM)


def tissues():
    """[(tissue, share, lever_mm)] carrying the law's moment when it resists flexion (all in tension)."""
    return [("capsular_ligaments", ADAMS_CAPSULAR, FLAVUM_LEVER_MM),
            ("ligamentum_flavum", ADAMS_FLAVUM, FLAVUM_LEVER_MM),
            ("supraspinous_interspinous", ADAMS_SSL_ISL, SSL_ISL_LEVER_MM)]


def compression_per_moment():
    """Disc compression added per N·m of flexion-resisting law moment, N/(N·m): Σ share / lever."""
    return sum(s / (1e-3 * d) for _, s, d in tissues())


def source(joint):
    tl = ("assumption: T12-L1's law is L1-L2's (Yamamoto), so it gets the lumbar shares; " if joint == "T12-L1"
          else "")
    return (tl + "shares: " + ADAMS + "; levers: supraspinous_interspinous " + HINDLE + "; ligamentum_flavum "
            + MORPH + "; capsular_ligaments [A] at the flavum's lever (the facet capsules flank the posterior "
            "canal where the flavum joins them); [A] one lever for every lumbar level, lines along the disc "
            "normal (no shear), constant shares over the flexion angle (Adams' are at full flexion; Adams et al. "
            "1994 Clin Biomech 9:5 date high ligament tension beyond about 75 %% of the ligament-defined range, "
            "so these shares are an upper bound below it); "
            "extension: free couple (no qualifying source). %.1f N of compression per N·m [D]; %s"
            % (compression_per_moment(), SHEET))


def write_off_disc(w, q, g, joint, indent="        "):
    """Writes `off_disc:` under a joint's `passive:` block for the lumbar joints; nothing elsewhere."""
    if joint not in LUMBAR_JOINTS:
        return
    w("%soff_disc:\n" % indent)
    w("%s  flexion:\n" % indent)
    for name, share, lever in tissues():
        w("%s    - {tissue: %s, share: %s, moment_arm_mm: %s, action: tension}\n" % (indent, name, g(share), g(lever)))
    w("%s  source: %s\n" % (indent, q(source(joint))))


if __name__ == "__main__":
    for name, share, lever in tissues():
        print("%-26s share %.2f  lever %.1f mm  -> %.2f N per N·m" % (name, share, lever, share / (1e-3 * lever)))
    print("total: %.2f N of disc compression per N·m of flexion-resisting law moment" % compression_per_moment())
