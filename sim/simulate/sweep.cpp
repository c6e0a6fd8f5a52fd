#include "sim/io/hdf5_attributes.h"
#include "sim/simulate/sweep.h"
#include "sim/simulate/threads.h"

#include <fmt/format.h>
#include <hdf5.h>
#include <omp.h>

#include <atomic>
#include <cmath>
#include <filesystem>

#include "sim/common/error.h"
#include "sim/common/parse_number.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/simulate/run.h"

namespace paraspine {

SweepAxis parse_sweep_axis(const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) throw InputError("--vary", 0, spec, "expected PATH=START:STOP:N or PATH=V1,V2,...");
  SweepAxis a;
  a.path = spec.substr(0, eq);
  const std::string v = spec.substr(eq + 1);
  auto number = [&](const std::string& s) {
    double x = 0;
    if (!parse_number(s, x) || !std::isfinite(x)) throw InputError("--vary", 0, spec, "'" + s + "' is not a number");
    return x;
  };
  if (v.find(':') != std::string::npos) {
    const auto c1 = v.find(':'), c2 = v.find(':', c1 + 1);
    if (c2 == std::string::npos) throw InputError("--vary", 0, spec, "expected START:STOP:N");
    const double a0 = number(v.substr(0, c1)), a1 = number(v.substr(c1 + 1, c2 - c1 - 1));
    const double nd = number(v.substr(c2 + 1));
    if (nd < 1 || nd != std::floor(nd) || nd > 10000) throw InputError("--vary", 0, spec, "N must be a whole number 1–10000");
    const int n = static_cast<int>(nd);
    for (int k = 0; k < n; ++k) a.values.push_back(n == 1 ? a0 : a0 + (a1 - a0) * k / (n - 1));
  } else {
    size_t start = 0;
    while (start <= v.size()) {
      const auto comma = v.find(',', start);
      a.values.push_back(number(v.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return a;
}

SweepResult run_sweep(const Scenario& base, const std::vector<SweepAxis>& axes, int threads, bool (*progress)(double)) {
  SweepResult r;
  r.axes = axes;
  long points = 1;
  for (const auto& a : axes) points *= static_cast<long>(a.values.size());
  r.summaries.resize(points);
  run_sweep_each(base, axes, threads, progress, [&](long p, const nlohmann::json& j) { r.summaries[p] = j; });
  return r;
}

void run_sweep_each(const Scenario& base, const std::vector<SweepAxis>& axes, int threads, bool (*progress)(double),
                    const std::function<void(long, const nlohmann::json&)>& on_point) {
  long points = 1;
  for (const auto& a : axes) points *= static_cast<long>(a.values.size());
  const Model model0 = load_model(base.model);
  // Check every scenario override once, serially, so errors surface before any work.
  std::vector<std::string> first_sets;
  for (const auto& a : axes)
    if (a.path.rfind("subject.", 0) != 0) first_sets.push_back(a.path + "=" + fmt::format("{}", a.values[0]));
  if (!first_sets.empty()) parse_scenario(apply_overrides(base.text, base.file, first_sets), base.file + " (with --vary)");

  std::atomic<long> done{0};
  std::atomic<bool> stop{false};
  bool reported_all = false;  // the calling thread already said 1.0
  std::string error;
#pragma omp parallel for schedule(dynamic) num_threads(capped_threads(threads))
  for (long p = 0; p < points; ++p) {
    if (stop.load(std::memory_order_relaxed)) continue;
    try {
      // Grid point p, row-major.
      Subject subject = base.subject.value_or(Subject{});
      std::vector<std::string> sets;
      long rest = p;
      for (int ax = static_cast<int>(axes.size()) - 1; ax >= 0; --ax) {
        const long n = static_cast<long>(axes[ax].values.size());
        const double v = axes[ax].values[rest % n];
        rest /= n;
        const std::string& path = axes[ax].path;
        if (path == "subject.mass" || path == "subject.body_mass") subject.body_mass = v;
        else if (path == "subject.height") subject.height = v;
        else if (path == "subject.strength" || path == "subject.strength_factor") subject.strength_factor = v;
        else if (path == "subject.fatigue_rate_scale") subject.fatigue_rate_scale = v;
        else if (path == "subject.recovery_rate_scale") subject.recovery_rate_scale = v;
        else sets.push_back(path + "=" + fmt::format("{}", v));  // shortest text that reads back as v
      }
      const Scenario sc = sets.empty() ? base : parse_scenario(apply_overrides(base.text, base.file, sets), base.file);
      const Model m = scale_model(model0, subject);
      RunOptions opt;
      opt.loadsharing.criterion = parse_criterion(sc.criterion);
      opt.loadsharing.abdominal_pressure = sc.abdominal_pressure;
      const nlohmann::json summary = run_scenario(m, sc, opt, nullptr);
      std::string point_error;  // no exception may leave the critical section
#pragma omp critical(paraspine_sweep_point)
      {
        try {
          on_point(p, summary);
        } catch (const std::exception& e) {
          point_error = e.what();
          stop = true;
        }
      }
      if (!point_error.empty()) throw std::runtime_error(point_error);
    } catch (const std::exception& e) {
#pragma omp critical
      if (error.empty()) error = e.what();
    }
    const long d = ++done;
    if (progress && omp_get_thread_num() == 0) {
      if (!progress(static_cast<double>(d) / points)) stop = true;
      if (d == points) reported_all = true;
    }
  }
  if (stop) throw SweepStopped();
  if (!error.empty()) throw std::runtime_error("sweep: " + error);
  // The last word: a stop asked while the calling thread waited for the others' last points.
  if (progress && !reported_all && !progress(1.0)) throw SweepStopped();
}

struct SweepWriter::Impl {
  std::string path, partial;
  std::vector<hsize_t> dims;
  hid_t file = -1, lcpl = -1, strtype = -1, summaries = -1;
  // Each per-point dataset, open for the whole sweep, and how to read its value from a summary.
  std::vector<std::pair<hid_t, std::function<double(const nlohmann::json&)>>> fields;
  bool created = false, finished = false;

  void close() {
    for (auto& f : fields) H5Dclose(f.first);
    fields.clear();
    if (summaries >= 0) H5Dclose(summaries), summaries = -1;
    if (strtype >= 0) H5Tclose(strtype), strtype = -1;
    if (lcpl >= 0) H5Pclose(lcpl), lcpl = -1;
  }

  hid_t create(const std::string& name, hid_t type, const char* unit) {
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (type == H5T_NATIVE_DOUBLE) {
      const double nan = NAN;
      H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan);  // a point not (yet) written reads as NaN
    }
    const hid_t ds = H5Dcreate2(file, name.c_str(), type, space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (ds < 0) throw InputError(path, 0, "output", "cannot create " + name + " in the sweep file");
    if (unit) write_string_attribute(ds, "units", unit);
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
    if (ok < 0) throw InputError(path, 0, "output", "cannot write a grid point into the sweep file");
  }
};

SweepWriter::SweepWriter(const std::string& path, const Scenario& base, const std::vector<SweepAxis>& axes)
    : impl_(std::make_unique<Impl>()) {
  Impl& w = *impl_;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  w.path = path;
  w.partial = path + ".partial";
  w.file = H5Fcreate(w.partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (w.file < 0) throw InputError(path, 0, "output", "cannot create the sweep file");
  w.lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(w.lcpl, 1);
  w.strtype = H5Tcopy(H5T_C_S1);
  H5Tset_size(w.strtype, H5T_VARIABLE);
  H5Tset_cset(w.strtype, H5T_CSET_UTF8);
  for (const auto& a : axes) w.dims.push_back(a.values.size());
  for (size_t k = 0; k < axes.size(); ++k) {
    const hsize_t n = axes[k].values.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t ds = H5Dcreate2(w.file, ("/grid/" + std::to_string(k)).c_str(), H5T_NATIVE_DOUBLE, space, w.lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, axes[k].values.data());
    write_string_attribute(ds, "units", "");
    write_string_attribute(ds, "path", axes[k].path);
    H5Dclose(ds);
    H5Sclose(space);
  }
  w.summaries = w.create("/summaries", w.strtype, nullptr);
  write_string_attribute(w.file, "scenario", base.name);
  write_string_attribute(w.file, "scenario_text", base.text);
}

SweepWriter::~SweepWriter() {
  if (!impl_ || impl_->finished) return;
  Impl& w = *impl_;
  w.close();
  if (w.file >= 0) H5Fclose(w.file);
  std::error_code ec;
  std::filesystem::remove(w.partial, ec);
}

void SweepWriter::add(long point, const nlohmann::json& s) {
  Impl& w = *impl_;
  if (!w.created) {  // the joints are those of the summaries (the first point's, alphabetical)
    for (const auto& [joint, unused] : s["joints"].items()) {
      (void)unused;
      for (const char* q : {"peak_compression_N", "mean_compression_N", "peak_shear_ap_N", "peak_shear_lateral_N"})
        w.fields.emplace_back(w.create("/summary/" + joint + "/" + q, H5T_NATIVE_DOUBLE, "N"),
                              [joint, q](const nlohmann::json& j) { return j["joints"][joint][q].get<double>(); });
    }
    w.fields.emplace_back(w.create("/reserves/peak_Nm", H5T_NATIVE_DOUBLE, "N m"),
                          [](const nlohmann::json& j) { return j["reserves"]["peak_moment_Nm"].get<double>(); });
    w.fields.emplace_back(w.create("/endurance_s", H5T_NATIVE_DOUBLE, "s"), [](const nlohmann::json& j) {
      return j["endurance_s"].is_null() ? NAN : j["endurance_s"].get<double>();
    });
    w.created = true;
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
  Impl& w = *impl_;
  w.close();
  const herr_t closed = H5Fclose(w.file);
  w.file = -1;
  if (closed < 0) throw InputError(w.path, 0, "output", "cannot finish the sweep file");
  std::error_code ec;
  std::filesystem::rename(w.partial, w.path, ec);
  if (ec) throw InputError(w.path, 0, "output", "cannot move the sweep file into place: " + ec.message());
  w.finished = true;
}

void write_sweep(const std::string& path, const Scenario& base, const SweepResult& r) {
  SweepWriter w(path, base, r.axes);
  for (size_t p = 0; p < r.summaries.size(); ++p) w.add(static_cast<long>(p), r.summaries[p]);
  w.finish();
}

}  // namespace paraspine
