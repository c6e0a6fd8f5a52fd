#pragma once
// A sustained trunk-extension hold as the endurance studies run it on a dynamometer (Frey Law &
// Avin 2010's trunk data; the protocol as far as the stored texts reach:
// docs/sources/endurance_hold_protocol.md): standing neutral, pelvis braced, the subject pushes back
// against a pad at the mid back, which pushes horizontally forward at the pad segment's origin
// (T8's by default). "f % of maximal effort" is f × the largest pad force held fresh, without
// reserves, at the same pad in the same posture, gravity acting in both, as a dynamometer reads
// only the external force (max_pad_exertion). The hold then runs in 1-s steps — load sharing, the
// task-failure check (endurance.h), the fatigue update — until the task fails.
//
// Why here and not in a test: the same protocol is the C++ test of the fatigue model
// (FatigueLiterature.SustainedTrunkExtension*, tests/cpp/test_fatigue_literature.cpp) and the
// validation cases `paraspine validate` runs (metric extension_hold_endurance,
// tests/validation/cases.yaml). One implementation keeps the two from drifting apart: both report
// the same seconds because they run the same operations in the same order.
#include <string>

#include "sim/fatigue/endurance.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/model/data.h"
#include "sim/model/model.h"
#include "sim/simulate/max_exertion.h"

namespace paraspine {

// The pad a hold pushes on when none is named.
constexpr const char* kExtensionHoldPad = "T8";
// The maximal-effort search's upper end, N: a pad force no subject holds.
constexpr double kExtensionHoldUpperN = 4000;

// Puts the hold into `d`: the model's neutral posture held still, every load cleared, then a
// horizontal forward force of force_N at the pad segment's origin in that posture; kinematics and
// inverse dynamics done (evaluate_frame). Fatigue state is left as it is. Throws
// std::invalid_argument for a pad segment the model does not have.
void set_extension_hold(const Model& m, int pad_segment, double force_N, Data& d);

// Maximal effort: with fresh muscles in the neutral posture, the largest forward pad force at the
// pad segment's origin held without reserves (max_pad_exertion, bracket 0–kExtensionHoldUpperN, 0.5 N; force_N,
// and the rotation that gives out first). Throws std::invalid_argument when there is no such force
// (the posture alone needs reserves) or no muscle limits it (a pad on the braced pelvis or a leg: held
// at the bracket's end). Solved on a Data of its own, so the answer does not depend
// on what was solved before (load sharing warm-starts from the previous solve on the same Data).
PadExertionResult extension_hold_max_force(const Model& m, const LoadSharingSettings& s, int pad_segment);

struct ExtensionHoldResult {
  double endurance_s = 0;  // seconds until task failure (`limit_s` when the hold never failed)
  bool failed = false;
  TaskFailure failure;     // the failing frame's check (when failed)
};

// Holds force_N at the pad from fresh muscles in 1-s steps (load sharing, check_task_failure,
// fatigue_update with the model's own fatigue parameters) until the task fails or limit_s passes.
// On a Data of its own, as above: the same hold gives the same seconds whatever ran before it.
ExtensionHoldResult extension_hold_endurance(const Model& m, const LoadSharingSettings& s, int pad_segment,
                                             double force_N, double limit_s = 3600);

}  // namespace paraspine
