// Motion files (sim/scenario/motion_file.h): the zero-lag low-pass filter's response, the rows read
// as keyframes, and the posture spline's compaction of channels that never move.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/kinematics/timeline.h"
#include "sim/scenario/motion_file.h"

namespace paraspine {
namespace {

// Steady-state amplitude of a sine of frequency f after the filter, read in the middle of a long
// record (away from the ends).
double gain_at(double f, double fs, double fc) {
  const int n = static_cast<int>(40 * fs / std::min(f, fc)) + 2000;
  std::vector<double> x(n);
  for (int k = 0; k < n; ++k) x[k] = std::sin(2 * M_PI * f * k / fs);
  lowpass_zero_lag(x, fs, fc);
  double peak = 0;
  for (int k = n / 4; k < 3 * n / 4; ++k) peak = std::max(peak, std::abs(x[k]));
  return peak;
}

TEST(MotionLowpass, IsThreeDecibelsDownAtTheCutoffAndPassesTheBand) {
  const double fs = 100, fc = 6;
  EXPECT_NEAR(gain_at(fc, fs, fc), 1 / std::sqrt(2.0), 0.005);  // the double pass's corrected cutoff
  EXPECT_GT(gain_at(1, fs, fc), 0.999);                         // trunk motion passes
  EXPECT_LT(gain_at(25, fs, fc), 0.01);                          // 4th order: about −48 dB at 4 fc
}

TEST(MotionLowpass, KeepsConstantsRampsAndTheTimingOfAPeak) {
  std::vector<double> c(500, 12.5);
  lowpass_zero_lag(c, 100, 5);
  for (double v : c) EXPECT_NEAR(v, 12.5, 1e-9);
  // A ramp is a line through the ends: the odd reflection continues it, so the ends stay on it.
  std::vector<double> ramp(300);
  for (int k = 0; k < 300; ++k) ramp[k] = 0.3 * k;
  lowpass_zero_lag(ramp, 100, 5);
  for (int k = 0; k < 300; ++k) EXPECT_NEAR(ramp[k], 0.3 * k, 1e-6) << k;
  // No lag: a symmetric bump keeps its peak where it was.
  std::vector<double> bump(1001);
  for (int k = 0; k <= 1000; ++k) bump[k] = std::exp(-std::pow((k - 400) / 30.0, 2));
  lowpass_zero_lag(bump, 100, 4);
  EXPECT_EQ(std::max_element(bump.begin(), bump.end()) - bump.begin(), 400);
}

TEST(MotionLowpass, RefusesACutoffAtOrAboveNyquist) {
  std::vector<double> x(10, 1.0);
  EXPECT_THROW(lowpass_zero_lag(x, 100, 50), std::invalid_argument);
  EXPECT_THROW(lowpass_zero_lag(x, 100, 0), std::invalid_argument);
}

TEST(MotionFile, RowsBecomeKeyframesWithTheirLinesAndColumns) {
  const std::string csv =
      "# a comment\n"
      "time, regions_deg.lumbar.flexion, joints_deg.L5-S1.axial_rotation, pelvis_position[1], hands.both.load_kg, "
      "hands.both.position[0], hands.both.position[1], hands.both.position[2]\n"
      "0, 0, 0, 0, 0, 0.3, 0, 0.2\n"
      "\n"
      "0.5, 20, -2, -0.05, 4, 0.35, -0.1, 0.2\n";
  const std::vector<ScenarioKeyframe> k = read_motion_text(csv, "m.csv", 0, "s.yaml", 0);
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[1].time, 0.5);
  EXPECT_EQ(k[1].line, 5);
  EXPECT_EQ(k[1].file, "m.csv");
  ASSERT_EQ(k[1].angles.size(), 1u);
  EXPECT_EQ(k[1].angles[0].region, "lumbar");
  EXPECT_EQ(k[1].angles[0].degrees, 20);
  EXPECT_EQ(k[1].angles[0].field, "regions_deg.lumbar.flexion");
  ASSERT_EQ(k[1].joint_angles.size(), 1u);
  EXPECT_EQ(k[1].joint_angles[0].region, "L5-S1");
  EXPECT_EQ(k[1].joint_angles[0].axis, "axial_rotation");
  EXPECT_EQ(k[1].pelvis_position.y(), -0.05);
  for (int h = 0; h < 2; ++h) {
    EXPECT_FALSE(k[1].hands[h].hanging);
    EXPECT_EQ(k[1].hands[h].load_kg, 4);
  }
  EXPECT_EQ(k[1].hands[0].position.z(), 0.2);
  EXPECT_EQ(k[1].hands[1].position.z(), -0.2);  // both: the left hand mirrored
}

// "LINE FIELD: message" of the InputError reading `csv` gives, or "no error".
std::string error_of(const std::string& csv) {
  try {
    read_motion_text(csv, "m.csv", 0, "s.yaml", 0);
  } catch (const InputError& e) {
    return std::to_string(e.line()) + " " + e.field() + ": " + e.what();
  }
  return "no error";
}

TEST(MotionFile, ErrorsNameTheFileLineAndColumn) {
  EXPECT_NE(error_of("time,regions_deg.lumbar.flexion\n0,0\n1,x\n").find("3 regions_deg.lumbar.flexion"), std::string::npos);
  EXPECT_NE(error_of("time,regions_deg.lumbar.flex\n0,0\n1,1\n").find("1 regions_deg.lumbar.flex"), std::string::npos);
  EXPECT_NE(error_of("time,pelvis_deg.flexion\n0,0\n1,200\n").find("half turn"), std::string::npos);
  EXPECT_NE(error_of("time,hands.right.load_kg\n0,0\n1,70\n").find("limit 60 kg"), std::string::npos);
  EXPECT_NE(error_of("time,hands.both.load_kg,hands.left.load_kg\n0,0,0\n1,1,1\n").find("hands.both already"), std::string::npos);
  EXPECT_NE(error_of("time\n0.5\n1\n").find("time 0"), std::string::npos);
  EXPECT_NE(error_of("time\n0\n").find("at least two rows"), std::string::npos);
  EXPECT_NE(error_of("time,pelvis_deg.flexion\n0,0\n1,1,2\n").find("3 values"), std::string::npos);
}

// What spreadsheets, pandas and lab software write: a byte order mark, CRLF line endings, quoted
// names, trailing commas, scientific notation, no newline at the end, empty lines at the end. All
// read as the plain file is.
TEST(MotionFile, ReadsTheCsvDialectsToolsWrite) {
  const std::string plain = "time,regions_deg.lumbar.flexion,hands.right.load_kg\n0,0,0\n0.5,12.5,2\n1,0.001,0\n";
  const std::vector<ScenarioKeyframe> want = read_motion_text(plain, "m.csv", 0, "s.yaml", 0);
  const std::vector<std::string> dialects = {
      "\xEF\xBB\xBFtime,regions_deg.lumbar.flexion,hands.right.load_kg\n0,0,0\n0.5,12.5,2\n1,0.001,0\n",
      "time,regions_deg.lumbar.flexion,hands.right.load_kg\r\n0,0,0\r\n0.5,12.5,2\r\n1,0.001,0\r\n",
      "\"time\",\"regions_deg.lumbar.flexion\",\"hands.right.load_kg\"\n0,0,0\n0.5,\"12.5\",2\n1,0.001,0\n",
      "time,regions_deg.lumbar.flexion,hands.right.load_kg,\n0,0,0,\n0.5,12.5,2,\n1,0.001,0,,\n",
      "time, regions_deg.lumbar.flexion ,hands.right.load_kg\n0.0e0,0E+00,0\n5e-1,1.25e1,2.0\n1,1e-3,0",
      "\xEF\xBB\xBF\"time\",\"regions_deg.lumbar.flexion\",\"hands.right.load_kg\",\r\n0,0,0,\r\n0.5,12.5,2,\r\n1,0.001,0,\r\n\r\n\n",
  };
  for (const std::string& csv : dialects) {
    std::vector<ScenarioKeyframe> k;
    ASSERT_NO_THROW(k = read_motion_text(csv, "m.csv", 0, "s.yaml", 0)) << csv;
    ASSERT_EQ(k.size(), want.size()) << csv;
    for (size_t i = 0; i < k.size(); ++i) {
      EXPECT_EQ(k[i].time, want[i].time) << csv;
      ASSERT_EQ(k[i].angles.size(), 1u) << csv;
      EXPECT_EQ(k[i].angles[0].degrees, want[i].angles[0].degrees) << csv;
      EXPECT_EQ(k[i].angles[0].field, "regions_deg.lumbar.flexion") << csv;
      EXPECT_EQ(k[i].hands[0].load_kg, want[i].hands[0].load_kg) << csv;
    }
  }
}

// Semicolon- (European Excel) and tab-separated files, and numbers strtod alone would take, are
// refused with what to do, on the line and column concerned.
TEST(MotionFile, RefusesOtherSeparatorsAndNonDecimalNumbersPlainly) {
  EXPECT_NE(error_of("time;regions_deg.lumbar.flexion\n0;0\n0,5;1,2\n").find("1 header"), std::string::npos);
  EXPECT_NE(error_of("time;regions_deg.lumbar.flexion\n0;0\n0,5;1,2\n").find("separated by semicolons"), std::string::npos);
  EXPECT_NE(error_of("time\tregions_deg.lumbar.flexion\n0\t0\n1\t1\n").find("separated by tabs"), std::string::npos);
  EXPECT_NE(error_of("time,regions_deg.lumbar.flexion\n0,0\n1,0x10\n").find("3 regions_deg.lumbar.flexion: "), std::string::npos);
  EXPECT_NE(error_of("time,regions_deg.lumbar.flexion\n0,0\n1,nan\n").find("'nan' is not a number"), std::string::npos);
  EXPECT_NE(error_of("time,regions_deg.lumbar.flexion\n0,0\n1,1e999\n").find("not a finite number"), std::string::npos);
  EXPECT_NE(error_of("time,,regions_deg.lumbar.flexion\n0,0,0\n1,1,1\n").find("1 column 2: "), std::string::npos);
  // A short row names the first column it lacks.
  const std::string short_row = error_of("time,pelvis_deg.flexion,regions_deg.lumbar.flexion\n0,0,0\n1,1\n");
  EXPECT_EQ(short_row.find("3 regions_deg.lumbar.flexion: "), 0u) << short_row;
  EXPECT_NE(short_row.find("2 values for the header's 3 columns"), std::string::npos) << short_row;
}

// Motion capture at 120 Hz exported with 3-decimal times (0.008, 0.017, 0.025, ...): with the filter
// the rows are the even grid those times round, read as the same motion printed exactly. Used to be
// refused as "not evenly spaced".
TEST(MotionFile, TimesPrintedRoundedAreTheEvenGridTheyRound) {
  std::string rounded = "time,regions_deg.lumbar.flexion\n", exact = rounded, dropped = rounded;
  for (int k = 0; k <= 360; ++k) {
    const double t = k / 120.0, y = 7.5 * (1 - std::cos(M_PI * t));
    rounded += fmt::format("{:.3f},{:.6f}\n", t, y);
    exact += fmt::format("{:.9f},{:.6f}\n", t, y);
    if (k != 100) dropped += fmt::format("{:.3f},{:.6f}\n", t, y);
  }
  const std::vector<ScenarioKeyframe> a = read_motion_text(rounded, "a.csv", 6, "s.yaml", 4);
  const std::vector<ScenarioKeyframe> b = read_motion_text(exact, "b.csv", 6, "s.yaml", 4);
  ASSERT_EQ(a.size(), 361u);
  ASSERT_EQ(b.size(), 361u);
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_NEAR(a[k].time, k / 120.0, 1e-12) << k;
    EXPECT_NEAR(a[k].time, b[k].time, 1e-12) << k;
    EXPECT_NEAR(a[k].angles[0].degrees, b[k].angles[0].degrees, 1e-9) << k;
  }
  // A dropped frame is still uneven; integer times are no rounded grid (0, 1, 3 is not 0, 1.5, 3).
  EXPECT_THROW(read_motion_text(dropped, "c.csv", 6, "s.yaml", 4), InputError);
  EXPECT_THROW(read_motion_text("time,regions_deg.lumbar.flexion\n0,0\n1,1\n3,2\n", "d.csv", 0.2, "s.yaml", 4), InputError);
  // Without the filter too (review 16: whole-millisecond times at 120 Hz gave +46 % at L5-S1): the
  // rows are the grid, and the values are the file's.
  const std::vector<ScenarioKeyframe> c = read_motion_text(rounded, "a.csv", 0, "s.yaml", 0);
  for (size_t k = 0; k < c.size(); ++k) EXPECT_NEAR(c[k].time, k / 120.0, 1e-12) << k;
  EXPECT_EQ(c[2].angles[0].degrees, std::stod(fmt::format("{:.6f}", 7.5 * (1 - std::cos(M_PI * 2 / 120.0)))));
  // Times off the grid by more than their printing's rounding stay as written.
  const std::vector<ScenarioKeyframe> uneven = read_motion_text("time,regions_deg.lumbar.flexion\n0,0\n1,1\n2.5,2\n4,3\n", "u.csv", 0, "s.yaml", 0);
  EXPECT_EQ(uneven[2].time, 2.5);
}

// The time column as lab software and spreadsheets head it (Vicon, Qualisys, pandas, Excel): any
// case, with the unit in the name; milliseconds are converted. Other units, a second time column and
// names that only begin with "time" are refused on the header line.
TEST(MotionFile, TheTimeColumnIsReadUnderTheHeadersToolsGiveIt) {
  const std::string rows = "0,0\n0.5,12.5\n1,0.001\n";
  const std::vector<ScenarioKeyframe> want = read_motion_text("time,regions_deg.lumbar.flexion\n" + rows, "m.csv", 0, "s.yaml", 0);
  for (const char* name : {"Time", "TIME", "time_s", "Time (s)", "time(s)", "time [s]", "\"Time (s)\"", "time (sec)", "time_seconds"}) {
    std::vector<ScenarioKeyframe> k;
    ASSERT_NO_THROW(k = read_motion_text(std::string(name) + ",regions_deg.lumbar.flexion\n" + rows, "m.csv", 0, "s.yaml", 0)) << name;
    ASSERT_EQ(k.size(), 3u) << name;
    for (size_t i = 0; i < k.size(); ++i) EXPECT_EQ(k[i].time, want[i].time) << name;
  }
  for (const char* name : {"time_ms", "Time (ms)", "time [ms]"}) {
    const std::vector<ScenarioKeyframe> k =
        read_motion_text(std::string(name) + ",regions_deg.lumbar.flexion\n0,0\n500,12.5\n1000,0.001\n", "m.csv", 0, "s.yaml", 0);
    ASSERT_EQ(k.size(), 3u) << name;
    for (size_t i = 0; i < k.size(); ++i) EXPECT_DOUBLE_EQ(k[i].time, want[i].time) << name;
  }
  // 120 Hz in milliseconds to 1 decimal (8.3, 16.7, 25.0): the rounded grid of 0.1 ms, filtered as exact.
  std::string ms = "time_ms,regions_deg.lumbar.flexion\n";
  for (int k = 0; k <= 360; ++k) ms += fmt::format("{:.1f},{:.6f}\n", 1000.0 * k / 120.0, 7.5 * (1 - std::cos(M_PI * k / 120.0)));
  const std::vector<ScenarioKeyframe> f = read_motion_text(ms, "ms.csv", 6, "s.yaml", 4);
  ASSERT_EQ(f.size(), 361u);
  for (size_t k = 0; k < f.size(); ++k) EXPECT_NEAR(f[k].time, k / 120.0, 1e-12) << k;

  const std::string hours = error_of("time (h),regions_deg.lumbar.flexion\n0,0\n1,1\n");
  EXPECT_EQ(hours.find("1 time (h): "), 0u) << hours;
  EXPECT_NE(hours.find("the time's unit 'h' is not known"), std::string::npos) << hours;
  const std::string twice = error_of("time,Time,regions_deg.lumbar.flexion\n0,0,0\n1,1,1\n");
  EXPECT_EQ(twice.find("1 Time: "), 0u) << twice;
  EXPECT_NE(twice.find("a second time column"), std::string::npos) << twice;
  const std::string stamp = error_of("timestamp,regions_deg.lumbar.flexion\n0,0\n1,1\n");
  EXPECT_EQ(stamp.find("1 timestamp: "), 0u) << stamp;
  EXPECT_NE(stamp.find("unknown column"), std::string::npos) << stamp;
  // Errors about the times name the column as the file heads it.
  const std::string order = error_of("Time (s),regions_deg.lumbar.flexion\n0,0\n0,1\n");
  EXPECT_EQ(order.find("3 Time (s): "), 0u) << order;
  EXPECT_NE(order.find("times must increase"), std::string::npos) << order;
}

TEST(Spline, ACompactedConstantChannelGivesTheSameBitsByInterval) {
  const std::vector<double> t = {0, 0.37, 1.1, 2.0, 5.3};
  const std::vector<double> y(t.size(), -0.7311);
  const ShapePreservingSpline full(t, y);  // the plain constructor keeps a value per knot
  const auto knots = std::make_shared<const std::vector<double>>(t);
  const ShapePreservingSpline compact = ShapePreservingSpline::on_shared_knots(knots, y);  // kept as one value
  for (size_t k = 0; k + 1 < t.size(); ++k)
    for (double s : {0.0, 0.13, 0.5, 0.91}) {
      const double h = t[k + 1] - t[k];
      const HermiteBasis b(s);
      double y0, v0, a0, y1, v1, a1;
      full.evaluate(k, h, b, y0, v0, a0);
      compact.evaluate(k, h, b, y1, v1, a1);
      EXPECT_EQ(y0, y1);
      EXPECT_EQ(v0, v1);
      EXPECT_EQ(a0, a1);
    }
  // By time too, anywhere in and around the span (the hand and force splines evaluate by time), and
  // held() on knots shared with other splines.
  const ShapePreservingSpline shared = ShapePreservingSpline::held(knots, y[0]);
  for (double tt = -0.5; tt < 6; tt += 0.0371) {
    double y0, v0, a0, y1, v1, a1, y2, v2, a2;
    full.evaluate(tt, y0, v0, a0);
    compact.evaluate(tt, y1, v1, a1);
    shared.evaluate(tt, y2, v2, a2);
    EXPECT_EQ(y0, y1) << tt;
    EXPECT_EQ(v0, v1) << tt;
    EXPECT_EQ(a0, a1) << tt;
    EXPECT_EQ(y0, y2) << tt;
    EXPECT_EQ(a0, a2) << tt;
  }
  // A channel that moves is left as it is.
  const ShapePreservingSpline moving = ShapePreservingSpline::on_shared_knots(knots, {0, 1, 1, 0.5, 0});
  double v, vd, vdd;
  moving.evaluate(0.37, v, vd, vdd);
  EXPECT_NEAR(v, 1, 1e-15);
}

}  // namespace
}  // namespace paraspine
