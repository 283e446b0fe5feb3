// Temporaries a killed xwam process left beside its outputs: named PREFIX<pid>.
#pragma once
#include <string>

namespace xwam {

// True when `name` is `prefix` followed by the pid of a process that no longer runs.
bool is_stale_sibling(const std::string& name, const std::string& prefix);

}  // namespace xwam
