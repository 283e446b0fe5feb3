// A thin RAII layer over the HDF5 C API for the episode file and the importers (internal to engine/data).
// Every failure throws xwam::Error naming the file and the object path.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace xwam::data::h5 {

// Owns one hid_t and closes it with the matching H5*close.
class Id {
 public:
  using Closer = herr_t (*)(hid_t);
  Id() = default;
  Id(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Id() { reset(); }
  Id(Id&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = -1; }
  Id& operator=(Id&& o) noexcept;
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

enum class Kind { Float, Integer, String, Other };

// A group (or the file's root group); the file path travels along for error messages.
class Group {
 public:
  Group(Id id, std::string file, std::string path) : id_(std::move(id)), file_(std::move(file)), path_(std::move(path)) {}
  hid_t id() const { return id_.get(); }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  std::string child_path(const std::string& name) const;

  bool has(const std::string& name) const;              // link exists (group or dataset)
  bool has_group(const std::string& name) const;
  bool has_dataset(const std::string& name) const;
  std::vector<std::string> children() const;             // names in creation/alphabetical order
  Group group(const std::string& name) const;            // throws when missing
  Group create_group(const std::string& name) const;

  // Datasets.
  std::vector<int64_t> shape(const std::string& name) const;
  Kind kind(const std::string& name) const;
  template <typename T> std::vector<T> read(const std::string& name) const;
  // Rows [first, first + count) of the leading dimension; touches only those chunks.
  template <typename T> std::vector<T> read_rows(const std::string& name, int64_t first, int64_t count) const;
  // Variable- or fixed-length strings of a 1-D (or scalar) string dataset.
  std::vector<std::string> read_strings(const std::string& name) const;
  // Binary blobs, one per element: fixed-length byte strings kept whole (trailing zero padding
  // included) or variable-length uint8 sequences — how h5py stores encoded images.
  std::vector<std::string> read_blobs(const std::string& name) const;
  // Writes a dataset; chunk_rows > 0 chunks along the leading dimension and compresses (deflate).
  template <typename T>
  void write(const std::string& name, const std::vector<int64_t>& shape, const T* data, int64_t chunk_rows = 0,
             int deflate_level = 4) const;

  // Attributes.
  bool has_attr(const std::string& name) const;
  std::string attr_string(const std::string& name) const;
  double attr_double(const std::string& name) const;
  int64_t attr_int(const std::string& name) const;  // a whole number, else xwam::Error naming it
  std::vector<double> attr_doubles(const std::string& name) const;
  void set_attr(const std::string& name, const std::string& value) const;
  void set_attr(const std::string& name, double value) const;
  void set_attr(const std::string& name, int64_t value) const;
  void set_attr(const std::string& name, const std::vector<double>& values) const;

 private:
  Id open_dataset(const std::string& name) const;
  Id id_;
  std::string file_, path_;
};

// Debian's libhdf5 is built without thread safety: every HDF5 call in the process must hold this
// lock (recursive, so public entry points can nest). Readers on worker threads rely on it.
std::unique_lock<std::recursive_mutex> lock();

// Opens an existing file read-only. Checks the HDF5 signature first so a non-HDF5 or truncated
// file gives a clear message rather than a library trace.
Group open_file(const std::string& path);
// Creates (truncates) a file for writing.
Group create_file(const std::string& path);

}  // namespace xwam::data::h5
