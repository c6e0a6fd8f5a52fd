#pragma once
// Sweeps: a scenario over a grid of parameters, in parallel (OpenMP over grid points; each point
// scales its own model and owns its own Data, the base model is shared read-only).
// An axis varies a subject parameter (subject.mass, subject.height, subject.strength) or any
// existing scenario value (a --set path, e.g. keyframes[2].hands.both.load_kg).
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/model/model.h"
#include "sim/scenario/scenario.h"

namespace paraspine {

struct SweepAxis {
  std::string path;
  std::vector<double> values;
};

// "PATH=START:STOP:N" (N evenly spaced values, ends included) or "PATH=V1,V2,..."; throws
// InputError naming the argument when malformed.
SweepAxis parse_sweep_axis(const std::string& spec);

struct SweepResult {
  std::vector<SweepAxis> axes;
  std::vector<nlohmann::json> summaries;  // one per grid point, row-major over the axes
};

// `progress(fraction done)` is called on the calling thread after its grid points; returning false
// stops the sweep: points not yet started are skipped, those running finish, and SweepStopped is
// thrown (Python's Ctrl-C, or a progress callback that raised).
struct SweepStopped : std::runtime_error {
  SweepStopped() : std::runtime_error("sweep stopped") {}
};
SweepResult run_sweep(const Scenario& base, const std::vector<SweepAxis>& axes, int threads,
                      bool (*progress)(double) = nullptr);

// One HDF5 file (written as .partial, renamed when complete): /grid/<i> axis values with `path`
// attributes; /summary/<joint>/peak_compression_N etc. shaped like the grid; /reserves/peak_Nm,
// /endurance_s (NaN when the task never fails); `summaries` attribute with every summary as JSON.
void write_sweep(const std::string& path, const Scenario& base, const SweepResult& r);

}  // namespace paraspine
