#pragma once
// A subject by population percentile ("a 5th percentile woman", as 3DSSPP offers): stature and body
// mass read from a published table, each from its own column (docs/sources/anthropometric_percentiles.md).
//
// The table: Fryar CD, Gu Q, Afful J, Carroll MD, Ogden CL. Anthropometric reference data for
// children and adults: United States, August 2021–August 2023. Vital Health Stat 3. 2025;(50),
// Table 3 (weight, kg) and Table 7 (standing height, cm), rows "20 and older": the US civilian
// noninstitutionalized population aged 20 and older, measured in NHANES. Percentiles 5, 10, 15, 25,
// 50, 75, 85, 90, 95; between them linear in the percentile; outside 5–95 refused (the report gives
// no tail to extrapolate to).
//
// Univariate: stature(P) and mass(P) are two separate distributions taken at the same P. No real
// person need be at the 5th percentile of both; this is the design convention, not a measured body.
#include <string>

namespace paraspine {

// The table's name, as outputs show it.
extern const char* const kAnthropometryTable;
// Its tabulated range of percentiles.
constexpr double kPercentileMin = 5, kPercentileMax = 95;

struct PercentileBody {
  double height_m = 0;
  double body_mass_kg = 0;
};

// Stature and body mass at percentile p (kPercentileMin–kPercentileMax) for sex "male" or "female".
// Throws std::invalid_argument for another sex or a p outside the range (or not finite).
PercentileBody percentile_body(const std::string& sex, double p);

// "5th percentile female" (ordinal as written: 5th, 21st, 22nd, 33rd, 12.5th).
std::string percentile_name(double p, const std::string& sex);

}  // namespace paraspine
