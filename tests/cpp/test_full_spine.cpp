// The default model is anatomy, not a drawing: structure, mirror symmetry, fibre lengths over the
// range of motion, moment-arm signs by anatomical action, and published comparisons (each with its
// source and tolerance, never tuned: a failure here is a finding about the model).
#include <gtest/gtest.h>

#include <random>

#include <array>
#include <cmath>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/io/fields.h"
#include "fixtures.h"
#include "sim/loadsharing/reactions.h"
#include "sim/model/summary.h"
#include "sim/muscles/hill.h"
#include "sim/muscles/strength.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

std::string path(const char* name) { return test::source_dir() + "/models/" + name; }

TEST(FullSpine, SegmentsAndJointsFromPelvisToHead) {
  const Model& m = test::full_spine();
  const std::vector<std::string> joints = {
      "L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2", "T12-L1", "T11-T12", "T10-T11", "T9-T10",
      "T8-T9", "T7-T8", "T6-T7", "T5-T6", "T4-T5", "T3-T4", "T2-T3", "T1-T2", "C7-T1", "C6-C7",
      "C5-C6", "C4-C5", "C3-C4", "C2-C3", "C1-C2", "C0-C1"};
  EXPECT_EQ(m.njoint, static_cast<int>(joints.size()));
  for (const auto& j : joints) EXPECT_GE(m.joint_index(j), 0) << j;
  EXPECT_EQ(m.segment_name[0], "pelvis");
  for (const char* s : {"L5", "L1", "T12", "T1", "C7", "C1", "head"}) EXPECT_GE(m.segment_index(s), 0) << s;
  for (const char* r : {"lumbar", "thoracic", "cervical", "head"}) EXPECT_GE(m.region_index(r), 0) << r;
  EXPECT_EQ(m.arms.size(), 2u);
}

TEST(FullSpine, LumbarDiscsCarryTheirCrossSection) {
  // L1-L2 … L5-S1 carry a sourced disc area (models/tools/disc_sources.py); it grows caudally with
  // Panjabi 1992's endplate widths; thoracic and cervical joints carry none (no data reached).
  const Model& m = test::full_spine();
  double previous = 0;
  for (const char* name : {"L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"}) {
    const int j = m.joint_index(name);
    ASSERT_GE(j, 0) << name;
    const double a = 1e4 * m.disc_area(j);
    EXPECT_GT(a, 12) << name;  // cm², within the 12–25 cm² of adult lumbar discs
    EXPECT_LT(a, 25) << name;
    EXPECT_GE(a, previous) << name;
    EXPECT_FALSE(m.joint_disc_source[j].empty()) << name;
    previous = a;
  }
  for (const char* name : {"T12-L1", "T6-T7", "C4-C5"}) EXPECT_EQ(m.disc_area(m.joint_index(name)), 0.0) << name;
}

TEST(FullSpine, DiscPressureOutputIsTheCorrectionFactorTimesCompressionOverArea) {
  // /joints/disc_pressure = k · compression / A (Pa) where the model gives a disc, NaN elsewhere.
  const Model& m = test::full_spine();
  ASSERT_DOUBLE_EQ(m.disc_pressure_factor, 1.5);
  Data d(m);
  for (int j = 0; j < m.njoint; ++j) d.disc_force(0, j) = 100.0 * (j + 1);
  const OutputField* field = nullptr;
  for (const auto& f : kOutputFields)
    if (std::string(f.path) == "/joints/disc_pressure") field = &f;
  ASSERT_NE(field, nullptr);
  EXPECT_STREQ(field->unit, "Pa");
  std::vector<double> p(field_width(m, field->shape));
  field->get(m, d, p.data());
  const int l45 = m.joint_index("L4-L5"), t67 = m.joint_index("T6-T7");
  EXPECT_NEAR(p[l45], 1.5 * 100.0 * (l45 + 1) / m.disc_area(l45), 1e-9);
  EXPECT_NEAR(p[l45], 1.5 * 100.0 * (l45 + 1) / 20.03e-4, 1e-3 * p[l45]);  // the model file's 20.03 cm²
  EXPECT_TRUE(std::isnan(p[t67]));
}

TEST(FullSpine, EveryParaspinalSubdivisionAndTheMusclesTheyWorkWith) {
  const Model& m = test::full_spine();
  std::set<std::pair<std::string, std::string>> subs;
  std::set<std::string> groups;
  int paraspinal = 0;
  for (int i = 0; i < m.nmuscle; ++i) {
    subs.insert({m.muscle_group[i], m.muscle_subdivision[i]});
    groups.insert(m.muscle_group[i]);
    const auto& g = m.muscle_group[i];
    paraspinal += g == "iliocostalis" || g == "longissimus" || g == "spinalis";
  }
  EXPECT_GE(paraspinal, 100);
  for (auto [g, s] : std::vector<std::pair<const char*, const char*>>{
           {"iliocostalis", "lumborum_pars_lumborum"}, {"iliocostalis", "lumborum_pars_thoracis"},
           {"iliocostalis", "thoracis"}, {"iliocostalis", "cervicis"},
           {"longissimus", "thoracis_pars_lumborum"}, {"longissimus", "thoracis_pars_thoracis"},
           {"longissimus", "cervicis"}, {"longissimus", "capitis"}, {"spinalis", "thoracis"},
           {"spinalis", "cervicis"}, {"spinalis", "capitis"}, {"multifidus", "lumbar"},
           {"multifidus", "thoracic"}, {"multifidus", "cervical"}})
    EXPECT_TRUE(subs.count({g, s})) << g << " " << s;
  for (const char* g : {"quadratus_lumborum", "psoas_major", "rectus_abdominis", "external_oblique",
                        "internal_oblique", "latissimus_dorsi", "semispinalis", "splenius",
                        "sternocleidomastoid", "longus_colli", "scalenes"})
    EXPECT_TRUE(groups.count(g)) << g;
  // The short and deep muscles of models/tools/deep_muscles.py (docs/model.md "Muscles").
  for (auto [g, s] : std::vector<std::pair<const char*, const char*>>{
           {"semispinalis", "thoracis"}, {"rotatores", "thoracis_brevis"}, {"rotatores", "thoracis_longus"},
           {"levatores_costarum", "brevis"}, {"levatores_costarum", "longus"}, {"interspinales", "cervicis"},
           {"intertransversarii", "cervicis_anterior"}, {"intertransversarii", "cervicis_posterior"},
           {"rectus_capitis", "anterior"}, {"rectus_capitis", "lateralis"},
           {"intercostales", "externi"}, {"intercostales", "interni"}})
    EXPECT_TRUE(subs.count({g, s})) << g << " " << s;
}

// The intercostals (models/tools/intercostals.py): three fascicles per layer in each of the eleven
// rib spaces, each between rib n on T n and rib n+1 on T n+1, so each crosses exactly that one
// joint; no passive fibre force over the whole fibre window, because the thoracic joints' passive
// laws already hold the rib cage's stiffness (the rib-cage correction, docs/model.md §2).
TEST(FullSpine, IntercostalsSpanOneRibSpaceAndCarryNoPassiveForce) {
  const Model& m = test::full_spine();
  std::map<std::string, int> per_layer;
  for (int i = 0; i < m.nmuscle; ++i) {
    if (m.muscle_group[i] != "intercostales") continue;
    const auto& name = m.muscle_name[i];
    ++per_layer[m.muscle_subdivision[i]];
    const int a = m.muscle_point_begin[i], b = m.muscle_point_begin[i + 1] - 1;
    ASSERT_EQ(b - a, 1) << name << ": a straight line between two ribs";
    const std::string lo = m.segment_name[m.point_segment[a]], hi = m.segment_name[m.point_segment[b]];
    ASSERT_EQ(lo[0], 'T') << name;
    ASSERT_EQ(hi[0], 'T') << name;
    EXPECT_EQ(std::stoi(hi.substr(1)), std::stoi(lo.substr(1)) + 1) << name << " " << lo << " → " << hi;
    EXPECT_EQ(std::stoi(name.substr(5)), std::stoi(lo.substr(1))) << name << " on " << lo;  // IC?_R<n>R<n+1>_…: rib n on T n
    EXPECT_LT(passive_force_length(1.5, nullptr, m.muscle_passive_strain[i]), 1e-7) << name;
    EXPECT_GT(m.muscle_pcsa[i], 0.1e-4) << name;
  }
  EXPECT_EQ(per_layer["externi"], 2 * 33);
  EXPECT_EQ(per_layer["interni"], 2 * 33);
}

// Left and right are mirror images (z → −z) to 1e-9; midline structures have no lateral offset.
void check_mirror(const Model& m) {
  int pairs = 0;
  for (int i = 0; i < m.nmuscle; ++i) {
    const std::string& n = m.muscle_name[i];
    if (m.muscle_side[i] != Side::kRight) continue;
    ASSERT_EQ(n.substr(n.size() - 2), "_r") << n;
    const int k = m.muscle_index(n.substr(0, n.size() - 2) + "_l");
    ASSERT_GE(k, 0) << n << " has no left twin";
    ++pairs;
    const int np = m.muscle_point_begin[i + 1] - m.muscle_point_begin[i];
    ASSERT_EQ(np, m.muscle_point_begin[k + 1] - m.muscle_point_begin[k]) << n;
    for (int p = 0; p < np; ++p) {
      const int a = m.muscle_point_begin[i] + p, b = m.muscle_point_begin[k] + p;
      EXPECT_EQ(m.point_segment[a], m.point_segment[b]);
      EXPECT_LT((m.point_pos.col(a) - Vec3(m.point_pos(0, b), m.point_pos(1, b), -m.point_pos(2, b))).norm(), 1e-9) << n;
    }
    EXPECT_NEAR(m.muscle_fmax[i], m.muscle_fmax[k], 1e-9);
    EXPECT_NEAR(m.muscle_lopt[i], m.muscle_lopt[k], 1e-12);
    EXPECT_NEAR(m.muscle_lts[i], m.muscle_lts[k], 1e-12);
  }
  EXPECT_GT(pairs, 0);
  for (int s = 0; s < m.nsegment; ++s) {
    EXPECT_LT(std::abs(m.segment_com(2, s)), 1e-9) << m.segment_name[s];
    EXPECT_LT(std::abs(m.segment_inertia[s](0, 2)) + std::abs(m.segment_inertia[s](1, 2)), 1e-9) << m.segment_name[s];
  }
  for (int j = 0; j < m.njoint; ++j) {
    EXPECT_LT(std::abs(m.joint_pos_in_parent(2, j)), 1e-9) << m.joint_name[j];
    EXPECT_LT(std::abs(m.joint_pos_in_child(2, j)), 1e-9) << m.joint_name[j];
  }
}

TEST(FullSpine, LeftAndRightAreMirrorImages) { check_mirror(test::full_spine()); }
TEST(ParaspinalOnly, LeftAndRightAreMirrorImages) { check_mirror(load_model(path("paraspinal_only.yaml"))); }

TEST(ParaspinalOnly, SameSkeletonOnlyTheThreeColumns) {
  const Model p = load_model(path("paraspinal_only.yaml"));
  const Model& m = test::full_spine();
  EXPECT_EQ(p.segment_name, m.segment_name);
  EXPECT_EQ(p.joint_name, m.joint_name);
  for (const auto& g : p.muscle_group) EXPECT_TRUE(g == "iliocostalis" || g == "longissimus" || g == "spinalis") << g;
  int n = 0;
  for (const auto& g : m.muscle_group) n += g == "iliocostalis" || g == "longissimus" || g == "spinalis";
  EXPECT_EQ(p.nmuscle, n);
}

// The documented range of motion: neutral, and each region bent to its range limit in each
// direction of each axis (every level of the region at its own limit together).
std::vector<Eigen::VectorXd> range_postures(const Model& m) {
  std::vector<Eigen::VectorXd> out{Eigen::VectorXd::Zero(m.ndof)};
  for (int r = 0; r < m.nregion; ++r)
    for (int a = 0; a < 3; ++a)
      for (int side : {0, 1}) {
        Eigen::VectorXd q = Eigen::VectorXd::Zero(m.ndof);
        for (int j = 0; j < m.njoint; ++j)
          if (m.rhythm(m.dof(j, a), 3 * r + a) > 0) q[m.dof(j, a)] = m.dof_range(m.dof(j, a), side);
        out.push_back(q);
      }
  return out;
}

TEST(FullSpine, FibreLengthsStayWithinHalfToOneAndAHalfOptimalOverTheRange) {
  const Model& m = test::full_spine();
  Data d(m);
  double lo = 1e9, hi = 0;
  for (const auto& q : range_postures(m)) {
    d.q = q;
    evaluate_frame(m, d);
    for (int i = 0; i < m.nmuscle; ++i) {
      const double l = d.fiber_length_norm[i];
      lo = std::min(lo, l);
      hi = std::max(hi, l);
      EXPECT_GE(l, 0.5) << m.muscle_name[i];
      EXPECT_LE(l, 1.5) << m.muscle_name[i];
    }
  }
  std::printf("[ info ] normalised fibre length over the range of motion: %.3f … %.3f\n", lo, hi);
}

// Combined postures (session 16, after an audit): every region bent on all three axes at once, each
// axis to a random fraction of its range limit. The test above takes one region and one axis at a
// time, the postures the fibre-length rule was fitted to (docs/model.md §7), so it cannot see what
// combinations do. At half of every range together (3000 random postures) the lumbar and thoracic
// extensors and the neck stay inside 0.5–1.5; the abdominal obliques do not (the external oblique's
// slips to the linea-alba points, E0_R6/R7, and the internal oblique IO4/IO5, straight lines across the
// abdomen with no wrapping: 0.36–1.66). At the full ranges together (a corner no one reaches) 158 of
// 678 fascicles leave it. Known failure: asserts that only obliques leave at half range, and that
// they still do; fails once they stay inside (then make it a plain check).
TEST(FullSpine, KnownFailure_ObliquesLeaveTheFibreWindowInCombinedPostures) {
  const Model& m = test::full_spine();
  Data d(m);
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(-1, 1);
  std::set<std::string> outside;
  double lo = 1e9, hi = 0;
  for (int s = 0; s < 3000; ++s) {
    Eigen::VectorXd q = Eigen::VectorXd::Zero(m.ndof);
    for (int r = 0; r < m.nregion; ++r)
      for (int a = 0; a < 3; ++a) {
        const double x = 0.5 * u(rng);
        for (int j = 0; j < m.njoint; ++j)
          if (m.rhythm(m.dof(j, a), 3 * r + a) > 0) q[m.dof(j, a)] = std::abs(x) * m.dof_range(m.dof(j, a), x < 0 ? 0 : 1);
      }
    d.q = q;
    evaluate_frame(m, d);
    for (int i = 0; i < m.nmuscle; ++i) {
      const double l = d.fiber_length_norm[i];
      if (l >= 0.5 && l <= 1.5) continue;
      outside.insert(m.muscle_name[i]);
      lo = std::min(lo, l);
      hi = std::max(hi, l);
    }
  }
  std::string names;
  for (const auto& n : outside) names += n + " ";
  std::printf("[ info ] combined postures at half range: %zu fascicles leave 0.5–1.5 (%.3f … %.3f): %s\n", outside.size(), lo, hi,
              names.c_str());
  for (const auto& n : outside) EXPECT_TRUE(n.rfind("E0_", 0) == 0 || n.rfind("IO", 0) == 0) << n << " left the window";
  EXPECT_FALSE(outside.empty()) << "the obliques now stay inside in combined postures: make this a plain check";
}

// Neutral curvature against published standing values (issue 3: "neutral curvature (lordosis,
// kyphosis) from published standing values"). Measured between the disc mid-planes the engine splits
// each joint's force in (disc_frame, reactions.h); a Cobb angle is measured between endplates, so the
// mid-plane angle differs from it by half the end discs' wedge angles (not in the model) [D]. Angles in
// the sagittal plane, degrees: the tilt of a disc plane's normal from the vertical, + forward.
double disc_tilt_deg(const Model& m, const Data& d, const char* joint) {
  const Vec3 n = disc_frame(m, d, m.joint_index(joint)).col(1);
  return std::atan2(n.x(), n.y()) * 180 / M_PI;
}

// Lumbar T12–S1 lordosis 49.8 ± 11.2° standing, 627 asymptomatic volunteers (Lumbar sagittal
// alignment and ROM, Asian Spine J 2019, PMC6680033, abstract [V]); thoracic T4–T12 kyphosis
// 41 ± 12°, 316 normal subjects (Fon, Pitt & Thies 1980, as quoted by neurosurgerywiki.com
// "Thoracic kyphosis" [S]); cervical C2–C7 Cobb 12.71° (95 % CI of the mean 6.59–18.84), 21 studies,
// 15 364 asymptomatic people (Guo et al. 2018, J Orthop Surg Res 13:147, PMC6003173, abstract [V]).
// Tolerance ±1 SD, and the mean's interval for the neck. The lumbar and thoracic planes are MF-TL's
// joint frames (41°, 46°); the neck's are the chord planes of `disc: {plane: chord}` (its joint frames
// are level with the torso: 0° before session 16, with a 30° step inside T1).
TEST(FullSpine, NeutralCurvatureIsThatOfStandingAdults) {
  const Model& m = test::full_spine();
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  const double lordosis = disc_tilt_deg(m, d, "L5-S1") - disc_tilt_deg(m, d, "T12-L1");
  const double kyphosis = disc_tilt_deg(m, d, "T3-T4") - disc_tilt_deg(m, d, "T12-L1");
  const double cervical = disc_tilt_deg(m, d, "C7-T1") - disc_tilt_deg(m, d, "C2-C3");
  const double step_t1 = disc_tilt_deg(m, d, "T1-T2") - disc_tilt_deg(m, d, "C7-T1");
  std::printf("[ info ] neutral disc mid-planes: lordosis T12-L1…L5-S1 %.1f° (49.8 ± 11.2), kyphosis T3-T4…T12-L1 %.1f° "
              "(41 ± 12), lordosis C2-C3…C7-T1 %.1f° (12.71, 6.59–18.84); T1-T2 to C7-T1 %.1f°\n",
              lordosis, kyphosis, cervical, step_t1);
  EXPECT_NEAR(lordosis, 49.8, 11.2);
  EXPECT_NEAR(kyphosis, 41.0, 12.0);
  EXPECT_GE(cervical, 6.59);
  EXPECT_LE(cervical, 18.84);
}

// `disc: {plane: chord}` is what it says: the disc normal is the chord between the neighbouring joint
// centres at neutral, and it only turns the split of the force, not the force.
TEST(FullSpine, ChordDiscPlanesSplitTheSameForceAlongTheChord) {
  const Model& m = test::full_spine();
  Data d(m);
  test::solve_static(m, neutral_posture(m), 0, d);
  int checked = 0;
  for (const char* name : {"C7-T1", "C6-C7", "C5-C6", "C4-C5", "C3-C4", "C2-C3"}) {
    const int j = m.joint_index(name);
    ASSERT_NE(m.joint_disc_tilt[j], 0.0) << name;
    int below = -1, above = -1;
    for (int k = 0; k < m.njoint; ++k) {
      if (m.joint_child(k) == m.joint_parent(j)) below = k;
      if (m.joint_parent(k) == m.joint_child(j)) above = k;
    }
    const Vec3 chord = (d.joint_center.col(above) - d.joint_center.col(below)).normalized();
    const Mat3 disc = disc_frame(m, d, j);
    EXPECT_NEAR(disc.col(1).dot(chord), 1.0, 1e-12) << name;
    EXPECT_NEAR((disc.transpose() * disc - Mat3::Identity()).norm(), 0.0, 1e-12) << name;
    const Vec3 f = d.contact_force.col(j);
    EXPECT_NEAR(d.disc_force(0, j), f.dot(chord), 1e-9) << name;
    EXPECT_NEAR(d.disc_force.col(j).norm(), f.norm(), 1e-9) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 6);
  for (int j = 0; j < m.njoint; ++j) {  // every other joint: the joint frame, as before
    if (m.joint_name[j][0] != 'C' || m.joint_name[j] == "C0-C1" || m.joint_name[j] == "C1-C2") {
      EXPECT_EQ(m.joint_disc_tilt[j], 0.0) << m.joint_name[j];
    }
  }
}

TEST(FullSpine, TendonsAndFibresHavePlausibleLengths) {
  // No zero tendon (the source had several); tendons shorter than the whole musculotendon path in
  // neutral standing; fibres at least 5 mm. (Optimal fibre length may exceed the neutral path: the
  // paraspinals sit on the ascending limb in standing, e.g. multifidus at 2.27/2.8 of optimal
  // sarcomere length, Ward et al. 2009; the 0.5–1.5 window over the range is tested above.)
  const Model& m = test::full_spine();
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  for (int i = 0; i < m.nmuscle; ++i) {
    const double L = d.muscle_length[i];
    EXPECT_GE(m.muscle_lts[i], 1e-3) << m.muscle_name[i] << ": zero tendon";
    EXPECT_LE(m.muscle_lts[i], 0.95 * L) << m.muscle_name[i];
    EXPECT_GE(m.muscle_lopt[i], 5e-3) << m.muscle_name[i];
  }
}

// Moment arms at neutral, summed over the joints of a region the muscle crosses.
double region_arm(const Model& m, const Data& d, int muscle, int axis, const std::set<std::string>& joints) {
  double s = 0;
  for (int j = 0; j < m.njoint; ++j)
    if (joints.count(m.joint_name[j])) s += d.moment_arm(m.dof(j, axis), muscle);
  return s;
}

// Prevertebral flexors (longus capitis, longus colli) lie on the anterior aspect of the column and flex
// every level they cross (Gray's 1918 p. 394-395; docs/sources/neck_flexor_paths.md). Returns every
// "fascicle at joint" with an extension moment arm in neutral or a range posture (value: the most negative
// arm, m), except the three crossings where the source's tubercle of origin lies behind and above the
// joint centre just above it: there no via point can change the sign (neck_flexor_paths.md §2).
std::map<std::string, double> prevertebral_extension_crossings(const Model& m) {
  const std::set<std::pair<std::string, std::string>> attachment_behind = {
      {"long_cap_sklc4", "C3-C4"}, {"long_cap_c5", "C4-C5"}, {"long_col_c1c5", "C4-C5"}};
  std::map<std::string, double> bad;
  Data d(m);
  for (const auto& q : range_postures(m)) {
    d.q = q;
    evaluate_frame(m, d);
    for (int i = 0; i < m.nmuscle; ++i) {
      const auto& g = m.muscle_group[i];
      if (g != "longus_capitis" && g != "longus_colli") continue;
      const std::string base = m.muscle_name[i].substr(0, m.muscle_name[i].size() - 2);  // without _r / _l
      for (int j = 0; j < m.njoint; ++j) {
        if (attachment_behind.count({base, m.joint_name[j]})) continue;
        const double r = d.moment_arm(m.dof(j, kFlexion), i);
        if (r >= 0) continue;
        const std::string key = m.muscle_name[i] + " at " + m.joint_name[j];
        bad[key] = bad.count(key) ? std::min(bad[key], r) : r;
      }
    }
  }
  return bad;
}

// Mortensen's tubercle-to-tubercle lines, and the longus capitis slips built on them, passed behind the
// mid-neck joint centres between two via points (long_cap_c5 C3-C4, long_cap_c6 C3-C4…C5-C6, long_col_c5thx
// C5-C6/C6-C7; down to -3.8 mm). The parts described on the bodies (longus capitis, "ascends upon the anterior
// aspect of the vertebral column"; the inferior oblique, from "the front of the bodies") have their via points
// on the front of the bodies; the superior oblique (tubercles "obliquely with a medial inclination" to the
// atlas) keeps the source's path (Gray's 1918 p. 394-395; docs/sources/neck_flexor_paths.md §6). The three
// attachment-level crossings stay excluded: there the source's tubercle of origin lies behind and above the
// joint centre just above it, and no via point can change the sign (§2).
TEST(FullSpine, PrevertebralFlexorsFlexEveryCrossedLevel) {
  const auto bad = prevertebral_extension_crossings(test::full_spine());
  for (const auto& [k, r] : bad) ADD_FAILURE() << k << ": extension moment arm down to " << 1e3 * r << " mm";
  EXPECT_TRUE(bad.empty());
  // The excluded crossings are not worse than measured in session 18 (long_cap_sklc4 C3-C4 -4.97 mm in
  // neutral, -5.18 mm over the range; long_cap_c5 C4-C5 -2.47, long_col_c1c5 C4-C5 -2.40; §6.4).
  const Model& m = test::full_spine();
  Data d(m);
  for (const auto& q : range_postures(m)) {
    d.q = q;
    evaluate_frame(m, d);
    for (int i = 0; i < m.nmuscle; ++i)
      for (const char* j : {"C3-C4", "C4-C5"}) {
        const auto& n = m.muscle_name[i];
        if (n.rfind("long_cap_", 0) != 0 && n.rfind("long_col_", 0) != 0) continue;
        EXPECT_GT(d.moment_arm(m.dof(m.joint_index(j), kFlexion), i), -5.3e-3) << n << " at " << j;
      }
  }
}

TEST(FullSpine, MomentArmSignsMatchAnatomicalAction) {
  const Model& m = test::full_spine();
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  const std::set<std::string> extensors = {"iliocostalis", "longissimus", "spinalis", "multifidus",
                                           "semispinalis", "splenius", "rotatores", "interspinales"};
  std::set<std::string> trunk, neck;
  for (const auto& j : m.joint_name) (j[0] == 'C' ? neck : trunk).insert(j);
  for (int i = 0; i < m.nmuscle; ++i) {
    const auto& g = m.muscle_group[i];
    const bool right = m.muscle_side[i] == Side::kRight;
    // Extensors extend at every joint they cross (moment arm about flexion negative).
    if (extensors.count(g))
      for (int j = 0; j < m.njoint; ++j) {
        const double r = d.moment_arm(m.dof(j, kFlexion), i);
        if (r != 0) {
          EXPECT_LT(r, 0) << m.muscle_name[i] << " flexes " << m.joint_name[j];
        }
      }
    if (g == "rectus_abdominis") {
      EXPECT_GT(region_arm(m, d, i, kFlexion, trunk), 0) << m.muscle_name[i];
    }
    if (g == "longus_colli" || g == "longus_capitis" || (g == "rectus_capitis" && m.muscle_subdivision[i] == "anterior")) {
      EXPECT_GT(region_arm(m, d, i, kFlexion, neck), 0) << m.muscle_name[i];
    }
    // The suprahyoid–infrahyoid chains (mandible → hyoid on C3 → sternum) flex the head on the atlas,
    // the atlas on the axis and the neck as a whole (Mortensen et al. 2018; docs/sources/hyoid.md).
    if (g == "hyoid") {
      for (const char* j : {"C0-C1", "C1-C2"})
        EXPECT_GT(d.moment_arm(m.dof(m.joint_index(j), kFlexion), i), 0) << m.muscle_name[i] << " at " << j;
      EXPECT_GT(region_arm(m, d, i, kFlexion, neck), 0) << m.muscle_name[i];
    }
    // Levatores costarum (rib below rigid on its vertebra) extend the trunk and bend it to their side
    // (Gray's: "extend and laterally flex the vertebral column" is the usual description; rotation
    // is described both ways and is not asserted).
    if (g == "levatores_costarum") {
      EXPECT_LT(region_arm(m, d, i, kFlexion, trunk), 0) << m.muscle_name[i];
      const double r = region_arm(m, d, i, kLateralBending, trunk);
      EXPECT_GT(right ? r : -r, 0) << m.muscle_name[i] << " bends to the other side";
    }
    if (g == "intertransversarii" || g == "rectus_capitis") {
      const double r = region_arm(m, d, i, kLateralBending, neck);
      EXPECT_GT(right ? r : -r, 0) << m.muscle_name[i] << " bends to the other side";
    }
    // Lateral columns bend to their own side.
    if (g == "iliocostalis" || g == "quadratus_lumborum" || g == "scalenes" || g == "splenius" ||
        g == "levator_scapulae") {
      const double r = region_arm(m, d, i, kLateralBending, g == "scalenes" || g == "splenius" || g == "levator_scapulae" || m.muscle_subdivision[i] == "cervicis" ? neck : trunk);
      EXPECT_GT(right ? r : -r, 0) << m.muscle_name[i] << " bends to the other side";
    }
    auto expect_turn = [&](int sign, const std::set<std::string>& js) {
      const double r = region_arm(m, d, i, kAxialRotation, js);
      EXPECT_GT((right ? 1 : -1) * sign * r, 0) << m.muscle_name[i] << " turns the wrong way";
    };
    if (g == "sternocleidomastoid") expect_turn(-1, neck);
    // Transversospinales (transverse process below → lamina or spinous process above) turn the trunk
    // to the opposite side (Gray's; ditki "rotate the vertebral column to the opposite side").
    if (g == "rotatores" || (g == "semispinalis" && m.muscle_subdivision[i] == "thoracis")) expect_turn(-1, trunk);
    if (g == "splenius" && m.muscle_subdivision[i] == "capitis") expect_turn(+1, neck);
  }
  // The intercostals: per rib space, side and layer (PCSA-weighted over its three fascicles, as the
  // abdominal wall below), the external intercostals turn the thorax to the opposite side and the
  // internal ones to their own side — the fibres of the external layer run down and forward like the
  // external oblique, the internal layer's down and back like the internal oblique (Gray's Anatomy
  // 1918; in vivo: "holding a rotation induces steady tonic activity in either internal or external
  // intercostal muscles, depending on the direction of the rotation", Rimmer, Ford & Whitelaw 1995,
  // J Appl Physiol 79:1556, abstract; the two layers antagonists in trunk rotation, Decramer, Kelly &
  // De Troyer 1986, J Appl Physiol 60:1686, abstract; docs/sources/intercostals.md). Both layers of
  // one side bend the thorax to that side (they approximate the ribs of their side).
  {
    std::map<std::tuple<std::string, int, Side>, std::array<double, 2>> space;  // (layer, rib, side) → bend, turn
    for (int i = 0; i < m.nmuscle; ++i) {
      if (m.muscle_group[i] != "intercostales") continue;
      const int rib = std::stoi(m.muscle_name[i].substr(5));
      auto& v = space[{m.muscle_subdivision[i], rib, m.muscle_side[i]}];
      v[0] += m.muscle_pcsa[i] * region_arm(m, d, i, kLateralBending, trunk);
      v[1] += m.muscle_pcsa[i] * region_arm(m, d, i, kAxialRotation, trunk);
    }
    EXPECT_EQ(space.size(), 2u * 11u * 2u);
    for (const auto& [key, v] : space) {
      const auto& [layer, rib, side] = key;
      const double s = side == Side::kRight ? 1 : -1;
      EXPECT_GT(s * v[0], 0) << layer << " R" << rib << " bends to the other side";
      // The last space (rib 11 → the floating rib 12) lies behind the thoracolumbar axis: MF-TL's rib 12
      // runs out laterally and ends behind its head (external-oblique slip E0_R12), so the external
      // fibres there run down and out ("downward and lateralward on the back of the thorax", Gray's
      // 1918 p. 403) and turn the thorax a little to their own side. There only the antagonism is
      // asserted (below), not the direction (docs/sources/intercostals.md §3).
      if (layer == "externi" && rib == 11) continue;
      EXPECT_GT((layer == "externi" ? -1 : 1) * s * v[1], 0) << layer << " R" << rib << " turns the wrong way";
    }
    // In every space and side the two layers are antagonists in rotation (Decramer et al. 1986): per unit
    // PCSA the internal layer turns the thorax further to its own side than the external layer does.
    for (int rib = 1; rib <= 11; ++rib)
      for (Side side : {Side::kRight, Side::kLeft}) {
        const double s = side == Side::kRight ? 1 : -1;
        double pcsa_e = 0, pcsa_i = 0;
        for (int i = 0; i < m.nmuscle; ++i)
          if (m.muscle_group[i] == "intercostales" && m.muscle_side[i] == side && std::stoi(m.muscle_name[i].substr(5)) == rib)
            (m.muscle_subdivision[i] == "externi" ? pcsa_e : pcsa_i) += m.muscle_pcsa[i];
        const double turn_e = space[{"externi", rib, side}][1] / pcsa_e, turn_i = space[{"interni", rib, side}][1] / pcsa_i;
        EXPECT_GT(s * (turn_i - turn_e), 0.02) << "R" << rib << ": the layers are not antagonists in rotation";
      }
  }
  // The abdominal wall acts as a whole (single slips of its sheets need not: the posterior slips of
  // the external oblique on ribs 11–12 lie behind the lumbar joints and mainly bend the trunk
  // sideways, and the near-vertical slip IO5 barely turns it). PCSA-weighted, per group and side:
  // both obliques flex and bend to their own side; the external oblique turns the trunk to the
  // opposite side, the internal oblique to its own side.
  for (const char* group : {"external_oblique", "internal_oblique"})
    for (Side side : {Side::kRight, Side::kLeft}) {
      double flex = 0, bend = 0, turn = 0;
      for (int i = 0; i < m.nmuscle; ++i) {
        if (m.muscle_group[i] != group || m.muscle_side[i] != side) continue;
        flex += m.muscle_pcsa[i] * region_arm(m, d, i, kFlexion, trunk);
        bend += m.muscle_pcsa[i] * region_arm(m, d, i, kLateralBending, trunk);
        turn += m.muscle_pcsa[i] * region_arm(m, d, i, kAxialRotation, trunk);
      }
      const double s = side == Side::kRight ? 1 : -1;
      EXPECT_GT(flex, 0) << group;
      EXPECT_GT(s * bend, 0) << group;
      EXPECT_GT((std::string(group) == "external_oblique" ? -1 : 1) * s * turn, 0) << group << " turns the wrong way";
    }
}

// ---- Published comparisons. Each tolerance is stated with its source; none is tuned.

// Fascicles whose muscle bellies lie at the lower lumbar levels (the lumbar fascicles of the erector
// spinae; the thoracic fascicles pass there as the tendinous erector aponeurosis, Bogduk 1980) and
// the lumbar multifidus.
bool lumbar_belly(const Model& m, int i) {
  const auto& s = m.muscle_subdivision[i];
  return s == "lumborum_pars_lumborum" || s == "thoracis_pars_lumborum" ||
         (m.muscle_group[i] == "multifidus" && s == "lumbar");
}

TEST(FullSpinePublished, ErectorMomentArmAtL4L5) {
  // McGill, Patt & Norman 1988 J Biomech 21:329: erector mass (sacrospinalis + multifidus) 5.90 ±
  // 0.52 cm at L4/L5, CT supine, 13 men; upright +3 % in men (Jorgensen et al. 2003, at L3) → 6.08 cm.
  // Model: PCSA-weighted extension moment arm of the right fascicles with bellies at that level that
  // cross L4-L5, at neutral standing. Tolerance ±2 SD (±1.04 cm).
  const Model& m = test::full_spine();
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  for (const char* joint : {"L4-L5", "L5-S1"}) {
    const int dof = m.dof(m.joint_index(joint), kFlexion);
    double num = 0, den = 0;
    for (int i = 0; i < m.nmuscle; ++i)
      if (m.muscle_side[i] == Side::kRight && lumbar_belly(m, i) && d.moment_arm(dof, i) != 0) {
        num += -d.moment_arm(dof, i) * m.muscle_pcsa[i];
        den += m.muscle_pcsa[i];
      }
    std::printf("[ info ] erector + multifidus extension moment arm at %s: %.2f cm\n", joint, 100 * num / den);
    if (std::string(joint) == "L4-L5") {
      EXPECT_NEAR(100 * num / den, 6.08, 1.04);
    }
    // L5-S1: no verified published value (Jorgensen et al. 2001, McGill et al. 1993, Kumar 1988,
    // Tveit et al. 1994 and Németh & Ohlsén 1986 searched again in session 4: abstracts without the
    // values; docs/sources/spine_literature.md §1, docs/model.md "Sources looked up"); reported, not
    // tested. Session 4 values: 6.00 cm at L4-L5, 5.49 cm at L5-S1 (5.42 and 4.28 cm before the ilium
    // attachments were registered to the sacrum as in Christophy 2012); session 5, with the per-fascicle
    // dissection PCSAs (docs/sources/lumbosacral_extensors.md): 6.18 and 5.63 cm.
  }
}

TEST(FullSpinePublished, IliacCrestAtTheL4L5Level) {
  // Where the ilium sits against the lumbar spine (docs/sources/christophy_registration.md §4): the
  // line across the highest points of the iliac crests (Tuffier's line) "most often intersected the
  // L4 body or inferior endplate" in men (200 standing radiographs; Spine 2008, doi
  // 10.1097/BRS.0b013e318166f58c) and lay at L4-L5, range L3-L4 … L5-S1, on 690 lumbar films
  // (Anesthesiology 2003;99:1359). Model: the highest iliac-crest attachment of quadratus lumborum
  // and iliocostalis (on the posterior crest, so at or below the crest's highest point) must lie above
  // the L5-S1 joint centre and below the L3-L4 centre, in neutral standing. With MF-TL's sacral weld
  // it lay 0.9 cm below L5-S1 (every ilium attachment 49 mm too low against the spine).
  const Model& m = test::full_spine();
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  const int pelvis = m.segment_index("pelvis");
  double top = -1e9;
  std::string which;
  for (int i = 0; i < m.nmuscle; ++i) {
    if (m.muscle_side[i] != Side::kRight) continue;
    if (m.muscle_group[i] != "quadratus_lumborum" && m.muscle_group[i] != "iliocostalis") continue;
    for (int k = m.muscle_point_begin[i]; k < m.muscle_point_begin[i + 1]; ++k)
      if (m.point_segment[k] == pelvis) {
        const Vec3 w = d.segment_rotation[pelvis] * m.point_pos.col(k) + d.segment_origin.col(pelvis);
        if (w.y() > top) top = w.y(), which = m.muscle_name[i];
      }
  }
  const double l5s1 = d.joint_center(1, m.joint_index("L5-S1")), l4l5 = d.joint_center(1, m.joint_index("L4-L5"));
  const double l3l4 = d.joint_center(1, m.joint_index("L3-L4"));
  std::printf("[ info ] highest iliac-crest attachment (%s): %+.1f cm from the L5-S1 centre (L4-L5 %+.1f, L3-L4 %+.1f)\n",
              which.c_str(), 100 * (top - l5s1), 100 * (l4l5 - l5s1), 100 * (l3l4 - l5s1));
  EXPECT_GT(top, l5s1);
  EXPECT_LT(top, l3l4);
}

// Summed PCSA (cm²) of the right lumbar-belly fascicles whose joint span includes `joint`, split into
// erector spinae and multifidus.
std::pair<double, double> extensor_pcsa_crossing(const Model& m, const char* joint) {
  const int j = m.joint_index(joint);
  double es = 0, mf = 0;
  for (int i = 0; i < m.nmuscle; ++i) {
    if (m.muscle_side[i] != Side::kRight || !lumbar_belly(m, i)) continue;
    const auto [lo, hi] = muscle_joint_span(m, i);
    if (lo > j || hi < j) continue;
    (m.muscle_group[i] == "multifidus" ? mf : es) += 1e4 * m.muscle_pcsa[i];
  }
  return {es, mf};
}

TEST(FullSpinePublished, ExtensorPcsaAtL4L5) {
  // McGill, Patt & Norman 1988: physiological CSA at L4/L5, one side: sacrospinalis 15.9 ± 2.5 cm²,
  // multifidus 4.2 ± 0.7 cm² (CT, 13 active men) — total extensors 20.1 cm², SD √(2.5² + 0.7²).
  // Model: summed PCSA of the right fascicles whose bellies cross the L4/L5 level. Tolerance ±2 SD on
  // the total (the issue's quantity; at L3/L4 see KnownFailure_ExtensorAreaAtL3L4BelowInVivoMri). The
  // split between erector spinae and multifidus is reported, not tested: on CT their boundary is
  // uncertain, and the dissection data put more of the lumbar mass in multifidus.
  const Model& m = test::full_spine();
  const auto [es, mf] = extensor_pcsa_crossing(m, "L4-L5");
  std::printf("[ info ] PCSA crossing L4/L5, right: erector spinae %.1f cm², multifidus %.1f cm², total %.1f cm² (McGill 1988: 15.9, 4.2, 20.1)\n", es, mf, es + mf);
  EXPECT_NEAR(es + mf, 20.1, 2 * std::sqrt(2.5 * 2.5 + 0.7 * 0.7));
}

TEST(FullSpinePublished, KnownFailure_ExtensorAreaAtL3L4BelowInVivoMri) {
  // Issue 3 asks for the total extensor PCSA at L3/L4 against published cross-sections
  // (docs/sources/extensor_area_l3l4.md; the reference and tolerance were fixed before the model's value
  // was computed). Niemeläinen, Briand & Battié 2011 Spine 36:2152 (abstract [V]): 126 men without low
  // back pain, T2 axial MRI at mid-disc, total area right side, multifidus 7.3–11.1 and erector spinae
  // 9.4–19.6 cm² over L3-L4 … L5-S1; the ES maximum and MF minimum belong to L3-L4 [D] → 26.9 cm².
  // Gungor et al. 2015 Int J Ind Ergon (abstract [V]): 30.00 cm² in men at L3/L4. No SD for men reached:
  // ±2 × 13 % (the CV of McGill 1988's L4/L5 total) [A] → ±7.0 cm²; Fortin et al.'s patients (as quoted
  // in BioMed Res Int 2017, Table 1 [R]) give 26.5 cm², SD 4.6–5.8, which would not change the verdict.
  // Model: summed PCSA of the right lumbar-belly fascicles crossing L3-L4, as ExtensorPcsaAtL4L5 (an MRI
  // area is ≥ the crossing PCSA by fat and fibre obliquity). The model's lumbar erector spinae are the
  // Bogduk-lineage dissection PCSAs (7.2 cm² cross L3-L4 against 19.6 on MRI); its multifidus matches
  // (7.6 against 7.3). Caveat: the pars thoracis fascicles (21.2 cm² cross L3-L4) are left out as tendon
  // (the erector aponeurosis, Bogduk); counting them too gives 36.0 cm², and which part of the lowest
  // is still fleshy at L3/L4 is not sourced (extensor_area_l3l4.md §3). Known failure: this test holds
  // that the total is still below the band, and fails
  // once it is inside; then make it EXPECT_NEAR(es + mf, 26.9, 7.0).
  constexpr double kReference = 26.9, kTolerance = 7.0;  // cm², one side, men
  const Model& m = test::full_spine();
  const auto [es, mf] = extensor_pcsa_crossing(m, "L3-L4");
  const auto [es45, mf45] = extensor_pcsa_crossing(m, "L4-L5");
  const auto [es51, mf51] = extensor_pcsa_crossing(m, "L5-S1");
  std::printf("[ info ] PCSA crossing L3/L4, right: erector spinae %.1f cm², multifidus %.1f cm², total %.1f cm² "
              "(MRI, men: 26.9 ± 7.0 = ES 19.6 + MF 7.3, Niemeläinen 2011 [D]; 30.00, Gungor 2015)\n", es, mf, es + mf);
  std::printf("[ info ] crossing total by level, right: L3/L4 %.1f, L4/L5 %.1f, L5/S1 %.1f cm² (Gungor 2015, men: 30.00, 28.28, 24.60)\n",
              es + mf, es45 + mf45, es51 + mf51);
  EXPECT_LT(es + mf, kReference - kTolerance) << "the model's extensor area at L3/L4 is no longer below the band: "
                                                  "if inside it, make this a plain check";
}

TEST(FullSpinePublished, LumbarExtensorPcsaFollowsTheDissectionTable) {
  // The lumbar erector spinae and multifidus per fascicle, as AMMR's dissection table (Bogduk lineage;
  // AnyBody/ammr Default_MuscleParametersSpineSimpleRight.any @444d97c6, model-data §1.2) gives them:
  // iliocostalis (ILplL1CI … L4CI) and longissimus pars lumborum (LTplL1SIPS … L5Ilium) one for one,
  // the multifidus per spinous process of origin (docs/sources/lumbosacral_extensors.md §2). Until
  // session 5 the model spread each group's total in MF-TL's (CT-rescaled) proportions: IL_L4 3.68 cm²,
  // LTpL_L4 1.54, the L5 multifidus 1.87. Also reports the extensors of L5-S1 alone (issue 3).
  const Model& m = test::full_spine();
  const std::map<std::string, double> fascicle = {
      {"IL_L1", 1.08}, {"IL_L2", 1.54}, {"IL_L3", 1.82}, {"IL_L4", 1.89}, {"LTpL_L1", 0.79},
      {"LTpL_L2", 0.91}, {"LTpL_L3", 1.03}, {"LTpL_L4", 1.10}, {"LTpL_L5", 1.16}};
  for (const auto& [name, cm2] : fascicle) {
    const int i = m.muscle_index(name + "_r");
    ASSERT_GE(i, 0) << name;
    EXPECT_NEAR(1e4 * m.muscle_pcsa[i], cm2, 1e-6) << name;
  }
  const double level_total[5] = {2.16, 3.14, 2.49, 4.10, 2.18};  // multifidus from L1 … L5
  for (int level = 1; level <= 5; ++level) {
    double sum = 0;
    int count = 0;
    for (int i = 0; i < m.nmuscle; ++i)
      if (m.muscle_side[i] == Side::kRight && m.muscle_name[i].rfind("MF_m" + std::to_string(level), 0) == 0)
        sum += 1e4 * m.muscle_pcsa[i], ++count;
    EXPECT_EQ(count, 5) << "L" << level;
    EXPECT_NEAR(sum, level_total[level - 1], 1e-6) << "multifidus from L" << level;
  }
  // The extensors of L5-S1 that do not cross L4-L5, with their neutral moment arms.
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  const int k5 = m.dof(m.joint_index("L5-S1"), kFlexion), k4 = m.dof(m.joint_index("L4-L5"), kFlexion);
  double pcsa = 0, moment = 0;
  for (int i = 0; i < m.nmuscle; ++i)
    if (m.muscle_side[i] == Side::kRight && -d.moment_arm(k5, i) > 0 && d.moment_arm(k4, i) == 0)
      pcsa += m.muscle_pcsa[i], moment += -d.moment_arm(k5, i) * m.muscle_fmax[i];
  std::printf("[ info ] extensors of L5-S1 alone (right): %.2f cm², %.1f N·m at full activation (both sides %.1f)\n",
              1e4 * pcsa, moment, 2 * moment);
  EXPECT_NEAR(1e4 * pcsa, 1.16 + 2.18, 1e-6) << "LTpL_L5 and the five L5 multifidus fascicles";
}

// Chaffin, Andersson & Martin 1999, Occupational Biomechanics Table 4.5 (via J Electromyogr Kinesiol
// 2012;22:814, Table 2): male torso extension strength 288, 232, 171 N·m at 20°, 40°, 60° trunk
// flexion; tolerance ±25 % (the issue's criterion). Posture: trunk flexion shared equally by pelvis
// and lumbar spine (model-data §3.6: lumbar ≈ 40–60° of a 100–120° flexion, a field range [F]),
// thoracic spine neutral. Strength: max_muscle_moment about L5-S1 (all extensors at capacity plus
// passive fibres).
struct ExtensionStrength {
  double total = 0;          // N·m, max_muscle_moment about L5-S1 extension
  double active = 0;         // N·m, the extensors' active part
  double passive = 0;        // N·m, every muscle's passive fibre force (net, extension positive)
  double law = 0;            // N·m, L5-S1's own passive moment–angle law (not in `total`)
  double gravity = 0;        // N·m, the body above L5-S1 (what the muscles also hold when standing)
  double fibre_norm = 0;     // lumbar extensors (both sides): PCSA-weighted l_f / l_opt
  double active_factor = 0;  // same: PCSA-weighted F_active_max / (PCSA σ cos α)
  double arm = 0;            // same: PCSA-weighted extension moment arm at L5-S1, m
};

ExtensionStrength trunk_extension(double flexion_deg) {
  const Model& m = test::full_spine();
  Data d(m);
  test::pose_trunk_flexion(m, flexion_deg, d);
  const int k = m.dof(m.joint_index("L5-S1"), kFlexion);
  ExtensionStrength s;
  s.total = max_muscle_moment(m, d, k, -1);
  double w = 0;
  for (int i = 0; i < m.nmuscle; ++i) {
    const double r = -d.moment_arm(k, i);
    if (r > 0) s.active += r * d.force_active_max[i];
    s.passive += r * d.force_passive[i];
    if (!lumbar_belly(m, i) || r <= 0) continue;
    w += m.muscle_pcsa[i];
    s.fibre_norm += m.muscle_pcsa[i] * d.fiber_length_norm[i];
    s.active_factor += m.muscle_pcsa[i] * d.force_active_max[i] / (m.muscle_fmax[i] * d.cos_pennation[i]);
    s.arm += m.muscle_pcsa[i] * r;
  }
  s.fibre_norm /= w, s.active_factor /= w, s.arm /= w;
  s.law = -m.dof_passive[k].moment(d.q[k]);
  s.gravity = -d.tau[k];
  return s;
}
double trunk_extension_strength(double flexion_deg) { return trunk_extension(flexion_deg).total; }

// The strength check against Chaffin's table (288 / 232 / 171 N·m at 20 / 40 / 60°) is in
// tests/cpp/test_trunk_strength.cpp since session 5: the largest force on a pad at T8 that the whole
// model holds without reserves, and the net L5-S1 moment it makes (288 N·m at 20°, asserted within
// ±25 %; at 40° and 60°, 296 / 288 N·m, +28 / +68 % of Chaffin's 232 / 171, printed, not asserted:
// there only the change from 20° is held to an in vivo band, docs/model.md "Published comparisons").
// `trunk_extension_strength` here is the upper bound — every L5-S1 extensor fully active, no other
// joint balanced (457 / 475 / 453 N·m) — which no balanced body reaches (docs/sources/pad_strength.md);
// its breakdown below explains why the curve is flat.
// Why the curve is flat, measured: the lumbar extensors cross the plateau of their force–length curve
// between 0° and 60° of trunk flexion (l/l_opt 0.82 → 1.10, PCSA-weighted; they are built near
// optimal length in flexion, as measured: Zwambag, Ricketts & Brown 2014, J Biomech 47(12), "designed to
// produce maximum force in a mid-flexed posture"), their L5-S1 moment arm falls only 3 % (Macintosh,
// Bogduk & Pearcy 1993, Spine 18:884: "moment arms decreased slightly", at most 18 % less extensor
// moment in full flexion), and their passive fibres add under 10 N·m. Nothing was tuned to Chaffin.

// What stays asserted: the in vivo trend. Extension strength does not fall by more than a quarter
// from 20° to 40° of trunk flexion (Kumar et al.'s triaxial study: +68 % from upright to 36°; greatest
// at 50° flexion in a posture-dependent study; model-data §1.7), and the model's strength is at least
// three quarters of Chaffin's at 20° (it has every extensor at full activation and no antagonist
// co-contraction, so it cannot be much weaker than the published male mean without being wrong
// somewhere else too). The breakdown printed is the evidence for docs/model.md's trend analysis.
TEST(FullSpinePublished, TrunkExtensionStrengthKeepsTheInVivoTrend) {
  for (double a : {0.0, 20.0, 40.0, 60.0}) {
    const ExtensionStrength s = trunk_extension(a);
    std::printf("[ info ] %2.0f° flexion: strength %.0f N·m = active %.0f + passive fibres %.0f; lumbar extensors "
                "l/l_opt %.2f, active factor %.2f, arm %.2f cm; L5-S1 joint law +%.0f N·m (not counted); "
                "upper-body gravity %.0f N·m → external %.0f N·m\n",
                a, s.total, s.active, s.passive, s.fibre_norm, s.active_factor, 100 * s.arm, s.law, s.gravity,
                s.total - s.gravity);
  }
  const double s20 = trunk_extension_strength(20), s40 = trunk_extension_strength(40);
  std::printf("[ info ] extension strength at 20° / 40° flexion: %.0f / %.0f N·m (Chaffin 288 / 232)\n", s20, s40);
  EXPECT_GT(s40, 0.75 * s20);
  EXPECT_GT(s20, 0.75 * 288);
}

TEST(FullSpinePublished, NeckExtensionStrength) {
  // Maximum isometric neck extension, men, neutral posture: 51 ± 11 N·m (9 men; Ann Biomed Eng
  // 2014, doi 10.1007/s10439-014-1046-0); also 36.4 N·m (Biodex, 48 men 20–59 y; Arch Phys Med
  // Rehabil 2007;88:1441). Model: max_muscle_moment about C7-T1 extension, neutral — the upper bound
  // (every neck extensor fully active, nothing else balanced); what the whole model holds against a
  // head pad (42.4 N·m since session 6's hyoid chains, 35.3 before) is
  // TrunkStrength.NeckExtensionStrengthAgainstAHeadPad. Tolerance ±2 SD of the study with an SD
  // (29–73 N·m), the convention of the other comparisons in this file.
  const Model& m = test::full_spine();
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  const double s = max_muscle_moment(m, d, m.dof(m.joint_index("C7-T1"), kFlexion), -1);
  std::printf("[ info ] neck extension strength at C7-T1: %.1f N·m (published 51 ± 11 and 36.4; %+.0f %% of 51)\n", s, 100 * (s / 51 - 1));
  EXPECT_NEAR(s, 51, 2 * 11);
}

}  // namespace
}  // namespace paraspine
