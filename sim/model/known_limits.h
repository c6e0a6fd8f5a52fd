#pragma once
// Where the model's answers are known not to hold, shared by the run's text summary and the
// pictures so both say it from the same point (docs/model.md, "Open findings").
#include <string>

#include <Eigen/Core>

#include "sim/common/rotation.h"
#include "sim/model/model.h"

namespace paraspine {

// A cervical level by its name, as load_limits.h tells a lumbar one: C0-C1 … C7-T1.
inline bool is_cervical_level(const std::string& joint) {
  return joint.size() > 1 && joint[0] == 'C' && joint[1] >= '0' && joint[1] <= '9';
}

// From this summed neck flexion on, the model's neck flexors hold the stretched head extensors'
// passive force and cervical loads grow far faster than the head's moment (docs/model.md, "The neck:
// what is and is not validated": forward_head_posture's 45° head tilt is 37° here, C4-C5 299 N; its
// 60°, 49°, 1196 N).
inline constexpr double kNeckFlexionCaveatDeg = 35;

// The neck's flexion at level angles q (rad, 3 per joint, flexion first): the sum of the cervical
// levels' flexion, C7-T1 … C0-C1, in degrees.
inline double neck_flexion_deg(const Model& m, const Eigen::Ref<const Eigen::VectorXd>& q) {
  double sum = 0;
  for (int j = 0; j < m.njoint && 3 * j < q.size(); ++j)
    if (is_cervical_level(m.joint_name[j])) sum += q[3 * j];
  return rad2deg(sum);
}

}  // namespace paraspine
