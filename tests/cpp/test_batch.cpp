// Batches of scenarios in parallel (issue 9): each scenario's summary and file are what a run of it
// alone gives, whatever the thread count; input errors surface before any work.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/common/error.h"
#include "sim/io/results_reader.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/simulate/batch.h"
#include "sim/simulate/run.h"

namespace paraspine {
namespace {

namespace fs = std::filesystem;

const std::string kLift = std::string(PARASPINE_SOURCE_DIR) + "/tests/data/test_lift.yaml";

// A second, different scenario: the fixture with a heavier box and its own name.
std::string heavier_lift(const fs::path& dir) {
  const Scenario base = load_scenario(kLift);
  std::string text = apply_overrides(base.text, base.file, {"keyframes[1].hands.both.load_kg=10", "keyframes[2].hands.both.load_kg=10"});
  text.replace(text.find("name: test_lift"), std::string("name: test_lift").size(), "name: test_lift_heavier");
  const fs::path p = dir / "test_lift_heavier.yaml";
  std::ofstream(p) << text;
  return p.string();
}

nlohmann::json alone(const std::string& file) {
  const Scenario s = load_scenario(file);
  const Model m = scale_model(load_model(s.model), s.subject.value_or(Subject{}));
  RunOptions opt;
  opt.loadsharing.criterion = parse_criterion(s.criterion);
  return run_scenario(m, s, opt, nullptr);
}

TEST(Batch, EachScenarioAsIfRunAloneWhateverTheThreadCount) {
  const fs::path dir = fs::temp_directory_path() / "paraspine_test_batch";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::vector<std::string> files = {kLift, heavier_lift(dir), kLift + ""};
  // The same scenario twice is allowed without an output directory.
  const nlohmann::json light = alone(files[0]), heavy = alone(files[1]);
  ASSERT_GT(heavy["joints"]["L4-L5"]["peak_compression_N"].get<double>(), light["joints"]["L4-L5"]["peak_compression_N"].get<double>());
  for (int threads : {1, 2, 3}) {
    BatchOptions opt;
    opt.threads = threads;
    const BatchResult r = run_batch(files, opt);
    ASSERT_TRUE(r.all_ran());
    ASSERT_EQ(r.entries.size(), 3u);
    EXPECT_EQ(r.entries[0].summary, light) << threads;
    EXPECT_EQ(r.entries[1].summary, heavy) << threads;
    EXPECT_EQ(r.entries[2].summary, light) << threads;
  }
  fs::remove_all(dir);
}

TEST(Batch, WritesOneCompleteFilePerScenario) {
  const fs::path dir = fs::temp_directory_path() / "paraspine_test_batch_out";
  fs::remove_all(dir);
  fs::create_directories(dir);
  BatchOptions opt;
  opt.threads = 2;
  opt.output_dir = (dir / "results").string();
  const BatchResult r = run_batch({kLift, heavier_lift(dir)}, opt);
  ASSERT_TRUE(r.all_ran());
  for (const auto& e : r.entries) {
    ASSERT_TRUE(fs::exists(e.output)) << e.output;
    EXPECT_FALSE(fs::exists(e.output + ".partial"));
    const ResultsFileInfo info = read_results_info(e.output);
    EXPECT_EQ(info.summary, e.summary);
  }
  EXPECT_EQ(fs::path(r.entries[1].output).filename(), "test_lift_heavier.h5");
  fs::remove_all(dir);
}

TEST(Batch, InputErrorsBeforeAnyWork) {
  const fs::path dir = fs::temp_directory_path() / "paraspine_test_batch_err";
  fs::remove_all(dir);
  BatchOptions opt;
  opt.output_dir = dir.string();
  // Same name twice with an output directory: the files would collide.
  EXPECT_THROW(run_batch({kLift, kLift}, opt), InputError);
  // A missing scenario is named, and nothing was created.
  try {
    run_batch({kLift, "no_such_scenario_file.yaml"}, opt);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_scenario_file"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir));
  // An unknown criterion.
  opt.criterion_override = "activation7";
  EXPECT_ANY_THROW(run_batch({kLift}, opt));
}

}  // namespace
}  // namespace paraspine
