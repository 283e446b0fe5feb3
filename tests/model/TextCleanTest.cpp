// clean_instruction against the released X-WAM cleaning (ftfy.fix_text, html.unescape twice,
// whitespace_clean), on golden cases from tests/model/text_clean_golden.py, and a few direct checks.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/model/TextClean.h"

using xwam::model::clean_instruction;

namespace {

nlohmann::json load_fixture() {
  const std::string path = std::string(XWAM_SOURCE_DIR) + "/tests/model/fixtures/text_clean.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST(TextClean, MatchesReleasedCleaningOnGoldenCases) {
  const auto fixture = load_fixture();
  const auto& cases = fixture.at("cases");
  ASSERT_GE(cases.size(), 50u) << "fixture lost its cases";
  for (const auto& c : cases) {
    const std::string input = c.at("input");
    // Where ftfy's NFC shows, we return the text before it (the tokenizer's NFKC makes them equal).
    const std::string expected = c.value("expected_before_nfc", c.at("expected").get<std::string>());
    EXPECT_EQ(clean_instruction(input), expected) << "input: " << nlohmann::json(input).dump()
                                                  << " (ftfy " << fixture.at("ftfy").get<std::string>() << ")";
  }
}

TEST(TextClean, PlainInstructionOnlyLosesExtraWhitespace) {
  EXPECT_EQ(clean_instruction("pick up the red cube"), "pick up the red cube");
  EXPECT_EQ(clean_instruction(" \t pick  up\nthe\u3000cube \n"), "pick up the cube");
  EXPECT_EQ(clean_instruction(""), "");
}

TEST(TextClean, UnescapesHtmlEntitiesUpToTwoLevelsAfterAnAngleBracket) {
  EXPECT_EQ(clean_instruction("put the cup &amp; the plate in the bowl"), "put the cup & the plate in the bowl");
  // Without '<', ftfy unescapes until nothing changes; with one, only html.unescape's two passes run.
  EXPECT_EQ(clean_instruction("&amp;amp;amp;lt;"), "<");
  EXPECT_EQ(clean_instruction("< &amp;amp;amp;lt;"), "< &amp;lt;");
  // Python's cp1252 remapping of &#128;–&#159; and U+FFFD for invalid code points.
  EXPECT_EQ(clean_instruction("&#128; &#x92; &#xD800;"), "\u20ac ' \ufffd");
}

TEST(TextClean, FixesMojibakeQuotesLigaturesAndWidth) {
  EXPECT_EQ(clean_instruction("caf\u00c3\u00a9"), "caf\u00e9");
  EXPECT_EQ(clean_instruction("don\u00e2\u20ac\u2122t"), "don't");
  EXPECT_EQ(clean_instruction("\u201cred\u201d"), "\"red\"");
  EXPECT_EQ(clean_instruction("\ufb01ll"), "fill");
  EXPECT_EQ(clean_instruction("\uff30\uff49\uff43\uff4b"), "Pick");
  // Legitimate accented text is not mojibake and stays as it is.
  EXPECT_EQ(clean_instruction("cr\u00e8me br\u00fbl\u00e9e"), "cr\u00e8me br\u00fbl\u00e9e");
}

TEST(TextClean, DropsControlCharactersAndTerminalEscapes) {
  EXPECT_EQ(clean_instruction("\x1b[31mred\x1b[0m cube\x07"), "red cube");
  EXPECT_EQ(clean_instruction("\ufeffcube"), "cube");
}

TEST(TextClean, MalformedUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(clean_instruction("x\xff y"), "x\ufffd y");
}
