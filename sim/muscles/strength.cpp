#include "sim/muscles/strength.h"

namespace paraspine {

double max_muscle_moment(const Model& m, const Data& d, int dof, int direction) {
  double moment = 0;
  for (int i = 0; i < m.nmuscle; ++i) {
    const double r = d.moment_arm(dof, i) * direction;
    moment += r * (d.force_passive[i] + (r > 0 ? d.force_active_max[i] : 0.0));
  }
  return moment;
}

}  // namespace paraspine
