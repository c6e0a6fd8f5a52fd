#include "sim/fatigue/fatigue.h"

namespace paraspine {

void fatigue_update(const Model& m, const std::vector<FatigueParameters>& p, double dt, Data& d) {
  for (int i = 0; i < m.nmuscle; ++i) {
    fatigue_step(p[i], d.activation[i], dt, d.fatigue[i], &d.fatigue_cache[i]);
    d.muscle_capacity[i] = d.fatigue[i].capacity();
  }
}

void fatigue_reset(const Model& m, Data& d) {
  for (int i = 0; i < m.nmuscle; ++i) {
    d.fatigue[i] = FatigueState{};
    d.muscle_capacity[i] = 1.0;
  }
}

}  // namespace paraspine
