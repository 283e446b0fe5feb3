#include "engine/core/Error.h"

namespace xwam {
namespace {
std::string compose(const std::string& file, const std::string& context, const std::string& message) {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!context.empty()) out += context + ": ";
  return out + message;
}
}  // namespace

Error::Error(const std::string& message) : Error("", "", message) {}
Error::Error(const std::string& file, const std::string& message) : Error(file, "", message) {}
Error::Error(const std::string& file, const std::string& context, const std::string& message)
    : std::runtime_error(compose(file, context, message)), file_(file), context_(context), message_(message) {}

}  // namespace xwam
