#pragma once
// Writing HDF5 files safely when something fails, in particular a full disk.
//
// HDF5 1.10 (Debian's 1.10.8) has two traps here. (1) A file whose H5Fclose fails stays registered
// with a dangling pointer: the library frees the file's structures but keeps its id, so the
// shutdown at exit (H5_term_library → H5F__close_cb) reads freed memory and crashes, and a second
// H5Fclose crashes the same way. (2) A failed H5Fflush leaves the metadata cache half-prepared
// ("slist already enabled?"), so every later flush or close fails too. A writer therefore must
// never let the close be the first operation that meets the full disk: before closing it reserves
// the blocks every pending write will need (reserve_for_close), and once anything failed it points
// the file's descriptor at an in-memory file (divert_to_memory), so HDF5's close always succeeds on
// a file that is then removed.
#include <hdf5.h>

#include <string>
#include <utility>

namespace paraspine {

// HDF5 prints its error stack to stderr by default; the setting belongs to the calling thread's
// error stack (thread-safe builds), so every thread that calls HDF5 must silence it: writer
// threads, OpenMP workers of batch and sweep. Cheap after the first call on a thread.
void quiet_hdf5_errors();

// The most telling message on this thread's HDF5 error stack (the system's reason, e.g. "No space
// left on device", when a read or write failed), then clears the stack. Records left on a worker
// thread's stack hold references to HDF5's error classes that keep the library from shutting
// down at exit ("HDF5: infinite loop closing library"), so every failure path calls this.
std::string take_hdf5_error();

// The first failure of a series of HDF5 closes (a writer's close-everything path): check() each
// call's status; take() gives that failure's reason ("" if none) and leaves this thread's error
// stack clear.
class FirstCloseFailure {
 public:
  void check(herr_t status) {
    if (status < 0 && first_.empty()) first_ = take_hdf5_error();
  }
  std::string take() {
    take_hdf5_error();
    return std::move(first_);
  }

 private:
  std::string first_;
};

// Allocates the disk blocks of `file` up to its end of allocation (plus a margin), so the writes
// HDF5 makes when it flushes and closes cannot fail for want of space. "" when done (or when the
// file system cannot reserve and has room), else the reason (e.g. "No space left on device").
std::string reserve_for_close(hid_t file);

// From now on `file`'s reads and writes go to an anonymous in-memory file instead of the disk:
// its close then succeeds whatever the disk's state. For a file that is being discarded.
void divert_to_memory(hid_t file);

// Whether another process is writing `partial` (HDF5 holds an exclusive flock on a file it writes):
// "" when not (or when it does not exist), else the reason to give. To be asked before H5Fcreate
// with H5F_ACC_TRUNC, which truncates the file before it finds the lock: a second run to the same
// -o zeroed the first one's leading chunks, and the first then renamed a corrupt file into place.
std::string file_in_use(const std::string& partial);

// H5Fcreate(partial, H5F_ACC_TRUNC) for a writer's ".partial" file. On failure: < 0, with the
// reason in `why` (may be empty), and no empty file left behind that HDF5 made before it failed (a
// full disk, audit25i #4); a file that was there before (a link, another's) is not ours to remove.
hid_t create_partial_file(const std::string& partial, std::string& why);

// For programs (the CLI), called before any other HDF5 call: HDF5 does not register its shutdown
// at exit. paraspine closes every file it opens itself; the shutdown would only revisit a file
// whose close failed (a race with another program filling the disk after reserve_for_close) and
// crash on HDF5 1.10's dangling id instead of exiting with the error already reported. Not for
// the Python module: a user's h5py files left open at exit rely on that shutdown to be flushed.
void skip_hdf5_shutdown_at_exit();

}  // namespace paraspine
