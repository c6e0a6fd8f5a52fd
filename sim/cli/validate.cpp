// paraspine validate: the built-in validation cases against published in vivo measurements.
#include "sim/common/data_dir.h"
#include "sim/cli/validate.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "sim/model/loader.h"
#include "sim/scenario/scenario.h"
#include "sim/validate/validate.h"

namespace paraspine_cli {

namespace ps = paraspine;

ValidateCommand& add_validate_command(CLI::App& app) {
  static ValidateCommand v;
  v.command = app.add_subcommand("validate", "Run the validation cases against published in vivo measurements");
  v.command->add_option("--case", v.case_name, "Run only this case (names: paraspine validate)");
  v.command->add_option("--cases", v.cases_file, "Cases file (default: ./tests/validation/cases.yaml when there, else the bundled validation cases)");
  v.command->add_option("--model", v.model,
                        "Run every case on this model (a file or bundled name) instead of the one its scenario names, "
                        "to compare a model variant on the same cases");
  v.command->add_flag("--json", v.json, "Print one JSON object: cases, datasets, not_modelled");
  v.command->add_flag("--allow-known-failures", v.allow_known_failures,
                      "Exit 0 when the only failures are cases marked known_failure (and fail when one of them passes)");
  v.command->footer("Exit status 3 when a case is outside its tolerance.\n"
                    "Examples:\n  paraspine validate\n  paraspine validate --case wilke_standing_flexed_ratio --json\n  paraspine validate --model my_variant.yaml\n"
                    "  paraspine validate --json > build/validation.json && /usr/bin/python3 scripts/validation_report.py --json build/validation.json");
  return v;
}

namespace {

std::string default_cases_file() {
  namespace fs = std::filesystem;
  const fs::path local = fs::path("tests") / "validation" / "cases.yaml";
  if (fs::exists(local)) return local.string();
  return (fs::path(ps::bundled_dir("validation")) / "cases.yaml").string();
}

std::string number(double v) {
  if (!std::isfinite(v)) return "none";
  const double a = std::abs(v);
  return fmt::format("{:.{}f}", v, a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

// A tolerance as the cases file gives it (12.5, 11.3, 42.45, 25), not rounded to a whole percent: a
// rounded "±12" beside an error of +12.3 % read as a pass would look wrong.
std::string tolerance(double t) {
  std::string s = fmt::format("{:.2f}", t);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

int run_validate_command(const ValidateCommand& v) {
  ps::ValidationSuite suite = ps::load_validation_suite(v.cases_file.empty() ? default_cases_file() : v.cases_file);
  if (!v.model.empty()) {
    suite.model_override = ps::resolve_model_name(v.model, "--model", 0, "");
    (void)ps::load_model(suite.model_override);  // a bad model fails here, naming its file and line, before any case runs
  }
  const bool tty = isatty(STDERR_FILENO);
  const ps::ValidationReport rep = ps::run_validation(suite, v.case_name, [&](const std::string& scenario) {
    if (tty) std::fprintf(stderr, "\r  running %-60s", scenario.c_str());
  });
  if (tty) std::fprintf(stderr, "\r%80s\r", "");
  const int code = (v.allow_known_failures ? rep.unexpected : rep.failures) > 0 ? 3 : 0;
  if (v.json) {
    std::cout << ps::validation_json(suite, rep).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return code;
  }
  fmt::print("Validation against published in vivo measurements ({})\n", suite.file);
  if (!suite.model_override.empty()) fmt::print("Every case on the model {} (--model), not its own\n", suite.model_override);
  fmt::print("\n");
  if (rep.results.empty() && !rep.not_modelled.empty()) {  // --case naming a case that is not modelled yet
    for (const auto* c : rep.not_modelled)
      fmt::print("  {} is not modelled yet, so nothing was predicted (measured {} {}): {}\n", c->name, number(c->measured), c->unit,
                 c->not_modelled);
    return code;
  }
  // Columns as wide as the longest case and data-set names, so every row lines up.
  size_t wc = 34, wd = 44;
  for (const auto& res : rep.results) wc = std::max(wc, res.c->name.size());
  for (const auto& ds : rep.datasets) wd = std::max(wd, ds.name.size());
  fmt::print("  {:<{}} {:>9} {:>9} {:<6} {:>8} {:>7}  {}\n", "case", wc, "measured", "predicted", "unit", "error %", "tol. %", "result");
  std::string last;
  for (const auto& res : rep.results) {
    if (res.c->dataset != last) fmt::print("  -- {}\n", last = res.c->dataset);
    // A published bound reads "< 300" with a one-sided tolerance; a value reads "300" with "±12".
    const std::string bound = res.c->bound == "upper" ? "< " : res.c->bound == "lower" ? "> " : "";
    const std::string tol_sign = res.c->bound == "upper" ? "+" : res.c->bound == "lower" ? "-" : "±";
    fmt::print("  {:<{}} {:>9} {:>9} {:<6} {:>8} {:>7}  {}\n", res.c->name, wc, bound + number(res.c->measured),
               number(res.predicted), res.c->unit, std::isfinite(res.error_pct) ? fmt::format("{:+.1f}", res.error_pct) : "-",
               tol_sign + tolerance(res.c->tolerance_pct), res.status);
  }
  fmt::print("\n  {:<{}} {:>3} {:>10} {:>12} {:>14}\n", "data set", wd, "n", "Pearson r", "Spearman ρ", "mean |error| %");
  for (const auto& ds : rep.datasets)
    fmt::print("  {:<{}} {:>3} {:>10} {:>12} {:>14.1f}\n", ds.name, wd, ds.n, ds.pearson_r ? fmt::format("{:.3f}", *ds.pearson_r) : "-",
               ds.spearman_rho ? fmt::format("{:.3f}", *ds.spearman_rho) : "-", ds.mean_abs_error_pct);
  fmt::print("\n  Sources and how each prediction was made:\n");
  for (const auto& res : rep.results) {
    fmt::print("  {}: {}\n      model: {}\n", res.c->name, res.c->source, res.detail);
    if (!res.c->known_failure.empty()) fmt::print("      known failure: {}\n", res.c->known_failure);
  }
  if (!rep.not_modelled.empty()) {
    fmt::print("\n  Not modelled yet (measured value kept for the record):\n");
    for (const auto* c : rep.not_modelled)
      fmt::print("  {} ({} {}): {}\n", c->name, number(c->measured), c->unit, c->not_modelled);
  }
  fmt::print("\n  {} of {} cases within tolerance", rep.results.size() - rep.failures, rep.results.size());
  fmt::print("{}\n", rep.failures ? fmt::format("; {} outside it (exit status 3)", rep.failures) : "");
  return code;
}

}  // namespace paraspine_cli
