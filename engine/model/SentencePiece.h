// SentencePiece unigram tokenizer (the umT5 `spiece.model`): reads the model file and encodes text
// the way libsentencepiece does (precompiled normalisation, whitespace escaping, Viterbi, byte
// fallback). Self-contained because Debian's libsentencepiece bundles protobuf 3.14 with exported
// symbols that clash with LibTorch's libprotobuf 3.21: loading both in one process crashes.
//
//   SentencePieceModel spm("google/umt5-xxl/spiece.model");
//   std::vector<int> ids = spm.encode("pick up the red cube");   // no end token
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace xwam::model {

class SentencePieceModel {
 public:
  // Throws xwam::Error naming `path` when it cannot be read, is not a SentencePiece model, or its
  // model type is not unigram.
  explicit SentencePieceModel(const std::string& path);

  // Piece ids of `text` (UTF-8), as SentencePieceProcessor::Encode returns them.
  std::vector<int> encode(const std::string& text) const;
  // The text after the model's normalisation ("▁" for spaces, dummy prefix), as libsentencepiece.
  std::string normalize(const std::string& text) const;

  int size() const { return static_cast<int>(pieces_.size()); }
  int eos_id() const { return eos_id_; }  // "</s>"; −1 when the model has none
  int pad_id() const { return pad_id_; }  // "<pad>"; −1 when the model has none
  int unk_id() const { return unk_id_; }

 private:
  enum Type { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };
  struct Piece {
    std::string text;
    float score = 0;
    int type = kNormal;
  };
  // One normalised prefix of `input`: the replacement text and the bytes it consumes.
  std::pair<std::string, size_t> normalize_prefix(const std::string& input, size_t pos) const;

  std::string path_;
  std::vector<Piece> pieces_;
  std::unordered_map<std::string, int> matchable_;  // normal, user-defined and unused pieces → id
  std::vector<std::string> user_defined_;
  std::vector<int> byte_ids_;  // byte → "<0xXX>" piece id
  size_t max_piece_bytes_ = 0;
  float min_score_ = 0, max_score_ = 0;
  int unk_id_ = -1, eos_id_ = -1, pad_id_ = -1;
  bool byte_fallback_ = false, treat_whitespace_as_suffix_ = false;
  bool add_dummy_prefix_ = true, remove_extra_whitespaces_ = true, escape_whitespaces_ = true;
  std::vector<uint32_t> trie_;  // precompiled charsmap: darts-clone double array
  std::string normalized_pool_;  // '\0'-separated replacement strings the trie points into
};

}  // namespace xwam::model
