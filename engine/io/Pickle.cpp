#include "engine/io/Pickle.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

#include "engine/core/Error.h"

namespace xwam::io::pickle {
namespace {

using Kind = Value::Kind;

// Modules whose every member can reach the operating system or the interpreter.
const std::set<std::string> kForbiddenModules = {
    "os",      "posix",  "nt",        "subprocess", "sys",      "shutil",          "socket", "importlib",
    "runpy",   "code",   "codeop",    "ctypes",     "pty",      "pickle",          "_pickle", "cPickle",
    "marshal", "types",  "functools", "operator",   "signal",   "multiprocessing", "pdb",    "webbrowser",
    "asyncio", "commands", "popen2",  "platform",   "tempfile", "shelve",          "dill",   "timeit"};
// Members of builtins that evaluate, import, open files or reach attributes.
const std::set<std::string> kForbiddenBuiltins = {"eval",    "exec",   "execfile", "compile", "open",    "file",
                                                   "__import__", "getattr", "setattr", "delattr", "globals", "locals",
                                                   "vars",    "input",  "raw_input", "breakpoint", "apply", "reload",
                                                   "exit",    "quit",   "help",    "memoryview"};

std::string root_module(const std::string& module) { return module.substr(0, module.find('.')); }

class Unpickler {
 public:
  Unpickler(const char* data, size_t size, const PersistentLoad& load, const std::string& origin,
            const GlobalAllowList* allowed)
      : p_(data), end_(data + size), begin_(data), load_(load), origin_(origin), allowed_(allowed) {}

  ValuePtr run() {
    while (true) {
      if (p_ >= end_) fail("ends without STOP (truncated?)");
      const unsigned char op = static_cast<unsigned char>(*p_++);
      switch (op) {
        case 0x80: take(1); break;                          // PROTO
        case 0x95: take(8); break;                          // FRAME (a length hint)
        case '.': return pop();                             // STOP
        case '(': marks_.push_back(stack_.size()); break;   // MARK
        case '0': pop(); break;                             // POP
        case '1': pop_mark(); break;                        // POP_MARK
        case '2': push(top()); break;                       // DUP
        case 'N': push(Value::make(Kind::None)); break;
        case 0x88: push(boolean(true)); break;
        case 0x89: push(boolean(false)); break;
        case 'K': push(integer(static_cast<unsigned char>(*take(1)))); break;
        case 'M': push(integer(le(take(2), 2))); break;
        case 'J': push(integer(static_cast<int32_t>(le(take(4), 4)))); break;
        case 0x8a: push(long_int(static_cast<unsigned char>(*take(1)))); break;
        case 0x8b: push(long_int(le(take(4), 4))); break;
        case 'G': {                                         // BINFLOAT, big-endian
          const char* b = take(8);
          uint64_t bits = 0;
          for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<unsigned char>(b[i]);
          auto v = Value::make(Kind::Float);
          std::memcpy(&v->real, &bits, 8);
          push(v);
          break;
        }
        case 'X': push(string(Kind::String, le(take(4), 4))); break;
        case 0x8c: push(string(Kind::String, static_cast<unsigned char>(*take(1)))); break;
        case 0x8d: push(string(Kind::String, le(take(8), 8))); break;
        case 'T': push(string(Kind::String, le(take(4), 4))); break;
        case 'U': push(string(Kind::String, static_cast<unsigned char>(*take(1)))); break;
        case 'B': push(string(Kind::Bytes, le(take(4), 4))); break;
        case 'C': push(string(Kind::Bytes, static_cast<unsigned char>(*take(1)))); break;
        case 0x8e: push(string(Kind::Bytes, le(take(8), 8))); break;
        case 0x96: push(string(Kind::Bytes, le(take(8), 8))); break;  // BYTEARRAY8 (numpy at protocol 5)
        case '}': push(Value::make(Kind::Dict)); break;
        case ']': push(Value::make(Kind::List)); break;
        case 0x8f: push(Value::make(Kind::List)); break;   // EMPTY_SET (kept as a list)
        case ')': push(Value::make(Kind::Tuple)); break;
        case 0x85: tuple_of_top(1); break;
        case 0x86: tuple_of_top(2); break;
        case 0x87: tuple_of_top(3); break;
        case 't': push(container(Kind::Tuple, pop_mark())); break;
        case 'l': push(container(Kind::List, pop_mark())); break;
        case 0x91: push(container(Kind::List, pop_mark())); break;  // FROZENSET
        case 'd': {
          auto items = pop_mark();
          auto v = Value::make(Kind::Dict);
          set_items(*v, items);
          push(v);
          break;
        }
        case 'a': {
          auto item = pop();
          append(*top(), {item});
          break;
        }
        case 'e':
        case 0x90: {                                        // APPENDS, ADDITEMS
          auto items = pop_mark();
          append(*top(), items);
          break;
        }
        case 's': {
          auto value = pop();
          auto key = pop();
          set_items(*top(), {key, value});
          break;
        }
        case 'u': {
          auto items = pop_mark();
          set_items(*top(), items);
          break;
        }
        case 'q': memo_[static_cast<unsigned char>(*take(1))] = top(); break;
        case 'r': memo_[le(take(4), 4)] = top(); break;
        case 0x94: memo_[memo_.size()] = top(); break;     // MEMOIZE
        case 'h': push(memo(static_cast<unsigned char>(*take(1)))); break;
        case 'j': push(memo(le(take(4), 4))); break;
        case 'c': {                                         // GLOBAL "module\nname\n"
          const std::string module = line(), name = line();
          push(global(module, name));
          break;
        }
        case 0x93: {                                        // STACK_GLOBAL
          auto name = pop(), module = pop();
          if (name->kind != Kind::String || module->kind != Kind::String) fail("STACK_GLOBAL needs two strings");
          push(global(module->text, name->text));
          break;
        }
        case 'R': {                                         // REDUCE
          auto args = pop();
          auto callable = pop();
          push(call(*callable, *args));
          break;
        }
        case 0x81: {                                        // NEWOBJ
          auto args = pop();
          auto cls = pop();
          push(call(*cls, *args));
          break;
        }
        case 0x92: {                                        // NEWOBJ_EX
          pop();  // kwargs
          auto args = pop();
          auto cls = pop();
          push(call(*cls, *args));
          break;
        }
        case 'b': {                                         // BUILD: a numpy array's or dtype's state;
          auto state = pop();                               // an opaque object's is dropped
          build(*top(), *state);
          break;
        }
        case 'Q': {                                         // BINPERSID
          auto pid = pop();
          push(load_(*pid));
          break;
        }
        default:
          fail("unsupported pickle opcode 0x" + hex(op) + " (not something torch.save writes)");
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(origin_, "pickle at byte " + std::to_string(p_ - begin_) + ": " + what);
  }
  static std::string hex(unsigned v) {
    const char* d = "0123456789abcdef";
    return {d[(v >> 4) & 15], d[v & 15]};
  }
  const char* take(uint64_t n) {
    if (n > static_cast<uint64_t>(end_ - p_)) fail("truncated (needs " + std::to_string(n) + " more bytes)");
    const char* at = p_;
    p_ += n;
    return at;
  }
  static uint64_t le(const char* b, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[i]);
    return v;
  }
  std::string line() {
    const char* nl = static_cast<const char*>(std::memchr(p_, '\n', static_cast<size_t>(end_ - p_)));
    if (!nl) fail("unterminated GLOBAL");
    std::string s(p_, nl);
    p_ = nl + 1;
    return s;
  }
  void push(ValuePtr v) { stack_.push_back(std::move(v)); }
  ValuePtr pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("stack underflow (malformed)");
    auto v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  const ValuePtr& top() {
    if (stack_.empty()) fail("stack underflow (malformed)");
    return stack_.back();
  }
  std::vector<ValuePtr> pop_mark() {
    if (marks_.empty()) fail("no MARK on the stack (malformed)");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return items;
  }
  ValuePtr memo(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("memo entry " + std::to_string(key) + " read before written (malformed)");
    return it->second;
  }
  static ValuePtr boolean(bool b) {
    auto v = Value::make(Kind::Bool);
    v->boolean = b;
    return v;
  }
  static ValuePtr integer(int64_t i) {
    auto v = Value::make(Kind::Int);
    v->integer = i;
    return v;
  }
  ValuePtr long_int(uint64_t n) {
    const char* b = take(n);
    if (n == 0) return integer(0);
    if (n > 8) fail("integer of " + std::to_string(n) + " bytes does not fit 64 bits");
    uint64_t v = le(b, static_cast<int>(n));
    if (n < 8 && (static_cast<unsigned char>(b[n - 1]) & 0x80)) v |= ~uint64_t(0) << (8 * n);  // sign-extend
    return integer(static_cast<int64_t>(v));
  }
  ValuePtr string(Kind kind, uint64_t n) {
    auto v = Value::make(kind);
    const char* b = take(n);
    v->text.assign(b, static_cast<size_t>(n));
    return v;
  }
  void tuple_of_top(size_t n) {
    std::vector<ValuePtr> items(n);
    for (size_t i = n; i-- > 0;) items[i] = pop();
    push(container(Kind::Tuple, std::move(items)));
  }
  // Puts `child` inside `parent`: a nested value is final from then on (see changeable), and the
  // parent's height bounds the recursion of every walk over the result.
  void nest(Value& parent, Value& child) {
    if (&parent == &child) fail("a container holds itself (self-referential pickle refused)");
    child.nested = true;
    parent.height = std::max(parent.height, child.height + 1);
    if (parent.height > kMaxNesting) fail("containers nest deeper than " + std::to_string(kMaxNesting) + " levels");
  }
  ValuePtr container(Kind kind, std::vector<ValuePtr> items) {
    auto v = Value::make(kind);
    for (const auto& item : items) nest(*v, *item);
    v->items = std::move(items);
    return v;
  }
  // torch.save completes every container before nesting it; a change after that can only close a cycle.
  void changeable(const Value& target) {
    if (target.nested) fail("a container changed after it was nested in another (self-referential pickle refused)");
  }
  void append(Value& target, const std::vector<ValuePtr>& items) {
    if (target.kind == Kind::List) {
      changeable(target);
      for (const auto& item : items) nest(target, *item);
      target.items.insert(target.items.end(), items.begin(), items.end());
    } else if (target.kind != Kind::Opaque) {
      fail("APPEND to a non-list");
    }
  }
  void set_items(Value& target, const std::vector<ValuePtr>& items) {
    if (items.size() % 2) fail("odd number of dict items");
    if (target.kind == Kind::Dict) {
      changeable(target);
      for (const auto& item : items) nest(target, *item);
      for (size_t i = 0; i < items.size(); i += 2) target.dict.emplace_back(items[i], items[i + 1]);
    } else if (target.kind != Kind::Opaque) {
      fail("SETITEM on a non-dict");
    }
  }

  ValuePtr global(const std::string& module, const std::string& name) {
    if (is_forbidden_global(module, name))
      throw Error(origin_, "pickle refers to the forbidden global " + module + "." + name +
                               ": refusing to load (a weights file never needs it; the file may be malicious)");
    if (allowed_ && !allowed_->count(module + "." + name))
      throw Error(origin_, "pickle refers to the global " + module + "." + name +
                               ", which is not allowed here (only plain values and numpy arrays are read)");
    auto v = Value::make(Kind::Global);
    v->text = module + "." + name;
    return v;
  }

  // The effect of calling a global: natively rebuilt for what torch.save uses, opaque otherwise.
  ValuePtr call(const Value& callable, const Value& args) {
    const std::string& f = callable.kind == Kind::Global ? callable.text : std::string();
    const auto& a = args.items;
    if (f == "collections.OrderedDict" || f == "builtins.dict" || f == "__builtin__.dict") {
      auto d = Value::make(Kind::Dict);
      if (!a.empty() && a[0]->kind == Kind::List)
        for (const auto& pair : a[0]->items)
          if (pair->items.size() == 2) set_items(*d, {pair->items[0], pair->items[1]});
      return d;
    }
    if (f == "torch._utils._rebuild_tensor_v2") return rebuild_tensor(a);
    if (f == "torch._utils._rebuild_parameter" || f == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty()) fail(f + " without arguments");
      return a[0];
    }
    if (f == "torch.Size") return container(Kind::Tuple, a.empty() ? std::vector<ValuePtr>{} : a[0]->items);
    if (f == "torch.device") {
      auto s = Value::make(Kind::String);
      for (size_t i = 0; i < a.size(); ++i)
        s->text += (i ? ":" : "") + (a[i]->kind == Kind::Int ? std::to_string(a[i]->integer) : a[i]->text);
      return s;
    }
    if (f == "_codecs.encode" && !a.empty() && a[0]->kind == Kind::String) {  // bytes under protocol 2
      auto b = Value::make(Kind::Bytes);
      // latin-1: each code point < 256 of the UTF-8 text is one byte
      const std::string& u = a[0]->text;
      for (size_t i = 0; i < u.size(); ++i) {
        const auto c = static_cast<unsigned char>(u[i]);
        if (c < 0x80) {
          b->text += static_cast<char>(c);
        } else if (i + 1 < u.size()) {
          b->text += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(u[++i]) & 0x3f));
        }
      }
      return b;
    }
    if (allowed_ && allowed_->count(f)) {
      if (f == "numpy.dtype") return numpy_dtype(a);
      if (f == "numpy.core.multiarray._reconstruct" || f == "numpy._core.multiarray._reconstruct") {
        auto v = Value::make(Kind::Array);  // filled by BUILD
        v->shape = {0};
        return v;
      }
      if (f == "numpy.core.numeric._frombuffer" || f == "numpy._core.numeric._frombuffer") return numpy_frombuffer(a);
    }
    if (f == "builtins.set" || f == "__builtin__.set" || f == "builtins.frozenset" || f == "__builtin__.frozenset") {
      return container(Kind::List, a.empty() ? std::vector<ValuePtr>{} : a[0]->items);
    }
    auto opaque = Value::make(Kind::Opaque);
    opaque->text = callable.kind == Kind::Global ? callable.text : callable.kind == Kind::Opaque ? callable.text : "?";
    return opaque;
  }

  // numpy.dtype(code, align, copy): the byte order comes with BUILD.
  ValuePtr numpy_dtype(const std::vector<ValuePtr>& a) {
    if (a.empty() || a[0]->kind != Kind::String) fail("numpy.dtype without a type code");
    auto v = Value::make(Kind::DType);
    v->text = a[0]->text;
    v->dtype = (numpy_item_size(v->text) == 1 ? "|" : "<") + v->text;
    return v;
  }
  // numpy's _frombuffer(buffer, dtype, shape, order), what protocol 5 writes for a contiguous array.
  ValuePtr numpy_frombuffer(const std::vector<ValuePtr>& a) {
    if (a.size() != 4 || a[0]->kind != Kind::Bytes || a[1]->kind != Kind::DType || a[2]->kind != Kind::Tuple ||
        a[3]->kind != Kind::String)
      fail("numpy _frombuffer arguments are not (bytes, dtype, shape, order)");
    auto v = Value::make(Kind::Array);
    fill_array(*v, *a[1], *a[2], a[3]->text == "F", *a[0]);
    return v;
  }
  void build(Value& target, const Value& state) {
    if (target.kind == Kind::DType) {
      // (version, byte order, subarray, names, fields, elsize, alignment, flags)
      if (state.kind != Kind::Tuple || state.items.size() < 2 || state.items[1]->kind != Kind::String)
        fail("numpy dtype state is not (version, byte order, ...)");
      const std::string& order = state.items[1]->text;
      if (order == ">") fail("numpy dtype " + target.text + " is big-endian (only little-endian arrays are read)");
      for (size_t i = 2; i < std::min<size_t>(state.items.size(), 5); ++i)
        if (state.items[i]->kind != Kind::None) fail("numpy dtype " + target.text + " is structured (not read)");
      target.dtype = (order == "|" ? "|" : "<") + target.text;
    } else if (target.kind == Kind::Array) {
      // (version, shape, dtype, is_fortran, raw bytes); version absent in old pickles
      if (state.kind != Kind::Tuple || state.items.size() < 4) fail("numpy array state is not (version, shape, dtype, fortran, data)");
      const size_t o = state.items.size() == 5 ? 1 : 0;
      const Value &shape = *state.items[o], &dtype = *state.items[o + 1], &fortran = *state.items[o + 2],
                  &raw = *state.items[o + 3];
      if (shape.kind != Kind::Tuple || dtype.kind != Kind::DType || fortran.kind != Kind::Bool ||
          (raw.kind != Kind::Bytes && raw.kind != Kind::String))
        fail("numpy array state is not (version, shape, dtype, fortran, data): an array of objects is not read");
      fill_array(target, dtype, shape, fortran.boolean, raw);
    }
  }
  void fill_array(Value& array, const Value& dtype, const Value& shape, bool fortran, const Value& raw) {
    const int item = numpy_item_size(dtype.text);
    if (item == 0) fail("numpy array of type '" + dtype.text + "' (only numbers and booleans are read)");
    if (shape.items.size() > 32) fail("numpy array of more than 32 dimensions");
    std::vector<int64_t> dims;
    int64_t count = 1;
    bool overflow = false;
    for (const auto& d : shape.items) {
      if (d->kind != Kind::Int || d->integer < 0) fail("numpy array shape is not a tuple of non-negative ints");
      dims.push_back(d->integer);
      overflow |= __builtin_mul_overflow(count, d->integer, &count);
    }
    int64_t bytes = 0;
    overflow |= __builtin_mul_overflow(count, static_cast<int64_t>(item), &bytes);
    if (overflow || static_cast<uint64_t>(bytes) != raw.text.size())
      fail("numpy array of shape " + c10::str(c10::IntArrayRef(dims)) + " and type " + dtype.dtype + " needs " +
           (overflow ? std::string("more than 2^63") : std::to_string(bytes)) + " bytes, the pickle holds " +
           std::to_string(raw.text.size()));
    int non_trivial = 0;
    for (int64_t d : dims) non_trivial += d > 1;
    if (fortran && non_trivial > 1) fail("numpy array in Fortran order (only C order is read)");
    array.shape = std::move(dims);
    array.dtype = dtype.dtype;
    array.text = raw.text;
  }

  ValuePtr rebuild_tensor(const std::vector<ValuePtr>& a) {
    if (a.size() < 4) fail("_rebuild_tensor_v2 with " + std::to_string(a.size()) + " arguments");
    if (a[0]->kind == Kind::Opaque) {  // a storage type we do not read: the caller skips this entry
      auto o = Value::make(Kind::Opaque);
      o->text = "tensor on " + a[0]->text;
      return o;
    }
    if (a[0]->kind != Kind::Storage || a[1]->kind != Kind::Int || a[2]->kind != Kind::Tuple || a[3]->kind != Kind::Tuple)
      fail("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride)");
    const torch::Tensor& storage = a[0]->tensor;
    std::vector<int64_t> size, stride;
    for (const auto& s : a[2]->items) {
      if (s->kind != Kind::Int || s->integer < 0) fail("tensor size is not a tuple of non-negative ints");
      size.push_back(s->integer);
    }
    for (const auto& s : a[3]->items) {
      if (s->kind != Kind::Int || s->integer < 0) fail("tensor stride is not a tuple of non-negative ints");
      stride.push_back(s->integer);
    }
    const int64_t offset = a[1]->integer;
    if (size.size() != stride.size() || offset < 0 || size.size() > 64) fail("tensor size, stride or offset inconsistent");
    bool empty = false, overflow = false;
    int64_t last = offset;  // the highest element index the view touches (overflow-checked: sizes are untrusted)
    for (size_t i = 0; i < size.size(); ++i) {
      int64_t reach = 0;
      if (size[i] == 0) empty = true;
      else overflow |= __builtin_mul_overflow(size[i] - 1, stride[i], &reach) || __builtin_add_overflow(last, reach, &last);
    }
    if (empty) return tensor_or_fail([&] { return torch::empty(size, storage.options()); });
    if (overflow || last >= storage.numel())
      fail("tensor of size " + c10::str(c10::IntArrayRef(size)) + " at offset " + std::to_string(offset) +
           " reaches " + (overflow ? std::string("beyond 2^63 elements") : "element " + std::to_string(last)) +
           " of a storage of " + std::to_string(storage.numel()));
    return tensor_or_fail([&] { return storage.as_strided(size, stride, offset); });
  }
  template <typename Make>
  ValuePtr tensor_or_fail(const Make& make) {
    auto v = Value::make(Kind::Tensor);
    try {
      v->tensor = make();
    } catch (const c10::Error& e) {
      fail(std::string("tensor cannot be built: ") + e.what_without_backtrace());
    }
    return v;
  }

  const char* p_;
  const char* end_;
  const char* begin_;
  const PersistentLoad& load_;
  const std::string& origin_;
  const GlobalAllowList* allowed_;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
};

}  // namespace

Value::~Value() {
  std::vector<ValuePtr> pending;
  auto unlink = [&](Value& v) {
    for (auto& c : v.items)
      if (c && c.use_count() == 1) pending.push_back(std::move(c));
    for (auto& [k, x] : v.dict) {
      if (k && k.use_count() == 1) pending.push_back(std::move(k));
      if (x && x.use_count() == 1) pending.push_back(std::move(x));
    }
  };
  unlink(*this);
  while (!pending.empty()) {
    ValuePtr v = std::move(pending.back());
    pending.pop_back();
    unlink(*v);
  }
}

bool is_forbidden_global(const std::string& module, const std::string& name) {
  if (kForbiddenModules.count(root_module(module))) return true;
  if (module == "builtins" || module == "__builtin__") return kForbiddenBuiltins.count(name) > 0;
  // torch entry points that read files or run code
  if (root_module(module) == "torch" && (name == "load" || name == "hub" || module.rfind("torch.hub", 0) == 0 ||
                                         module.rfind("torch.jit", 0) == 0 || module.rfind("torch._C", 0) == 0))
    return true;
  return false;
}

const GlobalAllowList& numpy_array_globals() {
  static const GlobalAllowList globals = {
      "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray", "numpy.dtype",
      "numpy.core.numeric._frombuffer",     "numpy._core.numeric._frombuffer",     "_codecs.encode"};
  return globals;
}

int numpy_item_size(const std::string& code) {
  static const std::unordered_map<std::string, int> sizes = {
      {"b1", 1}, {"u1", 1}, {"i1", 1}, {"u2", 2}, {"i2", 2}, {"f2", 2}, {"u4", 4},
      {"i4", 4}, {"f4", 4}, {"u8", 8}, {"i8", 8}, {"f8", 8}};
  auto it = sizes.find(code);
  return it == sizes.end() ? 0 : it->second;
}

ValuePtr unpickle(const char* data, size_t size, const PersistentLoad& persistent_load, const std::string& origin,
                  const GlobalAllowList* allowed) {
  return Unpickler(data, size, persistent_load, origin, allowed).run();
}

}  // namespace xwam::io::pickle
