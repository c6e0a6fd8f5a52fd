#pragma once
// Reading a run's summary for the CLI's tables whatever the model: a model file may name its levels
// as it likes (docs/model-format.md), so the tables show L5-S1 and L4-L5 when the model has them and
// the most loaded level always, and a number a summary lacks prints as '-', never as an exception.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace paraspine::cli {

// summary.joints[joint][key], or NaN when the summary has no such number.
inline double joint_number(const nlohmann::json& summary, const std::string& joint, const std::string& key) {
  const auto joints = summary.find("joints");
  if (joints == summary.end() || !joints->is_object()) return std::numeric_limits<double>::quiet_NaN();
  const auto j = joints->find(joint);
  if (j == joints->end() || !j->is_object()) return std::numeric_limits<double>::quiet_NaN();
  const auto v = j->find(key);
  return v != j->end() && v->is_number() ? v->get<double>() : std::numeric_limits<double>::quiet_NaN();
}

// The level with the highest peak compression ("" for a summary without joints).
inline std::string most_loaded_joint(const nlohmann::json& summary) {
  std::string most;
  double peak = -std::numeric_limits<double>::infinity();
  if (summary.contains("joints") && summary["joints"].is_object())
    for (const auto& [name, v] : summary["joints"].items()) {
      const double p = joint_number(summary, name, "peak_compression_N");
      if (p > peak) peak = p, most = name;
    }
  return most;
}

// L5-S1 and L4-L5 when the summary has them, then the most loaded level when it is another.
inline std::vector<std::string> headline_joints(const nlohmann::json& summary) {
  std::vector<std::string> rows;
  for (const char* j : {"L5-S1", "L4-L5"})
    if (summary.contains("joints") && summary["joints"].contains(j)) rows.push_back(j);
  const std::string most = most_loaded_joint(summary);
  if (!most.empty() && std::find(rows.begin(), rows.end(), most) == rows.end()) rows.push_back(most);
  return rows;
}

// The levels `compare` shows: every summary's headline levels, in order of first appearance (a
// heavier lift's most loaded level, T11-T12 above the NIOSH limit, showed only when its file came first).
inline std::vector<std::string> compared_joints(const std::vector<const nlohmann::json*>& summaries) {
  std::vector<std::string> rows;
  for (const nlohmann::json* s : summaries)
    for (const std::string& j : headline_joints(*s))
      if (std::find(rows.begin(), rows.end(), j) == rows.end()) rows.push_back(j);
  return rows;
}

// A peak that fatigue drove: the run had frames where fascicles worked at a fatigue-lowered capacity
// (fatigue_limited_from_s), and the peak is more than 5 % above the one fresh muscles give in the
// same frames. (Only such frames can exceed the fresh peak: elsewhere the answer is the fresh one.)
inline bool fatigue_driven(const nlohmann::json& summary, double peak, double fresh) {
  const auto from = summary.find("fatigue_limited_from_s");
  return from != summary.end() && from->is_number() && std::isfinite(peak) && std::isfinite(fresh) &&
         peak > 1.05 * fresh && peak - fresh > 1e-3;
}

// The change from `first` to `v` for compare's difference column, as the table shows them (`digits`
// decimals): "0 %" when both print the same, '-' when the first prints as zero (a percentage of
// nothing) or either is missing, never "-0 %".
inline std::string percent_change(double first, double v, int digits) {
  if (!std::isfinite(first) || !std::isfinite(v)) return "-";
  const double unit = std::pow(10.0, -digits);
  if (std::round(first / unit) == std::round(v / unit)) return "0 %";
  if (std::abs(first) < 0.5 * unit) return "-";
  const double p = std::round(100 * (v / first - 1));
  return p == 0 ? "0 %" : fmt::format("{:+.0f} %", p);
}

// The change of a signed value (a shear, + anterior) from `first`, in its own unit: "+524 N". A
// percentage of a value that may cross zero means nothing (187 → −337 N printed "−280 %").
inline std::string signed_change(double first, double v, int digits, const char* unit) {
  if (!std::isfinite(first) || !std::isfinite(v)) return "-";
  const double unit_step = std::pow(10.0, -digits);
  const double d = std::round((v - first) / unit_step) * unit_step;
  return d == 0 ? fmt::format("0 {}", unit) : fmt::format("{:+.{}f} {}", d, digits, unit);
}

// A number for a table column: '-' for NaN (no such joint in this model, or no value).
inline std::string cell(double v, int digits, int width) {
  if (std::abs(v) < 0.5 * std::pow(10.0, -digits)) v = 0;  // never "-0" (a signed shear of -1e-13 N)
  return std::isnan(v) ? fmt::format("{:>{}}", "-", width) : fmt::format("{:>{}.{}f}", v, width, digits);
}

}  // namespace paraspine::cli
