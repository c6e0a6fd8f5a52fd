#include "sim/model/data.h"

#include <limits>
#include <tuple>

namespace paraspine {

Data::Data(const Model& m)
    : pelvis_position(Vec3::Zero()),
      pelvis_velocity(Vec3::Zero()),
      pelvis_acceleration(Vec3::Zero()),
      pelvis_angles(Vec3::Zero()),
      pelvis_rates(Vec3::Zero()),
      pelvis_accels(Vec3::Zero()),
      q(Eigen::VectorXd::Zero(m.ndof)),
      qd(Eigen::VectorXd::Zero(m.ndof)),
      qdd(Eigen::VectorXd::Zero(m.ndof)),
      segment_rotation(m.nsegment, Mat3::Identity()),
      segment_origin(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      segment_omega(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      segment_alpha(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      segment_origin_vel(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      segment_origin_acc(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      segment_com(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      segment_com_acc(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      joint_center(Eigen::Matrix3Xd::Zero(3, m.njoint)),
      joint_frame(m.njoint, Mat3::Identity()),
      dof_axis(Eigen::Matrix3Xd::Zero(3, m.ndof)),
      segment_in_subtree(Eigen::VectorXi::Zero(m.nsegment)),
      hands(m.arms.size()),
      external_force(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      external_point(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      external_moment(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      joint_force(Eigen::Matrix3Xd::Zero(3, m.njoint)),
      joint_moment(Eigen::Matrix3Xd::Zero(3, m.njoint)),
      joint_force_local(Eigen::Matrix3Xd::Zero(3, m.njoint)),
      joint_moment_local(Eigen::Matrix3Xd::Zero(3, m.njoint)),
      tau(Eigen::VectorXd::Zero(m.ndof)),
      hand_position(Eigen::Matrix3Xd::Zero(3, m.arms.size())),
      subtree_force(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      subtree_moment(Eigen::Matrix3Xd::Zero(3, m.nsegment)),
      point_world(Eigen::Matrix3Xd::Zero(3, m.npoint)),
      piece_direction(Eigen::Matrix3Xd::Zero(3, m.npoint)),
      piece_length(Eigen::VectorXd::Zero(m.npoint)),
      joint_axis_lines(24 * static_cast<size_t>(m.njoint), 0.0),
      muscle_length(Eigen::VectorXd::Zero(m.nmuscle)),
      muscle_velocity(Eigen::VectorXd::Zero(m.nmuscle)),
      fiber_length(Eigen::VectorXd::Zero(m.nmuscle)),
      fiber_velocity(Eigen::VectorXd::Zero(m.nmuscle)),
      cos_pennation(Eigen::VectorXd::Ones(m.nmuscle)),
      moment_arm(Eigen::MatrixXd::Zero(m.ndof, m.nmuscle)),
      fiber_length_norm(Eigen::VectorXd::Zero(m.nmuscle)),
      fiber_velocity_norm(Eigen::VectorXd::Zero(m.nmuscle)),
      force_active_max(Eigen::VectorXd::Zero(m.nmuscle)),
      force_passive(Eigen::VectorXd::Zero(m.nmuscle)),
      abdominal_pressure_moment(Eigen::VectorXd::Zero(m.ndof)),
      abdominal_pressure_force(Eigen::Matrix3Xd::Zero(3, m.njoint)),
      muscle_capacity(Eigen::VectorXd::Ones(m.nmuscle)),
      activation(Eigen::VectorXd::Zero(m.nmuscle)),
      muscle_force(Eigen::VectorXd::Zero(m.nmuscle)),
      muscle_moment(Eigen::VectorXd::Zero(m.ndof)),
      passive_joint_moment(Eigen::VectorXd::Zero(m.ndof)),
      reserve(Eigen::VectorXd::Zero(m.ndof)),
      creep(Eigen::VectorXd::Zero(m.ndof)),
      creep_fast(Eigen::VectorXd::Zero(m.ndof)),
      creep_slow(Eigen::VectorXd::Zero(m.ndof)),
      fatigue(m.nmuscle),
      fatigue_cache(m.nmuscle),
      contact_force(Eigen::Matrix3Xd::Zero(3, m.njoint)),
      disc_force(Eigen::Matrix3Xd::Zero(3, m.njoint)) {
  // The load-sharing QP: muscles, then two reserve columns per rotation (r = r⁺ − r⁻, both ≥ 0,
  // see loadsharing.h); a muscle's column is nonzero only on the rotations of the joints it crosses.
  qp_resize(qp, m.nmuscle + 2 * m.ndof, m.ndof);
  loadsharing_accepted = Eigen::VectorXd::Zero(m.nmuscle + 2 * m.ndof);
  loadsharing_retry_x = Eigen::VectorXd::Zero(m.nmuscle + 2 * m.ndof);  // the QP's sizes: a retry allocates nothing
  loadsharing_retry_lambda = Eigen::VectorXd::Zero(m.ndof);
  loadsharing_reserve_allowed = Eigen::VectorXd::Zero(m.ndof);
  std::vector<int> row_begin(qp.n), row_end(qp.n);
  for (int i = 0; i < m.nmuscle; ++i) std::tie(row_begin[i], row_end[i]) = muscle_dof_rows(m, i);
  for (int k = 0; k < m.ndof; ++k)
    for (int sign : {0, 1}) {
      row_begin[m.nmuscle + 2 * k + sign] = k;
      row_end[m.nmuscle + 2 * k + sign] = k + 1;
    }
  qp_set_rows(qp, row_begin, row_end);
  for (int k = 0; k < m.ndof; ++k)
    for (int sign : {0, 1}) {
      const int i = m.nmuscle + 2 * k + sign;
      qp_column(qp, i)[0] = sign ? -1.0 : 1.0;
      qp.lo[i] = 0;
      qp.hi[i] = std::numeric_limits<double>::infinity();
    }
}

}  // namespace paraspine
