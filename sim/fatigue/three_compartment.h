#pragma once
// Muscle fatigue: the three-compartment controller model (Xia & Frey-Law 2008, J Biomech 41:3046)
// with rest recovery (3CC-r, Looft, Herkert & Frey-Law 2018, J Biomech 77:16), per fascicle.
//
// States, fractions of the motor-unit pool: M_A active, M_R resting (recruitable), M_F fatigued;
// M_A + M_R + M_F = 1. Target load TL (the activation load sharing asks for, fraction of fresh MVC).
//   dM_A/dt = C − F M_A,   dM_R/dt = −C + R* M_F,   dM_F/dt = F M_A − R* M_F
//   C = L_D (TL − M_A)  if M_A < TL and M_R > TL − M_A   (recruit what is needed)
//     = L_D M_R         if M_A < TL and M_R ≤ TL − M_A   (recruit all that is left)
//     = L_R (TL − M_A)  if M_A ≥ TL                      (relax to the target)
//   R* = r R while resting (TL = 0; Looft 2018 applies the rest multiplier only at zero target
//   load), R otherwise.
// Capacity for load sharing: the recruitable fraction 1 − M_F (Data::muscle_capacity).
//
// "Zero target" is decided to a tolerance: a target below kRestTarget (10⁻⁶ of MVC) is rest, and
// is taken as TL = 0. The targets come from an iterative solver whose rounding leaves activations
// of order 10⁻¹⁰ where the exact optimum is zero, on one side of a mirror pair and not the other;
// tested for exact zero, the 15-fold rest multiplier turned that noise into a 10⁻⁵ difference of
// M_F per 0.1 s step, and mirror-symmetric tasks lost their symmetry after failure
// (docs/sources/breaks_and_symmetry.md). 10⁻⁶ is far above that noise and above the solvers'
// stated activation tolerance (outer_tolerance, 10⁻⁹), far below any physiological activation
// [A]. Looft's rule itself is TL = 0 exactly [V] (breaks_and_symmetry.md §4.1); every criterion
// returns exact zeros where its optimum is the lower bound (activation3 since session 12).
//
// Integration: each branch is linear, y' = K y + c in y = (M_A, M_F), and is integrated exactly:
// in closed form from K's two real eigenvalues (two exponentials), or with the matrix exponential
// of the augmented 3 × 3 matrix where K is singular or nearly defective; a branch change inside a
// step is located on that exact solution (to 1e-9 s, Illinois regula falsi), and the step continues in the
// new branch. Steps of any length are therefore exact, and M_F = 1 − M_A − M_R by construction.
#include <array>

namespace paraspine {

// Targets below this fraction of MVC are rest (TL = 0): see above.
constexpr double kRestTarget = 1e-6;

// The target load the model integrates: clamped to [0, 1], and 0 below kRestTarget.
inline double fatigue_target(double target_load) {
  return target_load < kRestTarget ? 0.0 : target_load > 1.0 ? 1.0 : target_load;
}

struct FatigueParameters {
  // Trunk: Frey-Law, Looft & Heitsman 2012, J Biomech 45:1803, Table 1 (verified in the full text,
  // docs/sources/spine_literature.md §8).
  double F = 0.00755;   // 1/s, fatigue rate
  double R = 0.00075;   // 1/s, recovery rate
  // Looft et al. 2018: rest multiplier; no trunk value, the paper recommends 15 as the general
  // estimate (spine_literature.md §8).
  double r = 15;
  // Controller gains, 1/s: L_D = L_R = 10, the values of the reference implementations (bioptim,
  // MyoSuite, shared/data/model-data.md §5.1 [M]).
  double LD = 10, LR = 10;
};

struct FatigueState {
  double active = 0, resting = 1, fatigued = 0;  // M_A, M_R, M_F
  double capacity() const { return 1.0 - fatigued; }
};

// The exact map of the last whole step, y ↦ y* + E (y − y*) in y = (M_A, M_F), kept with the inputs
// that determine it. Held postures repeat the same target load and step for hours; the cache then
// spares the two exponentials. Using it or not gives bit-identical states (same formula).
struct FatigueStepCache {
  double TL = -1, dt = -1, F = 0, R = 0, r = 0, LD = 0, LR = 0;
  int branch = -1;  // −1: nothing cached
  double y0 = 0, y1 = 0, e00 = 0, e01 = 0, e10 = 0, e11 = 0;
};

// Advances the state by dt (s) at a constant target load (fatigue_target of it). Exact for any dt ≥ 0. `cache`
// (optional, one per fascicle) remembers the last whole-step map.
void fatigue_step(const FatigueParameters& p, double target_load, double dt, FatigueState& s,
                  FatigueStepCache* cache = nullptr);

// fatigue_step for n fascicles, each with its own cache, writing each capacity (1 − M_F): the same
// bits as n calls of fatigue_step, with the frequent cases done in line — a fascicle fully rested at
// zero target (nothing changes) and a cached map whose step stays in its branch.
void fatigue_steps(const FatigueParameters* p, const double* target_load, double dt, int n, FatigueState* s,
                   FatigueStepCache* cache, double* capacity);

// Time (s) until a sustained target load can no longer be held (M_A falls 0.5 % of MVC below the
// target, the criterion of model-data §5.3), searched up to `limit` s; returns limit if never.
double endurance_time(const FatigueParameters& p, double target_load, double limit = 36000);

}  // namespace paraspine
