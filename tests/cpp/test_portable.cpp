// Bundled scenarios across subjects and models (session-11 review F6, F12, F13; docs/scenarios.md,
// "Positions" and "Running on another model").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/model/subject.h"
#include "sim/scenario/scenario.h"

namespace paraspine {
namespace {

int line_count(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

const Model& lumbar() {
  static const Model m = load_model(resolve_model_path("lumbar"));
  return m;
}

Subject person(double height, const char* sex, double mass) {
  Subject s;
  s.height = height, s.sex = sex, s.body_mass = mass;
  return s;
}

Vec3 hand_at(const BoundScenario& b, int hand, double t) {
  Vec3 x;
  for (int c = 0; c < 3; ++c) {
    double y, yd, ydd;
    b.hand_position[hand][c].evaluate(t, y, yd, ydd);
    x[c] = y;
  }
  return x;
}

// positions: scaled multiplies every length by subject height / the model file's reference height,
// about the pelvis origin; absolute keeps them. The reach check sees the scaled hand.
TEST(Positions, ScaledMultipliesEveryLengthByTheHeightRatio) {
  const Scenario s = load_scenario("rounded_back_lift");
  EXPECT_EQ(s.positions, "scaled");
  const Model& ref = test::full_spine();
  const Model m = scale_model(ref, person(1.50, "female", 55));
  const double k = 1.50 / ref.reference_height;
  EXPECT_NEAR(m.length_scale, k, 1e-15);
  EXPECT_NEAR(scale_model(m, person(1.95, "male", 90)).length_scale, 1.95 / ref.reference_height, 1e-12);  // products, re-scaled
  const BoundScenario b = bind_scenario(s, m);
  EXPECT_NEAR(b.length_scale, k, 1e-15);
  for (size_t kf = 0; kf < s.keyframes.size(); ++kf) {
    for (int h = 0; h < 2; ++h) {
      if (!s.keyframes[kf].hands[h].hanging) {
        EXPECT_LT((hand_at(b, h, s.keyframes[kf].time) - k * s.keyframes[kf].hands[h].position).norm(), 1e-12) << kf;
      }
    }
    EXPECT_LT((b.postures[kf].pelvis_position - k * s.keyframes[kf].pelvis_position).norm(), 1e-15) << kf;
  }
  // The same posture angles: geometric similarity changes lengths, not angles.
  const BoundScenario b_ref = bind_scenario(s, ref);
  for (size_t kf = 0; kf < s.keyframes.size(); ++kf)
    EXPECT_LT((b.postures[kf].region_angles - b_ref.postures[kf].region_angles).norm(), 1e-15);
  // At the reference height nothing changes (validation scenarios, bundled runs without --subject).
  EXPECT_EQ(b_ref.length_scale, 1.0);
  EXPECT_EQ(hand_at(b_ref, 0, 2.5), s.keyframes[2].hands[0].position);

  // absolute: today's numbers, and a 1.50 m woman cannot reach the box.
  const Scenario a = parse_scenario(s.text + "positions: absolute\n", s.file);
  EXPECT_EQ(a.positions, "absolute");
  try {
    bind_scenario(a, m);
    ADD_FAILURE() << "a 1.50 m subject reached the absolute grip";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("beyond the arm's"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("positions: scaled"), std::string::npos) << e.what();
  }
  const BoundScenario ba = bind_scenario(a, scale_model(ref, person(1.80, "male", 80)));
  EXPECT_EQ(ba.length_scale, 1.0);
  EXPECT_EQ(hand_at(ba, 0, 2.5), s.keyframes[2].hands[0].position);
}

// Both bundled lifts bind (ranges, reach) for short and tall subjects of both sexes with scaled
// positions; with absolute ones the short subject cannot reach (the review's finding F6).
TEST(Positions, BundledLiftsBindFrom150To195Metres) {
  for (const char* name : {"rounded_back_lift", "squat_lift"}) {
    const Scenario s = load_scenario(name);
    for (double h : {1.50, 1.95})
      for (const char* sex : {"female", "male"})
        EXPECT_NO_THROW(bind_scenario(s, scale_model(test::full_spine(), person(h, sex, h < 1.7 ? 50 : 100)))) << name << " " << h << " " << sex;
    const Scenario a = parse_scenario(s.text + "positions: absolute\n", s.file);
    // rounded_back_lift's grip is out of an absolute 1.50 m subject's reach, squat_lift's (closer) of 1.40 m.
    const double short_height = std::string(name) == "squat_lift" ? 1.40 : 1.50;
    EXPECT_THROW(bind_scenario(a, scale_model(test::full_spine(), person(short_height, "female", 50))), InputError) << name;
    EXPECT_NO_THROW(bind_scenario(s, scale_model(test::full_spine(), person(short_height, "female", 50)))) << name;
  }
}

// Balance supports and points on segments scale too (bird_dog: a hand on the floor, a knee pivot).
TEST(Positions, ForcePointsPivotsAndLowerBodyScale) {
  const Scenario s = load_scenario("bird_dog");
  const Model m = scale_model(test::full_spine(), person(1.60, "female", 60));
  const double k = m.length_scale;
  const BoundScenario b = bind_scenario(s, m);
  ASSERT_EQ(b.forces.size(), s.forces.size());
  for (size_t i = 0; i < s.forces.size(); ++i) {
    EXPECT_LT((b.forces[i].spec.point - k * s.forces[i].point).norm(), 1e-15);
    if (s.forces[i].kind != ScenarioForce::Kind::kBalance) continue;
    EXPECT_LT((b.forces[i].spec.pivot - k * s.forces[i].pivot).norm(), 1e-15);
    EXPECT_LT((b.forces[i].spec.value - k * s.forces[i].value).norm(), 1e-15);  // lower_body_com
    double y, yd, ydd;
    b.forces[i].value[1].evaluate(0, y, yd, ydd);
    EXPECT_NEAR(y, k * s.forces[i].value[1], 1e-12);
  }
}

// A file that gives its subject's height and positions must say which subject they are for.
TEST(Positions, SubjectHeightWithPositionsNeedsTheSetting) {
  const Scenario s = load_scenario("squat_lift");
  const std::string text = s.text + "subject: {height: 1.60, body_mass: 60, sex: female}\n";
  try {
    parse_scenario(text, "mine.yaml");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "subject.height");
    EXPECT_EQ(e.line(), line_count(s.text) + 1);
    EXPECT_NE(std::string(e.what()).find("positions: absolute"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse_scenario(text + "positions: absolute\n", "mine.yaml").positions, "absolute");
  EXPECT_EQ(parse_scenario(text + "positions: scaled\n", "mine.yaml").positions, "scaled");
  // No height (body mass only, as the validation scenarios): the reference height, nothing to choose.
  EXPECT_NO_THROW(parse_scenario(s.text + "subject: {body_mass: 60}\n", "mine.yaml"));
  try {
    parse_scenario(s.text + "positions: relative\n", "mine.yaml");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "positions");
  }
  // --set adds it (a defaulted top-level setting).
  EXPECT_EQ(parse_scenario(apply_overrides(s.text, s.file, {"positions=absolute"}), s.file).positions, "absolute");
}

// Values a subject leaves unset are the base subject's (F12: --subject height=1.8 on a 60 kg woman).
TEST(Subject, MergeKeepsTheUnsetValues) {
  Subject base = person(1.60, "female", 60);
  base.strength_factor = 0.8;
  Subject over;
  over.height = 1.80;
  const Subject m = merge_subject(base, over);
  EXPECT_EQ(m.height, 1.80);
  EXPECT_EQ(m.body_mass, 60);
  EXPECT_EQ(m.sex, "female");
  EXPECT_EQ(m.strength_factor, 0.8);
  over.sex = "male", over.strength_factor = 0.5, over.body_mass = 90;
  const Subject n = merge_subject(base, over);
  EXPECT_EQ(n.sex, "male");
  EXPECT_EQ(n.body_mass, 90);
  EXPECT_EQ(n.strength_factor, 0.5);
}

// F13: a full_spine scenario on the lumbar model: head and cervical dropped, the thoracic angle
// carried to T12-L1 by full_spine's rhythm (the rest lies in lumbar's rigid thorax).
TEST(OtherModel, FullSpineLiftsBindOnLumbar) {
  const Model& fs = test::full_spine();
  for (const char* name : {"rounded_back_lift", "squat_lift", "twisting_lift"}) {
    const Scenario s = load_scenario(name);
    const BoundScenario b = bind_scenario(s, lumbar());
    ASSERT_FALSE(b.dropped.empty()) << name;
    EXPECT_EQ(b.dropped[0].rfind("thoracic except its share at T12-L1", 0) == 0 || b.dropped[0] == "head", true) << b.dropped[0];
    // On its own model nothing is dropped.
    EXPECT_TRUE(bind_scenario(s, fs).dropped.empty()) << name;
  }
  const Scenario s = load_scenario("rounded_back_lift");
  const BoundScenario b = bind_scenario(s, lumbar());
  const Model& lm = lumbar();
  Eigen::VectorXd q(lm.ndof);
  posture_to_angles(lm, b.postures[1], q);  // keyframe 1: thoracic flexion 15°, lumbar 36°
  const int t12 = lm.joint_index("T12-L1");
  const double share = fs.rhythm(fs.dof(fs.joint_index("T12-L1"), kFlexion), 3 * fs.region_index("thoracic") + kFlexion);
  EXPECT_GT(share, 0.05);
  EXPECT_LT(share, 0.5);
  EXPECT_NEAR(q[lm.dof(t12, kFlexion)], share * deg2rad(15), 1e-12);
  // The lumbar region keeps lumbar's own rhythm: its angles sum to the region's 36°.
  double lumbar_sum = 0;
  for (const char* j : {"L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"}) lumbar_sum += q[lm.dof(lm.joint_index(j), kFlexion)];
  EXPECT_NEAR(lumbar_sum, deg2rad(36), 1e-9);
}

TEST(OtherModel, AMisspeltRegionIsStillAnError) {
  const Scenario s = load_scenario("squat_lift");
  const std::string typo = replace_first(s.text, "head: {flexion: -10}", "haed: {flexion: -10}");
  const Scenario t = parse_scenario(typo, s.file);
  for (const Model* m : {&lumbar(), &test::full_spine()}) {
    try {
      bind_scenario(t, *m);
      ADD_FAILURE() << "a misspelt region passed on " << m->name;
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), "keyframes[1].regions_deg.haed.flexion");
      EXPECT_EQ(e.line(), line_count(typo.substr(0, typo.find("haed"))) + 1);
      EXPECT_NE(std::string(e.what()).find("unknown region 'haed'"), std::string::npos) << e.what();
    }
  }
}

// A force on a segment lumbar lumps stays an error, and says why.
TEST(OtherModel, AForceOnALumpedSegmentIsAnErrorThatSaysSo) {
  const Scenario s = load_scenario("backpack_carry");
  try {
    bind_scenario(s, lumbar());
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown segment 'T8' (the scenario was written for model 'full_spine'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace paraspine
