// Per-stage cost of one frame on the default model: kinematics, inverse dynamics, muscle geometry
// (with the full moment-arm matrix), and the three together. The model is loaded once per fixture.
#include <benchmark/benchmark.h>

#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/kinematics/posture.h"
#include "sim/model/loader.h"
#include "sim/muscles/muscle_geometry.h"
#include "sim/simulate/frame.h"

namespace ps = paraspine;

namespace {

struct Fixture {
  ps::Model model = ps::load_model(std::string(PARASPINE_SOURCE_DIR) + "/models/lumbar.yaml");
  ps::Data data{model};
  Fixture() {
    ps::Posture p = ps::neutral_posture(model);
    p.region_angles(0, 0) = 0.5;  // a stooped lumbar spine
    ps::set_static_posture(model, p, data);
    data.qd.setConstant(0.3);
    ps::clear_loads(model, data);
    ps::evaluate_frame(model, data);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_Kinematics(benchmark::State& st) {
  auto& f = fixture();
  for (auto _ : st) {
    ps::forward_kinematics(f.model, f.data);
    benchmark::DoNotOptimize(f.data.segment_origin.data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Kinematics);

void BM_InverseDynamics(benchmark::State& st) {
  auto& f = fixture();
  for (auto _ : st) {
    ps::inverse_dynamics(f.model, f.data);
    benchmark::DoNotOptimize(f.data.tau.data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_InverseDynamics);

void BM_MuscleGeometry(benchmark::State& st) {
  auto& f = fixture();
  for (auto _ : st) {
    ps::muscle_geometry(f.model, f.data);
    benchmark::DoNotOptimize(f.data.moment_arm.data());
  }
  st.SetItemsProcessed(st.iterations());
  st.counters["muscles"] = f.model.nmuscle;
}
BENCHMARK(BM_MuscleGeometry);

void BM_Frame(benchmark::State& st) {
  auto& f = fixture();
  for (auto _ : st) {
    ps::evaluate_frame(f.model, f.data);
    benchmark::DoNotOptimize(f.data.moment_arm.data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Frame);

}  // namespace
