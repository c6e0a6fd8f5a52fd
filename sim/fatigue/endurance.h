#pragma once
// Endurance and recovery of a task, on top of the coupled fatigue / load-sharing loop.
//
// Task failure. A frame has failed when fatigue makes the muscles fall short of the task: the
// reserve moment needed with the current (fatigued) capacities exceeds, on some rotation, the
// reserve the same frame needs with fresh muscles by more than `threshold` of that rotation's
// maximal voluntary moment (every muscle acting in that sense fully active, strength.h). The 0.5 %
// default [A] carries to the joint the margin of model-data §5.3's single-muscle failure test (M_A
// falling 0.5 % of MVC below the target); Frey-Law, Looft & Heitsman 2012, who fitted the trunk F
// and R, fail a muscle with no margin, M_R + M_A < TL (docs/fatigue.md, "Endurance"), so a task held at x % of a joint's strength fails when the fascicles that can serve it, together,
// fall short by as much as one fascicle at x % of its MVC does. Reserves that fresh muscles would
// need too are the model's strength limit, reported under reserves, never as fatigue; so are
// shortfalls no fatigued fascicle at its capacity explains (the optimizer moving such a reserve
// between neighbouring rotations). A fascicle that a task drives to full activation when fresh
// fails within seconds — correctly for the model, so a scenario whose peaks saturate fascicles
// (the coverage gaps of docs/model.md) reports an endurance of seconds at that rotation.
//
// Recovery. After the task, complete rest (target load 0, so the rest multiplier r applies):
// the time until a fascicle's capacity 1 − M_F is back to a given level.
#include <vector>

#include "sim/fatigue/three_compartment.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

// The failure rule's default share of a rotation's maximal voluntary moment (above).
constexpr double kTaskFailureThreshold = 0.005;

struct TaskFailure {
  bool failed = false;
  int dof = -1;          // the rotation that fell short
  double deficit = 0;    // N·m beyond the fresh reserve
  double mvc = 0;        // N·m, that rotation's maximal voluntary moment in that sense
  int muscle = -1;       // the most fatigued saturated fascicle serving it (-1 if none)
  // That fascicle works at full activation even fresh in this frame. (run.cpp calls the failure the
  // model's strength limit rather than endurance when, besides, it came sooner than a fascicle held
  // at 95 % of its strength gives out.)
  bool at_strength_limit = false;
};

// The rotation whose reserve in a solved frame (d) most exceeds what fresh muscles need there, as a
// share of that rotation's maximal voluntary moment in that sense (max_muscle_moment): deficit =
// |reserve| − max(0, sense · fresh_reserve) (fresh_reserve = nullptr: 0, a bound, as the fresh reserve
// is ≥ 0), share = deficit / mvc, over rotations with a reserve and mvc > 0 whose share exceeds
// `floor`. With `blame`, only rotations a fatigued fascicle at its capacity serves count (`muscle`:
// the most fatigued such one). The task-failure rule (blame, floor = its threshold) and the run
// summary's reserve fatigue added (no blame, floor 0) are both this measure. dof = -1: none.
struct FatigueShortfall {
  int dof = -1;
  int sense = 0;        // +1 / -1: the sense of the rotation's reserve
  double deficit = 0;   // N·m
  double mvc = 0;       // N·m
  double share = 0;     // deficit / mvc
  int muscle = -1;      // with blame: the fascicle to blame
};
FatigueShortfall worst_fatigue_shortfall(const Model& m, const Data& d, const Eigen::VectorXd* fresh_reserve,
                                         double floor, bool blame);

// Checks a frame load sharing has just solved (d) against the same frame with fresh muscles,
// solved on `probe` (scratch, same model; overwritten) only when some rotation's reserve alone is
// over the threshold with a fatigued fascicle to blame; otherwise it returns without a solve.
TaskFailure check_task_failure(const Model& m, const LoadSharingSettings& s, const Data& d, Data& probe,
                               double threshold = kTaskFailureThreshold);

// Seconds of complete rest (target load 0) until a muscle group's strength,
// Σ w_i (1 − M_F,i) / Σ w_i with w_i the fascicles' maximal forces, is back at `level` (0 if it
// already is), to 0.01 s. One fascicle with any weight is that fascicle's own recovery. The search
// brackets the time with steps growing 1.5-fold (the three-compartment steps are exact), so days or
// years of rest cost a few dozen steps. Infinity if the level is not reached within `limit` s
// (10¹² s, some 30 000 years: only a recovery rate R near zero gets there).
double group_recovery_time(const std::vector<FatigueParameters>& p, std::vector<FatigueState> s,
                           const std::vector<double>& weight, double level, double limit = 1e12);

}  // namespace paraspine
