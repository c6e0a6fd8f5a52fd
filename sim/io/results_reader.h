#pragma once
// Reading results files: the summary and metadata of a schema-v1 file (used by `paraspine compare`;
// Python reads the same layout with h5py).
#include <hdf5.h>
#include <nlohmann/json.hpp>
#include <string>

namespace paraspine {

struct ResultsFileInfo {
  std::string path, scenario, model, criterion, created;
  std::string model_file, model_digest;  // the model's file and its text's digest ("" in files that lack them)
  int schema_version = 0;
  nlohmann::json summary;
};

// Throws InputError naming the file when it is missing, not HDF5, or not a paraspine results file.
ResultsFileInfo read_results_info(const std::string& path);

// Why H5Fopen could not open `path` for reading, for the InputError: "the file does not exist",
// "it is a directory", "cannot read it: <reason>", else "cannot open as an HDF5 results file".
std::string results_open_problem(const std::string& path);

// Where the model file a results file recorded (`model_file`, `model_digest`) is now: as recorded
// (absolute since session 18; older files stored it as typed, relative to the run's working folder);
// else that relative path beside the results file; else a file of the same name beside the results
// file whose text is the run's (a project folder moved or copied with its model); "" when none is
// found. One rule for render, report and Python.
std::string find_recorded_model_file(const std::string& results_path, const std::string& model_file,
                                     const std::string& model_digest);

// The model text a results or sweep file stores (/inputs/model_text): the run's model exactly, whatever
// has become of its file. Throws InputError naming the file when it cannot be opened or stores none
// (files written before session 21 record only model_file and model_digest; the message names them).
std::string read_stored_model_text(const std::string& path);

// Whether `path` is a regular file that starts with the HDF5 signature (a results or sweep file
// given where a model file is expected, for `paraspine model info`).
bool is_hdf5_file(const std::string& path);

// Whether an open HDF5 file is a sweep file (paraspine sweep -o), which readers of one run's
// results refuse by name.
bool is_sweep_file(hid_t file);

}  // namespace paraspine
