// Muscle paths: every moment arm equals −∂length/∂angle (central differences), for random postures
// and every muscle of the default model; length rates and fibre velocities match differences too.
#include <gtest/gtest.h>

#include <random>

#include "fixtures.h"
#include "sim/kinematics/kinematics.h"
#include "sim/kinematics/timeline.h"
#include "sim/muscles/muscle_geometry.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

void random_posture(const Model& m, std::mt19937& rng, Data& d) {
  std::uniform_real_distribution<double> u(0, 1);
  for (int k = 0; k < m.ndof; ++k) d.q[k] = m.dof_range(k, 0) + u(rng) * (m.dof_range(k, 1) - m.dof_range(k, 0));
  for (int i = 0; i < 3; ++i) d.pelvis_angles[i] = 0.6 * (u(rng) - 0.5);
}

void check_moment_arms(const Model& m, int npostures) {
  std::mt19937 rng(11);
  Data d(m), dp(m), dm(m);
  const double h = 1e-6;
  double worst = 0;
  for (int trial = 0; trial < npostures; ++trial) {
    random_posture(m, rng, d);
    forward_kinematics(m, d);
    muscle_geometry(m, d);
    for (int k = 0; k < m.ndof; ++k) {
      dp.q = d.q;
      dm.q = d.q;
      dp.q[k] += h;
      dm.q[k] -= h;
      dp.pelvis_angles = dm.pelvis_angles = d.pelvis_angles;
      forward_kinematics(m, dp);
      muscle_geometry(m, dp);
      forward_kinematics(m, dm);
      muscle_geometry(m, dm);
      for (int i = 0; i < m.nmuscle; ++i) {
        const double fd = -(dp.muscle_length[i] - dm.muscle_length[i]) / (2 * h);
        const double err = std::abs(d.moment_arm(k, i) - fd);
        worst = std::max(worst, err);
        ASSERT_LT(err, 1e-6) << m.muscle_name[i] << " about " << m.joint_name[k / 3] << " "
                             << kAxisNames[k % 3] << ": analytic " << d.moment_arm(k, i) << " m, FD " << fd;
      }
    }
  }
  ::testing::Test::RecordProperty("worst_moment_arm_error_m", std::to_string(worst));
}

TEST(MomentArms, EqualMinusLengthDerivativeMini) { check_moment_arms(test::mini_model(), 20); }
TEST(MomentArms, EqualMinusLengthDerivativeEveryMuscleOfDefaultModel) {
  const Model m = load_model(test::default_model_path());
  ASSERT_GT(m.nmuscle, 100);
  check_moment_arms(m, 10);
}

TEST(MomentArms, EqualMinusLengthDerivativeEveryFascicleOfFullSpine) { check_moment_arms(test::full_spine(), 4); }

// A path that turns back (pelvis → L1 → L3: the joints between L1 and L3 are crossed twice, once each
// way) takes the clear-and-sum path of muscle_geometry instead of writing each moment arm once; the
// bundled models have no such path, so one is made here from the first fascicle of full_spine.
TEST(MomentArms, PathThatCrossesAJointTwice) {
  Model m = test::full_spine();
  ASSERT_EQ(m.segment_name[m.point_segment[1]], "L1");
  const int l3 = m.segment_index("L3");
  ASSERT_GE(l3, 0);
  const int at = m.muscle_point_begin[1];  // after the first fascicle's last point
  Eigen::Matrix3Xd pos(3, m.npoint + 1);
  pos << m.point_pos.leftCols(at), Vec3(-0.03, 0.02, 0.03), m.point_pos.rightCols(m.npoint - at);
  m.point_pos = pos;
  m.point_segment.insert(m.point_segment.begin() + at, l3);
  for (int i = 1; i <= m.nmuscle; ++i) ++m.muscle_point_begin[i];
  ++m.npoint;
  finalize_model(m);
  EXPECT_FALSE(m.muscle_crosses_once[0]);
  for (int i = 1; i < m.nmuscle; ++i) EXPECT_TRUE(m.muscle_crosses_once[i]) << m.muscle_name[i];
  check_moment_arms(m, 3);
  // The turn-back is where the moment arms cancel: above L3 the two pieces' contributions have
  // opposite signs, so the L1-L2 flexion arm is far smaller than a straight pelvis–L1 fascicle's.
  Data d(m), straight(test::full_spine());
  forward_kinematics(m, d);
  muscle_geometry(m, d);
  forward_kinematics(test::full_spine(), straight);
  muscle_geometry(test::full_spine(), straight);
  const int l1l2 = m.joint_index("L1-L2");
  EXPECT_NE(d.moment_arm(3 * l1l2, 0), straight.moment_arm(3 * l1l2, 0));
}

TEST(MomentArms, ZeroForJointsAMuscleDoesNotCross) {
  const Model m = load_model(test::default_model_path());
  Data d(m);
  std::mt19937 rng(3);
  random_posture(m, rng, d);
  forward_kinematics(m, d);
  muscle_geometry(m, d);
  for (int i = 0; i < m.nmuscle; ++i) {
    int lo = 1 << 30, hi = -1;  // joints spanned: between the lowest and highest segment on the path
    for (int k = m.muscle_point_begin[i]; k < m.muscle_point_begin[i + 1]; ++k) {
      lo = std::min(lo, m.point_segment[k]);
      hi = std::max(hi, m.point_segment[k]);
    }
    for (int j = 0; j < m.njoint; ++j) {
      const bool crossed = m.joint_child(j) > lo && m.joint_child(j) <= hi;  // the model is a chain
      if (!crossed) {
        for (int a = 0; a < 3; ++a) EXPECT_EQ(d.moment_arm(3 * j + a, i), 0.0) << m.muscle_name[i] << " " << m.joint_name[j];
      }
    }
  }
}

TEST(MuscleGeometry, RatesMatchFiniteDifferences) {
  const Model m = load_model(test::default_model_path());
  std::vector<Posture> keys(3, neutral_posture(m));
  keys[1].region_angles(0, kFlexion) = 0.8;
  keys[1].region_angles(0, kAxialRotation) = 0.2;
  keys[2].region_angles(0, kLateralBending) = -0.3;
  const PostureTimeline tl(m, {0, 1, 2}, keys);
  Data d(m), dp(m), dm(m);
  const double t = 0.7, h = 1e-6;
  for (auto [tt, x] : {std::pair<double, Data*>{t, &d}, {t + h, &dp}, {t - h, &dm}}) {
    tl.sample(tt, *x);
    forward_kinematics(m, *x);
    muscle_geometry(m, *x);
  }
  for (int i = 0; i < m.nmuscle; ++i) {
    EXPECT_NEAR(d.muscle_velocity[i], (dp.muscle_length[i] - dm.muscle_length[i]) / (2 * h), 1e-7);
    EXPECT_NEAR(d.fiber_velocity[i], (dp.fiber_length[i] - dm.fiber_length[i]) / (2 * h), 1e-7);
    // Constant-thickness pennation: l_f sin α = l_opt sin α_opt.
    const double sin_now = std::sqrt(1 - d.cos_pennation[i] * d.cos_pennation[i]);
    EXPECT_NEAR(d.fiber_length[i] * sin_now, m.muscle_lopt[i] * std::sin(m.muscle_pennation[i]), 1e-12);
  }
}

}  // namespace
}  // namespace paraspine
