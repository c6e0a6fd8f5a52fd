#pragma once
// Strength: the largest moment the muscles can produce about one rotation in the current state —
// every muscle whose moment arm acts in the asked direction fully active (at its force–length–
// velocity capacity), every other muscle silent, all passive fibre forces included (as in an
// isometric strength test, where the measured moment is the net of active and passive tissue).
// The other rotations are not balanced, so this is the upper bound a strength dynamometer sees
// when the rest of the body is braced. Needs muscle_capacity first.
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

// direction +1: in the positive sense of the rotation (flexion, right bending, right turn);
// −1: the negative sense (extension, ...). Returns N·m, positive when it acts in `direction`.
double max_muscle_moment(const Model& m, const Data& d, int dof, int direction);

}  // namespace paraspine
