// HDF5 results: what is written reads back (shapes, units, scales, values, metadata); a finished
// file appears only under its name, an abandoned one leaves nothing, a bad path is an InputError.
#include <gtest/gtest.h>

#include <cstring>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <filesystem>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/fatigue/fatigue.h"
#include "sim/io/fields.h"
#include "sim/io/results_writer.h"
#include "sim/kinematics/timeline.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/run.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

namespace fs = std::filesystem;

std::string read_string_attribute(hid_t obj, const char* name) {
  const hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  const hid_t type = H5Aget_type(attr);
  char* p = nullptr;
  H5Aread(attr, type, &p);
  std::string s = p ? p : "";
  H5free_memory(p);
  H5Tclose(type);
  H5Aclose(attr);
  return s;
}

std::vector<hsize_t> dims_of(hid_t ds) {
  const hid_t space = H5Dget_space(ds);
  std::vector<hsize_t> d(H5Sget_simple_extent_ndims(space));
  H5Sget_simple_extent_dims(space, d.data(), nullptr);
  H5Sclose(space);
  return d;
}

TEST(ResultsWriter, RoundTripOfALiftWithFatigue) {
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  Data d(m);
  std::vector<Posture> keys(3, neutral_posture(m));
  keys[1].region_angles(m.region_index("lumbar"), kFlexion) = 0.5;
  keys[1].pelvis_angles[kFlexion] = 0.4;
  const PostureTimeline tl(m, {0, 1, 2}, keys);
  const fs::path path = fs::temp_directory_path() / "paraspine_test_results.h5";
  fs::remove(path);
  RunMetadata meta;
  meta.scenario_name = "test_lift";
  meta.scenario_text = "name: test_lift\n";
  meta.criterion = "activation2";
  meta.subject = {{"body_mass_kg", m.reference_body_mass}};
  const int frames = 300;  // more than one chunk (chunk 128 here)
  std::vector<double> kept_force, kept_compression;
  {
    ResultsWriter w(path.string(), m, meta, 128);
    fatigue_reset(m, d);
    for (int f = 0; f < frames; ++f) {
      const double t = f * 0.01;
      tl.sample(t, d);
      clear_loads(m, d);
      for (auto& h : d.hands) h.load_mass = 5;
      evaluate_frame(m, d);
      load_sharing(m, LoadSharingSettings{}, d);
      reactions(m, d);
      fatigue_update(m, m.muscle_fatigue, 0.01, d);
      w.append(t, d);
      if (f == 217) {
        kept_force.assign(d.muscle_force.data(), d.muscle_force.data() + m.nmuscle);
        for (int j = 0; j < m.njoint; ++j) kept_compression.push_back(d.disc_force(0, j));
      }
      EXPECT_TRUE(fs::exists(path.string() + ".partial"));
      EXPECT_FALSE(fs::exists(path));
    }
    w.finish({{"frames", frames}});
  }
  ASSERT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path.string() + ".partial"));

  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  EXPECT_EQ(read_string_attribute(file, "model"), "full_spine");
  EXPECT_EQ(read_string_attribute(file, "scenario"), "test_lift");
  EXPECT_EQ(read_string_attribute(file, "scenario_text"), "name: test_lift\n");
  int schema = 0;
  H5LTget_attribute_int(file, "/", "schema_version", &schema);
  EXPECT_EQ(schema, kSchemaVersion);
  const hid_t time = H5Dopen2(file, "/time", H5P_DEFAULT);
  EXPECT_EQ(dims_of(time), std::vector<hsize_t>{frames});
  EXPECT_EQ(read_string_attribute(time, "units"), "s");
  for (const auto& field : kOutputFields) {
    const hid_t ds = H5Dopen2(file, field.path, H5P_DEFAULT);
    ASSERT_GE(ds, 0) << field.path;
    std::vector<hsize_t> want{hsize_t(frames)};
    if (field.shape == FieldShape::kMuscle) want.push_back(m.nmuscle);
    else want.push_back(m.njoint);
    if (field.shape == FieldShape::kJoint3) want.push_back(3);
    EXPECT_EQ(dims_of(ds), want) << field.path;
    EXPECT_EQ(read_string_attribute(ds, "units"), field.unit) << field.path;
    EXPECT_GT(H5DSis_attached(ds, time, 0), 0) << field.path << ": time scale";
    H5Dclose(ds);
  }
  // Values of one frame in the second chunk, bit for bit.
  auto read_row = [&](const char* p, int width, int row) {
    const hid_t ds = H5Dopen2(file, p, H5P_DEFAULT);
    const hid_t space = H5Dget_space(ds);
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> start(rank, 0), count(rank);
    H5Sget_simple_extent_dims(space, count.data(), nullptr);
    start[0] = row;
    count[0] = 1;
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    const hsize_t n = width;
    const hid_t mem = H5Screate_simple(1, &n, nullptr);
    std::vector<double> out(width);
    H5Dread(ds, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, out.data());
    H5Sclose(mem);
    H5Sclose(space);
    H5Dclose(ds);
    return out;
  };
  EXPECT_EQ(read_row("/muscles/force", m.nmuscle, 217), kept_force);
  EXPECT_EQ(read_row("/joints/compression", m.njoint, 217), kept_compression);
  // Names, and the summary.
  char name[64] = {};
  EXPECT_GT(H5DSget_scale_name(H5Dopen2(file, "/muscles/name", H5P_DEFAULT), name, sizeof name), 0);
  EXPECT_STREQ(name, "muscle");
  const hid_t summary = H5Gopen2(file, "/summary", H5P_DEFAULT);
  EXPECT_EQ(nlohmann::json::parse(read_string_attribute(summary, "json"))["frames"], frames);
  H5Gclose(summary);
  H5Dclose(time);
  H5Fclose(file);
  fs::remove(path);
}

TEST(ResultsWriter, AbandonedRunLeavesNoFile) {
  const Model m = test::mini_model();
  Data d(m);
  const fs::path path = fs::temp_directory_path() / "paraspine_test_abandoned.h5";
  fs::remove(path);
  {
    ResultsWriter w(path.string(), m, RunMetadata{}, 4);
    for (int f = 0; f < 10; ++f) w.append(f * 0.1, d);
  }  // destroyed without finish(): an interrupted run
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path.string() + ".partial"));
}

TEST(ResultsWriter, UnwritablePathIsAnInputError) {
  const Model m = test::mini_model();
  try {
    ResultsWriter w("/no/such/directory/out.h5", m, RunMetadata{});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/directory/out.h5"), std::string::npos);
  }
}

std::vector<double> read_doubles(const std::string& path, const char* dataset) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t ds = H5Dopen2(file, dataset, H5P_DEFAULT);
  size_t n = 1;
  for (hsize_t k : dims_of(ds)) n *= k;
  std::vector<double> v(n);
  H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(ds);
  H5Fclose(file);
  return v;
}

// Frames recorded elsewhere (Python's Results.to_hdf5) and written with append_values make the
// same file as append() from the Data.
TEST(ResultsWriter, AppendValuesWritesWhatAppendWrites) {
  const Model m = test::mini_model();
  Data d(m);
  const std::string a = (fs::temp_directory_path() / "paraspine_test_append.h5").string();
  const std::string b = (fs::temp_directory_path() / "paraspine_test_append_values.h5").string();
  {
    ResultsWriter wa(a, m, RunMetadata{}, 4), wb(b, m, RunMetadata{}, 4);
    std::srand(7);
    for (int f = 0; f < 11; ++f) {  // more than two chunks, the last one partial
      d.q.setRandom(), d.tau.setRandom(), d.activation.setRandom(), d.muscle_force.setRandom();
      d.disc_force.setRandom(), d.reserve.setRandom(), d.muscle_capacity.setRandom();
      wa.append(0.1 * f, d);
      std::vector<std::vector<double>> rows;
      std::vector<const double*> ptrs;
      for (const auto& field : kOutputFields) {
        rows.emplace_back(field_width(m, field.shape));
        field.get(m, d, rows.back().data());
      }
      for (const auto& r : rows) ptrs.push_back(r.data());
      wb.append_values(0.1 * f, ptrs.data());
    }
    wa.finish({{"frames", 11}});
    wb.finish({{"frames", 11}});
  }
  EXPECT_EQ(read_doubles(a, "/time"), read_doubles(b, "/time"));
  for (const auto& field : kOutputFields) {
    const auto va = read_doubles(a, field.path);
    EXPECT_EQ(va.size(), 11u * field_width(m, field.shape)) << field.path;
    const auto vb = read_doubles(b, field.path);  // bitwise: /joints/disc_pressure is NaN without a disc
    EXPECT_TRUE(va.size() == vb.size() && std::memcmp(va.data(), vb.data(), va.size() * sizeof(double)) == 0) << field.path;
  }
  fs::remove(a);
  fs::remove(b);
}

// --compression lz4 (ResultsOptions::compression): the same values as deflate, in float64 and
// float32, read back through HDF5 with the filter pipeline shuffle + 32004; chunks of random bits
// (incompressible: LZ4's blocks stored as they are) and of repeated frames (compressed) both decode.
// The files are also read by h5py through Debian's plugin (tests/python/test_cli.py).
TEST(ResultsWriter, Lz4StoresWhatDeflateStores) {
  const Model m = test::mini_model();
  Data d(m);
  for (bool single : {false, true}) {
    const std::string a = (fs::temp_directory_path() / "paraspine_test_deflate.h5").string();
    const std::string b = (fs::temp_directory_path() / "paraspine_test_lz4.h5").string();
    {
      ResultsOptions deflate{single, {}, 8, Compression::kDeflate}, lz4{single, {}, 8, Compression::kLz4};
      ResultsWriter wa(a, m, RunMetadata{}, deflate), wb(b, m, RunMetadata{}, lz4);
      std::srand(11);
      for (int f = 0; f < 21; ++f) {  // chunks of 8: random, repeated, then a partial one
        if (f < 8 || f >= 16) {
          d.q.setRandom(), d.tau.setRandom(), d.activation.setRandom(), d.muscle_force.setRandom();
          d.disc_force.setRandom(), d.reserve.setRandom(), d.muscle_capacity.setRandom();
        }
        wa.append(0.1 * f, d);
        wb.append(0.1 * f, d);
      }
      wa.finish({{"frames", 21}});
      wb.finish({{"frames", 21}});
    }
    const hid_t file = H5Fopen(b.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    EXPECT_EQ(read_string_attribute(file, "compression"), "shuffle+lz4");
    const hid_t ds = H5Dopen2(file, "/muscles/force", H5P_DEFAULT);
    const hid_t dcpl = H5Dget_create_plist(ds);
    ASSERT_EQ(H5Pget_nfilters(dcpl), 2);
    unsigned flags = 0, cd[4] = {};
    size_t ncd = 4;
    EXPECT_EQ(H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, nullptr, nullptr), H5Z_FILTER_SHUFFLE);
    ncd = 4;
    EXPECT_EQ(H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, nullptr, nullptr), kLz4FilterId);
    H5Pclose(dcpl);
    H5Dclose(ds);
    H5Fclose(file);
    EXPECT_EQ(read_doubles(a, "/time"), read_doubles(b, "/time"));
    for (const auto& field : kOutputFields) {
      const auto va = read_doubles(a, field.path), vb = read_doubles(b, field.path);
      EXPECT_EQ(va.size(), 21u * field_width(m, field.shape)) << field.path;
      EXPECT_TRUE(va.size() == vb.size() && std::memcmp(va.data(), vb.data(), va.size() * sizeof(double)) == 0)
          << field.path << (single ? " float32" : " float64");
    }
    fs::remove(a);
    fs::remove(b);
  }
}

// A corrupt LZ4 chunk is a read error, never a crash or a huge allocation: a header declaring
// 512 GB in a 20-byte chunk, and a chunk whose block does not decode.
TEST(ResultsWriter, CorruptLz4ChunksFailToRead) {
  ASSERT_TRUE(register_lz4_filter());
  const std::string path = (fs::temp_directory_path() / "paraspine_test_lz4_corrupt.h5").string();
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t dims[1] = {16}, chunk[1] = {16};
  const hid_t space = H5Screate_simple(1, dims, nullptr);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 1, chunk);
  H5Pset_filter(dcpl, kLz4FilterId, H5Z_FLAG_MANDATORY, 0, nullptr);
  auto header = [](uint64_t total, uint32_t block) {
    std::vector<unsigned char> h(12);
    for (int i = 0; i < 8; ++i) h[i] = static_cast<unsigned char>(total >> (8 * (7 - i)));
    for (int i = 0; i < 4; ++i) h[8 + i] = static_cast<unsigned char>(block >> (8 * (3 - i)));
    return h;
  };
  std::vector<unsigned char> huge = header(uint64_t(1) << 39, 1u << 30);
  huge.insert(huge.end(), {0, 0, 0, 4, 1, 2, 3, 4});
  std::vector<unsigned char> garbage = header(64, 64);
  garbage.insert(garbage.end(), {0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff});
  int k = 0;
  for (const auto& bytes : {huge, garbage}) {
    const std::string name = "d" + std::to_string(k++);
    const hid_t ds = H5Dcreate2(file, name.c_str(), H5T_NATIVE_FLOAT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    ASSERT_GE(ds, 0);
    const hsize_t offset[1] = {0};
    ASSERT_GE(H5Dwrite_chunk(ds, H5P_DEFAULT, 0, offset, bytes.size(), bytes.data()), 0);
    std::vector<float> out(16);
    herr_t read = 0;
    H5E_BEGIN_TRY { read = H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()); }
    H5E_END_TRY;
    EXPECT_LT(read, 0) << name;
    H5Dclose(ds);
  }
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(file);
  fs::remove(path);
}

TEST(ResultsWriter, CompressionNamesAreCheckedAndNamed) {
  EXPECT_EQ(parse_compression("deflate"), Compression::kDeflate);
  EXPECT_EQ(parse_compression("lz4"), Compression::kLz4);
  for (const char* bad : {"", "LZ4", "zstd", "gzip"}) {
    try {
      parse_compression(bad);
      ADD_FAILURE() << bad;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("--compression: '" + std::string(bad) + "' is not a compression", 0), 0u) << e.what();
    }
  }
}

// RunOptions::on_frame sees every frame the writer gets, and throwing from it aborts the run
// without leaving a results file.
TEST(RunScenario, OnFrameSeesEveryFrameAndCanAbort) {
  const Scenario s = load_scenario(test::source_dir() + "/tests/data/test_lift.yaml");
  const Model m = load_model(s.model);
  RunOptions opt;
  std::vector<double> times;
  opt.on_frame = [&](double t, const Data& d) {
    times.push_back(t);
    EXPECT_EQ(d.activation.size(), m.nmuscle);
  };
  const nlohmann::json summary = run_scenario(m, s, opt, nullptr);
  ASSERT_EQ(static_cast<long>(times.size()), summary["frames"].get<long>());
  EXPECT_DOUBLE_EQ(times.front(), 0.0);
  EXPECT_NEAR(times.back(), summary["duration_s"].get<double>(), 1e-9);

  struct Stop {};
  const std::string path = (fs::temp_directory_path() / "paraspine_test_on_frame_abort.h5").string();
  fs::remove(path);
  opt.on_frame = [](double t, const Data&) {
    if (t > 0.5) throw Stop{};
  };
  {
    ResultsWriter w(path, m, RunMetadata{});
    EXPECT_THROW(run_scenario(m, s, opt, &w), Stop);
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".partial"));
}

}  // namespace
}  // namespace paraspine
