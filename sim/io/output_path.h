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

}  // namespace paraspine
