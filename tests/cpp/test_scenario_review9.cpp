// Input and run defects found by the session-9 review of the CLI and file handling (items A1-A10,
// C1, C5-C7; the reproductions are in the fixing commits' messages), each reproduced as the reviewer
// did and checked fixed: silently wrong results and unclear errors. A1, A2 and C1 were run against the
// code before the fix; the others use functions the fixes added.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/common/yaml_reader.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/model/summary.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/run.h"
#include "sim/validate/validate.h"

namespace paraspine {
namespace {

namespace fs = std::filesystem;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The review's "2-keyframe scenario" on the lumbar model, plus `extra` lines.
std::string two_keyframes(const std::string& top, const std::string& second = "") {
  return "paraspine_scenario: 1\nname: t\nmodel: lumbar\n" + top + "keyframes:\n  - time: 0\n  - time: 1\n" + second;
}

// The message of the InputError parsing `text` throws, or "accepted".
std::string error_of(const std::string& text, const std::string& file = "in.yaml") {
  try {
    parse_scenario(text, file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const Model& lumbar() {
  static const Model m = load_model(test::source_dir() + "/models/lumbar.yaml");
  return m;
}

// A1: the subject's fatigue scales multiply the scenario's F and R (they replaced them).
TEST(Review9, SubjectFatigueScalesMultiplyTheScenariosRates) {
  const Scenario s = parse_scenario(two_keyframes("fatigue: {F: 0.01, R: 0.002, groups: {multifidus: {F: 0.02}}}\n"), "f.yaml");
  Subject sub;
  sub.fatigue_rate_scale = 3, sub.recovery_rate_scale = 0.5;
  const Model scaled = scale_model(lumbar(), sub);
  const auto plain = scenario_fatigue_parameters(s, lumbar());
  const auto p = scenario_fatigue_parameters(s, scaled);
  for (int i = 0; i < lumbar().nmuscle; ++i) {
    const double F = lumbar().muscle_group[i] == "multifidus" ? 0.02 : 0.01;
    EXPECT_DOUBLE_EQ(plain[i].F, F);
    EXPECT_DOUBLE_EQ(p[i].F, 3 * F);
    EXPECT_DOUBLE_EQ(p[i].R, 0.5 * 0.002);
  }
  // Scaled twice, the factors compound as F and R do.
  const Model twice = scale_model(scaled, sub);
  EXPECT_DOUBLE_EQ(twice.fatigue_rate_scale, 9);
  EXPECT_DOUBLE_EQ(twice.muscle_fatigue[0].F, 9 * lumbar().muscle_fatigue[0].F);
}

// A2: a rate that does not divide the duration still simulates the final instant.
TEST(Review9, TheEndOfTheRunIsAlwaysSimulated) {
  const std::string text = two_keyframes("output_rate_hz: 3\n", "    hands: {both: {position: [0.3, 0.1, 0.2], load_kg: 20}}\n");
  std::string at_11 = text;
  at_11.replace(at_11.find("time: 1\n"), 8, "time: 1.1\n");
  const Scenario s3 = parse_scenario(at_11, "r3.yaml");
  const FrameClock clock(s3);
  EXPECT_EQ(clock.frames, 5);  // 0, 1/3, 2/3, 1, and 1.1
  EXPECT_TRUE(clock.end_frame);
  EXPECT_DOUBLE_EQ(clock.time(4), 1.1);
  // The end frame stands for the short interval before it (frame k for (t_{k-1}, t_k]); the last grid
  // frame for a whole step (the session-9 code review found the short step on the frame before).
  EXPECT_NEAR(clock.step_into(4), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(clock.step_into(3), 1.0 / 3);
  EXPECT_DOUBLE_EQ(clock.step_into(0), 1.0 / 3);

  RunOptions opt;
  opt.time_coupling = false;
  std::vector<double> times;
  opt.on_frame = [&](double t, const Data&) { times.push_back(t); };
  const auto j3 = run_scenario(lumbar(), s3, opt, nullptr);
  ASSERT_EQ(times.size(), 5u);
  EXPECT_DOUBLE_EQ(times.back(), 1.1);
  EXPECT_DOUBLE_EQ(j3["duration_s"].template get<double>(), times.back());
  EXPECT_EQ(j3["frames"].template get<long>(), 5);
  // At 10 Hz 1.1 s is on the grid: the peak (the final keyframe's 20 kg) is the same.
  std::string at_10 = at_11;
  at_10.replace(at_10.find("output_rate_hz: 3"), 17, "output_rate_hz: 10");
  opt.on_frame = nullptr;
  const auto j10 = run_scenario(lumbar(), parse_scenario(at_10, "r10.yaml"), opt, nullptr);
  EXPECT_EQ(j10["frames"].template get<long>(), 12);
  const double p3 = j3["joints"]["L4-L5"]["peak_compression_N"].get<double>();
  const double p10 = j10["joints"]["L4-L5"]["peak_compression_N"].get<double>();
  EXPECT_GT(p10, 2000);
  EXPECT_NEAR(p3, p10, 1e-6 * p10);

  // With fatigue: the same frames, and the last step is the short one.
  RunOptions fat;
  times.clear();
  fat.on_frame = [&](double t, const Data&) { times.push_back(t); };
  run_scenario(lumbar(), s3, fat, nullptr);
  ASSERT_EQ(times.size(), 5u);
  EXPECT_DOUBLE_EQ(times.back(), 1.1);

  // A rate that divides the duration keeps its frames exactly (bundled results unchanged).
  const Scenario lift = load_scenario(test::source_dir() + "/tests/data/test_lift.yaml");
  const FrameClock c(lift);
  EXPECT_FALSE(c.end_frame);
  EXPECT_EQ(c.frames, 401);
  // A keyframe 10 µs past the grid is still reached by an end frame ...
  std::string past = two_keyframes("output_rate_hz: 1000\n");
  past.replace(past.find("time: 1\n"), 8, "time: 1.00001\n");
  const FrameClock h(parse_scenario(past, "h.yaml"));
  EXPECT_TRUE(h.end_frame);
  EXPECT_EQ(h.frames, 1002);
  EXPECT_DOUBLE_EQ(h.time(1001), 1.00001);
  EXPECT_NEAR(h.step_into(1001), 1e-5, 1e-12);
  // ... while one within 1e-9 of a frame (relative to the frame count, as cycle_position_of_frame's
  // whole_frames) is that frame: no end frame a fraction of a nanosecond after it.
  std::string hair = two_keyframes("output_rate_hz: 1000\n");
  hair.replace(hair.find("time: 1\n"), 8, "time: 1.0000000001\n");
  const FrameClock on(parse_scenario(hair, "on.yaml"));
  EXPECT_FALSE(on.end_frame);
  EXPECT_EQ(on.frames, 1001);
}

// The code review's long run: 21 145 lifting cycles with a 3.1-s rest at 50 Hz are 8 880 746 whole
// frames; duration / dt carries a few 1e-9 frames of rounding, which an absolute tolerance took for an
// end frame 1e-11 s after the last one (a duplicated time in /time).
TEST(Review9, LongRunsOnTheGridGetNoSpuriousEndFrame) {
  Scenario s = load_scenario("repetitive_lifting_shift");
  s.output_rate_hz = 50;
  s.rest_s = 3.1;
  s.repetitions = 21145;
  const FrameClock c(s);
  EXPECT_FALSE(c.end_frame);
  EXPECT_EQ(c.frames, std::lround(s.duration_s() * 50) + 1);
}

// A rate too low for two frames is refused with a suggested rate that itself passes (code review: "use
// at least 0.208333 Hz" for a 4.8-s scenario, and 0.208333 × 4.8 < 1 was refused again).
TEST(Review9, TheSuggestedLowestRateIsAccepted) {
  std::string text = two_keyframes("output_rate_hz: 0.1\n");
  text.replace(text.find("time: 1\n"), 8, "time: 4.8\n");
  const std::string e = error_of(text);
  ASSERT_TRUE(contains(e, "use at least 0.209 Hz")) << e;
  std::string at = text;
  at.replace(at.find("output_rate_hz: 0.1"), 19, "output_rate_hz: 0.209");
  EXPECT_EQ(error_of(at), "accepted");
}

// A3: keyframe forces have the limits of external_forces; points a limit like the model loader's.
TEST(Review9, KeyframeForcesAndForcePointsAreBounded) {
  const std::string head = "paraspine_scenario: 1\nname: t\nmodel: lumbar\nexternal_forces:\n"
                           "  - {name: push, segment: thorax, point: [0, 0, 0], force_N: [0, 0, 0]}\n"
                           "  - {name: bw, segment: thorax, force_body_weight: [0, 0, 0]}\n"
                           "keyframes:\n  - time: 0\n  - time: 1\n";
  EXPECT_EQ(error_of(head), "accepted");
  EXPECT_TRUE(contains(error_of(head + "    forces: {push: {force_N: [1e9, 0, 0]}}\n"),
                       "in.yaml:10: keyframes[1].forces.push.force_N: 1e+09 N, more than 5000 N"))
      << error_of(head + "    forces: {push: {force_N: [1e9, 0, 0]}}\n");
  EXPECT_TRUE(contains(error_of(head + "    forces: {bw: {force_body_weight: [0, 100, 0]}}\n"),
                       "keyframes[1].forces.bw.force_body_weight: 100 body weights, more than three"));
  std::string far = head;
  far.replace(far.find("point: [0, 0, 0]"), 16, "point: [1000, 0, 0]");
  EXPECT_TRUE(contains(error_of(far), "in.yaml:5: external_forces[0].point: 1e+03 m from the segment's origin, more than 0.5 m"))
      << error_of(far);
}

// A4: durations and frame counts are bounded at load time, never overflow a long.
TEST(Review9, DurationsAndFrameCountsAreBounded) {
  std::string huge = two_keyframes("output_rate_hz: 50\n");
  huge.replace(huge.find("time: 1\n"), 8, "time: 1e18\n");
  EXPECT_TRUE(contains(error_of(huge), "in.yaml:7: keyframes[1].time: more than a week")) << error_of(huge);
  EXPECT_TRUE(contains(error_of(two_keyframes("repetitions: 1000000\nrest_s: 1e300\n")), "in.yaml:5: rest_s: more than a week"));
  EXPECT_TRUE(contains(error_of(two_keyframes("repetitions: 1000000\nrest_s: 3600\n")), "in.yaml:4: repetitions: the scenario lasts"));
  EXPECT_TRUE(contains(error_of(two_keyframes("repetitions: 3\nbreak_every: 1\nbreak_s: 1e9\n")), "break_s: more than a week"));
  std::string long_fast = two_keyframes("output_rate_hz: 1000\n");
  long_fast.replace(long_fast.find("time: 1\n"), 8, "time: 500000\n");
  EXPECT_TRUE(contains(error_of(long_fast), "in.yaml:4: output_rate_hz: 5e+08 frames")) << error_of(long_fast);
}

// A5: --set through a YAML alias would change every use of the anchored value.
TEST(Review9, SetThroughAnAliasIsRefused) {
  const std::string text = "paraspine_scenario: 1\nname: t\nmodel: lumbar\nkeyframes:\n"
                           "  - time: 0\n    hands: &h {both: {position: [0.3, 0.1, 0.2], load_kg: 5}}\n"
                           "  - time: 1\n    hands: *h\n";
  for (const char* o : {"keyframes[1].hands.both.load_kg=20", "keyframes[0].hands.both.load_kg=20"}) {
    try {
      apply_overrides(text, "anchor.yaml", {o});
      ADD_FAILURE() << "accepted " << o;
    } catch (const InputError& e) {
      EXPECT_TRUE(contains(e.what(), "shared through a YAML anchor and alias")) << e.what();
    }
  }
  EXPECT_NO_THROW(apply_overrides(text, "anchor.yaml", {"keyframes[1].time=2"}));
}

// A6: contradictory or incomplete keyframes are errors, not silently resolved.
TEST(Review9, ContradictoryKeyframesAreErrors) {
  EXPECT_TRUE(contains(error_of(two_keyframes("", "    hands: {both: {position: [0.3, 0.1, 0.2], load_kg: 5}, right: {position: [0.3, 0.1, 0.2], load_kg: 50}}\n")),
                       "in.yaml:7: keyframes[1].hands.right: hands.both already gives both hands"));
  EXPECT_TRUE(contains(error_of(two_keyframes("", "    pelvis_deg: {flexion: 10}\n    regions_deg: {pelvis: {flexion: 40}}\n")),
                       "in.yaml:8: keyframes[1].regions_deg.pelvis: the pelvis is already given by pelvis_deg (line 7)"));
  EXPECT_TRUE(contains(error_of(two_keyframes("", "    hands: {both: {hanging: false, load_kg: 10}}\n")),
                       "in.yaml:7: keyframes[1].hands.both.hanging: a hand that does not hang needs a position"));
  // A hanging hand with a load (a suitcase) stays fine.
  EXPECT_EQ(error_of(two_keyframes("", "    hands: {both: {load_kg: 10}}\n")), "accepted");
}

// A7: duplicate keys in model and validation files (first value silently won).
TEST(Review9, DuplicateKeysInModelAndValidationFiles) {
  std::string text = read(test::default_model_path());
  const auto at = text.find("    mass: 11.777");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "    mass: 1000\n");
  try {
    parse_model(text, "dup.yaml");
    ADD_FAILURE() << "accepted a duplicate mass";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "segments[0].mass: 'mass' is given twice")) << e.what();
  }
  std::string cases = read(test::source_dir() + "/tests/validation/cases.yaml");
  const auto tol = cases.find("    tolerance_pct:");
  ASSERT_NE(tol, std::string::npos);
  cases.insert(tol, "    tolerance_pct: 1000\n");
  // The cases file names scenarios relative to itself: the copy's folder links to the original's.
  const fs::path dir = fs::temp_directory_path() / "paraspine_review9_cases";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::create_directory_symlink(test::source_dir() + "/tests/validation/scenarios", dir / "scenarios");
  const std::string copy = (dir / "cases.yaml").string();
  std::ofstream(copy) << cases;
  try {
    load_validation_suite(copy);
    ADD_FAILURE() << "accepted a duplicate tolerance_pct";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "tolerance_pct: 'tolerance_pct' is given twice")) << e.what();
  }
  fs::remove_all(dir);
}

// A8: the subject's strength and fatigue scales are recorded with the body's numbers.
TEST(Review9, TheSubjectSummaryRecordsEveryFactor) {
  Subject sub;
  sub.strength_factor = 0.5, sub.fatigue_rate_scale = 3;
  const auto j = subject_summary(scale_model(lumbar(), sub));
  EXPECT_EQ(j["strength_factor"].get<double>(), 0.5);
  EXPECT_EQ(j["fatigue_rate_scale"].get<double>(), 3);
  EXPECT_EQ(j["recovery_rate_scale"].get<double>(), 1);
  EXPECT_TRUE(j.contains("body_mass_kg") && j.contains("height_m") && j.contains("sex"));
}

// A9: a scenario's relative model path is its neighbour first.
TEST(Review9, ARelativeModelIsFoundBesideTheScenario) {
  const fs::path dir = fs::temp_directory_path() / "paraspine_review9_rel";
  fs::create_directories(dir);
  fs::copy_file(test::default_model_path(), dir / "mymodel.yaml", fs::copy_options::overwrite_existing);
  std::ofstream(dir / "rel.yaml") << "paraspine_scenario: 1\nname: rel\nmodel: mymodel.yaml\nkeyframes:\n  - time: 0\n  - time: 1\n";
  const Scenario s = load_scenario((dir / "rel.yaml").string());
  EXPECT_EQ(s.model, (dir / "mymodel.yaml").string());
  EXPECT_EQ(resolve_model_name(s.model, s.file, s.model_line, "model"), (dir / "mymodel.yaml").string());
  // A bundled name stays a bundled name.
  EXPECT_EQ(parse_scenario(two_keyframes(""), (dir / "b.yaml").string()).model, "lumbar");
  fs::remove_all(dir);
}

// A10: absurd fatigue rates are refused (1e17 s^-1 made fatigue vanish).
TEST(Review9, FatigueRatesAreBounded) {
  EXPECT_TRUE(contains(error_of(two_keyframes("fatigue: {F: 1e20}\n")), "in.yaml:4: fatigue.F: more than 1 s^-1"));
  EXPECT_TRUE(contains(error_of(two_keyframes("fatigue: {groups: {multifidus: {R: 5}}}\n")), "fatigue.groups.multifidus.R: more than 1 s^-1"));
  EXPECT_TRUE(contains(error_of(two_keyframes("fatigue: {r: 1e6}\n")), "fatigue.r: more than 100"));
  EXPECT_EQ(error_of(two_keyframes("fatigue: {F: 0.0335, R: 0.0182, r: 30}\n")), "accepted");
  std::string model = read(test::default_model_path());
  const auto at = model.find("F: 0.00755");
  ASSERT_NE(at, std::string::npos);
  model.replace(at, 10, "F: 1e20");
  EXPECT_THROW(parse_model(model, "m.yaml"), InputError);
}

// C1: invalid UTF-8 is refused at load time, at its line and field.
TEST(Review9, InvalidUtf8IsNamedAtLoadTime) {
  EXPECT_EQ(error_of(two_keyframes("description: \"sit\xff\"\n")),
            "in.yaml:4: description: invalid UTF-8 byte 0xFF at column 18 (input files are UTF-8 text: was it saved as Latin-1 or another code page?)");
  EXPECT_TRUE(contains(error_of("paraspine_scenario: 1\nname: t\xe9st\nmodel: lumbar\nkeyframes:\n  - time: 0\n  - time: 1\n"),
                       "in.yaml:2: name: invalid UTF-8 byte 0xE9"));
  EXPECT_EQ(invalid_utf8_at("caf\xc3\xa9 \xe2\x80\x94 ok"), std::string::npos);
  EXPECT_EQ(invalid_utf8_at("\xc0\xaf"), 0u);        // overlong
  EXPECT_EQ(invalid_utf8_at("a\xed\xa0\x80"), 1u);   // surrogate
  EXPECT_EQ(invalid_utf8_at("ab\xe2\x80"), 2u);      // truncated
}

// C5: an index too large for a long is an error, not "stol".
TEST(Review9, AHugeListIndexIsNamed) {
  try {
    apply_overrides(two_keyframes(""), "in.yaml", {"keyframes[99999999999999999999].time=1"});
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "no list element [99999999999999999999]")) << e.what();
  }
}

// C6: a folder in the working directory does not shadow a bundled name.
TEST(Review9, AFolderDoesNotShadowABundledName) {
  const fs::path old = fs::current_path();
  const fs::path dir = fs::temp_directory_path() / "paraspine_review9_cwd";
  fs::create_directories(dir / "lumbar");
  fs::create_directories(dir / "squat_lift");
  fs::current_path(dir);
  EXPECT_EQ(resolve_model_path("lumbar"), std::string(PARASPINE_MODELS_DIR) + "/lumbar.yaml");
  EXPECT_EQ(resolve_scenario_path("squat_lift"), std::string(PARASPINE_SCENARIOS_DIR) + "/squat_lift.yaml");
  fs::current_path(old);
  fs::remove_all(dir);
}

// C7: a posture beyond range is named on its angle, with sensible digits; --set keeps FILE:LINE.
TEST(Review9, PostureRangeErrorsNameTheAngle) {
  const Scenario s = parse_scenario(two_keyframes("", "    regions_deg: {lumbar: {flexion: 150}}\n"), "p.yaml");
  try {
    bind_scenario(s, lumbar());
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "keyframes[1].regions_deg.lumbar.flexion") << e.what();
    EXPECT_EQ(e.line(), 7);
    EXPECT_TRUE(contains(e.what(), "at t = 1 s joint")) << e.what();
    EXPECT_FALSE(contains(e.what(), "000°")) << e.what();
  }
  try {
    parse_scenario_noted(apply_overrides(two_keyframes(""), "in.yaml", {"keyframes[1].time=abc"}), "in.yaml", " (with --set)");
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "in.yaml:6: keyframes[1].time: expected a number, got 'abc' (with --set)");
  }
  try {
    load_model("squat_lift");
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "is a scenario, not a model")) << e.what();
  }
}

}  // namespace
}  // namespace paraspine
