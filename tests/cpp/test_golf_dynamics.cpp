// The golf swing's inertial loads, checked through the scenario path (docs/sources/golf_reserves.md):
// the accelerations inverse dynamics uses are the derivatives of the posture and hand trajectories
// the scenario samples (no unit or time-scale slip between keyframes, splines and kinematics), the
// impact frame's reserve comes from its inertial part (gravity and the club's pull alone are balanced
// by the muscles), and no level is driven far past its passive law's range.
#include <gtest/gtest.h>

#include <cmath>

#include "fixtures.h"
#include "sim/kinematics/kinematics.h"
#include "sim/model/subject.h"
#include "sim/scenario/sample.h"
#include "sim/scenario/scenario.h"

namespace paraspine {
namespace {

struct Golf {
  Scenario s = load_scenario(test::source_dir() + "/scenarios/golf_swing.yaml");
  Model m = scale_model(load_model(test::source_dir() + "/models/full_spine.yaml"), s.subject.value_or(Subject{}));
  BoundScenario b = bind_scenario(s, m);
  // The frame at cycle time t as run_scenario sets it up: loads cleared, posture and hands sampled,
  // forward kinematics, the scenario's forces.
  void at(double t, Data& d) const {
    clear_loads(m, d);
    sample_scenario(s, b, t, d);
    forward_kinematics(m, d);
    apply_scenario_loads(m, b, t, false, d);
  }
};

const Golf& golf() {
  static const Golf g;
  return g;
}

// Rotation vector of Rb · Raᵀ (world frame).
Vec3 rotation_vector(const Mat3& Ra, const Mat3& Rb) {
  const Eigen::AngleAxisd aa(Rb * Ra.transpose());
  return aa.angle() * aa.axis();
}

// Over the whole swing (address to finish, every 10 ms): segment angular velocities and
// accelerations, centre-of-mass accelerations and the grip's acceleration against central
// differences of the sampled positions and rotations. Measured worst errors (session 12): CoM
// 1.2e-5 m/s², ω 6.3e-6 rad/s, grip 4.8e-5 m/s², against accelerations up to 75 m/s² (the grip)
// and 73 rad/s² (the pelvis) in the downswing; a degree/radian or keyframe-time slip in any channel
// would be off by a factor, not by 1e-3.
TEST(GolfSwing, AccelerationsUsedMatchFiniteDifferencesOfTheTrajectory) {
  const Golf& g = golf();
  const Model& m = g.m;
  Data d(m), dp(m), dm(m), d2p(m), d2m(m);
  const double h = 1e-5, H = 1e-4;
  double largest_grip_acc = 0;
  for (double t = 1.505; t < 4.17; t += 0.01) {
    g.at(t, d), g.at(t + h, dp), g.at(t - h, dm), g.at(t + H, d2p), g.at(t - H, d2m);
    for (int s = 0; s < m.nsegment; ++s) {
      const Vec3 w_fd = rotation_vector(dm.segment_rotation[s], dp.segment_rotation[s]) / (2 * h);
      EXPECT_LT((d.segment_omega.col(s) - w_fd).norm(), 1e-4) << m.segment_name[s] << " t " << t;
      const Vec3 a_fd = (dp.segment_omega.col(s) - dm.segment_omega.col(s)) / (2 * h);
      EXPECT_LT((d.segment_alpha.col(s) - a_fd).norm(), 1e-2) << m.segment_name[s] << " t " << t;
      const Vec3 acc_fd = (d2p.segment_com.col(s) - 2 * d.segment_com.col(s) + d2m.segment_com.col(s)) / (H * H);
      EXPECT_LT((d.segment_com_acc.col(s) - acc_fd).norm(), 1e-3) << m.segment_name[s] << " t " << t;
    }
    for (size_t k = 0; k < d.hands.size(); ++k) {
      ASSERT_FALSE(d.hands[k].hanging) << "t " << t;  // the grip is positioned from address to finish
      const Vec3 acc_fd = (d2p.hands[k].position - 2 * d.hands[k].position + d2m.hands[k].position) / (H * H);
      EXPECT_LT((d.hands[k].acceleration - acc_fd).norm(), 1e-3) << "hand " << k << " t " << t;
      largest_grip_acc = std::max(largest_grip_acc, d.hands[k].acceleration.norm());
    }
  }
  EXPECT_GT(largest_grip_acc, 50.0);  // the downswing is fast enough for the check to mean something
}

// The peak reserve of the fresh swing (L5-S1, 3.53 s, 0.04 s before impact): with the frame's
// velocities and accelerations set to zero (gravity, the arms and the club's weight, the club's
// 320 N-ramp pull as sampled) the muscles balance every joint; the reserve is the inertial part's.
TEST(GolfSwing, ImpactFrameWithoutInertiaNeedsNoReserve) {
  const Golf& g = golf();
  const Model& m = g.m;
  Data d(m);
  clear_loads(m, d);
  sample_scenario(g.s, g.b, 3.53, d);
  d.qd.setZero(), d.qdd.setZero(), d.pelvis_rates.setZero(), d.pelvis_accels.setZero();
  d.pelvis_velocity.setZero(), d.pelvis_acceleration.setZero();
  for (auto& hand : d.hands) hand.acceleration.setZero();
  forward_kinematics(m, d);
  apply_scenario_loads(m, g.b, 3.53, false, d);
  evaluate_frame_after_kinematics(m, d);
  int l5 = 0;
  while (m.joint_name[l5] != "L5-S1") ++l5;
  EXPECT_LT(d.tau[3 * l5], -100.0);  // still a large extension demand (gravity + club: −163 N·m measured)
  LoadSharingSettings ls;
  load_sharing(m, ls, d);
  EXPECT_LT(d.reserve.cwiseAbs().maxCoeff(), 1e-3);
}

// Per-level angles over the swing against each level's passive law range (the in vitro range at its
// test moment, Model::dof_range): the lumbar levels above L5-S1 stay inside theirs; L5-S1, the
// thoracic levels at the top and C1-C2 / C6-C7 go past it by at most 28 % (measured 1.18, 1.28,
// 1.19, 1.21 — inside the in vivo ranges, docs/sources/scenario_kinematics.md §10.1), where the
// laws give at most 17 N·m (T1-T2 … T11-T12 at 3.6° / 2.5°), not an exploding moment.
TEST(GolfSwing, LevelsStayNearTheirPassiveLawRanges) {
  const Golf& g = golf();
  const Model& m = g.m;
  Data d(m);
  std::vector<double> worst(m.ndof, 0.0);
  for (double t = 0; t <= g.b.times.back(); t += 0.005) {
    sample_scenario(g.s, g.b, t, d);
    for (int i = 0; i < m.ndof; ++i) {
      const double r = d.q[i] >= 0 ? m.dof_range(i, 1) : m.dof_range(i, 0);
      worst[i] = std::max(worst[i], d.q[i] / r);
    }
  }
  for (int i = 0; i < m.ndof; ++i) {
    const std::string& j = m.joint_name[i / 3];
    const bool upper_lumbar = j == "L4-L5" || j == "L3-L4" || j == "L2-L3" || j == "L1-L2";
    EXPECT_LE(worst[i], upper_lumbar ? 1.0 : 1.3) << j << " rotation " << i % 3;
  }
}

}  // namespace
}  // namespace paraspine
