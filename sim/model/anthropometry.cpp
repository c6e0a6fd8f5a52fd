#include "sim/model/anthropometry.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <stdexcept>

namespace paraspine {

const char* const kAnthropometryTable =
    "NHANES 2021-2023, US adults 20 and older (Fryar et al. 2025, Vital Health Stat 3(50), Tables 3 and 7)";

namespace {

// [V] Fryar CD, Gu Q, Afful J, Carroll MD, Ogden CL. Anthropometric reference data for children and
// adults: United States, August 2021–August 2023. Vital Health Stat 3. 2025 Jun;(50):1–28,
// DOI 10.15620/cdc/174595. Rows "20 and older": Table 7 (standing height, cm, report page 8; n =
// 2,690 men, 3,307 women) and Table 3 (weight, kg, page 6; n = 2,688 men, 3,254 women, pregnant
// women excluded). How each value was read and checked: docs/sources/anthropometric_percentiles.md.
constexpr std::array<double, 9> kP = {5, 10, 15, 25, 50, 75, 85, 90, 95};
// Heights in mm: the report's cm (to 0.1 cm) × 10, whole numbers, so a tabulated height in m is the
// double nearest the printed value (162.2 / 100 is 1.6219999999999999 in a JSON summary; 1622 / 1000
// is 1.622).
constexpr std::array<double, 9> kMaleHeightMm = {1622, 1652, 1675, 1700, 1752, 1801, 1830, 1848, 1872};
constexpr std::array<double, 9> kFemaleHeightMm = {1496, 1520, 1539, 1564, 1612, 1661, 1686, 1704, 1725};
constexpr std::array<double, 9> kMaleMassKg = {60.9, 66.6, 70.0, 75.4, 86.6, 100.6, 111.0, 118.8, 131.8};
constexpr std::array<double, 9> kFemaleMassKg = {50.7, 54.7, 57.8, 62.6, 73.5, 89.2, 99.9, 107.2, 119.2};

// Linear in p between the tabulated percentiles; exact at each of them.
double at(const std::array<double, 9>& column, double p) {
  for (size_t k = 0; k + 1 < kP.size(); ++k)
    if (p <= kP[k + 1]) {
      if (p == kP[k + 1]) return column[k + 1];
      const double t = (p - kP[k]) / (kP[k + 1] - kP[k]);
      return column[k] + t * (column[k + 1] - column[k]);
    }
  return column.back();
}

}  // namespace

PercentileBody percentile_body(const std::string& sex, double p) {
  if (sex != "male" && sex != "female")
    throw std::invalid_argument("a percentile needs the sex male or female (the table has a column for each), got '" + sex + "'");
  if (!(std::isfinite(p) && p >= kPercentileMin && p <= kPercentileMax))
    throw std::invalid_argument(fmt::format("percentile must be between {:g} and {:g}, the range the table gives ({}), got {:g}",
                                            kPercentileMin, kPercentileMax, kAnthropometryTable, p));
  const bool male = sex == "male";
  PercentileBody b;
  b.height_m = at(male ? kMaleHeightMm : kFemaleHeightMm, p) / 1000;
  b.body_mass_kg = at(male ? kMaleMassKg : kFemaleMassKg, p);
  return b;
}

std::string percentile_name(double p, const std::string& sex) {
  std::string suffix = "th";
  if (p == std::floor(p)) {
    const long n = static_cast<long>(p);
    if (n % 100 < 11 || n % 100 > 13) {
      if (n % 10 == 1) suffix = "st";
      else if (n % 10 == 2) suffix = "nd";
      else if (n % 10 == 3) suffix = "rd";
    }
  }
  return fmt::format("{:g}{} percentile {}", p, suffix, sex);
}

}  // namespace paraspine
