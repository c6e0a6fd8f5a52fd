#include "sim/fatigue/three_compartment.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <unsupported/Eigen/MatrixFunctions>

namespace paraspine {
namespace {

enum Branch { kRecruit, kExhausted, kRelax };

Branch branch_of(double TL, const FatigueState& s) {
  if (s.active >= TL) return kRelax;
  return s.resting > TL - s.active ? kRecruit : kExhausted;
}

// How far state s is inside branch b's region (≥ 0 inside, < 0 outside, continuous in s): the
// smallest slack of the inequalities that define b in branch_of.
double branch_margin(double TL, Branch b, const FatigueState& s) {
  const double need = TL - s.active;  // activation still to recruit
  switch (b) {
    case kRelax: return -need;
    case kRecruit: return std::min(need, s.resting - need);
    case kExhausted: return std::min(need, need - s.resting);
  }
  return 0;
}

// Branch b as y' = K y + c in y = (M_A, M_F) (M_R = 1 − M_A − M_F).
struct Linear2 {
  double k00, k01, k10, k11, c0, c1;
};

Linear2 branch_system(const FatigueParameters& p, double TL, Branch b) {
  const double Rs = TL == 0 ? p.r * p.R : p.R;
  Linear2 L{-p.F, 0, p.F, -Rs, 0, 0};
  switch (b) {
    case kRecruit:  // C = L_D (TL − A)
      L.k00 -= p.LD, L.c0 += p.LD * TL;
      break;
    case kExhausted:  // C = L_D M_R = L_D (1 − A − F)
      L.k00 -= p.LD, L.k01 -= p.LD, L.c0 += p.LD;
      break;
    case kRelax:  // C = L_R (TL − A)
      L.k00 -= p.LR, L.c0 += p.LR * TL;
      break;
  }
  return L;
}

// The general exact solution: the exponential of the augmented matrix [[K, c], [0, 0]] in
// (M_A, M_F, 1). Used where the closed form below is not safe (a singular or defective K: zero
// recovery rate, or controller gains close to the fatigue rates).
FatigueState advance_expm(const FatigueParameters& p, double TL, Branch b, double t, const FatigueState& s) {
  const Linear2 L = branch_system(p, TL, b);
  Eigen::Matrix3d M;
  M << L.k00, L.k01, L.c0, L.k10, L.k11, L.c1, 0, 0, 0;
  const Eigen::Vector3d y = (M * t).exp() * Eigen::Vector3d(s.active, s.fatigued, 1.0);
  FatigueState out;
  out.active = y[0];
  out.resting = 1.0 - y[0] - y[1];
  return out;
}

// The exact map of branch b over time t, y(t) = y* + E (y(0) − y*), in closed form: with K's real,
// distinct eigenvalues λ₁, λ₂ (always the case for the published rates: L ≫ F, R), y* = −K⁻¹c and
// E = e^{Kt} = (e^{λ₁t}(K − λ₂I) − e^{λ₂t}(K − λ₁I)) / (λ₁ − λ₂) — two exponentials instead of a
// 3 × 3 augmented matrix exponential, equal to it to rounding (tested). False where K is singular or nearly
// defective (the caller then uses the matrix exponential).
struct StepMap {
  double y0, y1, e00, e01, e10, e11;
};

// Whether K's eigenvalues are real, distinct and non-zero enough for the closed form (not on t).
bool closed_form_applies(const Linear2& L) {
  const double half_trace = 0.5 * (L.k00 + L.k11);
  const double det = L.k00 * L.k11 - L.k01 * L.k10;
  const double disc = half_trace * half_trace - det;
  return det > 1e-12 * half_trace * half_trace && disc > 1e-6 * half_trace * half_trace;
}
bool closed_form_applies(const FatigueParameters& p, double TL, Branch b) {
  return closed_form_applies(branch_system(p, TL, b));
}

bool closed_form_map(const FatigueParameters& p, double TL, Branch b, double t, StepMap& map) {
  const Linear2 L = branch_system(p, TL, b);
  if (!closed_form_applies(L)) return false;
  const double half_trace = 0.5 * (L.k00 + L.k11);
  const double det = L.k00 * L.k11 - L.k01 * L.k10;
  const double disc = half_trace * half_trace - det;
  // λ₂ without cancellation (half_trace < 0), λ₁ from the product λ₁λ₂ = det.
  const double q = std::sqrt(disc);
  const double l2 = half_trace - q, l1 = det / l2;
  map.y0 = -(L.k11 * L.c0 - L.k01 * L.c1) / det;
  map.y1 = -(-L.k10 * L.c0 + L.k00 * L.c1) / det;
  const double e1 = std::exp(l1 * t), e2 = std::exp(l2 * t), inv = 1.0 / (l1 - l2);
  map.e00 = inv * (e1 * (L.k00 - l2) - e2 * (L.k00 - l1));
  map.e01 = inv * (e1 - e2) * L.k01;
  map.e10 = inv * (e1 - e2) * L.k10;
  map.e11 = inv * (e1 * (L.k11 - l2) - e2 * (L.k11 - l1));
  return true;
}

FatigueState apply_map(const StepMap& map, const FatigueState& s) {
  const double d0 = s.active - map.y0, d1 = s.fatigued - map.y1;
  FatigueState out;
  out.active = std::max(0.0, map.y0 + map.e00 * d0 + map.e01 * d1);
  const double fatigued = map.y1 + map.e10 * d0 + map.e11 * d1;
  out.resting = std::max(0.0, 1.0 - out.active - fatigued);
  out.fatigued = std::max(0.0, 1.0 - out.active - out.resting);  // conservation, exactly
  return out;
}

// The exact solution of branch b after time t from state s.
FatigueState advance(const FatigueParameters& p, double TL, Branch b, double t, const FatigueState& s) {
  StepMap map;
  if (closed_form_map(p, TL, b, t, map)) return apply_map(map, s);
  FatigueState out = advance_expm(p, TL, b, t, s);
  out.active = std::max(0.0, out.active);
  out.resting = std::max(0.0, out.resting);
  out.fatigued = std::max(0.0, 1.0 - out.active - out.resting);
  return out;
}

// advance() over a whole step, through the cache when its inputs repeat.
FatigueState advance_whole_step(const FatigueParameters& p, double TL, Branch b, double t, const FatigueState& s,
                                FatigueStepCache* cache) {
  if (cache == nullptr) return advance(p, TL, b, t, s);
  FatigueStepCache& c = *cache;
  if (c.branch == static_cast<int>(b) && c.TL == TL && c.dt == t && c.F == p.F && c.R == p.R && c.r == p.r &&
      c.LD == p.LD && c.LR == p.LR)
    return apply_map({c.y0, c.y1, c.e00, c.e01, c.e10, c.e11}, s);
  StepMap map;
  if (!closed_form_map(p, TL, b, t, map)) {
    c.branch = -1;
    return advance(p, TL, b, t, s);
  }
  c = {TL, t, p.F, p.R, p.r, p.LD, p.LR, static_cast<int>(b), map.y0, map.y1, map.e00, map.e01, map.e10, map.e11};
  return apply_map(map, s);
}

}  // namespace

void fatigue_steps(const FatigueParameters* p, const double* target_load, double dt, int n, FatigueState* s,
                   FatigueStepCache* cache, double* capacity) {
  for (int i = 0; i < n; ++i) {
    const double TL = fatigue_target(target_load[i]);
    FatigueState& x = s[i];
    // A fascicle fully rested and not asked for anything stays so: relaxation to TL = 0 in closed
    // form maps (0, 0) to y* + E·0 = (+0, +0) exactly (apply_map; y* = −K⁻¹·0), so the step is
    // skipped, same bits. (Where the closed form does not apply, fatigue_step decides.)
    if (TL == 0 && x.active == 0 && x.fatigued == 0 && x.resting == 1 && closed_form_applies(p[i], 0.0, kRelax)) {
      capacity[i] = 1.0;
      continue;
    }
    // The cached whole-step map, when its inputs repeat and the step stays in its branch: the
    // first pass of fatigue_step's loop without the call (the same formula, same bits).
    const FatigueStepCache& c = cache[i];
    const Branch b = branch_of(TL, x);
    if (c.branch == static_cast<int>(b) && c.TL == TL && c.dt == dt && dt > 0 && c.F == p[i].F && c.R == p[i].R &&
        c.r == p[i].r && c.LD == p[i].LD && c.LR == p[i].LR) {
      const FatigueState end = apply_map({c.y0, c.y1, c.e00, c.e01, c.e10, c.e11}, x);
      if (branch_of(TL, end) == b) {
        x = end;
        capacity[i] = x.capacity();
        continue;
      }
    }
    fatigue_step(p[i], TL, dt, x, &cache[i]);
    capacity[i] = x.capacity();
  }
}

void fatigue_step(const FatigueParameters& p, double TL, double dt, FatigueState& s, FatigueStepCache* cache) {
  TL = fatigue_target(TL);
  double left = dt;
  for (int guard = 0; left > 0 && guard < 64; ++guard) {
    const Branch b = branch_of(TL, s);
    const FatigueState end = left == dt ? advance_whole_step(p, TL, b, left, s, cache) : advance(p, TL, b, left, s);
    if (branch_of(TL, end) == b) {
      s = end;
      return;
    }
    // The branch changes inside the step: find when, on the exact solution, and go there. The
    // bracket [lo, hi] (branch b at lo, not at hi) shrinks to 1e-9 s by regula falsi on the branch's
    // margin (Illinois variant: a side kept twice has its margin halved), with a bisection when the
    // margins do not bracket; the exact branch test decides each side, as in plain bisection, which
    // needs ~25 exact solutions per crossing where this needs ~8.
    double lo = 0, hi = left, mlo = branch_margin(TL, b, s), mhi = branch_margin(TL, b, end);
    int kept = 0;  // +1: lo moved last, −1: hi moved last
    for (int it = 0; hi - lo > 1e-9 && it < 200; ++it) {
      double t = mlo > 0 && mhi < 0 ? lo + (hi - lo) * mlo / (mlo - mhi) : 0.5 * (lo + hi);
      t = std::clamp(t, lo + 2.5e-10, hi - 2.5e-10);  // always strictly inside, so the bracket shrinks
      const FatigueState st = advance(p, TL, b, t, s);
      const double m = branch_margin(TL, b, st);
      if (branch_of(TL, st) == b) {
        lo = t, mlo = m;
        if (kept == 1) mhi *= 0.5;
        kept = 1;
      } else {
        hi = t, mhi = m;
        if (kept == -1) mlo *= 0.5;
        kept = -1;
      }
    }
    s = advance(p, TL, b, hi, s);
    left -= hi;
  }
}

double endurance_time(const FatigueParameters& p, double TL, double limit) {
  FatigueState s;
  // Coarse steps find the interval, bisection the time (each step is exact).
  const double dt = 1.0;
  double t = 0;
  bool reached = false;  // failure counts once the target has been reached (after the recruitment ramp)
  while (t < limit) {
    FatigueState next = s;
    fatigue_step(p, TL, dt, next);
    if (!reached && next.active >= TL - 0.005) reached = true;
    else if (reached && next.active < TL - 0.005) {
      double lo = 0, hi = dt;
      while (hi - lo > 1e-6) {
        const double mid = 0.5 * (lo + hi);
        FatigueState m = s;
        fatigue_step(p, TL, mid, m);
        (m.active < TL - 0.005 ? hi : lo) = mid;
      }
      return t + hi;
    }
    s = next;
    t += dt;
  }
  return limit;
}

}  // namespace paraspine
