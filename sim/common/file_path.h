#pragma once
// The absolute path of an input file as results record it (`model_file`), so that a results file still
// names its model when read from another folder, after os.chdir in a notebook, or once the run's
// working folder is gone. Symbolic links are resolved (weakly_canonical), since normalizing
// "folder/../x" by text alone would name another file when `folder` is a link. "" stays "".
#include <filesystem>
#include <string>

namespace paraspine {

inline std::string absolute_file_path(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  return ec ? path : p.string();
}

}  // namespace paraspine
