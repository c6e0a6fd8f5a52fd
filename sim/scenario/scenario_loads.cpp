// Per-frame external loads of a scenario: resting segments, supported arms and point forces.
#include <cmath>
#include <limits>

#include "sim/dynamics/external_loads.h"
#include "sim/scenario/scenario.h"

namespace paraspine {

namespace {

// Where a force acts: hand h's grip (hanging or given; at_hands) or its point.
Vec3 hand_point(const Model& m, const Data& d, int h) {
  Vec3 hand, com;
  arm_points(m, d, h, hand, com);
  return hand;
}

Vec3 direction_origin(const BoundScenario::Force& f, const Data& d) {
  const int s = f.direction_segment;
  return d.segment_origin.col(s) + d.segment_rotation[s] * f.spec.direction_point;
}

}  // namespace

double scenario_force_direction_gap(const Model& m, const BoundScenario::Force& f, const Data& d) {
  const Vec3 from = direction_origin(f, d);
  if (!f.spec.at_hands) {
    const Vec3 x = f.spec.point_in_world ? f.spec.point : Vec3(d.segment_origin.col(f.segment) + d.segment_rotation[f.segment] * f.spec.point);
    return (x - from).norm();
  }
  double gap = std::numeric_limits<double>::infinity();
  for (int h = 0; h < 2; ++h)
    if (f.spec.hands[h]) gap = std::min(gap, (hand_point(m, d, h) - from).norm());
  return gap;
}

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
  // The force (world N) a given force exerts at world point x: its value, or for magnitude_N that
  // magnitude along the unit vector from its direction_from point to x.
  auto force_at = [&](const BoundScenario::Force& f, const Vec3& v, const Vec3& x) -> Vec3 {
    switch (f.spec.kind) {
      case ScenarioForce::Kind::kMagnitude: {
        const Vec3 r = x - direction_origin(f, d);
        return r.norm() > 1e-9 ? Vec3(v.x() * r / r.norm()) : Vec3::Zero();
      }
      case ScenarioForce::Kind::kBodyWeight: return to_world(f, v * body_weight);
      default: return to_world(f, v);
    }
  };
  // Given forces first; then every balance support from the loads so far (they do not see each
  // other), each taking its share.
  for (size_t i = 0; i < b.forces.size(); ++i) {
    const auto& f = b.forces[i];
    if (f.spec.kind == ScenarioForce::Kind::kBalance) continue;
    const Vec3 v = value(f);
    if (f.spec.at_hands) {
      // At the hands, shared equally by the hands it acts on: each part a force on that hand, which
      // its arm carries to the shoulder girdle as it carries the hand's load (inverse_dynamics).
      const int n = static_cast<int>(f.spec.hands[0]) + static_cast<int>(f.spec.hands[1]);
      std::array<Vec3, 2> at, part;
      Vec3 total = Vec3::Zero();
      for (int h = 0; h < 2; ++h) {
        if (!f.spec.hands[h]) continue;
        at[h] = hand_point(m, d, h);
        part[h] = force_at(f, v, at[h]) / n;
        d.hands[h].force += part[h];
        total += part[h];
      }
      if (balance) (*balance)[i] = total.norm();
      if (applied) {
        // One grip (hands within 8 cm, as pictures group them): one arrow at the midpoint.
        if (n == 2 && (at[0] - at[1]).norm() < 0.08) {
          applied->push_back({f.spec.name, 0.5 * (at[0] + at[1]), total, false, false});
        } else {
          for (int h = 0; h < 2; ++h)  // each part at its hand (its arrow says which)
            if (f.spec.hands[h]) applied->push_back({f.spec.name, at[h], part[h], false, false});
        }
      }
      continue;
    }
    const Vec3 x = point_of(f);
    const Vec3 F = force_at(f, v, x);
    if (balance) (*balance)[i] = F.norm();
    if (applied) applied->push_back({f.spec.name, x, F, false, false});
    if (f.spec.carried_by_rib_cage) {
      add_force_through_rib_cage(m, F, x, d);
    } else {
      add_point_force(f.segment, F, x, d);
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
