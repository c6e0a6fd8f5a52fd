#pragma once
// Inverse dynamics, top-down (head → pelvis): the net force and moment every intervertebral joint
// must carry so that the segments above it move as the kinematics says, under gravity, the arms and
// what the hands hold, other external forces, and inertia (m·a, I·α + ω × I·ω).
//
// Needs forward_kinematics first. Reads Data::hands and external_force/point/moment.
// Writes (all for joint j, parent acting on the child side):
//   joint_force, joint_moment        world frame, moment about the joint centre     (3, njoint)
//   joint_force_local, joint_moment_local   the same in the parent-side joint (disc) frame
//   tau                              generalized moment per rotation = moment · rotation axis (ndof)
//   hand_position                    where each hand is (hanging or as given)       (3, narm)
// tau is what muscles, passive tissue and reserves must produce together.
//
// Arms: each arm is a point mass on the straight shoulder→hand line (Model::Arm::com_fraction) and
// the load a point mass at the hand; both pass their gravity and inertial forces to the shoulder on
// the carrying segment. A hanging arm moves rigidly with the shoulder. An arm whose hand is
// `supported` (resting on the floor) passes only its inertial force; its weight goes to the support.
// Point forces on segments: sim/dynamics/external_loads.h. No allocation.
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

void inverse_dynamics(const Model& m, Data& d);

// Sets every hand to hang (no load) and clears external forces: the state of plain standing.
void clear_loads(const Model& m, Data& d);

}  // namespace paraspine
