// The passive neck in flexion (docs/sources/passive_neck.md): the full-spine model's passive extension
// moment (joint laws + passive muscle fibres) in the phone-reading postures of
// scenarios/forward_head_posture.yaml, against the in vivo checks of the sheet's §0, written before the
// model was measured: C1, relaxed volunteers' tolerable flexion moment "less than 10 N m on average"
// (Bishop et al. 1994, Clin Biomech 9:193, abstract); C2, the superficial neck extensors stay active
// up to 72.6 % of maximal cervical flexion (Pialasse et al., flexion–relaxation onset 72.6–76.3 %,
// abstract), so the passive moment must stay below the gravity moment of the parts above until then.
// No in vivo passive moment with its angle was found (criterion F), so no model parameter is set from
// these: the model fails both checks and the tests below say so, and fail once it passes them.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fixtures.h"
#include "sim/kinematics/posture.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

constexpr double kRad2Deg = 180.0 / 3.14159265358979323846;
// forward_head_posture's full flexion: head on thorax 66.5° plus Fiebert's T1–T4 share, a tilt of
// 80.87° (docs/sources/scenario_kinematics.md §4.1); the scenario spreads every tilt proportionally.
constexpr double kFullTiltDeg = 80.87;
constexpr double kBishopCeilingNm = 10.0;   // C1
constexpr double kSilenceOnset = 0.726;     // C2, fraction of full flexion

const char* kNeck[] = {"C0-C1", "C1-C2", "C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7", "C7-T1"};
const char* kTilted[] = {"C0-C1", "C1-C2", "C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7",
                         "C7-T1", "T1-T2", "T2-T3", "T3-T4", "T4-T5"};

struct NeckMoments {
  double law = 0, muscles = 0, gravity = 0;  // N·m: + extends (law, muscles), + flexes (gravity)
  double passive() const { return law + muscles; }
};

// The scenario's keyframe postures with their tilt θ (sum of the flexion of C0-C1 … T4-T5, degrees).
struct TiltedPosture {
  double tilt_deg;
  Posture p;
};

std::vector<TiltedPosture> phone_postures(const Model& m) {
  const BoundScenario b = bind_scenario(load_scenario("forward_head_posture"), m);
  std::vector<TiltedPosture> out;
  Eigen::VectorXd q(m.ndof);
  for (const Posture& p : b.postures) {
    posture_to_angles(m, p, q);
    double tilt = 0;
    for (const char* j : kTilted) tilt += kRad2Deg * q[3 * m.joint_index(j) + kFlexion];
    out.push_back({tilt, p});
  }
  return out;
}

// The posture at tilt θ: the scenario's 60° hold scaled by θ / 60 (the scenario is linear in θ).
Posture at_tilt(const Model& m, double tilt_deg) {
  for (const TiltedPosture& tp : phone_postures(m)) {
    if (std::abs(tp.tilt_deg - 60.0) > 0.05) continue;
    Posture p = tp.p;
    p.region_angles *= tilt_deg / tp.tilt_deg;
    p.level_angles *= tilt_deg / tp.tilt_deg;
    return p;
  }
  ADD_FAILURE() << "forward_head_posture has no 60° hold";
  return neutral_posture(m);
}

// Standing still, no hand load: the gravity moment the joint carries (the net moment inverse
// dynamics asks of it, negated: + flexes) and the joint's passive extension moment.
NeckMoments neck_moments(const Model& m, const Posture& p, const std::string& joint) {
  Data d(m);
  set_static_posture(m, p, d);
  evaluate_frame(m, d);
  const int k = 3 * m.joint_index(joint) + kFlexion;
  NeckMoments out;
  out.law = -m.dof_passive[k].moment(d.q[k]);
  out.muscles = -(d.moment_arm.row(k).dot(d.force_passive));
  out.gravity = -d.tau[k];
  return out;
}

// The engine reproduces the numbers of docs/sources/passive_neck.md §3, computed by
// models/tools/passive_neck.py (finite-difference moment arms in the generator's own kinematics,
// −∂V/∂q for gravity): 60° hold, 1 % or 0.02 N·m. Guards the sheet's figures against a model change
// that leaves them stale.
TEST(PassiveNeck, EngineReproducesTheSheetsModelCurve) {
  const Model& m = test::full_spine();
  const Posture p = at_tilt(m, 60.0);
  struct Row {
    const char* joint;
    double law, muscles, gravity;
  };
  // Sub-axial laws since session 10 through Panjabi's range and Nightingale's 3 N·m shape
  // (docs/sources/cervical_laws.md): C4-C5 3.41 → 2.75, C7-T1 3.41 → 2.64 N·m at this hold.
  for (const Row& r : {Row{"C0-C1", 0.94, 10.44, 1.77}, Row{"C4-C5", 2.75, 8.71, 3.86},
                       Row{"C7-T1", 2.64, 5.37, 5.15}}) {
    const NeckMoments nm = neck_moments(m, p, r.joint);
    EXPECT_NEAR(nm.law, r.law, std::max(0.02, 0.01 * r.law)) << r.joint;
    EXPECT_NEAR(nm.muscles, r.muscles, std::max(0.02, 0.01 * r.muscles)) << r.joint;
    EXPECT_NEAR(nm.gravity, r.gravity, std::max(0.02, 0.01 * r.gravity)) << r.joint;
  }
}

// C2 (known failure). Up to 72.6 % of full flexion the neck extensors are active in vivo, so the
// passive extension moment at each neck level must stay at or below the gravity moment of the parts
// above it. Checked at the scenario's 15°, 30° and 45° holds and at 72.6 %. Today the model fails at
// C0-C1 from the 15° hold on (1.08 vs 0.92 N·m) and at C0-C1 … C6-C7 at the 45° hold (up to 3.8 ×
// the gravity moment): its passive neck extensors are too stiff or engage too early. The test fails
// once the model passes C2: then make it a plain check and update passive_neck.md and docs/model.md.
TEST(PassiveNeck, KnownFailure_PassiveAboveGravityBeforeFlexionRelaxation) {
  const Model& m = test::full_spine();
  int checked = 0, failing = 0;
  for (double tilt : {15.0, 30.0, 45.0, kSilenceOnset * kFullTiltDeg}) {
    const Posture p = at_tilt(m, tilt);
    for (const char* j : kNeck) {
      const NeckMoments nm = neck_moments(m, p, j);
      ASSERT_GT(nm.gravity, 0.5) << j << " at " << tilt << "°";  // the head hangs forward
      ++checked;
      if (nm.passive() > nm.gravity) ++failing;
    }
  }
  EXPECT_EQ(checked, 32);
  EXPECT_GT(failing, 0) << "C2 passes now: turn this into a plain check (docs/sources/passive_neck.md)";
}

// C1 (known failure). Relaxed volunteers tolerated flexion moments below 10 N·m on average, the
// subjects' tolerated end range taken as full flexion (an assumption: the abstract gives no angle).
// The model's passive extension moment passes 10 N·m at C0-C1 … C5-C6 already at the 60° hold
// (74 % of full flexion) and reaches 22–34 N·m per neck level at full flexion. Fails once C1 passes.
TEST(PassiveNeck, KnownFailure_EndRangeAboveBishop1994) {
  const Model& m = test::full_spine();
  const Posture p = at_tilt(m, kFullTiltDeg);
  double most = 0;
  std::string where;
  for (const char* j : kNeck) {
    const NeckMoments nm = neck_moments(m, p, j);
    if (nm.passive() > most) most = nm.passive(), where = j;
  }
  EXPECT_GT(most, kBishopCeilingNm) << "C1 passes now (" << where << " " << most
                                    << " N·m): turn this into a plain check (docs/sources/passive_neck.md)";
}

}  // namespace
}  // namespace paraspine
