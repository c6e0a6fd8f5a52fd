#pragma once
// Pieces of the semismooth solver (sim/loadsharing/qp.cpp) reused by the partition warm start
// (sim/loadsharing/qp_reserve.cpp). Not an interface for anything else.
#include "sim/loadsharing/qp.h"

namespace paraspine::qp_internal {

// Whether variable i counts as free for Newton matrices formed from w.s = Aᵀλ (an unclipped value
// exactly on a bound counts as free).
bool is_free_variable(const QpWorkspace& w, int i);
// Forms and factorizes the Newton matrix over the variables is_free marks, into w.L (w.in_factor,
// w.factor_valid set as after any factorization); false if even the damped retries fail.
bool factorize_free_set(QpWorkspace& w);
// Column i entering (σ = 1) or leaving (σ = −1) the factor by a rank-one update or downdate;
// w.in_factor[i] follows. False if a downdate lost positive definiteness (the factor is then
// invalid).
bool update_factor_column(QpWorkspace& w, int i, double sigma);
// v ← (L Lᵀ)⁻¹ v with the current factor.
void solve_factored(const QpWorkspace& w, Eigen::VectorXd& v);

}  // namespace paraspine::qp_internal
