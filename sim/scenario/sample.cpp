#include "sim/scenario/sample.h"

#include <algorithm>

namespace paraspine {

void sample_scenario(const Scenario& s, const BoundScenario& b, double t, Data& d) {
  sample_scenario_at(b, cycle_position(s, b.times.back(), t), d);
}

void sample_scenario_at(const BoundScenario& b, const CyclePosition& where, Data& d) {
  const bool resting = where.resting;
  const double tk = where.time_in_cycle;
  b.timeline.sample(tk, d);
  if (resting) d.qd.setZero(), d.qdd.setZero(), d.pelvis_rates.setZero(), d.pelvis_accels.setZero(),
               d.pelvis_velocity.setZero(), d.pelvis_acceleration.setZero();
  // Loads are held from a keyframe to the next.
  size_t seg = 0;
  while (seg + 1 < b.times.size() && b.times[seg + 1] <= tk) ++seg;
  seg = std::min(seg, b.hand_load.size() - 1);
  for (size_t h = 0; h < d.hands.size() && h < 2; ++h) {
    Data::Hand& hand = d.hands[h];
    hand.load_mass = resting ? 0.0 : b.hand_load[seg][h];
    hand.hanging = resting || b.hand_hanging[seg][h];
    for (int c = 0; c < 3; ++c) {
      double y, yd, ydd;
      b.hand_position[h][c].evaluate(tk, y, yd, ydd);
      hand.position[c] = y;
      hand.acceleration[c] = resting ? 0.0 : ydd;
    }
  }
}

}  // namespace paraspine
