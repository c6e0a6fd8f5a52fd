// Scenarios, runs, results files and sweeps for Python. The run loop is the C++ one
// (sim/simulate/run.*): Python only records frames (into buffers that become numpy arrays without
// a copy) or lets the C++ writer stream them to HDF5. The GIL is released while the engine works;
// it is taken back a few times per second to report progress and notice Ctrl-C.
#include <omp.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>
#include <variant>

#include "sim/common/build_info.h"
#include "sim/common/data_dir.h"
#include "python/bindings/bindings.h"
#include "sim/simulate/threads.h"
#include "sim/common/error.h"
#include "sim/scenario/motion_file.h"
#include "sim/io/fields.h"
#include "sim/io/output_path.h"
#include "sim/io/results_reader.h"
#include "sim/io/results_writer.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/model/summary.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/run.h"
#include "sim/simulate/sweep.h"

namespace py = pybind11;
namespace ps = paraspine;

namespace {

py::object json_to_python(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }
nlohmann::json python_to_json(const py::handle& o) {
  return nlohmann::json::parse(py::module_::import("json").attr("dumps")(o).cast<std::string>());
}

const char* shape_name(ps::FieldShape s) {
  switch (s) {
    case ps::FieldShape::kJoint3: return "joint3";
    case ps::FieldShape::kJoint: return "joint";
    default: return "muscle";
  }
}

std::vector<py::ssize_t> field_shape(const ps::Model& m, ps::FieldShape s, py::ssize_t frames) {
  if (s == ps::FieldShape::kJoint3) return {frames, m.njoint, 3};
  if (s == ps::FieldShape::kJoint) return {frames, m.njoint};
  return {frames, m.nmuscle};
}

// A numpy array that owns the vector's buffer (moved, not copied); read-only, since results are
// records of a run.
py::array_t<double> adopt(std::vector<double>&& v, std::vector<py::ssize_t> shape) {
  auto* owned = new std::vector<double>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  py::array_t<double> a(shape, owned->data(), owner);
  a.attr("setflags")(py::arg("write") = false);
  return a;
}

// Frames the run loop will produce (run_scenario's FrameClock).
long frame_count(const ps::Scenario& s) { return ps::FrameClock(s).frames; }

// Raised inside the engine when a Python callback failed (or Ctrl-C); the Python error is kept in
// the thread state and re-raised once the GIL is back.
struct PythonErrorPending {};

// Calls `report(done, total, sim_time)` under the GIL at most ~10 times per second and checks for
// Ctrl-C; throws PythonErrorPending (with the Python error restored) when either raises.
class ProgressPump {
 public:
  ProgressPump(py::object report, long total) : report_(std::move(report)), total_(total) {}
  void frame(double t) {
    ++done_;
    if ((done_ & 31) != 0 && done_ != total_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && done_ != total_) return;
    last_ = now;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw PythonErrorPending{};
    if (report_.is_none()) return;
    try {
      report_(done_, total_, t);
    } catch (py::error_already_set& e) {
      e.restore();
      throw PythonErrorPending{};
    }
  }

 private:
  py::object report_;
  long total_, done_ = 0;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

ps::RunMetadata metadata(const ps::Model& m, const ps::Scenario& s, const std::string& criterion) {
  return {s.name, s.text, criterion, ps::subject_summary(m), s.motion_text, ""};  // no command line from Python
}

// Runs `s` on the (already scaled) model `m`. Records the fields whose paths are in `record`
// (all when None) in memory, and/or streams every frame to `output` with the CLI's writer.
// Returns (summary, time or None, {path: array}).
py::tuple simulate(const ps::Model& m, const ps::Scenario& s_in, const std::string& criterion, const std::string& output,
                   const std::optional<std::vector<std::string>>& record, py::object progress, int threads,
                   bool fatigue, const std::vector<std::string>& output_fields, bool single_precision,
                   const std::string& compression, long write_every) {
  ps::Scenario s = s_in;
  if (!criterion.empty()) s.criterion = criterion;
  ps::RunOptions opt;
  opt.loadsharing = ps::scenario_load_sharing(s);
  if (write_every > 1 && output.empty()) throw std::invalid_argument("write_every thins the frames written to `output`; give an output file");
  opt.write_every = write_every;
  if (threads < 1) throw std::invalid_argument("threads must be >= 1");
  opt.time_coupling = fatigue;  // false: fresh muscles, no creep, frames solved in parallel (run.h)

  const long total = frame_count(s);
  std::vector<int> fields;  // indices into kOutputFields recorded in memory
  bool record_time = true;
  if (!record) {
    for (size_t f = 0; f < ps::kOutputFields.size(); ++f) fields.push_back(static_cast<int>(f));
  } else {
    for (const auto& path : *record) {
      size_t f = 0;
      while (f < ps::kOutputFields.size() && path != ps::kOutputFields[f].path) ++f;
      if (f == ps::kOutputFields.size()) throw std::invalid_argument("unknown output field '" + path + "'");
      // Once each: a field recorded twice filled its buffer twice per frame, read back as wrong rows.
      if (std::find(fields.begin(), fields.end(), static_cast<int>(f)) == fields.end()) fields.push_back(static_cast<int>(f));
    }
    record_time = !fields.empty();
  }
  std::vector<double> time;
  std::vector<std::vector<double>> buffers(ps::kOutputFields.size());
  std::vector<int> width(ps::kOutputFields.size());
  for (size_t f = 0; f < ps::kOutputFields.size(); ++f) width[f] = ps::field_width(m, ps::kOutputFields[f].shape);
  if (record_time) time.reserve(total);
  for (int f : fields) buffers[f].reserve(static_cast<size_t>(total) * width[f]);

  ProgressPump pump(std::move(progress), total);
  opt.on_frame = [&](double t, const ps::Data& d) {
    if (record_time) time.push_back(t);
    for (int f : fields) {
      auto& b = buffers[f];
      const size_t at = b.size();
      b.resize(at + width[f]);
      ps::kOutputFields[f].get(m, d, b.data() + at);
    }
    pump.frame(t);
  };

  if (!output.empty()) ps::check_output_path(output, {s.file, m.file});  // a bad path fails now, not after the run
  nlohmann::json summary;
  bool python_error = false;
  {
    py::gil_scoped_release release;
    try {
      std::unique_ptr<ps::ResultsWriter> writer;
      if (!output.empty()) {
        ps::ResultsOptions storage;  // as `paraspine run -o --fields ... --precision ... --compression ...`
        storage.fields = output_fields;
        storage.single_precision = single_precision;
        storage.compression = ps::parse_compression(compression, "compression");
        writer = std::make_unique<ps::ResultsWriter>(output, m, metadata(m, s, s.criterion), storage);
      }
      opt.threads = ps::usable_threads(threads);  // as `paraspine run --threads` (run.h), capped alike
      summary = ps::run_scenario(m, s, opt, writer.get());
      if (writer) writer->finish(summary);
    } catch (const PythonErrorPending&) {
      python_error = true;  // the writer, if any, removed its partial file
    }
  }
  if (python_error) throw py::error_already_set();

  const auto frames = static_cast<py::ssize_t>(time.size());
  py::dict arrays;
  for (int f : fields)
    arrays[ps::kOutputFields[f].path] = adopt(std::move(buffers[f]), field_shape(m, ps::kOutputFields[f].shape, frames));
  py::object t = record_time ? py::object(adopt(std::move(time), {frames})) : py::none();
  return py::make_tuple(json_to_python(summary), t, arrays);
}

// Writes recorded frames with the CLI's writer, so the file is schema v1 exactly as `run -o` makes it.
void write_results(const std::string& path, const ps::Model& m, const ps::Scenario& s, const std::string& criterion,
                   const py::object& summary, py::array_t<double, py::array::c_style | py::array::forcecast> time,
                   const std::vector<py::array_t<double, py::array::c_style | py::array::forcecast>>& values) {
  if (values.size() != ps::kOutputFields.size())
    throw std::invalid_argument("write_results needs every output field (" + std::to_string(ps::kOutputFields.size()) + ")");
  ps::check_output_path(path, {s.file, m.file});  // a folder or a missing one said as such, inputs never replaced
  const long frames = static_cast<long>(time.size());
  for (size_t f = 0; f < values.size(); ++f)
    if (values[f].size() != frames * ps::field_width(m, ps::kOutputFields[f].shape))
      throw std::invalid_argument(std::string("field ") + ps::kOutputFields[f].path + " has the wrong size for this model");
  const nlohmann::json j = python_to_json(summary);
  std::vector<const double*> base(values.size());
  for (size_t f = 0; f < values.size(); ++f) base[f] = values[f].data();
  const double* t = time.data();
  py::gil_scoped_release release;
  ps::ResultsWriter writer(path, m, metadata(m, s, criterion));
  std::vector<const double*> row(values.size());
  for (long k = 0; k < frames; ++k) {
    for (size_t f = 0; f < values.size(); ++f) row[f] = base[f] + static_cast<size_t>(k) * ps::field_width(m, ps::kOutputFields[f].shape);
    writer.append_values(t[k], row.data());
  }
  writer.finish(j);
}

// The sweep's progress is a plain function pointer called on the calling (OpenMP master) thread;
// one sweep at a time carries a Python callback. It also notices Ctrl-C: a pending signal or an
// exception from the callback stops the sweep (run_sweep skips the points not started) and is
// raised when it returns.
std::mutex g_sweep_mutex;
py::object* g_sweep_report = nullptr;
std::optional<py::error_already_set> g_sweep_error;
bool sweep_progress(double fraction) {
  py::gil_scoped_acquire gil;
  try {
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (g_sweep_report) (*g_sweep_report)(fraction);
  } catch (py::error_already_set& e) {
    if (!g_sweep_error) g_sweep_error = std::move(e);
    return false;
  }
  return true;
}

// A sweep axis from Python: (path, numbers) or (path, words) — a categorical axis (subject.sex,
// criterion), as `paraspine sweep --vary subject.sex=male,female` reads it.
using PyAxis = std::pair<std::string, std::variant<std::vector<double>, std::vector<std::string>>>;

ps::SweepAxis to_sweep_axis(const PyAxis& in) {
  ps::SweepAxis a;
  a.path = ps::canonical_sweep_path(in.first);
  if (const auto* numbers = std::get_if<std::vector<double>>(&in.second)) {
    a.values = *numbers;
  } else {
    a.labels = std::get<std::vector<std::string>>(in.second);
    for (size_t k = 0; k < a.labels.size(); ++k) a.values.push_back(static_cast<double>(k));
  }
  if (a.values.empty()) throw std::invalid_argument("sweep axis '" + in.first + "' has no values");
  for (double v : a.values)
    if (!std::isfinite(v)) throw std::invalid_argument("sweep axis '" + in.first + "' has a value that is not finite");
  return a;
}

py::list sweep(const ps::Scenario& s, const std::vector<PyAxis>& axes_in, const std::optional<ps::Subject>& subject, int threads,
               py::object progress, bool fatigue) {
  if (threads < 1) throw std::invalid_argument("threads must be >= 1");
  std::vector<ps::SweepAxis> axes;
  for (const auto& in : axes_in) axes.push_back(to_sweep_axis(in));
  ps::resolve_model_name(s.model, s.file, s.model_line, "model");  // a missing model named at its line
  // Before any grid point runs, with the CLI's messages, named by the Python argument (`vary`, where
  // the CLI's say `--vary`): a grid too large first, as `paraspine sweep`, then every value.
  ps::sweep_point_count(axes, "vary");
  ps::Scenario base = s;
  // Unset values: the scenario's; a sex axis gives each point its sex (a percentile needs none of its own).
  if (subject) base.subject = ps::merge_subject(ps::with_sex_from_axis(base.subject.value_or(ps::Subject{}), axes), *subject);
  ps::check_sweep_axes(base, axes, "vary");  // with the merged subject: a subject.percentile axis needs its sex
  ps::SweepResult r;
  {
    // Wait for another Python thread's sweep without holding the GIL (its progress needs it).
    std::unique_lock<std::mutex> lock(g_sweep_mutex, std::defer_lock);
    {
      py::gil_scoped_release release;
      lock.lock();
    }
    g_sweep_report = progress.is_none() ? nullptr : &progress;
    g_sweep_error.reset();
    // The stored Python error never outlives this call (its destructor needs the interpreter).
    struct ClearError {
      ~ClearError() { g_sweep_error.reset(); }
    } clear_error;
    try {
      py::gil_scoped_release release;
      r = ps::run_sweep(base, axes, ps::usable_threads(threads), sweep_progress, "vary", fatigue);
    } catch (const ps::SweepStopped&) {
      g_sweep_report = nullptr;
      std::optional<py::error_already_set> e = std::move(g_sweep_error);
      g_sweep_error.reset();
      if (e) throw std::move(*e);
      throw;
    } catch (const ps::InputError&) {
      g_sweep_report = nullptr;
      throw;
    } catch (const std::runtime_error& e) {
      // A grid point's bad input (a load or subject out of range), reported by run_sweep as
      // "sweep: FILE:LINE: FIELD: message" — the CLI's text, raised as a ValueError.
      g_sweep_report = nullptr;
      throw py::value_error(e.what());
    } catch (...) {
      g_sweep_report = nullptr;
      throw;
    }
    g_sweep_report = nullptr;
  }
  py::list out;
  for (const auto& j : r.summaries) out.append(json_to_python(j));
  return out;
}

void write_sweep(const std::string& path, const ps::Scenario& s, const std::vector<PyAxis>& axes, const py::list& summaries) {
  ps::SweepResult r;
  for (const auto& a : axes) r.axes.push_back(to_sweep_axis(a));
  for (const auto& o : summaries) r.summaries.push_back(python_to_json(o));
  ps::check_output_path(path, {s.file});
  py::gil_scoped_release release;
  ps::write_sweep(path, s, r);
}

}  // namespace

void bind_simulate(py::module_& mod) {
  mod.def("_is_time_column", &ps::is_time_column, py::arg("name"),
          "Whether a motion column heading is the time column ('time', 'Time (s)', 'time_ms', ...).");
  py::class_<ps::Scenario>(mod, "Scenario", "A scenario: postures, hand loads and timing (docs/scenarios.md).")
      .def_static("_load", &ps::load_scenario, py::arg("name_or_path"))
      .def_static("_parse", &ps::parse_scenario, py::arg("text"), py::arg("file"))
      // A motion given as text (a DataFrame written as CSV, or the text a scenario read and keeps):
      // `motion.file` is not looked up; errors about the motion name `motion_source`.
      .def_static("_parse_with_motion", &ps::parse_scenario_with_motion, py::arg("text"), py::arg("file"),
                  py::arg("motion_text"), py::arg("motion_source"))
      .def_static("_resolve_path", &ps::resolve_scenario_path, py::arg("name_or_path"))
      .def_static("_with_motion_entry", &ps::with_motion_entry, py::arg("text"), py::arg("file"), py::arg("motion_file"),
                  py::arg("lowpass_hz"), py::arg("option"))
      .def("_with_overrides",
           [](const ps::Scenario& s, const std::vector<std::string>& sets, const std::string& file) {
             // Errors name Python's argument, `overrides:`, not the CLI's `--set:` (as sweep's say `vary:`).
             const std::string text = ps::apply_overrides(s.text, s.file, sets, "overrides");
             // A scenario with a motion keeps the rows it read (a DataFrame's have no file to read
             // again; a file's may have changed since), unless an override names another file.
             const bool other_file = std::any_of(sets.begin(), sets.end(), [](const std::string& set) {
               return set.rfind("motion.file", 0) == 0 || set.rfind("motion=", 0) == 0;
             });
             return s.motion_text.empty() || other_file ? ps::parse_scenario(text, file)
                                                        : ps::parse_scenario_with_motion(text, file, s.motion_text, s.motion_file);
           }, py::arg("sets"), py::arg("file"))
      .def_readonly("name", &ps::Scenario::name, "Scenario name.")
      .def_readonly("description", &ps::Scenario::description, "What the scenario represents.")
      .def_readonly("file", &ps::Scenario::file, "The file it was read from ('<from_dict>' for dicts).")
      .def_readonly("text", &ps::Scenario::text, "The full YAML text (overrides applied).")
      .def_readonly("motion_file", &ps::Scenario::motion_file,
                    "The motion file (CSV) its keyframes come from, as resolved; '' without one (docs/scenarios.md).")
      .def_readonly("motion_text", &ps::Scenario::motion_text, "That motion file's text as read; '' without one.")
      .def_readonly("model", &ps::Scenario::model, "Model name or path the scenario asks for.")
      .def("_model_path", [](const ps::Scenario& s) { return ps::resolve_model_name(s.model, s.file, s.model_line, "model"); },
           "The scenario's model file; InputError at the `model:` line when there is none.")
      .def_readonly("subject", &ps::Scenario::subject, "The scenario's Subject, or None (the model's reference).")
      .def_readonly("criterion", &ps::Scenario::criterion, "Load-sharing criterion.")
      .def_readonly("solver_tolerance", &ps::Scenario::solver_tolerance,
                    "Load sharing's relative equilibrium tolerance (scenario key solver_tolerance; default 1e-10).")
      .def_readonly("abdominal_pressure", &ps::Scenario::abdominal_pressure,
                    "Whether the model's intra-abdominal pressure is used (docs/mechanics.md).")
      .def_readonly("positions", &ps::Scenario::positions,
                    "'scaled' (lengths written for the model's reference subject, scaled with the subject's height) or 'absolute'.")
      .def_readonly("output_rate_hz", &ps::Scenario::output_rate_hz, "Frames per second.")
      .def_readonly("repetitions", &ps::Scenario::repetitions, "How many times the cycle runs.")
      .def_readonly("rest_s", &ps::Scenario::rest_s, "Rest between repetitions, s.")
      .def_readonly("break_every", &ps::Scenario::break_every, "A longer break after every n-th repetition (0 = none).")
      .def_readonly("break_s", &ps::Scenario::break_s, "Length of those breaks, s.")
      .def_property_readonly("cycle_s", &ps::Scenario::cycle_s, "Length of one cycle, s.")
      .def_property_readonly("duration_s", [](const ps::Scenario& s) { return s.duration_s() > 0 ? s.duration_s() : s.cycle_s(); },
                             "Length of the whole run, s.")
      .def_property_readonly("frames", &frame_count, "Frames a run produces.")
      .def_property_readonly("nkeyframes", [](const ps::Scenario& s) { return s.keyframes.size(); }, "Keyframes in one cycle.")
      .def("__repr__", [](const ps::Scenario& s) {
        return "<paraspine.Scenario '" + s.name + "': " + std::to_string(s.keyframes.size()) + " keyframes, " +
               std::to_string(s.repetitions) + " repetition(s), " +
               std::to_string(static_cast<long>(std::lround(s.duration_s() > 0 ? s.duration_s() : s.cycle_s()))) + " s>";
      });

  mod.def("_output_fields", [] {
    py::list out;
    for (const auto& f : ps::kOutputFields) {
      py::dict d;
      d["path"] = f.path;
      d["unit"] = f.unit;
      d["shape"] = shape_name(f.shape);
      d["description"] = f.description;
      out.append(d);
    }
    return out;
  });
  mod.def("_simulate", &simulate, py::arg("model"), py::arg("scenario"), py::arg("criterion"), py::arg("output"),
          py::arg("record"), py::arg("progress"), py::arg("threads"), py::arg("fatigue") = true,
          py::arg("output_fields") = std::vector<std::string>{}, py::arg("single_precision") = false,
          py::arg("compression") = "deflate", py::arg("write_every") = 1);
  mod.def("_write_results", &write_results, py::arg("path"), py::arg("model"), py::arg("scenario"), py::arg("criterion"),
          py::arg("summary"), py::arg("time"), py::arg("values"));
  mod.def("_read_results_info", [](const std::string& path) {
    const ps::ResultsFileInfo i = ps::read_results_info(path);
    py::dict d;
    d["schema_version"] = i.schema_version;
    d["scenario"] = i.scenario;
    d["model"] = i.model;
    d["criterion"] = i.criterion;
    d["created"] = i.created;
    d["summary"] = json_to_python(i.summary);
    return d;
  }, py::arg("path"));
  // Where a results file's recorded model file is now (results_reader.h), the rule render and report use.
  mod.def("_find_recorded_model_file", &ps::find_recorded_model_file, py::arg("results_path"), py::arg("model_file"),
          py::arg("model_digest"));
  mod.def("_check_output_path", [](const std::string& path, const std::vector<std::string>& inputs) {
    ps::check_output_path(path, inputs);
  }, py::arg("path"), py::arg("inputs"));
  // The CLI's -o name check (output_path.h): InputError for a text name, else a warning ("" if none).
  mod.def("_check_results_name", &ps::check_results_name, py::arg("path"), py::arg("option"), py::arg("hint"));
  mod.def("_sweep", &sweep, py::arg("scenario"), py::arg("axes"), py::arg("subject"), py::arg("threads"), py::arg("progress"),
          py::arg("fatigue") = true);
  mod.def("_sweep_axis_unit", &ps::sweep_axis_unit, py::arg("path"));  // the sweep file's /grid/<i> units
  mod.def("_canonical_sweep_path", &ps::canonical_sweep_path, py::arg("path"));  // subject.fatigue_rate → _scale
  mod.def("_write_sweep", &write_sweep, py::arg("path"), py::arg("scenario"), py::arg("axes"), py::arg("summaries"));
  // overrides= and vary= naming one path (the core's rule, as `paraspine sweep --set --vary`).
  mod.def("_check_not_set_and_varied", [](const std::vector<std::string>& sets, const std::vector<std::string>& axis_paths) {
    ps::check_not_set_and_varied(sets, axis_paths, "overrides", "vary");
  }, py::arg("sets"), py::arg("axis_paths"));
  mod.def("_parse_sweep_axis", [](const std::string& spec) {
    const ps::SweepAxis a = ps::parse_sweep_axis(spec, "vary");  // a 'START:STOP:N' value of sweep(vary=...)
    return a.categorical() ? py::make_tuple(a.path, a.labels) : py::make_tuple(a.path, a.values);
  }, py::arg("spec"));
  mod.attr("SCHEMA_VERSION") = ps::kSchemaVersion;
  mod.attr("BUILD_COMMIT") = ps::build_commit();  // the git commit built from (sim/common/build_info.h)
  mod.def("_set_installed_data_root", &ps::set_installed_data_root, py::arg("root"));
  mod.attr("VERSION") = PARASPINE_VERSION;  // the project's version (CMake), as `paraspine --version`
}
