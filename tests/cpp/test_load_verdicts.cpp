// The lumbar verdicts against the occupational limits (sim/simulate/load_limits.h) and the one-line
// verdict batch, sweep and --csv print (sim/cli/summary_view.h): session 21's ergonomist audit and
// its review (a model without lumbar levels read "ok"; a task beyond the modelled strength read
// "ok, lower bounds").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/cli/summary_view.h"
#include "sim/simulate/load_limits.h"

namespace paraspine {
namespace {

TEST(LoadVerdicts, LumbarLevelsAreTheJointsNamedLAndADigit) {
  for (const char* j : {"L5-S1", "L4-L5", "L1-L2"}) EXPECT_TRUE(is_lumbar_level(j)) << j;
  for (const char* j : {"T12-L1", "C0-C1", "Left-hip", "L", "LS", ""}) EXPECT_FALSE(is_lumbar_level(j)) << j;
}

TEST(LoadVerdicts, CompressionAndShearVerdictsFollowTheLimits) {
  EXPECT_STREQ(compression_verdict(3400), "below_action_limit");
  EXPECT_STREQ(compression_verdict(3400.5), "above_action_limit");
  EXPECT_STREQ(compression_verdict(6400.5), "above_max_permissible_limit");
  EXPECT_STREQ(shear_verdict(700), "below_frequent_limit");
  EXPECT_STREQ(shear_verdict(700.5), "above_frequent_limit");
  EXPECT_STREQ(shear_verdict(1000.5), "above_occasional_limit");
}

nlohmann::json summary_with(const std::string& joint, const char* c, const char* s, bool lower) {
  nlohmann::json j;
  j["joints"][joint] = {{"peak_compression_N", 1000.0}};
  if (c) j["joints"][joint]["compression_verdict"] = c;
  if (s) j["joints"][joint]["shear_ap_verdict"] = s;
  j["loads_are_lower_bounds"] = lower;
  return j;
}

TEST(LoadVerdicts, TheRunVerdictPutsNotCapableFirstAndNeverOkForAModelWithoutLumbarLevels) {
  using cli::run_verdict;
  EXPECT_EQ(run_verdict(summary_with("L5-S1", "below_action_limit", "below_frequent_limit", false)), "ok");
  EXPECT_EQ(run_verdict(summary_with("L5-S1", "below_action_limit", "below_frequent_limit", true)), "not capable (reserves)");
  EXPECT_EQ(run_verdict(summary_with("L5-S1", "above_max_permissible_limit", "above_occasional_limit", true)),
            "not capable (reserves), compression > MPL 6400 (L5-S1), AP shear > 1000 (L5-S1)");
  EXPECT_EQ(run_verdict(summary_with("L4-L5", "above_action_limit", "above_frequent_limit", false)),
            "compression > AL 3400 (L4-L5), AP shear > 700 (L4-L5)");
  EXPECT_EQ(run_verdict(summary_with("T9-T10", nullptr, nullptr, false)), "no lumbar level");
  EXPECT_EQ(run_verdict(summary_with("T9-T10", nullptr, nullptr, true)), "not capable (reserves)");
}

// audit24e #2: with two levels past the action limit the verdict named the first in the summary's
// order (L1-L2, 3577 N) while L2-L3 carried 3730 N; the level with the larger peak is named.
TEST(LoadVerdicts, TheRunVerdictNamesTheMostLoadedLevelPastEachLimit) {
  nlohmann::json j;
  j["joints"]["L1-L2"] = {{"peak_compression_N", 3577.0}, {"compression_verdict", "above_action_limit"},
                          {"peak_shear_ap_N", 720.0}, {"shear_ap_verdict", "above_frequent_limit"}};
  j["joints"]["L2-L3"] = {{"peak_compression_N", 3730.0}, {"compression_verdict", "above_action_limit"},
                          {"peak_shear_ap_N", 560.0}, {"shear_ap_verdict", "below_frequent_limit"}};
  j["joints"]["L5-S1"] = {{"peak_compression_N", 3257.0}, {"compression_verdict", "below_action_limit"},
                          {"peak_shear_ap_N", 990.0}, {"shear_ap_verdict", "above_frequent_limit"}};
  j["loads_are_lower_bounds"] = false;
  EXPECT_EQ(cli::run_verdict(j), "compression > AL 3400 (L2-L3), AP shear > 700 (L5-S1)");
  // A higher limit still wins over a larger peak at a lower one.
  j["joints"]["L1-L2"]["compression_verdict"] = "above_max_permissible_limit";
  EXPECT_EQ(cli::run_verdict(j), "compression > MPL 6400 (L1-L2), AP shear > 700 (L5-S1)");
}

TEST(LoadVerdicts, CsvFieldsWithCommasQuotesOrLineBreaksAreQuoted) {
  using cli::csv_field;
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
  EXPECT_EQ(csv_field("a\rb"), "\"a\rb\"");
  EXPECT_EQ(csv_field("a\nb"), "\"a\nb\"");
}

}  // namespace
}  // namespace paraspine
