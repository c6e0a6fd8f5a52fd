#include "sim/model/subject.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace paraspine {

Model scale_model(const Model& m, const Subject& s) {
  const double mass = s.body_mass > 0 ? s.body_mass : m.reference_body_mass;
  const double height = s.height > 0 ? s.height : m.reference_height;
  if (!(mass >= 20 && mass <= 300))
    throw std::invalid_argument("subject body mass " + std::to_string(mass) + " kg is outside 20–300 kg");
  if (!(height >= 1.0 && height <= 2.5))
    throw std::invalid_argument("subject height " + std::to_string(height) + " m is outside 1.0–2.5 m");
  if (!(s.strength_factor > 0 && s.strength_factor <= 5))
    throw std::invalid_argument("subject strength factor must be in (0, 5]");
  if (s.sex != "male" && s.sex != "female")
    throw std::invalid_argument("subject sex must be 'male' or 'female', got '" + s.sex + "'");

  const double sL = height / m.reference_height, sM = mass / m.reference_body_mass;
  Model out = m;
  out.reference_body_mass = mass;
  out.reference_height = height;
  out.segment_mass *= sM;
  out.segment_com *= sL;
  for (auto& I : out.segment_inertia) I *= sM * sL * sL;
  out.joint_pos_in_parent *= sL;
  out.joint_pos_in_child *= sL;
  out.point_pos *= sL;
  out.muscle_lopt *= sL;
  out.muscle_lts *= sL;
  const double sF = sM / sL * s.strength_factor;
  out.muscle_fmax *= sF;
  out.muscle_pcsa *= sM / sL;  // PCSA is anatomy; strength_factor acts on specific tension
  for (auto& a : out.arms) {
    a.shoulder *= sL;
    a.length *= sL;
    a.mass *= sM;
  }
  finalize_model(out);
  return out;
}

}  // namespace paraspine
