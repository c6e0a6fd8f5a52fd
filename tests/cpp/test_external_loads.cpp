// External point forces, resting segments and whole-body balance supports: checked against hand
// calculations and equilibrium residuals; scenario errors name file, line and field.
#include <gtest/gtest.h>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/dynamics/external_loads.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

Model full_spine() { return load_model(test::source_dir() + "/models/full_spine.yaml"); }

void pose(const Model& m, Data& d, double pelvis_flexion_deg, double lumbar_flexion_deg = 0) {
  Posture p = neutral_posture(m);
  set_posture_angle(m, "pelvis", "flexion", deg2rad(pelvis_flexion_deg), p);
  set_posture_angle(m, "lumbar", "flexion", deg2rad(lumbar_flexion_deg), p);
  set_static_posture(m, p, d);
  forward_kinematics(m, d);
  clear_loads(m, d);
}

TEST(ExternalLoads, PointForceChangesJointLoadsByItsOwnMoment) {
  const Model m = full_spine();
  Data d0(m), d1(m);
  pose(m, d0, 20, 15);
  inverse_dynamics(m, d0);
  pose(m, d1, 20, 15);
  const int t1 = m.segment_index("T1");
  const Vec3 F(30, 200, -40), x = d1.segment_origin.col(t1) + Vec3(0.05, 0.02, 0.17);
  add_point_force(t1, F, x, d1);
  inverse_dynamics(m, d1);
  for (int j = 0; j < m.njoint; ++j) {
    const bool below = m.joint_child(j) <= t1;  // joints at or below T1 carry the force
    const Vec3 dF = d1.joint_force.col(j) - d0.joint_force.col(j);
    const Vec3 dM = d1.joint_moment.col(j) - d0.joint_moment.col(j);
    const Vec3 expect_F = below ? Vec3(-F) : Vec3::Zero();
    const Vec3 expect_M = below ? Vec3(-(x - d1.joint_center.col(j)).cross(F)) : Vec3::Zero();
    EXPECT_LT((dF - expect_F).norm(), 1e-9) << m.joint_name[j];
    EXPECT_LT((dM - expect_M).norm(), 1e-9) << m.joint_name[j];
  }
}

TEST(ExternalLoads, ForcesOnOneSegmentAddExactly) {
  const Model m = full_spine();
  const int s = m.segment_index("T8");
  const Vec3 F1(10, 50, 0), F2(-20, 15, 35);
  Data a(m), b(m), ab(m);
  for (Data* d : {&a, &b, &ab}) pose(m, *d, 10, 10);
  const Vec3 x1 = a.segment_com.col(s) + Vec3(0.1, 0, 0), x2 = a.segment_com.col(s) + Vec3(-0.1, 0.05, 0.12);
  add_point_force(s, F1, x1, a);
  add_point_force(s, F2, x2, b);
  add_point_force(s, F1, x1, ab);
  add_point_force(s, F2, x2, ab);
  Data none(m);
  pose(m, none, 10, 10);
  for (Data* d : {&a, &b, &ab, &none}) inverse_dynamics(m, *d);
  const int l45 = m.joint_index("L4-L5");
  const Vec3 sum_M = a.joint_moment.col(l45) + b.joint_moment.col(l45) - none.joint_moment.col(l45);
  const Vec3 sum_F = a.joint_force.col(l45) + b.joint_force.col(l45) - none.joint_force.col(l45);
  EXPECT_LT((ab.joint_moment.col(l45) - sum_M).norm(), 1e-9);
  EXPECT_LT((ab.joint_force.col(l45) - sum_F).norm(), 1e-9);
}

TEST(ExternalLoads, ABodyLyingOnTheFloorLoadsNoJoint) {
  // Supine (pelvis tilted back 90°), every segment and both arms resting: static, so every joint
  // carries nothing.
  const Model m = full_spine();
  Data d(m);
  pose(m, d, -90);
  for (int s = 0; s < m.nsegment; ++s) support_segment_weight(m, s, d);
  for (auto& h : d.hands) h.supported = true;
  inverse_dynamics(m, d);
  EXPECT_LT(d.joint_force.cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT(d.joint_moment.cwiseAbs().maxCoeff(), 1e-9);
  // Without support the cantilevered trunk loads L5-S1 with its whole weight's moment.
  Data free(m);
  pose(m, free, -90);
  inverse_dynamics(m, free);
  EXPECT_GT(free.joint_moment.col(m.joint_index("L5-S1")).norm(), 50.0);
}

TEST(ExternalLoads, BalanceSupportMatchesLeverArmsAndLeavesNoMomentAboutThePivot) {
  // Prone, trunk horizontal (the quadruped's trunk): a vertical support under T2, pivot 0.3 m
  // behind the pelvis about the transverse (z) axis, lower body 12 kg-ish at 0.15 m behind.
  const Model m = full_spine();
  Data d(m);
  pose(m, d, 90);
  const int t2 = m.segment_index("T2");
  const Vec3 p = d.segment_com.col(t2), up(0, 1, 0);
  const Vec3 pivot(-0.3, -0.5, 0), axis(0, 0, 1), lower(-0.15, -0.4, 0);
  const double lower_mass = 25;
  const double f = balance_support_magnitude(m, d, p, up, pivot, axis, lower_mass, lower);
  // Hand calculation with horizontal lever arms (forward x) about the pivot: f·(x_p − x_q) = Σ w·(x − x_q).
  double moment = lower_mass * 9.81 * (lower.x() - pivot.x());
  for (int s = 0; s < m.nsegment; ++s) moment += m.segment_mass[s] * 9.81 * (d.segment_com(0, s) - pivot.x());
  for (size_t i = 0; i < m.arms.size(); ++i) {
    Vec3 hand, com;
    arm_points(m, d, static_cast<int>(i), hand, com);
    moment += m.arms[i].mass * 9.81 * (com.x() - pivot.x());
  }
  EXPECT_NEAR(f, moment / (p.x() - pivot.x()), 1e-9 * std::abs(f));
  EXPECT_GT(f, 0);
  add_point_force(t2, f * up, p, d);
  EXPECT_NEAR(axis.dot(external_moment_about(m, d, pivot, lower_mass, lower)), 0.0, 1e-9);
  EXPECT_LT(f, (m.total_mass() + lower_mass) * 9.81);  // a share of the weight, not more
}

const char* kSupported = R"(paraspine_scenario: 1
name: supported
model: full_spine
external_forces:
  - name: strap
    segment: T6
    point: [0, 0, 0]
    force_N: [0, 50, 0]
  - name: hand
    segment: T1
    point: [0.5, -0.6, 0.2]
    point_frame: world
    balance: {direction: [0, 1, 0], pivot: [-0.2, -0.85, 0], axis: [0, 0, 1], lower_body_com: [-0.1, -0.5, 0]}
keyframes:
  - time: 0
    pelvis_deg: {flexion: 90}
    resting: [head]
  - time: 2
    pelvis_deg: {flexion: 90}
    forces: {strap: {force_N: [0, 80, 0]}}
)";

TEST(ScenarioForces, ParseBindAndApply) {
  const Model m = full_spine();
  const Scenario s = parse_scenario(kSupported, "supported.yaml");
  ASSERT_EQ(s.forces.size(), 2u);
  const BoundScenario b = bind_scenario(s, m);
  Data d(m);
  b.timeline.sample(1.0, d);
  forward_kinematics(m, d);
  clear_loads(m, d);
  std::vector<double> mag;
  apply_scenario_loads(m, b, 1.0, false, d, &mag);
  EXPECT_NEAR(mag[0], 65.0, 1e-9);  // halfway between 50 and 80 N (symmetric spline)
  EXPECT_GT(mag[1], 0.0);
  // The balance support balances everything, the strap and the resting head included.
  EXPECT_NEAR(external_moment_about(m, d, Vec3(-0.2, -0.85, 0), b.lower_body_mass, Vec3(-0.1, -0.5, 0)).z(), 0.0, 1e-8);
}

std::string replaced(std::string s, const std::string& a, const std::string& b) {
  const auto k = s.find(a);
  EXPECT_NE(k, std::string::npos) << a;
  return s.replace(k, a.size(), b);
}

// A backpack-like load (carried_by: rib_cage): the same wrench as the point force where every
// costovertebral joint is above the cut — at T10-T11 and below — but spread over T1…T10 above it, so
// the net moment no longer steps at the loaded vertebra.
TEST(ScenarioForces, ForceCarriedByTheRibCageKeepsTheWrenchAndSpreadsIt) {
  const Model m = full_spine();
  const std::string pack = R"(paraspine_scenario: 1
name: pack
model: full_spine
external_forces:
  - name: pack
    segment: T8
    point: [-0.20, 0, 0]
    force_body_weight: [0, -0.15, 0]
    carried_by: rib_cage
keyframes:
  - time: 0
    pelvis_deg: {flexion: 4}
  - time: 1
    pelvis_deg: {flexion: 4}
)";
  const BoundScenario spread = bind_scenario(parse_scenario(pack, "pack.yaml"), m);
  const BoundScenario point = bind_scenario(parse_scenario(replaced(pack, "    carried_by: rib_cage\n", ""), "point.yaml"), m);
  ASSERT_TRUE(spread.forces[0].spec.carried_by_rib_cage);
  ASSERT_FALSE(point.forces[0].spec.carried_by_rib_cage);
  Data ds(m), dp(m);
  for (auto [b, d] : {std::pair{&spread, &ds}, std::pair{&point, &dp}}) {
    b->timeline.sample(0.0, *d);
    forward_kinematics(m, *d);
    clear_loads(m, *d);
    apply_scenario_loads(m, *b, 0.0, false, *d);
    inverse_dynamics(m, *d);
  }
  const int t10 = m.segment_index("T10");
  double step_spread = 0, step_point = 0;
  for (int j = 0; j < m.njoint; ++j) {
    const int c = m.joint_child(j);
    if (c <= t10) {  // T10-T11 and every joint below it: the whole rib cage is above the cut
      EXPECT_NEAR((ds.joint_force.col(j) - dp.joint_force.col(j)).norm(), 0.0, 1e-9) << m.joint_name[j];
      EXPECT_NEAR((ds.joint_moment.col(j) - dp.joint_moment.col(j)).norm(), 0.0, 1e-9) << m.joint_name[j];
    }
  }
  // The step of the flexion moment across T8 (T8-T9 minus T7-T8): the point load puts all of the
  // pack's moment there; the rib cage spreads it over ten vertebrae.
  auto flexion = [&](const Data& d, const char* joint) { return d.tau[3 * m.joint_index(joint)]; };
  step_point = std::abs(flexion(dp, "T8-T9") - flexion(dp, "T7-T8"));
  step_spread = std::abs(flexion(ds, "T8-T9") - flexion(ds, "T7-T8"));
  EXPECT_GT(step_point, 15.0);  // ≈ 117 N × 0.2 m
  EXPECT_LT(step_spread, 0.3 * step_point) << step_spread << " vs " << step_point;
}

// A model whose arms hang from one segment has no rib cage to carry a force.
TEST(ScenarioForces, RibCageCarriageNeedsAModelWithARibCage) {
  const Model lumbar = load_model(test::source_dir() + "/models/lumbar.yaml");
  std::string text = replaced(kSupported, "    force_N: [0, 50, 0]\n", "    force_N: [0, 50, 0]\n    carried_by: rib_cage\n");
  text = replaced(text, "model: full_spine", "model: lumbar");
  text = replaced(text, "segment: T6", "segment: thorax");
  text = replaced(text, "    resting: [head]\n", "");
  try {
    bind_scenario(parse_scenario(text, "lumbar_pack.yaml"), lumbar);
    FAIL() << "a rib-cage force bound to a model without a rib cage";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "lumbar_pack.yaml");
    EXPECT_EQ(e.field(), "external_forces[0].carried_by") << e.what();
    EXPECT_NE(std::string(e.what()).find("has no rib cage"), std::string::npos) << e.what();
  }
}

void expect_error(const std::string& text, const std::string& field, const std::string& message) {
  const Model m = full_spine();
  try {
    bind_scenario(parse_scenario(text, "bad.yaml"), m);
    FAIL() << "no error for " << field;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "bad.yaml");
    EXPECT_GT(e.line(), 0) << e.what();
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

TEST(ScenarioForces, BadInputNamesFileLineAndField) {
  expect_error(replaced(kSupported, "segment: T6", "segment: T66"), "external_forces[0].segment", "unknown segment 'T66'");
  expect_error(replaced(kSupported, "force_N: [0, 50, 0]", "force_n: [0, 50, 0]"), "external_forces[0].force_n", "unknown key");
  expect_error(replaced(kSupported, "{strap: {force_N", "{strop: {force_N"), "keyframes[1].forces.strop", "unknown force 'strop'");
  expect_error(replaced(kSupported, "{strap: {force_N", "{hand: {force_N"), "keyframes[1].forces.hand.force_N", "unknown key");
  expect_error(replaced(kSupported, "resting: [head]", "resting: [hed]"), "keyframes[0].resting", "unknown segment 'hed'");
  expect_error(replaced(kSupported, "point_frame: world", "point_frame: ground"), "external_forces[1].point_frame", "expected world or segment");
  expect_error(replaced(kSupported, "    force_N: [0, 50, 0]\n", ""), "external_forces[0]", "exactly one of");
  expect_error(replaced(kSupported, "    force_N: [0, 50, 0]\n", "    force_N: [0, 50, 0]\n    carried_by: ribs\n"), "external_forces[0].carried_by", "expected rib_cage or segment");
  expect_error(replaced(kSupported, "    point_frame: world\n", "    point_frame: world\n    carried_by: rib_cage\n"), "external_forces[1].carried_by", "only a given force");
  // The pivot between the support and the body's centre of mass: the support would have to pull.
  expect_error(replaced(kSupported, "pivot: [-0.2, -0.85, 0]", "pivot: [0.4, -0.85, 0]"), "external_forces[1].balance", "would have to pull");
}

}  // namespace
}  // namespace paraspine
