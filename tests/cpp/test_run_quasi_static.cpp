// Quasi-static time stepping: reusing load sharing while nothing that matters changed gives the
// same results as solving every frame, with far fewer solves; and the fatigue parameters a
// scenario sets per group reach the run.
#include <gtest/gtest.h>

#include <functional>
#include <string_view>
#include <stdexcept>
#include <thread>

#include <sys/resource.h>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/simulate/run.h"
#include "sim/simulate/threads.h"

namespace paraspine {
namespace {

Scenario short_sitting(const std::vector<std::string>& extra = {}) {
  const Scenario base = load_scenario("upright_sitting");
  std::vector<std::string> sets = {"keyframes[1].time=900"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return parse_scenario(apply_overrides(base.text, base.file, sets), base.file);
}

// Every frame's outputs that a reused answer restores (run.cpp, SolvedFrame), flattened.
std::function<void(double, const Data&)> record_outputs(std::vector<std::vector<double>>& out) {
  return [&out](double, const Data& d) {
    std::vector<double> v;
    for (const Eigen::VectorXd* x : {&d.activation, &d.muscle_force, &d.reserve, &d.tau, &d.fiber_length,
                                     &d.muscle_moment, &d.passive_joint_moment, &d.abdominal_pressure_moment})
      v.insert(v.end(), x->data(), x->data() + x->size());
    v.insert(v.end(), d.disc_force.data(), d.disc_force.data() + d.disc_force.size());
    out.push_back(v);
  };
}

// Largest |a − b| / max(1, |a|) over two runs' recorded frames (same length asserted by the caller).
double largest_relative_difference(const std::vector<std::vector<double>>& fa, const std::vector<std::vector<double>>& fb) {
  double worst = 0;
  for (size_t f = 0; f < fa.size(); ++f)
    for (size_t k = 0; k < fa[f].size(); ++k)
      worst = std::max(worst, std::abs(fa[f][k] - fb[f][k]) / std::max(1.0, std::abs(fa[f][k])));
  return worst;
}

TEST(RunQuasiStatic, ReuseMatchesSolvingEveryFrame) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  const Scenario s = short_sitting();
  RunOptions every, reuse;
  every.quasi_static_reuse = false;
  const auto a = run_scenario(m, s, every, nullptr), b = run_scenario(m, s, reuse, nullptr);
  EXPECT_EQ(a["load_sharing_solves"].get<long>(), a["frames"].get<long>());
  EXPECT_LT(b["load_sharing_solves"].get<long>(), a["load_sharing_solves"].get<long>());
  std::printf("[ info ] 15 min of sitting: %ld solves instead of %ld\n", b["load_sharing_solves"].get<long>(),
              a["load_sharing_solves"].get<long>());
  for (const char* j : {"L4-L5", "L5-S1", "T12-L1"})
    EXPECT_NEAR(a["joints"][j]["mean_compression_N"].get<double>(), b["joints"][j]["mean_compression_N"].get<double>(), 1.0) << j;
  for (const char* g : {"longissimus", "iliocostalis", "multifidus"})
    EXPECT_NEAR(a["groups"][g]["left"]["end_fatigued_fraction"].get<double>(),
                b["groups"][g]["left"]["end_fatigued_fraction"].get<double>(), 2e-3) << g;
}

// A repeated task: frames at the same point of later repetitions take the earlier repetition's
// answer where it stands (run.cpp, RepeatedCycle).
// - With a capacity tolerance of 0 an answer is taken only where it is exactly what a solve would
//   give (creep tolerance 0 too), so every output must match solving every frame to the solver's tolerance.
// - With a tolerance of 1 every motion frame of the later repetitions is taken: the run solves no
//   more than one repetition alone does, but for the rests (the slots find their frames).
// - With the default tolerance the summary matches solving every frame.
TEST(RunQuasiStatic, RepeatedCyclesMatchSolvingEveryFrame) {
  const Model& m = test::full_spine();
  const Scenario base = load_scenario("repetitive_lifting_shift");
  auto lifts = [&](int n) {
    return parse_scenario(apply_overrides(base.text, base.file, {"repetitions=" + std::to_string(n), "output_rate_hz=20"}), base.file);
  };
  const Scenario s = lifts(4);
  RunOptions every, exact, loose, usual;
  every.quasi_static_reuse = false;
  exact.capacity_tolerance = 0.0, exact.passive_tolerance = 0.0;
  loose.capacity_tolerance = 1.0;
  std::vector<std::vector<double>> fa, fb;
  every.on_frame = record_outputs(fa), exact.on_frame = record_outputs(fb);
  const auto a = run_scenario(m, s, every, nullptr), b = run_scenario(m, s, exact, nullptr);
  const auto c = run_scenario(m, s, loose, nullptr), c1 = run_scenario(m, lifts(1), loose, nullptr);
  const auto u = run_scenario(m, s, usual, nullptr);
  std::printf("[ info ] 4 lifts at 20 Hz, %ld frames. Solves (frames from earlier repetitions): every frame %ld; "
              "tolerance 0: %ld (%ld); 1: %ld (%ld), one lift alone %ld; default: %ld (%ld)\n",
              a["frames"].get<long>(), a["load_sharing_solves"].get<long>(), b["load_sharing_solves"].get<long>(),
              b["repeated_cycle_frames"].get<long>(), c["load_sharing_solves"].get<long>(),
              c["repeated_cycle_frames"].get<long>(), c1["load_sharing_solves"].get<long>(),
              u["load_sharing_solves"].get<long>(), u["repeated_cycle_frames"].get<long>());
  EXPECT_EQ(a["repeated_cycle_frames"].get<long>(), 0);
  EXPECT_GT(b["repeated_cycle_frames"].get<long>(), 0);
  // (+ 1 per later repetition: the rest after each lift starts with one solve; a lone lift has no rest.)
  EXPECT_LE(c["load_sharing_solves"].get<long>(), c1["load_sharing_solves"].get<long>() + 3);
  EXPECT_GT(u["repeated_cycle_frames"].get<long>(), 0);
  ASSERT_EQ(fa.size(), fb.size());
  const double worst = largest_relative_difference(fa, fb);
  EXPECT_LT(worst, 1e-6) << "a reused answer differs from the solve";
  for (const char* j : {"L4-L5", "L5-S1", "T12-L1"})
    EXPECT_NEAR(a["joints"][j]["mean_compression_N"].get<double>(), u["joints"][j]["mean_compression_N"].get<double>(), 1.0) << j;
  for (const char* g : {"longissimus", "iliocostalis", "multifidus"})
    EXPECT_NEAR(a["groups"][g]["left"]["end_fatigued_fraction"].get<double>(),
                u["groups"][g]["left"]["end_fatigued_fraction"].get<double>(), 2e-3) << g;
}

// What run_scenario skips because it would repeat bit for bit (RunOptions::reuse_frame_work: forward
// kinematics of unchanged postures, the repeated-cycle slots' fatigue maps, the inverse dynamics and
// muscle geometry of postures an earlier repetition had) changes nothing: every
// output of every frame, the fatigue states and the summary are identical to the last bit, on lifts
// with rests (held postures) and with the quasi-static reuse taking earlier repetitions' answers.
TEST(RunQuasiStatic, SkippedRepeatedWorkIsBitIdentical) {
  const Model& m = test::full_spine();
  const Scenario base = load_scenario("repetitive_lifting_shift");
  const Scenario s = parse_scenario(apply_overrides(base.text, base.file, {"repetitions=6", "output_rate_hz=20"}), base.file);
  RunOptions reuse, recompute;  // 6 lifts: the 5th and 6th re-solve points of the lift (28 frames)
  recompute.reuse_frame_work = false;
  std::vector<std::vector<double>> fa, fb;
  auto record = [](std::vector<std::vector<double>>& out) {
    return [&out, rec = record_outputs(out)](double t, const Data& d) {
      rec(t, d);
      for (const FatigueState& f : d.fatigue) out.back().insert(out.back().end(), {f.active, f.resting, f.fatigued});
      out.back().insert(out.back().end(), d.muscle_capacity.data(), d.muscle_capacity.data() + d.muscle_capacity.size());
      out.back().insert(out.back().end(), d.segment_origin.data(), d.segment_origin.data() + d.segment_origin.size());
      // What the posture's work (run.cpp, PostureWork) restores.
      for (const auto* v : {&d.tau, &d.fiber_length, &d.fiber_velocity, &d.muscle_length, &d.muscle_velocity,
                            &d.cos_pennation, &d.force_active_max, &d.force_passive, &d.fiber_length_norm,
                            &d.fiber_velocity_norm, &d.piece_length})
        out.back().insert(out.back().end(), v->data(), v->data() + v->size());
      for (const auto* v : {&d.joint_force, &d.joint_moment, &d.joint_force_local, &d.joint_moment_local,
                            &d.hand_position, &d.point_world, &d.piece_direction})
        out.back().insert(out.back().end(), v->data(), v->data() + v->size());
      // The moment arms (ndof × nmuscle a frame) by a hash of their bytes, in two exact 32-bit halves.
      const size_t h = std::hash<std::string_view>{}(std::string_view(
          reinterpret_cast<const char*>(d.moment_arm.data()), sizeof(double) * static_cast<size_t>(d.moment_arm.size())));
      out.back().insert(out.back().end(), {double(h & 0xffffffffu), double(h >> 32)});
    };
  };
  reuse.on_frame = record(fa), recompute.on_frame = record(fb);
  auto a = run_scenario(m, s, reuse, nullptr), b = run_scenario(m, s, recompute, nullptr);
  // Solved frames of the later repetitions took the first's inverse dynamics and geometry.
  EXPECT_GT(a["repeated_posture_frames"].get<long>(), 0);
  EXPECT_EQ(b["repeated_posture_frames"].get<long>(), 0);
  a.erase("repeated_posture_frames"), b.erase("repeated_posture_frames");
  EXPECT_EQ(a.dump(), b.dump());
  EXPECT_GT(a["repeated_cycle_frames"].get<long>(), 0);
  ASSERT_EQ(fa.size(), fb.size());
  for (size_t f = 0; f < fa.size(); ++f) ASSERT_TRUE(fa[f] == fb[f]) << "frame " << f;
}

// Micro-breaks change where each repetition starts (blocks of break_every lifts, then a break): the
// repeated-cycle slots follow the time within the cycle, so with tolerances 0 the run with breaks
// also equals solving every frame.
TEST(RunQuasiStatic, RepeatedCyclesWithBreaksMatchSolvingEveryFrame) {
  const Model& m = test::full_spine();
  const Scenario base = load_scenario("repetitive_lifting_shift_microbreaks");
  const Scenario s = parse_scenario(
      apply_overrides(base.text, base.file, {"repetitions=6", "break_every=2", "break_s=20", "output_rate_hz=10"}), base.file);
  RunOptions every, exact;
  every.quasi_static_reuse = false;
  exact.capacity_tolerance = 0.0, exact.passive_tolerance = 0.0;
  std::vector<std::vector<double>> fa, fb;
  every.on_frame = record_outputs(fa), exact.on_frame = record_outputs(fb);
  const auto a = run_scenario(m, s, every, nullptr), b = run_scenario(m, s, exact, nullptr);
  EXPECT_GT(b["repeated_cycle_frames"].get<long>(), 0);
  ASSERT_EQ(fa.size(), fb.size());
  const double worst = largest_relative_difference(fa, fb);
  EXPECT_LT(worst, 1e-6);
  std::printf("[ info ] 6 lifts with 2 breaks: %ld frames, %ld solves, %ld from earlier repetitions, worst %g\n",
              b["frames"].get<long>(), b["load_sharing_solves"].get<long>(), b["repeated_cycle_frames"].get<long>(), worst);
}

// A repeated task whose frames need reserves at the same points of every repetition (a subject at
// 40 % strength lifting the shift's box: reserves from the first lift) and whose fatigue moves the
// capacities only a little per repetition (fatigue and recovery rates a twentieth of the model's, so
// the state is near-periodic from the start, as the shift's is hours after its task failed). With
// tolerances 0 every frame whose capacities moved is solved; a solve whose point of the cycle needed
// reserves in the last two repetitions, with multipliers that settled, warm-starts from the last
// repetition's multipliers (run.cpp, RepeatedCycle) rather than the last frame's, whose posture
// differs:
// - fewer solver steps (off, the counts are equal and the test fails);
// - every solve reaches the optimum of its QP: each solved frame's QP solved again cold agrees to
//   the solver's tolerance (the QP is strictly convex), no frame unsolved, all in equilibrium;
// - the run's outputs agree with the run warm-started from the last frame;
// - the same bits run after run and for any --threads (the fatigue path is serial).
TEST(RunQuasiStatic, RepeatedCyclesWarmStartFromTheLastRepetition) {
  Subject weak;
  weak.strength_factor = 0.4;
  weak.fatigue_rate_scale = weak.recovery_rate_scale = 0.05;
  const Model m = scale_model(test::full_spine(), weak);
  const Scenario base = load_scenario("repetitive_lifting_shift");
  const Scenario s = parse_scenario(apply_overrides(base.text, base.file, {"repetitions=5", "rest_s=1"}), base.file);
  struct Run {
    nlohmann::json summary;
    std::vector<std::vector<double>> frames;
    int unsolved = 0, checked = 0;
    double worst_equilibrium = 0, worst_activation = 0, worst_reserve = 0;
  };
  auto run = [&](bool from_repetition, int threads) {
    Run r;
    RunOptions o;
    o.warm_start_from_repetition = from_repetition;
    o.threads = threads;
    o.capacity_tolerance = 0, o.passive_tolerance = 0;
    auto record = record_outputs(r.frames);
    Eigen::VectorXd checked_lambda;
    QpWorkspace cold;
    o.on_frame = [&](double t, const Data& d) {
      record(t, d);
      r.unsolved += d.loadsharing_info.status != QpStatus::kSolved;
      r.worst_equilibrium = std::max(r.worst_equilibrium, d.loadsharing_info.equilibrium_residual);
      // The last solve's QP (d.qp), once per solve: solved again from λ = 0.
      if (threads > 1 || (checked_lambda.size() == d.qp.lambda.size() && checked_lambda == d.qp.lambda)) return;
      checked_lambda = d.qp.lambda;
      cold = d.qp;
      QpInfo qi;
      qp_solve(o.loadsharing.qp, cold, qi, false);
      ++r.checked;
      for (int i = 0; i < cold.n; ++i)
        (i < m.nmuscle ? r.worst_activation : r.worst_reserve) =
            std::max(i < m.nmuscle ? r.worst_activation : r.worst_reserve, std::abs(cold.x[i] - d.qp.x[i]));
    };
    r.summary = run_scenario(m, s, o, nullptr);
    return r;
  };
  const Run last = run(false, 1), repetition = run(true, 1);
  const long steps_last = last.summary["load_sharing_iterations"].get<long>();
  const long steps_repetition = repetition.summary["load_sharing_iterations"].get<long>();
  std::printf("[ info ] 5 lifts at 40 %% strength, %ld frames (reserves in %.1f %%), %ld solves: solver steps %ld "
              "warm-started from the last frame, %ld from the last repetition where reserves act\n",
              last.summary["frames"].get<long>(), 100 * last.summary["reserves"]["frames_used_fraction"].get<double>(),
              last.summary["load_sharing_solves"].get<long>(), steps_last, steps_repetition);
  std::printf("[ info ] against cold solves of the same QPs (%d and %d): activation %.1e and %.1e, reserve %.1e and "
              "%.1e N·m; equilibrium %.1e and %.1e N·m\n",
              last.checked, repetition.checked, last.worst_activation, repetition.worst_activation, last.worst_reserve,
              repetition.worst_reserve, last.worst_equilibrium, repetition.worst_equilibrium);
  ASSERT_GT(last.summary["reserves"]["frames_used_fraction"].get<double>(), 0.05);  // the case this is about
  EXPECT_EQ(last.summary["load_sharing_solves"], repetition.summary["load_sharing_solves"]);
  EXPECT_LT(steps_repetition, 0.9 * steps_last);  // measured: 2425 → 1989 (546 fascicles), 1280 → 808 (678)
  EXPECT_EQ(last.unsolved, 0);
  EXPECT_EQ(repetition.unsolved, 0);
  EXPECT_GT(repetition.checked, 100);
  EXPECT_LT(repetition.worst_activation, 1e-4);
  EXPECT_LT(repetition.worst_reserve, 1e-4);
  EXPECT_LT(repetition.worst_equilibrium, 1e-4);
  ASSERT_EQ(last.frames.size(), repetition.frames.size());
  const double worst = largest_relative_difference(last.frames, repetition.frames);
  std::printf("[ info ] largest difference of any output between the two runs: %.1e (relative above 1)\n", worst);
  // Measured: 7.8e-6 (546 fascicles), 9.5e-6 (678); 1.09e-4 after session 9's neck flexion rhythm, all of
  // it in the right shear of T-level discs (zero by symmetry in this sagittal lift, 1.1e-4 N against
  // 1e-11 N): a sum over ~680 fascicles' lateral force components, each agreeing to 4.2e-5 N (activations
  // 3.6e-6, reserves 3.5e-8 N·m, compression 1.3e-8 relative). The bound allows that summed solver noise.
  EXPECT_LT(worst, 2e-4);
  // Deterministic, whatever --threads says (a run with fatigue is serial at any count: this catches
  // run-to-run nondeterminism, e.g. uninitialised state, more than thread effects).
  const Run again = run(true, 2);
  EXPECT_EQ(again.summary, repetition.summary);
  EXPECT_EQ(again.frames, repetition.frames);
}

TEST(RunQuasiStatic, ScenarioFatigueParametersPerGroupReachTheRun) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  const Scenario plain = short_sitting();
  const auto params = scenario_fatigue_parameters(plain, m);
  for (int i = 0; i < m.nmuscle; ++i) EXPECT_EQ(params[i].F, m.muscle_fatigue[i].F);
  // Halving the longissimus fatigue rate changes only the longissimus.
  const Scenario slow = parse_scenario(plain.text + "fatigue: {groups: {longissimus: {F: 0.003775}}}\n", plain.file);
  const auto p2 = scenario_fatigue_parameters(slow, m);
  for (int i = 0; i < m.nmuscle; ++i)
    EXPECT_DOUBLE_EQ(p2[i].F, m.muscle_group[i] == "longissimus" ? 0.003775 : m.muscle_fatigue[i].F);
  const auto a = run_scenario(m, plain, RunOptions{}, nullptr), b = run_scenario(m, slow, RunOptions{}, nullptr);
  EXPECT_LT(b["groups"]["longissimus"]["left"]["end_fatigued_fraction"].get<double>(),
            a["groups"]["longissimus"]["left"]["end_fatigued_fraction"].get<double>());
  // An unknown group names the file, the line and the field.
  const Scenario bad = parse_scenario(plain.text + "fatigue:\n  groups:\n    longisimus: {F: 0.01}\n", "sit.yaml");
  try {
    scenario_fatigue_parameters(bad, m);
    FAIL() << "unknown group accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sit.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fatigue.groups.longisimus"), std::string::npos) << e.what();
    // ... and lists the model's groups, as an unknown region or segment does.
    EXPECT_NE(std::string(e.what()).find("in model 'full_spine' (it has: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("longissimus"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("multifidus"), std::string::npos) << e.what();
  }
  // The subject's fatigability scales every F and R.
  Subject deconditioned;
  deconditioned.fatigue_rate_scale = 1.5;
  deconditioned.recovery_rate_scale = 0.5;
  const Model md = scale_model(m, deconditioned);
  EXPECT_DOUBLE_EQ(md.muscle_fatigue[0].F, 1.5 * m.muscle_fatigue[0].F);
  EXPECT_DOUBLE_EQ(md.muscle_fatigue[0].R, 0.5 * m.muscle_fatigue[0].R);
  const auto c = run_scenario(md, plain, RunOptions{}, nullptr);
  EXPECT_GT(c["groups"]["longissimus"]["left"]["end_fatigued_fraction"].get<double>(),
            a["groups"]["longissimus"]["left"]["end_fatigued_fraction"].get<double>());
}

// Every frame of a fatigued still hold ends solved: 40 min of standing at 0.2 Hz, where the
// warm-started solver once stopped at its iteration limit with residuals up to 6e-3 N·m (the cold
// interior-point retry of load_sharing closes them).
TEST(RunQuasiStatic, EveryFrameOfAFatiguedHoldIsSolved) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  const Scenario base = load_scenario("prolonged_standing");
  const Scenario s = parse_scenario(apply_overrides(base.text, base.file, {"output_rate_hz=0.2", "keyframes[1].time=2400"}), base.file);
  RunOptions opt;
  int unsolved = 0;
  double worst = 0;
  opt.on_frame = [&](double, const Data& d) {
    unsolved += d.loadsharing_info.status != QpStatus::kSolved;
    worst = std::max(worst, d.loadsharing_info.equilibrium_residual);
  };
  run_scenario(m, s, opt, nullptr);
  EXPECT_EQ(unsolved, 0);
  EXPECT_LT(worst, 1e-5);
}

// Frames solved in parallel (no fatigue, run.cpp): every frame reaches on_frame once, in order, with
// the same bits for 1 and 2 threads (golf_swing has frames where reserves act, whose successors
// warm-start differently), on the calling thread; and an on_frame that throws stops the run with
// its exception (it must not be lost or end the process).
TEST(RunFrameParallel, InOrderIdenticalForThreadCountsAndAbortable) {
  const Model& m = test::full_spine();
  const Scenario base = load_scenario("golf_swing");
  const Scenario s = parse_scenario(apply_overrides(base.text, base.file, {"repetitions=1", "output_rate_hz=50"}), base.file);
  const std::thread::id caller = std::this_thread::get_id();
  bool callers_thread = true;
  auto run = [&](int threads, std::vector<std::vector<double>>& out, std::vector<double>& times) {
    RunOptions o;
    o.time_coupling = false, o.threads = threads;
    auto record = record_outputs(out);
    o.on_frame = [&](double t, const Data& d) {
      callers_thread = callers_thread && std::this_thread::get_id() == caller;
      times.push_back(t), record(t, d);
    };
    return run_scenario(m, s, o, nullptr);
  };
  std::vector<std::vector<double>> one, two;
  std::vector<double> t1, t2;
  const auto a = run(1, one, t1), b = run(2, two, t2);
  EXPECT_TRUE(callers_thread);  // on_frame runs on the thread that called run_scenario
  EXPECT_EQ(a, b);
  ASSERT_EQ(one.size(), t1.size());
  ASSERT_EQ(one.size(), two.size());
  ASSERT_GT(one.size(), 300u);  // more than one block of 256 frames on one thread
  for (size_t f = 0; f < one.size(); ++f) {
    EXPECT_EQ(one[f], two[f]) << "frame " << f;
    EXPECT_DOUBLE_EQ(t1[f], FrameClock(s).time(static_cast<long>(f)));  // f / 50, and the exact end
  }
  // The 7.17-s swing at 50 Hz: the last frame is the end of the swing, off the 20-ms grid.
  EXPECT_DOUBLE_EQ(t1[t1.size() - 2], (t1.size() - 2) / 50.0);
  EXPECT_DOUBLE_EQ(t1.back(), s.duration_s());
  // Abort from on_frame after 100 frames, on two threads: the exception comes out of run_scenario.
  RunOptions o;
  o.time_coupling = false, o.threads = 2;
  long seen = 0;
  o.on_frame = [&](double, const Data&) {
    if (++seen == 100) throw std::runtime_error("stop");
  };
  EXPECT_THROW(run_scenario(m, s, o, nullptr), std::runtime_error);
  EXPECT_EQ(seen, 100);
}

}  // namespace
}  // namespace paraspine

namespace paraspine {
namespace {

// The engine caps thread requests itself (sim/simulate/threads.h), whoever calls it: a C++ caller
// asking run_scenario for 100 000 threads used to get 100 000 Data of 1.3 MB (130 GB). Run in a
// child process under a 4 GB address-space limit, so a missing cap fails the test (bad_alloc or
// death) instead of taking the machine's memory.
TEST(RunThreads, TheEngineCapsThreadRequests) {
  EXPECT_EQ(capped_threads(0), 1);
  EXPECT_EQ(capped_threads(100000), thread_cap());
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reserves terabytes of shadow address space, so the child dies in the
  // sanitizer's own mmap under any 4 GB RLIMIT_AS ("ERROR: Failed to mmap"), cap or no cap; without
  // the limit a missing cap would take the machine's memory. The release build runs the child.
  GTEST_SKIP() << "the address-space limit cannot hold under AddressSanitizer";
#endif
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto child = [] {
    const rlimit limit{4ul << 30, 4ul << 30};
    setrlimit(RLIMIT_AS, &limit);
    const Model& m = test::full_spine();
    const Scenario base = load_scenario("squat_lift");
    const Scenario s = parse_scenario(apply_overrides(base.text, base.file, {"output_rate_hz=10"}), base.file);
    RunOptions o;
    o.time_coupling = false, o.threads = 100000;
    run_scenario(m, s, o, nullptr);
    std::exit(0);
  };
  EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace paraspine
