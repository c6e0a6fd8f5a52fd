#pragma once
// One frame of the pipeline as far as it exists: kinematics → inverse dynamics → muscle geometry
// → force capacity.
// (Load sharing, reactions and fatigue join here as their stages land.)
#include "sim/kinematics/posture.h"
#include "sim/model/data.h"
#include "sim/model/model.h"

#include <vector>

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

// forward_kinematics, skipped when its inputs (q, qd, qdd and the pelvis' pose, rates and
// accelerations) are bit for bit those of the last call made through the same memo on the same
// Data: its outputs are then still in d, exactly. Held postures (the rests of a repeated task, hours
// of sitting) repeat them frame after frame. The caller must not change d's kinematics outputs in
// between, nor use the memo with another Data.
struct KinematicsMemo {
  std::vector<double> inputs;  // of the last call that ran
  bool valid = false;
};
void forward_kinematics_memo(const Model& m, Data& d, KinematicsMemo& memo);

}  // namespace paraspine
