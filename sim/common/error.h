#pragma once
// The three error tiers of paraspine (docs/DESIGN): load-time errors name file, line and field;
// API misuse raises std::invalid_argument; per-frame numerics never throw.
#include <stdexcept>
#include <string>

namespace paraspine {

// An error in an input file. what() reads "FILE:LINE: FIELD: message" so editors can jump to it.
class InputError : public std::runtime_error {
 public:
  InputError(std::string file, int line, std::string field, const std::string& message)
      : std::runtime_error(format(file, line, field, message)),
        file_(std::move(file)),
        line_(line),
        field_(std::move(field)),
        message_(message) {}

  const std::string& file() const { return file_; }
  int line() const { return line_; }  // 1-based; 0 when unknown
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }  // what() without "FILE:LINE: FIELD: "

 private:
  static std::string format(const std::string& file, int line, const std::string& field,
                            const std::string& message) {
    // Appends only: GCC 12's -Wrestrict misfires on `"literal" + std::string` here (GCC PR 105329).
    std::string s = file;
    if (line > 0) s.append(":").append(std::to_string(line));
    s.append(": ");
    if (!field.empty()) s.append(field).append(": ");
    s.append(message);
    return s;
  }
  std::string file_;
  int line_;
  std::string field_;
  std::string message_;
};

}  // namespace paraspine
