#pragma once
// What a run's numbers do not say by themselves: the caveats `paraspine run` prints under its table
// (the abdominal pressure's step, rests taken stooped, a flexed neck, lower bounds, a neck flexor
// failing first, loads after a failure, a strength limit, unfinished solves), made once here and
// kept in the summary as `notes`, so the results file, `--json` and Python carry them too (audit25j
// #4: a notebook user never saw them).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/model/model.h"
#include "sim/scenario/scenario.h"

namespace paraspine {

struct RunNote {
  std::string key;   // what it is about: abdominal_pressure_step, stooped_rests, neck_flexion, lower_bounds,
                     // neck_flexor_fails_first, loads_fall_after_failure, strength_limit, unconverged_solves
  std::string text;  // one paragraph, no line breaks
};

// The notes for a run of `sc` on `m` whose summary is `summary` (run_scenario's, without `notes`);
// `b`: sc bound to m. In the order `run` prints them.
// What the run saw frame by frame that the notes read (the summary keeps neither).
struct RunObservations {
  std::vector<double> fresh_peak_activation;  // (nmuscle) each fascicle's fresh-muscle peak; empty: not known
  double peak_neck_flexion_deg = 0;           // the largest neck_flexion_deg (known_limits.h) of the run's frames
};
std::vector<RunNote> run_notes(const Model& m, const Scenario& sc, const BoundScenario& b, const nlohmann::json& summary,
                               const RunObservations& seen);

// The abdominal fascicles whose path rides on a lumbar vertebra (external and internal oblique,
// rectus abdominis with a point on L1 … L5): the model's abdominal wall on the spine (docs/model.md,
// "Open findings"), whose co-contraction against the erectors is a known artefact (audit24o #12,
// audit25t A1). Indices into the model's muscles.
std::vector<int> abdominal_wall_on_spine(const Model& m);
// From this peak activation on, `run` and the pictures say so: a presentation threshold [A] above
// the 0.22 these slips show in quiet standing and below the 0.70 of an unloaded 50° flexion.
inline constexpr double kAbdominalArtefactActivation = 0.5;

// The notes as the summary keeps them: [{"key": ..., "text": ...}, ...].
nlohmann::json notes_json(const std::vector<RunNote>& notes);

// Whether the scenario turns the head or neck: a nonzero angle of a region that moves a cervical
// level (or of a region named cervical or head), or of a cervical level itself (joints_deg), in any
// keyframe, a motion file's rows included.
bool scenario_moves_neck(const Scenario& sc, const Model& m);

// The forward inclination of the trunk in the scenario's first keyframe, degrees: pelvis flexion plus
// the lumbar and thoracic levels' flexion. Rests and standing breaks are taken in that posture with
// the hands empty (docs/scenarios.md, rest_s), so a scenario that starts stooped rests stooped: a
// note says so from kStoopedRestDeg on (audit24e #6: a 45° stoop's five-minute breaks recovered
// nothing, 0.898 → 0.899 fatigued, where an upright first keyframe gave 0.593).
// 20°: a presentation threshold, not a physiological one (an assumption: well past the few degrees
// of sway in relaxed standing, and the flexion of the audit's case was 45°).
inline constexpr double kStoopedRestDeg = 20;
double rest_posture_inclination_deg(const Scenario& sc, const BoundScenario& b, const Model& m);

}  // namespace paraspine
