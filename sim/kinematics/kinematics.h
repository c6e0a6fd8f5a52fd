#pragma once
// Forward kinematics: joint angles and their rates → every segment frame, angular velocity and
// acceleration, origin and centre-of-mass accelerations, joint centres, disc frames and the world
// axis of every rotation.
//
// Input  (Data): pelvis_position/velocity/acceleration, pelvis_angles/rates/accels, q, qd, qdd.
// Output (Data): segment_rotation, segment_origin, segment_omega, segment_alpha,
//                segment_origin_vel, segment_origin_acc, segment_com, segment_com_acc,
//                joint_center, joint_frame, dof_axis.
// Frame chain for joint j (parent P, child C):
//   R_C = R_P · A_P · R(q_j) · A_Cᵀ,   p_C = c_j − R_C · b_C,   c_j = p_P + R_P · b_P
// with (b_P, A_P) the joint frame in the parent and (b_C, A_C) in the child, R(q) as in
// common/rotation.h. No allocation.
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

void forward_kinematics(const Model& m, Data& d);

// World axes of the three rotations of a joint whose un-rotated frame has axes `frame`, at angles q.
void rotation_axes(const Mat3& frame, const Vec3& q, Mat3& axes);

}  // namespace paraspine
