#pragma once
// Maximal voluntary exertion against an external resistance, as a strength dynamometer measures
// it: the largest force on a pad that the whole model holds with its muscles alone (no reserve on
// any rotation), every joint in equilibrium, each fascicle within its capacity. Unlike
// max_muscle_moment (every muscle acting one way fully active, the other rotations left
// unbalanced: an upper bound), this is what the body can actually resist at the pad. The set of
// pad forces held without reserves is an interval [0, F_max] (equilibrium is linear in the force
// and in the activations, the bounds are convex), so F_max is found by bisection on it.
#include <functional>
#include <string>

#include "sim/common/rotation.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

struct PadExertion {
  int segment = -1;            // the segment the pad pushes on
  Vec3 point_local{0, 0, 0};   // where on it (segment frame, m): the origin by default
  Vec3 direction{1, 0, 0};     // world, unit: the way the pad pushes (the subject pushes back)
  double tolerance_N = 0.5;    // bisection stops when the bracket is this narrow
  double upper_N = 10000;      // a force no subject holds, the bisection's start
};

struct PadExertionResult {
  double force_N = 0;          // largest pad force held without reserves
  int limiting_dof = -1;       // the rotation whose reserve appears first just above it
  int solves = 0;
};

// `d` must hold the posture (set_static_posture or a timeline sample); its loads are replaced by
// the pad force alone. On return `d` holds the solved frame at force_N (load sharing done).
PadExertionResult max_pad_exertion(const Model& m, const LoadSharingSettings& s, const PadExertion& pad, Data& d);

// The same search for any load that scales with one number x ≥ 0 (a pad force, a couple on a
// segment, opposite forces on the two hands that make a twisting couple): `apply(d, x)` puts the
// load of size x into `d`, whose loads were just cleared (clear_loads), and must not touch its
// posture. The largest x in [0, upper] held without reserves, to `tolerance`; on return `d` holds
// the solved frame at that x. The set held is an interval for the same reason as the pad's (the
// load enters the equilibrium linearly). max_pad_exertion is this with the pad's force.
struct ExertionResult {
  double size = 0;          // largest x held without reserves (0 also when the posture alone needs them)
  int limiting_dof = -1;    // the rotation whose reserve appears first just above it
  int solves = 0;
};
ExertionResult max_exertion(const Model& m, const LoadSharingSettings& s,
                            const std::function<void(Data&, double)>& apply, double tolerance, double upper,
                            Data& d);

// Where the pad acts in the world (forward kinematics done).
Vec3 pad_point(const Data& d, const PadExertion& pad);

// The pad's direction for an extension test in the sagittal plane: perpendicular to the line from
// the joint centre `pivot` to the pad's point, pointing forward (+x side), as a rotary
// dynamometer's lever or a cable set square to the trunk pushes. Needs forward kinematics.
Vec3 pad_direction_square_to(const Data& d, const PadExertion& pad, int pivot_joint);
// The same, after check_pad_pivot: a pivot that does not carry the pad throws, naming both.
Vec3 pad_direction_square_to(const Model& m, const Data& d, const PadExertion& pad, int pivot_joint);

// An extension test about `pivot_joint` measures the muscles crossing it only when the pad pushes on
// a segment that joint carries (its upper segment or one above it). For a pad below the pivot
// (pivot C0-C1, pad T8) the pad's force does not act about the pivot at all, and the "strength"
// found would be that of some other joint. Returns why the pair is unusable, naming both, or "".
std::string pad_pivot_problem(const Model& m, int pad_segment, int pivot_joint);

// Throws std::invalid_argument with pad_pivot_problem's message when there is one.
void check_pad_pivot(const Model& m, int pad_segment, int pivot_joint);

}  // namespace paraspine
