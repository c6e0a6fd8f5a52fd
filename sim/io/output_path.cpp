#include "sim/io/output_path.h"

#include <unistd.h>

#include <filesystem>

#include "sim/common/error.h"

namespace paraspine {

void check_output_path(const std::string& path) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string& msg) { throw InputError(path, 0, "output", msg); };
  std::error_code ec;
  if (path.empty()) fail("empty file name");
  if (fs::is_directory(path, ec)) fail("is a directory: give a file name, e.g. " + (fs::path(path) / "results.h5").string());
  const fs::path parent = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  if (!fs::exists(parent, ec)) fail("the folder " + parent.string() + " does not exist");
  if (!fs::is_directory(parent, ec)) fail(parent.string() + " is not a folder");
  if (::access(parent.c_str(), W_OK) != 0) fail("the folder " + parent.string() + " is not writable");
}

void check_output_path(const std::string& path, const std::vector<std::string>& inputs) {
  check_output_path(path);
  std::error_code ec;
  for (const std::string& in : inputs)
    if (!in.empty() && std::filesystem::equivalent(path, in, ec))
      throw InputError(path, 0, "output", "is an input of the run (" + in + "): the results would replace it");
}

}  // namespace paraspine
