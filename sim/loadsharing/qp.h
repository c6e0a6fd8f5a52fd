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
// taken with an exact line search on the piecewise-quadratic dual (it ends on a breakpoint or at
// the maximum of a quadratic piece), so the iteration converges from any start and terminates on
// the exact optimum once the active set is right (Hintermüller, Ito & Kunisch 2002, SIAM J Optim
// 13:865, the primal–dual active-set / semismooth Newton equivalence; Goldfarb & Idnani 1983 for
// the dual view). Warm start: λ from the previous frame, which usually has the right active set.
//
// Cost per step: S is formed and factorized once per solve; while the free set then changes by a
// few variables the factor is updated by rank-one updates and downdates (Gill, Golub, Murray &
// Saunders 1974), O(m²) instead of O(m³). Near the solution, if progress stalls, and after the
// interior-point fallback, every step uses a new factorization (updated factors of the very
// ill-conditioned matrices of frames where reserves act lose accuracy).
//
// Column sparsity: column i has nonzeros only in rows [row_begin_i, row_end_i) (a muscle acts on
// the joints it crosses), which the products, the assembly of S and the updates exploit; S has the
// envelope those ranges give, kept by its Cholesky factor, and factorization and updates work
// only inside it. A is stored packed: those rows of each column, column after column (on the full
// model 8.5 k of the dense matrix's 62 k entries, so the passes over A read 68 kB instead of
// touching 500 kB); the row ranges are set with qp_set_rows, the values written through qp_column.
// No allocation after qp_resize and qp_set_rows.
#include <Eigen/Core>
#include <vector>

namespace paraspine {

struct QpSettings {
  int max_iterations = 400;
  // Semismooth steps before the interior-point fallback, from a cold start and from the previous
  // solution. With the factor updated by rank-one updates and the line search walking the kinks a
  // semismooth step costs a small fraction of an interior-point step (one factorization each), so
  // the warm start is given more room; chosen on instruction counts over a 100 Hz lift, the
  // paraspine bench motion and a fatigued hold (docs/performance.md: 200 rather than 100 saves a
  // fifth of the bench's work and of the hold's time; 50 costs a quarter more).
  int semismooth_patience = 30;
  int semismooth_patience_warm = 200;
  // Free-set changes absorbed by rank-one updates of the factor before it is formed anew.
  int max_factor_updates = 20;
  // Converged when ‖A x − b‖∞ ≤ tolerance · max(1, ‖b‖∞): relative, because the floating-point
  // floor of the dual grows with the multipliers (large when reserves carry big moments).
  double tolerance = 1e-10;
  // After a step cut short at a few kinks (frames where reserves act take many), carry the residual
  // through the factor instead of a pass over A (qp.cpp, carry_residual); false: always recompute.
  bool carry_residual = true;
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
  int factorizations = 0;       // Newton matrices formed and factorized (semismooth steps)
  int rank_updates = 0;         // free-set changes absorbed by rank-one updates of the factor instead
  int carried_residuals = 0;    // steps after which the residual was carried, not recomputed (carry_residual)
};

struct QpWorkspace {
  int n = 0, m = 0;
  // ---- problem (filled by the caller)
  // A (m × n), packed: column i's rows [row_begin_i, row_end_i) (qp_column) within a window of rows
  // [window_begin_i, window_begin_i + window_length_i) stored at column_start[i] in `columns`; the
  // window's other rows are zeros. Windows are a multiple of 4 rows long where m allows (3 rows:
  // 4; 6: 8), so the products with A run whole vectors without scalar tails. Row ranges and layout
  // are set together by qp_set_rows (read-only elsewhere).
  Eigen::VectorXd columns;              // (Σ window lengths)
  std::vector<int> column_start;        // (n + 1)
  std::vector<int> row_begin, row_end;  // (n) nonzero row range of each column
  std::vector<int> window_begin, window_length;  // (n)
  Eigen::VectorXd b;                 // (m)
  Eigen::VectorXd h, g, lo, hi;      // (n)
  // ---- solution and warm-start state
  Eigen::VectorXd x;                 // (n)
  Eigen::VectorXd lambda;            // (m) equality multipliers
  Eigen::VectorXd bound_multiplier;  // (n) μ: > 0 at an upper bound, < 0 at a lower bound
  // ---- scratch
  Eigen::VectorXd s, c, residual, direction, xt;
  Eigen::VectorXd ip_zl, ip_zu, ip_rd, ip_dx, ip_dzl, ip_dzu, ip_d, ip_q;  // interior-point fallback
  Eigen::VectorXd ip_inv_sl, ip_inv_su, ip_step_zl;
  // Line search: where a variable enters (slope_change < 0) or leaves (> 0) the free set along the
  // step, and by how much the dual's second derivative changes there (capacity 2n).
  struct Kink {
    double t, slope_change;
    int variable;  // whose kink (the residual after a step cut short is updated from these)
  };
  std::vector<Kink> kinks;
  std::vector<double> kink_candidate;  // (n) 1 or 0, variables the kink walk looks at (qp.cpp, line_search_scan)
  // ---- semismooth Newton: Cholesky factor L Lᵀ = A_F H_F⁻¹ A_Fᵀ + δ I of the free set F it was
  // built for, kept up to date by rank-one updates while A is unchanged (within one solve)
  Eigen::MatrixXd L;                   // (m, m) lower triangle used
  Eigen::VectorXd update;              // (m) scratch column for the updates
  Eigen::VectorXd inv_h;               // (n) 1 / h
  Eigen::VectorXd h_inverted;          // (n) the h inv_h was computed from
  std::vector<unsigned char> in_factor;  // (n) 1 if column i is in L
  std::vector<unsigned char> free_now;   // (n) scratch: 1 if variable i is free at the current λ
  std::vector<int> changed;            // columns entering or leaving the free set (capacity n)
  double regularization = 0;           // δ
  Eigen::VectorXd factor_shift;        // (m) L Lᵀ − A_F H_F⁻¹ A_Fᵀ: the diagonal δ and damping added at the last factorization
  bool factor_valid = false;
  // Envelope of the Newton matrix: row r has no nonzero left of column envelope_first[r] (no
  // column acts on both rows), and Cholesky keeps that profile, so work outside it is skipped.
  std::vector<int> envelope_first, envelope_last;  // (m); last: the lowest nonzero row of column r
  // For each column whether the next one acts on the same rows (a left/right pair: one loop for
  // both). The envelope and this are the row ranges', computed by qp_set_rows.
  std::vector<unsigned char> same_rows_as_next;           // (n)
  // Multipliers of the frame before the last (qp_predict_warm_start)
  Eigen::VectorXd lambda_previous;     // (m)
  bool lambda_previous_valid = false;
  bool prediction_pending = false;     // the next warm solve may start from 2λ − λ_previous
  double lambda_step = -1;             // ‖λ_{k−1} − λ_{k−2}‖∞ (< 0: unknown)
  int last_iterations = 0;             // semismooth steps of the last solve
};

// Sizes the workspace (all buffers allocated here), λ = 0; every column on every row, A = 0.
void qp_resize(QpWorkspace& w, int n, int m);

// Column i acts on rows [begin_i, end_i) (begin_i = end_i: on none): lays out the packed columns for
// these ranges, A = 0 (then written through qp_column), and computes the Newton matrix's envelope.
// Allocates; called when the ranges are chosen (a model's: once per Data), not per solve.
// std::invalid_argument for sizes or ranges outside [0, m].
void qp_set_rows(QpWorkspace& w, const std::vector<int>& begin, const std::vector<int>& end);

// Column i's coefficients on its rows: element k is row row_begin_i + k. (Write only these: the
// rest of the column's window must stay zero.)
inline double* qp_column(QpWorkspace& w, int i) {
  return w.columns.data() + w.column_start[i] + (w.row_begin[i] - w.window_begin[i]);
}
inline const double* qp_column(const QpWorkspace& w, int i) {
  return w.columns.data() + w.column_start[i] + (w.row_begin[i] - w.window_begin[i]);
}

// Column i's whole window: element k is row window_begin_i + k. A caller may write all of it when
// its values are zero outside the column's rows (load sharing copies moment-arm columns, which are).
inline double* qp_window(QpWorkspace& w, int i) { return w.columns.data() + w.column_start[i]; }

// A from a dense m × n matrix, for callers that build it whole (tests, tools): the row ranges stay;
// std::invalid_argument if an entry outside them is not zero (it would be dropped).
void qp_set_matrix(QpWorkspace& w, const Eigen::MatrixXd& A);
// A as a dense m × n matrix (checks, references).
Eigen::MatrixXd qp_matrix(const QpWorkspace& w);

// Before the warm-started solve of the next frame of a motion sampled in time (one solve per
// frame): the solve then starts from the linear extrapolation 2λ_k − λ_{k−1} of the last two
// frames' multipliers instead of λ_k while the multipliers move steadily (the last change at most
// twice the one before). On smooth motion this usually lands on the new frame's active set, so
// fewer semismooth steps and factor updates follow; a jump (a load put down, a keyframe of a
// jerky motion) is not extrapolated. The first call after a cold solve only records λ. With
// extrapolate = false (a caller that knows the multipliers jump: load sharing after a frame where
// reserves acted, whose multipliers sit at the reserve cost's vertices) the warm start stays λ_k and
// the frame is left out of the history.
void qp_predict_warm_start(QpWorkspace& w, bool extrapolate = true);

// The next warm solve starts from `lambda` instead of the last solution — multipliers of an earlier
// solve of a problem like this one (run.cpp: the same point of a repeated task's last repetition).
// The extrapolation history restarts there: no later prediction mixes the two chains of solves.
void qp_warm_start_from(QpWorkspace& w, const Eigen::VectorXd& lambda);

// Solves the problem in w. warm = true starts from w.lambda (the previous solution), otherwise
// from λ = 0. Never throws; a non-converged solve returns its status with the best iterate.
void qp_solve(const QpSettings& settings, QpWorkspace& w, QpInfo& info, bool warm);

// qp_solve without its closing report: the same iterations and the same solution (x, λ, every bit),
// but QpInfo's objective, stationarity and complementarity stay 0 and w.bound_multiplier is not
// written. For a caller that reads only the status, the iterations and the solution — load sharing,
// which computes its own objective and equilibrium check from the model's quantities: the report was
// a vectorized pass over all n variables per solve (9.5 M of 485 M instructions over the 400 lift
// frames of BM_Pipeline/1, session 20, docs/performance.md).
void qp_solve_unreported(const QpSettings& settings, QpWorkspace& w, QpInfo& info, bool warm);

}  // namespace paraspine
