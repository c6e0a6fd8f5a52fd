// The passive trunk in vivo (docs/sources/passive_in_vivo.md): the per-muscle passive strain of the
// model format, and the full-spine model's passive extension moment against in vivo measurements.
// Each published comparison names its source and tolerance; the one calibration point (Dolan 1994,
// men, full flexion) is marked as such — it checks that the engine reproduces the generator.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "fixtures.h"
#include "sim/model/summary.h"
#include "sim/muscles/hill.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

std::string with_defaults(const std::string& extra) {
  std::string text = test::kMiniModel;
  const std::string anchor = "  all: {specific_tension: 1.0e6, type1_fraction: 0.6, source: \"synthetic test fixture\"}\n";
  const auto at = text.find(anchor);
  EXPECT_NE(at, std::string::npos);
  text.insert(at + anchor.size(), extra);
  return text;
}

TEST(PassiveStrain, DefaultIsDeGrooteAndTheCurveReachesF0AtItsStrain) {
  const Model m = test::mini_model();
  for (int i = 0; i < m.nmuscle; ++i) EXPECT_EQ(m.muscle_passive_strain[i], kDefaultPassiveStrain);
  for (double e0 : {0.6, 0.27, 0.1}) {
    EXPECT_NEAR(passive_force_length(1 + e0, nullptr, e0), 1.0, 1e-14);
    EXPECT_EQ(passive_force_length(1.0, nullptr, e0), 0.0);
    for (double l : {1.02, 1.1, 1.3}) {
      double df;
      passive_force_length(l, &df, e0);
      const double h = 1e-7;
      EXPECT_NEAR(df, (passive_force_length(l + h, nullptr, e0) - passive_force_length(l - h, nullptr, e0)) / (2 * h),
                  1e-6 * std::max(1.0, df));
    }
  }
  // A stiffer passive strain means more force at the same stretch.
  EXPECT_GT(passive_force_length(1.1, nullptr, 0.3), 2.5 * passive_force_length(1.1, nullptr, 0.6));
}

TEST(PassiveStrain, GroupAndMuscleValuesFromTheModelFile) {
  const Model m = parse_model(with_defaults("  longissimus: {passive_strain: 0.25, source: \"synthetic\"}\n"), "mini.yaml");
  EXPECT_EQ(m.muscle_passive_strain[m.muscle_index("erector_r")], 0.25);
  EXPECT_EQ(m.muscle_passive_strain[m.muscle_index("erector_l")], 0.25);
  EXPECT_EQ(m.muscle_passive_strain[m.muscle_index("flexor")], kDefaultPassiveStrain);
  // The muscle's own value wins over its group's.
  std::string text = with_defaults("  longissimus: {passive_strain: 0.25, source: \"synthetic\"}\n");
  const std::string anchor = "    pcsa: 5.0e-4\n";
  text.insert(text.find(anchor) + anchor.size(), "    passive_strain: 0.4\n");
  const Model k = parse_model(text, "mini.yaml");
  EXPECT_EQ(k.muscle_passive_strain[k.muscle_index("flexor")], 0.4);
}

TEST(PassiveStrain, BadValuesAndUnknownSubdivisionsAreErrorsNamingTheField) {
  try {
    parse_model(with_defaults("  longissimus/nowhere: {passive_strain: 0.3, source: \"synthetic\"}\n"), "mini.yaml");
    FAIL() << "an unknown group/subdivision key must be an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("muscle_defaults.longissimus/nowhere"), std::string::npos) << e.what();
  }
  try {
    parse_model(with_defaults("  longissimus: {passive_strain: -0.3, source: \"synthetic\"}\n"), "mini.yaml");
    FAIL() << "a negative passive strain must be an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("passive_strain"), std::string::npos) << e.what();
  }
  try {
    parse_model(with_defaults("  longissimus: {passive_strain: 0.3}\n"), "mini.yaml");
    FAIL() << "a passive strain without its source must be an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("source"), std::string::npos) << e.what();
  }
}

TEST(PassiveStrain, FullSpineGivesItToTheLumbarExtensorsOnly) {
  const Model& m = test::full_spine();
  int stiff = 0;
  for (int i = 0; i < m.nmuscle; ++i) {
    const auto& g = m.muscle_group[i];
    const auto& s = m.muscle_subdivision[i];
    const bool lumbar_extensor = (g == "iliocostalis" && s == "lumborum_pars_lumborum") ||
                                 (g == "longissimus" && s == "thoracis_pars_lumborum") ||
                                 (g == "multifidus" && s == "lumbar");
    if (lumbar_extensor) {
      EXPECT_LT(m.muscle_passive_strain[i], kDefaultPassiveStrain) << m.muscle_name[i];
      ++stiff;
    } else if (g == "intercostales") {
      // Their passive force is switched off, not stiffened: the thoracic joint laws already hold the
      // rib cage (docs/sources/intercostals.md).
      EXPECT_LT(passive_force_length(1.5, nullptr, m.muscle_passive_strain[i]), 1e-7) << m.muscle_name[i];
    } else {
      EXPECT_EQ(m.muscle_passive_strain[i], kDefaultPassiveStrain) << m.muscle_name[i];
    }
  }
  EXPECT_GE(stiff, 60);  // both sides
  // `paraspine model info` lists them.
  const auto j = model_summary(m);
  EXPECT_EQ(j["passive_strain"]["default"].get<double>(), kDefaultPassiveStrain);
  ASSERT_TRUE(j["passive_strain"]["other"].contains("multifidus/lumbar"));
  EXPECT_LT(j["passive_strain"]["other"]["multifidus/lumbar"]["passive_strain"].get<double>(), kDefaultPassiveStrain);
  EXPECT_NE(model_summary_text(m).find("multifidus/lumbar"), std::string::npos);
}

// Passive extension moment (N·m, + extends) at a joint's flexion rotation with the lumbar region
// flexed by `lumbar_deg`, standing otherwise neutral: the joint's moment–angle law and the
// passive fibre force of every muscle times its moment arm. `muscles_only_default` recomputes the
// muscle part with De Groote's default strain for every fascicle (the model before this change).
struct PassiveMoment {
  double law = 0, muscles = 0;
  double total() const { return law + muscles; }
};

PassiveMoment passive_extension(const Model& m, double lumbar_deg, const std::string& joint) {
  Data d(m);
  Posture p = neutral_posture(m);
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(lumbar_deg);
  set_static_posture(m, p, d);
  evaluate_frame(m, d);
  const int k = 3 * m.joint_index(joint) + kFlexion;
  PassiveMoment out;
  out.law = -m.dof_passive[k].moment(d.q[k]);
  out.muscles = -(d.moment_arm.row(k).dot(d.force_passive));
  return out;
}

// Calibration point (not an independent comparison): the generator solves the lumbar extensors'
// passive strain so that the whole passive moment at full in vivo lumbar flexion (54°, Kippers &
// Parker 1984: 48° = 89 % of maximum), at the lumbar level that carries the most, equals the in vivo
// passive moment of men at full flexion, 120 N·m (Dolan, Mannion & Adams 1994, J Biomech 27:1077,
// abstract). The engine must reproduce the generator's Python computation (finite-difference moment
// arms) to 1 %, and the in vitro law alone must stay the fifth it was (25.2 N·m at L5-S1).
TEST(PassiveInVivo, FullFlexionMatchesDolan1994Men_Calibration) {
  const Model& m = test::full_spine();
  double most = 0;
  std::string where;
  for (const char* j : {"L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"}) {
    const PassiveMoment pm = passive_extension(m, 54, j);
    if (pm.total() > most) most = pm.total(), where = j;
  }
  EXPECT_NEAR(most, 120.0, 1.2) << where;
  EXPECT_NEAR(passive_extension(m, 54, "L5-S1").law, 25.2, 0.1);
}

// Independent in vivo check near neutral: passive lumbar flexion stiffness in the low-stiffness zone
// is 0.0 ± 0.1 N·m per % of the passive range (Beach et al. 2005, side-lying, 12 adults, via the
// meta-analysis table of Watt, Callaway & Williams 2022, Med Biol Eng Comput 60:2133 [V]). The model's
// stiffness from neutral to 20 % of full flexion (0 → 10.8°) must stay within mean + 2 SD, 0.2 N·m/%:
// the stiff lumbar extensors must not tighten the upright trunk.
TEST(PassiveInVivo, NearNeutralTheTrunkStaysLaxAsBeach2005) {
  for (const char* j : {"L5-S1", "L4-L5"}) {
    const double m0 = passive_extension(test::full_spine(), 0, j).total();
    const double m20 = passive_extension(test::full_spine(), 0.2 * 54, j).total();
    const double stiffness = (m20 - m0) / 20.0;  // N·m per % of full flexion
    EXPECT_LT(std::abs(stiffness), 0.2) << j << ": " << m0 << " → " << m20 << " N·m";
  }
}

// The passive share rises steeply only in the last part of the range: in vivo the passive bending
// moment rises exponentially once the trunk is flexed past about half of its range (Adams & Dolan
// 1991; Dolan et al. 1994, as cited in a stored scite excerpt [V, citation statement only]). Checked
// as a shape: at half of full flexion the model's passive moment at L5-S1 is below a fifth of its
// value at full flexion.
TEST(PassiveInVivo, PassiveMomentRisesInTheLastHalfOfTheRange) {
  const double half = passive_extension(test::full_spine(), 27, "L5-S1").total();
  const double end = passive_extension(test::full_spine(), 54, "L5-S1").total();
  EXPECT_LT(half, 0.2 * end) << half << " vs " << end;
  EXPECT_GT(half, 0.0);
}

}  // namespace
}  // namespace paraspine
