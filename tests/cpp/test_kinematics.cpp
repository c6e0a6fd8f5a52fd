// Spinal rhythm and forward kinematics: shares sum to one, per-level rotations compose to the
// regional angle, and velocities and accelerations match finite differences of positions.
#include <gtest/gtest.h>

#include <random>

#include "fixtures.h"
#include "sim/kinematics/kinematics.h"
#include "sim/kinematics/timeline.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

TEST(Rhythm, SharesSumToOnePerRegionAndAxis) {
  for (const Model& m : {test::mini_model(), load_model(test::default_model_path())}) {
    ASSERT_GT(m.nregion, 0) << m.name;
    for (int c = 0; c < 3 * m.nregion; ++c) {
      // Shares sum to one; the stored rhythm carries the region's axis-tilt factor (1 for flexion).
      const double k = m.region_scale(c / 3, c % 3);
      EXPECT_NEAR(m.rhythm.col(c).sum() / k, 1.0, 1e-9) << m.name << " column " << c;
      if (c % 3 == kFlexion) {
        EXPECT_NEAR(k, 1.0, 1e-12);
      }
      EXPECT_GE(k, 1.0 - 1e-12);
      EXPECT_LT(k, 1.2);
      // A regional angle about one axis drives only that axis at each level.
      for (int k = 0; k < m.ndof; ++k)
        if (k % 3 != c % 3) {
          EXPECT_EQ(m.rhythm(k, c), 0.0);
        }
    }
  }
}

// Rotation of the top segment of a region relative to the parent of its lowest joint.
Mat3 region_relative_rotation(const Model& m, int region, const Posture& p) {
  Data d(m);
  set_static_posture(m, p, d);
  forward_kinematics(m, d);
  int lowest = m.njoint, highest = -1;
  for (int j = 0; j < m.njoint; ++j)
    if (m.rhythm.row(3 * j).segment<3>(3 * region).cwiseAbs().sum() +
            m.rhythm.row(3 * j + 1).segment<3>(3 * region).cwiseAbs().sum() +
            m.rhythm.row(3 * j + 2).segment<3>(3 * region).cwiseAbs().sum() > 0) {
      lowest = std::min(lowest, j);
      highest = std::max(highest, j);
    }
  return d.segment_rotation[m.joint_parent(lowest)].transpose() *
         d.segment_rotation[m.joint_child(highest)];
}

TEST(Rhythm, RegionalFlexionComposesExactly) {
  for (const Model& m : {test::mini_model(), load_model(test::default_model_path())}) {
    for (int r = 0; r < m.nregion; ++r) {
      for (double deg : {-15.0, 10.0, 40.0}) {
        Posture p = neutral_posture(m);
        p.region_angles(r, kFlexion) = deg2rad(deg);
        const Mat3 rel0 = region_relative_rotation(m, r, neutral_posture(m));
        const Eigen::AngleAxisd aa(rel0.transpose() * region_relative_rotation(m, r, p));
        // Sagittal curvature turns the frames about z only, so flexion axes coincide: exact.
        EXPECT_NEAR(aa.angle(), std::abs(deg2rad(deg)), 1e-12) << m.name << " " << m.region_name[r];
        EXPECT_NEAR(std::abs(aa.axis().z()), 1.0, 1e-12);
      }
    }
  }
}

TEST(Rhythm, RegionalBendingAndTwistComposeToTheRegionalAngle) {
  // Exact to first order (the rhythm is scaled for the curvature-tilted level axes); the remainder
  // at 20° is the non-commutativity of finite rotations.
  for (const Model& m : {test::mini_model(), load_model(test::default_model_path())}) {
    for (int r = 0; r < m.nregion; ++r)
      for (int axis : {kLateralBending, kAxialRotation})
        for (auto [deg, tol] : {std::pair{0.01, 1e-6}, {20.0, 5e-3}}) {
          Posture p = neutral_posture(m);
          p.region_angles(r, axis) = deg2rad(deg);
          const Mat3 rel0 = region_relative_rotation(m, r, neutral_posture(m));
          const Eigen::AngleAxisd aa(rel0.transpose() * region_relative_rotation(m, r, p));
          EXPECT_NEAR(aa.angle() / deg2rad(deg), 1.0, tol)
              << m.name << " " << m.region_name[r] << " axis " << axis << " at " << deg << " deg";
        }
  }
}

// Rotation vector of Rb · Raᵀ (world frame).
Vec3 rotation_vector(const Mat3& Ra, const Mat3& Rb) {
  const Eigen::AngleAxisd aa(Rb * Ra.transpose());
  return aa.angle() * aa.axis();
}

void check_velocities(const Model& m) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<Posture> keys;
  std::vector<double> times{0.0, 0.4, 0.9, 1.5};
  for (size_t k = 0; k < times.size(); ++k) {
    Posture p = neutral_posture(m);
    for (int i = 0; i < m.ndof; ++i) p.level_angles[i] = 0.08 * u(rng);
    for (int i = 0; i < 3; ++i) {
      p.pelvis_angles[i] = 0.3 * u(rng);
      p.pelvis_position[i] = 0.1 * u(rng);
    }
    keys.push_back(p);
  }
  const PostureTimeline tl(m, times, keys);
  Data d(m), dp(m), dm(m), d2p(m), d2m(m);
  auto at = [&](double t, Data& x) {
    tl.sample(t, x);
    forward_kinematics(m, x);
  };
  const double h = 1e-5;
  for (double t : {0.2, 0.65, 1.1, 1.37}) {
    at(t, d);
    at(t + h, dp);
    at(t - h, dm);
    for (int i = 0; i < m.ndof; ++i) {
      EXPECT_NEAR(d.qd[i], (dp.q[i] - dm.q[i]) / (2 * h), 1e-6);
      EXPECT_NEAR(d.qdd[i], (dp.qd[i] - dm.qd[i]) / (2 * h), 1e-5);
    }
    for (int s = 0; s < m.nsegment; ++s) {
      const Vec3 w_fd = rotation_vector(dm.segment_rotation[s], dp.segment_rotation[s]) / (2 * h);
      EXPECT_LT((d.segment_omega.col(s) - w_fd).norm(), 1e-6) << m.name << " segment " << s << " t " << t;
      const Vec3 a_fd = (dp.segment_omega.col(s) - dm.segment_omega.col(s)) / (2 * h);
      EXPECT_LT((d.segment_alpha.col(s) - a_fd).norm(), 1e-5) << "segment " << s;
      const Vec3 v_fd = (dp.segment_origin.col(s) - dm.segment_origin.col(s)) / (2 * h);
      EXPECT_LT((d.segment_origin_vel.col(s) - v_fd).norm(), 1e-7) << "segment " << s;
      const Vec3 acc_fd = (dp.segment_origin_vel.col(s) - dm.segment_origin_vel.col(s)) / (2 * h);
      EXPECT_LT((d.segment_origin_acc.col(s) - acc_fd).norm(), 1e-5) << "segment " << s;
    }
    // CoM acceleration: second difference of positions (independent of the velocity code).
    const double H = 1e-4;
    at(t + H, d2p);
    at(t - H, d2m);
    for (int s = 0; s < m.nsegment; ++s) {
      const Vec3 acc_fd = (d2p.segment_com.col(s) - 2 * d.segment_com.col(s) + d2m.segment_com.col(s)) / (H * H);
      EXPECT_LT((d.segment_com_acc.col(s) - acc_fd).norm(), 1e-4) << "segment " << s;
    }
  }
}

TEST(Kinematics, VelocitiesMatchFiniteDifferencesMini) { check_velocities(test::mini_model()); }
TEST(Kinematics, VelocitiesMatchFiniteDifferencesDefault) {
  check_velocities(load_model(test::default_model_path()));
}

TEST(Kinematics, JointCentresAreSharedByParentAndChild) {
  const Model m = load_model(test::default_model_path());
  Data d(m);
  Posture p = neutral_posture(m);
  p.region_angles.setConstant(0.3);
  p.pelvis_angles << 0.2, -0.1, 0.3;
  set_static_posture(m, p, d);
  forward_kinematics(m, d);
  for (int j = 0; j < m.njoint; ++j) {
    const int c = m.joint_child(j);
    const Vec3 from_child = d.segment_origin.col(c) + d.segment_rotation[c] * m.joint_pos_in_child.col(j);
    EXPECT_LT((from_child - d.joint_center.col(j)).norm(), 1e-14);
    EXPECT_LT((d.segment_rotation[c].transpose() * d.segment_rotation[c] - Mat3::Identity()).norm(), 1e-14);
  }
}

}  // namespace
}  // namespace paraspine
