#pragma once
// Running a scenario: every output frame goes through the whole pipeline — kinematics, inverse
// dynamics, muscle geometry and capacity, load sharing, spinal loads, fatigue — and is streamed to
// the results writer (if any) while the summary accumulates, so memory does not grow with duration.
#include <functional>
#include <nlohmann/json.hpp>

#include "sim/fatigue/three_compartment.h"
#include "sim/io/results_writer.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/scenario/scenario.h"

namespace paraspine {

// The load-sharing settings a scenario asks for: its criterion, solver tolerance and whether the
// model's intra-abdominal pressure is used. Every runner (CLI, sweep, batch, validate, Python) takes
// them from here.
LoadSharingSettings scenario_load_sharing(const Scenario& sc);

// Frame f of scenario s (bound to m by bind_scenario) as a --no-fatigue run evaluates it before load
// sharing: posture, rates, hand and external loads, kinematics, inverse dynamics, muscle geometry
// and the fresh muscles' capacity, in d. `paraspine bench --scenario` solves these frames.
void evaluate_scenario_frame(const Model& m, const Scenario& s, const BoundScenario& b, long f, Data& d);

struct RunOptions {
  LoadSharingSettings loadsharing;
  FatigueParameters fatigue;
  // Threads for the frames of a --no-fatigue run (solved in parallel chains); a run with fatigue goes
  // frame by frame on one thread (docs/performance.md, "Threads"). Results identical for every count.
  int threads = 1;
  // Write every n-th frame to the results file (and the last): the run still simulates and
  // summarises every frame at the scenario's output_rate_hz, which is also its time step (audit24s
  // #1: lowering the rate of the 8-h shift from 10 to 1 Hz to get a smaller file moved its
  // endurance from 602 to 782 s and its L5-S1 peak by 15 %, because a 5.3-s lift was sampled 5 times).
  long write_every = 1;
  // Fatigue and creep carry each frame's state to the next. Off (--no-fatigue): every fascicle
  // stays fresh, no creep, and frames are independent — solved in parallel with --threads.
  bool time_coupling = true;
  // Re-solve load sharing only when posture, loads, a bound fascicle's capacity or the creep has
  // changed past a tolerance (run.cpp, QuasiStatic). Off: every frame is solved.
  bool quasi_static_reuse = true;
  double capacity_tolerance = 5e-3;  // of a bound fascicle's capacity, since the last solve
  double passive_tolerance = 1e-2;   // N·m of any passive joint moment (creep), since the last solve
  // A repeated task's frame that must be solved, at a point where the last repetition's solve needed
  // reserves and its multipliers had settled (moved by at most a quarter of the reserve cost since
  // the repetition before), warm-starts the solver from them rather than from the last frame's
  // (run.cpp, RepeatedCycle; docs/performance.md, session 7). Off: always the last frame's.
  bool warm_start_from_repetition = true;
  // Work that repeats bit for bit is not redone: forward kinematics whose inputs equal the last
  // frame's (held postures, rests), and each repeated-cycle slot keeps its own fatigue step maps
  // (run.cpp, RepeatedCycle), and a repeated task's frame that is solved again takes the inverse
  // dynamics, muscle geometry and force capacities of the same point of an earlier repetition, whose
  // inputs were the same bits (run.cpp, PostureWork). Results are bit-identical either way (tested;
  // only repeated_posture_frames differs); off only to check that.
  bool reuse_frame_work = true;
  void (*progress)(double fraction, double sim_time, double duration) = nullptr;
  // Called with every finished frame, after the writer (the Python module records frames in
  // memory with it), in frame order and on the thread that called run_scenario (as is `progress`),
  // whatever the thread count. May throw to abort the run; the writer then removes its partial file.
  std::function<void(double time, const Data& d)> on_frame;
};

// The summary (the CLI prints it; --json and /summary carry it):
// {scenario, model, subject, criterion, duration_s, frames,
//  joints: {name: {peak_compression_N, mean_compression_N, peak_shear_ap_N, peak_shear_lateral_N
//           (the shears' largest magnitudes), peak_shear_ap_signed_N, peak_shear_lateral_signed_N
//           (the signed shear in the frame of that magnitude: + anterior / right, - posterior / left),
//           peak_compression_time_s (when the peak was first reached), fresh_peak_compression_N (the
//           peak of the same frames with every fascicle fresh), end_creep_deg}},
//  groups: {group: {side: {peak_activation, mean_activation, end_fatigued_fraction (F0-weighted:
//           the share of the group's strength lost), recovery_to_90_s, recovery_to_95_s (null when
//           complete rest does not get there within 10¹² s),
//           peak_activation_time_s, fresh_peak_activation}}},
//  reserves: {peak_moment_Nm, frames_used_fraction, peak_fatigue_share_of_strength (the largest
//             reserve fatigue added beyond the fresh frame's, / that rotation's strength),
//             failure_threshold_share_of_strength (0.005), frames_over_failure_threshold_fraction,
//             and when that peak is above 0: peak_fatigue_rotation (e.g. "L4-L5 extension moment"),
//             peak_fatigue_added_Nm and peak_fatigue_rotation_strength_Nm, the share's two terms —
//             a rotation's strength can be small, so the share is not bounded by 1},
//  fatigue_limited_from_s (first frame a fascicle worked at a fatigue-lowered capacity, or null),
//  fresh_muscle_solves (the extra solves the fresh peaks took),
//  endurance_s (null when the task never fails), first_to_fail (group or null), first_to_fail_side
//  and first_to_fail_fascicle (that fascicle's side and name, or null),
//  recovery: {to_90_percent_s, to_95_percent_s (the slowest group's; null as above), slowest_group,
//             slowest_side},
//  load_sharing_solves, load_sharing_iterations (the solver's steps over all solves),
//  load_sharing_unconverged_solves (solves that stopped at the iteration limit or on a numerical
//  failure), load_sharing_max_residual_Nm (the largest equilibrium residual of any solve),
//  fatigue (whether fatigue and creep ran: false with time_coupling off),
//  repeated_cycle_frames (frames that took an earlier repetition's answer),
//  repeated_posture_frames (solved frames whose inverse dynamics, muscle geometry and force
//  capacities were those of the same point of an earlier repetition: same inputs, bit for bit)}
nlohmann::json run_scenario(const Model& m, const Scenario& s, const RunOptions& options,
                            ResultsWriter* writer);

}  // namespace paraspine
