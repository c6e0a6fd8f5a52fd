#pragma once
// The lift of the load-sharing benchmarks (bench_frame.cpp) and of the lift replay
// (replay/lift_replay.cpp), in one place so that both solve the same frames.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "sim/kinematics/posture.h"
#include "sim/kinematics/timeline.h"
#include "sim/model/data.h"
#include "sim/model/model.h"
#include "sim/simulate/frame.h"

namespace paraspine::bench {

// The default model when it exists, the lumbar test bed otherwise; PARASPINE_BENCH_MODEL overrides.
inline std::string bench_model() {
  if (const char* e = std::getenv("PARASPINE_BENCH_MODEL")) return e;
  const std::string dir = std::string(PARASPINE_SOURCE_DIR) + "/models/";
  return std::ifstream(dir + "full_spine.yaml").good() ? dir + "full_spine.yaml" : dir + "lumbar.yaml";
}

// A lift-like motion sampled at 100 Hz (lumbar flexion to 0.7 rad with 0.5 rad of pelvic tilt and
// a little thoracic twist, and back, over 2 s): consecutive frames differ a little, as in a
// scenario, so the warm start is exercised the way users exercise it.
struct Motion {
  PostureTimeline timeline;
  double t = 0;
  explicit Motion(const Model& m) : timeline(m, {0, 1, 2}, keys(m)) {}
  static std::vector<Posture> keys(const Model& m) {
    std::vector<Posture> k(3, neutral_posture(m));
    k[1].region_angles(0, 0) = 0.7;
    k[1].pelvis_angles[0] = 0.5;
    if (m.nregion > 1) k[1].region_angles(1, 2) = 0.1;
    return k;
  }
  // The next frame's state and loads in d, and the stages up to capacity.
  void next(const Model& m, Data& d) {
    timeline.sample(t, d);
    t = t >= 2 ? 0 : t + 0.01;
    evaluate_frame(m, d);
  }
};

}  // namespace paraspine::bench
