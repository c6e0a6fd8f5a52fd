#pragma once
// Shared test fixtures: a small synthetic model whose numbers make hand calculations easy, and the
// path to the bundled default model.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sim/common/error.h"
#include "sim/common/rotation.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/posture.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/model/loader.h"
#include "sim/simulate/frame.h"

namespace paraspine::test {

inline std::string source_dir() { return PARASPINE_SOURCE_DIR; }
inline std::string default_model_path() { return source_dir() + "/models/lumbar.yaml"; }

// The loader refuses model `text` (read as `file`) with an InputError whose message contains
// `expect` and that names the file and `line` first, as the CLI prints it.
inline void expect_model_error(const std::string& text, const std::string& file, const std::string& expect, int line) {
  try {
    parse_model(text, file);
    ADD_FAILURE() << "no error; expected: " << expect;
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(expect), std::string::npos) << what;
    EXPECT_EQ(e.file(), file);
    EXPECT_EQ(e.line(), line) << what;
    EXPECT_EQ(what.rfind(file + ":" + std::to_string(line) + ": ", 0), 0u) << what;
  }
}

// The bundled default model, loaded once per test binary.
inline const Model& full_spine() {
  static const Model m = load_model(source_dir() + "/models/full_spine.yaml");
  return m;
}

// A static frame: posture, the same load in each hand (arms hanging), inverse dynamics, geometry,
// load sharing with criterion c, spinal loads.
inline void solve_static(const Model& m, const Posture& p, double load_per_hand, Data& d,
                         const LoadSharingSettings& s) {
  set_static_posture(m, p, d);
  clear_loads(m, d);
  for (auto& h : d.hands) h.load_mass = load_per_hand;
  evaluate_frame(m, d);
  load_sharing(m, s, d);
  reactions(m, d);
}
inline void solve_static(const Model& m, const Posture& p, double load_per_hand, Data& d,
                         Criterion c = Criterion::kActivation2) {
  LoadSharingSettings s;
  s.criterion = c;
  solve_static(m, p, load_per_hand, d, s);
}

// Trunk flexion as the strength checks pose it: split evenly between pelvis and lumbar spine, the
// thoracic spine neutral.
// The frame is posed and evaluated (kinematics, inverse dynamics, geometry, capacity) in `d`.
inline void pose_trunk_flexion(const Model& m, double flexion_deg, Data& d) {
  Posture p = neutral_posture(m);
  p.pelvis_angles[kFlexion] = deg2rad(flexion_deg / 2);
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(flexion_deg / 2);
  set_static_posture(m, p, d);
  evaluate_frame(m, d);
}

// Three stacked segments (base → mid → top), 0.1 m apart, one tilted joint frame, a two-joint
// muscle with a via point, and an arm on the top segment. Synthetic numbers, for tests only.
inline const char* kMiniModel = R"(paraspine_model: 1
name: mini
reference_subject: {body_mass: 70, height: 1.75, source: "synthetic test fixture"}
muscle_defaults:
  all: {specific_tension: 1.0e6, type1_fraction: 0.6, source: "synthetic test fixture"}
segments:
  - name: base
    mass: 10
    com: [0, 0, 0]
    inertia: [0.1, 0.1, 0.1]
    source: "synthetic test fixture"
  - name: mid
    parent: base
    mass: 4
    com: [0.01, 0.05, 0.0]
    inertia: [0.02, 0.01, 0.02, 0.001, 0, 0]
    joint:
      name: mid-base
      in_parent: {position: [0, 0.1, 0]}
      range_deg: {flexion: [-20, 30], lateral_bending: [-20, 20], axial_rotation: [-10, 10]}
      passive:
        units: per_degree
        flexion: {positive: {c1: 1.8}, negative: {c1: 2.6}}
      source: "synthetic test fixture"
    source: "synthetic test fixture"
  - name: top
    parent: mid
    mass: 20
    com: [0.02, 0.2, 0.0]
    inertia: [0.5, 0.2, 0.5]
    joint:
      name: top-mid
      in_parent: {position: [0, 0.1, 0], rotation_xyz_deg: [0, 0, 10]}
      in_child: {position: [0, 0, 0], rotation_xyz_deg: [0, 0, 10]}
      range_deg: {flexion: [-20, 30], lateral_bending: [-20, 20], axial_rotation: [-10, 10]}
      source: "synthetic test fixture"
    source: "synthetic test fixture"
regions:
  - name: trunk
    joints: [mid-base, top-mid]
    shares: {flexion: [0.4, 0.6], lateral_bending: [0.5, 0.5], axial_rotation: [0.3, 0.7]}
    source: "synthetic test fixture"
arms:
  - {side: both, segment: top, shoulder: [0, 0.3, 0.18], mass: 3.5, com_fraction: 0.4, length: 0.6, source: "synthetic test fixture"}
muscles:
  - name: erector
    group: longissimus
    side: both
    path: [[base, -0.05, 0.0, 0.03], [mid, -0.05, 0.05, 0.03], [top, -0.04, 0.1, 0.03]]
    max_isometric_force: 300
    optimal_fiber_length: 0.1
    tendon_slack_length: 0.08
    pennation_deg: 10
    source: "synthetic test fixture"
  - name: flexor
    group: rectus_abdominis
    side: right
    path: [[base, 0.08, 0.0, 0.04], [top, 0.1, 0.15, 0.04]]
    pcsa: 5.0e-4
    optimal_fiber_length: 0.2
    tendon_slack_length: 0.02
    source: "synthetic test fixture"
)";

inline Model mini_model() { return parse_model(kMiniModel, "mini.yaml"); }

}  // namespace paraspine::test
