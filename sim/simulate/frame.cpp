#include "sim/simulate/frame.h"

#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/muscles/hill.h"
#include "sim/muscles/muscle_geometry.h"

#include <cstring>

namespace paraspine {

void set_static_posture(const Model& m, const Posture& p, Data& d) {
  posture_to_angles(m, p, d.q);
  d.qd.setZero();
  d.qdd.setZero();
  d.pelvis_position = p.pelvis_position;
  d.pelvis_angles = p.pelvis_angles;
  d.pelvis_velocity.setZero();
  d.pelvis_acceleration.setZero();
  d.pelvis_rates.setZero();
  d.pelvis_accels.setZero();
}

void evaluate_frame(const Model& m, Data& d) {
  forward_kinematics(m, d);
  evaluate_frame_after_kinematics(m, d);
}

void evaluate_frame_after_kinematics(const Model& m, Data& d) {
  inverse_dynamics(m, d);
  muscle_geometry(m, d);
  muscle_capacity(m, d);
}

void forward_kinematics_memo(const Model& m, Data& d, KinematicsMemo& memo) {
  // Bitwise comparison (not ==): -0.0 and 0.0, or NaN, must not count as the same input.
  const size_t n = 3 * static_cast<size_t>(d.q.size()) + 18;
  double key[256];
  std::vector<double> big;
  double* k = n <= 256 ? key : (big.resize(n), big.data());
  size_t at = 0;
  auto put = [&](const double* v, Eigen::Index size) {
    std::memcpy(k + at, v, static_cast<size_t>(size) * sizeof(double));
    at += static_cast<size_t>(size);
  };
  put(d.q.data(), d.q.size()), put(d.qd.data(), d.qd.size()), put(d.qdd.data(), d.qdd.size());
  put(d.pelvis_position.data(), 3), put(d.pelvis_velocity.data(), 3), put(d.pelvis_acceleration.data(), 3);
  put(d.pelvis_angles.data(), 3), put(d.pelvis_rates.data(), 3), put(d.pelvis_accels.data(), 3);
  if (memo.valid && memo.inputs.size() == n && std::memcmp(memo.inputs.data(), k, n * sizeof(double)) == 0) return;
  forward_kinematics(m, d);
  memo.inputs.assign(k, k + n);
  memo.valid = true;
}

}  // namespace paraspine
