// The QP capture file (sim/loadsharing/qp_capture.h) gives back the problem it was written from.
#include <gtest/gtest.h>

#include <cstdio>

#include "fixtures.h"
#include "sim/loadsharing/qp_capture.h"

namespace paraspine {
namespace {

// A lumbar flexion holding 10 kg per hand with every muscle at 35 % of its capacity (a deeply
// fatigued back): the muscles cannot carry it, so reserves act (the frames the capture is for).
void reserve_frame(const Model& m, int frame, Data& d) {
  Posture p = neutral_posture(m);
  p.region_angles(m.region_index("lumbar"), kFlexion) = deg2rad(30 + 0.2 * frame);
  p.pelvis_angles[kFlexion] = deg2rad(15 + 0.1 * frame);
  set_static_posture(m, p, d);
  clear_loads(m, d);
  for (auto& h : d.hands) h.load_mass = 10;
  evaluate_frame(m, d);
  d.muscle_capacity.setConstant(0.35);
}

TEST(QpCapture, ARecordGivesBackItsProblem) {
  const Model& m = test::full_spine();
  Data d(m);
  reserve_frame(m, 0, d);
  load_sharing(m, LoadSharingSettings{}, d);
  const QpWorkspace& w = d.qp;
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(qp_capture_write(f, w, true, false));
  ASSERT_TRUE(qp_capture_write(f, w, false, true));
  std::rewind(f);
  QpCaptureRecord r;
  QpWorkspace back;
  ASSERT_TRUE(qp_capture_read(f, r));
  EXPECT_TRUE(r.warm);
  EXPECT_FALSE(r.extrapolate);
  qp_capture_load(r, back);
  EXPECT_EQ(qp_matrix(back), qp_matrix(w));
  EXPECT_EQ(back.b, w.b);
  EXPECT_EQ(back.h, w.h);
  EXPECT_EQ(back.g, w.g);
  EXPECT_EQ(back.lo, w.lo);
  EXPECT_EQ(back.hi, w.hi);
  EXPECT_EQ(back.row_begin, w.row_begin);
  EXPECT_EQ(back.row_end, w.row_end);
  ASSERT_TRUE(qp_capture_read(f, r));
  EXPECT_FALSE(r.warm);
  EXPECT_TRUE(r.extrapolate);
  EXPECT_FALSE(qp_capture_read(f, r));  // end of file
  std::fclose(f);
}

}  // namespace
}  // namespace paraspine
