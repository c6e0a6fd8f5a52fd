#pragma once
// --joints LIST (run, compare, sweep, batch, report): which levels the tables show. Joint names as
// the model names them (C4-C5, C7-T1; any case), region words that stand for the levels the model's
// rhythm moves with that region (`cervical`, as `paraspine model info` lists them) and `all`.
// Without --joints the tables are as before: L5-S1, L4-L5 and the most loaded level (summary_view.h).
#include <algorithm>
#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sim/common/error.h"
#include "sim/model/model.h"
#include "sim/model/summary.h"
#include "sim/common/rotation.h"
#include "sim/model/data.h"
#include "sim/scenario/sample.h"
#include "sim/model/known_limits.h"
#include "sim/scenario/scenario.h"

namespace paraspine::cli {

using paraspine::is_cervical_level;  // sim/model/known_limits.h

inline std::string lower_case(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The joints and regions --joints may name: one model's, or the union of several (compare, batch).
struct JointCatalog {
  std::vector<std::string> joints;                                        // the first model's order first
  std::vector<std::pair<std::string, std::vector<std::string>>> regions;  // region → its joints
  void add_joint(const std::string& j) {
    if (std::find(joints.begin(), joints.end(), j) == joints.end()) joints.push_back(j);
  }
  void add_region(const std::string& name, const std::vector<std::string>& js) {
    auto it = std::find_if(regions.begin(), regions.end(), [&](const auto& r) { return r.first == name; });
    if (it == regions.end()) it = regions.insert(regions.end(), {name, {}});
    for (const auto& j : js)
      if (std::find(it->second.begin(), it->second.end(), j) == it->second.end()) it->second.push_back(j);
  }
  void add(const Model& m) {
    for (const auto& j : m.joint_name) add_joint(j);
    for (int r = 0; r < m.nregion; ++r) add_region(m.region_name[r], region_joint_names(m, r));
  }
  // A summary's joints, for a file whose model text cannot be read (no regions then).
  void add_summary(const nlohmann::json& summary) {
    if (summary.contains("joints") && summary["joints"].is_object())
      for (const auto& [name, v] : summary["joints"].items()) add_joint(name);
  }
};

// The levels --joints names, in the order given (a region's in the model's order), each once.
// Throws InputError (exit 2) for a name that is no joint, region or `all`, listing the valid ones.
inline std::vector<std::string> select_joints(const std::vector<std::string>& items, const JointCatalog& c,
                                              const std::string& whose = "the model") {
  std::vector<std::string> out;
  auto add = [&](const std::string& j) {
    if (std::find(out.begin(), out.end(), j) == out.end()) out.push_back(j);
  };
  for (std::string item : items) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty())
      throw InputError("--joints", 0, "", "an empty name in the list: give joint names or regions separated by commas (e.g. C4-C5,C7-T1 or cervical)");
    const std::string key = lower_case(item);
    const auto joint = std::find_if(c.joints.begin(), c.joints.end(), [&](const std::string& j) { return lower_case(j) == key; });
    if (joint != c.joints.end()) {
      add(*joint);
      continue;
    }
    const auto region = std::find_if(c.regions.begin(), c.regions.end(), [&](const auto& r) { return lower_case(r.first) == key; });
    if (region != c.regions.end()) {
      for (const auto& j : region->second) add(j);
      continue;
    }
    if (key == "all") {
      for (const auto& j : c.joints) add(j);
      continue;
    }
    std::string joints, regions;
    for (const auto& j : c.joints) joints += (joints.empty() ? "" : ", ") + j;
    for (const auto& r : c.regions) regions += (regions.empty() ? "" : ", ") + r.first;
    throw InputError("--joints", 0, item,
                     "no such joint or region in " + whose + " (joints: " + joints + (regions.empty() ? "" : "; regions: " + regions) + "; or all)");
  }
  return out;
}

// Whether the scenario turns the head or neck: a nonzero angle of a region that moves a cervical
// level (or of a region named cervical or head), or of a cervical level itself (joints_deg), in any
// keyframe, a motion file's rows included. `run` then adds the most loaded cervical level to its table.
inline bool scenario_moves_neck(const Scenario& sc, const Model& m) {
  for (const auto& k : sc.keyframes) {
    for (const auto& a : k.angles) {
      if (a.degrees == 0) continue;
      if (a.region == "cervical" || a.region == "head") return true;
      const int r = m.region_index(a.region);
      if (r >= 0)
        for (const auto& j : region_joint_names(m, r))
          if (is_cervical_level(j)) return true;
    }
    for (const auto& a : k.joint_angles)
      if (a.degrees != 0 && is_cervical_level(a.region)) return true;
  }
  return false;
}

// The largest flexion of the neck, degrees (neck_flexion_deg, known_limits.h) at the scenario's
// keyframes, as the run samples them. `run` warns from kNeckFlexionCaveatDeg on, as the pictures do.
using paraspine::kNeckFlexionCaveatDeg;
// `b`: sc bound to m (bind_scenario), shared with rest_posture_inclination_deg.
inline double max_neck_flexion_deg(const Scenario& sc, const BoundScenario& b, const Model& m) {
  if (sc.keyframes.empty()) return 0;
  Data d(m);
  double most = 0;
  for (const auto& k : sc.keyframes) {
    sample_scenario(sc, b, k.time, d);
    most = std::max(most, neck_flexion_deg(m, d.q));
  }
  return most;
}

// The forward inclination of the trunk in the scenario's first keyframe, degrees: pelvis flexion plus
// the lumbar and thoracic levels' flexion. Rests and standing breaks are taken in that posture with
// the hands empty (docs/scenarios.md, rest_s), so a scenario that starts stooped rests stooped:
// `run` says so from kStoopedRestDeg on (audit24e #6: a 45° stoop's five-minute breaks recovered
// nothing, 0.898 → 0.899 fatigued, where an upright first keyframe gave 0.593).
// 20°: a presentation threshold, not a physiological one (an assumption: well past the few degrees
// of sway in relaxed standing, and the flexion of the audit's case was 45°).
inline constexpr double kStoopedRestDeg = 20;
inline double rest_posture_inclination_deg(const Scenario& sc, const BoundScenario& b, const Model& m) {
  if (sc.keyframes.empty()) return 0;
  Data d(m);
  sample_scenario(sc, b, sc.keyframes.front().time, d);
  double sum = d.pelvis_angles[0];
  for (int j = 0; j < m.njoint; ++j)
    if (m.joint_name[j].size() > 1 && (m.joint_name[j][0] == 'L' || m.joint_name[j][0] == 'T') && std::isdigit(static_cast<unsigned char>(m.joint_name[j][1])))
      sum += d.q[3 * j];
  return rad2deg(sum);
}

// The cervical level with the highest peak compression ("" when the summary has none).
inline std::string most_loaded_cervical_joint(const nlohmann::json& summary) {
  std::string most;
  double peak = -std::numeric_limits<double>::infinity();
  if (summary.contains("joints") && summary["joints"].is_object())
    for (const auto& [name, v] : summary["joints"].items()) {
      if (!is_cervical_level(name) || !v.is_object() || !v.contains("peak_compression_N") || !v["peak_compression_N"].is_number()) continue;
      const double p = v["peak_compression_N"].get<double>();
      if (p > peak) peak = p, most = name;
    }
  return most;
}

}  // namespace paraspine::cli
