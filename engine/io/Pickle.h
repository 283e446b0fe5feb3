// A restricted unpickler for what torch.save writes: it interprets pickle opcodes (protocols 2–5)
// into a tree of plain values and never imports or calls anything. Known globals are rebuilt
// natively (collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter,
// torch.Size, torch.device, the torch.*Storage types, sets, _codecs.encode for bytes); an unknown
// class becomes an opaque value the caller can skip; a global that can run code (os.system,
// builtins.eval, subprocess.*, ...) aborts with an error naming it. A caller that reads numpy arrays
// (the policy server's requests) passes an allow-list: then only the globals on it may appear and the
// numpy array globals on it are rebuilt natively (Kind::Array); the weight readers pass none, so for
// them numpy stays an unknown class, never rebuilt.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace xwam::io::pickle {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum class Kind { None, Bool, Int, Float, String, Bytes, List, Tuple, Dict, Global, Storage, Tensor, Opaque, Array, DType };
  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string text;                                 // String, Bytes; Global "module.name"; Opaque: its class;
                                                    // Array: its raw bytes (C order); DType: its type code
  std::string dtype;                                // Array, DType: numpy's descr ("<f4", "|u1", ...)
  std::vector<int64_t> shape;                       // Array
  std::vector<ValuePtr> items;                      // List, Tuple
  std::vector<std::pair<ValuePtr, ValuePtr>> dict;  // Dict, in insertion order
  torch::Tensor tensor;                             // Storage (1-D, its dtype), Tensor
  // Set by the unpickler: nesting height (0 for a leaf) and whether the value sits inside a container.
  int height = 0;
  bool nested = false;

  Value() = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  // Frees nested children with a worklist, not recursion: a deep chain cannot overflow the stack.
  ~Value();

  static ValuePtr make(Kind k) {
    auto v = std::make_shared<Value>();
    v->kind = k;
    return v;
  }
};

// Returns a Storage value for a persistent id (torch.save: ('storage', <Global torch.XStorage>, key,
// location, numel)). Throws xwam::Error when the id is malformed or the storage missing.
using PersistentLoad = std::function<ValuePtr(const Value& pid)>;

// True for globals that can execute code (never allowed in a weights file).
bool is_forbidden_global(const std::string& module, const std::string& name);

// Globals a pickle may name, as "module.name" (e.g. "numpy.dtype").
using GlobalAllowList = std::set<std::string>;
// Exactly what a pickled numpy array needs at protocols 2–5, numpy 1 and 2 spellings: array
// reconstruction (multiarray._reconstruct + numpy.ndarray + BUILD, numeric._frombuffer at protocol 5),
// numpy.dtype, and _codecs.encode (bytes under protocol 2). Plain values need no global.
const GlobalAllowList& numpy_array_globals();

// Bytes per element of a numpy type code ("f4", "u1", "b1", ...); 0 for codes we do not rebuild.
int numpy_item_size(const std::string& code);

// Containers nest at most this deep (Python's own recursion limit is 1000; a state dict nests ~5).
constexpr int kMaxNesting = 200;

// Interprets the pickle in [data, data + size). `origin` names the file in errors. Throws xwam::Error
// for a forbidden global, an unsupported opcode, a malformed stream, a tensor outside its storage,
// nesting deeper than kMaxNesting or a self-referential structure (a container changed after it was
// put inside another, which is how DUP/memo + APPEND/SETITEM build cycles): the result is a tree
// (shared leaves allowed) that callers can walk without cycle checks. With `allowed`, a global not on
// the list is refused by name, and a numpy array that is not little-endian, in Fortran order, of
// objects or whose bytes do not match its shape is refused.
ValuePtr unpickle(const char* data, size_t size, const PersistentLoad& persistent_load, const std::string& origin,
                  const GlobalAllowList* allowed = nullptr);

}  // namespace xwam::io::pickle
