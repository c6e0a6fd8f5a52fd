#include "sim/simulate/run_notes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include "sim/common/rotation.h"
#include "sim/model/data.h"
#include "sim/model/known_limits.h"
#include "sim/model/summary.h"
#include "sim/scenario/sample.h"

namespace paraspine {

bool scenario_moves_neck(const Scenario& sc, const Model& m) {
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

double rest_posture_inclination_deg(const Scenario& sc, const BoundScenario& b, const Model& m) {
  if (sc.keyframes.empty()) return 0;
  Data d(m);
  sample_scenario(sc, b, sc.keyframes.front().time, d);
  double sum = d.pelvis_angles[0];
  for (int j = 0; j < m.njoint; ++j)
    if (m.joint_name[j].size() > 1 && (m.joint_name[j][0] == 'L' || m.joint_name[j][0] == 'T') &&
        std::isdigit(static_cast<unsigned char>(m.joint_name[j][1])))
      sum += d.q[3 * j];
  return rad2deg(sum);
}

namespace {

bool is_true(const nlohmann::json& s, const char* key) { return s.contains(key) && s[key].is_boolean() && s[key].get<bool>(); }

}  // namespace

std::vector<int> abdominal_wall_on_spine(const Model& m) {
  static const std::set<std::string> wall = {"external_oblique", "internal_oblique", "rectus_abdominis"};
  auto lumbar = [&](int seg) {
    const std::string& n = m.segment_name[seg];
    return n.size() == 2 && n[0] == 'L' && n[1] >= '1' && n[1] <= '5';
  };
  std::vector<int> out;
  for (int i = 0; i < m.nmuscle; ++i) {
    if (!wall.count(m.muscle_group[i])) continue;
    for (int k = m.muscle_point_begin[i]; k < m.muscle_point_begin[i + 1]; ++k)
      if (lumbar(m.point_segment[k])) {
        out.push_back(i);
        break;
      }
  }
  return out;
}

std::vector<RunNote> run_notes(const Model& m, const Scenario& sc, const BoundScenario& b, const nlohmann::json& summary,
                               const RunObservations& seen) {
  const std::vector<double>& peak_activation = seen.fresh_peak_activation;
  std::vector<RunNote> notes;
  // audit24e #5: the abdominal pressure relieves the lumbar levels up to one joint and none above it,
  // so the level just above often reads as the most loaded.
  const std::string most = most_loaded_joint(summary);
  if (sc.abdominal_pressure && m.abdominal_pressure.enabled && !m.abdominal_pressure.joints.empty() && !most.empty()) {
    const auto& relieved = m.abdominal_pressure.joints;
    const int top = *std::max_element(relieved.begin(), relieved.end());
    if (top + 1 < m.njoint && m.joint_name[top + 1] == most)
      notes.push_back({"abdominal_pressure_step",
                       fmt::format("the abdominal pressure relieves {} and the levels below, none above, so the step to {} is the "
                                   "model's (docs/mechanics.md, \"Intra-abdominal pressure\"): compare the levels from {} down with each "
                                   "other, or run with abdominal_pressure: false for a profile without the step",
                                   m.joint_name[top], most, m.joint_name[top])});
  }
  // audit25t A1: two oblique slips at 0.99 were the darkest lines of every lift picture, read as a finding.
  if (static_cast<int>(peak_activation.size()) == m.nmuscle) {
    std::vector<std::pair<double, std::string>> busy;
    for (const int i : abdominal_wall_on_spine(m))
      if (peak_activation[static_cast<size_t>(i)] >= kAbdominalArtefactActivation) {
        std::string name = m.muscle_name[i];
        for (const char* side : {"_r", "_l"})
          if (name.size() > 2 && name.compare(name.size() - 2, 2, side) == 0) name.resize(name.size() - 2);
        auto it = std::find_if(busy.begin(), busy.end(), [&](const auto& x) { return x.second == name; });
        if (it == busy.end()) busy.emplace_back(peak_activation[static_cast<size_t>(i)], name);
        else it->first = std::max(it->first, peak_activation[static_cast<size_t>(i)]);
      }
    if (!busy.empty()) {
      std::sort(busy.begin(), busy.end(), std::greater<>());
      std::string list;
      for (size_t k = 0; k < busy.size() && k < 3; ++k)
        list += (list.empty() ? "" : ", ") + fmt::format("{} {:.2f}", busy[k].second, busy[k].first);
      if (busy.size() > 3) list += fmt::format(" and {} more", busy.size() - 3);
      notes.push_back({"abdominal_wall_artefact",
                       fmt::format("abdominal slips that ride on the lumbar vertebrae in this model work hard here (fresh-muscle peak activation {}): "
                                   "the model's abdominal wall is carried by the spine, so these slips co-contract against the "
                                   "erectors, a known artefact (docs/model.md, \"Open findings\"; docs/loadsharing.md), not a finding "
                                   "about the abdominals",
                                   list)});
    }
  }
  const bool rests = sc.repetitions > 1 && ((sc.rest_s > 0 && sc.repetitions - 1 > sc.breaks()) ||
                                            (sc.breaks() > 0 && sc.break_s > 0 && sc.break_posture == "standing"));
  if (rests)
    if (const double lean_deg = rest_posture_inclination_deg(sc, b, m); lean_deg >= kStoopedRestDeg)
      notes.push_back({"stooped_rests",
                       fmt::format("the rests are taken in the first keyframe's posture, hands empty: here the trunk leans {:.0f}° forward "
                                   "(pelvis + lumbar + thoracic flexion), so the back muscles keep working through them. For a rest "
                                   "upright, start the cycle upright; for one leaning on a support, break_posture: supported "
                                   "(docs/scenarios.md)",
                                   lean_deg)});
  // audit23t #1: the neck pictures and tables carried no warning.
  // From the run's frames: sampling every keyframe again cost 2 s after a 100 000-row motion file.
  if (const double neck_deg = seen.peak_neck_flexion_deg; neck_deg >= kNeckFlexionCaveatDeg)
    notes.push_back({"neck_flexion",
                     fmt::format("the neck flexes up to {:.0f}° here (C7-T1 … C0-C1). From about {:.0f}° the model's neck flexors hold the "
                                 "stretched head extensors' passive force, so its cervical compressions are known to be too high (C4-C5 "
                                 "×5 at a 45° head tilt and ×21 at 60°, where an EMG-driven study reports about ×2 at 45°), and so are "
                                 "the upper thoracic levels' that carry the neck flexors' pull (T1-T2 ×15 and T4-T5 ×3.9 at 60°): read them as an open problem, docs/model.md \"The neck: "
                                 "what is and is not validated\"",
                                 neck_deg, kNeckFlexionCaveatDeg)});
  if (is_true(summary, "loads_are_lower_bounds") && summary.contains("reserves"))
    notes.push_back({"lower_bounds",
                     fmt::format("reserves carried up to {:.1f} N·m the muscles could not, without loading the discs: the task is "
                                 "beyond this subject's modelled strength and its true compressions are higher (its shears could "
                                 "differ either way)",
                                 summary["reserves"].value("peak_moment_Nm", 0.0))});
  const bool failed = summary.contains("endurance_s") && summary["endurance_s"].is_number();
  if (failed) {
    const std::string kind = summary.value("failure_kind", nlohmann::json(nullptr)).is_string() ? summary["failure_kind"].get<std::string>() : "";
    const std::string who = summary.value("first_to_fail", nlohmann::json(nullptr)).is_string() ? summary["first_to_fail"].get<std::string>() : "";
    if (kind == "strength_limit")
      notes.push_back({"strength_limit",
                       fmt::format("the fascicle that fails first ({}, at {}) is at full activation even fresh: the task fails at the "
                                   "model's strength limit, not by endurance",
                                   who, summary.value("failed_joint", nlohmann::json("")).is_string() ? summary["failed_joint"].get<std::string>() : "")});
    // audit24e #7: in a flexed-neck hold the model's small neck flexors balance the stretched head
    // extensors' passive force and tire first (the known neck problem, docs/model.md).
    static const std::set<std::string> neck_flexors = {"hyoid", "longus_capitis", "longus_colli", "sternocleidomastoid"};
    if (neck_flexors.count(who) && scenario_moves_neck(sc, m))
      notes.push_back({"neck_flexor_fails_first",
                       "a neck flexor fails first. With the head flexed the model's small neck flexors hold the stretched head "
                       "extensors' passive force and tire; in vivo the neck extensors do this work. Read it as the model's open neck "
                       "problem, not as a finding about these muscles (docs/model.md, \"The neck: what is and is not validated\")"});
    // audit24e #1: after the failure reserves take what the fatigued muscles cannot, without loading
    // the discs, so later and mean compressions fall as fatigue grows; a design compared by them
    // ranks backwards.
    if (kind != "strength_limit" && summary["endurance_s"].get<double>() < summary.value("duration_s", 0.0))
      notes.push_back({"loads_fall_after_failure",
                       "from the task failure on, reserves carry what the fatigued muscles cannot, without loading the discs: the "
                       "later and mean compressions fall as fatigue grows. Compare designs by their fresh peaks (--no-fatigue) and "
                       "their times to failure, not by these loads (docs/fatigue.md, \"What a perfectly still hold means in this model\")"});
  }
  if (summary.value("load_sharing_unconverged_solves", 0L) > 0)
    notes.push_back({"unconverged_solves",
                     fmt::format("{} of {} load-sharing solves stopped before convergence (iteration limit or numerical trouble); "
                                 "largest equilibrium residual {:.2g} N·m{}",
                                 summary["load_sharing_unconverged_solves"].get<long>(), summary.value("load_sharing_solves", 0L),
                                 summary.value("load_sharing_max_residual_Nm", 0.0),
                                 // audit26b L2: on near-zero-load frames the SQP's Newton steps converge only
                                 // linearly for fascicles whose optimum is 0, and 50 steps end before its 10⁻⁹ test.
                                 summary.value("criterion", std::string()) == "activation3"
                                     ? " (with activation3 these include frames whose outer loop reached its step limit, max_outer_iterations, "
                                       "while activations still changed by more than its outer tolerance; a small residual means the "
                                       "answer is usable, docs/loadsharing.md)"
                                     : "")});
  // Solves that ended on the QP's stall exit: converged by its rule, residual above the requested
  // tolerance but within 10⁻⁷ of the frame's largest moment (audit26b M4: minmax ends 412 of 551
  // lift solves there, said in --json only).
  if (summary.value("load_sharing_loose_solves", 0L) > 0)
    notes.push_back({"loose_solves",
                     // Not the run's largest residual: that may be an unconverged solve's (review26 #6).
                     fmt::format("{} of {} load-sharing solves ended on the solver's stall exit: each balances its moments to within "
                                 "10⁻⁷ of the frame's largest, rather than to the requested tolerance (docs/loadsharing.md, \"The solver\")",
                                 summary["load_sharing_loose_solves"].get<long>(), summary.value("load_sharing_solves", 0L))});
  return notes;
}

nlohmann::json notes_json(const std::vector<RunNote>& notes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& n : notes) out.push_back({{"key", n.key}, {"text", n.text}});
  return out;
}

}  // namespace paraspine
