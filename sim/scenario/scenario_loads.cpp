// Per-frame external loads of a scenario: resting segments, supported arms and point forces.
#include <cmath>

#include "sim/dynamics/external_loads.h"
#include "sim/scenario/scenario.h"

namespace paraspine {

void apply_scenario_loads(const Model& m, const BoundScenario& b, double t, bool resting_phase, Data& d,
                          std::vector<double>* balance) {
  if (balance) balance->assign(b.forces.size(), 0.0);
  const double tk = resting_phase ? b.times.front() : t;
  // Resting segments and supported arms: those of the keyframe tk falls in (held until the next).
  size_t k = 0;
  while (k + 1 < b.resting.size() && b.times[k + 1] <= tk) ++k;
  if (!b.resting.empty())
    for (int idx : b.resting[k]) {
      if (idx >= 0) support_segment_weight(m, idx, d);
      else if (static_cast<size_t>(-1 - idx) < d.hands.size()) d.hands[-1 - idx].supported = true;
    }
  const double body_weight = m.reference_body_mass * m.gravity.norm();
  for (size_t i = 0; i < b.forces.size(); ++i) {
    const auto& f = b.forces[i];
    const auto& sf = f.spec;
    Vec3 v;
    for (int c = 0; c < 3; ++c) {
      double yd, ydd;
      f.value[c].evaluate(tk, v[c], yd, ydd);
    }
    const Mat3& R = d.segment_rotation[f.segment];
    const Vec3 point = sf.point_in_world ? sf.point : Vec3(d.segment_origin.col(f.segment) + R * sf.point);
    auto to_world = [&](const Vec3& x) { return sf.force_in_segment_frame ? Vec3(R * x) : x; };
    Vec3 F;
    if (sf.kind == ScenarioForce::Kind::kNewton) {
      F = to_world(v);
    } else if (sf.kind == ScenarioForce::Kind::kBodyWeight) {
      F = to_world(v * body_weight);
    } else {
      const Vec3 dir = to_world(sf.direction);
      const double mag = balance_support_magnitude(m, d, point, dir, sf.pivot, sf.axis, b.lower_body_mass, v);
      if (balance) (*balance)[i] = mag;
      F = std::isfinite(mag) ? Vec3(std::max(mag, 0.0) * dir) : Vec3::Zero();
    }
    if (balance && sf.kind != ScenarioForce::Kind::kBalance) (*balance)[i] = F.norm();
    add_point_force(f.segment, F, point, d);
  }
}

}  // namespace paraspine
