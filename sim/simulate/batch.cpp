#include "sim/simulate/batch.h"
#include "sim/simulate/threads.h"

#include <omp.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "sim/common/error.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/simulate/run.h"

namespace paraspine {

bool BatchResult::all_ran() const {
  for (const auto& e : entries)
    if (!e.error.empty()) return false;
  return true;
}

BatchResult run_batch(const std::vector<std::string>& names, const BatchOptions& options) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  // Everything that can be wrong with the input is found here, serially, before any work.
  std::vector<Scenario> scenarios;
  for (const std::string& n : names) {
    Scenario s = load_scenario(n);
    if (!options.model_override.empty()) s.model = options.model_override;
    if (!options.criterion_override.empty()) s.criterion = options.criterion_override;
    parse_criterion(s.criterion);  // throws naming the criterion
    scenarios.push_back(std::move(s));
  }
  BatchResult r;
  r.entries.resize(scenarios.size());
  std::set<std::string> seen;
  for (size_t k = 0; k < scenarios.size(); ++k) {
    BatchEntry& e = r.entries[k];
    e.name = scenarios[k].name;
    e.file = scenarios[k].file;
    if (!options.output_dir.empty()) {
      if (!seen.insert(e.name).second)
        throw InputError(e.file, 0, "name", "two scenarios in the batch are named '" + e.name +
                                                "'; their results files would collide");
      e.output = (std::filesystem::path(options.output_dir) / (e.name + ".h5")).string();
    }
  }
  if (!options.output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.output_dir, ec);
    if (ec) throw InputError(options.output_dir, 0, "output", "cannot create the output directory: " + ec.message());
  }
  // One scaled Model per (model file, subject), shared read-only by the scenarios that use it.
  std::map<std::string, std::shared_ptr<const Model>> models;
  std::vector<std::shared_ptr<const Model>> model_of(scenarios.size());
  for (size_t k = 0; k < scenarios.size(); ++k) {
    const Subject subject = scenarios[k].subject.value_or(Subject{});
    const std::string key = scenarios[k].model + "|" + std::to_string(subject.body_mass) + "|" +
                            std::to_string(subject.height) + "|" + subject.sex + "|" +
                            std::to_string(subject.strength_factor) + "|" + std::to_string(subject.fatigue_rate_scale) +
                            "|" + std::to_string(subject.recovery_rate_scale);
    auto& m = models[key];
    if (!m) m = std::make_shared<const Model>(scale_model(load_model(scenarios[k].model), subject));
    model_of[k] = m;
  }

  std::mutex report;
  int done = 0;
  const int n = static_cast<int>(scenarios.size());
  // Longest first would balance better, but durations are not known before running; dynamic
  // scheduling hands the next scenario to whichever thread is free.
#pragma omp parallel for schedule(dynamic, 1) num_threads(capped_threads(options.threads))
  for (int k = 0; k < n; ++k) {
    const auto t0 = clock::now();
    BatchEntry& e = r.entries[k];
    const Scenario& sc = scenarios[k];
    const Model& model = *model_of[k];
    try {
      RunOptions opt;
      opt.loadsharing.criterion = parse_criterion(sc.criterion);
      opt.loadsharing.abdominal_pressure = sc.abdominal_pressure;
      opt.threads = 1;
      opt.time_coupling = options.time_coupling;
      std::unique_ptr<ResultsWriter> writer;
      if (!e.output.empty()) {
        RunMetadata meta{sc.name, sc.text, sc.criterion,
                         {{"body_mass_kg", model.reference_body_mass}, {"height_m", model.reference_height},
                          {"sex", model.reference_sex}}};
        writer = std::make_unique<ResultsWriter>(e.output, model, meta, options.storage);
      }
      e.summary = run_scenario(model, sc, opt, writer.get());
      if (writer) writer->finish(e.summary);
    } catch (const std::exception& ex) {
      e.summary = nullptr;
      e.error = ex.what();
    }
    e.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(report);
    ++done;
    if (options.progress) options.progress(done, n, e.name, e.seconds);
  }
  r.wall_seconds = std::chrono::duration<double>(clock::now() - start).count();
  return r;
}

}  // namespace paraspine
