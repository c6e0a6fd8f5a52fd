#pragma once
// Command-line and override text to a number: the whole text must be one (std::stod alone takes
// "70kg" as 70 and throws on "abc"). NaN and infinities parse; callers that refuse them say so.
#include <exception>
#include <string>

namespace paraspine {

inline bool parse_number(const std::string& text, double& x) {
  if (text.empty()) return false;
  size_t used = 0;
  try {
    x = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size();
}

}  // namespace paraspine
