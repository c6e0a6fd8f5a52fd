#include "sim/model/model.h"

#include <algorithm>
#include <cmath>

namespace paraspine {

const char* side_name(Side s) {
  switch (s) {
    case Side::kRight: return "right";
    case Side::kLeft: return "left";
    default: return "midline";
  }
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

void finalize_model(Model& m) {
  m.segment_depth.assign(m.nsegment, 0);
  for (int s = 1; s < m.nsegment; ++s) m.segment_depth[s] = m.segment_depth[m.segment_parent[s]] + 1;
}

}  // namespace paraspine
