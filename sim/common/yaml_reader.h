#pragma once
// Reading YAML input files with errors that name the file, the line and the field: the helpers the
// model and scenario loaders share. Every check throws InputError.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "sim/common/error.h"
#include "sim/common/rotation.h"
#include "sim/common/warn_once.h"

namespace paraspine {

// Reading context: the file name for messages, and helpers that validate as they read.
// Where `text` stops being valid UTF-8 (the first byte of the bad sequence), or npos when it is.
// Overlong forms, surrogates and code points above U+10FFFF are invalid, as JSON and HDF5 readers see them.
inline size_t invalid_utf8_at(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned c = s[i];
    size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c < 0x80) len = 1;
    else if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;
    else return i;
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      const unsigned b = s[i + k];
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return i;
    }
    i += len;
  }
  return std::string::npos;
}

// "0xFF at column 4": the bad byte of a text where invalid_utf8_at found one, for messages.
inline std::string describe_invalid_utf8(const std::string& text, size_t at) {
  const size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  const size_t column = at - (line_start == std::string::npos || at == 0 ? 0 : line_start + 1) + 1;
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[at])));
  return std::string("invalid UTF-8 byte ") + hex + " at column " + std::to_string(column) +
         " (input files are UTF-8 text: was it saved as Latin-1 or another code page?)";
}

struct YamlReader {
  std::string file;
  std::string note;  // appended to every message, e.g. " (with --set)": FILE:LINE stays parseable

  [[noreturn]] void fail(const YAML::Node& n, const std::string& field,
                         const std::string& msg) const {
    const int line = n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
    throw InputError(file, line, field, msg + note);
  }

  int line(const YAML::Node& n) const { return n.Mark().line + 1; }

  // Every key of a mapping is a plain name and appears once: yaml-cpp keeps duplicate keys and
  // lookups take the first, so a value given twice (a model's `mass:`, a scenario's
  // `output_rate_hz`, a validation case's `tolerance_pct`) would silently drop the second one.
  void unique_keys(const YAML::Node& n, const std::string& field) const {
    if (!n.IsMap()) fail(n, field, "expected a mapping");
    std::vector<std::string> seen;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) fail(kv.first, field, "expected a name as key, got a list or mapping");
      const std::string k = kv.first.as<std::string>();
      const std::string f = field.empty() ? k : field + "." + k;
      if (k == "<<") fail(kv.first, f, "YAML merge keys (<<: *anchor) are not read: write the keys out (anchors with '*name' as a whole value work)");
      for (const std::string& s : seen)
        if (s == k) fail(kv.first, f, "'" + k + "' is given twice (line " + std::to_string(n[k].Mark().line + 1) + " and here)");
      seen.push_back(k);
    }
  }

  // The keys of mapping `n` are among `keys`, each once.
  void allow_keys(const YAML::Node& n, const std::string& field,
                  std::initializer_list<const char*> keys) const {
    unique_keys(n, field);
    for (const auto& kv : n) {
      const std::string k = kv.first.as<std::string>();
      bool ok = false;
      for (const char* a : keys) ok = ok || k == a;
      if (!ok) {
        std::string list;
        for (const char* a : keys) list += std::string(list.empty() ? "" : ", ") + a;
        // In a flow map, "load_kg: 7,5" reads as load_kg: 7 and a key "5": say what it likely was.
        const bool digits = !k.empty() && k.find_first_not_of("0123456789") == std::string::npos;
        fail(kv.first, field.empty() ? k : field + "." + k,
             "unknown key '" + k + "' (allowed: " + list + ")" +
                 (digits ? "; a decimal comma? write 7.5, not 7,5 (a comma separates entries in {...})" : ""));
      }
    }
  }

  YAML::Node require(const YAML::Node& n, const char* key, const std::string& field) const {
    const YAML::Node v = n[key];
    if (!v.IsDefined() || v.IsNull()) fail(n, field + "." + key, "missing required field");
    return v;
  }

  std::string str(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "expected a string");
    const std::string s = n.as<std::string>();
    if (s.empty()) fail(n, field, "must not be empty");
    // Text goes to JSON summaries and HDF5 attributes, which must be UTF-8: said here, at its line,
    // not as an opaque JSON error after the whole run.
    const size_t bad = invalid_utf8_at(s);
    if (bad != std::string::npos) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(s[bad])));
      fail(n, field, std::string("invalid UTF-8 byte ") + hex + " in the text (input files are UTF-8: was it saved as Latin-1?)");
    }
    return s;
  }

  double num(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "expected a number");
    double v;
    try {
      v = n.as<double>();
      // A quoted scalar is text in YAML ("3" is a string): yaml-cpp converts it all the same.
      if (n.Tag() == "!") fail(n, field, "expected a number, got the quoted text \"" + n.as<std::string>() + "\" (write it without quotes)");
    } catch (const YAML::Exception&) {
      // nan / inf as Python writes them (YAML's own are .nan / .inf): the same message as those.
      std::string lower = n.as<std::string>();
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower == "nan" || lower == "inf" || lower == "-inf" || lower == "+inf" || lower == "infinity" || lower == "-infinity")
        fail(n, field, "must be finite, got '" + n.as<std::string>() + "'");
      fail(n, field, "expected a number, got '" + n.as<std::string>() + "'");
    }
    if (!std::isfinite(v)) fail(n, field, "must be finite, got '" + n.as<std::string>() + "'");
    return v;
  }

  double positive(const YAML::Node& n, const std::string& field) const {
    const double v = num(n, field);
    if (!(v > 0)) fail(n, field, "must be positive, got " + n.as<std::string>());
    return v;
  }

  double nonnegative(const YAML::Node& n, const std::string& field) const {
    const double v = num(n, field);
    if (v < 0) fail(n, field, "must not be negative, got " + n.as<std::string>());
    return v;
  }

  // Three-compartment fatigue rates F and R (s^-1) and the rest multiplier r, as models and
  // scenarios give them. F and R up to 1 s^-1: the largest rate Frey-Law, Looft & Heitsman 2012
  // (J Biomech 45:1803) fitted for six joint regions is R_ankle = 0.0182 s^-1 (abstract; the trunk's
  // 0.00755 / 0.00075), so 1 s^-1 is some 55 times it; at 1e17 s^-1 the exact step's exponentials
  // underflowed and fatigue vanished. r from 1 to 100 (Looft, Herkert & Frey-Law 2018 recommend 15).
  static constexpr double kMaxFatigueRate = 1.0, kMaxRestMultiplier = 100.0;
  double fatigue_rate(const YAML::Node& n, const std::string& field) const {
    const double v = positive(n, field);
    if (v > kMaxFatigueRate)
      fail(n, field, "more than 1 s^-1, got " + n.as<std::string>() +
                         " (the published three-compartment fits are below 0.02 s^-1, Frey-Law et al. 2012)");
    return v;
  }
  double rest_multiplier(const YAML::Node& n, const std::string& field) const {
    const double v = num(n, field);
    if (v < 1) fail(n, field, "the rest multiplier must be at least 1");
    if (v > kMaxRestMultiplier) fail(n, field, "more than 100, got " + n.as<std::string>() + " (Looft et al. 2018 recommend 15)");
    return v;
  }

  std::vector<double> list(const YAML::Node& n, const std::string& field, size_t size) const {
    if (!n.IsSequence() || (size > 0 && n.size() != size))
      fail(n, field, size ? "expected a list of " + std::to_string(size) + " numbers"
                          : "expected a list of numbers");
    std::vector<double> v;
    for (size_t i = 0; i < n.size(); ++i)
      v.push_back(num(n[i], field + "[" + std::to_string(i) + "]"));
    return v;
  }

  Vec3 vec3(const YAML::Node& n, const std::string& field) const {
    const auto v = list(n, field, 3);
    return Vec3(v[0], v[1], v[2]);
  }

};

// A bundled name ("full_spine", "squat_lift.yaml") resolves to DIR/NAME.yaml in the working
// directory's `local_dir` or the source tree's `source_dir`; an existing path is used as given.
inline std::string resolve_bundled_path(const std::string& name_or_path, const char* local_dir,
                                        const std::string& source_dir) {
  namespace fs = std::filesystem;
  // A file as given wins; a folder of the same name in the working directory does not shadow a
  // bundled name (`mkdir lumbar` must not hide the bundled lumbar model).
  if (fs::is_regular_file(name_or_path)) return name_or_path;
  if (name_or_path.find('/') == std::string::npos) {
    std::string base = name_or_path;
    if (base.size() < 5 || base.substr(base.size() - 5) != ".yaml") base += ".yaml";
    const fs::path local = fs::path(local_dir) / base, bundled = fs::path(source_dir) / base;
    if (fs::is_regular_file(local)) {
      // Documented (paraspine list: "found first"), but a folder of one's own variants would
      // otherwise replace a bundled model for every run without a word.
      std::error_code ec;
      if (fs::is_regular_file(bundled) && !fs::equivalent(local, bundled, ec))
        warn_once(local.string() + " in the working folder is used for '" + name_or_path + "' instead of the bundled " +
                  bundled.string());
      return local.string();
    }
    if (fs::is_regular_file(bundled)) return bundled.string();
  }
  return name_or_path;
}

// The whole text of an input file; `what` names it in the error ("model", "scenario").
inline std::string read_input_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw InputError(path, 0, "", "cannot open " + what + " file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The dotted path of the value or key written on 0-based `line` in the tree under `n` ("" if none).
inline std::string yaml_field_on_line(const YAML::Node& n, int line, const std::string& path = "") {
  if (n.IsMap()) {
    for (const auto& kv : n) {
      const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      const std::string p = path.empty() ? k : path + "." + k;
      const std::string inner = yaml_field_on_line(kv.second, line, p);
      if (!inner.empty()) return inner;
      if (kv.first.Mark().line == line || (kv.second.IsScalar() && kv.second.Mark().line == line)) return p;
    }
  } else if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) {
      const std::string p = path + "[" + std::to_string(i) + "]";
      const std::string inner = yaml_field_on_line(n[i], line, p);
      if (!inner.empty()) return inner;
      if (n[i].IsScalar() && n[i].Mark().line == line) return p;
    }
  }
  return "";
}

// The first tab in a line's leading whitespace, up to line `last` (0-based), as its 1-based line and
// column; false when there is none. YAML indentation is spaces only, and yaml-cpp reports a tab
// there as a structural error ("end of map not found") that never mentions the tab.
inline bool tab_in_indentation(const std::string& text, int last, int& line, int& col) {
  int l = 0;
  for (size_t i = 0; i < text.size() && l <= last; ++l) {
    size_t k = i;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) {
      if (text[k] == '\t') {
        line = l + 1, col = static_cast<int>(k - i) + 1;
        return true;
      }
      ++k;
    }
    const size_t nl = text.find('\n', i);
    if (nl == std::string::npos) break;
    i = nl + 1;
  }
  return false;
}

// A flow collection ('{' or '[') opened before `pos` in `text` and never closed anywhere in the
// text, as its offset (the innermost such), or npos. yaml-cpp reports an unclosed bracket where it
// gave up looking for the end, often a line or more later ("end of map flow not found" at the next
// key, "illegal block entry" at the next list item), so the line the user must edit is the opening
// one. A bracket counts as opening a flow collection where YAML reads it so: first on a line, after
// ':' / '-' / ',' or inside another flow collection; quotes and comments are skipped.
inline size_t unclosed_flow_before(const std::string& text, size_t pos) {
  std::vector<size_t> open, open_at_pos, closed;
  bool at_pos = false;
  char prev = '\n';  // the last non-blank character outside quotes and comments
  for (size_t i = 0; i <= text.size(); ++i) {
    if (!at_pos && i >= pos) open_at_pos = open, at_pos = true;  // (pos may lie inside a skipped quote or comment)
    if (i >= text.size()) break;
    const char c = text[i];
    const bool at_value = prev == '\n' || prev == ':' || prev == '-' || prev == ',' || prev == '[' || prev == '{';
    if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if ((c == '"' || c == '\'') && at_value) {
      for (++i; i < text.size() && text[i] != c && text[i] != '\n'; ++i)
        if (c == '"' && text[i] == '\\') ++i;
      prev = 'x';
      continue;
    }
    if ((c == '{' || c == '[') && (at_value || !open.empty())) {
      open.push_back(i);
    } else if ((c == '}' || c == ']') && !open.empty()) {
      // A '}' closes the nearest '{'; a '[' still open inside it is one that was never closed.
      const char opener = c == '}' ? '{' : '[';
      auto match = std::find_if(open.rbegin(), open.rend(), [&](size_t k) { return text[k] == opener; });
      if (match != open.rend()) {
        closed.push_back(*match);
        open.erase(std::next(match).base(), open.end());
      }
    }
    if (c == '\n') prev = '\n';
    else if (c != ' ' && c != '\t' && c != '\r') prev = c;
  }
  for (auto it = open_at_pos.rbegin(); it != open_at_pos.rend(); ++it)
    if (std::find(closed.begin(), closed.end(), *it) == closed.end()) return *it;
  return std::string::npos;
}

// The InputError for a YAML syntax error in `text` (from `file`): at the tab when a tab in the
// indentation explains it; at the opening bracket when a '{' or '[' is never closed; else at
// yaml-cpp's line (never past the last line), with a hint where the usual cause is the line before.
[[noreturn]] inline void throw_yaml_syntax_error(const std::string& text, const std::string& file,
                                                 const YAML::ParserException& e, const std::string& note = "") {
  int line = 0, col = 0;
  if (tab_in_indentation(text, e.mark.line, line, col))
    throw InputError(file, line, "", "tab character at line " + std::to_string(line) + " col " + std::to_string(col) +
                                         ": YAML indentation must use spaces (YAML syntax error: " + e.msg + ")" + note);
  const int last_line = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + (text.empty() || text.back() == '\n' ? 0 : 1);
  const int at = std::max(1, std::min(e.mark.line + 1, std::max(last_line, 1)));  // yaml-cpp may name the line after the last
  const size_t pos = e.mark.pos < 0 ? text.size() : static_cast<size_t>(e.mark.pos);
  const size_t open = unclosed_flow_before(text, pos);
  if (open != std::string::npos) {
    const size_t line_start = text.rfind('\n', open == 0 ? 0 : open - 1);
    const int open_line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(open), '\n')) + 1;
    const int open_col = static_cast<int>(open - (line_start == std::string::npos || open == 0 ? 0 : line_start + 1)) + 1;
    throw InputError(file, open_line, "",
                     std::string("YAML syntax error: the '") + text[open] + "' at col " + std::to_string(open_col) +
                         " is never closed (a missing '" + (text[open] == '{' ? '}' : ']') + "'; the parser stopped at line " +
                         std::to_string(at) + ": " + e.msg + ")" + note);
  }
  const bool maybe_line_before = e.msg.find("illegal map value") != std::string::npos ||
                                 e.msg.find("end of map not found") != std::string::npos ||
                                 e.msg.find("end of sequence not found") != std::string::npos ||
                                 e.msg.find("illegal block entry") != std::string::npos;
  throw InputError(file, at, "",
                   "YAML syntax error: " + e.msg +
                       (maybe_line_before ? " (often a missing ':' or a wrong indentation on this line or the one before)" : "") +
                       note);
}

// The line (1-based) of the first content of a second YAML document in `text`, or 0. A document
// marker ('---' or '...' at column 0) after the first document's content ends it; a line that is not
// blank, a comment or another marker after that is a second document's content. A marker at column
// 0 cannot occur inside a scalar (YAML 1.2 §9.1.4), so lines are enough.
inline int second_yaml_document_line(const std::string& text) {
  bool content = false, ended = false;
  int line_no = 0;
  size_t start = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;  // a byte order mark is not content (review25)
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    ++line_no;
    start = end + 1;
    const bool marker = (line.rfind("---", 0) == 0 || line.rfind("...", 0) == 0) &&
                        (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
    const size_t first = line.find_first_not_of(" \t");
    const bool blank = first == std::string::npos || line[first] == '#';
    if (marker) {
      if (content) ended = true;
      // "--- key: value" opens a document with content on its own line.
      const size_t rest = line.find_first_not_of(" \t", 3);
      if (line.rfind("---", 0) == 0 && rest != std::string::npos && line[rest] != '#') {
        if (ended) return line_no;
        content = true;
      }
      continue;
    }
    if (blank) continue;
    if (line[0] == '%' && !content) continue;  // a directive before the first document
    if (ended) return line_no;
    content = true;
  }
  return 0;
}

// Parses YAML text that must be a mapping, with syntax errors located in `file`. The text must be
// UTF-8 (names and descriptions end up in JSON and HDF5): a bad byte is named with its line and
// the field written there.
inline YAML::Node load_yaml_mapping(const std::string& text, const std::string& file,
                                    const std::string& what, const std::string& note = "") {
  YAML::Node root;
  const size_t bad = invalid_utf8_at(text);
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    if (bad == std::string::npos) throw_yaml_syntax_error(text, file, e, note);
  }
  // A second document ('---' then more keys) was silently dropped: two scenarios pasted into one
  // file, or a '---' typed as a section rule, lost everything after it (audit25i #12). Found in the
  // text, not by YAML::LoadAll: parsing every document of a fuzzed file took 24 GB.
  if (bad == std::string::npos)
    if (const int line = second_yaml_document_line(text); line > 0)
      throw InputError(file, line, "",
                       "a second YAML document starts here (after a '---' line): a " + what +
                           " file is one document; remove the '---' or put the second part in its own file" + note);
  if (bad != std::string::npos) {
    const int line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n'));
    std::string field;
    try {
      field = yaml_field_on_line(root, line);
    } catch (const YAML::Exception&) {
    }
    throw InputError(file, line + 1, field, describe_invalid_utf8(text, bad) + note);
  }
  if (!root.IsMap()) throw InputError(file, 1, "", "a " + what + " file must be a YAML mapping" + note);
  return root;
}

}  // namespace paraspine
