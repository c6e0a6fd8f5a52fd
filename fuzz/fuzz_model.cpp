// libFuzzer target: model text → parse_model → scaled to a subject → one evaluation of the neutral
// posture. A malformed model must end in an InputError naming file, line and field; any other
// exception, a crash or a sanitizer report is a finding. docs/fuzzing.md.
#include <cstdint>
#include <string>

#include "sim/common/error.h"
#include "sim/model/data.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/simulate/frame.h"

namespace ps = paraspine;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ps::Model m = ps::parse_model(text, "fuzz.yaml");
    ps::Subject s;  // the file's reference subject, scaled (exercises scale_model on whatever was accepted)
    s.strength_factor = 1.1;
    const ps::Model scaled = ps::scale_model(m, s);
    ps::Data d(scaled);
    ps::evaluate_frame(scaled, d);  // neutral posture: kinematics, dynamics, muscle geometry
  } catch (const ps::InputError&) {
  }
  return 0;
}
