#pragma once
// HDF5 results, schema v1 (docs/hdf5-schema.md). Streams frames to disk in compressed chunks, so
// memory does not grow with the duration of a run; writes under "<path>.partial" and renames to
// <path> only in finish(), so an interrupted run never leaves a file that looks complete (the
// destructor of an unfinished writer removes the partial file).
//
// Layout: /time [T] s; every field of kOutputFields at its path ([T × J × 3], [T × J] or [T × M]);
// /joints/name [J], /muscles/name, /muscles/group, /muscles/side, /muscles/max_force (N) [M], /rotation [3]; a `units` and a
// `description` attribute on every dataset; HDF5 dimension scales on every axis (time, joint,
// muscle, rotation) so xarray labels them; root attributes: paraspine version, schema version,
// model, scenario (name and full text), subject, criterion, creation time; /summary with the
// run's summary as JSON.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

struct RunMetadata {
  std::string scenario_name, scenario_text, criterion;
  nlohmann::json subject = nlohmann::json::object();
  std::string motion_text;  // the scenario's motion file (CSV) as read; empty without one
  // The command that made the run (`paraspine run ...`, shell-quoted), so its options (--criterion,
  // --subject, --no-fatigue, ...) that the scenario text does not carry are on record; empty from Python.
  std::string command_line;
};

inline constexpr int kSchemaVersion = 1;
// The layout version of sweep files (paraspine sweep -o; their root attribute schema_version,
// beside kind = "sweep"; docs/hdf5-schema.md, "Sweep files").
// 2 (session 25): a /grid/<i> may hold words (a categorical axis, UTF-8 strings), which a version-1
// reader took for numbers (review25); the layout is otherwise version 1's.
inline constexpr int kSweepSchemaVersion = 2;

// How the chunks are compressed (docs/hdf5-schema.md, "Storage options").
enum class Compression {
  // HDF5's standard shuffle + deflate (zlib format): every HDF5 reader decodes it without plugins.
  kDeflate,
  // Shuffle + LZ4 (registered HDF5 filter 32004): several times faster to write, files about 15 %
  // larger; readers other than paraspine need the LZ4 filter plugin (Debian: hdf5-filter-plugin).
  kLz4,
};

// "deflate" or "lz4"; anything else is an InputError naming the option `option`.
Compression parse_compression(const std::string& name, const std::string& option = "--compression");
const char* compression_name(Compression c);

// The registered HDF5 filter id of the LZ4 chunk format (HDF Group's registry: H5Z_FILTER_LZ4).
inline constexpr int kLz4FilterId = 32004;

// Registers paraspine's own implementation of the LZ4 filter with the HDF5 library of this process
// (idempotent), so that paraspine reads the files it writes with --compression lz4 whether or not the
// HDF5 plugin is installed. Returns false when HDF5 refused it.
bool register_lz4_filter();

// What to store (docs/hdf5-schema.md, "Storage options"). Defaults: every field, float64, deflate.
struct ResultsOptions {
  // Per-frame fields stored as IEEE float32 (7 significant digits, half the size); /time stays
  // float64 so frame times of long runs stay exact. Readers convert transparently.
  bool single_precision = false;
  // Only these fields: each entry a dataset path ("/muscles/activation") or a group ("joints",
  // "muscles", "fatigue", "kinematics"); empty = all. Unknown entries are an error.
  std::vector<std::string> fields;
  int chunk_frames = 256;
  Compression compression = Compression::kDeflate;
  // Frames written: every n-th of the run's frames and its last (RunOptions::write_every, which the
  // runners set from this); the summary still covers every frame.
  long write_every = 1;
};

// Checks ResultsOptions::fields against the field table; throws InputError naming the entry.
void check_field_selection(const std::vector<std::string>& fields);

class ResultsWriter {
 public:
  // Throws InputError naming the path when the file cannot be created.
  ResultsWriter(const std::string& path, const Model& m, const RunMetadata& meta, int chunk_frames = 256);
  ResultsWriter(const std::string& path, const Model& m, const RunMetadata& meta, const ResultsOptions& options);
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  void append(double time, const Data& d);                 // buffers one frame
  // Buffers one frame given as values: field_values[f] points at field_width values of
  // kOutputFields[f] (row-major), e.g. frames recorded earlier (Python's Results.to_hdf5).
  void append_values(double time, const double* const* field_values);
  void finish(const nlohmann::json& summary);              // flush, close, rename into place
  long frames() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paraspine
