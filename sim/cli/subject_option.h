#pragma once
// --subject KEY=VALUE,... of run, sweep, bench, moments and batch: one parser, one set of names.
#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/common/error.h"
#include "sim/common/parse_number.h"
#include "sim/model/anthropometry.h"
#include "sim/model/subject.h"

namespace paraspine::cli {

// "mass=80,height=1.80,sex=male" → Subject. Every value whole and in range (a negative or NaN mass
// would otherwise fall back to the model's reference subject, and "70kg" read as 70).
// --subject KEY=VALUE,...: the keys given replace those of `sub` (the scenario's subject); the others
// keep its values (its file's, else the model's reference), so `--subject height=1.8` on a 60 kg
// woman's scenario is a 1.8 m, 60 kg woman (docs/scenarios.md, "Top level").
// percentile=P (with sex here or in the scenario's subject) sets height and mass from the published
// table (sim/model/anthropometry.h); given with mass or height in the same --subject it is refused,
// since which of the two was meant is not knowable. A mass or height given here over a scenario's
// percentile subject replaces that value and ends the percentile; a sex given here reads the
// scenario's percentile in that sex's column.
// A --subject key under the command line's name: the scenario file's and Python's names for the same
// values are accepted too (audit23 #8: subject blocks and Subject(...) say fatigue_rate_scale,
// --subject said only fatigue_rate).
inline std::string subject_key(const std::string& k) {
  if (k == "body_mass") return "mass";
  if (k == "strength_factor") return "strength";
  if (k == "fatigue_rate_scale") return "fatigue_rate";
  if (k == "recovery_rate_scale") return "recovery_rate";
  return k;
}

inline paraspine::Subject parse_subject(const std::string& spec, paraspine::Subject sub = {}) {
  std::stringstream ss(spec);
  std::string item;
  const std::vector<std::pair<std::string, double paraspine::Subject::*>> keys = {
      {"mass", &paraspine::Subject::body_mass}, {"height", &paraspine::Subject::height}, {"strength", &paraspine::Subject::strength_factor},
      {"fatigue_rate", &paraspine::Subject::fatigue_rate_scale}, {"recovery_rate", &paraspine::Subject::recovery_rate_scale},
      {"percentile", &paraspine::Subject::percentile}};
  const std::vector<std::string> fields = {"body_mass", "height", "strength_factor", "fatigue_rate_scale", "recovery_rate_scale",
                                           "percentile"};
  auto fail = [](const std::string& key, const std::string& msg) { throw paraspine::InputError("--subject", 0, key, msg); };
  std::vector<std::string> given;
  auto has = [&](const std::string& k) { return std::find(given.begin(), given.end(), k) != given.end(); };
  while (std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) fail("", "expected key=value pairs (e.g. mass=62,height=1.65,sex=female), got '" + item + "'");
    const std::string k = subject_key(item.substr(0, eq)), v = item.substr(eq + 1);
    if (has(k)) fail(k, "given twice: give each value once");
    given.push_back(k);
    if (k == "sex") {
      if (v != "male" && v != "female") fail(k, "expected male or female, got '" + v + "'");
      sub.sex = v;
      continue;
    }
    size_t at = 0;
    for (; at < keys.size() && keys[at].first != k; ++at) {}
    if (at == keys.size()) fail(k, "unknown key (mass, height, sex, percentile, strength, fatigue_rate, recovery_rate)");
    double x = 0;
    if (!paraspine::parse_number(v, x)) fail(k, "'" + v + "' is not a number");
    const std::string problem = paraspine::subject_value_problem(fields[at], x);
    if (!problem.empty()) fail(k, problem);
    sub.*(keys[at].second) = x;
  }
  if (has("percentile") && (has("mass") || has("height")))
    fail("percentile", std::string("given with ") + (has("mass") && has("height") ? "mass and height" : has("mass") ? "mass" : "height") +
                           ": give either a percentile (the table's height and mass) or the measured values, not both");
  if (!has("percentile") && (has("mass") || has("height"))) sub.percentile = 0;  // a measured value: no longer the table's
  if (sub.percentile > 0) {
    if (sub.sex.empty())
      fail("percentile", "needs a sex: add sex=female or sex=male (the table has a column for each; " + std::string(paraspine::kAnthropometryTable) + ")");
    try {
      paraspine::apply_percentile(sub);
    } catch (const std::invalid_argument& e) {
      fail("percentile", e.what());
    }
  }
  return sub;
}

}  // namespace paraspine::cli
