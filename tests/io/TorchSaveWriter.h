// Test helper: writes files in PyTorch's torch.save zip layout (pickle protocol 2 with storages by
// persistent id, uncompressed 64-byte-aligned entries, optional zip64 records) so the tests can build
// released-style checkpoints without Python. Mirrors what torch.save emits; not used by the engine.
#pragma once
#include <torch/torch.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace xwam::test {

// A Python value to pickle.
struct Py;
using PyPtr = std::shared_ptr<Py>;
struct Py {
  enum class Kind { None, Bool, Int, Float, Str, Tensor, Dict, OrderedDict, List, Tuple, Object, Call };
  Kind kind = Kind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s, module, name;                  // Str; Object/Call: the global
  std::vector<std::pair<std::string, PyPtr>> dict;
  std::vector<PyPtr> items;                     // List, Tuple; Call: the arguments; Object: [state]
  std::shared_ptr<torch::Tensor> storage;       // Tensor: 1-D contiguous storage (shared by views)
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
};

inline PyPtr py(Py::Kind k) {
  auto p = std::make_shared<Py>();
  p->kind = k;
  return p;
}
inline PyPtr none() { return py(Py::Kind::None); }
inline PyPtr boolean(bool b) { auto p = py(Py::Kind::Bool); p->b = b; return p; }
inline PyPtr integer(int64_t i) { auto p = py(Py::Kind::Int); p->i = i; return p; }
inline PyPtr real(double f) { auto p = py(Py::Kind::Float); p->f = f; return p; }
inline PyPtr str(const std::string& s) { auto p = py(Py::Kind::Str); p->s = s; return p; }
inline PyPtr list(std::vector<PyPtr> items) { auto p = py(Py::Kind::List); p->items = std::move(items); return p; }
inline PyPtr tuple(std::vector<PyPtr> items) { auto p = py(Py::Kind::Tuple); p->items = std::move(items); return p; }
inline PyPtr dict(std::vector<std::pair<std::string, PyPtr>> d, bool ordered = false) {
  auto p = py(ordered ? Py::Kind::OrderedDict : Py::Kind::Dict);
  p->dict = std::move(d);
  return p;
}
// A contiguous tensor with its own storage.
inline PyPtr tensor(const torch::Tensor& t) {
  auto p = py(Py::Kind::Tensor);
  p->storage = std::make_shared<torch::Tensor>(t.contiguous().flatten().clone());
  p->sizes = t.sizes().vec();
  p->strides = t.contiguous().strides().vec();
  return p;
}
// A strided view of another tensor's storage (same storage key in the file).
inline PyPtr view(const PyPtr& base, int64_t offset, std::vector<int64_t> sizes, std::vector<int64_t> strides) {
  auto p = py(Py::Kind::Tensor);
  p->storage = base->storage;
  p->offset = offset;
  p->sizes = std::move(sizes);
  p->strides = std::move(strides);
  return p;
}
inline torch::Tensor expected(const PyPtr& t) { return t->storage->as_strided(t->sizes, t->strides, t->offset); }
// An instance of class module.name built with NEWOBJ and BUILD(state).
inline PyPtr object(const std::string& module, const std::string& name, PyPtr state) {
  auto p = py(Py::Kind::Object);
  p->module = module;
  p->name = name;
  p->items = {std::move(state)};
  return p;
}
// module.name(*args) through REDUCE (what a malicious pickle does with os.system).
inline PyPtr call(const std::string& module, const std::string& name, std::vector<PyPtr> args) {
  auto p = py(Py::Kind::Call);
  p->module = module;
  p->name = name;
  p->items = std::move(args);
  return p;
}

class Pickler {
 public:
  std::string out;
  std::vector<std::pair<std::string, torch::Tensor>> storages;  // key → 1-D storage, in key order

  void dump(const PyPtr& root) {
    out += "\x80\x02";
    write(root);
    out += '.';
  }

 private:
  std::map<std::string, uint32_t> globals_;     // memoized GLOBALs, re-read with BINGET
  std::map<const torch::Tensor*, std::string> keys_;
  uint32_t next_memo_ = 0;

  void u32(uint32_t v) { for (int k = 0; k < 4; ++k) out += static_cast<char>((v >> (8 * k)) & 0xff); }
  void put() {
    if (next_memo_ < 256) {
      out += 'q';
      out += static_cast<char>(next_memo_);
    } else {
      out += 'r';
      u32(next_memo_);
    }
    ++next_memo_;
  }
  void global(const std::string& module, const std::string& name) {
    const std::string id = module + "\n" + name + "\n";
    if (auto it = globals_.find(id); it != globals_.end()) {
      out += 'h';
      out += static_cast<char>(it->second);  // tests stay below 256 memo entries
      return;
    }
    out += 'c' + id;
    globals_[id] = next_memo_;
    put();
  }
  void int_value(int64_t v) {
    if (v >= 0 && v < 256) {
      out += 'K';
      out += static_cast<char>(v);
    } else if (v >= 0 && v < 65536) {
      out += 'M';
      out += static_cast<char>(v & 0xff);
      out += static_cast<char>(v >> 8);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      out += 'J';
      u32(static_cast<uint32_t>(static_cast<int32_t>(v)));
    } else {
      out += '\x8a';
      out += '\x08';
      for (int k = 0; k < 8; ++k) out += static_cast<char>((static_cast<uint64_t>(v) >> (8 * k)) & 0xff);
    }
  }
  void string_value(const std::string& s) {
    out += 'X';
    u32(static_cast<uint32_t>(s.size()));
    out += s;
    put();
  }
  void tuple_of(const std::vector<PyPtr>& items) {
    if (items.empty()) {
      out += ')';
      return;
    }
    if (items.size() > 3) out += '(';
    for (const auto& i : items) write(i);
    out += items.size() == 1 ? "\x85" : items.size() == 2 ? "\x86" : items.size() == 3 ? "\x87" : "t";
    put();
  }
  static const char* storage_type(torch::ScalarType t) {
    switch (t) {
      case torch::kFloat32: return "FloatStorage";
      case torch::kFloat16: return "HalfStorage";
      case torch::kBFloat16: return "BFloat16Storage";
      case torch::kFloat64: return "DoubleStorage";
      case torch::kInt64: return "LongStorage";
      case torch::kInt32: return "IntStorage";
      case torch::kInt16: return "ShortStorage";
      case torch::kInt8: return "CharStorage";
      case torch::kUInt8: return "ByteStorage";
      case torch::kBool: return "BoolStorage";
      default: throw std::runtime_error("no storage type");
    }
  }
  void write(const PyPtr& v) {
    switch (v->kind) {
      case Py::Kind::None: out += 'N'; break;
      case Py::Kind::Bool: out += v->b ? '\x88' : '\x89'; break;
      case Py::Kind::Int: int_value(v->i); break;
      case Py::Kind::Float: {
        out += 'G';
        uint64_t bits;
        std::memcpy(&bits, &v->f, 8);
        for (int k = 7; k >= 0; --k) out += static_cast<char>((bits >> (8 * k)) & 0xff);
        break;
      }
      case Py::Kind::Str: string_value(v->s); break;
      case Py::Kind::List:
        out += ']';
        put();
        if (!v->items.empty()) {
          out += '(';
          for (const auto& i : v->items) write(i);
          out += 'e';
        }
        break;
      case Py::Kind::Tuple: tuple_of(v->items); break;
      case Py::Kind::Dict:
      case Py::Kind::OrderedDict:
        if (v->kind == Py::Kind::OrderedDict) {
          global("collections", "OrderedDict");
          out += ")R";
        } else {
          out += '}';
        }
        put();
        if (!v->dict.empty()) {
          out += '(';
          for (const auto& [k, item] : v->dict) {
            string_value(k);
            write(item);
          }
          out += 'u';
        }
        break;
      case Py::Kind::Object:
        global(v->module, v->name);
        out += ")\x81";
        put();
        write(v->items.at(0));
        out += 'b';
        break;
      case Py::Kind::Call:
        global(v->module, v->name);
        tuple_of(v->items);
        out += 'R';
        put();
        break;
      case Py::Kind::Tensor: {
        global("torch._utils", "_rebuild_tensor_v2");
        out += '(';
        std::string key;
        if (auto it = keys_.find(v->storage.get()); it != keys_.end()) {
          key = it->second;
        } else {
          key = std::to_string(storages.size());
          keys_[v->storage.get()] = key;
          storages.emplace_back(key, *v->storage);
        }
        out += '(';  // persistent id ('storage', torch.XStorage, key, 'cpu', numel)
        string_value("storage");
        global("torch", storage_type(v->storage->scalar_type()));
        string_value(key);
        string_value("cpu");
        int_value(v->storage->numel());
        out += "tQ";
        int_value(v->offset);
        std::vector<PyPtr> sizes, strides;
        for (auto s : v->sizes) sizes.push_back(integer(s));
        for (auto s : v->strides) strides.push_back(integer(s));
        tuple_of(sizes);
        tuple_of(strides);
        out += '\x89';  // requires_grad False
        global("collections", "OrderedDict");
        out += ")R";
        put();
        out += "tR";
        put();
        break;
      }
    }
  }
};

struct ZipOptions {
  bool zip64 = false;    // write zip64 records even for a small file
  bool deflate = false;  // compress every entry (torch.save stores them; other zip tools may not)
};

inline std::string raw_deflate(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Stored entries, data aligned to 64 bytes through padding in the local extra field (as PyTorch does).
inline void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& files,
                      ZipOptions options = {}) {
  std::string zip, central;
  auto le = [](std::string& s, uint64_t v, int n) {
    for (int k = 0; k < n; ++k) s += static_cast<char>((v >> (8 * k)) & 0xff);
  };
  for (const auto& [name, raw] : files) {
    const std::string data = options.deflate ? raw_deflate(raw) : raw;
    const uint64_t method = options.deflate ? 8 : 0;
    const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(raw.data()), static_cast<uInt>(raw.size())));
    const uint64_t local = zip.size();
    size_t pad = (64 - (local + 30 + name.size() + 4) % 64) % 64;
    le(zip, 0x04034b50, 4); le(zip, 20, 2); le(zip, 0, 2); le(zip, method, 2); le(zip, 0, 2); le(zip, 0, 2);
    le(zip, crc, 4); le(zip, data.size(), 4); le(zip, raw.size(), 4);
    le(zip, name.size(), 2); le(zip, 4 + pad, 2);
    zip += name;
    le(zip, 0x4246, 2); le(zip, pad, 2);  // "FB" padding field
    zip.append(pad, 'Z');
    zip += data;
    std::string extra;
    if (options.zip64) {
      le(extra, 0x0001, 2); le(extra, 24, 2);
      le(extra, raw.size(), 8); le(extra, data.size(), 8); le(extra, local, 8);
    }
    const uint64_t sat = 0xFFFFFFFFu;
    le(central, 0x02014b50, 4); le(central, 45, 2); le(central, 45, 2); le(central, 0, 2); le(central, method, 2);
    le(central, 0, 2); le(central, 0, 2); le(central, crc, 4);
    le(central, options.zip64 ? sat : data.size(), 4); le(central, options.zip64 ? sat : raw.size(), 4);
    le(central, name.size(), 2); le(central, extra.size(), 2); le(central, 0, 2); le(central, 0, 2);
    le(central, 0, 2); le(central, 0, 4); le(central, options.zip64 ? sat : local, 4);
    central += name + extra;
  }
  const uint64_t dir_offset = zip.size();
  zip += central;
  if (options.zip64) {
    const uint64_t rec = zip.size();
    le(zip, 0x06064b50, 4); le(zip, 44, 8); le(zip, 45, 2); le(zip, 45, 2); le(zip, 0, 4); le(zip, 0, 4);
    le(zip, files.size(), 8); le(zip, files.size(), 8); le(zip, central.size(), 8); le(zip, dir_offset, 8);
    le(zip, 0x07064b50, 4); le(zip, 0, 4); le(zip, rec, 8); le(zip, 1, 4);
  }
  le(zip, 0x06054b50, 4); le(zip, 0, 2); le(zip, 0, 2);
  le(zip, options.zip64 ? 0xFFFF : files.size(), 2); le(zip, options.zip64 ? 0xFFFF : files.size(), 2);
  le(zip, options.zip64 ? 0xFFFFFFFFu : central.size(), 4); le(zip, options.zip64 ? 0xFFFFFFFFu : dir_offset, 4);
  le(zip, 0, 2);
  std::ofstream(path, std::ios::binary).write(zip.data(), static_cast<std::streamsize>(zip.size()));
}

// torch.save(root, path): archive/data.pkl, archive/data/<key>, archive/version, archive/byteorder.
inline void torch_save(const std::string& path, const PyPtr& root, const std::string& archive = "archive",
                       ZipOptions options = {}) {
  Pickler p;
  p.dump(root);
  std::vector<std::pair<std::string, std::string>> files = {{archive + "/data.pkl", p.out},
                                                            {archive + "/byteorder", "little"}};
  for (const auto& [key, t] : p.storages)
    files.emplace_back(archive + "/data/" + key,
                       std::string(static_cast<const char*>(t.data_ptr()), static_cast<size_t>(t.nbytes())));
  files.emplace_back(archive + "/version", "3\n");
  write_zip(path, files, options);
}

// A plain state dict {name: tensor} as torch.save(model.state_dict()) writes it (an OrderedDict).
inline void torch_save_state_dict(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                                  ZipOptions options = {}) {
  std::vector<std::pair<std::string, PyPtr>> d;
  for (const auto& [name, t] : tensors) d.emplace_back(name, tensor(t));
  torch_save(path, dict(std::move(d), true), "archive", options);
}

}  // namespace xwam::test
