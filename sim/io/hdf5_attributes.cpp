#include "sim/io/hdf5_attributes.h"

#include <cstdlib>
#include <ctime>
#include <utility>

namespace paraspine {

hid_t untimed_creation_properties(hid_t cls) {
  const hid_t plist = H5Pcreate(cls);
  H5Pset_obj_track_times(plist, 0);
  return plist;
}

std::string creation_timestamp() {
  std::time_t t = std::time(nullptr);
  // SOURCE_DATE_EPOCH: a decimal count of seconds; anything else is ignored (the spec says to fail a
  // build, but a results file's date is not worth failing a run for).
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch) {
    char* end = nullptr;
    const long long v = std::strtoll(epoch, &end, 10);
    if (end && *end == '\0' && v >= 0) t = static_cast<std::time_t>(v);
  }
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// A string attribute, variable- or fixed-length (h5py writes either, depending on how it is given);
// false when absent or not a string. Reading a fixed-length one as variable-length used to crash.
bool read_string_attribute(hid_t obj, const char* name, std::string& out) {
  if (H5Aexists(obj, name) <= 0) return false;
  const hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  const hid_t type = H5Aget_type(attr);
  const hid_t space = H5Aget_space(attr);
  bool ok = H5Tget_class(type) == H5T_STRING && H5Sget_simple_extent_npoints(space) == 1;
  if (ok && H5Tis_variable_str(type) > 0) {
    char* p = nullptr;
    const hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    ok = H5Aread(attr, mem, &p) >= 0;
    if (ok && p) out = p;
    if (p) H5free_memory(p);
    H5Tclose(mem);
  } else if (ok) {
    const size_t n = H5Tget_size(type);
    std::string buf(n + 1, '\0');
    const hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, n + 1);
    H5Tset_strpad(mem, H5T_STR_NULLTERM);
    H5Tset_cset(mem, H5Tget_cset(type));
    ok = H5Aread(attr, mem, buf.data()) >= 0;
    if (ok) out = buf.c_str();
    H5Tclose(mem);
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
  return ok;
}

bool read_text_dataset(hid_t file, const char* path, std::string& out) {
  // H5Lexists needs every intermediate group to exist (files from before the text was stored).
  const std::string p = path;
  for (size_t slash = p.find('/', 1); slash != std::string::npos; slash = p.find('/', slash + 1))
    if (H5Lexists(file, p.substr(0, slash).c_str(), H5P_DEFAULT) <= 0) return false;
  if (H5Lexists(file, path, H5P_DEFAULT) <= 0) return false;
  const hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
  if (ds < 0) return false;
  const hid_t type = H5Dget_type(ds);
  const hid_t space = H5Dget_space(ds);
  bool ok = H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == 1 && H5Sget_simple_extent_ndims(space) == 1;
  if (ok) {
    std::string text(static_cast<size_t>(H5Sget_simple_extent_npoints(space)), '\0');
    ok = text.empty() || H5Dread(ds, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()) >= 0;
    if (ok) out = std::move(text);
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(ds);
  return ok;
}

}  // namespace paraspine
