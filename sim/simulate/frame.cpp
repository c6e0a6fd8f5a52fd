#include "sim/simulate/frame.h"

#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/muscles/hill.h"
#include "sim/muscles/muscle_geometry.h"

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

}  // namespace paraspine
