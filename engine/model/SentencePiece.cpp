// SentencePiece unigram model reader and encoder (protobuf wire format read by hand; the encoding
// follows libsentencepiece's normalizer.cc and unigram_model.cc EncodeOptimized).
#include "engine/model/SentencePiece.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"

namespace xwam::model {

namespace {

constexpr float kUnkPenalty = 10.0f;          // unigram_model.h
const std::string kSpaceSymbol = "\xe2\x96\x81";  // U+2581, SentencePiece's escaped space

// ---- protobuf wire format ----------------------------------------------------------------------

// A cursor over one serialized message; throws std::runtime_error on truncated or unknown data.
struct WireReader {
  const char* data;
  size_t size, pos = 0;

  bool done() const { return pos >= size; }
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= size) throw std::runtime_error("truncated varint");
      const auto byte = static_cast<uint8_t>(data[pos++]);
      value |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
    throw std::runtime_error("varint longer than 10 bytes");
  }
  std::string bytes() {
    const uint64_t n = varint();
    if (n > size - pos) throw std::runtime_error("length-delimited field runs past its message");
    std::string out(data + pos, n);
    pos += n;
    return out;
  }
  uint32_t fixed32() {
    if (size - pos < 4) throw std::runtime_error("truncated fixed32");
    uint32_t v;
    std::memcpy(&v, data + pos, 4);
    pos += 4;
    return v;
  }
  // Skips a field of `wire_type` that the reader does not use.
  void skip(int wire_type) {
    switch (wire_type) {
      case 0: varint(); break;
      case 1: if (size - pos < 8) throw std::runtime_error("truncated fixed64"); pos += 8; break;
      case 2: bytes(); break;
      case 5: fixed32(); break;
      default: throw std::runtime_error("unsupported wire type " + std::to_string(wire_type));
    }
  }
};

// Visits each (field number, wire type) of `message`; `on_field` reads the value or returns false
// to have it skipped.
template <typename F>
void for_each_field(const std::string& message, F&& on_field) {
  WireReader r{message.data(), message.size()};
  while (!r.done()) {
    const uint64_t tag = r.varint();
    const int field = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    if (!on_field(r, field, wire)) r.skip(wire);
  }
}

// ---- UTF-8 -------------------------------------------------------------------------------------

// Bytes of the character starting with `lead` (string_util::OneCharLen).
size_t one_char_len(unsigned char lead) { return "\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[lead >> 4]; }

// Length of the valid UTF-8 character at text[pos], 0 when malformed (string_util::IsValidDecodeUTF8).
size_t valid_utf8_length(const std::string& text, size_t pos) {
  const auto c = [&](size_t k) { return static_cast<unsigned char>(text[pos + k]); };
  const size_t left = text.size() - pos;
  const auto cont = [&](size_t k) { return k < left && (c(k) & 0xc0) == 0x80; };
  if (c(0) < 0x80) return 1;
  if (c(0) >= 0xc2 && c(0) <= 0xdf && cont(1)) return 2;
  if (c(0) >= 0xe0 && c(0) <= 0xef && cont(1) && cont(2)) {
    const uint32_t cp = (uint32_t(c(0) & 0x0f) << 12) | (uint32_t(c(1) & 0x3f) << 6) | (c(2) & 0x3f);
    return cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff) ? 3 : 0;
  }
  if (c(0) >= 0xf0 && c(0) <= 0xf4 && cont(1) && cont(2) && cont(3)) {
    const uint32_t cp = (uint32_t(c(0) & 0x07) << 18) | (uint32_t(c(1) & 0x3f) << 12) | (uint32_t(c(2) & 0x3f) << 6) | (c(3) & 0x3f);
    return cp >= 0x10000 && cp <= 0x10ffff ? 4 : 0;
  }
  return 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

SentencePieceModel::SentencePieceModel(const std::string& path) : path_(path) {
  // umT5's model is 4.5 MB; the bound keeps a wrong path (a device, a huge file) from being read whole.
  const std::string model = read_regular_file(path, 1ull << 30, "SentencePiece model");

  std::string charsmap;
  int model_type = 1;  // UNIGRAM
  try {
    // ModelProto: 1 pieces, 2 trainer_spec, 3 normalizer_spec.
    for_each_field(model, [&](WireReader& r, int field, int wire) {
      if (wire != 2 || field < 1 || field > 3) return false;
      const std::string sub = r.bytes();
      if (field == 1) {  // SentencePiece: 1 piece, 2 score, 3 type
        Piece piece;
        for_each_field(sub, [&](WireReader& p, int f, int w) {
          if (f == 1 && w == 2) piece.text = p.bytes();
          else if (f == 2 && w == 5) { const uint32_t bits = p.fixed32(); std::memcpy(&piece.score, &bits, 4); }
          else if (f == 3 && w == 0) piece.type = static_cast<int>(p.varint());
          else return false;
          return true;
        });
        pieces_.push_back(std::move(piece));
      } else if (field == 2) {  // TrainerSpec: 3 model_type, 24 treat_whitespace_as_suffix, 35 byte_fallback
        for_each_field(sub, [&](WireReader& t, int f, int w) {
          if (w != 0 || (f != 3 && f != 24 && f != 35)) return false;
          const uint64_t v = t.varint();
          if (f == 3) model_type = static_cast<int>(v);
          if (f == 24) treat_whitespace_as_suffix_ = v != 0;
          if (f == 35) byte_fallback_ = v != 0;
          return true;
        });
      } else {  // NormalizerSpec: 2 precompiled_charsmap, 3 add_dummy_prefix, 4 remove_extra_ws, 5 escape_ws
        for_each_field(sub, [&](WireReader& n, int f, int w) {
          if (f == 2 && w == 2) charsmap = n.bytes();
          else if (f == 3 && w == 0) add_dummy_prefix_ = n.varint() != 0;
          else if (f == 4 && w == 0) remove_extra_whitespaces_ = n.varint() != 0;
          else if (f == 5 && w == 0) escape_whitespaces_ = n.varint() != 0;
          else return false;
          return true;
        });
      }
      return true;
    });
  } catch (const std::runtime_error& e) {
    throw Error(path, std::string("not a SentencePiece model: ") + e.what());
  }
  if (pieces_.empty()) throw Error(path, "not a SentencePiece model: no pieces");
  if (model_type != 1) throw Error(path, "SentencePiece model type " + std::to_string(model_type) + " is not unigram");

  // Scores of normal pieces bound the unknown and user-defined scores (unigram_model.cc).
  min_score_ = FLT_MAX;
  max_score_ = FLT_MIN;
  for (int id = 0; id < size(); ++id) {
    const Piece& p = pieces_[id];
    if (p.type == kNormal || p.type == kUserDefined || p.type == kUnused) {
      matchable_.emplace(p.text, id);
      max_piece_bytes_ = std::max(max_piece_bytes_, p.text.size());
    }
    if (p.type == kNormal) {
      min_score_ = std::min(min_score_, p.score);
      max_score_ = std::max(max_score_, p.score);
    }
    if (p.type == kUserDefined) user_defined_.push_back(p.text);
    if (p.type == kUnknown) unk_id_ = id;
    if (p.type == kControl && p.text == "</s>") eos_id_ = id;
    if (p.type == kControl && p.text == "<pad>") pad_id_ = id;
  }
  if (unk_id_ < 0) throw Error(path, "SentencePiece model has no unknown piece");
  // Byte pieces "<0x00>".."<0xFF>" for byte fallback (the unknown id where one is missing).
  byte_ids_.assign(256, unk_id_);
  for (int id = 0; id < size(); ++id) {
    unsigned byte = 0;
    char tail = 0;
    if (pieces_[id].type == kByte && std::sscanf(pieces_[id].text.c_str(), "<0x%2X%c", &byte, &tail) == 2 && tail == '>' && byte < 256)
      byte_ids_[byte] = id;
  }

  // Precompiled charsmap: <uint32 trie bytes><darts-clone units><'\0'-separated replacements>.
  if (!charsmap.empty()) {
    uint32_t trie_bytes = 0;
    if (charsmap.size() <= 4) throw Error(path, "normalization rule blob is broken");
    std::memcpy(&trie_bytes, charsmap.data(), 4);
    if (trie_bytes > charsmap.size() - 4 || trie_bytes % 4 != 0) throw Error(path, "normalization trie exceeds its blob");
    trie_.resize(trie_bytes / 4);
    std::memcpy(trie_.data(), charsmap.data() + 4, trie_bytes);
    normalized_pool_ = charsmap.substr(4 + trie_bytes);
  }
}

std::pair<std::string, size_t> SentencePieceModel::normalize_prefix(const std::string& input, size_t pos) const {
  // User-defined pieces pass through unchanged (the longest one that starts here).
  size_t user_length = 0;
  for (const auto& piece : user_defined_)
    if (piece.size() > user_length && input.compare(pos, piece.size(), piece) == 0) user_length = piece.size();
  if (user_length) return {input.substr(pos, user_length), user_length};

  // Longest rule of the charsmap trie (darts-clone commonPrefixSearch).
  size_t longest_length = 0;
  uint32_t longest_value = 0;
  if (!trie_.empty()) {
    const auto offset = [](uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); };
    const auto label = [](uint32_t unit) { return unit & ((1u << 31) | 0xffu); };
    size_t id = offset(trie_[0]);
    for (size_t i = pos; i < input.size(); ++i) {
      const auto byte = static_cast<unsigned char>(input[i]);
      id ^= byte;
      if (id >= trie_.size()) break;
      const uint32_t unit = trie_[id];
      if (label(unit) != byte) break;
      id ^= offset(unit);
      if (id >= trie_.size()) break;
      if ((unit >> 8) & 1) {  // has a leaf: a rule ends here
        longest_length = i + 1 - pos;
        longest_value = trie_[id] & ((1u << 31) - 1);
      }
    }
  }
  if (longest_length > 0 && longest_value < normalized_pool_.size())
    return {std::string(normalized_pool_.c_str() + longest_value), longest_length};

  // No rule: the character as is, or U+FFFD for one malformed byte.
  if (const size_t n = valid_utf8_length(input, pos)) return {input.substr(pos, n), n};
  return {"\xEF\xBF\xBD", 1};
}

std::string SentencePieceModel::normalize(const std::string& text) const {
  std::string out;
  size_t pos = 0;
  // Leading whitespace goes.
  if (remove_extra_whitespaces_) {
    while (pos < text.size()) {
      const auto [piece, consumed] = normalize_prefix(text, pos);
      if (piece != " ") break;
      pos += consumed;
    }
  }
  if (pos >= text.size()) return out;
  const std::string space = escape_whitespaces_ ? kSpaceSymbol : " ";
  if (!treat_whitespace_as_suffix_ && add_dummy_prefix_) out += space;

  bool prev_space = remove_extra_whitespaces_;
  while (pos < text.size()) {
    auto [piece, consumed] = normalize_prefix(text, pos);
    // Collapse runs of spaces.
    size_t skip = 0;
    while (prev_space && skip < piece.size() && piece[skip] == ' ') ++skip;
    if (skip < piece.size()) {
      for (size_t k = skip; k < piece.size(); ++k) {
        if (escape_whitespaces_ && piece[k] == ' ') out += kSpaceSymbol;
        else out += piece[k];
      }
      prev_space = piece.back() == ' ';
    }
    pos += consumed;
    if (!remove_extra_whitespaces_) prev_space = false;
  }
  // Trailing whitespace goes.
  if (remove_extra_whitespaces_)
    while (ends_with(out, space)) out.resize(out.size() - space.size());
  if (treat_whitespace_as_suffix_ && add_dummy_prefix_) out += space;
  return out;
}

std::vector<int> SentencePieceModel::encode(const std::string& text) const {
  const std::string normalized = normalize(text);
  const size_t n = normalized.size();
  if (n == 0) return {};

  // Viterbi over UTF-8 byte positions: best path ending at each position (EncodeOptimized).
  struct Node {
    int id = -1;
    float score = 0;
    long start = -1;
  };
  std::vector<Node> best(n + 1);
  const float unk_score = min_score_ - kUnkPenalty;
  for (size_t start = 0; start < n;) {
    const float base = best[start].score;
    const size_t char_len = std::min(one_char_len(static_cast<unsigned char>(normalized[start])), n - start);
    bool has_single = false;
    for (size_t end = start + 1; end <= n && end - start <= max_piece_bytes_; ++end) {
      const auto it = matchable_.find(normalized.substr(start, end - start));
      if (it == matchable_.end() || pieces_[it->second].type == kUnused) continue;
      const int id = it->second;
      const size_t length = end - start;
      // User-defined pieces get a bonus so they always win.
      const float score = pieces_[id].type == kUserDefined ? float(length * max_score_ - 0.1) : pieces_[id].score;
      Node& node = best[end];
      if (node.start == -1 || base + score > node.score) node = {id, base + score, long(start)};
      if (length == char_len) has_single = true;
    }
    if (!has_single) {
      Node& node = best[start + char_len];
      if (node.start == -1 || base + unk_score > node.score) node = {unk_id_, base + unk_score, long(start)};
    }
    start += char_len;
  }
  std::vector<std::pair<size_t, size_t>> spans;  // (start, end) of each piece, back to front
  std::vector<int> path;
  for (long end = long(n); end > 0; end = best[end].start) {
    path.push_back(best[end].id);
    spans.emplace_back(size_t(best[end].start), size_t(end));
  }
  std::reverse(path.begin(), path.end());
  std::reverse(spans.begin(), spans.end());

  // Unknown pieces: UTF-8 bytes with byte fallback, else one merged unknown per run.
  std::vector<int> ids;
  bool prev_unk = false;
  for (size_t i = 0; i < path.size(); ++i) {
    const bool unk = path[i] == unk_id_;
    if (unk && byte_fallback_) {
      for (size_t k = spans[i].first; k < spans[i].second; ++k) {
        ids.push_back(byte_ids_[static_cast<unsigned char>(normalized[k])]);
      }
    } else if (!(unk && prev_unk)) {
      ids.push_back(path[i]);
    }
    prev_unk = unk;
  }
  return ids;
}

}  // namespace xwam::model
