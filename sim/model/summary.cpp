#include "sim/model/summary.h"

#include <limits>

#include "sim/common/rotation.h"
#include "sim/kinematics/kinematics.h"
#include "sim/model/anthropometry.h"
#include "sim/model/data.h"
#include "sim/muscles/muscle_geometry.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace paraspine {

nlohmann::json subject_summary(const Model& m) {
  nlohmann::json j = {{"body_mass_kg", m.reference_body_mass}, {"height_m", m.reference_height}, {"sex", m.reference_sex},
                      {"strength_factor", m.strength_factor}, {"fatigue_rate_scale", m.fatigue_rate_scale},
                      {"recovery_rate_scale", m.recovery_rate_scale}};
  // Only for a subject given by percentile: every other output stays as it was.
  if (m.reference_percentile > 0) {
    j["percentile"] = m.reference_percentile;
    j["anthropometric_table"] = kAnthropometryTable;
  }
  return j;
}

std::vector<std::string> region_joint_names(const Model& m, int r) {
  std::vector<std::string> names;
  for (int k = 0; k < m.njoint; ++k)
    if (m.rhythm.row(m.dof(k, 0)).segment<3>(3 * r).cwiseAbs().sum() + m.rhythm.row(m.dof(k, 1)).segment<3>(3 * r).cwiseAbs().sum() +
            m.rhythm.row(m.dof(k, 2)).segment<3>(3 * r).cwiseAbs().sum() > 0)
      names.push_back(m.joint_name[k]);
  return names;
}

nlohmann::json model_summary(const Model& m) {
  using nlohmann::json;
  json j;
  j["name"] = m.name;
  j["file"] = m.file;
  j["segments"] = m.nsegment;
  j["joints"] = m.njoint;
  j["dofs"] = m.ndof;
  j["muscles"] = m.nmuscle;
  j["path_points"] = m.npoint;
  j["total_mass_kg"] = m.total_mass();
  j["reference_subject"] = {{"body_mass_kg", m.reference_body_mass}, {"height_m", m.reference_height}};
  // Per group and side: fascicles, summed PCSA and force, the joints spanned (lowest, highest) and
  // the subdivisions present.
  json groups = json::object();
  for (int i = 0; i < m.nmuscle; ++i) {
    json& g = groups[m.muscle_group[i]][side_name(m.muscle_side[i])];
    if (g.is_null())
      g = {{"fascicles", 0}, {"max_force_N", 0.0}, {"pcsa_cm2", 0.0}, {"lowest_joint", -1},
           {"highest_joint", -1}, {"subdivisions", json::array()}};
    g["fascicles"] = g["fascicles"].get<int>() + 1;
    g["max_force_N"] = g["max_force_N"].get<double>() + m.muscle_fmax[i];
    g["pcsa_cm2"] = g["pcsa_cm2"].get<double>() + 1e4 * m.muscle_pcsa[i];
    const auto [lo, hi] = muscle_joint_span(m, i);
    if (lo >= 0) {
      if (g["lowest_joint"].get<int>() < 0 || lo < g["lowest_joint"].get<int>()) g["lowest_joint"] = lo;
      if (hi > g["highest_joint"].get<int>()) g["highest_joint"] = hi;
    }
    const std::string& sub = m.muscle_subdivision[i];
    if (!sub.empty() && std::find(g["subdivisions"].begin(), g["subdivisions"].end(), sub) == g["subdivisions"].end())
      g["subdivisions"].push_back(sub);
  }
  for (auto& [group, sides] : groups.items())
    for (auto& [side, g] : sides.items()) {
      const int lo = g["lowest_joint"].get<int>(), hi = g["highest_joint"].get<int>();
      g["levels"] = lo < 0 ? json(nullptr) : json({m.joint_name[lo], m.joint_name[hi]});
      g.erase("lowest_joint");
      g.erase("highest_joint");
    }
  j["groups"] = groups;
  // Every fascicle's parameters and its fibres at the neutral posture, for a model author to check an
  // edit (audit20b: model info gave counts and sums only).
  {
    Data d(m);
    forward_kinematics(m, d);  // q = 0: neutral
    muscle_geometry(m, d);
    json fascicles = json::array();
    for (int i = 0; i < m.nmuscle; ++i) {
      const auto [lo, hi] = muscle_joint_span(m, i);
      fascicles.push_back({{"name", m.muscle_name[i]}, {"group", m.muscle_group[i]}, {"subdivision", m.muscle_subdivision[i]},
                           {"side", side_name(m.muscle_side[i])}, {"max_force_N", m.muscle_fmax[i]},
                           {"pcsa_cm2", 1e4 * m.muscle_pcsa[i]}, {"optimal_fiber_length_m", m.muscle_lopt[i]},
                           {"tendon_slack_length_m", m.muscle_lts[i]}, {"pennation_deg", rad2deg(m.muscle_pennation[i])},
                           {"type1_fraction", m.muscle_type1[i]}, {"passive_strain", m.muscle_passive_strain[i]},
                           {"levels", lo < 0 ? json(nullptr) : json({m.joint_name[lo], m.joint_name[hi]})},
                           {"neutral_length_m", d.muscle_length[i]},
                           {"neutral_fiber_length_norm", d.fiber_length[i] / m.muscle_lopt[i]}});
    }
    j["fascicles"] = fascicles;
  }
  // Fascicles whose passive fibre strain differs from De Groote's default, per group/subdivision.
  json strain = json::object();
  for (int i = 0; i < m.nmuscle; ++i) {
    if (m.muscle_passive_strain[i] == kDefaultPassiveStrain) continue;
    const std::string key = m.muscle_group[i] + (m.muscle_subdivision[i].empty() ? "" : "/" + m.muscle_subdivision[i]);
    json& e = strain[key];
    if (e.is_null()) e = {{"passive_strain", m.muscle_passive_strain[i]}, {"fascicles", 0}};
    e["fascicles"] = e["fascicles"].get<int>() + 1;
  }
  j["passive_strain"] = {{"default", kDefaultPassiveStrain}, {"other", strain}};
  if (m.abdominal_pressure.enabled) {
    const AbdominalPressureParameters& ap = m.abdominal_pressure;
    json levels = json::array();
    for (int jn : ap.joints) levels.push_back(m.joint_name[jn]);
    j["abdominal_pressure"] = {{"joints", levels}, {"reference_joint", m.joint_name[ap.reference_joint]},
                               {"area_m2", ap.area}, {"moment_arm_m", ap.moment_arm},
                               {"intercept_kpa", ap.intercept * 1e-3}, {"slope_kpa", ap.slope * 1e-3},
                               {"exponent", ap.exponent}, {"max_pressure_kpa", ap.max_pressure * 1e-3},
                               {"reference_moment_scale", ap.reference_moment_scale}};
  } else {
    j["abdominal_pressure"] = nullptr;
  }
  // Arms: where each hangs and which segments take its load (the shoulder's segment, or the
  // vertebrae of the rib cage's costovertebral joints, docs/model.md §4).
  json arms = json::array();
  for (const Arm& a : m.arms) {
    json carried = json::array();
    if (a.rib_cage_segment.empty()) carried.push_back(m.segment_name[a.segment]);
    for (int s : a.rib_cage_segment)
      if (std::find(carried.begin(), carried.end(), m.segment_name[s]) == carried.end())
        carried.push_back(m.segment_name[s]);
    arms.push_back({{"side", side_name(a.side)}, {"segment", m.segment_name[a.segment]}, {"mass_kg", a.mass},
                    {"rib_cage_joints", a.rib_cage_point.size()}, {"load_carried_by", carried}});
  }
  j["arms"] = arms;
  json segs = json::array();
  for (int s = 0; s < m.nsegment; ++s) {
    const Vec3 c = m.segment_com.col(s);
    segs.push_back({{"name", m.segment_name[s]},
                    {"parent", m.segment_parent[s] < 0 ? json(nullptr) : json(m.segment_name[m.segment_parent[s]])},
                    {"mass_kg", m.segment_mass[s]},
                    {"com_m", {c.x(), c.y(), c.z()}}});
  }
  j["segment_list"] = segs;
  json joints = json::array();
  for (int k = 0; k < m.njoint; ++k) {
    json range = json::object();
    for (int a = 0; a < 3; ++a)
      range[kAxisNames[a]] = {rad2deg(m.dof_range(m.dof(k, a), 0)), rad2deg(m.dof_range(m.dof(k, a), 1))};
    json disc = nullptr;
    if (m.disc_area(k) > 0)
      disc = {{"area_cm2", 1e4 * m.disc_area(k)},
              {"endplate_width_mm", m.joint_disc_width[k] > 0 ? json(1e3 * m.joint_disc_width[k]) : json(nullptr)}};
    json off_disc = nullptr;  // the flexion law's moment carried off the disc centre (passive.off_disc)
    if (k < static_cast<int>(m.joint_off_disc.size()) && !m.joint_off_disc[k].empty()) {
      const OffDiscLoad& o = m.joint_off_disc[k];
      auto list = [](const std::vector<OffDiscTissue>& tissues) {
        json a = json::array();
        for (const OffDiscTissue& t : tissues)
          a.push_back({{"tissue", t.name}, {"share", t.share}, {"moment_arm_mm", 1e3 * t.moment_arm},
                       {"action", t.contact ? "contact" : "tension"}});
        return a;
      };
      off_disc = {{"flexion", list(o.flexion)}, {"extension", list(o.extension)},
                  {"flexion_compression_N_per_Nm", o.flexion_compression},
                  {"extension_compression_N_per_Nm", o.extension_compression}};
    }
    joints.push_back({{"name", m.joint_name[k]},
                      {"parent", m.segment_name[m.joint_parent(k)]},
                      {"child", m.segment_name[m.joint_child(k)]},
                      {"range_deg", range},
                      {"disc", disc},
                      {"off_disc", off_disc}});
  }
  j["joint_list"] = joints;
  j["disc_pressure"] = m.disc_pressure_factor > 0 ? json({{"correction_factor", m.disc_pressure_factor}}) : json(nullptr);
  json regions = json::array();
  for (int r = 0; r < m.nregion; ++r) regions.push_back({{"name", m.region_name[r]}, {"joints", region_joint_names(m, r)}});
  j["regions"] = regions;
  return j;
}

std::string model_summary_text(const Model& m) {
  const auto j = model_summary(m);
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  line(fmt::format("Model {} ({})", m.name, m.file));
  line(fmt::format("  reference subject  {:.1f} kg, {:.2f} m", m.reference_body_mass, m.reference_height));
  line(fmt::format("  {} segments, {} joints ({} rotations), {} muscles, {} path points", m.nsegment,
                   m.njoint, m.ndof, m.nmuscle, m.npoint));
  double arms = 0;
  for (const auto& a : m.arms) arms += a.mass;
  line(fmt::format("  total mass         {:.2f} kg (segments {:.2f} kg, arms {:.2f} kg)", m.total_mass(),
                   m.segment_mass.sum(), arms));
  for (const auto& a : j["arms"]) {
    const auto& by = a["load_carried_by"];
    std::string load = a["rib_cage_joints"].get<size_t>() == 0
                           ? "its load on " + by[0].get<std::string>()
                           : fmt::format("its load carried by the rib cage ({} costovertebral joints) to {} … {}",
                                         a["rib_cage_joints"].get<size_t>(), by.front().get<std::string>(),
                                         by.back().get<std::string>());
    line(fmt::format("  {:<18} {:.2f} kg hanging from {}, {}", "arm (" + a["side"].get<std::string>() + ")",
                     a["mass_kg"].get<double>(), a["segment"].get<std::string>(), load));
  }
  line("");
  line(fmt::format("  {:<12} {:<12} {:>8}  {}", "segment", "parent", "mass kg", "centre of mass (mm, own frame)"));
  for (int s = 0; s < m.nsegment; ++s)
    line(fmt::format("  {:<12} {:<12} {:>8.3f}  ({:6.1f}, {:6.1f}, {:6.1f})", m.segment_name[s],
                     m.segment_parent[s] < 0 ? "-" : m.segment_name[m.segment_parent[s]], m.segment_mass[s],
                     1e3 * m.segment_com(0, s), 1e3 * m.segment_com(1, s), 1e3 * m.segment_com(2, s)));
  line("");
  // The ranges are the model files' in vitro ranges of motion (at the test moment), which in vivo
  // end-of-range postures exceed: scenarios may take a level to twice them (docs/scenarios.md).
  line("  ranges of motion: in vitro (at the test moment); a scenario may reach twice them (docs/scenarios.md)");
  line(fmt::format("  {:<10} {:>18} {:>18} {:>18} {:>14}", "joint", "flexion (deg)", "lat. bending (deg)",
                   "axial rot. (deg)", "disc area cm²"));
  for (int k = 0; k < m.njoint; ++k) {
    std::string row = fmt::format("  {:<10}", m.joint_name[k]);
    for (int a = 0; a < 3; ++a)
      row += fmt::format(" {:>8.1f} … {:>6.1f}", rad2deg(m.dof_range(m.dof(k, a), 0)),
                         rad2deg(m.dof_range(m.dof(k, a), 1)));
    row += m.disc_area(k) > 0 ? fmt::format(" {:>14.2f}", 1e4 * m.disc_area(k)) : fmt::format(" {:>14}", "-");
    line(row);
  }
  if (m.disc_pressure_factor > 0)
    line(fmt::format("  intradiscal pressure = {:g} × compression / disc area (docs/model.md §9)", m.disc_pressure_factor));
  std::string off;
  // "—" for a side without tissues: that side is a free couple, not a measured 0.
  auto per_side = [](const std::vector<OffDiscTissue>& tissues, double k) {
    return tissues.empty() ? std::string("—") : fmt::format("{:.1f}", k);
  };
  for (int k = 0; k < static_cast<int>(m.joint_off_disc.size()); ++k)
    if (!m.joint_off_disc[k].empty())
      off += fmt::format("{}{} {}/{}", off.empty() ? "" : ", ", m.joint_name[k],
                         per_side(m.joint_off_disc[k].flexion, m.joint_off_disc[k].flexion_compression),
                         per_side(m.joint_off_disc[k].extension, m.joint_off_disc[k].extension_compression));
  if (!off.empty())
    line("  disc compression per N·m of joint-law moment carried off the disc (flexion/extension, passive.off_disc): " + off);
  line("");
  line(fmt::format("  {:<20} {:<8} {:>9} {:>10} {:>12}  {}", "muscle group", "side", "fascicles",
                   "PCSA cm²", "max force N", "levels spanned"));
  for (const auto& [group, sides] : j["groups"].items())
    for (const auto& [side, v] : sides.items())
      line(fmt::format("  {:<20} {:<8} {:>9} {:>10.1f} {:>12.1f}  {}", group, side,
                       v["fascicles"].get<int>(), v["pcsa_cm2"].get<double>(),
                       v["max_force_N"].get<double>(),
                       v["levels"].is_null() ? std::string("-")
                       : v["levels"][0] == v["levels"][1]
                           ? v["levels"][0].get<std::string>()  // one joint (rectus capitis: C0-C1)
                           : v["levels"][0].get<std::string>() + " … " + v["levels"][1].get<std::string>()));
  if (!j["passive_strain"]["other"].empty()) {
    line("");
    line(fmt::format("  passive fibre strain e0 (F0 at l_opt·(1 + e0)): {} (De Groote 2016) except", j["passive_strain"]["default"].get<double>()));
    for (const auto& [key, v] : j["passive_strain"]["other"].items())
    {
      // A strain no fibre reaches is how a model file says "no passive fibre force" (the intercostals:
      // their passive stiffness is in the rib cage's joint laws); printed as that, not as 1000000.
      const double e0 = v["passive_strain"].get<double>();
      line(e0 >= 100 ? fmt::format("    {:<40} {:>6}  ({} fascicles; e0 {:g}: no passive fibre force)", key, "none", v["fascicles"].get<int>(), e0)
                     : fmt::format("    {:<40} {:>6}  ({} fascicles)", key, e0, v["fascicles"].get<int>()));
    }
  }
  if (!j["abdominal_pressure"].is_null()) {
    const nlohmann::json& a = j["abdominal_pressure"];
    std::string levels;
    for (const auto& l : a["joints"]) levels += (levels.empty() ? "" : ", ") + l.get<std::string>();
    line("");
    line(fmt::format("  intra-abdominal pressure: p = {} + {}·M^{} kPa (M: extension moment at {}, N·m), 0…{} kPa,",
                     a["intercept_kpa"].get<double>(), a["slope_kpa"].get<double>(), a["exponent"].get<double>(),
                     a["reference_joint"].get<std::string>(), a["max_pressure_kpa"].get<double>()));
    line(fmt::format("    on {} with area {:.1f} cm² and moment arm {:.1f} cm (docs/mechanics.md)", levels,
                     a["area_m2"].get<double>() * 1e4, a["moment_arm_m"].get<double>() * 1e2));
    const double scale = a.value("reference_moment_scale", 1.0);
    if (scale != 1.0)
      line(fmt::format("    M read as the reference body's moment: this subject's × {:.4f} (docs/mechanics.md)", scale));
  }
  return out;
}

std::string most_loaded_joint(const nlohmann::json& summary) {
  std::string most;
  double peak = -std::numeric_limits<double>::infinity();
  if (summary.contains("joints") && summary["joints"].is_object())
    for (const auto& [name, v] : summary["joints"].items())
      if (v.is_object() && v.contains("peak_compression_N") && v["peak_compression_N"].is_number() &&
          v["peak_compression_N"].get<double>() > peak)
        peak = v["peak_compression_N"].get<double>(), most = name;
  return most;
}

}  // namespace paraspine
