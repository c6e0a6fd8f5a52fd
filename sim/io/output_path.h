#pragma once
// Checks made before a run starts on where its results file will go, so that a typo in -o fails
// at once instead of after the whole run (the writers only find out when they create or rename).
#include <string>

namespace paraspine {

// Throws InputError(path, 0, "output", ...) when `path` is a directory, or its folder does not
// exist, is not a folder, or is not writable.
void check_output_path(const std::string& path);

}  // namespace paraspine
