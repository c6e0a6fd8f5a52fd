// Path points on N ≥ 2 segments ({between: [s1, ..., sN], shares: [w1, ..., wN], at: [x, y, z]},
// Model::point_blend; docs/model-format.md, docs/sources/latissimus_path.md): the bundled lumbar
// model with IL_R5's via point on L2 spread over L2, L1 and L3 (shares 0.3, 0.2, 0.5 — `at` stays
// in L2's frame, so L2 is named first). Moment arms are −∂length/∂q, the reactions balance the
// forces on the bodies above every joint, shares that leave one or two segments give the bits of
// the ordinary and two-segment forms, and the loader names what is wrong with a bad point.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/kinematics/kinematics.h"
#include "sim/loadsharing/reactions.h"
#include "sim/model/subject.h"
#include "sim/muscles/muscle_geometry.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

const char* kVia = "- [L2, -0.060263, 0.0235332, 0.0451909]";  // IL_R5's via point (both sides)
const char* kAt = "at: [-0.060263, 0.0235332, 0.0451909]";

std::string lumbar_text() {
  std::ifstream in(test::default_model_path());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// lumbar.yaml with IL_R5's via point replaced by `point` (a flow mapping).
std::string lumbar_with(const std::string& point) {
  std::string text = lumbar_text();
  const size_t at = text.find(kVia);
  EXPECT_NE(at, std::string::npos);
  EXPECT_EQ(text.find(kVia, at + 1), std::string::npos);  // the only one
  text.replace(at, std::string(kVia).size(), "- " + point);
  return text;
}

Model three_segment_model(const std::string& shares = "[0.3, 0.2, 0.5]") {
  return parse_model(lumbar_with("{between: [L2, L1, L3], shares: " + shares + ", " + kAt + "}"), "lumbar3.yaml");
}

// lumbar.yaml with the one line `from` replaced by `to`.
Model lumbar_replacing(const std::string& from, const std::string& to, const char* name) {
  std::string text = lumbar_text();
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from;
  return parse_model(text.replace(at, from.size(), to), name);
}

// Components that change which joints a fascicle spans and its common ancestor (review20: the two
// models above leave both as they were, so a span or root taken from the first components only went
// unseen). IL_L4 (pelvis → L4) with its L4 end shared with L2 and the thorax: it now also crosses
// L3-L4 … T12-L1. LTpT_T4 (L4 → L1 → thorax) with its L4 origin shared with L5, below every other
// segment of its path: its root moves down to L5.
Model span_extending_model() {
  return lumbar_replacing("      - [L4, -0.0498885, 0.025506, 0.0532212]",
                          "      - {between: [L4, L2, thorax], shares: [0.5, 0.25, 0.25], at: [-0.0498885, 0.025506, 0.0532212]}",
                          "lumbar_span.yaml");
}
Model root_lowering_model() {
  return lumbar_replacing("      - [L4, -0.0751779, 0.00563317, 0.0277196]",
                          "      - {between: [L4, L5], shares: [0.6, 0.4], at: [-0.0751779, 0.00563317, 0.0277196]}",
                          "lumbar_root.yaml");
}

struct BlendCase {
  const char* label;
  Model (*model)();
  const char* fascicle;  // the fascicle with the N-segment point
};
const BlendCase kCases[] = {{"three segments on its own joints", [] { return three_segment_model(); }, "IL_R5_r"},
                            {"a component beyond its span", span_extending_model, "IL_L4_r"},
                            {"a component below its root", root_lowering_model, "LTpT_T4_r"}};

void random_posture(const Model& m, std::mt19937& rng, Data& d) {
  std::uniform_real_distribution<double> u(0, 1);
  for (int k = 0; k < m.ndof; ++k) d.q[k] = m.dof_range(k, 0) + u(rng) * (m.dof_range(k, 1) - m.dof_range(k, 0));
  for (int i = 0; i < 3; ++i) d.pelvis_angles[i] = 0.6 * (u(rng) - 0.5);
}

TEST(MultiSegmentPoints, LoadedAsThreeComponentsAtTheSameMaterialPointAtNeutral) {
  const Model m = three_segment_model();
  for (const char* side : {"IL_R5_r", "IL_R5_l"}) {
    const int i = m.muscle_index(side);
    ASSERT_GE(i, 0) << side;
    EXPECT_TRUE(m.muscle_has_blend[i]);
    const int k = m.muscle_point_begin[i] + 1;
    ASSERT_EQ(m.point_ncomponent(k), 3);
    EXPECT_EQ(m.component_segment(k, 0), m.segment_index("L2"));
    EXPECT_EQ(m.component_segment(k, 1), m.segment_index("L1"));
    EXPECT_EQ(m.component_segment(k, 2), m.segment_index("L3"));
    EXPECT_EQ(m.component_share(k, 0), 0.3);
    EXPECT_EQ(m.component_share(k, 1), 0.2);
    EXPECT_EQ(m.component_share(k, 2), 0.5);
    Data d(m);
    forward_kinematics(m, d);
    muscle_geometry(m, d);
    const int l2 = m.segment_index("L2");
    const double z = std::string(side).back() == 'l' ? -0.0451909 : 0.0451909;
    const Vec3 at = d.segment_rotation[l2] * Vec3(-0.060263, 0.0235332, z) + d.segment_origin.col(l2);
    for (int c = 0; c < 3; ++c) {
      const int s = m.component_segment(k, c);
      EXPECT_LT((d.segment_rotation[s] * m.component_pos(k, c) + d.segment_origin.col(s) - at).norm(), 1e-12) << c;
    }
    EXPECT_LT((d.point_world.col(k) - at).norm(), 1e-12);
    // The fascicle now spans L1-L2 and L2-L3 as well as its own joints (pelvis to thorax): unchanged here.
  }
  // A subject of another size scales every component alike: still one material point at neutral.
  Subject other;
  other.sex = "female", other.height = 1.55, other.body_mass = 52;
  const Model s = scale_model(m, other);
  Data d(s);
  forward_kinematics(s, d);
  const int k = s.muscle_point_begin[s.muscle_index("IL_R5_r")] + 1;
  const int a = s.component_segment(k, 0);
  const Vec3 x0 = d.segment_rotation[a] * s.component_pos(k, 0) + d.segment_origin.col(a);
  for (int c = 1; c < 3; ++c) {
    const int b = s.component_segment(k, c);
    EXPECT_LT((d.segment_rotation[b] * s.component_pos(k, c) + d.segment_origin.col(b) - x0).norm(), 1e-12) << c;
  }
}

// (a) Moment arms against central differences of the musculotendon length, every fascicle, random
// postures (the tolerance of tests/cpp/test_muscles.cpp's check: 1e-6 m at h = 1e-6).
void expect_moment_arms_are_minus_the_length_derivative(const Model& m, const char* fascicle) {
  std::mt19937 rng(13);
  Data d(m), dp(m), dm(m);
  const double h = 1e-6;
  const int il = m.muscle_index(fascicle);
  double largest_arm = 0;
  for (int trial = 0; trial < 8; ++trial) {
    random_posture(m, rng, d);
    forward_kinematics(m, d);
    muscle_geometry(m, d);
    for (int k = 0; k < m.ndof; ++k) {
      dp.q = dm.q = d.q;
      dp.q[k] += h, dm.q[k] -= h;
      dp.pelvis_angles = dm.pelvis_angles = d.pelvis_angles;
      for (Data* x : {&dp, &dm}) forward_kinematics(m, *x), muscle_geometry(m, *x);
      for (int i = 0; i < m.nmuscle; ++i) {
        const double fd = -(dp.muscle_length[i] - dm.muscle_length[i]) / (2 * h);
        ASSERT_LT(std::abs(d.moment_arm(k, i) - fd), 1e-6)
            << m.muscle_name[i] << " about " << m.joint_name[k / 3] << " " << kAxisNames[k % 3] << ": analytic "
            << d.moment_arm(k, i) << " m, FD " << fd;
      }
      largest_arm = std::max(largest_arm, std::abs(d.moment_arm(k, il)));
    }
    // The length rate is the moment arms' product with q̇ (the general route's own sum).
    d.qd.setRandom();
    muscle_geometry(m, d);
    dp.q = d.q + h * d.qd, dm.q = d.q - h * d.qd;
    dp.pelvis_angles = dm.pelvis_angles = d.pelvis_angles;
    for (Data* x : {&dp, &dm}) forward_kinematics(m, *x), muscle_geometry(m, *x);
    EXPECT_NEAR(d.muscle_velocity[il], (dp.muscle_length[il] - dm.muscle_length[il]) / (2 * h), 1e-7);
    d.qd.setZero();
  }
  EXPECT_GT(largest_arm, 0.01) << fascicle;  // the fascicle does have moment arms
}

TEST(MultiSegmentPoints, MomentArmsAreMinusTheLengthDerivative) {
  for (const BlendCase& c : kCases) {
    SCOPED_TRACE(c.label);
    expect_moment_arms_are_minus_the_length_derivative(c.model(), c.fascicle);
  }
  // The span grows with a component beyond it: IL_L4 now has arms up to T12-L1.
  const Model span = span_extending_model();
  const int il4 = span.muscle_index("IL_L4_r");
  EXPECT_EQ(span.muscle_joint_hi[il4], span.joint_index("T12-L1"));
  Data ds(span);
  forward_kinematics(span, ds), muscle_geometry(span, ds);
  const int t12 = span.joint_index("T12-L1");
  EXPECT_GT(ds.moment_arm.block(3 * t12, il4, 3, 1).cwiseAbs().maxCoeff(), 1e-4);  // none without the blend
  // The joints L1-L2 and L2-L3 are crossed by the components on L1 and L3: moment arms there differ
  // from the ordinary point's (the share moves force off L2).
  const Model m = three_segment_model();
  const int il = m.muscle_index("IL_R5_r");
  const Model plain = load_model(test::default_model_path());
  Data a(m), b(plain);
  a.q.setZero(), b.q.setZero();
  for (Data* x : {&a}) forward_kinematics(m, *x), muscle_geometry(m, *x);
  forward_kinematics(plain, b), muscle_geometry(plain, b);
  const int l1l2 = m.joint_index("L1-L2");
  EXPECT_NE(a.moment_arm(3 * l1l2 + kFlexion, il), b.moment_arm(3 * l1l2 + kFlexion, plain.muscle_index("IL_R5_r")));
}

// (b) Static equilibrium: a loaded flexed posture solved by the load sharing; at every joint the
// disc force of reactions() equals the one rebuilt from the net joint force (inverse dynamics) minus
// an independent sum of the muscle forces on the bodies above — each point's pull T (u_k − u_(k−1))
// from the points' world positions, each component's share on its own segment — minus the
// abdominal pressure's push, plus the off-disc tissues' compression.
void expect_reactions_balance(const Model& m, const char* fascicle) {
  Data d(m);
  Posture p = neutral_posture(m);
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(30);
  p.region_angles(m.region_index("lumbar"), kLateralBending) = deg2rad(8);
  p.region_angles(m.region_index("lumbar"), kAxialRotation) = deg2rad(-6);
  test::solve_static(m, p, 10.0, d);
  std::string left = fascicle;
  left.back() = 'l';
  const int il_r = m.muscle_index(fascicle), il_l = m.muscle_index(left);
  // The solution may leave IL_R5 idle: give every fascicle a force so that the blend is loaded.
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> u(5, 150);
  for (int i = 0; i < m.nmuscle; ++i) d.muscle_force[i] += u(rng);
  ASSERT_GT(d.muscle_force[il_r], 0);
  ASSERT_GT(d.muscle_force[il_l], 0);
  reactions(m, d);
  auto world = [&](int k, int c) {
    const int s = m.component_segment(k, c);
    return Vec3(d.segment_rotation[s] * m.component_pos(k, c) + d.segment_origin.col(s));
  };
  for (int j = 0; j < m.njoint; ++j) {
    auto beyond = [&](int x) {
      for (; x > 0; x = m.segment_parent[x])
        if (x == m.joint_child(j)) return true;
      return false;
    };
    Vec3 pulls = Vec3::Zero();
    for (int i = 0; i < m.nmuscle; ++i) {
      const int first = m.muscle_point_begin[i], end = m.muscle_point_begin[i + 1];
      std::vector<Vec3> x;
      for (int k = first; k < end; ++k) {
        Vec3 pk = Vec3::Zero();
        for (int c = 0; c < m.point_ncomponent(k); ++c) pk += m.component_share(k, c) * world(k, c);
        x.push_back(pk);
      }
      for (int k = first; k < end; ++k) {
        const int n = k - first;
        const Vec3 leaving = k + 1 < end ? Vec3((x[n + 1] - x[n]).normalized()) : Vec3::Zero();
        const Vec3 arriving = k > first ? Vec3((x[n] - x[n - 1]).normalized()) : Vec3::Zero();
        const Vec3 pull = d.muscle_force[i] * (leaving - arriving);
        for (int c = 0; c < m.point_ncomponent(k); ++c)
          if (beyond(m.component_segment(k, c))) pulls += m.component_share(k, c) * pull;
      }
    }
    const Mat3 disc = disc_frame(m, d, j);
    const Vec3 contact = Vec3(d.joint_force.col(j)) - Vec3(d.abdominal_pressure_force.col(j)) - pulls;
    const Vec3 f = disc.transpose() * contact;
    const Vec3 expected(f.y() + off_disc_compression(m, d, j), -f.x(), -f.z());
    const double scale = 1 + pulls.norm() + Vec3(d.joint_force.col(j)).norm();
    EXPECT_LT((Vec3(d.disc_force.col(j)) - expected).norm(), 1e-8 * scale)
        << m.joint_name[j] << ": reactions " << d.disc_force.col(j).transpose() << ", independent " << expected.transpose();
    // muscle_pull_above (the decomposition helper) agrees with the same sum, every component counted.
    Vec3 helper = Vec3::Zero();
    for (int i = 0; i < m.nmuscle; ++i) helper += muscle_pull_above(m, d, i, j);
    EXPECT_LT((helper - pulls).norm(), 1e-9 * (1 + pulls.norm())) << m.joint_name[j];
  }
}

TEST(MultiSegmentPoints, ReactionsBalanceTheForcesOnTheBodiesAboveEveryJoint) {
  for (const BlendCase& c : kCases) {
    SCOPED_TRACE(c.label);
    expect_reactions_balance(c.model(), c.fascicle);
  }
  // The root moves below the path with a component on L5: LTpT_T4 now crosses L4-L5.
  const Model low = root_lowering_model();
  EXPECT_EQ(low.muscle_joint_lo[low.muscle_index("LTpT_T4_r")], low.joint_index("L4-L5"));
}

// Every output of a solved, loaded frame, bit for bit.
void expect_same_bits(const Model& a, const Model& b) {
  Data da(a), db(b);
  Posture p = neutral_posture(a);
  p.region_angles(a.region_index("lumbar"), kFlexion) = deg2rad(40);
  p.region_angles(a.region_index("lumbar"), kAxialRotation) = deg2rad(10);
  test::solve_static(a, p, 8.0, da);
  test::solve_static(b, p, 8.0, db);
  auto same = [](const auto& x, const auto& y, const char* what) {
    ASSERT_EQ(x.size(), y.size()) << what;
    EXPECT_EQ(std::memcmp(x.data(), y.data(), sizeof(double) * static_cast<size_t>(x.size())), 0) << what;
  };
  same(a.point_pos, b.point_pos, "point_pos");
  same(da.point_world, db.point_world, "point_world");
  same(da.muscle_length, db.muscle_length, "muscle_length");
  same(da.moment_arm, db.moment_arm, "moment_arm");
  same(da.muscle_force, db.muscle_force, "muscle_force");
  same(da.contact_force, db.contact_force, "contact_force");
  same(da.disc_force, db.disc_force, "disc_force");
  EXPECT_EQ(a.muscle_joint_lo, b.muscle_joint_lo);
  EXPECT_EQ(a.muscle_joint_hi, b.muscle_joint_hi);
}

// (c) Shares that leave one segment give an ordinary point, two the two-segment form, to the bit.
TEST(MultiSegmentPoints, SharesOnOneOrTwoSegmentsGiveTheBitsOfTheOrdinaryAndTwoSegmentForms) {
  const Model plain = load_model(test::default_model_path());
  const Model one = three_segment_model("[1, 0, 0]");
  EXPECT_FALSE(one.muscle_has_blend[one.muscle_index("IL_R5_r")]);
  expect_same_bits(one, plain);
  const double s = 0.3;
  const Model three = three_segment_model(fmt::format("[{}, {}, 0]", 1 - s, s));
  const Model two = parse_model(lumbar_with(fmt::format("{{between: [L2, L1], share: {}, {}}}", s, kAt)), "lumbar2.yaml");
  EXPECT_TRUE(three.muscle_has_blend[three.muscle_index("IL_R5_r")]);
  const int k = two.muscle_point_begin[two.muscle_index("IL_R5_r")] + 1;
  ASSERT_EQ(three.point_ncomponent(k), 2);
  EXPECT_EQ(three.component_share(k, 0), two.component_share(k, 0));
  EXPECT_EQ(three.component_share(k, 1), two.component_share(k, 1));
  EXPECT_EQ(std::memcmp(three.component_pos(k, 1).data(), two.component_pos(k, 1).data(), sizeof(Vec3)), 0);
  expect_same_bits(three, two);
}

// (d) The loader's errors name file, line and field.
void expect_point_error(const std::string& point, const std::string& expect) {
  const std::string text = lumbar_with(point);
  const size_t at = text.find(point);
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  test::expect_model_error(text, "lumbar3.yaml", expect, line);
}

TEST(MultiSegmentPoints, LoaderNamesWhatIsWrong) {
  const std::string at = kAt;
  const std::string f = "muscles[4].path[1]";  // IL_R5, the fifth fascicle
  expect_point_error("{between: [L2, L1, L3], shares: [0.3, 0.7], " + at + "}",
                     f + ".shares: expected 3 shares, one per segment of between (got 2)");
  expect_point_error("{between: [L2, L1, L3], shares: [0.5, -0.1, 0.6], " + at + "}", f + ".shares[1]: a share must lie between 0 and 1");
  expect_point_error("{between: [L2, L1, L3], shares: [1.5, -0.25, -0.25], " + at + "}", f + ".shares[0]: a share must lie between 0 and 1");
  expect_point_error("{between: [L2, L1, L3], shares: [0.3, 0.2, 0.4], " + at + "}",
                     f + ".shares: the shares must sum to 1 (within 1e-9), got 0.9");
  expect_point_error("{between: [L2, L1, L2], shares: [0.3, 0.2, 0.5], " + at + "}", f + ".between: segment 'L2' is named twice");
  expect_point_error("{between: [L2, L1, L9], shares: [0.3, 0.2, 0.5], " + at + "}", f + ".between: unknown segment 'L9'");
  expect_point_error("{between: [L2, L1, L3], share: 0.5, " + at + "}", f + ".share: share: s is for a point on two segments");
  expect_point_error("{between: [L2, L1, L3], " + at + "}", f + ".shares: missing required field");
  expect_point_error("{between: [L2, L1], share: 0.5, shares: [0.5, 0.5], " + at + "}", f + ".shares: give either share");
  expect_point_error("{between: [L2, L1, L3], shares: [0.3, 0.2, 0.5], " + at + ", anchors: [[0, 0, 0], [0, 0, 0]]}",
                     f + ".anchors: anchors are for a point on two segments only (this one names 3)");
  expect_point_error("{between: [L2, L1, L3], shares: [0.3, 0.2, .nan], " + at + "}", f + ".shares[2]");
  // Within 1e-9 of 1 is accepted.
  EXPECT_NO_THROW(three_segment_model("[0.3, 0.2, 0.5000000001]"));
}

}  // namespace
}  // namespace paraspine
