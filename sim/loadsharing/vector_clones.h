#pragma once
// The load-sharing solver's inner loops (products with A's columns, the Newton matrix, its factor,
// the rows of the QP built each frame) are compiled twice on x86-64 with GCC: for the baseline
// (SSE2, two doubles per instruction) and for x86-64-v3 (AVX2 + FMA: four doubles per instruction,
// fused multiply–adds); the loader picks the one the CPU runs (target_clones, an ifunc). The binary
// stays portable; results differ between the two only by rounding.
//
// A function so marked must not call plain SSE2 code in its loops (Eigen's kernels, another
// function that is not marked): on this machine (AMD Zen 5) going from 256-bit AVX code to legacy
// SSE code made the Newton-matrix assembly 3x slower, so every inner kernel is marked or inlined.
//
// -DPARASPINE_VECTOR_CLONES= (empty) builds the baseline only (measurements, other compilers).
#ifndef PARASPINE_VECTOR_CLONES
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define PARASPINE_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
#endif
#endif
#ifndef PARASPINE_VECTOR_CLONES
#define PARASPINE_VECTOR_CLONES
#endif

namespace paraspine {

// Four doubles in one GCC vector: an AVX2 register in the x86-64-v3 clones, two SSE2 registers in
// the baseline. The loops over the QP's column windows (qp.h: a multiple of 4 rows) use it for
// explicit four-row operations, with none of the set-up (trip counts, alias checks, tails) of the
// compiler's own vectorized loops, which at 4–52 rows cost more than the arithmetic.
typedef double Lanes4 __attribute__((vector_size(32)));
__attribute__((always_inline)) inline void load4(Lanes4& v, const double* p) { __builtin_memcpy(&v, p, sizeof v); }  // unaligned
__attribute__((always_inline)) inline void store4(double* p, const Lanes4& v) { __builtin_memcpy(p, &v, sizeof v); }

}  // namespace paraspine
