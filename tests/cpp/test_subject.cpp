// Subject scaling follows the documented rule, and implausible subjects are refused.
#include <gtest/gtest.h>

#include "fixtures.h"
#include "sim/model/subject.h"

namespace paraspine {
namespace {

TEST(Subject, ScalesMassLengthAndStrength) {
  const Model m = test::mini_model();
  Subject s;
  s.body_mass = 2 * m.reference_body_mass;
  s.height = 1.1 * m.reference_height;
  s.strength_factor = 0.8;
  const Model k = scale_model(m, s);
  EXPECT_NEAR(k.total_mass(), 2 * m.total_mass(), 1e-12);
  EXPECT_NEAR(k.segment_com(1, 2), 1.1 * m.segment_com(1, 2), 1e-15);
  EXPECT_NEAR(k.segment_inertia[2](0, 0), m.segment_inertia[2](0, 0) * 2 * 1.21, 1e-12);
  EXPECT_NEAR(k.muscle_lopt[0], 1.1 * m.muscle_lopt[0], 1e-15);
  EXPECT_NEAR(k.muscle_fmax[0], m.muscle_fmax[0] * 2 / 1.1 * 0.8, 1e-9);  // mass/height × factor
  EXPECT_NEAR(k.arms[0].length, 1.1 * m.arms[0].length, 1e-15);
  EXPECT_EQ(k.segment_depth, m.segment_depth);
}

TEST(Subject, FemaleRedistributesMassByDeLevaFractions) {
  const Model m = load_model(test::default_model_path());
  ASSERT_EQ(m.reference_sex, "male");
  Subject s;
  s.sex = "female";
  const Model f = scale_model(m, s);
  for (int k = 0; k < m.nsegment; ++k) {
    const auto w = m.segment_de_leva.row(k);
    ASSERT_NEAR(w.sum(), 1.0, 1e-9) << m.segment_name[k] << " declares its de Leva regions";
    // Hand-computed ratios from de Leva 1996 Table 4 (F/M).
    const double expect = w[0] * 6.68 / 6.94 + w[1] * 15.45 / 15.96 + w[2] * 14.65 / 16.33 + w[3] * 12.47 / 11.17;
    EXPECT_NEAR(f.segment_mass[k] / m.segment_mass[k], expect, 1e-12) << m.segment_name[k];
  }
  EXPECT_NEAR(f.arms[0].mass / m.arms[0].mass, 4.49 / 4.94, 1e-12);
  // A woman's pelvis/lower trunk is relatively heavier, her upper trunk lighter (de Leva).
  EXPECT_GT(f.segment_mass[0], m.segment_mass[0]);
  EXPECT_LT(f.segment_mass[m.segment_index("thorax")], m.segment_mass[m.segment_index("thorax")]);
}

TEST(Subject, DefaultsToReferenceSubject) {
  const Model m = test::mini_model();
  const Model k = scale_model(m, Subject{});
  EXPECT_EQ(k.segment_mass, m.segment_mass);
  EXPECT_EQ(k.point_pos, m.point_pos);
  EXPECT_EQ(k.muscle_fmax, m.muscle_fmax);
}

TEST(Subject, RefusesImplausibleSubjects) {
  const Model m = test::mini_model();
  Subject s;
  s.body_mass = 5;
  EXPECT_THROW(scale_model(m, s), std::invalid_argument);
  s = Subject{};
  s.height = 3.1;
  EXPECT_THROW(scale_model(m, s), std::invalid_argument);
  s = Subject{};
  s.sex = "x";
  EXPECT_THROW(scale_model(m, s), std::invalid_argument);
}

}  // namespace
}  // namespace paraspine
