// Malformed scenario files as users write them: every mistake is an InputError naming the file,
// the line and the field — never a yaml-cpp exception without a place, never silently accepted.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/common/error.h"
#include "sim/scenario/scenario.h"

namespace paraspine {
namespace {

std::string fixture() {
  std::ifstream in(std::string(PARASPINE_SOURCE_DIR) + "/tests/data/test_lift.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fixture with the first `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to) {
  std::string text = fixture();
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

int line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

struct Case {
  std::string from, to, field, message, line_of;  // line_of: text on the line the error names
};

void expect_input_error(const Case& c) {
  const std::string text = edited(c.from, c.to);
  try {
    parse_scenario(text, "bad.yaml");
    ADD_FAILURE() << "accepted: " << c.to;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "bad.yaml");
    EXPECT_EQ(e.field(), c.field) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    EXPECT_EQ(e.line(), line_of(text, c.line_of)) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an InputError for '" << c.to << "': " << e.what();
  }
}

// The whole message a parse error gives (file:line: field: text), or "accepted".
std::string parse_error(const std::string& text, const std::string& file) {
  try {
    parse_scenario(text, file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ScenarioInput, WrongTypesAreNamedNotYamlCppErrors) {
  // `hanging: maybe` used to escape as "yaml-cpp: error at line 12, column 29: bad conversion".
  expect_input_error({"hands: {both: {hanging: true}}", "hands: {both: {hanging: maybe}}",
                      "keyframes[0].hands.both.hanging", "expected true or false", "hanging: maybe"});
  expect_input_error({"regions_deg: {lumbar: {flexion: 30}}", "regions_deg: {[lumbar]: {flexion: 30}}",
                      "keyframes[1].regions_deg", "expected a name as key", "[lumbar]"});
}

// A syntax error names the line the user must edit (audit20): yaml-cpp reports an unclosed '{' or '['
// where it gave up, the next key or list item; the error names the bracket's own line and column.
TEST(ScenarioInput, AnUnclosedBracketIsNamedWhereItOpens) {
  expect_input_error({"regions_deg: {lumbar: {flexion: 30}}", "regions_deg: {lumbar: {flexion: 30}",
                      "", "the '{' at col 18 is never closed (a missing '}'", "regions_deg: {lumbar"});
  expect_input_error({"position: [0.35, -0.20, 0.18]", "position: [0.35, -0.20, 0.18",
                      "", "the '[' at col 30 is never closed (a missing ']'", "position: [0.35"});
  // A '{' inside a quoted string or a comment is not a bracket; a closed one before the error is not named.
  expect_input_error({"name: test_lift", "name: \"a {b\" # {c\nx: [1, 2\n", "", "the '[' at col 4 is never closed", "x: [1"});
  // The last line of a two-line file, not the line after it.
  const std::string two = parse_error("paraspine_scenario: 1\nname: [x\n", "two.yaml");
  EXPECT_EQ(two.rfind("two.yaml:2: YAML syntax error: the '[' at col 7 is never closed", 0), 0u) << two;
  EXPECT_NE(two.find("stopped at line 2"), std::string::npos) << two;
  // A missing ':' is reported by yaml-cpp on the next line; the message says where to look.
  const std::string colon = parse_error(edited("  - time: 3.0", "  - time 3.0"), "c.yaml");
  EXPECT_NE(colon.find("on this line or the one before"), std::string::npos) << colon;
}

// Three slips of hand (audit20): a quoted number is text in YAML (yaml-cpp converted it anyway); a
// NaN written as Python prints it gets the same message as YAML's .nan; a decimal comma in a flow
// map becomes a key "5", and the message says what it likely was.
TEST(ScenarioInput, QuotedNumbersNanTextAndDecimalCommasAreNamed) {
  expect_input_error({"repetitions: 2", "repetitions: \"2\"", "repetitions", "expected a number, got the quoted text \"2\"",
                      "repetitions:"});
  expect_input_error({"load_kg: 5}}\n  - time: 3.0", "load_kg: nan}}\n  - time: 3.0", "keyframes[1].hands.both.load_kg",
                      "must be finite, got 'nan'", "load_kg: nan"});
  expect_input_error({"load_kg: 5}}\n  - time: 3.0", "load_kg: 7,5}}\n  - time: 3.0", "keyframes[1].hands.both.5",
                      "a decimal comma? write 7.5, not 7,5", "load_kg: 7,5"});
}

TEST(ScenarioInput, DuplicateKeysAreErrors) {
  // yaml-cpp keeps both and a lookup returns the first: the second rate was silently ignored.
  expect_input_error({"output_rate_hz: 50", "output_rate_hz: 50\noutput_rate_hz: 10", "output_rate_hz",
                      "given twice (line 7 and here)", "output_rate_hz: 10"});
  expect_input_error({"regions_deg: {lumbar: {flexion: 30}}", "regions_deg: {lumbar: {flexion: 30, flexion: 10}}",
                      "keyframes[1].regions_deg.lumbar.flexion", "given twice", "flexion: 10"});
  expect_input_error({"regions_deg: {lumbar: {flexion: 30}}", "regions_deg: {lumbar: {flexion: 30}, lumbar: {}}",
                      "keyframes[1].regions_deg.lumbar", "given twice", "regions_deg"});
}

TEST(ScenarioInput, SubjectValuesAreCheckedWhereTheyAreWritten) {
  // Used to pass the parser and fail in scale_model without file, line or field (exit code 1).
  expect_input_error({"criterion: activation2", "criterion: activation2\nsubject: {body_mass: 70, strength_factor: 0}",
                      "subject.strength_factor", "must be in (0, 5]", "strength_factor"});
  expect_input_error({"criterion: activation2", "criterion: activation2\nsubject: {fatigue_rate_scale: 50}",
                      "subject.fatigue_rate_scale", "must be in (0, 10]", "fatigue_rate_scale"});
  expect_input_error({"criterion: activation2", "criterion: activation2\nsubject: {body_mass: -70}",
                      "subject.body_mass", "between 20 and 300 kg", "body_mass"});
  expect_input_error({"criterion: activation2", "criterion: activation2\nsubject: {sex: other}",
                      "subject.sex", "expected male or female", "sex: other"});
  // A subject that gives only some values keeps the model's reference for the rest (the body mass
  // too: it used to be demanded, with an error naming no line).
  const Scenario s = parse_scenario(edited("criterion: activation2", "criterion: activation2\nsubject: {height: 1.80}\npositions: scaled"), "ok.yaml");
  ASSERT_TRUE(s.subject.has_value());
  EXPECT_EQ(s.subject->body_mass, 0);
  EXPECT_EQ(s.subject->height, 1.80);
}

TEST(ScenarioInput, UnknownCriterionNamesTheLine) {
  // Used to surface at run time as "unknown criterion 'activation9' (...)", exit code 1.
  expect_input_error({"criterion: activation2", "criterion: activation9", "criterion", "unknown criterion 'activation9'",
                      "criterion: activation9"});
}

TEST(ScenarioInput, SubjectValueProblems) {
  EXPECT_EQ(subject_value_problem("body_mass", 70), "");
  EXPECT_NE(subject_value_problem("body_mass", std::nan("")), "");
  EXPECT_NE(subject_value_problem("height", 0.5), "");
  EXPECT_EQ(subject_value_problem("strength_factor", 5), "");
  EXPECT_NE(subject_value_problem("recovery_rate_scale", 0), "");
}

std::string override_error(const std::string& text, const std::string& o) {
  try {
    parse_scenario(apply_overrides(text, "lift.yaml", {o}), "lift.yaml (with --set)");
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ScenarioOverrides, MalformedPathsAreErrors) {
  // "keyframes[abc].time=0" used to set keyframes[0].time (atoi), "keyframes[1]time=2" keyframes[1].time.
  const std::string text = fixture();
  EXPECT_EQ(override_error(text, "keyframes[abc].time=0"), "--set: keyframes[abc].time: a list index is a whole number ≥ 0, got [abc]");
  EXPECT_EQ(override_error(text, "keyframes[1]time=2"), "--set: keyframes[1]time: expected '.' or '[' after 'keyframes[1]'");
  EXPECT_EQ(override_error(text, "keyframes[1]..time=2"), "--set: keyframes[1]..time: empty name in the path");
  EXPECT_EQ(override_error(text, "repetitions]=2"), "--set: repetitions]: unmatched ']'");
  EXPECT_EQ(override_error(text, "keyframes[7].time=2"), "--set: keyframes[7].time: no list element [7] in the scenario");
  EXPECT_EQ(override_error(text, "keyframes[1].time=2"), "accepted");
}

TEST(ScenarioOverrides, KeepTheFileItsCommentsAndItsLineNumbers) {
  const std::string text = fixture();
  // Errors in an overridden value name the line of the file (the emitter used to renumber and drop
  // the comments, so "repetitions" was reported at line 7, where the file has output_rate_hz).
  const std::string err = override_error(text, "repetitions=abc");
  EXPECT_EQ(err, "lift.yaml (with --set):" + std::to_string(line_of(text, "repetitions:")) +
                     ": repetitions: expected a number, got 'abc'");
  // A value that is not a plain word stays one value, also inside a flow mapping.
  EXPECT_NE(override_error(text, "keyframes[1].hands.both.load_kg=5, foo: 3").find("expected a number, got '5, foo: 3'"),
            std::string::npos);
  const std::string changed = apply_overrides(text, "lift.yaml", {"keyframes[1].hands.both.load_kg=12.5", "name=a: b"});
  EXPECT_NE(changed.find("# Synthetic test fixture"), std::string::npos);  // the sources stay
  EXPECT_NE(changed.find("{both: {position: [0.35, -0.20, 0.18], load_kg: 12.5}}"), std::string::npos) << changed;
  EXPECT_NE(changed.find("# with overrides: keyframes[1].hands.both.load_kg=12.5 name=a: b"), std::string::npos);
  const Scenario s = parse_scenario(changed, "lift.yaml");
  EXPECT_EQ(s.name, "a: b");
  EXPECT_EQ(s.keyframes[1].hands[0].load_kg, 12.5);
  EXPECT_EQ(s.keyframes[2].hands[0].load_kg, 5);
  EXPECT_EQ(std::count(changed.begin(), changed.end(), '\n'), std::count(text.begin(), text.end(), '\n') + 1);
  // Quoted values are replaced whole.
  const std::string quoted = edited("name: test_lift", "name: 'test ''lift'''");
  EXPECT_EQ(parse_scenario(apply_overrides(quoted, "q.yaml", {"name=other"}), "q.yaml").name, "other");
  const std::string dquoted = edited("name: test_lift", "name: \"test \\\" lift\"  # a comment");
  const std::string d2 = apply_overrides(dquoted, "q.yaml", {"name=other"});
  EXPECT_EQ(parse_scenario(d2, "q.yaml").name, "other");
  EXPECT_NE(d2.find("name: other  # a comment"), std::string::npos) << d2;
}

TEST(ScenarioSweepAxes, EveryValueIsCheckedBeforeTheGridRuns) {
  // Used to surface mid-sweep from scale_model or the parser as "sweep: subject body mass 2.500000 kg
  // is outside 20–300 kg" (exit 1, no option named), or not at all for a path varied twice.
  const Scenario base = parse_scenario(fixture(), "lift.yaml");
  auto error = [&](const std::vector<SweepAxis>& axes) -> std::string {
    try {
      check_sweep_axes(base, axes, "--vary");
    } catch (const InputError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error({{"subject.mass", {60, 2.5}}}), "--vary: subject.mass: must be between 20 and 300 kg, got 2.5");
  EXPECT_EQ(error({{"subject.strength", {1, 0}}}), "--vary: subject.strength: must be in (0, 5], got 0");
  EXPECT_EQ(error({{"subject.mass", {60}}, {"subject.body_mass", {70}}}),
            "--vary: subject.body_mass: varied twice: give all its values in one axis");
  EXPECT_EQ(error({{"repetitions", {2}}, {"repetitions", {3}}}), "--vary: repetitions: varied twice: give all its values in one axis");
  EXPECT_EQ(error({{"nosuch", {1}}}), "--vary: nosuch: the scenario has no 'nosuch' here (--vary changes existing values, it adds none)");
  EXPECT_NE(error({{"keyframes[1].hands.both.load_kg", {1, 500}}}).find(":" + std::to_string(line_of(fixture(), "load_kg: 5")) +
                                                                       ": keyframes[1].hands.both.load_kg: no person holds"),
            std::string::npos);
  EXPECT_EQ(error({{"subject.mass", {50, 90}}, {"keyframes[1].hands.both.load_kg", {2.5, 7.5}}}), "accepted");
  // One axis on several keyframes (the lift and the hold of a load): each value checked at each.
  EXPECT_EQ(error({{"keyframes[1,2].hands.both.load_kg", {2.5, 7.5}}}), "accepted");
  EXPECT_NE(error({{"keyframes[1, 2].hands.both.load_kg", {2.5, 500}}}).find("keyframes[1].hands.both.load_kg: no person holds"), std::string::npos);
  EXPECT_EQ(error({{"keyframes[1,2].hands.both.load_kg", {2}}, {"keyframes[2].hands.both.load_kg", {3}}}),
            "--vary: keyframes[2].hands.both.load_kg: varied twice: give all its values in one axis");
  EXPECT_EQ(error({{"keyframes[1,].hands.both.load_kg", {2}}}),
            "--vary: keyframes[1,].hands.both.load_kg: an empty index in [1,]: write e.g. [2,3]");
  EXPECT_EQ(error({{"keyframes[1,5].hands.both.load_kg", {2}}}).rfind("--vary: keyframes[5]", 0), 0u);
}

TEST(ScenarioSweepAxes, AnIndexListNamesSeveralPaths) {
  EXPECT_EQ(sweep_axis_paths("repetitions"), std::vector<std::string>{"repetitions"});
  EXPECT_EQ(sweep_axis_paths("keyframes[2].hands.both.load_kg"), std::vector<std::string>{"keyframes[2].hands.both.load_kg"});
  EXPECT_EQ(sweep_axis_paths("keyframes[2,3].hands.both.load_kg"),
            (std::vector<std::string>{"keyframes[2].hands.both.load_kg", "keyframes[3].hands.both.load_kg"}));
  EXPECT_EQ(sweep_axis_paths("external_forces[0, 1].points[1,2]"),
            (std::vector<std::string>{"external_forces[0].points[1]", "external_forces[0].points[2]", "external_forces[1].points[1]",
                                      "external_forces[1].points[2]"}));
}


TEST(ScenarioInput, ARunHasALengthAndMoreThanOneFrame) {
  // One keyframe with 'repetitions: 3' ran for 1 s and with 'rest_s: 5' for 5 s, lengths the file
  // never gave; output_rate_hz: 0.01 over 8 s made a single frame at t = 0, reported as the peak.
  const std::string one = "paraspine_scenario: 1\nname: one\nrepetitions: 3\nkeyframes:\n  - time: 0\n";
  EXPECT_EQ(parse_error(one, "one.yaml"),
            "one.yaml:5: keyframes: a single keyframe has no duration: add a second keyframe (a hold), e.g. {time: 10}");
  expect_input_error({"output_rate_hz: 50", "output_rate_hz: 0.01", "output_rate_hz",
                      "gives a single frame over the scenario's 8 s: use at least 0.125 Hz", "output_rate_hz"});
  EXPECT_NO_THROW(parse_scenario(edited("output_rate_hz: 50", "output_rate_hz: 0.125"), "ok.yaml"));
}


TEST(ScenarioInput, AHandWithAPositionDoesNotHang) {
  // 'position: [...], hanging: true' hung the arm and dropped the position without a word.
  expect_input_error({"position: [0.35, -0.20, 0.18], load_kg: 5}", "position: [0.35, -0.20, 0.18], load_kg: 5, hanging: true}",
                      "keyframes[1].hands.both.hanging", "a hand with a position does not hang", "load_kg: 5, hanging: true}"});
}


TEST(ScenarioInput, MergeKeysAreNamedAsUnsupported) {
  // '<<: *bent' was reported as "unknown key '<<' (allowed: time, ...)", as if a typo.
  expect_input_error({"  - time: 3.0", "  - <<: {label: x}\n    time: 3.0", "keyframes[2].<<", "YAML merge keys (<<: *anchor) are not read",
                      "<<: {label: x}"});
}


TEST(ScenarioInput, ASegmentRestsOnce) {
  // 'resting: [pelvis, pelvis]' made the support carry the pelvis's weight twice.
  expect_input_error({"  - time: 3.0", "  - time: 3.0\n    resting: [pelvis, L5, pelvis]", "keyframes[2].resting[2]",
                      "'pelvis' is listed twice", "resting: [pelvis, L5, pelvis]"});
}


TEST(ScenarioInput, KeyframesGivenAsAMappingAreNotMissing) {
  const std::string text = "paraspine_scenario: 1\nname: x\nkeyframes: {time: 0}\n";
  EXPECT_EQ(parse_error(text, "k.yaml"), "k.yaml:3: keyframes: expected a list of keyframes (- time: ...), at least two");
}


TEST(ScenarioInput, PelvisAnglesStayWithinAHalfTurn) {
  // pelvis_deg had no bound: {flexion: 1e9} ran with exit 0 and gave -1.5e15 N at L4-L5, and
  // {flexion: 300} (a typo for 30) turned the body 300° in 1.5 s with normal-looking loads.
  expect_input_error({"pelvis_deg: {flexion: 30}", "pelvis_deg: {flexion: 300}", "keyframes[1].pelvis_deg.flexion",
                      "300° is more than a half turn (limit ±180° per axis)", "pelvis_deg: {flexion: 300}"});
  expect_input_error({"pelvis_deg: {flexion: 30}", "pelvis_deg: {flexion: 30, axial_rotation: -1e6}", "keyframes[1].pelvis_deg.axial_rotation",
                      "more than a half turn", "axial_rotation: -1e6"});
  // The same angles under regions_deg.pelvis.
  expect_input_error({"pelvis_deg: {flexion: 30}\n    regions_deg: {lumbar: {flexion: 30}}", "regions_deg: {lumbar: {flexion: 30}, pelvis: {lateral_bending: -181}}",
                      "keyframes[1].regions_deg.pelvis.lateral_bending", "more than a half turn", "lateral_bending: -181"});
  // Other regions keep their range-of-motion check in bind_scenario, not this one.
  EXPECT_NO_THROW(parse_scenario(edited("pelvis_deg: {flexion: 30}", "pelvis_deg: {flexion: 180, lateral_bending: -180}"), "ok.yaml"));
}


TEST(ScenarioInput, FasterThanPeopleMoveIsNamed) {
  // 30° of lumbar flexion in 10 ms ran without a word (71 kN at L5-S1, 120 kN·m of reserves).
  const std::string fast =
      "paraspine_scenario: 1\nname: fast\noutput_rate_hz: 1000\nkeyframes:\n  - time: 0\n  - time: 0.01\n"
      "    regions_deg: {lumbar: {flexion: 30}}\n";
  EXPECT_EQ(implausible_speed(parse_scenario(fast, "fast.yaml")),
            "fast.yaml:7: keyframes[1].regions_deg.lumbar.flexion: changes at a mean 3000°/s between t = 0 s and 0.01 s, "
            "faster than people move their trunk (limit 1500°/s: collegiate pitchers' peak upper-torso rotation is "
            "1273 ± 142°/s); the loads are what that speed asks");
  // Back to 0 is a change too, named where the earlier keyframe gives the angle; joints_deg counts.
  const std::string back =
      "paraspine_scenario: 1\nname: back\noutput_rate_hz: 1000\nkeyframes:\n  - time: 0\n    joints_deg: {L4-L5: {flexion: 5}}\n  - time: 0.002\n";
  EXPECT_NE(implausible_speed(parse_scenario(back, "back.yaml")).find("back.yaml:6: keyframes[0].joints_deg.L4-L5.flexion: changes at a mean 2500°/s"),
            std::string::npos);
  // No bundled scenario moves that fast.
  for (const auto& e : std::filesystem::directory_iterator(std::string(PARASPINE_SOURCE_DIR) + "/scenarios")) {
    if (e.path().extension() != ".yaml") continue;
    EXPECT_EQ(implausible_speed(load_scenario(e.path().string())), "") << e.path();
  }
}

}  // namespace
}  // namespace paraspine
