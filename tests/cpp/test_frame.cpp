// forward_kinematics_memo: skips forward kinematics exactly when its inputs are bit for bit the last
// call's, and its outputs are then those forward_kinematics gives.
#include <gtest/gtest.h>

#include <cmath>

#include "fixtures.h"
#include "sim/kinematics/kinematics.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

void expect_same_kinematics(const Data& a, const Data& b) {
  for (size_t s = 0; s < a.segment_rotation.size(); ++s) EXPECT_TRUE(a.segment_rotation[s] == b.segment_rotation[s]) << s;
  EXPECT_TRUE(a.segment_origin == b.segment_origin);
  EXPECT_TRUE(a.segment_omega == b.segment_omega);
  EXPECT_TRUE(a.segment_com_acc == b.segment_com_acc);
  EXPECT_TRUE(a.joint_center == b.joint_center);
  EXPECT_TRUE(a.dof_axis == b.dof_axis);
}

TEST(FrameKinematicsMemo, SkipsOnlyBitIdenticalInputs) {
  const Model& m = test::full_spine();
  Data d(m), fresh(m);
  set_static_posture(m, neutral_posture(m), d);
  d.q[0] = 0.0;
  d.qd[1] = 0.3;
  KinematicsMemo memo;
  forward_kinematics_memo(m, d, memo);
  fresh.q = d.q, fresh.qd = d.qd, fresh.qdd = d.qdd;
  fresh.pelvis_position = d.pelvis_position, fresh.pelvis_angles = d.pelvis_angles;
  fresh.pelvis_velocity = d.pelvis_velocity, fresh.pelvis_acceleration = d.pelvis_acceleration;
  fresh.pelvis_rates = d.pelvis_rates, fresh.pelvis_accels = d.pelvis_accels;
  forward_kinematics(m, fresh);
  expect_same_kinematics(d, fresh);

  // The same inputs: not recomputed (a marker in the outputs survives).
  d.segment_origin(0, 3) = 1234.5;
  forward_kinematics_memo(m, d, memo);
  EXPECT_EQ(d.segment_origin(0, 3), 1234.5);

  // −0.0 compares equal to 0.0 but is another input (sin(−0) = −0): recomputed.
  d.q[0] = -0.0;
  forward_kinematics_memo(m, d, memo);
  EXPECT_NE(d.segment_origin(0, 3), 1234.5);
  fresh.q[0] = -0.0;
  forward_kinematics(m, fresh);
  expect_same_kinematics(d, fresh);

  // A pelvis acceleration alone changes the segments' accelerations: recomputed.
  d.pelvis_acceleration[1] = 2.0, fresh.pelvis_acceleration[1] = 2.0;
  forward_kinematics_memo(m, d, memo);
  forward_kinematics(m, fresh);
  expect_same_kinematics(d, fresh);
}

}  // namespace
}  // namespace paraspine
