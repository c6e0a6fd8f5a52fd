#include "sim/simulate/run.h"
#include "sim/simulate/run_notes.h"
#include "sim/simulate/load_limits.h"
#include "sim/simulate/threads.h"
#include "sim/model/known_limits.h"
#include "sim/model/summary.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <map>
#include <type_traits>
#include <utility>

#include <fmt/format.h>
#include <omp.h>

#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/fatigue/endurance.h"
#include "sim/fatigue/fatigue.h"
#include "sim/loadsharing/reactions.h"
#include "sim/scenario/sample.h"
#include "sim/simulate/frame.h"
#include "sim/tissue/creep.h"

namespace paraspine {

namespace {

// What a frame's load sharing depends on, and what it produced, kept from a frame that solved it.
// In a held posture (hours of sitting) nothing but the capacities and the creep changes, and they
// change the answer only past a tolerance — so load sharing is re-solved only then. In a repeated
// task (a shift of lifts) every repetition passes through the same postures and loads: a frame at
// the same point of its cycle as a solved frame of an earlier repetition, with the same inputs and
// capacities that leave that answer standing, takes that answer (RepeatedCycle below).
struct SolvedFrame {
  Eigen::VectorXd inputs;    // everything evaluate_frame reads that the timeline sets
  Eigen::VectorXd capacity;  // capacities at the solve
  Eigen::VectorXd passive;   // passive joint moments at the solve (creep moves them)
  bool supported = false;   // the frame was a supported break (its net moments carried by the support)
  bool valid = false;
  // What the solve, its inverse dynamics and geometry wrote that the outputs and the next steps read.
  Eigen::VectorXd tau, fiber_length, activation, muscle_force, muscle_moment, reserve, abdominal_pressure_moment;
  Eigen::Matrix3Xd disc_force, abdominal_pressure_force;
  double abdominal_pressure = 0;
  decltype(Data::loadsharing_info) info;
  // The solver's multipliers at the solve: the warm start of the same point of the next repetition
  // where reserves act (kept, never restored: RepeatedCycle); and how far they moved from those of
  // the solve this one replaced in its RepeatedCycle slot (an earlier repetition's), ∞-norm, to see
  // whether they settled (infinite when there was none).
  Eigen::VectorXd lambda;
  double lambda_change = std::numeric_limits<double>::infinity();
  // Fatigue's part in the answer, for the summary. `fatigue_bound`: some fascicle worked at a
  // capacity fatigue had lowered below 1, so fresh muscles would share the load differently; then
  // `fresh` holds the same frame solved with every fascicle at full capacity (same posture, loads
  // and creep), else the answer itself is the fresh one (the bounds below 1 are inactive, so the
  // fresh problem has the same optimum). `fatigue_reserve_share`: the largest reserve fatigue added
  // beyond the fresh frame's, as a share of that rotation's strength (the quantity the task-failure
  // rule compares with 0.5 %, endurance.h).
  bool fatigue_bound = false;
  double fatigue_reserve_share = 0;
  FatigueShortfall fatigue_reserve;  // the rotation that share is of, with its N·m (dof -1: none)
  struct Fresh {
    Eigen::VectorXd inputs, passive, compression, activation, reserve;
    bool supported = false, valid = false;
  } fresh;

  // The pairs (kept copy, Data member) that store copies in and restore copies back; the
  // capacities are kept to compare, never restored (fatigue moves them on).
  template <class Frame, class D, class F>
  static void each_output(Frame& f, D& d, F copy) {
    copy(f.tau, d.tau), copy(f.fiber_length, d.fiber_length), copy(f.activation, d.activation);
    copy(f.muscle_force, d.muscle_force), copy(f.muscle_moment, d.muscle_moment);
    copy(f.passive, d.passive_joint_moment), copy(f.reserve, d.reserve);
    copy(f.abdominal_pressure_moment, d.abdominal_pressure_moment), copy(f.disc_force, d.disc_force);
    copy(f.abdominal_pressure_force, d.abdominal_pressure_force), copy(f.abdominal_pressure, d.abdominal_pressure);
    copy(f.info, d.loadsharing_info);
  }
  void store(const Data& d, const Eigen::VectorXd& in, bool supp) {
    inputs = in, capacity = d.muscle_capacity, supported = supp, valid = true;
    fatigue_bound = false, fatigue_reserve_share = 0, fatigue_reserve = {};
    lambda = d.qp.lambda;
    each_output(*this, d, [](auto& kept, const auto& now) { kept = now; });
  }
  void restore(Data& d) const {
    each_output(*this, d, [](const auto& kept, auto& now) { now = kept; });
  }

  // Posture, rates and accelerations, pelvis motion, hands, external loads — flattened.
  static void gather(const Data& d, Eigen::VectorXd& out) {
    const Eigen::Index n = 3 * d.q.size() + 18 + 12 * static_cast<Eigen::Index>(d.hands.size()) +
                           3 * d.external_force.size();
    out.resize(n);
    Eigen::Index k = 0;
    auto put = [&](const auto& v) {
      for (Eigen::Index i = 0; i < v.size(); ++i) out[k++] = v.data()[i];
    };
    put(d.q), put(d.qd), put(d.qdd);
    put(d.pelvis_position), put(d.pelvis_velocity), put(d.pelvis_acceleration);
    put(d.pelvis_angles), put(d.pelvis_rates), put(d.pelvis_accels);
    for (const auto& h : d.hands) {
      out[k++] = h.load_mass, out[k++] = h.hanging ? 1.0 : 0.0, out[k++] = h.supported ? 1.0 : 0.0;
      put(h.position), put(h.acceleration), put(h.force);
    }
    put(d.external_force), put(d.external_point), put(d.external_moment);
  }
};

// What inverse dynamics, muscle geometry and muscle_capacity wrote for one frame's inputs (posture,
// rates, hands, external loads: SolvedFrame::gather): a pure function of them and the model. A frame
// of a repeated task that has to be solved again (fatigue moved a bound fascicle's capacity) has the
// same inputs, bit for bit, as the same point of the earlier repetitions (cycle_position_of_frame),
// so it takes these instead of recomputing them: the same bits (tested). Scratch (subtree_*,
// joint_axis_lines) is not kept. Moment arms: only each fascicle's rows that can be non-zero (the
// joints it spans, Model::muscle_joint_lo/hi; muscle_geometry leaves the others zero).
struct PostureWork {
  Eigen::VectorXd inputs;
  bool valid = false;
  Eigen::Matrix3Xd joint_force, joint_moment, joint_force_local, joint_moment_local, hand_position, point_world,
      piece_direction;
  Eigen::VectorXd tau, piece_length, muscle_length, muscle_velocity, fiber_length, fiber_velocity, cos_pennation,
      fiber_length_norm, fiber_velocity_norm, force_active_max, force_passive;
  std::vector<double> arms;  // the spans of moment_arm's columns, one after the other

  template <class Work, class D, class F>
  static void each(Work& w, D& d, F copy) {
    copy(w.joint_force, d.joint_force), copy(w.joint_moment, d.joint_moment);
    copy(w.joint_force_local, d.joint_force_local), copy(w.joint_moment_local, d.joint_moment_local);
    copy(w.hand_position, d.hand_position), copy(w.point_world, d.point_world);
    copy(w.piece_direction, d.piece_direction), copy(w.tau, d.tau), copy(w.piece_length, d.piece_length);
    copy(w.muscle_length, d.muscle_length), copy(w.muscle_velocity, d.muscle_velocity);
    copy(w.fiber_length, d.fiber_length), copy(w.fiber_velocity, d.fiber_velocity);
    copy(w.cos_pennation, d.cos_pennation), copy(w.fiber_length_norm, d.fiber_length_norm);
    copy(w.fiber_velocity_norm, d.fiber_velocity_norm), copy(w.force_active_max, d.force_active_max);
    copy(w.force_passive, d.force_passive);
  }
  static std::pair<Eigen::Index, Eigen::Index> span(const Model& m, int i) { return muscle_dof_rows(m, i); }
  static size_t span_total(const Model& m) {
    size_t n = 0;
    for (int i = 0; i < m.nmuscle; ++i) n += static_cast<size_t>(span(m, i).second - span(m, i).first);
    return n;
  }
  bool matches(const Eigen::VectorXd& in) const {
    // Bitwise (not ==): -0.0 and 0.0, or NaN, must not count as the same input.
    return valid && inputs.size() == in.size() &&
           std::memcmp(inputs.data(), in.data(), static_cast<size_t>(in.size()) * sizeof(double)) == 0;
  }
  void store(const Model& m, const Data& d, const Eigen::VectorXd& in) {
    inputs = in, valid = true;
    each(*this, d, [](auto& kept, const auto& now) { kept = now; });
    arms.resize(span_total(m));
    double* out = arms.data();
    for (int i = 0; i < m.nmuscle; ++i) {
      const auto [a, e] = span(m, i);
      std::memcpy(out, d.moment_arm.col(i).data() + a, static_cast<size_t>(e - a) * sizeof(double));
      out += e - a;
    }
  }
  void restore(const Model& m, Data& d) const {
    each(*this, d, [](const auto& kept, auto& now) { now = kept; });
    const double* in = arms.data();
    for (int i = 0; i < m.nmuscle; ++i) {
      const auto [a, e] = span(m, i);
      std::memcpy(d.moment_arm.col(i).data() + a, in, static_cast<size_t>(e - a) * sizeof(double));
      in += e - a;
    }
  }
  static double bytes(const Model& m) {
    const Data d(m);
    const PostureWork w;
    double n = 0;
    each(w, d, [&](const auto&, const auto& now) {
      if constexpr (std::is_arithmetic_v<std::decay_t<decltype(now)>>) n += 1;
      else n += static_cast<double>(now.size());
    });
    return 8.0 * (n + static_cast<double>(span_total(m)) + 3.0 * m.ndof + 256);
  }
};

// The solved frames of one repetition of a repeated task, by output frame within the cycle, for
// the next repetitions to take (SolvedFrame). The QP's answer depends only on its inputs, so a
// frame whose inputs equal a stored frame's (to rounding) and whose capacities and creep leave that
// answer standing (the quasi-static rule below) gets the answer a solve would give, to the solver's
// tolerance. Memory is bounded by one cycle (and by kMaxBytes), never by the duration. Only
// scenarios with more than one repetition use it.
//
// Each slot also keeps the fatigue step maps (FatigueStepCache) of the last frame at that point of the
// cycle: a frame that takes its slot's answer has the activations of the frame that stored the maps,
// so its fatigue step reuses them instead of two exponentials per fascicle (bit-identical: the same
// map), where Data's single map per fascicle had been replaced by the frames in between. Rests keep
// Data's own maps, which the lifts then no longer evict.
struct RepeatedCycle {
  static constexpr double kMaxBytes = 256.0 * 1024 * 1024;
  // The posture's work of the first slots, at most this much (about 0.2 MB a slot on full_spine:
  // 52 MB for the lift's 267 slots at 50 Hz); later slots of a longer cycle compute it.
  static constexpr double kMaxWorkBytes = 128.0 * 1024 * 1024;
  std::vector<SolvedFrame> frames;
  std::vector<std::vector<FatigueStepCache>> fatigue_maps;  // per slot, allocated on first use
  std::vector<PostureWork> work;                           // per slot, filled on first use
  double dt = 0;

  RepeatedCycle(const Model& m, const Scenario& s, double cycle, double dt_) : dt(dt_) {
    if (s.repetitions < 2) return;
    // Bytes per kept frame, about: 4 per-fascicle vectors, inputs and 6 per-rotation vectors
    // (one of multipliers), 2 per-joint 3-vectors; the fascicles' fatigue maps.
    const double per_frame = 8.0 * (4.0 * m.nmuscle + 13.0 * m.ndof + 8.0 * m.njoint + 256) +
                             static_cast<double>(sizeof(FatigueStepCache)) * m.nmuscle;
    const double n = std::min(std::floor(cycle / dt) + 2, kMaxBytes / per_frame);
    frames.resize(static_cast<size_t>(std::max(0.0, n)));
    fatigue_maps.resize(frames.size());
    work.resize(static_cast<size_t>(std::min(n, std::max(0.0, std::floor(kMaxWorkBytes / PostureWork::bytes(m))))));
  }
  // The slot index of the frame at time_in_cycle, or −1 when it has none (rests; a cycle that is not
  // a whole number of output frames long is still fine: inputs decide, the slot only finds the candidate).
  long index(const CyclePosition& c) const {
    if (frames.empty() || c.resting) return -1;
    const long k = std::lround(c.time_in_cycle / dt);
    return k >= 0 && k < static_cast<long>(frames.size()) ? k : -1;
  }
  SolvedFrame* slot(long k) { return k >= 0 ? &frames[static_cast<size_t>(k)] : nullptr; }
  std::vector<FatigueStepCache>* maps(long k, int nmuscle) {
    if (k < 0) return nullptr;
    std::vector<FatigueStepCache>& v = fatigue_maps[static_cast<size_t>(k)];
    if (v.empty()) v.resize(static_cast<size_t>(nmuscle));
    return &v;
  }
};

// Quasi-static reuse: posture and loads exactly as before (to rounding), and no fascicle at its
// capacity bound whose capacity moved more than RunOptions::capacity_tolerance, no passive moment
// moved more than passive_tolerance. (A fascicle below its bound does not see its capacity: the
// QP's answer is the same.) Between solves a bound fascicle's activation may exceed its capacity
// by at most the tolerance; the next solve restores the bound.
constexpr double kSameInput = 1e-12;

// A frame where reserves act (N·m): the summary counts it, and its multipliers, at the reserve
// cost's vertices, warm-start the same point of the next repetition (RepeatedCycle).
constexpr double kReservesAct = 1e-6;
// ... once they have settled: they moved by at most this fraction of the reserve cost W between the
// last two repetitions' solves at that point. In a few repetitions of a strength-limited exercise
// (side plank, bird dog: capacities drift 6–9 % per repetition) they move by a third of W or more
// (medians 0.41 W and 0.33 W) and the last frame is the nearer start; in the first hour of the
// lifting shift the median is 0.08 W. 0.25 chosen on solver steps (docs/performance.md, session 7),
// measured on the 546-fascicle model; with the intercostals the side plank needs no reserves and the
// bird dog far fewer, and the threshold was not re-tuned.
constexpr double kSettled = 0.25;

// Diagnostics: with PARASPINE_RUN_SOLVE_LOG set to a file name, one line per load-sharing solve of a
// run with fatigue — frame, time in the cycle, whether an earlier repetition's solve of that point
// was at hand, whether the solve started from it, the largest reserve of the last solve and of this
// one (N·m), the solver's steps and status (docs/performance.md, session 7: steps by kind of frame).
struct SolveLog {
  std::FILE* file = nullptr;
  SolveLog() {
    if (const char* name = std::getenv("PARASPINE_RUN_SOLVE_LOG"))
      if (!(file = std::fopen(name, "w"))) std::fprintf(stderr, "PARASPINE_RUN_SOLVE_LOG: cannot open %s\n", name);
  }
  ~SolveLog() {
    if (file) std::fclose(file);
  }
  SolveLog(const SolveLog&) = delete;
  SolveLog& operator=(const SolveLog&) = delete;
};

// Posture, hands and external loads of the frame at time t, and forward kinematics: a function of t
// alone (nothing carries over from other frames). Returns where t falls in the scenario's cycles.
// With a memo, kinematics whose inputs did not change since the last frame are not recomputed.
CyclePosition set_frame_kinematics(const Model& m, const Scenario& s, const BoundScenario& b, double cycle, long f,
                                   const FrameClock& clock, Data& d, KinematicsMemo* memo = nullptr) {
  // The frame at the exact end (FrameClock) is the end of the last repetition's cycle.
  CyclePosition end;
  end.repetition = s.repetitions - 1, end.time_in_cycle = cycle;
  const CyclePosition where = clock.is_end_frame(f) ? end : cycle_position_of_frame(s, cycle, f, clock.dt);
  clear_loads(m, d);
  sample_scenario_at(b, where, d);  // posture, rates, hands and their loads (rests: still, hands empty)
  if (memo) forward_kinematics_memo(m, d, *memo);
  else forward_kinematics(m, d);
  apply_scenario_loads(m, b, where.time_in_cycle, where.resting, d);
  return where;
}

}  // namespace

// "L4-L5 extension moment": the joint and the sense of a rotation's moment (rotation.h: + flexion,
// + to the right).
static std::string fatigue_rotation_name(const Model& m, int dof, int sense) {
  static const char* const names[3][2] = {{"extension", "flexion"}, {"left lateral bending", "right lateral bending"},
                                          {"left axial rotation", "right axial rotation"}};
  return m.joint_name[dof / 3] + " " + names[dof % 3][sense > 0 ? 1 : 0] + " moment";
}

namespace {

// When a peak was first reached: the first frame within kPeakTimeTolerance (relative) of the run's
// peak. A repeated task reaches the same peak in every repetition to rounding (golf_swing x10:
// within 4e-8 N of 2.6 kN), and a strict "larger than" gave the repetition whose rounding came out
// highest (L5-S1 at 40.7 s for a peak first reached at 3.52 s). Exact, streaming: the first frame
// within the tolerance of the final peak is a new running maximum, so only the running maxima within
// the tolerance of the current one are kept (usually one).
constexpr double kPeakTimeTolerance = 1e-9;
class FirstPeakTime {
 public:
  explicit FirstPeakTime(double t0) : t0_(t0) {}
  void add(double t, double v, double& peak) {
    if (!(v > peak)) return;
    peak = v;
    // The kept maxima rise with time, so those that fell below the new floor are a prefix. A vector
    // keeps its capacity when that prefix is erased: once it holds the most maxima ever within the
    // tolerance at once (usually one), later frames allocate nothing.
    const double floor = v / (1 + kPeakTimeTolerance);
    const auto first_kept = std::find_if(near_.begin(), near_.end(), [floor](const auto& e) { return !(e.second < floor); });
    near_.erase(near_.begin(), first_kept);
    near_.emplace_back(t, v);
  }
  double time() const { return near_.empty() ? t0_ : near_.front().first; }

 private:
  double t0_;
  std::vector<std::pair<double, double>> near_;  // (time, value) of running maxima within tolerance of the last
};

// A supported break's frame: the support carries the trunk's moments (Scenario::break_posture).
bool supported_break(const Scenario& s, const CyclePosition& where) {
  return where.on_break && s.break_posture == "supported";
}

}  // namespace

void evaluate_scenario_frame(const Model& m, const Scenario& s, const BoundScenario& b, long f, Data& d) {
  const FrameClock clock(s);
  if (f < 0 || f >= clock.frames) throw std::out_of_range("frame " + std::to_string(f) + " of a scenario with " + std::to_string(clock.frames));
  const CyclePosition where = set_frame_kinematics(m, s, b, b.times.back(), f, clock, d);
  evaluate_frame_after_kinematics(m, d);
  d.trunk_supported = supported_break(s, where);  // as the run (review24 #2: bench solved supported breaks unsupported)
}

LoadSharingSettings scenario_load_sharing(const Scenario& sc) {
  LoadSharingSettings ls;
  ls.criterion = parse_criterion(sc.criterion);
  ls.abdominal_pressure = sc.abdominal_pressure;
  ls.qp.tolerance = sc.solver_tolerance;
  return ls;
}

// Activations below this are the solver's round-off, not recruitment (a presentation floor for the
// summary's statistics, far below any activation a muscle group reports: 1e-9 of full).
constexpr double kActivationRoundOff = 1e-9;

nlohmann::json run_scenario(const Model& m, const Scenario& s, const RunOptions& options, ResultsWriter* writer) {
  if (options.write_every < 1) throw std::invalid_argument("write_every must be at least 1 (every frame)");
  BoundScenario b = bind_scenario(s, m);
  // The keyframe postures live on in b.timeline; the run never reads them again, and for a long
  // motion file (288 000 rows) they are about 200 MB.
  std::vector<Posture>().swap(b.postures);
  const std::vector<FatigueParameters> fatigue_parameters = scenario_fatigue_parameters(s, m);
  Data d(m), probe(m), fresh_probe(m);
  fatigue_reset(m, d);
  creep_reset(m, d);
  LoadSharingSettings ls = options.loadsharing;

  // Frames on the rate's grid, and one at the exact end when the rate does not divide the duration.
  const FrameClock clock(s);
  const double dt = clock.dt, cycle = b.times.back(), duration = clock.duration;
  const long frames = clock.frames;

  // Accumulators.
  std::vector<double> peak_c(m.njoint, 0), sum_c(m.njoint, 0), peak_ap(m.njoint, 0), peak_lat(m.njoint, 0);
  // The shears' signed values in the frame of their largest magnitude (+ anterior / right, the
  // schema's signs): peak_ap and peak_lat are magnitudes, and a twisting lift's L3-L4 shear runs
  // from -458 to +23 N, posterior, which the magnitude alone reads as 458 N anterior.
  std::vector<double> signed_ap(m.njoint, 0), signed_lat(m.njoint, 0);
  std::vector<double> peak_a(m.nmuscle, 0), sum_a(m.nmuscle, 0);
  // When each peak was first reached, and the peaks fresh muscles give in the same frames
  // (SolvedFrame::fatigue_bound): in a held posture the peaks come late, from fatigue-driven
  // recruitment as capacities run out, and the fresh peak is what the posture itself asks.
  std::vector<FirstPeakTime> peak_c_time(m.njoint, FirstPeakTime(clock.time(0)));
  std::vector<FirstPeakTime> fresh_peak_c_time(m.njoint, FirstPeakTime(clock.time(0)));
  std::vector<FirstPeakTime> peak_a_time(m.nmuscle, FirstPeakTime(clock.time(0)));
  std::vector<double> fresh_peak_c(m.njoint, 0), fresh_peak_a(m.nmuscle, 0);
  double fatigue_bound_from = -1, peak_fatigue_reserve_share = 0;
  FatigueShortfall peak_fatigue_reserve;  // where that peak was, and the N·m behind it
  long fatigue_reserve_frames = 0, fresh_solves = 0;
  Eigen::VectorXd fresh_lambda;  // the last fresh-muscle solve's multipliers (assess_fatigue)
  double peak_reserve = 0, endurance = -1, peak_creep = 0;
  // Where the peak reserve is: its rotation (dof), the sense the actuator acts in, and when it was
  // first reached (the same rule as the other peaks), so the summary can name it apart from the
  // failure rule's rotation, which is often elsewhere (teachrev F3: paraspinal_only's 24.8 N·m is
  // L5-S1 extension while the failure line names C7-T1).
  int peak_reserve_dof = -1, peak_reserve_sense = 0;
  FirstPeakTime peak_reserve_time(clock.time(0));
  long reserve_frames = 0, notable_reserve_frames = 0, solves = 0, solver_iterations = 0;
  double peak_neck_flexion = 0;  // degrees
  // Solves the QP did not finish (iteration limit or a numerical failure) and the largest equilibrium
  // residual of any solve: said in the summary, not only in a debugging log (session 19 audit: 12 of
  // 212 bird-dog min/max solves stopped at the limit and the run said nothing).
  long unconverged_solves = 0, cold_retries = 0;
  // Solves counted as converged whose equilibrium residual is above 100 × the solver's tolerance
  // (10⁻⁸ at the default 10⁻¹⁰) of the frame's largest net
  // moment: the QP's stall rule ends a solve that stops making progress below 10⁻⁷ (frames where
  // reserves carry large moments) as converged (audit23s #3: the first hour of the lifting shift
  // reported 0 unconverged solves and residuals up to 8.4·10⁻⁶ N·m).
  long loose_solves = 0;
  const double loose_band = 100 * options.loadsharing.qp.tolerance;
  double max_equilibrium_residual = 0;
  auto count_solve = [&](const Data& solved_frame) {
    ++solves;
    solver_iterations += solved_frame.loadsharing_info.qp_iterations;
    cold_retries += solved_frame.loadsharing_info.cold_retries;
    if (solved_frame.loadsharing_info.status != QpStatus::kSolved) ++unconverged_solves;
    else if (solved_frame.loadsharing_info.equilibrium_residual > loose_band * std::max(1.0, solved_frame.tau.lpNorm<Eigen::Infinity>()))
      ++loose_solves;
    max_equilibrium_residual = std::max(max_equilibrium_residual, solved_frame.loadsharing_info.equilibrium_residual);
  };
  std::string first_to_fail, failed_joint;
  int failed_fascicle = -1;  // the fascicle the failure rule blames (its group is first_to_fail)
  bool failed_both_sides = false;
  bool failed_at_strength_limit = false;
  // The answer of the last solve: `own` when that frame had no RepeatedCycle slot, else its slot (a
  // pointer, not a copy: a slot changes only when its own point of the cycle is solved again, and
  // that solve becomes the last one).
  SolvedFrame own;
  const SolvedFrame* last = &own;
  KinematicsMemo kinematics_memo;
  RepeatedCycle repeated(m, s, cycle, dt);
  long repeated_frames = 0, repeated_posture_frames = 0;
  Eigen::VectorXd inputs;
  SolveLog solve_log;

  // Whether a solved frame's answer stands for this frame (inputs in `inputs`, Data after kinematics):
  // the same inputs, no fascicle at its capacity bound whose capacity moved past the tolerance (a
  // fascicle below its bound does not see its capacity: the QP's answer is the same), and no passive
  // moment moved past its tolerance by creep.
  auto answer_stands = [&](const SolvedFrame& e, const Data& d, bool supported) {
    if (!options.quasi_static_reuse || !e.valid || supported != e.supported) return false;
    if ((inputs - e.inputs).lpNorm<Eigen::Infinity>() > kSameInput) return false;
    for (int i = 0; i < m.nmuscle; ++i)
      if (!(e.activation[i] < d.muscle_capacity[i] - 1e-9 ||
            std::abs(d.muscle_capacity[i] - e.capacity[i]) <= options.capacity_tolerance))
        return false;
    if (m.creep.enabled)
      for (int k = 0; k < m.ndof; k += 3)
        if (std::abs(m.dof_passive[k].moment(creep_effective_angle(d.q[k], d.creep[k])) - e.passive[k]) >
            options.passive_tolerance)
          return false;
    return true;
  };

  // After a solve stored in e (the Data still holds that frame's geometry): whether fatigue shaped
  // the answer, the fresh-muscle answer when it did (solved on fresh_probe unless e's last one stands:
  // same inputs, passive moments within tolerance), and the reserve fatigue added (SolvedFrame).
  auto assess_fatigue = [&](SolvedFrame& e, const Data& d, bool supported) {
    for (int i = 0; i < m.nmuscle && !e.fatigue_bound; ++i)
      e.fatigue_bound = d.muscle_capacity[i] < 1 && d.activation[i] >= d.muscle_capacity[i] - 1e-9;
    if (!e.fatigue_bound) return;
    SolvedFrame::Fresh& f = e.fresh;
    const bool stands = f.valid && f.supported == supported && f.inputs.size() == inputs.size() &&
                        (inputs - f.inputs).lpNorm<Eigen::Infinity>() <= kSameInput &&
                        (d.passive_joint_moment - f.passive).lpNorm<Eigen::Infinity>() <= options.passive_tolerance;
    if (!stands) {
      fresh_probe = d;  // the frame's geometry
      fresh_probe.muscle_capacity.setOnes();
      // Warm-started from the last fresh solve (a held posture's is the same problem), not from the
      // fatigued one just done, whose multipliers sit where the capacities bind.
      if (fresh_lambda.size() > 0) load_sharing(m, ls, fresh_probe, fresh_lambda);
      else load_sharing(m, ls, fresh_probe);
      fresh_lambda = fresh_probe.qp.lambda;
      reactions(m, fresh_probe);
      f.inputs = inputs, f.passive = d.passive_joint_moment, f.supported = supported, f.valid = true;
      f.compression = fresh_probe.disc_force.row(0).transpose();
      f.activation = fresh_probe.activation;
      f.reserve = fresh_probe.reserve;
      ++fresh_solves;
    }
    if (d.loadsharing_info.max_reserve <= kReservesAct) return;
    // The failure rule's measure (endurance.h), without a fascicle to blame.
    const FatigueShortfall w = worst_fatigue_shortfall(m, d, &f.reserve, e.fatigue_reserve_share, false);
    if (w.dof >= 0) e.fatigue_reserve_share = w.share, e.fatigue_reserve = w;
  };

  // One frame in order: the quasi-static check, load sharing, task failure, fatigue, creep, output.
  // `solved`: the frame was prepared and solved already (the frame-parallel path without fatigue).
  auto process = [&](long f, Data& d, bool solved) {
    const double t = clock.time(f), step = clock.step_into(f);
    if (!solved) {
    const CyclePosition where = set_frame_kinematics(m, s, b, cycle, f, clock, d, options.reuse_frame_work ? &kinematics_memo : nullptr);
    SolvedFrame::gather(d, inputs);
    const bool supported = supported_break(s, where);
    const long slot_index = repeated.index(where);
    // Quasi-static reuse: the last solve's answer (a held posture), else the answer of the same
    // point of an earlier repetition (a repeated task), else a solve.
    bool same = answer_stands(*last, d, supported);
    SolvedFrame* slot = same ? nullptr : repeated.slot(slot_index);
    if (slot && answer_stands(*slot, d, supported)) {
      slot->restore(d);
      last = slot;
      same = true;
      ++repeated_frames;
    }
    if (!same) {
      // A point of the repeated cycle seen before with the same inputs: its posture's work, else computed.
      PostureWork* work = options.reuse_frame_work && slot_index >= 0 && slot_index < static_cast<long>(repeated.work.size())
                              ? &repeated.work[static_cast<size_t>(slot_index)]
                              : nullptr;
      if (work && work->matches(inputs)) {
        work->restore(m, d);
        ++repeated_posture_frames;
      } else {
        evaluate_frame_after_kinematics(m, d);
        if (work) work->store(m, d, inputs);
      }
      d.trunk_supported = supported;  // the support carries the trunk's moments (Scenario::break_posture)
      // Warm start: the last solve's multipliers, or those of the same point of the last
      // repetition that solved it, where reserves acted there and its multipliers had settled —
      // moved by at most kSettled times the reserve cost since the repetition before (RepeatedCycle).
      const bool from_repetition =
          slot && slot->valid && options.warm_start_from_repetition && slot->info.max_reserve > kReservesAct &&
          slot->lambda_change <= kSettled * ls.reserve_cost;
      const double reserve_before = d.loadsharing_info.max_reserve;
      if (from_repetition) load_sharing(m, ls, d, slot->lambda);
      else load_sharing(m, ls, d);
      if (solve_log.file)
        std::fprintf(solve_log.file, "%ld %.4f %d %d %.6g %.6g %d %d\n", f, where.time_in_cycle, int(slot && slot->valid),
                     int(from_repetition), reserve_before, d.loadsharing_info.max_reserve,
                     d.loadsharing_info.qp_iterations, int(d.loadsharing_info.status));
      reactions(m, d);
      count_solve(d);
      if (slot) {
        const double change = slot->valid && slot->lambda.size() == d.qp.lambda.size()
                                  ? (d.qp.lambda - slot->lambda).lpNorm<Eigen::Infinity>()
                                  : std::numeric_limits<double>::infinity();
        slot->store(d, inputs, supported);  // same-sized vectors: copies into the slot's storage, no allocation
        slot->lambda_change = change;
        last = slot;
      } else {
        own.store(d, inputs, supported);
        last = &own;
      }
      assess_fatigue(slot ? *slot : own, d, supported);  // the answer just stored (last)
    }
    // Task failure (endurance.h): the first frame whose fatigued muscles fall short of what fresh
    // muscles would carry, by 0.5 % of the rotation's strength.
    if (endurance < 0 && !same) {
      const TaskFailure fail = check_task_failure(m, ls, d, probe);
      if (fail.failed) {
        endurance = t;
        first_to_fail = fail.muscle >= 0 ? m.muscle_group[fail.muscle] : std::string("unknown");
        failed_fascicle = fail.muscle;
        // In a symmetric task the two sides fail together: its mirror fascicle as fatigued (to 10⁻⁶)
        // makes the side "both" rather than whichever the fascicle order put first.
        if (fail.muscle >= 0) {
          std::string mirror = m.muscle_name[fail.muscle];
          const size_t n = mirror.size();
          if (n > 2 && mirror[n - 2] == '_' && (mirror[n - 1] == 'r' || mirror[n - 1] == 'l')) {
            mirror[n - 1] = mirror[n - 1] == 'r' ? 'l' : 'r';
            const int k = m.muscle_index(mirror);
            failed_both_sides = k >= 0 && std::abs(d.fatigue[k].fatigued - d.fatigue[fail.muscle].fatigued) <= 1e-6;
          }
        }
        failed_joint = m.joint_name[fail.dof / 3];
        // Strength, not endurance: the fascicle was at full activation fresh and gave out sooner than
        // one held at 95 % of its strength would (three_compartment.h endurance_time).
        failed_at_strength_limit =
            fail.at_strength_limit && fail.muscle >= 0 && t <= endurance_time(fatigue_parameters[fail.muscle], 0.95);
      }
    }
    // Fatigue and creep carry the frame's activations and posture over its interval (FrameClock::step_into);
    // a frame of the repeated cycle steps with its slot's fatigue maps (RepeatedCycle).
    if (std::vector<FatigueStepCache>* maps = options.reuse_frame_work ? repeated.maps(slot_index, m.nmuscle) : nullptr) {
      std::swap(d.fatigue_cache, *maps);
      fatigue_update(m, fatigue_parameters, step, d);
      std::swap(d.fatigue_cache, *maps);
    } else {
      fatigue_update(m, fatigue_parameters, step, d);
    }
    creep_update(m, step, d);
    } else {
      count_solve(d);
    }

    // The answer this frame took (none on the frame-parallel path: fresh muscles there).
    const SolvedFrame* answer = solved ? nullptr : last;
    const bool bound = answer && answer->fatigue_bound;
    if (bound && fatigue_bound_from < 0) fatigue_bound_from = t;
    // A frame whose loads are not numbers is never written or summed: the run stops (audit25i #2: a
    // motion that asked a NaN acceleration wrote NaN into every per-frame field with exit 0).
    if (!d.disc_force.allFinite() || !d.activation.allFinite())
      throw std::runtime_error(fmt::format("at t = {:g} s the loads are not finite numbers (load sharing: {}): the posture, its speed "
                                           "or a load asks something the model cannot compute; nothing was written",
                                           t, qp_status_name(d.loadsharing_info.status)));
    for (int j = 0; j < m.njoint; ++j) {
      const double c = d.disc_force(0, j);
      peak_c_time[j].add(t, c, peak_c[j]);
      fresh_peak_c_time[j].add(t, bound ? answer->fresh.compression[j] : c, fresh_peak_c[j]);
      sum_c[j] += c;
      const double ap = d.disc_force(1, j), lat = d.disc_force(2, j);
      if (std::abs(ap) > peak_ap[j]) peak_ap[j] = std::abs(ap), signed_ap[j] = ap;
      if (std::abs(lat) > peak_lat[j]) peak_lat[j] = std::abs(lat), signed_lat[j] = lat;
    }
    for (int i = 0; i < m.nmuscle; ++i) {
      // Round-off of the solver (2.6e-15 in a symmetric hold) is no activity: the summary counted it as
      // a peak, at its own time, on one side only (audit25j #10). The file keeps every value as solved.
      const double a = d.activation[i] < kActivationRoundOff ? 0.0 : d.activation[i];
      peak_a_time[i].add(t, a, peak_a[i]);
      const double fresh_a = bound ? answer->fresh.activation[i] : a;
      fresh_peak_a[i] = std::max(fresh_peak_a[i], fresh_a < kActivationRoundOff ? 0.0 : fresh_a);
      sum_a[i] += a;
    }
    if (answer) {
      if (answer->fatigue_reserve_share > peak_fatigue_reserve_share)
        peak_fatigue_reserve_share = answer->fatigue_reserve_share, peak_fatigue_reserve = answer->fatigue_reserve;
      if (answer->fatigue_reserve_share > kTaskFailureThreshold) ++fatigue_reserve_frames;
    }
    const double reserve = reserve_needed(d.loadsharing_info);  // minmax's band is not a reserve (audit26b M1)
    if (reserve > peak_reserve && d.reserve.size() > 0) {
      Eigen::Index k = 0;
      d.reserve.cwiseAbs().maxCoeff(&k);
      peak_reserve_dof = int(k), peak_reserve_sense = d.reserve[k] > 0 ? 1 : -1;
    }
    peak_reserve_time.add(t, reserve, peak_reserve);
    if (reserve > kReservesAct) ++reserve_frames;
    if (reserve >= kNotableReserveNm) ++notable_reserve_frames;
    if (m.creep.enabled) peak_creep = std::max(peak_creep, d.creep.maxCoeff());
    peak_neck_flexion = std::max(peak_neck_flexion, neck_flexion_deg(m, d.q));  // the run's notes (run_notes.h)
    if (writer && (f % options.write_every == 0 || f == frames - 1)) writer->append(t, d);
    if (options.on_frame) options.on_frame(t, d);
    if (options.progress && (f % 50 == 0 || f == frames - 1)) options.progress(double(f + 1) / frames, t, duration);
  };

  const int threads = capped_threads(options.threads);
  if (!options.time_coupling) {
    // Without fatigue and creep, frames depend on each other only through the solver's warm start:
    // they are solved in parallel in fixed chains of kChain frames, each starting cold and warm-
    // starting frame to frame. The chains are the same for every thread count, so results are
    // bit-identical whatever --threads is (and agree with one long warm-started chain to the QP's
    // tolerance, 1e-10 relative).
    // Each thread computes in its own Data (1.2 MB on the full model), warm-starting frame to frame
    // of a chain; a frame keeps only its outputs (SolvedFrame: about 40 kB) until it is processed in
    // order. (Until session 6 every frame of a block had its own Data: 64 of them on two threads, a
    // working set that two cores sharing one memory bus paid for: docs/performance.md, "Threads".)
    // Eight chains per thread and block: a barrier per block costs each thread the wait for the
    // slowest chain, and with 40-kB outputs a larger block no longer costs memory (256 frames on two
    // threads, 10 MB). Two per thread (when each frame kept a whole Data) lost 0.6 s of CPU to the
    // barriers on golf_swing x3 on two threads under load; eight: 0.2 s.
    //
    // Blocks are pipelined: while the threads compute block k, the calling thread first hands block
    // k − 1 to the summary, the writer and on_frame, in frame order (the only serial part), then joins in.
    constexpr long kChain = 16, kChainsPerThread = 8;
    const long block = kChain * kChainsPerThread * threads;
    struct Block {
      std::vector<SolvedFrame> outputs;
      std::vector<Eigen::VectorXd> postures;
      long f0 = 0, n = 0;
    };
    Block blocks[2];
    for (Block& k : blocks) {
      k.outputs.resize(static_cast<size_t>(std::min(block, frames)));
      k.postures.resize(k.outputs.size());
    }
    std::vector<Data> scratch(static_cast<size_t>(threads), Data(m));
    const Eigen::VectorXd no_inputs;
    d.muscle_capacity.setOnes();
    std::exception_ptr failure;  // the first exception (an on_frame that aborts): rethrown after the block
    std::atomic<bool> stop{false};
    auto fail = [&] {
#pragma omp critical(paraspine_run_failure)
      if (!failure) failure = std::current_exception();
      stop = true;
    };
    const long nblocks = (frames + block - 1) / block;
    for (long k = 0; k <= nblocks; ++k) {
      Block* next = k < nblocks ? &blocks[k % 2] : nullptr;
      const Block* done = k > 0 ? &blocks[(k - 1) % 2] : nullptr;
      if (next) next->f0 = k * block, next->n = std::min(block, frames - k * block);
      const long nchains = next ? (next->n + kChain - 1) / kChain : 0;
#pragma omp parallel num_threads(threads)
      {
        // On the calling thread (the team's master): on_frame and progress callbacks are the
        // caller's (Python sets its error indicator on the thread it runs on, and checks for
        // Ctrl-C only on the main thread).
#pragma omp master
        if (done) try {
            for (long i = 0; i < done->n && !stop; ++i) {
              done->outputs[static_cast<size_t>(i)].restore(d);
              d.q = done->postures[static_cast<size_t>(i)];
              process(done->f0 + i, d, true);
            }
          } catch (...) {
            fail();
          }
#pragma omp for schedule(dynamic, 1) nowait
        for (long c = 0; c < nchains; ++c) {
          if (stop) continue;
          try {
            Data& x = scratch[static_cast<size_t>(omp_get_thread_num())];
            x.loadsharing_warm = false;  // the chain starts cold, then warm-starts from its previous frame
            for (long i = c * kChain; i < std::min(next->n, (c + 1) * kChain); ++i) {
              const CyclePosition where = set_frame_kinematics(m, s, b, cycle, next->f0 + i, clock, x);
              evaluate_frame_after_kinematics(m, x);
              x.muscle_capacity.setOnes();
              x.trunk_supported = supported_break(s, where);
              load_sharing(m, ls, x);
              reactions(m, x);
              next->outputs[static_cast<size_t>(i)].store(x, no_inputs, false);
              next->postures[static_cast<size_t>(i)] = x.q;
            }
          } catch (...) {
            fail();
          }
        }
      }
      if (failure) std::rethrow_exception(failure);
    }
  } else {
    // Fatigue and creep couple every frame to the one before, so frames run in order, on one thread
    // whatever --threads says. (Until session 3 the frames' preparation ran in parallel blocks; once
    // the quasi-static reuse skipped the geometry of held frames and the solver got cheaper, that
    // was slower at every thread count measured: slouched_sitting 0.91 s on one thread, 1.18 s on
    // two; golf_swing with fatigue 1.69 vs 1.96 s; docs/performance.md, "Threads".)
    for (long f = 0; f < frames; ++f) process(f, d, false);
  }

  nlohmann::json j;
  j["scenario"] = s.name;
  // Where the kinematics came from when not the scenario's keyframes (audit26d #17: a --motion run
  // was titled after its template alone).
  if (!s.motion_file.empty()) j["motion_file"] = s.motion_file;
  j["model"] = m.name;
  j["subject"] = subject_summary(m);
  j["criterion"] = s.criterion;
  j["duration_s"] = duration;
  j["frames"] = frames;
  j["load_sharing_solves"] = solves;
  j["load_sharing_unconverged_solves"] = unconverged_solves;
  j["load_sharing_loose_solves"] = loose_solves;
  j["load_sharing_max_residual_Nm"] = max_equilibrium_residual;
  j["load_sharing_iterations"] = solver_iterations;  // the solver's steps over all solves (QpInfo::iterations)
  j["load_sharing_cold_retries"] = cold_retries;  // warm starts that failed and were solved again from λ = 0
  j["repeated_cycle_frames"] = repeated_frames;  // frames that took an earlier repetition's answer
  // Solved frames whose inverse dynamics and muscle geometry were an earlier repetition's (PostureWork).
  j["repeated_posture_frames"] = repeated_posture_frames;
  nlohmann::json joints = nlohmann::json::object();
  for (int k = 0; k < m.njoint; ++k)
    joints[m.joint_name[k]] = {{"peak_compression_N", peak_c[k]}, {"mean_compression_N", sum_c[k] / frames},
                               {"peak_shear_ap_N", peak_ap[k]}, {"peak_shear_lateral_N", peak_lat[k]},
                               {"peak_shear_ap_signed_N", signed_ap[k]}, {"peak_shear_lateral_signed_N", signed_lat[k]},
                               {"end_creep_deg", d.creep[m.dof(k, 0)] * 180 / M_PI},
                               {"peak_compression_time_s", peak_c_time[k].time()}, {"fresh_peak_compression_N", fresh_peak_c[k]},
                               {"fresh_peak_compression_time_s", fresh_peak_c_time[k].time()}};
  // Each lumbar level read against the occupational limits (load_limits.h), so every reader of the
  // summary gets the same verdict; where reserves carried moment the loads are lower bounds.
  const bool lower_bounds = peak_reserve > kReserveMakesLowerBoundNm;
  for (int k = 0; k < m.njoint; ++k)
    if (is_lumbar_level(m.joint_name[k])) {
      // A lower bound above a limit is above it; below, it decides nothing (audit24e #3: a pandas
      // filter on below_action_limit kept tasks the model calls beyond its strength).
      auto verdict = [&](const char* v) -> std::string {
        return lower_bounds && std::strncmp(v, "below_", 6) == 0 ? "undetermined_reserves" : v;
      };
      joints[m.joint_name[k]]["compression_verdict"] = verdict(compression_verdict(peak_c[k]));
      joints[m.joint_name[k]]["shear_ap_verdict"] = verdict(shear_verdict(peak_ap[k]));
    }
  j["joints"] = joints;
  j["loads_are_lower_bounds"] = lower_bounds;
  j["limits"] = {{"compression_action_limit_N", kCompressionActionLimitN},
                 {"compression_max_permissible_limit_N", kCompressionMaxPermissibleN},
                 {"shear_ap_occasional_limit_N", kShearOccasionalLimitN},
                 {"shear_ap_frequent_limit_N", kShearFrequentLimitN},
                 {"applies_to", "lumbar levels (L5-S1 ... L1-L2)"},
                 {"sources", "compression: NIOSH Work Practices Guide for Manual Lifting 1981 (action and maximum permissible "
                             "limits), Waters et al. 1993; AP shear: Gallagher & Marras 2012 (1000 N occasional, 700 N "
                             "100-1000 loadings a day)"}};
  // What the scenario's hand positions and lengths were multiplied by for this subject (positions:
  // scaled, the default): a shelf at 1.80 m for the reference body is lower for a shorter one.
  j["position_scale"] = b.length_scale;
  // Groups per side: peak and mean of the group's fascicles (mean over fascicles and frames), the
  // fatigued fraction at the end weighted by each fascicle's maximum force F0 (the share of the
  // group's strength lost, 1 − its strength as docs/fatigue.md defines it; a plain mean would let
  // many thin fascicles outweigh a few strong ones), and the complete rest the group needs to be
  // back at 90 % and 95 % of that strength (endurance.h).
  struct GroupAccumulator {
    double peak = 0, peak_time = 0, fresh_peak = 0, sum = 0, n = 0, fatigued_force = 0, force = 0, to90 = 0, to95 = 0;
    bool has_time = false;
    std::vector<FatigueParameters> p;
    std::vector<FatigueState> s;
    std::vector<double> w;
  };
  std::map<std::pair<std::string, std::string>, GroupAccumulator> g;
  for (int i = 0; i < m.nmuscle; ++i) {
    auto& a = g[{m.muscle_group[i], side_name(m.muscle_side[i])}];
    a.peak = a.n == 0 ? peak_a[i] : std::max(a.peak, peak_a[i]);
    a.fresh_peak = std::max(a.fresh_peak, fresh_peak_a[i]);
    a.sum += sum_a[i] / frames;
    a.n += 1;
    a.fatigued_force += m.muscle_fmax[i] * d.fatigue[i].fatigued;
    a.force += m.muscle_fmax[i];
    a.p.push_back(fatigue_parameters[i]);
    a.s.push_back(d.fatigue[i]);
    a.w.push_back(m.muscle_fmax[i]);
  }
  // The first time any of a group's fascicles came within kPeakTimeTolerance of the group's peak.
  for (int i = 0; i < m.nmuscle; ++i) {
    auto& a = g[{m.muscle_group[i], side_name(m.muscle_side[i])}];
    const double t = peak_a_time[i].time();
    if (peak_a[i] >= a.peak / (1 + kPeakTimeTolerance) && (!a.has_time || t < a.peak_time)) a.peak_time = t, a.has_time = true;
  }
  double to90 = 0, to95 = 0;
  std::string slowest, slowest_side;
  double slowest_lost = -1, slowest_to95 = 0;
  // Two recovery times equal to rounding (10⁻⁶ relative; infinities equal): the two sides of a
  // symmetric task, or groups that all never recover.
  auto same_time = [](double a, double b) { return a == b || std::abs(a - b) <= 1e-6 * std::max(a, b); };
  for (auto& [key, a] : g) {
    a.to90 = group_recovery_time(a.p, a.s, a.w, 0.90);
    a.to95 = group_recovery_time(a.p, a.s, a.w, 0.95);
    // A tie goes to the group that lost more strength, not to the first in name order.
    const double lost = a.fatigued_force / a.force;
    const bool slower = slowest.empty() ? a.to95 > 0
                        : same_time(a.to95, slowest_to95) ? lost > slowest_lost + 1e-9
                                                          : a.to95 > slowest_to95;
    if (slower) slowest = key.first, slowest_side = key.second, slowest_lost = lost, slowest_to95 = a.to95;
    to90 = std::max(to90, a.to90);
    to95 = std::max(to95, a.to95);
  }
  if (!slowest.empty()) {  // the other side as slow: "both"
    const auto other = g.find({slowest, slowest_side == "left" ? "right" : "left"});
    if (other != g.end() && same_time(other->second.to95, slowest_to95)) slowest_side = "both";
  }
  // A recovery not reached within group_recovery_time's limit is infinite: null in JSON, as a results
  // file's summary would read it back anyway.
  auto seconds = [](double t) { return std::isfinite(t) ? nlohmann::json(t) : nlohmann::json(nullptr); };
  nlohmann::json groups = nlohmann::json::object();
  for (const auto& [key, a] : g)
    groups[key.first][key.second] = {{"peak_activation", a.peak}, {"mean_activation", a.sum / a.n},
                                     {"end_fatigued_fraction", a.fatigued_force / a.force},
                                     {"recovery_to_90_s", seconds(a.to90)}, {"recovery_to_95_s", seconds(a.to95)},
                                     {"peak_activation_time_s", a.peak_time}, {"fresh_peak_activation", a.fresh_peak}};
  j["groups"] = groups;
  // Reserves and the failure rule side by side: a reserve fresh muscles would need as well is the
  // model's strength limit; what fatigue adds fails the task only past kTaskFailureThreshold of the
  // rotation's strength (endurance.h), so reserves in most frames and "never failed" can both hold.
  j["reserves"] = {{"peak_moment_Nm", peak_reserve},
                   {"frames_used_fraction", double(reserve_frames) / frames},
                   {"frames_notable_fraction", double(notable_reserve_frames) / frames},  // ≥ kNotableReserveNm: ringed in pictures
                   {"peak_fatigue_share_of_strength", peak_fatigue_reserve_share},
                   {"failure_threshold_share_of_strength", kTaskFailureThreshold},
                   {"frames_over_failure_threshold_fraction", double(fatigue_reserve_frames) / frames}};
  // The rotation that peak share is of, and its terms in N·m: the share is of that rotation's own
  // strength in that sense, which can be far below the reserve (a small rotation, antagonists'
  // passive forces subtracted), so it is not bounded by 100 %.
  // The peak reserve's rotation and sense (positive moments are flexion, right lateral bending,
  // right axial rotation: the model's joint axes) and its first time; absent when no frame used one.
  if (peak_reserve > 0 && peak_reserve_dof >= 0) {
    j["reserves"]["peak_joint"] = m.joint_name[peak_reserve_dof / 3];
    j["reserves"]["peak_rotation"] = fatigue_rotation_name(m, peak_reserve_dof, peak_reserve_sense);
    j["reserves"]["peak_signed_Nm"] = peak_reserve_sense * peak_reserve;
    j["reserves"]["peak_time_s"] = peak_reserve_time.time();
  }
  if (peak_fatigue_reserve.dof >= 0) {
    const int k = peak_fatigue_reserve.dof;
    j["reserves"]["peak_fatigue_rotation"] = fatigue_rotation_name(m, k, peak_fatigue_reserve.sense);
    j["reserves"]["peak_fatigue_added_Nm"] = peak_fatigue_reserve.deficit;
    j["reserves"]["peak_fatigue_rotation_strength_Nm"] = peak_fatigue_reserve.mvc;
  }
  j["fatigue_limited_from_s"] = fatigue_bound_from < 0 ? nlohmann::json(nullptr) : nlohmann::json(fatigue_bound_from);
  j["fresh_muscle_solves"] = fresh_solves;  // load-sharing solves with every fascicle fresh, for the fresh peaks
  j["recovery"] = {{"to_90_percent_s", seconds(to90)}, {"to_95_percent_s", seconds(to95)},
                   {"slowest_group", slowest.empty() ? nlohmann::json(nullptr) : nlohmann::json(slowest)},
                   {"slowest_side", slowest.empty() ? nlohmann::json(nullptr) : nlohmann::json(slowest_side)}};
  j["write_every"] = options.write_every;  // frames written to the results file: every n-th and the last
  j["fatigue"] = options.time_coupling;  // false: fresh muscles, no creep (--no-fatigue); the results file's root attribute
  j["creep"] = {{"peak_deg", peak_creep * 180 / M_PI}, {"enabled", m.creep.enabled}};
  j["failed_joint"] = failed_joint.empty() ? nlohmann::json(nullptr) : nlohmann::json(failed_joint);
  // "strength_limit": the failing fascicle was at full activation even fresh (the task needs all
  // its strength at that instant); "fatigue": fatigue brought it there.
  j["failure_kind"] = failed_joint.empty() ? nlohmann::json(nullptr)
                                           : nlohmann::json(failed_at_strength_limit ? "strength_limit" : "fatigue");
  j["endurance_s"] = endurance < 0 ? nlohmann::json(nullptr) : nlohmann::json(endurance);
  j["first_to_fail"] = first_to_fail.empty() ? nlohmann::json(nullptr) : nlohmann::json(first_to_fail);
  // Its side and the fascicle itself: in an asymmetric task the two sides of a group fatigue apart.
  j["first_to_fail_side"] = failed_fascicle < 0 ? nlohmann::json(nullptr)
                           : nlohmann::json(failed_both_sides ? "both" : side_name(m.muscle_side[failed_fascicle]));
  j["first_to_fail_fascicle"] = failed_fascicle < 0 ? nlohmann::json(nullptr) : nlohmann::json(m.muscle_name[failed_fascicle]);
  // The caveats the numbers need (run_notes.h): in the summary, so the file, --json and Python carry them.
  // Fresh activations: the abdominal artefact is the task's, not fatigue's recruitment.
  j["notes"] = notes_json(run_notes(m, s, b, j, RunObservations{fresh_peak_a, peak_neck_flexion}));
  return j;
}

}  // namespace paraspine
