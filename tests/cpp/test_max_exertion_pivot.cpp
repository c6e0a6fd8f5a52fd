// An extension test about a pivot joint needs the pad on a segment that joint carries
// (sim/simulate/max_exertion.h pad_pivot_problem). Review session 10, E2: pivot C0-C1 with the pad on
// T8 returned 579 N / 0.48 N·m from paraspine.max_exertion instead of an error.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "fixtures.h"
#include "sim/simulate/frame.h"
#include "sim/simulate/max_exertion.h"

namespace paraspine {
namespace {

TEST(MaxExertionPivot, APadBelowThePivotIsRefusedNamingBoth) {
  const Model& m = test::full_spine();
  const int t8 = m.segment_index("T8"), c0c1 = m.joint_index("C0-C1");
  ASSERT_GE(t8, 0);
  ASSERT_GE(c0c1, 0);
  const std::string problem = pad_pivot_problem(m, t8, c0c1);
  EXPECT_NE(problem.find("pivot_joint 'C0-C1'"), std::string::npos) << problem;
  EXPECT_NE(problem.find("pad_segment 'T8'"), std::string::npos) << problem;
  // The suggestion names the joint just under the pad, which is itself accepted.
  const std::string under = m.joint_name[static_cast<size_t>(t8 - 1)];
  EXPECT_NE(problem.find("at or below " + under), std::string::npos) << problem;
  EXPECT_EQ(pad_pivot_problem(m, t8, m.joint_index(under)), "");
  EXPECT_THROW(check_pad_pivot(m, t8, c0c1), std::invalid_argument);
  // The checked square direction refuses it too; for a carried pivot it is the unchecked one.
  Data d(m);
  evaluate_frame(m, d);
  PadExertion pad;
  pad.segment = t8;
  EXPECT_THROW(pad_direction_square_to(m, d, pad, c0c1), std::invalid_argument);
  const int l5s1 = m.joint_index("L5-S1");
  EXPECT_EQ(pad_direction_square_to(m, d, pad, l5s1), pad_direction_square_to(d, pad, l5s1));
  // The pelvis is carried by no joint.
  EXPECT_NE(pad_pivot_problem(m, 0, m.joint_index("L5-S1")).find("root"), std::string::npos);
}

TEST(MaxExertionPivot, EveryJointFromThePelvisUpToThePadCarriesIt) {
  const Model& m = test::full_spine();
  const int t8 = m.segment_index("T8");
  int carried = 0;
  for (int j = 0; j < m.njoint; ++j) {
    // Walk down from T8: joint j carries the pad exactly when its upper segment lies on that path.
    bool on_path = false;
    for (int s = t8; s >= 0; s = m.segment_parent[static_cast<size_t>(s)]) on_path |= s == m.joint_child(j);
    EXPECT_EQ(pad_pivot_problem(m, t8, j).empty(), on_path) << m.joint_name[static_cast<size_t>(j)];
    carried += on_path;
  }
  EXPECT_EQ(carried, 10);  // L5-S1, four more lumbar levels, T12-L1 … T8-T9
  EXPECT_NO_THROW(check_pad_pivot(m, t8, m.joint_index("L5-S1")));
}

}  // namespace
}  // namespace paraspine
