#pragma once
// Spinal loads at every level, in the disc frame, whose axes are the joint frame turned by half the
// joint rotation (the disc mid-plane). The force starts as the net joint force from inverse
// dynamics, minus:
//   - the pull of every muscle whose path crosses the level;
//   - the push of intra-abdominal pressure on the cut (a distraction, sim/dynamics/abdominal_pressure.h);
//   - the force of the tissues that carry part of a joint law's moment off the disc (below).
//
// Where the model gives a joint `passive.off_disc` tissues (Model::OffDiscLoad), the part of its
// flexion law's moment they carry is a force at a lever behind (or in front of) the disc, balanced by
// the disc: the compression changes by Σ ±share·|M|/lever (posterior ligaments in flexion add to it,
// facets in contact take it away), the moment and the shear do not. Without them the laws are free
// couples.
//
// Needs inverse_dynamics, muscle_geometry and load_sharing (muscle_force, passive_joint_moment). Writes
//   contact_force (3, njoint): in world axes, on the body above, the force the **disc** transmits.
//     Without off_disc tissues that is the whole intervertebral contact (disc and facets, which the
//     model does not separate). With them it is the disc's alone: a tension member's pull is added
//     to it as compression, and a `contact` member's push (a facet pressing behind the disc) is taken
//     out of it, because that force passes through the facet, not the disc.
//   disc_force (3, njoint): the same force in the disc frame, namely
//     compression (N, along the disc normal, + when the vertebrae are pressed together; includes
//     off_disc_compression below, /joints/compression),
//     anterior shear (N, + when the load pushes the superior vertebra forward relative to the
//     inferior), and lateral shear (N, + to the right, same sense).
// No allocation.
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

void reactions(const Model& m, Data& d);

// Joint j's disc frame in world axes: the joint frame turned by half the joint rotation (the
// mid-plane between the two vertebrae), then by the disc's own sagittal tilt from the joint frame
// where the model gives one (Model::joint_disc_tilt). Columns: anterior, normal (superior), right.
// Needs forward kinematics.
Mat3 disc_frame(const Model& m, const Data& d, int j);

// The force (N, world axes) muscle i, at its present d.muscle_force, applies to the bodies above joint
// j: Σ over its points of T (u_k − u_(k−1)) (the pieces leaving and arriving), each point's components' shares on
// segments beyond j (Model::point_blend). What reactions() subtracts for that muscle at that joint;
// for decompositions and checks (it walks the tree: not for inner loops). Needs muscle_geometry.
Vec3 muscle_pull_above(const Model& m, const Data& d, int muscle, int joint);

// The compression (N) that joint j's off_disc tissues add to its disc for the flexion law's moment in
// d.passive_joint_moment (after creep): Σ ±share·|M|/lever of the side the law resists; 0 for a joint
// without tissues on that side. reactions() adds exactly this; the output field
// /joints/ligament_compression reports it.
double off_disc_compression(const Model& m, const Data& d, int j);

}  // namespace paraspine
