#include "sim/scenario/motion_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/common/warn_once.h"

namespace paraspine {
namespace {

namespace fs = std::filesystem;

// What one column sets in a keyframe.
struct Column {
  enum class Kind { kTime, kAngle, kJointAngle, kPelvisPosition, kHandLoad, kHandPosition };
  Kind kind = Kind::kTime;
  std::string name;          // the header's text
  std::string region, axis;  // angles: region ("pelvis", a region or a joint) and axis
  int side = 0;              // hands: 0 right, 1 left, 2 both
  int coordinate = 0;        // positions: 0 forward, 1 up, 2 right
  double to_seconds = 1;     // the time: its unit in seconds (1e-3 for a column in milliseconds)
  // An OpenSim storage file's column: the factor its values are multiplied by (sign and scale of
  // its mapping, times 180/π for an angle given in radians), whether its first row is subtracted
  // (pelvis_position: OpenSim's pelvis_t* are positions in the ground frame, paraspine's are
  // displacements from standing), and where its target key was named.
  double factor = 1;
  bool relative = false;
  int name_line = 0, name_column = 0;
  bool name_in_scenario = false, builtin = false;
  bool from_radians = false;  // an angle of a storage file that says inDegrees=no (factor × 180/π)
  // Low-passed when the scenario asks for it: angles and positions, not the time or a load.
  bool filtered() const { return kind != Kind::kTime && kind != Kind::kHandLoad; }
  bool angle() const { return kind == Kind::kAngle || kind == Kind::kJointAngle; }
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

// What a column heading (or an OpenSim mapping's target) names, in `c`: "" when it is a keyframe key
// (or the time column), else the problem. Hands are checked together later (all three coordinates).
std::string parse_key(const std::string& name, Column& c) {
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
      return "the time's unit '" + time_unit + "' is not known: give seconds (time, time_s, time (s)) or milliseconds (time_ms, time (ms))";
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
      return std::string("unknown column (a hand column is hands.SIDE.load_kg or hands.SIDE.position[0-2]; columns: ") + kColumnHelp + ")";
    }
  } else {
    return std::string("unknown column (columns are keyframe keys: ") + kColumnHelp + ")";
  }
  return "";
}


// The hands' columns together: `both` with `right` or `left`, or a position without all three
// coordinates (a missing one would put the hand at 0). "" when they are fine; else the problem, and
// `field` the key to name.
std::string hand_problem(const std::vector<Column>& columns, std::string& field) {
  bool side_given[3] = {false, false, false};
  for (const Column& c : columns)
    if (c.kind == Column::Kind::kHandLoad || c.kind == Column::Kind::kHandPosition) side_given[c.side] = true;
  if (side_given[2] && (side_given[0] || side_given[1])) {
    field = "hands.both";
    return "hands.both already gives both hands: give both, or right and left";
  }
  for (int side = 0; side < 3; ++side) {
    int given = 0;
    for (const Column& c : columns) given += c.kind == Column::Kind::kHandPosition && c.side == side;
    const char* names[] = {"right", "left", "both"};
    if (given != 0 && given != 3) {
      field = std::string("hands.") + names[side] + ".position";
      return "give all three coordinates, position[0] (forward), position[1] (up) and position[2] (right), in metres";
    }
  }
  return "";
}

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  const size_t b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

// An OpenSim storage line's cells: tab-separated when the line has a tab (OpenSim writes tabs),
// else separated by runs of spaces (files edited or written by other tools). Trailing empty cells
// (a tab at the end of a row) are dropped.
std::vector<std::string> storage_cells(const std::string& line) {
  std::vector<std::string> cells;
  const std::string t = trimmed(line);
  if (t.find('\t') != std::string::npos) {
    std::istringstream in(t);
    for (std::string cell; std::getline(in, cell, '\t');) cells.push_back(trimmed(cell));
  } else {
    std::istringstream in(t);
    for (std::string cell; in >> cell;) cells.push_back(cell);
  }
  while (!cells.empty() && cells.back().empty()) cells.pop_back();
  return cells;
}

// The built-in mapping of OpenSim coordinate names to keyframe keys, each with the sign that turns
// the coordinate into paraspine's convention (flexion, lateral bending to the right and axial
// rotation to the right positive; docs/scenarios.md, "OpenSim motion files", says from which .osim
// file each axis was read). A coordinate spanning several paraspine levels goes to its region.
struct BuiltinMap {
  std::string column, key;
  double sign;
};
const std::vector<BuiltinMap>& builtin_mapping() {
  static const std::vector<BuiltinMap> table = [] {
    std::vector<BuiltinMap> t = {
        // ground_pelvis (gait2354/gait2392, Rajagopal, Hamner, MF-TL): rotation1 pelvis_tilt about
        // +z (positive = posterior tilt), rotation2 pelvis_list about +x (positive tips the top to
        // the right), rotation3 pelvis_rotation about +y (positive turns the front to the left);
        // the Z-X-Y body-fixed sequence is paraspine's own.
        {"pelvis_tilt", "pelvis_deg.flexion", -1},
        {"pelvis_list", "pelvis_deg.lateral_bending", 1},
        {"pelvis_rotation", "pelvis_deg.axial_rotation", -1},
        {"pelvis_tx", "pelvis_position[0]", 1},
        {"pelvis_ty", "pelvis_position[1]", 1},
        {"pelvis_tz", "pelvis_position[2]", 1},
        // back (pelvis → torso) of the full-body models: the trunk above the pelvis, read as the
        // lumbar region.
        {"lumbar_extension", "regions_deg.lumbar.flexion", -1},
        {"lumbar_bending", "regions_deg.lumbar.lateral_bending", 1},
        {"lumbar_rotation", "regions_deg.lumbar.axial_rotation", -1},
        // Christophy 2012 lumbar spine: the independent coordinates coupled to L5-S1 … L1-L2 with
        // shares summing to 1 (its per-level L4_L5_FE … are their coupled shares).
        {"flex_extension", "regions_deg.lumbar.flexion", -1},
        {"lat_bending", "regions_deg.lumbar.lateral_bending", 1},
        {"axial_rotation", "regions_deg.lumbar.axial_rotation", -1},
    };
    // Per-level intervertebral coordinates <J>_FE / _LB / _AR (MF-TL / Allaire 2020 thoracolumbar,
    // Christophy 2012): rotation1 about +z (positive = extension), rotation2 about +x (positive =
    // right), rotation3 about +y (positive = to the left).
    const char* levels[] = {"L5_S1", "L4_L5", "L3_L4", "L2_L3", "L1_L2", "T12_L1", "T11_T12", "T10_T11", "T9_T10",
                            "T8_T9", "T7_T8", "T6_T7", "T5_T6", "T4_T5", "T3_T4", "T2_T3", "T1_T2"};
    for (const char* level : levels) {
      std::string joint(level);
      std::replace(joint.begin(), joint.end(), '_', '-');
      t.push_back({std::string(level) + "_FE", "joints_deg." + joint + ".flexion", -1});
      t.push_back({std::string(level) + "_LB", "joints_deg." + joint + ".lateral_bending", 1});
      t.push_back({std::string(level) + "_AR", "joints_deg." + joint + ".axial_rotation", -1});
    }
    return t;
  }();
  return table;
}

// An OpenSim 4 column label "/jointset/back/lumbar_extension/value" is the coordinate
// "lumbar_extension"; a "/speed" (or other) column of a states file is none ("").
std::string coordinate_name(const std::string& label) {
  if (label.empty() || label[0] != '/') return label;
  const size_t last = label.rfind('/');
  if (label.substr(last + 1) != "value" || last == 0) return "";
  const size_t before = label.rfind('/', last - 1);
  return label.substr(before + 1, last - before - 1);
}

// Reads an OpenSim storage file (.mot, .sto): a header ending in "endheader" (version 1 files of
// Storage, "Coordinates / version=1 / nRows= / nColumns= / inDegrees=", and version 3/4 files of
// STOFileAdapter, "version=3 / OpenSimVersion=4.x / DataType=double / inDegrees="), then the
// column labels (the first "time") and the rows, tab-separated (or by spaces). The columns the
// mapping gives a keyframe key become `columns` (the time first), their values converted
// (radians → degrees, the mapping's sign and factor, positions from their first row), the times
// shifted to start at 0; the others are named in one note.
void read_storage(std::istringstream& in, const std::string& path, const std::string& scenario_file,
                  const std::vector<MotionColumnMap>& mapping, std::vector<Column>& columns, std::vector<int>& row_line,
                  std::vector<std::vector<double>>& values, int& header_line,
                  const std::function<void(const std::string&, double)>& note_time_decimals) {
  auto fail = [&](int line, const std::string& field, const std::string& msg) { throw InputError(path, line, field, msg); };
  std::string text;
  int line_no = 0, end_line = 0;
  int degrees_line = 0, rows_line = 0, columns_line = 0;
  bool in_degrees = true;
  long n_rows = -1, n_columns = -1;
  auto count = [&](const std::string& value, const std::string& key) {
    long n = 0;
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 9)
      fail(line_no, key, "'" + value + "' is not a whole number");
    n = std::stol(value);
    return n;
  };
  while (std::getline(in, text)) {
    ++line_no;
    const std::string t = trimmed(text);
    if (t == "endheader") {
      end_line = line_no;
      break;
    }
    const size_t eq = t.find('=');
    if (eq == std::string::npos) continue;  // the name line, "Units are S.I. units ...", blank lines
    std::string key = trimmed(t.substr(0, eq));
    const std::string value = trimmed(t.substr(eq + 1));
    std::string lower(key);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    // A header key given twice (inDegrees=no then =yes) said two things; the last one won (audit25i #14).
    if (const int before = lower == "indegrees" ? degrees_line : lower == "nrows" ? rows_line : lower == "ncolumns" ? columns_line : 0)
      fail(line_no, key, fmt::format("given twice (line {} gives it too): give it once", before));
    if (lower == "indegrees") {
      if (value != "yes" && value != "no") fail(line_no, key, "'" + value + "': expected yes or no (whether the angles are in degrees)");
      in_degrees = value == "yes", degrees_line = line_no;
    } else if (lower == "nrows") {
      n_rows = count(value, key), rows_line = line_no;
    } else if (lower == "ncolumns") {
      n_columns = count(value, key), columns_line = line_no;
    } else if (lower == "version") {
      double v = 0;
      if (!parse_decimal(value, v)) fail(line_no, key, "'" + value + "' is not a version number");
    }
  }
  if (end_line == 0)
    fail(1, "header", "no 'endheader' line: an OpenSim storage file (.mot, .sto) has a header (nRows=, nColumns=, inDegrees=) ending in a line 'endheader', then the column names and the rows");
  std::vector<std::string> labels;
  while (std::getline(in, text)) {
    ++line_no;
    if (trimmed(text).empty()) continue;
    labels = storage_cells(text);
    header_line = line_no;
    break;
  }
  if (labels.empty()) fail(end_line, "header", "no column names after endheader");
  std::string first(labels[0]);
  std::transform(first.begin(), first.end(), first.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (first != "time") fail(header_line, labels[0] + " (column 1)", "the first column of an OpenSim storage file is 'time'");
  if (n_columns >= 0 && static_cast<size_t>(n_columns) != labels.size())
    fail(columns_line, "nColumns", fmt::format("says {} columns; the column names (line {}) are {}", n_columns, header_line, labels.size()));
  for (size_t i = 0; i < labels.size(); ++i)
    for (size_t k = 0; k < i; ++k)
      if (labels[k] == labels[i]) fail(header_line, fmt::format("{} (column {})", labels[i], i + 1), fmt::format("is given twice (column {})", k + 1));

  // Each label's target: the scenario's motion.columns entry, else the built-in mapping.
  struct Target {
    Column column;
    bool used = false;
    bool explicitly_ignored = false;
  };
  std::vector<Target> target(labels.size());
  std::vector<bool> mapping_used(mapping.size(), false);
  for (size_t i = 1; i < labels.size(); ++i) {
    const std::string coordinate = coordinate_name(labels[i]);
    Column& c = target[i].column;
    c.name = labels[i], c.name_line = header_line, c.name_column = static_cast<int>(i) + 1;
    const MotionColumnMap* given = nullptr;
    for (size_t m = 0; m < mapping.size(); ++m)
      if (mapping[m].column == labels[i] || (!coordinate.empty() && mapping[m].column == coordinate)) given = &mapping[m], mapping_used[m] = true;
    std::string key;
    if (given) {
      const std::string field = "motion.columns." + given->column;
      std::string spec = trimmed(given->target);
      if (spec == "ignore") {
        target[i].explicitly_ignored = true;
        continue;
      }
      double factor = 1;
      if (!spec.empty() && (spec[0] == '-' || spec[0] == '+')) factor = spec[0] == '-' ? -1 : 1, spec = trimmed(spec.substr(1));
      if (const size_t star = spec.find('*'); star != std::string::npos) {
        double f = 0;
        if (!parse_decimal(trimmed(spec.substr(0, star)), f) || !std::isfinite(f) || f == 0)
          throw InputError(scenario_file, given->line, field,
                           "'" + given->target + "': the factor before '*' is a non-zero decimal number ([-][FACTOR*]KEY)");
        factor *= f, spec = trimmed(spec.substr(star + 1));
      }
      if (const std::string problem = parse_key(spec, c); !problem.empty() || c.kind == Column::Kind::kTime)
        throw InputError(scenario_file, given->line, field,
                         "'" + given->target + "': " + (problem.empty() ? std::string("the time is the file's first column, not a target") : problem) +
                             "; a target is [-][FACTOR*]KEY or ignore");
      c.factor = factor, c.name_line = given->line, c.name_in_scenario = true;
      target[i].used = true;
      continue;
    }
    for (const BuiltinMap& b : builtin_mapping())
      if (b.column == coordinate) {
        parse_key(b.key, c);
        c.factor = b.sign, c.builtin = true;
        target[i].used = true;
      }
  }
  for (size_t m = 0; m < mapping.size(); ++m)
    if (!mapping_used[m]) {
      std::string names;
      for (size_t i = 1; i < labels.size(); ++i) names += (names.empty() ? "" : ", ") + labels[i];
      throw InputError(scenario_file, mapping[m].line, "motion.columns." + mapping[m].column,
                       "no column '" + mapping[m].column + "' in " + path + " (its columns: " + names + ")");
    }
  // Christophy 2012's per-level coordinates are coupled to its lumbar ones: with the region read from
  // flex_extension (or lumbar_extension), its levels' columns would count twice.
  std::vector<std::string> coupled;
  for (size_t i = 1; i < labels.size(); ++i) {
    Column& c = target[i].column;
    if (!target[i].used || !c.builtin || c.kind != Column::Kind::kJointAngle) continue;
    const std::string lumbar[] = {"L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"};
    if (std::find(std::begin(lumbar), std::end(lumbar), c.region) == std::end(lumbar)) continue;
    for (size_t k = 1; k < labels.size(); ++k)
      if (target[k].used && target[k].column.kind == Column::Kind::kAngle && target[k].column.region == "lumbar" &&
          target[k].column.axis == c.axis) {
        target[i].used = false;
        coupled.push_back(labels[i]);
        break;
      }
  }
  // Two columns for one key would be added by nothing: refused, naming both.
  auto key_of = [](const Column& c) { return fmt::format("{}|{}|{}|{}|{}", static_cast<int>(c.kind), c.region, c.axis, c.side, c.coordinate); };
  for (size_t i = 1; i < labels.size(); ++i)
    for (size_t k = 1; k < i && target[i].used; ++k)
      if (target[k].used && key_of(target[k].column) == key_of(target[i].column)) {
        const Column& c = target[i].column;
        const std::string what = fmt::format("sets the same keyframe key as column {} ({})", k + 1, labels[k]);
        if (c.name_in_scenario) throw InputError(scenario_file, c.name_line, "motion.columns." + labels[i], what);
        if (target[k].column.name_in_scenario)  // the scenario's entry is the one to change
          throw InputError(scenario_file, target[k].column.name_line, "motion.columns." + labels[k],
                           fmt::format("sets the same keyframe key as column {} ({}, by the built-in OpenSim mapping)", i + 1, labels[i]));
        fail(header_line, fmt::format("{} (column {})", labels[i], i + 1), what + " by the built-in OpenSim mapping; map one of them to another key or ignore in motion.columns");
      }
  bool any_angle = false;
  for (size_t i = 1; i < labels.size(); ++i) any_angle = any_angle || (target[i].used && target[i].column.angle());
  if (any_angle && degrees_line == 0)
    fail(end_line, "inDegrees", "the header does not say whether the angles are in degrees or radians: add a line inDegrees=yes or inDegrees=no before endheader");

  Column time;
  time.kind = Column::Kind::kTime, time.name = labels[0], time.name_line = header_line, time.name_column = 1;
  columns.push_back(time);
  std::vector<size_t> source{0};
  for (size_t i = 1; i < labels.size(); ++i)
    if (target[i].used) {
      Column c = target[i].column;
      if (c.angle() && !in_degrees) c.factor *= 180 / M_PI, c.from_radians = true;
      c.relative = c.kind == Column::Kind::kPelvisPosition;
      columns.push_back(c);
      source.push_back(i);
    }
  if (std::string hand_field, problem = hand_problem(columns, hand_field); !problem.empty()) {
    int line = 0;  // only motion.columns maps to hands: name its first hand entry
    for (const Column& c : columns)
      if ((c.kind == Column::Kind::kHandLoad || c.kind == Column::Kind::kHandPosition) && line == 0) line = c.name_line;
    throw InputError(scenario_file, line, "motion.columns", hand_field + ": " + problem);
  }
  std::vector<std::string> ignored;
  for (size_t i = 1; i < labels.size(); ++i)
    if (!target[i].used && !target[i].explicitly_ignored && std::find(coupled.begin(), coupled.end(), labels[i]) == coupled.end())
      ignored.push_back(labels[i]);

  while (std::getline(in, text)) {
    ++line_no;
    const std::vector<std::string> cells = storage_cells(text);
    if (cells.empty()) continue;
    if (cells.size() != labels.size())
      fail(line_no, cells.size() < labels.size() ? labels[cells.size()] : "",
           fmt::format("{} values for the {} column names (line {}){}", cells.size(), labels.size(), header_line,
                       cells.size() < labels.size() ? ": this column and those after it have none" : ""));
    std::vector<double> row(columns.size());
    for (size_t j = 0; j < columns.size(); ++j) {
      const std::string& cell = cells[source[j]];
      const std::string field = fmt::format("{} (column {})", labels[source[j]], source[j] + 1);
      double v = 0;
      if (!parse_decimal(cell, v)) fail(line_no, field, "'" + cell + "' is not a number");
      if (!std::isfinite(v)) fail(line_no, field, "'" + cell + "' is not a finite number");
      row[j] = v;
      if (j == 0) note_time_decimals(cell, 1);
    }
    row_line.push_back(line_no);
    values.push_back(std::move(row));
  }
  // Radians under inDegrees=yes run as an almost still posture (audit24o #8: a hand-edited header):
  // said when every angle column stays within ±π and one moves by more than 3°-worth of radians.
  if (in_degrees && !values.empty()) {
    double largest = 0;
    bool any_angle_column = false, fractional = false;
    for (size_t j = 1; j < columns.size(); ++j) {
      if (!columns[j].angle()) continue;
      any_angle_column = true;
      for (const auto& row : values) {
        largest = std::max(largest, std::abs(row[j]));
        fractional = fractional || std::abs(row[j] - std::round(row[j])) > 1e-9;
      }
    }
    if (any_angle_column && fractional && largest > 0.05 && largest <= M_PI + 1e-9)
      warn_once(fmt::format("{}: the header says inDegrees=yes (line {}), but every angle column stays within ±π (largest |value| {:.3g}): "
                            "if these are radians, say inDegrees=no",
                            path, degrees_line, largest));
  }
  if (n_rows >= 0 && static_cast<size_t>(n_rows) != values.size())
    fail(rows_line, "nRows", fmt::format("says {} rows; the table (lines {} to {}) has {}", n_rows, header_line + 1, line_no, values.size()));
  if (values.size() < 2) fail(header_line, "", "a motion needs at least two rows (a held posture is two rows with the same values)");
  // OpenSim writes a trial's own times: read from its first row on.
  const double t0 = values[0][0];
  std::vector<double> first_row = values[0];
  for (auto& row : values) {
    row[0] -= t0;
    for (size_t j = 1; j < columns.size(); ++j) row[j] = (row[j] - (columns[j].relative ? first_row[j] : 0)) * columns[j].factor;
  }
  if (!ignored.empty() || !coupled.empty()) {
    std::string list, coupled_list;
    for (const auto& n : ignored) list += (list.empty() ? "" : ", ") + n;
    for (const auto& n : coupled) coupled_list += (coupled_list.empty() ? "" : ", ") + n;
    std::string msg = path + ": ";
    if (!ignored.empty())
      msg += fmt::format("{} OpenSim column{} with no paraspine mapping, ignored: {} (motion.columns maps a column to a keyframe key)",
                         ignored.size(), ignored.size() == 1 ? "" : "s", list);
    if (!coupled.empty())
      msg += std::string(ignored.empty() ? "" : "; ") + coupled_list +
             " ignored: the per-level shares of the lumbar coordinates read as the lumbar region (Christophy 2012's coupling)";
    warn_once(msg);
  }
}
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

bool is_opensim_storage(const std::string& text, const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (ext == ".mot" || ext == ".sto") return true;
  // The header is at the top: a CSV log of 288 000 rows is not scanned to its end.
  std::istringstream in(text);
  int n = 0;
  for (std::string line; n < 1000 && std::getline(in, line); ++n)
    if (trimmed(line) == "endheader") return true;
  return false;
}

std::vector<ScenarioKeyframe> read_motion_text(const std::string& csv, const std::string& path, double lowpass_hz,
                                               const std::string& scenario_file, int lowpass_line,
                                               const std::vector<MotionColumnMap>& mapping) {
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
  // The resolution the times are printed with (3 decimals: 1 ms; in milliseconds, 3 more), for the
  // spacing checks below.
  // Trailing zeros say nothing of the resolution: fixed-format writers (numpy "%.8f", pandas
  // float_format, spreadsheets) print millisecond times as 0.00800000, which counted as 8 decimals
  // and left a 120 Hz trial's rounded times uneven: L5-S1 3139 N against 1746 N (audit24o #1).
  auto note_time_decimals = [&](const std::string& cell, double to_seconds) {
    const size_t dot = cell.find('.'), e = cell.find_first_of("eE");
    size_t last = cell.size();
    if (dot != std::string::npos && e == std::string::npos)
      while (last > dot + 1 && cell[last - 1] == '0') --last;
    const int decimals = (dot == std::string::npos ? 0 : static_cast<int>(last - dot - 1)) + (to_seconds == 1 ? 0 : 3);
    if (e != std::string::npos) time_decimals = -1;  // scientific notation: resolution unknown
    else if (time_decimals >= 0) time_decimals = std::max(time_decimals, decimals);
  };
  const bool storage = is_opensim_storage(csv, path);
  if (!storage && !mapping.empty())
    throw InputError(scenario_file, mapping.front().line, "motion.columns." + mapping.front().column,
                     "maps the columns of an OpenSim storage file (.mot, .sto); a CSV motion file (" + path +
                         ") names keyframe keys in its header");
  if (storage) read_storage(in, path, scenario_file, mapping, columns, row_line, values, header_line, note_time_decimals);
  while (!storage && std::getline(in, text)) {
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
      for (const std::string& name : cells) {
        Column c;
        c.name = name;
        const std::string field = name.empty() ? fmt::format("column {}", columns.size() + 1) : name;
        if (name.empty()) fail(line_no, field, "has no name in the header");
        for (const Column& other : columns)
          if (other.name == name) fail(line_no, field, "is given twice");
        if (const std::string problem = parse_key(name, c); !problem.empty()) fail(line_no, field, problem);
        // Two names for one key (pelvis_deg.flexion and regions_deg.pelvis.flexion): one was dropped
        // without a word (audit25i #8), where a keyframe giving both is an error.
        for (const Column& other : columns)
          if (other.kind == c.kind && c.kind != Column::Kind::kTime && other.region == c.region && other.axis == c.axis &&
              other.side == c.side && other.coordinate == c.coordinate)
            fail(line_no, field, fmt::format("sets the same key as column {} ({}): give it once", other.name_column, other.name));
        if (c.kind == Column::Kind::kTime) {
          for (const Column& other : columns)
            if (other.kind == Column::Kind::kTime) fail(line_no, field, "is a second time column, after '" + other.name + "'");
        }
        c.name = name, c.name_line = line_no, c.name_column = static_cast<int>(columns.size()) + 1;
        columns.push_back(c);
      }
      if (std::none_of(columns.begin(), columns.end(), [](const Column& c) { return c.kind == Column::Kind::kTime; }))
        fail(line_no, "time", "the header has no 'time' column (seconds; also read: Time, time_s, time (s), time [s], time_ms, time (ms))");
      if (std::string hand_field, problem = hand_problem(columns, hand_field); !problem.empty()) fail(line_no, hand_field, problem);
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
        note_time_decimals(cells[i], columns[i].to_seconds);
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
  // The usual (median) step between rows: the gauge for a step that is off.
  const double usual = [&] {
    std::vector<double> steps;
    for (size_t i = 1; i < values.size(); ++i) steps.push_back(values[i][time_col] - values[i - 1][time_col]);
    std::nth_element(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2), steps.end());
    return steps[steps.size() / 2];
  }();
  // A row a sliver of time after the one before is a duplicated or mistimed sample, not motion: the
  // spline through it asks accelerations no body makes (audit25i #2: a row 1e-9 s after another wrote
  // NaN loads, 1e-6 s gave -7.8e11 N, each with exit 0). A sliver: under 0.1 ms (no motion capture
  // samples at 10 kHz) or under 0.1 % of the rows' usual step. Sparse, keyframe-like rows (0, 0.015,
  // 2, 4 s) are motion and pass (review25: a first rule, 1 % of the usual step, refused them).
  constexpr double kSliverS = 1e-4, kSliverOfUsual = 1e-3;
  for (size_t k = 1; k < values.size(); ++k) {
    const double dt = values[k][time_col] - values[k - 1][time_col];
    if (dt < kSliverS || dt < kSliverOfUsual * usual)
      fail(row_line[k], time_field,
           fmt::format("this row is {:g} s after the one before (line {}), {}: a duplicated or mistimed row; remove it or correct its time",
                       dt, row_line[k - 1],
                       dt < kSliverS ? std::string("under 0.1 ms") : fmt::format("under 0.1 % of the rows' usual step ({:g} s)", usual)));
  }
  // A cutoff below one cycle over the whole trial keeps nothing of the motion (a cutoff of 1e-20 Hz
  // gave an all-zero motion without a word: audit25i #9).
  if (lowpass_hz > 0 && lowpass_hz * values.back()[time_col] < 1)
    throw InputError(scenario_file, lowpass_line, "motion.lowpass_hz",
                     fmt::format("a cutoff of {:g} Hz is below one cycle over the whole motion ({:g} s, so at least {:g} Hz): it would "
                                 "filter the motion away; trunk kinematics are usually filtered at 4–6 Hz",
                                 lowpass_hz, values.back()[time_col], 1 / values.back()[time_col]));

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
    for (size_t k = 1; k < values.size(); ++k) {
      if (std::abs(values[k][time_col] - values[k - 1][time_col] - step) > tolerance ||
          (rounding > 0.01 * step && std::abs(values[k][time_col] - static_cast<double>(k) * step) > rounding)) {
        // The row named is the first whose step is off the usual (median) one: against the mean, a gap
        // of dropped rows made every regular step look uneven and the first row was named (audit24o #6).
        size_t at = k;  // the first step off the usual one, else this row
        for (size_t i = 1; i < values.size(); ++i)
          if (std::abs(values[i][time_col] - values[i - 1][time_col] - usual) > std::max(0.01 * usual, rounding)) {
            at = i;
            break;
          }
        // Not "(in FILE line N)": the cutoff may come from --lowpass-hz, whose line is only in the
        // rewritten text (audit24o #6).
        fail(row_line[at], time_field,
             fmt::format("rows are not evenly spaced in time (this step {:g} s, the usual {:g} s, the mean {:g} s): the low-pass "
                         "filter (motion.lowpass_hz, --lowpass-hz) filters evenly sampled data only; resample the motion or leave "
                         "the filter out",
                         values[at][time_col] - values[at - 1][time_col], usual, step));
      }
    }
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
      warn_once(fmt::format("{}: the times, given to {} (trailing zeros aside), are up to {:.0f} % off an even step of {:g} s, within their rounding: "
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
            fail(row_line[k], field,
                 fmt::format("{:g}° is more than a half turn (limit ±{:g}° per axis){}", v, kMaxPelvisAngleDeg,
                             c.from_radians ? fmt::format(" — the file's value {:g} was read as radians, as its header says inDegrees=no: "
                                                          "if the file holds degrees, say inDegrees=yes", v / c.factor)
                                            : ""));
          kf.angles.push_back({c.region, c.axis, v, row_line[k], field, c.name_line, c.name_column, c.name_in_scenario, c.builtin});
          break;
        case Column::Kind::kJointAngle:
          kf.joint_angles.push_back({c.region, c.axis, v, row_line[k], field, c.name_line, c.name_column, c.name_in_scenario, c.builtin});
          break;
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
    if (kf.pelvis_position.norm() > kMaxPelvisOffsetM) {
      // Named by the file's own columns, with the way out for a trial that walks (audit24o #11).
      std::string named;
      for (const Column& c : columns)
        if (c.kind == Column::Kind::kPelvisPosition) named += (named.empty() ? "" : ", ") + c.name;
      fail(row_line[k], named.empty() ? "pelvis_position" : named,
           fmt::format("the pelvis is {:.3f} m from where it stands, more than {:g} m: paraspine holds the body in place; for a "
                       "trial that walks or travels, leave the travel out (an OpenSim file: motion.columns {{pelvis_tx: ignore}}; "
                       "docs/scenarios.md, \"OpenSim motion files\")",
                       kf.pelvis_position.norm(), kMaxPelvisOffsetM));
    }
  }
  return keyframes;
}

}  // namespace paraspine
