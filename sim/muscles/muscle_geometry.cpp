#include "sim/muscles/muscle_geometry.h"

#include <cmath>

namespace paraspine {

void muscle_geometry(const Model& m, Data& d) {
  for (int k = 0; k < m.npoint; ++k) {
    const int s = m.point_segment[k];
    d.point_world.col(k) = d.segment_origin.col(s) + d.segment_rotation[s] * m.point_pos.col(k);
  }
  d.moment_arm.setZero();
  for (int i = 0; i < m.nmuscle; ++i) {
    double length = 0;
    for (int k = m.muscle_point_begin[i]; k + 1 < m.muscle_point_begin[i + 1]; ++k) {
      const Vec3 A = d.point_world.col(k), B = d.point_world.col(k + 1);
      const Vec3 AB = B - A;
      const double l = AB.norm();
      length += l;
      if (l < 1e-12) continue;
      const Vec3 u = AB / l;
      // Walk from both segments to their common ancestor; every joint passed lies between them.
      int a = m.point_segment[k], b = m.point_segment[k + 1];
      while (a != b) {
        if (m.segment_depth[a] >= m.segment_depth[b]) {  // joint below a: moves A only
          const int j = a - 1;
          const Vec3 lever = (A - d.joint_center.col(j)).cross(u);
          for (int ax = 0; ax < 3; ++ax) d.moment_arm(3 * j + ax, i) += d.dof_axis.col(3 * j + ax).dot(lever);
          a = m.segment_parent[a];
        } else {  // joint below b: moves B only
          const int j = b - 1;
          const Vec3 lever = (B - d.joint_center.col(j)).cross(u);
          for (int ax = 0; ax < 3; ++ax) d.moment_arm(3 * j + ax, i) -= d.dof_axis.col(3 * j + ax).dot(lever);
          b = m.segment_parent[b];
        }
      }
    }
    d.muscle_length[i] = length;
    d.muscle_velocity[i] = -d.moment_arm.col(i).dot(d.qd);
    // Rigid tendon, constant-thickness pennation.
    const double w = m.muscle_lopt[i] * std::sin(m.muscle_pennation[i]);
    const double along = std::max(length - m.muscle_lts[i], 0.0);
    const double lf = std::sqrt(along * along + w * w);
    d.fiber_length[i] = lf;
    d.pennation[i] = std::atan2(w, along);
    d.fiber_velocity[i] = lf > 0 ? along / lf * d.muscle_velocity[i] : 0.0;
  }
}

}  // namespace paraspine
