#include "sim/kinematics/posture.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "sim/common/rotation.h"

namespace paraspine {

Posture neutral_posture(const Model& m) {
  Posture p;
  p.region_angles = Eigen::MatrixX3d::Zero(m.nregion, 3);
  p.level_angles = Eigen::VectorXd::Zero(m.ndof);
  return p;
}

void set_posture_angle(const Model& m, const std::string& region, const std::string& axis,
                       double radians, Posture& p) {
  int a = -1;
  for (int k = 0; k < 3; ++k)
    if (axis == kAxisNames[k]) a = k;
  if (a < 0)
    throw std::invalid_argument("unknown axis '" + axis +
                                "' (expected flexion, lateral_bending or axial_rotation)");
  if (!std::isfinite(radians)) throw std::invalid_argument("angle for " + region + "." + axis + " is not finite");
  if (region == "pelvis") {
    // As scenarios and motion files refuse it (kMaxPelvisAngleDeg): past a half turn the body is the
    // same as the other way round, or upside down with "compressions" that pull.
    if (std::abs(radians) > M_PI + 1e-12)
      throw std::invalid_argument(fmt::format("pelvis.{}: {:g}° is more than a half turn (limit ±180° per axis)", axis, radians * 180 / M_PI));
    p.pelvis_angles[a] = radians;
    return;
  }
  const int r = m.region_index(region);
  if (r < 0) {
    std::string names = "pelvis";
    for (const auto& n : m.region_name) names += ", " + n;
    throw std::invalid_argument("unknown region '" + region + "' (this model has: " + names + ")");
  }
  p.region_angles(r, a) = radians;
}

void set_posture_angle_by_name(const Model& m, const std::string& name, const std::string& axis, double radians,
                               Posture& p) {
  const int j = m.joint_index(name);
  if (j < 0 || name == "pelvis" || m.region_index(name) >= 0) {
    try {
      set_posture_angle(m, name, axis, radians, p);
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      if (what.rfind("unknown region", 0) != 0) throw;
      throw std::invalid_argument(what.substr(0, what.size() - 1) + ", or a joint such as " +
                                  (m.njoint > 0 ? m.joint_name[0] : std::string("L4-L5")) + ": `paraspine model info` lists them)");
    }
    return;
  }
  int a = -1;
  for (int k = 0; k < 3; ++k)
    if (axis == kAxisNames[k]) a = k;
  if (a < 0) throw std::invalid_argument("unknown axis '" + axis + "' (expected flexion, lateral_bending or axial_rotation)");
  if (!std::isfinite(radians)) throw std::invalid_argument("angle for " + name + "." + axis + " is not finite");
  p.level_angles[m.dof(j, a)] = radians;
}

std::pair<double, double> region_range(const Model& m, int region, int axis) {
  double lo = 0, hi = 0;
  for (int j = 0; j < m.njoint; ++j)
    if (m.rhythm(m.dof(j, axis), 3 * region + axis) > 0) {
      lo += m.dof_range(m.dof(j, axis), 0);
      hi += m.dof_range(m.dof(j, axis), 1);
    }
  return {lo, hi};
}

Posture random_posture(const Model& m, double fraction, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  Posture p = neutral_posture(m);
  for (int r = 0; r < m.nregion; ++r)
    for (int a = 0; a < 3; ++a) {
      const auto [lo, hi] = region_range(m, r, a);
      p.region_angles(r, a) = fraction * (lo + u(rng) * (hi - lo));
    }
  return p;
}

Posture everyday_posture(const Model& m, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  Posture p = random_posture(m, 0.25, rng);
  for (int a = 0; a < 3; ++a) p.pelvis_angles[a] = deg2rad(40) * (u(rng) - 0.5);
  return p;
}

void posture_to_angles(const Model& m, const Posture& p, Eigen::VectorXd& q) {
  if (p.region_angles.rows() != m.nregion || p.level_angles.size() != m.ndof || q.size() != m.ndof)
    throw std::invalid_argument("posture_to_angles: posture or q not sized for this model");
  q = p.level_angles;
  for (int r = 0; r < m.nregion; ++r)
    for (int a = 0; a < 3; ++a) q += m.rhythm.col(3 * r + a) * p.region_angles(r, a);
}

}  // namespace paraspine
