#pragma once
// The HDF5 schema as Markdown, generated from the field table (docs/hdf5-schema.md is this text;
// a test keeps the two equal).
#include <string>

namespace paraspine {

std::string hdf5_schema_markdown();

}  // namespace paraspine
