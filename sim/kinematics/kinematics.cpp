#include "sim/kinematics/kinematics.h"

#include <cmath>

#include "sim/loadsharing/vector_clones.h"

namespace paraspine {

namespace {

// Eigen::AngleAxisd(angle, joint_axis(axis)).toRotationMatrix() from the angle's sine and cosine, by
// the same operations in the same order (so bit-identical): a joint's three sines and cosines are
// then taken once per frame, not once for its axes and again for its rotation (trigonometric calls
// were 40 % of the stage's instructions).
Mat3 axis_rotation(int axis, double sine, double cosine) {
  const Vec3 n = joint_axis(axis);
  const Vec3 sin_axis = sine * n, cos1_axis = (1.0 - cosine) * n;
  Mat3 r;
  double t = cos1_axis.x() * n.y();
  r(0, 1) = t - sin_axis.z();
  r(1, 0) = t + sin_axis.z();
  t = cos1_axis.x() * n.z();
  r(0, 2) = t + sin_axis.y();
  r(2, 0) = t - sin_axis.y();
  t = cos1_axis.y() * n.z();
  r(1, 2) = t - sin_axis.x();
  r(2, 1) = t + sin_axis.x();
  for (int k = 0; k < 3; ++k) r(k, k) = cos1_axis[k] * n[k] + cosine;
  return r;
}

// rotation_axes with the first two elementary rotations already made.
void rotation_axes(const Mat3& frame, const Mat3& r_flexion, const Mat3& r_lateral, Mat3& axes) {
  const Mat3 r0 = frame * r_flexion;
  axes.col(0) = frame * joint_axis(kFlexion);
  axes.col(1) = r0 * joint_axis(kLateralBending);
  axes.col(2) = r0 * r_lateral * joint_axis(kAxialRotation);
}

}  // namespace

void rotation_axes(const Mat3& frame, const Vec3& q, Mat3& axes) {
  // Intrinsic sequence: each axis is carried by the rotations before it.
  rotation_axes(frame, paraspine::axis_rotation(kFlexion, q[0]), paraspine::axis_rotation(kLateralBending, q[1]), axes);
}

namespace {

// Angular velocity and acceleration added by three intrinsic rotations about `axes`, on top of a
// frame that already turns with (w, a).
void add_rotation_rates(const Mat3& axes, const Vec3& qd, const Vec3& qdd, Vec3& w, Vec3& a) {
  for (int k = 0; k < 3; ++k) {
    // Axis k is fixed in the frame turning with the current w: d(axis)/dt = w × axis.
    a += w.cross(axes.col(k)) * qd[k] + axes.col(k) * qdd[k];
    w += axes.col(k) * qd[k];
  }
}

}  // namespace

__attribute__((optimize("fp-contract=off"))) PARASPINE_VECTOR_CLONES void forward_kinematics(const Model& m, Data& d) {
  // Root: the pelvis, rotated from the world by the same three-rotation sequence.
  {
    Mat3 axes;
    rotation_axes(Mat3::Identity(), d.pelvis_angles, axes);
    d.segment_rotation[0] = joint_rotation(d.pelvis_angles);
    d.segment_origin.col(0) = d.pelvis_position;
    d.segment_origin_vel.col(0) = d.pelvis_velocity;
    d.segment_origin_acc.col(0) = d.pelvis_acceleration;
    Vec3 w = Vec3::Zero(), a = Vec3::Zero();
    add_rotation_rates(axes, d.pelvis_rates, d.pelvis_accels, w, a);
    d.segment_omega.col(0) = w;
    d.segment_alpha.col(0) = a;
  }
  for (int j = 0; j < m.njoint; ++j) {
    const int c = m.joint_child(j), p = m.joint_parent(j);
    const Mat3& Rp = d.segment_rotation[p];
    const Vec3 wp = d.segment_omega.col(p), ap = d.segment_alpha.col(p);
    const Vec3 q = d.q.segment<3>(3 * j), qd = d.qd.segment<3>(3 * j), qdd = d.qdd.segment<3>(3 * j);

    const Mat3 frame = Rp * m.joint_rot_in_parent[j];
    d.joint_frame[j] = frame;
    const Mat3 rf = axis_rotation(kFlexion, std::sin(q[0]), std::cos(q[0]));
    const Mat3 rl = axis_rotation(kLateralBending, std::sin(q[1]), std::cos(q[1]));
    const Mat3 ra = axis_rotation(kAxialRotation, std::sin(q[2]), std::cos(q[2]));
    Mat3 axes;
    rotation_axes(frame, rf, rl, axes);
    d.dof_axis.middleCols<3>(3 * j) = axes;
    const Mat3 rotation = rf * rl * ra;  // joint_rotation(q)
    const Mat3 Rc = frame * rotation * m.joint_rot_in_child[j].transpose();
    d.segment_rotation[c] = Rc;

    // Joint centre: fixed in the parent.
    const Vec3 r1 = Rp * m.joint_pos_in_parent.col(j);
    const Vec3 cj = d.segment_origin.col(p) + r1;
    d.joint_center.col(j) = cj;
    const Vec3 vc = d.segment_origin_vel.col(p) + wp.cross(r1);
    const Vec3 ac = d.segment_origin_acc.col(p) + ap.cross(r1) + wp.cross(wp.cross(r1));

    Vec3 w = wp, a = ap;
    add_rotation_rates(axes, qd, qdd, w, a);
    d.segment_omega.col(c) = w;
    d.segment_alpha.col(c) = a;

    // Child origin: fixed in the child, offset from the joint centre.
    const Vec3 r2 = -(Rc * m.joint_pos_in_child.col(j));
    d.segment_origin.col(c) = cj + r2;
    d.segment_origin_vel.col(c) = vc + w.cross(r2);
    d.segment_origin_acc.col(c) = ac + a.cross(r2) + w.cross(w.cross(r2));
  }
  for (int s = 0; s < m.nsegment; ++s) {
    const Vec3 r = d.segment_rotation[s] * m.segment_com.col(s);
    const Vec3 w = d.segment_omega.col(s);
    d.segment_com.col(s) = d.segment_origin.col(s) + r;
    d.segment_com_acc.col(s) =
        d.segment_origin_acc.col(s) + d.segment_alpha.col(s).cross(r) + w.cross(w.cross(r));
  }
}

}  // namespace paraspine
