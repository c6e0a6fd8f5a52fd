#pragma once
// What `paraspine model info` prints, as one JSON value (the CLI prints it as text or JSON; Python
// returns it as a dict), so the three never disagree.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sim/model/model.h"

namespace paraspine {

// {name, file, segments, joints, dofs, muscles, path_points, total_mass_kg, reference_subject,
//  groups: {group: {side: {fascicles, max_force_N}}}, segment_list, joint_list, regions}
nlohmann::json model_summary(const Model& m);

// The subject a (scaled) model describes, as results files and run summaries record it:
// {body_mass_kg, height_m, sex, strength_factor, fatigue_rate_scale, recovery_rate_scale}.
nlohmann::json subject_summary(const Model& m);

// The joints region r moves (a nonzero share of any of its three angles in the rhythm), in the
// model's order: model_summary's "regions" and the CLI's --joints region words use this one rule.
std::vector<std::string> region_joint_names(const Model& m, int r);

// The level with the highest peak compression in a run's summary (`joints` → `peak_compression_N`;
// "" for a summary without joints): the tables' "most loaded level" and the run's notes.
std::string most_loaded_joint(const nlohmann::json& summary);

// Human-readable form of model_summary.
std::string model_summary_text(const Model& m);

}  // namespace paraspine
