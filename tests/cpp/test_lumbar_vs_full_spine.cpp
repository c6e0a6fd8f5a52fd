// models/lumbar.yaml against models/full_spine.yaml (docs/model.md, "lumbar.yaml vs full_spine.yaml").
//
// Both models describe the same MF-TL reference man (79.58 kg, 1.716 m). A full_spine scenario run on
// lumbar (`--model lumbar`, sim/scenario/scenario.cpp) must carry the same external load to L5-S1:
//   - the same mass above L5-S1 (lumbar lumps T12…T1, the neck and the head into one thorax), with its
//     centre of mass where full_spine's is, within 5 mm: lumbar's thorax takes MF-TL's head_neck body,
//     full_spine the Mortensen neck and skull with the same mass, which moves the centre 3.5 mm;
//   - in the same posture (the same angle at every level the two models share), the same net force
//     and, within that centre-of-mass allowance (38.4 kg × g × 5 mm = 1.9 N·m), the same net moment;
//   - in a bundled scenario, frame by frame, the same net L5-S1 flexion moment up to what the
//     translation is documented to change (the two models' different lumbar rhythms, the dropped
//     thoracic and head angles: 2 N·m + 5 % of the moment).
// A translation that lost a region's mass, an arm or a hand load, or a thorax whose merged mass or
// centre were wrong, fails these. They do not constrain the muscle sharing, which differs by design.
//
// The compression at L5-S1 differs by about 1000 N in the lifts (rounded_back_lift 2251 vs 3334 N):
// the last test pins what explains it — lumbar.yaml has no intra-abdominal pressure. Without the
// pressure the two models' L5-S1 compressions agree within 8 % in flexed, loaded postures, and with
// it full_spine's is lower, typically by 1.3–2 times the pressure's push on the cut (p·A). If lumbar.yaml gains
// an `abdominal_pressure:` block (or full_spine loses it), that test fails on purpose: update the
// doc subsection with it. Why lumbar.yaml has none (session 13, docs/sources/iap.md §4): the
// pressure's extension moment at L3-L4…L5-S1 needs flexors to balance it where the long extensors
// that L2-L3 needs cross those cuts too, and lumbar.yaml has no flexor; the test after it pins that,
// so that a lumbar.yaml that gains flexors fails it and the decision is made again.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fixtures.h"
#include "sim/kinematics/kinematics.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/run.h"

namespace paraspine {
namespace {

constexpr double kG = 9.81;

const Model& lumbar() {
  static const Model m = load_model(test::source_dir() + "/models/lumbar.yaml");
  return m;
}

const std::vector<std::string> kShared = {"L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2", "T12-L1"};

// Mass above L5-S1 (every segment but the pelvis, and the arms) and its centre of mass, world, in the
// neutral posture with the arms hanging straight down from the shoulders.
struct MassAbove {
  double mass = 0;
  Vec3 com = Vec3::Zero();
};
MassAbove mass_above_l5s1(const Model& m) {
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  forward_kinematics(m, d);
  MassAbove r;
  for (int s = 0; s < m.nsegment; ++s) {
    if (m.segment_parent[s] < 0) continue;  // the pelvis
    r.mass += m.segment_mass[s];
    r.com += m.segment_mass[s] * d.segment_com.col(s);
  }
  for (const Arm& arm : m.arms) {
    const Vec3 shoulder = d.segment_origin.col(arm.segment) + d.segment_rotation[arm.segment] * arm.shoulder;
    r.mass += arm.mass;
    r.com += arm.mass * (shoulder - arm.com_fraction * arm.length * Vec3::UnitY());
  }
  r.com /= r.mass;
  return r;
}

TEST(LumbarVsFullSpine, SameMassAboveL5S1AndItsCentreWithin5mm) {
  const Model& f = test::full_spine();
  const Model& l = lumbar();
  // The files print masses to 0.1 g or finer: full_spine's thoracic and neck slices sum to 0.4 mg less
  // than lumbar's 20.672 kg thorax.
  EXPECT_NEAR(f.total_mass(), l.total_mass(), 1e-6);
  const MassAbove a = mass_above_l5s1(f), b = mass_above_l5s1(l);
  EXPECT_NEAR(a.mass, b.mass, 1e-6);
  EXPECT_NEAR(a.mass, 38.379, 0.001);  // 50.156 kg of modelled body (segments + arms) − the 11.777 kg pelvis
  // The L5-S1 joint centre is the same point in both (lumbar.yaml's pelvis and L5 are full_spine's).
  Data da(f), db(l);
  set_static_posture(f, neutral_posture(f), da);
  set_static_posture(l, neutral_posture(l), db);
  forward_kinematics(f, da);
  forward_kinematics(l, db);
  EXPECT_LT((da.joint_center.col(f.joint_index("L5-S1")) - db.joint_center.col(l.joint_index("L5-S1"))).norm(), 1e-9);
  EXPECT_LT((a.com - b.com).norm(), 0.005) << "full_spine " << a.com.transpose() << ", lumbar " << b.com.transpose();
}

// The same angle at each of the six levels both models have (their regional rhythms differ, so the
// angles are set per level), pelvis tilted, hands hanging with a load.
Posture same_levels(const Model& m, double pelvis_deg, const std::vector<double>& level_deg) {
  Posture p = neutral_posture(m);
  p.pelvis_angles[kFlexion] = deg2rad(pelvis_deg);
  for (size_t k = 0; k < kShared.size(); ++k) p.level_angles[m.dof(m.joint_index(kShared[k]), kFlexion)] = deg2rad(level_deg[k]);
  return p;
}

TEST(LumbarVsFullSpine, SamePostureSameNetForceAndMomentAtTheLumbarLevels) {
  const Model& f = test::full_spine();
  const Model& l = lumbar();
  const double allowance = mass_above_l5s1(f).mass * kG * 0.005;  // 1.9 N·m: the 5 mm centre-of-mass allowance
  // Lumbar flexion 0 / 20 / 40° spread as full_spine's rhythm does, with T12-L1 at 0 / 2 / 4°, and
  // one spread as lumbar's (Christophy) rhythm does.
  const std::vector<std::vector<double>> spreads = {{0, 0, 0, 0, 0, 0},
                                                    {5.2, 4.6, 3.9, 3.4, 3.0, 2.0},
                                                    {10.3, 9.2, 7.8, 6.7, 6.0, 4.0},
                                                    {5.0, 7.4, 8.2, 9.2, 10.2, 0}};
  for (double pelvis : {0.0, 30.0, 60.0})
    for (const auto& spread : spreads)
      for (double load : {0.0, 7.5, 15.0}) {
        Data da(f), db(l);
        test::solve_static(f, same_levels(f, pelvis, spread), load, da);
        test::solve_static(l, same_levels(l, pelvis, spread), load, db);
        for (const auto& name : kShared) {
          const int ja = f.joint_index(name), jb = l.joint_index(name);
          const std::string at = name + " pelvis " + std::to_string(pelvis) + "° load " + std::to_string(load) + " kg, L5-S1 " +
                                 std::to_string(spread[0]) + "°";
          EXPECT_LT((da.joint_force.col(ja) - db.joint_force.col(jb)).norm(), 1e-5) << at;  // 1e-6 kg × g
          EXPECT_NEAR(da.tau[3 * ja], db.tau[3 * jb], allowance) << at;
          EXPECT_NEAR(db.tau[3 * jb + 1], 0, 1e-9) << at;
          EXPECT_NEAR(db.tau[3 * jb + 2], 0, 1e-9) << at;
        }
      }
}

// Every frame of a run, L5-S1: the net flexion moment, the compression and the pressure's push.
struct Trace {
  std::vector<double> moment, compression;
};
Trace run(const Model& m, const std::string& scenario) {
  Scenario s = load_scenario(scenario);
  s.model = m.file;
  RunOptions o;
  o.time_coupling = false;
  o.loadsharing.criterion = parse_criterion(s.criterion);
  const int j = m.joint_index("L5-S1");
  Trace t;
  o.on_frame = [&](double, const Data& d) {
    t.moment.push_back(d.tau[3 * j]);
    t.compression.push_back(d.disc_force(0, j));
  };
  run_scenario(m, s, o, nullptr);
  return t;
}

TEST(LumbarVsFullSpine, ScenarioOnLumbarKeepsTheNetMomentAtL5S1) {
  for (const char* name : {"rounded_back_lift", "squat_lift"}) {
    const Trace a = run(test::full_spine(), name), b = run(lumbar(), name);
    ASSERT_EQ(a.moment.size(), b.moment.size()) << name;
    double peak_a = 0, peak_b = 0;
    for (size_t k = 0; k < a.moment.size(); ++k) {
      EXPECT_NEAR(a.moment[k], b.moment[k], 2.0 + 0.05 * std::abs(a.moment[k])) << name << " frame " << k;
      peak_a = std::max(peak_a, std::abs(a.moment[k]));
      peak_b = std::max(peak_b, std::abs(b.moment[k]));
    }
    EXPECT_NEAR(peak_b / peak_a, 1.0, 0.05) << name;
    EXPECT_GT(peak_a, 140.0) << name;  // the 15 kg box is in the hands
  }
}

// What the L5-S1 gap is: lumbar.yaml has no intra-abdominal pressure.
TEST(LumbarVsFullSpine, TheL5S1GapIsTheAbdominalPressure) {
  const Model& f = test::full_spine();
  const Model& l = lumbar();
  ASSERT_TRUE(f.abdominal_pressure.enabled);
  ASSERT_FALSE(l.abdominal_pressure.enabled);
  const int ja = f.joint_index("L5-S1"), jb = l.joint_index("L5-S1");
  for (double pelvis : {20.0, 40.0, 60.0})
    for (double lumbar_deg : {20.0, 30.0, 40.0})
      for (double load : {7.5, 15.0}) {
        Posture pa = neutral_posture(f), pb = neutral_posture(l);
        for (Posture* p : {&pa, &pb}) p->pelvis_angles[kFlexion] = deg2rad(pelvis);
        pa.region_angles(f.region_index("lumbar"), kFlexion) = deg2rad(lumbar_deg);
        pb.region_angles(l.region_index("lumbar"), kFlexion) = deg2rad(lumbar_deg);
        Data with(f), without(f), lum(l);
        test::solve_static(f, pa, load, with);
        LoadSharingSettings off;
        off.abdominal_pressure = false;
        test::solve_static(f, pa, load, without, off);
        test::solve_static(l, pb, load, lum);
        const std::string at = "pelvis " + std::to_string(pelvis) + "° lumbar " + std::to_string(lumbar_deg) + "° load " +
                               std::to_string(load) + " kg";
        const double c_lumbar = lum.disc_force(0, jb);
        EXPECT_NEAR(without.disc_force(0, ja), c_lumbar, 0.08 * c_lumbar) << at;
        // With it, full_spine's is lower: by the pressure's push p·A on the cut and the moment it
        // takes off the muscles (1.3–2.0 × p·A), less where the 15 kg load at 40° saturates the levels
        // above L3-L4, which the pressure does not reach (0.28–0.73 × p·A; docs/mechanics.md, Levels).
        const double push = with.abdominal_pressure_force.col(ja).norm();
        EXPECT_GT(push, 100.0) << at;
        EXPECT_GT(c_lumbar - with.disc_force(0, ja), 0.2 * push) << at;
      }
}

// What the pressure would need and lumbar.yaml lacks: a muscle that flexes the cuts it acts on. In
// full_spine the obliques, rectus and psoas give one (tens of fascicles per cut); in lumbar.yaml every
// fascicle extends L5-S1…L2-L3, so with the pressure added the bundled lifts needed L2-L3 extension
// reserves in 60–83 % of frames (docs/model.md). A lumbar.yaml with flexors fails here: revisit it.
TEST(LumbarVsFullSpine, LumbarHasNoFlexorAtThePressureCuts) {
  const Model& f = test::full_spine();
  const Model& l = lumbar();
  Data df(f), dl(l);
  test::solve_static(f, neutral_posture(f), 0.0, df);
  test::solve_static(l, neutral_posture(l), 0.0, dl);
  for (const char* name : {"L5-S1", "L4-L5", "L3-L4"}) {
    int flexors_f = 0, flexors_l = 0;
    const int kf = f.dof(f.joint_index(name), kFlexion), kl = l.dof(l.joint_index(name), kFlexion);
    for (int i = 0; i < f.nmuscle; ++i) flexors_f += df.moment_arm(kf, i) > 1e-3;
    for (int i = 0; i < l.nmuscle; ++i) flexors_l += dl.moment_arm(kl, i) > 1e-3;
    EXPECT_GT(flexors_f, 10) << name;
    EXPECT_EQ(flexors_l, 0) << name;
  }
}

}  // namespace
}  // namespace paraspine
