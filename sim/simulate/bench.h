#pragma once
// `paraspine bench`: what users run to benchmark the load-sharing solver. Generates N varied
// frames of a model — a smooth random motion (a new random posture keyframe every 1 s, or every
// 0.5 s for the harsh motion; 100 frames per second) with random hand loads — and solves each frame's load sharing with our solver cold,
// warm-started (frame to frame, as in a scenario), and with Ipopt on the identical problem.
//
// Two motions (docs/performance.md, "Which frames `paraspine bench` solves"):
// - everyday (default): a new everyday posture every second (every region up to 25 % of its range
//   on every axis at once, pelvis within ±20°; `everyday_posture`) with 0–10 kg in each hand — the
//   postures and loads the full model must carry without reserves (test FullSpineTasks);
// - harsh: a keyframe every 0.5 s, every region up to 60 % of its range on every axis at once, pelvis flexed 0–40°, bent
//   ±5° and twisted ±15°, 0–15 kg in each hand. On full_spine no frame of it needs reserves since the
//   hyoid chains (session 6); on the lumbar model most do (277 of 300, session 12), and Ipopt solves
//   those with the reserve variables free (docs/performance.md).
#include <functional>
#include <limits>
#include <map>
#include <string>

#include "sim/loadsharing/loadsharing.h"
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

enum class BenchMotion { kEveryday, kHarsh };
// "everyday" or "harsh"; throws std::invalid_argument naming the accepted values.
BenchMotion parse_bench_motion(const std::string& name);
const char* bench_motion_name(BenchMotion motion);

struct BenchReport {
  std::string model;
  std::string motion;
  std::string criterion;
  int frames = 0;
  double ours_warm_us_per_frame = 0, ours_cold_us_per_frame = 0, ipopt_us_per_frame = 0;
  double speedup_vs_ipopt = 0;           // Ipopt time / our warm time
  double median_iterations_warm = 0, median_iterations_cold = 0, median_iterations_ipopt = 0;
  double max_force_deviation_N = 0;      // max over frames and muscles |F_ours − F_ipopt|
  double max_objective_rel_deviation = 0;
  double max_equilibrium_residual_Nm = 0;
  double max_reserve_Nm = 0;
  int frames_with_reserves = 0;         // frames where the muscles could not carry the load
  double ours_warm_us_in_reserve_frames = 0;  // of the warm time, spent on those frames (µs, total)
  double max_iterations_warm = 0, p90_iterations_warm = 0;
  struct ReserveUse {
    int frames = 0;
    double most_negative_Nm = 0, most_positive_Nm = 0;
  };
  std::map<std::string, ReserveUse> reserves_by_rotation;  // "L5-S1 flexion" → frames, extreme reserves
  int ipopt_failures = 0;
  int timing_passes_warm = 1, timing_passes_cold = 1;  // passes timed (the fastest is reported): repeated while under a second
  int ipopt_acceptable = 0;  // of the compared frames, Ipopt's "acceptable point" with KKT residuals that pass (IpoptResult::acceptable)
  // Signed: (ours − Ipopt) / |Ipopt| of the objective, largest over the frames (negative: ours lower
  // everywhere), and the frames where ours is lower — which solver is nearer the optimum (audit23s #6:
  // the unsigned deviation could not say).
  double max_objective_excess_rel = -std::numeric_limits<double>::infinity();
  int frames_ours_objective_lower = 0;
  // Our solves that stopped before convergence (iteration limit or a numerical failure), warm and cold.
  int unconverged_warm = 0, unconverged_cold = 0;
  bool ipopt_compared = true;            // false for minmax (no single smooth NLP to hand Ipopt)
};

// Throws std::invalid_argument for frames < 1. `progress` (may be null) is called with the fraction done.
BenchReport run_bench(const Model& m, int frames, Criterion criterion, unsigned seed = 1,
                      void (*progress)(double) = nullptr, BenchMotion motion = BenchMotion::kEveryday);

// The same on frames the caller gives: `prepare(f, d)` puts frame f (0 ≤ f < frames) into d,
// evaluated up to load sharing (evaluate_frame), the same frame each time it is asked. `motion`
// names them in the report. `paraspine bench --scenario` passes a scenario's frames
// (evaluate_scenario_frame, run.h): a user's own task against Ipopt (audit23s #7).
BenchReport run_bench_frames(const Model& m, int frames, const LoadSharingSettings& s,
                             const std::function<void(int, Data&)>& prepare, const std::string& motion,
                             void (*progress)(double) = nullptr);

}  // namespace paraspine
