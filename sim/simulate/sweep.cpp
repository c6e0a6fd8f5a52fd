#include "sim/common/build_info.h"
#include "sim/io/hdf5_attributes.h"
#include "sim/io/hdf5_close.h"
#include "sim/simulate/sweep.h"
#include "sim/simulate/threads.h"

#include <fmt/format.h>
#include <hdf5.h>
#include <omp.h>

#include <atomic>
#include <cmath>
#include <ctime>
#include <map>
#include <filesystem>
#include <limits>

#include "sim/common/error.h"
#include "sim/common/parse_number.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/io/results_writer.h"
#include "sim/simulate/run.h"

namespace paraspine {

std::string canonical_sweep_path(const std::string& path) {
  if (path == "subject.fatigue_rate") return "subject.fatigue_rate_scale";
  if (path == "subject.recovery_rate") return "subject.recovery_rate_scale";
  return path;
}

SweepAxis parse_sweep_axis(const std::string& spec, const std::string& option) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) throw InputError(option, 0, spec, "expected PATH=START:STOP:N or PATH=V1,V2,...");
  SweepAxis a;
  a.path = canonical_sweep_path(spec.substr(0, eq));
  const std::string v = spec.substr(eq + 1);
  auto number = [&](const std::string& s) {
    double x = 0;
    if (!parse_number(s, x) || !std::isfinite(x)) throw InputError(option, 0, spec, "'" + s + "' is not a number");
    return x;
  };
  if (v.find(':') != std::string::npos) {
    const auto c1 = v.find(':'), c2 = v.find(':', c1 + 1);
    if (c2 == std::string::npos) throw InputError(option, 0, spec, "expected START:STOP:N");
    const double a0 = number(v.substr(0, c1)), a1 = number(v.substr(c1 + 1, c2 - c1 - 1));
    const double nd = number(v.substr(c2 + 1));
    if (nd < 1 || nd != std::floor(nd) || nd > 10000) throw InputError(option, 0, spec, "N must be a whole number 1–10000");
    const int n = static_cast<int>(nd);
    // N counts the points from START to STOP, both included: N = 1 with STOP ≠ START would silently
    // drop STOP (a user reading N as a step).
    if (n == 1 && a1 != a0)
      throw InputError(option, 0, spec, "N is the number of points from START to STOP, both included: 1 point cannot reach STOP (give N ≥ 2, or one value)");
    // The points between START and STOP rounded to 15 significant digits, the decimal the user meant:
    // 0.3:1.0:8's fourth point is 0.4, not 0.39999999999999997, which a CSV filter `== 0.4` missed
    // (audit26d #7); the change is at most half a unit of the 15th digit. START and STOP stay as
    // typed, and a grid so narrow that rounding would merge points keeps its unrounded points.
    for (int k = 0; k < n; ++k) a.values.push_back(n == 1 ? a0 : a0 + (a1 - a0) * k / (n - 1));
    if (n > 1) a.values.back() = a1;
    std::vector<double> rounded = a.values;
    for (int k = 1; k + 1 < n; ++k) parse_number(fmt::format("{:.15g}", a.values[k]), rounded[k]);
    bool distinct = true;
    for (int k = 1; k < n; ++k) distinct = distinct && rounded[k] != rounded[k - 1];
    if (distinct) a.values = rounded;
  } else {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= v.size()) {
      const auto comma = v.find(',', start);
      std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const auto first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
      item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
      if (item.empty()) throw InputError(option, 0, spec, "an empty value in the list");
      items.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    // Words make a categorical axis, except on the subject's numeric keys, where a word is a typo.
    bool numbers = a.path != "subject.sex";
    for (const auto& item : items) {
      double x = 0;
      numbers = numbers && parse_number(item, x) && std::isfinite(x);
    }
    const bool numeric_subject_key = a.path.rfind("subject.", 0) == 0 && a.path != "subject.sex";
    for (size_t k = 0; k < items.size(); ++k) {
      if (numbers || numeric_subject_key) {
        a.values.push_back(number(items[k]));
      } else {
        a.values.push_back(static_cast<double>(k));
        a.labels.push_back(items[k]);
      }
    }
  }
  if (a.path == "subject.sex" && !a.categorical()) throw InputError(option, 0, spec, "expected male and/or female, not START:STOP:N");
  return a;
}

Subject with_sex_from_axis(Subject s, const std::vector<SweepAxis>& axes) {
  for (const auto& a : axes)
    if (a.path == "subject.sex" && a.categorical() && s.sex.empty()) s.sex = a.labels.front();
  return s;
}

long sweep_point_count(const std::vector<SweepAxis>& axes, const std::string& option) {
  long points = 1;
  std::string spec;
  for (const auto& a : axes) {
    spec += (spec.empty() ? "" : " × ") + std::to_string(a.values.size()) + " (" + a.path + ")";
    const long n = static_cast<long>(a.values.size());
    if (n > 0 && points > kMaxSweepPoints / n)
      throw InputError(option, 0, "", "the grid has more than " + std::to_string(kMaxSweepPoints) + " points (" + spec +
                                            (&a == &axes.back() ? "" : " × ...") + "): each point is a whole run; vary fewer values");
    points *= n;
  }
  return points;
}

std::vector<long> sweep_point_index(const std::vector<SweepAxis>& axes, long p) {
  std::vector<long> index(axes.size());
  for (int ax = static_cast<int>(axes.size()) - 1; ax >= 0; --ax) {
    const long n = static_cast<long>(axes[ax].values.size());
    index[static_cast<size_t>(ax)] = p % n;
    p /= n;
  }
  return index;
}

std::vector<double> sweep_point_values(const std::vector<SweepAxis>& axes, long p) {
  const std::vector<long> index = sweep_point_index(axes, p);
  std::vector<double> values(axes.size());
  for (size_t ax = 0; ax < axes.size(); ++ax) values[ax] = axes[ax].values[static_cast<size_t>(index[ax])];
  return values;
}

std::vector<std::string> sweep_point_texts(const std::vector<SweepAxis>& axes, long p) {
  const std::vector<long> index = sweep_point_index(axes, p);
  std::vector<std::string> texts(axes.size());
  for (size_t ax = 0; ax < axes.size(); ++ax) texts[ax] = axes[ax].text(static_cast<size_t>(index[ax]));
  return texts;
}

namespace {

// Grid point p (row-major over the axes): the subject and the --set overrides it runs with, and
// how it reads ("subject.height=1.4, keyframes[2].hands.both.load_kg=10").
struct GridPoint {
  Subject subject;
  std::vector<std::string> sets;
  std::string label;
};

GridPoint grid_point(const Scenario& base, const std::vector<SweepAxis>& axes, long p, const std::string& option) {
  GridPoint g;
  g.subject = base.subject.value_or(Subject{});
  const std::vector<double> values = sweep_point_values(axes, p);
  const std::vector<std::string> texts = sweep_point_texts(axes, p);
  std::vector<std::string> parts(axes.size());
  for (int ax = static_cast<int>(axes.size()) - 1; ax >= 0; --ax) {
    const double v = values[static_cast<size_t>(ax)];
    const std::string& path = axes[ax].path;
    const std::string& text = texts[static_cast<size_t>(ax)];
    parts[ax] = path + "=" + text;
    // A measured mass or height ends a percentile subject's percentile (merge_subject's rule).
    if (path == "subject.sex") g.subject.sex = text;  // a percentile is read again in this sex's column below
    else if (path == "subject.mass" || path == "subject.body_mass") g.subject.body_mass = v, g.subject.percentile = 0;
    else if (path == "subject.height") g.subject.height = v, g.subject.percentile = 0;
    else if (path == "subject.percentile") g.subject.percentile = v;
    else if (path == "subject.strength" || path == "subject.strength_factor") g.subject.strength_factor = v;
    else if (path == "subject.fatigue_rate_scale") g.subject.fatigue_rate_scale = v;
    else if (path == "subject.recovery_rate_scale") g.subject.recovery_rate_scale = v;
    else
      for (const std::string& one : sweep_axis_paths(path, option)) g.sets.push_back(one + "=" + text);
  }
  for (const auto& part : parts) g.label += (g.label.empty() ? "" : ", ") + part;
  apply_percentile(g.subject);  // the table's height and mass at this point's percentile
  return g;
}

Scenario grid_scenario(const Scenario& base, const GridPoint& g, const std::string& option) {
  return g.sets.empty() ? base
                        : parse_scenario_noted(apply_overrides(base.text, base.file, g.sets, option), base.file, " (with " + option + ")");
}

// The error `e` of grid point `g`, naming the point; an InputError keeps its file, line and field.
// `others`: what to add about the other grid points that cannot run ("" when none).
[[noreturn]] void rethrow_at_point(const std::exception_ptr& e, const GridPoint& g, const std::string& others = "") {
  try {
    std::rethrow_exception(e);
  } catch (const InputError& x) {
    const std::string head = x.file() + (x.line() > 0 ? ":" + std::to_string(x.line()) : "") + ": " +
                             (x.field().empty() ? "" : x.field() + ": ");
    const std::string what = x.what();
    throw InputError(x.file(), x.line(), x.field(),
                     "at grid point " + g.label + ": " + (what.rfind(head, 0) == 0 ? what.substr(head.size()) : what) + others);
  } catch (const std::exception& x) {
    throw std::runtime_error("at grid point " + g.label + ": " + x.what() + others);
  }
}

}  // namespace

SweepResult run_sweep(const Scenario& base, const std::vector<SweepAxis>& axes, int threads, bool (*progress)(double),
                      const std::string& option, bool fatigue) {
  SweepResult r;
  r.axes = axes;
  r.summaries.resize(sweep_point_count(axes, option));
  run_sweep_each(base, axes, threads, progress, [&](long p, const nlohmann::json& j) { r.summaries[p] = j; }, option, nullptr,
                 fatigue);
  return r;
}

void run_sweep_each(const Scenario& base, const std::vector<SweepAxis>& axes, int threads, bool (*progress)(double),
                    const std::function<void(long, const nlohmann::json&)>& on_point, const std::string& option,
                    const Model* model, bool fatigue) {
  const long points = sweep_point_count(axes, option);
  const Model model0 = model ? *model : load_model(base.model);
  // Check every scenario override once, serially, so errors surface before any work.
  std::vector<std::string> first_sets;
  for (const auto& a : axes)
    if (a.path.rfind("subject.", 0) != 0)
      for (const std::string& one : sweep_axis_paths(a.path, option)) first_sets.push_back(one + "=" + a.text(0));
  if (!first_sets.empty())
    parse_scenario_noted(apply_overrides(base.text, base.file, first_sets, option), base.file, " (with " + option + ")");

  // Every grid point checked against its own scaled model (posture ranges, hand reach, balance,
  // fatigue groups: what run_scenario checks before its first frame) before the first point runs,
  // so a height whose arms cannot reach a keyframe's grip is refused at once, named, instead of
  // after the points before it ran. Cheap beside a run: no frame is solved.
  {
    // Every point is checked, so the error can say how many cannot run and which (audit24s #2: a
    // population grid named its first infeasible point only, and the user bisected for the rest).
    std::vector<std::exception_ptr> problem(static_cast<size_t>(points));
    std::atomic<long> first_bad{std::numeric_limits<long>::max()};
#pragma omp parallel for schedule(dynamic) num_threads(capped_threads(threads))
    for (long p = 0; p < points; ++p) {
      try {
        const GridPoint g = grid_point(base, axes, p, option);
        const Scenario sc = grid_scenario(base, g, option);
        const Model m = scale_model(model0, g.subject);
        bind_scenario(sc, m);
        scenario_fatigue_parameters(sc, m);
      } catch (...) {
        problem[static_cast<size_t>(p)] = std::current_exception();
        long seen = first_bad.load();
        while (p < seen && !first_bad.compare_exchange_weak(seen, p)) {
        }
      }
    }
    const long bad = first_bad.load();
    if (bad < points) {
      std::vector<long> rest;
      for (long p = bad + 1; p < points; ++p)
        if (problem[static_cast<size_t>(p)]) rest.push_back(p);
      std::string others;
      if (!rest.empty()) {
        others = fmt::format("\n  {} of the {} grid points cannot run; the others:", rest.size() + 1, points);
        const size_t shown = std::min<size_t>(rest.size(), 20);
        for (size_t k = 0; k < shown; ++k) others += "\n    " + grid_point(base, axes, rest[k], option).label;
        if (rest.size() > shown) others += fmt::format("\n    … and {} more", rest.size() - shown);
      }
      rethrow_at_point(problem[static_cast<size_t>(bad)], grid_point(base, axes, bad, option), others);
    }
  }

  std::atomic<long> done{0};
  std::atomic<bool> stop{false}, failed{false};
  bool reported_all = false;  // the calling thread already said 1.0
  std::string error;
  std::exception_ptr output_failure;  // on_point's (the sweep file's) error, rethrown as it is
#pragma omp parallel for schedule(dynamic) num_threads(capped_threads(threads))
  for (long p = 0; p < points; ++p) {
    // After a failure the sweep's result is discarded: the points not started are not run.
    if (stop.load(std::memory_order_relaxed) || failed.load(std::memory_order_relaxed)) continue;
    const GridPoint g = grid_point(base, axes, p, option);
    try {
      const Scenario sc = grid_scenario(base, g, option);
      const Model m = scale_model(model0, g.subject);
      RunOptions opt;
      opt.loadsharing = scenario_load_sharing(sc);
      opt.time_coupling = fatigue;
      const nlohmann::json summary = run_scenario(m, sc, opt, nullptr);
      // No exception may leave the critical section.
#pragma omp critical(paraspine_sweep_point)
      {
        try {
          if (!output_failure) on_point(p, summary);
        } catch (...) {
          if (!output_failure) output_failure = std::current_exception();
          failed = true;
        }
      }
    } catch (const std::exception& e) {
      failed = true;
#pragma omp critical
      if (error.empty()) error = "at grid point " + g.label + ": " + e.what();
    }
    const long d = ++done;
    if (progress && omp_get_thread_num() == 0) {
      if (!progress(static_cast<double>(d) / points)) stop = true;
      if (d == points) reported_all = true;
    }
  }
  if (output_failure) std::rethrow_exception(output_failure);
  if (!error.empty()) throw std::runtime_error("sweep: " + error);
  if (stop) throw SweepStopped();
  // The last word: a stop asked while the calling thread waited for the others' last points.
  if (progress && !reported_all && !progress(1.0)) throw SweepStopped();
}

std::string sweep_axis_unit(const std::string& path) {
  if (path == "subject.mass" || path == "subject.body_mass") return "kg";
  if (path == "subject.height") return "m";
  if (path == "subject.sex") return "";
  if (path.rfind("subject.", 0) == 0) return "1";  // strength and rate scales: factors
  // The scenario format names units in its keys (docs/scenarios.md): the last named key, indices
  // dropped, tells; an angle is in degrees wherever a `_deg` map holds it (regions_deg.lumbar.flexion).
  std::vector<std::string> keys;
  std::string key;
  bool in_index = false;
  for (const char c : path + ".") {
    if (c == '[') in_index = true;
    else if (c == ']') in_index = false;
    else if (c == '.' && !in_index) {
      if (!key.empty()) keys.push_back(key);
      key.clear();
    } else if (!in_index) key += c;
  }
  if (keys.empty()) return "";
  for (const auto& k : keys)
    if (k.size() > 4 && k.compare(k.size() - 4, 4, "_deg") == 0) return "deg";
  const std::string& last = keys.back();
  auto ends = [&](const char* suffix) {
    const size_t n = std::char_traits<char>::length(suffix);
    return last.size() > n && last.compare(last.size() - n, n, suffix) == 0;
  };
  if (ends("_kg")) return "kg";
  if (ends("_hz")) return "Hz";
  if (ends("_N")) return "N";
  if (ends("_s") || last == "time") return "s";
  if (last == "body_mass") return "kg";
  if (last == "height" || last == "position" || last == "pelvis_position" || last == "point" || last == "pivot" ||
      last == "lower_body_com")
    return "m";
  if (last == "F" || last == "R") return "1/s";
  if (last == "force_body_weight") return "body weight";
  if (last == "r" || last == "repetitions" || last == "break_every" || last == "share" || last == "strength_factor" ||
      last == "fatigue_rate_scale" || last == "recovery_rate_scale" || last == "direction" || last == "axis")
    return "1";
  return "";
}

struct SweepWriter::Impl {
  std::string path, partial;
  std::vector<hsize_t> dims;
  hid_t file = -1, lcpl = -1, strtype = -1, summaries = -1;
  // Each per-point dataset, open for the whole sweep, and how to read its value from a summary.
  std::vector<std::pair<hid_t, std::function<double(const nlohmann::json&)>>> fields;
  bool created = false, finished = false;
  // Points are written in grid order, not as they finish: the summaries' variable-length strings
  // land in HDF5's heap in the order they are written, so completion order made two sweeps of the
  // same grid byte-different (session 22). A point that finishes early waits here (a few kB each)
  // until every point before it is written; finish() writes what a failed point left waiting.
  long next = 0;
  std::map<long, nlohmann::json> waiting;

  // Closes everything; "" or the first failure's reason. A file whose close failed is never closed
  // again (HDF5 1.10 keeps a dangling id: hdf5_close.h).
  std::string close() {
    FirstCloseFailure failure;
    for (auto& f : fields) failure.check(H5Dclose(f.first));
    fields.clear();
    if (summaries >= 0) failure.check(H5Dclose(summaries)), summaries = -1;
    if (strtype >= 0) H5Tclose(strtype), strtype = -1;
    if (lcpl >= 0) H5Pclose(lcpl), lcpl = -1;
    if (file >= 0) failure.check(H5Fclose(file)), file = -1;
    return failure.take();
  }

  // An unfinished or failed sweep file: closed with its writes going to memory (a full disk cannot
  // make the close fail), and removed.
  void discard() {
    if (file >= 0) divert_to_memory(file);
    close();
    std::error_code ec;
    std::filesystem::remove(partial, ec);
  }

  [[noreturn]] void fail(const std::string& what) {
    const std::string why = take_hdf5_error();
    discard();
    throw InputError(path, 0, "output", what + (why.empty() ? "" : ": " + why));
  }

  hid_t create(const std::string& name, hid_t type, const char* unit) {
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t dcpl = untimed_creation_properties(H5P_DATASET_CREATE);
    if (type == H5T_NATIVE_DOUBLE) {
      const double nan = NAN;
      H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan);  // a point not (yet) written reads as NaN
    }
    const hid_t ds = H5Dcreate2(file, name.c_str(), type, space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (ds < 0 || (unit && !write_string_attribute(ds, "units", unit))) {
      if (ds >= 0) H5Dclose(ds);
      fail("cannot create " + name + " in the sweep file");
    }
    return ds;
  }
  // Writes one element (grid point p, row-major) of dataset ds.
  void put(hid_t ds, long p, hid_t type, const void* value) {
    std::vector<hsize_t> at(dims.size()), one(dims.size(), 1);
    for (int ax = static_cast<int>(dims.size()) - 1; ax >= 0; --ax) {
      at[ax] = static_cast<hsize_t>(p) % dims[ax];
      p /= static_cast<long>(dims[ax]);
    }
    const hid_t space = H5Dget_space(ds);
    H5Sselect_hyperslab(space, H5S_SELECT_SET, at.data(), nullptr, one.data(), nullptr);
    const hid_t mem = H5Screate_simple(static_cast<int>(one.size()), one.data(), nullptr);
    const herr_t ok = H5Dwrite(ds, type, mem, space, H5P_DEFAULT, value);
    H5Sclose(mem);
    H5Sclose(space);
    if (ok < 0) fail("cannot write a grid point into the sweep file");
  }
};

SweepWriter::SweepWriter(const std::string& path, const Scenario& base, const std::vector<SweepAxis>& axes, const Model& model,
                         const std::string& command_line)
    : impl_(std::make_unique<Impl>()) {
  Impl& w = *impl_;
  quiet_hdf5_errors();
  w.path = path;
  w.partial = path + ".partial";
  if (const std::string busy = file_in_use(w.partial); !busy.empty())
    throw InputError(path, 0, "output", "cannot create the sweep file: " + busy);
  std::string why;
  w.file = create_partial_file(w.partial, why);
  if (w.file < 0) {
    throw InputError(path, 0, "output", "cannot create the sweep file" + (why.empty() ? "" : ": " + why));
  }
  w.lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(w.lcpl, 1);
  w.strtype = H5Tcopy(H5T_C_S1);
  H5Tset_size(w.strtype, H5T_VARIABLE);
  H5Tset_cset(w.strtype, H5T_CSET_UTF8);
  for (const auto& a : axes) w.dims.push_back(a.values.size());
  for (size_t k = 0; k < axes.size(); ++k) {
    const hsize_t n = axes[k].values.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t dcpl = untimed_creation_properties(H5P_DATASET_CREATE);
    // A categorical axis's grid holds its words (variable-length UTF-8 strings), a numeric one its numbers.
    const bool words = axes[k].categorical();
    std::vector<const char*> labels;
    for (const auto& l : axes[k].labels) labels.push_back(l.c_str());
    const hid_t type = words ? w.strtype : H5T_NATIVE_DOUBLE;
    const hid_t ds = H5Dcreate2(w.file, ("/grid/" + std::to_string(k)).c_str(), type, space, w.lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    const void* data = words ? static_cast<const void*>(labels.data()) : static_cast<const void*>(axes[k].values.data());
    const bool ok = ds >= 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0 &&
                    write_string_attribute(ds, "units", sweep_axis_unit(axes[k].path)) &&
                    write_string_attribute(ds, "path", axes[k].path);
    if (ds >= 0) H5Dclose(ds);
    if (!ok) w.fail("cannot write the grid into the sweep file");
  }
  w.summaries = w.create("/summaries", w.strtype, nullptr);
  const std::string created = creation_timestamp();
  bool ok = write_string_attribute(w.file, "paraspine_version", PARASPINE_VERSION);
  ok = write_string_attribute(w.file, "paraspine_commit", build_commit()) && ok;
  const int version = kSweepSchemaVersion;
  const hid_t scalar = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(w.file, "schema_version", H5T_NATIVE_INT, scalar, H5P_DEFAULT, H5P_DEFAULT);
  ok = attr >= 0 && H5Awrite(attr, H5T_NATIVE_INT, &version) >= 0 && ok;
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(scalar);
  ok = write_string_attribute(w.file, "kind", "sweep") && ok;
  ok = write_string_attribute(w.file, "model", model.name) && ok;
  ok = write_string_attribute(w.file, "model_file", model.file) && ok;
  if (!model.source_digest.empty()) ok = write_string_attribute(w.file, "model_digest", model.source_digest) && ok;
  if (model.source_text) ok = write_text_dataset(w.file, kModelTextPath, *model.source_text, kModelTextDescription) && ok;
  ok = write_string_attribute(w.file, "scenario", base.name) && ok;
  ok = write_string_attribute(w.file, "scenario_text", base.text) && ok;
  if (!command_line.empty()) ok = write_string_attribute(w.file, "command_line", command_line) && ok;
  // A criterion axis: the base scenario's criterion is not the one every point ran.
  bool criterion_varied = false;
  for (const auto& a : axes) criterion_varied = criterion_varied || a.path == "criterion";
  ok = write_string_attribute(w.file, "criterion", criterion_varied ? "varied: see /grid" : base.criterion) && ok;
  ok = write_string_attribute(w.file, "created", created) && ok;
  if (!ok) w.fail("cannot write the sweep file's attributes");
}

SweepWriter::~SweepWriter() {
  if (!impl_ || impl_->finished) return;
  impl_->discard();
}

void SweepWriter::add(long point, const nlohmann::json& s) {
  quiet_hdf5_errors();  // called on whichever thread finished the point
  Impl& w = *impl_;
  if (w.file < 0) throw InputError(w.path, 0, "output", "the sweep file was already given up after an error");
  if (point != w.next) {
    w.waiting.emplace(point, s);
    return;
  }
  write_point(point, s);
  ++w.next;
  for (auto it = w.waiting.begin(); it != w.waiting.end() && it->first == w.next; it = w.waiting.erase(it)) {
    write_point(it->first, it->second);
    ++w.next;
  }
}

void SweepWriter::write_point(long point, const nlohmann::json& s) {
  Impl& w = *impl_;
  if (!w.created) {  // the joints are those of the summaries (the first point's, alphabetical)
    w.created = true;
    for (const auto& item : s["joints"].items()) {
      const std::string joint = item.key();  // a named copy: clang 14 cannot capture a structured binding
      for (const char* q : {"peak_compression_N", "mean_compression_N", "peak_shear_ap_N", "peak_shear_lateral_N"})
        w.fields.emplace_back(w.create("/summary/" + joint + "/" + q, H5T_NATIVE_DOUBLE, "N"),
                              [joint, q](const nlohmann::json& j) { return j["joints"][joint][q].get<double>(); });
    }
    w.fields.emplace_back(w.create("/reserves/peak_Nm", H5T_NATIVE_DOUBLE, "N m"),
                          [](const nlohmann::json& j) { return j["reserves"]["peak_moment_Nm"].get<double>(); });
    w.fields.emplace_back(w.create("/endurance_s", H5T_NATIVE_DOUBLE, "s"), [](const nlohmann::json& j) {
      return j["endurance_s"].is_null() ? NAN : j["endurance_s"].get<double>();
    });
  }
  for (const auto& f : w.fields) {
    const double v = f.second(s);
    w.put(f.first, point, H5T_NATIVE_DOUBLE, &v);
  }
  const std::string text = s.dump();
  const char* c = text.c_str();
  w.put(w.summaries, point, w.strtype, &c);
}

void SweepWriter::finish() {
  quiet_hdf5_errors();
  Impl& w = *impl_;
  if (w.file < 0) throw InputError(w.path, 0, "output", "the sweep file was already given up after an error");
  for (auto& [point, summary] : w.waiting) write_point(point, summary);  // after a gap a failed point left
  w.waiting.clear();
  // The close writes what HDF5 kept in memory: a disk too full for it is found now, while the file
  // can still be discarded cleanly (hdf5_close.h).
  if (const std::string why = reserve_for_close(w.file); !why.empty())
    w.fail("cannot finish the sweep file (" + why + ": the disk is too full)");
  if (const std::string why = w.close(); !why.empty()) {
    std::error_code ec;
    std::filesystem::remove(w.partial, ec);
    throw InputError(w.path, 0, "output", "cannot finish the sweep file: " + why);
  }
  std::error_code ec;
  std::filesystem::rename(w.partial, w.path, ec);
  if (ec) {
    const std::string why = ec.message();  // before remove() reuses ec (it said "Success")
    std::filesystem::remove(w.partial, ec);
    throw InputError(w.path, 0, "output", "cannot move the sweep file into place: " + why);
  }
  w.finished = true;
}

void write_sweep(const std::string& path, const Scenario& base, const SweepResult& r) {
  SweepWriter w(path, base, r.axes, load_model(base.model));  // the model as it is now: r holds no Model
  for (size_t p = 0; p < r.summaries.size(); ++p) w.add(static_cast<long>(p), r.summaries[p]);
  w.finish();
}

}  // namespace paraspine
