// A subject by population percentile: the table's values (docs/sources/anthropometric_percentiles.md,
// Fryar et al. 2025 Tables 3 and 7, "20 and older"), linear between tabulated percentiles, refused
// outside them, and a subject that gives a percentile gets exactly those height and mass.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <stdexcept>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/model/anthropometry.h"
#include "sim/model/subject.h"
#include "sim/model/summary.h"
#include "sim/scenario/scenario.h"

namespace paraspine {
namespace {

TEST(Anthropometry, TabulatedPercentilesAreTheReportsValues) {
  // Table 7 (cm) and Table 3 (kg), rows "20 and older", percentiles 5, 50, 95.
  struct Row {
    const char* sex;
    double p, height_cm, mass_kg;
  };
  const Row rows[] = {{"male", 5, 162.2, 60.9},    {"male", 50, 175.2, 86.6},    {"male", 95, 187.2, 131.8},
                      {"female", 5, 149.6, 50.7},  {"female", 50, 161.2, 73.5},  {"female", 95, 172.5, 119.2},
                      {"male", 25, 170.0, 75.4},   {"female", 75, 166.1, 89.2}};
  for (const Row& r : rows) {
    const PercentileBody b = percentile_body(r.sex, r.p);
    EXPECT_DOUBLE_EQ(b.height_m, r.height_cm / 100) << r.sex << " " << r.p;
    // Exactly the double nearest the printed value in m, so summaries print 1.622, not 1.6219999999999999.
    EXPECT_EQ(b.height_m, std::stod(fmt::format("{:.3f}", r.height_cm / 100))) << r.sex << " " << r.p;
    EXPECT_DOUBLE_EQ(b.body_mass_kg, r.mass_kg) << r.sex << " " << r.p;
  }
}

TEST(Anthropometry, BetweenTabulatedPercentilesItIsLinearInThePercentile) {
  // 20 is halfway between the 15th and 25th; 60 two fifths of the way from the 50th to the 75th.
  const PercentileBody m20 = percentile_body("male", 20);
  EXPECT_NEAR(m20.height_m, (167.5 + 170.0) / 2 / 100, 1e-12);
  EXPECT_NEAR(m20.body_mass_kg, (70.0 + 75.4) / 2, 1e-12);
  const PercentileBody f60 = percentile_body("female", 60);
  EXPECT_NEAR(f60.height_m, (161.2 + 0.4 * (166.1 - 161.2)) / 100, 1e-12);
  EXPECT_NEAR(f60.body_mass_kg, 73.5 + 0.4 * (89.2 - 73.5), 1e-12);
  // Monotone over the whole range, for both sexes and both columns.
  for (const char* sex : {"male", "female"}) {
    PercentileBody last = percentile_body(sex, 5);
    for (double p = 5.5; p <= 95; p += 0.5) {
      const PercentileBody b = percentile_body(sex, p);
      EXPECT_GT(b.height_m, last.height_m) << sex << " " << p;
      EXPECT_GT(b.body_mass_kg, last.body_mass_kg) << sex << " " << p;
      last = b;
    }
  }
}

TEST(Anthropometry, OutsideTheTableItIsRefusedNotExtrapolated) {
  for (const double p : {4.9, 1.0, 96.0, 99.0, 0.0, -5.0, std::nan("")}) {
    EXPECT_THROW(percentile_body("female", p), std::invalid_argument) << p;
    EXPECT_FALSE(subject_value_problem("percentile", p).empty()) << p;
  }
  EXPECT_NE(subject_value_problem("percentile", 99).find("between 5 and 95"), std::string::npos);
  EXPECT_EQ(subject_value_problem("percentile", 5), "");
  EXPECT_EQ(subject_value_problem("percentile", 95), "");
  EXPECT_THROW(percentile_body("", 50), std::invalid_argument);
  EXPECT_EQ(percentile_name(5, "female"), "5th percentile female");
  EXPECT_EQ(percentile_name(21, "male"), "21st percentile male");
  EXPECT_EQ(percentile_name(12.5, "male"), "12.5th percentile male");
}

TEST(Anthropometry, ScaleModelUsesTheTableAndRecordsThePercentile) {
  const Model m = load_model(test::default_model_path());
  Subject s;
  s.percentile = 5;
  s.sex = "female";
  const Model k = scale_model(m, s);
  EXPECT_DOUBLE_EQ(k.reference_height, 1.496);
  EXPECT_DOUBLE_EQ(k.reference_body_mass, 50.7);
  EXPECT_EQ(k.reference_sex, "female");
  EXPECT_EQ(k.reference_percentile, 5);
  const auto j = subject_summary(k);
  EXPECT_EQ(j["percentile"].get<double>(), 5);
  EXPECT_NE(j["anthropometric_table"].get<std::string>().find("NHANES 2021-2023"), std::string::npos);
  // A subject without a percentile: no such keys, as before.
  EXPECT_FALSE(subject_summary(m).contains("percentile"));
  Subject measured;
  measured.height = 1.70;
  EXPECT_EQ(scale_model(k, measured).reference_percentile, 0);
  // Without a sex the table has no column to read.
  Subject nosex;
  nosex.percentile = 50;
  EXPECT_THROW(scale_model(m, nosex), std::invalid_argument);
}

TEST(Anthropometry, MergeFollowsWhatTheLaterSubjectGives) {
  Subject base;
  base.percentile = 5;
  base.sex = "female";
  apply_percentile(base);
  Subject sex_only;
  sex_only.sex = "male";
  const Subject a = merge_subject(base, sex_only);  // the same percentile, the male column
  EXPECT_EQ(a.percentile, 5);
  EXPECT_DOUBLE_EQ(a.height, 1.622);
  EXPECT_DOUBLE_EQ(a.body_mass, 60.9);
  Subject height_only;
  height_only.height = 1.70;
  const Subject b = merge_subject(base, height_only);  // a measured height: no longer the table's
  EXPECT_EQ(b.percentile, 0);
  EXPECT_DOUBLE_EQ(b.height, 1.70);
  EXPECT_DOUBLE_EQ(b.body_mass, 50.7);
  Subject plain;
  plain.height = 1.8;
  plain.body_mass = 90;
  plain.sex = "male";
  Subject p95;
  p95.percentile = 95;
  const Subject c = merge_subject(plain, p95);  // a percentile over measured values, in base's sex
  EXPECT_DOUBLE_EQ(c.height, 1.872);
  EXPECT_DOUBLE_EQ(c.body_mass, 131.8);
}

std::string fixture() {
  std::ifstream in(std::string(PARASPINE_SOURCE_DIR) + "/tests/data/test_lift.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string with_subject(const std::string& subject) {
  std::string text = fixture();
  const std::string from = "criterion: activation2";
  return text.replace(text.find(from), from.size(), from + "\n" + subject);
}

// The error a scenario text gives (field and line), or fails the test if it is accepted.
InputError error_of(const std::string& text) {
  try {
    parse_scenario(text, "p.yaml");
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return InputError("", 0, "", "");
}

TEST(Anthropometry, ScenarioSubjectBlockTakesAPercentile) {
  const Scenario s = parse_scenario(with_subject("subject: {percentile: 95, sex: male}\npositions: scaled"), "p.yaml");
  ASSERT_TRUE(s.subject.has_value());
  EXPECT_EQ(s.subject->percentile, 95);
  EXPECT_DOUBLE_EQ(s.subject->height, 1.872);
  EXPECT_DOUBLE_EQ(s.subject->body_mass, 131.8);

  // Refused with file, line and field: out of range, no sex, with a height or mass, no positions.
  const InputError range = error_of(with_subject("subject: {percentile: 99, sex: male}\npositions: scaled"));
  EXPECT_EQ(range.field(), "subject.percentile");
  EXPECT_EQ(range.line(), 7);  // the subject line, after the fixture's six
  EXPECT_NE(std::string(range.what()).find("between 5 and 95"), std::string::npos) << range.what();
  const InputError nosex = error_of(with_subject("subject: {percentile: 50}\npositions: scaled"));
  EXPECT_EQ(nosex.field(), "subject.percentile");
  EXPECT_NE(std::string(nosex.what()).find("needs subject.sex"), std::string::npos) << nosex.what();
  const InputError both = error_of(with_subject("subject: {percentile: 50, sex: female, height: 1.7}\npositions: scaled"));
  EXPECT_EQ(both.field(), "subject.percentile");
  EXPECT_NE(std::string(both.what()).find("not both"), std::string::npos) << both.what();
  // A percentile sets a height: the file's hand positions must say which subject they are for.
  const InputError positions = error_of(with_subject("subject: {percentile: 50, sex: female}"));
  EXPECT_EQ(positions.field(), "subject.percentile");
  EXPECT_NE(std::string(positions.what()).find("positions: absolute"), std::string::npos) << positions.what();
}

TEST(Anthropometry, SweepAxisNeedsASexAndNoHeightOrMassAxis) {
  const Scenario with_sex = parse_scenario(with_subject("subject: {sex: female}"), "p.yaml");
  EXPECT_NO_THROW(check_sweep_axes(with_sex, {{"subject.percentile", {5, 50, 95}}}, "--vary"));
  EXPECT_THROW(check_sweep_axes(with_sex, {{"subject.percentile", {5, 99}}}, "--vary"), InputError);
  EXPECT_THROW(check_sweep_axes(with_sex, {{"subject.percentile", {5}}, {"subject.mass", {70}}}, "--vary"), InputError);
  const Scenario without = parse_scenario(fixture(), "p.yaml");
  try {
    check_sweep_axes(without, {{"subject.percentile", {50}}}, "--vary");
    ADD_FAILURE() << "a percentile axis without a sex was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "subject.percentile");
    EXPECT_NE(std::string(e.what()).find("needs the subject's sex"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace paraspine
