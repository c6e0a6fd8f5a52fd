// Text the command line prints: the run's notes broken into lines (cli::wrapped) and the check that a
// YAML file is one document (second_yaml_document_line), on the inputs review25 named (T2, T9).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/summary_view.h"
#include "sim/common/yaml_reader.h"

namespace paraspine {
namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

size_t columns(const std::string& s) {
  size_t n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

TEST(CliText, WrappedKeepsEveryWordWithinTheWidthCountingCharactersNotBytes) {
  const std::string text = "the neck flexes up to 49° here (C7-T1 … C0-C1): read its loads as an open problem, "
                           "docs/model.md \"The neck: what is and is not validated\" and so on until the line is long enough to break";
  const std::string out = cli::wrapped("  note: ", text, 4, 40);
  const auto lines = lines_of(out);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("  note: the neck", 0), 0u) << lines[0];
  for (size_t k = 0; k < lines.size(); ++k) {
    EXPECT_LE(columns(lines[k]), 40u) << lines[k];  // "°" and "…" are one column each, two and three bytes
    if (k) {
      EXPECT_EQ(lines[k].rfind("    ", 0), 0u) << lines[k];
    }
  }
  std::string words;  // the same words, in order
  for (const auto& l : lines) {
    if (!words.empty()) words.push_back(' ');
    words.append(l, l.find_first_not_of(' '), std::string::npos);
  }
  EXPECT_EQ(words, "note: " + text);
  // A word longer than the width stands on its own line, unbroken; extra spaces collapse.
  const std::string long_word(60, 'x');
  const auto two = lines_of(cli::wrapped("  ", "a  " + long_word + " b ", 4, 40));
  ASSERT_EQ(two.size(), 3u);
  EXPECT_EQ(two[0], "  a");
  EXPECT_EQ(two[1], "    " + long_word);
  EXPECT_EQ(two[2], "    b");
  // A line break or tab inside the text is a break between words, not a column the count misses
  // (review25 S5): no line comes out unindented or over the width.
  const auto broken = lines_of(cli::wrapped("  note: ", "first part\nsecond\tpart " + std::string(30, 'y'), 4, 30));
  ASSERT_EQ(broken.size(), 2u);
  EXPECT_EQ(broken[0], "  note: first part second part");
  EXPECT_EQ(broken[1], "    " + std::string(30, 'y'));
  // A '%' goes with its number: "past 0.5 %" never ends a line on "0.5".
  const auto percent = lines_of(cli::wrapped("  ", "the task fails past 0.5 % (over it)", 2, 26));
  ASSERT_EQ(percent.size(), 2u);
  EXPECT_EQ(percent[0], "  the task fails past");
  EXPECT_EQ(percent[1], "  0.5 % (over it)");
}

TEST(CliText, OneYamlDocumentWhateverItsMarkersAndASecondOneAtItsLine) {
  const std::string body = "paraspine_scenario: 1\nname: s\n";
  // Built with append (GCC 12's -Wrestrict misfires on literal + string, PR 105329).
  auto cat = [](std::string a, const std::string& b) { return a.append(b); };
  for (const std::string& one : {body, cat("---\n", body), cat("--- # a comment\n", body), cat("%YAML 1.2\n---\n", body),
                                 cat("\xEF\xBB\xBF# c\n---\n", body), cat(body, "...\n# the end\n"), cat(body, "---\n"),
                                 cat(body, "text: |\n  a line\n  ---\n  more\n"), std::string("a: 1\r\n---\r\n")})
    EXPECT_EQ(second_yaml_document_line(one), 0) << one;
  EXPECT_EQ(second_yaml_document_line(cat(body, "---\nname: other\n")), 4);
  EXPECT_EQ(second_yaml_document_line(cat(body, "...\nname: other\n")), 4);
  EXPECT_EQ(second_yaml_document_line(cat(body, "--- {name: other}\n")), 3);
  EXPECT_EQ(second_yaml_document_line(cat(cat("\xEF\xBB\xBF", body), "---\r\n\r\nname: other\r\n")), 5);
}

}  // namespace
}  // namespace paraspine
