#include "sim/simulate/batch.h"

#include <fmt/format.h>
#include "sim/simulate/threads.h"

#include <omp.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "sim/common/error.h"
#include "sim/io/output_path.h"
#include "sim/model/loader.h"
#include "sim/model/summary.h"
#include "sim/model/subject.h"
#include "sim/simulate/run.h"

namespace paraspine {

bool BatchResult::all_ran() const {
  for (const auto& e : entries)
    if (!e.error.empty()) return false;
  return true;
}

std::string batch_output_file(const std::string& output_dir, const std::string& name, const std::string& file) {
  auto refuse = [&](const std::string& why) {
    throw InputError(file, 0, "name", "'" + name + "' " + why + ": batch -o names each results file after its scenario (<name>.h5); give the scenario a plain name");
  };
  if (name.empty()) refuse("is empty");
  if (name == "." || name == "..") refuse("is not a file name");
  for (const char c : name) {
    if (c == '/' || c == '\\') refuse("contains a path separator ('" + std::string(1, c) + "')");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) refuse("contains a control character");
  }
  return (std::filesystem::path(output_dir) / (name + ".h5")).string();
}

std::vector<Scenario> batch_scenarios(const std::vector<std::string>& names, const BatchOptions& options) {
  std::vector<Scenario> scenarios;
  if (!options.motions.empty()) {
    // --motion names each run's motion file: a --set motion.file would run one file under every
    // name (audit25i #13).
    for (const std::string& set : options.sets)
      if (set.rfind("motion.file=", 0) == 0)
        throw InputError("--set", 0, "motion.file", "also given by --motion: give the motion files once");
    if (names.size() != 1)
      throw InputError("--motion", 0, "", fmt::format("give one scenario with --motion, whose settings run each motion file ({} given)", names.size()));
    Scenario base;  // read, not parsed: the template's own motion file need not exist (review25 B9)
    base.text = load_scenario_text(names[0], base.file);
    for (const std::string& motion : options.motions) {
      // The run is named after its motion, in the text too, so the file, the summary and the
      // results' scenario name all say which trial it is.
      const std::string stem = std::filesystem::path(motion).stem().string();
      std::string text = with_motion_file(base.text, base.file, motion, options.lowpass_hz);
      text = apply_overrides(text, base.file, {"name=" + stem}, "--motion");
      try {
        scenarios.push_back(parse_scenario_noted(text, base.file, " (with --motion " + motion + ")"));
      } catch (const InputError& e) {
        rethrow_cutoff_as_option(e, options.lowpass_hz, "--lowpass-hz", motion);  // the option's value, not the file's
        throw;
      }
    }
  } else {
    for (const std::string& n : names) scenarios.push_back(load_scenario(n));
  }
  if (!options.sets.empty())
    for (Scenario& s : scenarios) {
      try {
        s = parse_scenario_noted(apply_overrides(s.text, s.file, options.sets), s.file, " (with --set)");
      } catch (const InputError& e) {
        // With several scenarios "the scenario" of a --set error is ambiguous: say which (audit25i #10).
        if (scenarios.size() < 2 || e.file() != "--set") throw;
        const std::string head = e.file() + ": " + (e.field().empty() ? "" : e.field() + ": ");
        const std::string what = e.what();
        throw InputError(e.file(), 0, e.field(), "in " + s.file + ": " + (what.rfind(head, 0) == 0 ? what.substr(head.size()) : what));
      }
    }
  if (options.adjust_subject)
    for (Scenario& s : scenarios) s.subject = options.adjust_subject(s.subject.value_or(Subject{}));
  for (Scenario& s : scenarios) {
    if (!options.model_override.empty()) s.model = options.model_override;
    if (!options.criterion_override.empty()) s.criterion = options.criterion_override;
    parse_criterion(s.criterion);  // throws naming the criterion
  }
  return scenarios;
}

BatchResult run_batch(const std::vector<std::string>& names, const BatchOptions& options) {
  // Everything that can be wrong with the input is found here, serially, before any work.
  return run_batch(batch_scenarios(names, options), options);
}

BatchResult run_batch(std::vector<Scenario> scenarios, const BatchOptions& options) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  BatchResult r;
  r.entries.resize(scenarios.size());
  std::map<std::string, std::string> seen;  // file name folded to lower case → the scenario's name
  for (size_t k = 0; k < scenarios.size(); ++k) {
    BatchEntry& e = r.entries[k];
    e.name = scenarios[k].name;
    e.file = scenarios[k].file;
    if (!options.output_dir.empty()) {
      e.output = batch_output_file(options.output_dir, e.name, e.file);
      std::string folded = e.name;
      for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto [at, fresh] = seen.emplace(folded, e.name);
      if (!fresh && !options.motions.empty()) {
        // With --motion the name is the motion file's stem: name the two files, not the scenario.
        size_t first = 0;
        while (first < k && scenarios[first].name != at->second) ++first;
        throw InputError("--motion", 0, "", fmt::format("{} and {} would both be {} (each run is named after its motion "
                                                        "file); rename one, or run them into separate -o folders",
                                                        scenarios[first].motion_file, scenarios[k].motion_file, e.output));
      }
      if (!fresh)
        throw InputError(e.file, 0, "name", "two scenarios in the batch are named '" + at->second + "'" +
                                                (at->second == e.name ? "" : " and '" + e.name + "' (the same file on a case-insensitive file system)") +
                                                "; their results files would collide");
    }
  }
  if (!options.output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.output_dir, ec);
    if (ec) throw InputError(options.output_dir, 0, "output", "cannot create the output directory: " + ec.message());
    // Each file: no device, FIFO or link replaced, no scenario file overwritten, the folder writable.
    for (size_t k = 0; k < r.entries.size(); ++k) check_output_path(r.entries[k].output, {r.entries[k].file, scenarios[k].motion_file});
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

  std::mutex report;  // progress and on_written, one call at a time
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
      opt.loadsharing = scenario_load_sharing(sc);
      opt.write_every = options.storage.write_every;
      opt.threads = 1;
      opt.time_coupling = options.time_coupling;
      std::unique_ptr<ResultsWriter> writer;
      if (!e.output.empty()) {
        RunMetadata meta{sc.name, sc.text, sc.criterion, subject_summary(model), sc.motion_text, options.command_line};
        writer = std::make_unique<ResultsWriter>(e.output, model, meta, options.storage);
      }
      e.summary = run_scenario(model, sc, opt, writer.get());
      if (writer) {
        writer->finish(e.summary);
        if (options.on_written) {
          std::lock_guard<std::mutex> lock(report);
          options.on_written(static_cast<size_t>(k));
        }
      }
    } catch (const InputError& ex) {
      e.summary = nullptr;
      e.error = ex.what();
      e.input_error = true;
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
