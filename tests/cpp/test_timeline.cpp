// The posture spline: smooth (C2), exact holds, no overshoot at holds, derivatives consistent.
#include <gtest/gtest.h>

#include "sim/kinematics/timeline.h"

namespace paraspine {
namespace {

TEST(Spline, InterpolatesKeyframesAndRestsAtEnds) {
  const ShapePreservingSpline s({0, 1, 2.5, 3}, {0, 1, -0.5, 2});
  double y, yd, ydd;
  const double t[] = {0, 1, 2.5, 3}, v[] = {0, 1, -0.5, 2};
  for (int k = 0; k < 4; ++k) {
    s.evaluate(t[k], y, yd, ydd);
    EXPECT_NEAR(y, v[k], 1e-15);
  }
  s.evaluate(0, y, yd, ydd);
  EXPECT_EQ(yd, 0);
  s.evaluate(3, y, yd, ydd);
  EXPECT_EQ(yd, 0);
}

TEST(Spline, HoldStaysExactlyStill) {
  // Rise, hold from t = 1 to t = 3, fall: the hold must not move at all.
  const ShapePreservingSpline s({0, 1, 3, 4}, {0, 0.7, 0.7, 0});
  for (double t = 1.0; t <= 3.0; t += 0.01) {
    double y, yd, ydd;
    s.evaluate(t, y, yd, ydd);
    EXPECT_NEAR(y, 0.7, 1e-15);
    EXPECT_NEAR(yd, 0, 1e-14);
    EXPECT_NEAR(ydd, 0, 1e-13);
  }
  // And nothing overshoots the hold on either side.
  for (double t = 0; t <= 4; t += 0.001) {
    double y, yd, ydd;
    s.evaluate(t, y, yd, ydd);
    EXPECT_LE(y, 0.7 + 1e-15);
    EXPECT_GE(y, -1e-15);
  }
}

TEST(Spline, TwiceContinuouslyDifferentiable) {
  const ShapePreservingSpline s({0, 0.3, 0.8, 1.0, 1.9}, {0.1, 0.4, 0.9, 0.2, -0.3});
  for (double tk : {0.3, 0.8, 1.0}) {
    double y0, yd0, ydd0, y1, yd1, ydd1;
    s.evaluate(tk - 1e-10, y0, yd0, ydd0);
    s.evaluate(tk + 1e-10, y1, yd1, ydd1);
    EXPECT_NEAR(y0, y1, 1e-8);
    EXPECT_NEAR(yd0, yd1, 1e-7);
    EXPECT_NEAR(ydd0, ydd1, 1e-6) << "at " << tk;
  }
}

TEST(Spline, DerivativesMatchFiniteDifferences) {
  const ShapePreservingSpline s({0, 0.3, 0.8, 1.0, 1.9}, {0.1, 0.4, 0.9, 0.2, -0.3});
  const double h = 1e-6;
  for (double t = 0.05; t < 1.9; t += 0.0937) {
    double y, yd, ydd, yp, ydp, yddp, ym, ydm, yddm;
    s.evaluate(t, y, yd, ydd);
    s.evaluate(t + h, yp, ydp, yddp);
    s.evaluate(t - h, ym, ydm, yddm);
    EXPECT_NEAR(yd, (yp - ym) / (2 * h), 1e-7);
    EXPECT_NEAR(ydd, (ydp - ydm) / (2 * h), 1e-6);
  }
}

TEST(Spline, RejectsBadKeyframes) {
  EXPECT_THROW(ShapePreservingSpline({0, 0}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(ShapePreservingSpline({}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace paraspine
