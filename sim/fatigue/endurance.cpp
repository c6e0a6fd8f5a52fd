#include "sim/fatigue/endurance.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/muscles/strength.h"

namespace paraspine {

// The fatigued fascicle at its (lowered) capacity serving rotation k in `sense` with the lowest
// capacity, or -1. (Without one, a shortfall is the optimizer moving a strength-limit reserve between
// neighbouring rotations, not fatigue.)
static int most_fatigued_saturated(const Model& m, const Data& d, int k, int sense) {
  int best = -1;
  for (int i = 0; i < m.nmuscle; ++i) {
    const bool serves = d.moment_arm(k, i) * sense > 0;
    const bool saturated = d.activation[i] >= d.muscle_capacity[i] - 1e-9 && d.muscle_capacity[i] < 1;
    if (serves && saturated && (best < 0 || d.muscle_capacity[i] < d.muscle_capacity[best])) best = i;
  }
  return best;
}

FatigueShortfall worst_fatigue_shortfall(const Model& m, const Data& d, const Eigen::VectorXd* fresh_reserve,
                                         double floor, bool blame) {
  FatigueShortfall w;
  double worst = floor;
  for (int k = 0; k < m.ndof; ++k) {
    const double r = d.reserve[k];
    if (std::abs(r) <= 1e-9) continue;
    const int sense = r > 0 ? 1 : -1;
    const double deficit = std::abs(r) - (fresh_reserve ? std::max(0.0, sense * (*fresh_reserve)[k]) : 0.0);
    const double mvc = max_muscle_moment(m, d, k, sense);
    if (mvc <= 0 || deficit / mvc <= worst) continue;  // no muscle acts this way: not a fatigue question
    const int muscle = blame ? most_fatigued_saturated(m, d, k, sense) : -1;
    if (blame && muscle < 0) continue;
    worst = deficit / mvc;
    w = {k, sense, deficit, mvc, worst, muscle};
  }
  return w;
}

TaskFailure check_task_failure(const Model& m, const LoadSharingSettings& s, const Data& d, Data& probe,
                               double threshold) {
  if (d.loadsharing_info.max_reserve <= 1e-9 || d.muscle_capacity.minCoeff() >= 1) return {};
  // Each rotation whose reserve, measured against fresh muscles, falls short by more than the
  // threshold, with the fascicle to blame. Bounded first by the reserve itself (the fresh reserve is
  // ≥ 0): a frame with no rotation over that bound cannot have failed, and most frames with reserves
  // stop there, without a copy and a second solve.
  if (worst_fatigue_shortfall(m, d, nullptr, threshold, true).dof < 0) return {};
  probe = d;
  probe.muscle_capacity.setOnes();
  load_sharing(m, s, probe);
  const FatigueShortfall w = worst_fatigue_shortfall(m, d, &probe.reserve, threshold, true);
  if (w.dof < 0) return {};
  return {true, w.dof, w.deficit, w.mvc, w.muscle, probe.activation[w.muscle] >= 1 - 1e-6};
}

double group_recovery_time(const std::vector<FatigueParameters>& p, std::vector<FatigueState> s,
                           const std::vector<double>& weight, double level, double limit) {
  double total = 0;
  for (double w : weight) total += w;
  auto strength_after = [&](const std::vector<FatigueState>& from, double dt) {
    double sum = 0;
    for (size_t i = 0; i < from.size(); ++i) {
      FatigueState q = from[i];
      if (dt > 0) fatigue_step(p[i], 0.0, dt, q);
      sum += weight[i] * q.capacity();
    }
    return total > 0 ? sum / total : 1.0;
  };
  if (strength_after(s, 0) >= level) return 0;
  double t = 0, h = 1;
  while (t < limit) {
    if (strength_after(s, h) >= level) {
      double lo = 0, hi = h;
      while (hi - lo > 0.01) {
        const double mid = 0.5 * (lo + hi);
        (strength_after(s, mid) >= level ? hi : lo) = mid;
      }
      return t + hi;
    }
    for (size_t i = 0; i < s.size(); ++i) fatigue_step(p[i], 0.0, h, s[i]);
    t += h;
    h *= 1.5;  // fatigue_step is exact for any step, so the bracket may grow without bound
  }
  return std::numeric_limits<double>::infinity();
}

}  // namespace paraspine
