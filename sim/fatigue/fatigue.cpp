#include "sim/fatigue/fatigue.h"

namespace paraspine {

void fatigue_update(const Model& m, const std::vector<FatigueParameters>& p, double dt, Data& d) {
  fatigue_steps(p.data(), d.activation.data(), dt, m.nmuscle, d.fatigue.data(), d.fatigue_cache.data(),
                d.muscle_capacity.data());
}

void fatigue_reset(const Model& m, Data& d) {
  for (int i = 0; i < m.nmuscle; ++i) {
    d.fatigue[i] = FatigueState{};
    d.muscle_capacity[i] = 1.0;
  }
}

}  // namespace paraspine
