#include "sim/io/results_reader.h"

#include <hdf5.h>

#include "sim/common/error.h"

namespace paraspine {
namespace {

bool read_string_attr(hid_t obj, const char* name, std::string& out) {
  if (H5Aexists(obj, name) <= 0) return false;
  const hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  const hid_t type = H5Aget_type(attr);
  char* p = nullptr;
  const bool ok = H5Aread(attr, type, &p) >= 0;
  if (ok && p) out = p;
  H5free_memory(p);
  H5Tclose(type);
  H5Aclose(attr);
  return ok;
}

}  // namespace

ResultsFileInfo read_results_info(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  ResultsFileInfo info;
  info.path = path;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw InputError(path, 0, "", "cannot open as an HDF5 results file");
  auto fail = [&](const std::string& msg) {
    H5Fclose(file);
    throw InputError(path, 0, "", msg);
  };
  if (H5Aexists(file, "schema_version") <= 0) fail("not a paraspine results file (no schema_version)");
  {
    const hid_t a = H5Aopen(file, "schema_version", H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_INT, &info.schema_version);
    H5Aclose(a);
  }
  if (info.schema_version != 1) fail("schema version " + std::to_string(info.schema_version) + " is not supported (this build reads 1)");
  read_string_attr(file, "scenario", info.scenario);
  read_string_attr(file, "model", info.model);
  read_string_attr(file, "criterion", info.criterion);
  read_string_attr(file, "created", info.created);
  if (H5Lexists(file, "/summary", H5P_DEFAULT) <= 0) fail("the file has no /summary (an incomplete run?)");
  const hid_t g = H5Gopen2(file, "/summary", H5P_DEFAULT);
  std::string json;
  read_string_attr(g, "json", json);
  H5Gclose(g);
  H5Fclose(file);
  try {
    info.summary = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception&) {
    throw InputError(path, 0, "/summary", "the summary is not valid JSON");
  }
  return info;
}

}  // namespace paraspine
