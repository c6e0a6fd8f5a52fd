#include "sim/loadsharing/reactions.h"

namespace paraspine {

void reactions(const Model& m, Data& d) {
  // Contact force on the body above each joint: the net force minus what muscles crossing it apply
  // and minus the push of intra-abdominal pressure on the cut (zero without it; load_sharing sets it).
  d.contact_force = d.joint_force - d.abdominal_pressure_force;
  for (int i = 0; i < m.nmuscle; ++i) {
    const double T = d.muscle_force[i];
    if (T == 0) continue;
    for (int k = m.muscle_point_begin[i]; k + 1 < m.muscle_point_begin[i + 1]; ++k) {
      const Vec3 A = d.point_world.col(k), B = d.point_world.col(k + 1);
      const double l = (B - A).norm();
      if (l < 1e-12) continue;
      const Vec3 u = (B - A) / l;
      // A piece pulls its end above a joint toward the other end: −T u on B, +T u on A.
      int a = m.point_segment[k], b = m.point_segment[k + 1];
      while (a != b) {
        if (m.segment_depth[a] >= m.segment_depth[b]) {
          d.contact_force.col(a - 1) -= T * u;  // A is above joint a−1: the muscle pulls it toward B
          a = m.segment_parent[a];
        } else {
          d.contact_force.col(b - 1) += T * u;  // B is above joint b−1: pulled toward A (−u)
          b = m.segment_parent[b];
        }
      }
    }
  }
  for (int j = 0; j < m.njoint; ++j) {
    const Vec3 qh = 0.5 * d.q.segment<3>(3 * j);
    const Mat3 disc = d.joint_frame[j] * joint_rotation(qh);
    const Vec3 f = disc.transpose() * d.contact_force.col(j);
    d.disc_force.col(j) << f.y(), -f.x(), -f.z();
  }
}

}  // namespace paraspine
