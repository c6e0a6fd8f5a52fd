#pragma once
// Small HDF5 helpers shared by the results and sweep writers and the results readers.
#include <hdf5.h>

#include <string>

namespace paraspine {

// Writes a scalar, variable-length UTF-8 string attribute (HDF5 C API; h5py reads it as str);
// false when HDF5 refused (the reason is on the thread's HDF5 error stack).
bool write_string_attribute(hid_t obj, const char* name, const std::string& value);

// Reads a scalar string attribute of `obj`, variable- or fixed-length (h5py writes either,
// depending on how it is given), into `out`; false when absent or not a string.
bool read_string_attribute(hid_t obj, const char* name, std::string& out);

}  // namespace paraspine
