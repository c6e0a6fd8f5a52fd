// Where the L5-S1 anterior shear of the Kingma stoop validation case comes from
// (docs/sources/kingma_shear.md §4). At the frame of its peak the reported shear must be exactly the
// sum of what acts on the body above resolved along the disc's anterior axis: the weights of the
// segments, the arms and the box, the inertia, and each muscle piece crossing L5-S1. The abdominal
// pressure and the posterior ligaments (passive.off_disc) act along the disc normal and add none.
// The parts are printed so that the sheet's table can be measured again:
//   build/tests/paraspine_tests --gtest_filter='KingmaShear.*'
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "fixtures.h"
#include "sim/loadsharing/reactions.h"
#include "sim/model/subject.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/run.h"

namespace paraspine {
namespace {

struct ShearParts {
  double time = 0, shear = 0, weights = 0, box = 0, inertia = 0, abdominal = 0, ligaments = 0;
  double ligament_compression = 0, abdominal_force = 0, normal_from_vertical_deg = 0;
  std::map<std::string, double> muscles;  // by group
};

// The shear parts at joint j of the frame in d. Sign: + anterior shear, i.e. a load pulling the body
// above forward along the disc plane, which the disc (contact) resists.
ShearParts shear_parts(const Model& m, const Data& d, int j, const std::vector<char>& above) {
  ShearParts p;
  const Mat3 disc = d.joint_frame[j] * joint_rotation(0.5 * d.q.segment<3>(3 * j));
  const Vec3 a = disc.col(0), n = disc.col(1);
  p.shear = d.disc_force(1, j);
  p.normal_from_vertical_deg = rad2deg(std::atan2(n.x(), n.y()));
  // The net joint force (inverse dynamics, from below on the body above) balances the weights, the
  // hand loads and the inertia; the contact resists what the net force does not carry through muscles.
  Vec3 weights = Vec3::Zero(), box = Vec3::Zero();
  for (int s = 0; s < m.nsegment; ++s)
    if (above[static_cast<size_t>(s)]) weights += m.segment_mass[s] * m.gravity;
  for (size_t i = 0; i < m.arms.size(); ++i) {  // point masses on the segments above L5-S1
    weights += m.arms[i].mass * m.gravity;
    box += d.hands[i].load_mass * m.gravity;
  }
  const Vec3 net = d.joint_force.col(j);
  p.weights = a.dot(weights);
  p.box = a.dot(box);
  p.inertia = -a.dot(net + weights + box);
  p.abdominal = a.dot(d.abdominal_pressure_force.col(j));
  p.abdominal_force = n.dot(d.abdominal_pressure_force.col(j));
  p.ligament_compression = off_disc_compression(m, d, j);
  // What the contact force carries beyond the muscles and the pressure: the ligaments' share.
  Vec3 muscles_on_above = Vec3::Zero();
  for (int i = 0; i < m.nmuscle; ++i) {
    const Vec3 f = muscle_pull_above(m, d, i, j);  // on the body above
    if (f.isZero(0)) continue;
    muscles_on_above += f;
    p.muscles[m.muscle_group[i]] += a.dot(f);
  }
  const Vec3 ligaments = d.contact_force.col(j) - (net - d.abdominal_pressure_force.col(j) - muscles_on_above);
  p.ligaments = -a.dot(ligaments);
  return p;
}

TEST(KingmaShear, StoopPeakShearAtL5S1IsTheSumOfItsParts) {
  const Scenario sc = load_scenario(test::source_dir() + "/tests/validation/scenarios/kingma_stoop.yaml");
  const Model m = scale_model(load_model(sc.model), sc.subject.value_or(Subject{}));
  const int j = m.joint_index("L5-S1");
  ASSERT_GE(j, 0);
  std::vector<char> above(static_cast<size_t>(m.nsegment), 0);  // segment j + 1 and its descendants
  for (int s = 0; s < m.nsegment; ++s) {
    int k = s;
    while (k >= 0 && k != j + 1) k = m.segment_parent[k];
    above[static_cast<size_t>(s)] = k == j + 1;
  }
  ShearParts peak;
  RunOptions opt;
  opt.loadsharing.criterion = parse_criterion(sc.criterion);
  opt.loadsharing.abdominal_pressure = sc.abdominal_pressure;
  opt.on_frame = [&](double t, const Data& d) {
    if (std::abs(d.disc_force(1, j)) > std::abs(peak.shear)) {
      peak = shear_parts(m, d, j, above);
      peak.time = t;
    }
  };
  const auto summary = run_scenario(m, sc, opt, nullptr);
  // The peak the validation case reads.
  EXPECT_NEAR(std::abs(peak.shear), summary["joints"]["L5-S1"]["peak_shear_ap_N"].get<double>(), 1e-9);

  double muscles = 0;
  for (const auto& [group, s] : peak.muscles) muscles += s;
  const double sum = peak.weights + peak.box + peak.inertia + peak.abdominal + peak.ligaments + muscles;
  EXPECT_NEAR(sum, peak.shear, 1e-9 * std::abs(peak.shear));
  // The pressure pushes along the disc normal and the ligaments pull along it: no shear from either,
  // although both act at the peak (session 3 and session 10 terms).
  EXPECT_GT(peak.abdominal_force, 100.0);
  EXPECT_GT(peak.ligament_compression, 10.0);
  EXPECT_NEAR(peak.abdominal, 0.0, 1e-9 * peak.abdominal_force);
  EXPECT_NEAR(peak.ligaments, 0.0, 1e-9 * peak.ligament_compression);

  std::printf("kingma_stoop L5-S1 peak AP shear %.1f N at %.2f s (disc normal %.1f deg from vertical):\n"
              "  segment and arm weights %+.1f, box %+.1f, inertia %+.1f, abdominal pressure %+.1f, ligaments %+.1f,"
              " muscles %+.1f\n",
              peak.shear, peak.time, peak.normal_from_vertical_deg, peak.weights, peak.box, peak.inertia,
              peak.abdominal, peak.ligaments, muscles);
  for (const auto& [group, s] : peak.muscles)
    if (std::abs(s) >= 0.5) std::printf("    %-20s %+.1f\n", group.c_str(), s);
}

}  // namespace
}  // namespace paraspine
