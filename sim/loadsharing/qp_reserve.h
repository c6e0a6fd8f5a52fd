#pragma once
// Warm start for frames after a frame where reserves acted (sim/loadsharing/qp.h, docs/loadsharing.md,
// "Frames where reserves act").
//
// Those frames behave like a linear program: the multipliers of the saturated rows sit at the
// reserve cost W = 10⁴ while a muscle is free only within ~10⁻² of λ, and exactly m variables are
// free at the optimum (a vertex). From one frame to the next the moment arms and capacities change
// by about 10⁻³, which moves every muscle's free slab in λ by W·10⁻³ ≫ its width: the previous
// multipliers put almost every variable of the previous vertex on a bound, and the semismooth
// steps then re-find the vertex one kink at a time (tens of steps cut at t ~ 10⁻⁷–10⁻⁵). What
// does carry over is the partition — which variables are free, which at their lower or upper
// bound. So the start is the multiplier vector of the previous partition on this frame's data: the
// equality-constrained problem with the bound variables fixed at this frame's bounds,
//
//   (A_F H_F⁻¹ A_Fᵀ) λ₀ = b − A_B x_B + A_F H_F⁻¹ g_F,
//
// one primal–dual active-set step (Hintermüller, Ito & Kunisch 2002) from the last vertex, the
// "hot start" of online active-set methods (Ferreau, Bock & Diehl 2008, Int J Robust Nonlinear
// Control 18:816, where the previous active set is kept and only the data change). The factor of
// that matrix is the one the first semismooth step needs, so it is kept: the solve then continues
// with rank-one updates for the few variables whose side changed.
#include "sim/loadsharing/qp.h"

namespace paraspine {

// Sets w.lambda to λ₀ from the partition of the previous solution (w.bound_multiplier: > 0 at the
// upper bound, < 0 at the lower, 0 free) and leaves the factor of its Newton matrix in w.L (valid).
// Call at the start of a warm solve, after w.inv_h is set. False (w.lambda unchanged) when it
// cannot: an unbounded side, or the factorization failed.
bool qp_partition_warm_start(QpWorkspace& w, QpInfo& info);


}  // namespace paraspine
