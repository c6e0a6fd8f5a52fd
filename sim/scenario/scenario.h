#pragma once
// Scenarios: what is asked of the body over time. A scenario names a model, a subject, a criterion
// and an output rate, and a cycle of keyframes — postures (pelvis and regional angles, degrees at
// this edge; per-level angles may be added on top), hand positions and hand loads — repeated with rests. Format: docs/scenarios.md.
//
// parse_scenario checks the file itself (unknown keys, types, finiteness, increasing times) and
// keeps the line of every value; bind_scenario checks it against a model (region names, joint
// ranges, hands within reach, loads a person can hold) and builds the timeline. Every error is an
// InputError naming the file, the line and the field.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "sim/common/error.h"
#include "sim/kinematics/posture.h"
#include "sim/kinematics/timeline.h"
#include "sim/model/model.h"
#include "sim/model/subject.h"

namespace paraspine {

struct ScenarioAngle {
  std::string region, axis;  // region "pelvis" or one of the model's regions
  double degrees = 0;
  int line = 0;
  std::string field;
  // Where the region or joint was named, when not at `line`: a motion file's header (name_line, and
  // name_column its 1-based column), or for an OpenSim column mapped by the scenario's
  // motion.columns the scenario's line (name_in_scenario). A name the model lacks is an error there,
  // except for a built-in OpenSim mapping (builtin), whose name is dropped with a note.
  int name_line = 0;
  int name_column = 0;
  bool name_in_scenario = false;
  bool builtin = false;
};

struct ScenarioHand {
  bool hanging = true;            // the arm hangs; position ignored
  Vec3 position = Vec3::Zero();   // m, from the pelvis origin in relaxed standing: forward, up, right
  double load_kg = 0;             // held from this keyframe to the next
  int line = 0;
  std::string field;
  std::string file;  // the file `line` is in when not its keyframe's (motion.hands: the scenario, rows from the motion file)
};

// A point force on a named segment (docs/scenarios.md, "External forces"). Its value is either a
// force (N, or multiples of the subject's body weight) or, for a `balance` support, the magnitude
// that balances the whole body about an axis through another support; keyframes may change the
// force (or, for balance, the lower body's centre of mass) and values are interpolated like postures.
struct ScenarioForce {
  // kMagnitude: magnitude_N (value.x(), N) along the unit vector from a body point (direction_from)
  // to where the force acts.
  enum class Kind { kNewton, kBodyWeight, kBalance, kMagnitude };
  std::string name, segment;
  Kind kind = Kind::kNewton;
  Vec3 point = Vec3::Zero();      // m, in the segment frame (point_in_world = false) or world
  bool point_in_world = false;
  // point_frame: hands — the force acts at the hands as they move (no segment, no point): on
  // hands[0] (right) and/or hands[1] (left), half on each when both, and the arms carry it to the
  // shoulder girdle as they carry a hand load (Data::Hand::force).
  bool at_hands = false;
  std::array<bool, 2> hands = {true, true};
  // direction_from (kMagnitude): the body point the force points away from (towards the point
  // where it acts), `direction_point` m in `direction_segment`'s frame.
  std::string direction_segment;
  Vec3 direction_point = Vec3::Zero();
  int direction_line = 0;
  bool force_in_segment_frame = false;  // components in the segment's axes, else world
  // carried_by: rib_cage — the force's wrench goes to the rib cage's costovertebral joints (both
  // sides) by the elastic bolt-group rule, as the arms' (docs/model.md §4), instead of all to `segment`
  // (a backpack's straps and back panel). The point still moves with `segment`.
  bool carried_by_rib_cage = false;
  int carried_by_line = 0;
  Vec3 value = Vec3::Zero();      // N, body weights, or (balance) the lower body's CoM, world m
  Vec3 direction = Vec3::UnitY(); // balance: direction of the support force
  Vec3 pivot = Vec3::Zero(), axis = Vec3::UnitZ();  // balance: the axis the body balances about
  double share = 1;               // balance: the part of the balancing force this support takes
  int line = 0, segment_line = 0;
  std::string field;
};

struct ScenarioKeyframeForce {
  int force = -1;  // index into Scenario::forces
  std::optional<Vec3> value;
  std::optional<double> share;
  int line = 0;
};

struct ScenarioKeyframe {
  double time = 0;  // s within the cycle
  std::string label;  // what the keyframe is ("neck 60 deg", "impact"); pictures put it in the title
  std::vector<ScenarioAngle> angles;
  // Per-level angles (joints_deg), `region` holding the joint's name ("T1-T2"): added to what the
  // rhythm gives that level from the regions' angles (docs/scenarios.md, "Per-level angles").
  std::vector<ScenarioAngle> joint_angles;
  Vec3 pelvis_position = Vec3::Zero();  // m, relative to relaxed standing: forward, up, right
  std::array<ScenarioHand, 2> hands;  // right, left
  std::vector<ScenarioKeyframeForce> forces;   // changed force values from this keyframe on
  std::optional<std::vector<std::string>> resting;  // segments (or arm_right/arm_left) the floor
  int resting_line = 0;                             //   carries from this keyframe to the next
  int line = 0;
  std::string file;  // where the keyframe was written when not in the scenario file: a motion file
};

// Fatigue parameters the scenario sets for all muscles and per group (over the model's values).
struct ScenarioFatigue {
  struct Values {
    std::optional<double> F, R, r;
    int line = 0;
  };
  Values all;
  std::vector<std::pair<std::string, Values>> groups;  // in file order
};

// Limits every scenario's timing stays within, checked at load time with the field named: a week of
// simulated time (a shift is 8 h; the longest bundled scenario 1 h) and 1e8 output frames (a week at
// 150 Hz; 28 h at 1000 Hz). Beyond them a run takes days and its frame count overflows.
constexpr double kMaxScenarioDurationS = 7 * 24 * 3600.0;
constexpr double kMaxScenarioFrames = 1e8;
// The pelvis angles (pelvis_deg, regions_deg.pelvis) turn the whole body: a half turn either way per
// axis reaches every orientation, so more is an input error (docs/scenarios.md, "Keyframes").
constexpr double kMaxPelvisAngleDeg = 180;
// pelvis_position: where the pelvis is relative to relaxed standing; a squat lowers it by tenths of
// a metre, so more than a metre away is a unit or typing error.
constexpr double kMaxPelvisOffsetM = 1.0;
// load_kg per hand: the heaviest single-hand holds in the literature are a few tens of kg; 60 kg in
// one hand is beyond any person and almost surely a unit or typing error.
constexpr double kMaxHandLoadKg = 60;
// Faster than people move their trunk: the mean speed between two keyframes of any prescribed angle
// above it draws a warning (not an error). [V] The fastest published trunk segment speed found:
// collegiate baseball pitchers' peak upper-torso rotation 1273 ± 142 °/s (Kageyama et al. 2015,
// J Sports Sci Med 14:246, Table 3; pelvis 714 ± 71 °/s, trunk twist 871 ± 150 °/s). [D] 1500 °/s
// is above their mean + 1.5 SD; a mean speed between keyframes is a lower bound on the peak.
constexpr double kFastestTrunkDegPerS = 1500;
// The floor in the scenario's frame. [D] The bundled models' reference subject (1.716 m) is MF-TL's
// standing pelvis height, pelvis_ty 0.93 m, plus the trunk and head above the pelvis origin (their
// reference_subject.height source): its floor is 0.93 m below the pelvis origin, and as the model is
// scaled with the subject's height, so is that distance. A model whose reference height is another
// says nothing of where its floor is, and the reach error then gives none.
constexpr double kStandingPelvisHeightM = 0.93;
constexpr double kFloorReferenceHeightM = 1.716;
// A hand this far (m) from its shoulder, several arm lengths, is a unit slip (centimetres typed for
// metres: [45, -60, 18] is 77 m away), which the reach error says.
constexpr double kUnitSlipReachM = 3;
// Every non-zero keyframe angle below this magnitude (degrees), two of them fractional, draws a
// warning that the angles look like radians (parse_scenario; π rounded up: any radian angle is below it).
constexpr double kRadianLikeDeg = 3.2;
struct Scenario {
  std::string name, description, file, text;
  std::string note;  // appended to error messages about the file, e.g. " (with --set)"
  std::string model = "full_spine";
  int model_line = 0;  // the line of `model:` in the file (0 when the file does not name one)
  // The model the file was written for (its `model:`, resolved as `model`), kept when a run uses
  // another (--model): region angles and joints that model moves but the run's model lumps into a
  // rigid segment are carried over by that model's rhythm where the run's model has the joint, else
  // dropped with a warning (docs/scenarios.md, "Running on another model").
  std::string written_for_model = "full_spine";
  // `positions`: "scaled" (default) — every length the file gives (hand positions, pelvis_position,
  // external-force points, direction_from points, balance pivots and lower-body centres of mass) is
  // written for the model file's reference subject and multiplied by the model's length_scale (subject
  // height / reference height), about the world origin (the pelvis origin in relaxed standing), as
  // scale_model scales the body; "absolute": taken as written, whatever the subject.
  std::string positions = "scaled";
  int positions_line = 0;
  std::optional<Subject> subject;
  std::string criterion = "activation2";
  // Load sharing's equilibrium tolerance, relative: a solve has converged when every rotation's
  // moment balance is within solver_tolerance · max(1 N·m, the largest moment the muscles and reserves
  // must carry: net moment less the passive tissues' and the abdominal pressure's, b in qp.h)
  // (QpSettings::tolerance, docs/loadsharing.md "The solver"). 1e-10 is the engine's own default.
  double solver_tolerance = 1e-10;
  bool abdominal_pressure = true;  // use the model's intra-abdominal pressure, if it has one
  double output_rate_hz = 50;
  bool output_rate_given = false;  // the file (or --set) names output_rate_hz; false: the default
  std::vector<ScenarioKeyframe> keyframes;  // one cycle (from `keyframes:`, or a motion file's rows)
  std::string motion_file;                  // `motion: {file}` resolved, empty without one
  std::string motion_text;                  // that file's text as read (results files keep it)
  std::vector<ScenarioForce> forces;        // external point forces on segments
  int repetitions = 1;
  double rest_s = 0;                        // between repetitions: first posture, hands empty
  int break_every = 0;                      // after every n-th repetition the rest lasts break_s
  double break_s = 0;                       //   instead (micro-breaks); 0 = no breaks
  // What the body does in the breaks: "standing" (the first keyframe's posture, the muscles hold
  // it, as in rests) or "supported" (leaning on a support — a wall, a sit-stand stool, a chair
  // back — that carries the trunk's moments; the spine still carries the weight above each level,
  // and the trunk muscles have nothing to hold).
  std::string break_posture = "standing";
  ScenarioFatigue fatigue;
  double cycle_s() const { return keyframes.back().time; }
  // Rests between repetitions that are breaks (after repetitions n, 2n, ... but not the last).
  long breaks() const { return break_every > 0 ? (repetitions - 1) / break_every : 0; }
  double duration_s() const {
    return repetitions * cycle_s() + (repetitions - 1 - breaks()) * rest_s + breaks() * break_s;
  }
};

// Where time t (s from the start) falls: which repetition, the time inside its cycle of length
// `cycle`, and whether t is in the rest (or break) after that cycle.
struct CyclePosition {
  long repetition = 0;
  double time_in_cycle = 0;
  bool resting = false;
  bool on_break = false;  // resting, and the rest is a break (break_every / break_s)
};
CyclePosition cycle_position(const Scenario& s, double cycle, double t);
// The same for output frame f of a run at step dt (t = f·dt). Where the repetition period (and the
// block of a break) is a whole number of frames, the repetition and the time in the cycle come from
// integer frame counts: the time in the cycle is fl(k·dt) for the frame's index k in its cycle, the
// same bits in every repetition (fl(f·dt) − rep·period carries the rounding of f·dt, up to 1.8e-12 s
// at 8 h, so repeated postures differed in the last bits). Otherwise as cycle_position(s, cycle, f·dt).
CyclePosition cycle_position_of_frame(const Scenario& s, double cycle, long f, double dt);

// The output frames of a run of `s`: t = f·dt on the rate's grid (dt = 1 / output_rate_hz) and, when
// the rate does not divide the duration (to 1e-9 of a frame), one more frame at the exact end, so the
// final instant (the last keyframe) is always simulated; the step into that frame is the shorter
// rest of the grid. The fatigue and creep step of frame f is step_into(f).
struct FrameClock {
  double dt = 0, duration = 0;  // s
  long frames = 0;
  bool end_frame = false;  // the last frame is off the grid, at `duration`
  explicit FrameClock(const Scenario& s);
  bool is_end_frame(long f) const { return end_frame && f == frames - 1; }
  double time(long f) const { return is_end_frame(f) ? duration : static_cast<double>(f) * dt; }
  // The interval frame f's activation and posture are carried over by fatigue and creep: a whole step,
  // except the end frame's, which is the shorter remainder after the last grid frame (frame k stands
  // for (t_{k-1}, t_k], docs/fatigue.md; frame 0 for one step before t = 0).
  double step_into(long f) const { return is_end_frame(f) ? duration - static_cast<double>(f - 1) * dt : dt; }
};

// The reach error's text for hand h (0 right, 1 left) of a keyframe, `distance` (m) from its shoulder
// (world, m) beyond an arm of `arm_length`: which hand (under hands.both the left is the mirror of the
// given position), the shoulder and the nearest point within reach towards the hand in the file's
// frame and units (lengths divided by `ls`, positions: scaled), the frame, and the floor when the
// model's reference subject gives it (kStandingPelvisHeightM).
std::string reach_problem(const Model& m, const ScenarioHand& hand, size_t h, const Vec3& shoulder, double distance, double arm_length,
                          double ls);

// What is wrong with a posture for this model, or "" when every level stays within twice its in
// vitro range of motion (the rule bind_scenario applies to every keyframe; the reason is there).
// The message names the joint, the rotation, its angle and the range, in degrees.
// `dof` (optional) receives the rotation beyond its range (-1 when none).
std::string posture_range_problem(const Model& m, const Posture& p, int* dof = nullptr);

// "" when every prescribed angle (pelvis_deg, regions_deg, joints_deg; an angle a keyframe does not
// give is 0) changes between consecutive keyframes at a mean speed within kFastestTrunkDegPerS, else
// a FILE:LINE: FIELD message naming the fastest change (bind_scenario prints it as a warning: such a
// motion still runs, and its inertial loads and reserves are what that speed asks).
std::string implausible_speed(const Scenario& s);

// The file of the model named `name` (a bundled name or a path), or an InputError at FILE:LINE:
// FIELD when there is none, listing the bundled models (the loader's own message names only the
// name, not where it was written).
std::string resolve_model_name(const std::string& name, const std::string& file, int line, const std::string& field);

// Loads a scenario file, or a bundled one by name ("rounded_back_lift" → scenarios/…yaml).
// The text of a scenario by name or path, unparsed (`path` set to the file read): a template whose
// motion file --motion replaces is read without checking the file it names (review25 B9).
std::string load_scenario_text(const std::string& name_or_path, std::string& path);
Scenario load_scenario(const std::string& name_or_path);
Scenario parse_scenario(const std::string& text, const std::string& file);
// The same, with `note` appended to every error message (" (with --set)": the text is the file's with
// overrides applied) so that FILE:LINE stays parseable by editors.
Scenario parse_scenario_noted(const std::string& text, const std::string& file, const std::string& note);
// The line of the scenario's first length (a pelvis translation, a held hand's position, a force's
// point, a balance or magnitude force: what `positions: scaled` scales), 0 when it gives none; `file`
// (optional) gets the file that line is in (a motion file's, for its rows).
int first_position_line(const Scenario& s, std::string* file = nullptr);
// rethrow_cutoff_as_option: when `e` is about motion.lowpass_hz and the cutoff came from an option
// (`option`, e.g. "--lowpass-hz", with lowpass_hz > 0, appended to the text by with_motion_file), throws
// it again as that option's error naming the motion file whose rate sets the limit; otherwise returns.
void rethrow_cutoff_as_option(const InputError& e, double lowpass_hz, const std::string& option, const std::string& motion);
// The same with the motion file's text given (a results file's `motion_text`): `motion.file` is then
// not looked up, and errors about the motion name it as `motion_source`.
Scenario parse_scenario_with_motion(const std::string& text, const std::string& file, const std::string& motion_text,
                                    const std::string& motion_source);
std::string resolve_scenario_path(const std::string& name_or_path);

// Applies command-line overrides "PATH=VALUE" to the scenario text before parsing, PATH in dots and
// brackets: "subject.body_mass=70", "keyframes[2].hands.both.load_kg=12.5", "repetitions=10".
// As sweep_axis_paths, an index list sets each index ("keyframes[2,3].hands.both.load_kg=5"); a list
// value sets a list the file writes, element by element, with as many values ("…position=[0.4,-0.5,0.2]").
// The path must exist (overrides change values, they do not add keys); throws InputError naming
// the override otherwise. Returns the new text.
std::string apply_overrides(const std::string& text, const std::string& file,
                            const std::vector<std::string>& overrides, const std::string& option = "--set");

// The scenario text with its keyframes (or motion) replaced by a motion named `motion_file`: the
// `keyframes:` / `motion:` entry's lines become blank (the first says `option` replaced it), so every
// other line keeps its number for errors, and `motion: {file: MOTION_FILE, lowpass_hz: HZ}` (no filter
// when lowpass_hz is 0) is added as a top-level line. The name is written as given and not looked up
// (Python's with_motion parses the result with the motion's text, parse_scenario_with_motion).
// A `motion.columns` mapping of the scenario is kept (in that line) when `motion_file` is an OpenSim
// storage file by its extension (.mot, .sto).
// InputError for a scenario written as one flow mapping or a cutoff that is not a number ≥ 0.
std::string with_motion_entry(const std::string& text, const std::string& file, const std::string& motion_file, double lowpass_hz,
                              const std::string& option);
// The same for `run --motion FILE`: the file must exist (InputError naming `option` otherwise) and
// is written as its absolute path, so the text finds it from any working directory.
std::string with_motion_file(const std::string& text, const std::string& file, const std::string& motion_path, double lowpass_hz,
                             const std::string& option = "--motion");

// The scenario paths one sweep axis sets: an index list in brackets names several at once, every one
// set to the axis's value ("keyframes[2,3].hands.both.load_kg" → keyframes[2]... and keyframes[3]...;
// two lists give every combination). A path without a list is itself. Throws InputError naming
// `option` and the path for an empty index in a list ("[2,]").
std::vector<std::string> sweep_axis_paths(const std::string& path, const std::string& option = "--vary");

// A path given both to the overrides applied before a sweep (`sets`, "PATH=VALUE": --set, overrides=)
// and to one of its axes (`axis_paths`, expanded by sweep_axis_paths): every grid point's value would
// replace the override silently. Throws InputError naming `set_option` and the path.
void check_not_set_and_varied(const std::vector<std::string>& sets, const std::vector<std::string>& axis_paths,
                              const std::string& set_option, const std::string& vary_option);

// One axis of a sweep (`paraspine sweep --vary PATH=...`, paraspine.sweep's vary=): numbers, or words
// for a value that is one (subject.sex=male,female; criterion=activation2,minmax). A population study
// crosses sex with percentile in one grid (audit24s #3: one sweep per sex, concatenated by hand).
struct SweepAxis {
  std::string path;
  std::vector<double> values;       // the numbers; a categorical axis: 0, 1, ... (its labels' indices)
  std::vector<std::string> labels{};  // a categorical axis's words, in the order given; empty for numbers
  bool categorical() const { return !labels.empty(); }
  // Value k as a grid point runs it: the label, or the shortest text that reads back as the number.
  std::string text(size_t k) const;
};

// Checks a sweep's axes before any grid point runs: no path varied twice, every subject value in range
// (subject.sex: male or female), every scenario value accepted by the parser (as run_sweep writes it).
// Throws InputError naming `option` and the path, or the scenario file's line for a value the file
// format refuses.
void check_sweep_axes(const Scenario& base, const std::vector<SweepAxis>& axes, const std::string& option);

// A scenario checked against a model, ready to sample.
struct BoundScenario {
  // Posture keys the model lacks but the scenario's own model moves (its levels are rigid in this
  // model), dropped: "head", "thoracic at T11-T12, ...", "joints_deg T1-T2" (bind_scenario warns once).
  std::vector<std::string> dropped;
  double length_scale = 1;  // what the scenario's lengths were multiplied by (positions: scaled)
  std::vector<double> times;
  std::vector<Posture> postures;
  PostureTimeline timeline;
  std::array<std::array<ShapePreservingSpline, 3>, 2> hand_position;  // per hand, per coordinate
  std::vector<std::array<double, 2>> hand_load;                       // per keyframe, per hand
  std::vector<std::array<bool, 2>> hand_hanging;
  // External forces: per force, its value per coordinate over the cycle; per keyframe, the resting
  // segments (index ≥ 0) and supported arms (−1 − arm index).
  struct Force {
    ScenarioForce spec;
    int segment = -1;            // -1 for a force at the hands
    int direction_segment = -1;  // kMagnitude: the segment of direction_from
    std::array<ShapePreservingSpline, 3> value;
    ShapePreservingSpline share;
  };
  std::vector<Force> forces;
  std::vector<std::vector<int>> resting;
  double lower_body_mass = 0;  // kg, the subject's mass the model does not carry (balance supports)
};

// Sets the scenario's external loads for cycle time t into d: resting segments and supported arms
// of the keyframe t falls in, then the given forces, then the balance supports (each computed from
// the loads before any balance support, times its share). Needs forward_kinematics and the hands set first. When `resting_phase` (the
// rest between repetitions) the first keyframe's values apply.
// `balance` (optional, one per force) receives each balance support's magnitude (N; NaN when it has
// no moment arm, < 0 when it would have to pull).
// `applied` (optional) receives every load it added, one entry each (pictures draw them); a force at
// both hands is one entry at their midpoint when they are within 8 cm of each other (one grip, as
// pictures group them), else one entry per hand, each its part at its hand, both named as the force.
struct AppliedScenarioForce {
  std::string name;         // the force's name, or the resting segment's
  Vec3 point = Vec3::Zero(), force = Vec3::Zero();  // world, m and N
  bool support = false;     // a balance support or a resting segment's support (pushes on the body)
  bool resting = false;     // a resting segment's weight carried by the floor
};
void apply_scenario_loads(const Model& m, const BoundScenario& b, double t, bool resting_phase, Data& d,
                          std::vector<double>* balance = nullptr, std::vector<AppliedScenarioForce>* applied = nullptr);
BoundScenario bind_scenario(const Scenario& s, const Model& m);
// A direction_from force (kMagnitude): the smallest distance (m) between its body point and the points
// it acts at (each hand it acts on, or its point), in d's posture and hands (after forward kinematics).
// Below 1e-9 m the force has no direction and apply_scenario_loads applies none.
double scenario_force_direction_gap(const Model& m, const BoundScenario::Force& f, const Data& d);

// Each fascicle's fatigue parameters: the model's (already scaled to the subject), then the
// scenario's values for all muscles, then its values per group. An unknown group is an InputError.
std::vector<FatigueParameters> scenario_fatigue_parameters(const Scenario& s, const Model& m);

}  // namespace paraspine
