#include "sim/simulate/extension_hold.h"

#include <stdexcept>

#include "sim/dynamics/inverse_dynamics.h"
#include "sim/fatigue/fatigue.h"
#include "sim/kinematics/posture.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

void check_pad(const Model& m, int pad_segment) {
  if (pad_segment < 0 || pad_segment >= m.nsegment)
    throw std::invalid_argument("extension hold: no pad segment " + std::to_string(pad_segment) + " in the model");
}

}  // namespace

void set_extension_hold(const Model& m, int pad_segment, double force_N, Data& d) {
  check_pad(m, pad_segment);
  set_static_posture(m, neutral_posture(m), d);
  clear_loads(m, d);
  evaluate_frame(m, d);  // the pad's place is the segment's origin in this posture
  d.external_force.col(pad_segment) = Vec3(force_N, 0, 0);
  d.external_point.col(pad_segment) = d.segment_origin.col(pad_segment);
  evaluate_frame(m, d);
}

PadExertionResult extension_hold_max_force(const Model& m, const LoadSharingSettings& s, int pad_segment) {
  check_pad(m, pad_segment);
  Data d(m);
  fatigue_reset(m, d);
  set_static_posture(m, neutral_posture(m), d);
  PadExertion p;
  p.segment = pad_segment;
  p.upper_N = kExtensionHoldUpperN;
  const PadExertionResult r = max_pad_exertion(m, s, p, d);
  // Neither end of the bracket is a maximal effort to take a share of.
  if (!(r.force_N > 0))
    throw std::invalid_argument("the model needs reserves standing neutral with no pad force at all: it has no maximal "
                                "effort at the pad on " + m.segment_name[pad_segment]);
  if (r.force_N > kExtensionHoldUpperN - 2 * p.tolerance_N)
    throw std::invalid_argument("a pad on " + m.segment_name[pad_segment] + " is held at every force up to " +
                                std::to_string(static_cast<int>(kExtensionHoldUpperN)) +
                                " N: no muscle resists it (the pad belongs on the trunk above the braced pelvis, e.g. T8)");
  return r;
}

ExtensionHoldResult extension_hold_endurance(const Model& m, const LoadSharingSettings& s, int pad_segment,
                                             double force_N, double limit_s) {
  check_pad(m, pad_segment);
  Data d(m), probe(m);
  ExtensionHoldResult r;
  fatigue_reset(m, d);
  set_extension_hold(m, pad_segment, force_N, d);
  for (double t = 0; t < limit_s; t += 1.0) {
    load_sharing(m, s, d);
    const TaskFailure f = check_task_failure(m, s, d, probe);
    if (f.failed) {
      r.endurance_s = t;
      r.failed = true;
      r.failure = f;
      return r;
    }
    fatigue_update(m, m.muscle_fatigue, 1.0, d);
  }
  r.endurance_s = limit_s;
  return r;
}

}  // namespace paraspine
