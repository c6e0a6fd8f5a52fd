// paraspine batch SCENARIO... [-o DIR] [--threads N] [--json] [--precision single] [--compression lz4] [--fields ...]
#include "sim/cli/batch.h"

#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "sim/cli/interrupt.h"
#include "sim/cli/joint_selection.h"
#include "sim/cli/options.h"
#include "sim/cli/summary_view.h"
#include "sim/io/output_path.h"
#include "sim/model/loader.h"
#include "sim/cli/json_output.h"
#include "sim/render/picture.h"
#include "sim/simulate/threads.h"
#include "sim/simulate/batch.h"
#include "sim/cli/subject_option.h"

namespace paraspine::cli {

namespace {

struct BatchArgs {
  std::vector<std::string> scenarios;
  std::string out, model, criterion, precision = "double", compression = "deflate", csv;
  long write_every = 1;
  std::vector<std::string> fields, motions, joints, sets;
  std::string subject;
  double lowpass_hz = 0;
  int threads = 0;
  bool json = false, no_fatigue = false;
};

void print_progress(int done, int total, const std::string& name, double seconds) {
  std::fprintf(stderr, "  [%d/%d] %s (%.1f s)\n", done, total, name.c_str(), seconds);
}



// The exit code `run` would give (README "Exit codes"): 2 when every failed scenario failed on its
// input or its output file (a full disk included), 1 when one failed otherwise.
int failure_code(const BatchResult& r) {
  for (const auto& e : r.entries)
    if (!e.error.empty() && !e.input_error) return 1;
  return 2;
}

int run(const BatchArgs& a) {
  BatchOptions opt;
  opt.threads = usable_threads(a.threads);
  opt.output_dir = a.out;
  opt.storage.single_precision = a.precision == "single";
  opt.storage.fields = a.fields;
  opt.storage.write_every = a.write_every;
  opt.storage.compression = parse_compression(a.compression);
  opt.model_override = a.model;
  opt.criterion_override = a.criterion;
  opt.time_coupling = !a.no_fatigue;
  opt.motions = a.motions;
  opt.sets = a.sets;
  if (!a.subject.empty()) {
    // Parsed against each scenario's subject (batch_scenarios, before any work): a percentile takes
    // the sex a scenario gives, as run's does (review24 #3: an early parse against no subject
    // refused percentile=5 for want of a sex the scenarios had).
    const std::string spec = a.subject;
    opt.adjust_subject = [spec](const Subject& sub) { return parse_subject(spec, sub); };
  }
  opt.lowpass_hz = a.lowpass_hz;
  opt.command_line = command_line();
  if (isatty(STDERR_FILENO)) opt.progress = print_progress;  // stderr: beside --json on stdout too
  if (!a.fields.empty()) check_field_selection(a.fields);
  // A missing model named where it was given (--model, or each scenario's model: line), before any work.
  if (!a.model.empty()) resolve_model_name(a.model, "--model", 0, "");
  else
    for (const auto& name : a.scenarios) {
      Scenario sc;
      try {
        sc = load_scenario(name);
      } catch (const std::exception&) {
        continue;  // run_batch reports it, naming file, line and field
      }
      resolve_model_name(sc.model, sc.file, sc.model_line, "model");
    }
  // Read once (an InputError naming file, line and field stops here, before any work).
  std::vector<Scenario> scenarios = batch_scenarios(a.scenarios, opt);
  // --joints against the scenarios' models (a level one model lacks prints '-' in its row).
  std::vector<std::string> selected;
  if (!a.joints.empty()) {
    JointCatalog catalog;
    std::vector<std::string> loaded;
    for (const Scenario& sc : scenarios) {
      std::string path;
      try {
        path = resolve_model_name(a.model.empty() ? sc.model : a.model, sc.file, sc.model_line, "model");
        if (std::find(loaded.begin(), loaded.end(), path) != loaded.end()) continue;
        loaded.push_back(path);
        catalog.add(load_model(path));
      } catch (const std::exception&) {
        // run_batch reports a model that does not load, naming its scenario
      }
    }
    selected = select_joints(a.joints, catalog, loaded.size() > 1 ? "the scenarios' models" : "the scenarios' model");
  }
  if (!a.csv.empty()) {  // before any work: never one of the batch's inputs or results files
    std::vector<std::string> inputs, outputs;
    for (const Scenario& sc : scenarios) {
      inputs.push_back(sc.file);
      inputs.push_back(sc.motion_file);
      try {
        inputs.push_back(resolve_model_name(a.model.empty() ? sc.model : a.model, sc.file, sc.model_line, "model"));
        if (!a.out.empty()) outputs.push_back(batch_output_file(a.out, sc.name, sc.file));
      } catch (const std::exception&) {
        // named by the checks above or by run_batch
      }
    }
    check_table_path(a.csv, inputs, outputs);
  }
  if (a.out.empty()) remove_on_interrupt({}, "");  // says "interrupted"
  if (!a.out.empty()) {
    // The files run_batch will write (<dir>/<scenario name>.h5, one per scenario in order): the
    // unfinished ones removed if the batch is interrupted, the finished ones kept and named.
    std::vector<std::string> outputs;
    try {
      for (const Scenario& sc : scenarios) outputs.push_back(batch_output_file(a.out, sc.name, sc.file));
      remove_unfinished_on_interrupt(outputs);
      // Earlier results are not replaced without a word (as `run -o` says it).
      long existing = 0;
      std::error_code ec;
      for (const std::string& o : outputs) existing += std::filesystem::is_regular_file(o, ec) ? 1 : 0;
      if (existing > 0)
        fmt::print(stderr, "note: {} of the {} results files in {} exist and are replaced as their scenarios finish\n", existing,
                   outputs.size(), a.out);
      opt.on_written = mark_output_finished;
    } catch (const std::exception&) {
      // run_batch reports it (a name that is no file name), before any work starts
    }
  }
  const BatchResult r = run_batch(std::move(scenarios), opt);
  if (!a.csv.empty()) {  // the scenarios that failed too, with their error
    const std::string header = csv_summary_header(selected);
    std::string text = "scenario,file,output," + header + ",error\n";
    for (const auto& e : r.entries)
      text += csv_field(e.name) + "," + csv_field(e.file) + "," + csv_field(e.error.empty() ? e.output : std::string()) + "," +
              (e.error.empty() ? csv_summary_cells(e.summary, selected) : std::string(std::count(header.begin(), header.end(), ','), ',')) + "," +
              csv_field(e.error) + "\n";
    write_file_in_place(a.csv, text, "CSV file");
  }

  if (a.json) {
    nlohmann::json out = {{"threads", opt.threads}, {"wall_s", r.wall_seconds}, {"scenarios", nlohmann::json::array()}};
    for (const auto& e : r.entries)
      out["scenarios"].push_back({{"name", e.name}, {"file", e.file}, {"output", e.output.empty() || !e.error.empty() ? nlohmann::json() : nlohmann::json(e.output)},
                                  {"seconds", e.seconds}, {"summary", e.summary},
                                  {"error", e.error.empty() ? nlohmann::json() : nlohmann::json(e.error)}});
    print_json(out);
    return r.all_ran() ? 0 : failure_code(r);
  }
  double cpu = 0;
  for (const auto& e : r.entries) cpu += e.seconds;
  fmt::print("{} scenarios on {} threads: {:.1f} s wall, {:.1f} s of scenario time ({:.2f}× one at a time)\n\n",
             r.entries.size(), opt.threads, r.wall_seconds, cpu, r.wall_seconds > 0 ? cpu / r.wall_seconds : 0.0);
  // The load columns: L4-L5 and L5-S1 peaks and L5-S1's AP shear, or --joints's levels' peaks.
  auto load_cells = [&](const nlohmann::json& s, bool lower) {
    if (selected.empty())
      return fmt::format("{} {} {}", bound_cell(joint_number(s, "L4-L5", "peak_compression_N"), 0, 14, lower),
                         bound_cell(joint_number(s, "L5-S1", "peak_compression_N"), 0, 14, lower),
                         cell(joint_number(s, "L5-S1", "peak_shear_ap_signed_N"), 0, 16));
    std::string c;
    for (const auto& j : selected) c += (c.empty() ? "" : " ") + bound_cell(joint_number(s, j, "peak_compression_N"), 0, 14, lower);
    return c;
  };
  std::string load_heads = fmt::format("{:>14} {:>14} {:>16}", "L4-L5 peak N", "L5-S1 peak N", "L5-S1 AP shear N");
  if (!selected.empty()) {
    load_heads.clear();
    for (const auto& j : selected) load_heads += (load_heads.empty() ? "" : " ") + fmt::format("{:>14}", j + " peak N");
  }
  fmt::print("  {:<36} {:>8} {:>10} {} {:>12} {:>12} {:>8}  {}\n", "scenario", "frames", "duration s", load_heads, "reserve N·m",
             "endurance s", "wall s", "verdict (lumbar)");
  bool any_lower = false;
  for (const auto& e : r.entries) {
    if (!e.error.empty()) {
      fmt::print("  {:<36} failed: {}\n", e.name, e.error);
      continue;
    }
    const auto& s = e.summary;
    const bool lower = loads_are_lower_bounds(s);
    any_lower = any_lower || lower;
    fmt::print("  {:<36} {:>8} {:>10.1f} {} {:>12.2f} {:>12} {:>8.1f}  {}\n", e.name, s["frames"].get<long>(),
               s["duration_s"].get<double>(), load_cells(s, lower), s["reserves"]["peak_moment_Nm"].get<double>(),
               s["endurance_s"].is_null() ? std::string("-") : fmt::format("{:.1f}", s["endurance_s"].get<double>()),
               e.seconds, run_verdict(s));
  }
  fmt::print("{}", kVerdictLegend);
  if (any_lower)
    fmt::print("  ≥ lower bounds: reserves carried moments the muscles could not, without loading the discs: the task is\n"
               "    beyond the subject's modelled strength and its true compressions are higher\n");
  if (!a.csv.empty()) fmt::print("\n  table: {}\n", a.csv);
  // Joined as the files were named (batch_output_file), so "-o results/" prints no double slash.
  if (!a.out.empty()) fmt::print("\n  results: {}\n", (std::filesystem::path(a.out) / "<scenario>.h5").string());
  if (!r.all_ran()) {
    std::cerr << "error: some scenarios failed (above); their results files were not written" << (a.out.empty() ? "" : ", the others' are") << "\n";
    return failure_code(r);
  }
  return 0;
}

}  // namespace

Verb add_batch_verb(CLI::App& app) {
  auto a = std::make_shared<BatchArgs>();
  CLI::App* c = app.add_subcommand("batch", "Run several scenarios in parallel: one summary line each, results files in a directory");
  c->add_option("SCENARIOS", a->scenarios, "Scenario files or bundled scenario names")->required()->expected(1, -1);
  CLI::Option* out = c->add_option("-o,--output-dir", a->out, "Directory for the results files, one <scenario name>.h5 each")->check(non_empty_path());
  c->add_option("--threads", a->threads, "Scenarios run at once (0 = all cores)")->capture_default_str()->check(non_negative_number());
  c->add_option("--model", a->model, "Model instead of each scenario's");
  c->add_option("--criterion", a->criterion, "activation2, activation3, stress2 or minmax, for every scenario")
      ->check(CLI::IsMember({"activation2", "activation3", "stress2", "minmax"}));
  c->add_option("--write-every", a->write_every, "Write every N-th frame (and the last) of each run; every frame is still simulated")
      ->capture_default_str()->check(positive_number())->needs(out);
  c->add_option("--set", a->sets, "PATH=VALUE for every scenario, as run's --set (repeatable)")->type_name("PATH=VALUE");
  c->add_option("--subject", a->subject,
                "mass=80,height=1.80,sex=male (or percentile=5,sex=female) for every scenario, as run's --subject: the keys "
                "given replace each scenario's");
  c->add_option("--precision", a->precision, "Storage of the per-frame fields: double or single")->capture_default_str()
      ->check(CLI::IsMember({"double", "single"}))->needs(out);
  c->add_option("--compression", a->compression,
                "Chunk compression: deflate (read by every HDF5 reader) or lz4 (several times faster to write, files ~15 % "
                "larger; h5py needs the HDF5 LZ4 plugin, Debian package hdf5-filter-plugin)")
      ->capture_default_str()->needs(out);
  c->add_option("--fields", a->fields, "Store only these fields or groups, comma-separated")->delimiter(',')->needs(out);
  c->add_flag("--no-fatigue", a->no_fatigue, "Fresh muscles throughout, no creep, in every scenario");
  CLI::Option* motion = c->add_option("--motion", a->motions,
                                      "Motion files (CSV, or OpenSim .mot/.sto): the one SCENARIO runs once per file, its keyframes replaced by the file's rows, each run named after the file (trial3.csv → trial3.h5)")
                           ->expected(1, -1);
  c->add_option("--lowpass-hz", a->lowpass_hz, "Zero-lag low-pass filter of every --motion file, cutoff in Hz")->check(positive_number())->needs(motion);
  c->add_flag("--json", a->json, "Print one JSON object: threads, wall_s, and per scenario name, file, output, seconds, summary, error");
  c->add_option("--csv", a->csv, "Also write the table as CSV, one row per scenario (loads, shears, reserves, verdict, subject)")
      ->check(non_empty_path());
  c->add_option("--joints", a->joints,
                "Levels the table and --csv show, comma-separated: joint names as the models name them (C4-C5,C7-T1), "
                "regions (lumbar, thoracic, cervical, head: `paraspine model info`) or all. Default: L4-L5 and L5-S1")
      ->delimiter(',')->type_name("LIST");
  c->footer("Each scenario runs as `paraspine run` runs it alone (same summary, same file), on one thread;\n"
            "the batch spreads the scenarios over the threads.\n\n"
            "Examples:\n  paraspine batch rounded_back_lift squat_lift twisting_lift --threads 2\n"
            "  paraspine batch scenarios/*.yaml -o results/ --precision single\n"
            "  paraspine batch repetitive_lifting_shift repetitive_lifting_shift_microbreaks -o results/ --compression lz4\n"
            "  paraspine batch squat_lift -o results/ --lowpass-hz 6 --motion trials/*.csv\n"
            "  paraspine batch neck0.yaml neck30.yaml --joints C4-C5,C7-T1 --csv neck.csv");
  return {c, [a] { return run(*a); }};
}

}  // namespace paraspine::cli
