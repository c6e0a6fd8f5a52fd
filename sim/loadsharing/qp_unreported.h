#pragma once
// qp_solve without its closing report: the same iterations and the same solution (x, λ, every
// bit), but QpInfo's objective, stationarity and complementarity stay 0 and
// QpWorkspace::bound_multiplier is not written. For a caller that reads only the status, the
// iterations and the solution — load sharing, which computes its own objective and equilibrium
// check from the model's quantities: the report was a vectorized pass over all n variables per
// solve (9.5 M of 485 M instructions over the 400 lift frames of BM_Pipeline/1, session 20,
// docs/performance.md). Kept out of qp.h, which every stage includes through data.h.
#include "sim/loadsharing/qp.h"

namespace paraspine {

void qp_solve_unreported(const QpSettings& settings, QpWorkspace& w, QpInfo& info, bool warm);

}  // namespace paraspine
