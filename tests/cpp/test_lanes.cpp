// exp and log two lanes at a time (sim/muscles/lanes.h) against the C library's, in units in the last
// place over the ranges the Hill curves use and far beyond, and every special value.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "sim/muscles/lanes.h"

namespace paraspine {
namespace {

std::int64_t ulps_apart(double a, double b) {
  std::int64_t x, y;
  std::memcpy(&x, &a, sizeof x);
  std::memcpy(&y, &b, sizeof y);
  return x > y ? x - y : y - x;
}

TEST(Lanes, ExpWithinOneUlpOfTheLibrary) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> wide(-708, 709), narrow(-20, 10);
  std::int64_t worst = 0;
  for (int t = 0; t < 200000; ++t) {
    const double x = t % 2 ? wide(rng) : narrow(rng);
    const Lanes y = exp_lanes(Lanes{x, -x * 0.5});
    worst = std::max({worst, ulps_apart(y[0], std::exp(x)), ulps_apart(y[1], std::exp(-x * 0.5))});
  }
  EXPECT_LE(worst, 1);
  EXPECT_EQ(exp_lanes(lanes(0.0))[0], 1.0);
}

TEST(Lanes, LogWithinTwoUlpOfTheLibrary) {
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> exponent(-300, 300), near_one(0.05, 20);
  std::int64_t worst = 0;
  for (int t = 0; t < 200000; ++t) {
    const double x = t % 2 ? std::pow(10.0, exponent(rng)) : near_one(rng);
    worst = std::max(worst, ulps_apart(log_lanes(lanes(x))[0], std::log(x)));
  }
  EXPECT_LE(worst, 2);
  EXPECT_EQ(log_lanes(lanes(1.0))[0], 0.0);
}

TEST(Lanes, ArraysGiveTheLibrarysSpecialValues) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> ex = {-1000, -708.5, 709.5, 1e300, -inf, inf, nan, 0.25};
  std::vector<double> ey(ex.size());
  exp_array(ex.data(), ey.data(), static_cast<int>(ex.size()));
  for (size_t k = 0; k < ex.size(); ++k) {
    if (std::isnan(ex[k])) EXPECT_TRUE(std::isnan(ey[k]));
    else EXPECT_LE(ulps_apart(ey[k], std::exp(ex[k])), 1) << ex[k];
  }
  const std::vector<double> lx = {0, -1, 1e-310, inf, nan, 1, 3, 1e-300};
  std::vector<double> ly(lx.size());
  log_array(lx.data(), ly.data(), static_cast<int>(lx.size()));
  for (size_t k = 0; k < lx.size(); ++k) {
    if (std::isnan(std::log(lx[k]))) EXPECT_TRUE(std::isnan(ly[k])) << lx[k];
    else EXPECT_LE(ulps_apart(ly[k], std::log(lx[k])), 2) << lx[k];
  }
}

}  // namespace
}  // namespace paraspine
