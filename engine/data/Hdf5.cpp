#include "engine/data/Hdf5.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>
#include <stdexcept>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"
#include "engine/data/Hdf5Preflight.h"

namespace xwam::data::h5 {
namespace {

// HDF5 prints its own error stack by default; we report once, through xwam::Error.
struct SilenceHdf5Errors {
  SilenceHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const SilenceHdf5Errors silence_once;

template <typename T> hid_t native_type();
template <> hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }
template <> hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <> hid_t native_type<uint8_t>() { return H5T_NATIVE_UINT8; }
template <> hid_t native_type<int32_t>() { return H5T_NATIVE_INT32; }
template <> hid_t native_type<int64_t>() { return H5T_NATIVE_INT64; }
template <> hid_t native_type<uint16_t>() { return H5T_NATIVE_UINT16; }

// libhdf5's own reason for the last failure (the innermost entry of its error stack, e.g. "object
// header message is too large"), so an error on a damaged file says what libhdf5 found; the stack is
// cleared for the next call.
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* entry, void* out) -> herr_t {
        auto& text = *static_cast<std::string*>(out);
        if (text.empty() && entry->desc && *entry->desc) text = entry->desc;
        return 0;
      },
      &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason.empty() ? "" : " (libhdf5: " + reason + ")";
}

hid_t check(hid_t id, const std::string& file, const std::string& where, const std::string& what) {
  if (id < 0) throw Error(file, where, what + hdf5_reason());
  return id;
}

void check_status(herr_t status, const std::string& file, const std::string& where, const std::string& what) {
  if (status < 0) throw Error(file, where, what + hdf5_reason());
}

// Attributes are small (an object header holds at most 64 KiB of them); a larger declared size is damage.
constexpr uint64_t kMaxAttributeBytes = 16u << 20;

// Deflate (HDF5's gzip filter) expands at most 1032:1.
constexpr uint64_t kMaxDeflateRatio = 1032;

// libhdf5 1.10 copies a raw (unfiltered) chunk's whole extent out of however many bytes the chunk
// index records for it: a damaged index, filter message or chunk filter mask that leaves a raw chunk
// recorded shorter than its extent makes it read past its buffer. So every chunk a read of rows
// [first_row, first_row + shape[0]) touches is looked up first (O(log chunks) each). Shuffle keeps
// the size and Fletcher32 adds its 4 bytes; any other filter decompresses into a buffer it sizes itself.
void check_raw_chunks(hid_t dataset, const std::vector<int64_t>& shape, int64_t first_row, uint64_t element,
                      const std::string& file, const std::string& where) {
  Id plist(H5Dget_create_plist(dataset), H5Pclose);
  if (!plist.valid() || H5Pget_layout(plist.get()) != H5D_CHUNKED || shape.empty()) return;
  for (auto d : shape)
    if (d == 0) return;
  const int rank = static_cast<int>(shape.size());
  std::vector<hsize_t> chunk(shape.size());
  if (H5Pget_chunk(plist.get(), rank, chunk.data()) != rank) throw Error(file, where, "corrupt chunk layout" + hdf5_reason());
  uint64_t chunk_bytes = element;
  for (auto c : chunk)
    if (c == 0 || __builtin_mul_overflow(chunk_bytes, static_cast<uint64_t>(c), &chunk_bytes))
      throw Error(file, where, "corrupt chunk dimensions");
  unsigned compressing = 0, checksum = 0;
  const int filters = H5Pget_nfilters(plist.get());
  for (int f = 0; f < filters && f < 32; ++f) {
    unsigned flags = 0;
    size_t values = 0;
    const H5Z_filter_t id = H5Pget_filter2(plist.get(), static_cast<unsigned>(f), &flags, &values, nullptr, 0, nullptr, nullptr);
    if (id == H5Z_FILTER_FLETCHER32) checksum |= 1u << f;
    else if (id != H5Z_FILTER_SHUFFLE) compressing |= 1u << f;
  }
  // Chunk grid of the selection: rows by first_row, every other dimension whole.
  std::vector<hsize_t> lo(shape.size(), 0), hi(shape.size()), at(shape.size());
  lo[0] = static_cast<hsize_t>(first_row) / chunk[0];
  hi[0] = static_cast<hsize_t>(first_row + shape[0] - 1) / chunk[0];
  for (size_t d = 1; d < shape.size(); ++d) hi[d] = static_cast<hsize_t>(shape[d] - 1) / chunk[d];
  std::vector<hsize_t> index(lo);
  while (true) {
    for (size_t d = 0; d < shape.size(); ++d) at[d] = index[d] * chunk[d];
    unsigned mask = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t stored = 0;
    if (H5Dget_chunk_info_by_coord(dataset, at.data(), &mask, &address, &stored) >= 0 && address != HADDR_UNDEF &&
        (compressing & ~mask) == 0) {
      const uint64_t needed = chunk_bytes + ((checksum & ~mask) ? 4 : 0);
      if (stored < needed)
        throw Error(file, where, "a raw chunk at row " + std::to_string(at[0]) + " holds " + std::to_string(stored) +
                                     " bytes, its extent needs " + std::to_string(needed) + " (corrupt chunk index or filters)");
    }
    H5Eclear2(H5E_DEFAULT);
    size_t d = shape.size();
    while (d > 0 && index[d - 1] == hi[d - 1]) {
      index[d - 1] = lo[d - 1];
      --d;
    }
    if (d == 0) return;
    ++index[d - 1];
  }
}

// Elements of `shape` (rows [first_row, first_row + shape[0]) of the dataset), after checking that
// the file can hold them: a dataset's declared extent is only a header field, so the bytes it implies
// (in the file's element type) must fit the file — or, for compressed data, its stored bytes × the
// deflate limit — before anything is allocated; then the raw chunks the read touches are checked.
size_t element_count(hid_t dataset, const std::vector<int64_t>& shape, int64_t first_row, const std::string& file,
                     const std::string& where) {
  uint64_t n = 1;
  for (auto d : shape)
    if (d < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n)) throw Error(file, where, "dataset extent overflows");
  // Files we are writing are trusted (and their size on disk may lag behind their buffers).
  Id owner(H5Iget_file_id(dataset), H5Fclose);
  unsigned intent = 0;
  hsize_t file_size = 0;
  if (H5Fget_intent(owner.get(), &intent) < 0 || (intent & H5F_ACC_RDWR)) return static_cast<size_t>(n);
  check_status(H5Fget_filesize(owner.get(), &file_size), file, where, "cannot read the file size");
  Id type(H5Dget_type(dataset), H5Tclose);
  Id plist(H5Dget_create_plist(dataset), H5Pclose);
  const uint64_t element = std::max<uint64_t>(1, H5Tget_size(type.get()));
  const uint64_t file_bytes = file_size;
  const bool filtered = plist.valid() && H5Pget_nfilters(plist.get()) > 0;
  const uint64_t stored = std::min<uint64_t>(H5Dget_storage_size(dataset), file_bytes);
  const uint64_t limit = filtered ? stored * kMaxDeflateRatio : file_bytes;
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(n, element, &bytes) || bytes > limit)
    throw Error(file, where,
                "declares " + std::to_string(n) + " elements of " + std::to_string(element) + " bytes, more than the file's " +
                    std::to_string(file_bytes) + " bytes can hold (corrupt or truncated)");
  check_raw_chunks(dataset, shape, first_row, element, file, where);
  return static_cast<size_t>(n);
}

// libhdf5 converts numbers between a file's type and ours trusting the type's fields: a damaged
// precision or bit offset beyond the type's bytes overruns its conversion buffers (a stack smash in
// H5T__bit_get_d). Integer and float types are checked here before any read converts them.
void check_numeric_type(hid_t type, const std::string& file, const std::string& where) {
  const H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) return;
  const size_t bits = H5Tget_size(type) * 8;
  const size_t precision = H5Tget_precision(type);
  const int offset = H5Tget_offset(type);
  bool sane = bits >= 8 && bits <= 128 && precision >= 1 && offset >= 0 && precision + static_cast<size_t>(offset) <= bits;
  if (sane && cls == H5T_FLOAT) {
    size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
    sane = H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) >= 0 && spos < precision &&
           epos + esize <= precision && mpos + msize <= precision && esize >= 1 && esize < 64;
  }
  if (!sane)
    throw Error(file, where, "corrupt number type (" + std::to_string(bits) + " bits, precision " +
                                 std::to_string(precision) + ", offset " + std::to_string(offset) + ")" + hdf5_reason());
}

// A buffer of n elements. A compressed dataset may declare up to 1032× its stored bytes, more than a
// machine may have: an allocation that fails is a named error, not std::bad_alloc.
template <typename Buffer>
Buffer buffer_of(size_t n, const std::string& file, const std::string& where) {
  try {
    return Buffer(n, typename Buffer::value_type{});
  } catch (const std::bad_alloc&) {
  } catch (const std::length_error&) {
  }
  throw Error(file, where, "cannot allocate " + std::to_string(n) + " elements of " +
                               std::to_string(sizeof(typename Buffer::value_type)) + " bytes (out of memory)");
}

Id open_attr(hid_t obj, const std::string& name, const std::string& file, const std::string& where) {
  if (H5Aexists(obj, name.c_str()) <= 0) throw Error(file, where, "missing attribute '" + name + "'");
  return Id(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), file, where, "cannot open attribute '" + name + "'"),
            H5Aclose);
}

std::string read_string_value(hid_t attr_or_dset, hid_t type, bool is_attr, const std::string& file,
                              const std::string& where) {
  if (H5Tis_variable_str(type) > 0) {
    Id mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    char* value = nullptr;
    herr_t st = is_attr ? H5Aread(attr_or_dset, mem.get(), &value)
                        : H5Dread(attr_or_dset, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &value);
    check_status(st, file, where, "cannot read string");
    std::string out = value ? value : "";
    H5free_memory(value);
    return out;
  }
  size_t size = H5Tget_size(type);
  if (size == 0 || size > kMaxAttributeBytes)
    throw Error(file, where, "string of " + std::to_string(size) + " bytes (corrupt type)" + hdf5_reason());
  std::vector<char> buf(size + 1, '\0');
  Id mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.get(), size + 1);
  herr_t st = is_attr ? H5Aread(attr_or_dset, mem.get(), buf.data())
                      : H5Dread(attr_or_dset, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
  check_status(st, file, where, "cannot read string");
  return std::string(buf.data());
}

}  // namespace

std::unique_lock<std::recursive_mutex> lock() {
  static std::recursive_mutex mutex;
  return std::unique_lock<std::recursive_mutex>(mutex);
}

Id& Id::operator=(Id&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = -1;
  }
  return *this;
}

void Id::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = -1;
}

std::string Group::child_path(const std::string& name) const {
  return path_ == "/" ? "/" + name : path_ + "/" + name;
}

bool Group::has(const std::string& name) const {
  // Check each path component so "a/b" with a missing "a" answers false instead of erroring.
  size_t pos = 0;
  while (true) {
    size_t slash = name.find('/', pos);
    std::string prefix = name.substr(0, slash);
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    pos = slash + 1;
  }
}

namespace {
// The kind of object a link names, or H5O_TYPE_UNKNOWN when it cannot be inspected.
H5O_type_t object_type(hid_t group, const std::string& name) {
  H5O_info_t info;
#if H5_VERSION_GE(1, 12, 0)
  if (H5Oget_info_by_name3(group, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return H5O_TYPE_UNKNOWN;
#else
  if (H5Oget_info_by_name2(group, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return H5O_TYPE_UNKNOWN;
#endif
  return info.type;
}
}  // namespace

bool Group::has_group(const std::string& name) const {
  return has(name) && object_type(id(), name) == H5O_TYPE_GROUP;
}

bool Group::has_dataset(const std::string& name) const {
  return has(name) && object_type(id(), name) == H5O_TYPE_DATASET;
}

std::vector<std::string> Group::children() const {
  std::vector<std::string> names;
  H5G_info_t info;
  check_status(H5Gget_info(id(), &info), file_, path_, "cannot list group");
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t len = H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    check_status(static_cast<herr_t>(len < 0 ? -1 : 0), file_, path_, "cannot list group");
    std::string name(static_cast<size_t>(len), '\0');
    H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

Group Group::group(const std::string& name) const {
  if (!has_group(name)) throw Error(file_, child_path(name), "missing group");
  return Group(Id(check(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), file_, child_path(name), "cannot open group"),
                  H5Gclose),
               file_, child_path(name));
}

Group Group::create_group(const std::string& name) const {
  return Group(Id(check(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), file_,
                        child_path(name), "cannot create group"),
                  H5Gclose),
               file_, child_path(name));
}

Id Group::open_dataset(const std::string& name) const {
  if (!has_dataset(name)) throw Error(file_, child_path(name), "missing dataset");
  return Id(check(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), file_, child_path(name), "cannot open dataset"),
            H5Dclose);
}

std::vector<int64_t> Group::shape(const std::string& name) const {
  Id ds = open_dataset(name);
  Id space(H5Dget_space(ds.get()), H5Sclose);
  int rank = H5Sget_simple_extent_ndims(space.get());
  check_status(rank, file_, child_path(name), "cannot read dataset shape");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return std::vector<int64_t>(dims.begin(), dims.end());
}

Kind Group::kind(const std::string& name) const {
  Id ds = open_dataset(name);
  Id type(H5Dget_type(ds.get()), H5Tclose);
  switch (H5Tget_class(type.get())) {
    case H5T_FLOAT: return Kind::Float;
    case H5T_INTEGER: return Kind::Integer;
    case H5T_STRING: return Kind::String;
    default: return Kind::Other;
  }
}

template <typename T>
std::vector<T> Group::read(const std::string& name) const {
  Id ds = open_dataset(name);
  check_numeric_type(Id(H5Dget_type(ds.get()), H5Tclose).get(), file_, child_path(name));
  auto out = buffer_of<std::vector<T>>(element_count(ds.get(), shape(name), 0, file_, child_path(name)), file_, child_path(name));
  check_status(H5Dread(ds.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), file_,
               child_path(name), "cannot read dataset (truncated file or incompatible type)");
  return out;
}

template <typename T>
std::vector<T> Group::read_rows(const std::string& name, int64_t first, int64_t count) const {
  auto dims = shape(name);
  if (dims.empty() || first < 0 || count < 0 || first + count > dims[0])
    throw Error(file_, child_path(name),
                "rows [" + std::to_string(first) + ", " + std::to_string(first + count) + ") out of range (" +
                    std::to_string(dims.empty() ? 0 : dims[0]) + " rows)");
  Id ds = open_dataset(name);
  check_numeric_type(Id(H5Dget_type(ds.get()), H5Tclose).get(), file_, child_path(name));
  Id file_space(H5Dget_space(ds.get()), H5Sclose);
  std::vector<hsize_t> start(dims.size(), 0), extent(dims.begin(), dims.end());
  start[0] = static_cast<hsize_t>(first);
  extent[0] = static_cast<hsize_t>(count);
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr);
  Id mem_space(H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr), H5Sclose);
  std::vector<int64_t> sub(dims);
  sub[0] = count;
  auto out = buffer_of<std::vector<T>>(element_count(ds.get(), sub, first, file_, child_path(name)), file_, child_path(name));
  if (count > 0) {
    check_status(H5Dread(ds.get(), native_type<T>(), mem_space.get(), file_space.get(), H5P_DEFAULT, out.data()),
                 file_, child_path(name), "cannot read dataset rows (truncated file or incompatible type)");
  }
  return out;
}

std::vector<std::string> Group::read_strings(const std::string& name) const {
  Id ds = open_dataset(name);
  Id type(H5Dget_type(ds.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) throw Error(file_, child_path(name), "expected a string dataset");
  const size_t n = element_count(ds.get(), shape(name), 0, file_, child_path(name));
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.get()) > 0) {
    Id mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    auto ptrs = buffer_of<std::vector<char*>>(n, file_, child_path(name));
    check_status(H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), file_, child_path(name),
                 "cannot read strings");
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
      H5free_memory(p);
    }
  } else {
    size_t size = H5Tget_size(type.get());
    auto buf = buffer_of<std::vector<char>>(n * size, file_, child_path(name));
    check_status(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), file_, child_path(name),
                 "cannot read strings");
    for (size_t i = 0; i < n; ++i) out.emplace_back(strnlen(buf.data() + i * size, size) ? std::string(buf.data() + i * size, strnlen(buf.data() + i * size, size)) : "");
  }
  return out;
}

std::vector<std::string> Group::read_blobs(const std::string& name) const {
  Id ds = open_dataset(name);
  Id type(H5Dget_type(ds.get()), H5Tclose);
  const size_t n = element_count(ds.get(), shape(name), 0, file_, child_path(name));
  std::vector<std::string> out;
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING && H5Tis_variable_str(type.get()) <= 0) {
    const size_t size = H5Tget_size(type.get());
    auto buf = buffer_of<std::string>(n * size, file_, child_path(name));
    check_status(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), file_, child_path(name),
                 "cannot read byte strings");
    for (size_t i = 0; i < n; ++i) out.push_back(buf.substr(i * size, size));
  } else if (cls == H5T_VLEN) {
    Id mem(H5Tvlen_create(H5T_NATIVE_UINT8), H5Tclose);
    auto items = buffer_of<std::vector<hvl_t>>(n, file_, child_path(name));
    check_status(H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, items.data()), file_, child_path(name),
                 "cannot read variable-length bytes");
    for (const auto& item : items) out.emplace_back(static_cast<const char*>(item.p), item.len);
    Id space(H5Dget_space(ds.get()), H5Sclose);
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, items.data());
  } else {
    return read_strings(name);
  }
  return out;
}

template <typename T>
void Group::write(const std::string& name, const std::vector<int64_t>& shape, const T* data, int64_t chunk_rows,
                  int deflate_level) const {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (chunk_rows > 0 && !dims.empty() && dims[0] > 0) {
    std::vector<hsize_t> chunk(dims);
    chunk[0] = std::min<hsize_t>(dims[0], static_cast<hsize_t>(chunk_rows));
    H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
    if (sizeof(T) > 1) H5Pset_shuffle(dcpl.get());
    H5Pset_deflate(dcpl.get(), static_cast<unsigned>(deflate_level));
  }
  Id ds(check(H5Dcreate2(id(), name.c_str(), native_type<T>(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
              file_, child_path(name), "cannot create dataset"),
        H5Dclose);
  if (std::find(shape.begin(), shape.end(), 0) == shape.end()) {  // not empty
    check_status(H5Dwrite(ds.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data), file_, child_path(name),
                 "cannot write dataset (disk full?)");
  }
}

bool Group::has_attr(const std::string& name) const { return H5Aexists(id(), name.c_str()) > 0; }

std::string Group::attr_string(const std::string& name) const {
  Id attr = open_attr(id(), name, file_, path_);
  Id type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) throw Error(file_, path_, "attribute '" + name + "' is not a string");
  return read_string_value(attr.get(), type.get(), true, file_, path_ + "@" + name);
}

std::vector<double> Group::attr_doubles(const std::string& name) const {
  Id attr = open_attr(id(), name, file_, path_);
  Id space(H5Aget_space(attr.get()), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0 || static_cast<uint64_t>(n) > kMaxAttributeBytes / sizeof(double))
    throw Error(file_, path_, "attribute '" + name + "' declares " + std::to_string(n) + " values (corrupt)" + hdf5_reason());
  check_numeric_type(Id(H5Aget_type(attr.get()), H5Tclose).get(), file_, path_ + "@" + name);
  std::vector<double> out(static_cast<size_t>(n));
  check_status(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, out.data()), file_, path_,
               "cannot read attribute '" + name + "' as numbers");
  return out;
}

double Group::attr_double(const std::string& name) const {
  auto values = attr_doubles(name);
  if (values.size() != 1) throw Error(file_, path_, "attribute '" + name + "' is not a scalar");
  return values[0];
}

int64_t Group::attr_int(const std::string& name) const {
  const double v = attr_double(name);
  // A cast of NaN or of a value beyond int64 is undefined: refuse them by name.
  if (!std::isfinite(v) || v != std::floor(v) || std::abs(v) >= 9.2e18)
    throw Error(file_, path_, "attribute '" + name + "' is not a whole number");
  return static_cast<int64_t>(v);
}

void Group::set_attr(const std::string& name, const std::string& value) const {
  Id type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), std::max<size_t>(1, value.size()));
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  Id space(H5Screate(H5S_SCALAR), H5Sclose);
  Id attr(check(H5Acreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), file_, path_,
                "cannot create attribute '" + name + "'"),
          H5Aclose);
  std::string padded = value.empty() ? std::string(1, '\0') : value;
  check_status(H5Awrite(attr.get(), type.get(), padded.data()), file_, path_, "cannot write attribute '" + name + "'");
}

void Group::set_attr(const std::string& name, const std::vector<double>& values) const {
  hsize_t n = values.size();
  Id space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Id attr(check(H5Acreate2(id(), name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), file_, path_,
                "cannot create attribute '" + name + "'"),
          H5Aclose);
  check_status(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, values.data()), file_, path_,
               "cannot write attribute '" + name + "'");
}

void Group::set_attr(const std::string& name, double value) const {
  Id space(H5Screate(H5S_SCALAR), H5Sclose);
  Id attr(check(H5Acreate2(id(), name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), file_, path_,
                "cannot create attribute '" + name + "'"),
          H5Aclose);
  check_status(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value), file_, path_, "cannot write attribute '" + name + "'");
}

void Group::set_attr(const std::string& name, int64_t value) const {
  Id space(H5Screate(H5S_SCALAR), H5Sclose);
  Id attr(check(H5Acreate2(id(), name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), file_, path_,
                "cannot create attribute '" + name + "'"),
          H5Aclose);
  check_status(H5Awrite(attr.get(), H5T_NATIVE_INT64, &value), file_, path_, "cannot write attribute '" + name + "'");
}

Group open_file(const std::string& path) {
  regular_file_size(path, "HDF5 file");  // a FIFO would block the probe and HDF5 itself
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw Error(path, "cannot open file (missing or unreadable)");
  char signature[8] = {};
  probe.read(signature, 8);
  static const char kHdf5Signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  if (probe.gcount() < 8 || std::memcmp(signature, kHdf5Signature, 8) != 0)
    throw Error(path, "not an HDF5 file (bad signature)");
  auto guard = lock();
  preflight(path);
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_WEAK);
  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
  if (!file.valid()) throw Error(path, "cannot open HDF5 file (truncated or corrupt)" + hdf5_reason());
  return Group(Id(check(H5Gopen2(file.get(), "/", H5P_DEFAULT), path, "/", "cannot open root group"), H5Gclose), path,
               "/");
}

Group create_file(const std::string& path) {
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_WEAK);
  Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  if (!file.valid()) throw Error(path, "cannot create HDF5 file");
  return Group(Id(check(H5Gopen2(file.get(), "/", H5P_DEFAULT), path, "/", "cannot open root group"), H5Gclose), path,
               "/");
}

#define XWAM_H5_INSTANTIATE(T)                                                                       \
  template std::vector<T> Group::read<T>(const std::string&) const;                                  \
  template std::vector<T> Group::read_rows<T>(const std::string&, int64_t, int64_t) const;          \
  template void Group::write<T>(const std::string&, const std::vector<int64_t>&, const T*, int64_t, int) const;
XWAM_H5_INSTANTIATE(float)
XWAM_H5_INSTANTIATE(double)
XWAM_H5_INSTANTIATE(uint8_t)
XWAM_H5_INSTANTIATE(int32_t)
XWAM_H5_INSTANTIATE(int64_t)
XWAM_H5_INSTANTIATE(uint16_t)
#undef XWAM_H5_INSTANTIATE

}  // namespace xwam::data::h5
