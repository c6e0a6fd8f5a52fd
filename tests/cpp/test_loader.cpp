// The loader accepts a well-formed model and rejects every malformed one with a message naming the
// file, the line and the field.
#include <gtest/gtest.h>

#include <regex>

#include "fixtures.h"
#include "sim/common/error.h"

namespace paraspine {
namespace {

TEST(Loader, ReadsMiniModel) {
  const Model m = test::mini_model();
  EXPECT_EQ(m.nsegment, 3);
  EXPECT_EQ(m.njoint, 2);
  EXPECT_EQ(m.ndof, 6);
  EXPECT_EQ(m.nmuscle, 3);  // erector_r, erector_l, flexor
  EXPECT_EQ(m.muscle_name[0], "erector_r");
  EXPECT_EQ(m.muscle_name[1], "erector_l");
  EXPECT_EQ(m.arms.size(), 2u);
  EXPECT_DOUBLE_EQ(m.arms[1].shoulder.z(), -0.18);  // mirrored
  EXPECT_DOUBLE_EQ(m.point_pos(2, m.muscle_point_begin[1]), -0.03);
  EXPECT_DOUBLE_EQ(m.muscle_pcsa[0], 300 / 1.0e6);  // from specific tension
  EXPECT_DOUBLE_EQ(m.muscle_fmax[2], 500.0);         // pcsa × specific tension
  EXPECT_NEAR(m.muscle_pennation[0], 10 * kPi / 180, 1e-15);
  // Passive law given per degree is stored per radian.
  EXPECT_NEAR(m.dof_passive[0].positive.c1, 1.8 * 180 / kPi, 1e-9);
  EXPECT_NEAR(m.dof_range(0, 1), 30 * kPi / 180, 1e-15);
  EXPECT_DOUBLE_EQ(m.total_mass(), 34 + 7);
}

TEST(Loader, SortsSegmentsParentsFirst) {
  std::string text = test::kMiniModel;
  // Move the root to the end of the list: order in the file must not matter.
  const auto a = text.find("  - name: base"), b = text.find("  - name: mid"), e = text.find("regions:");
  text = text.substr(0, a) + text.substr(b, e - b) + text.substr(a, b - a) + text.substr(e);
  const Model m = parse_model(text, "mini.yaml");
  EXPECT_EQ(m.segment_name[0], "base");
  for (int s = 1; s < m.nsegment; ++s) EXPECT_LT(m.segment_parent[s], s);
}

// Replaces the first occurrence of `from` and expects an InputError whose message matches `expect`
// and names the given line.
void expect_error(const std::string& from, const std::string& to, const std::string& expect, int line) {
  std::string text = test::kMiniModel;
  const auto pos = text.find(from);
  ASSERT_NE(pos, std::string::npos) << from;
  text.replace(pos, from.size(), to);
  test::expect_model_error(text, "mini.yaml", expect, line);
}

TEST(Loader, RejectsUnknownParent) {
  expect_error("parent: mid", "parent: middle", "segments[2].parent: unknown segment 'middle'", 27);
}
TEST(Loader, RejectsCycle) {
  expect_error("    parent: base", "    parent: top", "cycle in the segment tree", 13);
}
TEST(Loader, RejectsDuplicateSegment) {
  expect_error("  - name: top", "  - name: mid", "duplicate segment 'mid'", 26);
}
TEST(Loader, RejectsDuplicateMuscle) {
  expect_error("  - name: flexor", "  - name: erector_r", "duplicate muscle 'erector_r'", 55);
}
TEST(Loader, RejectsNonPositiveMass) {
  expect_error("    mass: 4", "    mass: -4", "segments[1].mass: must be positive", 14);
}
TEST(Loader, RejectsNaN) {
  expect_error("    mass: 4", "    mass: .nan", "segments[1].mass: must be finite", 14);
}
TEST(Loader, RejectsNonNumber) {
  expect_error("    mass: 4", "    mass: four", "segments[1].mass: expected a number, got 'four'", 14);
}
TEST(Loader, RejectsZeroPcsa) {
  expect_error("pcsa: 5.0e-4", "pcsa: 0", "muscles[1].pcsa: must be positive", 59);
}
TEST(Loader, RejectsFarPoint) {
  expect_error("[top, -0.04, 0.1, 0.03]", "[top, -0.04, 1.1, 0.03]", "more than 0.5 m from the origin of segment 'top'", 49);
}
TEST(Loader, RejectsUnknownSegmentInPath) {
  expect_error("[top, 0.1, 0.15, 0.04]", "[head, 0.1, 0.15, 0.04]", "unknown segment 'head'", 58);
}
// A path point on two segments, {between: [first, second], share: s, at: [x, y, z]} (Model::point_blend).
TEST(Loader, ChecksPointsOnTwoSegments) {
  const std::string from = "[top, 0.1, 0.15, 0.04]";
  expect_error(from, "{between: [base, top], share: 1.2, at: [0.1, 0.15, 0.04]}", "path[1].share: the second segment's share must lie strictly between 0 and 1", 58);
  expect_error(from, "{between: [base, top], share: 0, at: [0.1, 0.15, 0.04]}", "path[1].share: the second segment's share must lie strictly between 0 and 1", 58);
  expect_error(from, "{between: [base, top], share: .nan, at: [0.1, 0.15, 0.04]}", "path[1].share", 58);
  expect_error(from, "{between: [top, top], share: 0.5, at: [0.1, 0.15, 0.04]}", "path[1].between: the two segments must differ", 58);
  expect_error(from, "{between: [base, neck], share: 0.5, at: [0.1, 0.15, 0.04]}", "path[1].between: unknown segment 'neck'", 58);
  expect_error(from, "{between: [base], share: 0.5, at: [0.1, 0.15, 0.04]}", "path[1].between: expected [first segment, second segment]", 58);
  expect_error(from, "{between: [base, top], share: 0.5}", "path[1]", 58);
  expect_error(from, "{between: [base, top], share: 0.5, at: [0.1, 0.9, 0.04]}", "path[1].at: point more than 0.5 m from the origin of segment 'base'", 58);
  expect_error(from, "{between: [base, top], share: 0.5, at: [0.1, 0.15, 0.04], via: 1}", "path[1]", 58);
  expect_error(from, "{on: [base, top], share: 0.5, at: [0.1, 0.15, 0.04]}", "path[1]", 58);
  expect_error(from, "{between: [base, top], share: 0.5, at: [0.1, 0.15, 0.04], anchors: [[0, 0, 0]]}", "path[1].anchors: expected", 58);
  expect_error(from, "{between: [base, top], share: 0.5, at: [0.1, 0.15, 0.04], anchors: [[0, 0, 0], [0, 0.7, 0]]}",
               "path[1].anchors[1]: anchor more than 0.5 m from the origin of segment 'top'", 58);
  // Anchors that put a material point far from its segment (an anchor on the wrong segment).
  expect_error(from, "{between: [base, top], share: 0.2, at: [0.1, 0.15, 0.04], anchors: [[0, -0.45, 0], [0, 0.45, 0]]}",
               "path[1]: its material point on segment 'top' lies more than 0.5 m from that segment's origin", 58);
  // A fascicle whose only other segment is a blended point's second one crosses joints.
  std::string text = test::kMiniModel;
  const auto pos = text.find(from);
  text.replace(pos, from.size(), "{between: [base, top], share: 0.5, at: [0.1, 0.15, 0.04]}");
  const Model m = parse_model(text, "mini.yaml");
  EXPECT_TRUE(m.muscle_has_blend[m.muscle_index("flexor")]);
}

TEST(Loader, RejectsMissingSource) {
  expect_error("    inertia: [0.5, 0.2, 0.5]\n", "    inertia: [0.5, 0.2, 0.5]\n    sourc: x\n", "unknown key 'sourc'", 31);
}
TEST(Loader, RejectsSourceMapMissingField) {
  expect_error("    inertia: [0.1, 0.1, 0.1]\n    source: \"synthetic test fixture\"",
               "    inertia: [0.1, 0.1, 0.1]\n    source: {mass: a, com: b}", "segments[0].source.inertia: missing source", 11);
}
TEST(Loader, RejectsObjectWithoutSource) {
  expect_error("pennation_deg: 10\n    source: \"synthetic test fixture\"", "pennation_deg: 10",
               "muscles[0].source: missing source", 46);
}
TEST(Loader, RejectsUnknownKey) {
  expect_error("    optimal_fiber_length: 0.2", "    optimal_fibre_length: 0.2", "unknown key 'optimal_fibre_length'", 60);
}
TEST(Loader, RejectsSharesNotSummingToOne) {
  expect_error("flexion: [0.4, 0.6]", "flexion: [0.4, 0.5]", "regions[0].shares.flexion: shares sum to 0.9", 41);
}
TEST(Loader, RejectsUnphysicalInertia) {
  expect_error("inertia: [0.5, 0.2, 0.5]", "inertia: [0.1, 0.1, 0.5]", "triangle inequality", 30);
}
// Unit slips a model author makes (audit20b): each gave absurd or zero forces with exit 0. The
// erector's muscle entry is line 46; its musculotendon path is 0.30 m at neutral.
TEST(Loader, RejectsFibreAndTendonLengthsNoFascicleCanHave) {
  expect_error("    optimal_fiber_length: 0.1\n", "    optimal_fiber_length: 0.001\n",
               "the fibres would be 220 × optimal length at neutral, outside 0.2–5", 46);
  expect_error("    tendon_slack_length: 0.08\n", "    tendon_slack_length: 80\n",
               "the tendon is as long as the whole path", 46);
  expect_error("    optimal_fiber_length: 0.1\n", "    optimal_fiber_length: 100\n",
               "the fibres' thickness l_opt sin α = 17.4 m exceeds the whole path", 46);
  expect_error("    pennation_deg: 10\n", "    pennation_deg: 10\n    passive_strain: 0.01\n",
               "muscles[0].passive_strain: 0.01 is below 0.1", 54);
}

// Unit slips in the body and the strength (audit20b): grams, centimetres and N/cm² each scaled every
// run silently. The mini model's reference_subject is line 3, muscle_defaults.all line 5.
TEST(Loader, RejectsBodyAndStrengthValuesInTheWrongUnit) {
  expect_error("{body_mass: 70, height: 1.75,", "{body_mass: 70000, height: 1.75,", "must be between 20 and 300 kg, got 70000 (grams?)", 3);
  expect_error("{body_mass: 70, height: 1.75,", "{body_mass: 70, height: 175,", "must be between 1.0 and 2.5 m, got 175 (centimetres?)", 3);
  expect_error("{specific_tension: 1.0e6,", "{specific_tension: 100,", "100 N/m² is outside 1e5–1e7", 5);
  expect_error("mass: 3.5,", "mass: 3500,", "the segments and arms weigh", 3);
}

// A side the name or the path contradicts (audit20b): per-side results swapped, a midline fascicle doubled.
TEST(Loader, RejectsASideTheNameOrThePathContradicts) {
  expect_error("  - name: flexor\n    group: rectus_abdominis\n    side: right", "  - name: flexor_l\n    group: rectus_abdominis\n    side: right",
               "side right for a fascicle named 'flexor_l'", 57);
  expect_error("[[base, -0.05, 0.0, 0.03], [mid, -0.05, 0.05, 0.03], [top, -0.04, 0.1, 0.03]]",
               "[[base, -0.05, 0.0, 0], [mid, -0.05, 0.05, 0], [top, -0.04, 0.1, 0]]",
               "muscles[0].side: side both for a path on the midline", 48);
}

TEST(Loader, RejectsYamlSyntaxError) {
  // The '[' left open is named on its own line (yaml-cpp gives up on the next one).
  expect_error("    com: [0.01, 0.05, 0.0]", "    com: [0.01, 0.05, 0.0", "YAML syntax error: the '[' at col 10 is never closed", 15);
}

// The optional disc geometry of a joint: read in SI, absent joints get 0, bad values are refused
// with file, line and field.
const char* kDiscAnchor = "        flexion: {positive: {c1: 1.8}, negative: {c1: 2.6}}\n";
std::string with_disc(const std::string& disc) { return std::string(kDiscAnchor) + "      disc: " + disc + "\n"; }

TEST(Loader, ReadsDiscGeometry) {
  std::string text = test::kMiniModel;
  text.replace(text.find(kDiscAnchor), std::string(kDiscAnchor).size(),
               with_disc("{area_cm2: 18, endplate_width_mm: 47.3, source: \"synthetic\"}"));
  const Model m = parse_model(text, "mini.yaml");
  EXPECT_DOUBLE_EQ(m.joint_disc_area[0], 18e-4);  // m²
  EXPECT_DOUBLE_EQ(m.joint_disc_width[0], 0.0473);
  EXPECT_EQ(m.joint_disc_source[0], "synthetic");
  EXPECT_DOUBLE_EQ(m.disc_area(0), 18e-4);
  EXPECT_EQ(m.disc_area(1), 0.0);   // top-mid declares none
  EXPECT_EQ(m.disc_area(-1), 0.0);  // absent joint
  EXPECT_EQ(test::mini_model().disc_area(0), 0.0);
}
TEST(Loader, RejectsNaNDiscArea) {
  expect_error(kDiscAnchor, with_disc("{area_cm2: .nan, source: x}"), "segments[1].joint.disc.area_cm2: must be finite", 24);
}
TEST(Loader, RejectsNonPositiveDiscArea) {
  expect_error(kDiscAnchor, with_disc("{area_cm2: 0, source: x}"), "segments[1].joint.disc.area_cm2: must be positive", 24);
  expect_error(kDiscAnchor, with_disc("{area_cm2: -18, source: x}"), "segments[1].joint.disc.area_cm2: must be positive", 24);
}
TEST(Loader, RejectsDiscAreaInWrongUnits) {
  expect_error(kDiscAnchor, with_disc("{area_cm2: 1800, source: x}"), "disc.area_cm2: more than 100 cm²", 24);
}
// `disc: {plane: chord}` needs a joint below and one above (the mini model's chain has two joints, so
// neither has both); a plane given alone needs no area; one of the two must be given.
TEST(Loader, DiscPlaneNeedsItsNeighboursAndAKnownName) {
  expect_error(kDiscAnchor, with_disc("{plane: chord, source: x}"),
               "segments[1].joint.disc.plane: chord needs one joint below this one and exactly one above it", 24);
  expect_error(kDiscAnchor, with_disc("{plane: flat, source: x}"), "segments[1].joint.disc.plane: 'flat': expected joint", 24);
  expect_error(kDiscAnchor, with_disc("{source: x}"), "give area_cm2 (the disc's area) or plane", 24);
  std::string text = test::kMiniModel;
  text.replace(text.find(kDiscAnchor), std::string(kDiscAnchor).size(), with_disc("{plane: joint, source: x}"));
  const Model m = parse_model(text, "mini.yaml");
  EXPECT_EQ(m.joint_disc_tilt[0], 0.0);
  EXPECT_EQ(m.disc_area(0), 0.0);
}
TEST(Loader, RejectsBadDiscWidthAndMissingSource) {
  expect_error(kDiscAnchor, with_disc("{area_cm2: 18, endplate_width_mm: -4, source: x}"),
               "segments[1].joint.disc.endplate_width_mm: must be positive", 24);
  expect_error(kDiscAnchor, with_disc("{area_cm2: 18}"), "segments[1].joint.disc.source: missing required field", 24);
  expect_error(kDiscAnchor, with_disc("{area: 18, source: x}"), "unknown key 'area'", 24);
}

TEST(Loader, ReadsAndChecksTheDiscPressureFactor) {
  std::string text = test::kMiniModel;
  text.replace(text.find("muscle_defaults:\n"), 17, "disc_pressure: {correction_factor: 1.5, source: x}\nmuscle_defaults:\n");
  EXPECT_DOUBLE_EQ(parse_model(text, "mini.yaml").disc_pressure_factor, 1.5);
  EXPECT_EQ(test::mini_model().disc_pressure_factor, 0.0);
  const std::string at = "muscle_defaults:\n";
  expect_error(at, "disc_pressure: {correction_factor: .nan, source: x}\n" + at, "disc_pressure.correction_factor: must be finite", 4);
  expect_error(at, "disc_pressure: {correction_factor: 0, source: x}\n" + at, "disc_pressure.correction_factor: must be positive", 4);
  expect_error(at, "disc_pressure: {correction_factor: 15, source: x}\n" + at, "disc_pressure.correction_factor: above 5", 4);
  expect_error(at, "disc_pressure: {correction_factor: 1.5}\n" + at, "disc_pressure.source: missing required field", 4);
  // The relation has no unloaded term (docs/sources/disc_pressure.md): an offset a user adds is refused
  // with its name, not silently ignored.
  expect_error(at, "disc_pressure: {correction_factor: 1.5, unloaded_pressure_MPa: 0.1, source: x}\n" + at,
               "unknown key 'unloaded_pressure_MPa'", 4);
}

TEST(Loader, MissingFileNamesIt) {
  try {
    load_model("no/such/model.yaml");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/model.yaml"), std::string::npos);
  }
}

}  // namespace
}  // namespace paraspine
