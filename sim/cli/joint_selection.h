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
#include "sim/simulate/run_notes.h"

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

// Moved to the engine with the run's notes (sim/simulate/run_notes.h): `run` adds the most loaded
// cervical level to its table when the scenario moves the neck.
using paraspine::kNeckFlexionCaveatDeg;
using paraspine::kStoopedRestDeg;
using paraspine::rest_posture_inclination_deg;
using paraspine::scenario_moves_neck;

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
