#include "sim/muscles/strength.h"

#include "sim/kinematics/posture.h"
#include "sim/simulate/frame.h"

namespace paraspine {

double max_muscle_moment(const Model& m, const Data& d, int dof, int direction) {
  double moment = 0;
  for (int i = 0; i < m.nmuscle; ++i) {
    const double r = d.moment_arm(dof, i) * direction;
    moment += r * (d.force_passive[i] + (r > 0 ? d.force_active_max[i] : 0.0));
  }
  return moment;
}

Eigen::MatrixXd neutral_joint_strength(const Model& m) {
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  evaluate_frame(m, d);  // kinematics, moment arms and the fascicles' capacities at rest
  Eigen::MatrixXd out(m.njoint, 6);
  for (int j = 0; j < m.njoint; ++j)
    for (int axis = 0; axis < 3; ++axis)
      for (int sense = 0; sense < 2; ++sense)  // +1 first: flexion, right bending, right turn
        out(j, 2 * axis + sense) = max_muscle_moment(m, d, 3 * j + axis, sense == 0 ? 1 : -1);
  return out;
}

}  // namespace paraspine
