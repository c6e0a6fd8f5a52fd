#pragma once
// Reading YAML input files with errors that name the file, the line and the field: the helpers the
// model and scenario loaders share. Every check throws InputError.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "sim/common/error.h"
#include "sim/common/rotation.h"

namespace paraspine {

// Reading context: the file name for messages, and helpers that validate as they read.
struct YamlReader {
  std::string file;
  std::string note;  // appended to every message, e.g. " (with --set)": FILE:LINE stays parseable

  [[noreturn]] void fail(const YAML::Node& n, const std::string& field,
                         const std::string& msg) const {
    const int line = n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
    throw InputError(file, line, field, msg + note);
  }

  int line(const YAML::Node& n) const { return n.Mark().line + 1; }

  // Every key of a mapping is a plain name and appears once: yaml-cpp keeps duplicate keys and
  // lookups take the first, so a value given twice (a model's `mass:`, a scenario's
  // `output_rate_hz`, a validation case's `tolerance_pct`) would silently drop the second one.
  void unique_keys(const YAML::Node& n, const std::string& field) const {
    if (!n.IsMap()) fail(n, field, "expected a mapping");
    std::vector<std::string> seen;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) fail(kv.first, field, "expected a name as key, got a list or mapping");
      const std::string k = kv.first.as<std::string>();
      const std::string f = field.empty() ? k : field + "." + k;
      if (k == "<<") fail(kv.first, f, "YAML merge keys (<<: *anchor) are not read: write the keys out (anchors with '*name' as a whole value work)");
      for (const std::string& s : seen)
        if (s == k) fail(kv.first, f, "'" + k + "' is given twice (line " + std::to_string(n[k].Mark().line + 1) + " and here)");
      seen.push_back(k);
    }
  }

  // The keys of mapping `n` are among `keys`, each once.
  void allow_keys(const YAML::Node& n, const std::string& field,
                  std::initializer_list<const char*> keys) const {
    unique_keys(n, field);
    for (const auto& kv : n) {
      const std::string k = kv.first.as<std::string>();
      bool ok = false;
      for (const char* a : keys) ok = ok || k == a;
      if (!ok) {
        std::string list;
        for (const char* a : keys) list += std::string(list.empty() ? "" : ", ") + a;
        fail(kv.first, field.empty() ? k : field + "." + k,
             "unknown key '" + k + "' (allowed: " + list + ")");
      }
    }
  }

  YAML::Node require(const YAML::Node& n, const char* key, const std::string& field) const {
    const YAML::Node v = n[key];
    if (!v.IsDefined() || v.IsNull()) fail(n, field + "." + key, "missing required field");
    return v;
  }

  std::string str(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "expected a string");
    const std::string s = n.as<std::string>();
    if (s.empty()) fail(n, field, "must not be empty");
    return s;
  }

  double num(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "expected a number");
    double v;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      fail(n, field, "expected a number, got '" + n.as<std::string>() + "'");
    }
    if (!std::isfinite(v)) fail(n, field, "must be finite, got '" + n.as<std::string>() + "'");
    return v;
  }

  double positive(const YAML::Node& n, const std::string& field) const {
    const double v = num(n, field);
    if (!(v > 0)) fail(n, field, "must be positive, got " + n.as<std::string>());
    return v;
  }

  double nonnegative(const YAML::Node& n, const std::string& field) const {
    const double v = num(n, field);
    if (v < 0) fail(n, field, "must not be negative, got " + n.as<std::string>());
    return v;
  }

  // Three-compartment fatigue rates F and R (s^-1) and the rest multiplier r, as models and
  // scenarios give them. F and R up to 1 s^-1: the largest rate Frey-Law, Looft & Heitsman 2012
  // (J Biomech 45:1803) fitted for six joint regions is R_ankle = 0.0182 s^-1 (abstract; the trunk's
  // 0.00755 / 0.00075), so 1 s^-1 is some 55 times it; at 1e17 s^-1 the exact step's exponentials
  // underflowed and fatigue vanished. r from 1 to 100 (Looft, Herkert & Frey-Law 2018 recommend 15).
  static constexpr double kMaxFatigueRate = 1.0, kMaxRestMultiplier = 100.0;
  double fatigue_rate(const YAML::Node& n, const std::string& field) const {
    const double v = positive(n, field);
    if (v > kMaxFatigueRate)
      fail(n, field, "more than 1 s^-1, got " + n.as<std::string>() +
                         " (the published three-compartment fits are below 0.02 s^-1, Frey-Law et al. 2012)");
    return v;
  }
  double rest_multiplier(const YAML::Node& n, const std::string& field) const {
    const double v = num(n, field);
    if (v < 1) fail(n, field, "the rest multiplier must be at least 1");
    if (v > kMaxRestMultiplier) fail(n, field, "more than 100, got " + n.as<std::string>() + " (Looft et al. 2018 recommend 15)");
    return v;
  }

  std::vector<double> list(const YAML::Node& n, const std::string& field, size_t size) const {
    if (!n.IsSequence() || (size > 0 && n.size() != size))
      fail(n, field, size ? "expected a list of " + std::to_string(size) + " numbers"
                          : "expected a list of numbers");
    std::vector<double> v;
    for (size_t i = 0; i < n.size(); ++i)
      v.push_back(num(n[i], field + "[" + std::to_string(i) + "]"));
    return v;
  }

  Vec3 vec3(const YAML::Node& n, const std::string& field) const {
    const auto v = list(n, field, 3);
    return Vec3(v[0], v[1], v[2]);
  }

};

// A bundled name ("full_spine", "squat_lift.yaml") resolves to DIR/NAME.yaml in the working
// directory's `local_dir` or the source tree's `source_dir`; an existing path is used as given.
inline std::string resolve_bundled_path(const std::string& name_or_path, const char* local_dir,
                                        const char* source_dir) {
  namespace fs = std::filesystem;
  // A file as given wins; a folder of the same name in the working directory does not shadow a
  // bundled name (`mkdir lumbar` must not hide the bundled lumbar model).
  if (fs::is_regular_file(name_or_path)) return name_or_path;
  if (name_or_path.find('/') == std::string::npos) {
    std::string base = name_or_path;
    if (base.size() < 5 || base.substr(base.size() - 5) != ".yaml") base += ".yaml";
    for (const char* dir : {local_dir, source_dir}) {
      const fs::path p = fs::path(dir) / base;
      if (fs::is_regular_file(p)) return p.string();
    }
  }
  return name_or_path;
}

// The whole text of an input file; `what` names it in the error ("model", "scenario").
inline std::string read_input_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw InputError(path, 0, "", "cannot open " + what + " file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses YAML text that must be a mapping, with syntax errors located in `file`.
inline YAML::Node load_yaml_mapping(const std::string& text, const std::string& file,
                                    const std::string& what) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(file, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) throw InputError(file, 1, "", "a " + what + " file must be a YAML mapping");
  return root;
}

}  // namespace paraspine
