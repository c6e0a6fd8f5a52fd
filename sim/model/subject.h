#pragma once
// Subject: the person a model is scaled to. Scaling rule (docs/model-format.md, "Subject scaling"):
//   lengths   × s_L = height / reference height        (positions, muscle and tendon lengths, arms,
//                                                      the levers of passive.off_disc)
//   masses    × s_M = body mass / reference body mass   (segments, arms)
//   inertias  × s_M · s_L²
//   muscle force and PCSA × s_M / s_L × strength_factor
//   cross-sections (abdomen, intervertebral discs) × s_M / s_L; disc endplate widths × √(s_M / s_L)
// The strength rule is the length–mass scaling of Rasmussen et al. (2005, "A general method for
// scaling musculo-skeletal models", Int Symp Comput Simul Biomech, Cleveland): muscle volume
// follows mass, fibre length follows stature, so PCSA ∝ mass / height. strength_factor carries
// measured deviations (training, deconditioning, age).
// Sex: when the subject's sex differs from the reference subject's, each segment's mass (and
// inertia) is multiplied by Σ_r share_r · f_r(subject) / f_r(reference), with f_r de Leva's (1996,
// J Biomech 29:1223, Table 4) mass fraction of body region r (head, upper, middle, lower trunk) and
// share_r the segment's `de_leva_regions`; arms by the upper arm + forearm + hand fractions.
// Segments that declare no regions keep the reference distribution.
#include <string>

#include "sim/model/model.h"

namespace paraspine {

struct Subject {
  double body_mass = 0;        // kg; 0 = the model's reference body mass
  double height = 0;           // m;  0 = the model's reference height
  std::string sex;             // "male" or "female"; empty = the model's reference sex
  double strength_factor = 1;  // multiplies every muscle's force capacity
  // Fatigability of this person relative to the model's parameters: multiply every fascicle's F
  // (fatigue rate) and R (recovery rate). 1 = the published population values; e.g. measured
  // deconditioning or training (docs/fatigue.md, "Per subject").
  double fatigue_rate_scale = 1;
  double recovery_rate_scale = 1;
  // Population percentile, 5–95, or 0 = none (docs/scenarios.md, "Subject"). When set, height and
  // body_mass are the published table's for this percentile and sex (sim/model/anthropometry.h,
  // apply_percentile), each from its own column: a univariate table, as 3DSSPP's.
  double percentile = 0;
};

// Sets s.height and s.body_mass from s.percentile and s.sex (sim/model/anthropometry.h); nothing
// when s.percentile is 0. Throws std::invalid_argument without a sex (the table has a column for
// each, and the model's reference sex is not one the user chose) or outside the table's range.
void apply_percentile(Subject& s);

// `over` given on top of `base` (Python's simulate/sweep subject= over the scenario's subject): the
// values `over` leaves unset — body mass or height 0, sex "", a factor 1, percentile 0 — are base's.
// A percentile in `over` replaces base's height and mass; a height or mass in `over` ends base's
// percentile (the subject is no longer the table's); a sex in `over` over base's percentile reads
// that percentile again in the new sex's column.
Subject merge_subject(const Subject& base, const Subject& over);

// What is wrong with one value of a subject a user gives (scenario file, --subject, Python's
// Subject, a model's reference_subject), or "" when it is acceptable: the ranges scale_model accepts.
// `key` is a Subject field name: body_mass (20–300 kg), height (1.0–2.5 m), strength_factor (0–5],
// fatigue_rate_scale and recovery_rate_scale (0–10], percentile (5–95, the table's range). NaN and
// infinities are never acceptable.
std::string subject_value_problem(const std::string& key, double value);

// A new, immutable model scaled to the subject. Throws std::invalid_argument for implausible
// subjects (mass outside 20–300 kg, height outside 1.0–2.5 m, strength factor outside (0, 5]).
// A subject with a percentile is scaled to the table's height and mass for it (apply_percentile),
// and the model records the percentile (Model::reference_percentile, subject_summary).
Model scale_model(const Model& m, const Subject& s);

}  // namespace paraspine
