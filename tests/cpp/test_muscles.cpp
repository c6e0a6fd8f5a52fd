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
