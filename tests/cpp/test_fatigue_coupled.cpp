// Fatigue coupled to load sharing on the default model: holding a task shifts load to fresher
// synergists, and when they are spent the task fails (reserves); rest restores it.
#include <gtest/gtest.h>

#include "fixtures.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/fatigue/fatigue.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

TEST(FatigueCoupled, HeldStoopShiftsLoadThenFails) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  Data d(m);
  Posture p = neutral_posture(m);
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(20);
  p.pelvis_angles[kFlexion] = deg2rad(20);
  set_static_posture(m, p, d);
  clear_loads(m, d);
  for (auto& h : d.hands) h.load_mass = 5;
  evaluate_frame(m, d);  // a held posture: geometry and required moments stay the same
  fatigue_reset(m, d);
  const std::vector<FatigueParameters> fp(m.nmuscle, FatigueParameters{});  // the trunk set
  load_sharing(m, LoadSharingSettings{}, d);
  ASSERT_EQ(d.loadsharing_info.max_reserve, 0.0);
  const Eigen::VectorXd a0 = d.activation;
  int busiest;
  a0.maxCoeff(&busiest);
  double failed_at = -1, previous_capacity = 1;
  for (int step = 1; step <= 360 && failed_at < 0; ++step) {  // up to an hour, 10 s steps
    fatigue_update(m, fp, 10.0, d);
    EXPECT_LE(d.muscle_capacity[busiest], previous_capacity + 1e-12);
    previous_capacity = d.muscle_capacity[busiest];
    load_sharing(m, LoadSharingSettings{}, d);
    EXPECT_LT(d.loadsharing_info.equilibrium_residual, 1e-6);
    for (int i = 0; i < m.nmuscle; ++i) EXPECT_LE(d.activation[i], d.muscle_capacity[i] + 1e-9);
    if (d.loadsharing_info.max_reserve > 1e-6) failed_at = step * 10.0;
  }
  // The load pattern changed: the busiest fascicle at the start now carries a smaller share.
  EXPECT_LT(d.activation[busiest] / d.activation.sum(), a0[busiest] / a0.sum());
  std::printf("[ info ] 40° stoop with 2 × 5 kg: %s first fails after %.0f s; busiest fascicle %s %.2f → %.2f\n",
              m.name.c_str(), failed_at, m.muscle_name[busiest].c_str(), a0[busiest], d.activation[busiest]);
  EXPECT_GT(failed_at, 0) << "an hour of a loaded stoop must exhaust some rotation";
  // Rest restores the muscles.
  d.activation.setZero();
  fatigue_update(m, fp, 1800, d);
  EXPECT_GT(d.muscle_capacity.minCoeff(), 0.9);
}

}  // namespace
}  // namespace paraspine
