#include "sim/common/build_info.h"

#include "build_commit.h"  // generated in the build tree (cmake/build_commit.cmake)

namespace paraspine {

// Only this file includes the generated header, so a new commit recompiles one file.
const char* build_commit() { return PARASPINE_BUILD_COMMIT; }

}  // namespace paraspine
