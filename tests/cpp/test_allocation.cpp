// A whole frame after Data is built allocates nothing (the per-frame path must stay allocation-free
// so that threads never contend on the heap). Global operator new is counted while armed.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "fixtures.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/timeline.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/simulate/frame.h"

#if defined(__SANITIZE_ADDRESS__)
#define PARASPINE_COUNT_ALLOCATIONS 0  // the sanitizer owns operator new
#else
#define PARASPINE_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<bool> armed{false};
std::atomic<long> allocations{0};
}  // namespace

#if PARASPINE_COUNT_ALLOCATIONS
void* operator new(std::size_t n) {
  if (armed.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace paraspine {
namespace {

TEST(Allocation, FrameAllocatesNothing) {
  if (!PARASPINE_COUNT_ALLOCATIONS) GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
  // The full model, so that the solver's interior-point fallback runs too.
  const Model m = load_model(test::source_dir() + "/models/full_spine.yaml");
  std::vector<Posture> keys(2, neutral_posture(m));
  keys[1].region_angles(0, kFlexion) = 0.7;
  const PostureTimeline tl(m, {0, 1}, keys);
  Data d(m);
  clear_loads(m, d);
  d.hands[0].load_mass = 5;
  allocations = 0;
  armed = true;
  LoadSharingSettings s;
  for (double t = 0; t <= 1; t += 0.01) {
    tl.sample(t, d);
    evaluate_frame(m, d);
    s.criterion = static_cast<Criterion>(static_cast<int>(t * 100) % 4);  // every criterion
    load_sharing(m, s, d);
    reactions(m, d);
  }
  armed = false;
  EXPECT_EQ(allocations.load(), 0);
  // The counter itself works (a test that cannot fail proves nothing).
  armed = true;
  auto* probe = new std::vector<double>(10);
  armed = false;
  delete probe;
  EXPECT_GE(allocations.load(), 1);
}

}  // namespace
}  // namespace paraspine
