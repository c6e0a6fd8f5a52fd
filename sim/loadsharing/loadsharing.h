#pragma once
// Load sharing (static optimization): the muscle activations and reserve moments that balance the
// net joint moments with the least effort.
//
//   minimize   Σ_i cost(a_i) + Σ_k (W |r_k| + ε r_k²)
//   subject to Σ_i R_ki (a_i F^act_i + F^pas_i) + M^pas_k(q) + M^iap_k + r_k = τ_k   for every rotation k
//              0 ≤ a_i ≤ capacity_i
// with R the moment-arm matrix, F^act the force at full activation (Hill capacity), F^pas the passive
// fibre force, M^pas the joint's passive moment–angle law, M^iap the share carried by intra-abdominal
// pressure when the model has one (prescribed, sim/dynamics/abdominal_pressure.h), τ the net moment
// from inverse dynamics and
// r a reserve actuator on every rotation. The reserve cost is an exact penalty: W per N·m is more than
// any muscle's marginal cost short of its capacity, so reserves are exactly zero wherever the muscles
// can carry the load and take only what they cannot (reported, never hidden). The tiny ε r² keeps the
// problem strictly convex. (A quadratic W r² would need W ≈ 10⁶ and multipliers near 10⁷ in
// saturated frames, which the dual Newton method crosses only slowly.) Criteria (docs/loadsharing.md):
//   activation2  Σ a²                 (the common default of static optimization)
//   activation3  Σ a³                 (Crowninshield & Brand 1981, J Biomech 14:793)
//   stress2      Σ (a F^act / PCSA)²  (muscle stress squared)
//   minmax       min max a, then Σ a² (the min/max criterion of AnyBody, Rasmussen et al. 2001,
//                J Biomech 34:409, with a quadratic term to make the answer unique)
// Quadratic criteria are one QP (sim/loadsharing/qp.h); activation3 is a Newton/SQP loop on the same
// core; minmax bisects on the common activation ceiling.
//
// Needs evaluate_frame (kinematics, dynamics, geometry, capacity) first. Reads muscle_capacity and
// trunk_supported. Writes abdominal_pressure (and its moment and force), activation, muscle_force,
// muscle_moment, passive_joint_moment, reserve (per rotation), loadsharing_info; in a supported
// frame (Data::trunk_supported) also tau, which becomes the moments the relaxed tissues carry (the
// support takes the rest: every activation and reserve is zero). Warm-starts from the previous call on the same Data. No allocation.
#include <string>

#include "sim/loadsharing/qp.h"
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

enum class Criterion : int { kActivation2 = 0, kActivation3 = 1, kStress2 = 2, kMinMax = 3 };
const char* criterion_name(Criterion c);
// Throws std::invalid_argument naming the choices.
Criterion parse_criterion(const std::string& name);

struct LoadSharingSettings {
  Criterion criterion = Criterion::kActivation2;
  double reserve_cost = 1e4;           // W, per N·m, against 1 per muscle at full activation squared
  double reserve_regularization = 1e-2;  // ε, per (N·m)²
  // Intra-abdominal pressure carries part of the lumbar moments when the model defines it
  // (abdominal_pressure: in the model file); false ignores it (the engine before session 3).
  bool abdominal_pressure = true;
  QpSettings qp;
  int max_outer_iterations = 50;     // SQP (activation3) or bisection (minmax) steps
  double outer_tolerance = 1e-9;     // on activations
};

// Status, iterations, equilibrium residual and reserve use land in Data::loadsharing_info.
void load_sharing(const Model& m, const LoadSharingSettings& s, Data& d);

// The frame's largest reserve, N·m, or 0 when it is within the criterion's tolerance
// (LoadSharingSummary::reserve_noise: minmax's acceptance band): what "reserves act" counts.
inline double reserve_needed(const Data::LoadSharingSummary& info) { return info.max_reserve > info.reserve_noise ? info.max_reserve : 0; }

// The same, warm-started from the multipliers `start` (those of an earlier solve of a problem near
// this one: run.cpp, the same point of a repeated task's last repetition) instead of the last solve's
// on this Data, for the one-QP criteria (activation2, stress2); the others start as usual.
void load_sharing(const Model& m, const LoadSharingSettings& s, Data& d, const Eigen::VectorXd& start);

}  // namespace paraspine
