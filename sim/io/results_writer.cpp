#include "sim/io/results_writer.h"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <libdeflate.h>
#include <lz4.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <thread>
#include <optional>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "sim/common/build_info.h"
#include "sim/common/error.h"
#include "sim/io/fields.h"
#include "sim/io/hdf5_attributes.h"
#include "sim/io/hdf5_close.h"

namespace paraspine {
namespace {

hid_t make_string_type() {
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

void int_attribute(hid_t obj, const char* name, int value) {
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(obj, name, H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attr, H5T_NATIVE_INT, &value);
  H5Aclose(attr);
  H5Sclose(space);
}

// A 1-D dataset of strings, made a dimension scale named `scale`.
hid_t string_scale(hid_t file, const char* path, const std::vector<std::string>& values, const char* scale) {
  const hid_t type = make_string_type();
  const hsize_t n = values.size();
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t dcpl = untimed_creation_properties(H5P_DATASET_CREATE);
  const hid_t ds = H5Dcreate2(file, path, type, space, lcpl, dcpl, H5P_DEFAULT);
  H5Pclose(dcpl);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n) H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
  if (scale) H5DSset_scale(ds, scale);
  H5Pclose(lcpl);
  H5Sclose(space);
  H5Tclose(type);
  return ds;
}

// HDF5's shuffle filter: byte j of element i goes to j·n + i (n elements of `size` bytes).
void shuffle_bytes(const unsigned char* src, size_t n, size_t size, unsigned char* dst) {
  for (size_t j = 0; j < size; ++j) {
    unsigned char* out = dst + j * n;
    const unsigned char* in = src + j;
    for (size_t i = 0; i < n; ++i) out[i] = in[i * size];
  }
}

#if defined(__x86_64__)
// The same for 4-byte elements, 16 at a time: each 16-byte load (4 elements) is regrouped by byte
// (pshufb), then the 4 × 4 block of 32-bit groups is transposed, giving 16 bytes of each plane. About
// four times the byte loop's speed, which was a quarter of the LZ4 writer's time.
__attribute__((target("ssse3"))) void shuffle4_ssse3(const unsigned char* src, size_t n, unsigned char* dst) {
  const __m128i by_byte = _mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const unsigned char* p = src + 4 * i;
    const __m128i a = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), by_byte);
    const __m128i b = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)), by_byte);
    const __m128i c = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)), by_byte);
    const __m128i d = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)), by_byte);
    const __m128i ab0 = _mm_unpacklo_epi32(a, b), ab1 = _mm_unpackhi_epi32(a, b);
    const __m128i cd0 = _mm_unpacklo_epi32(c, d), cd1 = _mm_unpackhi_epi32(c, d);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_unpacklo_epi64(ab0, cd0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n + i), _mm_unpackhi_epi64(ab0, cd0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 2 * n + i), _mm_unpacklo_epi64(ab1, cd1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 3 * n + i), _mm_unpackhi_epi64(ab1, cd1));
  }
  for (; i < n; ++i)
    for (size_t j = 0; j < 4; ++j) dst[j * n + i] = src[4 * i + j];
}
#endif

void shuffle(const unsigned char* src, size_t n, size_t size, unsigned char* dst) {
#if defined(__x86_64__)
  static const bool ssse3 = __builtin_cpu_supports("ssse3");
  if (size == 4 && ssse3) return shuffle4_ssse3(src, n, dst);
#endif
  shuffle_bytes(src, n, size, dst);
}

void put_big_endian(unsigned char* p, uint64_t v, int bytes) {
  for (int k = bytes - 1; k >= 0; --k, v >>= 8) p[k] = static_cast<unsigned char>(v & 0xff);
}
uint64_t get_big_endian(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int k = 0; k < bytes; ++k) v = v << 8 | p[k];
  return v;
}

// The chunk format of HDF5 filter 32004 (HDF Group filter registry, "HDF5 LZ4", M. Rissi and E.
// Borisch): an 8-byte big-endian decompressed size, a 4-byte big-endian block size, then per block of
// that many bytes (the last may be short) a 4-byte big-endian compressed length and the block as an
// LZ4 block; a block whose compressed length equals its own length is stored as is. Written here from
// that description.
constexpr size_t kLz4HeaderBytes = 12;
constexpr size_t kLz4MaxBlock = size_t(1) << 30;  // LZ4 blocks are limited to ~2 GB; chunks are far smaller

size_t lz4_bound(size_t n) {
  const size_t blocks = std::max<size_t>(1, (n + kLz4MaxBlock - 1) / kLz4MaxBlock);
  return kLz4HeaderBytes + blocks * 4 + static_cast<size_t>(LZ4_compressBound(static_cast<int>(std::min(n, kLz4MaxBlock)))) * blocks;
}

// Encodes `n` bytes into `out` (capacity lz4_bound(n)); returns the encoded size, 0 on failure.
size_t lz4_encode(const unsigned char* in, size_t n, unsigned char* out, size_t capacity) {
  const size_t block = std::max<size_t>(1, std::min(n, kLz4MaxBlock));
  put_big_endian(out, n, 8);
  put_big_endian(out + 8, block, 4);
  size_t at = kLz4HeaderBytes;
  for (size_t first = 0; first < n; first += block) {
    const size_t len = std::min(block, n - first);
    if (at + 4 > capacity) return 0;
    const int packed = LZ4_compress_default(reinterpret_cast<const char*>(in + first), reinterpret_cast<char*>(out + at + 4),
                                            static_cast<int>(len), static_cast<int>(std::min(capacity - at - 4, len - 1)));
    if (packed > 0) {  // smaller than the block (the output may not reach its length)
      put_big_endian(out + at, static_cast<uint64_t>(packed), 4);
      at += 4 + static_cast<size_t>(packed);
    } else {  // incompressible: stored, its length equal to the block's
      if (at + 4 + len > capacity) return 0;
      put_big_endian(out + at, len, 4);
      std::memcpy(out + at + 4, in + first, len);
      at += 4 + len;
    }
  }
  return at;
}

// Decodes a whole chunk into `out` (capacity = the size its header declares, checked by the caller
// with lz4_declared_size); false when it is malformed.
bool lz4_decode(const unsigned char* in, size_t n, unsigned char* out, uint64_t total) {
  const uint64_t block = get_big_endian(in + 8, 4);
  size_t at = kLz4HeaderBytes;
  for (uint64_t first = 0; first < total; first += block) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(block, total - first));
    if (at + 4 > n) return false;
    const size_t packed = static_cast<size_t>(get_big_endian(in + at, 4));
    at += 4;
    if (packed > n - at) return false;
    if (packed == len) {
      std::memcpy(out + first, in + at, len);
    } else if (LZ4_decompress_safe(reinterpret_cast<const char*>(in + at), reinterpret_cast<char*>(out + first),
                                   static_cast<int>(packed), static_cast<int>(len)) != static_cast<int>(len)) {
      return false;
    }
    at += packed;
  }
  return true;
}

// The decoded size a chunk's header declares, or nothing when the header cannot be right: a block
// size LZ4 cannot have, or more bytes than the chunk can hold (every block needs a 4-byte length and
// LZ4 expands by at most 255×) — so a corrupt header never asks for terabytes.
std::optional<uint64_t> lz4_declared_size(const unsigned char* in, size_t n) {
  if (n < kLz4HeaderBytes) return std::nullopt;
  const uint64_t total = get_big_endian(in, 8), block = get_big_endian(in + 8, 4);
  if (block == 0 || block >= (uint64_t(1) << 31)) return std::nullopt;
  const uint64_t blocks = (n - kLz4HeaderBytes) / 4;
  if (total > blocks * block || total > 255 * uint64_t(n)) return std::nullopt;
  return total;
}

// HDF5's callback for filter 32004, both directions (the writer compresses chunks itself; HDF5 uses
// this to read them, and to write if anyone writes through H5Dwrite). Nothing may throw through
// HDF5's C frames: any failure returns 0, which HDF5 reports as a filter error.
size_t lz4_filter(unsigned int flags, size_t, const unsigned int[], size_t nbytes, size_t* buf_size, void** buf) noexcept {
  try {
    const unsigned char* in = static_cast<const unsigned char*>(*buf);
    if (flags & H5Z_FLAG_REVERSE) {
      const std::optional<uint64_t> total = lz4_declared_size(in, nbytes);
      if (!total || *total == 0) return 0;
      void* out = H5allocate_memory(static_cast<size_t>(*total), false);
      if (!out) return 0;
      if (!lz4_decode(in, nbytes, static_cast<unsigned char*>(out), *total)) {
        H5free_memory(out);
        return 0;
      }
      H5free_memory(*buf);
      *buf = out;
      *buf_size = static_cast<size_t>(*total);
      return static_cast<size_t>(*total);
    }
    std::vector<unsigned char> result(lz4_bound(nbytes));
    const size_t used = lz4_encode(in, nbytes, result.data(), result.size());
    if (used == 0) return 0;
    void* out = H5allocate_memory(used, false);
    if (!out) return 0;
    std::memcpy(out, result.data(), used);
    H5free_memory(*buf);
    *buf = out;
    *buf_size = used;
    return used;
  } catch (...) {
    return 0;
  }
}

}  // namespace

Compression parse_compression(const std::string& name, const std::string& option) {
  if (name == "deflate") return Compression::kDeflate;
  if (name == "lz4") return Compression::kLz4;
  throw InputError(option, 0, "", "'" + name + "' is not a compression: deflate (the default, read by every HDF5 reader) or lz4 (faster; other readers need the HDF5 LZ4 plugin)");
}

const char* compression_name(Compression c) { return c == Compression::kLz4 ? "lz4" : "deflate"; }

bool register_lz4_filter() {
  // Registered before any file asks for the filter, ours is used and HDF5 never looks for the plugin.
  static const bool registered = [] {
    static const H5Z_class2_t lz4_class = {H5Z_CLASS_T_VERS, static_cast<H5Z_filter_t>(kLz4FilterId), 1, 1,
                                           "lz4, HDF5 filter 32004 (readers need its plugin: Debian hdf5-filter-plugin)", nullptr, nullptr, lz4_filter};
    return H5Zregister(&lz4_class) >= 0;
  }();
  return registered;
}

// One chunk's worth of frames on its way to disk: the main thread fills it, already in the storage
// type (float32 values are half the bytes to move), the writer thread shuffles, compresses and writes it.
struct ChunkJob {
  long first = 0;   // index of its first frame
  int frames = 0;   // frames in it (≤ chunk; the last one of a run may be short)
  std::vector<double> time;
  std::vector<std::vector<unsigned char>> fields;  // per field: chunk × width values of the storage type
};

// Chunks are compressed here, not by HDF5: shuffle + zlib-format deflate exactly as HDF5's own
// filters would do (so every HDF5 reader decodes them with the standard pipeline), but with
// libdeflate, about twice as fast as zlib at the same ratio, and on a thread of its own, so a run
// on two cores computes frame k+1 while frame k's chunk is compressed. HDF5 is called from the
// writer thread only while it runs; the library is built thread-safe in any case.
struct ResultsWriter::Impl {
  const Model& model;
  std::string path, partial;
  hid_t file = -1, time_ds = -1, joint_scale = -1, muscle_scale = -1, rotation_scale = -1;
  std::vector<hid_t> field_ds;
  std::vector<size_t> fields;  // indices into kOutputFields, in table order
  std::vector<int> width;
  std::vector<std::vector<hsize_t>> tails;  // per field: the dataset's dimensions after time
  int chunk = 256;
  long queued = 0;    // frames handed to the writer thread
  bool finished = false;
  hid_t file_type = H5T_IEEE_F64LE;  // storage type of the per-frame fields
  size_t value_size = 8;             // its bytes
  Compression compression = Compression::kDeflate;
  std::vector<double> row;           // one field of one frame before conversion to float32
  // libdeflate level 1: on results of the repetitive-lifting shift, levels 1 / 4 / 6 give files of
  // 23.0 / 22.5 / 22.4 MB for 8 % / 0 / −5 % less CPU than level 4; speed matters more here.
  int deflate_level = 1;

  ChunkJob filling;  // the chunk the main thread is filling

  // Writer thread state (guarded by mutex).
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<ChunkJob> pending;   // filled chunks, oldest first
  std::vector<ChunkJob> spare;    // emptied chunks for reuse: no allocation per chunk
  bool stop = false;
  std::string error;              // first failure, reported to the caller
  std::thread worker;
  static constexpr size_t kMaxPending = 4;  // bounds memory: at most this many chunks in flight

  // Compression: the writer thread and one helper each convert, shuffle and compress whole
  // datasets of the chunk in hand (taken from `next_dataset`), into that dataset's own buffer; the
  // writer thread then hands them to HDF5 in dataset order, so the file is the same bytes whoever
  // compressed what. (One thread compressed ~290 MB/s of values, the bottleneck of long runs whose
  // frames are cheap: an 8-hour shift writes 24 GB of single-precision values; docs/performance.md.)
  struct Compressor {
    libdeflate_compressor* deflate = nullptr;
    std::vector<unsigned char> shuffled;
  };
  Compressor compressors[2];
  std::vector<std::vector<unsigned char>> packed;  // per dataset (0: /time, k + 1: field k)
  std::vector<size_t> packed_bytes;                // 0: compression failed
  // Handing a chunk to the helper (guarded by helper_mutex).
  std::mutex helper_mutex;
  std::condition_variable helper_cv;
  const ChunkJob* helper_job = nullptr;  // the chunk being compressed, null between chunks
  long helper_round = 0;                 // increments per chunk
  int helper_busy = 0;                   // 1 while the helper works on the current round
  bool helper_stop = false;
  std::atomic<int> next_dataset{0};
  std::thread helper;

  explicit Impl(const Model& m) : model(m) {}

  hid_t create_extensible(const char* path, const std::vector<hsize_t>& tail, const char* unit,
                          const char* description, hid_t type) {
    const int rank = 1 + static_cast<int>(tail.size());
    std::vector<hsize_t> dims(rank, 0), maxdims(rank, H5S_UNLIMITED), chunk_dims(rank, chunk);
    for (size_t k = 0; k < tail.size(); ++k) dims[k + 1] = maxdims[k + 1] = chunk_dims[k + 1] = tail[k];
    const hid_t space = H5Screate_simple(rank, dims.data(), maxdims.data());
    const hid_t dcpl = untimed_creation_properties(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk_dims.data());
    // The pipeline every reader applies in reverse; write_chunk produces exactly its output.
    H5Pset_shuffle(dcpl);
    if (compression == Compression::kLz4) {
      const unsigned int block = 0;  // cd_values[0]: block size, 0 = the implementation's (each chunk states its own)
      H5Pset_filter(dcpl, kLz4FilterId, H5Z_FLAG_MANDATORY, 1, &block);
    } else {
      H5Pset_deflate(dcpl, deflate_level);
    }
    const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    const hid_t ds = H5Dcreate2(file, path, type, space, lcpl, dcpl, H5P_DEFAULT);
    write_string_attribute(ds, "units", unit);
    write_string_attribute(ds, "description", description);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    return ds;
  }

  ChunkJob fresh_job() {
    ChunkJob job;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!spare.empty()) {
        job = std::move(spare.back());
        spare.pop_back();
      }
    }
    job.time.resize(chunk);
    job.fields.resize(fields.size());
    for (size_t k = 0; k < fields.size(); ++k) job.fields[k].resize(static_cast<size_t>(chunk) * width[k] * value_size);
    job.frames = 0;
    return job;
  }

  // Main thread: hand the filled chunk over (waits while kMaxPending chunks are queued).
  void flush() {
    if (filling.frames == 0) return;
    // Rows past the last frame are zero padding: HDF5 chunks are whole, and reads stop at the extent.
    if (filling.frames < chunk) {
      std::fill(filling.time.begin() + filling.frames, filling.time.end(), 0.0);
      for (size_t k = 0; k < fields.size(); ++k)
        std::fill(filling.fields[k].begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(filling.frames) * width[k] * value_size),
                  filling.fields[k].end(), 0);
    }
    filling.first = queued;
    queued += filling.frames;
    {
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [&] { return pending.size() < kMaxPending || !error.empty(); });
      if (!error.empty()) throw_error(lock);
      pending.push_back(std::move(filling));
    }
    cv.notify_all();
    filling = fresh_job();
  }

  // Main thread: wait until every queued chunk is on disk; rethrow a writer failure.
  void drain() {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return (pending.empty() && !busy) || !error.empty(); });
    if (!error.empty()) throw_error(lock);
  }

  [[noreturn]] void throw_error(std::unique_lock<std::mutex>& lock) {
    const std::string message = error;
    lock.unlock();
    throw InputError(path, 0, "output", "writing the results failed: " + message);
  }

  bool busy = false;  // the writer thread is working on a chunk it has taken off `pending`

  // The dataset at index `k` of a chunk: /time, then the fields in table order.
  bool compress_dataset(size_t k, const ChunkJob& job, Compressor& c) {
    const bool is_time = k == 0;
    const unsigned char* values = is_time ? reinterpret_cast<const unsigned char*>(job.time.data()) : job.fields[k - 1].data();
    const int row_width = is_time ? 1 : width[k - 1];
    const size_t size = is_time ? sizeof(double) : value_size;
    const size_t elements = static_cast<size_t>(chunk) * row_width;
    c.shuffled.resize(elements * size);
    shuffle(values, elements, size, c.shuffled.data());
    std::vector<unsigned char>& out = packed[k];
    if (compression == Compression::kLz4) {
      out.resize(lz4_bound(c.shuffled.size()));
      packed_bytes[k] = lz4_encode(c.shuffled.data(), c.shuffled.size(), out.data(), out.size());
    } else {
      out.resize(libdeflate_zlib_compress_bound(c.deflate, c.shuffled.size()));
      packed_bytes[k] = libdeflate_zlib_compress(c.deflate, c.shuffled.data(), c.shuffled.size(), out.data(), out.size());
    }
    return packed_bytes[k] != 0;
  }

  // Compresses datasets of `job` until none is left (both threads run this on the same chunk).
  void compress_some(const ChunkJob& job, Compressor& c) {
    const int total = static_cast<int>(fields.size()) + 1;
    for (int k = next_dataset.fetch_add(1); k < total; k = next_dataset.fetch_add(1))
      compress_dataset(static_cast<size_t>(k), job, c);
  }

  void helper_loop() {
    long seen = 0;
    for (;;) {
      const ChunkJob* job;
      {
        std::unique_lock<std::mutex> lock(helper_mutex);
        helper_cv.wait(lock, [&] { return helper_stop || helper_round != seen; });
        if (helper_stop) return;
        seen = helper_round;
        job = helper_job;
      }
      compress_some(*job, compressors[1]);
      {
        std::lock_guard<std::mutex> lock(helper_mutex);
        helper_busy = 0;
      }
      helper_cv.notify_all();
    }
  }

  // Writer thread: compress every dataset of the chunk (with the helper when there is one), then
  // extend each dataset and write its chunk, in dataset order.
  std::string write_job(const ChunkJob& job) {
    const size_t total = fields.size() + 1;
    packed.resize(total), packed_bytes.assign(total, 0);
    next_dataset = 0;
    const bool with_helper = helper.joinable();
    if (with_helper) {
      {
        std::lock_guard<std::mutex> lock(helper_mutex);
        helper_job = &job, helper_busy = 1, ++helper_round;
      }
      helper_cv.notify_all();
    }
    compress_some(job, compressors[0]);
    if (with_helper) {
      std::unique_lock<std::mutex> lock(helper_mutex);
      helper_cv.wait(lock, [&] { return helper_busy == 0; });
      helper_job = nullptr;
    }
    static const std::vector<hsize_t> no_tail;  // /time has no dimension after time
    for (size_t k = 0; k < total; ++k) {
      const bool is_time = k == 0;
      const char* name = is_time ? "/time" : kOutputFields[fields[k - 1]].path;
      if (packed_bytes[k] == 0) return std::string("cannot compress ") + name;
      if (!write_chunk(is_time ? time_ds : field_ds[k - 1], is_time ? no_tail : tails[k - 1], job, k)) {
        const std::string why = take_hdf5_error();
        return std::string("HDF5 could not write ") + name + (why.empty() ? " (disk full?)" : ": " + why);
      }
    }
    return {};
  }

  void worker_loop() {
    quiet_hdf5_errors();  // this thread's own HDF5 error stack: failures are reported, not printed
    compressors[0].deflate = libdeflate_alloc_compressor(deflate_level);
    compressors[1].deflate = libdeflate_alloc_compressor(deflate_level);
    if (compressors[1].deflate) helper = std::thread([this] { helper_loop(); });
    for (;;) {
      ChunkJob job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [&] { return stop || !pending.empty(); });
        if (pending.empty()) break;  // stop requested and nothing left
        job = std::move(pending.front());
        pending.pop_front();
        busy = true;
      }
      std::string failure;
      if (compressors[0].deflate == nullptr) failure = "cannot allocate the compressor";
      else failure = write_job(job);
      {
        std::lock_guard<std::mutex> lock(mutex);
        busy = false;
        if (!failure.empty() && error.empty()) error = failure;
        spare.push_back(std::move(job));
      }
      cv.notify_all();
    }
    if (helper.joinable()) {
      {
        std::lock_guard<std::mutex> lock(helper_mutex);
        helper_stop = true;
      }
      helper_cv.notify_all();
      helper.join();
    }
    for (Compressor& c : compressors)
      if (c.deflate) libdeflate_free_compressor(c.deflate), c.deflate = nullptr;
  }

  // Writer thread: the compressed chunk of dataset k (packed[k]) into `ds`, extended to cover it.
  bool write_chunk(hid_t ds, const std::vector<hsize_t>& tail, const ChunkJob& job, size_t k) {
    const int rank = 1 + static_cast<int>(tail.size());
    std::vector<hsize_t> dims(rank), offset(rank, 0);
    dims[0] = static_cast<hsize_t>(job.first + job.frames);
    offset[0] = static_cast<hsize_t>(job.first);
    for (int r = 1; r < rank; ++r) dims[r] = tail[r - 1];
    if (H5Dset_extent(ds, dims.data()) < 0) return false;
    return H5Dwrite_chunk(ds, H5P_DEFAULT, 0, offset.data(), packed_bytes[k], packed[k].data()) >= 0;
  }

  void start_worker() { worker = std::thread([this] { worker_loop(); }); }

  void stop_worker() {
    if (!worker.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    cv.notify_all();
    worker.join();
  }

  // Closes every dataset, then the file; "" or the first failure's reason. After a failed
  // H5Fclose HDF5 1.10 keeps a dangling id (hdf5_close.h): the file is never closed again.
  std::string close_all() {
    FirstCloseFailure failure;
    for (hid_t ds : field_ds) if (ds >= 0) failure.check(H5Dclose(ds));
    field_ds.clear();
    for (hid_t* h : {&time_ds, &joint_scale, &muscle_scale, &rotation_scale})
      if (*h >= 0) failure.check(H5Dclose(*h)), *h = -1;
    if (file >= 0) failure.check(H5Fclose(file)), file = -1;
    return failure.take();
  }

  // An unfinished or failed file: its remaining writes go to memory (so closing cannot fail on a
  // full disk), everything is closed and the partial file removed.
  void discard() {
    if (file >= 0) divert_to_memory(file);
    close_all();
    std::error_code ec;
    std::filesystem::remove(partial, ec);
  }

  [[noreturn]] void fail(const std::string& why) {
    discard();
    throw InputError(path, 0, "output", "writing the results failed: " + why);
  }
};

namespace {

bool field_selected(const std::string& path, const std::vector<std::string>& selection) {
  if (selection.empty()) return true;
  for (const std::string& entry : selection) {
    if (entry.empty()) continue;
    // "joints" and "/joints" name the group; a path must match whole names.
    const std::string_view name = entry[0] == '/' ? std::string_view(entry).substr(1) : std::string_view(entry);
    const std::string_view p = std::string_view(path).substr(1);
    if (p == name || (p.size() > name.size() && p.compare(0, name.size(), name) == 0 && p[name.size()] == '/')) return true;
  }
  return false;
}

}  // namespace

void check_field_selection(const std::vector<std::string>& fields) {
  for (const std::string& f : fields) {
    bool any = false;
    for (const auto& field : kOutputFields) any = any || field_selected(field.path, {f});
    if (!any) {
      std::string known;
      for (const auto& field : kOutputFields) known.append(known.empty() ? "" : ", ").append(field.path);
      throw InputError("--fields", 0, f, "no such output field or group (fields: " + known + ")");
    }
  }
}

ResultsWriter::ResultsWriter(const std::string& path, const Model& m, const RunMetadata& meta, int chunk_frames)
    : ResultsWriter(path, m, meta, ResultsOptions{false, {}, chunk_frames, Compression::kDeflate}) {}

ResultsWriter::ResultsWriter(const std::string& path, const Model& m, const RunMetadata& meta, const ResultsOptions& options)
    : impl_(std::make_unique<Impl>(m)) {
  check_field_selection(options.fields);
  const int chunk_frames = options.chunk_frames;
  quiet_hdf5_errors();  // errors are reported by us, not printed by HDF5
  Impl& w = *impl_;
  w.path = path;
  w.partial = path + ".partial";
  w.chunk = std::max(1, chunk_frames);
  w.compression = options.compression;
  if (w.compression == Compression::kLz4 && !register_lz4_filter())
    throw InputError(path, 0, "output", "the HDF5 library refused the LZ4 filter (id 32004)");
  if (const std::string busy = file_in_use(w.partial); !busy.empty())
    throw InputError(path, 0, "output", "cannot create the results file: " + busy);
  std::string why;
  w.file = create_partial_file(w.partial, why);
  if (w.file < 0) {
    throw InputError(path, 0, "output", "cannot create the results file" + (why.empty() ? std::string(" (is the directory there and writable?)") : ": " + why));
  }

  // Root attributes.
  write_string_attribute(w.file, "paraspine_version", PARASPINE_VERSION);
  write_string_attribute(w.file, "paraspine_commit", build_commit());
  int_attribute(w.file, "schema_version", kSchemaVersion);
  write_string_attribute(w.file, "model", m.name);
  write_string_attribute(w.file, "model_file", m.file);
  if (!m.source_digest.empty()) write_string_attribute(w.file, "model_digest", m.source_digest);
  // The model's own text, so that render, report and Python rebuild the run's model even after its
  // file has been edited or lost (model_digest alone could only warn).
  if (m.source_text) write_text_dataset(w.file, kModelTextPath, *m.source_text, kModelTextDescription);
  write_string_attribute(w.file, "scenario", meta.scenario_name);
  write_string_attribute(w.file, "scenario_text", meta.scenario_text);
  // A motion file's rows are the scenario's keyframes: kept so that pictures and reports rebuild the
  // run from the results file alone (docs/hdf5-schema.md).
  if (!meta.motion_text.empty()) write_string_attribute(w.file, "motion_text", meta.motion_text);
  if (!meta.command_line.empty()) write_string_attribute(w.file, "command_line", meta.command_line);
  write_string_attribute(w.file, "subject", meta.subject.dump());
  write_string_attribute(w.file, "criterion", meta.criterion);
  write_string_attribute(w.file, "created", creation_timestamp());
  w.file_type = options.single_precision ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  w.value_size = options.single_precision ? 4 : 8;
  write_string_attribute(w.file, "storage", options.single_precision ? "float32" : "float64");
  write_string_attribute(w.file, "compression", w.compression == Compression::kLz4 ? "shuffle+lz4" : "shuffle+deflate");
  for (size_t f = 0; f < kOutputFields.size(); ++f)
    if (field_selected(kOutputFields[f].path, options.fields)) w.fields.push_back(f);

  // Axes: time (extensible), joints, muscles, rotations — dimension scales.
  w.time_ds = w.create_extensible("/time", {}, "s", "time", H5T_IEEE_F64LE);
  H5DSset_scale(w.time_ds, "time");
  w.joint_scale = string_scale(w.file, "/joints/name", m.joint_name, "joint");
  w.muscle_scale = string_scale(w.file, "/muscles/name", m.muscle_name, "muscle");
  // Group and side label the muscle axis too (attached to its scale, so xarray's h5netcdf engine
  // opens the muscles group with every variable on the `name` axis).
  const hid_t group_ds = string_scale(w.file, "/muscles/group", m.muscle_group, nullptr);
  H5DSattach_scale(group_ds, w.muscle_scale, 0);
  H5Dclose(group_ds);
  std::vector<std::string> sides;
  for (Side s : m.muscle_side) sides.emplace_back(side_name(s));
  const hid_t side_ds = string_scale(w.file, "/muscles/side", sides, nullptr);
  H5DSattach_scale(side_ds, w.muscle_scale, 0);
  H5Dclose(side_ds);
  // Each fascicle's maximum isometric force F0 of the run's (scaled) model: the weights of the
  // summary's group `end_fatigued_fraction` (Σ F0·M_F / Σ F0), so h5py or MATLAB users can check it
  // without rebuilding the model. Static (no time axis), float64 whatever the storage.
  bool max_force_written = false;
  {
    const hsize_t n = static_cast<hsize_t>(m.nmuscle);
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t dcpl = untimed_creation_properties(H5P_DATASET_CREATE);
    const hid_t ds = H5Dcreate2(w.file, "/muscles/max_force", H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    if (ds >= 0) {
      max_force_written = (n == 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m.muscle_fmax.data()) >= 0) &&
                          write_string_attribute(ds, "units", "N") &&
                          write_string_attribute(ds, "description", "maximum isometric force F0 of each fascicle (the run's subject)") &&
                          H5DSattach_scale(ds, w.muscle_scale, 0) >= 0;
      H5Dclose(ds);
    }
    H5Sclose(space);
  }
  w.rotation_scale = string_scale(w.file, "/rotation", {"flexion", "lateral_bending", "axial_rotation"}, "rotation");

  for (size_t f : w.fields) {
    const auto& field = kOutputFields[f];
    std::vector<hsize_t> tail;
    if (field.shape == FieldShape::kJoint3) tail = {hsize_t(m.njoint), 3};
    else if (field.shape == FieldShape::kJoint) tail = {hsize_t(m.njoint)};
    else tail = {hsize_t(m.nmuscle)};
    const hid_t ds = w.create_extensible(field.path, tail, field.unit, field.description, w.file_type);
    H5DSattach_scale(ds, w.time_ds, 0);
    H5DSattach_scale(ds, field.shape == FieldShape::kMuscle ? w.muscle_scale : w.joint_scale, 1);
    if (field.shape == FieldShape::kJoint3) H5DSattach_scale(ds, w.rotation_scale, 2);
    w.field_ds.push_back(ds);
    w.width.push_back(field_width(m, field.shape));
    w.tails.push_back(tail);
  }
  int widest = 0;
  for (int x : w.width) widest = std::max(widest, x);
  w.row.resize(static_cast<size_t>(widest));
  // Any failure so far (a disk already full) leaves a negative id; HDF5's stack says why.
  bool created = w.time_ds >= 0 && w.joint_scale >= 0 && w.muscle_scale >= 0 && w.rotation_scale >= 0 && max_force_written;
  for (hid_t ds : w.field_ds) created = created && ds >= 0;
  if (!created) {
    const std::string why = take_hdf5_error();
    w.fail("cannot lay out the file" + (why.empty() ? std::string() : ": " + why));
  }
  take_hdf5_error();
  w.filling = w.fresh_job();
  w.start_worker();
}

ResultsWriter::~ResultsWriter() {
  if (!impl_) return;
  if (!impl_->finished) {  // an abandoned run: what is still queued is not worth writing
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->pending.clear();
  }
  impl_->stop_worker();
  if (!impl_->finished) impl_->discard();  // abandoned: never leave a file that looks finished
}

namespace {
// One frame's values of a field into its chunk, in the storage type.
void store_row(const double* v, int n, size_t value_size, unsigned char* out) {
  if (value_size == sizeof(double)) {
    std::memcpy(out, v, static_cast<size_t>(n) * sizeof(double));
  } else {
    float* f = reinterpret_cast<float*>(out);
    for (int i = 0; i < n; ++i) f[i] = static_cast<float>(v[i]);
  }
}
}  // namespace

void ResultsWriter::append(double time, const Data& d) {
  Impl& w = *impl_;
  ChunkJob& c = w.filling;
  c.time[c.frames] = time;
  for (size_t k = 0; k < w.fields.size(); ++k) {
    unsigned char* out = c.fields[k].data() + static_cast<size_t>(c.frames) * w.width[k] * w.value_size;
    if (w.value_size == sizeof(double)) {  // straight into the chunk
      kOutputFields[w.fields[k]].get(w.model, d, reinterpret_cast<double*>(out));
    } else {
      kOutputFields[w.fields[k]].get(w.model, d, w.row.data());
      store_row(w.row.data(), w.width[k], w.value_size, out);
    }
  }
  if (++c.frames == w.chunk) w.flush();
}

void ResultsWriter::append_values(double time, const double* const* field_values) {
  Impl& w = *impl_;
  ChunkJob& c = w.filling;
  c.time[c.frames] = time;
  for (size_t k = 0; k < w.fields.size(); ++k)
    store_row(field_values[w.fields[k]], w.width[k], w.value_size,
              c.fields[k].data() + static_cast<size_t>(c.frames) * w.width[k] * w.value_size);
  if (++c.frames == w.chunk) w.flush();
}

long ResultsWriter::frames() const { return impl_->queued + impl_->filling.frames; }

void ResultsWriter::finish(const nlohmann::json& summary) {
  Impl& w = *impl_;
  w.flush();
  w.drain();
  w.stop_worker();
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  const hid_t gcpl = untimed_creation_properties(H5P_GROUP_CREATE);
  const hid_t g = H5Gcreate2(w.file, "/summary", lcpl, gcpl, H5P_DEFAULT);
  H5Pclose(gcpl);
  H5Pclose(lcpl);
  if (g < 0) w.fail("cannot create /summary: " + take_hdf5_error());
  bool ok = write_string_attribute(g, "json", summary.dump());
  H5Gclose(g);
  // Whether fatigue and creep ran (off: --no-fatigue, fatigue=False): the run's own summary says.
  if (summary.is_object() && summary.contains("fatigue") && summary["fatigue"].is_boolean())
    ok = write_string_attribute(w.file, "fatigue", summary["fatigue"].get<bool>() ? "on" : "off") && ok;
  if (!ok) w.fail("cannot write the summary: " + take_hdf5_error());
  // The close writes the metadata HDF5 kept in memory; a disk too full for it must be found now,
  // while the file can still be discarded cleanly (hdf5_close.h).
  if (const std::string why = reserve_for_close(w.file); !why.empty()) w.fail(why + " (the disk is too full to finish the file)");
  if (const std::string why = w.close_all(); !why.empty()) w.fail("closing the file: " + why);
  std::error_code ec;
  std::filesystem::rename(w.partial, w.path, ec);
  if (ec) {
    const std::string why = ec.message();  // before remove() reuses ec (it said "Success")
    std::filesystem::remove(w.partial, ec);
    throw InputError(w.path, 0, "output", "cannot move the finished results into place: " + why);
  }
  w.finished = true;
}

bool write_string_attribute(hid_t obj, const char* name, const std::string& value) {
  const hid_t type = make_string_type();
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* p = value.c_str();
  const bool ok = attr >= 0 && H5Awrite(attr, type, &p) >= 0;
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  return ok;
}

bool write_text_dataset(hid_t file, const char* path, const std::string& text, const char* description) {
  const hsize_t n = text.size();
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t dcpl = untimed_creation_properties(H5P_DATASET_CREATE);
  if (n > 0) {  // a chunk of its own, compressed: a model file of 0.8 MB stores as about 0.1 MB
    H5Pset_chunk(dcpl, 1, &n);
    H5Pset_deflate(dcpl, 6);
  }
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t ds = H5Dcreate2(file, path, H5T_STD_U8LE, space, lcpl, dcpl, H5P_DEFAULT);
  H5Pclose(lcpl);
  bool ok = ds >= 0 && (n == 0 || H5Dwrite(ds, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()) >= 0);
  if (ds >= 0) {
    ok = write_string_attribute(ds, "encoding", "utf-8") && ok;
    ok = write_string_attribute(ds, "description", description) && ok;
    H5Dclose(ds);
  }
  H5Pclose(dcpl);
  H5Sclose(space);
  return ok;
}

}  // namespace paraspine
