// The phone-reading neck (scenarios/forward_head_posture.yaml: standing, the neck flexed 0, 15, 30,
// 45 and 60°): where the model's rhythm puts each hold's flexion, checked against in vivo per-level
// radiographic data, and whether fresh muscles hold the field postures without reserves. Sources,
// tags and the criteria N1–N5 (written before any candidate was run): docs/sources/
// scenario_kinematics.md §4.1. No bound here comes from a model result.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "fixtures.h"
#include "sim/kinematics/posture.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/run.h"

namespace paraspine {
namespace {

constexpr double kRad2Deg = 180.0 / 3.14159265358979323846;

const char* kLevels[] = {"C0-C1", "C1-C2", "C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7", "C7-T1"};

// Each keyframe's neck flexion (head + cervical regions, degrees) and its per-level flexion.
struct Hold {
  double neck_deg = 0;
  std::map<std::string, double> level_deg;
};

std::vector<Hold> holds(const Model& m) {
  const Scenario s = load_scenario("forward_head_posture");
  const BoundScenario b = bind_scenario(s, m);
  std::vector<Hold> out;
  Eigen::VectorXd q(m.ndof);
  for (const Posture& p : b.postures) {
    Hold h;
    h.neck_deg = kRad2Deg * (p.region_angles(m.region_index("head"), kFlexion) +
                             p.region_angles(m.region_index("cervical"), kFlexion));
    posture_to_angles(m, p, q);
    for (const char* j : kLevels) h.level_deg[j] = kRad2Deg * q[3 * m.joint_index(j) + kFlexion];
    out.push_back(h);
  }
  return out;
}

// N1: the order of the levels in every flexed hold, as in vivo. C2-C3 flexes least of C2-C3…C6-C7
// and C4-C5 or C5-C6 most (Anderst et al. 2015 J Biomech 48:1286, biplane radiography: flexion +
// extension smallest at C2-C3 12.7°, largest at C5-C6 19.7°; Wu et al. 2007 Eur Spine J 16:1435:
// C2/3 13.5° vs C4/5 22.6°; Lind et al. 1989: largest at C4/C5 and C5/C6). C0-C1 flexes less than
// C1-C2 (Sato & Masui 2012: C0/C1 does not flex at full neck flexion; Kaneko et al. 2018: O-C1 flexion
// + extension 9.9° on average; Panjabi et al. 2001 in vitro 7.2° vs 12.3°). Mortensen's coupler
// shares, the model's rhythm before session 9, gave C0-C1 more than C1-C2 and C7-T1 less than C2-C3.
TEST(PhoneNeck, LevelsFlexInTheirInVivoOrder) {
  const Model& m = test::full_spine();
  int flexed = 0;
  for (const Hold& h : holds(m)) {
    if (h.neck_deg < 1) continue;
    ++flexed;
    const auto& a = h.level_deg;
    EXPECT_LT(a.at("C0-C1"), a.at("C1-C2")) << h.neck_deg << "°";
    double sub_min = 1e9, sub_max = -1e9;
    for (const char* j : {"C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7"}) {
      sub_min = std::min(sub_min, a.at(j));
      sub_max = std::max(sub_max, a.at(j));
    }
    EXPECT_EQ(a.at("C2-C3"), sub_min) << h.neck_deg << "°";
    EXPECT_EQ(std::max(a.at("C4-C5"), a.at("C5-C6")), sub_max) << h.neck_deg << "°";
  }
  EXPECT_EQ(flexed, 8);  // four flexed holds, two keyframes each
}

// N2: up to 45° (the neck flexion of habitual phone use in the field, 45–50°, Chen et al. 2022) no
// level flexes more than half of its in vivo flexion + extension range (half: neutral standing taken
// midway, an assumption): C2-C3 12.7/2 (Anderst 2015), C4-C5 22.6/2 (Wu 2007), C5-C6 19.7/2 (Anderst
// 2015); C3-C4, C6-C7 and C7-T1 the smallest range read, 12.7/2 (their own not reached); C0-C1 its
// whole in vivo flexion + extension range, 9.91° (Kaneko 2018); C1-C2: no in vivo value reached.
// Not asserted at 60° (beyond common use, criterion N4): there C3-C4 reaches 6.41° against 6.35°,
// with the whole head tilt in C0-T1 although in vivo T1–T4 flex too (Fiebert et al.).
TEST(PhoneNeck, FieldPosturesStayWithinInVivoLevelRanges) {
  const std::map<std::string, double> bound = {{"C0-C1", 9.91},       {"C2-C3", 12.7 / 2}, {"C3-C4", 12.7 / 2},
                                               {"C4-C5", 22.6 / 2},   {"C5-C6", 19.7 / 2}, {"C6-C7", 12.7 / 2},
                                               {"C7-T1", 12.7 / 2}};
  int checked = 0;
  for (const Hold& h : holds(test::full_spine())) {
    if (h.neck_deg > 45 + 1e-9) continue;
    ++checked;
    for (const auto& [j, b] : bound) EXPECT_LE(h.level_deg.at(j), b) << j << " at " << h.neck_deg << "°";
  }
  EXPECT_EQ(checked, 8);  // 0, 15, 30, 45°, two keyframes each
}

// D1 of docs/sources/phone_neck_posture.md (criteria committed before the check): the split of each
// flexed hold's neck flexion between the head joints (C0-C1 + C1-C2) and the lower neck, formed at the
// total of the one looking-down source it was checked against, lies inside that source's mean ± 1 SD.
// Kim 2015 (J Phys Ther Sci 27:15, Table; smartphone, seated, skin markers, controls at 300 s): upper
// cervical 3.20 ± 2.47°, lower cervical 5.84 ± 2.93° (total 9.04°). The lower neck is read both as
// C2-C3…C7-T1 and as C2-C3…C6-C7 (the markers' lower end is not in the stored copy). A split like Fercho
// 2023's skin-IMU one (0.92 of the flexion at the head joints) fails here (8.3° upper cervical); the two
// sources disagree, so this records the check that kept the split (criterion D3), not a fit.
TEST(PhoneNeck, HeadToLowerNeckSplitWithinLookingDownSpread) {
  const double kim_total = 3.20 + 5.84, uc_mean = 3.20, uc_sd = 2.47, lc_mean = 5.84, lc_sd = 2.93;
  int flexed = 0;
  for (const Hold& h : holds(test::full_spine())) {
    if (h.neck_deg < 1) continue;
    ++flexed;
    const auto& a = h.level_deg;
    const double head = a.at("C0-C1") + a.at("C1-C2");
    double to_c7 = 0;
    for (const char* j : {"C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7"}) to_c7 += a.at(j);
    for (const double lower : {to_c7 + a.at("C7-T1"), to_c7}) {
      const double upper_at_kim = kim_total * head / (head + lower);
      const double lower_at_kim = kim_total - upper_at_kim;
      EXPECT_NEAR(upper_at_kim, uc_mean, uc_sd) << h.neck_deg << "°";
      EXPECT_NEAR(lower_at_kim, lc_mean, lc_sd) << h.neck_deg << "°";
    }
  }
  EXPECT_EQ(flexed, 8);
}

// N3: with fresh muscles the holds up to 45° (habitual phone use, which healthy people sustain) need
// no reserve. History (docs/sources/scenario_kinematics.md §4.1): with Mortensen's pitch couplers the
// 45° hold needed 4.43 N·m of C0-C1 flexion reserve; with the flexion rhythm ∝ the levels' ranges
// 2.35 N·m (the stretched head extensors' passive pull against craniocervical flexors at 100 %); since
// the scenario gives the upper thoracic spine its in vivo share of the head tilt (joints_deg, Fiebert;
// criteria J1–J4 written before the run) none. The 60° hold, not part of this criterion, still needs
// 5.42 N·m at C0-C1 (5.35 before the session-18 longus paths), and its upper thoracic levels (flexed past their in vitro ranges) carry up to
// 2 kN of compression (docs/model.md, open findings).
TEST(PhoneNeck, FreshMusclesHoldFieldPosturesWithoutReserves) {
  const Scenario s = load_scenario("forward_head_posture");
  const Model& m = test::full_spine();
  RunOptions opt;
  opt.loadsharing.criterion = parse_criterion(s.criterion);
  opt.time_coupling = false;
  const double end_of_45 = 14404;  // s, the last keyframe of the 45° hold
  int frames = 0, with_reserve = 0;
  double peak = 0;
  opt.on_frame = [&](double t, const Data& d) {
    if (t > end_of_45) return;
    ++frames;
    const double r = d.reserve.size() ? d.reserve.cwiseAbs().maxCoeff() : 0.0;
    if (r > 1e-6) ++with_reserve;
    peak = std::max(peak, r);
  };
  run_scenario(m, s, opt, nullptr);
  EXPECT_GT(frames, 7000);
  EXPECT_EQ(with_reserve, 0) << "peak reserve " << peak << " N·m";
}

}  // namespace
}  // namespace paraspine
