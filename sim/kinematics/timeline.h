#pragma once
// A posture timeline: keyframed postures interpolated smoothly, so that velocities and
// accelerations (for inertial loads) come out analytically, never from noisy finite differences
// of keyframes.
//
// Interpolation: shape-preserving quintic Hermite per channel (pelvis position, pelvis angles and
// every per-level angle). Node velocities follow Fritsch–Butland (1984, SIAM J Sci Stat Comput
// 5:300): zero at local extrema and holds, the weighted harmonic mean of the neighbouring slopes
// elsewhere. Node accelerations: zero next to a hold, the second divided difference at an extremum,
// the central difference of node velocities otherwise. Keyframed motion starts and ends at rest. A
// motion file's rows (SplineEnds::kFromData: samples of a longer, smooth movement) take node slopes
// from the polynomial through the five rows centred on each (monotone rows capped so they do not
// overshoot) and curvatures from the central difference of those slopes, so turning points between
// rows keep smooth accelerations without amplifying sensor noise (audit24o, review24). The result is twice
// continuously differentiable, holds stay exactly still and, for keyframes, no channel overshoots
// at a hold.
#include <memory>
#include <vector>

#include "sim/kinematics/posture.h"
#include "sim/model/data.h"

namespace paraspine {

// The quintic Hermite basis at s ∈ [0, 1] of a keyframe interval: the weights of the value, slope
// and curvature at both ends (p0, v0, a0, a1, v1, p1) in the value and its first two derivatives
// with respect to s. The same for every channel of a timeline, so made once per sample.
struct HermiteBasis {
  double y[6], dy[6], ddy[6];
  explicit HermiteBasis(double s);
};

// How a spline ends, and what its nodes are. kAtRest: keyframes, shape-preserving, zero velocity and
// acceleration at the first and last knot (a task starts and ends still). kFromData: rows of a
// measured trial (node slopes from five rows, curvatures from the slopes' central differences, the
// data's own slope at the ends), for rows cut mid-movement: forced to rest, such a trial's whole end velocity changed within one row, and the
// first and last frames carried an inertial spike that grew with the sampling rate (audit22b: a
// 30°/s lumbar ramp at 100 Hz read 2099 N at L4-L5 in its last frame against 1117 N around it).
enum class SplineEnds { kAtRest, kFromData };

class ShapePreservingSpline {
 public:
  ShapePreservingSpline() = default;
  ShapePreservingSpline(std::vector<double> t, std::vector<double> y);
  // The same on knot times shared with other splines (a timeline's channels, a scenario's hand and
  // force splines: a motion file's 288 000 knots are then held once, not once per channel). Values
  // that are all equal are kept as one (a posture channel that never moves, a hand that hangs
  // throughout): every evaluation, by interval or by time, gives the bits the plain constructor's
  // spline gives (the same formula with its zero slopes and curvatures).
  static ShapePreservingSpline on_shared_knots(std::shared_ptr<const std::vector<double>> t, std::vector<double> y,
                                               SplineEnds ends = SplineEnds::kAtRest);
  // A spline that holds `value` at every one of the shared knots, without a value per knot.
  static ShapePreservingSpline held(std::shared_ptr<const std::vector<double>> t, double value);
  // Value, first and second derivative at time t (clamped to the keyframe span: outside it the
  // first or last value, held still; at the span's ends the end condition's derivatives).
  void evaluate(double t, double& y, double& yd, double& ydd) const;
  // The same inside interval k (t_k ≤ t < t_k+1, of length h), its basis already made.
  void evaluate(size_t k, double h, const HermiteBasis& b, double& y, double& yd, double& ydd) const;

 private:
  struct SharedKnots {};
  ShapePreservingSpline(SharedKnots, std::shared_ptr<const std::vector<double>> t, std::vector<double> y, bool compact,
                        SplineEnds ends = SplineEnds::kAtRest);
  std::shared_ptr<const std::vector<double>> t_;  // the knots, possibly shared
  std::vector<double> y_, v_, a_;
  bool constant_ = false;  // all values equal, kept as one: y_ holds it, no v_ and a_
  bool moving_ends_ = false;  // kFromData and not constant: the span's ends have their own derivatives
};

class PostureTimeline {
 public:
  // Keyframe times must be strictly increasing; postures sized for `m`.
  PostureTimeline(const Model& m, const std::vector<double>& times,
                  const std::vector<Posture>& postures, SplineEnds ends = SplineEnds::kAtRest);
  double start() const { return times_->front(); }
  double end() const { return times_->back(); }
  // Writes pelvis position/angles and q with their first and second derivatives into d.
  void sample(double t, Data& d) const;

 private:
  std::shared_ptr<const std::vector<double>> times_;  // shared with every channel
  int ndof_ = 0;
  std::vector<ShapePreservingSpline> channels_;  // 3 pelvis position, 3 pelvis angles, ndof q
};

}  // namespace paraspine
