#include "sim/dynamics/external_loads.h"

#include <cmath>
#include <limits>

namespace paraspine {

void add_point_force(int s, const Vec3& F, const Vec3& x, Data& d) {
  // Stored as a force at the segment's application point plus a free moment: p×(F0+F) + M0 + (x−p)×F
  // equals the moments of both forces about any point.
  if (d.external_force.col(s).isZero(0.0) && d.external_moment.col(s).isZero(0.0)) d.external_point.col(s) = x;
  d.external_moment.col(s) += (x - d.external_point.col(s)).cross(F);
  d.external_force.col(s) += F;
}

void support_segment_weight(const Model& m, int s, Data& d) {
  add_point_force(s, -m.segment_mass[s] * m.gravity, d.segment_com.col(s), d);
}

void arm_points(const Model& m, const Data& d, int i, Vec3& hand, Vec3& arm_com) {
  const Arm& arm = m.arms[i];
  const Vec3 shoulder = d.segment_origin.col(arm.segment) + d.segment_rotation[arm.segment] * arm.shoulder;
  const Data::Hand& h = d.hands[i];
  hand = h.hanging ? Vec3(shoulder + m.gravity.normalized() * arm.length) : h.position;
  arm_com = shoulder + arm.com_fraction * (hand - shoulder);
}

SpringShare share_over_springs(const Eigen::Ref<const Eigen::Matrix3Xd>& points, const Vec3& F, const Vec3& M) {
  SpringShare s;
  const Eigen::Index n = points.cols();
  s.centroid = points.rowwise().sum() / static_cast<double>(n);
  Mat3 J = Mat3::Zero();
  for (Eigen::Index i = 0; i < n; ++i) {
    const Vec3 r = points.col(i) - s.centroid;
    J += r.squaredNorm() * Mat3::Identity() - r * r.transpose();
  }
  s.translation_force = F / static_cast<double>(n);
  s.rotation = J.ldlt().solve(M - s.centroid.cross(F));
  return s;
}

void add_force_through_rib_cage(const Model& m, const Vec3& F, const Vec3& x, Data& d) {
  RibCagePoints p;
  rib_cage_points(m, d, 0, p);
  const SpringShare share = share_over_springs(p, F, x.cross(F));
  for (Eigen::Index k = 0; k < p.cols(); ++k)
    add_point_force(m.arms[0].rib_cage_segment[static_cast<size_t>(k)], share.force_at(p.col(k)), p.col(k), d);
}

void rib_cage_points(const Model& m, const Data& d, int i, RibCagePoints& out) {
  const Arm& arm = m.arms[i];
  out.resize(3, static_cast<Eigen::Index>(arm.rib_cage_point.size()));
  for (size_t k = 0; k < arm.rib_cage_point.size(); ++k) {
    const int s = arm.rib_cage_segment[k];
    out.col(static_cast<Eigen::Index>(k)) = d.segment_origin.col(s) + d.segment_rotation[s] * arm.rib_cage_point[k];
  }
}

Vec3 external_moment_about(const Model& m, const Data& d, const Vec3& q, double lower_mass,
                           const Vec3& lower_com) {
  const Vec3 g = m.gravity;
  Vec3 M = (lower_com - q).cross(lower_mass * g);
  for (int s = 0; s < m.nsegment; ++s) {
    M += (d.segment_com.col(s) - q).cross(m.segment_mass[s] * g);
    M += (d.external_point.col(s) - q).cross(d.external_force.col(s)) + d.external_moment.col(s);
  }
  for (size_t i = 0; i < m.arms.size(); ++i) {
    Vec3 hand, com;
    arm_points(m, d, static_cast<int>(i), hand, com);
    M += (hand - q).cross(d.hands[i].force);  // the arm carries a force on the hand even when supported
    if (d.hands[i].supported) continue;
    M += (com - q).cross(m.arms[i].mass * g) + (hand - q).cross(d.hands[i].load_mass * g);
  }
  return M;
}

double balance_support_magnitude(const Model& m, const Data& d, const Vec3& p, const Vec3& dir,
                                 const Vec3& pivot, const Vec3& axis, double lower_mass,
                                 const Vec3& lower_com) {
  const Vec3 a = axis.normalized();
  const double arm = a.dot((p - pivot).cross(dir.normalized()));
  if (std::abs(arm) < 1e-6) return std::numeric_limits<double>::quiet_NaN();
  return -a.dot(external_moment_about(m, d, pivot, lower_mass, lower_com)) / arm;
}

}  // namespace paraspine
