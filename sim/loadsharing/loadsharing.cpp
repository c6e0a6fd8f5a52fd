#include "sim/loadsharing/loadsharing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/dynamics/abdominal_pressure.h"
#include "sim/loadsharing/qp_capture.h"
#include "sim/loadsharing/vector_clones.h"
#include "sim/tissue/creep.h"

namespace paraspine {

const char* criterion_name(Criterion c) {
  switch (c) {
    case Criterion::kActivation2: return "activation2";
    case Criterion::kActivation3: return "activation3";
    case Criterion::kStress2: return "stress2";
    default: return "minmax";
  }
}

Criterion parse_criterion(const std::string& name) {
  for (Criterion c : {Criterion::kActivation2, Criterion::kActivation3, Criterion::kStress2, Criterion::kMinMax})
    if (name == criterion_name(c)) return c;
  throw std::invalid_argument("unknown criterion '" + name + "' (activation2, activation3, stress2, minmax)");
}

namespace {

// Fills the constraint rows of the QP: A = [R·diag(F^act) | I], b = τ − M^pas − M^iap − R·F^pas.
PARASPINE_VECTOR_CLONES void build_constraints(const Model& m, Data& d) {
  QpWorkspace& w = d.qp;
  // Flexion laws see the angle beyond the slack creep has given the tissue (sim/tissue/creep.h).
  for (int k = 0; k < m.ndof; ++k)
    d.passive_joint_moment[k] = m.dof_passive[k].moment(k % 3 == 0 ? creep_effective_angle(d.q[k], d.creep[k]) : d.q[k]);
  w.b = d.tau - d.passive_joint_moment - d.abdominal_pressure_moment;
  // Plain loops over each column's window of rows (qp.h: its rows padded to a multiple of 4, 4 to
  // 52 of them): a per-column Eigen segment expression costs more in set-up than in arithmetic at
  // these lengths, and whole windows leave the loops no scalar tails. The moment arms are zero
  // outside the joints a fascicle crosses (muscle_geometry), so the window's other rows get zeros
  // and b exact zero changes.
  double* __restrict b = w.b.data();
  for (int i = 0; i < m.nmuscle; ++i) {
    const int r0 = w.window_begin[i], len = w.window_length[i];
    w.lo[i] = 0;
    // A NaN capacity is an upstream defect, not a fascicle that cannot pull: std::max(0, NaN) read it
    // as 0 without a word (audit23s #2).
    if (std::isnan(d.muscle_capacity[i]))
      throw std::runtime_error("load sharing: fascicle " + m.muscle_name[i] + " has a capacity that is not a number");
    w.hi[i] = std::max(0.0, d.muscle_capacity[i]);
    const double* __restrict arm = d.moment_arm.col(i).data() + r0;
    double* __restrict a = qp_window(w, i);
    const double active = d.force_active_max[i], passive = d.force_passive[i];
#pragma GCC ivdep
    for (int k = 0; k < len; ++k) {
      a[k] = arm[k] * active;
      b[r0 + k] -= arm[k] * passive;
    }
  }
}

// muscle_moment = R · muscle_force over the rows each muscle acts on.
PARASPINE_VECTOR_CLONES void add_muscle_moments(const Model& m, Data& d) {
  const QpWorkspace& w = d.qp;
  d.muscle_moment.setZero();
  double* __restrict moment = d.muscle_moment.data();
  for (int i = 0; i < m.nmuscle; ++i) {  // over the QP's windows of rows, as build_constraints
    const int r0 = w.window_begin[i], len = w.window_length[i];
    const double* __restrict arm = d.moment_arm.col(i).data() + r0;
    const double force = d.muscle_force[i];
    // A silent fascicle adds arm · 0 = ±0, which changes no sum: the sums start at +0 and a sum
    // is −0 only if both terms are, so none is −0 (session 20: a sixth of the lift's work here).
    if (force == 0) continue;
#pragma GCC ivdep
    for (int k = 0; k < len; ++k) moment[r0 + k] += arm[k] * force;
  }
}

void set_quadratic_costs(const Model& m, const LoadSharingSettings& s, Data& d) {
  QpWorkspace& w = d.qp;
  for (int i = 0; i < m.nmuscle; ++i) {
    double weight = 1.0;
    if (s.criterion == Criterion::kStress2) {
      // (a F^act / PCSA)², in MPa² so the scale stays near that of activations.
      const double stress = d.force_active_max[i] / m.muscle_pcsa[i] * 1e-6;
      weight = std::max(stress * stress, 1e-12);
    }
    w.h[i] = 2 * weight;
    w.g[i] = 0;
  }
  for (int k = 0; k < 2 * m.ndof; ++k) {
    w.h[m.nmuscle + k] = 2 * s.reserve_regularization;
    w.g[m.nmuscle + k] = s.reserve_cost;
  }
}

using LoadSharingInfo = Data::LoadSharingSummary;

// One QP; its status is returned and kept in info.status (the frame's, unless the criterion's loop
// decides otherwise: a frame's status is that of the answer it keeps).
QpStatus solve(const LoadSharingSettings& s, Data& d, LoadSharingInfo& info) {
  QpInfo qi;
  // Status and iterations are all load sharing reads of qi: no KKT report (qp.h, qp_solve_unreported).
  const bool warm = d.loadsharing_warm;
  qp_solve_unreported(s.qp, d.qp, qi, warm);
  // A warm start that did not converge is tried once more from λ = 0 (audit26b M6: one frame of the
  // lifting shift at 50 Hz, started from the last repetition's multipliers, stopped at the 400-step
  // cap with a 2.3·10⁻⁵ N·m residual; cold it converges in 235 steps). Both solves' steps count.
  if (warm && qi.status != QpStatus::kSolved) {
    info.qp_iterations += qi.iterations;
    ++info.cold_retries;
    // Kept in case the cold solve fails too: then the warm answer stays, as before the retry
    // (review26 #4: the cold one replaced it whether or not it was better).
    d.loadsharing_retry_x = d.qp.x;
    d.loadsharing_retry_lambda = d.qp.lambda;
    const QpInfo warm_info = qi;
    qp_solve_unreported(s.qp, d.qp, qi, false);
    if (qi.status != QpStatus::kSolved) {
      info.qp_iterations += qi.iterations;
      d.qp.x = d.loadsharing_retry_x;
      d.qp.lambda = d.loadsharing_retry_lambda;
      qi = warm_info;
      qi.iterations = 0;  // counted above
    }
  }
  d.loadsharing_warm = qi.status == QpStatus::kSolved;
  info.qp_iterations += qi.iterations;
  info.status = qi.status;
  return qi.status;
}

void load_sharing_from(const Model& m, const LoadSharingSettings& s, Data& d, const Eigen::VectorXd* start) {
  LoadSharingInfo info;
  QpWorkspace& w = d.qp;
  // A supported frame needs no abdominal pressure: the support carries the trunk's moments.
  abdominal_pressure(m, s.abdominal_pressure && !d.trunk_supported, d);
  build_constraints(m, d);
  set_quadratic_costs(m, s, d);

  if (d.trunk_supported) {
    // The support carries b = τ − M^pas − R·F^pas, all the muscles would have to, and each joint
    // carries what its relaxed tissues give, τ − b = M^pas + R·F^pas (docs/fatigue.md, "Breaks
    // between lifts"). With b = 0 the muscles are silent and no reserve acts: a = 0 is every
    // criterion's optimum, set exactly rather than solved for (a solve stops at rounding noise, and
    // activation3's Newton steps at its floor δ/2). The next frame starts cold from λ = 0.
    d.tau -= w.b;
    w.b.setZero();
    w.x.setZero();
    w.lambda.setZero();
    d.loadsharing_warm = false;
  } else if (s.criterion == Criterion::kActivation2 || s.criterion == Criterion::kStress2) {
    // One solve per frame: its multipliers follow the motion, so the warm start extrapolates them —
    // but not after a frame where reserves acted (d.loadsharing_info is still the last frame's): its
    // multipliers sit at the reserve cost's vertices and jump rather than drift, and extrapolating
    // them left 10 frames of a fatigued 40-min standing hold at the iteration limit
    // (RunQuasiStatic.EveryFrameOfAFatiguedHoldIsSolved).
    const bool extrapolate = d.loadsharing_info.max_reserve <= 1e-9;
    if (qp_capture_enabled()) qp_capture(w, d.loadsharing_warm, extrapolate);  // diagnostics (qp_capture.h)
    if (start && start->size() == w.m) {
      qp_warm_start_from(w, *start);
      d.loadsharing_warm = true;
    } else if (d.loadsharing_warm) {
      qp_predict_warm_start(w, extrapolate);
    }
    solve(s, d, info);
  } else if (s.criterion == Criterion::kActivation3) {
    // Newton/SQP: a³ ≈ a_k³ + 3a_k²(a − a_k) + 3a_k(a − a_k)², i.e. h = 6 a_k, g = −3 a_k². Below δ
    // the curvature is floored at 6δ (strictly convex) but the gradient stays exact,
    // g = 3a_k² − h a_k, so a fixed point is Σ a³'s own KKT point for every a: 3a² = a_iᵀλ where
    // free, a = 0 exactly where a_iᵀλ ≤ 0. (Until session 12 g = −3 max(a_k, δ)², the tangent at δ,
    // left fascicles whose optimum is 0 at up to δ/2: docs/sources/breaks_and_symmetry.md §4.)
    const double delta = 1e-4;
    solve(s, d, info);  // start from the activation2 optimum
    bool settled = false;
    for (int it = 0; it < s.max_outer_iterations; ++it) {
      ++info.outer_iterations;
      for (int i = 0; i < m.nmuscle; ++i) {
        const double ak = w.x[i], hk = 6 * std::max(ak, delta);
        w.h[i] = hk;
        w.g[i] = 3 * ak * ak - hk * ak;
        d.activation[i] = w.x[i];
      }
      solve(s, d, info);
      double change = 0;
      for (int i = 0; i < m.nmuscle; ++i) change = std::max(change, std::abs(w.x[i] - d.activation[i]));
      if (change < s.outer_tolerance) {
        settled = true;
        break;
      }
    }
    // The answer kept is the last solve's, so its status is (review24 #4: a failed intermediate solve
    // stayed on the frame after the loop settled); the SQP's own cap is a failure to converge like the
    // QP's (audit23s #3: it stopped silently).
    if (!settled && info.status == QpStatus::kSolved) info.status = QpStatus::kMaxIterations;
  } else {  // minmax: the smallest common ceiling t on activations that needs no more reserve
            // than the unconstrained problem, then Σ a² under that ceiling.
    solve(s, d, info);
    // The frame's status is that of the solves whose answer is kept, not of every bisection trial: a
    // rejected trial that stopped at its limit changes nothing in the answer (audit23s #3: 38 of 402
    // rounded-back-lift frames were flagged for trials alone). A ceiling is accepted only from a
    // converged trial, and judged against the unconstrained solve's reserves, so the frame's status
    // is that solve's (review24 #4: it reported "solved" when that solve had failed).
    const QpStatus unconstrained_status = info.status;
    auto reserve_at = [&](int k) { return std::abs(w.x[m.nmuscle + 2 * k] - w.x[m.nmuscle + 2 * k + 1]); };
    // Each rotation's reserve without a ceiling: the exact penalty's, the least the muscles leave.
    Eigen::VectorXd& allowed = d.loadsharing_reserve_allowed;  // in Data: a frame allocates nothing
    for (int k = 0; k < m.ndof; ++k) allowed[k] = reserve_at(k);
    // Reserves are exactly zero when the muscles suffice (exact penalty), so a ceiling is accepted
    // only if no rotation needs more reserve than with no ceiling at all. (Comparing only the largest
    // reserve let the bisection move moment onto reserves at other rotations, down to every muscle
    // off in frames with two saturated rotations: audit23s #1, up to 4.7 times activation2's total.)
    // The band: a hundred times the QP's tolerance of the largest moment (10⁻⁸ at the default 10⁻¹⁰, qp.h). Its
    // stall exit, 10⁻⁷, is too wide: with it, frames the muscles carry alone took ceilings that needed
    // up to 7·10⁻⁶ N·m of reserve (LoadSharingFull.EachCriterionMinimizesWhatItSays, session 23).
    const double band = 100 * s.qp.tolerance * std::max(1.0, w.b.lpNorm<Eigen::Infinity>());
    auto within_allowed = [&] {
      for (int k = 0; k < m.ndof; ++k)
        if (reserve_at(k) > allowed[k] + band) return false;
      return true;
    };
    double lo = 0, hi = 0;
    for (int i = 0; i < m.nmuscle; ++i) hi = std::max(hi, w.x[i]);
    // The last accepted solution is kept rather than re-solved: a re-solve at the ceiling, warm-started
    // from a rejected trial, can land on a slightly different (reserve-using) point of the same band.
    d.loadsharing_accepted = w.x;
    for (int it = 0; it < s.max_outer_iterations && hi - lo > s.outer_tolerance; ++it) {
      ++info.outer_iterations;
      const double t = 0.5 * (lo + hi);
      for (int i = 0; i < m.nmuscle; ++i) w.hi[i] = std::min(std::max(0.0, d.muscle_capacity[i]), t);
      const QpStatus trial = solve(s, d, info);
      // An unconverged trial is not evidence that the ceiling fails or holds: treat it as rejected.
      if (trial == QpStatus::kSolved && within_allowed()) {
        hi = t;
        d.loadsharing_accepted = w.x;
      } else {
        lo = t;
      }
    }
    for (int i = 0; i < m.nmuscle; ++i) w.hi[i] = std::min(std::max(0.0, d.muscle_capacity[i]), hi);
    w.x = d.loadsharing_accepted;
    info.status = unconstrained_status;
    // Where the unconstrained solve needed no reserve, the accepted one may hold up to a band's worth
    // (about 10⁻⁶ N·m): not a reserve the task needs (audit26b M1: minmax said "used in 2.4 % of
    // frames" of a lift activation2 carries without any). The run and bench count reserves above it.
    info.reserve_noise = band;
  }

  // Results and the equilibrium check, recomputed from the model's quantities (not the QP's).
  info.objective = 0;
  const double* x = w.x.data();
  const double *active = d.force_active_max.data(), *passive = d.force_passive.data();
  double* activation = d.activation.data();
  double* force = d.muscle_force.data();
  for (int i = 0; i < m.nmuscle; ++i) {
    activation[i] = x[i];
    force[i] = x[i] * active[i] + passive[i];
  }
  double objective = 0;  // in the muscles' order, whatever the criterion
  switch (s.criterion) {
    case Criterion::kActivation3:
      for (int i = 0; i < m.nmuscle; ++i) objective += x[i] * x[i] * x[i];
      break;
    case Criterion::kStress2:
      for (int i = 0; i < m.nmuscle; ++i) {
        const double st = x[i] * active[i] / m.muscle_pcsa[i];
        objective += st * st;
      }
      break;
    case Criterion::kMinMax:
      for (int i = 0; i < m.nmuscle; ++i) objective = std::max(objective, x[i]);
      break;
    default:
      for (int i = 0; i < m.nmuscle; ++i) objective += x[i] * x[i];
  }
  info.objective = objective;
  for (int k = 0; k < m.ndof; ++k) d.reserve[k] = w.x[m.nmuscle + 2 * k] - w.x[m.nmuscle + 2 * k + 1];
  add_muscle_moments(m, d);
  info.equilibrium_residual =
      (d.muscle_moment + d.passive_joint_moment + d.abdominal_pressure_moment + d.reserve - d.tau)
          .lpNorm<Eigen::Infinity>();
  info.max_reserve = d.reserve.lpNorm<Eigen::Infinity>();
  d.loadsharing_info = info;
}

}  // namespace

void load_sharing(const Model& m, const LoadSharingSettings& s, Data& d) { load_sharing_from(m, s, d, nullptr); }

void load_sharing(const Model& m, const LoadSharingSettings& s, Data& d, const Eigen::VectorXd& start) {
  load_sharing_from(m, s, d, &start);
}

}  // namespace paraspine
