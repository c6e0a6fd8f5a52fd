#include "sim/io/output_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "sim/common/error.h"

namespace paraspine {

namespace {
// What a non-regular file at `path` is, for the message; "" for a regular file or nothing there.
std::string special_file_kind(const struct stat& st) {
  if (S_ISREG(st.st_mode)) return "";
  if (S_ISDIR(st.st_mode)) return "a directory";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  if (S_ISFIFO(st.st_mode)) return "a named pipe (FIFO)";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  return "not a regular file";
}
}  // namespace

void check_output_path(const std::string& path) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string& msg) { throw InputError(path, 0, "output", msg); };
  std::error_code ec;
  if (path.empty()) throw InputError("output", 0, "", "empty file name");  // no path to name before the colon
  if (fs::is_directory(path, ec)) fail("is a directory: give a file name, e.g. " + (fs::path(path) / "results.h5").string());
  // Every writer writes NAME.partial and renames it to NAME when complete. A rename replaces the
  // directory entry, not what it points at: a device (-o /dev/null as root), a FIFO or a socket
  // would be replaced by a regular file, and a symbolic link by a file where the link was. So only
  // a regular file (or nothing) may be at NAME; a link is refused, naming its target to give instead.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      const fs::path target = fs::read_symlink(path, ec);
      fail("is a symbolic link" + (ec ? std::string() : " (to " + target.string() + ")") +
           ": the results are written under a temporary name and renamed into place, which would replace the link; "
           "give the link's target as the output instead");
    }
    const std::string kind = special_file_kind(st);
    if (!kind.empty()) fail("exists and is " + kind + ", not a regular file: it would be replaced by the results; give a file name");
  }
  const fs::path parent = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  if (!fs::exists(parent, ec)) fail("the folder " + parent.string() + " does not exist");
  if (!fs::is_directory(parent, ec)) fail(parent.string() + " is not a folder");
  if (::access(parent.c_str(), W_OK) != 0) fail("the folder " + parent.string() + " is not writable");
  // In a shared folder with the sticky bit (/tmp), a file another user owns cannot be replaced by the
  // rename that finishes every output: said now, not after the whole run has been computed.
  struct stat dir {};
  const uid_t me = ::geteuid();
  if (me != 0 && ::lstat(path.c_str(), &st) == 0 && ::stat(parent.c_str(), &dir) == 0 && (dir.st_mode & S_ISVTX) &&
      st.st_uid != me && dir.st_uid != me)
    fail("exists and belongs to another user in the shared folder " + parent.string() +
         " (sticky bit): it cannot be replaced; give another file name");
}

void check_output_path(const std::string& path, const std::vector<std::string>& inputs) {
  check_output_path(path);
  std::error_code ec;
  for (const std::string& in : inputs)
    if (!in.empty() && std::filesystem::equivalent(path, in, ec))
      throw InputError(path, 0, "output", "is an input of the run (" + in + "): the output would replace it");
}

void check_table_path(const std::string& path, const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  namespace fs = std::filesystem;
  check_output_path(path, inputs);
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* bad : {".h5", ".hdf5", ".yaml", ".yml"})
    if (ext == bad) throw InputError(path, 0, "--csv", "the table is CSV text, not " + ext.substr(1) + ": give a .csv name");
  std::error_code ec;
  const fs::path mine = fs::weakly_canonical(fs::absolute(path, ec), ec);
  for (const std::string& out : outputs)
    if (!out.empty() && fs::weakly_canonical(fs::absolute(out, ec), ec) == mine)
      throw InputError(path, 0, "--csv", "is also the results file (" + out + "): give the table another name");
}

std::string check_results_name(const std::string& path, const std::string& option, const std::string& hint) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* text : {".json", ".csv", ".txt", ".yaml", ".yml"})
    if (ext == text)
      throw InputError(option, 0, path, "results files are HDF5, not " + ext.substr(1) + ": give a .h5 name (" + hint + ")");
  for (const char* h5 : {".h5", ".hdf5", ".hdf", ".he5", ".nc"})
    if (ext == h5) return "";
  return "the results file is HDF5 (usually named .h5)";
}

}  // namespace paraspine
