#include "sim/tissue/creep.h"

#include <cmath>

namespace paraspine {

void creep_update(const Model& m, double dt, Data& d) {
  const CreepParameters& p = m.creep;
  if (!p.enabled || dt <= 0) return;
  const double load_decay = std::exp(-dt / p.tau_creep);
  const double fast_decay = std::exp(-dt / p.tau_recovery_fast);
  const double slow_decay = std::exp(-dt / p.tau_recovery_slow);
  for (int j = 0; j < m.njoint; ++j) {
    const int k = m.dof(j, 0);
    const double theta_max = m.dof_range(k, 1);
    double target = 0;
    if (theta_max > 0 && p.steady_fraction > 0) {
      const double full = std::abs(m.dof_passive[k].moment(theta_max));
      const double eff = creep_effective_angle(d.q[k], d.creep[k]);
      if (full > 0 && eff > 0) target = p.steady_fraction * theta_max * std::abs(m.dof_passive[k].moment(eff)) / full;
    }
    const double fast_target = p.recovery_fast_fraction * target, slow_target = target - fast_target;
    double& cf = d.creep_fast[k];
    double& cs = d.creep_slow[k];
    cf = fast_target + (cf - fast_target) * (fast_target >= cf ? load_decay : fast_decay);
    cs = slow_target + (cs - slow_target) * (slow_target >= cs ? load_decay : slow_decay);
    d.creep[k] = cf + cs;
  }
}

void creep_reset(const Model& m, Data& d) {
  d.creep_fast.setZero(m.ndof);
  d.creep_slow.setZero(m.ndof);
  d.creep.setZero(m.ndof);
}

}  // namespace paraspine
