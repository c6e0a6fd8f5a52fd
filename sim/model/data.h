#pragma once
// Data: everything one evaluation writes. Constructed once from a Model (all buffers sized there),
// then reused frame after frame without allocation. One Data per thread; the Model is shared.
#include <Eigen/Core>
#include <vector>

#include "sim/fatigue/three_compartment.h"
#include "sim/loadsharing/qp.h"
#include "sim/model/model.h"

namespace paraspine {

struct Data {
  explicit Data(const Model& m);

  // ---- kinematic state (input of forward_kinematics)
  Vec3 pelvis_position, pelvis_velocity, pelvis_acceleration;  // world, m, m/s, m/s²
  Vec3 pelvis_angles, pelvis_rates, pelvis_accels;             // rad, rad/s, rad/s² (joint convention)
  Eigen::VectorXd q, qd, qdd;                                  // (ndof) rad, rad/s, rad/s²

  // ---- kinematics (written by forward_kinematics)
  std::vector<Mat3> segment_rotation;     // (nsegment) segment axes in world
  Eigen::Matrix3Xd segment_origin;        // (3, nsegment) m, world
  Eigen::Matrix3Xd segment_omega;         // (3, nsegment) rad/s, world
  Eigen::Matrix3Xd segment_alpha;         // (3, nsegment) rad/s², world
  Eigen::Matrix3Xd segment_origin_vel;    // (3, nsegment) m/s
  Eigen::Matrix3Xd segment_origin_acc;    // (3, nsegment) m/s²
  Eigen::Matrix3Xd segment_com;           // (3, nsegment) m, world
  Eigen::Matrix3Xd segment_com_acc;       // (3, nsegment) m/s²
  Eigen::Matrix3Xd joint_center;          // (3, njoint) m, world
  std::vector<Mat3> joint_frame;          // (njoint) parent-side joint (disc) frame axes in world
  Eigen::Matrix3Xd dof_axis;              // (3, ndof) world unit axis of each rotation
  Eigen::VectorXi segment_in_subtree;     // scratch

  // ---- external loads (input of inverse_dynamics), world frame
  struct Hand {
    double load_mass = 0;              // kg held in this hand
    bool hanging = true;               // arm hangs straight down from the shoulder (position ignored)
    Vec3 position = Vec3::Zero();      // m, world: grip point when not hanging
    Vec3 acceleration = Vec3::Zero();  // m/s², world: grip acceleration when not hanging
    bool supported = false;            // the arm (and what it holds) rests on a support: its weight
                                       // goes to the support, not the shoulder (inertia still does)
    Vec3 force = Vec3::Zero();         // N, world: a force on the hand besides its load's weight (a
                                       // club's pull); the arm carries it to the shoulder girdle as
                                       // the load, also when the arm is supported
  };
  std::vector<Hand> hands;                 // one per model arm
  Eigen::Matrix3Xd external_force;         // (3, nsegment) N, applied at external_point
  Eigen::Matrix3Xd external_point;         // (3, nsegment) m, world
  Eigen::Matrix3Xd external_moment;        // (3, nsegment) N·m (free moment)

  // ---- inverse dynamics (written by inverse_dynamics)
  Eigen::Matrix3Xd joint_force;            // (3, njoint) N, world: parent on child subtree
  Eigen::Matrix3Xd joint_moment;           // (3, njoint) N·m, world, about the joint centre
  Eigen::Matrix3Xd joint_force_local;      // (3, njoint) in the joint frame (x ant, y sup, z right)
  Eigen::Matrix3Xd joint_moment_local;     // (3, njoint) in the joint frame
  Eigen::VectorXd tau;                     // (ndof) N·m, net generalized moment per rotation
  Eigen::Matrix3Xd hand_position;          // (3, narm) m, world, as used (hanging or given)
  Eigen::Matrix3Xd subtree_force;          // scratch (3, nsegment)
  Eigen::Matrix3Xd subtree_moment;         // scratch (3, nsegment), about the world origin

  // ---- muscle geometry (written by muscle_geometry)
  Eigen::Matrix3Xd point_world;            // (3, npoint) m
  Eigen::Matrix3Xd piece_direction;        // (3, npoint) unit vector from point k to k+1 (0: last point, degenerate piece)
  Eigen::VectorXd piece_length;            // (npoint) m, from point k to k+1 (0: last point of a muscle)
  // Scratch of muscle_geometry: the three rotation axes of each joint as lines, Plücker coordinates
  // (e_a, (c_j − o) × e_a) about the pelvis origin o, 24 doubles per joint laid out for its product
  // with a path piece's line (sim/muscles/muscle_geometry.cpp).
  std::vector<double> joint_axis_lines;    // (24 njoint)
  Eigen::VectorXd muscle_length;           // (nmuscle) m, musculotendon length
  Eigen::VectorXd muscle_velocity;         // (nmuscle) m/s, lengthening positive
  Eigen::VectorXd fiber_length;            // (nmuscle) m
  Eigen::VectorXd fiber_velocity;          // (nmuscle) m/s
  Eigen::VectorXd cos_pennation;           // (nmuscle) cosine of the current pennation angle
  Eigen::MatrixXd moment_arm;              // (ndof, nmuscle) m: -∂length/∂q

  // ---- force capacity (written by muscle_capacity)
  Eigen::VectorXd fiber_length_norm;       // (nmuscle) l_f / l_opt
  Eigen::VectorXd fiber_velocity_norm;     // (nmuscle) v_f / (10 l_opt/s)
  Eigen::VectorXd force_active_max;        // (nmuscle) N along the tendon at full activation
  Eigen::VectorXd force_passive;           // (nmuscle) N along the tendon, passive fibres

  // ---- intra-abdominal pressure (written by load_sharing through sim/dynamics/abdominal_pressure.h)
  double abdominal_pressure = 0;              // Pa
  Eigen::VectorXd abdominal_pressure_moment;  // (ndof) N·m of τ carried by the pressure
  Eigen::Matrix3Xd abdominal_pressure_force;  // (3, njoint) N, world: on the body above each joint's cut

  // ---- load sharing (written by load_sharing; muscle_capacity is its input)
  Eigen::VectorXd muscle_capacity;         // (nmuscle) upper bound of activation: 1 fresh, less fatigued
  // The body leans on a support (a supported break, Scenario::break_posture) that carries every
  // moment the relaxed body leaves unbalanced: the muscles are silent, and load_sharing replaces tau
  // with the moments the relaxed tissues carry (passive joint laws, passive fibre forces). An input,
  // set per frame by the caller.
  bool trunk_supported = false;
  Eigen::VectorXd activation;              // (nmuscle)
  Eigen::VectorXd muscle_force;            // (nmuscle) N along the tendon: a F^act + F^pas
  Eigen::VectorXd muscle_moment;           // (ndof) N·m carried by muscles
  Eigen::VectorXd passive_joint_moment;    // (ndof) N·m from the moment–angle laws
  Eigen::VectorXd reserve;                 // (ndof) N·m from reserve actuators
  QpWorkspace qp;                          // solver state, warm start across frames
  bool loadsharing_warm = false;
  Eigen::VectorXd loadsharing_accepted;    // (nmuscle + 2 ndof) minmax: last reserve-free QP solution
  Eigen::VectorXd loadsharing_reserve_allowed;  // (ndof) minmax: each rotation's reserve without a ceiling, N·m
  Eigen::VectorXd loadsharing_retry_x, loadsharing_retry_lambda;  // a failed warm solve's answer while it is retried cold
  struct LoadSharingSummary {
    QpStatus status = QpStatus::kSolved;
    int qp_iterations = 0, outer_iterations = 0;
    int cold_retries = 0;  // warm-started solves that did not converge and were solved again from λ = 0
    // Reserves up to this (N·m) are the criterion's tolerance, not moments the muscles cannot carry:
    // minmax accepts a ceiling whose reserves exceed the unconstrained solve's by up to its band.
    double reserve_noise = 0;
    double equilibrium_residual = 0, max_reserve = 0, objective = 0;
  } loadsharing_info;

  // ---- passive tissue creep (written by creep_update; read by load_sharing's passive laws)
  Eigen::VectorXd creep;                   // (ndof) rad, flexion slack gained (flexion dofs only)
  Eigen::VectorXd creep_fast, creep_slow;  // (ndof) rad, its fast- and slow-recovering parts

  // ---- fatigue (written by fatigue_update; muscle_capacity is its output)
  std::vector<FatigueState> fatigue;       // (nmuscle) active / resting / fatigued fractions
  std::vector<FatigueStepCache> fatigue_cache;  // (nmuscle) each fascicle's last step map (a cache, not state)

  // ---- spinal loads (written by reactions)
  Eigen::Matrix3Xd contact_force;          // (3, njoint) N, world: on the body above each joint
  Eigen::Matrix3Xd disc_force;             // (3, njoint) N: compression, anterior shear, right shear
};

}  // namespace paraspine
