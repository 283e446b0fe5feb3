#include "engine/core/StaleSibling.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

namespace xwam {

bool is_stale_sibling(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return false;
  const std::string digits = name.substr(prefix.size());
  if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
    return false;
  const long pid = std::stol(digits);
  const bool alive = pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
  return !alive;
}

}  // namespace xwam
