#pragma once
// Validation against published in vivo measurements (docs/validation.md).
//
// A cases file (tests/validation/cases.yaml) lists cases: each names a published measurement
// (value, spread, source), a tolerance derived from that spread, and how the model predicts it —
// a metric evaluated on one or two scenario files (tests/validation/scenarios/), e.g. the mean
// L4-L5 compression of a held posture converted to intradiscal pressure, or the ratio of two
// scenarios' peak compressions (or, for the sustained trunk-extension holds, a fixed protocol
// with no scenario). Cases the model cannot express yet are listed as `not_modelled`
// with the reason; cases that fail and are understood are marked `known_failure` with the reason,
// and still report as failures.
//
// Metrics (`predict.metric`):
//   compression    N, compression at predict.joint (statistic mean or peak over the run)
//   shear_ap       N, |anterior–posterior shear| at predict.joint (statistic mean or peak)
//   pressure       MPa, intradiscal pressure from the compression at the conversion's joint:
//                  p = k · F / A (Nachemson's relation), k the model's disc_pressure
//                  correction_factor and A its disc area at that joint (joint `disc:`, scaled to
//                  the subject like every cross-section; docs/model.md §9)
//   erector_silence_lumbar_flexion
//                  deg, lumbar flexion (sum over the lumbar joints) at which the erector spinae
//                  (iliocostalis and longissimus fascicles crossing the conversion's joint) fall
//                  silent during a forward flexion: their active force drops below
//                  silence_fraction of its peak over the motion and stays there
//   endurance      s, the run's task-failure time (run_scenario's endurance_s)
//   extension_hold_endurance
//                  s, a sustained trunk-extension hold at predict.fraction of maximal effort
//                  (standing neutral, pelvis braced, a horizontal forward pad force at the origin
//                  of predict.pad, T8 by default; maximal effort the largest pad force held fresh
//                  without reserves) held in 1-s steps until task failure: the protocol of
//                  sim/simulate/extension_hold.h, which the C++ fatigue test runs too. It takes no
//                  scenario: predict.model names the body (full_spine by default, the reference
//                  subject, the default load sharing). The maximal effort is searched once per
//                  model and pad in a run, however many fractions use it.
// With `divide_by: SCENARIO` the prediction is the ratio metric(scenario) / metric(divide_by).
//
// A case with `bound: upper` (or `lower`) compares with a published bound rather than a value
// ("shear was small (< 300 N)"): `measured` is the bound, the case passes when the prediction is
// on the bound's side of it (within tolerance_pct beyond it, which may be 0), and its error is how
// far past the bound the prediction lies (0 inside). Bound cases enter a data set's mean absolute
// error with that error but not its correlations (a bound is not a measured value to pair with).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace paraspine {

struct ValidationPrediction {
  std::string metric, scenario, divide_by, joint = "L4-L5", statistic = "mean";
  // extension_hold_endurance only: the share of maximal effort held, the pad's segment, the model
  // (resolved to its file), and where `pad` was written (its errors are found when the model is
  // loaded).
  double fraction = 0;
  std::string pad = "T8", model, pad_field;
  int pad_line = 0;
};

struct ValidationCase {
  std::string name, dataset, quantity, unit, source, tolerance_reason;
  double measured = 0;
  double tolerance_pct = 0;
  std::string bound;  // empty: `measured` is a value; "upper"/"lower": it is a published bound
  ValidationPrediction predict;
  std::string known_failure;  // empty: the case is expected to pass; else why it does not
  std::string not_modelled;   // empty: evaluated; else the missing feature
  int line = 0;
};

struct PressureConversion {
  std::string joint = "L4-L5";  // p = k · F / A there, k and A from the model (Model::disc_pressure)
  std::string source;
};

struct ValidationSuite {
  std::string file, dir;  // the cases file and its folder (scenario paths are relative to it)
  PressureConversion pressure;
  double silence_fraction = 0.05;
  std::string silence_source;
  std::vector<ValidationCase> cases;
  // A model file run by every case instead of the one its scenario or hold names (`paraspine validate
  // --model`, for comparing model variants on the same cases); empty: each case's own. Set by the
  // caller, resolved (resolve_model_name).
  std::string model_override;
};

// Loads and checks a cases file (InputError naming file, line and field on any problem, including
// a scenario file that does not exist).
ValidationSuite load_validation_suite(const std::string& path);

struct ValidationResult {
  const ValidationCase* c = nullptr;
  double predicted = 0;
  double error_pct = 0;   // 100 · (predicted − measured) / measured; bound cases: only past the bound
  bool pass = false;
  std::string status;     // "pass", "FAIL", "known failure", "FIXED? (marked known failure)"
  std::string detail;     // what the prediction was computed from
  double disc_area_m2 = 0;  // pressure cases: the disc area the compression was divided by (m²)
  double correction_factor = 0;  // pressure cases: the model's k
};

struct ValidationDataset {
  std::string name;
  int n = 0;
  std::optional<double> pearson_r, spearman_rho;  // need n ≥ 3 (and spread in both)
  double mean_abs_error_pct = 0;  // a case without a prediction counts as 100 %
  int passed = 0;
};

struct ValidationReport {
  std::vector<ValidationResult> results;
  std::vector<const ValidationCase*> not_modelled;
  std::vector<ValidationDataset> datasets;
  int failures = 0;            // cases outside tolerance (known failures included)
  int unexpected = 0;          // failures not marked known, and known failures that now pass
};

// Runs the cases whose name matches `only` (all when empty; throws std::invalid_argument naming
// the known cases when none matches). Scenarios shared by several cases run once.
ValidationReport run_validation(const ValidationSuite& suite, const std::string& only,
                                const std::function<void(const std::string&)>& progress = {});

// {"cases": [...], "datasets": [...], "not_modelled": [...], "failures": n, ...}; the keys of each
// case and dataset are those of docs/validation.md.
nlohmann::json validation_json(const ValidationSuite& suite, const ValidationReport& r);

// Pearson correlation and Spearman rank correlation (ties get mean ranks); nullopt for n < 3 or
// no spread.
std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y);
std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace paraspine
