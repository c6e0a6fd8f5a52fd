#pragma once
// A warning printed once per process, whatever the number of calls: a sweep parses and binds its
// scenario at every grid point, so a warning about the file would otherwise repeat per point.
#include <iostream>
#include <mutex>
#include <set>
#include <string>

namespace paraspine {

// Prints "warning: MESSAGE" on stderr the first time this message is given (thread-safe).
inline void warn_once(const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> said;
  std::lock_guard<std::mutex> lock(mutex);
  if (said.insert(message).second) std::cerr << "warning: " << message << "\n";
}

}  // namespace paraspine
