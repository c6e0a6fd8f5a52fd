#include "sim/muscles/muscle_geometry.h"

#include <cmath>

namespace paraspine {

void muscle_geometry(const Model& m, Data& d) {
  for (int k = 0; k < m.npoint; ++k) {
    const int s = m.point_segment[k];
    d.point_world.col(k) = d.segment_origin.col(s) + d.segment_rotation[s] * m.point_pos.col(k);
  }
  for (int i = 0; i < m.nmuscle; ++i) {
    // Only the rows of the joints the fascicle crosses can be non-zero (the joints of a chain between
    // its two ends are contiguous, Model::muscle_joint_lo/hi); the rest of its column stays zero.
    const int r0 = 3 * std::max(m.muscle_joint_lo[i], 0);
    const int len = m.muscle_joint_lo[i] < 0 ? 0 : 3 * (m.muscle_joint_hi[i] + 1) - r0;
    auto arm = d.moment_arm.col(i).segment(r0, len);
    arm.setZero();
    double length = 0;
    for (int k = m.muscle_point_begin[i]; k + 1 < m.muscle_point_begin[i + 1]; ++k) {
      const Vec3 A = d.point_world.col(k), B = d.point_world.col(k + 1);
      const Vec3 AB = B - A;
      const double l = AB.norm();
      length += l;
      if (l < 1e-12) {
        d.piece_direction.col(k).setZero();
        continue;
      }
      const Vec3 u = AB / l;
      d.piece_direction.col(k) = u;
      // Every joint between the piece's two segments (Model::piece_cross): a joint below A's segment
      // moves A only, one below B's moves B only, with the opposite sign.
      for (int c = m.piece_cross_begin[k]; c < m.piece_cross_begin[k + 1]; ++c) {
        const int code = m.piece_cross[c], j = code >= 0 ? code : -code - 1;
        const Vec3 lever = ((code >= 0 ? A : B) - d.joint_center.col(j)).cross(u);
        const Vec3 r = d.dof_axis.middleCols<3>(3 * j).transpose() * lever;
        if (code >= 0) d.moment_arm.col(i).segment<3>(3 * j) += r;
        else d.moment_arm.col(i).segment<3>(3 * j) -= r;
      }
    }
    d.muscle_length[i] = length;
    d.muscle_velocity[i] = -arm.dot(d.qd.segment(r0, len));
    // Rigid tendon, constant-thickness pennation: the fibre's width w = l_opt sin α_opt stays, its
    // length along the tendon is what the tendon leaves.
    const double w = m.muscle_fiber_width[i];
    const double along = std::max(length - m.muscle_lts[i], 0.0);
    const double lf = std::sqrt(along * along + w * w);
    d.fiber_length[i] = lf;
    d.cos_pennation[i] = lf > 0 ? along / lf : 1.0;
    d.fiber_velocity[i] = lf > 0 ? along / lf * d.muscle_velocity[i] : 0.0;
  }
}

}  // namespace paraspine
