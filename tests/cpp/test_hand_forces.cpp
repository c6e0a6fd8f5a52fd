// Forces at the hands (point_frame: hands; docs/scenarios.md, "External forces"): the arms carry them
// to the shoulder girdle as they carry a hand load. Checked against r × F by hand, against the same
// force given at a world point exactly where the hands are, and for errors naming file, line, field.
#include <gtest/gtest.h>

#include <cmath>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/dynamics/external_loads.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/scenario/sample.h"
#include "sim/scenario/scenario.h"

namespace paraspine {
namespace {

Model full_spine() { return load_model(test::source_dir() + "/models/full_spine.yaml"); }

std::string replaced(std::string s, const std::string& a, const std::string& b) {
  const auto k = s.find(a);
  EXPECT_NE(k, std::string::npos) << a;
  return s.replace(k, a.size(), b);
}

// A centripetal pull at both hands as they move (a club), its direction from a point of T1 to each
// hand, its magnitude keyframed; the same scenario without it is the reference.
const char* kPull = R"(paraspine_scenario: 1
name: pull
model: full_spine
external_forces:
  - name: pull
    point_frame: hands
    direction_from: {segment: T1, point: [0.04, -0.035, 0]}
    magnitude_N: 0
keyframes:
  - time: 0
    pelvis_position: [0, -0.05, 0]
    pelvis_deg: {flexion: 30, axial_rotation: 45}
    regions_deg: {lumbar: {flexion: 5, axial_rotation: 7.7}, thoracic: {flexion: 10, axial_rotation: 37.3}}
    hands: {both: {position: [0.0, 0.70, 0.25], load_kg: 0.15}}
  - time: 1
    pelvis_position: [0, -0.05, 0]
    pelvis_deg: {flexion: 30, axial_rotation: -40}
    regions_deg: {lumbar: {flexion: 5, axial_rotation: 3.4, lateral_bending: 8}, thoracic: {flexion: 10, axial_rotation: 16.6, lateral_bending: 8}}
    hands: {both: {position: [0.35, -0.20, -0.02], load_kg: 0.15}}
    forces: {pull: {magnitude_N: 320}}
  - time: 2
    pelvis_deg: {flexion: 5, axial_rotation: -80}
    regions_deg: {lumbar: {flexion: -10, axial_rotation: -6.8}, thoracic: {axial_rotation: -33.2}}
    hands: {both: {position: [-0.10, 0.80, 0.05], load_kg: 0.15}}
    forces: {pull: {magnitude_N: 0}}
)";

void frame(const Model& m, const BoundScenario& b, double t, Data& d) {
  CyclePosition where;
  where.time_in_cycle = t;
  clear_loads(m, d);
  sample_scenario_at(b, where, d);
  forward_kinematics(m, d);
  apply_scenario_loads(m, b, t, false, d);
  inverse_dynamics(m, d);
}

// The pull's moment about every lumbar and lower thoracic joint (below the rib cage, which the
// arms' load reaches whole) is that of the hand forces at the hands: Σ (hand − joint) × F_hand, with
// F_hand = magnitude / 2 along (hand − T1 point); and the joint force changes by the pull.
TEST(HandForces, MomentAboutEachJointIsHandPositionCrossForce) {
  const Model m = full_spine();
  const Scenario with = parse_scenario(kPull, "pull.yaml");
  const Scenario without = parse_scenario(replaced(kPull, "    forces: {pull: {magnitude_N: 320}}\n", ""), "none.yaml");
  const BoundScenario bw = bind_scenario(with, m), bn = bind_scenario(without, m);
  const int t1 = m.segment_index("T1"), t10 = m.segment_index("T10");
  Data dw(m), dn(m);
  int checked = 0;
  for (double t : {0.35, 0.7, 1.0, 1.3, 1.8}) {
    frame(m, bw, t, dw);
    frame(m, bn, t, dn);
    double magnitude, yd, ydd;
    bw.forces[0].value[0].evaluate(t, magnitude, yd, ydd);
    ASSERT_GT(magnitude, 1.0) << t;
    const Vec3 from = dw.segment_origin.col(t1) + dw.segment_rotation[t1] * Vec3(0.04, -0.035, 0);
    Vec3 total = Vec3::Zero();
    std::array<Vec3, 2> F, at;
    for (int h = 0; h < 2; ++h) {
      at[h] = dw.hand_position.col(h);
      F[h] = 0.5 * magnitude * (at[h] - from).normalized();
      total += F[h];
      EXPECT_LT((dw.hands[h].force - F[h]).norm(), 1e-9) << t;
    }
    for (int j = 0; j < m.njoint; ++j) {
      if (m.joint_child(j) > t10) continue;  // joints the rib cage is wholly above
      const Vec3 c = dw.joint_center.col(j);
      const Vec3 expect_M = -((at[0] - c).cross(F[0]) + (at[1] - c).cross(F[1]));
      EXPECT_LT((dw.joint_moment.col(j) - dn.joint_moment.col(j) - expect_M).norm(), 1e-9) << m.joint_name[j] << " t " << t;
      EXPECT_LT((dw.joint_force.col(j) - dn.joint_force.col(j) + total).norm(), 1e-9) << m.joint_name[j] << " t " << t;
      ++checked;
    }
  }
  EXPECT_GT(checked, 5 * 6);
}

// A force at the hands equals, at every joint, the same force given at world points placed exactly
// where the hands are and carried by the rib cage as the arms carry a hand load: right hand alone,
// and both hands (half each, the left hand mirrored).
TEST(HandForces, EqualsTheSameForceAtAWorldPointAtTheHands) {
  const Model m = full_spine();
  // The same held impact posture in both scenarios.
  const std::string keyframes = R"(keyframes:
  - time: 0
    pelvis_position: [0, -0.05, 0]
    pelvis_deg: {flexion: 30, axial_rotation: -40}
    regions_deg: {lumbar: {flexion: 5, axial_rotation: 3.4, lateral_bending: 8}, thoracic: {flexion: 10, axial_rotation: 16.6, lateral_bending: 8}}
    hands: {both: {position: [0.35, -0.20, -0.02], load_kg: 0.15}}
  - time: 1
    pelvis_position: [0, -0.05, 0]
    pelvis_deg: {flexion: 30, axial_rotation: -40}
    regions_deg: {lumbar: {flexion: 5, axial_rotation: 3.4, lateral_bending: 8}, thoracic: {flexion: 10, axial_rotation: 16.6, lateral_bending: 8}}
    hands: {both: {position: [0.35, -0.20, -0.02], load_kg: 0.15}}
)";
  const std::string hands = R"(paraspine_scenario: 1
name: at_hands
model: full_spine
external_forces:
  - name: pull
    point_frame: hands
    HANDS
    force_N: [60, -250, 30]
)" + keyframes;
  const std::string world = R"(paraspine_scenario: 1
name: at_world
model: full_spine
external_forces:
  - name: right
    segment: T1
    point: [0.35, -0.20, -0.02]
    point_frame: world
    carried_by: rib_cage
    force_N: [RIGHT]
  - name: left
    segment: T1
    point: [0.35, -0.20, 0.02]
    point_frame: world
    carried_by: rib_cage
    force_N: [LEFT]
)" + keyframes;
  struct Case { const char* hands; const char* right; const char* left; };
  for (const Case& c : {Case{"hands: right", "60, -250, 30", "0, 0, 0"}, Case{"hands: both", "30, -125, 15", "30, -125, 15"}}) {
    const BoundScenario bh = bind_scenario(parse_scenario(replaced(hands, "HANDS", c.hands), "hands.yaml"), m);
    const BoundScenario bp = bind_scenario(parse_scenario(replaced(replaced(world, "RIGHT", c.right), "LEFT", c.left), "world.yaml"), m);
    Data dh(m), dp(m);
    frame(m, bh, 0.5, dh);
    frame(m, bp, 0.5, dp);
    ASSERT_GT(dh.hands[0].force.norm(), 100.0);
    ASSERT_LT((dh.hand_position.col(0) - Vec3(0.35, -0.20, -0.02)).norm(), 1e-12);
    for (int j = 0; j < m.njoint; ++j) {
      EXPECT_LT((dh.joint_force.col(j) - dp.joint_force.col(j)).norm(), 1e-9) << c.hands << " " << m.joint_name[j];
      EXPECT_LT((dh.joint_moment.col(j) - dp.joint_moment.col(j)).norm(), 1e-9) << c.hands << " " << m.joint_name[j];
    }
  }
}

// What pictures receive: one arrow at the midpoint of a grip carrying the whole force.
TEST(HandForces, AppliedListHasTheForceAtTheHands) {
  const Model m = full_spine();
  const BoundScenario b = bind_scenario(parse_scenario(kPull, "pull.yaml"), m);
  Data d(m);
  CyclePosition where;
  where.time_in_cycle = 1.0;
  clear_loads(m, d);
  sample_scenario_at(b, where, d);
  forward_kinematics(m, d);
  std::vector<AppliedScenarioForce> applied;
  apply_scenario_loads(m, b, 1.0, false, d, nullptr, &applied);
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].name, "pull");
  EXPECT_NEAR(applied[0].force.norm(), 320.0, 0.5);  // two halves 4 cm apart, nearly parallel
  EXPECT_LT((applied[0].point - Vec3(0.35, -0.20, 0)).norm(), 1e-9);
  EXPECT_FALSE(applied[0].support);
}

// golf_swing's club pull: at impact the header's 320 N, at the grip, and in the sagittal plane along
// the header's (0.23, -0.97) from the upper chest to the hands (its lateral part, towards the target,
// comes from the trunk's tilt to the trail side and is not in the header's planar vector); zero at
// the top and the finish; in between at each hand.
TEST(HandForces, GolfClubPullAtImpactPointsAsTheHeaderSays) {
  const Model m = full_spine();
  const BoundScenario b = bind_scenario(load_scenario("golf_swing"), m);
  Data d(m);
  for (double t : {3.30, 3.45, 3.57, 3.80, 4.17}) {
    CyclePosition where;
    where.time_in_cycle = t;
    clear_loads(m, d);
    sample_scenario_at(b, where, d);
    forward_kinematics(m, d);
    std::vector<AppliedScenarioForce> applied;
    apply_scenario_loads(m, b, t, false, d, nullptr, &applied);
    const Vec3 total = d.hands[0].force + d.hands[1].force;
    if (t == 3.30 || t == 4.17) EXPECT_LT(total.norm(), 1e-9) << t;
    else EXPECT_GT(total.norm(), 100.0) << t;
    for (const auto& a : applied) {
      double nearest = 1e9;
      for (int h = 0; h < 2; ++h) {
        Vec3 hand, com;
        arm_points(m, d, h, hand, com);
        nearest = std::min(nearest, (hand - a.point).norm());
      }
      EXPECT_LT(nearest, 0.021) << t;  // at a hand, or at the grip's midpoint (hands 4 cm apart)
    }
    if (t == 3.57) {
      EXPECT_NEAR(total.norm(), 320.0, 0.5);
      EXPECT_NEAR(std::atan2(total.x(), -total.y()), std::atan2(0.23, 0.97), deg2rad(1.0));
    }
  }
}

void expect_error(const std::string& text, const std::string& field, const std::string& message) {
  try {
    bind_scenario(parse_scenario(text, "bad.yaml"), full_spine());
    ADD_FAILURE() << "no error for " << field;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "bad.yaml") << e.what();
    EXPECT_GT(e.line(), 0) << e.what();
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

TEST(HandForces, BadCombinationsNameFileLineAndField) {
  const std::string kp = kPull;
  const std::string frame_line = "    point_frame: hands\n";
  expect_error(replaced(kp, frame_line, frame_line + "    segment: T1\n"), "external_forces[0].segment", "not with point_frame: hands");
  expect_error(replaced(kp, frame_line, frame_line + "    point: [0, 0, 0]\n"), "external_forces[0].point", "not with point_frame: hands");
  expect_error(replaced(kp, frame_line, frame_line + "    frame: segment\n"), "external_forces[0].frame", "world frame");
  expect_error(replaced(kp, frame_line, frame_line + "    carried_by: rib_cage\n"), "external_forces[0].carried_by", "not with point_frame: hands");
  expect_error(replaced(kp, frame_line, frame_line + "    hands: two\n"), "external_forces[0].hands", "expected both, right or left");
  expect_error(replaced(kp, frame_line, "    segment: T1\n    hands: right\n"), "external_forces[0].hands", "only with point_frame: hands");
  expect_error(replaced(kp, frame_line, "    point_frame: hand\n"), "external_forces[0].point_frame", "expected world or segment or hands");
  expect_error(replaced(kp, "    direction_from: {segment: T1, point: [0.04, -0.035, 0]}\n", ""), "external_forces[0].magnitude_N", "needs direction_from");
  expect_error(replaced(kp, "    magnitude_N: 0\n", "    force_N: [0, 0, 0]\n"), "external_forces[0].direction_from", "give magnitude_N instead");
  expect_error(replaced(kp, "    magnitude_N: 0\n", "    magnitude_N: 0\n    force_N: [0, 0, 0]\n"), "external_forces[0]", "exactly one of");
  expect_error(replaced(kp, "magnitude_N: 320}", "magnitude_N: 6000}"), "keyframes[1].forces.pull.magnitude_N", "more than 5000 N");
  expect_error(replaced(kp, "{pull: {magnitude_N: 320}}", "{pull: {force_N: [0, 320, 0]}}"), "keyframes[1].forces.pull.force_N", "unknown key");
  expect_error(replaced(kp, "{pull: {magnitude_N: 320}}", "{pull: {magnitude_N: [0, 320, 0]}}"), "keyframes[1].forces.pull.magnitude_N", "");
  expect_error(replaced(kp, "segment: T1, point", "segment: T77, point"), "external_forces[0].direction_from.segment", "unknown segment 'T77'");
  expect_error(replaced(kp, "point: [0.04, -0.035, 0]}", "point: [0.04, -0.035, 0], frame: world}"), "external_forces[0].direction_from.frame", "unknown key");
  expect_error(replaced(kp, "point: [0.04, -0.035, 0]}", "point: [0.9, 0, 0]}"), "external_forces[0].direction_from.point", "more than 0.5 m");
  // A body point on the hand: no direction.
  const std::string on_hand = replaced(kp, "    point_frame: hands\n", "    segment: T1\n    point: [0.04, -0.035, 0]\n");
  expect_error(on_hand, "external_forces[0].direction_from", "no direction");
}

}  // namespace
}  // namespace paraspine
