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

// Writes `text` as a compressed 1-D uint8 dataset at `path` (attributes `encoding` = "utf-8" and
// `description`): a long text, such as a model file, that a string attribute would store
// uncompressed. h5py: f[path][()].tobytes().decode(). False when HDF5 refused.
bool write_text_dataset(hid_t file, const char* path, const std::string& text, const char* description);
// Where results and sweep files keep the model text: in a group of its own, since xarray's h5netcdf
// engine refuses a root-group dataset without dimension scales.
inline constexpr const char* kModelTextPath = "/inputs/model_text";
inline constexpr const char* kModelTextDescription =
    "the model file's text as the run read it (UTF-8 bytes; its fnv1a64 digest is model_digest)";

// A dataset or group creation property list (`cls`: H5P_DATASET_CREATE, H5P_GROUP_CREATE) that
// records no modification time. HDF5 stamps every object with the second it was made by default, so
// two runs of the same input gave files that differed in about 30 bytes; without the stamps they are
// byte-identical (with SOURCE_DATE_EPOCH set, `created` too: creation_timestamp). Close with H5Pclose.
hid_t untimed_creation_properties(hid_t cls);

// The `created` attribute's text, ISO 8601 UTC: now, or the time SOURCE_DATE_EPOCH gives (seconds
// since 1970, the reproducible-builds convention), so a rerun can reproduce a file byte for byte.
std::string creation_timestamp();

// Reads a dataset written by write_text_dataset into `out`; false when absent or not 1-D bytes.
bool read_text_dataset(hid_t file, const char* path, std::string& out);

}  // namespace paraspine
