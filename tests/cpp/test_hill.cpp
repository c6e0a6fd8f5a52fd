// Hill curves: the anchor values OpenSim's own tests assert for DeGrooteFregly2016Muscle, shape
// (peak at optimal length, monotone force–velocity), and analytic derivatives against differences.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

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

// muscle_capacity evaluates the curves two fascicles at a time with its own exp and log
// (sim/muscles/lanes.h); it must give what the scalar curves give, at every fibre length and velocity
// — shorter and longer than optimal, shortening and lengthening, beyond the physiological range —
// for an odd number of fascicles (the padded last pair) and muscles with their own passive strain.
TEST(Hill, CapacityMatchesTheScalarCurves) {
  Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  ASSERT_EQ(m.nmuscle % 2, 0);
  Data d(m);
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> length(0.2, 2.2), velocity(-1.5, 1.5), cosine(0.7, 1.0);
  for (int trial = 0; trial < 20; ++trial) {
    for (int i = 0; i < m.nmuscle; ++i) {
      d.fiber_length[i] = length(rng) * m.muscle_lopt[i];
      d.fiber_velocity[i] = velocity(rng) * kMaxContractionVelocity * m.muscle_lopt[i];
      d.cos_pennation[i] = cosine(rng);
    }
    d.fiber_length[0] = m.muscle_lopt[0];  // exactly optimal: no passive force
    muscle_capacity(m, d);
    for (int i = 0; i < m.nmuscle; ++i) {
      const double l = d.fiber_length[i] / m.muscle_lopt[i];
      const double v = d.fiber_velocity[i] / (kMaxContractionVelocity * m.muscle_lopt[i]);
      const double active = m.muscle_fmax[i] * active_force_length(l) * std::max(force_velocity(v), 0.0) * d.cos_pennation[i];
      const double passive = m.muscle_fmax[i] * passive_force_length(l, nullptr, m.muscle_passive_strain[i]) * d.cos_pennation[i];
      EXPECT_NEAR(d.fiber_length_norm[i], l, 1e-15 * l);
      EXPECT_NEAR(d.fiber_velocity_norm[i], v, 1e-15 * std::abs(v) + 1e-300);
      EXPECT_NEAR(d.force_active_max[i], active, 1e-14 * m.muscle_fmax[i]) << m.muscle_name[i] << " l " << l << " v " << v;
      EXPECT_NEAR(d.force_passive[i], passive, 1e-14 * std::max(passive, m.muscle_fmax[i])) << m.muscle_name[i] << " l " << l;
    }
    EXPECT_EQ(d.force_passive[0], 0.0);
  }
  // An odd count: the last fascicle alone in its pair.
  Model odd = m;
  odd.nmuscle = m.nmuscle - 1;
  Data e(m);
  e.fiber_length = d.fiber_length;
  e.fiber_velocity = d.fiber_velocity;
  e.cos_pennation = d.cos_pennation;
  muscle_capacity(odd, e);
  for (int i = 0; i < odd.nmuscle; ++i) EXPECT_EQ(e.force_active_max[i], d.force_active_max[i]);
  EXPECT_EQ(e.force_active_max[odd.nmuscle], 0.0);  // not written
}

}  // namespace
}  // namespace paraspine
