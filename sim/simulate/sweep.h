#pragma once
// Sweeps: a scenario over a grid of parameters, in parallel (OpenMP over grid points; each point
// scales its own model and owns its own Data, the base model is shared read-only).
// An axis varies a subject parameter (subject.mass, subject.height, subject.strength) or any
// existing scenario value (a --set path, e.g. keyframes[2].hands.both.load_kg), or several at once
// through an index list (keyframes[2,3].hands.both.load_kg: sweep_axis_paths in scenario.h).
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/model/model.h"
#include "sim/scenario/scenario.h"

namespace paraspine {


// `option` in the functions below is the argument the axes came from, as the caller's user wrote it
// ("--vary" on the command line, "vary" in Python): errors name it, and a scenario value a grid
// point refuses is noted " (with OPTION)".

// "PATH=START:STOP:N" (N evenly spaced values, ends included) or "PATH=V1,V2,..."; a list with a
// value that is not a number is categorical (its words are the labels), and subject.sex always is;
// the other subject axes take numbers only. Throws InputError naming the argument when malformed.
// A subject axis under the name the command line's --subject gives it (subject.fatigue_rate,
// subject.recovery_rate) as the scenario's key (subject.fatigue_rate_scale, ...): one grid, one name
// (audit23 #8: --subject fatigue_rate=1.5 worked, --vary subject.fatigue_rate=... was refused).
std::string canonical_sweep_path(const std::string& path);
SweepAxis parse_sweep_axis(const std::string& spec, const std::string& option = "--vary");

// A subject read before a subject.sex axis gives each point its sex (--subject percentile=50,
// Python's subject=): without a sex of its own it takes the axis's first word, so a percentile can
// be read while the subject is parsed or merged; every grid point then sets its own.
Subject with_sex_from_axis(Subject s, const std::vector<SweepAxis>& axes);

// The number of grid points (the product of the axes' sizes); an InputError naming `option` when it
// exceeds kMaxSweepPoints (each point is a whole run; the product would also overflow a long).
inline constexpr long kMaxSweepPoints = 1000000;
long sweep_point_count(const std::vector<SweepAxis>& axes, const std::string& option = "--vary");

// Grid point p's value on each axis: row-major, the last axis varying fastest (the order of the
// summaries, the sweep file, --csv and --json).
std::vector<double> sweep_point_values(const std::vector<SweepAxis>& axes, long p);
// The same as the grid point runs them (SweepAxis::text): a categorical axis's label, a number's shortest text.
std::vector<std::string> sweep_point_texts(const std::vector<SweepAxis>& axes, long p);
// Grid point p's index on each axis (row-major).
std::vector<long> sweep_point_index(const std::vector<SweepAxis>& axes, long p);

// The unit of an axis's values, for the sweep file's /grid/<i> `units`: subject.mass kg,
// subject.height m, the subject's factors 1; a scenario path by its key's unit suffix (load_kg kg,
// time s, output_rate_hz Hz, force_N N, angles under regions_deg/pelvis_deg deg, positions m);
// "" when the key names none.
std::string sweep_axis_unit(const std::string& path);

struct SweepResult {
  std::vector<SweepAxis> axes;
  std::vector<nlohmann::json> summaries;  // one per grid point, row-major over the axes
};

// `progress(fraction done)` is called on the calling thread after its grid points; returning false
// stops the sweep: points not yet started are skipped, those running finish, and SweepStopped is
// thrown (Python's Ctrl-C, or a progress callback that raised).
struct SweepStopped : std::runtime_error {
  SweepStopped() : std::runtime_error("sweep stopped") {}
};
// `fatigue` false: every point with fresh muscles, no creep (run --no-fatigue); its summaries say so.
SweepResult run_sweep(const Scenario& base, const std::vector<SweepAxis>& axes, int threads,
                      bool (*progress)(double) = nullptr, const std::string& option = "--vary", bool fatigue = true);

// The same sweep without keeping the summaries: `on_point(point, summary)` gets each grid point's
// summary as the point completes (in completion order, one call at a time, on any thread), so a
// caller can write it out and memory does not grow with the number of points.
// `model`: the scenario's model as already loaded (the CLI loads it once for this and the sweep file,
// so the file records the text the grid ran); nullptr loads base.model here.
void run_sweep_each(const Scenario& base, const std::vector<SweepAxis>& axes, int threads, bool (*progress)(double),
                    const std::function<void(long, const nlohmann::json&)>& on_point,
                    const std::string& option = "--vary", const Model* model = nullptr, bool fatigue = true);

// The sweep file, written point by point: created as PATH.partial with the grid, each add() writes
// one point's values and summary, finish() renames it into place (a writer destroyed unfinished
// removes the partial file).
class SweepWriter {
 public:
  // command_line: recorded as the root attribute of that name when given (the CLI's, as run -o records it).
  // `model`: the model the grid runs (its name, file, digest and text are recorded).
  SweepWriter(const std::string& path, const Scenario& base, const std::vector<SweepAxis>& axes, const Model& model,
              const std::string& command_line = "");
  ~SweepWriter();
  // Points may come in any order (as they finish); they are written in grid order.
  void add(long point, const nlohmann::json& summary);
  void finish();

 private:
  void write_point(long point, const nlohmann::json& summary);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One HDF5 file (written as .partial, renamed when complete; layout in docs/hdf5-schema.md, "Sweep
// files"): root attributes paraspine_version, schema_version, kind = "sweep", model, model_file,
// scenario, scenario_text, criterion, created; /grid/<i> axis values with `path` and `units`
// attributes; /summary/<joint>/peak_compression_N etc. shaped like the grid; /reserves/peak_Nm,
// /endurance_s (NaN when the task never fails); /summaries, shaped like the grid, every point's
// summary as JSON text.
void write_sweep(const std::string& path, const Scenario& base, const SweepResult& r);

}  // namespace paraspine
