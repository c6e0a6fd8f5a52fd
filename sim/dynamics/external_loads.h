#pragma once
// External loads besides gravity, the arms and the hands: point forces on named segments (a floor,
// a bench, a strap, a forearm on a mat). They fill Data::external_force / external_point /
// external_moment, which inverse_dynamics reads; several forces on one segment add up exactly (the
// moment of each about the segment's first application point goes into the free moment).
//
// Where a support force is statically indeterminate (the body rests on several supports), two
// documented rules set it (docs/scenarios.md, "External forces"):
//   - a resting segment (support_segment_weight): the floor carries that segment's own weight at its
//     centre of mass, no more — the segment lies still on the floor and does not pry against it;
//   - whole-body balance (balance_support_magnitude): a support of known direction at a known point
//     takes whatever force makes the moments of all the body's weights (segments, arms, hand loads,
//     the unmodelled lower body at a given centre of mass) and of all other external forces vanish
//     about a given axis through another support (the pivot). Quasi-static: inertia is left to the
//     pivot.
// All need forward_kinematics first. Units SI, world frame.
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

// Adds force F (N, world) acting at world point x on segment s.
void add_point_force(int s, const Vec3& F, const Vec3& x, Data& d);

// The floor carries segment s's weight at its centre of mass.
void support_segment_weight(const Model& m, int s, Data& d);

// Where arm i's hand is (the given grip, or hanging straight from the shoulder) and the arm's centre
// of mass, as inverse_dynamics uses them.
void arm_points(const Model& m, const Data& d, int i, Vec3& hand, Vec3& arm_com);

// A rigid body held at n points by equal isotropic springs, loaded by force F with moment M about
// the world origin, shares the load among the points as the elastic bolt-group rule says: the body
// translates and turns rigidly, so point i's spring force is f_i = u + θ × (p_i − c), c the points'
// centroid, u = F / n, θ = J⁻¹ (M − c × F), J = Σ (|r_i|² I − r_i r_iᵀ). Exact statics:
// Σ f_i = F and Σ p_i × f_i = M. The points must not all lie on one line (J invertible).
// Used for the rib cage carrying the arms (Model::Arm::rib_cage_*; docs/model.md §4).
struct SpringShare {
  Vec3 centroid = Vec3::Zero();
  Vec3 translation_force = Vec3::Zero();  // u, N
  Vec3 rotation = Vec3::Zero();           // θ, N/m (force per metre from the centroid)
  Vec3 force_at(const Vec3& p) const { return translation_force + rotation.cross(p - centroid); }
};
// points: world positions of the n ≥ 3 springs.
SpringShare share_over_springs(const Eigen::Ref<const Eigen::Matrix3Xd>& points, const Vec3& F, const Vec3& M);

// World positions of arm i's rib-cage joints, no heap allocation (the loader allows at most
// kMaxRibCagePoints); zero columns when the arm hangs from one segment.
using RibCagePoints = Eigen::Matrix<double, 3, Eigen::Dynamic, Eigen::ColMajor, 3, kMaxRibCagePoints>;
void rib_cage_points(const Model& m, const Data& d, int i, RibCagePoints& out);

// Adds force F (N, world) acting at world point x to the rib cage rather than to one segment: its
// wrench is shared among the rib cage's costovertebral joints (those arm 0 hangs from; every arm of
// the bundled models lists the same joints of both sides) by share_over_springs, each joint's share
// a point force on its vertebra. Exact statics: the same total force and moment as F at x. The model
// must give its arms a rib cage (the scenario loader checks).
void add_force_through_rib_cage(const Model& m, const Vec3& F, const Vec3& x, Data& d);

// Moment (N·m, world) about point q of every weight on the body — segments, arms (unless their hand
// is supported), hand loads — and of the forces on the hands (Data::Hand::force, supported or not),
// plus a point mass `lower_mass` (kg) at `lower_com`, plus the external loads already in d.
Vec3 external_moment_about(const Model& m, const Data& d, const Vec3& q, double lower_mass,
                           const Vec3& lower_com);

// Magnitude f ≥ 0 or < 0 (the support would have to pull) of a support force f·dir at world point p
// such that the whole body balances about the axis `axis` through `pivot`. Returns NaN when the
// support has no moment arm about that axis (|axis · ((p − pivot) × dir)| < 1e-6 m).
double balance_support_magnitude(const Model& m, const Data& d, const Vec3& p, const Vec3& dir,
                                 const Vec3& pivot, const Vec3& axis, double lower_mass,
                                 const Vec3& lower_com);

}  // namespace paraspine
