#include "sim/dynamics/inverse_dynamics.h"

#include "sim/dynamics/external_loads.h"

#include "sim/loadsharing/vector_clones.h"

namespace paraspine {

void clear_loads(const Model&, Data& d) {
  for (auto& h : d.hands) h = Data::Hand{};
  d.external_force.setZero();
  d.external_point.setZero();
  d.external_moment.setZero();
}

__attribute__((optimize("fp-contract=off"))) PARASPINE_VECTOR_CLONES void inverse_dynamics(const Model& m, Data& d) {
  const Vec3 g = m.gravity;
  // What each segment demands of the joint below it: f = m (a − g) − F_ext, and the matching moment
  // about the world origin. Summed up the tree they give the joint loads.
  for (int s = 0; s < m.nsegment; ++s) {
    const Mat3& R = d.segment_rotation[s];
    const Mat3 I = R * m.segment_inertia[s] * R.transpose();
    const Vec3 w = d.segment_omega.col(s);
    const Vec3 x = d.segment_com.col(s);
    const Vec3 f = m.segment_mass[s] * (d.segment_com_acc.col(s) - g);
    const Vec3 fe = d.external_force.col(s);
    d.subtree_force.col(s) = f - fe;
    d.subtree_moment.col(s) = x.cross(f) + I * d.segment_alpha.col(s) + w.cross(I * w) -
                              d.external_point.col(s).cross(fe) - d.external_moment.col(s);
  }
  for (size_t i = 0; i < m.arms.size(); ++i) {
    const Arm& arm = m.arms[i];
    const int s = arm.segment;
    const Vec3 r = d.segment_rotation[s] * arm.shoulder;
    const Vec3 w = d.segment_omega.col(s);
    const Vec3 shoulder = d.segment_origin.col(s) + r;
    const Vec3 shoulder_acc =
        d.segment_origin_acc.col(s) + d.segment_alpha.col(s).cross(r) + w.cross(w.cross(r));
    const Data::Hand& h = d.hands[i];
    Vec3 hand = h.position, hand_acc = h.acceleration;
    if (h.hanging) {
      hand = shoulder + g.normalized() * arm.length;
      hand_acc = shoulder_acc;
    }
    d.hand_position.col(i) = hand;
    const Vec3 arm_com = shoulder + arm.com_fraction * (hand - shoulder);
    const Vec3 arm_acc = (1 - arm.com_fraction) * shoulder_acc + arm.com_fraction * hand_acc;
    const Vec3 gw = h.supported ? Vec3::Zero() : g;  // a supported arm's weight goes to its support
    // A force on the hand (Data::Hand::force) is demanded of the arm as the load's weight is.
    const Vec3 fa = arm.mass * (arm_acc - gw), fl = h.load_mass * (hand_acc - gw) - h.force;
    const Vec3 F = fa + fl, M = arm_com.cross(fa) + hand.cross(fl);
    if (arm.rib_cage_segment.empty()) {
      d.subtree_force.col(s) += F;
      d.subtree_moment.col(s) += M;
      continue;
    }
    // The shoulder girdle hangs from the rib cage, which hands the demand to the costovertebral
    // joints of its vertebrae (docs/model.md §4): the same total wrench, spread over the thorax.
    RibCagePoints p;
    rib_cage_points(m, d, static_cast<int>(i), p);
    const SpringShare share = share_over_springs(p, F, M);
    for (Eigen::Index k = 0; k < p.cols(); ++k) {
      const int v = arm.rib_cage_segment[static_cast<size_t>(k)];
      const Vec3 f = share.force_at(p.col(k));
      d.subtree_force.col(v) += f;
      d.subtree_moment.col(v) += p.col(k).cross(f);
    }
  }
  for (int s = m.nsegment - 1; s > 0; --s) {
    const int p = m.segment_parent[s];
    d.subtree_force.col(p) += d.subtree_force.col(s);
    d.subtree_moment.col(p) += d.subtree_moment.col(s);
  }
  for (int j = 0; j < m.njoint; ++j) {
    const int c = m.joint_child(j);
    const Vec3 F = d.subtree_force.col(c);
    const Vec3 M = d.subtree_moment.col(c) - d.joint_center.col(j).cross(F);
    d.joint_force.col(j) = F;
    d.joint_moment.col(j) = M;
    d.joint_force_local.col(j) = d.joint_frame[j].transpose() * F;
    d.joint_moment_local.col(j) = d.joint_frame[j].transpose() * M;
    d.tau.segment<3>(3 * j) = d.dof_axis.middleCols<3>(3 * j).transpose() * M;
  }
}

}  // namespace paraspine
