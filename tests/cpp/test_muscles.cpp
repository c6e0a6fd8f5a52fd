// Muscle paths: every moment arm equals −∂length/∂angle (central differences), for random postures
// and every muscle of the default model; length rates and fibre velocities match differences too.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <random>

#include "fixtures.h"
#include "sim/kinematics/kinematics.h"
#include "sim/kinematics/timeline.h"
#include "sim/loadsharing/reactions.h"
#include "sim/model/subject.h"
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
  m.point_blend.insert(m.point_blend.begin() + at, {});  // an ordinary point: one component of weight 1
  Eigen::VectorXd share(m.npoint + 1);
  share << m.point_share.head(at), 1.0, m.point_share.tail(m.npoint - at);
  m.point_share = share;
  for (int i = 1; i <= m.nmuscle; ++i) ++m.muscle_point_begin[i];
  ++m.npoint;
  finalize_model(m);
  EXPECT_FALSE(m.muscle_crosses_once[0]);
  for (int i = 1; i < m.nmuscle; ++i) EXPECT_EQ(m.muscle_crosses_once[i], !m.muscle_has_blend[i]) << m.muscle_name[i];
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
    for (int k = m.muscle_point_begin[i]; k < m.muscle_point_begin[i + 1]; ++k)
      for (int c = 0; c < m.point_ncomponent(k); ++c) {
        const int s = m.component_segment(k, c);
        lo = std::min(lo, s);
        hi = std::max(hi, s);
      }
    for (int j = 0; j < m.njoint; ++j) {
      const bool crossed = m.joint_child(j) > lo && m.joint_child(j) <= hi;  // the model is a chain
      if (!crossed) {
        for (int a = 0; a < 3; ++a) EXPECT_EQ(d.moment_arm(3 * j + a, i), 0.0) << m.muscle_name[i] << " " << m.joint_name[j];
      }
    }
  }
}

// The mini model's text with the flexor's path, [[base, 0.08, 0.0, 0.04], [top, 0.1, 0.15, 0.04]],
// given a via point between its two ends; returns the text and where the path was.
std::pair<std::string, size_t> mini_with_flexor_via(const std::string& via) {
  std::string text = test::kMiniModel;
  const std::string from = "path: [[base, 0.08, 0.0, 0.04], [top, 0.1, 0.15, 0.04]]";
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos);
  text.replace(at, from.size(), "path: [[base, 0.08, 0.0, 0.04], " + via + ", [top, 0.1, 0.15, 0.04]]");
  return {text, at};
}

// A point riding on two segments (Model::point_blend): the mini model's flexor with a via point on
// the band between base and top, half-way up, shared 0.3 by top.
Model mini_with_band() {
  return parse_model(mini_with_flexor_via("{between: [base, top], share: 0.3, at: [0.12, 0.18, 0.04]}").first, "mini_band.yaml");
}

TEST(BlendedPoints, SitWhereTheFileSaysAtNeutralAndBlendTheirTwoSegmentsWhenMoved) {
  const Model m = mini_with_band();
  const int flexor = m.muscle_index("flexor");
  ASSERT_GE(flexor, 0);
  EXPECT_TRUE(m.muscle_has_blend[flexor]);
  EXPECT_FALSE(m.muscle_has_blend[m.muscle_index("erector_r")]);
  const int k = m.muscle_point_begin[flexor] + 1;
  ASSERT_EQ(m.point_ncomponent(k), 2);
  EXPECT_EQ(m.component_segment(k, 1), m.segment_index("top"));
  EXPECT_DOUBLE_EQ(m.component_share(k, 1), 0.3);
  EXPECT_DOUBLE_EQ(m.component_share(k, 0), 0.7);
  Data d(m);
  forward_kinematics(m, d);
  muscle_geometry(m, d);
  EXPECT_LT((d.point_world.col(k) - (d.segment_rotation[0] * Vec3(0.12, 0.18, 0.04) + d.segment_origin.col(0))).norm(), 1e-12);
  // Flexed: the point is 0.7 of where base carries it plus 0.3 of where top carries it.
  d.q[m.dof(m.joint_index("mid-base"), kFlexion)] = 0.3;
  d.q[m.dof(m.joint_index("top-mid"), kAxialRotation)] = 0.1;
  forward_kinematics(m, d);
  muscle_geometry(m, d);
  const int top = m.segment_index("top");
  const Vec3 on_base = d.segment_rotation[0] * m.point_pos.col(k) + d.segment_origin.col(0);
  const Vec3 on_top = d.segment_rotation[top] * m.component_pos(k, 1) + d.segment_origin.col(top);
  EXPECT_GT((on_base - on_top).norm(), 0.01);
  EXPECT_LT((d.point_world.col(k) - (0.7 * on_base + 0.3 * on_top)).norm(), 1e-12);
  // The span is the two joints, although the via point's first segment is the origin's.
  EXPECT_EQ(m.muscle_joint_lo[flexor], 0);
  EXPECT_EQ(m.muscle_joint_hi[flexor], 1);
}

// The same band with anchors (the flexor's own ends): the point follows the chord between them.
// `at` on the chord, so the point is exactly (1 − s)·A + s·B in every posture. side: right, or both
// (flexor_r and flexor_l, the left one's `at` and anchors mirrored, z → −z); bz: B's z (a B off the
// flexor's own end, so that the chord is not parallel to the mirror plane).
Model mini_with_anchored_band(const std::string& side = "right", double bz = 0.04) {
  // A = (0.08, 0, 0.04) on base; B = top's (0.1, 0.15, bz), at neutral (0.1 + ..., computed below).
  auto [text, at] = mini_with_flexor_via(fmt::format(
      "{{between: [base, top], share: 0.3, at: [AT], anchors: [[0.08, 0.0, 0.04], [0.1, 0.15, {:.17g}]]}}", bz));
  const size_t side_at = text.rfind("side: right", at);  // the flexor's, replaced last
  EXPECT_NE(side_at, std::string::npos);
  // Where B lies at neutral in base's frame: load once without the via point to find it.
  const Model plain = test::mini_model();
  Data d(plain);
  forward_kinematics(plain, d);
  const int top = plain.segment_index("top");
  const Vec3 B = d.segment_rotation[0].transpose() * (d.segment_rotation[top] * Vec3(0.1, 0.15, bz) + d.segment_origin.col(top) - d.segment_origin.col(0));
  const Vec3 on_chord = 0.7 * Vec3(0.08, 0.0, 0.04) + 0.3 * B;
  text.replace(text.find("AT"), 2, fmt::format("{:.17g}, {:.17g}, {:.17g}", on_chord.x(), on_chord.y(), on_chord.z()));
  text.replace(side_at, std::string("side: right").size(), "side: " + side);
  return parse_model(text, "mini_anchored_band.yaml");
}

// In random postures each named copy's via point is (1 − s)·A + s·B, A = (0.08, 0, 0.04 zsign) on base
// and B = (0.1, 0.15, bz zsign) on top (mini_with_anchored_band); then its moment arms against
// differences.
void expect_on_the_chord(const Model& m, std::initializer_list<std::pair<const char*, double>> copies, double bz,
                         unsigned seed, int npostures) {
  const int top = m.segment_index("top");
  std::mt19937 rng(seed);
  Data d(m);
  for (int trial = 0; trial < 10; ++trial) {
    random_posture(m, rng, d);
    forward_kinematics(m, d);
    muscle_geometry(m, d);
    for (const auto& [name, zsign] : copies) {
      const int i = m.muscle_index(name);
      ASSERT_GE(i, 0) << name;
      ASSERT_TRUE(m.muscle_has_blend[i]) << name;
      const int k = m.muscle_point_begin[i] + 1;
      const Vec3 A = d.segment_rotation[0] * Vec3(0.08, 0.0, 0.04 * zsign) + d.segment_origin.col(0);
      const Vec3 B = d.segment_rotation[top] * Vec3(0.1, 0.15, bz * zsign) + d.segment_origin.col(top);
      EXPECT_LT((d.point_world.col(k) - (0.7 * A + 0.3 * B)).norm(), 1e-12) << name << ", trial " << trial;
    }
  }
  check_moment_arms(m, npostures);
}

TEST(BlendedPoints, WithAnchorsFollowTheChordBetweenThem) {
  expect_on_the_chord(mini_with_anchored_band(), {{"flexor", 1.0}}, 0.04, 21, 10);
}

// side: both: the left copy's `at` and anchors are mirrored, so its point follows the mirrored chord,
// also in lateral bending and axial rotation (where an unmirrored anchor would pull it off).
TEST(BlendedPoints, WithAnchorsMirroredForTheLeftSide) {
  expect_on_the_chord(mini_with_anchored_band("both", 0.0), {{"flexor_r", 1.0}, {"flexor_l", -1.0}}, 0.0, 22, 5);
}

TEST(BlendedPoints, MomentArmsAndRatesEqualLengthDerivatives) {
  const Model m = mini_with_band();
  check_moment_arms(m, 20);
  // The length rate along a random joint velocity: d/dt length = −Σ moment arm · q̇.
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> u(-1, 1);
  Data d(m), dp(m), dm(m);
  random_posture(m, rng, d);
  for (int k = 0; k < m.ndof; ++k) d.qd[k] = u(rng);
  forward_kinematics(m, d);
  muscle_geometry(m, d);
  const double h = 1e-6;
  dp.q = d.q + h * d.qd, dm.q = d.q - h * d.qd;
  dp.pelvis_angles = dm.pelvis_angles = d.pelvis_angles;
  for (Data* x : {&dp, &dm}) forward_kinematics(m, *x), muscle_geometry(m, *x);
  for (int i = 0; i < m.nmuscle; ++i)
    EXPECT_NEAR(d.muscle_velocity[i], (dp.muscle_length[i] - dm.muscle_length[i]) / (2 * h), 1e-8) << m.muscle_name[i];
}

// Virtual work: the generalized force T × moment arm about each joint axis equals the moment, about
// that axis through the joint centre, of the forces the path applies to the bodies beyond the joint,
// each point's pull T (u_k − u_(k−1)) shared between its two material points (1 − s, s). So the
// forces reactions() takes out of each level are those the load sharing balanced, for every fascicle
// of full_spine and for the band.
void check_virtual_work(const Model& m, int npostures) {
  std::mt19937 rng(5);
  Data d(m);
  for (int trial = 0; trial < npostures; ++trial) {
    random_posture(m, rng, d);
    forward_kinematics(m, d);
    muscle_geometry(m, d);
    for (int i = 0; i < m.nmuscle; ++i) {
      const double T = 100.0;
      d.muscle_force.setZero();
      d.muscle_force[i] = T;
      const int first = m.muscle_point_begin[i], end = m.muscle_point_begin[i + 1];
      for (int j = 0; j < m.njoint; ++j) {
        auto beyond = [&](int x) {
          for (; x > 0; x = m.segment_parent[x])
            if (x == m.joint_child(j)) return true;
          return false;
        };
        Vec3 moment = Vec3::Zero(), force = Vec3::Zero();
        for (int k = first; k < end; ++k) {
          const Vec3 pull = T * (Vec3(d.piece_direction.col(k)) - (k > first ? Vec3(d.piece_direction.col(k - 1)) : Vec3::Zero()));
          for (int c = 0; c < m.point_ncomponent(k); ++c) {  // each component's share on its own segment
            const int b = m.component_segment(k, c);
            const double w = m.component_share(k, c);
            if (!beyond(b)) continue;
            const Vec3 xb = d.segment_rotation[b] * m.component_pos(k, c) + d.segment_origin.col(b);
            moment += w * (xb - d.joint_center.col(j)).cross(pull), force += w * pull;
          }
        }
        for (int a = 0; a < 3; ++a)
          ASSERT_NEAR(T * d.moment_arm(3 * j + a, i), d.dof_axis.col(3 * j + a).dot(moment), 1e-9)
              << m.muscle_name[i] << " about " << m.joint_name[j] << " " << kAxisNames[a];
        ASSERT_LT((muscle_pull_above(m, d, i, j) - force).norm(), 1e-9) << m.muscle_name[i] << " at " << m.joint_name[j];
      }
    }
  }
}

TEST(BlendedPoints, ForcesOnTheBodiesAboveAJointDoTheVirtualWorkOfTheMomentArms) {
  check_virtual_work(mini_with_band(), 5);
  check_virtual_work(mini_with_anchored_band(), 5);
  check_virtual_work(test::full_spine(), 1);
}

// reactions() takes out of each level exactly what muscle_pull_above says the muscles apply above it,
// by the fast route (ordinary fascicles) and by the general one (a blended point).
void check_reactions(const Model& m, unsigned seed) {
  Data d(m);
  std::mt19937 rng(seed);
  random_posture(m, rng, d);
  evaluate_frame(m, d);
  d.muscle_force.setZero();
  d.passive_joint_moment.setZero();
  reactions(m, d);
  const Eigen::Matrix3Xd without = d.contact_force;
  std::uniform_real_distribution<double> u(0, 200);
  for (int i = 0; i < m.nmuscle; ++i) d.muscle_force[i] = u(rng);
  reactions(m, d);
  for (int j = 0; j < m.njoint; ++j) {
    Vec3 pulls = Vec3::Zero();
    for (int i = 0; i < m.nmuscle; ++i) pulls += muscle_pull_above(m, d, i, j);
    EXPECT_LT((without.col(j) - pulls - d.contact_force.col(j)).norm(), 1e-8 * (1 + pulls.norm())) << m.joint_name[j];
  }
}

TEST(BlendedPoints, ReactionsTakeOutWhatTheMusclesApplyAboveEachJoint) {
  check_reactions(mini_with_band(), 9);
  check_reactions(mini_with_anchored_band(), 9);
  check_reactions(test::full_spine(), 9);
}

// The model format allows trees: here two branches above `mid` (top, side) and one beside it on the
// root (leg), with blended points whose segments lie on different branches (m1: side and leg, common
// ancestor the root; m2: top and side, common ancestor mid), two blended points in a row (m3), the
// mirrored left side (m1 both, m3 left), and a subject of another sex, height and mass (both material
// points scale alike). The mini band above only has a blend whose first segment is the root of a chain.
const char* kTreeWithBands = R"(paraspine_model: 1
name: tree
reference_subject: {body_mass: 70, height: 1.75, sex: male, source: "synthetic test fixture"}
muscle_defaults:
  all: {specific_tension: 1.0e6, type1_fraction: 0.6, source: "synthetic test fixture"}
segments:
  - {name: base, mass: 10, com: [0, 0, 0], inertia: [0.1, 0.1, 0.1], source: "synthetic test fixture"}
  - name: mid
    parent: base
    mass: 4
    com: [0.01, 0.05, 0.0]
    inertia: [0.02, 0.01, 0.02]
    joint: {name: mid-base, in_parent: {position: [0, 0.1, 0]}, range_deg: {flexion: [-20, 30], lateral_bending: [-20, 20], axial_rotation: [-10, 10]}, source: "synthetic test fixture"}
    source: "synthetic test fixture"
  - name: leg
    parent: base
    mass: 4
    com: [0.0, -0.05, 0.0]
    inertia: [0.02, 0.01, 0.02]
    joint: {name: leg-base, in_parent: {position: [0.02, -0.1, 0.05], rotation_xyz_deg: [10, 5, 0]}, range_deg: {flexion: [-20, 30], lateral_bending: [-20, 20], axial_rotation: [-10, 10]}, source: "synthetic test fixture"}
    source: "synthetic test fixture"
  - name: top
    parent: mid
    mass: 20
    com: [0.02, 0.2, 0.0]
    inertia: [0.5, 0.2, 0.5]
    joint: {name: top-mid, in_parent: {position: [0, 0.1, 0], rotation_xyz_deg: [0, 0, 10]}, in_child: {position: [0, 0, 0], rotation_xyz_deg: [0, 0, 10]}, range_deg: {flexion: [-20, 30], lateral_bending: [-20, 20], axial_rotation: [-10, 10]}, source: "synthetic test fixture"}
    source: "synthetic test fixture"
  - name: side
    parent: mid
    mass: 3
    com: [0.02, 0.02, 0.1]
    inertia: [0.05, 0.02, 0.05]
    joint: {name: side-mid, in_parent: {position: [0, 0.08, 0.06], rotation_xyz_deg: [20, 0, -15]}, in_child: {position: [0.01, 0, 0], rotation_xyz_deg: [0, 30, 0]}, range_deg: {flexion: [-20, 30], lateral_bending: [-20, 20], axial_rotation: [-10, 10]}, source: "synthetic test fixture"}
    source: "synthetic test fixture"
muscles:
  - {name: m1, group: g1, side: both, path: [[top, 0.05, 0.1, 0.03], {between: [side, leg], share: 0.4, at: [0.1, -0.1, 0.05]}, [leg, 0.05, -0.05, 0.04]], max_isometric_force: 300, optimal_fiber_length: 0.1, tendon_slack_length: 0.05, pennation_deg: 5, source: "synthetic test fixture"}
  - {name: m2, group: g2, side: right, path: [[top, 0.05, 0.1, 0.03], {between: [top, side], share: 0.5, at: [0.05, 0.05, 0.05]}, [side, 0.0, 0.05, 0.1]], max_isometric_force: 300, optimal_fiber_length: 0.1, tendon_slack_length: 0.05, pennation_deg: 5, source: "synthetic test fixture"}
  - {name: m3, group: g3, side: left, path: [{between: [base, top], share: 0.3, at: [0.08, 0.1, 0.04]}, {between: [leg, side], share: 0.7, at: [0.08, 0.05, 0.04]}, [top, 0.1, 0.15, 0.04]], max_isometric_force: 300, optimal_fiber_length: 0.3, tendon_slack_length: 0.05, pennation_deg: 5, source: "synthetic test fixture"}
  - {name: m4, group: g4, side: right, path: [[leg, 0.05, -0.05, 0.04], [side, 0.0, 0.05, 0.1]], max_isometric_force: 300, optimal_fiber_length: 0.1, tendon_slack_length: 0.05, pennation_deg: 5, source: "synthetic test fixture"}
)";

TEST(BlendedPoints, TreesSpansBelowTheCommonAncestorMirroredAndScaled) {
  const Model tree = parse_model(kTreeWithBands, "tree.yaml");
  const int m2 = tree.muscle_index("m2"), mid = tree.segment_index("mid");
  ASSERT_GE(m2, 0);
  EXPECT_EQ(tree.muscle_path_root[m2], mid);
  EXPECT_EQ(tree.muscle_path_root[tree.muscle_index("m1_l")], 0);
  Subject other;
  other.sex = "female", other.height = 1.55, other.body_mass = 52;
  for (const Model& m : {tree, scale_model(tree, other)}) {
    // Both material points of every blended point coincide at neutral.
    Data d(m);
    forward_kinematics(m, d);
    for (int k = 0; k < m.npoint; ++k) {
      const int a = m.point_segment[k];
      const Vec3 xa = d.segment_rotation[a] * m.point_pos.col(k) + d.segment_origin.col(a);
      for (int c = 1; c < m.point_ncomponent(k); ++c) {
        const int b = m.component_segment(k, c);
        const Vec3 xb = d.segment_rotation[b] * m.component_pos(k, c) + d.segment_origin.col(b);
        EXPECT_LT((xa - xb).norm(), 1e-12) << k;
      }
    }
    // m2's segments are above mid: the joint below it turns the whole path, its moment arms are zero.
    std::mt19937 rng(7);
    random_posture(m, rng, d);
    forward_kinematics(m, d);
    muscle_geometry(m, d);
    const int below = m.joint_index("mid-base");
    for (int a = 0; a < 3; ++a) EXPECT_EQ(d.moment_arm(3 * below + a, m2), 0.0);
    check_moment_arms(m, 10);
    check_virtual_work(m, 5);
    check_reactions(m, 7);  // reactions() against muscle_pull_above, as for the band and full_spine
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
