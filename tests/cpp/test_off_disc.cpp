// The joint laws' moment carried off the disc centre (`passive.off_disc`, Model::OffDiscLoad): the disc
// compression rises by exactly Σ share·|M|/lever when the law resists flexion with posterior ligaments
// in tension (falls with facets in contact), the moment across the joint and the muscle forces do not
// change, a model without the field gives the same bits, and the loader refuses bad fields.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/io/fields.h"
#include "sim/common/yaml_reader.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/model/subject.h"
#include "sim/model/summary.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

// Inserted under mid-base's `passive:` (line 23 of the mini model), so its lines are 24…30.
const char* kOffDisc = R"(        off_disc:
          flexion:
            - {tissue: capsules, share: 0.4, moment_arm_mm: 40, action: tension}
            - {tissue: spinous, share: 0.2, moment_arm_mm: 60, action: tension}
          extension:
            - {tissue: facets, share: 0.3, moment_arm_mm: 35, action: contact}
          source: "synthetic test fixture"
)";

std::string mini_with_off_disc(const std::string& block = kOffDisc) {
  std::string text = test::kMiniModel;
  const std::string after = "        flexion: {positive: {c1: 1.8}, negative: {c1: 2.6}}\n";
  const auto at = text.find(after);
  EXPECT_NE(at, std::string::npos);
  text.insert(at + after.size(), block);
  return text;
}

// A static frame with the region flexed by `deg`, solved and its reactions computed.
void solve_flexed(const Model& m, const char* region, double deg, Data& d) {
  Posture p = neutral_posture(m);
  p.region_angles(m.region_index(region), kFlexion) = deg2rad(deg);
  set_static_posture(m, p, d);
  clear_loads(m, d);
  evaluate_frame(m, d);
  load_sharing(m, LoadSharingSettings{}, d);
  reactions(m, d);
}

TEST(OffDisc, LoaderReadsTheTissuesAndSumsThemPerSide) {
  const Model m = parse_model(mini_with_off_disc(), "mini.yaml");
  const OffDiscLoad& o = m.joint_off_disc[m.joint_index("mid-base")];
  ASSERT_EQ(o.flexion.size(), 2u);
  ASSERT_EQ(o.extension.size(), 1u);
  EXPECT_EQ(o.flexion[1].name, "spinous");
  EXPECT_DOUBLE_EQ(o.flexion[0].moment_arm, 0.040);
  EXPECT_TRUE(o.extension[0].contact);
  EXPECT_NEAR(o.flexion_compression, 0.4 / 0.040 + 0.2 / 0.060, 1e-12);
  EXPECT_NEAR(o.extension_compression, -0.3 / 0.035, 1e-12);
  EXPECT_EQ(o.source, "synthetic test fixture");
  EXPECT_TRUE(m.joint_off_disc[m.joint_index("top-mid")].empty());  // no field: a free couple
}

TEST(OffDisc, FlexionLawMomentAddsExactlyTheLigamentTensionsToCompression) {
  const Model with = parse_model(mini_with_off_disc(), "mini.yaml");
  const Model without = test::mini_model();
  Data a(with), b(without);
  solve_flexed(with, "trunk", 20, a);
  solve_flexed(without, "trunk", 20, b);
  const int j = with.joint_index("mid-base");
  const double M = a.passive_joint_moment[3 * j];
  ASSERT_LT(M, -1.0);  // the law resists flexion with more than 1 N·m
  // Load sharing does not read the field: the same muscle forces, bit for bit.
  EXPECT_EQ(a.muscle_force, b.muscle_force);
  EXPECT_EQ(a.passive_joint_moment, b.passive_joint_moment);
  // Compression: + Σ s_i |M| / d_i of the tension members; shear unchanged.
  const double expected = 0.4 * std::abs(M) / 0.040 + 0.2 * std::abs(M) / 0.060;
  EXPECT_NEAR(a.disc_force(0, j) - b.disc_force(0, j), expected, 1e-9 * expected);
  EXPECT_EQ(a.disc_force(1, j), b.disc_force(1, j));
  EXPECT_EQ(a.disc_force(2, j), b.disc_force(2, j));
  // The world contact force carries the same extra force along the disc normal.
  const Mat3 disc = a.joint_frame[j] * joint_rotation(0.5 * a.q.segment<3>(3 * j));
  EXPECT_NEAR(disc.col(1).dot(a.contact_force.col(j) - b.contact_force.col(j)), expected, 1e-9 * expected);
  // The other joint has no field: bit-identical.
  const int k = with.joint_index("top-mid");
  EXPECT_EQ(a.disc_force.col(k), b.disc_force.col(k));
}

TEST(OffDisc, ExtensionContactUnloadsTheDisc) {
  const Model with = parse_model(mini_with_off_disc(), "mini.yaml");
  const Model without = test::mini_model();
  Data a(with), b(without);
  solve_flexed(with, "trunk", -15, a);
  solve_flexed(without, "trunk", -15, b);
  const int j = with.joint_index("mid-base");
  const double M = a.passive_joint_moment[3 * j];
  ASSERT_GT(M, 1.0);  // the law resists extension
  EXPECT_NEAR(a.disc_force(0, j) - b.disc_force(0, j), -0.3 * M / 0.035, 1e-9 * M / 0.035);
}

TEST(OffDisc, TheTissueForcesAndTheDiscMakeTheLawsOwnMomentAndNoNetForce) {
  // Free body of the segment above mid-base: what the off-disc tissues apply (tension T_i = s_i|M|/d_i
  // pulling it toward the segment below at d_i behind the disc centre) plus what the disc applies in
  // addition (the change of the contact force) must add up to no force and to the off-disc share of
  // the law's moment about the flexion axis — the moment the load sharing already counted.
  const Model with = parse_model(mini_with_off_disc(), "mini.yaml");
  const Model without = test::mini_model();
  Data a(with), b(without);
  solve_flexed(with, "trunk", 20, a);
  solve_flexed(without, "trunk", 20, b);
  const int j = with.joint_index("mid-base");
  const double M = a.passive_joint_moment[3 * j];
  const Mat3 disc = a.joint_frame[j] * joint_rotation(0.5 * a.q.segment<3>(3 * j));
  const Vec3 anterior = disc.col(0), normal = disc.col(1);
  const Vec3 disc_extra = a.contact_force.col(j) - b.contact_force.col(j);
  Vec3 force = disc_extra, moment = Vec3::Zero();  // about the joint centre
  double share = 0;
  for (const OffDiscTissue& t : with.joint_off_disc[j].flexion) {
    const Vec3 f = -(t.share * std::abs(M) / t.moment_arm) * normal;  // on the body above
    force += f;
    moment += (-t.moment_arm * anterior).cross(f);
    share += t.share;
  }
  EXPECT_LT(force.norm(), 1e-9 * disc_extra.norm());
  // Flexion axis of the joint (its parent-side frame turns the −z of common/rotation.h).
  const Vec3 flexion_axis = a.joint_frame[j] * joint_axis(kFlexion);
  EXPECT_NEAR(flexion_axis.dot(moment), share * M, 1e-9 * std::abs(M));
}

TEST(OffDisc, FullSpineLumbarLevelsCarryTheSourcedLigamentsAndNothingElseChanges) {
  const Model& m = test::full_spine();
  for (const char* name : {"T12-L1", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"}) {
    const OffDiscLoad& o = m.joint_off_disc[m.joint_index(name)];
    EXPECT_EQ(o.flexion.size(), 3u) << name;
    EXPECT_TRUE(o.extension.empty()) << name;
    // docs/sources/ligament_compression.md: 0.39/34.45 mm + 0.13/34.45 mm + 0.19/52.2 mm = 18.7 N per N·m.
    EXPECT_NEAR(o.flexion_compression, 18.73, 0.01) << name;
  }
  for (int j = 0; j < m.njoint; ++j) {
    if (m.joint_name[j][0] == 'L' || m.joint_name[j] == "T12-L1") continue;
    EXPECT_TRUE(m.joint_off_disc[j].empty()) << m.joint_name[j];
  }
}

// full_spine.yaml with every `off_disc:` block removed (and how many were).
std::string full_spine_without_off_disc(size_t* removed_out) {
  std::string text = read_input_file(test::source_dir() + "/models/full_spine.yaml", "model");
  std::string stripped;
  size_t removed = 0, pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.find("off_disc:") != std::string::npos) {
      // Skip the block: every following line indented deeper than this one.
      const size_t indent = line.find_first_not_of(' ');
      while (pos < text.size()) {
        size_t e2 = text.find('\n', pos);
        if (e2 == std::string::npos) e2 = text.size();
        const std::string next = text.substr(pos, e2 - pos);
        if (next.find_first_not_of(' ') <= indent) break;
        pos = e2 + 1;
      }
      ++removed;
      continue;
    }
    stripped += line + "\n";
  }
  *removed_out = removed;
  return stripped;
}


// The output field /joints/ligament_compression for one frame.
std::vector<double> ligament_field(const Model& m, const Data& d) {
  for (const OutputField& f : kOutputFields)
    if (std::string(f.path) == "/joints/ligament_compression") {
      std::vector<double> v(m.njoint);
      f.get(m, d, v.data());
      return v;
    }
  ADD_FAILURE() << "no /joints/ligament_compression field";
  return std::vector<double>(m.njoint, NAN);
}

TEST(OffDisc, AModelWithoutTheFieldGivesTheSameBitsWhereverTheLawsDoNotResistFlexion) {
  // full_spine with every off_disc block removed against full_spine as bundled, in a lumbar-extended
  // posture (the flexion laws resist extension, for which the bundled model gives no tissue): every
  // output of the frame is the same to the bit.
  size_t removed = 0;
  const std::string stripped = full_spine_without_off_disc(&removed);
  ASSERT_EQ(removed, 6u);
  const Model& with = test::full_spine();
  const Model without = parse_model(stripped, "full_spine_stripped.yaml");
  for (const OffDiscLoad& o : without.joint_off_disc) EXPECT_TRUE(o.empty());
  for (double lumbar_deg : {-10.0, 0.0}) {
    Data a(with), b(without);
    solve_flexed(with, "lumbar", lumbar_deg, a);
    solve_flexed(without, "lumbar", lumbar_deg, b);
    for (const char* name : {"L1-L2", "L4-L5", "L5-S1"})
      ASSERT_GE(a.passive_joint_moment[3 * with.joint_index(name)], 0.0) << name << " " << lumbar_deg;
    EXPECT_EQ(a.muscle_force, b.muscle_force);
    EXPECT_EQ(a.contact_force, b.contact_force);
    EXPECT_EQ(a.disc_force, b.disc_force);
  }
}

TEST(OffDisc, SubjectScalingScalesTheLeversAsLengths) {
  const Model m = parse_model(mini_with_off_disc(), "mini.yaml");
  Subject s;
  s.height = 1.1 * m.reference_height;
  s.body_mass = m.reference_body_mass;
  const Model scaled = scale_model(m, s);
  const int j = m.joint_index("mid-base");
  EXPECT_NEAR(scaled.joint_off_disc[j].flexion[0].moment_arm, 1.1 * 0.040, 1e-12);
  EXPECT_NEAR(scaled.joint_off_disc[j].flexion_compression, m.joint_off_disc[j].flexion_compression / 1.1, 1e-9);
}

// Solves a frame of `with` and `without` in the same lumbar flexion, each joint's flexion creep set to
// `creep` (rad) first.
void solve_pair(const Model& with, const Model& without, double lumbar_deg, double creep, Data& a, Data& b) {
  for (Data* d : {&a, &b}) {
    const Model& m = d == &a ? with : without;
    Posture p = neutral_posture(m);
    p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(lumbar_deg);
    set_static_posture(m, p, *d);
    for (int j = 0; j < m.njoint; ++j) d->creep[m.dof(j, 0)] = creep;
    clear_loads(m, *d);
    evaluate_frame(m, *d);
    load_sharing(m, LoadSharingSettings{}, *d);
    reactions(m, *d);
  }
}

// Every lumbar level of full_spine in flexion (the laws resist flexion at each, and L4-L5 is joint
// index j ≠ 3j, so reading another joint's or another rotation's moment fails): the compression rises
// by exactly its coefficient × |its own flexion-law moment|, the field reports that rise, and every
// other joint and every shear keep their bits.
TEST(OffDisc, FullSpineInLumbarFlexionAddsEachLevelsOwnLawMomentExactly) {
  size_t removed = 0;
  const Model& with = test::full_spine();
  const Model without = parse_model(full_spine_without_off_disc(&removed), "full_spine_stripped.yaml");
  Data a(with), b(without);
  solve_pair(with, without, 25, 0, a, b);
  EXPECT_EQ(a.muscle_force, b.muscle_force);
  const std::vector<double> field = ligament_field(with, a);
  const int l4l5 = with.joint_index("L4-L5");
  ASSERT_NE(l4l5, 0);
  ASSERT_LT(a.passive_joint_moment[3 * l4l5], -2.0);  // resists flexion with more than 2 N·m
  int loaded = 0;
  for (int j = 0; j < with.njoint; ++j) {
    const double M = a.passive_joint_moment[3 * j];
    const double expected = M < 0 ? with.joint_off_disc[j].flexion_compression * -M : 0.0;
    const double rise = a.disc_force(0, j) - b.disc_force(0, j);
    EXPECT_NEAR(rise, expected, 1e-9 * std::max(1.0, std::abs(b.disc_force(0, j)))) << with.joint_name[j];
    EXPECT_NEAR(field[j], expected, 1e-12 * std::max(1.0, expected)) << with.joint_name[j];
    EXPECT_EQ(a.disc_force(1, j), b.disc_force(1, j)) << with.joint_name[j];
    EXPECT_EQ(a.disc_force(2, j), b.disc_force(2, j)) << with.joint_name[j];
    if (with.joint_off_disc[j].empty()) {
      EXPECT_EQ(a.disc_force.col(j), b.disc_force.col(j)) << with.joint_name[j];
    }
  }
  // The lumbar region's five levels are flexed (T12-L1 is not in it): each adds more than 10 N.
  for (const char* name : {"L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"}) {
    EXPECT_GT(field[with.joint_index(name)], 10.0) << name;
    ++loaded;
  }
  EXPECT_EQ(loaded, 5);
  // L4-L5: 18.7 N per N·m of its own law moment.
  EXPECT_NEAR(field[l4l5], 18.73 * -a.passive_joint_moment[3 * l4l5], 0.01 * field[l4l5]);
}

// With creep, the ligaments carry the crept law's moment (creep slackens them), not the law at the
// joint angle: the rise follows d.passive_joint_moment, which differs from the uncrept law by far more
// than the tolerance.
TEST(OffDisc, CreptLawsPressTheDiscWithTheCreptMoment) {
  size_t removed = 0;
  const Model& with = test::full_spine();
  const Model without = parse_model(full_spine_without_off_disc(&removed), "full_spine_stripped.yaml");
  Data a(with), b(without);
  const double creep = deg2rad(2.0);
  solve_pair(with, without, 25, creep, a, b);
  EXPECT_EQ(a.muscle_force, b.muscle_force);
  const int j = with.joint_index("L4-L5");
  const int k = with.dof(j, 0);
  const double crept = a.passive_joint_moment[k];
  const double uncrept = with.dof_passive[k].moment(a.q[k]);
  ASSERT_LT(crept, -1.0);
  ASSERT_GT(std::abs(uncrept - crept), 0.2 * std::abs(crept));  // the creep matters here
  const double K = with.joint_off_disc[j].flexion_compression;
  EXPECT_NEAR(a.disc_force(0, j) - b.disc_force(0, j), K * -crept, 1e-9 * std::abs(b.disc_force(0, j)));
  EXPECT_NEAR(ligament_field(with, a)[j], K * -crept, 1e-9 * K * -crept);
}

// A block on a non-first joint of the mini model acts on that joint's own law: top-mid is joint 1.
TEST(OffDisc, ABlockOnTheSecondJointUsesThatJointsLaw) {
  // top-mid gets a flexion law, with and without a block.
  auto with_top_law = [](const std::string& extra) {
    std::string text = test::kMiniModel;
    const std::string range = "      range_deg: {flexion: [-20, 30], lateral_bending: [-20, 20], axial_rotation: [-10, 10]}\n";
    const auto at = text.find(range, text.find("      name: top-mid\n"));
    EXPECT_NE(at, std::string::npos);
    text.insert(at + range.size(), "      passive:\n        flexion: {positive: {c1: 3.0}, negative: {c1: 2.0}}\n" + extra);
    return text;
  };
  const Model with = parse_model(with_top_law(R"(        off_disc:
          flexion:
            - {tissue: spinous, share: 0.5, moment_arm_mm: 50, action: tension}
          source: "synthetic test fixture"
)"), "mini.yaml");
  const Model without = parse_model(with_top_law(""), "mini_plain.yaml");
  const int j = with.joint_index("top-mid");
  ASSERT_EQ(j, 1);
  ASSERT_TRUE(without.joint_off_disc[j].empty());
  Data a(with), b(without);
  solve_flexed(with, "trunk", 20, a);
  solve_flexed(without, "trunk", 20, b);
  const double M = a.passive_joint_moment[3 * j];
  ASSERT_LT(M, -0.5);
  EXPECT_EQ(a.muscle_force, b.muscle_force);
  EXPECT_NEAR(a.disc_force(0, j) - b.disc_force(0, j), 0.5 * -M / 0.050, 1e-9 * std::abs(M) / 0.050);
  EXPECT_EQ(a.disc_force.col(0), b.disc_force.col(0));  // mid-base has no block
}

// A block on a joint whose flexion law has no side for it would do nothing: refused.
TEST(OffDisc, LoaderRefusesABlockWithoutTheLawItWouldCarry) {
  auto expect_refused = [](const std::string& law, const std::string& side, const std::string& expect) {
    std::string text = test::kMiniModel;
    const std::string old_law = "        flexion: {positive: {c1: 1.8}, negative: {c1: 2.6}}\n";
    const auto at = text.find(old_law);
    ASSERT_NE(at, std::string::npos);
    const std::string block = law + "        off_disc:\n          " + side +
                              ":\n            - {tissue: t, share: 0.3, moment_arm_mm: 40, action: tension}\n"
                              "          source: \"synthetic test fixture\"\n";
    text.replace(at, old_law.size(), block);
    // The error points at the list, whose first tissue is on the line after its key.
    const int line = 2 + static_cast<int>(std::count(text.begin(), text.begin() + text.find("          " + side + ":"), '\n'));
    try {
      parse_model(text, "mini.yaml");
      FAIL() << "no error for " << side << " with law '" << law << "'";
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("segments[1].joint.passive.off_disc." + side), std::string::npos) << what;
      EXPECT_NE(what.find(expect), std::string::npos) << what;
      EXPECT_EQ(e.line(), line) << what;
    }
  };
  expect_refused("", "flexion", "no flexion law resisting flexion");
  expect_refused("        lateral_bending: {both: {c1: 1}}\n", "flexion", "no flexion law resisting flexion");
  expect_refused("        flexion: {negative: {c1: 2.6}}\n", "flexion", "no flexion law resisting flexion");
  expect_refused("        flexion: {positive: {c1: 1.8}}\n", "extension", "no flexion law resisting extension");
  // The law's side present: accepted.
  EXPECT_NO_THROW(parse_model(mini_with_off_disc(), "mini.yaml"));
}

// `model info` shows a side without tissues as "—" (a free couple), not as a coefficient of 0.
TEST(OffDisc, ModelInfoMarksAnAbsentSide) {
  const std::string text = model_summary_text(test::full_spine());
  EXPECT_NE(text.find("L4-L5 18.7/—"), std::string::npos) << text;
  EXPECT_EQ(text.find("18.7/0.0"), std::string::npos);
  const std::string mini = model_summary_text(parse_model(mini_with_off_disc(), "mini.yaml"));
  EXPECT_NE(mini.find("mid-base 13.3/-8.6"), std::string::npos) << mini;
}

// The loader refuses a bad field with the file, the line and the field.
void expect_off_disc_error(const std::string& from, const std::string& to, const std::string& expect, int line) {
  std::string block = kOffDisc;
  const auto at = block.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  block.replace(at, from.size(), to);
  test::expect_model_error(mini_with_off_disc(block), "mini.yaml", expect, line);
}

TEST(OffDisc, LoaderRejectsBadFields) {
  expect_off_disc_error("moment_arm_mm: 40", "moment_arm_mm: -40", "segments[1].joint.passive.off_disc.flexion[0].moment_arm_mm", 26);
  expect_off_disc_error("moment_arm_mm: 40", "moment_arm_mm: -40", "must be positive", 26);
  expect_off_disc_error("moment_arm_mm: 40", "moment_arm_mm: .nan", "must be finite", 26);
  expect_off_disc_error("moment_arm_mm: 40", "moment_arm_mm: 0", "must be positive", 26);
  expect_off_disc_error("moment_arm_mm: 40", "moment_arm_mm: 400", "(in mm?)", 26);
  expect_off_disc_error("share: 0.4", "share: .nan", "flexion[0].share", 26);
  expect_off_disc_error("share: 0.4", "share: 1.5", "at most 1", 26);
  expect_off_disc_error("share: 0.4", "share: 0.9", "more than the whole moment", 26);
  expect_off_disc_error("action: contact", "action: push", "expected tension or contact", 29);
  expect_off_disc_error("action: contact", "action: contact, lever: 3", "unknown key 'lever'", 29);
  expect_off_disc_error("          source: \"synthetic test fixture\"\n", "", "off_disc.source", 25);
  expect_off_disc_error("{tissue: spinous, ", "{", "flexion[1].tissue", 27);
}

}  // namespace
}  // namespace paraspine
