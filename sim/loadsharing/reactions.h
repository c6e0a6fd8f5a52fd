#pragma once
// Spinal loads: the intervertebral (disc and facet) contact force at every level — the net joint
// force from inverse dynamics minus the pull of every muscle whose path crosses the level and minus
// the push of intra-abdominal pressure on the cut (a distraction, sim/dynamics/abdominal_pressure.h) — in the
// disc frame, whose axes are the joint frame turned by half the joint rotation (the disc mid-plane).
//
// Needs inverse_dynamics, muscle_geometry and load_sharing (muscle_force). Writes
//   disc_force (3, njoint): compression (N, along the disc normal, + when the vertebrae are pressed
//   together), anterior shear (N, + when the load pushes the superior vertebra forward relative to
//   the inferior), lateral shear (N, + to the right, same sense).
// No allocation.
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

void reactions(const Model& m, Data& d);

}  // namespace paraspine
