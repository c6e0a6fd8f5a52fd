#pragma once
// A short fingerprint of a text, to tell whether an input file still holds what a run read (the
// results file's model_digest): 64-bit FNV-1a over the bytes, as "fnv1a64:" and 16 hex digits.
// An identity check against accidental edits, not a cryptographic hash.
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace paraspine {

inline std::string text_digest(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

}  // namespace paraspine
