// Inverse dynamics: a static case against a hand calculation, a moving case against Newton–Euler
// balance of the whole subtree (momentum and angular momentum by finite differences), and the
// symmetry of a symmetric posture.
#include <gtest/gtest.h>

#include <cmath>

#include "fixtures.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/kinematics/timeline.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

// A trunk on a base, an arm on the right shoulder only. Synthetic numbers for the hand calculation.
const char* kDuo = R"(paraspine_model: 1
name: duo
reference_subject: {body_mass: 70, height: 1.75, source: "synthetic test fixture"}
segments:
  - {name: base, mass: 10, com: [0, 0, 0], inertia: [0.1, 0.1, 0.1], source: "synthetic test fixture"}
  - name: top
    parent: base
    mass: 20
    com: [0.02, 0.2, 0.0]
    inertia: [0.5, 0.2, 0.5]
    joint:
      name: top-base
      in_parent: {position: [0, 0.1, 0]}
      range_deg: {flexion: [-20, 60], lateral_bending: [-20, 20], axial_rotation: [-10, 10]}
      source: "synthetic test fixture"
    source: "synthetic test fixture"
arms:
  - {side: right, segment: top, shoulder: [0, 0.3, 0.18], mass: 3.5, com_fraction: 0.4, length: 0.6, source: "synthetic test fixture"}
)";

TEST(InverseDynamics, StaticCaseMatchesHandCalculation) {
  const Model m = parse_model(kDuo, "duo.yaml");
  Data d(m);
  const double th = deg2rad(30), c = std::cos(th), s = std::sin(th), g = 9.81;
  d.q << th, 0, 0;
  forward_kinematics(m, d);
  clear_loads(m, d);
  d.hands[0].load_mass = 10;
  inverse_dynamics(m, d);

  // Flexion turns the trunk about −z: R·(x, y, z) = (x c + y s, −x s + y c, z).
  // Lever arms from the joint centre (0, 0.1, 0): trunk CoM, arm CoM and hand share x = 0.3 s.
  const double w_trunk = 20 * g, w_arm = (3.5 + 10) * g;
  const double Mx = -0.18 * w_arm;                                    // r × (0, w, 0) = (−r_z w, 0, r_x w)
  const double Mz = (0.02 * c + 0.2 * s) * w_trunk + 0.3 * s * w_arm;
  const double F = (20 + 3.5 + 10) * g;
  EXPECT_NEAR(d.joint_force(1, 0), F, 1e-9 * F);
  EXPECT_NEAR(d.joint_force(0, 0), 0, 1e-12);
  EXPECT_NEAR(d.joint_moment(0, 0), Mx, 1e-9 * std::abs(Mx));
  EXPECT_NEAR(d.joint_moment(1, 0), 0, 1e-12);
  EXPECT_NEAR(d.joint_moment(2, 0), Mz, 1e-9 * Mz);
  // Generalized moments: axes −z, R_flex·x = (c, −s, 0), −R_flex·y = −(s, c, 0).
  EXPECT_NEAR(d.tau[0], -Mz, 1e-9 * Mz);
  EXPECT_NEAR(d.tau[1], c * Mx, 1e-9 * std::abs(Mx));
  EXPECT_NEAR(d.tau[2], -s * Mx, 1e-9 * std::abs(Mx));
  EXPECT_NEAR(d.hand_position(1, 0), 0.1 + 0.3 * c - 0.6, 1e-15);
}

// Newton–Euler for everything above joint 0 of the mini model, in motion.
TEST(InverseDynamics, MovingCaseMatchesRateOfChangeOfMomentum) {
  const Model m = test::mini_model();
  std::vector<Posture> keys(4, neutral_posture(m));
  keys[1].region_angles.row(0) << 0.5, 0.2, -0.3;
  keys[1].pelvis_angles << 0.2, 0.1, 0.4;
  keys[1].pelvis_position << 0.1, -0.05, 0.02;
  keys[2].region_angles.row(0) << -0.2, -0.25, 0.3;
  keys[2].pelvis_angles << -0.1, 0.0, -0.2;
  keys[3].region_angles.row(0) << 0.1, 0.05, 0.0;
  const PostureTimeline tl(m, {0, 0.5, 1.1, 1.6}, keys);

  const double load = 5.0, g = -m.gravity.y();
  // Momentum P and angular momentum H about the world origin of segments 1..2, the arms and load.
  auto momenta = [&](double t, Vec3& P, Vec3& H) {
    Data d(m);
    tl.sample(t, d);
    forward_kinematics(m, d);
    P.setZero();
    H.setZero();
    for (int s = 1; s < m.nsegment; ++s) {
      const Mat3& R = d.segment_rotation[s];
      const Vec3 w = d.segment_omega.col(s);
      const Vec3 v = d.segment_origin_vel.col(s) + w.cross(R * m.segment_com.col(s));
      P += m.segment_mass[s] * v;
      H += d.segment_com.col(s).cross(m.segment_mass[s] * v) + R * m.segment_inertia[s] * R.transpose() * w;
    }
    for (size_t i = 0; i < m.arms.size(); ++i) {  // hanging arms translate with the shoulder
      const Arm& a = m.arms[i];
      const Mat3& R = d.segment_rotation[a.segment];
      const Vec3 r = R * a.shoulder;
      const Vec3 sh = d.segment_origin.col(a.segment) + r;
      const Vec3 v = d.segment_origin_vel.col(a.segment) + d.segment_omega.col(a.segment).cross(r);
      const Vec3 down(0, -a.length, 0);
      const double ml = i == 0 ? load : 0.0;
      P += (a.mass + ml) * v;
      H += (sh + a.com_fraction * down).cross(a.mass * v) + (sh + down).cross(ml * v);
    }
  };
  for (double t : {0.3, 0.8, 1.3}) {
    Data d(m);
    tl.sample(t, d);
    forward_kinematics(m, d);
    clear_loads(m, d);
    d.hands[0].load_mass = load;
    inverse_dynamics(m, d);
    const double h = 1e-5;
    Vec3 Pp, Hp, Pm, Hm;
    momenta(t + h, Pp, Hp);
    momenta(t - h, Pm, Hm);
    const Vec3 dP = (Pp - Pm) / (2 * h), dH = (Hp - Hm) / (2 * h);
    // External on the subtree: joint force and moment, gravity on every mass above.
    Vec3 F = d.joint_force.col(0), M = d.joint_moment.col(0) + d.joint_center.col(0).cross(d.joint_force.col(0));
    auto gravity_at = [&](const Vec3& x, double mass) {
      const Vec3 f(0, -mass * g, 0);
      F += f;
      M += x.cross(f);
    };
    for (int s = 1; s < m.nsegment; ++s) gravity_at(d.segment_com.col(s), m.segment_mass[s]);
    for (size_t i = 0; i < m.arms.size(); ++i) {
      const Vec3 sh = d.segment_origin.col(m.arms[i].segment) + d.segment_rotation[m.arms[i].segment] * m.arms[i].shoulder;
      gravity_at(sh + m.arms[i].com_fraction * Vec3(0, -m.arms[i].length, 0), m.arms[i].mass);
      if (i == 0) gravity_at(sh + Vec3(0, -m.arms[i].length, 0), load);
    }
    EXPECT_LT((F - dP).norm(), 1e-6 * F.norm()) << "t " << t << " F " << F.transpose() << " dP " << dP.transpose();
    EXPECT_LT((M - dH).norm(), 1e-6 * M.norm()) << "t " << t << " M " << M.transpose() << " dH " << dH.transpose();
    // The motion is fast enough that inertia matters (otherwise the test would prove little).
    EXPECT_GT(dP.norm(), 5.0);
  }
}

TEST(InverseDynamics, SymmetricPostureHasNoLateralOrAxialMoment) {
  const Model m = load_model(test::default_model_path());
  Data d(m);
  Posture p = neutral_posture(m);
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(40);
  p.pelvis_angles[kFlexion] = deg2rad(30);
  set_static_posture(m, p, d);
  clear_loads(m, d);
  for (auto& h : d.hands) h.load_mass = 10;
  evaluate_frame(m, d);
  const double scale = d.tau.cwiseAbs().maxCoeff();
  ASSERT_GT(scale, 10.0);
  for (int j = 0; j < m.njoint; ++j) {
    EXPECT_LT(std::abs(d.tau[3 * j + 1]), 1e-12 * scale) << m.joint_name[j];
    EXPECT_LT(std::abs(d.tau[3 * j + 2]), 1e-12 * scale) << m.joint_name[j];
    EXPECT_LT(std::abs(d.joint_force_local(2, j)), 1e-12 * scale) << m.joint_name[j];
    EXPECT_LT(d.tau[3 * j], 0) << "extensors must work when stooped: " << m.joint_name[j];
  }
}

TEST(PassiveLaw, RestoresAndDerivativeMatchesFiniteDifference) {
  PassiveLaw law;
  law.positive = {2.0, 5.0, 30.0, 0.4, 8.0};
  law.negative = {3.0, 0.0, 10.0, 0.0, 0.0};
  for (double th : {-0.3, -0.05, 0.02, 0.2}) {
    double dm;
    const double mo = law.moment(th, &dm);
    EXPECT_LT(mo * th, 0) << "a passive moment opposes the deflection";
    const double h = 1e-7;
    EXPECT_NEAR(dm, (law.moment(th + h) - law.moment(th - h)) / (2 * h), 1e-5 * std::abs(dm));
  }
  EXPECT_EQ(law.moment(0.0), 0.0);
}

}  // namespace
}  // namespace paraspine
