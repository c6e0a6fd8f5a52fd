#include "sim/simulate/max_exertion.h"

#include <cmath>
#include <stdexcept>

#include "sim/dynamics/inverse_dynamics.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

// The load of size x on the posture in d (its kinematics, muscle geometry and capacity already
// evaluated: a load changes only the inverse dynamics), solved. Held when the solve succeeded and
// no rotation needed a reserve.
bool holds(const Model& m, const LoadSharingSettings& s, const std::function<void(Data&, double)>& apply, double x,
           Data& d) {
  clear_loads(m, d);
  apply(d, x);
  inverse_dynamics(m, d);
  load_sharing(m, s, d);
  return d.loadsharing_info.status == QpStatus::kSolved && d.loadsharing_info.max_reserve <= 1e-6;
}

}  // namespace

ExertionResult max_exertion(const Model& m, const LoadSharingSettings& s,
                            const std::function<void(Data&, double)>& apply, double tolerance, double upper,
                            Data& d) {
  if (!apply) throw std::invalid_argument("max_exertion: no load to apply");
  if (!(tolerance > 0) || !(upper > tolerance)) throw std::invalid_argument("max_exertion: need 0 < tolerance < upper");
  clear_loads(m, d);
  evaluate_frame(m, d);
  ExertionResult r;
  ++r.solves;
  if (!holds(m, s, apply, 0, d)) return r;  // the posture alone needs reserves: no exertion possible
  double lo = 0, hi = upper;
  while (hi - lo > tolerance) {
    const double mid = 0.5 * (lo + hi);
    ++r.solves;
    (holds(m, s, apply, mid, d) ? lo : hi) = mid;
  }
  // Which rotation gives out first: the largest reserve just past the bracket.
  ++r.solves;
  holds(m, s, apply, hi, d);
  double worst = 0;
  for (int k = 0; k < m.ndof; ++k)
    if (std::abs(d.reserve[k]) > worst) worst = std::abs(d.reserve[k]), r.limiting_dof = k;
  ++r.solves;
  holds(m, s, apply, lo, d);
  r.size = lo;
  return r;
}

PadExertionResult max_pad_exertion(const Model& m, const LoadSharingSettings& s, const PadExertion& pad, Data& d) {
  if (pad.segment < 0 || pad.segment >= m.nsegment) throw std::invalid_argument("max_pad_exertion: no such pad segment");
  if (!(std::abs(pad.direction.norm() - 1) < 1e-9)) throw std::invalid_argument("max_pad_exertion: direction must be a unit vector");
  if (!(pad.tolerance_N > 0) || !(pad.upper_N > pad.tolerance_N))
    throw std::invalid_argument("max_pad_exertion: need 0 < tolerance_N < upper_N");
  evaluate_frame(m, d);  // forward kinematics for the pad's point (max_exertion evaluates it again, as before)
  const Vec3 point = pad_point(d, pad);
  const ExertionResult e = max_exertion(
      m, s,
      [&](Data& dd, double force) {
        dd.external_force.col(pad.segment) = force * pad.direction;
        dd.external_point.col(pad.segment) = point;
      },
      pad.tolerance_N, pad.upper_N, d);
  PadExertionResult r;
  r.force_N = e.size;
  r.limiting_dof = e.limiting_dof;
  r.solves = e.solves;
  return r;
}

Vec3 pad_point(const Data& d, const PadExertion& pad) {
  if (pad.segment < 0 || pad.segment >= static_cast<int>(d.segment_rotation.size()))
    throw std::invalid_argument("pad_point: no such pad segment");
  return d.segment_origin.col(pad.segment) + d.segment_rotation[static_cast<size_t>(pad.segment)] * pad.point_local;
}

std::string pad_pivot_problem(const Model& m, int pad_segment, int pivot_joint) {
  if (pad_segment < 0 || pad_segment >= m.nsegment) return "no such pad segment";
  if (pivot_joint < 0 || pivot_joint >= m.njoint) return "no such pivot joint";
  // Walk from the pad down towards the pelvis: the pivot carries the pad when its upper segment is on the way.
  for (int s = pad_segment; s >= 0; s = m.segment_parent[static_cast<size_t>(s)])
    if (s == m.joint_child(pivot_joint)) return "";
  const std::string seg = m.segment_name[static_cast<size_t>(pad_segment)], joint = m.joint_name[static_cast<size_t>(pivot_joint)];
  const std::string why = "pivot_joint '" + joint + "' does not carry pad_segment '" + seg + "'";
  if (m.segment_parent[static_cast<size_t>(pad_segment)] < 0)
    return why + ": " + seg + " is the root, which no joint carries; put the pad on a segment above the pivot";
  return why + ": " + seg + " lies below " + joint + ", so the pad's force does not act about that joint; choose a pivot " +
         "at or below " + m.joint_name[static_cast<size_t>(pad_segment - 1)] + " (the joint under " + seg +
         ") or a pad segment above " + joint;
}

void check_pad_pivot(const Model& m, int pad_segment, int pivot_joint) {
  if (const std::string problem = pad_pivot_problem(m, pad_segment, pivot_joint); !problem.empty())
    throw std::invalid_argument(problem);
}

Vec3 pad_direction_square_to(const Data& d, const PadExertion& pad, int pivot_joint) {
  if (pivot_joint < 0 || pivot_joint >= d.joint_center.cols())
    throw std::invalid_argument("pad_direction_square_to: no such joint");
  const Vec3 lever = pad_point(d, pad) - d.joint_center.col(pivot_joint);
  Vec3 dir(lever.y(), -lever.x(), 0);  // the lever turned by −90° about z: forward for a lever pointing up
  if (dir.norm() == 0) throw std::invalid_argument("pad_direction_square_to: pad at the pivot");
  return dir.normalized();
}

Vec3 pad_direction_square_to(const Model& m, const Data& d, const PadExertion& pad, int pivot_joint) {
  check_pad_pivot(m, pad.segment, pivot_joint);
  return pad_direction_square_to(d, pad, pivot_joint);
}

}  // namespace paraspine
