#include "sim/loadsharing/qp.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace paraspine {

const char* qp_status_name(QpStatus s) {
  switch (s) {
    case QpStatus::kSolved: return "solved";
    case QpStatus::kMaxIterations: return "max_iterations";
    default: return "numerical_error";
  }
}

void qp_resize(QpWorkspace& w, int n, int m) {
  w.n = n;
  w.m = m;
  w.A = Eigen::MatrixXd::Zero(m, n);
  w.b = Eigen::VectorXd::Zero(m);
  w.h = Eigen::VectorXd::Ones(n);
  w.g = Eigen::VectorXd::Zero(n);
  w.lo = Eigen::VectorXd::Zero(n);
  w.hi = Eigen::VectorXd::Ones(n);
  w.row_begin.assign(n, 0);
  w.row_end.assign(n, m);
  w.x = Eigen::VectorXd::Zero(n);
  w.lambda = Eigen::VectorXd::Zero(m);
  w.bound_multiplier = Eigen::VectorXd::Zero(n);
  w.s = Eigen::VectorXd::Zero(n);
  w.c = Eigen::VectorXd::Zero(n);
  w.xt = Eigen::VectorXd::Zero(n);
  w.residual = Eigen::VectorXd::Zero(m);
  w.direction = Eigen::VectorXd::Zero(m);
  w.S = Eigen::MatrixXd::Zero(m, m);
  w.llt = Eigen::LLT<Eigen::MatrixXd>(m);
  w.breakpoints.reserve(2 * n + 2);
}

namespace {

inline double column_dot(const QpWorkspace& w, int i, const Eigen::VectorXd& v) {
  const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
  return w.A.col(i).segment(r0, len).dot(v.segment(r0, len));
}

// x(λ) from s = Aᵀλ; returns the residual r = b − A x (the dual gradient).
void primal_from_dual(QpWorkspace& w) {
  w.residual = w.b;
  for (int i = 0; i < w.n; ++i) {
    w.s[i] = column_dot(w, i, w.lambda);
    const double xi = std::clamp((w.s[i] - w.g[i]) / w.h[i], w.lo[i], w.hi[i]);
    w.x[i] = xi;
    if (xi != 0) {
      const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
      w.residual.segment(r0, len) -= xi * w.A.col(i).segment(r0, len);
    }
  }
}

// Derivative of the dual along the direction d at step t: φ'(t) = dᵀb − Σ c_i x_i(λ + t d).
double directional_derivative(const QpWorkspace& w, double dTb, double t) {
  double v = dTb;
  for (int i = 0; i < w.n; ++i) {
    if (w.c[i] == 0 && w.x[i] == 0) continue;
    const double xi = std::clamp((w.s[i] + t * w.c[i] - w.g[i]) / w.h[i], w.lo[i], w.hi[i]);
    v -= w.c[i] * xi;
  }
  return v;
}

}  // namespace

void qp_solve(const QpSettings& settings, QpWorkspace& w, QpInfo& info, bool warm) {
  if (!warm) w.lambda.setZero();
  info = QpInfo{};
  const double scale = std::max(1.0, w.b.lpNorm<Eigen::Infinity>());
  const double tol = settings.tolerance * scale;
  double best = std::numeric_limits<double>::infinity();
  int stalled = 0;
  int it = 0;
  for (;; ++it) {
    primal_from_dual(w);
    info.primal_residual = w.residual.lpNorm<Eigen::Infinity>();
    if (info.primal_residual <= tol) break;
    // Rounding sets a floor of about ε·‖λ‖·‖A‖ on the residual, which matters only when reserves
    // carry very large moments (λ is their marginal cost): stop once progress stalls there.
    stalled = info.primal_residual < 0.5 * best ? 0 : stalled + 1;
    best = std::min(best, info.primal_residual);
    if (stalled >= 3 && info.primal_residual <= 1e-7 * scale) break;
    if (it == settings.max_iterations) {
      info.status = QpStatus::kMaxIterations;
      break;
    }
    // Newton matrix over the free variables. A variable at a bound whose unclipped value lies
    // exactly on the bound counts as free, so S stays the generalized Jacobian of the residual.
    w.S.setZero();
    for (int i = 0; i < w.n; ++i) {
      const double u = (w.s[i] - w.g[i]) / w.h[i];
      if (u < w.lo[i] || u > w.hi[i]) continue;
      const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
      w.S.block(r0, r0, len, len).selfadjointView<Eigen::Lower>().rankUpdate(w.A.col(i).segment(r0, len), 1.0 / w.h[i]);
    }
    // A row with no free variable (all columns clipped) makes S singular: regularize gently.
    for (int k = 0; k < w.m; ++k)
      if (w.S(k, k) <= 0) w.S(k, k) = 1e-12;
    w.llt.compute(w.S);
    if (w.llt.info() != Eigen::Success) {
      info.status = QpStatus::kNumericalError;
      break;
    }
    w.direction = w.llt.solve(w.residual);
    // Exact line search: φ'(t) is piecewise linear and decreasing; find its root in (0, 1],
    // or take the full step when the dual still rises at t = 1.
    for (int i = 0; i < w.n; ++i) w.c[i] = column_dot(w, i, w.direction);
    const double dTb = w.direction.dot(w.b);
    double t = 1.0;
    if (directional_derivative(w, dTb, 1.0) < 0) {
      w.breakpoints.clear();
      for (int i = 0; i < w.n; ++i) {
        if (w.c[i] == 0) continue;
        for (double bound : {w.lo[i], w.hi[i]}) {
          const double tb = (bound * w.h[i] + w.g[i] - w.s[i]) / w.c[i];
          if (tb > 0 && tb < 1) w.breakpoints.push_back(tb);
        }
      }
      std::sort(w.breakpoints.begin(), w.breakpoints.end());
      // Bracket the root between consecutive breakpoints, then interpolate on the linear piece.
      double t0 = 0, f0 = directional_derivative(w, dTb, 0.0), t1 = 1, f1 = directional_derivative(w, dTb, 1.0);
      size_t lo = 0, hi = w.breakpoints.size();
      while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        const double tm = w.breakpoints[mid], fm = directional_derivative(w, dTb, tm);
        if (fm >= 0) { t0 = tm; f0 = fm; lo = mid + 1; }
        else { t1 = tm; f1 = fm; hi = mid; }
      }
      t = f0 - f1 > 0 ? t0 + (t1 - t0) * f0 / (f0 - f1) : t0;
      if (!(t > 0)) t = std::min(1.0, 1e-3 + t1 * 0.5);  // no ascent left: the next test stops
    }
    w.lambda += t * w.direction;
  }
  info.iterations = it;
  // Bound multipliers and the KKT measures, for reporting.
  info.objective = 0;
  info.stationarity = 0;
  info.complementarity = 0;
  for (int i = 0; i < w.n; ++i) {
    const double grad = w.h[i] * w.x[i] + w.g[i] - w.s[i];  // = −μ_i
    const bool at_lo = w.x[i] <= w.lo[i], at_hi = w.x[i] >= w.hi[i];
    double mu = 0;
    if (at_hi && grad < 0) mu = -grad;
    if (at_lo && grad > 0) mu = -grad;
    w.bound_multiplier[i] = mu;
    info.stationarity = std::max(info.stationarity, std::abs(grad + mu));
    const double gap = mu > 0 ? w.hi[i] - w.x[i] : mu < 0 ? w.x[i] - w.lo[i] : 0.0;
    info.complementarity = std::max(info.complementarity, std::abs(mu) * gap);
    info.objective += 0.5 * w.h[i] * w.x[i] * w.x[i] + w.g[i] * w.x[i];
  }
}

}  // namespace paraspine
