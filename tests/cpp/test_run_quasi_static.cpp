// Quasi-static time stepping: reusing load sharing while nothing that matters changed gives the
// same results as solving every frame, with far fewer solves; and the fatigue parameters a
// scenario sets per group reach the run.
#include <gtest/gtest.h>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/simulate/run.h"

namespace paraspine {
namespace {

Scenario short_sitting(const std::vector<std::string>& extra = {}) {
  const Scenario base = load_scenario("upright_sitting");
  std::vector<std::string> sets = {"keyframes[1].time=900"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return parse_scenario(apply_overrides(base.text, base.file, sets), base.file);
}

TEST(RunQuasiStatic, ReuseMatchesSolvingEveryFrame) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  const Scenario s = short_sitting();
  RunOptions every, reuse;
  every.quasi_static_reuse = false;
  const auto a = run_scenario(m, s, every, nullptr), b = run_scenario(m, s, reuse, nullptr);
  EXPECT_EQ(a["load_sharing_solves"].get<long>(), a["frames"].get<long>());
  EXPECT_LT(b["load_sharing_solves"].get<long>(), a["load_sharing_solves"].get<long>());
  std::printf("[ info ] 15 min of sitting: %ld solves instead of %ld\n", b["load_sharing_solves"].get<long>(),
              a["load_sharing_solves"].get<long>());
  for (const char* j : {"L4-L5", "L5-S1", "T12-L1"})
    EXPECT_NEAR(a["joints"][j]["mean_compression_N"].get<double>(), b["joints"][j]["mean_compression_N"].get<double>(), 1.0) << j;
  for (const char* g : {"longissimus", "iliocostalis", "multifidus"})
    EXPECT_NEAR(a["groups"][g]["left"]["end_fatigued_fraction"].get<double>(),
                b["groups"][g]["left"]["end_fatigued_fraction"].get<double>(), 2e-3) << g;
}

TEST(RunQuasiStatic, ScenarioFatigueParametersPerGroupReachTheRun) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  const Scenario plain = short_sitting();
  const auto params = scenario_fatigue_parameters(plain, m);
  for (int i = 0; i < m.nmuscle; ++i) EXPECT_EQ(params[i].F, m.muscle_fatigue[i].F);
  // Halving the longissimus fatigue rate changes only the longissimus.
  const Scenario slow = parse_scenario(plain.text + "fatigue: {groups: {longissimus: {F: 0.003775}}}\n", plain.file);
  const auto p2 = scenario_fatigue_parameters(slow, m);
  for (int i = 0; i < m.nmuscle; ++i)
    EXPECT_DOUBLE_EQ(p2[i].F, m.muscle_group[i] == "longissimus" ? 0.003775 : m.muscle_fatigue[i].F);
  const auto a = run_scenario(m, plain, RunOptions{}, nullptr), b = run_scenario(m, slow, RunOptions{}, nullptr);
  EXPECT_LT(b["groups"]["longissimus"]["left"]["end_fatigued_fraction"].get<double>(),
            a["groups"]["longissimus"]["left"]["end_fatigued_fraction"].get<double>());
  // An unknown group names the file, the line and the field.
  const Scenario bad = parse_scenario(plain.text + "fatigue:\n  groups:\n    longisimus: {F: 0.01}\n", "sit.yaml");
  try {
    scenario_fatigue_parameters(bad, m);
    FAIL() << "unknown group accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sit.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fatigue.groups.longisimus"), std::string::npos) << e.what();
  }
  // The subject's fatigability scales every F and R.
  Subject deconditioned;
  deconditioned.fatigue_rate_scale = 1.5;
  deconditioned.recovery_rate_scale = 0.5;
  const Model md = scale_model(m, deconditioned);
  EXPECT_DOUBLE_EQ(md.muscle_fatigue[0].F, 1.5 * m.muscle_fatigue[0].F);
  EXPECT_DOUBLE_EQ(md.muscle_fatigue[0].R, 0.5 * m.muscle_fatigue[0].R);
  const auto c = run_scenario(md, plain, RunOptions{}, nullptr);
  EXPECT_GT(c["groups"]["longissimus"]["left"]["end_fatigued_fraction"].get<double>(),
            a["groups"]["longissimus"]["left"]["end_fatigued_fraction"].get<double>());
}

// Every frame of a fatigued still hold ends solved: 40 min of standing at 0.2 Hz, where the
// warm-started solver once stopped at its iteration limit with residuals up to 6e-3 N·m (the cold
// interior-point retry of load_sharing closes them).
TEST(RunQuasiStatic, EveryFrameOfAFatiguedHoldIsSolved) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  const Scenario base = load_scenario("prolonged_standing");
  const Scenario s = parse_scenario(apply_overrides(base.text, base.file, {"output_rate_hz=0.2", "keyframes[1].time=2400"}), base.file);
  RunOptions opt;
  int unsolved = 0;
  double worst = 0;
  opt.on_frame = [&](double, const Data& d) {
    unsolved += d.loadsharing_info.status != QpStatus::kSolved;
    worst = std::max(worst, d.loadsharing_info.equilibrium_residual);
  };
  run_scenario(m, s, opt, nullptr);
  EXPECT_EQ(unsolved, 0);
  EXPECT_LT(worst, 1e-5);
}

}  // namespace
}  // namespace paraspine
