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

inline Lanes exp_lanes(Lanes x) {
  // n = round(x / ln 2) from the low bits of x / ln 2 + 1.5·2⁵², exact for |n| < 2⁵¹; ln 2 split so
  // that n·ln2_hi is exact (Cody & Waite).
  const Lanes shift = lanes(0x1.8p52);
  const Lanes big = x * 1.4426950408889634 + shift;
  const Lanes n = big - shift;
  const Lanes r = (x - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
  // e^r = 1 + r + r² t(r), t = Σ_{k=2..13} r^(k−2)/k!, by Estrin's scheme (pairs, then powers r², r⁴,
  // r⁸): a Horner chain of 13 dependent multiply–adds kept the processor waiting.
  const Lanes r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const Lanes t01 = 1.0 / 2 + r * (1.0 / 6), t23 = 1.0 / 24 + r * (1.0 / 120);
  const Lanes t45 = 1.0 / 720 + r * (1.0 / 5040), t67 = 1.0 / 40320 + r * (1.0 / 362880);
  const Lanes t89 = 1.0 / 3628800 + r * (1.0 / 39916800), t1011 = 1.0 / 479001600 + r * (1.0 / 6227020800.0);
  const Lanes t = (t01 + r2 * t23) + r4 * (t45 + r2 * t67) + r8 * (t89 + r2 * t1011);
  const Lanes p = 1.0 + (r + r2 * t);
  const LaneBits k = bits_of(big) - bits_of(shift);  // n as an integer
  return p * from_bits((k + 1023) << 52);
}
// The lanes exp_lanes does not cover: results subnormal or infinite, and NaN.
inline LaneBits exp_outside(Lanes x) { return (x < -708.0) | (x > 709.0) | (x != x); }

inline Lanes log_lanes(Lanes x) {
  // x = 2^k m with √½ ≤ m < √2: subtracting √½'s bits from x's carries into the exponent exactly
  // when m would reach √2.
  // The bit arithmetic is unsigned: for the lanes log_array hands to std::log (infinite, NaN,
  // negative) the signed sum overflowed, undefined behaviour (UBSan, Lanes.ArraysGiveTheLibrarysSpecialValues);
  // unsigned wraps, giving the same bits wherever the lane is used.
  const LaneUBits xb = LaneUBits(bits_of(x));
  // (logical shift of a value made positive: SSE2 has no 64-bit arithmetic shift)
  const LaneBits k = LaneBits((xb - 0x3fe6a09e667f3bcdULL + (1024ULL << 52)) >> 52) - 1024;
  const Lanes m = from_bits(LaneBits(xb - (LaneUBits(k) << 52)));
  const Lanes kd = from_bits(bits_of(lanes(0x1.8p52)) + k) - 0x1.8p52;  // k as a double
  const Lanes s = (m - 1.0) / (m + 1.0), z = s * s;
  // p = Σ_{k=0..10} z^k/(2k + 3) by Estrin's scheme.
  const Lanes z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;
  const Lanes p01 = 1.0 / 3 + z * (1.0 / 5), p23 = 1.0 / 7 + z * (1.0 / 9), p45 = 1.0 / 11 + z * (1.0 / 13);
  const Lanes p67 = 1.0 / 15 + z * (1.0 / 17), p89 = 1.0 / 19 + z * (1.0 / 21);
  const Lanes p = (p01 + z2 * p23) + z4 * (p45 + z2 * p67) + z8 * (p89 + z2 * (1.0 / 23));
  // log x = k ln 2 + 2s + 2s·z·p, the small terms first.
  return (kd * 0x1.a39ef35793c76p-33 + 2.0 * s * z * p) + 2.0 * s + kd * 0x1.62e42fee00000p-1;
}
// The lanes log_lanes does not cover: x not a positive normal number (zero, negative, subnormal,
// infinite, NaN).
inline LaneBits log_outside(Lanes x) { return ~(x >= 0x1p-1022) | (x > 0x1.fffffffffffffp1023); }

// y[k] = f(x[k]) for k < n, n a multiple of kLanes: the fast lanes `fast`, and the library's
// function for the lanes `outside` of their range. Those are noted as the loop goes and redone
// afterwards with the same predicate, so the loop itself has no branch.
template <class Fast, class Outside, class Library>
inline void map_lanes(const double* x, double* y, int n, Fast fast, Outside outside, Library library) {
  LaneBits any_outside{};
  for (int k = 0; k < n; k += kLanes) {
    const Lanes v = load_lanes(x + k);
    any_outside |= outside(v);
    store_lanes(y + k, fast(v));
  }
  if (any(any_outside))
    for (int k = 0; k < n; k += kLanes) {
      const LaneBits out = outside(load_lanes(x + k));
      for (int j = 0; j < kLanes; ++j)
        if (out[j]) y[k + j] = library(x[k + j]);
    }
}
inline void exp_array(const double* x, double* y, int n) {
  map_lanes(x, y, n, exp_lanes, exp_outside, [](double v) { return std::exp(v); });
}
inline void log_array(const double* x, double* y, int n) {
  map_lanes(x, y, n, log_lanes, log_outside, [](double v) { return std::log(v); });
}

}  // namespace paraspine
