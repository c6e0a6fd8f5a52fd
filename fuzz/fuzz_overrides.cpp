// libFuzzer target: command-line overrides (`paraspine run --set PATH=VALUE`, `sweep --vary`) applied
// to scenario text. The input's first line is the override, the rest the scenario file. A bad
// override must end in an InputError naming it (or the file's line); anything else is a finding.
// docs/fuzzing.md.
#include <cstdint>
#include <string>

#include "sim/common/error.h"
#include "sim/scenario/scenario.h"

namespace ps = paraspine;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  if (nl == std::string::npos) return 0;
  const std::string override_text = input.substr(0, nl), text = input.substr(nl + 1);
  try {
    const std::string changed = ps::apply_overrides(text, "fuzz.yaml", {override_text});
    (void)ps::parse_scenario_noted(changed, "fuzz.yaml", " (with --set)");
    (void)ps::sweep_axis_paths(override_text.substr(0, override_text.find('=')));
  } catch (const ps::InputError&) {
  }
  return 0;
}
