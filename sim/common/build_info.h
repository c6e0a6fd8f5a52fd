#pragma once
// Which source the program was built from: the git commit (12 hex digits, "-modified" when tracked
// files differed from it, "unknown" outside a git checkout), for `--version` and the results files'
// root attribute paraspine_commit. The version number alone (0.1.0) has named every build so far.

namespace paraspine {

const char* build_commit();

}  // namespace paraspine
