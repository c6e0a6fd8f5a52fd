#pragma once
// The independent reference: the same QP as qp.h solved by Ipopt (interior point, Wächter &
// Biegler 2006, Math Program 106:25; Debian coinor-libipopt), used by tests and `paraspine bench`
// to check that our solver reaches the same optimum. Not in any per-frame path.
#include "sim/loadsharing/qp.h"

namespace paraspine {

struct IpoptResult {
  bool solved = false;
  int status = -1;  // Ipopt::SolverReturn (0 = success)
  // Ipopt stopped at an "acceptable point" (status 4) whose KKT residuals, recomputed, meet the
  // tolerance: counted as solved (ipopt_reference.cpp).
  bool acceptable = false;
  int iterations = 0;
  double objective = 0;
  Eigen::VectorXd x;
};

// Solves min Σ ½ h x² + g x s.t. A x = b, lo ≤ x ≤ hi from the problem data in w (A's column
// row ranges respected). Infinite bounds are passed as ±1e19 (Ipopt's "no bound").
// Tolerance: Ipopt's tol (default 1e-10 here).
// cubic_count > 0: the first cubic_count variables cost Σ x³ instead of ½ h x² + g x (the
// activation3 criterion, solved as the NLP it is rather than by our SQP).
IpoptResult ipopt_solve(const QpWorkspace& w, double tolerance = 1e-10, int cubic_count = 0);

}  // namespace paraspine
