#pragma once
// paraspine validate [--case NAME] [--json] [--cases FILE] [--allow-known-failures]
// The command's options and its run; main.cpp only registers it.
#include <CLI/CLI.hpp>
#include <string>

namespace paraspine_cli {

struct ValidateCommand {
  CLI::App* command = nullptr;
  std::string case_name, cases_file, model;
  bool json = false, allow_known_failures = false;
};

// Adds the `validate` subcommand to app; the returned options live as long as the program.
ValidateCommand& add_validate_command(CLI::App& app);

// Exit codes: 0 every case within tolerance; 3 a case outside it (with --allow-known-failures: a
// failure not marked known, or a known failure that now passes); input errors throw.
int run_validate_command(const ValidateCommand& v);

}  // namespace paraspine_cli
