#pragma once
// Occupational limits against which a run's lumbar loads are read, and the verdicts its summary
// gives (docs/scenarios.md, "Reading loads against occupational limits"). One rule for the CLI's
// tables, batch, sweep, --json, the results file's summary and Python.
#include <string>

namespace paraspine {

// Compression at the lumbar discs, NIOSH Work Practices Guide for Manual Lifting (1981, DHHS (NIOSH)
// Publ. 81-122): action limit 3400 N ("some risk"), maximum permissible limit 6400 N ("significant
// risk", about half of people expected to suffer end-plate microfracture) [V, secondary: Fundamentals
// and Assessment Tools for Occupational Ergonomics, ch. 11, quoting the Guide]. 3400 N is also the
// compression criterion of the revised lifting equation (Waters et al. 1993, Ergonomics 36:749).
// A reserve moment worth showing (N·m): the pictures ring a joint whose reserve reaches it, and the
// summary counts the frames where one does (`reserves.frames_notable_fraction`) beside those where any
// reserve acts. A presentation threshold [A]: a quiet stand on paraspinal_only keeps 0.24-0.49 N·m of
// reserves at T6-T7 (audit25t A7), which "reserves in 100 % of frames" made read as a body that cannot stand.
inline constexpr double kNotableReserveNm = 0.5;

inline constexpr double kCompressionActionLimitN = 3400;
inline constexpr double kCompressionMaxPermissibleN = 6400;

// Anterior-posterior shear: Gallagher & Marras 2012 (Clin Biomech 27:973, a review of shear
// tolerance) recommend 1000 N for occasional loading (fewer than 100 loadings a day) and 700 N for
// 100-1000 a day [R: recalled, the paper's text was not reached]. The magnitude is compared, anterior
// or posterior.
inline constexpr double kShearOccasionalLimitN = 1000;
inline constexpr double kShearFrequentLimitN = 700;

// The limits were set for L5/S1 and are read for every lumbar disc (3DSSPP compares its L4/L5
// compression with the same 3400 N [R]); a thoracic level above them is not over a limit the sources
// give. Lumbar = a joint named L and a digit (L5-S1 … L1-L2), the names docs/model-format.md gives.
inline bool is_lumbar_level(const std::string& joint) {
  return joint.size() > 1 && joint[0] == 'L' && joint[1] >= '0' && joint[1] <= '9';
}

// "below_action_limit", "above_action_limit" or "above_max_permissible_limit".
inline const char* compression_verdict(double peak_N) {
  return peak_N > kCompressionMaxPermissibleN ? "above_max_permissible_limit"
         : peak_N > kCompressionActionLimitN  ? "above_action_limit"
                                              : "below_action_limit";
}

// "below_frequent_limit", "above_frequent_limit" (700-1000 N) or "above_occasional_limit" (> 1000 N).
inline const char* shear_verdict(double peak_magnitude_N) {
  return peak_magnitude_N > kShearOccasionalLimitN ? "above_occasional_limit"
         : peak_magnitude_N > kShearFrequentLimitN ? "above_frequent_limit"
                                                   : "below_frequent_limit";
}

// A reserve carries moment without loading the disc, so where reserves act the loads are lower
// bounds: a task beyond the muscles' strength reads safer than it is (a weaker subject a lower
// compression). Marked from 0.5 N·m of reserve: at a 5 cm extensor moment arm about 10 N of
// compression, below what the tables show as a difference; smaller reserves are numerical crumbs.
inline constexpr double kReserveMakesLowerBoundNm = 0.5;

}  // namespace paraspine
