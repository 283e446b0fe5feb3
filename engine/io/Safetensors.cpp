#include "engine/io/Safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "engine/core/AtomicFile.h"
#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"
#include "engine/io/FiniteWeights.h"
#include "engine/io/MappedFile.h"

namespace xwam::io {
namespace {

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  size_t bytes;
};
const DtypeInfo kDtypes[] = {{"F64", torch::kFloat64, 8}, {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2},
                             {"BF16", torch::kBFloat16, 2}, {"I64", torch::kInt64, 8},  {"I32", torch::kInt32, 4},
                             {"I16", torch::kInt16, 2},     {"I8", torch::kInt8, 1},     {"U8", torch::kUInt8, 1},
                             {"BOOL", torch::kBool, 1}};

const DtypeInfo* dtype_by_name(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

const DtypeInfo& dtype_of(torch::ScalarType t, const std::string& tensor) {
  for (const auto& d : kDtypes)
    if (d.type == t) return d;
  throw Error("tensor " + tensor, std::string("dtype ") + c10::toString(t) + " cannot be stored in safetensors");
}

struct Parsed {
  std::shared_ptr<const MappedFile> map;
  uint64_t header_len = 0;
  nlohmann::json header;
};

// A header is {name: {dtype, shape, data_offsets}, "__metadata__": {...}}: three levels of nesting.
// Its size is bounded too (100k tensors take ~10 MB): a parsed JSON tree costs many times its text.
constexpr uint64_t kMaxHeaderBytes = 64u << 20;
constexpr int kMaxHeaderDepth = 4;

Parsed parse(const std::string& path) {
  Parsed p;
  p.map = MappedFile::open(path);
  if (p.map->size() < 8) throw Error(path, "too short to be a safetensors file (truncated?)");
  std::memcpy(&p.header_len, p.map->data(), 8);  // little-endian on every platform we build for
  if (p.header_len > p.map->size() - 8)
    throw Error(path, "header length " + std::to_string(p.header_len) + " exceeds the file (truncated or not safetensors)");
  if (p.header_len > kMaxHeaderBytes)
    throw Error(path, "header length " + std::to_string(p.header_len) + " exceeds the limit of " +
                          std::to_string(kMaxHeaderBytes) + " bytes (not safetensors?)");
  json_fields::check_nesting(p.map->data() + 8, p.header_len, kMaxHeaderDepth, path);
  try {
    p.header = nlohmann::json::parse(p.map->data() + 8, p.map->data() + 8 + p.header_len);
  } catch (const std::exception& e) {
    throw Error(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!p.header.is_object()) throw Error(path, "header is not a JSON object");
  return p;
}

// Element count of a shape, refused when negative or beyond 2^63 (a wrapped product could match
// a tiny byte range and let a tensor view memory outside the file).
uint64_t element_count(const nlohmann::json& shape, std::vector<int64_t>& dims, const std::string& path,
                       const std::string& where) {
  if (!shape.is_array() || shape.size() > 64) throw Error(path, where, "shape is not a list of at most 64 dimensions");
  uint64_t count = 1;
  for (const auto& d : shape) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) throw Error(path, where, "shape holds " + d.dump() + ", not a size");
    dims.push_back(d.get<int64_t>());
    if (__builtin_mul_overflow(count, static_cast<uint64_t>(dims.back()), &count) || count > (uint64_t(1) << 62))
      throw Error(path, where, "shape's element count exceeds 2^62");
  }
  return count;
}

}  // namespace

std::map<std::string, std::pair<std::string, std::vector<int64_t>>> safetensors_header(const std::string& path) {
  Parsed p = parse(path);
  std::map<std::string, std::pair<std::string, std::vector<int64_t>>> out;
  for (const auto& [name, entry] : p.header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = "tensor " + name;
    if (!entry.is_object()) throw Error(path, where, "header entry is not an object");
    const auto dtype = entry.find("dtype");
    std::vector<int64_t> shape;
    if (entry.contains("shape")) element_count(entry.at("shape"), shape, path, where);
    out[name] = {dtype != entry.end() && dtype->is_string() ? dtype->get<std::string>() : "?", shape};
  }
  return out;
}

TensorMap read_safetensors(const std::string& path) {
  Parsed p = parse(path);
  const size_t data_size = p.map->size() - 8 - p.header_len;
  const char* base = p.map->data() + 8 + p.header_len;
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  TensorMap out;
  for (const auto& [name, entry] : p.header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = "tensor " + name;
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
      throw Error(path, where, "header entry lacks dtype, shape or data_offsets");
    const auto& dtype_name = entry.at("dtype");
    const DtypeInfo* dtype = dtype_name.is_string() ? dtype_by_name(dtype_name.get<std::string>()) : nullptr;
    if (!dtype) throw Error(path, where, "unknown dtype " + dtype_name.dump());
    std::vector<int64_t> shape;
    const uint64_t count = element_count(entry.at("shape"), shape, path, where);
    const auto& offsets = entry.at("data_offsets");
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      throw Error(path, where, "data_offsets is not [begin, end]");
    const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    if (end < begin || end > data_size)
      throw Error(path, where, "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                                   ") outside the data section of " + std::to_string(data_size) + " bytes (truncated?)");
    uint64_t need = 0;
    const bool huge = __builtin_mul_overflow(count, dtype->bytes, &need);
    if (huge || end - begin != need)
      throw Error(path, where, "header says " + std::to_string(end - begin) + " bytes but shape and dtype need " +
                                   (huge ? std::string("more than 2^64") : std::to_string(need)));
    spans.emplace_back(begin, end);
    auto keep = p.map;  // the tensor's deleter holds the mapping
    out[name] = torch::from_blob(const_cast<char*>(base + begin), shape, [keep](void*) {},
                                 torch::TensorOptions().dtype(dtype->type));
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i)
    if (spans[i].first < spans[i - 1].second) throw Error(path, "tensors overlap in the data section");
  return out;
}

void write_safetensors(const std::string& path, const TensorMap& tensors, const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    const auto& dtype = dtype_of(t.scalar_type(), name);
    auto c = t.detach().to(torch::kCPU).contiguous();
    const uint64_t bytes = static_cast<uint64_t>(c.numel()) * dtype.bytes;
    header[name] = {{"dtype", dtype.name}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    data.push_back(c);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // data starts 8-byte aligned
  AtomicFile out(path);
  {
    std::ofstream f(out.temp_path(), std::ios::binary);
    const uint64_t len = text.size();
    f.write(reinterpret_cast<const char*>(&len), 8);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : data) f.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
    if (!f) throw Error(path, "cannot write weights (disk full?)");
  }
  out.commit();
}

TensorMap read_sharded_safetensors(const std::string& index_path) {
  const nlohmann::json index = json_fields::parse_file(index_path, "shard index");
  if (!index.is_object() || !index.contains("weight_map") || !index.at("weight_map").is_object())
    throw Error(index_path, "key weight_map", "missing or not an object");
  const auto dir = std::filesystem::path(index_path).parent_path();
  std::map<std::string, TensorMap> shards;
  TensorMap out;
  for (const auto& [name, file] : index.at("weight_map").items()) {
    // Shards lie beside the index: a name may not lead elsewhere.
    if (!file.is_string()) throw Error(index_path, "key weight_map." + name, "expected a shard file name");
    const std::string shard = confined_path(dir.string(), file.get<std::string>(), index_path, "weight_map." + name);
    if (!shards.count(shard)) shards[shard] = read_safetensors(shard);
    auto it = shards[shard].find(name);
    if (it == shards[shard].end()) throw Error(shard, "tensor " + name, "listed in the index but missing from the shard");
    out[name] = it->second;
  }
  return out;
}

TensorMap state_of(const torch::nn::Module& module) {
  TensorMap out;
  for (const auto& p : module.named_parameters()) out[p.key()] = p.value();
  for (const auto& b : module.named_buffers()) out[b.key()] = b.value();
  return out;
}

void load_into(torch::nn::Module& module, const TensorMap& tensors, const std::string& origin, bool allow_unexpected) {
  TensorMap targets = state_of(module);
  std::string missing, unexpected, shapes;
  auto shape_text = [](at::IntArrayRef s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
  };
  for (const auto& [name, target] : targets) {
    auto it = tensors.find(name);
    if (it == tensors.end()) {
      missing += (missing.empty() ? "" : ", ") + name;
    } else if (it->second.sizes() != target.sizes()) {
      shapes += (shapes.empty() ? "" : ", ") + name + " " + shape_text(it->second.sizes()) + " vs " + shape_text(target.sizes());
    }
  }
  for (const auto& [name, t] : tensors)
    if (!targets.count(name)) unexpected += (unexpected.empty() ? "" : ", ") + name;
  std::string problems;
  if (!missing.empty()) problems += "missing: " + missing;
  if (!shapes.empty()) problems += (problems.empty() ? "" : "; ") + std::string("shape: ") + shapes;
  if (!unexpected.empty() && !allow_unexpected) problems += (problems.empty() ? "" : "; ") + std::string("unexpected: ") + unexpected;
  if (!problems.empty()) throw Error(origin, "weights do not fit the model (nothing loaded): " + problems);
  TensorMap used;
  for (const auto& [name, target] : targets) used.emplace(name, tensors.at(name));
  check_finite_weights(used, origin);
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : targets) target.copy_(tensors.at(name).to(target.dtype()));
}

}  // namespace xwam::io
