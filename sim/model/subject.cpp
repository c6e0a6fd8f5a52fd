#include "sim/model/subject.h"

#include "sim/model/anthropometry.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace paraspine {

Subject merge_subject(const Subject& base, const Subject& over) {
  Subject out = over;
  if (over.body_mass == 0) out.body_mass = base.body_mass;
  if (over.height == 0) out.height = base.height;
  if (over.sex.empty()) out.sex = base.sex;
  if (over.strength_factor == 1) out.strength_factor = base.strength_factor;
  if (over.fatigue_rate_scale == 1) out.fatigue_rate_scale = base.fatigue_rate_scale;
  if (over.recovery_rate_scale == 1) out.recovery_rate_scale = base.recovery_rate_scale;
  if (over.percentile == 0) out.percentile = (over.body_mass != 0 || over.height != 0) ? 0 : base.percentile;
  apply_percentile(out);  // over's own percentile: as it was; base's: in the sex out has now
  return out;
}

void apply_percentile(Subject& s) {
  if (s.percentile == 0) return;
  if (s.sex.empty())
    throw std::invalid_argument("a percentile needs the subject's sex, male or female: the table has a column for each (" +
                                std::string(kAnthropometryTable) + ")");
  const PercentileBody b = percentile_body(s.sex, s.percentile);
  s.height = b.height_m;
  s.body_mass = b.body_mass_kg;
}

std::string subject_value_problem(const std::string& key, double v) {
  // Every digit that tells the value apart (4.9999999 read "got 5" against "between 5 and 95": audit25i #16).
  auto g = [](double x) { return fmt::format("{}", x); };  // the shortest text that reads back as x
  if (!std::isfinite(v)) return "must be a finite number, got " + g(v);
  if (key == "body_mass") return v >= 20 && v <= 300 ? "" : "must be between 20 and 300 kg, got " + g(v);
  if (key == "height") return v >= 1.0 && v <= 2.5 ? "" : "must be between 1.0 and 2.5 m, got " + g(v);
  if (key == "strength_factor") return v > 0 && v <= 5 ? "" : "must be in (0, 5], got " + g(v);
  if (key == "fatigue_rate_scale" || key == "recovery_rate_scale")
    return v > 0 && v <= 10 ? "" : "must be in (0, 10], got " + g(v);
  if (key == "percentile")
    return v >= kPercentileMin && v <= kPercentileMax
               ? ""
               : "must be between 5 and 95, the range the table gives (" + std::string(kAnthropometryTable) + "; no tail is extrapolated), got " + g(v);
  return "unknown subject value '" + key + "'";
}

Model scale_model(const Model& m, const Subject& given) {
  Subject s = given;
  apply_percentile(s);
  const double mass = s.body_mass > 0 ? s.body_mass : m.reference_body_mass;
  const double height = s.height > 0 ? s.height : m.reference_height;
  if (!(mass >= 20 && mass <= 300))
    throw std::invalid_argument("subject body mass " + fmt::format("{:.6g}", mass) + " kg is outside 20–300 kg");
  if (!(height >= 1.0 && height <= 2.5))
    throw std::invalid_argument("subject height " + fmt::format("{:.6g}", height) + " m is outside 1.0–2.5 m");
  if (!(s.fatigue_rate_scale > 0 && s.fatigue_rate_scale <= 10 && s.recovery_rate_scale > 0 && s.recovery_rate_scale <= 10))
    throw std::invalid_argument("subject fatigue_rate_scale and recovery_rate_scale must be in (0, 10]");
  if (!(s.strength_factor > 0 && s.strength_factor <= 5))
    throw std::invalid_argument("subject strength factor must be in (0, 5]");
  const std::string sex = s.sex.empty() ? m.reference_sex : s.sex;
  if (sex != "male" && sex != "female")
    throw std::invalid_argument("subject sex must be 'male' or 'female', got '" + s.sex + "'");

  const double sL = height / m.reference_height, sM = mass / m.reference_body_mass;
  Model out = m;
  out.reference_body_mass = mass;
  out.reference_height = height;
  out.reference_sex = sex;
  // The percentile the body now is, if any: a subject that gives its own height or mass is not one.
  out.reference_percentile = s.percentile > 0 ? s.percentile : (s.body_mass > 0 || s.height > 0 || !s.sex.empty()) ? 0 : m.reference_percentile;
  out.strength_factor *= s.strength_factor;
  out.length_scale *= sL;
  out.fatigue_rate_scale *= s.fatigue_rate_scale;
  out.recovery_rate_scale *= s.recovery_rate_scale;
  out.segment_mass *= sM;
  // de Leva 1996 Table 4 mass fractions (% body mass), male / female: head 6.94 / 6.68, upper
  // trunk 15.96 / 15.45, middle trunk 16.33 / 14.65, lower trunk 11.17 / 12.47; arm = upper arm +
  // forearm + hand 2.71 + 1.62 + 0.61 / 2.55 + 1.38 + 0.56 (shared/data/model-data.md §2.1).
  static const double kMale[4] = {6.94, 15.96, 16.33, 11.17}, kFemale[4] = {6.68, 15.45, 14.65, 12.47};
  static const double kArmMale = 2.71 + 1.62 + 0.61, kArmFemale = 2.55 + 1.38 + 0.56;
  const bool to_female = sex == "female" && m.reference_sex == "male";
  const bool to_male = sex == "male" && m.reference_sex == "female";
  double arm_ratio = 1.0;
  if (to_female || to_male) {
    for (int k = 0; k < m.nsegment; ++k) {
      const auto w = m.segment_de_leva.row(k);
      if (w.sum() == 0) continue;
      double ratio = 0;
      for (int r = 0; r < 4; ++r) ratio += w[r] * (to_female ? kFemale[r] / kMale[r] : kMale[r] / kFemale[r]);
      out.segment_mass[k] *= ratio;
      out.segment_inertia[k] *= ratio;
    }
    arm_ratio = to_female ? kArmFemale / kArmMale : kArmMale / kArmFemale;
  }
  out.segment_com *= sL;
  for (auto& I : out.segment_inertia) I *= sM * sL * sL;
  out.joint_pos_in_parent *= sL;
  out.joint_pos_in_child *= sL;
  out.point_pos *= sL;
  // Every material point of a blended point scales alike: the point (and its anchors' chord) scales by sL.
  for (auto& components : out.point_blend)
    for (Model::PointComponent& c : components) c.pos *= sL;
  out.muscle_lopt *= sL;
  out.muscle_lts *= sL;
  const double sF = sM / sL * s.strength_factor;
  out.muscle_fmax *= sF;
  for (auto& f : out.muscle_fatigue) f.F *= s.fatigue_rate_scale, f.R *= s.recovery_rate_scale;
  out.muscle_pcsa *= sM / sL;  // PCSA is anatomy; strength_factor acts on specific tension
  // The abdominal cross-section scales as a cross-section (as PCSA), its centroid distance as a length.
  out.abdominal_pressure.area *= sM / sL;
  // Disc cross-sections follow the same cross-section rule, their widths its square root.
  out.joint_disc_area *= sM / sL;
  out.joint_disc_width *= std::sqrt(sM / sL);
  out.abdominal_pressure.moment_arm *= sL;
  // Off-disc tissues' levers are lengths (their shares are fractions); finalize_model re-sums the coefficients.
  for (auto& o : out.joint_off_disc)
    for (auto* side : {&o.flexion, &o.extension})
      for (auto& t : *side) t.moment_arm *= sL;
  // The pressure relation (Mairiaux et al. 1984) is a population fit for the reference subject: it
  // is read with the moment this subject's would be on the reference body, i.e. divided by the
  // factor sM·sL that scales every net moment (masses × lengths). With A·d scaled by sM, the moment
  // the pressure carries then keeps its share of the net moment at any mass; on the absolute moment it
  // grew ~ sM², 11 % of L4-L5 at 50 kg, 34 % at 120 kg (docs/mechanics.md, "Subject size").
  out.abdominal_pressure.reference_moment_scale /= sM * sL;
  for (auto& a : out.arms) {
    a.shoulder *= sL;
    a.length *= sL;
    for (auto& p : a.rib_cage_point) p *= sL;
    a.mass *= sM * arm_ratio;
  }
  finalize_model(out);
  return out;
}

}  // namespace paraspine
