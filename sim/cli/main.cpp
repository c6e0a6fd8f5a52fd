// paraspine — the command-line tool. Verbs:
//   paraspine model info MODEL [--json]
//   paraspine moments MODEL [--angle-deg REGION.AXIS=DEG | JOINT.AXIS=DEG ...] [--load-kg KG] [--subject mass=..,height=..,sex=..] [--json]
//   paraspine bench [--model M] [--frames N] [--criterion C] [--motion everyday|harsh] [--json]
//   paraspine validate [--case NAME] [--json]   (sim/cli/validate.cpp)
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <set>
#include <sstream>
#include <filesystem>
#include <random>
#include <algorithm>
#include <cctype>
#include <csignal>
#include <nlohmann/json.hpp>

#include "sim/cli/batch.h"
#include "sim/cli/subject_option.h"
#include "sim/cli/interrupt.h"
#include "sim/cli/joint_selection.h"
#include "sim/cli/json_output.h"
#include "sim/cli/options.h"
#include "sim/cli/summary_view.h"
#include "sim/simulate/threads.h"
#include "sim/cli/render.h"
#include "sim/render/picture.h"
#include "sim/common/build_info.h"
#include "sim/common/data_dir.h"
#include "sim/common/error.h"
#include "sim/common/parse_number.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/posture.h"
#include "sim/model/data.h"
#include "sim/model/loader.h"
#include "sim/model/anthropometry.h"
#include "sim/model/subject.h"
#include "sim/model/summary.h"
#include "sim/io/hdf5_close.h"
#include "sim/io/output_path.h"
#include "sim/io/results_reader.h"
#include "sim/io/schema.h"
#include "sim/simulate/bench.h"
#include "sim/muscles/strength.h"
#include "sim/simulate/load_limits.h"
#include "sim/simulate/run.h"
#include "sim/simulate/sweep.h"
#include "sim/scenario/scenario.h"
#include "sim/cli/validate.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <cmath>
#include "sim/simulate/frame.h"

#include <omp.h>
#include <unistd.h>

namespace ps = paraspine;

namespace {

// "lumbar.flexion=30" → region angle (degrees at the edge, radians inside).
void apply_angle(const ps::Model& m, const std::string& spec, ps::Posture& p) {
  const auto eq = spec.find('='), dot = spec.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq)
    throw std::invalid_argument("--angle-deg expects REGION.AXIS=DEGREES or JOINT.AXIS=DEGREES (e.g. lumbar.flexion=30, L4-L5.flexion=3), got '" + spec + "'");
  const std::string region = spec.substr(0, dot), axis = spec.substr(dot + 1, eq - dot - 1);
  double deg = 0;
  if (!ps::parse_number(spec.substr(eq + 1), deg))
    throw std::invalid_argument("--angle-deg: '" + spec.substr(eq + 1) + "' is not a number");
  if (!std::isfinite(deg)) throw ps::InputError("--angle-deg", 0, spec, "the angle must be a finite number of degrees");
  // A region turned more than a full turn is a typo (radians for degrees, a lost decimal point); said
  // as such rather than as a joint range exceeded by a 300-digit number (session 19 audit).
  if (std::abs(deg) > 360) throw ps::InputError("--angle-deg", 0, spec, "more than a full turn: give degrees within ±360");
  try {
    ps::set_posture_angle_by_name(m, region, axis, ps::deg2rad(deg), p);
  } catch (const std::invalid_argument& e) {  // an unknown region or axis: name the option and the value given
    throw ps::InputError("--angle-deg", 0, spec, e.what());
  }
}

// The subject given by percentile, said with its table and what such a subject is (univariate).
std::string percentile_line(const ps::Model& model) {
  return fmt::format("  subject: {}: stature {:.1f} cm and body mass {:.1f} kg, each that percentile of its own distribution "
                     "(univariate), from {}\n",
                     ps::percentile_name(model.reference_percentile, model.reference_sex), 100 * model.reference_height,
                     model.reference_body_mass, ps::kAnthropometryTable);
}

int run_moments(const std::string& model_path, const std::vector<std::string>& angles,
                double load_kg, const ps::Subject& subject, bool json) {
  // Resolved as `model info` does, so an unknown name lists the bundled models.
  const ps::Model model = ps::scale_model(ps::load_model(ps::resolve_model_name(model_path, model_path, 0, "")), subject);
  ps::Posture posture = ps::neutral_posture(model);
  std::set<std::string> given;  // REGION.AXIS named twice would keep only the last value
  for (const auto& s : angles) {
    const std::string key = s.substr(0, s.find('='));
    if (!given.insert(key).second) throw ps::InputError("--angle-deg", 0, key, "given twice: give each angle once");
    apply_angle(model, s, posture);
  }
  // As for a scenario's keyframes: a posture beyond the joints' ranges gives numbers of no meaning.
  if (const std::string beyond = ps::posture_range_problem(model, posture); !beyond.empty())
    throw ps::InputError("--angle-deg", 0, "", beyond);
  // The scenario format's rule: 0-60 kg per hand (no person holds more in one hand).
  if (!(load_kg >= 0 && load_kg <= 60)) throw ps::InputError("--load-kg", 0, "", fmt::format("must be between 0 and 60 kg per hand, got {}", load_kg));
  ps::Data d(model);
  ps::set_static_posture(model, posture, d);
  ps::clear_loads(model, d);
  for (auto& h : d.hands) h.load_mass = load_kg;
  ps::evaluate_frame(model, d);

  if (json) {
    nlohmann::json out;
    out["model"] = model.name;
    out["subject"] = ps::subject_summary(model);  // the whole subject, as every other output
    out["load_per_hand_kg"] = load_kg;
    out["joints"] = nlohmann::json::array();
    for (int j = 0; j < model.njoint; ++j) {
      const auto F = d.joint_force_local.col(j);
      out["joints"].push_back({{"name", model.joint_name[j]},
                               {"flexion_deg", ps::rad2deg(d.q[3 * j])},
                               {"moment_Nm", {{"flexion", d.tau[3 * j]}, {"lateral_bending", d.tau[3 * j + 1]}, {"axial_rotation", d.tau[3 * j + 2]}}},
                               {"force_N", {{"anterior", F.x()}, {"superior", F.y()}, {"right", F.z()}}}});
    }
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print("Net joint loads, {} model, {:.1f} kg / {:.2f} m subject, {:.1f} kg in each hand\n",
             model.name, model.reference_body_mass, model.reference_height, load_kg);
  if (model.reference_percentile > 0) fmt::print("{}", percentile_line(model));
  fmt::print("(what muscles, passive tissue and reserves must carry together; the force is the net\n"
             " force from below on the body above, before muscle forces, in the joint frame of the segment\n"
             " below: not the disc frame of compression and shear, which is turned by half the joint's rotation\n"
             " and, in the neck, by its disc plane's tilt)\n\n");
  fmt::print("  {:<8} {:>8} | {:>10} {:>10} {:>10} | {:>9} {:>9} {:>9}\n", "joint", "flex deg",
             "flexion", "lat. bend", "axial", "anterior", "superior", "right");
  fmt::print("  {:<8} {:>8} | {:>32} | {:>29}\n", "", "", "net moment N·m (− = extensors)", "net force N");
  // In the model's order, L5-S1 first, as run, the HDF5 file, --json and Python list the joints.
  for (int j = 0; j < model.njoint; ++j) {
    const auto F = d.joint_force_local.col(j);
    fmt::print("  {:<8} {:>8.1f} | {:>10.2f} {:>10.2f} {:>10.2f} | {:>9.1f} {:>9.1f} {:>9.1f}\n",
               model.joint_name[j], ps::rad2deg(d.q[3 * j]), d.tau[3 * j], d.tau[3 * j + 1],
               d.tau[3 * j + 2], F.x(), F.y(), F.z());
  }
  fmt::print("\n  Signs: the moment is what the tissues crossing a joint must supply about its flexion,\n"
             "  right-bending and right-turning axes; negative flexion = the extensors must work.\n"
             "  Force: + anterior / superior (compressive) / right, on the body above the joint.\n");
  return 0;
}

void print_progress(double f) {
  std::fprintf(stderr, "\r  solving frames: %3.0f %%", 100 * f);
  if (f >= 1) std::fprintf(stderr, "\n");
}

int print_bench(const ps::Model& model, const ps::BenchReport& r, bool json) {
  if (json) {
    nlohmann::json j = {{"model", r.model}, {"motion", r.motion}, {"criterion", r.criterion}, {"frames", r.frames},
                        {"ours_warm_us_per_frame", r.ours_warm_us_per_frame},
                        {"ours_cold_us_per_frame", r.ours_cold_us_per_frame},
                        {"ipopt_us_per_frame", r.ipopt_compared ? nlohmann::json(r.ipopt_us_per_frame) : nlohmann::json(nullptr)},
                        {"speedup_vs_ipopt", r.ipopt_compared ? nlohmann::json(r.speedup_vs_ipopt) : nlohmann::json(nullptr)},
                        // Without an Ipopt comparison (minmax) the comparison fields are null, not 0: a 0 would
                        // read as perfect agreement with a reference that never ran.
                        {"median_iterations", {{"warm", r.median_iterations_warm}, {"cold", r.median_iterations_cold},
                                               {"ipopt", r.ipopt_compared ? nlohmann::json(r.median_iterations_ipopt) : nlohmann::json(nullptr)}}},
                        {"max_force_deviation_N", r.ipopt_compared ? nlohmann::json(r.max_force_deviation_N) : nlohmann::json(nullptr)},
                        {"max_objective_rel_deviation", r.ipopt_compared ? nlohmann::json(r.max_objective_rel_deviation) : nlohmann::json(nullptr)},
                        {"max_equilibrium_residual_Nm", r.max_equilibrium_residual_Nm},
                        {"max_reserve_Nm", r.max_reserve_Nm},
                        {"frames_with_reserves", r.frames_with_reserves},
                        {"ours_warm_share_in_reserve_frames", r.ours_warm_us_per_frame > 0 ? r.ours_warm_us_in_reserve_frames / (r.ours_warm_us_per_frame * r.frames) : 0.0},
                        {"iterations_warm", {{"median", r.median_iterations_warm}, {"p90", r.p90_iterations_warm}, {"max", r.max_iterations_warm}}},
                        {"ipopt_failures", r.ipopt_compared ? nlohmann::json(r.ipopt_failures) : nlohmann::json(nullptr)},
                        {"timing_passes_warm", r.timing_passes_warm},
                        {"timing_passes_cold", r.timing_passes_cold},
                        {"ipopt_acceptable", r.ipopt_compared ? nlohmann::json(r.ipopt_acceptable) : nlohmann::json(nullptr)},
                        {"max_objective_excess_rel", r.ipopt_compared && std::isfinite(r.max_objective_excess_rel)
                                                         ? nlohmann::json(r.max_objective_excess_rel) : nlohmann::json(nullptr)},
                        {"frames_ours_objective_lower", r.ipopt_compared ? nlohmann::json(r.frames_ours_objective_lower) : nlohmann::json(nullptr)},
                        {"unconverged", {{"warm", r.unconverged_warm}, {"cold", r.unconverged_cold}}}};
    nlohmann::json where = nlohmann::json::object();
    for (const auto& [rotation, use] : r.reserves_by_rotation)
      where[rotation] = {{"frames", use.frames}, {"most_negative_Nm", use.most_negative_Nm}, {"most_positive_Nm", use.most_positive_Nm}};
    j["reserves_by_rotation"] = where;
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  const bool scenario = r.motion.rfind("scenario ", 0) == 0;
  fmt::print("Load-sharing benchmark: {} model ({} muscles, {} rotations), {}, criterion {}\n", model.name, model.nmuscle,
             model.ndof, scenario ? r.motion : fmt::format("{} frames of {} motion", r.frames, r.motion), r.criterion);
  fmt::print("  {:<22} {:>12} {:>12} {:>18}\n", "", "µs / frame", "frames / s", "median iterations");
  fmt::print("  {:<22} {:>12.1f} {:>12.0f} {:>18.0f}\n", "ours, warm-started", r.ours_warm_us_per_frame, 1e6 / r.ours_warm_us_per_frame, r.median_iterations_warm);
  fmt::print("  {:<22} {:>12.1f} {:>12.0f} {:>18.0f}\n", "ours, cold", r.ours_cold_us_per_frame, 1e6 / r.ours_cold_us_per_frame, r.median_iterations_cold);
  if (r.ipopt_compared) {
    fmt::print("  {:<22} {:>12.1f} {:>12.0f} {:>18.0f}\n", "Ipopt (reference)", r.ipopt_us_per_frame, 1e6 / r.ipopt_us_per_frame, r.median_iterations_ipopt);
    fmt::print("\n  speed-up vs Ipopt (warm): {:.0f}× (ours: the fastest of {} timed passes, warm, and {} cold; Ipopt: one)\n",
               r.speedup_vs_ipopt, r.timing_passes_warm, r.timing_passes_cold);
    fmt::print("  largest deviation from Ipopt: force {:.2e} N, objective {:.2e} (relative); Ipopt failures {}{}\n",
               r.max_force_deviation_N, r.max_objective_rel_deviation, r.ipopt_failures,
               r.ipopt_acceptable ? fmt::format("; {} frames where Ipopt stopped at an 'acceptable point' were checked (its KKT residuals "
                                                "within the tolerance) and compared", r.ipopt_acceptable)
                                  : std::string());
    if (std::isfinite(r.max_objective_excess_rel))
      fmt::print("  our objective lower than Ipopt's in {} of {} frames; at most {:+.2e} (relative) above it\n",
                 r.frames_ours_objective_lower, r.frames - r.ipopt_failures, r.max_objective_excess_rel);
  } else {
    fmt::print("\n  (minmax is not one smooth NLP: no Ipopt comparison)\n");
  }
  fmt::print("  largest equilibrium residual {:.2e} N·m; largest reserve {:.3g} N·m\n", r.max_equilibrium_residual_Nm, r.max_reserve_Nm);
  fmt::print("  our solves stopped before convergence: {} warm, {} cold (of {} each)\n", r.unconverged_warm, r.unconverged_cold, r.frames);
  fmt::print("  frames needing reserves: {} of {}, {:.0f} % of our warm time (warm iterations p90 {:.0f}, max {:.0f})\n",
             r.frames_with_reserves, r.frames,
             r.ours_warm_us_per_frame > 0 ? 100 * r.ours_warm_us_in_reserve_frames / (r.ours_warm_us_per_frame * r.frames) : 0.0,
             r.p90_iterations_warm, r.max_iterations_warm);
  for (const auto& [rotation, use] : r.reserves_by_rotation)
    fmt::print("    reserve at {}: {} frames, {:+.3g} … {:+.3g} N·m\n", rotation, use.frames, use.most_negative_Nm, use.most_positive_Nm);
  return 0;
}

int run_bench(const std::string& model_path, int frames, const std::string& criterion, const std::string& motion,
              unsigned seed, bool json) {
  const ps::BenchMotion mo = ps::parse_bench_motion(motion);
  const ps::Model model = ps::load_model(model_path);
  const ps::Criterion c = ps::parse_criterion(criterion);
  return print_bench(model, ps::run_bench(model, frames, c, seed, isatty(STDERR_FILENO) ? print_progress : nullptr, mo), json);
}

using paraspine::cli::parse_subject;  // sim/cli/subject_option.h
using paraspine::cli::subject_key;

// A CLI11 check of a subject value (--mass-kg, --height-m): the scenario's ranges, NaN refused.
CLI::Validator subject_check(const std::string& field) {
  return CLI::Validator(
      [field](std::string& text) -> std::string {
        double x = 0;
        if (!ps::parse_number(text, x)) return "'" + text + "' is not a number";
        return ps::subject_value_problem(field, x);
      },
      "", field);
}

// --threads: a whole number >= 0 (the engine caps large counts, threads.h). CLI11's NonNegativeNumber
// printed its range with 309 digits.
CLI::Validator thread_count_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double x = 0;
        if (!ps::parse_number(text, x) || x != std::floor(x) || x > 1e9) return "'" + text + "' is not a whole number of threads";
        return x < 0 ? "must be 0 (all cores) or more, got " + text : "";
      },
      "INT>=0");
}

const std::vector<std::string> kCriteria = {"activation2", "activation3", "stress2", "minmax"};

// --joints of run, compare, sweep (batch and report say the same, sim/cli/batch.cpp, render.cpp).
const char* const kJointsHelp =
    "Levels the table shows, comma-separated: joint names as the model names them (C4-C5,C7-T1), regions "
    "(lumbar, thoracic, cervical, head: the levels `paraspine model info` lists under each) or all.";

// Progress of run and sweep on stderr. On a terminal, one line redrawn in place (\r). Elsewhere
// (stderr to a file or a pipe: a job's log) every redraw stays, 5760 of them on one "line" for an
// 8-hour shift, so instead a plain line at each further tenth of the work. Both stay quiet until
// the work has taken a while (1 s on a terminal, 2 s in a log): short runs print nothing.
struct Progress {
  bool tty = false;
  std::chrono::steady_clock::time_point start;
  int logged_tenth = 0;
  std::deque<std::pair<double, double>> recent;  // (elapsed s, fraction done), about the last fifth of the time
  void begin() {
    tty = isatty(STDERR_FILENO) != 0;
    start = std::chrono::steady_clock::now();
    logged_tenth = 0;
    recent.clear();
  }
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
  // Seconds still to go at the faster of two paces so far: since the start, and over the recent
  // past (the last fifth of the time, at least the last second). A repeated task speeds up once
  // fatigue settles and fewer frames need a new solve, which the pace since the start follows only
  // slowly (an 8-h shift read "76 s more" at 20 % and was done 7 s later; the recent pace: 34 s), while
  // the recent pace alone over-states the slow stretch around a task failure (220 s at 10 %, against
  // 105 s since the start and 13 s in fact). Neither predicts a speed-up still to come.
  double remaining(double f) {
    const double now = elapsed();
    if (recent.empty() || now - recent.back().first >= 0.05) recent.emplace_back(now, f);
    const double window = std::max(1.0, 0.2 * now);
    while (recent.size() > 2 && now - recent[1].first >= window) recent.pop_front();
    const double overall = f > 0 ? now * (1 - f) / f : 0;
    const auto [t0, f0] = recent.front();
    if (f <= f0 || now <= t0) return overall;
    return std::min(overall, (now - t0) * (1 - f) / (f - f0));
  }
  // Not a terminal: whether fraction f is due a line of its own.
  bool line_due(double f) {
    const int tenth = static_cast<int>(std::floor(f * 10 + 1e-9));
    if (elapsed() < 2.0 || tenth <= logged_tenth) return false;
    logged_tenth = tenth;
    return true;
  }
};
Progress g_progress;

void run_progress(double f, double t, double duration) {
  const double elapsed = g_progress.elapsed();
  // At the pace so far (Progress::remaining). No pace measured early predicts a task that speeds up
  // later, so the line says what the figure is rather than calling it an ETA.
  const double eta = g_progress.remaining(f);
  if (!g_progress.tty) {
    if (g_progress.line_due(f))
      std::fprintf(stderr, "  %3.0f %%  t = %.0f / %.0f s  (%.0f s elapsed, %.0f s more at the pace so far)\n", 100 * f, t, duration, elapsed, eta);
    return;
  }
  if (elapsed < 1.0 && f < 1) return;  // quiet for short runs
  const int w = 30, filled = static_cast<int>(f * w);
  std::fprintf(stderr, "\r  [%s%s] %3.0f %%  t = %.0f / %.0f s  ~%.0f s more ", std::string(filled, '#').c_str(),
               std::string(w - filled, '.').c_str(), 100 * f, t, duration, eta);
  if (f >= 1) std::fprintf(stderr, "\n");
}

// A results file (run, sweep -o) named as text (-o out.json --json) is refused, any other name
// without an HDF5 suffix warned (output_path.h; Python's output= says the same).
void check_results_name(const std::string& out) {
  const std::string warning =
      ps::check_results_name(out, "-o", "--json prints the summary on stdout: redirect it, > summary.json");
  if (!warning.empty()) std::fprintf(stderr, "warning: -o %s: %s\n", out.c_str(), warning.c_str());
  // A file that took hours is not replaced without a word (audit21b #6); said before the work, so
  // Ctrl-C can still keep it (an interrupted run leaves the earlier file as it was).
  std::error_code ec;
  if (std::filesystem::is_regular_file(out, ec))
    std::fprintf(stderr, "note: %s exists and is replaced when this finishes (Ctrl-C before then keeps it)\n", out.c_str());
}

// The scenario named on the command line with run/sweep's --motion (its keyframes replaced by a
// motion file) and --set applied, in that order, so --set can change the motion's keys too.
ps::Scenario load_scenario_as_asked(const std::string& scenario_name, const std::string& motion, double lowpass_hz,
                                    const std::vector<std::string>& sets) {
  // --motion names the motion file: a --set of motion.file beside it overrode it while the results
  // kept --motion's name (batch --motion A B --set motion.file=C wrote C's run as A.h5 and B.h5:
  // audit25i #13).
  if (!motion.empty())
    for (const std::string& set : sets)
      if (set.rfind("motion.file=", 0) == 0)
        throw ps::InputError("--set", 0, "motion.file", "also given by --motion: give the motion file once");
  if (motion.empty() && sets.empty()) return ps::load_scenario(scenario_name);
  // Read, not parsed: with --motion the template's own motion file need not exist (review25 B9).
  std::string file;
  std::string text = ps::load_scenario_text(scenario_name, file);
  if (!motion.empty()) text = ps::with_motion_file(text, file, motion, lowpass_hz);
  if (!sets.empty()) text = ps::apply_overrides(text, file, sets);
  try {
    return ps::parse_scenario_noted(text, file, motion.empty() ? " (with --set)" : sets.empty() ? " (with --motion)" : " (with --motion and --set)");
  } catch (const ps::InputError& e) {
    // A cutoff given with --lowpass-hz is the option's error, not the scenario file's (the run only
    // appended the key to the scenario's text).
    ps::rethrow_cutoff_as_option(e, lowpass_hz, "--lowpass-hz", motion);
    throw;
  }
}

// paraspine bench --scenario: the scenario's own frames, fresh muscles (a --no-fatigue run's), on its
// model scaled to its subject, with its criterion and solver tolerance unless --model / --criterion
// say otherwise; --frames takes the first N (audit23s #7: Ipopt could be compared on generated
// motions only).
int run_bench_scenario(const std::string& scenario_name, const std::vector<std::string>& sets, const std::string& subject_spec,
                       const std::string& model_override, const std::string& criterion, int frames, bool json) {
  ps::Scenario sc = load_scenario_as_asked(scenario_name, "", 0, sets);
  const std::string model_path = model_override.empty() ? ps::resolve_model_name(sc.model, sc.file, sc.model_line, "model")
                                                        : ps::resolve_model_name(model_override, "--model", 0, "");
  if (!criterion.empty()) sc.criterion = criterion;
  ps::Subject subject = sc.subject.value_or(ps::Subject{});
  if (!subject_spec.empty()) subject = parse_subject(subject_spec, subject);
  const ps::Model model = ps::scale_model(ps::load_model(model_path), subject);
  const ps::BoundScenario b = ps::bind_scenario(sc, model);
  const long all = ps::FrameClock(sc).frames;
  const long n = frames > 0 ? std::min<long>(frames, all) : all;
  if (n > 1000000) throw std::invalid_argument(fmt::format("bench: the scenario has {} frames; take the first N with --frames", all));
  auto prepare = [&](int f, ps::Data& d) { ps::evaluate_scenario_frame(model, sc, b, f, d); };
  return print_bench(model, ps::run_bench_frames(model, static_cast<int>(n), ps::scenario_load_sharing(sc), prepare,
                                                 fmt::format("scenario {} ({} of its {} frames, fresh muscles)", sc.name, n, all),
                                                 isatty(STDERR_FILENO) ? print_progress : nullptr),
                     json);
}

int run_run(const std::string& scenario_name, const std::string& out, const std::string& model_override,
            const std::string& subject_spec, const std::string& criterion, const std::vector<std::string>& sets,
            const std::string& motion, double lowpass_hz, bool json, int threads, bool no_fatigue, const ps::ResultsOptions& storage,
            bool brief, const std::vector<std::string>& joint_items, const std::string& picture) {
  if (!out.empty()) ps::check_output_path(out);
  if (!picture.empty()) {  // refused before the work
    ps::check_output_path(picture);
    ps::check_picture_name(picture, false);
  }
  ps::Scenario sc = load_scenario_as_asked(scenario_name, motion, lowpass_hz, sets);
  // A missing model is named where it was given: --model, or the scenario's `model:` line.
  const std::string model_path = model_override.empty() ? ps::resolve_model_name(sc.model, sc.file, sc.model_line, "model")
                                                        : ps::resolve_model_name(model_override, "--model", 0, "");
  if (!model_override.empty()) sc.model = model_override;
  if (!criterion.empty()) sc.criterion = criterion;
  ps::Subject subject = sc.subject.value_or(ps::Subject{});
  if (!subject_spec.empty()) subject = parse_subject(subject_spec, subject);
  if (!out.empty()) ps::check_output_path(out, {sc.file, model_path, sc.motion_file}), check_results_name(out);  // after "is an input of the run"
  if (!picture.empty()) {
    ps::check_output_path(picture, {sc.file, model_path, sc.motion_file});
    std::error_code ec;
    if (!out.empty() && std::filesystem::weakly_canonical(picture, ec) == std::filesystem::weakly_canonical(out, ec))
      throw ps::InputError("--picture", 0, picture, "is also the results file (-o): give the picture its own name");
  }
  // --picture without -o: the results go to a temporary file, are drawn, then removed (audit25t D4:
  // one command from a scenario to a slide).
  std::string results_file = out;
  ps::ResultsOptions results_storage = storage;
  if (out.empty() && !picture.empty()) {
    std::error_code ec;
    const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) throw ps::InputError("--picture", 0, picture, "no folder for the temporary results file (" + ec.message() + "): set TMPDIR, or give -o");
    std::random_device random;
    results_file = (dir / fmt::format("paraspine-run-{}-{:08x}.h5", static_cast<long>(::getpid()), random())).string();
    // Only what the picture reads (review26 #2: an 8-h shift wrote ~4 GB of every field to draw one frame).
    results_storage.fields = ps::cli::run_picture_fields();
  }
  struct RemoveTemporary {
    std::string path;
    ~RemoveTemporary() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove(path, ec);
    }
  } temporary{results_file != out ? results_file : std::string()};
  const ps::Model model = ps::scale_model(ps::load_model(model_path), subject);
  // --joints checked against the run's model before any work (an unknown name: exit 2, nothing written).
  std::vector<std::string> selected;
  if (!joint_items.empty()) {
    ps::cli::JointCatalog catalog;
    catalog.add(model);
    selected = ps::cli::select_joints(joint_items, catalog, "the " + model.name + " model");
  }
  const bool neck_moves = selected.empty() && ps::cli::scenario_moves_neck(sc, model);
  ps::RunOptions opt;
  opt.loadsharing = ps::scenario_load_sharing(sc);
  opt.write_every = storage.write_every;
  opt.threads = ps::usable_threads(threads);
  opt.time_coupling = !no_fatigue;
  // Said, not silently dropped: fatigue parameters the scenario gives do nothing with fresh muscles.
  if (no_fatigue && (sc.fatigue.all.line > 0 || !sc.fatigue.groups.empty()))
    fmt::print(stderr, "note: --no-fatigue: the scenario's fatigue parameters ({}:{}) are not used (fresh muscles, no endurance)\n", sc.file,
               sc.fatigue.all.line > 0 ? sc.fatigue.all.line : sc.fatigue.groups.front().second.line);
  // A motion file's rows come faster than the default output rate: said, since OpenSim's Static
  // Optimization reports a frame per row and a comparison expects the same (audit24o #9).
  if (!sc.motion_file.empty() && !sc.output_rate_given && sc.keyframes.size() > 2) {
    std::vector<double> steps;
    for (size_t k = 1; k < sc.keyframes.size(); ++k) steps.push_back(sc.keyframes[k].time - sc.keyframes[k - 1].time);
    std::nth_element(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2), steps.end());
    const double rows_hz = 1 / steps[steps.size() / 2];
    if (rows_hz > 1.5 * sc.output_rate_hz)
      fmt::print(stderr, "note: {}: its rows come at {:.4g} Hz, the results at the default output_rate_hz, {:g} Hz: "
                         "--set output_rate_hz={:.4g} (or output_rate_hz: in the scenario) gives a frame per row\n",
                 sc.motion_file, rows_hz, sc.output_rate_hz, rows_hz);
  }
  opt.progress = run_progress;
  std::unique_ptr<ps::ResultsWriter> writer;
  // What an interrupt removes: the files being written, and the temporary results file itself (an
  // interrupt between its rename and its removal); once the results are finished, only the picture's.
  auto interrupt_removes = [&](bool results_finished) {
    std::vector<std::string> files;
    if (!results_finished && !results_file.empty()) files.push_back(ps::cli::partial_file(results_file));
    if (!temporary.path.empty()) files.push_back(temporary.path);
    if (!picture.empty()) files.push_back(ps::cli::partial_file(picture));
    return files;
  };
  if (results_file.empty()) ps::cli::remove_on_interrupt({}, "");  // says "interrupted" (it said nothing)
  if (!results_file.empty()) {
    ps::cli::remove_on_interrupt(interrupt_removes(false), out.empty() ? "picture" : "results file");
    ps::RunMetadata meta{sc.name, sc.text, sc.criterion, ps::subject_summary(model), sc.motion_text, ps::cli::command_line()};
    writer = std::make_unique<ps::ResultsWriter>(results_file, model, meta, results_storage);
  }
  g_progress.begin();
  const nlohmann::json summary = ps::run_scenario(model, sc, opt, writer.get());
  if (writer) writer->finish(summary);
  // The results file is complete: an interrupt now loses only the picture (review26 #1: it said "no
  // results file written" while OUT stayed, complete).
  if (!picture.empty()) ps::cli::remove_on_interrupt(interrupt_removes(true), "picture");
  // A picture that cannot be drawn does not cost the finished run its summary (review26 #11: on an
  // 8-h shift the summary was lost to a picture error): the summary is printed, then the error, exit 2.
  std::string picture_line, picture_error;
  if (!picture.empty()) {
    try {
      picture_line = ps::cli::draw_run_picture(results_file, picture);
    } catch (const std::exception& e) {
      picture_error = e.what();
    }
  }
  auto picture_status = [&] {
    if (picture_error.empty()) return 0;
    fmt::print(stderr, "error: {}{}\n", picture_error, out.empty() ? "" : fmt::format(" (the results are in {}: paraspine render draws them)", out));
    return 2;
  };
  if (json) {
    if (!picture_line.empty()) fmt::print(stderr, "picture {}\n", picture_line);
    ps::cli::print_json(summary);
    return picture_status();
  }
  // A run shorter than a second keeps three significant digits (a 0.01 s run printed "0.0 s").
  const double duration = summary["duration_s"].get<double>();
  fmt::print("{}: {} model, {:.1f} kg / {:.2f} m {}, criterion {}, {} s, {} frames\n", sc.name, model.name,
             model.reference_body_mass, model.reference_height, model.reference_sex, sc.criterion,
             duration >= 1 ? fmt::format("{:.1f}", duration) : fmt::format("{:.3g}", duration), summary["frames"].get<long>());
  if (model.reference_percentile > 0) fmt::print("{}", percentile_line(model));
  // The kinematics' source when a motion file gave them, and what the hands carry then: --motion
  // replaces the template's keyframes, their boxes with them (audit26d #17).
  if (!sc.motion_file.empty()) {
    double heaviest = 0;
    for (const auto& k : sc.keyframes)
      for (const auto& h : k.hands) heaviest = std::max(heaviest, h.load_kg);
    fmt::print("  motion: {} ({} rows{}); hands: {}\n", sc.motion_file, sc.keyframes.size(),
               motion.empty() ? "" : fmt::format(", in place of {}'s keyframes", sc.name),
               heaviest > 0 ? fmt::format("up to {:g} kg per hand", heaviest) : std::string("no load"));
  }
  // What changes the loads without being in the posture: the abdominal pressure's relief of the lumbar
  // discs (docs/loadsharing.md) and hand positions scaled to the subject's size.
  const double position_scale = summary.value("position_scale", 1.0);
  fmt::print("  abdominal pressure {}{}\n\n",
             !model.abdominal_pressure.enabled ? "none in this model"
             : sc.abdominal_pressure         ? "on (it relieves the lumbar discs; --set abdominal_pressure=false for loads without it)"
                                             : "off (abdominal_pressure: false)",
             // Only when the scenario has a length to scale (audit24o #5: said of angle-only motions).
             std::abs(position_scale - 1) > 1e-9 && ps::first_position_line(sc) > 0
                 ? fmt::format("; its positions (hands, pelvis travel, force points) scaled ×{:.3f} to the subject (positions: scaled; "
                               "--set positions=absolute keeps them as written)", position_scale)
                 : std::string());
  // Spinal loads at L4-L5, L5-S1 and the most loaded level; NIOSH action limit 3400 N (Waters et al.
  // 1993, Ergonomics 36:749, the compression criterion of the revised lifting equation).
  // Any model: L5-S1 and L4-L5 when it has them, and its most loaded level (sim/cli/summary_view.h).
  const std::string most = ps::cli::most_loaded_joint(summary);
  // Each peak with its time and the peak fresh muscles give in the same frames: a peak well above
  // the fresh one (marked *) is fatigue-driven recruitment, not what the task itself asks
  // (docs/fatigue.md, "Peaks under fatigue").
  bool marked = false;
  auto mark = [&](double peak, double fresh) {
    const bool driven = ps::cli::fatigue_driven(summary, peak, fresh);
    marked = marked || driven;
    return driven ? "*" : " ";
  };
  // Times to 0.1 s below 100 s (a 4.8 s lift's peaks fall 0.1 s apart), whole seconds beyond.
  auto time_digits = [](double t) { return std::abs(t) < 99.95 ? 1 : 0; };
  fmt::print("  {:<8} {:>14}  {:>8} {:>13} {:>14} {:>16} {:>17}\n", "level", "peak compr. N", "at t s", "fresh peak N",
             "mean compr. N", "peak AP shear N", "peak lat. shear N");
  // Where reserves acted every load is a lower bound, marked ≥ (load_limits.h).
  const bool lower = ps::cli::loads_are_lower_bounds(summary);
  // The rows: --joints's levels; else L5-S1, L4-L5, the most loaded level and, when the scenario turns
  // the head or neck, the most loaded cervical level (audit22a #3: a neck task's table had no neck row).
  std::vector<std::string> rows = selected.empty() ? ps::cli::headline_joints(summary) : selected;
  const std::string neck = neck_moves ? ps::cli::most_loaded_cervical_joint(summary) : std::string();
  if (!neck.empty() && std::find(rows.begin(), rows.end(), neck) == rows.end()) rows.push_back(neck);
  for (const std::string& name : rows) {
    using ps::cli::bound_cell, ps::cli::cell, ps::cli::joint_number;
    const double pc = joint_number(summary, name, "peak_compression_N"), fresh = joint_number(summary, name, "fresh_peak_compression_N");
    const std::string note = ps::cli::limit_note(summary, name);
    fmt::print("  {:<8} {}{} {} {} {} {} {}{}\n", name, bound_cell(pc, 0, 14, lower), mark(pc, fresh),
               cell(joint_number(summary, name, "peak_compression_time_s"), time_digits(joint_number(summary, name, "peak_compression_time_s")), 8), bound_cell(fresh, 0, 13, lower),
               bound_cell(joint_number(summary, name, "mean_compression_N"), 0, 14, lower),
               cell(joint_number(summary, name, "peak_shear_ap_signed_N"), 0, 16),
               cell(joint_number(summary, name, "peak_shear_lateral_signed_N"), 0, 17),
               [&] {
                 const std::string which = name == most ? "(most loaded level)" : name == neck ? "(most loaded cervical level)" : "";
                 return !note.empty() ? "   " + note + (which.empty() ? "" : " " + which) : which.empty() ? std::string() : "   " + which;
               }());
  }
  // --joints without the most loaded level: it is named below the table, so it is never lost.
  if (!selected.empty() && !most.empty() && std::find(rows.begin(), rows.end(), most) == rows.end())
    fmt::print("  most loaded level: {} ({} N peak compression; not among --joints)\n", most,
               ps::cli::bound_cell(ps::cli::joint_number(summary, most, "peak_compression_N"), 0, 0, lower));
  {  // levels chosen or added beyond the lumbar ones: the limits are not theirs
    std::string others;
    if (!selected.empty() || !neck.empty())
      for (const auto& name : rows)
        if (!ps::is_lumbar_level(name)) others += (others.empty() ? "" : ", ") + name;
    if (!others.empty())
      fmt::print("  (the NIOSH compression and AP shear limits are for lumbar levels; {} not read against them)\n", others);
  }
  fmt::print("  (shears: the value at the largest magnitude; AP + anterior, - posterior; lat. + right, - left; read them with the\n"
             "   disc frame's ±10° uncertainty, e.g. a stoop's L5-S1 AP shear 686 or 1005 N: docs/scenarios.md, \"Reading loads against occupational limits\")\n");
  // The run's caveats, made by the engine with the summary (sim/simulate/run_notes.h).
  for (const char* key : {"abdominal_pressure_step", "abdominal_wall_artefact", "stooped_rests", "neck_flexion"})
    if (const std::string t = ps::cli::note_text(summary, key); !t.empty()) fmt::print("{}", ps::cli::wrapped("  note: ", t, 4));
  if (const std::string t = ps::cli::note_text(summary, "lower_bounds"); !t.empty())
    fmt::print("{}", ps::cli::wrapped("  ≥ lower bounds: ", t, 4));
  // --brief: the loads, reserves and endurance only (a job analysis reads no 60-row muscle table).
  if (!brief) fmt::print("\n  {:<20} {:<6} {:>9}  {:>8} {:>10} {:>10} {:>12} {:>16}\n", "muscle group", "side", "peak act.", "at t s",
             "fresh peak", "mean act.", "end fatigued", "rest to 90/95%");
  // A recovery in seconds below 10⁶, else in three significant digits, so the column keeps its width;
  // null (not reached within 10¹² s) as "never".
  auto rest = [](const nlohmann::json& t) {
    if (t.is_null()) return std::string("never");
    const double s = t.get<double>();
    return s < 1e6 ? fmt::format("{:.0f}", s) : fmt::format("{:.2e}", s);
  };
  bool merged_sides = false;
  if (!brief) {
    // A group's left and right rows that print alike (a symmetric task) are one row, side "both", as
    // the summary names both sides (audit23: 52 rows, every one twice, for a squat lift).
    auto cells = [&](const nlohmann::json& v) {
      const double peak = v["peak_activation"].get<double>(), fresh = v.value("fresh_peak_activation", double(NAN));
      const std::string rest_cell = rest(v["recovery_to_90_s"]) + "/" + rest(v["recovery_to_95_s"]) +
                                    (v["recovery_to_95_s"].is_null() ? "" : " s");
      return fmt::format("{:>9.2f}{} {} {} {:>10.3f} {:>12.3f} {:>16}", peak, mark(peak, fresh),
                         ps::cli::cell(v.value("peak_activation_time_s", double(NAN)), time_digits(v.value("peak_activation_time_s", 0.0)), 8),
                         ps::cli::cell(fresh, 2, 10), v["mean_activation"].get<double>(), v["end_fatigued_fraction"].get<double>(), rest_cell);
    };
    for (const auto& [group, sides] : summary["groups"].items()) {
      if (sides.size() == 2 && sides.contains("left") && sides.contains("right")) {
        const std::string l = cells(sides["left"]), r = cells(sides["right"]);
        if (l == r) {
          fmt::print("  {:<20} {:<6} {}\n", group, "both", l);
          merged_sides = true;
          continue;
        }
      }
      for (const auto& [side, v] : sides.items()) fmt::print("  {:<20} {:<6} {}\n", group, side, cells(v));
    }
    if (merged_sides) fmt::print("  (both: the left and right rows alike to the digits shown, printed once; --json gives each side)\n");
  }
  if (marked)
    fmt::print("\n  * fatigue-driven: reached after t = {:.{}f} s, when fascicles work at their fatigue-lowered capacity and\n"
               "    the load sharing recruits others, at poorer leverage, rather than use a reserve; the fresh peak is the\n"
               "    same frames with every fascicle at full strength, what the task itself asks (docs/fatigue.md)\n",
               summary["fatigue_limited_from_s"].get<double>(), time_digits(summary["fatigue_limited_from_s"].get<double>()));
  const auto& r = summary["reserves"];
  // The peak's rotation and time, so it is not mistaken for the failure rule's rotation named below,
  // which can be at another joint (teachrev F3).
  const std::string peak_where =
      r.contains("peak_rotation")
          ? fmt::format(" ({}, at t = {:.{}f} s)", r["peak_rotation"].get<std::string>(), r["peak_time_s"].get<double>(),
                        time_digits(r["peak_time_s"].get<double>()) + 1)
          : std::string();
  // Both counts: any reserve, and one worth a ring in the pictures (audit25t A7: "100 % of frames"
  // for a paraspinal_only stand held by 0.24-0.49 N·m at T6-T7).
  const std::string notable = r.contains("frames_notable_fraction") && r["frames_used_fraction"].get<double>() > 0
                                  ? fmt::format(" (≥ {:g} N·m in {:.1f} %)", ps::kNotableReserveNm, 100 * r["frames_notable_fraction"].get<double>())
                                  : std::string();
  // Wrapped like the notes beside it (review25 S5: one ~190-character line).
  fmt::print("\n{}", ps::cli::wrapped("  reserves: ",
                                      fmt::format("peak {:.2f} N·m{}, used in {:.1f} % of frames{}{}", r["peak_moment_Nm"].get<double>(), peak_where,
                                                  100 * r["frames_used_fraction"].get<double>(), notable,
                                                  r["peak_moment_Nm"].get<double>() > 0
                                                      ? " (moments the model's muscles cannot carry; where they act, the compressions above are "
                                                        "lower bounds, since a reserve carries moment without loading the disc)"
                                                      : ""),
                                      12));
  if (r["peak_moment_Nm"].get<double>() > 0 && r.contains("peak_fatigue_share_of_strength")) {
    // The failure rule in the same terms, so that reserves in most frames and "never failed" reconcile.
    const double share = r["peak_fatigue_share_of_strength"].get<double>(), limit = r["failure_threshold_share_of_strength"].get<double>();
    if (share <= 0)
      fmt::print("            fatigue added none: fresh muscles need them too (the model's strength limit, never a failure)\n");
    else
      // Named, with its N·m: the share is of one rotation's own strength in that sense (every muscle
      // acting that way fully active, antagonists' passive forces subtracted), which can be small,
      // so the share is not bounded by 100 %.
      fmt::print("{}", ps::cli::wrapped(
                           "            ",
                           fmt::format("failure rule: the part fatigue added reached {:.3g} % of the rotation's strength; the task fails past {:.1f} %{}{}",
                                       100 * share, 100 * limit,
                                       share > limit ? fmt::format(" (over it in {:.1f} % of frames)",
                                                                   100 * r["frames_over_failure_threshold_fraction"].get<double>())
                                                     : std::string(" (never reached)"),
                                       r.contains("peak_fatigue_rotation")
                                           ? fmt::format(" (the {}: {:.3g} N·m beyond what fresh muscles need, its muscles' strength {:.3g} N·m)",
                                                         r["peak_fatigue_rotation"].get<std::string>(), r["peak_fatigue_added_Nm"].get<double>(),
                                                         r["peak_fatigue_rotation_strength_Nm"].get<double>())
                                           : std::string()),
                           12));
  }
  // A solve the QP did not finish is said where the numbers are read, with how far from equilibrium
  // the worst frame is (its activations can be slightly off the criterion's optimum).
  for (const char* key : {"unconverged_solves", "loose_solves"})
    if (const std::string t = ps::cli::note_text(summary, key); !t.empty()) fmt::print("{}", ps::cli::wrapped("  load sharing: ", t, 4));
  if (summary.contains("fatigue") && !summary["fatigue"].get<bool>())
    fmt::print("  endurance: not evaluated (--no-fatigue: fresh muscles throughout)\n");
  else if (summary["endurance_s"].is_null()) fmt::print("  endurance: the task never failed\n");
  else {
    // "longissimus right (LTpL_L5_r)": the side and fascicle when the file records them.
    std::string who = summary["first_to_fail"].get<std::string>();
    const std::string side = summary.value("first_to_fail_side", nlohmann::json(nullptr)).is_string()
                                 ? summary["first_to_fail_side"].get<std::string>() : std::string();
    if (!side.empty()) who += side == "both" ? " on both sides" : " " + side;
    if (summary.contains("first_to_fail_fascicle") && summary["first_to_fail_fascicle"].is_string())
      who += " (" + summary["first_to_fail_fascicle"].get<std::string>() + (side == "both" ? " and its mirror)" : ")");
    fmt::print("  endurance: the task fails after {:.1f} s ({} first, at {})\n", summary["endurance_s"].get<double>(), who,
               summary["failed_joint"].get<std::string>());
    // The engine's notes, worded once (review25 S4: the strength limit was also worded here).
    for (const char* key : {"strength_limit", "neck_flexor_fails_first", "loads_fall_after_failure"})
      if (const std::string t = ps::cli::note_text(summary, key); !t.empty())
        fmt::print("{}", ps::cli::wrapped(std::string(key) == "loads_fall_after_failure" ? "    " : "    note: ", t, 4));
  }
  const auto& rec = summary["recovery"];
  // Seconds, with hours beside them past an hour; null (not reached within 10¹² s) as "never".
  auto rest_time = [](const nlohmann::json& t) {
    if (t.is_null()) return std::string("never (not within 10¹² s)");
    const double s = t.get<double>();
    return s < 3600 ? fmt::format("{:.0f} s", s) : fmt::format("{:.0f} s ({:.1f} h)", s, s / 3600);
  };
  if (rec["to_95_percent_s"].is_null() || rec["to_95_percent_s"].get<double>() > 0) {
    std::string slowest = rec["slowest_group"].is_null() ? std::string("-") : rec["slowest_group"].get<std::string>();
    if (rec.contains("slowest_side") && rec["slowest_side"].is_string())
      slowest += rec["slowest_side"] == "both" ? std::string(", both sides") : " " + rec["slowest_side"].get<std::string>();
    // "complete rest": lying or supported, no muscle working; a standing break recovers slower
    // (audit24e #10: read as "a 5-min break restores you" where the run's own standing break did not).
    fmt::print("  recovery: complete rest (lying or supported) restores every group to 90 % of its strength in {}, to 95 % in {}\n"
               "    (slowest: {}); a break standing or sitting recovers slower (docs/fatigue.md, \"Breaks between lifts\")\n",
               rest_time(rec["to_90_percent_s"]), rest_time(rec["to_95_percent_s"]), slowest);
  }
  if (summary["creep"]["enabled"].get<bool>() && summary["creep"]["peak_deg"].get<double>() >= 0.005) {
    const std::string at = summary["joints"].contains("L4-L5") ? "L4-L5" : most;
    fmt::print("  creep: passive flexion tissue crept up to {:.2f}° at one level ({} {:.2f}° at the end)\n",
               summary["creep"]["peak_deg"].get<double>(), at, ps::cli::joint_number(summary, at, "end_creep_deg"));
  }
  if (!out.empty()) fmt::print("\n  results: {}\n", out);
  if (!picture_line.empty()) fmt::print("{}{}", out.empty() ? "\n" : "", ps::cli::wrapped("  picture: ", picture_line, 4));
  return picture_status();
}

int run_list() {
  namespace fs = std::filesystem;
  auto list_dir = [](const std::string& title, const std::string& dir, bool model) {
    fmt::print("{}:\n", title);
    std::vector<fs::path> files;
    if (fs::exists(dir))
      for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    size_t width = 22;  // the names' column: as wide as the longest name, so every description lines up
    for (const auto& f : files) width = std::max(width, f.stem().string().size());
    for (const auto& f : files) {
      std::string desc;
      try {
        desc = model ? ps::load_model(f.string()).description : ps::load_scenario(f.string()).description;
      } catch (const std::exception& e) {
        desc = std::string("(does not load: ") + e.what() + ")";
      }
      // The whole description, wrapped at word boundaries (it was cut at 90 characters with "...").
      std::vector<std::string> lines(1);
      std::istringstream words(desc);
      for (std::string w; words >> w;) {
        if (!lines.back().empty() && lines.back().size() + 1 + w.size() > 100 - width) lines.emplace_back();
        lines.back() += (lines.back().empty() ? "" : " ") + w;
      }
      for (size_t k = 0; k < lines.size(); ++k)
        fmt::print("  {:<{}} {}\n", k == 0 ? f.stem().string() : std::string(), width, lines[k]);
    }
  };
  // The bundled library always; the working directory's models/ and scenarios/ as well when they
  // exist (a bare name looks there first, then in the library: resolve_bundled_path).
  auto same_dir = [](const std::string& a, const std::string& b) {
    std::error_code ec;
    return fs::equivalent(a, b, ec);
  };
  // An installed program without its share/ folder, or a moved source tree: said, not an empty list.
  for (const char* kind : {"models", "scenarios"})
    if (!fs::is_directory(ps::bundled_dir(kind)))
      throw ps::InputError(ps::bundled_dir(kind), 0, "",
                           std::string("the bundled ") + kind +
                               " folder is missing (reinstall, or set PARASPINE_DATA_DIR to the folder holding models/, scenarios/ and validation/)");
  for (const auto& [local, bundled, model] : {std::tuple<std::string, std::string, bool>{"models", ps::bundled_dir("models"), true},
                                              {"scenarios", ps::bundled_dir("scenarios"), false}}) {
    const bool has_local = fs::is_directory(local) && !same_dir(local, bundled);
    if (has_local) list_dir(local + " (./" + local + ", found first)", local, model);
    list_dir(has_local ? local + " (bundled: " + bundled + ")" : local, bundled, model);
  }
  return 0;
}

// Summaries side by side: spinal loads at L4-L5 and L5-S1, activation per group (both sides),
// reserves, endurance; the difference column compares every file with the first.
int run_compare(const std::vector<std::string>& paths, bool json, const std::vector<std::string>& joint_items) {
  std::vector<ps::ResultsFileInfo> files;
  for (const auto& p : paths) files.push_back(ps::read_results_info(p));
  // --joints against the files' models (the model text each stores; a file without one, written
  // before session 21, offers its summary's joint names but no regions).
  std::vector<std::string> selected;
  if (!joint_items.empty()) {
    ps::cli::JointCatalog catalog;
    for (const auto& f : files) {
      try {
        catalog.add(ps::parse_model(ps::read_stored_model_text(f.path), f.path + " (model_text)"));
      } catch (const std::exception&) {
        catalog.add_summary(f.summary);
      }
    }
    selected = ps::cli::select_joints(joint_items, catalog, files.size() > 1 ? "the files' models" : "the file's model");
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : files) out.push_back({{"file", f.path}, {"summary", f.summary}});
    ps::cli::print_json(out);
    return 0;
  }
  // `missing`: what a NaN value prints as ('-': the file has no such number; "never" for endurance).
  // `is_signed`: a value that may change sign (a signed shear), whose change is printed in its unit.
  // Columns as wide as the widest heading or first-to-fail group (at least 14): "upright_sitting
  // slouched_sitting" and "longissimus external_oblique" used to run into each other.
  auto first_to_fail = [](const ps::ResultsFileInfo& f) {
    const auto g = f.summary.find("first_to_fail");
    return g != f.summary.end() && g->is_string() ? g->get<std::string>() : std::string("-");
  };
  size_t width = 14, label_width = 34;  // "sternocleidomastoid mean activation" is 35 characters
  // The groups of every file, the first file's first: a model variant's renamed or added group was
  // left out when only the second file had it (audit20b).
  std::vector<std::string> groups;
  for (const auto& f : files)
    if (f.summary.contains("groups"))
      for (const auto& [group, sides] : f.summary["groups"].items())
        if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
  // "sternocleidomastoid end strength lost" is the longest group row: the group and 18 characters
  for (const auto& group : groups) label_width = std::max(label_width, group.size() + 18);
  // A results file run with --no-fatigue has no fatigue outcome: its cells in the fatigue rows say
  // "not run", and no change is computed against them.
  auto fatigue_off = [](const ps::ResultsFileInfo& f) { return f.summary.contains("fatigue") && !f.summary["fatigue"].get<bool>(); };
  // `bound`: a compression, marked ≥ in a file whose reserves made its loads lower bounds (as run,
  // batch and sweep mark them; audit22b #8: compare printed 2099 for run's ≥2099).
  auto row = [&](const std::string& label, auto value, const char* unit, int digits, const char* missing = "-", bool is_signed = false,
                 bool fatigue_outcome = false, bool bound = false) {
    std::string line = fmt::format("  {:<{}}", label, label_width);
    const bool first_off = fatigue_outcome && fatigue_off(files[0]);
    const double first = value(files[0]);
    for (size_t k = 0; k < files.size(); ++k) {
      const bool off = fatigue_outcome && fatigue_off(files[k]);
      const double v = value(files[k]);
      line += " " + (off ? fmt::format("{:>{}}", "not run", width)
                     : std::isnan(v) ? fmt::format("{:>{}}", missing, width)
                                     : ps::cli::bound_cell(v, digits, static_cast<int>(width), bound && ps::cli::loads_are_lower_bounds(files[k].summary)));
      if (k > 0)
        line += fmt::format(" {:>9}", off || first_off ? std::string("-")
                                      : is_signed ? ps::cli::signed_change(first, v, digits, unit) : ps::cli::percent_change(first, v, digits));
    }
    // A signed change carries its unit ("-133 N"): the unit once, not "-133 N N".
    fmt::print("{} {}\n", line, is_signed && files.size() > 1 ? "" : unit);
  };
  auto text_row = [&](const std::string& label, auto text) {
    std::string line = fmt::format("  {:<{}}", label, label_width);
    for (size_t k = 0; k < files.size(); ++k) line += fmt::format(" {:>{}}", text(files[k]), width) + (k ? std::string(10, ' ') : "");
    fmt::print("{}\n", line);
  };
  std::string head = fmt::format("  {:<{}}", "", label_width);
  // Columns are headed by scenario name, or by file name when two files ran the same scenario
  // (e.g. two subjects or --set variants), which would otherwise be told apart by nothing.
  std::vector<std::string> labels;
  for (const auto& f : files) labels.push_back(f.summary.value("scenario", f.path));
  for (size_t a = 0; a < labels.size(); ++a)
    for (size_t b = a + 1; b < labels.size(); ++b)
      if (labels[a] == labels[b]) {
        for (size_t k = 0; k < files.size(); ++k) labels[k] = std::filesystem::path(files[k].path).filename().string();
        a = labels.size();
        break;
      }
  for (size_t k = 0; k < files.size(); ++k) width = std::max({width, labels[k].size(), first_to_fail(files[k]).size()});
  for (size_t k = 0; k < files.size(); ++k) head += fmt::format(" {:>{}}", labels[k], width) + (k ? std::string(10, ' ') : "");
  fmt::print("{}\n", head);
  // Runs on different models (a variant of the same name, or another model): said before any number,
  // with each file's model and the start of its text's digest (audit20b: nothing told them apart).
  bool models_differ = false;
  for (const auto& f : files)
    models_differ = models_differ || f.model != files[0].model || f.model_digest != files[0].model_digest;
  if (models_differ)
    text_row("model (differs)", [](const ps::ResultsFileInfo& f) {
      const size_t colon = f.model_digest.find(':');  // "fnv1a64:0123…": the hash's first 8 digits
      const std::string hash = colon == std::string::npos ? f.model_digest : f.model_digest.substr(colon + 1);
      return f.model + (hash.empty() ? "" : " " + hash.substr(0, std::min<size_t>(8, hash.size())));
    });
  // Fatigue on in one file and off in another (--no-fatigue): said before any number, as a model
  // difference is (audit22b #8: only the fatigue rows' "not run" told them apart).
  bool fatigue_differs = false;
  for (const auto& f : files) fatigue_differs = fatigue_differs || fatigue_off(f) != fatigue_off(files[0]);
  if (fatigue_differs)
    text_row("fatigue (differs)", [&](const ps::ResultsFileInfo& f) { return std::string(fatigue_off(f) ? "off" : "on"); });
  std::vector<const nlohmann::json*> summaries;
  for (const auto& f : files) summaries.push_back(&f.summary);
  for (const std::string& j : selected.empty() ? ps::cli::compared_joints(summaries) : selected) {
    using ps::cli::joint_number;
    row(fmt::format("{} peak compression", j), [&](const ps::ResultsFileInfo& f) { return joint_number(f.summary, j, "peak_compression_N"); }, "N", 0,
        "-", false, false, true);
    // The same frames with fresh muscles (summaries before session 10 lack it: '-'): tells a posture's
    // peak from fatigue-driven recruitment late in a hold.
    row(fmt::format("{} fresh-muscle peak", j), [&](const ps::ResultsFileInfo& f) { return joint_number(f.summary, j, "fresh_peak_compression_N"); }, "N", 0,
        "-", false, false, true);
    row(fmt::format("{} mean compression", j), [&](const ps::ResultsFileInfo& f) { return joint_number(f.summary, j, "mean_compression_N"); }, "N", 0,
        "-", false, false, true);
    // Signed: + anterior, - posterior, at the largest magnitude (summaries before session 11 lack it: '-').
    row(fmt::format("{} peak AP shear (+ ant.)", j), [&](const ps::ResultsFileInfo& f) { return joint_number(f.summary, j, "peak_shear_ap_signed_N"); }, "N", 0,
        "-", true);
  }
  // A group's value averaged over its sides, from each file's summary (NaN where the file lacks the group).
  auto side_mean = [](const std::string& g, const char* key) {
    return [g, key](const ps::ResultsFileInfo& f) {
      if (!f.summary.contains("groups") || !f.summary["groups"].contains(g)) return std::numeric_limits<double>::quiet_NaN();
      const auto& sides = f.summary["groups"][g];
      double s = 0;
      for (const auto& [side, v] : sides.items()) s += v.value(key, 0.0) / static_cast<double>(sides.size());
      return s;
    };
  };
  for (const auto& group : groups) row(group + " mean activation", side_mean(group, "mean_activation"), "", 3);
  // What fatigue did (session 19: compare printed only endurance, leaving these to --json): the share
  // of each group's strength lost at the end (rows only for groups that lost some in a file).
  for (const auto& group : groups) {
    const auto lost = side_mean(group, "end_fatigued_fraction");
    bool any = false;
    for (const auto& f : files) any = any || lost(f) > 0;
    if (any) row(group + " end strength lost", lost, "", 3, "-", false, true);
  }
  row("reserves peak", [](const ps::ResultsFileInfo& f) { return f.summary["reserves"]["peak_moment_Nm"].get<double>(); }, "N·m", 2);
  // Endurance, the headline of a fatigue comparison: "never" when the task never failed.
  row("endurance", [](const ps::ResultsFileInfo& f) {
    const auto e = f.summary.find("endurance_s");
    return e != f.summary.end() && e->is_number() ? e->get<double>() : std::numeric_limits<double>::quiet_NaN();
  }, "s", 0, "never", false, true);
  text_row("first to fail", [&](const ps::ResultsFileInfo& f) { return fatigue_off(f) ? std::string("not run") : first_to_fail(f); });
  // Complete rest after the task until every group is back at 90 / 95 % of its strength ("never":
  // not within 10¹² s), and the largest creep of the passive flexion laws.
  auto recovery = [](const char* key) {
    return [key](const ps::ResultsFileInfo& f) {
      const auto r = f.summary.find("recovery");
      return r != f.summary.end() && r->contains(key) && (*r)[key].is_number() ? (*r)[key].get<double>()
                                                                              : std::numeric_limits<double>::quiet_NaN();
    };
  };
  row("rest to 90 % strength (slowest)", recovery("to_90_percent_s"), "s", 0, "never", false, true);
  row("rest to 95 % strength (slowest)", recovery("to_95_percent_s"), "s", 0, "never", false, true);
  row("peak creep", [](const ps::ResultsFileInfo& f) {
    const auto c = f.summary.find("creep");
    return c != f.summary.end() && c->contains("peak_deg") ? (*c)["peak_deg"].get<double>() : std::numeric_limits<double>::quiet_NaN();
  }, "deg", 2, "-", false, true);
  row("duration", [](const ps::ResultsFileInfo& f) { return f.summary["duration_s"].get<double>(); }, "s", 1);
  std::string bounded;
  for (size_t k = 0; k < files.size(); ++k)
    if (ps::cli::loads_are_lower_bounds(files[k].summary)) bounded += (bounded.empty() ? "" : ", ") + labels[k];
  if (!bounded.empty())
    fmt::print("\n  ≥ lower bounds ({}): reserves carried moments the muscles could not (reserves peak), without loading the\n"
               "    discs, so the true compressions are higher; the differences compare the bounds (docs/loadsharing.md)\n",
               bounded);
  if (fatigue_differs)
    fmt::print("  fatigue differs: a file run with --no-fatigue has fresh muscles throughout, so its peaks lack any\n"
               "    fatigue-driven recruitment and its fatigue rows read \"not run\"\n");
  return 0;
}

long g_sweep_points = 0;  // the grid's size, for the progress line's k/N
bool sweep_progress(double f) {  // Progress, above
  // k of N points and the time still to go at the pace so far (audit24s #5: a percentage only).
  const long done = std::lround(f * static_cast<double>(g_sweep_points));
  const double eta = g_progress.remaining(f);
  if (!g_progress.tty) {
    if (g_progress.line_due(f))
      std::fprintf(stderr, "  sweep: %ld / %ld grid points (%.0f %%, %.0f s elapsed, %.0f s more at the pace so far)\n", done,
                   g_sweep_points, 100 * f, g_progress.elapsed(), eta);
    return true;
  }
  std::fprintf(stderr, "\r  sweep: %ld / %ld grid points (%3.0f %%)  ~%.0f s more ", done, g_sweep_points, 100 * f, eta);
  if (f >= 1) std::fprintf(stderr, "\n");
  return true;  // Ctrl-C ends the process (interrupt.h)
}

int run_sweep_cmd(const std::string& scenario_name, const std::vector<std::string>& vary, const std::vector<std::string>& sets,
                  const std::string& subject_spec, const std::string& motion, double lowpass_hz, const std::string& out, int threads,
                  bool json, const std::string& csv, const std::vector<std::string>& joint_items, bool no_fatigue) {
  if (!out.empty()) ps::check_output_path(out);
  // --motion and --set as run's, before the axes (e.g. --set positions=absolute)
  ps::Scenario sc = load_scenario_as_asked(scenario_name, motion, lowpass_hz, sets);
  // A missing model named at its line; -o must not overwrite the scenario or its model (as run).
  const std::string model_path = ps::resolve_model_name(sc.model, sc.file, sc.model_line, "model");
  if (!out.empty()) ps::check_output_path(out, {sc.file, model_path, sc.motion_file}), check_results_name(out);  // after "is an input of the run"
  if (!csv.empty()) ps::check_table_path(csv, {sc.file, model_path, sc.motion_file}, {out});
  std::vector<ps::SweepAxis> axes;
  for (const auto& v : vary) axes.push_back(ps::parse_sweep_axis(v));
  // --subject as run's: the base subject of every grid point, over the scenario's (e.g. the sex a
  // subject.percentile axis needs on a bundled scenario, which has no subject block). A key an axis
  // varies would be replaced at every point without a word: refused, as --set of a varied path is.
  if (!subject_spec.empty()) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> varies = {
        {"subject.mass", {"mass"}}, {"subject.body_mass", {"mass"}}, {"subject.height", {"height"}},
        {"subject.strength", {"strength"}}, {"subject.strength_factor", {"strength"}},
        {"subject.fatigue_rate_scale", {"fatigue_rate"}}, {"subject.recovery_rate_scale", {"recovery_rate"}},
        {"subject.percentile", {"percentile", "mass", "height"}}, {"subject.sex", {"sex"}},
        // A percentile sets mass and height: varying either over it is refused, as run refuses
        // percentile with mass (audit24s #11: the sweep ran points run would not).
        {"subject.mass", {"percentile"}}, {"subject.body_mass", {"percentile"}}, {"subject.height", {"percentile"}}};
    std::vector<std::string> keys;
    std::stringstream ss(subject_spec);
    for (std::string item; std::getline(ss, item, ',');) keys.push_back(subject_key(item.substr(0, item.find('='))));
    for (const auto& a : axes)
      for (const auto& [path, covered] : varies)
        if (a.path == path)
          for (const auto& k : covered)
            if (std::find(keys.begin(), keys.end(), k) != keys.end())
              throw ps::InputError("--subject", 0, k,
                                   k == "percentile" && a.path != "subject.percentile"
                                       ? "sets mass and height, which --vary " + a.path +
                                             " varies: give the measured values (--subject height=…,sex=…) or vary subject.percentile"
                                       : "also set by --vary " + a.path + ": give its values in the axis only");
    // A sex axis gives each point its sex: --subject percentile=50 needs none of its own.
    sc.subject = parse_subject(subject_spec, ps::with_sex_from_axis(sc.subject.value_or(ps::Subject{}), axes));
  }
  {  // a path both set and varied: each grid point's value replaced the --set one silently
    std::vector<std::string> axis_paths;
    for (const auto& a : axes) axis_paths.push_back(a.path);
    ps::check_not_set_and_varied(sets, axis_paths, "--set", "--vary");
  }
  const long points = ps::sweep_point_count(axes);  // a grid too large refused before anything else
  g_sweep_points = points;
  ps::check_sweep_axes(sc, axes, "--vary");  // every value of every axis, before the first grid point runs
  ps::cli::remove_on_interrupt(out.empty() ? std::vector<std::string>{} : std::vector<std::string>{ps::cli::partial_file(out)},
                               out.empty() ? "" : "results file");
  // Each point goes to the file as it completes and only its table cells are kept, so memory does
  // not grow with the grid (--json prints every summary, so only then are they kept).
  std::unique_ptr<ps::SweepWriter> writer;
  // Loaded once, for the grid and for the file's record of it (review21 R4: loaded twice, an edit
  // between the two reads stored a text the grid did not run).
  const ps::Model model = ps::load_model(model_path);
  std::vector<std::string> selected;  // --joints, checked before the first grid point runs
  if (!joint_items.empty()) {
    ps::cli::JointCatalog catalog;
    catalog.add(model);
    selected = ps::cli::select_joints(joint_items, catalog, "the " + model.name + " model");
  }
  if (!out.empty()) writer = std::make_unique<ps::SweepWriter>(out, sc, axes, model, ps::cli::command_line());
  std::vector<nlohmann::json> kept(json ? points : 0);
  std::vector<std::string> cells(json ? 0 : points), csv_rows(csv.empty() ? 0 : points);
  std::atomic<bool> reserves_acted{false};  // points finish on several threads
  g_progress.begin();
  ps::run_sweep_each(sc, axes, threads, sweep_progress, [&](long p, const nlohmann::json& s) {
    if (writer) writer->add(p, s);
    if (!csv.empty()) csv_rows[p] = ps::cli::csv_summary_cells(s, selected);
    if (json) {
      kept[p] = s;
    } else {
      using ps::cli::bound_cell, ps::cli::joint_number;
      const double reserve = s["reserves"]["peak_moment_Nm"].get<double>();
      const bool lower = ps::cli::loads_are_lower_bounds(s);
      if (lower) reserves_acted = true;
      if (!selected.empty()) {  // --joints: each level's peak compression, then as below
        std::string levels;
        for (const auto& j : selected) levels += bound_cell(joint_number(s, j, "peak_compression_N"), 0, 14, lower) + " ";
        cells[p] = fmt::format("{}{:>12.2f} {:>12}  {}", levels, reserve,
                               s["endurance_s"].is_null() ? std::string("-") : fmt::format("{:.0f}", s["endurance_s"].get<double>()),
                               ps::cli::run_verdict(s));
        return;
      }
      cells[p] = fmt::format("{} {} {} {:>12.2f} {:>12}  {}", bound_cell(joint_number(s, "L4-L5", "peak_compression_N"), 0, 14, lower),
                             bound_cell(joint_number(s, "L5-S1", "peak_compression_N"), 0, 14, lower),
                             ps::cli::cell(joint_number(s, "L5-S1", "peak_shear_ap_signed_N"), 0, 16), reserve,
                             s["endurance_s"].is_null() ? std::string("-") : fmt::format("{:.0f}", s["endurance_s"].get<double>()),
                             ps::cli::run_verdict(s));
    }
  }, "--vary", &model, !no_fatigue);
  if (writer) writer->finish();
  if (!csv.empty()) {  // the grid's values first, row-major as the table
    std::string text;
    for (const auto& a : axes) text += ps::cli::csv_field(a.path) + ",";
    text += ps::cli::csv_summary_header(selected) + "\n";
    for (long p = 0; p < points; ++p) {
      for (const std::string& v : ps::sweep_point_texts(axes, p)) text += ps::cli::csv_field(v) + ",";
      text += csv_rows[p] + "\n";
    }
    ps::write_file_in_place(csv, text, "CSV file");
  }
  if (json) {
    nlohmann::json j = {{"scenario", sc.name}, {"axes", nlohmann::json::array()}, {"points", nlohmann::json::array()}};
    for (const auto& a : axes)
      j["axes"].push_back({{"path", a.path}, {"values", a.categorical() ? nlohmann::json(a.labels) : nlohmann::json(a.values)}});
    // Each point says where it is in the grid (audit24s #7: the mapping was by position only).
    for (long p = 0; p < static_cast<long>(kept.size()); ++p) {
      nlohmann::json point = kept[static_cast<size_t>(p)];
      nlohmann::json grid = nlohmann::json::object();
      const std::vector<double> vals = ps::sweep_point_values(axes, p);
      const std::vector<std::string> texts = ps::sweep_point_texts(axes, p);
      for (size_t ax = 0; ax < axes.size(); ++ax)
        grid[axes[ax].path] = axes[ax].categorical() ? nlohmann::json(texts[ax]) : nlohmann::json(vals[ax]);
      point["grid"] = grid;
      j["points"].push_back(point);
    }
    ps::cli::print_json(j);
    return 0;
  }
  std::string head;
  for (const auto& a : axes) head += " " + std::string(a.path.size() < 26 ? 26 - a.path.size() : 0, ' ') + a.path;
  if (selected.empty()) {
    fmt::print("{}  {:>14} {:>14} {:>16} {:>12} {:>12}  {}\n", head, "L4-L5 peak N", "L5-S1 peak N", "L5-S1 AP shear N", "reserve N·m",
               "endurance s", "verdict (lumbar)");
  } else {
    std::string levels;
    for (const auto& j : selected) levels += fmt::format("{:>14} ", j + " peak N");
    fmt::print("{}  {}{:>12} {:>12}  {}\n", head, levels, "reserve N·m", "endurance s", "verdict (lumbar)");
  }
  for (size_t p = 0; p < cells.size(); ++p) {
    std::string row;
    const std::vector<double> vals = ps::sweep_point_values(axes, static_cast<long>(p));
    const std::vector<std::string> texts = ps::sweep_point_texts(axes, static_cast<long>(p));
    for (size_t k = 0; k < vals.size(); ++k) {
      const size_t width = std::max<size_t>(26, axes[k].path.size());
      row += axes[k].categorical() ? fmt::format(" {:>{}}", texts[k], width) : fmt::format(" {:>{}.4g}", vals[k], width);
    }
    fmt::print("{}  {}\n", row, cells[p]);
  }
  // A point whose task the muscles cannot carry reads a lower compression than the load would give:
  // the reserve takes the moment without loading the disc, so a heavier box can show a smaller peak.
  fmt::print("{}", ps::cli::kVerdictLegend);
  if (no_fatigue) fmt::print("  endurance: not evaluated (--no-fatigue: fresh muscles throughout, no creep)\n");
  if (reserves_acted)
    fmt::print("  ≥ lower bounds: reserves act at these points (moments the muscles cannot carry) without loading the disc, so a\n"
               "    harder point (a heavier load, a weaker or more fatigued subject) can show a smaller compression (docs/loadsharing.md, \"Reserves\")\n");
  if (!out.empty()) fmt::print("\n  results: {}\n", out);
  if (!csv.empty()) fmt::print("  table: {}\n", csv);
  return 0;
}

}  // namespace

static int run_main(int argc, char** argv) {
  ps::skip_hdf5_shutdown_at_exit();  // first: before any HDF5 call (hdf5_close.h)
  ps::cli::set_command_line(argc, argv);
  ps::register_lz4_filter();  // render and compare read --compression lz4 files without the HDF5 plugin
  // A file-size limit (ulimit -f) would kill the process with SIGXFSZ mid-write, leaving NAME.partial
  // and no message; ignored, the write fails with EFBIG instead, which the writers report and clean
  // up after as they do for a full disk.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"paraspine — biomechanics of the back: spine kinematics, loads and muscles"};
  app.set_version_flag("--version", std::string("paraspine ") + PARASPINE_VERSION + " (commit " + ps::build_commit() + ")");
  app.require_subcommand(1);
  // Usage errors read like every other error ("error: ..."), so scripts and users can grep one
  // prefix. Set before the subcommands are added: each copies its parent's formatter.
  app.failure_message([](const CLI::App* a, const CLI::Error& e) { return "error: " + CLI::FailureMessage::simple(a, e); });

  auto* model_cmd = app.add_subcommand("model", "Inspect a model file");
  model_cmd->require_subcommand(1);
  auto* info = model_cmd->add_subcommand("info", "Segments, joints, muscles by group and side, masses and forces");
  std::string info_path;
  bool info_json = false;
  info->add_option("MODEL", info_path, "Model file or bundled model name (e.g. lumbar)")->required();
  info->add_flag("--json", info_json, "Print one JSON object on stdout");
  bool info_strength = false;
  info->add_flag("--strength", info_strength,
                 "Also each joint's strength in neutral standing, N·m: every muscle acting that way fully active, the others "
                 "silent, passive forces included (an upper bound, as a braced dynamometer sees); JSON: strength_Nm");
  info->footer("Examples:\n  paraspine model info lumbar\n  paraspine model info models/lumbar.yaml --json\n"
               "  paraspine model info lift.h5          # the model text a results file stores, unscaled (the run's subject is in the file)");
  auto* extract = model_cmd->add_subcommand(
      "extract", "Write out the model text a results or sweep file stores: the run's own model, even after its file was edited or lost");
  std::string extract_path, extract_out;
  extract->add_option("RESULTS", extract_path, "Results file (paraspine run -o) or sweep file (paraspine sweep -o)")->required();
  extract->add_option("-o,--output", extract_out, "Model file to write (default: standard output)");
  extract->footer("Examples:\n  paraspine model extract lift.h5 -o lift_model.yaml\n"
                  "  paraspine run lift.yaml --model lift_model.yaml   # the run again, on the model it used");

  auto* moments = app.add_subcommand("moments", "Net moment and force at every joint in a static posture");
  std::string mom_path;
  std::vector<std::string> angles;
  double load_kg = 0, mass = 0, height = 0;
  bool mom_json = false;
  std::string posture_name = "standing", sex, mom_subject;
  moments->add_option("MODEL", mom_path, "Model file or bundled model name")->required();
  moments->add_option("--posture", posture_name, "Starting posture (standing = the model's neutral curvature)")
      ->check(CLI::IsMember({"standing"}));
  moments->add_option("--angle-deg", angles, "REGION.AXIS=DEGREES or JOINT.AXIS=DEGREES, repeatable; regions from the model, or pelvis; a joint (L4-L5) adds a level's own angle to its rhythm share, as a scenario's joints_deg")
      ->type_name("SPEC");
  moments->add_option("--load-kg", load_kg, "Mass held in each hand (arms hanging), kg");
  moments->add_option("--subject", mom_subject, "mass=80,height=1.80,sex=male (or percentile=5,sex=female: US adults' stature and mass, NHANES 2021-2023), as run, sweep and batch take it (default: the model's reference)");
  moments->add_option("--mass-kg", mass, "Subject body mass, kg, 20-300 (default: the model's reference)")->check(subject_check("body_mass"));
  moments->add_option("--height-m", height, "Subject height, m, 1.0-2.5 (default: the model's reference)")->check(subject_check("height"));
  moments->add_option("--sex", sex, "Subject sex (default: the model's reference)")->check(CLI::IsMember({"male", "female"}));
  moments->add_flag("--json", mom_json, "Print one JSON object on stdout");
  moments->footer("Examples:\n  paraspine moments lumbar\n  paraspine moments lumbar --angle-deg lumbar.flexion=40 --angle-deg pelvis.flexion=30 --load-kg 10\n  paraspine moments full_spine --subject mass=62,height=1.65,sex=female");

  auto* bench = app.add_subcommand("bench", "Benchmark the load-sharing solver against Ipopt on generated frames");
  std::string bench_model = "full_spine", bench_criterion = "activation2", bench_motion = "everyday";
  int bench_frames = 200;
  unsigned bench_seed = 1;
  bool bench_json = false;
  bench->add_option("--model", bench_model, "Model file or bundled model name")->capture_default_str();
  bench->add_option("--frames", bench_frames, "Number of frames (a 100 Hz motion)")->capture_default_str()->check(ps::cli::positive_number());
  bench->add_option("--criterion", bench_criterion, "activation2, activation3, stress2 or minmax")->capture_default_str()->check(CLI::IsMember(kCriteria));
  bench->add_option("--motion", bench_motion,
                    "everyday: everyday postures, 0-10 kg per hand; harsh: up to 60 % of every range at once, 0-15 kg per hand")
      ->capture_default_str()->check(CLI::IsMember({"everyday", "harsh"}));
  bench->add_option("--seed", bench_seed, "Random seed of the generated motion")->capture_default_str();
  bench->add_flag("--json", bench_json, "Print one JSON object on stdout");
  std::string bench_scenario, bench_subject;
  std::vector<std::string> bench_sets;
  bench->add_option("--scenario", bench_scenario,
                    "Solve a scenario's own frames instead of a generated motion (fresh muscles; its model, subject, criterion "
                    "and solver_tolerance unless given; --frames: the first N, default all)");
  bench->add_option("--set", bench_sets, "With --scenario: PATH=VALUE overrides, as for run")->type_name("PATH=VALUE");
  bench->add_option("--subject", bench_subject, "With --scenario: the subject, as for run");
  bench->footer("Examples:\n  paraspine bench\n  paraspine bench --model lumbar --frames 1000 --criterion activation3 --json\n  paraspine bench --motion harsh --frames 300\n"
                "  paraspine bench --scenario rounded_back_lift --criterion activation3\n  paraspine bench --scenario my_task.yaml --set solver_tolerance=1e-8 --json");

  auto* schema = app.add_subcommand("schema", "Print the HDF5 results schema (Markdown)");
  schema->footer("Examples:\n  paraspine schema > docs/hdf5-schema.md");

  auto* run = app.add_subcommand("run", "Run a scenario: summary on the terminal, full results in HDF5");
  std::string run_scenario_name, run_out, run_model, run_subject, run_criterion;
  bool run_json = false;
  int run_threads = 1;
  bool run_no_fatigue = false;
  std::string run_precision = "double";
  ps::ResultsOptions run_storage;
  std::vector<std::string> run_sets;
  run->add_option("SCENARIO", run_scenario_name, "Scenario file or bundled scenario name")->required();
  run->add_option("--set", run_sets, "PATH=VALUE override, repeatable (e.g. keyframes[2].hands.both.load_kg=12.5)");
  std::string run_motion;
  double run_lowpass_hz = 0;
  CLI::Option* run_motion_opt = run->add_option("--motion", run_motion, "Motion file (CSV, or OpenSim .mot/.sto; docs/scenarios.md \"Motion files\") whose rows replace the scenario's keyframes; every other setting is the scenario's");
  run->add_option("--lowpass-hz", run_lowpass_hz, "Zero-lag low-pass filter of the --motion file's angles and positions, cutoff in Hz")
      ->check(ps::cli::positive_number())->needs(run_motion_opt);
  CLI::Option* run_out_opt = run->add_option("-o,--output", run_out, "HDF5 results file (schema: paraspine schema)")->check(ps::cli::non_empty_path());
  run->add_option("--model", run_model, "Model instead of the scenario's");
  run->add_option("--subject", run_subject, "mass=80,height=1.80,sex=male,strength=1,fatigue_rate=1,recovery_rate=1 (fatigue_rate and recovery_rate multiply F and R; the scenario's names body_mass, strength_factor, fatigue_rate_scale, recovery_rate_scale also work); percentile=5,sex=female instead of mass and height: stature and mass of US adults at that percentile, 5-95 (NHANES 2021-2023, docs/scenarios.md); the keys given replace the scenario's, the others are the scenario's subject's (else the model's reference)");
  run->add_option("--criterion", run_criterion, "activation2, activation3, stress2 or minmax")->check(CLI::IsMember(kCriteria));
  run->add_flag("--json", run_json, "Print the summary as one JSON object on stdout");
  bool run_brief = false;
  run->add_flag("--brief", run_brief, "Print the spinal loads, reserves and endurance only, without the muscle-group table");
  run->add_option("--threads", run_threads, "Threads (0 = all cores; at most 4 per core) for --no-fatigue runs, whose frames are solved in parallel; with fatigue the frames run in order on one thread. Results identical for every count")->capture_default_str()->check(thread_count_check());
  run->add_option("--precision", run_precision, "Storage of the per-frame fields: double (float64) or single (float32, with deflate about 43 % of the file: rounded_back_lift 4.9 vs 11.4 MB; time stays float64)")
      ->capture_default_str()->check(CLI::IsMember({"double", "single"}))->needs(run_out_opt);
  std::string run_compression = "deflate";
  run->add_option("--compression", run_compression, "Chunk compression: deflate (read by every HDF5 reader) or lz4 (several times faster to write, files ~15 % larger; h5py needs the HDF5 LZ4 plugin, Debian package hdf5-filter-plugin)")
      ->capture_default_str()->needs(run_out_opt);
  run->add_option("--write-every", run_storage.write_every,
                  "Write every N-th frame (and the last) to the results file; the run still simulates every frame at the "
                  "scenario's output_rate_hz, its time step, and its summary covers them all (lowering output_rate_hz instead "
                  "changes the results)")
      ->check(ps::cli::positive_number())->needs(run_out_opt);
  run->add_option("--fields", run_storage.fields, "Store only these fields or groups, comma-separated (e.g. joints,muscles/activation; default all)")
      ->delimiter(',')->needs(run_out_opt);
  std::string run_picture;
  run->add_option("--picture", run_picture, "Also draw the run into a picture (.svg, .png or .pdf) as `paraspine render` does by default: "
                                            "the peak compression, muscles coloured by activation (with or without -o)")
      ->check(ps::cli::non_empty_path());
  run->add_flag("--no-fatigue", run_no_fatigue, "Fresh muscles throughout, no creep: frames independent, solved in parallel with --threads");
  std::vector<std::string> run_joints;
  run->add_option("--joints", run_joints,
                  std::string(kJointsHelp) + " Default: L5-S1, L4-L5, the most loaded level and, when the scenario turns the head or neck, the most loaded cervical level")->delimiter(',')->type_name("LIST");
  run->footer("Examples:\n  paraspine run rounded_back_lift\n  paraspine run rounded_back_lift --picture stoop.png\n  paraspine run twisting_lift --no-fatigue --threads 0 -o twist.h5\n  paraspine run repetitive_lifting_shift -o shift.h5 --precision single --fields joints,muscles/activation\n  paraspine run repetitive_lifting_shift --set output_rate_hz=50 -o shift.h5 --precision single --compression lz4\n  paraspine run squat_lift -o squat.h5 --subject mass=70,height=1.75,sex=female --json\n  paraspine run squat_lift --motion trial3.csv --lowpass-hz 6 -o trial3.h5\n  paraspine run neck.yaml --joints C4-C5,C7-T1\n  paraspine run neck.yaml --joints cervical,L5-S1\n  paraspine run rounded_back_lift --set keyframes[2].hands.both.load_kg=12.5 --set keyframes[3].hands.both.load_kg=12.5 --set keyframes[4].hands.both.load_kg=12.5");

  auto* list = app.add_subcommand("list", "Bundled models and scenarios, one line each");
  list->footer("Examples:\n  paraspine list");

  auto* compare = app.add_subcommand("compare", "Summaries of results files side by side, with differences from the first");
  std::vector<std::string> compare_files;
  bool compare_json = false;
  compare->add_option("FILES", compare_files, "Results files (paraspine run -o)")->required()->expected(1, -1);
  compare->add_flag("--json", compare_json, "Print the summaries as one JSON array");
  std::vector<std::string> compare_joints;
  compare->add_option("--joints", compare_joints, std::string(kJointsHelp) + " Default: L5-S1, L4-L5 and each file's most loaded level")->delimiter(',')->type_name("LIST");
  compare->footer("Examples:\n  paraspine compare stoop.h5 squat.h5\n  paraspine compare neck0.h5 neck45.h5 --joints C4-C5,C7-T1\n"
                  "  paraspine compare neck0.h5 neck45.h5 --joints cervical");

  auto* sweep = app.add_subcommand("sweep", "Run a scenario over a grid of subject or scenario parameters, in parallel");
  std::string sweep_scenario, sweep_out, sweep_subject;
  std::vector<std::string> sweep_vary, sweep_sets;
  int sweep_threads = 0;
  bool sweep_json = false, sweep_no_fatigue = false;
  sweep->add_option("SCENARIO", sweep_scenario, "Scenario file or bundled scenario name")->required();
  sweep->add_option("--vary", sweep_vary, "PATH=START:STOP:N or PATH=V1,V2,...; PATH subject.mass|height|sex|strength|percentile or a scenario value (numbers, or words: subject.sex=male,female, criterion=activation2,minmax); an index list sets several (keyframes[2,3].hands.both.load_kg)")->required();
  sweep->add_option("--set", sweep_sets, "PATH=VALUE override of every grid point, repeatable, as run --set (e.g. positions=absolute)");
  sweep->add_option("--subject", sweep_subject, "The subject of every grid point, as run --subject (e.g. sex=female for a subject.percentile axis); subject axes change it");
  std::string sweep_motion;
  double sweep_lowpass_hz = 0;
  CLI::Option* sweep_motion_opt = sweep->add_option("--motion", sweep_motion, "Motion file (CSV, or OpenSim .mot/.sto) whose rows replace the scenario's keyframes, as run --motion");
  sweep->add_option("--lowpass-hz", sweep_lowpass_hz, "Low-pass cutoff of the --motion file, Hz, as run's")->check(ps::cli::positive_number())->needs(sweep_motion_opt);
  sweep->add_option("-o,--output", sweep_out, "HDF5 file with the grid and every point's summary")->check(ps::cli::non_empty_path());
  sweep->add_option("--threads", sweep_threads, "Threads (0 = all cores, the default)")->check(CLI::Range(0, 4096));
  sweep->add_flag("--json", sweep_json, "Print the axes and every point's summary as JSON");
  sweep->add_flag("--no-fatigue", sweep_no_fatigue, "Fresh muscles throughout, no creep, at every grid point (as run --no-fatigue)");
  std::string sweep_csv;
  sweep->add_option("--csv", sweep_csv, "Also write the table as CSV: the grid's values, then loads, shears, reserves, verdict, subject")
      ->check(ps::cli::non_empty_path());
  std::vector<std::string> sweep_joints;
  sweep->add_option("--joints", sweep_joints, std::string(kJointsHelp) + " The table shows their peak compressions, --csv also each level's time and shears. Default: L4-L5 and L5-S1")
      ->delimiter(',')->type_name("LIST");
  sweep->footer("Examples:\n  paraspine sweep squat_lift --vary subject.mass=50:110:7 --vary 'keyframes[2,3].hands.both.load_kg=2.5:12.5:5' -o sweep.h5\n"
                "  paraspine sweep neck.yaml --vary 'keyframes[1].regions_deg.cervical.flexion=0,15,30' --joints cervical --csv neck.csv");

  auto& validate = paraspine_cli::add_validate_command(app);
  const ps::cli::Verb render_verb = ps::cli::add_render_verb(app);
  const ps::cli::Verb report_verb = ps::cli::add_report_verb(app);
  const ps::cli::Verb batch_verb = ps::cli::add_batch_verb(app);

  // An unknown verb ('paraspine frobnicate') would read "A subcommand is required": name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::string verbs;
    bool known = false;
    for (const CLI::App* c : app.get_subcommands({})) {
      known = known || c->get_name() == argv[1];
      verbs += (verbs.empty() ? "" : ", ") + c->get_name();
    }
    if (!known) {
      std::cerr << "error: unknown command '" << argv[1] << "' (commands: " << verbs << "; paraspine --help)\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, as input errors do (CLI11's own codes
    // are 105-114). README "Exit codes".
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (*info) {
      // A results or sweep file: the model its run used, from the text the file stores.
      const ps::Model m = ps::is_hdf5_file(info_path)
                              ? ps::parse_model(ps::read_stored_model_text(info_path), info_path + " (model_text)")
                              : ps::load_model(ps::resolve_model_name(info_path, info_path, 0, ""));  // lists the bundled models when none matches
      const Eigen::MatrixXd strength = info_strength ? ps::neutral_joint_strength(m) : Eigen::MatrixXd();
      static const char* kSenses[6] = {"flexion", "extension", "right_lateral_bending", "left_lateral_bending", "right_axial_rotation",
                                       "left_axial_rotation"};
      if (info_json) {
        nlohmann::json j = ps::model_summary(m);
        if (info_strength) {
          j["strength_Nm"] = nlohmann::json::object();
          for (int k = 0; k < m.njoint; ++k)
            for (int c = 0; c < 6; ++c) j["strength_Nm"][m.joint_name[k]][kSenses[c]] = strength(k, c);
        }
        std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      } else {
        std::cout << ps::model_summary_text(m);
        if (info_strength) {
          fmt::print("\n  strength in neutral standing, N·m (every muscle acting that way fully active, the others silent, passive\n"
                     "  forces included: an upper bound, as a dynamometer sees with the rest of the body braced; sim/muscles/strength.h)\n");
          fmt::print("  {:<8} {:>9} {:>10} {:>11} {:>10} {:>11} {:>10}\n", "joint", "flexion", "extension", "right bend", "left bend",
                     "right turn", "left turn");
          for (int k = 0; k < m.njoint; ++k)
            fmt::print("  {:<8} {:>9.1f} {:>10.1f} {:>11.1f} {:>10.1f} {:>11.1f} {:>10.1f}\n", m.joint_name[k], strength(k, 0), strength(k, 1),
                       strength(k, 2), strength(k, 3), strength(k, 4), strength(k, 5));
        }
      }
      return 0;
    }
    if (*extract) {
      const std::string text = ps::read_stored_model_text(extract_path);
      if (extract_out.empty()) {
        std::cout << text << std::flush;
        return 0;
      }
      ps::check_output_path(extract_out, {extract_path});
      ps::write_file_in_place(extract_out, text, "model file");
      std::cerr << "model text of " << extract_path << " (" << text.size() << " bytes) written to " << extract_out << "\n";
      return 0;
    }
    if (*moments) {
      // --subject as run, sweep and batch take it; the older --mass-kg/--height-m/--sex still work,
      // but not beside it (one of the two would be dropped).
      ps::Subject subject;
      subject.body_mass = mass;
      subject.height = height;
      subject.sex = sex;
      if (!mom_subject.empty()) {
        if (mass != 0 || height != 0 || !sex.empty())
          throw ps::InputError("--subject", 0, "", "give the subject either with --subject or with --mass-kg/--height-m/--sex, not both");
        subject = parse_subject(mom_subject);
      }
      return run_moments(mom_path, angles, load_kg, subject, mom_json);
    }
    if (*schema) {
      std::cout << ps::hdf5_schema_markdown();
      return 0;
    }
    if (*list) return run_list();
    if (*sweep) return run_sweep_cmd(sweep_scenario, sweep_vary, sweep_sets, sweep_subject, sweep_motion, sweep_lowpass_hz, sweep_out, ps::usable_threads(sweep_threads), sweep_json, sweep_csv, sweep_joints, sweep_no_fatigue);
    if (*compare) return run_compare(compare_files, compare_json, compare_joints);
    if (*run) return run_run(run_scenario_name, run_out, run_model, run_subject, run_criterion, run_sets, run_motion, run_lowpass_hz, run_json, run_threads, run_no_fatigue,
                               [&] {
                               run_storage.single_precision = run_precision == "single";
                               run_storage.compression = ps::parse_compression(run_compression);
                               return run_storage;
                             }(),
                             run_brief, run_joints, run_picture);
    if (*validate.command) return paraspine_cli::run_validate_command(validate);
    if (*render_verb.command) return render_verb.run();
    if (*report_verb.command) return report_verb.run();
    if (*batch_verb.command) return batch_verb.run();
    if (*bench) {
      if (!bench_scenario.empty()) {
        if (bench->count("--motion") || bench->count("--seed"))
          throw std::invalid_argument("bench: --motion and --seed make a generated motion; --scenario solves the scenario's frames");
        return run_bench_scenario(bench_scenario, bench_sets, bench_subject, bench->count("--model") ? bench_model : std::string(),
                                  bench->count("--criterion") ? bench_criterion : std::string(), bench->count("--frames") ? bench_frames : 0,
                                  bench_json);
      }
      if (!bench_sets.empty() || !bench_subject.empty()) throw std::invalid_argument("bench: --set and --subject go with --scenario");
      return run_bench(bench_model, bench_frames, bench_criterion, bench_motion, bench_seed, bench_json);
    }
  } catch (const ps::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    // A value the command line gave that the engine refuses (--angle-deg, validate --case, render
    // --start/--end, a subject out of range): a usage error, exit 2 like every input error.
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

// The verbs' results on stdout (--json summaries, tables) must not be lost silently: a full disk or a
// file-size limit on a redirected stdout (SIGXFSZ is ignored, run_main) is an output error, exit 2.
int main(int argc, char** argv) {
  const int code = run_main(argc, argv);
  std::cout.flush();
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout) {
    std::fprintf(stderr, "error: writing to standard output failed (disk full or file-size limit?)\n");
    return code == 0 ? 2 : code;
  }
  return code;
}
