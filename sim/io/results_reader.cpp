#include "sim/io/results_reader.h"

#include <hdf5.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "sim/common/error.h"
#include "sim/common/text_digest.h"
#include "sim/io/hdf5_attributes.h"

namespace paraspine {

bool is_sweep_file(hid_t file) {
  std::string kind;
  if (read_string_attribute(file, "kind", kind)) return kind == "sweep";
  // Sweep files before they had attributes: a grid and the points' summaries.
  const bool sweep = H5Lexists(file, "/grid", H5P_DEFAULT) > 0 && H5Lexists(file, "/summaries", H5P_DEFAULT) > 0;
  H5Eclear2(H5E_DEFAULT);
  return sweep;
}

std::string results_open_problem(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) return "the file does not exist";
  if (st.type() == fs::file_type::directory) return "it is a directory, not a results file";
  errno = 0;
  if (!std::ifstream(path, std::ios::binary)) return std::string("cannot read it: ") + std::strerror(errno ? errno : EACCES);
  return "cannot open as an HDF5 results file";
}

ResultsFileInfo read_results_info(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  ResultsFileInfo info;
  info.path = path;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw InputError(path, 0, "", results_open_problem(path));
  auto fail = [&](const std::string& msg) {
    H5Fclose(file);
    throw InputError(path, 0, "", msg);
  };
  if (is_sweep_file(file))
    fail("a sweep file (paraspine sweep -o: one summary per grid point, no frames); compare, render, report and "
         "Python's load_results read the results of one run (paraspine run -o); read a sweep file with Python's "
         "paraspine.load_sweep, or its /grid and /summaries with h5py (docs/hdf5-schema.md, \"Sweep files\")");
  if (H5Aexists(file, "schema_version") <= 0) fail("not a paraspine results file (no schema_version)");
  {
    const hid_t a = H5Aopen(file, "schema_version", H5P_DEFAULT);
    const hid_t type = H5Aget_type(a);
    const bool integer = H5Tget_class(type) == H5T_INTEGER && H5Aread(a, H5T_NATIVE_INT, &info.schema_version) >= 0;
    H5Tclose(type);
    H5Aclose(a);
    if (!integer) fail("not a paraspine results file (schema_version is not a whole number)");
  }
  if (info.schema_version != 1) fail("schema version " + std::to_string(info.schema_version) + " is not supported (this build reads 1)");
  read_string_attribute(file, "scenario", info.scenario);
  read_string_attribute(file, "model", info.model);
  read_string_attribute(file, "model_file", info.model_file);
  read_string_attribute(file, "model_digest", info.model_digest);
  read_string_attribute(file, "criterion", info.criterion);
  read_string_attribute(file, "created", info.created);
  if (H5Lexists(file, "/summary", H5P_DEFAULT) <= 0) fail("the file has no /summary (an incomplete run?)");
  const hid_t g = H5Gopen2(file, "/summary", H5P_DEFAULT);
  std::string json;
  read_string_attribute(g, "json", json);
  H5Gclose(g);
  H5Fclose(file);
  try {
    info.summary = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception&) {
    throw InputError(path, 0, "/summary", "the summary is not valid JSON");
  }
  // What readers of a summary (compare, render, report, Python) rely on, checked once here.
  auto number = [&](const nlohmann::json& parent, const char* key) { return parent.is_object() && parent.contains(key) && parent[key].is_number(); };
  const nlohmann::json& sum = info.summary;
  if (!sum.is_object() || !sum.contains("joints") || !sum["joints"].is_object() || !sum.contains("groups") ||
      !sum["groups"].is_object() || !number(sum, "duration_s") || !number(sum, "frames") || !sum.contains("reserves") ||
      !number(sum["reserves"], "peak_moment_Nm"))
    throw InputError(path, 0, "/summary", "the summary lacks joints, groups, reserves, duration_s or frames (not written by paraspine run?)");
  for (const auto& [name, j] : sum["joints"].items())
    for (const char* key : {"peak_compression_N", "mean_compression_N", "peak_shear_ap_N", "peak_shear_lateral_N"})
      if (!number(j, key)) throw InputError(path, 0, "/summary", "joint " + name + " lacks " + key);
  for (const auto& [group, sides] : sum["groups"].items()) {
    if (!sides.is_object()) throw InputError(path, 0, "/summary", "group " + group + " is not a mapping of sides");
    for (const auto& [side, v] : sides.items())
      if (!number(v, "mean_activation")) throw InputError(path, 0, "/summary", "group " + group + " " + side + " lacks mean_activation");
  }
  return info;
}

std::string read_stored_model_text(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw InputError(path, 0, "", results_open_problem(path));
  std::string text, model_file, model_digest;
  const bool stored = read_text_dataset(file, kModelTextPath, text);
  const bool is_paraspine = H5Aexists(file, "schema_version") > 0;
  read_string_attribute(file, "model_file", model_file);
  read_string_attribute(file, "model_digest", model_digest);
  H5Fclose(file);
  if (!is_paraspine) throw InputError(path, 0, "", "not a paraspine results or sweep file (no schema_version)");
  if (!stored)
    throw InputError(path, 0, kModelTextPath,
                     "not stored: the file was written before paraspine stored the model's text" +
                         (model_file.empty() ? std::string()
                                             : "; the run read " + model_file +
                                                   (model_digest.empty() ? std::string() : " (its text's digest: " + model_digest + ")")));
  return text;
}

bool is_hdf5_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  return in.gcount() == 8 && std::string_view(head, 8) == std::string_view("\x89HDF\r\n\x1a\n", 8);
}

std::string find_recorded_model_file(const std::string& results_path, const std::string& model_file,
                                     const std::string& model_digest) {
  namespace fs = std::filesystem;
  if (model_file.empty()) return "";
  std::error_code ec;
  if (fs::is_regular_file(model_file, ec)) return model_file;
  const fs::path stored(model_file), folder = fs::path(results_path).parent_path();
  if (stored.is_relative()) {
    const fs::path beside = folder / stored;
    if (fs::is_regular_file(beside, ec)) return beside.lexically_normal().string();
  }
  const fs::path same_name = folder / stored.filename();
  if (!model_digest.empty() && fs::is_regular_file(same_name, ec)) {
    std::ifstream in(same_name, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (in && text_digest(text.str()) == model_digest) return same_name.string();
  }
  return "";
}

}  // namespace paraspine
