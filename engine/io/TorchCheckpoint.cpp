#include "engine/io/TorchCheckpoint.h"

#include <fstream>
#include <map>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"
#include "engine/io/Pickle.h"
#include "engine/io/ZipArchive.h"

namespace xwam::io {
namespace {

using pickle::Value;
using pickle::ValuePtr;
using Kind = Value::Kind;

const std::map<std::string, torch::ScalarType> kStorageTypes = {
    {"torch.FloatStorage", torch::kFloat32}, {"torch.HalfStorage", torch::kFloat16},
    {"torch.BFloat16Storage", torch::kBFloat16}, {"torch.DoubleStorage", torch::kFloat64},
    {"torch.LongStorage", torch::kInt64},   {"torch.IntStorage", torch::kInt32},
    {"torch.ShortStorage", torch::kInt16},  {"torch.CharStorage", torch::kInt8},
    {"torch.ByteStorage", torch::kUInt8},   {"torch.BoolStorage", torch::kBool}};

// The archive's directory prefix ("archive/"): torch.save puts every entry under one top folder.
std::string archive_prefix(const ZipArchive& zip) {
  for (const auto& e : zip.entries()) {
    const std::string suffix = "data.pkl";
    if (e.name.size() >= suffix.size() && e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const std::string prefix = e.name.substr(0, e.name.size() - suffix.size());
      if (prefix.empty() || (prefix.back() == '/' && prefix.find('/') == prefix.size() - 1)) return prefix;
    }
  }
  if (zip.find("constants.pkl") || zip.find("code/"))
    throw Error(zip.path(), "a TorchScript archive (torch.jit.save), not a torch.save checkpoint");
  throw Error(zip.path(), "zip archive without data.pkl: not a torch.save checkpoint");
}

std::string key_text(const Value& key) {
  if (key.kind == Kind::String) return key.text;
  if (key.kind == Kind::Int) return std::to_string(key.integer);
  return "";
}

// Entries visited while flattening: shared sub-trees are walked once per reference, so a small pickle
// that nests shared lists could otherwise ask for 2^200 visits.
constexpr uint64_t kMaxEntries = 1'000'000;

// Recursion is bounded by the unpickler's pickle::kMaxNesting (and it refuses cycles).
void flatten(const Value& v, const std::string& name, TensorMap& out, std::vector<std::string>* warnings,
             const std::string& path, uint64_t& visited) {
  if (++visited > kMaxEntries)
    throw Error(path, "data.pkl", "more than " + std::to_string(kMaxEntries) + " entries after flattening (refused)");
  auto join = [&](const std::string& k) { return name.empty() ? k : name + "." + k; };
  switch (v.kind) {
    case Kind::Tensor:
      if (!out.emplace(name, v.tensor).second) throw Error(path, "tensor " + name, "appears twice after flattening");
      break;
    case Kind::Dict:
      for (const auto& [k, item] : v.dict) {
        const std::string key = key_text(*k);
        if (key.empty()) {
          if (warnings) warnings->push_back(path + ": skipped an entry of '" + name + "' with a non-string key");
          continue;
        }
        flatten(*item, join(key), out, warnings, path, visited);
      }
      break;
    case Kind::List:
    case Kind::Tuple:
      for (size_t i = 0; i < v.items.size(); ++i) flatten(*v.items[i], join(std::to_string(i)), out, warnings, path, visited);
      break;
    case Kind::Opaque:
      if (warnings)
        warnings->push_back(path + ": skipped '" + (name.empty() ? "<root>" : name) + "': an instance of " + v.text +
                            " (unknown class, not executed)");
      break;
    default:
      break;  // numbers, strings, None: not weights
  }
}

}  // namespace

bool is_torch_checkpoint(const std::string& path) {
  if (!ZipArchive::looks_like_zip(path)) return false;  // also false for FIFOs and devices
  try {
    ZipArchive zip(path);
    archive_prefix(zip);
    return true;
  } catch (const Error&) {
    return false;
  }
}

TensorMap read_torch_checkpoint(const std::string& path, std::vector<std::string>* warnings, const std::string& root) {
  regular_file_size(path, "checkpoint file");
  if (!ZipArchive::looks_like_zip(path)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot open checkpoint");
    char magic[2] = {};
    in.read(magic, 2);
    if (static_cast<unsigned char>(magic[0]) == 0x80)
      throw Error(path, "legacy torch.save format (PyTorch < 1.6, not a zip): not supported; re-save it with a "
                        "current PyTorch (torch.save(torch.load(f), f))");
    throw Error(path, "not a torch.save checkpoint (no zip signature)");
  }
  ZipArchive zip(path);
  const std::string prefix = archive_prefix(zip);
  if (const ZipEntry* order = zip.find(prefix + "byteorder")) {
    const ZipBytes b = zip.read(*order);
    if (std::string(b.data, b.size) != "little")
      throw Error(path, "byte order '" + std::string(b.data, b.size) + "' is not supported (little-endian only)");
  }

  std::map<std::string, ValuePtr> storages;  // by key: tensors sharing a storage share its view
  auto load = [&](const Value& pid) -> ValuePtr {
    if (pid.kind != Kind::Tuple || pid.items.size() < 5 || pid.items[0]->text != "storage" ||
        pid.items[1]->kind != Kind::Global || pid.items[2]->kind != Kind::String || pid.items[4]->kind != Kind::Int)
      throw Error(path, "data.pkl", "persistent id is not ('storage', type, key, location, numel)");
    const std::string& type = pid.items[1]->text;
    const std::string& key = pid.items[2]->text;
    auto dtype = kStorageTypes.find(type);
    if (dtype == kStorageTypes.end()) {
      auto o = Value::make(Kind::Opaque);
      o->text = "a storage of type " + type;
      return o;
    }
    if (auto it = storages.find(key); it != storages.end()) return it->second;
    const ZipEntry* entry = zip.find(prefix + "data/" + key);
    if (!entry) throw Error(path, "storage " + key, "referenced by data.pkl but missing from the archive");
    const int64_t numel = pid.items[4]->integer;
    const uint64_t element = c10::elementSize(dtype->second);
    // Declared size checked against the entry's size before the entry is read (inflated) at all.
    if (numel < 0 || static_cast<uint64_t>(numel) > entry->size / element)
      throw Error(path, "storage " + key,
                  std::to_string(numel) + " elements of " + type + " do not fit the entry's " +
                      std::to_string(entry->size) + " bytes (truncated?)");
    const ZipBytes bytes = zip.read(*entry);
    if (reinterpret_cast<uintptr_t>(bytes.data) % element != 0)
      throw Error(path, "storage " + key, "data not aligned to its element size");
    auto owner = bytes.owner;  // the tensor's deleter keeps the mapping (or inflated buffer) alive
    auto v = Value::make(Kind::Storage);
    v->tensor = torch::from_blob(const_cast<char*>(bytes.data), {numel}, [owner](void*) {},
                                 torch::TensorOptions().dtype(dtype->second));
    storages[key] = v;
    return v;
  };

  const ZipEntry* pkl = zip.find(prefix + "data.pkl");
  const ZipBytes code = zip.read(*pkl);
  ValuePtr value = pickle::unpickle(code.data, code.size, load, path);

  std::string picked;
  size_t start = 0;
  while (!root.empty() && start <= root.size()) {
    const size_t dot = std::min(root.find('.', start), root.size());
    const std::string key = root.substr(start, dot - start);
    ValuePtr next;
    std::string present;
    if (value->kind == Kind::Dict)
      for (const auto& [k, item] : value->dict) {
        if (key_text(*k) == key) next = item;
        present += (present.empty() ? "" : ", ") + key_text(*k);
      }
    picked += (picked.empty() ? "" : ".") + key;
    if (!next) throw Error(path, "no entry '" + picked + "' (keys there: " + (present.empty() ? "none" : present) + ")");
    value = next;
    start = dot + 1;
  }
  TensorMap out;
  uint64_t visited = 0;
  flatten(*value, "", out, warnings, path, visited);
  return out;
}

}  // namespace xwam::io
