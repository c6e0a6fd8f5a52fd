// The load-sharing QP solver on random problems shaped like static optimization (banded columns
// for muscles crossing consecutive joints, free high-cost reserve columns): KKT conditions, the
// same optimum as Ipopt, warm starts, and saturation handed to the reserves.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "sim/loadsharing/ipopt_reference.h"
#include "sim/loadsharing/qp.h"

namespace paraspine {
namespace {

// A dense and the row ranges of w's columns, given to w by set() once every column is filled.
struct Columns {
  std::vector<int> begin, end;
  Eigen::MatrixXd A;
  explicit Columns(const QpWorkspace& w) : begin(w.n, 0), end(w.n, 0), A(Eigen::MatrixXd::Zero(w.m, w.n)) {}
  void set(QpWorkspace& w) const {
    qp_set_rows(w, begin, end);
    qp_set_matrix(w, A);
  }
};

// Columns 0 … nmus − 1 of w: muscles each acting on a random run of up to 12 of the m rows, with
// activations in [0, cap] (cap < 1: fatigue) and cost Σ a².
void random_muscles(QpWorkspace& w, Columns& c, int nmus, int m, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < nmus; ++i) {
    const int len = 1 + static_cast<int>(u(rng) * std::min(m, 12));
    const int r0 = static_cast<int>(u(rng) * (m - len + 1));
    c.begin[i] = r0;
    c.end[i] = r0 + len;
    const double fmax = 50 + 950 * u(rng);
    for (int r = r0; r < r0 + len; ++r) c.A(r, i) = fmax * 0.06 * (u(rng) - 0.3);  // moment arm × force
    w.h[i] = 2.0;  // Σ a²
    w.lo[i] = 0;
    w.hi[i] = 0.5 + 0.5 * u(rng);  // fatigue lowers capacity
  }
}

// b: the moments of a random activation pattern of the muscles, scaled by `load` (> 1 can exceed
// what they carry).
void random_load(QpWorkspace& w, int nmus, std::mt19937& rng, double load) {
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::VectorXd a = Eigen::VectorXd::Zero(w.n);
  for (int i = 0; i < nmus; ++i) a[i] = load * u(rng) * w.hi[i];
  w.b = qp_matrix(w) * a;
}

// n muscles with activations in [0, cap], m equalities, plus m reserves with weight `reserve_w`.
void random_problem(QpWorkspace& w, int nmus, int m, std::mt19937& rng, double load, double reserve_w) {
  qp_resize(w, nmus + m, m);
  Columns c(w);
  random_muscles(w, c, nmus, m, rng);
  for (int k = 0; k < m; ++k) {
    const int i = nmus + k;
    c.begin[i] = k;
    c.end[i] = k + 1;
    c.A(k, i) = 1.0;
    w.h[i] = 2.0 * reserve_w;
    w.lo[i] = -std::numeric_limits<double>::infinity();
    w.hi[i] = std::numeric_limits<double>::infinity();
  }
  c.set(w);
  random_load(w, nmus, rng, load);
}

// Another problem's data (A, b, h, g, bounds, row ranges) in a workspace that keeps its solver state.
void set_problem(QpWorkspace& w, const QpWorkspace& p) {
  if (w.row_begin != p.row_begin || w.row_end != p.row_end) qp_set_rows(w, p.row_begin, p.row_end);
  w.columns = p.columns, w.b = p.b, w.h = p.h, w.g = p.g, w.lo = p.lo, w.hi = p.hi;
}

void check_kkt(const QpWorkspace& w, const QpInfo& info, double rel_tol = 1e-10) {
  ASSERT_EQ(info.status, QpStatus::kSolved) << qp_status_name(info.status);
  const double scale_b = std::max(1.0, w.b.lpNorm<Eigen::Infinity>());
  EXPECT_LE(info.primal_residual, rel_tol * scale_b);
  const Eigen::MatrixXd A = qp_matrix(w);
  EXPECT_LE((A * w.x - w.b).lpNorm<Eigen::Infinity>(), 10 * rel_tol * scale_b);
  // Stationarity recomputed from scratch: h x + g − Aᵀλ − μ = 0 with μ of the right sign.
  const Eigen::VectorXd grad = w.h.cwiseProduct(w.x) + w.g - A.transpose() * w.lambda;
  // Rounding of Aᵀλ itself: ε·|A|ᵀ|λ| (large only when reserves carry large moments).
  const Eigen::VectorXd rounding = 1e-6 * (A.cwiseAbs().transpose() * w.lambda.cwiseAbs());
  for (int i = 0; i < w.n; ++i) {
    EXPECT_GE(w.x[i], w.lo[i]);
    EXPECT_LE(w.x[i], w.hi[i]);
    const double scale = 1 + std::abs(w.h[i] * w.x[i]) + rounding[i];
    if (w.lo[i] == w.hi[i]) continue;  // a fixed variable: its bound's multiplier takes either sign
    if (w.x[i] > w.lo[i] && w.x[i] < w.hi[i]) EXPECT_LE(std::abs(grad[i]), 1e-8 * scale) << i;
    else if (w.x[i] >= w.hi[i]) EXPECT_LE(grad[i], 1e-8 * scale) << i;   // pushing up against the cap
    else EXPECT_GE(grad[i], -1e-8 * scale) << i;                          // pushing down on zero
  }
  EXPECT_LE(info.stationarity, 1e-8 * (1 + w.h.maxCoeff()));
}

TEST(Qp, KktAndIpoptAgreementOnRandomProblems) {
  std::mt19937 rng(42);
  QpWorkspace w;
  QpSettings s;
  double worst_x = 0, worst_obj = 0;
  for (int trial = 0; trial < 40; ++trial) {
    random_problem(w, 150, 24, rng, trial % 2 ? 0.4 : 0.9, 1e4);
    QpInfo info;
    qp_solve(s, w, info, false);
    check_kkt(w, info);
    const IpoptResult ref = ipopt_solve(w);
    ASSERT_TRUE(ref.solved);
    worst_x = std::max(worst_x, (ref.x - w.x).lpNorm<Eigen::Infinity>());
    worst_obj = std::max(worst_obj, std::abs(ref.objective - info.objective) / std::max(1e-12, std::abs(info.objective)));
    // Ours is the optimum: Ipopt's point may cost more (its tolerance), never clearly less. (This line
    // checked the opposite direction under this message; worst_obj below bounds both.)
    EXPECT_GE(ref.objective, info.objective - 1e-6 * std::max(1e-12, std::abs(info.objective)))
        << "Ipopt found a strictly better point: " << ref.objective << " < " << info.objective;
  }
  std::printf("[ info ] largest deviation from Ipopt: activation %.2e, objective %.2e (relative)\n", worst_x, worst_obj);
  EXPECT_LT(worst_x, 1e-5);
  EXPECT_LT(worst_obj, 1e-6);
}

TEST(Qp, WarmStartReachesTheSameOptimumInFewerIterations) {
  std::mt19937 rng(5);
  QpWorkspace w;
  QpSettings s;
  random_problem(w, 200, 30, rng, 0.7, 1e4);
  QpInfo cold, warm;
  qp_solve(s, w, cold, false);
  const Eigen::VectorXd b0 = w.b;
  // The next frame: slightly different loads.
  w.b = b0 * 1.01;
  QpInfo ref_info;
  qp_solve(s, w, ref_info, false);
  const Eigen::VectorXd x_cold = w.x;
  w.b = b0;
  qp_solve(s, w, cold, false);
  w.b = b0 * 1.01;
  qp_solve(s, w, warm, true);
  check_kkt(w, warm);
  EXPECT_LT((w.x - x_cold).lpNorm<Eigen::Infinity>(), 1e-9);
  EXPECT_LT(warm.iterations, ref_info.iterations);
  std::printf("[ info ] iterations: cold %d, warm %d\n", ref_info.iterations, warm.iterations);
}

TEST(Qp, SaturatedMusclesHandTheRestToReserves) {
  std::mt19937 rng(9);
  QpWorkspace w;
  QpSettings s;
  random_problem(w, 100, 12, rng, 0.5, 1e4);
  w.b *= 20;  // far beyond what the muscles can carry
  QpInfo info;
  qp_solve(s, w, info, false);
  check_kkt(w, info, 1e-7);  // reserves carrying kN·m: the precision floor (see qp.cpp)
  const int nmus = w.n - w.m;
  EXPECT_GT(w.x.tail(w.m).cwiseAbs().maxCoeff(), 1.0);  // reserves act
  int at_cap = 0;
  for (int i = 0; i < nmus; ++i) at_cap += w.x[i] >= w.hi[i];
  EXPECT_GT(at_cap, nmus / 4);
}

// Load sharing's solve without the closing KKT report (qp.h, qp_solve_unreported) takes the same steps to
// the same bits as qp_solve, cold, warm and with saturated muscles handing loads to reserves; only
// the report's fields are left out.
TEST(Qp, UnreportedSolveGivesTheSameBits) {
  std::mt19937 rng(21);
  QpSettings s;
  for (double load : {0.5, 0.9, 20.0}) {
    QpWorkspace reported, unreported;
    random_problem(reported, 150, 24, rng, load, 1e4);
    unreported = reported;
    for (int frame = 0; frame < 4; ++frame) {
      const bool warm = frame > 0;
      if (warm) {
        reported.b *= 1.02;
        unreported.b = reported.b;
      }
      QpInfo a, b;
      qp_solve(s, reported, a, warm);
      qp_solve_unreported(s, unreported, b, warm);
      EXPECT_EQ(a.status, b.status);
      EXPECT_EQ(a.iterations, b.iterations);
      EXPECT_EQ(a.primal_residual, b.primal_residual);
      EXPECT_EQ(a.factorizations, b.factorizations);
      EXPECT_EQ(a.rank_updates, b.rank_updates);
      for (int i = 0; i < reported.n; ++i)
        ASSERT_EQ(std::memcmp(&reported.x[i], &unreported.x[i], sizeof(double)), 0) << "load " << load << " x " << i;
      for (int k = 0; k < reported.m; ++k)
        ASSERT_EQ(std::memcmp(&reported.lambda[k], &unreported.lambda[k], sizeof(double)), 0) << "load " << load << " lambda " << k;
      EXPECT_EQ(b.objective, 0.0);  // not reported
      EXPECT_GT(a.objective, 0.0);
    }
  }
}

// The semismooth steps keep the Cholesky factor of the Newton matrix up to date by rank-one updates
// and downdates while the free set changes (qp.cpp, update_factor). The same problems solved with a
// new factorization at every step (max_factor_updates = 0) must give the same optimum.
TEST(Qp, FactorUpdatesReachTheSameOptimumAsNewFactorizations) {
  std::mt19937 rng(77);
  QpWorkspace w;
  QpSettings updated, fresh;
  fresh.max_factor_updates = 0;
  double worst = 0;
  int updates_used = 0;
  for (int trial = 0; trial < 30; ++trial) {
    random_problem(w, 150, 24, rng, trial % 3 == 0 ? 1.5 : 0.8, 1e4);  // every third saturates
    QpInfo a, b;
    qp_solve(fresh, w, a, false);
    check_kkt(w, a, 1e-8);
    const Eigen::VectorXd x_fresh = w.x;
    qp_solve(updated, w, b, false);
    check_kkt(w, b, 1e-8);
    updates_used += b.rank_updates > 0;
    EXPECT_EQ(a.rank_updates, 0);
    worst = std::max(worst, (w.x - x_fresh).head(150).lpNorm<Eigen::Infinity>());
  }
  std::printf("[ info ] largest activation difference, updated vs new factors: %.2e (%d of 30 solves used updates)\n", worst, updates_used);
  EXPECT_LT(worst, 1e-8);
  EXPECT_GT(updates_used, 15);  // the update path is exercised
}

// Frame-to-frame warm starts along a drifting problem (loads, moment arms and, as fatigue does,
// capacities all change a little) give the cold optimum on every frame; so does a stale start from
// an unrelated, heavily saturated problem.
TEST(Qp, WarmChainsAndStaleStartsReachTheColdOptimum) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 1);
  QpWorkspace w, ref;
  QpSettings s;
  random_problem(w, 200, 30, rng, 0.9, 1e4);
  QpInfo info;
  qp_solve(s, w, info, false);
  double worst = 0, worst_saturated = 0;
  for (int frame = 0; frame < 60; ++frame) {
    for (int i = 0; i < 200; ++i) {
      for (int k = 0; k < w.row_end[i] - w.row_begin[i]; ++k) qp_column(w, i)[k] *= 1 + 0.01 * noise(rng);
      w.hi[i] = std::max(0.05, w.hi[i] * (1 - 0.004 * std::abs(noise(rng))));
    }
    w.b *= 1 + 0.01 * noise(rng);
    if (frame == 40) w.b *= 3;  // a jump that saturates many muscles at once
    ref = w;
    qp_solve(s, w, info, true);
    // After the jump reserves carry hundreds of N·m: the rounding floor of qp.cpp (as in
    // SaturatedMusclesHandTheRestToReserves), and activations agree to what that floor allows.
    const double tol = frame < 40 ? 1e-8 : 1e-7;
    check_kkt(w, info, tol);
    QpInfo cold;
    qp_solve(s, ref, cold, false);
    check_kkt(ref, cold, tol);
    (frame < 40 ? worst : worst_saturated) = std::max(frame < 40 ? worst : worst_saturated, (w.x - ref.x).head(200).lpNorm<Eigen::Infinity>());
  }
  std::printf("[ info ] warm vs cold activations: %.1e (drifting), %.1e (saturated)\n", worst, worst_saturated);
  EXPECT_LT(worst_saturated, 1e-6);
  EXPECT_LT(worst, 1e-8);
  // Stale: the last λ and factor state, then a different problem of the same size.
  random_problem(ref, 200, 30, rng, 0.5, 1e4);
  ref.b *= 20;
  QpWorkspace stale = w;
  set_problem(stale, ref);
  qp_solve(s, stale, info, true);
  check_kkt(stale, info, 1e-7);  // reserves carrying kN·m: the precision floor (see qp.cpp)
  QpInfo cold;
  qp_solve(s, ref, cold, false);
  EXPECT_LT((stale.x - ref.x).head(200).lpNorm<Eigen::Infinity>(), 1e-6);
}

// The factor is computed within the envelope of the Newton matrix (qp.cpp, envelope_cholesky) and
// assembled two columns at a time: L Lᵀ must equal A_F H_F⁻¹ A_Fᵀ (diagonal floored at δ), formed
// densely here, and L must be exactly zero outside the envelope given by the columns' row ranges.
TEST(Qp, EnvelopeFactorEqualsTheDenseNewtonMatrix) {
  std::mt19937 rng(21);
  QpWorkspace w;
  QpSettings fresh;
  fresh.max_factor_updates = 0;  // the factor left behind is a new one, not an updated one
  for (int trial = 0; trial < 10; ++trial) {
    random_problem(w, 120, 27, rng, 0.8, 1e4);
    // A few long columns from the first row, as the long lumbar fascicles from the pelvis: the
    // envelope is then dense at the top and sparse below, as in the full model.
    Columns c(w);
    c.begin = w.row_begin, c.end = w.row_end, c.A = qp_matrix(w);
    for (int i = 0; i < 8; ++i) {
      c.begin[i] = 0;
      c.end[i] = 10 + i;
      for (int r = 0; r < w.m; ++r) c.A(r, i) = r < c.end[i] ? 20.0 * std::sin(1.0 + r + 7 * i) : 0.0;
    }
    c.set(w);
    QpInfo info;
    qp_solve(fresh, w, info, false);
    check_kkt(w, info, 1e-8);
    Eigen::MatrixXd S = Eigen::MatrixXd::Zero(w.m, w.m);
    const Eigen::MatrixXd A = qp_matrix(w);
    for (int i = 0; i < w.n; ++i)
      if (w.in_factor[i]) S += A.col(i) * A.col(i).transpose() / w.h[i];
    for (int k = 0; k < w.m; ++k) S(k, k) = std::max(S(k, k), w.regularization);  // δ floors the diagonal
    const Eigen::MatrixXd L = w.L.triangularView<Eigen::Lower>();
    EXPECT_LT((L * L.transpose() - S).lpNorm<Eigen::Infinity>(), 1e-12 * S.lpNorm<Eigen::Infinity>()) << trial;
    std::vector<int> first(w.m);
    for (int r = 0; r < w.m; ++r) {
      first[r] = r;
      for (int i = 0; i < w.n; ++i)
        if (w.row_begin[i] <= r && r < w.row_end[i]) first[r] = std::min(first[r], w.row_begin[i]);
      for (int c = 0; c < first[r]; ++c) EXPECT_EQ(w.L(r, c), 0.0) << r << " " << c;
    }
  }
}

// A smooth motion sampled in time: every frame's data drift along smooth curves. Warm starts
// extrapolated from the last two frames (qp_predict_warm_start) reach the cold optimum on every
// frame, in fewer semismooth steps than plain warm starts.
TEST(Qp, PredictedWarmStartsFollowASmoothMotionInFewerSteps) {
  std::mt19937 rng(31);
  QpWorkspace base;
  random_problem(base, 200, 30, rng, 0.8, 1e4);
  std::uniform_real_distribution<double> phase(0, 6.283);
  Eigen::MatrixXd phase_a(base.m, base.n);
  for (int i = 0; i < base.n; ++i)
    for (int r = 0; r < base.m; ++r) phase_a(r, i) = phase(rng);
  Eigen::VectorXd phase_b(base.m);
  for (int r = 0; r < base.m; ++r) phase_b[r] = phase(rng);
  auto frame = [&](QpWorkspace& w, double t) {  // 1 s of motion sampled at 100 Hz: t = frame / 100
    for (int i = 0; i < 200; ++i)
      for (int r = base.row_begin[i]; r < base.row_end[i]; ++r)
        qp_column(w, i)[r - base.row_begin[i]] = qp_column(base, i)[r - base.row_begin[i]] * (1 + 0.1 * std::sin(3 * t + phase_a(r, i)));
    for (int r = 0; r < base.m; ++r) w.b[r] = base.b[r] * (1 + 0.3 * std::sin(2 * t + phase_b[r]));
  };
  QpSettings s;
  QpWorkspace plain = base, predicted = base, cold = base;
  int steps_plain = 0, steps_predicted = 0;
  double worst = 0;
  for (int f = 0; f < 100; ++f) {
    for (QpWorkspace* w : {&plain, &predicted, &cold}) frame(*w, f / 100.0);
    QpInfo a, b, c;
    qp_solve(s, plain, a, f > 0);
    if (f > 0) qp_predict_warm_start(predicted);
    qp_solve(s, predicted, b, f > 0);
    qp_solve(s, cold, c, false);
    check_kkt(predicted, b, 1e-8);
    steps_plain += a.iterations;
    steps_predicted += b.iterations;
    worst = std::max(worst, (predicted.x - cold.x).head(200).lpNorm<Eigen::Infinity>());
  }
  std::printf("[ info ] semismooth steps over 100 frames: plain warm start %d, predicted %d\n", steps_plain, steps_predicted);
  EXPECT_LT(worst, 1e-8);
  EXPECT_LT(steps_predicted, steps_plain);
}

// Chains of frames solved on different threads start cold, so a cold solve must not depend on
// anything the workspace solved before (factor, envelope, multipliers, predictions): the same
// answer to the last bit as in a new workspace.
TEST(Qp, AColdSolveIgnoresTheWorkspaceHistory) {
  std::mt19937 rng(41);
  QpWorkspace used, fresh;
  QpSettings s;
  random_problem(used, 150, 24, rng, 1.5, 1e4);  // saturated: reserves, many updates
  QpInfo info;
  qp_solve(s, used, info, false);
  for (int f = 0; f < 5; ++f) {
    used.b *= 1.01;
    qp_predict_warm_start(used);
    qp_solve(s, used, info, true);
  }
  random_problem(fresh, 150, 24, rng, 0.8, 1e4);
  set_problem(used, fresh);
  QpInfo a, b;
  qp_solve(s, used, a, false);
  qp_solve(s, fresh, b, false);
  EXPECT_EQ(a.iterations, b.iterations);
  for (int i = 0; i < used.n; ++i) EXPECT_EQ(used.x[i], fresh.x[i]) << i;
}



// A problem with load sharing's exact-penalty reserves (loadsharing.cpp): each rotation's reserve is
// two nonnegative columns ±1 with linear cost W = 10⁴ and weight 2ε = 0.02, and the load exceeds
// what the muscles can carry on some rows, so the multipliers sit at W there and the dual behaves
// like a linear program's (docs/loadsharing.md).
void exact_penalty_problem(QpWorkspace& w, int nmus, int m, std::mt19937& rng, double load) {
  qp_resize(w, nmus + 2 * m, m);
  Columns c(w);
  random_muscles(w, c, nmus, m, rng);
  for (int k = 0; k < 2 * m; ++k) {
    const int i = nmus + k;
    c.begin[i] = k / 2;
    c.end[i] = k / 2 + 1;
    c.A(k / 2, i) = k % 2 ? -1.0 : 1.0;
    w.h[i] = 0.02;
    w.g[i] = 1e4;
    w.lo[i] = 0;
    w.hi[i] = std::numeric_limits<double>::infinity();
  }
  c.set(w);
  random_load(w, nmus, rng, load);
}

double largest_reserve(const QpWorkspace& w, int nmus) { return w.x.tail(w.n - nmus).cwiseAbs().maxCoeff(); }

// A chain of frames where reserves act, each warm-started from the last optimum without
// extrapolation (as load sharing does after such a frame): many semismooth steps are cut short at a
// few kinks, and the residual is then carried through the factor instead of recomputed (qp.cpp,
// carry_residual). Every frame must reach the cold optimum with the KKT conditions, and in about
// as many steps as with the residual recomputed at every step (a wrong carried residual gives
// wrong directions: many more steps or no convergence).
TEST(Qp, ReserveChainsWithCarriedResidualsReachTheColdOptimum) {
  std::mt19937 rng(23);
  std::normal_distribution<double> noise(0, 1);
  const int nmus = 240, m = 30;
  QpWorkspace carried, recomputed, cold;
  exact_penalty_problem(carried, nmus, m, rng, 2.5);
  QpSettings with_carry, without_carry;
  without_carry.carry_residual = false;
  QpInfo info;
  qp_solve(with_carry, carried, info, false);
  check_kkt(carried, info, 1e-8);
  recomputed = carried;
  long steps_carried = 0, steps_recomputed = 0, carried_steps = 0;
  int reserve_frames = 0;
  double worst = 0;
  for (int frame = 0; frame < 25; ++frame) {
    for (int i = 0; i < nmus; ++i) {
      for (int k = 0; k < carried.row_end[i] - carried.row_begin[i]; ++k) qp_column(carried, i)[k] *= 1 + 0.05 * noise(rng);
      carried.hi[i] = std::max(0.05, carried.hi[i] * (1 - 0.004 * std::abs(noise(rng))));
    }
    carried.b *= 1 + 0.05 * noise(rng);
    set_problem(recomputed, carried);
    cold = carried;
    qp_predict_warm_start(carried, false);
    qp_predict_warm_start(recomputed, false);
    QpInfo a, b, c;
    qp_solve(with_carry, carried, a, true);
    qp_solve(without_carry, recomputed, b, true);
    qp_solve(with_carry, cold, c, false);
    check_kkt(carried, a, 1e-8);
    check_kkt(recomputed, b, 1e-8);
    check_kkt(cold, c, 1e-8);
    steps_carried += a.iterations;
    steps_recomputed += b.iterations;
    carried_steps += a.carried_residuals;
    EXPECT_EQ(b.carried_residuals, 0);
    reserve_frames += largest_reserve(cold, nmus) > 1e-6;
    worst = std::max({worst, (carried.x - cold.x).head(nmus).lpNorm<Eigen::Infinity>(),
                      (recomputed.x - cold.x).head(nmus).lpNorm<Eigen::Infinity>()});
  }
  std::printf("[ info ] %d of 25 frames with reserves; steps %ld carried (%ld of them with the residual carried), %ld recomputed; activations vs cold %.1e\n",
              reserve_frames, steps_carried, carried_steps, steps_recomputed, worst);
  EXPECT_GT(carried_steps, steps_carried / 4);  // the carried path is exercised
  EXPECT_GE(reserve_frames, 20);  // the chain is one of frames where reserves act
  EXPECT_LT(worst, 1e-7);
  EXPECT_LE(steps_carried, 1.25 * steps_recomputed + 10);
}

// The interior-point fallback (reached at once with no semismooth patience) followed by the exact
// semismooth polish gives the semismooth optimum, on problems with exact-penalty reserves acting.
TEST(Qp, InteriorPointFallbackReachesTheSameOptimum) {
  std::mt19937 rng(31);
  QpWorkspace w;
  QpSettings plain, at_once;
  at_once.semismooth_patience = 0;
  double worst = 0;
  for (int trial = 0; trial < 12; ++trial) {
    exact_penalty_problem(w, 200, 27, rng, trial % 2 ? 0.8 : 1.8);
    QpInfo a, b;
    qp_solve(plain, w, a, false);
    check_kkt(w, a, 1e-8);
    const Eigen::VectorXd x_plain = w.x;
    qp_solve(at_once, w, b, false);
    check_kkt(w, b, 1e-8);
    worst = std::max(worst, (w.x - x_plain).head(200).lpNorm<Eigen::Infinity>());
  }
  std::printf("[ info ] interior point + polish vs semismooth: activations %.1e\n", worst);
  EXPECT_LT(worst, 1e-7);
}

// Fascicles of capacity exactly 0 (lo = hi) through the interior-point fallback (audit23s #2: the
// barrier's 1/(x − lo) was infinite and every unknown came back NaN, status numerical_error): the
// fixed variables stay at 0 and the rest is the optimum of the same problem with them left out of
// the bounds' interior, as the semismooth path alone gives it.
TEST(Qp, FixedVariablesPassThroughTheInteriorPointFallback) {
  std::mt19937 rng(37);
  QpWorkspace w;
  QpSettings plain, at_once;
  at_once.semismooth_patience = 0;
  for (int trial = 0; trial < 6; ++trial) {
    exact_penalty_problem(w, 200, 27, rng, trial % 2 ? 0.8 : 1.8);
    for (int i = 0; i < 200; i += trial % 3 + 2) w.hi[i] = 0;  // every 2nd, 3rd or 4th fascicle
    if (trial == 5)
      for (int i = 0; i < 200; ++i) w.hi[i] = 0;  // none can pull: the reserves carry everything
    QpInfo a, b;
    qp_solve(plain, w, a, false);
    check_kkt(w, a, 1e-8);
    const Eigen::VectorXd x_plain = w.x;
    qp_solve(at_once, w, b, false);
    ASSERT_EQ(b.status, QpStatus::kSolved) << "trial " << trial;
    ASSERT_TRUE(w.x.allFinite()) << "trial " << trial;
    check_kkt(w, b, 1e-8);
    for (int i = 0; i < 200; ++i) {
      if (w.hi[i] == 0) {
        EXPECT_EQ(w.x[i], 0.0) << i;
      }
    }
    EXPECT_LT((w.x - x_plain).head(200).lpNorm<Eigen::Infinity>(), 1e-7) << "trial " << trial;
  }
}

// A non-finite target is a numerical error, not a solve (audit23s #3): with b = inf the relative
// tolerance became infinite and the solve returned "solved" after 0 steps with an infinite residual.
TEST(Qp, NonFiniteTargetIsANumericalErrorNotASolve) {
  std::mt19937 rng(41);
  QpWorkspace w;
  for (double bad : {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    exact_penalty_problem(w, 60, 9, rng, 0.5);
    QpInfo ok;
    qp_solve(QpSettings{}, w, ok, false);
    ASSERT_EQ(ok.status, QpStatus::kSolved);
    w.b[3] = bad;
    QpInfo info;
    qp_solve(QpSettings{}, w, info, true);
    EXPECT_EQ(info.status, QpStatus::kNumericalError) << bad;
    EXPECT_FALSE(w.x.allFinite()) << "an answer to a non-finite target must not look like one";
  }
}

// A is stored packed by the columns' row ranges (qp_set_rows), each column in a window of rows a
// multiple of 4 long where m allows, zero outside its range: a dense matrix goes in and comes back
// unchanged, column i's values sit at qp_column(w, i) from its first row, the windows' other rows
// stay zero (the products read them), and an entry outside the ranges (which the packed store would
// drop) or a range outside the rows is refused.
TEST(Qp, PackedColumnsHoldTheMatrixWithinTheRowRanges) {
  QpWorkspace w;
  qp_resize(w, 4, 5);
  qp_set_rows(w, {0, 2, 3, 0}, {2, 5, 3, 5});  // column 2 acts on no row; column 3 on all five
  // Windows: rows 0–3; 1–4 (moved up: 2–5 would pass the last row); none; 0–4 (8 rows do not fit).
  EXPECT_EQ(w.window_begin, (std::vector<int>{0, 1, 3, 0}));
  EXPECT_EQ(w.window_length, (std::vector<int>{4, 4, 0, 5}));
  EXPECT_EQ(w.column_start, (std::vector<int>{0, 4, 8, 8, 13}));
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(5, 4);
  A(0, 0) = 1, A(1, 0) = 2, A(2, 1) = 3, A(4, 1) = 4, A(0, 3) = 5, A(3, 3) = 6, A(4, 3) = 8;
  qp_set_matrix(w, A);
  EXPECT_EQ(qp_matrix(w), A);
  EXPECT_EQ(qp_column(w, 1)[2], 4.0);  // row 4 of column 1, whose rows start at 2
  EXPECT_EQ(qp_column(w, 3)[0], 5.0);
  for (int i = 0; i < w.n; ++i)
    for (int k = 0; k < w.window_length[i]; ++k) {
      const int r = w.window_begin[i] + k;
      EXPECT_EQ(w.columns[w.column_start[i] + k], A(r, i)) << "column " << i << " row " << r;
    }
  A(4, 0) = 7;  // outside column 0's rows 0–1
  EXPECT_THROW(qp_set_matrix(w, A), std::invalid_argument);
  EXPECT_THROW(qp_set_rows(w, {0, 0, 0, 0}, {6, 1, 1, 1}), std::invalid_argument);
  EXPECT_THROW(qp_set_rows(w, {0, 0, 0}, {1, 1, 1}), std::invalid_argument);
}

}  // namespace
}  // namespace paraspine
