// Atomic file replacement: write to a temporary beside the target, then rename over it.
#pragma once
#include <string>

namespace xwam {

// Usage:
//   AtomicFile out("run/ckpt.safetensors");
//   write_everything(out.temp_path());
//   out.commit();            // rename(temp, final); before this the old file is untouched
// If commit() is never called (exception, cancellation) the destructor removes the temporary; temporaries
// of the same target left by killed processes are removed when the next one is made.
class AtomicFile {
 public:
  explicit AtomicFile(std::string final_path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  // fsyncs the temporary, renames it over the final path and fsyncs the directory. Throws xwam::Error.
  void commit();

 private:
  std::string final_path_, temp_path_;
  bool committed_ = false;
};

}  // namespace xwam
