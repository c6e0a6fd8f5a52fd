"""Intervertebral disc geometry for the generated models: the cross-sectional area of each lumbar disc
(joints L1-L2 … L5-S1), written as the optional `disc:` block of a joint (docs/model-format.md).

What the numbers are and where they come from (docs/model.md §9 "Intervertebral discs" gives the search):

* Anchor, L4-L5: 18.0 cm² — the L4-L5 disc cross-sectional area of the subject of Wilke et al.'s in vivo
  pressure measurements (45 y, 70 kg, 1.68 m), published with his anthropometric data in Wilke, Neef,
  Hinz, Seidel & Claes 2001, Clin Biomech 16 Suppl 1:S111–S126. [S: secondary — the primary text was not
  reached; the value and the subject's height are as quoted from that data set by a later modelling
  paper and by a public compilation of it. It is the only measured area of an adult male lumbar disc
  reached in this search.]
* Level-to-level: the transverse width of the upper (cranial) endplate of the vertebra below the disc,
  Panjabi et al. 1992, Spine 17:299–306, Table 2 (EPWu, mean ± SEM of 12 cadaveric spines): L2 42.6,
  L3 44.1, L4 46.6, L5 47.3 mm (transcribed from the scanned table in Gregory-Schwing-MD-PhD/
  CTSpinoPelvic1K, morphometrics/panjabi1992_lumbar.csv). The area of a disc is the anchor times
  (width / width at L4-L5)²: assumption — geometric similarity between levels, because Panjabi's endplate
  depths (EPDu) and any measured per-level area were not reached. Wang, Battié & Videman 2012 (Eur Spine
  J 21:2316, abstract) report that the endplate becomes more oval from L1/2 down to L5/S1, i.e. the width
  grows faster than the depth caudally, so the squared width ratio overstates the growth of the area
  toward L5: the upper-lumbar areas here are, if anything, too small relative to L4-L5.
* L5-S1: Panjabi's tables stop at L5 and the sacral endplate's width was not reached; the disc gets the
  L4-L5 value (the L5 vertebra's upper endplate bounds both L4-L5 from below and, as its lower endplate's
  neighbour, L5-S1 from above). Pooni et al. 1986 (Surg Radiol Anat 8:175, abstract) found the disc
  cross-sectional area to increase from the cranial to the caudal end of the spine, so this is a lower
  bound.
* Thoracic and cervical discs: no per-level area was reached (Pooni 1986 measured them, numbers not in the
  abstract); those joints carry no `disc:` block.
* Subject: the anchor is converted from Wilke's subject to the model's reference subject with the model's
  own scaling law for cross-sections (docs/model-format.md, "Subject scaling": area × s_M / s_L, the
  length–mass scaling of Rasmussen et al. 2005 that already scales PCSA and the abdominal cross-section).
  assumption: no disc-specific scaling with stature or mass was reached.
* Cross-check (not used): Sesek, Tang, Güngör & Gallagher (AHFE conference proceedings, doi 10.54941/ahfe100407, abstract, MRI of L3/L4–L5/S1 discs):
  280 N/cm² corresponds to 3400 N on the L5/S1 disc of a 50th-percentile woman, i.e. 12.1 cm².
"""

# Compression → intradiscal pressure, p = k · F / A (docs/model.md §9; docs/sources/disc_pressure.md records
# the session-6 search for k's primary text and for an unloaded term, and why neither changed).
NACHEMSON_K = 1.5
NACHEMSON_K_SOURCE = (
    "Nachemson's in vitro ratio of nucleus pressure to the mean axial stress (compressive load per unit "
    "disc area), about 1.5 (Nachemson 1960, Acta Orthop Scand Suppl 43; Nachemson & Morris 1964, JBJS 46-A:1077) "
    "[R: recalled, the primary text was not reached; shared/data/model-data.md §3.9 gives 1.3–1.5, tagged F/R]. "
    "Searched again in sessions 5 and 6 (docs/sources/disc_pressure.md): citations confirmed, the passage not "
    "reached; Adams, McNally & Dolan 1996 (JBJS-B 78:965, abstract) find the nucleus pressure falls 30 % with "
    "degeneration, so k is not a constant (Wilke's disc was nondegenerated); Dreischarf et al. 2013 (Med Eng "
    "Phys 35:1385, finite elements), as quoted by a compilation: a generic factor errs by up to 44 %. No "
    "unloaded (swelling) term: no relation p = p0 + k·F/A with p0 and k from one source, and no unloaded "
    "pressure of healthy lumbar discs other than in vivo lying values, was found")

WILKE_AREA_CM2 = 18.0      # L4-L5, Wilke et al. 2001 subject [S]
WILKE_MASS_KG = 70.0       # Wilke et al. 1999 abstract
WILKE_HEIGHT_M = 1.68      # Wilke et al. 2001 [S]

# Panjabi et al. 1992 Table 2, EPWu (mm): upper endplate width of the vertebra below each disc.
PANJABI_EPWU_MM = {"L2": 42.6, "L3": 44.1, "L4": 46.6, "L5": 47.3}
DISC_BELOW = {"L1-L2": "L2", "L2-L3": "L3", "L3-L4": "L4", "L4-L5": "L5", "L5-S1": "L5"}

PANJABI = "Panjabi et al. 1992, Spine 17:299, Table 2 (EPWu)"
WILKE = "Wilke et al. 2001, Clin Biomech 16 Suppl 1:S111 [S: secondary, primary not reached]"


def disc_geometry(joint, ref_mass, ref_height):
    """(area_cm2, width_mm, source) of the disc at `joint` for a reference subject of ref_mass kg and
    ref_height m; None for joints without data."""
    below = DISC_BELOW.get(joint)
    if below is None:
        return None
    width = PANJABI_EPWU_MM[below]
    subject = (ref_mass / WILKE_MASS_KG) / (ref_height / WILKE_HEIGHT_M)
    area = WILKE_AREA_CM2 * subject * (width / PANJABI_EPWU_MM["L5"]) ** 2
    how = ("[D] %g cm² (L4-L5 of Wilke's subject, %g kg, %g m; %s) × (%g kg / %g kg) / (%g m / %g m) "
           "(the model's cross-section scaling, area ∝ mass / height) × (%g / %g mm)² (%s of %s; assumption: "
           "geometric similarity between levels, endplate depths not reached)"
           % (WILKE_AREA_CM2, WILKE_MASS_KG, WILKE_HEIGHT_M, WILKE, ref_mass, WILKE_MASS_KG, ref_height,
              WILKE_HEIGHT_M, width, PANJABI_EPWU_MM["L5"], PANJABI, below))
    if joint == "L5-S1":
        how += ("; L5-S1: the sacral endplate's width was not reached, the L4-L5 value is used (a lower bound: "
                "disc area grows caudally, Pooni et al. 1986 Surg Radiol Anat 8:175)")
    return area, width, how


# The neck's joint frames are Mortensen 2018's, level with the torso at neutral (docs/model.md §2), so
# they are not the discs' planes: the sub-axial discs (C2-C3 ... C7-T1) split their force in the plane
# normal to the chord between the joint centres below and above instead (the engine computes it at load
# from the model's own neutral geometry). The chord reproduces MF-TL's thoracic joint frames within
# 2-3 deg (T11-T12 ... T2-T3) and gives 13.0 deg from C2-C3 to C7-T1, where 21 studies of 15 364
# asymptomatic people give a C2-C7 Cobb angle of 12.71 deg (Guo et al. 2018, J Orthop Surg Res 13:147,
# abstract [V]); docs/model.md, "Known simplifications".
CHORD_DISCS = ("C7-T1", "C6-C7", "C5-C6", "C4-C5", "C3-C4", "C2-C3")
CHORD_SOURCE = ("[D] the neck's joint frames (Mortensen 2018) are level with the torso, not the discs: the disc plane is "
                "normal to the chord between the neighbouring joint centres at neutral, computed by the loader; the chord "
                "reproduces MF-TL's thoracic frames within 2-3 deg and gives the neck 13.0 deg of C2-C7 lordosis (Guo et al. "
                "2018 J Orthop Surg Res 13:147 meta-analysis: 12.71 deg standing) (docs/model.md, Known simplifications)")


def write_disc(w, q, g, joint, ref_mass, ref_height):
    """Writes the joint's `disc:` block (indented for a joint of a segment list) if there are data."""
    if joint in CHORD_DISCS:
        w("      disc: {plane: chord, source: %s}\n" % q(CHORD_SOURCE))
        return
    d = disc_geometry(joint, ref_mass, ref_height)
    if d is None:
        return
    area, width, how = d
    w("      disc: {area_cm2: %s, endplate_width_mm: %s, source: %s}\n" % (g(area, 4), g(width, 3), q(how)))


def write_disc_pressure(w, q, g):
    """Writes the model's top-level `disc_pressure:` block (the compression → pressure factor)."""
    w("\ndisc_pressure: {correction_factor: %s, source: %s}\n" % (g(NACHEMSON_K), q(NACHEMSON_K_SOURCE)))
