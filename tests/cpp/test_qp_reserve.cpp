// Frames where reserves act (sim/loadsharing/qp_reserve.h): warm-started from the last frame's
// partition they reach the optimum of the plain warm start and of a cold solve.
#include <gtest/gtest.h>

#include <cstdio>

#include "fixtures.h"

namespace paraspine {
namespace {

// A slow lumbar flexion holding 10 kg per hand with every muscle at 35 % of its capacity (a deeply
// fatigued back): the muscles cannot carry it, so reserves act in every frame.
void reserve_frame(const Model& m, int frame, Data& d) {
  Posture p = neutral_posture(m);
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(30 + 0.2 * frame);
  p.pelvis_angles[kFlexion] = deg2rad(15 + 0.1 * frame);
  set_static_posture(m, p, d);
  clear_loads(m, d);
  for (auto& h : d.hands) h.load_mass = 10;
  evaluate_frame(m, d);
  d.muscle_capacity.setConstant(0.35);
}

TEST(QpReserve, PartitionWarmStartReachesTheSameOptimum) {
  const Model& m = test::full_spine();
  Data with(m), without(m), cold(m);
  LoadSharingSettings on, off;
  off.qp.partition_warm_start = false;
  int reserve_frames = 0;
  for (int f = 0; f < 12; ++f) {
    for (Data* d : {&with, &without, &cold}) reserve_frame(m, f, *d);
    cold.loadsharing_warm = false;
    load_sharing(m, on, with);
    load_sharing(m, off, without);
    load_sharing(m, on, cold);
    for (const Data* d : {&with, &without, &cold}) {
      ASSERT_EQ(d->loadsharing_info.status, QpStatus::kSolved) << "frame " << f;
      EXPECT_LT(d->loadsharing_info.equilibrium_residual, 1e-6) << "frame " << f;
    }
    reserve_frames += with.loadsharing_info.max_reserve > 1e-6;
    EXPECT_LT((with.activation - cold.activation).lpNorm<Eigen::Infinity>(), 1e-6) << "frame " << f;
    EXPECT_LT((with.activation - without.activation).lpNorm<Eigen::Infinity>(), 1e-6) << "frame " << f;
    EXPECT_LT((with.reserve - cold.reserve).lpNorm<Eigen::Infinity>(), 1e-6) << "frame " << f;
    EXPECT_NEAR(with.loadsharing_info.objective, cold.loadsharing_info.objective, 1e-8 * (1 + cold.loadsharing_info.objective));
  }
  EXPECT_EQ(reserve_frames, 12);  // the case this start is for
}

}  // namespace
}  // namespace paraspine
