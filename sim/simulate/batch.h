#pragma once
// Batches: several scenarios at once, in parallel across scenarios (issue 9). Each scenario runs
// exactly as `paraspine run` would run it alone, on one thread with its own Data; scenarios that
// share a model file and subject share one scaled Model, read-only. Results do not depend on the
// thread count (each scenario's computation is the same sequence of operations whatever runs
// beside it).
#include <functional>
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
  // Motion files (`batch SCENARIO --motion a.csv b.csv`): the one scenario runs once per file, its
  // keyframes replaced by the file's rows (with_motion_file, low-passed at lowpass_hz when > 0), each
  // run named after the file's stem (trial3.csv → trial3, trial3.h5).
  std::vector<std::string> motions;
  double lowpass_hz = 0;
  // --set PATH=VALUE for every scenario (as run's), and --subject: each scenario's subject given to
  // `adjust_subject` (the CLI's parser: the keys given replace the scenario's), when set (audit24s #8).
  std::vector<std::string> sets;
  std::function<Subject(const Subject&)> adjust_subject;
  // Called (from whichever thread finished it, serialized) after each scenario.
  void (*progress)(int done, int total, const std::string& name, double seconds) = nullptr;
  // Called (serialized) with the index of each scenario whose results file is complete under its
  // final name (e.g. for an interrupted batch to say which files it leaves).
  std::function<void(size_t)> on_written;
  std::string command_line;  // recorded in every results file (RunMetadata::command_line)
};

struct BatchEntry {
  std::string name, file, output;  // output: the results file, empty without --output
  nlohmann::json summary;          // null when the scenario failed
  std::string error;               // why it failed, empty when it ran
  bool input_error = false;        // it failed on its input or its output file (an InputError): `run` exits 2 there
  double seconds = 0;              // wall time of this scenario
};

struct BatchResult {
  std::vector<BatchEntry> entries;  // in the order given
  double wall_seconds = 0;
  bool all_ran() const;
};

// Loads every scenario first (a malformed file is an InputError naming file, line and field before
// any work starts; with an output directory, a name that is no file name, two scenarios whose files
// would be the same (names equal up to case too, for case-insensitive file systems) and a file that
// exists but is not a regular one are errors too). A scenario that fails while running is reported in its entry,
// its partial file removed, and the others still run.
// The results file of a scenario in a batch's output directory: <dir>/<name>.h5. The name is the
// scenario's `name:`, free text, so one that is not a plain file name (a '/' or '\\', a control
// character, "." or "..", empty) is refused as an InputError naming the scenario file rather than
// written outside the directory or under a name nobody asked for.
std::string batch_output_file(const std::string& output_dir, const std::string& scenario_name,
                              const std::string& scenario_file);

// The scenarios a batch runs, in order, as run_batch reads them: each name loaded, or with
// options.motions the one scenario once per motion file, named after it; the model and criterion
// overrides applied. InputError naming file, line and field for the first that is malformed.
std::vector<Scenario> batch_scenarios(const std::vector<std::string>& scenarios, const BatchOptions& options);

BatchResult run_batch(const std::vector<std::string>& scenarios, const BatchOptions& options);
// The same with the scenarios already read by batch_scenarios (the CLI reads them once: it names the
// output files before the run, and a motion file is read and filtered once, not twice).
BatchResult run_batch(std::vector<Scenario> scenarios, const BatchOptions& options);

}  // namespace paraspine
