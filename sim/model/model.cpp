#include "sim/model/model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace paraspine {

const char* side_name(Side s) {
  switch (s) {
    case Side::kRight: return "right";
    case Side::kLeft: return "left";
    default: return "midline";
  }
}

void OffDiscLoad::update_coefficients() {
  auto sum = [](const std::vector<OffDiscTissue>& tissues) {
    double k = 0;
    for (const OffDiscTissue& t : tissues) k += (t.contact ? -t.share : t.share) / t.moment_arm;
    return k;
  };
  flexion_compression = sum(flexion);
  extension_compression = sum(extension);
}

double PassiveLaw::moment(double theta, double* dmoment) const {
  const Side& s = theta >= 0 ? positive : negative;
  const double x = std::abs(theta);
  const double e = s.ce != 0 ? std::exp(s.be * x) : 1.0;
  const double magnitude = s.c1 * x + s.c2 * x * x + s.c3 * x * x * x + s.ce * (e - 1.0);
  // d|M|/dx; M = -sign(θ)·|M| so dM/dθ = -d|M|/dx for either sign.
  if (dmoment) *dmoment = -(s.c1 + 2 * s.c2 * x + 3 * s.c3 * x * x + s.ce * s.be * e);
  return theta >= 0 ? -magnitude : magnitude;
}

double Model::disc_pressure(int joint, double compression) const {
  const double area = disc_area(joint);
  if (!(area > 0) || !(disc_pressure_factor > 0)) return std::numeric_limits<double>::quiet_NaN();
  return disc_pressure_factor * compression / area;
}

namespace {
int find(const std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}
}  // namespace

int Model::segment_index(const std::string& n) const { return find(segment_name, n); }
int Model::joint_index(const std::string& n) const { return find(joint_name, n); }
int Model::muscle_index(const std::string& n) const { return find(muscle_name, n); }
int Model::region_index(const std::string& n) const { return find(region_name, n); }

double Model::total_mass() const {
  double m = segment_mass.sum();
  for (const Arm& a : arms) m += a.mass;
  return m;
}

std::pair<int, int> muscle_joint_span(const Model& m, int i) { return {m.muscle_joint_lo[i], m.muscle_joint_hi[i]}; }
std::pair<int, int> muscle_dof_rows(const Model& m, int i) {
  if (m.muscle_joint_lo[i] < 0) return {0, 0};
  return {3 * m.muscle_joint_lo[i], 3 * m.muscle_joint_hi[i] + 3};
}

void finalize_model(Model& m) {
  m.segment_depth.assign(m.nsegment, 0);
  for (int s = 1; s < m.nsegment; ++s) m.segment_depth[s] = m.segment_depth[m.segment_parent[s]] + 1;
  if (m.muscle_passive_strain.size() != m.nmuscle) m.muscle_passive_strain = Eigen::VectorXd::Constant(m.nmuscle, kDefaultPassiveStrain);
  if (static_cast<int>(m.joint_off_disc.size()) != m.njoint) m.joint_off_disc.resize(m.njoint);  // free couples
  if (static_cast<int>(m.joint_disc_tilt.size()) != m.njoint) m.joint_disc_tilt.assign(m.njoint, 0.0);  // the joint frame
  for (OffDiscLoad& o : m.joint_off_disc) o.update_coefficients();
  m.muscle_fiber_width = (m.muscle_lopt.array() * m.muscle_pennation.array().sin()).matrix();
  if (static_cast<int>(m.point_blend.size()) != m.npoint || m.point_share.size() != m.npoint) {  // a model built in code: no blended points
    m.point_blend.assign(m.npoint, {});
    m.point_share = Eigen::VectorXd::Ones(m.npoint);
  }
  // The joints each path piece crosses: walk from both segments to their common ancestor; every
  // joint passed lies between them. A fascicle's span is the union over its pieces.
  m.piece_cross_begin.assign(1, 0);
  m.piece_cross.clear();
  m.muscle_joint_lo.assign(m.nmuscle, -1);
  m.muscle_joint_hi.assign(m.nmuscle, -1);
  for (int i = 0; i < m.nmuscle; ++i)
    for (int k = m.muscle_point_begin[i]; k < m.muscle_point_begin[i + 1]; ++k) {
      int a = m.point_segment[k], b = k + 1 < m.muscle_point_begin[i + 1] ? m.point_segment[k + 1] : a;
      while (a != b) {
        int j;
        if (m.segment_depth[a] >= m.segment_depth[b]) {
          j = a - 1;
          m.piece_cross.push_back(j);
          a = m.segment_parent[a];
        } else {
          j = b - 1;
          m.piece_cross.push_back(-b);  // −(j + 1)
          b = m.segment_parent[b];
        }
        if (m.muscle_joint_lo[i] < 0 || j < m.muscle_joint_lo[i]) m.muscle_joint_lo[i] = j;
        m.muscle_joint_hi[i] = std::max(m.muscle_joint_hi[i], j);
      }
      m.piece_cross_begin.push_back(static_cast<int>(m.piece_cross.size()));
    }
  m.muscle_crosses_once.assign(m.nmuscle, 0);
  for (int i = 0; i < m.nmuscle; ++i) {
    if (m.muscle_joint_lo[i] < 0) continue;
    std::vector<int> times(m.muscle_joint_hi[i] - m.muscle_joint_lo[i] + 1, 0);
    for (int c = m.piece_cross_begin[m.muscle_point_begin[i]]; c < m.piece_cross_begin[m.muscle_point_begin[i + 1]]; ++c) {
      const int code = m.piece_cross[c];
      ++times[(code >= 0 ? code : -code - 1) - m.muscle_joint_lo[i]];
    }
    m.muscle_crosses_once[i] = std::all_of(times.begin(), times.end(), [](int t) { return t == 1; });
  }
  // Blended points: the fascicle's segments are every point's components' segments; its span is
  // every joint between them and their common ancestor (the joints below that ancestor turn the whole
  // path rigidly, so their moment arms are zero exactly). piece_cross stays that of the first
  // segments, which only the general route's fascicles ignore.
  auto common_ancestor = [&](int a, int b) {
    while (a != b) {
      if (m.segment_depth[a] >= m.segment_depth[b]) a = m.segment_parent[a];
      else b = m.segment_parent[b];
    }
    return a;
  };
  m.muscle_has_blend.assign(m.nmuscle, 0);
  m.muscle_path_root.assign(m.nmuscle, 0);
  for (int i = 0; i < m.nmuscle; ++i) {
    std::vector<int> segments;
    for (int k = m.muscle_point_begin[i]; k < m.muscle_point_begin[i + 1]; ++k) {
      segments.push_back(m.point_segment[k]);
      for (const Model::PointComponent& c : m.point_blend[k]) segments.push_back(c.segment), m.muscle_has_blend[i] = 1;
    }
    int root = segments.empty() ? 0 : segments[0];
    for (int s : segments) root = common_ancestor(root, s);
    m.muscle_path_root[i] = root;
    if (!m.muscle_has_blend[i]) continue;
    int lo = -1, hi = -1;
    for (int s : segments)
      for (int x = s; x != root; x = m.segment_parent[x]) {
        const int j = x - 1;  // joint j moves segment j + 1
        if (lo < 0 || j < lo) lo = j;
        hi = std::max(hi, j);
      }
    m.muscle_joint_lo[i] = lo;
    m.muscle_joint_hi[i] = hi;
    m.muscle_crosses_once[i] = 0;
  }
}

}  // namespace paraspine
