#include "sim/kinematics/timeline.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace paraspine {

namespace {

// Weights w[j][d] of the d-th derivative (d = 0, 1, 2) at z of the polynomial through the n ≤ 5
// points x[0..n): Σ_j w[j][d] f(x_j). Fornberg's recursion (B. Fornberg 1988, Generation of finite
// difference formulas on arbitrarily spaced grids, Math Comp 51:699), written from the paper.
void finite_difference_weights(const double* x, size_t n, double z, double w[5][3]) {
  for (size_t j = 0; j < 5; ++j) w[j][0] = w[j][1] = w[j][2] = 0;
  double c1 = 1, c4 = x[0] - z;
  w[0][0] = 1;
  for (size_t i = 1; i < n; ++i) {
    const int mn = static_cast<int>(std::min<size_t>(i, 2));
    double c2 = 1;
    const double c5 = c4;
    c4 = x[i] - z;
    for (size_t j = 0; j < i; ++j) {
      const double c3 = x[i] - x[j];
      c2 *= c3;
      if (j == i - 1) {
        for (int d = mn; d >= 1; --d) w[i][d] = c1 * (d * w[i - 1][d - 1] - c5 * w[i - 1][d]) / c2;
        w[i][0] = -c1 * c5 * w[i - 1][0] / c2;
      }
      for (int d = mn; d >= 1; --d) w[j][d] = (c4 * w[j][d] - d * w[j][d - 1]) / c3;
      w[j][0] = c4 * w[j][0] / c3;
    }
    c1 = c2;
  }
}

}  // namespace

ShapePreservingSpline::ShapePreservingSpline(std::vector<double> t, std::vector<double> y)
    : ShapePreservingSpline(SharedKnots{}, std::make_shared<const std::vector<double>>(std::move(t)), std::move(y), false) {}

ShapePreservingSpline ShapePreservingSpline::on_shared_knots(std::shared_ptr<const std::vector<double>> t, std::vector<double> y,
                                                             SplineEnds ends) {
  return ShapePreservingSpline(SharedKnots{}, std::move(t), std::move(y), true, ends);
}

ShapePreservingSpline ShapePreservingSpline::held(std::shared_ptr<const std::vector<double>> t, double value) {
  return ShapePreservingSpline(SharedKnots{}, std::move(t), {value}, true);
}

ShapePreservingSpline::ShapePreservingSpline(SharedKnots, std::shared_ptr<const std::vector<double>> knots, std::vector<double> y, bool compact,
                                             SplineEnds ends)
    : t_(std::move(knots)), y_(std::move(y)) {
  if (!t_) throw std::invalid_argument("spline: no knot times");
  const std::vector<double>& t = *t_;
  const size_t n = t.size();
  const bool one_value = compact && y_.size() == 1;  // held()
  if (n == 0 || (y_.size() != n && !one_value)) throw std::invalid_argument("spline: need matching, non-empty t and y");
  for (size_t k = 1; k < n; ++k)
    if (!(t[k] > t[k - 1])) throw std::invalid_argument("spline: times must increase strictly");
  if (compact && std::all_of(y_.begin(), y_.end(), [&](double v) { return v == y_.front(); })) {
    y_.resize(1), y_.shrink_to_fit();
    constant_ = true;
    return;
  }
  v_.assign(n, 0.0);
  a_.assign(n, 0.0);
  if (ends == SplineEnds::kFromData) {
    // Measured rows (a motion file): samples of a smooth movement whose turning points lie between
    // rows. The keyframes' rule below puts a zero slope at the row nearest a turn, and a 0.5-s
    // flexion sampled at 100 Hz had its acceleration swing ±30 % around it (audit24o #2; ±10 %
    // moments with jittered times, #3). Here a row's slope is the derivative of the polynomial through
    // the five rows centred on it (Fornberg's weights; the parabola through three next to the ends),
    // held within three times the smaller neighbouring slope where the rows rise or fall on both
    // sides, so monotone rows do not overshoot; its curvature is the central difference of the row
    // slopes, a stencil four rows wide. That curvature passes about a fifth of the sensor noise a
    // five-row interpolating second derivative does: tried first, exact on smooth data, it put 12 kN
    // of inertial load into the first frame of a trial with 0.05° of noise (review24 #1); this rule's
    // node accelerations on those rows are within 13 % of the keyframe rule's noise (interior RMS 455
    // against 404 °/s²) and at the ends below it. The ends keep the data's own, shape-preserving
    // slope (pchip's end condition) and the one-sided difference of row slopes. With two rows, the
    // straight line; a row next to an exact hold keeps the hold still.
    moving_ends_ = true;
    if (n == 2) {
      v_[0] = v_[1] = (y_[1] - y_[0]) / (t[1] - t[0]);
      return;
    }
    auto still = [&](size_t k) { return (k > 0 && y_[k] == y_[k - 1]) || (k + 1 < n && y_[k + 1] == y_[k]); };
    for (size_t k = 1; k + 1 < n; ++k) {
      if (still(k)) continue;
      const double h0 = t[k] - t[k - 1], h1 = t[k + 1] - t[k];
      const double d0 = (y_[k] - y_[k - 1]) / h0, d1 = (y_[k + 1] - y_[k]) / h1;
      double v = 0;
      if (k >= 2 && k + 2 < n) {  // centred on five rows: exact for quartics
        double w[5][3];
        finite_difference_weights(t.data() + k - 2, 5, t[k], w);
        for (size_t j = 0; j < 5; ++j) v += w[j][1] * y_[k - 2 + j];
      } else {  // next to an end: the parabola through three rows
        v = (h0 * d1 + h1 * d0) / (h0 + h1);
      }
      // Three times the smaller slope: the bound within which a cubic Hermite piece between monotone
      // data stays monotone (Fritsch & Carlson 1980, SIAM J Numer Anal 17:238, their α, β ≤ 3).
      if (d0 * d1 > 0) {
        const double cap = 3 * std::min(std::abs(d0), std::abs(d1));
        v = std::clamp(v, -cap, cap);
      }
      v_[k] = v;
    }
    auto end_slope = [&](double h0, double h1, double d0, double d1) {  // pchip's, shape-preserving
      double v = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
      if (v * d0 <= 0) return 0.0;
      if (d0 * d1 < 0 && std::abs(v) > 3 * std::abs(d0)) v = 3 * d0;
      return v;
    };
    const size_t m = n - 1;
    if (!still(0)) v_[0] = end_slope(t[1] - t[0], t[2] - t[1], (y_[1] - y_[0]) / (t[1] - t[0]), (y_[2] - y_[1]) / (t[2] - t[1]));
    if (!still(m))
      v_[m] = end_slope(t[m] - t[m - 1], t[m - 1] - t[m - 2], (y_[m] - y_[m - 1]) / (t[m] - t[m - 1]),
                        (y_[m - 1] - y_[m - 2]) / (t[m - 1] - t[m - 2]));
    for (size_t k = 1; k + 1 < n; ++k)
      if (!still(k)) a_[k] = (v_[k + 1] - v_[k - 1]) / (t[k + 1] - t[k - 1]);
    if (!still(0)) a_[0] = (v_[1] - v_[0]) / (t[1] - t[0]);
    if (!still(m)) a_[m] = (v_[m] - v_[m - 1]) / (t[m] - t[m - 1]);
    return;
  }
  for (size_t k = 1; k + 1 < n; ++k) {
    const double h0 = t[k] - t[k - 1], h1 = t[k + 1] - t[k];
    const double d0 = (y_[k] - y_[k - 1]) / h0, d1 = (y_[k + 1] - y_[k]) / h1;
    if (d0 * d1 > 0) {
      const double w0 = 2 * h1 + h0, w1 = h1 + 2 * h0;
      v_[k] = (w0 + w1) / (w0 / d0 + w1 / d1);
    }
  }
  for (size_t k = 1; k + 1 < n; ++k) {
    const double h0 = t[k] - t[k - 1], h1 = t[k + 1] - t[k];
    const double d0 = (y_[k] - y_[k - 1]) / h0, d1 = (y_[k + 1] - y_[k]) / h1;
    if (d0 == 0 || d1 == 0) continue;  // next to a hold: keep the hold exactly still
    if (v_[k] == 0)
      a_[k] = 2 * (d1 - d0) / (h0 + h1);  // extremum: curvature of the parabola through 3 nodes
    else
      a_[k] = (v_[k + 1] - v_[k - 1]) / (t[k + 1] - t[k - 1]);
  }
}

HermiteBasis::HermiteBasis(double s) {
  const double s2 = s * s, s3 = s2 * s, s4 = s3 * s, s5 = s4 * s;
  const double value[6] = {1 - 10 * s3 + 15 * s4 - 6 * s5, s - 6 * s3 + 8 * s4 - 3 * s5,
                           0.5 * s2 - 1.5 * s3 + 1.5 * s4 - 0.5 * s5, 0.5 * s3 - s4 + 0.5 * s5,
                           -4 * s3 + 7 * s4 - 3 * s5, 10 * s3 - 15 * s4 + 6 * s5};
  const double slope[6] = {-30 * s2 + 60 * s3 - 30 * s4, 1 - 18 * s2 + 32 * s3 - 15 * s4,
                           s - 4.5 * s2 + 6 * s3 - 2.5 * s4, 1.5 * s2 - 4 * s3 + 2.5 * s4,
                           -12 * s2 + 28 * s3 - 15 * s4, 30 * s2 - 60 * s3 + 30 * s4};
  const double curvature[6] = {-60 * s + 180 * s2 - 120 * s3, -36 * s + 96 * s2 - 60 * s3,
                               1 - 9 * s + 18 * s2 - 10 * s3, 3 * s - 12 * s2 + 10 * s3,
                               -24 * s + 84 * s2 - 60 * s3, 60 * s - 180 * s2 + 120 * s3};
  for (int i = 0; i < 6; ++i) {
    y[i] = value[i];
    dy[i] = slope[i];
    ddy[i] = curvature[i];
  }
}

void ShapePreservingSpline::evaluate(double t, double& y, double& yd, double& ydd) const {
  const std::vector<double>& knots = *t_;
  const size_t n = knots.size();
  // A frame's time in its cycle, rounded a hair past the last row, is the last row.
  if (moving_ends_ && t > knots.back() && t - knots.back() <= 1e-9 * (knots.back() - knots.front())) t = knots.back();
  if (n == 1 || t < knots.front() || (t == knots.front() && !moving_ends_)) { y = y_.front(); yd = ydd = 0; return; }
  if (t > knots.back() || (t == knots.back() && !moving_ends_)) { y = y_.back(); yd = ydd = 0; return; }
  if (t == knots.back()) {  // the last knot, with the end condition's derivatives
    evaluate(n - 2, knots[n - 1] - knots[n - 2], HermiteBasis(1.0), y, yd, ydd);
    return;
  }
  const size_t k = std::upper_bound(knots.begin(), knots.end(), t) - knots.begin() - 1;
  const double h = knots[k + 1] - knots[k];
  evaluate(k, h, HermiteBasis((t - knots[k]) / h), y, yd, ydd);
}

void ShapePreservingSpline::evaluate(size_t k, double h, const HermiteBasis& b, double& y, double& yd, double& ydd) const {
  // A constant spline's one value and its zero slopes and curvatures, through the same formula, so
  // that it gives the bits of the same values stored per knot.
  const size_t i0 = constant_ ? 0 : k, i1 = constant_ ? 0 : k + 1;
  const double p0 = y_[i0], p1 = y_[i1];
  const double v0 = (constant_ ? 0.0 : v_[k]) * h, v1 = (constant_ ? 0.0 : v_[k + 1]) * h;
  const double a0 = (constant_ ? 0.0 : a_[k]) * h * h, a1 = (constant_ ? 0.0 : a_[k + 1]) * h * h;
  y = b.y[0] * p0 + b.y[1] * v0 + b.y[2] * a0 + b.y[3] * a1 + b.y[4] * v1 + b.y[5] * p1;
  yd = (b.dy[0] * p0 + b.dy[1] * v0 + b.dy[2] * a0 + b.dy[3] * a1 + b.dy[4] * v1 + b.dy[5] * p1) / h;
  ydd = (b.ddy[0] * p0 + b.ddy[1] * v0 + b.ddy[2] * a0 + b.ddy[3] * a1 + b.ddy[4] * v1 + b.ddy[5] * p1) / (h * h);
}

PostureTimeline::PostureTimeline(const Model& m, const std::vector<double>& times,
                                 const std::vector<Posture>& postures, SplineEnds ends)
    : times_(std::make_shared<const std::vector<double>>(times)), ndof_(m.ndof) {
  if (times.empty() || times.size() != postures.size())
    throw std::invalid_argument("PostureTimeline: need one posture per keyframe time");
  const size_t n = times.size();
  const int nch = 6 + m.ndof;
  // Channel i of keyframe k's posture (q: that posture's angles).
  auto value = [&](const Posture& p, const Eigen::VectorXd& q, int i) {
    return i < 3 ? p.pelvis_position[i] : i < 6 ? p.pelvis_angles[i - 3] : q[i - 6];
  };
  // First pass: which channels move. Only those get a value per keyframe (the others are held()), so
  // a long motion file with a few moving rotations does not hold all 81 channels in full.
  Eigen::VectorXd q(m.ndof), q0(m.ndof);
  posture_to_angles(m, postures[0], q0);
  std::vector<bool> moves(nch, false);
  for (size_t k = 1; k < n; ++k) {
    posture_to_angles(m, postures[k], q);
    for (int i = 0; i < nch; ++i) moves[i] = moves[i] || value(postures[k], q, i) != value(postures[0], q0, i);
  }
  std::vector<std::vector<double>> ch(nch);
  for (int i = 0; i < nch; ++i)
    if (moves[i]) ch[i].assign(n, value(postures[0], q0, i));
  for (size_t k = 1; k < n; ++k) {
    posture_to_angles(m, postures[k], q);
    for (int i = 0; i < nch; ++i)
      if (moves[i]) ch[i][k] = value(postures[k], q, i);
  }
  for (int i = 0; i < nch; ++i)
    channels_.push_back(moves[i] ? ShapePreservingSpline::on_shared_knots(times_, std::move(ch[i]), ends)
                                 : ShapePreservingSpline::held(times_, value(postures[0], q0, i)));
}

void PostureTimeline::sample(double t, Data& d) const {
  // Every channel shares the keyframe times: the interval and its Hermite basis are found once.
  const std::vector<double>& times = *times_;
  const size_t n = times.size();
  if (n > 1 && t > times.front() && t < times.back()) {
    const size_t k = std::upper_bound(times.begin(), times.end(), t) - times.begin() - 1;
    const double h = times[k + 1] - times[k];
    const HermiteBasis b((t - times[k]) / h);
    for (int i = 0; i < 3; ++i) {
      channels_[i].evaluate(k, h, b, d.pelvis_position[i], d.pelvis_velocity[i], d.pelvis_acceleration[i]);
      channels_[3 + i].evaluate(k, h, b, d.pelvis_angles[i], d.pelvis_rates[i], d.pelvis_accels[i]);
    }
    for (int i = 0; i < ndof_; ++i) channels_[6 + i].evaluate(k, h, b, d.q[i], d.qd[i], d.qdd[i]);
    return;
  }
  for (int i = 0; i < 3; ++i) {
    channels_[i].evaluate(t, d.pelvis_position[i], d.pelvis_velocity[i], d.pelvis_acceleration[i]);
    channels_[3 + i].evaluate(t, d.pelvis_angles[i], d.pelvis_rates[i], d.pelvis_accels[i]);
  }
  for (int i = 0; i < ndof_; ++i) channels_[6 + i].evaluate(t, d.q[i], d.qd[i], d.qdd[i]);
}

}  // namespace paraspine
