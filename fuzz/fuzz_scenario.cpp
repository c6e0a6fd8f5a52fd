// libFuzzer target: scenario text → parse → subject scaling → bind to a model → sample the cycle.
// Every bad input must end in an InputError (FILE:LINE: FIELD: message, the brief's rule for
// malformed scenarios); any other exception, a crash, a sanitizer report or a NaN in the sampled
// posture of an accepted scenario is a finding. docs/fuzzing.md.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>

#include "sim/common/error.h"
#include "sim/model/data.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/scenario/sample.h"
#include "sim/scenario/scenario.h"

namespace ps = paraspine;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The lumbar model: the same loader and binder as full_spine at a fifth of the cost per input.
  static const ps::Model base = ps::load_model("lumbar");
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ps::Scenario sc = ps::parse_scenario(text, "fuzz.yaml");
    const ps::Model model = ps::scale_model(base, sc.subject.value_or(ps::Subject{}));
    const ps::BoundScenario bound = ps::bind_scenario(sc, model);
    ps::Data d(model);
    // Each keyframe and the midpoints between them: the sampler's whole cycle, a bounded cost.
    const auto& kf = sc.keyframes;
    const auto sample = [&](double t) {
      ps::sample_scenario(sc, bound, t, d);
      if (!d.q.allFinite()) {
        std::fprintf(stderr, "accepted scenario sampled a non-finite angle at t = %g\n", t);
        std::abort();
      }
    };
    for (std::size_t k = 0; k < kf.size() && k < 64; ++k) {
      sample(kf[k].time);
      if (k + 1 < kf.size()) sample(0.5 * (kf[k].time + kf[k + 1].time));
    }
  } catch (const ps::InputError&) {
    // The expected outcome for a malformed file.
  }
  return 0;
}
