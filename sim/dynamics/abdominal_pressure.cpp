#include "sim/dynamics/abdominal_pressure.h"

#include <algorithm>
#include <cmath>

namespace paraspine {

double abdominal_pressure_from_moment(const AbdominalPressureParameters& p, double extension_moment) {
  if (!p.enabled || !(extension_moment > 0)) return 0;
  // The relation is evaluated on the reference body's moment (model.h: reference_moment_scale).
  const double v = p.intercept + p.slope * std::pow(p.reference_moment_scale * extension_moment, p.exponent);
  return std::clamp(v, 0.0, p.max_pressure);
}

double abdominal_pressure_driving_moment(const Model& m, const Data& d) {
  const AbdominalPressureParameters& p = m.abdominal_pressure;
  if (!p.enabled || p.reference_joint < 0) return 0;
  return -d.tau[m.dof(p.reference_joint, 0)];
}

void abdominal_pressure(const Model& m, bool enabled, Data& d) {
  d.abdominal_pressure = 0;
  d.abdominal_pressure_moment.setZero();
  d.abdominal_pressure_force.setZero();
  const AbdominalPressureParameters& p = m.abdominal_pressure;
  if (!enabled || !p.enabled) return;
  d.abdominal_pressure = abdominal_pressure_from_moment(p, abdominal_pressure_driving_moment(m, d));
  if (d.abdominal_pressure == 0) return;
  const double force = d.abdominal_pressure * p.area;
  for (int j : p.joints) {
    // The cut is the disc mid-plane: the joint frame turned by half the joint rotation, as in
    // reactions (x anterior, y the superior normal).
    const Mat3 disc = d.joint_frame[j] * joint_rotation(0.5 * d.q.segment<3>(3 * j));
    const Vec3 f = force * disc.col(1);
    const Vec3 moment = (p.moment_arm * disc.col(0)).cross(f);  // about the joint centre
    d.abdominal_pressure_force.col(j) = f;
    for (int a = 0; a < 3; ++a) d.abdominal_pressure_moment[3 * j + a] = d.dof_axis.col(3 * j + a).dot(moment);
  }
}

}  // namespace paraspine
