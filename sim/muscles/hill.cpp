#include "sim/muscles/hill.h"

#include <cmath>

namespace paraspine {

double active_force_length(double l, double* dfdl) {
  // {b1, b2, b3, b4} per term, as in OpenSim's DeGrooteFregly2016Muscle.h (values from the
  // optcntrlmuscle project; b11 adjusted there so that f_L(1) = 1; b33 = 0.5·√0.5).
  static const double c[3][4] = {{0.8150671134243542, 1.055033428970575, 0.162384573599574, 0.063303448465465},
                                 {0.433004984392647, 0.716775413397760, -0.029947116970696, 0.200356847296188},
                                 {0.1, 1.0, 0.353553390593274, 0.0}};
  double f = 0, df = 0;
  for (const auto& b : c) {
    const double s = b[2] + b[3] * l;  // the width grows with length
    const double x = (l - b[1]) / s;
    const double e = b[0] * std::exp(-0.5 * x * x);
    f += e;
    df += e * (-x * (1 - x * b[3]) / s);  // d(x²/2)/dl = x (1 − x b4)/s
  }
  if (dfdl) *dfdl = df;
  return f;
}

double force_velocity(double v, double* dfdv) {
  // d1..d4 as in OpenSim's DeGrooteFregly2016Muscle.h (adjusted to pass (−1, 0) and (0, 1)).
  static const double d1 = -0.3211346127989808, d2 = -8.149, d3 = -0.374, d4 = 0.8825327733249912;
  const double u = d2 * v + d3, r = std::sqrt(u * u + 1);
  if (dfdv) *dfdv = d1 * d2 / r;
  return d1 * std::log(u + r) + d4;
}

double passive_force_length(double l, double* dfdl, double e0) {
  // De Groote et al. 2016 (supplement): (exp(k_PE (l̃ − 1)/e0) − 1)/(exp(k_PE) − 1), zero at optimal
  // length, clamped to zero below it (slack fibres do not push). OpenSim shifts the curve to reach
  // zero at 0.2 l_opt instead, which leaves 1.8 % of F0 at optimal length; for muscles that sit at
  // optimal length in neutral (the neck set, Vasavada's rule) that tension alone exceeded the
  // moments of upright standing and made the flexors fight it.
  static const double kpe = 4.0;
  static const double denom = std::exp(kpe) - 1.0;
  if (l <= 1.0) {
    if (dfdl) *dfdl = 0.0;
    return 0.0;
  }
  const double e = std::exp(kpe * (l - 1.0) / e0);
  if (dfdl) *dfdl = e * kpe / e0 / denom;
  return (e - 1.0) / denom;
}

void muscle_capacity(const Model& m, Data& d) {
  for (int i = 0; i < m.nmuscle; ++i) {
    const double lopt = m.muscle_lopt[i];
    const double l = d.fiber_length[i] / lopt;
    const double v = d.fiber_velocity[i] / (kMaxContractionVelocity * lopt);
    const double ca = d.cos_pennation[i];
    d.fiber_length_norm[i] = l;
    d.fiber_velocity_norm[i] = v;
    d.force_active_max[i] = m.muscle_fmax[i] * active_force_length(l) * std::max(force_velocity(v), 0.0) * ca;
    d.force_passive[i] = m.muscle_fmax[i] * passive_force_length(l, nullptr, m.muscle_passive_strain[i]) * ca;
  }
}

}  // namespace paraspine
