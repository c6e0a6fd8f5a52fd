// Fatigue and creep of the whole model held against published measurements (docs/fatigue.md).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fixtures.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/fatigue/endurance.h"
#include "sim/fatigue/fatigue.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/simulate/extension_hold.h"
#include "sim/simulate/frame.h"
#include "sim/simulate/max_exertion.h"
#include "sim/tissue/creep.h"

namespace paraspine {
namespace {

// A trunk-extension strength/endurance test as the dynamometer studies run it: standing upright,
// pelvis braced, the subject pushes back against a pad at the mid back (T8), which pushes forward.
// "f % of maximal effort" is f × the largest pad force held fresh at the same pad in the same posture,
// gravity acting in both, as a dynamometer reads only the external force (the protocols reached and
// the pad's unsourced level: docs/sources/endurance_hold_protocol.md). The protocol itself is the
// library's (sim/simulate/extension_hold.h), which `paraspine validate` runs too
// (extension_hold_endurance cases); this holds the model and prints where each hold failed.
struct PadHold {
  LoadSharingSettings ls;
  Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  Data d{m};
  int pad = m.segment_index(kExtensionHoldPad);

  // The hold's frame at this pad force in `d` (set_extension_hold).
  void set_force(double force) { set_extension_hold(m, pad, force, d); }
  // Fresh muscles: the largest pad force held without reserves (the model's maximal effort).
  double max_force() { return extension_hold_max_force(m, ls, pad).force_N; }
  // Seconds until the held force is a task failure (endurance.h), 1-s steps. `first` (optional)
  // receives the fascicle named by the failure.
  double endurance(double force, double limit = 3600, std::string* first = nullptr) {
    const ExtensionHoldResult r = extension_hold_endurance(m, ls, pad, force, limit);
    if (r.failed) {
      const TaskFailure& f = r.failure;
      if (first) *first = f.muscle >= 0 ? m.muscle_name[f.muscle] : "-";
      std::printf("[ info ]   failed at %s axis %d, deficit %.2f of %.1f N·m, first %s\n", m.joint_name[f.dof / 3].c_str(),
                  f.dof % 3, f.deficit, f.mvc, f.muscle >= 0 ? m.muscle_name[f.muscle].c_str() : "-");
    }
    return r.endurance_s;
  }
};

// Frey Law & Avin 2010 (Ergonomics 53:109, Table 2) trunk power model ET = 22.69 f^-2.27 s
// (coefficients [R]: Table 2 not reached, two transcriptions of the row agree; Frey-Law 2012's trunk
// fit is not coherent with it at 10–20 %, docs/sources/endurance_curve.md).
// The 2012 paper puts the 95 % prediction interval at 29–47 % around the mean curve: ±30 %.
TEST(FatigueLiterature, SustainedTrunkExtensionEnduranceFollowsFreyLawAvin2010) {
  PadHold h;
  if (const char* c = std::getenv("PARASPINE_TEST_CRITERION")) h.ls.criterion = parse_criterion(c);
  const double fmax = h.max_force();
  ASSERT_GT(fmax, 100);
  double previous = 1e9;
  for (double level : {0.2, 0.4, 0.6, 0.8}) {
    const double published = 22.69 * std::pow(level, -2.27);
    const double predicted = h.endurance(level * fmax);
    std::printf("[ info ] trunk extension hold at %.0f %% of %.0f N: %.0f s (Frey Law & Avin 2010: %.0f s, %+.0f %%)\n",
                100 * level, fmax, predicted, published, 100 * (predicted / published - 1));
    // At 20 % the model fails at 366 s (−58 %; 362 s before session 5's per-fascicle lumbar PCSAs; 308 s before the ilium attachments were registered
    // to the sacrum as in Christophy 2012, docs/sources/christophy_registration.md): known deviation,
    // docs/fatigue.md ("Sustained holds"); where the shortfall comes from is measured by the next test
    // (session 12: the protocol matches what was reached of the experiments', the pad's level is
    // unsourced and no level from T2 to T10 brings 20 % inside the band, endurance_hold_protocol.md).
    // Asserted: 40–80 % within the prediction band, and the ordering at every level.
    if (level >= 0.4) EXPECT_NEAR(predicted / published, 1.0, 0.30) << level;
    else EXPECT_GT(predicted, 0.3 * published) << "the 20 % hold must not collapse further";
    EXPECT_LT(predicted, previous) << "more load must fail sooner";
    previous = predicted;
  }
}

// Where the 20 % hold's shortfall comes from (docs/sources/endurance_hold_protocol.md §3). The 20 %
// hold's pad force (20 % of the fresh maximum, gravity acting) is held three ways: (a) as the test
// above holds it; (b) with gravity switched off in a copy of the model, the pad alone; (c) gravity
// off, the pad pushing harder by quiet standing's L5-S1 extension moment ÷ the pad's lever, so that
// L5-S1 carries the same net moment as in (a) while the levels above carry the pad's share of it,
// not gravity's. Beside them, one fascicle of the published 3CC (trunk F, R) at 20 % from rest.
// Asserted: the construction of (c), and that less load never fails sooner ((b) lasts at least as
// long as (a) and as (c)) — the monotonicity check on the whole model.
TEST(FatigueLiterature, SustainedTrunkExtension20PercentShortfallBySource) {
  PadHold h;
  const double force = 0.2 * h.max_force();
  std::string first;
  const double held = h.endurance(force, 3600, &first);
  const int l5s1 = h.m.joint_index("L5-S1"), flex = h.m.dof(l5s1, 0);
  h.set_force(force);
  const double tau_held = h.d.tau[flex];
  h.set_force(0);
  const double standing = std::abs(h.d.tau[flex]);  // quiet standing's L5-S1 demand, N·m
  const double lever = h.d.segment_origin(1, h.pad) - h.d.joint_center(1, l5s1);  // horizontal push: height
  ASSERT_GT(standing, 0);
  ASSERT_GT(lever, 0);

  PadHold g;
  g.m.gravity.setZero();
  const double extra = standing / lever;
  g.set_force(force + extra);
  EXPECT_NEAR(g.d.tau[flex], tau_held, 1e-6) << "(c) must load L5-S1 as (a) does";
  const double pad_alone = g.endurance(force);
  const double gravity_on_pad = g.endurance(force + extra);
  const double one = endurance_time(FatigueParameters{}, 0.2);
  const double published = 22.69 * std::pow(0.2, -2.27);
  std::printf("[ info ] 20 %% hold, %.0f N at T8 (Frey Law & Avin 2010: %.0f s): one fascicle of the 3CC %.0f s (%+.0f %%); "
              "whole model, gravity off %.0f s (%+.0f %%); gravity off, its L5-S1 moment %.2f N·m on the pad (+%.1f N) "
              "%.0f s (%+.0f %%); as held %.0f s (%+.0f %%), first %s\n",
              force, published, one, 100 * (one / published - 1), pad_alone, 100 * (pad_alone / published - 1), standing,
              extra, gravity_on_pad, 100 * (gravity_on_pad / published - 1), held, 100 * (held / published - 1),
              first.c_str());
  EXPECT_GE(pad_alone, held) << "taking the body's weight away must not shorten the hold";
  EXPECT_GE(pad_alone, gravity_on_pad) << "a larger pad force must not lengthen the hold";
}

// McGill & Brown 1992 (Clin Biomech 7:43): 20 min of full lumbar flexion creeps the lumbar spine
// +5.5°; about half of the lost stiffness returns within 2 min of relaxed lordosis.
TEST(FatigueLiterature, FullFlexionCreepMatchesMcGillBrown1992) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  ASSERT_TRUE(m.creep.enabled);
  Data d(m);
  creep_reset(m, d);
  std::vector<int> lumbar;
  for (const char* j : {"L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"}) lumbar.push_back(m.dof(m.joint_index(j), 0));
  auto lumbar_creep_deg = [&] {
    double c = 0;
    for (int k : lumbar) c += d.creep[k];
    return c * 180 / M_PI;
  };
  d.q.setZero();
  for (int k : lumbar) d.q[k] = m.dof_range(k, 1);  // full flexion: every lumbar level at its limit
  // McGill & Brown held a flexion moment (their creep is a creep test): the tissue load stays that
  // of full flexion, so the angle follows the creep.
  for (int s = 0; s < 1200; ++s) {
    for (int k : lumbar) d.q[k] = m.dof_range(k, 1) + d.creep[k];
    creep_update(m, 1.0, d);
  }
  const double crept = lumbar_creep_deg();
  std::printf("[ info ] 20 min full flexion: lumbar creep %.2f° (McGill & Brown 1992: 5.5°)\n", crept);
  EXPECT_NEAR(crept, 5.5, 0.55);
  d.q.setZero();  // relaxed lordosis
  for (int s = 0; s < 120; ++s) creep_update(m, 1.0, d);
  const double recovered = 1 - lumbar_creep_deg() / crept;
  std::printf("[ info ] after 2 min relaxed: %.0f %% of the creep recovered (McGill & Brown: about 50 %%)\n",
              100 * recovered);
  EXPECT_NEAR(recovered, 0.5, 0.1);
  for (int s = 0; s < 1680; ++s) creep_update(m, 1.0, d);  // their 30-min recovery phase
  EXPECT_GT(lumbar_creep_deg(), 0.02 * crept) << "full recovery takes longer than the creep (hysteresis)";
  // Long rest recovers fully.
  creep_update(m, 6 * 3600, d);
  EXPECT_LT(lumbar_creep_deg(), 1e-6);
}

// Kang & Mirka 2024 (J Electromyogr Kinesiol 78:102916): 12 min of full flexion in 48 min,
// as 3 min flexed / 12 min standing or 1 min / 4 min; cumulative creep Δ3.5° vs Δ1.6° — shorter
// cycles let the tissue recover more.
TEST(FatigueLiterature, ShorterWorkRestCyclesCreepLessKangMirka2024) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  std::vector<int> lumbar;
  for (const char* j : {"L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"}) lumbar.push_back(m.dof(m.joint_index(j), 0));
  auto cumulative = [&](int flexed_s, int standing_s, int cycles) {
    Data d(m);
    creep_reset(m, d);
    double peak = 0;
    for (int c = 0; c < cycles; ++c) {
      for (int s = 0; s < flexed_s; ++s) {
        for (int k : lumbar) d.q[k] = m.dof_range(k, 1) + d.creep[k];
        creep_update(m, 1.0, d);
      }
      double sum = 0;
      for (int k : lumbar) sum += d.creep[k];
      peak = sum * 180 / M_PI;  // the last full flexion's extra angle
      for (int k : lumbar) d.q[k] = 0;
      for (int s = 0; s < standing_s; ++s) creep_update(m, 1.0, d);
    }
    return peak;
  };
  const double long_cycles = cumulative(180, 720, 4), short_cycles = cumulative(60, 240, 12);
  std::printf("[ info ] cumulative lumbar creep: 3:12 min %.2f° (Kang & Mirka: 3.5°), 1:4 min %.2f° (1.6°)\n",
              long_cycles, short_cycles);
  EXPECT_GT(long_cycles, short_cycles);
  EXPECT_GT(long_cycles / short_cycles, 1.2);
}

// Creep hands load from ligaments to muscles: a held stoop carries less passive moment over time.
TEST(FatigueLiterature, CreepShiftsLoadFromPassiveTissueToMuscles) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  Data d(m);
  Posture p = neutral_posture(m);
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(30);
  set_static_posture(m, p, d);
  clear_loads(m, d);
  evaluate_frame(m, d);
  creep_reset(m, d);
  load_sharing(m, LoadSharingSettings{}, d);
  const int l45 = m.dof(m.joint_index("L4-L5"), 0);
  const double passive0 = d.passive_joint_moment[l45], muscle0 = d.muscle_moment[l45];
  creep_update(m, 1800, d);
  load_sharing(m, LoadSharingSettings{}, d);
  std::printf("[ info ] 30° lumbar flexion, 30 min: L4-L5 passive %.1f → %.1f N·m, muscles %.1f → %.1f N·m, creep %.2f°\n",
              passive0, d.passive_joint_moment[l45], muscle0, d.muscle_moment[l45], d.creep[l45] * 180 / M_PI);
  EXPECT_GT(d.creep[l45], 0);
  EXPECT_LT(std::abs(d.passive_joint_moment[l45]), std::abs(passive0));
  EXPECT_GT(std::abs(d.muscle_moment[l45]), std::abs(muscle0));
  EXPECT_LT(d.loadsharing_info.equilibrium_residual, 1e-6);
}

// Recovery time of a group: its force-weighted capacity crosses the level at the returned time (to
// 0.01 s), checked by stepping the published equations exactly; a single exhausted fascicle at rest
// recovers with the rest rate r·R (M_F ≈ M_F0 e^{−rRt}: 90 % after ln 10 / (rR) ≈ 205 s).
TEST(FatigueLiterature, GroupRecoveryTimeIsWhenTheWeightedCapacityCrossesTheLevel) {
  const FatigueParameters p;
  FatigueState exhausted;
  exhausted.active = 0, exhausted.resting = 0, exhausted.fatigued = 1;
  FatigueState half;
  half.active = 0, half.resting = 0.5, half.fatigued = 0.5;
  const std::vector<FatigueParameters> ps(2, p);
  const std::vector<FatigueState> states = {exhausted, half};
  const std::vector<double> weight = {3, 1};
  auto strength_at = [&](double t) {
    double sum = 0;
    for (int i = 0; i < 2; ++i) {
      FatigueState q = states[i];
      fatigue_step(p, 0.0, t, q);
      sum += weight[i] * q.capacity();
    }
    return sum / 4;
  };
  for (double level : {0.9, 0.95}) {
    const double t = group_recovery_time(ps, states, weight, level);
    EXPECT_GE(strength_at(t), level);
    EXPECT_LT(strength_at(t - 0.02), level);
  }
  const double one = group_recovery_time({p}, {exhausted}, {1.0}, 0.9);
  EXPECT_NEAR(one, std::log(10.0) / (p.r * p.R), 5.0);
  EXPECT_EQ(group_recovery_time({p}, {FatigueState{}}, {1.0}, 0.95), 0.0);
  // A slow recovery is found as it is: until session 19 the search stopped at 86 400 s and reported
  // that (R = 10⁻⁶ s⁻¹ without the rest multiplier: about 27 days).
  FatigueParameters slow = p;
  slow.R = 1e-6;
  slow.r = 1;
  const double days = group_recovery_time({slow}, {exhausted}, {1.0}, 0.9);
  EXPECT_NEAR(days, std::log(10.0) / slow.R, 1e-3 * days);
}

}  // namespace
}  // namespace paraspine
