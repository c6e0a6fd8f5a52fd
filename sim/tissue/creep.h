#pragma once
// Viscoelastic creep of the passive flexion laws, and its slower recovery.
//
// Under sustained flexion the posterior passive tissues (ligaments, capsules, disc annulus) creep:
// McGill & Brown 1992 (Clin Biomech 7:43) held 47 subjects in full lumbar flexion for 20 min and
// measured +5.5° of peak flexion, fitted by a first-order step response with a 9.4-min time
// constant; after unloading about half of the lost stiffness returned within 2 min, and full
// recovery took longer than the creep itself (viscoelastic hysteresis).
//
// Here every joint's flexion tissue carries a creep c ≥ 0 (rad): the slack its flexion-side tissue
// has gained. The passive flexion law acts on the angle beyond that slack,
//     M = M_passive(θ − c) for θ > c,   0 for 0 ≤ θ ≤ c,   M_passive(θ) in extension (θ < 0),
// so after creep the same posture carries less passive moment and the muscles carry the rest.
// The creep approaches a target proportional to the tissue's load (linear creep compliance):
//     c* = κ · M_passive(θ_eff),   κ = steady_fraction · θ_max / M_passive(θ_max),
// θ_max the joint's flexion limit: a sustained full-flexion load creeps the joint by
// steady_fraction of its range. Two parts share the target — the fast part (recovery_fast_fraction
// of it) and the slow part; both creep with tau_creep, and each recovers, when its target falls
// below it, with its own time constant (fast, slow). Over one step the target is held at its value
// at the step's start and each part relaxes to it exactly (exponential), so any step is stable.
// Lateral bending and axial rotation do not creep here (no in vivo data for them was found).
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

// The angle the passive law sees on a flexion axis after creep c (rad): the slack is taken up first.
inline double creep_effective_angle(double q, double c) {
  if (q <= 0) return q;
  return q > c ? q - c : 0.0;
}

// Advances every joint's creep by dt at the current posture (Data::q). Writes creep_fast,
// creep_slow and creep (their sum). Does nothing for a model without creep parameters.
void creep_update(const Model& m, double dt, Data& d);

// Fresh tissue: no creep.
void creep_reset(const Model& m, Data& d);

}  // namespace paraspine
