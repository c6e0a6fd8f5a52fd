#pragma once
// Batches: several scenarios at once, in parallel across scenarios (issue 9). Each scenario runs
// exactly as `paraspine run` would run it alone, on one thread with its own Data; scenarios that
// share a model file and subject share one scaled Model, read-only. Results do not depend on the
// thread count (each scenario's computation is the same sequence of operations whatever runs
// beside it).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/io/results_writer.h"
#include "sim/scenario/scenario.h"

namespace paraspine {

struct BatchOptions {
  int threads = 1;                 // scenarios run at once
  std::string output_dir;          // empty: no files; else <dir>/<scenario name>.h5
  ResultsOptions storage;          // precision and fields of every file
  std::string model_override, criterion_override;
  bool time_coupling = true;       // false: --no-fatigue for every scenario
  // Called (from whichever thread finished it, serialized) after each scenario.
  void (*progress)(int done, int total, const std::string& name, double seconds) = nullptr;
};

struct BatchEntry {
  std::string name, file, output;  // output: the results file, empty without --output
  nlohmann::json summary;          // null when the scenario failed
  std::string error;               // why it failed, empty when it ran
  double seconds = 0;              // wall time of this scenario
};

struct BatchResult {
  std::vector<BatchEntry> entries;  // in the order given
  double wall_seconds = 0;
  bool all_ran() const;
};

// Loads every scenario first (a malformed file is an InputError naming file, line and field before
// any work starts; two scenarios with the same name and an output directory are an error too,
// since their files would collide). A scenario that fails while running is reported in its entry,
// its partial file removed, and the others still run.
BatchResult run_batch(const std::vector<std::string>& scenarios, const BatchOptions& options);

}  // namespace paraspine
