#include "sim/scenario/motion_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/common/warn_once.h"

namespace paraspine {
namespace {

// What one column sets in a keyframe.
struct Column {
  enum class Kind { kTime, kAngle, kJointAngle, kPelvisPosition, kHandLoad, kHandPosition };
  Kind kind = Kind::kTime;
  std::string name;          // the header's text
  std::string region, axis;  // angles: region ("pelvis", a region or a joint) and axis
  int side = 0;              // hands: 0 right, 1 left, 2 both
  int coordinate = 0;        // positions: 0 forward, 1 up, 2 right
  double to_seconds = 1;     // the time: its unit in seconds (1e-3 for a column in milliseconds)
  // Low-passed when the scenario asks for it: angles and positions, not the time or a load.
  bool filtered() const { return kind != Kind::kTime && kind != Kind::kHandLoad; }
};

// One line's cells, each trimmed of spaces and of the double quotes spreadsheets and pandas put
// around a header's names ("time"). Trailing empty cells (Excel writes "a,b," when a column further
// right was ever touched) are for the caller to drop.
std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  auto trim = [](const std::string& c) {
    const size_t a = c.find_first_not_of(" \t\r");
    const size_t b = c.find_last_not_of(" \t\r");
    return a == std::string::npos ? std::string() : c.substr(a, b - a + 1);
  };
  while (std::getline(in, cell, ',')) {
    std::string t = trim(cell);
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = trim(t.substr(1, t.size() - 2));
    cells.push_back(t);
  }
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

// A decimal number as CSV writers print it (123, -0.5, 1.5e-3, 2E+01), nothing else: strtod alone
// (and so sim/common/parse_number.h, used for command-line values) would also take hexadecimal
// (0x10), "inf" and "nan". An overflow (1e999) gives an infinity here, which the caller reports as
// not finite rather than not a number.
bool parse_decimal(const std::string& s, double& v) {
  if (s.empty() || s.find_first_not_of("0123456789.eE+-") != std::string::npos) return false;
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return *end == '\0';
}

bool is_axis(const std::string& a) { return a == "flexion" || a == "lateral_bending" || a == "axial_rotation"; }

// "pelvis_position[1]" → 1; -1 when `text` is not `prefix[i]` with i in 0..2.
int coordinate_of(const std::string& text, const std::string& prefix) {
  if (text.size() != prefix.size() + 3 || text.compare(0, prefix.size(), prefix) != 0) return -1;
  if (text[prefix.size()] != '[' || text.back() != ']') return -1;
  const char c = text[prefix.size() + 1];
  return c >= '0' && c <= '2' ? c - '0' : -1;
}

// The time column as lab software and spreadsheets head it: "time" (the scenario format's key) in any
// case, bare or with its unit as "time_s", "time (s)" or "time [s]" (also "sec", "seconds"), or in
// milliseconds ("time_ms", "time (ms)", "time [ms]"), which are converted. Returns the factor to
// seconds; 0 when the name is not a time column ("timestamp", "frame"); -1 when it is one with a unit
// that is neither (then `unit` holds it, for the error).
double time_column_to_seconds(const std::string& name, std::string& unit) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lower.compare(0, 4, "time") != 0) return 0;
  std::string rest = lower.substr(4);
  rest.erase(0, rest.find_first_not_of(' '));
  if (rest.empty()) return 1;
  if (rest[0] == '_') {
    unit = rest.substr(1);
  } else if ((rest.front() == '(' && rest.back() == ')') || (rest.front() == '[' && rest.back() == ']')) {
    unit = rest.substr(1, rest.size() - 2);
    const size_t a = unit.find_first_not_of(' '), b = unit.find_last_not_of(' ');
    unit = a == std::string::npos ? std::string() : unit.substr(a, b - a + 1);
  } else {
    return 0;
  }
  if (unit == "s" || unit == "sec" || unit == "seconds") return 1;
  if (unit == "ms") return 1e-3;
  return -1;
}

const char* const kColumnHelp =
    "time, pelvis_deg.AXIS, regions_deg.REGION.AXIS, joints_deg.JOINT.AXIS, pelvis_position[0-2], "
    "hands.SIDE.load_kg, hands.SIDE.position[0-2] (AXIS flexion, lateral_bending or axial_rotation; SIDE right, left or both)";

}  // namespace

bool is_time_column(const std::string& name) {
  std::string unit;
  return time_column_to_seconds(name, unit) != 0;
}

void lowpass_zero_lag(std::vector<double>& x, double sample_hz, double cutoff_hz) {
  if (!(cutoff_hz > 0 && cutoff_hz < sample_hz / 2))
    throw std::invalid_argument(fmt::format("a low-pass cutoff of {:g} Hz needs to lie between 0 and half the sampling rate ({:g} Hz)",
                                            cutoff_hz, sample_hz / 2));
  const size_t n = x.size();
  if (n < 2) return;
  // Two passes of a second-order Butterworth filter: |H|⁴ = 1 / (1 + (w/wc)⁴)², which is ½ (3 dB
  // down) where (w/wc)⁴ = √2 − 1, i.e. w = 0.802 wc. So the single pass's cutoff is set 1/0.802 above
  // the wanted one (Winter 2009 §3.4.4 gives the same correction). wc is prewarped for the bilinear
  // transform s = (1 − z⁻¹) / (1 + z⁻¹) of H(s) = wc² / (s² + √2 wc s + wc²):
  //   y[k] = a0 (x[k] + 2 x[k−1] + x[k−2]) − b1 y[k−1] − b2 y[k−2], with D = 1 + √2 wc + wc²,
  //   a0 = wc² / D, b1 = 2 (wc² − 1) / D, b2 = (1 − √2 wc + wc²) / D.
  const double correction = std::pow(std::sqrt(2.0) - 1, 0.25);
  const double wc = std::tan(M_PI * cutoff_hz / sample_hz) / correction;
  const double D = 1 + std::sqrt(2.0) * wc + wc * wc;
  const double a0 = wc * wc / D, b1 = 2 * (wc * wc - 1) / D, b2 = (1 - std::sqrt(2.0) * wc + wc * wc) / D;
  // Odd reflection about each end (2 x₀ − x_k) keeps the signal's level and slope there, so the
  // filter starts on a continuation of the data rather than on a step. Three periods of the cutoff
  // let the start-up transient die out (the filter's poles decay within about one period).
  const size_t pad = std::min(n - 1, static_cast<size_t>(std::ceil(3 * sample_hz / cutoff_hz)));
  std::vector<double> y(n + 2 * pad);
  for (size_t k = 0; k < pad; ++k) y[k] = 2 * x[0] - x[pad - k];
  std::copy(x.begin(), x.end(), y.begin() + pad);
  for (size_t k = 0; k < pad; ++k) y[pad + n + k] = 2 * x[n - 1] - x[n - 2 - k];
  auto pass = [&](std::vector<double>& v) {
    // Started at rest on the first value, as if it had always been there.
    double x1 = v[0], x2 = v[0], y1 = v[0], y2 = v[0];
    for (double& vk : v) {
      const double out = a0 * (vk + 2 * x1 + x2) - b1 * y1 - b2 * y2;
      x2 = x1, x1 = vk, y2 = y1, y1 = out;
      vk = out;
    }
  };
  pass(y);
  std::reverse(y.begin(), y.end());
  pass(y);
  std::reverse(y.begin(), y.end());
  std::copy(y.begin() + pad, y.begin() + pad + n, x.begin());
}

std::string motion_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", std::string("cannot read the motion file: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<ScenarioKeyframe> read_motion_text(const std::string& csv, const std::string& path, double lowpass_hz,
                                               const std::string& scenario_file, int lowpass_line) {
  // A UTF-8 byte order mark (Excel's "CSV UTF-8", Windows tools) is not part of the first name.
  std::istringstream in(csv.compare(0, 3, "\xEF\xBB\xBF") == 0 ? csv.substr(3) : csv);
  auto fail = [&](int line, const std::string& field, const std::string& msg) { throw InputError(path, line, field, msg); };

  std::string text;
  int line_no = 0, header_line = 0;
  std::vector<Column> columns;
  // Rows: the line and the values, column by column.
  std::vector<int> row_line;
  std::vector<std::vector<double>> values;
  int time_decimals = 0;  // the most decimals a time is printed with; -1 when one is in scientific notation
  while (std::getline(in, text)) {
    ++line_no;
    const size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos || text[first] == '#') continue;
    std::vector<std::string> cells = split(text);
    if (columns.empty()) {
      header_line = line_no;
      while (!cells.empty() && cells.back().empty()) cells.pop_back();
      // Comma-separated only. Excel in a locale with a decimal comma (most of Europe) saves ';'-separated
      // files with decimal commas, other tools tab-separated ones: said plainly rather than as one
      // unknown column named by the whole header.
      for (const char* sep : {";", "\t"})
        if (cells.size() == 1 && cells[0].find(sep) != std::string::npos)
          fail(line_no, "header",
               fmt::format("the columns are separated by {}: a motion file is comma-separated, with a decimal point "
                           "(in Excel with a decimal comma, save as CSV after setting the decimal separator to '.', "
                           "or convert, e.g. pandas read_csv(sep=';', decimal=',') then to_csv)",
                           *sep == ';' ? "semicolons" : "tabs"));
      bool hand_side[3] = {false, false, false};
      for (const std::string& name : cells) {
        Column c;
        c.name = name;
        const std::string field = name.empty() ? fmt::format("column {}", columns.size() + 1) : name;
        if (name.empty()) fail(line_no, field, "has no name in the header");
        for (const Column& other : columns)
          if (other.name == name) fail(line_no, field, "is given twice");
        std::vector<std::string> part;
        for (size_t a = 0, b; a <= name.size(); a = b + 1) {
          b = name.find('.', a);
          if (b == std::string::npos) b = name.size();
          part.push_back(name.substr(a, b - a));
        }
        int coordinate = -1;
        std::string time_unit;
        if (const double to_seconds = time_column_to_seconds(name, time_unit); to_seconds != 0) {
          if (to_seconds < 0)
            fail(line_no, field, "the time's unit '" + time_unit + "' is not known: give seconds (time, time_s, time (s)) or milliseconds (time_ms, time (ms))");
          for (const Column& other : columns)
            if (other.kind == Column::Kind::kTime) fail(line_no, field, "is a second time column, after '" + other.name + "'");
          c.kind = Column::Kind::kTime, c.to_seconds = to_seconds;
        } else if (part.size() == 2 && part[0] == "pelvis_deg" && is_axis(part[1])) {
          c.kind = Column::Kind::kAngle, c.region = "pelvis", c.axis = part[1];
        } else if (part.size() == 3 && part[0] == "regions_deg" && is_axis(part[2]) && !part[1].empty()) {
          c.kind = Column::Kind::kAngle, c.region = part[1], c.axis = part[2];
        } else if (part.size() == 3 && part[0] == "joints_deg" && is_axis(part[2]) && !part[1].empty()) {
          c.kind = Column::Kind::kJointAngle, c.region = part[1], c.axis = part[2];
        } else if ((coordinate = coordinate_of(name, "pelvis_position")) >= 0) {
          c.kind = Column::Kind::kPelvisPosition, c.coordinate = coordinate;
        } else if (part.size() >= 3 && part[0] == "hands" && (part[1] == "right" || part[1] == "left" || part[1] == "both")) {
          c.side = part[1] == "right" ? 0 : part[1] == "left" ? 1 : 2;
          const std::string rest = name.substr(std::string("hands.").size() + part[1].size() + 1);
          if (rest == "load_kg") {
            c.kind = Column::Kind::kHandLoad;
          } else if ((coordinate = coordinate_of(rest, "position")) >= 0) {
            c.kind = Column::Kind::kHandPosition, c.coordinate = coordinate;
          } else {
            fail(line_no, field, std::string("unknown column (a hand column is hands.SIDE.load_kg or hands.SIDE.position[0-2]; columns: ") + kColumnHelp + ")");
          }
          hand_side[c.side] = true;
        } else {
          fail(line_no, field, std::string("unknown column (columns are keyframe keys: ") + kColumnHelp + ")");
        }
        columns.push_back(c);
      }
      if (std::none_of(columns.begin(), columns.end(), [](const Column& c) { return c.kind == Column::Kind::kTime; }))
        fail(line_no, "time", "the header has no 'time' column (seconds; also read: Time, time_s, time (s), time [s], time_ms, time (ms))");
      if (hand_side[2] && (hand_side[0] || hand_side[1]))
        fail(line_no, "hands.both", "hands.both already gives both hands: give both, or right and left");
      // A positioned hand needs all three coordinates: a missing one would put it at 0.
      for (int side = 0; side < 3; ++side) {
        int given = 0;
        for (const Column& c : columns) given += c.kind == Column::Kind::kHandPosition && c.side == side;
        const char* names[] = {"right", "left", "both"};
        if (given != 0 && given != 3)
          fail(line_no, std::string("hands.") + names[side] + ".position",
               "give all three coordinates, position[0] (forward), position[1] (up) and position[2] (right), in metres");
      }
      continue;
    }
    while (cells.size() > columns.size() && cells.back().empty()) cells.pop_back();  // trailing commas
    if (cells.size() != columns.size())
      fail(line_no, cells.size() < columns.size() ? columns[cells.size()].name : "",
           fmt::format("{} values for the header's {} columns (line {}){}", cells.size(), columns.size(), header_line,
                       cells.size() < columns.size() ? ": this column and those after it have none" : ""));
    std::vector<double> row(columns.size());
    for (size_t i = 0; i < cells.size(); ++i) {
      const std::string& field = columns[i].name;
      double v = 0;
      if (!parse_decimal(cells[i], v)) fail(line_no, field, "'" + cells[i] + "' is not a number");
      if (!std::isfinite(v)) fail(line_no, field, "'" + cells[i] + "' is not a finite number");
      row[i] = v;
      if (columns[i].kind == Column::Kind::kTime) {
        row[i] = v * columns[i].to_seconds;
        // The resolution the times are printed with (3 decimals: 1 ms; in milliseconds, 3 more), for
        // the spacing checks below.
        const size_t dot = cells[i].find('.'), e = cells[i].find_first_of("eE");
        const int decimals = (dot == std::string::npos ? 0 : static_cast<int>(cells[i].size() - dot - 1)) +
                             (columns[i].to_seconds == 1 ? 0 : 3);
        if (e != std::string::npos) time_decimals = -1;  // scientific notation: resolution unknown
        else if (time_decimals >= 0) time_decimals = std::max(time_decimals, decimals);
      }
    }
    row_line.push_back(line_no);
    values.push_back(std::move(row));
  }
  if (columns.empty()) fail(0, "", "the motion file is empty: it needs a header line and at least two rows");
  if (values.size() < 2) fail(header_line, "", "a motion needs at least two rows (a held posture is two rows with the same values)");

  const size_t time_col = static_cast<size_t>(
      std::find_if(columns.begin(), columns.end(), [](const Column& c) { return c.kind == Column::Kind::kTime; }) - columns.begin());
  const std::string& time_field = columns[time_col].name;
  if (values[0][time_col] != 0) fail(row_line[0], time_field, "the first row is at time 0 (subtract the first time from every row)");
  for (size_t k = 1; k < values.size(); ++k) {
    if (!(values[k][time_col] > values[k - 1][time_col])) fail(row_line[k], time_field, "times must increase");
    if (values[k][time_col] > kMaxScenarioDurationS)
      fail(row_line[k], time_field, fmt::format("more than a week ({:.0f} s)", kMaxScenarioDurationS));
  }

  // Evenly sampled data (motion capture at 120 Hz, a logger at 10 Hz) often has its times printed
  // rounded: 1/120 s to 3 decimals is 0.008, 0.017, 0.025, steps 4 % off and more. The spline takes
  // such uneven steps as motion: speeds and accelerations, hence inertial loads, jitter (L5-S1
  // compression of a smooth 0.5-Hz flexion at 120 Hz moved by up to 514 N against exact times).
  const double step = values.back()[time_col] / static_cast<double>(values.size() - 1);
  // The rounding of the printed times counts only where it is small against the step (not for
  // 0, 1, 3 printed as integers).
  const double resolution = time_decimals >= 0 ? std::pow(10.0, -time_decimals) : 0;
  const double rounding = resolution <= step / 4 ? resolution * (1 + 1e-9) : 0;  // a step: two roundings of half of it
  double worst = 0;  // the largest departure of a step from the mean one, or of a time from the even grid
  for (size_t k = 1; k < values.size(); ++k)
    worst = std::max({worst, std::abs(values[k][time_col] - values[k - 1][time_col] - step),
                      std::abs(values[k][time_col] - static_cast<double>(k) * step)});
  const bool rounded_grid = worst > 1e-9 * step && worst <= rounding;
  if (lowpass_hz > 0) {
    // The filter assumes evenly spaced samples: within 1 % of the mean step, or within the rounding of
    // the printed times; the rows are then put on the even grid the filter assumed.
    const double tolerance = std::max(0.01 * step, rounding);
    for (size_t k = 1; k < values.size(); ++k)
      if (std::abs(values[k][time_col] - values[k - 1][time_col] - step) > tolerance ||
          (rounding > 0.01 * step && std::abs(values[k][time_col] - static_cast<double>(k) * step) > rounding))
        fail(row_line[k], time_field,
             fmt::format("rows are not evenly spaced in time (step {:g} s, the mean {:g} s): motion.lowpass_hz (in {} line {}) filters "
                         "evenly sampled data only; resample the motion or leave the filter out",
                         values[k][time_col] - values[k - 1][time_col], step, scenario_file, lowpass_line));
    if (worst > 1e-9 * step)
      for (size_t k = 1; k + 1 < values.size(); ++k) values[k][time_col] = static_cast<double>(k) * step;
    std::vector<double> series(values.size());
    for (size_t i = 0; i < columns.size(); ++i) {
      if (!columns[i].filtered()) continue;
      for (size_t k = 0; k < values.size(); ++k) series[k] = values[k][i];
      try {
        lowpass_zero_lag(series, 1 / step, lowpass_hz);
      } catch (const std::invalid_argument& e) {
        throw InputError(scenario_file, lowpass_line, "motion.lowpass_hz", std::string(e.what()) + " of the motion file's rows");
      }
      for (size_t k = 0; k < values.size(); ++k) values[k][i] = series[k];
    }
  }

  // Without the filter too: times that depart from the even grid by no more than their printing's
  // rounding are that grid (the file cannot say otherwise), so the rows go on it. Taken as written, a
  // 120 Hz trial with whole-millisecond times gave L5-S1 1995 N instead of the exact times' 1364 N
  // (review 16): rounding is not motion. Said once, in the file's own unit.
  if (lowpass_hz <= 0 && rounded_grid) {
    for (size_t k = 1; k + 1 < values.size(); ++k) values[k][time_col] = static_cast<double>(k) * step;
    if (values.size() >= 10 && worst > 0.01 * step) {
      const int ms_decimals = time_decimals - 3;
      const std::string printed = columns[time_col].to_seconds == 1 ? fmt::format("{} decimals", time_decimals)
                                  : ms_decimals == 0                ? std::string("whole milliseconds")
                                                                    : fmt::format("{} decimals of a millisecond", ms_decimals);
      warn_once(fmt::format("{}: the times, printed to {}, are up to {:.0f} % off an even step of {:g} s, within their rounding: "
                            "read as that even grid (uneven steps would be taken as motion, and the inertial loads would jitter)",
                            path, printed, 100 * worst / step, step));
    }
  }

  // Rows to keyframes, with the checks the scenario format applies to a keyframe's values.
  // A row's angles are sized once: grown one by one, each row's two lists took three allocations and
  // kept a quarter unused (an 8-h log at 10 Hz has 288 000 rows).
  const size_t n_angles = static_cast<size_t>(std::count_if(columns.begin(), columns.end(), [](const Column& c) { return c.kind == Column::Kind::kAngle; }));
  const size_t n_joint_angles =
      static_cast<size_t>(std::count_if(columns.begin(), columns.end(), [](const Column& c) { return c.kind == Column::Kind::kJointAngle; }));
  std::vector<ScenarioKeyframe> keyframes(values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    ScenarioKeyframe& kf = keyframes[k];
    kf.angles.reserve(n_angles);
    kf.joint_angles.reserve(n_joint_angles);
    kf.line = row_line[k];
    kf.file = path;
    for (int h = 0; h < 2; ++h) kf.hands[h].line = row_line[k], kf.hands[h].field = h == 0 ? "hands.right" : "hands.left";
    for (size_t i = 0; i < columns.size(); ++i) {
      const Column& c = columns[i];
      const double v = values[k][i];
      const std::string& field = c.name;
      switch (c.kind) {
        case Column::Kind::kTime: kf.time = v; break;
        case Column::Kind::kAngle:
          if (c.region == "pelvis" && std::abs(v) > kMaxPelvisAngleDeg)
            fail(row_line[k], field, fmt::format("{:g}° is more than a half turn (limit ±{:g}° per axis)", v, kMaxPelvisAngleDeg));
          kf.angles.push_back({c.region, c.axis, v, row_line[k], field});
          break;
        case Column::Kind::kJointAngle: kf.joint_angles.push_back({c.region, c.axis, v, row_line[k], field}); break;
        case Column::Kind::kPelvisPosition: kf.pelvis_position[c.coordinate] = v; break;
        case Column::Kind::kHandLoad:
          if (v < 0) fail(row_line[k], field, "must not be negative");
          if (v > kMaxHandLoadKg) fail(row_line[k], field, fmt::format("no person holds {:g} kg in one hand (limit {:g} kg)", v, kMaxHandLoadKg));
          for (int h = 0; h < 2; ++h)
            if (c.side == h || c.side == 2) kf.hands[h].load_kg = v;
          break;
        case Column::Kind::kHandPosition:
          for (int h = 0; h < 2; ++h)
            if (c.side == h || c.side == 2) {
              // Under `both` the left hand is the right one mirrored (z → −z), as in keyframes.
              kf.hands[h].position[c.coordinate] = c.side == 2 && h == 1 && c.coordinate == 2 ? -v : v;
              kf.hands[h].hanging = false;
              kf.hands[h].field = std::string("hands.") + (c.side == 2 ? "both" : h == 0 ? "right" : "left");
            }
          break;
      }
    }
    if (kf.pelvis_position.norm() > kMaxPelvisOffsetM)
      fail(row_line[k], "pelvis_position", fmt::format("more than {:g} m from where the pelvis stands", kMaxPelvisOffsetM));
  }
  return keyframes;
}

}  // namespace paraspine
