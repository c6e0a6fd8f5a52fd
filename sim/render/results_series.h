#pragma once
// Reading the per-frame data of a schema-v1 results file for pictures: metadata, axes, one frame of
// any field, or every n-th frame of a field. Numbers are read through HDF5's type conversion into
// double, so files written as float32, float64 or integers, chunked, compressed or not, read alike.
#include <hdf5.h>

#include <Eigen/Core>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace paraspine {

class ResultsSeries {
 public:
  // Throws InputError naming the file when it is missing, not HDF5, not schema v1, or incomplete.
  explicit ResultsSeries(const std::string& path);
  ~ResultsSeries();
  ResultsSeries(const ResultsSeries&) = delete;
  ResultsSeries& operator=(const ResultsSeries&) = delete;

  std::string path, model, model_file, scenario, scenario_text, criterion, created;
  std::string motion_text;  // the scenario's motion file as the run read it (empty without one)
  std::string model_digest;  // text_digest of the model text the run used ("" in older files)
  std::string model_text;    // that text itself (/inputs/model_text; "" in files written before session 21)
  nlohmann::json subject, summary;  // subject: {body_mass_kg, height_m, sex}
  std::string fatigue_mode;         // root attribute `fatigue`: "on", "off" (--no-fatigue), "" in older files
  std::vector<double> time;         // (T) s
  std::vector<std::string> joint_name, muscle_name, muscle_group, muscle_side;

  // The model file the run recorded, where it is now (find_recorded_model_file, results_reader.h).
  std::string recorded_model_file() const;
  // Each fascicle's F0 as the run used it (/muscles/max_force, N), or empty in files without it.
  Eigen::VectorXd run_max_force() const;

  long frames() const { return static_cast<long>(time.size()); }
  int njoint() const { return static_cast<int>(joint_name.size()); }
  int nmuscle() const { return static_cast<int>(muscle_name.size()); }
  // Frame nearest to time t (clamped to the run).
  long frame_at(double t) const;

  // One frame of a per-frame dataset (e.g. "/muscles/activation"), flattened row-major.
  Eigen::VectorXd frame(const std::string& dataset, long f) const;
  // Frames 0, stride, 2·stride, … of a dataset: one row per frame read, flattened columns.
  Eigen::MatrixXd strided(const std::string& dataset, long stride) const;
  // Every frame of one column of a [T × n] dataset (e.g. one joint's compression).
  Eigen::VectorXd column(const std::string& dataset, long col) const;
  bool has(const std::string& dataset) const;

 private:
  hid_t file_ = -1;
  // Datasets stay open, so their chunk caches serve consecutive frames (animations) without
  // decompressing the same chunk again.
  mutable std::map<std::string, hid_t> open_;
  hid_t dataset(const std::string& path) const;
  [[noreturn]] void fail(const std::string& field, const std::string& msg) const;
};

}  // namespace paraspine
