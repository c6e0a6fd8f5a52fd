#pragma once
// Checks made before a run starts on where its results file will go, so that a typo in -o fails
// at once instead of after the whole run (the writers only find out when they create or rename).
#include <string>
#include <vector>

namespace paraspine {

// Throws InputError(path, 0, "output", ...) when `path` is a directory, or its folder does not
// exist, is not a folder, or is not writable.
void check_output_path(const std::string& path);

// Also refuses a path that is one of the run's input files (the scenario, the model): the finished
// results would be renamed over it and the input lost.
void check_output_path(const std::string& path, const std::vector<std::string>& inputs);

// A results file (`run`/`sweep -o`, Python's simulate/sweep `output=`) is HDF5 whatever it is
// called: `-o out.json --json` wrote an HDF5 file named out.json without a word. A text name
// (.json, .csv, .txt, .yaml, .yml) is refused, since the user surely wanted that text: InputError
// (option, 0, path, "results files are HDF5, not json: give a .h5 name (" + hint + ")"), `option`
// named as the caller's user wrote it ("-o", "output"), `hint` where the text they wanted is.
// Any other name without an HDF5 suffix (.h5 .hdf5 .hdf .he5 .nc) returns a warning for the
// caller to give its own way ("the results file is HDF5 (usually named .h5)"); "" otherwise.
// A --csv table: checked as any output, refused when it names an input of the run (the scenario,
// its model or motion file) or the run's own results file (-o, which may not exist yet), or has a
// results or scenario file's extension (--csv run.h5 is a slip for -o).
void check_table_path(const std::string& path, const std::vector<std::string>& inputs, const std::vector<std::string>& outputs);

std::string check_results_name(const std::string& path, const std::string& option, const std::string& hint);


}  // namespace paraspine
