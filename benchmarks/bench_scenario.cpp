// Whole scenarios in frames/s and sweeps in scenario-runs/s, as the CLI runs them (run_scenario /
// run_sweep on the bundled full model and scenarios, no results file): the issue-9 throughput a user
// sees, beside the per-stage costs of bench_frame.cpp.
//   BM_Scenario/<fatigue>/<threads>: rounded_back_lift (551 frames at 100 Hz), with fatigue and creep
//     (frames in order on one thread) or fresh muscles (--no-fatigue: frames solved in parallel).
//   BM_Sweep/<threads>: rounded_back_lift over 8 body masses (50–120 kg), each point a full run.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "sim/loadsharing/loadsharing.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/run.h"
#include "sim/simulate/sweep.h"

namespace ps = paraspine;

namespace {

std::string scenario_file(const char* name) {
  return std::string(PARASPINE_SOURCE_DIR) + "/scenarios/" + name + ".yaml";
}

// As `paraspine run` sets up a run: the scenario's subject scales the model, its criterion and
// abdominal-pressure switch go to load sharing.
void BM_Scenario(benchmark::State& state) {
  const bool fatigue = state.range(0) != 0;
  const int threads = static_cast<int>(state.range(1));
  const ps::Scenario sc = ps::load_scenario(scenario_file("rounded_back_lift"));
  const ps::Model m = ps::scale_model(ps::load_model(sc.model), sc.subject.value_or(ps::Subject{}));
  ps::RunOptions opt;
  opt.loadsharing.criterion = ps::parse_criterion(sc.criterion);
  opt.loadsharing.abdominal_pressure = sc.abdominal_pressure;
  opt.time_coupling = fatigue;
  opt.threads = threads;
  long frames = 0;
  for (auto _ : state) {
    const nlohmann::json s = ps::run_scenario(m, sc, opt, nullptr);
    frames += s["frames"].get<long>();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(frames);  // items_per_second = frames/s
  state.counters["frames"] = static_cast<double>(frames) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Scenario)->Args({1, 1})->Args({0, 1})->Args({0, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Sweep(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const ps::Scenario sc = ps::load_scenario(scenario_file("rounded_back_lift"));
  const std::vector<ps::SweepAxis> axes = {{"subject.mass", {50, 60, 70, 80, 90, 100, 110, 120}}};
  long runs = 0;
  for (auto _ : state) {
    const ps::SweepResult r = ps::run_sweep(sc, axes, threads);
    runs += static_cast<long>(r.summaries.size());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(runs);  // items_per_second = scenario runs/s
}
BENCHMARK(BM_Sweep)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
