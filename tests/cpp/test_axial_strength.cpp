// Maximal isometric trunk axial-rotation strength (docs/sources/axial_strength.md): the largest
// twisting couple about the vertical that the upright model holds with its muscles alone, every
// joint in equilibrium — the search of max_pad_exertion (sim/simulate/max_exertion.h) with a couple
// instead of a pad force. The protocol's couple goes through the shoulder girdle (equal and opposite
// horizontal forces on the two hanging arms, as a harness about the shoulders), so the rib cage
// spreads it over T1–T10 as it does the arms' own load.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "fixtures.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/muscles/strength.h"
#include "sim/simulate/frame.h"
#include "sim/simulate/max_exertion.h"

namespace paraspine {
namespace {

struct AxialStrength {
  double couple = 0;          // N·m about the vertical, the largest held (the dynamometer's reading)
  int limiting_dof = -1;
  double residual = 0;
  bool solved = false;
  double reserve = 0;         // N·m, largest reserve at the maximum (0 when held)
  double reserve_above = 0;   // N·m, largest reserve with the couple 1 N·m larger
  double l5s1_demand = 0;     // N·m, generalised moment the frame asks of L5-S1's axial dof
  double l5s1_bound = 0;      // N·m, max_muscle_moment of that dof in the asked sense
  std::map<std::string, double> vertical_L5S1, vertical_L3L4;  // N·m about the vertical, resisting sense
  std::map<std::string, int> saturated;                          // fascicles at ≥ 99 % of capacity
};

// Muscle i's moment about the world vertical at joint j: its generalised moments on the joint's
// three dofs are τ = Eᵀ M with E the dof axes (world, columns), so M = E⁻ᵀ τ.
double vertical_moment(const Model& m, const Data& d, int j, int i) {
  Mat3 E;
  Vec3 tau;
  for (int a = 0; a < 3; ++a) {
    const int k = m.dof(j, a);
    E.col(a) = d.dof_axis.col(k);
    tau[a] = d.moment_arm(k, i) * d.muscle_force[i];
  }
  return (E.transpose().inverse() * tau).y();
}

// The postures measured: neutral upright standing, and upright unsupported sitting as
// scenarios/upright_sitting.yaml poses it (pelvis 18° back, lumbar lordosis 16.6° flatter than
// standing; sources there), the posture of the seated dynamometer studies. The pelvis is held in both.
enum class Stance { kStanding, kSitting };

void pose(const Model& m, Stance stance, Data& d) {
  if (stance == Stance::kStanding) return test::pose_trunk_flexion(m, 0, d);
  Posture p = neutral_posture(m);
  p.pelvis_angles[kFlexion] = deg2rad(-18);                     // upright_sitting.yaml
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(16.6);  // upright_sitting.yaml
  set_static_posture(m, p, d);
  evaluate_frame(m, d);
}

// `sense` +1: the couple turns the trunk about +y (the subject resists with a right twist); −1 the
// other way. `segment`: "" for the shoulder-girdle couple, else a free moment on that segment.
AxialStrength axial_strength(int sense, const std::string& segment = "", Stance stance = Stance::kStanding) {
  const Model& m = test::full_spine();
  Data d(m);
  pose(m, stance, d);  // pelvis held; kinematics and hands evaluated
  const Vec3 up(0, 1, 0);
  std::function<void(Data&, double)> apply;
  if (segment.empty()) {
    // Hands hang under the shoulders, side by side: forces ±f along x at lateral offsets z_a, z_b
    // make the couple f (z_a − z_b) about y and nothing else (equal heights, equal x).
    const Vec3 a = d.hand_position.col(0), b = d.hand_position.col(1);
    EXPECT_NEAR(a.y(), b.y(), 1e-9);
    EXPECT_NEAR(a.x(), b.x(), 1e-9);
    const double lever = a.z() - b.z();
    apply = [=](Data& dd, double c) {
      const double f = sense * c / lever;
      dd.hands[0].force = Vec3(f, 0, 0);
      dd.hands[1].force = Vec3(-f, 0, 0);
    };
  } else {
    const int s = m.segment_index(segment);
    apply = [=](Data& dd, double c) { dd.external_moment.col(s) = sense * c * up; };
  }
  AxialStrength r;
  const ExertionResult e = max_exertion(m, LoadSharingSettings{}, apply, 0.25, 1000, d);
  r.couple = e.size;
  r.limiting_dof = e.limiting_dof;
  r.residual = d.loadsharing_info.equilibrium_residual;
  r.solved = d.loadsharing_info.status == QpStatus::kSolved;
  r.reserve = d.loadsharing_info.max_reserve;
  const int l5s1 = m.joint_index("L5-S1"), l3l4 = m.joint_index("L3-L4");
  const int k = m.dof(l5s1, kAxialRotation);
  r.l5s1_demand = d.tau[k];
  r.l5s1_bound = max_muscle_moment(m, d, k, d.tau[k] >= 0 ? +1 : -1);
  for (int i = 0; i < m.nmuscle; ++i) {
    const std::string& g = m.muscle_group[static_cast<size_t>(i)];
    r.vertical_L5S1[g] += -sense * vertical_moment(m, d, l5s1, i);
    r.vertical_L3L4[g] += -sense * vertical_moment(m, d, l3l4, i);
    if (d.muscle_capacity[i] > 0 && d.activation[i] >= 0.99 * d.muscle_capacity[i]) ++r.saturated[g];
  }
  // The bracket is honest: 1 N·m more needs a reserve somewhere.
  Data above(m);
  pose(m, stance, above);
  clear_loads(m, above);
  apply(above, r.couple + 1);
  inverse_dynamics(m, above);
  load_sharing(m, LoadSharingSettings{}, above);
  r.reserve_above = above.loadsharing_info.max_reserve;
  return r;
}

std::string dof_label(const Model& m, int k) {
  if (k < 0) return "-";
  static const char* axis[3] = {"flexion", "lateral bending", "axial rotation"};
  return m.joint_name[static_cast<size_t>(k / 3)] + " " + axis[k % 3];
}

void print(const char* label, const Model& m, const AxialStrength& s) {
  std::printf("%s: couple %.1f N·m, limiting %s, L5-S1 axial demand %.1f (bound %.1f), reserve above %.2f\n", label,
              s.couple, dof_label(m, s.limiting_dof).c_str(), s.l5s1_demand, s.l5s1_bound,
              s.reserve_above);
  for (const auto& [g, v] : s.vertical_L5S1) {
    const double v34 = s.vertical_L3L4.at(g);
    const auto sat = s.saturated.find(g);
    if (std::abs(v) > 0.5 || std::abs(v34) > 0.5)
      std::printf("    %-20s vertical moment L5-S1 %6.1f  L3-L4 %6.1f  N·m; %d fascicles saturated\n", g.c_str(), v, v34,
                  sat == s.saturated.end() ? 0 : sat->second);
  }
}

double group_sum(const std::map<std::string, double>& v, std::initializer_list<const char*> groups) {
  double t = 0;
  for (const char* g : groups) {
    const auto it = v.find(g);
    if (it != v.end()) t += it->second;
  }
  return t;
}

// docs/sources/axial_strength.md §2.3. No published male axial strength in N·m was reached, so no
// number is asserted against literature; what is asserted is fixed by the method, the model's
// mirror symmetry and the sources' qualitative finding that the obliques, not the back muscles,
// turn the trunk (Macintosh, Pearcy & Bogduk 1993; McGill 1991; Pope et al. 1986).
TEST(TrunkStrength, AxialRotationStrengthThroughTheShoulderGirdle) {
  const Model& m = test::full_spine();
  const AxialStrength right = axial_strength(+1), left = axial_strength(-1);
  print("axial strength, couple +y (subject twists right)", m, right);
  print("axial strength, couple -y (subject twists left)", m, left);
  for (const AxialStrength* s : {&right, &left}) {
    // 1. method: held, balanced, reserve-free; 1 N·m more is not
    EXPECT_GT(s->couple, 5);
    EXPECT_TRUE(s->solved);
    EXPECT_LT(s->residual, 1e-6);
    EXPECT_LE(s->reserve, 1e-6);
    EXPECT_GT(s->reserve_above, 1e-6);
    EXPECT_GE(s->limiting_dof, 0);
    // 2. below the upper bound at L5-S1's axial dof
    EXPECT_LE(std::abs(s->l5s1_demand), s->l5s1_bound);
    // 4. the obliques out-twist the lumbar back muscles at L3-L4
    const double obliques = group_sum(s->vertical_L3L4, {"external_oblique", "internal_oblique"});
    const double back = group_sum(s->vertical_L3L4, {"multifidus", "longissimus", "iliocostalis"});
    EXPECT_GT(obliques, back) << "obliques " << obliques << " N·m, back muscles " << back << " N·m at L3-L4";
  }
  // 3. mirror symmetry
  EXPECT_NEAR(right.couple, left.couple, 0.02 * std::max(right.couple, left.couple));
}

// Sensitivity (reported, not asserted beyond the method): the same couple as a free moment on one
// segment. Where it is applied decides which joints must carry it.
TEST(TrunkStrength, AxialRotationStrengthBySegmentIsReported) {
  const Model& m = test::full_spine();
  for (const char* seg : {"T1", "T4", "T6", "T8", "T10", "T12", "L1", "L3", "L5"}) {
    const AxialStrength s = axial_strength(+1, seg);
    const std::string label = std::string("free couple on ") + seg;
    print(label.c_str(), m, s);
    EXPECT_TRUE(s.solved);
    EXPECT_LE(s.reserve, 1e-6);
    EXPECT_GT(s.reserve_above, 1e-6);
  }
}

// Against published male strength (docs/sources/axial_strength.md §5). Torén & Öberg 1999 (Appl Ergon
// 30:515–525, abstract [V]): 9 male tractor drivers and 9 male office workers, seated, isometric maximal
// twisting efforts at about −40, −20, 0, 20 and 40° of pre-set trunk rotation, both directions: "The
// exerted torques were within the range of 65–145 Nm", the lowest when prerotated in the direction of
// the effort. So a man's maximum from neutral is at least 65 N·m [D]. The model holds less, standing or
// seated (below the range's lowest value, whether the range is of single efforts or of condition
// means: either way the neutral mean is at least 65 N·m). Known failure: this test
// holds that it still does, and fails once the model reaches the range; then make it EXPECT_GE.
TEST(TrunkStrength, KnownFailure_AxialRotationStrengthBelowTorenOberg1999) {
  constexpr double kLowestPublished = 65;  // N·m, Torén & Öberg 1999, abstract
  const Model& m = test::full_spine();
  const AxialStrength standing = axial_strength(+1), sitting = axial_strength(+1, "", Stance::kSitting);
  print("axial strength, standing", m, standing);
  print("axial strength, seated (upright_sitting posture)", m, sitting);
  for (const AxialStrength* s : {&standing, &sitting}) {
    EXPECT_TRUE(s->solved);
    EXPECT_LE(s->reserve, 1e-6);
    EXPECT_LT(s->couple, kLowestPublished) << "the model now reaches Torén & Öberg's range: make this a plain check";
  }
}

}  // namespace
}  // namespace paraspine
