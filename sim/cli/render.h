#pragma once
// The picture verbs of the command-line tool: `render` (pictures and animations of a results file)
// and `report` (one self-contained HTML page). main.cpp registers them and runs the one chosen.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>

namespace paraspine::cli {

struct Verb {
  CLI::App* command = nullptr;
  std::function<int()> run;  // called after parsing when the verb was given
};

// For -o options: an empty name (`-o "$OUT"` with OUT unset) is refused instead of meaning "no
// output", so a script never loses its results silently (README "Exit codes": exit 2).
inline CLI::Validator non_empty_path() {
  return CLI::Validator([](std::string& s) { return s.empty() ? std::string("empty file name") : std::string(); }, "", "non-empty");
}

// Finite numbers that must be > 0 or >= 0, said in those words: CLI11's PositiveNumber and
// NonNegativeNumber print their whole range ("not in range 0.000000 to 1797…", 309 digits), with 0
// shown inside the range it was refused from.
inline CLI::Validator number_at_least(double lowest, bool allow_equal) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        char* end = nullptr;
        const double x = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0') return "must be a number, got " + text;
        if (!std::isfinite(x)) return "must be a finite number, got " + text;
        if (allow_equal ? x >= lowest : x > lowest) return "";
        return std::string("must be ") + (allow_equal ? "at least " : "greater than ") + CLI::detail::to_string(lowest) + ", got " + text;
      },
      "", allow_equal ? "at least 0" : "positive");
}
inline CLI::Validator positive_number() { return number_at_least(0, false); }
inline CLI::Validator non_negative_number() { return number_at_least(0, true); }

Verb add_render_verb(CLI::App& app);
Verb add_report_verb(CLI::App& app);

}  // namespace paraspine::cli
