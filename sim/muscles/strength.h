#pragma once
// Strength: the largest moment the muscles can produce about one rotation in the current state —
// every muscle whose moment arm acts in the asked direction fully active (at its force–length–
// velocity capacity), every other muscle silent, all passive fibre forces included (as in an
// isometric strength test, where the measured moment is the net of active and passive tissue).
// The other rotations are not balanced, so this is the upper bound a strength dynamometer sees
// when the rest of the body is braced. Needs muscle_capacity first.
#include "sim/model/data.h"
#include "sim/model/model.h"

#include <Eigen/Dense>

namespace paraspine {

// direction +1: in the positive sense of the rotation (flexion, right bending, right turn);
// −1: the negative sense (extension, ...). Returns N·m, positive when it acts in `direction`.
double max_muscle_moment(const Model& m, const Data& d, int dof, int direction);

// Each joint's strength in the neutral standing posture of `m` (every rotation, both senses:
// max_muscle_moment), N·m in the sense named (below 0 where the passive fibres pull the other way
// harder than the muscles acting this way can): rows joints (model order), columns flexion, extension, right
// lateral bending, left lateral bending, right axial rotation, left axial rotation. What
// `paraspine model info --strength` prints: what the muscles of a model can do at each level, the
// first thing a class contrasting paraspinal_only with full_spine asks (audit25t D7).
Eigen::MatrixXd neutral_joint_strength(const Model& m);

}  // namespace paraspine
