#pragma once
// The picture verbs of the command-line tool: `render` (pictures and animations of a results file)
// and `report` (one self-contained HTML page). main.cpp registers them and runs the one chosen.
#include <CLI/CLI.hpp>

#include <functional>

namespace paraspine::cli {

struct Verb {
  CLI::App* command = nullptr;
  std::function<int()> run;  // called after parsing when the verb was given
};

Verb add_render_verb(CLI::App& app);
Verb add_report_verb(CLI::App& app);

}  // namespace paraspine::cli
