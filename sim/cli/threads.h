#pragma once
// Thread counts users ask for (--threads, Python's threads=): 0 = every core. Requests beyond four
// threads per core (at least 16) are capped: they gain nothing, and every thread costs memory — a
// frame-parallel run holds a 1.3 MB Data per thread, so '--threads 100000' asked for 130 GB and was
// killed by the kernel's OOM killer (with whatever else it chose). Results are identical for every
// count (docs/performance.md, "Threads"), so the cap changes no number.
#include <omp.h>

#include <algorithm>

namespace paraspine::cli {

inline int usable_threads(int requested) {
  const int cap = std::max(16, 4 * omp_get_num_procs());
  return requested <= 0 ? std::min(omp_get_max_threads(), cap) : std::min(requested, cap);
}

}  // namespace paraspine::cli
