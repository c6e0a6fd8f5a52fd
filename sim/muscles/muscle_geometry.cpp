#include "sim/muscles/muscle_geometry.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "sim/loadsharing/vector_clones.h"
#include "sim/muscles/lanes.h"

namespace paraspine {

namespace {

// The world position of point k's component c (0: its first segment, c ≥ 1: Model::point_blend[k][c − 1]).
Vec3 component_world(const Model& m, const Data& d, int k, int c) {
  const int s = m.component_segment(k, c);
  const Vec3 local = m.component_pos(k, c);
  return d.segment_rotation[s] * local + d.segment_origin.col(s);
}

// Moment arms and length rate of a fascicle with a point on several segments, from each point's
// components: a rotation q about axis e of joint j (centre c) moves the component X of weight w on a
// segment beyond j by w e × (X − c), so a piece from A to B with direction u has
// −∂length/∂q = Σ_A w e · ((X − c) × u) − Σ_B w e · ((X − c) × u). Only the joints between the
// fascicle's segments and their common ancestor (Model::muscle_path_root) are summed: below it every
// component turns together and the path only turns rigidly. Pieces, directions and the joints' axis
// lines are already made.
void blended_moment_arms(const Model& m, Data& d, int i) {
  const auto [r0, r1] = muscle_dof_rows(m, i);
  double* arm = d.moment_arm.data() + static_cast<std::ptrdiff_t>(i) * m.ndof;
  std::fill(arm + r0, arm + r1, 0.0);
  const int first = m.muscle_point_begin[i], last = m.muscle_point_begin[i + 1] - 1;
  const int root = m.muscle_path_root[i];
  const Vec3 origin = d.segment_origin.col(0);  // the pelvis', as the axis lines'
  // e · ((X − c) × u) = e · μ + n · u with μ = (X − o) × u and the joint's axis lines (e, n) made for
  // the fast route (Data::joint_axis_lines, column k of the three rows at 4k). So each component adds
  // ±w (μ, u) to its segment, a joint's arms are its lines times the sum over the segments beyond it,
  // and those sums build up from the top of the tree down (parents precede children): one product
  // per joint instead of one per component and joint. On the stack for up to 64 segments.
  double sums_on_stack[6 * 64];
  std::vector<double> sums_on_heap;
  double* sums = m.nsegment <= 64 ? sums_on_stack : (sums_on_heap.resize(6 * static_cast<size_t>(m.nsegment)), sums_on_heap.data());
  std::fill(sums, sums + 6 * m.nsegment, 0.0);
  int top = root;  // the highest-numbered segment with a component
  for (int k = first; k < last; ++k) {
    if (d.piece_length[k] < 1e-12) continue;  // a degenerate piece: no direction, no moment arm
    const Vec3 u = Eigen::Map<const Vec3>(d.piece_direction.data() + 3 * k);
    for (int end = 0; end < 2; ++end) {
      const int p = k + end;
      const double sign = end == 0 ? 1.0 : -1.0;
      const int ncomponent = m.point_ncomponent(p);
      for (int c = 0; c < ncomponent; ++c) {
        const double w = sign * m.component_share(p, c);  // an ordinary point's one component: 1
        const int s = m.component_segment(p, c);
        const Vec3 mu = (component_world(m, d, p, c) - origin).cross(u);
        double* to = sums + 6 * s;
        for (int a = 0; a < 3; ++a) to[a] += w * mu[a], to[3 + a] += w * u[a];
        top = std::max(top, s);
      }
    }
  }
  for (int s = top; s > root; --s) {
    const double* sum = sums + 6 * s;  // every component on s and beyond it: its children are done
    const int j = s - 1;               // joint j moves segment j + 1
    if (j >= m.muscle_joint_lo[i] && j <= m.muscle_joint_hi[i]) {
      const double* rows = d.joint_axis_lines.data() + 24 * j;
      for (int a = 0; a < 3; ++a) {
        double r = 0;
        for (int k = 0; k < 6; ++k) r += rows[4 * k + a] * sum[k];
        arm[3 * j + a] = r;
      }
    }
    double* parent = sums + 6 * m.segment_parent[s];
    for (int k = 0; k < 6; ++k) parent[k] += sum[k];
  }
  double rate = 0;
  for (int r = r0; r < r1; ++r) rate += arm[r] * d.qd[r];
  d.muscle_velocity[i] = -rate;  // moment arms are −∂length/∂q
}

}  // namespace

// Four passes over plain arrays (docs/performance.md, session 5): the points; the pieces' lengths
// and directions, two pieces per square root and division (the stage's slowest instructions: one
// of each per piece instead of one square root and three divisions); per fascicle its length and
// moment arms; the fibres, two fascicles at a time.
//
// Compiled twice (vector_clones.h): the x86-64-v3 clone takes a crossing's three moment arms in one
// four-lane operation where the baseline takes two two-lane ones. Without fused multiply–adds
// (fp-contract=off) both clones do the same operations per value in the same order, so their
// results are the same bits (session 15, docs/performance.md).
__attribute__((optimize("fp-contract=off"))) PARASPINE_VECTOR_CLONES void muscle_geometry(const Model& m, Data& d) {
  const int npoint = m.npoint;
  const double* pos = m.point_pos.data();
  double* world = d.point_world.data();
  const double* origin = d.segment_origin.data();
  // Each segment's rotation columns and origin padded to four lanes (16 doubles; on the stack for up
  // to 64 segments, the bundled models have at most 26), so that a point is o + (c0 x + c1 y) + c2 z
  // in four-lane operations: per coordinate the operations and order of the scalar formula.
  double frames_on_stack[16 * 64];
  std::vector<double> frames_on_heap;
  double* frames = m.nsegment <= 64 ? frames_on_stack : (frames_on_heap.resize(16 * static_cast<size_t>(m.nsegment)), frames_on_heap.data());
  for (int s = 0; s < m.nsegment; ++s) {
    const double* R = d.segment_rotation[s].data();  // column-major
    double* f = frames + 16 * s;
    for (int c = 0; c < 3; ++c) {
      for (int r = 0; r < 3; ++r) f[4 * c + r] = R[3 * c + r];
      f[4 * c + 3] = 0;
      f[12 + c] = origin[3 * s + c];
    }
    f[15] = 0;
  }
  // The segment indices through a local pointer (the stores could alias the vector's own pointer
  // for all the compiler knows), the last point after the loop (its fourth lane would pass the end).
  const int* point_segment = m.point_segment.data();
  // The result through a reference: a vector returned by value trips GCC's -Wpsabi note in the
  // baseline clone (an ABI remark, not a problem here, but CI must build without warnings).
  auto point = [&](int k, Lanes4& out) {
    const double* f = frames + 16 * point_segment[k];
    const double x = pos[3 * k], y = pos[3 * k + 1], z = pos[3 * k + 2];
    Lanes4 c0, c1, c2, o;
    load4(c0, f), load4(c1, f + 4), load4(c2, f + 8), load4(o, f + 12);
    out = o + (c0 * x + c1 * y + c2 * z);
  };
  Lanes4 p;
  for (int k = 0; k + 1 < npoint; ++k) point(k, p), store4(world + 3 * k, p);  // its fourth lane is overwritten by the next point
  if (npoint > 0) {
    point(npoint - 1, p);
    world[3 * npoint - 3] = p[0], world[3 * npoint - 2] = p[1], world[3 * npoint - 1] = p[2];
  }
  // Points on several segments: the blend Σ w_c X_c of their material points (Model::point_blend), summed
  // in component order (two components: w0 X0 + w1 X1 per coordinate, the two-segment form's bits).
  // Such points belong to the fascicles marked in Model::muscle_has_blend: only their points are
  // looked at (a pass over all points' blend lists had cost 5.8 M instructions over the 400 lift
  // frames of BM_Pipeline/1, session 20; each point is still written independently of the others).
  const char* has_blend = m.muscle_has_blend.data();
  for (int i = 0; i < m.nmuscle; ++i) {
    if (!has_blend[i]) continue;
    for (int k = m.muscle_point_begin[i]; k < m.muscle_point_begin[i + 1]; ++k) {
      if (m.point_blend[k].empty()) continue;
      Vec3 p = m.point_share[k] * component_world(m, d, k, 0);
      for (int c = 1; c < m.point_ncomponent(k); ++c) p += m.component_share(k, c) * component_world(m, d, k, c);
      world[3 * k] = p[0], world[3 * k + 1] = p[1], world[3 * k + 2] = p[2];
    }
  }

  // Point k to k + 1 for every k, also across two fascicles (set to zero in the next pass).
  double* direction = d.piece_direction.data();
  double* piece_length = d.piece_length.data();
  // A piece's three components in four lanes (the fourth, the next point's, is never used; it is
  // stored into the next piece's first component, which that piece then writes, or into the last
  // point's, zeroed below); per component the operations of the scalar formula.
  // Pieces whose four-lane loads stay inside the points (k + kLanes + 1 < npoint: every piece of
  // the step has a point after its end) without the per-piece checks of the general loop below,
  // which takes the last ones (session 20: the checks were a fifth of this pass).
  int k_pieces = 0;
  for (; k_pieces + kLanes + 1 < npoint; k_pieces += kLanes) {
    const int k = k_pieces;
    Lanes4 ab[kLanes];
    Lanes squared;
    for (int p = 0; p < kLanes; ++p) {
      Lanes4 a, b;
      load4(a, world + 3 * (k + p)), load4(b, world + 3 * (k + p) + 3);
      ab[p] = b - a;
      const Lanes4 sq = ab[p] * ab[p];
      squared[p] = sq[0] + sq[1] + sq[2];
    }
    const Lanes l = sqrt_lanes(squared);
    const Lanes inverse = select(l < 1e-12, lanes(0.0), 1.0 / l);  // a degenerate piece has no direction
    for (int p = 0; p < kLanes; ++p) {
      piece_length[k + p] = l[p];
      store4(direction + 3 * (k + p), ab[p] * inverse[p]);
    }
  }
  for (int k = k_pieces; k + 1 < npoint; k += kLanes) {
    Lanes4 ab[kLanes] = {};
    Lanes squared;
    for (int p = 0; p < kLanes; ++p) {
      const int kp = std::min(k + p, npoint - 2);  // the last pair may repeat a piece
      if (kp + 2 < npoint) {
        Lanes4 a, b;
        load4(a, world + 3 * kp), load4(b, world + 3 * kp + 3);
        ab[p] = b - a;
      } else {  // the last piece: four lanes from its end would read past the points
        for (int c = 0; c < 3; ++c) ab[p][c] = world[3 * kp + 3 + c] - world[3 * kp + c];
      }
      const Lanes4 sq = ab[p] * ab[p];
      squared[p] = sq[0] + sq[1] + sq[2];
    }
    const Lanes l = sqrt_lanes(squared);
    const Lanes inverse = select(l < 1e-12, lanes(0.0), 1.0 / l);  // a degenerate piece has no direction
    for (int p = 0; p < kLanes && k + p + 1 < npoint; ++p) {
      piece_length[k + p] = l[p];
      store4(direction + 3 * (k + p), ab[p] * inverse[p]);
    }
  }

  // Moment arms as the reciprocal product of two lines: rotation axis a of joint j through its centre
  // c_j, (e_a, n_a = (c_j − o) × e_a), and a piece's line through A along u, (u, μ = (A − o) × u):
  // e_a · ((A − c_j) × u) = e_a · μ + n_a · u. The axes' coordinates are made once per joint; a
  // crossing is then a 4 × 6 product, its three rows (and a pad) in one four-lane operation (half the
  // instructions of the lever arm and cross product per crossing even in two-lane halves). o, the pelvis origin, keeps the two terms of the order of the body's
  // size rather than of the distance to the world origin.
  const double* center = d.joint_center.data();
  const double* axes = d.dof_axis.data();  // joint j's three rotation axes: 9 doubles from 9 j
  const double* o = d.segment_origin.data();
  double* lines = d.joint_axis_lines.data();
  for (int j = 0; j < m.njoint; ++j) {
    const double c0 = center[3 * j] - o[0], c1 = center[3 * j + 1] - o[1], c2 = center[3 * j + 2] - o[2];
    double* w = lines + 24 * j;  // column k of the three rows (and a zero pad) at w[4k]
    for (int a = 0; a < 3; ++a) {
      const double* e = axes + 9 * j + 3 * a;
      const double row[6] = {e[0], e[1], e[2], c1 * e[2] - c2 * e[1], c2 * e[0] - c0 * e[2], c0 * e[1] - c1 * e[0]};
      for (int k = 0; k < 6; ++k) w[4 * k + a] = row[k];
    }
    for (int k = 0; k < 6; ++k) w[4 * k + 3] = 0;
  }
  // Each joint's rates padded to four, (q̇, 0), for the four-lane product with its moment arms (on
  // the stack for up to 64 joints; the bundled models have at most 25).
  double rates_on_stack[4 * 64];
  std::vector<double> rates_on_heap;
  double* joint_rates = m.njoint <= 64 ? rates_on_stack : (rates_on_heap.resize(4 * static_cast<size_t>(m.njoint)), rates_on_heap.data());
  for (int j = 0; j < m.njoint; ++j) {
    for (int a = 0; a < 3; ++a) joint_rates[4 * j + a] = d.qd[3 * j + a];
    joint_rates[4 * j + 3] = 0;
  }
  const int ndof = m.ndof;
  // Raw pointers: the stores below could alias a std::vector's own pointers for all the compiler
  // knows, which made it reload them at every crossing.
  const int* cross = m.piece_cross.data();
  const int* cross_begin = m.piece_cross_begin.data();
  const int* point_begin = m.muscle_point_begin.data();
  const char* crosses_once = m.muscle_crosses_once.data();
  double* moment_arm = d.moment_arm.data();
  const int nmuscle = m.nmuscle;
  for (int i = 0; i < nmuscle; ++i) {
    const int first = point_begin[i], last = point_begin[i + 1] - 1;
    piece_length[last] = 0;
    direction[3 * last] = direction[3 * last + 1] = direction[3 * last + 2] = 0;
    if (m.muscle_has_blend[i]) {
      double length = 0;
      for (int k = first; k < last; ++k) length += piece_length[k];
      d.muscle_length[i] = length;
      blended_moment_arms(m, d, i);
      continue;
    }
    double* arm = moment_arm + static_cast<std::ptrdiff_t>(i) * ndof;
    // Only the rows of the joints the fascicle crosses can be non-zero (the joints of a chain between
    // its two ends are contiguous, Model::muscle_joint_lo/hi); the rest of its column stays zero.
    // A fascicle that crosses each joint of its span once (Model::muscle_crosses_once, all of the
    // bundled models') has each moment arm written once; otherwise the span is cleared and summed into.
    const bool once = crosses_once[i];
    if (!once) {
      const auto [r0, r1] = muscle_dof_rows(m, i);
      std::fill(arm + r0, arm + r1, 0.0);
    }
    double length = 0;
    Lanes4 rates = {0, 0, 0, 0};  // lanes 0–2: Σ moment arm × q̇ of the three rotations (lane 3 unused)
    for (int k = first; k < last; ++k) {
      length += piece_length[k];
      const int c0 = cross_begin[k], c1 = cross_begin[k + 1];
      if (c0 == c1) continue;
      if (piece_length[k] < 1e-12) {  // a degenerate piece: no direction, no moment arm
        for (int c = c0; c < c1; ++c) {
          const int code = cross[c], j = code >= 0 ? code : -code - 1;
          if (once) arm[3 * j] = arm[3 * j + 1] = arm[3 * j + 2] = 0;
        }
        continue;
      }
      const double* u = direction + 3 * k;
      const double a0 = world[3 * k] - o[0], a1 = world[3 * k + 1] - o[1], a2 = world[3 * k + 2] - o[2];
      const double v0 = a1 * u[2] - a2 * u[1], v1 = a2 * u[0] - a0 * u[2], v2 = a0 * u[1] - a1 * u[0];
      const double v3 = u[0], v4 = u[1], v5 = u[2];
      // Every joint between the piece's two segments (Model::piece_cross): a joint below A's segment
      // moves A only, one below B's moves B only, with the opposite sign.
      for (int c = c0; c < c1; ++c) {
        // j from its code without a branch or select (−(j + 1) = ~j), the sign as ±1 from the code's
        // sign bit.
        const int code = cross[c], j = code ^ (code >> 31);
        const double sign = static_cast<double>((code >> 31) | 1);
        const double* w = lines + 24 * j;
        Lanes4 w0, w1, w2, w3, w4, w5, qd;
        load4(w0, w), load4(w1, w + 4), load4(w2, w + 8), load4(w3, w + 12), load4(w4, w + 16), load4(w5, w + 20);
        load4(qd, joint_rates + 4 * j);
        const Lanes4 r = sign * ((w0 * v0 + w1 * v1 + w2 * v2) + (w3 * v3 + w4 * v4 + w5 * v5));
        double* out = arm + 3 * j;
        if (once) {
          out[0] = r[0], out[1] = r[1], out[2] = r[2];
        } else {
          out[0] += r[0], out[1] += r[1], out[2] += r[2];
        }
        rates += r * qd;
      }
    }
    const double rate = rates[0] + rates[1] + rates[2];
    d.muscle_length[i] = length;
    d.muscle_velocity[i] = -rate;  // moment arms are −∂length/∂q
  }

  // Rigid tendon, constant-thickness pennation: the fibre's width w = l_opt sin α_opt stays, its
  // length along the tendon is what the tendon leaves. Four fascicles per step (the square root as
  // two two-lane ones), the last one to three by the two-lane loop: the same operations per value.
  const double *width = m.muscle_fiber_width.data(), *slack = m.muscle_lts.data();
  const double *mt_length = d.muscle_length.data(), *mt_velocity = d.muscle_velocity.data();
  double *fibre_length = d.fiber_length.data(), *cos_pennation = d.cos_pennation.data(), *fibre_rate = d.fiber_velocity.data();
  int i4 = 0;
  for (; i4 + 4 <= m.nmuscle; i4 += 4) {
    Lanes4 w, length, lts, velocity;
    load4(w, width + i4), load4(length, mt_length + i4), load4(lts, slack + i4), load4(velocity, mt_velocity + i4);
    const Lanes4 zero = {0, 0, 0, 0}, one = {1, 1, 1, 1};
    const Lanes4 excess = length - lts;
    const Lanes4 along = excess < 0.0 ? zero : excess;  // std::max(excess, 0.0)
    const Lanes4 squared = along * along + w * w;
    Lanes half[2];
    std::memcpy(half, &squared, sizeof half);
    half[0] = sqrt_lanes(half[0]), half[1] = sqrt_lanes(half[1]);
    Lanes4 lf;
    std::memcpy(&lf, half, sizeof lf);
    const Lanes4 ratio = along / lf;
    store4(fibre_length + i4, lf);
    store4(cos_pennation + i4, lf > 0.0 ? ratio : one);
    store4(fibre_rate + i4, lf > 0.0 ? ratio * velocity : zero);
  }
  for (int i = i4; i < m.nmuscle; i += kLanes) {
    const int n = std::min(kLanes, m.nmuscle - i);
    Lanes w = lanes(1.0), along = lanes(0.0), velocity = lanes(0.0);
    for (int p = 0; p < n; ++p) {
      w[p] = m.muscle_fiber_width[i + p];
      along[p] = std::max(d.muscle_length[i + p] - m.muscle_lts[i + p], 0.0);
      velocity[p] = d.muscle_velocity[i + p];
    }
    const Lanes lf = sqrt_lanes(along * along + w * w);
    const LaneBits positive = lf > 0.0;
    const Lanes cosine = select(positive, along / lf, lanes(1.0));
    const Lanes fibre_velocity = select(positive, along / lf * velocity, lanes(0.0));
    for (int p = 0; p < n; ++p) {
      d.fiber_length[i + p] = lf[p];
      d.cos_pennation[i + p] = cosine[p];
      d.fiber_velocity[i + p] = fibre_velocity[p];
    }
  }
}

}  // namespace paraspine
