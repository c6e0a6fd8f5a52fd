// Malformed scenario files as users write them: every mistake is an InputError naming the file,
// the line and the field — never a yaml-cpp exception without a place, never silently accepted.
#include <gtest/gtest.h>

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

TEST(ScenarioInput, WrongTypesAreNamedNotYamlCppErrors) {
  // `hanging: maybe` used to escape as "yaml-cpp: error at line 12, column 29: bad conversion".
  expect_input_error({"hands: {both: {hanging: true}}", "hands: {both: {hanging: maybe}}",
                      "keyframes[0].hands.both.hanging", "expected true or false", "hanging: maybe"});
  expect_input_error({"regions_deg: {lumbar: {flexion: 30}}", "regions_deg: {[lumbar]: {flexion: 30}}",
                      "keyframes[1].regions_deg", "expected a name as key", "[lumbar]"});
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
  const Scenario s = parse_scenario(edited("criterion: activation2", "criterion: activation2\nsubject: {height: 1.80}"), "ok.yaml");
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

}  // namespace
}  // namespace paraspine
