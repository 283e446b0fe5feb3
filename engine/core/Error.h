// The one exception type the engine throws for bad input: it names the file and what is wrong.
#pragma once
#include <stdexcept>
#include <string>

namespace xwam {

// Thrown for user-facing failures (bad files, wrong shapes, missing keys, NaNs).
// what() reads "<file>: <episode/key context>: <message>" with empty parts left out,
// so a front end can show it as is.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  Error(const std::string& file, const std::string& message);
  Error(const std::string& file, const std::string& context, const std::string& message);

  const std::string& file() const { return file_; }
  const std::string& context() const { return context_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_, context_, message_;
};

}  // namespace xwam
