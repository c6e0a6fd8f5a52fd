#include "sim/render/scene.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>

#include "sim/common/rotation.h"
#include "sim/kinematics/kinematics.h"
#include "sim/kinematics/posture.h"
#include "sim/loadsharing/reactions.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

// Schematic proportions (drawing only; no computed quantity depends on them). Assumptions, stated
// in docs/render.md: end-plate depth 0.95 × the disc-to-disc spacing of the vertebra (L4: 36.8 mm
// spacing → 35 mm, the AP diameter of an L4 end plate of 1492 mm² with width 1.5 × depth); disc
// height 0.25 × spacing (L4-L5: (12.6 + 6.5) / 2 = 9.6 mm anterior/posterior mean of Agichani et
// al., shared/data/model-data.md §2.4, over 36.8 mm = 0.26).
constexpr double kDepthPerSpacing = 0.95, kWidthPerDepth = 1.5, kDiscPerSpacing = 0.25;
// Head: length (glabella–opisthocranion) 195 mm and breadth 155 mm, British men 19–65, 50th
// percentile (Pheasant, Bodyspace; tabulated in CityU "Online anthropometry" ch. 2 §26–27); the
// vertex lies VERT–CERV = 242.9 mm above C7 in de Leva's (1996, Table 1) 1741 mm male, scaled by
// stature.
constexpr double kHeadLength = 0.195, kHeadBreadth = 0.155, kVertCerv = 0.2429, kDeLevaStature = 1.741;

Vec3 world(const Data& d, int s, const Vec3& p) { return d.segment_origin.col(s) + d.segment_rotation[s] * p; }

// Points on the three principal circles of segment s's equivalent ellipsoid (a uniform solid with
// its mass and inertia about its centre of mass: I_a = m (b² + c²) / 5, so a² = 5 (I_b + I_c − I_a)
// / (2 m)), in the segment frame; none for a massless segment.
std::vector<Vec3> inertia_ellipsoid(const Model& m, int s) {
  std::vector<Vec3> out;
  const double mass = m.segment_mass[s];
  if (!(mass > 0)) return out;
  const Eigen::SelfAdjointEigenSolver<Mat3> eig(m.segment_inertia[s]);
  if (eig.info() != Eigen::Success) return out;
  const Vec3 I = eig.eigenvalues();
  Vec3 r;
  for (int k = 0; k < 3; ++k) r[k] = std::sqrt(std::max(0.0, 2.5 * (I[(k + 1) % 3] + I[(k + 2) % 3] - I[k]) / mass));
  const Mat3& E = eig.eigenvectors();
  const Vec3 c = m.segment_com.col(s);
  constexpr int n = 36;
  for (int k = 0; k < n; ++k) {
    const double t = 2 * M_PI * k / n, cs = std::cos(t), sn = std::sin(t);
    out.push_back(c + E * Vec3(r[0] * cs, r[1] * sn, 0));
    out.push_back(c + E * Vec3(r[0] * cs, 0, r[2] * sn));
    out.push_back(c + E * Vec3(0, r[1] * cs, r[2] * sn));
  }
  return out;
}

}  // namespace

BoneGeometry::BoneGeometry(const Model& m) {
  pelvis = 0;
  std::vector<std::vector<Vec3>> seg_points(m.nsegment);
  // Attachments shape the bones; a point on several segments (the linea alba) lies on no bone.
  for (int k = 0; k < m.npoint; ++k)
    if (m.point_blend[k].empty()) seg_points[m.point_segment[k]].push_back(m.point_pos.col(k));
  pelvis_points = seg_points[0];
  for (int j = 0; j < m.njoint; ++j)
    if (m.joint_parent(j) == 0) pelvis_points.push_back(m.joint_pos_in_parent.col(j));
  // The pelvis' mass as the model has it: the solid ellipsoid of the segment's mass and inertia
  // (its principal circles). Muscle attachments alone drew paraspinal_only's pelvis, which carries
  // only the erectors, as a sliver beside L5, where full_spine's (abdominals, psoas, quadratus
  // lumborum) fills the pelvis; the ellipsoid is the same in both models (docs/render.md).
  for (const Vec3& p : inertia_ellipsoid(m, 0)) pelvis_points.push_back(p);

  for (int s = 1; s < m.nsegment; ++s) {
    int sup = -1;
    for (int j = 0; j < m.njoint && sup < 0; ++j)
      if (m.joint_parent(j) == s) sup = j;
    if (m.segment_name[s] == "head") {
      head = s;
      continue;
    }
    if (sup < 0 && seg_points[s].size() >= 3) {
      std::vector<Vec3> pts = seg_points[s];
      pts.push_back(m.joint_pos_in_child.col(s - 1));
      lumped.push_back({s, pts});
      continue;
    }
    Vertebra v;
    v.segment = s;
    v.inferior_joint = s - 1;
    v.superior_joint = sup;
    const Vec3 a = m.joint_pos_in_child.col(s - 1);
    // The top segment of a model without a head (e.g. a lumped thorax) ends at its farthest point.
    Vec3 b = a;
    if (sup >= 0) b = m.joint_pos_in_parent.col(sup);
    const double spacing = sup >= 0 ? (b - a).norm() : 0.035;
    if (sup < 0) v.superior_joint = -1;
    v.depth = kDepthPerSpacing * spacing;
    v.width = kWidthPerDepth * v.depth;
    v.disc_half = 0.5 * kDiscPerSpacing * spacing;
    const Mat3& A = m.joint_rot_in_child[s - 1];
    const Vec3 posterior = -A.col(0), lateral = A.col(2);
    double best = 0.5 * v.depth + 0.01;
    for (const Vec3& p : seg_points[s]) {
      const double behind = (p - a).dot(posterior);
      if (std::abs((p - a).dot(lateral)) < 0.02 && behind > best) best = behind, v.spinous_tip = p, v.has_spinous = true;
    }
    vertebrae.push_back(v);
  }

  if (head >= 0) {
    Data d(m);
    set_static_posture(m, neutral_posture(m), d);
    forward_kinematics(m, d);
    const int c7t1 = m.joint_index("C7-T1");
    const Vec3 base = c7t1 >= 0 ? Vec3(d.joint_center.col(c7t1)) : Vec3(d.joint_center.col(head - 1));
    const Vec3 vertex = base + Vec3(0, kVertCerv * m.reference_height / kDeLevaStature, 0);
    const Mat3& R = d.segment_rotation[head];
    const Vec3 vertex_local = R.transpose() * (vertex - d.segment_origin.col(head));
    head_centre = m.segment_com.col(head);
    const double up = vertex_local.y() - head_centre.y();
    head_semi_axes = Vec3(0.5 * kHeadLength, up > 0.05 ? up : 0.11, 0.5 * kHeadBreadth);
  }
}

Scene build_scene(const Model& m, const BoneGeometry& g, const Data& d) {
  Scene sc;
  sc.gravity_dir = m.gravity.normalized();
  sc.pelvis_rotation = d.segment_rotation[g.pelvis];
  for (int j = 0; j < m.njoint; ++j) sc.joint_centre.push_back(d.joint_center.col(j));
  // End plate: a rectangle centred at c with the disc frame's AP (x) and lateral (z) axes.
  auto plate = [&](int s, const Vec3& c, const Mat3& A, double depth, double width, std::vector<Vec3>& out) {
    for (int i = -1; i <= 1; i += 2)
      for (int k = -1; k <= 1; k += 2)
        out.push_back(world(d, s, c + 0.5 * i * depth * A.col(0) + 0.5 * k * width * A.col(2)));
  };
  std::vector<int> vertebra_of_segment(m.nsegment, -1);
  for (size_t k = 0; k < g.vertebrae.size(); ++k) vertebra_of_segment[g.vertebrae[k].segment] = static_cast<int>(k);

  for (const auto& v : g.vertebrae) {
    SceneBone b;
    b.name = m.segment_name[v.segment];
    b.kind = SceneBone::kVertebra;
    const int s = v.segment;
    const Mat3& Ai = m.joint_rot_in_child[v.inferior_joint];
    const Vec3 a = m.joint_pos_in_child.col(v.inferior_joint);
    plate(s, a + v.disc_half * Ai.col(1), Ai, v.depth, v.width, b.hull);
    if (v.superior_joint >= 0) {
      const Mat3& As = m.joint_rot_in_parent[v.superior_joint];
      plate(s, Vec3(m.joint_pos_in_parent.col(v.superior_joint)) - v.disc_half * As.col(1), As, v.depth, v.width, b.hull);
    } else {
      plate(s, a + (2 * v.disc_half + 0.8 * v.depth) * Ai.col(1), Ai, v.depth, v.width, b.hull);
    }
    Vec3 c = Vec3::Zero();
    for (const Vec3& p : b.hull) c += p;
    b.centre = c / b.hull.size();
    b.anterior = d.segment_rotation[s] * Ai.col(0);
    b.right = d.segment_rotation[s] * Ai.col(2);
    if (v.has_spinous) {
      // From the back of the body at mid-height to the tip.
      const Vec3 back = b.centre - 0.5 * v.depth * (d.segment_rotation[s] * Ai.col(0));
      b.bars.push_back({back, world(d, s, v.spinous_tip)});
    }
    sc.bones.push_back(std::move(b));
  }

  // Discs between a vertebra and its parent vertebra (or the pelvis).
  for (const auto& v : g.vertebrae) {
    const int j = v.inferior_joint, parent = m.joint_parent(j);
    if (parent != g.pelvis && vertebra_of_segment[parent] < 0) continue;
    SceneBone b;
    b.name = m.joint_name[j];
    b.kind = SceneBone::kDisc;
    b.joint = j;
    plate(v.segment, Vec3(m.joint_pos_in_child.col(j)) + v.disc_half * m.joint_rot_in_child[j].col(1), m.joint_rot_in_child[j], v.depth, v.width, b.hull);
    plate(parent, Vec3(m.joint_pos_in_parent.col(j)) - v.disc_half * m.joint_rot_in_parent[j].col(1), m.joint_rot_in_parent[j], v.depth, v.width, b.hull);
    b.centre = d.joint_center.col(j);
    // As reactions() turns it (compression along its y axis, shears along x and z): the picture's
    // joint-load arrows use the file's compression and shear in this frame.
    b.disc_frame = disc_frame(m, d, j);  // as reactions() splits the force
    sc.bones.push_back(std::move(b));
  }

  {
    SceneBone b;
    b.name = m.segment_name[g.pelvis];
    b.kind = SceneBone::kPelvis;
    for (const Vec3& p : g.pelvis_points) b.hull.push_back(world(d, g.pelvis, p));
    b.centre = d.segment_origin.col(g.pelvis);
    sc.bones.push_back(std::move(b));
  }

  for (const auto& [seg, pts] : g.lumped) {
    SceneBone b;
    b.name = m.segment_name[seg];
    b.kind = SceneBone::kPelvis;
    for (const Vec3& p : pts) b.hull.push_back(world(d, seg, p));
    b.centre = d.segment_origin.col(seg);
    sc.bones.push_back(std::move(b));
  }

  if (g.head >= 0) {
    SceneBone b;
    b.name = "head";
    b.kind = SceneBone::kHead;
    const Vec3& r = g.head_semi_axes;
    constexpr int n = 36;
    for (int k = 0; k < n; ++k) {
      const double t = 2 * M_PI * k / n, c = std::cos(t), s = std::sin(t);
      b.hull.push_back(world(d, g.head, g.head_centre + Vec3(r.x() * c, r.y() * s, 0)));
      b.hull.push_back(world(d, g.head, g.head_centre + Vec3(r.x() * c, 0, r.z() * s)));
      b.hull.push_back(world(d, g.head, g.head_centre + Vec3(0, r.y() * c, r.z() * s)));
    }
    b.centre = world(d, g.head, g.head_centre);
    // A nose: a stub on the anterior side at the centre's height, so the picture shows which way the
    // head faces (an ellipsoid of nearly equal sagittal axes looked the same flexed 60° or upright).
    b.bars.push_back({world(d, g.head, g.head_centre + Vec3(0.75 * r.x(), 0, 0)), world(d, g.head, g.head_centre + Vec3(r.x() + 0.02, -0.01, 0))});
    sc.bones.push_back(std::move(b));
  }

  sc.muscle_path.resize(m.nmuscle);
  for (int i = 0; i < m.nmuscle; ++i)
    for (int k = m.muscle_point_begin[i]; k < m.muscle_point_begin[i + 1]; ++k) sc.muscle_path[i].push_back(d.point_world.col(k));

  for (size_t h = 0; h < m.arms.size() && h < d.hands.size(); ++h) {
    SceneHand hand;
    hand.shoulder = world(d, m.arms[h].segment, m.arms[h].shoulder);
    hand.hand = d.hand_position.col(h);
    hand.load_kg = d.hands[h].load_mass;
    sc.hands.push_back(hand);
  }
  return sc;
}

}  // namespace paraspine
