// Repetitions, rests and breaks: where each instant of a scenario falls, checked against a
// timeline built by hand; and the break keys' errors.
#include <gtest/gtest.h>

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
