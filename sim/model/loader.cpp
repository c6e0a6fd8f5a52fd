#include "sim/model/loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "sim/common/data_dir.h"
#include "sim/common/error.h"
#include "sim/common/file_path.h"
#include "sim/common/text_digest.h"
#include "sim/common/yaml_reader.h"
#include "sim/common/rotation.h"
#include "sim/kinematics/kinematics.h"
#include "sim/model/data.h"
#include "sim/model/subject.h"
#include "sim/muscles/muscle_geometry.h"

namespace paraspine {
namespace {

namespace fs = std::filesystem;

struct Reader : YamlReader {
  // Every number needs a source: either one string for the whole object, or a mapping
  // field → source that names each numeric field present.
  std::string sources(const YAML::Node& obj, const std::string& field,
                      const std::vector<std::string>& numeric_fields) const {
    const YAML::Node s = obj["source"];
    if (!s.IsDefined() || s.IsNull())
      fail(obj, field + ".source", "missing source for the numbers of this entry");
    if (s.IsScalar()) return str(s, field + ".source");
    if (!s.IsMap()) fail(s, field + ".source", "expected a string or a mapping field → source");
    std::string joined;
    for (const auto& f : numeric_fields) {
      const YAML::Node e = s[f];
      if (!e.IsDefined() || e.IsNull())
        fail(s, field + ".source." + f, "missing source for field '" + f + "'");
      joined += (joined.empty() ? "" : "; ") + f + ": " + str(e, field + ".source." + f);
    }
    unique_keys(s, field + ".source");
    for (const auto& kv : s) {
      const std::string k = kv.first.as<std::string>();
      if (std::find(numeric_fields.begin(), numeric_fields.end(), k) == numeric_fields.end())
        fail(kv.first, field + ".source." + k, "source given for field '" + k +
                                                   "', which this entry does not have");
    }
    return joined;
  }
};

std::vector<std::string> present(const YAML::Node& n, std::initializer_list<const char*> keys) {
  std::vector<std::string> out;
  for (const char* k : keys)
    if (n[k].IsDefined() && !n[k].IsNull()) out.emplace_back(k);
  return out;
}

// A point fixed on a segment, [segment, x, y, z] (m): muscle path points and rib-cage joints.
std::pair<int, Vec3> read_segment_point(const Reader& r, const Model& m, const YAML::Node& n, const std::string& field) {
  if (!n.IsSequence() || n.size() != 4) r.fail(n, field, "expected [segment, x, y, z] (m)");
  const std::string seg = r.str(n[0], field + ".segment");
  const int si = m.segment_index(seg);
  if (si < 0) r.fail(n[0], field, "unknown segment '" + seg + "'");
  const Vec3 p(r.num(n[1], field + ".x"), r.num(n[2], field + ".y"), r.num(n[3], field + ".z"));
  if (p.norm() > 0.5)
    r.fail(n, field, "point more than 0.5 m from the origin of segment '" + seg + "' (implausible anatomy; coordinates are in metres)");
  return {si, p};
}

// A muscle path point: [segment, x, y, z], or one riding on N ≥ 2 segments,
// {between: [s1, ..., sN], shares: [w1, ..., wN], at: [x, y, z]} or, on two,
// {between: [first, second], share: s, at: [x, y, z], anchors: [[first], [second]]} (shares [1 − s, s])
// with `at` and the first anchor in the first segment's frame, the second anchor in the second's
// (Model::point_blend). Components of share 0 are dropped: one left makes an ordinary point.
struct PathPoint {
  int segment = -1;   // an ordinary point's segment, or the blended point's first component's
  Vec3 pos = Vec3::Zero();
  int at_segment = -1;  // the segment whose frame `at` is in (the first named), for a point given with `between`
  std::vector<std::pair<int, double>> components;  // (segment, share) with share > 0; empty for [segment, x, y, z]
  double anchor_share = 0;  // s of the two-segment anchors' placement (the second named segment's share)
  bool anchored = false;  // anchors given: the point follows the chord between them
  Vec3 anchor_first = Vec3::Zero(), anchor_second = Vec3::Zero();
  int line = 0;           // for errors found after the neutral pose is known
  std::string field;
  bool blended() const { return components.size() > 1; }
};

PathPoint read_path_point(const Reader& r, const Model& m, const YAML::Node& n, const std::string& field) {
  if (!n.IsMap()) {
    PathPoint p;
    std::tie(p.segment, p.pos) = read_segment_point(r, m, n, field);
    return p;
  }
  r.allow_keys(n, field, {"between", "share", "shares", "at", "anchors"});
  const YAML::Node between = r.require(n, "between", field);
  if (!between.IsSequence() || between.size() < 2)
    r.fail(between, field + ".between", "expected [first segment, second segment] or a longer list of segments");
  PathPoint p;
  p.line = r.line(n);
  p.field = field;
  const size_t count = between.size();
  std::vector<int> segments;
  for (size_t k = 0; k < count; ++k) {
    const std::string f = field + ".between";
    const std::string seg = r.str(between[k], f);
    const int si = m.segment_index(seg);
    if (si < 0) r.fail(between[k], f, "unknown segment '" + seg + "'");
    if (std::find(segments.begin(), segments.end(), si) != segments.end())
      r.fail(between[k], f, count == 2 ? "the two segments must differ" : "segment '" + seg + "' is named twice");
    segments.push_back(si);
  }
  std::vector<double> shares;
  const bool has_share = n["share"].IsDefined(), has_shares = n["shares"].IsDefined();
  if (has_share && has_shares) r.fail(n["shares"], field + ".shares", "give either share (two segments) or shares, not both");
  if (has_share) {
    if (count != 2)
      r.fail(n["share"], field + ".share", "share: s is for a point on two segments; on " + std::to_string(count) +
                                               " give shares: [w1, ..., w" + std::to_string(count) + "] (summing to 1)");
    const double s = r.num(n["share"], field + ".share");
    if (!(s > 0 && s < 1)) r.fail(n["share"], field + ".share", "the second segment's share must lie strictly between 0 and 1");
    shares = {1 - s, s};
    p.anchor_share = s;
  } else {
    const YAML::Node w = r.require(n, "shares", field);
    if (!w.IsSequence() || w.size() != count)
      r.fail(w, field + ".shares", "expected " + std::to_string(count) + " shares, one per segment of between (got " +
                                       (w.IsSequence() ? std::to_string(w.size()) : std::string("no list")) + ")");
    double sum = 0;
    for (size_t k = 0; k < count; ++k) {
      const std::string f = field + ".shares[" + std::to_string(k) + "]";
      const double x = r.num(w[k], f);
      if (!(x >= 0 && x <= 1)) r.fail(w[k], f, "a share must lie between 0 and 1");
      shares.push_back(x);
      sum += x;
    }
    if (!(std::abs(sum - 1) <= 1e-9)) {
      r.fail(w, field + ".shares", fmt::format("the shares must sum to 1 (within 1e-9), got {:.12g}", sum));
    }
    p.anchor_share = shares[1];
  }
  p.at_segment = segments[0];
  p.pos = r.vec3(r.require(n, "at", field), field + ".at");
  if (p.pos.norm() > 0.5)
    r.fail(n["at"], field + ".at", "point more than 0.5 m from the origin of segment '" + m.segment_name[p.at_segment] +
                                       "' (implausible anatomy; coordinates are in metres)");
  if (n["anchors"].IsDefined()) {
    const YAML::Node a = n["anchors"];
    if (count != 2)
      r.fail(a, field + ".anchors", "anchors are for a point on two segments only (this one names " + std::to_string(count) + ")");
    if (!a.IsSequence() || a.size() != 2)
      r.fail(a, field + ".anchors", "expected [[x, y, z] on the first segment, [x, y, z] on the second] (m)");
    p.anchored = true;
    p.anchor_first = r.vec3(a[0], field + ".anchors[0]");
    p.anchor_second = r.vec3(a[1], field + ".anchors[1]");
    for (const auto& [v, k, s] : {std::tuple{p.anchor_first, 0, segments[0]}, std::tuple{p.anchor_second, 1, segments[1]}})
      if (v.norm() > 0.5)
        r.fail(a[k], field + ".anchors[" + std::to_string(k) + "]", "anchor more than 0.5 m from the origin of segment '" +
                                                                        m.segment_name[s] + "' (coordinates are in metres)");
  }
  // Components of share 0 carry nothing and move nothing: dropped (shares [1, 0, 0] is an ordinary point).
  for (size_t k = 0; k < count; ++k)
    if (shares[k] > 0) p.components.emplace_back(segments[k], shares[k]);
  p.segment = p.components[0].first;
  return p;
}

Mat3 read_inertia(const Reader& r, const YAML::Node& n, const std::string& field) {
  const auto v = r.list(n, field, 0);
  Mat3 I = Mat3::Zero();
  if (v.size() == 3) {
    I.diagonal() << v[0], v[1], v[2];
  } else if (v.size() == 6) {  // Ixx Iyy Izz Ixy Ixz Iyz, as in OpenSim
    I << v[0], v[3], v[4], v[3], v[1], v[5], v[4], v[5], v[2];
  } else {
    r.fail(n, field, "expected [Ixx, Iyy, Izz] or [Ixx, Iyy, Izz, Ixy, Ixz, Iyz] in kg·m²");
  }
  Eigen::SelfAdjointEigenSolver<Mat3> es(I);
  if (es.eigenvalues().minCoeff() <= 0) r.fail(n, field, "inertia must be positive definite");
  // Triangle inequality of principal moments: a physical rigid body satisfies I1 <= I2 + I3.
  const Vec3 e = es.eigenvalues();
  if (e[2] > e[0] + e[1] * (1 + 1e-9))
    r.fail(n, field, "principal moments violate the triangle inequality (not a physical body)");
  return I;
}

PassiveLaw::Side read_law_side(const Reader& r, const YAML::Node& n, const std::string& field,
                               double per_unit) {
  r.allow_keys(n, field, {"c1", "c2", "c3", "ce", "be"});
  PassiveLaw::Side s;
  auto get = [&](const char* k, double& out, int power) {
    if (n[k].IsDefined()) out = r.nonnegative(n[k], field + "." + k) * std::pow(per_unit, power);
  };
  get("c1", s.c1, 1);
  get("c2", s.c2, 2);
  get("c3", s.c3, 3);
  get("ce", s.ce, 0);
  get("be", s.be, 1);
  return s;
}

// `passive.off_disc` of a joint: the tissues that carry the flexion law's moment off the disc centre
// (docs/model-format.md). Carries its own source, like `disc:`.
OffDiscLoad read_off_disc(const Reader& r, const YAML::Node& n, const std::string& field) {
  if (!n.IsMap()) r.fail(n, field, "expected a mapping with flexion and/or extension lists and a source");
  r.allow_keys(n, field, {"flexion", "extension", "source"});
  OffDiscLoad o;
  for (const char* side : {"flexion", "extension"}) {
    const YAML::Node list = n[side];
    if (!list.IsDefined()) continue;
    const std::string sf = field + "." + side;
    if (!list.IsSequence() || list.size() == 0) r.fail(list, sf, "expected a non-empty list of tissues");
    std::vector<OffDiscTissue>& tissues = std::string(side) == "flexion" ? o.flexion : o.extension;
    double total = 0;
    for (size_t k = 0; k < list.size(); ++k) {
      const YAML::Node tn = list[k];
      const std::string tf = sf + "[" + std::to_string(k) + "]";
      if (!tn.IsMap()) r.fail(tn, tf, "expected {tissue, share, moment_arm_mm, action}");
      r.allow_keys(tn, tf, {"tissue", "share", "moment_arm_mm", "action"});
      OffDiscTissue t;
      t.name = r.str(r.require(tn, "tissue", tf), tf + ".tissue");
      t.share = r.positive(r.require(tn, "share", tf), tf + ".share");
      if (t.share > 1) r.fail(tn["share"], tf + ".share", "is a fraction of the joint law's moment, at most 1");
      const double arm_mm = r.positive(r.require(tn, "moment_arm_mm", tf), tf + ".moment_arm_mm");
      if (arm_mm > 200) r.fail(tn["moment_arm_mm"], tf + ".moment_arm_mm", "more than 200 mm from the disc centre (in mm?)");
      t.moment_arm = 1e-3 * arm_mm;
      const std::string action = r.str(r.require(tn, "action", tf), tf + ".action");
      if (action == "contact") t.contact = true;
      else if (action != "tension") r.fail(tn["action"], tf + ".action", "expected tension or contact");
      total += t.share;
      tissues.push_back(t);
    }
    if (total > 1 + 1e-9)
      r.fail(list, sf, "shares sum to " + std::to_string(total) + ", more than the whole moment (1)");
  }
  if (o.empty()) r.fail(n, field, "expected a flexion or an extension list");
  o.source = r.str(r.require(n, "source", field), field + ".source");
  o.update_coefficients();
  return o;
}

struct MuscleDefaults {
  double specific_tension = NAN;  // N/m²
  double type1_fraction = NAN;
  double passive_strain = NAN;    // fibre strain at which the passive force reaches F0
};

struct RawSegment {
  YAML::Node node;
  std::string name, parent;
  int index_in_file = 0;
};

}  // namespace

std::string resolve_model_path(const std::string& name_or_path) {
  return resolve_bundled_path(name_or_path, "models", bundled_dir("models"));
}

Model load_model(const std::string& name_or_path) {
  const std::string path = resolve_model_path(name_or_path);
  // A scenario's name where a model belongs (bench --model squat_lift): say so, not "cannot open".
  if (!std::filesystem::is_regular_file(path) &&
      std::filesystem::is_regular_file(resolve_bundled_path(name_or_path, "scenarios", bundled_dir("scenarios"))))
    throw InputError(name_or_path, 0, "", "is a scenario, not a model (paraspine list shows both)");
  Model m = parse_model(read_input_file(path, "model"), path);
  m.file = absolute_file_path(path);  // after parsing, whose errors name the file as it was given
  return m;
}

Model parse_model(const std::string& text, const std::string& file) {
  Reader r{{file, ""}};
  const YAML::Node root = load_yaml_mapping(text, file, "model");
  if (root["paraspine_scenario"].IsDefined())
    r.fail(root["paraspine_scenario"], "paraspine_scenario", "this is a scenario file, not a model (paraspine list shows both)");
  r.allow_keys(root, "", {"paraspine_model", "name", "description", "reference_subject",
                          "references", "muscle_defaults", "fatigue", "passive_creep", "segments",
                          "regions", "arms", "abdominal_pressure", "disc_pressure", "muscles"});
  const YAML::Node version = r.require(root, "paraspine_model", "");
  if (r.num(version, "paraspine_model") != 1)
    r.fail(version, "paraspine_model", "unsupported format version (this build reads 1)");

  Model m;
  m.file = file;
  m.source_digest = text_digest(text);
  m.source_text = std::make_shared<const std::string>(text);
  m.name = r.str(r.require(root, "name", ""), "name");
  if (root["description"].IsDefined()) m.description = r.str(root["description"], "description");

  int reference_line = 0;
  {  // The body the numbers describe; a Subject scales from it.
    const YAML::Node rs = r.require(root, "reference_subject", "");
    reference_line = rs.Mark().line + 1;
    r.allow_keys(rs, "reference_subject", {"body_mass", "height", "sex", "source"});
    m.reference_body_mass = r.positive(r.require(rs, "body_mass", "reference_subject"),
                                       "reference_subject.body_mass");
    m.reference_height =
        r.positive(r.require(rs, "height", "reference_subject"), "reference_subject.height");
    // The ranges a Subject may have: a reference outside them is a unit slip (grams, centimetres)
    // that scaled every subject by 1/1000 or 1/100 (audit20b).
    for (const auto& [key, value, slip] : {std::tuple{"body_mass", m.reference_body_mass, " (grams?)"},
                                           std::tuple{"height", m.reference_height, " (centimetres?)"}}) {
      const std::string problem = subject_value_problem(key, value);
      if (!problem.empty()) r.fail(rs[key], std::string("reference_subject.") + key, problem + slip);
    }
    if (rs["sex"].IsDefined()) {
      m.reference_sex = r.str(rs["sex"], "reference_subject.sex");
      if (m.reference_sex != "male" && m.reference_sex != "female")
        r.fail(rs["sex"], "reference_subject.sex", "expected male or female");
    }
    r.sources(rs, "reference_subject", present(rs, {"body_mass", "height"}));
  }

  // Specific tension in N/m²: published values span 40–130 N/cm² in vivo (Burkhart et al. 2018, the
  // model's source), i.e. 4e5–1.3e6 N/m²; outside 1e5–1e7 the unit is wrong (N/cm² written as N/m²
  // made every muscle 10 000 times weaker, silently; audit20b).
  auto specific_tension = [&](const YAML::Node& n, const std::string& field) {
    const double v = r.positive(n, field);
    if (v < 1e5 || v > 1e7)
      r.fail(n, field, fmt::format("{:g} N/m² is outside 1e5–1e7 (10–1000 N/cm²; in vivo 40–130 N/cm²): the value is in N/m²", v));
    return v;
  };
  // ---- muscle defaults per group ("all" applies to every group)
  // Keys: "all", a group, or "group/subdivision" (the most specific one wins).
  std::map<std::string, MuscleDefaults> defaults;
  std::map<std::string, YAML::Node> default_nodes;
  if (root["muscle_defaults"].IsDefined()) {
    const YAML::Node md = root["muscle_defaults"];
    if (!md.IsMap()) r.fail(md, "muscle_defaults", "expected a mapping group → defaults");
    r.unique_keys(md, "muscle_defaults");
    for (const auto& kv : md) {
      const std::string g = kv.first.as<std::string>();
      const std::string f = "muscle_defaults." + g;
      r.allow_keys(kv.second, f, {"specific_tension", "type1_fraction", "passive_strain", "source"});
      MuscleDefaults d;
      if (kv.second["specific_tension"].IsDefined())
        d.specific_tension = specific_tension(kv.second["specific_tension"], f + ".specific_tension");
      if (kv.second["type1_fraction"].IsDefined()) {
        d.type1_fraction = r.num(kv.second["type1_fraction"], f + ".type1_fraction");
        if (d.type1_fraction < 0 || d.type1_fraction > 1)
          r.fail(kv.second["type1_fraction"], f + ".type1_fraction", "must be in [0, 1]");
      }
      if (kv.second["passive_strain"].IsDefined())
        d.passive_strain = r.positive(kv.second["passive_strain"], f + ".passive_strain");
      r.sources(kv.second, f, present(kv.second, {"specific_tension", "type1_fraction", "passive_strain"}));
      defaults[g] = d;
      default_nodes[g] = kv.first;
    }
  }

  // ---- three-compartment fatigue parameters per group ("all" applies to every group); a model
  // without the block gets the trunk set of FatigueParameters (sources in three_compartment.h)
  std::map<std::string, FatigueParameters> fatigue_groups;
  std::map<std::string, YAML::Node> fatigue_group_nodes;
  fatigue_groups["all"] = FatigueParameters{};
  if (root["fatigue"].IsDefined()) {
    const YAML::Node fb = root["fatigue"];
    if (!fb.IsMap()) r.fail(fb, "fatigue", "expected a mapping group → {F, R, r}");
    r.unique_keys(fb, "fatigue");
    auto read_group = [&](const std::string& g, FatigueParameters base) {
      const YAML::Node n = fb[g];
      const std::string f = "fatigue." + g;
      r.allow_keys(n, f, {"F", "R", "r", "source"});
      if (n["F"].IsDefined()) base.F = r.fatigue_rate(n["F"], f + ".F");
      if (n["R"].IsDefined()) base.R = r.fatigue_rate(n["R"], f + ".R");
      if (n["r"].IsDefined()) base.r = r.rest_multiplier(n["r"], f + ".r");
      r.sources(n, f, present(n, {"F", "R", "r"}));  // every number needs its source
      fatigue_groups[g] = base;
      fatigue_group_nodes[g] = n;
    };
    // A scenario's per-group form (`groups: {longissimus: ...}`) written into a model file read as a
    // group named "groups": say which form a model takes.
    if (fb["groups"].IsDefined())
      r.fail(fb["groups"], "fatigue.groups",
             "a model file gives per-group values directly under fatigue (fatigue: {all: {...}, longissimus: {...}}); "
             "'groups:' is the scenario's form");
    if (fb["all"].IsDefined()) read_group("all", FatigueParameters{});
    for (const auto& kv : fb) {
      const std::string g = kv.first.as<std::string>();
      if (g != "all") read_group(g, fatigue_groups["all"]);
    }
  }

  // ---- passive-tissue creep (optional)
  if (root["passive_creep"].IsDefined()) {
    const YAML::Node c = root["passive_creep"];
    const std::string f = "passive_creep";
    r.allow_keys(c, f, {"tau_creep_s", "steady_fraction", "recovery_fast_fraction", "tau_recovery_fast_s",
                        "tau_recovery_slow_s", "source"});
    CreepParameters& cp = m.creep;
    cp.enabled = true;
    cp.tau_creep = r.positive(r.require(c, "tau_creep_s", f), f + ".tau_creep_s");
    cp.steady_fraction = r.nonnegative(r.require(c, "steady_fraction", f), f + ".steady_fraction");
    if (cp.steady_fraction >= 1) r.fail(c["steady_fraction"], f + ".steady_fraction", "must be below 1 (a fraction of the flexion range)");
    cp.recovery_fast_fraction = r.nonnegative(r.require(c, "recovery_fast_fraction", f), f + ".recovery_fast_fraction");
    if (cp.recovery_fast_fraction > 1) r.fail(c["recovery_fast_fraction"], f + ".recovery_fast_fraction", "must be in [0, 1]");
    cp.tau_recovery_fast = r.positive(r.require(c, "tau_recovery_fast_s", f), f + ".tau_recovery_fast_s");
    cp.tau_recovery_slow = r.positive(r.require(c, "tau_recovery_slow_s", f), f + ".tau_recovery_slow_s");
    cp.source = r.sources(c, f, present(c, {"tau_creep_s", "steady_fraction", "recovery_fast_fraction",
                                             "tau_recovery_fast_s", "tau_recovery_slow_s"}));
  }

  // ---- segments, sorted so that parents precede children
  const YAML::Node segs = r.require(root, "segments", "");
  if (!segs.IsSequence() || segs.size() < 1) r.fail(segs, "segments", "expected a list");
  std::vector<RawSegment> raw;
  std::map<std::string, int> raw_index;
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string f = "segments[" + std::to_string(i) + "]";
    const YAML::Node s = segs[i];
    r.allow_keys(s, f, {"name", "parent", "mass", "com", "inertia", "de_leva_regions", "joint", "source"});
    RawSegment rs{s, r.str(r.require(s, "name", f), f + ".name"), "", static_cast<int>(i)};
    if (s["parent"].IsDefined() && !s["parent"].IsNull())
      rs.parent = r.str(s["parent"], f + ".parent");
    if (raw_index.count(rs.name)) r.fail(s["name"], f + ".name", "duplicate segment '" + rs.name + "'");
    raw_index[rs.name] = static_cast<int>(raw.size());
    raw.push_back(rs);
  }
  int nroot = 0;
  for (const auto& rs : raw) {
    const std::string f = "segments[" + std::to_string(rs.index_in_file) + "]";
    if (rs.parent.empty()) {
      if (++nroot > 1) r.fail(rs.node, f + ".parent", "only one segment may lack a parent (the root)");
      if (rs.node["joint"].IsDefined()) r.fail(rs.node["joint"], f + ".joint", "the root has no joint");
    } else {
      if (!raw_index.count(rs.parent))
        r.fail(rs.node["parent"], f + ".parent", "unknown segment '" + rs.parent + "'");
      if (!rs.node["joint"].IsDefined())
        r.fail(rs.node, f + ".joint", "missing required field (every non-root segment has a joint)");
    }
  }
  if (nroot == 0) r.fail(segs, "segments", "no root segment (one segment must have no parent)");
  // Topological order; a parent chain that never reaches the root is a cycle.
  std::vector<int> order;
  std::vector<int> state(raw.size(), 0);
  for (size_t i = 0; i < raw.size(); ++i) {
    std::vector<int> chain;
    int k = static_cast<int>(i);
    while (k >= 0 && state[k] == 0) {
      state[k] = 1;
      chain.push_back(k);
      k = raw[k].parent.empty() ? -1 : raw_index[raw[k].parent];
    }
    if (k >= 0 && state[k] == 1) {
      const auto& rs = raw[k];
      r.fail(rs.node["parent"], "segments[" + std::to_string(rs.index_in_file) + "].parent",
             "cycle in the segment tree through '" + rs.name + "'");
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      state[*it] = 2;
      order.push_back(*it);
    }
  }

  m.nsegment = static_cast<int>(raw.size());
  m.njoint = m.nsegment - 1;
  m.ndof = 3 * m.njoint;
  m.segment_mass.resize(m.nsegment);
  m.segment_com.resize(3, m.nsegment);
  m.segment_inertia.resize(m.nsegment);
  m.segment_de_leva = Eigen::MatrixX4d::Zero(m.nsegment, 4);
  m.joint_pos_in_parent.resize(3, m.njoint);
  m.joint_pos_in_child.resize(3, m.njoint);
  m.joint_rot_in_parent.resize(m.njoint);
  m.joint_rot_in_child.resize(m.njoint);
  m.dof_range.resize(m.ndof, 2);
  m.dof_passive.resize(m.ndof);
  m.joint_off_disc.assign(m.njoint, OffDiscLoad{});
  m.joint_name.resize(m.njoint);
  m.joint_source.resize(m.njoint);
  m.joint_disc_area = Eigen::VectorXd::Zero(m.njoint);
  m.joint_disc_width = Eigen::VectorXd::Zero(m.njoint);
  m.joint_disc_source.assign(m.njoint, "");
  m.joint_disc_tilt.assign(m.njoint, 0.0);
  struct ChordDisc {
    int joint, line;
    std::string field;
  };
  std::vector<ChordDisc> chord_discs;  // joints with `disc: {plane: chord}`, for after finalize_model
  for (int k : order) m.segment_name.push_back(raw[k].name);

  for (int si = 0; si < m.nsegment; ++si) {
    const RawSegment& rs = raw[order[si]];
    const YAML::Node s = rs.node;
    const std::string f = "segments[" + std::to_string(rs.index_in_file) + "]";
    m.segment_parent.push_back(rs.parent.empty() ? -1 : m.segment_index(rs.parent));
    m.segment_mass[si] = r.positive(r.require(s, "mass", f), f + ".mass");
    m.segment_com.col(si) = r.vec3(r.require(s, "com", f), f + ".com");
    if (m.segment_com.col(si).norm() > 0.5)
      r.fail(s["com"], f + ".com", "centre of mass more than 0.5 m from the segment origin");
    m.segment_inertia[si] = read_inertia(r, r.require(s, "inertia", f), f + ".inertia");
    if (s["de_leva_regions"].IsDefined()) {  // which body regions of de Leva 1996 the mass is
      const YAML::Node dl = s["de_leva_regions"];
      const std::string df = f + ".de_leva_regions";
      r.allow_keys(dl, df, {"head", "upper_trunk", "middle_trunk", "lower_trunk"});
      const char* names[4] = {"head", "upper_trunk", "middle_trunk", "lower_trunk"};
      for (int k = 0; k < 4; ++k)
        if (dl[names[k]].IsDefined()) m.segment_de_leva(si, k) = r.nonnegative(dl[names[k]], df + "." + names[k]);
      if (std::abs(m.segment_de_leva.row(si).sum() - 1.0) > 1e-6)
        r.fail(dl, df, "shares must sum to 1");
    }
    m.segment_source.push_back(r.sources(s, f, present(s, {"mass", "com", "inertia", "de_leva_regions"})));
    if (si == 0) continue;

    // The joint that moves this segment relative to its parent.
    const int j = si - 1;
    const std::string jf = f + ".joint";
    const YAML::Node jn = s["joint"];
    r.allow_keys(jn, jf, {"name", "in_parent", "in_child", "range_deg", "passive", "disc", "source"});
    m.joint_name[j] = r.str(r.require(jn, "name", jf), jf + ".name");
    for (int k = 0; k < j; ++k)
      if (m.joint_name[k] == m.joint_name[j])
        r.fail(jn["name"], jf + ".name", "duplicate joint '" + m.joint_name[j] + "'");
    std::vector<std::string> numeric;
    for (const char* side : {"in_parent", "in_child"}) {
      const YAML::Node fr = jn[side];
      const std::string ff = jf + "." + side;
      Vec3 pos = Vec3::Zero();
      Mat3 rot = Mat3::Identity();
      if (fr.IsDefined()) {
        r.allow_keys(fr, ff, {"position", "rotation_xyz_deg"});
        if (fr["position"].IsDefined()) {
          pos = r.vec3(fr["position"], ff + ".position");
          if (pos.norm() > 0.5) r.fail(fr["position"], ff + ".position", "joint centre more than 0.5 m from the segment origin");
          numeric.push_back(std::string(side) + ".position");
        }
        if (fr["rotation_xyz_deg"].IsDefined()) {
          rot = rotation_xyz(r.vec3(fr["rotation_xyz_deg"], ff + ".rotation_xyz_deg") * kPi / 180);
          numeric.push_back(std::string(side) + ".rotation_xyz_deg");
        }
      }
      if (std::string(side) == "in_parent") {
        m.joint_pos_in_parent.col(j) = pos;
        m.joint_rot_in_parent[j] = rot;
      } else {
        m.joint_pos_in_child.col(j) = pos;
        m.joint_rot_in_child[j] = rot;
      }
    }
    const YAML::Node range = r.require(jn, "range_deg", jf);
    r.allow_keys(range, jf + ".range_deg", {"flexion", "lateral_bending", "axial_rotation"});
    for (int a = 0; a < 3; ++a) {
      const std::string rf = jf + ".range_deg." + kAxisNames[a];
      const auto v = r.list(r.require(range, kAxisNames[a], jf + ".range_deg"), rf, 2);
      if (!(v[0] <= 0 && v[1] >= 0 && v[0] < v[1]))
        r.fail(range[kAxisNames[a]], rf, "expected [min <= 0, max >= 0] with min < max");
      m.dof_range.row(m.dof(j, a)) << deg2rad(v[0]), deg2rad(v[1]);
    }
    numeric.push_back("range_deg");
    if (jn["passive"].IsDefined()) {
      const YAML::Node pn = jn["passive"];
      const std::string pf = jf + ".passive";
      r.allow_keys(pn, pf, {"units", "flexion", "lateral_bending", "axial_rotation", "off_disc"});
      double per_unit = 1.0;  // coefficients per radian unless said otherwise
      if (pn["units"].IsDefined()) {
        const std::string u = r.str(pn["units"], pf + ".units");
        if (u == "per_degree") per_unit = 180.0 / kPi;
        else if (u != "per_radian") r.fail(pn["units"], pf + ".units", "expected per_degree or per_radian");
      }
      for (int a = 0; a < 3; ++a) {
        const YAML::Node an = pn[kAxisNames[a]];
        if (!an.IsDefined()) continue;
        const std::string af = pf + "." + kAxisNames[a];
        r.allow_keys(an, af, {"positive", "negative", "both"});
        PassiveLaw& law = m.dof_passive[m.dof(j, a)];
        if (an["both"].IsDefined())
          law.positive = law.negative = read_law_side(r, an["both"], af + ".both", per_unit);
        if (an["positive"].IsDefined())
          law.positive = read_law_side(r, an["positive"], af + ".positive", per_unit);
        if (an["negative"].IsDefined())
          law.negative = read_law_side(r, an["negative"], af + ".negative", per_unit);
      }
      numeric.push_back("passive");
      if (pn["off_disc"].IsDefined()) {
        const YAML::Node on = pn["off_disc"];
        m.joint_off_disc[j] = read_off_disc(r, on, pf + ".off_disc");
        // A list is read only while the flexion law resists on its side (flexion: θ > 0, the positive
        // side; extension: the negative side): without that side the block would silently do nothing.
        const PassiveLaw& law = m.dof_passive[m.dof(j, 0)];
        auto has = [](const PassiveLaw::Side& s) { return s.c1 != 0 || s.c2 != 0 || s.c3 != 0 || s.ce != 0; };
        if (!m.joint_off_disc[j].flexion.empty() && !has(law.positive))
          r.fail(on["flexion"], pf + ".off_disc.flexion",
                 "the joint has no flexion law resisting flexion (passive.flexion.positive or both), so no "
                 "moment for these tissues to carry");
        if (!m.joint_off_disc[j].extension.empty() && !has(law.negative))
          r.fail(on["extension"], pf + ".off_disc.extension",
                 "the joint has no flexion law resisting extension (passive.flexion.negative or both), so no "
                 "moment for these tissues to carry");
      }
    }
    m.joint_source[j] = r.sources(jn, jf, numeric);
    if (jn["disc"].IsDefined()) {
      // Disc geometry carries its own source (one derivation for its numbers).
      const YAML::Node dn = jn["disc"];
      const std::string df = jf + ".disc";
      r.allow_keys(dn, df, {"area_cm2", "endplate_width_mm", "plane", "source"});
      if (dn["plane"].IsDefined()) {
        const std::string plane = r.str(dn["plane"], df + ".plane");
        if (plane == "chord") chord_discs.push_back({j, r.line(dn["plane"]), df + ".plane"});
        else if (plane != "joint") r.fail(dn["plane"], df + ".plane", "'" + plane + "': expected joint (the joint frame, the default) or chord");
      }
      if (!dn["area_cm2"].IsDefined() && !dn["plane"].IsDefined())
        r.fail(dn, df, "give area_cm2 (the disc's area) or plane (where its mid-plane lies), or leave disc: out");
      if (dn["area_cm2"].IsDefined()) {
        const double area_cm2 = r.positive(dn["area_cm2"], df + ".area_cm2");
        if (area_cm2 > 100) r.fail(dn["area_cm2"], df + ".area_cm2", "more than 100 cm² (cm², not mm²?)");
        m.joint_disc_area[j] = 1e-4 * area_cm2;
      }
      if (dn["endplate_width_mm"].IsDefined()) {
        const double w_mm = r.positive(dn["endplate_width_mm"], df + ".endplate_width_mm");
        if (w_mm > 150) r.fail(dn["endplate_width_mm"], df + ".endplate_width_mm", "more than 150 mm (mm, not µm?)");
        m.joint_disc_width[j] = 1e-3 * w_mm;
      }
      m.joint_disc_source[j] = r.str(r.require(dn, "source", df), df + ".source");
    }
  }

  // ---- spinal rhythm
  if (root["regions"].IsDefined()) {
    const YAML::Node regs = root["regions"];
    if (!regs.IsSequence()) r.fail(regs, "regions", "expected a list");
    m.nregion = static_cast<int>(regs.size());
    m.rhythm = Eigen::MatrixXd::Zero(m.ndof, 3 * m.nregion);
    for (size_t ri = 0; ri < regs.size(); ++ri) {
      const std::string f = "regions[" + std::to_string(ri) + "]";
      const YAML::Node rn = regs[ri];
      r.allow_keys(rn, f, {"name", "joints", "shares", "source"});
      const std::string name = r.str(r.require(rn, "name", f), f + ".name");
      if (m.region_index(name) >= 0) r.fail(rn["name"], f + ".name", "duplicate region '" + name + "'");
      m.region_name.push_back(name);
      const YAML::Node jl = r.require(rn, "joints", f);
      if (!jl.IsSequence() || jl.size() == 0) r.fail(jl, f + ".joints", "expected a list of joint names");
      std::vector<int> joints;
      for (size_t k = 0; k < jl.size(); ++k) {
        const std::string jn = r.str(jl[k], f + ".joints[" + std::to_string(k) + "]");
        const int j = m.joint_index(jn);
        if (j < 0) r.fail(jl[k], f + ".joints[" + std::to_string(k) + "]", "unknown joint '" + jn + "'");
        joints.push_back(j);
      }
      const YAML::Node sh = r.require(rn, "shares", f);
      r.allow_keys(sh, f + ".shares", {"flexion", "lateral_bending", "axial_rotation"});
      for (int a = 0; a < 3; ++a) {
        const std::string af = f + ".shares." + kAxisNames[a];
        const auto v = r.list(r.require(sh, kAxisNames[a], f + ".shares"), af, joints.size());
        double sum = 0;
        for (size_t k = 0; k < v.size(); ++k) {
          if (v[k] < 0) r.fail(sh[kAxisNames[a]][k], af, "shares must not be negative");
          sum += v[k];
          m.rhythm(m.dof(joints[k], a), 3 * static_cast<int>(ri) + a) = v[k];
        }
        if (std::abs(sum - 1.0) > 1e-6)
          r.fail(sh[kAxisNames[a]], af, "shares sum to " + std::to_string(sum) + ", not 1");
      }
      m.region_source.push_back(r.sources(rn, f, {"shares"}));
    }
    // Each level turns about its own joint axes, which the neutral curvature tilts (a lordotic
    // level's lateral-bending axis leans with its disc). Summed, tilted axes turn the region by less
    // than the regional angle, so every column is scaled by k = 1 / |Σ share_i · axis_i| (axes at
    // neutral, in one frame): the region then turns by the stated angle (exact to first order,
    // within 0.5 % at 20°, tested). For flexion all axes coincide in a sagittal curvature and k = 1.
    std::vector<Mat3> neutral(m.nsegment, Mat3::Identity());
    for (int j = 0; j < m.njoint; ++j)
      neutral[j + 1] = neutral[m.segment_parent[j + 1]] * m.joint_rot_in_parent[j] *
                       m.joint_rot_in_child[j].transpose();
    m.region_scale = Eigen::MatrixX3d::Ones(m.nregion, 3);
    for (int ri = 0; ri < m.nregion; ++ri)
      for (int a = 0; a < 3; ++a) {
        Vec3 sum = Vec3::Zero();
        for (int j = 0; j < m.njoint; ++j)
          sum += m.rhythm(m.dof(j, a), 3 * ri + a) * (neutral[m.segment_parent[j + 1]] *
                                                      m.joint_rot_in_parent[j] * joint_axis(a));
        m.region_scale(ri, a) = 1.0 / sum.norm();
        m.rhythm.col(3 * ri + a) *= m.region_scale(ri, a);
      }
  } else {
    m.rhythm = Eigen::MatrixXd::Zero(m.ndof, 0);
    m.region_scale = Eigen::MatrixX3d::Zero(0, 3);
  }

  // ---- arms
  if (root["arms"].IsDefined()) {
    const YAML::Node arms = root["arms"];
    if (!arms.IsSequence()) r.fail(arms, "arms", "expected a list");
    for (size_t i = 0; i < arms.size(); ++i) {
      const std::string f = "arms[" + std::to_string(i) + "]";
      const YAML::Node an = arms[i];
      r.allow_keys(an, f, {"side", "segment", "shoulder", "mass", "com_fraction", "length", "rib_cage", "source"});
      Arm arm;
      const std::string seg = r.str(r.require(an, "segment", f), f + ".segment");
      arm.segment = m.segment_index(seg);
      if (arm.segment < 0) r.fail(an["segment"], f + ".segment", "unknown segment '" + seg + "'");
      arm.shoulder = r.vec3(r.require(an, "shoulder", f), f + ".shoulder");
      if (arm.shoulder.norm() > 0.5) r.fail(an["shoulder"], f + ".shoulder", "more than 0.5 m from the segment origin");
      arm.mass = r.positive(r.require(an, "mass", f), f + ".mass");
      arm.com_fraction = r.num(r.require(an, "com_fraction", f), f + ".com_fraction");
      if (arm.com_fraction < 0 || arm.com_fraction > 1) r.fail(an["com_fraction"], f + ".com_fraction", "must be in [0, 1]");
      arm.length = r.positive(r.require(an, "length", f), f + ".length");
      {
        // A unit slip or a typo (6.187 for 0.6187 m) let the arm reach any grip and raised the loads
        // tenfold (audit25i #17). de Leva 1996's male upper arm + forearm + 79 % of the hand is 0.36
        // of stature (the bundled models' length: 0.6187 m at 1.716 m); a plausibility band of
        // two thirds to 1.5 times that proportion is an assumption [A], a check of the input, not anatomy.
        const double ratio = arm.length / m.reference_height;
        if (ratio < 0.24 || ratio > 0.55)
          r.fail(an["length"], f + ".length",
                 fmt::format("{:g} m is {:.2f} of the reference height ({:g} m); shoulder to grip is about 0.36 of stature (de Leva 1996): "
                             "0.24–0.55 is accepted (a unit slip?)",
                             arm.length, ratio, m.reference_height));
      }
      r.sources(an, f, present(an, {"shoulder", "mass", "com_fraction", "length", "rib_cage"}));
      // rib_cage: the right-side costovertebral joints; each is used with its mirror image (z → −z),
      // because one rib cage spans both sides and carries either arm.
      if (an["rib_cage"].IsDefined()) {
        const YAML::Node rc = an["rib_cage"];
        if (!rc.IsSequence() || rc.size() < 2 || 2 * rc.size() > static_cast<size_t>(kMaxRibCagePoints))
          r.fail(rc, f + ".rib_cage", "expected a list of 2 to " + std::to_string(kMaxRibCagePoints / 2) +
                                          " [segment, x, y, z] (m) costovertebral joints");
        for (size_t k = 0; k < rc.size(); ++k) {
          const std::string pf = f + ".rib_cage[" + std::to_string(k) + "]";
          const auto [si, p] = read_segment_point(r, m, rc[k], pf);
          if (std::abs(p.z()) < 1e-4)
            r.fail(rc[k], pf, "a costovertebral joint must lie beside the midline (|z| ≥ 0.1 mm): give the right-side one");
          for (const double zs : {1.0, -1.0}) {
            arm.rib_cage_segment.push_back(si);
            arm.rib_cage_point.push_back(Vec3(p.x(), p.y(), zs * p.z()));
          }
        }
        if (std::all_of(arm.rib_cage_segment.begin(), arm.rib_cage_segment.end(),
                        [&](int s) { return s == arm.rib_cage_segment.front(); }))
          r.fail(rc, f + ".rib_cage", "all joints on one segment: give the rib cage's joints on several vertebrae");
      }
      const std::string side = r.str(r.require(an, "side", f), f + ".side");
      if (side == "right" || side == "both") {
        arm.side = Side::kRight;
        m.arms.push_back(arm);
      }
      if (side == "left" || side == "both") {
        Arm left = arm;
        left.side = Side::kLeft;
        if (side == "both") left.shoulder.z() = -left.shoulder.z();
        m.arms.push_back(left);
      }
      if (side != "right" && side != "left" && side != "both")
        r.fail(an["side"], f + ".side", "expected right, left or both");
    }
  }

  // ---- intra-abdominal pressure (optional; sim/dynamics/abdominal_pressure.h)
  if (root["disc_pressure"].IsDefined()) {
    // Compression → intradiscal pressure at the joints with a disc: p = correction_factor · F / A.
    const YAML::Node dp = root["disc_pressure"];
    r.allow_keys(dp, "disc_pressure", {"correction_factor", "source"});
    m.disc_pressure_factor = r.positive(r.require(dp, "correction_factor", "disc_pressure"), "disc_pressure.correction_factor");
    if (m.disc_pressure_factor > 5)
      r.fail(dp["correction_factor"], "disc_pressure.correction_factor", "above 5 (in vitro ratios are about 1.3–1.5)");
    m.disc_pressure_source = r.str(r.require(dp, "source", "disc_pressure"), "disc_pressure.source");
  }

  if (root["abdominal_pressure"].IsDefined()) {
    const YAML::Node a = root["abdominal_pressure"];
    const std::string f = "abdominal_pressure";
    r.allow_keys(a, f, {"joints", "reference_joint", "area", "moment_arm", "pressure_intercept_kpa",
                        "pressure_slope_kpa", "pressure_exponent", "max_pressure_kpa", "source"});
    AbdominalPressureParameters& ap = m.abdominal_pressure;
    ap.enabled = true;
    auto joint_named = [&](const YAML::Node& n, const std::string& field) {
      const std::string name = r.str(n, field);
      const int j = m.joint_index(name);
      if (j < 0) r.fail(n, field, "unknown joint '" + name + "'");
      return j;
    };
    const YAML::Node jn = r.require(a, "joints", f);
    if (!jn.IsSequence() || jn.size() == 0) r.fail(jn, f + ".joints", "expected a non-empty list of joint names");
    for (size_t i = 0; i < jn.size(); ++i) {
      const int j = joint_named(jn[i], f + ".joints[" + std::to_string(i) + "]");
      if (std::find(ap.joints.begin(), ap.joints.end(), j) != ap.joints.end())
        r.fail(jn[i], f + ".joints[" + std::to_string(i) + "]", "joint listed twice");
      ap.joints.push_back(j);
    }
    ap.reference_joint = joint_named(r.require(a, "reference_joint", f), f + ".reference_joint");
    ap.area = r.positive(r.require(a, "area", f), f + ".area");
    if (ap.area > 0.2) r.fail(a["area"], f + ".area", "more than 0.2 m² (m², not cm²?)");
    ap.moment_arm = r.num(r.require(a, "moment_arm", f), f + ".moment_arm");
    if (std::abs(ap.moment_arm) > 0.3) r.fail(a["moment_arm"], f + ".moment_arm", "more than 0.3 m from the joint (m, not cm?)");
    ap.intercept = 1e3 * r.num(r.require(a, "pressure_intercept_kpa", f), f + ".pressure_intercept_kpa");
    ap.slope = 1e3 * r.nonnegative(r.require(a, "pressure_slope_kpa", f), f + ".pressure_slope_kpa");
    ap.exponent = r.positive(r.require(a, "pressure_exponent", f), f + ".pressure_exponent");
    ap.max_pressure = 1e3 * r.positive(r.require(a, "max_pressure_kpa", f), f + ".max_pressure_kpa");
    ap.source = r.sources(a, f, present(a, {"area", "moment_arm", "pressure_intercept_kpa", "pressure_slope_kpa",
                                             "pressure_exponent", "max_pressure_kpa"}));
  }

  // ---- muscles
  const YAML::Node mus = root["muscles"];
  std::vector<std::vector<PathPoint>> paths;
  std::vector<double> fmax, pcsa, lopt, lts, penn, type1, passive_strain;
  std::vector<std::pair<int, std::string>> muscle_where;  // each fascicle's line and field, for checks after placing
  if (mus.IsDefined()) {
    if (!mus.IsSequence()) r.fail(mus, "muscles", "expected a list");
    for (size_t i = 0; i < mus.size(); ++i) {
      const std::string f = "muscles[" + std::to_string(i) + "]";
      const YAML::Node mn = mus[i];
      r.allow_keys(mn, f, {"name", "group", "subdivision", "side", "path", "max_isometric_force",
                           "pcsa", "specific_tension", "optimal_fiber_length",
                           "tendon_slack_length", "pennation_deg", "type1_fraction", "passive_strain", "source"});
      const std::string name = r.str(r.require(mn, "name", f), f + ".name");
      const std::string group = r.str(r.require(mn, "group", f), f + ".group");
      const std::string sub = mn["subdivision"].IsDefined() ? r.str(mn["subdivision"], f + ".subdivision") : "";
      const std::string side = r.str(r.require(mn, "side", f), f + ".side");
      if (side != "right" && side != "left" && side != "both" && side != "midline")
        r.fail(mn["side"], f + ".side", "expected right, left, both (given as right, mirrored) or midline");

      const YAML::Node pn = r.require(mn, "path", f);
      if (!pn.IsSequence() || pn.size() < 2) r.fail(pn, f + ".path", "a path needs at least an origin and an insertion");
      std::vector<PathPoint> path;
      for (size_t k = 0; k < pn.size(); ++k) {
        path.push_back(read_path_point(r, m, pn[k], f + ".path[" + std::to_string(k) + "]"));
      }
      bool crosses = false;
      for (const PathPoint& p : path) {
        crosses = crosses || p.segment != path[0].segment;
        for (const auto& [seg, share] : p.components) crosses = crosses || seg != path[0].segment;
      }
      if (!crosses) r.fail(pn, f + ".path", "all points are on one segment: the muscle crosses no joint");

      MuscleDefaults d;
      for (const std::string& key : {std::string("all"), group, group + "/" + sub}) {
        if (!defaults.count(key)) continue;
        if (!std::isnan(defaults[key].specific_tension)) d.specific_tension = defaults[key].specific_tension;
        if (!std::isnan(defaults[key].type1_fraction)) d.type1_fraction = defaults[key].type1_fraction;
        if (!std::isnan(defaults[key].passive_strain)) d.passive_strain = defaults[key].passive_strain;
      }
      double sigma = d.specific_tension;
      if (mn["specific_tension"].IsDefined()) sigma = specific_tension(mn["specific_tension"], f + ".specific_tension");
      double F = NAN, A = NAN;
      if (mn["max_isometric_force"].IsDefined()) F = r.positive(mn["max_isometric_force"], f + ".max_isometric_force");
      if (mn["pcsa"].IsDefined()) A = r.positive(mn["pcsa"], f + ".pcsa");
      if (std::isnan(F) && std::isnan(A)) r.fail(mn, f + ".max_isometric_force", "give max_isometric_force (N) or pcsa (m²)");
      if (std::isnan(sigma)) r.fail(mn, f + ".specific_tension", "no specific tension (N/m²) for this muscle or in muscle_defaults");
      if (std::isnan(F)) F = A * sigma;
      if (std::isnan(A)) A = F / sigma;
      const double lo = r.positive(r.require(mn, "optimal_fiber_length", f), f + ".optimal_fiber_length");
      const double ls = r.nonnegative(r.require(mn, "tendon_slack_length", f), f + ".tendon_slack_length");
      const double pe = mn["pennation_deg"].IsDefined() ? r.nonnegative(mn["pennation_deg"], f + ".pennation_deg") : 0.0;
      if (pe >= 60) r.fail(mn["pennation_deg"], f + ".pennation_deg", "pennation must be below 60°");
      double t1 = d.type1_fraction;
      if (mn["type1_fraction"].IsDefined()) t1 = r.num(mn["type1_fraction"], f + ".type1_fraction");
      if (std::isnan(t1)) r.fail(mn, f + ".type1_fraction", "no type-I fibre fraction for this muscle or in muscle_defaults");
      if (t1 < 0 || t1 > 1) r.fail(mn["type1_fraction"], f + ".type1_fraction", "must be in [0, 1]");
      double e0 = std::isnan(d.passive_strain) ? kDefaultPassiveStrain : d.passive_strain;
      if (mn["passive_strain"].IsDefined()) e0 = r.positive(mn["passive_strain"], f + ".passive_strain");
      // Below 0.1 the fibres would bear their whole F0 passively 10 % past optimal length (De Groote
      // et al. 2016's default is 0.6; the in vivo lumbar fit 0.59): a slip, which gave 1e31 N forces.
      if (e0 < 0.1)
        r.fail(mn["passive_strain"].IsDefined() ? mn["passive_strain"] : mn, f + ".passive_strain",
               fmt::format("{:g} is below 0.1 (the fibres would carry F0 passively at {:.2f} × optimal length; "
                           "De Groote et al. 2016: 0.6)", e0, 1 + e0));
      const std::string src = r.sources(mn, f, present(mn, {"path", "max_isometric_force", "pcsa", "specific_tension", "optimal_fiber_length", "tendon_slack_length", "pennation_deg", "type1_fraction", "passive_strain"}));

      auto add = [&](const std::string& n, Side s, bool mirror) {
        if (m.muscle_index(n) >= 0) r.fail(mn["name"], f + ".name", "duplicate muscle '" + n + "'");
        m.muscle_name.push_back(n);
        m.muscle_group.push_back(group);
        m.muscle_subdivision.push_back(sub);
        m.muscle_side.push_back(s);
        auto p = path;
        if (mirror)
          for (auto& pt : p) pt.pos.z() = -pt.pos.z(), pt.anchor_first.z() = -pt.anchor_first.z(), pt.anchor_second.z() = -pt.anchor_second.z();
        paths.push_back(p);
        fmax.push_back(F); pcsa.push_back(A); lopt.push_back(lo); lts.push_back(ls);
        penn.push_back(deg2rad(pe)); type1.push_back(t1); passive_strain.push_back(e0);
        m.muscle_source.push_back(src);
        muscle_where.emplace_back(mn.Mark().line + 1, f);
        m.muscle_fatigue.push_back(fatigue_groups.count(group) ? fatigue_groups[group] : fatigue_groups["all"]);
      };
      // A side the name or the points contradict swapped every per-side result, or doubled a
      // midline fascicle, silently (audit20b).
      if ((side == "right" && name.ends_with("_l")) || (side == "left" && name.ends_with("_r")))
        r.fail(mn["side"], f + ".side", "side " + side + " for a fascicle named '" + name + "' (the name says the other side)");
      if (side == "both" && std::all_of(path.begin(), path.end(), [](const PathPoint& pt) { return std::abs(pt.pos.z()) < 1e-6; }))
        r.fail(mn["side"], f + ".side", "side both for a path on the midline (z = 0 at every point): the mirror would lie on it, "
                                        "doubling the fascicle; use side: midline");
      if (side == "both") {
        add(name + "_r", Side::kRight, false);
        add(name + "_l", Side::kLeft, true);
      } else {
        add(name, side == "right" ? Side::kRight : side == "left" ? Side::kLeft : Side::kMidline, false);
      }
    }
  }
  m.nmuscle = static_cast<int>(paths.size());
  m.muscle_point_begin.assign(1, 0);
  for (const auto& p : paths) m.muscle_point_begin.push_back(m.muscle_point_begin.back() + static_cast<int>(p.size()));
  m.npoint = m.muscle_point_begin.back();
  m.point_pos.resize(3, m.npoint);
  m.point_share = Eigen::VectorXd::Ones(m.npoint);
  m.point_blend.assign(static_cast<size_t>(m.npoint), {});
  std::vector<const PathPoint*> placed;  // by point index: given with `between`, placed at the neutral posture below
  placed.assign(static_cast<size_t>(m.npoint), nullptr);
  int k = 0;
  for (const auto& p : paths)
    for (const auto& pt : p) {
      m.point_segment.push_back(pt.segment);
      m.point_pos.col(k) = pt.pos;
      if (!pt.components.empty()) {
        placed[static_cast<size_t>(k)] = &pt;
        // One component left (the others' shares 0): an ordinary point, whole (a share within the
        // sum's 1e-9 of 1 would otherwise linger in muscle_pull_above; review20).
        m.point_share[k] = pt.components.size() == 1 ? 1.0 : pt.components[0].second;
        for (size_t c = 1; c < pt.components.size(); ++c)
          m.point_blend[static_cast<size_t>(k)].push_back({pt.components[c].first, Vec3::Zero(), pt.components[c].second});
      }
      ++k;
    }
  auto vec = [](const std::vector<double>& v) { return Eigen::Map<const Eigen::VectorXd>(v.data(), v.size()).eval(); };
  m.muscle_fmax = vec(fmax);
  m.muscle_pcsa = vec(pcsa);
  m.muscle_lopt = vec(lopt);
  m.muscle_lts = vec(lts);
  m.muscle_pennation = vec(penn);
  m.muscle_type1 = vec(type1);
  m.muscle_passive_strain = vec(passive_strain);
  for (const auto& [key, node] : default_nodes) {
    if (key == "all") continue;
    bool used = false;
    for (int i = 0; i < m.nmuscle && !used; ++i)
      used = key == m.muscle_group[i] || key == m.muscle_group[i] + "/" + m.muscle_subdivision[i];
    if (!used) r.fail(node, "muscle_defaults." + key, "no muscle of group (or group/subdivision) '" + key + "' in this model");
  }
  for (const auto& [g, n] : fatigue_group_nodes)
    if (g != "all" && std::find(m.muscle_group.begin(), m.muscle_group.end(), g) == m.muscle_group.end())
      r.fail(n, "fatigue." + g, "no muscle of group '" + g + "' in this model");
  finalize_model(m);
  // The segments and arms are the reference subject's body (less the legs): more than the whole body
  // is a mass in grams somewhere (one L5 in grams gave 24 kN at L5-S1, silently; audit20b).
  if (m.total_mass() > m.reference_body_mass)
    throw InputError(file, reference_line, "reference_subject.body_mass",
                     fmt::format("the segments and arms weigh {:.1f} kg, more than the reference subject's {:g} kg "
                                 "(a segment mass in grams?)", m.total_mass(), m.reference_body_mass));
  // A point given with `between`, placed at the neutral posture: without anchors every material point
  // lies at `at`; with anchors A (first) and B (second, two segments only) they lie at at − s·(B − A)
  // and at + (1 − s)·(B − A), so the point is `at` at neutral and, as the segments move, follows the
  // chord between the anchors (1 − s)·A + s·B plus its neutral offset from it, turned by the two
  // segments' rotations in the same shares. A point whose shares left one segment is an ordinary
  // point: on the first segment it is `at` itself (the bits of [segment, x, y, z]), on another `at`
  // carried into that segment's frame.
  if (std::any_of(placed.begin(), placed.end(), [](const PathPoint* p) { return p != nullptr; })) {
    Data d(m);
    forward_kinematics(m, d);  // q = 0: neutral
    for (int p = 0; p < m.npoint; ++p) {
      const PathPoint* given = placed[static_cast<size_t>(p)];
      if (given == nullptr) continue;
      const PathPoint& pt = *given;
      auto world = [&](int s, const Vec3& local) { return Vec3(d.segment_rotation[s] * local + d.segment_origin.col(s)); };
      auto local_of = [&](int s, const Vec3& x) { return Vec3(d.segment_rotation[s].transpose() * (x - d.segment_origin.col(s))); };
      const Vec3 at = world(pt.at_segment, pt.pos);
      if (!pt.blended()) {
        if (pt.segment != pt.at_segment) m.point_pos.col(p) = local_of(pt.segment, at);
      } else {
        const Vec3 chord = pt.anchored ? Vec3(world(pt.components[1].first, pt.anchor_second) - world(pt.at_segment, pt.anchor_first))
                                       : Vec3::Zero();
        const double s = pt.anchor_share;
        m.point_pos.col(p) = local_of(pt.segment, at - s * chord);
        for (size_t c = 1; c < pt.components.size(); ++c)
          m.point_blend[static_cast<size_t>(p)][c - 1].pos = local_of(pt.components[c].first, c == 1 ? Vec3(at + (1 - s) * chord) : at);
      }
      for (int c = 0; c < m.point_ncomponent(p); ++c) {
        const int seg = m.component_segment(p, c);
        if (m.component_pos(p, c).norm() > 0.5)
          throw InputError(file, pt.line, pt.field, "its material point on segment '" + m.segment_name[seg] +
                                                        "' lies more than 0.5 m from that segment's origin (implausible anatomy: "
                                                        "is the point, or an anchor, on the segment it names?)");
      }
    }
  }
  // The fibres' length at neutral against their optimum: the bundled models lie at 0.79–1.12 (the
  // fibre-length rule anchors them near 1, docs/model.md §7). Outside 0.2–5 at neutral a length was
  // written in the wrong unit (mm for m: a factor 1000) or misplaced: a 1 mm optimal length gave
  // forces of 1e209 N, a tendon longer than the path a fascicle that never pulls, both silently
  // (audit20b). The band is wide because synthetic test geometry sits far from 1 (up to 4.3).
  {
    Data d(m);
    forward_kinematics(m, d);  // q = 0: neutral
    muscle_geometry(m, d);
    for (int i = 0; i < m.nmuscle; ++i) {
      const double L = d.muscle_length[i], ls = m.muscle_lts[i], lo = m.muscle_lopt[i];
      const auto& [line, field] = muscle_where[static_cast<size_t>(i)];
      const std::string where = fmt::format("{} (musculotendon length {:.4f} m at neutral, tendon slack length {:.4f} m, "
                                            "optimal fibre length {:.4f} m", m.muscle_name[i], L, ls, lo);
      if (ls >= L)
        throw InputError(file, line, field + ".tendon_slack_length",
                         where + "): the tendon is as long as the whole path, so the fibres would have no length; lengths are in metres");
      const double across = m.muscle_fiber_width[i];  // l_opt sin α, constant-thickness pennation
      if (across >= L)  // the muscle would be thicker than it is long
        throw InputError(file, line, field + ".optimal_fiber_length",
                         where + fmt::format("): with {:.0f}° of pennation the fibres' thickness l_opt sin α = {:.3g} m "
                                             "exceeds the whole path; lengths are in metres", rad2deg(m.muscle_pennation[i]), across));
      const double norm = d.fiber_length[i] / lo;  // muscle_geometry's fibre length
      if (norm < 0.2 || norm > 5)
        throw InputError(file, line, field + ".optimal_fiber_length",
                         where + fmt::format("): the fibres would be {:.3g} × optimal length at neutral, outside 0.2–5 "
                                             "(the bundled models: 0.79–1.12); lengths are in metres", norm));
    }
  }
  // `disc: {plane: chord}`: the disc's mid-plane is normal to the line from the joint centre below to
  // the one above, at neutral (the model's own geometry, uniform scaling keeps the angle). The joints
  // below and above are the parent segment's own joint and the child segment's only child joint.
  if (!chord_discs.empty()) {
    Data d(m);
    forward_kinematics(m, d);  // q = 0: neutral
    for (const auto& [j, line, field] : chord_discs) {
      int below = -1, above = -1, above_count = 0;
      for (int k = 0; k < m.njoint; ++k) {
        if (m.joint_child(k) == m.joint_parent(j)) below = k;
        if (m.joint_parent(k) == m.joint_child(j)) above = k, ++above_count;
      }
      if (below < 0 || above_count != 1)
        throw InputError(file, line, field, "chord needs one joint below this one and exactly one above it in the chain");
      const Vec3 chord = d.joint_center.col(above) - d.joint_center.col(below);
      const Vec3 n = d.joint_frame[j].transpose() * chord.normalized();
      m.joint_disc_tilt[j] = std::atan2(n.x(), n.y());
      if (std::abs(m.joint_disc_tilt[j]) > deg2rad(45))
        throw InputError(file, line, field, fmt::format("the chord is {:.0f}° from the joint frame's axis (more than 45°): not a disc plane",
                                                        rad2deg(m.joint_disc_tilt[j])));
    }
  }
  return m;
}

}  // namespace paraspine
