// Wan2.2's instruction cleaning (ftfy.fix_text, html.unescape twice, whitespace_clean) redone on
// code points, so umT5 is given the same text as in the released X-WAM tokenizer.
//
// All of ftfy 6.3's fix_text steps with default options are here, mojibake heuristic included (its
// data in TextCleanTables.inc). Where this still differs (none of it in realistic instructions):
// - no NFC: umT5's SentencePiece normalizer applies NFKC, and NFKC(NFC(x)) = NFKC(x). It differs
//   only where ftfy's NFC output feeds a later step (U+037E GREEK QUESTION MARK → ';' completing an
//   HTML entity, a decomposed accent changing the mojibake heuristic's verdict);
// - Python's \w in the mojibake heuristic is exact on Latin-1 and Windows-1252 and approximated by
//   Unicode blocks elsewhere; \d in terminal escapes is ASCII only;
// - lines are not cut at ftfy's max_decode_length (10^6 characters).
#include "engine/model/TextClean.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace xwam::model {

namespace {

struct HtmlEntity {
  const char* name;
  const char* value;
  const char* upper_value;
};
struct WidthEntry {
  char32_t code;
  const char* value;
};
struct CodeRange {
  char32_t lo, hi;
};
struct SingleByteEncoding {
  const char* name;
  bool sloppy;
  char32_t high[128];
};

#include "engine/model/TextCleanTables.inc"

using Text = std::u32string;

// ---- UTF-8 -------------------------------------------------------------------------------------

// The code point at s[i] and its byte length, by Python's strict UTF-8 (no overlong forms,
// surrogates or code points past U+10FFFF); length 0 where the bytes are malformed.
std::pair<char32_t, size_t> utf8_at(std::string_view s, size_t i) {
  const auto b = [&](size_t k) -> char32_t { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0; };
  const auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
  const char32_t c0 = b(i);
  if (c0 < 0x80) return {c0, 1};
  if (c0 >= 0xC2 && c0 <= 0xDF && cont(i + 1)) return {((c0 & 0x1F) << 6) | (b(i + 1) & 0x3F), 2};
  if (c0 >= 0xE0 && c0 <= 0xEF && cont(i + 1) && cont(i + 2)) {
    const char32_t c = ((c0 & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
    if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) return {c, 3};
  }
  if (c0 >= 0xF0 && c0 <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
    const char32_t c = ((c0 & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) | (b(i + 3) & 0x3F);
    if (c >= 0x10000 && c <= 0x10FFFF) return {c, 4};
  }
  return {0, 0};
}

// Decodes UTF-8, each malformed byte becoming U+FFFD (as SentencePiece's normalizer does).
Text decode_utf8(std::string_view s) {
  Text out;
  for (size_t i = 0; i < s.size();) {
    const auto [c, n] = utf8_at(s, i);
    out.push_back(n ? c : U'\uFFFD');
    i += n ? n : 1;
  }
  return out;
}

// Python's bytes.decode("utf-8"), or with `variants` ftfy's "utf-8-variants" codec, which also
// reads CESU-8 surrogate pairs and Java's C0 80 for U+0000. Empty when the bytes do not decode.
std::optional<Text> decode_utf8_strict(std::string_view s, bool variants) {
  const auto b = [&](size_t k) -> char32_t { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0; };
  const auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
  Text out;
  for (size_t i = 0; i < s.size();) {
    if (variants && b(i) == 0xC0 && b(i + 1) == 0x80) {
      out.push_back(0);
      i += 2;
      continue;
    }
    if (variants && b(i) == 0xED && b(i + 1) >= 0xA0 && b(i + 1) <= 0xAF && cont(i + 2) && b(i + 3) == 0xED &&
        b(i + 4) >= 0xB0 && b(i + 4) <= 0xBF && cont(i + 5)) {
      const char32_t high = ((b(i + 1) & 0x0F) << 6) | (b(i + 2) & 0x3F);
      const char32_t low = ((b(i + 4) & 0x0F) << 6) | (b(i + 5) & 0x3F);
      out.push_back(0x10000 + (high << 10) + low);
      i += 6;
      continue;
    }
    const auto [c, n] = utf8_at(s, i);
    if (!n) return std::nullopt;
    out.push_back(c);
    i += n;
  }
  return out;
}

std::string encode_utf8(const Text& text) {
  std::string out;
  for (const char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// ---- character classes -------------------------------------------------------------------------

template <size_t N>
bool in_ranges(const CodeRange (&ranges)[N], char32_t c) {
  for (const auto& r : ranges)
    if (c >= r.lo && c <= r.hi) return true;
  return false;
}

bool in_chars(const char32_t* chars, char32_t c) {
  return chars && std::char_traits<char32_t>::find(chars, std::char_traits<char32_t>::length(chars), c);
}

// Python's str.isspace(), which is also re's \s and what str.strip() removes.
bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// The `regex` module's \s (whitespace_clean uses it): Unicode White_Space, without U+001C–001F.
bool is_regex_space(char32_t c) { return is_python_space(c) && !(c >= 0x1C && c <= 0x1F); }

bool is_ascii_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Python re's \w (str.isalnum() or '_'): exact up to U+02FF and for Windows-1252's letters;
// beyond, letters unless in a block of punctuation, symbols, combining marks or emoji.
bool is_python_word(char32_t c) {
  if (c < 0x80) return is_ascii_letter(c) || (c >= '0' && c <= '9') || c == '_';
  if (c < 0x100)
    return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA || (c >= 0xBC && c <= 0xBE) ||
           (c >= 0xC0 && c != 0xD7 && c != 0xF7);
  if (c < 0x2B0) return true;
  if (c < 0x370)
    return (c <= 0x2C1) || (c >= 0x2C6 && c <= 0x2D1) || (c >= 0x2E0 && c <= 0x2E4) || c == 0x2EC || c == 0x2EE;
  if (c < 0x400) return c != 0x375 && c != 0x37E && c != 0x384 && c != 0x385 && c != 0x387;
  return !((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xE000 && c <= 0xF8FF) ||
           (c >= 0xFE00 && c <= 0xFE6F) || (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFFF0 && c <= 0xFFFF) ||
           (c >= 0x1F000 && c <= 0x1FAFF));
}

// ---- HTML entities -----------------------------------------------------------------------------

const std::unordered_map<std::string, std::string>& html5_entities() {
  static const auto table = [] {
    std::unordered_map<std::string, std::string> t;
    for (const auto& e : kHtmlEntities) t.emplace(e.name, e.value);
    return t;
  }();
  return table;
}

// ftfy's own entity table: the names ending in ';', and capitalized copies of lower-case ones.
const std::unordered_map<std::string, std::string>& ftfy_entities() {
  static const auto table = [] {
    std::unordered_map<std::string, std::string> t;
    for (const auto& e : kHtmlEntities) {
      const std::string name = e.name;
      if (name.back() != ';') continue;
      t.emplace(name, e.value);
      if (!e.upper_value) continue;
      std::string upper = name;
      for (char& ch : upper)
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
      t.emplace(upper, e.upper_value);
    }
    return t;
  }();
  return table;
}

// Windows-1252's character for a byte 0x80–0xFF, the five bytes it leaves undefined keeping their
// C1 code point: ftfy's sloppy codec, and Python's html.unescape for &#128;–&#159;.
char32_t cp1252(char32_t byte) {
  static const SingleByteEncoding& sloppy = *std::find_if(
      std::begin(kCharmapEncodings), std::end(kCharmapEncodings),
      [](const SingleByteEncoding& e) { return std::string_view(e.name) == "sloppy-windows-1252"; });
  return sloppy.high[byte - 0x80];
}

bool cp1252_undefined(char32_t c) { return c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D; }

// Python's html._replace_charref on a numeric reference's value.
Text numeric_charref(uint32_t num) {
  if (num == 0) return U"\uFFFD";
  if (num == 0x0D) return U"\r";
  if (num >= 0x80 && num <= 0x9F) return Text(1, cp1252(num));
  if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) return U"\uFFFD";
  const bool invalid = (num >= 0x01 && num <= 0x08) || num == 0x0B || (num >= 0x0E && num <= 0x1F) || num == 0x7F ||
                       (num >= 0xFDD0 && num <= 0xFDEF) || (num & 0xFFFE) == 0xFFFE;
  return invalid ? Text() : Text(1, char32_t(num));
}

bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char32_t c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The character reference starting at the '&' text[i], as Python's html.unescape matches it
// (&#NN;? | &#xHH;? | &name;? with up to 32 name characters): its length, 0 if none, and its value.
std::pair<size_t, Text> charref_at(const Text& text, size_t i) {
  const size_t n = text.size();
  size_t j = i + 1;
  if (j < n && text[j] == '#') {
    const bool hex = j + 1 < n && (text[j + 1] == 'x' || text[j + 1] == 'X');
    size_t k = j + 1 + (hex ? 1 : 0);
    const size_t digits_begin = k;
    uint32_t num = 0;
    while (k < n && (hex ? is_hex_digit(text[k]) : is_digit(text[k]))) {
      const uint32_t d = is_digit(text[k]) ? text[k] - '0' : (text[k] | 0x20) - 'a' + 10;
      num = num > 0x10FFFF ? num : num * (hex ? 16 : 10) + d;  // saturates past the last code point
      ++k;
    }
    if (k == digits_begin) return {0, {}};
    if (k < n && text[k] == ';') ++k;
    return {k - i, numeric_charref(num)};
  }
  const auto name_char = [](char32_t c) {
    return c != '\t' && c != '\n' && c != '\f' && c != ' ' && c != '<' && c != '&' && c != '#' && c != ';';
  };
  size_t k = j;
  while (k < n && k - j < 32 && name_char(text[k])) ++k;
  if (k == j) return {0, {}};
  if (k < n && text[k] == ';') ++k;
  const Text name(text, j, k - j);
  const auto& table = html5_entities();
  if (const auto it = table.find(encode_utf8(name)); it != table.end()) return {k - i, decode_utf8(it->second)};
  // The longest prefix that is an entity (only the legacy names without ';' can be).
  for (size_t len = name.size() - 1; len >= 2; --len) {
    if (const auto it = table.find(encode_utf8(name.substr(0, len))); it != table.end())
      return {k - i, decode_utf8(it->second) + name.substr(len)};
  }
  return {k - i, U"&" + name};
}

// Python's html.unescape.
Text html_unescape(const Text& text) {
  Text out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      if (auto [len, value] = charref_at(text, i); len) {
        out += value;
        i += len;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

// ftfy's unescape_html: only "&name;" / "&#…;" with 1–24 ASCII letters or digits and a ';';
// names from its own table, numeric references only when html.unescape consumes the ';'.
Text ftfy_unescape_html(const Text& text) {
  Text out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      size_t j = i + 1;
      if (j < text.size() && text[j] == '#') ++j;
      size_t k = j;
      while (k < text.size() && k - j <= 24 && text[k] < 0x80 && (is_ascii_letter(text[k]) || is_digit(text[k]))) ++k;
      if (k > j && k - j <= 24 && k < text.size() && text[k] == ';') {
        const Text match(text, i, k + 1 - i);
        const auto& table = ftfy_entities();
        Text value = match;
        if (const auto it = table.find(encode_utf8(match.substr(1))); it != table.end()) {
          value = decode_utf8(it->second);
        } else if (j > i + 1) {
          const Text unescaped = html_unescape(match);
          if (unescaped.find(';') == Text::npos) value = unescaped;
        }
        out += value;
        i = k + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

// ---- ftfy's mojibake heuristic (badness.is_bad) ------------------------------------------------

enum Category : uint32_t {
  kC1 = 1 << 0, kBad = 1 << 1, kLaw = 1 << 2, kCurrency = 1 << 3, kStartPunct = 1 << 4, kEndPunct = 1 << 5,
  kNumeric = 1 << 6, kKaomoji = 1 << 7, kUpperAccented = 1 << 8, kLowerAccented = 1 << 9, kUpperCommon = 1 << 10,
  kLowerCommon = 1 << 11, kBox = 1 << 12, kCommon = 1 << 13,
};

uint32_t categories(char32_t c) {
  if (c < 0x80) return 0;
  uint32_t m = 0;
  if (in_ranges(kCat_c1, c)) m |= kC1;
  if (in_ranges(kCat_bad, c)) m |= kBad;
  if (in_ranges(kCat_law, c)) m |= kLaw;
  if (in_ranges(kCat_currency, c)) m |= kCurrency;
  if (in_ranges(kCat_start_punctuation, c)) m |= kStartPunct;
  if (in_ranges(kCat_end_punctuation, c)) m |= kEndPunct;
  if (in_ranges(kCat_numeric, c)) m |= kNumeric;
  if (in_ranges(kCat_kaomoji, c)) m |= kKaomoji;
  if (in_ranges(kCat_upper_accented, c)) m |= kUpperAccented;
  if (in_ranges(kCat_lower_accented, c)) m |= kLowerAccented;
  if (in_ranges(kCat_upper_common, c)) m |= kUpperCommon;
  if (in_ranges(kCat_lower_common, c)) m |= kLowerCommon;
  if (in_ranges(kCat_box, c)) m |= kBox;
  if (in_ranges(kCat_common, c)) m |= kCommon;
  return m;
}

enum class Special { kNone, kAsciiLetter, kAsciiLower, kSpace, kWord, kNotAsciiLetter, kNotNewline };

// One position of a badness pattern: any of the categories, any of the listed characters, or the
// special class.
struct Step {
  uint32_t cats = 0;
  const char32_t* chars = nullptr;
  Special special = Special::kNone;

  bool matches(char32_t c, uint32_t c_cats) const {
    if ((cats & c_cats) || in_chars(chars, c)) return true;
    switch (special) {
      case Special::kNone: return false;
      case Special::kAsciiLetter: return is_ascii_letter(c);
      case Special::kAsciiLower: return c >= 'a' && c <= 'z';
      case Special::kSpace: return is_python_space(c);
      case Special::kWord: return is_python_word(c);
      case Special::kNotAsciiLetter: return !is_ascii_letter(c);
      case Special::kNotNewline: return c != '\n';
    }
    return false;
  }
};

struct Pattern {
  std::vector<Step> steps;
  bool at_start = false;  // '^'
};

Step cat(uint32_t cats, const char32_t* chars = nullptr) { return {cats, chars, Special::kNone}; }
Step chars(const char32_t* list) { return {0, list, Special::kNone}; }
Step special(Special s, const char32_t* list = nullptr, uint32_t cats = 0) { return {cats, list, s}; }

// The alternatives of ftfy's BADNESS_RE, in its order; `\s?` is written as two patterns.
const std::vector<Pattern>& badness_patterns() {
  constexpr uint32_t kLA = kLowerAccented, kUA = kUpperAccented, kSP = kStartPunct, kEP = kEndPunct;
  static const std::vector<Pattern> patterns = {
      {{cat(kC1)}},
      {{cat(kBad | kLA | kUA | kBox | kSP | kEP | kCurrency | kNumeric | kLaw), cat(kBad)}},
      {{special(Special::kAsciiLetter), cat(kLowerCommon | kUpperCommon), cat(kBad)}},
      {{cat(kBad), cat(kLA | kUA | kBox | kSP | kEP | kCurrency | kNumeric | kLaw)}},
      {{cat(kLA | kLowerCommon | kBox | kEP | kCurrency | kNumeric), cat(kUA)}},
      {{cat(kBox | kEP | kCurrency | kNumeric), cat(kLA)}},
      {{cat(kLA | kBox | kEP), cat(kCurrency)}},
      {{special(Special::kSpace), cat(kUA), cat(kCurrency)}},
      {{cat(kUA | kBox), cat(kNumeric | kLaw)}},
      {{cat(kLA | kUA | kBox | kCurrency | kEP), cat(kSP), cat(kNumeric)}},
      {{cat(kLA | kUA | kCurrency | kNumeric | kBox | kLaw), cat(kEP), cat(kSP)}},
      {{cat(kCurrency | kNumeric | kBox), cat(kSP)}},
      {{special(Special::kAsciiLower), cat(kUA), cat(kSP | kCurrency)}},
      {{cat(kBox), cat(kKaomoji)}},
      {{cat(kLA | kUA | kCurrency | kNumeric | kSP | kEP | kLaw), cat(kBox)}},
      {{cat(kBox), cat(kEP)}},
      {{cat(kLA | kUA), cat(kSP | kEP), special(Special::kWord)}},
      {{chars(U"Œœ"), special(Special::kNotAsciiLetter)}},
      {{cat(kUA), chars(U"°")}},
      {{chars(U"ÂÃÎÐ"), cat(kSP | kEP, U"€œŠš¢£Ÿž\u00A0\u00AD®©°·»–—´")}},
      {{chars(U"×"), chars(U"²³")}},
      {{chars(U"ØÙ"), cat(kCommon | kCurrency | kBad | kNumeric | kSP, U"ŸŠ®°µ»"), chars(U"ØÙ"),
        cat(kCommon | kCurrency | kBad | kNumeric | kSP, U"ŸŠ®°µ»")}},
      {{chars(U"à"), chars(U"²µ¹¼½¾")}},
      {{chars(U"√"), chars(U"±∂†≠®™´≤≥¥µø")}},
      {{chars(U"≈"), chars(U"°¢")}},
      {{chars(U"‚"), chars(U"Ä"), chars(U"ìîïòôúùû†°¢π")}},
      {{chars(U"‚"), chars(U"âó"), chars(U"àä°ê")}},
      {{chars(U"в"), chars(U"Ђ")}},
      {{chars(U"ВГРС"), cat(kC1 | kBad | kSP | kEP | kCurrency, U"°µ"), chars(U"ВГРС")}},
      {{chars(U"Г"), chars(U"ў"), chars(U"В"), chars(U"Ђ"), chars(U"В"), special(Special::kNotNewline),
        special(Special::kAsciiLetter, U" ")}},
      {{chars(U"Ã"), chars(U"\u00A0¡")}},
      {{special(Special::kAsciiLower), special(Special::kSpace), chars(U"ÃÂ"), chars(U" ")}},
      {{special(Special::kAsciiLower), chars(U"ÃÂ"), chars(U" ")}},
      {{chars(U"ÃÂ"), chars(U" ")}, true},
      {{special(Special::kAsciiLower, U".,?!", kEP), chars(U"Â"), cat(kSP | kEP, U" ")}},
      {{chars(U"β"), chars(U"€"), chars(U"™\u00A0Ά\u00AD®°")}},
      {{chars(U"ΒΓΞΟ"), cat(kC1 | kBad | kSP | kEP | kCurrency, U"°"), chars(U"ΒΓΞΟ")}},
      {{chars(U"ā"), chars(U"€")}},
  };
  return patterns;
}

// ftfy's is_bad: does any badness pattern occur in `text`?
bool is_bad(const Text& text) {
  std::vector<uint32_t> cats(text.size());
  for (size_t i = 0; i < text.size(); ++i) cats[i] = categories(text[i]);
  for (size_t i = 0; i < text.size(); ++i) {
    for (const auto& p : badness_patterns()) {
      if ((p.at_start && i != 0) || i + p.steps.size() > text.size()) continue;
      size_t k = 0;
      while (k < p.steps.size() && p.steps[k].matches(text[i + k], cats[i + k])) ++k;
      if (k == p.steps.size()) return true;
    }
  }
  return false;
}

// ---- ftfy's fix_encoding -----------------------------------------------------------------------

bool is_ascii(const Text& text) {
  for (const char32_t c : text)
    if (c >= 0x80) return false;
  return true;
}

bool fits_latin1(const Text& text) {
  for (const char32_t c : text)
    if (c > 0xFF) return false;
  return true;
}

// `text` in a single-byte encoding, empty if some character has no byte there. ftfy's sloppy
// codecs write U+FFFD as byte 0x1A (and so cannot write 0x1A itself).
std::optional<std::string> encode_single_byte(const Text& text, const SingleByteEncoding& encoding) {
  std::string out;
  for (const char32_t c : text) {
    if (c < 0x80 && !(encoding.sloppy && c == 0x1A)) {
      out.push_back(static_cast<char>(c));
    } else if (encoding.sloppy && c == 0xFFFD) {
      out.push_back('\x1A');
    } else {
      const char32_t* found = std::find(std::begin(encoding.high), std::end(encoding.high), c);
      if (found == std::end(encoding.high)) return std::nullopt;
      out.push_back(static_cast<char>(0x80 + (found - encoding.high)));
    }
  }
  return out;
}

// A set of bytes given as inclusive ranges.
struct ByteSet {
  std::vector<std::pair<unsigned, unsigned>> ranges;
  ByteSet(std::initializer_list<std::pair<unsigned, unsigned>> r) : ranges(r) {}
  ByteSet(unsigned byte) : ranges{{byte, byte}} {}
  bool has(unsigned b) const {
    for (const auto& [lo, hi] : ranges)
      if (b >= lo && b <= hi) return true;
    return false;
  }
};
using BytePattern = std::vector<ByteSet>;

// Length of the first of `alternatives` that matches at s[i] (Python's ordered '|'), 0 if none.
size_t match_bytes(const std::string& s, size_t i, const std::vector<BytePattern>& alternatives) {
  for (const auto& alt : alternatives) {
    if (i + alt.size() > s.size()) continue;
    size_t k = 0;
    while (k < alt.size() && alt[k].has(static_cast<unsigned char>(s[i + k]))) ++k;
    if (k == alt.size()) return k;
  }
  return 0;
}

// ftfy's ALTERED_UTF8_RE: UTF-8 sequences whose 0xA0 byte was turned into a space.
const std::vector<BytePattern>& altered_utf8() {
  static const ByteSet cont_a0{{0x80, 0x84}, {0x86, 0x9F}, {0xA1, 0xBF}}, cont{{0x80, 0xBF}};
  static const std::vector<BytePattern> alternatives = {
      {ByteSet{{0xC2, 0xC3}, {0xC5, 0xC5}, {0xCE, 0xCE}, {0xD0, 0xD0}, {0xD9, 0xD9}}, ' '},
      {ByteSet{{0xE2, 0xE3}}, ' ', cont_a0},
      {ByteSet{{0xE0, 0xE3}}, cont_a0, ' '},
      {0xF0, ' ', cont, cont},
      {0xF0, cont, ' ', cont},
      {0xF0, cont, cont, ' '},
  };
  return alternatives;
}

// ftfy's restore_byte_a0: puts 0xA0 back where a space breaks a UTF-8 sequence, and after a lone
// "\xC3 " (à) unless a Portuguese contraction or a double space follows.
std::string restore_byte_a0(const std::string& bytes) {
  std::string s;
  for (size_t i = 0; i < bytes.size(); ++i) {
    s.push_back(bytes[i]);
    if (bytes[i] != '\xC3' || i + 1 >= bytes.size() || bytes[i + 1] != ' ') continue;
    const std::string_view rest = std::string_view(bytes).substr(i + 2);
    const auto starts = [&](std::string_view p) { return rest.substr(0, p.size()) == p; };
    if (!(starts(" ") || starts("quele") || starts("quela") || starts("quilo") || starts("s "))) s.push_back('\xA0');
  }
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = match_bytes(s, i, altered_utf8());
    if (!n) {
      out.push_back(s[i++]);
      continue;
    }
    for (size_t k = i; k < i + n; ++k) out.push_back(s[k] == ' ' ? '\xA0' : s[k]);
    i += n;
  }
  return out;
}

// ftfy's replace_lossy_sequences: UTF-8 sequences with bytes lost to U+FFFD (0x1A here) or, once
// per sequence, to '?' decode as a single U+FFFD.
std::string replace_lossy_sequences(const std::string& bytes) {
  static const ByteSet sub{0x1A}, sub_q{{0x1A, 0x1A}, {'?', '?'}}, sub_cont{{0x1A, 0x1A}, {0x80, 0xBF}},
      any{{0x1A, 0x1A}, {'?', '?'}, {0x80, 0xBF}}, e0{{0xE0, 0xEF}}, f0{{0xF0, 0xF4}};
  static const std::vector<BytePattern> alternatives = {
      {ByteSet{{0xC2, 0xDF}}, sub},
      {ByteSet{{0xC2, 0xC3}}, '?'},
      {0xED, ByteSet{{0xA0, 0xAF}}, sub_q, 0xED, ByteSet{{0xB0, 0xBF}}, any},
      {0xED, ByteSet{{0xA0, 0xAF}}, any, 0xED, ByteSet{{0xB0, 0xBF}}, sub_q},
      {e0, sub_q, sub_cont},
      {e0, sub_cont, sub_q},
      {f0, sub_q, sub_cont, sub_cont},
      {f0, sub_cont, sub_q, sub_cont},
      {f0, sub_cont, sub_cont, sub_q},
      {sub},
  };
  std::string out;
  for (size_t i = 0; i < bytes.size();) {
    if (const size_t n = match_bytes(bytes, i, alternatives)) {
      out += "\xEF\xBF\xBD";
      i += n;
    } else {
      out.push_back(bytes[i++]);
    }
  }
  return out;
}

Text fix_c1_controls(const Text& text) {
  Text out = text;
  for (char32_t& c : out)
    if (c >= 0x80 && c <= 0x9F) c = cp1252(c);
  return out;
}

Text fix_encoding(Text text);

// ftfy's decode_inconsistent_utf8: fixes runs that look like UTF-8 read as a single-byte encoding
// (lead character, continuation characters) inside otherwise sound text, one run at a time.
Text decode_inconsistent_utf8(const Text& text) {
  const auto cont = [&](size_t k) { return k < text.size() && in_ranges(kClue_utf8_continuation, text[k]); };
  const auto unit_at = [&](size_t k) -> size_t {
    if (in_ranges(kClue_utf8_first_of_2, text[k]) && cont(k + 1)) return 2;
    if (in_ranges(kClue_utf8_first_of_3, text[k]) && cont(k + 1) && cont(k + 2)) return 3;
    if (in_ranges(kClue_utf8_first_of_4, text[k]) && cont(k + 1) && cont(k + 2) && cont(k + 3)) return 4;
    return 0;
  };
  Text out;
  for (size_t i = 0; i < text.size();) {
    size_t end = i;
    if (i == 0 || !in_ranges(kClue_utf8_continuation_strict, text[i - 1])) {
      for (size_t n = unit_at(end); n; n = end < text.size() ? unit_at(end) : 0) end += n;
    }
    if (end == i) {
      out.push_back(text[i++]);
      continue;
    }
    const Text run(text, i, end - i);
    out += run.size() < text.size() && is_bad(run) ? fix_encoding(run) : run;
    i = end;
  }
  return out;
}

// One step of ftfy's fix_encoding (_fix_encoding_one_step_and_explain).
Text fix_encoding_step(const Text& text) {
  if (text.empty() || is_ascii(text) || !is_bad(text)) return text;
  // Text that is UTF-8 decoded in a single-byte encoding: the first encoding that gives it back.
  for (const auto& encoding : kCharmapEncodings) {
    auto bytes = encode_single_byte(text, encoding);
    if (!bytes) continue;
    // Not for MacRoman, where an en dash and a space look like a broken UTF-8 sequence.
    if (std::string_view(encoding.name) != "macroman") {
      for (size_t i = 0; i < bytes->size(); ++i)
        if (match_bytes(*bytes, i, altered_utf8())) {
          *bytes = restore_byte_a0(*bytes);
          break;
        }
    }
    if (encoding.sloppy) *bytes = replace_lossy_sequences(*bytes);
    const bool variants = bytes->find('\xED') != std::string::npos || bytes->find('\xC0') != std::string::npos;
    if (auto fixed = decode_utf8_strict(*bytes, variants)) return *fixed;
  }
  if (Text fixed = decode_inconsistent_utf8(text); fixed != text) return fixed;
  // Latin-1 text with C1 controls was meant as Windows-1252 (when that decodes strictly).
  if (fits_latin1(text)) {
    bool strict = true;
    for (const char32_t c : text) strict = strict && !cp1252_undefined(c);
    if (Text fixed = fix_c1_controls(text); strict && fixed != text) return fixed;
  }
  return fix_c1_controls(text);
}

Text fix_encoding(Text text) {
  for (;;) {
    Text fixed = fix_encoding_step(text);
    if (fixed == text) return text;
    text = std::move(fixed);
  }
}

// ---- ftfy's character fixes --------------------------------------------------------------------

// fix_latin_ligatures: Latin typographic ligatures and legacy digraphs → their letters.
Text fix_latin_ligatures(const Text& text) {
  static const std::unordered_map<char32_t, Text> ligatures = {
      {U'Ĳ', U"IJ"}, {U'ĳ', U"ij"}, {U'ŉ', U"ʼn"}, {U'Ǳ', U"DZ"}, {U'ǲ', U"Dz"}, {U'ǳ', U"dz"},
      {U'Ǆ', U"DŽ"}, {U'ǅ', U"Dž"}, {U'ǆ', U"dž"}, {U'Ǉ', U"LJ"}, {U'ǈ', U"Lj"}, {U'ǉ', U"lj"},
      {U'Ǌ', U"NJ"}, {U'ǋ', U"Nj"}, {U'ǌ', U"nj"}, {U'ﬀ', U"ff"}, {U'ﬁ', U"fi"}, {U'ﬂ', U"fl"},
      {U'ﬃ', U"ffi"}, {U'ﬄ', U"ffl"}, {U'ﬅ', U"ſt"}, {U'ﬆ', U"st"},
  };
  Text out;
  for (const char32_t c : text)
    if (const auto it = ligatures.find(c); it != ligatures.end()) out += it->second;
    else out.push_back(c);
  return out;
}

// fix_character_width: fullwidth ASCII, halfwidth katakana/Hangul, U+3000 → standard width.
Text fix_character_width(const Text& text) {
  static const auto widths = [] {
    std::unordered_map<char32_t, Text> t;
    for (const auto& e : kWidthMap) t.emplace(e.code, decode_utf8(e.value));
    return t;
  }();
  Text out;
  for (const char32_t c : text)
    if (const auto it = widths.find(c); it != widths.end()) out += it->second;
    else out.push_back(c);
  return out;
}

// uncurl_quotes: ʼ ‘ ’ ‚ ‛ → ', “ ” „ ‟ → ".
Text uncurl_quotes(Text text) {
  for (char32_t& c : text) {
    if (c == 0x2BC || (c >= 0x2018 && c <= 0x201B)) c = '\'';
    else if (c >= 0x201C && c <= 0x201F) c = '"';
  }
  return text;
}

// fix_line_breaks: CRLF, CR, U+2028, U+2029, U+0085 → LF.
Text fix_line_breaks(const Text& text) {
  Text out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out.push_back(c == '\r' || c == 0x2028 || c == 0x2029 || c == 0x85 ? U'\n' : c);
  }
  return out;
}

// remove_terminal_escapes: ESC '[' (digits | ';')* letter.
Text remove_terminal_escapes(const Text& text) {
  Text out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == 0x1B && i + 1 < text.size() && text[i + 1] == '[') {
      size_t k = i + 2;
      while (k < text.size() && (is_digit(text[k]) || text[k] == ';')) ++k;
      if (k < text.size() && is_ascii_letter(text[k])) {
        i = k + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

// remove_control_chars: C0 controls but \t \n \f \r, DEL, deprecated Arabic format characters,
// interlinear annotations, U+FFFC and the byte order mark.
Text remove_control_chars(const Text& text) {
  Text out;
  for (const char32_t c : text) {
    const bool control = c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F ||
                         (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
    if (!control) out.push_back(c);
  }
  return out;
}

// ftfy's fix_and_explain on one line: every fix, repeated until nothing changes. (fix_surrogates
// has nothing to do: decoded UTF-8 holds no surrogates.)
Text fix_segment(Text text, bool unescape_html) {
  for (;;) {
    const Text before = text;
    if (unescape_html) text = ftfy_unescape_html(text);
    text = fix_encoding(std::move(text));
    text = fix_c1_controls(text);
    text = fix_latin_ligatures(text);
    text = fix_character_width(text);
    text = uncurl_quotes(std::move(text));
    text = fix_line_breaks(text);
    text = remove_terminal_escapes(text);
    text = remove_control_chars(text);
    if (text == before) return text;
  }
}

// ftfy.fix_text: line by line; HTML entities are left alone from the first line holding a '<'.
Text ftfy_fix_text(const Text& text) {
  Text out;
  bool unescape_html = true;
  for (size_t pos = 0; pos < text.size();) {
    const size_t newline = text.find('\n', pos);
    const size_t end = newline == Text::npos ? text.size() : newline + 1;
    const Text segment(text, pos, end - pos);
    if (segment.find('<') != Text::npos) unescape_html = false;
    out += fix_segment(segment, unescape_html);
    pos = end;
  }
  return out;
}

Text strip(const Text& text) {
  size_t begin = 0, end = text.size();
  while (begin < end && is_python_space(text[begin])) ++begin;
  while (end > begin && is_python_space(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

}  // namespace

std::string clean_instruction(const std::string& utf8) {
  Text text = ftfy_fix_text(decode_utf8(utf8));
  text = strip(html_unescape(html_unescape(text)));
  Text collapsed;
  for (size_t i = 0; i < text.size();) {
    if (!is_regex_space(text[i])) {
      collapsed.push_back(text[i++]);
      continue;
    }
    collapsed.push_back(' ');
    while (i < text.size() && is_regex_space(text[i])) ++i;
  }
  return encode_utf8(strip(collapsed));
}

}  // namespace xwam::model
