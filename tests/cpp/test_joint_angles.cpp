// Per-level angles in scenarios (keyframe key `joints_deg`): added to what the regions' rhythm gives
// the level, interpolated as every other level angle, checked as the regions' angles are.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/scenario/scenario.h"

namespace paraspine {
namespace {

// A head tilt held: neutral at 0 s, the tilt at 2 s, held to 4 s. `extra` goes into the tilted
// keyframes (the second and third), on its own line after regions_deg.
std::string tilt(const std::string& extra) {
  std::string kf = "    regions_deg: {cervical: {flexion: 20}, head: {flexion: 5}}\n";
  if (!extra.empty()) kf += "    " + extra + "\n";
  return "paraspine_scenario: 1\n"
         "name: tilt\n"
         "model: full_spine\n"
         "keyframes:\n"
         "  - time: 0\n"
         "  - time: 2\n" + kf +
         "  - time: 4\n" + kf;
}

Eigen::VectorXd angles_at(const Model& m, const BoundScenario& b, double t) {
  Data d(m);
  b.timeline.sample(t, d);
  return d.q;
}

const Model& model() { return test::full_spine(); }

TEST(JointAngles, AddToTheRhythmAtTheirLevelAndNowhereElse) {
  const Model& m = model();
  const BoundScenario plain = bind_scenario(parse_scenario(tilt(""), "plain.yaml"), m);
  const BoundScenario with = bind_scenario(
      parse_scenario(tilt("joints_deg: {T1-T2: {flexion: 3}, T3-T4: {lateral_bending: -1.5, axial_rotation: 2}, C5-C6: {flexion: 1}}"),
                     "with.yaml"), m);
  const int t12 = m.joint_index("T1-T2"), t34 = m.joint_index("T3-T4"), c56 = m.joint_index("C5-C6");
  ASSERT_GE(t12, 0);
  ASSERT_GE(t34, 0);
  // At the keyframe: the rhythm's angles of the regions (posture_to_angles of the regions alone),
  // plus the offsets at their rotations; every other rotation exactly the rhythm's.
  Posture regions = neutral_posture(m);
  set_posture_angle(m, "cervical", "flexion", deg2rad(20), regions);
  set_posture_angle(m, "head", "flexion", deg2rad(5), regions);
  Eigen::VectorXd rhythm(m.ndof);
  posture_to_angles(m, regions, rhythm);
  Eigen::VectorXd expected = rhythm;
  expected[m.dof(t12, 0)] += deg2rad(3);
  expected[m.dof(t34, 1)] += deg2rad(-1.5);
  expected[m.dof(t34, 2)] += deg2rad(2);
  expected[m.dof(c56, 0)] += deg2rad(1);
  // C5-C6 is one of the levels the cervical rhythm moves: the offset adds to its share, not replaces it.
  ASSERT_GT(rhythm[m.dof(c56, 0)], deg2rad(2));
  const Eigen::VectorXd q_plain = angles_at(m, plain, 2.0), q_with = angles_at(m, with, 2.0);
  for (int k = 0; k < m.ndof; ++k) {
    EXPECT_NEAR(q_with[k], expected[k], 1e-14) << m.joint_name[k / 3] << " " << kAxisNames[k % 3];
    EXPECT_NEAR(q_plain[k], rhythm[k], 1e-14) << m.joint_name[k / 3] << " " << kAxisNames[k % 3];
  }
  // The offset is not spread: T1-T2's neighbours keep the rhythm's angle.
  EXPECT_NEAR(rad2deg(q_with[m.dof(t12, 0)]), rad2deg(rhythm[m.dof(t12, 0)]) + 3, 1e-12);
  EXPECT_EQ(q_with[m.dof(m.joint_index("T2-T3"), 0)], q_plain[m.dof(m.joint_index("T2-T3"), 0)]);
  EXPECT_EQ(q_with[m.dof(m.joint_index("C7-T1"), 0)], q_plain[m.dof(m.joint_index("C7-T1"), 0)]);
  // The cervical region's total is its angle plus the offsets inside it (C5-C6's 1°).
  double cervical = 0;
  for (int j = 0; j < m.njoint; ++j)
    if (m.rhythm(m.dof(j, 0), 3 * m.region_index("cervical")) > 0) cervical += q_with[m.dof(j, 0)];
  EXPECT_NEAR(rad2deg(cervical), 21, 1e-12);
  // The region's angles are the same Posture::region_angles with or without the offsets.
  EXPECT_EQ(with.postures[1].region_angles, plain.postures[1].region_angles);
  EXPECT_NEAR(with.postures[1].level_angles[m.dof(t12, 0)], deg2rad(3), 1e-15);
}

TEST(JointAngles, InterpolateAsEveryLevelAngle) {
  const Model& m = model();
  const BoundScenario with = bind_scenario(parse_scenario(tilt("joints_deg: {T1-T2: {flexion: 3}}"), "with.yaml"), m);
  const int dof = m.dof(m.joint_index("T1-T2"), 0);
  Posture regions = neutral_posture(m);
  set_posture_angle(m, "cervical", "flexion", deg2rad(20), regions);
  set_posture_angle(m, "head", "flexion", deg2rad(5), regions);
  Eigen::VectorXd rhythm(m.ndof);
  posture_to_angles(m, regions, rhythm);
  const double node = rhythm[dof] + deg2rad(3);
  // The level's channel is the shape-preserving spline through its keyframe values: from rest to a
  // hold, halfway in time is halfway in angle (the quintic's value at s = 1/2 with zero end slopes).
  const ShapePreservingSpline channel({0.0, 2.0, 4.0}, {0.0, node, node});
  for (const double t : {0.5, 1.0, 1.7, 3.0}) {
    double y, yd, ydd;
    channel.evaluate(t, y, yd, ydd);
    Data d(m);
    with.timeline.sample(t, d);
    EXPECT_NEAR(d.q[dof], y, 1e-15) << t;
    EXPECT_NEAR(d.qd[dof], yd, 1e-14) << t;
    EXPECT_NEAR(d.qdd[dof], ydd, 1e-13) << t;
  }
  EXPECT_NEAR(angles_at(m, with, 1.0)[dof], node / 2, 1e-15);
}

struct Bad {
  std::string extra, field, message, line_of;
};

void expect_error(const Bad& c) {
  const std::string text = tilt(c.extra);
  const int line = [&] {
    const auto at = text.find(c.line_of);
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  }();
  try {
    bind_scenario(parse_scenario(text, "bad.yaml"), model());
    ADD_FAILURE() << "accepted: " << c.extra;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "bad.yaml");
    EXPECT_EQ(e.field(), c.field) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    EXPECT_EQ(e.line(), line) << e.what();
  }
}

TEST(JointAngles, MistakesNameFileLineAndField) {
  expect_error({"joints_deg: {T1-T9: {flexion: 3}}", "keyframes[1].joints_deg.T1-T9", "unknown joint 'T1-T9'", "T1-T9"});
  expect_error({"joints_deg: {T1-T2: {flexon: 3}}", "keyframes[1].joints_deg.T1-T2.flexon", "unknown key 'flexon'", "T1-T2"});
  expect_error({"joints_deg: {T1-T2: {flexion: .nan}}", "keyframes[1].joints_deg.T1-T2.flexion", "must be finite", "T1-T2"});
  expect_error({"joints_deg: {T1-T2: {flexion: three}}", "keyframes[1].joints_deg.T1-T2.flexion", "expected a number", "T1-T2"});
  expect_error({"joints_deg: {T1-T2: {flexion: [3]}}", "keyframes[1].joints_deg.T1-T2.flexion", "expected a number", "T1-T2"});
  expect_error({"joints_deg: {T1-T2: {flexion: 3, flexion: 4}}", "keyframes[1].joints_deg.T1-T2.flexion", "given twice", "T1-T2"});
  expect_error({"joints_deg: {T1-T2: {flexion: 3}, T1-T2: {flexion: 1}}", "keyframes[1].joints_deg.T1-T2", "given twice", "T1-T2"});
  expect_error({"joints_deg: {T1-T2: 3}", "keyframes[1].joints_deg.T1-T2", "expected {flexion", "T1-T2"});
  expect_error({"joints_deg: {T1-T2: {}}", "keyframes[1].joints_deg.T1-T2", "at least one", "T1-T2"});
  expect_error({"joints_deg: [T1-T2]", "keyframes[1].joints_deg", "expected joint", "joints_deg"});
  expect_error({"joints_deg: {lumbar: {flexion: 3}}", "keyframes[1].joints_deg.lumbar", "a region: give it under regions_deg", "lumbar"});
}

TEST(JointAngles, TheRangeCheckNamesTheJointAndTheField) {
  // T1-T2 flexion beyond twice its in vitro range: the error is at the joints_deg value, names the
  // joint and splits the level's angle into the rhythm's part and the offset.
  const Model& m = model();
  const double hi = rad2deg(2 * m.dof_range(m.dof(m.joint_index("T1-T2"), 0), 1));
  const std::string extra = "joints_deg: {T1-T2: {flexion: " + std::to_string(hi + 1) + "}}";
  expect_error({extra, "keyframes[1].joints_deg.T1-T2.flexion", "joint T1-T2 flexion would be", "T1-T2"});
  try {
    bind_scenario(parse_scenario(tilt(extra), "bad.yaml"), m);
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("joints_deg " + fmt::format("{:.1f}", hi + 1) + "°"), std::string::npos) << e.what();
  }
  // Within range it binds.
  EXPECT_NO_THROW(bind_scenario(parse_scenario(tilt("joints_deg: {T1-T2: {flexion: " + std::to_string(hi - 1) + "}}"), "ok.yaml"), m));
}

TEST(JointAngles, CommandLineOverridesReachThem) {
  // Joint names hold '-': the --set path reads them as one key.
  const std::string text = tilt("joints_deg: {T1-T2: {flexion: 3}}");
  const std::string changed = apply_overrides(text, "tilt.yaml", {"keyframes[2].joints_deg.T1-T2.flexion=4.5"});
  const Scenario s = parse_scenario(changed, "tilt.yaml");
  ASSERT_EQ(s.keyframes[2].joint_angles.size(), 1u);
  EXPECT_EQ(s.keyframes[2].joint_angles[0].degrees, 4.5);
  EXPECT_EQ(s.keyframes[1].joint_angles[0].degrees, 3);
  EXPECT_THROW(apply_overrides(text, "tilt.yaml", {"keyframes[2].joints_deg.T2-T3.flexion=1"}), InputError);
}

}  // namespace
}  // namespace paraspine
