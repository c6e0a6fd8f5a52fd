// Solves again a chain of load-sharing QPs captured with PARASPINE_QP_CAPTURE (sim/loadsharing/
// qp_capture.h), each warm-started from the replay's own previous solution as in the run, and
// reports per kind of frame (reserves acting or not, after a frame with or without reserves) the
// solves, semismooth steps, factorizations, rank-one updates and steps after which the residual was
// carried rather than recomputed. Deterministic work, so it can be
// run under callgrind for A/B decisions; --collect limits callgrind's collection to one kind:
//
//   PARASPINE_QP_CAPTURE=bench.qp ./build/paraspine bench --frames 300
//   ./build/benchmarks/paraspine_qp_replay bench.qp --frames 300           # the bench's warm chain
//   valgrind --tool=callgrind --collect-atstart=no ./build/benchmarks/paraspine_qp_replay bench.qp --frames 300
//
// `paraspine bench --frames N` captures its N warm solves first, then its N cold ones, then (with
// Ipopt) the warm chain again: its first N records are the warm chain. (Before commit 735d7f5 it
// alternated warm and cold per frame and the recipe was --stride 2, which now replays a mix.)
// Options: --stride k (replay every k-th record), --frames N, --verbose i (the solver's per-step lines
// for solve i), --list (one line per solve), --collect none|all|free|reserve|first|continuing|after,
// --patience-warm N (QpSettings::semismooth_patience_warm: steps before the interior point).
#include <valgrind/callgrind.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sim/loadsharing/qp.h"
#include "sim/loadsharing/qp_capture.h"

namespace ps = paraspine;

namespace {

struct Tally {
  int solves = 0, unsolved = 0;
  long iterations = 0, factorizations = 0, rank_updates = 0, max_iterations = 0, carried = 0;
  double seconds = 0;
  void add(const ps::QpInfo& qi, double s) {
    ++solves;
    unsolved += qi.status != ps::QpStatus::kSolved;
    iterations += qi.iterations;
    factorizations += qi.factorizations;
    rank_updates += qi.rank_updates;
    carried += qi.carried_residuals;
    max_iterations = std::max<long>(max_iterations, qi.iterations);
    seconds += s;
  }
};

double largest_reserve(const ps::QpWorkspace& w) {
  // Reserve columns are the ones with a linear cost (W |r|); muscles have none.
  double r = 0;
  for (int i = 0; i < w.n; ++i)
    if (w.g[i] > 0) r = std::max(r, std::abs(w.x[i]));
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s capture.qp [--stride k] [--frames N] [--verbose i] [--list] [--collect kind]\n", argv[0]);
    return 2;
  }
  ps::QpSettings settings;
  int stride = 1, frames = 1 << 30, verbose = -1;
  bool list = false;
  std::string collect = "all";
  for (int a = 2; a < argc; ++a) {
    const std::string o = argv[a];
    auto next = [&] {
      if (a + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", o.c_str());
        std::exit(2);
      }
      return std::string(argv[++a]);
    };
    if (o == "--stride") stride = std::stoi(next());
    else if (o == "--frames") frames = std::stoi(next());
    else if (o == "--verbose") verbose = std::stoi(next());
    else if (o == "--list") list = true;
    else if (o == "--patience-warm") settings.semismooth_patience_warm = std::stoi(next());
    else if (o == "--collect") collect = next();
    else {
      std::fprintf(stderr, "unknown option %s\n", o.c_str());
      return 2;
    }
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  ps::QpCaptureRecord rec;
  ps::QpWorkspace w;
  // Kinds: free (no reserves), first (reserves after a frame without), continuing (reserves after
  // reserves), after (no reserves after a frame with).
  Tally free, first, continuing, after;
  bool previous_reserves = false, warm_state = false;
  std::vector<int> side;
  int index = 0, solved = 0;
  for (int record = 0; solved < frames && ps::qp_capture_read(f, rec); ++record) {
    if (record % stride) continue;
    ps::qp_capture_load(rec, w);
    // Warm as in the run, but from the replay's own chain: a solve that failed here starts the next cold.
    const bool warm = rec.warm && warm_state;
    const bool extrapolate = !previous_reserves;
    if (warm) ps::qp_predict_warm_start(w, extrapolate);
    settings.verbose = index == verbose;
    ps::QpInfo qi;
    // The kind is known only after the solve; collect by the previous frame's state and decide below.
    const bool collecting = collect == "all" || (collect == "first" && !previous_reserves) ||
                            (collect == "continuing" && previous_reserves) || (collect == "after" && previous_reserves) ||
                            (collect == "free" && !previous_reserves) || collect == "reserve";
    if (collecting) CALLGRIND_TOGGLE_COLLECT;
    const auto t0 = std::chrono::steady_clock::now();
    ps::qp_solve(settings, w, qi, warm);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (collecting) CALLGRIND_TOGGLE_COLLECT;
    // How far the optimum's partition moved: variables whose side (free, lower, upper) differs
    // from the previous solve's optimum, and how many are free.
    int moved = 0, nfree = 0;
    if (side.size() != static_cast<std::size_t>(w.n)) side.assign(w.n, 9);
    for (int i = 0; i < w.n; ++i) {
      const int sd = w.bound_multiplier[i] > 0 ? 1 : w.bound_multiplier[i] < 0 ? -1 : 0;
      moved += sd != side[i];
      nfree += sd == 0;
      side[i] = sd;
    }
    const double reserve = largest_reserve(w);
    const bool reserves = reserve > 1e-9;
    Tally& t = reserves ? (previous_reserves ? continuing : first) : (previous_reserves ? after : free);
    t.add(qi, s);
    if (list)
      std::printf("%5d %-10s it %4d fact %3d upd %4d moved %3d free %3d  %-14s reserve %.3e  %.1f us\n", index,
                  reserves ? (previous_reserves ? "continuing" : "first") : (previous_reserves ? "after" : "free"), qi.iterations,
                  qi.factorizations, qi.rank_updates, moved, nfree, ps::qp_status_name(qi.status), reserve, s * 1e6);
    previous_reserves = reserves;
    warm_state = qi.status == ps::QpStatus::kSolved;
    ++index;
    ++solved;
  }
  std::fclose(f);
  std::printf("%-34s %6s %8s %7s %7s %8s %6s %8s %9s %8s\n", "kind", "solves", "steps", "mean", "max", "factor.", "upd/s", "carried", "us/solve",
              "unsolved");
  auto row = [](const char* name, const Tally& t) {
    if (!t.solves) return;
    std::printf("%-34s %6d %8ld %7.1f %7ld %8ld %6.1f %8ld %9.1f %8d\n", name, t.solves, t.iterations, double(t.iterations) / t.solves,
                t.max_iterations, t.factorizations, double(t.rank_updates) / t.solves, t.carried, t.seconds * 1e6 / t.solves, t.unsolved);
  };
  row("no reserves", free);
  row("reserves, first after none", first);
  row("reserves, continuing a run", continuing);
  row("no reserves, after reserves", after);
  Tally all;
  for (const Tally* t : {&free, &first, &continuing, &after}) {
    all.solves += t->solves;
    all.iterations += t->iterations;
    all.factorizations += t->factorizations;
    all.seconds += t->seconds;
    all.unsolved += t->unsolved;
  }
  std::printf("total: %d solves, %ld steps, %ld factorizations, %.1f us/solve, %d unsolved\n", all.solves, all.iterations,
              all.factorizations, all.seconds * 1e6 / std::max(1, all.solves), all.unsolved);
  return 0;
}
