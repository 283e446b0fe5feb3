// The instruction cleaning the released X-WAM tokenizer applies before umT5's SentencePiece:
// HuggingfaceTokenizer(clean="whitespace") in Wan2.2's tokenizers.py.
#pragma once
#include <string>

namespace xwam::model {

// `utf8` cleaned as whitespace_clean(basic_clean(text)) does: ftfy.fix_text (ftfy 6.3 defaults),
// html.unescape twice, strip, every run of whitespace (the `regex` module's \s) → one space, strip.
// Plain instructions come back unchanged except for whitespace; "cup &amp; plate" → "cup & plate",
// "cafÃ©" (mojibake) → "café", "don’t" → "don't", "ﬁll" → "fill", fullwidth → ASCII.
// Malformed UTF-8 bytes become U+FFFD each. Known differences from ftfy (all rare in instructions)
// are listed at the top of TextClean.cpp; Unicode NFC is left to the tokenizer's NFKC.
std::string clean_instruction(const std::string& utf8);

}  // namespace xwam::model
