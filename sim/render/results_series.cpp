#include "sim/render/results_series.h"

#include <algorithm>
#include <cmath>

#include "sim/common/error.h"
#include "sim/io/hdf5_attributes.h"
#include "sim/io/results_reader.h"

namespace paraspine {
namespace {

// A one-dimensional string dataset, variable- or fixed-length.
bool string_dataset(hid_t file, const char* path, std::vector<std::string>& out) {
  if (H5Lexists(file, path, H5P_DEFAULT) <= 0) return false;
  const hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
  const hid_t type = H5Dget_type(ds), space = H5Dget_space(ds);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  bool ok = H5Tget_class(type) == H5T_STRING && n >= 0;
  if (ok && H5Tis_variable_str(type) > 0) {
    std::vector<char*> p(n, nullptr);
    const hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    ok = n == 0 || H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()) >= 0;
    if (ok) out.assign(p.begin(), p.end());
    if (n) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, p.data());
    H5Tclose(mem);
  } else if (ok) {
    const size_t w = H5Tget_size(type);
    std::string buf(w * n, '\0');
    ok = n == 0 || H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) >= 0;
    out.clear();
    for (hssize_t i = 0; ok && i < n; ++i) {
      std::string s = buf.substr(i * w, w);
      out.push_back(s.substr(0, s.find('\0')));
    }
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(ds);
  return ok;
}

}  // namespace

void ResultsSeries::fail(const std::string& field, const std::string& msg) const {
  throw InputError(path, 0, field, msg);
}

ResultsSeries::ResultsSeries(const std::string& p) {
  path = p;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  file_ = H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0) throw InputError(p, 0, "", results_open_problem(p));
  try {
    if (is_sweep_file(file_))
      fail("", "a sweep file (paraspine sweep -o) holds every grid point's summary, not a run's frames: render the "
               "results of one run (paraspine run -o)");
    if (H5Aexists(file_, "schema_version") <= 0) fail("", "not a paraspine results file (no schema_version)");
    int version = 0;
    {
      const hid_t a = H5Aopen(file_, "schema_version", H5P_DEFAULT);
      H5Aread(a, H5T_NATIVE_INT, &version);
      H5Aclose(a);
    }
    if (version != 1) fail("schema_version", std::to_string(version) + " is not supported (this build reads 1)");
    if (!read_string_attribute(file_, "model", model)) fail("model", "attribute missing");
    read_string_attribute(file_, "model_file", model_file);
    read_string_attribute(file_, "model_digest", model_digest);
    read_text_dataset(file_, kModelTextPath, model_text);
    read_string_attribute(file_, "scenario", scenario);
    read_string_attribute(file_, "scenario_text", scenario_text);
    read_string_attribute(file_, "motion_text", motion_text);
    read_string_attribute(file_, "criterion", criterion);
    read_string_attribute(file_, "created", created);
    read_string_attribute(file_, "fatigue", fatigue_mode);
    std::string s;
    if (read_string_attribute(file_, "subject", s)) {
      try { subject = nlohmann::json::parse(s); } catch (const nlohmann::json::exception&) { fail("subject", "not valid JSON"); }
    }
    if (H5Lexists(file_, "/summary", H5P_DEFAULT) <= 0) fail("/summary", "missing (an incomplete run?)");
    const hid_t g = H5Gopen2(file_, "/summary", H5P_DEFAULT);
    std::string js;
    read_string_attribute(g, "json", js);
    H5Gclose(g);
    try { summary = nlohmann::json::parse(js); } catch (const nlohmann::json::exception&) { fail("/summary", "the summary is not valid JSON"); }
    if (!string_dataset(file_, "/joints/name", joint_name)) fail("/joints/name", "missing or not strings");
    if (!string_dataset(file_, "/muscles/name", muscle_name)) fail("/muscles/name", "missing or not strings");
    if (!string_dataset(file_, "/muscles/group", muscle_group)) fail("/muscles/group", "missing or not strings");
    if (!string_dataset(file_, "/muscles/side", muscle_side)) fail("/muscles/side", "missing or not strings");
    if (!has("/time")) fail("/time", "missing");
    const Eigen::MatrixXd t = strided("/time", 1);
    time.assign(t.data(), t.data() + t.size());
    if (time.empty()) fail("/time", "the run has no frames");
  } catch (...) {
    for (const auto& [name, ds] : open_) H5Dclose(ds);
    H5Fclose(file_);
    throw;
  }
}

ResultsSeries::~ResultsSeries() {
  for (const auto& [name, ds] : open_) H5Dclose(ds);
  if (file_ >= 0) H5Fclose(file_);
}

hid_t ResultsSeries::dataset(const std::string& path) const {
  if (const auto it = open_.find(path); it != open_.end()) return it->second;
  if (!has(path)) fail(path, "dataset missing");
  const hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
  H5Pset_chunk_cache(dapl, 521, 8 << 20, 0.75);  // 8 MB: a few chunks of a [T × muscles] field
  const hid_t ds = H5Dopen2(file_, path.c_str(), dapl);
  H5Pclose(dapl);
  if (ds < 0) fail(path, "cannot be opened");
  open_[path] = ds;
  return ds;
}

bool ResultsSeries::has(const std::string& dataset) const {
  // H5Lexists needs every intermediate group to exist.
  size_t pos = 0;
  while ((pos = dataset.find('/', pos + 1)) != std::string::npos)
    if (H5Lexists(file_, dataset.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  return H5Lexists(file_, dataset.c_str(), H5P_DEFAULT) > 0;
}

std::string ResultsSeries::recorded_model_file() const {
  return find_recorded_model_file(path, model_file, model_digest);
}

Eigen::VectorXd ResultsSeries::run_max_force() const {
  if (!has("/muscles/max_force")) return {};
  const hid_t ds = dataset("/muscles/max_force");
  const hid_t space = H5Dget_space(ds);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  H5Sclose(space);
  if (n != nmuscle()) fail("/muscles/max_force", "has " + std::to_string(n) + " values for " + std::to_string(nmuscle()) + " fascicles");
  Eigen::VectorXd out(n);
  if (n > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    fail("/muscles/max_force", "cannot be read as numbers");
  return out;
}

long ResultsSeries::frame_at(double t) const {
  const auto it = std::lower_bound(time.begin(), time.end(), t);
  if (it == time.begin()) return 0;
  if (it == time.end()) return frames() - 1;
  const long hi = it - time.begin();
  return (t - time[hi - 1] <= time[hi] - t) ? hi - 1 : hi;
}

Eigen::MatrixXd ResultsSeries::strided(const std::string& dataset, long stride) const {
  const hid_t ds = this->dataset(dataset);
  const hid_t space = H5Dget_space(ds);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 1), 1);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  hsize_t width = 1;
  for (int k = 1; k < rank; ++k) width *= dims[k];
  stride = std::max(1L, stride);
  const hsize_t rows = dims[0] == 0 ? 0 : (dims[0] - 1) / stride + 1;
  std::vector<hsize_t> start(rank, 0), step(rank, 1), count(dims.begin(), dims.begin() + rank);
  if (rank > 0) step[0] = stride, count[0] = rows;
  // Row-major in the file: read into a (width × rows) column-major buffer, return its transpose.
  Eigen::MatrixXd buf(width, rows);
  herr_t ok = 0;
  if (rows > 0) {
    if (rank > 0) H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), step.data(), count.data(), nullptr);
    const hid_t mem = H5Screate_simple(rank, count.data(), nullptr);
    ok = H5Dread(ds, H5T_NATIVE_DOUBLE, rank > 0 ? mem : H5S_ALL, rank > 0 ? space : H5S_ALL, H5P_DEFAULT, buf.data());
    H5Sclose(mem);
  }
  H5Sclose(space);
  if (ok < 0) fail(dataset, "cannot be read as numbers");
  return buf.transpose();
}

Eigen::VectorXd ResultsSeries::column(const std::string& dataset, long col) const {
  const hid_t ds = this->dataset(dataset);
  const hid_t space = H5Dget_space(ds);
  hsize_t dims[2] = {0, 0};
  const bool ok_shape = H5Sget_simple_extent_ndims(space) == 2 && H5Sget_simple_extent_dims(space, dims, nullptr) == 2 &&
                        col >= 0 && static_cast<hsize_t>(col) < dims[1];
  Eigen::VectorXd out(ok_shape ? dims[0] : 0);
  herr_t ok = ok_shape ? 0 : -1;
  if (ok_shape && dims[0] > 0) {
    const hsize_t start[2] = {0, static_cast<hsize_t>(col)}, count[2] = {dims[0], 1};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hid_t mem = H5Screate_simple(2, count, nullptr);
    ok = H5Dread(ds, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, out.data());
    H5Sclose(mem);
  }
  H5Sclose(space);
  if (ok < 0) fail(dataset, "column " + std::to_string(col) + " cannot be read");
  return out;
}

Eigen::VectorXd ResultsSeries::frame(const std::string& dataset, long f) const {
  const hid_t ds = this->dataset(dataset);
  const hid_t space = H5Dget_space(ds);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 1), 1);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  if (rank < 1 || f < 0 || static_cast<hsize_t>(f) >= dims[0]) {
    H5Sclose(space);
    fail(dataset, "frame " + std::to_string(f) + " out of range");
  }
  hsize_t width = 1;
  for (int k = 1; k < rank; ++k) width *= dims[k];
  std::vector<hsize_t> start(rank, 0), count(dims.begin(), dims.begin() + rank);
  start[0] = f, count[0] = 1;
  H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
  const hid_t mem = H5Screate_simple(rank, count.data(), nullptr);
  Eigen::VectorXd out(width);
  const herr_t ok = H5Dread(ds, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, out.data());
  H5Sclose(mem);
  H5Sclose(space);
  if (ok < 0) fail(dataset, "cannot be read as numbers");
  return out;
}

}  // namespace paraspine
