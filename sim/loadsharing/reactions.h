#pragma once
// Spinal loads: the intervertebral (disc and facet) contact force at every level — the net joint
// force from inverse dynamics minus the pull of every muscle whose path crosses the level and minus
// the push of intra-abdominal pressure on the cut (a distraction, sim/dynamics/abdominal_pressure.h) and
// minus the pull of the ligaments that carry part of a joint law's moment off the disc (below) — in the
// disc frame, whose axes are the joint frame turned by half the joint rotation (the disc mid-plane).
//
// Where the model gives a joint `passive.off_disc` tissues (Model::OffDiscLoad), the part of its
// flexion law's moment they carry is a force at a lever behind (or in front of) the disc, balanced by
// the disc: the compression changes by Σ ±share·|M|/lever (posterior ligaments in flexion add to it),
// the moment and the shear do not. Without them the laws are free couples.
//
// Needs inverse_dynamics, muscle_geometry and load_sharing (muscle_force, passive_joint_moment). Writes
//   contact_force (3, njoint): that force in world axes, on the body above;
//   disc_force (3, njoint): compression (N, along the disc normal, + when the vertebrae are pressed
//   together), anterior shear (N, + when the load pushes the superior vertebra forward relative to
//   the inferior), lateral shear (N, + to the right, same sense).
// No allocation.
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

void reactions(const Model& m, Data& d);

}  // namespace paraspine
