#pragma once
// Small HDF5 helpers shared by the results and sweep writers.
#include <hdf5.h>

#include <string>

namespace paraspine {

// Writes a scalar, variable-length UTF-8 string attribute (HDF5 C API; h5py reads it as str).
void write_string_attribute(hid_t obj, const char* name, const std::string& value);

}  // namespace paraspine
