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
      r.summaries[p] = run_scenario(m, sc, opt, nullptr);
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
  return r;
}

void write_sweep(const std::string& path, const Scenario& base, const SweepResult& r) {
  namespace fs = std::filesystem;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const std::string partial = path + ".partial";
  const hid_t file = H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) throw InputError(path, 0, "output", "cannot create the sweep file");
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  std::vector<hsize_t> dims;
  for (const auto& a : r.axes) dims.push_back(a.values.size());
  auto write = [&](const std::string& name, const std::vector<double>& v, const std::vector<hsize_t>& shape, const char* unit) {
    const hid_t space = H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr);
    const hid_t ds = H5Dcreate2(file, name.c_str(), H5T_NATIVE_DOUBLE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    write_string_attribute(ds, "units", unit);
    H5Dclose(ds);
    H5Sclose(space);
  };
  for (size_t k = 0; k < r.axes.size(); ++k) {
    write("/grid/" + std::to_string(k), r.axes[k].values, {r.axes[k].values.size()}, "");
    const hid_t ds = H5Dopen2(file, ("/grid/" + std::to_string(k)).c_str(), H5P_DEFAULT);
    write_string_attribute(ds, "path", r.axes[k].path);
    H5Dclose(ds);
  }
  auto field = [&](auto get) {
    std::vector<double> v;
    for (const auto& s : r.summaries) v.push_back(get(s));
    return v;
  };
  for (const auto& [joint, unused] : r.summaries.at(0)["joints"].items()) {
    (void)unused;
    for (const char* q : {"peak_compression_N", "mean_compression_N", "peak_shear_ap_N", "peak_shear_lateral_N"})
      write("/summary/" + joint + "/" + q, field([&](const nlohmann::json& s) { return s["joints"][joint][q].get<double>(); }), dims, "N");
  }
  write("/reserves/peak_Nm", field([](const nlohmann::json& s) { return s["reserves"]["peak_moment_Nm"].get<double>(); }), dims, "N m");
  write("/endurance_s", field([](const nlohmann::json& s) { return s["endurance_s"].is_null() ? NAN : s["endurance_s"].get<double>(); }), dims, "s");
  write_string_attribute(file, "scenario", base.name);
  write_string_attribute(file, "scenario_text", base.text);
  nlohmann::json all = r.summaries;
  write_string_attribute(file, "summaries", all.dump());
  H5Pclose(lcpl);
  H5Fclose(file);
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) throw InputError(path, 0, "output", "cannot move the sweep file into place: " + ec.message());
}

}  // namespace paraspine
