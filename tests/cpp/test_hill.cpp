// Hill curves: the anchor values OpenSim's own tests assert for DeGrooteFregly2016Muscle, shape
// (peak at optimal length, monotone force–velocity), and analytic derivatives against differences.
#include <gtest/gtest.h>

#include <cmath>

#include "fixtures.h"
#include "sim/muscles/hill.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

TEST(Hill, AnchorValues) {
  // opensim-core testDeGrooteFregly2016Muscle "Curve values".
  EXPECT_NEAR(active_force_length(1.0), 1.0, 1e-6);
  // Passive curve by its definition (De Groote 2016 supplement): zero up to optimal length, one at
  // 1 + e0 = 1.6 l_opt.
  EXPECT_EQ(passive_force_length(0.2), 0.0);
  EXPECT_EQ(passive_force_length(1.0), 0.0);
  EXPECT_NEAR(passive_force_length(1.6), 1.0, 1e-14);
  EXPECT_NEAR(passive_force_length(1.3), std::expm1(2.0) / std::expm1(4.0), 1e-15);
  EXPECT_NEAR(force_velocity(-1.0), 0.0, 1e-6);
  EXPECT_NEAR(force_velocity(0.0), 1.0, 1e-5);
  EXPECT_NEAR(force_velocity(1.0), 1.794, 1.794 * 1e-3);
  EXPECT_EQ(passive_force_length(0.1), 0.0);
}

TEST(Hill, ShapeAndDerivatives) {
  double best = 0, best_l = 0;
  for (double l = 0.4005; l <= 1.8; l += 0.001) {  // (steps avoid the kink at exactly l = 1)
    const double f = active_force_length(l);
    if (f > best) best = f, best_l = l;
    double df, dp;
    active_force_length(l, &df);
    passive_force_length(l, &dp);
    const double h = 1e-6;
    EXPECT_NEAR(df, (active_force_length(l + h) - active_force_length(l - h)) / (2 * h), 1e-6);
    EXPECT_NEAR(dp, (passive_force_length(l + h) - passive_force_length(l - h)) / (2 * h), 1e-6);
  }
  EXPECT_NEAR(best_l, 1.0, 0.02);
  double prev = -1;
  for (double v = -1; v <= 1; v += 0.01) {
    double dv;
    const double f = force_velocity(v, &dv);
    EXPECT_GT(f, prev);  // faster shortening, less force; lengthening, more
    prev = f;
    const double h = 1e-6;
    EXPECT_NEAR(dv, (force_velocity(v + h) - force_velocity(v - h)) / (2 * h), 1e-6);
  }
}

TEST(Hill, CapacityOnDefaultModel) {
  const Model m = load_model(test::default_model_path());
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);
  for (int i = 0; i < m.nmuscle; ++i) {
    EXPECT_GE(d.force_active_max[i], 0) << m.muscle_name[i];
    EXPECT_LE(d.force_active_max[i], m.muscle_fmax[i] * (1 + 1e-12)) << m.muscle_name[i];
    EXPECT_GE(d.force_passive[i], 0);
  }
}

}  // namespace
}  // namespace paraspine
