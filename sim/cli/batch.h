#pragma once
// `paraspine batch`: several scenarios in parallel (sim/simulate/batch.h). main.cpp registers it.
#include "sim/cli/render.h"  // Verb

namespace paraspine::cli {

Verb add_batch_verb(CLI::App& app);

}  // namespace paraspine::cli
