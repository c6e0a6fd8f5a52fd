#pragma once
// Model: what the body is. Built once by the loader (model/loader.h), validated, then immutable and
// shared by every thread. Per-evaluation state lives in Data (model/data.h).
//
// Sizes: nsegment segments (segment 0 is the root, the pelvis; parents precede children),
// njoint = nsegment - 1 joints (joint j moves segment j + 1 relative to its parent), ndof = 3 njoint
// rotations (dof 3 j + a, a = flexion, lateral bending, axial rotation; see common/rotation.h),
// nmuscle muscles with npoint path points in all.
// Units: SI throughout (m, kg, N, N·m, s, rad).
#include <Eigen/Core>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/common/rotation.h"
#include "sim/fatigue/three_compartment.h"

namespace paraspine {

// De Groote et al. 2016's passive fibre strain e0 (f_PE reaches 1 at l̃ = 1 + e0), the default of
// every muscle without a passive_strain in its model file (sim/muscles/hill.h).
inline constexpr double kDefaultPassiveStrain = 0.6;

enum class Side : int { kMidline = 0, kRight = 1, kLeft = 2 };
const char* side_name(Side s);

// Restoring passive moment about one joint axis, as a function of the angle θ from neutral:
//   M(θ) = -sign(θ) (c1 |θ| + c2 θ² + c3 |θ|³ + ce (exp(be |θ|) - 1))
// with separate coefficients for θ > 0 and θ < 0. Units: c_k in N·m/rad^k, ce in N·m, be in 1/rad.
struct PassiveLaw {
  struct Side {
    double c1 = 0, c2 = 0, c3 = 0, ce = 0, be = 0;
  };
  Side positive, negative;
  // Moment (N·m) and its derivative dM/dθ (N·m/rad).
  double moment(double theta, double* dmoment = nullptr) const;
};

// The part of a joint's flexion-law moment carried by tissues off the disc centre (optional
// `passive.off_disc` of a joint; docs/model-format.md, docs/sources/ligament_compression.md). A tissue
// carrying a share s of the law's moment M at a lever d (its sagittal distance from the disc centre,
// its line along the disc normal) pulls (tension: posterior ligaments in flexion) or pushes (contact:
// facet impingement in extension) with s|M|/d, and the disc carries that force the other way: the
// moment across the joint is unchanged, the disc compression changes by Σ ±s|M|/d
// (sim/loadsharing/reactions.h). Absent = a free couple (no compression), as before.
struct OffDiscTissue {
  std::string name;       // e.g. "capsular_ligaments"
  double share = 0;       // fraction of the law's moment, (0, 1]
  double moment_arm = 0;  // m, > 0
  bool contact = false;   // false: tension (adds compression); true: contact (removes it)
};
struct OffDiscLoad {
  std::vector<OffDiscTissue> flexion;    // when the flexion law resists flexion (its moment < 0)
  std::vector<OffDiscTissue> extension;  // when it resists extension (its moment > 0)
  // Disc compression per N·m of the law's moment, N/(N·m) = 1/m: Σ ±share / moment_arm of each side.
  double flexion_compression = 0, extension_compression = 0;
  std::string source;
  bool empty() const { return flexion.empty() && extension.empty(); }
  void update_coefficients();  // recomputes the two sums from the tissue lists
};

// Viscoelastic creep of the passive flexion laws (sim/tissue/creep.h): under sustained flexion the
// passive tissue lengthens, so the same angle carries less passive moment; it recovers, more slowly,
// once unloaded. Absent from a model file = no creep.
struct CreepParameters {
  bool enabled = false;
  double tau_creep = 0;             // s, time constant of creep under a sustained load
  double steady_fraction = 0;       // creep at a sustained full-flexion load, fraction of the flexion range
  double recovery_fast_fraction = 0;  // share of the creep that recovers with tau_recovery_fast
  double tau_recovery_fast = 0;     // s
  double tau_recovery_slow = 0;     // s, the rest of the creep
  std::string source;
};

// Intra-abdominal pressure (sim/dynamics/abdominal_pressure.h): prescribed from the net extension
// moment at a reference joint, p = clamp(intercept + slope · (s M)^exponent, 0, max_pressure) for M > 0,
// acting on the abdominal cross-section of each listed joint's cut. Absent from a model file = none.
// The relation is a population fit for the model file's reference subject: s converts this subject's
// moment to that body's (docs/mechanics.md, "Subject size").
struct AbdominalPressureParameters {
  bool enabled = false;
  std::vector<int> joints;      // joints whose cut passes through the abdominal cavity
  int reference_joint = -1;     // joint whose extension moment drives the pressure
  double area = 0;              // m², pressurized cross-section of each cut
  double moment_arm = 0;        // m, its centroid anterior of the joint centre (disc frame x)
  double intercept = 0;         // Pa
  double slope = 0;             // Pa per (N·m)^exponent
  double exponent = 1;
  double max_pressure = 0;      // Pa
  // (m_ref h_ref) / (m h): 1 for the model file's reference subject; scale_model multiplies it by the
  // factor it applies to every net moment, so geometrically similar subjects get the same pressure.
  double reference_moment_scale = 1;
  std::string source;
};

// Most costovertebral joints an arm's rib cage may list, both sides counted (fixed-size scratch in
// inverse dynamics).
inline constexpr int kMaxRibCagePoints = 64;

struct Arm {
  int segment = -1;         // segment carrying the shoulder girdle
  Vec3 shoulder;            // shoulder joint centre in that segment's frame, m
  double mass = 0;          // upper arm + forearm + hand, kg
  double com_fraction = 0;  // arm centre of mass on the shoulder→hand line, from the shoulder
  double length = 0;        // shoulder to grip (hanging straight arm), m
  Side side = Side::kRight;
  // Where the arm's wrench (weight, inertia, hand load) enters the spine. Empty: all of it on
  // `segment`. Otherwise a rigid rib cage carries it to these costovertebral joints (segment, point in
  // that segment's frame, both sides), each an equal isotropic spring, and shares it among them by
  // the elastic rule of sim/dynamics/external_loads.h (share_over_springs); docs/model.md §4.
  std::vector<int> rib_cage_segment;
  std::vector<Vec3> rib_cage_point;
};

struct Model {
  std::string name;
  std::string file;  // where it was loaded from
  std::string source_digest;  // text_digest of the text it was parsed from (results files record it)
  // The text itself, shared by every copy (scale_model): results files store it as /inputs/model_text so a
  // run can be pictured, reported and rerun after its model file has been edited or lost.
  std::shared_ptr<const std::string> source_text;
  std::string description;
  double reference_body_mass = 0;  // kg, the body the numbers describe
  double reference_height = 0;     // m
  std::string reference_sex = "male";  // sex of the reference subject
  // The population percentile the subject's height and mass were read at (scale_model of a Subject
  // with a percentile; sim/model/anthropometry.h), 0 = none: outputs name it with the table.
  double reference_percentile = 0;
  // The subject factors scale_model applied (1 in a loaded model; products when scaled twice): the
  // scenario's own F and R are multiplied by the fatigue scales too (scenario_fatigue_parameters),
  // and results files record all three (subject_summary).
  double strength_factor = 1, fatigue_rate_scale = 1, recovery_rate_scale = 1;
  // The length factor scale_model applied (subject height / the model file's reference height; 1 in
  // a loaded model, the product when scaled twice): a scenario's `positions: scaled` lengths are
  // written for the model file's reference subject and multiplied by it (docs/scenarios.md, "Positions").
  double length_scale = 1;
  Vec3 gravity = Vec3(0, -9.81, 0);  // m/s², world frame

  int nsegment = 0, njoint = 0, ndof = 0, nmuscle = 0, npoint = 0, nregion = 0;

  // ---- segments (nsegment)
  std::vector<std::string> segment_name;
  std::vector<int> segment_parent;            // -1 for the root
  std::vector<int> segment_depth;             // joints between the segment and the root
  std::vector<std::string> segment_source;    // sources of its numbers, joined
  Eigen::VectorXd segment_mass;               // (nsegment) kg
  Eigen::Matrix3Xd segment_com;               // (3, nsegment) m, in the segment frame
  std::vector<Mat3> segment_inertia;          // (nsegment) kg·m², about the CoM, segment axes
  Eigen::MatrixX4d segment_de_leva;           // (nsegment, 4) mass share in de Leva's head, upper,
                                              // middle, lower trunk (rows of 0 = none declared)

  // ---- joints (njoint); joint j moves segment j + 1
  std::vector<std::string> joint_name;        // "L5-S1" (superior vertebra first), from the pelvis up
  Eigen::Matrix3Xd joint_pos_in_parent;       // (3, njoint) m: joint centre in the parent frame
  std::vector<Mat3> joint_rot_in_parent;      // (njoint) joint (= disc) frame axes in parent frame
  Eigen::Matrix3Xd joint_pos_in_child;        // (3, njoint) m: joint centre in the child frame
  std::vector<Mat3> joint_rot_in_child;       // (njoint) joint frame axes in the child frame
  Eigen::MatrixX2d dof_range;                 // (ndof, 2) rad: [min, max]
  std::vector<PassiveLaw> dof_passive;        // (ndof)
  std::vector<OffDiscLoad> joint_off_disc;    // (njoint) flexion-law moment carried off the disc; empty = free couple
  std::vector<std::string> joint_source;
  // Intervertebral disc geometry (optional `disc:` of a joint; docs/model-format.md): the disc's
  // cross-sectional area, which converts compression to intradiscal pressure (sim/validate), and the
  // transverse width of the endplate it rests on. 0 = the model gives none for that joint.
  Eigen::VectorXd joint_disc_area;            // (njoint) m²
  Eigen::VectorXd joint_disc_width;           // (njoint) m, 0 when not given
  std::vector<std::string> joint_disc_source; // (njoint) empty when no disc
  // The disc's mid-plane where it is not the joint frame's (`disc: {plane: chord}`): its sagittal tilt
  // from the joint frame, rad, + when its normal leans forward. Computed at load from the model's own
  // neutral geometry (the plane normal to the chord between the joint centres below and above), for
  // joints whose frames are not their discs' (the neck's, level with the torso). 0 = the joint frame.
  std::vector<double> joint_disc_tilt;        // (njoint)
  // Compression → intradiscal pressure, p = factor · F / A (optional top-level `disc_pressure:`;
  // Nachemson's correction factor). 0 = the model gives none.
  double disc_pressure_factor = 0;
  std::string disc_pressure_source;

  // ---- spinal rhythm: q = rhythm · (region angles), region angles ordered (region, axis)
  std::vector<std::string> region_name;       // e.g. "lumbar", "thoracic"
  Eigen::MatrixXd rhythm;                     // (ndof, 3 nregion) shares × region_scale
  Eigen::MatrixX3d region_scale;              // (nregion, 3) k = 1 / |Σ share · neutral axis|
  std::vector<std::string> region_source;

  // ---- muscles (nmuscle); path points flattened
  std::vector<std::string> muscle_name;
  std::vector<std::string> muscle_group;       // "iliocostalis", "longissimus", "multifidus", ...
  std::vector<std::string> muscle_subdivision; // e.g. "lumborum_pars_lumborum"
  std::vector<Side> muscle_side;
  std::vector<int> muscle_point_begin;         // (nmuscle + 1) into the point arrays
  std::vector<int> point_segment;              // (npoint)
  Eigen::Matrix3Xd point_pos;                  // (3, npoint) m, in the point's segment frame
  // A point may ride on N ≥ 2 segments (`{between: [s1, ..., sN], shares: [w1, ..., wN], at: [x, y, z]}`
  // in a model file, or `{between: [first, second], share: s, ...}` = shares [1 − s, s]; e.g. the linea
  // alba, a band between the pelvis and the rib cage, or latissimus dorsi's humeral end carried by the
  // rib cage, docs/sources/latissimus_path.md): it is the blend Σ w_c X_c of N material points, one
  // fixed on each segment (all at `at` at the neutral posture, or for two segments with `anchors` at
  // at − s·(B − A) and at + (1 − s)·(B − A), docs/model-format.md; the anchors themselves are not
  // kept), and the force it transmits goes w_c to component c's segment (the lever rule). Component 0
  // is point_segment / point_pos with weight point_share; components 1 .. N − 1 are point_blend[k].
  // An ordinary point has point_share 1 and no point_blend (the fast route). Components of weight 0
  // are dropped by the loader, so a point whose shares leave one segment is an ordinary point.
  // finalize_model sizes these for models built in code.
  struct PointComponent {
    int segment = -1;
    Vec3 pos = Vec3::Zero();  // m, in that segment's frame
    double share = 0;         // its weight
  };
  Eigen::VectorXd point_share;                            // (npoint) component 0's weight: 1 for an ordinary point
  std::vector<std::vector<PointComponent>> point_blend;   // (npoint) components 1 .. N − 1; empty for an ordinary point
  int point_ncomponent(int k) const { return 1 + static_cast<int>(point_blend[k].size()); }
  int component_segment(int k, int c) const { return c == 0 ? point_segment[k] : point_blend[k][c - 1].segment; }
  Vec3 component_pos(int k, int c) const { return c == 0 ? Vec3(point_pos.col(k)) : point_blend[k][c - 1].pos; }
  double component_share(int k, int c) const { return c == 0 ? point_share[k] : point_blend[k][c - 1].share; }
  Eigen::VectorXd muscle_fmax;                 // (nmuscle) N, max isometric force
  Eigen::VectorXd muscle_pcsa;                 // (nmuscle) m², physiological cross-section
  Eigen::VectorXd muscle_lopt;                 // (nmuscle) m, optimal fibre length
  Eigen::VectorXd muscle_lts;                  // (nmuscle) m, tendon slack length
  Eigen::VectorXd muscle_pennation;            // (nmuscle) rad, at optimal fibre length
  Eigen::VectorXd muscle_type1;                // (nmuscle) fraction of type-I fibres
  // (nmuscle) passive fibre strain e0 at which the passive force reaches F0 (sim/muscles/hill.h);
  // kDefaultPassiveStrain unless the model file gives passive_strain. finalize_model fills it if empty.
  Eigen::VectorXd muscle_passive_strain;
  std::vector<std::string> muscle_source;
  std::vector<int> muscle_joint_lo, muscle_joint_hi;  // (nmuscle) joints crossed: lowest, highest
  // The joints each path piece (point k to point k+1 of the same muscle) crosses, flattened:
  // piece_cross[piece_cross_begin[k] .. piece_cross_begin[k+1]), each j ≥ 0 for a joint below point
  // k's segment (it moves point k) and −(j+1) for a joint below point k+1's (it moves point k+1).
  // finalize_model fills it; muscle_geometry walks it instead of the tree.
  std::vector<int> piece_cross_begin;  // (npoint + 1)
  Eigen::VectorXd muscle_fiber_width;  // (nmuscle) m: l_opt sin α_opt, what constant-thickness pennation keeps
  std::vector<int> piece_cross;
  // (nmuscle) 1 when each joint of the fascicle's span (muscle_joint_lo..hi) is crossed by exactly one
  // of its path pieces — a path that climbs the chain without turning back, every fascicle of the
  // bundled models: muscle_geometry then writes each moment arm once instead of clearing the span
  // and accumulating into it. finalize_model fills it.
  std::vector<char> muscle_crosses_once;
  // (nmuscle) 1 when a point of the path rides on several segments: muscle_geometry and reactions then take
  // the general route for that fascicle (each point's components, Model::point_blend), every other
  // fascicle the piece-crossing one above. muscle_path_root: the segment whose joints below it every
  // component of the path shares (those joints turn the whole path rigidly); finalize_model fills both.
  std::vector<char> muscle_has_blend;
  std::vector<int> muscle_path_root;
  std::vector<FatigueParameters> muscle_fatigue;  // (nmuscle) three-compartment F, R, r per fascicle

  // ---- passive tissue over time
  CreepParameters creep;

  // ---- intra-abdominal pressure
  AbdominalPressureParameters abdominal_pressure;

  // ---- arms: masses carried to the shoulder girdle, hands where loads are held
  std::vector<Arm> arms;

  // Lookups; -1 when absent.
  int segment_index(const std::string& name) const;
  int joint_index(const std::string& name) const;
  int muscle_index(const std::string& name) const;
  int region_index(const std::string& name) const;
  int dof(int joint, int axis) const { return 3 * joint + axis; }
  // Disc cross-sectional area at a joint, m²; 0 when the model gives none.
  double disc_area(int joint) const {
    return joint >= 0 && joint < joint_disc_area.size() ? joint_disc_area[joint] : 0.0;
  }
  // Intradiscal pressure (Pa) at a joint for a compression F (N): disc_pressure_factor · F / area;
  // NaN where the model gives no disc area or no factor. Linear in F, so a distracted disc
  // (F < 0) gives a negative value.
  double disc_pressure(int joint, double compression) const;
  int joint_child(int joint) const { return joint + 1; }
  int joint_parent(int joint) const { return segment_parent[joint + 1]; }
  double total_mass() const;  // segments + arms, kg
};

// Lowest and highest joint index a muscle's path crosses ({-1, -1} if none; finalize_model computes it).
std::pair<int, int> muscle_joint_span(const Model& m, int muscle);
// The rows [first, end) of a muscle's moment-arm column that can be non-zero: the rotations of the
// joints it spans ({0, 0} if none). muscle_geometry writes only these; the QP stores only these.
std::pair<int, int> muscle_dof_rows(const Model& m, int muscle);

// Computes the derived arrays (segment_depth, muscle joint spans). Called by the loader and by
// scaling.
void finalize_model(Model& m);

}  // namespace paraspine
