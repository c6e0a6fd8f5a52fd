#pragma once
// One frame of the pipeline as far as it exists: kinematics → inverse dynamics → muscle geometry
// → force capacity.
// (Load sharing, reactions and fatigue join here as their stages land.)
#include "sim/kinematics/posture.h"
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

// Puts a posture, held still, into d: pelvis pose and q from the posture, all rates zero.
void set_static_posture(const Model& m, const Posture& p, Data& d);

// Runs forward_kinematics, inverse_dynamics, muscle_geometry and muscle_capacity on the state already in d (set by
// set_static_posture or PostureTimeline::sample) and the loads in d.hands / d.external_*.
void evaluate_frame(const Model& m, Data& d);

// The same after forward_kinematics has run (so that external loads that depend on where the
// segments are — supports, balance — can be set in between): inverse_dynamics, muscle_geometry,
// muscle_capacity.
void evaluate_frame_after_kinematics(const Model& m, Data& d);

}  // namespace paraspine
