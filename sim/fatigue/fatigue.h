#pragma once
// The fatigue stage: couples the three-compartment state of every fascicle with load sharing, both
// ways. After load sharing, each fascicle's state advances by dt at the target load it was just
// given (its activation); its new capacity, the recruitable fraction 1 − M_F, bounds its activation
// in the next frame's load sharing. Over a long task the load therefore moves to fresher synergists
// and, once they are spent too, to reserves: the task can no longer be held (task failure).
//
// Reads activation; writes fatigue (per fascicle) and muscle_capacity. No allocation.
#include <vector>

#include "sim/fatigue/three_compartment.h"
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

// p: each fascicle's parameters (nmuscle entries: Model::muscle_fatigue, or
// scenario_fatigue_parameters).
void fatigue_update(const Model& m, const std::vector<FatigueParameters>& p, double dt, Data& d);

// Fresh muscles: every state rested, every capacity 1.
void fatigue_reset(const Model& m, Data& d);

}  // namespace paraspine
