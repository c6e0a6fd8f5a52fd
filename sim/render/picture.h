#pragma once
// Pictures of a results file: the spine, head and pelvis in their posture, every muscle fascicle
// along its path coloured by activation, force or fatigue (colour bar, legend), hand loads as
// arrows, and beside them the compression at every level with the NIOSH action limit. Drawn with
// Cairo to SVG, PNG or PDF; the same drawing feeds animations (animate.h) and reports (report.h).
//
// The posture is not stored as pictures but recomputed: the model named in the file, scaled to the
// stored subject, is put at the stored joint angles (pelvis pose and hand loads from the stored
// scenario text), then forward_kinematics and muscle_geometry place bones and paths.
#include <cairo.h>

#include <cmath>
#include <memory>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/model/data.h"
#include "sim/model/model.h"
#include "sim/render/results_series.h"
#include "sim/render/scene.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/load_limits.h"

namespace paraspine {

enum class View { kSagittal, kFrontal, kTop, kOblique };
enum class ColorBy { kActivation, kForce, kFatigue };
View parse_view(const std::string& s);        // sagittal | frontal | top | oblique
ColorBy parse_color_by(const std::string& s);  // activation | force | fatigue
const char* view_name(View v);
const char* color_by_name(ColorBy c);
// The picture's view caption: the cameras are fixed to the world (gravity down), and the caption
// says from which side of the body the view looks and where the subject's anterior (frontal: right
// side) points on the screen, from the pelvis' world axes at the instant (columns anterior,
// superior, right). A standing body: "sagittal view, from the right (anterior to the right)".
std::string view_caption(View v, const Mat3& pelvis, const Vec3& world_up);
// The view a picture takes when none is asked for: sagittal, or frontal when the sagittal view
// would look along the body (within 45° of the pelvis' superior axis: a side plank).
View view_for_body(const Mat3& pelvis);

// The part of the body a picture frames (--region): the whole body, or the bones of one region and
// the discs that touch them, cropped to their box over the drawn instant (an animation: over its
// span, one camera) plus a margin (docs/render.md, "Regions"):
//   lumbar   — the pelvis, L5 … L1 and the discs L5-S1 … T12-L1;
//   thoracic — T12 … T1 and the discs T12-L1 … C7-T1;
//   neck     — C7 … C1, the head and the discs C7-T1 … C1-C2.
// Segments are told by their names (L1, T12, C7, head, pelvis), as the vertebra labels are.
enum class Region { kWhole, kLumbar, kThoracic, kNeck };
// whole | lumbar | thoracic | neck; throws InputError naming `option` and listing the valid names.
Region parse_region(const std::string& s, const std::string& option = "--region");
const char* region_name(Region r);
// "whole, lumbar, thoracic, neck": the names parse_region takes.
std::string region_names();

struct PictureOptions {
  View view = View::kSagittal;
  ColorBy color = ColorBy::kActivation;
  bool chart = true;   // the compression bar chart beside the body
  bool legend = true;     // symbols, and the most active muscle groups at this instant
  double color_max = 0;   // value at the top of the colour bar; 0 = activation 1, force and fatigue the run's maximum
  double font_scale = 1;  // text larger than the default (size / 55) when the picture is shown small
  bool fixed_frame = false;  // scale and centre fixed over the whole run (animations) instead of fitted to the instant
  // At most this many pixels per metre of body (0: as fitted). The report gives every column of a
  // row the smallest of their fitted scales, so the same load draws the same arrow length in each
  // (audit23t #4: a stoop and a squat were drawn at 21 and 18 px per kN).
  double max_px_per_m = 0;
  bool timeline = false;     // a bar under the title showing where the instant lies in the run (animations)
  bool compact = false;      // film strips: title "t = …" only, no subtitle, no colour bar (chart and legend as set)
  bool joint_forces = false;  // arrows at the discs: the load from the body above, compression and shear (docs/render.md)
  Region region = Region::kWhole;  // the part of the body framed (the joint-load arrows: that region's discs)
  // The discs whose joint-load arrows are drawn, when chosen (render --joints): joint indices; empty:
  // chosen on the screen so arrows and labels stay clear of each other (joint_load_levels).
  std::vector<int> joint_force_levels;
  // A region's camera in an animation (fixed_frame): fitted over the frames of this span of the run, s
  // (default: the whole run). Pictures of the whole body keep the run-wide camera they had.
  double span_start = -INFINITY, span_end = INFINITY;
  // Fascicles drawn as usual when `highlight` is set (one flag per muscle, from highlight_muscles);
  // the others faint, thin and grey, so a few groups stand out among the 678 (audit25t D2). Empty:
  // every fascicle as usual. `highlight_label` names the selection in the legend.
  std::vector<bool> highlight;
  std::string highlight_label;
};

// The muscles `items` name (muscle groups, e.g. "longissimus", or single fascicles, e.g.
// "LTpL_L5_r"; a group takes both sides) as PictureOptions::highlight flags, and the legend's label
// ("iliocostalis, longissimus, spinalis"). Throws InputError (field `option`) for an unknown name,
// listing the model's groups.
std::pair<std::vector<bool>, std::string> highlight_muscles(const Model& model, const std::vector<std::string>& items,
                                                            const std::string& option);

// One instant of a results file.
struct FrameValues {
  long frame = 0;
  double time = 0;
  Eigen::VectorXd q, activation, force, fatigued, compression;
  Eigen::VectorXd shear_ap, shear_lateral;  // /joints/shear_ap, /joints/shear_lateral, N (empty when not stored)
  Eigen::VectorXd reserve;  // /joints/reserve_moment, J × 3 row-major (empty when not stored)
};

// NIOSH action limit for compression: 3400 N, the compression criterion of the revised lifting
// equation (Waters et al. 1993, Ergonomics 36:749), set for the lumbosacral (L5/S1) disc
// (sim/simulate/load_limits.h, with the other limits).
inline constexpr double kNioshActionLimit = kCompressionActionLimitN;

// Whether a level's compression is "above the action limit" as the pictures and the report mark it:
// above 3400 N at a lumbar level (a joint named L…: L5-S1 … L1-L2). The limit was set for L5/S1 and is
// read for the lumbar discs [R: 3DSSPP compares its L4/L5 compression with the same 3400 N]; a
// thoracic level above it (golf's T7-T8, 3.9 kN) is not over a limit the source does not give.
bool above_action_limit(const std::string& joint, double compression_N);

// The compression chart: where a level's value, written after its bar (text_w wide), starts: after
// the bar, and past every vertical line in `lines` (its peak tick) that would cross the number
// (device units).
double chart_value_x(double bar_end, double text_w, double fs, std::vector<double> lines);

// The picture's base font size, device units: min(w, h) / 55 × font_scale, at least 12 (legend
// and chart text scale from it).
double base_font_size(double w, double h, const PictureOptions& o);

// Moments the reserve actuators carry at one instant (the moment the muscles cannot), per joint: the
// largest of its three rotations when at least kShownReserveNm, largest first, with the rotation
// named as the summary does ("extension", "left lateral bending", …).
constexpr double kShownReserveNm = kNotableReserveNm;  // load_limits.h: the summary counts the same frames
struct ShownReserve {
  int joint = -1;
  double moment = 0;   // N m, magnitude
  std::string rotation;
};
std::vector<ShownReserve> shown_reserves(const Eigen::Ref<const Eigen::VectorXd>& reserve);
// Whether reserves carry moment at an instant (J × 3 reserve moments; shown_reserves not empty): every
// compression is then a lower bound, as the run's table marks it (audit23t #7).
bool reserves_act(const Eigen::Ref<const Eigen::VectorXd>& reserve);
// A level's value as the compression chart writes it: whole newtons, "≥" first for a lower bound.
std::string chart_value_text(double compression_N, bool lower_bound);
// A shear arrow's label: its level and magnitude, "T10-T11 741 N" in the shear's violet (audit23t #5:
// "741 N" alone was read as a lumbar disc's).
std::string shear_label(const std::string& joint, double shear_ap_N, double shear_lateral_N);

// The arrows a picture draws for the loads on the body at one instant (world coordinates): one per
// group of hands within 8 cm of each other (what they hold, plus any given force acting there, so
// the label is the resultant), and one per other external force of the scenario (a backpack, a
// balance support, the floor under resting segments). Loads start at their point; supports push on
// the body and end at it. Length grows with the force (1.2 mm/N to 100 N, logarithmic beyond).
// `g` = |gravity|, m/s².
struct ForceArrow {
  Vec3 at = Vec3::Zero(), force = Vec3::Zero();  // point of application (world, m), force (N)
  Vec3 tail = Vec3::Zero(), tip = Vec3::Zero();  // the arrow, world
  bool hand = false, support = false;
  int hands = 0;        // hand arrows: hands in the group
  double load_kg = 0;   // hand arrows: mass held by the group
  std::string label;    // "7.5 kg (74 N)", "323 N at the hands: club_pull 320 N + 2 × 0.15 kg", "backpack 117 N"
};
std::vector<ForceArrow> force_arrows(const Scene& s, double g);

// Joint loads on the body (--joint-forces): at a disc, the force the body above puts on it, from the
// file's compression and shears at the instant, resolved in the disc frame the run used
// (SceneBone::disc_frame: anterior a, normal n, right r): load = −C n + S_ap a + S_lat r, with C
// compression (+ pressed together), S_ap anterior shear (+ the load pushes the superior vertebra
// forward), S_lat lateral shear (+ to the right), as /joints/* in docs/hdf5-schema.md. Drawn as two
// arrows at the disc centre: compression along the normal, ending at the centre (pressing into the
// disc; a distraction starts there and points up), shear in the disc plane, starting there. One length
// scale for every picture: kJointLoadMetresPerN (1000 N = 40 mm of body, drawn at the body's scale).
inline constexpr double kJointLoadMetresPerN = 40e-6;
struct JointLoadArrow {
  int joint = -1;
  Vec3 centre = Vec3::Zero();
  double compression = 0, shear_ap = 0, shear_lateral = 0;  // N, as stored
  Vec3 compression_tail = Vec3::Zero(), compression_tip = Vec3::Zero();  // world, m
  Vec3 shear_tail = Vec3::Zero(), shear_tip = Vec3::Zero();              // world, m
};
// One arrow pair per disc of the scene whose joint is in `levels`; none without stored shears.
std::vector<JointLoadArrow> joint_load_arrows(const Scene& s, const FrameValues& v, const std::vector<int>& levels);

// Where a force arrow's label (text_w wide) starts: 0.6 font sizes to the right of `at` (its arrow's
// end), or to the left when `left`, and on the other side when it does not fit between x_min and
// x_max (the body's area); when it fits on neither, moved in from the edge (device units).
double label_x(double at, double text_w, bool left, double fs, double x_min, double x_max);

// Colour for a value in [0, 1] on the pictures' sequential scale (pale blue-grey → yellow → red →
// dark crimson), r, g, b in [0, 1].
void colormap(double v, double rgb[3]);

// Muscle groups at one instant ranked by the coloured quantity, both sides together, largest first
// (value, group): activation the mean over the group's fascicles, force the sum (N), fatigue the share
// of the group's strength lost, M_F weighted by each fascicle's maximum force F0 of `m` (the model
// scaled to the file's subject), as the report and the run summary's end_fatigued_fraction.
std::vector<std::pair<double, std::string>> rank_groups(const Model& m, const FrameValues& v, ColorBy c);

// A group's value as the ranking beside the legend writes it: forces in whole N; activation and
// fatigue with two decimals on a colour scale to 1, one more per factor 10 below (a lift's fatigue,
// scale 0–0.05: "0.003", not "0.00").
std::string group_value_text(double value, ColorBy c, double scale_max);

// Per muscle group (both sides), the share of its strength lost: Σ F0·M_F / Σ F0 over its fascicles,
// F0 = `m`'s muscle_fmax. The one definition the picture's ranking and the report's series use.
std::map<std::string, double> group_strength_lost(const Model& m, const Eigen::Ref<const Eigen::VectorXd>& fatigued);

// Which of the per-frame fields pictures use the file holds: a run written with --fields may leave
// any of them out. Without /kinematics/joint_angles the posture is recomputed from the stored
// scenario text exactly as the run sampled it (the stored angles are that sample; tested equal).
struct StoredFields {
  bool kinematics = false, activation = false, force = false, fatigued = false, compression = false, reserve = false;
  bool shear = false;  // /joints/shear_ap and /joints/shear_lateral
  bool has(ColorBy c) const { return c == ColorBy::kActivation ? activation : c == ColorBy::kForce ? force : fatigued; }
  bool any_muscle_value() const { return activation || force || fatigued; }
};

// Where a dataset may be missing because the run was written with --fields: the sentence that says
// so, e.g. "lift.h5 has no /muscles/force (the run was written with --fields that leave it out)".
std::string not_stored(const std::string& file, const std::string& dataset);

class ResultsPicture {
 public:
  // Throws InputError naming the file when it lacks what no picture can do without: the model it
  // names and the scenario text; or, for a file without /kinematics/joint_angles, a scenario that no
  // longer binds to the model (the message names the dataset and the --fields that store it).
  explicit ResultsPicture(const ResultsSeries& results);
  const ResultsSeries& results() const { return r_; }
  const Model& model() const { return model_; }
  // The chart's ticks per joint, N: the run's peaks, or the fresh-muscle peaks where fatigue visibly
  // shifted the load.
  const Eigen::VectorXd& chart_ticks() const { return tick_compression_; }

  // Fields a file written with --fields lacks stay empty (size 0) in FrameValues; scene() then
  // samples the posture (q) from the scenario.
  FrameValues values(long frame) const;
  const StoredFields& stored() const { return stored_; }
  // The options a picture asked for as far as the file can show them: colour by the requested
  // quantity when stored, else by the first stored of activation, force, fatigue (muscles grey when
  // none is); no compression chart without /joints/compression.
  PictureOptions shown(const PictureOptions& o) const;
  // Whether the model rebuilt from the file's model_file (or name) is the text the run used: the
  // results' model_digest against the file's now. kUnknown: a file written before model_digest.
  enum class ModelMatch { kSame, kUnknown, kChanged };
  ModelMatch model_match() const;
  // The sentences about the rebuilt model (empty when it is the run's and the angles are stored):
  // the posture recomputed without stored angles ("as the run sampled it" only when the model is the
  // run's), a changed model file, whose masses, strengths and (without angles) posture then differ
  // from the run's, and a recorded model file that is not found, so the model of that name was used.
  std::vector<std::string> model_notes() const;
  // What a picture asked for with `o` leaves out and why, one sentence each (empty: nothing).
  std::vector<std::string> omissions(const PictureOptions& o) const;
  double cycle_s() const { return scenario_.cycle_s(); }
  // What the scenario is doing at time t, from its keyframe labels: the label of the keyframes the
  // instant lies between when they agree (a hold), "A → B" when they differ (a movement), the one
  // label there is when only one has one, "rest" or "break" between repetitions, "" without labels.
  std::string phase_label(double t) const;  // one repetition of the scenario, s
  Scene scene(const FrameValues& v);  // posture of that frame
  // Draws the whole picture into a w × h (device units) area of cr.
  void draw(cairo_t* cr, double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& o);

  // Top of the colour bar when PictureOptions::color_max is 0 (activation 1; force and fatigue the
  // run's maximum, rounded up).
  double default_color_max(ColorBy c) const { return c == ColorBy::kActivation ? 1.0 : c == ColorBy::kForce ? force_max_ : fatigue_max_; }

  // Where a world point of scene s lands in a w × h picture drawn with options o, pixels.
  Eigen::Vector2d screen_point(double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& o, const Vec3& p);
  // Pixels per metre of body in that picture (the joint-load arrows' scale: kJointLoadMetresPerN × this per N).
  double px_per_m(double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& o);
  // The same for frame `frame` of the run, as picture_png draws it at w × h.
  double px_per_m_at(long frame, double w, double h, const PictureOptions& o);

  // The lines under the subtitle about what the muscles do not do at the instant: the reserves'
  // moment ("reserves carry 24 N·m extension at L5-S1 — the muscles cannot …") and, after the run's
  // endurance, "task failed at 966 s (…)" from the summary. Empty when neither applies.
  std::vector<std::string> status_lines(const FrameValues& v) const;

  // Frames with the highest compression at the most loaded level, and the level (without
  // /joints/compression: the frame of the highest mean activation, else force, else fatigue, else 0;
  // the level from the summary's peaks).
  long peak_frame() const { return peak_frame_; }
  // The instant drawn when none is asked: peak_frame(), except that a picture coloured by fatigue
  // shows the run's last frame, where fatigue has had longest to build (audit26d #20: a still hold's default, t = 0, is
  // the one instant with no fatigue at all, and `render sitting.h5 --color fatigue` drew grey).
  long default_frame(ColorBy color) const { return color == ColorBy::kFatigue ? r_.frames() - 1 : peak_frame_; }
  // Joints whose cut the model's intra-abdominal pressure relieves in this run (none when the model
  // has none or the scenario turns it off): the chart marks them "*", because the relief stops above
  // L3-L4 and makes L2-L3 the most loaded lumbar level in lifts (docs/mechanics.md, "Levels").
  std::vector<int> pressure_relieved_joints() const;
  int peak_joint() const { return peak_joint_; }
  // The levels whose joint loads a w × h picture drawn with `o` shows (none without joint_forces),
  // chosen on its screen (docs/render.md, "Which levels"): the run's peak frame is projected in the
  // picture's view at its scale, and from L5-S1 (the level of the action limit), then the highest
  // peak compression over the run down, a level is kept when its drawn arrows cover no pixel of the
  // arrows of the levels kept before it (with a margin), the values the picture would write (the three
  // largest compressions, the two largest shears) each still find a clear spot, and along the spine its
  // arrow leaves 6 mm to theirs (the rule before: the sagittal view keeps its levels); ascending joint
  // index. One choice for every frame of an animation (fixed_frame: the run's camera); a still at
  // another instant keeps the peak's choice at its own scale.
  std::vector<int> joint_load_levels(double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& o);

  // Whether the model has a bone of region r (InputError naming the file otherwise: the lumbar
  // model has no neck); called before anything is drawn or written.
  void check_region(Region r) const;
  // Whether a scene bone belongs to region r (every bone does to the whole body): vertebrae, the
  // pelvis, lumped segments and the head by their segment's name, discs by the two segments they join.
  bool in_region(const SceneBone& b, Region r) const;
  // The joints whose discs belong to region r (ascending; every joint for the whole body).
  std::vector<int> region_joints(Region r) const;
  // The discs --joints may choose for --joint-forces in region r (joints with a disc and stored loads),
  // ascending; joint_force_levels outside them would draw nothing.
  std::vector<int> joint_force_choices(Region r) const { return candidates_ascending(r); }
  // The world box the body's area shows in a w × h picture drawn with `o`: metres across and up the
  // screen (the camera's right and up), centre and spans (tests; the CLI prints the span).
  struct Extent {
    double cx = 0, cy = 0, span_x = 0, span_y = 0;
  };
  Extent extent(double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& o);

 private:
  struct Area {
    double x0, y0, w, h;
  };
  // status_shown, legend_shown: the status lines and legend rows the instant draws (a still keeps
  // room for those only; an animation, fixed_frame, for every one the run can have).
  Area body_area(double w, double h, const PictureOptions& o, int status_shown, int legend_shown) const;
  struct Fit {  // world → picture: centre and metres spanned, fixed over the run so animations do not jump
    double cx = 0, cy = 0, span_x = 1, span_y = 1;
    bool ready = false;
  };
  // Over the run, cached; with the joint-load arrows of `levels` (none: pictures without them are
  // fitted as before).
  // A region's (o.region) camera is fitted over frames of o.span_start … o.span_end.
  Fit& fit(const PictureOptions& o, const std::vector<int>& levels);
  // `values` (one per scene, or empty): the joint-load arrows of those instants at `levels` are fitted too.
  // A region other than the whole body: its bones and those arrows only, with a margin.
  Fit fit_scene(View v, const std::vector<const Scene*>& scenes, const std::vector<const FrameValues*>& values = {},
                const std::vector<int>& levels = {}, Region region = Region::kWhole) const;
  // The joint-load candidates (joint_load_candidates_, in their order) in o.region, and all of them ascending.
  std::vector<int> candidates(Region r) const;
  std::vector<int> candidates_ascending(Region r) const;
  // The fit a picture with `o` uses, with the joint-load arrows of `levels` (joint_load_levels).
  Fit body_fit(const FrameValues& v, const Scene& s, const PictureOptions& o, const std::vector<int>& levels);
  void draw_body(cairo_t* cr, double x0, double y0, double w, double h, double fs, const FrameValues& v, const Scene& s, const PictureOptions& o,
                 const std::vector<int>& levels);
  void draw_chart(cairo_t* cr, double x0, double y0, double w, double h, double fs, const FrameValues& v);
  void draw_colorbar(cairo_t* cr, double x0, double y0, double w, double fs, const PictureOptions& o);
  // right_edge: where the legend must end (the body's column); room: the width the joint-load row's
  // text and scale may take.
  void draw_legend(cairo_t* cr, double x0, double y0, double fs, const FrameValues& v, const PictureOptions& o, const Scene& s, double px_per_m,
                   double right_edge);
  double legend_width(cairo_t* cr, double fs, const Scene& s, const PictureOptions& o, double px_per_m, double room) const;
  void draw_top_groups(cairo_t* cr, double x0, double y0, double fs, const FrameValues& v, const PictureOptions& o);
  double top_groups_width(cairo_t* cr, double fs, const PictureOptions& o) const;  // the ranking panel, device units
  double name_column(cairo_t* cr, double fs) const;                               // widest group name
  std::string widest_group_value(const PictureOptions& o) const;                  // the ranking's widest value text
  // The legend's rows, named, in the order drawn: a row kept for the run (animations keep their
  // layout) is listed whether or not the instant draws its symbol.
  enum class LegendRow { kBones, kDiscs, kMuscles, kArm, kHandLoad, kReserve, kForce, kJointLoad };
  struct LegendLine {
    LegendRow row;
    std::string text;
  };
  std::vector<LegendLine> legend_lines(const Scene& s, const PictureOptions& o) const;
  int legend_rows(const PictureOptions& o) const {
    return 3 + run_has_arms_ + run_has_hand_load_ + run_has_forces_ + run_has_reserves_ + o.joint_forces;
  }
  // Whether the instant draws a row's symbol: the arrow rows when such an arrow is drawn, the reserve
  // row when a reserve is shown; and how many rows it draws.
  bool legend_row_drawn(LegendRow row, const FrameValues& v, const Scene& s) const;
  int legend_rows_drawn(const FrameValues& v, const Scene& s, const PictureOptions& o) const;
  // The legend rows the header's block keeps room for: in animations (fixed_frame) every row the run
  // has, so frames do not jump; in a single picture those it draws.
  int legend_room(const FrameValues& v, const Scene& s, const PictureOptions& o) const { return o.fixed_frame ? legend_rows(o) : legend_rows_drawn(v, s, o); }
  // Status lines the header keeps room for: in animations (fixed_frame) every line the run can
  // have, so frames do not jump; in a single picture those it draws (`shown`, the instant's).
  // An animation keeps room for every status line the run can have: reserves, and failure or (before
  // it) fatigue-driven loads, never both at one instant.
  int status_rows(const PictureOptions& o, int shown) const {
    return o.fixed_frame ? run_has_reserves_ + (run_fails_ || fatigue_limited_from_s_ >= 0) : shown;
  }
  double header_height(double fs, const PictureOptions& o, int status_shown) const;  // title, subtitle, status lines
  double color_value(const FrameValues& v, int muscle, const PictureOptions& o) const;  // in [0, 1]
  double color_max(const PictureOptions& o) const;                         // value at the top of the bar

  const ResultsSeries& r_;
  Model model_;
  Scenario scenario_;
  std::unique_ptr<BoundScenario> bound_;
  std::unique_ptr<BoneGeometry> bones_;
  std::unique_ptr<Data> data_;
  // (view, region, span, joint-load levels) → fit over the run (a region's: over the span)
  std::map<std::tuple<int, int, double, double, std::vector<int>>, Fit> fits_;
  double force_max_ = 1, fatigue_max_ = 1, compression_max_ = 3400;
  Eigen::VectorXd peak_compression_;  // per joint over the run (from the summary)
  // The chart's ticks: the peaks, or where fatigue visibly shifted the load the fresh-muscle peaks
  // (audit25t A6: fatigue-driven peaks after failure ranked upright sitting above slouched).
  Eigen::VectorXd tick_compression_;
  std::vector<int> abdominal_wall_on_spine_;  // run_notes.h: found once, read by every frame's status lines
  long peak_frame_ = 0;
  int peak_joint_ = 0;
  StoredFields stored_;
  // Legend rows, the same for every frame of the run so animations keep their layout.
  bool run_has_hand_load_ = false, run_has_forces_ = false, run_has_arms_ = false;
  bool run_has_reserves_ = false, run_fails_ = false;  // reserve moments stored and used; an endurance in the summary
  bool model_by_name_ = false;  // the recorded model_file was not found: the model of that name was loaded
  double endurance_s_ = -1;
  double fatigue_limited_from_s_ = -1;  // the summary's: from then on peaks are fatigue-driven (none: -1)
  // Discs whose joint loads may be drawn, in the order joint_load_levels tries them (L5-S1, then the
  // highest peak compression down), and the same ascending.
  std::vector<int> joint_load_candidates_, joint_load_all_;
  std::vector<double> joint_load_along_;  // per joint, m along the spine from the lowest disc
  std::unique_ptr<Scene> peak_scene_;  // the run's peak frame, for joint_load_levels (built when first asked)
  FrameValues peak_values_;
};

// Throws InputError unless `out` names a picture write_picture can make (.svg, .png, .pdf) in a
// folder that exists: for verbs that draw after long work (run --picture) to refuse before it.
// `render_hints`: the messages name render's --animate (off for a verb that has none: a video name is
// then pointed to render).
void check_picture_name(const std::string& out, bool render_hints = true);

// Writes one picture; the format follows the extension (.svg, .png, .pdf). Written under a
// temporary name and renamed, so a failed render leaves no file. Throws InputError for a bad path.
void write_picture(ResultsPicture& p, long frame, const PictureOptions& o, const std::string& out, int width, int height);

// Writes `bytes` to OUT.partial and renames it to `out`; an InputError naming `out` and the
// system's reason ("cannot write the picture: No space left on device") when that fails, with
// the partial file removed.
void write_file_in_place(const std::string& out, const std::string& bytes, const std::string& what);

// The picture as an SVG document or PNG file in memory (for HTML reports).
std::string picture_svg(ResultsPicture& p, long frame, const PictureOptions& o, int width, int height);
std::string picture_png(ResultsPicture& p, long frame, const PictureOptions& o, int width, int height);

}  // namespace paraspine
