#pragma once
// Reading a run's summary for the CLI's tables whatever the model: a model file may name its levels
// as it likes (docs/model-format.md), so the tables show L5-S1 and L4-L5 when the model has them and
// the most loaded level always, and a number a summary lacks prints as '-', never as an exception.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include "sim/model/summary.h"
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

using paraspine::most_loaded_joint;  // sim/model/summary.h: the run's notes read it too

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

// A compression the reserves make a lower bound, marked "≥" (summary `loads_are_lower_bounds`). Only
// compressions: the muscle force a reserve stands in for would add compression, but could move a
// shear either way (extensor fascicles pull posteriorly).
inline std::string bound_cell(double v, int digits, int width, bool lower_bound) {
  if (!lower_bound || std::isnan(v)) return cell(v, digits, width);
  std::string number = cell(v, digits, 0);
  return fmt::format("{:>{}}", "≥" + number, width);
}

// Under batch's and sweep's tables: what the verdict column reads, and that its shear half is the
// less certain (audit26d #16: the ±10° disc frame of docs/mechanics.md moves a stoop's L5-S1 AP
// shear from 686 to 1005 N).
inline constexpr const char* kVerdictLegend =
    "\n  verdict: the worst lumbar level against the NIOSH compression limits (action 3400 N, maximum permissible\n"
    "  6400 N) and the AP shear limits (700 / 1000 N; shear is the less certain of the two, the disc frame's ±10°);\n"
    "  AP shear + anterior, - posterior (docs/scenarios.md, \"Reading loads against occupational limits\")\n";

// The text of the summary's note `key` (sim/simulate/run_notes.h), "" when the run has none.
inline std::string note_text(const nlohmann::json& summary, const std::string& key) {
  const auto notes = summary.find("notes");
  if (notes == summary.end() || !notes->is_array()) return "";
  for (const auto& n : *notes)
    if (n.is_object() && n.value("key", "") == key && n.contains("text") && n["text"].is_string()) return n["text"].get<std::string>();
  return "";
}

// `text` after `prefix`, broken into lines of at most `width` columns (UTF-8 characters counted),
// the lines after the first indented by `indent` spaces; each line ends in a newline.
inline std::string wrapped(const std::string& prefix, const std::string& text, size_t indent, size_t width = 116) {
  auto columns = [](const std::string& s) {
    size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::string out = prefix;
  size_t col = columns(prefix);
  size_t pos = 0;
  bool first_word = true;
  // Any run of white space (a '\n' or tab in a note's text included) is one break between words,
  // so the column count and the indentation hold (review25 S5).
  while (pos < text.size()) {
    size_t end = text.find_first_of(" \t\n\r", pos);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    // A unit never starts a line: "0.5 %" stays together (the word after a number that is '%').
    while (pos < text.size() && text[pos] == '%') {
      size_t next = text.find_first_of(" \t\n\r", pos);
      if (next == std::string::npos) next = text.size();
      word += ' ' + text.substr(pos, next - pos);
      pos = next + 1;
    }
    if (!first_word && col + 1 + columns(word) > width) {
      out.push_back('\n');
      out.append(indent, ' ');  // not "\n" + std::string(...): GCC 12's -Wrestrict misfires on it (PR 105329)
      col = indent;
    } else if (!first_word) {
      out += ' ';
      ++col;
    }
    out += word;
    col += columns(word);
    first_word = false;
  }
  return out + "\n";
}

inline bool loads_are_lower_bounds(const nlohmann::json& summary) {
  const auto it = summary.find("loads_are_lower_bounds");
  return it != summary.end() && it->is_boolean() && it->get<bool>();
}

// summary.joints[joint][key] as a string, "" when absent.
inline std::string joint_text(const nlohmann::json& summary, const std::string& joint, const std::string& key) {
  const auto joints = summary.find("joints");
  if (joints == summary.end() || !joints->is_object() || !joints->contains(joint)) return "";
  const auto& j = (*joints)[joint];
  const auto v = j.find(key);
  return v != j.end() && v->is_string() ? v->get<std::string>() : "";
}

// The run table's note for one level: its lumbar verdicts against the occupational limits
// (load_limits.h), "" below them all.
inline std::string limit_note(const nlohmann::json& summary, const std::string& joint) {
  std::vector<std::string> parts;
  const std::string c = joint_text(summary, joint, "compression_verdict"), s = joint_text(summary, joint, "shear_ap_verdict");
  if (c == "above_max_permissible_limit") parts.push_back("above the NIOSH maximum permissible limit (6400 N)");
  else if (c == "above_action_limit") parts.push_back("above the NIOSH action limit (3400 N)");
  if (s == "above_occasional_limit") parts.push_back("AP shear above 1000 N (occasional-loading limit)");
  else if (s == "above_frequent_limit") parts.push_back("AP shear above 700 N (limit for 100-1000 loadings a day)");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// One verdict for a whole run, for batch, sweep and CSV rows: "not capable (reserves)" first where
// reserves acted (the task is beyond the modelled strength, whatever the loads say), then the worst
// lumbar level against each limit; "ok" only when neither applies, "no lumbar level" for a model
// whose joints have no verdicts.
inline std::string run_verdict(const nlohmann::json& summary) {
  std::string worst_c, worst_c_joint, worst_s, worst_s_joint;
  double worst_c_N = -1, worst_s_N = -1;
  bool any_lumbar = false;
  auto rank_c = [](const std::string& v) { return v == "above_max_permissible_limit" ? 2 : v == "above_action_limit" ? 1 : 0; };
  auto rank_s = [](const std::string& v) { return v == "above_occasional_limit" ? 2 : v == "above_frequent_limit" ? 1 : 0; };
  if (summary.contains("joints") && summary["joints"].is_object())
    for (const auto& [name, v] : summary["joints"].items()) {
      const std::string c = joint_text(summary, name, "compression_verdict"), s = joint_text(summary, name, "shear_ap_verdict");
      any_lumbar = any_lumbar || !c.empty();
      // Among levels past the same limit, the one with the larger peak (audit24e #2: the first in
      // the summary's order was named, L1-L2 at 3577 N where L2-L3 carried 3730 N).
      const double cN = v.value("peak_compression_N", 0.0), sN = v.value("peak_shear_ap_N", 0.0);
      if (rank_c(c) > rank_c(worst_c) || (rank_c(c) > 0 && rank_c(c) == rank_c(worst_c) && cN > worst_c_N))
        worst_c = c, worst_c_joint = name, worst_c_N = cN;
      if (rank_s(s) > rank_s(worst_s) || (rank_s(s) > 0 && rank_s(s) == rank_s(worst_s) && sN > worst_s_N))
        worst_s = s, worst_s_joint = name, worst_s_N = sN;
    }
  std::vector<std::string> parts;
  if (loads_are_lower_bounds(summary)) parts.push_back("not capable (reserves)");
  if (rank_c(worst_c) == 2) parts.push_back("compression > MPL 6400 (" + worst_c_joint + ")");
  else if (rank_c(worst_c) == 1) parts.push_back("compression > AL 3400 (" + worst_c_joint + ")");
  if (rank_s(worst_s) > 0)
    parts.push_back(std::string("AP shear > ") + (rank_s(worst_s) == 2 ? "1000" : "700") + " (" + worst_s_joint + ")");
  if (parts.empty()) return any_lumbar ? "ok" : "no lumbar level";
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// CSV export (batch and sweep --csv): one row per run, loads rounded to 1 N. A field with a comma or
// a quote is quoted (RFC 4180).
inline std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

inline std::string csv_number(double v, int digits) {
  if (std::isnan(v)) return "";
  if (std::abs(v) < 0.5 * std::pow(10.0, -digits)) v = 0;
  return fmt::format("{:.{}f}", v, digits);
}

// `joints` (--joints): these levels' columns, each with its peak compression, its time and the signed
// shears, instead of the default L5-S1 and L4-L5 ones (unchanged without --joints).
inline std::string csv_summary_header(const std::vector<std::string>& joints = {}) {
  std::string levels;
  for (const auto& j : joints)
    levels += csv_field(j + "_peak_compression_N") + "," + csv_field(j + "_peak_compression_time_s") + "," +
              csv_field(j + "_peak_shear_ap_N") + "," + csv_field(j + "_peak_shear_lateral_N") + ",";
  if (joints.empty())
    levels = "L5-S1_peak_compression_N,L5-S1_peak_compression_time_s,L5-S1_peak_shear_ap_N,"
             "L5-S1_peak_shear_lateral_N,L4-L5_peak_compression_N,L4-L5_peak_shear_ap_N,L4-L5_peak_shear_lateral_N,";
  return "frames,duration_s," + levels +
         "most_loaded_level,most_loaded_peak_compression_N,reserve_peak_Nm,reserve_frames_pct,loads_are_lower_bounds,"
         "verdict,endurance_s,subject_mass_kg,subject_height_m,subject_sex";
}

// The row's cells in csv_summary_header's order (shears signed: + anterior / right).
inline std::string csv_summary_cells(const nlohmann::json& s, const std::vector<std::string>& joints = {}) {
  auto num = [&](const char* key, int digits) {
    const auto it = s.find(key);
    return it != s.end() && it->is_number() ? csv_number(it->get<double>(), digits) : std::string();
  };
  auto joint = [&](const char* j, const char* key, int digits) { return csv_number(joint_number(s, j, key), digits); };
  const std::string most = most_loaded_joint(s);
  const auto& r = s.contains("reserves") ? s["reserves"] : nlohmann::json::object();
  const auto& sub = s.contains("subject") && s["subject"].is_object() ? s["subject"] : nlohmann::json::object();
  std::vector<std::string> c = {num("frames", 0), num("duration_s", 3)};
  if (joints.empty())
    c.insert(c.end(), {joint("L5-S1", "peak_compression_N", 0), joint("L5-S1", "peak_compression_time_s", 3),
                       joint("L5-S1", "peak_shear_ap_signed_N", 0), joint("L5-S1", "peak_shear_lateral_signed_N", 0),
                       joint("L4-L5", "peak_compression_N", 0), joint("L4-L5", "peak_shear_ap_signed_N", 0),
                       joint("L4-L5", "peak_shear_lateral_signed_N", 0)});
  for (const auto& j : joints)
    c.insert(c.end(), {joint(j.c_str(), "peak_compression_N", 0), joint(j.c_str(), "peak_compression_time_s", 3),
                       joint(j.c_str(), "peak_shear_ap_signed_N", 0), joint(j.c_str(), "peak_shear_lateral_signed_N", 0)});
  c.insert(c.end(), {
      most, csv_number(joint_number(s, most, "peak_compression_N"), 0),
      r.contains("peak_moment_Nm") ? csv_number(r["peak_moment_Nm"].get<double>(), 2) : "",
      r.contains("frames_used_fraction") ? csv_number(100 * r["frames_used_fraction"].get<double>(), 1) : "",
      loads_are_lower_bounds(s) ? "true" : "false", run_verdict(s),
      s.contains("endurance_s") && s["endurance_s"].is_number() ? csv_number(s["endurance_s"].get<double>(), 1) : "",
      sub.contains("body_mass_kg") ? csv_number(sub["body_mass_kg"].get<double>(), 1) : "",
      sub.contains("height_m") ? csv_number(sub["height_m"].get<double>(), 3) : "",
      sub.contains("sex") && sub["sex"].is_string() ? sub["sex"].get<std::string>() : ""});
  std::string out;
  for (size_t k = 0; k < c.size(); ++k) out += (k ? "," : "") + csv_field(c[k]);
  return out;
}

}  // namespace paraspine::cli
