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

// A categorical axis (audit24s #3): words are labels, each grid point runs its word, and the subject's
// sex axis reads a percentile in that sex's column. Numbers on a numeric subject key stay numbers.
TEST(SweepCategorical, WordsAreLabelsAndEachPointRunsItsWord) {
  const SweepAxis sex = parse_sweep_axis("subject.sex=male, female");
  ASSERT_TRUE(sex.categorical());
  EXPECT_EQ(sex.labels, (std::vector<std::string>{"male", "female"}));
  EXPECT_EQ(sex.values, (std::vector<double>{0, 1}));
  EXPECT_EQ(sex.text(1), "female");
  EXPECT_FALSE(parse_sweep_axis("subject.mass=60,70").categorical());
  EXPECT_EQ(parse_sweep_axis("criterion=activation2,minmax").labels, (std::vector<std::string>{"activation2", "minmax"}));
  EXPECT_THROW(parse_sweep_axis("subject.mass=60,heavy"), InputError);
  EXPECT_THROW(parse_sweep_axis("subject.sex=0:1:2"), InputError);
  // START:STOP:N points are the decimals meant (audit26d #7: 0.39999999999999997 in the CSV).
  const SweepAxis strength = parse_sweep_axis("subject.strength=0.3:1.0:8");
  ASSERT_EQ(strength.values.size(), 8u);
  for (int k = 0; k < 8; ++k) EXPECT_EQ(strength.values[k], std::stod(std::to_string(3 + k) + "e-1")) << k;
  EXPECT_NEAR(parse_sweep_axis("subject.strength=0:1:4").values[1], 1.0 / 3, 1e-15);  // a third moves by < 1e-15
  // START and STOP as typed; a grid so narrow that rounding would merge points is not rounded (review26 #7).
  const SweepAxis typed = parse_sweep_axis("subject.strength=0.12345678901234567:0.98765432109876543:3");
  EXPECT_EQ(typed.values.front(), 0.12345678901234567);
  EXPECT_EQ(typed.values.back(), 0.98765432109876543);
  const SweepAxis narrow = parse_sweep_axis("subject.mass=70:70.0000000000001:3");  // the middle would round onto STOP
  ASSERT_EQ(narrow.values.size(), 3u);
  EXPECT_LT(narrow.values[0], narrow.values[1]);
  EXPECT_LT(narrow.values[1], narrow.values[2]);
  EXPECT_THROW(parse_sweep_axis("criterion=activation2,,minmax"), InputError);

  Scenario s = load_scenario(test::source_dir() + "/tests/data/test_lift.yaml");
  auto refused = [&](const std::vector<SweepAxis>& axes) {
    try {
      check_sweep_axes(s, axes, "--vary");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused({sex, {"subject.percentile", {5, 95}}}), "accepted");  // the axis gives the percentile its sex
  EXPECT_NE(refused({parse_sweep_axis("subject.sex=male,woman")}).find("expected male or female, got 'woman'"), std::string::npos);
  EXPECT_NE(refused({parse_sweep_axis("subject.sex=male,male")}).find("given twice"), std::string::npos);
  EXPECT_NE(refused({parse_sweep_axis("criterion=activation2,nosuch")}).find("unknown criterion 'nosuch'"), std::string::npos);

  const std::vector<SweepAxis> axes = {sex, {"subject.percentile", {50}}, parse_sweep_axis("criterion=activation2,activation3")};
  EXPECT_EQ(sweep_point_texts(axes, 3), (std::vector<std::string>{"female", "50", "activation3"}));
  const SweepResult r = run_sweep(s, axes, 2, nullptr, "--vary", false);
  ASSERT_EQ(r.summaries.size(), 4u);
  const std::vector<std::string> sexes = {"male", "male", "female", "female"}, criteria = {"activation2", "activation3", "activation2", "activation3"};
  for (size_t p = 0; p < 4; ++p) {
    EXPECT_EQ(r.summaries[p]["subject"]["sex"], sexes[p]) << p;
    EXPECT_EQ(r.summaries[p]["criterion"], criteria[p]) << p;
  }
  // The 50th percentile in each sex's column: the women lighter and shorter.
  EXPECT_LT(r.summaries[2]["subject"]["body_mass_kg"].get<double>(), r.summaries[0]["subject"]["body_mass_kg"].get<double>());
  EXPECT_LT(r.summaries[2]["subject"]["height_m"].get<double>(), r.summaries[0]["subject"]["height_m"].get<double>());

  // The file's grid holds the words.
  const std::string path = (fs::temp_directory_path() / "paraspine_test_sweep_categorical.h5").string();
  write_sweep(path, s, r);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t ds = H5Dopen2(file, "/grid/0", H5P_DEFAULT);
  const hid_t type = H5Dget_type(ds);
  EXPECT_EQ(H5Tget_class(type), H5T_STRING);
  char* words[2] = {nullptr, nullptr};
  const hid_t mem = H5Tcopy(H5T_C_S1);
  H5Tset_size(mem, H5T_VARIABLE);
  H5Tset_cset(mem, H5T_CSET_UTF8);
  ASSERT_GE(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, words), 0);
  EXPECT_STREQ(words[0], "male");
  EXPECT_STREQ(words[1], "female");
  const hid_t space = H5Dget_space(ds);
  H5Dvlen_reclaim(mem, space, H5P_DEFAULT, words);
  H5Sclose(space);
  H5Tclose(mem);
  H5Tclose(type);
  H5Dclose(ds);
  H5Fclose(file);
  fs::remove(path);
}

}  // namespace
}  // namespace paraspine
