#pragma once
// The one table of per-frame output fields. It drives the HDF5 datasets (paths, shapes, units,
// descriptions), the schema document (docs/hdf5-schema.md, generated from it) and, later, the
// numpy views, so the three never disagree (MuJoCo's field-table habit).
#include <array>

#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

enum class FieldShape : int {
  kJoint3,  // [T × njoint × 3]: per rotation (flexion, lateral bending, axial rotation)
  kJoint,   // [T × njoint]
  kMuscle,  // [T × nmuscle]
};

struct OutputField {
  const char* path;         // HDF5 dataset path
  const char* unit;         // SI unit, "1" for dimensionless
  FieldShape shape;
  const char* description;
  // Writes one frame's values (row-major) into out.
  void (*get)(const Model& m, const Data& d, double* out);
};

int field_width(const Model& m, FieldShape s);  // values per frame

extern const std::array<OutputField, 19> kOutputFields;

}  // namespace paraspine
