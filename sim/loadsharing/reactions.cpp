#include "sim/loadsharing/reactions.h"

#include <cassert>
#include <cmath>
#include <vector>

#include "sim/loadsharing/vector_clones.h"

namespace paraspine {

double off_disc_compression(const Model& m, const Data& d, int j) {
  // The flexion law's moment realised by tissues off the disc centre (Model::OffDiscLoad): a
  // ligament pulling the body above toward the one below along the disc normal is balanced by the
  // same force pressing the disc; a facet in contact pushes the other way. The moment is unchanged.
  const double M = d.passive_joint_moment[3 * j];
  const OffDiscLoad& o = m.joint_off_disc[j];
  return (M < 0 ? o.flexion_compression : M > 0 ? o.extension_compression : 0.0) * std::abs(M);
}

namespace {

// contact (4 per joint: x, y, z and a pad) −= what muscles crossing each joint apply. Per crossing
// the three components in one four-lane operation (an AVX2 register in the x86-64-v3 clone, two SSE2
// ones in the baseline). Where B is above the joint (+T u, the old loop's +=) −T u is subtracted:
// IEEE subtraction is addition of the negation, so each component gets the same operation, in the
// same order, as the scalar loop of session 5, and without fused multiply–adds (fp-contract=off)
// both clones give its bits.
__attribute__((optimize("fp-contract=off"))) PARASPINE_VECTOR_CLONES void subtract_muscle_pulls(const Model& m, const Data& d,
                                                                                                double* __restrict contact) {
  const double* direction = d.piece_direction.data();
  const double* force = d.muscle_force.data();
  const int* cross = m.piece_cross.data();
  const int* cross_begin = m.piece_cross_begin.data();
  const int* point_begin = m.muscle_point_begin.data();
  for (int i = 0; i < m.nmuscle; ++i) {
    const double T = force[i];
    if (T == 0) continue;
    if (m.muscle_has_blend[i]) {
      // A point on several segments: the path pulls each point k with T (u_k − u_(k−1)) (u of the piece
      // leaving it, zero after the last point, and of the piece arriving); a point's component of
      // weight w carries w of that to its segment, and the body above joint j receives what the
      // components on segments beyond j carry, up to the path's common ancestor (beyond it the pulls
      // of the whole path cancel).
      const int root = m.muscle_path_root[i];
      for (int k = point_begin[i]; k < point_begin[i + 1]; ++k) {
        double pull[3];
        for (int c = 0; c < 3; ++c)
          pull[c] = T * (direction[3 * k + c] - (k > point_begin[i] ? direction[3 * (k - 1) + c] : 0.0));
        const int ncomponent = m.point_ncomponent(k);
        for (int part = 0; part < ncomponent; ++part) {
          const double w = m.component_share(k, part);  // an ordinary point's one component: 1
          for (int x = m.component_segment(k, part); x != root; x = m.segment_parent[x]) {
            double* f = contact + 4 * (x - 1);  // joint x − 1 moves segment x
            for (int c = 0; c < 3; ++c) f[c] -= w * pull[c];
          }
        }
      }
      continue;
    }
    for (int k = point_begin[i]; k + 1 < point_begin[i + 1]; ++k) {
      if (cross_begin[k] == cross_begin[k + 1]) continue;
      // A piece pulls its end above a joint toward the other end: −T u on B, +T u on A. The joints
      // between the piece's segments are Model::piece_cross (≥ 0: below A's segment, A is above it).
      // u is zero for a degenerate piece; its fourth lane (the next piece's first component, which
      // exists: k + 1 < npoint) lands in the pad.
      Lanes4 u;
      load4(u, direction + 3 * k);
      const Lanes4 tu = T * u, minus_tu = -tu;
      for (int c = cross_begin[k]; c < cross_begin[k + 1]; ++c) {
        const int code = cross[c];
        const int j = code >= 0 ? code : -code - 1;
        const Lanes4 pull = code >= 0 ? tu : minus_tu;  // ≥ 0: T u subtracted; < 0: added, as −(−T u)
        Lanes4 f;
        load4(f, contact + 4 * j);
        store4(contact + 4 * j, f - pull);
      }
    }
  }
}

}  // namespace

Vec3 muscle_pull_above(const Model& m, const Data& d, int i, int j) {
  auto beyond = [&](int x) {  // is segment x the child of joint j or beyond it?
    for (; x > 0; x = m.segment_parent[x])
      if (x == m.joint_child(j)) return true;
    return false;
  };
  const double T = d.muscle_force[i];
  Vec3 total = Vec3::Zero();
  const int first = m.muscle_point_begin[i], end = m.muscle_point_begin[i + 1];
  for (int k = first; k < end; ++k) {
    const Vec3 leaving = k + 1 < end ? Vec3(d.piece_direction.col(k)) : Vec3::Zero();
    const Vec3 arriving = k > first ? Vec3(d.piece_direction.col(k - 1)) : Vec3::Zero();
    const Vec3 pull = T * (leaving - arriving);
    for (int c = 0; c < m.point_ncomponent(k); ++c)  // an ordinary point: its one component, weight 1
      if (beyond(m.component_segment(k, c))) total += m.component_share(k, c) * pull;
  }
  return total;
}

Mat3 disc_frame(const Model& m, const Data& d, int j) {
  const Mat3 mid = d.joint_frame[j] * joint_rotation(Vec3(0.5 * d.q.segment<3>(3 * j)));
  const double tilt = m.joint_disc_tilt.empty() ? 0.0 : m.joint_disc_tilt[static_cast<size_t>(j)];
  if (tilt == 0) return mid;  // the joint frame's mid-plane, the same bits as before tilts existed
  // Turning the normal (y) forward toward +x by `tilt` is a rotation by −tilt about z.
  return mid * Eigen::AngleAxisd(-tilt, Vec3::UnitZ()).toRotationMatrix();
}

void reactions(const Model& m, Data& d) {
  // Contact force on the body above each joint: the net force minus what muscles crossing it apply
  // and minus the push of intra-abdominal pressure on the cut (zero without it; load_sharing sets it).
  d.contact_force = d.joint_force - d.abdominal_pressure_force;
  // Padded to four per joint for subtract_muscle_pulls (on the stack for up to 64 joints; the
  // bundled models have at most 25).
  double on_stack[4 * 64];
  std::vector<double> on_heap;
  double* padded = m.njoint <= 64 ? on_stack : (on_heap.resize(4 * static_cast<size_t>(m.njoint)), on_heap.data());
  double* contact = d.contact_force.data();
  for (int j = 0; j < m.njoint; ++j) {
    for (int c = 0; c < 3; ++c) padded[4 * j + c] = contact[3 * j + c];
    padded[4 * j + 3] = 0;
  }
  subtract_muscle_pulls(m, d, padded);
  for (int j = 0; j < m.njoint; ++j)
    for (int c = 0; c < 3; ++c) contact[3 * j + c] = padded[4 * j + c];
  assert(static_cast<int>(m.joint_off_disc.size()) == m.njoint && "finalize_model sizes joint_off_disc");
  for (int j = 0; j < m.njoint; ++j) {
    const Mat3 disc = disc_frame(m, d, j);
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
