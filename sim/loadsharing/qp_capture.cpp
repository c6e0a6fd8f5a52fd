#include "sim/loadsharing/qp_capture.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace paraspine {

namespace {

constexpr unsigned kMagic = 0x51504341;  // "QPCA"

struct Capture {
  std::FILE* file = nullptr;
  long remaining = -1;  // < 0: no cap
  std::mutex mutex;
  Capture() {
    const char* name = std::getenv("PARASPINE_QP_CAPTURE");
    if (!name || !*name) return;
    file = std::fopen(name, "wb");
    // A diagnostics switch: a capture that cannot be written is reported, never fatal to the run.
    if (!file) std::fprintf(stderr, "PARASPINE_QP_CAPTURE: cannot open %s for writing: %s (not capturing)\n", name, std::strerror(errno));
    if (const char* cap = std::getenv("PARASPINE_QP_CAPTURE_MAX")) remaining = std::atol(cap);
  }
  ~Capture() {
    if (file) std::fclose(file);
  }
};

Capture& capture() {
  static Capture c;
  return c;
}

template <class T>
bool put(std::FILE* f, const T* p, std::size_t k) {
  return k == 0 || std::fwrite(p, sizeof(T), k, f) == k;
}
template <class T>
void get(std::FILE* f, T* p, std::size_t k) {
  if (k && std::fread(p, sizeof(T), k, f) != k) throw std::runtime_error("QP capture file: truncated record");
}

}  // namespace

bool qp_capture_enabled() {
  static const bool enabled = capture().file != nullptr;
  return enabled;
}

bool qp_capture_write(std::FILE* f, const QpWorkspace& w, bool warm, bool extrapolate) {
  const int head[5] = {static_cast<int>(kMagic), w.n, w.m, warm, extrapolate};
  bool ok = put(f, head, 5) && put(f, w.row_begin.data(), w.n) && put(f, w.row_end.data(), w.n) && put(f, w.b.data(), w.m);
  for (const Eigen::VectorXd* v : {&w.h, &w.g, &w.lo, &w.hi}) ok = ok && put(f, v->data(), w.n);
  for (int i = 0; i < w.n && ok; ++i) ok = put(f, qp_column(w, i), std::max(0, w.row_end[i] - w.row_begin[i]));
  return ok && std::fflush(f) == 0;
}

void qp_capture(const QpWorkspace& w, bool warm, bool extrapolate) {
  Capture& c = capture();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (!c.file || c.remaining == 0) return;
  if (c.remaining > 0) --c.remaining;
  if (!qp_capture_write(c.file, w, warm, extrapolate)) {
    std::fprintf(stderr, "PARASPINE_QP_CAPTURE: write failed (%s); capture stopped\n", std::strerror(errno));
    std::fclose(c.file);
    c.file = nullptr;
  }
}

bool qp_capture_read(std::FILE* f, QpCaptureRecord& r) {
  int head[5];
  if (std::fread(head, sizeof(int), 5, f) != 5) return false;
  if (static_cast<unsigned>(head[0]) != kMagic || head[1] <= 0 || head[2] <= 0) throw std::runtime_error("QP capture file: bad record header");
  r.n = head[1];
  r.m = head[2];
  r.warm = head[3];
  r.extrapolate = head[4];
  r.row_begin.resize(r.n);
  r.row_end.resize(r.n);
  get(f, r.row_begin.data(), r.n);
  get(f, r.row_end.data(), r.n);
  r.b.resize(r.m);
  get(f, r.b.data(), r.m);
  for (std::vector<double>* v : {&r.h, &r.g, &r.lo, &r.hi}) {
    v->resize(r.n);
    get(f, v->data(), r.n);
  }
  std::size_t nnz = 0;
  for (int i = 0; i < r.n; ++i) nnz += std::max(0, r.row_end[i] - r.row_begin[i]);
  r.a.resize(nnz);
  get(f, r.a.data(), nnz);
  return true;
}

void qp_capture_load(const QpCaptureRecord& r, QpWorkspace& w) {
  if (w.n != r.n || w.m != r.m) qp_resize(w, r.n, r.m);
  if (w.row_begin != r.row_begin || w.row_end != r.row_end) qp_set_rows(w, r.row_begin, r.row_end);
  std::size_t k = 0;
  for (int i = 0; i < r.n; ++i) {
    double* a = qp_column(w, i);
    for (int row = r.row_begin[i]; row < r.row_end[i]; ++row) a[row - r.row_begin[i]] = r.a[k++];
    w.h[i] = r.h[i];
    w.g[i] = r.g[i];
    w.lo[i] = r.lo[i];
    w.hi[i] = r.hi[i];
  }
  for (int row = 0; row < r.m; ++row) w.b[row] = r.b[row];
}

}  // namespace paraspine
