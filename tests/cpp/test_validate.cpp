// The statistics of the validation report (docs/validation.md) against values worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/simulate/extension_hold.h"
#include "sim/validate/validate.h"

namespace paraspine {
namespace {

TEST(ValidationStatistics, PearsonOfAKnownSet) {
  // x = 1..4, y = 2, 4, 5, 9: deviations (−1.5, −0.5, 0.5, 1.5) and (−3, −1, 0, 4), so sxy = 11,
  // sxx = 5, syy = 26 → r = 11 / sqrt(130).
  const auto r = pearson({1, 2, 3, 4}, {2, 4, 5, 9});
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r, 11.0 / std::sqrt(130.0), 1e-12);
  EXPECT_NEAR(*pearson({1, 2, 3}, {3, 2, 1}), -1.0, 1e-12);
}

TEST(ValidationStatistics, UndefinedWithoutSpreadOrPoints) {
  EXPECT_FALSE(pearson({1, 2}, {1, 2}));           // fewer than 3 points
  EXPECT_FALSE(pearson({1, 1, 1}, {1, 2, 3}));     // no spread
  EXPECT_FALSE(spearman({1, 2, 3}, {1, 2}));       // sizes differ
}

TEST(ValidationStatistics, SpearmanIsRankOrderWithTiesShared) {
  // Monotone but not linear → ρ = 1 while r < 1.
  EXPECT_NEAR(*spearman({1, 2, 3, 4}, {1, 10, 100, 1000}), 1.0, 1e-12);
  EXPECT_LT(*pearson({1, 2, 3, 4}, {1, 10, 100, 1000}), 0.99);
  // One swapped pair among four: ranks (1,2,3,4) vs (1,3,2,4) → ρ = 1 − 6·2 / (4·15) = 0.8.
  EXPECT_NEAR(*spearman({1, 2, 3, 4}, {1, 3, 2, 4}), 0.8, 1e-12);
  // Ties take the mean rank: y ranks (0, 1.5, 1.5, 3).
  EXPECT_NEAR(*spearman({1, 2, 3, 4}, {5, 7, 7, 9}), *pearson({0, 1, 2, 3}, {0, 1.5, 1.5, 3}), 1e-12);
}

// A cases file of its own in a folder of its own (ctest runs tests in parallel); returns its path.
std::string write_cases(const std::string& tag, const std::string& cases) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("paraspine_validate_" + tag);
  fs::create_directories(dir);
  const fs::path file = dir / "cases.yaml";
  std::ofstream(file) << "paraspine_validation: 1\n"
                         "pressure_conversion: {joint: L4-L5, source: test}\n"
                         "cases:\n" << cases;
  return file.string();
}

std::string hold_case(const std::string& name, const std::string& predict) {
  return "  - name: " + name + "\n    dataset: holds\n    quantity: hold\n    unit: s\n    measured: 181.62\n"
         "    tolerance_pct: 30\n    tolerance_reason: test\n    source: test\n    predict: " + predict + "\n";
}

// The message of the InputError that loading (and, for `run`, running) the cases file throws.
std::string error_of(const std::string& file, bool run = false) {
  try {
    const ValidationSuite s = load_validation_suite(file);
    if (run) run_validation(s, "");
    return "accepted";
  } catch (const InputError& e) {
    return e.what();
  }
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The sustained trunk-extension holds of the fatigue test are validation cases (issue 8): the
// metric runs the library's protocol (sim/simulate/extension_hold.h) exactly as
// FatigueLiterature.SustainedTrunkExtensionEnduranceFollowsFreyLawAvin2010 does, so at 40 % of
// maximal effort it predicts the test's seconds; the maximal effort is searched once for two holds.
TEST(ValidationExtensionHold, PredictsTheFatigueTestsEnduranceAndSearchesMaximalEffortOnce) {
  const std::string file = write_cases("hold_same", hold_case("hold40", "{metric: extension_hold_endurance, fraction: 0.4}") +
                                                       hold_case("hold80", "{metric: extension_hold_endurance, fraction: 0.8, pad: T8, model: full_spine}"));
  const ValidationSuite suite = load_validation_suite(file);
  ASSERT_EQ(suite.cases.size(), 2u);
  EXPECT_EQ(suite.cases[0].predict.pad, "T8");
  EXPECT_EQ(suite.cases[0].predict.fraction, 0.4);
  int searches = 0;
  const ValidationReport rep = run_validation(suite, "", [&](const std::string& what) {
    searches += contains(what, "maximal trunk extension");
  });
  EXPECT_EQ(searches, 1) << "one model, one pad: one maximal-effort search";
  ASSERT_EQ(rep.results.size(), 2u);

  // The fatigue test's hold: its model file, the default load sharing.
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  const LoadSharingSettings ls;
  const int pad = m.segment_index("T8");
  const double fmax = extension_hold_max_force(m, ls, pad).force_N;
  const ExtensionHoldResult held = extension_hold_endurance(m, ls, pad, 0.4 * fmax);
  ASSERT_TRUE(held.failed);
  EXPECT_EQ(rep.results[0].predicted, held.endurance_s);
  EXPECT_GT(rep.results[0].predicted, rep.results[1].predicted) << "more load must fail sooner";
  EXPECT_TRUE(contains(rep.results[0].detail, "maximal effort")) << rep.results[0].detail;
  const auto j = validation_json(suite, rep);
  EXPECT_TRUE(j["cases"][0]["scenarios"].empty()) << "a hold runs no scenario";
  EXPECT_EQ(j["cases"][0]["predicted"].get<double>(), held.endurance_s);
}

// Bad fields of a hold case name the file, the line and the field, as every other field's errors do.
TEST(ValidationExtensionHold, BadFieldsNameFileLineAndField) {
  auto err = [](const std::string& tag, const std::string& predict, bool run = false) {
    return error_of(write_cases("hold_bad_" + tag, hold_case("bad", predict)), run);
  };
  const std::string at = "cases.yaml:12: cases[0].predict.";  // the predict line of hold_case
  std::string e = err("missing", "{metric: extension_hold_endurance}");
  EXPECT_TRUE(contains(e, "cases[0].predict.fraction")) << e;
  e = err("zero", "{metric: extension_hold_endurance, fraction: 0}");
  EXPECT_TRUE(contains(e, at + "fraction: expected the share of maximal effort held")) << e;
  e = err("percent", "{metric: extension_hold_endurance, fraction: 40}");
  EXPECT_TRUE(contains(e, at + "fraction: expected the share of maximal effort held")) << e;
  e = err("text", "{metric: extension_hold_endurance, fraction: half}");
  EXPECT_TRUE(contains(e, at + "fraction: expected a number")) << e;
  e = err("scenario", "{metric: extension_hold_endurance, fraction: 0.4, scenario: x.yaml}");
  EXPECT_TRUE(contains(e, at + "scenario: extension_hold_endurance takes no scenario")) << e;
  e = err("joint", "{metric: extension_hold_endurance, fraction: 0.4, joint: L5-S1}");
  EXPECT_TRUE(contains(e, at + "joint: extension_hold_endurance takes no joint")) << e;
  e = err("model", "{metric: extension_hold_endurance, fraction: 0.4, model: no_such_model}");
  EXPECT_TRUE(contains(e, at + "model: no model 'no_such_model'")) << e;
  e = err("other", "{metric: compression, scenario: x.yaml, fraction: 0.4}");
  EXPECT_TRUE(contains(e, at + "fraction: fraction belongs to metric extension_hold_endurance only")) << e;
  // The pad is checked against the model when the case runs, still at its line and field.
  e = err("pad", "{metric: extension_hold_endurance, fraction: 0.4, pad: T13}", true);
  EXPECT_TRUE(contains(e, at + "pad: no segment 'T13' in model")) << e;
  e = err("pelvis", "{metric: extension_hold_endurance, fraction: 0.4, pad: pelvis}", true);
  EXPECT_TRUE(contains(e, at + "pad: a pad on pelvis is held at every force up to 4000 N")) << e;
}

}  // namespace
}  // namespace paraspine
