#pragma once
// `paraspine bench`: what users run to benchmark the load-sharing solver. Generates N varied,
// realistic frames of a model — a smooth random motion through the range of motion (new random
// posture keyframes every 0.5 s, 100 frames per second) with random hand loads — and solves each
// frame's load sharing with our solver cold, warm-started (frame to frame, as in a scenario), and
// with Ipopt on the identical problem.
#include <string>

#include "sim/loadsharing/loadsharing.h"
#include "sim/model/model.h"

namespace paraspine {

struct BenchReport {
  std::string model;
  std::string criterion;
  int frames = 0;
  double ours_warm_us_per_frame = 0, ours_cold_us_per_frame = 0, ipopt_us_per_frame = 0;
  double speedup_vs_ipopt = 0;           // Ipopt time / our warm time
  double median_iterations_warm = 0, median_iterations_cold = 0, median_iterations_ipopt = 0;
  double max_force_deviation_N = 0;      // max over frames and muscles |F_ours − F_ipopt|
  double max_objective_rel_deviation = 0;
  double max_equilibrium_residual_Nm = 0;
  double max_reserve_Nm = 0;
  int ipopt_failures = 0;
  bool ipopt_compared = true;            // false for minmax (no single smooth NLP to hand Ipopt)
};

// Throws std::invalid_argument for frames < 1. `progress` (may be null) is called with the fraction done.
BenchReport run_bench(const Model& m, int frames, Criterion criterion, unsigned seed = 1,
                      void (*progress)(double) = nullptr);

}  // namespace paraspine
