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

// The general exact solution: exponential of the augmented 4 × 4 matrix (x = (A, R, F, 1)). Used
// where the closed form below is not safe (a singular or defective K: zero recovery rate, or
// controller gains close to the fatigue rates).
FatigueState advance_expm(const FatigueParameters& p, double TL, Branch b, double t, const FatigueState& s) {
  const double Rs = TL == 0 ? p.r * p.R : p.R;
  Eigen::Matrix4d M = Eigen::Matrix4d::Zero();
  M(0, 0) = -p.F;
  M(1, 2) = Rs;
  M(2, 0) = p.F;
  M(2, 2) = -Rs;
  switch (b) {
    case kRecruit:
      M(0, 0) -= p.LD, M(0, 3) += p.LD * TL;
      M(1, 0) += p.LD, M(1, 3) -= p.LD * TL;
      break;
    case kExhausted:
      M(0, 1) += p.LD;
      M(1, 1) -= p.LD;
      break;
    case kRelax:
      M(0, 0) -= p.LR, M(0, 3) += p.LR * TL;
      M(1, 0) += p.LR, M(1, 3) -= p.LR * TL;
      break;
  }
  const Eigen::Vector4d x0(s.active, s.resting, s.fatigued, 1.0);
  const Eigen::Vector4d x = (M * t).exp() * x0;
  FatigueState out;
  out.active = x[0];
  out.resting = x[1];
  return out;
}

// The exact solution of branch b after time t from state s. Closed form: with K's real, distinct
// eigenvalues λ₁, λ₂ (always the case for the published rates: L ≫ F, R), y(t) = y* + e^{Kt}(y₀ − y*),
// y* = −K⁻¹c, e^{Kt} = (e^{λ₁t}(K − λ₂I) − e^{λ₂t}(K − λ₁I)) / (λ₁ − λ₂) — two exponentials
// instead of a 4 × 4 Padé approximant, ten times cheaper, equal to it to rounding (tested).
FatigueState advance(const FatigueParameters& p, double TL, Branch b, double t, const FatigueState& s) {
  const Linear2 L = branch_system(p, TL, b);
  const double half_trace = 0.5 * (L.k00 + L.k11);
  const double det = L.k00 * L.k11 - L.k01 * L.k10;
  const double disc = half_trace * half_trace - det;
  FatigueState out;
  if (det > 1e-12 * half_trace * half_trace && disc > 1e-6 * half_trace * half_trace) {
    // λ₂ without cancellation (half_trace < 0), λ₁ from the product λ₁λ₂ = det.
    const double q = std::sqrt(disc);
    const double l2 = half_trace - q, l1 = det / l2;
    const double ystar0 = -(L.k11 * L.c0 - L.k01 * L.c1) / det;
    const double ystar1 = -(-L.k10 * L.c0 + L.k00 * L.c1) / det;
    const double d0 = s.active - ystar0, d1 = s.fatigued - ystar1;
    const double e1 = std::exp(l1 * t), e2 = std::exp(l2 * t), inv = 1.0 / (l1 - l2);
    // e^{Kt} d = (e1 (K − l2 I) d − e2 (K − l1 I) d) / (l1 − l2)
    const double kd0 = L.k00 * d0 + L.k01 * d1, kd1 = L.k10 * d0 + L.k11 * d1;
    out.active = ystar0 + inv * (e1 * (kd0 - l2 * d0) - e2 * (kd0 - l1 * d0));
    const double fatigued = ystar1 + inv * (e1 * (kd1 - l2 * d1) - e2 * (kd1 - l1 * d1));
    out.resting = 1.0 - out.active - fatigued;
  } else {
    out = advance_expm(p, TL, b, t, s);
  }
  out.active = std::max(0.0, out.active);
  out.resting = std::max(0.0, out.resting);
  out.fatigued = std::max(0.0, 1.0 - out.active - out.resting);  // conservation, exactly
  return out;
}

}  // namespace

void fatigue_step(const FatigueParameters& p, double TL, double dt, FatigueState& s) {
  TL = std::clamp(TL, 0.0, 1.0);
  double left = dt;
  for (int guard = 0; left > 0 && guard < 64; ++guard) {
    const Branch b = branch_of(TL, s);
    const FatigueState end = advance(p, TL, b, left, s);
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
