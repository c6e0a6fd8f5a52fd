#include "sim/loadsharing/ipopt_reference.h"

#include <IpIpoptApplication.hpp>
#include <IpIpoptData.hpp>
#include <IpTNLP.hpp>
#include <cmath>
#include <vector>

namespace paraspine {
namespace {

using Ipopt::Index;
using Ipopt::Number;

// A(r, i) for a row within column i's range.
double coefficient(const QpWorkspace& w, int r, int i) { return qp_column(w, i)[r - w.row_begin[i]]; }

// The QP as an Ipopt TNLP: a constant Jacobian (A, sparse by column row ranges) and a constant
// diagonal Hessian.
class QpNlp : public Ipopt::TNLP {
 public:
  QpNlp(const QpWorkspace& w, IpoptResult& out, int cubic, double tolerance) : w_(w), out_(out), cubic_(cubic), tolerance_(tolerance) {
    for (int i = 0; i < w.n; ++i)
      for (int r = w.row_begin[i]; r < w.row_end[i]; ++r)
        if (coefficient(w, r, i) != 0) nz_.push_back({r, i});
  }
  bool get_nlp_info(Index& n, Index& m, Index& nnz_jac, Index& nnz_h, IndexStyleEnum& style) override {
    n = w_.n;
    m = w_.m;
    nnz_jac = static_cast<Index>(nz_.size());
    nnz_h = w_.n;
    style = C_STYLE;
    return true;
  }
  bool get_bounds_info(Index n, Number* xl, Number* xu, Index m, Number* gl, Number* gu) override {
    for (Index i = 0; i < n; ++i) {
      xl[i] = std::isfinite(w_.lo[i]) ? w_.lo[i] : -1e19;
      xu[i] = std::isfinite(w_.hi[i]) ? w_.hi[i] : 1e19;
    }
    for (Index k = 0; k < m; ++k) gl[k] = gu[k] = w_.b[k];
    return true;
  }
  bool get_starting_point(Index n, bool, Number* x, bool, Number*, Number*, Index, bool, Number*) override {
    for (Index i = 0; i < n; ++i) {
      const double lo = std::isfinite(w_.lo[i]) ? w_.lo[i] : -1.0, hi = std::isfinite(w_.hi[i]) ? w_.hi[i] : 1.0;
      x[i] = 0.5 * (lo + hi);
    }
    return true;
  }
  bool eval_f(Index n, const Number* x, bool, Number& f) override {
    f = 0;
    for (Index i = 0; i < n; ++i) f += i < cubic_ ? x[i] * x[i] * x[i] : 0.5 * w_.h[i] * x[i] * x[i] + w_.g[i] * x[i];
    return true;
  }
  bool eval_grad_f(Index n, const Number* x, bool, Number* g) override {
    for (Index i = 0; i < n; ++i) g[i] = i < cubic_ ? 3 * x[i] * x[i] : w_.h[i] * x[i] + w_.g[i];
    return true;
  }
  bool eval_g(Index, const Number* x, bool, Index m, Number* g) override {
    for (Index k = 0; k < m; ++k) g[k] = 0;
    for (const auto& [r, i] : nz_) g[r] += coefficient(w_, r, i) * x[i];
    return true;
  }
  bool eval_jac_g(Index, const Number*, bool, Index, Index, Index* irow, Index* jcol, Number* values) override {
    for (size_t k = 0; k < nz_.size(); ++k) {
      if (values) values[k] = coefficient(w_, nz_[k].first, nz_[k].second);
      else { irow[k] = nz_[k].first; jcol[k] = nz_[k].second; }
    }
    return true;
  }
  bool eval_h(Index n, const Number* x, bool, Number obj_factor, Index, const Number*, bool, Index,
              Index* irow, Index* jcol, Number* values) override {
    for (Index i = 0; i < n; ++i) {
      if (values) values[i] = obj_factor * (i < cubic_ ? 6 * x[i] : w_.h[i]);
      else irow[i] = jcol[i] = i;
    }
    return true;
  }
  void finalize_solution(Ipopt::SolverReturn status, Index n, const Number* x, const Number* z_lower, const Number* z_upper,
                         Index m, const Number*, const Number* lambda, Number obj, const Ipopt::IpoptData* data,
                         Ipopt::IpoptCalculatedQuantities*) override {
    out_.solved = status == Ipopt::SUCCESS;
    out_.status = static_cast<int>(status);
    // Ipopt 3.11 (Debian) ends with "stopped at acceptable point" on most fatigue-capped reserve
    // frames even with acceptable_iter = 0, its objective equal to ours to 10 digits (audit26b M7:
    // 57 of 60 shift frames), so the reference check dropped exactly the hard frames. Such a point
    // is counted as solved when its own KKT residuals, recomputed here, meet the tolerance: the
    // equalities to tol·max(1, ‖b‖∞) · 100 (the band our solver's minmax uses), stationarity
    // ∇f + Aᵀλ − z_L + z_U to 10⁻⁶ of max(1, ‖∇f‖∞) and complementarity z·gap to 10⁻⁸ of it.
    if (status == Ipopt::STOP_AT_ACCEPTABLE_POINT && x && lambda && z_lower && z_upper) {
      std::vector<double> g(m, 0.0), r(n, 0.0);
      for (const auto& [row, i] : nz_) g[row] += coefficient(w_, row, i) * x[i];
      double primal = 0, bnorm = 1, grad_norm = 1, stationarity = 0;
      for (Index k = 0; k < m; ++k) primal = std::max(primal, std::abs(g[k] - w_.b[k])), bnorm = std::max(bnorm, std::abs(w_.b[k]));
      for (Index i = 0; i < n; ++i) {
        r[i] = i < cubic_ ? 3 * x[i] * x[i] : w_.h[i] * x[i] + w_.g[i];
        grad_norm = std::max(grad_norm, std::abs(r[i]));
        r[i] += -z_lower[i] + z_upper[i];
      }
      for (const auto& [row, i] : nz_) r[i] += coefficient(w_, row, i) * lambda[row];
      for (Index i = 0; i < n; ++i) stationarity = std::max(stationarity, std::abs(r[i]));
      // Complementarity too (review26 #3): an early stop can be feasible and stationary with bound
      // multipliers on inactive bounds, its objective off the optimum. z·gap, with the bound's gap.
      double complementarity = 0;
      for (Index i = 0; i < n; ++i) {
        if (std::isfinite(w_.lo[i])) complementarity = std::max(complementarity, std::abs(z_lower[i] * (x[i] - w_.lo[i])));
        if (std::isfinite(w_.hi[i])) complementarity = std::max(complementarity, std::abs(z_upper[i] * (w_.hi[i] - x[i])));
      }
      out_.acceptable = primal <= 100 * tolerance_ * bnorm && stationarity <= 1e-6 * grad_norm && complementarity <= 1e-8 * grad_norm;
      out_.solved = out_.acceptable;
    }
    out_.objective = obj;
    out_.x = Eigen::Map<const Eigen::VectorXd>(x, n);
    out_.iterations = data ? data->iter_count() : 0;
  }

 private:
  const QpWorkspace& w_;
  IpoptResult& out_;
  std::vector<std::pair<int, int>> nz_;
  int cubic_ = 0;
  double tolerance_ = 1e-10;
};

}  // namespace

IpoptResult ipopt_solve(const QpWorkspace& w, double tolerance, int cubic_count) {
  IpoptResult out;
  Ipopt::SmartPtr<Ipopt::TNLP> nlp = new QpNlp(w, out, cubic_count, tolerance);
  Ipopt::SmartPtr<Ipopt::IpoptApplication> app = IpoptApplicationFactory();
  app->Options()->SetNumericValue("tol", tolerance);
  app->Options()->SetIntegerValue("print_level", 0);
  app->Options()->SetStringValue("sb", "yes");  // no banner
  if (cubic_count == 0) app->Options()->SetStringValue("hessian_constant", "yes");
  app->Options()->SetStringValue("jac_c_constant", "yes");
  app->Options()->SetStringValue("jac_d_constant", "yes");
  app->Options()->SetStringValue("mu_strategy", "adaptive");
  app->Options()->SetIntegerValue("acceptable_iter", 0);  // converge to tol, never stop at "acceptable"
  // Unscaled tolerances too (defaults 1e-4 / 1 / 1e-4 let the equalities drift by 1e-6 N·m, which
  // with multipliers in the hundreds shifts the objective by 1e-5).
  app->Options()->SetNumericValue("constr_viol_tol", 1e-10);
  app->Options()->SetStringValue("nlp_scaling_method", "none");  // tolerances on the problem as posed
  app->Options()->SetNumericValue("bound_relax_factor", 0.0);    // no relaxation of bounds or of b
  app->Options()->SetNumericValue("dual_inf_tol", 1e-8);
  app->Options()->SetNumericValue("compl_inf_tol", 1e-10);
  app->Options()->SetIntegerValue("max_iter", 500);
  if (app->Initialize() != Ipopt::Solve_Succeeded) return out;
  app->OptimizeTNLP(nlp);
  return out;
}

}  // namespace paraspine
