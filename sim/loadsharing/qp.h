#pragma once
// A separable convex QP with box bounds and equality constraints — the shape of static
// optimization — solved in the space of the equalities:
//
//   minimize   Σ_i ½ h_i x_i² + g_i x_i       (h_i > 0)
//   subject to A x = b,   lo_i ≤ x_i ≤ hi_i    (A: m × n, m = 3·joints ≪ n = muscles + reserves)
//
// Method: semismooth Newton on the concave dual q(λ) = min_{lo≤x≤hi} L(x, λ). For fixed λ the
// Lagrangian minimizer is explicit, x_i(λ) = clip((a_iᵀλ − g_i)/h_i, lo_i, hi_i), so bounds,
// stationarity and complementarity hold by construction and the only residual is A x(λ) − b = −∇q.
// The Newton matrix is S = A_F H_F⁻¹ A_Fᵀ over the free variables (m × m, Cholesky), the step is
// taken with an exact line search on the piecewise-quadratic dual, over the whole ray t > 0 (its
// derivative is piecewise linear: a sweep over the kinks in order), so the iteration converges from
// any start and terminates on the exact optimum once the active set is right (Hintermüller, Ito &
// Kunisch 2002, SIAM J Optim 13:865, the primal–dual active-set / semismooth Newton equivalence;
// Goldfarb & Idnani 1983 for the dual view). Warm start: λ from the previous frame, which usually
// has the right active set.
//
// Cost per iteration: S is factorized once per solve; when the free set then changes by a few
// variables, the factor is updated by rank-one updates and downdates (one per variable, O(m²)
// instead of O(m³); Gill, Golub, Murray & Saunders 1974, Math Comp 28:505) rather than formed and
// factorized again. Columns are grouped by their row range so that S is assembled several columns
// at a time, and the Cholesky factor keeps the envelope of S (a row's first nonzero column is the
// lowest row of any column that reaches it): fill stays inside it, so the factorization, solves and
// updates skip the zeros outside.
//
// Column sparsity: column i has nonzeros only in rows [row_begin_i, row_end_i) (a muscle acts on
// the joints it crosses), which the products and the assembly of S exploit. The structure analysis
// (grouping, envelope) is redone automatically when the row ranges change.
// No allocation after qp_resize (the first solve after a change of row ranges analyses them).
#include <Eigen/Core>
#include <vector>

namespace paraspine {

struct QpSettings {
  int max_iterations = 500;
  // Semismooth steps before the interior-point fallback, chosen on wall time (docs/performance.md):
  // 30 suits the benchmark lift best (129 µs per warm frame against 220 µs), but makes the saturated
  // frames of a fatigued shift 30 % slower than the old solver; 12 keeps the shift at parity.
  int semismooth_patience = 12;
  // Converged when ‖A x − b‖∞ ≤ tolerance · max(1, ‖b‖∞): relative, because the floating-point
  // floor of the dual grows with the multipliers (large when reserves carry big moments).
  double tolerance = 1e-10;
  bool verbose = false;  // one line per iteration on stderr (residual, step, free variables)
};

enum class QpStatus : int { kSolved = 0, kMaxIterations = 1, kNumericalError = 2 };
const char* qp_status_name(QpStatus s);

struct QpInfo {
  QpStatus status = QpStatus::kSolved;
  int iterations = 0;
  double primal_residual = 0;   // ‖A x − b‖∞
  double stationarity = 0;      // ‖h∘x + g − Aᵀλ − μ‖∞ with μ the bound multipliers (≈ 0 by construction)
  double complementarity = 0;   // max |μ_i| · distance of x_i from its bound
  double objective = 0;
  int factorizations = 0;       // Newton matrices formed and factorized
  int rank_updates = 0;         // rank-one updates and downdates of the factor instead
};

struct QpWorkspace {
  int n = 0, m = 0;
  // ---- problem (filled by the caller)
  Eigen::MatrixXd A;                 // (m, n)
  Eigen::VectorXd b;                 // (m)
  Eigen::VectorXd h, g, lo, hi;      // (n)
  std::vector<int> row_begin, row_end;  // (n) nonzero row range of each column
  // ---- solution and warm-start state
  Eigen::VectorXd x;                 // (n)
  Eigen::VectorXd lambda;            // (m) equality multipliers
  Eigen::VectorXd bound_multiplier;  // (n) μ: > 0 at an upper bound, < 0 at a lower bound
  // ---- scratch
  Eigen::VectorXd s, c, residual, direction, xt;
  Eigen::VectorXd ip_zl, ip_zu, ip_rd, ip_dx, ip_dzl, ip_dzu, ip_d, ip_q;  // interior-point fallback
  // ---- semismooth Newton: structure analysis, the envelope Cholesky factor and its free set
  std::vector<int> analyzed_begin, analyzed_end;  // the row ranges the analysis below was made for
  std::vector<int> group_order;      // columns sorted by row range
  std::vector<int> group_start;      // (groups + 1) offsets into group_order of equal row ranges
  std::vector<int> envelope_last;    // (m) last row of column j of the factor inside the envelope
  Eigen::MatrixXd L;                 // (m, m) lower Cholesky factor of A_F H_F⁻¹ A_Fᵀ + diag(δ)
  Eigen::VectorXd regularization;    // (m) δ
  Eigen::VectorXd update;            // (m) rank-one update vector
  Eigen::VectorXd update_scratch_floor;  // (m) rounding-floor estimate
  std::vector<unsigned char> in_factor;  // (n) 1 if column i is in L
  std::vector<signed char> bound_state;  // (n) at the last solution: −1 at lo, 0 free, +1 at hi
  bool has_bound_state = false;
  Eigen::VectorXd lambda_start;      // (m)
  std::vector<int> changed;          // columns entering or leaving the free set
  std::vector<std::pair<double, double>> events, events_far;  // line search: (t, slope change) at each kink
  Eigen::VectorXd free_lo, free_hi;  // (n) x_i(λ) is free iff free_lo_i ≤ a_iᵀλ ≤ free_hi_i
};

// Sizes the workspace (all buffers allocated here), λ = 0.
void qp_resize(QpWorkspace& w, int n, int m);

// Analyses the column structure (row ranges) for the solver; qp_solve calls it too, but only the
// first solve after the row ranges change does any work (and allocates), so callers that must not
// allocate per frame call it once after setting them.
void qp_analyze(QpWorkspace& w);

// Solves the problem in w. warm = true starts from w.lambda (the previous solution), otherwise
// from λ = 0. Never throws; a non-converged solve returns its status with the best iterate.
void qp_solve(const QpSettings& settings, QpWorkspace& w, QpInfo& info, bool warm);

}  // namespace paraspine
