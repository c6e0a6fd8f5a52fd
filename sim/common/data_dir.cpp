#include "sim/common/data_dir.h"

#include <cstdlib>
#include <filesystem>

namespace paraspine {

namespace {

std::string source_tree_dir(const std::string& kind) {
  if (kind == "models") return PARASPINE_MODELS_DIR;
  if (kind == "scenarios") return PARASPINE_SCENARIOS_DIR;
  // The validation cases live under the source tree's tests/ (beside models/).
  return (std::filesystem::path(PARASPINE_MODELS_DIR).parent_path() / "tests" / kind).string();
}

std::string& installed_root() {
  static std::string root;  // set once at import, before any thread runs
  return root;
}

}  // namespace

void set_installed_data_root(const std::string& root) { installed_root() = root; }

std::string bundled_dir(const std::string& kind) {
  namespace fs = std::filesystem;
  if (const char* root = std::getenv("PARASPINE_DATA_DIR"); root != nullptr && *root != '\0') return (fs::path(root) / kind).string();
  if (!installed_root().empty()) return (fs::path(installed_root()) / kind).string();
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  // Only for the program itself: beside python3 (/usr/bin) an install under /usr would shadow the
  // source tree of a build-tree package; an installed package says where it is (the hook above).
  if (!ec && exe.filename().string().rfind("paraspine", 0) == 0) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "paraspine" / kind;
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return source_tree_dir(kind);
}

}  // namespace paraspine
