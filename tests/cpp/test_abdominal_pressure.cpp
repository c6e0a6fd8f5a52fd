// Intra-abdominal pressure (sim/dynamics/abdominal_pressure.h): the measured relation and its
// bound, the load it puts on each lumbar cut (analytic p·A·d and p·A, and the generalized moment by
// finite differences of virtual work), the distraction in the disc compression, equilibrium with
// the pressure carrying part of τ, and that without it the engine is exactly what it was.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "fixtures.h"
#include "sim/dynamics/abdominal_pressure.h"
#include "sim/kinematics/kinematics.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/model/subject.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

const char* kIapBlock = R"(abdominal_pressure:
  joints: [top-mid, mid-base]
  reference_joint: mid-base
  area: 0.04
  moment_arm: 0.08
  pressure_intercept_kpa: -1.0
  pressure_slope_kpa: 0.1
  pressure_exponent: 1
  max_pressure_kpa: 20
  source: "synthetic test fixture"
)";

std::string mini_with(const std::string& block) {
  std::string text = test::kMiniModel;
  const auto at = text.find("muscles:\n");
  EXPECT_NE(at, std::string::npos);
  text.insert(at, block);
  return text;
}

// Stooped with both hands loaded: a posture that needs a large lumbar extension moment.
void stoop(const Model& m, Data& d, double load_kg, double lumbar_deg = 30, double pelvis_deg = 30) {
  Posture p = neutral_posture(m);
  p.pelvis_angles.x() = deg2rad(pelvis_deg);
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(lumbar_deg);
  set_static_posture(m, p, d);
  for (auto& h : d.hands) h.load_mass = load_kg / d.hands.size();
  evaluate_frame(m, d);
}

TEST(AbdominalPressure, ModelFileGivesMairiauxRelationAndEssendropBound) {
  const AbdominalPressureParameters& p = test::full_spine().abdominal_pressure;
  ASSERT_TRUE(p.enabled);
  EXPECT_EQ(p.reference_joint, test::full_spine().joint_index("L4-L5"));
  EXPECT_EQ(p.joints.size(), 3u);  // L3-L4, L4-L5, L5-S1: below the crura of the diaphragm
  // Mairiaux et al. 1984: p = 0.079 M − 1.127 kPa; zero below 14.3 N·m and for flexion demands.
  EXPECT_EQ(abdominal_pressure_from_moment(p, -50), 0.0);
  EXPECT_EQ(abdominal_pressure_from_moment(p, 0), 0.0);
  EXPECT_EQ(abdominal_pressure_from_moment(p, 14.0), 0.0);
  EXPECT_NEAR(abdominal_pressure_from_moment(p, 100), 6773, 1e-9);
  // Bounded by Essendrop's 26.6 kPa, however large the moment.
  EXPECT_EQ(abdominal_pressure_from_moment(p, 1e5), 26600);
  double last = 0;
  for (double M = 0; M < 1000; M += 7.5) {
    const double v = abdominal_pressure_from_moment(p, M);
    EXPECT_GE(v, last);
    EXPECT_LE(v, p.max_pressure);
    last = v;
  }
}

TEST(AbdominalPressure, EachCutCarriesPAdAndPAAlongTheDiscNormal) {
  const Model& m = test::full_spine();
  Data d(m);
  stoop(m, d, 20);
  abdominal_pressure(m, true, d);
  const AbdominalPressureParameters& ap = m.abdominal_pressure;
  const double p = d.abdominal_pressure;
  ASSERT_GT(p, 0);
  EXPECT_NEAR(p, abdominal_pressure_from_moment(ap, -d.tau[m.dof(ap.reference_joint, kFlexion)]), 1e-12);
  for (int j = 0; j < m.njoint; ++j) {
    const bool listed = std::find(ap.joints.begin(), ap.joints.end(), j) != ap.joints.end();
    if (!listed) {
      EXPECT_EQ(d.abdominal_pressure_force.col(j).norm(), 0.0) << m.joint_name[j];
      for (int a = 0; a < 3; ++a) EXPECT_EQ(d.abdominal_pressure_moment[3 * j + a], 0.0);
      continue;
    }
    const Mat3 disc = d.joint_frame[j] * joint_rotation(0.5 * d.q.segment<3>(3 * j));
    // Distraction p·A along the disc normal.
    EXPECT_NEAR(d.abdominal_pressure_force.col(j).norm(), p * ap.area, 1e-9 * p * ap.area) << m.joint_name[j];
    EXPECT_NEAR(d.abdominal_pressure_force.col(j).dot(disc.col(1)), p * ap.area, 1e-9 * p * ap.area);
    // A purely sagittal posture: extension p·A·d on the flexion rotation, nothing on the others.
    EXPECT_NEAR(d.abdominal_pressure_moment[3 * j + kFlexion], -p * ap.area * ap.moment_arm, 1e-9) << m.joint_name[j];
    EXPECT_NEAR(d.abdominal_pressure_moment[3 * j + kLateralBending], 0, 1e-9);
    EXPECT_NEAR(d.abdominal_pressure_moment[3 * j + kAxialRotation], 0, 1e-9);
  }
}

// The generalized moment of the pressure force on a cut is its virtual work per unit rotation:
// with the application point carried by the body above the joint, central differences of
// F · x(q) over each rotation of the joint must give abdominal_pressure_moment. A model with a
// tilted joint frame and a posture with all three rotations tests the geometry in general.
TEST(AbdominalPressure, GeneralizedMomentMatchesVirtualWorkByFiniteDifferences) {
  const Model m = parse_model(mini_with(kIapBlock), "mini_iap.yaml");
  Data d(m);
  Posture p = neutral_posture(m);
  p.region_angles(m.region_index("trunk"), kFlexion) = deg2rad(25);
  p.region_angles(m.region_index("trunk"), kLateralBending) = deg2rad(8);
  p.region_angles(m.region_index("trunk"), kAxialRotation) = deg2rad(6);
  set_static_posture(m, p, d);
  for (auto& h : d.hands) h.load_mass = 15;
  evaluate_frame(m, d);
  abdominal_pressure(m, true, d);
  ASSERT_GT(d.abdominal_pressure, 0);
  const AbdominalPressureParameters& ap = m.abdominal_pressure;
  for (int j : ap.joints) {
    const int child = m.joint_child(j);
    const Vec3 F = d.abdominal_pressure_force.col(j);
    const Mat3 disc = d.joint_frame[j] * joint_rotation(0.5 * d.q.segment<3>(3 * j));
    const Vec3 x = d.joint_center.col(j) + ap.moment_arm * disc.col(0);
    const Vec3 x_local = d.segment_rotation[child].transpose() * (x - d.segment_origin.col(child));
    for (int a = 0; a < 3; ++a) {
      const int k = 3 * j + a;
      const double h = 1e-6, q0 = d.q[k];
      Data e = d;
      auto work = [&](double qk) {
        e.q[k] = qk;
        forward_kinematics(m, e);
        return F.dot(e.segment_rotation[child] * x_local + e.segment_origin.col(child));
      };
      const double fd = (work(q0 + h) - work(q0 - h)) / (2 * h);
      EXPECT_NEAR(d.abdominal_pressure_moment[k], fd, 1e-6 * std::max(1.0, std::abs(fd)))
          << m.joint_name[j] << " rotation " << a;
    }
  }
}

TEST(AbdominalPressure, CompressionDropsByTheDistractionAtEveryListedLevel) {
  const Model& m = test::full_spine();
  Data d(m);
  stoop(m, d, 20);
  LoadSharingSettings s;
  load_sharing(m, s, d);
  reactions(m, d);
  const double p = d.abdominal_pressure;
  ASSERT_GT(p, 0);
  const Eigen::Matrix3Xd with = d.disc_force;
  // Same muscle forces, the push of the pressure removed: only the listed levels change, each by p·A.
  d.abdominal_pressure_force.setZero();
  reactions(m, d);
  const AbdominalPressureParameters& ap = m.abdominal_pressure;
  for (int j = 0; j < m.njoint; ++j) {
    const bool listed = std::find(ap.joints.begin(), ap.joints.end(), j) != ap.joints.end();
    EXPECT_NEAR(d.disc_force(0, j) - with(0, j), listed ? p * ap.area : 0.0, 1e-7) << m.joint_name[j];
    EXPECT_NEAR(d.disc_force(1, j) - with(1, j), 0.0, 1e-7);
    EXPECT_NEAR(d.disc_force(2, j) - with(2, j), 0.0, 1e-7);
  }
}

TEST(AbdominalPressure, EquilibriumHoldsAndTheLoadedSpineIsUnloaded) {
  const Model& m = test::full_spine();
  Data on(m), off(m);
  stoop(m, on, 20);
  stoop(m, off, 20);
  LoadSharingSettings s;
  load_sharing(m, s, on);
  reactions(m, on);
  s.abdominal_pressure = false;
  load_sharing(m, s, off);
  reactions(m, off);
  EXPECT_EQ(off.abdominal_pressure, 0.0);
  EXPECT_EQ(on.loadsharing_info.status, QpStatus::kSolved);
  // Σ muscle + passive law + pressure + reserve = τ on every rotation.
  EXPECT_LT(on.loadsharing_info.equilibrium_residual, 1e-6 * std::max(1.0, on.tau.lpNorm<Eigen::Infinity>()));
  EXPECT_LT((on.muscle_moment + on.passive_joint_moment + on.abdominal_pressure_moment + on.reserve - on.tau)
                .lpNorm<Eigen::Infinity>(),
            1e-6 * std::max(1.0, on.tau.lpNorm<Eigen::Infinity>()));
  // The pressure carries part of the extension moment and distracts the disc: less compression at
  // every listed level.
  for (int j : m.abdominal_pressure.joints)
    EXPECT_LT(on.disc_force(0, j), off.disc_force(0, j) - 0.5 * on.abdominal_pressure * m.abdominal_pressure.area)
        << m.joint_name[j];
}

TEST(AbdominalPressure, OffOrBelowThresholdIsExactlyTheEngineWithoutIt) {
  const Model& m = test::full_spine();
  Model without = m;
  without.abdominal_pressure = AbdominalPressureParameters{};
  LoadSharingSettings s;
  // Loaded: the setting off reproduces a model without the block, bit for bit.
  {
    Data a(m), b(without);
    stoop(m, a, 20);
    stoop(without, b, 20);
    LoadSharingSettings off = s;
    off.abdominal_pressure = false;
    load_sharing(m, off, a);
    reactions(m, a);
    load_sharing(without, s, b);
    reactions(without, b);
    EXPECT_EQ(a.activation, b.activation);
    EXPECT_EQ(a.disc_force, b.disc_force);
  }
  // Relaxed upright standing needs less than the relation's 14.3 N·m at L4-L5: no pressure, the
  // same answer as without the block.
  {
    Data a(m), b(without);
    Posture p = neutral_posture(m);
    set_static_posture(m, p, a);
    set_static_posture(without, p, b);
    evaluate_frame(m, a);
    evaluate_frame(without, b);
    ASSERT_LT(abdominal_pressure_driving_moment(m, a), 14.0);
    load_sharing(m, s, a);
    reactions(m, a);
    load_sharing(without, s, b);
    reactions(without, b);
    EXPECT_EQ(a.abdominal_pressure, 0.0);
    EXPECT_EQ(a.activation, b.activation);
    EXPECT_EQ(a.disc_force, b.disc_force);
  }
}

TEST(AbdominalPressure, MoreLoadMorePressureNeverAboveTheBound) {
  const Model& m = test::full_spine();
  double last = -1;
  for (double load : {0.0, 5.0, 10.0, 20.0, 40.0, 80.0}) {
    Data d(m);
    stoop(m, d, load);
    abdominal_pressure(m, true, d);
    EXPECT_GT(d.abdominal_pressure, last) << load << " kg";
    EXPECT_LE(d.abdominal_pressure, m.abdominal_pressure.max_pressure);
    last = d.abdominal_pressure;
  }
  Data d(m);
  stoop(m, d, 400);
  abdominal_pressure(m, true, d);
  EXPECT_EQ(d.abdominal_pressure, m.abdominal_pressure.max_pressure);
}

TEST(AbdominalPressure, ScalesWithTheSubject) {
  Subject s;
  s.body_mass = 2 * test::full_spine().reference_body_mass;
  s.height = test::full_spine().reference_height;
  const Model big = scale_model(test::full_spine(), s);
  EXPECT_NEAR(big.abdominal_pressure.area, 2 * test::full_spine().abdominal_pressure.area, 1e-12);
  EXPECT_NEAR(big.abdominal_pressure.moment_arm, test::full_spine().abdominal_pressure.moment_arm, 1e-12);
}

// Mairiaux's relation is read on the moment the reference body would need (M / (mass ratio · height
// ratio)), and A·d scales with mass at a given height, so for the same posture the pressure is the
// same and the moment it carries keeps its share of the L4-L5 net moment at every body mass. On the
// absolute moment the share was 11 % at 50 kg, 21 % at 79.6 kg and 34 % at 120 kg.
TEST(AbdominalPressure, ShareOfTheNetMomentDoesNotDependOnBodyMass) {
  const Model& ref = test::full_spine();
  const int l45 = ref.joint_index("L4-L5");
  std::vector<double> share, pressure;
  for (double mass : {50.0, ref.reference_body_mass, 120.0}) {
    Subject s;
    s.body_mass = mass;
    s.height = ref.reference_height;
    const Model m = scale_model(ref, s);
    Data d(m);
    stoop(m, d, 0, 30, 20);
    LoadSharingSettings settings;
    load_sharing(m, settings, d);
    ASSERT_EQ(d.loadsharing_info.status, QpStatus::kSolved) << mass;
    ASSERT_LT(d.tau[m.dof(l45, kFlexion)], 0) << mass;  // an extension demand
    ASSERT_GT(d.abdominal_pressure, 0) << mass;
    share.push_back(d.abdominal_pressure_moment[m.dof(l45, kFlexion)] / d.tau[m.dof(l45, kFlexion)]);
    pressure.push_back(d.abdominal_pressure);
  }
  EXPECT_GT(share[1], 0.1);  // the pressure does carry a part
  EXPECT_NEAR(share[0], share[1], 1e-9);
  EXPECT_NEAR(share[2], share[1], 1e-9);
  EXPECT_NEAR(pressure[0], pressure[1], 1e-9 * pressure[1]);
  EXPECT_NEAR(pressure[2], pressure[1], 1e-9 * pressure[1]);
}

// The reference subject given explicitly is the model file's: the relation is read on its moment
// unchanged (scale exactly 1), so its results are what they were before subject-size normalization.
TEST(AbdominalPressure, ReferenceSubjectReadsTheRelationOnItsOwnMoment) {
  const Model& ref = test::full_spine();
  EXPECT_EQ(ref.abdominal_pressure.reference_moment_scale, 1.0);
  Subject s;
  s.body_mass = ref.reference_body_mass;
  s.height = ref.reference_height;
  EXPECT_EQ(scale_model(ref, s).abdominal_pressure.reference_moment_scale, 1.0);
  Subject t;
  t.body_mass = 70;
  t.height = 1.75;
  const Model m = scale_model(ref, t);
  EXPECT_NEAR(m.abdominal_pressure.reference_moment_scale,
              ref.reference_body_mass * ref.reference_height / (70 * 1.75), 1e-15);
  // A moment the 70 kg subject needs is read as the reference body's moment for the same posture.
  EXPECT_NEAR(abdominal_pressure_from_moment(m.abdominal_pressure, 100),
              abdominal_pressure_from_moment(ref.abdominal_pressure, 100 * m.abdominal_pressure.reference_moment_scale),
              1e-9);
}

TEST(AbdominalPressure, BadBlocksAreErrorsNamingTheField) {
  auto expect_error = [](const std::string& block, const std::string& needle) {
    try {
      parse_model(mini_with(block), "mini_iap.yaml");
      FAIL() << "expected an error mentioning " << needle;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("mini_iap.yaml"), std::string::npos) << e.what();
    }
  };
  std::string b = kIapBlock;
  expect_error(std::string(b).replace(b.find("[top-mid, mid-base]"), 19, "[top-mid, nowhere]"),
               "abdominal_pressure.joints[1]");
  expect_error(std::string(b).replace(b.find("reference_joint: mid-base"), 25, "reference_joint: nowhere"),
               "abdominal_pressure.reference_joint");
  expect_error(std::string(b).replace(b.find("area: 0.04"), 10, "area: 465"), "abdominal_pressure.area");
  expect_error(std::string(b).replace(b.find("max_pressure_kpa: 20"), 20, "max_pressure_kpa: -1"),
               "abdominal_pressure.max_pressure_kpa");
  expect_error(std::string(b).replace(b.find("  source: \"synthetic test fixture\"\n"), 35, ""), "abdominal_pressure.source");
}

}  // namespace
}  // namespace paraspine

namespace paraspine {
namespace {

// The scenario switch: default on, `abdominal_pressure: false` off, anything else an error naming
// the field and the file.
TEST(AbdominalPressure, ScenarioSwitch) {
  const std::string head = "paraspine_scenario: 1\nname: t\nkeyframes:\n  - time: 0\n  - time: 1\n";
  EXPECT_TRUE(parse_scenario(head, "s.yaml").abdominal_pressure);
  EXPECT_FALSE(parse_scenario(head + "abdominal_pressure: false\n", "s.yaml").abdominal_pressure);
  EXPECT_TRUE(parse_scenario(head + "abdominal_pressure: true\n", "s.yaml").abdominal_pressure);
  try {
    parse_scenario(head + "abdominal_pressure: maybe\n", "s.yaml");
    FAIL() << "a non-boolean abdominal_pressure must be an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("abdominal_pressure"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("s.yaml"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace paraspine
