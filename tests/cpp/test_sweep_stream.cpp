// Sweeps stream: each grid point reaches the caller (and the sweep file) as it completes, not kept
// by the engine, so memory does not grow with the grid; the file holds every point where the grid
// puts it whatever the completion order, and an unfinished writer leaves no file.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>
#include <set>

#include "fixtures.h"
#include "sim/simulate/sweep.h"

namespace paraspine {
namespace {

namespace fs = std::filesystem;

TEST(SweepStream, EveryPointOnceAndTheFileInGridOrder) {
  const Scenario s = load_scenario(test::source_dir() + "/tests/data/test_lift.yaml");
  const std::vector<SweepAxis> axes = {{"subject.mass", {60, 75, 90}}, {"subject.height", {1.6, 1.8}}};
  std::set<long> seen;
  std::vector<nlohmann::json> got(6);
  run_sweep_each(s, axes, 2, nullptr, [&](long p, const nlohmann::json& j) {
    EXPECT_TRUE(seen.insert(p).second) << p;
    got[p] = j;
  });
  EXPECT_EQ(seen.size(), 6u);
  const SweepResult kept = run_sweep(s, axes, 1);
  for (long p = 0; p < 6; ++p) EXPECT_EQ(got[p], kept.summaries[p]) << p;  // the same runs, any order

  const std::string path = (fs::temp_directory_path() / "paraspine_test_sweep_stream.h5").string();
  fs::remove(path);
  {
    SweepWriter w(path, s, axes, load_model(s.model));
    for (long p : {4L, 1L, 5L, 0L, 3L, 2L}) w.add(p, kept.summaries[p]);  // out of order
    w.finish();
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t ds = H5Dopen2(file, "/summary/L4-L5/peak_compression_N", H5P_DEFAULT);
  double v[6];
  ASSERT_GE(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
  for (long p = 0; p < 6; ++p) EXPECT_EQ(v[p], kept.summaries[p]["joints"]["L4-L5"]["peak_compression_N"].get<double>()) << p;
  H5Dclose(ds);
  H5Fclose(file);
  fs::remove(path);

  {  // abandoned: neither the file nor its .partial remains
    SweepWriter w(path, s, axes, load_model(s.model));
    w.add(0, kept.summaries[0]);
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".partial"));
}

}  // namespace
}  // namespace paraspine
