#pragma once
// Checks shared by the command-line verbs' options (run, sweep, batch, bench, render, report), so each
// refuses a bad value with the same short message and exit 2 (README "Exit codes").
#include <CLI/CLI.hpp>

#include <cmath>
#include <string>

#include "sim/common/parse_number.h"

namespace paraspine::cli {

// The command line as typed (program name first, arguments shell-quoted where needed), recorded in
// results files (root attribute command_line) so that a run's options are on record with it.
inline std::string& command_line_storage() {
  static std::string line;
  return line;
}
inline const std::string& command_line() { return command_line_storage(); }
inline void set_command_line(int argc, char** argv) {
  std::string line;
  for (int k = 0; k < argc; ++k) {
    const std::string a = k == 0 ? std::string("paraspine") : std::string(argv[k]);
    const bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+@%") == std::string::npos;
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += (k ? " " : "") + (plain ? a : quoted + "'");
  }
  command_line_storage() = line;
}

// For -o options: an empty name (`-o "$OUT"` with OUT unset) is refused instead of meaning "no
// output", so a script never loses its results silently.
inline CLI::Validator non_empty_path() {
  return CLI::Validator([](std::string& s) { return s.empty() ? std::string("empty file name") : std::string(); }, "", "non-empty");
}

// A finite number (CLI11's number checks let NaN and infinities through).
inline CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double x = 0;
        if (parse_number(text, x) && std::isfinite(x)) return "";
        return "must be a finite number, got " + text;
      },
      "", "finite");
}

// Finite numbers that must be > 0 or >= 0, said in those words: CLI11's PositiveNumber and
// NonNegativeNumber print their whole range ("not in range 0.000000 to 1797…", 309 digits), with 0
// shown inside the range it was refused from.
inline CLI::Validator number_at_least(double lowest, bool allow_equal) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double x = 0;
        if (!parse_number(text, x)) return "must be a number, got " + text;
        if (!std::isfinite(x)) return "must be a finite number, got " + text;
        if (allow_equal ? x >= lowest : x > lowest) return "";
        return std::string("must be ") + (allow_equal ? "at least " : "greater than ") + CLI::detail::to_string(lowest) + ", got " + text;
      },
      "", allow_equal ? "at least 0" : "positive");
}
inline CLI::Validator positive_number() { return number_at_least(0, false); }
inline CLI::Validator non_negative_number() { return number_at_least(0, true); }

}  // namespace paraspine::cli
