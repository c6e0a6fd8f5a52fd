#pragma once
// Muscle paths: musculotendon length through origin, via points and insertion (straight lines
// between consecutive points, each fixed on a segment), its rate, fibre length and velocity, and the
// moment-arm matrix, computed analytically.
//
// Needs forward_kinematics first. Writes point_world and piece_direction (3, npoint), muscle_length and
// muscle_velocity (nmuscle; lengthening positive), fiber_length, fiber_velocity,
// cos_pennation (nmuscle), moment_arm (ndof, nmuscle) = −∂length/∂q.
//
// For a path piece from A (on segment a) to B (on segment b) with unit direction u, a rotation about
// world axis e through the joint centre c moves B by e × (B − c) when b lies beyond that joint
// (between a and b in the tree), so ∂length/∂q = e · ((B − c) × u); for A the sign flips.
//
// Fibres: rigid tendon (the tendon stays at slack length; adequate for the short tendons and slow
// movements of the trunk muscles, and what static optimization needs) and constant-thickness
// pennation, l_f sin α = l_opt sin α_opt. When the musculotendon is shorter than the tendon slack
// length the fibre is taken at its shortest (α = 90° is never reached: length along the tendon ≥ 0).
// No allocation.
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

void muscle_geometry(const Model& m, Data& d);

}  // namespace paraspine
