#pragma once
// Diagnostics for the load-sharing solver: with the environment variable PARASPINE_QP_CAPTURE set
// to a file name, every QP that load sharing solves once per frame (activation2, stress2) is
// appended to that file with how it was started, so a chain of frames from any run (`paraspine
// run`, `paraspine bench`, a benchmark) can be solved again alone, under callgrind or with another
// solver setting (benchmarks/replay/qp_replay.cpp). PARASPINE_QP_CAPTURE_MAX caps the number of
// records (default: no cap). Off (one cached test per call) unless the variable is set. A file that
// cannot be opened or written is reported on stderr and capturing stops; the run goes on. Runs that
// solve chains of frames on several threads (`--no-fatigue --threads N`) interleave their records.
// A solve started from other multipliers than the last solve's (load_sharing's `start`: a repeated
// task's start from the last repetition, run.cpp) is recorded as warm and replayed from the replay's
// own last solution: replays of such runs follow the previous-frame chain (RunOptions::
// warm_start_from_repetition = false reproduces it exactly).
#include <cstdio>
#include <string>
#include <vector>

#include "sim/loadsharing/qp.h"

namespace paraspine {

bool qp_capture_enabled();
// Appends w's problem (A within its columns' row ranges, b, h, g, lo, hi), the warm flag and
// whether the warm start may extrapolate the multipliers to the PARASPINE_QP_CAPTURE file.
// Thread-safe (one record at a time).
void qp_capture(const QpWorkspace& w, bool warm, bool extrapolate);

// The record format, to any open file (what qp_capture appends); false if a write failed.
bool qp_capture_write(std::FILE* f, const QpWorkspace& w, bool warm, bool extrapolate);

struct QpCaptureRecord {
  bool warm = false, extrapolate = false;
  int n = 0, m = 0;
  std::vector<int> row_begin, row_end;
  std::vector<double> b, h, g, lo, hi, a;  // a: the columns' row ranges, column after column
};
// Reads the next record; false at the end of the file. Throws std::runtime_error on a damaged file.
bool qp_capture_read(std::FILE* f, QpCaptureRecord& r);
// Puts a record's problem into w (resizing it when the sizes differ; the warm-start state is kept
// otherwise, as in a run).
void qp_capture_load(const QpCaptureRecord& r, QpWorkspace& w);

}  // namespace paraspine
