#pragma once
// Rotation conventions shared by every stage.
//
// World and segment frames are ISB-like: x anterior, y superior, z to the right.
// The three rotations of a joint, applied in this order (intrinsic, ISB spine sequence Z-X-Y,
// Wu et al. 2002 J Biomech 35:543):
//   0 flexion (+) / extension (-)       about -z  (the superior segment tips forward)
//   1 lateral bending, + to the right   about +x
//   2 axial rotation, + to the right    about -y  (the front of the superior segment turns right)
// The three axes (-z, x, -y) form a right-handed triad.
#include <Eigen/Core>
#include <Eigen/Geometry>
#include <array>

namespace paraspine {

using Vec3 = Eigen::Vector3d;
using Mat3 = Eigen::Matrix3d;

enum Axis : int { kFlexion = 0, kLateralBending = 1, kAxialRotation = 2 };
inline constexpr std::array<const char*, 3> kAxisNames = {"flexion", "lateral_bending",
                                                          "axial_rotation"};

// Unit axis of rotation `axis` in the joint's own (un-rotated) frame.
inline Vec3 joint_axis(int axis) {
  switch (axis) {
    case kFlexion: return Vec3(0, 0, -1);
    case kLateralBending: return Vec3(1, 0, 0);
    default: return Vec3(0, -1, 0);
  }
}

inline Mat3 axis_rotation(int axis, double angle) {
  return Eigen::AngleAxisd(angle, joint_axis(axis)).toRotationMatrix();
}

// R = R_flex(q0) R_lat(q1) R_axial(q2).
inline Mat3 joint_rotation(const Vec3& q) {
  return axis_rotation(kFlexion, q[0]) * axis_rotation(kLateralBending, q[1]) *
         axis_rotation(kAxialRotation, q[2]);
}

// OpenSim-style body-fixed X-Y-Z rotation (used for frame orientations in model files).
inline Mat3 rotation_xyz(const Vec3& a) {
  return (Eigen::AngleAxisd(a[0], Vec3::UnitX()) * Eigen::AngleAxisd(a[1], Vec3::UnitY()) *
          Eigen::AngleAxisd(a[2], Vec3::UnitZ()))
      .toRotationMatrix();
}

inline Mat3 skew(const Vec3& v) {
  Mat3 m;
  m << 0, -v.z(), v.y(), v.z(), 0, -v.x(), -v.y(), v.x(), 0;
  return m;
}

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double deg2rad(double d) { return d * kPi / 180.0; }
inline constexpr double rad2deg(double r) { return r * 180.0 / kPi; }

}  // namespace paraspine
