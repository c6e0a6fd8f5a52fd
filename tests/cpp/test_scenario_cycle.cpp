// Repetitions, rests and breaks: where each instant of a scenario falls, checked against a
// timeline built by hand; and the break keys' errors.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sim/common/error.h"
#include "sim/scenario/scenario.h"

namespace paraspine {
namespace {

Scenario repeated(int repetitions, double rest, int every, double brk) {
  Scenario s;
  s.keyframes.resize(2);
  s.keyframes[1].time = 2.0;
  s.repetitions = repetitions;
  s.rest_s = rest;
  s.break_every = every;
  s.break_s = brk;
  return s;
}

TEST(ScenarioCycle, AgreesWithATimelineLaidOutByHand) {
  // 7 repetitions of a 2 s cycle, 1 s rests, a 5 s break after every 3rd: the segments in order.
  const Scenario s = repeated(7, 1.0, 3, 5.0);
  struct Segment { double length; bool rest; };
  std::vector<Segment> layout;
  for (int r = 0; r < 7; ++r) {
    layout.push_back({2.0, false});
    if (r < 6) layout.push_back({(r + 1) % 3 == 0 ? 5.0 : 1.0, true});
  }
  double total = 0;
  for (const auto& g : layout) total += g.length;
  EXPECT_EQ(s.breaks(), 2);
  EXPECT_DOUBLE_EQ(s.duration_s(), total);  // 14 + 4·1 + 2·5 = 28 s
  int rep = 0;
  double start = 0;
  for (const auto& g : layout) {
    for (double u : {0.01, 0.5, 0.99}) {
      const double t = start + u * g.length;
      const CyclePosition c = cycle_position(s, 2.0, t);
      EXPECT_EQ(c.resting, g.rest) << t;
      EXPECT_EQ(c.repetition, rep) << t;
      if (!g.rest) {
        EXPECT_NEAR(c.time_in_cycle, t - start, 1e-12) << t;
      }
    }
    start += g.length;
    if (g.rest) ++rep;
  }
  const CyclePosition end = cycle_position(s, 2.0, s.duration_s());
  EXPECT_EQ(end.repetition, 6);
  EXPECT_NEAR(end.time_in_cycle, 2.0, 1e-12);
}

TEST(ScenarioCycle, WithoutBreaksIsPlainRepetition) {
  const Scenario s = repeated(4, 3.0, 0, 0);
  EXPECT_DOUBLE_EQ(s.duration_s(), 4 * 2.0 + 3 * 3.0);
  const CyclePosition c = cycle_position(s, 2.0, 5.0 + 1.5);  // second cycle, 1.5 s in
  EXPECT_EQ(c.repetition, 1);
  EXPECT_FALSE(c.resting);
  EXPECT_NEAR(c.time_in_cycle, 1.5, 1e-12);
}

// A run's frames: where the period (and the block with its break) is a whole number of frames,
// the frame at the same point of every repetition has the same time in the cycle, bit for bit
// (fl(f·dt) − rep·period differed in the last bits), and the repetitions, rests and breaks are those
// of cycle_position at t = f·dt; elsewhere it is cycle_position itself.
TEST(ScenarioCycle, FramesOfEveryRepetitionHaveTheSameTimeInTheCycle) {
  for (const Scenario& s : {repeated(40, 1.3, 0, 0), repeated(40, 1.3, 3, 5.1)}) {
    const double dt = 1.0 / 50;
    const long frames = static_cast<long>(std::floor(s.duration_s() / dt + 1e-9)) + 1;
    std::map<std::pair<long, long>, double> first;  // (frame in its block's cycle, break index) → time
    long exact_differs = 0;
    for (long f = 0; f < frames; ++f) {
      const CyclePosition c = cycle_position_of_frame(s, 2.0, f, dt);
      const CyclePosition r = cycle_position(s, 2.0, f * dt);
      EXPECT_EQ(c.on_break, c.resting && r.on_break) << f;
      if (c.resting != r.resting) {
        // Only at a repetition's first frame, which cycle_position may see as the end of the rest.
        EXPECT_TRUE(!c.resting && c.time_in_cycle == 0.0) << f;
        continue;
      }
      EXPECT_EQ(c.repetition, r.repetition) << f;
      EXPECT_NEAR(c.time_in_cycle, r.time_in_cycle, 1e-11) << f;
      if (c.resting) continue;
      const long k = std::lround(c.time_in_cycle / dt);
      EXPECT_EQ(c.time_in_cycle, k * dt) << f;
      auto [it, inserted] = first.emplace(std::make_pair(k, 0L), c.time_in_cycle);
      if (!inserted) {
        EXPECT_EQ(it->second, c.time_in_cycle) << f;
      }
      if (r.time_in_cycle != c.time_in_cycle) ++exact_differs;
    }
    EXPECT_GT(exact_differs, 0);  // the old computation did differ in the last bits
  }
  // 7 Hz does not divide the 3.3 s period: cycle_position itself.
  const Scenario s = repeated(5, 1.3, 0, 0);
  for (long f = 0; f < 100; ++f) {
    const CyclePosition c = cycle_position_of_frame(s, 2.0, f, 1.0 / 7), r = cycle_position(s, 2.0, f * (1.0 / 7));
    EXPECT_EQ(c.repetition, r.repetition);
    EXPECT_EQ(c.time_in_cycle, r.time_in_cycle);
    EXPECT_EQ(c.resting, r.resting);
  }
}

// Back-to-back repetitions (rest_s = 0): the frame where one repetition ends and the next begins
// belongs to the next one at t = 0 (cycle_position may give the previous one at t = cycle; the two
// are the same instant of a periodic task), every other frame is cycle_position's, and the frames
// at the same point of every repetition have the same time, bit for bit.
TEST(ScenarioCycle, BackToBackRepetitionsStartAtTheirOwnFirstFrame) {
  const Scenario s = repeated(30, 0, 0, 0);
  const double dt = 1.0 / 50;
  const long frames = static_cast<long>(std::floor(s.duration_s() / dt + 1e-9)) + 1;
  std::map<long, double> first;
  for (long f = 0; f < frames; ++f) {
    const CyclePosition c = cycle_position_of_frame(s, 2.0, f, dt);
    const CyclePosition r = cycle_position(s, 2.0, f * dt);
    EXPECT_FALSE(c.resting) << f;
    if (c.repetition == r.repetition) {
      EXPECT_NEAR(c.time_in_cycle, r.time_in_cycle, 1e-11) << f;
    } else {
      EXPECT_EQ(c.repetition, r.repetition + 1) << f;
      EXPECT_EQ(c.time_in_cycle, 0.0) << f;
      EXPECT_NEAR(r.time_in_cycle, 2.0, 1e-11) << f;
    }
    if (f < frames - 1) {
      EXPECT_EQ(c.repetition, f / 100) << f;  // 100 frames a repetition
    }
    const long k = std::lround(c.time_in_cycle / dt);
    auto [it, inserted] = first.emplace(k, c.time_in_cycle);
    if (!inserted) {
      EXPECT_EQ(it->second, c.time_in_cycle) << f;
    }
  }
}

TEST(ScenarioCycle, BreakKeysAreChecked) {
  const std::string head = "paraspine_scenario: 1\nname: t\nkeyframes:\n  - time: 0\n  - time: 1\nrepetitions: 4\n";
  EXPECT_THROW(parse_scenario(head + "break_s: 10\n", "t.yaml"), InputError);          // needs break_every
  EXPECT_THROW(parse_scenario(head + "break_every: 2\n", "t.yaml"), InputError);        // needs break_s
  EXPECT_THROW(parse_scenario(head + "break_every: 1.5\nbreak_s: 3\n", "t.yaml"), InputError);
  EXPECT_THROW(parse_scenario(head + "break_every: 2\nbreak_s: -1\n", "t.yaml"), InputError);
  const Scenario s = parse_scenario(head + "break_every: 2\nbreak_s: 10\n", "t.yaml");
  EXPECT_EQ(s.break_every, 2);
  EXPECT_DOUBLE_EQ(s.duration_s(), 4 * 1.0 + 10.0 * 1);  // breaks after rep 2 only (not after the last)
}

}  // namespace
}  // namespace paraspine
