#pragma once
// The state a scenario asks for at time t: pelvis pose and joint angles from the timeline (with their
// rates), hand positions, grip accelerations and hand loads, with the rule for rests between
// repetitions (first posture, held still, hands empty and hanging). The one per-frame rule:
// run_scenario samples through it, and pictures redrawn from results files show the loads the run used.
#include "sim/model/data.h"
#include "sim/scenario/scenario.h"

namespace paraspine {

// Writes pelvis_*, q, qd, qdd and hands into d (external loads other than hands are not touched).
void sample_scenario(const Scenario& s, const BoundScenario& b, double t, Data& d);
// The same where the caller already knows where the instant falls in the cycles (run_scenario:
// cycle_position_of_frame).
void sample_scenario_at(const BoundScenario& b, const CyclePosition& where, Data& d);

}  // namespace paraspine
