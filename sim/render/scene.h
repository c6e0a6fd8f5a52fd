#pragma once
// What a picture shows at one instant, in world coordinates: schematic bones placed by forward
// kinematics, every muscle path as muscle_geometry computes it, and the hand loads. Built from a
// Data on which evaluate_frame has run; nothing here recomputes kinematics or paths.
//
// Bones are schematic (docs/render.md): each vertebral body is a box between the centres of its two
// discs (from the model's joint frames), the disc a wedge between the end plates of neighbouring
// bodies, the spinous process a bar to the most posterior midline muscle attachment the model has on
// that vertebra, the head an ellipsoid, the pelvis the hull of its muscle attachments, its joints
// and the ellipsoid of its mass and inertia.
#include <string>
#include <vector>

#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

struct SceneBone {
  std::string name;
  enum Kind { kVertebra, kDisc, kHead, kPelvis } kind = kVertebra;
  std::vector<Vec3> hull;                      // the bone is the convex hull of these (projected)
  std::vector<std::pair<Vec3, Vec3>> bars;     // processes: drawn as thick lines
  Vec3 centre = Vec3::Zero();                  // for labels and depth order
  Vec3 anterior = Vec3::Zero();                // vertebrae: the body's anterior axis, world (sagittal labels go on that side)
  Vec3 right = Vec3::Zero();                   // vertebrae: the subject's right, world (frontal labels go on that side)
  int joint = -1;                              // discs: their joint
  // Discs: the disc frame as the run resolved the joint's contact force in it (sim/loadsharing/
  // reactions.cpp: the parent-side joint frame turned by half the joint's rotation), world axes:
  // columns anterior, superior (the disc normal, along which compression acts), the subject's right.
  Mat3 disc_frame = Mat3::Identity();
};

struct SceneHand {
  Vec3 shoulder = Vec3::Zero(), hand = Vec3::Zero();  // world, m
  double load_kg = 0;
};

// An external force the scenario applies at this instant (docs/scenarios.md "External forces"): a
// given force (a backpack, a club's pull), a balance support, or the floor carrying resting segments
// (one resultant for all of them: their weights, vertical, act through their weight-weighted centroid).
struct SceneForce {
  std::string name;
  Vec3 point = Vec3::Zero(), force = Vec3::Zero();  // world, m and N
  bool support = false;  // pushes on the body from outside: drawn ending at its point
};

struct Scene {
  std::vector<SceneBone> bones;
  std::vector<std::vector<Vec3>> muscle_path;  // (nmuscle) world points, origin → insertion
  std::vector<SceneHand> hands;
  std::vector<SceneForce> forces;
  Vec3 gravity_dir = Vec3(0, -1, 0);
  // The pelvis' axes in world at the instant (columns: anterior, superior, the subject's right):
  // the picture's captions say from which side of the body each world-fixed view looks.
  Mat3 pelvis_rotation = Mat3::Identity();
  // (njoint) world joint centres: where a joint without a disc (C0-C1, C1-C2) is marked.
  std::vector<Vec3> joint_centre;
};

// Vertebral body and head sizes in the model's segment frames, computed once per model.
struct BoneGeometry {
  explicit BoneGeometry(const Model& m);
  struct Vertebra {
    int segment = -1, inferior_joint = -1, superior_joint = -1;
    double depth = 0, width = 0, disc_half = 0;  // m
    bool has_spinous = false;
    Vec3 spinous_tip = Vec3::Zero();             // in the segment frame
  };
  std::vector<Vertebra> vertebrae;
  int head = -1, pelvis = 0;
  Vec3 head_centre = Vec3::Zero(), head_semi_axes = Vec3::Zero();  // head frame: x AP, y up, z side
  std::vector<Vec3> pelvis_points;                                 // pelvis frame
  // Top segments that are neither vertebra nor head (e.g. the lumbar model's lumped thorax): drawn,
  // like the pelvis, as the outline of their muscle attachments and joint.
  std::vector<std::pair<int, std::vector<Vec3>>> lumped;
};

Scene build_scene(const Model& m, const BoneGeometry& g, const Data& d);

}  // namespace paraspine
