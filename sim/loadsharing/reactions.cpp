#include "sim/loadsharing/reactions.h"

#include <cassert>
#include <cmath>

namespace paraspine {

double off_disc_compression(const Model& m, const Data& d, int j) {
  // The flexion law's moment realised by tissues off the disc centre (Model::OffDiscLoad): a
  // ligament pulling the body above toward the one below along the disc normal is balanced by the
  // same force pressing the disc; a facet in contact pushes the other way. The moment is unchanged.
  const double M = d.passive_joint_moment[3 * j];
  const OffDiscLoad& o = m.joint_off_disc[j];
  return (M < 0 ? o.flexion_compression : M > 0 ? o.extension_compression : 0.0) * std::abs(M);
}

void reactions(const Model& m, Data& d) {
  // Contact force on the body above each joint: the net force minus what muscles crossing it apply
  // and minus the push of intra-abdominal pressure on the cut (zero without it; load_sharing sets it).
  d.contact_force = d.joint_force - d.abdominal_pressure_force;
  // Plain arrays: per crossing three subtractions, which Eigen's column blocks cost several times
  // over (docs/performance.md, session 5); the same operations in the same order as before.
  double* contact = d.contact_force.data();
  const double* direction = d.piece_direction.data();
  const int* cross = m.piece_cross.data();
  const int* cross_begin = m.piece_cross_begin.data();
  for (int i = 0; i < m.nmuscle; ++i) {
    const double T = d.muscle_force[i];
    if (T == 0) continue;
    for (int k = m.muscle_point_begin[i]; k + 1 < m.muscle_point_begin[i + 1]; ++k) {
      if (cross_begin[k] == cross_begin[k + 1]) continue;
      // A piece pulls its end above a joint toward the other end: −T u on B, +T u on A. The joints
      // between the piece's segments are Model::piece_cross (≥ 0: below A's segment, A is above it).
      const double* u = direction + 3 * k;  // zero for a degenerate piece
      const double f0 = T * u[0], f1 = T * u[1], f2 = T * u[2];
      for (int c = cross_begin[k]; c < cross_begin[k + 1]; ++c) {
        const int code = cross[c];
        if (code >= 0) {  // A is above the joint: pulled toward B
          double* f = contact + 3 * code;
          f[0] -= f0;
          f[1] -= f1;
          f[2] -= f2;
        } else {  // B is above the joint: pulled toward A (−u)
          double* f = contact + 3 * (-code - 1);
          f[0] += f0;
          f[1] += f1;
          f[2] += f2;
        }
      }
    }
  }
  assert(static_cast<int>(m.joint_off_disc.size()) == m.njoint && "finalize_model sizes joint_off_disc");
  for (int j = 0; j < m.njoint; ++j) {
    const Vec3 qh = 0.5 * d.q.segment<3>(3 * j);
    const Mat3 disc = d.joint_frame[j] * joint_rotation(qh);
    const double tissue_compression = off_disc_compression(m, d, j);
    const Vec3 f = disc.transpose() * d.contact_force.col(j);
    d.disc_force.col(j) << f.y(), -f.x(), -f.z();
    if (tissue_compression != 0) {  // along the disc normal: the shears keep their bits
      d.disc_force(0, j) += tissue_compression;
      d.contact_force.col(j) += tissue_compression * disc.col(1);
    }
  }
}

}  // namespace paraspine
