// What the default model's muscle set must do in everyday use: hold quiet standing at low
// activation (no co-contraction of a flexor against over-working extensors), and balance everyday
// postures with muscles alone (no reserve actuators). Both are findings about the anatomy in
// models/full_spine.yaml (docs/model.md "Open findings"); no number here is tuned.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "fixtures.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/timeline.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

// Quiet standing, neutral posture, no load, default criterion: held by muscles alone, reported (the
// most active fascicles and the L4-L5 compression; docs/model.md "Open findings").
double quiet_standing(Data& d, std::vector<int>& order) {
  const Model& m = test::full_spine();
  test::solve_static(m, neutral_posture(m), 0, d);
  order.resize(m.nmuscle);
  for (int i = 0; i < m.nmuscle; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return d.activation[a] > d.activation[b]; });
  std::printf("[ info ] quiet standing, L4-L5 compression %.0f N; most active:", d.disc_force(0, m.joint_index("L4-L5")));
  for (int k = 0; k < 8; ++k) std::printf(" %s %.1f %%;", m.muscle_name[order[k]].c_str(), 100 * d.activation[order[k]]);
  std::printf("\n");
  return d.activation[order[0]];
}

TEST(FullSpineTasks, QuietStandingHeldByMusclesAlone) {
  Data d(test::full_spine());
  std::vector<int> order;
  quiet_standing(d, order);
  EXPECT_EQ(d.loadsharing_info.max_reserve, 0.0);
  EXPECT_LT(d.loadsharing_info.equilibrium_residual, 1e-6);
}

// KNOWN DISCREPANCY, kept visible as a disabled test (run with --gtest_also_run_disabled_tests).
// In vivo the trunk muscles work at a few per cent of maximum in relaxed standing (surface EMG of
// erector spinae, external oblique and rectus abdominis: continuously active at low level, "Activity
// in torso muscles during relaxed standing", abstract via scilit.com/publications/9f808f8e…, µV only;
// docs/fatigue.md). Bound asserted: 10 %, where the three-compartment fatigue model (R/(F+R) ≈ 9 %,
// docs/fatigue.md) still lets a fascicle hold indefinitely — quiet standing must not be a fatiguing
// task. The model puts the external oblique rib-9 slip at 23.2 % against the upper longissimus pars
// thoracis (21 %) and longissimus pars lumborum L5 (20.6 %; before the ilium attachments were
// registered to the sacrum as in Christophy 2012: 24.5, 21.1, 23.2 %). Standing needs 9.4 N·m of
// extension at L5-S1 but 3.9 at L4-L5 and 2.9 at L3-L4; the extensors crossing both L5-S1 and L4-L5
// (now with nearly equal moment arms at both, PCSA-weighted 5.49 and 6.00 cm) overshoot above L5-S1
// and the oblique, whose linea-alba end rides on L5, takes the surplus back. The short thoracic
// extensors added from AMMR4 do not change it (not even at 10× their PCSA); docs/model.md "Open
// findings" has the measurements. Nothing was tuned.
// Session 4 (docs/sources/standing_demand.md): the 5.5 N·m by which L5-S1's demand exceeds L4-L5's
// is the weight above L4-L5 times L4-L5's 1.42 cm forward offset from L5-S1 — independent of where
// the upper-body centre of mass lies, and not smaller with published standing alignment. Posing
// L5-S1 4° more flexed and L4-L5 4° more extended would let the passive laws carry it (LTpL_L5 10 %),
// but the upper longissimus pars thoracis then stays at 18 %: this test still fails for that reason.
// Session 5 (docs/sources/lumbosacral_extensors.md): the lumbar erector and multifidus PCSAs now follow
// the dissection table per fascicle (L5-S1-only extensors 2.99 → 3.34 cm² per side): EO rib 9 21.6 %,
// LTpL_L5 20.2 %, LTpT_T1 18.7 %. The published fascicle anatomy does not remove the bottleneck.
// Session 5, thoracic half (docs/sources/thoracic_extensors.md): the oblique's activation is called for
// by the L4-L5 row (+29 %; the thoracic rows lower it), and the extensors crossing no lumbar joint could
// supply 56–128 N·m at T1-T2 … T11-T12 against ≤ 12.8 N·m. LTpT_T1 and iliocostalis thoracis (16.6 %)
// scale with the thoracic-only sizes, two of them assumptions; no published size was reached to replace them.
TEST(FullSpineTasks, DISABLED_QuietStandingNeedsOnlyLowActivations) {
  Data d(test::full_spine());
  std::vector<int> order;
  EXPECT_LT(quiet_standing(d, order), 0.10) << test::full_spine().muscle_name[order[0]];
}

// The same bound against the lowest peak activation any sharing of the load can reach: the min/max
// criterion (docs/loadsharing.md) minimizes the most active fascicle's activation, so if even it stays
// above 10 % no load-sharing criterion can make quiet standing a non-fatiguing task with this anatomy —
// the disabled test above is a finding about the model, not about the Σa² criterion. Session 18,
// measured: 12.2 % (iliocostalis thoracis, quadratus lumborum, thoracic multifidus and spinalis thoracis
// share the ceiling);
// the what-if models of docs/sources/abdominal_wall.md and lumbosacral_capacity.md give 21.6 %
// (anatomical abdominal wall; LTpL_L5 at the ceiling), 10.3 % (Ward's multifidus) and 15.4 % (both).
// Turns red when the floor falls to 10 %: then re-run the disabled test, whose Σa² optimum may follow.
TEST(FullSpineTasks, KnownFailure_QuietStandingFloorAboveTheSustainableBoundForAnyCriterion) {
  const Model& m = test::full_spine();
  Data d(m);
  test::solve_static(m, neutral_posture(m), 0, d, Criterion::kMinMax);
  ASSERT_EQ(d.loadsharing_info.status, QpStatus::kSolved);
  EXPECT_EQ(d.loadsharing_info.max_reserve, 0.0);
  int top = 0;
  for (int i = 1; i < m.nmuscle; ++i)
    if (d.activation[i] > d.activation[top]) top = i;
  std::printf("[ info ] quiet standing, min/max criterion: lowest reachable peak activation %.1f %% (%s)\n",
              100 * d.activation[top], m.muscle_name[top].c_str());
  EXPECT_GT(d.activation[top], 0.10) << "the min/max floor is at or below the 10 % bound now: re-run "
                                        "FullSpineTasks.DISABLED_QuietStandingNeedsOnlyLowActivations";
}

// Which abdominal muscles carry quiet standing. Snijders, Bakker, Vleeming, Stoeckart & Stam 1995
// (Clin Biomech 10:73, six healthy subjects, abstract [V]): "the activity of both the internal and the
// external obliques is significantly higher in unconstrained standing than in supine posture. Activity
// of the internal oblique was higher than that of the external oblique"; rectus abdominis continuously
// active at a low level in relaxed standing ("Activity in torso muscles during relaxed standing",
// abstract [V], µV). Model statistic: each group's activation weighted by maximal force (what a surface
// electrode roughly averages; docs/sources/standing_emg.md, fixed before the model was read). Under the
// default Σa² criterion the model turns this round — the external oblique's rib slips balance the
// thorax, the internal oblique and rectus abdominis stay near silent — since static optimization adds
// no co-contraction the posture does not need. Known failure: holds that the external oblique is still
// the busier; turns red when the internal oblique is at least as active (then assert IO ≥ EO and RA > 0).
TEST(FullSpineTasks, KnownFailure_QuietStandingObliquesTheOtherWayRoundFromSnijders1995) {
  const Model& m = test::full_spine();
  Data d(m);
  std::vector<int> order;
  quiet_standing(d, order);
  auto mean = [&](const char* group) {
    double a = 0, w = 0;
    for (int i = 0; i < m.nmuscle; ++i)
      if (m.muscle_group[i] == group) a += m.muscle_fmax[i] * d.activation[i], w += m.muscle_fmax[i];
    return a / w;
  };
  const double eo = mean("external_oblique"), io = mean("internal_oblique"), ra = mean("rectus_abdominis");
  std::printf("[ info ] quiet standing, F0-weighted activation: external oblique %.2f %%, internal oblique %.2f %%, rectus abdominis %.2f %% "
              "(in vivo: internal > external, rectus active; Snijders 1995)\n", 100 * eo, 100 * io, 100 * ra);
  EXPECT_GT(eo, io) << "the internal oblique is now at least as active as the external: make this a plain check";
}

// 300 random everyday postures: each region up to 25 % of its range on each axis, pelvis within
// ±20° on each axis, 0–10 kg in each hand (the generator of test_loadsharing_full.cpp). The issue:
// "flexion, extension, lateral bending and axial rotation can all be balanced without reserves in
// everyday tasks". Reports how many frames need a reserve and where the largest ones are.
TEST(FullSpineTasks, EverydayPosturesBalancedWithoutReserves) {
  const Model& m = test::full_spine();
  Data d(m);
  std::mt19937 rng(2026);
  std::uniform_real_distribution<double> u(0, 1);
  int with_reserve = 0;
  struct Where {
    int frames = 0;
    double most_positive = 0, most_negative = 0;  // N·m
  };
  std::map<std::pair<int, int>, Where> where;  // (joint, axis)
  const int frames = 300;
  for (int f = 0; f < frames; ++f) {
    const Posture p = everyday_posture(m, rng);
    test::solve_static(m, p, 10 * u(rng), d);
    ASSERT_EQ(d.loadsharing_info.status, QpStatus::kSolved);
    if (d.loadsharing_info.max_reserve <= 0) continue;
    ++with_reserve;
    for (int k = 0; k < m.ndof; ++k)
      if (std::abs(d.reserve[k]) > 1e-6) {
        auto& w = where[{k / 3, k % 3}];
        ++w.frames;
        w.most_positive = std::max(w.most_positive, d.reserve[k]);
        w.most_negative = std::min(w.most_negative, d.reserve[k]);
      }
  }
  std::printf("[ info ] everyday postures needing a reserve: %d of %d\n", with_reserve, frames);
  const char* axis[3] = {"flexion", "lateral bending", "axial rotation"};
  for (const auto& [ja, w] : where)
    std::printf("[ info ]   %s %s: %d frames, reserve %+.2f … %+.2f N·m\n", m.joint_name[ja.first].c_str(),
                axis[ja.second], w.frames, w.most_negative, w.most_positive);
  EXPECT_EQ(with_reserve, 0);
}

// The same everyday postures and loads, moved through quickly: a new posture every 0.5 s (twice the
// pace of `paraspine bench`'s everyday motion), 300 frames at 100 Hz, seed 1, the hand load stepping
// at each posture. The trunk's swings accelerate the head's centre of mass up to 1.03 g (printed;
// docs/performance.md measured 0.93 g in `paraspine bench`'s frames). Before
// the hyoid muscles (docs/sources/hyoid.md) 27 of these 300 frames needed C0-C1 flexion reserves (up
// to 1.64 N·m): the head's inertia against craniocervical flexors of 2.9 N·m. Inertia included
// (timeline velocities and accelerations): this checks the head's inertia, which the still postures
// above do not.
TEST(FullSpineTasks, QuickEverydayMotionBalancedWithoutReserves) {
  const Model& m = test::full_spine();
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  const int frames = 300;
  const double dt = 0.01, key_dt = 0.5;
  const int nkeys = static_cast<int>(frames * dt / key_dt) + 2;
  std::vector<double> times;
  std::vector<Posture> keys;
  for (int k = 0; k < nkeys; ++k) {
    keys.push_back(everyday_posture(m, rng));
    times.push_back(k * key_dt);
  }
  const PostureTimeline timeline(m, times, keys);
  std::vector<double> loads(nkeys);
  for (auto& l : loads) l = 10 * u(rng);
  Data d(m);
  const int head = m.segment_index("head");
  int with_reserve = 0;
  double largest = 0, peak_head_g = 0;
  std::map<std::pair<int, int>, int> where;
  for (int f = 0; f < frames; ++f) {
    const double t = f * dt;
    timeline.sample(t, d);
    clear_loads(m, d);
    for (auto& h : d.hands) h.load_mass = loads[static_cast<int>(t / key_dt)];
    evaluate_frame(m, d);
    load_sharing(m, LoadSharingSettings{}, d);
    ASSERT_EQ(d.loadsharing_info.status, QpStatus::kSolved);
    peak_head_g = std::max(peak_head_g, d.segment_com_acc.col(head).norm() / 9.81);
    if (d.loadsharing_info.max_reserve <= 0) continue;
    ++with_reserve;
    largest = std::max(largest, d.loadsharing_info.max_reserve);
    for (int k = 0; k < m.ndof; ++k)
      if (d.reserve[k] != 0) ++where[{k / 3, k % 3}];
  }
  std::printf("[ info ] quick everyday motion (a posture every 0.5 s, head up to %.2f g): %d of %d frames need a reserve "
              "(largest %.2f N·m)\n", peak_head_g, with_reserve, frames, largest);
  for (const auto& [ja, n] : where)
    std::printf("[ info ]   %s %s: %d frames\n", m.joint_name[ja.first].c_str(), kAxisNames[ja.second], n);
  EXPECT_EQ(with_reserve, 0);
}

}  // namespace
}  // namespace paraspine
