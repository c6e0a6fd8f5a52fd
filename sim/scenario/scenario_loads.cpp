// Per-frame external loads of a scenario: resting segments, supported arms and point forces.
#include <cmath>

#include "sim/dynamics/external_loads.h"
#include "sim/scenario/scenario.h"

namespace paraspine {

void apply_scenario_loads(const Model& m, const BoundScenario& b, double t, bool resting_phase, Data& d,
                          std::vector<double>* balance, std::vector<AppliedScenarioForce>* applied) {
  if (balance) balance->assign(b.forces.size(), 0.0);
  if (applied) applied->clear();
  const double tk = resting_phase ? b.times.front() : t;
  // Resting segments and supported arms: those of the keyframe tk falls in (held until the next).
  size_t k = 0;
  while (k + 1 < b.resting.size() && b.times[k + 1] <= tk) ++k;
  if (!b.resting.empty())
    for (int idx : b.resting[k]) {
      if (idx >= 0) {
        support_segment_weight(m, idx, d);
        if (applied) applied->push_back({m.segment_name[idx], d.segment_com.col(idx), -m.segment_mass[idx] * m.gravity, true, true});
      } else if (static_cast<size_t>(-1 - idx) < d.hands.size()) d.hands[-1 - idx].supported = true;
    }
  const double body_weight = m.reference_body_mass * m.gravity.norm();
  auto value = [&](const BoundScenario::Force& f) {
    Vec3 v;
    for (int c = 0; c < 3; ++c) {
      double yd, ydd;
      f.value[c].evaluate(tk, v[c], yd, ydd);
    }
    return v;
  };
  auto point_of = [&](const BoundScenario::Force& f) {
    return f.spec.point_in_world ? f.spec.point
                                 : Vec3(d.segment_origin.col(f.segment) + d.segment_rotation[f.segment] * f.spec.point);
  };
  auto to_world = [&](const BoundScenario::Force& f, const Vec3& x) {
    return f.spec.force_in_segment_frame ? Vec3(d.segment_rotation[f.segment] * x) : x;
  };
  // Given forces first; then every balance support from the loads so far (they do not see each
  // other), each taking its share.
  for (size_t i = 0; i < b.forces.size(); ++i) {
    const auto& f = b.forces[i];
    if (f.spec.kind == ScenarioForce::Kind::kBalance) continue;
    const Vec3 v = value(f);
    const Vec3 F = to_world(f, f.spec.kind == ScenarioForce::Kind::kNewton ? v : Vec3(v * body_weight));
    if (balance) (*balance)[i] = F.norm();
    if (applied) applied->push_back({f.spec.name, point_of(f), F, false, false});
    if (f.spec.carried_by_rib_cage) {
      add_force_through_rib_cage(m, F, point_of(f), d);
    } else {
      add_point_force(f.segment, F, point_of(f), d);
    }
  }
  thread_local std::vector<Vec3> support;
  support.assign(b.forces.size(), Vec3::Zero());
  for (size_t i = 0; i < b.forces.size(); ++i) {
    const auto& f = b.forces[i];
    if (f.spec.kind != ScenarioForce::Kind::kBalance) continue;
    const Vec3 dir = to_world(f, f.spec.direction);
    double share, yd, ydd;
    f.share.evaluate(tk, share, yd, ydd);
    const double mag = balance_support_magnitude(m, d, point_of(f), dir, f.spec.pivot, f.spec.axis, b.lower_body_mass, value(f));
    if (balance) (*balance)[i] = share * mag;
    support[i] = std::isfinite(mag) ? Vec3(share * std::max(mag, 0.0) * dir) : Vec3::Zero();
  }
  for (size_t i = 0; i < b.forces.size(); ++i)
    if (b.forces[i].spec.kind == ScenarioForce::Kind::kBalance) {
      add_point_force(b.forces[i].segment, support[i], point_of(b.forces[i]), d);
      if (applied) applied->push_back({b.forces[i].spec.name, point_of(b.forces[i]), support[i], true, false});
    }
}

}  // namespace paraspine
