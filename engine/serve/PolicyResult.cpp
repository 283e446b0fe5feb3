#include "engine/serve/PolicyResult.h"

#include "engine/io/PickleWriter.h"

namespace xwam::serve {

std::string encode_result(const PolicyResult& r) {
  using io::pickle::PickleArray;
  return io::pickle::pickle_dict({{"proprios", PickleArray::f8({r.frames, 16}, r.proprios)},
                                  {"actions", PickleArray::f8({r.actions, r.action_dim}, r.chunk)}});
}

namespace {
// The text with every byte that is not part of valid UTF-8 replaced by '?' (an error may quote the
// request, and Python's pickle.loads refuses a string that is not UTF-8).
std::string valid_utf8(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (ok && n == 2) ok = c >= 0xc2;  // no overlong forms
    if (ok && n == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);  // no overlong forms, no surrogates
    }
    if (ok && n == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = c <= 0xf4 && !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s, i, n);
      i += n;
    } else {
      out += '?';
      ++i;
    }
  }
  return out;
}
}  // namespace

std::string encode_error(const std::string& message) { return io::pickle::pickle_dict({{"error", valid_utf8(message)}}); }

}  // namespace xwam::serve
