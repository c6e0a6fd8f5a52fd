#pragma once
// Motion files: kinematics measured or computed elsewhere (motion capture, inertial sensors, another
// model's inverse kinematics) given to a scenario as a CSV table, one keyframe per row, instead of a
// hand-written `keyframes:` list (docs/scenarios.md, "Motion files").
//
// The header names the columns with the keyframe keys of the scenario format, as `--set` writes them
// inside a keyframe: `time` (s, required), `pelvis_deg.flexion`, `regions_deg.lumbar.flexion`,
// `joints_deg.L5-S1.axial_rotation`, `pelvis_position[1]` (m), `hands.both.load_kg`,
// `hands.right.position[0]` (m; a hand with position columns holds that point in every row, else it
// hangs). Lines starting with '#' and blank lines are skipped. Every problem is an InputError naming
// the CSV file, its line and the column.
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace paraspine {

// One entry of a scenario's `motion: {columns: {COLUMN: TARGET}}`: an OpenSim storage file's column
// read as a keyframe key, TARGET "[-][FACTOR*]KEY" ("-regions_deg.lumbar.flexion",
// "0.5*joints_deg.L4-L5.flexion") or "ignore" (docs/scenarios.md, "OpenSim motion files").
struct MotionColumnMap {
  std::string column, target;
  int line = 0;  // in the scenario file
};

// Whether a motion file is an OpenSim storage file (.mot, .sto; or any name whose text has a line
// "endheader"), rather than a CSV table.
bool is_opensim_storage(const std::string& text, const std::string& path);

// Reads a motion file's text (motion_file_text; a results file keeps it, so pictures rebuild the run
// without the CSV) into keyframes (each keyframe's `file` is `path`, its lines the CSV's). With
// lowpass_hz > 0 every angle and position column is low-pass filtered first (lowpass_zero_lag; the
// rows must then be evenly spaced in time). `scenario_file` and `lowpass_line` say where the
// scenario gave the filter, for its errors ("motion.lowpass_hz"). An OpenSim storage file
// (is_opensim_storage) has its coordinates mapped to keyframe keys by `columns` (errors about an
// entry name `scenario_file` and its line) and by the built-in mapping of widely used OpenSim
// models' coordinate names; its other columns are ignored with one note naming them.
std::vector<ScenarioKeyframe> read_motion_text(const std::string& text, const std::string& path, double lowpass_hz,
                                               const std::string& scenario_file, int lowpass_line,
                                               const std::vector<MotionColumnMap>& columns = {});
// Whether a column heading is the time column as the reader takes it: "time" in any case, bare or
// with a unit ("time_s", "Time (s)", "time [ms]", ...; one with an unknown unit is a time column the
// reader refuses by name). Python uses it to find a DataFrame's time in its index.
bool is_time_column(const std::string& name);
// The text of the motion file at `path` (InputError naming it when it cannot be read).
std::string motion_file_text(const std::string& path);

// Zero-lag low-pass filter of samples x taken at sample_hz: a second-order Butterworth filter run
// forward and then backward (fourth order, no phase shift), its cutoff corrected for the double pass
// so that the result is 3 dB down at cutoff_hz (Winter 2009, Biomechanics and Motor Control of Human
// Movement, 4th ed., §3.4.4; the correction 0.802 = (√2 − 1)^¼ is derived in the .cpp). The ends are
// padded by odd reflection so that they do not ring. Needs 0 < cutoff_hz < sample_hz / 2.
void lowpass_zero_lag(std::vector<double>& x, double sample_hz, double cutoff_hz);

}  // namespace paraspine
