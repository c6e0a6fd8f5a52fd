// The sub-axial cervical joint laws above 1.5 N·m (docs/sources/cervical_laws.md, criteria §0 written
// before any candidate law was measured). Each flexion and extension law of C2-C3 … C7-T1 passes through
// Panjabi et al. 2001's range at 1.5 N·m and through ρ × that range at 3 N·m, ρ the mean θ(3)/θ(1.5) of
// Nightingale et al. 2007's male segments (NHTSA flexibility tests as re-extracted by Duraisamy et al.
// 2025): T1. The absolute rotation at 3 N·m is then checked against the same specimens' own per-level
// mean ± SD (T2, not fitted: the laws are anchored on Panjabi's specimens, the check is against
// Nightingale's) and against Winkelstein & Myers 2000's male C3-C4 segments (T3). The laws that were
// fitted through an assumed neutral zone instead (until session 10) fail T2 at C4-C5 and C6-C7 in
// flexion (6.08° and 4.96° at 3 N·m).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "fixtures.h"

namespace paraspine {
namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;
constexpr double kPanjabiMoment = 1.5;  // N·m (assumption: Oda, Panjabi et al. 1992 protocol)
constexpr double kHighMoment = 3.0;     // N·m, Nightingale's tabulated moment used

// |passive moment| (N·m) of a joint's flexion law at `deg` degrees (+ flexion, − extension).
double law_moment(const Model& m, const std::string& joint, double deg) {
  const int k = 3 * m.joint_index(joint) + kFlexion;
  return std::abs(m.dof_passive[k].moment(deg * kDeg));
}

// The angle (degrees, unsigned) at which the law carries `moment` on one side.
double law_angle(const Model& m, const std::string& joint, double moment, double sign) {
  double lo = 0, hi = 60;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (law_moment(m, joint, sign * mid) < moment ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Panjabi 2001 flexion (= extension, FE split evenly) per level, degrees; C7-T1 takes C6-C7's.
struct Level {
  const char* joint;
  double theta_p;
  double rho_flexion, rho_extension;  // docs/sources/cervical_laws.md §2 [D]
};
constexpr double kRhoFlexPooled = 1.3513, kRhoExtPooled = 1.4752;  // n = 13 / 15 male specimens
const Level kLevels[] = {{"C2-C3", 3.4, kRhoFlexPooled, kRhoExtPooled},
                         {"C3-C4", 4.1, kRhoFlexPooled, kRhoExtPooled},
                         {"C4-C5", 4.9, 1.3272, 1.4336},  // own shape: 6 / 11 specimens
                         {"C5-C6", 5.2, kRhoFlexPooled, kRhoExtPooled},
                         {"C6-C7", 4.0, kRhoFlexPooled, kRhoExtPooled},
                         {"C7-T1", 4.0, kRhoFlexPooled, kRhoExtPooled}};

// T1: both points of every changed law, 1 % of the moment.
TEST(CervicalLaws, SubaxialLawsPassThroughPanjabiAndNightingaleShape) {
  const Model& m = test::full_spine();
  for (const Level& l : kLevels) {
    for (double sign : {+1.0, -1.0}) {
      const double rho = sign > 0 ? l.rho_flexion : l.rho_extension;
      EXPECT_NEAR(law_moment(m, l.joint, sign * l.theta_p), kPanjabiMoment, 0.01 * kPanjabiMoment)
          << l.joint << (sign > 0 ? " flexion" : " extension");
      EXPECT_NEAR(law_moment(m, l.joint, sign * rho * l.theta_p), kHighMoment, 0.01 * kHighMoment)
          << l.joint << (sign > 0 ? " flexion" : " extension");
    }
  }
}

// T2: the law's absolute rotation at 3 N·m within ± 1 SD of Nightingale et al. 2007's male mean at
// the levels with ≥ 4 specimens (means and SDs of the re-extracted "r3" values, cervical_laws.md §2).
TEST(CervicalLaws, RotationAtThreeNmWithinNightingaleMaleCorridors) {
  const Model& m = test::full_spine();
  struct Corridor {
    const char* joint;
    double sign, mean, sd;
    int n;
  };
  for (const Corridor& c : {Corridor{"C4-C5", +1, 7.725, 1.629, 6}, Corridor{"C6-C7", +1, 6.886, 1.793, 4},
                            Corridor{"C4-C5", -1, 7.831, 2.592, 11}, Corridor{"C6-C7", -1, 5.718, 3.359, 4}}) {
    const double theta = law_angle(m, c.joint, kHighMoment, c.sign);
    EXPECT_NEAR(theta, c.mean, c.sd) << c.joint << (c.sign > 0 ? " flexion" : " extension") << ", n = " << c.n;
  }
}

// T3: Winkelstein & Myers 2000 (Stapp 44), six male C3-C4 segments, peak flexion / extension moment
// and rotation (appendix tables as re-extracted by Duraisamy et al. 2025): flexion 5.82 ± 2.57° at a
// mean 3.07 N·m, extension 5.30 ± 1.92° at 2.93 N·m. Their C5-C6 segments are stiffer than the law
// (flexion 5.73 ± 1.36° at 3.09 N·m against 7.11°; extension 5.20 ± 1.25° at 3.02 N·m against 7.69°):
// reported in the sheet, not tested.
TEST(CervicalLaws, C3C4WithinWinkelsteinMaleSegments) {
  const Model& m = test::full_spine();
  EXPECT_NEAR(law_angle(m, "C3-C4", 3.07, +1), 5.82, 2.57);
  EXPECT_NEAR(law_angle(m, "C3-C4", 2.93, -1), 5.30, 1.92);
}

}  // namespace
}  // namespace paraspine
