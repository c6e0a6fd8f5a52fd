#pragma once
// Subject: the person a model is scaled to. Scaling rule (docs/model-format.md, "Subject scaling"):
//   lengths   × s_L = height / reference height        (positions, muscle and tendon lengths, arms)
//   masses    × s_M = body mass / reference body mass   (segments, arms)
//   inertias  × s_M · s_L²
//   muscle force and PCSA × s_M / s_L × strength_factor
// The strength rule is the length–mass scaling of Rasmussen et al. (2005, "A general method for
// scaling musculo-skeletal models", Int Symp Comput Simul Biomech, Cleveland): muscle volume
// follows mass, fibre length follows stature, so PCSA ∝ mass / height. strength_factor carries
// measured deviations (training, deconditioning, age).
#include <string>

#include "sim/model/model.h"

namespace paraspine {

struct Subject {
  double body_mass = 0;        // kg; 0 = the model's reference body mass
  double height = 0;           // m;  0 = the model's reference height
  std::string sex = "male";    // "male" or "female"; recorded, used by later modifiers
  double strength_factor = 1;  // multiplies every muscle's force capacity
};

// A new, immutable model scaled to the subject. Throws std::invalid_argument for implausible
// subjects (mass outside 20–300 kg, height outside 1.0–2.5 m, strength factor outside (0, 5]).
Model scale_model(const Model& m, const Subject& s);

}  // namespace paraspine
