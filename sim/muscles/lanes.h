#pragma once
// Two doubles at a time (GCC/Clang vector extensions: one SSE2 register on x86-64, one NEON register
// on ARM), and exp and log for them, so that per-fascicle curves run without a library call per
// value (docs/performance.md, session 5).
//
// exp_lanes and log_lanes agree with the C library's exp and log to within 2 units in the last place
// (tests/cpp/test_lanes.cpp): the same range reductions as every libm (x = n ln 2 + r, |r| ≤ ln 2 / 2;
// x = 2^k m, √½ ≤ m < √2) followed by series whose truncation is below 2·10⁻¹⁷ of the result —
// Taylor's of e^r to r¹³, and log m = 2 atanh s, s = (m − 1)/(m + 1), to s²³. exp_lanes covers −708 ≤ x ≤ 709
// (results normal and finite) and log_lanes positive normal numbers; exp_array and log_array hand
// every other argument to std::exp and std::log, so every special value is the library's.
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace paraspine {

inline constexpr int kLanes = 2;
using Lanes = double __attribute__((vector_size(kLanes * sizeof(double))));
using LaneBits = std::int64_t __attribute__((vector_size(kLanes * sizeof(double))));
using LaneUBits = std::uint64_t __attribute__((vector_size(kLanes * sizeof(double))));
// Four lanes, for exp_array and log_array: one AVX2 register where the caller is compiled for
// x86-64-v3 (vector_clones.h), two SSE2 ones otherwise. Every lane gets the same operations as in
// two-lane vectors, so the results are the same bits whatever the width.
using Lanes4w = double __attribute__((vector_size(4 * sizeof(double))));
using LaneBits4w = std::int64_t __attribute__((vector_size(4 * sizeof(double))));
using LaneUBits4w = std::uint64_t __attribute__((vector_size(4 * sizeof(double))));
template <class V> struct LaneInts;  // the integer vectors of a double vector's width
template <> struct LaneInts<Lanes> { using S = LaneBits; using U = LaneUBits; };
template <> struct LaneInts<Lanes4w> { using S = LaneBits4w; using U = LaneUBits4w; };

inline Lanes lanes(double x) { return Lanes{x, x}; }
inline Lanes load_lanes(const double* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store_lanes(double* p, Lanes v) { std::memcpy(p, &v, sizeof v); }
inline LaneBits bits_of(Lanes v) {
  LaneBits b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
inline Lanes from_bits(LaneBits b) {
  Lanes v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}
// mask ? a : b, with mask a comparison result (all bits set or clear per lane).
inline Lanes select(LaneBits mask, Lanes a, Lanes b) { return from_bits((mask & bits_of(a)) | (~mask & bits_of(b))); }
inline bool any(LaneBits mask) { return (mask[0] | mask[1]) != 0; }
inline Lanes max_lanes(Lanes a, Lanes b) { return select(a > b, a, b); }

inline Lanes sqrt_lanes(Lanes x) {
#if defined(__SSE2__)
  return _mm_sqrt_pd(x);
#else
  Lanes r;
  for (int k = 0; k < kLanes; ++k) r[k] = std::sqrt(x[k]);
  return r;
#endif
}

// Width-generic (Lanes, Lanes4w); results through references, so that no function passes or returns
// a four-lane vector by value (its ABI differs with and without AVX: GCC's -Wpsabi note).
template <class V>
__attribute__((always_inline)) inline void exp_lanes_of(const V& x, V& y) {
  using S = typename LaneInts<V>::S;
  // n = round(x / ln 2) from the low bits of x / ln 2 + 1.5·2⁵², exact for |n| < 2⁵¹; ln 2 split so
  // that n·ln2_hi is exact (Cody & Waite).
  const V shift = V{} + 0x1.8p52;
  const V big = x * 1.4426950408889634 + shift;
  const V n = big - shift;
  const V r = (x - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
  // e^r = 1 + r + r² t(r), t = Σ_{k=2..13} r^(k−2)/k!, by Estrin's scheme (pairs, then powers r², r⁴,
  // r⁸): a Horner chain of 13 dependent multiply–adds kept the processor waiting.
  const V r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const V t01 = 1.0 / 2 + r * (1.0 / 6), t23 = 1.0 / 24 + r * (1.0 / 120);
  const V t45 = 1.0 / 720 + r * (1.0 / 5040), t67 = 1.0 / 40320 + r * (1.0 / 362880);
  const V t89 = 1.0 / 3628800 + r * (1.0 / 39916800), t1011 = 1.0 / 479001600 + r * (1.0 / 6227020800.0);
  const V t = (t01 + r2 * t23) + r4 * (t45 + r2 * t67) + r8 * (t89 + r2 * t1011);
  const V p = 1.0 + (r + r2 * t);
  S big_bits, shift_bits;
  std::memcpy(&big_bits, &big, sizeof big_bits);
  std::memcpy(&shift_bits, &shift, sizeof shift_bits);
  const S k = big_bits - shift_bits;  // n as an integer
  const S scale_bits = (k + 1023) << 52;
  V scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  y = p * scale;
}
inline Lanes exp_lanes(Lanes x) {
  Lanes y;
  exp_lanes_of(x, y);
  return y;
}
// The lanes exp_lanes does not cover: results subnormal or infinite, and NaN.
template <class V>
__attribute__((always_inline)) inline void exp_outside(const V& x, typename LaneInts<V>::S& out) {
  out = (x < -708.0) | (x > 709.0) | (x != x);
}

template <class V>
__attribute__((always_inline)) inline void log_lanes_of(const V& x, V& y) {
  using S = typename LaneInts<V>::S;
  using U = typename LaneInts<V>::U;
  // x = 2^k m with √½ ≤ m < √2: subtracting √½'s bits from x's carries into the exponent exactly
  // when m would reach √2.
  // The bit arithmetic is unsigned: for the lanes log_array hands to std::log (infinite, NaN,
  // negative) the signed sum overflowed, undefined behaviour (UBSan, Lanes.ArraysGiveTheLibrarysSpecialValues);
  // unsigned wraps, giving the same bits wherever the lane is used.
  U xb;
  std::memcpy(&xb, &x, sizeof xb);
  // (logical shift of a value made positive: SSE2 has no 64-bit arithmetic shift)
  const S k = S((xb - 0x3fe6a09e667f3bcdULL + (1024ULL << 52)) >> 52) - 1024;
  const U m_bits = xb - (U(k) << 52);
  V m;
  std::memcpy(&m, &m_bits, sizeof m);
  const V shift = V{} + 0x1.8p52;
  S shift_bits;
  std::memcpy(&shift_bits, &shift, sizeof shift_bits);
  const S kd_bits = shift_bits + k;
  V kd;
  std::memcpy(&kd, &kd_bits, sizeof kd);
  kd -= 0x1.8p52;  // k as a double
  const V s = (m - 1.0) / (m + 1.0), z = s * s;
  // p = Σ_{k=0..10} z^k/(2k + 3) by Estrin's scheme.
  const V z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;
  const V p01 = 1.0 / 3 + z * (1.0 / 5), p23 = 1.0 / 7 + z * (1.0 / 9), p45 = 1.0 / 11 + z * (1.0 / 13);
  const V p67 = 1.0 / 15 + z * (1.0 / 17), p89 = 1.0 / 19 + z * (1.0 / 21);
  const V p = (p01 + z2 * p23) + z4 * (p45 + z2 * p67) + z8 * (p89 + z2 * (1.0 / 23));
  // log x = k ln 2 + 2s + 2s·z·p, the small terms first.
  y = (kd * 0x1.a39ef35793c76p-33 + 2.0 * s * z * p) + 2.0 * s + kd * 0x1.62e42fee00000p-1;
}
inline Lanes log_lanes(Lanes x) {
  Lanes y;
  log_lanes_of(x, y);
  return y;
}
// The lanes log_lanes does not cover: x not a positive normal number (zero, negative, subnormal,
// infinite, NaN).
template <class V>
__attribute__((always_inline)) inline void log_outside(const V& x, typename LaneInts<V>::S& out) {
  out = ~(x >= 0x1p-1022) | (x > 0x1.fffffffffffffp1023);
}

// y[k] = f(x[k]) for k < n, n a multiple of kLanes: the fast lanes `fast`, and the library's
// function for the lanes `outside` of their range. Those are noted as the loop goes and redone
// afterwards with the same predicate, so the loop itself has no branch. Four lanes per step (one
// AVX2 register in x86-64-v3 code), the last two by a two-lane step: the same operations per value.
template <class Fast, class Outside, class Library>
__attribute__((always_inline)) inline void map_lanes(const double* x, double* y, int n, Fast fast, Outside outside, Library library) {
  LaneBits4w any4{}, out4;
  int k = 0;
  for (; k + 4 <= n; k += 4) {
    Lanes4w v, r;
    std::memcpy(&v, x + k, sizeof v);
    outside(v, out4);
    any4 |= out4;
    fast(v, r);
    std::memcpy(y + k, &r, sizeof r);
  }
  LaneBits any2{}, out2;
  if (k < n) {
    Lanes v, r;
    std::memcpy(&v, x + k, sizeof v);
    outside(v, any2);
    fast(v, r);
    std::memcpy(y + k, &r, sizeof r);
  }
  if ((any4[0] | any4[1] | any4[2] | any4[3] | any2[0] | any2[1]) != 0)
    for (int j = 0; j < n; j += kLanes) {
      Lanes v;
      std::memcpy(&v, x + j, sizeof v);
      outside(v, out2);
      for (int i = 0; i < kLanes; ++i)
        if (out2[i]) y[j + i] = library(x[j + i]);
    }
}
// (Generic lambdas: each takes the four-lane and the two-lane vectors.)
inline void exp_array(const double* x, double* y, int n) {
  map_lanes(
      x, y, n, [](const auto& v, auto& r) { exp_lanes_of(v, r); }, [](const auto& v, auto& out) { exp_outside(v, out); },
      [](double v) { return std::exp(v); });
}
inline void log_array(const double* x, double* y, int n) {
  map_lanes(
      x, y, n, [](const auto& v, auto& r) { log_lanes_of(v, r); }, [](const auto& v, auto& out) { log_outside(v, out); },
      [](double v) { return std::log(v); });
}

}  // namespace paraspine
