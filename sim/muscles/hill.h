#pragma once
// Hill-type muscle force capacity: F = a · F0 · f_L(l̃) · f_V(ṽ) · cos α + F0 · f_PE(l̃) · cos α
// along the tendon, with the smooth curves of De Groote, Kinney, Rao & Fregly 2016 (Ann Biomed
// Eng 44:2922–2936): they are differentiable everywhere, which the load-sharing solver needs.
// Constants as in OpenSim's DeGrooteFregly2016Muscle (shared/data/model-data.md §4.3):
//   active force–length: three Gaussian-like terms, f_L(1) = 1;
//   force–velocity: f_V = d1 ln((d2 ṽ + d3) + √((d2 ṽ + d3)² + 1)) + d4, ṽ = v / v_max,
//     v_max = 10 l_opt/s (OpenSim Muscle default), shortening negative; f_V(0) = 1, f_V(−1) = 0;
//   passive: f_PE = (exp(k_PE (l̃ − 1)/e0) − 1)/(exp(k_PE) − 1), k_PE = 4 (the paper's form: zero at
//     optimal length, clamped to zero below it), f_PE(1 + e0) = 1. e0 = 0.6 (the paper's value,
//     kDefaultPassiveStrain) unless the model gives a muscle its own passive_strain (the lumbar
//     extensors of full_spine.yaml: in vivo passive trunk data, docs/sources/passive_in_vivo.md).
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

inline constexpr double kMaxContractionVelocity = 10.0;  // optimal fibre lengths per second

double active_force_length(double lnorm, double* dfdl = nullptr);
double force_velocity(double vnorm, double* dfdv = nullptr);
double passive_force_length(double lnorm, double* dfdl = nullptr, double strain_at_f0 = kDefaultPassiveStrain);

// Needs muscle_geometry first. Writes, per muscle (nmuscle):
//   fiber_length_norm   l_f / l_opt
//   fiber_velocity_norm v_f / (v_max l_opt)
//   force_active_max    N, along the tendon at full activation: F0 f_L f_V cos α
//   force_passive       N, along the tendon: F0 f_PE cos α (with the muscle's passive strain)
// No allocation.
void muscle_capacity(const Model& m, Data& d);

}  // namespace paraspine
