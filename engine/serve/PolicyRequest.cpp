#include "engine/serve/PolicyRequest.h"

#include <cmath>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/io/Pickle.h"
#include "engine/serve/PolicySeed.h"

namespace xwam::serve {
namespace {

using io::pickle::Value;
using Kind = Value::Kind;
const std::string kOrigin = "request";

[[noreturn]] void refuse(const std::string& key, const std::string& what) {
  throw Error(kOrigin, "key '" + key + "'", what);
}

const Value* find(const Value& dict, const std::string& key) {
  for (const auto& [k, v] : dict.dict)
    if (k->kind == Kind::String && k->text == key) return v.get();
  return nullptr;
}

const Value& require(const Value& dict, const std::string& key) {
  const Value* v = find(dict, key);
  if (!v) throw Error(kOrigin, "has no key '" + key + "'");
  return *v;
}

int64_t integer(const Value& dict, const std::string& key) {
  const Value& v = require(dict, key);
  if (v.kind == Kind::Int) return v.integer;
  if (v.kind == Kind::Bool) return v.boolean;
  refuse(key, "expected an int");
}

// The array's values as doubles (float32/float64 little-endian; uint8 when `bytes_ok`).
std::vector<double> numbers(const Value& v, const std::string& key, bool bytes_ok) {
  if (v.kind != Kind::Array) refuse(key, "expected a numpy array");
  size_t count = 1;
  for (int64_t d : v.shape) count *= static_cast<size_t>(d);
  std::vector<double> out(count);
  const char* raw = v.text.data();
  if (v.dtype == "<f4") {
    for (size_t i = 0; i < count; ++i) {
      float f;
      std::memcpy(&f, raw + 4 * i, 4);
      out[i] = f;
    }
  } else if (v.dtype == "<f8") {
    std::memcpy(out.data(), raw, 8 * count);
  } else if (v.dtype == "|u1" && bytes_ok) {
    for (size_t i = 0; i < count; ++i) out[i] = static_cast<unsigned char>(raw[i]);
  } else {
    refuse(key, "numpy array of type " + (v.dtype.empty() ? std::string("?") : v.dtype) + " (expected " +
                    (bytes_ok ? "uint8, float32 or float64)" : "float32 or float64)"));
  }
  for (size_t i = 0; i < count; ++i)
    if (!std::isfinite(out[i])) refuse(key, "value " + std::to_string(i) + " is not a finite number");
  return out;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

}  // namespace

uint32_t PolicyRequest::seed() const { return policy_seed(env_rank, rollout_id, step_id); }

PolicyRequest decode_request(const std::string& bytes, const RequestLimits& limits) {
  if (bytes.size() > limits.max_bytes)
    throw Error(kOrigin, "is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
                             std::to_string(limits.max_bytes) + " (--max-request-mb)");
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) != 0x80)
    throw Error(kOrigin, "is not a pickle (protocol 2 or later)");
  const auto root = io::pickle::unpickle(
      bytes.data(), bytes.size(),
      [](const Value&) -> io::pickle::ValuePtr { throw Error(kOrigin, "holds a persistent id (not a request)"); },
      kOrigin, &io::pickle::numpy_array_globals());
  if (root->kind != Kind::Dict) throw Error(kOrigin, "is not a dict");

  PolicyRequest r;
  r.env_rank = integer(*root, "env_rank");
  r.rollout_id = integer(*root, "rollout_id");
  r.step_id = integer(*root, "step_id");

  // video: views × H × W × 3
  const Value& video = require(*root, "video");
  if (video.kind != Kind::Array) refuse("video", "expected a numpy array (views × H × W × 3)");
  const auto& s = video.shape;
  if (s.size() != 4 || s[3] != 3 || s[0] < 1 || s[1] < 1 || s[2] < 1)
    refuse("video", "shape " + shape_text(s) + " is not views × H × W × 3");
  if (s[0] > limits.max_views) refuse("video", std::to_string(s[0]) + " views, over the limit of " + std::to_string(limits.max_views));
  if (s[1] > limits.max_side || s[2] > limits.max_side)
    refuse("video", "images of " + std::to_string(s[2]) + " × " + std::to_string(s[1]) + " pixels, over the limit of " +
                        std::to_string(limits.max_side) + " per side");
  r.views = static_cast<int>(s[0]);
  r.height = static_cast<int>(s[1]);
  r.width = static_cast<int>(s[2]);
  const bool eight_bit = video.dtype == "|u1";
  const std::vector<double> pixels = numbers(video, "video", true);
  r.video.resize(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) r.video[i] = eight_bit ? static_cast<float>(pixels[i] / 127.5 - 1.0) : static_cast<float>(pixels[i]);

  // proprios: 16 values (the released clients send a flat array)
  const Value& proprios = require(*root, "proprios");
  const std::vector<double> state = numbers(proprios, "proprios", false);
  if (state.size() != r.proprios.size())
    refuse("proprios", "shape " + shape_text(proprios.shape) + " holds " + std::to_string(state.size()) + " values, expected 16");
  std::copy(state.begin(), state.end(), r.proprios.begin());

  // prompt: a list of one instruction (a plain string is taken too)
  const Value& prompt = require(*root, "prompt");
  const Value* text = &prompt;
  if (prompt.kind == Kind::List || prompt.kind == Kind::Tuple) {
    if (prompt.items.size() != 1) refuse("prompt", "expected a list of one instruction, got " + std::to_string(prompt.items.size()));
    text = prompt.items[0].get();
  }
  if (text->kind != Kind::String) refuse("prompt", "expected a list of one string");
  r.prompt = text->text;

  if (const Value* cfg = find(*root, "cfg")) {
    if (cfg->kind == Kind::Float) r.cfg = cfg->real;
    else if (cfg->kind == Kind::Int) r.cfg = static_cast<double>(cfg->integer);
    else if (cfg->kind != Kind::None) refuse("cfg", "expected a number");
    if (!std::isfinite(r.cfg)) refuse("cfg", "is not a finite number");
  }
  return r;
}

}  // namespace xwam::serve
