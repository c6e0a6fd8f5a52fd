#pragma once
// Model loader: YAML model file → validated, immutable Model. The format is documented field by
// field in docs/model-format.md.
//
// Every error throws InputError naming the file, the line and the field, e.g.
//   models/lumbar.yaml:212: muscles[3].path[1]: unknown segment 'L6'
// Checked: unknown keys (typos), unknown segment or parent, cycles, duplicate names, non-finite
// numbers, non-positive mass / force / PCSA / lengths, inertia not positive definite, a point more
// than 0.5 m from its segment's origin, rhythm shares that do not sum to one, a number without a
// source.
#include <string>

#include "sim/model/model.h"

namespace paraspine {

// Loads a model from a path, or a bundled model by name ("lumbar" → models/lumbar.yaml).
Model load_model(const std::string& name_or_path);

// Parses model text; `file` names it in error messages.
Model parse_model(const std::string& text, const std::string& file);

// Resolves a bundled model name to a path (returns the argument when it is already a path).
std::string resolve_model_path(const std::string& name_or_path);

}  // namespace paraspine
