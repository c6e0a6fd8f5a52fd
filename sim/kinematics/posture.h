#pragma once
// Postures and the spinal rhythm.
//
// A Posture is what a user states: pelvis position and orientation, and regional angles (for
// example lumbar flexion 40°) that the model's spinal rhythm spreads over the levels of each region;
// per-level angles may be added on top (or given alone, with zero regional angles).
#include <Eigen/Core>
#include <random>
#include <string>
#include <utility>

#include "sim/model/model.h"

namespace paraspine {

struct Posture {
  Vec3 pelvis_position = Vec3::Zero();  // m, world
  Vec3 pelvis_angles = Vec3::Zero();    // rad: anterior tilt (+), obliquity (+ right), rotation (+ right)
  Eigen::MatrixX3d region_angles;       // (nregion, 3) rad, per region: flexion, lat. bending, axial
  Eigen::VectorXd level_angles;         // (ndof) rad, added to what the rhythm gives
};

// A neutral posture sized for the model (the model's built-in curvature is relaxed standing).
Posture neutral_posture(const Model& m);

// Sets one angle by name: region "pelvis" or one of the model's regions; axis "flexion",
// "lateral_bending" or "axial_rotation". Throws std::invalid_argument naming what is unknown.
void set_posture_angle(const Model& m, const std::string& region, const std::string& axis,
                       double radians, Posture& p);

// The same, where `name` may also be one of the model's joints ("L4-L5"): its angle is then the
// level's own, added to what the rhythm gives it (Posture::level_angles), as a scenario's
// `joints_deg` is. For the one-posture tools (`paraspine moments --angle-deg L4-L5.flexion=3`,
// Python's static_frame), so a run's per-level posture can be rebuilt frame by frame (audit22b).
void set_posture_angle_by_name(const Model& m, const std::string& name, const std::string& axis, double radians,
                               Posture& p);

// A region's range on one axis: the sums of the lower and of the upper limits of the levels its
// rhythm moves (rad), {most negative, most positive}.
std::pair<double, double> region_range(const Model& m, int region, int axis);

// A random posture: every region on every axis at fraction × (a uniform draw within its
// region_range), drawn region by region, axis by axis; pelvis neutral (callers add their own).
Posture random_posture(const Model& m, double fraction, std::mt19937& rng);

// An everyday posture: every region up to 25 % of its range on each axis (random_posture with
// fraction 0.25) and the pelvis uniform within ±20° on each axis. The postures the full model must
// balance without reserves with up to 10 kg per hand (FullSpineTasks), and `paraspine bench`'s
// default motion.
Posture everyday_posture(const Model& m, std::mt19937& rng);

// Per-level joint angles: q = rhythm · (region angles) + level angles. q must have size ndof.
void posture_to_angles(const Model& m, const Posture& p, Eigen::VectorXd& q);

}  // namespace paraspine
