#include "sim/loadsharing/qp.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
  for (Eigen::VectorXd* v : {&w.ip_zl, &w.ip_zu, &w.ip_rd, &w.ip_dx, &w.ip_dzl, &w.ip_dzu, &w.ip_d, &w.ip_q})
    *v = Eigen::VectorXd::Zero(n);
  w.direction = Eigen::VectorXd::Zero(m);
  w.analyzed_begin.clear();  // analysed by the first solve, once the caller has set the row ranges
  w.analyzed_end.clear();
  w.group_order.resize(n);
  w.group_start.reserve(n + 1);
  w.envelope_last.assign(m, m - 1);
  w.L = Eigen::MatrixXd::Zero(m, m);
  w.regularization = Eigen::VectorXd::Zero(m);
  w.update = Eigen::VectorXd::Zero(m);
  w.update_scratch_floor = Eigen::VectorXd::Zero(m);
  w.in_factor.assign(n, 0);
  w.bound_state.assign(n, 0);
  w.has_bound_state = false;
  w.lambda_start = Eigen::VectorXd::Zero(m);
  w.changed.reserve(n);
  w.events.reserve(2 * n);
  w.events_far.reserve(2 * n);
  w.free_lo = Eigen::VectorXd::Zero(n);
  w.free_hi = Eigen::VectorXd::Zero(n);
}

namespace {

inline double column_dot(const QpWorkspace& w, int i, const Eigen::VectorXd& v) {
  const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
  return w.A.col(i).segment(r0, len).dot(v.segment(r0, len));
}

// x(λ) from s = Aᵀλ; returns the residual r = b − A x (the dual gradient).
// Returns the dual value q(λ) = Σ_i (½ h_i x_i² + g_i x_i − s_i x_i) + bᵀλ.
double primal_from_dual(QpWorkspace& w) {
  w.residual = w.b;
  double q = w.b.dot(w.lambda);
  for (int i = 0; i < w.n; ++i) {
    const double si = column_dot(w, i, w.lambda);
    w.s[i] = si;
    const double xi = std::clamp((si - w.g[i]) / w.h[i], w.lo[i], w.hi[i]);
    w.x[i] = xi;
    if (xi != 0) {
      q += (0.5 * w.h[i] * xi + w.g[i] - si) * xi;
      const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
      w.residual.segment(r0, len) -= xi * w.A.col(i).segment(r0, len);
    }
  }
  return q;
}

// ---- Structure: columns grouped by row range, and the envelope of S.

}  // namespace

// Redone only when the caller changed the row ranges (compared in O(n)); allocates only then.
void qp_analyze(QpWorkspace& w) {
  if (w.analyzed_begin == w.row_begin && w.analyzed_end == w.row_end) return;
  w.analyzed_begin = w.row_begin;
  w.analyzed_end = w.row_end;
  for (int i = 0; i < w.n; ++i) w.group_order[i] = i;
  std::stable_sort(w.group_order.begin(), w.group_order.end(), [&](int i, int j) {
    return w.row_begin[i] != w.row_begin[j] ? w.row_begin[i] < w.row_begin[j] : w.row_end[i] < w.row_end[j];
  });
  w.group_start.clear();
  for (int k = 0; k < w.n; ++k) {
    const int i = w.group_order[k];
    if (k == 0 || w.row_begin[i] != w.row_begin[w.group_order[k - 1]] || w.row_end[i] != w.row_end[w.group_order[k - 1]])
      w.group_start.push_back(k);
  }
  w.group_start.push_back(w.n);
  // first[r]: the lowest row sharing a column with row r. The factor's column j then has its
  // nonzeros in rows j … envelope_last[j] (Cholesky fill stays inside the envelope).
  std::vector<int> first(w.m);
  for (int r = 0; r < w.m; ++r) first[r] = r;
  for (int i = 0; i < w.n; ++i)
    for (int r = w.row_begin[i]; r < w.row_end[i]; ++r) first[r] = std::min(first[r], w.row_begin[i]);
  for (int j = 0; j < w.m; ++j) {
    int last = j;
    for (int r = j; r < w.m; ++r)
      if (first[r] <= j) last = r;
    w.envelope_last[j] = last;
  }
}

namespace {

// x_i(λ) is strictly between its bounds, or exactly on one, iff free_lo_i ≤ s_i ≤ free_hi_i
// (set per solve by set_free_range): s_i = a_iᵀλ.
inline bool is_free(const QpWorkspace& w, int i) { return w.s[i] >= w.free_lo[i] && w.s[i] <= w.free_hi[i]; }

void set_free_range(QpWorkspace& w) {
  for (int i = 0; i < w.n; ++i) {
    w.free_lo[i] = w.lo[i] * w.h[i] + w.g[i];  // ±inf stays ±inf (h > 0)
    w.free_hi[i] = w.hi[i] * w.h[i] + w.g[i];
  }
}

// Lower triangle of L's block at (r0, r0), len × len += Σ_q scale_q col_q col_qᵀ.
template <int K>
inline void add_columns(Eigen::MatrixXd& L, int r0, int len, const double* const* col, const double* scale) {
  for (int c = 0; c < len; ++c) {
    double* Lc = &L(r0, r0 + c);
    double f[K];
    for (int q = 0; q < K; ++q) f[q] = scale[q] * col[q][c];
    for (int r = c; r < len; ++r) {
      double v = f[0] * col[0][r];
      for (int q = 1; q < K; ++q) v += f[q] * col[q][r];
      Lc[r] += v;
    }
  }
}

// L ← lower Cholesky factor of A_F H_F⁻¹ A_Fᵀ + diag(δ) over the free set F (in_factor updated).
// δ_r = 10⁻¹³ Σ_i A_ri²/h_i over every column: keeps S positive definite when a row has no free
// column (all its muscles at a bound) and when downdates remove its last one; the exact line search
// then carries that row's long step to the first kink.
// Which columns enter the matrix, with which weight.
enum class Columns {
  kFree,            // the free set at the current λ, weight 1/h_i
  kPreviousFree,    // the free set recorded at the end of the previous solve (bound_state == 0)
  kInteriorPoint,   // every column, weight 1/D_i (the interior-point normal matrix, D in ip_d)
};

bool factorize(QpWorkspace& w, Columns columns = Columns::kFree) {
  const int m = w.m;
  for (int j = 0; j < m; ++j) w.L.col(j).segment(j, w.envelope_last[j] - j + 1).setZero();
  w.regularization.setZero();
  const int ngroups = static_cast<int>(w.group_start.size()) - 1;
  for (int g = 0; g < ngroups; ++g) {
    const int first_col = w.group_order[w.group_start[g]];
    const int r0 = w.row_begin[first_col], len = w.row_end[first_col] - r0;
    if (len <= 0) continue;
    // Free columns of the group, up to four at a time: each pass over the block of L then does
    // up to four multiply–adds per load and store instead of one.
    const double* col[4];
    double scale[4];
    int k = 0;
    auto flush = [&](int count) {
      switch (count) {
        case 4: add_columns<4>(w.L, r0, len, col, scale); break;
        case 3: add_columns<3>(w.L, r0, len, col, scale); break;
        case 2: add_columns<2>(w.L, r0, len, col, scale); break;
        default: add_columns<1>(w.L, r0, len, col, scale);
      }
    };
    for (int p = w.group_start[g]; p < w.group_start[g + 1]; ++p) {
      const int i = w.group_order[p];
      const double* a = &w.A(r0, i);
      const double inv_h = 1.0 / (columns == Columns::kInteriorPoint ? w.ip_d[i] : w.h[i]);
      for (int r = 0; r < len; ++r) w.regularization[r0 + r] += inv_h * a[r] * a[r];
      w.in_factor[i] = columns == Columns::kFree ? is_free(w, i) : columns == Columns::kPreviousFree ? w.bound_state[i] == 0 : 1;
      if (!w.in_factor[i]) continue;
      col[k] = a;
      scale[k] = inv_h;
      if (++k == 4) {
        flush(4);
        k = 0;
      }
    }
    if (k > 0) flush(k);
  }
  // Right-looking Cholesky inside the envelope.
  for (int j = 0; j < m; ++j) {
    const double delta = 1e-13 * std::max(w.regularization[j], 1e-300);
    w.regularization[j] = delta;
    w.L(j, j) += delta;
  }
  for (int j = 0; j < m; ++j) {
    const double d = w.L(j, j);
    if (!(d > 0)) return false;
    const double ljj = std::sqrt(d);
    w.L(j, j) = ljj;
    const int last = w.envelope_last[j];
    double* Lj = &w.L(0, j);
    for (int r = j + 1; r <= last; ++r) Lj[r] /= ljj;
    for (int c = j + 1; c <= last; ++c) {
      const double f = Lj[c];
      if (f == 0) continue;
      double* Lc = &w.L(0, c);
      for (int r = c; r <= last; ++r) Lc[r] -= f * Lj[r];
    }
  }
  return true;
}

// L Lᵀ ← L Lᵀ + sign · a_i a_iᵀ / h_i. Returns false when a downdate would lose definiteness
// (then the caller factorizes afresh).
bool rank_update(QpWorkspace& w, int i, double sign) {
  const int r0 = w.row_begin[i], r1 = w.row_end[i];
  if (r1 <= r0) return true;
  Eigen::VectorXd& v = w.update;
  const double scale = 1.0 / std::sqrt(w.h[i]);
  for (int r = r0; r < r1; ++r) v[r] = scale * w.A(r, i);
  int end = r1;  // v is zero from here on
  for (int j = r0; j < end; ++j) {
    const double vj = v[j];
    if (vj == 0) continue;
    const double ljj = w.L(j, j);
    const double r2 = ljj * ljj + sign * vj * vj;
    if (!(r2 > 1e-3 * w.regularization[j])) return false;
    const double rjj = std::sqrt(r2), c = rjj / ljj, s = vj / ljj;
    w.L(j, j) = rjj;
    const int last = w.envelope_last[j];
    double* Lj = &w.L(0, j);
    for (int r = j + 1; r <= last; ++r) {
      const double l = (Lj[r] + sign * s * v[r]) / c;
      v[r] = c * v[r] - s * l;
      Lj[r] = l;
    }
    v[j] = 0;
    end = std::max(end, last + 1);
  }
  for (int r = r0; r < end; ++r) v[r] = 0;
  return true;
}

// v ← (L Lᵀ)⁻¹ v, inside the envelope.
void solve_factor(const QpWorkspace& w, Eigen::VectorXd& d) {
  for (int j = 0; j < w.m; ++j) {
    const double dj = d[j] /= w.L(j, j);
    const double* Lj = &w.L(0, j);
    for (int r = j + 1; r <= w.envelope_last[j]; ++r) d[r] -= dj * Lj[r];
  }
  for (int j = w.m - 1; j >= 0; --j) {
    const double* Lj = &w.L(0, j);
    double v = d[j];
    for (int r = j + 1; r <= w.envelope_last[j]; ++r) v -= Lj[r] * d[r];
    d[j] = v / w.L(j, j);
  }
}

// Exact line search: the t > 0 maximizing φ(t) = q(λ + t d). φ' is continuous, piecewise linear and
// decreasing; it starts at dᵀr > 0 and its slope is −Σ c_i²/h_i over the variables free at t, which
// change at each variable's kinks. The kinks are visited in order (a heap: usually only the few
// before the maximum are popped) until φ' reaches zero. for_each(f) calls f(i, c_i) for every
// column with c_i = a_iᵀd ≠ 0.
template <class ForEach>
double line_search(QpWorkspace& w, double slope0_rhs, ForEach for_each) {
  double p = slope0_rhs;  // φ'(0)
  double slope = 0;
  // Kinks up to t = 1 (where a Newton step on the current piece would end) are sorted and swept
  // first; the others only if the maximum lies beyond them.
  w.events.clear();
  w.events_far.clear();
  auto add = [&](double t, double change) { (t <= 1 ? w.events : w.events_far).emplace_back(t, change); };
  for_each([&](int i, double ci) {
    const double curvature = ci * ci / w.h[i], inv_c = 1.0 / ci;
    // s_i + t c_i crosses free_lo_i and free_hi_i at these t (±inf for infinite bounds).
    const double t_lo = (w.free_lo[i] - w.s[i]) * inv_c, t_hi = (w.free_hi[i] - w.s[i]) * inv_c;
    const double enter = std::min(t_lo, t_hi), leave = std::max(t_lo, t_hi);
    if (leave <= 0) return;  // never free along the ray
    if (enter <= 0) slope -= curvature;
    else add(enter, -curvature);
    if (leave < std::numeric_limits<double>::infinity()) add(leave, curvature);
  });
  double t = 0;
  std::sort(w.events.begin(), w.events.end());
  for (const auto& [te, change] : w.events) {
    if (slope < 0 && p + slope * (te - t) <= 0) return t - p / slope;  // the root is before this kink
    p += slope * (te - t);
    t = te;
    slope += change;
  }
  auto later = [](const std::pair<double, double>& a, const std::pair<double, double>& b) { return a.first > b.first; };
  std::make_heap(w.events_far.begin(), w.events_far.end(), later);
  while (!w.events_far.empty()) {
    const double te = w.events_far.front().first;
    if (slope < 0 && p + slope * (te - t) <= 0) break;
    p += slope * (te - t);
    t = te;
    slope += w.events_far.front().second;
    std::pop_heap(w.events_far.begin(), w.events_far.end(), later);
    w.events_far.pop_back();
  }
  if (!(slope < 0)) return t > 0 ? t : 1.0;  // no curvature left (cannot happen with reserves)
  return t - p / slope;
}

// Primal–dual interior point (Mehrotra predictor–corrector, Nocedal & Wright 2006 §16.6) on the same
// QP, reduced to the m × m normal equations A D⁻¹ Aᵀ Δλ = … with D = H + Z_l/S_l + Z_u/S_u diagonal:
// every variable keeps a positive weight, so there are no kinks and about 15–25 iterations suffice
// however many bounds change at once. Used as the fallback when the semismooth steps make slow
// progress (saturated frames); it leaves λ near the optimum for the exact semismooth polish.
void interior_point(QpWorkspace& w, double tol, int max_iterations, int& iterations) {
  const int n = w.n;
  Eigen::VectorXd& x = w.x;
  Eigen::VectorXd& zl = w.ip_zl;
  Eigen::VectorXd& zu = w.ip_zu;
  Eigen::VectorXd& rd = w.ip_rd;
  Eigen::VectorXd& dx = w.ip_dx;
  Eigen::VectorXd& dzl = w.ip_dzl;
  Eigen::VectorXd& dzu = w.ip_dzu;
  Eigen::VectorXd& D = w.ip_d;
  Eigen::VectorXd& q = w.ip_q;
  auto has_lo = [&](int i) { return std::isfinite(w.lo[i]); };
  auto has_hi = [&](int i) { return std::isfinite(w.hi[i]); };
  // Start strictly inside the bounds.
  int nbounds = 0;
  for (int i = 0; i < n; ++i) {
    const double lo = w.lo[i], hi = w.hi[i];
    if (has_lo(i) && has_hi(i)) x[i] = hi - lo > 0 ? lo + 0.5 * (hi - lo) : lo;
    else if (has_lo(i)) x[i] = lo + 1;
    else if (has_hi(i)) x[i] = hi - 1;
    else x[i] = 0;
    zl[i] = has_lo(i) ? 1.0 : 0.0;
    zu[i] = has_hi(i) ? 1.0 : 0.0;
    nbounds += has_lo(i) + has_hi(i);
  }
  w.lambda.setZero();
  const double scale_b = std::max(1.0, w.b.lpNorm<Eigen::Infinity>());
  for (int it = 0; it < max_iterations; ++it, ++iterations) {
    // Residuals and complementarity.
    w.residual = w.b;
    double mu = 0;
    for (int i = 0; i < n; ++i) {
      const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
      w.s[i] = len > 0 ? w.A.col(i).segment(r0, len).dot(w.lambda.segment(r0, len)) : 0.0;
      if (len > 0) w.residual.segment(r0, len) -= x[i] * w.A.col(i).segment(r0, len);
      rd[i] = w.h[i] * x[i] + w.g[i] - w.s[i] - zl[i] + zu[i];
      if (has_lo(i)) mu += (x[i] - w.lo[i]) * zl[i];
      if (has_hi(i)) mu += (w.hi[i] - x[i]) * zu[i];
    }
    mu /= std::max(1, nbounds);
    // Near the optimum is enough: the exact semismooth steps that follow finish the job. Dual
    // residual relative to the size of the gradient terms.
    double scale_d = 1.0;
    for (int i = 0; i < n; ++i) scale_d = std::max({scale_d, std::abs(w.h[i] * x[i]), std::abs(w.g[i]), std::abs(w.s[i])});
    if (w.residual.lpNorm<Eigen::Infinity>() <= std::max(tol, 1e-8 * scale_b) &&
        rd.lpNorm<Eigen::Infinity>() <= 1e-8 * scale_d && mu <= 1e-9 * scale_d)
      return;
    // Normal matrix (the same for predictor and corrector), in the envelope factor.
    for (int i = 0; i < n; ++i) {
      double d = w.h[i];
      if (has_lo(i)) d += zl[i] / (x[i] - w.lo[i]);
      if (has_hi(i)) d += zu[i] / (w.hi[i] - x[i]);
      D[i] = d;
    }
    if (!factorize(w, Columns::kInteriorPoint)) return;
    // Solves for the step given complementarity targets (affine: σμ = 0 and no second-order term).
    auto solve_step = [&](double target, bool corrector) {
      for (int i = 0; i < n; ++i) {
        double rhs = -rd[i];
        if (has_lo(i)) {
          const double sl = x[i] - w.lo[i];
          const double rc = target - sl * zl[i] - (corrector ? dx[i] * dzl[i] : 0.0);
          rhs += rc / sl;
        }
        if (has_hi(i)) {
          const double su = w.hi[i] - x[i];
          const double rc = target - su * zu[i] + (corrector ? dx[i] * dzu[i] : 0.0);
          rhs -= rc / su;
        }
        q[i] = rhs;
      }
      // (A D⁻¹ Aᵀ) Δλ = r_p − A D⁻¹ q
      w.direction = w.residual;
      for (int i = 0; i < n; ++i) {
        const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
        if (len > 0) w.direction.segment(r0, len) -= (q[i] / D[i]) * w.A.col(i).segment(r0, len);
      }
      solve_factor(w, w.direction);
      for (int i = 0; i < n; ++i) {
        const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
        const double atd = len > 0 ? w.A.col(i).segment(r0, len).dot(w.direction.segment(r0, len)) : 0.0;
        const double dxi = (q[i] + atd) / D[i];
        double dl = 0, du = 0;
        if (has_lo(i)) {
          const double sl = x[i] - w.lo[i];
          const double rc = target - sl * zl[i] - (corrector ? dx[i] * dzl[i] : 0.0);
          dl = (rc - zl[i] * dxi) / sl;
        }
        if (has_hi(i)) {
          const double su = w.hi[i] - x[i];
          const double rc = target - su * zu[i] + (corrector ? dx[i] * dzu[i] : 0.0);
          du = (rc + zu[i] * dxi) / su;
        }
        w.xt[i] = dxi;  // new step kept in xt/c while dx/dz hold the affine step
        w.c[i] = dl;
        w.s[i] = du;
      }
    };
    auto step_lengths = [&](double& ap, double& ad) {
      ap = 1, ad = 1;
      for (int i = 0; i < n; ++i) {
        if (has_lo(i) && w.xt[i] < 0) ap = std::min(ap, -(x[i] - w.lo[i]) / w.xt[i]);
        if (has_hi(i) && w.xt[i] > 0) ap = std::min(ap, (w.hi[i] - x[i]) / w.xt[i]);
        if (has_lo(i) && w.c[i] < 0) ad = std::min(ad, -zl[i] / w.c[i]);
        if (has_hi(i) && w.s[i] < 0) ad = std::min(ad, -zu[i] / w.s[i]);
      }
    };
    // Predictor.
    solve_step(0.0, false);
    double ap, ad;
    step_lengths(ap, ad);
    double mu_aff = 0;
    for (int i = 0; i < n; ++i) {
      if (has_lo(i)) mu_aff += (x[i] + ap * w.xt[i] - w.lo[i]) * (zl[i] + ad * w.c[i]);
      if (has_hi(i)) mu_aff += (w.hi[i] - x[i] - ap * w.xt[i]) * (zu[i] + ad * w.s[i]);
    }
    mu_aff /= std::max(1, nbounds);
    const double sigma = std::pow(mu_aff / std::max(mu, 1e-300), 3);
    dx = w.xt;
    dzl = w.c;
    dzu = w.s;
    // Corrector.
    solve_step(sigma * mu, true);
    step_lengths(ap, ad);
    ap = std::min(1.0, 0.995 * ap);
    ad = std::min(1.0, 0.995 * ad);
    x += ap * w.xt;
    w.lambda += ad * w.direction;
    zl += ad * w.c;
    zu += ad * w.s;
  }
}

// What rounding alone leaves in ‖A x(λ) − b‖∞: each free x_i = (a_iᵀλ − g_i)/h_i carries an error
// of about ε |a_i|ᵀ|λ| / h_i, which reaches the residual through |a_i|; every term of the sum adds
// ε |a_i x_i|. A safety factor of 100 for the length of the sums.
double rounding_floor(QpWorkspace& w) {
  Eigen::VectorXd& f = w.update_scratch_floor;
  f = w.b.cwiseAbs();
  for (int i = 0; i < w.n; ++i) {
    const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
    if (len <= 0) continue;
    double x_error = 0;
    if (is_free(w, i)) x_error = w.A.col(i).segment(r0, len).cwiseAbs().dot(w.lambda.segment(r0, len).cwiseAbs()) / w.h[i];
    f.segment(r0, len) += (x_error + std::abs(w.x[i])) * w.A.col(i).segment(r0, len).cwiseAbs();
  }
  return 100 * std::numeric_limits<double>::epsilon() * f.maxCoeff();
}

}  // namespace

void qp_solve(const QpSettings& settings, QpWorkspace& w, QpInfo& info, bool warm) {
  qp_analyze(w);
  set_free_range(w);
  if (!warm) w.lambda.setZero();
  info = QpInfo{};
  const double scale = std::max(1.0, w.b.lpNorm<Eigen::Infinity>());
  const double tol = settings.tolerance * scale;
  double best = std::numeric_limits<double>::infinity();
  int stalled = 0;
  double last_step = 1;
  bool fell_back = false, factored = false, primal_current = false;
  if (warm && w.has_bound_state) {
    // Warm start from the previous solution's active set rather than only its multipliers: the
    // primal–dual active-set step (Hintermüller et al. 2002) keeps the previous free set F and bound
    // values with this frame's data, λ' = λ + S_F⁻¹ r̃ with r̃ = b − Σ_B a_i x_i − Σ_F a_i (a_iᵀλ − g_i)/h_i.
    // Where a row's marginal cost is large (a weak axis, λ in the thousands), a small change of
    // moment arms moves x(λ) across many bounds, while the set itself barely changes between frames.
    // Kept only if it raises the dual, so the iteration stays monotone.
    ++info.factorizations;
    if (factorize(w, Columns::kPreviousFree)) {
      factored = true;
      w.residual = w.b;
      double q_old = w.b.dot(w.lambda);
      for (int i = 0; i < w.n; ++i) {
        const double si = column_dot(w, i, w.lambda);
        const double u = (si - w.g[i]) / w.h[i], xi = std::clamp(u, w.lo[i], w.hi[i]);
        q_old += (0.5 * w.h[i] * xi + w.g[i] - si) * xi;
        const double xm = w.bound_state[i] == 0 ? u : w.bound_state[i] < 0 ? w.lo[i] : w.hi[i];
        if (xm != 0 && std::isfinite(xm)) {
          const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
          w.residual.segment(r0, len) -= xm * w.A.col(i).segment(r0, len);
        }
      }
      w.direction = w.residual;
      solve_factor(w, w.direction);
      w.lambda_start = w.lambda;
      w.lambda += w.direction;
      const double q_new = primal_from_dual(w);
      if (q_new >= q_old) primal_current = true;
      else w.lambda = w.lambda_start;
    }
  }
  int it = 0;
  bool incremental = false;  // s, x and the residual were advanced along the step, not recomputed
  for (;; ++it) {
    // Recomputed from λ every 16 steps, and to confirm convergence, so rounding cannot accumulate.
    if (!primal_current || (incremental && it % 16 == 0)) {
      primal_from_dual(w);
      incremental = false;
    }
    primal_current = false;
    info.primal_residual = w.residual.lpNorm<Eigen::Infinity>();
    if (info.primal_residual <= tol && incremental) {
      primal_from_dual(w);
      incremental = false;
      info.primal_residual = w.residual.lpNorm<Eigen::Infinity>();
    }
    if (info.primal_residual <= tol) break;
    // Rounding sets a floor of about ε·‖λ‖·‖A‖ on the residual, which matters only when reserves
    // carry very large moments (λ is their marginal cost): stop once progress stalls there.
    // Only full steps count: a short step (cut at a kink) that leaves the residual is progress in
    // the active set, not the floor.
    stalled = info.primal_residual < 0.5 * best || last_step < 0.5 ? 0 : stalled + 1;
    best = std::min(best, info.primal_residual);
    if (stalled >= 3 && info.primal_residual <= 1e-7 * scale && info.primal_residual <= rounding_floor(w)) break;
    if (it >= settings.max_iterations) {
      info.status = QpStatus::kMaxIterations;
      break;
    }
    if (it == settings.semismooth_patience && !fell_back) {
      // Many bounds changing (saturated frames, cold starts): interior point to the neighbourhood
      // of the optimum (~25 iterations, no kinks), then exact semismooth steps from its multipliers.
      fell_back = true;
      factored = false;
      interior_point(w, tol, settings.max_iterations - it, it);
      continue;
    }
    // The Newton matrix over the free variables (a variable whose unclipped value lies exactly on
    // its bound counts as free). Factorized on the first iteration; afterwards updated by one
    // rank-one term per variable entering or leaving the free set while that is cheaper.
    bool ok = factored;
    if (ok) {
      w.changed.clear();
      double work = 0;
      for (int i = 0; i < w.n; ++i)
        if (is_free(w, i) != static_cast<bool>(w.in_factor[i])) {
          w.changed.push_back(i);
          const double span = w.m - w.row_begin[i];
          work += span * span;
        }
      // A factorization costs about m³/3 (less inside the envelope), an update about 2 (m − r0)².
      ok = 2 * work < w.m * w.m * w.m / 3.0;
      for (size_t k = 0; ok && k < w.changed.size(); ++k) {
        const int i = w.changed[k];
        const bool enters = !w.in_factor[i];
        ok = rank_update(w, i, enters ? 1.0 : -1.0);
        w.in_factor[i] = enters;
        ++info.rank_updates;
      }
    }
    if (!ok) {
      ++info.factorizations;
      if (!factorize(w)) {
        info.status = QpStatus::kNumericalError;
        break;
      }
      factored = true;
    }
    w.direction = w.residual;
    solve_factor(w, w.direction);
    for (int i = 0; i < w.n; ++i) w.c[i] = column_dot(w, i, w.direction);
    const double ascent = w.direction.dot(w.residual);
    if (!(ascent > 0)) {
      if (ok) {  // an updated factor that lost accuracy: factorize afresh and retry
        factored = false;
        continue;
      }
      info.status = QpStatus::kNumericalError;
      break;
    }
    const double t = line_search(w, ascent, [&](auto&& f) {
      for (int i = 0; i < w.n; ++i)
        if (w.c[i] != 0) f(i, w.c[i]);
    });
    w.lambda += t * w.direction;
    last_step = t;
    // s = Aᵀλ moves by t c; only the variables whose value changes touch the residual.
    for (int i = 0; i < w.n; ++i) {
      if (w.c[i] == 0) continue;
      w.s[i] += t * w.c[i];
      const double xi = std::clamp((w.s[i] - w.g[i]) / w.h[i], w.lo[i], w.hi[i]);
      if (xi != w.x[i]) {
        const int r0 = w.row_begin[i], len = w.row_end[i] - r0;
        w.residual.segment(r0, len) -= (xi - w.x[i]) * w.A.col(i).segment(r0, len);
        w.x[i] = xi;
      }
    }
    primal_current = incremental = true;
    if (settings.verbose)
      std::fprintf(stderr, "qp it %3d  residual %.3e  step %.3e  |lambda| %.3e  updates %d  factorizations %d\n", it,
                   info.primal_residual, t, w.lambda.lpNorm<Eigen::Infinity>(), info.rank_updates, info.factorizations);
  }
  info.iterations = it;
  w.has_bound_state = info.status == QpStatus::kSolved;
  for (int i = 0; i < w.n; ++i) w.bound_state[i] = is_free(w, i) ? 0 : w.x[i] <= w.lo[i] ? -1 : 1;
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
