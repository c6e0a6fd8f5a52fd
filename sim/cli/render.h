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

// `run --picture OUT`: the picture `render RESULTS -o OUT` draws with its defaults (the run's peak
// compression, the view that faces the body, muscles coloured by activation, 1600 × 1000), and
// the line saying what was drawn.
std::string draw_run_picture(const std::string& results, const std::string& out);

// The results fields (ResultsOptions::fields) that picture reads: all run --picture stores when
// it writes the results to a temporary file only to draw them.
std::vector<std::string> run_picture_fields();
Verb add_report_verb(CLI::App& app);

}  // namespace paraspine::cli
