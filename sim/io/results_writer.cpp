#include "sim/io/results_writer.h"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <chrono>
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <string_view>
#include <vector>

#include "sim/common/error.h"
#include "sim/io/fields.h"
#include "sim/io/hdf5_attributes.h"

namespace paraspine {
namespace {

hid_t make_string_type() {
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

void int_attribute(hid_t obj, const char* name, int value) {
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(obj, name, H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attr, H5T_NATIVE_INT, &value);
  H5Aclose(attr);
  H5Sclose(space);
}

// A 1-D dataset of strings, made a dimension scale named `scale`.
hid_t string_scale(hid_t file, const char* path, const std::vector<std::string>& values, const char* scale) {
  const hid_t type = make_string_type();
  const hsize_t n = values.size();
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t ds = H5Dcreate2(file, path, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n) H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
  if (scale) H5DSset_scale(ds, scale);
  H5Pclose(lcpl);
  H5Sclose(space);
  H5Tclose(type);
  return ds;
}

std::string iso_time_now() {
  const std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

struct ResultsWriter::Impl {
  const Model& model;
  std::string path, partial;
  hid_t file = -1, time_ds = -1, joint_scale = -1, muscle_scale = -1, rotation_scale = -1;
  std::vector<hid_t> field_ds;
  std::vector<size_t> fields;  // indices into kOutputFields, in table order
  std::vector<int> width;
  int chunk = 256;
  long written = 0;   // frames on disk
  int buffered = 0;   // frames in the buffers
  std::vector<double> time_buffer;
  std::vector<std::vector<double>> buffers;
  bool finished = false;

  Impl(const Model& m) : model(m) {}

  hid_t file_type = H5T_IEEE_F64LE;  // storage type of the per-frame fields

  hid_t create_extensible(const char* path, const std::vector<hsize_t>& tail, const char* unit,
                          const char* description, hid_t type) {
    const int rank = 1 + static_cast<int>(tail.size());
    std::vector<hsize_t> dims(rank, 0), maxdims(rank, H5S_UNLIMITED), chunk_dims(rank, chunk);
    for (size_t k = 0; k < tail.size(); ++k) dims[k + 1] = maxdims[k + 1] = chunk_dims[k + 1] = tail[k];
    const hid_t space = H5Screate_simple(rank, dims.data(), maxdims.data());
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk_dims.data());
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    const hid_t ds = H5Dcreate2(file, path, type, space, lcpl, dcpl, H5P_DEFAULT);
    write_string_attribute(ds, "units", unit);
    write_string_attribute(ds, "description", description);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    return ds;
  }

  void flush() {
    if (buffered == 0) return;
    auto append_rows = [&](hid_t ds, const double* data, int row_width, int rank, const std::vector<hsize_t>& tail) {
      std::vector<hsize_t> dims(rank), start(rank, 0), count(rank);
      dims[0] = written + buffered;
      count[0] = buffered;
      start[0] = written;
      for (int k = 1; k < rank; ++k) dims[k] = count[k] = tail[k - 1];
      H5Dset_extent(ds, dims.data());
      const hid_t fspace = H5Dget_space(ds);
      H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
      const hid_t mspace = H5Screate_simple(rank, count.data(), nullptr);
      H5Dwrite(ds, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, data);
      H5Sclose(mspace);
      H5Sclose(fspace);
      (void)row_width;
    };
    append_rows(time_ds, time_buffer.data(), 1, 1, {});
    for (size_t k = 0; k < fields.size(); ++k) {
      const auto& field = kOutputFields[fields[k]];
      const size_t f = k;
      std::vector<hsize_t> tail;
      if (field.shape == FieldShape::kJoint3) tail = {hsize_t(model.njoint), 3};
      else if (field.shape == FieldShape::kJoint) tail = {hsize_t(model.njoint)};
      else tail = {hsize_t(model.nmuscle)};
      append_rows(field_ds[f], buffers[f].data(), width[f], 1 + static_cast<int>(tail.size()), tail);
    }
    written += buffered;
    buffered = 0;
  }

  void close_all() {
    for (hid_t ds : field_ds) if (ds >= 0) H5Dclose(ds);
    field_ds.clear();
    for (hid_t* h : {&time_ds, &joint_scale, &muscle_scale, &rotation_scale})
      if (*h >= 0) H5Dclose(*h), *h = -1;
    if (file >= 0) H5Fclose(file), file = -1;
  }
};

namespace {

bool field_selected(const std::string& path, const std::vector<std::string>& selection) {
  if (selection.empty()) return true;
  for (const std::string& entry : selection) {
    if (entry.empty()) continue;
    // "joints" and "/joints" name the group; a path must match whole names.
    const std::string_view name = entry[0] == '/' ? std::string_view(entry).substr(1) : std::string_view(entry);
    const std::string_view p = std::string_view(path).substr(1);
    if (p == name || (p.size() > name.size() && p.compare(0, name.size(), name) == 0 && p[name.size()] == '/')) return true;
  }
  return false;
}

}  // namespace

void check_field_selection(const std::vector<std::string>& fields) {
  for (const std::string& f : fields) {
    bool any = false;
    for (const auto& field : kOutputFields) any = any || field_selected(field.path, {f});
    if (!any) {
      std::string known;
      for (const auto& field : kOutputFields) known.append(known.empty() ? "" : ", ").append(field.path);
      throw InputError("--fields", 0, f, "no such output field or group (fields: " + known + ")");
    }
  }
}

ResultsWriter::ResultsWriter(const std::string& path, const Model& m, const RunMetadata& meta, int chunk_frames)
    : ResultsWriter(path, m, meta, ResultsOptions{false, {}, chunk_frames}) {}

ResultsWriter::ResultsWriter(const std::string& path, const Model& m, const RunMetadata& meta, const ResultsOptions& options)
    : impl_(std::make_unique<Impl>(m)) {
  check_field_selection(options.fields);
  const int chunk_frames = options.chunk_frames;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported by us, not printed by HDF5
  Impl& w = *impl_;
  w.path = path;
  w.partial = path + ".partial";
  w.chunk = std::max(1, chunk_frames);
  w.file = H5Fcreate(w.partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (w.file < 0) throw InputError(path, 0, "output", "cannot create the results file (is the directory there and writable?)");

  // Root attributes.
  write_string_attribute(w.file, "paraspine_version", PARASPINE_VERSION);
  int_attribute(w.file, "schema_version", kSchemaVersion);
  write_string_attribute(w.file, "model", m.name);
  write_string_attribute(w.file, "model_file", m.file);
  write_string_attribute(w.file, "scenario", meta.scenario_name);
  write_string_attribute(w.file, "scenario_text", meta.scenario_text);
  write_string_attribute(w.file, "subject", meta.subject.dump());
  write_string_attribute(w.file, "criterion", meta.criterion);
  write_string_attribute(w.file, "created", iso_time_now());
  w.file_type = options.single_precision ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  write_string_attribute(w.file, "storage", options.single_precision ? "float32" : "float64");
  for (size_t f = 0; f < kOutputFields.size(); ++f)
    if (field_selected(kOutputFields[f].path, options.fields)) w.fields.push_back(f);

  // Axes: time (extensible), joints, muscles, rotations — dimension scales.
  w.time_ds = w.create_extensible("/time", {}, "s", "time", H5T_IEEE_F64LE);
  H5DSset_scale(w.time_ds, "time");
  w.joint_scale = string_scale(w.file, "/joints/name", m.joint_name, "joint");
  w.muscle_scale = string_scale(w.file, "/muscles/name", m.muscle_name, "muscle");
  H5Dclose(string_scale(w.file, "/muscles/group", m.muscle_group, nullptr));
  std::vector<std::string> sides;
  for (Side s : m.muscle_side) sides.emplace_back(side_name(s));
  H5Dclose(string_scale(w.file, "/muscles/side", sides, nullptr));
  w.rotation_scale = string_scale(w.file, "/rotation", {"flexion", "lateral_bending", "axial_rotation"}, "rotation");

  for (size_t f : w.fields) {
    const auto& field = kOutputFields[f];
    std::vector<hsize_t> tail;
    if (field.shape == FieldShape::kJoint3) tail = {hsize_t(m.njoint), 3};
    else if (field.shape == FieldShape::kJoint) tail = {hsize_t(m.njoint)};
    else tail = {hsize_t(m.nmuscle)};
    const hid_t ds = w.create_extensible(field.path, tail, field.unit, field.description, w.file_type);
    H5DSattach_scale(ds, w.time_ds, 0);
    H5DSattach_scale(ds, field.shape == FieldShape::kMuscle ? w.muscle_scale : w.joint_scale, 1);
    if (field.shape == FieldShape::kJoint3) H5DSattach_scale(ds, w.rotation_scale, 2);
    w.field_ds.push_back(ds);
    w.width.push_back(field_width(m, field.shape));
    w.buffers.emplace_back(static_cast<size_t>(w.chunk) * w.width.back());
  }
  w.time_buffer.resize(w.chunk);
}

ResultsWriter::~ResultsWriter() {
  if (!impl_) return;
  if (!impl_->finished) {  // abandoned: never leave a file that looks finished
    impl_->close_all();
    std::error_code ec;
    std::filesystem::remove(impl_->partial, ec);
  }
}

void ResultsWriter::append(double time, const Data& d) {
  Impl& w = *impl_;
  w.time_buffer[w.buffered] = time;
  for (size_t k = 0; k < w.fields.size(); ++k)
    kOutputFields[w.fields[k]].get(w.model, d, w.buffers[k].data() + static_cast<size_t>(w.buffered) * w.width[k]);
  if (++w.buffered == w.chunk) w.flush();
}

void ResultsWriter::append_values(double time, const double* const* field_values) {
  Impl& w = *impl_;
  w.time_buffer[w.buffered] = time;
  for (size_t f = 0; f < kOutputFields.size(); ++f)
    std::copy(field_values[f], field_values[f] + w.width[f], w.buffers[f].data() + static_cast<size_t>(w.buffered) * w.width[f]);
  if (++w.buffered == w.chunk) w.flush();
}

long ResultsWriter::frames() const { return impl_->written + impl_->buffered; }

void ResultsWriter::finish(const nlohmann::json& summary) {
  Impl& w = *impl_;
  w.flush();
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  const hid_t g = H5Gcreate2(w.file, "/summary", lcpl, H5P_DEFAULT, H5P_DEFAULT);
  write_string_attribute(g, "json", summary.dump());
  H5Gclose(g);
  H5Pclose(lcpl);
  w.close_all();
  std::error_code ec;
  std::filesystem::rename(w.partial, w.path, ec);
  if (ec) throw InputError(w.path, 0, "output", "cannot move the finished results into place: " + ec.message());
  w.finished = true;
}

void write_string_attribute(hid_t obj, const char* name, const std::string& value) {
  const hid_t type = make_string_type();
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* p = value.c_str();
  H5Awrite(attr, type, &p);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}

}  // namespace paraspine
