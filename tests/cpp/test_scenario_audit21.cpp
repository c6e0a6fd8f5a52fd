// audit21a (an ergonomist's acceptance audit): the reach error says where the shoulder is and where
// the hand can go, in the file's own frame and units, which hand of hands.both failed, and where the
// floor is (F5, F11a); angles that look like radians draw a warning (F11b); --set takes index lists
// and whole lists as sweep --vary does (F9).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/common/yaml_reader.h"
#include "sim/model/subject.h"
#include "sim/scenario/scenario.h"

namespace paraspine {
namespace {

namespace fs = std::filesystem;

// A two-keyframe hold on full_spine, the second keyframe's hands written as `hands` (line 6, after
// `top`'s lines and `angles`'s).
std::string hold(const std::string& hands, const std::string& top = "", const std::string& angles = "") {
  return "paraspine_scenario: 1\nname: reach\n" + top + "keyframes:\n  - time: 0\n" + angles + "  - time: 1\n    hands: " + hands + "\n";
}

std::string bind_error(const std::string& text, const std::string& file, const Model& m) {
  try {
    bind_scenario(parse_scenario(text, file), m);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

// The first "[x, y, z]" after `after` in `msg`, as the text "[x, y, z]".
std::string point_after(const std::string& msg, const std::string& after) {
  const auto at = msg.find(after);
  if (at == std::string::npos) return "";
  std::smatch match;
  const std::string rest = msg.substr(at + after.size());
  if (!std::regex_search(rest, match, std::regex(R"(\[-?[0-9.]+, -?[0-9.]+, -?[0-9.]+\])"))) return "";
  return match.str();
}

TEST(ScenarioAudit21, ReachErrorGivesTheShoulderTheNearestPointAndTheFloor) {
  const Model& m = test::full_spine();
  const std::string text = hold("{right: {position: [0.75, -0.45, 0.25], load_kg: 5}}");
  const std::string msg = bind_error(text, "r.yaml", m);
  // File, line and field first, as every scenario error.
  EXPECT_EQ(msg.rfind("r.yaml:6: keyframes[1].hands.right.position: the hand is ", 0), 0u) << msg;
  EXPECT_NE(msg.find("from the shoulder, beyond the arm's 0.619 m reach (+5 %: 0.650 m)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("The right shoulder is at ["), std::string::npos) << msg;
  EXPECT_NE(msg.find("Positions are metres from the pelvis origin in relaxed standing, [forward, up, right]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("the floor is at up = -0.930 m"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("centimetres"), std::string::npos) << msg;
  // The nearest point is reachable: written into the file, the scenario binds.
  const std::string nearest = point_after(msg, "the nearest point within reach on the line from it to the hand is ");
  ASSERT_FALSE(nearest.empty()) << msg;
  EXPECT_EQ(bind_error(hold("{right: {position: " + nearest + ", load_kg: 5}}"), "r.yaml", m), "accepted") << nearest;
  // It lies on the line from the shoulder to the hand, at the arm's length (0.619 m) from the shoulder.
  const std::string shoulder = point_after(msg, "The right shoulder is at ");
  auto vec = [](const std::string& t) {
    Vec3 v;
    std::sscanf(t.c_str(), "[%lf, %lf, %lf]", &v.x(), &v.y(), &v.z());
    return v;
  };
  const Vec3 s = vec(shoulder), n = vec(nearest), h(0.75, -0.45, 0.25);
  EXPECT_NEAR((n - s).norm(), m.arms[0].length, 2e-3) << shoulder << " " << nearest;
  EXPECT_LT((n - s).normalized().cross((h - s).normalized()).norm(), 5e-3) << shoulder << " " << nearest;
}

TEST(ScenarioAudit21, ReachErrorNamesTheMirroredLeftHandOfBoth) {
  const Model& m = test::full_spine();
  // Thorax turned to the left: the right shoulder comes forward and the right hand reaches, the left
  // shoulder goes back and the mirrored left hand does not.
  const std::string angles = "    regions_deg: {thoracic: {axial_rotation: -40}}\n";
  const std::string both = "{both: {position: [0.5, 0.1, 0.3]}}";
  const std::string msg = bind_error(hold(both, "", angles) + angles, "b.yaml", m);
  EXPECT_EQ(msg.rfind("b.yaml:7: keyframes[1].hands.both.position: the hand is ", 0), 0u) << msg;
  EXPECT_NE(msg.find("(+5 %: 0.650 m) — the left hand of hands.both, the mirror of the given position: [0.500, 0.100, -0.300]. "),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("The left shoulder is at ["), std::string::npos) << msg;
  // The value to give hands.both for the left hand to reach: it binds.
  const std::string fix = point_after(msg, "(hands.both.position ");
  ASSERT_FALSE(fix.empty()) << msg;
  EXPECT_EQ(bind_error(hold("{both: {position: " + fix + "}}", "", angles) + angles, "b.yaml", m), "accepted") << fix;
  // The right hand of hands.both out of reach is named too.
  const std::string right = bind_error(hold("{both: {position: [0.9, -0.3, 0.2]}}"), "b.yaml", m);
  EXPECT_NE(right.find("hands.both.position: the hand is "), std::string::npos) << right;
  EXPECT_NE(right.find("(+5 %: 0.650 m) — the right hand of hands.both. The right shoulder is at ["), std::string::npos) << right;
  EXPECT_EQ(right.find("(hands.both.position "), std::string::npos) << right;  // the right hand's is the given one
}

TEST(ScenarioAudit21, ReachErrorFrameFollowsPositionsScaledOrAbsolute) {
  Subject sub;
  sub.height = 1.5;
  const Model m = scale_model(test::full_spine(), sub);
  const std::string hand = "{right: {position: [0.75, -0.45, 0.25]}}";
  for (const char* positions : {"scaled", "absolute"}) {
    const std::string top = std::string("positions: ") + positions + "\n";
    const std::string msg = bind_error(hold(hand, top), "s.yaml", m);
    // Scaled: the file's frame is the reference subject's, floor 0.93 m down; absolute: this subject's
    // floor, 0.93 m × 1.5 / 1.716.
    EXPECT_NE(msg.find(std::string("the floor is at up = ") + (positions == std::string("scaled") ? "-0.930" : "-0.813") + " m"),
              std::string::npos)
        << msg;
    const std::string nearest = point_after(msg, "on the line from it to the hand is ");
    ASSERT_FALSE(nearest.empty()) << msg;
    EXPECT_EQ(bind_error(hold("{right: {position: " + nearest + "}}", top), "s.yaml", m), "accepted") << positions << " " << nearest;
  }
}

TEST(ScenarioAudit21, ReachErrorSaysMetresWhenTheDistanceIsAbsurd) {
  const std::string msg = bind_error(hold("{both: {position: [45, -60, 18]}}"), "cm.yaml", test::full_spine());
  EXPECT_NE(msg.find("cm.yaml:6: keyframes[1].hands.both.position: the hand is 77.5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(+5 %: 0.650 m) — the right hand of hands.both — positions are in metres (centimetres typed?)"), std::string::npos) << msg;
}

TEST(ScenarioAudit21, ReachErrorGivesNoFloorForAModelWithoutOne) {
  // The synthetic model's reference subject (1.75 m) is not the bundled models' (1.716 m, pelvis at 0.93 m).
  const Model m = parse_model(test::kMiniModel, "mini.yaml");
  ASSERT_FALSE(m.arms.empty());
  const std::string msg = bind_error("paraspine_scenario: 1\nname: r\nkeyframes:\n  - time: 0\n  - time: 1\n    hands: {right: {position: [3, 0, 0]}}\n",
                                     "mini.yaml", m);
  EXPECT_NE(msg.find("from the shoulder"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("floor"), std::string::npos) << msg;
}

// warn_once prints a message once per process: each case its own file name.
std::string warnings_of(const std::string& text, const std::string& file) {
  testing::internal::CaptureStderr();
  try {
    parse_scenario(text, file);
  } catch (...) {
    testing::internal::GetCapturedStderr();
    throw;
  }
  return testing::internal::GetCapturedStderr();
}

TEST(ScenarioAudit21, AnglesThatLookLikeRadiansDrawAWarning) {
  const std::string radians = "paraspine_scenario: 1\nname: rad\nkeyframes:\n  - time: 0\n  - time: 1\n"
                              "    pelvis_deg: {flexion: 0.5}\n    regions_deg: {lumbar: {flexion: 1.05}, thoracic: {flexion: 1}}\n";
  const std::string w = warnings_of(radians, "rad1.yaml");
  EXPECT_NE(w.find("warning: rad1.yaml:6: keyframes[1].pelvis_deg.flexion: every angle in the file's keyframes is below 3.2 in magnitude, "
                   "as radians would be: angles are in degrees"),
            std::string::npos)
      << w;
  // Two fractions are enough (above: 0.5 and 1.05); one angle of a real size anywhere, or fewer than
  // two fractions, and there is none.
  std::string degrees = radians;
  degrees.replace(degrees.find("flexion: 1}"), 10, "flexion: 20");
  EXPECT_EQ(warnings_of(degrees, "rad2.yaml"), "");
  EXPECT_EQ(warnings_of("paraspine_scenario: 1\nname: q\nkeyframes:\n  - time: 0\n  - time: 1\n    regions_deg: {lumbar: {flexion: 2.5}, "
                        "thoracic: {flexion: 2}}\n",
                        "rad3.yaml"),
            "");
  // Negative radians too.
  std::string negative = radians;
  negative.replace(negative.find("1.05"), 4, "-1.05");
  EXPECT_NE(warnings_of(negative, "rad4.yaml").find("rad4.yaml:6:"), std::string::npos);
}

TEST(ScenarioAudit21, NoBundledScenarioLooksLikeRadians) {
  int checked = 0;
  for (const char* dir : {"/scenarios", "/tests/validation"})
    for (const auto& e : fs::recursive_directory_iterator(test::source_dir() + dir)) {
      if (e.path().extension() != ".yaml") continue;
      const std::string text = read_input_file(e.path().string(), "scenario");
      if (text.find("paraspine_scenario:") == std::string::npos || text.find("keyframes:") == std::string::npos) continue;
      std::string w;
      try {
        w = warnings_of(text, e.path().string());
      } catch (const std::exception& ex) {
        ADD_FAILURE() << e.path() << ": " << ex.what();
      }
      EXPECT_EQ(w.find("as radians would be"), std::string::npos) << w;
      ++checked;
    }
  EXPECT_GE(checked, 30);
}

std::string set_error(const std::string& text, const std::vector<std::string>& sets) {
  try {
    parse_scenario(apply_overrides(text, "s.yaml", sets), "s.yaml");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ScenarioAudit21, SetTakesIndexListsAndWholeLists) {
  const Scenario base = load_scenario("rounded_back_lift");
  ASSERT_GE(base.keyframes.size(), 4u);
  const Scenario s = parse_scenario(apply_overrides(base.text, base.file,
                                                    {"keyframes[1,2].hands.both.load_kg=5", "keyframes[2].hands.both.position=[0.45, -0.6,0.18]"}),
                                    base.file);
  for (int k : {1, 2}) EXPECT_EQ(s.keyframes[k].hands[0].load_kg, 5) << k;
  EXPECT_EQ(s.keyframes[3].hands[0].load_kg, base.keyframes[3].hands[0].load_kg);
  EXPECT_EQ(s.keyframes[2].hands[0].position, Vec3(0.45, -0.6, 0.18));
  EXPECT_EQ(s.keyframes[2].hands[1].position, Vec3(0.45, -0.6, -0.18));
  // Both at once, and the element-wise form stays.
  const Scenario t = parse_scenario(apply_overrides(base.text, base.file, {"keyframes[1, 2].hands.both.position=[0.4,-0.55,0.2]",
                                                                           "keyframes[3].hands.both.position[1]=-0.5"}),
                                    base.file);
  for (int k : {1, 2}) EXPECT_EQ(t.keyframes[k].hands[0].position, Vec3(0.4, -0.55, 0.2)) << k;
  EXPECT_EQ(t.keyframes[3].hands[0].position.y(), -0.5);
  // The text records the overrides as given.
  EXPECT_NE(apply_overrides(base.text, base.file, {"keyframes[1,2].hands.both.load_kg=5"}).find("# with overrides: keyframes[1,2].hands.both.load_kg=5"),
            std::string::npos);
  // Errors name the option and the path.
  const std::string p = "keyframes[2].hands.both.position";
  EXPECT_NE(set_error(base.text, {p + "=[0.4, -0.5]"}).find("--set: " + p + ": 2 values for a list of 3 in the scenario (line 36)"), std::string::npos)
      << set_error(base.text, {p + "=[0.4, -0.5]"});
  EXPECT_NE(set_error(base.text, {p + "=[0.4, , 0.1]"}).find("--set: " + p + ": an empty element"), std::string::npos);
  EXPECT_NE(set_error(base.text, {p + "=[[0.4], 0, 0.1]"}).find("flat list of numbers"), std::string::npos);
  EXPECT_NE(set_error(base.text, {p + "=[0.4, x, 0.1]"}).find(p + "[1]"), std::string::npos) << set_error(base.text, {p + "=[0.4, x, 0.1]"});
  EXPECT_NE(set_error(base.text, {p + "=0.4"}).find("a list: set it whole"), std::string::npos) << set_error(base.text, {p + "=0.4"});
  EXPECT_NE(set_error(base.text, {"keyframes[1,].hands.both.load_kg=5"}).find("an empty index"), std::string::npos);
  EXPECT_NE(set_error(base.text, {"keyframes[1,99].hands.both.load_kg=5"}).find("no list element [99]"), std::string::npos);
  // A path set twice through a list is refused, as any path set twice.
  EXPECT_NE(set_error(base.text, {"keyframes[1,2].hands.both.load_kg=5", "keyframes[2].hands.both.load_kg=6"}).find("set twice"),
            std::string::npos);
  EXPECT_NE(set_error(base.text, {p + "=[0.4, -0.5, 0.1]", p + "[0]=0.3"}).find("set twice"), std::string::npos);
  // A sweep axis that a list --set also sets is refused.
  EXPECT_THROW(check_not_set_and_varied({"keyframes[1,2].hands.both.load_kg=5"}, {"keyframes[2].hands.both.load_kg"}, "--set", "--vary"),
               InputError);
  EXPECT_THROW(check_not_set_and_varied({p + "=[0.4,-0.5,0.1]"}, {p + "[0]"}, "--set", "--vary"), InputError);
  EXPECT_NO_THROW(check_not_set_and_varied({p + "=[0.4,-0.5,0.1]"}, {"keyframes[1].hands.both.position[0]"}, "--set", "--vary"));
}

}  // namespace
}  // namespace paraspine
