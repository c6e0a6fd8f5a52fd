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
      // A piece pulls its end above a joint toward the other end: −T u on B, +T u on A. The joints
      // between the piece's segments are Model::piece_cross (≥ 0: below A's segment, A is above it).
      const Vec3 Tu = T * d.piece_direction.col(k);  // zero for a degenerate piece
      for (int c = m.piece_cross_begin[k]; c < m.piece_cross_begin[k + 1]; ++c) {
        const int code = m.piece_cross[c];
        if (code >= 0) d.contact_force.col(code) -= Tu;  // A is above the joint: pulled toward B
        else d.contact_force.col(-code - 1) += Tu;       // B is above the joint: pulled toward A (−u)
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
