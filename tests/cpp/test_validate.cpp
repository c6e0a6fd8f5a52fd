// The statistics of the validation report (docs/validation.md) against values worked by hand.
#include <gtest/gtest.h>

#include <cmath>

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

}  // namespace
}  // namespace paraspine
