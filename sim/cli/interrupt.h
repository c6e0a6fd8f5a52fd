#pragma once
// Ctrl-C (SIGINT), SIGTERM and SIGHUP while a verb writes files: the files it is writing under
// NAME.partial are removed before the process ends, so an interrupted run leaves neither a file
// that looks complete nor a half-written one (the writers remove their partial files themselves
// only when the run ends by an exception). A file already at NAME from an earlier run is untouched.
#include <cstddef>
#include <string>
#include <vector>

namespace paraspine::cli {

// Installs the handlers (once; signals the shell ignores, as for `nohup` or background jobs, stay
// ignored) and sets the files they remove. The handler then ends the process by the same signal,
// saying "interrupted: no <what> written" (just "interrupted" when `what` is empty: a verb with no
// output file, which Ctrl-C used to end without a word).
void remove_on_interrupt(const std::vector<std::string>& partial_files, const std::string& what = "results file");

// The same for a verb that writes several files one after the other or side by side (batch):
// `outputs` are the final names, their NAME.partial files are removed; those marked finished
// (mark_output_finished, safe from any thread) are complete under their final names and kept, and
// the handler names them.
void remove_unfinished_on_interrupt(const std::vector<std::string>& outputs);
void mark_output_finished(size_t index);

// NAME → NAME.partial, where ResultsWriter and write_sweep write until they finish.
std::string partial_file(const std::string& output);

}  // namespace paraspine::cli
