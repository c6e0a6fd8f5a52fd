#pragma once
// How many threads a run, a batch or a sweep may use. Requests beyond four threads per core (at
// least 16) are capped: they gain nothing, and every thread costs memory — a frame-parallel run
// holds a 1.3 MB Data per thread, so '--threads 100000' asked for 130 GB and was killed by the
// kernel's OOM killer (with whatever else it chose). The engine applies the cap itself (run.cpp,
// batch.cpp, sweep.cpp), so no caller can bypass it; results are identical for every count
// (docs/performance.md, "Threads"), so the cap changes no number.
#include <omp.h>

#include <algorithm>

namespace paraspine {

inline int thread_cap() { return std::max(16, 4 * omp_get_num_procs()); }

// A count the engine uses: at least 1, at most thread_cap().
inline int capped_threads(int requested) { return std::clamp(requested, 1, thread_cap()); }

// A count users ask for (--threads, Python's threads=): 0 = every core, then capped.
inline int usable_threads(int requested) {
  return requested <= 0 ? std::min(omp_get_max_threads(), thread_cap()) : std::min(requested, thread_cap());
}

}  // namespace paraspine
