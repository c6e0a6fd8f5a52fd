#include "sim/loadsharing/qp_reserve.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "sim/loadsharing/qp_internal.h"

namespace paraspine {

namespace {

// How far beyond a violation its auxiliary bound or cost starts, 1.5–2 times the violation, varied
// (deterministically) between variables so that they do not all reach their place at the same τ,
// which would make every event a tie.
inline double margin(int i) {
  const double golden = 0.6180339887498949 * (i + 1);
  return 1.5 + 0.5 * (golden - std::floor(golden));
}

// Pivots of one homotopy: rank-one updates of the ill-conditioned Newton matrices of vertex-like
// frames drift, so after this many the partition reached is solved anew (exactly, on this frame's
// data) and a new homotopy starts from it.
static const int kRoundPivots = std::getenv("PARASPINE_QP_ROUND_PIVOTS") ? std::atoi(std::getenv("PARASPINE_QP_ROUND_PIVOTS")) : 40;  // EXPERIMENT

// A leaving variable whose Sherman–Morrison factor γ is below this would leave the Newton matrix
// singular (up to its δ regularization).
constexpr double kIndependent = 1e-9;

// Column products over the rows a column acts on (plain loops for short columns, as in qp.cpp).
inline double column_dot(const QpWorkspace& w, int i, const Eigen::VectorXd& v) {
  const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
  if (len >= 8) return w.A.col(i).segment(r0, len).dot(v.segment(r0, len));
  double sum = 0;
  const double* a = w.A.col(i).data() + r0;
  const double* y = v.data() + r0;
  for (int k = 0; k < len; ++k) sum += a[k] * y[k];
  return sum;
}

inline void column_axpy(const QpWorkspace& w, int i, double f, Eigen::VectorXd& v) {
  const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
  if (len >= 8) {
    v.segment(r0, len) += f * w.A.col(i).segment(r0, len);
    return;
  }
  const double* a = w.A.col(i).data() + r0;
  double* y = v.data() + r0;
  for (int k = 0; k < len; ++k) y[k] += f * a[k];
}

// Puts s = Aᵀλ where the factorization's free test (s − g)/h ∈ [lo, hi] sees each variable on the
// side given (−1 lower, 0 free, +1 upper), for forming the Newton matrix of a chosen partition.
// False for a side with an infinite bound.
bool place_on_sides(QpWorkspace& w, const Eigen::VectorXd& side) {
  for (int i = 0; i < w.n; ++i) {
    const double lo = w.lo[i], hi = w.hi[i];
    double target;  // the unclipped value that puts i on its side
    if (side[i] > 0) {
      if (!std::isfinite(hi)) return false;
      target = hi + 1 + std::abs(hi);
    } else if (side[i] < 0) {
      if (!std::isfinite(lo)) return false;
      target = lo - 1 - std::abs(lo);
    } else {
      target = std::isfinite(lo) ? (std::isfinite(hi) ? lo + 0.5 * (hi - lo) : lo) : (std::isfinite(hi) ? hi : 0.0);
    }
    w.s[i] = w.g[i] + w.h[i] * target;
  }
  return true;
}

// λ of the partition `side` on this frame's data (right-hand side b − A_B x_B + A_F H_F⁻¹ g_F),
// with a new factorization, left in w.L. With dbound and dg (not null), on the homotopy's data at
// τ instead: bound(τ) = bound + (1 − τ) dbound, g(τ) = g + (1 − τ) dg.
bool partition_solve(QpWorkspace& w, QpInfo& info, Eigen::VectorXd& side, double tau = 1,
                     const Eigen::VectorXd* dbound = nullptr, const Eigen::VectorXd* dg = nullptr) {
  const int n = w.n;
  if (!place_on_sides(w, side)) return false;
  Eigen::VectorXd& rhs = w.direction;
  rhs = w.b;
  for (int i = 0; i < n; ++i) {
    // Membership as the factorization will see it (rounding may move a capacity-0 variable).
    if (side[i] == 0 && !qp_internal::is_free_variable(w, i)) side[i] = -1;
    double value;
    if (side[i] == 0) {
      value = -(w.g[i] + (dg ? (1 - tau) * (*dg)[i] : 0.0)) * w.inv_h[i];
    } else {
      value = side[i] > 0 ? w.hi[i] : w.lo[i];
      if (dbound && (side[i] > 0) == ((*dbound)[i] > 0)) value += (1 - tau) * (*dbound)[i];
    }
    if (value != 0) column_axpy(w, i, -value, rhs);
  }
  if (!qp_internal::factorize_free_set(w)) return false;
  ++info.factorizations;
  qp_internal::solve_factored(w, rhs);
  w.lambda = rhs;
  return true;
}

// One homotopy from data for which the partition `side` (just solved, factor in w.L) is optimal to
// this frame's data, following the partition (Best 1996, the parametric active-set step). 1 if the
// partition was already optimal, 0 when τ = 1 was reached, −1 if it gave up (too many moving
// variables or pivots). The multipliers ρ of the bound variables are evaluated
// lazily: |ρ| can fall at most by ‖a_i‖₁ times the distance λ travelled, so a variable is only
// looked at when its last |ρ| / ‖a_i‖₁ is within the step's reach (most of the hundreds of bound
// variables of a vertex-like frame are far from freeing).
int homotopy_round(QpWorkspace& w, QpInfo& info, Eigen::VectorXd& side) {
  const int n = w.n;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  Eigen::VectorXd& rho = w.ip_zu;     // h x + g(τ) − s of a bound variable when last evaluated
  Eigen::VectorXd& key = w.ip_dx;     // |ρ| / ‖a_i‖₁ + the path length λ had travelled then
  Eigen::VectorXd& norm1 = w.ip_dzl;  // ‖a_i‖₁
  Eigen::VectorXd& dbound = w.ip_rd;  // bound(τ) = bound + (1 − τ) dbound on the violated side
  Eigen::VectorXd& dg = w.ip_dzu;     // g(τ) = g + (1 − τ) dg
  Eigen::VectorXd& v = w.residual;
  Eigen::VectorXd& dlambda = w.direction;
  std::vector<int>& specials = w.changed;  // the variables whose data move
  specials.clear();
  for (int i = 0; i < n; ++i) {
    const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
    norm1[i] = len > 0 ? w.A.col(i).segment(r0, len).lpNorm<1>() : 0.0;
    const double s = column_dot(w, i, w.lambda);
    dbound[i] = 0;
    dg[i] = 0;
    key[i] = -kInf;
    if (side[i] == 0) {
      // A free variable outside its bounds: that bound starts beyond it and moves to its place.
      const double x = (s - w.g[i]) * w.inv_h[i];
      if (x < w.lo[i]) dbound[i] = margin(i) * (x - w.lo[i]);
      else if (x > w.hi[i]) dbound[i] = margin(i) * (x - w.hi[i]);
    } else {
      // A bound variable whose multiplier has the wrong sign: its linear cost starts shifted to the
      // opposite sign and moves back.
      const double r = w.h[i] * (side[i] > 0 ? w.hi[i] : w.lo[i]) + w.g[i] - s;
      if (w.hi[i] > w.lo[i] && side[i] * r > 0) dg[i] = -margin(i) * r;
      rho[i] = r + dg[i];
      key[i] = norm1[i] > 0 ? std::abs(rho[i]) / norm1[i] : kInf;
    }
    if (dbound[i] != 0 || dg[i] != 0) specials.push_back(i);
  }
  if (specials.empty()) return 1;
  static const int max_specials = std::getenv("PARASPINE_QP_MAX_SPECIALS") ? std::atoi(std::getenv("PARASPINE_QP_MAX_SPECIALS")) : 1 << 20;  // EXPERIMENT
  if (static_cast<int>(specials.size()) > max_specials) return -1;
  // Data at τ of variable i: its bound value on side `up` and its linear cost.
  double tau = 0, path = 0;
  auto bound_at = [&](int i, bool up) {
    const double b = up ? w.hi[i] : w.lo[i];
    return (dbound[i] > 0) == up && dbound[i] != 0 ? b + (1 - tau) * dbound[i] : b;
  };
  auto cost_at = [&](int i) { return w.g[i] + (1 - tau) * dg[i]; };
  const int max_pivots = kRoundPivots;
  int pivots = 0;
  long evaluated_bound = 0, evaluated_exchange = 0, exchanges = 0, zero_steps = 0;
  int recent[2] = {-1, -1};
  static const bool debug_trace = std::getenv("PARASPINE_QP_TRACE");  // EXPERIMENT  // the last pivots' variables: they may not block at once again (cycling)
  auto recently = [&](int i) { return i == recent[0] || i == recent[1]; };
  for (; pivots < max_pivots; ++pivots) {
    // Direction: S_F dλ/dτ = Σ_B a_i dbound_i − Σ_F a_i dg_i / h_i (the data's derivative).
    v.setZero();
    bool moving = false;
    for (int i : specials) {
      const double f = side[i] != 0 ? dbound[i] : -dg[i] * w.inv_h[i];
      if (f != 0) {
        column_axpy(w, i, f, v);
        moving = true;
      }
    }
    dlambda = v;
    if (moving) qp_internal::solve_factored(w, dlambda);
    const double reach = moving ? dlambda.lpNorm<Eigen::Infinity>() : 0.0;
    // Ratio test: the first variable to reach its (moving) bound or whose multiplier reaches 0.
    double step = 1 - tau;
    int blocking = -1;
    bool blocking_upper = false;
    for (int i = 0; i < n; ++i) {
      if (side[i] == 0) {
        const double si = column_dot(w, i, w.lambda), dsi = moving ? column_dot(w, i, dlambda) : 0.0;
        const double x = (si - cost_at(i)) * w.inv_h[i], d = (dsi + dg[i]) * w.inv_h[i];
        const double dlo = dbound[i] < 0 ? dbound[i] : 0.0, dhi = dbound[i] > 0 ? dbound[i] : 0.0;
        if (d + dlo < 0) {  // x − lo(τ) falls
          const double t = std::max(0.0, (x - bound_at(i, false)) / -(d + dlo));
          if (t < step && !(t == 0 && recently(i))) step = t, blocking = i, blocking_upper = false;
        }
        if (d + dhi > 0) {  // x − hi(τ) rises
          const double t = std::max(0.0, (bound_at(i, true) - x) / (d + dhi));
          if (t < step && !(t == 0 && recently(i))) step = t, blocking = i, blocking_upper = true;
        }
      } else {
        if (!(w.hi[i] > w.lo[i])) continue;  // a fixed variable never frees
        const bool moves = dbound[i] != 0 || dg[i] != 0;
        if (!moves && key[i] > path + step * reach) continue;  // cannot reach zero within the step
        ++evaluated_bound;
        const double si = column_dot(w, i, w.lambda), dsi = moving ? column_dot(w, i, dlambda) : 0.0;
        const bool up = side[i] > 0;
        const double r = w.h[i] * bound_at(i, up) + cost_at(i) - si;
        rho[i] = r;
        key[i] = norm1[i] > 0 ? std::abs(r) / norm1[i] + path : kInf;
        const double d = -w.h[i] * ((dbound[i] > 0) == up ? dbound[i] : 0.0) - dg[i] - dsi;
        double t = kInf;
        if (!up && d < 0) t = std::max(0.0, r / -d);
        else if (up && d > 0) t = std::max(0.0, -r / d);
        if (t < step && !(t == 0 && recently(i))) step = t, blocking = i;
      }
    }
    // Advance to the event.
    zero_steps += step == 0;
    tau += step;
    if (moving) w.lambda += step * dlambda;
    path += step * reach;
    if (blocking < 0) break;  // τ = 1: this frame's optimum
    const int i = blocking;
    if (debug_trace && pivots < 40) std::fprintf(stderr, "  pivot %d tau %.9f step %.3e var %d side %g %s reach %.3e\n", pivots, tau, step, i, side[i], side[i] == 0 ? (blocking_upper ? "->upper" : "->lower") : "->free", reach);
    recent[1] = recent[0];
    recent[0] = i;
    ++info.rank_updates;
    if (side[i] != 0) {
      // Its multiplier reaches zero: free from now on (a moving cost keeps moving).
      side[i] = 0;
      if (!qp_internal::update_factor_column(w, i, 1.0)) break;
      continue;
    }
    // Reaches a bound: fixed there from now on.
    side[i] = blocking_upper ? 1.0 : -1.0;
    if ((dbound[i] > 0) != blocking_upper) {
      if (dbound[i] != 0) dbound[i] = 0;  // the other side never moved
    }
    rho[i] = 0;
    key[i] = path;
    // Does the free set lose rank without i? γ = 1 − a_iᵀ S_F⁻¹ a_i / h_i (Sherman–Morrison).
    Eigen::VectorXd& z = w.residual;
    z.setZero();
    column_axpy(w, i, 1.0, z);
    qp_internal::solve_factored(w, z);
    const double zeta_i = column_dot(w, i, z);
    if (1 - zeta_i * w.inv_h[i] > kIndependent) {
      if (!qp_internal::update_factor_column(w, i, -1.0)) {
        if (!place_on_sides(w, side) || !qp_internal::factorize_free_set(w)) break;
        ++info.factorizations;
      }
      continue;
    }
    // It does (a vertex: as many free variables as rows): a bound variable takes its place, the one
    // whose multiplier first reaches zero as λ moves along z = S_F⁻¹ a_i, which changes no other
    // free variable (the dual simplex ratio test).
    const double direction = (side[i] < 0) == (zeta_i > 0) ? -1.0 : 1.0;  // keeps ρ_i on its side
    const double zreach = z.lpNorm<Eigen::Infinity>();
    double theta = kInf;
    int entering = -1;
    for (int k = 0; k < n; ++k) {
      if (side[k] == 0 || k == i || !(w.hi[k] > w.lo[k])) continue;
      const bool moves = dbound[k] != 0 || dg[k] != 0;
      if (!moves && theta < kInf && key[k] > path + theta * zreach) continue;
      ++evaluated_exchange;
      const bool up = side[k] > 0;
      const double r = w.h[k] * bound_at(k, up) + cost_at(k) - column_dot(w, k, w.lambda);
      rho[k] = r;
      key[k] = norm1[k] > 0 ? std::abs(r) / norm1[k] + path : kInf;
      const double rate = -direction * column_dot(w, k, z);  // dρ_k / d|θ|
      double t = kInf;
      if (!up && rate < 0) t = std::max(0.0, r / -rate);
      else if (up && rate > 0) t = std::max(0.0, -r / rate);
      if (t < theta) theta = t, entering = k;
    }
    if (entering < 0) break;
    ++exchanges;
    w.lambda += (direction * theta) * z;
    path += theta * zreach;
    side[entering] = 0;
    ++info.rank_updates;
    if (!qp_internal::update_factor_column(w, entering, 1.0)) break;
    if (!qp_internal::update_factor_column(w, i, -1.0)) {
      if (!place_on_sides(w, side) || !qp_internal::factorize_free_set(w)) break;
      ++info.factorizations;
    }
  }
  static const bool debug = std::getenv("PARASPINE_QP_HOMOTOPY_DEBUG");  // EXPERIMENT
  if (debug) std::fprintf(stderr, "homotopy: tau %.6f pivots %d factor_valid %d specials %d bound-evals/pivot %.0f exchanges %ld (evals %.0f) zero steps %ld\n", tau, pivots, int(w.factor_valid), int(specials.size()), double(evaluated_bound) / std::max(1, pivots), exchanges, double(evaluated_exchange) / std::max<long>(1, exchanges), zero_steps);
  return 0;
}

// The exact solution of the partition `side` (in w.ip_zl), then homotopies to this frame's optimum.
bool solve_from_partition(QpWorkspace& w, QpInfo& info) {
  Eigen::VectorXd& side = w.ip_zl;
  static const bool homotopy = !std::getenv("PARASPINE_QP_NO_HOMOTOPY");  // EXPERIMENT
  static const int rounds = std::getenv("PARASPINE_QP_ROUNDS") ? std::atoi(std::getenv("PARASPINE_QP_ROUNDS")) : 8;  // EXPERIMENT
  for (int round = 0; round < rounds; ++round) {
    if (!partition_solve(w, info, side)) return false;
    if (!homotopy) return true;
    const int result = homotopy_round(w, info, side);
    if (result > 0) return true;   // optimal partition solved exactly
    if (result < 0) return false;  // gave up
  }
  return partition_solve(w, info, side);
}

}  // namespace

bool qp_partition_warm_start(QpWorkspace& w, QpInfo& info) {
  Eigen::VectorXd& side = w.ip_zl;    // −1 at the lower bound, 0 free, +1 at the upper bound
  int nfree = 0;
  for (int i = 0; i < w.n; ++i) {
    side[i] = w.bound_multiplier[i] > 0 ? 1.0 : w.bound_multiplier[i] < 0 ? -1.0 : 0.0;
    nfree += side[i] == 0;
  }
  static const int extra = std::getenv("PARASPINE_QP_VERTEX_EXTRA") ? std::atoi(std::getenv("PARASPINE_QP_VERTEX_EXTRA")) : 1 << 20;  // EXPERIMENT
  if (nfree > w.m + extra) return false;
  w.update = w.lambda;  // kept to go back to if the homotopy gives up
  if (solve_from_partition(w, info)) return true;
  w.lambda = w.update;
  w.factor_valid = false;
  return false;
}

}  // namespace paraspine
