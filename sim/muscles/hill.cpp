#include "sim/muscles/hill.h"

#include <algorithm>
#include <cmath>

#include "sim/loadsharing/vector_clones.h"
#include "sim/muscles/lanes.h"

namespace paraspine {

namespace {

// {b1, b2, b3, b4} per term of the active force–length curve, as in OpenSim's
// DeGrooteFregly2016Muscle.h (values from the optcntrlmuscle project; b11 adjusted there so that
// f_L(1) = 1; b33 = 0.5·√0.5).
constexpr double kActiveForceLength[3][4] = {{0.8150671134243542, 1.055033428970575, 0.162384573599574, 0.063303448465465},
                                             {0.433004984392647, 0.716775413397760, -0.029947116970696, 0.200356847296188},
                                             {0.1, 1.0, 0.353553390593274, 0.0}};
// d1..d4 of the force–velocity curve as in OpenSim's DeGrooteFregly2016Muscle.h (adjusted to pass
// (−1, 0) and (0, 1)).
constexpr double kForceVelocity[4] = {-0.3211346127989808, -8.149, -0.374, 0.8825327733249912};
// k_PE of the passive curve and its normalization exp(k_PE) − 1.
constexpr double kPassiveStiffness = 4.0;
const double kPassiveDenominator = std::exp(kPassiveStiffness) - 1.0;

}  // namespace

double active_force_length(double l, double* dfdl) {
  double f = 0, df = 0;
  for (const auto& b : kActiveForceLength) {
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
  const double d1 = kForceVelocity[0], d2 = kForceVelocity[1], d3 = kForceVelocity[2], d4 = kForceVelocity[3];
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
  const double kpe = kPassiveStiffness, denom = kPassiveDenominator;
  if (l <= 1.0) {
    if (dfdl) *dfdl = 0.0;
    return 0.0;
  }
  const double e = std::exp(kpe * (l - 1.0) / e0);
  if (dfdl) *dfdl = e * kpe / e0 / denom;
  return (e - 1.0) / denom;
}

// Compiled twice (vector_clones.h); in the x86-64-v3 clone the same two-lane operations take
// fewer instructions (three-operand AVX forms). Without fused multiply–adds (fp-contract=off), so
// both clones give the same bits.
__attribute__((optimize("fp-contract=off"))) PARASPINE_VECTOR_CLONES void muscle_capacity(const Model& m, Data& d) {
  // Two fascicles per operation (sim/muscles/lanes.h), in blocks: first every curve's argument, then
  // the block's exponentials and logarithms with exp_lanes and log_lanes, each a short loop of
  // independent iterations that the processor overlaps, then the products. Five library calls and
  // six divisions per fascicle, one after the other, were most of the stage's time
  // (docs/performance.md, session 5). The formulas are those of active_force_length, force_velocity
  // and passive_force_length above (agreement to 1e-14 relative, tests/cpp/test_hill.cpp).
  constexpr int kBlock = 128;
  alignas(16) double arg[5][kBlock], val[5][kBlock], lb[kBlock];
  static const double kPerPassiveDenominator = 1.0 / kPassiveDenominator;
  const int nmuscle = m.nmuscle;
  for (int i0 = 0; i0 < nmuscle; i0 += kBlock) {
    const int n = std::min(kBlock, nmuscle - i0);
    const int padded = (n + kLanes - 1) / kLanes * kLanes;
    for (int b = 0; b < padded; b += kLanes) {
      const int i = i0 + b;
      // The last pair of an odd count repeats its fascicle; only the first is stored.
      auto in = [&](const double* p) { return i + 1 < nmuscle ? load_lanes(p + i) : lanes(p[i]); };
      // Divisions, as in the scalar curves' callers: log(u + √(u² + 1)) loses digits to cancellation
      // when the fibre lengthens fast (u ≪ 0), and multiplying by 1/l_opt instead moved f_V by 1e-14.
      const Lanes lopt = in(m.muscle_lopt.data());
      const Lanes l = in(d.fiber_length.data()) / lopt;
      const Lanes v = in(d.fiber_velocity.data()) / (kMaxContractionVelocity * lopt);
      store_lanes(lb + b, l);
      for (int k = 0; k < kLanes && i + k < nmuscle; ++k) {
        d.fiber_length_norm[i + k] = l[k];
        d.fiber_velocity_norm[i + k] = v[k];
      }
      for (int t = 0; t < 3; ++t) {
        const double* c = kActiveForceLength[t];
        const Lanes x = (l - c[1]) / (c[2] + c[3] * l);
        store_lanes(arg[t] + b, -0.5 * x * x);
      }
      const Lanes u = kForceVelocity[1] * v + kForceVelocity[2];
      store_lanes(arg[3] + b, u + sqrt_lanes(u * u + 1));
      store_lanes(arg[4] + b, kPassiveStiffness * (l - 1.0) / in(m.muscle_passive_strain.data()));
    }
    for (int t : {0, 1, 2, 4}) exp_array(arg[t], val[t], padded);
    log_array(arg[3], val[3], padded);
    for (int b = 0; b < n; ++b) {
      const int i = i0 + b;
      const double fl = (kActiveForceLength[0][0] * val[0][b] + kActiveForceLength[1][0] * val[1][b]) +
                        kActiveForceLength[2][0] * val[2][b];
      const double fv = std::max(kForceVelocity[0] * val[3][b] + kForceVelocity[3], 0.0);
      const double fpe = lb[b] > 1.0 ? (val[4][b] - 1.0) * kPerPassiveDenominator : 0.0;
      const double ca = d.cos_pennation[i];
      d.force_active_max[i] = m.muscle_fmax[i] * fl * fv * ca;
      d.force_passive[i] = m.muscle_fmax[i] * fpe * ca;
    }
  }
}

}  // namespace paraspine
