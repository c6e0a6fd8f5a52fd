// The frames of the warm load-sharing benchmark (BM_LoadSharing/0/1: activation2, the lift at
// 100 Hz of bench_frame.cpp, from t = 0.5 s) solved in a fixed number, with callgrind collecting
// only inside load_sharing() — the whole call the benchmark times (the QP's rows, the solve, the
// results) — so that instruction counts of two builds compare the benchmark's own work:
//
//   valgrind --tool=callgrind --collect-atstart=no ./build/benchmarks/paraspine_lift_replay --frames 400
//   ./build/benchmarks/paraspine_lift_replay --frames 4000       # thread CPU time per call
//
// --pipeline collects (and times) the whole frame of BM_Pipeline/1 instead: the timeline sample,
// kinematics, inverse dynamics, muscle geometry, capacity, load sharing and reactions, so that
// callgrind's inclusive counts split the frame by stage. --dump FILE writes every frame's outputs
// (moment arms, lengths, capacities, activations, forces, disc forces, ...) as raw doubles, for a
// byte-for-byte (cmp) or field-by-field comparison of two builds.
//
// Prints the solver's steps (mean, p90, max), the CPU time per call (clock read around each call,
// as the benchmark does) and fingerprints of the answers (sums over frames of the activations and
// of the equilibrium residuals), so a change that should not move the answers can be checked.
#include <valgrind/callgrind.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "lift_motion.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/model/loader.h"

namespace ps = paraspine;

namespace {
double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
}  // namespace

int main(int argc, char** argv) {
  int frames = 400;
  bool columns = false, pipeline = false;
  std::string dump;
  for (int a = 1; a < argc; ++a) {
    const std::string o = argv[a];
    if (o == "--frames" && a + 1 < argc) {
      frames = std::atoi(argv[++a]);
    } else if (o == "--columns") {
      columns = true;
    } else if (o == "--pipeline") {
      pipeline = true;
    } else if (o == "--dump" && a + 1 < argc) {
      dump = argv[++a];
    } else {
      std::fprintf(stderr, "usage: %s [--frames N] [--columns] [--pipeline] [--dump FILE]\n", argv[0]);
      return 2;
    }
  }
  const ps::Model model = ps::load_model(ps::bench::bench_model());
  ps::Data d(model);
  ps::bench::Motion motion(model);
  ps::clear_loads(model, d);
  for (double t = 0; t < 0.5; t += 0.01) motion.next(model, d);  // mid-way into the lift, as the benchmark
  const ps::LoadSharingSettings s;
  if (columns) {  // the QP's column lengths (rows each column acts on)
    std::vector<int> count(d.qp.m + 1, 0);
    long nnz = 0, pairs = 0;
    for (int i = 0; i < d.qp.n; ++i) {
      const int len = d.qp.row_end[i] - d.qp.row_begin[i];
      ++count[len];
      nnz += len;
      pairs += long(len) * (len + 1) / 2;
    }
    std::printf("n %d m %d nnz %ld (dense %ld, %.1f %%), sum len(len+1)/2 %ld\n", d.qp.n, d.qp.m, nnz, long(d.qp.n) * d.qp.m,
                100.0 * nnz / (double(d.qp.n) * d.qp.m), pairs);
    // Runs of neighbouring columns on the same rows (a left/right pair is a run of 2).
    std::vector<int> runs(16, 0);
    for (int i = 0; i < d.qp.n;) {
      int j = i + 1;
      while (j < d.qp.n && d.qp.row_begin[j] == d.qp.row_begin[i] && d.qp.row_end[j] == d.qp.row_end[i]) ++j;
      ++runs[std::min(j - i, 15)];
      i = j;
    }
    std::printf("runs of neighbouring columns on the same rows:");
    for (int k = 1; k < 16; ++k)
      if (runs[k]) std::printf(" %d x %d", runs[k], k);
    std::printf("\n");
    for (int len = 0; len <= d.qp.m; ++len)
      if (count[len]) std::printf("  %2d rows: %4d columns\n", len, count[len]);
  }
  std::vector<int> steps;
  double seconds = 0, activation_sum = 0, residual_sum = 0, max_residual = 0;
  int unsolved = 0;
  long free_columns = 0, free_entries = 0, free_by_len[4] = {0, 0, 0, 0};
  std::FILE* out = dump.empty() ? nullptr : std::fopen(dump.c_str(), "wb");
  if (!dump.empty() && !out) {
    std::fprintf(stderr, "cannot write %s\n", dump.c_str());
    return 1;
  }
  auto write = [&](const auto& v) { std::fwrite(v.data(), sizeof(double), static_cast<size_t>(v.size()), out); };
  for (int f = 0; f < frames; ++f) {
    if (pipeline) {
      const double t0 = thread_seconds();
      CALLGRIND_TOGGLE_COLLECT;
      motion.next(model, d);
      ps::load_sharing(model, s, d);
      ps::reactions(model, d);
      CALLGRIND_TOGGLE_COLLECT;
      seconds += thread_seconds() - t0;
    } else {
      motion.next(model, d);
      const double t0 = thread_seconds();
      CALLGRIND_TOGGLE_COLLECT;
      ps::load_sharing(model, s, d);
      CALLGRIND_TOGGLE_COLLECT;
      seconds += thread_seconds() - t0;
    }
    if (out) {
      if (!pipeline) ps::reactions(model, d);
      write(d.segment_origin), write(d.joint_center), write(d.dof_axis), write(d.tau);
      write(d.point_world), write(d.piece_length), write(d.piece_direction), write(d.moment_arm);
      write(d.muscle_length), write(d.muscle_velocity), write(d.fiber_length), write(d.fiber_velocity);
      write(d.cos_pennation), write(d.fiber_length_norm), write(d.fiber_velocity_norm);
      write(d.force_active_max), write(d.force_passive), write(d.activation), write(d.muscle_force);
      write(d.reserve), write(d.contact_force), write(d.disc_force);
    }
    steps.push_back(d.loadsharing_info.qp_iterations);
    if (columns) {  // the factor's columns at the end of the solve and their share of the assembly
      long nfree = 0, entries = 0, by_len[4] = {0, 0, 0, 0};
      for (int i = 0; i < d.qp.n; ++i)
        if (d.qp.in_factor[i]) {
          const int len = d.qp.row_end[i] - d.qp.row_begin[i];
          ++nfree;
          entries += long(len) * (len + 1) / 2;
          by_len[len <= 3 ? 0 : len <= 12 ? 1 : len <= 24 ? 2 : 3] += long(len) * (len + 1) / 2;
        }
      free_columns += nfree;
      free_entries += entries;
      for (int k = 0; k < 4; ++k) free_by_len[k] += by_len[k];
    }
    unsolved += d.loadsharing_info.status != ps::QpStatus::kSolved;
    activation_sum += d.activation.sum();
    residual_sum += d.loadsharing_info.equilibrium_residual;
    max_residual = std::max(max_residual, d.loadsharing_info.equilibrium_residual);
  }
  long total = 0;
  for (int k : steps) total += k;
  std::vector<int> sorted = steps;
  std::sort(sorted.begin(), sorted.end());
  std::printf("frames %d  steps %ld (mean %.3f, p90 %d, max %d)  unsolved %d\n", frames, total, double(total) / frames,
              sorted[sorted.size() * 9 / 10], sorted.back(), unsolved);
  if (columns)
    std::printf("factor at the end: %.1f columns, %.0f entries of S assembled per frame (columns of <= 3 / 4-12 / 13-24 / > 24 rows: "
                "%.0f / %.0f / %.0f / %.0f)\n", double(free_columns) / frames, double(free_entries) / frames, double(free_by_len[0]) / frames,
                double(free_by_len[1]) / frames, double(free_by_len[2]) / frames, double(free_by_len[3]) / frames);
  if (out) std::fclose(out);
  std::printf("cpu %.2f us per %s\n", seconds * 1e6 / frames, pipeline ? "pipeline frame" : "load_sharing call");
  std::printf("activation sum %.12e  equilibrium residual sum %.6e max %.3e\n", activation_sum, residual_sum, max_residual);
  return 0;
}
