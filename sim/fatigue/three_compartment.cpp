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

// The exact solution of branch b after time t from state s.
FatigueState advance(const FatigueParameters& p, double TL, Branch b, double t, const FatigueState& s) {
  const double Rs = TL == 0 ? p.r * p.R : p.R;
  // x = (A, R, F, 1): x' = M x.
  Eigen::Matrix4d M = Eigen::Matrix4d::Zero();
  M(0, 0) = -p.F;
  M(1, 2) = Rs;
  M(2, 0) = p.F;
  M(2, 2) = -Rs;
  switch (b) {
    case kRecruit:  // C = L_D (TL − A)
      M(0, 0) -= p.LD, M(0, 3) += p.LD * TL;
      M(1, 0) += p.LD, M(1, 3) -= p.LD * TL;
      break;
    case kExhausted:  // C = L_D R
      M(0, 1) += p.LD;
      M(1, 1) -= p.LD;
      break;
    case kRelax:  // C = L_R (TL − A)
      M(0, 0) -= p.LR, M(0, 3) += p.LR * TL;
      M(1, 0) += p.LR, M(1, 3) -= p.LR * TL;
      break;
  }
  const Eigen::Vector4d x0(s.active, s.resting, s.fatigued, 1.0);
  const Eigen::Vector4d x = (M * t).exp() * x0;
  FatigueState out;
  out.active = std::max(0.0, x[0]);
  out.resting = std::max(0.0, x[1]);
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
    // The branch changes inside the step: find when (bisection on the exact solution), go there.
    double lo = 0, hi = left;
    while (hi - lo > 1e-9) {
      const double mid = 0.5 * (lo + hi);
      (branch_of(TL, advance(p, TL, b, mid, s)) == b ? lo : hi) = mid;
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
