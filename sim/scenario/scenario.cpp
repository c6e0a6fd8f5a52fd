#include "sim/scenario/scenario.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include "sim/common/data_dir.h"
#include "sim/common/error.h"
#include "sim/common/warn_once.h"
#include "sim/common/yaml_reader.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/model/anthropometry.h"
#include "sim/model/loader.h"
#include "sim/model/data.h"
#include "sim/scenario/motion_file.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

namespace fs = std::filesystem;

struct Reader : YamlReader {
  void allow(const YAML::Node& n, const std::string& field, std::initializer_list<const char*> keys) const {
    allow_keys(n, field, keys);
  }
  bool boolean(const YAML::Node& n, const std::string& field) const {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) fail(n, field, "expected true or false");
    return v;
  }
};

// A `hands:` block ({right, left, both: {load_kg, position, hanging}}) into `hands` (right, left):
// a keyframe's, or a motion file's constant hands (motion.hands).
void read_hands(Reader& r, const YAML::Node& hn, const std::string& prefix, std::array<ScenarioHand, 2>& hands) {
  r.allow(hn, prefix, {"right", "left", "both"});
  auto read_hand = [&](const YAML::Node& n, const std::string& hf) {
    r.allow(n, hf, {"load_kg", "position", "hanging"});
    ScenarioHand h;
    h.line = r.line(n);
    h.field = hf;
    if (n["load_kg"].IsDefined()) {
      h.load_kg = r.num(n["load_kg"], hf + ".load_kg");
      if (h.load_kg < 0) r.fail(n["load_kg"], hf + ".load_kg", "must not be negative");
      if (h.load_kg > kMaxHandLoadKg)
        r.fail(n["load_kg"], hf + ".load_kg", "no person holds " + n["load_kg"].as<std::string>() + fmt::format(" kg in one hand (limit {:g} kg)", kMaxHandLoadKg));
    }
    if (n["position"].IsDefined()) {
      const YAML::Node p = n["position"];
      if (!p.IsSequence() || p.size() != 3) r.fail(p, hf + ".position", "expected [forward, up, right] in metres");
      for (int i = 0; i < 3; ++i) h.position[i] = r.num(p[i], hf + ".position[" + std::to_string(i) + "]");
      h.hanging = false;
    }
    if (n["hanging"].IsDefined()) {
      h.hanging = r.boolean(n["hanging"], hf + ".hanging");
      // A hanging arm ignores the position: both given is a contradiction, not a choice.
      if (h.hanging && n["position"].IsDefined())
        r.fail(n["hanging"], hf + ".hanging", "a hand with a position does not hang: give the position or hanging: true, not both");
      // A hand that does not hang is somewhere: without a position it sat at the pelvis origin.
      if (!h.hanging && !n["position"].IsDefined())
        r.fail(n["hanging"], hf + ".hanging", "a hand that does not hang needs a position: [forward, up, right] in metres");
    }
    return h;
  };
  // both with right or left: one would silently override the other.
  if (hn["both"].IsDefined())
    for (const char* side : {"right", "left"})
      if (hn[side].IsDefined())
        r.fail(hn[side], prefix + "." + side, std::string("hands.both already gives both hands (line ") + std::to_string(r.line(hn["both"])) +
               "): give both, or right and left");
  if (hn["both"].IsDefined()) {
    const ScenarioHand h = read_hand(hn["both"], prefix + ".both");
    hands = {h, h};
    hands[1].position.z() = -h.position.z();
  }
  if (hn["right"].IsDefined()) hands[0] = read_hand(hn["right"], prefix + ".right");
  if (hn["left"].IsDefined()) hands[1] = read_hand(hn["left"], prefix + ".left");
}


// An external force in newtons: at most 5000 N (external_forces and the keyframes that change one).
void check_force_N(const Reader& r, const YAML::Node& n, const std::string& field, const Vec3& v) {
  if (v.norm() > 5000)
    r.fail(n, field, fmt::format("{:.4g} N, more than 5000 N: no external force on the trunk in daily life or exercise is that large", v.norm()));
}
void check_body_weights(const Reader& r, const YAML::Node& n, const std::string& field, const Vec3& v) {
  if (v.norm() > 3) r.fail(n, field, fmt::format("{:.4g} body weights, more than three", v.norm()));
}

}  // namespace

std::string resolve_scenario_path(const std::string& name_or_path) {
  return resolve_bundled_path(name_or_path, "scenarios", bundled_dir("scenarios"));
}

namespace {

// The stems of the .yaml files in the working directory's `local` folder and the bundled one.
std::string bundled_names(const std::string& local, const std::string& bundled) {
  std::vector<std::string> names;
  for (const std::string& dir : {local, bundled}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".yaml" && std::find(names.begin(), names.end(), e.path().stem().string()) == names.end())
        names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  // An empty library says where it was looked for (an installed program without its share/ folder).
  return list.empty() ? "none found in " + bundled + " or ./" + local : list;
}

}  // namespace

std::string resolve_model_name(const std::string& name, const std::string& file, int line, const std::string& field) {
  const std::string path = resolve_model_path(name);
  if (fs::is_regular_file(path)) return path;
  if (fs::is_regular_file(resolve_scenario_path(name)))
    throw InputError(file, line, field, (file == name ? "" : "'" + name + "' ") + "is a scenario, not a model (paraspine list shows both)");
  const std::string list = bundled_names("models", bundled_dir("models"));
  throw InputError(file, line, field, "no model '" + name + "': neither a bundled model (" + list + ") nor a model file");
}

Scenario load_scenario(const std::string& name_or_path) {
  std::string path;
  const std::string text = load_scenario_text(name_or_path, path);
  return parse_scenario(text, path);
}

std::string load_scenario_text(const std::string& name_or_path, std::string& path_out) {
  const std::string path = resolve_scenario_path(name_or_path);
  path_out = path;
  // Say what went wrong with the name: a model where a scenario belongs, a folder, a typo.
  if (fs::is_directory(path)) throw InputError(path, 0, "", "is a folder, not a scenario file");
  if (!fs::exists(path)) {
    if (fs::is_regular_file(resolve_model_path(name_or_path)))
      throw InputError(name_or_path, 0, "", "is a model, not a scenario (paraspine list shows both)");
    throw InputError(name_or_path, 0, "", "no scenario of this name: neither a bundled scenario (" +
                                              bundled_names("scenarios", bundled_dir("scenarios")) + ") nor a file");
  }
  return read_input_file(path, "scenario");
}

Scenario parse_scenario(const std::string& text, const std::string& file) { return parse_scenario_noted(text, file, ""); }

namespace {
struct GivenMotion {
  const std::string* text = nullptr;  // the motion file's text, instead of reading motion.file
  std::string source;                 // what errors about it name
};
Scenario parse_scenario_impl(const std::string& text, const std::string& file, const std::string& note, const GivenMotion& given);
}  // namespace

Scenario parse_scenario_noted(const std::string& text, const std::string& file, const std::string& note) {
  return parse_scenario_impl(text, file, note, {});
}

void rethrow_cutoff_as_option(const InputError& e, double lowpass_hz, const std::string& option, const std::string& motion) {
  if (lowpass_hz > 0 && e.field() == "motion.lowpass_hz") throw InputError(option, 0, "", e.message() + " (" + motion + ")");
}

Scenario parse_scenario_with_motion(const std::string& text, const std::string& file, const std::string& motion_text,
                                    const std::string& motion_source) {
  return parse_scenario_impl(text, file, "", {&motion_text, motion_source});
}

namespace {
// Angles typed in radians into the degree fields (flexion: 1.05 for 60°) run as a posture within a few
// degrees of standing: the loads are wrong and nothing stops the run (audit21a F11). [D] The rule:
// every non-zero angle the file's keyframes give (pelvis_deg, regions_deg, joints_deg) is below
// kRadianLikeDeg in magnitude — a half turn in radians is π, so any radian angle is — and at least two
// of them are not whole numbers (radians of a real posture are fractions: 0.35, 1.05; a file in degrees
// that keeps within ±3.2° of standing is a quiet stance written, in the bundled library, in whole
// degrees or with larger angles elsewhere). A warning, not an error: a quiet stance written in
// fractional degrees is possible, and runs. A motion file is measured data and is not judged.
void warn_if_radians(const Scenario& s) {
  const ScenarioAngle* first = nullptr;
  int fractions = 0;
  for (const auto& kf : s.keyframes)
    for (const auto* list : {&kf.angles, &kf.joint_angles})
      for (const auto& a : *list) {
        if (a.degrees == 0) continue;
        if (!(std::abs(a.degrees) < kRadianLikeDeg)) return;
        if (a.degrees != std::floor(a.degrees)) ++fractions;
        if (!first || a.line < first->line) first = &a;
      }
  if (first && fractions >= 2)
    warn_once(fmt::format("{}:{}: {}: every angle in the file's keyframes is below {:g} in magnitude, as radians would be: angles "
                          "are in degrees (60° is 60, not 1.05)",
                          s.file, first->line, first->field, kRadianLikeDeg));
}

Scenario parse_scenario_impl(const std::string& text, const std::string& file, const std::string& note, const GivenMotion& given) {
  Reader r{{file, note}};
  const YAML::Node root = load_yaml_mapping(text, file, "scenario", note);
  if (root["paraspine_model"].IsDefined())
    r.fail(root["paraspine_model"], "paraspine_model", "this is a model file, not a scenario (paraspine list shows both)");
  r.allow(root, "", {"paraspine_scenario", "name", "description", "model", "subject", "criterion", "solver_tolerance",
                     "abdominal_pressure", "output_rate_hz", "keyframes", "repetitions", "rest_s", "break_every", "break_s", "break_posture", "fatigue",
                     "sources", "external_forces", "positions", "motion"});
  if (!root["paraspine_scenario"].IsDefined() || r.num(root["paraspine_scenario"], "paraspine_scenario") != 1)
    r.fail(root, "paraspine_scenario", "missing or unsupported format version (this build reads 1)");
  Scenario s;
  s.file = file;
  s.text = text;
  s.note = note;
  if (!root["name"].IsDefined()) r.fail(root, "name", "missing required field");
  s.name = r.str(root["name"], "name");
  if (root["description"].IsDefined()) s.description = r.str(root["description"], "description");
  if (root["model"].IsDefined()) {
    s.model = r.str(root["model"], "model"), s.model_line = r.line(root["model"]);
    // A relative model path is the scenario's neighbour first (a scenario and its model travel
    // together), then the working directory's file or a bundled name (docs/scenarios.md).
    const fs::path beside = fs::path(file).parent_path() / s.model;
    if (fs::path(s.model).is_relative() && !fs::path(file).parent_path().empty() && fs::is_regular_file(beside))
      s.model = beside.string();
  }
  s.written_for_model = s.model;
  if (root["positions"].IsDefined()) {
    s.positions = r.str(root["positions"], "positions");
    s.positions_line = r.line(root["positions"]);
    if (s.positions != "scaled" && s.positions != "absolute")
      r.fail(root["positions"], "positions",
             "expected scaled (lengths written for the model's reference subject, scaled with the subject's height) or absolute (as written, "
             "for any subject), got '" + s.positions + "'");
  }
  if (root["criterion"].IsDefined()) {
    s.criterion = r.str(root["criterion"], "criterion");
    try {
      parse_criterion(s.criterion);
    } catch (const std::invalid_argument& e) {
      r.fail(root["criterion"], "criterion", e.what());
    }
  }
  if (root["solver_tolerance"].IsDefined()) {
    s.solver_tolerance = r.num(root["solver_tolerance"], "solver_tolerance");
    // Below 1e-14 rounding alone keeps a solve from converging; above 1e-4 an answer is off its
    // balance by more than any measurement the results are compared with.
    if (!(s.solver_tolerance >= 1e-14 && s.solver_tolerance <= 1e-4))
      r.fail(root["solver_tolerance"], "solver_tolerance",
             fmt::format("must be between 1e-14 and 1e-4 (relative to the largest moment the muscles and reserves must carry, at least 1 N·m), got {:g}", s.solver_tolerance));
  }
  if (root["abdominal_pressure"].IsDefined()) {
    s.abdominal_pressure = r.boolean(root["abdominal_pressure"], "abdominal_pressure");
  }
  if (root["output_rate_hz"].IsDefined()) {
    s.output_rate_hz = r.num(root["output_rate_hz"], "output_rate_hz");
    s.output_rate_given = true;
    if (!(s.output_rate_hz > 0 && s.output_rate_hz <= 1000))
      r.fail(root["output_rate_hz"], "output_rate_hz", "must be in (0, 1000] Hz");
  }
  if (root["subject"].IsDefined()) {
    const YAML::Node n = root["subject"];
    r.allow(n, "subject", {"body_mass", "height", "sex", "percentile", "strength_factor", "fatigue_rate_scale", "recovery_rate_scale"});
    Subject sub;
    auto value = [&](const char* key, double& into) {
      if (!n[key].IsDefined()) return;
      const std::string f = std::string("subject.") + key;
      into = r.num(n[key], f);
      const std::string problem = subject_value_problem(key, into);
      if (!problem.empty()) r.fail(n[key], f, problem);
    };
    value("body_mass", sub.body_mass);
    value("height", sub.height);
    value("strength_factor", sub.strength_factor);
    value("fatigue_rate_scale", sub.fatigue_rate_scale);
    value("recovery_rate_scale", sub.recovery_rate_scale);
    if (n["sex"].IsDefined()) {
      sub.sex = r.str(n["sex"], "subject.sex");
      if (sub.sex != "male" && sub.sex != "female") r.fail(n["sex"], "subject.sex", "expected male or female, got '" + sub.sex + "'");
    }
    // percentile: height and mass from the published table (sim/model/anthropometry.h). Not with a
    // height or mass beside it (which was meant is not knowable), and only with a sex: the table has
    // a column for each and the model's reference sex is not one the file chose.
    value("percentile", sub.percentile);
    if (n["percentile"].IsDefined()) {
      if (n["body_mass"].IsDefined() || n["height"].IsDefined())
        r.fail(n["percentile"], "subject.percentile",
               std::string("given with ") + (n["body_mass"].IsDefined() ? "body_mass" : "height") +
                   ": give either a percentile (the table's height and mass) or the measured values, not both");
      if (sub.sex.empty())
        r.fail(n["percentile"], "subject.percentile",
               "needs subject.sex: male or female (the table has a column for each; " + std::string(kAnthropometryTable) + ")");
      apply_percentile(sub);
    }
    s.subject = sub;
  }
  if (root["repetitions"].IsDefined()) {
    const double v = r.num(root["repetitions"], "repetitions");
    if (v < 1 || v != std::floor(v) || v > 1e6) r.fail(root["repetitions"], "repetitions", "must be a whole number from 1 to 1000000");
    s.repetitions = static_cast<int>(v);
  }
  if (root["rest_s"].IsDefined()) {
    s.rest_s = r.nonnegative(root["rest_s"], "rest_s");
    if (s.rest_s > kMaxScenarioDurationS) r.fail(root["rest_s"], "rest_s", "more than a week (" + std::to_string(static_cast<long>(kMaxScenarioDurationS)) + " s)");
  }
  if (root["break_every"].IsDefined()) {
    const double v = r.num(root["break_every"], "break_every");
    if (v < 1 || v != std::floor(v) || v > 1e6) r.fail(root["break_every"], "break_every", "must be a whole number from 1 to 1000000 (repetitions between breaks)");
    s.break_every = static_cast<int>(v);
  }
  if (root["break_s"].IsDefined()) {
    s.break_s = r.nonnegative(root["break_s"], "break_s");
    if (s.break_s > kMaxScenarioDurationS) r.fail(root["break_s"], "break_s", "more than a week (" + std::to_string(static_cast<long>(kMaxScenarioDurationS)) + " s)");
    if (s.break_every == 0) r.fail(root["break_s"], "break_s", "needs break_every (after how many repetitions)");
  }
  if (root["break_posture"].IsDefined()) {
    s.break_posture = r.str(root["break_posture"], "break_posture");
    if (s.break_posture != "standing" && s.break_posture != "supported")
      r.fail(root["break_posture"], "break_posture", "expected standing or supported");
    if (s.break_every == 0) r.fail(root["break_posture"], "break_posture", "needs break_every and break_s");
  }
  if (s.break_every > 0 && !root["break_s"].IsDefined()) r.fail(root["break_every"], "break_every", "needs break_s (how long each break lasts)");
  // Settings that do nothing, or the opposite of a break, are said (warnings, not errors: a sweep over
  // repetitions or rest_s may pass through them on purpose). The last repetition has no rest after it,
  // so a break needs more repetitions than break_every.
  // A rest comes between repetitions: with one there is none (audit23: rest_s 600 on a one-repetition
  // posture was accepted and the run stayed 7200 s long). Only when repetitions is nowhere given: a
  // file (or --set repetitions=1) that chose one repetition knows its rest is unused.
  if (root["rest_s"].IsDefined() && s.rest_s > 0 && !root["repetitions"].IsDefined())
    warn_once(fmt::format("{}:{}: rest_s: a rest comes between repetitions, and the scenario has 1: no rest happens "
                          "(set repetitions)", s.file, r.line(root["rest_s"])));
  if (s.break_every > 0 && s.break_every >= s.repetitions)
    warn_once(fmt::format("{}:{}: break_every: {} repetitions between breaks, but the scenario has {}: no break happens", s.file,
                          r.line(root["break_every"]), s.break_every, s.repetitions));
  if (s.break_every > 0 && s.break_s < s.rest_s)
    warn_once(fmt::format("{}:{}: break_s: the break ({:.6g} s) takes the place of a rest and is shorter than rest_s ({:.6g} s): "
                          "it shortens that pause",
                          s.file, r.line(root["break_s"]), s.break_s, s.rest_s));
  if (root["fatigue"].IsDefined()) {
    const YAML::Node fn = root["fatigue"];
    auto read_values = [&](const YAML::Node& n, const std::string& f, bool with_groups) {
      if (with_groups) r.allow(n, f, {"F", "R", "r", "groups"});
      else r.allow(n, f, {"F", "R", "r"});
      ScenarioFatigue::Values v;
      v.line = r.line(n);
      if (n["F"].IsDefined()) v.F = r.fatigue_rate(n["F"], f + ".F");
      if (n["R"].IsDefined()) v.R = r.fatigue_rate(n["R"], f + ".R");
      if (n["r"].IsDefined()) v.r = r.rest_multiplier(n["r"], f + ".r");
      return v;
    };
    s.fatigue.all = read_values(fn, "fatigue", true);
    if (fn["groups"].IsDefined()) {
      const YAML::Node gn = fn["groups"];
      if (!gn.IsMap()) r.fail(gn, "fatigue.groups", "expected a mapping group → {F, R, r}");
      r.unique_keys(gn, "fatigue.groups");
      for (const auto& kv : gn) {
        const std::string g = kv.first.as<std::string>();
        s.fatigue.groups.emplace_back(g, read_values(kv.second, "fatigue.groups." + g, false));
      }
    }
  }
  if (root["external_forces"].IsDefined()) {
    const YAML::Node fl = root["external_forces"];
    if (!fl.IsSequence()) r.fail(fl, "external_forces", "expected a list of forces");
    for (size_t k = 0; k < fl.size(); ++k) {
      const std::string f = "external_forces[" + std::to_string(k) + "]";
      const YAML::Node n = fl[k];
      r.allow(n, f, {"name", "segment", "point", "point_frame", "hands", "frame", "force_N", "force_body_weight", "magnitude_N",
                     "direction_from", "balance", "carried_by", "source"});
      ScenarioForce sf;
      sf.line = r.line(n);
      sf.field = f;
      sf.name = r.str(r.require(n, "name", f), f + ".name");
      for (const auto& other : s.forces)
        if (other.name == sf.name) r.fail(n["name"], f + ".name", "a force named '" + sf.name + "' is already listed");
      if (n["point_frame"].IsDefined() && n["point_frame"].IsScalar() && n["point_frame"].Scalar() == "hands") {
        // At the hands: the arms carry it (no segment of its own, no point, world components).
        sf.at_hands = true;
        for (const char* key : {"segment", "point", "frame", "carried_by", "balance"})
          if (n[key].IsDefined())
            r.fail(n[key], f + "." + key, std::string("not with point_frame: hands (the force acts at the hands and the arms carry it to the shoulder girdle") +
                                              (std::string(key) == "frame" ? "; its components are in the world frame)" : ")"));
      } else if (n["hands"].IsDefined()) {
        r.fail(n["hands"], f + ".hands", "only with point_frame: hands");
      }
      if (n["hands"].IsDefined()) {
        const std::string v = r.str(n["hands"], f + ".hands");
        if (v != "both" && v != "right" && v != "left") r.fail(n["hands"], f + ".hands", "expected both, right or left, got '" + v + "'");
        sf.hands = {v != "left", v != "right"};
      }
      if (n["point"].IsDefined()) sf.point = r.vec3(n["point"], f + ".point");
      auto frame_of = [&](const char* key, bool& world_or_segment, bool world_means_true) {
        if (!n[key].IsDefined() || sf.at_hands) return;
        const std::string v = r.str(n[key], f + "." + key);
        if (v != "world" && v != "segment")
          r.fail(n[key], f + "." + key, std::string("expected world or segment") + (std::string(key) == "point_frame" ? " or hands" : "") + ", got '" + v + "'");
        world_or_segment = (v == "world") == world_means_true;
      };
      frame_of("point_frame", sf.point_in_world, true);
      frame_of("frame", sf.force_in_segment_frame, false);
      if (!sf.at_hands) {
        sf.segment = r.str(r.require(n, "segment", f), f + ".segment");
        sf.segment_line = r.line(n["segment"]);
      }
      if (n["carried_by"].IsDefined()) {
        const std::string v = r.str(n["carried_by"], f + ".carried_by");
        if (v != "rib_cage" && v != "segment") r.fail(n["carried_by"], f + ".carried_by", "expected rib_cage or segment, got '" + v + "'");
        sf.carried_by_rib_cage = v == "rib_cage";
        sf.carried_by_line = r.line(n["carried_by"]);
      }
      int kinds = 0;
      if (n["force_N"].IsDefined()) sf.kind = ScenarioForce::Kind::kNewton, sf.value = r.vec3(n["force_N"], f + ".force_N"), ++kinds;
      if (n["force_body_weight"].IsDefined()) {
        sf.kind = ScenarioForce::Kind::kBodyWeight, sf.value = r.vec3(n["force_body_weight"], f + ".force_body_weight"), ++kinds;
        check_body_weights(r, n["force_body_weight"], f + ".force_body_weight", sf.value);
      }
      if (n["balance"].IsDefined()) {
        const YAML::Node b = n["balance"];
        const std::string bf = f + ".balance";
        r.allow(b, bf, {"direction", "pivot", "axis", "lower_body_com", "share"});
        if (b["share"].IsDefined()) {
          sf.share = r.num(b["share"], bf + ".share");
          if (sf.share < 0 || sf.share > 1) r.fail(b["share"], bf + ".share", "must be between 0 and 1");
        }
        sf.kind = ScenarioForce::Kind::kBalance, ++kinds;
        sf.direction = r.vec3(r.require(b, "direction", bf), bf + ".direction");
        sf.pivot = r.vec3(r.require(b, "pivot", bf), bf + ".pivot");
        sf.axis = r.vec3(r.require(b, "axis", bf), bf + ".axis");
        sf.value = r.vec3(r.require(b, "lower_body_com", bf), bf + ".lower_body_com");
        if (sf.direction.norm() < 1e-9) r.fail(b["direction"], bf + ".direction", "must not be zero");
        if (sf.axis.norm() < 1e-9) r.fail(b["axis"], bf + ".axis", "must not be zero");
        sf.direction.normalize();
        sf.axis.normalize();
      }
      if (n["magnitude_N"].IsDefined()) {
        sf.kind = ScenarioForce::Kind::kMagnitude, ++kinds;
        sf.value = Vec3(r.num(n["magnitude_N"], f + ".magnitude_N"), 0, 0);
        check_force_N(r, n["magnitude_N"], f + ".magnitude_N", sf.value);
      }
      if (kinds != 1) r.fail(n, f, "give exactly one of force_N, force_body_weight, magnitude_N (with direction_from) or balance");
      if (n["direction_from"].IsDefined()) {
        const YAML::Node dn = n["direction_from"];
        const std::string df = f + ".direction_from";
        if (sf.kind != ScenarioForce::Kind::kMagnitude) r.fail(dn, df, "direction_from sets the direction of magnitude_N; give magnitude_N instead of force_N, force_body_weight or balance");
        if (!dn.IsMap()) r.fail(dn, df, "expected {segment: NAME, point: [x, y, z]}");
        r.allow(dn, df, {"segment", "point"});
        sf.direction_segment = r.str(r.require(dn, "segment", df), df + ".segment");
        sf.direction_line = r.line(dn["segment"]);
        if (dn["point"].IsDefined()) sf.direction_point = r.vec3(dn["point"], df + ".point");
        if (sf.direction_point.norm() > 0.5)
          r.fail(dn["point"], df + ".point", fmt::format("{:.3g} m from the segment's origin, more than 0.5 m (coordinates are in metres)", sf.direction_point.norm()));
        if (n["frame"].IsDefined() && sf.force_in_segment_frame)
          r.fail(n["frame"], f + ".frame", "not with direction_from (the direction is the world vector from the body point to where the force acts)");
      } else if (sf.kind == ScenarioForce::Kind::kMagnitude) {
        r.fail(n["magnitude_N"], f + ".magnitude_N", "needs direction_from: {segment, point}, the body point the force points away from");
      }
      if (sf.carried_by_rib_cage && sf.kind == ScenarioForce::Kind::kBalance)
        r.fail(n["carried_by"], f + ".carried_by", "a balance support acts where it touches; only a given force can be carried by the rib cage");
      if (sf.kind == ScenarioForce::Kind::kNewton) check_force_N(r, n["force_N"], f + ".force_N", sf.value);
      // As the model loader's points (0.5 m from a segment's origin); a world point within 1.5 m of
      // the pelvis origin (a hand on the floor in a plank is 0.6 m away).
      if (n["point"].IsDefined()) {
        const double limit = sf.point_in_world ? 1.5 : 0.5;
        if (sf.point.norm() > limit)
          r.fail(n["point"], f + ".point", fmt::format("{:.3g} m from {}, more than {} m (coordinates are in metres)", sf.point.norm(),
                                                       sf.point_in_world ? "the pelvis origin (point_frame: world)" : "the segment's origin", limit));
      }
      s.forces.push_back(sf);
    }
  }
  const YAML::Node keys = root["keyframes"];
  const YAML::Node motion = root["motion"];
  if (motion.IsDefined()) {
    // Kinematics from a CSV table, one keyframe per row (motion_file.h; docs/scenarios.md, "Motion files").
    r.allow(motion, "motion", {"file", "lowpass_hz", "columns", "hands"});
    if (keys.IsDefined())
      r.fail(keys, "keyframes", "the motion file (motion.file, line " + std::to_string(r.line(motion)) +
                                    ") gives the keyframes: give a motion file or keyframes, not both");
    if (!motion["file"].IsDefined()) r.fail(motion, "motion.file", "missing required field: the CSV file of the motion");
    std::string path = r.str(motion["file"], "motion.file");
    if (given.text) {
      path = given.source;
    } else {
      // Beside the scenario first (a scenario and its motion travel together), then the working directory.
      const fs::path beside = fs::path(file).parent_path() / path;
      if (fs::path(path).is_relative() && !fs::path(file).parent_path().empty() && fs::is_regular_file(beside)) path = beside.string();
      if (!fs::is_regular_file(path))
        r.fail(motion["file"], "motion.file", "'" + path + "' is not a file (a relative path is looked up beside the scenario, then in the working directory)");
    }
    double lowpass_hz = 0;
    int lowpass_line = 0;
    if (motion["lowpass_hz"].IsDefined()) {
      lowpass_hz = r.num(motion["lowpass_hz"], "motion.lowpass_hz");
      lowpass_line = r.line(motion["lowpass_hz"]);
      if (!(lowpass_hz > 0)) r.fail(motion["lowpass_hz"], "motion.lowpass_hz", "must be a positive cutoff frequency in Hz");
    }
    // An OpenSim storage file's columns as keyframe keys (motion_file.h; docs/scenarios.md,
    // "OpenSim motion files"): {COLUMN: "[-][FACTOR*]KEY" or ignore}.
    std::vector<MotionColumnMap> columns;
    if (const YAML::Node cn = motion["columns"]; cn.IsDefined()) {
      if (!cn.IsMap()) r.fail(cn, "motion.columns", "expected {OPENSIM_COLUMN: \"[-][FACTOR*]KEY\" or ignore, ...}");
      for (const auto& kv : cn) {
        const std::string column = kv.first.as<std::string>();
        columns.push_back({column, r.str(kv.second, "motion.columns." + column), r.line(kv.second)});
      }
    }
    s.motion_file = path;
    s.motion_text = given.text ? *given.text : motion_file_text(path);
    s.keyframes = read_motion_text(s.motion_text, path, lowpass_hz, file, lowpass_line, columns);
    // Hands the whole trial holds alike (a box carried throughout): given once, for every row, instead
    // of as columns of the file (audit24o #10: adding a load meant editing the IK output).
    if (const YAML::Node hn = motion["hands"]; hn.IsDefined()) {
      std::array<ScenarioHand, 2> hands;
      read_hands(r, hn, "motion.hands", hands);
      for (auto& h : hands) h.file = file;  // errors name the scenario's line, not the motion file's (audit25i #7)
      for (int h = 0; h < 2; ++h) {
        const char* side = h == 0 ? "right" : "left";
        if (!hn[side].IsDefined() && !hn["both"].IsDefined()) continue;
        for (const auto& kf : s.keyframes)
          if (!kf.hands[h].hanging || kf.hands[h].load_kg != 0)
            r.fail(hn, "motion.hands", fmt::format("the motion file gives the {} hand in its columns ({} line {}): give a hand in the "
                                                   "file or in motion.hands, not both", side, path, kf.line));
        for (auto& kf : s.keyframes) kf.hands[h] = hands[h];
      }
    }
  }
  if (!motion.IsDefined() && (!keys.IsDefined() || keys.IsNull()))
    r.fail(root, "keyframes", "missing: a list of keyframes (or a motion file: motion: {file: motion.csv})");
  // Present but not a list ('keyframes: {time: 0}') used to be reported as missing, at line 1.
  if (!motion.IsDefined() && (!keys.IsSequence() || keys.size() < 1))
    r.fail(keys, "keyframes", "expected a list of keyframes (- time: ...), at least two");
  for (size_t k = 0; !motion.IsDefined() && k < keys.size(); ++k) {
    const std::string f = "keyframes[" + std::to_string(k) + "]";
    const YAML::Node kn = keys[k];
    r.allow(kn, f, {"time", "pelvis_deg", "pelvis_position", "regions_deg", "joints_deg", "hands", "label", "forces", "resting"});
    ScenarioKeyframe kf;
    kf.line = r.line(kn);
    if (kn["label"].IsDefined()) kf.label = r.str(kn["label"], f + ".label");
    if (!kn["time"].IsDefined()) r.fail(kn, f + ".time", "missing required field");
    kf.time = r.num(kn["time"], f + ".time");
    if (kf.time > kMaxScenarioDurationS) r.fail(kn["time"], f + ".time", "more than a week (" + std::to_string(static_cast<long>(kMaxScenarioDurationS)) + " s)");
    if (k == 0 && kf.time != 0) r.fail(kn["time"], f + ".time", "the first keyframe is at time 0");
    if (k > 0 && !(kf.time > s.keyframes.back().time)) r.fail(kn["time"], f + ".time", "keyframe times must increase");
    auto read_axes = [&](const YAML::Node& an, const std::string& region, const std::string& af,
                         std::vector<ScenarioAngle>& into) {
      r.allow(an, af, {"flexion", "lateral_bending", "axial_rotation"});
      for (const auto& kv : an) {
        const std::string axis = kv.first.as<std::string>();
        into.push_back({region, axis, r.num(kv.second, af + "." + axis), r.line(kv.second), af + "." + axis});
        // The pelvis turns the whole body and has no range of motion to check it against (the
        // levels' angles are checked in bind_scenario): a half turn either way reaches every
        // orientation, so more is a typing or unit error (300 for 30) that would run and give
        // absurd loads (docs/scenarios.md, "Keyframes").
        if (region == "pelvis" && std::abs(into.back().degrees) > kMaxPelvisAngleDeg)
          r.fail(kv.second, af + "." + axis, fmt::format("{:g}° is more than a half turn (limit ±{:g}° per axis)", into.back().degrees, kMaxPelvisAngleDeg));
      }
    };
    if (kn["pelvis_deg"].IsDefined()) read_axes(kn["pelvis_deg"], "pelvis", f + ".pelvis_deg", kf.angles);
    if (kn["pelvis_position"].IsDefined()) {
      const YAML::Node pp = kn["pelvis_position"];
      if (!pp.IsSequence() || pp.size() != 3) r.fail(pp, f + ".pelvis_position", "expected [forward, up, right] in metres");
      for (int i = 0; i < 3; ++i) kf.pelvis_position[i] = r.num(pp[i], f + ".pelvis_position[" + std::to_string(i) + "]");
      if (kf.pelvis_position.norm() > kMaxPelvisOffsetM)
        r.fail(pp, f + ".pelvis_position", fmt::format("more than {:g} m from where the pelvis stands", kMaxPelvisOffsetM));
    }
    if (kn["regions_deg"].IsDefined()) {
      const YAML::Node rn = kn["regions_deg"];
      if (!rn.IsMap()) r.fail(rn, f + ".regions_deg", "expected region → {axis: degrees}");
      r.unique_keys(rn, f + ".regions_deg");
      // The pelvis in two places: one would silently win.
      if (rn["pelvis"].IsDefined() && kn["pelvis_deg"].IsDefined())
        r.fail(rn["pelvis"], f + ".regions_deg.pelvis", "the pelvis is already given by pelvis_deg (line " +
               std::to_string(r.line(kn["pelvis_deg"])) + "): give its angles in one place");
      for (const auto& kv : rn) {
        const std::string region = kv.first.as<std::string>();
        read_axes(kv.second, region, f + ".regions_deg." + region, kf.angles);
      }
    }
    // Per-level angles (per-level radiographs, motion capture): added to the rhythm's share of the
    // regions' angles at that level. The joint names are checked against the model in bind_scenario.
    if (kn["joints_deg"].IsDefined()) {
      const YAML::Node jn = kn["joints_deg"];
      if (!jn.IsMap()) r.fail(jn, f + ".joints_deg", "expected joint → {axis: degrees}, e.g. T1-T2: {flexion: 3}");
      r.unique_keys(jn, f + ".joints_deg");
      for (const auto& kv : jn) {
        const std::string joint = kv.first.as<std::string>();
        const std::string jf = f + ".joints_deg." + joint;
        if (!kv.second.IsMap() || kv.second.size() == 0)
          r.fail(kv.second, jf, "expected {flexion, lateral_bending, axial_rotation} in degrees, at least one");
        read_axes(kv.second, joint, jf, kf.joint_angles);
      }
    }
    if (kn["hands"].IsDefined()) read_hands(r, kn["hands"], f + ".hands", kf.hands);
    if (kn["forces"].IsDefined()) {
      const YAML::Node fn = kn["forces"];
      if (!fn.IsMap()) r.fail(fn, f + ".forces", "expected force name → {force_N | force_body_weight | lower_body_com: [x, y, z] | magnitude_N: value}");
      r.unique_keys(fn, f + ".forces");
      for (const auto& kv : fn) {
        const std::string name = kv.first.as<std::string>();
        const std::string ff = f + ".forces." + name;
        int idx = -1;
        for (size_t i = 0; i < s.forces.size(); ++i)
          if (s.forces[i].name == name) idx = static_cast<int>(i);
        if (idx < 0) {
          std::string names;
          for (const auto& sf : s.forces) names.append(names.empty() ? "" : ", ").append(sf.name);
          r.fail(kv.first, ff, "unknown force '" + name + "' (external_forces lists: " + (names.empty() ? "none" : names) + ")");
        }
        const bool balance = s.forces[idx].kind == ScenarioForce::Kind::kBalance;
        const bool magnitude = s.forces[idx].kind == ScenarioForce::Kind::kMagnitude;
        const char* key = s.forces[idx].kind == ScenarioForce::Kind::kNewton ? "force_N"
                        : s.forces[idx].kind == ScenarioForce::Kind::kBodyWeight ? "force_body_weight"
                        : magnitude ? "magnitude_N" : "lower_body_com";
        if (balance) r.allow(kv.second, ff, {key, "share"});
        else r.allow(kv.second, ff, {key});
        ScenarioKeyframeForce kff;
        kff.force = idx;
        kff.line = r.line(kv.second);
        if (magnitude && kv.second[key].IsDefined()) {
          kff.value = Vec3(r.num(kv.second[key], ff + "." + key), 0, 0);
          check_force_N(r, kv.second[key], ff + "." + key, *kff.value);
        } else if (kv.second[key].IsDefined()) {
          kff.value = r.vec3(kv.second[key], ff + "." + key);
          // A keyframe's force has the limits of the force it changes (external_forces).
          if (s.forces[idx].kind == ScenarioForce::Kind::kNewton) check_force_N(r, kv.second[key], ff + "." + key, *kff.value);
          if (s.forces[idx].kind == ScenarioForce::Kind::kBodyWeight) check_body_weights(r, kv.second[key], ff + "." + key, *kff.value);
        } else if (!balance) {
          r.fail(kv.second, ff + "." + key, "missing required field");
        }
        if (balance && kv.second["share"].IsDefined()) {
          kff.share = r.num(kv.second["share"], ff + ".share");
          if (*kff.share < 0 || *kff.share > 1) r.fail(kv.second["share"], ff + ".share", "must be between 0 and 1");
        }
        kf.forces.push_back(kff);
      }
    }
    if (kn["resting"].IsDefined()) {
      const YAML::Node rn = kn["resting"];
      if (!rn.IsSequence()) r.fail(rn, f + ".resting", "expected a list of segment names (or arm_right, arm_left)");
      std::vector<std::string> names;
      for (size_t i = 0; i < rn.size(); ++i) {
        const std::string field = f + ".resting[" + std::to_string(i) + "]";
        names.push_back(r.str(rn[i], field));
        // Listed twice, the support would carry the segment's weight twice.
        if (std::count(names.begin(), names.end(), names.back()) > 1) r.fail(rn[i], field, "'" + names.back() + "' is listed twice");
      }
      kf.resting = names;
      kf.resting_line = r.line(rn);
    }
    s.keyframes.push_back(kf);
  }
  if (!motion.IsDefined()) warn_if_radians(s);
  // A file that names its subject's height and gives positions must say which subject the positions
  // were written for: `scaled` multiplies them by that height over the model's reference height, which
  // is wrong for positions measured on this subject; `absolute` keeps them, which does not follow a
  // --subject height. Neither is a safe silent default here (docs/scenarios.md, "Positions").
  // A percentile gives a height as well.
  const char* height_key = !root["subject"].IsDefined() ? nullptr
                           : root["subject"]["height"].IsDefined() ? "height"
                           : root["subject"]["percentile"].IsDefined() ? "percentile"
                                                                       : nullptr;
  if (height_key && !root["positions"].IsDefined()) {
    std::string in_file;
    const int with_length = first_position_line(s, &in_file);
    // A motion file's row is named in that file (audit24o #5: "line 13" of a 5-line scenario).
    const std::string where = in_file.empty() || in_file == s.file ? "line " + std::to_string(with_length)
                                                                    : in_file + " line " + std::to_string(with_length);
    if (with_length)
      r.fail(root["subject"][height_key], std::string("subject.") + height_key,
             "the scenario gives positions (" + where + ") and a subject height" +
                 (std::string(height_key) == "percentile" ? " (its percentile's)" : "") + ": say which subject they were written for, positions: absolute (measured on this "
                 "subject, kept as written) or positions: scaled (written for the model's reference subject, scaled by this height "
                 "over the reference height)");
  }
  // A cycle of one keyframe has no length: with repetitions or rests it ran for a length of the
  // engine's choosing (1 s, or the rest), whatever the file said.
  if (s.keyframes.size() == 1)
    r.fail(keys, "keyframes", "a single keyframe has no duration: add a second keyframe (a hold), e.g. {time: 10}");
  // Bounded runs: a duration a week long at most, frames that a long can count and a run can finish.
  const double duration = s.duration_s();
  if (!(duration <= kMaxScenarioDurationS)) {
    const std::string what = fmt::format("{:.6g} s ({} repetitions of the {:.6g} s cycle with their rests and breaks)", duration,
                                         s.repetitions, s.cycle_s());
    const char* field = root["repetitions"].IsDefined() ? "repetitions" : "keyframes";
    r.fail(root[field].IsDefined() ? root[field] : keys, field, "the scenario lasts " + what + ", more than a week (" +
                                                               std::to_string(static_cast<long>(kMaxScenarioDurationS)) + " s)");
  }
  if (duration * s.output_rate_hz > kMaxScenarioFrames)
    r.fail(root["output_rate_hz"].IsDefined() ? root["output_rate_hz"] : root, "output_rate_hz",
           fmt::format("{:.4g} frames over the scenario's {:.6g} s, more than {:.0e}: use a lower rate", duration * s.output_rate_hz,
                       duration, kMaxScenarioFrames));
  // A rate so low that the whole run is one frame (at t = 0) reports that frame as the peak of the task.
  if (s.duration_s() * s.output_rate_hz < 1)
    r.fail(root["output_rate_hz"], "output_rate_hz", "gives a single frame over the scenario's " + [&] {
             // The suggested rate rounded UP to 3 significant digits, so that it passes this check itself
             // (1 / 4.8 s printed as 0.208333 Hz gave 0.9999984 frames and was refused again).
             const double least = 1 / s.duration_s();
             const double unit = std::pow(10.0, std::floor(std::log10(least)) - 2);
             std::ostringstream o;
             o << s.duration_s() << " s: use at least " << std::ceil(least / unit - 1e-9) * unit << " Hz";
             return o.str();
           }());
  return s;
}
}  // namespace

namespace {

// The YAML scalar a path such as "keyframes[2].hands.both.load_kg" names in `root`; throws
// InputError naming the override when the path is malformed or does not exist.
YAML::Node override_target(const YAML::Node& root, const std::string& path, const std::string& option,
                           std::vector<YAML::Node>& on_path, bool allow_sequence = false) {
  auto fail = [&](const std::string& msg) -> void { throw InputError(option, 0, path, msg); };
  YAML::Node cur = root;
  on_path.clear();
  size_t i = 0;
  bool first = true;
  while (i < path.size()) {
    if (path[i] == '[') {
      const auto close = path.find(']', i);
      if (close == std::string::npos) fail("unclosed '['");
      const std::string index = path.substr(i + 1, close - i - 1);
      if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos)
        fail("a list index is a whole number ≥ 0, got [" + index + "]");
      if (index.size() > 9) fail("no list element [" + index + "] in the scenario (index too large)");
      const long k = std::stol(index);
      if (!cur.IsSequence() || k >= static_cast<long>(cur.size())) fail("no list element [" + index + "] in the scenario");
      cur = cur[k];
      on_path.push_back(cur);
      i = close + 1;
    } else {
      if (!first) {
        if (path[i] != '.') fail("expected '.' or '[' after '" + path.substr(0, i) + "'");
        ++i;
      }
      const size_t stop = std::min(path.find_first_of(".[", i), path.size());
      const std::string key = path.substr(i, stop - i);
      if (key.empty()) fail("empty name in the path");
      if (key.find(']') != std::string::npos) fail("unmatched ']'");
      if (!cur.IsMap() || !cur[key].IsDefined()) {
        // The CLI's options (--set, --vary) and Python's arguments (overrides, vary) each in their own words.
        const bool cli = option.rfind("--", 0) == 0;
        fail("the scenario has no '" + key + "' here (" +
             (cli ? option + " changes existing values, it adds none" : option + " can only change existing values, not add keys") +
             (!(first && key == "subject") ? ")"
              : cli ? "; give the subject with --subject mass=70,height=1.75,sex=male)"
                    : "; give the subject with subject=paraspine.Subject(mass=70, height=1.75, sex='male'))"));
      }
      cur = cur[key];
      on_path.push_back(cur);
      i = stop;
    }
    first = false;
  }
  if (allow_sequence && cur.IsSequence()) return cur;
  if (!cur.IsScalar())
    fail(cur.IsSequence() ? "a list: set it whole, [a, b, c] with as many values as it has, or one element, e.g. " + path + "[0]=…"
                          : "a mapping: set one of its values, e.g. " + path + ".KEY=VALUE");
  return cur;
}

// How often `n` is reached from `root`: more than once when it is shared through a YAML anchor and alias.
int times_reached(const YAML::Node& root, const YAML::Node& n) {
  int count = root.is(n) ? 1 : 0;
  if (root.IsMap())
    for (const auto& kv : root) count += times_reached(kv.second, n);
  else if (root.IsSequence())
    for (const auto& e : root) count += times_reached(e, n);
  return count;
}

// Where the scalar that starts at `pos` ends in `text` (plain, single- or double-quoted, on one line).
size_t scalar_end(const std::string& text, size_t pos, const std::string& value) {
  const char q = text[pos];
  if (q == '"' || q == '\'') {
    for (size_t i = pos + 1; i < text.size() && text[i] != '\n'; ++i) {
      if (q == '"' && text[i] == '\\') ++i;
      else if (text[i] == q && q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') ++i;
      else if (text[i] == q) return i + 1;
    }
    return std::string::npos;
  }
  return text.compare(pos, value.size(), value) == 0 ? pos + value.size() : std::string::npos;
}

// VALUE as YAML: plain when it is a number or a plain word, else double-quoted (so "a: b", "5, 6"
// or "[1" stay one string value and the parser, not the YAML syntax, judges it).
std::string yaml_scalar(const std::string& value) {
  if (!value.empty() && value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == std::string::npos)
    return value;
  std::string q = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') q += '\\';
    if (c == '\n') { q += "\\n"; continue; }
    q += c;
  }
  return q + "\"";
}

// `text` with `line` added as a key of the top-level block mapping `root` (loaded from `text`): at the
// mapping's own indentation, after the first document's last line and before a document end marker
// (`...` or a `---` that starts another document), which the loader would stop at. Earlier lines keep
// their numbers, so errors still point at the file's own lines.
std::string with_top_level_line(const std::string& text, const YAML::Node& root, const std::string& line) {
  if (root.size() == 0) return text + (text.empty() || text.back() == '\n' ? "" : "\n") + line + "\n";
  const YAML::Mark first_key = root.begin()->first.Mark();
  const std::string indented = std::string(static_cast<size_t>(std::max(first_key.column, 0)), ' ') + line + "\n";
  // The first line after the first key that is a document marker ends the document the loader reads.
  size_t at = text.find('\n', static_cast<size_t>(std::max(first_key.pos, 0)));
  while (at != std::string::npos) {
    const size_t start = at + 1;
    if (start >= text.size()) break;
    for (const char* marker : {"---", "..."})
      if (text.compare(start, 3, marker) == 0 &&
          (start + 3 == text.size() || text[start + 3] == ' ' || text[start + 3] == '\t' || text[start + 3] == '\n' ||
           text[start + 3] == '\r'))
        return text.substr(0, start) + indented + text.substr(start);
    at = text.find('\n', start);
  }
  std::string out = text;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + indented;
}

// Re-reads the overridden text and requires that every PATH=VALUE (the last one given for a path) is
// what the loader now sees: an override that the YAML structure hides must stop the run, not let it
// go ahead with the file's value or the default while the stored text claims the override.
void check_overrides_took_effect(const std::string& text, const std::string& file,
                                 const std::vector<std::string>& overrides, const std::string& option) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(file, e.mark.line + 1, "", "YAML syntax error: " + e.msg + " (after " + option + ")");
  }
  for (size_t i = 0; i < overrides.size(); ++i) {
    const auto eq = overrides[i].find('=');
    const std::string path = overrides[i].substr(0, eq), value = overrides[i].substr(eq + 1);
    bool later = false;
    for (size_t j = i + 1; j < overrides.size(); ++j) later = later || overrides[j].substr(0, overrides[j].find('=')) == path;
    if (later) continue;
    std::string seen;
    try {
      std::vector<YAML::Node> on_path;
      // A fresh tree per path: override_target walks it by assigning yaml-cpp Nodes, which rebinds
      // what the walk started from.
      seen = override_target(YAML::Load(text), path, option, on_path).Scalar();
    } catch (const InputError&) {
      if (value == "null" || value == "Null" || value == "NULL") continue;  // a plain null is no scalar; the parser judges it
      seen = "(nothing)";
    }
    if (seen != value)
      throw InputError(option, 0, path,
                       "the override did not take effect (the scenario as read gives '" + seen + "', not '" + value +
                           "'): write '" + path + "' in the file itself");
  }
}

}  // namespace

// Top-level scalars the format gives a default (docs/scenarios.md, "Top level"): --set may add them.
// break_every and break_s go together: either alone is refused when the scenario is read, naming the
// other (audit23: micro-breaks could not be given to a bundled posture without copying its file).
// subject is a mapping and stays in the file; fatigue parameters are added by their own rule,
// fatigue_parameter_path.
static bool is_defaulted_top_level_key(const std::string& key) {
  for (const char* k : {"abdominal_pressure", "repetitions", "rest_s", "criterion", "solver_tolerance", "output_rate_hz", "break_every", "break_s",
                        "break_posture", "positions"})
    if (key == k) return true;
  return false;
}

// fatigue.F / .R / .r and fatigue.groups.<group>.F / .R / .r, split at the dots: the scenario's own
// fatigue parameters, which the format makes optional (none of the bundled scenarios has them), so
// --set, --vary and Python's overrides may add them (session 19: a sweep over F was impossible).
static bool fatigue_parameter_path(const std::string& path, std::vector<std::string>& keys) {
  keys.clear();
  for (size_t from = 0;;) {
    const size_t dot = path.find('.', from);
    keys.push_back(path.substr(from, dot == std::string::npos ? std::string::npos : dot - from));
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  auto parameter = [](const std::string& k) { return k == "F" || k == "R" || k == "r"; };
  if (keys.empty() || keys[0] != "fatigue") return false;
  if (keys.size() == 2) return parameter(keys[1]);
  // A group name is a plain word (the models' groups are): anything else would reach the YAML text
  // unquoted and fail there with a syntax error at a line the file does not have.
  const bool word = keys.size() == 4 && !keys[2].empty() &&
                    keys[2].find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string::npos;
  return word && keys[1] == "groups" && parameter(keys[3]);
}

// The position of the '}' that closes the flow mapping opening at text[open] ('{'), or npos.
static size_t flow_mapping_end(const std::string& text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      for (++i; i < text.size() && text[i] != c; ++i)
        if (c == '"' && text[i] == '\\') ++i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return c == '}' ? i : std::string::npos;
    }
  }
  return std::string::npos;
}

// `text` (loaded as `root`) with the fatigue parameter `keys` (fatigue_parameter_path) = `value` added
// when the file does not give it: as a top-level `fatigue: {...}` line when the file has no fatigue
// block, inside its `{...}` when it has one written as a flow mapping on one line. A block-style
// mapping would need a line inserted in the middle of the file, moving every later line and so every
// error's line number: that one is refused, naming its line. nullopt when the file gives the value
// (then it is replaced where it is written, as any other).
static std::optional<std::string> with_fatigue_parameter(const std::string& text, const YAML::Node& root,
                                                         const std::vector<std::string>& keys, const std::string& path,
                                                         const std::string& value, const std::string& option) {
  // Walked with reset(), which rebinds; Node's operator= would overwrite the node walked from.
  YAML::Node cur;
  cur.reset(root);
  size_t depth = 0;
  int key_line = 0;  // the line of the deepest key found (a block mapping's own mark is its first entry)
  while (depth < keys.size() && cur.IsMap() && cur[keys[depth]].IsDefined()) {
    for (auto it = cur.begin(); it != cur.end(); ++it)
      if (it->first.as<std::string>() == keys[depth]) key_line = it->first.Mark().line + 1;
    cur.reset(cur[keys[depth++]]);
  }
  if (depth == keys.size() || (depth > 0 && !cur.IsMap())) return std::nullopt;
  std::string rest = keys.back() + ": " + yaml_scalar(value);
  for (size_t k = keys.size() - 1; k-- > depth;) rest = keys[k] + ": {" + rest + "}";
  if (depth == 0) {
    if (root.Style() == YAML::EmitterStyle::Flow)
      throw InputError(option, 0, path, "the scenario is one flow mapping ({...}): write '" + path + "' in the file");
    return with_top_level_line(text, root, rest);
  }
  const size_t open = static_cast<size_t>(cur.Mark().pos);
  const size_t close =
      cur.Style() == YAML::EmitterStyle::Flow && open < text.size() && text[open] == '{' ? flow_mapping_end(text, open) : std::string::npos;
  if (close == std::string::npos || text.find('\n', open) < close) {
    std::string block;
    for (size_t k = 0; k < depth; ++k) block += (k ? "." : "") + keys[k];
    throw InputError(option, 0, path, "the scenario's '" + block + "' (line " + std::to_string(key_line) + ") has no '" + keys[depth] +
                                          "': write it there (" + option +
                                          " adds fatigue values to a scenario without a fatigue block, or inside a plain {...} on one "
                                          "line: no anchor, alias or tag)");
  }
  // After the last entry, or after a trailing comma YAML allows ({R: 0.002, }): no second comma.
  size_t before = close;
  while (before > open + 1 && (text[before - 1] == ' ' || text[before - 1] == '\t')) --before;
  std::string out = text;
  out.insert(close, (cur.size() > 0 && text[before - 1] != ',' ? ", " : "") + rest);
  return out;
}

std::string with_motion_file(const std::string& text, const std::string& file, const std::string& motion_path, double lowpass_hz,
                             const std::string& option) {
  std::error_code ec;
  if (!fs::is_regular_file(motion_path, ec))
    throw InputError(option, 0, motion_path, fs::is_directory(motion_path, ec) ? "is a folder, not a motion file (CSV)" : "the motion file does not exist");
  return with_motion_entry(text, file, fs::absolute(motion_path).lexically_normal().string(), lowpass_hz, option);
}

std::string with_motion_entry(const std::string& text, const std::string& file, const std::string& motion_file, double lowpass_hz,
                              const std::string& option) {
  if (!(lowpass_hz >= 0) || !std::isfinite(lowpass_hz))
    throw InputError(option, 0, "lowpass_hz", "must be a cutoff frequency in Hz (0: no filter)");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw_yaml_syntax_error(text, file, e);
  }
  if (!root.IsMap()) throw InputError(file, 0, "", "the scenario is not a mapping of keys");
  if (root.Style() == YAML::EmitterStyle::Flow)
    throw InputError(option, 0, "", "the scenario is one flow mapping ({...}): write 'motion: {file: ...}' in the file");
  // Lines of the top-level entries: each runs from its key to the line before the next key.
  std::vector<int> key_lines;
  for (auto it = root.begin(); it != root.end(); ++it) key_lines.push_back(it->first.Mark().line);
  std::sort(key_lines.begin(), key_lines.end());
  std::vector<std::string> lines;
  {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  int motion_line = -1, motion_column = 0;  // the template's own motion key, where the new entry goes
  for (const char* key : {"keyframes", "motion"}) {
    if (!root[key].IsDefined()) continue;
    int first = -1;
    for (auto it = root.begin(); it != root.end(); ++it)
      if (it->first.as<std::string>() == key) first = it->first.Mark().line, motion_column = key == std::string("motion") ? it->first.Mark().column : motion_column;
    if (key == std::string("motion")) motion_line = first;
    const auto next = std::upper_bound(key_lines.begin(), key_lines.end(), first);
    const int last = next == key_lines.end() ? static_cast<int>(lines.size()) - 1 : *next - 1;
    for (int l = first; l <= last && l < static_cast<int>(lines.size()); ++l)
      lines[static_cast<size_t>(l)] = l == first ? std::string("# ") + key + ": replaced by " + option : "";
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  if (!text.empty() && text.back() != '\n' && !out.empty()) out.pop_back();
  const YAML::Node blanked = YAML::Load(out);
  // An OpenSim column mapping (motion.columns) goes with the scenario to another OpenSim storage file,
  // so a folder of inverse-kinematics results runs through one mapping (batch --motion trials/*.mot).
  // The scenario's other motion settings go with it too: the load its hands hold through the motion
  // (motion.hands) and its cutoff when the caller gives none. Its own file is replaced.
  std::string columns, hands, cutoff = lowpass_hz > 0 ? fmt::format(", lowpass_hz: {}", lowpass_hz) : std::string();
  std::string ext = fs::path(motion_file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (const YAML::Node m = root["motion"]; m.IsMap()) {
    // IsDefined first: on a const node a missing key is an invalid node, whose IsMap() throws
    // (audit25i #1: `--motion X.mot` on a motion block without columns ended in "invalid node").
    if (const YAML::Node c = m["columns"]; (ext == ".mot" || ext == ".sto") && c.IsDefined() && c.IsMap()) {
      for (const auto& kv : c)
        if (kv.first.IsScalar() && kv.second.IsScalar())
          columns += (columns.empty() ? "" : ", ") + yaml_scalar(kv.first.as<std::string>()) + ": " + yaml_scalar(kv.second.as<std::string>());
      if (!columns.empty()) columns = ", columns: {" + columns + "}";
    }
    if (const YAML::Node h = m["hands"]; h.IsDefined() && !h.IsNull()) {
      YAML::Emitter e;
      e.SetMapFormat(YAML::Flow);
      e.SetSeqFormat(YAML::Flow);
      e << h;
      hands = std::string(", hands: ") + e.c_str();
    }
    if (const YAML::Node f = m["lowpass_hz"]; lowpass_hz <= 0 && f.IsDefined() && f.IsScalar())
      cutoff = ", lowpass_hz: " + yaml_scalar(f.as<std::string>());
  }
  const std::string line = "motion: {file: " + yaml_scalar(motion_file) + cutoff + columns + hands + "}";
  // In place of the template's own motion entry, so an error in the hands it keeps names a line of
  // the user's file near them (review25: appended, it named a line past the file's end).
  if (motion_line >= 0 && motion_line < static_cast<int>(lines.size())) {
    lines[static_cast<size_t>(motion_line)] = std::string(static_cast<size_t>(motion_column), ' ') + line;
    std::string in_place;
    for (const std::string& l : lines) in_place += l + "\n";
    if (!text.empty() && text.back() != '\n' && !in_place.empty()) in_place.pop_back();
    return in_place;
  }
  return with_top_level_line(out, blanked, line);
}

namespace {

// The single-value overrides one PATH=VALUE stands for (audit21a F9, as sweep --vary reads its paths):
// an index list in the path sets every index it names ("keyframes[1,2].hands.both.load_kg=5"), and a
// list value "[a, b, c]" for a list the scenario writes sets its elements one by one, as many as the
// list has ("…position=[0.45,-0.6,0.18]" → position[0]=0.45, position[1]=-0.6, position[2]=0.18).
std::vector<std::string> expanded_overrides(const std::string& text, const std::vector<std::string>& overrides, const std::string& option) {
  std::vector<std::string> out;
  bool parses = true;
  for (const std::string& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      out.push_back(o);  // refused by apply_overrides, as written
      continue;
    }
    const std::string value = o.substr(eq + 1);
    for (const std::string& path : sweep_axis_paths(o.substr(0, eq), option)) {
      const bool list_value = value.size() >= 2 && value.front() == '[' && value.back() == ']';
      if (!list_value) {
        out.push_back(path + "=" + value);
        continue;
      }
      // A fresh tree per path (override_target's walk rebinds the nodes it starts from; a clone has no
      // marks, and the list's line is named below).
      YAML::Node root;
      try {
        if (parses) root = YAML::Load(text);
      } catch (const YAML::ParserException&) {
        parses = false;
      }
      if (!parses) {
        out.push_back(path + "=" + value);  // the syntax error is apply_overrides' to report
        continue;
      }
      std::vector<YAML::Node> on_path;
      YAML::Node target;
      try {
        target = override_target(root, path, option, on_path, true);
      } catch (const InputError&) {
        out.push_back(path + "=" + value);  // a scalar or a missing path: apply_overrides says which
        continue;
      }
      if (!target.IsSequence()) {
        out.push_back(path + "=" + value);
        continue;
      }
      std::vector<std::string> items;
      const std::string inside = value.substr(1, value.size() - 2);
      if (inside.find_first_of("[]{}") != std::string::npos)
        throw InputError(option, 0, path, "a list value is a flat list of numbers, e.g. [0.45, -0.6, 0.18], got " + value);
      for (size_t from = 0;;) {
        const size_t comma = inside.find(',', from);
        std::string item = inside.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item.empty()) throw InputError(option, 0, path, "an empty element in " + value);
        items.push_back(item);
        if (comma == std::string::npos) break;
        from = comma + 1;
      }
      if (items.size() != target.size())
        throw InputError(option, 0, path, fmt::format("{} values for a list of {} in the scenario (line {}): give all {}, e.g. {}={}", items.size(),
                                                      target.size(), target.Mark().line + 1, target.size(), path,
                                                      target.size() == 3 ? "[0.45, -0.6, 0.18]" : "[...]"));
      for (size_t k = 0; k < items.size(); ++k) out.push_back(path + "[" + std::to_string(k) + "]=" + items[k]);
    }
  }
  return out;
}

}  // namespace

std::string apply_overrides(const std::string& text, const std::string& file,
                            const std::vector<std::string>& given, const std::string& option) {
  if (given.empty()) return text;
  const std::vector<std::string> overrides = expanded_overrides(text.rfind("\xEF\xBB\xBF", 0) == 0 ? text.substr(3) : text, given, option);
  // One value per path: a second --set of the same path would silently replace the first (a job
  // script's typo for another keyframe), as a second --vary of it is refused.
  for (size_t i = 0; i < overrides.size(); ++i)
    for (size_t k = 0; k < i; ++k) {
      const std::string a = overrides[i].substr(0, overrides[i].find('=')), b = overrides[k].substr(0, overrides[k].find('='));
      if (!a.empty() && a == b) throw InputError(option, 0, a, "set twice: give each path once");
    }
  // Each value is replaced where it is written, so the file keeps its comments (every bundled
  // number's source) and its line numbers: errors point at the file's own lines. A UTF-8 byte-order
  // mark is dropped first: the YAML parser skips it, so its marks count from after it.
  std::string out = text.rfind("\xEF\xBB\xBF", 0) == 0 ? text.substr(3) : text;
  for (const std::string& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError(option, 0, o, "expected PATH=VALUE, e.g. subject.body_mass=70");
    const std::string path = o.substr(0, eq), value = o.substr(eq + 1);
    YAML::Node root;
    try {
      root = YAML::Load(out);
    } catch (const YAML::ParserException& e) {
      throw_yaml_syntax_error(out, file, e);
    }
    // A top-level setting the format defines with a default (abdominal_pressure, repetitions, ...) that
    // the file leaves out is added as a line of its own, so `--set abdominal_pressure=false` works on
    // every bundled scenario; any other missing path stays an error (a typo must not pass silently).
    if (root.IsMap() && !root[path].IsDefined() && is_defaulted_top_level_key(path)) {
      if (root.Style() == YAML::EmitterStyle::Flow)
        throw InputError(option, 0, path, "the scenario is one flow mapping ({...}): write '" + path + "' in the file");
      out = with_top_level_line(out, root, path + ": " + yaml_scalar(value));
      continue;
    }
    // A fatigue parameter the file does not give is added (with_fatigue_parameter).
    std::vector<std::string> keys;
    const bool fatigue_path = fatigue_parameter_path(path, keys);
    if (!fatigue_path && path.rfind("fatigue.", 0) == 0 && root.IsMap() &&
        (!root["fatigue"].IsDefined() || path.rfind("fatigue.groups.", 0) == 0))
      throw InputError(option, 0, path,
                       "not a fatigue parameter: fatigue.F, fatigue.R, fatigue.r or fatigue.groups.<group>.F (R, r), the group a plain name");
    if (fatigue_path && root.IsMap())
      if (std::optional<std::string> added = with_fatigue_parameter(out, root, keys, path, value, option)) {
        out = std::move(*added);
        continue;
      }
    std::vector<YAML::Node> on_path;
    const YAML::Node target = override_target(root, path, option, on_path);
    // A value shared through an anchor (&h) and its aliases (*h) is written once: changing it there
    // would change every use, not the one the path names.
    for (const YAML::Node& n : on_path)
      if (times_reached(root, n) > 1)
        throw InputError(option, 0, path, "this value is shared through a YAML anchor and alias (&name / *name) (line " +
                                              std::to_string(n.Mark().line + 1) + "): setting it would change every use; "
                                              "write the aliased value out in the file to change one use");
    const size_t pos = static_cast<size_t>(target.Mark().pos);
    const size_t end = pos < out.size() ? scalar_end(out, pos, target.Scalar()) : std::string::npos;
    if (end == std::string::npos)
      throw InputError(option, 0, path, "only values written on one line can be set (line " + std::to_string(target.Mark().line + 1) + ")");
    out.replace(pos, end - pos, yaml_scalar(value));
  }
  check_overrides_took_effect(out, file, overrides, option);
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += "# with overrides:";
  for (std::string o : given) {
    std::replace(o.begin(), o.end(), '\n', ' ');
    out += " " + o;
  }
  return out + "\n";
}

std::vector<std::string> sweep_axis_paths(const std::string& path, const std::string& option) {
  // The first bracket holding a comma: expanded, and the rest of the path expanded after it.
  for (size_t open = path.find('['); open != std::string::npos; open = path.find('[', open + 1)) {
    const size_t close = path.find(']', open);
    if (close == std::string::npos) break;
    const std::string inside = path.substr(open + 1, close - open - 1);
    if (inside.find(',') == std::string::npos) continue;
    std::vector<std::string> out;
    const std::vector<std::string> tails = sweep_axis_paths(path.substr(close + 1), option);
    size_t from = 0;
    while (true) {
      const size_t comma = inside.find(',', from);
      std::string index = inside.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
      index.erase(0, index.find_first_not_of(' '));
      index.erase(index.find_last_not_of(' ') + 1);
      if (index.empty()) throw InputError(option, 0, path, "an empty index in [" + inside + "]: write e.g. [2,3]");
      for (const auto& tail : tails) out.push_back(path.substr(0, open) + "[" + index + "]" + tail);
      if (comma == std::string::npos) break;
      from = comma + 1;
    }
    return out;
  }
  return {path};
}

void check_not_set_and_varied(const std::vector<std::string>& sets, const std::vector<std::string>& axis_paths,
                              const std::string& set_option, const std::string& vary_option) {
  // A set path with an index list sets each index; one that sets a whole list (position=[...]) sets
  // each of its elements.
  for (const std::string& set : sets)
    for (const std::string& path : sweep_axis_paths(set.substr(0, set.find('=')), set_option))
      for (const std::string& axis : axis_paths)
        for (const std::string& one : sweep_axis_paths(axis, vary_option))
          if (one == path || one.rfind(path + "[", 0) == 0)
            throw InputError(set_option, 0, path, "also varied by " + vary_option + ": give its values in the axis only");
}

std::string SweepAxis::text(size_t k) const { return categorical() ? labels.at(k) : fmt::format("{}", values.at(k)); }

void check_sweep_axes(const Scenario& base, const std::vector<SweepAxis>& axes, const std::string& option) {
  // Subject paths run_sweep knows, by the Subject field they set.
  const std::vector<std::pair<std::string, std::string>> subject_paths = {
      {"subject.mass", "body_mass"}, {"subject.body_mass", "body_mass"}, {"subject.height", "height"},
      {"subject.strength", "strength_factor"}, {"subject.strength_factor", "strength_factor"},
      {"subject.fatigue_rate_scale", "fatigue_rate_scale"}, {"subject.recovery_rate_scale", "recovery_rate_scale"},
      {"subject.percentile", "percentile"}, {"subject.sex", "sex"}};
  auto subject_field = [&](const std::string& path) -> std::string {
    for (const auto& [p, f] : subject_paths)
      if (p == path) return f;
    return "";
  };
  bool sex_axis = false;
  for (const auto& a : axes) sex_axis = sex_axis || subject_field(a.path) == "sex";
  std::vector<std::string> seen;
  for (const SweepAxis& axis : axes) {
    const std::string& path = axis.path;
    const std::string field = subject_field(path);
    // A misspelt subject axis (subject.weight) said "the scenario has no 'subject' here ... give the
    // subject with --subject", the command line's words, from Python too: list the subject axes.
    if (field.empty() && path.rfind("subject.", 0) == 0)
      throw InputError(option, 0, path,
                       "not a subject axis (subject.mass, subject.height, subject.sex, subject.percentile, subject.strength, "
                       "subject.fatigue_rate_scale, subject.recovery_rate_scale)");
    // A percentile sets height and mass: varying either beside it would be overwritten, or overwrite it.
    if (field == "percentile") {
      for (const auto& other : axes)
        if (subject_field(other.path) == "body_mass" || subject_field(other.path) == "height")
          throw InputError(option, 0, path, "varied with " + other.path + ": a percentile sets the height and mass, vary one or the other");
      if (!sex_axis && (!base.subject || base.subject->sex.empty()))
        throw InputError(option, 0, path,
                         "needs the subject's sex: give subject.sex (male or female) in the scenario, or the base subject (" +
                             std::string(option == "--vary" ? "--subject sex=female" : "subject=paraspine.Subject(sex='female')") +
                             "), or vary subject.sex=male,female; the table has a column for each (" + std::string(kAnthropometryTable) +
                             ")");
    }
    const std::vector<std::string> paths = field.empty() ? sweep_axis_paths(path, option) : std::vector<std::string>{"subject." + field};
    for (const std::string& what : paths) {
      for (const std::string& s : seen)
        if (s == what)
          throw InputError(option, 0, path, (what == path ? std::string("") : what + " ") + "varied twice: give all its values in one axis");
      seen.push_back(what);
    }
    if (axis.values.empty()) throw InputError(option, 0, path, "no values");
    if (axis.categorical() && axis.labels.size() != axis.values.size())
      throw std::logic_error("sweep axis " + path + ": labels and values differ in number");
    if (field == "sex" && !axis.categorical()) throw InputError(option, 0, path, "takes male and/or female, not numbers");
    if (!field.empty() && field != "sex" && axis.categorical())
      throw InputError(option, 0, path, "takes numbers, not words ('" + axis.labels.front() + "')");
    for (size_t k = 0; k < axis.values.size(); ++k) {
      const std::string text = axis.text(k);
      // A value twice runs the same point twice, and summary(**point) finds two (audit25i #18).
      for (size_t m = 0; m < k; ++m)
        if (axis.categorical() ? axis.labels[m] == text : axis.values[m] == axis.values[k])
          throw InputError(option, 0, path, "'" + text + "' given twice: each grid value once");
      if (field == "sex") {
        if (text != "male" && text != "female") throw InputError(option, 0, path, "expected male or female, got '" + text + "'");
      } else if (!field.empty()) {
        const std::string problem = subject_value_problem(field, axis.values[k]);
        if (!problem.empty()) throw InputError(option, 0, path, problem);
      } else {
        // As run_sweep sets it, so the check sees the text the grid point runs.
        std::vector<std::string> sets;
        for (const std::string& p : paths) sets.push_back(p + "=" + text);
        parse_scenario_noted(apply_overrides(base.text, base.file, sets, option), base.file,
                             " (with " + option + " " + path + "=" + text + ")");
      }
    }
  }
}

std::string posture_range_problem(const Model& m, const Posture& p, int* dof) {
  Eigen::VectorXd q(m.ndof);
  posture_to_angles(m, p, q);
  if (dof) *dof = -1;
  for (int k = 0; k < m.ndof; ++k) {
    const double lo = 2.0 * m.dof_range(k, 0), hi = 2.0 * m.dof_range(k, 1);
    if (!(q[k] >= lo - 1e-9 && q[k] <= hi + 1e-9)) {
      if (dof) *dof = k;
      // One decimal as a joint angle is read; an absurd value (1e307°) in six significant digits.
      const double deg = rad2deg(q[k]);
      return fmt::format("joint {} {} would be {}°, beyond its range ({:.1f}° … {:.1f}°, twice the in vitro range)",
                         m.joint_name[k / 3], kAxisNames[k % 3], std::abs(deg) < 1e6 ? fmt::format("{:.1f}", deg) : fmt::format("{:.6g}", deg),
                         rad2deg(lo), rad2deg(hi));
    }
  }
  return "";
}

namespace {

// The model a scenario was written for, when a run uses another (--model lumbar on a full_spine
// scenario), loaded once per file and process; null when the run's model is that model, or it
// cannot be loaded (then the scenario binds as written, and unknown names are errors as before).
std::shared_ptr<const Model> written_for_model(const Scenario& s, const Model& m) {
  if (s.written_for_model.empty()) return nullptr;
  const std::string path = resolve_model_path(s.written_for_model);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return nullptr;
  if (!m.file.empty() && fs::equivalent(path, m.file, ec)) return nullptr;
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Model>> cache;
  const std::string key = fs::weakly_canonical(path, ec).string();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it == cache.end()) {
    std::shared_ptr<const Model> loaded;
    try {
      loaded = std::make_shared<const Model>(load_model(path));
    } catch (const std::exception&) {
      loaded = nullptr;
    }
    it = cache.emplace(key, loaded).first;
  }
  if (it->second && it->second->name == m.name && it->second->njoint == m.njoint) return nullptr;  // a copy of the same model
  return it->second;
}

// The joints region r moves (a nonzero rhythm share on any axis), by name.
std::vector<std::string> region_joints(const Model& m, int r) {
  std::vector<std::string> out;
  for (int j = 0; j < m.njoint; ++j)
    for (int ax = 0; ax < 3; ++ax)
      for (int a = 0; a < 3; ++a)
        if (m.rhythm(m.dof(j, ax), 3 * r + a) != 0 && std::find(out.begin(), out.end(), m.joint_name[j]) == out.end())
          out.push_back(m.joint_name[j]);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string implausible_speed(const Scenario& s) {
  double worst = kFastestTrunkDegPerS;
  std::string message;
  auto angle_of = [](const std::vector<ScenarioAngle>& list, const std::string& region, const std::string& axis) {
    for (const auto& a : list)
      if (a.region == region && a.axis == axis) return a.degrees;
    return 0.0;
  };
  for (size_t k = 1; k < s.keyframes.size(); ++k) {
    const ScenarioKeyframe& a = s.keyframes[k - 1];
    const ScenarioKeyframe& b = s.keyframes[k];
    const double dt = b.time - a.time;
    for (std::vector<ScenarioAngle> ScenarioKeyframe::*pair : {&ScenarioKeyframe::angles, &ScenarioKeyframe::joint_angles}) {
      // Every angle either keyframe names, with the field of the one that names it (the later first).
      std::vector<const ScenarioAngle*> named;
      for (const auto& x : b.*pair) named.push_back(&x);
      for (const auto& x : a.*pair) named.push_back(&x);
      for (const ScenarioAngle* x : named) {
        const double speed = std::abs(angle_of(b.*pair, x->region, x->axis) - angle_of(a.*pair, x->region, x->axis)) / dt;
        if (speed > worst) {
          worst = speed;
          message = fmt::format("{}:{}: {}: changes at a mean {:.0f}°/s between t = {:g} s and {:g} s, faster than people move "
                                "their trunk (limit {:g}°/s: collegiate pitchers' peak upper-torso rotation is 1273 ± 142°/s); "
                                "the loads are what that speed asks",
                                b.file.empty() ? s.file : b.file, x->line, x->field, speed, a.time, b.time, kFastestTrunkDegPerS);
        }
      }
    }
  }
  return message;
}

namespace {

// A point of the world frame (m) as the scenario file writes it: divided by what its lengths are
// multiplied by (positions: scaled), "[0.412, -0.021, 0.190]" to the millimetre.
std::string file_point(const Vec3& world, double ls) {
  const Vec3 p = world / ls;
  auto mm = [](double v) { return fmt::format("{:.3f}", std::abs(v) < 5e-4 ? 0.0 : v); };
  return "[" + mm(p.x()) + ", " + mm(p.y()) + ", " + mm(p.z()) + "]";
}

}  // namespace

std::string reach_problem(const Model& m, const ScenarioHand& hand, size_t h, const Vec3& shoulder, double distance, double arm_length,
                          double ls) {
  // hands.both gives the right hand; the left one is its mirror (z negated, parse_scenario).
  const bool both = hand.field.size() >= 5 && hand.field.compare(hand.field.size() - 5, 5, ".both") == 0;
  const char* side = h == 0 ? "right" : "left";
  const Vec3 hand_world = ls * hand.position;
  // "the hand is D m from the shoulder, beyond the arm's …" first, as before (scripts and tests match it).
  std::string msg = fmt::format("the hand is {:.3f} m from the shoulder, beyond the arm's {:.3f} m reach (+5 %: {:.3f} m)", distance,
                                arm_length, 1.05 * arm_length);
  if (both)
    msg += h == 0 ? " — the right hand of hands.both"
                  : " — the left hand of hands.both, the mirror of the given position: " + file_point(hand_world, ls);
  // Far beyond any arm: most likely centimetres or millimetres typed for metres.
  if (distance > kUnitSlipReachM) msg += " — positions are in metres (centimetres typed?)";
  // Where the shoulder is, and the hand point at the straight arm's length on the line from it
  // towards the given hand: a position that passes (the check allows 5 % more) — in the file's frame
  // and units, so that it can be typed in (docs/scenarios.md, "Checks against the model").
  const Vec3 nearest = shoulder + (hand_world - shoulder) * (arm_length / distance);
  msg += fmt::format(". The {} shoulder is at {}; the nearest point within reach on the line from it to the hand is {}", side,
                     file_point(shoulder, ls), file_point(nearest, ls));
  if (both && h == 1) msg += " (hands.both.position " + file_point(Vec3(nearest.x(), nearest.y(), -nearest.z()), ls) + ")";
  msg += ". Positions are metres from the pelvis origin in relaxed standing, [forward, up, right]";
  // The floor: the bundled models' reference subject stands with that origin kStandingPelvisHeightM
  // above it; the model scales it with the body (length_scale), the file's frame by ls.
  if (std::abs(m.reference_height / m.length_scale - kFloorReferenceHeightM) < 5e-4)
    msg += fmt::format("; the floor is at up = {:.3f} m", -kStandingPelvisHeightM * m.length_scale / ls);
  return msg;
}

BoundScenario bind_scenario(const Scenario& s, const Model& m) {
  // An error about a keyframe names the file it was written in: the scenario, or its motion file
  // (whose lines the keyframe's carry); the loops over keyframes set it.
  std::string error_file = s.file;
  auto fail = [&](int line, const std::string& field, const std::string& msg) {
    throw InputError(error_file, line, field, msg + (error_file == s.file ? s.note : ""));
  };
  BoundScenario b{{}, 1, {}, {}, PostureTimeline(m, {0.0}, {neutral_posture(m)}), {}, {}, {}, {}, {}, 0};
  Data d(m);
  // positions: scaled — the file's lengths are the reference subject's; the body scaled_model gave m
  // is that subject's geometrically similar (× length_scale about the pelvis origin), so are they.
  const double ls = s.positions == "absolute" ? 1.0 : m.length_scale;
  b.length_scale = ls;
  const std::string scaled_note =
      ls == 1 ? "" : fmt::format(" (positions: scaled, × {:.4g} for the subject's {:.3g} m height)", ls, m.reference_height);
  const std::shared_ptr<const Model> src = written_for_model(s, m);
  // External forces: segments exist; values per keyframe (held until changed).
  b.lower_body_mass = m.reference_body_mass - m.total_mass();
  std::vector<std::vector<Vec3>> force_values(s.forces.size());
  std::vector<std::vector<double>> force_shares(s.forces.size());
  for (const auto& sf : s.forces) {
    BoundScenario::Force bf;
    bf.spec = sf;
    bf.spec.point *= ls, bf.spec.direction_point *= ls, bf.spec.pivot *= ls;
    if (sf.kind == ScenarioForce::Kind::kBalance) bf.spec.value *= ls;  // the lower body's centre of mass
    auto segment_named = [&](const std::string& name, int line, const std::string& field) {
      const int idx = m.segment_index(name);
      if (idx < 0) {
        std::string names;
        for (const auto& n : m.segment_name) names.append(names.empty() ? "" : ", ").append(n);
        const std::string lumped = src && src->segment_index(name) >= 0
                                       ? " (the scenario was written for model '" + src->name + "', which has it; a force on a segment " +
                                             "that model '" + m.name + "' lumps into another is not carried over)"
                                       : "";
        fail(line, field, "unknown segment '" + name + "'" + lumped + " (this model has: " + names + ")");
      }
      return idx;
    };
    if (sf.at_hands) {
      for (int h = 0; h < 2; ++h)
        if (sf.hands[h] && static_cast<int>(m.arms.size()) <= h)
          fail(sf.line, sf.field + ".point_frame", fmt::format("model '{}' has no {} arm to carry a force at the hands", m.name, h == 0 ? "right" : "left"));
    } else {
      bf.segment = segment_named(sf.segment, sf.segment_line, sf.field + ".segment");
    }
    if (sf.kind == ScenarioForce::Kind::kMagnitude)
      bf.direction_segment = segment_named(sf.direction_segment, sf.direction_line, sf.field + ".direction_from.segment");
    if (sf.carried_by_rib_cage) {
      bool rib_cage = !m.arms.empty();
      for (const auto& arm : m.arms) rib_cage = rib_cage && !arm.rib_cage_segment.empty();
      if (!rib_cage) fail(sf.carried_by_line, sf.field + ".carried_by", "model '" + m.name + "' has no rib cage (its arms give no rib_cage:)");
    }
    if (sf.kind == ScenarioForce::Kind::kBalance && b.lower_body_mass < 0)
      fail(sf.line, sf.field + ".balance", "the model carries more mass than the subject's body mass");
    b.forces.push_back(bf);
  }
  std::vector<int> resting_now;
  for (size_t k = 0; k < s.keyframes.size(); ++k) {
    const auto& kf = s.keyframes[k];
    for (size_t i = 0; i < s.forces.size(); ++i) {
      force_values[i].push_back(k == 0 ? b.forces[i].spec.value : force_values[i].back());
      force_shares[i].push_back(k == 0 ? s.forces[i].share : force_shares[i].back());
    }
    for (const auto& kfv : kf.forces) {
      if (kfv.value) force_values[kfv.force].back() = *kfv.value * (s.forces[kfv.force].kind == ScenarioForce::Kind::kBalance ? ls : 1.0);
      if (kfv.share) force_shares[kfv.force].back() = *kfv.share;
    }
    if (kf.resting) {
      resting_now.clear();
      for (const auto& name : *kf.resting) {
        int idx = m.segment_index(name);
        if (name == "arm_right" && !m.arms.empty()) idx = -1;
        else if (name == "arm_left" && m.arms.size() > 1) idx = -2;
        else if (idx < 0) {
          std::string names = "arm_right, arm_left";
          for (const auto& n : m.segment_name) names.append(", ").append(n);
          const std::string lumped = src && src->segment_index(name) >= 0
                                         ? " (the scenario was written for model '" + src->name + "', which has it; a resting segment that model '" +
                                               m.name + "' lumps into another is not carried over)"
                                         : "";
          fail(kf.resting_line, "keyframes[" + std::to_string(k) + "].resting", "unknown segment '" + name + "'" + lumped + " (this model has: " + names + ")");
        }
        resting_now.push_back(idx);
      }
    }
    b.resting.push_back(resting_now);
  }
  // Regions and joints of the scenario's own model that this model lacks or lumps (e.g. full_spine's
  // head and cervical regions, and eleven of its twelve thoracic levels, inside lumbar's rigid thorax).
  std::vector<std::string>& dropped = b.dropped;
  auto drop = [&](const std::string& what) {
    if (std::find(dropped.begin(), dropped.end(), what) == dropped.end()) dropped.push_back(what);
  };
  // A motion file's region or joint this model lacks is named where the name was written: the CSV's
  // header line and column (not the first row that uses it), or the scenario's motion.columns entry
  // that mapped an OpenSim column to it.
  auto name_fail = [&](const ScenarioAngle& a, const std::string& what) {
    if (a.name_in_scenario) {
      error_file = s.file;
      fail(a.name_line, "motion.columns." + a.field, what);
    }
    fail(a.name_line, fmt::format("{} (column {})", a.field, a.name_column), what);
  };
  // Per keyframe: the level offsets a region angle put on joints through the scenario's model's rhythm,
  // with the angle they came from (to name it in a range error).
  std::vector<std::pair<int, const ScenarioAngle*>> carried;
  // Sized once (a held posture gets a second keyframe): grown by doubling, the list of a motion file's
  // 288 000 postures had room for 524 288 (42 MB where 23 MB are used, the old list alive at each growth).
  b.times.reserve(s.keyframes.size() + 1);
  b.postures.reserve(s.keyframes.size() + 1);
  b.hand_load.reserve(s.keyframes.size());
  b.hand_hanging.reserve(s.keyframes.size());
  for (const auto& kf : s.keyframes) {
    error_file = kf.file.empty() ? s.file : kf.file;
    Posture p = neutral_posture(m);
    p.pelvis_position = ls * kf.pelvis_position;
    carried.clear();
    for (const auto& a : kf.angles) {
      // A region the scenario's model has and this one lacks, or has over fewer joints (lumbar's
      // "thoracic" is T12-L1 alone): each joint of the scenario's model's region that this model has
      // gets that model's share of the angle; the rest lies inside a rigid segment here and is dropped.
      const int r = m.region_index(a.region);
      const int rs = src && a.region != "pelvis" ? src->region_index(a.region) : -1;
      if (rs >= 0 && (r < 0 || region_joints(m, r) != region_joints(*src, rs))) {
        int ax = -1;
        for (int k = 0; k < 3; ++k)
          if (a.axis == kAxisNames[k]) ax = k;
        if (ax < 0) fail(a.line, a.field, "unknown axis '" + a.axis + "' (expected flexion, lateral_bending or axial_rotation)");
        std::vector<std::string> kept, lost;
        for (int dof = 0; dof < src->ndof; ++dof) {
          const double share = src->rhythm(dof, 3 * rs + ax);
          if (share == 0) continue;
          const std::string& joint = src->joint_name[dof / 3];
          const int j = m.joint_index(joint);
          if (j < 0) {
            if (std::find(lost.begin(), lost.end(), joint) == lost.end()) lost.push_back(joint);
            continue;
          }
          if (!std::isfinite(a.degrees)) fail(a.line, a.field, "angle for " + a.region + "." + a.axis + " is not finite");
          p.level_angles[m.dof(j, dof % 3)] += share * deg2rad(a.degrees);
          carried.emplace_back(m.dof(j, dof % 3), &a);
          if (std::find(kept.begin(), kept.end(), joint) == kept.end()) kept.push_back(joint);
        }
        if (kept.empty()) {
          drop(a.region);
        } else if (!lost.empty()) {
          std::string at;
          for (const auto& n : kept) at += (at.empty() ? "" : ", ") + n;
          drop(a.region + " except its share at " + at + " (" + src->name + "'s rhythm)");
        }
        continue;
      }
      if (a.region != "pelvis" && m.region_index(a.region) < 0 && a.name_line > 0) {
        if (a.builtin) {  // a built-in OpenSim mapping's region this model lacks
          drop("regions_deg " + a.region + " (" + a.field + ")");
          continue;
        }
        std::string names = "pelvis";
        for (const auto& n : m.region_name) names += ", " + n;
        name_fail(a, "unknown region '" + a.region + "' (this model has: " + names + ")");
      }
      try {
        set_posture_angle(m, a.region, a.axis, deg2rad(a.degrees), p);
      } catch (const std::invalid_argument& e) {
        fail(a.line, a.field, e.what());
      }
    }
    // Per-level angles, added to what the rhythm gives the level: the regions keep their meaning
    // (each region's angle is still spread by its rhythm), and a level's explicit angle adds to the
    // region's total (docs/scenarios.md, "Per-level angles").
    for (const auto& a : kf.joint_angles) {
      const int j = m.joint_index(a.region);
      if (j < 0 && src && src->joint_index(a.region) >= 0) {  // a level this model lumps
        drop("joints_deg " + a.region);
        continue;
      }
      if (j < 0 && a.builtin) {  // a built-in OpenSim mapping's level this model lacks
        drop("joints_deg " + a.region + " (" + a.field + ")");
        continue;
      }
      if (j < 0) {
        std::string names;
        for (const auto& n : m.joint_name) names.append(names.empty() ? "" : ", ").append(n);
        const std::string hint = m.region_index(a.region) >= 0 || a.region == "pelvis" ? ": a region: give it under regions_deg" : "";
        const std::string what = "unknown joint '" + a.region + "'" + hint + " (model '" + m.name + "' has: " + names + ")";
        if (a.name_line > 0) name_fail(a, what);
        fail(a.line, a.field.substr(0, a.field.rfind('.')), what);
      }
      for (int ax = 0; ax < 3; ++ax)
        if (a.axis == kAxisNames[ax]) p.level_angles[m.dof(j, ax)] += deg2rad(a.degrees);
    }
    // Every level within reach of its range of motion. The models' ranges are in vitro ROM at the
    // test moment (Yamamoto 1989 10 N·m, Wilke 2017 7.5 N·m, Panjabi 2001), which in vivo end-of-range
    // postures exceed (a 50° lumbar flexion puts 12.8° at L1-L2 by the Christophy rhythm; Yamamoto's
    // flexion ROM there is 5.8°); the exponential passive laws keep stiffening beyond it. Interim
    // rule until the models carry in vivo ranges: up to twice the in vitro range is accepted.
    int dof = -1;
    const std::string beyond = posture_range_problem(m, p, &dof);
    if (!beyond.empty()) {
      // Named on the angle that moves that rotation: the level's own joints_deg angle, else a region's
      // (its own axis first, then any the rhythm couples).
      const ScenarioAngle* culprit = nullptr;
      for (const auto& a : kf.joint_angles)
        if (a.region == m.joint_name[dof / 3] && a.axis == kAxisNames[dof % 3]) culprit = &a;
      for (const auto& [k, a] : carried)
        if (!culprit && k == dof) culprit = a;
      std::string parts;
      if (p.level_angles[dof] != 0) {
        Eigen::VectorXd q(m.ndof);
        posture_to_angles(m, p, q);
        parts = fmt::format(" (the regions' rhythm {:.1f}° + joints_deg {:.1f}°)", rad2deg(q[dof] - p.level_angles[dof]),
                            rad2deg(p.level_angles[dof]));
      }
      for (int pass = 0; pass < 2 && !culprit; ++pass)
        for (const auto& a : kf.angles) {
          const int r = m.region_index(a.region);
          if (r < 0 || culprit) continue;
          for (int ax = 0; ax < 3; ++ax)
            if ((pass == 1 || ax == dof % 3) && a.axis == kAxisNames[ax] && m.rhythm(dof, 3 * r + ax) != 0)
              culprit = &a;
        }
      const std::string at = fmt::format("at t = {:g} s ", kf.time);
      if (culprit) fail(culprit->line, culprit->field, at + beyond + parts);
      fail(kf.line, "keyframes[" + std::to_string(&kf - s.keyframes.data()) + "]", at + beyond + parts);
    }
    // Hands within reach of the shoulders in that posture.
    set_static_posture(m, p, d);
    forward_kinematics(m, d);
    for (size_t h = 0; h < 2 && h < m.arms.size(); ++h) {
      const ScenarioHand& hand = kf.hands[h];
      if (hand.hanging) continue;
      const Arm& arm = m.arms[h];
      const Vec3 shoulder = d.segment_origin.col(arm.segment) + d.segment_rotation[arm.segment] * arm.shoulder;
      const double reach = (ls * hand.position - shoulder).norm();
      if (reach > arm.length * 1.05) {
        if (!hand.file.empty()) error_file = hand.file;
        fail(hand.line, hand.field + ".position", reach_problem(m, hand, h, shoulder, reach, arm.length, ls) + scaled_note);
      }
    }
    b.times.push_back(kf.time);
    b.postures.push_back(p);
    b.hand_load.push_back({kf.hands[0].load_kg, kf.hands[1].load_kg});
    b.hand_hanging.push_back({kf.hands[0].hanging, kf.hands[1].hanging});
  }
  error_file = s.file;
  if (b.times.size() == 1) {  // a held posture: a second keyframe at the end of the hold
    b.times.push_back(std::max(1.0, s.rest_s));
    b.postures.push_back(b.postures[0]);
  }
  // The hand and force splines share one copy of the knot times, and keep one value where they never
  // change (a hand that hangs throughout, a backpack's constant weight): a motion file's 288 000 rows
  // otherwise cost 4 × 2.3 MB per spline. Evaluations give the same bits (on_shared_knots).
  const auto knots = std::make_shared<const std::vector<double>>(b.times);
  for (size_t i = 0; i < b.forces.size(); ++i) {
    for (int c = 0; c < 3; ++c) {
      std::vector<double> v;
      for (const Vec3& x : force_values[i]) v.push_back(x[c]);
      if (v.size() == 1) v.push_back(v[0]);
      b.forces[i].value[c] = ShapePreservingSpline::on_shared_knots(knots, v);
    }
    std::vector<double> w = force_shares[i];
    if (w.size() == 1) w.push_back(w[0]);
    b.forces[i].share = ShapePreservingSpline::on_shared_knots(knots, w);
  }
  // A balance support must push, not pull, in every keyframe posture: otherwise the body as
  // described would tip over about the pivot (a wrong pivot or lower-body centre of mass).
  for (size_t k = 0; k < s.keyframes.size() && !b.forces.empty(); ++k) {
    set_static_posture(m, b.postures[k], d);
    forward_kinematics(m, d);
    clear_loads(m, d);
    for (int h = 0; h < 2 && h < static_cast<int>(d.hands.size()); ++h) {
      d.hands[h].hanging = b.hand_hanging[k][h];
      d.hands[h].load_mass = b.hand_load[k][h];
      d.hands[h].position = ls * s.keyframes[k].hands[h].position;
    }
    std::vector<double> magnitude;
    apply_scenario_loads(m, b, b.times[k], false, d, &magnitude);
    for (size_t i = 0; i < b.forces.size(); ++i) {
      const auto& sf = b.forces[i].spec;
      // direction_from needs the body point away from where the force acts (1 cm at least).
      if (sf.kind == ScenarioForce::Kind::kMagnitude) {
        const double gap = scenario_force_direction_gap(m, b.forces[i], d);
        if (gap < 0.01)
          fail(sf.direction_line, sf.field + ".direction_from",
               fmt::format("the body point is {:.3g} m from where the force acts in keyframe {} (t = {:.6g} s): no direction", gap, k, b.times[k]));
      }
      if (sf.kind != ScenarioForce::Kind::kBalance) continue;
      const std::string at = fmt::format(" in keyframe {} (t = {:.6g} s)", k, b.times[k]);
      if (!std::isfinite(magnitude[i]))
        fail(sf.line, sf.field + ".balance", "the support has no moment arm about the pivot axis" + at);
      if (magnitude[i] < 0)
        fail(sf.line, sf.field + ".balance", fmt::format("the support would have to pull ({:.4g} N)", magnitude[i]) + at + ": the body would tip over about the pivot; check pivot, axis and lower_body_com");
    }
  }
  // A motion file's rows are cut from a longer movement: its first and last rows keep the data's own
  // velocity (timeline.h, SplineEnds). Keyframes start and end at rest.
  const SplineEnds ends = s.motion_file.empty() && s.motion_text.empty() ? SplineEnds::kAtRest : SplineEnds::kFromData;
  b.timeline = PostureTimeline(m, b.times, b.postures, ends);
  for (int h = 0; h < 2; ++h)
    for (int c = 0; c < 3; ++c) {
      std::vector<double> v;
      for (size_t k = 0; k < s.keyframes.size(); ++k) v.push_back(ls * s.keyframes[k].hands[h].position[c]);
      if (v.size() == 1) v.push_back(v[0]);
      b.hand_position[h][c] = ShapePreservingSpline::on_shared_knots(knots, v, ends);
    }
  if (const std::string fast = implausible_speed(s); !fast.empty()) warn_once(fast);
  if (!dropped.empty()) {
    std::string list;
    for (const auto& n : dropped) list += (list.empty() ? "" : "; ") + n;
    // A motion file's columns are what is dropped: named with the scenario.
    const std::string where = s.motion_file.empty() ? s.file : s.file + " (motion file " + s.motion_file + ")";
    if (src)
      warn_once(fmt::format("{}: model '{}' does not articulate all of this posture (the scenario was written for model '{}'): "
                            "dropped {} — those levels are rigid in '{}'",
                            where, m.name, src->name, list, m.name));
    else  // only the built-in OpenSim mapping drops without a source model (motion_file.h)
      warn_once(fmt::format("{}: model '{}' does not have every level or region the built-in OpenSim mapping reads: dropped {} — "
                            "those levels are rigid in '{}'",
                            where, m.name, list, m.name));
  }
  return b;
}

int first_position_line(const Scenario& s, std::string* file) {
  for (const auto& kf : s.keyframes) {
    int line = 0;
    if (!kf.pelvis_position.isZero(0)) line = kf.line;
    std::string in = kf.file;
    for (const auto& h : kf.hands)
      if (!h.hanging && !line) line = h.line, in = h.file.empty() ? kf.file : h.file;
    if (line) {
      if (file) *file = in;
      return line;
    }
  }
  for (const auto& sf : s.forces)
    if (!sf.point.isZero(0) || sf.kind == ScenarioForce::Kind::kBalance || sf.kind == ScenarioForce::Kind::kMagnitude) {
      if (file) *file = s.file;
      return sf.line;
    }
  return 0;
}

FrameClock::FrameClock(const Scenario& s) {
  dt = 1.0 / s.output_rate_hz;
  duration = s.duration_s() > 0 ? s.duration_s() : s.cycle_s();
  const double grid = duration / dt;
  // parse_scenario bounds the frames (kMaxScenarioFrames); a Scenario built otherwise is checked here,
  // before a double beyond a long's range is converted.
  if (!(grid >= 0 && grid <= 2 * kMaxScenarioFrames))
    throw std::invalid_argument("scenario '" + s.name + "': " + fmt::format("{:.4g} output frames, more than the limit", grid));
  // Relative tolerance, as cycle_position_of_frame's whole_frames: duration / dt of a long run carries
  // rounding of a few 1e-9 frames, which an absolute 1e-9 took for an end frame 1e-11 s (or 0 s) after
  // the last grid frame.
  const double tol = 1e-9 * std::max(1.0, grid);
  frames = static_cast<long>(std::floor(grid + tol)) + 1;
  end_frame = grid - static_cast<double>(frames - 1) > tol;
  if (end_frame) ++frames;
}

// The last repetition has no rest after it: a time at (or by rounding just past) the end of the run
// is the end of its cycle, not a rest with empty hands.
static void clamp_last_repetition(const Scenario& s, double cycle, CyclePosition& c) {
  if (c.repetition == s.repetitions - 1 && c.resting) c.resting = false, c.on_break = false, c.time_in_cycle = cycle;
}

CyclePosition cycle_position(const Scenario& s, double cycle, double t) {
  const double period = cycle + s.rest_s;
  long before = 0;  // repetitions that start before the block t falls in
  double tb = t;
  if (s.break_every > 0) {
    // Blocks of break_every repetitions, each followed by a break instead of a rest.
    const double block = s.break_every * cycle + (s.break_every - 1) * s.rest_s + s.break_s;
    const long k = block > 0 ? static_cast<long>(std::floor(t / block)) : 0;
    before = k * s.break_every;
    tb = t - k * block;
  }
  CyclePosition c;
  const long in_block_max = s.break_every > 0 ? s.break_every - 1 : s.repetitions - 1;
  long rep = period > 0 ? std::min<long>(static_cast<long>(std::floor(tb / period)), in_block_max) : 0;
  rep = std::min<long>(rep, s.repetitions - 1 - before);
  c.repetition = before + std::max(0L, rep);
  c.time_in_cycle = tb - std::max(0L, rep) * period;
  c.resting = c.time_in_cycle > cycle + 1e-12;
  c.on_break = c.resting && s.break_every > 0 && std::max(0L, rep) == in_block_max;
  if (c.resting) c.time_in_cycle = 0;
  clamp_last_repetition(s, cycle, c);
  return c;
}

CyclePosition cycle_position_of_frame(const Scenario& s, double cycle, long f, double dt) {
  // A length in whole frames, or −1 when it is not one (to 1e-9 relative).
  auto whole_frames = [dt](double length) -> long {
    const double n = length / dt;
    const double k = std::round(n);
    return k >= 1 && std::abs(n - k) <= 1e-9 * k ? static_cast<long>(k) : -1;
  };
  const double period = cycle + s.rest_s;
  const long period_frames = whole_frames(period);
  const double block = s.break_every * cycle + (s.break_every - 1) * s.rest_s + s.break_s;
  const long block_frames = s.break_every > 0 ? whole_frames(block) : 0;
  if (period_frames < 0 || block_frames < 0 || f < 0) return cycle_position(s, cycle, f * dt);
  long before = 0, fb = f;  // as in cycle_position, in frames
  if (s.break_every > 0) {
    const long k = f / block_frames;
    before = k * s.break_every;
    fb = f - k * block_frames;
  }
  CyclePosition c;
  const long in_block_max = s.break_every > 0 ? s.break_every - 1 : s.repetitions - 1;
  long rep = std::min<long>(fb / period_frames, in_block_max);
  rep = std::max(0L, std::min<long>(rep, s.repetitions - 1 - before));
  c.repetition = before + rep;
  c.time_in_cycle = static_cast<double>(fb - rep * period_frames) * dt;
  c.resting = c.time_in_cycle > cycle + 1e-12;
  c.on_break = c.resting && s.break_every > 0 && rep == in_block_max;
  if (c.resting) c.time_in_cycle = 0;
  clamp_last_repetition(s, cycle, c);
  return c;
}

}  // namespace paraspine

namespace paraspine {

std::vector<FatigueParameters> scenario_fatigue_parameters(const Scenario& s, const Model& m) {
  std::vector<FatigueParameters> p = m.muscle_fatigue;
  // The model's F and R are already the subject's (scale_model multiplied them); the scenario's
  // values replace the model's, and the subject's scales multiply them as well (docs/fatigue.md).
  auto apply = [&m](const ScenarioFatigue::Values& v, FatigueParameters& q) {
    if (v.F) q.F = *v.F * m.fatigue_rate_scale;
    if (v.R) q.R = *v.R * m.recovery_rate_scale;
    if (v.r) q.r = *v.r;
  };
  for (auto& q : p) apply(s.fatigue.all, q);
  for (const auto& [group, v] : s.fatigue.groups) {
    bool found = false;
    for (int i = 0; i < m.nmuscle; ++i)
      if (m.muscle_group[i] == group) apply(v, p[i]), found = true;
    if (!found) {
      // The valid names, as for an unknown region or segment (the model's groups, in model order).
      std::vector<std::string> groups;
      for (int i = 0; i < m.nmuscle; ++i)
        if (std::find(groups.begin(), groups.end(), m.muscle_group[i]) == groups.end()) groups.push_back(m.muscle_group[i]);
      std::string names;
      for (const auto& g : groups) names.append(names.empty() ? "" : ", ").append(g);
      throw InputError(s.file, v.line, "fatigue.groups." + group,
                       "no muscle of group '" + group + "' in model '" + m.name + "' (it has: " + names + ")" + s.note);
    }
  }
  return p;
}

}  // namespace paraspine
