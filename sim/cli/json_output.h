#pragma once
// --json output of run, compare, sweep and batch. nlohmann::json keeps object keys sorted, so a
// summary's "joints" object listed C0-C1 … C7-T1, L1-L2 … L5-S1, T1-T2 …: the spine in alphabetical
// order, which a reader of the JSON (or a script iterating it) took for the model's. Printed here
// with every "joints" object in spinal order, from the pelvis up (L5-S1, L4-L5, …, T12-L1, …, C7-T1,
// …, C0-C1), as the tables and the Python package list them; other keys stay sorted.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace paraspine::cli {

// Position of a level, from the pelvis up, by its superior vertebra's name: L5-S1 0 … L1-L2 4,
// T12-L1 5 … T1-T2 16, C7-T1 17 … C1-C2 23, C0-C1 24; -1 for a name that is no such level.
inline int spinal_level_rank(const std::string& joint) {
  const auto dash = joint.find('-');
  if (dash == std::string::npos || dash < 2) return -1;
  const char region = joint[0];
  int n = 0;
  for (size_t i = 1; i < dash; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(joint[i]))) return -1;
    n = 10 * n + (joint[i] - '0');
  }
  if (region == 'L' && n >= 1 && n <= 5) return 5 - n;
  if (region == 'T' && n >= 1 && n <= 12) return 5 + 12 - n;
  if (region == 'C' && n >= 0 && n <= 7) return 17 + 7 - n;
  return -1;
}

// `j` as ordered JSON, every object under a key "joints" in spinal order (names that are no level
// after the levels, sorted).
inline nlohmann::ordered_json in_spinal_order(const nlohmann::json& j, bool joints = false) {
  if (j.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& v : j) out.push_back(in_spinal_order(v));
    return out;
  }
  if (!j.is_object()) return nlohmann::ordered_json(j);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  if (joints)
    std::stable_sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
      const int ra = spinal_level_rank(a), rb = spinal_level_rank(b);
      if ((ra < 0) != (rb < 0)) return ra >= 0;  // levels first
      return ra >= 0 ? ra < rb : a < b;
    });
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& k : keys) out[k] = in_spinal_order(j.at(k), k == "joints");
  return out;
}

// What every --json prints: 2-space indent, invalid UTF-8 replaced, joints in spinal order.
inline void print_json(const nlohmann::json& j) {
  std::cout << in_spinal_order(j).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace paraspine::cli
