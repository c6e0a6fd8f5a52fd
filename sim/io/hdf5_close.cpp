#include "sim/io/hdf5_close.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace paraspine {

void quiet_hdf5_errors() {
  thread_local bool quiet = false;
  if (quiet) return;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  quiet = true;
}

namespace {
struct ErrorWalk {
  std::string innermost, system;
  bool locked = false;
};

herr_t visit_error(unsigned n, const H5E_error2_t* e, void* data) {
  auto& w = *static_cast<ErrorWalk*>(data);
  const std::string desc = e->desc ? e->desc : "";
  if (n == 0) w.innermost = desc;
  if (desc.find("unable to lock file") != std::string::npos) w.locked = true;
  // HDF5's sec2 driver words a failed system call "..., errno = 28, error message = 'No space left
  // on device', ...": that quoted text is what a user needs.
  const auto at = desc.find("error message = '");
  if (w.system.empty() && at != std::string::npos) {
    const auto from = at + std::strlen("error message = '");
    const auto to = desc.find('\'', from);
    w.system = desc.substr(from, to == std::string::npos ? std::string::npos : to - from);
  }
  return 0;
}
}  // namespace

std::string take_hdf5_error() {
  ErrorWalk w;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, visit_error, &w);
  H5Eclear2(H5E_DEFAULT);
  if (w.locked)  // HDF5's file locking: the system's "Resource temporarily unavailable" says little
    return "the file is locked by another program that has it open (another paraspine run writing it?)";
  return !w.system.empty() ? w.system : w.innermost;
}

namespace {
int descriptor_of(hid_t file) {
  void* handle = nullptr;
  if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == nullptr) {
    H5Eclear2(H5E_DEFAULT);
    return -1;
  }
  return *static_cast<int*>(handle);  // the sec2 (default) driver's handle is its descriptor
}
}  // namespace

std::string reserve_for_close(hid_t file) {
  const int fd = descriptor_of(file);
  haddr_t eoa = 0;
  if (fd < 0 || H5Fget_eoa(file, &eoa) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return "";  // not the sec2 driver: nothing to reserve through
  }
  // The margin covers what the close itself may still allocate (HDF5 allocates metadata space as
  // entries are created, so nearly everything lies below the end of allocation already).
  constexpr off_t kMargin = 16 * 1024;
  const off_t length = static_cast<off_t>(eoa) + kMargin;
  if (::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, length) == 0) return "";
  const int err = errno;
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) return std::strerror(err);
  // A file system that cannot reserve: at least the metadata still to be written must fit.
  size_t max_size = 0, min_clean = 0, cur_size = 0;
  int entries = 0;
  struct statvfs fs {};
  if (H5Fget_mdc_size(file, &max_size, &min_clean, &cur_size, &entries) >= 0 && ::fstatvfs(fd, &fs) == 0 &&
      static_cast<double>(fs.f_bavail) * fs.f_frsize < static_cast<double>(cur_size) + kMargin)
    return std::strerror(ENOSPC);
  H5Eclear2(H5E_DEFAULT);
  return "";
}

void divert_to_memory(hid_t file) {
  const int fd = descriptor_of(file);
  if (fd < 0) return;
  const int memory = ::memfd_create("paraspine-discarded-output", MFD_CLOEXEC);
  if (memory < 0) return;
  ::dup2(memory, fd);  // same descriptor number, now the in-memory file (HDF5 only keeps the number)
  ::close(memory);
}

}  // namespace paraspine

namespace paraspine {

void skip_hdf5_shutdown_at_exit() { H5dont_atexit(); }

hid_t create_partial_file(const std::string& partial, std::string& why) {
  std::error_code ec;
  const bool was_there = std::filesystem::exists(std::filesystem::symlink_status(partial, ec));
  const hid_t file = H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) {
    why = take_hdf5_error();
    if (!was_there) std::filesystem::remove(partial, ec);
  }
  return file;
}

std::string file_in_use(const std::string& partial) {
  const int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string why;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
    why = partial + " is being written by another program (another paraspine run to the same output?)";
  ::close(fd);  // and with it our lock
  return why;
}

}  // namespace paraspine
