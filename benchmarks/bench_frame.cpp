// Per-stage cost of one frame on the default model: kinematics, inverse dynamics, muscle geometry
// (with the full moment-arm matrix), and the three together. The model is loaded once per fixture.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>

#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/kinematics/posture.h"
#include "sim/model/loader.h"
#include "sim/muscles/muscle_geometry.h"
#include "sim/simulate/frame.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/kinematics/timeline.h"

namespace ps = paraspine;

namespace {

// The default model when it exists, the lumbar test bed otherwise; PARASPINE_BENCH_MODEL overrides.
std::string bench_model() {
  if (const char* e = std::getenv("PARASPINE_BENCH_MODEL")) return e;
  const std::string dir = std::string(PARASPINE_SOURCE_DIR) + "/models/";
  return std::ifstream(dir + "full_spine.yaml").good() ? dir + "full_spine.yaml" : dir + "lumbar.yaml";
}

struct Fixture {
  ps::Model model = ps::load_model(bench_model());
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

// A lift-like motion sampled at 100 Hz: consecutive frames differ a little, as in a scenario, so
// the warm start is exercised the way users exercise it.
struct Motion {
  ps::Model& model;
  ps::PostureTimeline timeline;
  explicit Motion(ps::Model& m) : model(m), timeline(m, {0, 1, 2}, keys(m)) {}
  static std::vector<ps::Posture> keys(const ps::Model& m) {
    std::vector<ps::Posture> k(3, ps::neutral_posture(m));
    k[1].region_angles(0, 0) = 0.7;
    k[1].pelvis_angles[0] = 0.5;
    if (m.nregion > 1) k[1].region_angles(1, 2) = 0.1;
    return k;
  }
};

void BM_LoadSharing(benchmark::State& st) {
  auto& f = fixture();
  Motion motion(f.model);
  ps::LoadSharingSettings s;
  s.criterion = static_cast<ps::Criterion>(st.range(0));
  const bool warm = st.range(1);
  double t = 0;
  long iterations = 0, frames = 0;
  for (auto _ : st) {
    st.PauseTiming();
    motion.timeline.sample(t, f.data);
    t = t > 2 ? 0 : t + 0.01;
    ps::evaluate_frame(f.model, f.data);
    if (!warm) f.data.loadsharing_warm = false;
    st.ResumeTiming();
    ps::load_sharing(f.model, s, f.data);
    iterations += f.data.loadsharing_info.qp_iterations;
    ++frames;
  }
  st.SetItemsProcessed(st.iterations());
  st.counters["qp_iterations"] = static_cast<double>(iterations) / std::max(1L, frames);
  st.SetLabel(std::string(ps::criterion_name(s.criterion)) + (warm ? " warm" : " cold"));
}
BENCHMARK(BM_LoadSharing)->ArgsProduct({{0, 1, 2, 3}, {1, 0}})->Unit(benchmark::kMicrosecond);

void BM_Reactions(benchmark::State& st) {
  auto& f = fixture();
  ps::load_sharing(f.model, ps::LoadSharingSettings{}, f.data);
  for (auto _ : st) {
    ps::reactions(f.model, f.data);
    benchmark::DoNotOptimize(f.data.disc_force.data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Reactions);

}  // namespace
