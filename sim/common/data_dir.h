#pragma once
// Where the bundled library is: the models, scenarios and validation cases that names such as
// `full_spine` or `squat_lift` refer to. A build finds them in its source tree; an installed program
// (cmake --install, README "Installing for several users") in PREFIX/share/paraspine beside its
// bin/, whatever the source tree has become. PARASPINE_DATA_DIR overrides both.
#include <string>

namespace paraspine {

// The folder of one kind of bundled file: "models", "scenarios" or "validation". In order:
// $PARASPINE_DATA_DIR/KIND when that variable is set; the installed Python package's folder
// (set_installed_data_root); EXE/../share/paraspine/KIND when the running program is paraspine
// installed under a prefix; else the source tree's folder the build was made from (which may no
// longer exist: errors name it).
std::string bundled_dir(const std::string& kind);

// The installed package's PREFIX/share/paraspine, set by the Python package when it finds one beside
// itself (python3 lives elsewhere than the program): used after PARASPINE_DATA_DIR, before the rest.
void set_installed_data_root(const std::string& root);

}  // namespace paraspine
