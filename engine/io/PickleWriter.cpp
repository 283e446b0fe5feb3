#include "engine/io/PickleWriter.h"

#include <cstring>
#include <map>

#include "engine/core/Error.h"

namespace xwam::io::pickle {
namespace {

// Emits opcodes and numbers memo entries the way Python's Pickler does: every saved string, tuple,
// global and reduce result gets the next BINPUT; objects Python shares (numpy's constants, the
// float64 dtype, the 'latin1' literal) are fetched again with BINGET.
class Writer {
 public:
  std::string out = std::string("\x80\x02", 2);  // PROTO 2

  void put() {
    const uint32_t n = next_++;
    if (n < 256) {
      out += 'q';
      out += static_cast<char>(n);
    } else {
      out += 'r';
      le32(n);
    }
  }
  uint32_t memo_index() const { return next_ - 1; }
  void get(uint32_t n) {
    if (n < 256) {
      out += 'h';
      out += static_cast<char>(n);
    } else {
      out += 'j';
      le32(n);
    }
  }
  void le32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void integer(int64_t v) {
    if (v >= 0 && v < 256) {
      out += 'K';
      out += static_cast<char>(v);
    } else if (v >= 0 && v < 65536) {
      out += 'M';
      out += static_cast<char>(v & 0xff);
      out += static_cast<char>(v >> 8);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      out += 'J';
      le32(static_cast<uint32_t>(static_cast<int32_t>(v)));
    } else {  // LONG1, little-endian two's complement
      out += '\x8a';
      out += '\x08';
      for (int i = 0; i < 8; ++i) out += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
    }
  }
  // BINUNICODE of UTF-8 text, memoized. CPython keeps one object per single Latin-1 character and
  // for the empty string, so those are memo hits when they come again.
  void unicode(const std::string& utf8) {
    const auto lead = utf8.empty() ? 0 : static_cast<unsigned char>(utf8[0]);
    const bool singleton = utf8.size() <= 1 || (utf8.size() == 2 && (lead == 0xc2 || lead == 0xc3));
    if (singleton) {
      auto it = shared_.find("str " + utf8);
      if (it != shared_.end()) return get(it->second);
    }
    out += 'X';
    le32(static_cast<uint32_t>(utf8.size()));
    out += utf8;
    put();
    if (singleton) shared_["str " + utf8] = memo_index();
  }
  // A global saved once and fetched by memo afterwards.
  void global(const std::string& module, const std::string& name) {
    const std::string key = module + "." + name;
    auto it = shared_.find(key);
    if (it != shared_.end()) return get(it->second);
    out += 'c' + module + '\n' + name + '\n';
    put();
    shared_[key] = memo_index();
  }
  // A memo entry Python would share between arrays, made by `make` the first time (which returns the
  // entry to fetch later).
  template <typename Make>
  void shared(const std::string& key, const Make& make) {
    auto it = shared_.find(key);
    if (it != shared_.end()) return get(it->second);
    shared_[key] = make();
  }
  // bytes under protocol 2: _codecs.encode(<the bytes as latin-1 text>, 'latin1')
  void bytes(const char* data, size_t n) {
    global("_codecs", "encode");
    std::string utf8;
    utf8.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(data[i]);
      if (c < 0x80) {
        utf8 += static_cast<char>(c);
      } else {
        utf8 += static_cast<char>(0xc0 | (c >> 6));
        utf8 += static_cast<char>(0x80 | (c & 0x3f));
      }
    }
    unicode(utf8);
    shared("latin1", [&] {
      unicode("latin1");
      return memo_index();
    });
    out += '\x86';  // TUPLE2
    put();
    out += 'R';
    put();
  }
  void tuple_of_ints(const std::vector<int64_t>& v) {
    if (v.empty()) {
      out += ')';  // the empty tuple is a singleton Python does not memoize
      return;
    }
    if (v.size() > 3) out += '(';
    for (int64_t x : v) integer(x);
    out += v.size() == 1 ? "\x85" : v.size() == 2 ? "\x86" : v.size() == 3 ? "\x87" : "t";
    put();
  }
  // numpy's ndarray.__reduce__: _reconstruct(ndarray, (0,), b'b') then BUILD with
  // (1, shape, dtype, False, raw bytes); numpy shares one dtype object per type.
  void array(const PickleArray& a) {
    global("numpy.core.multiarray", "_reconstruct");
    global("numpy", "ndarray");
    tuple_of_ints({0});
    shared("b'b'", [&] {
      bytes("b", 1);
      return memo_index();
    });
    out += '\x87';  // TUPLE3
    put();
    out += 'R';
    put();
    out += '(';
    integer(1);
    tuple_of_ints(a.shape);
    shared("dtype " + a.code, [&] {
      global("numpy", "dtype");
      unicode(a.code);
      out += "\x89\x88\x87";  // False, True, TUPLE3
      put();
      out += 'R';
      put();
      const uint32_t dtype = memo_index();
      out += "(K\x03";
      unicode(a.code == "u1" ? "|" : "<");
      out += "NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK";
      out += '\0';
      out += 't';
      put();
      out += 'b';  // BUILD
      return dtype;
    });
    out += '\x89';  // not Fortran order
    bytes(a.raw.data(), a.raw.size());
    out += 't';
    put();
    out += 'b';  // BUILD
  }
  void real(double v) {  // BINFLOAT, big-endian
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    out += 'G';
    for (int i = 7; i >= 0; --i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  void strings(const PickleStrings& list) {
    out += ']';
    put();
    if (list.size() > 1) out += '(';
    for (const auto& s : list) unicode(s);
    if (list.size() > 1) out += 'e';  // APPENDS
    if (list.size() == 1) out += 'a';  // APPEND
  }

 private:
  uint32_t next_ = 0;
  std::map<std::string, uint32_t> shared_;
};

}  // namespace

PickleArray PickleArray::f8(std::vector<int64_t> shape, const std::vector<double>& values) {
  return {std::move(shape), "f8", std::string(reinterpret_cast<const char*>(values.data()), values.size() * 8)};
}
PickleArray PickleArray::f4(std::vector<int64_t> shape, const std::vector<float>& values) {
  return {std::move(shape), "f4", std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4)};
}
PickleArray PickleArray::u1(std::vector<int64_t> shape, const std::vector<uint8_t>& values) {
  return {std::move(shape), "u1", std::string(reinterpret_cast<const char*>(values.data()), values.size())};
}

std::string pickle_dict(const std::vector<std::pair<std::string, PickleItem>>& items) {
  Writer w;
  w.out += '}';
  w.put();
  if (items.size() > 1) w.out += '(';
  for (const auto& [key, value] : items) {
    w.unicode(key);
    if (const auto* text = std::get_if<std::string>(&value)) {
      w.unicode(*text);
    } else if (const auto* a = std::get_if<PickleArray>(&value)) {
      const int64_t item = a->code == "f8" ? 8 : a->code == "f4" ? 4 : a->code == "u1" ? 1 : 0;
      int64_t count = 1;
      for (int64_t d : a->shape) count *= d;
      if (item == 0 || count * item != static_cast<int64_t>(a->raw.size()))
        throw Error("pickle", "array '" + key + "'", "holds " + std::to_string(a->raw.size()) + " bytes of type '" + a->code +
                                                        "' for its shape");
      w.array(*a);
    } else if (const auto* i = std::get_if<int64_t>(&value)) {
      w.integer(*i);
    } else if (const auto* d = std::get_if<double>(&value)) {
      w.real(*d);
    } else {
      w.strings(std::get<PickleStrings>(value));
    }
  }
  if (items.size() > 1) w.out += 'u';  // SETITEMS
  if (items.size() == 1) w.out += 's';  // SETITEM
  w.out += '.';
  return w.out;
}

}  // namespace xwam::io::pickle
